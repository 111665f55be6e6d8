/*
 * fb_unpack.c — gzip (RFC 1952, zlib) and zip (PKWARE APPNOTE, libzip)
 * in memory, bounded.
 *
 * Neither format's size fields are trusted: the gzip trailer's ISIZE and
 * a zip entry's sizes are written by whoever made the file. Output is
 * inflated into a growing buffer, asking the decompressor for at most
 * what is left under the cap plus one byte, so a bomb is refused once cap
 * + 1 bytes are out, having cost that much memory and no more.
 */
#include "fb_unpack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>
#define ZLIB_CONST /* next_in is const: the input is never written */
#include <zlib.h>

#include "strutil.h"

/* How much is inflated per call, and fed to zlib per call (avail_in is
 * a uInt: feeding in slices keeps any input length correct). */
#define CHUNK    (64u << 10)
#define IN_SLICE (1u << 20)

struct gbuf {
	uint8_t *p;
	size_t len, size;
};

/* Makes room for need bytes in all; grows by doubling, never past max. */
static int gbuf_reserve(struct gbuf *b, size_t need, size_t max)
{
	size_t size = b->size ? b->size : CHUNK;
	uint8_t *p;

	if (need <= b->size)
		return 0;
	while (size < need)
		size = size > SIZE_MAX / 2 ? SIZE_MAX : size * 2;
	if (size > max)
		size = max > need ? max : need;
	p = realloc(b->p, size);
	if (p == NULL)
		return -1;
	b->p = p;
	b->size = size;
	return 0;
}

/* Room for the next read: at most CHUNK, and never more than cap + 1
 * bytes in all (the one byte past the cap is how a bomb is seen), plus
 * the NUL. Returns the number of bytes the next read may write. */
static size_t gbuf_next(struct gbuf *b, size_t cap)
{
	size_t left = cap - b->len + 1; /* b->len <= cap here */
	size_t want = left < CHUNK ? left : CHUNK;
	size_t max = cap < SIZE_MAX - 2 ? cap + 2 : SIZE_MAX;

	if (gbuf_reserve(b, b->len + want + 1, max) != 0)
		return 0;
	return want;
}

int fb_is_gzip(const uint8_t *data, size_t len)
{
	return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

int fb_is_zip(const uint8_t *data, size_t len)
{
	return len >= 4 && data[0] == 'P' && data[1] == 'K' &&
	       ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6));
}

/* After a member's end: RFC 1952 2.2 lets members follow one another.
 * Returns 1 when another member starts at off. Anything else after the
 * last member (tape padding, a mailer's trailing bytes) is ignored, as
 * gzip(1) ignores it: the member before it was complete and its CRC-32
 * checked. */
static int gz_next_member(const uint8_t *in, size_t len, size_t off)
{
	return off < len && fb_is_gzip(in + off, len - off);
}

/* One inflate step into b. Returns 1 when the stream (and every member)
 * ended, 0 to go on, -1 with err. */
