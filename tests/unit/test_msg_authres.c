/*
 * Unit tests for msg_authres.c against message.h: Authentication-Results
 * (RFC 8601), ARC-Authentication-Results (RFC 8617 4.1.1) and
 * Received-SPF (RFC 7208 9.1).
 *
 * RFC 8601's own examples (Appendix B.2 to B.7, 2.7.6), the forms Gmail,
 * Microsoft and Yahoo write, the extortion mail's first hop (issue 23),
 * values of the real messages of mailauth's test suite (copied unfolded
 * as mailhdr gives them: CR LF removed, the white space after them
 * kept), then hostile input: garbage, unterminated comments and quoted
 * strings, overlong values, more results and properties than the caps.
 * Every expected value was written by reading the input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "message.h"

static void assert_result(const struct msg_authres *ar, size_t i, const char *method,
                          const char *result, size_t nprops)
{
	assert_true(i < ar->nresults);
	assert_string_equal(ar->results[i].method, method);
	assert_string_equal(ar->results[i].result, result);
	assert_int_equal(ar->results[i].nprops, nprops);
}

static void assert_prop(const struct msg_authres *ar, size_t i, size_t k, const char *ptype,
                        const char *property, const char *value)
{
	assert_true(i < ar->nresults);
	assert_true(k < ar->results[i].nprops);
	assert_string_equal(ar->results[i].props[k].ptype, ptype);
	assert_string_equal(ar->results[i].props[k].property, property);
	assert_string_equal(ar->results[i].props[k].value, value);
}

static void assert_clean(const struct msg_authres *ar)
{
	if (ar->malformed)
		fail_msg("malformed: %s", ar->problem);
	assert_string_equal(ar->problem, "");
}

/* ---- RFC 8601 Appendix B ---- */

/* B.2: nothing was checked. */
static void test_rfc_b2_none(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("example.org 1; none", false, &ar);
	assert_clean(&ar);
	assert_string_equal(ar.authserv_id, "example.org");
	assert_int_equal(ar.version, 1);
	assert_int_equal(ar.instance, 0);
	assert_true(ar.no_result);
	assert_int_equal(ar.nresults, 0);
	assert_null(msg_authres_find(&ar, "spf"));
}

/* B.3, folded as sent (CR LF kept: the parser reads them as FWS). */
static void test_rfc_b3(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("example.com;\r\n          spf=pass smtp.mailfrom=example.net", false,
	                  &ar);
	assert_clean(&ar);
	assert_string_equal(ar.authserv_id, "example.com");
	assert_int_equal(ar.version, 1);
	assert_false(ar.no_result);
	assert_int_equal(ar.nresults, 1);
	assert_result(&ar, 0, "spf", "pass", 1);
	assert_prop(&ar, 0, 0, "smtp", "mailfrom", "example.net");
	assert_string_equal(ar.results[0].comment, "");
	assert_string_equal(ar.results[0].reason, "");
}

/* B.4: two fields of one MTA; a comment after the first result. */
static void test_rfc_b4(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("example.com;          auth=pass (cram-md5) smtp.auth=sender@example.net;"
	                  "          spf=pass smtp.mailfrom=example.net",
	                  false, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.nresults, 2);
	assert_result(&ar, 0, "auth", "pass", 1);
	assert_string_equal(ar.results[0].comment, "(cram-md5)");
	assert_prop(&ar, 0, 0, "smtp", "auth", "sender@example.net");
	assert_result(&ar, 1, "spf", "pass", 1);
	assert_prop(&ar, 1, 0, "smtp", "mailfrom", "example.net");

	msg_authres_parse("example.com; iprev=pass\r\n          policy.iprev=192.0.2.200", false,
	                  &ar);
	assert_clean(&ar);
	assert_int_equal(ar.nresults, 1);
	assert_result(&ar, 0, "iprev", "pass", 1);
	assert_prop(&ar, 0, 0, "policy", "iprev", "192.0.2.200");
	assert_string_equal(msg_ar_prop(&ar.results[0], "policy", "iprev"), "192.0.2.200");
}

/* B.5: two MTAs, each its own field. */
static void test_rfc_b5(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("example.com;          dkim=pass (good signature) header.d=example.com",
	                  false, &ar);
	assert_clean(&ar);
	assert_result(&ar, 0, "dkim", "pass", 1);
	assert_string_equal(ar.results[0].comment, "(good signature)");
	assert_prop(&ar, 0, 0, "header", "d", "example.com");

	msg_authres_parse("example.com;          auth=pass (cram-md5) smtp.auth=sender@example.com;"
	                  "          spf=fail smtp.mailfrom=example.com",
	                  false, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.nresults, 2);
	assert_result(&ar, 1, "spf", "fail", 1);
	assert_prop(&ar, 1, 0, "smtp", "mailfrom", "example.com");
	assert_ptr_equal(msg_authres_find(&ar, "spf"), &ar.results[1]);
}

