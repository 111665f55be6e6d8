/*
 * Unit tests for spf.c and spf_eval.c: the parser (a table: record,
 * whether it is a PermError, what it holds), macro expansion (RFC 7208
 * 7.4's own examples), and check_host's replay contract over a memo.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "memo.h"
#include "spf.h"
#include "spf_audit.h"

static void test_is_record(void **state)
{
	(void)state;
	assert_true(spf_is_record("v=spf1", 6));
	assert_true(spf_is_record("v=spf1 -all", 11));
	assert_true(spf_is_record("V=SPF1 -all", 11)); /* ABNF literals ignore case */
	assert_false(spf_is_record("v=spf10 -all", 12));
	assert_false(spf_is_record("v=spf1\t-all", 11));
	assert_false(spf_is_record(" v=spf1 -all", 12));
	assert_false(spf_is_record("v=spf", 5));
}

static const struct {
	const char *text;
	bool permerror;
	int nmechs;       /* -1: do not check */
	const char *code; /* a finding that must be present, or NULL */
	const char *why;
} rows[] = {
	{ "v=spf1", false, 0, NULL, "empty record is valid (neutral)" },
	{ "v=spf1 -all", false, 1, NULL, "" },
	{ "v=spf1  -all ", false, 1, NULL, "extra spaces are fine" },
	{ "V=SPF1 -ALL", false, 1, NULL, "case-insensitive names" },
	{ "v=spf1 a/24//64 mx:example.com/30 ptr ?all", false, 4, NULL, "dual cidr" },
	{ "v=spf1 a//64", false, 1, NULL, "ip6 cidr only" },
	{ "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32", false, 2, NULL, "" },
	{ "v=spf1 ip4:192.0.2.0/33", true, -1, "spf.syntax", "ip4 prefix over 32" },
	{ "v=spf1 ip4:192.0.2.0/024", true, -1, "spf.syntax", "leading zero" },
	{ "v=spf1 ip4:192.0.2", true, -1, "spf.syntax", "three octets" },
	{ "v=spf1 ip4:192.0.2.1/", true, -1, "spf.syntax", "empty prefix" },
	{ "v=spf1 ip6:2001:db8::/129", true, -1, "spf.syntax", "ip6 prefix over 128" },
	{ "v=spf1 ip6:192.0.2.1", true, -1, "spf.syntax", "ip4 address in ip6" },
	{ "v=spf1 include", true, -1, "spf.syntax", "include without domain" },
	{ "v=spf1 include:", true, -1, "spf.syntax", "empty domain" },
	{ "v=spf1 include:example", true, -1, "spf.syntax", "no top label" },
	{ "v=spf1 include:example.123", true, -1, "spf.syntax", "numeric top label" },
	{ "v=spf1 include:example.com.", false, 1, NULL, "final dot" },
	{ "v=spf1 a:foo-bar.com-x", false, 1, NULL, "top label with dash" },
	{ "v=spf1 include:%{d}", false, 1, NULL, "macro at the end" },
	{ "v=spf1 exists:%{ir}.%{v}.rbl.example", false, 1, NULL, "" },
	{ "v=spf1 all:foo.example", true, -1, "spf.syntax", "all takes nothing" },
	{ "v=spf1 foo", true, -1, "spf.syntax", "unknown mechanism" },
	{ "v=spf1 -redirect=x.example", true, -1, "spf.syntax", "qualified modifier" },
	{ "v=spf1 redirect=a.example redirect=b.example", true, -1, "spf.syntax", "two redirects" },
	{ "v=spf1 exp=a.example exp=b.example", true, -1, "spf.syntax", "two exps" },
	{ "v=spf1 moo=bar -all", false, 1, "spf.unknown_modifier", "ignored" },
	{ "v=spf1 moo.cow-2_x=%{d} -all", false, 1, "spf.unknown_modifier", "" },
	{ "v=spf1 1moo=bar", true, -1, "spf.syntax", "name starts with a digit" },
	{ "v=spf1 a:%.example.com", true, -1, "spf.syntax", "bare %" },
	{ "v=spf1 a:%{x}.example.com", true, -1, "spf.syntax", "unknown macro letter" },
	{ "v=spf1 a:%{d0}.example.com", true, -1, "spf.syntax", "zero transformer" },
	{ "v=spf1 a:%{c}.example.com", true, -1, "spf.syntax", "c only in exp" },
	{ "v=spf1 a:%{d.example.com", true, -1, "spf.syntax", "unterminated macro" },
	{ "v=spf1 a:%%.%_.%-.example.com", false, 1, NULL, "escapes" },
	{ "v=spf1 -all\tmx", true, -1, "spf.syntax", "tab separator" },
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct spf_record *rec = NULL;
		assert_int_equal(spf_parse(rows[i].text, strlen(rows[i].text), &rec), 0);
		if (rec->permerror != rows[i].permerror)
			fail_msg("row %zu \"%s\" (%s): permerror %d", i, rows[i].text, rows[i].why,
			         rec->permerror);
		if (rows[i].nmechs >= 0)
			assert_int_equal(rec->nmechs, rows[i].nmechs);
		if (rows[i].code != NULL && !findings_has(&rec->findings, rows[i].code))
			fail_msg("row %zu \"%s\": no %s", i, rows[i].text, rows[i].code);
		spf_record_free(rec);
	}
}

