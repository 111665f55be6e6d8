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
 *   dkim              a usable DKIM key (advisory, never required; only
 *                     when the DKIM check ran; last, for reports/row.c)
 *   dmarc_evidence    the receivers' reports say enforcing is safe
 *                     (advisory; only posture check/bimi --reports-db,
 *                     readiness_add_evidence; never in a scan)
 * eligible is true only when every required item passes.
 */
#ifndef POSTURE_READINESS_H
#define POSTURE_READINESS_H

#include "checks.h"
#include "fb_summary.h"

/* Fills r->ready (allocated here when NULL), r->nready and r->eligible
 * from r's other results. Returns 0, or -1 on allocation failure. */
int readiness_build(struct domain_result *r);

/*
 * The one-domain verdict of posture check (whole: every check's error
 * findings count too) and posture bimi (the checklist alone), in this
 * order:
 *   problems     something definite is wrong: a required item fails, an
 *                error finding of a check that concluded (whole), or the
 *                domain does not exist;
 *   incomplete   nothing definite is wrong, but a required item could not
 *                be judged (a DNS failure, --no-fetch): run it again;
 *   ready_no_certificate  ready, without a mark certificate: Gmail and
 *                Apple Mail require a VMC or CMC, Yahoo shows a
 *                self-asserted logo to senders of good reputation;
 *   ready        everything required passes, with a valid certificate.
 * The command line maps them to exit statuses (doc/commands.md).
 */
enum verdict {
	VERDICT_READY = 0,
	VERDICT_READY_NO_MARK,
	VERDICT_PROBLEMS,
	VERDICT_INCOMPLETE,
};
enum verdict readiness_verdict(const struct domain_result *r, bool whole);
/* Appends the item dmarc_evidence (advisory) from the receivers'
 * aggregate reports of the last days days and the verdict drawn from
 * them (posture check --reports-db). -1 when the checklist is full. */
int readiness_add_evidence(struct domain_result *r, const struct fb_summary *s,
                           const struct fb_verdict *v, unsigned days);
/* "ready", "ready_no_certificate", "problems", "incomplete". */
const char *verdict_name(enum verdict v);

#endif
