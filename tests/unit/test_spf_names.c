/*
 * Unit tests for the names SPF asks for (issue 19 item 8): a name read
 * from an answer (MX, PTR target) is asked again as it came, a
 * domain-spec's text (with macros expanded) is escaped exactly once, and
 * a macro over a name expands to its text. The DNS is a table of records
 * keyed by canonical names, served through a memo the way the drivers do
 * (drive.c): each name a check asks for goes through dns_name_normalize
 * first, as dns_query_start does, and every question is logged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "memo.h"
#include "spf.h"
#include "spf_audit.h"

/* One record; name and, for MX and PTR, data are canonical (what
 * dns_wire_read gives), A data an address. */
struct zrr {
	const char *name;
	uint16_t type;
	const char *data;
};

#define MAX_ASKED 32

struct fake {
	const struct zrr *zone;
	struct dns_memo *memo;
	char asked[MAX_ASKED][DNS_NAME_BUF]; /* "name TYPE", canonical */
	int nasked;
};

/* Answers (name, type) from the zone into the memo, as the adapter
 * would: the name normalised first (a refused name fails the test). */
static void answer(struct fake *f, const char *name, uint16_t type)
{
	char canon[DNS_NAME_BUF], tbuf[16];
	struct dns_answer *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	assert_int_equal(dns_name_normalize(name, canon, sizeof(canon)), 0);
	assert_true(f->nasked < MAX_ASKED);
	snprintf(f->asked[f->nasked++], DNS_NAME_BUF, "%s %s", canon,
	         dns_type_name(type, tbuf, sizeof(tbuf)));
	snprintf(a->name, sizeof(a->name), "%s", canon);
	a->type = type;
	a->outcome = DNS_OUTCOME_NXDOMAIN;
	for (const struct zrr *r = f->zone; r->name != NULL; r++) {
		if (strcmp(r->name, canon) != 0)
			continue;
		a->outcome = DNS_OUTCOME_NODATA;
		if (r->type != type)
			continue;
		uint8_t addr[16];
		const uint8_t *ap = NULL;
		if (type == DNS_TYPE_A) {
			assert_int_equal(inet_pton(AF_INET, r->data, addr), 1);
			ap = addr;
		}
		assert_int_equal(dns_answer_add(a, type, 10, r->data, strlen(r->data), ap), 0);
	}
	if (a->nrr > 0)
		a->outcome = DNS_OUTCOME_DATA;
	assert_int_equal(dns_memo_put(f->memo, a), 0);
	dns_answer_free(a);
}

/* Runs check_host to the end; returns the result, reason in why. */
static enum spf_result eval(struct fake *f, const char *ip, const char *sender, char *why,
                            size_t whylen)
{
	struct spf_dns dns = { dns_memo_lookup, NULL, NULL };
	struct spf_request req = { ip, sender, "helo.test", NULL, 0 };
	struct spf_eval_result r;
	enum spf_result res;

	f->memo = dns_memo_new();
	f->nasked = 0;
	dns.ctx = f->memo;
	for (;;) {
		assert_int_equal(spf_check_host(&req, &dns, &r), 0);
		if (!r.pending)
			break;
		answer(f, r.need_name, r.need_type);
		spf_eval_result_cleanup(&r);
	}
	res = r.result;
	snprintf(why, whylen, "%s", r.reason);
	spf_eval_result_cleanup(&r);
	dns_memo_free(f->memo);
	return res;
}

static bool asked(const struct fake *f, const char *q)
{
	for (int i = 0; i < f->nasked; i++)
		if (strcmp(f->asked[i], q) == 0)
			return true;
	return false;
}

/* No question may hold a backslash escaped again. */
static void no_double_escape(const struct fake *f)
{
	for (int i = 0; i < f->nasked; i++)
		assert_null(strstr(f->asked[i], "\\092058"));
}

/* RFC 7208 suite, mx-colon-domain: the MX target foo:bar/baz.example.com
 * comes as foo\058bar\047baz.example.com and is asked as such (it was
 * asked as foo\092058bar..., a name with backslashes in it). */
static void test_mx_target_asked_as_it_came(void **state)
{
	static const struct zrr zone[] = {
		{ "e11.example.com", DNS_TYPE_TXT, "v=spf1 mx:foo:bar/baz.example.com" },
		{ "foo\\058bar\\047baz.example.com", DNS_TYPE_MX,
		  "foo\\058bar\\047baz.example.com" },
		{ "foo\\058bar\\047baz.example.com", DNS_TYPE_A, "1.2.3.4" },
		{ NULL, 0, NULL },
	};
	struct fake f = { .zone = zone };
	char why[256];
	(void)state;

	assert_int_equal(eval(&f, "1.2.3.4", "foo@e11.example.com", why, sizeof(why)),
	                 SPF_RESULT_PASS);
	assert_int_equal(f.nasked, 3);
	assert_string_equal(f.asked[1], "foo\\058bar\\047baz.example.com MX");
	assert_string_equal(f.asked[2], "foo\\058bar\\047baz.example.com A");
	/* The IPv4-mapped twin. */
	assert_int_equal(eval(&f, "::ffff:1.2.3.4", "foo@e11.example.com", why, sizeof(why)),
	                 SPF_RESULT_PASS);
	no_double_escape(&f);
}

