/*
 * scan_fetch.c — the scan's HTTPS stage (see scan_fetch.h).
 *
 * One thread: take up to SCAN_FETCH_BATCH waiting domains, queue their
 * logo and certificate fetches on one curl multi (fetch.h), run them all,
 * judge each domain's assets, emit it, repeat. A batch lasts at most the
 * fetcher's total timeout, so a domain waits at most about two batches.
 */
#include "scan_fetch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimi_fetch.h"

/* How long the stage's thread waits for new domains before it looks at
 * the stop flag again. */
#define SCAN_FETCH_WAIT_MS 100

struct item {
	struct domain_result *r;
	int64_t domain_id;
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
	struct fetch *fe;
	struct fetch_dns *fd;
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

static void run_batch(struct scan_fetch *f, struct item *batch)
{
	bool queued = false;
	for (struct item *it = batch; it; it = it->next)
		queued |= bimi_fetches_add(f->fe, it->r, &it->f) > 0;
	/* On a curl failure the fetches not done stay "not attempted": the
	 * domain's logo and certificate are then "unchecked", never valid. */
	if (queued)
		(void)fetch_run(f->fe, bimi_fetches_done, NULL);
	for (struct item *it = batch; it; it = it->next) {
		struct bimi_fetched logo, cert;
		bimi_fetches_view(&it->f, BIMI_FETCH_LOGO, &logo);
		bimi_fetches_view(&it->f, BIMI_FETCH_CERT, &cert);
		const char *why = NULL;
		if (checks_bimi_finish(it->r, &logo, &cert, &f->cfg.vmc) != 0)
			why = "out of memory judging the BIMI assets";
		f->cfg.emit(f->cfg.arg, it->r, it->domain_id, why);
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
	free(f);
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
	struct fetch_config fc;
	fetch_config_init(&fc);
	fc.ca_file = cfg->ca_file;
	fc.connect_to = cfg->connect_to;
	fc.n_connect_to = cfg->n_connect_to;
	fc.allow_ports = cfg->allow_ports;
	fc.n_allow_ports = cfg->n_allow_ports;
	f->fe = bimi_fetcher_new(cfg->dns, cfg->cache, &fc, &f->fd, err, errlen);
	if (f->fe == NULL) {
		free(f);
		return NULL;
	}
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	pthread_cond_init(&f->space, NULL);
	if (pthread_create(&f->th, NULL, stage_main, f) != 0) {
		snprintf(err, errlen, "cannot start the HTTPS thread");
		stage_destroy(f);
		return NULL;
	}
	return f;
}

int scan_fetch_push(struct scan_fetch *f, struct domain_result *r, int64_t domain_id)
{
	struct item *it = calloc(1, sizeof(*it));
	if (it == NULL) {
		checks_cleanup(r);
		free(r);
		return -1;
	}
	it->r = r;
	it->domain_id = domain_id;
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
