/*
 * Unit tests for what lets a report skip the results' JSON: a row read
 * from a result's facts (the projection checks_facts_text stores beside
 * the JSON) or from the JSON gives the same values; facts of an older
 * version are not read; report_row_facts_check finds the fact that
 * differs; and the statistics kept at the end of a scan come back whole
 * (every metric, the top include targets, the definitions' version), while
 * the first kept form (posture-stats 1) still reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"

/* One result's facts; the JSON holds them and more, in the same places. */
#define FACTS_BODY                                                                                 \
	"\"spf\":{\"record\":\"v=spf1 include:a.example -all\",\"tree\":{\"children\":["           \
	"{\"via\":\"include:a.example\"}]}},"                                                      \
	"\"dmarc\":{\"record\":\"v=DMARC1; p=reject; rua=mailto:a@b\","                            \
	"\"nonexistent_policy\":\"none\",\"testing\":false,"                                       \
	"\"rua\":[{\"uri\":\"mailto:a@b\",\"authorized\":false}],"                                 \
	"\"rfc7489\":{\"enforcement\":\"reject\"},\"readings_differ\":true},"                      \
	"\"mx\":{\"hosts\":[{\"host\":\"mx1.x.example\"}]},"                                       \
	"\"bimi\":{\"logo\":{\"url\":\"https://x.example/l.svg\",\"status\":\"valid\"},"           \
	"\"vmc\":{\"type\":\"VMC\",\"not_after\":\"2027-01-01T00:00:00Z\",\"issuer\":\"CN=CA\","   \
	"\"findings\":[{\"code\":\"vmc.expired\"}]},"                                              \
	"\"readiness\":[{\"item\":\"spf\",\"status\":\"fail\"}]}"

static const char facts1[] = "{\"facts\":1," FACTS_BODY "}";
static const char json[] =
        "{\"domain\":\"x.example\"," FACTS_BODY ",\"a\":{\"status\":\"present\"},"
        "\"conclusive\":true}";

static struct store_row stored(const char *j, const char *facts)
{
	struct store_row in;
	memset(&in, 0, sizeof(in));
	in.domain = "x.example";
	in.r.spf_status = "ok";
	in.r.dmarc_status = "ok";
	in.r.dmarc_enforcement = "reject";
	in.r.spf_lookups = in.r.dmarc_pct = in.r.bimi_eligible = -1;
	in.r.json = j;
	in.r.facts = facts;
	return in;
}

static void expect_facts(const struct report_row *r)
{
	assert_string_equal(r->spf_record, "v=spf1 include:a.example -all");
	assert_int_equal(r->nincludes, 1);
	assert_string_equal(r->includes[0], "a.example");
	assert_string_equal(r->dmarc_rua_uris, "mailto:a@b");
	assert_true(r->dmarc_rua && r->dmarc_rua_unauthorized && r->dmarc_readings_differ);
	assert_string_equal(r->dmarc_np, "none");
	assert_string_equal(r->mx_hosts, "mx1.x.example");
	assert_string_equal(r->logo_url, "https://x.example/l.svg");
	assert_string_equal(r->vmc_issuer, "CN=CA");
	assert_true(r->vmc_expired);
	assert_int_equal(r->bimi_fail, 1u << 7); /* spf */
}

/* Facts alone (the JSON not read: NULL) give what the JSON gives. */
static void test_row_from_facts(void **state)
{
	(void)state;
	struct report_row a, b;
	struct store_row in = stored(NULL, facts1);
	assert_int_equal(report_row_from_store(&a, &in), 0);
	expect_facts(&a);
	in = stored(json, NULL);
	assert_int_equal(report_row_from_store(&b, &in), 0);
	expect_facts(&b);
	report_row_cleanup(&a);
	report_row_cleanup(&b);

	/* Facts of a version before the one rows read: the JSON is read. */
	static const char old[] = "{\"facts\":0,\"dmarc\":{\"rua\":[{\"uri\":\"mailto:old@x\"}]}}";
	in = stored(json, old);
	assert_int_equal(report_row_from_store(&a, &in), 0);
	assert_string_equal(a.dmarc_rua_uris, "mailto:a@b");
	report_row_cleanup(&a);
	/* ... and without the JSON, no facts at all (never the old ones). */
	in = stored(NULL, old);
	assert_int_equal(report_row_from_store(&a, &in), 0);
	assert_null(a.dmarc_rua_uris);
	assert_string_equal(a.dmarc_enforcement, "reject"); /* the columns still count */
	report_row_cleanup(&a);
}

