/*
 * Unit tests for fetch_policy.c: URLs in, verdict, normalised URL, host
 * and port out; connect-to entries in, fields or an error out; redirect
 * targets, connect targets and CURLOPT_RESOLVE entries. Every URL row was
 * also checked against libcurl 7.88's own reading (the policy must read a
 * URL as curl does, since curl is handed the normalised URL).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch_policy.h"

struct url_row {
	const char *url;
	enum fetch_status status;
	const char *norm; /* FETCH_OK: the normalised URL, host and port */
	const char *host;
	long port;
	const char *reason_has; /* otherwise: text the reason holds */
};

static const struct url_row url_rows[] = {
	/* The plain case. */
	{ "https://bimi.test/logo.svg", FETCH_OK, "https://bimi.test/logo.svg", "bimi.test", 443,
	  NULL },
	/* http:// is refused as not https, in any case. */
	{ "http://bimi.test/logo.svg", FETCH_NOT_HTTPS, NULL, NULL, 0,
	  "scheme http: only https is fetched" },
	{ "HTTP://bimi.test/", FETCH_NOT_HTTPS, NULL, NULL, 0, "scheme http:" },
	/* Other schemes too, once they parse as URLs. */
	{ "ftp://bimi.test/x", FETCH_NOT_HTTPS, NULL, NULL, 0, "scheme ftp:" },
	{ "file:///etc/passwd", FETCH_NOT_HTTPS, NULL, NULL, 0, "scheme file:" },
	/* A file: URL naming a host other than localhost is no URL to curl. */
	{ "file://evil/x", FETCH_BAD_URL, NULL, NULL, 0, "not a URL (Bad file:// URL)" },
	/* No slashes after the scheme: not a URL (data:, mailto:). */
	{ "http:bimi.test", FETCH_BAD_URL, NULL, NULL, 0,
	  "not a URL (Unsupported number of slashes following scheme)" },
	{ "data:image/svg+xml,abc", FETCH_BAD_URL, NULL, NULL, 0, "not a URL" },
	/* One to three slashes are read; four are not. */
	{ "https:/bimi.test/", FETCH_OK, "https://bimi.test/", "bimi.test", 443, NULL },
	{ "https:////bimi.test/", FETCH_BAD_URL, NULL, NULL, 0, "slashes" },
	/* No scheme at all. */
	{ "//bimi.test/", FETCH_BAD_URL, NULL, NULL, 0, "not a URL (Bad scheme)" },
	{ "bimi.test/logo.svg", FETCH_BAD_URL, NULL, NULL, 0, "not a URL" },
	/* Credentials, in every form, are refused. */
	{ "https://user:pw@bimi.test/", FETCH_BAD_URL, NULL, NULL, 0, "credentials" },
	{ "https://user@bimi.test/", FETCH_BAD_URL, NULL, NULL, 0, "credentials" },
	{ "https://:pw@bimi.test/", FETCH_BAD_URL, NULL, NULL, 0, "credentials" },
	{ "https://@bimi.test/", FETCH_BAD_URL, NULL, NULL, 0, "credentials" },
	/* ... even after the port, where the host really starts. */
	{ "https://bimi.test:443@evil.test/", FETCH_BAD_URL, NULL, NULL, 0, "credentials" },
	/* Upper-case scheme and host are lowered; the path keeps its case. */
	{ "HTTPS://BIMI.TEST/Logo.SVG", FETCH_OK, "https://bimi.test/Logo.SVG", "bimi.test", 443,
	  NULL },
	/* One final dot dropped, with the case. */
	{ "hTtPs://Bimi.Test./x", FETCH_OK, "https://bimi.test/x", "bimi.test", 443, NULL },
	/* A percent-encoded name is decoded (curl connects to the decoded one). */
	{ "https://b%69mi.test/", FETCH_OK, "https://bimi.test/", "bimi.test", 443, NULL },
	/* A '%' that stays in the name is written %25 in the URL. */
	{ "https://a%25b.test/", FETCH_OK, "https://a%25b.test/", "a%b.test", 443, NULL },
	/* Decoded control bytes and blanks are no host name. */
	{ "https://bi%0ami.test/", FETCH_BAD_URL, NULL, NULL, 0, "not a URL (Bad hostname)" },
	{ "https://bi%20mi.test/", FETCH_BAD_URL, NULL, NULL, 0, "Bad hostname" },
	/* Decoded UTF-8 is no DNS name (IDNs come as A-labels). */
	{ "https://%c3%a9.test/", FETCH_BAD_URL, NULL, NULL, 0, "is not a valid DNS name" },
	/* Characters curl refuses in a host. */
	{ "https://a!b.test/", FETCH_BAD_URL, NULL, NULL, 0, "Bad hostname" },
	{ "https://a.test\\x/", FETCH_BAD_URL, NULL, NULL, 0, "Bad hostname" },
	/* An empty label, a label over 63 bytes. */
	{ "https://a..b.test/", FETCH_BAD_URL, NULL, NULL, 0, "not a valid DNS name" },
	{ "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test/",
	  FETCH_BAD_URL, NULL, NULL, 0, "not a valid DNS name" },
	/* IPv4 literals, and the forms curl reads as IPv4 (written out). */
	{ "https://192.0.2.1/l.svg", FETCH_OK, "https://192.0.2.1/l.svg", "192.0.2.1", 443, NULL },
	{ "https://0x7f.1/", FETCH_OK, "https://127.0.0.1/", "127.0.0.1", 443, NULL },
	{ "https://2130706433/", FETCH_OK, "https://127.0.0.1/", "127.0.0.1", 443, NULL },
	{ "https://1.2/", FETCH_OK, "https://1.0.0.2/", "1.0.0.2", 443, NULL },
	/* With a final dot, the same address (not the name "1.2", which curl
	 * would read as 1.0.0.2 once handed the normalised URL). */
	{ "https://1.2./", FETCH_OK, "https://1.0.0.2/", "1.0.0.2", 443, NULL },
	/* Too big for IPv4: a (numeric) name. */
	{ "https://4294967296/", FETCH_OK, "https://4294967296/", "4294967296", 443, NULL },
	/* IPv6 literals: kept in brackets, shortened only where it is shorter. */
	{ "https://[2001:db8::1]:444/", FETCH_OK, "https://[2001:db8::1]:444/", "[2001:db8::1]",
	  444, NULL },
	{ "https://[2001:db8:0:0:0:0:0:1]/x", FETCH_OK, "https://[2001:db8::1]/x", "[2001:db8::1]",
	  443, NULL },
	{ "https://[2001:DB8::1]/", FETCH_OK, "https://[2001:DB8::1]/", "[2001:DB8::1]", 443,
	  NULL },
	{ "https://[::ffff:192.0.2.1]/", FETCH_OK, "https://[::ffff:192.0.2.1]/",
	  "[::ffff:192.0.2.1]", 443, NULL },
	{ "https://[::]/", FETCH_OK, "https://[::]/", "[::]", 443, NULL },
	/* Broken IPv6 literals. */
	{ "https://[::1/", FETCH_BAD_URL, NULL, NULL, 0, "not a URL (Bad IPv6 address)" },
	{ "https://[]/", FETCH_BAD_URL, NULL, NULL, 0, "Bad IPv6 address" },
	{ "https://[zz::1]/", FETCH_BAD_URL, NULL, NULL, 0, "Bad IPv6 address" },
	{ "https://[::1]x/", FETCH_BAD_URL, NULL, NULL, 0, "Port number was not a decimal" },
	/* Zone identifiers, encoded or not, are refused. */
	{ "https://[fe80::1%25eth0]/", FETCH_BAD_URL, NULL, NULL, 0, "zone identifiers" },
	{ "https://[fe80::1%eth0]/", FETCH_BAD_URL, NULL, NULL, 0, "zone identifiers" },
	/* Ports: 0 is out of range; 65535 is the last; 65536 and words are
	 * not port numbers; leading zeros go; "host:" is the default port. */
	{ "https://bimi.test:0/", FETCH_BAD_URL, NULL, NULL, 0, "port 0 out of range" },
	{ "https://[::1]:0/", FETCH_BAD_URL, NULL, NULL, 0, "port 0 out of range" },
	{ "https://bimi.test:65535/", FETCH_OK, "https://bimi.test:65535/", "bimi.test", 65535,
	  NULL },
	{ "https://bimi.test:65536/", FETCH_BAD_URL, NULL, NULL, 0,
	  "not a URL (Port number was not a decimal number between 0 and 65535)" },
	{ "https://bimi.test:99999999999999999999/", FETCH_BAD_URL, NULL, NULL, 0, "Port number" },
	{ "https://bimi.test:http/", FETCH_BAD_URL, NULL, NULL, 0, "Port number" },
	{ "https://bimi.test:-1/", FETCH_BAD_URL, NULL, NULL, 0, "Port number" },
	{ "https://bimi.test:1:2/", FETCH_BAD_URL, NULL, NULL, 0, "Port number" },
	{ "https://bimi.test:00443/", FETCH_OK, "https://bimi.test:443/", "bimi.test", 443, NULL },
	{ "https://bimi.test:/", FETCH_OK, "https://bimi.test/", "bimi.test", 443, NULL },
	{ "https://[::1]:/", FETCH_OK, "https://[::1]/", "[::1]", 443, NULL },
	/* Empty hosts, however they come. */
	{ "https://", FETCH_BAD_URL, NULL, NULL, 0, "not a URL (No host part in the URL)" },
	{ "https:///", FETCH_BAD_URL, NULL, NULL, 0, "No host part" },
	{ "https://:443/", FETCH_BAD_URL, NULL, NULL, 0, "No host part" },
	{ "https://?x", FETCH_BAD_URL, NULL, NULL, 0, "No host part" },
	{ "https://#x", FETCH_BAD_URL, NULL, NULL, 0, "No host part" },
	{ "https://@/", FETCH_BAD_URL, NULL, NULL, 0, "No host part" },
	{ "https://./", FETCH_BAD_URL, NULL, NULL, 0, "host . is not a valid DNS name" },
	/* Two final dots: an empty label, however short the rest (found by
	 * fuzz_fetch_policy: "a.." was taken as the host "a.", and its URL read
	 * back as the host "a"). */
	{ "https://bimi.test../", FETCH_BAD_URL, NULL, NULL, 0,
	  "host bimi.test.. is not a valid DNS name" },
	{ "https://-../[2/A/001|/b4::1]:444/", FETCH_BAD_URL, NULL, NULL, 0,
	  "host -.. is not a valid DNS name" },
	{ "https://bimi.test.../", FETCH_BAD_URL, NULL, NULL, 0, "not a valid DNS name" },
	{ "", FETCH_BAD_URL, NULL, NULL, 0, "empty URL" },
	/* Fragments are kept; an empty one and an empty query are dropped. */
	{ "https://bimi.test/#frag", FETCH_OK, "https://bimi.test/#frag", "bimi.test", 443, NULL },
	{ "https://bimi.test#f", FETCH_OK, "https://bimi.test/#f", "bimi.test", 443, NULL },
	{ "https://bimi.test/#", FETCH_OK, "https://bimi.test/", "bimi.test", 443, NULL },
	{ "https://bimi.test/?", FETCH_OK, "https://bimi.test/", "bimi.test", 443, NULL },
	/* A '?' inside the fragment is no query. */
	{ "https://bimi.test/a?b#c?d", FETCH_OK, "https://bimi.test/a?b#c?d", "bimi.test", 443,
	  NULL },
	/* Dot segments go (RFC 3986 5.2.4), encoded ones stay. */
	{ "https://a.test/a/b/../c/./d", FETCH_OK, "https://a.test/a/c/d", "a.test", 443, NULL },
	{ "https://a.test/../../x", FETCH_OK, "https://a.test/x", "a.test", 443, NULL },
	{ "https://a.test/a/..", FETCH_OK, "https://a.test/", "a.test", 443, NULL },
	{ "https://a.test/a/.", FETCH_OK, "https://a.test/a/", "a.test", 443, NULL },
	{ "https://a.test/.../x", FETCH_OK, "https://a.test/.../x", "a.test", 443, NULL },
	{ "https://a.test/%2e%2e/x", FETCH_OK, "https://a.test/%2e%2e/x", "a.test", 443, NULL },
	/* Percent-encoding in the path is kept as published. */
	{ "https://bimi.test/a%20b.svg", FETCH_OK, "https://bimi.test/a%20b.svg", "bimi.test", 443,
	  NULL },
	/* Control characters, blanks, DEL and 8-bit bytes, wherever they are. */
	{ "https://bimi.test/a b", FETCH_BAD_URL, NULL, NULL, 0, "byte 0x20 at offset 19" },
	{ "https://bimi.test/\t", FETCH_BAD_URL, NULL, NULL, 0, "byte 0x09" },
	{ "https://bimi.test/\r\nX-Evil: 1", FETCH_BAD_URL, NULL, NULL, 0, "byte 0x0d" },
	{ "https://bi\x01mi.test/", FETCH_BAD_URL, NULL, NULL, 0, "byte 0x01 at offset 10" },
	{ "\x1b[2Jhttps://bimi.test/", FETCH_BAD_URL, NULL, NULL, 0, "byte 0x1b at offset 0" },
	{ "https://bimi.test/\x7f", FETCH_BAD_URL, NULL, NULL, 0, "byte 0x7f" },
	{ "https://bimi.test/\xc3\xa9", FETCH_BAD_URL, NULL, NULL, 0, "byte 0xc3" },
	{ "https://bimi.test/\xff", FETCH_BAD_URL, NULL, NULL, 0, "byte 0xff" },
	/* From the fetcher's own tests before the policy had a file. */
	{ "HTTPS://BIMI.Test.:8443/a/B.svg?x=1", FETCH_OK, "https://bimi.test:8443/a/B.svg?x=1",
	  "bimi.test", 8443, NULL },
	{ "https://bimi.test", FETCH_OK, "https://bimi.test/", "bimi.test", 443, NULL },
	/* Percent-encoding is kept as published. */
	{ "ftp://bimi.test/logo.svg", FETCH_NOT_HTTPS, NULL, NULL, 0, "only https" },
	{ "https://bimi.test:99999/", FETCH_BAD_URL, NULL, NULL, 0, NULL },
};

