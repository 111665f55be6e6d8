/*
 * cmd_dbmaint.c — "posture db check", "posture db prune", "posture db
 * vacuum" and "posture db export": looking after a database that holds
 * months of nightly runs (cmd_db.c dispatches here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dbread.h"
#include "fbstore.h"
#include "output.h"
#include "store.h"

#define DB_DEFAULT "posture.db"

struct maint_args {
	const char *db, *out;
	unsigned long keep_days;
	bool have_keep, keep_monthly, dry_run, vacuum, json;
	int64_t run;
};

static int parse(const char *sub, int argc, char **argv, struct maint_args *a, bool json)
{
	memset(a, 0, sizeof(*a));
	a->db = DB_DEFAULT;
	a->json = json;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		bool more = i + 1 < argc;
		unsigned long v;
		if (strcmp(o, "--db") == 0 && more) {
			a->db = argv[++i];
		} else if (strcmp(o, "--keep-days") == 0 && more && strcmp(sub, "prune") == 0) {
			if (cli_parse_uint(argv[++i], 0, 100000, &a->keep_days) != 0)
				return cli_usage_error("db", "--keep-days takes a number of days");
			a->have_keep = true;
		} else if (strcmp(o, "--keep-monthly") == 0 && strcmp(sub, "prune") == 0) {
			a->keep_monthly = true;
		} else if (strcmp(o, "--dry-run") == 0 && strcmp(sub, "prune") == 0) {
			a->dry_run = true;
		} else if (strcmp(o, "--vacuum") == 0 && strcmp(sub, "prune") == 0) {
			a->vacuum = true;
		} else if (strcmp(o, "--run") == 0 && more && strcmp(sub, "export") == 0) {
			if (cli_parse_uint(argv[++i], 1, INT64_MAX, &v) != 0)
				return cli_usage_error("db", "--run takes a run id");
			a->run = (int64_t)v;
		} else if (strcmp(o, "-o") == 0 && more && strcmp(sub, "export") == 0) {
			a->out = argv[++i];
		} else if (!more && (cli_help_names(cmd_db_help, o) || strcmp(o, "-o") == 0)) {
			return cli_usage_error("db", "%s needs a value", o);
		} else if (o[0] == '-' && o[1] != '\0') {
			return cli_unknown_option("db", cmd_db_help, o);
		} else {
			return cli_usage_error("db", "%s: unexpected argument '%s'", sub, o);
		}
	}
	if (strcmp(sub, "prune") == 0 && !a->have_keep)
		return cli_usage_error("db", "prune needs --keep-days N");
	return 0;
}

/* Opens an existing db for writing and takes the writer's claim: NULL
 * (said why, *rc set) when another posture command writes it. */
static struct store *open_writer(const char *db, int *rc)
{
	char err[1024];
	if (access(db, F_OK) != 0) {
		fprintf(stderr, "posture: %s: no such database\n", db);
		*rc = EXIT_USAGE;
		return NULL;
	}
	struct store *s = store_open(db, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "posture: %s\n", err);
		*rc = EXIT_INTERNAL;
		return NULL;
	}
	int c = store_claim_writer(s, err, sizeof(err));
	if (c != 0) {
		fprintf(stderr, "posture: %s\n", err);
		store_close(s);
		*rc = c == STORE_CLAIM_BUSY ? EXIT_USAGE : EXIT_INTERNAL;
		return NULL;
	}
	return s;
}

static double mib(int64_t pages, int64_t page_size)
{
	return (double)pages * (double)page_size / (1024.0 * 1024.0);
}

/* db check */

/* db check's open: a writer's (it migrates an old database, which is
 * how its owner makes it readable to others), else, on a read-only file
 * system or another user's file, a reader's. A damaged database is a
 * problem found (exit 1), not a failure of posture's. */
