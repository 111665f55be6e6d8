/*
 * fetch.c — the HTTPS fetcher on libcurl's multi interface (the only file
 * that includes libcurl). See fetch.h for the contract; what a URL, a
 * redirect target or a connect_to entry may be is fetch_policy.c's.
 *
 * One fetch is one job; each hop of it (the first URL, then each redirect
 * target) is one transfer on the job's easy handle. fetch.c follows
 * redirects itself instead of CURLOPT_FOLLOWLOCATION so that every target
 * is checked like a first URL (https, no credentials, bounded length) and
 * its host is resolved through the caller's resolver before curl connects.
 *
 * Names reach curl already resolved, as CURLOPT_RESOLVE entries for the
 * host and port curl will connect to (after CURLOPT_CONNECT_TO). With a
 * resolver callback set, a resolver-start callback refuses any name curl
 * would still look up itself, so a scan never asks the system resolver
 * behind the caller's back.
 *
 * Where a hop may connect is fetch_dest.c's: its host and port are judged
 * before anything is resolved, the addresses the resolver gives are
 * filtered to the public ones, and the open-socket callback judges the
 * very address and port of every socket curl is about to connect (a
 * refused one is never connected), so what curl reads otherwise, or a
 * cached entry, cannot take a fetch anywhere the policy did not allow.
 *
 * Bodies grow by doubling up to the caller's cap; the write callback
 * counts every byte, because Content-Length (CURLOPT_MAXFILESIZE) is only
 * a promise and may be absent. The body of a response other than 200 is
 * read and dropped up to FETCH_DISCARD_MAX, so a redirect's connection
 * can be reused, and is cut off beyond that.
 */
#include "fetch.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "strutil.h"

#ifndef POSTURE_VERSION
#define POSTURE_VERSION "0.0.0-dev"
#endif

#define FETCH_BODY_INITIAL     4096
#define FETCH_DISCARD_MAX      65536 /* body bytes of a non-200 response read */
#define FETCH_INFLIGHT_LIMIT   1024
#define FETCH_REDIRECTS_LIMIT  20
#define FETCH_TIMEOUT_MS_LIMIT (10L * 60 * 1000)
#define FETCH_CONNECT_TO_MAX   64
/* Longest wait in curl_multi_poll; curl wakes earlier for its timers. */
#define FETCH_POLL_MS 1000

struct fetch_job {
	struct fetch_job *next;
	struct fetch *f;
	CURL *easy;
	struct curl_slist *resolve; /* this hop's CURLOPT_RESOLVE entries */
	struct fetch_result res;
	char host[FETCH_HOST_MAX]; /* of res.final_url */
	long port;
	size_t max_bytes;
	size_t cap; /* bytes allocated at res.body */
	size_t discarded;
	struct timespec start;
	bool decided;                    /* res.status is final before any transfer */
	bool active;                     /* added to the multi handle */
	bool guard;                      /* curl's own resolver must not run this hop */
	bool guard_tripped;              /* ... and it tried to */
	struct fetch_dest dest;          /* where this hop may connect */
	bool dest_refused;               /* a socket was refused this hop ... */
	int sockets_opened;              /* ... and how many were not */
	char dest_why[FETCH_REASON_MAX]; /* why the first was refused */
	bool too_large, encoded, discard_abort;
	char errbuf[CURL_ERROR_SIZE];
};

struct fetch {
	struct fetch_config cfg;
	char *ca_file;
	struct curl_slist *connect_to;
	struct fetch_connect_to *ct;
	size_t nct;
	long allow[FETCH_ALLOW_PORTS_MAX]; /* ports besides 443 */
	size_t nallow;
	CURLM *multi;
	struct fetch_job *queue, *queue_tail; /* added, not started */
	struct fetch_job *done, *done_tail;   /* ended, callback not yet called */
	struct fetch_job *active;             /* on the wire */
	size_t nactive;
	bool running;
};

