/*
 * Unit tests for fb_mime.c against fb_mime.h.
 *
 * The fixtures of tests/fixtures/dmarc-reports/ (the parts each holds
 * were read from the files by hand, and the decoded attachments checked
 * with unzip/zcat), then hand-made messages: header folding, CRLF and
 * LF, Content-Type parameters (quoted, unquoted, RFC 2231), base64 and
 * quoted-printable (clean and broken), multipart edge cases (preamble,
 * epilogue, a boundary that never closes, digests), mbox splitting, and
 * hostile input: 300 nested multiparts, a 1 MiB header line, more parts
 * than FB_MIME_PARTS, NUL bytes. Tests run from the top of the tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fb_mime.h"
#include "fb_unpack.h"

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

static void parse_file(const char *path, struct fb_message *m)
{
	size_t len;
	uint8_t *d = slurp(path, &len);
	char err[FB_ERROR] = "";

	assert_int_equal(fb_message_parse(d, len, m, err, sizeof(err)), 0);
	free(d);
}

static void parse_text(const char *text, struct fb_message *m)
{
	char err[FB_ERROR] = "";

	assert_int_equal(fb_message_parse((const uint8_t *)text, strlen(text), m, err, sizeof(err)),
	                 0);
}

/* ---- the fixtures ---- */

static void test_looks_like(void **state)
{
	static const char *yes[] = {
		FIX "failure/dmarc_ruf_report_linkedin.eml",
		FIX "failure/exim_plain_text_only_no_arf_part.eml",
		FIX "failure/[Netease DMARC Failure Report] Rent Reminder.eml",
		FIX "smtp_tls/google.com_smtp_tls_report.eml",
	};
	static const char *no[] = {
		FIX "extract_report/nice-input.xml",
		FIX "extract_report/nice-input.xml.gz",
		FIX "extract_report/nice-input.xml.zip",
		FIX "smtp_tls/rfc8460.json",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		size_t len;
		uint8_t *d = slurp(yes[i], &len);
		if (!fb_looks_like_message(d, len))
			fail_msg("%s should look like a message", yes[i]);
		free(d);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		size_t len;
		uint8_t *d = slurp(no[i], &len);
		if (fb_looks_like_message(d, len))
			fail_msg("%s should not look like a message", no[i]);
		free(d);
	}
	assert_true(fb_looks_like_message((const uint8_t *)"Subject : x\n", 12));
	assert_false(fb_looks_like_message((const uint8_t *)"{\"a\":1}", 7));
	assert_false(fb_looks_like_message((const uint8_t *)"", 0));
	assert_false(fb_looks_like_message((const uint8_t *)"Subject", 7));
}

/* The aggregate report in a mail: multipart/mixed of a text/plain and an
 * application/zip (base64) named google.com!borschow.com!...zip, whose
 * one entry is the .xml of 1064 bytes (unzip -l). */
static void test_aggregate_eml(void **state)
{
	struct fb_message m;
	struct fb_zip_entry *e;
	size_t n;
	char err[FB_ERROR] = "";

	(void)state;
	parse_file(FIX "aggregate/Report domain- borschow.com Submitter- google.com Report-ID- "
	               "949348866075514174.eml",
	           &m);
	assert_int_equal(m.nparts, 2);
	assert_int_equal(m.truncated, 0);
	assert_string_equal(m.parts[0].content_type, "text/plain");
	assert_string_equal(m.parts[0].encoding, "7bit");
	assert_string_equal(m.parts[1].content_type, "application/zip");
	assert_string_equal(m.parts[1].filename,
	                    "google.com!borschow.com!1549929600!1550015999.zip");
	assert_string_equal(m.parts[1].encoding, "base64");
	assert_int_equal(m.parts[1].bad_encoding, 0);
	assert_int_equal(m.parts[1].len, 661);
	assert_true(fb_is_zip(m.parts[1].body, m.parts[1].len));
	assert_int_equal(fb_unzip(m.parts[1].body, m.parts[1].len, FB_MEMBER_MAX, FB_TOTAL_MAX, &e,
	                          &n, err, sizeof(err)),
	                 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].name, "google.com!borschow.com!1549929600!1550015999.xml");
	assert_int_equal(e[0].len, 1064);
	fb_zip_free(e, n);
	assert_string_equal(fb_message_header(&m, "content-type"),
	                    "multipart/mixed;\tboundary=\"B_3632898004_720446853\"");
	fb_message_cleanup(&m);
}

