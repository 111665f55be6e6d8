/*
 * dane_check.c — DANE for a domain's MX hosts: each host's TLSA answer
 * judged, the domain's status, findings, JSON (see dane_check.h).
 */
#include "dane_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "strutil.h"

#define TLSA_TEXT_MAX 160 /* "3 1 1 " and 64 bytes in hex, "..." */

const char *dane_host_status_name(enum dane_host_status s)
{
	switch (s) {
	case DANE_HOST_USABLE:
		return "usable";
	case DANE_HOST_UNUSABLE:
		return "unusable";
	case DANE_HOST_INDETERMINATE:
		return "indeterminate";
	case DANE_HOST_NONE:
		break;
	}
	return "none";
}

const char *dane_status_name(enum dane_status s)
{
	switch (s) {
	case DANE_OK:
		return "dane";
	case DANE_PARTIAL:
		return "partial";
	case DANE_NONE:
		return "none";
	case DANE_UNUSABLE:
		return "unusable";
	case DANE_INDETERMINATE:
		return "indeterminate";
	case DANE_NOT_RUN:
		break;
	}
	return "not_run";
}

int dane_tlsa_name(const char *host, char *out, size_t outlen)
{
	char joined[DNS_NAME_BUF + 16];

	/* RFC 6698 3: _<port>._<protocol>.<host>; SMTP to an MX is 25/tcp
	 * (RFC 7672 2.2). */
	if (str_join3(joined, sizeof(joined), "_25._tcp.", host, "") >= sizeof(joined))
		return -1;
	return dns_name_normalize(joined, out, outlen);
}

int dane_result_init(struct dane_result *r, const char *domain, const char *const *hosts, size_t n)
{
	memset(r, 0, sizeof(*r));
	str_copy(r->domain, sizeof(r->domain), domain);
	r->status = DANE_INDETERMINATE;
	if (n == 0)
		return 0;
	r->hosts = calloc(n, sizeof(*r->hosts));
	r->q = calloc(n, sizeof(*r->q));
	if (r->hosts == NULL || r->q == NULL)
		return -1;
	r->nhosts = n;
	for (size_t i = 0; i < n; i++) {
		str_copy(r->hosts[i].host, sizeof(r->hosts[i].host), hosts[i]);
		r->hosts[i].status = DANE_HOST_INDETERMINATE;
		r->q[i].type = DNS_TYPE_TLSA;
		r->q[i].status = DNSSEC_INDETERMINATE;
		r->q[i].outcome = DNS_OUTCOME_TIMEOUT;
		if (dane_tlsa_name(hosts[i], r->q[i].name, sizeof(r->q[i].name)) != 0)
			r->q[i].name[0] = '\0';
	}
	return 0;
}

void dane_result_cleanup(struct dane_result *r)
{
	for (size_t i = 0; r->hosts != NULL && i < r->nhosts; i++)
		free(r->hosts[i].rec);
	dnssec_query_free(r->q, r->nhosts);
	free(r->hosts);
	free(r->q);
	findings_cleanup(&r->findings);
	r->hosts = NULL;
	r->q = NULL;
	r->nhosts = 0;
}

/* The records of q's rdata into h (an rdata under 4 bytes is no TLSA
 * record and is skipped). Returns 0 or -1 (memory). */
static int read_records(struct dane_host *h, const struct dnssec_query *q)
{
	free(h->rec);
	h->rec = NULL;
	h->nrec = 0;
	if (q->nrdata == 0)
		return 0;
	h->rec = calloc(q->nrdata, sizeof(*h->rec));
	if (h->rec == NULL)
		return -1;
	for (size_t i = 0; i < q->nrdata; i++)
		if (tlsa_parse(q->rdata[i], q->rdlen[i], &h->rec[h->nrec]) == 0)
			h->nrec++;
	return 0;
}

static bool lookup_failed(enum dns_outcome o)
{
	return o == DNS_OUTCOME_SERVFAIL || o == DNS_OUTCOME_TIMEOUT || o == DNS_OUTCOME_MALFORMED;
}

#define BOGUS_FIX                                                                                  \
	"Re-sign the MX host's zone so that no RRSIG is expired or broken, and make its DS "       \
	"record "                                                                                  \
	"at the parent match a key the zone signs with."

