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
	/* From the result's JSON, here where they pack: */
	bool nxdomain;          /* "exists": false: the domain does not exist */
	bool dkim_revoked_only; /* every DKIM key record found is revoked */
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
	int dkim_min_bits; /* smallest usable RSA key; -1: none, or not checked */
	/* The MTA-STS policy covers every MX host: 1, one it does not: 0;
	 * -1 unknown, or MTA-STS not checked. */
	int mta_sts_mx_covered;
	/* From the result's JSON ("" / false when absent). */
	char *spf_record, *dmarc_record; /* published text: attacker-controlled */
	char dmarc_np[REPORT_STATUS_LEN];
	char dmarc_enforcement_7489[REPORT_STATUS_LEN];
	bool dmarc_rua;              /* at least one rua URI */
	bool dmarc_rua_unauthorized; /* an external rua that does not authorise */
	bool dmarc_readings_differ;
	char vmc_type[8];                    /* VMC, CMC or "" */
	char logo_status[REPORT_STATUS_LEN]; /* bimi.logo.status */
	bool vmc_expired;                    /* a vmc.expired finding */
	/* More of the JSON, for the research CSV (NULL / "" when absent). */
	bool dmarc_testing; /* t=y (RFC 9989) */
	/* Set after loading (not from the store): the first of its company
	 * in list order (report_rows_mark_primary). */
	bool primary;
	char vmc_not_after[30]; /* bimi.vmc.not_after (ISO 8601) */
	unsigned bimi_fail;     /* bit per readiness item that failed */
	char **includes;        /* direct include: targets, unique */
	size_t nincludes;
	char *dmarc_rua_uris; /* the rua URIs as published, space-separated */
	char *mx_hosts;       /* MX host names, space-separated, when the JSON has them */
	char *logo_url;       /* bimi.logo.url */
	char *vmc_issuer;     /* bimi.vmc.issuer, when the JSON has it */
	/* DKIM: the status columns ("" / NULL when not checked; the key size
	 * and the revoked-only flag sit above, where they pack). */
	char dkim_status[REPORT_STATUS_LEN];
	char *dkim_selectors; /* selectors with a usable key, space-separated */
	/* Transport security (issue 24; schema 8): the status columns, ""
	 * when the check did not run or the result was stored before. The
	 * MX coverage sits above, where it packs. */
	char mta_sts_status[REPORT_STATUS_LEN]; /* enforce testing none missing invalid ... */
	char tls_rpt_status[REPORT_STATUS_LEN]; /* ok none invalid temperror */
	char dnssec_status[REPORT_STATUS_LEN];  /* secure insecure bogus indeterminate */
	char dane_status[REPORT_STATUS_LEN];    /* dane partial none unusable indeterminate */
	/* Set after loading: --join attributes (report_join_apply), or NULL. */
	const char *const *attrs;
};

/* The version of a result's facts (scanner's checks_facts_text, stored
 * beside its JSON) that holds every fact a row reads: a report reads such
 * facts instead of the whole JSON (store_read_facts). Raise it with
 * CHECKS_FACTS_VERSION when row.c reads a fact that results stored with
 * the older projection may hold in their JSON (their facts lack it). The
 * DKIM facts needed no raise: no result stored before them has "dkim". */
#define REPORT_FACTS_VERSION 1
/* Copies a store row (its facts, or else its JSON, are parsed for the
 * extra facts; a JSON that cannot be parsed leaves them empty). 0, or -1
 * when out of memory. */
int report_row_from_store(struct report_row *out, const struct store_row *in);
/* The same, taking the JSON's facts from like instead of parsing the JSON
 * when like is a row of the same stored result (the same result_id: a
 * domain unchanged since like's run). like may be NULL. */
int report_row_from_store_like(struct report_row *out, const struct store_row *in,
                               const struct report_row *like);
void report_row_cleanup(struct report_row *r);
/* Whether a stored result's facts say what its JSON says: 0 when they do
 * (or the result lacks one of them), 1 when a fact differs (what names
 * it), -1 when out of memory. posture db check runs it on every result. */
int report_row_facts_check(const struct store_row *in, char *what, size_t len);
/* Sets each row's primary flag: the first row of each company in list
 * order (a domain without a company is a company of its own). 0, or -1
 * when out of memory. */
