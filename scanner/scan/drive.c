/*
 * drive.c — the synchronous drivers used by the one-domain commands:
 * drive_sync asks one question at a time (posture spf eval, posture
 * dmarc); drive_rounds asks every question a round of checks misses at
 * once (posture spf, posture check, posture bimi).
 */
#include "drive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "strutil.h"

struct fetch {
	struct dns_memo *memo;
	int stored;
};

static void on_answer(const struct dns_answer *a, void *arg)
{
	struct fetch *f = arg;
	f->stored = dns_memo_put(f->memo, a) == 0;
}

int drive_sync(struct dns_worker *w, struct dns_memo *memo, drive_step_fn step, void *ctx,
               char *err, size_t errlen)
{
	struct spf_dns dns = { dns_memo_lookup, memo, NULL };
	char need[DNS_NAME_BUF];

	/* Each round adds one answer, so the memo's bound ends the loop. */
	for (int round = 0; round <= DNS_MEMO_MAX; round++) {
		bool pending = false;
		uint16_t type = 0;
		if (step(ctx, &dns, &pending, need, sizeof(need), &type) != 0) {
			snprintf(err, errlen, "the check failed (out of memory?)");
			return -1;
		}
		if (!pending)
			return 0;
		if (dns_memo_get(memo, need, type) != NULL) {
			snprintf(err, errlen, "the check asked again for %s after its answer came",
			         need);
			return -1;
		}
		struct fetch f = { memo, 0 };
		if (dns_query_start(w, need, type, on_answer, &f) != 0) {
			snprintf(err, errlen, "cannot query %s", need);
			return -1;
		}
		dns_worker_run(w);
		if (!f.stored) {
			snprintf(err, errlen, "too many answers for one domain (DNS_MEMO_MAX)");
			return -1;
		}
	}
	snprintf(err, errlen, "the check did not finish");
	return -1;
}

/* One round's questions: a few checks, each its own plus look-ahead,
 * and every DKIM probe of the domain at once. */
#define DRIVE_ROUND_MAX 192
_Static_assert(DRIVE_ROUND_MAX >= CHECK_COUNT + SPF_AUDIT_LOOKAHEAD + DKIM_PROBE_MAX + 1,
               "a round could not hold a domain's DKIM probes with the other checks'");

struct round {
	struct dns_memo *memo;
	struct {
		char name[DNS_NAME_BUF];
		uint16_t type;
	} q[DRIVE_ROUND_MAX];
	int n;
	bool again; /* a required answer was already in the memo */
	char again_name[DNS_NAME_BUF];
	int failed; /* answers the memo had no room for */
};

static void collect(void *arg, const char *name, uint16_t type, bool required)
{
	struct round *r = arg;
	if (dns_memo_get(r->memo, name, type) != NULL) {
		if (required && !r->again) {
			r->again = true;
			str_copy(r->again_name, sizeof(r->again_name), name);
		}
		return;
	}
	for (int i = 0; i < r->n; i++)
		if (r->q[i].type == type && dns_name_equal(r->q[i].name, name))
			return;
	/* Look-ahead beyond the bound is dropped; a required one cannot be,
	 * but five checks cannot fill the round with required questions. */
	if (r->n >= DRIVE_ROUND_MAX || strlen(name) >= DNS_NAME_BUF)
		return;
	str_copy(r->q[r->n].name, DNS_NAME_BUF, name);
	r->q[r->n].type = type;
	r->n++;
}

static void on_round_answer(const struct dns_answer *a, void *arg)
{
	struct round *r = arg;
	if (dns_memo_put(r->memo, a) != 0)
		r->failed++;
}

int drive_rounds(struct dns_worker *w, struct dns_memo *memo, drive_round_fn round, void *ctx,
                 char *err, size_t errlen)
{
	struct spf_dns dns = { dns_memo_lookup, memo, NULL };
	struct round *r = malloc(sizeof(*r));
	int rc = -1;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Each round adds at least one answer, so the memo's bound ends the
	 * loop. */
	for (int n = 0; n <= DNS_MEMO_MAX; n++) {
		bool done = false;
		r->memo = memo;
		r->n = 0;
		r->again = false;
		r->failed = 0;
		if (round(ctx, &dns, collect, r, &done) != 0) {
			snprintf(err, errlen, "the check failed (out of memory?)");
			goto out;
		}
		if (done) {
			rc = 0;
			goto out;
		}
		if (r->again) {
			snprintf(err, errlen, "the check asked again for %s after its answer came",
			         r->again_name);
			goto out;
		}
		if (r->n == 0) {
			snprintf(err, errlen, "the check waits for nothing it can ask");
			goto out;
		}
		for (int i = 0; i < r->n; i++)
			if (dns_query_start(w, r->q[i].name, r->q[i].type, on_round_answer, r) !=
			    0) {
				snprintf(err, errlen, "cannot query %s", r->q[i].name);
				dns_worker_run(w); /* let the ones started finish */
				goto out;
			}
		dns_worker_run(w);
		if (r->failed > 0) {
			snprintf(err, errlen, "too many answers for one domain (DNS_MEMO_MAX)");
			goto out;
		}
	}
	snprintf(err, errlen, "the check did not finish");
out:
	free(r);
	return rc;
}

struct check_host_step {
	const struct spf_request *req;
	struct spf_eval_result *res;
};

static int check_host_step(void *ctx, const struct spf_dns *dns, bool *pending, char *need,
                           size_t needlen, uint16_t *need_type)
{
	struct check_host_step *st = ctx;
	spf_eval_result_cleanup(st->res);
	if (spf_check_host(st->req, dns, st->res) != 0)
		return -1;
	*pending = st->res->pending;
	snprintf(need, needlen, "%s", st->res->need_name);
	*need_type = st->res->need_type;
	return 0;
}

int drive_check_host(struct dns_worker *w, struct dns_memo *memo, const struct spf_request *req,
                     struct spf_eval_result *res, char *err, size_t errlen)
{
	struct check_host_step st = { req, res };
	memset(res, 0, sizeof(*res));
	return drive_sync(w, memo, check_host_step, &st, err, errlen);
}
