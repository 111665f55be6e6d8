/*
 * Unit tests for bimi.c (records, URIs, discovery) and readiness.c.
 *
 * Part A: every record case of tests/conformance/bimi/CASES.md (Mail::BIMI
 * and checkdmarc), one row each, with posture's verdict and the finding
 * codes that must be there. Where the peers disagree the row says which
 * reading posture takes.
 * Part B: URIs and selectors.
 * Part C: discovery against a table of DNS answers: the selector, the
 * organisational-domain fallback, several records, temperror, what else
 * is published at the name.
 * Part D: the readiness checklist from hand-set check results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bimi.h"
#include "checks.h"
#include "readiness.h"

/* ---- Part A: records --------------------------------------------------- */

struct rec_case {
	const char *record;
	bool invalid;
	bool declined;
	const char *codes[4]; /* findings that must be present */
	const char *why;
};

static const struct rec_case rec_cases[] = {
	/* Mail::BIMI t/01-record-validation.t */
	{ "v=bimi1; l=https://fastmaildmarc.com/FM_BIMI.svg",
	  false,
	  false,
	  { "bimi.no_certificate" },
	  "MB: valid; lower-case BIMI1 is the ABNF literal, any case" },
	{ "v=bimi1; l=https://fastmaildmarc.com/FM_BIMI.svg;",
	  false,
	  false,
	  { NULL },
	  "MB: trailing ;" },
	{ "v=bimi1; l=https://fastmaildmarc.com/FM_BIMI.svg; a=",
	  false,
	  false,
	  { NULL },
	  "MB: empty a=" },
	{ "v=bimi1; l=https://fastmaildmarc.com/FM_BIMI.svg; a=;", false, false, { NULL }, "MB" },
	{ "v = bimi1 ; l =  https://fastmaildmarc.com/FM_BIMI.svg  ; a=",
	  false,
	  false,
	  { NULL },
	  "MB: WSP around = and ;" },
	{ "v=bimi1; v=bimi2; l=https://fastmaildmarc.com/FM_BIMI.svg",
	  true,
	  false,
	  { "bimi.duplicate_tag" },
	  "MB: DUPLICATE_KEY" },
	{ "l=https://fastmaildmarc.com/FM_BIMI.svg",
	  true,
	  false,
	  { "bimi.version_not_first", "bimi.bad_version" },
	  "MB: MISSING_V_TAG" },
	{ "v=; l=https://fastmaildmarc.com/FM_BIMI.svg",
	  true,
	  false,
	  { "bimi.bad_version" },
	  "MB: EMPTY_V_TAG" },
	{ "v=foobar; l=https://fastmaildmarc.com/FM_BIMI.svg",
	  true,
	  false,
	  { "bimi.bad_version" },
	  "MB: INVALID_V_TAG" },
	{ "v=bimi1", true, false, { "bimi.missing_l" }, "MB: MISSING_L_TAG" },
	{ "v=bimi1; l=http://fastmaildmarc.com/FM_BIMI.svg",
	  true,
	  false,
	  { "bimi.l_not_https" },
	  "MB: INVALID_TRANSPORT_L" },
	{ "v=bimi1; l=",
	  false,
	  true,
	  { "bimi.declined" },
	  "MB calls it EMPTY_L_TAG; checkdmarc and the draft ('Declination to Publish'): a valid "
	  "refusal. posture follows the draft" },
	/* checkdmarc tests/test_bimi.py */
	{ "v=BIMI1; l=;", false, true, { "bimi.declined" }, "CDM: declination" },
	{ "v=BIMI1; l=https://a.example/a.svg; lps=news,billing,support",
	  false,
	  false,
	  { "bimi.local_part_selectors" },
	  "CDM: lps list" },
	{ "v=BIMI1; l=https://a.example/a.svg; lps=news, billing, support",
	  false,
	  false,
	  { "bimi.local_part_selectors" },
	  "CDM: spaces in the list" },
	{ "v=BIMI1; l=https://a.example/a.svg; lps=help_desk",
	  false,
	  false,
	  { "bimi.bad_lps" },
	  "CDM: syntax error; the draft says an invalid value is ignored, so a warning" },
	{ "v=BIMI1; l=https://a.example/a.svg; lps=info.support",
	  false,
	  false,
	  { "bimi.bad_lps" },
	  "CDM" },
	{ "v=BIMI1; l=https://a.example/a.svg; xyz=foo",
	  false,
	  false,
	  { "bimi.unknown_tag" },
	  "CDM rejects; the draft: unknown tags MUST be ignored, so a warning" },
	{ "v=BIMI1; l=https://a.example/a.svg; l=https://b.example/b.svg",
	  true,
	  false,
	  { "bimi.duplicate_tag" },
	  "CDM: duplicate" },
	{ "v=BIMI1 garbage",
	  true,
	  false,
	  { "bimi.bad_version" },
	  "CDM: syntax error; in the tag-list grammar the value of v is \"BIMI1 garbage\"" },
	/* posture's own */
	{ "v=BIMI1; l=https://a.example/logo.png",
	  true,
	  false,
	  { "bimi.l_not_svg" },
	  "draft: another format is a permanent error" },
	{ "v=BIMI1; l=https://a.example/a.svg; a=http://a.example/vmc.pem",
	  true,
	  false,
	  { "bimi.a_not_https" },
	  "a= must be https" },
	{ "v=BIMI1; l=https://user:pw@a.example/a.svg",
	  true,
	  false,
	  { "bimi.l_bad_uri" },
	  "credentials" },
	{ "v=BIMI1; l=https://192.0.2.1/a.svg", true, false, { "bimi.l_bad_uri" }, "IP literal" },
	{ "v=BIMI1; l=; a=https://a.example/vmc.pem",
	  false,
	  false,
	  { "bimi.l_empty" },
	  "evidence only" },
	{ "v=BIMI1; l=https://a.example/a.svg; avp=personal", false, false, { NULL }, "avp" },
	{ "v=BIMI1; l=https://a.example/a.svg; avp=maybe",
	  false,
	  false,
	  { "bimi.bad_avp" },
	  "avp" },
	{ "v=BIMI1; L=https://a.example/a.svg",
	  true,
	  false,
	  { "bimi.unknown_tag", "bimi.missing_l" },
	  "tag names are case-sensitive (RFC 6376 3.2)" },
};

