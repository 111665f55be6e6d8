/*
 * logotype.h — the logotype extension of a Mark Certificate (RFC 3709,
 * 1.3.6.1.5.5.7.1.12) decoded to its SVG: DER bytes in, the image and
 * findings out. No I/O, no X.509: vmc.c hands it the extension's value.
 *
 * The path BIMI uses is LogotypeExtn → subjectLogo → direct → image[0] →
 * LogotypeDetails, whose URI is a data: URI holding the base64 of the
 * (gzip-compressed) SVG; the hashes the details declare are checked
 * against the decoded image (MC Guidelines, RFC 3709 4.1).
 *
 * Thread safety: no shared state.
 */
#ifndef POSTURE_LOGOTYPE_H
#define POSTURE_LOGOTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"

#define VMC_BASE64_MAX      65536 /* base64 text of the logotype data: URI */
#define VMC_SVG_MAX_BYTES   65536 /* gunzip output cap */
#define VMC_GZIP_MAX_RATIO  100   /* output/input beyond the cap: a bomb */
#define VMC_LOGO_MAX_HASHES 4     /* HashAlgAndValue entries kept */

/* Allocation or an OpenSSL internal failure; vmc.h's codes share it. */
#define VMC_ERR_NOMEM (-1)

/* The fix of every finding about the embedded logo (vmc.c's too). */
#define VMC_LOGO_FIX                                                                               \
	"Ask the Mark Verifying Authority to reissue the certificate with the logo "               \
	"embedded as the MC Guidelines require."

enum vmc_hash_alg {
	VMC_HASH_UNKNOWN = 0,
	VMC_HASH_SHA1,
	VMC_HASH_SHA256,
	VMC_HASH_SHA384,
	VMC_HASH_SHA512,
};

/* The first image of the subject logo of a logotype extension. */
struct vmc_logo {
	char media_type[64]; /* mediaType, printable ASCII ("image/svg+xml") */
	size_t nhash;
	struct {
		enum vmc_hash_alg alg;
		char oid[64]; /* dotted, for messages about unknown algorithms */
		uint8_t value[64];
		size_t len;
	} hash[VMC_LOGO_MAX_HASHES];
	bool gzip;    /* the data: URI held gzip (as every real VMC does) */
	uint8_t *svg; /* owned: the decoded image; NULL when decoding failed */
	size_t svg_len;
	uint8_t sha256[32]; /* of svg, when svg is set */
	bool hash_ok;       /* every declared hash of a known algorithm matches */
};

/*
 * Decodes the DER of a logotype extension value (RFC 3709 LogotypeExtn)
 * into logo (cleared first): the first image of subjectLogo, its data:
 * URI base64-decoded and gunzipped within the caps, and its declared
 * hashes checked. What is wrong is a finding in f. Returns 0 when logo->svg
 * was decoded, 1 when it could not be (findings say why), VMC_ERR_NOMEM.
 */
int vmc_logotype_decode(const uint8_t *der, size_t len, struct vmc_logo *logo, struct findings *f);
void vmc_logo_cleanup(struct vmc_logo *logo);

const char *vmc_hash_alg_name(enum vmc_hash_alg alg); /* "SHA-256", ... or "unknown" */

/* Writes b[0..n) as lower-case hex into out, cut to fit outlen (for
 * messages: hashes of logos). */
void vmc_hex(const uint8_t *b, size_t n, char *out, size_t outlen);

#endif
