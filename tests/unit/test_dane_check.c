/*
 * Unit tests for DANE for MX (scanner/scan/dane_check.h: each MX host's
 * TLSA answer judged, the domain's status, JSON) and for the transport
 * checks as checks of the framework (scanner/scan/transport_check.h:
 * MTA-STS and TLS-RPT as steps over a memo, the objects of a result that
 * appear only when their check ran).
 *
 * Answers and TLSA rdata are built by hand; every expected value is
 * written from RFC 6698 / RFC 7672 and the rules of dane_check.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks.h"
#include "dane_check.h"
#include "jsonw.h"
#include "memo.h"
#include "transport_check.h"

/* ---- TLSA answers, by hand ---------------------------------------------- */

/* One TLSA rdata: usage, selector, matching type, then n bytes 0x00..n-1. */
static uint8_t *tlsa_rdata(uint8_t usage, uint8_t selector, uint8_t mtype, size_t n, size_t *len)
{
	uint8_t *r = malloc(3 + n);
	if (r == NULL)
		abort();
	r[0] = usage;
	r[1] = selector;
	r[2] = mtype;
	for (size_t i = 0; i < n; i++)
		r[3 + i] = (uint8_t)i;
	*len = 3 + n;
	return r;
}

/* q as dnssec_resolve leaves it: name, status, outcome, and (with rdata)
 * one record. */
static void set_query(struct dnssec_query *q, const char *name, enum dnssec_status st,
                      enum dns_outcome o, uint8_t *rdata, size_t len)
{
	memset(q, 0, sizeof(*q));
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->type = DNS_TYPE_TLSA;
	q->status = st;
	q->outcome = o;
	if (rdata != NULL) {
		q->rdata = malloc(sizeof(*q->rdata));
		q->rdlen = malloc(sizeof(*q->rdlen));
		if (q->rdata == NULL || q->rdlen == NULL)
			abort();
		q->rdata[0] = rdata;
		q->rdlen[0] = len;
		q->nrdata = 1;
	}
}

static bool has(const struct findings *f, const char *code)
{
	return findings_has(f, code) != 0;
}

#define MXNAME "_25._tcp.mx.example.com"

/* Judges one host whose single TLSA record is (usage, selector, mtype)
 * with a digest of n bytes, in an answer of status st. */
static enum dane_host_status judge_one(uint8_t usage, uint8_t sel, uint8_t mtype, size_t n,
                                       enum dnssec_status st, struct findings *f, int *usable)
{
	struct dnssec_query q;
	struct dane_host h;
	size_t len;
	uint8_t *rd = tlsa_rdata(usage, sel, mtype, n, &len);

	memset(&h, 0, sizeof(h));
	snprintf(h.host, sizeof(h.host), "mx.example.com");
	set_query(&q, MXNAME, st, DNS_OUTCOME_DATA, rd, len);
	assert_int_equal(dane_host_judge(&h, &q, f), 0);
	*usable = h.usable;
	enum dane_host_status s = h.status;
	free(h.rec);
	dnssec_query_free(&q, 1);
	return s;
}

/* ---- names ---------------------------------------------------------------- */

