/*
 * report.h — what a researcher or an auditor takes away from a run:
 * adoption statistics over a domain view and a company view, a run's
 * domains as a table, trends over runs, changes between two runs.
 *
 * Three layers, each usable alone:
 *  - rows: one stored result copied out of the store (report_row), with the
 *    facts the status columns do not hold read from the result's JSON;
 *  - aggregation: rows in list order to counts per metric and view
 *    (report_stats). Pure: no I/O, no SQLite; the metric table
 *    (report_metrics) names every figure once, for every format;
 *  - writers: text, CSV, JSON, Markdown and HTML (with SVG charts drawn
 *    here), one per format, all from the same stats and rows.
 *
 * The views (doc/reports.md):
 *  - domain: every domain with a result counts once;
 *  - company: a company counts once, by its primary domain — its first
 *    domain in the run's list order (run_domains.position);
 *  - company_any: a company counts when any of its domains does (given for
 *    a few headline metrics only: enforced DMARC, SPF PermError, BIMI
 *    eligible).
 * A domain without a company is a company of its own.
 */
#ifndef POSTURE_REPORT_H
#define POSTURE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"

#define REPORT_STATUS_LEN   24
#define REPORT_TOP_INCLUDES 10

/* One domain's result in a run, owned (report_row_cleanup frees it). */
struct report_row {
	int64_t run_id, position;
	int64_t result_id; /* the stored result's id: equal ids, equal results */
	char *domain, *company, *code, *sector, *list; /* list: the list file's name column */
	char scanned_at[32];
	bool conclusive;
	/* The status columns ("" for SQL NULL); numbers -1 for NULL. */
	char spf_status[REPORT_STATUS_LEN], spf_all[REPORT_STATUS_LEN];
	char spf_error[48];
	int spf_lookups, spf_void;
	char dmarc_status[REPORT_STATUS_LEN], dmarc_policy[REPORT_STATUS_LEN];
	char dmarc_sp[REPORT_STATUS_LEN], dmarc_enforcement[REPORT_STATUS_LEN];
	int dmarc_pct;
	char bimi_status[REPORT_STATUS_LEN], vmc_status[REPORT_STATUS_LEN];
	int bimi_eligible;
	char mx[REPORT_STATUS_LEN], a[REPORT_STATUS_LEN];
	/* From the result's JSON ("" / false when absent). */
	bool nxdomain;                   /* "exists": false: the domain does not exist */
	char *spf_record, *dmarc_record; /* published text: attacker-controlled */
	char dmarc_np[REPORT_STATUS_LEN];
	char dmarc_enforcement_7489[REPORT_STATUS_LEN];
	bool dmarc_rua;              /* at least one rua URI */
	bool dmarc_rua_unauthorized; /* an external rua that does not authorise */
	bool dmarc_readings_differ;
	char vmc_type[8];                    /* VMC, CMC or "" */
	char logo_status[REPORT_STATUS_LEN]; /* bimi.logo.status */
	bool vmc_expired;                    /* a vmc.expired finding */
	unsigned bimi_fail;                  /* bit per readiness item that failed */
	char **includes;                     /* direct include: targets, unique */
	size_t nincludes;
};

/* Copies a store row (the JSON is parsed for the extra facts; a JSON that
 * cannot be parsed leaves them empty). 0, or -1 when out of memory. */
int report_row_from_store(struct report_row *out, const struct store_row *in);
/* The same, taking the JSON's facts from like instead of parsing the JSON
 * when like is a row of the same stored result (the same result_id: a
 * domain unchanged since like's run). like may be NULL. */
int report_row_from_store_like(struct report_row *out, const struct store_row *in,
                               const struct report_row *like);
void report_row_cleanup(struct report_row *r);

/* The BIMI readiness items, in the order of their bits in bimi_fail. */
#define REPORT_READINESS_ITEMS 10
extern const char *const report_readiness_items[REPORT_READINESS_ITEMS];

/* The DMARC class of a row: the stored RFC 9989 enforcement, except that
 * a quarantine or reject published with pct below 100 is "partial" (RFC
 * 7489 receivers sample). "" when DMARC was not checked. */
const char *report_dmarc_class(const struct report_row *r);

enum report_view {
	REPORT_VIEW_DOMAIN = 0,
	REPORT_VIEW_COMPANY,     /* primary domain */
	REPORT_VIEW_COMPANY_ANY, /* any of its domains */
	REPORT_VIEWS,
};
const char *report_view_name(enum report_view v);
/* One line saying what a view counts. */
const char *report_view_rule(enum report_view v);

