/*
 * transport_check.h — the mail-transport checks of the framework
 * (checks.h): MTA-STS and TLS-RPT (CHECK_MTA_STS, CHECK_TLS_RPT: their
 * DNS questions are steps over the memo like every check's, the policy
 * fetched afterwards, mta_sts_check.h), DNSSEC and DANE (CHECK_DNSSEC,
 * CHECK_DANE: asked through getdns, which validates, in one batch after
 * the DNS rounds, dnssec_check.h and dane_check.h). domain_check_run runs
 * them for posture check; checks.c calls the step, cleanup and JSON.
 *
 * They are advisory: none of them enters the readiness verdict, the
 * problems of posture check, or checks_inconclusive, so a domain that
 * was ready stays ready, and its exit status stays what it was, whatever
 * they find (a temperror of theirs included).
 *
 * Costs: MTA-STS asks _mta-sts TXT and _smtp._tls TXT beside the MX
 * answer every check shares, and fetches one policy over HTTPS when the
 * record is valid; TLS-RPT alone asks _smtp._tls TXT. DNSSEC asks the
 * domain's MX, SOA, _dmarc TXT and TXT, DANE _25._tcp TLSA of each MX
 * host, through getdns, which fetches each signer's DS and DNSKEY too
 * (about six queries an answer instead of one).
 */
#ifndef POSTURE_TRANSPORT_CHECK_H
#define POSTURE_TRANSPORT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "dane_check.h"
#include "dnssec_check.h"
#include "domain_check.h"
#include "mta_sts_check.h"

struct transport_result {
	/* MTA-STS and TLS-RPT: one result, as posture mta-sts has it.
	 * sts_ready: it was built from the answers (the step ran). */
	struct mta_sts_result sts;
	bool sts_ready;
	struct spf_need more[MTA_STS_Q_COUNT];
	size_t nmore;
	/* DNSSEC and DANE: ran in the getdns stage (else not run). */
	bool dnssec_ran, dane_ran;
	struct dnssec_result dnssec;
	struct dane_result dane;
};

/*
 * checks_step's contract for CHECK_MTA_STS and CHECK_TLS_RPT. Each run
 * rebuilds the MTA-STS result from the memo: every answer there of the
 * questions of the transport checks in r->mask (MTA-STS: _mta-sts TXT,
 * _smtp._tls TXT, the domain's MX; TLS-RPT: _smtp._tls TXT), so the last
 * step of the two to run holds them all. Done when id's own answers are
 * all in; the verdict is then mta_sts_finish's without the policy
 * (not_fetched for a valid record) until transport_check_fetch runs.
 */
int transport_check_step(struct domain_result *r, enum check_id id, const struct spf_dns *dns,
                         bool *pending, char *need, size_t needlen, uint16_t *need_type);
/* checks_more's: while pending, the other names the step waits for. */
size_t transport_check_more(const struct domain_result *r, const struct spf_need **v);

/*
 * After the DNS rounds, when CHECK_MTA_STS ran: the policy fetched (RFC
 * 8461 3.3: mta_sts_fetch_policy, no redirect followed) when the record
 * is valid and o->no_fetch is not set, then the verdict. Returns 0, or
 * -1 with a reason in err on a program failure (fetcher set-up, memory).
 */
int transport_check_fetch(struct domain_result *r, const struct dns_config *dns,
                          const struct domain_check_opts *o, char *err, size_t errlen);

/*
 * After the DNS rounds, when CHECK_DNSSEC or CHECK_DANE is in r->mask:
 * one getdns batch (dnssec_new on dns with the trust anchors of
 * anchor_file, or the bundled root's when NULL) asking the DNSSEC
 * check's questions and the TLSA of each MX host of r->mx, then both
 * verdicts. Returns 0, or -1 with a reason in err on a program failure
 * (getdns set-up, an unusable anchor file, memory).
 */
int transport_check_dnssec(struct domain_result *r, const struct dns_config *dns,
                           const char *anchor_file, char *err, size_t errlen);

/*
 * The same two stages in pieces, for a scan (scan_fetch.c), which fetches
 * the policies of many domains on one fetcher and validates the answers
 * of many domains in one getdns batch.
 *
 * transport_wants_policy: CHECK_MTA_STS ran and its record is valid, so
 * its policy is worth fetching. transport_policy_add queues the policy's
 * URL on fe (a fetcher with mta_sts_fetch_config's settings: no redirect
 * followed), tagged with the MTA-STS result, and returns 0, or -1 when
 * out of memory; transport_policy_done is the fetch_done_fn of those
 * fetches (arg: an int set to -1 when out of memory). Then
 * transport_policy_finish gives the verdict (no_fetch: the policy was
 * not to be fetched, not_fetched), with or without a fetch; 0 or -1.
 */
bool transport_wants_policy(const struct domain_result *r);
struct fetch;
struct fetch_result;
int transport_policy_add(struct fetch *fe, struct domain_result *r);
int transport_policy_done(void *arg, struct fetch_result *res);
int transport_policy_finish(struct domain_result *r, bool no_fetch);

/*
 * transport_dnssec_begin sets the getdns questions of CHECK_DNSSEC and
 * CHECK_DANE (those in r->mask) and returns how many, or -1 when out of
 * memory; transport_dnssec_move moves them into out[0..n) (to_batch) or
 * back from it, rdata and all (their owner is where they are);
 * transport_dnssec_end gives both verdicts once they are answered
 * (dnssec_resolve), 0 or -1 when out of memory.
 */
int transport_dnssec_begin(struct domain_result *r);
struct dnssec_query;
void transport_dnssec_move(struct domain_result *r, struct dnssec_query *batch, bool to_batch);
int transport_dnssec_end(struct domain_result *r);

/*
 * A transport check of r->mask could not check: MTA-STS or TLS-RPT
 * temperror (mta_sts_inconclusive), DNSSEC or DANE indeterminate, or one
 * of them not run. posture check ignores it (advisory); a scan that asked
 * for the check stores the result as inconclusive, so a night whose
 * transport answers failed is never taken for a good one.
 */
bool transport_check_inconclusive(const struct domain_result *r);

/* Frees r->transport (checks_cleanup calls it). */
void transport_check_cleanup(struct domain_result *r);

/*
 * The objects of posture check --json and of a stored result: "mta_sts"
 * (as posture mta-sts --json), "tls_rpt" ({"status", "record", "rua",
 * "findings"}), "dnssec" (as posture dnssec --json), "dane"
 * (dane_result_write); {"status": "not_run"} for a check not in r->mask
 * or that did not get to run.
 */
struct jsonw;
void transport_mta_sts_write(struct jsonw *w, const struct domain_result *r);
void transport_tls_rpt_write(struct jsonw *w, const struct domain_result *r);
void transport_dnssec_write(struct jsonw *w, const struct domain_result *r);
void transport_dane_write(struct jsonw *w, const struct domain_result *r);
/* The keys of the checks of keys (a CHECK_BIT set) with their objects,
 * in the order above (checks_json_text: those in r->mask). */
void transport_check_write_all(struct jsonw *w, const struct domain_result *r, unsigned keys);

#endif