/* An answer with records: their form, and whether the answer's DNSSEC
 * status lets senders use them. */
static int judge_records(struct dane_host *h, const struct dnssec_query *q, struct findings *f)
{
	const char *name = q->name;

	if (h->nrec == 0) {
		h->status = DANE_HOST_UNUSABLE;
		return findings_add(f, "dane.no_usable", FINDING_ERROR, name,
		                    "Publish a well-formed DANE-EE record, e.g. \"3 1 1\" and the "
		                    "SHA-256 of the server's public key.",
		                    "%zu TLSA record(s) too short to read (under 4 bytes): none is "
		                    "usable (RFC 6698 2.1)",
		                    q->nrdata);
	}
	switch (q->status) {
	case DNSSEC_SECURE:
		h->usable = tlsa_audit(h->rec, h->nrec, true, name, f);
		h->status = h->usable > 0 ? DANE_HOST_USABLE : DANE_HOST_UNUSABLE;
		return 0;
	case DNSSEC_INSECURE:
		/* RFC 7672 2.2: TLSA records from an insecure answer are not
		 * used; tlsa_audit says so (dane.insecure). */
		h->usable = tlsa_audit(h->rec, h->nrec, false, name, f);
		h->status = DANE_HOST_UNUSABLE;
		return 0;
	case DNSSEC_INDETERMINATE:
		/* Their form is known whatever the chain: none usable is a
		 * verdict; usable ones wait for a chain of trust. */
		h->usable = tlsa_audit(h->rec, h->nrec, true, name, f);
		if (h->usable == 0) {
			h->status = DANE_HOST_UNUSABLE;
			return 0;
		}
		h->usable = 0;
		h->status = DANE_HOST_INDETERMINATE;
		return findings_add(f, "dane.indeterminate", FINDING_WARNING, name,
		                    "Run the check again; if it persists, make sure the resolver "
		                    "passes DNSSEC records and the MX host's DS and DNSKEY lookups "
		                    "are answered.",
		                    "%zu TLSA record(s), but whether the answer is DNSSEC-secure "
		                    "could not be checked (%s): no verdict",
		                    h->nrec, q->detail[0] ? q->detail : "no chain of trust");
	case DNSSEC_BOGUS:
		break;
	}
	h->status = DANE_HOST_UNUSABLE;
	return findings_add(f, "dane.bogus", FINDING_ERROR, name, BOGUS_FIX,
	                    "%zu TLSA record(s) in an answer that fails DNSSEC validation (%s): "
	                    "validating senders get no answer, and those that use DANE do not "
	                    "deliver to this MX host (RFC 7672 2.2)",
	                    h->nrec, q->detail[0] ? q->detail : "bogus");
}

int dane_host_judge(struct dane_host *h, const struct dnssec_query *q, struct findings *f)
{
	h->usable = 0;
	if (read_records(h, q) != 0)
		return -1;
	if (lookup_failed(q->outcome)) {
		h->status = DANE_HOST_INDETERMINATE;
		return findings_add(
		        f, "dane.indeterminate", FINDING_WARNING, q->name[0] ? q->name : h->host,
		        "Run the check again; if it persists, fix the MX host zone's "
		        "name servers.",
		        "the TLSA records of MX host %s could not be read (%s%s%s): no "
		        "verdict",
		        h->host, dns_outcome_name(q->outcome), q->detail[0] ? ": " : "", q->detail);
	}
	if (q->outcome == DNS_OUTCOME_DATA)
		return judge_records(h, q, f);
	/* NXDOMAIN or no data: no TLSA record, unless the denial itself
	 * fails validation. */
	if (q->status != DNSSEC_BOGUS) {
		h->status = DANE_HOST_NONE;
		return 0;
	}
	h->status = DANE_HOST_UNUSABLE;
	return findings_add(f, "dane.bogus", FINDING_ERROR, q->name, BOGUS_FIX,
	                    "the answer that there is no TLSA record fails DNSSEC validation "
	                    "(%s): validating senders get no answer, and those that use DANE do "
	                    "not deliver to this MX host (RFC 7672 2.2)",
	                    q->detail[0] ? q->detail : "bogus");
}

enum dane_status dane_combine(const enum dane_host_status *v, size_t n)
{
	size_t usable = 0, unusable = 0, none = 0, open = 0;

