/*
 * Unit tests for report/: CSV cells (RFC 4180, formula neutralisation, the
 * raw mode), HTML escaping and the page script's CSP hash, reading a
 * stored row's JSON, the counting of each view (primary domain, any
 * domain, BIMI not checked), diff, companies (primary and best domain),
 * --join files, findings, the format an output file's name implies, and
 * the HTML domain table's cap. Rows are built by hand: no SQLite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "csv.h"
#include "html.h"
#include "report.h"

/* Runs fn on a memory stream and returns what it wrote (caller frees). */
static char *capture_csv(const char *cell)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	csv_cell(f, cell);
	fclose(f);
	return buf;
}

static void test_csv_cells(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "plain", "plain" },                   /* as is */
		{ "", "" },                             /* empty */
		{ "a,b", "\"a,b\"" },                   /* comma: quoted */
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" }, /* quotes doubled */
		{ "a\nz", "a\xEF\xBF\xBDz" },           /* LF: U+FFFD, see test_csv.c */
		{ "=1+1", "'=1+1" },                    /* formula: neutralised */
		{ "+all", "'+all" },                    /* + */
		{ "-all", "'-all" },                    /* - */
		{ "@SUM(A1)", "'@SUM(A1)" },            /* @ */
		{ "\t=1", "'\xEF\xBF\xBD=1" },          /* tab before a formula */
		{ "=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"" }, /* both */
		{ "a=b", "a=b" }, /* only the first byte counts */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = capture_csv(rows[i].in);
		assert_string_equal(got, rows[i].out);
		free(got);
	}
	assert_true(csv_dangerous("=x"));
	assert_false(csv_dangerous("x="));
	assert_false(csv_dangerous(NULL));
}

static void test_html_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	(void)state;
	FILE *f = open_memstream(&buf, &len);
	html_text(f, "<script>alert('x')</script> & \"q\"\x1b[2J");
	fclose(f);
	assert_string_equal(buf, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
	                         "&quot;q&quot;\xEF\xBF\xBD[2J");
	free(buf);
}

/* The Content-Security-Policy names the script by its SHA-256: a change
 * to the script without the new hash would stop it from running. */
static void test_script_hash(void **state)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	unsigned char b64[64];
	const char *s = report_html_script();
	(void)state;
	assert_int_equal(EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL), 1);
	assert_int_equal(mdlen, 32);
	EVP_EncodeBlock(b64, md, 32);
	assert_string_equal((const char *)b64, report_html_script_sha256());
}

/* A row with the given facts; strings are copied into its buffers. */
static struct report_row row(const char *domain, const char *company, const char *spf,
                             const char *enforcement, const char *bimi, int eligible)
{
	struct report_row r;
	memset(&r, 0, sizeof(r));
	r.domain = strdup(domain);
	r.company = company ? strdup(company) : NULL;
	r.conclusive = true;
	snprintf(r.spf_status, sizeof(r.spf_status), "%s", spf);
	r.spf_lookups = 1;
	r.spf_void = 0;
	snprintf(r.spf_all, sizeof(r.spf_all), "-all");
	snprintf(r.dmarc_status, sizeof(r.dmarc_status), "%s",
	         strcmp(enforcement, "missing") == 0 ? "none" : "ok");
	snprintf(r.dmarc_enforcement, sizeof(r.dmarc_enforcement), "%s", enforcement);
	r.dmarc_pct = -1;
	snprintf(r.bimi_status, sizeof(r.bimi_status), "%s", bimi);
	r.bimi_eligible = eligible;
	snprintf(r.mx, sizeof(r.mx), "present");
	snprintf(r.a, sizeof(r.a), "present");
	return r;
}

static long cnt(const struct report_stats *s, enum report_view v, const char *metric)
{
	int m = report_metric_index(metric);
	assert_true(m >= 0);
	return report_stats_count(s, v, (size_t)m);
}

static long den(const struct report_stats *s, enum report_view v, const char *metric)
{
	int m = report_metric_index(metric);
	assert_true(m >= 0);
	return report_stats_denominator(s, v, (size_t)m);
}

