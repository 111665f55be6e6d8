/*
 * dbread.c — what the reading commands (report, diff, history, runs) share
 * (see dbread.h).
 */
#include "dbread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_rows_collect(void *arg, const struct store_row *sr)
{
	struct cli_rows *r = arg;
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
	/* Same list, same order: the like run's row at this place is the
	 * domain's, whenever the lists match. */
	const struct report_row *like = NULL;
	if (r->like != NULL && r->n < r->like->n)
		like = &r->like->v[r->n];
	if (report_row_from_store_like(&r->v[r->n], sr, like) != 0) {
		r->oom = true;
		return 1;
	}
	r->n++;
	return 0;
}

void cli_rows_free(struct cli_rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		report_row_cleanup(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* Loads a run's rows; prints why and returns an exit code when it fails. */
static bool error_said;

bool cli_db_error_said(void)
{
	return error_said;
}

void cli_db_error(struct store *s)
{
	const char *e = store_error(s);
	if (store_damaged_message(e))
		fprintf(stderr,
		        "posture: %s%s: restore it from a copy (posture db check --db FILE says "
		        "more)\n",
		        strstr(e, STORE_DAMAGED) ? "" : STORE_DAMAGED ": ", e);
	else
		fprintf(stderr, "posture: database: %s\n", e);
	error_said = true;
}

int cli_rows_load(struct store *s, int64_t run, struct cli_rows *out)
{
	return cli_rows_load_like(s, run, out, NULL);
}

int cli_rows_load_like(struct store *s, int64_t run, struct cli_rows *out,
                       const struct cli_rows *like)
{
	struct store_run r;
	memset(out, 0, sizeof(*out));
	out->like = like;
	if (store_run_get(s, run, &r) == 1 && r.pruned_at[0] != '\0') {
		fprintf(stderr,
		        "posture: run %lld was pruned on %s (posture db prune): its results are "
		        "gone; its statistics are kept (posture report --trend)\n",
		        (long long)run, r.pruned_at);
		return EXIT_USAGE;
	}
	/* Rows need the facts, not the whole JSON (REPORT_FACTS_VERSION). */
	store_read_facts(s, REPORT_FACTS_VERSION);
	int rc = store_results_each(s, run, cli_rows_collect, out);
	store_read_facts(s, 0);
	if (out->oom) {
		fputs("posture: out of memory\n", stderr);
		return EXIT_INTERNAL;
	}
	if (rc < 0) {
		cli_db_error(s);
		return EXIT_INTERNAL;
	}
	return 0;
}

struct store *cli_db_open_ro(const char *db)
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
int cli_run_get(struct store *s, int64_t id, struct store_run *r)
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

struct report_stats *cli_stats_of(const struct report_row *rows, size_t n)
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

int cli_run_stats_text(struct store *s, int64_t run, char **text)
{
	struct cli_rows rows;
	*text = NULL;
	int rc = cli_rows_load(s, run, &rows);
	if (rc != 0)
		return rc;
	struct report_stats *st = cli_stats_of(rows.v, rows.n);
	cli_rows_free(&rows);
	if (st != NULL)
		*text = report_stats_save(st);
	report_stats_free(st);
	if (*text == NULL) {
		fputs("posture: out of memory\n", stderr);
		return EXIT_INTERNAL;
	}
	return 0;
}

int cli_run_stats_keep(struct store *s, int64_t run)
{
	char *text;
	if (cli_run_stats_text(s, run, &text) != 0) {
		fprintf(stderr,
		        "posture: note: run %lld's statistics were not kept: posture report "
		        "counts them from its results\n",
		        (long long)run);
		return -1;
	}
	int rc = 0;
	if (store_begin(s) != 0 || store_run_stats_put(s, run, text) != 0 || store_commit(s) != 0) {
		fprintf(stderr,
		        "posture: note: run %lld's statistics were not kept (%s): posture report "
		        "counts them from its results\n",
		        (long long)run, store_error(s));
		store_rollback(s);
		rc = -1;
	}
	free(text);
	return rc;
}

int cli_run_stats_kept(struct store *s, const struct store_run *run, struct report_stats **out)
{
	char *text = NULL;
	*out = NULL;
	int got = store_run_stats_get(s, run->id, &text);
	if (got < 0) {
		cli_db_error(s);
		return -EXIT_INTERNAL;
	}
	if (got == 0)
		return 0;
	*out = report_stats_load(text);
	free(text);
	if (*out != NULL && (report_stats_current(*out) || run->pruned_at[0] != '\0'))
		return 1;
	report_stats_free(*out);
	*out = NULL;
	return 0;
}
