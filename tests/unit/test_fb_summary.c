/*
 * Unit tests for fb_summary.c: the enforcement verdict (fb_verdict) on
 * summaries built by hand, each number worked out in the comment beside
 * it, and the sending services named from names (fb_service).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fb_summary.h"

#define DAY ((int64_t)86400)

static struct fb_source_sum src(const char *ip, uint64_t messages, uint64_t pass, int64_t last_seen,
                                int64_t last_fail)
{
	struct fb_source_sum s;
	memset(&s, 0, sizeof(s));
	snprintf(s.ip, sizeof(s.ip), "%s", ip);
	s.messages = messages;
	s.pass = pass;
	s.last_seen = last_seen;
	s.last_fail = last_fail;
	return s;
}

static void summary(struct fb_summary *s, struct fb_source_sum *v, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->sources = v;
	s->nsources = n;
	for (size_t i = 0; i < n; i++) {
		s->messages += v[i].messages;
		s->pass += v[i].pass;
	}
	s->fail = s->messages - s->pass;
}

static void test_defaults(void **state)
{
	(void)state;
	struct fb_verdict_opts o;
	fb_verdict_defaults(&o);
	assert_true(o.threshold == 98.0);
	assert_int_equal(o.min_messages, 100);
	assert_int_equal(o.fixed_after, 7 * DAY);
}

/* 990 of 1000 pass: 99.0 % >= 98 %: safe. */
static void test_safe(void **state)
{
	(void)state;
	struct fb_source_sum v[] = { src("192.0.2.1", 990, 990, 10 * DAY, 0),
		                     src("203.0.113.9", 10, 0, 10 * DAY, 10 * DAY) };
	struct fb_summary s;
	struct fb_verdict_opts o;
	struct fb_verdict r;
	summary(&s, v, 2);
	fb_verdict_defaults(&o);
	fb_verdict(&s, &o, &r);
	assert_true(r.safe);
	assert_true(r.enough);
	assert_int_equal(r.messages, 1000);
	assert_int_equal(r.fail, 10);
	assert_int_equal(r.fixed, 0);
	assert_true(r.pass_rate > 98.99 && r.pass_rate < 99.01);
	assert_non_null(strstr(r.why, "99.0% of 1000 messages passed DMARC, at or above"));
	assert_int_equal(r.nfailing, 1);
	assert_int_equal(r.failing[0], 1);
}

/* 600 own + 120 CRM failing + 6 spoofed: 600/726 = 82.6 %: not yet, the
 * CRM named first (the biggest failing source), then the spoofer. */
static void test_not_yet_names_biggest(void **state)
{
	(void)state;
	struct fb_source_sum v[] = { src("192.0.2.10", 600, 600, 20 * DAY, 0),
		                     src("198.51.100.25", 120, 0, 20 * DAY, 20 * DAY),
		                     src("203.0.113.5", 6, 0, 3 * DAY, 3 * DAY) };
	struct fb_summary s;
	struct fb_verdict_opts o;
	struct fb_verdict r;
	summary(&s, v, 3);
	fb_verdict_defaults(&o);
	fb_verdict(&s, &o, &r);
	assert_false(r.safe);
	assert_true(r.enough);
	assert_true(r.pass_rate > 82.6 && r.pass_rate < 82.7);
	assert_int_equal(r.nfailing, 2);
	assert_int_equal(r.failing[0], 1);
	assert_int_equal(r.failing[1], 2);
	assert_non_null(strstr(r.why, "below the 98.0% threshold; the biggest failing source, "
	                              "198.51.100.25, sent 120 that failed"));
}

/* The same CRM, whose failures end 7 days before its newest report: fixed.
 * 600 + 84 passing of 726 - 120 fixed... here the CRM sent 204 (120 failed,
 * then 84 passed): judged 600 + 204 + 6 - 120 = 690, pass 684: 99.1 %. */