static void test_views(void **state)
{
	(void)state;
	/* Company A: primary monitor, second reject. Company B: one domain,
	 * reject with pct=50 (partial). c.example: no company. */
	struct report_row rows[4] = {
		row("a1.example", "A", "ok", "monitor", "not_run", -1),
		row("a2.example", "A", "permerror", "reject", "not_run", -1),
		row("b.example", "B", "ok", "reject", "not_run", -1),
		row("c.example", NULL, "none", "missing", "not_run", -1),
	};
	rows[2].dmarc_pct = 50;
	snprintf(rows[1].spf_error, sizeof(rows[1].spf_error), "spf.include_loop");
	struct report_stats *s = report_stats_new();
	for (int i = 0; i < 4; i++)
		assert_int_equal(report_stats_add(s, &rows[i]), 0);
	assert_int_equal(report_stats_finish(s), 0);

	assert_int_equal(report_stats_units(s, REPORT_VIEW_DOMAIN), 4);
	assert_int_equal(report_stats_units(s, REPORT_VIEW_COMPANY), 3); /* A, B, c */
	/* Domains: a2 enforced; b partial (pct 50); companies by primary:
	 * A's a1 is monitor, so no company enforces; any domain: A. */
	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "dmarc_enforced"), 1);
	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "dmarc_partial"), 1);
	assert_int_equal(cnt(s, REPORT_VIEW_COMPANY, "dmarc_enforced"), 0);
	assert_int_equal(cnt(s, REPORT_VIEW_COMPANY, "dmarc_monitor"), 1);
	assert_int_equal(cnt(s, REPORT_VIEW_COMPANY_ANY, "dmarc_enforced"), 1);
	assert_int_equal(den(s, REPORT_VIEW_COMPANY_ANY, "dmarc_enforced"), 3);
	/* Causes are counted among PermErrors. */
	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "spf_permerror_loop"), 1);
	assert_int_equal(den(s, REPORT_VIEW_DOMAIN, "spf_permerror_loop"), 1);
	assert_int_equal(den(s, REPORT_VIEW_COMPANY, "spf_permerror_loop"), 0);
	/* SPF terminal all: of published records (a1, a2, b). */
	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "spf_all_fail"), 3);
	assert_int_equal(den(s, REPORT_VIEW_DOMAIN, "spf_all_fail"), 3);
	/* BIMI did not run: nothing checked, so no denominator (not 0 %). */
	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "bimi_checked"), 0);
	assert_int_equal(den(s, REPORT_VIEW_DOMAIN, "bimi_eligible"), 0);
	assert_true(report_percent(0, 0) < 0);
	assert_false(report_stats_has(REPORT_VIEW_COMPANY_ANY,
	                              (size_t)report_metric_index("dmarc_monitor")));
	report_stats_free(s);
	for (int i = 0; i < 4; i++)
		report_row_cleanup(&rows[i]);
}

/* A domain that does not exist (NXDOMAIN) counts in the general metrics
 * only: every SPF, DMARC and BIMI figure leaves it out, numerator and
 * denominator, in every view. */
