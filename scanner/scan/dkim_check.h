/*
 * dkim_check.h — DKIM as one of a domain's checks (checks.h): every
 * selector probe of the domain (<selector>._domainkey.<domain> TXT) and
 * _domainkey.<domain> itself asked in one round, the answers read by
 * dkim_result_build (dkim_probe.h), then, once DMARC is known too,
 * whether the domain's DMARC enforcement can hold for forwarded mail.
 * checks.c calls these; the CLI writes the result (posture dkim --json,
 * the "dkim" object of posture check --json).
 */
#ifndef POSTURE_DKIM_CHECK_H
#define POSTURE_DKIM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks.h"

/* checks_step's contract for CHECK_DKIM. */
int dkim_check_step(struct domain_result *r, const struct spf_dns *dns, bool *pending, char *need,
                    size_t needlen, uint16_t *need_type);
/* checks_more's: while pending, every other name the step waits for. */
size_t dkim_check_more(const struct domain_result *r, const struct spf_need **v);
/* Frees what the DKIM check holds in r (checks_cleanup calls it). */
void dkim_check_cleanup(struct domain_result *r);

/* {"domain", "status", "probed", "selectors": [...], "findings": [...]}
 * (doc/commands.md, "posture dkim"); {"status": "not_run"} when DKIM
 * did not run. */
struct jsonw;
void dkim_result_write(struct jsonw *w, const struct domain_result *r);

#endif
