/*
 * cmd_report.c — "posture report" (a run's statistics and domains, trends),
 * "posture diff" (what changed between two runs) and "posture history"
 * (one domain over time). Thin: read rows from the store, hand them to
 * report/, print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "csv.h"
#include "domainlist.h"
#include "output.h"
#include "report.h"
#include "store.h"
#include "strutil.h"

#define REPORT_DB_DEFAULT "posture.db"
/* Runs drawn in the HTML report's trend lines (the newest ones). */
#define REPORT_TREND_RUNS 30

const char cmd_report_help[] =
        "usage: posture report [--db FILE] [--run ID] [--format text|csv|json|md|html]\n"
        "                      [--stats|--domains] [--by list|sector|company] [-o FILE]\n"
        "       posture report --trend [--db FILE] [--format text|csv|json|md] [-o FILE]\n"
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
        "  --format F      text (default), csv (RFC 4180), json, md (Markdown tables\n"
        "                  for papers), html (one self-contained page with charts\n"
        "                  and a sortable domain table); --json means --format json\n"
        "  --stats         statistics (default)\n"
        "  --domains       one row per domain instead\n"
        "  --by KEY        statistics per list, sector or company\n"
        "  --trend         each metric per finished run, oldest first\n"
        "  -o FILE         write to FILE instead of standard output\n"
        "\n"
        "CSV cells starting with = + - @ are neutralised with a leading apostrophe\n"
        "(records are attacker-controlled). When BIMI did not run, BIMI figures say\n"
        "'not checked', never 0%.\n"
        "\n"
        "Exit status: 0 written, 2 usage (unknown run, no database), 3 failure.\n"
        "\n"
        "Examples:\n"
        "  posture report --db audit.db\n"
        "  posture report --db audit.db --format html -o report.html\n"
        "  posture report --db audit.db --domains --format csv -o domains.csv\n"
        "  posture report --db audit.db --trend --format csv\n";

const char cmd_diff_help[] =
        "usage: posture diff RUN_A RUN_B [--db FILE] [--format text|csv|json|jsonl]\n"
        "                    [--summary] [--allow-partial]\n"
        "       posture diff --latest [--label NAME] [--db FILE] [--format F] [--summary]\n"
        "\n"
        "What changed per domain from run A to run B: SPF status (entering or\n"
        "leaving a PermError is 'spf_permerror', with its cause; a changed cause\n"
        "'spf_error'), DMARC enforcement class and policy, VMC (new, expired or\n"
        "invalid), BIMI eligibility, MX, and domains added or removed. Each change\n"
        "is improved, regressed or changed; a change has the same name whichever\n"
        "way it goes. A check that failed with a DNS error (or did not run) on\n"
        "either side is not compared. A partial run (an incomplete merge) is\n"
        "refused unless --allow-partial.\n"
        "\n"
        "  --latest        compare the two newest finished runs (degraded, partial\n"
        "                  or interrupted runs are skipped) and print only the\n"
        "                  regressions: nothing at all, exit 0, when no domain\n"
        "                  regressed. Fewer than two such runs: exit 2 with\n"
        "                  'posture: diff --latest: not enough runs' (a first night)\n"
        "  --label NAME    with --latest: runs of that label (default: the label of\n"
        "                  the newest finished run)\n"
        "  --summary       one line of counts: domains improved, regressed,\n"
        "                  changed, added, removed\n"
        "  --format F      text (default), csv, json, or jsonl (one JSON object per\n"
        "                  change per line, with run_a and run_b, for pipelines)\n"
        "\n"
        "JSON: {run_a, run_b, improved, regressed, changes: [{domain, what, from,\n"
        "to, direction}]}.\n"
        "\n"
        "Exit status: 0 no domain regressed, 1 at least one regressed, 2 usage\n"
        "(unknown run, partial run, fewer than two runs for --latest), 3 failure.\n"
        "\n"
        "Examples:\n"
        "  posture diff 6 7 --db audit.db\n"
        "  posture diff --latest --label nightly --db audit.db\n";

const char cmd_history_help[] =
        "usage: posture history DOMAIN [--db FILE] [--format text|csv|json]\n"
        "\n"
        "One domain's results in every run of the database, oldest first: run,\n"
        "when it was scanned, whether the result was conclusive, SPF, DMARC,\n"
        "BIMI/VMC and MX.\n"
        "\n"
        "Exit status: 0 printed, 1 the database holds no result for DOMAIN,\n"
        "2 usage, 3 failure.\n"
        "\n"
        "Example:\n"
        "  posture history example.com --db audit.db\n";

