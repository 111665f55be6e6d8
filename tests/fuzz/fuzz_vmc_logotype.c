/* libFuzzer harness: vmc_logotype_decode (logotype.c) on arbitrary DER
 * (make fuzz), seeded with the logotype extensions of the real VMCs in
 * tests/fixtures/vmc/. PEM parsing is OpenSSL's and the whole check costs
 * RSA-4096 signature checks per input, so it is left out: it ran at about
 * 450 inputs a second against the decoder's thousands. */
#include <stddef.h>
#include <stdint.h>

#include "logotype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmc_logo logo;
	struct findings f = { 0 };
	int rc = vmc_logotype_decode(data, size, &logo, &f);
	/* The contract: a decoded logo exactly when 0, within the cap, and a
	 * finding whenever nothing was decoded. */
	if ((rc == 0) != (logo.svg != NULL) || logo.svg_len > VMC_SVG_MAX_BYTES ||
	    (rc == 1 && f.n == 0))
		__builtin_trap();
	vmc_logo_cleanup(&logo);
	findings_cleanup(&f);
	return 0;
}
