/*
 * cmd_report.c — "posture report" (a run's statistics, domains,
 * companies, findings, groups, trends; "posture history" is in
 * cmd_history.c, "posture diff" in cmd_diff.c). Thin: read rows from the
 * store, hand them to reports/, print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dbread.h"
#include "evidence.h"
#include "fbstore.h"
#include "csv.h"
#include "domainlist.h"
#include "output.h"
#include "report.h"
#include "store.h"

#define REPORT_DB_DEFAULT "posture.db"
/* Runs drawn in the HTML report's trend lines (the newest ones). */
#define REPORT_TREND_RUNS 30

const char cmd_report_help[] =
        "usage: posture report [--db FILE] [--run ID | --label L | --list F]\n"
        "                      [--stats | --domains | --companies | --findings]\n"
        "                      [--by list|sector|company|code|COLUMN] [--join FILE]\n"
        "                      [--format text|csv|json|md|html] [--csv-raw] [-o FILE]\n"
        "       posture report --trend [--db FILE] [--label L] [--list F] [--join FILE]\n"
        "                      [--format text|csv|json|md] [--csv-raw] [-o FILE]\n"
        "\n"
        "Statistics of a run (default: the latest finished run), for a domain view\n"
        "(every domain once) and a company view (a company counts once, by its\n"
        "primary domain: its first domain in list order; a domain without a company\n"
        "is its own company). A few headline metrics also give the 'company_any'\n"
        "view: a company counts when any of its domains does. Every figure is\n"
        "count/denominator with a percentage; metric names are stable (doc/reports.md).\n"
        "\n"
        "  --db FILE       the database (default " REPORT_DB_DEFAULT ")\n"
        "  --run ID        the run (see posture runs)\n"
        "  --label L       the newest finished run labelled L; with --trend or html,\n"
        "                  the trend holds only runs labelled L (html's default: the\n"
        "                  run's own label)\n"
        "  --list F        the same by the run's list file (its name or path)\n"
        "  --format F      text (default), csv (RFC 4180), json, md (Markdown tables\n"
        "                  for papers), html (one self-contained page with charts\n"
        "                  and a sortable domain table); --json means --format json;\n"
        "                  -o FILE.csv|.json|.md|.html implies it\n"
        "  --stats         statistics (default)\n"
        "  --domains       one row per domain instead (the research columns)\n"
        "  --companies     one row per company: its primary and its best domain\n"
        "  --findings      one row per finding: domain, check, code, severity, path\n"
        "  --by KEY        statistics per list, sector, code or a --join column;\n"
        "                  --by company is --companies\n"
        "  --join FILE     CSV whose first column (domain, company or code) keys\n"
        "                  attributes such as sector, for --by and the domain table\n"
        "  --trend         each metric per finished run, oldest first\n"
        "  --csv-raw       CSV values exactly as published: for pandas or R, never\n"
        "                  for a spreadsheet (a cell may start with = and run)\n"
        "  -o FILE         write to FILE instead of standard output\n"
        "\n"
        "CSV cells of free text (records, names) starting with = + - @ are\n"
        "neutralised with a leading apostrophe (they are attacker-controlled);\n"
        "enumerated columns never start with one (spf_all is fail, softfail,\n"
        "neutral or pass). A check that did not run says 'not checked', never 0%,\n"
        "and is a gap in trends.\n"
        "\n"
        "Exit status: 0 written, 2 usage (unknown run, no database), 3 failure.\n"
        "\n"
        "Examples:\n"
        "  posture report --db audit.db\n"
        "  posture report --db audit.db -o report.html\n"
        "  posture report --db audit.db --domains -o domains.csv\n"
        "  posture report --db audit.db --join sectors.csv --by sector\n"
        "  posture report --db audit.db --trend --label nightly --format csv\n";

struct report_args {
	const char *db, *out, *by, *join_path, *label, *list;
	int64_t run;
	int format;
	enum report_what what;
	bool trend, findings, csv_raw;
	struct report_join *join;
};

/* Which finished runs a report takes: id <= upto (0: all), the label and
 * the list when given. */
struct runlist {
	struct store_run *v;
	size_t n, cap;
	int64_t upto;
	const char *label, *list;
};

/* True when a run's list is the one named: the same text, or the same
 * file name (a list scanned as lists/x.csv is named x.csv too). */