/* The TLS report in a mail: a quoted-printable text/plain and an
 * application/tlsrpt+gzip whose JSON is 402 bytes (zcat | wc -c). */
static void test_tls_eml(void **state)
{
	static const char text[] = "        External Email \xe2\x80\x93 Please use caution before "
	                           "opening attachments or clicking links\n\n\nThis is an "
	                           "aggregate TLS report from google.com\n";
	struct fb_message m;
	uint8_t *json;
	size_t jlen;
	char err[FB_ERROR] = "";

	(void)state;
	parse_file(FIX "smtp_tls/google.com_smtp_tls_report.eml", &m);
	assert_int_equal(m.nparts, 2);
	assert_string_equal(m.parts[0].encoding, "quoted-printable");
	assert_int_equal(m.parts[0].bad_encoding, 0);
	assert_int_equal(m.parts[0].len, strlen(text));
	assert_memory_equal(m.parts[0].body, text, strlen(text));
	assert_string_equal(m.parts[1].content_type, "application/tlsrpt+gzip");
	assert_string_equal(m.parts[1].filename,
	                    "google.com!cardinalhealth.ca!1725321600!1725407999!001.json.gz");
	assert_int_equal(m.parts[1].len, 252);
	assert_int_equal(fb_gunzip(m.parts[1].body, m.parts[1].len, FB_MEMBER_MAX, &json, &jlen,
	                           err, sizeof(err)),
	                 0);
	assert_int_equal(jlen, 402);
	assert_memory_equal(json, "{\"organization-name\":\"Google Inc.\"", 34);
	free(json);
	assert_string_equal(fb_message_header(&m, "TLS-Report-Domain"), "cardinalhealth.ca");
	fb_message_cleanup(&m);
}

/* Netease: the feedback part is base64 (its fields have CRLF ends) and
 * the message/rfc822 part is a leaf. */
static void test_netease(void **state)
{
	struct fb_message m;
	struct fb_header *h;
	size_t n;

	(void)state;
	parse_file(FIX "failure/[Netease DMARC Failure Report] Rent Reminder.eml", &m);
	assert_int_equal(m.nparts, 3);
	assert_string_equal(m.parts[0].content_type, "text/plain");
	assert_string_equal(m.parts[1].content_type, "message/feedback-report");
	assert_string_equal(m.parts[1].filename, "ATT00001");
	assert_int_equal(m.parts[1].bad_encoding, 0);
	assert_memory_equal(m.parts[1].body, "Feedback-Type: auth-failure\r\nUser-Agent:", 40);
	assert_string_equal(m.parts[2].content_type, "message/rfc822");
	assert_memory_equal(m.parts[2].body, "Received: by filter1356p1mdw1.sendgrid.net", 42);
	assert_int_equal(fb_headers_parse(m.parts[1].body, m.parts[1].len, &h, &n), 0);
	assert_int_equal(n, 12);
	assert_string_equal(fb_header_get(h, n, "source-ip"), "167.89.69.24");
	assert_string_equal(fb_header_get(h, n, "Identity-Alignment"), "spf,dkim");
	fb_headers_free(h, n);
	assert_string_equal(fb_message_header(&m, "Subject"),
	                    "[Netease DMARC Failure Report] Rent Reminder");
	/* Folded with a tab: the tab stays, the line break goes. */
	assert_string_equal(fb_message_header(&m, "X-Coremail-Antispam"),
	                    "1Uf129KBjDUn29KB7ZKAUJUUUUU529EdanIXcx71UUUUU7v73"
	                    "\tVFW2AGmfu7bjvjm3AaLaJ3UbIYCTnIWIevJa73UjIFyTuYvj4RJUUUUUUUU");
	fb_message_cleanup(&m);
}