static void test_tlsa_name(void **state)
{
	(void)state;
	char out[DNS_NAME_BUF], host[300];

	assert_int_equal(dane_tlsa_name("MX.Example.COM", out, sizeof(out)), 0);
	assert_string_equal(out, "_25._tcp.mx.example.com");
	assert_int_equal(dane_tlsa_name("mx1.example.net.", out, sizeof(out)), 0);
	assert_string_equal(out, "_25._tcp.mx1.example.net");
	/* 4 labels of 60 bytes: 244 bytes, and "_25._tcp." makes 253. */
	memset(host, 0, sizeof(host));
	for (size_t i = 0; i < 4; i++) {
		memset(host + i * 61, 'a', 60);
		if (i < 3)
			host[i * 61 + 60] = '.';
	}
	assert_int_equal(strlen(host), 243);
	assert_int_equal(dane_tlsa_name(host, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 252);
	/* Three more bytes and the name is over 253: no TLSA can be there. */
	memcpy(host + 243, ".bb", 4);
	assert_int_equal(dane_tlsa_name(host, out, sizeof(out)), -1);
}

/* ---- one host ------------------------------------------------------------- */

static void test_host_secure(void **state)
{
	(void)state;
	struct findings f = { 0 };
	int usable;

	/* 3 1 1 and a 32-byte SHA-256: DANE-EE, usable (RFC 7672 3.1.1). */
	assert_int_equal(judge_one(3, 1, 1, 32, DNSSEC_SECURE, &f, &usable), DANE_HOST_USABLE);
	assert_int_equal(usable, 1);
	assert_int_equal(f.n, 0);
	/* 2 0 2 and a 64-byte SHA-512: DANE-TA, usable. */
	assert_int_equal(judge_one(2, 0, 2, 64, DNSSEC_SECURE, &f, &usable), DANE_HOST_USABLE);
	assert_int_equal(f.n, 0);
	/* 1 1 1: PKIX-EE, which SMTP does not use (RFC 7672 3.1.3). */
	assert_int_equal(judge_one(1, 1, 1, 32, DNSSEC_SECURE, &f, &usable), DANE_HOST_UNUSABLE);
	assert_int_equal(usable, 0);
	assert_true(has(&f, "dane.pkix_usage"));
	assert_true(has(&f, "dane.no_usable"));
	findings_cleanup(&f);
	/* 3 1 1 with a 20-byte digest: matches no certificate. */
	assert_int_equal(judge_one(3, 1, 1, 20, DNSSEC_SECURE, &f, &usable), DANE_HOST_UNUSABLE);
	assert_true(has(&f, "dane.bad_digest_length"));
	assert_true(has(&f, "dane.no_usable"));
	findings_cleanup(&f);
}

static void test_host_not_secure(void **state)
{
	(void)state;
	struct findings f = { 0 };
	int usable;

	/* Insecure: the records are not used (RFC 7672 2.2). */
	assert_int_equal(judge_one(3, 1, 1, 32, DNSSEC_INSECURE, &f, &usable), DANE_HOST_UNUSABLE);
	assert_int_equal(usable, 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].code, "dane.insecure");
	assert_string_equal(f.v[0].path, MXNAME);
	findings_cleanup(&f);
	/* Bogus: the answer fails validation. */
	assert_int_equal(judge_one(3, 1, 1, 32, DNSSEC_BOGUS, &f, &usable), DANE_HOST_UNUSABLE);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].code, "dane.bogus");
	assert_int_equal(f.v[0].severity, FINDING_ERROR);
	findings_cleanup(&f);
	/* No chain of trust: a usable-looking record waits (no verdict)... */
	assert_int_equal(judge_one(3, 1, 1, 32, DNSSEC_INDETERMINATE, &f, &usable),
	                 DANE_HOST_INDETERMINATE);
	assert_int_equal(usable, 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].code, "dane.indeterminate");
	assert_int_equal(f.v[0].severity, FINDING_WARNING);
	findings_cleanup(&f);
	/* ...but a PKIX-only set is unusable whatever the chain says. */
	assert_int_equal(judge_one(0, 0, 1, 32, DNSSEC_INDETERMINATE, &f, &usable),
	                 DANE_HOST_UNUSABLE);
	assert_true(has(&f, "dane.no_usable"));
	assert_false(has(&f, "dane.indeterminate"));
	findings_cleanup(&f);
}

