/*
 * domainarg.c — the domain in an email address or a URL (see domainarg.h).
 */
#include "domainarg.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copies s[0..n) to out; -1 when it is empty or does not fit. */
static int put(const char *s, size_t n, char *out, size_t outlen)
{
	if (n == 0 || n >= outlen)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* The last c in s[0..n), or NULL. */
static const char *last_of(const char *s, size_t n, char c)
{
	for (size_t i = n; i > 0; i--)
		if (s[i - 1] == c)
			return s + i - 1;
	return NULL;
}

/* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ),
 * here followed by "://" (a URL with an authority). The scheme's length,
 * or 0 when s does not start with one. */
static size_t scheme_len(const char *s, size_t n)
{
	if (n == 0 || !isalpha((unsigned char)s[0]))
		return 0;
	size_t i = 1;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	return i + 3 <= n && memcmp(s + i, "://", 3) == 0 ? i : 0;
}

/* RFC 3986 3.2: authority = [ userinfo "@" ] host [ ":" port ], ended by
 * the path, query or fragment. */
static int url_host(const char *s, size_t n, char *out, size_t outlen)
{
	size_t end = 0;
	while (end < n && s[end] != '/' && s[end] != '?' && s[end] != '#')
		end++;
	const char *at = last_of(s, end, '@');
	const char *h = at ? at + 1 : s;
	size_t hn = end - (size_t)(h - s);
	if (hn > 0 && h[0] == '[') {
		/* An IP literal stays whole: the caller refuses it as a domain. */
		const char *close = memchr(h, ']', hn);
		if (close != NULL)
			hn = (size_t)(close - h) + 1;
	} else {
		const char *colon = last_of(h, hn, ':');
		size_t port = colon ? hn - (size_t)(colon - h) - 1 : 0;
		if (colon != NULL && port > 0 && strspn(colon + 1, "0123456789") >= port)
			hn = (size_t)(colon - h);
	}
	return put(h, hn, out, outlen);
}

/* The domain of an address: after the last '@', up to a mailto: query
 * (RFC 6068 2) or the '>' closing "Name <user@domain>". */
static int address_domain(const char *s, size_t n, char *out, size_t outlen)
{
	const char *at = last_of(s, n, '@');
	if (at == NULL)
		return -1;
	const char *d = at + 1;
	size_t dn = n - (size_t)(d - s), k = 0;
	while (k < dn && d[k] != '?' && d[k] != '>')
		k++;
	return put(d, k, out, outlen);
}

int domain_from_input(const char *in, char *out, size_t outlen)
{
	size_t n = strlen(in);
	while (n > 0 && blank(in[0]))
		in++, n--;
	while (n > 0 && blank(in[n - 1]))
		n--;
	if (n >= 7 && strncasecmp(in, "mailto:", 7) == 0)
		return address_domain(in + 7, n - 7, out, outlen) == 0 ? DOMAIN_FORM_ADDRESS : -1;
	size_t sl = scheme_len(in, n);
	if (sl > 0)
		return url_host(in + sl + 3, n - sl - 3, out, outlen) == 0 ? DOMAIN_FORM_URL : -1;
	if (memchr(in, '@', n) != NULL)
		return address_domain(in, n, out, outlen) == 0 ? DOMAIN_FORM_ADDRESS : -1;
	if (memchr(in, '/', n) != NULL)
		return url_host(in, n, out, outlen) == 0 ? DOMAIN_FORM_URL : -1;
	if (n >= outlen)
		return -1;
	memcpy(out, in, n);
	out[n] = '\0';
	return DOMAIN_FORM_NAME;
}

const char *domain_form_name(enum domain_form form)
{
	switch (form) {
	case DOMAIN_FORM_ADDRESS:
		return "an email address";
	case DOMAIN_FORM_URL:
		return "a URL";
	case DOMAIN_FORM_NAME:
		break;
	}
	return "a name";
}
