/* libFuzzer harness: fb_aggregate_read and fb_read on arbitrary bytes
 * (make fuzz; scripts/fuzz.sh seeds it with the reports of
 * tests/fixtures/dmarc-reports/). Besides the sanitizers' checks, it traps
 * on a broken contract: a report's rows and messages are its records'
 * number and counts summed, every text posture would store is
 * NUL-terminated valid UTF-8 within its field, a refusal leaves nothing
 * behind, and fb_read accounts for every file. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "feedback.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

/* s is NUL-terminated within size bytes and valid UTF-8. */
static void text(const char *s, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, size);
	CHECK(n < size);
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t len = p[i] < 0x80 ? 1 : utf8_seq(p + i, n - i, &cp);
		CHECK(len > 0);
		i += len;
	}
}

#define FIELD(f) text((f), sizeof(f))

static void check_aggregate(const struct fb_report *r)
{
	const struct fb_aggregate *a = r->agg;
	uint64_t sum = 0;

	CHECK(a != NULL && r->fail == NULL && r->tls == NULL);
	CHECK(r->rows == a->nrows && a->nrows <= FB_ROWS_MAX);
	CHECK(r->report_id[0] != '\0');
	CHECK(r->begin == a->begin && r->end == a->end);
	CHECK(strcmp(a->schema, "rfc7489") == 0 || strcmp(a->schema, "rfc9990") == 0);
	CHECK(a->pct >= -1 && a->pct <= 100);
	FIELD(a->org);
	FIELD(a->email);
	FIELD(a->extra_contact);
	FIELD(a->report_id);
	FIELD(a->domain);
	FIELD(a->p);
	FIELD(a->sp);
	FIELD(a->np);
	FIELD(a->adkim);
	FIELD(a->aspf);
	FIELD(a->fo);
	FIELD(a->testing);
	for (size_t i = 0; i < a->nrows; i++) {
		const struct fb_row *w = &a->rows[i];
		sum += w->count;
		FIELD(w->source_ip);
		FIELD(w->disposition);
		FIELD(w->dkim);
		FIELD(w->spf);
		FIELD(w->reasons);
		FIELD(w->header_from);
		FIELD(w->envelope_from);
		FIELD(w->envelope_to);
		CHECK(w->ndkim_auth <= 32 && w->nspf_auth <= 32);
		for (size_t k = 0; k < w->ndkim_auth + w->nspf_auth; k++) {
			const struct fb_auth *x = k < w->ndkim_auth
			                                  ? &w->dkim_auth[k]
			                                  : &w->spf_auth[k - w->ndkim_auth];
			FIELD(x->domain);
			FIELD(x->selector);
			FIELD(x->result);
			FIELD(x->scope);
		}
	}
	CHECK(r->messages == sum);
}

static void check_tls(const struct fb_report *r)
{
	const struct fb_tls *t = r->tls;
	uint64_t sum = 0;

	CHECK(t != NULL && r->agg == NULL && r->fail == NULL);
	CHECK(r->rows == t->npol);
	FIELD(t->org);
	FIELD(t->contact);
	FIELD(t->report_id);
	for (size_t i = 0; i < t->npol; i++) {
		const struct fb_tls_policy *p = &t->pol[i];
		sum += p->ok + p->failed;
		FIELD(p->type);
		FIELD(p->domain);
		FIELD(p->mx_host);
		for (size_t k = 0; k < p->nfail; k++) {
			FIELD(p->fail[k].result_type);
			FIELD(p->fail[k].sending_ip);
			FIELD(p->fail[k].receiving_ip);
			FIELD(p->fail[k].receiving_mx);
			FIELD(p->fail[k].reason);
		}
	}
	CHECK(r->messages == sum);
}

static void check_report(const struct fb_report *r)
{
	FIELD(r->where);
	FIELD(r->org);
	FIELD(r->report_id);
	FIELD(r->domain);
	CHECK(r->findings.n <= FINDINGS_MAX);
	for (size_t i = 0; i < r->findings.n; i++) {
		CHECK(strncmp(r->findings.v[i].code, "report.", 7) == 0);
		text(r->findings.v[i].message, FINDING_MESSAGE_MAX);
	}
	if (r->kind == FB_AGGREGATE)
		check_aggregate(r);
	else if (r->kind == FB_TLS)
		check_tls(r);
	else
		CHECK(r->kind == FB_FAILURE && r->fail != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_report r;
	struct fb_batch b;
	char err[FB_ERROR];

	memset(&r, 0, sizeof(r));
	memset(err, 'x', sizeof(err));
	if (fb_aggregate_read(data, size, &r, err, sizeof(err)) == 0) {
		CHECK(r.kind == FB_AGGREGATE);
		check_report(&r);
	} else {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(r.agg == NULL && r.findings.n == 0);
	}
	fb_report_cleanup(&r);

	memset(&b, 0, sizeof(b));
	if (fb_read(data, size, "fuzz", &b) == 0) {
		/* Every file gives a report or says why not. */
		CHECK(b.nreports + b.nfailed > 0);
		CHECK(b.total_out <= FB_TOTAL_MAX);
		for (size_t i = 0; i < b.nreports; i++)
			check_report(&b.reports[i]);
		for (size_t i = 0; i < b.nfailed; i++) {
			FIELD(b.failed[i].where);
			FIELD(b.failed[i].error);
			CHECK(b.failed[i].error[0] != '\0');
		}
	}
	fb_batch_cleanup(&b);
	return 0;
}
