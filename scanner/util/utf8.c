/*
 * utf8.c — UTF-8 checks and cleaning (see utf8.h).
 */
#include "utf8.h"

#include <string.h>

size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

char *utf8_clean(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), o = 0;
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t len = p[i] < 0x80 ? 1 : utf8_seq(p + i, n - i, &cp);
		const char *from = s + i;
		size_t take = len;
		if (len == 0) {
			from = "\xef\xbf\xbd"; /* U+FFFD */
			take = 3;
			len = 1;
		}
		if (o + take >= outlen)
			break;
		memcpy(out + o, from, take);
		o += take;
		i += len;
	}
	out[o] = '\0';
	return out;
}

/* UAX #9 2.1-2.4: the explicit formatting characters and the marks. */
static bool bidi_control(unsigned cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

size_t utf8_next(const unsigned char *s, size_t n, bool *raw)
{
	unsigned cp;
	if (s[0] < 0x80) {
		*raw = s[0] >= 0x20 && s[0] != 0x7f;
		return 1;
	}
	size_t len = utf8_seq(s, n, &cp);
	if (len == 0) {
		*raw = false;
		return 1;
	}
	*raw = cp > 0x9f && !bidi_control(cp);
	return len;
}
