/*
 * Unit tests for DKIM probing: the pure part (scanner/dkim/dkim_probe.h:
 * selectors, the bundled list, the provider table, a domain's answers
 * read into statuses and findings) and the check around it
 * (scanner/scan/dkim_check.h: every probe in one round, the DMARC
 * enforceability finding, the readiness item, the JSON).
 *
 * Answers are built by hand; keys are tests/fixtures/dkim/ (run from the
 * top of the tree, as the Makefile and run-tests.sh do).
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
#include "dkim_check.h"
#include "dkim_probe.h"
#include "jsonw.h"
#include "memo.h"
#include "psl.h"
#include "readiness.h"

#define FIXTURES "tests/fixtures/dkim/"

/* "v=DKIM1; <tags>p=<tests/fixtures/dkim/NAME.b64>" into buf. */
static const char *key_record(const char *tags, const char *name, char *buf, size_t len)
{
	char path[256], key[2048];
	snprintf(path, sizeof(path), FIXTURES "%s.b64", name);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	size_t n = fread(key, 1, sizeof(key) - 1, f);
	fclose(f);
	while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == '\r'))
		n--;
	key[n] = '\0';
	snprintf(buf, len, "v=DKIM1; %sp=%s", tags, key);
	return buf;
}

/* ---- selectors, the bundled list, providers --------------------------------- */