/* B.6: reasonspec with quoted strings. */
static void test_rfc_b6(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("example.com;      dkim=pass reason=\"good signature\""
	                  "        header.i=@mail-router.example.net;"
	                  "      dkim=fail reason=\"bad signature\""
	                  "        header.i=@newyork.example.com",
	                  false, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.nresults, 2);
	assert_result(&ar, 0, "dkim", "pass", 1);
	assert_string_equal(ar.results[0].reason, "good signature");
	assert_prop(&ar, 0, 0, "header", "i", "@mail-router.example.net");
	assert_result(&ar, 1, "dkim", "fail", 1);
	assert_string_equal(ar.results[1].reason, "bad signature");
	assert_prop(&ar, 1, 0, "header", "i", "@newyork.example.com");
	/* find gives the first of a method. */
	assert_ptr_equal(msg_authres_find(&ar, "dkim"), &ar.results[0]);

	msg_authres_parse(
	        "example.net;      dkim=pass (good signature) header.i=@newyork.example.com", false,
	        &ar);
	assert_clean(&ar);
	assert_string_equal(ar.authserv_id, "example.net");
	assert_prop(&ar, 0, 0, "header", "i", "@newyork.example.com");
}

/* B.7: comments in every gap, a method version, a version after the
 * authserv-id. The result's comment is the first one after "fail". */
static void test_rfc_b7_comments(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("foo.example.net (foobar) 1 (baz);"
	                  "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail"
	                  "      policy (A dot can go here) . (like that) expired"
	                  "      (this surprised me) = (as I wasn't expecting it) 1362471462",
	                  false, &ar);
	assert_clean(&ar);
	assert_string_equal(ar.authserv_id, "foo.example.net");
	assert_int_equal(ar.version, 1);
	assert_int_equal(ar.nresults, 1);
	assert_result(&ar, 0, "dkim", "fail", 1);
	assert_string_equal(ar.results[0].comment, "(A dot can go here)");
	assert_prop(&ar, 0, 0, "policy", "expired", "1362471462");
}

/* 2.7.6: an unknown method; the comment after the property says more
 * about the result. */
static void test_rfc_276(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("example.com;          foo=pass bar.baz=blob (2 of 3 tests OK)", false,
	                  &ar);
	assert_clean(&ar);
	assert_result(&ar, 0, "foo", "pass", 1);
	assert_string_equal(ar.results[0].comment, "(2 of 3 tests OK)");
	assert_prop(&ar, 0, 0, "bar", "baz", "blob");
}

/* ---- receivers' forms ---- */

static void test_gmail(void **state)
{
	struct msg_authres ar;
	const struct msg_ar_result *dmarc;
	(void)state;
	msg_authres_parse(
	        "mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b=abcd; "
	        "spf=pass (google.com: domain of x@example.com designates 192.0.2.1 as "
	        "permitted sender) smtp.mailfrom=x@example.com; dmarc=pass (p=NONE "
	        "sp=NONE dis=NONE) header.from=example.com",
	        false, &ar);
	assert_clean(&ar);
	assert_string_equal(ar.authserv_id, "mx.google.com");
	assert_int_equal(ar.nresults, 3);
	assert_result(&ar, 0, "dkim", "pass", 3);
	assert_prop(&ar, 0, 0, "header", "i", "@example.com");
	assert_prop(&ar, 0, 1, "header", "s", "s1");
	assert_prop(&ar, 0, 2, "header", "b", "abcd");
	assert_string_equal(ar.results[0].policy_p, "");
	assert_result(&ar, 1, "spf", "pass", 1);
	assert_string_equal(ar.results[1].comment,
	                    "(google.com: domain of x@example.com designates 192.0.2.1 as "
	                    "permitted sender)");
	assert_prop(&ar, 1, 0, "smtp", "mailfrom", "x@example.com");
	dmarc = msg_authres_find(&ar, "dmarc");
	assert_ptr_equal(dmarc, &ar.results[2]);
	assert_string_equal(dmarc->result, "pass");
	assert_string_equal(dmarc->comment, "(p=NONE sp=NONE dis=NONE)");
	assert_string_equal(dmarc->policy_p, "none");
	assert_string_equal(dmarc->policy_sp, "none");
	assert_string_equal(dmarc->policy_dis, "none");
	assert_string_equal(msg_ar_prop(dmarc, "header", "from"), "example.com");
	assert_null(msg_ar_prop(dmarc, "header", "d"));
	assert_null(msg_ar_prop(dmarc, "", "from"));
	assert_string_equal(msg_ar_prop(&ar.results[0], "header", "s"), "s1");
	assert_null(msg_authres_find(&ar, "arc"));
}

/* Yahoo: the comment glued to the result, no sp=. */
static void test_yahoo(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("atlas.example.yahoo.com; dkim=pass header.i=@example.com "
	                  "header.s=s2048; spf=pass smtp.mailfrom=example.com; "
	                  "dmarc=fail(p=REJECT dis=REJECT) header.from=example.com;",
	                  false, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.nresults, 3);
	assert_result(&ar, 2, "dmarc", "fail", 1);
	assert_string_equal(ar.results[2].comment, "(p=REJECT dis=REJECT)");
	assert_string_equal(ar.results[2].policy_p, "reject");
	assert_string_equal(ar.results[2].policy_sp, "");
	assert_string_equal(ar.results[2].policy_dis, "reject");
}

/* Microsoft: no authserv-id, no space after ';', bare action=, compauth
 * with reason=. */
