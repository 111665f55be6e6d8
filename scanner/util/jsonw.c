/*
 * jsonw.c — a streaming JSON writer (see jsonw.h).
 */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void jsonw_init_keep(struct jsonw *w, const char *const *keep)
{
	jsonw_init(w);
	w->keep = keep;
	/* Measured once a document, not at every key (a scan writes one
	 * projection per domain, a few hundred keys each). */
	for (; w->nkeep < JSONW_KEEP_PATHS && keep[w->nkeep] != NULL; w->nkeep++) {
		size_t n = strlen(keep[w->nkeep] + 2); /* after "$." */
		w->keep_len[w->nkeep] = (uint8_t)(n < JSONW_KEEP_PATH ? n : JSONW_KEEP_PATH - 1);
	}
}

/* Whether the path is kept: a path of keep, a container on the way to
 * one, or inside one. */
static bool kept(const struct jsonw *w)
{
	const char *p = w->path;
	size_t n = w->plen;
	for (size_t i = 0; i < w->nkeep; i++) {
		const char *k = w->keep[i] + 2; /* after "$." */
		size_t kn = w->keep_len[i];
		if (k[0] != p[0] || memcmp(k, p, kn < n ? kn : n) != 0)
			continue;
		if (kn == n || (kn > n && (k[n] == '.' || k[n] == '[')) ||
		    (n > kn && (p[kn] == '.' || p[kn] == '[')))
			return true;
	}
	return false;
}

/* Sets the path's length (to an open container's, or 0). */
static void path_cut(struct jsonw *w, size_t len)
{
	w->plen = len;
	w->path[len] = '\0';
}

/* Appends to the path; false when it does not fit. */
static bool path_add(struct jsonw *w, const char *a, size_t n)
{
	if (w->plen + n >= sizeof(w->path))
		return false;
	memcpy(w->path + w->plen, a, n);
	path_cut(w, w->plen + n);
	return true;
}

/* The path's length in the open container (0 at the top). */
static size_t level_len(const struct jsonw *w)
{
	return w->depth > 0 ? w->lvl[w->depth - 1] : 0;
}

/* The projection's say on a value about to be written (container: it
 * opens one): false to leave it out. In an array, the element's path is
 * the array's and "[]". */
static bool keep_value(struct jsonw *w, bool container)
{
	if (w->skip > 0) {
		w->skip += container;
		return false;
	}
	if (w->drop) {
		w->drop = false;
		w->skip = container;
		return false;
	}
	bool ok = true;
	if (w->depth > 0 && w->arr[w->depth - 1])
		ok = path_add(w, "[]", 2) && kept(w);
	if (ok && container && w->depth == JSONW_KEEP_DEPTH)
		ok = false;
	if (!ok) {
		path_cut(w, level_len(w));
		w->skip = container;
	}
	return ok;
}

/* After a scalar, or when a container opens or closes: the path is the
 * open container's again (a container opening pushes its own). */
static void keep_after(struct jsonw *w, int open)
{
	if (open > 0) {
		w->lvl[w->depth] = (uint8_t)w->plen;
		w->arr[w->depth] = open == 2;
		w->depth++;
		return;
	}
	if (open < 0)
		w->depth--;
	path_cut(w, level_len(w));
}

/* A key: written, with the path its value will have, or left out. */
static bool keep_key(struct jsonw *w, const char *k, size_t n)
{
	if (w->skip > 0)
		return false;
	bool ok = (w->plen == 0 || path_add(w, ".", 1)) && path_add(w, k, n) && kept(w);
	if (!ok) {
		path_cut(w, level_len(w));
		w->drop = true;
	}
	return ok;
}