struct report_metric {
	const char *name;  /* stable: CSV and JSON keys, doc/reports.md */
	const char *group; /* dmarc, spf, spf_cause, spf_all, spf_lookups, bimi, ... */
	const char *label; /* human words for text, Markdown and HTML */
	int denom;         /* index of the metric counting the denominator; -1: all */
	bool any_view;     /* also given in the company_any view */
	bool (*test)(const struct report_row *r, int arg);
	int arg;
};
extern const struct report_metric report_metrics[];
extern const size_t report_nmetrics;
/* The index of a metric by name, or -1. */
int report_metric_index(const char *name);

struct report_include {
	char *host;
	long domains; /* domains whose record includes host directly */
};

/* Counts of one run. Build with _new, feed rows in list order with _add,
 * then _finish; read count/denominator. */
struct report_stats;
struct report_stats *report_stats_new(void);
void report_stats_free(struct report_stats *s);
/* 0, or -1 when out of memory. Rows must come in list order: the first row
 * of a company is its primary domain. */
int report_stats_add(struct report_stats *s, const struct report_row *r);
/* Ends the counting (company_any counts, top includes). 0 or -1. */
int report_stats_finish(struct report_stats *s);
/* The statistics as text to keep (posture db prune), and back: units and
 * each metric's count per view, by metric name (no top includes). NULL
 * when out of memory, or for text that is not such a form. */
char *report_stats_save(const struct report_stats *s);
struct report_stats *report_stats_load(const char *text);
/* Domains, or companies, counted in a view. */
long report_stats_units(const struct report_stats *s, enum report_view v);
long report_stats_count(const struct report_stats *s, enum report_view v, size_t metric);
long report_stats_denominator(const struct report_stats *s, enum report_view v, size_t metric);
/* True when the metric is given in the view. */
bool report_stats_has(enum report_view v, size_t metric);
/* The most included SPF providers, most first (ties by name). */
const struct report_include *report_stats_includes(const struct report_stats *s, size_t *n);

/* A run's statistics and, when wanted, its rows, ready to write. */
struct report_doc {
	const struct store_run *run;
	const struct report_stats *stats;
	const struct report_row *rows; /* list order; NULL when not wanted */
	size_t nrows;
	/* Runs for trend lines, oldest first (HTML), may be 0. */
	const struct store_run *trend_runs;
	struct report_stats *const *trend_stats;
	size_t ntrend;
};

enum report_format {
	REPORT_TEXT = 0,
	REPORT_CSV,
	REPORT_JSON,
	REPORT_MD,
	REPORT_HTML,
};
/* "text", "csv", ... to a format; -1 when unknown. */
int report_format_parse(const char *name);

/* Statistics (domains == false) or the domain table, in a format. HTML
 * always holds both. 0, or -1 on a write or memory error. */
int report_write(FILE *out, enum report_format f, const struct report_doc *d, bool domains);
/* Each metric per run over time, oldest run first: text, CSV, JSON, Markdown. */
int report_write_trend(FILE *out, enum report_format f, const struct store_run *runs,
                       struct report_stats *const *stats, size_t n);
/* Statistics per group (--by list|sector|company): one block per group,
 * names[i] the group's value. Text, CSV (a first column named by), JSON,
 * Markdown. */
int report_write_groups(FILE *out, enum report_format f, const struct store_run *run,
                        const char *by, const char *const *names, struct report_stats *const *stats,
                        size_t n);
/* The HTML document (reports/html.c). */
int report_write_html(FILE *out, const struct report_doc *d);

/* The percentage of count in denom, rounded to one decimal; -1 when
 * denom is 0. */
double report_percent(long count, long denom);

/* ---- diff: what changed between two runs (reports/diff.c) ---- */

enum report_direction {
	REPORT_CHANGED = 0, /* neither better nor worse */
	REPORT_IMPROVED = 1,
	REPORT_REGRESSED = -1,
};

struct report_change {
	const char *domain;
	/* added, removed, spf_status, spf_permerror, spf_error,
	 * dmarc_enforcement, dmarc_policy, vmc, bimi_eligible, mx: the same
	 * name whichever way the change goes (diff B A mirrors diff A B). */
	const char *what;
	char from[64], to[64];
	enum report_direction direction;
};

/* Compares two runs' rows (each sorted by domain name: use
 * report_rows_sort_by_domain) and calls fn per change, in domain order.
 * Inconclusive results (temperror) are compared as "unknown", never as a
 * regression. Returns fn's first non-zero value, or 0. */
int report_diff(const struct report_row *a, size_t na, const struct report_row *b, size_t nb,
                int (*fn)(void *arg, const struct report_change *c), void *arg);
void report_rows_sort_by_domain(struct report_row *rows, size_t n);

/* Domains per kind of change, each domain counted once: added, removed,
 * else regressed (at least one regression), else improved, else changed. */
struct report_diff_counts {
	long improved, regressed, changed, added, removed;
};
/* Counts changes as report_diff gives them (grouped by domain). */
void report_diff_count(const struct report_change *c, size_t n, struct report_diff_counts *out);
const char *report_direction_name(enum report_direction d);

#endif