static void test_url_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(url_rows) / sizeof(url_rows[0]); i++) {
		const struct url_row *row = &url_rows[i];
		char norm[FETCH_URL_MAX + 1], host[FETCH_HOST_MAX], reason[FETCH_REASON_MAX];
		long port = -1;
		enum fetch_status st = fetch_url_check(row->url, norm, sizeof(norm), host,
		                                       sizeof(host), &port, reason, sizeof(reason));
		if (st != row->status)
			fail_msg("%s: %s, expected %s (%s)", row->url, fetch_status_name(st),
			         fetch_status_name(row->status), reason);
		if (st == FETCH_OK) {
			assert_string_equal(norm, row->norm);
			assert_string_equal(host, row->host);
			assert_int_equal(port, row->port);
			assert_string_equal(reason, "");
		} else {
			assert_string_equal(norm, "");
			assert_string_equal(host, "");
			assert_int_equal(port, 0);
			assert_true(reason[0] != '\0');
			if (row->reason_has != NULL && strstr(reason, row->reason_has) == NULL)
				fail_msg("%s: reason '%s' lacks '%s'", row->url, reason,
				         row->reason_has);
		}
	}
}

/* Runs fetch_url_check on a URL made of a prefix and n times c. */
static enum fetch_status check_long(const char *prefix, char c, size_t n, char *norm, char *reason)
{
	char url[3 * FETCH_URL_MAX], host[FETCH_HOST_MAX];
	size_t k = strlen(prefix);
	long port;

