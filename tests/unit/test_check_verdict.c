/*
 * Unit tests for what posture check and posture bimi decide without the
 * network (issue 20, items 8 and 9):
 * - domainarg.c: an email address or a URL stands for its domain;
 * - cli.c: the edit distance and the "did you mean" candidates, the
 *   options a --help text names, the domain a command is given;
 * - readiness.c: the verdict (ready, ready without a certificate,
 *   problems, incomplete) and each item's cause (an http: logo is the
 *   logo's own failure; no DMARC record has the DMARC finding's fix);
 * - vmc.c: vmc.expires_soon within --expiry-warn days of the end.
 * The integration side is tests/integration/test_check_verdicts.py and
 * test_cli_consistency.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "domainarg.h"
#include "domainlist.h"
#include "readiness.h"
#include "vmc.h"

/* ---- domainarg.c -------------------------------------------------------- */

static void test_domain_from_input(void **state)
{
	static const struct {
		const char *in, *out;
		int form;
	} cases[] = {
		{ "kestrel-foods.test", "kestrel-foods.test", DOMAIN_FORM_NAME },
		{ "  Kestrel-Foods.TEST. ", "Kestrel-Foods.TEST.", DOMAIN_FORM_NAME },
		{ "user@kestrel-foods.test", "kestrel-foods.test", DOMAIN_FORM_ADDRESS },
		{ "MAILTO:user@kestrel-foods.test?subject=hi", "kestrel-foods.test",
		  DOMAIN_FORM_ADDRESS },
		{ "Jane Doe <jane@kestrel-foods.test>", "kestrel-foods.test", DOMAIN_FORM_ADDRESS },
		{ "\"a@b\"@kestrel-foods.test", "kestrel-foods.test", DOMAIN_FORM_ADDRESS },
		{ "https://kestrel-foods.test/", "kestrel-foods.test", DOMAIN_FORM_URL },
		{ "HTTPS://user:pw@kestrel-foods.test:8443/a/b?c#d", "kestrel-foods.test",
		  DOMAIN_FORM_URL },
		{ "http://kestrel-foods.test", "kestrel-foods.test", DOMAIN_FORM_URL },
		{ "kestrel-foods.test/about", "kestrel-foods.test", DOMAIN_FORM_URL },
		{ "https://[2001:db8::1]:443/", "[2001:db8::1]", DOMAIN_FORM_URL },
		{ "https://kestrel-foods.test:abc/", "kestrel-foods.test:abc", DOMAIN_FORM_URL },
		{ "_dmarc.kestrel-foods.test", "_dmarc.kestrel-foods.test", DOMAIN_FORM_NAME },
	};
	char out[256];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int form = domain_from_input(cases[i].in, out, sizeof(out));
		if (form != cases[i].form || strcmp(out, cases[i].out) != 0)
			fail_msg("'%s': form %d '%s', want %d '%s'", cases[i].in, form, out,
			         cases[i].form, cases[i].out);
	}
	/* Forms without a domain, and one that does not fit. */
	assert_int_equal(domain_from_input("user@", out, sizeof(out)), -1);
	assert_int_equal(domain_from_input("https:///path", out, sizeof(out)), -1);
	assert_int_equal(domain_from_input("mailto:nobody", out, sizeof(out)), -1);
	assert_int_equal(domain_from_input("kestrel-foods.test", out, 5), -1);
	assert_string_equal(domain_form_name(DOMAIN_FORM_ADDRESS), "an email address");
	assert_string_equal(domain_form_name(DOMAIN_FORM_URL), "a URL");
}

/* The list reader takes them by the same rule, and says so per line. */
struct said {
	unsigned long lines[8];
	char reasons[8][320];
	size_t n;
};

static void note(void *arg, const char *source, unsigned long line, const char *reason)
{
	struct said *s = arg;
	(void)source;
	if (s->n < 8) {
		s->lines[s->n] = line;
		snprintf(s->reasons[s->n++], sizeof(s->reasons[0]), "%s", reason);
	}
}

