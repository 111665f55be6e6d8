/*
 * finding.c — the finding list shared by every check, and the registry
 * of finding codes (findings.def).
 */
#include "finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int push(struct findings *f, const char *code, enum finding_severity sev, char *message,
                char *fix, char *path)
{
	struct finding *v;

	if (message == NULL || f->n >= FINDINGS_MAX)
		goto fail;
	v = realloc(f->v, (f->n + 1) * sizeof(*v));
	if (v == NULL)
		goto fail;
	f->v = v;
	f->v[f->n].code = code;
	f->v[f->n].severity = sev;
	f->v[f->n].message = message;
	f->v[f->n].fix = fix;
	f->v[f->n].path = path;
	f->n++;
	return 0;
fail:
	free(message);
	free(fix);
	free(path);
	return -1;
}

int findings_add(struct findings *f, const char *code, enum finding_severity sev, const char *path,
                 const char *fix, const char *fmt, ...)
{
	char buf[FINDING_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return push(f, code, sev, strdup(buf), dup_or_null(fix), dup_or_null(path));
}

int findings_extend(struct findings *dst, const struct findings *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct finding *s = &src->v[i];
		if (push(dst, s->code, s->severity, strdup(s->message), dup_or_null(s->fix),
		         dup_or_null(s->path)) != 0)
			return -1;
	}
	return 0;
}

int findings_has(const struct findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].code, code) == 0)
			return 1;
	return 0;
}

void findings_cleanup(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].message);
		free(f->v[i].fix);
		free(f->v[i].path);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

const char *finding_severity_name(enum finding_severity sev)
{
	switch (sev) {
	case FINDING_INFO:
		return "info";
	case FINDING_WARNING:
		return "warning";
	case FINDING_ERROR:
		return "error";
	}
	return "unknown";
}

const struct finding *findings_first_error(const struct findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].severity == FINDING_ERROR)
			return &f->v[i];
	return NULL;
}

/* findings.def, one entry per code, sorted by code: tests/unit/test_finding.c
 * checks the order finding_info()'s binary search relies on. */
static const struct finding_info registry[] = {
#define FINDING(code, sev, meaning, fix) { code, FINDING_##sev, meaning, fix },
#include "findings.def"
#undef FINDING
};

#define REGISTRY_N (sizeof(registry) / sizeof(registry[0]))

static int by_code(const void *key, const void *entry)
{
	return strcmp(key, ((const struct finding_info *)entry)->code);
}

const struct finding_info *finding_info(const char *code)
{
	if (code == NULL)
		return NULL;
	return bsearch(code, registry, REGISTRY_N, sizeof(registry[0]), by_code);
}

const struct finding_info *finding_registry(size_t *n)
{
	*n = REGISTRY_N;
	return registry;
}