	assert_true(k + n < sizeof(url));
	memcpy(url, prefix, k);
	memset(url + k, c, n);
	url[k + n] = '\0';
	return fetch_url_check(url, norm, FETCH_URL_MAX + 1, host, sizeof(host), &port, reason,
	                       FETCH_REASON_MAX);
}

static void test_url_long(void **state)
{
	char norm[FETCH_URL_MAX + 1], reason[FETCH_REASON_MAX];
	(void)state;
	/* Exactly FETCH_URL_MAX bytes is read, one more is not. */
	assert_int_equal(check_long("https://bimi.test/", 'a', FETCH_URL_MAX - 18, norm, reason),
	                 FETCH_OK);
	assert_int_equal(strlen(norm), FETCH_URL_MAX);
	assert_int_equal(check_long("https://bimi.test/", 'a', FETCH_URL_MAX - 17, norm, reason),
	                 FETCH_BAD_URL);
	assert_non_null(strstr(reason, "URL longer than 2048 bytes"));
	/* Far longer: refused the same way, without reading it all. */
	assert_int_equal(
	        check_long("https://bimi.test/", 'a', (size_t)2 * FETCH_URL_MAX, norm, reason),
	        FETCH_BAD_URL);
	assert_non_null(strstr(reason, "URL longer than 2048 bytes"));
	/* 2048 bytes that grow when normalised ("1" is 0.0.0.1). */
	assert_int_equal(check_long("https://1/", 'a', FETCH_URL_MAX - 10, norm, reason),
	                 FETCH_BAD_URL);
	assert_non_null(strstr(reason, "once normalised"));
	/* A host of 256 bytes (labels of 63) is over FETCH_HOST_MAX. */
	assert_int_equal(check_long("https://", 'a', 256, norm, reason), FETCH_BAD_URL);
	assert_non_null(strstr(reason, "host longer than 255 bytes"));
	/* 2048 bytes, most of them "/." segments, which all go. */
	char url[FETCH_URL_MAX + 1], host[FETCH_HOST_MAX];
	long port;
	snprintf(url, sizeof(url), "https://bimi.test/xy");
	for (size_t n = strlen(url); n < FETCH_URL_MAX; n += 2)
		memcpy(url + n, "/.", 3);
	assert_int_equal(strlen(url), FETCH_URL_MAX);
	assert_int_equal(fetch_url_check(url, norm, sizeof(norm), host, sizeof(host), &port, reason,
	                                 sizeof(reason)),
	                 FETCH_OK);
	assert_string_equal(norm, "https://bimi.test/xy/");
	/* NULL is an empty URL. */
	assert_int_equal(fetch_url_check(NULL, norm, sizeof(norm), host, sizeof(host), &port,
	                                 reason, sizeof(reason)),
	                 FETCH_BAD_URL);
	assert_string_equal(reason, "empty URL");
}

