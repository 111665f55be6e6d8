/*
 * dkim_selectors.c — DKIM selectors: their syntax (RFC 6376 3.1), the
 * name probed for one, and the bundled list (lists/dkim-selectors.txt,
 * compiled in by dkim_selectors_data.S) read once into a table.
 */
#include "dkim_probe.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "strutil.h"

extern const char posture_dkim_selectors_data[];
extern const char posture_dkim_selectors_data_end[];

/* The provider field is shown in text output only: a longer one is cut. */
#define PROVIDER_MAX 96

static struct {
	char name[DKIM_PROBE_MAX][DKIM_SELECTOR_MAX + 1];
	char provider[DKIM_PROBE_MAX][PROVIDER_MAX];
	const char *names[DKIM_PROBE_MAX];
	size_t n;
} bundled;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static bool let_dig(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool dkim_selector_valid(const char *s)
{
	size_t len = strlen(s), label = 0;
	if (len == 0 || len > DKIM_SELECTOR_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = s[i];
		if (c == '.' || c == '\0') {
			/* RFC 5321 4.1.2: Let-dig [Ldh-str], so no empty label
			 * and no hyphen at either end. */
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!let_dig(c) && (c != '-' || label == 0))
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

int dkim_selector_name(const char *selector, const char *domain, char *out, size_t outlen)
{
	size_t n = str_join3(out, outlen, selector, "._domainkey.", domain);
	return n >= outlen || n > DNS_NAME_MAX ? -1 : 0;
}

/* One line "selector<TAB>provider<TAB>source" of the list, len bytes. */
static void take_line(const char *s, size_t len)
{
	const char *tab = memchr(s, '\t', len);
	size_t nlen = tab ? (size_t)(tab - s) : len;
	char name[DKIM_SELECTOR_MAX + 2];
	if (len == 0 || s[0] == '#' || nlen == 0 || nlen > DKIM_SELECTOR_MAX ||
	    bundled.n >= DKIM_PROBE_MAX)
		return;
	memcpy(name, s, nlen);
	name[nlen] = '\0';
	if (!dkim_selector_valid(name))
		return;
	for (size_t i = 0; i < bundled.n; i++)
		if (strcasecmp(bundled.name[i], name) == 0)
			return;
	size_t k = bundled.n++;
	str_copy(bundled.name[k], sizeof(bundled.name[k]), name);
	bundled.names[k] = bundled.name[k];
	if (tab != NULL) {
		const char *p = tab + 1, *end = s + len;
		const char *t = memchr(p, '\t', (size_t)(end - p));
		size_t plen = (size_t)((t ? t : end) - p);
		if (plen >= PROVIDER_MAX)
			plen = PROVIDER_MAX - 1;
		memcpy(bundled.provider[k], p, plen);
		bundled.provider[k][plen] = '\0';
	}
}

static void load(void)
{
	const char *p = posture_dkim_selectors_data, *end = posture_dkim_selectors_data_end;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		take_line(p, len);
		p = nl ? nl + 1 : end;
	}
}

const char *const *dkim_selectors_bundled(size_t *n)
{
	pthread_once(&once, load);
	*n = bundled.n;
	return bundled.names;
}

const char *dkim_selector_provider(const char *selector)
{
	size_t n;
	(void)dkim_selectors_bundled(&n);
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(bundled.name[i], selector) == 0)
			return bundled.provider[i][0] ? bundled.provider[i] : NULL;
	return NULL;
}