static bool list_matches(const char *run_list, const char *want)
{
	if (strcmp(run_list, want) == 0)
		return true;
	const char *a = strrchr(run_list, '/'), *b = strrchr(want, '/');
	return strcmp(a ? a + 1 : run_list, b ? b + 1 : want) == 0;
}

static int add_run(void *arg, const struct store_run *r)
{
	struct runlist *l = arg;
	if (r->state != STORE_RUN_FINISHED || (l->upto > 0 && r->id > l->upto) ||
	    (l->label != NULL && strcmp(r->label, l->label) != 0) ||
	    (l->list != NULL && !list_matches(r->list, l->list)))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct store_run *v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return 1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *r;
	return 0;
}

/* Finished runs of the filter, newest first. 0 or an exit code. */
static int runs_load(struct store *s, struct runlist *l)
{
	int rc = store_runs_each(s, add_run, l);
	if (rc < 0)
		cli_db_error(s);
	else if (rc > 0)
		fputs("posture: out of memory\n", stderr);
	return rc != 0 ? EXIT_INTERNAL : 0;
}

/* A run's kept statistics when a report may use them (cli_run_stats_kept):
 * never with --join, which may regroup companies, unless the run was
 * pruned (they are all that is left). 1 with *out, 0 none, or an exit
 * code (negative). */
static int kept_stats(struct store *s, const struct store_run *run, const struct report_join *join,
                      struct report_stats **out)
{
	*out = NULL;
	if (join != NULL && run->pruned_at[0] == '\0')
		return 0;
	int got = cli_run_stats_kept(s, run, out);
	if (got == 0 && run->pruned_at[0] != '\0') {
		fprintf(stderr, "posture: run %lld was pruned without its statistics\n",
		        (long long)run->id);
		return -EXIT_INTERNAL;
	}
	return got;
}

/* Rows as the report counts them: --join's attributes applied, then the
 * primary flags. 0 or an exit code. */
static int rows_prepare(struct cli_rows *rows, const struct report_join *join)
{
	if ((join != NULL && report_join_apply(join, rows->v, rows->n) < 0) ||
	    report_rows_mark_primary(rows->v, rows->n) != 0) {
		fputs("posture: out of memory\n", stderr);
		return EXIT_INTERNAL;
	}
	return 0;
}

/* Finished runs of l's filter (the newest max of them), oldest first,
 * with their statistics. 0 or an exit code. */
static int trend_load(struct store *s, size_t max, struct runlist *l, struct report_stats ***stats,
                      const struct report_join *join)
{
	*stats = NULL;
	int rc = runs_load(s, l);
	if (rc != 0)
		return rc;
	if (l->n > max)
		l->n = max; /* newest first: keep the newest */
	for (size_t i = 0; i < l->n / 2; i++) {
		struct store_run t = l->v[i];
		l->v[i] = l->v[l->n - 1 - i];
		l->v[l->n - 1 - i] = t;
	}
	*stats = calloc(l->n ? l->n : 1, sizeof(struct report_stats *));
	if (*stats == NULL)
		return EXIT_INTERNAL;
	/* Each run's rows are read with the previous run's at hand: a
	 * result unchanged since (a reference) is not parsed again. */
	struct cli_rows prev = { 0 }, rows;
	for (size_t i = 0; rc == 0 && i < l->n; i++) {
		/* Kept at the end of the scan: no results to read. */
		int got = kept_stats(s, &l->v[i], join, &(*stats)[i]);
		if (got != 0) {
			rc = got < 0 ? -got : 0;
			continue;
		}
		rc = cli_rows_load_like(s, l->v[i].id, &rows, prev.n ? &prev : NULL);
		if (rc == 0)
			rc = rows_prepare(&rows, join);
		if (rc != 0) {
			cli_rows_free(&rows);
			break;
		}
		cli_rows_free(&prev);
		prev = rows;
		prev.like = NULL;
		(*stats)[i] = cli_stats_of(rows.v, rows.n);
		if ((*stats)[i] == NULL) {
			fputs("posture: out of memory\n", stderr);
			rc = EXIT_INTERNAL;
		}
	}
	cli_rows_free(&prev);
	return rc;
}

