/*
 * dnssec_check.h — DNSSEC as a check of one domain: the validation
 * status (dnssec.h, through getdns) of the answers posture relies on,
 * the domain's MX and SOA, its _dmarc TXT and its own TXT (where SPF
 * lives), combined into the domain's status (dnssec_combine: secure only
 * when every one is), with findings. posture dnssec runs it; scans and
 * posture check can feed the same questions to their own dnssec_ctx.
 *
 * Statuses (RFC 4035 4.3): secure (a chain from the trust anchor
 * validates every answer, denials included), insecure (provably
 * unsigned: answers anyone on the path can forge), bogus (signed, and a
 * signature or the chain fails: validating resolvers refuse the answer),
 * indeterminate (no verdict: the lookup failed, or no chain could be
 * built; never reported as insecure).
 */
#ifndef POSTURE_DNSSEC_CHECK_H
#define POSTURE_DNSSEC_CHECK_H

#include <stddef.h>

#include "dnssec.h"
#include "finding.h"

/* The questions of one domain, in this order. */
enum dnssec_question {
	DNSSEC_Q_MX = 0, /* DOMAIN MX */
	DNSSEC_Q_SOA,    /* DOMAIN SOA */
	DNSSEC_Q_DMARC,  /* _dmarc.DOMAIN TXT */
	DNSSEC_Q_SPF,    /* DOMAIN TXT */
	DNSSEC_Q_COUNT,
};

struct dnssec_result {
	char domain[DNS_NAME_BUF]; /* canonical */
	enum dnssec_status status; /* dnssec_combine of the answers */
	struct dnssec_query q[DNSSEC_Q_COUNT];
	struct findings findings;
};

/* Sets r's questions for domain (canonical, dnsutil.h "Names"), no
 * verdict yet. Returns 0, or -1 when _dmarc.domain is not a name. */
int dnssec_result_init(struct dnssec_result *r, const char *domain);
/* After the questions are answered (dnssec_resolve of r->q): the status
 * and the findings. Returns 0, or -1 on allocation failure. */
int dnssec_result_finish(struct dnssec_result *r);
/* Both, with the questions asked through c in between. Returns 0, or -1
 * on a program failure (err). */
int dnssec_check_run(struct dnssec_ctx *c, const char *domain, struct dnssec_result *r, char *err,
                     size_t errlen);
void dnssec_result_cleanup(struct dnssec_result *r);

/* "MX", "SOA", "TXT" (the DMARC record), "TXT" (SPF): the type asked,
 * and what posture reads there ("MX", "SOA", "DMARC", "SPF"). */
const char *dnssec_question_what(enum dnssec_question q);

/* {"domain", "status", "answers": [{"name", "type", "status",
 * "outcome"}], "findings": [...]} (doc/commands.md, "posture dnssec"). */
struct jsonw;
void dnssec_result_write(struct jsonw *w, const struct dnssec_result *r);

#endif
