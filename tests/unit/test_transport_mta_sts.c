/*
 * Unit tests for mta_sts.c and mta_sts_policy.c against transport.h:
 * the _mta-sts TXT record (RFC 8461 3.1), the policy file (RFC 8461 3.2),
 * mx pattern matching (RFC 8461 4.1) and the policy's media type.
 *
 * Every expected value is written by hand from the RFC text: the
 * record and policy examples are RFC 8461's own (3.1 and 3.2).
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

/* ---- records ---------------------------------------------------------------- */

/* Parses up to 4 NUL-terminated TXT records. */
static void rec(struct mta_sts_record *r, const char *a, const char *b, const char *c)
{
	const char *txt[3] = { a, b, c };
	size_t len[3];
	size_t n = 0;
	for (; n < 3 && txt[n] != NULL; n++)
		len[n] = strlen(txt[n]);
	assert_int_equal(mta_sts_record_parse(txt, len, n, "_mta-sts.example.com", r), 0);
}

static void expect_ok(const char *txt, const char *id)
{
	struct mta_sts_record r;
	rec(&r, txt, NULL, NULL);
	if (r.status != MTA_STS_RECORD_OK)
		fail_msg("\"%s\": status %s, %zu findings (first %s)", txt,
		         mta_sts_record_status_name(r.status), r.findings.n,
		         r.findings.n ? r.findings.v[0].code : "-");
	assert_string_equal(r.id, id);
	assert_int_equal(r.records, 1);
	assert_int_equal(r.findings.n, 0);
	mta_sts_record_cleanup(&r);
}

static void expect_invalid(const char *txt, const char *code)
{
	struct mta_sts_record r;
	rec(&r, txt, NULL, NULL);
	if (r.status != MTA_STS_RECORD_INVALID || !findings_has(&r.findings, code))
		fail_msg("\"%s\": status %s, want invalid with %s", txt,
		         mta_sts_record_status_name(r.status), code);
	assert_string_equal(r.id, "");
	assert_int_equal(r.records, 1);
	mta_sts_record_cleanup(&r);
}

static void expect_none(const char *txt)
{
	struct mta_sts_record r;
	rec(&r, txt, NULL, NULL);
	assert_int_equal(r.status, MTA_STS_RECORD_NONE);
	assert_int_equal(r.records, 0);
	assert_int_equal(r.findings.n, 0);
	assert_string_equal(r.id, "");
	mta_sts_record_cleanup(&r);
}

static void test_record_ok(void **state)
{
	(void)state;
	/* RFC 8461 3.1's example. */
	expect_ok("v=STSv1; id=20160831085700Z;", "20160831085700Z");
	expect_ok("v=STSv1; id=20160831085700Z", "20160831085700Z");
	/* An extension (3.1: sts-extension) is ignored. */
	expect_ok("v=STSv1; id=abc; ext=1", "abc");
	expect_ok("v=STSv1; id=abc; a-b.c_d=x:y/z", "abc");
	/* White space around ';' (sts-field-delim = *WSP ";" *WSP), empty fields. */
	expect_ok("v=STSv1;id=abc", "abc");
	expect_ok("v=STSv1 ; id=abc ;", "abc");
	expect_ok("v=STSv1;\tid=abc;\t", "abc");
	expect_ok("v=STSv1;; id=abc;;", "abc");
	/* 32 letters and digits: the most sts-id allows. */
	expect_ok("v=STSv1; id=abcdefghijklmnopqrstuvwxyz012345",
	          "abcdefghijklmnopqrstuvwxyz012345");
}

