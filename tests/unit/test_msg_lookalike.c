/*
 * Unit tests for msg_lookalike.c against message.h (lookalike domains).
 *
 * Every expected answer was written by hand from the rules at the top
 * of msg_lookalike.c: the incidents of issue 23 ("microsoftemails.com",
 * "jcb-card"), typosquats, IDN homographs in UTF-8 and as A-labels (the
 * A-labels were encoded with Python's "idna" codec and decoded back
 * with its "punycode" codec to check them), the negatives the rules
 * must leave alone, and hostile input (empty, over-long, invalid UTF-8,
 * invalid Punycode) that must compare as NONE without crashing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "message.h"

struct look_case {
	const char *domain, *other;
	enum msg_lookalike_how how;
};

static void run_cases(const struct look_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum msg_lookalike_how got = msg_lookalike(c[i].domain, c[i].other);
		if (got != c[i].how)
			fail_msg("case %zu: %s vs %s: got %s, expected %s", i, c[i].domain,
			         c[i].other, msg_lookalike_how_name(got),
			         msg_lookalike_how_name(c[i].how));
	}
}

#define RUN(t) run_cases((t), sizeof(t) / sizeof((t)[0]))

static void test_contains(void **state)
{
	static const struct look_case t[] = {
		/* issue 23's genuine-but-phishy marketing domain */
		{ "microsoftemails.com", "microsoft.com", MSG_LOOK_CONTAINS },
		/* a 3-letter brand as a whole hyphen-separated part */
		{ "jcb-card.example", "jcb.co.jp", MSG_LOOK_CONTAINS },
		{ "card-jcb.example", "jcb.co.jp", MSG_LOOK_CONTAINS },
		{ "my-jcb-login.example", "jcb.co.jp", MSG_LOOK_CONTAINS },
		{ "ups-tracking.example", "ups.com", MSG_LOOK_CONTAINS },
		{ "paypal-secure.example", "paypal.com", MSG_LOOK_CONTAINS },
		/* hyphens removed from both */
		{ "pay-pal.com", "paypal.com", MSG_LOOK_CONTAINS },
		{ "eki-net-login.example", "eki-net.com", MSG_LOOK_CONTAINS },
		{ "ekinet.example", "eki-net.com", MSG_LOOK_CONTAINS },
		/* flagged on purpose: the rule cannot know the word */
		{ "applebees.com", "apple.com", MSG_LOOK_CONTAINS },
		{ "purchase.com", "chase.com", MSG_LOOK_CONTAINS },
		/* the same label under another public suffix */
		{ "microsoft.co", "microsoft.com", MSG_LOOK_CONTAINS },
		{ "amazon.co.jp", "amazon.com", MSG_LOOK_CONTAINS },
		{ "au.net", "au.com", MSG_LOOK_CONTAINS },
		{ "nttdocomo.co.jp", "docomo.example", MSG_LOOK_CONTAINS },
		{ "MICROSOFT.CO", "microsoft.com", MSG_LOOK_CONTAINS },
		/* containment written with the visual tricks */
		{ "micros0ft-login.example", "microsoft.com", MSG_LOOK_CONTAINS },
		/* a non-ASCII label holding the brand as plain ASCII */
		{ "xn--bcher-amazon-dlb.example", "amazon.com", MSG_LOOK_CONTAINS },
		{ "b\xc3\xbc"
		  "cher-amazon.example",
		  "amazon.com", MSG_LOOK_CONTAINS },
	};
	(void)state;
	RUN(t);
}

static void test_edit(void **state)
{
	static const struct look_case t[] = {
		{ "gooogle.com", "google.com", MSG_LOOK_EDIT },       /* one insertion, 6 letters */
		{ "gogle.com", "google.com", MSG_LOOK_EDIT },         /* one deletion */
		{ "paypa1.com", "paypal.com", MSG_LOOK_EDIT },        /* 1 for l */
		{ "rnicrosoft.com", "microsoft.com", MSG_LOOK_EDIT }, /* rn for m */
		{ "arnazon.com", "amazon.com", MSG_LOOK_EDIT }, /* 2 raw edits, 0 once rn->m */
		{ "micros0ft.com", "microsoft.com", MSG_LOOK_EDIT },
		{ "mircosoft.com", "microsoft.com", MSG_LOOK_EDIT }, /* adjacent swap: one edit */
		{ "bankofamerca.com", "bankofamerica.com", MSG_LOOK_EDIT },
		{ "vvellsfargo.com", "wellsfargo.com", MSG_LOOK_EDIT },
		{ "rnercari.com", "mercari.com", MSG_LOOK_EDIT },  /* 7 letters: rn->m only */
		{ "aeom.example", "aeon.co.jp", MSG_LOOK_EDIT },   /* 4 letters: one edit */
		{ "faceb00k.com", "facebook.com", MSG_LOOK_EDIT }, /* 8 letters: two edits */
		/* two brands of the default list: the caller must not compare
		 * a brand's own domain against the list */
		{ "paypay.ne.jp", "paypal.com", MSG_LOOK_EDIT },
	};
	(void)state;
	RUN(t);
}