static void test_redirect(void **state)
{
	static const struct {
		const char *location;
		int redirects;
		enum fetch_status status;
		const char *text; /* the normalised target, or text of the reason */
	} rows[] = {
		/* A good target, normalised. */
		{ "https://DEMO.test./logo.svg", 0, FETCH_OK, "https://demo.test/logo.svg" },
		/* No Location on a 3xx. */
		{ NULL, 0, FETCH_HTTP_STATUS, "HTTP status 302 without a Location" },
		{ "", 0, FETCH_HTTP_STATUS, "HTTP status 302 without a Location" },
		/* The fourth redirect with a limit of 3, named in the reason. */
		{ "https://bimi.test/4", 3, FETCH_REDIRECT_LIMIT,
		  "more than 3 redirects (the next to https://bimi.test/4)" },
		/* A downgrade is its own status. */
		{ "http://bimi.test/", 0, FETCH_REDIRECT_INSECURE,
		  "redirect to http://bimi.test/: scheme http: only https is fetched" },
		/* Credentials and garbage are bad URLs. */
		{ "https://u:p@bimi.test/", 1, FETCH_BAD_URL,
		  "redirect to https://u:p@bimi.test/" },
		{ "https://bimi.test/\x1b[2J", 1, FETCH_BAD_URL,
		  "redirect to https://bimi.test/\\027[2J: byte 0x1b" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char norm[FETCH_URL_MAX + 1], host[FETCH_HOST_MAX], reason[FETCH_REASON_MAX];
		long port = -1;
		enum fetch_status st = fetch_redirect_check(
		        rows[i].location, 302, rows[i].redirects, 3, norm, sizeof(norm), host,
		        sizeof(host), &port, reason, sizeof(reason));
		if (st != rows[i].status)
			fail_msg("row %zu: %s (%s)", i, fetch_status_name(st), reason);
		if (st == FETCH_OK) {
			assert_string_equal(norm, rows[i].text);
			assert_string_equal(reason, "");
			assert_int_equal(port, 443);
		} else {
			assert_string_equal(norm, "");
			assert_int_equal(port, 0);
			if (strstr(reason, rows[i].text) == NULL)
				fail_msg("row %zu: '%s' lacks '%s'", i, reason, rows[i].text);
		}
	}
	assert_true(fetch_is_redirect(301));
	assert_true(fetch_is_redirect(308));
	assert_false(fetch_is_redirect(300));
	assert_false(fetch_is_redirect(304));
	assert_false(fetch_is_redirect(200));
}

struct ct_row {
	const char *spec;
	int rc;
	const char *host;
	long port;
	const char *to_host;
	long to_port;
};

static const struct ct_row ct_rows[] = {
	/* host:port:host:port, as curl's --connect-to. */
	{ "bimi.test:443:127.0.0.1:8443", 0, "bimi.test", 443, "127.0.0.1", 8443 },
	/* ::host:port: every host and port to one place. */
	{ "::127.0.0.1:8443", 0, "", 0, "127.0.0.1", 8443 },
	/* Host names are lower-cased, on both sides. */
	{ "BIMI.Test:443:LOOPBACK.Test:8443", 0, "bimi.test", 443, "loopback.test", 8443 },
	/* An empty target host keeps the host, an empty target port the port. */
	{ "bimi.test:443::8443", 0, "bimi.test", 443, "", 8443 },
	{ "bimi.test::127.0.0.1:", 0, "bimi.test", 0, "127.0.0.1", 0 },
	{ ":::", 0, "", 0, "", 0 },
	/* IPv6 in brackets, either side; the brackets go, the case too. */
	{ "::[::1]:8443", 0, "", 0, "::1", 8443 },
	{ "[2001:DB8::1]:443:[::1]:", 0, "2001:db8::1", 443, "::1", 0 },
	{ "[::1]:443:[2001:db8::2]:8443", 0, "::1", 443, "2001:db8::2", 8443 },
	/* Ports: 1 and 65535 are the ends. */
	{ "a.test:1:b.test:65535", 0, "a.test", 1, "b.test", 65535 },
	/* Malformed: three parts, five parts, nothing at all. */
	{ "bimi.test:443:127.0.0.1", -1, NULL, 0, NULL, 0 },
	{ "bimi.test:443:127.0.0.1:8443:1", -1, NULL, 0, NULL, 0 },
	{ "", -1, NULL, 0, NULL, 0 },
	{ "nonsense", -1, NULL, 0, NULL, 0 },
	/* Ports out of range or not numbers. */
	{ "bimi.test:0:127.0.0.1:1", -1, NULL, 0, NULL, 0 },
	{ "bimi.test:443:127.0.0.1:0", -1, NULL, 0, NULL, 0 },
	{ "bimi.test:65536:127.0.0.1:1", -1, NULL, 0, NULL, 0 },
	{ "bimi.test:1234567:127.0.0.1:1", -1, NULL, 0, NULL, 0 },
	{ "bimi.test:x:127.0.0.1:1", -1, NULL, 0, NULL, 0 },
	{ "bimi.test:-1:127.0.0.1:1", -1, NULL, 0, NULL, 0 },
	/* An IPv6 literal without brackets is read as parts at its colons. */
	{ "::::1:8443", -1, NULL, 0, NULL, 0 },
	/* Brackets left open, or followed by anything but ':'. */
	{ "[::1:443:a:1", -1, NULL, 0, NULL, 0 },
	{ "[::1]x:443:a:1", -1, NULL, 0, NULL, 0 },
	{ "::[::1]", -1, NULL, 0, NULL, 0 },
	/* Blanks, control characters and 8-bit bytes in a host. */
	{ "bi mi:443:a:1", -1, NULL, 0, NULL, 0 },
	{ "bimi.test:443:a\tb:1", -1, NULL, 0, NULL, 0 },
	{ "bimi.test:443:\x7f:1", -1, NULL, 0, NULL, 0 },
	{ "b\xc3\xa9:443:a:1", -1, NULL, 0, NULL, 0 },
	/* From the fetcher's own tests before the policy had a file. */
	{ "BIMI.test:443::8443", 0, "bimi.test", 443, "", 8443 },
	{ "[::1]:443:[2001:db8::2]:", 0, "::1", 443, "2001:db8::2", 0 },
	{ "bimi.test:99999:127.0.0.1:1", -1, NULL, 0, NULL, 0 },
};

static void test_connect_to(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ct_rows) / sizeof(ct_rows[0]); i++) {
		const struct ct_row *row = &ct_rows[i];
		struct fetch_connect_to c;
		char err[256] = "";
		int rc = fetch_connect_to_parse(row->spec, &c, err, sizeof(err));
		if (rc != row->rc)
			fail_msg("%s: rc %d", row->spec, rc);
		if (rc != 0) {
			assert_non_null(strstr(err, "expected HOST:PORT:ADDRESS:PORT"));
			assert_string_equal(c.host, "");
			assert_string_equal(c.to_host, "");
			assert_int_equal(c.port, 0);
			assert_int_equal(c.to_port, 0);
			continue;
		}
		assert_string_equal(c.host, row->host);
		assert_int_equal(c.port, row->port);
		assert_string_equal(c.to_host, row->to_host);
		assert_int_equal(c.to_port, row->to_port);
	}
}

