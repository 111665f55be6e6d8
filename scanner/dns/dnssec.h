/*
 * dnssec.h — DNSSEC validation of the answers posture relies on, through
 * getdns in stub mode (dnssec.c is its only user for this): getdns asks
 * the resolvers given, fetches the chain (DS, DNSKEY) itself and
 * validates it against a trust anchor: the bundled root anchor
 * (lists/root-anchors.txt, from IANA's root-anchors.xml; its header says
 * the source and date), or a file of DS/DNSKEY records in zone-file form
 * (--trust-anchor FILE: the tests' signed zones, private roots).
 *
 * posture's own UDP transport answers the bulk questions; this adapter
 * is asked only where validation is wanted, one name and type at a time,
 * all of one domain in one batch.
 */
#ifndef POSTURE_DNSSEC_H
#define POSTURE_DNSSEC_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

enum dnssec_status {
	DNSSEC_INDETERMINATE = 0, /* no verdict: the lookup failed, or no chain could be built */
	DNSSEC_SECURE,            /* a chain from the anchor validates the answer (or its denial) */
	DNSSEC_INSECURE,          /* provably unsigned: a DS denial on the way down */
	DNSSEC_BOGUS,             /* signed, and the signature or chain does not validate */
};
/* "indeterminate", "secure", "insecure", "bogus" */
const char *dnssec_status_name(enum dnssec_status s);

/* One question and its verdict. */
struct dnssec_query {
	char name[DNS_NAME_BUF]; /* normalised */
	uint16_t type;
	enum dnssec_status status;
	enum dns_outcome outcome; /* what the answer was (data, nodata, nxdomain...) */
	/* For TLSA: the records' rdata as sent (owned, freed by dnssec_query_free);
	 * other types keep none. */
	uint8_t **rdata;
	size_t *rdlen;
	size_t nrdata;
	char detail[DNS_DETAIL_MAX]; /* why, for indeterminate and bogus */
};

struct dnssec_ctx;

/* The most questions a scan hands dnssec_resolve at once (scan_fetch.c
 * asks a batch's in slices): getdns in stub mode gives each question,
 * and each DS or DNSKEY question of its chain, a socket of its own.
 * (getdns_context_set_limit_outstanding_queries would queue the chain's
 * questions behind the ones waiting for them: each then waits for its
 * timeout.) */
#define DNSSEC_OUTSTANDING_MAX 32

/*
 * A validator asking the resolvers of cfg (dns.h; at least one) with the
 * trust anchors of anchor_file, or the bundled root anchor when NULL.
 * Returns NULL with a reason in err (no resolver, an anchor file that
 * cannot be read or holds no DS/DNSKEY record, getdns set-up).
 */
struct dnssec_ctx *dnssec_new(const struct dns_config *cfg, const char *anchor_file, char *err,
                              size_t errlen);
void dnssec_ctx_free(struct dnssec_ctx *c);

/*
 * Reads anchor_file as dnssec_new would, without a context: 0 when it
 * holds at least one DS or DNSKEY record, else -1 with the reason in err
 * (so a command can tell a bad --trust-anchor, a usage error, from a
 * failure of its own).
 */
int dnssec_anchors_check(const char *anchor_file, char *err, size_t errlen);

/*
 * Asks every q[i] (name and type set) at once and fills their status,
 * outcome and (TLSA) rdata. Returns 0, or -1 on a program failure (err).
 */
int dnssec_resolve(struct dnssec_ctx *c, struct dnssec_query *q, size_t n, char *err,
                   size_t errlen);
void dnssec_query_free(struct dnssec_query *q, size_t n);

/* The least secure of a set: bogus over indeterminate over insecure
 * over secure (a domain is secure only when everything it relies on is). */
enum dnssec_status dnssec_combine(const enum dnssec_status *v, size_t n);

#endif
