/*
 * Unit tests for msg_sig.c against message.h: the tags of DKIM-Signature
 * (RFC 6376 3.5), ARC-Message-Signature (RFC 8617 4.1.2) and ARC-Seal
 * (RFC 8617 4.1.3).
 *
 * The real signatures of mailauth's test messages (copied unfolded as
 * mailhdr gives them), then hand-made lists: required tags missing or
 * empty, duplicates (RFC 6376 3.2), case-sensitive names, numbers that
 * are not, h= in a seal, bytes outside VALCHAR, overlong values. b_len
 * of the real signatures follows from their key sizes: an RSA-2048
 * signature is 256 bytes, 344 base64 characters with "=="; RSA-1024 is
 * 128 bytes, 172 characters with one "=".
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

static void assert_clean(const struct msg_sig *s)
{
	if (s->malformed)
		fail_msg("malformed: %s", s->problem);
	assert_string_equal(s->problem, "");
}

static void expect_problem(const char *value, enum msg_sig_kind kind, const char *problem)
{
	struct msg_sig s;
	msg_sig_parse(value, kind, &s);
	if (!s.malformed)
		fail_msg("\"%s\" should be malformed (%s)", value, problem);
	assert_string_equal(s.problem, problem);
}

/* ---- real signatures ---- */

/* arc-fail.eml: ZoneMTA's, RSA-2048. */
static void test_real_zonemta(void **state)
{
	struct msg_sig s;
	(void)state;
	msg_sig_parse("v=1; a=rsa-sha256; c=relaxed/relaxed; d=zonevs.eu; q=dns/txt; s=oct2016; "
	              "bh=0KskbD0xkDMCMa8AUnLecsJOUmtwXR9v6sRHwzfwoB4=; "
	              "h=from:subject:date:message-id:to; "
	              "b=0ZgeYqhDKOkrFyVt1S9r8jqXUQEISXAHyGxyTTxqsVv9t6T/xP3bcnMew2byVlq3iRyzZg0N1 "
	              "vElt2x/nhxkRkazGz1tWIZJ4468CNF30/GmJS2k4nIbfXSkgnCOHjVbWA/H8sthaEyjjlqhRLLp "
	              "J0Rb0tHW72djGkqDeJS/xdxO294JGw8d4ye6vcrtPP8/rhtOm2o+fUGUIC0/nptpZsIEa+Pg5+h "
	              "F/yhnBSrpQrSTaeg5HJFn0RUAx9XhU8lSTYAOpSVyJZ1DzbI/FbKYHeZrI3nrf+y0CzV/mCa/mF "
	              "0vR3aKcjdUISWub+GLSy9bacE7RnyC5pRc9yGeeRFP9A==",
	              MSG_SIG_DKIM, &s);
	assert_clean(&s);
	assert_int_equal(s.kind, MSG_SIG_DKIM);
	assert_int_equal(s.version, 1);
	assert_string_equal(s.a, "rsa-sha256");
	assert_string_equal(s.c, "relaxed/relaxed");
	assert_string_equal(s.d, "zonevs.eu");
	assert_string_equal(s.s, "oct2016");
	assert_string_equal(s.h, "from:subject:date:message-id:to");
	assert_string_equal(s.i_ident, "");
	assert_string_equal(s.cv, "");
	assert_int_equal(s.instance, 0);
	assert_int_equal(s.b_len, 344);
	assert_true(s.t == -1 && s.x == -1 && s.l == -1);
	assert_true(msg_sig_signs(&s, "From"));
	assert_true(msg_sig_signs(&s, "message-id"));
	assert_true(msg_sig_signs(&s, "to"));
	assert_false(msg_sig_signs(&s, "Reply-To"));
	assert_false(msg_sig_signs(&s, "DKIM-Signature"));
}

