/*
 * transport.h — how mail to a domain is protected in transit, as records
 * and policies read (pure: the caller does the DNS and HTTPS and hands
 * the bytes in):
 *
 * - MTA-STS (RFC 8461): the _mta-sts.DOMAIN TXT record (3.1), the policy
 *   file served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt (3.2),
 *   and whether the domain's MX hosts match the policy's mx patterns (4.1);
 * - TLS-RPT (RFC 8460): the _smtp._tls.DOMAIN TXT record (3);
 * - DANE for SMTP (RFC 7672, RFC 6698): TLSA records at _25._tcp.MXHOST,
 *   read and checked for form.
 *
 * Every input is published by anyone: (pointer, length) in, nothing read
 * past it, every copy bounded, findings for what is wrong.
 */
#ifndef POSTURE_TRANSPORT_H
#define POSTURE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"

/* ---- MTA-STS record (RFC 8461 3.1) ---- */

#define MTA_STS_ID_MAX 32 /* sts-id = 1*32( ALPHA / DIGIT ) */

enum mta_sts_record_status {
	MTA_STS_RECORD_NONE = 0, /* no TXT record starting with v=STSv1 */
	MTA_STS_RECORD_OK,       /* exactly one, with a valid id */
	MTA_STS_RECORD_INVALID,  /* several, or a bad/missing id, or a bad version: an error */
};
const char *mta_sts_record_status_name(enum mta_sts_record_status s); /* "none", "ok", "invalid" */

struct mta_sts_record {
	enum mta_sts_record_status status;
	char id[MTA_STS_ID_MAX + 1]; /* "" unless OK */
	int records;                 /* TXT records that start with v=STSv1 */
	struct findings findings;
};

/*
 * Reads the TXT records at _mta-sts.DOMAIN: n records, each txt[i] of
 * len[i] bytes (character-strings joined). Records that do not start with
 * "v=STSv1" are ignored (RFC 8461 3.1: "other TXT records ... MUST be
 * ignored"); two or more that do make the record invalid (3.1: "If
 * multiple TXT records for _mta-sts are returned by the resolver, records
 * that do not begin with v=STSv1; are discarded. If the number of
 * resulting records is not one, ... senders MUST assume that the
 * recipient domain does not have an available MTA-STS Policy"). Fields:
 * "v=STSv1; id=...;" plus extensions (name=value, ignored). path (may be
 * NULL) goes into findings. Returns 0, or -1 on allocation failure.
 * Free with mta_sts_record_cleanup.
 */
int mta_sts_record_parse(const char *const *txt, const size_t *len, size_t n, const char *path,
                         struct mta_sts_record *out);
void mta_sts_record_cleanup(struct mta_sts_record *r);

/* ---- MTA-STS policy (RFC 8461 3.2) ---- */

#define MTA_STS_POLICY_MAX  65536    /* RFC 8461 3.3: senders may refuse larger; 64 KiB */
#define MTA_STS_MX_MAX      64       /* mx lines kept */
#define MTA_STS_MAX_AGE_MAX 31557600 /* RFC 8461 3.2: up to one year */

enum mta_sts_mode {
	MTA_STS_MODE_NONE = 0, /* "none" (or no valid mode: see .valid) */
	MTA_STS_MODE_TESTING,
	MTA_STS_MODE_ENFORCE,
};
const char *mta_sts_mode_name(enum mta_sts_mode m); /* "none", "testing", "enforce" */

struct mta_sts_policy {
	bool valid; /* version STSv1, a mode, max_age, and (unless mode none) mx lines */
	enum mta_sts_mode mode;
	long max_age; /* seconds; -1 when absent or unreadable */
	/* patterns as written, lower-cased: "mail.example.com", "*.example.net" */
	char mx[MTA_STS_MX_MAX][256];
	size_t nmx;
	struct findings findings;
};

/*
 * Parses a policy body (len bytes; CRLF or LF line ends, RFC 8461 3.2):
 * "key: value" lines in any order (the grammar's fields are
 * alternatives), version (must be STSv1), mode, max_age (0 to 31557600;
 * larger is an error), mx (repeatable; a host name or "*." + host name:
 * a wildcard covers one leftmost label only), unknown keys ignored. A
 * repeated version/mode/max_age is a warning and the first counts (3.2:
 * "all entries except for the first SHALL be ignored"). A body over
 * MTA_STS_POLICY_MAX, a NUL byte, a bad value or a missing required
 * field make it invalid with a finding. Returns 0 or -1 (allocation).
 * Free with mta_sts_policy_cleanup.
 */