static void test_list_forms(void **state)
{
	static const char text[] = "domain,company\n"
	                           "kestrel-foods.test,Kestrel\n"
	                           "jane@aurora-looms.test,Aurora\n"
	                           "https://bramblewick-tea.test/about,Bramblewick\n"
	                           "nobody@,Nobody\n";
	struct said problems = { 0 }, warnings = { 0 };
	struct list_entry e[4];
	char err[128];
	size_t n = 0;
	(void)state;
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct list_reader *r = list_open_stream(f, "forms.csv", note, &problems);
	list_on_warning(r, note, &warnings);
	while (n < 4 && list_next(r, &e[n], err, sizeof(err)) == 1)
		n++;
	list_close(r);
	fclose(f);
	assert_int_equal(n, 3);
	assert_string_equal(e[1].domain, "aurora-looms.test");
	assert_string_equal(e[1].company, "Aurora");
	assert_string_equal(e[2].domain, "bramblewick-tea.test");
	assert_int_equal(warnings.n, 2);
	assert_int_equal(warnings.lines[0], 3);
	assert_string_equal(warnings.reasons[0], "\"jane@aurora-looms.test\" is an email address: "
	                                         "scanning its domain aurora-looms.test");
	assert_int_equal(warnings.lines[1], 4);
	assert_non_null(strstr(warnings.reasons[1], "is a URL: scanning its domain "
	                                            "bramblewick-tea.test"));
	assert_int_equal(problems.n, 1);
	assert_int_equal(problems.lines[0], 5);
	assert_non_null(strstr(problems.reasons[0], "without a domain"));
}

/* ---- cli.c ------------------------------------------------------------------ */

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(cli_edit_distance("check", "check"), 0);
	assert_int_equal(cli_edit_distance("chekc", "check"), 1); /* a swap */
	assert_int_equal(cli_edit_distance("chek", "check"), 1);
	assert_int_equal(cli_edit_distance("checks", "check"), 1);
	assert_int_equal(cli_edit_distance("chxck", "check"), 1);
	assert_int_equal(cli_edit_distance("", "abc"), 3);
	assert_int_equal(cli_edit_distance("ca", "abc"), 3); /* OSA: no edit twice */
	char longer[80];
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_true(cli_edit_distance(longer, "a") == SIZE_MAX);
}

