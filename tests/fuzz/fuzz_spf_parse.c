/* libFuzzer harness: spf_parse on arbitrary bytes (make fuzz). */
#include <stddef.h>
#include <stdint.h>

#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_record *rec = NULL;
	if (spf_parse((const char *)data, size, &rec) == 0)
		spf_record_free(rec);
	return 0;
}