static void test_microsoft(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=pass "
	                  "(signature was verified) header.d=example.com;dmarc=pass action=none "
	                  "header.from=example.com;compauth=pass reason=100",
	                  false, &ar);
	assert_clean(&ar);
	assert_string_equal(ar.authserv_id, "");
	assert_int_equal(ar.nresults, 4);
	assert_result(&ar, 0, "spf", "pass", 1);
	assert_string_equal(ar.results[0].comment, "(sender IP is 192.0.2.1)");
	assert_prop(&ar, 0, 0, "smtp", "mailfrom", "example.com");
	assert_result(&ar, 1, "dkim", "pass", 1);
	assert_string_equal(ar.results[1].comment, "(signature was verified)");
	assert_prop(&ar, 1, 0, "header", "d", "example.com");
	assert_result(&ar, 2, "dmarc", "pass", 2);
	assert_prop(&ar, 2, 0, "", "action", "none");
	assert_prop(&ar, 2, 1, "header", "from", "example.com");
	assert_string_equal(ar.results[2].policy_dis, "none");
	assert_string_equal(ar.results[2].policy_p, "");
	assert_string_equal(msg_ar_prop(&ar.results[2], "", "action"), "none");
	assert_result(&ar, 3, "compauth", "pass", 0);
	assert_string_equal(ar.results[3].reason, "100");
}

/* Microsoft on a spoof: header.d=none, action=oreject (the reject policy
 * overridden into junk). */
static void test_microsoft_oreject(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=victim.example; "
	                  "dkim=none (message not signed) header.d=none;dmarc=fail action=oreject "
	                  "header.from=victim.example;compauth=fail reason=000",
	                  false, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.nresults, 4);
	assert_result(&ar, 1, "dkim", "none", 1);
	assert_prop(&ar, 1, 0, "header", "d", "none");
	assert_result(&ar, 2, "dmarc", "fail", 2);
	assert_string_equal(ar.results[2].policy_dis, "reject");
	assert_string_equal(ar.results[3].reason, "000");

	/* pct.quarantine: the policy was not applied. An unknown action is
	 * kept as a property only. */
	msg_authres_parse("dmarc=fail action=pct.quarantine header.from=a.example", false, &ar);
	assert_string_equal(ar.results[0].policy_dis, "none");
	msg_authres_parse("dmarc=fail action=Quarantine header.from=a.example", false, &ar);
	assert_string_equal(ar.results[0].policy_dis, "quarantine");
	msg_authres_parse("dmarc=temperror action=temperror header.from=a.example", false, &ar);
	assert_string_equal(ar.results[0].policy_dis, "");
	assert_prop(&ar, 0, 0, "", "action", "temperror");
}

/* Microsoft's ARC-Authentication-Results: an authserv-id and a version. */
static void test_microsoft_arc(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=example.com; dmarc=pass "
	                  "action=none header.from=example.com; dkim=pass header.d=example.com; "
	                  "arc=none",
	                  true, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.instance, 1);
	assert_string_equal(ar.authserv_id, "mx.microsoft.com");
	assert_int_equal(ar.version, 1);
	assert_int_equal(ar.nresults, 4);
	assert_result(&ar, 3, "arc", "none", 0);
	assert_string_equal(ar.results[1].policy_dis, "none");
}

/* policy.* properties: DMARCbis's policy.dmarc, authentication_milter's
 * published and applied policies. */
static void test_policy_props(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse(
	        "mx.example.net; dmarc=fail policy.dmarc=Quarantine header.from=a.example", false,
	        &ar);
	assert_clean(&ar);
	assert_string_equal(ar.results[0].policy_p, "quarantine");
	assert_prop(&ar, 0, 0, "policy", "dmarc", "Quarantine");

	msg_authres_parse("mx.example.net; dmarc=fail policy.published-domain-policy=reject "
	                  "policy.published-subdomain-policy=none policy.applied-disposition=none "
	                  "header.from=a.example",
	                  false, &ar);
	assert_clean(&ar);
	assert_result(&ar, 0, "dmarc", "fail", 4);
	assert_string_equal(ar.results[0].policy_p, "reject");
	assert_string_equal(ar.results[0].policy_sp, "none");
	assert_string_equal(ar.results[0].policy_dis, "none");

	/* p= in another method's comment is not a DMARC policy. */
	msg_authres_parse("mx.example.net; spf=pass (p=reject) smtp.mailfrom=a.example", false,
	                  &ar);
	assert_string_equal(ar.results[0].policy_p, "");
	/* A property wins over a comment; the comment fills the rest. */
	msg_authres_parse("mx.example.net; dmarc=fail (p=none,dis=none) policy.dmarc=reject", false,
	                  &ar);
	assert_string_equal(ar.results[0].policy_p, "reject");
	assert_string_equal(ar.results[0].policy_dis, "none");
}

/* The extortion mail's first hop (issue 23): a quoted reason holding ','. */
static void test_extortion_first_hop(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse(
	        "mx.hosting.example; dkim=none; dmarc=fail reason=\"No valid SPF, No valid "
	        "DKIM\" header.from=victim.example",
	        false, &ar);
	assert_clean(&ar);
	assert_string_equal(ar.authserv_id, "mx.hosting.example");
	assert_int_equal(ar.nresults, 2);
	assert_result(&ar, 0, "dkim", "none", 0);
	assert_result(&ar, 1, "dmarc", "fail", 1);
	assert_string_equal(ar.results[1].reason, "No valid SPF, No valid DKIM");
	assert_prop(&ar, 1, 0, "header", "from", "victim.example");
	assert_string_equal(ar.results[1].comment, "");
	assert_string_equal(ar.results[1].policy_p, "");

	/* rspamd writes it so, with the policy in a comment at the end. */
	msg_authres_parse(
	        "mx.hosting.example; dkim=none; dmarc=fail reason=\"No valid SPF, No valid "
	        "DKIM\" header.from=victim.example (policy=none)",
	        false, &ar);
	assert_clean(&ar);
	assert_result(&ar, 1, "dmarc", "fail", 1);
	assert_string_equal(ar.results[1].comment, "(policy=none)");
	assert_string_equal(ar.results[1].policy_p, "none");
	assert_string_equal(ar.results[1].policy_dis, "");
}

