/*
 * Unit tests of the transport security figures of reports (issue 24):
 * the MTA-STS, TLS-RPT, DNSSEC and DANE metrics over rows built by hand,
 * in the domain, company and company_any views, with a domain that does
 * not exist and domains where a check did not run left out; the same
 * figures in text, CSV, JSON, Markdown and HTML; a run without the checks
 * ("not checked", as DKIM); the research CSV's columns; a stored row's
 * columns copied into a report row; posture diff's transport changes.
 * Every expected number is counted by hand from the table in rows_init.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "report.h"

/* A row with SPF and DMARC fine and the four transport statuses ("" for
 * a check that did not run); mx_covered as stored (-1 NULL). */
static struct report_row row(const char *domain, const char *company, const char *mta_sts,
                             int mx_covered, const char *tls_rpt, const char *dnssec,
                             const char *dane)
{
	struct report_row r;
	memset(&r, 0, sizeof(r));
	r.domain = strdup(domain);
	r.company = company ? strdup(company) : NULL;
	r.conclusive = true;
	snprintf(r.spf_status, sizeof(r.spf_status), "ok");
	snprintf(r.spf_all, sizeof(r.spf_all), "-all");
	r.spf_lookups = 1;
	r.spf_void = 0;
	snprintf(r.dmarc_status, sizeof(r.dmarc_status), "ok");
	snprintf(r.dmarc_enforcement, sizeof(r.dmarc_enforcement), "reject");
	snprintf(r.dmarc_policy, sizeof(r.dmarc_policy), "reject");
	r.dmarc_pct = -1;
	snprintf(r.bimi_status, sizeof(r.bimi_status), "not_run");
	r.bimi_eligible = -1;
	snprintf(r.mx, sizeof(r.mx), "present");
	snprintf(r.a, sizeof(r.a), "present");
	r.dkim_min_bits = -1;
	snprintf(r.mta_sts_status, sizeof(r.mta_sts_status), "%s", mta_sts);
	r.mta_sts_mx_covered = mx_covered;
	snprintf(r.tls_rpt_status, sizeof(r.tls_rpt_status), "%s", tls_rpt);
	snprintf(r.dnssec_status, sizeof(r.dnssec_status), "%s", dnssec);
	snprintf(r.dane_status, sizeof(r.dane_status), "%s", dane);
	return r;
}

#define NROWS 10

/*
 * The run (list order; * a company's primary domain, its first):
 *  #   domain        company  MTA-STS (covered)   TLS-RPT    DNSSEC         DANE
 *  1*  a1.example    A        enforce (1)         ok         secure         dane
 *  2   a2.example    A        testing (0)         invalid    bogus          partial
 *  3*  b1.example    B        enforce (0)         temperror  insecure       unusable
 *  4   b2.example    B        none (NULL)         ok         indeterminate  indeterminate
 *  5*  c.example     -        invalid (NULL)      none       insecure       none
 *  6*  d.example     -        missing (NULL)      none       secure         dane
 *  7*  e.example     E        temperror (NULL)    ok         secure         none
 *  8   f.example     E        not_fetched (NULL)  (not run)  (not run)      (not run)
 *  9*  nx.example    -        missing (NULL)      none       insecure       none  (NXDOMAIN)
 * 10*  g.example     G        (not run)           (not run)  (not run)      (not run)
 * Companies: A B c d E nx G (7); nx.example does not exist, so no
 * transport figure counts it; g.example ran none of the checks.
 */
static void rows_init(struct report_row *r)
{
	r[0] = row("a1.example", "A", "enforce", 1, "ok", "secure", "dane");
	r[1] = row("a2.example", "A", "testing", 0, "invalid", "bogus", "partial");
	r[2] = row("b1.example", "B", "enforce", 0, "temperror", "insecure", "unusable");
	r[3] = row("b2.example", "B", "none", -1, "ok", "indeterminate", "indeterminate");
	r[4] = row("c.example", NULL, "invalid", -1, "none", "insecure", "none");
	r[5] = row("d.example", NULL, "missing", -1, "none", "secure", "dane");
	r[6] = row("e.example", "E", "temperror", -1, "ok", "secure", "none");
	r[7] = row("f.example", "E", "not_fetched", -1, "", "", "");
	r[8] = row("nx.example", NULL, "missing", -1, "none", "insecure", "none");
	r[8].nxdomain = true;
	r[9] = row("g.example", "G", "", -1, "", "", "");
	r[9].mta_sts_mx_covered = 0; /* as a result built with memset: no status, no meaning */
	assert_int_equal(report_rows_mark_primary(r, NROWS), 0);
}

