/*
 * strutil.h — bounded string copying without printf's machinery.
 *
 * str_copy(dst, size, src) does what snprintf(dst, size, "%s", src) does
 * (copies at most size - 1 bytes, always NUL-terminates when size > 0,
 * returns strlen(src), so a result >= size means the copy was cut) at a
 * fraction of the cost: the scan copies names a few hundred times per
 * domain.
 */
#ifndef POSTURE_STRUTIL_H
#define POSTURE_STRUTIL_H

#include <stddef.h>
#include <string.h>

static inline size_t str_copy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);
	if (size > 0) {
		size_t n = len < size ? len : size - 1;
		memmove(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* What snprintf(dst, size, "%s%s%s", a, b, c) does, for the names and
 * paths the checks build ("_dmarc." + domain, path + " → " + via). */
static inline size_t str_join3(char *dst, size_t size, const char *a, const char *b, const char *c)
{
	const char *part[3] = { a, b, c };
	size_t total = 0;
	for (int i = 0; i < 3; i++) {
		size_t len = strlen(part[i]);
		if (size > 0 && total < size - 1) {
			size_t room = size - 1 - total;
			memmove(dst + total, part[i], len < room ? len : room);
		}
		total += len;
	}
	if (size > 0)
		dst[total < size ? total : size - 1] = '\0';
	return total;
}

/* c lower-cased when it is an ASCII capital; every other byte as is (no
 * locale: protocol names and domains are ASCII-case-insensitive only). */
static inline char str_lower(char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (char)(c + ('a' - 'A'));
	return c;
}

/* The value of a base64 digit (RFC 4648 4), or -1 for any other byte. */
static inline int str_base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* What snprintf(dst, size, "%s%s", a, b) does. */
static inline size_t str_join(char *dst, size_t size, const char *a, const char *b)
{
	return str_join3(dst, size, a, b, "");
}

#endif
