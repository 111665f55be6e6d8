/*
 * Integration tests of the DNS adapter on the loopback bed (BED_AUTH,
 * BED_FAULT from tests/bed/bed.sh): many queries in flight, every callback
 * exactly once, the shared cache across worker threads, queries started
 * from callbacks, and temporary failures kept out of the cache.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"
#include "drive.h"
#include "memo.h"

static struct dns_config auth_cfg, fault_cfg;

static void config_from_env(struct dns_config *cfg, const char *var)
{
	const char *spec = getenv(var);
	char err[160];
	dns_config_init(cfg);
	if (spec == NULL) {
		fprintf(stderr, "%s is not set: run inside tests/bed/bed.sh run\n", var);
		exit(1);
	}
	if (dns_server_parse(spec, &cfg->servers[0], err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", var, err);
		exit(1);
	}
	cfg->nservers = 1;
}

struct expect {
	const char *name;
	uint16_t type;
	enum dns_outcome outcome;
	const char *first; /* first record, or NULL */
};

static const struct expect auth_rows[] = {
	{ "txt.bed.test", DNS_TYPE_TXT, DNS_OUTCOME_DATA, "v=spf1 -all" },
	{ "multi.bed.test", DNS_TYPE_TXT, DNS_OUTCOME_DATA, "v=spf1 ip4:192.0.2.0/24 -all" },
	{ "cname.bed.test", DNS_TYPE_TXT, DNS_OUTCOME_DATA, "v=spf1 -all" },
	{ "nodata.bed.test", DNS_TYPE_TXT, DNS_OUTCOME_NODATA, NULL },
	{ "nx.bed.test", DNS_TYPE_TXT, DNS_OUTCOME_NXDOMAIN, NULL },
	{ "mail.bed.test", DNS_TYPE_A, DNS_OUTCOME_DATA, "192.0.2.25" },
	{ "cnameout.bed.test", DNS_TYPE_TXT, DNS_OUTCOME_DATA, "v=spf1 ?all" },
};
#define NROWS (sizeof(auth_rows) / sizeof(auth_rows[0]))

struct tally {
	int calls[4096];
	int wrong;
	const struct expect *rows;
	size_t nrows;
};

struct slot {
	struct tally *t;
	int index;
};

static void check_cb(const struct dns_answer *a, void *arg)
{
	struct slot *s = arg;
	const struct expect *e = &s->t->rows[(size_t)s->index % s->t->nrows];
	s->t->calls[s->index]++;
	if (a->outcome != e->outcome || strcmp(a->name, e->name) != 0 ||
	    (e->first != NULL && (a->nrr == 0 || strcmp(a->rr[0].data, e->first) != 0))) {
		fprintf(stderr, "wrong answer for %s: %s\n", e->name, dns_outcome_name(a->outcome));
		s->t->wrong++;
	}
}

static void run_many(const struct dns_config *cfg, const struct expect *rows, size_t nrows, int n,
                     struct dns_cache *cache, struct dns_worker_stats *st)
{
	static struct tally t;
	static struct slot slots[4096];
	char err[160];
	struct dns_worker *w = dns_worker_new(cfg, cache, err, sizeof(err));
	assert_non_null(w);
	memset(&t, 0, sizeof(t));
	t.rows = rows;
	t.nrows = nrows;
	for (int i = 0; i < n; i++) {
		slots[i].t = &t;
		slots[i].index = i;
		const struct expect *e = &rows[(size_t)i % nrows];
		assert_int_equal(dns_query_start(w, e->name, e->type, check_cb, &slots[i]), 0);
	}
	assert_int_equal(dns_worker_pending(w), n);
	dns_worker_run(w);
	assert_int_equal(dns_worker_pending(w), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(t.calls[i], 1);
	assert_int_equal(t.wrong, 0);
	dns_worker_stats(w, st);
	dns_worker_free(w);
}

/* 2000 queries, 64 on the wire at most, no cache: all answered right. */
static void test_many_inflight(void **state)
{
	struct dns_config cfg = auth_cfg;
	struct dns_worker_stats st;
	(void)state;
	cfg.max_inflight = 64;
	run_many(&cfg, auth_rows, NROWS, 2000, NULL, &st);
	assert_int_equal(st.completed, 2000);
	/* cnameout needs a second query for its target. */
	assert_true(st.sent_udp >= 2000);
}

/* With a cache, each distinct question goes on the wire about once. */
static void test_cache_hits(void **state)
{
	struct dns_config cfg = auth_cfg;
	struct dns_worker_stats st;
	struct dns_cache_stats cs;
	struct dns_cache *cache = dns_cache_new(0);
	(void)state;
	cfg.max_inflight = 4;
	run_many(&cfg, auth_rows, NROWS, 700, cache, &st);
	dns_cache_stats(cache, &cs);
	assert_int_equal(cs.entries, NROWS);
	assert_int_equal(cs.hits + cs.misses, 700);
	/* Only the first few can miss before answers arrive. */
	assert_true(cs.hits >= 700 - 4 * NROWS);
	assert_true(st.sent_udp < 100);
	dns_cache_free(cache);
}

static void count_cb(const struct dns_answer *a, void *arg)
{
	int *n = arg;
	if (a->outcome == DNS_OUTCOME_DATA || a->outcome == DNS_OUTCOME_NODATA ||
	    a->outcome == DNS_OUTCOME_NXDOMAIN)
		(*n)++;
}

struct shared_arg {
	struct dns_cache *cache;
	int answered;
};

static void *shared_main(void *p)
{
	struct shared_arg *sa = p;
	char err[160];
	struct dns_worker *w = dns_worker_new(&auth_cfg, sa->cache, err, sizeof(err));
	if (w == NULL)
		return NULL;
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < NROWS; i++)
			dns_query_start(w, auth_rows[i].name, auth_rows[i].type, count_cb,
			                &sa->answered);
		dns_worker_run(w);
	}
	dns_worker_free(w);
	return NULL;
}