static void test_selector_valid(void **state)
{
	(void)state;
	static const char *const good[] = { "google",  "s1",  "selector1", "k2",      "200608",
		                            "10dkim1", "a-b", "a.b",       "x.y-z.w", "A1" };
	static const char *const bad[] = { "",    "-a",  "a-",  "a..b", ".a", "a.",
		                           "a b", "a_b", "a/b", "a@b",  "é",  "a.-b" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(dkim_selector_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(dkim_selector_valid(bad[i]));
	char label[70];
	memset(label, 'a', 63);
	label[63] = '\0';
	assert_true(dkim_selector_valid(label));
	label[63] = 'a';
	label[64] = '\0';
	assert_false(dkim_selector_valid(label)); /* a label of 64 */
	char long_sel[DKIM_SELECTOR_MAX + 2];
	for (size_t i = 0; i < sizeof(long_sel) - 1; i++)
		long_sel[i] = i % 10 == 9 ? '.' : 'a';
	long_sel[sizeof(long_sel) - 1] = '\0';
	assert_false(dkim_selector_valid(long_sel)); /* 128 bytes */
	long_sel[DKIM_SELECTOR_MAX - 1] = '\0';
	assert_true(dkim_selector_valid(long_sel));

	char name[DNS_NAME_BUF];
	assert_int_equal(dkim_selector_name("s1", "example.com", name, sizeof(name)), 0);
	assert_string_equal(name, "s1._domainkey.example.com");
	/* 253 bytes at most: a long selector under a long domain does not fit. */
	char domain[245];
	memset(domain, 'd', sizeof(domain) - 5);
	memcpy(domain + sizeof(domain) - 5, ".com", 5);
	assert_int_equal(dkim_selector_name("s1", domain, name, sizeof(name)), -1);
	assert_int_equal(dkim_selector_name("s1", "example.com", name, 10), -1);
}

static void test_bundled(void **state)
{
	(void)state;
	size_t n;
	const char *const *v = dkim_selectors_bundled(&n);
	assert_true(n >= 30 && n <= DKIM_PROBE_MAX);
	assert_string_equal(v[0], "google"); /* the list's order */
	bool selector1 = false, comment = false;
	for (size_t i = 0; i < n; i++) {
		assert_true(dkim_selector_valid(v[i]));
		comment |= v[i][0] == '#';
		selector1 |= strcmp(v[i], "selector1") == 0;
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(v[i], v[k]);
	}
	assert_true(selector1);
	assert_false(comment);
	assert_string_equal(dkim_selector_provider("selector1"), "Microsoft 365");
	assert_string_equal(dkim_selector_provider("GOOGLE"), "Google Workspace");
	assert_null(dkim_selector_provider("nosuchselector"));
	/* Parsed once: the same table. */
	size_t n2;
	assert_ptr_equal(dkim_selectors_bundled(&n2), v);
	assert_int_equal(n2, n);
}

static void test_providers(void **state)
{
	(void)state;
	static const struct {
		const char *target, *provider;
	} rows[] = {
		{ "selector1-example-com._domainkey.contoso.onmicrosoft.com", "Microsoft 365" },
		{ "selector1-example-com._domainkey.contoso.r-v1.dkim.mail.microsoft",
		  "Microsoft 365" },
		{ "abcdef123._domainkey.abcdef123.dkim.amazonses.com", "Amazon SES" },
		{ "s1.domainkey.u123.wl124.sendgrid.net", "SendGrid" },
		{ "dkim2.mcsv.net", "Mailchimp" },
		{ "dkim1.mandrillapp.com", "Mailchimp Transactional (Mandrill)" },
		{ "hs1-123._domainkey.example.hubspotemail.net", "HubSpot" },
		{ "zendesk1._domainkey.zendesk.com", "Zendesk" },
		{ "pdk1._domainkey.mailgun.org", "Mailgun" },
		{ "x.pm.mtasv.net", "Postmark" },
		{ "fm1.example.com.dkim.fmhosted.com", "Fastmail" },
		{ "x.messagingengine.com", "Fastmail" },
		{ "x.fastmail.com", "Fastmail" },
		{ "protonmail.domainkey.dabc.domains.proton.ch", "Proton" },
		{ "x.protonmail.ch", "Proton" },
		{ "x.zoho.com", "Zoho" },
		{ "x.zohomail.com", "Zoho" },
		{ "x.exacttarget.com", "Salesforce Marketing Cloud" },
		{ "sig1.dkim.example.com.at.icloudmailadmin.com", "iCloud Mail" },
		/* Any case, a final dot, the provider's own name. */
		{ "X.CONTOSO.ONMICROSOFT.COM.", "Microsoft 365" },
		{ "onmicrosoft.com", "Microsoft 365" },
		{ "sendgrid.net", "SendGrid" },
		/* Whole labels only. */
		{ "x.evilonmicrosoft.com", NULL },
		{ "onmicrosoft.com.attacker.example", NULL },
		{ "x.notsendgrid.net", NULL },
		{ "selector1._domainkey.example.com", NULL },
		{ "", NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *got = dkim_provider_of(rows[i].target);
		if (rows[i].provider == NULL)
			assert_null(got);
		else if (got == NULL || strcmp(got, rows[i].provider) != 0)
			fail_msg("%s: got %s, want %s", rows[i].target, got ? got : "NULL",
			         rows[i].provider);
	}
	size_t n;
	const struct dkim_provider *t = dkim_providers(&n);
	assert_true(n >= 15);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(t[i].suffix[0], '.');
		assert_string_equal(dkim_provider_of(t[i].suffix + 1), t[i].name);
	}
	assert_string_equal(dkim_probe_status_name(DKIM_PROBE_KEY), "key");
	assert_string_equal(dkim_probe_status_name(DKIM_PROBE_NOT_KEY), "not_key");
	assert_string_equal(dkim_probe_status_name(DKIM_PROBE_NONE), "none");
	assert_string_equal(dkim_probe_status_name(DKIM_PROBE_TEMPERROR), "temperror");
	assert_string_equal(dkim_domain_status_name(DKIM_NOT_RUN), "not_run");
	assert_string_equal(dkim_domain_status_name(DKIM_FOUND), "found");
	assert_string_equal(dkim_domain_status_name(DKIM_NONE_FOUND), "none_found");
	assert_string_equal(dkim_domain_status_name(DKIM_TEMPERROR), "temperror");
}

/* ---- dkim_result_build ------------------------------------------------------- */

#define DOMAIN "example.test"

/* One answer: outcome, the owner after CNAMEs (NULL: none), records. */
static struct dns_answer *answer(const char *name, enum dns_outcome o, const char *cname,
                                 const char *const *txt)
{
	struct dns_answer *a = calloc(1, sizeof(*a));
	if (a == NULL)
		abort();
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->canonical, sizeof(a->canonical), "%s", cname ? cname : name);
	a->type = DNS_TYPE_TXT;
	a->outcome = o;
	a->cname_hops = cname ? 1 : 0;
	if (o == DNS_OUTCOME_TIMEOUT)
		snprintf(a->detail, sizeof(a->detail), "no answer after 1 attempt of 200 ms");
	for (size_t i = 0; txt && txt[i]; i++)
		assert_int_equal(dns_answer_add(a, DNS_TYPE_TXT, 0, txt[i], strlen(txt[i]), NULL),
		                 0);
	return a;
}

static struct dns_answer *sel_answer(const char *sel, enum dns_outcome o, const char *cname,
                                     const char *const *txt)
{
	char name[DNS_NAME_BUF];
	snprintf(name, sizeof(name), "%s._domainkey." DOMAIN, sel);
	return answer(name, o, cname, txt);
}

/* The registrable domain, the last two labels (as the PSL's "*" rule). */
static int org_of(const char *name, char *out, size_t outlen)
{
	const char *last = strrchr(name, '.'), *p = name;
	for (const char *q = name; last && q < last; q++)
		if (*q == '.')
			p = q + 1;
	snprintf(out, outlen, "%s", p);
	return 0;
}

static bool has_sel(const struct dkim_result *r, const char *name)
{
	for (size_t i = 0; i < r->nsel; i++)
		if (strcmp(r->sel[i].name, name) == 0)
			return true;
	return false;
}

/* The listed selector name; the test fails when it is not listed. */
static const struct dkim_selector_result *sel_of(const struct dkim_result *r, const char *name)
{
	for (size_t i = 0; i < r->nsel; i++)
		if (strcmp(r->sel[i].name, name) == 0)
			return &r->sel[i];
	fail_msg("%s is not listed", name);
	abort(); /* not reached: fail_msg does not return */
}

static bool has(const struct findings *f, const char *code)
{
	return findings_has(f, code) != 0;
}

/* The finding with code; the test fails when there is none. */
static const struct finding *finding_of(const struct findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].code, code) == 0)
			return &f->v[i];
	fail_msg("no finding %s", code);
	abort(); /* not reached: fail_msg does not return */
}