void fetch_config_init(struct fetch_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->connect_timeout_ms = FETCH_CONNECT_TIMEOUT_MS_DEFAULT;
	cfg->total_timeout_ms = FETCH_TOTAL_TIMEOUT_MS_DEFAULT;
	cfg->max_redirects = FETCH_MAX_REDIRECTS_DEFAULT;
	cfg->max_inflight = FETCH_MAX_INFLIGHT_DEFAULT;
	cfg->max_host_connections = FETCH_MAX_HOST_CONNECTIONS_DEFAULT;
	cfg->low_speed_bytes = FETCH_LOW_SPEED_BYTES_DEFAULT;
	cfg->low_speed_ms = FETCH_LOW_SPEED_MS_DEFAULT;
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc = -1;

static void global_init_once(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

int fetch_global_init(void)
{
	pthread_once(&global_once, global_init_once);
	return global_rc;
}

void fetch_global_cleanup(void)
{
	if (global_rc == 0)
		curl_global_cleanup();
	global_rc = -1;
}

/* --- the fetcher --------------------------------------------------------- */

struct fetch *fetch_new(const struct fetch_config *cfg, char *err, size_t errlen)
{
	struct fetch *f = NULL;
	const struct fetch_config *c = cfg;

	if (fetch_global_init() != 0) {
		snprintf(err, errlen, "curl_global_init failed");
		return NULL;
	}
	if (c->connect_timeout_ms < 1 || c->connect_timeout_ms > FETCH_TIMEOUT_MS_LIMIT ||
	    c->total_timeout_ms < 1 || c->total_timeout_ms > FETCH_TIMEOUT_MS_LIMIT ||
	    c->low_speed_ms < 0 || c->low_speed_ms > FETCH_TIMEOUT_MS_LIMIT ||
	    c->low_speed_bytes < 0) {
		snprintf(err, errlen, "fetch time limits out of range (1 to %ld ms)",
		         FETCH_TIMEOUT_MS_LIMIT);
		return NULL;
	}
	if (c->max_redirects < 0 || c->max_redirects > FETCH_REDIRECTS_LIMIT) {
		snprintf(err, errlen, "max redirects out of range (0 to %d)",
		         FETCH_REDIRECTS_LIMIT);
		return NULL;
	}
	if (c->max_inflight < 1 || c->max_inflight > FETCH_INFLIGHT_LIMIT ||
	    c->max_host_connections < 0 || c->max_host_connections > FETCH_INFLIGHT_LIMIT) {
		snprintf(err, errlen, "fetches in flight out of range (1 to %d)",
		         FETCH_INFLIGHT_LIMIT);
		return NULL;
	}
	if (c->n_connect_to > FETCH_CONNECT_TO_MAX) {
		snprintf(err, errlen, "more than %d connect-to entries", FETCH_CONNECT_TO_MAX);
		return NULL;
	}
	if (c->n_allow_ports > FETCH_ALLOW_PORTS_MAX) {
		snprintf(err, errlen, "more than %d allowed ports", FETCH_ALLOW_PORTS_MAX);
		return NULL;
	}
	for (size_t i = 0; i < c->n_allow_ports; i++) {
		if (c->allow_ports[i] < 1 || c->allow_ports[i] > 65535) {
			snprintf(err, errlen, "allowed port %ld out of range (1 to 65535)",
			         c->allow_ports[i]);
			return NULL;
		}
	}
	/* An unreadable trust store would fail every fetch as "tls". */
	if (c->ca_file != NULL && access(c->ca_file, R_OK) != 0) {
		snprintf(err, errlen, "CA file %.200s is not readable", c->ca_file);
		return NULL;
	}

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		goto nomem;
	f->cfg = *c;
	f->cfg.connect_to = NULL;  /* copied into f->connect_to and f->ct */
	f->cfg.allow_ports = NULL; /* copied into f->allow */
	for (size_t i = 0; i < c->n_allow_ports; i++)
		f->allow[i] = c->allow_ports[i];
	f->nallow = c->n_allow_ports;
	if (c->ca_file != NULL) {
		f->ca_file = strdup(c->ca_file);
		if (f->ca_file == NULL)
			goto nomem;
	}
	f->cfg.ca_file = f->ca_file;
	if (c->n_connect_to > 0) {
		f->ct = calloc(c->n_connect_to, sizeof(*f->ct));
		if (f->ct == NULL)
			goto nomem;
	}
	for (size_t i = 0; i < c->n_connect_to; i++) {
		struct curl_slist *l;
		if (fetch_connect_to_parse(c->connect_to[i], &f->ct[i], err, errlen) != 0) {
			fetch_free(f);
			return NULL;
		}
		l = curl_slist_append(f->connect_to, c->connect_to[i]);
		if (l == NULL)
			goto nomem;
		f->connect_to = l;
		f->nct++;
	}
	f->multi = curl_multi_init();
	if (f->multi == NULL)
		goto nomem;
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->max_host_connections);
	return f;
nomem:
	snprintf(err, errlen, "out of memory");
	fetch_free(f);
	return NULL;
}

static void job_free(struct fetch_job *job)
{
	if (job == NULL)
		return;
	if (job->active)
		curl_multi_remove_handle(job->f->multi, job->easy);
	if (job->easy != NULL)
		curl_easy_cleanup(job->easy);
	curl_slist_free_all(job->resolve);
	free(job->res.body);
	free(job);
}

static void job_list_free(struct fetch_job **head, struct fetch_job **tail)
{
	struct fetch_job *job = *head;
	while (job != NULL) {
		struct fetch_job *next = job->next;
		job_free(job);
		job = next;
	}
	*head = NULL;
	if (tail != NULL)
		*tail = NULL;
}

static void drop_all(struct fetch *f)
{
	job_list_free(&f->queue, &f->queue_tail);
	job_list_free(&f->done, &f->done_tail);
	job_list_free(&f->active, NULL);
	f->nactive = 0;
}

void fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	drop_all(f);
	if (f->multi != NULL)
		curl_multi_cleanup(f->multi);
	curl_slist_free_all(f->connect_to);
	free(f->ct);
	free(f->ca_file);
	free(f);
}

