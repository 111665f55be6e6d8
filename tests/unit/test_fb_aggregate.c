/*
 * Unit tests for fb_aggregate.c (fb_aggregate_read, feedback.h).
 *
 * Part A: every aggregate sample of tests/fixtures/dmarc-reports/ (the
 * parsedmarc corpus, README there), with the values read from each file
 * by hand: reporter, id, domain, period, records, messages, the first
 * record, and which findings the file's deviations must give.
 *
 * Part B: hand-made reports, one deviation each. Part C: hostile input
 * (XXE, billion laughs, a DOCTYPE hidden in UTF-16 or UTF-7, deep
 * nesting, garbage, a report without an id). Tests run from the top of
 * the tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feedback.h"

#define FIXTURES    "tests/fixtures/dmarc-reports/"
#define DOCTYPE_ERR "XML with a document type declaration refused (entities are not expanded)"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	if (f == NULL)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	buf = malloc((size_t)1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)1 << 20, f);
	fclose(f);
	return buf;
}

static int has_code(const struct fb_report *r, const char *code)
{
	return findings_has(&r->findings, code);
}

static const struct finding *find(const struct fb_report *r, const char *code)
{
	for (size_t i = 0; i < r->findings.n; i++)
		if (strcmp(r->findings.v[i].code, code) == 0)
			return &r->findings.v[i];
	return NULL;
}

/* The message of the first finding of code (the test fails without one). */
static const char *msg(const struct fb_report *r, const char *code)
{
	const struct finding *f = find(r, code);
	if (f == NULL)
		fail_msg("no %s", code);
	return f ? f->message : "";
}

static enum finding_severity sev(const struct fb_report *r, const char *code)
{
	const struct finding *f = find(r, code);
	if (f == NULL)
		fail_msg("no %s", code);
	return f ? f->severity : FINDING_INFO;
}

