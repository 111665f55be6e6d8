/*
 * dnscache.c — a striped hash table of immutable answers.
 *
 * Striping keeps two worker threads from queueing on one lock when they
 * look up different names; 64 stripes is plenty for the few threads a
 * machine runs. Buckets never shrink: a run's cache only grows, up to
 * max_entries.
 */
#include "dnscache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DNS_CACHE_STRIPES 64

struct dns_cache_entry {
	struct dns_cache_entry *next;
	uint64_t hash;
	struct dns_answer *ans;
};

struct dns_cache_stripe {
	pthread_mutex_t lock;
	struct dns_cache_entry **buckets;
	size_t nbuckets;
	size_t count;
};

struct dns_cache {
	struct dns_cache_stripe stripes[DNS_CACHE_STRIPES];
	size_t max_entries;
	uint64_t hits, misses, entries, refused; /* updated atomically */
};

static uint64_t dns_cache_hash(const char *name, uint16_t type)
{
	/* FNV-1a over the name, then the type. */
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	h ^= type;
	h *= 1099511628211ULL;
	return h;
}

struct dns_cache *dns_cache_new(size_t max_entries)
{
	struct dns_cache *cache = calloc(1, sizeof(*cache));

	if (cache == NULL)
		return NULL;
	cache->max_entries = max_entries ? max_entries : DNS_CACHE_DEFAULT;
	for (size_t i = 0; i < DNS_CACHE_STRIPES; i++)
		pthread_mutex_init(&cache->stripes[i].lock, NULL);
	return cache;
}

void dns_cache_free(struct dns_cache *cache)
{
	if (cache == NULL)
		return;
	for (size_t i = 0; i < DNS_CACHE_STRIPES; i++) {
		struct dns_cache_stripe *s = &cache->stripes[i];
		for (size_t b = 0; b < s->nbuckets; b++) {
			struct dns_cache_entry *e = s->buckets[b];
			while (e != NULL) {
				struct dns_cache_entry *next = e->next;
				dns_answer_free(e->ans);
				free(e);
				e = next;
			}
		}
		free(s->buckets);
		pthread_mutex_destroy(&s->lock);
	}
	free(cache);
}

static struct dns_cache_entry *dns_cache_find(struct dns_cache_stripe *s, uint64_t hash,
                                              const char *name, uint16_t type)
{
	if (s->nbuckets == 0)
		return NULL;
	for (struct dns_cache_entry *e = s->buckets[(hash / DNS_CACHE_STRIPES) % s->nbuckets];
	     e != NULL; e = e->next)
		if (e->hash == hash && e->ans->type == type && strcmp(e->ans->name, name) == 0)
			return e;
	return NULL;
}

static const struct dns_answer *lookup(struct dns_cache *cache, const char *name, uint16_t type,
                                       bool count_hit, bool count_miss)
{
	uint64_t hash = dns_cache_hash(name, type);
	struct dns_cache_stripe *s = &cache->stripes[hash % DNS_CACHE_STRIPES];
	const struct dns_answer *found = NULL;

	pthread_mutex_lock(&s->lock);
	struct dns_cache_entry *e = dns_cache_find(s, hash, name, type);
	if (e != NULL)
		found = e->ans;
	pthread_mutex_unlock(&s->lock);
	if (found != NULL && count_hit)
		__atomic_add_fetch(&cache->hits, 1, __ATOMIC_RELAXED);
	else if (found == NULL && count_miss)
		__atomic_add_fetch(&cache->misses, 1, __ATOMIC_RELAXED);
	return found;
}

const struct dns_answer *dns_cache_get(struct dns_cache *cache, const char *name, uint16_t type)
{
	return lookup(cache, name, type, true, true);
}

const struct dns_answer *dns_cache_get_hit(struct dns_cache *cache, const char *name, uint16_t type)
{
	return lookup(cache, name, type, true, false);
}

bool dns_cache_has(struct dns_cache *cache, const char *name, uint16_t type)
{
	return lookup(cache, name, type, false, false) != NULL;
}

static int dns_cache_grow(struct dns_cache_stripe *s)
{
	size_t n = s->nbuckets ? s->nbuckets * 2 : 64;
	struct dns_cache_entry **b = calloc(n, sizeof(struct dns_cache_entry *));

	if (b == NULL)
		return -1;
	for (size_t i = 0; i < s->nbuckets; i++) {
		struct dns_cache_entry *e = s->buckets[i];
		while (e != NULL) {
			struct dns_cache_entry *next = e->next;
			size_t k = (e->hash / DNS_CACHE_STRIPES) % n;
			e->next = b[k];
			b[k] = e;
			e = next;
		}
	}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = n;
	return 0;
}

/* The entry's answer: a deep copy of ans, or when take is ans itself, its
 * own records (ans then has none). */
static struct dns_answer *entry_answer(const struct dns_answer *ans, struct dns_answer *take)
{
	if (take == NULL)
		return dns_answer_dup(ans);
	struct dns_answer *copy = malloc(sizeof(*copy));
	if (copy == NULL)
		return NULL;
	*copy = *take;
	take->rr = NULL;
	take->nrr = 0;
	return copy;
}

static const struct dns_answer *put(struct dns_cache *cache, const struct dns_answer *ans,
                                    struct dns_answer *take)
{
	uint64_t hash = dns_cache_hash(ans->name, ans->type);
	struct dns_cache_stripe *s = &cache->stripes[hash % DNS_CACHE_STRIPES];
	struct dns_cache_entry *e = NULL;
	const struct dns_answer *stored = NULL;

	if (__atomic_load_n(&cache->entries, __ATOMIC_RELAXED) >= cache->max_entries) {
		__atomic_add_fetch(&cache->refused, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	e = dns_cache_find(s, hash, ans->name, ans->type);
	if (e != NULL) {
		stored = e->ans; /* another worker stored it first: keep theirs */
		goto out;
	}
	if (s->count >= s->nbuckets && dns_cache_grow(s) != 0)
		goto out;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		goto out;
	e->ans = entry_answer(ans, take);
	if (e->ans == NULL) {
		free(e);
		goto out;
	}
	e->ans->from_cache = true;
	e->ans->shared = e->ans;
	e->hash = hash;
	size_t k = (hash / DNS_CACHE_STRIPES) % s->nbuckets;
	e->next = s->buckets[k];
	s->buckets[k] = e;
	s->count++;
	__atomic_add_fetch(&cache->entries, 1, __ATOMIC_RELAXED);
	stored = e->ans;
out:
	pthread_mutex_unlock(&s->lock);
	return stored;
}

const struct dns_answer *dns_cache_put(struct dns_cache *cache, const struct dns_answer *ans)
{
	return put(cache, ans, NULL);
}

const struct dns_answer *dns_cache_take(struct dns_cache *cache, struct dns_answer *ans)
{
	return put(cache, ans, ans);
}

void dns_cache_stats(struct dns_cache *cache, struct dns_cache_stats *out)
{
	out->hits = __atomic_load_n(&cache->hits, __ATOMIC_RELAXED);
	out->misses = __atomic_load_n(&cache->misses, __ATOMIC_RELAXED);
	out->entries = __atomic_load_n(&cache->entries, __ATOMIC_RELAXED);
	out->refused = __atomic_load_n(&cache->refused, __ATOMIC_RELAXED);
}
