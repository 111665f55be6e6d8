/*
 * bimi_fetch.h — a domain's BIMI logo and certificate over the fetcher
 * (fetch.h): which URLs, with which caps, and how each fetch's outcome
 * becomes the pure checks' struct bimi_fetched. Shared by posture
 * bimi/check (domain_check.c) and the scan's HTTPS stage (scan_fetch.c).
 */
#ifndef POSTURE_BIMI_FETCH_H
#define POSTURE_BIMI_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "checks.h"
#include "dns.h"
#include "fetch.h"
#include "fetch_dns.h"

/* One fetch: its result and its body, taken from the fetcher. */
struct bimi_fetch_slot {
	struct fetch_result res;
	unsigned char *body;
	bool done;
};

/* The two fetches of one domain. */
enum { BIMI_FETCH_LOGO = 0, BIMI_FETCH_CERT = 1 };
struct bimi_fetches {
	struct bimi_fetch_slot slot[2];
};

/*
 * A fetcher configured as cfg (from fetch_config_init: trust store,
 * connect_to entries, allowed ports, limits) whose host names go through
 * posture's resolver (a fetch_dns on dns and cache, returned in *fd for
 * the caller to free after the fetcher). Returns NULL with a reason in
 * err.
 */
struct fetch *bimi_fetcher_new(const struct dns_config *dns, struct dns_cache *cache,
                               const struct fetch_config *cfg, struct fetch_dns **fd, char *err,
                               size_t errlen);

/* Queues r's logo and certificate, when its record names them, into x
 * (cleared first). Returns how many were queued, or -1 (out of memory). */
int bimi_fetches_add(struct fetch *fe, const struct domain_result *r, struct bimi_fetches *x);

/* The fetch_done_fn for those fetches (arg unused): keeps result and body. */
int bimi_fetches_done(void *arg, struct fetch_result *r);

/* What slot k gave, as the checks take it (not attempted when it never
 * ran: --no-fetch, or a fetcher failure). */
void bimi_fetches_view(const struct bimi_fetches *x, int k, struct bimi_fetched *out);

void bimi_fetches_cleanup(struct bimi_fetches *x);

#endif
