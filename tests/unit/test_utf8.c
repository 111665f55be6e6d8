/*
 * Unit tests for utf8_next: which characters an output for people may
 * write as they are (utf8.h). utf8_clean and utf8_seq are tested with
 * the JSON writer (test_jsonw.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

static void test_next(void **state)
{
	static const struct {
		const char *s;
		size_t len; /* of the first character */
		bool raw;
	} rows[] = {
		{ "a", 1, true },
		{ " ", 1, true },
		{ "~", 1, true },
		{ "\x01", 1, false },            /* C0 */
		{ "\t", 1, false },              /* tab: a C0 control too */
		{ "\r", 1, false },              /* CR */
		{ "\n", 1, false },              /* LF */
		{ "\x1b[31m", 1, false },        /* ESC */
		{ "\x07", 1, false },            /* BEL */
		{ "\x7f", 1, false },            /* DEL */
		{ "\xc2\x80", 2, false },        /* U+0080, the first C1 control */
		{ "\xc2\x9b", 2, false },        /* U+009B CSI */
		{ "\xc2\x9f", 2, false },        /* U+009F, the last */
		{ "\xc2\xa0", 2, true },         /* U+00A0 no-break space */
		{ "\xc3\xa9", 2, true },         /* é */
		{ "\xd8\x9c", 2, false },        /* U+061C ARABIC LETTER MARK */
		{ "\xd8\x9b", 2, true },         /* U+061B, its neighbour */
		{ "\xe2\x80\x8d", 3, true },     /* U+200D ZWJ (emoji, Indic) */
		{ "\xe2\x80\x8e", 3, false },    /* U+200E LRM */
		{ "\xe2\x80\x8f", 3, false },    /* U+200F RLM */
		{ "\xe2\x80\xa9", 3, true },     /* U+2029 */
		{ "\xe2\x80\xaa", 3, false },    /* U+202A LRE */
		{ "\xe2\x80\xab", 3, false },    /* U+202B RLE */
		{ "\xe2\x80\xac", 3, false },    /* U+202C PDF */
		{ "\xe2\x80\xad", 3, false },    /* U+202D LRO */
		{ "\xe2\x80\xae", 3, false },    /* U+202E RLO */
		{ "\xe2\x80\xaf", 3, true },     /* U+202F */
		{ "\xe2\x81\xa5", 3, true },     /* U+2065 (unassigned) */
		{ "\xe2\x81\xa6", 3, false },    /* U+2066 LRI */
		{ "\xe2\x81\xa7", 3, false },    /* U+2067 RLI */
		{ "\xe2\x81\xa8", 3, false },    /* U+2068 FSI */
		{ "\xe2\x81\xa9", 3, false },    /* U+2069 PDI */
		{ "\xe2\x81\xaa", 3, true },     /* U+206A */
		{ "\xe6\x97\xa5", 3, true },     /* 日 */
		{ "\xf0\x9f\x98\x80", 4, true }, /* U+1F600 */
		{ "\xff", 1, false },            /* never UTF-8 */
		{ "\x93\xfa", 1, false },        /* Shift_JIS: a lone continuation byte */
		{ "\xc0\xaf", 1, false },        /* overlong '/' */
		{ "\xed\xa0\x80", 1, false },    /* a surrogate */
		{ "\xe2\x80", 1, false },        /* cut short */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool raw = !rows[i].raw;
		const unsigned char *s = (const unsigned char *)rows[i].s;
		size_t len = utf8_next(s, strlen(rows[i].s), &raw);
		if (len != rows[i].len || raw != rows[i].raw)
			fail_msg("row %zu: length %zu raw %d, want %zu %d", i, len, raw,
			         rows[i].len, rows[i].raw);
	}
}

/* The length given never runs past n, so a caller can walk any bytes. */
static void test_next_bounded(void **state)
{
	bool raw;
	(void)state;
	assert_int_equal(utf8_next((const unsigned char *)"\xe2\x80\xae", 2, &raw), 1);
	assert_false(raw);
	assert_int_equal(utf8_next((const unsigned char *)"\xc3\xa9", 1, &raw), 1);
	assert_false(raw);
	assert_int_equal(utf8_next((const unsigned char *)"", 1, &raw), 1); /* NUL */
	assert_false(raw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_next_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
