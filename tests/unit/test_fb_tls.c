/*
 * Unit tests for fb_tls.c (fb_tls_read, feedback.h): the SMTP TLS
 * samples of tests/fixtures/dmarc-reports/smtp_tls/ with values read from
 * each file by hand (dates converted with a calendar), then hand-made
 * deviations and input that is no TLS report. Tests run from the top of
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

#define FIXTURES "tests/fixtures/dmarc-reports/smtp_tls/"

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

static void read_file(const char *name, struct fb_report *r)
{
	char path[256], err[FB_ERROR] = "";
	size_t len;
	snprintf(path, sizeof(path), FIXTURES "%s", name);
	uint8_t *buf = slurp(path, &len);
	memset(r, 0, sizeof(*r));
	if (fb_tls_read(buf, len, r, err, sizeof(err)) != 0)
		fail_msg("%s refused: %s", name, err);
	free(buf);
}

static void read_text(const char *json, struct fb_report *r)
{
	char err[FB_ERROR] = "";
	memset(r, 0, sizeof(*r));
	if (fb_tls_read((const uint8_t *)json, strlen(json), r, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
}

static void refused(const char *json, size_t len, const char *want_prefix)
{
	struct fb_report r;
	char err[FB_ERROR] = "";
	memset(&r, 0, sizeof(r));
	assert_int_equal(
	        fb_tls_read((const uint8_t *)json, len ? len : strlen(json), &r, err, sizeof(err)),
	        -1);
	if (strncmp(err, want_prefix, strlen(want_prefix)) != 0)
		fail_msg("error \"%s\", wanted \"%s...\"", err, want_prefix);
	assert_null(r.tls);
	assert_int_equal(r.findings.n, 0);
}

static const char *msg(const struct fb_report *r, const char *code)
{
	for (size_t i = 0; i < r->findings.n; i++)
		if (strcmp(r->findings.v[i].code, code) == 0)
			return r->findings.v[i].message;
	fail_msg("no %s", code);
	return "";
}

/* RFC 8460 section 4.4's own example. */
static void test_rfc8460(void **state)
{
	struct fb_report r;
	(void)state;
	read_file("rfc8460.json", &r);
	assert_int_equal(r.kind, FB_TLS);
	assert_string_equal(r.org, "Company-X");
	assert_string_equal(r.report_id, "5065427c-23d3-47ca-b6e0-946ea0e8c4be");
	assert_string_equal(r.domain, "company-y.example");
	assert_int_equal(r.begin, 1459468800); /* 2016-04-01T00:00:00Z */
	assert_int_equal(r.end, 1459555199);   /* 2016-04-01T23:59:59Z */
	assert_int_equal(r.rows, 1);
	assert_int_equal(r.messages, 5326 + 303);
	assert_string_equal(r.tls->contact, "sts-reporting@company-x.example");
	const struct fb_tls_policy *p = &r.tls->pol[0];
	assert_string_equal(p->type, "sts");
	assert_string_equal(p->domain, "company-y.example");
	assert_string_equal(p->mx_host, "*.mail.company-y.example");
	assert_int_equal(p->ok, 5326);
	assert_int_equal(p->failed, 303);
	assert_int_equal(p->nfail, 3);
	assert_string_equal(p->fail[0].result_type, "certificate-expired");
	assert_string_equal(p->fail[0].sending_ip, "2001:db8:abcd:12::1"); /* canonical */
	assert_string_equal(p->fail[0].receiving_mx, "mx1.mail.company-y.example");
	assert_string_equal(p->fail[0].receiving_ip, "");
	assert_int_equal(p->fail[0].sessions, 100);
	assert_string_equal(p->fail[1].result_type, "starttls-not-supported");
	assert_string_equal(p->fail[1].receiving_ip, "203.0.113.56");
	assert_int_equal(p->fail[1].sessions, 200);
	assert_string_equal(p->fail[2].result_type, "validation-failure");
	assert_string_equal(p->fail[2].sending_ip, "198.51.100.62");
	assert_string_equal(p->fail[2].receiving_ip, "203.0.113.58");
	assert_string_equal(p->fail[2].receiving_mx, "mx-backup.mail.company-y.example");
	assert_string_equal(p->fail[2].reason, "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED");
	assert_int_equal(p->fail[2].sessions, 3);
	assert_int_equal(r.findings.n, 0); /* 100 + 200 + 3 = 303: consistent */
	fb_report_cleanup(&r);
}

