/*
 * Unit tests for tlsrpt.c against transport.h: the SMTP TLS Reporting
 * record at _smtp._tls.DOMAIN (RFC 8460 3). The first records are RFC
 * 8460's own examples (3); every expected value is written by hand.
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

#include "transport.h"

static void parse2(struct tlsrpt_record *r, const char *a, const char *b)
{
	const char *txt[2] = { a, b };
	size_t len[2] = { a ? strlen(a) : 0, b ? strlen(b) : 0 };
	assert_int_equal(tlsrpt_record_parse(txt, len,
	                                     b   ? 2
	                                     : a ? 1
	                                         : 0,
	                                     "_smtp._tls.example.com", r),
	                 0);
}

/* The codes of r's findings, space-separated. */
static const char *codes(const struct tlsrpt_record *r)
{
	static char buf[1024];
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < r->findings.n && at < sizeof(buf); i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s", i ? " " : "",
		                       r->findings.v[i].code);
	return buf;
}

static void test_rfc_examples(void **state)
{
	(void)state;
	struct tlsrpt_record r;

	/* RFC 8460 3: "Report using MAILTO". */
	parse2(&r, "v=TLSRPTv1;rua=mailto:reports@example.com", NULL);
	assert_int_equal(r.status, TLSRPT_OK);
	assert_int_equal(r.records, 1);
	assert_int_equal(r.nrua, 1);
	assert_string_equal(r.rua[0].uri, "mailto:reports@example.com");
	assert_true(r.rua[0].mailto);
	assert_string_equal(r.rua[0].domain, "example.com");
	assert_string_equal(codes(&r), "");
	tlsrpt_record_cleanup(&r);

	/* RFC 8460 3: "Report using HTTPS". */
	parse2(&r, "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", NULL);
	assert_int_equal(r.status, TLSRPT_OK);
	assert_int_equal(r.nrua, 1);
	assert_string_equal(r.rua[0].uri, "https://reporting.example.com/v1/tlsrpt");
	assert_false(r.rua[0].mailto);
	assert_string_equal(r.rua[0].domain, "reporting.example.com");
	assert_string_equal(codes(&r), "");
	tlsrpt_record_cleanup(&r);

	parse2(&r, "v=TLSRPTv1; rua=mailto:tlsrpt@example.com", NULL);
	assert_int_equal(r.status, TLSRPT_OK);
	assert_string_equal(r.rua[0].domain, "example.com");
	tlsrpt_record_cleanup(&r);
}

static void test_several_uris(void **state)
{
	(void)state;
	struct tlsrpt_record r;

	/* tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri). */
	parse2(&r,
	       "v=TLSRPTv1; rua=mailto:tls@Example.COM , https://Reports.Example.net:8443/x?y=1",
	       NULL);
	assert_int_equal(r.status, TLSRPT_OK);
	assert_int_equal(r.nrua, 2);
	assert_string_equal(r.rua[0].uri, "mailto:tls@Example.COM");
	assert_true(r.rua[0].mailto);
	assert_string_equal(r.rua[0].domain, "example.com");
	assert_string_equal(r.rua[1].uri, "https://Reports.Example.net:8443/x?y=1");
	assert_false(r.rua[1].mailto);
	assert_string_equal(r.rua[1].domain, "reports.example.net");
	assert_string_equal(codes(&r), "");
	tlsrpt_record_cleanup(&r);

	/* A bad URI among good ones: an error, skipped, the record stands. */
	parse2(&r, "v=TLSRPTv1; rua=ftp://x,mailto:a@b.example", NULL);
	assert_int_equal(r.status, TLSRPT_OK);
	assert_int_equal(r.nrua, 1);
	assert_string_equal(r.rua[0].domain, "b.example");
	assert_string_equal(codes(&r), "tls_rpt.bad_uri");
	assert_int_equal(r.findings.v[0].severity, FINDING_ERROR);
	assert_string_equal(r.findings.v[0].path, "_smtp._tls.example.com");
	tlsrpt_record_cleanup(&r);

	/* A trailing ',': a warning, not an error. */
	parse2(&r, "v=TLSRPTv1; rua=mailto:a@example.com,", NULL);
	assert_int_equal(r.status, TLSRPT_OK);
	assert_int_equal(r.nrua, 1);
	assert_string_equal(codes(&r), "tls_rpt.bad_uri");
	assert_int_equal(r.findings.v[0].severity, FINDING_WARNING);
	tlsrpt_record_cleanup(&r);

	/* mailto: with header fields; https: with an IPv6 literal and a port. */
	parse2(&r, "v=TLSRPTv1; rua=mailto:a@example.com?subject=tls,https://[2001:db8::1]:443/r",
	       NULL);
	assert_int_equal(r.status, TLSRPT_OK);
	assert_int_equal(r.nrua, 2);
	assert_string_equal(r.rua[0].domain, "example.com");
	assert_string_equal(r.rua[1].domain, "[2001:db8::1]");
	tlsrpt_record_cleanup(&r);

	/* More than TLSRPT_RUA_MAX: the first 8 kept, one warning. */
	char txt[1024];
	size_t at = (size_t)snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=");
	for (int i = 0; i < 10; i++)
		at += (size_t)snprintf(txt + at, sizeof(txt) - at, "%smailto:r%d@example.com",
		                       i ? "," : "", i);
	parse2(&r, txt, NULL);
	assert_int_equal(r.status, TLSRPT_OK);
	assert_int_equal(r.nrua, TLSRPT_RUA_MAX);
	assert_string_equal(r.rua[7].uri, "mailto:r7@example.com");
	assert_string_equal(codes(&r), "tls_rpt.too_many_rua");
	tlsrpt_record_cleanup(&r);
}

