/*
 * zbody.h — result bodies (the JSON of one domain's result) compressed with
 * zstd and a dictionary (db/ only; zbody.c is the one file that includes
 * zstd.h).
 *
 * Most of a result's JSON is posture's own text: finding messages, fixes,
 * readiness rules, key names. A dictionary trained on posture's results
 * (db/results.dict, bundled; how it was made is in db/README.md) holds that
 * text once, so a 5 KB result compresses to a few hundred bytes. Every
 * dictionary a database was written with is kept in the database itself
 * (table zdicts), so a database never depends on the posture that reads it
 * having the same dictionary.
 */
#ifndef POSTURE_ZBODY_H
#define POSTURE_ZBODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest body zbody_decompress accepts (a result's JSON is a few KB;
 * a frame that claims more is a corrupt or hostile database). */
#define ZBODY_MAX (16u << 20)

struct zbody;

/* Buffers of a zbody: a result's body and its facts are held at once. */
enum zbody_slot { ZBODY_BODY = 0, ZBODY_FACTS, ZBODY_SLOTS };

/* The bundled dictionary: its bytes, and its name as stored in zdicts. */
const void *zbody_bundled(size_t *len, const char **name);

struct zbody *zbody_new(void);
void zbody_free(struct zbody *z);

/* Compresses with dictionary (id, bytes) from now on; id 0 or len 0: none. */
int zbody_use(struct zbody *z, int64_t id, const void *dict, size_t len);
/* The id zbody_use set (0: none, or not set). */
int64_t zbody_dict_id(const struct zbody *z);

/* Compresses len bytes of json into z's buffer slot (valid until the next
 * call with that slot). 0 or -1 (out of memory, or a zstd error: err says
 * which). */
int zbody_compress(struct zbody *z, enum zbody_slot slot, const char *json, size_t len,
                   const void **out, size_t *outlen, char *err, size_t errlen);

/* Whether z has the reading dictionary id (0 is always there: none). */
bool zbody_has(const struct zbody *z, int64_t id);
/* Adds the reading dictionary id. 0, or -1 (out of memory, bad dictionary). */
int zbody_add(struct zbody *z, int64_t id, const void *dict, size_t len);

/* Decompresses a body written with dictionary id (added before, or 0) into
 * z's buffer slot, NUL-terminated (valid until the next call with that
 * slot). -1 with err
 * set when the body is not a zstd frame, claims no size or more than
 * ZBODY_MAX, needs another dictionary, or does not decompress to exactly
 * the size it claims. */
int zbody_decompress(struct zbody *z, enum zbody_slot slot, int64_t id, const void *in,
                     size_t inlen, const char **out, size_t *outlen, char *err, size_t errlen);

#endif