static void test_nxdomain(void **state)
{
	(void)state;
	/* The scan stores a domain that does not exist as "no SPF, no DMARC". */
	struct report_row rows[4] = {
		row("a.example", NULL, "ok", "reject", "none", 0),
		row("nx1.example", "N", "none", "missing", "none", 0),
		row("n2.example", "N", "none", "missing", "none", 0),
		row("nx3.example", NULL, "none", "missing", "none", 0),
	};
	rows[1].nxdomain = rows[3].nxdomain = true;
	struct report_stats *s = report_stats_new();
	for (int i = 0; i < 4; i++)
		assert_int_equal(report_stats_add(s, &rows[i]), 0);
	assert_int_equal(report_stats_finish(s), 0);

	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "domain_nxdomain"), 2);
	assert_int_equal(den(s, REPORT_VIEW_DOMAIN, "domain_nxdomain"), 4);
	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "results"), 4);
	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "mx_checked"), 4);
	/* a.example and n2.example exist. */
	static const char *const kept[] = { "spf_checked", "dmarc_checked", "bimi_checked" };
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, kept[i]), 2);
	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "spf_none"), 1);
	assert_int_equal(den(s, REPORT_VIEW_DOMAIN, "spf_none"), 2);
	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "dmarc_missing"), 1);
	assert_int_equal(den(s, REPORT_VIEW_DOMAIN, "dmarc_missing"), 2);
	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "bimi_not_eligible"), 2);
	assert_int_equal(den(s, REPORT_VIEW_DOMAIN, "bimi_fail_spf"), 2);
	/* Companies: a, N (primary nx1: does not exist) and nx3. */
	assert_int_equal(report_stats_units(s, REPORT_VIEW_COMPANY), 3);
	assert_int_equal(cnt(s, REPORT_VIEW_COMPANY, "domain_nxdomain"), 2);
	assert_int_equal(den(s, REPORT_VIEW_COMPANY, "spf_none"), 1);
	assert_int_equal(cnt(s, REPORT_VIEW_COMPANY, "spf_none"), 0);
	/* Any domain: N through n2, which exists. */
	assert_int_equal(cnt(s, REPORT_VIEW_COMPANY_ANY, "dmarc_enforced"), 1);
	report_stats_free(s);
	for (int i = 0; i < 4; i++)
		report_row_cleanup(&rows[i]);
}

static void test_row_json(void **state)
{
	struct store_row in;
	struct report_row r;
	(void)state;
	memset(&in, 0, sizeof(in));
	in.domain = "x.example";
	in.company = "X";
	in.r.spf_status = "ok";
	in.r.dmarc_status = "ok";
	in.r.dmarc_enforcement = "reject";
	in.r.spf_lookups = 2;
	in.r.dmarc_pct = -1;
	in.r.bimi_eligible = 0;
	in.r.json =
	        "{\"spf\":{\"record\":\"v=spf1 include:a.example -all\",\"tree\":{\"children\":["
	        "{\"via\":\"include:a.example\"},{\"via\":\"include:a.example\"},"
	        "{\"via\":\"redirect=b.example\"}]}},"
	        "\"dmarc\":{\"nonexistent_policy\":\"none\",\"readings_differ\":true,"
	        "\"rua\":[{\"uri\":\"mailto:a@b\",\"authorized\":false},"
	        "{\"uri\":\"mailto:c@d\"}],\"testing\":true,"
	        "\"rfc7489\":{\"enforcement\":\"partial\"}},"
	        "\"mx\":{\"status\":\"present\",\"records\":2,\"hosts\":[\"mx1.x.example\","
	        "{\"host\":\"mx2.x.example\",\"preference\":20}]},"
	        "\"bimi\":{\"logo\":{\"status\":\"valid\",\"url\":\"https://x.example/l.svg\"},"
	        "\"vmc\":{\"type\":\"CMC\",\"not_after\":\"2027-01-01T00:00:00Z\","
	        "\"issuer\":\"CN=Mark CA\","
	        "\"findings\":[{\"code\":\"vmc.expired\"}]},\"readiness\":["
	        "{\"item\":\"spf\",\"status\":\"fail\"},{\"item\":\"mx\",\"status\":\"warn\"},"
	        "{\"item\":\"a\",\"status\":\"fail\"}]}}";
	assert_int_equal(report_row_from_store(&r, &in), 0);
	assert_int_equal(r.nincludes, 1); /* unique, redirect= is not an include */
	assert_string_equal(r.includes[0], "a.example");
	assert_string_equal(r.spf_record, "v=spf1 include:a.example -all");
	assert_string_equal(r.dmarc_np, "none");
	assert_true(r.dmarc_readings_differ && r.dmarc_rua && r.dmarc_rua_unauthorized);
	assert_string_equal(r.dmarc_enforcement_7489, "partial");
	assert_string_equal(r.logo_status, "valid");
	assert_string_equal(r.vmc_type, "CMC");
	assert_true(r.vmc_expired);
	assert_int_equal(r.bimi_fail, (1u << 7) | (1u << 9)); /* spf, a; warn is not fail */
	/* The research CSV's columns. */
	assert_string_equal(r.dmarc_rua_uris, "mailto:a@b mailto:c@d");
	assert_true(r.dmarc_testing);
	assert_string_equal(r.mx_hosts, "mx1.x.example mx2.x.example");
	assert_string_equal(r.logo_url, "https://x.example/l.svg");
	assert_string_equal(r.vmc_issuer, "CN=Mark CA");
	assert_string_equal(r.vmc_not_after, "2027-01-01T00:00:00Z");
	/* The same stored result again: its facts are copied, not parsed. */
	struct report_row like;
	in.result_id = r.result_id = 7;
	in.r.json = "{}";
	assert_int_equal(report_row_from_store_like(&like, &in, &r), 0);
	assert_string_equal(like.mx_hosts, "mx1.x.example mx2.x.example");
	assert_string_equal(like.dmarc_rua_uris, "mailto:a@b mailto:c@d");
	assert_string_equal(like.vmc_not_after, "2027-01-01T00:00:00Z");
	assert_true(like.dmarc_testing);
	report_row_cleanup(&like);
	in.result_id = 0;

	assert_false(r.nxdomain); /* no "exists" key: the domain exists */
	report_row_cleanup(&r);

	in.r.json = "{\"domain\":\"x.example\",\"exists\":false,\"spf\":{}}";
	assert_int_equal(report_row_from_store(&r, &in), 0);
	assert_true(r.nxdomain);
	report_row_cleanup(&r);

	/* JSON that is not JSON: the columns still count. */
	in.r.json = "{not json";
	assert_int_equal(report_row_from_store(&r, &in), 0);
	assert_int_equal(r.nincludes, 0);
	assert_string_equal(r.spf_status, "ok");
	report_row_cleanup(&r);
}