static void push(struct fetch_job **head, struct fetch_job **tail, struct fetch_job *job)
{
	job->next = NULL;
	if (*tail != NULL)
		(*tail)->next = job;
	else
		*head = job;
	*tail = job;
}

/*
 * The pure URL check (fetch_policy.c) reads URLs as libcurl does; this
 * asks libcurl itself whether it reads the normalised URL's host and port
 * the same way, so a libcurl that parses differently (another version)
 * refuses the URL instead of connecting somewhere the check never saw.
 * Returns true when both agree.
 */
static bool curl_agrees(const char *norm, const char *host, long port)
{
	CURLU *u = curl_url();
	char *h = NULL, *p = NULL;
	bool same = false;

	if (u == NULL)
		return false;
	if (curl_url_set(u, CURLUPART_URL, norm, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK)
		same = strcasecmp(h, host) == 0 && strtol(p, NULL, 10) == port;
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return same;
}

int fetch_add(struct fetch *f, const char *url, size_t max_bytes, void *tag)
{
	struct fetch_job *job;
	char why[FETCH_REASON_MAX], shown[FETCH_SHOW_URL + 8];
	enum fetch_status st;

	if (f == NULL || url == NULL || max_bytes == 0 || max_bytes > FETCH_BODY_LIMIT)
		return -1;
	job = calloc(1, sizeof(*job));
	if (job == NULL)
		return -1;
	job->f = f;
	job->res.tag = tag;
	job->max_bytes = max_bytes;
	str_copy(job->res.url, sizeof(job->res.url), url);
	st = fetch_url_check(url, job->res.final_url, sizeof(job->res.final_url), job->host,
	                     sizeof(job->host), &job->port, why, sizeof(why));
	if (st == FETCH_OK && !curl_agrees(job->res.final_url, job->host, job->port)) {
		st = FETCH_BAD_URL;
		snprintf(why, sizeof(why), "libcurl reads its host or port differently");
	}
	if (st != FETCH_OK) {
		job->decided = true;
		job->res.status = st;
		snprintf(job->res.reason, sizeof(job->res.reason), "%s: %s",
		         fetch_show(url, shown, sizeof(shown)), why);
	}
	push(&f->queue, &f->queue_tail, job);
	return 0;
}

/* Ends a job with a status and a reason "URL: what". */
static void __attribute__((format(printf, 4, 5)))
job_fail(struct fetch_job *job, enum fetch_status st, bool temporary, const char *fmt, ...)
{
	char what[FETCH_REASON_MAX], shown[FETCH_SHOW_URL + 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	job->res.status = st;
	job->res.temporary = temporary;
	snprintf(job->res.reason, sizeof(job->res.reason), "%s: %s",
	         fetch_show(job->res.final_url[0] != '\0' ? job->res.final_url : job->res.url,
	                    shown, sizeof(shown)),
	         what);
	free(job->res.body);
	job->res.body = NULL;
	job->res.len = 0;
	job->decided = true;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - since->tv_sec) * 1000 +
	       (long)(now.tv_nsec - since->tv_nsec) / 1000000;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct fetch_job *job = userdata;
	size_t n = size * nmemb;
	long code = 0;

	curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		/* Only a 200 body is kept; read a little of others so the
		 * connection can serve the next hop. */
		job->discarded += n;
		if (job->discarded > FETCH_DISCARD_MAX) {
			job->discard_abort = true;
			return 0;
		}
		return n;
	}
	if (job->encoded)
		return 0;
	if (n > job->max_bytes - job->res.len) {
		job->too_large = true;
		return 0;
	}
	if (job->res.len + n + 1 > job->cap) {
		size_t cap = job->cap > 0 ? job->cap : FETCH_BODY_INITIAL;
		unsigned char *body;
		while (cap < job->res.len + n + 1)
			cap *= 2;
		if (cap > job->max_bytes + 1)
			cap = job->max_bytes + 1;
		body = realloc(job->res.body, cap);
		if (body == NULL)
			return 0;
		job->res.body = body;
		job->cap = cap;
	}
	memcpy(job->res.body + job->res.len, data, n);
	job->res.len += n;
	job->res.body[job->res.len] = '\0';
	return n;
}

