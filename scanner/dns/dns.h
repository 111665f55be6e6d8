/*
 * dns.h — the asynchronous DNS adapter (dns.c and its private helpers
 * dns_loop, dns_udp, dns_tcp, dns_wire). dns.c uses getdns for one job:
 * reading /etc/resolv.conf (DNSSEC validation is dnssec.h's, on getdns's
 * own stub validator).
 *
 * One dns_worker per thread: it owns a few long-lived UDP sockets per
 * upstream and opens a TCP connection per truncated answer, all driven by
 * one event loop of its own, and keeps up to max_inflight queries on the
 * wire; more are queued. Every query ends in exactly one call of its
 * callback with a dns_answer whose outcome is one of the six in
 * dnsutil.h.
 *
 * What the adapter does (getdns 1.6.0 did none of it, and cost a socket
 * per UDP query):
 * - reads the rcode, so NXDOMAIN, NODATA and SERVFAIL stay apart;
 * - retries a truncated (TC=1) UDP answer over TCP, never calling it "no
 *   record";
 * - retries timeouts itself, each attempt waiting cfg.timeout_ms (a retry
 *   goes to the next upstream, with a new id); cfg.retries is the budget
 *   of the whole question, its CNAME hops and TCP fallback included: at
 *   most retries+1 of its attempts go unanswered, so it waits for silent
 *   servers (retries+1)*timeout_ms at most, and otherwise only for the
 *   attempts that were answered (one per CNAME hop the server left to
 *   us, at most DNS_CNAME_MAX_HOPS, and the UDP one before TCP);
 * - matches every reply, UDP or TCP, to its query (dns_wire_match: id,
 *   QR, opcode, question), on UDP also by socket and upstream address,
 *   and rejects replies whose owner names are not the ones asked;
 * - follows CNAME chains the server did not finish (DNS_CNAME_MAX_HOPS);
 * - joins the character-strings of a TXT record, whole (NUL bytes and
 *   all: what a record too long to read means is for its check to say);
 * - shares conclusive answers with every worker through a dns_cache.
 * With no servers in the config, the upstreams are those of
 * /etc/resolv.conf (read through getdns).
 */
#ifndef POSTURE_DNS_H
#define POSTURE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnscache.h"
#include "dnsutil.h"

#define DNS_TIMEOUT_MS_DEFAULT 2000
#define DNS_RETRIES_DEFAULT    2
#define DNS_INFLIGHT_DEFAULT   256

struct dns_config {
	struct dns_server servers[DNS_MAX_SERVERS];
	size_t nservers;       /* 0: the system's /etc/resolv.conf */
	unsigned timeout_ms;   /* per attempt */
	unsigned retries;      /* extra attempts after a timeout, per question */
	unsigned max_inflight; /* queries on the wire per worker */
};

/* Fills cfg with the defaults above and no servers. */
void dns_config_init(struct dns_config *cfg);

struct dns_worker;

/* ans is valid only during the call; copy what you keep. The callback may
 * start new queries on the same worker. */
typedef void (*dns_cb)(const struct dns_answer *ans, void *arg);

/* Returns a worker, or NULL with a reason in err. cache may be NULL. */
struct dns_worker *dns_worker_new(const struct dns_config *cfg, struct dns_cache *cache, char *err,
                                  size_t errlen);
/* Frees the worker; queries still pending are dropped without callback. */
void dns_worker_free(struct dns_worker *w);

/*
 * Starts a query for name, in presentation form (dnsutil.h, "Names"; a
 * name from an answer as it came). Returns 0 and later calls cb exactly
 * once (never from inside this call), or returns -1 (name invalid or out
 * of memory) and never calls cb.
 */
int dns_query_start(struct dns_worker *w, const char *name, uint16_t type, dns_cb cb, void *arg);

/* Runs callbacks that are due; blocks until one is when block is true and
 * something is pending. Returns the number of queries still pending. */
size_t dns_worker_run_once(struct dns_worker *w, bool block);
/* Runs until no query is pending. */
void dns_worker_run(struct dns_worker *w);
size_t dns_worker_pending(const struct dns_worker *w);

struct dns_worker_stats {
	uint64_t sent_udp, sent_tcp; /* queries put on the wire */
	uint64_t timeouts;           /* attempts that timed out */
	uint64_t completed;
};
void dns_worker_stats(const struct dns_worker *w, struct dns_worker_stats *out);

#endif