static struct report_stats *stats_of(const struct report_row *r, size_t n)
{
	struct report_stats *s = report_stats_new();
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(report_stats_add(s, &r[i]), 0);
	assert_int_equal(report_stats_finish(s), 0);
	return s;
}

static size_t metric(const char *name)
{
	int m = report_metric_index(name);
	if (m < 0)
		fail_msg("no metric %s", name);
	return (size_t)m;
}

/* count/denominator of a metric in the domain, company and company_any
 * views; any_c -1: the metric is not given in company_any. */
struct want {
	const char *name;
	long dom_c, dom_d, co_c, co_d, any_c, any_d;
};

static const struct want wants[] = {
	{ "mta_sts_checked", 8, 10, 5, 7, -1, -1 },
	{ "mta_sts_enforce", 2, 8, 2, 5, 2, 5 },
	{ "mta_sts_testing", 1, 8, 0, 5, -1, -1 },
	{ "mta_sts_none", 1, 8, 0, 5, -1, -1 },
	{ "mta_sts_invalid", 1, 8, 1, 5, -1, -1 },
	{ "mta_sts_missing", 1, 8, 1, 5, -1, -1 },
	{ "mta_sts_temperror", 1, 8, 1, 5, -1, -1 },
	{ "mta_sts_not_fetched", 1, 8, 0, 5, -1, -1 },
	{ "mta_sts_mx_uncovered", 2, 8, 1, 5, -1, -1 },
	{ "tls_rpt_checked", 7, 10, 5, 7, -1, -1 },
	{ "tls_rpt", 3, 7, 2, 5, 3, 5 },
	{ "tls_rpt_invalid", 1, 7, 0, 5, -1, -1 },
	{ "tls_rpt_temperror", 1, 7, 1, 5, -1, -1 },
	{ "dnssec_checked", 7, 10, 5, 7, -1, -1 },
	{ "dnssec_secure", 3, 7, 3, 5, 3, 5 },
	{ "dnssec_insecure", 2, 7, 2, 5, -1, -1 },
	{ "dnssec_bogus", 1, 7, 0, 5, -1, -1 },
	{ "dnssec_indeterminate", 1, 7, 0, 5, -1, -1 },
	{ "dane_checked", 7, 10, 5, 7, -1, -1 },
	{ "dane_mx", 2, 7, 2, 5, 2, 5 },
	{ "dane_partial", 1, 7, 0, 5, -1, -1 },
	{ "dane_unusable", 1, 7, 1, 5, -1, -1 },
	{ "dane_indeterminate", 1, 7, 0, 5, -1, -1 },
};
#define NWANTS (sizeof(wants) / sizeof(wants[0]))

