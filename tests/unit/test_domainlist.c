/*
 * Unit tests for domainlist.c: both formats, every kind of bad line, IDN
 * conversion, sharding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domainlist.h"

struct seen {
	unsigned long lines[32];
	char reasons[32][200];
	size_t n;
};

static void on_problem(void *arg, const char *source, unsigned long line, const char *reason)
{
	struct seen *s = arg;
	(void)source;
	if (s->n < 32) {
		s->lines[s->n] = line;
		snprintf(s->reasons[s->n], sizeof(s->reasons[0]), "%s", reason);
		s->n++;
	}
}

/* Reads text as a list; returns the entries (caller frees) and count. */
static struct list_entry *read_all(const char *text, size_t len, const char *source,
                                   struct seen *seen, size_t *n)
{
	FILE *f = fmemopen((void *)text, len, "r");
	assert_non_null(f);
	struct list_reader *r = list_open_stream(f, source, on_problem, seen);
	assert_non_null(r);
	struct list_entry *v = calloc(64, sizeof(*v));
	char err[128];
	*n = 0;
	while (*n < 64 && list_next(r, &v[*n], err, sizeof(err)) == 1)
		(*n)++;
	assert_int_equal(list_skipped(r), seen->n);
	list_close(r);
	fclose(f);
	return v;
}

static void test_plain(void **state)
{
	static const char text[] = "# Nikkei sample\n"
	                           "\n"
	                           "Example.COM.\n"
	                           "  toyota.co.jp   # trailing comment\n"
	                           "bad name.example\n"
	                           "-lead.example\n"
	                           "trail-.example\n"
	                           "localhost\n"
	                           "a..b.example\n"
	                           "bücher.example\n"
	                           "\xff\xfe.example\n"
	                           "_dmarc.example.org\r\n"
	                           "http://example.net/\n"
	                           "last.example";
	struct seen seen = { 0 };
	size_t n;
	(void)state;
	struct list_entry *v = read_all(text, sizeof(text) - 1, "dir/top-sites.txt", &seen, &n);

	assert_int_equal(n, 5);
	assert_string_equal(v[0].domain, "example.com");
	assert_int_equal(v[0].line, 3);
	assert_string_equal(v[0].list, "top-sites");
	assert_string_equal(v[1].domain, "toyota.co.jp");
	assert_string_equal(v[2].domain, "xn--bcher-kva.example"); /* IDNA 2008 */
	assert_string_equal(v[3].domain, "_dmarc.example.org");
	assert_string_equal(v[4].domain, "last.example"); /* no final newline */
	assert_int_equal(v[4].line, 14);
	/* Every bad line named by its number, with a reason. */
	static const unsigned long bad[] = { 5, 6, 7, 8, 9, 11, 13 };
	assert_int_equal(seen.n, sizeof(bad) / sizeof(bad[0]));
	for (size_t i = 0; i < seen.n; i++)
		assert_int_equal(seen.lines[i], bad[i]);
	assert_non_null(strstr(seen.reasons[0], "' ' is not allowed"));
	assert_non_null(strstr(seen.reasons[1], "hyphen"));
	assert_non_null(strstr(seen.reasons[3], "single label"));
	assert_non_null(strstr(seen.reasons[5], "internationalised"));
	/* Control bytes in a reason are escaped, never passed through. */
	assert_null(strchr(seen.reasons[5], '\xff'));
	free(v);
}

static void test_csv(void **state)
{
	static const char text[] = "\xef\xbb\xbf"
	                           "code,Company,sector,Domain,extra\n"
	                           "7203,Toyota Motor,Automobiles,toyota.co.jp,x\n"
	                           "6758,\"Sony Group, Corp.\",Electronics,SONY.com,\n"
	                           "9999,\"Quote \"\"Inc\"\"\",Misc,quote.example,\n"
	                           "1,\"Unterminated,Misc,bad.example\n"
	                           "2,Short\n"
	                           "3,Evil\x1b[31m,Misc,evil.example\n"
	                           "4,No domain,Misc,,\n";
	struct seen seen = { 0 };
	size_t n;
	(void)state;
	struct list_entry *v = read_all(text, sizeof(text) - 1, "nikkei225.csv", &seen, &n);

	assert_int_equal(n, 4);
	assert_string_equal(v[0].domain, "toyota.co.jp");
	assert_string_equal(v[0].company, "Toyota Motor");
	assert_string_equal(v[0].code, "7203");
	assert_string_equal(v[0].sector, "Automobiles");
	assert_string_equal(v[0].list, "nikkei225");
	assert_string_equal(v[1].domain, "sony.com");
	assert_string_equal(v[1].company, "Sony Group, Corp.");
	assert_string_equal(v[2].company, "Quote \"Inc\"");
	/* Control characters never reach the store. */
	assert_string_equal(v[3].company, "Evil [31m");
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.lines[0], 5);
	assert_non_null(strstr(seen.reasons[0], "unterminated quote"));
	assert_int_equal(seen.lines[1], 6);
	assert_non_null(strstr(seen.reasons[1], "no domain column"));
	assert_int_equal(seen.lines[2], 8);
	assert_non_null(strstr(seen.reasons[2], "empty"));
	free(v);
}