static void trend_free(struct runlist *l, struct report_stats **stats)
{
	for (size_t i = 0; stats != NULL && i < l->n; i++)
		report_stats_free(stats[i]);
	free(stats);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The words a trend says of its runs ("label nightly, list x.csv"). */
static const char *filter_words(char *buf, size_t len, const char *label, const char *list)
{
	if (label == NULL && list == NULL)
		return NULL;
	snprintf(buf, len, "%s%s%s%s%s", label ? "label " : "", label ? label : "",
	         label && list ? ", " : "", list ? "list " : "", list ? list : "");
	return buf;
}

static bool list_column(const char *by)
{
	return strcmp(by, "list") == 0 || strcmp(by, "sector") == 0 || strcmp(by, "company") == 0 ||
	       strcmp(by, "code") == 0;
}

/* The value rows are grouped by: a list column (--join may have replaced
 * it: report_join_apply), or another --join column. */
static const char *group_key(const struct report_row *r, const char *by, int attr)
{
	const char *v = attr >= 0                   ? (r->attrs ? r->attrs[attr] : NULL)
	                : strcmp(by, "list") == 0   ? r->list
	                : strcmp(by, "sector") == 0 ? r->sector
	                : strcmp(by, "code") == 0   ? r->code
	                                            : r->company;
	if (attr < 0 && strcmp(by, "company") == 0 && (v == NULL || v[0] == '\0'))
		return r->domain; /* its own company */
	return v && v[0] ? v : "(none)";
}

struct groups {
	const char **names;
	struct report_stats **stats;
	size_t n;
};

static void groups_free(struct groups *g)
{
	for (size_t i = 0; g->stats != NULL && i < g->n; i++)
		report_stats_free(g->stats[i]);
	free(g->stats);
	free(g->names);
	memset(g, 0, sizeof(*g));
}

/* Statistics per group, groups in order of first appearance. 0 or an
 * exit code. */
static int groups_build(const struct cli_rows *rows, const char *by, const struct report_join *join,
                        struct groups *g)
{
	int attr = join && !list_column(by) ? report_join_attr_index(join, by) : -1;
	memset(g, 0, sizeof(*g));
	g->names = calloc(rows->n + 1, sizeof(char *));
	g->stats = calloc(rows->n + 1, sizeof(struct report_stats *));
	if (g->names == NULL || g->stats == NULL)
		goto oom;
	for (size_t i = 0; i < rows->n; i++) {
		const char *k = group_key(&rows->v[i], by, attr);
		size_t at = 0;
		while (at < g->n && g->names[at] != NULL && strcmp(g->names[at], k) != 0)
			at++;
		if (at == g->n) {
			g->names[g->n] = k;
			g->stats[g->n] = report_stats_new();
			if (g->stats[g->n++] == NULL)
				goto oom;
		}
		if (report_stats_add(g->stats[at], &rows->v[i]) != 0)
			goto oom;
	}
	for (size_t i = 0; i < g->n; i++)
		if (report_stats_finish(g->stats[i]) != 0)
			goto oom;
	return 0;
oom:
	fputs("posture: out of memory\n", stderr);
	return EXIT_INTERNAL;
}

/* What the HTML page compares with: the previous finished run of the
 * same label, its rows, and the changes (report_diff) since. */
struct since {
	struct store_run prev;
	struct cli_rows rows;
	struct report_row *sorted; /* the run's rows, by domain (shallow copies) */
	struct report_change *all, *regressed;
	size_t nall, nregressed, cap;
};

static int since_add(void *arg, const struct report_change *c)
{
	struct since *x = arg;
	if (x->nall == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct report_change *v = realloc(x->all, cap * sizeof(*v));
		if (v == NULL)
			return 1;
		x->all = v;
		x->cap = cap;
	}
	x->all[x->nall++] = *c;
	return 0;
}

static void since_free(struct since *x)
{
	cli_rows_free(&x->rows);
	free(x->sorted);
	free(x->all);
	free(x->regressed);
	memset(x, 0, sizeof(*x));
}

/* Fills d's regressions when the run has an earlier finished run of its
 * label. 0 or an exit code. */
static int since_load(struct store *s, const struct cli_rows *rows, struct report_doc *d,
                      struct since *x)
{
	struct runlist l = { .upto = d->run->id - 1, .label = d->run->label };
	int rc = runs_load(s, &l);
	size_t at = 0;
	while (rc == 0 && at < l.n && l.v[at].pruned_at[0] != '\0')
		at++;
	if (rc != 0 || at == l.n) {
		free(l.v);
		return rc;
	}
	x->prev = l.v[at];
	free(l.v);
	rc = cli_rows_load_like(s, x->prev.id, &x->rows, rows);
	if (rc != 0)
		return rc;
	x->sorted = malloc((rows->n + 1) * sizeof(*x->sorted));
	if (x->sorted == NULL)
		goto oom;
	memcpy(x->sorted, rows->v, rows->n * sizeof(*x->sorted));
	report_rows_sort_by_domain(x->sorted, rows->n);
	report_rows_sort_by_domain(x->rows.v, x->rows.n);
	if (report_diff(x->rows.v, x->rows.n, x->sorted, rows->n, since_add, x) != 0)
		goto oom;
	struct report_diff_counts k;
	report_diff_count(x->all, x->nall, &k);
	x->regressed = malloc((x->nall + 1) * sizeof(*x->regressed));
	if (x->regressed == NULL)
		goto oom;
	for (size_t i = 0; i < x->nall; i++)
		if (x->all[i].direction == REPORT_REGRESSED)
			x->regressed[x->nregressed++] = x->all[i];
	d->prev_run = &x->prev;
	d->regressions = x->regressed;
	d->nregressions = x->nregressed;
	d->improved = k.improved;
	d->regressed = k.regressed;
	return 0;
oom:
	fputs("posture: out of memory\n", stderr);
	return EXIT_INTERNAL;
}

/* An option that takes a value. 0, or an exit code. */
static int report_value(struct report_args *a, const char *o, const char *v, int *format)
{
	unsigned long id;
	if (strcmp(o, "--db") == 0) {
		a->db = v;
	} else if (strcmp(o, "-o") == 0) {
		a->out = v;
	} else if (strcmp(o, "--join") == 0) {
		a->join_path = v;
	} else if (strcmp(o, "--label") == 0) {
		a->label = v;
	} else if (strcmp(o, "--list") == 0) {
		a->list = v;
	} else if (strcmp(o, "--run") == 0) {
		if (cli_parse_uint(v, 1, INT64_MAX, &id) != 0)
			return cli_usage_error("report", "--run takes a run id, not '%s'", v);
		a->run = (int64_t)id;
	} else if (strcmp(o, "--format") == 0) {
		*format = report_format_parse(v);
		if (*format < 0)
			return cli_usage_error(
			        "report", "--format takes text, csv, json, md or html, not '%s'",
			        v);
	} else {
		if (v[0] == '\0')
			return cli_usage_error("report",
			                       "--by takes list, sector, company, code or "
			                       "a column of --join FILE");
		a->by = v;
	}
	return 0;
}

static const char *const report_value_opts[] = { "--db", "--run",  "--format", "--by",
	                                         "-o",   "--join", "--label",  "--list" };

/* The flags; 1 when o is none of them. */
static int report_flag(struct report_args *a, const char *o, int *modes)
{
	static const struct {
		const char *name;
		enum report_what what;
	} m[] = { { "--stats", REPORT_STATS },
		  { "--domains", REPORT_DOMAINS },
		  { "--companies", REPORT_COMPANIES },
		  { "--findings", REPORT_STATS },
		  { "--trend", REPORT_TREND } };
	if (strcmp(o, "--csv-raw") == 0) {
		a->csv_raw = true;
		return 0;
	}
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(o, m[i].name) == 0) {
			if (strcmp(o, "--stats") != 0)
				(*modes)++;
			a->what = m[i].what;
			a->findings = strcmp(o, "--findings") == 0;
			a->trend = m[i].what == REPORT_TREND;
			return 0;
		}
	return 1;
}

