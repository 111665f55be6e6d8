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
#include <unistd.h>

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

	assert_int_equal(n, 6);
	assert_string_equal(v[0].domain, "example.com");
	assert_int_equal(v[0].line, 3);
	assert_string_equal(v[0].list, "top-sites");
	assert_string_equal(v[1].domain, "toyota.co.jp");
	assert_string_equal(v[2].domain, "xn--bcher-kva.example"); /* IDNA 2008 */
	assert_string_equal(v[3].domain, "_dmarc.example.org");
	/* A URL stands for its host (domainarg.h; a warning says so). */
	assert_string_equal(v[4].domain, "example.net");
	assert_int_equal(v[4].line, 13);
	assert_string_equal(v[5].domain, "last.example"); /* no final newline */
	assert_int_equal(v[5].line, 14);
	/* Every bad line named by its number, with a reason. */
	static const unsigned long bad[] = { 5, 6, 7, 8, 9, 11 };
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
/* A NUL byte is a byte of its line, not its end: that line is reported
 * by its number and skipped, and the next line is read as usual (fgets
 * and strlen used to drop it). */
static void test_nul_line(void **state)
{
	static const char text[] = "a.example\n"
	                           "b\0bad.example\n"
	                           "c.example\n"
	                           "\0\0\0\n"
	                           "d.example\r\n"
	                           "e.exam\0ple";
	struct seen seen = { 0 };
	size_t n;
	(void)state;
	struct list_entry *v = read_all(text, sizeof(text) - 1, "nul.txt", &seen, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].domain, "a.example");
	assert_string_equal(v[1].domain, "c.example");
	assert_int_equal(v[1].line, 3);
	assert_string_equal(v[2].domain, "d.example");
	assert_int_equal(v[2].line, 5);
	assert_int_equal(seen.n, 3);
	static const unsigned long bad[] = { 2, 4, 6 };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(seen.lines[i], bad[i]);
		assert_string_equal(seen.reasons[i],
		                    "a NUL byte in the line (a list is UTF-8 text)");
	}
	free(v);
	/* In CSV too, and the header may follow such a line. */
	static const char csv[] = "x\0y\n"
	                          "domain,company\n"
	                          "a.example,A\0\n"
	                          "b.example,B\n";
	struct seen seen2 = { 0 };
	v = read_all(csv, sizeof(csv) - 1, "nul.csv", &seen2, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].domain, "b.example");
	assert_string_equal(v[0].company, "B");
	assert_int_equal(v[0].line, 4);
	assert_int_equal(seen2.n, 2);
	assert_int_equal(seen2.lines[0], 1);
	assert_int_equal(seen2.lines[1], 3);
	free(v);
}

/* Reads text as a list that must be refused; returns list_next's error. */
static void refused(const char *text, size_t len, const char *want)
{
	char err[400] = "";
	struct list_entry e;
	FILE *f = fmemopen((void *)text, len, "r");
	assert_non_null(f);
	struct list_reader *r = list_open_stream(f, "dir/wide.csv", NULL, NULL);
	assert_non_null(r);
	assert_int_equal(list_next(r, &e, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", err, want);
	list_close(r);
	fclose(f);
}

/* A UTF-16 or UTF-32 list (a spreadsheet's "Unicode text") is refused
 * whole, with the command that converts it: read as bytes, every line
 * would be bad. With a byte order mark or without. */
static void test_utf16(void **state)
{
	(void)state;
	refused("\xff\xfe"
	        "d\0o\0m\0a\0i\0n\0\n\0",
	        16,
	        "the list is UTF-16LE text with a byte order mark, not UTF-8: convert it first, "
	        "e.g. iconv -f UTF-16 -t UTF-8 < dir/wide.csv > list-utf8.txt");
	refused("\xfe\xff\0d\0o", 6, "UTF-16BE text with a byte order mark");
	refused("d\0o\0m\0", 6,
	        "the list is UTF-16LE text, not UTF-8: convert it first, e.g. iconv -f UTF-16LE -t "
	        "UTF-8 < dir/wide.csv");
	refused("\0d\0o\0m", 6, "iconv -f UTF-16BE -t UTF-8");
	refused("\xff\xfe\0\0d\0\0\0", 8, "UTF-32LE text with a byte order mark");
	refused("\0\0\xfe\xff\0\0\0d", 8, "UTF-32BE text with a byte order mark");
	refused("d\0\0\0o\0\0\0", 8, "iconv -f UTF-32LE -t UTF-8");
	refused("\0\0\0d\0\0\0o", 8, "iconv -f UTF-32BE -t UTF-8");

	/* list_open refuses it: no reader, the reason in err. */
	char path[] = "/tmp/posture-test-utf16-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd,
	                       "\xff\xfe"
	                       "a\0.\0b\0\n\0",
	                       10),
	                 10);
	close(fd);
	char err[400] = "";
	assert_null(list_open(path, NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "UTF-16LE"));
	assert_non_null(strstr(err, "iconv -f UTF-16 -t UTF-8 < /tmp/posture-test-utf16-"));
	unlink(path);
}

