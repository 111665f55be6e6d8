/*
 * Unit tests for dnscache.c: stored answers come back intact, hits and
 * misses are counted, the size cap holds, and concurrent workers neither
 * lose nor duplicate entries.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dnscache.h"
#include "memo.h"

static void make(struct dns_answer *a, const char *name, uint16_t type, const char *txt)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->type = type;
	a->outcome = DNS_OUTCOME_DATA;
	if (txt != NULL)
		assert_int_equal(dns_answer_add(a, type, 0, txt, strlen(txt), NULL), 0);
}

static void test_put_get(void **state)
{
	struct dns_cache *c = dns_cache_new(0);
	struct dns_answer a;
	struct dns_cache_stats st;
	(void)state;
	assert_non_null(c);
	assert_null(dns_cache_get(c, "example.com", DNS_TYPE_TXT));
	make(&a, "example.com", DNS_TYPE_TXT, "v=spf1 -all");
	const struct dns_answer *stored = dns_cache_put(c, &a);
	dns_answer_cleanup(&a);
	const struct dns_answer *got = dns_cache_get(c, "example.com", DNS_TYPE_TXT);
	assert_non_null(got);
	/* put returns the entry get finds, which knows it is shared. */
	assert_ptr_equal(stored, got);
	assert_ptr_equal(got->shared, got);
	assert_true(got->from_cache);
	assert_int_equal(got->nrr, 1);
	assert_string_equal(got->rr[0].data, "v=spf1 -all");
	/* Same name, other type: a different entry. */
	assert_null(dns_cache_get(c, "example.com", DNS_TYPE_MX));
	/* A second put of the same key keeps the first answer. */
	make(&a, "example.com", DNS_TYPE_TXT, "other");
	assert_ptr_equal(dns_cache_put(c, &a), got);
	dns_answer_cleanup(&a);
	assert_string_equal(dns_cache_get(c, "example.com", DNS_TYPE_TXT)->rr[0].data,
	                    "v=spf1 -all");
	dns_cache_stats(c, &st);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.entries, 1);
	dns_cache_free(c);
}

/* take: a new entry gets the records themselves; otherwise they stay. */
static void test_take(void **state)
{
	struct dns_cache *c = dns_cache_new(2);
	struct dns_answer a;
	(void)state;
	make(&a, "t.example", DNS_TYPE_TXT, "v=spf1 -all");
	const char *data = a.rr[0].data;
	const struct dns_answer *stored = dns_cache_take(c, &a);
	assert_non_null(stored);
	assert_int_equal(a.nrr, 0);
	assert_null(a.rr);
	assert_int_equal(stored->nrr, 1);
	assert_ptr_equal(stored->rr[0].data, data); /* moved, not copied */
	assert_ptr_equal(stored->shared, stored);
	/* The same key again: the first entry is kept, the records stay. */
	make(&a, "t.example", DNS_TYPE_TXT, "other");
	assert_ptr_equal(dns_cache_take(c, &a), stored);
	assert_int_equal(a.nrr, 1);
	assert_string_equal(a.rr[0].data, "other");
	dns_answer_cleanup(&a);
	/* Full: nothing stored, the records stay. */
	make(&a, "u.example", DNS_TYPE_TXT, "u");
	assert_non_null(dns_cache_take(c, &a));
	make(&a, "v.example", DNS_TYPE_TXT, "v");
	assert_null(dns_cache_take(c, &a));
	assert_int_equal(a.nrr, 1);
	assert_string_equal(a.rr[0].data, "v");
	dns_answer_cleanup(&a);
	assert_string_equal(dns_cache_get(c, "t.example", DNS_TYPE_TXT)->rr[0].data, "v=spf1 -all");
	dns_cache_free(c);
}

static void test_cap(void **state)
{
	struct dns_cache *c = dns_cache_new(3);
	struct dns_answer a;
	struct dns_cache_stats st;
	char name[32];
	(void)state;
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		make(&a, name, DNS_TYPE_A, NULL);
		const struct dns_answer *stored = dns_cache_put(c, &a);
		if (i < 3)
			assert_non_null(stored);
		else
			assert_null(stored);
	}
	dns_cache_stats(c, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.refused, 2);
	assert_non_null(dns_cache_get(c, "n2.example", DNS_TYPE_A));
	assert_null(dns_cache_get(c, "n3.example", DNS_TYPE_A));
	dns_cache_free(c);
}

#define THREADS 4
#define NAMES   5000