/* Grows the buffer so that more bytes fit (and one for the final NUL). */
static bool grow(struct jsonw *w, size_t more)
{
	if (w->oom)
		return false;
	size_t cap = w->cap ? w->cap : 8192; /* one scanned domain: about 5 KiB */
	while (cap - w->len <= more) {
		if (cap > SIZE_MAX / 2) {
			w->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *b = realloc(w->buf, cap);
	if (b == NULL) {
		w->oom = true;
		return false;
	}
	w->buf = b;
	w->cap = cap;
	return true;
}

static inline bool reserve(struct jsonw *w, size_t more)
{
	if (w->cap - w->len > more && !w->oom)
		return true;
	return grow(w, more);
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (reserve(w, n)) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

static void put_c(struct jsonw *w, char c)
{
	if (reserve(w, 1))
		w->buf[w->len++] = c;
}

/* Before a value or a key: the comma that separates it from the last. */
static void sep(struct jsonw *w)
{
	if (w->comma)
		put_c(w, ',');
}

char *jsonw_finish_len(struct jsonw *w, size_t *len)
{
	char *out = NULL;
	if (!w->oom && reserve(w, 1)) {
		w->buf[w->len] = '\0';
		out = w->buf;
		/* A scan keeps thousands of results queued for the writer:
		 * each gives back what it did not use of its 8 KiB (should the
		 * shrink fail, the larger buffer is kept). */
		if (w->cap - w->len > 1024) {
			char *small = realloc(out, w->len + 1);
			if (small != NULL)
				out = small;
		}
		if (len != NULL)
			*len = w->len;
	} else {
		free(w->buf);
	}
	jsonw_init(w);
	return out;
}

char *jsonw_finish(struct jsonw *w)
{
	return jsonw_finish_len(w, NULL);
}

void jsonw_obj(struct jsonw *w)
{
	if (w->keep != NULL) {
		if (!keep_value(w, true))
			return;
		keep_after(w, 1);
	}
	sep(w);
	put_c(w, '{');
	w->comma = false;
}

void jsonw_end_obj(struct jsonw *w)
{
	if (w->keep != NULL) {
		if (w->skip > 0) {
			w->skip--;
			return;
		}
		keep_after(w, -1);
	}
	put_c(w, '}');
	w->comma = true;
}

void jsonw_arr(struct jsonw *w)
{
	if (w->keep != NULL) {
		if (!keep_value(w, true))
			return;
		keep_after(w, 2);
	}
	sep(w);
	put_c(w, '[');
	w->comma = false;
}

void jsonw_end_arr(struct jsonw *w)
{
	if (w->keep != NULL) {
		if (w->skip > 0) {
			w->skip--;
			return;
		}
		keep_after(w, -1);
	}
	put_c(w, ']');
	w->comma = true;
}

static void put_u(struct jsonw *w, unsigned cp)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[6] = {
		'\\',        'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15], hex[(cp >> 4) & 15],
		hex[cp & 15]
	};
	put(w, e, sizeof(e));
}

/* Bytes a JSON string holds as they are: printable ASCII but '"' and '\\'
 * (DEL included, as jansson writes it). */
static const unsigned char plain[256] = {
	[0x20 ... 0x21] = 1,
	[0x23 ... 0x5b] = 1,
	[0x5d ... 0x7f] = 1,
};

/* True when none of the 8 bytes at p needs escaping: no byte below 0x20
 * or above 0x7f, no '"', no '\\' (the exact has-zero-byte tests, one
 * word at a time). */
static inline bool word_plain(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t x;
	memcpy(&x, p, sizeof(x));
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
	uint64_t bad = ((x - ones * 0x20) & ~x) /* a byte below 0x20 */
	               | ((q - ones) & ~q)      /* a '"' */
	               | ((b - ones) & ~b)      /* a '\\' */
	               | x;                     /* a byte above 0x7f */
	return (bad & highs) == 0;
}

static void put_string(struct jsonw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	put_c(w, '"');
	while (i < n) {
		/* The common case, most strings whole: a run of printable
		 * ASCII, found eight bytes at a time and written straight
		 * into the buffer, with room for all the rest reserved once. */
		if (!reserve(w, n - i))
			return;
		char *o = w->buf + w->len;
		while (i + 8 <= n && word_plain(p + i)) {
			memcpy(o, p + i, 8);
			o += 8;
			i += 8;
		}
		while (i < n && plain[p[i]])
			*o++ = (char)p[i++];
		w->len = (size_t)(o - w->buf);
		if (i == n)
			break;
		unsigned c = p[i];
		switch (c) {
		case '"':
			put(w, "\\\"", 2);
			break;
		case '\\':
			put(w, "\\\\", 2);
			break;
		case '\b':
			put(w, "\\b", 2);
			break;
		case '\f':
			put(w, "\\f", 2);
			break;
		case '\n':
			put(w, "\\n", 2);
			break;
		case '\r':
			put(w, "\\r", 2);
			break;
		case '\t':
			put(w, "\\t", 2);
			break;
		default:
			if (c < 0x20) {
				put_u(w, c);
			} else {
				unsigned cp = 0;
				size_t len = utf8_seq(p + i, n - i, &cp);
				if (len == 0) {
					put_u(w, 0xfffd); /* not UTF-8: one U+FFFD per byte */
					len = 1;
				} else if (cp >= 0x10000) {
					cp -= 0x10000;
					put_u(w, 0xd800 | (cp >> 10));
					put_u(w, 0xdc00 | (cp & 0x3ff));
				} else {
					put_u(w, cp);
				}
				i += len;
				continue;
			}
		}
		i++;
	}
	put_c(w, '"');
}

void jsonw_key_q(struct jsonw *w, const char *q, size_t n)
{
	if (w->keep != NULL && !keep_key(w, q + 1, n - 3))
		return;
	sep(w);
	/* q is "key": -- written as it is unless the key needs escaping. */
	const unsigned char *k = (const unsigned char *)q + 1;
	size_t klen = n - 3, i = 0;
	while (i < klen && plain[k[i]])
		i++;
	if (i == klen) {
		put(w, q, n);
	} else {
		put_string(w, q + 1, klen);
		put_c(w, ':');
	}
	w->comma = false;
}

void jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
	if (w->keep != NULL && !keep_value(w, false))
		return;
	sep(w);
	if (s == NULL)
		put(w, "null", 4);
	else
		put_string(w, s, n);
	w->comma = true;
	if (w->keep != NULL)
		keep_after(w, 0);
}

void jsonw_str(struct jsonw *w, const char *s)
{
	jsonw_strn(w, s, s ? strlen(s) : 0);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	if (w->keep != NULL && !keep_value(w, false))
		return;
	/* Digits from the end; the magnitude as unsigned, so INT64_MIN too. */
	char b[24];
	size_t at = sizeof(b);
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		b[--at] = (char)('0' + m % 10);
		m /= 10;
	} while (m != 0);
	if (v < 0)
		b[--at] = '-';
	sep(w);
	put(w, b + at, sizeof(b) - at);
	w->comma = true;
	if (w->keep != NULL)
		keep_after(w, 0);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	if (w->keep != NULL && !keep_value(w, false))
		return;
	sep(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
	w->comma = true;
	if (w->keep != NULL)
		keep_after(w, 0);
}

void jsonw_null(struct jsonw *w)
{
	if (w->keep != NULL && !keep_value(w, false))
		return;
	sep(w);
	put(w, "null", 4);
	w->comma = true;
	if (w->keep != NULL)
		keep_after(w, 0);
}

void jsonw_raw(struct jsonw *w, const char *json)
{
	if (w->keep != NULL && !keep_value(w, false))
		return;
	sep(w);
	put(w, json, strlen(json));
	w->comma = true;
	if (w->keep != NULL)
		keep_after(w, 0);
}

void jsonw_kstr_q(struct jsonw *w, const char *q, size_t n, const char *s)
{
	jsonw_key_q(w, q, n);
	jsonw_str(w, s);
}

void jsonw_kstrn_q(struct jsonw *w, const char *q, size_t n, const char *s, size_t len)
{
	jsonw_key_q(w, q, n);
	jsonw_strn(w, s, len);
}

void jsonw_kstr_or_null_q(struct jsonw *w, const char *q, size_t n, const char *s)
{
	jsonw_key_q(w, q, n);
	jsonw_str(w, s && s[0] ? s : NULL);
}

void jsonw_kint_q(struct jsonw *w, const char *q, size_t n, int64_t v)
{
	jsonw_key_q(w, q, n);
	jsonw_int(w, v);
}

void jsonw_kbool_q(struct jsonw *w, const char *q, size_t n, bool v)
{
	jsonw_key_q(w, q, n);
	jsonw_bool(w, v);
}

void jsonw_knull_q(struct jsonw *w, const char *q, size_t n)
{
	jsonw_key_q(w, q, n);
	jsonw_null(w);
}