/* calloc that never returns NULL to the test. */
static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (p == NULL)
		abort();
	return p;
}

struct probes {
	struct dkim_probe p[16];
	struct dns_answer *a[16];
	size_t n;
};

static void add(struct probes *ps, const char *sel, bool named, struct dns_answer *a)
{
	assert_true(ps->n < 16);
	ps->p[ps->n] = (struct dkim_probe){ sel, named, a };
	ps->a[ps->n++] = a;
}

static void probes_free(struct probes *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		dns_answer_free(ps->a[i]);
}

static void test_found(void **state)
{
	(void)state;
	char k2048[1024], k1024[1024], t[1024];
	const char *google[] = { key_record("k=rsa; ", "rsa2048", k2048, sizeof(k2048)), NULL };
	const char *ms[] = { key_record("", "rsa1024", k1024, sizeof(k1024)), NULL };
	const char *revoked[] = { "v=DKIM1; p=", NULL };
	const char *note[] = { "google-site-verification=abc", NULL };
	const char *testing[] = { key_record("t=y; ", "rsa2048", t, sizeof(t)), NULL };
	struct probes ps = { 0 };
	add(&ps, "google", false, sel_answer("google", DNS_OUTCOME_DATA, NULL, google));
	add(&ps, "selector1", false,
	    sel_answer("selector1", DNS_OUTCOME_DATA,
	               "selector1-example-test._domainkey.contoso.onmicrosoft.com", ms));
	add(&ps, "mail", false, sel_answer("mail", DNS_OUTCOME_DATA, NULL, revoked));
	add(&ps, "dkim", false, sel_answer("dkim", DNS_OUTCOME_DATA, NULL, note));
	add(&ps, "s1", false, sel_answer("s1", DNS_OUTCOME_DATA, NULL, testing));
	add(&ps, "k1", false, sel_answer("k1", DNS_OUTCOME_NXDOMAIN, NULL, NULL));
	add(&ps, "k2", false, sel_answer("k2", DNS_OUTCOME_TIMEOUT, NULL, NULL));
	struct dns_answer *dk = answer("_domainkey." DOMAIN, DNS_OUTCOME_NODATA, NULL, NULL);
	struct dkim_result r;
	assert_int_equal(dkim_result_build(DOMAIN, ps.p, ps.n, dk, org_of, &r), 0);
	assert_int_equal(r.status, DKIM_FOUND);
	assert_int_equal(r.probed, 7);
	assert_int_equal(r.usable, 3);
	assert_int_equal(r.min_bits, 1024);
	assert_int_equal(r.temperrors, 1);
	/* Listed: what answered, in order; not k1 (none) nor k2 (a failed
	 * probe that was not named). */
	assert_int_equal(r.nsel, 5);
	static const char *const order[] = { "google", "selector1", "mail", "dkim", "s1" };
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(r.sel[i].name, order[i]);
	const struct dkim_selector_result *g = sel_of(&r, "google");
	assert_int_equal(g->status, DKIM_PROBE_KEY);
	assert_int_equal(g->key.bits, 2048);
	assert_null(g->cname);
	assert_int_equal(g->findings.n, 0);
	const struct dkim_selector_result *m = sel_of(&r, "selector1");
	assert_string_equal(m->cname, "selector1-example-test._domainkey.contoso.onmicrosoft.com");
	assert_string_equal(m->provider, "Microsoft 365");
	assert_true(m->provider_known);
	assert_true(has(&m->findings, "dkim.key_short_1024"));
	assert_int_equal(sel_of(&r, "mail")->status, DKIM_PROBE_REVOKED);
	assert_int_equal(sel_of(&r, "dkim")->status, DKIM_PROBE_NOT_KEY);
	assert_true(has(&sel_of(&r, "dkim")->findings, "dkim.not_key_record"));
	assert_true(sel_of(&r, "s1")->key.testing);
	/* A found domain says nothing of the probes that failed. */
	assert_false(has(&r.findings, "dkim.temperror"));
	assert_int_equal(r.findings.n, 0);
	assert_null(dkim_result_first_error(&r));
	dkim_result_cleanup(&r);
	dns_answer_free(dk);
	probes_free(&ps);
}

