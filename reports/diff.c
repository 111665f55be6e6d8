/*
 * diff.c — what changed for each domain between two runs (see report.h).
 *
 * A change is one fact that differs: the SPF status (a new PermError is
 * its own kind), the DMARC class and policy, the VMC, BIMI eligibility,
 * MX, and the transport statuses (MTA-STS and its MX coverage, TLS-RPT,
 * DNSSEC, DANE). Each is improved, regressed or just changed by a fixed
 * order (below). A side whose check did not run or ended in a DNS failure is
 * unknown: it is never compared, so a timeout tonight is not a regression.
 *
 * The text of posture diff is written here too, within a width
 * (textcol.h); CSV and JSON are the command's.
 */
#include "report.h"

#include <string.h>

#include "textcol.h"
#include "write_impl.h"

static bool eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

const char *report_direction_name(enum report_direction d)
{
	return d == REPORT_IMPROVED ? "improved" : d == REPORT_REGRESSED ? "regressed" : "changed";
}

static int emit(const char *domain, const char *what, const char *from, const char *to,
                enum report_direction dir, int (*fn)(void *, const struct report_change *),
                void *arg)
{
	struct report_change c;
	memset(&c, 0, sizeof(c));
	c.domain = domain;
	c.what = what;
	snprintf(c.from, sizeof(c.from), "%s", from);
	snprintf(c.to, sizeof(c.to), "%s", to);
	c.direction = dir;
	return fn(arg, &c);
}

static enum report_direction by_rank(int a, int b)
{
	return b > a ? REPORT_IMPROVED : b < a ? REPORT_REGRESSED : REPORT_CHANGED;
}

static bool known(const char *s)
{
	return s[0] != '\0' && !eq(s, "not_run") && !eq(s, "error") && !eq(s, "temperror");
}

/* SPF: ok above none and permerror, which rank alike. */
static int spf_rank(const char *s)
{
	return eq(s, "ok") ? 1 : 0;
}

/* DMARC: missing/invalid, monitor, partial, quarantine, reject. */
static int dmarc_rank(const char *c)
{
	static const char *const order[] = { "monitor", "partial", "quarantine", "reject" };
	for (int i = 0; i < 4; i++)
		if (eq(c, order[i]))
			return i + 1;
	return 0;
}

static int policy_rank(const char *p)
{
	return eq(p, "none") ? 1 : eq(p, "quarantine") ? 2 : eq(p, "reject") ? 3 : 0;
}

static int mx_rank(const char *m)
{
	return eq(m, "present") ? 1 : 0;
}

/* A transport status's rank in its order (worst first; equal ranks say
 * "changed"), or -1 for a status that gives no verdict (temperror,
 * indeterminate, not_fetched, not checked): never compared. */
struct rank {
	const char *status;
	int rank;
};
static int rank_in(const char *s, const struct rank *order, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (eq(s, order[i].status))
			return order[i].rank;
	return -1;
}
#define RANK_IN(s, order) rank_in((s), (order), sizeof(order) / sizeof((order)[0]))

/* MTA-STS: no policy senders apply (invalid, missing, mode none), then
 * testing, then enforce (RFC 8461 5). TLS-RPT: reports requested or not.
 * DNSSEC: bogus (validating resolvers get no answer at all) below
 * insecure below secure. DANE: no usable TLSA at any MX host, some, all
 * (RFC 7672 2.2). */
static const struct rank mta_sts_order[] = {
	{ "invalid", 0 }, { "missing", 0 }, { "none", 0 }, { "testing", 1 }, { "enforce", 2 }
};
static const struct rank tls_rpt_order[] = { { "invalid", 0 }, { "none", 0 }, { "ok", 1 } };
static const struct rank dnssec_order[] = { { "bogus", 0 }, { "insecure", 1 }, { "secure", 2 } };
static const struct rank dane_order[] = {
	{ "unusable", 0 }, { "none", 0 }, { "partial", 1 }, { "dane", 2 }
};

/* One transport status, compared by its order (neither side -1). */
static int transport_one(const char *d, const char *what, const char *sa, const char *sb,
                         const struct rank *order, size_t n,
                         int (*fn)(void *, const struct report_change *), void *arg)
{
	int ra = rank_in(sa, order, n), rb = rank_in(sb, order, n);
	if (ra < 0 || rb < 0 || eq(sa, sb))
		return 0;
	return emit(d, what, sa, sb, by_rank(ra, rb), fn, arg);
}
#define TRANSPORT_ONE(what, field, order)                                                          \
	transport_one(d, (what), a->field, b->field, (order), sizeof(order) / sizeof((order)[0]),  \
	              fn, arg)

