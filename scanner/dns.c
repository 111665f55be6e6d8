/*
 * dns.c — the getdns adapter: stub queries, outcome classification,
 * retries, TCP after truncation, CNAME following, the answer cache.
 *
 * Flow of one query: dns_query_start normalises the name and either finds
 * the answer in the run's cache (delivered on the next run_once) or puts
 * the query on the wire, or in a wait queue when max_inflight are out.
 * getdns calls on_reply; classify() turns the reply into an outcome or
 * decides to ask again (timeout with retries left, TC=1, a CNAME chain the
 * server did not finish). Finished queries go to a done list and their
 * callbacks run from dns_worker_run_once, never from getdns's own stack,
 * so a callback may start new queries freely.
 *
 * getdns facts this relies on (Debian 12, getdns 1.6.0): NXDOMAIN,
 * NODATA, SERVFAIL and REFUSED all come back as status 901, so the rcode
 * is read from /replies_tree/0/header/rcode; a truncated UDP reply is 901
 * with tc=1 and no records; getdns does not retransmit UDP and does not
 * check the question name of a reply.
 */
#include "dns.h"

#include <getdns/getdns.h>
#include <getdns/getdns_extra.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "dns_loop.h"

/* EDNS buffer size of DNS Flag Day 2020: no IP fragmentation. */
#define DNS_EDNS_UDP_SIZE 1232

struct dns_query {
	struct dns_worker *w;
	struct dns_query *next; /* wait queue or done list */
	dns_cb cb;
	void *arg;
	char cur[DNS_NAME_BUF]; /* name on the wire now (CNAME target),
	                           escaped as dns_name_escape writes it */
	uint16_t type;
	unsigned timeouts_this_hop;
	bool tcp;
	uint64_t start_ms;
	const struct dns_answer *cached;
	struct dns_answer ans;
};

struct dns_worker {
	struct dns_config cfg;
	struct dns_cache *cache;
	struct dns_loop *loop;
	getdns_context *udp, *tcp;
	size_t inflight; /* on the wire */
	size_t pending;  /* started, callback not yet run */
	struct dns_query *wait_head, *wait_tail;
	struct dns_query *done_head, *done_tail;
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

unsigned long dns_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max;
		/* Some systems report an unlimited hard limit that
		 * setrlimit refuses; 1 << 20 is the Linux default cap. */
		if (want == RLIM_INFINITY || want > (1 << 20))
			want = 1 << 20;
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return (unsigned long)rl.rlim_cur;
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
	snprintf(q->ans.detail, sizeof(q->ans.detail), "%s", detail ? detail : "");
	q->ans.ms = (unsigned)(dns_loop_now_ms() - q->start_ms);
	if (outcome != DNS_OUTCOME_DATA)
		dns_answer_cleanup(&q->ans);
	/* Only conclusive answers are shared: a timeout or SERVFAIL now
	 * may be an answer for the next domain that asks. */
	if (w->cache != NULL && (outcome == DNS_OUTCOME_DATA || outcome == DNS_OUTCOME_NODATA ||
	                         outcome == DNS_OUTCOME_NXDOMAIN))
		(void)dns_cache_put(w->cache, &q->ans);
	queue_push(&w->done_head, &w->done_tail, q);
}

static void on_reply(getdns_context *ctx, getdns_callback_type_t cbtype, getdns_dict *resp,
                     void *userarg, getdns_transaction_t tid);