static void test_confusable(void **state)
{
	static const struct look_case t[] = {
		/* U+0430 CYRILLIC SMALL LETTER A + "pple", in UTF-8 and as A-label */
		{ "\xd0\xb0pple.com", "apple.com", MSG_LOOK_CONFUSABLE },
		{ "xn--pple-43d.com", "apple.com", MSG_LOOK_CONFUSABLE },
		{ "XN--PPLE-43D.COM", "apple.com", MSG_LOOK_CONFUSABLE },
		/* "amazön": a diacritic */
		{ "xn--amazn-mua.co.jp", "amazon.co.jp", MSG_LOOK_CONFUSABLE },
		{ "amaz\xc3\xb6n.co.jp", "amazon.co.jp", MSG_LOOK_CONFUSABLE },
		/* "раураl": Cyrillic р а у р а, Latin l */
		{ "xn--l-7sba6dbr.com", "paypal.com", MSG_LOOK_CONFUSABLE },
		/* "micrоsoft": U+043E in the middle */
		{ "micr\xd0\xbesoft.com", "microsoft.com", MSG_LOOK_CONFUSABLE },
		{ "xn--micrsoft-qbh.com", "microsoft.com", MSG_LOOK_CONFUSABLE },
		/* mixed script holding the brand */
		{ "p\xd0\xb0ypal-secure.example", "paypal.com", MSG_LOOK_CONFUSABLE },
		{ "xn--pypal-secure-x9j.example", "paypal.com", MSG_LOOK_CONFUSABLE },
		/* "јcb-card": U+0458 CYRILLIC SMALL LETTER JE */
		{ "xn--cb-card-6og.example", "jcb.co.jp", MSG_LOOK_CONFUSABLE },
		/* mapped, then one edit: "аmazom" */
		{ "xn--mazom-3ve.com", "amazon.com", MSG_LOOK_CONFUSABLE },
		/* fullwidth "ｍｉｃｒｏｓｏｆｔ" (U+FF4D...) in UTF-8 */
		{ "\xef\xbd\x8d\xef\xbd\x89\xef\xbd\x83\xef\xbd\x92\xef\xbd\x8f"
		  "\xef\xbd\x93\xef\xbd\x8f\xef\xbd\x86\xef\xbd\x94.com",
		  "microsoft.com", MSG_LOOK_CONFUSABLE },
		/* Greek omicron U+03BF: "gοogle" */
		{ "g\xce\xbfogle.com", "google.com", MSG_LOOK_CONFUSABLE },
	};
	(void)state;
	RUN(t);
}