/* arc-fail3.eml: Postfix + OpenDKIM, TABs as FWS, RSA-1024. */
static void test_real_opendkim(void **state)
{
	struct msg_sig s;
	(void)state;
	msg_sig_parse("v=1; a=rsa-sha256; c=relaxed/simple; d=ekiri.ee; s=default;\tt=1603716206; "
	              "bh=Av6TMj5HbJPuKnFnvPvelZMBt+Ktj6y1ftx8i5fqYJo=;\th=Date:From:To:Subject;"
	              "\tb=TXuCNlsqy6o362UqYRAM+DCPjfYVJw1COP1hLfcDKGMN9YGaQjOsZ8hzCqiGd9qWJ\t "
	              "VZ3R0rGeUwpaMBHffwTwbZO6DAcdvMwqks7Qfr61znGB3w9QmQKGwTJ2ouJpuzn1Rk\t "
	              "LHvwIGrwuw8C7mTLcHrdPD3hRaDxcD8T+OhaylGI=",
	              MSG_SIG_DKIM, &s);
	assert_clean(&s);
	assert_string_equal(s.c, "relaxed/simple");
	assert_string_equal(s.d, "ekiri.ee");
	assert_string_equal(s.s, "default");
	assert_string_equal(s.h, "Date:From:To:Subject");
	assert_int_equal(s.t, 1603716206);
	assert_int_equal(s.b_len, 172);
	assert_true(msg_sig_signs(&s, "from"));
	assert_true(msg_sig_signs(&s, "SUBJECT"));
	assert_false(msg_sig_signs(&s, "Message-ID"));
}

/* bimi.eml, message2.eml: Mailgun's, a= before v=, "h=A: B: C". */
static void test_real_mailgun(void **state)
{
	struct msg_sig s;
	(void)state;
	msg_sig_parse("a=rsa-sha256; v=1; c=relaxed/relaxed; d=out.srv.dev; q=dns/txt; s=smtp; "
	              "t=1604667246; h=MIME-Version: Date: Content-Transfer-Encoding: Message-ID: "
	              "Subject: To: From: Content-Type: Sender: X-Feedback-Id; "
	              "bh=F5gazvtr6eL0htA6YsWW9qY/Scv7TMkwECy2H9YMqgA=; "
	              "b=g5+zMlswzkzjtRTUUw4jC+a0olekayxKDhtuO3k2zNLbqfFGyedzcS9BaI43pPpd1H8XRMQV "
	              "KBAYuKM/0aLWfTSzUjq6MoMo4m3g/FMvc1hRQBo8YTuZgOo8xs89ZxupkvumfCufMfH+tM92 "
	              "CC/PJ0HEQtQZKAegTCnhWFAcv6U=",
	              MSG_SIG_DKIM, &s);
	assert_clean(&s);
	assert_int_equal(s.version, 1);
	assert_string_equal(s.d, "out.srv.dev");
	assert_string_equal(s.s, "smtp");
	assert_int_equal(s.t, 1604667246);
	assert_string_equal(s.h,
	                    "MIME-Version:Date:Content-Transfer-Encoding:Message-ID:Subject:To:"
	                    "From:Content-Type:Sender:X-Feedback-Id");
	assert_int_equal(s.b_len, 172);
	assert_true(msg_sig_signs(&s, "x-feedback-id"));
	assert_true(msg_sig_signs(&s, "mime-version"));
	assert_false(msg_sig_signs(&s, "Fro"));
	assert_false(msg_sig_signs(&s, "From:"));

	msg_sig_parse("a=rsa-sha256; v=1; c=relaxed/relaxed; d=mail.projectpending.com; q=dns/txt; "
	              "s=smtp; t=1597918108; h=Content-Type: MIME-Version: To: Subject: Subject: "
	              "Date: From: Message-Id: Sender; "
	              "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; "
	              "b=TVHUAxPAcj+CLObfNRjgwp+MYc+ExbFS+cPgzqqKmuiInUgONis2ObMYL3rPZdiIk4LXgjkr "
	              "5BHbXhM7ADSzx23Bxu2m/MvLcrHER7N1D7frY5le1El6BLZBDBJK8hCLlO9rQ25aJpR/LhSz "
	              "2ibc2VDfl6rGaWWXnEqMq71VHyVljVKqdO6u1LkC4eKwIlgjkxcyIW+fDHvzG0rygro9EBh3 "
	              "WDuBUNDKZhq+2NwvJ4ngBKhkdD+WUD6q+SZpxedFKJNvPPSyWPfiQr7AOfp07M/DF1n22oae "
	              "sTSspYk1imRfErry4sS3gwQdiAgRodXFP4JBJIc+YmhgiDc4uVHi4A==",
	              MSG_SIG_DKIM, &s);
	assert_clean(&s);
	assert_string_equal(s.d, "mail.projectpending.com");
	assert_string_equal(
	        s.h, "Content-Type:MIME-Version:To:Subject:Subject:Date:From:Message-Id:Sender");
	assert_int_equal(s.t, 1597918108);
	assert_int_equal(s.b_len, 344);
}