static void test_parse_fields(void **state)
{
	struct spf_record *rec = NULL;
	const char *t =
	        "v=spf1 ~a:mail.example.com/24//64 ip4:192.0.2.128/25 redirect=_spf.example.com";
	(void)state;
	assert_int_equal(spf_parse(t, strlen(t), &rec), 0);
	assert_false(rec->permerror);
	assert_int_equal(rec->nmechs, 2);
	assert_int_equal(rec->mechs[0].kind, SPF_MECH_A);
	assert_int_equal(rec->mechs[0].qualifier, '~');
	assert_string_equal(rec->mechs[0].domain_spec, "mail.example.com");
	assert_int_equal(rec->mechs[0].cidr4, 24);
	assert_int_equal(rec->mechs[0].cidr6, 64);
	assert_int_equal(rec->mechs[0].pos, 7);
	assert_int_equal(rec->mechs[1].kind, SPF_MECH_IP4);
	assert_int_equal(rec->mechs[1].cidr4, 25);
	assert_memory_equal(rec->mechs[1].addr, "\xc0\x00\x02\x80", 4);
	assert_string_equal(rec->redirect, "_spf.example.com");
	assert_null(rec->exp);
	spf_record_free(rec);
}

static void test_parse_hostile(void **state)
{
	struct spf_record *rec = NULL;
	(void)state;
	/* A NUL byte is a syntax error, not the end of the record. */
	assert_int_equal(spf_parse("v=spf1 a\0 -all", 14, &rec), 0);
	assert_true(rec->permerror);
	spf_record_free(rec);
	/* 64 KiB of terms: bounded by SPF_MAX_TERMS (within
	 * DNS_TXT_MAX_BYTES) and by DNS_TXT_MAX_BYTES, no crash. */
	size_t n = 65536;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "v=spf1 ", 7);
	for (size_t i = 7; i < n; i += 2)
		big[i] = 'a';
	assert_int_equal(spf_parse(big, 2 * SPF_MAX_TERMS + 100, &rec), 0);
	assert_true(rec->permerror);
	assert_int_equal(rec->nmechs, SPF_MAX_TERMS);
	spf_record_free(rec);
	assert_int_equal(spf_parse(big, n, &rec), 0);
	assert_true(rec->permerror);
	assert_int_equal(rec->nmechs, 0);
	spf_record_free(rec);
	/* Deeply nested braces and binary bytes. */
	for (size_t i = 6; i < n; i++)
		big[i] = (i % 3) ? '{' : '%';
	assert_int_equal(spf_parse(big, n, &rec), 0);
	assert_true(rec->permerror);
	spf_record_free(rec);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i * 131 + 7);
	assert_int_equal(spf_parse(big, n, &rec), 0);
	assert_true(rec->permerror);
	spf_record_free(rec);
	free(big);
}

/* RFC 7208 7.4, with sender strong-bad@email.example.com, IP 192.0.2.3. */
static void test_macro_rfc_examples(void **state)
{
	static const struct {
		const char *in, *out;
	} ex[] = {
		{ "%{s}", "strong-bad@email.example.com" },
		{ "%{o}", "email.example.com" },
		{ "%{d}", "email.example.com" },
		{ "%{d4}", "email.example.com" },
		{ "%{d3}", "email.example.com" },
		{ "%{d2}", "example.com" },
		{ "%{d1}", "com" },
		{ "%{dr}", "com.example.email" },
		{ "%{d2r}", "example.email" },
		{ "%{l}", "strong-bad" },
		{ "%{l-}", "strong.bad" },
		{ "%{lr}", "strong-bad" },
		{ "%{lr-}", "bad.strong" },
		{ "%{l1r-}", "strong" },
		{ "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com" },
		{ "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com" },
		{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
		  "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
		{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
		  "3.2.0.192.in-addr.strong.lp._spf.example.com" },
		{ "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net" },
		{ "%%%_%-", "% %20" },
		{ "%{S}", "strong-bad%40email.example.com" }, /* upper case: URL-escaped */
		{ "%{d999}", "email.example.com" },
	};
	const uint8_t ip[4] = { 192, 0, 2, 3 };
	struct spf_macro_ctx ctx = { "strong-bad@email.example.com",
		                     "email.example.com",
		                     ip,
		                     false,
		                     "mx.example.org",
		                     "receiver.example",
		                     NULL,
		                     1700000000 };
	char out[SPF_MAX_EXPANSION], err[160];
	(void)state;
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		int n = spf_macro_expand(ex[i].in, strlen(ex[i].in), &ctx, false, out, sizeof(out),
		                         err, sizeof(err));
		if (n < 0 || strcmp(out, ex[i].out) != 0)
			fail_msg("%s -> \"%s\" (rc %d), want \"%s\"", ex[i].in, out, n, ex[i].out);
	}
}

