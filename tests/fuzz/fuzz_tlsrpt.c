/* libFuzzer harness: tlsrpt_record_parse on arbitrary bytes, the TXT
 * records being the input cut at each '\n' (at most 8) (make fuzz). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool lower(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return false;
	return true;
}

static bool starts_nocase(const char *s, const char *p)
{
	for (; *p; s++, p++)
		if (*s != *p && !(*s >= 'A' && *s <= 'Z' && *s + ('a' - 'A') == *p))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *txt[8];
	size_t len[8], n = 0, pos = 0;
	static struct tlsrpt_record r;

	while (n < 8 && pos <= size) {
		const char *lf = memchr(s + pos, '\n', size - pos);
		size_t end = lf ? (size_t)(lf - s) : size;
		txt[n] = s + pos;
		len[n++] = end - pos;
		pos = end + 1;
	}
	if (tlsrpt_record_parse(txt, len, n, "_smtp._tls.fuzz.example", &r) != 0) {
		tlsrpt_record_cleanup(&r);
		return 0;
	}
	/* The contract (transport.h). */
	if (r.nrua > TLSRPT_RUA_MAX || r.records < 0 || (size_t)r.records > n)
		__builtin_trap();
	if (r.status == TLSRPT_OK && (r.records != 1 || r.nrua == 0))
		__builtin_trap();
	if (r.status == TLSRPT_NONE && (r.records != 0 || r.findings.n != 0))
		__builtin_trap();
	if (r.status != TLSRPT_OK && r.nrua != 0)
		__builtin_trap();
	for (size_t i = 0; i < r.nrua; i++) {
		const struct tlsrpt_rua *u = &r.rua[i];
		if (strnlen(u->uri, sizeof(u->uri)) >= sizeof(u->uri) ||
		    strnlen(u->domain, sizeof(u->domain)) >= sizeof(u->domain))
			__builtin_trap();
		if (u->domain[0] == '\0' || !lower(u->domain))
			__builtin_trap();
		if (!starts_nocase(u->uri, u->mailto ? "mailto:" : "https://"))
			__builtin_trap();
	}
	tlsrpt_record_cleanup(&r);
	return 0;
}
