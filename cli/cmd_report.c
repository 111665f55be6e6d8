/*
 * cmd_report.c — "posture report" (a run's statistics and domains, trends)
 * and "posture history" (one domain over time; "posture diff" is in
 * cmd_diff.c). Thin: read rows from the store, hand them to reports/,
 * print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dbread.h"
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

/* A pruned run's statistics, as db prune kept them. 0 or an exit code. */
static int kept_stats(struct store *s, int64_t run, struct report_stats **out)
{
	char *text = NULL;
	if (store_run_stats_get(s, run, &text) < 0) {
		fprintf(stderr, "posture: database: %s\n", store_error(s));
		return EXIT_INTERNAL;
	}
	*out = report_stats_load(text);
	free(text);
	if (*out == NULL) {
		fprintf(stderr, "posture: run %lld was pruned without its statistics\n",
		        (long long)run);
		return EXIT_INTERNAL;
	}
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
	/* Each run's rows are read with the previous run's at hand: a
	 * result unchanged since (a reference) is not parsed again. */
	struct cli_rows prev = { 0 }, rows;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < l->n; i++) {
		if (l->v[i].pruned_at[0] != '\0') {
			rc = kept_stats(s, l->v[i].id, &(*stats)[i]);
			continue;
		}
		rc = cli_rows_load_like(s, l->v[i].id, &rows, prev.n ? &prev : NULL);
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
                    const struct cli_rows *rows, const char *by)
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
	struct cli_rows rows;
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
	rc = cli_run_get(s, id, &run);
	if (rc != 0)
		return rc;
	rc = cli_rows_load(s, id, &rows);
	if (rc != 0)
		return rc;
	if (a->by) {
		rc = write_by(out, (enum report_format)a->format, &run, &rows, a->by);
		cli_rows_free(&rows);
		return rc;
	}
	struct report_stats *st = cli_stats_of(rows.v, rows.n);
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
	cli_rows_free(&rows);
	return rc;
}

int cmd_report(int argc, char **argv, const struct cli_globals *g)
{
	struct report_args a;
	int rc = parse_report_args(argc, argv, g, &a);
	if (rc != 0)
		return rc;
	struct store *s = cli_db_open_ro(a.db);
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
	if (rc == EXIT_INTERNAL && (write_failed || !cli_db_error_said()))
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

static const char *const history_columns[] = {
	"run",         "scanned_at",    "conclusive",  "spf_status",   "spf_error",
	"spf_lookups", "spf_all",       "dmarc_class", "dmarc_policy", "bimi_status",
	"vmc_status",  "bimi_eligible", "mx",
};
#define NHISTORY (sizeof(history_columns) / sizeof(history_columns[0]))

static int write_history(int format, const char *domain, const struct cli_rows *h)
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
	struct store *s = cli_db_open_ro(db);
	if (s == NULL)
		return access(db, F_OK) != 0 ? EXIT_USAGE : EXIT_INTERNAL;
	struct cli_rows h;
	memset(&h, 0, sizeof(h));
	rc = store_history_each(s, domain, cli_rows_collect, &h);
	if (h.oom || rc < 0) {
		fprintf(stderr, "posture: %s\n", h.oom ? "out of memory" : store_error(s));
		rc = EXIT_INTERNAL;
	} else if (h.n == 0) {
		fprintf(stderr, "posture: %s holds no result for %s\n", db, domain);
		rc = EXIT_PROBLEMS;
	} else {
		rc = write_history(format, domain, &h) == 0 ? EXIT_OK : EXIT_INTERNAL;
	}
	cli_rows_free(&h);
	store_close(s);
	return rc;
}
