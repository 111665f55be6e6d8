/*
 * psl.c — libpsl over the Public Suffix List compiled into the binary.
 */
#include "psl.h"

#include <libpsl.h>
#include <pthread.h>
#include <stdbool.h>
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

/* The last few answers of this thread: a scanned domain's checks ask
 * for the same organisational domains again on every replay, and a
 * lookup in the list costs more than a few string compares. */
#define RECENT 4
static _Thread_local struct {
	char domain[256];
	size_t reg; /* offset of the registrable domain in domain */
	bool used;
} recent[RECENT];
static _Thread_local unsigned recent_next;

int psl_org_domain(const char *domain, char *out, size_t outlen)
{
	for (unsigned i = 0; i < RECENT; i++)
		if (recent[i].used && strcmp(recent[i].domain, domain) == 0) {
			str_copy(out, outlen, domain + recent[i].reg);
			return 0;
		}
	if (psl_init() != 0)
		return -1;
	const char *reg = psl_registrable_domain(ctx, domain);
	if (reg == NULL)
		reg = domain;
	str_copy(out, outlen, reg);
	size_t len = strlen(domain);
	/* libpsl points into domain; anything else is not kept. */
	if (len < sizeof(recent[0].domain) && reg >= domain && reg <= domain + len) {
		unsigned k = recent_next++ % RECENT;
		str_copy(recent[k].domain, sizeof(recent[k].domain), domain);
		recent[k].reg = (size_t)(reg - domain);
		recent[k].used = true;
	}
	return 0;
}