static struct store *check_open(const char *db, int *rc)
{
	char err[1024], note[1024];
	/* Never made here: a database that is not there is a usage error, as
	 * for every command that reads one (exit 2). */
	if (access(db, F_OK) != 0) {
		fprintf(stderr, "posture: %s: no such database (make one with posture scan)\n", db);
		*rc = EXIT_USAGE;
		return NULL;
	}
	if (access(db, W_OK) != 0) {
		struct store *s = store_open_ro(db, note, sizeof(note));
		if (s != NULL) {
			if (note[0] != '\0')
				fprintf(stderr, "posture: note: %s\n", note);
			fprintf(stderr,
			        "posture: note: %s: checked read-only (this user cannot "
			        "write it)\n",
			        db);
			return s;
		}
		fprintf(stderr, "posture: %s\n", note);
		*rc = store_damaged_message(note) ? EXIT_PROBLEMS : EXIT_INTERNAL;
		return NULL;
	}
	struct store *s = store_open(db, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "posture: %s\n", err);
		*rc = store_damaged_message(err) ? EXIT_PROBLEMS : EXIT_INTERNAL;
		return NULL;
	}
	int c = store_claim_writer(s, err, sizeof(err));
	if (c == STORE_CLAIM_BUSY) {
		fprintf(stderr, "posture: %s\n", err);
		store_close(s);
		*rc = EXIT_USAGE;
		return NULL;
	}
	return s; /* a claim that cannot be made (read-only directory): go on */
}

/* Every stored result's facts against its JSON (report_row_facts_check),
 * each result once: the runs are walked, and a reference's result was
 * checked in the run that stored it, or the first run that pointed at it. */
struct facts_walk {
	struct store *s;
	struct store_check *c;
	int64_t compared;
	unsigned char *seen; /* a bit per result id */
	size_t nseen;        /* bytes of seen */
	int rc;              /* -1 out of memory, -2 a database error */
};

static int facts_row(void *arg, const struct store_row *row)
{
	struct facts_walk *w = arg;
	size_t id = (size_t)row->result_id, at = id / 8;
	if (at >= w->nseen) {
		size_t n = w->nseen ? w->nseen : 4096;
		while (n <= at)
			n *= 2;
		unsigned char *v = realloc(w->seen, n);
		if (v == NULL)
			return w->rc = -1;
		memset(v + w->nseen, 0, n - w->nseen);
		w->seen = v;
		w->nseen = n;
	}
	if (w->seen[at] & (1u << (id % 8)))
		return 0;
	w->seen[at] |= (unsigned char)(1u << (id % 8));
	char what[64];
	int d = report_row_facts_check(row, what, sizeof(what));
	if (d < 0)
		return w->rc = -1;
	w->compared += row->r.facts != NULL;
	if (d > 0 && w->c->bad++ == 0 && w->c->first[0] == '\0')
		snprintf(w->c->first, sizeof(w->c->first),
		         "result %lld (%s): its facts say another %s than its JSON",
		         (long long)row->result_id, row->domain ? row->domain : "?", what);
	return 0;
}

static int facts_run(void *arg, const struct store_run *r)
{
	struct facts_walk *w = arg;
	if (r->pruned_at[0] != '\0')
		return 0;
	if (store_results_each(w->s, r->id, facts_row, w) < 0)
		return w->rc = -2;
	return w->rc;
}

static int facts_check(struct store *s, struct store_check *c, int64_t *compared)
{
	struct facts_walk w = { s, c, 0, NULL, 0, 0 };
	store_runs_each(s, facts_run, &w);
	free(w.seen);
	*compared = w.compared;
	if (w.rc == -1)
		fputs("posture: out of memory\n", stderr);
	return w.rc;
}

static int db_check(const struct maint_args *a)
{
	char msg[256];
	struct store_check c;
	int rc = EXIT_OK;
	struct store *s = check_open(a->db, &rc);
	if (s == NULL)
		return rc;
	int integrity = store_integrity(s, msg, sizeof(msg));
	int64_t facts = 0, reports = 0;
	int frc = 0;
	if (store_check_results(s, &c) != 0 || (frc = facts_check(s, &c, &facts)) == -2 ||
	    store_fb_check(s, &reports, &c.bad, c.first, sizeof(c.first)) != 0) {
		/* A check that cannot read what it checks found a problem. */
		fprintf(stderr, "posture: %s: %s\n", a->db, store_error(s));
		printf("%s: integrity %s\n", a->db, msg);
		store_close(s);
		return EXIT_PROBLEMS;
	}
	store_close(s);
	if (frc != 0)
		return EXIT_INTERNAL;
	bool ok = integrity == 0 && c.bad == 0;
	if (a->json) {
		json_t *o = json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s?}",
		                      "database", a->db, "integrity", msg, "ok", ok, "results",
		                      (json_int_t)c.rows, "references", (json_int_t)c.references,
		                      "stored", (json_int_t)c.results, "bodies",
		                      (json_int_t)c.bodies, "facts", (json_int_t)facts, "reports",
		                      (json_int_t)reports, "problems", (json_int_t)c.bad,
		                      "first_problem", c.first[0] ? c.first : NULL);
		json_print(stdout, o);
		json_decref(o);
	} else {
		printf("%s: integrity %s\n", a->db, msg);
		printf("%s: %lld results of runs, %lld of them references to an earlier run's; "
		       "%lld stored results, %lld compressed bodies read back, the facts of %lld "
		       "compared with their JSON\n",
		       a->db, (long long)c.rows, (long long)c.references, (long long)c.results,
		       (long long)c.bodies, (long long)facts);
		if (reports > 0)
			printf("%s: %lld receivers' reports checked against their stored rows\n",
			       a->db, (long long)reports);
		if (c.bad > 0)
			printf("%s: %lld problems; the first: %s\n", a->db, (long long)c.bad,
			       c.first);
		else
			printf("%s: every reference and body checked: no problem\n", a->db);
	}
	return ok ? EXIT_OK : EXIT_PROBLEMS;
}

