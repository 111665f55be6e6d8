/*
 * bimi_fetch.c — a domain's BIMI logo and certificate over the fetcher
 * (see bimi_fetch.h).
 */
#include "bimi_fetch.h"

#include <stdlib.h>
#include <string.h>

struct fetch *bimi_fetcher_new(const struct dns_config *dns, struct dns_cache *cache,
                               const struct fetch_config *base, struct fetch_dns **fd, char *err,
                               size_t errlen)
{
	*fd = fetch_dns_new(dns, cache, err, errlen);
	if (*fd == NULL)
		return NULL;
	struct fetch_config cfg = *base;
	cfg.resolve = fetch_dns_resolve;
	cfg.resolve_arg = *fd;
	struct fetch *fe = fetch_new(&cfg, err, errlen);
	if (fe == NULL) {
		fetch_dns_free(*fd);
		*fd = NULL;
	}
	return fe;
}

int bimi_fetches_add(struct fetch *fe, const struct domain_result *r, struct bimi_fetches *x)
{
	const char *urls[2] = { checks_bimi_logo_url(r), checks_bimi_cert_url(r) };
	const size_t caps[2] = { BIMI_LOGO_FETCH_MAX, BIMI_CERT_FETCH_MAX };
	int n = 0;
	memset(x, 0, sizeof(*x));
	for (int k = 0; k < 2; k++) {
		if (urls[k] == NULL)
			continue;
		if (fetch_add(fe, urls[k], caps[k], &x->slot[k]) != 0)
			return -1;
		n++;
	}
	return n;
}

int bimi_fetches_done(void *arg, struct fetch_result *r)
{
	(void)arg;
	struct bimi_fetch_slot *s = r->tag;
	s->res = *r;
	s->res.body = NULL;
	s->body = r->body;
	r->body = NULL; /* taken */
	s->done = true;
	return 0;
}

void bimi_fetches_view(const struct bimi_fetches *x, int k, struct bimi_fetched *out)
{
	const struct bimi_fetch_slot *s = &x->slot[k];
	memset(out, 0, sizeof(*out));
	out->attempted = s->done;
	if (!s->done)
		return;
	out->ok = s->res.status == FETCH_OK;
	out->body = s->body;
	out->len = s->res.len;
	out->error = fetch_status_name(s->res.status);
	out->reason = s->res.reason;
}

void bimi_fetches_cleanup(struct bimi_fetches *x)
{
	for (int k = 0; k < 2; k++) {
		free(x->slot[k].body);
		x->slot[k].body = NULL;
		x->slot[k].done = false;
	}
}