/* Fields that are not UTF-8 (a Latin-1 or Shift_JIS export) are stored
 * with U+FFFD for each such byte; a field cut at LIST_FIELD_MAX never
 * ends in half a character. */
static void test_csv_not_utf8(void **state)
{
	char text[1024];
	struct seen seen = { 0 };
	size_t n;
	(void)state;
	/* 200 bytes of ASCII, then 30 three-byte characters: over 256. */
	char longname[400];
	memset(longname, 'a', 200);
	for (size_t i = 0; i < 30; i++)
		memcpy(longname + 200 + 3 * i, "\xe6\x97\xa5", 3); /* U+65E5 */
	longname[290] = '\0';
	snprintf(text, sizeof(text),
	         "code,company,sector,domain\n"
	         "1,Soci\xe9t\xe9 G\xe9n\xe9rale,Banks,socgen.example\n"
	         "2,%s,\x93\xfa\x96\x7b,nikkei.example\n",
	         longname);
	struct list_entry *v = read_all(text, strlen(text), "l.csv", &seen, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].company, "Soci\xef\xbf\xbdt\xef\xbf\xbd G\xef\xbf\xbdn\xef\xbf\xbd"
	                                  "rale");
	/* Shift_JIS for "Nikkei": 0x93, 0xfa and 0x96 cannot start a UTF-8
	 * character; 0x7b is '{'. */
	assert_string_equal(v[1].sector, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd{");
	/* 200 + 18 * 3 = 254 bytes fit in 255; the 19th character would not. */
	assert_int_equal(strlen(v[1].company), 254);
	assert_memory_equal(v[1].company + 251, "\xe6\x97\xa5", 3);
	free(v);
}

/* A header without a domain column is no header: plain text. */
static void test_csv_list_column(void **state)
{
	static const char text[] = "domain,list\nexample.com,tranco\nexample.org\n";
	struct seen seen = { 0 };
	size_t n;
	(void)state;
	struct list_entry *v = read_all(text, sizeof(text) - 1, "x.csv", &seen, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].list, "tranco");
	assert_string_equal(v[1].list, "x"); /* column missing on the line */
	free(v);
}

static void test_long_line(void **state)
{
	size_t len = (size_t)LIST_LINE_MAX * 3;
	char *text = malloc(len + 32);
	(void)state;
	memset(text, 'a', len);
	memcpy(text + len, "\nok.example\n", 12);
	struct seen seen = { 0 };
	size_t n;
	struct list_entry *v = read_all(text, len + 12, "long.txt", &seen, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].domain, "ok.example");
	assert_int_equal(v[0].line, 2);
	assert_int_equal(seen.n, 1);
	assert_non_null(strstr(seen.reasons[0], "longer than"));
	free(v);
	free(text);
}

static void test_normalize(void **state)
{
	static const struct {
		const char *in, *out; /* out NULL: refused */
	} rows[] = {
		{ "EXAMPLE.com", "example.com" },
		{ " example.com. ", "example.com" },
		{ "日本.jp", "xn--wgv71a.jp" },
		{ "faß.de", "xn--fa-hia.de" }, /* IDNA 2008, not transitional "fass" */
		{ "xn--wgv71a.jp", "xn--wgv71a.jp" },
		{ "a.b", "a.b" },
		{ "com", NULL },
		{ "", NULL },
		{ "ex ample.com", NULL },
		{ "ex*ample.com", NULL },
		{ "-a.com", NULL },
		{ "a-.com", NULL },
		{ "a..com", NULL },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", NULL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[DNS_NAME_BUF], why[160];
		int rc = list_domain_normalize(rows[i].in, out, sizeof(out), why, sizeof(why));
		if (rows[i].out == NULL) {
			if (rc == 0)
				fail_msg("'%s' accepted as '%s'", rows[i].in, out);
			assert_true(why[0] != '\0');
		} else {
			if (rc != 0)
				fail_msg("'%s' refused: %s", rows[i].in, why);
			assert_string_equal(out, rows[i].out);
		}
	}
}

/* Shards partition a list, are stable, and are roughly even. */
static void test_shards(void **state)
{
	unsigned counts[4] = { 0 };
	char name[64];
	(void)state;
	for (int i = 0; i < 4000; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		unsigned k = list_shard_of(name, 4);
		assert_true(k < 4);
		assert_int_equal(k, list_shard_of(name, 4));
		counts[k]++;
	}
	for (int k = 0; k < 4; k++)
		assert_in_range(counts[k], 850, 1150);
	/* FNV-1a 64 of "example.com" is 0x576846634e2714c6 (computed with an
	 * independent Python implementation from the published offset basis
	 * and prime): shard numbers are stable across builds and machines. */
	assert_int_equal(list_shard_of("example.com", 1000), 0x576846634e2714c6ULL % 1000);
	assert_int_equal(list_shard_of("x", 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),        cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_not_utf8), cmocka_unit_test(test_csv_list_column),
		cmocka_unit_test(test_long_line),    cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_shards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