static void test_metrics(void **state)
{
	struct report_row r[NROWS];
	(void)state;
	rows_init(r);
	struct report_stats *s = stats_of(r, NROWS);
	assert_int_equal(report_stats_units(s, REPORT_VIEW_DOMAIN), 10);
	assert_int_equal(report_stats_units(s, REPORT_VIEW_COMPANY), 7);
	assert_int_equal(report_stats_units(s, REPORT_VIEW_COMPANY_ANY), 7);
	for (size_t i = 0; i < NWANTS; i++) {
		const struct want *w = &wants[i];
		size_t m = metric(w->name);
		long got[6] = {
			report_stats_count(s, REPORT_VIEW_DOMAIN, m),
			report_stats_denominator(s, REPORT_VIEW_DOMAIN, m),
			report_stats_count(s, REPORT_VIEW_COMPANY, m),
			report_stats_denominator(s, REPORT_VIEW_COMPANY, m),
			report_stats_count(s, REPORT_VIEW_COMPANY_ANY, m),
			report_stats_denominator(s, REPORT_VIEW_COMPANY_ANY, m),
		};
		long exp[6] = { w->dom_c, w->dom_d, w->co_c, w->co_d, w->any_c, w->any_d };
		for (int k = 0; k < 6; k++)
			if ((k < 4 || w->any_c >= 0) && got[k] != exp[k])
				fail_msg("%s: value %d is %ld, not %ld", w->name, k, got[k],
				         exp[k]);
		assert_int_equal(report_stats_has(REPORT_VIEW_COMPANY_ANY, m), w->any_c >= 0);
		assert_true(report_stats_checked(s, m));
		assert_string_equal(report_metrics[m].group, "transport");
	}
	/* Every transport metric is in the table above, nothing else is in
	 * the group. */
	size_t n = 0;
	for (size_t m = 0; m < report_nmetrics; m++)
		n += strcmp(report_metrics[m].group, "transport") == 0;
	assert_int_equal(n, NWANTS);
	/* The other figures are untouched: every domain but nx has SPF. */
	assert_int_equal(report_stats_count(s, REPORT_VIEW_DOMAIN, metric("spf_checked")), 9);
	report_stats_free(s);
	for (int i = 0; i < NROWS; i++)
		report_row_cleanup(&r[i]);
}

/* Only MTA-STS ran: its figures count, the other checks' are not
 * checked (a gap, never 0 %), their *_checked counts 0. */
static void test_partial_run(void **state)
{
	struct report_row r[3];
	(void)state;
	r[0] = row("a.example", NULL, "enforce", 1, "", "", "");
	r[1] = row("b.example", NULL, "missing", -1, "", "", "");
	r[2] = row("c.example", NULL, "testing", 0, "", "", "");
	struct report_stats *s = stats_of(r, 3);
	assert_true(report_stats_checked(s, metric("mta_sts_enforce")));
	assert_int_equal(report_stats_count(s, REPORT_VIEW_DOMAIN, metric("mta_sts_enforce")), 1);
	assert_int_equal(report_stats_count(s, REPORT_VIEW_DOMAIN, metric("mta_sts_mx_uncovered")),
	                 1);
	static const char *const gaps[] = { "tls_rpt", "dnssec_secure", "dnssec_bogus", "dane_mx" };
	for (size_t i = 0; i < 4; i++) {
		assert_false(report_stats_checked(s, metric(gaps[i])));
		assert_int_equal(report_stats_denominator(s, REPORT_VIEW_DOMAIN, metric(gaps[i])),
		                 0);
	}
	assert_true(report_stats_checked(s, metric("dnssec_checked")));
	assert_int_equal(report_stats_count(s, REPORT_VIEW_DOMAIN, metric("dnssec_checked")), 0);
	report_stats_free(s);
	for (int i = 0; i < 3; i++)
		report_row_cleanup(&r[i]);
}

/* ---- formats ---- */

static char *write_doc(enum report_format f, const struct report_doc *d, bool domains)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	if (f == REPORT_HTML)
		assert_int_equal(report_write_html(out, d), 0);
	else
		assert_int_equal(report_write(out, f, d, domains), 0);
	fclose(out);
	return buf;
}

static bool has_line(const char *text, const char *re)
{
	regex_t r;
	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0);
	bool found = regexec(&r, text, 0, NULL, 0) == 0;
	regfree(&r);
	return found;
}

static void assert_line(const char *text, const char *re)
{
	if (!has_line(text, re))
		fail_msg("no line matches /%s/ in:\n%s", re, text);
}

static void assert_has(const char *text, const char *s)
{
	if (strstr(text, s) == NULL)
		fail_msg("no \"%s\" in:\n%s", s, text);
}

static struct store_run run_of(void)
{
	struct store_run run;
	memset(&run, 0, sizeof(run));
	run.id = 4;
	snprintf(run.label, sizeof(run.label), "nightly");
	snprintf(run.list, sizeof(run.list), "lists/every.csv");
	snprintf(run.started, sizeof(run.started), "2026-12-07T01:00:00Z");
	snprintf(run.tool_version, sizeof(run.tool_version), "test");
	run.state = STORE_RUN_FINISHED;
	return run;
}