struct rows {
	struct report_row *v;
	size_t n, cap;
	bool oom;
};

static int collect(void *arg, const struct store_row *sr)
{
	struct rows *r = arg;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct report_row *v = realloc(r->v, cap * sizeof(*v));
		if (v == NULL) {
			r->oom = true;
			return 1;
		}
		r->v = v;
		r->cap = cap;
	}
	if (report_row_from_store(&r->v[r->n], sr) != 0) {
		r->oom = true;
		return 1;
	}
	r->n++;
	return 0;
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		report_row_cleanup(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* Loads a run's rows; prints why and returns an exit code when it fails. */
static int load_rows(struct store *s, int64_t run, struct rows *out)
{
	memset(out, 0, sizeof(*out));
	int rc = store_results_each(s, run, collect, out);
	if (out->oom) {
		fputs("posture: out of memory\n", stderr);
		return EXIT_INTERNAL;
	}
	if (rc < 0) {
		fprintf(stderr, "posture: database: %s\n", store_error(s));
		return EXIT_INTERNAL;
	}
	return 0;
}

static struct report_stats *stats_of(const struct report_row *rows, size_t n)
{
	struct report_stats *st = report_stats_new();
	for (size_t i = 0; st != NULL && i < n; i++)
		if (report_stats_add(st, &rows[i]) != 0) {
			report_stats_free(st);
			return NULL;
		}
	if (st != NULL && report_stats_finish(st) != 0) {
		report_stats_free(st);
		return NULL;
	}
	return st;
}

static struct store *open_existing(const char *db)
{
	char err[1024];
	if (access(db, F_OK) != 0) {
		fprintf(stderr, "posture: %s: no such database (make one with posture scan)\n", db);
		return NULL;
	}
	/* Read-only: beside a scan, and on a database this user cannot
	 * write; a note says when it had to be read unlocked (store.h). */
	struct store *s = store_open_ro(db, err, sizeof(err));
	if (s == NULL)
		fprintf(stderr, "posture: %s\n", err);
	else if (err[0] != '\0')
		fprintf(stderr, "posture: note: %s\n", err);
	return s;
}

/* Reads a run by id; 0 found, else an exit code (message printed). */
static int get_run(struct store *s, int64_t id, struct store_run *r)
{
	int got = store_run_get(s, id, r);
	if (got < 0) {
		fprintf(stderr, "posture: database: %s\n", store_error(s));
		return EXIT_INTERNAL;
	}
	if (got == 0) {
		fprintf(stderr, "posture: no run %lld in the database (see posture runs)\n",
		        (long long)id);
		return EXIT_USAGE;
	}
	return 0;
}

struct runlist {
	struct store_run *v;
	size_t n, cap;
	int64_t upto; /* only runs with id <= upto (0: all) */
};

static int add_run(void *arg, const struct store_run *r)
{
	struct runlist *l = arg;
	if (r->state != STORE_RUN_FINISHED || (l->upto > 0 && r->id > l->upto))
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

/* Finished runs (newest max of them, id <= upto), oldest first, with
 * their statistics. 0 or an exit code. */
static int trend_load(struct store *s, int64_t upto, size_t max, struct runlist *l,
                      struct report_stats ***stats)
{
	memset(l, 0, sizeof(*l));
	l->upto = upto;
	*stats = NULL;
	if (store_runs_each(s, add_run, l) != 0) {
		fprintf(stderr, "posture: database: %s\n", store_error(s));
		return EXIT_INTERNAL;
	}
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
	for (size_t i = 0; i < l->n; i++) {
		struct rows rows;
		int rc = load_rows(s, l->v[i].id, &rows);
		if (rc != 0)
			return rc;
		(*stats)[i] = stats_of(rows.v, rows.n);
		rows_free(&rows);
		if ((*stats)[i] == NULL) {
			fputs("posture: out of memory\n", stderr);
			return EXIT_INTERNAL;
		}
	}
	return 0;
}

static void trend_free(struct runlist *l, struct report_stats **stats)
{
	for (size_t i = 0; stats != NULL && i < l->n; i++)
		report_stats_free(stats[i]);
	free(stats);
	free(l->v);
}

static const char *group_key(const struct report_row *r, const char *by)
{
	const char *v = strcmp(by, "list") == 0     ? r->list
	                : strcmp(by, "sector") == 0 ? r->sector
	                                            : r->company;
	if (strcmp(by, "company") == 0 && (v == NULL || v[0] == '\0'))
		return r->domain; /* its own company */
	return v && v[0] ? v : "(none)";
}

/* Statistics per group, groups in order of first appearance. */
static int write_by(FILE *out, enum report_format f, const struct store_run *run,
                    const struct rows *rows, const char *by)
{
	const char **names = calloc(rows->n + 1, sizeof(char *));
	struct report_stats **stats = calloc(rows->n + 1, sizeof(struct report_stats *));
	size_t n = 0;
	int rc = EXIT_INTERNAL;
	if (names == NULL || stats == NULL)
		goto out;
	for (size_t i = 0; i < rows->n; i++) {
		const char *k = group_key(&rows->v[i], by);
		size_t g = 0;
		while (g < n && strcmp(names[g], k) != 0)
			g++;
		if (g == n) {
			names[n] = k;
			stats[n] = report_stats_new();
			if (stats[n++] == NULL)
				goto out;
		}
		if (report_stats_add(stats[g], &rows->v[i]) != 0)
			goto out;
	}
	for (size_t g = 0; g < n; g++)
		if (report_stats_finish(stats[g]) != 0)
			goto out;
	rc = report_write_groups(out, f, run, by, names, stats, n) == 0 ? EXIT_OK : EXIT_INTERNAL;
out:
	for (size_t g = 0; stats != NULL && g < n; g++)
		report_stats_free(stats[g]);
	free(stats);
	free(names);
	return rc;
}

struct report_args {
	const char *db, *out, *by;
	int64_t run;
	int format;
	bool domains, trend;
};

static int parse_report_args(int argc, char **argv, const struct cli_globals *g,
                             struct report_args *a)
{
	memset(a, 0, sizeof(*a));
	a->db = REPORT_DB_DEFAULT;
	a->format = g->json ? REPORT_JSON : REPORT_TEXT;
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long id;
		if (strcmp(o, "--stats") == 0) {
			a->domains = false;
			continue;
		}
		if (strcmp(o, "--domains") == 0) {
			a->domains = true;
			continue;
		}
		if (strcmp(o, "--trend") == 0) {
			a->trend = true;
			continue;
		}
		if (strcmp(o, "--db") != 0 && strcmp(o, "--run") != 0 &&
		    strcmp(o, "--format") != 0 && strcmp(o, "--by") != 0 && strcmp(o, "-o") != 0)
			return cli_usage_error("report", "unexpected argument '%s'", o);
		if (v == NULL)
			return cli_usage_error("report", "%s needs a value", o);
		i++;
		if (strcmp(o, "--db") == 0) {
			a->db = v;
		} else if (strcmp(o, "-o") == 0) {
			a->out = v;
		} else if (strcmp(o, "--run") == 0) {
			if (cli_parse_uint(v, 1, INT64_MAX, &id) != 0)
				return cli_usage_error("report", "--run takes a run id, not '%s'",
				                       v);
			a->run = (int64_t)id;
		} else if (strcmp(o, "--format") == 0) {
			a->format = report_format_parse(v);
			if (a->format < 0)
				return cli_usage_error(
				        "report",
				        "--format takes text, csv, json, md or html, not '%s'", v);
		} else {
			if (strcmp(v, "list") != 0 && strcmp(v, "sector") != 0 &&
			    strcmp(v, "company") != 0)
				return cli_usage_error(
				        "report", "--by takes list, sector or company, not '%s'",
				        v);
			a->by = v;
		}
	}
	if (a->trend && (a->domains || a->by || a->run || a->format == REPORT_HTML))
		return cli_usage_error("report", "--trend takes no --domains, --by, --run or html: "
		                                 "it covers every finished run");
	if (a->by && (a->domains || a->format == REPORT_HTML))
		return cli_usage_error("report", "--by is for statistics in text, csv, json or md");
	return 0;
}

static int write_report(FILE *out, struct store *s, const struct report_args *a)
{
	struct store_run run;
	struct rows rows;
	int rc;

	if (a->trend) {
		struct runlist l;
		struct report_stats **stats;
		rc = trend_load(s, 0, SIZE_MAX, &l, &stats);
		if (rc == 0 &&
		    report_write_trend(out, (enum report_format)a->format, l.v, stats, l.n) != 0)
			rc = EXIT_INTERNAL;
		trend_free(&l, stats);
		return rc;
	}
	int64_t id = a->run ? a->run : store_run_latest_finished(s);
	if (id == 0) {
		fprintf(stderr, "posture: %s holds no finished run; name one with --run\n", a->db);
		return EXIT_USAGE;
	}
	rc = get_run(s, id, &run);
	if (rc != 0)
		return rc;
	rc = load_rows(s, id, &rows);
	if (rc != 0)
		return rc;
	if (a->by) {
		rc = write_by(out, (enum report_format)a->format, &run, &rows, a->by);
		rows_free(&rows);
		return rc;
	}
	struct report_stats *st = stats_of(rows.v, rows.n);
	struct runlist l;
	struct report_stats **tstats = NULL;
	memset(&l, 0, sizeof(l));
	if (st == NULL) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	struct report_doc d = { .run = &run, .stats = st };
	if (a->domains || a->format == REPORT_HTML) {
		d.rows = rows.v;
		d.nrows = rows.n;
	}
	if (a->format == REPORT_HTML) {
		rc = trend_load(s, id, REPORT_TREND_RUNS, &l, &tstats);
		if (rc != 0)
			goto out;
		d.trend_runs = l.v;
		d.trend_stats = tstats;
		d.ntrend = l.n;
	}
	rc = report_write(out, (enum report_format)a->format, &d, a->domains) == 0 ? EXIT_OK
	                                                                           : EXIT_INTERNAL;
out:
	trend_free(&l, tstats);
	report_stats_free(st);
	rows_free(&rows);
	return rc;
}

int cmd_report(int argc, char **argv, const struct cli_globals *g)
{
	struct report_args a;
	int rc = parse_report_args(argc, argv, g, &a);
	if (rc != 0)
		return rc;
	struct store *s = open_existing(a.db);
	if (s == NULL)
		return access(a.db, F_OK) != 0 ? EXIT_USAGE : EXIT_INTERNAL;
	FILE *out = stdout;
	if (a.out != NULL) {
		out = fopen(a.out, "w");
		if (out == NULL) {
			fprintf(stderr, "posture: %s: cannot write it\n", a.out);
			store_close(s);
			return EXIT_INTERNAL;
		}
	}
	rc = write_report(out, s, &a);
	bool write_failed = fflush(out) != 0 || ferror(out);
	if (out != stdout && fclose(out) != 0)
		write_failed = true;
	if (write_failed && rc == 0)
		rc = EXIT_INTERNAL;
	if (rc == EXIT_INTERNAL)
		fputs(write_failed ? "posture: report: the output could not be written\n"
		                   : "posture: report: the report could not be built from the "
		                     "database (out of memory, or text jansson cannot hold)\n",
		      stderr);
	store_close(s);
	return rc;
}

/* Options of history: --db, --format (text, csv, json). */
static int take_opts(int argc, char **argv, const char *cmd, const struct cli_globals *g,
                     const char **db, int *format, char **pos, int *npos)
{
	*format = g->json ? REPORT_JSON : REPORT_TEXT;
	*npos = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 || strcmp(argv[i], "--format") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error(cmd, "%s needs a value", argv[i]);
			if (strcmp(argv[i], "--db") == 0) {
				*db = argv[++i];
				continue;
			}
			*format = report_format_parse(argv[++i]);
			if (*format != REPORT_TEXT && *format != REPORT_CSV &&
			    *format != REPORT_JSON)
				return cli_usage_error(cmd, "--format takes text, csv or json");
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
		if (*npos >= 2)
			return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
		pos[(*npos)++] = argv[i];
	}
	return 0;
}

