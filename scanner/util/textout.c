/*
 * textout.c — printing published (attacker-controlled) text safely (see
 * textout.h).
 */
#include "textout.h"

#include "dnsutil.h"

void print_safe(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\%03u", *p);
		else
			fputc(*p, out);
	}
}

void print_record(FILE *out, const char *s, size_t len)
{
	char buf[512];
	for (size_t i = 0; i < len; i += 100) {
		size_t n = len - i < 100 ? len - i : 100;
		dns_escape_text(s + i, n, buf, sizeof(buf));
		fputs(buf, out);
	}
}