/* Header lines of every response of the hop, status lines included. */
static size_t on_header(char *data, size_t size, size_t nitems, void *userdata)
{
	struct fetch_job *job = userdata;
	size_t n = size * nitems;
	char value[256];
	size_t name_len;
	bool transfer;

	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		/* A new response (after a 1xx): its own headers count. */
		job->encoded = false;
		return n;
	}
	if (n > 17 && strncasecmp(data, "content-encoding:", 17) == 0) {
		name_len = 17;
		transfer = false;
	} else if (n > 18 && strncasecmp(data, "transfer-encoding:", 18) == 0) {
		name_len = 18;
		transfer = true;
	} else {
		return n;
	}
	if (n - name_len >= sizeof(value)) {
		job->encoded = true; /* no encoding name is that long */
		return n;
	}
	memcpy(value, data + name_len, n - name_len);
	value[n - name_len] = '\0';
	if (!fetch_encoding_ok(value, transfer))
		job->encoded = true;
	return n;
}

static int on_resolver_start(void *resolver_state, void *reserved, void *userdata)
{
	struct fetch_job *job = userdata;
	(void)resolver_state;
	(void)reserved;
	if (job->guard) {
		job->guard_tripped = true;
		return 1;
	}
	return 0;
}

/* The address (network order) and port of a socket curl is about to
 * open. Returns the address's length, 4 or 16, or 0 for another family. */
static size_t socket_address(const struct curl_sockaddr *a, unsigned char *out, long *port)
{
	/* curl's storage behind addr is large enough for the family's
	 * sockaddr; addrlen says how much of it is the address. */
	const unsigned char *raw = (const unsigned char *)a + offsetof(struct curl_sockaddr, addr);

	if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;
		memcpy(&sin, raw, sizeof(sin));
		memcpy(out, &sin.sin_addr, 4);
		*port = ntohs(sin.sin_port);
		return 4;
	}
	if (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;
		memcpy(&sin6, raw, sizeof(sin6));
		memcpy(out, &sin6.sin6_addr, 16);
		*port = ntohs(sin6.sin6_port);
		return 16;
	}
	return 0;
}