struct seen {
	char what[8][32];
	int dir[8];
	int n;
};

static int on_change(void *arg, const struct report_change *c)
{
	struct seen *s = arg;
	if (s->n < 8) {
		snprintf(s->what[s->n], sizeof(s->what[0]), "%s:%s", c->domain, c->what);
		s->dir[s->n] = (int)c->direction;
	}
	s->n++;
	return 0;
}

static void test_diff(void **state)
{
	(void)state;
	struct report_row a[3] = {
		row("a.example", NULL, "ok", "monitor", "none", 0),
		row("b.example", NULL, "ok", "reject", "none", 0),
		row("c.example", NULL, "ok", "reject", "none", 0),
	};
	struct report_row b[3] = {
		row("a.example", NULL, "ok", "reject", "none", 0),        /* improved */
		row("b.example", NULL, "permerror", "reject", "none", 0), /* new PermError */
		row("d.example", NULL, "ok", "reject", "none", 0),        /* added; c removed */
	};
	snprintf(b[1].spf_error, sizeof(b[1].spf_error), "spf.void_lookups");
	struct seen s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(report_diff(a, 3, b, 3, on_change, &s), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.what[0], "a.example:dmarc_enforcement");
	assert_int_equal(s.dir[0], REPORT_IMPROVED);
	assert_string_equal(s.what[1], "b.example:spf_permerror");
	assert_int_equal(s.dir[1], REPORT_REGRESSED);
	assert_string_equal(s.what[2], "c.example:removed");
	assert_string_equal(s.what[3], "d.example:added");

	/* A DNS failure on one side is not a change. */
	snprintf(b[0].dmarc_enforcement, sizeof(b[0].dmarc_enforcement), "temperror");
	snprintf(b[0].dmarc_status, sizeof(b[0].dmarc_status), "temperror");
	memset(&s, 0, sizeof(s));
	assert_int_equal(report_diff(a, 1, b, 1, on_change, &s), 0);
	assert_int_equal(s.n, 0);

	/* A domain that stops existing is one regression, "exists"; back
	 * again, one improvement; both sides NXDOMAIN, nothing. */
	b[1].nxdomain = true;
	snprintf(b[1].spf_status, sizeof(b[1].spf_status), "nxdomain");
	memset(&s, 0, sizeof(s));
	assert_int_equal(report_diff(a + 1, 1, b + 1, 1, on_change, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.what[0], "b.example:exists");
	assert_int_equal(s.dir[0], REPORT_REGRESSED);
	memset(&s, 0, sizeof(s));
	assert_int_equal(report_diff(b + 1, 1, a + 1, 1, on_change, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.dir[0], REPORT_IMPROVED);
	memset(&s, 0, sizeof(s));
	assert_int_equal(report_diff(b + 1, 1, b + 1, 1, on_change, &s), 0);
	assert_int_equal(s.n, 0);
	for (int i = 0; i < 3; i++) {
		report_row_cleanup(&a[i]);
		report_row_cleanup(&b[i]);
	}
}

/* --csv-raw: every value as published, quoted only where RFC 4180 needs. */
static void test_csv_raw(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "=1+1", "=1+1" },       { "-all", "-all" },
		{ "a,b", "\"a,b\"" },     { "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "a\nz", "\"a\nz\"" },   { "cr\r", "\"cr\r\"" },
		{ "\x1b[2J", "\x1b[2J" }, { "", "" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		csv_cell_mode(f, rows[i].in, true);
		fclose(f);
		assert_string_equal(buf, rows[i].out);
		free(buf);
	}
}

static void test_spf_all_names(void **state)
{
	(void)state;
	/* RFC 7208 4.6.2: the qualifier of all is the result. */
	assert_string_equal(report_spf_all_name("-all"), "fail");
	assert_string_equal(report_spf_all_name("~all"), "softfail");
	assert_string_equal(report_spf_all_name("?all"), "neutral");
	assert_string_equal(report_spf_all_name("+all"), "pass");
	assert_string_equal(report_spf_all_name(""), "");
	assert_string_equal(report_spf_all_name(NULL), "");
}

static void test_format_of_path(void **state)
{
	(void)state;
	assert_int_equal(report_format_of_path("stats.csv"), REPORT_CSV);
	assert_int_equal(report_format_of_path("out/X.JSON"), REPORT_JSON);
	assert_int_equal(report_format_of_path("t.md"), REPORT_MD);
	assert_int_equal(report_format_of_path("t.markdown"), REPORT_MD);
	assert_int_equal(report_format_of_path("r.html"), REPORT_HTML);
	assert_int_equal(report_format_of_path("r.htm"), REPORT_HTML);
	assert_int_equal(report_format_of_path("r.txt"), REPORT_TEXT);
	assert_int_equal(report_format_of_path("report"), -1);
	assert_int_equal(report_format_of_path("dir.csv/report"), -1);
	assert_int_equal(report_format_of_path("r.pdf"), -1);
}

/* The primary domain is the first of its company; the best has the
 * strongest DMARC class, then SPF ok, then BIMI, then list order. */
static void test_companies(void **state)
{
	(void)state;
	struct report_row rows[5] = {
		row("a1.example", "A", "ok", "monitor", "none", 0),
		row("b.example", NULL, "ok", "reject", "none", 0),
		row("a2.example", "A", "permerror", "quarantine", "none", 0),
		row("a3.example", "A", "ok", "quarantine", "ok", 1),
		row("b.example2", "b.example", "ok", "missing", "none", 0),
	};
	struct report_company *c;
	size_t n;
	assert_int_equal(report_rows_mark_primary(rows, 5), 0);
	assert_true(rows[0].primary && rows[1].primary && !rows[2].primary && !rows[3].primary);
	/* A company named like a domain is not that domain's own company. */
	assert_true(rows[4].primary);
	assert_int_equal(report_companies(rows, 5, &c, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].name, "A");
	assert_ptr_equal(c[0].primary, &rows[0]);
	assert_ptr_equal(c[0].best, &rows[3]); /* quarantine and SPF ok beat a2 */
	assert_int_equal(c[0].domains, 3);
	assert_int_equal(c[0].dmarc_enforced, 2);
	assert_int_equal(c[0].spf_permerror, 1);
	assert_int_equal(c[0].bimi_eligible, 1);
	assert_string_equal(c[1].name, "b.example");
	assert_ptr_equal(c[1].best, &rows[1]);
	assert_ptr_equal(c[2].primary, &rows[4]);
	free(c);
	for (int i = 0; i < 5; i++)
		report_row_cleanup(&rows[i]);
}

static struct report_join *join_of(const char *text, char *err, size_t errlen)
{
	struct report_join *j = NULL;
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	if (report_join_read(f, "j.csv", &j, err, errlen) != 0)
		j = NULL;
	fclose(f);
	return j;
}

static void test_join(void **state)
{
	char err[256];
	(void)state;
	struct report_join *j = join_of("\xEF\xBB\xBF"
	                                "Domain,sector,\"note, quoted\"\r\n"
	                                "A1.Example.,Banks,\"two\nlines\"\r\n"
	                                "\r\n"
	                                "b.example,,x\r\n",
	                                err, sizeof(err));
	assert_non_null(j);
	assert_string_equal(report_join_key(j), "domain");
	assert_int_equal(report_join_nattrs(j), 2);
	assert_string_equal(report_join_attr(j, 1), "note, quoted");
	assert_int_equal(report_join_attr_index(j, "sector"), 0);
	assert_int_equal(report_join_attr_index(j, "colour"), -1);
	struct report_row rows[3] = {
		row("a1.example", "A", "ok", "reject", "none", 0),
		row("b.example", "B", "ok", "reject", "none", 0),
		row("c.example", "C", "ok", "reject", "none", 0),
	};
	rows[1].sector = strdup("Retail");
	assert_int_equal(report_join_apply(j, rows, 3), 2);
	assert_string_equal(rows[0].sector, "Banks"); /* the joined sector */
	assert_string_equal(rows[0].attrs[1], "two\nlines");
	assert_string_equal(rows[1].sector, "Retail"); /* an empty value keeps the list's */
	assert_null(rows[2].attrs);
	for (int i = 0; i < 3; i++)
		report_row_cleanup(&rows[i]);
	report_join_free(j);

	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "name,sector\nx,y\n", "the header must start with domain, company or code" },
		{ "code\n1\n", "the header must start" },
		{ "code,sector,sector\n", "column 3 has the same name" },
		{ "code,sector\n1,a\n2,b\n1,c\n", "j.csv:4: code '1' is given twice" },
		{ "code,sector\n1,a,b\n", "j.csv:2: 3 fields, the header has 2" },
		{ "company,sector\n\"Acme,x\n", "j.csv:2: a quoted field never ends" },
		{ "", "empty" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(join_of(bad[i].text, err, sizeof(err)));
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("%s: %s", bad[i].text, err);
	}
}