static void *hammer(void *arg)
{
	struct dns_cache *c = arg;
	struct dns_answer a;
	char name[32];
	for (int i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "host%d.example", i);
		if (dns_cache_get(c, name, DNS_TYPE_TXT) == NULL) {
			make(&a, name, DNS_TYPE_TXT, name);
			(void)dns_cache_put(c, &a);
			dns_answer_cleanup(&a);
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct dns_cache *c = dns_cache_new(0);
	pthread_t t[THREADS];
	struct dns_cache_stats st;
	(void)state;
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, c), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	dns_cache_stats(c, &st);
	/* Every name stored once, whichever thread won; each lookup counted. */
	assert_int_equal(st.entries, NAMES);
	assert_int_equal(st.hits + st.misses, (uint64_t)THREADS * NAMES);
	assert_true(st.misses >= NAMES);
	for (int i = 0; i < NAMES; i += 997) {
		char name[32];
		snprintf(name, sizeof(name), "host%d.example", i);
		const struct dns_answer *a = dns_cache_get(c, name, DNS_TYPE_TXT);
		assert_non_null(a);
		assert_string_equal(a->rr[0].data, name);
	}
	dns_cache_free(c);
}

/* A scan's memo answers from the run's cache what it lacks: the cache's
 * own entry, counted once as a cache hit (a miss is left for the adapter
 * to count), kept in the memo afterwards; dns_memo_holds never asks the
 * cache. */
static void test_memo_reads_cache(void **state)
{
	struct dns_cache *c = dns_cache_new(0);
	struct dns_memo *m = dns_memo_new();
	struct dns_cache_stats st;
	struct dns_answer a;
	(void)state;
	make(&a, "_spf.provider.example", DNS_TYPE_TXT, "v=spf1 ip4:192.0.2.0/24 -all");
	const struct dns_answer *stored = dns_cache_put(c, &a);
	dns_answer_cleanup(&a);
	assert_non_null(stored);

	/* Without the cache: not known. */
	assert_null(dns_memo_get(m, "_spf.provider.example", DNS_TYPE_TXT));
	dns_memo_use_cache(m, c);
	assert_false(dns_memo_holds(m, "_spf.provider.example", DNS_TYPE_TXT));
	/* With it, any spelling of the name; the cache's entry itself. */
	assert_ptr_equal(dns_memo_get(m, "_SPF.Provider.example.", DNS_TYPE_TXT), stored);
	assert_true(dns_memo_holds(m, "_spf.provider.example", DNS_TYPE_TXT));
	assert_ptr_equal(dns_memo_get(m, "_spf.provider.example", DNS_TYPE_TXT), stored);
	assert_int_equal(dns_memo_cache_hits(m), 1);
	assert_int_equal(dns_memo_count(m), 1);
	/* Another type, another name: not in the cache, no miss counted. */
	assert_null(dns_memo_get(m, "_spf.provider.example", DNS_TYPE_MX));
	assert_null(dns_memo_get(m, "other.example", DNS_TYPE_TXT));
	dns_cache_stats(c, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 0);
	assert_int_equal(dns_memo_cache_hits(m), 1);
	dns_memo_free(m); /* before the cache, whose entry it points at */
	dns_cache_free(c);
}

/* Many entries: the tables grow many times over, and every (name, type)
 * still finds its own answer, never a neighbour's; names differ in one
 * character only, the same name under two types. */
static void test_many(void **state)
{
	(void)state;
	enum { N = 20000 };
	struct dns_cache *c = dns_cache_new(0);
	assert_non_null(c);
	char name[64], txt[64];
	struct dns_answer a;
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		snprintf(txt, sizeof(txt), "txt %d", i);
		make(&a, name, DNS_TYPE_TXT, txt);
		assert_non_null(dns_cache_put(c, &a));
		dns_answer_cleanup(&a);
		snprintf(txt, sizeof(txt), "mx %d", i);
		make(&a, name, DNS_TYPE_MX, txt);
		assert_non_null(dns_cache_put(c, &a));
		dns_answer_cleanup(&a);
	}
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		const struct dns_answer *t = dns_cache_get(c, name, DNS_TYPE_TXT);
		const struct dns_answer *m = dns_cache_get(c, name, DNS_TYPE_MX);
		assert_non_null(t);
		assert_non_null(m);
		snprintf(txt, sizeof(txt), "txt %d", i);
		assert_string_equal(t->rr[0].data, txt);
		snprintf(txt, sizeof(txt), "mx %d", i);
		assert_string_equal(m->rr[0].data, txt);
		assert_false(dns_cache_has(c, name, DNS_TYPE_A));
	}
	assert_false(dns_cache_has(c, "n20000.example", DNS_TYPE_TXT));
	struct dns_cache_stats st;
	dns_cache_stats(c, &st);
	assert_int_equal(st.entries, 2 * N);
	assert_int_equal(st.hits, 2 * N);
	dns_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_memo_reads_cache),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