/* Not refused: a UTF-8 byte order mark (skipped), a NUL on the first line
 * that is no UTF-16 pattern, a list of fewer than four bytes. */
static void test_utf8_bom(void **state)
{
	struct seen seen = { 0 };
	size_t n;
	(void)state;
	static const char bom[] = "\xef\xbb\xbf"
	                          "example.com\n";
	struct list_entry *v = read_all(bom, sizeof(bom) - 1, "bom.txt", &seen, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].domain, "example.com");
	assert_int_equal(v[0].line, 1);
	free(v);
	static const char nul[] = "ab\0\0\nexample.org\n";
	memset(&seen, 0, sizeof(seen));
	v = read_all(nul, sizeof(nul) - 1, "nul.txt", &seen, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].domain, "example.org");
	assert_int_equal(seen.n, 1);
	free(v);
	memset(&seen, 0, sizeof(seen));
	v = read_all("a.b", 3, "short.txt", &seen, &n);
	assert_int_equal(n, 1);
	free(v);
}

/* RFC 4180 2.6: a quoted field may hold line breaks. The record goes on
 * over them, the fields after it stay in their columns, and every line
 * number given later is still the file's. */
static void test_csv_multiline(void **state)
{
	static const char text[] = "domain,company,code\n"         /* 1 */
	                           "a.example,\"Alpha\n"           /* 2 */
	                           "Holdings\",1\n"                /* 3 */
	                           "b.example,\"Beta\r\n"          /* 4 */
	                           "\r\n"                          /* 5 */
	                           "\"\"Group\"\", Inc.\",2\r\n"   /* 6 */
	                           "bad name,Gamma,3\n"            /* 7 */
	                           "\"c.example\n\",\"x,\ny\",4\n" /* 8, 9, 10 */
	                           "d.example,Delta,5\n";          /* 11 */
	struct seen seen = { 0 };
	size_t n;
	(void)state;
	struct list_entry *v = read_all(text, sizeof(text) - 1, "m.csv", &seen, &n);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].domain, "a.example");
	assert_string_equal(v[0].company, "Alpha Holdings"); /* the break: a space */
	assert_string_equal(v[0].code, "1");
	assert_int_equal(v[0].line, 2);
	assert_string_equal(v[1].domain, "b.example");
	assert_string_equal(v[1].company, "Beta  \"Group\", Inc.");
	assert_string_equal(v[1].code, "2");
	assert_int_equal(v[1].line, 4);
	assert_string_equal(v[2].domain, "c.example");
	assert_string_equal(v[2].company, "x, y");
	assert_string_equal(v[2].code, "4");
	assert_int_equal(v[2].line, 8);
	assert_string_equal(v[3].domain, "d.example");
	assert_int_equal(v[3].line, 11);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.lines[0], 7);
	free(v);
}

/* A quote that never closes is reported at its line, and the lines it had
 * taken are read again: none is lost. So are the lines before a quoted
 * field would pass 4096 bytes, or reach a line with a NUL. */