/*
 * curl's open-socket callback: the last word on where a hop connects. The
 * address is the one curl is about to connect to (not a separate lookup),
 * so a refused destination never sees a packet, and the fetch ends in
 * FETCH_DESTINATION whatever listens there.
 */
static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose,
                                    struct curl_sockaddr *address)
{
	struct fetch_job *job = clientp;
	unsigned char addr[16];
	char why[FETCH_REASON_MAX];
	long port = 0;
	size_t len = purpose == CURLSOCKTYPE_IPCXN ? socket_address(address, addr, &port) : 0;

	if (len == 0) {
		snprintf(why, sizeof(why), "destination refused: not an IPv4 or IPv6 connection");
	} else if (fetch_dest_socket_ok(&job->dest, addr, len, port, why, sizeof(why))) {
		curl_socket_t fd = socket(address->family, address->socktype | SOCK_CLOEXEC,
		                          address->protocol);
		if (fd != CURL_SOCKET_BAD)
			job->sockets_opened++;
		return fd;
	}
	if (!job->dest_refused)
		str_copy(job->dest_why, sizeof(job->dest_why), why);
	job->dest_refused = true;
	return CURL_SOCKET_BAD;
}

static int job_easy_init(struct fetch *f, struct fetch_job *job)
{
	static const char user_agent[] = "posture/" POSTURE_VERSION;
	CURL *e = curl_easy_init();
	CURLcode rc = CURLE_OK;

	if (e == NULL)
		return -1;
	job->easy = e;
	/* Each setopt can fail only on allocation or an old libcurl; the
	 * first failure is kept. */
#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = curl_easy_setopt(e, opt, val);                                        \
	} while (0)
	SET(CURLOPT_PRIVATE, job);
	SET(CURLOPT_ERRORBUFFER, job->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_HTTPGET, 1L);
	SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	/* An empty proxy overrides https_proxy and friends: assets are
	 * fetched as a receiver fetches them, from this host. */
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_USERAGENT, user_agent);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (f->ca_file != NULL)
		SET(CURLOPT_CAINFO, f->ca_file);
	if (f->connect_to != NULL)
		SET(CURLOPT_CONNECT_TO, f->connect_to);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)job->max_bytes);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, job);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, job);
	SET(CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	SET(CURLOPT_OPENSOCKETDATA, job);
	if (f->cfg.low_speed_bytes > 0 && f->cfg.low_speed_ms > 0) {
		SET(CURLOPT_LOW_SPEED_LIMIT, f->cfg.low_speed_bytes);
		SET(CURLOPT_LOW_SPEED_TIME, (f->cfg.low_speed_ms + 999) / 1000);
	}
	if (f->cfg.resolve != NULL) {
		SET(CURLOPT_RESOLVER_START_FUNCTION, on_resolver_start);
		SET(CURLOPT_RESOLVER_START_DATA, job);
	}
#undef SET
	return rc == CURLE_OK ? 0 : -1;
}

/*
 * Judges this hop's destination (fetch_dest.h) and puts the address of its
 * connect target into job->resolve: the public ones only, unless a
 * connect_to entry chose the host. Returns 0, or -1 with the job failed.
 */