static void test_records(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rec_cases) / sizeof(rec_cases[0]); i++) {
		const struct rec_case *c = &rec_cases[i];
		struct bimi_record r;
		struct findings f = { 0 };
		assert_int_equal(
		        bimi_parse(c->record, strlen(c->record), "x._bimi.example", &r, &f), 0);
		if (r.invalid != c->invalid || r.declined != c->declined)
			fail_msg("row %zu \"%s\" (%s): invalid %d declined %d", i, c->record,
			         c->why, r.invalid, r.declined);
		for (int k = 0; k < 4 && c->codes[k]; k++)
			if (!findings_has(&f, c->codes[k]))
				fail_msg("row %zu \"%s\": no %s", i, c->record, c->codes[k]);
		bimi_record_cleanup(&r);
		findings_cleanup(&f);
	}
}

static void test_record_values(void **state)
{
	(void)state;
	struct bimi_record r;
	struct findings f = { 0 };
	const char *t =
	        "v=BIMI1;l=https://cdn.example/l.svg ; a=https://cdn.example/v.pem;avp=personal";
	assert_int_equal(bimi_parse(t, strlen(t), "n", &r, &f), 0);
	assert_string_equal(r.l, "https://cdn.example/l.svg");
	assert_string_equal(r.a, "https://cdn.example/v.pem");
	assert_int_equal(r.avp, BIMI_AVP_PERSONAL);
	assert_false(r.invalid);
	assert_int_equal(f.n, 0);
	bimi_record_cleanup(&r);
	findings_cleanup(&f);

	/* hostile bytes: a NUL and control bytes are refused, never printed raw */
	const char nul[] = "v=BIMI1; l=https://a.example/\0x.svg";
	assert_int_equal(bimi_parse(nul, sizeof(nul) - 1, "n", &r, &f), 0);
	assert_true(r.invalid);
	assert_true(findings_has(&f, "bimi.syntax"));
	bimi_record_cleanup(&r);
	findings_cleanup(&f);
	const char *esc = "v=BIMI1; l=https://a.example/\x1b[31m.svg";
	assert_int_equal(bimi_parse(esc, strlen(esc), "n", &r, &f), 0);
	assert_true(r.invalid);
	for (size_t i = 0; i < f.n; i++)
		assert_null(strchr(f.v[i].message, '\x1b'));
	bimi_record_cleanup(&r);
	findings_cleanup(&f);

	assert_false(bimi_is_record("v=BIMI10; l=", 12));
	assert_false(bimi_is_record("v=spf1 -all", 11));
	assert_true(bimi_is_record(" v = BIMI1", 10));
}

