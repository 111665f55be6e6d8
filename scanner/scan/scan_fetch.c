/*
 * scan_fetch.c — the scan's stage after DNS (see scan_fetch.h).
 *
 * One thread: take up to SCAN_FETCH_BATCH waiting domains; validate the
 * DNSSEC and DANE questions of all of them in one getdns batch; queue
 * their logo and certificate fetches on one curl multi (fetch.h) and
 * run them all, then their MTA-STS policies on a second one (no
 * redirect followed); judge each domain, emit it, repeat. A batch lasts
 * at most getdns's timeout and the fetchers' total timeouts, so a domain
 * waits at most about two batches.
 */
#include "scan_fetch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimi_fetch.h"
#include "dnssec.h"
#include "mta_sts_check.h"
#include "strutil.h"
#include "transport_check.h"

/* How long the stage's thread waits for new domains before it looks at
 * the stop flag again. */
#define SCAN_FETCH_WAIT_MS 100

struct item {
	struct domain_result *r;
	int64_t domain_id;
	bool bimi;       /* its BIMI assets are to be fetched */
	size_t nq;       /* its getdns questions in the batch */
	bool validating; /* its DNSSEC or DANE questions were set */
	char why[160];   /* why it could not be judged; "" when it could */
	struct bimi_fetches f;
	struct item *next;
};

struct scan_fetch {
	struct scan_fetch_config cfg;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;    /* work arrived, or closed */
	pthread_cond_t space; /* the queue has room */
	struct item *head, **tail;
	size_t n;
	bool closed;
	struct fetch *fe; /* BIMI assets (cfg.bimi) */
	struct fetch_dns *fd;
	struct fetch *sts; /* MTA-STS policies (cfg.mta_sts): no redirect */
	struct fetch_dns *sts_fd;
	struct dnssec_ctx *dc; /* getdns (cfg.validate) */
};

static void item_free(struct item *it)
{
	if (it == NULL)
		return;
	bimi_fetches_cleanup(&it->f);
	if (it->r) {
		checks_cleanup(it->r);
		free(it->r);
	}
	free(it);
}

static void item_fail(struct item *it, const char *why)
{
	if (it->why[0] == '\0')
		str_copy(it->why, sizeof(it->why), why);
}

/* The batch's DNSSEC and DANE questions, all in one getdns batch. */
static void validate_batch(struct scan_fetch *f, struct item *batch)
{
	struct dnssec_query *q = NULL;
	size_t total = 0, at = 0;
	char err[128] = "";
	int rc = 0;

	for (struct item *it = batch; it; it = it->next) {
		int n;
		if (!(it->r->mask & CHECKS_VALIDATING))
			continue;
		if ((n = transport_dnssec_begin(it->r)) < 0) {
			item_fail(it, "out of memory setting the DNSSEC questions");
			continue;
		}
		it->validating = true;
		it->nq = (size_t)n;
		total += it->nq;
	}
	if (total > 0 && (q = calloc(total, sizeof(*q))) == NULL) {
		rc = -1;
		str_copy(err, sizeof(err), "out of memory");
	}
	for (struct item *it = batch; q != NULL && it; it = it->next)
		if (it->validating && it->nq > 0) {
			transport_dnssec_move(it->r, q + at, true);
			at += it->nq;
		}
	/* In slices: getdns opens a socket per question (dnssec.h). */
	for (size_t k = 0; q != NULL && rc == 0 && k < total; k += DNSSEC_OUTSTANDING_MAX)
		rc = dnssec_resolve(f->dc, q + k,
		                    total - k < DNSSEC_OUTSTANDING_MAX ? total - k
		                                                       : DNSSEC_OUTSTANDING_MAX,
		                    err, sizeof(err));
	at = 0;
	for (struct item *it = batch; it; it = it->next) {
		if (!it->validating)
			continue;
		if (q != NULL && it->nq > 0) {
			/* Back where they belong, rdata and all. */
			transport_dnssec_move(it->r, q + at, false);
			at += it->nq;
		}
		if (rc != 0) {
			char why[160];
			snprintf(why, sizeof(why), "DNSSEC validation failed: %s", err);
			item_fail(it, why);
		} else if (transport_dnssec_end(it->r) != 0) {
			item_fail(it, "out of memory judging the DNSSEC answers");
		}
	}
	free(q);
}

