/*
 * mta_sts_check.c — MTA-STS and TLS-RPT for one domain over the DNS
 * adapter and the fetcher (see mta_sts_check.h).
 */
#include "mta_sts_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimi_fetch.h"
#include "checks.h"
#include "fetch_dns.h"
#include "strutil.h"

static const char *const status_names[] = {
	[MTA_STS_CHECK_MISSING] = "missing",         [MTA_STS_CHECK_ENFORCE] = "enforce",
	[MTA_STS_CHECK_TESTING] = "testing",         [MTA_STS_CHECK_NONE] = "none",
	[MTA_STS_CHECK_INVALID] = "invalid",         [MTA_STS_CHECK_TEMPERROR] = "temperror",
	[MTA_STS_CHECK_NOT_FETCHED] = "not_fetched",
};

const char *mta_sts_check_status_name(enum mta_sts_check_status s)
{
	if ((size_t)s < sizeof(status_names) / sizeof(status_names[0]) && status_names[s])
		return status_names[s];
	return "invalid";
}

void mta_sts_result_init(struct mta_sts_result *r, const char *domain)
{
	memset(r, 0, sizeof(*r));
	str_copy(r->domain, sizeof(r->domain), domain);
	r->mx_covered = -1;
}

void mta_sts_result_cleanup(struct mta_sts_result *r)
{
	free(r->record);
	free(r->tlsrpt_txt);
	free(r->mx);
	mta_sts_record_cleanup(&r->rec);
	mta_sts_policy_cleanup(&r->policy);
	tlsrpt_record_cleanup(&r->tlsrpt);
	findings_cleanup(&r->findings);
	r->record = r->tlsrpt_txt = NULL;
	r->mx = NULL;
	r->nmx = 0;
}

int mta_sts_query(const char *domain, enum mta_sts_question q, char *name, size_t namelen,
                  uint16_t *type)
{
	/* RFC 8461 3.1: the record is at _mta-sts; RFC 8460 3: _smtp._tls. */
	static const char *const prefix[MTA_STS_Q_COUNT] = { "_mta-sts.", "_smtp._tls.", "" };
	uint8_t wire[256];
	if ((size_t)q >= MTA_STS_Q_COUNT)
		return -1;
	*type = q == MTA_STS_Q_MX ? DNS_TYPE_MX : DNS_TYPE_TXT;
	if (str_join3(name, namelen, prefix[q], domain, "") >= namelen)
		return -1;
	/* Longer than 255 bytes on the wire: no such name can exist. */
	return dns_name_to_wire(name, wire, sizeof(wire)) < 0 ? -1 : 0;
}

static bool failed(enum dns_outcome o)
{
	return o == DNS_OUTCOME_SERVFAIL || o == DNS_OUTCOME_TIMEOUT || o == DNS_OUTCOME_MALFORMED;
}

/* Copies the first TXT record of a that starts with tag (as published,
 * whole) into *out. Returns 0 or -1 (out of memory). */
static int keep_first(const struct dns_answer *a, const char *tag, char **out, size_t *outlen)
{
	size_t tlen = strlen(tag);
	for (size_t i = 0; i < a->nrr; i++) {
		const struct dns_rr *rr = &a->rr[i];
		if (rr->type != DNS_TYPE_TXT || rr->len < tlen || memcmp(rr->data, tag, tlen) != 0)
			continue;
		*out = malloc(rr->len + 1);
		if (*out == NULL)
			return -1;
		memcpy(*out, rr->data, rr->len);
		(*out)[rr->len] = '\0';
		*outlen = rr->len;
		return 0;
	}
	return 0;
}

/* The TXT records of a as the parsers take them. */
static size_t txt_view(const struct dns_answer *a, const char **txt, size_t *len, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nrr && n < max; i++)
		if (a->rr[i].type == DNS_TYPE_TXT) {
			txt[n] = a->rr[i].data;
			len[n++] = a->rr[i].len;
		}
	return n;
}