static void test_csv_unterminated(void **state)
{
	struct seen seen = { 0 };
	size_t n;
	(void)state;
	static const char eof[] = "domain,company\n"
	                          "a.example,\"Open\n"
	                          "b.example,B\n"
	                          "c.example,C\n"
	                          "e.example,E";
	struct list_entry *v = read_all(eof, sizeof(eof) - 1, "u.csv", &seen, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].domain, "b.example");
	assert_int_equal(v[0].line, 3);
	assert_string_equal(v[1].domain, "c.example");
	assert_string_equal(v[1].company, "C");
	assert_string_equal(v[2].domain, "e.example");
	assert_int_equal(v[2].line, 5);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.lines[0], 2);
	assert_string_equal(seen.reasons[0], "unterminated quote");
	free(v);

	/* RFC 4180 reads the next quote as the closing one: the lines between
	 * are the field's (what a spreadsheet does too). */
	static const char pair[] = "domain,company\n"
	                           "a.example,\"Open\n"
	                           "b.example,B\n"
	                           "c.example,\"C\"\n"
	                           "d.example,D\n";
	memset(&seen, 0, sizeof(seen));
	v = read_all(pair, sizeof(pair) - 1, "p.csv", &seen, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].domain, "a.example");
	assert_string_equal(v[0].company, "Open b.example,B c.example,");
	assert_string_equal(v[1].domain, "d.example");
	assert_int_equal(v[1].line, 5);
	assert_int_equal(seen.n, 0);
	free(v);

	/* 300 lines of 20 bytes after a stray quote: over 4096 bytes. */
	size_t cap = 16 + 40 + 300 * 20 + 64, len = 0;
	char *big = malloc(cap);
	len += (size_t)snprintf(big + len, cap - len, "domain,company\nstray.example,\"x\n");
	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(big + len, cap - len, "d%03d.example,Name\n", i);
	memset(&seen, 0, sizeof(seen));
	v = read_all(big, len, "big.csv", &seen, &n); /* read_all keeps 64 */
	assert_int_equal(n, 64);
	assert_string_equal(v[0].domain, "d000.example");
	assert_int_equal(v[0].line, 3);
	assert_string_equal(v[63].domain, "d063.example");
	assert_int_equal(v[63].line, 66);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.lines[0], 2);
	assert_non_null(strstr(seen.reasons[0], "unterminated quote (the quoted field runs over "
	                                        "4096 bytes"));
	free(v);
	free(big);

	static const char nul[] = "domain,company\n"
	                          "a.example,\"Open\n"
	                          "b.example,B\n"
	                          "x\0y\n"
	                          "c.example,C\n";
	memset(&seen, 0, sizeof(seen));
	v = read_all(nul, sizeof(nul) - 1, "n.csv", &seen, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].domain, "b.example");
	assert_int_equal(v[0].line, 3);
	assert_string_equal(v[1].domain, "c.example");
	assert_int_equal(v[1].line, 5);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.lines[0], 2);
	assert_int_equal(seen.lines[1], 4);
	assert_non_null(strstr(seen.reasons[1], "NUL"));
	free(v);
}

/* Lines whose company, code or sector is not UTF-8 (a Shift_JIS export)
 * are kept, the bytes stored as U+FFFD, and the warning callback names
 * the line; control characters (C0, C1, bidi) in fields become spaces. */
