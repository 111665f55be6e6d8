/*
 * Unit tests for csv.c beyond the cells of test_report.c: no raw control
 * character in any cell (each C0 with tab, CR and LF, DEL, each C1, each
 * bidi control and each byte that is not UTF-8 becomes U+FFFD), so a
 * record's bytes cannot reach a terminal showing the file nor split a row;
 * quoting and formula neutralisation still apply around them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"

#define FFFD "\xEF\xBF\xBD"

static char *capture_cell(const char *cell)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	csv_cell(f, cell);
	fclose(f);
	return buf;
}

static void test_controls(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "v=spf1 \x1b[2J -all", "v=spf1 " FFFD "[2J -all" }, /* ESC */
		{ "bell\x07!", "bell" FFFD "!" },                     /* BEL */
		{ "cr\rhere", "cr" FFFD "here" },                     /* CR: no quotes needed */
		{ "lf\nhere", "lf" FFFD "here" },                     /* LF */
		{ "crlf\r\nhere", "crlf" FFFD FFFD "here" },          /* one each */
		{ "tab\there", "tab" FFFD "here" },                   /* tab */
		{ "del\x7f!", "del" FFFD "!" },                       /* DEL */
		{ "nul\x01!", "nul" FFFD "!" },                       /* SOH */
		{ "csi\xc2\x9b!", "csi" FFFD "!" },                   /* U+009B: one U+FFFD */
		{ "rlo\xe2\x80\xae!", "rlo" FFFD "!" },               /* U+202E */
		{ "\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
		  FFFD FFFD FFFD FFFD FFFD },              /* LRI PDI LRM RLM ALM */
		{ "Soci\xe9t\xe9", "Soci" FFFD "t" FFFD }, /* Latin-1 */
		{ "\x93\xfa", FFFD FFFD },                 /* Shift_JIS bytes */
		{ "\xe6\x97\xa5\xe6\x9c\xac caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac caf\xc3\xa9" },
		{ "a,\x1b", "\"a," FFFD "\"" },           /* comma: quoted */
		{ "\x1b\"q\"", "\"" FFFD "\"\"q\"\"\"" }, /* quotes doubled */
		{ "=\x07", "'=" FFFD },                   /* still neutralised */
		{ "\r=1", "'" FFFD "=1" },                /* leading CR */
		{ "\xe2\x80\xae=1", FFFD "=1" },          /* U+FFFD first: no formula */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = capture_cell(rows[i].in);
		if (strcmp(got, rows[i].out) != 0)
			fail_msg("row %zu: got \"%s\"", i, got);
		free(got);
	}
}

/* A row whose cells hold CR and LF is still one record: the only CRLF is
 * the record's end. */
static void test_row_one_record(void **state)
{
	static const char *const cells[] = { "a\r\nb", "c\nd", "e\rf", NULL, "g" };
	char *buf = NULL;
	size_t len = 0;
	(void)state;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	csv_row(f, cells, 5);
	fclose(f);
	assert_string_equal(buf, "a" FFFD FFFD "b,c" FFFD "d,e" FFFD "f,,g\r\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_row_one_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
