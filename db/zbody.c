/*
 * zbody.c — result bodies compressed with zstd (see zbody.h). The one
 * file that includes zstd.h.
 *
 * Why zstd: Debian's libzstd is the standard for small records with a
 * shared dictionary (the dictionary is what makes a 5 KB JSON result a
 * few hundred bytes), it decompresses at about a gigabyte a second, and a
 * frame records its own size, so a reader can bound it before allocating.
 */
#include "zbody.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

/* Level 1: a scan writes about fifteen thousand results a second from one
 * thread; higher levels gained little on results with the dictionary
 * (doc/performance.md, "Storage"). */
#define ZBODY_LEVEL     1
#define ZBODY_MAX_DICTS 16

extern const unsigned char posture_results_dict[];
extern const unsigned char posture_results_dict_end[];

struct zbody_ddict {
	int64_t id;
	ZSTD_DDict *d;
};

struct zbody {
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	ZSTD_CDict *cdict; /* NULL: no dictionary */
	int64_t cdict_id;
	struct zbody_ddict dd[ZBODY_MAX_DICTS];
	size_t ndd;
	unsigned char *buf[ZBODY_SLOTS]; /* output of the last call, per slot */
	size_t cap[ZBODY_SLOTS];
};

const void *zbody_bundled(size_t *len, const char **name)
{
	*len = (size_t)(posture_results_dict_end - posture_results_dict);
	/* Bump the name whenever db/results.dict is retrained: the name is
	 * how a database tells a new dictionary from one it already holds. */
	*name = "posture-results-1";
	return posture_results_dict;
}

struct zbody *zbody_new(void)
{
	struct zbody *z = calloc(1, sizeof(*z));
	if (z == NULL)
		return NULL;
	z->cctx = ZSTD_createCCtx();
	z->dctx = ZSTD_createDCtx();
	if (z->cctx == NULL || z->dctx == NULL) {
		zbody_free(z);
		return NULL;
	}
	/* No checksum (SQLite pages carry their own integrity), but always
	 * the content size, which zbody_decompress bounds and checks. */
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 0);
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_contentSizeFlag, 1);
	return z;
}

void zbody_free(struct zbody *z)
{
	if (z == NULL)
		return;
	ZSTD_freeCCtx(z->cctx);
	ZSTD_freeDCtx(z->dctx);
	ZSTD_freeCDict(z->cdict);
	for (size_t i = 0; i < z->ndd; i++)
		ZSTD_freeDDict(z->dd[i].d);
	for (int i = 0; i < ZBODY_SLOTS; i++)
		free(z->buf[i]);
	free(z);
}

int zbody_use(struct zbody *z, int64_t id, const void *dict, size_t len)
{
	ZSTD_freeCDict(z->cdict);
	z->cdict = NULL;
	z->cdict_id = 0;
	if (id == 0 || len == 0)
		return 0;
	z->cdict = ZSTD_createCDict(dict, len, ZBODY_LEVEL);
	if (z->cdict == NULL)
		return -1;
	z->cdict_id = id;
	return 0;
}

int64_t zbody_dict_id(const struct zbody *z)
{
	return z->cdict_id;
}

static int reserve(struct zbody *z, enum zbody_slot slot, size_t n)
{
	if (n <= z->cap[slot])
		return 0;
	size_t cap = z->cap[slot] ? z->cap[slot] : 4096;
	while (cap < n)
		cap *= 2;
	unsigned char *b = realloc(z->buf[slot], cap);
	if (b == NULL)
		return -1;
	z->buf[slot] = b;
	z->cap[slot] = cap;
	return 0;
}

int zbody_compress(struct zbody *z, enum zbody_slot slot, const char *json, size_t len,
                   const void **out, size_t *outlen, char *err, size_t errlen)
{
	size_t bound = ZSTD_compressBound(len);
	if (reserve(z, slot, bound) != 0) {
		snprintf(err, errlen, "out of memory compressing a result");
		return -1;
	}
	unsigned char *buf = z->buf[slot];
	size_t cap = z->cap[slot];
	size_t n = z->cdict ? ZSTD_compress_usingCDict(z->cctx, buf, cap, json, len, z->cdict)
	                    : ZSTD_compressCCtx(z->cctx, buf, cap, json, len, ZBODY_LEVEL);
	if (ZSTD_isError(n)) {
		snprintf(err, errlen, "compressing a result: %s", ZSTD_getErrorName(n));
		return -1;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

static ZSTD_DDict *find(const struct zbody *z, int64_t id)
{
	for (size_t i = 0; i < z->ndd; i++)
		if (z->dd[i].id == id)
			return z->dd[i].d;
	return NULL;
}

bool zbody_has(const struct zbody *z, int64_t id)
{
	return id == 0 || find(z, id) != NULL;
}

int zbody_add(struct zbody *z, int64_t id, const void *dict, size_t len)
{
	if (zbody_has(z, id))
		return 0;
	if (z->ndd == ZBODY_MAX_DICTS) {
		/* More dictionaries than posture ever wrote: drop the oldest
		 * loaded (it is loaded again when needed). */
		ZSTD_freeDDict(z->dd[0].d);
		memmove(&z->dd[0], &z->dd[1], sizeof(z->dd[0]) * (ZBODY_MAX_DICTS - 1));
		z->ndd--;
	}
	ZSTD_DDict *d = ZSTD_createDDict(dict, len);
	if (d == NULL)
		return -1;
	z->dd[z->ndd].id = id;
	z->dd[z->ndd].d = d;
	z->ndd++;
	return 0;
}

int zbody_decompress(struct zbody *z, enum zbody_slot slot, int64_t id, const void *in,
                     size_t inlen, const char **out, size_t *outlen, char *err, size_t errlen)
{
	unsigned long long size = ZSTD_getFrameContentSize(in, inlen);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
		snprintf(err, errlen, "a stored result is not a zstd frame with its size");
		return -1;
	}
	if (size > ZBODY_MAX) {
		snprintf(err, errlen, "a stored result claims %llu bytes (more than %u)", size,
		         ZBODY_MAX);
		return -1;
	}
	ZSTD_DDict *d = find(z, id);
	if (id != 0 && d == NULL) {
		snprintf(err, errlen, "a stored result needs dictionary %lld, which is missing",
		         (long long)id);
		return -1;
	}
	if (reserve(z, slot, (size_t)size + 1) != 0) {
		snprintf(err, errlen, "out of memory reading a result");
		return -1;
	}
	unsigned char *buf = z->buf[slot];
	size_t n = d ? ZSTD_decompress_usingDDict(z->dctx, buf, (size_t)size, in, inlen, d)
	             : ZSTD_decompressDCtx(z->dctx, buf, (size_t)size, in, inlen);
	if (ZSTD_isError(n) || n != size) {
		snprintf(err, errlen, "a stored result does not decompress: %s",
		         ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong size");
		return -1;
	}
	buf[n] = '\0';
	*out = (const char *)buf;
	*outlen = n;
	return 0;
}