static void read_text(const char *xml, struct fb_report *r)
{
	char err[FB_ERROR] = "";
	memset(r, 0, sizeof(*r));
	if (fb_aggregate_read((const uint8_t *)xml, strlen(xml), r, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
}

static void refused(const char *xml, size_t len, const char *want_prefix)
{
	struct fb_report r;
	char err[FB_ERROR] = "";
	memset(&r, 0, sizeof(r));
	assert_int_equal(fb_aggregate_read((const uint8_t *)xml, len ? len : strlen(xml), &r, err,
	                                   sizeof(err)),
	                 -1);
	if (strncmp(err, want_prefix, strlen(want_prefix)) != 0)
		fail_msg("error \"%s\", wanted \"%s...\"", err, want_prefix);
	assert_null(r.agg);
	assert_int_equal(r.findings.n, 0);
	fb_report_cleanup(&r);
}

/* ---- part A: the fixtures ------------------------------------------------ */

struct agg_case {
	const char *file;
	const char *org, *report_id, *domain, *schema;
	int64_t begin, end;
	uint64_t rows, messages;
	/* the first record */
	const char *ip;
	uint64_t count;
	const char *disposition, *dkim, *spf, *header_from, *envelope_from;
	size_t ndkim, nspf;
	const char *must; /* finding codes that must be there, space-separated */
	size_t nfindings; /* and how many findings in all */
};

static const struct agg_case CASES[] = {
	{ "aggregate/!example.com!1538204542!1538463818.xml",
	  "administrator@accurateplastics.com",
	  "example.com:1538463741",
	  "example.com",
	  "rfc7489",
	  1538413632,
	  1538413632,
	  1,
	  1,
	  "12.20.127.122",
	  1,
	  "none",
	  "fail",
	  "fail",
	  "example.com",
	  "",
	  0,
	  1,
	  "report.missing_org_name report.missing_envelope_from",
	  2 },
	{ "aggregate/addisonfoods.com!example.com!1536105600!1536191999.xml",
	  "addisonfoods.com",
	  "3ceb5548498640beaeb47327e202b0b9",
	  "example.com",
	  "rfc7489",
	  1536105600,
	  1536191999,
	  1,
	  1,
	  "109.203.100.17",
	  1,
	  "none",
	  "fail",
	  "fail",
	  "example.com",
	  "example.com",
	  1,
	  0,
	  "",
	  0 },
	{ "aggregate/empty_reason.xml",
	  "example.org",
	  "20240125141224705995",
	  "example.com",
	  "rfc7489",
	  1706159544,
	  1706185733,
	  1,
	  2,
	  "198.51.100.123",
	  2,
	  "none",
	  "pass",
	  "fail",
	  "example.com",
	  "example.edu",
	  1,
	  1,
	  "",
	  0 },
	{ "aggregate/example.net!example.com!1529366400!1529452799.xml",
	  "example.net",
	  "b043f0e264cf4ea995e93765242f6dfb",
	  "example.com",
	  "rfc7489",
	  1529366400,
	  1529452799,
	  1,
	  1,
	  "199.230.200.36",
	  1,
	  "none",
	  "fail",
	  "fail",
	  "example.com",
	  "example.com",
	  0,
	  0,
	  "",
	  0 },
	/* An <xs:schema> wrapper that is never closed: recovery mode. */
	{ "aggregate/ikea.com!example.de!1538690400!1538776800.xml",
	  "ikea.com",
	  "aggr_report_2018_10_05_5bc7e9b4f3e8a",
	  "example.de",
	  "rfc7489",
	  1538690400,
	  1538776800,
	  1,
	  1,
	  "234.234.234.234",
	  1,
	  "none",
	  "fail",
	  "fail",
	  "example.de",
	  "example.de",
	  1,
	  1,
	  "report.xml_recovered report.bad_field",
	  2 },
	{ "aggregate/invalid_utf_8.xml",
	  "administrator@accurateplastics.com",
	  "example.com:1538463741",
	  "example.com",
	  "rfc7489",
	  1538413632,
	  1538413632,
	  1,
	  1,
	  "12.20.127.122",
	  1,
	  "none",
	  "fail",
	  "fail",
	  "bad_byte\xef\xbf\xbd",
	  "",
	  0,
	  1,
	  "report.invalid_utf8 report.missing_org_name report.missing_envelope_from",
	  3 },
	/* <email><bad-xml@bad-xml.net></email>: recovery keeps the record. */
	{ "aggregate/invalid_xml.xml",
	  "veeam.com",
	  "sonexushealth.com:1530233361",
	  "example.com",
	  "rfc7489",
	  1530133200,
	  1530219600,
	  1,
	  1,
	  "199.230.200.36",
	  1,
	  "none",
	  "fail",
	  "fail",
	  NULL,
	  "",
	  0,
	  1,
	  "report.xml_recovered report.missing_envelope_from",
	  2 },
	{ "aggregate/old_draft_from_wiki.xml",
	  "acme.com",
	  "9391651994964116463",
	  "example.com",
	  "rfc7489",
	  1335571200,
	  1335657599,
	  1,
	  2,
	  "72.150.241.94",
	  2,
	  "none",
	  "fail",
	  "pass",
	  "example.com",
	  "",
	  1,
	  1,
	  "report.missing_envelope_from",
	  1 },
	{ "aggregate/rfc9990-sample.xml",
	  "Sample Reporter",
	  "3v98abbp8ya9n3va8yr8oa3ya",
	  "example.com",
	  "rfc9990",
	  302832000,
	  302918399,
	  1,
	  123,
	  "192.0.2.123",
	  123,
	  "pass",
	  "pass",
	  "fail",
	  "example.com",
	  "example.com",
	  1,
	  1,
	  "",
	  0 },
	{ "aggregate/veeam.com!example.com!1530133200!1530219600.xml",
	  "veeam.com",
	  "sonexushealth.com:1530233361",
	  "example.com",
	  "rfc7489",
	  1530133200,
	  1530219600,
	  1,
	  1,
	  "199.230.200.36",
	  1,
	  "none",
	  "fail",
	  "fail",
	  "example.com",
	  "",
	  0,
	  1,
	  "report.missing_envelope_from",
	  1 },
	/* "example.com " (trimmed), None/Pass (lower-cased, one finding). */
	{ "aggregate_invalid/report_with_upper_cased_pass.xml",
	  "example.com",
	  "aggr_report_example.com_20191202_1638",
	  "example.com",
	  "rfc7489",
	  1574955300,
	  1575304683,
	  1,
	  1,
	  "23.104.41.189",
	  1,
	  "none",
	  "pass",
	  "pass",
	  "example.com",
	  "",
	  1,
	  1,
	  "report.uppercase_value report.missing_envelope_from",
	  2 },
	/* 20 records, 3047 messages (grep -c '<record>', the counts summed). */
	{ "extract_report/nice-input.xml",
	  "google.com",
	  "11038226378739404135",
	  "example.com",
	  "rfc7489",
	  1718236800,
	  1718323199,
	  20,
	  3047,
	  "209.85.220.69",
	  1,
	  "none",
	  "fail",
	  "pass",
	  "example.com",
	  "",
	  0,
	  1,
	  "report.missing_envelope_from",
	  1 },
	{ "extract_report/changed-input.xml",
	  "fred.com",
	  "11038226378739404135",
	  "example.com",
	  "rfc7489",
	  1718236800,
	  1718323199,
	  20,
	  3047,
	  "209.85.220.69",
	  1,
	  "none",
	  "fail",
	  "pass",
	  "example.com",
	  "",
	  0,
	  1,
	  "report.missing_envelope_from",
	  1 },
};

static void check_case(const struct agg_case *c)
{
	char path[512], err[FB_ERROR] = "", codes[256];
	struct fb_report r;
	size_t len;

	snprintf(path, sizeof(path), FIXTURES "%s", c->file);
	uint8_t *buf = slurp(path, &len);
	memset(&r, 0, sizeof(r));
	snprintf(r.where, sizeof(r.where), "kept");
	if (fb_aggregate_read(buf, len, &r, err, sizeof(err)) != 0)
		fail_msg("%s refused: %s", c->file, err);
	assert_int_equal(r.kind, FB_AGGREGATE);
	assert_string_equal(r.where, "kept");
	assert_string_equal(r.org, c->org);
	assert_string_equal(r.report_id, c->report_id);
	assert_string_equal(r.domain, c->domain);
	assert_string_equal(r.agg->schema, c->schema);
	assert_int_equal(r.begin, c->begin);
	assert_int_equal(r.end, c->end);
	assert_int_equal(r.rows, c->rows);
	assert_int_equal(r.agg->nrows, c->rows);
	assert_int_equal(r.messages, c->messages);
	const struct fb_row *w = &r.agg->rows[0];
	assert_string_equal(w->source_ip, c->ip);
	assert_int_equal(w->count, c->count);
	assert_string_equal(w->disposition, c->disposition);
	assert_string_equal(w->dkim, c->dkim);
	assert_string_equal(w->spf, c->spf);
	if (c->header_from != NULL)
		assert_string_equal(w->header_from, c->header_from);
	assert_string_equal(w->envelope_from, c->envelope_from);
	assert_int_equal(w->ndkim_auth, c->ndkim);
	assert_int_equal(w->nspf_auth, c->nspf);
	snprintf(codes, sizeof(codes), "%s", c->must);
	for (char *save, *code = strtok_r(codes, " ", &save); code;
	     code = strtok_r(NULL, " ", &save))
		if (!has_code(&r, code))
			fail_msg("%s: no %s", c->file, code);
	if (r.findings.n != c->nfindings) {
		for (size_t i = 0; i < r.findings.n; i++)
			print_message("  %s: %s\n", r.findings.v[i].code, r.findings.v[i].message);
		fail_msg("%s: %zu findings, wanted %zu", c->file, r.findings.n, c->nfindings);
	}
	fb_report_cleanup(&r);
	free(buf);
}

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++)
		check_case(&CASES[i]);
}

