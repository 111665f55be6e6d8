/*
 * psl.h — the Public Suffix List adapter (the only module that includes
 * libpsl). The list is the snapshot bundled in the binary; it is loaded
 * once and read-only after, so every thread may use it.
 */
#ifndef POSTURE_PSL_H
#define POSTURE_PSL_H

#include <stddef.h>

/* Loads the bundled list (idempotent, thread-safe). Returns 0 or -1. */
int psl_init(void);
/* The organisational domain of domain (RFC 7489 3.2: the registrable
 * domain; a public suffix itself is its own). Returns 0 or -1. Matches
 * dmarc_org_fn. */
int psl_org_domain(const char *domain, char *out, size_t outlen);
/* The list's VERSION line ("2026-06-13_21-47-18_UTC") or "unknown". */
const char *psl_version(void);

#endif