static int hop_resolve(struct fetch *f, struct fetch_job *job)
{
	char entry[FETCH_RESOLVE_ENTRY_MAX], why[FETCH_REASON_MAX];
	char addrs[FETCH_MAX_ADDRS][FETCH_ADDR_MAX], err[FETCH_REASON_MAX];
	const char *to_host = job->dest.host;
	struct curl_slist *l;
	long to_port;
	int n;

	curl_slist_free_all(job->resolve);
	job->resolve = NULL;
	job->guard = false;
	if (fetch_dest_check(f->ct, f->nct, job->host, job->port, f->allow, f->nallow, &job->dest,
	                     why, sizeof(why)) != FETCH_OK) {
		job_fail(job, FETCH_DESTINATION, false, "%s", why);
		return -1;
	}
	to_port = job->dest.port;
	if (f->cfg.resolve == NULL)
		return 0;
	switch (fetch_addr_kind(to_host)) {
	case FETCH_ADDR_IPV6:
		return 0; /* a literal: curl asks no resolver, and the entry
		             syntax has no room for one as a host */
	case FETCH_ADDR_IPV4:
		/* curl calls the resolver-start hook even for literals. */
		memset(addrs, 0, sizeof(addrs));
		str_copy(addrs[0], sizeof(addrs[0]), to_host);
		fetch_resolve_entry(to_host, to_port, addrs, 1, entry, sizeof(entry));
		break;
	default:
		err[0] = '\0';
		memset(addrs, 0, sizeof(addrs));
		n = f->cfg.resolve(f->cfg.resolve_arg, to_host, addrs, FETCH_MAX_ADDRS, err,
		                   sizeof(err));
		if (n < 0) {
			job_fail(job, FETCH_RESOLVE, true, "cannot resolve %s now: %s", to_host,
			         err[0] != '\0' ? err : "temporary failure");
			return -1;
		}
		if (n > 0 && !job->dest.host_chosen) {
			n = fetch_dest_filter(addrs, n, to_host, why, sizeof(why));
			if (n == 0) {
				job_fail(job, FETCH_DESTINATION, false, "%s", why);
				return -1;
			}
		}
		if (fetch_resolve_entry(to_host, to_port, addrs, n, entry, sizeof(entry)) == 0) {
			job_fail(job, FETCH_RESOLVE, false, "%s has no address%s%s", to_host,
			         err[0] != '\0' ? ": " : "", err);
			return -1;
		}
		break;
	}
	l = curl_slist_append(NULL, entry);
	if (l == NULL) {
		job_fail(job, FETCH_ERROR, false, "out of memory");
		return -1;
	}
	job->resolve = l;
	job->guard = true;
	return 0;
}

/*
 * Starts the job's next hop (res.final_url). Returns 0 when it is on the
 * wire, -1 when the job ended (status set).
 */
static int hop_start(struct fetch *f, struct fetch_job *job)
{
	long left = f->cfg.total_timeout_ms - elapsed_ms(&job->start);
	CURLcode rc = CURLE_OK;

	if (left <= 0) {
		job_fail(job, FETCH_TIMEOUT, true, "no time left after %d redirects (%ld ms)",
		         job->res.redirects, f->cfg.total_timeout_ms);
		return -1;
	}
	if (hop_resolve(f, job) != 0)
		return -1;
	job->res.len = 0;
	job->res.http_code = 0;
	job->discarded = 0;
	job->too_large = job->encoded = job->discard_abort = false;
	job->guard_tripped = false;
	job->dest_refused = false;
	job->sockets_opened = 0;
	job->dest_why[0] = '\0';
	job->errbuf[0] = '\0';
	rc = curl_easy_setopt(job->easy, CURLOPT_URL, job->res.final_url);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(job->easy, CURLOPT_RESOLVE, job->resolve);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(job->easy, CURLOPT_TIMEOUT_MS, left);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(job->easy, CURLOPT_CONNECTTIMEOUT_MS,
		                      left < f->cfg.connect_timeout_ms ? left
		                                                       : f->cfg.connect_timeout_ms);
	if (rc != CURLE_OK) {
		job_fail(job, FETCH_ERROR, false, "curl refused an option: %s",
		         curl_easy_strerror(rc));
		return -1;
	}
	if (curl_multi_add_handle(f->multi, job->easy) != CURLM_OK) {
		job_fail(job, FETCH_ERROR, false, "curl refused the transfer");
		return -1;
	}
	job->active = true;
	job->next = f->active;
	f->active = job;
	f->nactive++;
	return 0;
}

/* Starts queued jobs up to max_inflight; those that end at once go to the
 * done list. */