/* Fields of the fixtures beyond the table's, read by hand. */
static void test_fixture_fields(void **state)
{
	char err[FB_ERROR];
	struct fb_report r;
	size_t len;
	(void)state;

	uint8_t *buf = slurp(FIXTURES "aggregate/rfc9990-sample.xml", &len);
	memset(&r, 0, sizeof(r));
	assert_int_equal(fb_aggregate_read(buf, len, &r, err, sizeof(err)), 0);
	assert_string_equal(r.agg->email, "report_sender@example-reporter.com");
	assert_string_equal(r.agg->extra_contact, "...");
	assert_string_equal(r.agg->p, "quarantine");
	assert_string_equal(r.agg->sp, "none");
	assert_string_equal(r.agg->np, "none");
	assert_string_equal(r.agg->testing, "n");
	assert_int_equal(r.agg->pct, -1);
	assert_string_equal(r.agg->rows[0].dkim_auth[0].domain, "example.com");
	assert_string_equal(r.agg->rows[0].dkim_auth[0].selector, "abc123");
	assert_string_equal(r.agg->rows[0].dkim_auth[0].result, "pass");
	assert_string_equal(r.agg->rows[0].spf_auth[0].domain, "example.com");
	assert_string_equal(r.agg->rows[0].spf_auth[0].result, "fail");
	assert_string_equal(r.agg->rows[0].spf_auth[0].scope, "");
	fb_report_cleanup(&r);
	free(buf);

	buf = slurp(FIXTURES "aggregate/empty_reason.xml", &len);
	memset(&r, 0, sizeof(r));
	assert_int_equal(fb_aggregate_read(buf, len, &r, err, sizeof(err)), 0);
	assert_string_equal(r.agg->extra_contact, "https://support.example.org/dmarc");
	assert_string_equal(r.agg->adkim, "r");
	assert_string_equal(r.agg->fo, "1");
	assert_int_equal(r.agg->pct, 100);
	/* <reason><type></type>: tolerated, nothing kept. */
	assert_string_equal(r.agg->rows[0].reasons, "");
	assert_string_equal(r.agg->rows[0].envelope_to, "example.net");
	assert_string_equal(r.agg->rows[0].dkim_auth[0].selector, "example");
	assert_string_equal(r.agg->rows[0].spf_auth[0].domain, "example.edu");
	assert_string_equal(r.agg->rows[0].spf_auth[0].scope, "mfrom");
	assert_string_equal(r.agg->rows[0].spf_auth[0].result, "pass");
	fb_report_cleanup(&r);
	free(buf);

	/* The ninth record is IPv6; the twentieth counts 359. */
	buf = slurp(FIXTURES "extract_report/nice-input.xml", &len);
	memset(&r, 0, sizeof(r));
	assert_int_equal(fb_aggregate_read(buf, len, &r, err, sizeof(err)), 0);
	assert_string_equal(r.agg->rows[8].source_ip, "2607:f8b0:4864:20::132");
	assert_int_equal(r.agg->rows[19].count, 359);
	assert_int_equal(r.agg->rows[1].ndkim_auth, 2);
	assert_string_equal(r.agg->rows[1].dkim_auth[1].domain, "amazonses.com");
	assert_string_equal(r.agg->rows[1].dkim_auth[1].selector,
	                    "ug7nbtf4gccmlpwj322ax3p6ow6yfsug");
	assert_string_equal(r.agg->rows[1].spf_auth[0].domain, "gmail.com");
	assert_string_equal(r.agg->extra_contact, "https://support.google.com/a/answer/2466580");
	fb_report_cleanup(&r);
	free(buf);

	/* ikea: the SPF result was for the HELO name. */
	buf = slurp(FIXTURES "aggregate/ikea.com!example.de!1538690400!1538776800.xml", &len);
	memset(&r, 0, sizeof(r));
	assert_int_equal(fb_aggregate_read(buf, len, &r, err, sizeof(err)), 0);
	assert_string_equal(r.agg->rows[0].spf_auth[0].domain, "mailrelay.com");
	assert_string_equal(r.agg->rows[0].spf_auth[0].scope, "helo");
	assert_string_equal(r.agg->rows[0].spf_auth[0].result, "none");
	assert_non_null(strstr(msg(&r, "report.xml_recovered"), "line 47"));
	assert_non_null(strstr(msg(&r, "report.bad_field"), "<xs:schema>"));
	fb_report_cleanup(&r);
	free(buf);
}