/* arc-fail.eml's and arc-fail3.eml's Gmail seals. */
static void test_real_seal(void **state)
{
	struct msg_sig s;
	(void)state;
	msg_sig_parse(
	        "i=2; a=rsa-sha256; t=1604311044; cv=pass;        d=google.com; "
	        "s=arc-20160816;        "
	        "b=0p6i/ja3/uUjekAlDrixaXJMKkj9SiTUrehLOYFNLymZ2/9pWBODOxDxTRSfv2hg1K         "
	        "BjFgSGzL4psnH9twdMuQmJb1eI8/FsGCTPGivpRpQk92fp36HmaBoe5QUWCdsMz6WZvo         "
	        "wsBeQqjIqSMlHFz2ccY2AsbN9YRZSiUYtH57PfqpvOFIVJzhObumBHnw+37wGBXtsQzH         "
	        "jUMNrJylXQb3OnqiHLYPU9Q47S+qHghnIyK0VbChiKpgdHKp/ozlqefcauFtzq1aOoLV         "
	        "c8IQrVqsWh7TTQFTXwq3tqMAX+SSRAspP9xmU0b/mt4qvAeh0czV6h/bmkTo0KZzVofd         "
	        "IQ7Q==",
	        MSG_SIG_ARC_SEAL, &s);
	assert_clean(&s);
	assert_int_equal(s.kind, MSG_SIG_ARC_SEAL);
	assert_int_equal(s.version, -1);
	assert_int_equal(s.instance, 2);
	assert_string_equal(s.a, "rsa-sha256");
	assert_int_equal(s.t, 1604311044);
	assert_string_equal(s.cv, "pass");
	assert_string_equal(s.d, "google.com");
	assert_string_equal(s.s, "arc-20160816");
	assert_string_equal(s.h, "");
	assert_string_equal(s.c, "");
	assert_int_equal(s.b_len, 344);

	msg_sig_parse(
	        "i=2; a=rsa-sha256; t=1603716209; cv=fail;        d=google.com; "
	        "s=arc-20160816;        "
	        "b=udYsvnbq1JLBPHNUlyRtZkrO93flA8N1KI9+zFjkHGex9QvJpfJo6RkWHq7w9TkzJ6         "
	        "b421vadQD4WxWMWJ2De1McL2TnIgqYbcrrSLqbc82oP/Ez0A8cD3ottlSkgHCjZItcV+         "
	        "+K94vqHJ9SNk1EtpUo5AYphtCjJKw1zbvQFw8JA3S+/aXTiMPDdVd4dtGeCTlWodZwlo         "
	        "Y2BCSxCTGlV/6WUOqIYCLgQ3Mg73qlsKtJHQl/VVyr9hV/Y7+L2mZ/OuIAVxHldBmxHu         "
	        "pW3P/gXX0xe+eUbouGs0xKjwfKnI2FshfYaU3gbDE792S5fAfiwf3TNpqdb8KXTOKdQh         "
	        "VhOA==",
	        MSG_SIG_ARC_SEAL, &s);
	assert_clean(&s);
	assert_string_equal(s.cv, "fail");
	assert_int_equal(s.t, 1603716209);
}