static int mx_cmp(const void *x, const void *y)
{
	const struct mta_sts_mx *a = x, *b = y;
	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	return strcmp(a->host, b->host);
}

static int take_mx(struct mta_sts_result *r, const struct dns_answer *a)
{
	free(r->mx);
	r->mx = NULL;
	r->nmx = 0;
	r->null_mx = false;
	if (a->nrr == 0)
		return 0;
	r->mx = calloc(a->nrr, sizeof(*r->mx));
	if (r->mx == NULL)
		return -1;
	for (size_t i = 0; i < a->nrr; i++) {
		const struct dns_rr *rr = &a->rr[i];
		if (rr->type != DNS_TYPE_MX)
			continue;
		/* RFC 7505 3: "0 ." says the domain accepts no mail. */
		if (rr->len == 0 || strcmp(rr->data, ".") == 0) {
			r->null_mx = true;
			continue;
		}
		struct mta_sts_mx *m = &r->mx[r->nmx++];
		str_copy(m->host, sizeof(m->host), rr->data);
		m->pref = rr->pref;
	}
	qsort(r->mx, r->nmx, sizeof(*r->mx), mx_cmp);
	return 0;
}

int mta_sts_take_answer(struct mta_sts_result *r, enum mta_sts_question q,
                        const struct dns_answer *a)
{
	const char *txt[DNS_ANSWER_MAX_RRS];
	size_t len[DNS_ANSWER_MAX_RRS], n;
	char path[DNS_NAME_BUF];
	uint16_t type;

	if ((size_t)q >= MTA_STS_Q_COUNT)
		return -1;
	r->answered[q] = true;
	r->outcome[q] = a != NULL ? a->outcome : DNS_OUTCOME_NXDOMAIN;
	str_copy(r->detail[q], sizeof(r->detail[q]), a != NULL ? a->detail : "no such name");
	if (a == NULL || a->outcome != DNS_OUTCOME_DATA)
		return 0;
	if (mta_sts_query(r->domain, q, path, sizeof(path), &type) != 0)
		str_copy(path, sizeof(path), r->domain);
	switch (q) {
	case MTA_STS_Q_RECORD:
		free(r->record);
		r->record = NULL;
		mta_sts_record_cleanup(&r->rec);
		n = txt_view(a, txt, len, DNS_ANSWER_MAX_RRS);
		if (keep_first(a, "v=STSv1", &r->record, &r->record_len) != 0)
			return -1;
		return mta_sts_record_parse(txt, len, n, path, &r->rec);
	case MTA_STS_Q_TLSRPT:
		free(r->tlsrpt_txt);
		r->tlsrpt_txt = NULL;
		tlsrpt_record_cleanup(&r->tlsrpt);
		n = txt_view(a, txt, len, DNS_ANSWER_MAX_RRS);
		if (keep_first(a, "v=TLSRPTv1", &r->tlsrpt_txt, &r->tlsrpt_len) != 0)
			return -1;
		return tlsrpt_record_parse(txt, len, n, path, &r->tlsrpt);
	default:
		return take_mx(r, a);
	}
}

bool mta_sts_wants_policy(const struct mta_sts_result *r)
{
	return r->answered[MTA_STS_Q_RECORD] && r->outcome[MTA_STS_Q_RECORD] == DNS_OUTCOME_DATA &&
	       r->rec.status == MTA_STS_RECORD_OK;
}