/* A quoted authserv-id (RFC 8601 2.2: value), upper case, CFWS before
 * ';'; quoted-pairs in a quoted value; upper-case methods and names. */
static void test_quoted(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("\"MX.Example.COM\" ; SPF=Pass SMTP.MailFrom=\"a\\\"b\\\\c@Example.COM\"",
	                  false, &ar);
	assert_clean(&ar);
	assert_string_equal(ar.authserv_id, "mx.example.com");
	assert_result(&ar, 0, "spf", "pass", 1);
	assert_prop(&ar, 0, 0, "smtp", "mailfrom", "a\"b\\c@Example.COM");
}

static void test_comments_everywhere(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("(c0) mx.example.com (c1) ; (c2) spf (c3) = (c4) pass (c5 (nested) \\) ) "
	                  "(c6) smtp (c7) . (c8) mailfrom (c9) = (c10) a@example.com (c11; x) ; "
	                  "dkim=fail(bad)header.d=example.com(c12)",
	                  false, &ar);
	assert_clean(&ar);
	assert_string_equal(ar.authserv_id, "mx.example.com");
	assert_int_equal(ar.nresults, 2);
	assert_result(&ar, 0, "spf", "pass", 1);
	assert_string_equal(ar.results[0].comment, "(c5 (nested) \\) )");
	assert_prop(&ar, 0, 0, "smtp", "mailfrom", "a@example.com");
	assert_result(&ar, 1, "dkim", "fail", 1);
	assert_string_equal(ar.results[1].comment, "(bad)");
	assert_prop(&ar, 1, 0, "header", "d", "example.com");
}

/* ---- ARC-Authentication-Results ---- */

static void test_arc(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("i=1; mx.google.com; dkim=pass header.i=@example.com header.s=s1 "
	                  "header.b=abcd",
	                  true, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.instance, 1);
	assert_string_equal(ar.authserv_id, "mx.google.com");
	assert_result(&ar, 0, "dkim", "pass", 3);

	msg_authres_parse(" i = 2 ; example.org 1; none", true, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.instance, 2);
	assert_true(ar.no_result);

	/* No i=: the rest is still read. */
	msg_authres_parse("mx.google.com; dkim=pass header.d=example.com", true, &ar);
	assert_true(ar.malformed);
	assert_string_equal(ar.problem, "no i= instance");
	assert_int_equal(ar.instance, 0);
	assert_string_equal(ar.authserv_id, "mx.google.com");
	assert_result(&ar, 0, "dkim", "pass", 1);

	/* RFC 8617 4.2.1: 1 to 50. */
	msg_authres_parse("i=51; mx.example.net; spf=pass", true, &ar);
	assert_true(ar.malformed);
	assert_string_equal(ar.problem, "i= out of range 1 to 50");
	assert_int_equal(ar.instance, 51);
	assert_result(&ar, 0, "spf", "pass", 0);
	msg_authres_parse("i=1234567890; mx.example.net; spf=pass", true, &ar);
	assert_string_equal(ar.problem, "no i= instance");

	/* Authentication-Results read as such keeps "i=1" out of it. */
	msg_authres_parse("i=1; mx.example.net; spf=pass", false, &ar);
	assert_int_equal(ar.instance, 0);
}

/* ---- the real messages (mailauth's test suite, MIT) ---- */

/* arc-fail.eml, ARC-Authentication-Results i=2. */
static void test_real_arc_fail_aar(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse(
	        "i=2; mx.google.com;       dkim=pass header.i=@zonevs.eu header.s=oct2016 "
	        "header.b=0ZgeYqhD;       dkim=pass header.i=@srs3.zonevs.eu header.s=oct2016 "
	        "header.b=u8s6EKdV;       arc=pass (i=1 spf=pass spfdomain=zone.ee dkim=pass "
	        "dkdomain=zonevs.eu dkim=pass dkdomain=srs3.zonevs.eu dmarc=pass "
	        "fromdomain=zone.ee);       spf=neutral (google.com: 209.85.220.41 is neither "
	        "permitted nor denied by best guess record for domain of "
	        "andris+caf_=andris.reinman=gmail.com@tr.ee) "
	        "smtp.mailfrom=\"andris+caf_=andris.reinman=gmail.com@tr.ee\";       dmarc=fail "
	        "(p=REJECT sp=REJECT dis=NONE arc=pass) header.from=zone.ee",
	        true, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.instance, 2);
	assert_string_equal(ar.authserv_id, "mx.google.com");
	assert_int_equal(ar.nresults, 5);
	assert_result(&ar, 0, "dkim", "pass", 3);
	assert_prop(&ar, 0, 0, "header", "i", "@zonevs.eu");
	assert_prop(&ar, 0, 2, "header", "b", "0ZgeYqhD");
	assert_result(&ar, 1, "dkim", "pass", 3);
	assert_prop(&ar, 1, 0, "header", "i", "@srs3.zonevs.eu");
	assert_result(&ar, 2, "arc", "pass", 0);
	assert_string_equal(
	        ar.results[2].comment,
	        "(i=1 spf=pass spfdomain=zone.ee dkim=pass dkdomain=zonevs.eu dkim=pass "
	        "dkdomain=srs3.zonevs.eu dmarc=pass fromdomain=zone.ee)");
	assert_result(&ar, 3, "spf", "neutral", 1);
	assert_prop(&ar, 3, 0, "smtp", "mailfrom", "andris+caf_=andris.reinman=gmail.com@tr.ee");
	assert_result(&ar, 4, "dmarc", "fail", 1);
	assert_string_equal(ar.results[4].policy_p, "reject");
	assert_string_equal(ar.results[4].policy_sp, "reject");
	assert_string_equal(ar.results[4].policy_dis, "none");
	assert_prop(&ar, 4, 0, "header", "from", "zone.ee");
}