static void test_bad_uris(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"ftp://x",
		"http://reports.example.com/",
		"mailto:example.com",
		"mailto:@example.com",
		"mailto:a@",
		"mailto:a@exa mple.com",
		"mailto:a@-x.example",
		"mailto:a@x..example",
		"https://",
		"https://user@reports.example.com/",
		"https://reports.example.com:/",
		"https://reports.example.com:123456/",
		"https://reports.example.com:8a/",
		"https://reports_x.example.com/",
		"https://reports.example.com/a!b",
		"mailto:r\xc3\xa9@example.com",
		"reports@example.com",
	};
	char txt[256];
	struct tlsrpt_record r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=%s", bad[i]);
		parse2(&r, txt, NULL);
		if (r.status != TLSRPT_INVALID || r.nrua != 0 ||
		    strcmp(codes(&r), "tls_rpt.bad_uri tls_rpt.no_rua") != 0)
			fail_msg("rua \"%s\": status %s, nrua %zu, codes \"%s\"", bad[i],
			         tlsrpt_status_name(r.status), r.nrua, codes(&r));
		tlsrpt_record_cleanup(&r);
	}

	/* A URI too long for uri[512]. */
	static char longtxt[700];
	int w = snprintf(longtxt, sizeof(longtxt), "v=TLSRPTv1; rua=https://r.example/");
	memset(longtxt + w, 'a', 600);
	longtxt[w + 600] = '\0';
	parse2(&r, longtxt, NULL);
	assert_int_equal(r.status, TLSRPT_INVALID);
	assert_string_equal(codes(&r), "tls_rpt.bad_uri tls_rpt.no_rua");
	tlsrpt_record_cleanup(&r);
}

static void test_invalid_and_none(void **state)
{
	(void)state;
	struct tlsrpt_record r;

	parse2(&r, "v=TLSRPTv1", NULL);
	assert_int_equal(r.status, TLSRPT_INVALID);
	assert_int_equal(r.records, 1);
	assert_string_equal(codes(&r), "tls_rpt.no_rua");
	tlsrpt_record_cleanup(&r);

	parse2(&r, "v=TLSRPTv1; ruf=mailto:a@example.com", NULL);
	assert_int_equal(r.status, TLSRPT_INVALID);
	assert_string_equal(codes(&r), "tls_rpt.no_rua");
	tlsrpt_record_cleanup(&r);

	/* %s"rua=": RUA= is an extension, not rua=. */
	parse2(&r, "v=TLSRPTv1; RUA=mailto:a@example.com", NULL);
	assert_int_equal(r.status, TLSRPT_INVALID);
	assert_string_equal(codes(&r), "tls_rpt.no_rua");
	tlsrpt_record_cleanup(&r);

	/* Two v=TLSRPTv1 records: "If the number of resulting records is not one". */
	parse2(&r, "v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com");
	assert_int_equal(r.status, TLSRPT_INVALID);
	assert_int_equal(r.records, 2);
	assert_int_equal(r.nrua, 0);
	assert_string_equal(codes(&r), "tls_rpt.multiple_records");
	tlsrpt_record_cleanup(&r);

	/* Fields outside the grammar. */
	parse2(&r, "v=TLSRPTv1; rua=mailto:a@example.com; junk", NULL);
	assert_int_equal(r.status, TLSRPT_INVALID);
	assert_int_equal(r.nrua, 0);
	assert_string_equal(codes(&r), "tls_rpt.bad_syntax");
	tlsrpt_record_cleanup(&r);

	parse2(&r, "v=TLSRPTv1 rua=mailto:a@example.com", NULL);
	assert_int_equal(r.status, TLSRPT_INVALID);
	assert_string_equal(codes(&r), "tls_rpt.bad_syntax tls_rpt.no_rua");
	tlsrpt_record_cleanup(&r);

	/* Extensions are ignored; a repeated rua= warned about, the first kept. */
	parse2(&r, "v=TLSRPTv1; ext-1.x=val; rua=mailto:a@example.com; rua=mailto:b@example.com;",
	       NULL);
	assert_int_equal(r.status, TLSRPT_OK);
	assert_int_equal(r.nrua, 1);
	assert_string_equal(r.rua[0].uri, "mailto:a@example.com");
	assert_string_equal(codes(&r), "tls_rpt.duplicate_rua");
	tlsrpt_record_cleanup(&r);

	/* Not TLS-RPT records at all: discarded, no finding. */
	parse2(&r, "v=TLSRPTv2; rua=mailto:a@example.com", "v=spf1 -all");
	assert_int_equal(r.status, TLSRPT_NONE);
	assert_int_equal(r.records, 0);
	assert_string_equal(codes(&r), "");
	tlsrpt_record_cleanup(&r);

	parse2(&r, "v=TLSRPTv10; rua=mailto:a@example.com", NULL);
	assert_int_equal(r.status, TLSRPT_NONE);
	tlsrpt_record_cleanup(&r);

	parse2(&r, NULL, NULL);
	assert_int_equal(r.status, TLSRPT_NONE);
	tlsrpt_record_cleanup(&r);

	/* One TLS-RPT record beside another TXT: read. */
	parse2(&r, "google-site-verification=abc", "v=TLSRPTv1; rua=mailto:a@example.com");
	assert_int_equal(r.status, TLSRPT_OK);
	assert_int_equal(r.records, 1);
	tlsrpt_record_cleanup(&r);

	assert_string_equal(tlsrpt_status_name(TLSRPT_NONE), "none");
	assert_string_equal(tlsrpt_status_name(TLSRPT_OK), "ok");
	assert_string_equal(tlsrpt_status_name(TLSRPT_INVALID), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_examples),
		cmocka_unit_test(test_several_uris),
		cmocka_unit_test(test_bad_uris),
		cmocka_unit_test(test_invalid_and_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
