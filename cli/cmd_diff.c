/*
 * cmd_diff.c — "posture diff": what changed between two runs, or between
 * the two newest finished runs of a label (--latest), for people and for
 * nightly scripts. Thin: the comparison is reports/diff.c's.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "csv.h"
#include "dbread.h"
#include "output.h"
#include "report.h"
#include "store.h"
#include "textcol.h"
#include "strutil.h"

#define DIFF_DB_DEFAULT "posture.db"

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
			rc = cli_unknown_option("diff", cmd_diff_help, argv[i]);
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
	int rc = cli_run_get(s, (int64_t)ida, ra);
	if (rc == 0)
		rc = cli_run_get(s, (int64_t)idb, rb);
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
	return report_diff_write_text(stdout, o->ra, o->rb, c->v, c->n, o->only_regressed,
	                              cli_text_width(stdout));
}

/* The rows of both runs (the changes point into them) and their changes. */
struct diff_data {
	struct cli_rows a, b;
	struct changes c;
};

/* Loads both runs' rows and lists their changes; 0 or an exit code. */
static int diff_runs(struct store *s, const struct store_run *ra, const struct store_run *rb,
                     struct diff_data *x)
{
	int rc = cli_rows_load(s, ra->id, &x->a);
	if (rc == 0)
		rc = cli_rows_load_like(s, rb->id, &x->b, &x->a); /* unchanged: no parse */
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
	d.db = DIFF_DB_DEFAULT;
	int rc = diff_opts(argc, argv, g, &d);
	if (rc != 0)
		return rc;
	if (!d.latest && d.npos != 2)
		return cli_usage_error("diff", "name two run ids: posture diff RUN_A RUN_B "
		                               "(or posture diff --latest)");
	struct store *s = cli_db_open_ro(d.db);
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
	cli_rows_free(&x.a);
	cli_rows_free(&x.b);
	store_close(s);
	return rc;
}
