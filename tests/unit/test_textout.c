/*
 * Unit tests for the escaping of published text on its way to people:
 * print_safe (the terminal and the text reports), html_text, and every
 * report format fed a row whose company, records and label hold each kind
 * of control character utf8_next refuses. The exact bytes each writer
 * gives are asserted; test_csv.c does the same for CSV cells.
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

#include "html.h"
#include "report.h"
#include "textout.h"

/* ESC, BEL, CR, LF, tab, DEL, U+009B (C1 CSI), U+202E (RLO), U+2066
 * (LRI), U+200F (RLM), U+061C (ALM) and a byte that is not UTF-8. */
#define HOSTILE                                                                                    \
	"a\x1b[2Jb\x07"                                                                            \
	"c\rd\ne\tf\x7fg\xc2\x9bh\xe2\x80\xaei\xe2\x81\xa6j\xe2\x80\x8fk\xd8\x9cl\xffm"

static char *capture_safe(const char *s, size_t *written)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	*written = print_safe(f, s);
	fclose(f);
	return buf;
}

static void test_print_safe(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "plain text", "plain text" },
		{ "", "" },
		{ "\x1b[31mred", "\\027[31mred" },             /* ESC */
		{ "bell\x07", "bell\\007" },                   /* BEL */
		{ "cr\rlf\ntab\t", "cr\\013lf\\010tab\\009" }, /* CR, LF, tab */
		{ "del\x7f", "del\\127" },                     /* DEL */
		{ "csi\xc2\x9b"
		  "2J",
		  "csi\\194\\155"
		  "2J" },                                                    /* U+009B */
		{ "\xc2\x80\xc2\x9f", "\\194\\128\\194\\159" },              /* first, last C1 */
		{ "evil\xe2\x80\xaetxt.exe", "evil\\226\\128\\174txt.exe" }, /* RLO */
		{ "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
		  "\\226\\128\\170\\226\\128\\171\\226\\128\\172\\226\\128\\173" },
		{ "\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
		  "\\226\\129\\166\\226\\129\\167\\226\\129\\168\\226\\129\\169" },
		{ "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\226\\128\\142\\226\\128\\143\\216\\156" },
		{ "Soci\xe9t\xe9", "Soci\\233t\\233" },     /* Latin-1: not UTF-8 */
		{ "\x93\xfa\x96\x7b", "\\147\\250\\150{" }, /* Shift_JIS */
		{ "\xe6\x97\xa5\xe6\x9c\xac caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac caf\xc3\xa9" },
		{ "nbsp\xc2\xa0zwj\xe2\x80\x8d", "nbsp\xc2\xa0zwj\xe2\x80\x8d" }, /* pass */
		{ "back\\slash \"q\"", "back\\slash \"q\"" }, /* as before: not escaped */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t written;
		char *got = capture_safe(rows[i].in, &written);
		assert_string_equal(got, rows[i].out);
		assert_int_equal(written, strlen(rows[i].out));
		free(got);
	}
}

static void test_html_text(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	(void)state;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	html_text(f, "<b>" HOSTILE "&'\"\xe6\x97\xa5");
	fclose(f);
	/* One U+FFFD per control character, per bidi control, per bad byte. */
	assert_string_equal(buf, "&lt;b&gt;a\xEF\xBF\xBD[2Jb\xEF\xBF\xBD"
	                         "c\xEF\xBF\xBD"
	                         "d\xEF\xBF\xBD"
	                         "e\xEF\xBF\xBD"
	                         "f\xEF\xBF\xBDg\xEF\xBF\xBDh\xEF\xBF\xBDi\xEF\xBF\xBDj"
	                         "\xEF\xBF\xBDk\xEF\xBF\xBDl\xEF\xBF\xBDm&amp;&#39;&quot;"
	                         "\xe6\x97\xa5");
	free(buf);
}

/* Where buf holds a raw control character (NULL: nowhere): a C0 byte
 * other than the format's own line ends ("\n", "\r\n"), DEL, a C1 or
 * bidi control, or a byte that is not UTF-8. */