/* arc-fail.eml's ARC-Message-Signature i=2: h= folded before a ':'. */
static void test_real_ams(void **state)
{
	struct msg_sig s;
	(void)state;
	msg_sig_parse(
	        "i=2; a=rsa-sha256; c=relaxed/relaxed; d=google.com; s=arc-20160816;        "
	        "h=subject:to:from:message-id:date:dkim-signature:dkim-signature         "
	        ":delivered-to;        bh=0KskbD0xkDMCMa8AUnLecsJOUmtwXR9v6sRHwzfwoB4=;        "
	        "b=skQCqn1Q3pq52dR9dkpxBfJpHAy98iASB+VFHaL5UTMgeCtpTsehfEhox0mWF1byLS         "
	        "AGvF4RcJMtQAI3hiE0lVat+bPeqZ4vPdxn5DWitn4ZRz2sA62W7BEA0lTuUvoB0xihlX         "
	        "bR66J5gsu8+VcEcTld4lcgS3JfZsxlj1bctwHXIPyyJkpRchfyRa0bbSixLlwPvr8ZWP         "
	        "oodHVWu96zjeZMZbeUrM0/Rejy6yLo0giGM++hs4JTrosm72Si2fVclSJO4t+1ogM7MV         "
	        "3/evarkYfFQd1voz43TDZ5ANY2L8INz7//3DSVZw63iIVI/+vl3uKH4CxbTWGDpND6GE         "
	        "95sA==",
	        MSG_SIG_ARC_MS, &s);
	assert_clean(&s);
	assert_int_equal(s.kind, MSG_SIG_ARC_MS);
	assert_int_equal(s.version, -1);
	assert_int_equal(s.instance, 2);
	assert_string_equal(s.i_ident, "");
	assert_string_equal(s.c, "relaxed/relaxed");
	assert_string_equal(s.h, "subject:to:from:message-id:date:dkim-signature:dkim-signature:"
	                         "delivered-to");
	assert_int_equal(s.b_len, 344);
	assert_true(msg_sig_signs(&s, "Delivered-To"));
	assert_true(msg_sig_signs(&s, "DKIM-Signature"));
	assert_false(msg_sig_signs(&s, "ARC-Seal"));
}

/* ---- hand-made DKIM-Signature ---- */

#define REST "; a=rsa-sha256; d=example.com; s=s1; h=from; bh=AAAA; b=AAAA"

static void test_dkim_values(void **state)
{
	struct msg_sig s;
	(void)state;
	/* Case of values: d= and a= lower-cased, s= as sent; FWS in b=. */
	msg_sig_parse("v=1; a=RSA-SHA1; d=Example.COM; s=Sel; h=From : To; bh=AAAA; "
	              "b=ab cd\r\n\tef==",
	              MSG_SIG_DKIM, &s);
	assert_clean(&s);
	assert_string_equal(s.a, "rsa-sha1");
	assert_string_equal(s.d, "example.com");
	assert_string_equal(s.s, "Sel");
	assert_string_equal(s.h, "From:To");
	assert_int_equal(s.b_len, 8);
	assert_string_equal(s.c, "");

	/* Optional tags. */
	msg_sig_parse("v=1" REST "; i=@Mail.Example.COM; l=0; t=1; x=999999999999999999; "
	              "q=dns/txt; z=From:a@example.com; c=simple",
	              MSG_SIG_DKIM, &s);
	assert_clean(&s);
	assert_string_equal(s.i_ident, "@Mail.Example.COM");
	assert_int_equal(s.l, 0);
	assert_int_equal(s.t, 1);
	assert_int_equal(s.x, 999999999999999999LL);
	assert_string_equal(s.c, "simple");
	assert_int_equal(s.instance, 0);

	/* Unknown tags, cv= (not DKIM's), empty specs and a trailing ';'
	 * are passed over (RFC 6376 3.2: unknown tags are ignored). */
	msg_sig_parse("v=1;; foo=bar; Z=1; cv=pass" REST ";", MSG_SIG_DKIM, &s);
	assert_clean(&s);
	assert_string_equal(s.cv, "");
}