	for (size_t i = 0; i < n; i++) {
		switch (v[i]) {
		case DANE_HOST_USABLE:
			usable++;
			break;
		case DANE_HOST_UNUSABLE:
			unusable++;
			break;
		case DANE_HOST_INDETERMINATE:
			open++;
			break;
		case DANE_HOST_NONE:
			none++;
			break;
		}
	}
	if (n > 0 && usable == n)
		return DANE_OK;
	/* Some usable and some definitely not: partial whatever the open
	 * hosts hold. Otherwise an open host could change the verdict. */
	if (usable > 0 && unusable + none > 0)
		return DANE_PARTIAL;
	if (open > 0)
		return DANE_INDETERMINATE;
	return unusable > 0 ? DANE_UNUSABLE : DANE_NONE;
}

/* dane.partial: the MX hosts senders cannot authenticate, listed. */
static int partial_finding(struct dane_result *r)
{
	char list[FINDING_MESSAGE_MAX];
	size_t len = 0, n = 0;

	list[0] = '\0';
	for (size_t i = 0; i < r->nhosts && len < sizeof(list); i++) {
		const struct dane_host *h = &r->hosts[i];
		if (h->status != DANE_HOST_NONE && h->status != DANE_HOST_UNUSABLE)
			continue;
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s (%s)", n ? ", " : "",
		                        h->host, dane_host_status_name(h->status));
		n++;
	}
	return findings_add(&r->findings, "dane.partial", FINDING_WARNING, r->domain,
	                    "Publish usable TLSA records (e.g. \"3 1 1\" and the SHA-256 of the "
	                    "server's public key) for every MX host, each in a DNSSEC-signed "
	                    "zone.",
	                    "only some MX hosts have usable TLSA records; senders that use DANE "
	                    "cannot authenticate %s, so an attacker who blocks the others can "
	                    "take the mail there unauthenticated",
	                    list);
}

int dane_result_finish(struct dane_result *r, enum host_status mx)
{
	enum dane_host_status v[CHECKS_MX_HOSTS];
	size_t n = 0;

	if (mx == HOST_TEMPERROR || mx == HOST_NOT_RUN) {
		r->status = DANE_INDETERMINATE;
		return findings_add(&r->findings, "dane.indeterminate", FINDING_WARNING, r->domain,
		                    "Run the check again; if it persists, fix the domain's name "
		                    "servers.",
		                    "the domain's MX hosts are unknown (%s): DANE not checked",
		                    mx == HOST_TEMPERROR ? "the MX lookup failed"
		                                         : "the MX check did not run");
	}
	if (mx != HOST_PRESENT || r->nhosts == 0) {
		r->status = DANE_NONE;
		return 0;
	}
	for (size_t i = 0; i < r->nhosts; i++) {
		if (dane_host_judge(&r->hosts[i], &r->q[i], &r->findings) != 0)
			return -1;
		if (n < CHECKS_MX_HOSTS)
			v[n++] = r->hosts[i].status;
	}
	r->status = dane_combine(v, n);
	return r->status == DANE_PARTIAL ? partial_finding(r) : 0;
}

void dane_result_write(struct jsonw *w, const struct dane_result *r)
{
	char text[TLSA_TEXT_MAX];

	jsonw_obj(w);
	jsonw_kstr(w, "status", dane_status_name(r->status));
	jsonw_key(w, "hosts");
	jsonw_arr(w);
	for (size_t i = 0; i < r->nhosts; i++) {
		const struct dane_host *h = &r->hosts[i];
		const struct dnssec_query *q = &r->q[i];
		jsonw_obj(w);
		jsonw_kstr(w, "host", h->host);
		jsonw_kstr(w, "name", q->name);
		jsonw_kstr(w, "status", dane_host_status_name(h->status));
		jsonw_kstr(w, "dnssec", dnssec_status_name(q->status));
		jsonw_kstr(w, "outcome", dns_outcome_name(q->outcome));
		jsonw_key(w, "records");
		jsonw_arr(w);
		for (size_t k = 0; k < h->nrec; k++) {
			tlsa_format(&h->rec[k], text, sizeof(text));
			jsonw_str(w, text);
		}
		jsonw_end_arr(w);
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
	jsonw_key(w, "findings");
	findings_write(w, &r->findings);
	jsonw_end_obj(w);
}