/* The format: --format (or --json) and what -o's name implies must agree. */
static int report_format_pick(struct report_args *a, const struct cli_globals *g, int format)
{
	int implied = a->out ? report_format_of_path(a->out) : -1;
	if (format < 0 && g->json)
		format = REPORT_JSON;
	if (format >= 0 && implied >= 0 && format != implied) {
		static const char *const n[] = { "text", "csv", "json", "md", "html" };
		return cli_usage_error("report",
		                       "-o %s implies --format %s, but --format %s was given: "
		                       "drop one, or name the file for its format",
		                       a->out, n[implied], n[format]);
	}
	a->format = format >= 0 ? format : implied >= 0 ? implied : REPORT_TEXT;
	return 0;
}

/* What goes with what. 0, or an exit code. */
static int report_check_args(struct report_args *a, int modes)
{
	bool html = a->format == REPORT_HTML;
	if (modes > 1)
		return cli_usage_error("report", "choose one of --domains, --companies, --findings "
		                                 "and --trend");
	if (a->trend && (a->run || a->by || html))
		return cli_usage_error("report",
		                       "--trend takes no --run, --by or html: it covers "
		                       "every finished run (--label, --list choose them)");
	if (a->run && (a->label || a->list) && !html)
		return cli_usage_error("report", "--run names the run: --label and --list choose "
		                                 "one, or a trend's runs");
	if (a->by && a->what != REPORT_STATS && !html)
		return cli_usage_error("report", "--by is for statistics, not --domains, "
		                                 "--companies, --findings or --trend");
	if (a->findings && a->by)
		return cli_usage_error("report", "--by is for statistics, not --findings");
	if (html && (a->findings || a->what == REPORT_COMPANIES))
		return cli_usage_error("report",
		                       "html is the whole page: --companies and "
		                       "--findings are for text, csv, json or md "
		                       "(--by company adds the company table to the page)");
	if (a->csv_raw && a->format != REPORT_CSV)
		return cli_usage_error("report", "--csv-raw is for --format csv");
	if (a->by && strcmp(a->by, "company") == 0 && !html)
		a->what = REPORT_COMPANIES; /* --by company is --companies */
	return 0;
}

