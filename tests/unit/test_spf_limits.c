/*
 * Unit tests of SPF at its limits (issue 19, items 2, 5 and 7): NUL bytes
 * inside a record (a syntax error naming the NUL, the record kept whole,
 * never cut there), records longer than posture reads (DNS_TXT_MAX_BYTES:
 * a PermError of their own, the records beside them untouched), and trees
 * that would need more answers than a domain may ask (RFC 7208 4.6.4: no
 * target past the 10th lookup is resolved; SPF_AUDIT_MAX_ANSWERS; what
 * look-ahead may ask in vain).
 *
 * The audit and check_host run over a memo filled by a fake resolver, as
 * drive_rounds does: every replay's missing answer and look-ahead asked.
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

/* ---- parsing ---------------------------------------------------------- */

static const struct finding *first_code(const struct findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].code, code) == 0)
			return &f->v[i];
	return NULL;
}

/* A NUL byte anywhere in a term: spf.syntax naming the NUL and where it
 * is; inet_pton never sees "192.0.2.1" alone. */
static void test_nul_in_terms(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		size_t at; /* the NUL's byte offset */
	} rows[] = {
		{ "v=spf1 ip4:192.0.2.1\0 -all", 26, 20 },
		{ "v=spf1 ip6:2001:db8::1\0 -all", 28, 22 },
		{ "v=spf1 a:mail\0.example.com -all", 31, 13 },
		{ "v=spf1 include:x.example\0 -all", 30, 24 },
		{ "v=spf1 -all\0", 12, 11 },
		{ "v=spf1 redirect=x.example\0", 26, 25 },
		{ "v=spf1 \0", 8, 7 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct spf_record *rec = NULL;
		char want[64];
		assert_int_equal(spf_parse(rows[i].text, rows[i].len, &rec), 0);
		const struct finding *f = first_code(&rec->findings, "spf.syntax");
		if (!rec->permerror || f == NULL) {
			fail_msg("row %zu: not a PermError", i);
			return;
		}
		snprintf(want, sizeof(want), "a NUL byte (\\000) at byte %zu", rows[i].at);
		if (strstr(f->message, want) == NULL)
			fail_msg("row %zu: %s", i, f->message);
		spf_record_free(rec);
	}
	/* The first of them as a whole message. */
	struct spf_record *rec = NULL;
	assert_int_equal(spf_parse(rows[0].text, rows[0].len, &rec), 0);
	assert_string_equal(rec->findings.v[0].message,
	                    "term \"ip4:192.0.2.1\\000\" at byte 7: a NUL byte (\\000) at byte "
	                    "20: no term may hold one");
	spf_record_free(rec);
	/* Right after "v=spf1" it is not an SPF record (RFC 7208 4.5). */
	assert_false(spf_is_record("v=spf1\0 -all", 12));
}

/* DNS_TXT_MAX_BYTES: a record of that length is read, one byte more is a
 * PermError that says how long it is, and no term of it is read. */
static void test_record_length(void **state)
{
	size_t n = DNS_TXT_MAX_BYTES + 1;
	char *big = malloc(n);
	struct spf_record *rec = NULL;
	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "v=spf1 ip4:192.0.2.1", 20);
	memcpy(big + DNS_TXT_MAX_BYTES - 4, "-all", 4);

	assert_int_equal(spf_parse(big, DNS_TXT_MAX_BYTES, &rec), 0);
	assert_false(rec->permerror);
	assert_int_equal(rec->nmechs, 2);
	spf_record_free(rec);

	big[DNS_TXT_MAX_BYTES] = 'a';
	assert_int_equal(spf_parse(big, n, &rec), 0);
	assert_true(rec->permerror);
	assert_int_equal(rec->nmechs, 0);
	assert_int_equal(rec->findings.n, 1);
	assert_string_equal(rec->findings.v[0].code, "spf.syntax");
	assert_string_equal(rec->findings.v[0].message,
	                    "the record \"v=spf1 ip4:192.0.2.1            ...\" is 8193 bytes, "
	                    "more than posture reads (8192, DNS_TXT_MAX_BYTES): not read");
	spf_record_free(rec);

	/* The parse memo keeps no copy of such a record. */
	struct spf_parse_memo *m = spf_parse_memo_new();
	const struct spf_record *got = NULL;
	struct spf_record *owned = NULL;
	assert_int_equal(spf_parse_memo_get(m, big, n, &got, &owned), 0);
	assert_non_null(owned);
	assert_ptr_equal(got, owned);
	assert_true(got->permerror);
	spf_record_free(owned);
	spf_parse_memo_free(m);
	free(big);
}

