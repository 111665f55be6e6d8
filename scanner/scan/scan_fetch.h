/*
 * scan_fetch.h — the scan's stage after DNS: domains whose checks need
 * more than posture's DNS transport wait here (their DNS checks done)
 * while one thread, a batch of domains at a time, validates their
 * DNSSEC and DANE answers through getdns (one batch for all of them,
 * transport_check.h), fetches their BIMI logos and certificates and
 * their MTA-STS policies, many at once over curl multi (two fetchers:
 * a policy's follows no redirect, RFC 8461 3.3), then judges them and
 * hands each finished result back to the scan.
 *
 * Domains are moved in and out whole; the queue is bounded, so a slow
 * HTTPS world slows the DNS workers down instead of filling memory.
 */
#ifndef POSTURE_SCAN_FETCH_H
#define POSTURE_SCAN_FETCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "dns.h"
#include "vmc.h"

#define SCAN_FETCH_QUEUE_MAX 512 /* domains waiting for their fetches */
#define SCAN_FETCH_BATCH     64  /* domains fetched together */

struct scan_fetch_config {
	const struct dns_config *dns; /* host names through posture's resolver */
	struct dns_cache *cache;      /* the scan's shared cache, or NULL */
	const char *ca_file;
	const char *const *connect_to;
	size_t n_connect_to;
	const long *allow_ports; /* fetched besides 443 (fetch.h) */
	size_t n_allow_ports;
	struct vmc_options vmc; /* roots and time for every certificate */
	/* What the stage does: fetch BIMI assets, fetch MTA-STS policies,
	 * validate through getdns with the trust anchors of trust_anchor
	 * (NULL: the bundled root's). A domain pushed for a part the stage
	 * does not do is judged without it. */
	bool bimi, mta_sts, validate;
	const char *trust_anchor;
	/* Called from the stage's thread for every finished domain; r stays
	 * the stage's (it is freed after the call). why is NULL, or the reason
	 * the BIMI verdict could not be made (out of memory). */
	void (*emit)(void *arg, const struct domain_result *r, int64_t domain_id, const char *why);
	/* Called once from the stage's thread when it has emitted all. */
	void (*finished)(void *arg);
	void *arg;
	volatile sig_atomic_t *stop;
};

struct scan_fetch;

/* Starts the stage's thread. Returns NULL with a reason in err. */
struct scan_fetch *scan_fetch_start(const struct scan_fetch_config *cfg, char *err, size_t errlen);

/*
 * Hands r (heap-allocated, its DNS checks done) to the stage, which owns
 * it from now on. bimi: its BIMI assets are to be fetched (else its BIMI
 * verdict is made already); its MTA-STS policy is fetched when
 * transport_wants_policy, its DNSSEC and DANE validated when in its
 * mask. Blocks while the queue is full. Returns 0, or -1 when the stage
 * is stopping (r is freed).
 */
int scan_fetch_push(struct scan_fetch *f, struct domain_result *r, int64_t domain_id, bool bimi);

/* No more pushes: the stage fetches what it holds, then calls finished. */
void scan_fetch_close(struct scan_fetch *f);

/* Joins the thread and frees the stage (after finished was called, or
 * after *stop: what is still queued is dropped and stays pending). */
void scan_fetch_free(struct scan_fetch *f);

#endif