static int parse_report_args(int argc, char **argv, const struct cli_globals *g,
                             struct report_args *a)
{
	int format = -1, modes = 0, rc;
	memset(a, 0, sizeof(*a));
	a->db = REPORT_DB_DEFAULT;
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i];
		bool takes = false;
		if (report_flag(a, o, &modes) == 0)
			continue;
		for (size_t k = 0; k < sizeof(report_value_opts) / sizeof(report_value_opts[0]);
		     k++)
			takes |= strcmp(o, report_value_opts[k]) == 0;
		if (!takes && o[0] == '-' && o[1] != '\0')
			return cli_unknown_option("report", cmd_report_help, o);
		if (!takes)
			return cli_usage_error("report", "unexpected argument '%s'", o);
		if (i + 1 >= argc)
			return cli_usage_error("report", "%s needs a value", o);
		rc = report_value(a, o, argv[++i], &format);
		if (rc != 0)
			return rc;
	}
	rc = report_format_pick(a, g, format);
	return rc != 0 ? rc : report_check_args(a, modes);
}

/* --trend. 0 or an exit code. */
static int report_trend(FILE *out, struct store *s, const struct report_args *a)
{
	struct runlist l = { .label = a->label, .list = a->list };
	struct report_stats **stats;
	char words[600];
	int rc = trend_load(s, SIZE_MAX, &l, &stats, a->join);
	struct report_doc d = { .trend_runs = l.v,
		                .trend_stats = stats,
		                .ntrend = l.n,
		                .trend_filter =
		                        filter_words(words, sizeof(words), a->label, a->list),
		                .csv_raw = a->csv_raw,
		                .text_width = cli_text_width(out) };
	if (rc == 0 && report_write_what(out, (enum report_format)a->format, &d, REPORT_TREND) != 0)
		rc = EXIT_INTERNAL;
	trend_free(&l, stats);
	return rc;
}

/* The run a report is of: --run, or the newest finished run (of --label
 * and --list when given). 0 with *id, or an exit code. */
static int report_run_id(struct store *s, const struct report_args *a, int64_t *id)
{
	*id = a->run;
	if (*id != 0)
		return 0;
	if (a->label == NULL && a->list == NULL) {
		*id = store_run_latest_finished(s);
	} else {
		struct runlist l = { .label = a->label, .list = a->list };
		int rc = runs_load(s, &l);
		*id = rc == 0 && l.n > 0 ? l.v[0].id : 0;
		free(l.v);
		if (rc != 0)
			return rc;
	}
	if (*id == 0) {
		fprintf(stderr, "posture: %s holds no finished run%s%s; name one with --run\n",
		        a->db, a->label || a->list ? " of that " : "",
		        a->label  ? "label"
		        : a->list ? "list"
		                  : "");
		return EXIT_USAGE;
	}
	return 0;
}

/* --findings: every finding of the run, as its results are read. */
static int findings_row(void *arg, const struct store_row *row)
{
	struct report_findings_out *o = arg;
	int rc = report_findings_each(row->r.json, row->r.json_len, row->domain,
	                              report_findings_add, o);
	return rc < 0 ? 0 : rc; /* a result whose JSON cannot be read has none to give */
}

