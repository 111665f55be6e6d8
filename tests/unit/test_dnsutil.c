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
		{ "", NULL },                           /* empty */
		{ ".", NULL },                          /* the root is not a domain */
		{ "a..b", NULL },                       /* empty label */
		{ ".a", NULL },                         /* empty first label */
		{ "exa mple.com", "exa\\032mple.com" }, /* space: a legal octet (RFC 2181 11) */
		{ "ex\x01.com", NULL },                 /* control byte */
		{ "a..", NULL },                        /* a final dot after an empty label */
		{ "a.b..", NULL },
		{ "..", NULL },
		/* Presentation form: \DDD undone, odd bytes escaped again,
		 * letters lower-cased; the same name in any spelling. */
		{ "Foo:Bar/baz.example.com", "foo\\058bar\\047baz.example.com" },
		{ "foo\\058bar\\047baz.example.com.", "foo\\058bar\\047baz.example.com" },
		{ "\\070\\079\\079.example", "foo.example" }, /* escaped letters */
		{ "a\\046b.example", "a\\046b.example" },     /* a dot inside a label */
		{ "a\\000b.example", "a\\000b.example" },     /* any octet, NUL too */
		{ "a\\255.example", "a\\255.example" },
		{ "a\\256.example", NULL }, /* no such byte */
		{ "a\\05.example", NULL },  /* \DDD needs three digits */
		{ "a\\b.example", NULL },   /* "\X" is not used: a stray backslash */
		{ "a\\", NULL },
		{ "a\\092b.example", "a\\092b.example" }, /* a backslash in a label */
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

static void test_normalize_idempotent(void **state)
{
	/* Canonical names come out as they go in, however odd their bytes:
	 * a name read from an answer can be asked again as it is. */
	static const char *const names[] = {
		"example.com",        "foo\\058bar\\047baz.example.com",
		"a\\046b.c",          "\\000\\001\\255.x",
		"exa\\032mple.com",   "*.example",
		"_dmarc.example.com",
	};
	char out[DNS_NAME_BUF], again[DNS_NAME_BUF];
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(dns_name_normalize(names[i], out, sizeof(out)), 0);
		assert_string_equal(out, names[i]);
		assert_int_equal(dns_name_normalize(out, again, sizeof(again)), 0);
		assert_string_equal(again, out);
	}
}

static void test_equal(void **state)
{
	(void)state;
	assert_true(dns_name_equal("Example.com.", "example.COM"));
	assert_false(dns_name_equal("example.com", "example.co"));
	assert_false(dns_name_equal("a.example.com", "example.com"));
	/* Spellings of one name. */
	assert_true(dns_name_equal("foo:bar.example", "FOO\\058bar.example."));
	assert_true(dns_name_equal("\\070oo.example", "foo.example"));
	/* A dot inside a label is not a separator. */
	assert_false(dns_name_equal("a\\046b.example", "a.b.example"));
	/* 8-bit bytes are not folded (RFC 4343 2: ASCII only). */
	assert_false(dns_name_equal("\\201.example", "\\233.example"));
}

