/*
 * dnssec.c — DNSSEC validation through getdns in stub mode (dnssec.h).
 *
 * getdns does what posture's own transport does not: with the
 * dnssec_return_status extension it asks the upstream with the DO bit
 * (RFC 4035 3.2.1), fetches the DS and DNSKEY RRsets from the trust
 * anchor down to the answer's signer itself, and validates the chain
 * (RFC 4035 5). Its verdict per reply is one of RFC 4035 4.3's four
 * states, which dnssec.h keeps by name. One question per name and type,
 * all of a batch started at once on the context's own event loop
 * (getdns_context_run), so a domain's four answers cost one round of
 * chain building, not four.
 *
 * What getdns is told, and why:
 * - the trust anchors are posture's (the bundled root DS records, or the
 *   file given), and zero-configuration DNSSEC is off (an empty
 *   verify CA): getdns would otherwise fetch root-anchors.xml over HTTP
 *   when the root DNSKEY set fails to validate, trusting something the
 *   user never gave;
 * - dnssec_return_all_statuses: without it a bogus reply is dropped from
 *   the response (util-internal.c), and bogus would read as no answer;
 * - no search-list suffixes (append_name never): the name asked is the
 *   name validated;
 * - the upstreams of the dns_config, or /etc/resolv.conf's.
 */
#include "dnssec.h"

#include <getdns/getdns.h>
#include <getdns/getdns_extra.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

/* lists/root-anchors.txt, compiled in by root_anchors_data.S. */
extern const char posture_root_anchors_data[];
extern const char posture_root_anchors_data_end[];

struct dnssec_ctx {
	getdns_context *ctx;
	getdns_dict *ext;
};

const char *dnssec_status_name(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_INDETERMINATE:
		return "indeterminate";
	case DNSSEC_SECURE:
		return "secure";
	case DNSSEC_INSECURE:
		return "insecure";
	case DNSSEC_BOGUS:
		return "bogus";
	}
	return "indeterminate";
}

/* Higher is worse: what dnssec_combine keeps. */
static int rank(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_SECURE:
		return 0;
	case DNSSEC_INSECURE:
		return 1;
	case DNSSEC_INDETERMINATE:
		return 2;
	case DNSSEC_BOGUS:
		return 3;
	}
	return 2;
}

enum dnssec_status dnssec_combine(const enum dnssec_status *v, size_t n)
{
	enum dnssec_status worst = DNSSEC_SECURE;

	/* Nothing was checked: no verdict, never "secure". */
	if (n == 0)
		return DNSSEC_INDETERMINATE;
	for (size_t i = 0; i < n; i++)
		if (rank(v[i]) > rank(worst))
			worst = v[i];
	return worst;
}

static int set_upstreams(getdns_context *ctx, const struct dns_config *cfg, char *err,
                         size_t errlen)
{
	getdns_list *ups = getdns_list_create();
	size_t n = 0;
	int rc = -1;

	if (ups == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < cfg->nservers; i++) {
		const struct dns_server *s = &cfg->servers[i];
		uint8_t raw[16];
		getdns_bindata type = { 4, (uint8_t *)(s->v6 ? "IPv6" : "IPv4") };
		getdns_bindata addr = { s->v6 ? 16 : 4, raw };
		getdns_dict *d;

		if (inet_pton(s->v6 ? AF_INET6 : AF_INET, s->addr, raw) != 1)
			continue;
		d = getdns_dict_create();
		if (d == NULL || getdns_dict_set_bindata(d, "address_type", &type) != 0 ||
		    getdns_dict_set_bindata(d, "address_data", &addr) != 0 ||
		    getdns_dict_set_int(d, "port", s->port) != 0 ||
		    getdns_list_set_dict(ups, n, d) != 0) {
			getdns_dict_destroy(d);
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		getdns_dict_destroy(d); /* the list took a copy */
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "no usable DNS server");
		goto out;
	}
	if (getdns_context_set_upstream_recursive_servers(ctx, ups) != GETDNS_RETURN_GOOD) {
		snprintf(err, errlen, "getdns refused the DNS servers");
		goto out;
	}
	rc = 0;
out:
	getdns_list_destroy(ups);
	return rc;
}