static int report_findings(FILE *out, struct store *s, const struct report_args *a,
                           const struct store_run *run)
{
	struct report_findings_out o = { .out = out,
		                         .f = (enum report_format)a->format,
		                         .csv_raw = a->csv_raw,
		                         .run = run,
		                         .text_width = cli_text_width(out) };
	if (report_findings_begin(&o) != 0)
		return EXIT_INTERNAL;
	int rc = store_results_each(s, run->id, findings_row, &o);
	if (rc < 0) {
		cli_db_error(s);
		return EXIT_INTERNAL;
	}
	return rc != 0 || report_findings_end(&o) != 0 ? EXIT_INTERNAL : 0;
}

/* The HTML page's extras: the trend (the run's label unless --label or
 * --list say otherwise) and the regressions since the previous run. */
static int html_extras(struct store *s, const struct report_args *a, const struct cli_rows *rows,
                       struct report_doc *d, struct runlist *l, struct report_stats ***tstats,
                       struct since *x, char *words, size_t wlen)
{
	l->upto = d->run->id;
	l->label = a->label || a->list ? a->label : d->run->label;
	l->list = a->list;
	int rc = trend_load(s, REPORT_TREND_RUNS, l, tstats, a->join);
	if (rc != 0)
		return rc;
	d->trend_runs = l->v;
	d->trend_stats = *tstats;
	d->ntrend = l->n;
	d->trend_filter = filter_words(words, wlen, l->label, l->list);
	return since_load(s, rows, d, x);
}

/* The HTML report's section on the receivers' reports: the aggregate
 * reports of every domain over the last 30 days, when the database holds
 * any (reports/evidence.h). */
#define HTML_EVIDENCE_DAYS 30
static int html_evidence(struct store *s, struct fb_summary *fs)
{
	uint64_t agg = 0, fail = 0, tls = 0;
	if (store_fb_counts(s, &agg, &fail, &tls) != 0 || agg + tls == 0)
		return 0;
	int64_t since = (int64_t)time(NULL) - (int64_t)HTML_EVIDENCE_DAYS * 86400;
	return cli_evidence_load(s, NULL, since, 0, NULL, fs, NULL);
}

/* Statistics, domains, companies or groups of one run; its statistics
 * kept (taken, freed here) or, NULL, counted from rows. */
static int report_one(FILE *out, struct store *s, const struct report_args *a,
                      const struct store_run *run, struct cli_rows *rows, struct report_stats *kept)
{
	bool html = a->format == REPORT_HTML;
	struct report_doc d = { .run = run,
		                .csv_raw = a->csv_raw,
		                .db = a->db,
		                .join = a->join,
		                .text_width = cli_text_width(out) };
	struct runlist l = { 0 };
	struct report_stats **tstats = NULL;
	struct since x = { 0 };
	struct groups g = { 0 };
	struct report_company *co = NULL;
	char words[600];
	int rc = EXIT_INTERNAL;
	bool companies = a->what == REPORT_COMPANIES || (a->by && strcmp(a->by, "company") == 0);
	struct report_stats *st = kept ? kept : cli_stats_of(rows->v, rows->n);
	if (st == NULL)
		goto out;
	d.stats = st;
	if (a->what == REPORT_DOMAINS || html) {
		d.rows = rows->v;
		d.nrows = rows->n;
	}
	if (companies && report_companies(rows->v, rows->n, &co, &d.ncompanies) != 0)
		goto out;
	d.companies = co;
	if (a->by && !companies) {
		rc = groups_build(rows, a->by, a->join, &g);
		if (rc != 0)
			goto out;
		d.by = a->by;
		d.group_names = g.names;
		d.group_stats = g.stats;
		d.ngroups = g.n;
	}
	struct fb_summary fs = { 0 };
	struct evidence_doc ed = { .s = &fs };
	if (html) {
		rc = html_extras(s, a, rows, &d, &l, &tstats, &x, words, sizeof(words));
		if (rc == 0)
			rc = html_evidence(s, &fs);
		if (rc != 0)
			goto out;
		if (fs.reports > 0)
			d.evidence = &ed;
	}
	enum report_what what = a->by && !companies ? REPORT_GROUPS : a->what;
	rc = report_write_what(out, (enum report_format)a->format, &d, what) == 0 ? EXIT_OK
	                                                                          : EXIT_INTERNAL;
out:
	fb_summary_cleanup(&fs);
	if (st == NULL || (companies && co == NULL && rows->n > 0))
		fputs("posture: out of memory\n", stderr);
	since_free(&x);
	trend_free(&l, tstats);
	groups_free(&g);
	free(co);
	report_stats_free(st);
	return rc;
}

