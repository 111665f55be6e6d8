/*
 * memo.c — a small table of answers for one domain's checks. A few dozen
 * entries at most, so a linear search beats a hash here. An answer the
 * run's cache holds (ans->shared) is kept by pointer, not copied: about
 * half of a scan's answers. The others are copied compact (memo.h,
 * dns_memo_drop_views): once the run's cache is full, every answer a
 * domain gets is one of those, and as whole structs they were 2.3 KiB
 * each, the most of a domain in progress.
 */
#include "memo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_probe.h"
#include "dmarc.h"
#include "dnscache.h"
#include "spf_audit.h"
#include "strutil.h"

/*
 * What one domain's checks can ask at most (memo.h): the SPF audit's
 * walk, plus what its look-ahead may ask past a missing TXT and the
 * complete walk then does not (spf_audit.h); the DMARC check; the BIMI
 * check's two selector names and the organisational domain's DMARC check;
 * MX, A and AAAA of the domain; the DKIM probes and _domainkey; the
 * _mta-sts and _smtp._tls TXT records (the MTA-STS check's MX is the
 * domain's). DNSSEC and DANE ask through getdns, not the memo.
 */
#define MEMO_NEEDS_AT_MOST                                                                         \
	(SPF_AUDIT_MAX_ANSWERS + SPF_AUDIT_LOOKAHEAD * (SPF_AUDIT_LOOKAHEAD_DEPTH + 1) +           \
	 2 * DMARC_MAX_ANSWERS + 2 + 3 + DKIM_PROBE_MAX + 1 + 2)
_Static_assert(MEMO_NEEDS_AT_MOST <= DNS_MEMO_MAX,
               "a domain's checks could need more answers than DNS_MEMO_MAX holds");

/* An answer the memo copied: its fields, then in the same block its
 * records and their data, and its three strings. */
struct memo_copy {
	uint16_t type;
	enum dns_outcome outcome;
	int rcode;
	bool tcp;
	bool from_cache;
	int attempts;
	int cname_hops;
	unsigned ms;
	size_t nrr;
	struct dns_rr *rr; /* in the block; each data also */
	const char *name, *canonical, *detail;
};

struct memo_entry {
	const char *name; /* the answer's, for the search */
	uint16_t type;
	const struct dns_answer *shared; /* the run's cache's answer, or NULL */
	struct memo_copy *copy;          /* or the memo's own */
	struct dns_answer *view;         /* copy as a full struct, while handed out */
};

struct dns_memo {
	struct memo_entry *v;
	size_t n, cap;
	size_t views;            /* entries with a view */
	struct dns_cache *cache; /* NULL: the memo alone */
	uint64_t cache_hits;
};

struct dns_memo *dns_memo_new(void)
{
	return calloc(1, sizeof(struct dns_memo));
}

void dns_memo_drop_views(struct dns_memo *m)
{
	for (size_t i = 0; i < m->n && m->views > 0; i++)
		if (m->v[i].view != NULL) {
			free(m->v[i].view);
			m->v[i].view = NULL;
			m->views--;
		}
}

void dns_memo_free(struct dns_memo *m)
{
	if (m == NULL)
		return;
	dns_memo_drop_views(m);
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].copy);
	free(m->v);
	free(m);
}

size_t dns_memo_count(const struct dns_memo *m)
{
	return m->n;
}

/* A string of a struct dns_answer, which is always terminated within its
 * array; cut at the array's end if it were not. */
static size_t field_len(const char *s, size_t size)
{
	return strnlen(s, size - 1);
}

/* Appends len bytes and a NUL at *at; returns where they went. */
static char *put_bytes(char **at, const char *s, size_t len)
{
	char *dst = *at;
	if (len > 0)
		memcpy(dst, s, len);
	dst[len] = '\0';
	*at += len + 1;
	return dst;
}

/* The compact copy of a, in one block. NULL when out of memory. */
static struct memo_copy *copy_pack(const struct dns_answer *a)
{
	size_t nl = field_len(a->name, sizeof(a->name));
	size_t cl = field_len(a->canonical, sizeof(a->canonical));
	size_t dl = field_len(a->detail, sizeof(a->detail));
	size_t size = sizeof(struct memo_copy) + a->nrr * sizeof(struct dns_rr) + nl + cl + dl + 3;
	for (size_t i = 0; i < a->nrr; i++)
		size += a->rr[i].len + 1;
	struct memo_copy *c = malloc(size);
	if (c == NULL)
		return NULL;
	c->type = a->type;
	c->outcome = a->outcome;
	c->rcode = a->rcode;
	c->tcp = a->tcp;
	c->from_cache = a->from_cache;
	c->attempts = a->attempts;
	c->cname_hops = a->cname_hops;
	c->ms = a->ms;
	c->nrr = a->nrr;
	c->rr = a->nrr > 0 ? (struct dns_rr *)(void *)(c + 1) : NULL;
	char *at = (char *)(void *)(c + 1) + a->nrr * sizeof(struct dns_rr);
	for (size_t i = 0; i < a->nrr; i++) {
		/* As dns_answer_add keeps a record (dns_answer_dup). */
		struct dns_rr *rr = &c->rr[i];
		memset(rr, 0, sizeof(*rr));
		rr->type = a->rr[i].type;
		rr->pref = a->rr[i].pref;
		rr->len = a->rr[i].len;
		memcpy(rr->addr, a->rr[i].addr, rr->type == DNS_TYPE_AAAA ? 16 : 4);
		rr->data = put_bytes(&at, a->rr[i].data, a->rr[i].len);
	}
	c->name = put_bytes(&at, a->name, nl);
	c->canonical = put_bytes(&at, a->canonical, cl);
	c->detail = put_bytes(&at, a->detail, dl);
	return c;
}

