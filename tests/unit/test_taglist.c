/*
 * Unit tests for taglist.h: the RFC 6376 3.2 tokenizer on a table of
 * records (every spec it yields, in order: class, name, value, trimmed
 * spec, valchars, last), NUL bytes and all, and the tag tables (case
 * rules, duplicates).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "taglist.h"

#define MAX_SPECS 8

struct want_spec {
	enum taglist_class cls;
	const char *name; /* NULL ends a case's list */
	const char *value;
	const char *spec; /* trimmed */
	bool bad_chars;   /* !value_valchars */
	size_t spec_len;  /* 0: strlen(spec); for specs holding a NUL */
	size_t value_len; /* 0: strlen(value) */
};

struct tcase {
	const char *why;
	const char *text;
	enum taglist_space space;
	struct want_spec specs[MAX_SPECS];
};

#define SPEC(c, n, v, s)  .cls = (c), .name = (n), .value = (v), .spec = (s)
#define OK(n, v, s)       SPEC(TAGLIST_OK, n, v, s)
#define BADCHARS(n, v, s) SPEC(TAGLIST_OK, n, v, s), .bad_chars = true
#define EMPTY             SPEC(TAGLIST_EMPTY, "", "", "")
#define NO_EQ(s)          SPEC(TAGLIST_NO_EQUALS, "", "", s)
#define NO_NAME(v, s)     SPEC(TAGLIST_EMPTY_NAME, "", v, s)
#define BAD_NAME(n, v, s) SPEC(TAGLIST_BAD_NAME, n, v, s)
#define WSP               TAGLIST_SPACE_WSP
#define FWS               TAGLIST_SPACE_FWS

static const struct tcase cases[] = {
	{ "empty text: one empty spec", "", FWS, { { EMPTY } } },
	{ "two specs",
	  "v=DMARC1; p=none",
	  WSP,
	  { { OK("v", "DMARC1", "v=DMARC1") }, { OK("p", "none", "p=none") } } },
	{ "trailing ';': a last empty spec; an empty value",
	  "v=BIMI1; l=;",
	  FWS,
	  { { OK("v", "BIMI1", "v=BIMI1") }, { OK("l", "", "l=") }, { EMPTY } } },
	{ "an empty spec in the middle",
	  "a=1;;b=2",
	  FWS,
	  { { OK("a", "1", "a=1") }, { EMPTY }, { OK("b", "2", "b=2") } } },
	{ "white space only", " ; \t;", WSP, { { EMPTY }, { EMPTY }, { EMPTY } } },
	{ "WSP around name, '=' and value",
	  "  a \t=\t 1  ;",
	  WSP,
	  { { OK("a", "1", "a \t=\t 1") }, { EMPTY } } },
	{ "FWS with CRLF folding",
	  "a=1\r\n ;b\r\n =\r\n\t2",
	  FWS,
	  { { OK("a", "1", "a=1") }, { OK("b", "2", "b\r\n =\r\n\t2") } } },
	{ "WSP: CR LF are not white space (nor VALCHARs)",
	  "a=1\r\n",
	  WSP,
	  { { BADCHARS("a", "1\r\n", "a=1\r\n") } } },
	{ "WSP: CR LF in the name", "\r\na=1", WSP, { { BAD_NAME("\r\na", "1", "\r\na=1") } } },
	{ "white space inside a value is kept",
	  "a= x y\r\n z ",
	  FWS,
	  { { OK("a", "x y\r\n z", "a= x y\r\n z") } } },
	{ "'=' inside a value belongs to it",
	  "rua=mailto:a@b.example?x=1=2",
	  WSP,
	  { { OK("rua", "mailto:a@b.example?x=1=2", "rua=mailto:a@b.example?x=1=2") } } },
	{ "upper-case names are names",
	  "V=DMARC1; P=Reject",
	  WSP,
	  { { OK("V", "DMARC1", "V=DMARC1") }, { OK("P", "Reject", "P=Reject") } } },
	{ "no '=', no name",
	  "v=DMARC1; none; =x",
	  WSP,
	  { { OK("v", "DMARC1", "v=DMARC1") }, { NO_EQ("none") }, { NO_NAME("x", "=x") } } },
	{ "a bare '='", " = ", WSP, { { NO_NAME("", "=") } } },
	{ "tag-name = ALPHA *ALNUMPUNC",
	  "1a=x; a-b=y; a b=z; _a=w; a_1=v",
	  FWS,
	  { { BAD_NAME("1a", "x", "1a=x") },
	    { BAD_NAME("a-b", "y", "a-b=y") },
	    { BAD_NAME("a b", "z", "a b=z") },
	    { BAD_NAME("_a", "w", "_a=w") },
	    { OK("a_1", "v", "a_1=v") } } },
	{ "a non-ASCII name", "\xc3\xa9=1", FWS, { { BAD_NAME("\xc3\xa9", "1", "\xc3\xa9=1") } } },
	{ "control, DEL and non-ASCII bytes are not VALCHARs",
	  "a=\xc3\xa9; b=\x7f; c=\x1b[31m",
	  FWS,
	  { { BADCHARS("a", "\xc3\xa9", "a=\xc3\xa9") },
	    { BADCHARS("b", "\x7f", "b=\x7f") },
	    { BADCHARS("c", "\x1b[31m", "c=\x1b[31m") } } },
};