/* The parser's message and line are in the recovery finding. */
static void test_recovered_message(void **state)
{
	char err[FB_ERROR];
	struct fb_report r;
	size_t len;
	(void)state;

	uint8_t *buf = slurp(FIXTURES "aggregate/invalid_xml.xml", &len);
	memset(&r, 0, sizeof(r));
	assert_int_equal(fb_aggregate_read(buf, len, &r, err, sizeof(err)), 0);
	assert_int_equal(sev(&r, "report.xml_recovered"), FINDING_WARNING);
	assert_non_null(strstr(msg(&r, "report.xml_recovered"),
	                       "the report is not well-formed XML (line 5: "));
	assert_non_null(strstr(msg(&r, "report.xml_recovered"), "); read in recovery mode"));
	fb_report_cleanup(&r);
	free(buf);
}

/* ---- part B: hand-made deviations ------------------------------------------ */

#define META                                                                                       \
	"<report_metadata><org_name>R</org_name><email>r@r.example</email>"                        \
	"<report_id>id1</report_id><date_range><begin>100</begin><end>200</end></date_range>"      \
	"</report_metadata>"
#define POLICY "<policy_published><domain>Example.COM</domain><p>reject</p></policy_published>"
#define ROW(ip, count)                                                                             \
	"<record><row><source_ip>" ip "</source_ip><count>" count "</count><policy_evaluated>"     \
	"<disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>" \
	"<identifiers><header_from>example.com</header_from><envelope_from>example.com"            \
	"</envelope_from></identifiers><auth_results><spf><domain>example.com</domain>"            \
	"<result>pass</result></spf></auth_results></record>"