/* The batch's MTA-STS policies on the policy fetcher. */
static void policy_batch(struct scan_fetch *f, struct item *batch)
{
	bool queued = false;
	int taken = 0;

	for (struct item *it = batch; it; it = it->next) {
		if (!transport_wants_policy(it->r))
			continue;
		if (transport_policy_add(f->sts, it->r) != 0)
			item_fail(it, "out of memory queuing the MTA-STS policy");
		else
			queued = true;
	}
	if (!queued)
		return;
	/* A policy not fetched would read not_fetched: not a result of a
	 * scan that fetches, so every domain waiting for one fails. */
	if (fetch_run(f->sts, transport_policy_done, &taken) != 0 || taken != 0)
		for (struct item *it = batch; it; it = it->next)
			if (transport_wants_policy(it->r))
				item_fail(it,
				          taken != 0
				                  ? "out of memory taking the MTA-STS policy"
				                  : "the HTTPS fetcher failed (MTA-STS policies)");
}

static void run_batch(struct scan_fetch *f, struct item *batch)
{
	bool queued = false;
	if (f->dc != NULL)
		validate_batch(f, batch);
	for (struct item *it = batch; f->fe != NULL && it; it = it->next) {
		if (!it->bimi)
			continue;
		int n = bimi_fetches_add(f->fe, it->r, &it->f);
		if (n < 0)
			item_fail(it, "out of memory queuing the BIMI assets");
		queued |= n > 0;
	}
	/* On a curl failure the fetches not done stay "not attempted": the
	 * domain's logo and certificate are then "unchecked", never valid. */
	if (queued)
		(void)fetch_run(f->fe, bimi_fetches_done, NULL);
	if (f->sts != NULL)
		policy_batch(f, batch);
	for (struct item *it = batch; it; it = it->next) {
		if (it->bimi) {
			struct bimi_fetched logo, cert;
			bimi_fetches_view(&it->f, BIMI_FETCH_LOGO, &logo);
			bimi_fetches_view(&it->f, BIMI_FETCH_CERT, &cert);
			if (checks_bimi_finish(it->r, &logo, &cert, &f->cfg.vmc) != 0)
				item_fail(it, "out of memory judging the BIMI assets");
		}
		if (transport_policy_finish(it->r, f->sts == NULL) != 0)
			item_fail(it, "out of memory judging the MTA-STS policy");
		f->cfg.emit(f->cfg.arg, it->r, it->domain_id, it->why[0] ? it->why : NULL);
	}
}

static void *stage_main(void *arg)
{
	struct scan_fetch *f = arg;
	for (;;) {
		pthread_mutex_lock(&f->mu);
		while (f->head == NULL && !f->closed && !*f->cfg.stop) {
			struct timespec t;
			clock_gettime(CLOCK_REALTIME, &t);
			t.tv_nsec += SCAN_FETCH_WAIT_MS * 1000000L;
			if (t.tv_nsec >= 1000000000L) {
				t.tv_sec++;
				t.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&f->cv, &f->mu, &t);
		}
		struct item *batch = f->head, *last = batch;
		if (*f->cfg.stop || batch == NULL) { /* stopped, or closed and empty */
			pthread_mutex_unlock(&f->mu);
			break;
		}
		size_t n = 1;
		while (last->next && n < SCAN_FETCH_BATCH) {
			last = last->next;
			n++;
		}
		f->head = last->next;
		if (f->head == NULL)
			f->tail = &f->head;
		last->next = NULL;
		f->n -= n;
		pthread_cond_broadcast(&f->space);
		pthread_mutex_unlock(&f->mu);

		run_batch(f, batch);
		while (batch) {
			struct item *next = batch->next;
			item_free(batch);
			batch = next;
		}
	}
	f->cfg.finished(f->cfg.arg);
	return NULL;
}