int mta_sts_policy_parse(const char *body, size_t len, const char *path,
                         struct mta_sts_policy *out);
void mta_sts_policy_cleanup(struct mta_sts_policy *p);

/*
 * RFC 8461 4.1: does host (an MX host name, any case, a final dot
 * allowed) match pattern? Exact match, or "*.rest" matching exactly one
 * extra leftmost label ("*.example.com" matches "mx.example.com", not
 * "example.com" nor "a.b.example.com").
 */
bool mta_sts_mx_match(const char *pattern, const char *host);
/* The first pattern of p that host matches, or NULL. */
const char *mta_sts_mx_covered(const struct mta_sts_policy *p, const char *host);

/*
 * What the fetch of the policy must satisfy besides TLS (RFC 8461 3.3):
 * HTTP 200, no redirect followed (the caller fetches with redirects off),
 * a media type of text/plain (parameters such as charset allowed). Returns
 * true when content_type (as the server sent it, may be "") is acceptable.
 */
bool mta_sts_content_type_ok(const char *content_type);

/* ---- TLS-RPT record (RFC 8460 3) ---- */

#define TLSRPT_RUA_MAX 8

enum tlsrpt_status {
	TLSRPT_NONE = 0, /* no TXT record starting with v=TLSRPTv1 */
	TLSRPT_OK,
	TLSRPT_INVALID, /* several records, no usable rua, bad syntax */
};
const char *tlsrpt_status_name(enum tlsrpt_status s); /* "none", "ok", "invalid" */

struct tlsrpt_rua {
	char uri[512];    /* as published, trimmed */
	bool mailto;      /* mailto: (else https:) */
	char domain[256]; /* mailto: the address's domain, lower-cased; https: the host */
};

struct tlsrpt_record {
	enum tlsrpt_status status;
	int records;
	struct tlsrpt_rua rua[TLSRPT_RUA_MAX];
	size_t nrua;
	struct findings findings;
};

/*
 * Reads the TXT records at _smtp._tls.DOMAIN (same shape as
 * mta_sts_record_parse). RFC 8460 3: "v=TLSRPTv1; rua=URI[,URI...]" with
 * mailto: and https: URIs (others are an error finding and skipped; none
 * usable makes it invalid), more than one v=TLSRPTv1 record invalid,
 * extensions ignored. Returns 0 or -1.
 */
int tlsrpt_record_parse(const char *const *txt, const size_t *len, size_t n, const char *path,
                        struct tlsrpt_record *out);
void tlsrpt_record_cleanup(struct tlsrpt_record *r);

/* ---- TLSA (RFC 6698 2.1, RFC 7672 3.1) ---- */

#define TLSA_DATA_MAX 512 /* bytes of certificate association data kept */

struct tlsa_record {
	uint8_t usage;    /* 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE */
	uint8_t selector; /* 0 full certificate, 1 SubjectPublicKeyInfo */
	uint8_t mtype;    /* 0 full, 1 SHA-256, 2 SHA-512 */
	uint8_t data[TLSA_DATA_MAX];
	bool well_formed; /* known usage/selector/type and a digest of the right length */
	size_t len;       /* bytes of data (the wire length, cut at TLSA_DATA_MAX) */
};

/*
 * Reads one TLSA rdata (len bytes, wire form: usage, selector, matching
 * type, data). Returns 0, or -1 when it is shorter than 4 bytes.
 */
int tlsa_parse(const uint8_t *rdata, size_t len, struct tlsa_record *out);
/* "0 1 1 <hex>" (the zone-file form; data shown up to 64 bytes then "..."). */
void tlsa_format(const struct tlsa_record *t, char *out, size_t outlen);

/*
 * Audits the TLSA records of one MX host (name: "_25._tcp.mx.example.com"
 * for findings): each for form (RFC 6698 2.1: usage 0-3, selector 0-1,
 * matching type 0-2; a SHA-256 digest is 32 bytes, SHA-512 64), usage 0
 * and 1 on SMTP flagged (RFC 7672 3.1.3: "SMTP client[s] ... MUST NOT"
 * rely on PKIX-TA/PKIX-EE: they are treated as unusable), and the set as
 * a whole: usable when at least one record is well formed with usage 2
 * or 3. secure says whether the answer was DNSSEC-validated secure:
 * RFC 7672 2.2: TLSA records from an insecure or bogus answer are
 * unusable (a finding says so). Returns the number of usable records.
 */
int tlsa_audit(const struct tlsa_record *v, size_t n, bool secure, const char *name,
               struct findings *f);

#endif
