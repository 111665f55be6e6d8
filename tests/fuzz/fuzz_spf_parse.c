/* libFuzzer harness: spf_parse on arbitrary bytes (make fuzz). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_record *rec = NULL;
	if (spf_parse((const char *)data, size, &rec) == 0) {
		/* A NUL byte anywhere, or more bytes than posture reads, is a
		 * PermError, never a record read short (issue 19 items 2, 7). */
		if (!rec->permerror && (size > DNS_TXT_MAX_BYTES || memchr(data, 0, size) != NULL))
			__builtin_trap();
		spf_record_free(rec);
	}
	return 0;
}