/* Cases with NUL bytes: the tokenizer never stops at one. */
static const char nul_value[] = "v=1; l=a\0b; x=2";
static const char nul_name[] = "a\0b=1;\0";

static bool bytes_are(const char *p, size_t n, const char *want, size_t wn)
{
	return n == wn && memcmp(p, want, n) == 0;
}

/* The first field of s that is not what w says, or NULL. */
static const char *mismatch(const struct taglist_spec *s, const struct want_spec *w)
{
	size_t spec_len = w->spec_len ? w->spec_len : strlen(w->spec);
	if (s->cls != w->cls)
		return "class";
	if (!bytes_are(s->name, s->name_len, w->name, strlen(w->name)))
		return "name";
	size_t value_len = w->value_len ? w->value_len : strlen(w->value);
	if (!bytes_are(s->value, s->value_len, w->value, value_len))
		return "value";
	if (!bytes_are(s->spec, s->spec_len, w->spec, spec_len))
		return "spec";
	if (s->value_valchars == w->bad_chars)
		return "value_valchars";
	/* The trimmed spec lies inside the raw piece. */
	if (s->spec < s->raw || s->spec + s->spec_len > s->raw + s->raw_len)
		return "spec outside raw";
	return NULL;
}

/* Checks every spec of c->text (len bytes). */
static void check_len(const struct tcase *c, size_t len)
{
	struct taglist_iter it;
	struct taglist_spec s;
	size_t n = 0, end = 0, nspecs = 0;

	while (nspecs < MAX_SPECS && c->specs[nspecs].name != NULL)
		nspecs++;
	taglist_begin(&it, c->text, len, c->space);
	while (taglist_next(&it, &s)) {
		if (n >= nspecs)
			fail_msg("case \"%s\": more than %zu specs", c->why, nspecs);
		const char *bad = mismatch(&s, &c->specs[n]);
		if (bad != NULL)
			fail_msg("case \"%s\", spec %zu: wrong %s", c->why, n, bad);
		/* raw is the whole piece between separators, in order. */
		assert_ptr_equal(s.raw, c->text + end);
		end += s.raw_len + 1;
		n++;
		assert_int_equal(s.last, n == nspecs);
	}
	if (n != nspecs)
		fail_msg("case \"%s\": %zu specs, want %zu", c->why, n, nspecs);
	assert_int_equal(end, len + 1);
	assert_false(taglist_next(&it, &s)); /* stays done */
}