static void test_record_invalid(void **state)
{
	(void)state;
	expect_invalid("v=STSv1;", "mta_sts.no_id");
	expect_invalid("v=STSv1", "mta_sts.no_id");
	expect_invalid("v=STSv1; ext=1", "mta_sts.no_id");
	/* %s"id=": the name is case-sensitive; ID= is an extension. */
	expect_invalid("v=STSv1; ID=abc", "mta_sts.no_id");
	expect_invalid("v=STSv1; id=abc-def", "mta_sts.bad_id");
	expect_invalid("v=STSv1; id=", "mta_sts.bad_id");
	expect_invalid("v=STSv1; id=2016.08.31", "mta_sts.bad_id");
	/* 33 characters. */
	expect_invalid("v=STSv1; id=abcdefghijklmnopqrstuvwxyz0123456", "mta_sts.bad_id");
	/* Fields outside the grammar. */
	expect_invalid("v=STSv1 id=abc", "mta_sts.bad_syntax");
	expect_invalid("v=STSv1; id=abc; garbage", "mta_sts.bad_syntax");
	expect_invalid("v=STSv1; id=abc; x=a b", "mta_sts.bad_syntax");
	expect_invalid("v=STSv1; id=abc; x=", "mta_sts.bad_syntax");
	expect_invalid("v=STSv1; id=abc; _x=1", "mta_sts.bad_syntax");
	expect_invalid("v=STSv1; id=abc; x=a=b", "mta_sts.bad_syntax");

	/* id= bytes past a NUL are still the record's (length-counted). */
	struct mta_sts_record r;
	const char *txt[1] = { "v=STSv1; id=a\0b" };
	size_t len[1] = { 15 };
	assert_int_equal(mta_sts_record_parse(txt, len, 1, NULL, &r), 0);
	assert_int_equal(r.status, MTA_STS_RECORD_INVALID);
	assert_true(findings_has(&r.findings, "mta_sts.bad_id"));
	assert_null(r.findings.v[0].path);
	mta_sts_record_cleanup(&r);
}

static void test_record_none_and_multiple(void **state)
{
	(void)state;
	struct mta_sts_record r;

	/* Records not beginning with v=STSv1 are discarded (3.1). */
	expect_none("v=STSv2; id=1");
	expect_none("v=STSv10; id=1");
	expect_none("V=STSv1; id=1");
	expect_none(" v=STSv1; id=1");
	expect_none("some other");
	expect_none("");

	rec(&r, NULL, NULL, NULL);
	assert_int_equal(r.status, MTA_STS_RECORD_NONE);
	mta_sts_record_cleanup(&r);

	/* Other TXT records beside the one: ignored. */
	rec(&r, "some other", "v=spf1 -all", "v=STSv1; id=x1");
	assert_int_equal(r.status, MTA_STS_RECORD_OK);
	assert_string_equal(r.id, "x1");
	assert_int_equal(r.records, 1);
	assert_int_equal(r.findings.n, 0);
	mta_sts_record_cleanup(&r);

	/* Two v=STSv1 records: "If the number of resulting records is not one". */
	rec(&r, "v=STSv1; id=1", "other", "v=STSv1; id=2");
	assert_int_equal(r.status, MTA_STS_RECORD_INVALID);
	assert_int_equal(r.records, 2);
	assert_string_equal(r.id, "");
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].code, "mta_sts.multiple_records");
	assert_int_equal(r.findings.v[0].severity, FINDING_ERROR);
	assert_string_equal(r.findings.v[0].path, "_mta-sts.example.com");
	mta_sts_record_cleanup(&r);

	/* A repeated id=: the first counts (3.2), with a warning. */
	rec(&r, "v=STSv1; id=1; id=2", NULL, NULL);
	assert_int_equal(r.status, MTA_STS_RECORD_OK);
	assert_string_equal(r.id, "1");
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].code, "mta_sts.duplicate_field");
	assert_int_equal(r.findings.v[0].severity, FINDING_WARNING);
	mta_sts_record_cleanup(&r);

	assert_string_equal(mta_sts_record_status_name(MTA_STS_RECORD_NONE), "none");
	assert_string_equal(mta_sts_record_status_name(MTA_STS_RECORD_OK), "ok");
	assert_string_equal(mta_sts_record_status_name(MTA_STS_RECORD_INVALID), "invalid");
	assert_string_equal(mta_sts_mode_name(MTA_STS_MODE_NONE), "none");
	assert_string_equal(mta_sts_mode_name(MTA_STS_MODE_TESTING), "testing");
	assert_string_equal(mta_sts_mode_name(MTA_STS_MODE_ENFORCE), "enforce");
}

/* ---- policies --------------------------------------------------------------- */

static struct mta_sts_policy pol; /* 16 KiB of mx: not on the stack */

static void parse(const char *body)
{
	assert_int_equal(mta_sts_policy_parse(body, strlen(body), "mta-sts.example.com", &pol), 0);
}

