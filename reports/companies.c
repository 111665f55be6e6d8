/*
 * companies.c — one row per company (posture report --companies, and
 * --by company): its primary domain's classes and its best domain's, so
 * the company view can be read, and rebuilt, from one table.
 *
 * The primary domain is the company's first domain in list order (the
 * company view counts it). The best domain is the one with the strongest
 * DMARC class (report_dmarc_rank), then SPF ok, then BIMI eligible, then
 * the first in list order: what the company could show at its best.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "strmap.h"
#include "textcol.h"
#include "write_impl.h"

static bool eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

int report_dmarc_rank(const struct report_row *r)
{
	static const char *const order[] = { "missing", "monitor", "partial", "quarantine",
		                             "reject" };
	const char *c = report_dmarc_class(r);
	if (r->nxdomain)
		return 0;
	if (eq(c, "invalid"))
		return 1;
	for (int i = 0; i < 5; i++)
		if (eq(c, order[i]))
			return i == 0 ? 1 : i + 1;
	return 0;
}

/* True when a ranks above b (b earlier in the list wins ties). */
static bool better(const struct report_row *a, const struct report_row *b)
{
	if (b == NULL)
		return true;
	int x = report_dmarc_rank(a), y = report_dmarc_rank(b);
	if (x != y)
		return x > y;
	x = !a->nxdomain && eq(a->spf_status, "ok");
	y = !b->nxdomain && eq(b->spf_status, "ok");
	if (x != y)
		return x > y;
	return a->bimi_eligible == 1 && b->bimi_eligible != 1;
}

static bool enforced(const struct report_row *r)
{
	const char *c = report_dmarc_class(r);
	return !r->nxdomain && (eq(c, "quarantine") || eq(c, "reject"));
}

int report_companies(const struct report_row *rows, size_t n, struct report_company **out,
                     size_t *nout)
{
	struct strmap m = { 0 };
	struct report_company *v = n ? calloc(n, sizeof(*v)) : NULL;
	*out = NULL;
	*nout = 0;
	if (n > 0 && v == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct report_row *r = &rows[i];
		bool added;
		char *k = report_company_key(r);
		size_t c = k ? strmap_put(&m, k, &added) : STRMAP_NONE;
		free(k);
		if (c == STRMAP_NONE) {
			strmap_free(&m);
			free(v);
			return -1;
		}
		struct report_company *co = &v[c];
		if (added) {
			co->name = r->company && r->company[0] ? r->company : r->domain;
			co->primary = co->best = r;
		} else if (better(r, co->best)) {
			co->best = r;
		}
		co->domains++;
		co->dmarc_enforced += enforced(r);
		co->spf_permerror += !r->nxdomain && eq(r->spf_status, "permerror");
		co->bimi_eligible += !r->nxdomain && r->bimi_eligible == 1;
	}
	*nout = m.n;
	strmap_free(&m);
	*out = v;
	return 0;
}

static const char *const columns[] = {
	"company",
	"code",
	"sector",
	"domains",
	"primary_domain",
	"primary_dmarc_class",
	"primary_dmarc_policy",
	"primary_spf_status",
	"primary_bimi_eligible",
	"best_domain",
	"best_dmarc_class",
	"best_dmarc_policy",
	"best_spf_status",
	"best_bimi_eligible",
	"domains_dmarc_enforced",
	"domains_spf_permerror",
	"domains_bimi_eligible",
};
#define NCOLUMNS           (sizeof(columns) / sizeof(columns[0]))
#define FIRST_NUMBER_AFTER 13 /* the last three columns, and domains, are counts */

