/*
 * strmap.h — a set of strings, each with its index in order of addition
 * (reports/ only: companies, groups, joined rows). Open addressing,
 * FNV-1a.
 */
#ifndef POSTURE_STRMAP_H
#define POSTURE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

#define STRMAP_NONE ((size_t)-1)

struct strmap {
	char **keys; /* in order of addition, owned */
	size_t n, cap;
	size_t *slot; /* index + 1, 0 empty */
	size_t nslot;
};

/* The index of key, added when new (*added true). STRMAP_NONE when out of
 * memory. */
size_t strmap_put(struct strmap *m, const char *key, bool *added);
/* The index of key, or STRMAP_NONE. */
size_t strmap_find(const struct strmap *m, const char *key);
void strmap_free(struct strmap *m);

#endif
