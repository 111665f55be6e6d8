/*
 * dns.c — the DNS adapter: stub queries, outcome classification,
 * retries, TCP after truncation, CNAME following, the answer cache.
 *
 * Flow of one query: dns_query_start normalises the name and either finds
 * the answer in the run's cache (delivered on the next run_once) or puts
 * the query on the wire, or in a wait queue when max_inflight are out.
 * The transports are posture's own: UDP over long-lived sockets
 * (dns_udp.c; getdns 1.6 made and closed a socket per query, which was
 * most of a scan's time) and TCP, after a truncated answer, over a
 * connection per query (dns_tcp.c; on getdns's shared connection one
 * query's closed connection failed its neighbours). Either way the reply
 * reaches classify() as a message with the id its query went with:
 * dns_wire_match decides whether it is the answer at all, and
 * dns_wire_read turns it into an outcome or decides to ask again (TC=1, a
 * CNAME chain the server did not finish); timeouts, failed connections
 * and TCP replies that are not the answer are retried here, on one retry
 * budget per question. Finished
 * queries go to a done list and their callbacks run from
 * dns_worker_run_once, never from a transport's own stack, so a callback
 * may start new queries freely.
 *
 * getdns is left one job: with no --resolver, reading the upstreams from
 * /etc/resolv.conf as it always did.
 */
#include "dns.h"

#include <getdns/getdns.h>
#include <getdns/getdns_extra.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_loop.h"
#include "dns_tcp.h"
#include "dns_udp.h"
#include "dns_wire.h"
#include "strutil.h"

struct dns_query {
	struct dns_udp_req req; /* while on the wire over UDP */
	struct dns_worker *w;
	struct dns_query *next; /* wait queue or done list */
	dns_cb cb;
	void *arg;
	char cur[DNS_NAME_BUF]; /* name on the wire now (CNAME target),
	                           canonical (dnsutil.h, "Names") */
	uint16_t type;
	/* Attempts of this question that got no answer (timed out, failed,
	 * or brought a reply that was not the answer), over every hop of
	 * its CNAME chain and both transports: at cfg.retries, the next one
	 * ends it. Also picks the upstream of the next attempt. */
	unsigned timeouts;
	bool tcp;
	uint64_t start_ms;
	const struct dns_answer *cached;
	struct dns_answer ans;
};

struct dns_worker {
	struct dns_config cfg;
	struct dns_cache *cache;
	struct dns_loop *loop;
	struct dns_udp *udp;
	struct udp_watch {
		struct dns_worker *w;
		size_t i;
		struct dns_loop_event ev;
	} * watch; /* one per UDP socket, for the loop */
	struct dns_tcp *tcp;
	size_t inflight; /* on the wire */
	size_t pending;  /* started, callback not yet run */
	struct dns_query *wait_head, *wait_tail;
	struct dns_query *done_head, *done_tail;
	/* Finished queries kept for reuse: at about 4 KiB each, malloc's
	 * large-chunk path was a tenth of a scan's time. */
	struct dns_query *spare;
	struct dns_query *retry_head, *retry_tail;
	struct dns_worker_stats stats;
};

void dns_config_init(struct dns_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = DNS_TIMEOUT_MS_DEFAULT;
	cfg->retries = DNS_RETRIES_DEFAULT;
	cfg->max_inflight = DNS_INFLIGHT_DEFAULT;
}

static void queue_push(struct dns_query **head, struct dns_query **tail, struct dns_query *q)
{
	q->next = NULL;
	if (*tail != NULL)
		(*tail)->next = q;
	else
		*head = q;
	*tail = q;
}

static struct dns_query *queue_pop(struct dns_query **head, struct dns_query **tail)
{
	struct dns_query *q = *head;
	if (q != NULL) {
		*head = q->next;
		if (*head == NULL)
			*tail = NULL;
	}
	return q;
}

