/*
 * Unit tests for the text reports' width (reports/textcol.c and the text
 * writers, doc/reports.md): at 40, 80, 100 and 200 columns no line of the
 * statistics, the --by groups, the company and the domain tables, the
 * findings, the trend or posture diff is wider than the width, counted
 * in display columns (a Japanese character takes two; an escaped control
 * byte the four of "\027"); the cells keep their values (n/N and the
 * percentage) whichever layout the width asks for; at 200 the statistics
 * keep what a metric counts on the metric's line. Also the column count
 * of text (textcol.h) and posture's width rule off a terminal
 * (cli_text_width: COLUMNS, else 100).
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"
#include "report.h"
#include "textcol.h"

static const int widths[] = { 40, 80, 100, 200 };
#define NWIDTHS (sizeof(widths) / sizeof(widths[0]))

/* ---- what the tests count and look for ---- */

/* Display columns of one line of output, counted apart from textcol.c:
 * the CJK blocks and fullwidth forms take two, combining diacritics
 * none, any other character one. */
static size_t columns(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t cols = 0;
	for (size_t i = 0; i < n;) {
		unsigned cp = p[i];
		size_t len = 1;
		if (p[i] >= 0xf0)
			len = 4, cp = p[i] & 0x07;
		else if (p[i] >= 0xe0)
			len = 3, cp = p[i] & 0x0f;
		else if (p[i] >= 0xc0)
			len = 2, cp = p[i] & 0x1f;
		for (size_t k = 1; k < len && i + k < n; k++)
			cp = (cp << 6) | (p[i + k] & 0x3f);
		if (cp >= 0x300 && cp <= 0x36f)
			;
		else if ((cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
		         (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xff60))
			cols += 2;
		else
			cols++;
		i += len;
	}
	return cols;
}

/* Every line of text at most width columns, none ending in a space, no
 * raw control character but the newline. */
static void assert_fits(const char *text, int width)
{
	const char *p = text;
	int line = 1;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		size_t c = columns(p, n);
		if (c > (size_t)width || (n > 0 && p[n - 1] == ' '))
			fail_msg("line %d is %zu columns (width %d) or ends in a space: '%.*s'",
			         line, c, width, (int)n, p);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				fail_msg("line %d holds a raw control byte", line);
		p += n + (e != NULL);
		line++;
	}
}

/* Whether a line of text matches the extended regular expression re
 * (anchored with ^ and $ per line). */
static bool has_line(const char *text, const char *re)
{
	regex_t r;
	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0);
	bool found = regexec(&r, text, 0, NULL, 0) == 0;
	regfree(&r);
	return found;
}

static void assert_line(const char *text, const char *re)
{
	if (!has_line(text, re))
		fail_msg("no line matches /%s/ in:\n%s", re, text);
}

/* text with each wrapped line joined to the one before it: a newline
 * followed by spaces is one space (caller frees). */