/* --format jsonl: diff only (one JSON object per line, for pipelines). */
#define DIFF_JSONL 100

struct diff_args {
	const char *db, *label;
	char *pos[2];
	int npos, format;
	bool latest, summary, allow_partial;
};

static int diff_opt_value(int argc, char **argv, int *i, struct diff_args *d)
{
	if (*i + 1 >= argc)
		return cli_usage_error("diff", "%s needs a value", argv[*i]);
	const char *opt = argv[*i], *v = argv[++*i];
	if (strcmp(opt, "--db") == 0) {
		d->db = v;
	} else if (strcmp(opt, "--label") == 0) {
		d->label = v;
	} else {
		d->format = strcmp(v, "jsonl") == 0 ? DIFF_JSONL : report_format_parse(v);
		if (d->format != REPORT_TEXT && d->format != REPORT_CSV &&
		    d->format != REPORT_JSON && d->format != DIFF_JSONL)
			return cli_usage_error("diff", "--format takes text, csv, json or jsonl");
	}
	return 0;
}

static int diff_opts(int argc, char **argv, const struct cli_globals *g, struct diff_args *d)
{
	d->format = g->json ? REPORT_JSON : REPORT_TEXT;
	for (int i = 0; i < argc; i++) {
		int rc = 0;
		if (strcmp(argv[i], "--db") == 0 || strcmp(argv[i], "--format") == 0 ||
		    strcmp(argv[i], "--label") == 0)
			rc = diff_opt_value(argc, argv, &i, d);
		else if (strcmp(argv[i], "--latest") == 0)
			d->latest = true;
		else if (strcmp(argv[i], "--summary") == 0)
			d->summary = true;
		else if (strcmp(argv[i], "--allow-partial") == 0)
			d->allow_partial = true;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			rc = cli_usage_error("diff", "unknown option '%s'", argv[i]);
		else if (d->npos >= 2)
			rc = cli_usage_error("diff", "unexpected argument '%s'", argv[i]);
		else
			d->pos[d->npos++] = argv[i];
		if (rc != 0)
			return rc;
	}
	if (d->latest && d->npos != 0)
		return cli_usage_error("diff", "--latest picks the runs: name no run ids");
	if (d->label != NULL && !d->latest)
		return cli_usage_error("diff", "--label goes with --latest");
	return 0;
}

