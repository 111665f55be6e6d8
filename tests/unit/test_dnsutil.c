/*
 * Unit tests for dnsutil.c: name normalisation, wire names, resolver
 * addresses, escaping, answers. Tables: one row per case, with why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dnsutil.h"

static void test_normalize(void **state)
{
	static const struct {
		const char *in, *out; /* out NULL: rejected */
	} rows[] = {
		{ "Example.COM", "example.com" },  /* lower case */
		{ "example.com.", "example.com" }, /* final dot dropped */
		{ "_dmarc.example.com", "_dmarc.example.com" },
		{ "", NULL },                       /* empty */
		{ ".", NULL },                      /* the root is not a domain */
		{ "a..b", NULL },                   /* empty label */
		{ ".a", NULL },                     /* empty first label */
		{ "exa mple.com", "exa mple.com" }, /* space: a legal octet (RFC 2181 11) */
		{ "ex\x01.com", NULL },             /* control byte */
		{ "b\xc3\xbc"
		  "cher.de",
		  NULL }, /* U-label: needs xn-- */
		{ "xn--bcher-kva.de", "xn--bcher-kva.de" },
	};
	char out[DNS_NAME_BUF];
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = dns_name_normalize(rows[i].in, out, sizeof(out));
		if (rows[i].out == NULL) {
			assert_int_equal(rc, -1);
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(out, rows[i].out);
		}
	}
}

static void test_normalize_limits(void **state)
{
	char name[300], out[DNS_NAME_BUF];
	(void)state;
	/* A 63-byte label is fine, 64 is not (RFC 1035 2.3.4). */
	memset(name, 'a', 63);
	memcpy(name + 63, ".com", 5);
	assert_int_equal(dns_name_normalize(name, out, sizeof(out)), 0);
	memset(name, 'a', 64);
	memcpy(name + 64, ".com", 5);
	assert_int_equal(dns_name_normalize(name, out, sizeof(out)), -1);
	/* 253 characters is the most; 254 is too long. */
	for (int i = 0; i < 253; i++)
		name[i] = (i % 2) ? '.' : 'a';
	name[253] = '\0';
	assert_int_equal(dns_name_normalize(name, out, sizeof(out)), 0);
	name[253] = 'a';
	name[254] = '\0';
	assert_int_equal(dns_name_normalize(name, out, sizeof(out)), -1);
	/* An output buffer too small is an error, not a truncation. */
	assert_int_equal(dns_name_normalize("example.com", out, 5), -1);
}

static void test_equal(void **state)
{
	(void)state;
	assert_true(dns_name_equal("Example.com.", "example.COM"));
	assert_false(dns_name_equal("example.com", "example.co"));
	assert_false(dns_name_equal("a.example.com", "example.com"));
}

static void test_from_wire(void **state)
{
	static const struct {
		const char *wire;
		size_t len;
		int rc;
		const char *text;
	} rows[] = {
		{ "\007example\003COM\000", 13, 13, "example.com" },
		{ "\000", 1, 1, "." },               /* the root */
		{ "\001a\001b", 4, -1, NULL },       /* no terminating label */
		{ "\300\014", 2, -1, NULL },         /* compression pointer */
		{ "\005a", 2, -1, NULL },            /* label past the end */
		{ "\003a\"b\000", 5, 5, "a\\034b" }, /* quote escaped */
		{ "\003a.b\000", 5, 5, "a\\046b" },  /* dot inside a label */
		{ "\001\377\000", 3, 3, "\\255" },   /* 8-bit byte */
	};
	char out[DNS_NAME_BUF];
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = dns_name_from_wire((const uint8_t *)rows[i].wire, rows[i].len, out,
		                            sizeof(out));
		assert_int_equal(rc, rows[i].rc);
		if (rows[i].text != NULL)
			assert_string_equal(out, rows[i].text);
	}
	/* Output too small: error, never overflow. */
	assert_int_equal(dns_name_from_wire((const uint8_t *)"\007example\000", 9, out, 5), -1);
}

static void test_escape_name(void **state)
{
	char out[DNS_NAME_BUF];
	(void)state;
	assert_int_equal(dns_name_escape("mail.example.com", out, sizeof(out)), 0);
	assert_string_equal(out, "mail.example.com");
	assert_int_equal(dns_name_escape("a b%c\\d.example", out, sizeof(out)), 0);
	assert_string_equal(out, "a\\032b\\037c\\092d.example");
	assert_int_equal(dns_name_escape("a b", out, 4), -1);
}