/* The metrics array of the JSON statistics: count, denominator, percent
 * of (metric, view), the percent -1 for null. */
static void json_metric(json_t *root, const char *name, const char *view, long *c, long *d,
                        double *p)
{
	json_t *a = json_object_get(root, "metrics"), *m;
	size_t i;
	json_array_foreach(a, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "metric")), name) != 0 ||
		    strcmp(json_string_value(json_object_get(m, "view")), view) != 0)
			continue;
		assert_string_equal(json_string_value(json_object_get(m, "group")), "transport");
		*c = (long)json_integer_value(json_object_get(m, "count"));
		*d = (long)json_integer_value(json_object_get(m, "denominator"));
		json_t *pj = json_object_get(m, "percent");
		*p = json_is_null(pj) ? -1 : json_real_value(pj);
		return;
	}
	fail_msg("no %s %s in the JSON", name, view);
}

static void test_formats(void **state)
{
	struct report_row r[NROWS];
	(void)state;
	rows_init(r);
	struct report_stats *s = stats_of(r, NROWS);
	struct store_run run = run_of();
	struct report_doc d = {
		.run = &run, .stats = s, .rows = r, .nrows = NROWS, .text_width = 200, .db = "t.db"
	};

	/* Text, wide: the group's title, each metric with what it counts
	 * and its cells (n/N and the percentage) per view. */
	char *t = write_doc(REPORT_TEXT, &d, false);
	assert_line(t, "^Transport security \\(MTA-STS, TLS-RPT, DNSSEC, DANE\\)$");
	assert_line(t, "^  mta_sts_enforce +MTA-STS policy, mode enforce +2/8 \\(25\\.0%\\) +"
	               "2/5 \\(40\\.0%\\) +2/5 \\(40\\.0%\\)$");
	assert_line(t, "^  mta_sts_mx_uncovered +enforce or testing, an MX host no mx pattern "
	               "covers +2/8 \\(25\\.0%\\) +1/5 \\(20\\.0%\\)$");
	assert_line(t, "^  dnssec_bogus +bogus \\(validation fails\\) +1/7 \\(14\\.3%\\) +"
	               "0/5 \\(0\\.0%\\)$");
	assert_line(t, "^  dane_mx +every MX host has usable TLSA \\(DNSSEC-secure\\) +"
	               "2/7 \\(28\\.6%\\) +2/5 \\(40\\.0%\\) +2/5 \\(40\\.0%\\)$");
	assert_line(t,
	            "^  tls_rpt_checked +TLS-RPT checked +7/10 \\(70\\.0%\\) +5/7 \\(71\\.4%\\)$");
	free(t);
	/* Narrower: no line wider than the width (the text is ASCII). */
	for (int w = 40; w <= 80; w += 40) {
		d.text_width = w;
		t = write_doc(REPORT_TEXT, &d, false);
		for (const char *p = t; *p;) {
			size_t n = strcspn(p, "\n");
			if (n > (size_t)w)
				fail_msg("width %d: '%.*s'", w, (int)n, p);
			p += n + (p[n] == '\n');
		}
		assert_line(t, "^  mta_sts_enforce");
		free(t);
	}
	d.text_width = 200;

	/* CSV: metric, view, count, denominator, percent. */
	t = write_doc(REPORT_CSV, &d, false);
	assert_has(t, "\r\nmta_sts_enforce,domain,2,8,25.0\r\n"
	              "mta_sts_enforce,company,2,5,40.0\r\n"
	              "mta_sts_enforce,company_any,2,5,40.0\r\n"
	              "mta_sts_testing,domain,1,8,12.5\r\n");
	assert_has(t, "\r\ntls_rpt,domain,3,7,42.9\r\ntls_rpt,company,2,5,40.0\r\n"
	              "tls_rpt,company_any,3,5,60.0\r\n");
	assert_has(t, "\r\ndnssec_secure,domain,3,7,42.9\r\n");
	assert_has(t, "\r\ndnssec_bogus,domain,1,7,14.3\r\ndnssec_bogus,company,0,5,0.0\r\n");
	assert_has(t, "\r\ndane_indeterminate,domain,1,7,14.3\r\n");
	free(t);

	/* JSON. */
	t = write_doc(REPORT_JSON, &d, false);
	json_t *root = json_loads(t, 0, NULL);
	assert_non_null(root);
	long c = -1, dn = -1;
	double p = -1;
	json_metric(root, "mta_sts_invalid", "domain", &c, &dn, &p);
	assert_true(c == 1 && dn == 8 && p == 12.5);
	json_metric(root, "dnssec_secure", "company_any", &c, &dn, &p);
	assert_true(c == 3 && dn == 5 && p == 60.0);
	json_metric(root, "dane_mx", "company", &c, &dn, &p);
	assert_true(c == 2 && dn == 5 && p == 40.0);
	json_decref(root);
	free(t);

	/* Markdown: metric, measure, then count/denominator and % per view. */
	t = write_doc(REPORT_MD, &d, false);
	assert_has(t, "\n## Transport security (MTA-STS, TLS-RPT, DNSSEC, DANE)\n");
	assert_has(t, "| `dnssec_secure` | answers DNSSEC-secure | 3/7 | 42.9 | 3/5 | 60.0 | "
	              "3/5 | 60.0 |\n");
	free(t);

	/* HTML: the statistics table's cells and the transport chart. */
	t = write_doc(REPORT_HTML, &d, false);
	assert_has(t, "data-metric=\"mta_sts_enforce\" data-view=\"domain\" data-count=\"2\" "
	              "data-denominator=\"8\"");
	assert_has(t, "data-metric=\"dane_mx\" data-view=\"company_any\" data-count=\"2\" "
	              "data-denominator=\"5\"");
	assert_has(t, "<figure id=\"chart-transport\">");
	/* The chart's bars: percent of the domains where the check ran. */
	assert_has(t, "data-metric=\"dnssec_bogus\" data-value=\"14.3\"");
	free(t);

	report_stats_free(s);
	for (int i = 0; i < NROWS; i++)
		report_row_cleanup(&r[i]);
}

