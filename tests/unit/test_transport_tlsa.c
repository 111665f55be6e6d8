/*
 * Unit tests for tlsa.c against transport.h: TLSA rdata (RFC 6698 2.1)
 * parsed from the wire, written in zone-file form, and audited as DANE
 * for SMTP uses it (RFC 7672 2.2, 3.1.3). Expected values by hand.
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

#define NAME "_25._tcp.mx.example.com"

/* rdata: usage, selector, matching type, then n data bytes 0x00, 0x01, ... */
static void wire(struct tlsa_record *t, uint8_t u, uint8_t s, uint8_t m, size_t n)
{
	static uint8_t buf[1024];
	assert_true(n + 3 <= sizeof(buf));
	buf[0] = u;
	buf[1] = s;
	buf[2] = m;
	for (size_t i = 0; i < n; i++)
		buf[3 + i] = (uint8_t)i;
	assert_int_equal(tlsa_parse(buf, n + 3, t), 0);
}

static const char *codes(const struct findings *f)
{
	static char buf[1024];
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < f->n && at < sizeof(buf); i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s", i ? " " : "",
		                       f->v[i].code);
	return buf;
}

static void test_parse(void **state)
{
	(void)state;
	struct tlsa_record t;

	/* 3 1 1 with a 32-byte SHA-256 digest: the usual DANE-EE record. */
	wire(&t, 3, 1, 1, 32);
	assert_int_equal(t.usage, 3);
	assert_int_equal(t.selector, 1);
	assert_int_equal(t.mtype, 1);
	assert_int_equal(t.len, 32);
	assert_int_equal(t.data[0], 0x00);
	assert_int_equal(t.data[31], 0x1f);
	assert_true(t.well_formed);

	/* 31 bytes is no SHA-256 digest. */
	wire(&t, 3, 1, 1, 31);
	assert_int_equal(t.len, 31);
	assert_false(t.well_formed);
	wire(&t, 3, 1, 1, 33);
	assert_false(t.well_formed);

	/* SHA-512: 64 bytes. */
	wire(&t, 2, 0, 2, 64);
	assert_true(t.well_formed);
	wire(&t, 2, 0, 2, 32);
	assert_false(t.well_formed);

	/* Matching type 0 (the full object): any non-empty length. */
	wire(&t, 3, 0, 0, 1);
	assert_true(t.well_formed);
	wire(&t, 3, 0, 0, 900);
	assert_int_equal(t.len, TLSA_DATA_MAX);
	assert_int_equal(t.data[TLSA_DATA_MAX - 1], (uint8_t)(TLSA_DATA_MAX - 1));
	assert_true(t.well_formed);

	/* Out-of-range fields. */
	wire(&t, 4, 1, 1, 32);
	assert_false(t.well_formed);
	wire(&t, 3, 2, 1, 32);
	assert_false(t.well_formed);
	wire(&t, 3, 1, 3, 32);
	assert_false(t.well_formed);
	wire(&t, 255, 255, 255, 1);
	assert_int_equal(t.usage, 255);
	assert_false(t.well_formed);

	/* PKIX usages are well formed (their use on SMTP is the audit's business). */
	wire(&t, 0, 0, 1, 32);
	assert_true(t.well_formed);

	/* Shorter than 4 bytes: no record. */
	static const uint8_t three[3] = { 3, 1, 1 };
	assert_int_equal(tlsa_parse(three, 3, &t), -1);
	assert_int_equal(tlsa_parse(three, 0, &t), -1);
	assert_int_equal(tlsa_parse(NULL, 10, &t), -1);
	static const uint8_t four[4] = { 3, 1, 0, 0xab };
	assert_int_equal(tlsa_parse(four, 4, &t), 0);
	assert_int_equal(t.len, 1);
	assert_int_equal(t.data[0], 0xab);
	assert_true(t.well_formed);
}