static void test_macro_ip6_and_exp(void **state)
{
	/* RFC 7208 7.4: IPv6 2001:db8::cb01. */
	const uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcb, 0x01 };
	struct spf_macro_ctx ctx = { "strong-bad@email.example.com",
		                     "email.example.com",
		                     ip,
		                     true,
		                     "mx.example.org",
		                     "receiver.example",
		                     NULL,
		                     1700000000 };
	char out[SPF_MAX_EXPANSION], err[160];
	const char *in = "%{ir}.%{v}._spf.%{d2}";
	(void)state;
	assert_true(spf_macro_expand(in, strlen(in), &ctx, false, out, sizeof(out), err,
	                             sizeof(err)) > 0);
	assert_string_equal(out, "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2"
	                         ".ip6._spf.example.com");
	/* c, r, t only in explanations; spaces allowed there. */
	in = "%{c} to %{r} at %{t}";
	assert_int_equal(
	        spf_macro_expand(in, strlen(in), &ctx, false, out, sizeof(out), err, sizeof(err)),
	        -1);
	assert_true(spf_macro_expand(in, strlen(in), &ctx, true, out, sizeof(out), err,
	                             sizeof(err)) > 0);
	assert_string_equal(out, "2001:db8::cb01 to receiver.example at 1700000000");
	/* Output that does not fit is -2, never a silent cut. */
	assert_int_equal(spf_macro_expand("%{s}", 4, &ctx, false, out, 8, err, sizeof(err)), -2);
}