/* arc-fail.eml, ARC-Authentication-Results i=1 (the first Gmail hop). */
static void test_real_arc_fail_aar1(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse(
	        "i=1; mx.google.com;       dkim=pass header.i=@zonevs.eu header.s=oct2016 "
	        "header.b=0ZgeYqhD;       dkim=pass header.i=@srs3.zonevs.eu "
	        "header.s=oct2016 header.b=u8s6EKdV;       spf=pass (google.com: domain of "
	        "andris@zone.ee designates 217.146.68.193 as permitted sender) "
	        "smtp.mailfrom=andris@zone.ee;       dmarc=pass (p=REJECT sp=REJECT "
	        "dis=NONE) header.from=zone.ee",
	        true, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.instance, 1);
	assert_int_equal(ar.nresults, 4);
	assert_result(&ar, 2, "spf", "pass", 1);
	assert_prop(&ar, 2, 0, "smtp", "mailfrom", "andris@zone.ee");
	assert_result(&ar, 3, "dmarc", "pass", 1);
	assert_string_equal(ar.results[3].policy_p, "reject");
	assert_string_equal(ar.results[3].policy_dis, "none");
}

/* message4.eml: Postfix + OpenDKIM, TABs, a reason holding ';'. */
static void test_real_message4(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("uvn-67-33.tll01.zonevs.eu; dkim=pass\treason=\"1024-bit key; insecure "
	                  "key\"\theader.d=out.srv.dev header.i=@out.srv.dev header.b=p4WDZf90;"
	                  "\tdkim-adsp=none (insecure policy); dkim-atps=neutral",
	                  false, &ar);
	assert_clean(&ar);
	assert_string_equal(ar.authserv_id, "uvn-67-33.tll01.zonevs.eu");
	assert_int_equal(ar.nresults, 3);
	assert_result(&ar, 0, "dkim", "pass", 3);
	assert_string_equal(ar.results[0].reason, "1024-bit key; insecure key");
	assert_prop(&ar, 0, 0, "header", "d", "out.srv.dev");
	assert_prop(&ar, 0, 1, "header", "i", "@out.srv.dev");
	assert_prop(&ar, 0, 2, "header", "b", "p4WDZf90");
	assert_result(&ar, 1, "dkim-adsp", "none", 0);
	assert_string_equal(ar.results[1].comment, "(insecure policy)");
	assert_result(&ar, 2, "dkim-atps", "neutral", 0);
}

/* message2.eml (Haraka) and bimi.eml (Gmail, a quoted mailfrom). */
static void test_real_message2_bimi(void **state)
{
	struct msg_authres ar;
	(void)state;
	msg_authres_parse("mx.ethereal.email; spf=pass smtp.mailfrom=mail.projectpending.com",
	                  false, &ar);
	assert_clean(&ar);
	assert_string_equal(ar.authserv_id, "mx.ethereal.email");
	assert_result(&ar, 0, "spf", "pass", 1);
	assert_prop(&ar, 0, 0, "smtp", "mailfrom", "mail.projectpending.com");

	msg_authres_parse(
	        "mx.google.com;       dkim=pass header.i=@out.srv.dev header.s=smtp "
	        "header.b=g5+zMlsw;       dkim=pass header.i=@eu.mailgun.org header.s=krs "
	        "header.b=qCUzzbOL;       spf=pass (google.com: domain of "
	        "bounce+2fa2ae.181d-andris.reinman=gmail.com@out.srv.dev designates 141.193.32.19 "
	        "as permitted sender) "
	        "smtp.mailfrom=\"bounce+2fa2ae.181d-andris.reinman=gmail.com@out.srv.dev\";       "
	        "dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=srv.dev",
	        false, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.nresults, 4);
	assert_prop(&ar, 0, 2, "header", "b", "g5+zMlsw");
	assert_prop(&ar, 1, 1, "header", "s", "krs");
	assert_prop(&ar, 2, 0, "smtp", "mailfrom",
	            "bounce+2fa2ae.181d-andris.reinman=gmail.com@out.srv.dev");
	assert_result(&ar, 3, "dmarc", "pass", 1);
	assert_string_equal(ar.results[3].policy_sp, "reject");
}

/* ---- hostile input ---- */

static void expect_problem(const char *value, const char *problem, size_t nresults)
{
	struct msg_authres ar;
	msg_authres_parse(value, false, &ar);
	if (!ar.malformed)
		fail_msg("\"%s\" should be malformed", value);
	assert_string_equal(ar.problem, problem);
	assert_int_equal(ar.nresults, nresults);
}