static int compare_transport(const struct report_row *a, const struct report_row *b,
                             int (*fn)(void *, const struct report_change *), void *arg)
{
	const char *d = b->domain;
	int rc = TRANSPORT_ONE("mta_sts", mta_sts_status, mta_sts_order);
	/* A policy applied on both sides, its MX coverage known on both: an
	 * MX host no pattern covers (RFC 8461 4.1) fails delivery under
	 * enforce. */
	if (rc == 0 && RANK_IN(a->mta_sts_status, mta_sts_order) > 0 &&
	    RANK_IN(b->mta_sts_status, mta_sts_order) > 0 && a->mta_sts_mx_covered >= 0 &&
	    b->mta_sts_mx_covered >= 0 && a->mta_sts_mx_covered != b->mta_sts_mx_covered)
		rc = emit(d, "mta_sts_mx_covered", a->mta_sts_mx_covered ? "yes" : "no",
		          b->mta_sts_mx_covered ? "yes" : "no",
		          by_rank(a->mta_sts_mx_covered, b->mta_sts_mx_covered), fn, arg);
	if (rc == 0)
		rc = TRANSPORT_ONE("tls_rpt", tls_rpt_status, tls_rpt_order);
	if (rc == 0)
		rc = TRANSPORT_ONE("dnssec", dnssec_status, dnssec_order);
	if (rc == 0)
		rc = TRANSPORT_ONE("dane", dane_status, dane_order);
	return rc;
}

static int compare(const struct report_row *a, const struct report_row *b,
                   int (*fn)(void *, const struct report_change *), void *arg)
{
	const char *d = b->domain;
	int rc = 0;

	/* A domain that stopped existing (NXDOMAIN) is one change, a
	 * regression: mail "from" it can no longer be told from forgery, and
	 * a lapsed registration is anyone's to take. Coming back is one
	 * improvement; nothing else is compared across it. */
	if (a->nxdomain != b->nxdomain && a->conclusive && b->conclusive)
		return emit(d, "exists", a->nxdomain ? "no" : "yes", b->nxdomain ? "no" : "yes",
		            b->nxdomain ? REPORT_REGRESSED : REPORT_IMPROVED, fn, arg);
	if (a->nxdomain && b->nxdomain)
		return 0;

	if (known(a->spf_status) && known(b->spf_status)) {
		bool pa = eq(a->spf_status, "permerror"), pb = eq(b->spf_status, "permerror");
		/* One name both ways: going into a PermError (RFC 7208 2.6.7) and
		 * leaving it are both "spf_permerror", the cause on the PermError
		 * side, so diff A B and diff B A mirror each other. */
		if (pb && !pa)
			rc = emit(d, "spf_permerror", a->spf_status, b->spf_error, REPORT_REGRESSED,
			          fn, arg);
		else if (pa && !pb)
			rc = emit(d, "spf_permerror", a->spf_error, b->spf_status, REPORT_IMPROVED,
			          fn, arg);
		else if (pa && pb && !eq(a->spf_error, b->spf_error))
			rc = emit(d, "spf_error", a->spf_error, b->spf_error, REPORT_CHANGED, fn,
			          arg);
		else if (!eq(a->spf_status, b->spf_status))
			rc = emit(d, "spf_status", a->spf_status, b->spf_status,
			          by_rank(spf_rank(a->spf_status), spf_rank(b->spf_status)), fn,
			          arg);
	}
	const char *ca = report_dmarc_class(a), *cb = report_dmarc_class(b);
	if (rc == 0 && known(ca) && known(cb) && !eq(ca, cb))
		rc = emit(d, "dmarc_enforcement", ca, cb, by_rank(dmarc_rank(ca), dmarc_rank(cb)),
		          fn, arg);
	if (rc == 0 && known(ca) && known(cb) && !eq(a->dmarc_policy, b->dmarc_policy))
		rc = emit(d, "dmarc_policy", a->dmarc_policy, b->dmarc_policy,
		          by_rank(policy_rank(a->dmarc_policy), policy_rank(b->dmarc_policy)), fn,
		          arg);
	if (rc == 0 && known(a->vmc_status) && known(b->vmc_status) &&
	    !eq(a->vmc_status, "unchecked") && !eq(b->vmc_status, "unchecked")) {
		bool va = eq(a->vmc_status, "valid"), vb = eq(b->vmc_status, "valid");
		if (vb && !va)
			rc = emit(d, "vmc", a->vmc_expired ? "expired" : a->vmc_status, "valid",
			          REPORT_IMPROVED, fn, arg);
		else if (va && !vb)
			rc = emit(d, "vmc", "valid", b->vmc_expired ? "expired" : b->vmc_status,
			          REPORT_REGRESSED, fn, arg);
	}
	if (rc == 0 && known(a->bimi_status) && known(b->bimi_status) && a->bimi_eligible >= 0 &&
	    b->bimi_eligible >= 0 && a->bimi_eligible != b->bimi_eligible)
		rc = emit(d, "bimi_eligible", a->bimi_eligible ? "yes" : "no",
		          b->bimi_eligible ? "yes" : "no",
		          by_rank(a->bimi_eligible, b->bimi_eligible), fn, arg);
	if (rc == 0 && known(a->mx) && known(b->mx) && !eq(a->mx, b->mx))
		rc = emit(d, "mx", a->mx, b->mx, by_rank(mx_rank(a->mx), mx_rank(b->mx)), fn, arg);
	if (rc == 0)
		rc = compare_transport(a, b, fn, arg);
	return rc;
}