struct got_findings {
	char text[6][96];
	int n;
};

static int on_finding(void *arg, const struct report_finding *f)
{
	struct got_findings *g = arg;
	if (g->n < 6)
		snprintf(g->text[g->n], sizeof(g->text[0]), "%s %s %s %s %s", f->domain, f->check,
		         f->code, f->severity ? f->severity : "-", f->path ? f->path : "-");
	g->n++;
	return 0;
}

static void test_findings(void **state)
{
	struct got_findings g;
	(void)state;
	memset(&g, 0, sizeof(g));
	const char *js = "{\"domain\":\"x.example\",\"spf\":{\"findings\":[{\"code\":\"spf.a\","
	                 "\"severity\":\"error\",\"path\":\"x.example\"}],\"tree\":{}},"
	                 "\"dmarc\":{\"findings\":[]},\"bimi\":{\"logo\":{\"findings\":[{\"code\":"
	                 "\"bimi.l\",\"severity\":\"warning\"}]},\"vmc\":{\"findings\":[{\"code\":"
	                 "\"vmc.expired\",\"severity\":\"error\",\"path\":\"=x\"}]},"
	                 "\"findings\":[{\"no\":\"code\"}]}}";
	assert_int_equal(report_findings_each(js, 0, "x.example", on_finding, &g), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.text[0], "x.example spf spf.a error x.example");
	assert_string_equal(g.text[1], "x.example bimi bimi.l warning -");
	assert_string_equal(g.text[2], "x.example bimi vmc.expired error =x");
	assert_int_equal(report_findings_each("{not", 0, "x", on_finding, &g), -1);
}