static void test_host_no_records(void **state)
{
	(void)state;
	struct findings f = { 0 };
	struct dnssec_query q;
	struct dane_host h;
	size_t len;

	memset(&h, 0, sizeof(h));
	snprintf(h.host, sizeof(h.host), "mx.example.com");
	/* NXDOMAIN, secure or insecure: none, and nothing to say. */
	set_query(&q, MXNAME, DNSSEC_SECURE, DNS_OUTCOME_NXDOMAIN, NULL, 0);
	assert_int_equal(dane_host_judge(&h, &q, &f), 0);
	assert_int_equal(h.status, DANE_HOST_NONE);
	set_query(&q, MXNAME, DNSSEC_INSECURE, DNS_OUTCOME_NODATA, NULL, 0);
	assert_int_equal(dane_host_judge(&h, &q, &f), 0);
	assert_int_equal(h.status, DANE_HOST_NONE);
	assert_int_equal(f.n, 0);
	/* A bogus denial: validating senders get no answer at all. */
	set_query(&q, MXNAME, DNSSEC_BOGUS, DNS_OUTCOME_NXDOMAIN, NULL, 0);
	assert_int_equal(dane_host_judge(&h, &q, &f), 0);
	assert_int_equal(h.status, DANE_HOST_UNUSABLE);
	assert_true(has(&f, "dane.bogus"));
	findings_cleanup(&f);
	/* The lookup failed: no verdict, never none. */
	set_query(&q, MXNAME, DNSSEC_INDETERMINATE, DNS_OUTCOME_SERVFAIL, NULL, 0);
	snprintf(q.detail, sizeof(q.detail), "the resolver answered REFUSED");
	assert_int_equal(dane_host_judge(&h, &q, &f), 0);
	assert_int_equal(h.status, DANE_HOST_INDETERMINATE);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].code, "dane.indeterminate");
	assert_non_null(strstr(f.v[0].message, "servfail: the resolver answered REFUSED"));
	findings_cleanup(&f);
	/* Data too short to be a TLSA record (3 bytes): unusable. */
	uint8_t *rd = tlsa_rdata(3, 1, 1, 0, &len);
	set_query(&q, MXNAME, DNSSEC_SECURE, DNS_OUTCOME_DATA, rd, len);
	assert_int_equal(dane_host_judge(&h, &q, &f), 0);
	assert_int_equal(h.status, DANE_HOST_UNUSABLE);
	assert_int_equal(h.nrec, 0);
	assert_true(has(&f, "dane.no_usable"));
	findings_cleanup(&f);
	dnssec_query_free(&q, 1);
	free(h.rec);
}

/* ---- the domain ----------------------------------------------------------- */

static void test_combine(void **state)
{
	(void)state;
	const enum dane_host_status U = DANE_HOST_USABLE, X = DANE_HOST_UNUSABLE,
	                            N = DANE_HOST_NONE, I = DANE_HOST_INDETERMINATE;
	struct {
		size_t n;
		enum dane_status want;
		enum dane_host_status v[3];
	} cases[] = {
		{ 1, DANE_OK, { U } },
		{ 3, DANE_OK, { U, U, U } },
		{ 2, DANE_PARTIAL, { U, N } },
		{ 2, DANE_PARTIAL, { U, X } },
		/* Definitely partial, whatever the open host holds. */
		{ 3, DANE_PARTIAL, { U, N, I } },
		/* The open host could make it dane: no verdict. */
		{ 2, DANE_INDETERMINATE, { U, I } },
		/* The open host could make it partial. */
		{ 2, DANE_INDETERMINATE, { X, I } },
		{ 2, DANE_INDETERMINATE, { N, I } },
		{ 1, DANE_UNUSABLE, { X } },
		{ 2, DANE_UNUSABLE, { X, N } },
		{ 2, DANE_NONE, { N, N } },
		{ 0, DANE_NONE, { N } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(dane_combine(cases[i].v, cases[i].n), cases[i].want);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(dane_status_name(DANE_OK), "dane");
	assert_string_equal(dane_status_name(DANE_PARTIAL), "partial");
	assert_string_equal(dane_status_name(DANE_NONE), "none");
	assert_string_equal(dane_status_name(DANE_UNUSABLE), "unusable");
	assert_string_equal(dane_status_name(DANE_INDETERMINATE), "indeterminate");
	assert_string_equal(dane_status_name(DANE_NOT_RUN), "not_run");
	assert_string_equal(dane_host_status_name(DANE_HOST_USABLE), "usable");
	assert_string_equal(dane_host_status_name(DANE_HOST_NONE), "none");
}

/* Two MX hosts: mx1 with a usable record, mx2 without TLSA. */
static void two_hosts(struct dane_result *r)
{
	static const char *const hosts[] = { "mx1.example.com", "mx2.example.com" };
	size_t len;
	uint8_t *rd = tlsa_rdata(3, 1, 1, 32, &len);

	assert_int_equal(dane_result_init(r, "example.com", hosts, 2), 0);
	assert_int_equal(r->nhosts, 2);
	assert_string_equal(r->q[0].name, "_25._tcp.mx1.example.com");
	assert_int_equal(r->q[0].type, DNS_TYPE_TLSA);
	assert_string_equal(r->q[1].name, "_25._tcp.mx2.example.com");
	set_query(&r->q[0], "_25._tcp.mx1.example.com", DNSSEC_SECURE, DNS_OUTCOME_DATA, rd, len);
	set_query(&r->q[1], "_25._tcp.mx2.example.com", DNSSEC_SECURE, DNS_OUTCOME_NXDOMAIN, NULL,
	          0);
}

static void test_finish(void **state)
{
	(void)state;
	struct dane_result r;

	two_hosts(&r);
	assert_int_equal(dane_result_finish(&r, HOST_PRESENT), 0);
	assert_int_equal(r.status, DANE_PARTIAL);
	assert_int_equal(r.hosts[0].status, DANE_HOST_USABLE);
	assert_int_equal(r.hosts[1].status, DANE_HOST_NONE);
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].code, "dane.partial");
	assert_string_equal(r.findings.v[0].path, "example.com");
	assert_non_null(strstr(r.findings.v[0].message, "mx2.example.com (none)"));
	assert_null(strstr(r.findings.v[0].message, "mx1.example.com"));
	dane_result_cleanup(&r);

	/* The MX lookup failed: the hosts are unknown, no verdict. */
	assert_int_equal(dane_result_init(&r, "example.com", NULL, 0), 0);
	assert_int_equal(dane_result_finish(&r, HOST_TEMPERROR), 0);
	assert_int_equal(r.status, DANE_INDETERMINATE);
	assert_string_equal(r.findings.v[0].code, "dane.indeterminate");
	dane_result_cleanup(&r);
	/* A null MX (RFC 7505) or none: no host, none. */
	assert_int_equal(dane_result_init(&r, "example.com", NULL, 0), 0);
	assert_int_equal(dane_result_finish(&r, HOST_NULL_MX), 0);
	assert_int_equal(r.status, DANE_NONE);
	assert_int_equal(r.findings.n, 0);
	dane_result_cleanup(&r);
}

