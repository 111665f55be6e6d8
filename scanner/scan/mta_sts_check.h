/*
 * mta_sts_check.h — MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for one
 * domain, end to end: the DNS questions (_mta-sts.DOMAIN TXT,
 * _smtp._tls.DOMAIN TXT, DOMAIN MX) over the DNS adapter, the policy at
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt over the fetcher, and the
 * verdict. The reading of records and policies is the pure transport.h's;
 * this file decides what the answers and the fetch add up to.
 *
 * The steps are separate so that a scan can feed its own answers and run
 * the fetch in its own HTTPS stage: mta_sts_result_init, then
 * mta_sts_query for each of the MTA_STS_Q_* questions and
 * mta_sts_take_answer with each answer, then (when mta_sts_wants_policy)
 * the fetch of mta_sts_policy_url with mta_sts_fetch_config's settings
 * into mta_sts_take_policy, then mta_sts_finish. transport_check.c
 * drives them as a check of the framework (posture mta-sts and posture
 * check both run it through domain_check_run).
 *
 * Statuses: enforce, testing, none (the policy's mode); missing (no
 * v=STSv1 record); invalid (the record is invalid, or the policy cannot
 * be fetched under RFC 8461 3.3's rules or is invalid: RFC 8461 3.1 and
 * 3.3 make either "no policy", and the findings say why); temperror (the
 * TXT question failed, or the fetch failed for now); not_fetched (a valid
 * record and --no-fetch). A DNS failure is never "missing".
 */
#ifndef POSTURE_MTA_STS_CHECK_H
#define POSTURE_MTA_STS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "domain_check.h"
#include "fetch.h"
#include "jsonw.h"
#include "transport.h"

enum mta_sts_check_status {
	MTA_STS_CHECK_MISSING = 0,
	MTA_STS_CHECK_ENFORCE,
	MTA_STS_CHECK_TESTING,
	MTA_STS_CHECK_NONE,
	MTA_STS_CHECK_INVALID,
	MTA_STS_CHECK_TEMPERROR,
	MTA_STS_CHECK_NOT_FETCHED,
};
/* "missing", "enforce", "testing", "none", "invalid", "temperror",
 * "not_fetched". */
const char *mta_sts_check_status_name(enum mta_sts_check_status s);

/* The questions of one domain. */
enum mta_sts_question {
	MTA_STS_Q_RECORD = 0, /* _mta-sts.DOMAIN TXT */
	MTA_STS_Q_TLSRPT,     /* _smtp._tls.DOMAIN TXT */
	MTA_STS_Q_MX,         /* DOMAIN MX */
	MTA_STS_Q_COUNT,
};

struct mta_sts_mx {
	char host[DNS_NAME_BUF]; /* canonical presentation form */
	uint16_t pref;
	const char *pattern; /* the policy's mx pattern covering it, or NULL */
};

/* How the policy fetch ended (attempted false: never fetched). */
struct mta_sts_fetched {
	bool attempted;
	enum fetch_status status;
	bool temporary;
	long http_code;
	char content_type[FETCH_CONTENT_TYPE_MAX];
	char reason[FETCH_REASON_MAX];
};

struct mta_sts_result {
	char domain[DNS_NAME_BUF];
	enum mta_sts_check_status status;
	/* Answers taken: which questions were answered, and how. */
	bool answered[MTA_STS_Q_COUNT];
	enum dns_outcome outcome[MTA_STS_Q_COUNT];
	char detail[MTA_STS_Q_COUNT][DNS_DETAIL_MAX];
	/* _mta-sts: the first TXT record that starts with v=STSv1, as
	 * published (malloc'd, NUL-terminated past record_len), and the
	 * parser's reading of them all. */
	char *record;
	size_t record_len;
	struct mta_sts_record rec;
	/* The policy: the URL, the fetch, and (when a body came) its reading. */
	char policy_url[FETCH_URL_MAX + 1];
	struct mta_sts_fetched fetch;
	bool policy_read; /* a body came and was parsed into policy */
	struct mta_sts_policy policy;
	/* MX hosts (malloc'd), by preference then name; null_mx: the
	 * domain published "0 ." (RFC 7505), which is not listed. */
	struct mta_sts_mx *mx;
	size_t nmx;
	bool null_mx;
	/* 1 every MX host covered, 0 one is not, -1 unknown (no usable
	 * policy in enforce or testing, no MX, or the MX question failed). */
	int mx_covered;
	/* _smtp._tls: the first v=TLSRPTv1 record as published, the reading;
	 * tlsrpt.findings also holds tlsrpt.temperror. */
	char *tlsrpt_txt;
	size_t tlsrpt_len;
	struct tlsrpt_record tlsrpt;
	/* MTA-STS findings: the record's, the policy's, then the check's. */
	struct findings findings;
};