/* A run without the transport checks (results stored before schema 8,
 * or scanned without them): as DKIM's figures, the group says "not
 * checked" in text and Markdown, HTML shows no chart and only the
 * *_checked rows (0 of N), CSV and JSON list every metric with 0. */
static void test_not_checked(void **state)
{
	struct report_row r[2];
	(void)state;
	r[0] = row("a.example", "A", "", -1, "", "", "");
	r[1] = row("b.example", NULL, "", 0, "", "", "");
	struct report_stats *s = stats_of(r, 2);
	struct store_run run = run_of();
	struct report_doc d = { .run = &run, .stats = s, .rows = r, .nrows = 2, .text_width = 100 };
	assert_false(report_stats_checked(s, metric("mta_sts_enforce")));
	assert_false(report_stats_checked(s, metric("dane_mx")));

	char *t = write_doc(REPORT_TEXT, &d, false);
	assert_line(t, "^Transport security \\(MTA-STS, TLS-RPT, DNSSEC, DANE\\)\n"
	               "  not checked in this run \\(the check did not run\\): no adoption "
	               "figure$");
	assert_false(has_line(t, "^  mta_sts_"));
	free(t);

	t = write_doc(REPORT_MD, &d, false);
	assert_has(t, "## Transport security (MTA-STS, TLS-RPT, DNSSEC, DANE)\n\nNot checked in "
	              "this run (the check did not run): no adoption figure.\n");
	free(t);

	t = write_doc(REPORT_CSV, &d, false);
	assert_has(t, "\r\nmta_sts_checked,domain,0,2,0.0\r\n");
	assert_has(t, "\r\nmta_sts_enforce,domain,0,0,\r\n");
	assert_has(t, "\r\ndane_mx,company_any,0,0,\r\n");
	free(t);

	t = write_doc(REPORT_HTML, &d, false);
	assert_null(strstr(t, "chart-transport"));
	assert_null(strstr(t, "data-metric=\"mta_sts_enforce\""));
	assert_has(t, "data-metric=\"dnssec_checked\" data-view=\"domain\" data-count=\"0\" "
	              "data-denominator=\"2\"");
	free(t);

	report_stats_free(s);
	for (int i = 0; i < 2; i++)
		report_row_cleanup(&r[i]);
}