static char *flatten(const char *text)
{
	char *out = strdup(text), *o = out;
	assert_non_null(out);
	for (const char *p = text; *p; p++) {
		if (p[0] == '\n' && p[1] == ' ') {
			while (p[1] == ' ')
				p++;
			*o++ = ' ';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

/* ---- the fixture ---- */

#define ACME  "Acme Holdings International Incorporated Limited of Very Long Names"
#define JP    "株式会社日本電信電話サービスホールディングス"
#define LONGD "mail-gateway-for-the-international-division.subsidiary-of-acme.example"

static struct report_row row(const char *domain, const char *company, const char *spf,
                             const char *enforcement, const char *bimi, int eligible)
{
	struct report_row r;
	memset(&r, 0, sizeof(r));
	r.domain = strdup(domain);
	r.company = company ? strdup(company) : NULL;
	r.conclusive = true;
	snprintf(r.spf_status, sizeof(r.spf_status), "%s", spf);
	r.spf_lookups = 1;
	snprintf(r.spf_all, sizeof(r.spf_all), "-all");
	snprintf(r.dmarc_status, sizeof(r.dmarc_status), "%s",
	         strcmp(enforcement, "missing") == 0 ? "none" : "ok");
	snprintf(r.dmarc_enforcement, sizeof(r.dmarc_enforcement), "%s", enforcement);
	snprintf(r.dmarc_policy, sizeof(r.dmarc_policy), "%s",
	         strcmp(enforcement, "monitor") == 0   ? "none"
	         : strcmp(enforcement, "missing") == 0 ? ""
	                                               : enforcement);
	r.dmarc_pct = -1;
	snprintf(r.bimi_status, sizeof(r.bimi_status), "%s", bimi);
	r.bimi_eligible = eligible;
	snprintf(r.vmc_status, sizeof(r.vmc_status), "%s", eligible ? "valid" : "none");
	snprintf(r.mx, sizeof(r.mx), "present");
	snprintf(r.a, sizeof(r.a), "present");
	return r;
}

#define NROWS 6

struct fixture {
	struct store_run run;
	struct report_row rows[NROWS];
	struct report_stats *stats;
	struct report_company *companies;
	size_t ncompanies;
};

/* Six domains of five companies: Acme's two (monitor, then reject with
 * BIMI), a Japanese company's PermError (quarantine), c.example without
 * a company (reject), a long domain of a company whose name holds an
 * escape sequence (no DMARC), d.example (quarantine). dmarc_enforced:
 * 4/6 domains, 3/5 companies by primary domain, 4/5 by any domain. */
static void fixture_init(struct fixture *x)
{
	memset(x, 0, sizeof(*x));
	x->run.id = 7;
	snprintf(x->run.label, sizeof(x->run.label), "nightly");
	snprintf(x->run.list, sizeof(x->run.list),
	         "lists/every-listed-company-of-the-exchange-with-a-long-file-name.csv");
	snprintf(x->run.started, sizeof(x->run.started), "2026-11-02T01:00:00Z");
	snprintf(x->run.finished_at, sizeof(x->run.finished_at), "2026-11-02T01:05:00Z");
	snprintf(x->run.tool_version, sizeof(x->run.tool_version), "test-1.0");
	x->rows[0] = row("a1.example", ACME, "ok", "monitor", "none", 0);
	x->rows[1] = row("a2.example", ACME, "ok", "reject", "ok", 1);
	x->rows[2] = row("b.example", JP, "permerror", "quarantine", "none", 0);
	snprintf(x->rows[2].spf_error, sizeof(x->rows[2].spf_error), "spf.too_many_lookups");
	x->rows[3] = row("c.example", NULL, "ok", "reject", "none", 0);
	x->rows[4] = row(LONGD, "Evil\x1b[2J Corp", "none", "missing", "none", 0);
	x->rows[5] = row("d.example", "Zeta Industrial", "ok", "quarantine", "none", 0);
	assert_int_equal(report_rows_mark_primary(x->rows, NROWS), 0);
	x->stats = report_stats_new();
	assert_non_null(x->stats);
	for (int i = 0; i < NROWS; i++)
		assert_int_equal(report_stats_add(x->stats, &x->rows[i]), 0);
	assert_int_equal(report_stats_finish(x->stats), 0);
	assert_int_equal(report_companies(x->rows, NROWS, &x->companies, &x->ncompanies), 0);
	assert_int_equal(x->ncompanies, 5);
}

static void fixture_free(struct fixture *x)
{
	free(x->companies);
	report_stats_free(x->stats);
	for (int i = 0; i < NROWS; i++)
		report_row_cleanup(&x->rows[i]);
}

static struct report_doc doc_of(struct fixture *x, int width)
{
	struct report_doc d = { .run = &x->run,
		                .stats = x->stats,
		                .rows = x->rows,
		                .nrows = NROWS,
		                .companies = x->companies,
		                .ncompanies = x->ncompanies,
		                .text_width = width };
	return d;
}

static char *write_what(const struct report_doc *d, enum report_what what)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(report_write_what(f, REPORT_TEXT, d, what), 0);
	fclose(f);
	if (getenv("TEST_REPORT_TEXT_SHOW"))
		fprintf(stderr, "---- width %d\n%s", d->text_width, buf);
	return buf;
}

/* The statistics' text with every count multiplied by k (kept statistics,
 * as posture db prune keeps them): wider cells. */
static struct report_stats *scaled(const struct report_stats *s, long k)
{
	char *text = report_stats_save(s);
	size_t cap = strlen(text) * 3 + 64, at = 0;
	char *out = malloc(cap);
	assert_non_null(out);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char name[64];
		long a, b, c;
		if (sscanf(line, "%63s %ld %ld %ld", name, &a, &b, &c) == 4)
			at += (size_t)snprintf(out + at, cap - at, "%s %ld %ld %ld\n", name, a * k,
			                       b * k, c * k);
		else
			at += (size_t)snprintf(out + at, cap - at, "%s\n", line);
		assert_true(at < cap);
	}
	struct report_stats *r = report_stats_load(out);
	assert_non_null(r);
	free(text);
	free(out);
	return r;
}

/* ---- textcol.h ---- */

static char *cut(const char *s, size_t width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	text_cut(f, s, width);
	fclose(f);
	return buf;
}

static void test_columns(void **state)
{
	(void)state;
	assert_int_equal(text_cols("abc"), 3);
	assert_int_equal(text_cols("株式会社"), 8);                 /* wide: two each */
	assert_int_equal(text_cols("ｱｲ"), 2);                       /* halfwidth katakana: one */
	assert_int_equal(text_cols("Ｐ"), 2);                       /* fullwidth Latin */
	assert_int_equal(text_cols("e\xcc\x81"), 1);                /* e and U+0301 */
	assert_int_equal(text_cols("\xe3\x81\x8b\xe3\x82\x99"), 2); /* か + U+3099 */
	assert_int_equal(text_cols("a\x1b"), 5);                    /* \027: four columns */
	assert_int_equal(text_cols("\xff"), 4);                     /* not UTF-8: \255 */
	assert_int_equal(text_cols("\xe2\x80\xae"), 12);            /* U+202E: three escapes */
	assert_int_equal(text_cols("\xf0\x9f\x98\x80"), 2);         /* an emoji */
	assert_int_equal(text_cols(""), 0);
	assert_int_equal(text_cols(NULL), 0);

	char *s = cut("abcdef", 6); /* fits: as it is */
	assert_string_equal(s, "abcdef");
	free(s);
	s = cut("abcdefg", 6);
	assert_string_equal(s, "abcde\xe2\x80\xa6"); /* five and "…" */
	free(s);
	s = cut("株式会社", 5); /* two wide and "…" */
	assert_string_equal(s, "株式\xe2\x80\xa6");
	free(s);
	s = cut("株式会社", 4); /* one wide, one column left over, "…" */
	assert_string_equal(s, "株\xe2\x80\xa6");
	free(s);
	s = cut("a\x1b[2J", 8); /* a, \027 and [2J: fits */
	assert_string_equal(s, "a\\027[2J");
	free(s);
	s = cut("a\x1b[2J", 7); /* escaped, never cut inside an escape */
	assert_string_equal(s, "a\\027[\xe2\x80\xa6");
	free(s);
	s = cut("a\x1b[2J", 4);
	assert_string_equal(s, "a\xe2\x80\xa6");
	free(s);

	assert_int_equal(text_width_of(0), 100);
	assert_int_equal(text_width_of(-3), 100);
	assert_int_equal(text_width_of(12), 40);
	assert_int_equal(text_width_of(80), 80);
	assert_int_equal(text_width_of(5000), 1000);
}

static void test_wrap(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	(void)state;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	text_wrap(f, "one two three four five six", 2, 4, 14);
	text_wrap(f, "abcdefghijklmnopqrstuvwxyz", 0, 2, 10); /* a long word: broken */
	text_wrap(f, "日本語の会社名です", 0, 0, 8);          /* wide: 4 a line */
	fclose(f);
	assert_string_equal(buf, "  one two\n"
	                         "    three four\n"
	                         "    five six\n"
	                         "abcdefghij\n"
	                         "  klmnopqr\n"
	                         "  stuvwxyz\n"
	                         "日本語の\n"
	                         "会社名で\n"
	                         "す\n");
	free(buf);
}

/* A table of two rows: in columns, with the column that may be cut cut
 * (never the first); else the first value on a line of its own; else a
 * block per row. */
static void test_table(void **state)
{
	static const struct text_col cols[] = { { "name", 0 }, { "note", 6 }, { "count", 0 } };
	const char *cells[] = { "key-one", "a-rather-long-note", "12", "k2", "short", "" };
	struct text_table t = { cols, 3, cells, NULL, 2, 2, 2, true, 0 };
	(void)state;
	assert_int_equal(text_table_width(&t, false), 2 + 7 + 2 + 18 + 2 + 5);
	assert_int_equal(text_table_width(&t, true), 2 + 7 + 2 + 6 + 2 + 5);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	text_table_write(f, &t, 40); /* fits */
	text_table_write(f, &t, 30); /* the note cut to 12 */
	text_table_write(f, &t, 23); /* the name alone, the note cut to 10 */
	text_table_write(f, &t, 18); /* blocks */
	t.lead = 2;
	text_table_write(f, &t, 23); /* the name and the note, the count below */
	fclose(f);
	assert_string_equal(buf, "  name     note                count\n"
	                         "  key-one  a-rather-long-note  12\n"
	                         "  k2       short\n"
	                         "  name     note          count\n"
	                         "  key-one  a-rather-lo…  12\n"
	                         "  k2       short\n"
	                         "  name\n"
	                         "      note        count\n"
	                         "  key-one\n"
	                         "      a-rather-…  12\n"
	                         "  k2\n"
	                         "      short\n"
	                         "  key-one\n"
	                         "      note\n"
	                         "        a-rather-…\n"
	                         "      count  12\n"
	                         "  k2\n"
	                         "      note  short\n"
	                         "  name  note\n"
	                         "      count\n"
	                         "  key-one  a-rather-lo…\n"
	                         "      12\n"
	                         "  k2  short\n");
	free(buf);
}

/* Off a terminal: COLUMNS when it is a positive number, else 100; within
 * 40..1000. */
static void test_cli_text_width(void **state)
{
	static const struct {
		const char *columns; /* NULL: unset */
		int width;
	} cases[] = {
		{ NULL, 100 },    { "", 100 },        { "132", 132 },
		{ "80", 80 },     { "0", 100 },       { "-90", 100 },
		{ "abc", 100 },   { "90x", 100 },     { " 90", 100 },
		{ "+90", 100 },   { "12", 40 },       { "40", 40 },
		{ "1000", 1000 }, { "100000", 1000 }, { "99999999999999999999999", 100 },
	};
	(void)state;
	FILE *f = tmpfile(); /* a file, not a terminal */
	assert_non_null(f);
	const char *env = getenv("COLUMNS");
	char *saved = env ? strdup(env) : NULL;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].columns)
			setenv("COLUMNS", cases[i].columns, 1);
		else
			unsetenv("COLUMNS");
		if (cli_text_width(f) != cases[i].width)
			fail_msg("COLUMNS=%s: %d, not %d",
			         cases[i].columns ? cases[i].columns : "(unset)", cli_text_width(f),
			         cases[i].width);
	}
	/* A memory stream has no descriptor: not a terminal either. */
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	unsetenv("COLUMNS");
	assert_int_equal(cli_text_width(m), 100);
	fclose(m);
	free(buf);
	if (saved)
		setenv("COLUMNS", saved, 1);
	free(saved);
	fclose(f);
}

