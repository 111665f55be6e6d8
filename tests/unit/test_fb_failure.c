/*
 * Unit tests for fb_failure_read (fb_failure.c) against feedback.h.
 *
 * Each failure report of tests/fixtures/dmarc-reports/failure/ with the
 * fields read from the file by hand (dates converted with Python's
 * calendar.timegm), the LF and CRLF copies of the LinkedIn report giving
 * the same report, the Exim report without an ARF part read from its
 * text; then hand-made reports: the SHA-256 id when the report has no
 * Message-ID, Reporting-MTA, IPv6 and obsolete dates, missing and broken
 * fields, headers past FB_HEADERS_MAX, broken base64, and messages that
 * are no failure report. Tests run from the top of the tree.
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

#include "fb_mime.h"
#include "feedback.h"

#define FIX "tests/fixtures/dmarc-reports/"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (f == NULL)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)size, f);
	assert_int_equal(*len, (size_t)size);
	fclose(f);
	return buf;
}

static void cleanup(struct fb_report *r)
{
	if (r->fail != NULL)
		free(r->fail->original_headers);
	free(r->fail);
	findings_cleanup(&r->findings);
	memset(r, 0, sizeof(*r));
}

/* Parses the bytes as a message and reads them as a failure report. */
static int read_bytes(const uint8_t *d, size_t len, struct fb_report *r, char *err, size_t errlen)
{
	struct fb_message m;
	int rc;

	memset(r, 0, sizeof(*r));
	assert_int_equal(fb_message_parse(d, len, &m, err, errlen), 0);
	rc = fb_failure_read(&m, r, err, errlen);
	fb_message_cleanup(&m);
	return rc;
}

static int read_file(const char *path, struct fb_report *r, char *err, size_t errlen)
{
	size_t len;
	uint8_t *d = slurp(path, &len);
	int rc = read_bytes(d, len, r, err, errlen);

	free(d);
	return rc;
}

static int read_text(const char *text, struct fb_report *r, char *err, size_t errlen)
{
	return read_bytes((const uint8_t *)text, strlen(text), r, err, errlen);
}

/* "code code ..." of the report's findings, in order. */
static const char *codes(const struct fb_report *r)
{
	static char buf[512];

	buf[0] = '\0';
	for (size_t i = 0; i < r->findings.n; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? " " : "",
		         r->findings.v[i].code);
	}
	return buf;
}

