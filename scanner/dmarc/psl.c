/*
 * psl.c — libpsl over the Public Suffix List compiled into the binary.
 */
#include "psl.h"

#include <libpsl.h>
#include <pthread.h>
#include <stdint.h>
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

/* Answers this thread gave, by a hash of the name (a slot holds the
 * last name that fell there): a scan's checks ask for the organisational
 * domain of every domain in progress (hundreds per worker) again on each
 * replay, and a lookup in the list costs more than a hash and a compare. */
#define RECENT_SLOTS 512
#define RECENT_NAME  128 /* longer names are looked up every time */
static _Thread_local struct {
	char domain[RECENT_NAME];
	unsigned char reg; /* offset of the registrable domain in domain */
} recent[RECENT_SLOTS];

static unsigned slot_of(const char *domain, size_t *len)
{
	uint32_t h = 2166136261u;
	const char *p = domain;
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	*len = (size_t)(p - domain);
	return h % RECENT_SLOTS;
}

int psl_org_domain(const char *domain, char *out, size_t outlen)
{
	size_t len;
	unsigned k = slot_of(domain, &len);
	if (len < RECENT_NAME && recent[k].domain[0] != '\0' &&
	    strcmp(recent[k].domain, domain) == 0) {
		str_copy(out, outlen, domain + recent[k].reg);
		return 0;
	}
	if (psl_init() != 0)
		return -1;
	const char *reg = psl_registrable_domain(ctx, domain);
	if (reg == NULL)
		reg = domain;
	str_copy(out, outlen, reg);
	/* libpsl points into domain; anything else is not kept. */
	if (len < RECENT_NAME && len > 0 && reg >= domain && reg <= domain + len) {
		str_copy(recent[k].domain, sizeof(recent[k].domain), domain);
		recent[k].reg = (unsigned char)(reg - domain);
	}
	return 0;
}