/* ---- the reports ---- */

static void test_stats(void **state)
{
	struct fixture x;
	(void)state;
	fixture_init(&x);
	for (size_t i = 0; i < NWIDTHS; i++) {
		struct report_doc d = doc_of(&x, widths[i]);
		char *t = write_what(&d, REPORT_STATS);
		assert_fits(t, widths[i]);
		assert_line(t, "^posture report: run 7 \\(nightly\\)");
		assert_line(t, "list( lists/every|$)");
		if (widths[i] == 200) {
			/* Wide: what a metric counts on its line, between name and cells. */
			assert_line(t, "^  dmarc_enforced +enforced \\(quarantine \\+ reject\\) +"
			               "4/6 \\(66\\.7%\\) +3/5 \\(60\\.0%\\) +4/5 \\(80\\.0%\\)$");
			assert_line(t, "^  spf_permerror +SPF PermError +1/6 \\(16\\.7%\\) +"
			               "1/5 \\(20\\.0%\\) +1/5 \\(20\\.0%\\)$");
			assert_line(t, "^  dmarc_reject +p=reject on all mail +2/6 \\(33\\.3%\\) +"
			               "1/5 \\(20\\.0%\\)$");
			assert_line(t, "^  metric +domains +companies +companies \\(any\\)$");
		} else if (widths[i] >= 80) {
			/* Narrow: the cells on the metric's line, what it counts below. */
			assert_line(
			        t,
			        "^  dmarc_enforced +4/6 \\(66\\.7%\\) +3/5 \\(60\\.0%\\) +"
			        "4/5 \\(80\\.0%\\)\n      enforced \\(quarantine \\+ reject\\)$");
			assert_line(t, "^  dmarc_reject +2/6 \\(33\\.3%\\) +1/5 \\(20\\.0%\\)\n"
			               "      p=reject on all mail$");
			assert_false(has_line(t, "^  dmarc_enforced +enforced"));
		} else {
			/* 40: a block per metric, a line per view. */
			assert_line(
			        t, "^  dmarc_enforced\n      enforced \\(quarantine \\+ reject\\)\n"
			           "      domains +4/6 \\(66\\.7%\\)\n"
			           "      companies +3/5 \\(60\\.0%\\)\n"
			           "      companies \\(any\\) +4/5 \\(80\\.0%\\)$");
		}
		/* The four readings of "enforced", each with both cells. */
		assert_line(t, "^  dmarc_enforced_rfc9989 +4/6 \\(66\\.7%\\) +3/5 \\(60\\.0%\\)|"
		               "^      companies +3/5 \\(60\\.0%\\)$");
		free(t);
	}
	fixture_free(&x);
}

