/*
 * write_impl.h — what the writers of reports/ share (write.c, table.c,
 * trend.c, companies.c, findings.c, html.c): escaping for each format,
 * the run as JSON, the metrics as CSV records and JSON, text lines within
 * a width. Not for outside reports/.
 */
#ifndef POSTURE_WRITE_IMPL_H
#define POSTURE_WRITE_IMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "report.h"

/* When a run ended (finished_at), or started when it has not. */
const char *report_run_date(const struct store_run *r);
/* A line of text, printf-like, wrapped within d's text width (textcol.h:
 * the first line indented by indent, the others by hang); what it holds
 * is written as print_safe writes published text. A leading "\n" is an
 * empty line first. */
void report_text_line(FILE *out, const struct report_doc *d, size_t indent, size_t hang,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The same within width columns. */
void report_text_linew(FILE *out, size_t width, size_t indent, size_t hang, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
/* Markdown cell text: table syntax escaped; control characters, bidi
 * controls and bytes that are not UTF-8 as spaces. */
void report_md_text(FILE *out, const char *s);
/* The run's heading of a report: a line of text, or a Markdown title and
 * list (write.c; the statistics and the domain table share it). */
void report_header_text(FILE *out, const struct report_doc *d);
void report_header_md(FILE *out, const struct report_doc *d);
json_t *report_run_json(const struct store_run *r);
/* Every metric of every view: [{"metric", "group", "view", "count",
 * "denominator", "percent"}]; with gaps, a metric whose check did not
 * run has null count, denominator and percent. */
json_t *report_metrics_json(const struct report_stats *s, bool gaps);
/* Writes o (consumed) as the commands print JSON: compact, ASCII, one
 * line. 0, or -1 when o is NULL or cannot be written. */
int report_json_out(FILE *out, json_t *o);
/* One CSV record per metric and view, each led by the lead cells, then
 * metric,view,count,denominator,percent; with gaps, a metric whose check
 * did not run has empty count, denominator and percent. */
void report_csv_metrics(FILE *out, const struct report_stats *s, const char *const *lead,
                        size_t nlead, bool raw, bool gaps);
/* "n/N (p%)", "n/N (-)" or "not checked" into buf. */
const char *report_cell_text(char *buf, size_t len, const struct report_stats *s,
                             enum report_view v, size_t metric);
/* "n/N p%", "n/N -" or "not checked": the cell where room is short. */
const char *report_cell_compact(char *buf, size_t len, const struct report_stats *s,
                                enum report_view v, size_t metric);

/* The four readings of "DMARC enforced" that studies quote, side by
 * side (doc/reports.md): metric name and what it counts. */
struct report_enforced_def {
	const char *metric, *words;
};
extern const struct report_enforced_def report_enforced_defs[4];

/* The metrics of trends' text, Markdown and HTML tables (CSV and JSON hold
 * every metric), and of group tables. */
extern const char *const report_headline[8];

/* The writers of table.c, companies.c and trend.c (report_write_what
 * calls them). */
int report_write_domains(FILE *out, enum report_format f, const struct report_doc *d);
int report_write_companies(FILE *out, enum report_format f, const struct report_doc *d);
int report_write_trend(FILE *out, enum report_format f, const struct report_doc *d);

#endif