static void test_fixed_source(void **state)
{
	(void)state;
	struct fb_source_sum v[] = { src("192.0.2.10", 600, 600, 27 * DAY, 0),
		                     src("198.51.100.25", 204, 84, 27 * DAY, 20 * DAY),
		                     src("203.0.113.5", 6, 0, 3 * DAY, 3 * DAY) };
	struct fb_summary s;
	struct fb_verdict_opts o;
	struct fb_verdict r;
	summary(&s, v, 3);
	fb_verdict_defaults(&o);
	fb_verdict(&s, &o, &r);
	assert_int_equal(r.fixed, 120);
	assert_true(r.pass_rate > 99.1 && r.pass_rate < 99.2);
	assert_true(r.safe);
	assert_int_equal(r.nfailing, 1); /* the spoofer; the fixed CRM is not listed */
	assert_int_equal(r.failing[0], 2);
	assert_non_null(strstr(r.why, "120 failing messages of sources that pass since"));
	/* One second short of 7 days: not fixed. */
	v[1].last_seen = 27 * DAY - 1;
	fb_verdict(&s, &o, &r);
	assert_int_equal(r.fixed, 0);
	assert_false(r.safe);
}

/* 99 messages, all passing: fewer than 100: not enough evidence. */
static void test_too_few(void **state)
{
	(void)state;
	struct fb_source_sum v[] = { src("192.0.2.1", 99, 99, DAY, 0) };
	struct fb_summary s;
	struct fb_verdict_opts o;
	struct fb_verdict r;
	summary(&s, v, 1);
	fb_verdict_defaults(&o);
	fb_verdict(&s, &o, &r);
	assert_false(r.safe);
	assert_false(r.enough);
	assert_non_null(strstr(r.why, "only 99 messages"));
	o.min_messages = 99;
	fb_verdict(&s, &o, &r);
	assert_true(r.safe);
	/* Nothing at all: said as no evidence. */
	summary(&s, NULL, 0);
	fb_verdict(&s, &o, &r);
	assert_false(r.safe);
	assert_non_null(strstr(r.why, "no aggregate report"));
}

/* A threshold of 80: 82.6 % is enough. */
static void test_threshold(void **state)
{
	(void)state;
	struct fb_source_sum v[] = { src("192.0.2.10", 600, 600, DAY, 0),
		                     src("198.51.100.25", 126, 0, DAY, DAY) };
	struct fb_summary s;
	struct fb_verdict_opts o;
	struct fb_verdict r;
	summary(&s, v, 2);
	fb_verdict_defaults(&o);
	o.threshold = 80;
	fb_verdict(&s, &o, &r);
	assert_true(r.safe);
}

/* More than ten failing sources: the ten biggest, by failing messages. */
static void test_failing_capped(void **state)
{
	(void)state;
	struct fb_source_sum v[12];
	for (int i = 0; i < 12; i++) {
		char ip[16];
		snprintf(ip, sizeof(ip), "192.0.2.%d", i);
		v[i] = src(ip, 100 + (uint64_t)i, 0, DAY, DAY); /* i = 11 fails most */
	}
	struct fb_summary s;
	struct fb_verdict_opts o;
	struct fb_verdict r;
	summary(&s, v, 12);
	fb_verdict_defaults(&o);
	fb_verdict(&s, &o, &r);
	assert_int_equal(r.nfailing, 10);
	for (size_t k = 0; k < 10; k++)
		assert_int_equal(r.failing[k], 11 - k);
}

static void test_service(void **state)
{
	(void)state;
	assert_string_equal(fb_service("mail-sor-f41.google.com", "", ""), "Google");
	assert_string_equal(fb_service("", "bounces.amazonses.com", ""), "Amazon SES");
	assert_string_equal(fb_service("", "example.com", "example.com sendgrid.net"), "SendGrid");
	assert_string_equal(fb_service("a.b.outlook.com.", "", ""), "Microsoft 365");
	/* A label boundary: notgoogle.com is nobody's. */
	assert_string_equal(fb_service("notgoogle.com", "evilgoogle.com", ""), "");
	assert_string_equal(fb_service(NULL, "", ""), "");
	/* The reverse name wins over the domains. */
	assert_string_equal(fb_service("x.mtasv.net", "sendgrid.net", ""), "Postmark");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_safe),
		cmocka_unit_test(test_not_yet_names_biggest),
		cmocka_unit_test(test_fixed_source),
		cmocka_unit_test(test_too_few),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_failing_capped),
		cmocka_unit_test(test_service),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