static void start_queued(struct fetch *f)
{
	while (f->queue != NULL && f->nactive < (size_t)f->cfg.max_inflight) {
		struct fetch_job *job = f->queue;
		f->queue = job->next;
		if (f->queue == NULL)
			f->queue_tail = NULL;
		job->next = NULL;
		clock_gettime(CLOCK_MONOTONIC, &job->start);
		if (!job->decided && job->easy == NULL && job_easy_init(f, job) != 0)
			job_fail(job, FETCH_ERROR, false, "cannot set up a transfer");
		if (job->decided || hop_start(f, job) != 0)
			push(&f->done, &f->done_tail, job);
	}
}

static void unlink_active(struct fetch *f, struct fetch_job *job)
{
	for (struct fetch_job **p = &f->active; *p != NULL; p = &(*p)->next) {
		if (*p == job) {
			*p = job->next;
			break;
		}
	}
	curl_multi_remove_handle(f->multi, job->easy);
	job->active = false;
	job->next = NULL;
	f->nactive--;
}

/* After a 3xx: checks the target and starts the next hop. Returns 0 when
 * it is on the wire, -1 when the job ended. */
static int follow(struct fetch *f, struct fetch_job *job)
{
	char *loc = NULL;
	char norm[FETCH_URL_MAX + 1], host[FETCH_HOST_MAX], why[FETCH_REASON_MAX];
	enum fetch_status st;
	long port;

	/* curl resolves a relative Location against the hop's URL. */
	curl_easy_getinfo(job->easy, CURLINFO_REDIRECT_URL, &loc);
	st = fetch_redirect_check(loc, job->res.http_code, job->res.redirects, f->cfg.max_redirects,
	                          norm, sizeof(norm), host, sizeof(host), &port, why, sizeof(why));
	if (st == FETCH_OK && !curl_agrees(norm, host, port)) {
		st = FETCH_BAD_URL;
		snprintf(why, sizeof(why),
		         "redirect target: libcurl reads its host or port differently");
	}
	if (st != FETCH_OK) {
		job_fail(job, st, false, "%s", why);
		return -1;
	}
	job->res.redirects++;
	str_copy(job->res.final_url, sizeof(job->res.final_url), norm);
	str_copy(job->host, sizeof(job->host), host);
	job->port = port;
	return hop_start(f, job);
}

static void copy_content_type(struct fetch_job *job)
{
	char *ct = NULL;
	size_t i = 0;
	curl_easy_getinfo(job->easy, CURLINFO_CONTENT_TYPE, &ct);
	if (ct != NULL) {
		for (; ct[i] != '\0' && i + 1 < sizeof(job->res.content_type); i++) {
			unsigned char c = (unsigned char)ct[i];
			if (c >= 0x20 && c < 0x7f)
				job->res.content_type[i] = ct[i];
			else
				job->res.content_type[i] = '?';
		}
	}
	job->res.content_type[i] = '\0';
}

static void fail_curl(struct fetch_job *job, CURLcode cc)
{
	const char *detail = job->errbuf[0] != '\0' ? job->errbuf : curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		if (job->guard_tripped)
			job_fail(job, FETCH_RESOLVE, false,
			         "curl was about to resolve a name posture's resolver was not "
			         "asked about");
		else
			job_fail(job, FETCH_RESOLVE, false, "cannot resolve (%s)", detail);
		break;
	case CURLE_COULDNT_CONNECT:
		/* Every address refused by the policy: nothing was connected,
		 * and the reason is the policy's, whatever listens there. */
		if (job->dest_refused && job->sockets_opened == 0)
			job_fail(job, FETCH_DESTINATION, false, "%s", job->dest_why);
		else
			job_fail(job, FETCH_CONNECT, true, "cannot connect (%s)", detail);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		job_fail(job, FETCH_TIMEOUT, true, "timed out (%s)", detail);
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_USE_SSL_FAILED:
		job_fail(job, FETCH_TLS, false, "TLS failed (%s)", detail);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		job_fail(job, FETCH_NOT_HTTPS, false, "%s", detail);
		break;
	case CURLE_URL_MALFORMAT:
		job_fail(job, FETCH_BAD_URL, false, "%s", detail);
		break;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		job_fail(job, FETCH_ERROR, true, "transfer broken (%s)", detail);
		break;
	default:
		job_fail(job, FETCH_ERROR, false, "%s", detail);
		break;
	}
}