static void finish(struct dns_query *q, enum dns_outcome outcome, const char *detail)
{
	struct dns_worker *w = q->w;

	q->ans.outcome = outcome;
	str_copy(q->ans.detail, sizeof(q->ans.detail), detail ? detail : "");
	q->ans.ms = (unsigned)(dns_loop_now_ms() - q->start_ms);
	if (outcome != DNS_OUTCOME_DATA)
		dns_answer_cleanup(&q->ans);
	/* Only conclusive answers are shared: a timeout or SERVFAIL now
	 * may be an answer for the next domain that asks. */
	if (w->cache != NULL && (outcome == DNS_OUTCOME_DATA || outcome == DNS_OUTCOME_NODATA ||
	                         outcome == DNS_OUTCOME_NXDOMAIN)) {
		/* The cache takes the records rather than a copy (or has the
		 * answer another worker brought first); either way the caller
		 * sees the cache's entry (deliver), as for a cache hit. */
		q->cached = dns_cache_take(w->cache, &q->ans);
	}
	queue_push(&w->done_head, &w->done_tail, q);
}

/* Puts q on the wire; on failure q is finished as malformed. */
static void send_query(struct dns_query *q)
{
	struct dns_worker *w = q->w;

	if (!q->tcp) {
		/* A retry after a timeout goes to the next upstream. */
		if (dns_udp_send(w->udp, &q->req, q->timeouts, q->cur, q->type) != 0) {
			finish(q, DNS_OUTCOME_TIMEOUT, "query not sent: no free query id");
			return;
		}
		q->ans.attempts++;
		q->ans.tcp = false;
		w->inflight++;
		w->stats.sent_udp++;
		return;
	}
	if (dns_tcp_send(w->tcp, q->timeouts, q->cur, q->type, q) == NULL) {
		/* Local and temporary (no socket right now): no answer was
		 * had, which is what a timeout means to a check. */
		finish(q, DNS_OUTCOME_TIMEOUT, "query not sent: no TCP socket");
		return;
	}
	q->ans.attempts++;
	q->ans.tcp = true;
	w->inflight++;
	w->stats.sent_tcp++;
}

static void pump(struct dns_worker *w)
{
	while (w->retry_head != NULL)
		send_query(queue_pop(&w->retry_head, &w->retry_tail));
	while (w->inflight < w->cfg.max_inflight && w->wait_head != NULL) {
		struct dns_query *q = queue_pop(&w->wait_head, &w->wait_tail);
		/* The cache is asked only now, when the query would go on the
		 * wire: in a burst of the same question, the ones that waited
		 * find the answer the first one brought. */
		if (w->cache != NULL) {
			q->cached = dns_cache_get(w->cache, q->ans.name, q->type);
			if (q->cached != NULL) {
				queue_push(&w->done_head, &w->done_tail, q);
				continue;
			}
		}
		send_query(q);
	}
}

/*
 * A timeout, a transport failure (TCP closed) or a TCP reply that was not
 * the answer: try again while the question's retry budget lasts. The
 * budget is the question's, not a hop's (issue 19: with a fresh budget
 * per hop, a server dropping two attempts of every hop made one question
 * take 27 attempts): cfg.retries retries in all, whatever CNAME hops and
 * TCP fallback it takes, so at most retries + 1 of its attempts go
 * unanswered. A new hop, or TCP after TC=1, follows an answer and is
 * sent whatever is left; if it goes unanswered with nothing left, it
 * was the (retries + 1)th.
 */
static void retry_or_fail(struct dns_query *q, const char *what)
{
	char why[DNS_DETAIL_MAX];

	q->w->stats.timeouts++;
	if (q->timeouts < q->w->cfg.retries) {
		q->timeouts++;
		/* Sent from run_once, not from inside a transport's
		 * callback, like every new query. */
		queue_push(&q->w->retry_head, &q->w->retry_tail, q);
		return;
	}
	snprintf(why, sizeof(why), "%s after %u attempt%s of %u ms%s", what, q->timeouts + 1,
	         q->timeouts ? "s" : "", q->w->cfg.timeout_ms, q->tcp ? " over TCP" : "");
	finish(q, DNS_OUTCOME_TIMEOUT, why);
}