/* Two workers in two threads share one cache: the second round on each
 * is served from answers either of them stored. */
static void test_shared_cache_threads(void **state)
{
	struct dns_cache *cache = dns_cache_new(0);
	struct shared_arg a[2] = { { cache, 0 }, { cache, 0 } };
	pthread_t t[2];
	struct dns_cache_stats cs;
	(void)state;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, shared_main, &a[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(a[0].answered, 50 * (int)NROWS);
	assert_int_equal(a[1].answered, 50 * (int)NROWS);
	dns_cache_stats(cache, &cs);
	assert_int_equal(cs.entries, NROWS);
	/* At most both threads miss every name once. */
	assert_true(cs.misses <= 2 * NROWS);
	assert_int_equal(cs.hits + cs.misses, (size_t)2 * 50 * NROWS);
	dns_cache_free(cache);
}

struct chain {
	struct dns_worker *w;
	int depth;
	int done;
};

static void chain_cb(const struct dns_answer *a, void *arg)
{
	struct chain *c = arg;
	if (a->outcome != DNS_OUTCOME_DATA)
		return;
	if (++c->depth < 5) {
		/* Starting a query from a callback is allowed. */
		if (dns_query_start(c->w, "txt.bed.test", DNS_TYPE_TXT, chain_cb, c) != 0)
			return;
	} else {
		c->done = 1;
	}
}

static void test_query_from_callback(void **state)
{
	char err[160];
	struct chain c = { 0 };
	(void)state;
	c.w = dns_worker_new(&auth_cfg, NULL, err, sizeof(err));
	assert_non_null(c.w);
	assert_int_equal(dns_query_start(c.w, "txt.bed.test", DNS_TYPE_TXT, chain_cb, &c), 0);
	dns_worker_run(c.w);
	assert_int_equal(c.done, 1);
	assert_int_equal(c.depth, 5);
	dns_worker_free(c.w);
}

static void never_cb(const struct dns_answer *a, void *arg)
{
	(void)a;
	(*(int *)arg)++;
}

static void test_invalid_name_no_callback(void **state)
{
	char err[160];
	int calls = 0;
	(void)state;
	struct dns_worker *w = dns_worker_new(&auth_cfg, NULL, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(dns_query_start(w, "a..b", DNS_TYPE_TXT, never_cb, &calls), -1);
	assert_int_equal(dns_query_start(w, "", DNS_TYPE_TXT, never_cb, &calls), -1);
	assert_int_equal(dns_worker_pending(w), 0);
	dns_worker_run(w);
	assert_int_equal(calls, 0);
	dns_worker_free(w);
}

static void outcome_cb(const struct dns_answer *a, void *arg)
{
	*(enum dns_outcome *)arg = a->outcome;
}

/* A timeout or SERVFAIL is never stored: the next asker tries again. */
static void test_failures_not_cached(void **state)
{
	struct dns_config cfg = fault_cfg;
	struct dns_cache *cache = dns_cache_new(0);
	struct dns_cache_stats cs;
	enum dns_outcome o[3];
	char err[160];
	(void)state;
	cfg.timeout_ms = 100;
	cfg.retries = 0;
	struct dns_worker *w = dns_worker_new(&cfg, cache, err, sizeof(err));
	assert_non_null(w);
	dns_query_start(w, "drop.fault.test", DNS_TYPE_TXT, outcome_cb, &o[0]);
	dns_query_start(w, "servfail.fault.test", DNS_TYPE_TXT, outcome_cb, &o[1]);
	dns_query_start(w, "nxdomain.fault.test", DNS_TYPE_TXT, outcome_cb, &o[2]);
	dns_worker_run(w);
	assert_int_equal(o[0], DNS_OUTCOME_TIMEOUT);
	assert_int_equal(o[1], DNS_OUTCOME_SERVFAIL);
	assert_int_equal(o[2], DNS_OUTCOME_NXDOMAIN);
	dns_cache_stats(cache, &cs);
	assert_int_equal(cs.entries, 1); /* only the NXDOMAIN */
	dns_worker_free(w);
	dns_cache_free(cache);
}

/* Freeing a worker with queries on the wire drops them without callback
 * and without leaks (checked under ASan). */
static void test_free_with_pending(void **state)
{
	struct dns_config cfg = fault_cfg;
	char err[160];
	int calls = 0;
	(void)state;
	struct dns_worker *w = dns_worker_new(&cfg, NULL, err, sizeof(err));
	assert_non_null(w);
	for (int i = 0; i < 20; i++)
		dns_query_start(w, "drop.fault.test", DNS_TYPE_TXT, never_cb, &calls);
	dns_worker_run_once(w, false);
	dns_worker_free(w);
	assert_int_equal(calls, 0);
}

/* drive_rounds: a round's required and look-ahead questions go out
 * together, so three answers take one round trip, not three. */
struct three {
	int rounds;
	bool always_required; /* names l1 as required even once known */
};

static int three_round(void *ctx, const struct spf_dns *dns, drive_need_fn need, void *nctx,
                       bool *done)
{
	static const char *const names[] = { "l1.spf.test", "l2.spf.test", "l3.spf.test" };
	struct three *t = ctx;
	bool first = true;
	t->rounds++;
	*done = true;
	if (t->always_required) {
		need(nctx, names[0], DNS_TYPE_TXT, true);
		*done = false;
		return 0;
	}
	for (int i = 0; i < 3; i++)
		if (dns->get(dns->ctx, names[i], DNS_TYPE_TXT) == NULL) {
			need(nctx, names[i], DNS_TYPE_TXT, first);
			first = false;
			*done = false;
		}
	return 0;
}

static void test_drive_rounds(void **state)
{
	char err[160];
	(void)state;
	struct dns_worker *w = dns_worker_new(&auth_cfg, NULL, err, sizeof(err));
	struct dns_memo *memo = dns_memo_new();
	assert_non_null(w);
	assert_non_null(memo);
	struct three t = { 0, false };
	assert_int_equal(drive_rounds(w, memo, three_round, &t, err, sizeof(err)), 0);
	assert_int_equal(t.rounds, 2); /* one to ask all three, one to see them */
	const struct dns_answer *a = dns_memo_get(memo, "l3.spf.test", DNS_TYPE_TXT);
	assert_non_null(a);
	assert_int_equal(a->nrr, 1);
	assert_string_equal(a->rr[0].data,
	                    "v=spf1 a:h1.spf.test mx:mx.spf.test include:l4.spf.test ~all");
	/* A check that waits for an answer it already has is a bug: said. */
	struct three again = { 0, true };
	assert_int_equal(drive_rounds(w, memo, three_round, &again, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "asked again for l1.spf.test"));
	dns_memo_free(memo);
	dns_worker_free(w);
}

int main(void)
{
	config_from_env(&auth_cfg, "BED_AUTH");
	config_from_env(&fault_cfg, "BED_FAULT");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_inflight),
		cmocka_unit_test(test_cache_hits),
		cmocka_unit_test(test_shared_cache_threads),
		cmocka_unit_test(test_query_from_callback),
		cmocka_unit_test(test_invalid_name_no_callback),
		cmocka_unit_test(test_failures_not_cached),
		cmocka_unit_test(test_free_with_pending),
		cmocka_unit_test(test_drive_rounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
