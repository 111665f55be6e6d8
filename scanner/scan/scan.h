/*
 * scan.h — the mass scan: a pool of worker threads, each with its own DNS
 * worker (its own sockets and event loop) and up to `inflight` domains in
 * progress, every domain a set of checks advanced as answers arrive; one
 * answer cache shared by all; the calling thread feeds domains from the
 * store and writes results back in batched transactions (the one writer).
 * Memory stays flat: domains are read from the store a window at a time
 * and results are written as they come.
 */
#ifndef POSTURE_SCAN_H
#define POSTURE_SCAN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "dns.h"
#include "store.h"

#define SCAN_MAX_WORKERS  64
#define SCAN_MAX_INFLIGHT 10000 /* domains in progress per worker */
/* Seconds between two progress lines for logs, unless told. */
#define SCAN_PROGRESS_EVERY_DEFAULT 60

/* How the scan reports its progress on stderr. The caller chooses (it knows
 * whether stderr is a terminal); the scan never asks. */
enum scan_progress {
	SCAN_PROGRESS_OFF,
	/* One status line redrawn in place ("\r\033[K") twice a second, and
	 * left on screen at the end. */
	SCAN_PROGRESS_TTY,
	/* For logs (journald, files): a plain line of printable ASCII every
	 * progress_every_s seconds and one when the scan ends:
	 * "2024-05-01T02:00:00Z posture scan: 120/1000 domains (12.0%),
	 * 35.2/s, 3 inconclusive, ETA 00:00:25" ("ETA unknown" before any
	 * result; the last line ends "finished after 00:00:28", "interrupted
	 * after ..." or "failed after ..." instead). */
	SCAN_PROGRESS_LINES,
};

/* The DKIM selectors a scan probes (--checks ...,dkim): six of
 * lists/dkim-selectors.txt, so a scan with DKIM keeps at least half the
 * domains a second of one without (make bench-dkim; doc/performance.md,
 * "DKIM in scans": eight gave 0.48). Left out: the second key of a pair
 * whose first is probed (selector2 of Microsoft 365, s2 of SendGrid: a
 * domain publishes both or rotates between them), and the providers'
 * rarer names. scripts/gen-world.py's DKIM_SCAN_SELECTORS must stay
 * equal to it. */
#define SCAN_DKIM_SELECTORS "google", "selector1", "k1", "s1", "default", "dkim"
/* The most selectors a scan probes at a domain: its own and those the
 * list names for the domain (its dkim_selectors column). */
#define SCAN_DKIM_SELECTORS_MAX 24
extern const char *const scan_dkim_selectors[];
extern const size_t scan_dkim_nselectors;

struct scan_options {
	struct dns_config dns; /* max_inflight: queries on the wire per worker */
	unsigned workers;      /* threads; 0: the number of cores */
	unsigned inflight;     /* domains in progress per worker */
	unsigned qps;          /* queries per second for the whole scan; 0: no cap */
	unsigned checks;       /* CHECK_BIT mask (checks.h) */
	bool bimi_asked;
	bool no_fetch; /* nothing over HTTPS: no BIMI logo or certificate, no MTA-STS policy */
	const char *ca_file;           /* HTTPS trust store; NULL: the system's */
	const char *const *connect_to; /* curl-style HOST:PORT:ADDR:PORT */
	size_t n_connect_to;
	const long *allow_ports; /* fetched besides 443 when a URL names them */
	size_t n_allow_ports;
	const char *selector; /* BIMI selector; NULL: "default" */
	time_t at;            /* when certificates are judged; 0: the scan's start */
	/* PEM trust store for Mark Certificates; NULL: the bundled roots. */
	const uint8_t *vmc_roots;
	size_t vmc_roots_len;
	/* DNSSEC and DANE (CHECKS_VALIDATING): the trust anchor file given to
	 * getdns; NULL: the bundled root anchor (dnssec.h). */
	const char *trust_anchor;
	enum scan_progress progress;
	unsigned progress_every_s; /* LINES: seconds between lines; 0: the default */
	size_t batch;              /* results per transaction */
	size_t cache_entries;
};

struct scan_stats {
	uint64_t total, done, errors; /* errors: inconclusive results */
	uint64_t queries;             /* questions the checks asked, cache hits included */
	uint64_t sent;                /* queries put on the wire (retries included) */
	uint64_t cache_hits, cache_misses, timeouts;
	double seconds;
	bool interrupted;
};

/*
 * Scans every domain of run that has no result yet, storing one result per
 * domain. Returns when all are done, or soon after *stop becomes non-zero
 * (results written so far are kept; the run stays resumable). Returns 0,
 * or -1 with a reason in err.
 */
int scan_run(struct store *s, int64_t run, const struct scan_options *o,
             volatile sig_atomic_t *stop, struct scan_stats *st, char *err, size_t errlen);

#endif
