/*
 * dmarc.h — DMARC records (RFC 9989 "DMARCbis" and RFC 7489): parsing,
 * policy discovery and the derived facts reports count. Pure: DNS comes
 * through struct spf_dns (see spf.h for the replay-on-pending contract),
 * the Public Suffix List through a callback.
 *
 * Both readings are kept: top-level results follow RFC 9989 (tree walk,
 * np/psd/t, pct/rf/ri removed, a missing p with a valid rua is p=none);
 * where RFC 7489 reads the record differently (PSL organisational domain,
 * pct, a missing p is invalid) the rfc7489 part says so.
 */
#ifndef POSTURE_DMARC_H
#define POSTURE_DMARC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsutil.h"
#include "finding.h"
#include "spf.h"

/* RFC 9989 4.10: at most 8 queries in a tree walk. */
#define DMARC_MAX_WALK_QUERIES 8
#define DMARC_MAX_URIS         32 /* rua/ruf URIs kept per tag */
#define DMARC_MAX_TAGS         64 /* tags read from one record */
/* DNS answers one dmarc_check asks for at most: the walk, the RFC 7489
 * fallback, and one authorisation per rua and ruf URI (memo.h adds up a
 * domain's answers from these). */
#define DMARC_MAX_ANSWERS (DMARC_MAX_WALK_QUERIES + 2 + 2 * DMARC_MAX_URIS)

enum dmarc_policy {
	DMARC_POLICY_UNSET = 0,
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT,
};
const char *dmarc_policy_name(enum dmarc_policy p); /* "none"...; NULL if unset */

struct dmarc_uri {
	char *uri;          /* as published (trimmed) */
	char *address;      /* mailto address, %-decoded; NULL if not mailto */
	char *domain;       /* domain of the address, lower case */
	uint64_t max_bytes; /* "!10m" size limit, 0 if none */
	bool valid;
	int authorized; /* -1 not checked / not needed, 0 no, 1 yes */
};

struct dmarc_record {
	enum dmarc_policy p, sp, np; /* UNSET when absent */
	bool p_valid;                /* p present with a valid value */
	char psd;                    /* 'y', 'n' or 'u' (default) */
	bool t;                      /* t=y (testing) */
	int pct;                     /* -1 when absent; RFC 7489 only */
	bool pct_valid;
	char adkim, aspf; /* 'r' (default) or 's' */
	char fo[16];      /* as published, default "0" */
	struct dmarc_uri rua[DMARC_MAX_URIS], ruf[DMARC_MAX_URIS];
	size_t nrua, nruf;
	bool rua_valid; /* at least one valid rua URI */
	/* RFC 9989 reading: unusable (bad v, bad p/sp/np/psd/t value, a
	 * duplicate tag, a syntax error, or neither p nor a valid rua). */
	bool invalid;
	/* RFC 7489 reading: also invalid without p, or with a bad pct. */
	bool invalid_7489;
	struct findings findings;
};

/* True when a TXT string is a DMARC record: tag name "v" (any case),
 * optional spaces around "=", value exactly "DMARC1", then ";", space or
 * the end. */
bool dmarc_is_record(const char *text, size_t len);

/* Parses one record (len bytes: a NUL byte is no terminator but makes
 * the record invalid, as a record longer than DNS_TXT_MAX_BYTES does).
 * Returns 0 with *out (findings, invalid flags), or -1 on allocation
 * failure. */
int dmarc_parse(const char *text, size_t len, struct dmarc_record **out);
void dmarc_record_free(struct dmarc_record *r);

/* The organisational domain by the Public Suffix List (RFC 7489 3.2):
 * writes it into out and returns 0, or -1. The CLI wires libpsl in. */
typedef int (*dmarc_org_fn)(const char *domain, char *out, size_t outlen);

enum dmarc_status {
	DMARC_STATUS_OK = 0,    /* a usable policy record was found */
	DMARC_STATUS_NONE,      /* no record anywhere it was looked for */
	DMARC_STATUS_INVALID,   /* records found, none usable */
	DMARC_STATUS_TEMPERROR, /* a DNS failure decided it */
};
const char *dmarc_status_name(enum dmarc_status s);

enum dmarc_source {
	DMARC_SOURCE_NONE = 0,
	DMARC_SOURCE_DOMAIN,         /* _dmarc.<domain> itself */
	DMARC_SOURCE_ORGANIZATIONAL, /* the organisational domain's record */
	DMARC_SOURCE_PSD,            /* a public suffix domain's record (psd=y) */
};
const char *dmarc_source_name(enum dmarc_source s); /* NULL for NONE */

/* missing, invalid, monitor, partial, quarantine, reject, temperror */
enum dmarc_enforcement {
	DMARC_ENF_MISSING = 0,
	DMARC_ENF_INVALID,
	DMARC_ENF_MONITOR,
	DMARC_ENF_PARTIAL,
	DMARC_ENF_QUARANTINE,
	DMARC_ENF_REJECT,
	DMARC_ENF_TEMPERROR, /* no verdict: never counted as missing */
};
const char *dmarc_enforcement_name(enum dmarc_enforcement e);

/* One reading (RFC 9989 or RFC 7489) of the policy for a domain. */
struct dmarc_reading {
	enum dmarc_status status;
	enum dmarc_source source;
	char record_domain[DNS_NAME_BUF]; /* where the record was found */
	char org_domain[DNS_NAME_BUF];
	/* The record text, owned: record_len bytes, NUL-terminated (it may
	 * hold NUL bytes); NULL when it is longer than posture reads
	 * (DNS_TXT_MAX_BYTES: a finding says so). */
	char *record;
	size_t record_len;
	enum dmarc_policy policy; /* for the domain itself */
	enum dmarc_policy subdomain_policy;
	enum dmarc_policy nonexistent_policy;
	int pct;      /* 100 when absent */
	bool testing; /* t=y (RFC 9989 only) */
	enum dmarc_enforcement enforcement;
};

struct dmarc_result {
	char domain[DNS_NAME_BUF];
	struct dmarc_reading bis; /* RFC 9989: the top-level reading */
	struct dmarc_reading old; /* RFC 7489 */
	bool readings_differ;     /* org domain, pct or a missing p */
	struct dmarc_record *rec; /* the RFC 9989 policy record, owned */
	int queries;              /* _dmarc queries of the tree walk */
	struct findings findings;
	bool pending;
	char need_name[DNS_NAME_BUF];
	uint16_t need_type;
};

/*
 * Discovers and evaluates the DMARC policy of domain: RFC 9989 tree walk
 * and RFC 7489 PSL fallback, then checks external report destinations
 * (<domain>._report._dmarc.<dest>). Returns 0 (see out->pending) or -1 on
 * allocation failure or an invalid domain. Free with dmarc_result_cleanup.
 */
int dmarc_check(const char *domain, const struct spf_dns *dns, dmarc_org_fn org,
                struct dmarc_result *out);
void dmarc_result_cleanup(struct dmarc_result *r);

/* Enforcement class from a reading's facts (pure, for tests and reports):
 * reject/quarantine only when they cover all mail (pct 100, no t=y). */
enum dmarc_enforcement dmarc_classify(enum dmarc_status status, enum dmarc_policy policy, int pct,
                                      bool testing);

#endif