/* Clears r for domain (canonical). */
void mta_sts_result_init(struct mta_sts_result *r, const char *domain);
void mta_sts_result_cleanup(struct mta_sts_result *r);

/*
 * The name and type of question q for domain. Returns 0, or -1 when the
 * name would be longer than a DNS name (such a name cannot exist: give
 * mta_sts_take_answer nothing and it counts as NXDOMAIN).
 */
int mta_sts_query(const char *domain, enum mta_sts_question q, char *name, size_t namelen,
                  uint16_t *type);

/* Takes the answer to question q (NULL: the name cannot exist). Returns
 * 0, or -1 on allocation failure. */
int mta_sts_take_answer(struct mta_sts_result *r, enum mta_sts_question q,
                        const struct dns_answer *a);

/* True when the record was read and is valid: its policy is worth
 * fetching. */
bool mta_sts_wants_policy(const struct mta_sts_result *r);

/* Writes https://mta-sts.DOMAIN/.well-known/mta-sts.txt (RFC 8461 3.3).
 * Returns 0, or -1 when it does not fit. */
int mta_sts_policy_url(const char *domain, char *out, size_t outlen);

/*
 * The fetcher settings of RFC 8461 3.3 over the shared options (trust
 * store, connect_to, allowed ports): no redirect followed
 * (max_redirects 0), the fetcher's other defaults. cfg.resolve is left
 * unset (bimi_fetcher_new sets posture's resolver).
 */
void mta_sts_fetch_config(const struct domain_check_opts *o, struct fetch_config *cfg);

/* Takes the fetch of the policy (r->body is taken when it came). Returns
 * 0, or -1 on allocation failure. */
int mta_sts_take_policy(struct mta_sts_result *r, struct fetch_result *res);

/*
 * Fetches r's policy (mta_sts_policy_url of r->domain) over a fetcher of
 * its own with mta_sts_fetch_config's settings and takes it
 * (mta_sts_take_policy); posture mta-sts and posture check's fetch stage
 * (transport_check.h) call it. Returns 0, or -1 with a reason in err on a
 * program failure (fetcher set-up, memory); a policy that cannot be
 * fetched is a verdict, never a failure.
 */
int mta_sts_fetch_policy(struct mta_sts_result *r, const struct dns_config *dns,
                         const struct domain_check_opts *o, char *err, size_t errlen);

/*
 * The verdict from what was taken: status, mx_covered, the findings.
 * no_fetch: the policy was not to be fetched (not_fetched). It may run
 * again once more is taken (posture check: after the DNS step, then
 * after the fetch). Returns 0, or -1 on allocation failure.
 */
int mta_sts_finish(struct mta_sts_result *r, bool no_fetch);

/* True when a DNS failure or a temporary fetch failure left the verdict
 * open: status temperror, TLS-RPT temperror, or a policy in enforce or
 * testing whose MX question failed. */
bool mta_sts_inconclusive(const struct mta_sts_result *r);

/* "none", "ok", "invalid" as tlsrpt_status_name, or "temperror" when
 * the question failed. */
const char *mta_sts_tlsrpt_status(const struct mta_sts_result *r);

/*
 * The JSON object of posture mta-sts --json (and later of posture check's
 * "mta_sts"): {"domain", "status", "record", "id", "policy": {"mode",
 * "mx": [...], "max_age"} or null, "mx_covered": true, false or null,
 * "findings": [...], "mx": [hosts], "tls_rpt": {"status", "record",
 * "rua": [...], "findings": [...]}}. policy is null unless a body was
 * fetched and read as a valid policy (the status says whether senders
 * may use it: one served as another media type is invalid); published
 * text that is not UTF-8 is written as jsonw writes it.
 */
void mta_sts_write(struct jsonw *w, const struct mta_sts_result *r);
/* The "tls_rpt" object alone (posture check will write it beside
 * "mta_sts"). */
void mta_sts_tlsrpt_write(struct jsonw *w, const struct mta_sts_result *r);

#endif