int report_rows_mark_primary(struct report_row *rows, size_t n);
/* The key that tells companies apart: "c:" and the company's name, or
 * "d:" and the domain for a domain without one. Freed by the caller;
 * NULL when out of memory. */
char *report_company_key(const struct report_row *r);
/* The RFC 7208 result name of an SPF terminal all term: "-all" is
 * "fail", "~all" "softfail", "?all" "neutral", "+all" "pass" (RFC 7208
 * 4.6.2, 2.6); "" stays ""; anything else is returned as it is. */
const char *report_spf_all_name(const char *all);

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
/* The version of the metrics' definitions: raise it when a metric's test
 * changes what it counts, so statistics kept by an earlier posture are
 * counted again from the run's results (report_stats_current). Adding a
 * metric needs no raise: kept statistics read it as not known. */
#define REPORT_STATS_DEFINITIONS 1
/* The statistics as text to keep (at the end of a scan, posture db
 * prune), and back: units, each metric's count per view by metric name,
 * and the top include targets. NULL when out of memory, or for text that
 * is not such a form. */
char *report_stats_save(const struct report_stats *s);
struct report_stats *report_stats_load(const char *text);
/* Whether s was counted with this posture's definitions (kept statistics
 * of an earlier one are not: count the run's results again when they are
 * still there). */
bool report_stats_current(const struct report_stats *s);
/* Domains, or companies, counted in a view. */
long report_stats_units(const struct report_stats *s, enum report_view v);
long report_stats_count(const struct report_stats *s, enum report_view v, size_t metric);
long report_stats_denominator(const struct report_stats *s, enum report_view v, size_t metric);
/* True when the metric is given in the view. */
bool report_stats_has(enum report_view v, size_t metric);
/* False when the metric's check did not run in the run (its *_checked
 * denominator counts no domain), or the run's kept statistics predate the
 * metric: the figure is "not checked", a gap in a trend, never 0 %. The
 * *_checked counts themselves are true unless not known. */
bool report_stats_checked(const struct report_stats *s, size_t metric);
/* The most included SPF providers, most first (ties by name). */
const struct report_include *report_stats_includes(const struct report_stats *s, size_t *n);

/* ---- companies (companies.c) ---- */

/* One company of a run: its primary domain (its first in list order) and
 * its best domain (the strongest DMARC class, then SPF ok, then BIMI
 * eligible, then list order), and how many of its domains pass a few
 * headline tests. A domain without a company is a company of its own. */
struct report_company {
	const char *name; /* the company, or the domain */
	const struct report_row *primary, *best;
	long domains;
	long dmarc_enforced, spf_permerror, bimi_eligible; /* domains */
};
/* The companies of rows (list order), in order of their first domain.
 * 0, or -1 when out of memory. */
int report_companies(const struct report_row *rows, size_t n, struct report_company **out,
                     size_t *nout);
/* The rank of a row's DMARC class: reject 5, quarantine 4, partial 3,
 * monitor 2, invalid or missing 1, not known (DNS failure, not run, the
 * domain does not exist) 0. */
int report_dmarc_rank(const struct report_row *r);

/* ---- attributes joined by domain, company or code (join.c) ---- */

struct report_join;
/* Reads a CSV file (RFC 4180, UTF-8, a header line first) whose first
 * column is named domain, company or code (the key) and whose other
 * columns are attributes (sector, country, ...). name is the file's name
 * for messages. 0, or -1 with the reason (and line) in err. */
int report_join_read(FILE *in, const char *name, struct report_join **out, char *err,
                     size_t errlen);
void report_join_free(struct report_join *j);
const char *report_join_key(const struct report_join *j);
size_t report_join_nattrs(const struct report_join *j);
const char *report_join_attr(const struct report_join *j, size_t i);
/* The index of an attribute by name, or -1. */
int report_join_attr_index(const struct report_join *j, const char *name);
/* Points each row's attrs at its joined values (the row whose key is the
 * row's domain, company or code), or NULL; an attribute named company,
 * code or sector replaces the list's value when not empty. Returns the
 * rows matched, -1 when out of memory. */
long report_join_apply(const struct report_join *j, struct report_row *rows, size_t n);

/* ---- documents ---- */

struct report_change;