static void test_to_wire(void **state)
{
	static const struct {
		const char *name;
		int rc;
		const char *wire;
	} rows[] = {
		{ "ab.example", 12, "\002ab\007example" },
		{ "ab.example.", 12, "\002ab\007example" }, /* a final dot */
		{ ".", 1, "" },                             /* the root */
		{ "foo\\058bar.x", 11, "\007foo:bar\001x" },
		{ "a\\046b.x", 7, "\003a.b\001x" },
		{ "A\\000.x", 6, "\002A\000\001x" }, /* case kept, NUL byte */
		{ "", -1, NULL },
		{ "a..", -1, NULL },
		{ "..", -1, NULL },
		{ ".a", -1, NULL },
		{ "a\\1", -1, NULL },
		{ "a\x7f.x", -1, NULL }, /* DEL must be escaped */
		{ "a\xc3\xbc.x", -1, NULL },
	};
	uint8_t out[255];
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = dns_name_to_wire(rows[i].name, out, sizeof(out));
		assert_int_equal(rc, rows[i].rc);
		if (rc > 0) {
			assert_memory_equal(out, rows[i].wire, (size_t)rc - 1);
			assert_int_equal(out[rc - 1], 0);
		}
	}
	/* 63 escaped bytes are a label; 64 are not. 255 bytes of wire, no
	 * more, however the text is spelled. */
	char name[DNS_NAME_BUF];
	size_t o = 0;
	for (int i = 0; i < 63; i++)
		o += (size_t)snprintf(name + o, sizeof(name) - o, "\\255");
	snprintf(name + o, sizeof(name) - o, ".x");
	assert_int_equal(dns_name_to_wire(name, out, sizeof(out)), 1 + 63 + 2 + 1);
	snprintf(name + o, sizeof(name) - o, "a.x");
	assert_int_equal(dns_name_to_wire(name, out, sizeof(out)), -1);
	o = 0;
	for (int i = 0; i < 4; i++)
		o += (size_t)snprintf(name + o, sizeof(name) - o, "%s%s", i ? "." : "",
		                      "\\046\\046\\046\\046\\046\\046\\046\\046\\046\\046"
		                      "\\046\\046\\046\\046\\046\\046\\046\\046\\046\\046"
		                      "\\046\\046\\046\\046\\046\\046\\046\\046\\046\\046"
		                      "\\046\\046\\046\\046\\046\\046\\046\\046\\046\\046"
		                      "\\046\\046\\046\\046\\046\\046\\046\\046\\046\\046"
		                      "\\046\\046\\046\\046\\046\\046\\046\\046\\046\\046"
		                      "\\046\\046\\046");
	/* 4 labels of 63: 4 x 64 + 1 = 257 bytes. */
	assert_int_equal(dns_name_to_wire(name, out, sizeof(out)), -1);
	/* Output too small: error, never overflow. */
	assert_int_equal(dns_name_to_wire("ab.example", out, 5), -1);
}

static void test_wire_round_trip(void **state)
{
	/* Every byte in a label goes from the wire to a name and back
	 * unchanged (letters lower-cased). */
	uint8_t wire[4], back[255];
	char name[DNS_NAME_BUF];
	(void)state;
	for (unsigned c = 0; c < 256; c++) {
		wire[0] = 2;
		wire[1] = (uint8_t)c;
		wire[2] = 'x';
		wire[3] = 0;
		assert_int_equal(dns_name_from_wire(wire, 4, name, sizeof(name)), 4);
		assert_int_equal(dns_name_to_wire(name, back, sizeof(back)), 4);
		uint8_t want = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		assert_int_equal(back[1], want);
	}
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

static void test_from_text(void **state)
{
	static const struct {
		const char *text, *name; /* name NULL: refused */
	} rows[] = {
		{ "mail.example.com", "mail.example.com" },   /* ordinary names unchanged */
		{ "Mail.Example.COM.", "Mail.Example.COM." }, /* case and final dot kept */
		{ "a b%c\\d.example", "a\\032b\\037c\\092d.example" },
		{ "foo:bar/baz.example.com", "foo\\058bar\\047baz.example.com" },
		{ "a..b", "a..b" },       /* labels are not checked here */
		{ "a\tb.example", NULL }, /* a control character */
		{ "b\xc3\xbc.de", NULL }, /* 8-bit: IDNs come as A-labels */
	};
	char out[DNS_NAME_BUF], back[DNS_NAME_BUF];
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = dns_name_from_text(rows[i].text, out, sizeof(out));
		if (rows[i].name == NULL) {
			assert_int_equal(rc, -1);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(out, rows[i].name);
		/* And back: the text again. */
		assert_int_equal(dns_name_to_text(out, back, sizeof(back)), 0);
		assert_string_equal(back, rows[i].text);
	}
	assert_int_equal(dns_name_from_text("a b", out, 4), -1);
	/* The way back refuses what text cannot hold or say. */
	assert_int_equal(dns_name_to_text("a\\000b.x", back, sizeof(back)), -1);
	assert_int_equal(dns_name_to_text("a\\0.x", back, sizeof(back)), -1);
	assert_int_equal(dns_name_to_text("abc", back, 3), -1);
	assert_int_equal(dns_name_to_text("a\\046b.x", back, sizeof(back)), 0);
	assert_string_equal(back, "a.b.x");
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
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_normalize_limits),
		cmocka_unit_test(test_normalize_idempotent),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_to_wire),
		cmocka_unit_test(test_from_wire),
		cmocka_unit_test(test_wire_round_trip),
		cmocka_unit_test(test_from_text),
		cmocka_unit_test(test_server_parse),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_answer_copy),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