/* ---- a fake resolver -------------------------------------------------- */

struct zone_txt {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
};

struct zone {
	const struct zone_txt *txt; /* several rows of one name: one RRset */
	size_t ntxt;
	/* MX of "mNN.heavy.example": ten hosts hK.mNN.heavy.example, each
	 * with A 192.0.2.K and no AAAA; a name "jNN..." has no record. */
	int asked; /* answers put into the memo */
};

static struct dns_answer *answer_for(const struct zone *z, const char *name, uint16_t type)
{
	struct dns_answer *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->type = type;
	a->rcode = 0;
	a->outcome = DNS_OUTCOME_NXDOMAIN;
	if (type == DNS_TYPE_TXT) {
		for (size_t i = 0; i < z->ntxt; i++) {
			if (strcmp(z->txt[i].name, name) != 0)
				continue;
			size_t len = z->txt[i].len ? z->txt[i].len : strlen(z->txt[i].text);
			assert_int_equal(
			        dns_answer_add(a, DNS_TYPE_TXT, 0, z->txt[i].text, len, NULL), 0);
			a->outcome = DNS_OUTCOME_DATA;
		}
	} else if (type == DNS_TYPE_MX && strstr(name, ".heavy.example") != NULL) {
		for (int k = 1; k <= 10; k++) {
			char host[DNS_NAME_BUF];
			snprintf(host, sizeof(host), "h%d.%s", k, name);
			assert_int_equal(dns_answer_add(a, DNS_TYPE_MX, (uint16_t)k, host,
			                                strlen(host), NULL),
			                 0);
		}
		a->outcome = DNS_OUTCOME_DATA;
	} else if (strstr(name, ".heavy.example") != NULL) {
		a->outcome = DNS_OUTCOME_NODATA;
		if (type == DNS_TYPE_A) {
			uint8_t ip[4] = { 192, 0, 2, (uint8_t)strtol(name + 1, NULL, 10) };
			assert_int_equal(dns_answer_add(a, DNS_TYPE_A, 0, "192.0.2.1", 9, ip), 0);
			a->outcome = DNS_OUTCOME_DATA;
		}
	}
	return a;
}

static void put(struct dns_memo *memo, struct zone *z, const char *name, uint16_t type)
{
	if (dns_memo_holds(memo, name, type))
		return;
	struct dns_answer *a = answer_for(z, name, type);
	assert_int_equal(dns_memo_put(memo, a), 0);
	dns_answer_free(a);
	z->asked++;
}

/* Runs the audit to completion as drive_rounds does (the missing answer
 * and every look-ahead each round); returns the rounds taken. */
static int audit(const char *domain, struct zone *z, struct dns_memo *memo, struct spf_audit *out)
{
	struct spf_dns dns = { dns_memo_lookup, memo, NULL };
	for (int round = 0; round < 2 * DNS_MEMO_MAX; round++) {
		assert_int_equal(spf_audit_run(domain, &dns, out), 0);
		if (!out->pending)
			return round;
		put(memo, z, out->need_name, out->need_type);
		for (size_t i = 0; i < out->nmore; i++)
			put(memo, z, out->more[i].name, out->more[i].type);
		spf_audit_cleanup(out);
	}
	fail_msg("the audit of %s did not finish", domain);
	return -1;
}

static void eval(const char *ip, const char *domain, struct zone *z, struct dns_memo *memo,
                 struct spf_eval_result *out)
{
	struct spf_dns dns = { dns_memo_lookup, memo, NULL };
	char sender[DNS_NAME_BUF];
	snprintf(sender, sizeof(sender), "user@%s", domain);
	struct spf_request req = { ip, sender, "mx.example.org", NULL, 0 };
	for (int round = 0; round < DNS_MEMO_MAX; round++) {
		assert_int_equal(spf_check_host(&req, &dns, out), 0);
		if (!out->pending)
			return;
		put(memo, z, out->need_name, out->need_type);
		spf_eval_result_cleanup(out);
	}
	fail_msg("check_host of %s did not finish", domain);
}

/* ---- records in the audit and check_host --------------------------------- */

/* A NUL inside the record: PermError in both, the record kept whole
 * (record_len counts past the NUL) for the outputs to escape. */
