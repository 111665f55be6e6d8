/*
 * memo.h — the answers one check has been given so far.
 *
 * Checks ask for DNS through a lookup that answers from a memo or says
 * "not known yet" (spf.h explains the replay). The driver fills the memo
 * from the adapter; a test fills it from a fake. A scan's memo also reads
 * the run's answer cache (dns_memo_use_cache). No I/O.
 */
#ifndef POSTURE_MEMO_H
#define POSTURE_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsutil.h"

struct dns_cache;
struct dns_memo;

/*
 * Bounds one domain's checks. Each check bounds its own answers well
 * within it (memo.c adds them up: the SPF audit SPF_AUDIT_MAX_ANSWERS,
 * DMARC DMARC_MAX_ANSWERS, ...), so the bound itself is never reached;
 * what goes past a check's own bound is a finding of that check (an SPF
 * tree far past the 10-lookup limit: spf.tree_too_large), never the loss
 * of the domain's other results.
 */
#define DNS_MEMO_MAX 640

struct dns_memo *dns_memo_new(void);
void dns_memo_free(struct dns_memo *m);
/*
 * The stored answer for (name, type), or NULL. A name that is not a
 * valid DNS name gets a stored NXDOMAIN answer (no such name can exist),
 * so a check never waits for a query that cannot be sent.
 */
const struct dns_answer *dns_memo_get(struct dns_memo *m, const char *name, uint16_t type);
/* Stores a copy, or for an answer the run's cache holds (ans->shared) a
 * pointer to the cache's copy: a memo must be freed before that cache.
 * Returns 0, or -1 when full or out of memory. */
int dns_memo_put(struct dns_memo *m, const struct dns_answer *ans);

/*
 * A copy is kept compact (its fields, names and records in one block of
 * a few hundred bytes, not a 2.3 KiB struct dns_answer with two
 * DNS_NAME_BUF names): dns_memo_get hands out a full struct built from
 * it the first time the answer is asked for, and the same struct until
 * dns_memo_drop_views frees them all. The scan drops them whenever a
 * domain goes back to waiting, so that a domain in progress holds its
 * answers compact; a caller that never drops them keeps each answer in
 * both forms until dns_memo_free. Answers handed out before the call
 * must not be used after it (the run's cache's, which the memo points
 * at, stay valid).
 */
void dns_memo_drop_views(struct dns_memo *m);
size_t dns_memo_count(const struct dns_memo *m);

/*
 * Lets dns_memo_get answer from the run's cache (dnscache.h) what the
 * memo lacks: a check then goes on in the same replay instead of waiting
 * for the adapter to deliver an answer it already had. The memo must be
 * freed before the cache. dns_memo_cache_hits counts the answers it took.
 */
void dns_memo_use_cache(struct dns_memo *m, struct dns_cache *cache);
uint64_t dns_memo_cache_hits(const struct dns_memo *m);
/* True when the memo itself holds (name, type); never asks the cache. */
bool dns_memo_holds(struct dns_memo *m, const char *name, uint16_t type);

/* A get() for the checks' lookup interfaces (ctx is the memo). */
const struct dns_answer *dns_memo_lookup(void *ctx, const char *name, uint16_t type);

#endif