static void test_garbage(void **state)
{
	struct msg_authres ar;
	(void)state;
	expect_problem("", "no authserv-id", 0);
	expect_problem("   ", "no authserv-id", 0);
	expect_problem(";;;", "no authserv-id", 0);
	expect_problem("\"\"; spf=pass", "no authserv-id", 1);
	expect_problem("mx.example.com", "no result", 0);
	expect_problem("mx.example.com;", "no result", 0);
	expect_problem("mx.example.com; spf", "method without '=result'", 0);
	expect_problem("mx.example.com; =pass", "unreadable method", 0);
	expect_problem("mx.example.com; spf=", "method without a result", 1);
	expect_problem("mx.example.com; spf/x=pass", "unreadable method version", 1);
	expect_problem("mx.example.com junk; spf=pass", "text where ';' was expected", 1);
	expect_problem("mx.example.com 1x; spf=pass", "unreadable authres-version", 1);
	expect_problem("mx.example.com; spf=pass x y", "property without '='", 1);
	expect_problem("mx.example.com; spf=pass smtp.=x", "unreadable property", 1);
	expect_problem("mx.example.com; spf=pass smtp.mailfrom=", "property without a value", 1);
	expect_problem("mx.example.com; spf=pass @x=1", "unreadable property", 1);
	expect_problem("mx.example.com; spf=pass (open", "unterminated comment", 1);
	expect_problem("mx.example.com (open; spf=pass", "unterminated comment", 0);
	expect_problem("\"mx.example.com; spf=pass", "unterminated quoted string", 0);
	expect_problem("\x01\x02\x7f", "no authserv-id", 0);

	/* What can be read around a bad part is kept. */
	msg_authres_parse("mx.example.com; spf=pass smtp.mailfrom; dkim=pass header.d=example.com",
	                  false, &ar);
	assert_true(ar.malformed);
	assert_string_equal(ar.problem, "property without '='");
	assert_int_equal(ar.nresults, 2);
	assert_result(&ar, 0, "spf", "pass", 0);
	assert_result(&ar, 1, "dkim", "pass", 1);
	assert_prop(&ar, 1, 0, "header", "d", "example.com");

	msg_authres_parse("mx.example.com; dkim=pass header.d=\"unterminated", false, &ar);
	assert_string_equal(ar.problem, "unterminated quoted string");
	assert_prop(&ar, 0, 0, "header", "d", "unterminated");

	msg_authres_parse("mx.example.com; spf=pass (open", false, &ar);
	assert_string_equal(ar.results[0].comment, "");

	/* A ';' in a bad part's comment or quoted string does not start a
	 * resinfo. */
	msg_authres_parse("mx.example.com; spf=pass x (a; b) \"c; d\"; dkim=fail", false, &ar);
	assert_int_equal(ar.nresults, 2);
	assert_result(&ar, 1, "dkim", "fail", 0);

	/* Empty resinfos (a ';' too many) and a bare name=value are read
	 * without complaint. */
	msg_authres_parse("mx.example.com; spf=pass; ; dkim=fail foo=bar;", false, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.nresults, 2);
	assert_prop(&ar, 1, 0, "", "foo", "bar");

	/* NULL is read as "". */
	msg_authres_parse(NULL, false, &ar);
	assert_true(ar.malformed);
	assert_null(msg_authres_find(NULL, "spf"));
	assert_null(msg_ar_prop(NULL, "smtp", "mailfrom"));
}

/* Values longer than their buffers are cut, on a UTF-8 boundary. */
static void test_overlong(void **state)
{
	char value[4096];
	char want[1024];
	struct msg_authres ar;
	(void)state;

	/* authserv-id: 300 'A', kept as 255 'a'. */
	memset(value, 'A', 300);
	snprintf(value + 300, sizeof(value) - 300, "; spf=pass");
	msg_authres_parse(value, false, &ar);
	assert_clean(&ar);
	memset(want, 'a', 255);
	want[255] = '\0';
	assert_string_equal(ar.authserv_id, want);
	assert_result(&ar, 0, "spf", "pass", 0);

	/* A value of 318 'x' then U+00E9 (2 bytes): 320 bytes do not fit in
	 * 320 with the NUL, and the cut drops the whole character. */
	int n = snprintf(value, sizeof(value), "mx; dkim=pass header.d=");
	memset(value + n, 'x', 318);
	snprintf(value + n + 318, sizeof(value) - (size_t)n - 318, "\xc3\xa9 header.s=s1");
	msg_authres_parse(value, false, &ar);
	assert_clean(&ar);
	memset(want, 'x', 318);
	want[318] = '\0';
	assert_prop(&ar, 0, 0, "header", "d", want);
	assert_prop(&ar, 0, 1, "header", "s", "s1");

	/* 317 'x' then U+00E9: 319 bytes fit whole. */
	n = snprintf(value, sizeof(value), "mx; dkim=pass header.d=");
	memset(value + n, 'x', 317);
	snprintf(value + n + 317, sizeof(value) - (size_t)n - 317, "\xc3\xa9");
	msg_authres_parse(value, false, &ar);
	memset(want, 'x', 317);
	snprintf(want + 317, sizeof(want) - 317, "\xc3\xa9");
	assert_prop(&ar, 0, 0, "header", "d", want);

	/* A method of 100 letters (63 kept), a reason of 600 (511 kept), a
	 * policy word longer than its 16 bytes (15 kept). */
	n = snprintf(value, sizeof(value), "mx; ");
	memset(value + n, 'm', 100);
	n += 100;
	n += snprintf(value + n, sizeof(value) - (size_t)n, "=pass reason=\"");
	memset(value + n, 'r', 600);
	n += 600;
	snprintf(value + n, sizeof(value) - (size_t)n, "\"; dmarc=fail (p=QUARANTINEQUARANTINE)");
	msg_authres_parse(value, false, &ar);
	assert_clean(&ar);
	assert_int_equal(ar.nresults, 2);
	memset(want, 'm', 63);
	want[63] = '\0';
	assert_string_equal(ar.results[0].method, want);
	assert_int_equal(strlen(ar.results[0].reason), 511);
	assert_string_equal(ar.results[1].policy_p, "quarantinequara");

	/* A comment longer than 511 bytes is cut too. */
	n = snprintf(value, sizeof(value), "mx; spf=pass (");
	memset(value + n, 'c', 1000);
	snprintf(value + n + 1000, sizeof(value) - (size_t)n - 1000, ") smtp.mailfrom=a.example");
	msg_authres_parse(value, false, &ar);
	assert_clean(&ar);
	assert_int_equal(strlen(ar.results[0].comment), 511);
	assert_prop(&ar, 0, 0, "smtp", "mailfrom", "a.example");
}