/* The system's upstreams (getdns read /etc/resolv.conf): are there any? */
static int have_upstreams(getdns_context *ctx, char *err, size_t errlen)
{
	getdns_list *ups = NULL;
	size_t n = 0;

	if (getdns_context_get_upstream_recursive_servers(ctx, &ups) == GETDNS_RETURN_GOOD)
		(void)getdns_list_get_length(ups, &n);
	getdns_list_destroy(ups);
	if (n == 0) {
		snprintf(err, errlen, "no usable DNS server");
		return -1;
	}
	return 0;
}

/* The DS and DNSKEY records of all (zone-file text read by getdns) into
 * a new list; *n says how many. Other records are left out. */
static getdns_list *anchor_records(const getdns_list *all, size_t *n)
{
	getdns_list *keep = getdns_list_create();
	size_t len = 0;

	*n = 0;
	if (keep == NULL)
		return NULL;
	(void)getdns_list_get_length(all, &len);
	for (size_t i = 0; i < len; i++) {
		getdns_dict *rr = NULL;
		uint32_t type = 0;
		if (getdns_list_get_dict(all, i, &rr) != GETDNS_RETURN_GOOD ||
		    getdns_dict_get_int(rr, "type", &type) != GETDNS_RETURN_GOOD)
			continue;
		/* RFC 4035 4.4: a trust anchor is a DNSKEY or a DS record. */
		if (type != DNS_TYPE_DS && type != DNS_TYPE_DNSKEY)
			continue;
		if (getdns_list_set_dict(keep, *n, rr) != GETDNS_RETURN_GOOD) {
			getdns_list_destroy(keep);
			return NULL;
		}
		(*n)++;
	}
	return keep;
}

/* An anchor file is a few records: more than this is not one. */
#define ANCHOR_FILE_MAX ((size_t)1024 * 1024)

/*
 * Reads file whole into a new buffer (*len bytes, NUL-terminated). Read
 * here, bounded, and not by getdns from the FILE: getdns_fp2rr_list
 * loops forever on a stream that fails without reaching EOF (a
 * directory), and would read /dev/zero without end.
 */
