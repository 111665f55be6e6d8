/*
 * strmap.c — a set of strings with their order of addition (strmap.h).
 */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int grow(struct strmap *m)
{
	size_t nslot = m->nslot ? m->nslot * 2 : 64;
	size_t *slot = calloc(nslot, sizeof(size_t));
	if (slot == NULL)
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		size_t k = hash(m->keys[i]) & (nslot - 1);
		while (slot[k] != 0)
			k = (k + 1) & (nslot - 1);
		slot[k] = i + 1;
	}
	free(m->slot);
	m->slot = slot;
	m->nslot = nslot;
	return 0;
}

size_t strmap_find(const struct strmap *m, const char *key)
{
	if (m->nslot == 0)
		return STRMAP_NONE;
	size_t k = hash(key) & (m->nslot - 1);
	while (m->slot[k] != 0) {
		size_t i = m->slot[k] - 1;
		if (strcmp(m->keys[i], key) == 0)
			return i;
		k = (k + 1) & (m->nslot - 1);
	}
	return STRMAP_NONE;
}

size_t strmap_put(struct strmap *m, const char *key, bool *added)
{
	*added = false;
	size_t i = strmap_find(m, key);
	if (i != STRMAP_NONE)
		return i;
	if (2 * (m->n + 1) > m->nslot && grow(m) != 0)
		return STRMAP_NONE;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		char **keys = realloc(m->keys, cap * sizeof(*keys));
		if (keys == NULL)
			return STRMAP_NONE;
		m->keys = keys;
		m->cap = cap;
	}
	char *k = strdup(key);
	if (k == NULL)
		return STRMAP_NONE;
	size_t h = hash(key) & (m->nslot - 1);
	while (m->slot[h] != 0)
		h = (h + 1) & (m->nslot - 1);
	m->keys[m->n] = k;
	m->slot[h] = ++m->n;
	*added = true;
	return m->n - 1;
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->slot);
	memset(m, 0, sizeof(*m));
}
