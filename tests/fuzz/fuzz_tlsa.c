/* libFuzzer harness: tlsa_parse, tlsa_format and tlsa_audit on arbitrary
 * bytes (make fuzz). The input: one flags byte (bit 0: the answer is
 * secure; the rest: the size of the format buffer), then TLSA rdatas,
 * each after a two-byte big-endian length, at most 16. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlsa_record v[16];
	size_t n = 0, pos = 1;
	char out[300];

	if (size < 1)
		return 0;
	bool secure = data[0] & 1;
	size_t outlen = (size_t)(data[0] >> 1) * 3; /* 0 to 381, past out's end clamped */
	if (outlen > sizeof(out))
		outlen = sizeof(out);
	while (n < 16 && pos + 2 <= size) {
		size_t len = (size_t)data[pos] << 8 | data[pos + 1];
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		int rc = tlsa_parse(data + pos, len, &v[n]);
		/* The contract (transport.h). */
		if ((rc != 0) != (len < 4))
			__builtin_trap();
		if (rc == 0) {
			const struct tlsa_record *t = &v[n];
			size_t want = len - 3 < TLSA_DATA_MAX ? len - 3 : TLSA_DATA_MAX;
			if (t->len != want || memcmp(t->data, data + pos + 3, want) != 0)
				__builtin_trap();
			bool wf = t->usage <= 3 && t->selector <= 1 && t->mtype <= 2 &&
			          (t->mtype == 0 || len - 3 == (t->mtype == 1 ? 32u : 64u));
			if (wf != t->well_formed)
				__builtin_trap();
			memset(out, 'Z', sizeof(out));
			tlsa_format(t, out, outlen);
			if (outlen > 0 && memchr(out, 0, outlen) == NULL)
				__builtin_trap();
			if (outlen < sizeof(out) && out[outlen] != 'Z')
				__builtin_trap();
			n++;
		}
		pos += len;
	}
	struct findings f = { 0 };
	int usable = tlsa_audit(v, n, secure, "_25._tcp.fuzz.example", &f);
	if (usable < 0 || (size_t)usable > n || (!secure && usable != 0))
		__builtin_trap();
	if (n > 0 && !secure && !findings_has(&f, "dane.insecure"))
		__builtin_trap();
	if (n > 0 && secure && usable == 0 && !findings_has(&f, "dane.no_usable"))
		__builtin_trap();
	findings_cleanup(&f);
	return 0;
}