static void test_format(void **state)
{
	(void)state;
	struct tlsa_record t;
	char out[256];

	wire(&t, 3, 1, 1, 32);
	tlsa_format(&t, out, sizeof(out));
	assert_string_equal(out, "3 1 1 000102030405060708090a0b0c0d0e0f"
	                         "101112131415161718191a1b1c1d1e1f");

	static const uint8_t four[4] = { 2, 0, 0, 0xff };
	assert_int_equal(tlsa_parse(four, 4, &t), 0);
	tlsa_format(&t, out, sizeof(out));
	assert_string_equal(out, "2 0 0 ff");

	/* Over 64 bytes: the first 64, then "...". */
	wire(&t, 3, 0, 0, 65);
	tlsa_format(&t, out, sizeof(out));
	assert_int_equal(strlen(out), 6 + 128 + 3);
	assert_memory_equal(out, "3 0 0 00010203", 14);
	assert_string_equal(out + 6 + 126, "3f...");

	/* Exactly 64 bytes: no "...". */
	wire(&t, 2, 1, 2, 64);
	tlsa_format(&t, out, sizeof(out));
	assert_int_equal(strlen(out), 6 + 128);

	wire(&t, 255, 255, 255, 1);
	tlsa_format(&t, out, sizeof(out));
	assert_string_equal(out, "255 255 255 00");

	/* A small buffer: cut, always terminated. */
	char small[10];
	wire(&t, 3, 1, 1, 32);
	tlsa_format(&t, small, sizeof(small));
	assert_string_equal(small, "3 1 1 00");
	char tiny[4];
	tlsa_format(&t, tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny) < sizeof(tiny), 1);
	tlsa_format(&t, tiny, 0); /* writes nothing */
}

static void test_audit(void **state)
{
	(void)state;
	struct tlsa_record v[4];
	struct findings f = { 0 };

	/* One good DANE-EE record, secure: usable. */
	wire(&v[0], 3, 1, 1, 32);
	assert_int_equal(tlsa_audit(v, 1, true, NAME, &f), 1);
	assert_string_equal(codes(&f), "");
	findings_cleanup(&f);
	memset(&f, 0, sizeof(f));

	/* The same, not secure: nothing usable (RFC 7672 2.2). */
	assert_int_equal(tlsa_audit(v, 1, false, NAME, &f), 0);
	assert_string_equal(codes(&f), "dane.insecure");
	assert_int_equal(f.v[0].severity, FINDING_ERROR);
	assert_string_equal(f.v[0].path, NAME);
	findings_cleanup(&f);
	memset(&f, 0, sizeof(f));

	/* 2 0 1 good, 3 1 1 with 31 bytes, 0 0 1 (PKIX-TA), usage 4: one usable. */
	wire(&v[0], 2, 0, 1, 32);
	wire(&v[1], 3, 1, 1, 31);
	wire(&v[2], 0, 0, 1, 32);
	wire(&v[3], 4, 1, 1, 32);
	assert_int_equal(tlsa_audit(v, 4, true, NAME, &f), 1);
	assert_string_equal(codes(&f), "dane.bad_digest_length dane.pkix_usage dane.bad_usage");
	assert_int_equal(f.v[1].severity, FINDING_WARNING);
	findings_cleanup(&f);
	memset(&f, 0, sizeof(f));

	/* Only PKIX usages, secure: none usable (RFC 7672 3.1.3). */
	wire(&v[0], 0, 0, 1, 32);
	wire(&v[1], 1, 1, 2, 64);
	assert_int_equal(tlsa_audit(v, 2, true, NAME, &f), 0);
	assert_string_equal(codes(&f), "dane.pkix_usage dane.pkix_usage dane.no_usable");
	findings_cleanup(&f);
	memset(&f, 0, sizeof(f));

	/* Selector 2 and matching type 3. */
	wire(&v[0], 3, 2, 1, 32);
	wire(&v[1], 3, 1, 3, 32);
	assert_int_equal(tlsa_audit(v, 2, true, NAME, &f), 0);
	assert_string_equal(codes(&f), "dane.bad_selector dane.bad_mtype dane.no_usable");
	findings_cleanup(&f);
	memset(&f, 0, sizeof(f));

	/* Two usable, insecure: form findings still said, then insecure, 0. */
	wire(&v[0], 3, 1, 1, 32);
	wire(&v[1], 2, 1, 2, 64);
	wire(&v[2], 1, 1, 1, 32);
	assert_int_equal(tlsa_audit(v, 3, true, NAME, &f), 2);
	assert_string_equal(codes(&f), "dane.pkix_usage");
	findings_cleanup(&f);
	memset(&f, 0, sizeof(f));
	assert_int_equal(tlsa_audit(v, 3, false, NULL, &f), 0);
	assert_string_equal(codes(&f), "dane.pkix_usage dane.insecure");
	assert_null(f.v[1].path);
	findings_cleanup(&f);
	memset(&f, 0, sizeof(f));

	/* No records: nothing to say. */
	assert_int_equal(tlsa_audit(v, 0, false, NAME, &f), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(tlsa_audit(NULL, 0, true, NAME, &f), 0);
	/* No findings list: the count alone. */
	assert_int_equal(tlsa_audit(v, 2, true, NAME, NULL), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_audit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
