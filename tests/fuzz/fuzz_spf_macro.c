/* libFuzzer harness: spf_macro_expand (make fuzz). The first byte picks
 * explanation mode, IPv6 and a small output buffer; the rest is the
 * macro-string. An expansion outside explanations is then made a name as
 * spf_eval.c makes one (dns_name_from_text), which must be escaped
 * exactly once: its text comes back unchanged, and it is a valid name
 * exactly when the text is one by RFC 1035's rules. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dnsutil.h"
#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The text's labels (every byte literal): none empty, none over 63
 * bytes, at most 253 bytes without a final dot (what dns_name_normalize
 * accepted of text before names had one form). */
static bool text_labels_ok(const char *t)
{
	size_t n = strlen(t), lab = 0;

	if (n > 0 && t[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '.') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if (++lab > 63) {
			return false;
		}
	}
	return lab > 0;
}

static void check_name(const char *text)
{
	char name[4 * SPF_MAX_EXPANSION], back[SPF_MAX_EXPANSION], norm[DNS_NAME_BUF];

	if (dns_name_from_text(text, name, sizeof(name)) != 0) {
		/* Only for a control character or an 8-bit byte. */
		bool odd = false;
		for (const unsigned char *p = (const unsigned char *)text; *p; p++)
			odd = odd || *p < 0x20 || *p >= 0x7f;
		if (!odd)
			__builtin_trap();
		return;
	}
	if (dns_name_to_text(name, back, sizeof(back)) != 0 || strcmp(back, text) != 0)
		__builtin_trap();
	if ((dns_name_normalize(name, norm, sizeof(norm)) == 0) != text_labels_ok(text))
		__builtin_trap();
}

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
	if (n >= 0 && !(flags & 1))
		check_name(out);
	return 0;
}