static void test_clean_hand_made(void **state)
{
	struct fb_report r;
	(void)state;
	read_text("<feedback>" META POLICY ROW("192.0.2.1", "3")
	                  ROW(" 2001:DB8:0:0::1 ", " 4 ") "</feedback>",
	          &r);
	assert_int_equal(r.findings.n, 0);
	assert_string_equal(r.domain, "example.com"); /* DNS names lower-cased silently */
	assert_int_equal(r.rows, 2);
	assert_int_equal(r.messages, 7);
	assert_string_equal(r.agg->rows[1].source_ip, "2001:db8::1");
	assert_int_equal(r.agg->rows[1].count, 4);
	assert_int_equal(r.begin, 100);
	assert_int_equal(r.end, 200);
	fb_report_cleanup(&r);
}

static void test_bad_values(void **state)
{
	struct fb_report r;
	(void)state;
	read_text("<feedback>" META POLICY ROW("192.0.2.300", "3") ROW("192.0.2.2", "-1")
	                  ROW("192.0.2.3", "many") ROW("192.0.2.4", "2000000000000") "</feedback>",
	          &r);
	assert_int_equal(r.rows, 4);
	assert_string_equal(r.agg->rows[0].source_ip, "");
	assert_int_equal(r.agg->rows[0].count, 3); /* the row is kept */
	assert_int_equal(r.agg->rows[1].count, 0);
	assert_int_equal(r.agg->rows[2].count, 0);
	assert_int_equal(r.agg->rows[3].count, 0);
	assert_int_equal(r.messages, 3);
	assert_int_equal(r.findings.n, 4);
	for (size_t i = 0; i < r.findings.n; i++)
		assert_string_equal(r.findings.v[i].code, "report.bad_field");
	assert_non_null(strstr(r.findings.v[0].message, "source_ip is \"192.0.2.300\""));
	assert_non_null(strstr(r.findings.v[1].message, "count is \"-1\""));
	assert_non_null(strstr(r.findings.v[2].message, "count is \"many\""));
	fb_report_cleanup(&r);
}

