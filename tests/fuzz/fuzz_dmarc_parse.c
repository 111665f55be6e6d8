/* libFuzzer harness: dmarc_parse and dmarc_is_record on arbitrary bytes
 * (make fuzz). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
		/* Nor usable with a NUL byte in it or longer than posture
		 * reads (issue 19 items 2 and 7), in either reading. */
		if ((!rec->invalid || !rec->invalid_7489) &&
		    (size > DNS_TXT_MAX_BYTES || memchr(data, 0, size) != NULL))
			__builtin_trap();
		dmarc_record_free(rec);
	}
	return 0;
}