/* The two newest finished runs (of one label), newest first. */
struct latest {
	const char *label; /* NULL: the newest finished run's label */
	struct store_run v[2];
	size_t n;
};

static int pick_latest(void *arg, const struct store_run *r)
{
	struct latest *l = arg;
	/* Degraded, partial, interrupted or running nights are never compared:
	 * an alert must rest on two complete nights. */
	if (r->state != STORE_RUN_FINISHED)
		return 0;
	const char *want = l->label != NULL ? l->label : l->n > 0 ? l->v[0].label : NULL;
	if (want != NULL && strcmp(r->label, want) != 0)
		return 0;
	l->v[l->n++] = *r;
	return l->n == 2;
}

/* Fills the two runs (older in ra); 0, else an exit code (message printed). */
static int latest_runs(struct store *s, const struct diff_args *d, struct store_run *ra,
                       struct store_run *rb)
{
	struct latest l;
	memset(&l, 0, sizeof(l));
	l.label = d->label;
	if (store_runs_each(s, pick_latest, &l) != 0) {
		fprintf(stderr, "posture: database: %s\n", store_error(s));
		return EXIT_INTERNAL;
	}
	if (l.n < 2) {
		/* A stable sentence: a nightly script tells its first night apart
		 * from a usage error by it (doc/reports.md). */
		fprintf(stderr, "posture: diff --latest: not enough runs: %zu finished run%s", l.n,
		        l.n == 1 ? "" : "s");
		if (l.label != NULL || l.n == 1) {
			fputs(" labelled '", stderr);
			print_safe(stderr, l.label != NULL ? l.label : l.v[0].label);
			fputc('\'', stderr);
		}
		fprintf(stderr, " in %s, two are needed\n", d->db);
		return EXIT_USAGE;
	}
	*ra = l.v[1];
	*rb = l.v[0];
	return 0;
}