/* A metric whose check did not run is "not checked" (a gap in trends),
 * and the *_checked counts themselves stay real counts. */
static void test_checked(void **state)
{
	(void)state;
	struct report_row r = row("a.example", NULL, "ok", "reject", "not_run", -1);
	struct report_stats *s = report_stats_new();
	assert_int_equal(report_stats_add(s, &r), 0);
	assert_int_equal(report_stats_finish(s), 0);
	assert_false(report_stats_checked(s, (size_t)report_metric_index("bimi_eligible")));
	assert_false(report_stats_checked(s, (size_t)report_metric_index("bimi_fail_spf")));
	assert_true(report_stats_checked(s, (size_t)report_metric_index("bimi_checked")));
	assert_true(report_stats_checked(s, (size_t)report_metric_index("dmarc_enforced")));
	assert_true(report_stats_checked(s, (size_t)report_metric_index("results")));
	assert_int_equal(cnt(s, REPORT_VIEW_DOMAIN, "dmarc_p_enforcing"), 0); /* no p= column */
	/* Kept statistics of a posture without a metric: not known, a gap. */
	struct report_stats *k = report_stats_load("posture-stats 1\nunits 1 1 1\n"
	                                           "dmarc_checked 1 1 0\ndmarc_enforced 1 1 1\n");
	assert_non_null(k);
	assert_true(report_stats_checked(k, (size_t)report_metric_index("dmarc_enforced")));
	assert_false(report_stats_checked(k, (size_t)report_metric_index("dmarc_p_reject")));
	assert_int_equal(cnt(k, REPORT_VIEW_COMPANY, "dmarc_enforced"), 1);
	report_stats_free(k);
	report_stats_free(s);
	report_row_cleanup(&r);
}