/* Releases what scan_fetch_start set up, once the thread is gone. */
static void stage_destroy(struct scan_fetch *f)
{
	pthread_cond_destroy(&f->space);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	fetch_free(f->fe);
	fetch_dns_free(f->fd);
	fetch_free(f->sts);
	fetch_dns_free(f->sts_fd);
	dnssec_ctx_free(f->dc);
	free(f);
}

/* The stage's fetchers and validator, as cfg asks. Returns 0, or -1
 * with a reason in err (what was made is freed by stage_destroy). */
static int stage_tools(struct scan_fetch *f, const struct scan_fetch_config *cfg, char *err,
                       size_t errlen)
{
	struct fetch_config fc;
	fetch_config_init(&fc);
	fc.ca_file = cfg->ca_file;
	fc.connect_to = cfg->connect_to;
	fc.n_connect_to = cfg->n_connect_to;
	fc.allow_ports = cfg->allow_ports;
	fc.n_allow_ports = cfg->n_allow_ports;
	if (cfg->bimi &&
	    (f->fe = bimi_fetcher_new(cfg->dns, cfg->cache, &fc, &f->fd, err, errlen)) == NULL)
		return -1;
	/* RFC 8461 3.3: "HTTP 3xx redirects MUST NOT be followed" (as
	 * mta_sts_fetch_config sets it for posture check). */
	fc.max_redirects = 0;
	if (cfg->mta_sts &&
	    (f->sts = bimi_fetcher_new(cfg->dns, cfg->cache, &fc, &f->sts_fd, err, errlen)) == NULL)
		return -1;
	if (cfg->validate && (f->dc = dnssec_new(cfg->dns, cfg->trust_anchor, err, errlen)) == NULL)
		return -1;
	return 0;
}

struct scan_fetch *scan_fetch_start(const struct scan_fetch_config *cfg, char *err, size_t errlen)
{
	struct scan_fetch *f = calloc(1, sizeof(*f));
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->cfg = *cfg;
	f->tail = &f->head;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	pthread_cond_init(&f->space, NULL);
	if (stage_tools(f, cfg, err, errlen) != 0) {
		stage_destroy(f);
		return NULL;
	}
	if (pthread_create(&f->th, NULL, stage_main, f) != 0) {
		snprintf(err, errlen, "cannot start the HTTPS thread");
		stage_destroy(f);
		return NULL;
	}
	return f;
}

int scan_fetch_push(struct scan_fetch *f, struct domain_result *r, int64_t domain_id, bool bimi)
{
	struct item *it = calloc(1, sizeof(*it));
	if (it == NULL) {
		checks_cleanup(r);
		free(r);
		return -1;
	}
	it->r = r;
	it->domain_id = domain_id;
	it->bimi = bimi;
	pthread_mutex_lock(&f->mu);
	while (f->n >= SCAN_FETCH_QUEUE_MAX && !*f->cfg.stop)
		pthread_cond_wait(&f->space, &f->mu);
	if (*f->cfg.stop || f->closed) {
		pthread_mutex_unlock(&f->mu);
		item_free(it);
		return -1;
	}
	*f->tail = it;
	f->tail = &it->next;
	f->n++;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return 0;
}

void scan_fetch_close(struct scan_fetch *f)
{
	pthread_mutex_lock(&f->mu);
	f->closed = true;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

void scan_fetch_free(struct scan_fetch *f)
{
	if (f == NULL)
		return;
	scan_fetch_close(f);
	pthread_mutex_lock(&f->mu);
	pthread_cond_broadcast(&f->space);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->th, NULL);
	while (f->head) {
		struct item *next = f->head->next;
		item_free(f->head);
		f->head = next;
	}
	stage_destroy(f);
}