/* Named runs: their ids, and no partial run unless allowed. */
static int named_runs(struct store *s, const struct diff_args *d, struct store_run *ra,
                      struct store_run *rb)
{
	unsigned long ida, idb;
	if (d->npos != 2 || cli_parse_uint(d->pos[0], 1, INT64_MAX, &ida) != 0 ||
	    cli_parse_uint(d->pos[1], 1, INT64_MAX, &idb) != 0)
		return cli_usage_error("diff", "name two run ids: posture diff RUN_A RUN_B "
		                               "(or posture diff --latest)");
	int rc = get_run(s, (int64_t)ida, ra);
	if (rc == 0)
		rc = get_run(s, (int64_t)idb, rb);
	for (int i = 0; rc == 0 && i < 2 && !d->allow_partial; i++) {
		const struct store_run *r = i == 0 ? ra : rb;
		/* A partial run (an incomplete merge) lacks whole shards: its
		 * missing domains would read as removed. */
		if (strcmp(store_run_state_name(r->state), "partial") == 0) {
			fprintf(stderr,
			        "posture: diff: run %lld is partial (some of its domains are "
			        "missing); compare it anyway with --allow-partial\n",
			        (long long)r->id);
			rc = EXIT_USAGE;
		}
	}
	return rc;
}

struct changes {
	struct report_change *v;
	size_t n, cap;
};