/*
 * Reads one reply to the query sent with id, from either transport, and
 * decides: an outcome, TCP after TC=1, or the next hop of a CNAME chain
 * the server did not finish. The reply is first matched to the query
 * (dns_wire_match, the same for UDP and TCP): one that is not a reply to
 * it (QR=0, another id) is no answer, as a timeout is; over UDP the
 * transport has dropped those already, over TCP the connection's one
 * reply is discarded here. One with this id but another question or
 * opcode is malformed.
 */
static void classify(struct dns_query *q, const uint8_t *msg, size_t len, uint16_t id)
{
	enum dns_outcome outcome = DNS_OUTCOME_MALFORMED;
	char why[DNS_DETAIL_MAX], next[DNS_NAME_BUF], what[DNS_DETAIL_MAX];

	switch (dns_wire_match(msg, len, id, q->cur, q->type, q->tcp, why, sizeof(why))) {
	case DNS_WIRE_NOT_REPLY:
		snprintf(what, sizeof(what), "no answer: %s", why);
		retry_or_fail(q, what);
		return;
	case DNS_WIRE_MISMATCH:
		finish(q, DNS_OUTCOME_MALFORMED, why);
		return;
	case DNS_WIRE_MATCH:
		break;
	}
	switch (dns_wire_read(msg, len, q->cur, q->type, q->tcp, &q->ans, &outcome, why,
	                      sizeof(why), next, sizeof(next))) {
	case DNS_WIRE_TCP:
		q->tcp = true;
		send_query(q);
		return;
	case DNS_WIRE_FOLLOW:
		snprintf(q->cur, sizeof(q->cur), "%s", next);
		q->tcp = false;
		send_query(q);
		return;
	case DNS_WIRE_DONE:
		break;
	}
	finish(q, outcome, why[0] ? why : NULL);
}

static struct dns_query *query_of(struct dns_udp_req *req)
{
	return (struct dns_query *)(void *)((char *)req - offsetof(struct dns_query, req));
}

static void on_udp_reply(struct dns_udp_req *req, const uint8_t *msg, size_t len, void *ctx)
{
	struct dns_query *q = query_of(req);

	(void)ctx;
	q->w->inflight--;
	/* The key's low half is the id the query went with. */
	classify(q, msg, len, (uint16_t)(req->key & 0xFFFF));
}

static void on_udp_timeout(struct dns_udp_req *req, void *ctx)
{
	struct dns_query *q = query_of(req);

	(void)ctx;
	q->w->inflight--;
	retry_or_fail(q, "no answer");
}

static void on_tcp_reply(void *user, const uint8_t *msg, size_t len, uint16_t id, void *ctx)
{
	struct dns_query *q = user;

	(void)ctx;
	q->w->inflight--;
	classify(q, msg, len, id);
}

static void on_tcp_fail(void *user, const char *what, void *ctx)
{
	struct dns_query *q = user;

	(void)ctx;
	q->w->inflight--;
	retry_or_fail(q, what);
}

static void drop_query(void *user)
{
	struct dns_query *q = user;

	dns_answer_cleanup(&q->ans);
	free(q);
}

static void on_udp_readable(void *arg)
{
	struct udp_watch *uw = arg;
	dns_udp_read(uw->w->udp, uw->i);
}

/* One upstream from the numbers, as getdns's upstream dicts hold them. */
static int udp_server(struct dns_udp_server *out, bool v6, const void *raw, uint16_t port)
{
	memset(out, 0, sizeof(*out));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->addr;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		memcpy(&a->sin6_addr, raw, 16);
		out->addrlen = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&out->addr;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		memcpy(&a->sin_addr, raw, 4);
		out->addrlen = sizeof(*a);
	}
	return 0;
}