/* More results than MSG_AR_RESULTS_MAX and properties than
 * MSG_AR_PROPS_MAX: the first are kept, the field is malformed. */
static void test_caps(void **state)
{
	char value[4096];
	struct msg_authres ar;
	(void)state;
	int n = snprintf(value, sizeof(value), "mx.example.com");
	for (int i = 0; i < 40; i++)
		n += snprintf(value + n, sizeof(value) - (size_t)n, "; m%d=pass", i);
	msg_authres_parse(value, false, &ar);
	assert_true(ar.malformed);
	assert_string_equal(ar.problem, "too many results");
	assert_int_equal(ar.nresults, MSG_AR_RESULTS_MAX);
	assert_result(&ar, 0, "m0", "pass", 0);
	assert_result(&ar, 31, "m31", "pass", 0);
	assert_null(msg_authres_find(&ar, "m32"));

	msg_authres_parse("mx; dkim=pass header.a=1 header.b=2 header.c=3 header.d=4 header.e=5 "
	                  "header.f=6 header.g=7 header.h=8 header.i=9 header.j=10; spf=pass",
	                  false, &ar);
	assert_true(ar.malformed);
	assert_string_equal(ar.problem, "too many properties in one result");
	assert_int_equal(ar.nresults, 2);
	assert_result(&ar, 0, "dkim", "pass", MSG_AR_PROPS_MAX);
	assert_prop(&ar, 0, 7, "header", "h", "8");
	assert_null(msg_ar_prop(&ar.results[0], "header", "i"));
	assert_result(&ar, 1, "spf", "pass", 0);
}

/* ---- Received-SPF ---- */

static void test_spf_gmail(void **state)
{
	struct msg_received_spf spf;
	(void)state;
	msg_received_spf_parse("pass (google.com: domain of bounce@example.com designates "
	                       "192.0.2.1 as permitted sender) client-ip=192.0.2.1;",
	                       &spf);
	assert_true(spf.parsed);
	assert_string_equal(spf.result, "pass");
	assert_string_equal(spf.comment, "(google.com: domain of bounce@example.com designates "
	                                 "192.0.2.1 as permitted sender)");
	assert_string_equal(spf.client_ip, "192.0.2.1");
	assert_string_equal(spf.envelope_from, "");
	assert_string_equal(spf.helo, "");
	assert_string_equal(spf.receiver, "");
	assert_string_equal(spf.identity, "");

	/* The phishing mail "from" a card issuer (issue 23). */
	msg_received_spf_parse(
	        "softfail (google.com: domain of transitioning x@jcb.example does not "
	        "designate 203.0.113.5 as permitted sender) client-ip=203.0.113.5;",
	        &spf);
	assert_true(spf.parsed);
	assert_string_equal(spf.result, "softfail");
	assert_string_equal(spf.comment,
	                    "(google.com: domain of transitioning x@jcb.example does not designate "
	                    "203.0.113.5 as permitted sender)");
	assert_string_equal(spf.client_ip, "203.0.113.5");

	/* arc-fail.eml */
	msg_received_spf_parse(
	        "neutral (google.com: 209.85.220.41 is neither permitted nor denied by best guess "
	        "record for domain of andris+caf_=andris.reinman=gmail.com@tr.ee) "
	        "client-ip=209.85.220.41;",
	        &spf);
	assert_string_equal(spf.result, "neutral");
	assert_string_equal(spf.client_ip, "209.85.220.41");
}