static void test_nul_record_kept_whole(void **state)
{
	static const char text[] = "v=spf1 ip4:192.0.2.1\0 -all";
	static const struct zone_txt txt[] = { { "nul.example", text, sizeof(text) - 1 } };
	struct zone z = { txt, 1, 0 };
	struct dns_memo *memo = dns_memo_new();
	struct spf_audit a;
	struct spf_eval_result r;
	(void)state;

	audit("nul.example", &z, memo, &a);
	assert_int_equal(a.status, SPF_STATUS_PERMERROR);
	assert_string_equal(a.error_code, "spf.syntax");
	assert_int_equal(a.record_len, sizeof(text) - 1);
	assert_memory_equal(a.record, text, sizeof(text));
	assert_int_equal(a.tree->record_len, sizeof(text) - 1);
	assert_memory_equal(a.tree->record, text, sizeof(text));
	spf_audit_cleanup(&a);

	eval("192.0.2.1", "nul.example", &z, memo, &r);
	assert_int_equal(r.result, SPF_RESULT_PERMERROR);
	assert_non_null(strstr(r.reason, "NUL byte"));
	spf_eval_result_cleanup(&r);
	dns_memo_free(memo);
}

/* Longer than posture reads: a PermError whose record is not kept; a
 * huge TXT record beside a good SPF record hides nothing. */
static void test_long_records(void **state)
{
	size_t n = 16384;
	char *spf = malloc(n), *junk = malloc(n);
	assert_non_null(spf);
	assert_non_null(junk);
	memset(spf, ' ', n);
	memcpy(spf, "v=spf1 ip4:192.0.2.1", 20);
	memset(junk, 'x', n);
	memcpy(junk, "verification=", 13);
	const struct zone_txt txt[] = {
		{ "long.example", spf, n },
		{ "beside.example", junk, n },
		{ "beside.example", "v=spf1 ip4:192.0.2.1 -all", 0 },
	};
	struct zone z = { txt, 3, 0 };
	struct dns_memo *memo = dns_memo_new();
	struct spf_audit a;
	struct spf_eval_result r;
	(void)state;

	audit("long.example", &z, memo, &a);
	assert_int_equal(a.status, SPF_STATUS_PERMERROR);
	assert_string_equal(a.error_code, "spf.syntax");
	assert_null(a.record);
	assert_null(a.tree->record);
	assert_int_equal(a.tree->status, SPF_STATUS_PERMERROR);
	assert_non_null(strstr(a.findings.v[0].message, "is 16384 bytes"));
	spf_audit_cleanup(&a);
	eval("192.0.2.1", "long.example", &z, memo, &r);
	assert_int_equal(r.result, SPF_RESULT_PERMERROR);
	spf_eval_result_cleanup(&r);

	audit("beside.example", &z, memo, &a);
	assert_int_equal(a.status, SPF_STATUS_OK);
	assert_string_equal(a.record, "v=spf1 ip4:192.0.2.1 -all");
	assert_string_equal(a.all, "-all");
	spf_audit_cleanup(&a);
	eval("192.0.2.1", "beside.example", &z, memo, &r);
	assert_int_equal(r.result, SPF_RESULT_PASS);
	spf_eval_result_cleanup(&r);
	dns_memo_free(memo);
	free(spf);
	free(junk);
}

/* ---- answers ------------------------------------------------------------- */

/* 25 mx: terms of 10 hosts each (the tree): PermError for too
 * many lookups, and only the first 10 terms resolved (RFC 7208 4.6.4:
 * check_host asks nothing past the 10th), 211 answers instead of 526. */
static void test_mx_heavy(void **state)
{
	char rec[2048] = "v=spf1";
	for (int i = 1; i <= 25; i++)
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " mx:m%02d.heavy.example",
		         i);
	snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " -all");
	const struct zone_txt txt[] = { { "heavy.example", rec, 0 } };
	struct zone z = { txt, 1, 0 };
	struct dns_memo *memo = dns_memo_new();
	struct spf_audit a;
	struct spf_eval_result r;
	(void)state;

	audit("heavy.example", &z, memo, &a);
	assert_int_equal(a.status, SPF_STATUS_PERMERROR);
	assert_string_equal(a.error_code, "spf.too_many_lookups");
	assert_int_equal(a.lookups, 25);
	assert_int_equal(a.ipv4_addresses, 100); /* 10 terms x 10 hosts */
	assert_null(first_code(&a.findings, "spf.tree_too_large"));
	assert_int_equal(z.asked, 1 + 10 * 21);
	assert_int_equal((int)dns_memo_count(memo), 1 + 10 * 21);
	spf_audit_cleanup(&a);

	/* check_host stops at the 11th term: one client address, A only. */
	eval("198.51.100.1", "heavy.example", &z, memo, &r);
	assert_int_equal(r.result, SPF_RESULT_PERMERROR);
	assert_int_equal(r.lookups, 11);
	spf_eval_result_cleanup(&r);
	dns_memo_free(memo);
}