static int gz_step(z_stream *z, const uint8_t *in, size_t len, size_t *fed, struct gbuf *b,
                   size_t cap, char *err, size_t errlen)
{
	size_t want, off;
	int zr;

	if (z->avail_in == 0 && *fed < len) {
		size_t n = len - *fed < IN_SLICE ? len - *fed : IN_SLICE;
		z->next_in = in + *fed;
		z->avail_in = (uInt)n;
		*fed += n;
	}
	want = gbuf_next(b, cap);
	if (want == 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	z->next_out = b->p + b->len;
	z->avail_out = (uInt)want;
	zr = inflate(z, Z_NO_FLUSH);
	b->len += want - z->avail_out;
	if (b->len > cap) {
		snprintf(err, errlen, "inflates past %zu bytes", cap);
		return -1;
	}
	switch (zr) {
	case Z_OK:
		return 0;
	case Z_STREAM_END:
		off = (size_t)(z->next_in - in);
		if (!gz_next_member(in, len, off))
			return 1;
		return inflateReset(z) == Z_OK ? 0 : -1;
	case Z_BUF_ERROR:
		/* No progress with room to write: the input ran out. */
		snprintf(err, errlen, "truncated gzip data: it ends after %zu bytes inflated",
		         b->len);
		return -1;
	case Z_MEM_ERROR:
		snprintf(err, errlen, "out of memory");
		return -1;
	default:
		snprintf(err, errlen, "corrupt gzip data: %s", z->msg ? z->msg : "bad stream");
		return -1;
	}
}

int fb_gunzip(const uint8_t *in, size_t len, size_t cap, uint8_t **out, size_t *outlen, char *err,
              size_t errlen)
{
	struct gbuf b = { NULL, 0, 0 };
	z_stream z;
	size_t fed = 0;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (len == 0) {
		snprintf(err, errlen, "truncated gzip data: the file is empty");
		return -1;
	}
	memset(&z, 0, sizeof(z));
	/* 16 + MAX_WBITS: a gzip wrapper (header and CRC-32 trailer). */
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	do
		rc = gz_step(&z, in, len, &fed, &b, cap, err, errlen);
	while (rc == 0);
	inflateEnd(&z);
	if (rc < 0) {
		free(b.p);
		return -1;
	}
	b.p[b.len] = '\0';
	*out = b.p;
	*outlen = b.len;
	return 0;
}

/* Reads one entry, at most limit bytes (cap_each or what the archive's
 * total leaves, whichever is lower), into e. Returns 0, or -1 when the
 * entry failed (e->error says why) — and 1 more precisely when the total
 * cap was what stopped it, so later entries are skipped. */
static int zip_read_entry(zip_t *za, zip_uint64_t i, size_t cap_each, size_t left,
                          struct fb_zip_entry *e)
{
	size_t limit = cap_each < left ? cap_each : left;
	struct gbuf b = { NULL, 0, 0 };
	zip_file_t *zf = zip_fopen_index(za, i, 0);
	int rc = 0;

	if (zf == NULL) {
		snprintf(e->error, sizeof(e->error), "cannot read the entry: %s", zip_strerror(za));
		return -1;
	}
	for (;;) {
		size_t want = gbuf_next(&b, limit);
		zip_int64_t got;
		if (want == 0) {
			snprintf(e->error, sizeof(e->error), "out of memory");
			rc = -1;
			break;
		}
		got = zip_fread(zf, b.p + b.len, want);
		if (got < 0) {
			snprintf(e->error, sizeof(e->error), "corrupt entry: %s",
			         zip_file_strerror(zf));
			rc = -1;
			break;
		}
		if (got == 0)
			break;
		b.len += (size_t)got;
		if (b.len > limit) {
			if (limit == cap_each) {
				snprintf(e->error, sizeof(e->error), "inflates past %zu bytes",
				         cap_each);
				rc = -1;
			} else {
				rc = 1; /* the caller says so: it knows the total cap */
			}
			break;
		}
	}
	zip_fclose(zf);
	if (rc != 0) {
		free(b.p);
		return rc;
	}
	b.p[b.len] = '\0';
	e->data = b.p;
	e->len = b.len;
	return 0;
}

/* The entry's name, or "entry N" when it has none. */
static void zip_entry_name(const zip_stat_t *st, zip_uint64_t i, struct fb_zip_entry *e)
{
	if ((st->valid & ZIP_STAT_NAME) && st->name != NULL && st->name[0] != '\0')
		str_copy(e->name, sizeof(e->name), st->name);
	else
		snprintf(e->name, sizeof(e->name), "entry %llu", (unsigned long long)i);
}

static int zip_is_dir(const zip_stat_t *st)
{
	size_t n;

	if (!(st->valid & ZIP_STAT_NAME) || st->name == NULL)
		return 0;
	n = strlen(st->name);
	return n > 0 && st->name[n - 1] == '/';
}

/* Walks the archive's entries into out (room for FB_ZIP_ENTRIES + 1). */
static void zip_walk(zip_t *za, size_t cap_each, size_t cap_total, struct fb_zip_entry *out,
                     size_t *n)
{
	zip_int64_t count = zip_get_num_entries(za, 0);
	size_t total = 0;
	int over = 0;

	for (zip_uint64_t i = 0; count > 0 && i < (zip_uint64_t)count; i++) {
		struct fb_zip_entry *e = &out[*n];
		zip_stat_t st;
		zip_stat_init(&st);
		if (zip_stat_index(za, i, 0, &st) != 0 || zip_is_dir(&st))
			continue;
		if (*n == FB_ZIP_ENTRIES) {
			snprintf(e->name, sizeof(e->name), "entries %llu to %lld",
			         (unsigned long long)i + 1, (long long)count);
			snprintf(e->error, sizeof(e->error),
			         "skipped: the archive holds more than %d files", FB_ZIP_ENTRIES);
			(*n)++;
			return;
		}
		zip_entry_name(&st, i, e);
		(*n)++;
		if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
		    st.encryption_method != ZIP_EM_NONE) {
			snprintf(e->error, sizeof(e->error),
			         "encrypted: posture has no password to read it");
			continue;
		}
		if (over) {
			snprintf(e->error, sizeof(e->error),
			         "skipped: the archive inflates past %zu bytes in all", cap_total);
			continue;
		}
		int rc = zip_read_entry(za, i, cap_each, cap_total - total, e);
		if (rc == 1) {
			snprintf(e->error, sizeof(e->error),
			         "the archive inflates past %zu bytes in all", cap_total);
			over = 1;
		}
		if (rc == 0)
			total += e->len;
	}
}

int fb_unzip(const uint8_t *in, size_t len, size_t cap_each, size_t cap_total,
             struct fb_zip_entry **out, size_t *n, char *err, size_t errlen)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;

	*out = NULL;
	*n = 0;
	if (len == 0) {
		snprintf(err, errlen, "not a readable zip archive: the file is empty");
		return -1;
	}
	zip_error_init(&ze);
	src = zip_source_buffer_create(in, len, 0, &ze);
	if (src == NULL) {
		snprintf(err, errlen, "cannot read the zip archive: %s", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	/* Without ZIP_CHECKCONS: an archive whose local headers disagree with
	 * its central directory still opens, and each entry that cannot be
	 * read fails on its own (its CRC or its data), so one bad entry does
	 * not cost the others. Sizes are never trusted either way. */
	za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (za == NULL) {
		snprintf(err, errlen, "not a readable zip archive: %s", zip_error_strerror(&ze));
		zip_source_free(src);
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	*out = calloc(FB_ZIP_ENTRIES + 1, sizeof(**out));
	if (*out == NULL) {
		zip_discard(za);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	zip_walk(za, cap_each, cap_total, *out, n);
	zip_discard(za);
	return 0;
}

void fb_zip_free(struct fb_zip_entry *e, size_t n)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(e[i].data);
	free(e);
}