/* Mail.ru: two failure-details of one failed session each, a summary of 1. */
static void test_mail_ru(void **state)
{
	struct fb_report r;
	(void)state;
	read_file("mail.ru.json", &r);
	assert_string_equal(r.org, "Mail.ru");
	assert_string_equal(r.report_id, "b28254de-7b2e-be36-bb5c-4c3b92da8b25@mail.ru");
	assert_string_equal(r.domain, "example.com");
	assert_int_equal(r.begin, 1708560000); /* 2024-02-22T00:00:00Z */
	assert_int_equal(r.end, 1708646400);   /* 2024-02-23T00:00:00Z */
	assert_int_equal(r.rows, 1);
	assert_int_equal(r.messages, 1);
	assert_string_equal(r.tls->contact, "tls_support@corp.mail.ru");
	const struct fb_tls_policy *p = &r.tls->pol[0];
	assert_string_equal(p->type, "sts");
	assert_string_equal(p->mx_host, "");
	assert_int_equal(p->ok, 0);
	assert_int_equal(p->failed, 1);
	assert_int_equal(p->nfail, 2);
	assert_string_equal(p->fail[0].result_type, "sts-policy-fetch-error");
	assert_string_equal(p->fail[0].reason, "bad https response code: 404");
	assert_string_equal(p->fail[1].reason, "bad https response code: 500");
	assert_int_equal(r.findings.n, 1);
	assert_int_equal(r.findings.v[0].severity, FINDING_INFO);
	assert_non_null(
	        strstr(msg(&r, "report.bad_field"), "count 2 failed sessions, its summary 1"));
	fb_report_cleanup(&r);
}

static void test_smtp_tls(void **state)
{
	struct fb_report r;
	(void)state;
	read_file("smtp_tls.json", &r);
	assert_string_equal(r.org, "Example Inc.");
	assert_string_equal(r.report_id, "2024-01-09T00:00:00Z_example.com");
	assert_string_equal(r.domain, "example.com");
	assert_int_equal(r.begin, 1704758400); /* 2024-01-09T00:00:00Z */
	assert_int_equal(r.end, 1704844799);   /* 2024-01-09T23:59:59Z */
	assert_int_equal(r.rows, 1);
	assert_int_equal(r.messages, 3);
	const struct fb_tls_policy *p = &r.tls->pol[0];
	assert_int_equal(p->nfail, 2);
	assert_string_equal(p->fail[0].sending_ip, "209.85.222.201");
	assert_string_equal(p->fail[0].receiving_ip, "173.212.201.41");
	assert_string_equal(p->fail[0].receiving_mx, "example.com");
	assert_int_equal(p->fail[0].sessions, 2);
	assert_string_equal(p->fail[1].sending_ip, "209.85.208.176");
	assert_int_equal(p->fail[1].sessions, 1);
	assert_int_equal(r.findings.n, 0);
	fb_report_cleanup(&r);
}