/* The LF and CRLF copies of the LinkedIn report: the same parts, and the
 * same bytes once CRs are dropped. The mbox "From " line is skipped. */
static void test_linkedin_crlf(void **state)
{
	struct fb_message a, b;

	(void)state;
	parse_file(FIX "failure/dmarc_ruf_report_linkedin.eml", &a);
	parse_file(FIX "failure/dmarc_ruf_report_linkedin.crlf.eml", &b);
	assert_int_equal(a.nheaders, 10);
	assert_int_equal(b.nheaders, a.nheaders);
	for (size_t i = 0; i < a.nheaders; i++) {
		assert_string_equal(a.headers[i].name, b.headers[i].name);
		assert_string_equal(a.headers[i].value, b.headers[i].value);
	}
	assert_string_equal(a.headers[0].name, "Received");
	assert_int_equal(a.nparts, 3);
	assert_int_equal(b.nparts, 3);
	for (size_t i = 0; i < a.nparts; i++) {
		size_t k = 0;
		assert_string_equal(a.parts[i].content_type, b.parts[i].content_type);
		for (size_t j = 0; j < b.parts[i].len; j++)
			if (b.parts[i].body[j] != '\r')
				assert_int_equal(b.parts[i].body[j], a.parts[i].body[k++]);
		assert_int_equal(k, a.parts[i].len);
	}
	assert_string_equal(a.parts[1].content_type, "message/feedback-report");
	assert_string_equal(a.parts[2].content_type, "message/rfc822");
	/* The rfc822 leaf ends with its own multipart's close delimiter. */
	assert_int_equal(a.parts[2].body[a.parts[2].len - 1], '-');
	fb_message_cleanup(&a);
	fb_message_cleanup(&b);
}

/* ---- header fields ---- */

