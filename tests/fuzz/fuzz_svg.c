/* libFuzzer harness: svg_check on arbitrary bytes (make fuzz). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "svg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svg_result r;
	if (svg_check(data, size, &r) == 0) {
		/* The contract: valid exactly when no finding is an error, and
		 * the digest is always 64 hex digits. */
		int errors = 0;
		for (size_t i = 0; i < r.findings.n; i++)
			errors += r.findings.v[i].severity == FINDING_ERROR;
		if ((r.status == SVG_VALID) != (errors == 0) || strlen(r.sha256) != 64 ||
		    r.bytes != size)
			__builtin_trap();
	}
	svg_result_cleanup(&r);
	return 0;
}