static void test_linkedin(void **state)
{
	struct fb_report r;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(
	        read_file(FIX "failure/dmarc_ruf_report_linkedin.eml", &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, FB_FAILURE);
	assert_string_equal(r.fail->feedback_type, "auth-failure");
	assert_string_equal(r.fail->auth_failure, "dmarc");
	assert_string_equal(r.fail->source_ip, "10.10.10.10");
	assert_string_equal(r.fail->reported_domain, "example.com");
	assert_string_equal(r.fail->original_mail_from, "");
	assert_string_equal(r.fail->original_rcpt_to, "recipient@linkedin.com");
	assert_string_equal(r.fail->reporting_mta, "");
	assert_string_equal(r.fail->delivery_result, "delivered");
	assert_string_equal(r.fail->header_from, "example.com");
	assert_string_equal(r.fail->subject, "Subject line, could be UTF8 encoded");
	assert_int_equal(r.fail->arrival, 1556590140); /* Tue, 30 Apr 2019 02:09:00 +0000 */
	assert_memory_equal(r.fail->original_headers,
	                    "Return-Path: <>\nAuthentication-Results:", 39);
	assert_string_equal(r.fail->original_headers + r.fail->original_headers_len - 21,
	                    "X-Linkedin-fe: false\n");
	assert_string_equal(r.org, "linkedin.com");
	assert_string_equal(r.report_id, "BB.91.26019.C3EA7CC5@mail516.prod.linkedin.com");
	assert_string_equal(r.domain, "example.com");
	assert_int_equal(r.begin, 1556590140);
	assert_int_equal(r.end, 1556590140);
	assert_int_equal(r.rows, 1);
	assert_int_equal(r.messages, 1);
	assert_string_equal(codes(&r), "");
	cleanup(&r);
}

/* The CRLF copy gives the same report; its headers differ only by CRs. */
static void test_linkedin_crlf(void **state)
{
	struct fb_report a, b;
	char err[FB_ERROR] = "";
	size_t k = 0;

	(void)state;
	assert_int_equal(
	        read_file(FIX "failure/dmarc_ruf_report_linkedin.eml", &a, err, sizeof(err)), 0);
	assert_int_equal(
	        read_file(FIX "failure/dmarc_ruf_report_linkedin.crlf.eml", &b, err, sizeof(err)),
	        0);
	assert_string_equal(a.org, b.org);
	assert_string_equal(a.report_id, b.report_id);
	assert_string_equal(a.domain, b.domain);
	assert_int_equal(a.begin, b.begin);
	assert_int_equal(a.messages, b.messages);
	assert_string_equal(codes(&b), "");
	/* Every field but the headers, compared as one block. */
	assert_memory_equal(a.fail, b.fail, offsetof(struct fb_failure, original_headers));
	for (size_t i = 0; i < b.fail->original_headers_len; i++)
		if (b.fail->original_headers[i] != '\r')
			assert_int_equal(b.fail->original_headers[i],
			                 a.fail->original_headers[k++]);
	assert_int_equal(k, a.fail->original_headers_len);
	cleanup(&a);
	cleanup(&b);
}

static void test_domain_de(void **state)
{
	struct fb_report r;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(read_file(FIX "failure/DMARC Failure Report for domain.de "
	                               "(mail-from=sharepoint@domain.de, ip=10.10.10.10).eml",
	                           &r, err, sizeof(err)),
	                 0);
	assert_string_equal(r.fail->feedback_type, "auth-failure");
	assert_string_equal(r.fail->auth_failure, "dmarc");
	assert_string_equal(r.fail->source_ip, "10.10.10.10");
	assert_string_equal(r.fail->reported_domain, "domain.de");
	assert_string_equal(r.fail->original_mail_from, "sharepoint@domain.de");
	assert_string_equal(r.fail->original_rcpt_to, "peter.pan@domain.de");
	assert_string_equal(r.fail->delivery_result, "smg-policy-action");
	/* from: "=?utf-8?B?...?=" <sharepoint@domain.de> (lower-case name) */
	assert_string_equal(r.fail->header_from, "domain.de");
	assert_string_equal(r.fail->subject, "Subject");
	assert_int_equal(r.fail->arrival, 1538385627); /* Mon, 01 Oct 2018 11:20:27 +0200 */
	assert_string_equal(r.org, "domain.de");
	assert_string_equal(r.report_id, "OF587285BA.CB01D107-ONC1258319.00334FCF@LocalDomain");
	assert_string_equal(r.domain, "domain.de");
	assert_string_equal(codes(&r), "");
	cleanup(&r);
}

/* Netease: the ARF part is base64; it has no Auth-Failure field. */
static void test_netease(void **state)
{
	struct fb_report r;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(read_file(FIX "failure/[Netease DMARC Failure Report] Rent Reminder.eml",
	                           &r, err, sizeof(err)),
	                 0);
	assert_string_equal(r.fail->feedback_type, "auth-failure");
	assert_string_equal(r.fail->auth_failure, "");
	assert_string_equal(r.fail->source_ip, "167.89.69.24");
	assert_string_equal(r.fail->reported_domain, "cardinal.com");
	assert_string_equal(r.fail->original_mail_from,
	                    "bounces+1137616-c1ad-xsj399=163.com@email.entrata.com");
	assert_string_equal(r.fail->original_rcpt_to, "");
	assert_string_equal(r.fail->delivery_result, "delivered");
	assert_string_equal(r.fail->dkim_domain, "entrata.com");
	assert_string_equal(r.fail->header_from, "cardinal.com");
	assert_string_equal(r.fail->subject, "Rent Reminder");
	assert_int_equal(r.fail->arrival, 1538124522); /* Fri, 28 Sep 2018 16:48:42 +0800 */
	assert_string_equal(r.org, "163.com");
	assert_string_equal(r.report_id, "5BADEAEC.AC2A83.17156@m12-184.163.com");
	assert_string_equal(r.domain, "cardinal.com");
	assert_string_equal(codes(&r), "report.failure_missing_field");
	assert_non_null(strstr(r.findings.v[0].message, "Auth-Failure"));
	assert_int_equal(r.findings.v[0].severity, FINDING_WARNING);
	cleanup(&r);
}

/* Exim: no ARF part; the text names the domain and the IP, then copies
 * the headers. */
static void test_exim(void **state)
{
	struct fb_report r;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(
	        read_file(FIX "failure/exim_plain_text_only_no_arf_part.eml", &r, err, sizeof(err)),
	        0);
	assert_string_equal(r.fail->feedback_type, "auth-failure");
	assert_string_equal(r.fail->auth_failure, "dmarc");
	assert_string_equal(r.fail->source_ip, "203.0.113.68");
	assert_string_equal(r.fail->reported_domain, "example.com");
	assert_string_equal(r.fail->header_from, "example.com");
	assert_string_equal(r.fail->subject, "Payment from your account.");
	assert_int_equal(r.fail->arrival, 1744060569); /* Mon, 07 Apr 2025 23:16:09 +0200 */
	assert_memory_equal(r.fail->original_headers,
	                    "Received: from [203.0.113.68] (helo=smtpclient.apple)\n", 54);
	assert_string_equal(r.fail->original_headers + r.fail->original_headers_len - 31,
	                    "smtp.mailfrom=user@example.com\n");
	assert_string_equal(r.org, "node01.mailgate.example.net");
	assert_string_equal(r.report_id, "E1u1tpB-00AA5u-ED@node04.mailgate.example.net");
	assert_string_equal(r.domain, "example.com");
	assert_int_equal(r.begin, 1744060569);
	assert_string_equal(codes(&r), "report.failure_no_arf_part");
	cleanup(&r);
}

static void test_not_failure(void **state)
{
	struct fb_report r;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(read_file(FIX
	                           "aggregate/Report domain- borschow.com Submitter- google.com "
	                           "Report-ID- 949348866075514174.eml",
	                           &r, err, sizeof(err)),
	                 -1);
	assert_string_equal(err, "not a failure report: no message/feedback-report part");
	assert_null(r.fail);
	assert_int_equal(r.findings.n, 0);
	assert_int_equal(
	        read_file(FIX "smtp_tls/google.com_smtp_tls_report.eml", &r, err, sizeof(err)), -1);
	/* Text that names only the domain is not Exim's report. */
	assert_int_equal(
	        read_text("From: a@b\n\n  Sender Domain: example.com\n", &r, err, sizeof(err)), -1);
}

/* ---- hand-made reports ---- */

#define ARF_BODY                                                                                   \
	"Feedback-Type: auth-failure\r\n"                                                          \
	"Version: 1\r\n"                                                                           \
	"Auth-Failure: DKIM\r\n"                                                                   \
	"Reporting-MTA: dns; MX.Example.NET\r\n"                                                   \
	"Source-IP: [2001:DB8:0:0::1]\r\n"                                                         \
	"Reported-Domain: Example.ORG.\r\n"                                                        \
	"DKIM-Domain: example.org\r\n"                                                             \
	"DKIM-Selector: Sel1\r\n"                                                                  \
	"Incidents: 5\r\n"                                                                         \
	"Arrival-Date: Mon, 7 Apr 2025 23:16:09 EST\r\n"
#define ORIG_HEADERS                                                                               \
	"From: \"Shop <sales@spoof.example>\" <news@Example.ORG>\r\n"                              \
	"Subject: =?utf-8?q?Sale?=\r\n"

/* No Message-ID: the id is the SHA-256 of the ARF part and the headers. */
static void test_sha_id_and_fields(void **state)
{
	static const char text[] =
	        "From: reporter@mx.example.net\r\n"
	        "Content-Type: multipart/report; report-type=feedback-report;\r\n"
	        " boundary=zz\r\n\r\n"
	        "--zz\r\n\r\nhuman text\r\n"
	        "--zz\r\nContent-Type: message/feedback-report\r\n\r\n" ARF_BODY
	        "\r\n--zz\r\nContent-Type: text/rfc822-headers\r\n\r\n" ORIG_HEADERS
	        "\r\n--zz--\r\n";
	struct fb_report r;
	char err[FB_ERROR] = "", want[65];
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	(void)state;
	assert_int_equal(read_text(text, &r, err, sizeof(err)), 0);
	assert_string_equal(r.fail->auth_failure, "dkim");
	assert_string_equal(r.fail->reporting_mta, "mx.example.net");
	assert_string_equal(r.fail->source_ip, "2001:db8::1");
	assert_string_equal(r.fail->reported_domain, "example.org");
	assert_string_equal(r.fail->dkim_domain, "example.org");
	assert_string_equal(r.fail->dkim_selector, "Sel1");
	assert_string_equal(r.fail->header_from, "example.org");
	assert_string_equal(r.fail->subject, "=?utf-8?q?Sale?=");
	assert_int_equal(r.fail->arrival, 1744085769); /* 23:16:09 EST = 04:16:09Z next day */
	assert_string_equal(r.fail->original_headers, ORIG_HEADERS);
	assert_string_equal(r.org, "mx.example.net");
	assert_int_equal(r.messages, 5);
	assert_string_equal(codes(&r), "");
	/* The ARF part is ARF_BODY without the CRLF before the delimiter. */
	assert_non_null(c);
	assert_int_equal(EVP_DigestInit_ex(c, EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_DigestUpdate(c, ARF_BODY, strlen(ARF_BODY)), 1);
	assert_int_equal(EVP_DigestUpdate(c, ORIG_HEADERS, strlen(ORIG_HEADERS)), 1);
	assert_int_equal(EVP_DigestFinal_ex(c, md, &mdlen), 1);
	EVP_MD_CTX_free(c);
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(want + (size_t)2 * i, 3, "%02x", md[i]);
	assert_string_equal(r.report_id, want);
	cleanup(&r);
}

/* Missing and broken fields are findings; the report is kept. */
static void test_missing_fields(void **state)
{
	static const char text[] = "From: r@reporter.example\n"
	                           "Date: Tue, 30 Apr 2019 02:09:00 +0000\n"
	                           "Message-ID: <id1@reporter.example>\n"
	                           "Content-Type: multipart/report; boundary=b\n\n"
	                           "--b\nContent-Type: message/feedback-report\n\n"
	                           "Source-IP: not-an-ip\nArrival-Date: yesterday\n"
	                           "--b\nContent-Type: message/rfc822\n\n"
	                           "From: x@Victim.Example\nSubject: hi\n\nbody\n--b--\n";
	struct fb_report r;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(read_text(text, &r, err, sizeof(err)), 0);
	assert_string_equal(codes(&r), "report.failure_missing_field report.failure_missing_field "
	                               "report.failure_missing_field report.failure_missing_field "
	                               "report.failure_missing_field");
	assert_string_equal(r.findings.v[0].message,
	                    "the failure report's Arrival-Date is not an RFC 5322 date");
	assert_string_equal(r.findings.v[1].message,
	                    "the failure report's Feedback-Type is missing");
	assert_string_equal(r.findings.v[2].message,
	                    "the failure report's Auth-Failure is missing");
	assert_string_equal(r.findings.v[3].message,
	                    "the failure report's Source-IP is not an IP address");
	assert_string_equal(r.findings.v[4].message,
	                    "the failure report's Reported-Domain is missing");
	assert_string_equal(r.fail->source_ip, "");
	/* The domain falls back on the original From, the date on the
	 * report's Date. */
	assert_string_equal(r.domain, "victim.example");
	assert_string_equal(r.fail->original_headers, "From: x@Victim.Example\nSubject: hi\n");
	assert_int_equal(r.fail->arrival, 0);
	assert_int_equal(r.begin, 1556590140);
	assert_string_equal(r.report_id, "id1@reporter.example");
	assert_string_equal(r.org, "reporter.example");
	cleanup(&r);
}

/* A report that names no domain at all cannot be stored. */
static void test_no_domain(void **state)
{
	static const char text[] = "From: r@reporter.example\n"
	                           "Content-Type: multipart/report; boundary=b\n\n"
	                           "--b\nContent-Type: message/feedback-report\n\n"
	                           "Feedback-Type: auth-failure\nSource-IP: 192.0.2.1\n--b--\n";
	struct fb_report r;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(read_text(text, &r, err, sizeof(err)), -1);
	assert_string_equal(err,
	                    "failure report names no domain: no Reported-Domain, no original From");
	assert_null(r.fail);
	assert_int_equal(r.findings.n, 0);
}

/* Original headers past FB_HEADERS_MAX are cut at a line's end. */
static void test_headers_truncated(void **state)
{
	size_t size = (size_t)FB_HEADERS_MAX * 2 + 1024, n = 0;
	char *text = malloc(size);
	struct fb_report r;
	char err[FB_ERROR] = "";

	(void)state;
	n += (size_t)snprintf(
	        text, size,
	        "From: r@reporter.example\nContent-Type: multipart/report; boundary=b\n\n"
	        "--b\nContent-Type: message/feedback-report\n\n"
	        "Feedback-Type: auth-failure\nAuth-Failure: spf\nSource-IP: 192.0.2.1\n"
	        "Reported-Domain: example.com\n"
	        "--b\nContent-Type: message/rfc822\n\nFrom: a@example.com\n");
	for (int i = 0; n + 128 < size - 64 && i < 3000; i++)
		n += (size_t)snprintf(text + n, size - n, "X-Filler-%04d: %060d\n", i, i);
	snprintf(text + n, size - n, "\nbody\n--b--\n");
	assert_int_equal(read_text(text, &r, err, sizeof(err)), 0);
	free(text);
	assert_string_equal(codes(&r), "report.headers_truncated");
	assert_int_equal(r.findings.v[0].severity, FINDING_INFO);
	assert_true(r.fail->original_headers_len <= FB_HEADERS_MAX);
	assert_true(r.fail->original_headers_len > FB_HEADERS_MAX - 100);
	assert_int_equal(r.fail->original_headers[r.fail->original_headers_len - 1], '\n');
	assert_int_equal(strlen(r.fail->original_headers), r.fail->original_headers_len);
	assert_string_equal(r.fail->header_from, "example.com");
	cleanup(&r);
}

/* A broken base64 ARF part is read as far as it goes, and said. */
static void test_bad_encoding(void **state)
{
	/* "Feedback-Type: auth-failure\nReported-Domain: example.com\n" with
	 * a '*' inside and the last group cut. */
	static const char text[] =
	        "From: r@reporter.example\nContent-Type: multipart/report; boundary=b\n\n"
	        "--b\nContent-Type: message/feedback-report\nContent-Transfer-Encoding: base64\n\n"
	        "RmVlZGJhY2stVHlwZTog*YXV0aC1mYWlsdXJlClJlcG9ydGVkLURvbWFpbjogZXhhbXBsZS5jb20K\n"
	        "QQ\n--b--\n";
	struct fb_report r;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(read_text(text, &r, err, sizeof(err)), 0);
	assert_string_equal(r.fail->feedback_type, "auth-failure");
	assert_string_equal(r.domain, "example.com");
	assert_string_equal(codes(&r), "report.failure_missing_field report.failure_missing_field "
	                               "report.bad_transfer_encoding report.failure_missing_field");
	cleanup(&r);
}

/* Obsolete date forms (RFC 5322 4.3) and odd zones. */
static void test_dates(void **state)
{
	static const struct {
		const char *date;
		int64_t want;
	} cases[] = {
		{ "1 Jan 99 00:00 GMT", 915148800 },
		{ "Thu, 29 Feb 2024 12:00:59 -0130", 1709213459 },
		{ "Tue, 30 Apr 2019 02:09:00 +0000 (UTC)", 1556590140 },
		{ "Tue,30 April 2019 02:09:00 Z", 1556590140 },
	};
	char text[512];
	struct fb_report r;
	char err[FB_ERROR] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
		         "From: r@reporter.example\nContent-Type: multipart/report; boundary=b\n\n"
		         "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: "
		         "auth-failure\n"
		         "Auth-Failure: spf\nSource-IP: 192.0.2.1\nReported-Domain: example.com\n"
		         "Arrival-Date: %s\n--b\nContent-Type: text/rfc822-headers\n\nFrom: "
		         "a@b\n--b--\n",
		         cases[i].date);
		assert_int_equal(read_text(text, &r, err, sizeof(err)), 0);
		if (r.fail->arrival != cases[i].want)
			fail_msg("%s: got %lld", cases[i].date, (long long)r.fail->arrival);
		assert_string_equal(codes(&r), "");
		cleanup(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linkedin),
		cmocka_unit_test(test_linkedin_crlf),
		cmocka_unit_test(test_domain_de),
		cmocka_unit_test(test_netease),
		cmocka_unit_test(test_exim),
		cmocka_unit_test(test_not_failure),
		cmocka_unit_test(test_sha_id_and_fields),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_no_domain),
		cmocka_unit_test(test_headers_truncated),
		cmocka_unit_test(test_bad_encoding),
		cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
