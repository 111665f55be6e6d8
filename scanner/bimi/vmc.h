/*
 * vmc.h — Verified Mark Certificates (VMC) and Common Mark Certificates
 * (CMC) for BIMI: bytes in, a result with findings out. No I/O.
 *
 * What is checked (draft-fetch-validation-vmc-wchuang, the MC Guidelines
 * of the AuthIndicators Working Group, RFC 3709):
 * - the file is PEM, at most VMC_PEM_MAX_BYTES and VMC_MAX_CERTS
 *   certificates; the first is the leaf, the rest are offered as
 *   intermediates;
 * - the chain verifies to a Mark Verifying Authority root at a given
 *   time (partial chains refused), with the bundled roots (lists/vmc-roots/)
 *   or the caller's, plus the caller's extra intermediates;
 * - the leaf: validity window, EKU id-kp-BrandIndicatorforMessageIdentification
 *   (1.3.6.1.5.5.7.3.31), a SAN dNSName for the domain or
 *   <selector>._bimi.<domain>, the mark type (1.3.6.1.4.1.53087.1.13),
 *   Certificate Transparency SCTs, the logotype extension (1.3.6.1.5.5.7.1.12)
 *   decoded to SVG bytes and checked against the hash it declares
 *   (logotype.h, which vmc.h includes).
 * Revocation is never checked (no CRL or OCSP fetch): every result says so.
 *
 * Thread safety: the bundled roots are loaded once (pthread_once) and
 * shared read-only; every other state is per call.
 */
#ifndef POSTURE_VMC_H
#define POSTURE_VMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "finding.h"
#include "logotype.h"

#define VMC_PEM_MAX_BYTES 65536 /* a chain file; real ones are 8-10 KiB */
#define VMC_MAX_CERTS     10    /* certificates in one chain file */

/* Negative return codes: VMC_ERR_NOMEM (logotype.h) and */
#define VMC_ERR_ROOTS (-2) /* the trust store given holds no certificate */

enum vmc_type {
	VMC_TYPE_NONE = 0, /* unknown: no or an unknown mark type */
	VMC_TYPE_VMC,      /* Registered Mark, Government Mark */
	VMC_TYPE_CMC,      /* Prior Use Mark, Modified Registered Mark */
};

struct vmc_options {
	const char *domain;   /* A-label form; NULL: no SAN check */
	const char *selector; /* NULL: only the domain itself is accepted */
	time_t at;            /* verification time */
	/* PEM trust store; NULL: the bundled roots. */
	const uint8_t *roots_pem;
	size_t roots_len;
	/* Extra PEM intermediates offered besides the file's own; may be NULL. */
	const uint8_t *extra_pem;
	size_t extra_len;
	/* vmc.expires_soon when the leaf, valid at `at`, expires within this
	 * many days (posture check and bimi: 30 unless --expiry-warn); 0:
	 * never (a scan's stored results, posture vmc). */
	unsigned expiry_warn_days;
};

struct vmc_result {
	bool valid;         /* no error finding */
	enum vmc_type type; /* from mark_type */
	char *subject;      /* owned; RFC 2253, escaped by OpenSSL; NULL if no leaf */
	char *issuer;       /* owned; the leaf's issuer */
	char **domains;     /* owned; the leaf's SAN dNSNames, as published */
	size_t ndomains;
	time_t not_before, not_after; /* 0 when there is no leaf */
	char *mark_type;              /* owned UTF-8, or NULL */
	size_t ncerts;                /* certificates read from the file */
	bool has_logo;                /* logo.svg is set */
	struct vmc_logo logo;
	struct findings findings;
};

/*
 * Loads the bundled roots (once per process; safe from any thread).
 * Returns 0, or VMC_ERR_NOMEM. vmc_check calls it itself.
 */
int vmc_init(void);

/*
 * Checks the PEM chain pem[0..len) (leaf first) with opt into res, which is
 * cleared first; every problem of the certificate is a finding in res.
 * Returns 0, VMC_ERR_NOMEM, or VMC_ERR_ROOTS when opt->roots_pem holds no
 * certificate. res must be cleaned up in every case.
 */
int vmc_check(const uint8_t *pem, size_t len, const struct vmc_options *opt,
              struct vmc_result *res);
void vmc_result_cleanup(struct vmc_result *res);

/*
 * Compares the certificate's logo with the published one: adds
 * vmc.logo_mismatch to f when they differ (or when res has no logo).
 * Returns 1 when they are byte-identical, 0 when not, VMC_ERR_NOMEM.
 */
int vmc_compare_logo(const struct vmc_result *res, const uint8_t *published, size_t len,
                     struct findings *f);

/*
 * Parses an ISO 8601 UTC time: "2021-05-01" (midnight UTC) or
 * "2021-05-01T12:00:00Z". Returns 0, or -1 when it is neither.
 */
int vmc_parse_time(const char *text, time_t *out);
/* Writes t as "2021-05-01T12:00:00Z" into buf (at least 21 bytes). */
void vmc_format_time(time_t t, char *buf, size_t buflen);

const char *vmc_type_name(enum vmc_type type); /* "VMC", "CMC", or NULL */
const char *vmc_strerror(int err);

#endif