static int write_report(FILE *out, struct store *s, const struct report_args *a)
{
	struct store_run run;
	struct cli_rows rows;
	int64_t id;
	if (a->trend)
		return report_trend(out, s, a);
	int rc = report_run_id(s, a, &id);
	if (rc == 0)
		rc = cli_run_get(s, id, &run);
	if (rc != 0)
		return rc;
	if (a->findings) {
		if (run.pruned_at[0] != '\0') {
			fprintf(stderr, "posture: run %lld was pruned: its findings are gone\n",
			        (long long)id);
			return EXIT_USAGE;
		}
		return report_findings(out, s, a, &run);
	}
	/* Statistics alone: those kept at the end of the scan, when there
	 * are such (no results to read). */
	struct report_stats *kept = NULL;
	if (a->what == REPORT_STATS && a->format != REPORT_HTML && a->by == NULL) {
		int got = kept_stats(s, &run, a->join, &kept);
		if (got < 0)
			return -got;
		if (got == 1) {
			struct cli_rows none = { 0 };
			return report_one(out, s, a, &run, &none, kept);
		}
	}
	rc = cli_rows_load(s, id, &rows);
	if (rc == 0)
		rc = rows_prepare(&rows, a->join);
	if (rc == 0)
		rc = report_one(out, s, a, &run, &rows, NULL);
	cli_rows_free(&rows);
	return rc;
}

/* --join FILE: read before the database is opened, so a bad file is a
 * usage error. 0 or an exit code. */
static int join_load(struct report_args *a)
{
	char err[512];
	if (a->join_path == NULL)
		return 0;
	FILE *in = fopen(a->join_path, "rb");
	if (in == NULL) {
		fprintf(stderr, "posture: %s: cannot open it\n", a->join_path);
		return EXIT_USAGE;
	}
	int rc = report_join_read(in, a->join_path, &a->join, err, sizeof(err));
	fclose(in);
	if (rc != 0)
		return cli_usage_error("report", "--join %s", err);
	if (a->by && report_join_attr_index(a->join, a->by) < 0 && !list_column(a->by))
		return cli_usage_error("report", "--by %s: %s has no such column", a->by,
		                       a->join_path);
	return 0;
}

int cmd_report(int argc, char **argv, const struct cli_globals *g)
{
	struct report_args a;
	int rc = parse_report_args(argc, argv, g, &a);
	if (rc != 0)
		return rc;
	if (a.by && a.join_path == NULL && !list_column(a.by))
		return cli_usage_error("report",
		                       "--by takes list, sector, company, code or a "
		                       "column of --join FILE, not '%s'",
		                       a.by);
	rc = join_load(&a);
	if (rc != 0) {
		report_join_free(a.join);
		return rc;
	}
	struct store *s = cli_db_open_ro(a.db);
	if (s == NULL) {
		report_join_free(a.join);
		return access(a.db, F_OK) != 0 ? EXIT_USAGE : EXIT_INTERNAL;
	}
	FILE *out = stdout;
	if (a.out != NULL) {
		out = fopen(a.out, "w");
		if (out == NULL) {
			fprintf(stderr, "posture: %s: cannot write it\n", a.out);
			store_close(s);
			report_join_free(a.join);
			return EXIT_INTERNAL;
		}
	}
	rc = write_report(out, s, &a);
	bool write_failed = fflush(out) != 0 || ferror(out);
	if (out != stdout && fclose(out) != 0)
		write_failed = true;
	if (write_failed && rc == 0)
		rc = EXIT_INTERNAL;
	if (rc == EXIT_INTERNAL && (write_failed || !cli_db_error_said()))
		fputs(write_failed ? "posture: report: the output could not be written\n"
		                   : "posture: report: the report could not be built from the "
		                     "database (out of memory, or text jansson cannot hold)\n",
		      stderr);
	store_close(s);
	report_join_free(a.join);
	return rc;
}
