/*
 * readiness.h — the BIMI readiness checklist: every requirement a mail
 * receiver applies before it shows a brand's logo, each with a status, a
 * fix and the rule it comes from. Pure: it reads the results of the other
 * checks of one domain.
 *
 * Items, in order (ids are a contract, see doc/commands.md, "BIMI readiness"):
 *   bimi_record       a valid BIMI record (draft: Assertion Record Discovery)
 *   logo              the logo is SVG Tiny PS (draft, SVG Tiny PS profile)
 *   certificate       a valid VMC/CMC whose logo is the published one;
 *                     no certificate is a warning: only providers that
 *                     accept self-asserted logos show it
 *   dmarc_policy      p=quarantine or p=reject for the domain
 *   dmarc_org_policy  the same at the organisational domain
 *   dmarc_coverage    all mail covered: pct 100 (RFC 7489), no t=y (RFC 9989)
 *   dmarc_subdomain   sp and np are not none
 *   spf               SPF evaluates without PermError and ends in -all/~all
 *   mx, a             the domain has MX and A/AAAA (large-sender rules)
 * eligible is true only when every required item passes.
 */
#ifndef POSTURE_READINESS_H
#define POSTURE_READINESS_H

#include "checks.h"

/* Fills r->ready (allocated here when NULL), r->nready and r->eligible
 * from r's other results. Returns 0, or -1 on allocation failure. */
int readiness_build(struct domain_result *r);

#endif
