/*
 * fb_unpack.h — gzip (zlib) and zip (libzip) in memory, bounded: a
 * member is inflated chunk by chunk and refused as soon as it would pass
 * its cap, whatever its header claims, so a bomb costs at most cap + one
 * chunk of memory and time.
 */
#ifndef POSTURE_FB_UNPACK_H
#define POSTURE_FB_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "feedback.h"

/* True when data starts with the gzip magic (1f 8b) / a zip local header
 * or end-of-central-directory record ("PK\3\4", "PK\5\6"). */
int fb_is_gzip(const uint8_t *data, size_t len);
int fb_is_zip(const uint8_t *data, size_t len);

/* Inflates a gzip stream (concatenated members too) into a new buffer
 * (NUL-terminated, not counted in *outlen). Returns 0, or -1 with err
 * ("inflates past N bytes", "corrupt gzip data: ...", "truncated"). */
int fb_gunzip(const uint8_t *in, size_t len, size_t cap, uint8_t **out, size_t *outlen, char *err,
              size_t errlen);

struct fb_zip_entry {
	char name[FB_NAME];
	uint8_t *data; /* owned, NUL-terminated; NULL when error is set */
	size_t len;
	char error[FB_ERROR]; /* this entry could not be read: why */
};

/* Reads a zip archive's entries (directories skipped), at most
 * FB_ZIP_ENTRIES, each capped at cap_each and all together at cap_total;
 * an entry past a cap gets its error and no data. An archive of more
 * files gets one last entry (FB_ZIP_ENTRIES + 1 in all) naming the rest,
 * with the error that says they were skipped. Returns 0, or -1 with err
 * when the archive itself cannot be opened. */
int fb_unzip(const uint8_t *in, size_t len, size_t cap_each, size_t cap_total,
             struct fb_zip_entry **out, size_t *n, char *err, size_t errlen);
void fb_zip_free(struct fb_zip_entry *e, size_t n);

#endif