/* The codes of pol's findings, space-separated, for one comparison. */
static const char *codes(void)
{
	static char buf[2048];
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < pol.findings.n && at < sizeof(buf); i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s", i ? " " : "",
		                       pol.findings.v[i].code);
	return buf;
}

#define RFC_EXAMPLE                                                                                \
	"version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmx: "             \
	"backupmx.example.com\nmax_age: 604800\n"

static void test_policy_rfc_example(void **state)
{
	(void)state;
	/* RFC 8461 3.2's example, with LF and with CRLF (sts-policy-term = LF / CRLF). */
	const char *bodies[] = {
		RFC_EXAMPLE,
		"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
		"mx: backupmx.example.com\r\nmax_age: 604800\r\n",
		/* No terminator after the last line ([sts-policy-term]). */
		"version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\n"
		"mx: backupmx.example.com\nmax_age: 604800",
		/* Trailing white space (sts-policy-field *WSP), space around ':'. */
		"version: STSv1  \r\nmode:enforce\t\r\nmx:  mail.example.com \r\nmx: "
		"*.example.net\r\n"
		"mx: backupmx.example.com\r\nmax_age : 604800 \r\n",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		parse(bodies[i]);
		assert_true(pol.valid);
		assert_int_equal(pol.mode, MTA_STS_MODE_ENFORCE);
		assert_int_equal(pol.max_age, 604800);
		assert_int_equal(pol.nmx, 3);
		assert_string_equal(pol.mx[0], "mail.example.com");
		assert_string_equal(pol.mx[1], "*.example.net");
		assert_string_equal(pol.mx[2], "backupmx.example.com");
		assert_string_equal(codes(), "");
		mta_sts_policy_cleanup(&pol);
	}
}

static void test_policy_modes(void **state)
{
	(void)state;
	parse("version: STSv1\nmode: testing\nmx: mx.example.org\nmax_age: 86400\n");
	assert_true(pol.valid);
	assert_int_equal(pol.mode, MTA_STS_MODE_TESTING);
	assert_int_equal(pol.max_age, 86400);
	assert_string_equal(codes(), "");
	mta_sts_policy_cleanup(&pol);

	/* mode none needs no mx ("required at least once, except when mode is none"). */
	parse("version: STSv1\nmode: none\nmax_age: 0\n");
	assert_true(pol.valid);
	assert_int_equal(pol.mode, MTA_STS_MODE_NONE);
	assert_int_equal(pol.max_age, 0);
	assert_int_equal(pol.nmx, 0);
	assert_string_equal(codes(), "");
	mta_sts_policy_cleanup(&pol);

	/* Version not first: the grammar's fields have no order (see README). */
	parse("mode: testing\nmx: mx.example.org\nversion: STSv1\nmax_age: 604800\n");
	assert_true(pol.valid);
	assert_string_equal(codes(), "");
	mta_sts_policy_cleanup(&pol);

	/* Unknown fields are ignored (3.2), leading zeros are digits. */
	parse("version: STSv1\nfoo: bar\nmode: enforce\nmx: a.example\nmax_age: 0604800\n");
	assert_true(pol.valid);
	assert_int_equal(pol.max_age, 604800);
	assert_string_equal(codes(), "");
	mta_sts_policy_cleanup(&pol);

	/* The top of the range. */
	parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557600\n");
	assert_true(pol.valid);
	assert_int_equal(pol.max_age, 31557600);
	mta_sts_policy_cleanup(&pol);

	/* Under a day while in force: valid, with a warning. */
	parse("version: STSv1\nmode: testing\nmx: a.example\nmax_age: 86399\n");
	assert_true(pol.valid);
	assert_string_equal(codes(), "mta_sts.policy_max_age_short");
	assert_int_equal(pol.findings.v[0].severity, FINDING_WARNING);
	assert_string_equal(pol.findings.v[0].path, "mta-sts.example.com");
	mta_sts_policy_cleanup(&pol);

	/* A repeated field: the first counts (3.2). */
	parse("version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 604800\n");
	assert_true(pol.valid);
	assert_int_equal(pol.mode, MTA_STS_MODE_ENFORCE);
	assert_string_equal(codes(), "mta_sts.policy_duplicate_field");
	mta_sts_policy_cleanup(&pol);

	parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\nmax_age: 1\n");
	assert_true(pol.valid);
	assert_int_equal(pol.max_age, 604800);
	assert_string_equal(codes(), "mta_sts.policy_duplicate_field");
	mta_sts_policy_cleanup(&pol);

	/* mx patterns are kept lower-cased. */
	parse("version: STSv1\nmode: enforce\nmx: MAIL.Example.COM\nmax_age: 604800\n");
	assert_true(pol.valid);
	assert_string_equal(pol.mx[0], "mail.example.com");
	mta_sts_policy_cleanup(&pol);
}

