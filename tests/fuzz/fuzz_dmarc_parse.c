/* libFuzzer harness: dmarc_parse and dmarc_is_record on arbitrary bytes
 * (make fuzz). */
#include <stddef.h>
#include <stdint.h>

#include "dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmarc_record *rec = NULL;
	(void)dmarc_is_record((const char *)data, size);
	if (dmarc_parse((const char *)data, size, &rec) == 0) {
		/* The contract: a record is never both usable and without p
		 * and rua. */
		if (!rec->invalid && !rec->p_valid && !rec->rua_valid)
			__builtin_trap();
		dmarc_record_free(rec);
	}
	return 0;
}