/* Counts in the tens of thousands: at 80 the cells go compact ("n/N
 * p%"), at 40 a block per metric; the values stay whole. */
static void test_stats_large(void **state)
{
	struct fixture x;
	(void)state;
	fixture_init(&x);
	struct report_stats *big = scaled(x.stats, 10001), *huge = scaled(x.stats, 1000003);
	for (size_t i = 0; i < NWIDTHS; i++) {
		struct report_doc d = doc_of(&x, widths[i]);
		d.stats = big;
		char *t = write_what(&d, REPORT_STATS);
		assert_fits(t, widths[i]);
		if (widths[i] == 80) {
			/* Compact cells; DMARC's names are too long for them: the
			 * name alone, whole cells below. */
			assert_line(t,
			            "^  spf_permerror +10001/60006 16\\.7% +10001/50005 20\\.0% +"
			            "10001/50005 20\\.0%\n      SPF PermError$");
			assert_line(t, "^  dmarc_enforced\n      40004/60006 \\(66\\.7%\\) +"
			               "30003/50005 \\(60\\.0%\\) +40004/50005 \\(80\\.0%\\)\n"
			               "      enforced \\(quarantine \\+ reject\\)$");
		} else if (widths[i] >= 100) {
			assert_line(t, "^  dmarc_enforced .*40004/60006 \\(66\\.7%\\) +"
			               "30003/50005 \\(60\\.0%\\) +40004/50005 \\(80\\.0%\\)$");
		} else {
			assert_line(t, "^      domains +40004/60006 \\(66\\.7%\\)$");
		}
		free(t);
		d.stats = huge;
		t = write_what(&d, REPORT_STATS);
		assert_fits(t, widths[i]);
		assert_line(t, "4000012/6000018 \\(?66\\.7%\\)?");
		free(t);
	}
	report_stats_free(big);
	report_stats_free(huge);
	fixture_free(&x);
}