/* The upstreams: --resolver's, or those getdns read from resolv.conf. */
static size_t udp_servers(const struct dns_worker *w, struct dns_udp_server *out)
{
	size_t n = 0, len = 0;
	getdns_context *ctx = NULL;
	getdns_list *ups = NULL;

	if (w->cfg.nservers > 0) {
		for (size_t i = 0; i < w->cfg.nservers; i++) {
			const struct dns_server *s = &w->cfg.servers[i];
			uint8_t raw[16];
			if (inet_pton(s->v6 ? AF_INET6 : AF_INET, s->addr, raw) == 1)
				udp_server(&out[n++], s->v6, raw, s->port);
		}
		return n;
	}
	/* Created only to read /etc/resolv.conf, as getdns always did. */
	if (getdns_context_create(&ctx, 1) != GETDNS_RETURN_GOOD)
		return 0;
	if (getdns_context_get_upstream_recursive_servers(ctx, &ups) != GETDNS_RETURN_GOOD) {
		getdns_context_destroy(ctx);
		return 0;
	}
	(void)getdns_list_get_length(ups, &len);
	for (size_t i = 0; i < len && n < DNS_MAX_SERVERS; i++) {
		getdns_dict *d = NULL;
		getdns_bindata *addr = NULL;
		uint32_t port = 53;
		if (getdns_list_get_dict(ups, i, &d) != GETDNS_RETURN_GOOD ||
		    getdns_dict_get_bindata(d, "address_data", &addr) != GETDNS_RETURN_GOOD ||
		    (addr->size != 4 && addr->size != 16))
			continue;
		(void)getdns_dict_get_int(d, "port", &port);
		udp_server(&out[n++], addr->size == 16, addr->data, (uint16_t)port);
	}
	getdns_list_destroy(ups);
	getdns_context_destroy(ctx);
	return n;
}