/* The HTML page lists every domain of a small run, and only the first
 * domains with a problem once the run has more than the cap. */
static void test_html_cap(void **state)
{
	struct store_run run;
	struct report_row rows[6];
	(void)state;
	memset(&run, 0, sizeof(run));
	run.id = 1;
	for (int i = 0; i < 6; i++) {
		char name[32];
		snprintf(name, sizeof(name), "d%d.example", i);
		rows[i] = row(name, NULL, "ok", i % 2 ? "monitor" : "reject", "none", 0);
	}
	struct report_stats *s = report_stats_new();
	for (int i = 0; i < 6; i++)
		assert_int_equal(report_stats_add(s, &rows[i]), 0);
	assert_int_equal(report_stats_finish(s), 0);
	for (size_t cap = 2; cap <= 6; cap += 4) {
		struct report_doc d = { .run = &run,
			                .stats = s,
			                .rows = rows,
			                .nrows = 6,
			                .html_rows = cap,
			                .db = "a.db" };
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_int_equal(report_write_html(f, &d), 0);
		fclose(f);
		const char *t = strstr(buf, "<table id=\"domains\"");
		assert_non_null(t);
		size_t n = 0;
		for (const char *p = t; (p = strstr(p, "<tr><td>")) != NULL; p++)
			n++;
		if (cap == 2) {
			/* d1 and d3 (monitor) of the three with a problem. */
			assert_int_equal(n, 2);
			assert_non_null(strstr(t, "d1.example"));
			assert_non_null(strstr(t, "d3.example"));
			assert_null(strstr(t, "d5.example"));
			assert_non_null(strstr(buf, "id=\"domains-capped\""));
			assert_non_null(strstr(buf, "posture report --db a.db --run 1 --domains"));
		} else {
			assert_int_equal(n, 6);
			assert_null(strstr(buf, "id=\"domains-capped\""));
		}
		free(buf);
	}
	report_stats_free(s);
	for (int i = 0; i < 6; i++)
		report_row_cleanup(&rows[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_cells),     cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_script_hash),   cmocka_unit_test(test_views),
		cmocka_unit_test(test_row_json),      cmocka_unit_test(test_diff),
		cmocka_unit_test(test_nxdomain),      cmocka_unit_test(test_csv_raw),
		cmocka_unit_test(test_spf_all_names), cmocka_unit_test(test_format_of_path),
		cmocka_unit_test(test_companies),     cmocka_unit_test(test_join),
		cmocka_unit_test(test_findings),      cmocka_unit_test(test_checked),
		cmocka_unit_test(test_html_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
