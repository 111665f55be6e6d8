/*
 * trend.c — each metric per run, oldest run first (posture report
 * --trend): text and Markdown give the headline metrics, one table per
 * metric with the run's date, label, and count/denominator with the
 * percentage in the domain and the company view; CSV and JSON give every
 * metric in every view.
 *
 * A figure whose check did not run in a run ("not checked": BIMI in an
 * SPF-only run) is a gap, never 0: text and Markdown say so, CSV leaves
 * count, denominator and percent empty, JSON writes null, HTML breaks the
 * line there.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "textcol.h"
#include "write_impl.h"

static int write_csv(FILE *out, const struct report_doc *d)
{
	fputs("run,date,label,list,metric,view,count,denominator,percent\r\n", out);
	for (size_t i = 0; i < d->ntrend; i++) {
		char id[24];
		const struct store_run *r = &d->trend_runs[i];
		snprintf(id, sizeof(id), "%lld", (long long)r->id);
		const char *lead[] = { id, report_run_date(r), r->label, r->list };
		report_csv_metrics(out, d->trend_stats[i], lead, 4, d->csv_raw, true);
	}
	return ferror(out) ? -1 : 0;
}

static int write_json(FILE *out, const struct report_doc *d)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < d->ntrend; i++)
		json_array_append_new(a, json_pack("{s:o,s:o}", "run",
		                                   report_run_json(&d->trend_runs[i]), "metrics",
		                                   report_metrics_json(d->trend_stats[i], true)));
	return report_json_out(out, a);
}

static void md_metric(FILE *out, const struct report_doc *d, size_t m)
{
	char a[64], b[64];
	fprintf(out, "\n## `%s`: ", report_metrics[m].name);
	report_md_text(out, report_metrics[m].label);
	fputs("\n\n| run | date | label | domains | companies |\n|--:|---|---|--:|--:|\n", out);
	for (size_t i = 0; i < d->ntrend; i++) {
		const struct store_run *r = &d->trend_runs[i];
		fprintf(out, "| %lld | %s | ", (long long)r->id, report_run_date(r));
		report_md_text(out, r->label);
		fprintf(out, " | %s | %s |\n",
		        report_cell_text(a, sizeof(a), d->trend_stats[i], REPORT_VIEW_DOMAIN, m),
		        report_cell_text(b, sizeof(b), d->trend_stats[i], REPORT_VIEW_COMPANY, m));
	}
}

/* A metric's text table: a row per run, with its date, its label and the
 * metric in the domain and the company view. */
struct ttable {
	const char **cells;
	char (*id)[24];
	char (*cell)[2][48];
	struct text_table t;
};

static const struct text_col tcols[5] = {
	{ "run", 0 }, { "date", 0 }, { "label", 8 }, { "domains", 0 }, { "companies", 0 },
};

static void ttable_free(struct ttable *x)
{
	free(x->cells);
	free(x->id);
	free(x->cell);
}

static int ttable_build(struct ttable *x, const struct report_doc *d, size_t m, bool compact)
{
	size_t n = d->ntrend;
	memset(x, 0, sizeof(*x));
	x->cells = calloc(n * 5 + 1, sizeof(*x->cells));
	x->id = calloc(n + 1, sizeof(*x->id));
	x->cell = calloc(n + 1, sizeof(*x->cell));
	if (x->cells == NULL || x->id == NULL || x->cell == NULL) {
		ttable_free(x);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct store_run *r = &d->trend_runs[i];
		const char **row = x->cells + i * 5;
		snprintf(x->id[i], sizeof(x->id[i]), "%lld", (long long)r->id);
		row[0] = x->id[i];
		row[1] = report_run_date(r);
		row[2] = r->label;
		for (int v = 0; v < 2; v++)
			row[3 + v] = (compact ? report_cell_compact : report_cell_text)(
			        x->cell[i][v], sizeof(x->cell[i][v]), d->trend_stats[i],
			        v ? REPORT_VIEW_COMPANY : REPORT_VIEW_DOMAIN, m);
	}
	x->t = (struct text_table){ .cols = tcols,
		                    .ncols = 5,
		                    .cells = x->cells,
		                    .nrows = n,
		                    .indent = 2,
		                    .sep = 2,
		                    .heads = true };
	return 0;
}

/* Whether every headline metric's table fits width with full cells. */
static bool full_cells_fit(const struct report_doc *d, size_t width)
{
	for (size_t k = 0; k < sizeof(report_headline) / sizeof(report_headline[0]); k++) {
		struct ttable x;
		int m = report_metric_index(report_headline[k]);
		if (m < 0)
			continue;
		if (ttable_build(&x, d, (size_t)m, false) != 0)
			return false;
		bool fits = text_table_width(&x.t, true) <= width;
		ttable_free(&x);
		if (!fits)
			return false;
	}
	return true;
}

static int text_metric(FILE *out, const struct report_doc *d, size_t m, bool compact)
{
	struct ttable x;
	report_text_line(out, d, 0, 2, "\n%s: %s", report_metrics[m].name, report_metrics[m].label);
	size_t width = text_width_of(d->text_width);
	if (ttable_build(&x, d, m, compact) != 0)
		return -1;
	if (compact && text_table_width(&x.t, true) > width) {
		/* A block per run, a line per view: room for whole cells. */
		ttable_free(&x);
		if (ttable_build(&x, d, m, false) != 0)
			return -1;
	}
	text_table_write(out, &x.t, width);
	ttable_free(&x);
	return 0;
}

static int write_text(FILE *out, const struct report_doc *d)
{
	bool compact = !full_cells_fit(d, text_width_of(d->text_width));
	/* The filter names a label or a list: published text, escaped. */
	report_text_line(out, d, 0, 2, "posture trend: %zu runs (%s)", d->ntrend,
	                 d->trend_filter ? d->trend_filter : "every finished run");
	report_text_line(out, d, 2, 4,
	                 "n/N (%%): N is the metric's denominator in that view; 'not checked': "
	                 "the check did not run in that run (a gap, never 0)");
	for (size_t k = 0; k < sizeof(report_headline) / sizeof(report_headline[0]); k++) {
		int m = report_metric_index(report_headline[k]);
		if (m >= 0 && text_metric(out, d, (size_t)m, compact) != 0)
			return -1;
	}
	return ferror(out) ? -1 : 0;
}

static int write_md(FILE *out, const struct report_doc *d)
{
	fprintf(out, "# posture trend: %zu runs (", d->ntrend);
	report_md_text(out, d->trend_filter ? d->trend_filter : "every finished run");
	fputs(")\n\nn/N (%): N is the metric's denominator in that view; *not checked*: "
	      "the check did not run in that run (a gap, never 0).\n",
	      out);
	for (size_t k = 0; k < sizeof(report_headline) / sizeof(report_headline[0]); k++) {
		int m = report_metric_index(report_headline[k]);
		if (m >= 0)
			md_metric(out, d, (size_t)m);
	}
	return ferror(out) ? -1 : 0;
}

int report_write_trend(FILE *out, enum report_format f, const struct report_doc *d)
{
	switch (f) {
	case REPORT_CSV:
		return write_csv(out, d);
	case REPORT_JSON:
		return write_json(out, d);
	case REPORT_TEXT:
		return write_text(out, d);
	case REPORT_MD:
		return write_md(out, d);
	case REPORT_HTML:
		return report_write_html(out, d);
	}
	return -1;
}