static const char *raw_control(const char *buf, size_t len)
{
	static const char *const bad[] = { "\xc2\x80",     "\xc2\x9b",     "\xc2\x9f",
		                           "\xd8\x9c",     "\xe2\x80\x8e", "\xe2\x80\x8f",
		                           "\xe2\x80\xaa", "\xe2\x80\xae", "\xe2\x81\xa6",
		                           "\xe2\x81\xa9", "\xff" };
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\n')
			continue;
		if (c == '\r' && i + 1 < len && buf[i + 1] == '\n')
			continue;
		if (c < 0x20 || c == 0x7f)
			return buf + i;
	}
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		if (memmem(buf, len, bad[k], strlen(bad[k])) != NULL)
			return bad[k];
	return NULL;
}

static char *write_report(enum report_format fmt, const struct report_doc *d, bool domains,
                          size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	int rc = fmt == REPORT_HTML ? report_write_html(f, d) : report_write(f, fmt, d, domains);
	assert_int_equal(rc, 0);
	fclose(f);
	return buf;
}

/* Every format of the report, statistics and domain table, with a row
 * whose company, code, sector, records and an SPF include hold every kind
 * of control, and a run label and list name that do too: none reaches
 * the output raw (JSON escapes them itself: jansson writes \u001b). */
static void test_reports(void **state)
{
	struct store_run run;
	struct report_row r;
	char *includes[] = { "inc" HOSTILE ".example" };
	(void)state;
	memset(&run, 0, sizeof(run));
	run.id = 7;
	snprintf(run.label, sizeof(run.label), "%s", "label" HOSTILE);
	snprintf(run.list, sizeof(run.list), "%s", "list" HOSTILE);
	snprintf(run.started, sizeof(run.started), "2025-01-01T00:00:00Z");
	memset(&r, 0, sizeof(r));
	r.domain = "hostile.example";
	r.company = "Evil" HOSTILE " Corp";
	r.code = "\x1b";
	r.sector = "\xe2\x80\xae"
	           "sector";
	r.conclusive = true;
	snprintf(r.spf_status, sizeof(r.spf_status), "ok");
	snprintf(r.dmarc_status, sizeof(r.dmarc_status), "ok");
	snprintf(r.dmarc_enforcement, sizeof(r.dmarc_enforcement), "reject");
	r.spf_record = "v=spf1 " HOSTILE " -all";
	r.dmarc_record = "v=DMARC1; p=reject; x=" HOSTILE;
	r.includes = includes;
	r.nincludes = 1;
	r.spf_lookups = r.spf_void = r.dmarc_pct = r.bimi_eligible = -1;
	struct report_stats *s = report_stats_new();
	assert_non_null(s);
	assert_int_equal(report_stats_add(s, &r), 0);
	struct report_doc d = { .run = &run, .stats = s, .rows = &r, .nrows = 1 };
	static const enum report_format fmts[] = { REPORT_TEXT, REPORT_CSV, REPORT_MD,
		                                   REPORT_HTML };
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		for (int domains = 0; domains < 2; domains++) {
			size_t len;
			char *out = write_report(fmts[i], &d, domains, &len);
			const char *hit = raw_control(out, len);
			if (hit != NULL)
				fail_msg("format %d domains %d: raw control at \"%.20s\"", fmts[i],
				         domains, hit);
			free(out);
		}
	/* The domain table in text shows the company as print_safe does (wide
	 * enough for it whole: at the default 100 columns it is cut). */
	size_t len;
	d.text_width = 1000;
	char *out = write_report(REPORT_TEXT, &d, true, &len);
	assert_non_null(strstr(out, "Evila\\027[2Jb\\007c\\013d\\010e\\009f\\127g\\194\\155h"
	                            "\\226\\128\\174i"));
	free(out);
	/* The CSV domain table: U+FFFD in the cells, one record per row. */
	out = write_report(REPORT_CSV, &d, true, &len);
	assert_non_null(strstr(out, "\r\nhostile.example,Evila\xEF\xBF\xBD[2Jb\xEF\xBF\xBD"
	                            "c\xEF\xBF\xBD"
	                            "d\xEF\xBF\xBD"
	                            "e\xEF\xBF\xBD"
	                            "f\xEF\xBF\xBDg\xEF\xBF\xBDh\xEF\xBF\xBDi"));
	size_t records = 0;
	for (char *p = out; (p = strstr(p, "\r\n")) != NULL; p += 2)
		records++;
	assert_int_equal(records, 2);
	free(out);
	report_stats_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print_safe),
		cmocka_unit_test(test_html_text),
		cmocka_unit_test(test_reports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