/* The research CSV: the transport columns after MX and A, empty when
 * the check did not run; JSON: the same, null when empty. */
static void test_domain_columns(void **state)
{
	struct report_row r[NROWS];
	(void)state;
	rows_init(r);
	struct report_stats *s = stats_of(r, NROWS);
	struct store_run run = run_of();
	struct report_doc d = { .run = &run, .stats = s, .rows = r, .nrows = NROWS };

	char *t = write_doc(REPORT_CSV, &d, true);
	assert_has(t, ",mx,mx_hosts,a,mta_sts_status,mta_sts_mx_covered,tls_rpt_status,"
	              "dnssec_status,dane_status,run_id,list,position,");
	/* a2: mx_hosts empty, A present, then the five cells, run_id 0. */
	assert_has(t, ",present,,present,testing,0,invalid,bogus,partial,0,");
	assert_has(t, ",present,,present,enforce,1,ok,secure,dane,0,");
	assert_has(t, ",present,,present,none,,ok,indeterminate,indeterminate,0,");
	/* g.example ran none: empty, whatever its coverage field held. */
	const char *g = strstr(t, "g.example,G,");
	assert_non_null(g);
	assert_non_null(strstr(g, ",present,,present,,,,,,0,"));
	free(t);

	t = write_doc(REPORT_JSON, &d, true);
	json_t *root = json_loads(t, 0, NULL);
	assert_non_null(root);
	json_t *a2 = json_array_get(json_object_get(root, "domains"), 1);
	assert_string_equal(json_string_value(json_object_get(a2, "domain")), "a2.example");
	assert_string_equal(json_string_value(json_object_get(a2, "mta_sts_status")), "testing");
	assert_true(json_is_integer(json_object_get(a2, "mta_sts_mx_covered")));
	assert_int_equal(json_integer_value(json_object_get(a2, "mta_sts_mx_covered")), 0);
	assert_string_equal(json_string_value(json_object_get(a2, "dnssec_status")), "bogus");
	json_t *g2 = json_array_get(json_object_get(root, "domains"), 9);
	assert_true(json_is_null(json_object_get(g2, "mta_sts_status")));
	assert_true(json_is_null(json_object_get(g2, "mta_sts_mx_covered")));
	assert_true(json_is_null(json_object_get(g2, "dane_status")));
	json_decref(root);
	free(t);
	report_stats_free(s);
	for (int i = 0; i < NROWS; i++)
		report_row_cleanup(&r[i]);
}

/* A stored row's transport columns into a report row: "" for NULL, the
 * MX coverage -1 without an MTA-STS status. */
static void test_row_columns(void **state)
{
	struct store_row in;
	struct report_row r;
	(void)state;
	memset(&in, 0, sizeof(in));
	in.domain = "x.example";
	in.r.spf_lookups = in.r.spf_void = in.r.dmarc_pct = in.r.bimi_eligible = -1;
	in.r.dkim_min_bits = -1;
	in.r.mta_sts_status = "enforce";
	in.r.mta_sts_mx_covered = 0;
	in.r.tls_rpt_status = "ok";
	in.r.dnssec_status = "bogus";
	in.r.dane_status = "unusable";
	in.r.json = "{}";
	assert_int_equal(report_row_from_store(&r, &in), 0);
	assert_string_equal(r.mta_sts_status, "enforce");
	assert_int_equal(r.mta_sts_mx_covered, 0);
	assert_string_equal(r.tls_rpt_status, "ok");
	assert_string_equal(r.dnssec_status, "bogus");
	assert_string_equal(r.dane_status, "unusable");
	report_row_cleanup(&r);

	in.r.mta_sts_mx_covered = 1;
	assert_int_equal(report_row_from_store(&r, &in), 0);
	assert_int_equal(r.mta_sts_mx_covered, 1);
	report_row_cleanup(&r);

	/* Stored before schema 8, or not checked: NULL everywhere. */
	in.r.mta_sts_status = in.r.tls_rpt_status = in.r.dnssec_status = in.r.dane_status = NULL;
	in.r.mta_sts_mx_covered = 0;
	assert_int_equal(report_row_from_store(&r, &in), 0);
	assert_string_equal(r.mta_sts_status, "");
	assert_int_equal(r.mta_sts_mx_covered, -1);
	assert_string_equal(r.tls_rpt_status, "");
	assert_string_equal(r.dnssec_status, "");
	assert_string_equal(r.dane_status, "");
	report_row_cleanup(&r);
}