int mta_sts_policy_url(const char *domain, char *out, size_t outlen)
{
	/* RFC 8461 3.3: "https://mta-sts.example.com/.well-known/mta-sts.txt". */
	int n = snprintf(out, outlen, "https://mta-sts.%s/.well-known/mta-sts.txt", domain);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

void mta_sts_fetch_config(const struct domain_check_opts *o, struct fetch_config *cfg)
{
	fetch_config_init(cfg);
	cfg->ca_file = o->ca_file;
	cfg->connect_to = o->connect_to;
	cfg->n_connect_to = o->n_connect_to;
	cfg->allow_ports = o->allow_port;
	cfg->n_allow_ports = o->n_allow_port;
	/* RFC 8461 3.3: "HTTP 3xx redirects MUST NOT be followed". */
	cfg->max_redirects = 0;
}

int mta_sts_take_policy(struct mta_sts_result *r, struct fetch_result *res)
{
	struct mta_sts_fetched *x = &r->fetch;
	x->attempted = true;
	x->status = res->status;
	x->temporary = res->temporary;
	x->http_code = res->http_code;
	str_copy(x->content_type, sizeof(x->content_type), res->content_type);
	if (r->policy_url[0] == '\0')
		str_copy(r->policy_url, sizeof(r->policy_url), res->url);
	/* The fetcher's reasons start "URL: "; the findings' path says it. */
	size_t ulen = strlen(r->policy_url);
	const char *why = res->reason;
	if (ulen > 0 && strncmp(why, r->policy_url, ulen) == 0 && strncmp(why + ulen, ": ", 2) == 0)
		why += ulen + 2;
	str_copy(x->reason, sizeof(x->reason), why);
	mta_sts_policy_cleanup(&r->policy);
	r->policy_read = false;
	if (res->status != FETCH_OK)
		return 0;
	r->policy_read = true;
	return mta_sts_policy_parse((const char *)res->body, res->len, r->policy_url, &r->policy);
}

static enum mta_sts_check_status mode_status(enum mta_sts_mode m)
{
	return m == MTA_STS_MODE_ENFORCE   ? MTA_STS_CHECK_ENFORCE
	       : m == MTA_STS_MODE_TESTING ? MTA_STS_CHECK_TESTING
	                                   : MTA_STS_CHECK_NONE;
}

/* A fetch that got a body: the media type, then the policy's reading. */
static enum mta_sts_check_status body_verdict(struct mta_sts_result *r, struct findings *f)
{
	const struct mta_sts_fetched *x = &r->fetch;
	/* RFC 8461 3.3: the policy is served with media type "text/plain". */
	bool type_ok = mta_sts_content_type_ok(x->content_type);
	if (!type_ok)
		findings_add(f, "mta_sts.policy_content_type", FINDING_ERROR, r->policy_url,
		             "Serve the policy file as text/plain (a charset parameter is fine).",
		             "The policy is served as '%s', not text/plain (RFC 8461 3.3): senders "
		             "may refuse it, and then the domain has no policy",
		             x->content_type[0] ? x->content_type : "(no Content-Type)");
	if (!r->policy_read || !r->policy.valid || !type_ok)
		return MTA_STS_CHECK_INVALID;
	return mode_status(r->policy.mode);
}

#define REDIRECT_FIX                                                                               \
	"Serve the policy file itself at https://mta-sts.<domain>/.well-known/mta-sts.txt with "   \
	"HTTP 200, not a redirect to it."

/* What the fetch of the policy gives (RFC 8461 3.3). */
static enum mta_sts_check_status policy_verdict(struct mta_sts_result *r, struct findings *f)
{
	const struct mta_sts_fetched *x = &r->fetch;
	const char *url = r->policy_url;
	if (x->status == FETCH_OK)
		return body_verdict(r, f);
	if (x->status == FETCH_REDIRECT_LIMIT || x->status == FETCH_REDIRECT_INSECURE ||
	    (x->status == FETCH_HTTP_STATUS && fetch_is_redirect(x->http_code))) {
		/* RFC 8461 3.3: "HTTP 3xx redirects MUST NOT be followed". */
		/* The fetcher's "more than 0 redirects (the next to URL)". */
		const char *to = strstr(x->reason, "(the next to ");
		int tolen = to != NULL ? (int)strlen(to + 13) - 1 : 0;
		if (to != NULL && tolen > 0)
			findings_add(f, "mta_sts.policy_redirect", FINDING_ERROR, url, REDIRECT_FIX,
			             "The policy URL answers HTTP %ld, a redirect to %.*s, which "
			             "senders must not follow (RFC 8461 3.3): the domain has no "
			             "policy",
			             x->http_code, tolen, to + 13);
		else
			findings_add(
			        f, "mta_sts.policy_redirect", FINDING_ERROR, url, REDIRECT_FIX,
			        "The policy URL answers HTTP %ld, a redirect (%s), which senders "
			        "must not follow (RFC 8461 3.3): the domain has no policy",
			        x->http_code, x->reason);
		return MTA_STS_CHECK_INVALID;
	}
	if (x->status == FETCH_TLS) {
		findings_add(f, "mta_sts.policy_tls", FINDING_ERROR, url,
		             "Serve mta-sts.<domain> with a certificate valid for that name from a "
		             "public CA (the name in the certificate's subjectAltName).",
		             "%s: RFC 8461 3.3 requires a certificate valid for mta-sts.%s, so "
		             "senders have no policy",
		             x->reason, r->domain);
		return MTA_STS_CHECK_INVALID;
	}
	if (x->temporary) {
		findings_add(f, "mta_sts.policy_fetch_failed", FINDING_WARNING, url,
		             "Make sure mta-sts.<domain> answers over HTTPS on port 443.",
		             "The policy could not be fetched now (%s): no verdict", x->reason);
		return MTA_STS_CHECK_TEMPERROR;
	}
	findings_add(f, "mta_sts.policy_fetch_failed", FINDING_ERROR, url,
	             "Publish the policy file at https://mta-sts.<domain>/.well-known/mta-sts.txt "
	             "(HTTP 200, text/plain), or remove the _mta-sts record.",
	             "The record announces a policy, but it cannot be fetched (%s): senders "
	             "have no policy (RFC 8461 3.1)",
	             x->reason);
	return MTA_STS_CHECK_INVALID;
}

static void dns_temperror(struct findings *f, const char *code, const struct mta_sts_result *r,
                          enum mta_sts_question q, const char *what)
{
	char name[DNS_NAME_BUF];
	uint16_t type;
	if (mta_sts_query(r->domain, q, name, sizeof(name), &type) != 0)
		str_copy(name, sizeof(name), r->domain);
	findings_add(f, code, FINDING_WARNING, name,
	             "Try again later; if it lasts, fix the zone's "
	             "name servers.",
	             "%s %s could not be read (%s%s%s): %s", name,
	             type == DNS_TYPE_MX ? "MX" : "TXT", dns_outcome_name(r->outcome[q]),
	             r->detail[q][0] ? ", " : "", r->detail[q], what);
}

/* RFC 8461 4.1: every MX host must match one of the policy's mx
 * patterns; in enforce mode senders refuse the ones that do not. */
static void coverage(struct mta_sts_result *r, struct findings *f)
{
	bool enforce = r->status == MTA_STS_CHECK_ENFORCE;
	char path[DNS_NAME_BUF + 4];
	if (!r->answered[MTA_STS_Q_MX] || failed(r->outcome[MTA_STS_Q_MX])) {
		dns_temperror(f, "mta_sts.temperror", r, MTA_STS_Q_MX,
		              "whether the policy covers every MX host is unknown");
		return;
	}
	snprintf(path, sizeof(path), "%s MX", r->domain);
	if (r->nmx == 0) {
		findings_add(f, "mta_sts.no_mx", FINDING_WARNING, path,
		             "Publish the domain's MX records, or remove the MTA-STS policy of a "
		             "domain that takes no mail.",
		             r->null_mx
		                     ? "The domain publishes a null MX (RFC 7505: it accepts no "
		                       "mail): its MTA-STS policy protects nothing"
		                     : "The domain has no MX record: MTA-STS protects delivery to "
		                       "MX hosts (RFC 8461 4.1), so its policy protects nothing");
		return;
	}
	r->mx_covered = 1;
	for (size_t i = 0; i < r->nmx; i++) {
		struct mta_sts_mx *m = &r->mx[i];
		m->pattern = mta_sts_mx_covered(&r->policy, m->host);
		if (m->pattern != NULL)
			continue;
		r->mx_covered = 0;
		findings_add(f, "mta_sts.mx_not_covered", enforce ? FINDING_ERROR : FINDING_WARNING,
		             path,
		             "Add an mx: line for the host (or a *. pattern covering its leftmost "
		             "label) to the policy, and change the record's id.",
		             enforce ? "MX host %s matches no mx pattern of the policy (mode "
		                       "enforce): mail to that MX would be refused by senders that "
		                       "enforce"
		                     : "MX host %s matches no mx pattern of the policy (mode "
		                       "testing): senders report the failures now and would refuse "
		                       "that MX once the mode is enforce",
		             m->host);
	}
}

static void tlsrpt_verdict(struct mta_sts_result *r)
{
	if (r->answered[MTA_STS_Q_TLSRPT] && !failed(r->outcome[MTA_STS_Q_TLSRPT]))
		return;
	/* Said by an earlier mta_sts_finish (before the policy fetch). */
	if (findings_has(&r->tlsrpt.findings, "tls_rpt.temperror"))
		return;
	dns_temperror(&r->tlsrpt.findings, "tls_rpt.temperror", r, MTA_STS_Q_TLSRPT,
	              "whether the domain asks for TLS reports is unknown (status temperror)");
}

static enum mta_sts_check_status record_verdict(struct mta_sts_result *r, bool no_fetch,
                                                struct findings *f)
{
	if (!r->answered[MTA_STS_Q_RECORD] || failed(r->outcome[MTA_STS_Q_RECORD])) {
		dns_temperror(f, "mta_sts.temperror", r, MTA_STS_Q_RECORD,
		              "no verdict (status temperror)");
		return MTA_STS_CHECK_TEMPERROR;
	}
	if (r->outcome[MTA_STS_Q_RECORD] != DNS_OUTCOME_DATA ||
	    r->rec.status == MTA_STS_RECORD_NONE)
		return MTA_STS_CHECK_MISSING;
	if (r->rec.status != MTA_STS_RECORD_OK)
		return MTA_STS_CHECK_INVALID;
	if (no_fetch || !r->fetch.attempted)
		return MTA_STS_CHECK_NOT_FETCHED;
	return policy_verdict(r, f);
}

int mta_sts_finish(struct mta_sts_result *r, bool no_fetch)
{
	struct findings own = { 0 };
	int rc = 0;
	findings_cleanup(&r->findings);
	memset(&r->findings, 0, sizeof(r->findings));
	r->mx_covered = -1;
	r->status = record_verdict(r, no_fetch, &own);
	if (r->status == MTA_STS_CHECK_ENFORCE || r->status == MTA_STS_CHECK_TESTING)
		coverage(r, &own);
	tlsrpt_verdict(r);
	if (findings_extend(&r->findings, &r->rec.findings) != 0 ||
	    (r->policy_read && findings_extend(&r->findings, &r->policy.findings) != 0) ||
	    findings_extend(&r->findings, &own) != 0)
		rc = -1;
	findings_cleanup(&own);
	return rc;
}

bool mta_sts_inconclusive(const struct mta_sts_result *r)
{
	if (r->status == MTA_STS_CHECK_TEMPERROR)
		return true;
	if (!r->answered[MTA_STS_Q_TLSRPT] || failed(r->outcome[MTA_STS_Q_TLSRPT]))
		return true;
	return (r->status == MTA_STS_CHECK_ENFORCE || r->status == MTA_STS_CHECK_TESTING) &&
	       (!r->answered[MTA_STS_Q_MX] || failed(r->outcome[MTA_STS_Q_MX]));
}

const char *mta_sts_tlsrpt_status(const struct mta_sts_result *r)
{
	if (!r->answered[MTA_STS_Q_TLSRPT] || failed(r->outcome[MTA_STS_Q_TLSRPT]))
		return "temperror";
	return tlsrpt_status_name(r->tlsrpt.status);
}

/* ---- JSON ---- */

static void policy_write(struct jsonw *w, const struct mta_sts_result *r)
{
	const struct mta_sts_policy *p = &r->policy;
	if (!r->policy_read || !p->valid) {
		jsonw_null(w);
		return;
	}
	jsonw_obj(w);
	jsonw_kstr(w, "mode", mta_sts_mode_name(p->mode));
	jsonw_key(w, "mx");
	jsonw_arr(w);
	for (size_t i = 0; i < p->nmx; i++)
		jsonw_str(w, p->mx[i]);
	jsonw_end_arr(w);
	if (p->max_age >= 0)
		jsonw_kint(w, "max_age", p->max_age);
	else
		jsonw_knull(w, "max_age");
	jsonw_end_obj(w);
}

void mta_sts_tlsrpt_write(struct jsonw *w, const struct mta_sts_result *r)
{
	jsonw_obj(w);
	jsonw_kstr(w, "status", mta_sts_tlsrpt_status(r));
	if (r->tlsrpt_txt != NULL)
		jsonw_kstrn(w, "record", r->tlsrpt_txt, r->tlsrpt_len);
	else
		jsonw_knull(w, "record");
	jsonw_key(w, "rua");
	jsonw_arr(w);
	for (size_t i = 0; i < r->tlsrpt.nrua; i++)
		jsonw_str(w, r->tlsrpt.rua[i].uri);
	jsonw_end_arr(w);
	jsonw_key(w, "findings");
	findings_write(w, &r->tlsrpt.findings);
	jsonw_end_obj(w);
}

void mta_sts_write(struct jsonw *w, const struct mta_sts_result *r)
{
	jsonw_obj(w);
	jsonw_kstr(w, "domain", r->domain);
	jsonw_kstr(w, "status", mta_sts_check_status_name(r->status));
	if (r->record != NULL)
		jsonw_kstrn(w, "record", r->record, r->record_len);
	else
		jsonw_knull(w, "record");
	if (r->rec.status == MTA_STS_RECORD_OK)
		jsonw_kstr(w, "id", r->rec.id);
	else
		jsonw_knull(w, "id");
	jsonw_key(w, "policy");
	policy_write(w, r);
	if (r->mx_covered < 0)
		jsonw_knull(w, "mx_covered");
	else
		jsonw_kbool(w, "mx_covered", r->mx_covered == 1);
	jsonw_key(w, "findings");
	findings_write(w, &r->findings);
	jsonw_key(w, "mx");
	jsonw_arr(w);
	for (size_t i = 0; i < r->nmx; i++)
		jsonw_str(w, r->mx[i].host);
	jsonw_end_arr(w);
	jsonw_key(w, "tls_rpt");
	mta_sts_tlsrpt_write(w, r);
	jsonw_end_obj(w);
}

/* ---- the policy fetch ---- */

static int policy_done(void *arg, struct fetch_result *res)
{
	int *rc = arg;
	*rc = mta_sts_take_policy(res->tag, res);
	return 0;
}

int mta_sts_fetch_policy(struct mta_sts_result *r, const struct dns_config *dns,
                         const struct domain_check_opts *o, char *err, size_t errlen)
{
	struct fetch_config cfg;
	struct fetch_dns *fd = NULL;
	int taken = 0, rc = -1;
	if (mta_sts_policy_url(r->domain, r->policy_url, sizeof(r->policy_url)) != 0) {
		snprintf(err, errlen, "the policy URL of %s is too long", r->domain);
		return -1;
	}
	mta_sts_fetch_config(o, &cfg);
	struct fetch *fe = bimi_fetcher_new(dns, NULL, &cfg, &fd, err, errlen);
	if (fe == NULL)
		return -1;
	int added = fetch_add(fe, r->policy_url, MTA_STS_POLICY_MAX, r);
	int ran = added == 0 ? fetch_run(fe, policy_done, &taken) : 0;
	if (ran != 0)
		snprintf(err, errlen, "the HTTPS fetcher failed");
	else if (added != 0 || taken != 0)
		snprintf(err, errlen, "out of memory");
	else
		rc = 0;
	fetch_free(fe);
	fetch_dns_free(fd);
	return rc;
}