static void test_groups(void **state)
{
	struct fixture x;
	(void)state;
	fixture_init(&x);
	const char *names[] = { "Banks and other financial institutions of the whole wide world",
		                JP };
	struct report_stats *g[2] = { x.stats, x.stats };
	for (size_t i = 0; i < NWIDTHS; i++) {
		struct report_doc d = doc_of(&x, widths[i]);
		d.by = "sector";
		d.group_names = names;
		d.group_stats = g;
		d.ngroups = 2;
		char *t = write_what(&d, REPORT_GROUPS);
		assert_fits(t, widths[i]);
		assert_line(t, "^== sector: Banks and other");
		assert_line(t, widths[i] > 40 ? "^== sector: " JP " ==$" : "^== sector: 株式会社");
		assert_line(t, "^  dmarc_enforced .*4/6 \\(66\\.7%\\) +3/5 \\(60\\.0%\\)|"
		               "^      domains +4/6 \\(66\\.7%\\)$");
		free(t);
	}
	fixture_free(&x);
}

static void test_companies(void **state)
{
	struct fixture x;
	(void)state;
	fixture_init(&x);
	for (size_t i = 0; i < NWIDTHS; i++) {
		struct report_doc d = doc_of(&x, widths[i]);
		char *t = write_what(&d, REPORT_COMPANIES);
		assert_fits(t, widths[i]);
		if (widths[i] == 200) {
			/* The table: primary a1 (monitor), best a2 (reject), 1/0/1. */
			/* The first column whole; the domains cut to fit. */
			assert_line(t,
			            "^" ACME " +2 +a1\\.example +monitor +ok +a2\\.example +reject "
			            "+ok +1/0/1$");
			assert_line(
			        t,
			        "^c\\.example +1 +mail-gateway-for-the-international-division.*… "
			        "+missing +none +c\\.example +reject +ok +1/0/0$|"
			        "^Evil\\\\027\\[2J Corp +1 +mail-gateway-for-the-.*… +missing");
			assert_line(t,
			            "^" JP " +1 +b\\.example +quarantine +permerror +b\\.example "
			            "+quarantine +permerror +1/1/0$");
			/* The escape sequence as \027, never raw. */
			assert_line(t, "^Evil\\\\027\\[2J Corp +1 +mail-gateway");
		} else {
			/* A block per company; the long name cut. */
			assert_line(t, "^(" ACME "|Acme Holdings.*…)(: |\n    )2 domains, "
			               "enf/perm/bimi 1/0/1$");
			assert_line(t, "^    primary  a1\\.example( +|\n +)monitor +ok$");
			assert_line(t, "^    best     a2\\.example( +|\n +)reject +ok$");
			assert_line(t, "^株式会社.*(: |\n    )1 domain, enf/perm/bimi 1/1/0$");
			assert_line(t, "^    primary  b\\.example( +|\n +)quarantine +permerror$");
		}
		free(t);
	}
	fixture_free(&x);
}

