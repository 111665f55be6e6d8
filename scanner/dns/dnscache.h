/*
 * dnscache.h — the per-run answer cache shared by every worker thread.
 *
 * Thousands of domains include the same providers (_spf.google.com,
 * spf.protection.outlook.com): a run asks for each name once. Entries live
 * until the cache is freed (one run) and are immutable once stored, so a
 * pointer from dns_cache_get stays valid until dns_cache_free. Temporary
 * failures are never stored (the adapter decides what to put).
 */
#ifndef POSTURE_DNSCACHE_H
#define POSTURE_DNSCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsutil.h"

struct dns_cache;

struct dns_cache_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t entries;
	uint64_t refused; /* puts refused because the cache was full */
};

/* max_entries bounds memory; 0 means the default of DNS_CACHE_DEFAULT. */
#define DNS_CACHE_DEFAULT 262144
struct dns_cache *dns_cache_new(size_t max_entries);
void dns_cache_free(struct dns_cache *cache);

/* Returns the stored answer for (name, type) or NULL; counts a hit or a
 * miss. name must be normalised (dns_name_normalize). Thread-safe. */
const struct dns_answer *dns_cache_get(struct dns_cache *cache, const char *name, uint16_t type);
/* As dns_cache_get, but counts only a hit: for a lookup that, on a miss,
 * goes on to the adapter, whose own dns_cache_get counts the miss (so
 * hits + misses stay the questions asked). */
const struct dns_answer *dns_cache_get_hit(struct dns_cache *cache, const char *name,
                                           uint16_t type);
/* True when (name, type) is stored; counts nothing. Thread-safe. */
bool dns_cache_has(struct dns_cache *cache, const char *name, uint16_t type);
/* Stores a deep copy of ans under (ans->name, ans->type) unless an entry
 * exists already. Returns the stored entry (the new copy, or the one
 * another worker stored first), valid until dns_cache_free; NULL when full
 * or out of memory (the answer is then simply not cached). Thread-safe. */
const struct dns_answer *dns_cache_put(struct dns_cache *cache, const struct dns_answer *ans);
/* As dns_cache_put, but a new entry takes ans's records instead of
 * copying them (ans is left with none); when nothing is stored (an entry
 * exists, or the cache is full), ans keeps them. */
const struct dns_answer *dns_cache_take(struct dns_cache *cache, struct dns_answer *ans);
void dns_cache_stats(struct dns_cache *cache, struct dns_cache_stats *out);

#endif