static char *read_anchor_file(const char *file, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(file, "r");
	char *buf = NULL;
	size_t n = 0;

	if (fp == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", file, strerror(errno));
		return NULL;
	}
	buf = malloc(ANCHOR_FILE_MAX + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	n = fread(buf, 1, ANCHOR_FILE_MAX + 1, fp);
	if (ferror(fp)) {
		snprintf(err, errlen, "cannot read %s: %s", file, strerror(errno));
		goto fail;
	}
	if (n > ANCHOR_FILE_MAX) {
		snprintf(err, errlen, "%s is over %zu bytes: not a trust anchor file", file,
		         ANCHOR_FILE_MAX);
		goto fail;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	fclose(fp);
	return NULL;
}

/* Reads the anchors of file (zone-file text), or the bundled root anchor
 * when file is NULL, into the context; with ctx NULL only reads them. */
static int set_anchors(getdns_context *ctx, const char *file, char *err, size_t errlen)
{
	const char *what = file ? file : "the bundled root anchor";
	getdns_list *all = NULL, *keep = NULL;
	getdns_return_t r;
	char *text = NULL;
	size_t n = 0, len = 0;
	FILE *fp;

	if (file != NULL) {
		text = read_anchor_file(file, &len, err, errlen);
		if (text == NULL)
			return -1;
		fp = fmemopen(text, len ? len : 1, "r");
	} else {
		fp = fmemopen((void *)posture_root_anchors_data,
		              (size_t)(posture_root_anchors_data_end - posture_root_anchors_data),
		              "r");
	}
	if (fp == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", what, strerror(errno));
		free(text);
		return -1;
	}
	r = getdns_fp2rr_list(fp, &all, NULL, 3600);
	fclose(fp);
	free(text);
	if (r != GETDNS_RETURN_GOOD) {
		snprintf(err, errlen, "%s is not zone-file text holding DS or DNSKEY records",
		         what);
		getdns_list_destroy(all);
		return -1;
	}
	keep = anchor_records(all, &n);
	getdns_list_destroy(all);
	if (keep == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s holds no DS or DNSKEY record", what);
		getdns_list_destroy(keep);
		return -1;
	}
	r = ctx != NULL ? getdns_context_set_dnssec_trust_anchors(ctx, keep) : GETDNS_RETURN_GOOD;
	getdns_list_destroy(keep);
	if (r != GETDNS_RETURN_GOOD) {
		snprintf(err, errlen, "getdns refused the trust anchors of %s", what);
		return -1;
	}
	return 0;
}

int dnssec_anchors_check(const char *anchor_file, char *err, size_t errlen)
{
	return set_anchors(NULL, anchor_file, err, errlen);
}

static int make_extensions(struct dnssec_ctx *c)
{
	c->ext = getdns_dict_create();
	if (c->ext == NULL)
		return -1;
	if (getdns_dict_set_int(c->ext, "dnssec_return_status", GETDNS_EXTENSION_TRUE) != 0 ||
	    getdns_dict_set_int(c->ext, "dnssec_return_all_statuses", GETDNS_EXTENSION_TRUE) != 0 ||
	    getdns_dict_set_int(c->ext, "dnssec_return_validation_chain", GETDNS_EXTENSION_TRUE) !=
	            0)
		return -1;
	return 0;
}

struct dnssec_ctx *dnssec_new(const struct dns_config *cfg, const char *anchor_file, char *err,
                              size_t errlen)
{
	struct dnssec_ctx *c = calloc(1, sizeof(*c));
	uint64_t timeout;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* set_from_os: resolv.conf's upstreams when cfg names none. */
	if (getdns_context_create(&c->ctx, 1) != GETDNS_RETURN_GOOD) {
		c->ctx = NULL;
		snprintf(err, errlen, "getdns: cannot create a context");
		goto fail;
	}
	if (getdns_context_set_resolution_type(c->ctx, GETDNS_RESOLUTION_STUB) != 0 ||
	    getdns_context_set_append_name(c->ctx, GETDNS_APPEND_NAME_NEVER) != 0 ||
	    getdns_context_set_trust_anchors_verify_CA(c->ctx, "") != 0) {
		snprintf(err, errlen, "getdns: cannot configure the context");
		goto fail;
	}
	/* The whole question, chain included, gets what posture's own
	 * transport gives one question: every attempt's wait. */
	timeout = (uint64_t)(cfg->timeout_ms ? cfg->timeout_ms : DNS_TIMEOUT_MS_DEFAULT) *
	          (cfg->retries + 1);
	if (getdns_context_set_timeout(c->ctx, timeout) != 0) {
		snprintf(err, errlen, "getdns: cannot set the timeout");
		goto fail;
	}
	if (cfg->nservers > 0 ? set_upstreams(c->ctx, cfg, err, errlen) != 0
	                      : have_upstreams(c->ctx, err, errlen) != 0)
		goto fail;
	if (set_anchors(c->ctx, anchor_file, err, errlen) != 0)
		goto fail;
	if (make_extensions(c) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return c;
fail:
	dnssec_ctx_free(c);
	return NULL;
}

void dnssec_ctx_free(struct dnssec_ctx *c)
{
	if (c == NULL)
		return;
	getdns_dict_destroy(c->ext);
	if (c->ctx != NULL)
		getdns_context_destroy(c->ctx);
	free(c);
}

static enum dnssec_status map_status(uint32_t s)
{
	switch (s) {
	case GETDNS_DNSSEC_SECURE:
		return DNSSEC_SECURE;
	case GETDNS_DNSSEC_INSECURE:
		return DNSSEC_INSECURE;
	case GETDNS_DNSSEC_BOGUS:
		return DNSSEC_BOGUS;
	default:
		return DNSSEC_INDETERMINATE;
	}
}

/* Keeps a copy of one TLSA record's rdata. Returns 0 or -1 (memory). */
static int keep_rdata(struct dnssec_query *q, const getdns_dict *rr)
{
	getdns_bindata *raw = NULL;
	uint8_t **v;
	size_t *l;

	if (getdns_dict_get_bindata(rr, "/rdata/rdata_raw", &raw) != GETDNS_RETURN_GOOD)
		return 0;
	if (q->nrdata >= DNS_ANSWER_MAX_RRS)
		return 0;
	v = realloc(q->rdata, (q->nrdata + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	q->rdata = v;
	l = realloc(q->rdlen, (q->nrdata + 1) * sizeof(*l));
	if (l == NULL)
		return -1;
	q->rdlen = l;
	v[q->nrdata] = malloc(raw->size ? raw->size : 1);
	if (v[q->nrdata] == NULL)
		return -1;
	memcpy(v[q->nrdata], raw->data, raw->size);
	l[q->nrdata] = raw->size;
	q->nrdata++;
	return 0;
}

/* The records of the type asked in the reply's answer section (after a
 * CNAME too: the owner is not compared); TLSA rdata kept. */
static size_t count_answers(struct dnssec_query *q, const getdns_dict *reply, int *oom)
{
	getdns_list *answer = NULL;
	size_t len = 0, n = 0;

	if (getdns_dict_get_list(reply, "answer", &answer) != GETDNS_RETURN_GOOD)
		return 0;
	(void)getdns_list_get_length(answer, &len);
	for (size_t i = 0; i < len; i++) {
		getdns_dict *rr = NULL;
		uint32_t type = 0;
		if (getdns_list_get_dict(answer, i, &rr) != GETDNS_RETURN_GOOD ||
		    getdns_dict_get_int(rr, "type", &type) != GETDNS_RETURN_GOOD || type != q->type)
			continue;
		n++;
		if (type == DNS_TYPE_TLSA && keep_rdata(q, rr) != 0)
			*oom = 1;
	}
	return n;
}

/* The RRSIG records of a list of rr dicts (NULL: none). */
static size_t count_rrsigs(const getdns_list *rrs)
{
	size_t len = 0, n = 0;

	if (rrs == NULL)
		return 0;
	(void)getdns_list_get_length(rrs, &len);
	for (size_t i = 0; i < len; i++) {
		getdns_dict *rr = NULL;
		uint32_t type = 0;
		if (getdns_list_get_dict(rrs, i, &rr) == GETDNS_RETURN_GOOD &&
		    getdns_dict_get_int(rr, "type", &type) == GETDNS_RETURN_GOOD &&
		    type == 46 /* RRSIG, RFC 4034 3 */)
			n++;
	}
	return n;
}

/*
 * True when nothing of what the resolver returned, the reply or the chain
 * getdns fetched to validate it, holds a single signature: a resolver that
 * does not pass DNSSEC records (no DO bit support, a stripping
 * forwarder). getdns calls every such answer bogus, since the chain from
 * the root's signed keys is broken; but it says nothing of the zone, so
 * there is no verdict (indeterminate), never an accusation. A real bogus
 * answer through a resolver that passes DNSSEC has at least the
 * anchor's own DNSKEY signatures in its chain.
 */
static bool no_signatures_at_all(const getdns_dict *resp, const getdns_dict *reply)
{
	getdns_list *l = NULL;
	size_t n = 0;

	if (getdns_dict_get_list(reply, "answer", &l) == GETDNS_RETURN_GOOD)
		n += count_rrsigs(l);
	if (getdns_dict_get_list(reply, "authority", &l) == GETDNS_RETURN_GOOD)
		n += count_rrsigs(l);
	if (getdns_dict_get_list(resp, "validation_chain", &l) == GETDNS_RETURN_GOOD)
		n += count_rrsigs(l);
	return n == 0;
}

/* Fills q from one complete getdns response. */
static void read_response(struct dnssec_query *q, const getdns_dict *resp, int *oom)
{
	getdns_list *replies = NULL;
	getdns_dict *reply = NULL;
	uint32_t rcode = 0, sec = GETDNS_DNSSEC_INDETERMINATE;
	size_t len = 0, n;
	char rbuf[16];

	if (getdns_dict_get_list(resp, "replies_tree", &replies) == GETDNS_RETURN_GOOD)
		(void)getdns_list_get_length(replies, &len);
	if (len == 0 || getdns_list_get_dict(replies, 0, &reply) != GETDNS_RETURN_GOOD) {
		q->outcome = DNS_OUTCOME_TIMEOUT;
		str_copy(q->detail, sizeof(q->detail), "no reply from the resolver");
		return;
	}
	(void)getdns_dict_get_int(reply, "/header/rcode", &rcode);
	(void)getdns_dict_get_int(reply, "dnssec_status", &sec);
	if (rcode != GETDNS_RCODE_NOERROR && rcode != GETDNS_RCODE_NXDOMAIN) {
		/* No answer was had, so there is nothing to call secure or
		 * bogus: a resolver's SERVFAIL may be its own validation
		 * failing, or anything else. */
		q->outcome = DNS_OUTCOME_SERVFAIL;
		snprintf(q->detail, sizeof(q->detail), "the resolver answered %s",
		         dns_rcode_name((int)rcode, rbuf, sizeof(rbuf)));
		return;
	}
	n = count_answers(q, reply, oom);
	q->outcome = rcode == GETDNS_RCODE_NXDOMAIN ? DNS_OUTCOME_NXDOMAIN
	             : n > 0                        ? DNS_OUTCOME_DATA
	                                            : DNS_OUTCOME_NODATA;
	q->status = map_status(sec);
	if (q->status == DNSSEC_BOGUS && no_signatures_at_all(resp, reply)) {
		q->status = DNSSEC_INDETERMINATE;
		str_copy(q->detail, sizeof(q->detail),
		         "the resolver returned no DNSSEC signature at all: it does not pass "
		         "DNSSEC records");
	} else if (q->status == DNSSEC_BOGUS) {
		str_copy(q->detail, sizeof(q->detail),
		         "a signature or the chain of trust to the anchor does not validate");
	} else if (q->status == DNSSEC_INDETERMINATE)
		str_copy(q->detail, sizeof(q->detail),
		         "no chain of trust could be built: no anchor covers the name, or a DS or "
		         "DNSKEY lookup failed");
}

struct batch {
	struct dnssec_query *q;
	int oom;
};

static void on_response(getdns_context *ctx, getdns_callback_type_t type, getdns_dict *resp,
                        void *arg, getdns_transaction_t tid)
{
	struct batch *b = arg;

	(void)ctx;
	(void)tid;
	if (type == GETDNS_CALLBACK_COMPLETE && resp != NULL) {
		read_response(b->q, resp, &b->oom);
	} else {
		b->q->outcome = DNS_OUTCOME_TIMEOUT;
		str_copy(b->q->detail, sizeof(b->q->detail),
		         type == GETDNS_CALLBACK_TIMEOUT ? "no answer in time"
		                                         : "getdns: query failed");
	}
	getdns_dict_destroy(resp);
}

int dnssec_resolve(struct dnssec_ctx *c, struct dnssec_query *q, size_t n, char *err, size_t errlen)
{
	struct batch *b = calloc(n ? n : 1, sizeof(*b));
	int rc = 0;

	if (b == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char norm[DNS_NAME_BUF];
		getdns_return_t r;

		b[i].q = &q[i];
		q[i].status = DNSSEC_INDETERMINATE;
		q[i].outcome = DNS_OUTCOME_TIMEOUT;
		q[i].detail[0] = '\0';
		if (dns_name_normalize(q[i].name, norm, sizeof(norm)) != 0) {
			q[i].outcome = DNS_OUTCOME_MALFORMED;
			str_copy(q[i].detail, sizeof(q[i].detail), "not a valid DNS name");
			continue;
		}
		memcpy(q[i].name, norm, sizeof(norm));
		r = getdns_general(c->ctx, q[i].name, q[i].type, c->ext, &b[i], NULL, on_response);
		if (r == GETDNS_RETURN_MEMORY_ERROR) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
			break;
		}
		if (r != GETDNS_RETURN_GOOD) {
			/* Not asked (a name getdns refuses): no callback comes. */
			q[i].outcome = DNS_OUTCOME_MALFORMED;
			snprintf(q[i].detail, sizeof(q[i].detail), "getdns: %s",
			         getdns_get_errorstr_by_id(r));
		}
	}
	/* Runs every question started above (and their chains) to its end:
	 * answer, timeout or failure, each through on_response. */
	getdns_context_run(c->ctx);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (b[i].oom) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		}
	free(b);
	return rc;
}

void dnssec_query_free(struct dnssec_query *q, size_t n)
{
	for (size_t i = 0; q != NULL && i < n; i++) {
		for (size_t k = 0; k < q[i].nrdata; k++)
			free(q[i].rdata[k]);
		free(q[i].rdata);
		free(q[i].rdlen);
		q[i].rdata = NULL;
		q[i].rdlen = NULL;
		q[i].nrdata = 0;
	}
}
