/*
 * dnscache.c — a striped hash table of immutable answers.
 *
 * Striping keeps two worker threads from queueing on one lock when they
 * look up different names; 64 stripes is plenty for the few threads a
 * machine runs. Tables never shrink and entries are never removed: a
 * run's cache only grows, up to max_entries.
 */
#include "dnscache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DNS_CACHE_STRIPES 64

/* Open addressing, linear probes, never more than half full: a lookup
 * reads one slot (and, on a match, the answer's name). Chained entries
 * cost a miss on the bucket, one on the entry and one on the answer, and
 * the lookups were a twentieth of a scan's CPU. key: the hash with the
 * query type in its low 16 bits; 0 marks an empty slot. */
struct dns_cache_slot {
	uint64_t key;
	struct dns_answer *ans;
};

struct dns_cache_stripe {
	pthread_mutex_t lock;
	struct dns_cache_slot *slots;
	size_t mask; /* slots - 1; slots is a power of two, or none */
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

/* The slot key of (hash, type): never 0. */
static uint64_t slot_key(uint64_t hash, uint16_t type)
{
	uint64_t k = (hash & ~(uint64_t)0xffff) | type;
	return k ? k : (uint64_t)1 << 16;
}

/* The stripe's first slot to probe for a key: bits of the hash that
 * neither the stripe (the low 6) nor the type (the low 16) took, so a
 * growing table moves entries by their keys, without hashing a name. */
static size_t home(const struct dns_cache_stripe *s, uint64_t key)
{
	return (size_t)(key >> 20) & s->mask;
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
		if (s->slots != NULL)
			for (size_t k = 0; k <= s->mask; k++)
				dns_answer_free(s->slots[k].ans);
		free(s->slots);
		pthread_mutex_destroy(&s->lock);
	}
	free(cache);
}

/* The slot holding (name, type), or the empty slot where it would go;
 * NULL when the stripe has no table yet. */
static struct dns_cache_slot *dns_cache_find(struct dns_cache_stripe *s, uint64_t hash,
                                             const char *name, uint16_t type)
{
	if (s->slots == NULL)
		return NULL;
	uint64_t key = slot_key(hash, type);
	for (size_t i = home(s, key);; i = (i + 1) & s->mask) {
		struct dns_cache_slot *sl = &s->slots[i];
		if (sl->key == 0 ||
		    (sl->key == key && sl->ans->type == type && strcmp(sl->ans->name, name) == 0))
			return sl;
	}
}

static const struct dns_answer *lookup(struct dns_cache *cache, const char *name, uint16_t type,
                                       bool count_hit, bool count_miss)
{
	uint64_t hash = dns_cache_hash(name, type);
	struct dns_cache_stripe *s = &cache->stripes[hash % DNS_CACHE_STRIPES];
	const struct dns_answer *found = NULL;

	pthread_mutex_lock(&s->lock);
	struct dns_cache_slot *sl = dns_cache_find(s, hash, name, type);
	if (sl != NULL)
		found = sl->ans; /* NULL for an empty slot */
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
	size_t n = s->slots ? 2 * (s->mask + 1) : 64;
	struct dns_cache_slot *t = calloc(n, sizeof(*t));

	if (t == NULL)
		return -1;
	size_t old = s->slots ? s->mask + 1 : 0;
	struct dns_cache_slot *from = s->slots;
	s->slots = t;
	s->mask = n - 1;
	for (size_t k = 0; k < old; k++) {
		if (from[k].key == 0)
			continue;
		size_t i = home(s, from[k].key);
		while (t[i].key != 0)
			i = (i + 1) & s->mask;
		t[i] = from[k];
	}
	free(from);
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
	const struct dns_answer *stored = NULL;

	if (__atomic_load_n(&cache->entries, __ATOMIC_RELAXED) >= cache->max_entries) {
		__atomic_add_fetch(&cache->refused, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	struct dns_cache_slot *sl = dns_cache_find(s, hash, ans->name, ans->type);
	if (sl != NULL && sl->key != 0) {
		stored = sl->ans; /* another worker stored it first: keep theirs */
		goto out;
	}
	if (2 * (s->count + 1) > (s->slots ? s->mask + 1 : 0)) {
		if (dns_cache_grow(s) != 0)
			goto out;
		sl = dns_cache_find(s, hash, ans->name, ans->type); /* the empty slot */
	}
	if (sl == NULL) /* not after a grow; the analyzer cannot tell */
		goto out;
	struct dns_answer *copy = entry_answer(ans, take);
	if (copy == NULL)
		goto out;
	copy->from_cache = true;
	copy->shared = copy;
	sl->key = slot_key(hash, ans->type);
	sl->ans = copy;
	s->count++;
	__atomic_add_fetch(&cache->entries, 1, __ATOMIC_RELAXED);
	stored = copy;
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