static void test_connect_to_limits(void **state)
{
	char spec[2 * FETCH_HOST_MAX + 64], err[256];
	struct fetch_connect_to c;
	(void)state;
	/* NULL is refused with a reason, not a crash. */
	assert_int_equal(fetch_connect_to_parse(NULL, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "(null)"));
	/* A host of 255 bytes fits, 256 do not. */
	memset(spec, 'a', 255);
	snprintf(spec + 255, sizeof(spec) - 255, ":443::1");
	assert_int_equal(fetch_connect_to_parse(spec, &c, err, sizeof(err)), 0);
	assert_int_equal(strlen(c.host), 255);
	memset(spec, 'a', 256);
	snprintf(spec + 256, sizeof(spec) - 256, ":443::1");
	assert_int_equal(fetch_connect_to_parse(spec, &c, err, sizeof(err)), -1);
	/* The reason quotes at most 80 bytes of the entry. */
	assert_true(strlen(err) < 80 + 64);
}

static void test_connect_target(void **state)
{
	struct fetch_connect_to ct[4];
	char err[128], to[FETCH_HOST_MAX];
	long port;
	(void)state;
	assert_int_equal(
	        fetch_connect_to_parse("bimi.test:8443:127.0.0.2:1", &ct[0], err, sizeof(err)), 0);
	assert_int_equal(fetch_connect_to_parse("BIMI.test:443::", &ct[1], err, sizeof(err)), 0);
	assert_int_equal(fetch_connect_to_parse("[::1]::[::2]:", &ct[2], err, sizeof(err)), 0);
	assert_int_equal(fetch_connect_to_parse("::127.0.0.1:9443", &ct[3], err, sizeof(err)), 0);
	/* No entries: the host itself, brackets off. */
	fetch_connect_target(ct, 0, "[2001:db8::1]", 443, to, sizeof(to), &port);
	assert_string_equal(to, "2001:db8::1");
	assert_int_equal(port, 443);
	/* The port must match: the first entry is for 8443 only. */
	fetch_connect_target(ct, 4, "bimi.test", 8443, to, sizeof(to), &port);
	assert_string_equal(to, "127.0.0.2");
	assert_int_equal(port, 1);
	/* Matches, but changes nothing: the next entry that does wins. */
	fetch_connect_target(ct, 4, "bimi.test", 443, to, sizeof(to), &port);
	assert_string_equal(to, "127.0.0.1");
	assert_int_equal(port, 9443);
	/* An IPv6 literal host matches its bracketed entry. */
	fetch_connect_target(ct, 4, "[::1]", 443, to, sizeof(to), &port);
	assert_string_equal(to, "::2");
	assert_int_equal(port, 443);
	/* Anything else falls to the catch-all. */
	fetch_connect_target(ct, 4, "demo.test", 443, to, sizeof(to), &port);
	assert_string_equal(to, "127.0.0.1");
	assert_int_equal(port, 9443);
}