/* Puts q on the wire; on failure q is finished as malformed. */
static void send_query(struct dns_query *q)
{
	struct dns_worker *w = q->w;
	getdns_transaction_t tid;
	char fqdn[DNS_NAME_BUF + 2];

	snprintf(fqdn, sizeof(fqdn), "%s.", q->cur);
	getdns_return_t r =
	        getdns_general(q->tcp ? w->tcp : w->udp, fqdn, q->type, NULL, q, &tid, on_reply);
	if (r != GETDNS_RETURN_GOOD) {
		char why[DNS_DETAIL_MAX];
		/* Local and temporary (no usable upstream right now): no
		 * answer was had, which is what a timeout means to a check. */
		snprintf(why, sizeof(why), "query not sent: %s", getdns_get_errorstr_by_id(r));
		finish(q, DNS_OUTCOME_TIMEOUT, why);
		return;
	}
	q->ans.attempts++;
	q->ans.tcp = q->tcp;
	w->inflight++;
	if (q->tcp)
		w->stats.sent_tcp++;
	else
		w->stats.sent_udp++;
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

/* A timeout, or a transport failure (TCP closed): try again while the
 * retry budget of this hop lasts. */
static void retry_or_fail(struct dns_query *q, const char *what)
{
	char why[DNS_DETAIL_MAX];

	q->w->stats.timeouts++;
	if (q->timeouts_this_hop < q->w->cfg.retries) {
		q->timeouts_this_hop++;
		/* Sent from run_once, not from inside getdns's callback: while
		 * getdns tears down a failed TCP connection it refuses new
		 * queries to that upstream. */
		queue_push(&q->w->retry_head, &q->w->retry_tail, q);
		return;
	}
	snprintf(why, sizeof(why), "%s after %u attempt%s of %u ms%s", what,
	         q->timeouts_this_hop + 1, q->timeouts_this_hop ? "s" : "", q->w->cfg.timeout_ms,
	         q->tcp ? " over TCP" : "");
	finish(q, DNS_OUTCOME_TIMEOUT, why);
}

static int wire_name(const getdns_dict *d, const char *key, char *out, size_t outlen)
{
	getdns_bindata *b = NULL;
	if (getdns_dict_get_bindata(d, key, &b) != GETDNS_RETURN_GOOD || b == NULL)
		return -1;
	return dns_name_from_wire(b->data, b->size, out, outlen) < 0 ? -1 : 0;
}

/* Joins the character-strings of one TXT record (RFC 7208 3.3). */
static int add_txt(struct dns_query *q, const getdns_dict *rdata, char *why, size_t whylen)
{
	getdns_list *strs = NULL;
	size_t n = 0, total = 0;
	char *buf;
	int rc = -1;

	if (getdns_dict_get_list(rdata, "txt_strings", &strs) != GETDNS_RETURN_GOOD ||
	    getdns_list_get_length(strs, &n) != GETDNS_RETURN_GOOD) {
		snprintf(why, whylen, "TXT record without strings");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		getdns_bindata *b = NULL;
		if (getdns_list_get_bindata(strs, i, &b) != GETDNS_RETURN_GOOD)
			return -1;
		total += b->size;
	}
	if (total > DNS_TXT_MAX_BYTES) {
		snprintf(why, whylen,
		         "TXT record of %zu bytes exceeds posture's limit of %d "
		         "(DNS_TXT_MAX_BYTES)",
		         total, DNS_TXT_MAX_BYTES);
		return -1;
	}
	buf = malloc(total + 1);
	if (buf == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	total = 0;
	for (size_t i = 0; i < n; i++) {
		getdns_bindata *b = NULL;
		getdns_list_get_bindata(strs, i, &b);
		memcpy(buf + total, b->data, b->size);
		total += b->size;
	}
	if (dns_answer_add(&q->ans, DNS_TYPE_TXT, 0, buf, total, NULL) != 0)
		snprintf(why, whylen, "more than %d records (DNS_ANSWER_MAX_RRS)",
		         DNS_ANSWER_MAX_RRS);
	else
		rc = 0;
	free(buf);
	return rc;
}

static int add_record(struct dns_query *q, const getdns_dict *rr, char *why, size_t whylen)
{
	getdns_dict *rdata = NULL;
	getdns_bindata *b = NULL;
	char text[DNS_NAME_BUF];
	uint32_t pref = 0;

	if (getdns_dict_get_dict(rr, "rdata", &rdata) != GETDNS_RETURN_GOOD) {
		snprintf(why, whylen, "record without rdata");
		return -1;
	}
	switch (q->type) {
	case DNS_TYPE_TXT:
		return add_txt(q, rdata, why, whylen);
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA: {
		bool v6 = q->type == DNS_TYPE_AAAA;
		if (getdns_dict_get_bindata(rdata, v6 ? "ipv6_address" : "ipv4_address", &b) !=
		            GETDNS_RETURN_GOOD ||
		    b->size != (v6 ? 16u : 4u) ||
		    inet_ntop(v6 ? AF_INET6 : AF_INET, b->data, text, sizeof(text)) == NULL) {
			snprintf(why, whylen, "bad address record");
			return -1;
		}
		break;
	}
	case DNS_TYPE_MX:
		if (getdns_dict_get_int(rdata, "preference", &pref) != GETDNS_RETURN_GOOD ||
		    wire_name(rdata, "exchange", text, sizeof(text)) != 0) {
			snprintf(why, whylen, "bad MX record");
			return -1;
		}
		break;
	default:
		/* CNAME, NS, PTR: one domain name; other types keep no data. */
		if (wire_name(rdata, "cname", text, sizeof(text)) != 0 &&
		    wire_name(rdata, "nsdname", text, sizeof(text)) != 0 &&
		    wire_name(rdata, "ptrdname", text, sizeof(text)) != 0)
			text[0] = '\0';
		break;
	}
	if (dns_answer_add(&q->ans, q->type, (uint16_t)pref, text, strlen(text),
	                   b ? b->data : NULL) != 0) {
		snprintf(why, whylen, "more than %d records (DNS_ANSWER_MAX_RRS)",
		         DNS_ANSWER_MAX_RRS);
		return -1;
	}
	return 0;
}

/*
 * Reads the answer section of a NOERROR reply: follows the CNAME chain
 * from q->cur and keeps the records of the asked type owned by the end of
 * the chain. A record of the asked type owned by any other name makes the
 * reply malformed (it answers a question we did not ask).
 * Returns 0 and the chain's end in owner, or -1 with a reason.
 */
static int read_answer(struct dns_query *q, const getdns_list *answer, char *owner, size_t ownerlen,
                       char *why, size_t whylen)
{
	size_t n = 0;
	char chain[DNS_CNAME_MAX_HOPS + 1][DNS_NAME_BUF];
	int nchain = 1;

	snprintf(owner, ownerlen, "%s", q->cur);
	snprintf(chain[0], sizeof(chain[0]), "%s", q->cur);
	if (answer == NULL || getdns_list_get_length(answer, &n) != GETDNS_RETURN_GOOD)
		n = 0;
	/* Chains may come in any order: walk until no CNAME extends it. */
	for (bool grew = q->type != DNS_TYPE_CNAME; grew;) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			getdns_dict *rr = NULL;
			uint32_t type = 0;
			char name[DNS_NAME_BUF], target[DNS_NAME_BUF];
			getdns_dict *rdata = NULL;
			if (getdns_list_get_dict(answer, i, &rr) != GETDNS_RETURN_GOOD ||
			    getdns_dict_get_int(rr, "type", &type) != GETDNS_RETURN_GOOD ||
			    type != DNS_TYPE_CNAME ||
			    wire_name(rr, "name", name, sizeof(name)) != 0 ||
			    strcmp(name, owner) != 0)
				continue;
			if (getdns_dict_get_dict(rr, "rdata", &rdata) != GETDNS_RETURN_GOOD ||
			    wire_name(rdata, "cname", target, sizeof(target)) != 0) {
				snprintf(why, whylen, "unreadable CNAME at %s", name);
				return -1;
			}
			for (int k = 0; k < nchain; k++)
				if (strcmp(chain[k], target) == 0) {
					snprintf(why, whylen, "CNAME loop at %s", target);
					return -1;
				}
			if (nchain > DNS_CNAME_MAX_HOPS) {
				snprintf(why, whylen, "more than %d CNAME hops",
				         DNS_CNAME_MAX_HOPS);
				return -1;
			}
			snprintf(chain[nchain++], sizeof(chain[0]), "%s", target);
			snprintf(owner, ownerlen, "%s", target);
			grew = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		getdns_dict *rr = NULL;
		uint32_t type = 0;
		char name[DNS_NAME_BUF];
		if (getdns_list_get_dict(answer, i, &rr) != GETDNS_RETURN_GOOD ||
		    getdns_dict_get_int(rr, "type", &type) != GETDNS_RETURN_GOOD || type != q->type)
			continue;
		if (wire_name(rr, "name", name, sizeof(name)) != 0) {
			snprintf(why, whylen, "unreadable owner name");
			return -1;
		}
		if (strcmp(name, owner) != 0) {
			snprintf(why, whylen, "answer owned by %s, not by %s", name, owner);
			return -1;
		}
		if (add_record(q, rr, why, whylen) != 0)
			return -1;
	}
	q->ans.cname_hops += nchain - 1;
	return 0;
}

static void classify(struct dns_query *q, const getdns_dict *resp)
{
	uint32_t status = 0, rcode = 0, tc = 0, qtype = 0;
	getdns_dict *reply = NULL;
	getdns_list *answer = NULL;
	char qname[DNS_NAME_BUF], owner[DNS_NAME_BUF], why[DNS_DETAIL_MAX];

	getdns_dict_get_int(resp, "status", &status);
	if (status == GETDNS_RESPSTATUS_ALL_TIMEOUT) {
		retry_or_fail(q, "no answer");
		return;
	}
	if (getdns_dict_get_dict(resp, "/replies_tree/0", &reply) != GETDNS_RETURN_GOOD) {
		snprintf(why, sizeof(why), "no usable reply (getdns status %u)", (unsigned)status);
		finish(q, DNS_OUTCOME_MALFORMED, why);
		return;
	}
	getdns_dict_get_int(reply, "/header/rcode", &rcode);
	getdns_dict_get_int(reply, "/header/tc", &tc);
	/* TC=1 means "ask again over TCP", never "no record". */
	if (tc && !q->tcp) {
		q->tcp = true;
		q->timeouts_this_hop = 0;
		send_query(q);
		return;
	}
	if (wire_name(reply, "/question/qname", qname, sizeof(qname)) != 0 ||
	    getdns_dict_get_int(reply, "/question/qtype", &qtype) != GETDNS_RETURN_GOOD) {
		finish(q, DNS_OUTCOME_MALFORMED, "reply without a question");
		return;
	}
	if (strcmp(qname, q->cur) != 0 || qtype != q->type) {
		snprintf(why, sizeof(why), "reply is for %s, not for %s", qname, q->cur);
		finish(q, DNS_OUTCOME_MALFORMED, why);
		return;
	}
	q->ans.rcode = (int)rcode;
	if (rcode == 3) {
		finish(q, DNS_OUTCOME_NXDOMAIN, "the name does not exist");
		return;
	}
	if (rcode != 0) {
		char buf[16];
		snprintf(why, sizeof(why), "server answered %s",
		         dns_rcode_name((int)rcode, buf, sizeof(buf)));
		finish(q, DNS_OUTCOME_SERVFAIL, why);
		return;
	}
	(void)getdns_dict_get_list(reply, "answer", &answer);
	why[0] = '\0';
	if (read_answer(q, answer, owner, sizeof(owner), why, sizeof(why)) != 0) {
		finish(q, DNS_OUTCOME_MALFORMED, why);
		return;
	}
	snprintf(q->ans.canonical, sizeof(q->ans.canonical), "%s", owner);
	if (q->ans.nrr > 0) {
		finish(q, DNS_OUTCOME_DATA, NULL);
		return;
	}
	if (strcmp(owner, q->cur) != 0) {
		/* The server gave a CNAME but not what it points to (an
		 * authoritative server for another zone): ask for the target. */
		if (q->ans.cname_hops > DNS_CNAME_MAX_HOPS) {
			snprintf(why, sizeof(why), "more than %d CNAME hops", DNS_CNAME_MAX_HOPS);
			finish(q, DNS_OUTCOME_MALFORMED, why);
			return;
		}
		snprintf(q->cur, sizeof(q->cur), "%s", owner);
		q->tcp = false;
		q->timeouts_this_hop = 0;
		send_query(q);
		return;
	}
	finish(q, DNS_OUTCOME_NODATA, "the name has no record of this type");
}

static void on_reply(getdns_context *ctx, getdns_callback_type_t cbtype, getdns_dict *resp,
                     void *userarg, getdns_transaction_t tid)
{
	struct dns_query *q = userarg;
	struct dns_worker *w = q->w;

	(void)ctx;
	(void)tid;
	w->inflight--;
	switch (cbtype) {
	case GETDNS_CALLBACK_COMPLETE:
		classify(q, resp);
		break;
	case GETDNS_CALLBACK_TIMEOUT:
		retry_or_fail(q, "no answer");
		break;
	case GETDNS_CALLBACK_CANCEL:
		/* Only while the worker is being freed. */
		dns_answer_cleanup(&q->ans);
		free(q);
		w->pending--;
		break;
	default:
		retry_or_fail(q, q->tcp ? "TCP connection failed" : "transport error");
		break;
	}
	getdns_dict_destroy(resp);
}

static getdns_context *make_context(const struct dns_config *cfg, struct dns_loop *loop, bool tcp,
                                    char *err, size_t errlen)
{
	getdns_context *ctx = NULL;
	getdns_list *ups = NULL;
	getdns_return_t r;

	r = getdns_context_create(&ctx, cfg->nservers == 0);
	if (r != GETDNS_RETURN_GOOD) {
		snprintf(err, errlen, "getdns context: %s", getdns_get_errorstr_by_id(r));
		return NULL;
	}
	r = getdns_context_set_resolution_type(ctx, GETDNS_RESOLUTION_STUB);
	if (r == GETDNS_RETURN_GOOD)
		r = getdns_context_set_append_name(ctx, GETDNS_APPEND_NAME_NEVER);
	if (r == GETDNS_RETURN_GOOD)
		r = getdns_context_set_timeout(ctx, cfg->timeout_ms);
	if (r == GETDNS_RETURN_GOOD)
		r = getdns_context_set_dns_transport(ctx, tcp ? GETDNS_TRANSPORT_TCP_ONLY
		                                              : GETDNS_TRANSPORT_UDP_ONLY);
	/* getdns puts an upstream whose TCP connection failed in backoff
	 * and then refuses to send to it at all; one broken connection must
	 * not make every later query of a scan fail, so retry at once. */
	if (r == GETDNS_RETURN_GOOD && tcp)
		r = getdns_context_set_tls_connection_retries(ctx, UINT16_MAX);
	if (r == GETDNS_RETURN_GOOD && tcp)
		r = getdns_context_set_tls_backoff_time(ctx, 0);
	if (r == GETDNS_RETURN_GOOD)
		r = getdns_context_set_edns_maximum_udp_payload_size(ctx, DNS_EDNS_UDP_SIZE);
	if (r == GETDNS_RETURN_GOOD && cfg->nservers > 0) {
		ups = getdns_list_create();
		for (size_t i = 0; ups != NULL && i < cfg->nservers; i++) {
			const struct dns_server *s = &cfg->servers[i];
			uint8_t raw[16];
			getdns_bindata type = { 4, (uint8_t *)(s->v6 ? "IPv6" : "IPv4") };
			getdns_bindata addr = { s->v6 ? 16 : 4, raw };
			getdns_dict *d = getdns_dict_create();
			if (d == NULL || inet_pton(s->v6 ? AF_INET6 : AF_INET, s->addr, raw) != 1) {
				getdns_dict_destroy(d);
				r = GETDNS_RETURN_INVALID_PARAMETER;
				break;
			}
			getdns_dict_set_bindata(d, "address_type", &type);
			getdns_dict_set_bindata(d, "address_data", &addr);
			getdns_dict_set_int(d, "port", s->port);
			r = getdns_list_set_dict(ups, i, d);
			getdns_dict_destroy(d);
			if (r != GETDNS_RETURN_GOOD)
				break;
		}
		if (ups == NULL)
			r = GETDNS_RETURN_MEMORY_ERROR;
		if (r == GETDNS_RETURN_GOOD)
			r = getdns_context_set_upstream_recursive_servers(ctx, ups);
		getdns_list_destroy(ups);
	}
	if (r == GETDNS_RETURN_GOOD)
		r = getdns_context_set_eventloop(ctx, dns_loop_getdns(loop));
	if (r != GETDNS_RETURN_GOOD) {
		snprintf(err, errlen, "getdns setup: %s", getdns_get_errorstr_by_id(r));
		getdns_context_destroy(ctx);
		return NULL;
	}
	return ctx;
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
	w->udp = make_context(&w->cfg, w->loop, false, err, errlen);
	if (w->udp == NULL)
		goto fail;
	w->tcp = make_context(&w->cfg, w->loop, true, err, errlen);
	if (w->tcp == NULL)
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
	/* Destroying a context cancels its queries (on_reply frees them). */
	if (w->udp != NULL)
		getdns_context_destroy(w->udp);
	if (w->tcp != NULL)
		getdns_context_destroy(w->tcp);
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
	free(w);
}

int dns_query_start(struct dns_worker *w, const char *name, uint16_t type, dns_cb cb, void *arg)
{
	struct dns_query *q;

	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return -1;
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
	/* On the wire side names are kept escaped, as replies are read. */
	if (dns_name_escape(q->ans.name, q->cur, sizeof(q->cur)) != 0) {
		free(q);
		return -1;
	}
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
			 * timing; the records stay the cache's. */
			struct dns_answer view = *q->cached;
			view.ms = (unsigned)(dns_loop_now_ms() - q->start_ms);
			view.attempts = 0;
			q->cb(&view, q->arg);
		} else {
			q->cb(&q->ans, q->arg);
		}
		w->pending--;
		w->stats.completed++;
		dns_answer_cleanup(&q->ans);
		free(q);
		n++;
	}
	return n;
}

size_t dns_worker_run_once(struct dns_worker *w, bool block)
{
	size_t ran = deliver(w);

	pump(w);
	if (w->inflight > 0)
		dns_loop_run_once(w->loop, block && ran == 0 && w->done_head == NULL);
	pump(w);
	deliver(w);
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
