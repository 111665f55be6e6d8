/*
 * csv.c — RFC 4180 cells with formula neutralisation (see csv.h).
 */
#include "csv.h"

#include <string.h>

bool csv_dangerous(const char *s)
{
	return s != NULL && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

void csv_cell(FILE *out, const char *s)
{
	if (s == NULL)
		return;
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', out);
	/* OWASP "CSV injection": a leading apostrophe makes the cell text. */
	if (csv_dangerous(s))
		fputc('\'', out);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	if (quote)
		fputc('"', out);
}

void csv_row(FILE *out, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', out);
		csv_cell(out, cells[i]);
	}
	fputs("\r\n", out);
}

void csv_long(FILE *out, long v)
{
	if (v >= 0)
		fprintf(out, "%ld", v);
}