/* ---- Part B: URIs and selectors ------------------------------------------ */

static void test_uris(void **state)
{
	(void)state;
	char host[256];
	assert_null(bimi_uri_problem("https://Logo.Example.COM/a.svg", host, sizeof(host)));
	assert_string_equal(host, "logo.example.com");
	assert_null(bimi_uri_problem("https://cdn.example:8443/a.svg?x=1", host, sizeof(host)));
	assert_string_equal(host, "cdn.example");
	assert_non_null(bimi_uri_problem("http://cdn.example/a.svg", NULL, 0));
	assert_non_null(bimi_uri_problem("ftp://cdn.example/a.svg", NULL, 0));
	assert_non_null(bimi_uri_problem("https://localhost/a.svg", NULL, 0));
	assert_non_null(bimi_uri_problem("https://[::1]/a.svg", NULL, 0));
	assert_non_null(bimi_uri_problem("https://10.0.0.1/a.svg", NULL, 0));
	assert_non_null(bimi_uri_problem("https://a@cdn.example/a.svg", NULL, 0));
	assert_non_null(bimi_uri_problem("https://cdn.example:99999/a.svg", NULL, 0));
	assert_non_null(bimi_uri_problem("https://cdn.example/a b.svg", NULL, 0));
	assert_non_null(bimi_uri_problem("https://cdn.example/a,b.svg", NULL, 0));
	assert_non_null(bimi_uri_problem("https://-bad.example/a.svg", NULL, 0));
	char longuri[BIMI_URI_MAX + 32];
	memset(longuri, 'a', sizeof(longuri) - 1);
	longuri[sizeof(longuri) - 1] = '\0';
	memcpy(longuri, "https://a.example/", 18);
	assert_non_null(bimi_uri_problem(longuri, NULL, 0));

	assert_true(bimi_selector_valid("default"));
	assert_true(bimi_selector_valid("brand1.news"));
	assert_false(bimi_selector_valid(""));
	assert_false(bimi_selector_valid("a..b"));
	assert_false(bimi_selector_valid("a b"));
	assert_false(bimi_selector_valid("-x"));
}

/* ---- Part C: discovery --------------------------------------------------- */

struct zrow {
	const char *name;
	enum dns_outcome outcome;
	const char *txt[3];
};

struct fake {
	const struct zrow *zone;
	struct dns_answer ans[16];
	size_t n;
	const char *asked[16];
	size_t nasked;
};

static const struct dns_answer *fake_get(void *ctx, const char *name, uint16_t type)
{
	struct fake *f = ctx;
	assert_int_equal(type, DNS_TYPE_TXT);
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->ans[i].name, name) == 0)
			return &f->ans[i];
	return NULL; /* pending: the test answers it */
}

/* Answers name from the zone (NXDOMAIN when it is not there). */
static void fake_answer(struct fake *f, const char *name)
{
	assert_true(f->n < 16);
	struct dns_answer *a = &f->ans[f->n++];
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->type = DNS_TYPE_TXT;
	a->outcome = DNS_OUTCOME_NXDOMAIN;
	for (const struct zrow *z = f->zone; z->name; z++) {
		if (strcmp(z->name, name) != 0)
			continue;
		a->outcome = z->outcome;
		for (int i = 0; i < 3 && z->txt[i]; i++)
			assert_int_equal(dns_answer_add(a, DNS_TYPE_TXT, 0, z->txt[i],
			                                strlen(z->txt[i]), NULL),
			                 0);
	}
}

