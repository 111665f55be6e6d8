/*
 * drive.h — runs a pure check to completion over the DNS adapter.
 *
 * The check is a step function over a lookup interface (see spf.h): it
 * runs from the start each time and reports the one answer it is missing.
 * drive_sync asks the adapter for that answer, stores it in the memo and
 * runs the step again, until the check needs nothing more.
 */
#ifndef POSTURE_DRIVE_H
#define POSTURE_DRIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "dns.h"
#include "memo.h"
#include "spf.h"

/* Runs the check once against dns. Returns 0 with *pending, need and
 * need_type set when an answer is missing; -1 on a program error. */
typedef int (*drive_step_fn)(void *ctx, const struct spf_dns *dns, bool *pending, char *need,
                             size_t needlen, uint16_t *need_type);

/* Returns 0 when the check completed, -1 with a reason in err. */
int drive_sync(struct dns_worker *w, struct dns_memo *memo, drive_step_fn step, void *ctx,
               char *err, size_t errlen);

/* RFC 7208 check_host() for req to completion (spf_check_host driven by
 * drive_sync); *res is the caller's to free (spf_eval_result_cleanup),
 * also on failure. Returns 0, or -1 with a reason in err. */
int drive_check_host(struct dns_worker *w, struct dns_memo *memo, const struct spf_request *req,
                     struct spf_eval_result *res, char *err, size_t errlen);

/*
 * Several checks side by side, each round asking at once for every answer
 * they miss: a round runs each unfinished check and reports through need()
 * what it waits for (required) and what it will need next (look-ahead,
 * not required), and sets *done when nothing is missing. Rounds are round
 * trips, so a domain's checks take a handful instead of one per answer.
 */
typedef void (*drive_need_fn)(void *nctx, const char *name, uint16_t type, bool required);
typedef int (*drive_round_fn)(void *ctx, const struct spf_dns *dns, drive_need_fn need, void *nctx,
                              bool *done);
/* Returns 0 when every check completed, -1 with a reason in err. */
int drive_rounds(struct dns_worker *w, struct dns_memo *memo, drive_round_fn round, void *ctx,
                 char *err, size_t errlen);

#endif