static void test_headers(void **state)
{
	static const char text[] = "Subject: one\r\n"
	                           " two\r\n"
	                           "\tthree\r\n"
	                           "X-Obsolete  :  spaced  \n"
	                           "X-Empty:\n"
	                           "X-Eight: caf\xc3\xa9 \xff\n"
	                           "subject: second\n"
	                           "\n"
	                           "Not-A-Header: body\n";
	static const char cut[] = "A: 1\nno colon here\nB: 2\n";
	struct fb_header *h;
	size_t n;

	(void)state;
	assert_int_equal(fb_headers_parse((const uint8_t *)text, strlen(text), &h, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(h[0].name, "Subject");
	assert_string_equal(h[0].value, "one two\tthree");
	assert_string_equal(h[1].name, "X-Obsolete");
	assert_string_equal(h[1].value, "spaced");
	assert_string_equal(h[2].value, "");
	assert_string_equal(h[3].value, "caf\xc3\xa9 \xff");
	assert_string_equal(fb_header_get(h, n, "SUBJECT"), "one two\tthree");
	assert_null(fb_header_get(h, n, "Not-A-Header"));
	fb_headers_free(h, n);
	/* A line that is no field ends the section (and starts the body). */
	assert_int_equal(fb_headers_parse((const uint8_t *)cut, strlen(cut), &h, &n), 0);
	assert_int_equal(n, 1);
	fb_headers_free(h, n);
	assert_int_equal(fb_headers_parse((const uint8_t *)"", 0, &h, &n), 0);
	assert_int_equal(n, 0);
	fb_headers_free(h, n);
}

static void test_not_a_message(void **state)
{
	struct fb_message m;
	char err[FB_ERROR] = "";
	size_t len;
	uint8_t *xml = slurp(FIX "extract_report/nice-input.xml", &len);

	(void)state;
	assert_int_equal(fb_message_parse(xml, len, &m, err, sizeof(err)), -1);
	assert_string_equal(err, "not a mail message: no header fields");
	assert_int_equal(m.nparts, 0);
	assert_null(m.headers);
	free(xml);
	assert_int_equal(fb_message_parse((const uint8_t *)"", 0, &m, err, sizeof(err)), -1);
}

/* A single-part message is one leaf: its body, decoded. */
static void test_single_part(void **state)
{
	struct fb_message m;

	(void)state;
	parse_text("From: a@b\nContent-Type: Application/GZIP; name=r.xml.gz\n"
	           "Content-Transfer-Encoding: BASE64\n\nH4sI\n",
	           &m);
	assert_int_equal(m.nparts, 1);
	assert_string_equal(m.parts[0].content_type, "application/gzip");
	assert_string_equal(m.parts[0].filename, "r.xml.gz");
	assert_string_equal(m.parts[0].encoding, "base64");
	assert_int_equal(m.parts[0].len, 3);
	assert_memory_equal(m.parts[0].body, "\x1f\x8b\x08", 3);
	fb_message_cleanup(&m);
	/* No Content-Type: text/plain (RFC 2045 5.2), so is a broken one. */
	parse_text("From: a@b\n\nhello\n", &m);
	assert_string_equal(m.parts[0].content_type, "text/plain");
	assert_string_equal((char *)m.parts[0].body, "hello\n");
	fb_message_cleanup(&m);
	parse_text("From: a@b\nContent-Type: garbage\n\nhello", &m);
	assert_string_equal(m.parts[0].content_type, "text/plain");
	fb_message_cleanup(&m);
}

/* ---- parameters ---- */

static void test_params(void **state)
{
	struct fb_message m;

	(void)state;
	parse_text("Content-Type: multipart/mixed; BOUNDARY=xyz (a comment)\n\n"
	           "--xyz\nContent-Type: application/zip; NAME=\"q \\\"x\\\".zip\"\n\nA\n"
	           "--xyz\nContent-Type: application/zip; name=ignored.zip\n"
	           "Content-Disposition: attachment; filename*=UTF-8''%e2%82%ac%20rates.zip\n\nB\n"
	           "--xyz\nContent-Disposition: attachment;\n filename*0=\"part\";\n"
	           " filename*1*=%41.zip\n\nC\n"
	           "--xyz\nContent-Disposition: attachment; filename=un quoted.zip ; size=3\n\nD\n"
	           "--xyz--\n",
	           &m);
	assert_int_equal(m.nparts, 4);
	assert_string_equal(m.parts[0].filename, "q \"x\".zip");
	assert_string_equal(m.parts[1].filename, "\xe2\x82\xac rates.zip");
	assert_string_equal(m.parts[2].filename, "partA.zip");
	assert_string_equal(m.parts[3].filename, "un quoted.zip");
	assert_string_equal((char *)m.parts[3].body, "D");
	fb_message_cleanup(&m);
}

/* ---- transfer encodings ---- */

static void test_base64(void **state)
{
	struct fb_message m;

	(void)state;
	/* White space anywhere, and a second encoding after the padding. */
	parse_text("Content-Transfer-Encoding: base64\n\n SGVs\r\nbG8=\n\tIQ==\n", &m);
	assert_int_equal(m.parts[0].len, 6);
	assert_string_equal((char *)m.parts[0].body, "Hello!");
	assert_int_equal(m.parts[0].bad_encoding, 0);
	fb_message_cleanup(&m);
	/* Bad characters are skipped, and said. */
	parse_text("Content-Transfer-Encoding: base64\n\nSGV*sbG8\n", &m);
	assert_string_equal((char *)m.parts[0].body, "Hello");
	assert_int_equal(m.parts[0].bad_encoding, 1);
	fb_message_cleanup(&m);
	/* Truncated: the last group decodes as far as it goes. */
	parse_text("Content-Transfer-Encoding: base64\n\nSGVsbG8gd29ybG", &m);
	assert_string_equal((char *)m.parts[0].body, "Hello worl");
	assert_int_equal(m.parts[0].bad_encoding, 1);
	fb_message_cleanup(&m);
	parse_text("Content-Transfer-Encoding: base64\n\nS", &m);
	assert_int_equal(m.parts[0].len, 0);
	assert_int_equal(m.parts[0].bad_encoding, 1);
	fb_message_cleanup(&m);
}

static void test_quoted_printable(void **state)
{
	struct fb_message m;

	(void)state;
	parse_text("Content-Transfer-Encoding: Quoted-Printable\n\n"
	           "caf=C3=a9 soft=\nbreak=  \r\ntrail   \nend",
	           &m);
	assert_string_equal((char *)m.parts[0].body, "caf\xc3\xa9 softbreaktrail\nend");
	assert_int_equal(m.parts[0].bad_encoding, 0);
	fb_message_cleanup(&m);
	parse_text("Content-Transfer-Encoding: quoted-printable\n\n1+1=2 =G0 =", &m);
	assert_string_equal((char *)m.parts[0].body, "1+1=2 =G0 ");
	assert_int_equal(m.parts[0].bad_encoding, 1);
	fb_message_cleanup(&m);
	/* An unknown encoding is kept as sent, and said to be bad. */
	parse_text("Content-Transfer-Encoding: x-uuencode\n\nbegin 644 a\n", &m);
	assert_string_equal(m.parts[0].encoding, "x-uuencode");
	assert_string_equal((char *)m.parts[0].body, "begin 644 a\n");
	assert_int_equal(m.parts[0].bad_encoding, 1);
	fb_message_cleanup(&m);
}

/* ---- multiparts ---- */

static void test_multipart_shape(void **state)
{
	struct fb_message m;

	(void)state;
	/* Preamble and epilogue ignored; a near-boundary line is content;
	 * padding after a delimiter is allowed; CRLF before a delimiter is
	 * the delimiter's. */
	parse_text(
	        "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	        "preamble\r\n--b \t\r\n\r\none\r\n--bx\r\n--b\r\n"
	        "Content-Type: text/csv\r\n\r\ntwo\r\n--b--  \r\nepilogue\r\n--b\r\n\r\nthree\r\n",
	        &m);
	assert_int_equal(m.nparts, 2);
	assert_string_equal((char *)m.parts[0].body, "one\r\n--bx");
	assert_string_equal(m.parts[1].content_type, "text/csv");
	assert_string_equal((char *)m.parts[1].body, "two");
	fb_message_cleanup(&m);
	/* A boundary that never closes: the last part runs to the end. */
	parse_text("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\nmore\n",
	           &m);
	assert_int_equal(m.nparts, 2);
	assert_string_equal((char *)m.parts[1].body, "two\nmore\n");
	fb_message_cleanup(&m);
	/* No delimiter at all: no parts. No boundary parameter: a leaf. */
	parse_text("Content-Type: multipart/mixed; boundary=b\n\nno parts here\n", &m);
	assert_int_equal(m.nparts, 0);
	fb_message_cleanup(&m);
	parse_text("Content-Type: multipart/mixed\n\n--b\n\nx\n", &m);
	assert_int_equal(m.nparts, 1);
	assert_string_equal(m.parts[0].content_type, "multipart/mixed");
	fb_message_cleanup(&m);
}

/* Nested multiparts; message/rfc822 and text/rfc822-headers are leaves;
 * a digest's parts are messages by default (RFC 2046 5.1.5). */
static void test_multipart_nested(void **state)
{
	struct fb_message m;

	(void)state;
	parse_text("Content-Type: multipart/mixed; boundary=outer\n\n"
	           "--outer\nContent-Type: multipart/alternative; boundary=inner\n\n"
	           "--inner\n\na\n--inner\nContent-Type: text/html\n\n<b>\n--inner--\n"
	           "--outer\nContent-Type: message/rfc822\n\n"
	           "Content-Type: multipart/mixed; boundary=x\n\n--x\n\nnot descended\n--x--\n"
	           "--outer\nContent-Type: multipart/digest; boundary=d\n\n--d\n\nFrom: q@r\n\nhi\n"
	           "--d--\n--outer--\n",
	           &m);
	assert_int_equal(m.nparts, 4);
	assert_string_equal((char *)m.parts[0].body, "a");
	assert_string_equal(m.parts[1].content_type, "text/html");
	assert_string_equal(m.parts[2].content_type, "message/rfc822");
	assert_non_null(strstr((char *)m.parts[2].body, "not descended"));
	assert_string_equal(m.parts[3].content_type, "message/rfc822");
	assert_string_equal((char *)m.parts[3].body, "From: q@r\n\nhi");
	assert_int_equal(m.truncated, 0);
	fb_message_cleanup(&m);
}

/* levels nested multiparts, each with a leaf "L<i>" before the next. */
static char *nested(int levels)
{
	size_t size = (size_t)levels * 128 + 64, n = 0;
	char *buf = malloc(size);

	assert_non_null(buf);
	for (int i = 0; i < levels; i++)
		n += (size_t)snprintf(
		        buf + n, size - n,
		        "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n\nL%d\n"
		        "--b%d\n",
		        i, i, i, i);
	n += (size_t)snprintf(buf + n, size - n, "\ndeep\n");
	for (int i = levels - 1; i >= 0; i--)
		n += (size_t)snprintf(buf + n, size - n, "--b%d--\n", i);
	return buf;
}

static void test_depth_cap(void **state)
{
	struct fb_message m;
	char *text;

	(void)state;
	/* FB_DEPTH_MAX levels are walked to the bottom. */
	text = nested(FB_DEPTH_MAX);
	parse_text(text, &m);
	free(text);
	assert_int_equal(m.truncated, 0);
	assert_int_equal(m.nparts, FB_DEPTH_MAX + 1);
	assert_string_equal((char *)m.parts[FB_DEPTH_MAX].body, "deep");
	fb_message_cleanup(&m);
	/* 300 levels: the first FB_DEPTH_MAX are walked, the rest skipped. */
	text = nested(300);
	parse_text(text, &m);
	free(text);
	assert_int_equal(m.truncated, 1);
	assert_int_equal(m.nparts, FB_DEPTH_MAX);
	assert_string_equal((char *)m.parts[0].body, "L0");
	assert_string_equal((char *)m.parts[FB_DEPTH_MAX - 1].body, "L3");
	fb_message_cleanup(&m);
}

static void test_parts_cap(void **state)
{
	size_t size = 400 * 16 + 64, n = 0;
	char *buf = malloc(size);
	struct fb_message m;

	(void)state;
	n += (size_t)snprintf(buf, size, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (int i = 0; i < 400; i++)
		n += (size_t)snprintf(buf + n, size - n, "--b\n\np%d\n", i);
	snprintf(buf + n, size - n, "--b--\n");
	parse_text(buf, &m);
	free(buf);
	assert_int_equal(m.nparts, FB_MIME_PARTS);
	assert_int_equal(m.truncated, 1);
	assert_string_equal((char *)m.parts[FB_MIME_PARTS - 1].body, "p255");
	fb_message_cleanup(&m);
}

/* A 1 MiB header line: its value is kept up to FB_HEADERS_MAX bytes,
 * the fields after it and the body are still found. */
static void test_long_header(void **state)
{
	size_t big = 1u << 20, len = big + 64;
	char *buf = malloc(len);
	struct fb_message m;
	char err[FB_ERROR] = "";
	int n;

	(void)state;
	n = snprintf(buf, len, "Subject: ");
	memset(buf + n, 'a', big);
	n += (int)big;
	n += snprintf(buf + n, len - (size_t)n, "\nX-After: yes\n\nbody");
	assert_int_equal(fb_message_parse((uint8_t *)buf, (size_t)n, &m, err, sizeof(err)), 0);
	assert_int_equal(strlen(fb_message_header(&m, "Subject")), FB_HEADERS_MAX);
	assert_string_equal(fb_message_header(&m, "X-After"), "yes");
	assert_string_equal((char *)m.parts[0].body, "body");
	fb_message_cleanup(&m);
	free(buf);
}

/* NUL bytes: dropped from header values, kept in bodies. */
static void test_nul_bytes(void **state)
{
	static const char text[] = "Subject: a\0b\nX\0Y: z\nContent-Type: text/plain\n\nbo\0dy";
	struct fb_message m;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(
	        fb_message_parse((const uint8_t *)text, sizeof(text) - 1, &m, err, sizeof(err)), 0);
	assert_string_equal(fb_message_header(&m, "Subject"), "ab");
	/* "X\0Y: z" is no field: the header section (and Content-Type) end
	 * there, and the rest is the body. */
	assert_int_equal(m.nheaders, 1);
	assert_int_equal(m.nparts, 1);
	assert_int_equal(m.parts[0].len, sizeof(text) - 1 - 13);
	assert_memory_equal(m.parts[0].body, text + 13, sizeof(text) - 1 - 13);
	fb_message_cleanup(&m);
	/* A body full of NULs and a multipart of them. */
	assert_int_equal(
	        fb_message_parse((const uint8_t *)"A: b\n\n\0\0\0", 9, &m, err, sizeof(err)), 0);
	assert_int_equal(m.parts[0].len, 3);
	fb_message_cleanup(&m);
}

/* ---- mbox ---- */

static void test_mbox(void **state)
{
	static const char box[] = "From a@b Mon Jan  1 00:00:00 2024\n"
	                          "Subject: 1\n\nbody 1\nnot From here\n"
	                          "From c@d Mon Jan  1 00:00:01 2024\n"
	                          "From e@f Mon Jan  1 00:00:02 2024\n"
	                          "Subject: 3\n\nbody 3\n";
	size_t *starts, *ends;
	long n;

	(void)state;
	n = fb_mbox_split((const uint8_t *)box, strlen(box), &starts, &ends);
	assert_int_equal(n, 2); /* the empty second message is skipped */
	assert_memory_equal(box + starts[0], "Subject: 1\n", 11);
	assert_int_equal(ends[0], strstr(box, "From c@d") - box);
	assert_memory_equal(box + starts[1], "Subject: 3\n", 11);
	assert_int_equal(ends[1], strlen(box));
	free(starts);
	free(ends);
	n = fb_mbox_split((const uint8_t *)"Subject: x\n\nFrom y\n", 19, &starts, &ends);
	assert_int_equal(n, 0);
	assert_null(starts);
	assert_null(ends);
	/* The LinkedIn fixture is an mbox of one message. */
	size_t len;
	uint8_t *d = slurp(FIX "failure/dmarc_ruf_report_linkedin.eml", &len);
	n = fb_mbox_split(d, len, &starts, &ends);
	assert_int_equal(n, 1);
	assert_memory_equal(d + starts[0], "Received: from mailf-cd.linkedin.com", 36);
	assert_int_equal(ends[0], len);
	free(starts);
	free(ends);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_looks_like),       cmocka_unit_test(test_aggregate_eml),
		cmocka_unit_test(test_tls_eml),          cmocka_unit_test(test_netease),
		cmocka_unit_test(test_linkedin_crlf),    cmocka_unit_test(test_headers),
		cmocka_unit_test(test_not_a_message),    cmocka_unit_test(test_single_part),
		cmocka_unit_test(test_params),           cmocka_unit_test(test_base64),
		cmocka_unit_test(test_quoted_printable), cmocka_unit_test(test_multipart_shape),
		cmocka_unit_test(test_multipart_nested), cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_parts_cap),        cmocka_unit_test(test_long_header),
		cmocka_unit_test(test_nul_bytes),        cmocka_unit_test(test_mbox),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
