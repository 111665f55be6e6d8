/*
 * scan_limits.h — what a scan holds, stated in one place: the memory of a
 * domain in progress, of a worker and of the run, and the file
 * descriptors its DNS workers may use; and the check posture scan makes
 * at start, before it touches the database: --workers x --inflight
 * against the memory there is, and the descriptors against
 * RLIMIT_NOFILE. doc/limitations.md ("Limits") lists these beside every
 * other bound posture enforces.
 *
 * The memory figures are resident memory (the maximum resident set size
 * /usr/bin/time -v reports), measured on the synthetic world
 * (scripts/gen-world.py --seed 1, 100,000 domains, every check,
 * --no-fetch) served by the loopback bed, where the run's answer cache is
 * full after the first 6,000 domains, so that most answers a domain gets
 * are copies of its own: the slope of peak RSS from --inflight 400 to
 * 4000 with one worker (110 to 121 MiB: 3.1 KiB a domain), 8 workers of
 * 10,000 (506 MiB: 4.7 KiB a domain, none of them finding the providers'
 * answers cached), and 1, 8 and 32 workers at the same domains in
 * progress for a worker's share. Before issue 19 a domain in progress
 * held 55 KiB (its 23 KiB result, 9 KiB of name buffers in its job, 17
 * KiB of queries queued in the DNS adapter, 2.3 KiB per answer copy and
 * 4 KiB of work queue).
 */
#ifndef POSTURE_SCAN_LIMITS_H
#define POSTURE_SCAN_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scan.h"

/* A domain in progress: its job (about 600 bytes: the questions it
 * waits for, their names malloc'd), its memo (40 bytes an answer, and a
 * compact copy of each answer the run's cache does not hold: a few
 * hundred bytes), its parsed SPF records, and its two places in the work
 * queue; its checks' results are not kept while it waits (scan.c, struct
 * job). Measured 3.1 to 4.7 KiB; a domain whose SPF tree is its own and
 * large holds more (up to DNS_MEMO_MAX answers). */
#define SCAN_MEM_PER_DOMAIN ((uint64_t)8 << 10)
/* A worker: its thread's stack as used, the DNS adapter's tables (2 MiB
 * of query ids), its scratch result and its glibc arena's slack.
 * Measured 3 to 7 MiB. */
#define SCAN_MEM_PER_WORKER ((uint64_t)8 << 20)
/* Per query a worker may have on the wire (--outstanding): the adapter
 * holds at most twice as many (scan.c, adapter_max), 4.3 KiB each. */
#define SCAN_MEM_PER_QUERY ((uint64_t)9 << 10)
/* An entry of the run's answer cache (dnscache.h): a whole struct
 * dns_answer (2.2 KiB) and its records. The cache holds
 * SCAN_CACHE_ENTRIES (cmd_scan.c): about 80 MiB. */
#define SCAN_MEM_PER_CACHE_ENTRY ((uint64_t)2560)
/* The rest: the program and its libraries (18 MiB for a one-domain
 * scan), SQLite's page cache, the rows waiting for their transaction,
 * glibc's heap top kept mapped (SCAN_MALLOC_TOP_PAD, cmd_scan.c). */
#define SCAN_MEM_BASE ((uint64_t)40 << 20)
/* The HTTPS stage: SCAN_FETCH_QUEUE_MAX + SCAN_FETCH_BATCH results
 * waiting (23 KiB each: 13 MiB), FETCH_MAX_INFLIGHT_DEFAULT transfers'
 * bodies (64 KiB at most each) and TLS state, the trust store. */
#define SCAN_MEM_FETCH ((uint64_t)32 << 20)
/* The stage with transport checks (mta-sts, tls-rpt, dnssec, dane): each
 * result waiting there holds its transport part too (struct
 * transport_result, 34 KiB: 20 MiB for the queue and a batch), and
 * getdns its context and a batch's validation chains. */
#define SCAN_MEM_TRANSPORT ((uint64_t)24 << 20)

/* Descriptors kept out of the DNS workers' reach: standard streams, the
 * lists, the store (database, WAL, shared memory, the checkpoint
 * connection's, the writer's claim). */
#define SCAN_FD_RESERVE 64
/* The stage after DNS: FETCH_MAX_INFLIGHT_DEFAULT transfers, curl's
 * cache of connections (up to four per transfer) and its own DNS worker. */
