/*
 * transport_check.c — MTA-STS, TLS-RPT, DNSSEC and DANE as checks of the
 * framework (see transport_check.h).
 */
#include "transport_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "jsonw.h"
#include "strutil.h"

static struct transport_result *transport_of(struct domain_result *r)
{
	if (r->transport == NULL)
		r->transport = calloc(1, sizeof(*r->transport));
	return r->transport;
}

void transport_check_cleanup(struct domain_result *r)
{
	struct transport_result *t = r->transport;

	if (t == NULL)
		return;
	mta_sts_result_cleanup(&t->sts);
	dnssec_result_cleanup(&t->dnssec);
	dane_result_cleanup(&t->dane);
	free(t);
	r->transport = NULL;
}

/* ---- MTA-STS and TLS-RPT: steps over the memo ---- */

/* Is question q asked for the transport checks of mask? MTA-STS asks all
 * three (its result shows the TLS-RPT record too), TLS-RPT its own. */
static bool asked(unsigned mask, enum mta_sts_question q)
{
	if (mask & CHECK_BIT(CHECK_MTA_STS))
		return true;
	return q == MTA_STS_Q_TLSRPT && (mask & CHECK_BIT(CHECK_TLS_RPT));
}

/* Is q one of check id's own questions (those it waits for)? */
static bool own(enum check_id id, enum mta_sts_question q)
{
	return id == CHECK_MTA_STS || q == MTA_STS_Q_TLSRPT;
}

int transport_check_step(struct domain_result *r, enum check_id id, const struct spf_dns *dns,
                         bool *pending, char *need, size_t needlen, uint16_t *need_type)
{
	struct transport_result *t = transport_of(r);
	char name[DNS_NAME_BUF];
	uint16_t type;

	*pending = false;
	if (t == NULL)
		return -1;
	mta_sts_result_cleanup(&t->sts);
	mta_sts_result_init(&t->sts, r->domain);
	t->sts_ready = true;
	t->nmore = 0;
	for (int k = 0; k < MTA_STS_Q_COUNT; k++) {
		enum mta_sts_question q = (enum mta_sts_question)k;
		const struct dns_answer *a;
		if (!asked(r->mask, q))
			continue;
		/* A name longer than DNS allows cannot exist: no question. */
		if (mta_sts_query(r->domain, q, name, sizeof(name), &type) != 0) {
			if (mta_sts_take_answer(&t->sts, q, NULL) != 0)
				return -1;
			continue;
		}
		a = dns->get(dns->ctx, name, type);
		if (a != NULL) {
			if (mta_sts_take_answer(&t->sts, q, a) != 0)
				return -1;
			continue;
		}
		if (!own(id, q))
			continue;
		if (!*pending) {
			str_copy(need, needlen, name);
			*need_type = type;
			*pending = true;
		} else if (t->nmore < MTA_STS_Q_COUNT) {
			str_copy(t->more[t->nmore].name, sizeof(t->more[t->nmore].name), name);
			t->more[t->nmore++].type = type;
		}
	}
	if (*pending)
		return 0;
	/* The verdict without the policy; transport_check_fetch gives it
	 * with (a scan that does not fetch keeps not_fetched). */
	if (mta_sts_finish(&t->sts, true) != 0)
		return -1;
	r->done[id] = true;
	return 0;
}

size_t transport_check_more(const struct domain_result *r, const struct spf_need **v)
{
	if (r->transport == NULL) {
		*v = NULL;
		return 0;
	}
	*v = r->transport->more;
	return r->transport->nmore;
}

bool transport_wants_policy(const struct domain_result *r)
{
	const struct transport_result *t = r->transport;
	return (r->mask & CHECK_BIT(CHECK_MTA_STS)) && t != NULL && t->sts_ready &&
	       mta_sts_wants_policy(&t->sts);
}

int transport_policy_add(struct fetch *fe, struct domain_result *r)
{
	struct mta_sts_result *s = &r->transport->sts;
	if (mta_sts_policy_url(s->domain, s->policy_url, sizeof(s->policy_url)) != 0)
		return 0; /* cannot happen for a name of 253 bytes: not fetched */
	return fetch_add(fe, s->policy_url, MTA_STS_POLICY_MAX, s) == 0 ? 0 : -1;
}