static void test_json(void **state)
{
	(void)state;
	struct dane_result r;
	struct jsonw w;
	size_t len;

	two_hosts(&r);
	assert_int_equal(dane_result_finish(&r, HOST_PRESENT), 0);
	findings_cleanup(&r.findings); /* the JSON of the hosts is what is checked */
	jsonw_init(&w);
	dane_result_write(&w, &r);
	char *js = jsonw_finish_len(&w, &len);
	assert_non_null(js);
	assert_string_equal(js,
	                    "{\"status\":\"partial\",\"hosts\":["
	                    "{\"host\":\"mx1.example.com\",\"name\":\"_25._tcp.mx1.example.com\","
	                    "\"status\":\"usable\",\"dnssec\":\"secure\",\"outcome\":\"data\","
	                    "\"records\":[\"3 1 1 000102030405060708090a0b0c0d0e0f"
	                    "101112131415161718191a1b1c1d1e1f\"]},"
	                    "{\"host\":\"mx2.example.com\",\"name\":\"_25._tcp.mx2.example.com\","
	                    "\"status\":\"none\",\"dnssec\":\"secure\",\"outcome\":\"nxdomain\","
	                    "\"records\":[]}],\"findings\":[]}");
	free(js);
	dane_result_cleanup(&r);
}

/* ---- MTA-STS and TLS-RPT as steps of the framework ----------------------- */

#define DOMAIN "example.com"

static void put_txt(struct dns_memo *m, const char *name, enum dns_outcome o, const char *txt)
{
	struct dns_answer *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->canonical, sizeof(a->canonical), "%s", name);
	a->type = DNS_TYPE_TXT;
	a->outcome = o;
	if (txt != NULL)
		assert_int_equal(dns_answer_add(a, DNS_TYPE_TXT, 0, txt, strlen(txt), NULL), 0);
	assert_int_equal(dns_memo_put(m, a), 0);
	dns_answer_free(a);
}

static void put_mx(struct dns_memo *m, const char *host)
{
	struct dns_answer *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	snprintf(a->name, sizeof(a->name), DOMAIN);
	snprintf(a->canonical, sizeof(a->canonical), DOMAIN);
	a->type = DNS_TYPE_MX;
	a->outcome = DNS_OUTCOME_DATA;
	assert_int_equal(dns_answer_add(a, DNS_TYPE_MX, 10, host, strlen(host), NULL), 0);
	assert_int_equal(dns_memo_put(m, a), 0);
	dns_answer_free(a);
}