static int add_change(void *arg, const struct report_change *c)
{
	struct changes *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct report_change *v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *c;
	return 0;
}

/* What one diff prints: the runs, the changes, the counts. */
struct diff_out {
	const struct store_run *ra, *rb;
	const struct changes *c;
	struct report_diff_counts k;
	bool only_regressed; /* --latest: the regressions alone */
};

static json_t *change_json(const struct diff_out *o, const struct report_change *x, bool runs)
{
	json_t *j =
	        json_pack("{s:s,s:s,s:s,s:s,s:s}", "domain", x->domain, "what", x->what, "from",
	                  x->from, "to", x->to, "direction", report_direction_name(x->direction));
	if (j != NULL && runs) {
		json_object_set_new(j, "run_a", json_integer((json_int_t)o->ra->id));
		json_object_set_new(j, "run_b", json_integer((json_int_t)o->rb->id));
	}
	return j;
}

static bool shown(const struct diff_out *o, const struct report_change *x)
{
	return !o->only_regressed || x->direction == REPORT_REGRESSED;
}

static int write_summary(int format, const struct diff_out *o)
{
	const struct report_diff_counts *k = &o->k;
	if (format == REPORT_JSON || format == DIFF_JSONL)
		return json_emit(json_pack(
		        "{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "run_a", (json_int_t)o->ra->id, "run_b",
		        (json_int_t)o->rb->id, "improved", (json_int_t)k->improved, "regressed",
		        (json_int_t)k->regressed, "changed", (json_int_t)k->changed, "added",
		        (json_int_t)k->added, "removed", (json_int_t)k->removed));
	if (format == REPORT_CSV) {
		fputs("run_a,run_b,improved,regressed,changed,added,removed\r\n", stdout);
		printf("%lld,%lld,%ld,%ld,%ld,%ld,%ld\r\n", (long long)o->ra->id,
		       (long long)o->rb->id, k->improved, k->regressed, k->changed, k->added,
		       k->removed);
		return 0;
	}
	printf("posture diff: run %lld -> run %lld: %ld improved, %ld regressed, %ld changed, "
	       "%ld added, %ld removed\n",
	       (long long)o->ra->id, (long long)o->rb->id, k->improved, k->regressed, k->changed,
	       k->added, k->removed);
	return 0;
}

static int write_json_diff(const struct diff_out *o)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < o->c->n; i++)
		if (shown(o, &o->c->v[i]))
			json_array_append_new(a, change_json(o, &o->c->v[i], false));
	return json_emit(json_pack("{s:I,s:I,s:I,s:I,s:o}", "run_a", (json_int_t)o->ra->id, "run_b",
	                           (json_int_t)o->rb->id, "improved", (json_int_t)o->k.improved,
	                           "regressed", (json_int_t)o->k.regressed, "changes",
	                           a ? a : json_null()));
}

