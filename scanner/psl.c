/*
 * psl.c — libpsl over the Public Suffix List compiled into the binary.
 */
#include "psl.h"

#include <libpsl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "strutil.h"

extern const char posture_psl_data[];
extern const char posture_psl_data_end[];

static psl_ctx_t *ctx;
static char version[64] = "unknown";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	size_t len = (size_t)(posture_psl_data_end - posture_psl_data);
	/* fmemopen takes a non-const buffer but mode "r" only reads it. */
	union {
		const char *c;
		void *v;
	} buf = { posture_psl_data };
	FILE *f = fmemopen(buf.v, len, "r");
	if (f == NULL)
		return;
	ctx = psl_load_fp(f);
	fclose(f);
	const char *v = memmem(posture_psl_data, len, "// VERSION: ", 12);
	if (v != NULL) {
		v += 12;
		size_t n = 0;
		while (v + n < posture_psl_data_end && v[n] != '\n' && n + 1 < sizeof(version))
			n++;
		memcpy(version, v, n);
		version[n] = '\0';
	}
}

int psl_init(void)
{
	pthread_once(&once, load);
	return ctx ? 0 : -1;
}

const char *psl_version(void)
{
	psl_init();
	return version;
}

int psl_org_domain(const char *domain, char *out, size_t outlen)
{
	if (psl_init() != 0)
		return -1;
	const char *reg = psl_registrable_domain(ctx, domain);
	str_copy(out, outlen, reg ? reg : domain);
	return 0;
}
