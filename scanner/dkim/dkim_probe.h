/*
 * dkim_probe.h — what a domain publishes under the selectors posture
 * asks about: one TXT answer per selector (<selector>._domainkey.<domain>)
 * read into a per-selector status, and the domain's verdict (found,
 * none_found, temperror) with the findings that say what was probed.
 *
 * Pure: the caller (scan/dkim_check.c) asks the DNS, all probes of a
 * domain in one round, and hands the answers in. Also the selectors
 * themselves (validation, the bundled list lists/dkim-selectors.txt
 * compiled into the binary) and the table that names a provider from
 * the target of a selector's CNAME.
 */
#ifndef POSTURE_DKIM_PROBE_H
#define POSTURE_DKIM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim.h"
#include "dnsutil.h"
#include "finding.h"

/* The most selectors probed for one domain: the bundled list and the
 * ones given. scan/memo.c counts them in a domain's answers. */
#define DKIM_PROBE_MAX 128
/* The longest selector taken (RFC 6376 3.1 bounds it only by the DNS
 * name it makes: <selector>._domainkey.<domain> within 253 bytes). */
#define DKIM_SELECTOR_MAX 127

/*
 * RFC 6376 3.1: selector = sub-domain *( "." sub-domain ), sub-domain as
 * RFC 5321 4.1.2 writes it (letters, digits and hyphens, starting and
 * ending with a letter or digit), each label at most 63 bytes (RFC 1035
 * 2.3.4), the whole at most DKIM_SELECTOR_MAX.
 */
bool dkim_selector_valid(const char *s);
/* "<selector>._domainkey.<domain>" into out; -1 when it does not fit a
 * DNS name (DNS_NAME_MAX) or out. */
int dkim_selector_name(const char *selector, const char *domain, char *out, size_t outlen);

/*
 * The bundled selectors (lists/dkim-selectors.txt, compiled in), in the
 * list's order: the names, and the provider each line names. Parsed once
 * (thread-safe); *n gets the count (0 if the data is unusable, which
 * tests/unit/test_dkim_probe.c rules out).
 */
const char *const *dkim_selectors_bundled(size_t *n);
/* The provider the bundled list names for selector, or NULL. */
const char *dkim_selector_provider(const char *selector);

/*
 * The provider a CNAME target belongs to ("Microsoft 365" for
 * selector1-example-com._domainkey.contoso.onmicrosoft.com), from a table
 * of name suffixes the providers document; NULL when none matches. A
 * suffix matches whole labels, in any case.
 */
const char *dkim_provider_of(const char *target);
/* The table, for tests and docs: suffix (".onmicrosoft.com") and name. */
struct dkim_provider {
	const char *suffix;
	const char *name;
};
const struct dkim_provider *dkim_providers(size_t *n);

/* What the TXT at one selector name is: the record's status (dkim.h,
 * same values and names), or no record, or a temporary DNS failure. */
enum dkim_probe_status {
	DKIM_PROBE_KEY = DKIM_STATUS_KEY,
	DKIM_PROBE_REVOKED = DKIM_STATUS_REVOKED,
	DKIM_PROBE_INVALID = DKIM_STATUS_INVALID,
	DKIM_PROBE_NOT_KEY = DKIM_STATUS_NOT_KEY,
	DKIM_PROBE_NONE,      /* NXDOMAIN or NODATA (also a wildcard's answer) */
	DKIM_PROBE_TEMPERROR, /* timeout, SERVFAIL, an unusable answer: never "none" */
};
/* "key", "revoked", "invalid", "not_key", "none", "temperror". */
const char *dkim_probe_status_name(enum dkim_probe_status s);

enum dkim_domain_status {
	DKIM_NOT_RUN = 0,
	DKIM_FOUND,      /* at least one usable key (dkim_key_usable) */
	DKIM_NONE_FOUND, /* no usable key among the selectors probed */
	DKIM_TEMPERROR,  /* no usable key, and a probe failed temporarily */
};
/* "not_run", "found", "none_found", "temperror". */
const char *dkim_domain_status_name(enum dkim_domain_status s);

struct dkim_selector_result {
	char name[DKIM_SELECTOR_MAX + 1];
	bool named; /* given by the user: listed whatever it answered */
	enum dkim_probe_status status;
	/* The record read (statuses key to not_key); its findings moved to
	 * findings below. */
	struct dkim_key key;
	int records;                 /* TXT records at the name */
	char *cname;                 /* owned: where a CNAME led (the answer's owner), or NULL */
	char *provider;              /* owned: the provider named from cname, or NULL */
	bool provider_known;         /* from the table (else cname's registrable domain) */
	char detail[DNS_DETAIL_MAX]; /* temperror: what failed */
	struct findings findings;    /* the key's, then the selector's own */
};

struct dkim_result {
	enum dkim_domain_status status;
	int probed; /* selectors asked */
	/* Every selector that answered with a TXT record or a CNAME, and
	 * every named one, in probing order. */
	struct dkim_selector_result *sel;
	size_t nsel;
	int usable;               /* selectors with a usable key */
	int min_bits;             /* smallest RSA key read (any status key); 0: none */
	int temperrors;           /* probes that failed temporarily */
	bool named;               /* some selector was given by the user */
	bool domainkey_nxdomain;  /* _domainkey.<domain> answered NXDOMAIN */
	int wildcard;             /* probes whose answer was the wildcard's (not counted) */
	struct findings findings; /* the domain's */
};

/* One probe: a selector and the TXT answer at its name. */
struct dkim_probe {
	const char *selector;
	bool named;
	const struct dns_answer *ans;
};

/* The registrable domain of a name (psl_org_domain's contract). */
typedef int (*dkim_org_fn)(const char *name, char *out, size_t outlen);

/*
 * Reads the n probes of domain into *out (cleared first): the selectors'
 * records (dkim_key_parse; of several TXT records at one name, the first
 * key record), the domain's status and findings. domainkey is the TXT
 * answer at _domainkey.<domain> (may be NULL): NXDOMAIN there and a
 * wildcard's record are said, never trusted over the probes. org (may be
 * NULL) names a provider the table does not know by its registrable
 * domain. Returns 0, or -1 when out of memory (*out then holds nothing to
 * free). Free with dkim_result_cleanup.
 */
int dkim_result_build(const char *domain, const struct dkim_probe *p, size_t n,
                      const struct dns_answer *domainkey, dkim_org_fn org, struct dkim_result *out);
void dkim_result_cleanup(struct dkim_result *r);

/* The first error finding of the result (the domain's or a listed
 * selector's), or NULL. */
const struct finding *dkim_result_first_error(const struct dkim_result *r);

#endif