static int write_diff(int format, const struct diff_out *o)
{
	const struct changes *c = o->c;
	if (format == REPORT_JSON)
		return write_json_diff(o);
	if (format == DIFF_JSONL) {
		for (size_t i = 0; i < c->n; i++)
			if (shown(o, &c->v[i]) && json_emit(change_json(o, &c->v[i], true)) != 0)
				return -1;
		return 0;
	}
	if (format == REPORT_CSV) {
		fputs("domain,what,from,to,direction\r\n", stdout);
		for (size_t i = 0; i < c->n; i++) {
			const char *cells[] = { c->v[i].domain, c->v[i].what, c->v[i].from,
				                c->v[i].to,
				                report_direction_name(c->v[i].direction) };
			if (shown(o, &c->v[i]))
				csv_row(stdout, cells, 5);
		}
		return 0;
	}
	if (o->only_regressed)
		printf("posture diff: run %lld (%s) -> run %lld (%s): %ld domain%s regressed "
		       "(all %zu changes: posture diff %lld %lld)\n",
		       (long long)o->ra->id, o->ra->started, (long long)o->rb->id, o->rb->started,
		       o->k.regressed, o->k.regressed == 1 ? "" : "s", c->n, (long long)o->ra->id,
		       (long long)o->rb->id);
	else
		printf("posture diff: run %lld (%s) -> run %lld (%s): %zu changes; %ld domains "
		       "improved, %ld regressed\n",
		       (long long)o->ra->id, o->ra->started, (long long)o->rb->id, o->rb->started,
		       c->n, o->k.improved, o->k.regressed);
	for (size_t i = 0; i < c->n; i++) {
		const struct report_change *x = &c->v[i];
		if (!shown(o, x))
			continue;
		printf("  %-9s ", report_direction_name(x->direction));
		print_safe(stdout, x->domain);
		printf("  %s: ", x->what);
		print_safe(stdout, x->from[0] ? x->from : "-");
		fputs(" -> ", stdout);
		print_safe(stdout, x->to[0] ? x->to : "-");
		fputc('\n', stdout);
	}
	return 0;
}

/* The rows of both runs (the changes point into them) and their changes. */
struct diff_data {
	struct rows a, b;
	struct changes c;
};

/* Loads both runs' rows and lists their changes; 0 or an exit code. */
static int diff_runs(struct store *s, const struct store_run *ra, const struct store_run *rb,
                     struct diff_data *x)
{
	int rc = load_rows(s, ra->id, &x->a);
	if (rc == 0)
		rc = load_rows(s, rb->id, &x->b);
	if (rc == 0) {
		report_rows_sort_by_domain(x->a.v, x->a.n);
		report_rows_sort_by_domain(x->b.v, x->b.n);
		if (report_diff(x->a.v, x->a.n, x->b.v, x->b.n, add_change, &x->c) != 0) {
			fputs("posture: out of memory\n", stderr);
			rc = EXIT_INTERNAL;
		}
	}
	return rc;
}

int cmd_diff(int argc, char **argv, const struct cli_globals *g)
{
	struct diff_args d;
	memset(&d, 0, sizeof(d));
	d.db = REPORT_DB_DEFAULT;
	int rc = diff_opts(argc, argv, g, &d);
	if (rc != 0)
		return rc;
	if (!d.latest && d.npos != 2)
		return cli_usage_error("diff", "name two run ids: posture diff RUN_A RUN_B "
		                               "(or posture diff --latest)");
	struct store *s = open_existing(d.db);
	if (s == NULL)
		return access(d.db, F_OK) != 0 ? EXIT_USAGE : EXIT_INTERNAL;
	struct store_run ra, rb;
	struct diff_data x;
	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	memset(&x, 0, sizeof(x));
	rc = d.latest ? latest_runs(s, &d, &ra, &rb) : named_runs(s, &d, &ra, &rb);
	if (rc == 0)
		rc = diff_runs(s, &ra, &rb, &x);
	if (rc != 0)
		goto out;
	struct diff_out o = { .ra = &ra, .rb = &rb, .c = &x.c, .only_regressed = d.latest };
	report_diff_count(x.c.v, x.c.n, &o.k);
	/* --latest is the alert: silent (cron mails nothing) unless a domain
	 * regressed. */
	if (!d.latest || o.k.regressed > 0) {
		int w = d.summary ? write_summary(d.format, &o) : write_diff(d.format, &o);
		if (w != 0) {
			rc = EXIT_INTERNAL;
			goto out;
		}
	}
	rc = o.k.regressed > 0 ? EXIT_PROBLEMS : EXIT_OK;
out:
	free(x.c.v);
	rows_free(&x.a);
	rows_free(&x.b);
	store_close(s);
	return rc;
}

static const char *const history_columns[] = {
	"run",         "scanned_at",    "conclusive",  "spf_status",   "spf_error",
	"spf_lookups", "spf_all",       "dmarc_class", "dmarc_policy", "bimi_status",
	"vmc_status",  "bimi_eligible", "mx",
};
#define NHISTORY (sizeof(history_columns) / sizeof(history_columns[0]))