void report_diff_count(const struct report_change *c, size_t n, struct report_diff_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n;) {
		size_t j = i;
		bool up = false, down = false, added = false, removed = false;
		for (; j < n && strcmp(c[j].domain, c[i].domain) == 0; j++) {
			up |= c[j].direction == REPORT_IMPROVED;
			down |= c[j].direction == REPORT_REGRESSED;
			added |= eq(c[j].what, "added");
			removed |= eq(c[j].what, "removed");
		}
		if (added)
			out->added++;
		else if (removed)
			out->removed++;
		else if (down)
			out->regressed++;
		else if (up)
			out->improved++;
		else
			out->changed++;
		i = j;
	}
}

int report_diff(const struct report_row *a, size_t na, const struct report_row *b, size_t nb,
                int (*fn)(void *arg, const struct report_change *c), void *arg)
{
	size_t i = 0, j = 0;
	int rc = 0;
	while (rc == 0 && (i < na || j < nb)) {
		int cmp = i == na ? 1 : j == nb ? -1 : strcmp(a[i].domain, b[j].domain);
		if (cmp < 0) {
			rc = emit(a[i].domain, "removed", "listed", "", REPORT_CHANGED, fn, arg);
			i++;
		} else if (cmp > 0) {
			rc = emit(b[j].domain, "added", "", "listed", REPORT_CHANGED, fn, arg);
			j++;
		} else {
			rc = compare(&a[i], &b[j], fn, arg);
			i++;
			j++;
		}
	}
	return rc;
}

/* "direction domain  what: from -> to" within width columns: on two lines
 * (what and values below the domain) when it does not fit on one. */
static void change_text(FILE *out, const struct report_change *x, size_t width)
{
	const char *from = x->from[0] ? x->from : "-", *to = x->to[0] ? x->to : "-";
	size_t dc = text_cols(x->domain);
	size_t len = 12 + dc + 2 + strlen(x->what) + 2 + text_cols(from) + 4 + text_cols(to);
	fprintf(out, "  %-9s ", report_direction_name(x->direction));
	if (len <= width) {
		text_cut(out, x->domain, dc);
		fprintf(out, "  %s: ", x->what);
		text_cut(out, from, len);
		fputs(" -> ", out);
		text_cut(out, to, len);
		fputc('\n', out);
		return;
	}
	text_cut(out, x->domain, width - 12);
	fputc('\n', out);
	report_text_linew(out, width, 12, 14, "%s: %s -> %s", x->what, from, to);
}

/* A heading "runs: counts" on a line when it fits, else the runs, then
 * the counts on a line of their own: a phrase is never broken by the
 * width when its line can hold it. */
static void heading(FILE *out, size_t width, const char *runs, const char *counts)
{
	if (text_cols(runs) + 1 + text_cols(counts) <= width) {
		report_text_linew(out, width, 0, 2, "%s %s", runs, counts);
		return;
	}
	report_text_linew(out, width, 0, 2, "%s", runs);
	report_text_linew(out, width, 2, 2, "%s", counts);
}

int report_diff_write_text(FILE *out, const struct store_run *ra, const struct store_run *rb,
                           const struct report_change *c, size_t n, bool only_regressed, int width)
{
	struct report_diff_counts k;
	char runs[160], counts[160];
	size_t w = text_width_of(width);
	report_diff_count(c, n, &k);
	snprintf(runs, sizeof(runs),
	         "posture diff: run %lld (%s) -> run %lld (%s):", (long long)ra->id, ra->started,
	         (long long)rb->id, rb->started);
	if (only_regressed)
		snprintf(counts, sizeof(counts),
		         "%ld domain%s regressed (all %zu changes: posture diff %lld %lld)",
		         k.regressed, k.regressed == 1 ? "" : "s", n, (long long)ra->id,
		         (long long)rb->id);
	else
		snprintf(counts, sizeof(counts), "%zu changes; %ld domains improved, %ld regressed",
		         n, k.improved, k.regressed);
	heading(out, w, runs, counts);
	for (size_t i = 0; i < n; i++)
		if (!only_regressed || c[i].direction == REPORT_REGRESSED)
			change_text(out, &c[i], w);
	return ferror(out) ? -1 : 0;
}