static int make_transports(struct dns_worker *w, char *err, size_t errlen)
{
	struct dns_udp_server servers[DNS_MAX_SERVERS];
	size_t n = udp_servers(w, servers);

	if (n == 0) {
		snprintf(err, errlen, "no usable DNS server");
		return -1;
	}
	/* Twice the cap: a query being retried keeps its old id until the
	 * new one is sent. */
	w->udp = dns_udp_new(servers, n, w->cfg.timeout_ms, 2 * (size_t)w->cfg.max_inflight,
	                     on_udp_reply, on_udp_timeout, w, err, errlen);
	if (w->udp == NULL)
		return -1;
	w->tcp = dns_tcp_new(w->loop, servers, n, w->cfg.timeout_ms, on_tcp_reply, on_tcp_fail, w);
	if (w->tcp == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->watch = calloc(dns_udp_nfds(w->udp), sizeof(*w->watch));
	if (w->watch == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < dns_udp_nfds(w->udp); i++) {
		struct udp_watch *uw = &w->watch[i];
		uw->w = w;
		uw->i = i;
		uw->ev.read_cb = on_udp_readable;
		uw->ev.arg = uw;
		uw->ev.fd = -1;
		if (dns_udp_fd(w->udp, i) >= 0 &&
		    dns_loop_add(w->loop, dns_udp_fd(w->udp, i), &uw->ev) != 0) {
			snprintf(err, errlen, "event loop: out of resources");
			return -1;
		}
	}
	return 0;
}

struct dns_worker *dns_worker_new(const struct dns_config *cfg, struct dns_cache *cache, char *err,
                                  size_t errlen)
{
	struct dns_worker *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->cfg = *cfg;
	if (w->cfg.max_inflight == 0)
		w->cfg.max_inflight = DNS_INFLIGHT_DEFAULT;
	if (w->cfg.timeout_ms == 0)
		w->cfg.timeout_ms = DNS_TIMEOUT_MS_DEFAULT;
	w->cache = cache;
	w->loop = dns_loop_new();
	if (w->loop == NULL) {
		snprintf(err, errlen, "event loop: out of resources");
		goto fail;
	}
	if (make_transports(w, err, errlen) != 0)
		goto fail;
	return w;
fail:
	dns_worker_free(w);
	return NULL;
}

void dns_worker_free(struct dns_worker *w)
{
	struct dns_query *q;

	if (w == NULL)
		return;
	dns_tcp_free(w->tcp, drop_query);
	while (w->udp != NULL && (q = (struct dns_query *)(void *)dns_udp_first(w->udp)) != NULL) {
		dns_udp_cancel(w->udp, &q->req); /* req is q's first member */
		drop_query(q);
	}
	dns_udp_free(w->udp);
	free(w->watch);
	dns_loop_free(w->loop);
	while ((q = queue_pop(&w->wait_head, &w->wait_tail)) != NULL) {
		dns_answer_cleanup(&q->ans);
		free(q);
	}
	while ((q = queue_pop(&w->done_head, &w->done_tail)) != NULL) {
		dns_answer_cleanup(&q->ans);
		free(q);
	}
	while ((q = queue_pop(&w->retry_head, &w->retry_tail)) != NULL) {
		dns_answer_cleanup(&q->ans);
		free(q);
	}
	while (w->spare != NULL) {
		q = w->spare;
		w->spare = q->next;
		free(q);
	}
	free(w);
}

int dns_query_start(struct dns_worker *w, const char *name, uint16_t type, dns_cb cb, void *arg)
{
	struct dns_query *q;

	q = w->spare;
	if (q != NULL)
		w->spare = q->next;
	else
		q = malloc(sizeof(*q));
	if (q == NULL)
		return -1;
	memset(q, 0, sizeof(*q));
	if (dns_name_normalize(name, q->ans.name, sizeof(q->ans.name)) != 0) {
		free(q);
		return -1;
	}
	q->w = w;
	q->cb = cb;
	q->arg = arg;
	q->type = type;
	q->start_ms = dns_loop_now_ms();
	q->ans.type = type;
	q->ans.rcode = -1;
	/* The name asked and the names of replies are in one form, the
	 * canonical one (dnsutil.h, "Names"): a name read from an answer is
	 * asked again as it came, and unescaped only when the query is
	 * written (dns_wire_query). */
	memcpy(q->cur, q->ans.name, sizeof(q->cur));
	w->pending++;
	queue_push(&w->wait_head, &w->wait_tail, q);
	pump(w);
	return 0;
}

/* Runs the callbacks of finished queries; returns how many ran. */
static size_t deliver(struct dns_worker *w)
{
	size_t n = 0;
	struct dns_query *q;

	while ((q = queue_pop(&w->done_head, &w->done_tail)) != NULL) {
		if (q->cached != NULL) {
			/* A shallow copy so the caller sees this query's
			 * timing and transport (none for a cache hit: no
			 * attempt); the records stay the cache's. */
			struct dns_answer view = *q->cached;
			view.ms = (unsigned)(dns_loop_now_ms() - q->start_ms);
			view.attempts = q->ans.attempts;
			view.tcp = q->ans.tcp;
			view.from_cache = q->ans.attempts == 0;
			q->cb(&view, q->arg);
		} else {
			q->cb(&q->ans, q->arg);
		}
		w->pending--;
		w->stats.completed++;
		dns_answer_cleanup(&q->ans);
		q->next = w->spare;
		w->spare = q;
		n++;
	}
	return n;
}

size_t dns_worker_run_once(struct dns_worker *w, bool block)
{
	size_t ran = deliver(w);

	pump(w);
	dns_udp_flush(w->udp);
	if (w->inflight > 0) {
		uint64_t udp = dns_udp_next_deadline(w->udp), tcp = dns_tcp_next_deadline(w->tcp);
		dns_loop_run_once(w->loop, block && ran == 0 && w->done_head == NULL,
		                  udp < tcp ? udp : tcp);
		uint64_t now = dns_loop_now_ms();
		dns_udp_expire(w->udp, now);
		dns_tcp_expire(w->tcp, now);
	}
	pump(w);
	deliver(w);
	/* What the callbacks asked goes out now, not at the next call. */
	pump(w);
	dns_udp_flush(w->udp);
	return w->pending;
}

void dns_worker_run(struct dns_worker *w)
{
	while (dns_worker_run_once(w, true) > 0)
		;
}

size_t dns_worker_pending(const struct dns_worker *w)
{
	return w->pending;
}

void dns_worker_stats(const struct dns_worker *w, struct dns_worker_stats *out)
{
	*out = w->stats;
}
