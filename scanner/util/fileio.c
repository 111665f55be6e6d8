/*
 * fileio.c — a whole file into memory, with a cap (see fileio.h).
 */
#include "fileio.h"

#include <stdio.h>
#include <stdlib.h>

/* Reads a whole file of at most max bytes. Returns 0, -1 (errno), or -2
 * when it is larger than max; with cut, a larger file gives its first
 * max + 1 bytes and 0 (for the callee's own size finding). */
int file_read_all(const char *path, size_t max, bool cut, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc = -1;

	*out = NULL;
	*len = 0;
	if (f == NULL)
		return -1;
	buf = malloc(max + 1);
	if (buf == NULL)
		goto out;
	n = fread(buf, 1, max + 1, f);
	if (ferror(f))
		goto out;
	if (n > max && !cut) {
		rc = -2;
		goto out;
	}
	*out = buf;
	*len = n;
	buf = NULL; /* owned by the caller now */
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}