static void expect_policy_invalid(const char *body, const char *want_codes)
{
	parse(body);
	if (pol.valid || strcmp(codes(), want_codes) != 0)
		fail_msg("policy \"%s\": valid %d, codes \"%s\", want invalid with \"%s\"", body,
		         pol.valid, codes(), want_codes);
	mta_sts_policy_cleanup(&pol);
}

static void test_policy_invalid(void **state)
{
	(void)state;
	expect_policy_invalid("mode: enforce\nmx: a.example\nmax_age: 604800\n",
	                      "mta_sts.policy_no_version");
	expect_policy_invalid("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 604800\n",
	                      "mta_sts.policy_bad_version");
	expect_policy_invalid("version: STSv1\nmx: a.example\nmax_age: 604800\n",
	                      "mta_sts.policy_no_mode");
	expect_policy_invalid("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 604800\n",
	                      "mta_sts.policy_bad_mode");
	/* Values are case-sensitive (%s"enforce"). */
	expect_policy_invalid("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 604800\n",
	                      "mta_sts.policy_bad_mode");
	expect_policy_invalid("version: STSv1\nmode: enforce\nmx: a.example\n",
	                      "mta_sts.policy_no_max_age");
	expect_policy_invalid("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n",
	                      "mta_sts.policy_bad_max_age");
	expect_policy_invalid("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: abc\n",
	                      "mta_sts.policy_bad_max_age");
	expect_policy_invalid("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n",
	                      "mta_sts.policy_bad_max_age");
	expect_policy_invalid("version: STSv1\nmode: enforce\nmx: a.example\nmax_age:\n",
	                      "mta_sts.policy_bad_max_age");
	/* 1*10(DIGIT): eleven digits are too many even when small. */
	expect_policy_invalid(
	        "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 00000000001\n",
	        "mta_sts.policy_bad_max_age");
	expect_policy_invalid("version: STSv1\nmode: enforce\nmax_age: 604800\n",
	                      "mta_sts.policy_no_mx");
	expect_policy_invalid("version: STSv1\nmode: testing\nmax_age: 604800\n",
	                      "mta_sts.policy_no_mx");
	/* A bad pattern is skipped; with no other, enforce has no mx. */
	expect_policy_invalid("version: STSv1\nmode: enforce\nmx: mail.example.com:25\n"
	                      "max_age: 604800\n",
	                      "mta_sts.policy_bad_mx_pattern mta_sts.policy_no_mx");
	/* Field names are case-sensitive: Mode is not mode. */
	expect_policy_invalid("version: STSv1\nMode: enforce\nmx: a.example\nmax_age: 604800\n",
	                      "mta_sts.policy_bad_line mta_sts.policy_no_mode");
	expect_policy_invalid("", "mta_sts.policy_no_version mta_sts.policy_no_mode "
	                          "mta_sts.policy_no_max_age");
	expect_policy_invalid("<html><body>Not found</body></html>\n",
	                      "mta_sts.policy_bad_line mta_sts.policy_no_version "
	                      "mta_sts.policy_no_mode mta_sts.policy_no_max_age");

	/* A first value that is wrong stays wrong when a good one follows. */
	expect_policy_invalid("version: STSv2\nversion: STSv1\nmode: none\nmax_age: 1\n",
	                      "mta_sts.policy_bad_version mta_sts.policy_duplicate_field");
}