static void test_words(void **state)
{
	struct fb_report r;
	(void)state;
	read_text("<feedback><report_metadata><org_name>R</org_name><report_id>x</report_id>"
	          "<date_range><begin>1</begin><end>2</end></date_range></report_metadata>"
	          "<policy_published><domain>d.example</domain><p>REJECT</p><sp></sp><adkim>x"
	          "</adkim><pct>101</pct></policy_published>"
	          "<record><row><source_ip>192.0.2.1</source_ip><count>1</count>"
	          "<policy_evaluated><disposition>Quarantine</disposition><dkim>fail</dkim>"
	          "<spf>fail</spf><reason><type>Forwarded</type><comment>c</comment></reason>"
	          "<reason><type>local_policy</type></reason><reason><type>whim</type></reason>"
	          "</policy_evaluated></row><identifiers><header_from>d.example</header_from>"
	          "</identifiers><auth_results><dkim><domain>d.example</domain><selector>S1"
	          "</selector><result>PermError</result></dkim><spf><domain>d.example</domain>"
	          "<scope>mailfrom</scope><result>hardfail</result></spf></auth_results></record>"
	          "</feedback>",
	          &r);
	assert_string_equal(r.agg->p, "reject");
	assert_string_equal(r.agg->sp, ""); /* empty = absent, no finding */
	assert_int_equal(r.agg->pct, -1);
	const struct fb_row *w = &r.agg->rows[0];
	assert_string_equal(w->disposition, "quarantine");
	assert_string_equal(w->reasons, "forwarded local_policy whim");
	assert_string_equal(w->dkim_auth[0].selector, "s1");
	assert_string_equal(w->dkim_auth[0].result, "permerror");
	assert_string_equal(w->spf_auth[0].scope, "mailfrom");
	assert_string_equal(w->spf_auth[0].result, "hardfail");
	/* One upper-case finding for the report; each unknown word its own. */
	size_t upper = 0, bad = 0;
	for (size_t i = 0; i < r.findings.n; i++) {
		upper += strcmp(r.findings.v[i].code, "report.uppercase_value") == 0;
		bad += strcmp(r.findings.v[i].code, "report.bad_field") == 0;
	}
	assert_int_equal(upper, 1);
	assert_non_null(strstr(msg(&r, "report.uppercase_value"), "\"REJECT\""));
	/* adkim x, pct 101, reason whim, scope mailfrom, result hardfail */
	assert_int_equal(bad, 5);
	assert_true(has_code(&r, "report.missing_envelope_from"));
	fb_report_cleanup(&r);
}

static void test_dates(void **state)
{
	struct fb_report r;
	(void)state;
	read_text("<feedback><report_metadata><org_name>R</org_name><report_id>x</report_id>"
	          "<date_range><begin>\n 300 \n</begin><end>200</end></date_range>"
	          "</report_metadata>" POLICY ROW("192.0.2.1", "1") "</feedback>",
	          &r);
	assert_int_equal(r.begin, 300);
	assert_int_equal(r.end, 200);
	assert_non_null(strstr(msg(&r, "report.bad_date_range"), "begins (300) after"));
	fb_report_cleanup(&r);

	read_text("<feedback><report_metadata><org_name>R</org_name><report_id>x</report_id>"
	          "<date_range><begin>1.5</begin></date_range></report_metadata>" POLICY ROW(
	                  "192.0.2.1", "1") "</feedback>",
	          &r);
	assert_int_equal(r.begin, 0);
	assert_int_equal(r.end, 0);
	assert_non_null(strstr(msg(&r, "report.bad_date_range"), "\"1.5\""));
	fb_report_cleanup(&r);
}

static void test_namespaces(void **state)
{
	struct fb_report r;
	(void)state;
	read_text("<feedback xmlns=\"urn:example:other\">" META POLICY ROW("192.0.2.1",
	                                                                   "1") "</feedback>",
	          &r);
	assert_string_equal(r.agg->schema, "rfc7489");
	assert_true(has_code(&r, "report.unknown_namespace"));
	assert_int_equal(r.rows, 1);
	fb_report_cleanup(&r);

	read_text("<d:feedback xmlns:d=\"urn:ietf:params:xml:ns:dmarc-2.0\"><d:report_metadata>"
	          "<d:org_name>R</d:org_name><d:report_id>n1</d:report_id></d:report_metadata>"
	          "</d:feedback>",
	          &r);
	assert_string_equal(r.agg->schema, "rfc9990");
	assert_string_equal(r.report_id, "n1");
	assert_false(has_code(&r, "report.unknown_namespace"));
	fb_report_cleanup(&r);
}