static int org_of(const char *domain, char *out, size_t outlen)
{
	const char *last = strrchr(domain, '.'), *p = domain;
	for (const char *q = domain; q < last; q++)
		if (*q == '.')
			p = q + 1;
	snprintf(out, outlen, "%s", p);
	return 0;
}

static void discover(struct fake *f, const char *domain, const char *sel, struct bimi_discovery *d)
{
	struct spf_dns dns = { fake_get, f, NULL };
	for (int round = 0; round < 16; round++) {
		assert_int_equal(bimi_discover(domain, sel, &dns, org_of, d), 0);
		if (!d->pending)
			return;
		f->asked[f->nasked++] = f->n < 16 ? d->need_name : NULL;
		char need[DNS_NAME_BUF];
		snprintf(need, sizeof(need), "%s", d->need_name);
		bimi_discovery_cleanup(d);
		fake_answer(f, need);
	}
	fail_msg("still pending");
}

static void fake_free(struct fake *f)
{
	for (size_t i = 0; i < f->n; i++)
		dns_answer_cleanup(&f->ans[i]);
}

static const struct zrow zone[] = {
	{ "default._bimi.brand.example",
	  DNS_OUTCOME_DATA,
	  { "v=BIMI1; l=https://cdn.brand.example/logo.svg; "
	    "a=https://cdn.brand.example/vmc.pem" } },
	{ "news._bimi.brand.example", DNS_OUTCOME_DATA, { "v=BIMI1; l=;" } },
	{ "default._bimi.two.example",
	  DNS_OUTCOME_DATA,
	  { "v=BIMI1; l=https://a.example/a.svg", "v=BIMI1; l=" } },
	{ "default._bimi.mixed.example",
	  DNS_OUTCOME_DATA,
	  { "v=spf1 -all", "hello", "v=BIMI1; l=https://a.example/a.svg" } },
	{ "default._bimi.slow.example", DNS_OUTCOME_TIMEOUT, { NULL } },
	{ NULL, DNS_OUTCOME_DATA, { NULL } },
};

static void test_discovery(void **state)
{
	(void)state;
	struct bimi_discovery d;

	struct fake f = { .zone = zone };
	discover(&f, "brand.example", "default", &d);
	assert_int_equal(d.status, BIMI_STATUS_OK);
	assert_false(d.from_org);
	assert_string_equal(d.record_name, "default._bimi.brand.example");
	assert_string_equal(d.rec.l, "https://cdn.brand.example/logo.svg");
	assert_int_equal(f.nasked, 1);
	bimi_discovery_cleanup(&d);
	fake_free(&f);

	/* a subdomain without its own record: the organisational domain's */
	f = (struct fake){ .zone = zone };
	discover(&f, "mail.brand.example", "default", &d);
	assert_int_equal(d.status, BIMI_STATUS_OK);
	assert_true(d.from_org);
	assert_string_equal(d.org_domain, "brand.example");
	assert_string_equal(d.record_name, "default._bimi.brand.example");
	assert_true(findings_has(&d.findings, "bimi.org_fallback"));
	assert_int_equal(f.nasked, 2);
	bimi_discovery_cleanup(&d);
	fake_free(&f);

	/* another selector: a declination */
	f = (struct fake){ .zone = zone };
	discover(&f, "brand.example", "news", &d);
	assert_int_equal(d.status, BIMI_STATUS_NONE);
	assert_true(d.rec.declined);
	assert_true(findings_has(&d.findings, "bimi.declined"));
	bimi_discovery_cleanup(&d);
	fake_free(&f);

	/* nothing anywhere */
	f = (struct fake){ .zone = zone };
	discover(&f, "www.none.example", "default", &d);
	assert_int_equal(d.status, BIMI_STATUS_NONE);
	assert_false(d.rec.declined);
	assert_true(findings_has(&d.findings, "bimi.no_record"));
	assert_int_equal(f.nasked, 2);
	bimi_discovery_cleanup(&d);
	fake_free(&f);

	/* two records: none is used */
	f = (struct fake){ .zone = zone };
	discover(&f, "two.example", "default", &d);
	assert_int_equal(d.status, BIMI_STATUS_INVALID);
	assert_true(findings_has(&d.findings, "bimi.multiple_records"));
	bimi_discovery_cleanup(&d);
	fake_free(&f);

	/* other TXT at the name is reported and ignored */
	f = (struct fake){ .zone = zone };
	discover(&f, "mixed.example", "default", &d);
	assert_int_equal(d.status, BIMI_STATUS_OK);
	assert_true(findings_has(&d.findings, "bimi.spf_at_bimi"));
	assert_true(findings_has(&d.findings, "bimi.non_bimi_txt"));
	bimi_discovery_cleanup(&d);
	fake_free(&f);

	/* a timeout is temperror, never "none" (and no fallback is tried) */
	f = (struct fake){ .zone = zone };
	discover(&f, "slow.example", "default", &d);
	assert_int_equal(d.status, BIMI_STATUS_TEMPERROR);
	assert_int_equal(f.nasked, 1);
	assert_true(findings_has(&d.findings, "bimi.dns_temperror"));
	bimi_discovery_cleanup(&d);
	fake_free(&f);

	/* bad input is a program error, not a finding */
	f = (struct fake){ .zone = zone };
	struct spf_dns dns = { fake_get, &f, NULL };
	assert_int_equal(bimi_discover("brand.example", "bad selector", &dns, org_of, &d), -1);
	bimi_discovery_cleanup(&d);
}