static void test_steps(void **state)
{
	(void)state;
	struct domain_result *r = calloc(1, sizeof(*r));
	struct dns_memo *m = dns_memo_new();
	struct spf_dns dns = { dns_memo_lookup, m, NULL };
	const struct spf_need *more;
	char need[DNS_NAME_BUF];
	uint16_t type = 0;
	bool pending = false;

	assert_non_null(r);
	checks_init(r, DOMAIN, CHECKS_TRANSPORT, false);
	/* Nothing answered: MTA-STS waits for its record, and asks the
	 * TLS-RPT record and the MX beside it. */
	assert_int_equal(checks_step(r, CHECK_MTA_STS, &dns, &pending, need, sizeof(need), &type),
	                 0);
	assert_true(pending);
	assert_string_equal(need, "_mta-sts." DOMAIN);
	assert_int_equal(type, DNS_TYPE_TXT);
	assert_int_equal(checks_more(r, CHECK_MTA_STS, &more), 2);
	assert_string_equal(more[0].name, "_smtp._tls." DOMAIN);
	assert_int_equal(more[0].type, DNS_TYPE_TXT);
	assert_string_equal(more[1].name, DOMAIN);
	assert_int_equal(more[1].type, DNS_TYPE_MX);
	/* TLS-RPT waits for its own record only. */
	assert_int_equal(checks_step(r, CHECK_TLS_RPT, &dns, &pending, need, sizeof(need), &type),
	                 0);
	assert_true(pending);
	assert_string_equal(need, "_smtp._tls." DOMAIN);
	assert_int_equal(checks_more(r, CHECK_TLS_RPT, &more), 0);

	put_txt(m, "_mta-sts." DOMAIN, DNS_OUTCOME_DATA, "v=STSv1; id=20260101;");
	put_txt(m, "_smtp._tls." DOMAIN, DNS_OUTCOME_DATA,
	        "v=TLSRPTv1; rua=mailto:tls@example.com");
	put_mx(m, "mx.example.com");
	assert_int_equal(checks_step(r, CHECK_MTA_STS, &dns, &pending, need, sizeof(need), &type),
	                 0);
	assert_false(pending);
	assert_int_equal(checks_step(r, CHECK_TLS_RPT, &dns, &pending, need, sizeof(need), &type),
	                 0);
	assert_false(pending);
	assert_true(r->done[CHECK_MTA_STS]);
	assert_true(r->done[CHECK_TLS_RPT]);
	/* A valid record, the policy not fetched (a step never fetches). */
	assert_int_equal(r->transport->sts.status, MTA_STS_CHECK_NOT_FETCHED);
	assert_string_equal(r->transport->sts.rec.id, "20260101");
	assert_int_equal(r->transport->sts.nmx, 1);
	assert_string_equal(mta_sts_tlsrpt_status(&r->transport->sts), "ok");

	size_t len;
	char *js = checks_json_text(r, &len);
	assert_non_null(js);
	assert_non_null(strstr(js, "\"mta_sts\":{\"domain\":\"example.com\","
	                           "\"status\":\"not_fetched\",\"record\":\"v=STSv1; "
	                           "id=20260101;\",\"id\":\"20260101\",\"policy\":null,"));
	assert_non_null(strstr(js, "},\"tls_rpt\":{\"status\":\"ok\",\"record\":\"v=TLSRPTv1; "
	                           "rua=mailto:tls@example.com\",\"rua\":[\"mailto:tls@example."
	                           "com\"],\"findings\":[]},"));
	/* DNSSEC and DANE not in the mask: no key. */
	assert_null(strstr(js, "\"dnssec\""));
	assert_null(strstr(js, "\"dane\""));
	free(js);
	checks_cleanup(r);
	assert_null(r->transport);
	dns_memo_free(m);
	free(r);
}