static void num(char *buf, size_t len, long v)
{
	if (v < 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%ld", v);
}

/* The cells of one company; numbers in b. */
static void cells(const struct report_company *c, const char **v, char b[6][24])
{
	const struct report_row *p = c->primary, *x = c->best;
	num(b[0], sizeof(b[0]), c->domains);
	num(b[1], sizeof(b[1]), p->bimi_eligible);
	num(b[2], sizeof(b[2]), x->bimi_eligible);
	num(b[3], sizeof(b[3]), c->dmarc_enforced);
	num(b[4], sizeof(b[4]), c->spf_permerror);
	num(b[5], sizeof(b[5]), c->bimi_eligible);
	const char *w[NCOLUMNS] = {
		c->name,
		p->code ? p->code : "",
		p->sector ? p->sector : "",
		b[0],
		p->domain,
		report_dmarc_class(p),
		p->dmarc_policy,
		p->spf_status,
		b[1],
		x->domain,
		report_dmarc_class(x),
		x->dmarc_policy,
		x->spf_status,
		b[2],
		b[3],
		b[4],
		b[5],
	};
	memcpy(v, w, sizeof(w));
}

static bool is_number(size_t k)
{
	return k == 3 || k == 8 || k >= FIRST_NUMBER_AFTER;
}

static int write_json(FILE *out, const struct report_doc *d)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < d->ncompanies; i++) {
		const char *v[NCOLUMNS];
		char b[6][24];
		json_t *o = json_object();
		cells(&d->companies[i], v, b);
		for (size_t k = 0; o && k < NCOLUMNS; k++) {
			json_t *x = v[k][0] == '\0' ? json_null()
			            : is_number(k)  ? json_integer(atol(v[k]))
			                            : json_string(v[k]);
			json_object_set_new(o, columns[k], x ? x : json_null());
		}
		json_array_append_new(a, o);
	}
	return report_json_out(out, json_pack("{s:o,s:o}", "run", report_run_json(d->run),
	                                      "companies", a ? a : json_null()));
}