static void test_policy_mx_patterns(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"*example.com",
		"*.*.example.com",
		"mail.*.example.com",
		"*",
		"*.",
		"mail..example.com",
		"-mail.example.com",
		"mail-.example.com",
		"mail example.com",
		".example.com",
		"m\xc3\xa4il.example.com",
		"mail_1.example.com",
	};
	char body[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body),
		         "version: STSv1\nmode: testing\nmx: ok.example\nmx: %s\nmax_age: 604800\n",
		         bad[i]);
		parse(body);
		if (!pol.valid || pol.nmx != 1 ||
		    strcmp(codes(), "mta_sts.policy_bad_mx_pattern") != 0)
			fail_msg("mx \"%s\": valid %d, nmx %zu, codes \"%s\"", bad[i], pol.valid,
			         pol.nmx, codes());
		mta_sts_policy_cleanup(&pol);
	}

	/* 63-byte labels are fine, a 64-byte one is not. */
	char label[65];
	memset(label, 'a', 64);
	label[64] = '\0';
	snprintf(body, sizeof(body),
	         "version: STSv1\nmode: testing\nmx: %s.example\nmax_age: 604800\n", label + 1);
	parse(body);
	assert_true(pol.valid);
	assert_int_equal(pol.nmx, 1);
	mta_sts_policy_cleanup(&pol);
	snprintf(body, sizeof(body),
	         "version: STSv1\nmode: testing\nmx: %s.example\nmax_age: 604800\n", label);
	parse(body);
	assert_false(pol.valid);
	mta_sts_policy_cleanup(&pol);

	/* More than 64 mx lines: 64 kept, one warning. */
	static char many[8192];
	size_t at = (size_t)snprintf(many, sizeof(many), "version: STSv1\nmode: enforce\n");
	for (int i = 0; i < 70; i++)
		at += (size_t)snprintf(many + at, sizeof(many) - at, "mx: mx%d.example.com\n", i);
	snprintf(many + at, sizeof(many) - at, "max_age: 604800\n");
	parse(many);
	assert_true(pol.valid);
	assert_int_equal(pol.nmx, MTA_STS_MX_MAX);
	assert_string_equal(pol.mx[63], "mx63.example.com");
	assert_string_equal(codes(), "mta_sts.policy_too_many_mx");
	mta_sts_policy_cleanup(&pol);
}

static void test_policy_size_and_bytes(void **state)
{
	(void)state;
	static char big[MTA_STS_POLICY_MAX + 2];
	const char *head = "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\nx: ";
	size_t hl = strlen(head);

	/* Exactly 64 KiB: read. */
	memcpy(big, head, hl);
	memset(big + hl, 'y', MTA_STS_POLICY_MAX - hl - 1);
	big[MTA_STS_POLICY_MAX - 1] = '\n';
	assert_int_equal(mta_sts_policy_parse(big, MTA_STS_POLICY_MAX, NULL, &pol), 0);
	assert_true(pol.valid);
	assert_string_equal(codes(), "");
	mta_sts_policy_cleanup(&pol);

	/* 65537 bytes: refused. */
	memset(big + hl, 'y', MTA_STS_POLICY_MAX - hl);
	big[MTA_STS_POLICY_MAX] = '\n';
	assert_int_equal(mta_sts_policy_parse(big, MTA_STS_POLICY_MAX + 1, NULL, &pol), 0);
	assert_false(pol.valid);
	assert_int_equal(pol.max_age, -1);
	assert_int_equal(pol.nmx, 0);
	assert_string_equal(codes(), "mta_sts.policy_too_large");
	assert_int_equal(pol.findings.v[0].severity, FINDING_ERROR);
	mta_sts_policy_cleanup(&pol);

	/* A NUL byte: not text. */
	static const char nul[] =
	        "version: STSv1\nmode: enforce\0\nmx: a.example\nmax_age: 604800\n";
	assert_int_equal(mta_sts_policy_parse(nul, sizeof(nul) - 1, NULL, &pol), 0);
	assert_false(pol.valid);
	assert_string_equal(codes(), "mta_sts.policy_nul");
	mta_sts_policy_cleanup(&pol);

	/* NULL with no bytes: an empty policy. */
	assert_int_equal(mta_sts_policy_parse(NULL, 0, NULL, &pol), 0);
	assert_false(pol.valid);
	assert_int_equal(pol.findings.n, 3);
	mta_sts_policy_cleanup(&pol);

	/* A bare CR is not a line end: "mode: enforce\r" + more is one bad value. */
	parse("version: STSv1\nmode: enforce\rmx: a.example\nmax_age: 604800\n");
	assert_false(pol.valid);
	assert_string_equal(codes(), "mta_sts.policy_bad_mode");
	mta_sts_policy_cleanup(&pol);
}