static void test_truncated_values(void **state)
{
	char xml[4096], longid[400];
	struct fb_report r;
	(void)state;

	/* 300 bytes of "é" (2 bytes each): cut whole, at 254 bytes. */
	for (size_t i = 0; i < 150; i++)
		memcpy(longid + 2 * i, "\xc3\xa9", 2);
	longid[300] = '\0';
	snprintf(xml, sizeof(xml),
	         "<feedback><report_metadata><org_name>%s</org_name><report_id>%s</report_id>"
	         "</report_metadata>" POLICY ROW("192.0.2.1", "1") "</feedback>",
	         longid, longid);
	read_text(xml, &r);
	assert_int_equal(strlen(r.report_id), 254);
	assert_int_equal(strlen(r.org), 254);
	size_t cut = 0;
	for (size_t i = 0; i < r.findings.n; i++)
		cut += strcmp(r.findings.v[i].code, "report.value_truncated") == 0;
	assert_int_equal(cut, 1); /* once per report */
	fb_report_cleanup(&r);
}

static void test_org_fallbacks(void **state)
{
	struct fb_report r;
	(void)state;
	read_text("<feedback><report_metadata><org_name>  </org_name><email>a@b.example</email>"
	          "<report_id>x</report_id></report_metadata><record><row><source_ip>192.0.2.1"
	          "</source_ip><count>2</count></row><identifiers><header_from>From.Example"
	          "</header_from></identifiers></record></feedback>",
	          &r);
	assert_string_equal(r.org, "a@b.example");
	assert_int_equal(sev(&r, "report.missing_org_name"), FINDING_INFO);
	/* No policy_published/domain: the first record's header_from. The
	 * records' findings come first (document order: the records are read
	 * as the parser closes them, policy_published is looked for after). */
	assert_string_equal(r.domain, "from.example");
	int said = 0;
	for (size_t i = 0; i < r.findings.n; i++)
		said += strcmp(r.findings.v[i].code, "report.bad_field") == 0 &&
		        strstr(r.findings.v[i].message, "policy_published/domain is missing") !=
		                NULL;
	assert_int_equal(said, 1);
	fb_report_cleanup(&r);
}

static void test_auth_cap(void **state)
{
	char *xml = malloc(16384);
	struct fb_report r;
	size_t used;
	(void)state;

	assert_non_null(xml);
	used = (size_t)snprintf(xml, 16384,
	                        "<feedback>" META POLICY "<record><row><source_ip>192.0.2.1"
	                        "</source_ip><count>1</count></row><auth_results>");
	for (int i = 0; i < 40; i++)
		used += (size_t)snprintf(xml + used, 16384 - used,
		                         "<dkim><domain>d%d.example</domain><result>pass</result>"
		                         "</dkim>",
		                         i);
	snprintf(xml + used, 16384 - used, "</auth_results></record></feedback>");
	read_text(xml, &r);
	assert_int_equal(r.agg->rows[0].ndkim_auth, 32);
	assert_string_equal(r.agg->rows[0].dkim_auth[31].domain, "d31.example");
	assert_non_null(strstr(msg(&r, "report.rows_truncated"), "40 DKIM"));
	fb_report_cleanup(&r);
	free(xml);
}

/* Many bad values: BAD_FIELD_MAX findings, then one that counts the rest. */
static void test_bad_field_cap(void **state)
{
	size_t cap = (size_t)100 * 600, used;
	char *xml = malloc(cap);
	struct fb_report r;
	(void)state;

	assert_non_null(xml);
	used = (size_t)snprintf(xml, cap, "<feedback>" META POLICY);
	for (int i = 0; i < 100; i++)
		used += (size_t)snprintf(xml + used, cap - used, "%s", ROW("bad", "1"));
	snprintf(xml + used, cap - used, "</feedback>");
	read_text(xml, &r);
	assert_int_equal(r.rows, 100);
	assert_int_equal(r.messages, 100);
	assert_int_equal(r.findings.n, 33);
	assert_non_null(strstr(r.findings.v[32].message, "68 more values"));
	fb_report_cleanup(&r);
	free(xml);
}

/* ---- part C: hostile input --------------------------------------------------- */

