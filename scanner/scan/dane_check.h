/*
 * dane_check.h — DANE for a domain's MX hosts (RFC 7672): the TLSA
 * records at _25._tcp.<host> of each MX host (the result's own, at most
 * CHECKS_MX_HOSTS), asked through the DNSSEC adapter (dnssec.h: each
 * answer's validation status and the TLSA rdata), read and audited by the
 * pure transport.h (tlsa_parse, tlsa_audit), and what they add up to.
 * transport_check.c asks the questions, in one getdns batch with the
 * DNSSEC check's; everything here but the questions is pure.
 *
 * Per MX host (RFC 7672 2.2: only a DNSSEC-secure TLSA RRset counts):
 *   usable         a secure TLSA RRset with at least one well-formed usage
 *                  2 or 3 record
 *   unusable       TLSA records senders do not use: from an insecure
 *                  answer, none well formed with usage 2 or 3 (RFC 7672
 *                  3.1.3), or an answer that fails validation (bogus:
 *                  validating senders get no answer at all)
 *   none           no TLSA record (NXDOMAIN or no data)
 *   indeterminate  the lookup failed, or usable-looking records whose
 *                  answer no chain of trust could be built for
 * The domain:
 *   dane           every MX host usable
 *   partial        some usable, the others unusable or none
 *   none           no TLSA at any MX host (or no MX host)
 *   unusable       TLSA somewhere, none usable
 *   indeterminate  the hosts left open (or unknown MX hosts) could change
 *                  the verdict
 * A verdict is given only when no open host could change it.
 */
#ifndef POSTURE_DANE_CHECK_H
#define POSTURE_DANE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "checks.h"
#include "dnssec.h"
#include "finding.h"
#include "transport.h"

enum dane_host_status {
	DANE_HOST_NONE = 0,
	DANE_HOST_USABLE,
	DANE_HOST_UNUSABLE,
	DANE_HOST_INDETERMINATE,
};
/* "none", "usable", "unusable", "indeterminate" */
const char *dane_host_status_name(enum dane_host_status s);

enum dane_status {
	DANE_NOT_RUN = 0,
	DANE_OK, /* "dane" */
	DANE_PARTIAL,
	DANE_NONE,
	DANE_UNUSABLE,
	DANE_INDETERMINATE,
};
/* "not_run", "dane", "partial", "none", "unusable", "indeterminate" */
const char *dane_status_name(enum dane_status s);

struct dane_host {
	char host[DNS_NAME_BUF]; /* the MX host, as the MX answer names it */
	enum dane_host_status status;
	struct tlsa_record *rec; /* the records read from q's rdata (owned) */
	size_t nrec;
	int usable; /* tlsa_audit's count */
};

struct dane_result {
	char domain[DNS_NAME_BUF];
	enum dane_status status;
	struct dane_host *hosts; /* owned, nhosts entries */
	/* The question of each host (q[i] for hosts[i]): _25._tcp.<host>
	 * TLSA, filled by dnssec_resolve. Owned. */
	struct dnssec_query *q;
	size_t nhosts;
	struct findings findings;
};

/* "_25._tcp." + host (RFC 6698 3: port 25, TCP; RFC 7672 2.2), normalised. Returns
 * 0, or -1 when that is not a DNS name (too long). */
int dane_tlsa_name(const char *host, char *out, size_t outlen);

/*
 * Sets r for domain and its n MX hosts (n may be 0): one TLSA question
 * each, no verdict yet (status DANE_INDETERMINATE until
 * dane_result_finish). A host whose TLSA name cannot exist keeps an
 * empty question name (dnssec_resolve marks it malformed). Returns 0, or
 * -1 when out of memory. Free with dane_result_cleanup, in every case.
 */
int dane_result_init(struct dane_result *r, const char *domain, const char *const *hosts, size_t n);
void dane_result_cleanup(struct dane_result *r);

/*
 * One host's status from its answered question q (status, outcome,
 * rdata), with the records read into h and findings into f (path: q's
 * name). Pure. Returns 0, or -1 when out of memory.
 */
int dane_host_judge(struct dane_host *h, const struct dnssec_query *q, struct findings *f);

/* The domain's status from its hosts' (see above; n 0: none). Pure. */
enum dane_status dane_combine(const enum dane_host_status *v, size_t n);

/*
 * After the questions are answered: every host judged, the domain's
 * status (mx: how the domain's MX check ended; temperror or not run
 * leave DANE indeterminate, absent or a null MX make it none), and the
 * domain's findings (dane.partial, dane.indeterminate for unknown MX
 * hosts). Returns 0, or -1 when out of memory.
 */
int dane_result_finish(struct dane_result *r, enum host_status mx);

/* {"status", "hosts": [{"host", "name", "status", "dnssec", "outcome",
 * "records": ["3 1 1 ab..."]}], "findings": [...]} (doc/commands.md,
 * posture check). */
struct jsonw;
void dane_result_write(struct jsonw *w, const struct dane_result *r);

#endif
