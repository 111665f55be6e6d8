/*
 * textout.c — printing published (attacker-controlled) text safely (see
 * textout.h).
 */
#include "textout.h"

#include <stdbool.h>
#include <string.h>

#include "dnsutil.h"
#include "utf8.h"

size_t print_safe(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), written = 0;
	for (size_t i = 0; i < n;) {
		bool raw;
		size_t len = utf8_next(p + i, n - i, &raw);
		if (raw) {
			written += fwrite(p + i, 1, len, out);
		} else {
			for (size_t k = 0; k < len; k++) {
				int w = fprintf(out, "\\%03u", p[i + k]);
				written += w > 0 ? (size_t)w : 0;
			}
		}
		i += len;
	}
	return written;
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