/* db prune */

struct prune_walk {
	struct store *s;
	const struct maint_args *a;
	int64_t pruned, first, last;
	int rc;
};

/* Keeps the run's statistics, then removes its results. */
static int prune_one(void *arg, const struct store_run *r)
{
	struct prune_walk *w = arg;
	if (!w->a->json)
		printf("%s run %lld (%s, %s, started %s)\n",
		       w->a->dry_run ? "would prune" : "pruning", (long long)r->id, r->label,
		       store_run_state_name(r->state), r->started);
	if (w->first == 0)
		w->first = r->id;
	w->last = r->id;
	w->pruned++;
	if (w->a->dry_run)
		return 0;
	char *text = NULL;
	int rc = cli_run_stats_text(w->s, r->id, &text);
	if (rc != 0) {
		w->rc = rc;
		return 1;
	}
	/* One transaction a run: the WAL stays the size of one run. */
	if (store_begin(w->s) != 0 || store_run_stats_put(w->s, r->id, text) != 0 ||
	    store_prune_run(w->s, r->id) != 0 || store_commit(w->s) != 0) {
		fprintf(stderr, "posture: pruning run %lld: %s\n", (long long)r->id,
		        store_error(w->s));
		store_rollback(w->s);
		free(text);
		w->rc = EXIT_INTERNAL;
		return 1;
	}
	free(text);
	return 0;
}

static void prune_say(const struct maint_args *a, const struct prune_walk *w, int64_t removed,
                      int64_t pages, int64_t freep, int64_t psize)
{
	if (a->json) {
		json_t *o = json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:f, s:f}", "database", a->db,
		                      "dry_run", a->dry_run, "runs_pruned", (json_int_t)w->pruned,
		                      "first_run", (json_int_t)w->first, "last_run",
		                      (json_int_t)w->last, "results_removed", (json_int_t)removed,
		                      "file_mib", mib(pages, psize), "free_mib", mib(freep, psize));
		json_print(stdout, o);
		json_decref(o);
		return;
	}
	if (w->pruned == 0) {
		printf("%s: no run to prune (older than %lu days%s)\n", a->db, a->keep_days,
		       a->keep_monthly ? ", not the last finished run of its month" : "");
		return;
	}
	if (a->dry_run) {
		printf("%s: %lld runs would be pruned; nothing changed (--dry-run)\n", a->db,
		       (long long)w->pruned);
		return;
	}
	printf("%s: pruned %lld runs; removed %lld results that no run points at any more; "
	       "each run's statistics are kept (posture report --trend)\n",
	       a->db, (long long)w->pruned, (long long)removed);
	printf("%s: %.1f MiB, of which %.1f MiB free pages that later runs reuse", a->db,
	       mib(pages, psize), mib(freep, psize));
	if (!a->vacuum && freep > 0)
		printf("; to give them back to the file system: posture db vacuum --db %s "
		       "(needs about %.0f MiB of free disk and no scan running)",
		       a->db, mib(pages, psize));
	putchar('\n');
}