static void test_resolve_entry(void **state)
{
	char addrs[FETCH_MAX_ADDRS + 2][FETCH_ADDR_MAX];
	char entry[FETCH_RESOLVE_ENTRY_MAX];
	(void)state;
	memset(addrs, 0, sizeof(addrs));
	snprintf(addrs[0], sizeof(addrs[0]), "192.0.2.1");
	snprintf(addrs[1], sizeof(addrs[1]), "not an address");
	snprintf(addrs[2], sizeof(addrs[2]), "2001:db8::1");
	assert_int_equal(fetch_resolve_entry("bimi.test", 443, addrs, 3, entry, sizeof(entry)), 2);
	assert_string_equal(entry, "bimi.test:443:192.0.2.1,[2001:db8::1]");
	/* None usable. */
	assert_int_equal(fetch_resolve_entry("bimi.test", 443, addrs + 1, 1, entry, sizeof(entry)),
	                 0);
	/* At most FETCH_MAX_ADDRS are read. */
	for (int i = 0; i < FETCH_MAX_ADDRS + 2; i++)
		snprintf(addrs[i], sizeof(addrs[i]), "192.0.2.%d", i + 1);
	assert_int_equal(
	        fetch_resolve_entry("a.test", 1, addrs, FETCH_MAX_ADDRS + 2, entry, sizeof(entry)),
	        FETCH_MAX_ADDRS);
	/* An address without its NUL is cut, not read past. */
	memset(addrs[0], '1', FETCH_ADDR_MAX);
	assert_int_equal(fetch_resolve_entry("a.test", 1, addrs, 1, entry, sizeof(entry)), 0);
	/* A small buffer: what does not fit is left out. */
	assert_int_equal(fetch_resolve_entry("a.test", 1, addrs + 1, 2, entry, 20), 1);
	assert_string_equal(entry, "a.test:1:192.0.2.2");
	assert_int_equal(fetch_addr_kind("192.0.2.1"), FETCH_ADDR_IPV4);
	assert_int_equal(fetch_addr_kind("::1"), FETCH_ADDR_IPV6);
	assert_int_equal(fetch_addr_kind("[::1]"), FETCH_ADDR_NAME);
	assert_int_equal(fetch_addr_kind("1.2"), FETCH_ADDR_NAME);
}

