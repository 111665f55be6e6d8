/*
 * fetch_dns.c — the fetcher's resolver callback on the DNS adapter. See
 * fetch_dns.h. Neither curl nor getdns is included here: this is glue
 * between two project APIs.
 */
#include "fetch_dns.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fetch_dns {
	struct dns_worker *w;
};

/* The answers of one resolve: [0] A, [1] AAAA. */
struct fetch_dns_pair {
	struct dns_answer *ans[2];
	bool failed[2]; /* could not copy the answer */
};

struct fetch_dns_slot {
	struct fetch_dns_pair *pair;
	int index;
};

struct fetch_dns *fetch_dns_new(const struct dns_config *cfg, struct dns_cache *cache, char *err,
                                size_t errlen)
{
	struct fetch_dns *d = calloc(1, sizeof(*d));
	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->w = dns_worker_new(cfg, cache, err, errlen);
	if (d->w == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

void fetch_dns_free(struct fetch_dns *d)
{
	if (d == NULL)
		return;
	dns_worker_free(d->w);
	free(d);
}

static void on_answer(const struct dns_answer *ans, void *arg)
{
	struct fetch_dns_slot *s = arg;
	s->pair->ans[s->index] = dns_answer_dup(ans);
	if (s->pair->ans[s->index] == NULL)
		s->pair->failed[s->index] = true;
}

static bool temporary(const struct dns_answer *a)
{
	return a == NULL || a->outcome == DNS_OUTCOME_SERVFAIL || a->outcome == DNS_OUTCOME_TIMEOUT;
}

static const char *outcome(const struct dns_answer *a)
{
	return a != NULL ? dns_outcome_name(a->outcome) : "not asked (out of memory)";
}

int fetch_dns_resolve(void *arg, const char *host, char addrs[][FETCH_ADDR_MAX], int max, char *err,
                      size_t errlen)
{
	static const uint16_t types[2] = { DNS_TYPE_A, DNS_TYPE_AAAA };
	struct fetch_dns *d = arg;
	struct fetch_dns_pair pair = { 0 };
	struct fetch_dns_slot slots[2];
	int n = 0, started = 0, rc;

	err[0] = '\0';
	for (int i = 0; i < 2; i++) {
		slots[i].pair = &pair;
		slots[i].index = i;
		if (dns_query_start(d->w, host, types[i], on_answer, &slots[i]) == 0)
			started++;
		else
			pair.failed[i] = true;
	}
	if (started == 0) {
		/* Not a temporary failure: asking again would fail the same way. */
		snprintf(err, errlen, "cannot ask for %.80s (not a valid name, or out of memory)",
		         host);
		return 0;
	}
	dns_worker_run(d->w);
	/* IPv4 first: the bed and most logo hosts are reached over it, and
	 * curl tries the addresses in this order (happy eyeballs aside). */
	for (int i = 0; i < 2; i++) {
		const struct dns_answer *a = pair.ans[i];
		if (a == NULL || a->outcome != DNS_OUTCOME_DATA)
			continue;
		for (size_t r = 0; r < a->nrr && n < max; r++) {
			if (a->rr[r].type != types[i])
				continue; /* the CNAMEs of a chain */
			snprintf(addrs[n], FETCH_ADDR_MAX, "%s", a->rr[r].data);
			n++;
		}
	}
	if (n > 0) {
		rc = n;
	} else {
		const struct dns_answer *a = pair.ans[0], *aaaa = pair.ans[1];
		const struct dns_answer *why = temporary(a) ? a : aaaa;
		snprintf(err, errlen, "A %s, AAAA %s%s%s", outcome(a), outcome(aaaa),
		         why != NULL && why->detail[0] != '\0' ? ": " : "",
		         why != NULL ? why->detail : "");
		rc = temporary(a) || temporary(aaaa) ? -1 : 0;
	}
	dns_answer_free(pair.ans[0]);
	dns_answer_free(pair.ans[1]);
	return rc;
}