static int db_prune(const struct maint_args *a)
{
	int rc = EXIT_OK;
	int64_t removed = 0, pages = 0, freep = 0, psize = 0;
	struct store *s = open_writer(a->db, &rc);
	if (s == NULL)
		return rc;
	struct prune_walk w = { .s = s, .a = a };
	if (store_prune_each(s, (int)a->keep_days, a->keep_monthly, prune_one, &w) < 0 &&
	    w.rc == 0) {
		fprintf(stderr, "posture: %s: %s\n", a->db, store_error(s));
		w.rc = EXIT_INTERNAL;
	}
	if (w.rc == 0 && !a->dry_run && w.pruned > 0 &&
	    (store_begin(s) != 0 || store_prune_orphans(s, &removed) != 0 ||
	     store_commit(s) != 0)) {
		fprintf(stderr, "posture: %s: %s\n", a->db, store_error(s));
		store_rollback(s);
		w.rc = EXIT_INTERNAL;
	}
	if (w.rc == 0 && a->vacuum && !a->dry_run && store_vacuum(s) != 0) {
		fprintf(stderr, "posture: %s: VACUUM: %s\n", a->db, store_error(s));
		w.rc = EXIT_INTERNAL;
	}
	if (w.rc == 0 && store_space(s, &pages, &freep, &psize) == 0)
		prune_say(a, &w, removed, pages, freep, psize);
	store_close(s);
	return w.rc;
}

static int db_vacuum(const struct maint_args *a)
{
	int rc = EXIT_OK;
	int64_t p0, f0, p1, f1, ps;
	struct store *s = open_writer(a->db, &rc);
	if (s == NULL)
		return rc;
	if (store_space(s, &p0, &f0, &ps) != 0 || store_vacuum(s) != 0 ||
	    store_space(s, &p1, &f1, &ps) != 0) {
		fprintf(stderr, "posture: %s: VACUUM: %s\n", a->db, store_error(s));
		store_close(s);
		return EXIT_INTERNAL;
	}
	store_close(s);
	printf("%s: %.1f MiB -> %.1f MiB\n", a->db, mib(p0, ps), mib(p1, ps));
	return EXIT_OK;
}

/* db export: one JSON object a line, each the stored result of a domain
 * with where it stands in the run. */
static int export_row(void *arg, const struct store_row *row)
{
	FILE *out = arg;
	json_error_t e;
	json_t *res = json_loadb(
	        row->r.json ? row->r.json : "null",
	        row->r.json ? (row->r.json_len ? row->r.json_len : strlen(row->r.json)) : 4,
	        JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	json_t *o = json_pack("{s:I, s:I, s:s?, s:s?, s:b, s:b, s:o?}", "run",
	                      (json_int_t)row->run_id, "position", (json_int_t)row->position,
	                      "domain", row->domain, "scanned_at", row->r.scanned_at, "conclusive",
	                      row->r.conclusive, "reference", row->reference, "result", res);
	if (o == NULL)
		return 1;
	char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (line == NULL)
		return 1;
	int bad = fprintf(out, "%s\n", line) < 0;
	free(line);
	return bad;
}

static int db_export(const struct maint_args *a)
{
	struct store_run r;
	struct store *s = cli_db_open_ro(a->db);
	if (s == NULL)
		return access(a->db, F_OK) != 0 ? EXIT_USAGE : EXIT_INTERNAL;
	int64_t id = a->run ? a->run : store_run_latest_finished(s);
	int rc = id > 0 ? cli_run_get(s, id, &r) : EXIT_USAGE;
	if (id <= 0)
		fprintf(stderr, "posture: %s holds no finished run: name one with --run\n", a->db);
	if (rc == 0 && r.pruned_at[0] != '\0') {
		fprintf(stderr, "posture: run %lld was pruned on %s: its results are gone\n",
		        (long long)id, r.pruned_at);
		rc = EXIT_USAGE;
	}
	FILE *out = stdout;
	if (rc == 0 && a->out != NULL && (out = fopen(a->out, "w")) == NULL) {
		fprintf(stderr, "posture: %s: cannot write\n", a->out);
		rc = EXIT_USAGE;
	}
	if (rc == 0) {
		int w = store_results_each(s, id, export_row, out);
		if (w < 0)
			fprintf(stderr, "posture: %s: %s\n", a->db, store_error(s));
		if (w != 0 || fflush(out) != 0)
			rc = EXIT_INTERNAL;
	}
	if (out != NULL && out != stdout && fclose(out) != 0)
		rc = EXIT_INTERNAL;
	store_close(s);
	return rc;
}

int cmd_db_maint(int argc, char **argv, const struct cli_globals *g)
{
	struct maint_args a;
	const char *sub = argv[0];
	int rc = parse(sub, argc, argv, &a, g->json);
	if (rc != 0)
		return rc;
	if (strcmp(sub, "check") == 0)
		return db_check(&a);
	if (strcmp(sub, "prune") == 0)
		return db_prune(&a);
	if (strcmp(sub, "vacuum") == 0)
		return db_vacuum(&a);
	return db_export(&a);
}