static void test_show_and_encoding(void **state)
{
	char buf[FETCH_SHOW_URL + 8], long_url[FETCH_SHOW_URL + 20];
	(void)state;
	/* Escaped: a terminal sees no escape sequence. */
	assert_string_equal(fetch_show("a\x1b\"b", buf, sizeof(buf)), "a\\027\\034b");
	/* Cut with "..." so that a reason keeps room for the rest. */
	memset(long_url, 'x', sizeof(long_url) - 1);
	long_url[sizeof(long_url) - 1] = '\0';
	fetch_show(long_url, buf, sizeof(buf));
	assert_int_equal(strlen(buf), FETCH_SHOW_URL);
	assert_string_equal(buf + FETCH_SHOW_URL - 3, "...");
	/* Encodings a body may come with. */
	assert_true(fetch_encoding_ok("", false));
	assert_true(fetch_encoding_ok(" Identity\r\n", false));
	assert_false(fetch_encoding_ok("gzip", false));
	assert_false(fetch_encoding_ok("chunked", false));
	assert_true(fetch_encoding_ok("identity, chunked", true));
	assert_false(fetch_encoding_ok("gzip, chunked", true));
	assert_string_equal(fetch_status_name(FETCH_REDIRECT_INSECURE), "redirect_insecure");
	assert_string_equal(fetch_status_name((enum fetch_status) - 1), "unknown");
}

