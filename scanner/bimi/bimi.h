/*
 * bimi.h — BIMI assertion records and their discovery
 * (draft-brand-indicators-for-message-identification, "the draft" below),
 * and the verdict on the assets they point at once they are fetched.
 *
 * Pure: DNS comes through struct spf_dns (replayed on pending, see spf.h),
 * the organisational domain through a callback, the logo and certificate
 * bytes from the caller (the fetcher is an adapter of its own). The SVG
 * and certificate rules live in svg.h and vmc.h; this file ties them to
 * the record.
 */
#ifndef POSTURE_BIMI_H
#define POSTURE_BIMI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dnsutil.h"
#include "finding.h"
#include "spf.h"

#define BIMI_URI_MAX      2048 /* longer l=/a= values are refused */
#define BIMI_SELECTOR_MAX 200  /* the selector leaves room for _bimi.<domain> */
/* Fetch caps: a logo is at most 32 KiB (the draft); the slack lets a
 * slightly-too-large logo be named as such instead of as a failed fetch. */
#define BIMI_LOGO_FETCH_MAX (32768 + 8192)
#define BIMI_CERT_FETCH_MAX 65536

enum bimi_avp {
	BIMI_AVP_BRAND = 0, /* the default */
	BIMI_AVP_PERSONAL,
};

/* One parsed assertion record. */
struct bimi_record {
	char *l;   /* owned; NULL when the tag is absent, "" when empty */
	char *a;   /* owned; NULL when absent, "" when empty */
	char *lps; /* owned; the lps= value as published, or NULL */
	enum bimi_avp avp;
	bool invalid;  /* unusable: receivers ignore it */
	bool declined; /* l= and a= empty: an explicit refusal to take part */
};

/* True when a TXT string starts with a v=BIMI1 tag (the draft: records
 * that do not are discarded). WSP is allowed around "="; "BIMI1" is an
 * ABNF literal, so any case. */
bool bimi_is_record(const char *text, size_t len);

/*
 * Parses one record published at name (used in findings' paths) into
 * *out (cleared first), adding findings to f. Returns 0, or -1 on
 * allocation failure. Free with bimi_record_cleanup.
 */
int bimi_parse(const char *text, size_t len, const char *name, struct bimi_record *out,
               struct findings *f);
void bimi_record_cleanup(struct bimi_record *r);

/*
 * Checks a URI from l= or a= as receivers need it: https, a fully
 * qualified host name (no IP literal, no userinfo), no white space or
 * control bytes, at most BIMI_URI_MAX bytes. Returns NULL when usable, or
 * a short reason. host (may be NULL) receives the host name.
 */
const char *bimi_uri_problem(const char *uri, char *host, size_t hostlen);

/* Checks a selector (the draft: sub-domain *("." sub-domain)). */
bool bimi_selector_valid(const char *selector);

enum bimi_status {
	BIMI_STATUS_OK = 0,    /* one usable record with a logo location or evidence */
	BIMI_STATUS_NONE,      /* no record, or a declination to publish */
	BIMI_STATUS_INVALID,   /* records found, none usable, or more than one */
	BIMI_STATUS_TEMPERROR, /* a DNS failure decided it */
};
const char *bimi_status_name(enum bimi_status s);

/* What the DNS says: the record receivers would use for a domain. */
struct bimi_discovery {
	char domain[DNS_NAME_BUF];
	char selector[BIMI_SELECTOR_MAX + 1];
	char org_domain[DNS_NAME_BUF]; /* by the Public Suffix List (RFC 7489) */
	enum bimi_status status;
	char record_name[DNS_NAME_BUF]; /* where the record used was found */
	bool from_org;                  /* the organisational domain's record */
	char *record;                   /* owned: the record text, or NULL */
	struct bimi_record rec;         /* parsed, when record is set */
	char detail[DNS_DETAIL_MAX];    /* why, for temperror */
	struct findings findings;       /* codes bimi.* */
	bool pending;
	char need_name[DNS_NAME_BUF];
	uint16_t need_type;
};

typedef int (*bimi_org_fn)(const char *domain, char *out, size_t outlen);

/*
 * The draft's Assertion Record Discovery for domain and selector:
 * <selector>._bimi.<domain>, then <selector>._bimi.<organisational
 * domain> when the first set is empty. Returns 0 (see out->pending) or -1
 * on allocation failure or an invalid domain or selector. Free with
 * bimi_discovery_cleanup.
 */
int bimi_discover(const char *domain, const char *selector, const struct spf_dns *dns,
                  bimi_org_fn org, struct bimi_discovery *out);
void bimi_discovery_cleanup(struct bimi_discovery *d);

/* What fetching one asset gave: the fetcher's outcome, as data. */
struct bimi_fetched {
	bool attempted; /* false: fetching was switched off (--no-fetch) */
	bool ok;        /* body holds the whole document */
	const uint8_t *body;
	size_t len;
	const char *error;  /* when !ok: a stable name ("tls", "timeout", ...) */
	const char *reason; /* when !ok: a sentence naming the URL */
};

enum bimi_asset {
	BIMI_ASSET_ABSENT = 0, /* not published (no l= / no a=) */
	BIMI_ASSET_UNCHECKED,  /* published, not fetched (--no-fetch) */
	BIMI_ASSET_VALID,
	BIMI_ASSET_INVALID, /* fetched and wrong, or the fetch failed */
};
/* Logo: "absent", "unchecked", "valid", "invalid". Certificate: the same
 * but "absent" is what the JSON contract calls a missing VMC. */
const char *bimi_asset_name(enum bimi_asset a);

/* The verdict on the logo and the Mark Certificate. */
struct bimi_assets {
	enum bimi_asset logo;
	char logo_sha256[65]; /* of the fetched bytes; "" when not fetched */
	struct findings logo_findings;
	enum bimi_asset vmc;
	const char *vmc_type;  /* "VMC", "CMC" or NULL */
	time_t vmc_not_after;  /* 0 when unknown */
	char *vmc_subject;     /* owned, or NULL */
	char *vmc_issuer;      /* owned, or NULL: the leaf's issuer */
	bool vmc_logo_matches; /* the certificate's logo is the published one */
	struct findings vmc_findings;
};

struct vmc_options;
struct vmc_result;
/*
 * Validates the logo embedded in a certificate (res->logo.svg) as SVG
 * Tiny PS: when it is not, adds vmc.logo_not_tiny_ps (error, with the
 * first problems) to f and returns 0; 1 when it is valid or there is no
 * logo; -1 on allocation failure.
 */
int bimi_check_embedded_logo(const struct vmc_result *res, struct findings *f);

/*
 * Judges the fetched logo (svg.h) and certificate (vmc.h, with opt for
 * roots and time; opt->domain and selector are set from d) of a discovery
 * whose status is OK, and compares the certificate's embedded logo with
 * the published one. Returns 0, or -1 on allocation failure or a bad
 * trust store (a program error). Free with bimi_assets_cleanup.
 */
int bimi_assess(const struct bimi_discovery *d, const struct bimi_fetched *logo,
                const struct bimi_fetched *cert, const struct vmc_options *opt,
                struct bimi_assets *out);
void bimi_assets_cleanup(struct bimi_assets *a);

#endif