/* ---- mx matching (4.1) and the media type --------------------------------------- */

static void test_mx_match(void **state)
{
	(void)state;
	assert_true(mta_sts_mx_match("*.example.com", "mx.example.com"));
	assert_false(mta_sts_mx_match("*.example.com", "example.com"));
	assert_false(mta_sts_mx_match("*.example.com", "a.b.example.com"));
	assert_true(mta_sts_mx_match("*.example.com", "MX.Example.COM"));
	assert_true(mta_sts_mx_match("*.example.com", "mx.example.com."));
	assert_true(mta_sts_mx_match("*.EXAMPLE.com", "mx.example.com"));
	assert_false(mta_sts_mx_match("*.example.com", "mxexample.com"));
	assert_false(mta_sts_mx_match("*.example.com", ".example.com"));
	assert_false(mta_sts_mx_match("*.example.com", "mx.example.co"));
	assert_false(mta_sts_mx_match("*.example.com", "mx.example.com.au"));
	assert_true(mta_sts_mx_match("mail.example.com", "mail.example.com"));
	assert_true(mta_sts_mx_match("mail.example.com", "MAIL.EXAMPLE.COM."));
	assert_true(mta_sts_mx_match("mail.example.com.", "mail.example.com"));
	assert_false(mta_sts_mx_match("mail.example.com", "mail.example.com.."));
	assert_false(mta_sts_mx_match("mail.example.com", "x.mail.example.com"));
	assert_false(mta_sts_mx_match("example.com", "mail.example.com"));
	assert_false(mta_sts_mx_match("", ""));
	assert_false(mta_sts_mx_match("*.", "a."));
	assert_false(mta_sts_mx_match(NULL, "a.example"));
	assert_false(mta_sts_mx_match("a.example", NULL));

	parse(RFC_EXAMPLE);
	assert_string_equal(mta_sts_mx_covered(&pol, "mail.example.com."), "mail.example.com");
	assert_string_equal(mta_sts_mx_covered(&pol, "mx1.example.net"), "*.example.net");
	assert_string_equal(mta_sts_mx_covered(&pol, "BACKUPMX.example.com"),
	                    "backupmx.example.com");
	assert_null(mta_sts_mx_covered(&pol, "other.example.com"));
	assert_null(mta_sts_mx_covered(&pol, "example.net"));
	assert_null(mta_sts_mx_covered(NULL, "mail.example.com"));
	mta_sts_policy_cleanup(&pol);
}

static void test_content_type(void **state)
{
	(void)state;
	assert_true(mta_sts_content_type_ok("text/plain"));
	assert_true(mta_sts_content_type_ok("text/plain; charset=utf-8"));
	assert_true(mta_sts_content_type_ok("text/plain;charset=us-ascii"));
	assert_true(mta_sts_content_type_ok("TEXT/PLAIN"));
	assert_true(mta_sts_content_type_ok("Text/Plain ; charset=UTF-8"));
	assert_true(mta_sts_content_type_ok(" text/plain "));
	assert_false(mta_sts_content_type_ok("text/html"));
	assert_false(mta_sts_content_type_ok("text/html; charset=utf-8"));
	assert_false(mta_sts_content_type_ok("text/plainx"));
	assert_false(mta_sts_content_type_ok("text/plai"));
	assert_false(mta_sts_content_type_ok("application/octet-stream"));
	assert_false(mta_sts_content_type_ok("text/"));
	assert_false(mta_sts_content_type_ok(""));
	assert_false(mta_sts_content_type_ok(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_ok),
		cmocka_unit_test(test_record_invalid),
		cmocka_unit_test(test_record_none_and_multiple),
		cmocka_unit_test(test_policy_rfc_example),
		cmocka_unit_test(test_policy_modes),
		cmocka_unit_test(test_policy_invalid),
		cmocka_unit_test(test_policy_mx_patterns),
		cmocka_unit_test(test_policy_size_and_bytes),
		cmocka_unit_test(test_mx_match),
		cmocka_unit_test(test_content_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
