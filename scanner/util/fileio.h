/*
 * fileio.h — reading a whole (small) file: trust stores, logos and
 * certificates given on the command line. The cap is the caller's: what
 * posture reads is bounded before it is parsed.
 */
#ifndef POSTURE_FILEIO_H
#define POSTURE_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads a whole file of at most max bytes into a malloc'd buffer (the
 * caller frees *out). Returns 0, -1 (errno says why), or -2 when it is
 * larger than max; with cut, a larger file gives its first max + 1 bytes
 * and 0 (for the callee's own size finding). */
int file_read_all(const char *path, size_t max, bool cut, uint8_t **out, size_t *len);

#endif