static void test_xxe(void **state)
{
	(void)state;
	refused("<?xml version=\"1.0\"?>\n<!DOCTYPE feedback [<!ENTITY xxe SYSTEM "
	        "\"file:///etc/passwd\">]>\n<feedback><report_metadata><org_name>&xxe;</org_name>"
	        "<report_id>1</report_id></report_metadata></feedback>",
	        0, DOCTYPE_ERR);
	/* Any case, and an external DTD. */
	refused("<!doctype feedback SYSTEM \"http://192.0.2.1/x.dtd\"><feedback/>", 0, DOCTYPE_ERR);
}

static void test_billion_laughs(void **state)
{
	(void)state;
	refused("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
	        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
	        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
	        "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
	        "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
	        "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
	        "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
	        "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
	        "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">"
	        "]><feedback><report_metadata><org_name>&lol9;</org_name><report_id>1"
	        "</report_id></report_metadata></feedback>",
	        0, DOCTYPE_ERR);
}

/* A DOCTYPE the bytes do not show: UTF-16, and UTF-7 by declaration.
 * The parser's own hook refuses it once decoded. */
static void test_hidden_doctype(void **state)
{
	static const char doc[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE feedback "
	                          "[<!ENTITY x SYSTEM \"file:///etc/passwd\">]><feedback>"
	                          "<report_metadata><org_name>&x;</org_name><report_id>1"
	                          "</report_id></report_metadata></feedback>";
	char utf16[2 * sizeof(doc) + 2];
	size_t n = 0;
	(void)state;

	utf16[n++] = (char)0xff;
	utf16[n++] = (char)0xfe;
	for (size_t i = 0; doc[i]; i++) {
		utf16[n++] = doc[i];
		utf16[n++] = '\0';
	}
	refused(utf16, n, DOCTYPE_ERR);
	refused("<?xml version=\"1.0\" encoding=\"UTF-7\"?>+ADw-!DOCTYPE feedback "
	        "+AFs-+ADw-!ENTITY "
	        "x SYSTEM +ACI-file:///etc/passwd+ACI-+AD4-+AF0-+AD4-<feedback><report_metadata>"
	        "<org_name>&x;</org_name><report_id>1</report_id></report_metadata></feedback>",
	        0, DOCTYPE_ERR);
}

static void test_not_reports(void **state)
{
	(void)state;
	refused("", 0, "empty");
	refused("<html><body>hi</body></html>", 0,
	        "not a DMARC aggregate report: the root element is <html>");
	refused("<feedback><report_metadata><org_name>R</org_name></report_metadata>"
	        "<record/></feedback>",
	        0, "no report_id: the report cannot be told apart from others");
	refused("\x01\x02\x03 not xml at all", 0, "not XML (line 1: ");
	refused("<", 0, "not XML");
}

/* 100,000 nested elements: libxml2's depth limit (256, no
 * XML_PARSE_HUGE) stops it; recovery yields no feedback. */
static void test_deep_nesting(void **state)
{
	size_t n = 100000;
	char *xml = malloc(3 * n + 1);
	(void)state;
	assert_non_null(xml);
	for (size_t i = 0; i < n; i++)
		memcpy(xml + 3 * i, "<a>", 3);
	xml[3 * n] = '\0';
	refused(xml, 3 * n, "not a DMARC aggregate report: the root element is <a>");
	free(xml);
}

/* An undefined entity (no DTD to define it): recovery, nothing expanded. */
static void test_undefined_entity(void **state)
{
	struct fb_report r;
	(void)state;
	read_text("<feedback><report_metadata><org_name>&xxe;</org_name><report_id>1</report_id>"
	          "</report_metadata>" POLICY ROW("192.0.2.1", "1") "</feedback>",
	          &r);
	assert_true(has_code(&r, "report.xml_recovered"));
	assert_string_equal(r.agg->org, "");
	fb_report_cleanup(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_fixture_fields),
		cmocka_unit_test(test_recovered_message),
		cmocka_unit_test(test_clean_hand_made),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_truncated_values),
		cmocka_unit_test(test_org_fallbacks),
		cmocka_unit_test(test_auth_cap),
		cmocka_unit_test(test_bad_field_cap),
		cmocka_unit_test(test_xxe),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_hidden_doctype),
		cmocka_unit_test(test_not_reports),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_undefined_entity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
