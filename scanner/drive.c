/*
 * drive.c — the synchronous driver used by the one-domain commands.
 * One question at a time: a domain's checks rarely need more than a dozen
 * answers, and the per-run cache makes repeated runs cheap.
 */
#include "drive.h"

#include <stdio.h>

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
	struct spf_dns dns = { dns_memo_lookup, memo };
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