static void test_deviations(void **state)
{
	struct fb_report r;
	(void)state;
	read_text("{\"organization-name\":\" Org \",\"report-id\":\"r1\",\"contact-info\":5,"
	          "\"date-range\":{\"start-datetime\":\"2024-01-09T02:00:00+02:00\","
	          "\"end-datetime\":\"2024-01-09T23:59:59.5Z\"},"
	          "\"policies\":[{\"policy\":{\"policy-type\":\"STS\",\"policy-domain\":"
	          "\"Example.COM\",\"mx-host\":[\"mx1.example.com\",\"mx2.example.com\"]},"
	          "\"summary\":{\"total-successful-session-count\":-4,"
	          "\"total-failure-session-count\":2},"
	          "\"failure-details\":[{\"result-type\":\"cosmic-rays\",\"sending-mta-ip\":"
	          "\"no-ip\",\"failed-session-count\":2}]}, 7]}",
	          &r);
	assert_string_equal(r.org, "Org");
	assert_int_equal(r.begin, 1704758400); /* 02:00 at +02:00 is 00:00Z */
	assert_int_equal(r.end, 1704844799);
	assert_string_equal(r.domain, "example.com");
	assert_int_equal(r.rows, 1); /* the 7 is no policy */
	assert_int_equal(r.messages, 2);
	const struct fb_tls_policy *p = &r.tls->pol[0];
	assert_string_equal(p->type, "sts");
	assert_string_equal(p->mx_host, "mx1.example.com");
	assert_int_equal(p->ok, 0);
	assert_string_equal(p->fail[0].result_type, "cosmic-rays");
	assert_string_equal(p->fail[0].sending_ip, "");
	assert_non_null(strstr(msg(&r, "report.uppercase_value"), "\"STS\""));
	/* contact-info 5, count -4, cosmic-rays, no-ip, the 7 */
	size_t bad = 0;
	for (size_t i = 0; i < r.findings.n; i++)
		bad += strcmp(r.findings.v[i].code, "report.bad_field") == 0;
	assert_int_equal(bad, 5);
	fb_report_cleanup(&r);

	read_text("{\"organization-name\":\"O\",\"report-id\":\"r2\",\"date-range\":"
	          "{\"start-datetime\":\"2024-13-01T00:00:00Z\",\"end-datetime\":"
	          "\"2024-01-01T00:00:00Z\"},\"policies\":[]}",
	          &r);
	assert_int_equal(r.begin, 0);
	assert_non_null(strstr(msg(&r, "report.bad_date_range"), "\"2024-13-01T00:00:00Z\""));
	assert_non_null(strstr(msg(&r, "report.bad_field"), "no policy"));
	assert_int_equal(r.rows, 0);
	fb_report_cleanup(&r);

	read_text("{\"organization-name\":\"O\",\"report-id\":\"r3\",\"date-range\":"
	          "{\"start-datetime\":\"2024-01-02T00:00:00Z\",\"end-datetime\":"
	          "\"2024-01-01T00:00:00Z\"},\"policies\":[]}",
	          &r);
	assert_int_equal(r.begin, 1704153600);
	assert_non_null(strstr(msg(&r, "report.bad_date_range"), "after it ends"));
	fb_report_cleanup(&r);
}

static void test_not_tls(void **state)
{
	char *deep = malloc(100001);
	(void)state;
	refused("", 0, "not an SMTP TLS report: invalid JSON (line ");
	refused("{\"organization-name\":\"O\",", 0, "not an SMTP TLS report: invalid JSON");
	refused("[1,2]", 0, "not an SMTP TLS report: not a JSON object");
	refused("{\"a\":1}", 0, "not an SMTP TLS report: no organization-name");
	refused("{\"organization-name\":\"O\",\"policies\":[]}", 0,
	        "not an SMTP TLS report: no report-id");
	refused("{\"organization-name\":\"O\",\"report-id\":\"x\",\"policies\":{}}", 0,
	        "not an SMTP TLS report: no policies array");
	/* Not UTF-8, and a NUL inside a string: jansson refuses both. */
	refused("{\"organization-name\":\"\x91\",\"report-id\":\"x\",\"policies\":[]}", 0,
	        "not an SMTP TLS report: invalid JSON");
	refused("{\"organization-name\":\"a\\u0000b\",\"report-id\":\"x\",\"policies\":[]}", 0,
	        "not an SMTP TLS report: invalid JSON");
	/* 100,000 nested arrays: jansson's depth limit, no stack overflow. */
	assert_non_null(deep);
	memset(deep, '[', 100000);
	deep[100000] = '\0';
	refused(deep, 100000, "not an SMTP TLS report: invalid JSON");
	free(deep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8460),  cmocka_unit_test(test_mail_ru),
		cmocka_unit_test(test_smtp_tls), cmocka_unit_test(test_deviations),
		cmocka_unit_test(test_not_tls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