static int write_history(int format, const char *domain, const struct rows *h)
{
	if (format == REPORT_JSON) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < h->n; i++) {
			const struct report_row *r = &h->v[i];
			json_array_append_new(
			        a,
			        json_pack(
			                "{s:I,s:s,s:b,s:s,s:s?,s:o,s:s?,s:s,s:s?,s:s,s:s,s:o,s:s}",
			                "run", (json_int_t)r->run_id, "scanned_at", r->scanned_at,
			                "conclusive", r->conclusive, "spf_status", r->spf_status,
			                "spf_error", r->spf_error[0] ? r->spf_error : NULL,
			                "spf_lookups",
			                r->spf_lookups < 0 ? json_null()
			                                   : json_integer(r->spf_lookups),
			                "spf_all", r->spf_all[0] ? r->spf_all : NULL, "dmarc_class",
			                report_dmarc_class(r), "dmarc_policy",
			                r->dmarc_policy[0] ? r->dmarc_policy : NULL, "bimi_status",
			                r->bimi_status, "vmc_status", r->vmc_status,
			                "bimi_eligible",
			                r->bimi_eligible < 0 ? json_null()
			                                     : json_boolean(r->bimi_eligible),
			                "mx", r->mx));
		}
		return json_emit(
		        json_pack("{s:s,s:o}", "domain", domain, "results", a ? a : json_null()));
	}
	if (format == REPORT_TEXT)
		printf("posture history: %s, %zu results\n", domain, h->n);
	if (format == REPORT_CSV)
		csv_row(stdout, history_columns, NHISTORY);
	else
		printf("%5s  %-20s %-4s %-10s %-26s %-4s %-5s %-11s %-11s %-9s %-9s %-4s %s\n",
		       "run", "scanned_at", "ok", "spf", "spf_error", "lkp", "all", "dmarc",
		       "policy", "bimi", "vmc", "elig", "mx");
	for (size_t i = 0; i < h->n; i++) {
		const struct report_row *r = &h->v[i];
		char run[24], look[16], elig[8];
		snprintf(run, sizeof(run), "%lld", (long long)r->run_id);
		if (r->spf_lookups >= 0)
			snprintf(look, sizeof(look), "%d", r->spf_lookups);
		else
			look[0] = '\0';
		str_copy(elig, sizeof(elig),
		         r->bimi_eligible < 0 ? ""
		         : r->bimi_eligible   ? "1"
		                              : "0");
		const char *c[NHISTORY] = { run,
			                    r->scanned_at,
			                    r->conclusive ? "1" : "0",
			                    r->spf_status,
			                    r->spf_error,
			                    look,
			                    r->spf_all,
			                    report_dmarc_class(r),
			                    r->dmarc_policy,
			                    r->bimi_status,
			                    r->vmc_status,
			                    elig,
			                    r->mx };
		if (format == REPORT_CSV)
			csv_row(stdout, c, NHISTORY);
		else
			printf("%5s  %-20s %-4s %-10s %-26s %-4s %-5s %-11s %-11s %-9s %-9s %-4s "
			       "%s\n",
			       c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10],
			       c[11], c[12]);
	}
	return 0;
}

int cmd_history(int argc, char **argv, const struct cli_globals *g)
{
	const char *db = REPORT_DB_DEFAULT;
	char *pos[2], domain[DNS_NAME_BUF], why[256];
	int npos, format;
	int rc = take_opts(argc, argv, "history", g, &db, &format, pos, &npos);
	if (rc != 0)
		return rc;
	if (npos != 1)
		return cli_usage_error("history", "name one domain: posture history DOMAIN");
	if (list_domain_normalize(pos[0], domain, sizeof(domain), why, sizeof(why)) != 0)
		return cli_usage_error("history", "'%s': %s", pos[0], why);
	struct store *s = open_existing(db);
	if (s == NULL)
		return access(db, F_OK) != 0 ? EXIT_USAGE : EXIT_INTERNAL;
	struct rows h;
	memset(&h, 0, sizeof(h));
	rc = store_history_each(s, domain, collect, &h);
	if (h.oom || rc < 0) {
		fprintf(stderr, "posture: %s\n", h.oom ? "out of memory" : store_error(s));
		rc = EXIT_INTERNAL;
	} else if (h.n == 0) {
		fprintf(stderr, "posture: %s holds no result for %s\n", db, domain);
		rc = EXIT_PROBLEMS;
	} else {
		rc = write_history(format, domain, &h) == 0 ? EXIT_OK : EXIT_INTERNAL;
	}
	rows_free(&h);
	store_close(s);
	return rc;
}
