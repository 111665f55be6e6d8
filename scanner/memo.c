/*
 * memo.c — a small table of answers for one domain's checks. A few dozen
 * entries at most, so a linear search beats a hash here.
 */
#include "memo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dns_memo {
	struct dns_answer **v;
	size_t n, cap;
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
		dns_answer_free(m->v[i]);
	free(m->v);
	free(m);
}

size_t dns_memo_count(const struct dns_memo *m)
{
	return m->n;
}

static struct dns_answer *find(struct dns_memo *m, const char *name, uint16_t type)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i]->type == type && strcmp(m->v[i]->name, name) == 0)
			return m->v[i];
	return NULL;
}

static int store(struct dns_memo *m, struct dns_answer *a)
{
	if (m->n >= DNS_MEMO_MAX)
		return -1;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct dns_answer **v = realloc(m->v, cap * sizeof(struct dns_answer *));
		if (v == NULL)
			return -1;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = a;
	return 0;
}

const struct dns_answer *dns_memo_get(struct dns_memo *m, const char *name, uint16_t type)
{
	char norm[DNS_NAME_BUF];

	if (dns_name_normalize(name, norm, sizeof(norm)) != 0) {
		/* Keyed by the raw text, cut to fit: it only has to be
		 * found again by the same check. */
		snprintf(norm, sizeof(norm), "%s", name);
		struct dns_answer *a = find(m, norm, type);
		if (a != NULL)
			return a;
		a = calloc(1, sizeof(*a));
		if (a == NULL)
			return NULL;
		snprintf(a->name, sizeof(a->name), "%s", norm);
		a->type = type;
		a->outcome = DNS_OUTCOME_NXDOMAIN;
		a->rcode = -1;
		snprintf(a->detail, sizeof(a->detail), "not a valid DNS name: not asked");
		if (store(m, a) != 0) {
			dns_answer_free(a);
			return NULL;
		}
		return a;
	}
	return find(m, norm, type);
}

int dns_memo_put(struct dns_memo *m, const struct dns_answer *ans)
{
	if (find(m, ans->name, ans->type) != NULL)
		return 0;
	struct dns_answer *a = dns_answer_dup(ans);
	if (a == NULL)
		return -1;
	if (store(m, a) != 0) {
		dns_answer_free(a);
		return -1;
	}
	return 0;
}

const struct dns_answer *dns_memo_lookup(void *ctx, const char *name, uint16_t type)
{
	return dns_memo_get(ctx, name, type);
}
