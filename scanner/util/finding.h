/*
 * finding.h — what a domain publishes wrongly, as data.
 *
 * A finding has a stable code ("spf.include_no_record"), a severity, a
 * one-line message, a fix, and where it was found (the path from the
 * queried domain, e.g. "example.com → include:_spf.vendor.example").
 * Codes are part of posture's contract: documented, never renamed.
 */
#ifndef POSTURE_FINDING_H
#define POSTURE_FINDING_H

#include <stddef.h>

enum finding_severity {
	FINDING_INFO = 0,
	FINDING_WARNING,
	FINDING_ERROR,
};

struct finding {
	const char *code; /* static string */
	enum finding_severity severity;
	char *message; /* owned */
	char *fix;     /* owned, may be NULL */
	char *path;    /* owned, may be NULL */
};

struct findings {
	struct finding *v;
	size_t n;
};

#define FINDINGS_MAX        256 /* per result: hostile records cannot grow it further */
#define FINDING_MESSAGE_MAX 512

/*
 * Adds a finding; message is printf-formatted and cut at
 * FINDING_MESSAGE_MAX. Returns 0, or -1 on allocation failure or when
 * FINDINGS_MAX is reached (the finding is then dropped).
 */
int findings_add(struct findings *f, const char *code, enum finding_severity sev, const char *path,
                 const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Appends copies of every finding of src. */
int findings_extend(struct findings *dst, const struct findings *src);
/* The first finding of severity error, or NULL when there is none. */
const struct finding *findings_first_error(const struct findings *f);
/* True when a finding with this code is present. */
int findings_has(const struct findings *f, const char *code);
void findings_cleanup(struct findings *f);
const char *finding_severity_name(enum finding_severity sev);

/*
 * The registry of finding codes, compiled from findings.def: what each
 * code means in general and how it is usually fixed, with the most severe
 * severity the checks use for it. doc/findings.md is generated from the
 * same file. Findings themselves do not consult it.
 */
struct finding_info {
	const char *code;
	enum finding_severity severity;
	const char *meaning; /* one line */
	const char *fix;     /* one or two sentences */
};

/* The registry entry of code, or NULL when code is not registered. */
const struct finding_info *finding_info(const char *code);
/* Every registered code, sorted by code (strcmp order); *n gets the count. */
const struct finding_info *finding_registry(size_t *n);

#endif
