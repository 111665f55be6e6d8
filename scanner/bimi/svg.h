/*
 * svg.h — is this logo a BIMI SVG Tiny Portable/Secure document?
 *
 * A pure check: bytes in, verdict and findings out, no I/O. It validates
 * against the BIMI Group's SVG 1.2 Tiny PS RELAX NG schema (compiled into
 * the binary, see scanner/bimi/data/README.md) and adds the rules the schema
 * cannot express (draft-svg-tiny-ps-abrotman; BIMI's 32 KiB limit):
 * size, external references (also inside url(...)), square aspect ratio.
 * Rules both could report (root version/baseProfile, <title>, x/y on the
 * root, <script>) get one specific finding each; the schema then checks a
 * repaired copy so its findings are only about what is left.
 *
 * Safe on hostile input: no network, no DTD loading, no entity expansion
 * (a DOCTYPE declaring entities is refused before any is used), depth and
 * size capped. Thread-safe: the schema is parsed once for the process and
 * every call has its own parser and validation contexts.
 */
#ifndef POSTURE_SVG_H
#define POSTURE_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "finding.h"

/* BIMI: a logo is at most 32 KiB (draft-brand-indicators-for-message-
 * identification, "SVG ... MUST NOT exceed 32 kilobytes"). */
#define SVG_MAX_BYTES 32768
/* Larger inputs are not parsed at all (a finding says so): bounds the
 * time and memory one hostile logo can take. */
#define SVG_PARSE_MAX_BYTES 1048576 /* 1 MiB */
/* Schema violations listed per logo; one more finding counts the rest. */
#define SVG_SCHEMA_FINDINGS_MAX 64

enum svg_status {
	SVG_VALID = 0, /* no error finding (warnings may be present) */
	SVG_INVALID,
};

struct svg_result {
	enum svg_status status;
	size_t bytes;             /* len as given */
	char sha256[65];          /* lower-case hex of all len bytes */
	struct findings findings; /* codes svg.*, errors make it invalid */
};

/*
 * Loads the compiled-in schema (once per process; later calls return the
 * first outcome). svg_check calls it; call it early to fail fast.
 * Returns 0, or -1 when the schema cannot be parsed (a build defect).
 */
int svg_init(void);

/*
 * Validates len bytes of data as a BIMI SVG Tiny PS logo into *out, which
 * is cleared first and must be released with svg_result_cleanup, also on
 * failure. A bad logo is SVG_INVALID with findings, not a failure.
 * Returns 0, or -1 on allocation failure or when svg_init fails.
 */
int svg_check(const unsigned char *data, size_t len, struct svg_result *out);

/*
 * The verdict on a logo known only by its size, for a caller that would
 * not read all of it (len over SVG_PARSE_MAX_BYTES): svg.too_large, not
 * parsed, sha256 left empty (""). Returns 0, or -1 on allocation failure.
 */
int svg_check_size_only(size_t len, struct svg_result *out);
void svg_result_cleanup(struct svg_result *r);

const char *svg_status_name(enum svg_status s);

#endif