static void check_case(const struct tcase *c)
{
	check_len(c, strlen(c->text));
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

static const struct tcase nul_value_case = {
	"a NUL inside a value: not a VALCHAR, the value runs past it",
	nul_value,
	FWS,
	{ { OK("v", "1", "v=1") },
	  { BADCHARS("l", "a\0b", "l=a\0b"), .spec_len = 5, .value_len = 3 },
	  { OK("x", "2", "x=2") } },
};

static void test_nul_bytes(void **state)
{
	struct taglist_iter it;
	struct taglist_spec s;
	(void)state;

	check_len(&nul_value_case, sizeof(nul_value) - 1);
	/* A NUL in a name makes it a BAD_NAME with the NUL kept; a NUL
	 * alone is not white space. */
	taglist_begin(&it, nul_name, sizeof(nul_name) - 1, WSP);
	assert_true(taglist_next(&it, &s));
	assert_int_equal(s.cls, TAGLIST_BAD_NAME);
	assert_int_equal(s.name_len, 3);
	assert_memory_equal(s.name, "a\0b", 3);
	assert_true(taglist_next(&it, &s));
	assert_int_equal(s.cls, TAGLIST_NO_EQUALS);
	assert_int_equal(s.spec_len, 1);
	assert_true(s.last);
	assert_false(taglist_next(&it, &s));

	/* A DMARC record with a NUL after a value and at its end: the NUL is
	 * part of the value (not white space, not a VALCHAR), never its end. */
	static const char dmarc[] = "v=DMARC1; p=reject\0; rua=mailto:a@x.example\0";
	taglist_begin(&it, dmarc, sizeof(dmarc) - 1, WSP);
	assert_true(taglist_next(&it, &s));
	assert_int_equal(s.cls, TAGLIST_OK);
	assert_true(taglist_next(&it, &s));
	assert_int_equal(s.cls, TAGLIST_OK);
	assert_int_equal(s.value_len, 7);
	assert_memory_equal(s.value, "reject\0", 7);
	assert_false(s.value_valchars);
	assert_true(taglist_next(&it, &s));
	assert_int_equal(s.value_len, 19);
	assert_int_equal(s.value[18], '\0');
	assert_false(s.value_valchars);
	assert_true(s.last);
	assert_false(taglist_next(&it, &s));
}

/* Nothing outside (text, len) is read: the text here is not terminated
 * and the byte after it is a separator. */
static void test_bounds(void **state)
{
	(void)state;
	const char buf[] = { 'a', '=', '1', ' ', ';', 'b', '=', '2' };
	struct taglist_iter it;
	struct taglist_spec s;
	taglist_begin(&it, buf, 4, WSP);
	assert_true(taglist_next(&it, &s));
	assert_int_equal(s.cls, TAGLIST_OK);
	assert_int_equal(s.raw_len, 4);
	assert_int_equal(s.value_len, 1);
	assert_true(s.last);
	assert_false(taglist_next(&it, &s));

	taglist_begin(&it, NULL, 0, FWS);
	assert_true(taglist_next(&it, &s));
	assert_int_equal(s.cls, TAGLIST_EMPTY);
	assert_false(taglist_next(&it, &s));
}

enum { T_V, T_P, T_RUA, T_COUNT };
static const struct taglist_tag tags[T_COUNT] = { { "v", T_V }, { "p", T_P }, { "rua", T_RUA } };

static void test_find(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		size_t len;
		enum taglist_case c;
		int want; /* id, or -1 */
	} finds[] = {
		{ "v", 1, TAGLIST_CASE_SENSITIVE, T_V },
		{ "V", 1, TAGLIST_CASE_SENSITIVE, -1 },
		{ "V", 1, TAGLIST_CASE_INSENSITIVE, T_V },
		{ "RuA", 3, TAGLIST_CASE_INSENSITIVE, T_RUA },
		{ "RuA", 3, TAGLIST_CASE_SENSITIVE, -1 },
		{ "ru", 2, TAGLIST_CASE_INSENSITIVE, -1 },   /* a prefix is not the name */
		{ "ruaa", 4, TAGLIST_CASE_INSENSITIVE, -1 }, /* nor a longer one */
		{ "p\0", 2, TAGLIST_CASE_INSENSITIVE, -1 },  /* a NUL is a byte */
		{ "p\0", 1, TAGLIST_CASE_INSENSITIVE, T_P }, /* length, not NUL, ends it */
		{ "\xd0", 1, TAGLIST_CASE_INSENSITIVE, -1 },
		{ "", 0, TAGLIST_CASE_INSENSITIVE, -1 },
	};
	for (size_t i = 0; i < sizeof(finds) / sizeof(finds[0]); i++) {
		const struct taglist_tag *t =
		        taglist_find(tags, T_COUNT, finds[i].name, finds[i].len, finds[i].c);
		if (finds[i].want < 0) {
			assert_null(t);
		} else {
			assert_non_null(t);
			assert_int_equal(t->id, finds[i].want);
			assert_ptr_equal(t, &tags[finds[i].want]);
		}
	}
}

static void test_seen(void **state)
{
	(void)state;
	uint64_t seen = 0;
	assert_false(taglist_was_seen(seen, T_P));
	assert_false(taglist_mark_seen(&seen, T_P));
	assert_true(taglist_was_seen(seen, T_P));
	assert_false(taglist_was_seen(seen, T_V));
	assert_true(taglist_mark_seen(&seen, T_P)); /* the duplicate */
	assert_false(taglist_mark_seen(&seen, 63));
	assert_true(taglist_was_seen(seen, 63));
	assert_true(taglist_mark_seen(&seen, 63));
	assert_int_equal(seen, (UINT64_C(1) << T_P) | (UINT64_C(1) << 63));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),  cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_bounds), cmocka_unit_test(test_find),
		cmocka_unit_test(test_seen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
