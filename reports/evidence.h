/*
 * evidence.h — the receivers' reports summarised (posture reports
 * summary) and the enforcement verdict drawn from them, in every format:
 * text, CSV, JSON, Markdown, HTML (a page of its own, or a section of
 * the HTML report). Everything in a summary came from reporters'
 * files (org names, domains, selectors): attacker-controlled, escaped
 * for each format as the other writers escape published text.
 */
#ifndef POSTURE_EVIDENCE_H
#define POSTURE_EVIDENCE_H

#include <stdbool.h>
#include <stdio.h>

#include "fb_summary.h"
#include "report.h"

/* Which table CSV writes (a CSV file holds one table). */
enum evidence_table {
	EVIDENCE_SOURCES = 0,
	EVIDENCE_REPORTERS,
	EVIDENCE_DAYS,
	EVIDENCE_DISPOSITIONS,
	EVIDENCE_SELECTORS,
	EVIDENCE_TLS,
	EVIDENCE_SERVICES,
};
/* "sources", "reporters", ... to a table; -1 when unknown. */
int evidence_table_parse(const char *name);

struct evidence_doc {
	const struct fb_summary *s;
	const struct fb_verdict *v; /* NULL: no verdict (no --domain) */
	const struct fb_verdict_opts *vo;
	enum evidence_table table; /* CSV */
	bool csv_raw;
	int text_width; /* 0: 100 */
	bool resolved;  /* reverse names were asked (--resolve) */
	size_t limit;   /* sources listed at most (0: all); totals count all */
};

/* The summary in format f. 0, or -1 when out failed. */
int evidence_write(FILE *out, enum report_format f, const struct evidence_doc *d);
/* The HTML section (no page around it): pass rate over time, failing
 * sources, reporters, TLS reports; the HTML report includes it. */
void evidence_html_section(FILE *out, const struct evidence_doc *d);
/* The same section on a page of its own (posture reports summary
 * --format html). */
void evidence_html_page(FILE *out, const struct evidence_doc *d);
/* YYYY-MM-DD (UTC) of Unix seconds in buf (>= 11 bytes); "-" for 0. */
const char *evidence_day(int64_t t, char *buf, size_t len);
/* "safe to enforce" or "not yet". */
const char *evidence_verdict_word(const struct fb_verdict *v);

#endif