static struct dns_answer *txt_answer(const char *name, const char *txt)
{
	struct dns_answer *a = calloc(1, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->type = DNS_TYPE_TXT;
	a->outcome = txt ? DNS_OUTCOME_DATA : DNS_OUTCOME_NXDOMAIN;
	if (txt)
		dns_answer_add(a, DNS_TYPE_TXT, 0, txt, strlen(txt), NULL);
	return a;
}

/* The replay contract: pending names the missing answer; after it is
 * added, the same call goes one step further. */
static void test_check_host_replay(void **state)
{
	struct dns_memo *memo = dns_memo_new();
	struct spf_dns dns = { dns_memo_lookup, memo, NULL };
	struct spf_request req = { "192.0.2.10", "user@example.com", "mx.example.com", NULL, 0 };
	struct spf_eval_result r;
	(void)state;

	assert_int_equal(spf_check_host(&req, &dns, &r), 0);
	assert_true(r.pending);
	assert_string_equal(r.need_name, "example.com");
	assert_int_equal(r.need_type, DNS_TYPE_TXT);
	spf_eval_result_cleanup(&r);

	struct dns_answer *a = txt_answer("example.com", "v=spf1 include:_spf.example.net -all");
	dns_memo_put(memo, a);
	dns_answer_free(a);
	assert_int_equal(spf_check_host(&req, &dns, &r), 0);
	assert_true(r.pending);
	assert_string_equal(r.need_name, "_spf.example.net");
	spf_eval_result_cleanup(&r);

	a = txt_answer("_spf.example.net", "v=spf1 ip4:192.0.2.0/28 -all");
	dns_memo_put(memo, a);
	dns_answer_free(a);
	assert_int_equal(spf_check_host(&req, &dns, &r), 0);
	assert_false(r.pending);
	assert_int_equal(r.result, SPF_RESULT_PASS);
	assert_int_equal(r.lookups, 1);
	spf_eval_result_cleanup(&r);

	req.ip = "192.0.2.99";
	assert_int_equal(spf_check_host(&req, &dns, &r), 0);
	assert_int_equal(r.result, SPF_RESULT_FAIL);
	spf_eval_result_cleanup(&r);

	req.ip = "not-an-ip";
	assert_int_equal(spf_check_host(&req, &dns, &r), -1);
	spf_eval_result_cleanup(&r);
	dns_memo_free(memo);
}

static void put_txt(struct dns_memo *memo, const char *name, const char *txt)
{
	struct dns_answer *a = txt_answer(name, txt);
	assert_int_equal(dns_memo_put(memo, a), 0);
	dns_answer_free(a);
}

/* The audit's look-ahead: pending on the first missing answer, it names
 * the others the walk will need (siblings, and mx:/a: targets when no TXT
 * before them is missing: that TXT may push them past the 10th lookup),
 * never one it has, never one twice, and the completed walk asks for
 * nothing else. */
static void test_audit_look_ahead(void **state)
{
	struct dns_memo *memo = dns_memo_new();
	struct spf_dns dns = { dns_memo_lookup, memo, NULL };
	struct spf_audit a;
	(void)state;

	assert_int_equal(spf_audit_run("example.com", &dns, &a), 0);
	assert_true(a.pending);
	assert_string_equal(a.need_name, "example.com");
	assert_int_equal(a.nmore, 0); /* nothing is known past the root */
	spf_audit_cleanup(&a);

	put_txt(memo, "example.com",
	        "v=spf1 include:one.example include:two.example mx:mail.example "
	        "include:one.example redirect=three.example");
	assert_int_equal(spf_audit_run("example.com", &dns, &a), 0);
	assert_true(a.pending);
	assert_string_equal(a.need_name, "one.example");
	/* The walk goes on to the end of the record, redirect= included;
	 * the repeated include is named once; mx:mail.example waits for
	 * the TXT before it. */
	assert_int_equal(a.nmore, 2);
	assert_string_equal(a.more[0].name, "two.example");
	assert_int_equal(a.more[0].type, DNS_TYPE_TXT);
	assert_string_equal(a.more[1].name, "three.example");
	assert_int_equal(a.more[1].type, DNS_TYPE_TXT);
	spf_audit_cleanup(&a);

	/* With one.example known, its own include joins the list. */
	put_txt(memo, "one.example", "v=spf1 include:deep.example -all");
	assert_int_equal(spf_audit_run("example.com", &dns, &a), 0);
	assert_string_equal(a.need_name, "deep.example");
	assert_int_equal(a.nmore, 2);
	assert_string_equal(a.more[0].name, "two.example");
	spf_audit_cleanup(&a);

	/* Every TXT before it known: the mx: target is named. */
	put_txt(memo, "deep.example", "v=spf1 ip4:192.0.2.0/24 -all");
	put_txt(memo, "two.example", "v=spf1 ip4:198.51.100.0/24 -all");
	assert_int_equal(spf_audit_run("example.com", &dns, &a), 0);
	assert_string_equal(a.need_name, "mail.example");
	assert_int_equal(a.need_type, DNS_TYPE_MX);
	assert_int_equal(a.nmore, 1);
	assert_string_equal(a.more[0].name, "three.example");
	spf_audit_cleanup(&a);

	/* Answer every name named, and the walk completes. */
	put_txt(memo, "three.example", "v=spf1 -all");
	struct dns_answer *mx = txt_answer("mail.example", NULL);
	mx->type = DNS_TYPE_MX;
	assert_int_equal(dns_memo_put(memo, mx), 0);
	dns_answer_free(mx);
	assert_int_equal(spf_audit_run("example.com", &dns, &a), 0);
	assert_false(a.pending);
	assert_int_equal(a.nmore, 0);
	assert_int_equal(a.status, SPF_STATUS_OK);
	spf_audit_cleanup(&a);
	dns_memo_free(memo);
}

/* Many missing siblings: at most SPF_AUDIT_LOOKAHEAD are named. */
static void test_audit_look_ahead_bounded(void **state)
{
	struct dns_memo *memo = dns_memo_new();
	struct spf_dns dns = { dns_memo_lookup, memo, NULL };
	struct spf_audit a;
	char rec[1024] = "v=spf1";
	(void)state;

	for (int i = 0; i < 12; i++)
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " include:i%d.example", i);
	put_txt(memo, "example.com", rec);
	assert_int_equal(spf_audit_run("example.com", &dns, &a), 0);
	assert_string_equal(a.need_name, "i0.example");
	assert_int_equal(a.nmore, SPF_AUDIT_LOOKAHEAD);
	assert_string_equal(a.more[SPF_AUDIT_LOOKAHEAD - 1].name, "i8.example");
	spf_audit_cleanup(&a);
	dns_memo_free(memo);
}

/* Parsed records kept across replays: found again by their text wherever
 * it lives, parsed fresh (and handed to the caller) without a memo or once
 * the memo is full. */