static void test_domains(void **state)
{
	struct fixture x;
	(void)state;
	fixture_init(&x);
	for (size_t i = 0; i < NWIDTHS; i++) {
		struct report_doc d = doc_of(&x, widths[i]);
		char *t = write_what(&d, REPORT_DOMAINS);
		assert_fits(t, widths[i]);
		/* Below 200 (the long domain does not leave room for the rest)
		 * the domain whole and the company on a line, the rest below. */
		if (widths[i] == 80 || widths[i] == 100) {
			assert_line(
			        t, "^domain  company\n    spf +spf_error +dmarc +policy +bimi +vmc "
			           "+mx$");
			assert_line(t,
			            "^b\\.example  " JP "\n    permerror +spf\\.too_many_lookups +"
			            "quarantine +quarantine +none +none +present$");
			assert_line(t, "^a1\\.example  " ACME "\n    ok +monitor +none +none +none "
			               "+present$");
			assert_line(t, "^" LONGD "  Evil(…|\\\\027\\[2J Corp)\n    none +missing");
		}
		if (widths[i] == 200) {
			assert_line(t, "^" LONGD " +Evil\\\\027\\[2J Corp +none +missing");
			assert_line(t, "^b\\.example +" JP " +permerror +spf\\.too_many_lookups +"
			               "quarantine +quarantine +none +none +present$");
		} else if (widths[i] == 40)
			assert_line(t, "^b\\.example\n    company\n      株式会社.*…\n"
			               "    spf +permerror$");
		free(t);
	}
	fixture_free(&x);
}

struct findings_case {
	const char *domain, *check, *code, *severity, *path;
};