static void test_dkim_problems(void **state)
{
	struct msg_sig s;
	(void)state;
	/* Required tags, named in the order v a b bh d h s. */
	expect_problem("", MSG_SIG_DKIM, "missing v=");
	expect_problem(NULL, MSG_SIG_DKIM, "missing v=");
	expect_problem("a=rsa-sha256; d=example.com; s=s1; h=from; bh=AAAA; b=AAAA", MSG_SIG_DKIM,
	               "missing v=");
	expect_problem("v=1; a=rsa-sha256; d=example.com; s=s1; h=from; bh=AAAA", MSG_SIG_DKIM,
	               "missing b=");
	expect_problem("v=1; a=rsa-sha256; d=example.com; s=s1; bh=AAAA; b=AAAA", MSG_SIG_DKIM,
	               "missing h=");
	expect_problem("v=1; a=rsa-sha256; d=example.com; h=from; bh=AAAA; b=AAAA", MSG_SIG_DKIM,
	               "missing s=");
	expect_problem("v=1; a=rsa-sha256; d=example.com; s=; h=from; bh=AAAA; b=AAAA",
	               MSG_SIG_DKIM, "empty s=");

	/* Tag names are case-sensitive: D= is an unknown tag. */
	msg_sig_parse("v=1; a=rsa-sha256; D=example.com; s=s1; h=from; bh=AAAA; b=AAAA",
	              MSG_SIG_DKIM, &s);
	assert_true(s.malformed);
	assert_string_equal(s.problem, "missing d=");
	assert_string_equal(s.d, "");
	assert_string_equal(s.s, "s1");

	/* An empty b=: b_len 0. */
	msg_sig_parse("v=1; a=rsa-sha256; d=example.com; s=s1; h=from; bh=AAAA; b=", MSG_SIG_DKIM,
	              &s);
	assert_string_equal(s.problem, "empty b=");
	assert_int_equal(s.b_len, 0);

	/* v= must be 1. */
	msg_sig_parse("v=2" REST, MSG_SIG_DKIM, &s);
	assert_string_equal(s.problem, "v= is not 1");
	assert_int_equal(s.version, 2);
	msg_sig_parse("v=DKIM1" REST, MSG_SIG_DKIM, &s);
	assert_string_equal(s.problem, "v= is not 1");
	assert_int_equal(s.version, -1);

	/* RFC 6376 3.2: a repeated tag spoils the list; the first is kept. */
	msg_sig_parse("v=1; d=a.example" REST, MSG_SIG_DKIM, &s);
	assert_string_equal(s.problem, "duplicate d=");
	assert_string_equal(s.d, "a.example");
	expect_problem("v=1" REST "; foo=1; foo=2", MSG_SIG_DKIM, "a tag appears twice");

	/* Numbers. */
	msg_sig_parse("v=1" REST "; t=abc", MSG_SIG_DKIM, &s);
	assert_string_equal(s.problem, "unreadable t=");
	assert_int_equal(s.t, -1);
	msg_sig_parse("v=1" REST "; x=1000000000000000000", MSG_SIG_DKIM, &s);
	assert_string_equal(s.problem, "unreadable x=");
	assert_int_equal(s.x, -1);
	expect_problem("v=1" REST "; l=", MSG_SIG_DKIM, "unreadable l=");
	expect_problem("v=1" REST "; l=-5", MSG_SIG_DKIM, "unreadable l=");

	/* RFC 6376 3.5: i= within d=, x= after t=. */
	expect_problem("v=1" REST "; i=@other.example", MSG_SIG_DKIM, "i= is not in d=");
	expect_problem("v=1" REST "; i=a@notexample.com", MSG_SIG_DKIM, "i= is not in d=");
	expect_problem("v=1" REST "; i=example.com", MSG_SIG_DKIM, "i= is not an address");
	msg_sig_parse("v=1" REST "; i=user@EXAMPLE.com", MSG_SIG_DKIM, &s);
	assert_clean(&s);
	assert_string_equal(s.i_ident, "user@EXAMPLE.com");
	expect_problem("v=1" REST "; t=100; x=100", MSG_SIG_DKIM, "x= is not after t=");
	msg_sig_parse("v=1" REST "; t=100; x=101", MSG_SIG_DKIM, &s);
	assert_clean(&s);

	/* base64. */
	msg_sig_parse("v=1; a=rsa-sha256; d=example.com; s=s1; h=from; bh=AAAA; b=ab*cd",
	              MSG_SIG_DKIM, &s);
	assert_string_equal(s.problem, "b= is not base64");
	assert_int_equal(s.b_len, 5);
	expect_problem("v=1; a=rsa-sha256; d=example.com; s=s1; h=from; bh=AA!A; b=AAAA",
	               MSG_SIG_DKIM, "bh= is not base64");

	/* Specs outside the grammar. */
	expect_problem("v=1; garbage" REST, MSG_SIG_DKIM, "a tag is not tag=value");
	expect_problem("garbage", MSG_SIG_DKIM, "a tag is not tag=value");
	expect_problem("v=1; =x" REST, MSG_SIG_DKIM, "a tag is not tag=value");
	expect_problem("v=1; 1a=x" REST, MSG_SIG_DKIM, "a tag is not tag=value");
	msg_sig_parse("v=1; a=rsa-sha256; d=example.com; s=s\xc3\xa9l; h=from; bh=AAAA; b=AAAA",
	              MSG_SIG_DKIM, &s);
	assert_string_equal(s.problem, "a tag value holds bytes outside RFC 6376 VALCHAR");
	assert_string_equal(s.s, "s\xc3\xa9l");
}

