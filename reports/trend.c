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

#include <string.h>

#include "csv.h"
#include "textout.h"
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

static void text_metric(FILE *out, const struct report_doc *d, size_t m)
{
	char a[64], b[64];
	fprintf(out, "\n%s: %s\n  %5s  %-20s  %-16s  %-20s  %-20s\n", report_metrics[m].name,
	        report_metrics[m].label, "run", "date", "label", "domains", "companies");
	for (size_t i = 0; i < d->ntrend; i++) {
		const struct store_run *r = &d->trend_runs[i];
		fprintf(out, "  %5lld  %-20s  ", (long long)r->id, report_run_date(r));
		report_text_pad(out, r->label, 16);
		fprintf(out, "  %-20s  %s\n",
		        report_cell_text(a, sizeof(a), d->trend_stats[i], REPORT_VIEW_DOMAIN, m),
		        report_cell_text(b, sizeof(b), d->trend_stats[i], REPORT_VIEW_COMPANY, m));
	}
}

static int write_tables(FILE *out, const struct report_doc *d, bool md)
{
	if (md) {
		fprintf(out, "# posture trend: %zu runs (", d->ntrend);
		report_md_text(out, d->trend_filter ? d->trend_filter : "every finished run");
		fputs(")\n\nn/N (%): N is the metric's denominator in that view; *not checked*: "
		      "the check did not run in that run (a gap, never 0).\n",
		      out);
	} else {
		fprintf(out, "posture trend: %zu runs (", d->ntrend);
		print_safe(out, d->trend_filter ? d->trend_filter : "every finished run");
		fputs(")\n  n/N (%): N is the metric's denominator in that view; 'not checked': "
		      "the "
		      "check did not run in that run (a gap, never 0)\n",
		      out);
	}
	for (size_t k = 0; k < sizeof(report_headline) / sizeof(report_headline[0]); k++) {
		int m = report_metric_index(report_headline[k]);
		if (m < 0)
			continue;
		if (md)
			md_metric(out, d, (size_t)m);
		else
			text_metric(out, d, (size_t)m);
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
	case REPORT_MD:
		return write_tables(out, d, f == REPORT_MD);
	case REPORT_HTML:
		return report_write_html(out, d);
	}
	return -1;
}