/* RFC 7208 9.1's key-value list, quoted values, every key. */
static void test_spf_rfc(void **state)
{
	struct msg_received_spf spf;
	(void)state;
	msg_received_spf_parse("pass (mybox.example.org: domain of myname@example.com designates "
	                       "192.0.2.1 as permitted sender) receiver=mybox.example.org; "
	                       "client-ip=192.0.2.1; envelope-from=\"myname@example.com\"; "
	                       "helo=foo.example.com;",
	                       &spf);
	assert_true(spf.parsed);
	assert_string_equal(spf.receiver, "mybox.example.org");
	assert_string_equal(spf.client_ip, "192.0.2.1");
	assert_string_equal(spf.envelope_from, "myname@example.com");
	assert_string_equal(spf.helo, "foo.example.com");

	msg_received_spf_parse("fail (mybox.example.org: domain of myname@example.com does not "
	                       "designate 192.0.2.1 as permitted sender) identity=mailfrom; "
	                       "client-ip=192.0.2.1; envelope-from=\"myname@example.com\";",
	                       &spf);
	assert_string_equal(spf.result, "fail");
	assert_string_equal(spf.identity, "mailfrom");

	/* problem= and mechanism= are read over (not kept); a ';' in a
	 * quoted value does not end it. */
	msg_received_spf_parse("PermError (x) problem=\"bad; very\" mechanism=\"a:x\" "
	                       "client-ip=192.0.2.9 receiver=MX.Example.ORG",
	                       &spf);
	assert_true(spf.parsed);
	assert_string_equal(spf.result, "permerror");
	assert_string_equal(spf.comment, "(x)");
	assert_string_equal(spf.client_ip, "192.0.2.9");
	assert_string_equal(spf.receiver, "mx.example.org");
}

/* message2.eml (Haraka): pairs separated by a space alone, angle
 * brackets around envelope-from, one of them never closed. */
static void test_spf_haraka(void **state)
{
	struct msg_received_spf spf;
	(void)state;
	msg_received_spf_parse(
	        "Pass (mx.ethereal.email: domain of mail.projectpending.com designates "
	        "141.193.32.12 as permitted sender) receiver=mx.ethereal.email; identity=mailfrom; "
	        "client-ip=141.193.32.12 helo=m32-12.eu.mailgun.net; "
	        "envelope-from=<bounce+9eed13.94256-andris=ethereal.email@mail.projectpending.com>",
	        &spf);
	assert_true(spf.parsed);
	assert_string_equal(spf.result, "pass");
	assert_string_equal(spf.receiver, "mx.ethereal.email");
	assert_string_equal(spf.identity, "mailfrom");
	assert_string_equal(spf.client_ip, "141.193.32.12");
	assert_string_equal(spf.helo, "m32-12.eu.mailgun.net");
	assert_string_equal(spf.envelope_from,
	                    "bounce+9eed13.94256-andris=ethereal.email@mail.projectpending.com");

	msg_received_spf_parse(
	        "None (mx.ethereal.email: domain of m32-12.eu.mailgun.net does not designate "
	        "141.193.32.12 as permitted sender) receiver=mx.ethereal.email; identity=helo; "
	        "client-ip=141.193.32.12 helo=m32-12.eu.mailgun.net; "
	        "envelope-from=<bounce+9eed13.94256-andris=ethereal.email@mail.projectpending.com",
	        &spf);
	assert_string_equal(spf.result, "none");
	assert_string_equal(spf.identity, "helo");
	assert_string_equal(spf.envelope_from,
	                    "bounce+9eed13.94256-andris=ethereal.email@mail.projectpending.com");
}

static void test_spf_garbage(void **state)
{
	struct msg_received_spf spf;
	(void)state;
	msg_received_spf_parse("", &spf);
	assert_false(spf.parsed);
	assert_string_equal(spf.result, "");
	msg_received_spf_parse(NULL, &spf);
	assert_false(spf.parsed);
	/* Not an RFC 7208 result: kept as written, not parsed; the pairs
	 * are still read. */
	msg_received_spf_parse("bogus (x) client-ip=192.0.2.4", &spf);
	assert_false(spf.parsed);
	assert_string_equal(spf.result, "bogus");
	assert_string_equal(spf.client_ip, "192.0.2.4");
	msg_received_spf_parse("(only a comment", &spf);
	assert_false(spf.parsed);
	msg_received_spf_parse("pass = ;;; @@ \"x client-ip", &spf);
	assert_true(spf.parsed);
	assert_string_equal(spf.client_ip, "");
	msg_received_spf_parse("pass client-ip=\"192.0.2.7", &spf);
	assert_string_equal(spf.client_ip, "192.0.2.7");
	msg_received_spf_parse("pass envelope-from=<>", &spf);
	assert_string_equal(spf.envelope_from, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_b2_none),
		cmocka_unit_test(test_rfc_b3),
		cmocka_unit_test(test_rfc_b4),
		cmocka_unit_test(test_rfc_b5),
		cmocka_unit_test(test_rfc_b6),
		cmocka_unit_test(test_rfc_b7_comments),
		cmocka_unit_test(test_rfc_276),
		cmocka_unit_test(test_gmail),
		cmocka_unit_test(test_yahoo),
		cmocka_unit_test(test_microsoft),
		cmocka_unit_test(test_microsoft_oreject),
		cmocka_unit_test(test_microsoft_arc),
		cmocka_unit_test(test_policy_props),
		cmocka_unit_test(test_extortion_first_hop),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_comments_everywhere),
		cmocka_unit_test(test_arc),
		cmocka_unit_test(test_real_arc_fail_aar),
		cmocka_unit_test(test_real_arc_fail_aar1),
		cmocka_unit_test(test_real_message4),
		cmocka_unit_test(test_real_message2_bimi),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_spf_gmail),
		cmocka_unit_test(test_spf_rfc),
		cmocka_unit_test(test_spf_haraka),
		cmocka_unit_test(test_spf_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
