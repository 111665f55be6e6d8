/*
 * spf_audit.h — the whole SPF tree of a domain, as an auditor reads it.
 *
 * Unlike check_host, which stops at the first match or error, the audit
 * follows every include and redirect to its full depth (past the 10-lookup
 * limit, so the whole tree is shown), counts what check_host would count
 * in the worst case, and records each problem as a finding with the path
 * from the root. Pure: DNS comes through struct spf_dns with the same
 * replay-on-pending contract as check_host.
 */
#ifndef POSTURE_SPF_AUDIT_H
#define POSTURE_SPF_AUDIT_H

#include "spf.h"

enum spf_status {
	SPF_STATUS_OK = 0,
	SPF_STATUS_NONE,
	SPF_STATUS_PERMERROR,
	SPF_STATUS_TEMPERROR,
};
const char *spf_status_name(enum spf_status s);

struct spf_node {
	char *domain; /* whose TXT records were read */
	char *via;    /* "include:x" or "redirect=x"; NULL at the root */
	/* The SPF record (record_len bytes, NUL-terminated; it may hold NUL
	 * bytes), NULL if none was usable or it is longer than posture reads
	 * (DNS_TXT_MAX_BYTES: the finding says so). */
	char *record;
	size_t record_len;
	enum spf_status status;
	int lookups_self;  /* DNS-querying terms in this record */
	int lookups_total; /* this record and everything below it */
	int void_lookups;  /* this record's own */
	struct spf_node **children;
	size_t nchildren;
};

/* A name and type the audit needs the answer for. */
#define SPF_NEED_NAME 256
struct spf_need {
	char name[SPF_NEED_NAME];
	uint16_t type;
};
/* How many more missing answers a pending audit names (see more). */
#define SPF_AUDIT_LOOKAHEAD 8
/* ... and only in records at most this deep (the root is 0). */
#define SPF_AUDIT_LOOKAHEAD_DEPTH 4

struct spf_audit {
	char domain[DNS_NAME_BUF];
	enum spf_status status;
	const char *error_code; /* the finding code that decided a permerror
	                           or temperror, NULL otherwise */
	char *record;           /* the root record, NULL if none */
	size_t record_len;      /* its bytes (NUL bytes count) */
	char all[5];            /* "-all", "~all", "?all", "+all" or "" */
	int lookups;            /* worst case for check_host (RFC 7208 4.6.4) */
	int void_lookups;
	uint64_t ipv4_addresses; /* authorised, summed (overlaps counted twice) */
	uint64_t ipv6_64s;       /* authorised IPv6 /64 networks, summed */
	bool has_macros;         /* parts of the policy depend on the sender */
	struct findings findings;
	struct spf_node *tree;
	bool pending;
	char need_name[DNS_NAME_BUF];
	uint16_t need_type;
	/* When pending: up to SPF_AUDIT_LOOKAHEAD more answers the walk is
	 * missing, found by going on past the first one (its siblings and
	 * what follows them), so a driver may ask them all at once; a name
	 * too long for the buffer is left out (it is still asked when its
	 * turn comes). None depends on how many lookups come before it: an
	 * a/mx/exists target past a missing TXT is not named, as that TXT
	 * may push it past the 10th lookup. Only where a tree is cut
	 * (SPF_AUDIT_MAX_NODES, SPF_AUDIT_MAX_ANSWERS) can a named TXT be
	 * one the complete walk does not ask: at most SPF_AUDIT_LOOKAHEAD
	 * for each level down to SPF_AUDIT_LOOKAHEAD_DEPTH. */
	struct spf_need more[SPF_AUDIT_LOOKAHEAD];
	size_t nmore;
};

/* Audits domain. Returns 0 (see out->pending) or -1 on allocation
 * failure or an invalid domain. Clean up with spf_audit_cleanup. */
int spf_audit_run(const char *domain, const struct spf_dns *dns, struct spf_audit *out);
void spf_audit_cleanup(struct spf_audit *a);

#endif