static void test_parse_memo(void **state)
{
	struct spf_parse_memo *m = spf_parse_memo_new();
	const struct spf_record *r1 = NULL, *r2 = NULL;
	struct spf_record *owned = NULL;
	char copy[64];
	const char *text = "v=spf1 ip4:192.0.2.0/24 -all";
	(void)state;

	assert_non_null(m);
	assert_int_equal(spf_parse_memo_get(m, text, strlen(text), &r1, &owned), 0);
	assert_non_null(r1);
	assert_null(owned);
	assert_int_equal(r1->nmechs, 2);
	snprintf(copy, sizeof(copy), "%s", text);
	assert_int_equal(spf_parse_memo_get(m, copy, strlen(copy), &r2, &owned), 0);
	assert_ptr_equal(r2, r1);
	assert_null(owned);
	/* A prefix of the same text is another record. */
	assert_int_equal(spf_parse_memo_get(m, text, 6, &r2, &owned), 0);
	assert_ptr_not_equal(r2, r1);
	assert_int_equal(r2->nmechs, 0);
	assert_null(owned);
	/* No memo: a fresh record the caller frees. */
	assert_int_equal(spf_parse_memo_get(NULL, text, strlen(text), &r2, &owned), 0);
	assert_non_null(owned);
	assert_ptr_equal(r2, owned);
	spf_record_free(owned);
	/* Full: fresh records again, the kept ones still found. */
	for (int i = 0; i < SPF_PARSE_MEMO_MAX; i++) {
		snprintf(copy, sizeof(copy), "v=spf1 ip4:198.51.100.%d -all", i);
		assert_int_equal(spf_parse_memo_get(m, copy, strlen(copy), &r2, &owned), 0);
		assert_non_null(r2);
		if (i < SPF_PARSE_MEMO_MAX - 2)
			assert_null(owned);
		else
			assert_ptr_equal(r2, owned);
		spf_record_free(owned);
	}
	assert_int_equal(spf_parse_memo_get(m, text, strlen(text), &r2, &owned), 0);
	assert_ptr_equal(r2, r1);
	assert_null(owned);
	spf_parse_memo_free(m);
}

/* The audit gives the same result with the memo as without, on the
 * replays that fill it and on those that read it (a record with a syntax
 * error included: that path returns early). */
static void test_audit_with_parse_memo(void **state)
{
	struct dns_memo *memo = dns_memo_new();
	struct spf_parse_memo *parsed = spf_parse_memo_new();
	struct spf_dns plain = { dns_memo_lookup, memo, NULL };
	struct spf_dns kept = { dns_memo_lookup, memo, parsed };
	(void)state;

	put_txt(memo, "example.com",
	        "v=spf1 include:one.example include:bad.example redirect=two.example");
	put_txt(memo, "one.example", "v=spf1 ip4:192.0.2.0/24 ~all");
	put_txt(memo, "bad.example", "v=spf1 ip4:300.1.2.3 -all");
	put_txt(memo, "two.example", "v=spf1 ip4:198.51.100.0/24 -all");
	for (int round = 0; round < 3; round++) {
		struct spf_audit a, b;
		assert_int_equal(spf_audit_run("example.com", &plain, &a), 0);
		assert_int_equal(spf_audit_run("example.com", &kept, &b), 0);
		assert_false(a.pending);
		assert_false(b.pending);
		assert_int_equal(b.status, a.status);
		assert_int_equal(a.status, SPF_STATUS_PERMERROR);
		assert_string_equal(b.error_code, a.error_code);
		assert_string_equal(b.all, a.all);
		assert_string_equal(a.all, "-all");
		assert_int_equal(b.lookups, a.lookups);
		assert_int_equal(a.lookups, 3);
		assert_int_equal(b.findings.n, a.findings.n);
		for (size_t i = 0; i < a.findings.n; i++) {
			assert_string_equal(b.findings.v[i].code, a.findings.v[i].code);
			assert_string_equal(b.findings.v[i].path, a.findings.v[i].path);
		}
		spf_audit_cleanup(&a);
		spf_audit_cleanup(&b);
	}
	spf_parse_memo_free(parsed);
	dns_memo_free(memo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_record),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_macro_rfc_examples),
		cmocka_unit_test(test_macro_ip6_and_exp),
		cmocka_unit_test(test_check_host_replay),
		cmocka_unit_test(test_audit_look_ahead),
		cmocka_unit_test(test_audit_look_ahead_bounded),
		cmocka_unit_test(test_parse_memo),
		cmocka_unit_test(test_audit_with_parse_memo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