static void test_warnings(void **state)
{
	static const char text[] = "domain,company,sector\n"
	                           "a.example,\x93\xfa\x8c\x6f,Media\n"
	                           "b.example,Evil\x1b\xc2\x9b\xe2\x80\xae Corp,\xe2\x81\xa6x\n"
	                           "c.example,Fine,\xff\n";
	struct seen seen = { 0 }, warned = { 0 };
	struct list_entry e[4];
	char err[128];
	size_t n = 0;
	(void)state;
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct list_reader *r = list_open_stream(f, "sjis.csv", on_problem, &seen);
	list_on_warning(r, on_problem, &warned);
	while (n < 4 && list_next(r, &e[n], err, sizeof(err)) == 1)
		n++;
	assert_int_equal(list_skipped(r), 0);
	list_close(r);
	fclose(f);
	assert_int_equal(n, 3);
	assert_int_equal(seen.n, 0);
	assert_string_equal(e[0].company, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\x6f");
	assert_string_equal(e[1].company, "Evil    Corp");
	assert_string_equal(e[1].sector, "x"); /* trimmed after */
	assert_string_equal(e[2].sector, "\xef\xbf\xbd");
	assert_int_equal(warned.n, 2);
	assert_int_equal(warned.lines[0], 2);
	assert_string_equal(warned.reasons[0],
	                    "the company column is not UTF-8 (a Shift_JIS or Latin-1 export?): "
	                    "stored with U+FFFD for its bytes; convert the list with iconv -t "
	                    "UTF-8");
	assert_int_equal(warned.lines[1], 4);
	assert_non_null(strstr(warned.reasons[1], "the sector column"));
}

/* The dkim_selectors column: selectors kept as written; a value with
 * anything else (a '/', an empty label, a label over 63 bytes) is a
 * warning and cleared, the domain kept. */
static void test_dkim_selectors(void **state)
{
	char text[600];
	char long_label[70];
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	snprintf(text, sizeof(text),
	         "domain,dkim_selectors\n"
	         "a.example,google s1._x-y.k_2\n"
	         "b.example,bad/sel\n"
	         "c.example,a..b\n"
	         "d.example,%s\n"
	         "e.example,\n",
	         long_label);
	struct seen seen = { 0 }, warned = { 0 };
	struct list_entry e[8];
	char err[128];
	size_t n = 0;
	(void)state;
	FILE *f = fmemopen(text, strlen(text), "r");
	struct list_reader *r = list_open_stream(f, "k.csv", on_problem, &seen);
	list_on_warning(r, on_problem, &warned);
	while (n < 8 && list_next(r, &e[n], err, sizeof(err)) == 1)
		n++;
	list_close(r);
	fclose(f);
	assert_int_equal(n, 5);
	assert_int_equal(seen.n, 0);
	assert_string_equal(e[0].dkim_selectors, "google s1._x-y.k_2");
	for (int i = 1; i < 5; i++)
		assert_string_equal(e[i].dkim_selectors, "");
	assert_int_equal(warned.n, 3);
	assert_int_equal(warned.lines[0], 3);
	assert_int_equal(warned.lines[1], 4);
	assert_int_equal(warned.lines[2], 5);
	assert_non_null(strstr(warned.reasons[0], "dkim_selectors column"));
}

/* An IP address is no domain to scan: each form is reported with a
 * reason, the names around it kept. */
static void test_ip_literals(void **state)
{
	static const char *const ips[] = {
		"1.2.3.4",     "1.2.3.4.",      "[192.0.2.1]",      "::1",
		"2001:db8::1", "[2001:db8::1]", "::ffff:192.0.2.1", "2001:DB8:0:0:0:0:0:1",
	};
	static const char *const digits[] = { "10.1.2", "192.0.2.300", "1.2.3.4.5", "example.123" };
	char out[DNS_NAME_BUF], why[160];
	(void)state;
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		if (list_domain_normalize(ips[i], out, sizeof(out), why, sizeof(why)) == 0)
			fail_msg("'%s' accepted", ips[i]);
		assert_string_equal(why, "an IP address is not a domain name");
	}
	for (size_t i = 0; i < sizeof(digits) / sizeof(digits[0]); i++) {
		if (list_domain_normalize(digits[i], out, sizeof(out), why, sizeof(why)) == 0)
			fail_msg("'%s' accepted", digits[i]);
		assert_string_equal(
		        why, "the last label is all digits: an IP address, not a domain name");
	}
	static const char *const names[] = { "1.example", "123.example.com", "a1.b2", "3com.com" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_int_equal(
		        list_domain_normalize(names[i], out, sizeof(out), why, sizeof(why)), 0);

	static const char text[] = "a.example\n1.2.3.4\n[::1]\nb.example\n";
	struct seen seen = { 0 };
	size_t n;
	struct list_entry *v = read_all(text, sizeof(text) - 1, "ip.txt", &seen, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[1].domain, "b.example");
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.lines[0], 2);
	assert_string_equal(seen.reasons[0], "\"1.2.3.4\": an IP address is not a domain name");
	assert_string_equal(seen.reasons[1], "\"[::1]\": an IP address is not a domain name");
	free(v);
}

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
		cmocka_unit_test(test_plain),          cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_not_utf8),   cmocka_unit_test(test_csv_list_column),
		cmocka_unit_test(test_long_line),      cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_shards),         cmocka_unit_test(test_nul_line),
		cmocka_unit_test(test_utf16),          cmocka_unit_test(test_utf8_bom),
		cmocka_unit_test(test_csv_multiline),  cmocka_unit_test(test_csv_unterminated),
		cmocka_unit_test(test_warnings),       cmocka_unit_test(test_ip_literals),
		cmocka_unit_test(test_dkim_selectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