/* What a report holds, ready to write. Fields not wanted stay 0. */
struct evidence_doc;
struct report_doc {
	const struct store_run *run;
	const struct report_stats *stats;
	const struct report_row *rows; /* list order; NULL when not wanted */
	size_t nrows;
	/* Runs for trends, oldest first, and which runs they are ("label
	 * nightly"; NULL: every finished run). */
	const struct store_run *trend_runs;
	struct report_stats *const *trend_stats;
	size_t ntrend;
	const char *trend_filter;
	/* --by: statistics per group (names[i] the group's value). */
	const char *by;
	const char *const *group_names;
	struct report_stats *const *group_stats;
	size_t ngroups;
	/* --companies (and --by company). */
	const struct report_company *companies;
	size_t ncompanies;
	/* --join: attribute columns of the domain table. */
	const struct report_join *join;
	/* HTML: the regressions since the previous finished run of the same
	 * label (prev_run NULL: none), and how many domains improved. */
	const struct store_run *prev_run;
	const struct report_change *regressions;
	size_t nregressions;
	long improved, regressed; /* domains */
	bool csv_raw;             /* CSV cells as published (--csv-raw) */
	size_t html_rows;         /* the HTML domain table's cap (0: REPORT_HTML_ROWS) */
	int text_width;           /* text: no line longer (0: 100; textcol.h) */
	const char *db;           /* the database's path, for the commands the page names */
	/* HTML: the receivers' reports section (reports/evidence.h); NULL
	 * when the database holds no aggregate report. */
	const struct evidence_doc *evidence;
};

/* The HTML page's domain table holds at most this many rows: every
 * domain when the run has no more, else the first this many domains with
 * a problem, in list order (the full table: --domains --format csv). */
#define REPORT_HTML_ROWS 1000

enum report_format {
	REPORT_TEXT = 0,
	REPORT_CSV,
	REPORT_JSON,
	REPORT_MD,
	REPORT_HTML,
};
/* "text", "csv", ... to a format; -1 when unknown. */
int report_format_parse(const char *name);
/* The format a file name implies by its extension (.txt, .csv, .json,
 * .md or .markdown, .html or .htm, any case); -1 for another. */
int report_format_of_path(const char *path);

/* What to write. */
enum report_what {
	REPORT_STATS = 0, /* statistics, and the DMARC "enforced" definitions */
	REPORT_DOMAINS,   /* one row per domain */
	REPORT_COMPANIES, /* one row per company (d->companies) */
	REPORT_GROUPS,    /* statistics per group (d->by ...) */
	REPORT_TREND,     /* each metric per run (d->trend_*) */
};

/* Writes what in a format (HTML: report_write_html, whatever what). 0,
 * or -1 on a write or memory error. */
int report_write_what(FILE *out, enum report_format f, const struct report_doc *d,
                      enum report_what what);
/* Statistics (domains == false) or the domain table, in a format. */
int report_write(FILE *out, enum report_format f, const struct report_doc *d, bool domains);
/* The HTML document (reports/html.c): headline, charts, trend,
 * regressions, groups, statistics, the domain table (capped). */
int report_write_html(FILE *out, const struct report_doc *d);

/* ---- findings (findings.c) ---- */

/* One finding of a stored result: the check it belongs to (the result's
 * top-level key: spf, dmarc, mx, a, bimi), its code, severity and path. */
struct report_finding {
	const char *domain, *check, *code, *severity, *path;
};
/* Calls fn for each finding of a result's JSON (every object of every
 * "findings" array, in the JSON's order). fn's first non-zero return
 * stops the walk and is returned; -1 for JSON that cannot be read. */
int report_findings_each(const char *json, size_t len, const char *domain,
                         int (*fn)(void *arg, const struct report_finding *f), void *arg);
/* Writes findings as they come: _begin, _add per finding (a callback for
 * report_findings_each), _end. Text, CSV, JSON, Markdown. */
struct report_findings_out {
	FILE *out;
	enum report_format f;
	bool csv_raw;
	const struct store_run *run;
	long n;         /* findings written */
	int text_width; /* text: no line longer (0: 100; textcol.h) */
};
int report_findings_begin(struct report_findings_out *o);
int report_findings_add(void *o, const struct report_finding *f);
int report_findings_end(struct report_findings_out *o);

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
	 * dmarc_enforcement, dmarc_policy, vmc, bimi_eligible, mx, mta_sts,
	 * mta_sts_mx_covered, tls_rpt, dnssec, dane: the same name whichever
	 * way the change goes (diff B A mirrors diff A B). */
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