#define SCAN_FD_FETCH 192
/* With the transport checks, besides: MTA-STS's second fetcher (its
 * FETCH_MAX_INFLIGHT_DEFAULT transfers, run after the first's have
 * ended, and its DNS worker) and getdns's sockets (at most
 * DNSSEC_OUTSTANDING_MAX questions at once). */
#define SCAN_FD_TRANSPORT 96
/* A worker's own: its event loop, and per resolver the UDP sockets it
 * spreads queries over (DNS_UDP_SOCKETS_PER_SERVER, private to the
 * adapter); with no --resolver, resolv.conf names at most 3. */
#define SCAN_FD_PER_WORKER     2
#define SCAN_FD_PER_SERVER     4
#define SCAN_FD_SERVERS_SYSTEM 3

/* Test hook: the memory available, in KiB, instead of what /proc/meminfo,
 * the cgroup and RLIMIT_AS say (tests cannot shrink the machine). */
#define SCAN_ENV_MEMAVAILABLE "POSTURE_TEST_MEMAVAILABLE_KB"

/* What decides a scan's memory. */
struct scan_plan {
	unsigned workers;     /* threads (after the cores are counted) */
	unsigned inflight;    /* domains in progress per worker */
	unsigned outstanding; /* queries on the wire per worker */
	size_t cache_entries; /* the run's answer cache */
	bool fetch;           /* the stage after DNS runs (HTTPS, getdns) */
	bool transport;       /* with the transport checks' results */
};

/* Whether o's scan runs the stage after DNS (scan_fetch.h): it fetches
 * BIMI assets or MTA-STS policies, or validates DNSSEC and DANE. */
bool scan_stage_wanted(const struct scan_options *o);

/* The plan of o: its worker count resolved, its queries on the wire
 * capped as scan_run caps them (scan_fd_per_worker with nofile). */
void scan_plan_of(const struct scan_options *o, uint64_t nofile, struct scan_plan *p);

/* Bytes the scan is estimated to hold at its peak (see the figures
 * above); what is not per domain in progress is in *fixed if not NULL. */
uint64_t scan_mem_estimate(const struct scan_plan *p, uint64_t *fixed);

/* The largest --inflight (at most SCAN_MAX_INFLIGHT) whose estimate is
 * at most avail bytes with p's other settings; 0 when not even 1 fits. */
unsigned scan_mem_max_inflight(const struct scan_plan *p, uint64_t avail);

/* Memory the scan may use, and which limit said so. */
struct scan_avail {
	uint64_t bytes;
	const char *source; /* "MemAvailable in /proc/meminfo", ... */
};

/*
 * The tightest of: SCAN_ENV_MEMAVAILABLE when set (alone, then);
 * MemAvailable; the cgroup's memory.max less its usage (v2, or v1's
 * memory.limit_in_bytes); RLIMIT_AS less the address space in use and
 * what workers threads reserve (a stack and a 64 MiB heap each). Returns
 * 0, or -1 when none of them could be read (no check is made then).
 */
int scan_mem_available(unsigned workers, struct scan_avail *out);

/* Queries on the wire a worker may have (each TCP one holds a
 * descriptor) within nofile descriptors, after SCAN_FD_RESERVE, the
 * HTTPS stage's and every worker's own; 0 when not even one fits. */
unsigned scan_fd_per_worker(uint64_t nofile, unsigned workers, size_t nservers, bool fetch,
                            bool transport);

/* RLIMIT_NOFILE's soft limit (1024 when it cannot be read). */
uint64_t scan_nofile(void);

/* The worker threads o asks for: the cores when 0, at most
 * SCAN_MAX_WORKERS. */
unsigned scan_worker_count(const struct scan_options *o);

/*
 * The check at start. Returns 0 when o fits the memory available and the
 * descriptor limit; -1 with a message for the user in err when it does
 * not (the estimate, what is available, and the largest --inflight that
 * fits; or the descriptors needed); 1 with a warning in err when even
 * --workers 1 --inflight 1 would not fit a long list (a short one may
 * well fit: the answer cache fills as the list goes). With avail NULL,
 * the machine's (scan_mem_available) is used; when that cannot be read,
 * only the descriptors are checked.
 */
int scan_limits_check(const struct scan_options *o, const struct scan_avail *avail, char *err,
                      size_t errlen);

#endif