/* The answer of e as callers see it; NULL when out of memory. */
static const struct dns_answer *answer_of(struct dns_memo *m, struct memo_entry *e)
{
	if (e->shared != NULL)
		return e->shared;
	if (e->view != NULL)
		return e->view;
	const struct memo_copy *c = e->copy;
	struct dns_answer *v = malloc(sizeof(*v));
	if (v == NULL)
		return NULL;
	str_copy(v->name, sizeof(v->name), c->name);
	str_copy(v->canonical, sizeof(v->canonical), c->canonical);
	str_copy(v->detail, sizeof(v->detail), c->detail);
	v->type = c->type;
	v->outcome = c->outcome;
	v->rcode = c->rcode;
	v->tcp = c->tcp;
	v->from_cache = c->from_cache;
	v->shared = NULL;
	v->attempts = c->attempts;
	v->cname_hops = c->cname_hops;
	v->ms = c->ms;
	v->nrr = c->nrr;
	v->rr = c->rr; /* the block's, read only through the view */
	e->view = v;
	m->views++;
	return v;
}

static struct memo_entry *find(struct dns_memo *m, const char *name, uint16_t type)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].type == type && strcmp(m->v[i].name, name) == 0)
			return &m->v[i];
	return NULL;
}

/* Keeps the cache's answer shared, or the copy c (freed with the memo).
 * Returns the entry, or NULL when full or out of memory. */
static struct memo_entry *store(struct dns_memo *m, const struct dns_answer *shared,
                                struct memo_copy *c)
{
	if (m->n >= DNS_MEMO_MAX)
		return NULL;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct memo_entry *v = realloc(m->v, cap * sizeof(struct memo_entry));
		if (v == NULL)
			return NULL;
		m->v = v;
		m->cap = cap;
	}
	struct memo_entry *e = &m->v[m->n++];
	e->name = shared != NULL ? shared->name : c->name;
	e->type = shared != NULL ? shared->type : c->type;
	e->shared = shared;
	e->copy = c;
	e->view = NULL;
	return e;
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

/* Stores the NXDOMAIN answer of a name that cannot exist. */
static const struct dns_answer *store_invalid(struct dns_memo *m, const char *norm, uint16_t type)
{
	struct dns_answer *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	str_copy(a->name, sizeof(a->name), norm);
	a->type = type;
	a->outcome = DNS_OUTCOME_NXDOMAIN;
	a->rcode = -1;
	snprintf(a->detail, sizeof(a->detail), "not a valid DNS name: not asked");
	struct memo_copy *c = copy_pack(a);
	dns_answer_free(a);
	struct memo_entry *e = c != NULL ? store(m, NULL, c) : NULL;
	if (e == NULL) {
		free(c);
		return NULL;
	}
	return answer_of(m, e);
}

const struct dns_answer *dns_memo_get(struct dns_memo *m, const char *name, uint16_t type)
{
	char norm[DNS_NAME_BUF];

	/* Checks replay their lookups with names that are normalised
	 * already: found as given, they need no copy. (A name equal to a
	 * stored one normalises to it, or is the same invalid text.) */
	struct memo_entry *e = find(m, name, type);
	if (e != NULL)
		return answer_of(m, e);
	if (!key_of(name, norm)) {
		e = find(m, norm, type);
		return e != NULL ? answer_of(m, e) : store_invalid(m, norm, type);
	}
	e = find(m, norm, type);
	if (e != NULL)
		return answer_of(m, e);
	if (m->cache == NULL)
		return NULL;
	const struct dns_answer *found = dns_cache_get_hit(m->cache, norm, type);
	if (found == NULL || store(m, found, NULL) == NULL)
		return NULL; /* full: the adapter's answer will say so */
	m->cache_hits++;
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
		return store(m, ans->shared, NULL) != NULL ? 0 : -1;
	struct memo_copy *c = copy_pack(ans);
	if (c == NULL)
		return -1;
	if (store(m, NULL, c) == NULL) {
		free(c);
		return -1;
	}
	return 0;
}

const struct dns_answer *dns_memo_lookup(void *ctx, const char *name, uint16_t type)
{
	return dns_memo_get(ctx, name, type);
}