/* Names from answers with bytes no text can show plainly: a dot inside a
 * label, NUL, 8-bit. */
static void test_mx_target_any_bytes(void **state)
{
	static const struct zrr zone[] = {
		{ "ex.test", DNS_TYPE_TXT, "v=spf1 mx -all" },
		{ "ex.test", DNS_TYPE_MX, "a\\046b.\\000\\255.ex.test" },
		{ "a\\046b.\\000\\255.ex.test", DNS_TYPE_A, "192.0.2.7" },
		{ NULL, 0, NULL },
	};
	struct fake f = { .zone = zone };
	char why[256];
	(void)state;

	assert_int_equal(eval(&f, "192.0.2.7", "x@ex.test", why, sizeof(why)), SPF_RESULT_PASS);
	assert_true(asked(&f, "a\\046b.\\000\\255.ex.test A"));
	assert_int_equal(eval(&f, "192.0.2.8", "x@ex.test", why, sizeof(why)), SPF_RESULT_FAIL);
}

/* Macros expand to text, which is escaped once: %{d} of a domain with a
 * ':' (its name holds \058), %{l} with a backslash, %{p} of a validated
 * name from a PTR answer, "%_" (a space). */
static void test_macros_over_names(void **state)
{
	static const struct zrr zone[] = {
		{ "foo\\058bar.test", DNS_TYPE_TXT, "v=spf1 exists:%{d}.x.test -all" },
		{ "foo\\058bar.test.x.test", DNS_TYPE_A, "127.0.0.2" },
		{ "l.test", DNS_TYPE_TXT, "v=spf1 exists:%{l}.x.test -all" },
		{ "a\\092b.x.test", DNS_TYPE_A, "127.0.0.2" },
		{ "p.test", DNS_TYPE_TXT, "v=spf1 exists:%{p}.y.test -all" },
		{ "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, "h\\058a.p.test" },
		{ "h\\058a.p.test", DNS_TYPE_A, "192.0.2.1" },
		{ "h\\058a.p.test.y.test", DNS_TYPE_A, "127.0.0.2" },
		{ "s.test", DNS_TYPE_TXT, "v=spf1 exists:a%_b.s.test -all" },
		{ "a\\032b.s.test", DNS_TYPE_A, "127.0.0.2" },
		{ NULL, 0, NULL },
	};
	struct fake f = { .zone = zone };
	char why[256];
	(void)state;

	assert_int_equal(eval(&f, "192.0.2.1", "x@foo:bar.test", why, sizeof(why)),
	                 SPF_RESULT_PASS);
	assert_true(asked(&f, "foo\\058bar.test TXT"));
	assert_true(asked(&f, "foo\\058bar.test.x.test A"));
	/* The same domain written in presentation form is other text: its
	 * backslashes are bytes of the name. */
	assert_int_equal(eval(&f, "192.0.2.1", "x@foo\\058bar.test", why, sizeof(why)),
	                 SPF_RESULT_NONE);
	assert_true(asked(&f, "foo\\092058bar.test TXT"));

	assert_int_equal(eval(&f, "192.0.2.1", "a\\b@l.test", why, sizeof(why)), SPF_RESULT_PASS);
	assert_true(asked(&f, "a\\092b.x.test A"));

	assert_int_equal(eval(&f, "192.0.2.1", "x@p.test", why, sizeof(why)), SPF_RESULT_PASS);
	assert_true(asked(&f, "h\\058a.p.test A"));
	assert_true(asked(&f, "h\\058a.p.test.y.test A"));
	no_double_escape(&f);

	assert_int_equal(eval(&f, "192.0.2.1", "x@s.test", why, sizeof(why)), SPF_RESULT_PASS);
	assert_true(asked(&f, "a\\032b.s.test A"));
}

/* Text that is no name: a control byte from the local-part makes the
 * target invalid (no lookup, RFC 7208 4.8 no match); a sender domain with
 * one is "none"; an over-long label stays over-long however its text is
 * spelled (20 x "\097" is 80 bytes of text, not 20 a's). */
static void test_text_that_is_no_name(void **state)
{
	static const struct zrr zone[] = {
		{ "l.test", DNS_TYPE_TXT, "v=spf1 exists:%{l}.x.test -all" },
		{ "long.test", DNS_TYPE_TXT,
		  "v=spf1 include:\\097\\097\\097\\097\\097\\097\\097\\097\\097\\097\\097\\097"
		  "\\097\\097\\097\\097\\097\\097\\097\\097.x.test -all" },
		{ "aaaaaaaaaaaaaaaaaaaa.x.test", DNS_TYPE_TXT, "v=spf1 +all" },
		{ NULL, 0, NULL },
	};
	struct fake f = { .zone = zone };
	char why[256];
	(void)state;

	assert_int_equal(eval(&f, "192.0.2.1", "a\tb@l.test", why, sizeof(why)), SPF_RESULT_FAIL);
	assert_int_equal(f.nasked, 1);

	assert_int_equal(eval(&f, "192.0.2.1", "x@a\001b.test", why, sizeof(why)), SPF_RESULT_NONE);
	assert_int_equal(f.nasked, 0);
	assert_non_null(strstr(why, "not a valid domain"));

	assert_int_equal(eval(&f, "192.0.2.1", "x@long.test", why, sizeof(why)),
	                 SPF_RESULT_PERMERROR);
	assert_false(asked(&f, "aaaaaaaaaaaaaaaaaaaa.x.test TXT"));
}

/* ptr:DOMAIN against a validated name with odd bytes. */
static void test_ptr_odd_names(void **state)
{
	static const struct zrr zone[] = {
		{ "ptr.test", DNS_TYPE_TXT, "v=spf1 ptr:foo:bar.test -all" },
		{ "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, "h.foo\\058bar.test" },
		{ "h.foo\\058bar.test", DNS_TYPE_A, "192.0.2.1" },
		{ NULL, 0, NULL },
	};
	struct fake f = { .zone = zone };
	char why[256];
	(void)state;

	assert_int_equal(eval(&f, "192.0.2.1", "x@ptr.test", why, sizeof(why)), SPF_RESULT_PASS);
	assert_true(asked(&f, "h.foo\\058bar.test A"));
}

/* Runs the audit to the end (look-ahead ignored); logs its questions. */
static void audit(struct fake *f, const char *domain, struct spf_audit *a)
{
	struct spf_dns dns = { dns_memo_lookup, NULL, NULL };

	f->memo = dns_memo_new();
	f->nasked = 0;
	dns.ctx = f->memo;
	for (;;) {
		assert_int_equal(spf_audit_run(domain, &dns, a), 0);
		if (!a->pending)
			break;
		answer(f, a->need_name, a->need_type);
		spf_audit_cleanup(a);
	}
	dns_memo_free(f->memo);
}

/* The audit asks what check_host asks: domain-specs escaped once, MX
 * targets as they came; a spec no name can be is not asked. */
static void test_audit_names(void **state)
{
	static const struct zrr zone[] = {
		{ "ex.test", DNS_TYPE_TXT,
		  "v=spf1 include:foo:bar.test mx:m.test include:\\097\\097\\097\\097\\097\\097"
		  "\\097\\097\\097\\097\\097\\097\\097\\097\\097\\097\\097\\097\\097\\097.x.test "
		  "-all" },
		{ "foo\\058bar.test", DNS_TYPE_TXT, "v=spf1 ip4:192.0.2.0/24 -all" },
		{ "m.test", DNS_TYPE_MX, "a\\047b.m.test" },
		{ "a\\047b.m.test", DNS_TYPE_A, "192.0.2.9" },
		{ "aaaaaaaaaaaaaaaaaaaa.x.test", DNS_TYPE_TXT, "v=spf1 +all" },
		{ NULL, 0, NULL },
	};
	struct fake f = { .zone = zone };
	struct spf_audit a;
	(void)state;

	audit(&f, "ex.test", &a);
	assert_true(asked(&f, "foo\\058bar.test TXT"));
	assert_true(asked(&f, "a\\047b.m.test A"));
	assert_false(asked(&f, "aaaaaaaaaaaaaaaaaaaa.x.test TXT"));
	no_double_escape(&f);
	assert_int_equal(a.status, SPF_STATUS_PERMERROR);
	assert_non_null(a.tree);
	assert_true(a.tree->nchildren >= 1);
	assert_string_equal(a.tree->children[0]->via, "include:foo\\058bar.test");
	assert_int_equal(a.tree->children[0]->status, SPF_STATUS_OK);
	spf_audit_cleanup(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mx_target_asked_as_it_came),
		cmocka_unit_test(test_mx_target_any_bytes),
		cmocka_unit_test(test_macros_over_names),
		cmocka_unit_test(test_text_that_is_no_name),
		cmocka_unit_test(test_ptr_odd_names),
		cmocka_unit_test(test_audit_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