static void test_refinish(void **state)
{
	(void)state;
	struct domain_result *r = calloc(1, sizeof(*r));
	struct dns_memo *m = dns_memo_new();
	struct spf_dns dns = { dns_memo_lookup, m, NULL };
	struct domain_check_opts o;
	struct dns_config cfg;
	char need[DNS_NAME_BUF], err[256];
	uint16_t type = 0;
	bool pending = true;

	assert_non_null(r);
	memset(&cfg, 0, sizeof(cfg));
	domain_check_opts_init(&o);
	o.no_fetch = true;
	checks_init(r, DOMAIN, CHECKS_TRANSPORT, false);
	put_txt(m, "_mta-sts." DOMAIN, DNS_OUTCOME_NXDOMAIN, NULL);
	put_txt(m, "_smtp._tls." DOMAIN, DNS_OUTCOME_SERVFAIL, NULL);
	put_mx(m, "mx.example.com");
	assert_int_equal(checks_step(r, CHECK_MTA_STS, &dns, &pending, need, sizeof(need), &type),
	                 0);
	assert_false(pending);
	/* The verdict again after the (here skipped) fetch: the TLS-RPT
	 * temperror is said once, not once per verdict. */
	assert_int_equal(transport_check_fetch(r, &cfg, &o, err, sizeof(err)), 0);
	assert_int_equal(transport_check_fetch(r, &cfg, &o, err, sizeof(err)), 0);
	const struct mta_sts_result *s = &r->transport->sts;
	assert_int_equal(s->status, MTA_STS_CHECK_MISSING);
	assert_string_equal(mta_sts_tlsrpt_status(s), "temperror");
	assert_int_equal(s->tlsrpt.findings.n, 1);
	assert_string_equal(s->tlsrpt.findings.v[0].code, "tls_rpt.temperror");
	assert_int_equal(s->findings.n, 0);
	checks_cleanup(r);
	dns_memo_free(m);
	free(r);
}

static void test_stored_result_unchanged(void **state)
{
	(void)state;
	struct domain_result *r = calloc(1, sizeof(*r));
	size_t len;

	/* A scan's default (spf, dmarc, bimi, mx): none of the new keys. */
	assert_non_null(r);
	checks_init(r, DOMAIN,
	            CHECK_BIT(CHECK_SPF) | CHECK_BIT(CHECK_DMARC) | CHECK_BIT(CHECK_BIMI) |
	                    CHECK_BIT(CHECK_MX) | CHECK_BIT(CHECK_A),
	            true);
	char *js = checks_json_text(r, &len);
	assert_non_null(js);
	assert_null(strstr(js, "mta_sts"));
	assert_null(strstr(js, "tls_rpt"));
	assert_null(strstr(js, "dnssec"));
	assert_null(strstr(js, "dane"));
	assert_null(r->transport);
	free(js);
	checks_cleanup(r);
	/* In the mask but never run (a scan does not run DNSSEC yet):
	 * {"status": "not_run"}. */
	checks_init(r, DOMAIN, CHECKS_VALIDATING, false);
	js = checks_json_text(r, &len);
	assert_non_null(js);
	assert_non_null(strstr(js, "\"dnssec\":{\"status\":\"not_run\"},"
	                           "\"dane\":{\"status\":\"not_run\"}"));
	free(js);
	checks_cleanup(r);
	free(r);
}

static void test_parse(void **state)
{
	(void)state;
	unsigned mask;
	bool bimi;
	char err[256];

	assert_int_equal(checks_parse("mta-sts,tls-rpt", &mask, &bimi, err, sizeof(err)), 0);
	assert_int_equal(mask, CHECK_BIT(CHECK_MTA_STS) | CHECK_BIT(CHECK_TLS_RPT));
	assert_int_equal(checks_parse("dnssec,dane,spf", &mask, &bimi, err, sizeof(err)), 0);
	/* dane brings mx (MX and A): the MX answer names the TLSA hosts. */
	assert_int_equal(mask, CHECK_BIT(CHECK_DNSSEC) | CHECK_BIT(CHECK_DANE) |
	                               CHECK_BIT(CHECK_SPF) | CHECK_BIT(CHECK_MX) |
	                               CHECK_BIT(CHECK_A));
	assert_int_equal(checks_parse("mta_sts", &mask, &bimi, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown check 'mta_sts'"));
	/* Every check, the new ones among them. */
	assert_int_equal(CHECKS_ALL & (CHECKS_TRANSPORT | CHECKS_VALIDATING),
	                 CHECKS_TRANSPORT | CHECKS_VALIDATING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tlsa_name),
		cmocka_unit_test(test_host_secure),
		cmocka_unit_test(test_host_not_secure),
		cmocka_unit_test(test_host_no_records),
		cmocka_unit_test(test_combine),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_refinish),
		cmocka_unit_test(test_stored_result_unchanged),
		cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