static void test_none_found(void **state)
{
	(void)state;
	const char *revoked[] = { "v=DKIM1; p=", NULL };
	struct probes ps = { 0 };
	add(&ps, "google", false, sel_answer("google", DNS_OUTCOME_NXDOMAIN, NULL, NULL));
	add(&ps, "default", false, sel_answer("default", DNS_OUTCOME_DATA, NULL, revoked));
	add(&ps, "k1", false, sel_answer("k1", DNS_OUTCOME_NODATA, NULL, NULL));
	struct dkim_result r;
	assert_int_equal(dkim_result_build(DOMAIN, ps.p, ps.n, NULL, org_of, &r), 0);
	assert_int_equal(r.status, DKIM_NONE_FOUND);
	assert_int_equal(r.nsel, 1);
	const struct finding *f = finding_of(&r.findings, "dkim.none_found");
	assert_non_null(f);
	assert_int_equal(f->severity, FINDING_INFO);
	/* N, what was probed, and never "no DKIM". */
	assert_non_null(strstr(f->message, "among the 3 selectors probed"));
	assert_non_null(strstr(f->message, "1 revoked"));
	assert_non_null(strstr(f->message, "not proof"));
	assert_non_null(strstr(f->fix, "s= tag"));
	assert_non_null(strstr(f->fix, "--dkim-selector"));
	assert_false(has(&r.findings, "dkim.domainkey_nxdomain"));
	dkim_result_cleanup(&r);

	/* Named selectors: said so, and listed whatever they answered. */
	ps.p[0].named = true;
	assert_int_equal(dkim_result_build(DOMAIN, ps.p, 1, NULL, org_of, &r), 0);
	assert_int_equal(r.status, DKIM_NONE_FOUND);
	assert_true(r.named);
	assert_int_equal(r.nsel, 1);
	assert_int_equal(r.sel[0].status, DKIM_PROBE_NONE);
	assert_non_null(strstr(finding_of(&r.findings, "dkim.none_found")->message, "ones given"));
	dkim_result_cleanup(&r);
	probes_free(&ps);
}