/* ---- ARC-Message-Signature, ARC-Seal ---- */

static void test_ams(void **state)
{
	struct msg_sig s;
	(void)state;
	/* RFC 8617 4.1.2: a v= is ignored. */
	msg_sig_parse("i=1; v=1" REST "; c=relaxed/relaxed", MSG_SIG_ARC_MS, &s);
	assert_clean(&s);
	assert_int_equal(s.version, -1);
	assert_int_equal(s.instance, 1);
	assert_string_equal(s.i_ident, "");

	expect_problem("a=rsa-sha256; d=example.com; s=s1; h=from; bh=AAAA; b=AAAA", MSG_SIG_ARC_MS,
	               "missing i=");
	expect_problem("i=1; a=rsa-sha256; d=example.com; s=s1; bh=AAAA; b=AAAA", MSG_SIG_ARC_MS,
	               "missing h=");
	expect_problem("i=@example.com" REST, MSG_SIG_ARC_MS, "i= is not a number");
	msg_sig_parse("i=0" REST, MSG_SIG_ARC_MS, &s);
	assert_string_equal(s.problem, "i= out of range 1 to 50");
	assert_int_equal(s.instance, 0);
	msg_sig_parse("i=51" REST, MSG_SIG_ARC_MS, &s);
	assert_string_equal(s.problem, "i= out of range 1 to 50");
	assert_int_equal(s.instance, 51);
	msg_sig_parse("i=50" REST, MSG_SIG_ARC_MS, &s);
	assert_clean(&s);
	assert_int_equal(s.instance, 50);
}

#define SEAL_REST "; a=rsa-sha256; d=example.com; s=s1; b=AAAA"

