/* libFuzzer harness: dkim_key_parse and dkim_key_usable (scanner/dkim/)
 * on arbitrary bytes (make fuzz), seeded with the keys of
 * tests/fixtures/dkim/ in key records and the records of
 * tests/unit/test_dkim.c. OpenSSL decodes every p= that is base64. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dkim.h"
#include "dnsutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t errors(const struct dkim_key *k)
{
	size_t n = 0;
	for (size_t i = 0; i < k->findings.n; i++) {
		const struct finding *f = &k->findings.v[i];
		/* Every code is registered, at no more than its severity. */
		const struct finding_info *info = finding_info(f->code);
		if (info == NULL || f->severity > info->severity || f->message == NULL)
			__builtin_trap();
		n += f->severity == FINDING_ERROR;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_key k;
	if (dkim_key_parse((const char *)data, size, "fuzz._domainkey.example", &k) != 0)
		return 0;
	size_t nerr = errors(&k);
	bool usable = dkim_key_usable(&k);
	/* The contract: usable exactly when a key was read and no finding
	 * is an error; an invalid record always says why; a revoked one
	 * says so; a text that is no key record gets its one finding. */
	if (usable != (k.status == DKIM_STATUS_KEY && nerr == 0))
		__builtin_trap();
	if (k.status == DKIM_STATUS_INVALID && nerr == 0)
		__builtin_trap();
	if (k.status == DKIM_STATUS_REVOKED && !findings_has(&k.findings, "dkim.revoked"))
		__builtin_trap();
	if (k.status == DKIM_STATUS_NOT_KEY &&
	    (k.findings.n != 1 || k.key_type != DKIM_KEY_NONE || usable))
		__builtin_trap();
	/* A key has a known type; only RSA has bits, and then some. */
	if (k.status == DKIM_STATUS_KEY &&
	    (k.key_type == DKIM_KEY_NONE || (k.key_type == DKIM_KEY_RSA) != (k.bits > 0)))
		__builtin_trap();
	/* Nothing with a NUL byte or past the cap is ever read as a key. */
	if ((size > DNS_TXT_MAX_BYTES || memchr(data, 0, size) != NULL) &&
	    (k.status == DKIM_STATUS_KEY || k.status == DKIM_STATUS_REVOKED))
		__builtin_trap();
	dkim_key_cleanup(&k);
	return 0;
}