/* ---- Part D: readiness ----------------------------------------------------- */

static const struct ready_item *item(const struct domain_result *r, const char *id)
{
	for (size_t i = 0; i < r->nready; i++)
		if (strcmp(r->ready[i].item, id) == 0)
			return &r->ready[i];
	fail_msg("no item %s", id);
	abort(); /* not reached: fail_msg does not return */
}

/* A domain whose every check passed, to be spoilt one way per test. */
static void ready_domain(struct domain_result *r)
{
	checks_init(r, "brand.example", CHECKS_ALL, true);
	r->bimi.status = BIMI_STATUS_OK;
	snprintf(r->bimi.domain, sizeof(r->bimi.domain), "brand.example");
	snprintf(r->bimi.org_domain, sizeof(r->bimi.org_domain), "brand.example");
	snprintf(r->bimi.selector, sizeof(r->bimi.selector), "default");
	snprintf(r->bimi.record_name, sizeof(r->bimi.record_name), "default._bimi.brand.example");
	r->bimi.rec.l = strdup("https://cdn.brand.example/logo.svg");
	r->assets.logo = BIMI_ASSET_VALID;
	r->assets.vmc = BIMI_ASSET_VALID;
	r->assets.vmc_type = "VMC";
	r->assets.vmc_logo_matches = true;
	r->dmarc.bis.status = DMARC_STATUS_OK;
	r->dmarc.bis.policy = DMARC_POLICY_REJECT;
	snprintf(r->dmarc.bis.record_domain, sizeof(r->dmarc.bis.record_domain), "brand.example");
	r->dmarc.rec = calloc(1, sizeof(*r->dmarc.rec));
	r->dmarc.rec->pct = -1;
	r->spf.status = SPF_STATUS_OK;
	snprintf(r->spf.all, sizeof(r->spf.all), "-all");
	r->mx.status = HOST_PRESENT;
	r->mx.records = 2;
	r->a.status = HOST_PRESENT;
	r->a.records = 1;
}