/* db check's comparison: equal facts pass, a differing fact is named. */
static void test_facts_check(void **state)
{
	(void)state;
	char what[64] = "";
	struct store_row in = stored(json, facts1);
	assert_int_equal(report_row_facts_check(&in, what, sizeof(what)), 0);
	static const char nomx[] = "{\"facts\":1,"
	                           "\"spf\":{\"record\":\"v=spf1 include:a.example -all\","
	                           "\"tree\":{\"children\":[{\"via\":\"include:a.example\"}]}},"
	                           "\"dmarc\":{\"record\":\"v=DMARC1; p=reject; rua=mailto:a@b\","
	                           "\"nonexistent_policy\":\"none\",\"testing\":false,"
	                           "\"rua\":[{\"uri\":\"mailto:a@b\",\"authorized\":false}],"
	                           "\"rfc7489\":{\"enforcement\":\"reject\"},"
	                           "\"readings_differ\":true}}";
	in = stored(json, nomx);
	assert_int_equal(report_row_facts_check(&in, what, sizeof(what)), 1);
	assert_string_equal(what, "vmc_type"); /* the first fact missing, in check order */
	/* Nothing to compare: no facts, no JSON, or facts too old to read. */
	in = stored(json, NULL);
	assert_int_equal(report_row_facts_check(&in, what, sizeof(what)), 0);
	in = stored(NULL, facts1);
	assert_int_equal(report_row_facts_check(&in, what, sizeof(what)), 0);
	in = stored(json, "{\"facts\":0}");
	assert_int_equal(report_row_facts_check(&in, what, sizeof(what)), 0);
}

static long cnt(const struct report_stats *s, enum report_view v, const char *metric)
{
	int i = report_metric_index(metric);
	assert_true(i >= 0);
	return report_stats_count(s, v, (size_t)i);
}

/* Kept statistics come back as they were counted, includes too. */
static void test_stats_kept(void **state)
{
	(void)state;
	struct report_row rows[3];
	struct store_row in = stored(json, facts1);
	in.company = "X";
	assert_int_equal(report_row_from_store(&rows[0], &in), 0);
	in.domain = "y.example";
	assert_int_equal(report_row_from_store(&rows[1], &in), 0);
	in.domain = "z.example";
	in.company = NULL;
	in.r.dmarc_enforcement = "monitor";
	assert_int_equal(report_row_from_store(&rows[2], &in), 0);
	struct report_stats *s = report_stats_new();
	for (int i = 0; i < 3; i++)
		assert_int_equal(report_stats_add(s, &rows[i]), 0);
	assert_int_equal(report_stats_finish(s), 0);
	assert_true(report_stats_current(s));
	char *text = report_stats_save(s);
	assert_non_null(text);
	assert_non_null(strstr(text, "posture-stats 2\ndefinitions "));
	assert_non_null(strstr(text, "\ninclude a.example 3\n"));
	struct report_stats *k = report_stats_load(text);
	assert_non_null(k);
	assert_true(report_stats_current(k));
	for (enum report_view v = 0; v < REPORT_VIEWS; v++) {
		assert_int_equal(report_stats_units(k, v), report_stats_units(s, v));
		for (size_t m = 0; m < report_nmetrics; m++)
			assert_int_equal(report_stats_count(k, v, m), report_stats_count(s, v, m));
	}
	assert_int_equal(cnt(k, REPORT_VIEW_DOMAIN, "dmarc_reject"), 2);
	assert_int_equal(cnt(k, REPORT_VIEW_COMPANY, "dmarc_reject"), 1); /* X once, z monitor */
	assert_int_equal(report_stats_units(k, REPORT_VIEW_COMPANY), 2);
	size_t n;
	const struct report_include *inc = report_stats_includes(k, &n);
	assert_int_equal(n, 1);
	assert_string_equal(inc[0].host, "a.example");
	assert_int_equal(inc[0].domains, 3);
	char *again = report_stats_save(k);
	assert_string_equal(again, text); /* the kept form is a fixed point */
	free(again);
	report_stats_free(k);
	free(text);

	/* The first kept form: read, but counted by another definition
	 * (report_stats_current false: a report counts the results again). */
	k = report_stats_load("posture-stats 1\nunits 1 1 1\ndmarc_reject 1 1 1\n");
	assert_non_null(k);
	assert_false(report_stats_current(k));
	assert_int_equal(cnt(k, REPORT_VIEW_DOMAIN, "dmarc_reject"), 1);
	report_stats_free(k);
	/* Definitions of another posture: read, not current. */
	k = report_stats_load("posture-stats 2\ndefinitions 999\nunits 1 1 1\n");
	assert_non_null(k);
	assert_false(report_stats_current(k));
	report_stats_free(k);
	/* Not a kept form. */
	assert_null(report_stats_load("posture-stats 3\nunits 1 1 1\n"));
	assert_null(report_stats_load("posture-stats 2\nunits 1 x 1\n"));
	assert_null(report_stats_load("posture-stats 2\ninclude\n"));
	report_stats_free(s);
	for (int i = 0; i < 3; i++)
		report_row_cleanup(&rows[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_from_facts),
		cmocka_unit_test(test_facts_check),
		cmocka_unit_test(test_stats_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
