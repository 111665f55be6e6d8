/*
 * fetch.h — the HTTPS fetcher for BIMI assets (logos and mark
 * certificates): many fetches in flight on one thread, each bounded in
 * size, time and redirects. fetch.c is the only file that includes
 * libcurl; no curl type appears here.
 *
 * What a fetch refuses, and why (a BIMI URL is published by anyone):
 * - anything but https (BIMI requires it), at the first URL and at every
 *   redirect target (a downgrade is FETCH_REDIRECT_INSECURE);
 * - URLs with userinfo (credentials), over FETCH_URL_MAX bytes, or with
 *   bytes outside printable ASCII (IDNs must be A-labels);
 * - more than max_redirects redirects; fetch.c follows them itself so
 *   each target is checked and resolved like the first URL;
 * - bodies over the caller's cap, counted as they arrive (and refused
 *   before they arrive when Content-Length says so);
 * - any Content-Encoding or Transfer-Encoding other than identity (and
 *   chunked): nothing is decompressed, so no decompression bomb;
 * - any HTTP status but 200;
 * - any destination fetch_dest.h refuses: an address that is not public
 *   (the URL's or a redirect target's host, checked once resolved and
 *   again on every socket curl opens) or a port other than 443 and
 *   allow_ports, unless a connect_to entry names it (FETCH_DESTINATION,
 *   before anything is sent there).
 * No cookies, no .netrc, no proxy from the environment, no Referer,
 * no Accept-Encoding. User-Agent: posture/<version>.
 *
 * Every fetch added ends in exactly one call of the done callback during
 * fetch_run, with a status and, for anything but FETCH_OK, a one-line
 * reason naming the URL.
 *
 * Thread safety: a struct fetch is used by one thread at a time;
 * separate ones may run in parallel threads.
 */
#ifndef POSTURE_FETCH_H
#define POSTURE_FETCH_H

#include <stdbool.h>
#include <stddef.h>

/* The URL policy, the statuses, connect_to entries, the destination
 * policy: pure, and included here so that callers of the fetcher see
 * them. */
#include "fetch_dest.h"
#include "fetch_policy.h"

#define FETCH_CONTENT_TYPE_MAX           128                  /* bytes of Content-Type kept */
#define FETCH_BODY_LIMIT                 (16UL * 1024 * 1024) /* largest max_bytes accepted */

#define FETCH_CONNECT_TIMEOUT_MS_DEFAULT 5000
#define FETCH_TOTAL_TIMEOUT_MS_DEFAULT   15000
#define FETCH_MAX_REDIRECTS_DEFAULT      3
#define FETCH_MAX_INFLIGHT_DEFAULT       32
/* Connections to one host at once: shared logo hosts (CDNs, certificate
 * issuers) serve many domains of a scan, and a scanner should be polite. */
#define FETCH_MAX_HOST_CONNECTIONS_DEFAULT 8
/* Below this many bytes per second for low_speed_ms, a fetch is a
 * timeout: a server dripping bytes cannot hold a slot for the whole
 * total_timeout_ms. */
#define FETCH_LOW_SPEED_BYTES_DEFAULT 256
#define FETCH_LOW_SPEED_MS_DEFAULT    5000

/*
 * Resolves host (lower case, no final dot, never an IP literal) into up
 * to max textual IPv4/IPv6 addresses. Returns the count; 0 when the name
 * has no address (reason in err); -1 on a temporary failure (reason in
 * err).
 */
typedef int (*fetch_resolve_fn)(void *arg, const char *host, char addrs[][FETCH_ADDR_MAX], int max,
                                char *err, size_t errlen);

struct fetch_config {
	const char *ca_file;           /* PEM trust store; NULL: the system's */
	const char *const *connect_to; /* curl-style "HOST:PORT:ADDR:PORT" */
	size_t n_connect_to;
	/* Ports fetched besides 443 when a URL names them (1 to 65535, at
	 * most FETCH_ALLOW_PORTS_MAX). */
	const long *allow_ports;
	size_t n_allow_ports;
	long connect_timeout_ms;
	long total_timeout_ms; /* per fetch, all redirects included */
	int max_redirects;
	int max_inflight; /* transfers on the wire at once */
	/* Per host; curl counts a connect_to target as the host, so every
	 * fetch a "::ADDR:PORT" entry sends to one address shares it.
	 * 0: no cap. */
	int max_host_connections;
	long low_speed_bytes; /* per second, see FETCH_LOW_SPEED_* */
	long low_speed_ms;    /* curl counts whole seconds: rounded up */
	/*
	 * Called for every host a fetch connects to (the first URL's and each
	 * redirect target's, or the host a connect_to entry sends it to)
	 * unless that host is an IP literal. NULL: curl resolves names itself.
	 * When set, curl's own resolver is never used: a name the callback was
	 * not asked about fails the fetch (FETCH_RESOLVE).
	 */
	fetch_resolve_fn resolve;
	void *resolve_arg;
};

/* Fills cfg with the defaults above: system trust store, no connect_to,
 * port 443 only, curl resolves. */
void fetch_config_init(struct fetch_config *cfg);

struct fetch_result {
	void *tag;                         /* as given to fetch_add */
	char url[FETCH_URL_MAX + 1];       /* as given (truncated if longer) */
	char final_url[FETCH_URL_MAX + 1]; /* the last URL asked (normalised) */
	enum fetch_status status;
	bool temporary;      /* worth asking again later: DNS failure, connect, timeout, 5xx, 429 */
	long http_code;      /* of the last response; 0 if none */
	int redirects;       /* followed */
	unsigned char *body; /* FETCH_OK only; malloc'd, NUL-terminated past len */
	size_t len;
	char content_type[FETCH_CONTENT_TYPE_MAX]; /* printable ASCII, may be "" */
	char reason[FETCH_REASON_MAX];             /* "" for FETCH_OK */
};

/*
 * Called once per finished fetch, in completion order. r and r->body are
 * valid during the call only; to keep the body, take it (set r->body to
 * NULL; free it with free()). The callback may call fetch_add. Return 0 to
 * go on; anything else stops fetch_run, which drops what is still queued
 * or in flight without further calls and returns that value.
 */
typedef int (*fetch_done_fn)(void *arg, struct fetch_result *r);

struct fetch;

/* Calls curl_global_init once per process (thread-safe); fetch_new calls
 * it too. Returns 0 or -1. */
int fetch_global_init(void);
/* Frees curl's global state; call at exit, after every fetch_free. */
void fetch_global_cleanup(void);

/* Returns a fetcher, or NULL with a reason in err (a bad connect_to entry
 * or allowed port, an unreadable ca_file, a limit out of range, out of
 * memory). */
struct fetch *fetch_new(const struct fetch_config *cfg, char *err, size_t errlen);
/* Frees f; fetches still queued are dropped without callback. */
void fetch_free(struct fetch *f);

/*
 * Queues a fetch of url with a body cap of max_bytes (1 to
 * FETCH_BODY_LIMIT). A bad URL is not an error here: its result
 * (FETCH_BAD_URL, FETCH_NOT_HTTPS) comes through the callback like any
 * other. Returns 0, or -1 (NULL url, max_bytes out of range, out of
 * memory) and then no callback comes.
 */
int fetch_add(struct fetch *f, const char *url, size_t max_bytes, void *tag);

/*
 * Runs every queued fetch, at most max_inflight at once, calling done for
 * each as it ends. Returns 0 when all have ended, the callback's non-zero
 * value when it stopped the run, or -1 on an internal failure of curl
 * (remaining fetches are dropped without callback).
 */
int fetch_run(struct fetch *f, fetch_done_fn done, void *arg);

#endif
