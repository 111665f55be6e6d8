/*
 * checks.h — every check posture runs on one domain, as one unit: the SPF
 * audit, the DMARC policy, MX and A/AAAA presence (BIMI joins when it
 * lands). Each check is a replayable step over a memo (see drive.h): the
 * scan runs them side by side, feeding each the answer it is missing, and
 * the one-domain commands run them one at a time. Pure; JSON building is
 * the only library it uses.
 */
#ifndef POSTURE_CHECKS_H
#define POSTURE_CHECKS_H

#include <jansson.h>
#include <stdbool.h>

#include "dmarc.h"
#include "spf_audit.h"

enum check_id {
	CHECK_SPF = 0,
	CHECK_DMARC,
	CHECK_MX, /* MX at the domain */
	CHECK_A,  /* A or AAAA at the domain */
	CHECK_COUNT,
};
#define CHECK_BIT(id) (1u << (id))
#define CHECKS_ALL                                                                                 \
	(CHECK_BIT(CHECK_SPF) | CHECK_BIT(CHECK_DMARC) | CHECK_BIT(CHECK_MX) | CHECK_BIT(CHECK_A))

/*
 * Parses a --checks list ("spf,dmarc,bimi,mx"; "mx" means MX and A).
 * "bimi" is accepted and recorded as not run until the BIMI engine lands
 * (*bimi_asked tells). Returns 0, or -1 with a reason in err.
 */
int checks_parse(const char *list, unsigned *mask, bool *bimi_asked, char *err, size_t errlen);

enum host_status {
	HOST_NOT_RUN = 0,
	HOST_PRESENT,
	HOST_ABSENT,
	HOST_NULL_MX, /* RFC 7505 "MX 0 ." : the domain accepts no mail */
	HOST_TEMPERROR,
};
const char *host_status_name(enum host_status s);

struct host_result {
	enum host_status status;
	int records;                 /* MX names, or A + AAAA addresses */
	char detail[DNS_DETAIL_MAX]; /* why, for temperror */
};

struct domain_result {
	char domain[DNS_NAME_BUF];
	unsigned mask; /* which checks run */
	bool bimi_asked;
	bool done[CHECK_COUNT];
	struct spf_audit spf;
	struct dmarc_result dmarc;
	struct host_result mx, a;
};

/* Prepares r for domain (which must be normalised). */
void checks_init(struct domain_result *r, const char *domain, unsigned mask, bool bimi_asked);
void checks_cleanup(struct domain_result *r);

/*
 * Runs check id once against dns (a drive_step_fn's contract): 0 with
 * *pending set and need/need_type naming the missing answer, or with
 * r->done[id] set; -1 on a program error (out of memory).
 */
int checks_step(struct domain_result *r, enum check_id id, const struct spf_dns *dns, bool *pending,
                char *need, size_t needlen, uint16_t *need_type);

/* True when any check that ran ended in a DNS failure (TempError). */
bool checks_inconclusive(const struct domain_result *r);

/* The JSON objects of posture spf / posture dmarc --json. */
json_t *spf_audit_json(const struct spf_audit *a);
json_t *dmarc_result_json(const struct dmarc_result *r);
/* {"domain", "spf", "dmarc", "mx", "a", "bimi", "conclusive"}; a check
 * that did not run is {"status": "not_run"}. */
json_t *checks_json(const struct domain_result *r);

#endif