static void test_temperror(void **state)
{
	(void)state;
	char k[1024];
	const char *key[] = { key_record("", "rsa2048", k, sizeof(k)), NULL };
	struct probes ps = { 0 };
	add(&ps, "google", false, sel_answer("google", DNS_OUTCOME_NXDOMAIN, NULL, NULL));
	add(&ps, "drop", true, sel_answer("drop", DNS_OUTCOME_TIMEOUT, NULL, NULL));
	add(&ps, "sf", false, sel_answer("sf", DNS_OUTCOME_SERVFAIL, NULL, NULL));
	struct dkim_result r;
	assert_int_equal(dkim_result_build(DOMAIN, ps.p, ps.n, NULL, org_of, &r), 0);
	/* A timeout or SERVFAIL is never "none". */
	assert_int_equal(r.status, DKIM_TEMPERROR);
	assert_int_equal(r.temperrors, 2);
	assert_false(has(&r.findings, "dkim.none_found"));
	const struct finding *f = finding_of(&r.findings, "dkim.temperror");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "2 of the 3 probes failed"));
	assert_non_null(strstr(f->message, "drop, sf"));
	const struct dkim_selector_result *d = sel_of(&r, "drop"); /* named: listed */
	assert_int_equal(d->status, DKIM_PROBE_TEMPERROR);
	assert_non_null(strstr(d->detail, "no answer"));
	assert_false(has_sel(&r, "sf"));
	/* Said once, for the domain. */
	assert_int_equal(d->findings.n, 0);
	dkim_result_cleanup(&r);

	/* With a key elsewhere: found, and the named one that failed says so. */
	dns_answer_free(ps.a[0]);
	ps.a[0] = sel_answer("google", DNS_OUTCOME_DATA, NULL, key);
	ps.p[0].ans = ps.a[0];
	assert_int_equal(dkim_result_build(DOMAIN, ps.p, ps.n, NULL, org_of, &r), 0);
	assert_int_equal(r.status, DKIM_FOUND);
	assert_false(has(&r.findings, "dkim.temperror"));
	assert_true(has(&sel_of(&r, "drop")->findings, "dkim.temperror"));
	dkim_result_cleanup(&r);
	probes_free(&ps);
}

static void test_records_and_cnames(void **state)
{
	(void)state;
	char k[1024], k512[1024];
	const char *two[] = { "v=spf1 -all", key_record("", "rsa2048", k, sizeof(k)), NULL };
	const char *notes[] = { "note one", "note two", NULL };
	const char *weak[] = { key_record("", "rsa512", k512, sizeof(k512)), NULL };
	struct probes ps = { 0 };
	add(&ps, "google", false, sel_answer("google", DNS_OUTCOME_DATA, NULL, two));
	add(&ps, "notes", false, sel_answer("notes", DNS_OUTCOME_DATA, NULL, notes));
	add(&ps, "s1", false,
	    sel_answer("s1", DNS_OUTCOME_NXDOMAIN, "s1.domainkey.u1.wl.sendgrid.net", NULL));
	add(&ps, "x1", false,
	    sel_answer("x1", DNS_OUTCOME_DATA, "x1._domainkey.tenant.mailhost.example", weak));
	struct dkim_result r;
	assert_int_equal(dkim_result_build(DOMAIN, ps.p, ps.n, NULL, org_of, &r), 0);
	assert_int_equal(r.status, DKIM_FOUND);
	/* RFC 6376 3.6.2.2: several records, the first key record read. */
	const struct dkim_selector_result *g = sel_of(&r, "google");
	assert_int_equal(g->status, DKIM_PROBE_KEY);
	assert_int_equal(g->records, 2);
	const struct finding *f = finding_of(&g->findings, "dkim.multiple_records");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "undefined"));
	const struct dkim_selector_result *n = sel_of(&r, "notes");
	assert_int_equal(n->status, DKIM_PROBE_NOT_KEY);
	assert_true(has(&n->findings, "dkim.multiple_records"));
	/* A CNAME to nothing: listed, with its target and provider. */
	const struct dkim_selector_result *s = sel_of(&r, "s1");
	assert_int_equal(s->status, DKIM_PROBE_NONE);
	assert_string_equal(s->provider, "SendGrid");
	assert_true(has(&s->findings, "dkim.cname_no_key"));
	/* A provider the table does not know: the target's domain. */
	const struct dkim_selector_result *x = sel_of(&r, "x1");
	assert_string_equal(x->provider, "mailhost.example");
	assert_false(x->provider_known);
	assert_int_equal(x->key.bits, 512);
	assert_int_equal(r.min_bits, 512); /* of every key read, usable or not */
	const struct finding *e = dkim_result_first_error(&r);
	assert_non_null(e);
	assert_string_equal(e->code, "dkim.key_too_short");
	dkim_result_cleanup(&r);
	probes_free(&ps);
}