static void test_negatives(void **state)
{
	static const struct look_case t[] = {
		{ "example.com", "microsoft.com", MSG_LOOK_NONE },
		{ "jobs.com", "jcb.co.jp", MSG_LOOK_NONE },
		{ "ajcbz.example", "jcb.co.jp", MSG_LOOK_NONE },
		{ "jcbcard.example", "jcb.co.jp", MSG_LOOK_NONE }, /* 3 letters, no hyphen */
		{ "jab.example", "jcb.co.jp", MSG_LOOK_NONE },     /* under 4: no edit match */
		{ "jobs.example", "ob.example", MSG_LOOK_NONE },
		{ "usps.com", "ups.com", MSG_LOOK_NONE },
		{ "ups.com", "usps.com", MSG_LOOK_NONE },
		{ "upsilon.example", "ups.com", MSG_LOOK_NONE },
		{ "microsite.com", "microsoft.com", MSG_LOOK_NONE },    /* three edits */
		{ "amazing.com", "amazon.com", MSG_LOOK_NONE },         /* two edits, 6 letters */
		{ "docomo.example", "nttdocomo.co.jp", MSG_LOOK_NONE }, /* three edits */
		/* equal domains never imitate */
		{ "microsoft.com", "microsoft.com", MSG_LOOK_NONE },
		{ "Microsoft.COM", "microsoft.com", MSG_LOOK_NONE },
		{ "microsoft.com.", "microsoft.com", MSG_LOOK_NONE },
		{ "softbank.jp", "softbank.jp", MSG_LOOK_NONE },
		/* one domain, two spellings: A-label and UTF-8 */
		{ "xn--pple-43d.com", "\xd0\xb0pple.com", MSG_LOOK_NONE },
		/* non-ASCII that looks like nothing ASCII */
		{ "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82.ru", "apple.com",
		  MSG_LOOK_NONE },
		{ "\xe6\x97\xa5\xe6\x9c\xac.jp", "jcb.co.jp", MSG_LOOK_NONE },
		{ "xn--ls8h.la", "apple.com", MSG_LOOK_NONE }, /* U+1F4A9 */
	};
	(void)state;
	RUN(t);
}

static void test_hostile(void **state)
{
	static const struct look_case t[] = {
		{ "", "microsoft.com", MSG_LOOK_NONE },
		{ "microsoft.com", "", MSG_LOOK_NONE },
		{ "", "", MSG_LOOK_NONE },
		{ ".com", "microsoft.com", MSG_LOOK_NONE },
		{ "microsoft.com", ".com", MSG_LOOK_NONE },
		{ "mi\x01"
		  "crosoft.com",
		  "microsoft.com", MSG_LOOK_NONE },
		{ "micro soft.com", "microsoft.com", MSG_LOOK_NONE },
		/* invalid UTF-8: a lone lead byte, bytes never in UTF-8, an overlong "/" */
		{ "\xd0pple.com", "apple.com", MSG_LOOK_NONE },
		{ "\xff\xfe"
		  "apple.com",
		  "apple.com", MSG_LOOK_NONE },
		{ "\xc0\xaf"
		  "apple.com",
		  "apple.com", MSG_LOOK_NONE },
		{ "apple.com", "\xd0pple.com", MSG_LOOK_NONE },
		/* a UTF-8 surrogate (U+D800) */
		{ "\xed\xa0\x80"
		  "apple.com",
		  "apple.com", MSG_LOOK_NONE },
		/* invalid Punycode */
		{ "xn--.com", "apple.com", MSG_LOOK_NONE },
		{ "xn--pple-43d!.com", "apple.com", MSG_LOOK_NONE },     /* not a digit */
		{ "xn--pple-4.com", "apple.com", MSG_LOOK_NONE },        /* ends inside a number */
		{ "xn--abc-.com", "abcd.com", MSG_LOOK_NONE },           /* decodes to ASCII only */
		{ "xn--pple-\xd0\xb0.com", "apple.com", MSG_LOOK_NONE }, /* 8-bit in Punycode */
		{ "xn--99999999999999999999.com", "apple.com", MSG_LOOK_NONE }, /* overflow */
		{ "xn--zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.com", "apple.com", MSG_LOOK_NONE },
		{ "xn---pple-43d.com", "apple.com", MSG_LOOK_NONE },
	};
	(void)state;
	RUN(t);
	assert_int_equal(msg_lookalike(NULL, "apple.com"), MSG_LOOK_NONE);
	assert_int_equal(msg_lookalike("apple.com", NULL), MSG_LOOK_NONE);
	assert_int_equal(msg_lookalike(NULL, NULL), MSG_LOOK_NONE);
}

/* Labels at and over the limits: 63 code points is a label, 64 is not,
 * and 300 bytes is far over. */