static void test_server_parse(void **state)
{
	static const struct {
		const char *spec;
		int rc;
		const char *addr;
		unsigned port;
		bool v6;
	} rows[] = {
		{ "127.0.0.1", 0, "127.0.0.1", 53, false },
		{ "127.0.0.1:5353", 0, "127.0.0.1", 5353, false },
		{ "::1", 0, "::1", 53, true }, /* bare IPv6, no port */
		{ "[::1]:5300", 0, "::1", 5300, true },
		{ "[2001:db8::1]", 0, "2001:db8::1", 53, true },
		{ "dns.example", -1, NULL, 0, false },     /* names need a resolver */
		{ "127.0.0.1:0", -1, NULL, 0, false },     /* port 0 */
		{ "127.0.0.1:65536", -1, NULL, 0, false }, /* port too big */
		{ "127.0.0.1:53x", -1, NULL, 0, false },   /* junk after port */
		{ "127.0.0.1:", -1, NULL, 0, false },      /* empty port */
		{ "[::1", -1, NULL, 0, false },            /* no bracket */
		{ "[::1]x", -1, NULL, 0, false },
		{ "", -1, NULL, 0, false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct dns_server s;
		char err[160] = "";
		int rc = dns_server_parse(rows[i].spec, &s, err, sizeof(err));
		assert_int_equal(rc, rows[i].rc);
		if (rc == 0) {
			assert_string_equal(s.addr, rows[i].addr);
			assert_int_equal(s.port, rows[i].port);
			assert_int_equal(s.v6, rows[i].v6);
		} else {
			assert_true(strlen(err) > 0);
		}
	}
}

static void test_escape(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(dns_escape_text("v=spf1 -all", 11, out, sizeof(out)), 11);
	assert_string_equal(out, "v=spf1 -all");
	/* Quote, backslash, NUL, ESC and 8-bit bytes become \DDD. */
	assert_int_equal(dns_escape_text("a\"\\\0\033\xff", 6, out, sizeof(out)), 21);
	assert_string_equal(out, "a\\034\\092\\000\\027\\255");
	/* Truncation keeps escapes whole and reports the full length. */
	assert_int_equal(dns_escape_text("ab\033", 3, out, 5), 6);
	assert_string_equal(out, "ab");
	assert_int_equal(dns_escape_text("abc", 3, NULL, 0), 3);
}

static void test_answer_copy(void **state)
{
	struct dns_answer a;
	(void)state;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", "example.com");
	a.type = DNS_TYPE_TXT;
	assert_int_equal(dns_answer_add(&a, DNS_TYPE_TXT, 0, "v=spf1\0x", 8, NULL), 0);
	struct dns_answer *c = dns_answer_dup(&a);
	assert_non_null(c);
	assert_int_equal(c->nrr, 1);
	assert_int_equal(c->rr[0].len, 8);
	assert_memory_equal(c->rr[0].data, "v=spf1\0x", 8);
	assert_ptr_not_equal(c->rr[0].data, a.rr[0].data);
	dns_answer_free(c);
	/* The record cap holds. */
	for (int i = 1; i < DNS_ANSWER_MAX_RRS; i++)
		assert_int_equal(dns_answer_add(&a, DNS_TYPE_TXT, 0, "x", 1, NULL), 0);
	assert_int_equal(dns_answer_add(&a, DNS_TYPE_TXT, 0, "x", 1, NULL), -1);
	dns_answer_cleanup(&a);
	assert_int_equal(a.nrr, 0);
}

static void test_names(void **state)
{
	char buf[16];
	(void)state;
	assert_int_equal(dns_type_parse("txt"), DNS_TYPE_TXT);
	assert_int_equal(dns_type_parse("AAAA"), DNS_TYPE_AAAA);
	assert_int_equal(dns_type_parse("SPF"), 0); /* never queried: RFC 7208 3.1 */
	assert_string_equal(dns_type_name(99, buf, sizeof(buf)), "TYPE99");
	assert_string_equal(dns_rcode_name(5, buf, sizeof(buf)), "REFUSED");
	assert_string_equal(dns_rcode_name(-1, buf, sizeof(buf)), "none");
	assert_string_equal(dns_rcode_name(9, buf, sizeof(buf)), "RCODE9");
	assert_string_equal(dns_outcome_name(DNS_OUTCOME_NODATA), "nodata");
	assert_string_equal(dns_outcome_name(DNS_OUTCOME_MALFORMED), "malformed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),   cmocka_unit_test(test_normalize_limits),
		cmocka_unit_test(test_equal),       cmocka_unit_test(test_from_wire),
		cmocka_unit_test(test_escape_name), cmocka_unit_test(test_server_parse),
		cmocka_unit_test(test_escape),      cmocka_unit_test(test_answer_copy),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