static void test_domainkey(void **state)
{
	(void)state;
	char k[1024];
	const char *spf[] = { "v=spf1 -all", NULL };
	const char *key[] = { key_record("", "rsa2048", k, sizeof(k)), NULL };
	struct probes ps = { 0 };
	add(&ps, "google", false, sel_answer("google", DNS_OUTCOME_DATA, NULL, spf));
	add(&ps, "s1", false, sel_answer("s1", DNS_OUTCOME_DATA, NULL, spf));
	add(&ps, "named", true, sel_answer("named", DNS_OUTCOME_DATA, NULL, spf));
	/* A wildcard: _domainkey gets the same record as every selector. */
	struct dns_answer *dk = answer("_domainkey." DOMAIN, DNS_OUTCOME_DATA, NULL, spf);
	struct dkim_result r;
	assert_int_equal(dkim_result_build(DOMAIN, ps.p, ps.n, dk, org_of, &r), 0);
	assert_int_equal(r.status, DKIM_NONE_FOUND);
	assert_int_equal(r.wildcard, 3);
	assert_int_equal(r.nsel, 1); /* the named one only */
	assert_int_equal(r.sel[0].status, DKIM_PROBE_NONE);
	assert_true(has(&r.findings, "dkim.wildcard"));
	dkim_result_cleanup(&r);
	dns_answer_free(dk);

	/* RFC 8020: NXDOMAIN at _domainkey, nothing below: said. */
	dk = answer("_domainkey." DOMAIN, DNS_OUTCOME_NXDOMAIN, NULL, NULL);
	struct probes none = { 0 };
	add(&none, "google", false, sel_answer("google", DNS_OUTCOME_NXDOMAIN, NULL, NULL));
	assert_int_equal(dkim_result_build(DOMAIN, none.p, none.n, dk, org_of, &r), 0);
	assert_int_equal(r.status, DKIM_NONE_FOUND);
	assert_true(r.domainkey_nxdomain);
	const struct finding *f = finding_of(&r.findings, "dkim.domainkey_nxdomain");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "RFC 8020"));
	assert_false(has(&r.findings, "dkim.nxdomain_contradicted"));
	dkim_result_cleanup(&r);
	probes_free(&none);

	/* A key below an NXDOMAIN _domainkey: the probe decides, and the
	 * disagreement is said (a server that denies empty non-terminals). */
	struct probes found = { 0 };
	add(&found, "google", false, sel_answer("google", DNS_OUTCOME_DATA, NULL, key));
	assert_int_equal(dkim_result_build(DOMAIN, found.p, found.n, dk, org_of, &r), 0);
	assert_int_equal(r.status, DKIM_FOUND);
	f = finding_of(&r.findings, "dkim.nxdomain_contradicted");
	assert_non_null(f);
	assert_int_equal(f->severity, FINDING_WARNING);
	assert_false(has(&r.findings, "dkim.domainkey_nxdomain"));
	dkim_result_cleanup(&r);
	probes_free(&found);
	dns_answer_free(dk);
	probes_free(&ps);
}

/* ---- the check: one round, enforceability, readiness, JSON ------------------ */

/* Answers every TXT question under DOMAIN: google has a key when
 * with_key, the rest NXDOMAIN. */
static void fill(struct dns_memo *m, const char *name, bool with_key)
{
	char k[1024];
	const char *key[] = { key_record("", "rsa2048", k, sizeof(k)), NULL };
	bool google = strcmp(name, "google._domainkey." DOMAIN) == 0;
	struct dns_answer *a =
	        answer(name, google && with_key ? DNS_OUTCOME_DATA : DNS_OUTCOME_NXDOMAIN, NULL,
	               google && with_key ? key : NULL);
	assert_int_equal(dns_memo_put(m, a), 0);
	dns_answer_free(a);
}

/* Runs the DKIM step as a driver would; returns the rounds it took. */
static int run_dkim(struct domain_result *r, bool with_key, size_t *asked)
{
	struct dns_memo *m = dns_memo_new();
	struct spf_dns dns = { dns_memo_lookup, m, NULL };
	char need[DNS_NAME_BUF];
	int rounds = 0;
	*asked = 0;
	for (;;) {
		bool pending = false;
		uint16_t type = 0;
		assert_int_equal(
		        checks_step(r, CHECK_DKIM, &dns, &pending, need, sizeof(need), &type), 0);
		if (!pending)
			break;
		rounds++;
		assert_true(rounds < 3);
		assert_int_equal(type, DNS_TYPE_TXT);
		const struct spf_need *more;
		size_t n = checks_more(r, CHECK_DKIM, &more);
		char copy[DNS_NAME_BUF];
		snprintf(copy, sizeof(copy), "%s", need);
		for (size_t i = 0; i < n; i++) {
			assert_string_not_equal(more[i].name, copy);
			fill(m, more[i].name, with_key);
		}
		fill(m, copy, with_key);
		*asked += n + 1;
	}
	assert_true(r->done[CHECK_DKIM]);
	dns_memo_free(m);
	return rounds;
}

