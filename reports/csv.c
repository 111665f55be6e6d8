/*
 * csv.c — RFC 4180 cells with formula neutralisation (see csv.h).
 */
#include "csv.h"

#include <string.h>

#include "utf8.h"

bool csv_dangerous(const char *s)
{
	return s != NULL && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

void csv_cell(FILE *out, const char *s)
{
	if (s == NULL)
		return;
	/* No CR or LF reaches the file (they become U+FFFD below): only a
	 * comma or a quote needs the cell quoted. */
	bool quote = strpbrk(s, ",\"") != NULL;
	if (quote)
		fputc('"', out);
	/* OWASP "CSV injection": a leading apostrophe makes the cell text. */
	if (csv_dangerous(s))
		fputc('\'', out);
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		bool raw;
		size_t len = utf8_next(p + i, n - i, &raw);
		if (!raw)
			fputs("\xEF\xBF\xBD", out); /* U+FFFD: visible, harmless */
		else if (p[i] == '"')
			fputs("\"\"", out);
		else
			fwrite(p + i, 1, len, out);
		i += len;
	}
	if (quote)
		fputc('"', out);
}

/* RFC 4180 2.6 and 2.7: a field with a comma, a quote, CR or LF is
 * quoted, its quotes doubled; nothing else changes. */
static void raw_cell(FILE *out, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void csv_cell_mode(FILE *out, const char *s, bool raw)
{
	if (raw)
		raw_cell(out, s);
	else
		csv_cell(out, s);
}

void csv_row_mode(FILE *out, const char *const *cells, size_t n, bool raw)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', out);
		csv_cell_mode(out, cells[i], raw);
	}
	fputs("\r\n", out);
}

void csv_row(FILE *out, const char *const *cells, size_t n)
{
	csv_row_mode(out, cells, n, false);
}

void csv_long(FILE *out, long v)
{
	if (v >= 0)
		fprintf(out, "%ld", v);
}