/* A hop ended with cc. Returns 0 when the job goes on (a redirect is on
 * the wire), -1 when it ended. */
static int hop_finish(struct fetch *f, struct fetch_job *job, CURLcode cc)
{
	long code = 0;

	curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &code);
	job->res.http_code = code;
	copy_content_type(job);
	curl_slist_free_all(job->resolve);
	job->resolve = NULL;
	curl_easy_setopt(job->easy, CURLOPT_RESOLVE, NULL);

	if (job->too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		job_fail(job, FETCH_TOO_LARGE, false, "body over %zu bytes", job->max_bytes);
		return -1;
	}
	if (job->encoded && code == 200) {
		job_fail(job, FETCH_ENCODED, false,
		         "compressed or encoded body (Content-Encoding or Transfer-Encoding "
		         "other than identity)");
		return -1;
	}
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && job->discard_abort)) {
		if (cc == CURLE_WRITE_ERROR)
			job_fail(job, FETCH_ERROR, false, "out of memory for the body");
		else
			fail_curl(job, cc);
		return -1;
	}
	if (fetch_is_redirect(code))
		return follow(f, job);
	if (code != 200) {
		job_fail(job, FETCH_HTTP_STATUS, code >= 500 || code == 429, "HTTP status %ld",
		         code);
		return -1;
	}
	if (job->res.body == NULL) {
		/* An empty 200: still a body the callee can read. */
		job->res.body = calloc(1, 1);
		if (job->res.body == NULL) {
			job_fail(job, FETCH_ERROR, false, "out of memory");
			return -1;
		}
	}
	job->res.status = FETCH_OK;
	job->res.reason[0] = '\0';
	job->decided = true;
	return -1;
}

/* Moves every transfer curl reports done to a redirect or the done list. */
static void collect(struct fetch *f)
{
	CURLMsg *msg;
	int left;
	for (;;) {
		struct fetch_job *job = NULL;
		msg = curl_multi_info_read(f->multi, &left);
		if (msg == NULL)
			break;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&job);
		if (job == NULL)
			continue;
		CURLcode cc = msg->data.result;
		/* msg is invalid once the handle is removed. */
		unlink_active(f, job);
		if (hop_finish(f, job, cc) != 0)
			push(&f->done, &f->done_tail, job);
	}
}

/* Calls done for every ended job. Returns 0 or the callback's value. */
static int deliver(struct fetch *f, fetch_done_fn done, void *arg)
{
	while (f->done != NULL) {
		struct fetch_job *job = f->done;
		int rc;
		f->done = job->next;
		if (f->done == NULL)
			f->done_tail = NULL;
		job->next = NULL;
		rc = done(arg, &job->res);
		job_free(job);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int fetch_run(struct fetch *f, fetch_done_fn done, void *arg)
{
	int rc = 0;

	if (f == NULL || done == NULL || f->running)
		return -1;
	f->running = true;
	for (;;) {
		int running = 0;
		CURLMcode mc;

		start_queued(f);
		rc = deliver(f, done, arg);
		if (rc != 0)
			break;
		if (f->nactive == 0) {
			if (f->queue == NULL)
				break;
			continue;
		}
		mc = curl_multi_perform(f->multi, &running);
		if (mc != CURLM_OK) {
			rc = -1;
			break;
		}
		collect(f);
		if (f->done != NULL)
			continue; /* deliver, and refill the free slots, first */
		mc = curl_multi_poll(f->multi, NULL, 0, FETCH_POLL_MS, NULL);
		if (mc != CURLM_OK) {
			rc = -1;
			break;
		}
	}
	if (rc != 0)
		drop_all(f);
	f->running = false;
	return rc;
}
