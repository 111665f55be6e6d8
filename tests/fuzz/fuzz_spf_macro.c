/* libFuzzer harness: spf_macro_expand (make fuzz). The first byte picks
 * explanation mode, IPv6 and a small output buffer; the rest is the
 * macro-string. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, 2,  3,  4,
		                        5,    6,    7,    8,    9, 10, 11, 12 };
	char out[SPF_MAX_EXPANSION], err[160];
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	struct spf_macro_ctx ctx = { "strong-bad@email.example.com",
		                     "email.example.com",
		                     ip,
		                     (flags & 2) != 0,
		                     "mx.example.org",
		                     "receiver.example",
		                     (flags & 8) ? "mail.example.com" : NULL,
		                     1700000000 };
	size_t outlen = (flags & 4) ? 16 : sizeof(out);
	int n = spf_macro_expand((const char *)data + 1, size - 1, &ctx, (flags & 1) != 0, out,
	                         outlen, err, sizeof(err));
	/* The contract: a length that fits, NUL-terminated. */
	if (n >= 0 && ((size_t)n >= outlen || strlen(out) != (size_t)n))
		__builtin_trap();
	return 0;
}