static void test_readiness(void **state)
{
	(void)state;
	struct domain_result r;

	ready_domain(&r);
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(r.nready, 10);
	assert_true(r.eligible);
	for (size_t i = 0; i < r.nready; i++)
		assert_int_equal(r.ready[i].status, READY_PASS);
	checks_cleanup(&r);

	/* no certificate: a warning, still eligible (self-asserted logo) */
	ready_domain(&r);
	r.assets.vmc = BIMI_ASSET_ABSENT;
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "certificate")->status, READY_WARN);
	assert_false(item(&r, "certificate")->required);
	assert_true(r.eligible);
	checks_cleanup(&r);

	/* p=none */
	ready_domain(&r);
	r.dmarc.bis.policy = DMARC_POLICY_NONE;
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "dmarc_policy")->status, READY_FAIL);
	assert_non_null(strstr(item(&r, "dmarc_policy")->fix, "p=quarantine"));
	assert_int_equal(item(&r, "dmarc_org_policy")->status, READY_FAIL); /* same name */
	assert_false(r.eligible);
	checks_cleanup(&r);

	/* reject at the domain, none at the organisational domain */
	ready_domain(&r);
	snprintf(r.bimi.org_domain, sizeof(r.bimi.org_domain), "parent.example");
	r.has_dmarc_org = true;
	r.dmarc_org.bis.status = DMARC_STATUS_OK;
	r.dmarc_org.bis.policy = DMARC_POLICY_NONE;
	snprintf(r.dmarc_org.bis.record_domain, sizeof(r.dmarc_org.bis.record_domain),
	         "parent.example");
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "dmarc_policy")->status, READY_PASS);
	assert_int_equal(item(&r, "dmarc_org_policy")->status, READY_FAIL);
	assert_non_null(strstr(item(&r, "dmarc_org_policy")->fix, "_dmarc.parent.example"));
	assert_false(r.eligible);
	checks_cleanup(&r);

	/* pct=50, then t=y, then sp=none */
	ready_domain(&r);
	r.dmarc.rec->pct = 50;
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "dmarc_coverage")->status, READY_FAIL);
	assert_non_null(strstr(item(&r, "dmarc_coverage")->detail, "pct=50"));
	checks_cleanup(&r);
	ready_domain(&r);
	r.dmarc.bis.testing = true;
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "dmarc_coverage")->status, READY_FAIL);
	checks_cleanup(&r);
	ready_domain(&r);
	r.dmarc.rec->sp = DMARC_POLICY_NONE;
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "dmarc_subdomain")->status, READY_FAIL);
	assert_non_null(strstr(item(&r, "dmarc_subdomain")->fix, "sp="));
	assert_false(r.eligible);
	checks_cleanup(&r);

	/* SPF ?all; SPF permerror names the finding's fix */
	ready_domain(&r);
	snprintf(r.spf.all, sizeof(r.spf.all), "?all");
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "spf")->status, READY_FAIL);
	checks_cleanup(&r);
	ready_domain(&r);
	r.spf.status = SPF_STATUS_PERMERROR;
	findings_add(&r.spf.findings, "spf.include_no_record", FINDING_ERROR, NULL,
	             "Remove include:gone.example.", "include:gone.example has no SPF record");
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "spf")->status, READY_FAIL);
	assert_string_equal(item(&r, "spf")->fix, "Remove include:gone.example.");
	checks_cleanup(&r);

	/* null MX; unknown when a lookup failed; --no-fetch leaves it unknown */
	ready_domain(&r);
	r.mx.status = HOST_NULL_MX;
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "mx")->status, READY_FAIL);
	checks_cleanup(&r);
	ready_domain(&r);
	r.a.status = HOST_TEMPERROR;
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "a")->status, READY_UNKNOWN);
	assert_false(r.eligible);
	checks_cleanup(&r);
	ready_domain(&r);
	r.assets.logo = BIMI_ASSET_UNCHECKED;
	r.assets.vmc = BIMI_ASSET_UNCHECKED;
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "logo")->status, READY_UNKNOWN);
	assert_false(r.eligible);
	checks_cleanup(&r);

	/* no record at all */
	ready_domain(&r);
	r.bimi.status = BIMI_STATUS_NONE;
	assert_int_equal(readiness_build(&r), 0);
	assert_int_equal(item(&r, "bimi_record")->status, READY_FAIL);
	assert_non_null(strstr(item(&r, "bimi_record")->fix, "default._bimi.brand.example"));
	assert_false(r.eligible);
	checks_cleanup(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),   cmocka_unit_test(test_record_values),
		cmocka_unit_test(test_uris),      cmocka_unit_test(test_discovery),
		cmocka_unit_test(test_readiness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