static void test_findings(void **state)
{
	static const struct findings_case f[] = {
		{ LONGD, "spf", "spf.too_many_lookups", "error",
		  "include:_spf.provider-one.example > include:_spf.provider-two.example" },
		{ "b.example", "dmarc", "dmarc.nonexistent_unprotected", "warning", "b.example" },
		{ "c.example", "bimi", "vmc.expired", "error", NULL },
	};
	struct fixture x;
	(void)state;
	fixture_init(&x);
	for (size_t i = 0; i < NWIDTHS; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		struct report_findings_out o = { out, REPORT_TEXT, false, &x.run, 0, widths[i] };
		assert_int_equal(report_findings_begin(&o), 0);
		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			struct report_finding g = { f[k].domain, f[k].check, f[k].code,
				                    f[k].severity, f[k].path };
			assert_int_equal(report_findings_add(&o, &g), 0);
		}
		assert_int_equal(report_findings_end(&o), 0);
		fclose(out);
		if (getenv("TEST_REPORT_TEXT_SHOW"))
			fprintf(stderr, "---- width %d\n%s", widths[i], buf);
		assert_int_equal(o.n, 3);
		assert_fits(buf, widths[i]);
		assert_line(buf, "^posture report: findings of run 7");
		if (widths[i] == 200) {
			/* The columns of old, the path on the line. */
			assert_line(buf,
			            "^mail-gateway-.*… spf    spf\\.too_many_lookups {17}error    "
			            "include:_spf\\.provider-one\\.example > "
			            "include:_spf\\.provider-two\\.example$");
			assert_line(buf, "^c\\.example +bimi +vmc\\.expired +error$");
		} else if (widths[i] >= 80) {
			assert_line(buf, "^mail-gateway-.*… +spf +spf\\.too_many_lookups +error$");
			assert_line(buf, "^    at include:_spf\\.provider-one\\.example > "
			                 "include:_spf\\.provider-two\\.example$");
			assert_line(buf,
			            "^b\\.example +dmarc +dmarc\\.nonexistent_unprotected +warning"
			            " +b\\.example$");
			assert_line(buf, "^c\\.example +bimi +vmc\\.expired +error$");
		} else {
			assert_line(buf, "^b\\.example\n    dmarc dmarc\\.nonexistent_unprotected\n"
			                 "      warning\n    at b\\.example$");
		}
		free(buf);
	}
	fixture_free(&x);
}

static void test_trend(void **state)
{
	struct fixture x;
	(void)state;
	fixture_init(&x);
	struct store_run runs[3];
	static const char *const labels[3] = { "spf-only",
		                               "nightly-production-eu-west-with-a-long-label",
		                               "夜間の定期実行ラベル" };
	for (int i = 0; i < 3; i++) {
		runs[i] = x.run;
		runs[i].id = i + 1;
		snprintf(runs[i].label, sizeof(runs[i].label), "%s", labels[i]);
		snprintf(runs[i].finished_at, sizeof(runs[i].finished_at), "2026-11-0%dT01:05:00Z",
		         i + 1);
	}
	struct report_stats *big = scaled(x.stats, 100003);
	struct report_stats *st[3] = { x.stats, x.stats, big };
	for (size_t i = 0; i < NWIDTHS; i++) {
		struct report_doc d = doc_of(&x, widths[i]);
		d.trend_runs = runs;
		d.trend_stats = st;
		d.ntrend = 3;
		d.trend_filter = "label 夜間の定期実行ラベル";
		char *t = write_what(&d, REPORT_TREND);
		assert_fits(t, widths[i]);
		assert_line(t, "^posture trend: 3 runs \\(label( |\n  )夜間");
		assert_line(t, "^dmarc_enforced: enforced \\(quarantine \\+( |\n  )reject\\)$");
		if (widths[i] == 200) {
			assert_line(t, "^  1 +2026-11-01T01:05:00Z +spf-only +4/6 \\(66\\.7%\\) +"
			               "3/5 \\(60\\.0%\\)$");
			assert_line(t,
			            "^  2 +2026-11-02T01:05:00Z +nightly-production-eu-west-with-a-"
			            "long-label +4/6 \\(66\\.7%\\) +3/5 \\(60\\.0%\\)$");
			assert_line(t, "^  3 +2026-11-03T01:05:00Z +夜間の定期実行ラベル +"
			               "400012/600018 \\(66\\.7%\\) +300009/500015 \\(60\\.0%\\)$");
		} else if (widths[i] >= 80) {
			/* The label cut; the cells whole (compact at 80). */
			assert_line(t,
			            "^  2 +2026-11-02T01:05:00Z +nightly-.*… +4/6 \\(?66\\.7%\\)? +"
			            "3/5 \\(?60\\.0%\\)?$");
			assert_line(t, "^  3 +2026-11-03T01:05:00Z +夜間.* +400012/600018 "
			               "\\(?66\\.7%\\)? +"
			               "300009/500015 \\(?60\\.0%\\)?$");
		} else {
			assert_line(t, "^      companies +300009/500015 \\(60\\.0%\\)$");
		}
		free(t);
	}
	report_stats_free(big);
	fixture_free(&x);
}