static void test_suggest(void **state)
{
	static const char *const cmds[] = { "check", "bimi", "lookup", "spf",
		                            "dmarc", "db",   "diff",   "help" };
	static const char *const opts[] = { "--selector", "--no-fetch", "--at", "--db", "--json" };
	char out[200];
	(void)state;
	assert_int_equal(cli_suggest("chekc", cmds, 8, out, sizeof(out)), 1);
	assert_string_equal(out, "'check'");
	assert_int_equal(cli_suggest("lokup", cmds, 8, out, sizeof(out)), 1);
	assert_string_equal(out, "'lookup'");
	/* Short words: one edit at most, and every nearest one. */
	assert_int_equal(cli_suggest("dd", cmds, 8, out, sizeof(out)), 1);
	assert_string_equal(out, "'db'");
	assert_int_equal(cli_suggest("dif", cmds, 8, out, sizeof(out)), 1);
	assert_string_equal(out, "'diff'");
	assert_int_equal(cli_suggest("frobnicate", cmds, 8, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(cli_suggest("--selctor", opts, 5, out, sizeof(out)), 1);
	assert_string_equal(out, "'--selector'");
	assert_int_equal(cli_suggest("--selctor=brand2", opts, 5, out, sizeof(out)), 1);
	assert_int_equal(cli_suggest("--no-fecth", opts, 5, out, sizeof(out)), 1);
	assert_string_equal(out, "'--no-fetch'");
	assert_int_equal(cli_suggest("--dt", opts, 5, out, sizeof(out)), 2);
	assert_string_equal(out, "'--at' or '--db'");
	assert_int_equal(cli_suggest("--bogus", opts, 5, out, sizeof(out)), 0);
}

static void test_help_names(void **state)
{
	static const char help[] = "usage: posture x [--db FILE] [--run ID]\n"
	                           "  --no-fetch  do not\n"
	                           "  --at TIME, --expiry-warn DAYS\n"
	                           "  see posture-db--x and e--mail\n";
	(void)state;
	assert_true(cli_help_names(help, "--db"));
	assert_true(cli_help_names(help, "--run"));
	assert_true(cli_help_names(help, "--no-fetch"));
	assert_true(cli_help_names(help, "--expiry-warn"));
	assert_false(cli_help_names(help, "--x"));
	assert_false(cli_help_names(help, "--mail"));
	assert_false(cli_help_names(help, "--bogus"));
	assert_false(cli_help_names(NULL, "--db"));
}

static void test_domain_arg(void **state)
{
	char out[DNS_NAME_BUF];
	(void)state;
	assert_int_equal(cli_domain_arg("check", "user@Kestrel-Foods.test", true, out, sizeof(out)),
	                 0);
	assert_string_equal(out, "kestrel-foods.test");
	assert_int_equal(
	        cli_domain_arg("check", "https://kestrel-foods.test/", true, out, sizeof(out)), 0);
	assert_string_equal(out, "kestrel-foods.test");
	/* IDN to A-labels, as a scan list's names. */
	assert_int_equal(cli_domain_arg("check", "info@bücher.example", true, out, sizeof(out)), 0);
	assert_string_equal(out, "xn--bcher-kva.example");
	/* Refused as a scan list refuses them: usage errors. */
	assert_int_equal(cli_domain_arg("check", "192.0.2.1", true, out, sizeof(out)), EXIT_USAGE);
	assert_int_equal(cli_domain_arg("check", "https://192.0.2.1/", true, out, sizeof(out)),
	                 EXIT_USAGE);
	assert_int_equal(cli_domain_arg("check", "user@", true, out, sizeof(out)), EXIT_USAGE);
	assert_int_equal(cli_domain_arg("check", "localhost", true, out, sizeof(out)), EXIT_USAGE);
	/* lookup: any DNS name, the URL's host too. */
	assert_int_equal(
	        cli_domain_arg("lookup", "_dmarc.kestrel-foods.test", false, out, sizeof(out)), 0);
	assert_string_equal(out, "_dmarc.kestrel-foods.test");
	assert_int_equal(
	        cli_domain_arg("lookup", "https://Kestrel-Foods.test/x", false, out, sizeof(out)),
	        0);
	assert_string_equal(out, "kestrel-foods.test");
}

/* ---- readiness.c: verdicts and causes ------------------------------------- */

static char logo_url[] = "https://bimi.example.test/logo.svg";

/* A domain that passes everything, with a valid VMC: the fields
 * readiness_build reads, set by hand. */
static void ready_domain(struct domain_result *r)
{
	checks_init(r, "example.test", CHECKS_ALL, true);
	r->spf.status = SPF_STATUS_OK;
	snprintf(r->spf.all, sizeof(r->spf.all), "-all");
	r->dmarc.bis.status = DMARC_STATUS_OK;
	r->dmarc.bis.policy = DMARC_POLICY_REJECT;
	r->dmarc.bis.enforcement = DMARC_ENF_REJECT;
	snprintf(r->dmarc.bis.record_domain, sizeof(r->dmarc.bis.record_domain), "example.test");
	r->mx.status = HOST_PRESENT;
	r->mx.records = 1;
	r->a.status = HOST_PRESENT;
	r->a.records = 1;
	r->bimi.status = BIMI_STATUS_OK;
	snprintf(r->bimi.record_name, sizeof(r->bimi.record_name), "default._bimi.example.test");
	snprintf(r->bimi.selector, sizeof(r->bimi.selector), "default");
	snprintf(r->bimi.domain, sizeof(r->bimi.domain), "example.test");
	r->bimi.rec.l = logo_url;
	r->assets.logo = BIMI_ASSET_VALID;
	r->assets.vmc = BIMI_ASSET_VALID;
	r->assets.vmc_type = "VMC";
	r->assets.vmc_logo_matches = true;
	r->bimi_finished = true;
}

/* Builds the checklist; only what readiness_build and the test added is
 * freed (the rest points at static text). */
static enum verdict judge(struct domain_result *r, bool whole)
{
	assert_int_equal(readiness_build(r), 0);
	return readiness_verdict(r, whole);
}

static void done(struct domain_result *r)
{
	free(r->ready);
	findings_cleanup(&r->bimi.findings);
	findings_cleanup(&r->dmarc.findings);
	findings_cleanup(&r->spf.findings);
}

static const struct ready_item *item(const struct domain_result *r, const char *id)
{
	static const struct ready_item none = { .item = "none", .status = READY_UNKNOWN };
	for (size_t i = 0; i < r->nready; i++)
		if (strcmp(r->ready[i].item, id) == 0)
			return &r->ready[i];
	fail_msg("no item %s", id);
	return &none; /* not reached: fail_msg ends the test */
}

static void test_verdicts(void **state)
{
	struct domain_result r;
	(void)state;
	ready_domain(&r);
	assert_int_equal(judge(&r, true), VERDICT_READY);
	assert_int_equal(readiness_verdict(&r, false), VERDICT_READY);
	assert_string_equal(verdict_name(VERDICT_READY), "ready");
	done(&r);

	/* No a=: ready, but only where self-asserted logos are shown. */
	ready_domain(&r);
	r.assets.vmc = BIMI_ASSET_ABSENT;
	assert_int_equal(judge(&r, true), VERDICT_READY_NO_MARK);
	assert_int_equal(readiness_verdict(&r, false), VERDICT_READY_NO_MARK);
	assert_string_equal(verdict_name(VERDICT_READY_NO_MARK), "ready_no_certificate");
	done(&r);

	/* --no-fetch: nothing is wrong, but two items are open. */
	ready_domain(&r);
	r.assets.logo = r.assets.vmc = BIMI_ASSET_UNCHECKED;
	assert_int_equal(judge(&r, true), VERDICT_INCOMPLETE);
	assert_int_equal(item(&r, "logo")->status, READY_UNKNOWN);
	assert_string_equal(verdict_name(VERDICT_INCOMPLETE), "incomplete");
	done(&r);

	/* ... unless something definite is wrong: problems first. */
	ready_domain(&r);
	r.assets.logo = r.assets.vmc = BIMI_ASSET_UNCHECKED;
	r.dmarc.bis.policy = DMARC_POLICY_NONE;
	assert_int_equal(judge(&r, true), VERDICT_PROBLEMS);
	assert_int_equal(readiness_verdict(&r, false), VERDICT_PROBLEMS);
	done(&r);

	/* A DNS failure on DMARC alone: incomplete; its temperror finding
	 * is no definite problem. */
	ready_domain(&r);
	r.dmarc.bis.status = DMARC_STATUS_TEMPERROR;
	findings_add(&r.dmarc.findings, "dmarc.temperror", FINDING_ERROR, NULL, NULL, "timeout");
	assert_int_equal(judge(&r, true), VERDICT_INCOMPLETE);
	/* An SPF error found besides it is. */
	findings_add(&r.spf.findings, "spf.void_lookups", FINDING_ERROR, NULL, NULL, "void");
	assert_int_equal(readiness_verdict(&r, true), VERDICT_PROBLEMS);
	done(&r);

	/* A domain that does not exist, whatever else. */
	ready_domain(&r);
	r.nxdomain = true;
	assert_int_equal(judge(&r, true), VERDICT_PROBLEMS);
	done(&r);
}

static void test_item_causes(void **state)
{
	struct domain_result r;
	(void)state;
	/* A record published with an http: logo: the logo item fails with
	 * that cause, never "Publish the BIMI record first". */
	ready_domain(&r);
	r.bimi.status = BIMI_STATUS_INVALID;
	r.assets.logo = r.assets.vmc = BIMI_ASSET_ABSENT;
	findings_add(&r.bimi.findings, "bimi.l_not_https", FINDING_ERROR, NULL,
	             "Serve the logo over HTTPS.", "l= uses http, not https");
	assert_int_equal(judge(&r, true), VERDICT_PROBLEMS);
	assert_int_equal(item(&r, "logo")->status, READY_FAIL);
	assert_string_equal(item(&r, "logo")->detail, "l= uses http, not https");
	assert_string_equal(item(&r, "logo")->fix, "Serve the logo over HTTPS.");
	assert_int_equal(item(&r, "certificate")->status, READY_UNKNOWN);
	assert_null(strstr(item(&r, "certificate")->fix, "Publish the BIMI record"));
	done(&r);

	/* No DMARC record: the checklist's fix is the DMARC finding's, the
	 * one posture check shows as the most important problem. */
	ready_domain(&r);
	r.dmarc.bis.status = DMARC_STATUS_NONE;
	findings_add(&r.dmarc.findings, "dmarc.none", FINDING_ERROR, NULL,
	             "Publish p=none first, then p=quarantine and p=reject.", "no record");
	judge(&r, true);
	assert_int_equal(item(&r, "dmarc_policy")->status, READY_FAIL);
	assert_string_equal(item(&r, "dmarc_policy")->fix,
	                    "Publish p=none first, then p=quarantine and p=reject.");
	done(&r);

	/* No record at all for --selector brand2: the fix names brand2. */
	ready_domain(&r);
	r.bimi.status = BIMI_STATUS_NONE;
	snprintf(r.bimi.selector, sizeof(r.bimi.selector), "brand2");
	judge(&r, true);
	assert_non_null(strstr(item(&r, "bimi_record")->fix, "brand2._bimi.example.test"));
	done(&r);
}

/* ---- vmc.c: the expiry warning -------------------------------------------- */

static void test_expires_soon(void **state)
{
	(void)state;
	FILE *f = fopen("tests/fixtures/vmc/valimail-2024.pem", "rb");
	assert_non_null(f);
	static uint8_t pem[65536];
	size_t len = fread(pem, 1, sizeof(pem), f);
	fclose(f);
	struct vmc_options o = { .domain = "vali.email" };
	struct vmc_result res;
	assert_int_equal(vmc_parse_time("2025-01-01", &o.at), 0);
	assert_int_equal(vmc_check(pem, len, &o, &res), 0);
	time_t end = res.not_after;
	assert_true(res.valid);
	vmc_result_cleanup(&res);
	static const struct {
		long days_before;
		unsigned warn;
		bool warned;
	} cases[] = { { 10, 30, true },
		      { 40, 30, false },
		      { 10, 0, false },
		      { 40, 60, true },
		      { 1, 30, true } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o.at = end - cases[i].days_before * 86400;
		o.expiry_warn_days = cases[i].warn;
		assert_int_equal(vmc_check(pem, len, &o, &res), 0);
		const struct finding *w = NULL;
		for (size_t k = 0; k < res.findings.n; k++)
			if (strcmp(res.findings.v[k].code, "vmc.expires_soon") == 0)
				w = &res.findings.v[k];
		if ((w != NULL) != cases[i].warned)
			fail_msg("case %zu: warned %d", i, w != NULL);
		if (w != NULL) {
			char days[32];
			snprintf(days, sizeof(days), "in %ld day%s", cases[i].days_before,
			         cases[i].days_before == 1 ? "" : "s");
			assert_non_null(strstr(w->message, days));
			assert_int_equal(w->severity, FINDING_WARNING);
		}
		/* A warning, never an error: the certificate stays valid. */
		assert_true(res.valid);
		vmc_result_cleanup(&res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_from_input), cmocka_unit_test(test_list_forms),
		cmocka_unit_test(test_edit_distance),     cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_help_names),        cmocka_unit_test(test_domain_arg),
		cmocka_unit_test(test_verdicts),          cmocka_unit_test(test_item_causes),
		cmocka_unit_test(test_expires_soon),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
