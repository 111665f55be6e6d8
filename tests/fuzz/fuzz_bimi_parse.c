/* libFuzzer harness: bimi_parse, bimi_is_record and bimi_uri_problem on
 * arbitrary bytes (make fuzz). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bimi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bimi_record rec;
	struct findings f = { 0 };
	(void)bimi_is_record((const char *)data, size);
	if (bimi_parse((const char *)data, size, "default._bimi.fuzz.example", &rec, &f) == 0) {
		/* The contract: a usable record has l= (maybe empty), a
		 * declination is never invalid, and URIs kept are usable. */
		if (!rec.invalid && rec.l == NULL)
			__builtin_trap();
		if (rec.declined && rec.invalid)
			__builtin_trap();
		if (!rec.invalid && rec.l[0] && bimi_uri_problem(rec.l, NULL, 0) != NULL)
			__builtin_trap();
		bimi_record_cleanup(&rec);
	}
	findings_cleanup(&f);
	return 0;
}