struct seen {
	char text[8][96];
	int dir[8];
	int n;
};

static int on_change(void *arg, const struct report_change *c)
{
	struct seen *s = arg;
	if (s->n < 8) {
		snprintf(s->text[s->n], sizeof(s->text[0]), "%s %s: %s -> %s", c->domain, c->what,
		         c->from, c->to);
		s->dir[s->n] = (int)c->direction;
	}
	s->n++;
	return 0;
}

/* posture diff: each transport status that changed between two verdicts,
 * by its order; a side without a verdict (indeterminate, temperror, not
 * checked) is never compared. */
static void test_diff(void **state)
{
	(void)state;
	struct report_row a[4] = {
		row("a.example", NULL, "testing", 1, "none", "secure", "dane"),
		row("b.example", NULL, "enforce", 1, "ok", "insecure", "none"),
		row("c.example", NULL, "enforce", 1, "ok", "secure", "dane"),
		row("d.example", NULL, "missing", -1, "ok", "secure", "partial"),
	};
	struct report_row b[4] = {
		row("a.example", NULL, "enforce", 1, "ok", "bogus", "partial"),
		row("b.example", NULL, "enforce", 0, "invalid", "secure", "dane"),
		row("c.example", NULL, "temperror", -1, "temperror", "indeterminate",
		    "indeterminate"),
		row("d.example", NULL, "invalid", -1, "", "", "unusable"),
	};
	struct seen s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(report_diff(a, 2, b, 2, on_change, &s), 0);
	assert_int_equal(s.n, 8);
	static const char *const want[] = {
		"a.example mta_sts: testing -> enforce",   "a.example tls_rpt: none -> ok",
		"a.example dnssec: secure -> bogus",       "a.example dane: dane -> partial",
		"b.example mta_sts_mx_covered: yes -> no", "b.example tls_rpt: ok -> invalid",
		"b.example dnssec: insecure -> secure",    "b.example dane: none -> dane",
	};
	static const int dirs[] = { REPORT_IMPROVED,  REPORT_IMPROVED,  REPORT_REGRESSED,
		                    REPORT_REGRESSED, REPORT_REGRESSED, REPORT_REGRESSED,
		                    REPORT_IMPROVED,  REPORT_IMPROVED };
	for (int i = 0; i < 8; i++) {
		assert_string_equal(s.text[i], want[i]);
		assert_int_equal(s.dir[i], dirs[i]);
	}
	/* c: every side without a verdict; d: missing -> invalid and none ->
	 * unusable are changes of equal rank, TLS-RPT and DNSSEC not run. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(report_diff(a + 2, 2, b + 2, 2, on_change, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.text[0], "d.example mta_sts: missing -> invalid");
	assert_int_equal(s.dir[0], REPORT_CHANGED);
	assert_string_equal(s.text[1], "d.example dane: partial -> unusable");
	assert_int_equal(s.dir[1], REPORT_REGRESSED);
	/* The other way: the same names, directions swapped. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(report_diff(b, 1, a, 1, on_change, &s), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.text[2], "a.example dnssec: bogus -> secure");
	assert_int_equal(s.dir[2], REPORT_IMPROVED);
	for (int i = 0; i < 4; i++) {
		report_row_cleanup(&a[i]);
		report_row_cleanup(&b[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics),        cmocka_unit_test(test_partial_run),
		cmocka_unit_test(test_formats),        cmocka_unit_test(test_not_checked),
		cmocka_unit_test(test_domain_columns), cmocka_unit_test(test_row_columns),
		cmocka_unit_test(test_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