static void test_one_round(void **state)
{
	(void)state;
	struct domain_result *r = xcalloc(1, sizeof(*r));
	size_t n, asked;
	(void)dkim_selectors_bundled(&n);
	checks_init(r, DOMAIN, CHECK_BIT(CHECK_DKIM), false);
	/* Every probe and _domainkey in the first round. */
	assert_int_equal(run_dkim(r, true, &asked), 1);
	assert_int_equal(asked, n + 1);
	assert_int_equal(r->dkim.status, DKIM_FOUND);
	assert_int_equal(r->dkim.probed, (int)n);
	checks_cleanup(r);

	/* Given selectors alone: those are probed, and listed. */
	static const char *const given[] = { "brand", "google" };
	checks_init(r, DOMAIN, CHECK_BIT(CHECK_DKIM), false);
	checks_dkim_select(r, given, 2, true);
	assert_int_equal(run_dkim(r, false, &asked), 1);
	assert_int_equal(asked, 3);
	assert_int_equal(r->dkim.status, DKIM_NONE_FOUND);
	assert_int_equal(r->dkim.nsel, 2);
	assert_string_equal(r->dkim.sel[0].name, "brand");
	checks_cleanup(r);

	/* Given beside the bundled list: counted once. */
	checks_init(r, DOMAIN, CHECK_BIT(CHECK_DKIM), false);
	checks_dkim_select(r, given, 2, false);
	assert_int_equal(run_dkim(r, true, &asked), 1);
	assert_int_equal(r->dkim.probed, (int)n + 1);
	assert_true(r->dkim.sel[0].named);
	checks_cleanup(r);
	free(r);
}

/* A domain whose DMARC reading is p (RFC 9989) and DKIM ran with status. */
static void dmarc_and_dkim(struct domain_result *r, enum dmarc_policy p, bool with_key)
{
	size_t asked;
	checks_init(r, DOMAIN, CHECKS_ALL, true);
	r->dmarc.bis.status = DMARC_STATUS_OK;
	r->dmarc.bis.policy = p;
	snprintf(r->dmarc.bis.record_domain, sizeof(r->dmarc.bis.record_domain), DOMAIN);
	run_dkim(r, with_key, &asked);
}

