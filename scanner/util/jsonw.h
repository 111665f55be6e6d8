/*
 * jsonw.h — a streaming JSON writer into a growing buffer.
 *
 * posture's results are written with this rather than built as jansson
 * trees, for two reasons:
 *   - published text is attacker-controlled and need not be UTF-8: jansson
 *     refuses such a string (json_string returns NULL), which lost the whole
 *     result; here each byte that is not part of valid UTF-8 is written as
 *     U+FFFD, so the result is kept and the bad byte stays visible;
 *   - a scan writes a few kilobytes of JSON per domain, and building a tree
 *     and then dumping it was about a quarter of a scan's CPU.
 * The output is what json_dumps(JSON_COMPACT | JSON_ENSURE_ASCII) gives
 * for the same values (keys in the order written): ASCII only, with
 * \uXXXX for the rest. Readers (reports, the CLI) parse it with jansson.
 *
 * Calls never fail: out of memory is remembered and jsonw_finish returns
 * NULL. Keys and values alternate as in the JSON being written; nesting
 * is the caller's business.
 */
#ifndef POSTURE_JSONW_H
#define POSTURE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONW_KEEP_DEPTH 12
#define JSONW_KEEP_PATH  128
#define JSONW_KEEP_PATHS 32

struct jsonw {
	char *buf;
	size_t len, cap;
	bool comma; /* a value was written at this level: the next needs ',' */
	bool oom;
	/* A projection (jsonw_init_keep): only the paths of keep are written.
	 * path is the path of the value being written, lvl[i] its length in
	 * the i-th open container; skip counts the containers open inside a
	 * value left out, drop says the next value's key was left out. */
	const char *const *keep;
	uint8_t keep_len[JSONW_KEEP_PATHS]; /* each path's length after "$." */
	size_t nkeep, plen;                 /* plen: path's length */
	char path[JSONW_KEEP_PATH];
	uint8_t lvl[JSONW_KEEP_DEPTH];
	bool arr[JSONW_KEEP_DEPTH];
	unsigned depth, skip;
	bool drop;
};

void jsonw_init(struct jsonw *w);
/*
 * A writer of a projection of what is written: the values whose path is
 * in keep (a NULL-terminated list), the containers that lead to them, and
 * nothing else, so the same writing functions give a full document and a
 * small one with a subset of its facts, at the same places. A path is
 * written as in JSONPath: "$", then '.' and a key for each object from the
 * top one down, "[]" for an element of an array ("$.spf.record",
 * "$.dmarc.rua[].uri"); every path starts "$.". A kept path keeps its whole
 * value (an object with everything in it). Containers nested deeper than
 * JSONW_KEEP_DEPTH, or paths longer than JSONW_KEEP_PATH, are left out;
 * keep holds at most JSONW_KEEP_PATHS paths (more are not read).
 */
void jsonw_init_keep(struct jsonw *w, const char *const *keep);
/* Returns the NUL-terminated text (the caller frees it), or NULL when
 * memory ran out; w is empty afterwards either way. */
char *jsonw_finish(struct jsonw *w);
/* The same, and the text's length in *len (not counting the NUL). */
char *jsonw_finish_len(struct jsonw *w, size_t *len);
/* A writer of one value (for callers that take any of them). */
typedef void (*jsonw_fn)(struct jsonw *w, const void *arg);

void jsonw_obj(struct jsonw *w); /* { */
void jsonw_end_obj(struct jsonw *w);
void jsonw_arr(struct jsonw *w); /* [ */
void jsonw_end_arr(struct jsonw *w);

void jsonw_str(struct jsonw *w, const char *s); /* NULL writes null */
/* n bytes of s, NUL bytes included (as \u0000); NULL writes null. */
void jsonw_strn(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* A number (or other JSON) the caller formatted, written as is. */
void jsonw_raw(struct jsonw *w, const char *json);

/*
 * Keys are string literals, and the macros insist (a key that is not one
 * does not compile): each is quoted once, at compile time, and written
 * with one copy when it needs no escaping (posture's are ASCII names; any
 * other is escaped as a value would be). key + value in one call;
 * kstr_or_null also writes null for "".
 */
#define JSONW_Q(key)                  ("\"" key "\":"), (sizeof(key) + 2)
#define jsonw_key(w, key)             jsonw_key_q((w), JSONW_Q(key))
#define jsonw_kstr(w, key, s)         jsonw_kstr_q((w), JSONW_Q(key), (s))
#define jsonw_kstr_or_null(w, key, s) jsonw_kstr_or_null_q((w), JSONW_Q(key), (s))
#define jsonw_kstrn(w, key, s, len)   jsonw_kstrn_q((w), JSONW_Q(key), (s), (len))
#define jsonw_kint(w, key, v)         jsonw_kint_q((w), JSONW_Q(key), (v))
#define jsonw_kbool(w, key, v)        jsonw_kbool_q((w), JSONW_Q(key), (v))
#define jsonw_knull(w, key)           jsonw_knull_q((w), JSONW_Q(key))
/* What the macros call: q is the key quoted with its colon, n its length. */
void jsonw_key_q(struct jsonw *w, const char *q, size_t n);
void jsonw_kstr_q(struct jsonw *w, const char *q, size_t n, const char *s);
void jsonw_kstr_or_null_q(struct jsonw *w, const char *q, size_t n, const char *s);
void jsonw_kstrn_q(struct jsonw *w, const char *q, size_t n, const char *s, size_t len);
void jsonw_kint_q(struct jsonw *w, const char *q, size_t n, int64_t v);
void jsonw_kbool_q(struct jsonw *w, const char *q, size_t n, bool v);
void jsonw_knull_q(struct jsonw *w, const char *q, size_t n);

#endif