static void test_long_labels(void **state)
{
	char dom[400];
	char label[301];

	(void)state;
	memset(label, 'a', 63);
	memcpy(label + 20, "microsoft", 9);
	label[63] = '\0';
	snprintf(dom, sizeof(dom), "%s.com", label);
	assert_int_equal(msg_lookalike(dom, "microsoft.com"), MSG_LOOK_CONTAINS);
	assert_int_equal(msg_lookalike("microsoft.com", dom), MSG_LOOK_NONE);

	memset(label, 'a', 64);
	memcpy(label + 20, "microsoft", 9);
	label[64] = '\0';
	snprintf(dom, sizeof(dom), "%s.com", label);
	assert_int_equal(msg_lookalike(dom, "microsoft.com"), MSG_LOOK_NONE);
	assert_int_equal(msg_lookalike("microsoft.com", dom), MSG_LOOK_NONE);

	memset(label, 'a', 300);
	memcpy(label + 100, "microsoft", 9);
	label[300] = '\0';
	snprintf(dom, sizeof(dom), "%s.com", label);
	assert_int_equal(msg_lookalike(dom, "microsoft.com"), MSG_LOOK_NONE);
	assert_int_equal(msg_lookalike(dom, dom), MSG_LOOK_NONE);

	/* 63 two-byte Cyrillic letters: 126 bytes, 63 code points */
	for (size_t i = 0; i < 63; i++)
		memcpy(label + 2 * i, "\xd0\xb0", 2);
	label[126] = '\0';
	snprintf(dom, sizeof(dom), "%s.com", label);
	assert_int_equal(msg_lookalike(dom, "apple.com"), MSG_LOOK_NONE);
	/* 64 of them: over the cap */
	memcpy(label + 126, "\xd0\xb0", 3);
	snprintf(dom, sizeof(dom), "%s.com", label);
	assert_int_equal(msg_lookalike(dom, "apple.com"), MSG_LOOK_NONE);

	/* an A-label of 59 Punycode digits: 59 inserted U+0080s, no crash */
	memset(label, 'a', 59);
	label[59] = '\0';
	snprintf(dom, sizeof(dom), "xn--%s.com", label);
	assert_int_equal(msg_lookalike(dom, "apple.com"), MSG_LOOK_NONE);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(msg_lookalike_how_name(MSG_LOOK_NONE), "none");
	assert_string_equal(msg_lookalike_how_name(MSG_LOOK_CONTAINS), "contains");
	assert_string_equal(msg_lookalike_how_name(MSG_LOOK_EDIT), "edit_distance");
	assert_string_equal(msg_lookalike_how_name(MSG_LOOK_CONFUSABLE), "confusable");
	assert_string_equal(msg_lookalike_how_name((enum msg_lookalike_how)99), "none");
}

static bool brands_have(const char *const *b, const char *name)
{
	for (size_t i = 0; b[i] != NULL; i++)
		if (strcmp(b[i], name) == 0)
			return true;
	return false;
}

static void test_brands(void **state)
{
	const char *const *b = msg_brands_default();
	size_t n = 0, hits = 0;

	(void)state;
	assert_non_null(b);
	for (; b[n] != NULL; n++) {
		assert_non_null(strchr(b[n], '.'));
		for (const char *p = b[n]; *p != '\0'; p++)
			assert_false(*p >= 'A' && *p <= 'Z');
		for (size_t j = 0; j < n; j++)
			assert_string_not_equal(b[j], b[n]);
		assert_int_equal(msg_lookalike(b[n], b[n]), MSG_LOOK_NONE);
	}
	assert_int_equal(n, 40);
	assert_true(brands_have(b, "jcb.co.jp"));
	assert_true(brands_have(b, "softbank.jp"));
	assert_true(brands_have(b, "microsoft.com"));
	assert_true(brands_have(b, "paypal.com"));
	assert_true(brands_have(b, "rakuten.co.jp"));

	/* issue 23's message against the whole list: microsoft.com only */
	for (size_t i = 0; b[i] != NULL; i++) {
		enum msg_lookalike_how h = msg_lookalike("microsoftemails.com", b[i]);
		if (h != MSG_LOOK_NONE) {
			assert_string_equal(b[i], "microsoft.com");
			assert_int_equal(h, MSG_LOOK_CONTAINS);
			hits++;
		}
	}
	assert_int_equal(hits, 1);
	/* and a plain domain imitates none of them */
	for (size_t i = 0; b[i] != NULL; i++)
		assert_int_equal(msg_lookalike("example.com", b[i]), MSG_LOOK_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contains),   cmocka_unit_test(test_edit),
		cmocka_unit_test(test_confusable), cmocka_unit_test(test_negatives),
		cmocka_unit_test(test_hostile),    cmocka_unit_test(test_long_labels),
		cmocka_unit_test(test_names),      cmocka_unit_test(test_brands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