static void test_enforceability(void **state)
{
	(void)state;
	struct domain_result *r = xcalloc(1, sizeof(*r));
	static const struct {
		enum dmarc_policy p;
		bool key;
		const char *code;
	} rows[] = {
		{ DMARC_POLICY_REJECT, false, "dkim.dmarc_enforced_without_dkim" },
		{ DMARC_POLICY_QUARANTINE, false, "dkim.dmarc_enforced_without_dkim" },
		{ DMARC_POLICY_NONE, false, NULL },
		{ DMARC_POLICY_REJECT, true, NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		dmarc_and_dkim(r, rows[i].p, rows[i].key);
		assert_int_equal(checks_dkim_finish(r), 0);
		assert_int_equal(checks_dkim_finish(r), 0); /* once is enough */
		if (rows[i].code == NULL) {
			assert_false(has(&r->dkim.findings, "dkim.dmarc_enforced_without_dkim"));
		} else {
			const struct finding *f = finding_of(&r->dkim.findings, rows[i].code);
			assert_int_equal(f->severity, FINDING_WARNING);
			assert_non_null(strstr(f->message, "RFC 7960"));
			assert_non_null(strstr(f->message, "RFC 9989 7.4"));
			assert_string_equal(f->path, "_dmarc." DOMAIN);
			int count = 0;
			for (size_t k = 0; k < r->dkim.findings.n; k++)
				count += strcmp(r->dkim.findings.v[k].code, rows[i].code) == 0;
			assert_int_equal(count, 1);
		}
		checks_cleanup(r);
	}
	/* A DKIM temperror: could not be checked, said as such. */
	dmarc_and_dkim(r, DMARC_POLICY_REJECT, false);
	r->dkim.status = DKIM_TEMPERROR;
	assert_int_equal(checks_dkim_finish(r), 0);
	assert_false(has(&r->dkim.findings, "dkim.dmarc_enforced_without_dkim"));
	assert_true(has(&r->dkim.findings, "dkim.dmarc_enforcement_unchecked"));
	checks_cleanup(r);
	free(r);
}

static bool has_dkim_item(const struct domain_result *r)
{
	for (size_t i = 0; i < r->nready; i++)
		if (strcmp(r->ready[i].item, "dkim") == 0)
			return true;
	return false;
}

/* The readiness item "dkim"; the test fails when there is none. */
static const struct ready_item *dkim_item(const struct domain_result *r)
{
	for (size_t i = 0; i < r->nready; i++)
		if (strcmp(r->ready[i].item, "dkim") == 0)
			return &r->ready[i];
	fail_msg("no dkim item");
	abort(); /* not reached: fail_msg does not return */
}

static void test_readiness_and_json(void **state)
{
	(void)state;
	struct domain_result *r = xcalloc(1, sizeof(*r));
	dmarc_and_dkim(r, DMARC_POLICY_REJECT, true);
	assert_int_equal(readiness_build(r), 0);
	const struct ready_item *it = dkim_item(r);
	/* Last, advisory, passing with a key. */
	assert_ptr_equal(it, &r->ready[r->nready - 1]);
	assert_false(it->required);
	assert_int_equal(it->status, READY_PASS);
	assert_non_null(strstr(it->detail, "google (rsa 2048)"));
	size_t len;
	char *js = checks_json_text(r, &len);
	assert_non_null(strstr(js, "\"dkim\":{\"domain\":\"" DOMAIN "\",\"status\":\"found\""));
	assert_non_null(strstr(js, "\"selector\":\"google\",\"status\":\"key\",\"key_type\":"
	                           "\"rsa\",\"bits\":2048,\"testing\":false,\"cname\":null,"
	                           "\"findings\":[]"));
	free(js);
	checks_cleanup(r);

	/* Guessed selectors that missed: no verdict (unknown), never fail. */
	dmarc_and_dkim(r, DMARC_POLICY_NONE, false);
	assert_int_equal(readiness_build(r), 0);
	assert_int_equal(dkim_item(r)->status, READY_UNKNOWN);
	checks_cleanup(r);
	/* Selectors given that missed: a warning. */
	static const char *const given[] = { "brand" };
	checks_init(r, DOMAIN, CHECKS_ALL, true);
	checks_dkim_select(r, given, 1, true);
	size_t asked;
	run_dkim(r, false, &asked);
	assert_int_equal(readiness_build(r), 0);
	assert_int_equal(dkim_item(r)->status, READY_WARN);
	assert_false(dkim_item(r)->required);
	checks_cleanup(r);

	/* DKIM not run: no item, and the stored JSON has no "dkim" key. */
	checks_init(r, DOMAIN, CHECKS_ALL & ~CHECK_BIT(CHECK_DKIM), true);
	assert_int_equal(readiness_build(r), 0);
	assert_false(has_dkim_item(r));
	assert_int_equal(r->nready, 10);
	js = checks_json_text(r, &len);
	assert_null(strstr(js, "\"dkim\""));
	free(js);
	checks_cleanup(r);
	free(r);
}

static void test_check_parse(void **state)
{
	(void)state;
	unsigned mask;
	bool bimi;
	char err[128];
	assert_int_equal(checks_parse("spf,dkim", &mask, &bimi, err, sizeof(err)), 0);
	assert_int_equal(mask, CHECK_BIT(CHECK_SPF) | CHECK_BIT(CHECK_DKIM));
	assert_int_equal(checks_parse("spf,arc", &mask, &bimi, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "dkim"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selector_valid),     cmocka_unit_test(test_bundled),
		cmocka_unit_test(test_providers),          cmocka_unit_test(test_found),
		cmocka_unit_test(test_none_found),         cmocka_unit_test(test_temperror),
		cmocka_unit_test(test_records_and_cnames), cmocka_unit_test(test_domainkey),
		cmocka_unit_test(test_one_round),          cmocka_unit_test(test_enforceability),
		cmocka_unit_test(test_readiness_and_json), cmocka_unit_test(test_check_parse),
	};
	if (psl_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
