/*
 * memo.c — a small table of answers for one domain's checks. A few dozen
 * entries at most, so a linear search beats a hash here. An answer the
 * run's cache holds (ans->shared) is kept by pointer, not copied: about
 * half of a scan's answers, and a copy is a few kilobytes.
 */
#include "memo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnscache.h"
#include "strutil.h"

struct memo_entry {
	const struct dns_answer *a;
	struct dns_answer *owned; /* == a when the memo made the copy */
};

struct dns_memo {
	struct memo_entry *v;
	size_t n, cap;
	struct dns_cache *cache; /* NULL: the memo alone */
	uint64_t cache_hits;
};

struct dns_memo *dns_memo_new(void)
{
	return calloc(1, sizeof(struct dns_memo));
}

void dns_memo_free(struct dns_memo *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		dns_answer_free(m->v[i].owned);
	free(m->v);
	free(m);
}

size_t dns_memo_count(const struct dns_memo *m)
{
	return m->n;
}

static const struct dns_answer *find(struct dns_memo *m, const char *name, uint16_t type)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].a->type == type && strcmp(m->v[i].a->name, name) == 0)
			return m->v[i].a;
	return NULL;
}

/* Keeps a; owned (a itself, or NULL for a shared answer) is freed with
 * the memo. */
static int store(struct dns_memo *m, const struct dns_answer *a, struct dns_answer *owned)
{
	if (m->n >= DNS_MEMO_MAX)
		return -1;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct memo_entry *v = realloc(m->v, cap * sizeof(struct memo_entry));
		if (v == NULL)
			return -1;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n].a = a;
	m->v[m->n].owned = owned;
	m->n++;
	return 0;
}

/* The key name is stored under: normalised, or for a name that is not a
 * valid DNS name its raw text cut to fit (it only has to be found again
 * by the same check). Returns whether the name is valid. */
static bool key_of(const char *name, char norm[DNS_NAME_BUF])
{
	if (dns_name_normalize(name, norm, DNS_NAME_BUF) == 0)
		return true;
	str_copy(norm, DNS_NAME_BUF, name);
	return false;
}

const struct dns_answer *dns_memo_get(struct dns_memo *m, const char *name, uint16_t type)
{
	char norm[DNS_NAME_BUF];

	/* Checks replay their lookups with names that are normalised
	 * already: found as given, they need no copy. (A name equal to a
	 * stored one normalises to it, or is the same invalid text.) */
	const struct dns_answer *same = find(m, name, type);
	if (same != NULL)
		return same;
	if (!key_of(name, norm)) {
		const struct dns_answer *found = find(m, norm, type);
		if (found != NULL)
			return found;
		struct dns_answer *a = calloc(1, sizeof(*a));
		if (a == NULL)
			return NULL;
		str_copy(a->name, sizeof(a->name), norm);
		a->type = type;
		a->outcome = DNS_OUTCOME_NXDOMAIN;
		a->rcode = -1;
		snprintf(a->detail, sizeof(a->detail), "not a valid DNS name: not asked");
		if (store(m, a, a) != 0) {
			dns_answer_free(a);
			return NULL;
		}
		return a;
	}
	const struct dns_answer *found = find(m, norm, type);
	if (found == NULL && m->cache != NULL) {
		found = dns_cache_get_hit(m->cache, norm, type);
		if (found != NULL && store(m, found, NULL) != 0)
			found = NULL; /* full: the adapter's answer will say so */
		else if (found != NULL)
			m->cache_hits++;
	}
	return found;
}

void dns_memo_use_cache(struct dns_memo *m, struct dns_cache *cache)
{
	m->cache = cache;
}

uint64_t dns_memo_cache_hits(const struct dns_memo *m)
{
	return m->cache_hits;
}

bool dns_memo_holds(struct dns_memo *m, const char *name, uint16_t type)
{
	char norm[DNS_NAME_BUF];
	if (find(m, name, type) != NULL)
		return true;
	(void)key_of(name, norm);
	return find(m, norm, type) != NULL;
}

int dns_memo_put(struct dns_memo *m, const struct dns_answer *ans)
{
	if (find(m, ans->name, ans->type) != NULL)
		return 0;
	if (ans->shared != NULL)
		return store(m, ans->shared, NULL);
	struct dns_answer *a = dns_answer_dup(ans);
	if (a == NULL)
		return -1;
	if (store(m, a, a) != 0) {
		dns_answer_free(a);
		return -1;
	}
	return 0;
}

const struct dns_answer *dns_memo_lookup(void *ctx, const char *name, uint16_t type)
{
	return dns_memo_get(ctx, name, type);
}