static void test_seal(void **state)
{
	struct msg_sig s;
	(void)state;
	msg_sig_parse("i=1; t=12; cv=None" SEAL_REST, MSG_SIG_ARC_SEAL, &s);
	assert_clean(&s);
	assert_int_equal(s.instance, 1);
	assert_string_equal(s.cv, "none");
	assert_int_equal(s.t, 12);

	/* RFC 8617 4.1.3: h= makes a seal invalid. */
	msg_sig_parse("i=1; cv=pass; h=from:to" SEAL_REST, MSG_SIG_ARC_SEAL, &s);
	assert_true(s.malformed);
	assert_string_equal(s.problem, "h= in an ARC-Seal");
	assert_string_equal(s.h, "");
	assert_false(msg_sig_signs(&s, "from"));

	expect_problem("i=1" SEAL_REST, MSG_SIG_ARC_SEAL, "missing cv=");
	expect_problem("cv=none" SEAL_REST, MSG_SIG_ARC_SEAL, "missing i=");
	msg_sig_parse("i=1; cv=maybe" SEAL_REST, MSG_SIG_ARC_SEAL, &s);
	assert_string_equal(s.problem, "cv= is not none, pass or fail");
	assert_string_equal(s.cv, "maybe");

	/* DKIM's other tags mean nothing in a seal: passed over, even
	 * unreadable ones; no bh= is needed. */
	msg_sig_parse("i=3; cv=pass; bh=!!; x=abc; l=x; c=simple" SEAL_REST, MSG_SIG_ARC_SEAL, &s);
	assert_clean(&s);
	assert_int_equal(s.x, -1);
	assert_int_equal(s.l, -1);
	assert_string_equal(s.c, "");
	assert_int_equal(s.instance, 3);
}

/* ---- caps ---- */

static void test_overlong(void **state)
{
	char value[4096], want[1100];
	struct msg_sig s;
	(void)state;

	/* h= of 100 names of 11 bytes: 1199 bytes do not fit in 1024; the
	 * cut falls after the last whole name that fits, x-header-84 (its
	 * ':' would be byte 1019). */
	int n = snprintf(value, sizeof(value),
	                 "v=1; a=rsa-sha256; d=example.com; s=s1; bh=AAAA; "
	                 "b=AAAA; h=");
	int w = 0;
	for (int i = 0; i < 100; i++) {
		n += snprintf(value + n, sizeof(value) - (size_t)n, "%sx-header-%02d", i ? ":" : "",
		              i);
		if (i <= 84)
			w += snprintf(want + w, sizeof(want) - (size_t)w, "%sx-header-%02d",
			              i ? ":" : "", i);
	}
	msg_sig_parse(value, MSG_SIG_DKIM, &s);
	assert_clean(&s);
	assert_int_equal(strlen(s.h), 1019);
	assert_string_equal(s.h, want);
	assert_true(msg_sig_signs(&s, "X-Header-84"));
	assert_false(msg_sig_signs(&s, "x-header-85"));

	/* d= of 300 bytes: 255 kept. */
	n = snprintf(value, sizeof(value), "v=1; a=rsa-sha256; s=s1; h=from; bh=AAAA; b=AAAA; d=");
	memset(value + n, 'D', 300);
	value[n + 300] = '\0';
	msg_sig_parse(value, MSG_SIG_DKIM, &s);
	assert_clean(&s);
	memset(want, 'd', 255);
	want[255] = '\0';
	assert_string_equal(s.d, want);
}

static void test_signs(void **state)
{
	struct msg_sig s;
	(void)state;
	assert_false(msg_sig_signs(NULL, "from"));
	msg_sig_parse("v=1; a=rsa-sha256; d=example.com; s=s1; h=from::to:; bh=AAAA; b=AAAA",
	              MSG_SIG_DKIM, &s);
	assert_clean(&s);
	assert_true(msg_sig_signs(&s, "FROM"));
	assert_true(msg_sig_signs(&s, "to"));
	assert_false(msg_sig_signs(&s, ""));
	assert_false(msg_sig_signs(&s, NULL));
	msg_sig_parse("", MSG_SIG_DKIM, &s);
	assert_false(msg_sig_signs(&s, "from"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_zonemta),  cmocka_unit_test(test_real_opendkim),
		cmocka_unit_test(test_real_mailgun),  cmocka_unit_test(test_real_seal),
		cmocka_unit_test(test_real_ams),      cmocka_unit_test(test_dkim_values),
		cmocka_unit_test(test_dkim_problems), cmocka_unit_test(test_ams),
		cmocka_unit_test(test_seal),          cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_signs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