static void test_diff_text(void **state)
{
	struct fixture x;
	(void)state;
	fixture_init(&x);
	struct store_run ra = x.run, rb = x.run;
	ra.id = 6;
	struct report_change c[3];
	memset(c, 0, sizeof(c));
	c[0] = (struct report_change){ .domain = "b.example",
		                       .what = "spf_permerror",
		                       .direction = REPORT_REGRESSED };
	snprintf(c[0].from, sizeof(c[0].from), "ok");
	snprintf(c[0].to, sizeof(c[0].to), "spf.too_many_lookups");
	c[1] = (struct report_change){ .domain = LONGD,
		                       .what = "dmarc_enforcement",
		                       .direction = REPORT_IMPROVED };
	snprintf(c[1].from, sizeof(c[1].from), "missing");
	snprintf(c[1].to, sizeof(c[1].to), "quarantine");
	c[2] = (struct report_change){ .domain = "n.example",
		                       .what = "added",
		                       .direction = REPORT_CHANGED };
	snprintf(c[2].to, sizeof(c[2].to), "listed");
	for (size_t i = 0; i < NWIDTHS; i++) {
		for (int latest = 0; latest < 2; latest++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *out = open_memstream(&buf, &len);
			assert_int_equal(
			        report_diff_write_text(out, &ra, &rb, c, 3, latest, widths[i]), 0);
			fclose(out);
			if (getenv("TEST_REPORT_TEXT_SHOW"))
				fprintf(stderr, "---- width %d\n%s", widths[i], buf);
			assert_fits(buf, widths[i]);
			assert_line(buf, widths[i] >= 80
			                         ? "^  regressed b\\.example  spf_permerror: ok -> "
			                           "spf\\.too_many_lookups$"
			                         : "^  regressed b\\.example\n            "
			                           "spf_permerror: ok ->\n +"
			                           "spf\\.too_many_lookups$");
			if (latest) {
				assert_false(has_line(buf, "improved +mail-gateway"));
				assert_false(has_line(buf, "n\\.example"));
			} else if (widths[i] == 200) {
				assert_line(buf,
				            "^  improved  " LONGD "  dmarc_enforcement: missing -> "
				            "quarantine$");
			} else if (widths[i] >= 80) {
				assert_line(
				        buf,
				        "^  improved  mail-gateway-(.*…|.*acme\\.example)\n {12}"
				        "dmarc_enforcement: missing -> quarantine$");
			} else {
				assert_line(buf, "^  improved  mail-gateway-.*…\n            "
				                 "dmarc_enforcement: missing\n              -> "
				                 "quarantine$");
			}
			if (!latest)
				assert_line(
				        buf,
				        "^  changed   n\\.example(  |\n {12})added: - -> listed$");
			/* The heading, on one line or two (the change lines,
			 * indented, join its end). */
			char *flat = flatten(buf);
			assert_non_null(
			        strstr(flat, latest ? "posture diff: run 6 (2026-11-02T01:00:00Z) "
			                              "-> run 7 (2026-11-02T01:00:00Z): 1 "
			                              "domain regressed (all 3 changes: "
			                              "posture diff 6 7)"
			                            : "posture diff: run 6 (2026-11-02T01:00:00Z) "
			                              "-> run 7 (2026-11-02T01:00:00Z): 3 "
			                              "changes; 1 domains improved, 1 "
			                              "regressed"));
			free(flat);
			free(buf);
		}
	}
	fixture_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns), cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_table),   cmocka_unit_test(test_cli_text_width),
		cmocka_unit_test(test_stats),   cmocka_unit_test(test_stats_large),
		cmocka_unit_test(test_groups),  cmocka_unit_test(test_companies),
		cmocka_unit_test(test_domains), cmocka_unit_test(test_findings),
		cmocka_unit_test(test_trend),   cmocka_unit_test(test_diff_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