/* Past the limit the audit still shows includes, until it has asked
 * SPF_AUDIT_MAX_ANSWERS: then one spf.tree_too_large finding and no more
 * answers. */
static void test_answer_budget(void **state)
{
	char rec[8192] = "v=spf1";
	for (int i = 1; i <= 10; i++)
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " mx:m%02d.heavy.example",
		         i);
	for (int i = 0; i < 200; i++)
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " include:j%d.example", i);
	const struct zone_txt txt[] = { { "budget.example", rec, 0 } };
	struct zone z = { txt, 1, 0 };
	struct dns_memo *memo = dns_memo_new();
	struct spf_audit a;
	(void)state;

	audit("budget.example", &z, memo, &a);
	assert_int_equal(a.status, SPF_STATUS_PERMERROR);
	assert_string_equal(a.error_code, "spf.include_no_record");
	int cuts = 0;
	for (size_t i = 0; i < a.findings.n; i++)
		if (strcmp(a.findings.v[i].code, "spf.tree_too_large") == 0) {
			cuts++;
			assert_non_null(strstr(a.findings.v[i].message, "SPF_AUDIT_MAX_ANSWERS"));
		}
	assert_int_equal(cuts, 1);
	assert_int_equal(z.asked, SPF_AUDIT_MAX_ANSWERS);
	/* The root's terms are all counted; what the includes past the cut
	 * would add is not (a lower bound). */
	assert_int_equal(a.lookups, 210);
	spf_audit_cleanup(&a);
	dns_memo_free(memo);
}

/* A hostile chain: each record includes the next one first, then 300
 * names without a record. Look-ahead names the siblings of the missing
 * record, which the next record's includes then push past the bound: the
 * answers asked in vain stay within SPF_AUDIT_LOOKAHEAD per level down to
 * SPF_AUDIT_LOOKAHEAD_DEPTH, as memo.c counts them. */
static void test_look_ahead_in_vain_bounded(void **state)
{
	enum { LEVELS = 8, SIBLINGS = 300 };
	static char recs[LEVELS][8192];
	static char names[LEVELS][32];
	struct zone_txt txt[LEVELS];
	(void)state;

	for (int l = 0; l < LEVELS; l++) {
		snprintf(names[l], sizeof(names[l]), "l%d.chain.example", l);
		snprintf(recs[l], sizeof(recs[l]), "v=spf1 include:l%d.chain.example", l + 1);
		for (int i = 0; i < SIBLINGS; i++)
			snprintf(recs[l] + strlen(recs[l]), sizeof(recs[l]) - strlen(recs[l]),
			         " include:j%d.l%d.example", i, l);
		assert_true(strlen(recs[l]) < DNS_TXT_MAX_BYTES);
		txt[l] = (struct zone_txt){ names[l], recs[l], 0 };
	}
	struct zone z = { txt, LEVELS, 0 };
	struct dns_memo *memo = dns_memo_new();
	struct spf_audit a;

	audit("l0.chain.example", &z, memo, &a);
	assert_int_equal(a.status, SPF_STATUS_PERMERROR);
	assert_non_null(first_code(&a.findings, "spf.tree_too_large"));
	spf_audit_cleanup(&a);
	assert_true(z.asked > SPF_AUDIT_MAX_ANSWERS);
	assert_true(z.asked <=
	            SPF_AUDIT_MAX_ANSWERS + SPF_AUDIT_LOOKAHEAD * (SPF_AUDIT_LOOKAHEAD_DEPTH + 1));
	dns_memo_free(memo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nul_in_terms),
		cmocka_unit_test(test_record_length),
		cmocka_unit_test(test_nul_record_kept_whole),
		cmocka_unit_test(test_long_records),
		cmocka_unit_test(test_mx_heavy),
		cmocka_unit_test(test_answer_budget),
		cmocka_unit_test(test_look_ahead_in_vain_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