static void test_url_length(void **state)
{
	char url[FETCH_URL_MAX + 2], norm[FETCH_URL_MAX + 1], host[FETCH_HOST_MAX];
	char reason[FETCH_REASON_MAX];
	long port;
	(void)state;
	/* Exactly FETCH_URL_MAX bytes is accepted, one more is not. */
	memset(url, 'a', sizeof(url));
	memcpy(url, "https://bimi.test/", 18);
	url[FETCH_URL_MAX] = '\0';
	assert_int_equal(fetch_url_check(url, norm, sizeof(norm), host, sizeof(host), &port, reason,
	                                 sizeof(reason)),
	                 FETCH_OK);
	url[FETCH_URL_MAX] = 'a';
	url[FETCH_URL_MAX + 1] = '\0';
	assert_int_equal(fetch_url_check(url, norm, sizeof(norm), host, sizeof(host), &port, reason,
	                                 sizeof(reason)),
	                 FETCH_BAD_URL);
	assert_non_null(strstr(reason, "longer than 2048"));
	assert_int_equal(fetch_url_check(NULL, norm, sizeof(norm), host, sizeof(host), &port,
	                                 reason, sizeof(reason)),
	                 FETCH_BAD_URL);
}

static void test_encoding(void **state)
{
	static const struct {
		const char *value;
		bool transfer;
		bool ok;
	} rows[] = {
		{ "", false, true },
		{ " identity\r\n", false, true },
		{ "IDENTITY", false, true },
		{ "gzip", false, false },
		{ " br\r\n", false, false },
		{ "identity, gzip", false, false },
		{ "chunked", false, false }, /* not a content coding */
		{ "chunked", true, true },
		{ " Chunked\r\n", true, true },
		{ "gzip, chunked", true, false },
		{ "identity,chunked", true, true },
		{ ",,", true, true },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (fetch_encoding_ok(rows[i].value, rows[i].transfer) != rows[i].ok)
			fail_msg("'%s' (transfer %d): expected %d", rows[i].value, rows[i].transfer,
			         rows[i].ok);
}

static void test_status_names(void **state)
{
	(void)state;
	/* Stable: stored and compared across runs. */
	assert_string_equal(fetch_status_name(FETCH_OK), "ok");
	assert_string_equal(fetch_status_name(FETCH_BAD_URL), "bad_url");
	assert_string_equal(fetch_status_name(FETCH_NOT_HTTPS), "not_https");
	assert_string_equal(fetch_status_name(FETCH_RESOLVE), "resolve");
	assert_string_equal(fetch_status_name(FETCH_CONNECT), "connect");
	assert_string_equal(fetch_status_name(FETCH_TLS), "tls");
	assert_string_equal(fetch_status_name(FETCH_TIMEOUT), "timeout");
	assert_string_equal(fetch_status_name(FETCH_HTTP_STATUS), "http_status");
	assert_string_equal(fetch_status_name(FETCH_TOO_LARGE), "too_large");
	assert_string_equal(fetch_status_name(FETCH_REDIRECT_LIMIT), "redirect_limit");
	assert_string_equal(fetch_status_name(FETCH_REDIRECT_INSECURE), "redirect_insecure");
	assert_string_equal(fetch_status_name(FETCH_ENCODED), "encoded");
	assert_string_equal(fetch_status_name(FETCH_ERROR), "error");
	assert_string_equal(fetch_status_name(FETCH_DESTINATION), "destination");
	assert_string_equal(fetch_status_name((enum fetch_status)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_rows),          cmocka_unit_test(test_url_long),
		cmocka_unit_test(test_redirect),          cmocka_unit_test(test_connect_to),
		cmocka_unit_test(test_connect_to_limits), cmocka_unit_test(test_connect_target),
		cmocka_unit_test(test_resolve_entry),     cmocka_unit_test(test_show_and_encoding),
		cmocka_unit_test(test_url_length),        cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
