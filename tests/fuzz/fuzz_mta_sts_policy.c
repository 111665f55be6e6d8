/* libFuzzer harness: mta_sts_policy_parse, mta_sts_mx_match/covered,
 * mta_sts_content_type_ok and mta_sts_record_parse on arbitrary bytes
 * (make fuzz). The policy is the whole input; the TXT records are the
 * input cut at each '\n' (at most 8), so one seed serves both. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mta_sts_policy pol;

static bool lower_ldh(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '.' || *s == '*'))
			return false;
	return true;
}

/* The contract of a parsed policy (transport.h). */
static void check_policy(const char *body, size_t size)
{
	if (mta_sts_policy_parse(body, size, "mta-sts.fuzz.example", &pol) != 0) {
		mta_sts_policy_cleanup(&pol);
		return;
	}
	if (pol.nmx > MTA_STS_MX_MAX || pol.findings.n > FINDINGS_MAX)
		__builtin_trap();
	if (pol.max_age < -1 || pol.max_age > MTA_STS_MAX_AGE_MAX)
		__builtin_trap();
	if ((unsigned)pol.mode > MTA_STS_MODE_ENFORCE)
		__builtin_trap();
	/* Valid implies every required field (3.2). */
	if (pol.valid && (pol.max_age < 0 || (pol.mode != MTA_STS_MODE_NONE && pol.nmx == 0) ||
	                  size > MTA_STS_POLICY_MAX || memchr(body, 0, size) != NULL))
		__builtin_trap();
	for (size_t i = 0; i < pol.nmx; i++) {
		const char *p = pol.mx[i];
		if (memchr(p, 0, sizeof(pol.mx[i])) == NULL || p[0] == '\0' || !lower_ldh(p))
			__builtin_trap();
		/* A pattern covers what it names: itself, or one label more. */
		char host[300];
		if (p[0] == '*') {
			host[0] = 'x';
			memcpy(host + 1, p + 1, strlen(p));
			if (!mta_sts_mx_match(p, host) || mta_sts_mx_match(p, p + 2))
				__builtin_trap();
		} else if (!mta_sts_mx_match(p, p)) {
			__builtin_trap();
		}
		if (mta_sts_mx_covered(&pol, p[0] == '*' ? host : p) == NULL)
			__builtin_trap();
	}
	mta_sts_policy_cleanup(&pol);
}

static void check_records(const char *s, size_t size)
{
	const char *txt[8];
	size_t len[8], n = 0, pos = 0;
	struct mta_sts_record r;

	while (n < 8 && pos <= size) {
		const char *lf = memchr(s + pos, '\n', size - pos);
		size_t end = lf ? (size_t)(lf - s) : size;
		txt[n] = s + pos;
		len[n++] = end - pos;
		pos = end + 1;
	}
	if (mta_sts_record_parse(txt, len, n, NULL, &r) != 0) {
		mta_sts_record_cleanup(&r);
		return;
	}
	size_t idlen = strnlen(r.id, sizeof(r.id));
	if (idlen >= sizeof(r.id) || r.records < 0 || (size_t)r.records > n)
		__builtin_trap();
	if (r.status == MTA_STS_RECORD_OK && (r.records != 1 || idlen == 0))
		__builtin_trap();
	if (r.status == MTA_STS_RECORD_NONE && (r.records != 0 || r.findings.n != 0))
		__builtin_trap();
	if (r.status != MTA_STS_RECORD_OK && idlen != 0)
		__builtin_trap();
	mta_sts_record_cleanup(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	check_policy(s, size);
	check_records(s, size);
	/* The media type: a NUL-terminated copy of the first line. */
	char ct[256];
	size_t n = size < sizeof(ct) - 1 ? size : sizeof(ct) - 1;
	memcpy(ct, s, n);
	ct[n] = '\0';
	(void)mta_sts_content_type_ok(ct);
	(void)mta_sts_mx_match(ct, ct);
	return 0;
}