int transport_policy_done(void *arg, struct fetch_result *res)
{
	int *rc = arg;
	if (mta_sts_take_policy(res->tag, res) != 0)
		*rc = -1;
	return 0;
}

int transport_policy_finish(struct domain_result *r, bool no_fetch)
{
	struct transport_result *t = r->transport;
	struct mta_sts_result *s;

	if (!(r->mask & CHECK_BIT(CHECK_MTA_STS)) || t == NULL || !t->sts_ready)
		return 0;
	s = &t->sts;
	if (mta_sts_wants_policy(s) && s->policy_url[0] == '\0' &&
	    mta_sts_policy_url(s->domain, s->policy_url, sizeof(s->policy_url)) != 0)
		s->policy_url[0] = '\0'; /* cannot happen for a name of 253 bytes */
	return mta_sts_finish(s, no_fetch);
}

int transport_check_fetch(struct domain_result *r, const struct dns_config *dns,
                          const struct domain_check_opts *o, char *err, size_t errlen)
{
	if (!o->no_fetch && transport_wants_policy(r) &&
	    mta_sts_fetch_policy(&r->transport->sts, dns, o, err, errlen) != 0)
		return -1;
	if (transport_policy_finish(r, o->no_fetch) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- DNSSEC and DANE: one getdns batch ---- */

/* Sets the questions: the DNSSEC check's, and the TLSA of each MX host.
 * Returns 0, or -1 when out of memory. */
static int dnssec_questions(struct domain_result *r, struct transport_result *t, bool sec,
                            bool dane)
{
	const char *hosts[CHECKS_MX_HOSTS];
	size_t nh = 0;

	/* A domain whose _dmarc name would be too long keeps that question
	 * unnamed: dnssec_resolve calls it malformed (indeterminate). */
	if (sec)
		(void)dnssec_result_init(&t->dnssec, r->domain);
	if (!dane)
		return 0;
	for (size_t i = 0; r->mx.status == HOST_PRESENT && i < r->mx.nhosts && nh < CHECKS_MX_HOSTS;
	     i++)
		hosts[nh++] = r->mx.hosts[i].host;
	return dane_result_init(&t->dane, r->domain, hosts, nh);
}

int transport_dnssec_begin(struct domain_result *r)
{
	bool sec = (r->mask & CHECK_BIT(CHECK_DNSSEC)) != 0;
	bool dane = (r->mask & CHECK_BIT(CHECK_DANE)) != 0;
	struct transport_result *t;

	if (!sec && !dane)
		return 0;
	t = transport_of(r);
	if (t == NULL || dnssec_questions(r, t, sec, dane) != 0)
		return -1;
	return (int)((sec ? DNSSEC_Q_COUNT : 0) + (dane ? t->dane.nhosts : 0));
}

void transport_dnssec_move(struct domain_result *r, struct dnssec_query *batch, bool to_batch)
{
	struct transport_result *t = r->transport;
	size_t ns = (r->mask & CHECK_BIT(CHECK_DNSSEC)) ? DNSSEC_Q_COUNT : 0;
	size_t nd = (r->mask & CHECK_BIT(CHECK_DANE)) ? t->dane.nhosts : 0;

	if (to_batch) {
		if (ns > 0)
			memcpy(batch, t->dnssec.q, ns * sizeof(*batch));
		if (nd > 0)
			memcpy(batch + ns, t->dane.q, nd * sizeof(*batch));
		return;
	}
	if (ns > 0)
		memcpy(t->dnssec.q, batch, ns * sizeof(*batch));
	if (nd > 0)
		memcpy(t->dane.q, batch + ns, nd * sizeof(*batch));
}

int transport_dnssec_end(struct domain_result *r)
{
	bool sec = (r->mask & CHECK_BIT(CHECK_DNSSEC)) != 0;
	bool dane = (r->mask & CHECK_BIT(CHECK_DANE)) != 0;
	struct transport_result *t = r->transport;

	if (t == NULL)
		return 0;
	if ((sec && dnssec_result_finish(&t->dnssec) != 0) ||
	    (dane && dane_result_finish(&t->dane, r->mx.status) != 0))
		return -1;
	t->dnssec_ran = sec;
	t->dane_ran = dane;
	return 0;
}

int transport_check_dnssec(struct domain_result *r, const struct dns_config *dns,
                           const char *anchor_file, char *err, size_t errlen)
{
	struct dnssec_ctx *c = NULL;
	struct dnssec_query *batch = NULL;
	int n, rc = -1;

	if (!(r->mask & CHECKS_VALIDATING))
		return 0;
	if ((n = transport_dnssec_begin(r)) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Nothing to ask (DANE alone, no MX host): no validator needed. */
	if (n > 0) {
		batch = calloc((size_t)n, sizeof(*batch));
		if (batch == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		c = dnssec_new(dns, anchor_file, err, errlen);
		if (c == NULL)
			goto out;
		transport_dnssec_move(r, batch, true);
		rc = dnssec_resolve(c, batch, (size_t)n, err, errlen);
		/* Back where they belong, rdata and all (owned there from now on). */
		transport_dnssec_move(r, batch, false);
		if (rc != 0)
			goto out;
		rc = -1;
	}
	if (transport_dnssec_end(r) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	dnssec_ctx_free(c);
	free(batch);
	return rc;
}

bool transport_check_inconclusive(const struct domain_result *r)
{
	const struct transport_result *t = r->transport;
	unsigned m = r->mask & (CHECKS_TRANSPORT | CHECKS_VALIDATING);

	if (m == 0)
		return false;
	if (t == NULL)
		return true;
	if ((m & CHECKS_TRANSPORT) && !t->sts_ready)
		return true;
	if ((m & CHECK_BIT(CHECK_MTA_STS)) && mta_sts_inconclusive(&t->sts))
		return true;
	if ((m & CHECK_BIT(CHECK_TLS_RPT)) &&
	    strcmp(mta_sts_tlsrpt_status(&t->sts), "temperror") == 0)
		return true;
	if ((m & CHECK_BIT(CHECK_DNSSEC)) &&
	    (!t->dnssec_ran || t->dnssec.status == DNSSEC_INDETERMINATE))
		return true;
	return (m & CHECK_BIT(CHECK_DANE)) &&
	       (!t->dane_ran || t->dane.status == DANE_INDETERMINATE);
}

/* ---- JSON ---- */

static void not_run_write(struct jsonw *w)
{
	jsonw_obj(w);
	jsonw_kstr(w, "status", "not_run");
	jsonw_end_obj(w);
}

/* r's transport result when check id is in its mask, else NULL. */
static const struct transport_result *ran(const struct domain_result *r, enum check_id id)
{
	return (r->mask & CHECK_BIT(id)) ? r->transport : NULL;
}

void transport_mta_sts_write(struct jsonw *w, const struct domain_result *r)
{
	const struct transport_result *t = ran(r, CHECK_MTA_STS);
	if (t == NULL || !t->sts_ready)
		not_run_write(w);
	else
		mta_sts_write(w, &t->sts);
}

void transport_tls_rpt_write(struct jsonw *w, const struct domain_result *r)
{
	const struct transport_result *t = ran(r, CHECK_TLS_RPT);
	if (t == NULL || !t->sts_ready)
		not_run_write(w);
	else
		mta_sts_tlsrpt_write(w, &t->sts);
}

void transport_dnssec_write(struct jsonw *w, const struct domain_result *r)
{
	const struct transport_result *t = ran(r, CHECK_DNSSEC);
	if (t == NULL || !t->dnssec_ran)
		not_run_write(w);
	else
		dnssec_result_write(w, &t->dnssec);
}

void transport_dane_write(struct jsonw *w, const struct domain_result *r)
{
	const struct transport_result *t = ran(r, CHECK_DANE);
	if (t == NULL || !t->dane_ran)
		not_run_write(w);
	else
		dane_result_write(w, &t->dane);
}

void transport_check_write_all(struct jsonw *w, const struct domain_result *r, unsigned keys)
{
	if (keys & CHECK_BIT(CHECK_MTA_STS)) {
		jsonw_key(w, "mta_sts");
		transport_mta_sts_write(w, r);
	}
	if (keys & CHECK_BIT(CHECK_TLS_RPT)) {
		jsonw_key(w, "tls_rpt");
		transport_tls_rpt_write(w, r);
	}
	if (keys & CHECK_BIT(CHECK_DNSSEC)) {
		jsonw_key(w, "dnssec");
		transport_dnssec_write(w, r);
	}
	if (keys & CHECK_BIT(CHECK_DANE)) {
		jsonw_key(w, "dane");
		transport_dane_write(w, r);
	}
}