static int write_md(FILE *out, const struct report_doc *d)
{
	fprintf(out, "# posture report: run %lld, one row per company\n\n", (long long)d->run->id);
	fputs("| company | domains | primary domain | DMARC | SPF | best domain | DMARC | SPF | "
	      "enforced | PermError | BIMI eligible |\n"
	      "|---|--:|---|---|---|---|---|---|--:|--:|--:|\n",
	      out);
	for (size_t i = 0; i < d->ncompanies; i++) {
		static const size_t show[] = { 0, 3, 4, 5, 7, 9, 10, 12, 14, 15, 16 };
		const char *v[NCOLUMNS];
		char b[6][24];
		cells(&d->companies[i], v, b);
		fputc('|', out);
		for (size_t k = 0; k < sizeof(show) / sizeof(show[0]); k++) {
			fputc(' ', out);
			report_md_text(out, v[show[k]]);
			fputs(" |", out);
		}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

/* The text table's columns: company, domains, primary domain, its DMARC
 * class and SPF status, best domain, its class and status, and the
 * domains enforced / PermError / BIMI-eligible. */
#define TEXT_COLS 9
static const struct text_col text_cols9[TEXT_COLS] = {
	{ "company", 0 }, { "dom", 0 }, { "primary domain", 20 },
	{ "dmarc", 0 },   { "spf", 0 }, { "best domain", 20 },
	{ "dmarc", 0 },   { "spf", 0 }, { "enf/perm/bimi", 0 },
};

/* A company's cells of the text table; counts in num. */
static void text_row(const struct report_company *c, const char **row, char *num, size_t len)
{
	const char *v[NCOLUMNS];
	char b[6][24];
	cells(c, v, b);
	/* v[] points into b for the counts: copy what the row keeps. */
	int n = snprintf(num, len, "%s", b[0]);
	snprintf(num + n + 1, len - (size_t)n - 1, "%s/%s/%s", b[3], b[4], b[5]);
	const char *w[TEXT_COLS] = { v[0], num, v[4], v[5], v[7], v[9], v[10], v[12], num + n + 1 };
	memcpy(row, w, sizeof(w));
}

/* Where the table does not fit: a company per block, its name and counts
 * on a line, then its primary and its best domain on a line each. */
static void text_blocks(FILE *out, const struct report_doc *d, const char *const *cells9,
                        size_t width)
{
	size_t dw = 0, cw = 5, sw = 3;
	for (size_t i = 0; i < d->ncompanies; i++)
		for (size_t k = 2; k <= 5; k += 3) {
			const char *const *r = cells9 + i * TEXT_COLS;
			size_t x = text_cols(r[k]), y = text_cols(r[k + 1]),
			       z = text_cols(r[k + 2]);
			dw = x > dw ? x : dw;
			cw = y > cw ? y : cw;
			sw = z > sw ? z : sw;
		}
	/* "    primary  " before the domain, its class and status after it;
	 * when a domain would keep fewer than 12 columns, they go below it. */
	size_t fixed = 4 + 7 + 2 + 2 + cw + 2 + sw;
	bool below = fixed + 12 > width;
	if (below)
		dw = width - 13;
	else if (fixed + dw > width)
		dw = width - fixed;
	report_text_line(out, d, 0, 2,
	                 "each company: its domains, and how many are DMARC-enforced / SPF "
	                 "PermError / BIMI-eligible; then its primary and its best domain, "
	                 "each with its DMARC class and SPF status");
	for (size_t i = 0; i < d->ncompanies; i++) {
		const char *const *r = cells9 + i * TEXT_COLS;
		char tail[96];
		snprintf(tail, sizeof(tail), ": %s domain%s, enf/perm/bimi %s", r[1],
		         strcmp(r[1], "1") == 0 ? "" : "s", r[8]);
		size_t tc = strlen(tail);
		/* The name keeps 12 columns at least: else the counts go below. */
		if (width >= tc + 12) {
			text_cut(out, r[0], width - tc);
			fputs(tail, out);
		} else {
			text_cut(out, r[0], width);
			fprintf(out, "\n    %s", tail + 2);
		}
		fputc('\n', out);
		for (size_t k = 2; k <= 5; k += 3) {
			fputs(k == 2 ? "    primary  " : "    best     ", out);
			if (below) {
				text_cut(out, r[k], dw);
				fputs("\n             ", out);
			} else {
				text_pad(out, r[k], dw);
				fputs("  ", out);
			}
			text_pad(out, r[k + 1], cw);
			fputs("  ", out);
			text_cut(out, r[k + 2], sw);
			fputc('\n', out);
		}
	}
}

static int write_text(FILE *out, const struct report_doc *d)
{
	size_t n = d->ncompanies, width = text_width_of(d->text_width);
	const char **cells9 = calloc(n * TEXT_COLS + 1, sizeof(*cells9));
	char(*num)[64] = calloc(n + 1, sizeof(*num));
	if (cells9 == NULL || num == NULL) {
		free(cells9);
		free(num);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		text_row(&d->companies[i], cells9 + i * TEXT_COLS, num[i], sizeof(num[i]));
	report_text_line(out, d, 0, 2,
	                 "posture report: run %lld, one row per company (primary domain: the "
	                 "first in list order; best: the strongest DMARC class)",
	                 (long long)d->run->id);
	struct text_table t = { .cols = text_cols9,
		                .ncols = TEXT_COLS,
		                .cells = cells9,
		                .nrows = n,
		                .sep = 1,
		                .heads = true };
	if (text_table_width(&t, true) <= width)
		text_table_write(out, &t, width);
	else
		text_blocks(out, d, cells9, width);
	free(cells9);
	free(num);
	return ferror(out) ? -1 : 0;
}

int report_write_companies(FILE *out, enum report_format f, const struct report_doc *d)
{
	if (f == REPORT_JSON)
		return write_json(out, d);
	if (f == REPORT_MD)
		return write_md(out, d);
	if (f != REPORT_CSV)
		return write_text(out, d);
	csv_row_mode(out, columns, NCOLUMNS, false);
	for (size_t i = 0; i < d->ncompanies; i++) {
		const char *v[NCOLUMNS];
		char b[6][24];
		cells(&d->companies[i], v, b);
		csv_row_mode(out, v, NCOLUMNS, d->csv_raw);
	}
	return ferror(out) ? -1 : 0;
}
