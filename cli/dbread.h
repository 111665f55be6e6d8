/*
 * dbread.h — the reading commands' common steps: open an existing
 * database read-only (store_open_ro, with its note), read a run, load a
 * run's rows for reports/. Each prints why it failed.
 */
#ifndef POSTURE_DBREAD_H
#define POSTURE_DBREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "store.h"

struct cli_rows {
	struct report_row *v;
	size_t n, cap;
	bool oom;
	/* Another run's rows, loaded before, in list order: a row of the same
	 * stored result (unchanged since, a reference) at the same place is
	 * copied rather than parsed again (diff, trends). May be NULL. */
	const struct cli_rows *like;
};

/* A store_row_fn (store.h) that appends each row to arg, a struct
 * cli_rows (oom set when memory ran out). */
int cli_rows_collect(void *arg, const struct store_row *sr);
/* Loads a run's rows; prints why and returns an exit code when it fails. */
int cli_rows_load(struct store *s, int64_t run, struct cli_rows *out);
/* The same, reusing what like (a run loaded before) parsed already. */
int cli_rows_load_like(struct store *s, int64_t run, struct cli_rows *out,
                       const struct cli_rows *like);
void cli_rows_free(struct cli_rows *r);
/* Opens an existing database read-only, printing store_open_ro's note;
 * NULL (said why) when it does not exist or cannot be read. */
struct store *cli_db_open_ro(const char *db);
/* Prints a database error (saying so when the database is damaged) and
 * remembers it was said (cli_db_error_said), so no vaguer message
 * follows. */
void cli_db_error(struct store *s);
bool cli_db_error_said(void);
/* A run's statistics from its rows (list order); NULL when out of memory. */
struct report_stats *cli_stats_of(const struct report_row *rows, size_t n);
/* A run's statistics counted from its results, as text to keep
 * (report_stats_save). 0, or an exit code (message printed). */
int cli_run_stats_text(struct store *s, int64_t run, char **text);
/* Counts a run's statistics and keeps them (run_stats), so reports and
 * trends read them instead of the run's results: at the end of a scan or
 * a merge. 0, or -1 when they could not be kept (a note says so; reports
 * count them from the results then). */
int cli_run_stats_keep(struct store *s, int64_t run);
/* The kept statistics of a run when a report may use them: counted with
 * this posture's definitions, or the run was pruned (nothing else is
 * left). 1 with *out set, 0 when there are none such, or an exit code
 * (negative; message printed). */
int cli_run_stats_kept(struct store *s, const struct store_run *run, struct report_stats **out);
struct fb_summary;
struct fb_verdict;
struct fb_verdict_opts;
/* What the stored receivers' reports say about domain (NULL: every
 * domain) in [since, until) (0: unbounded), every source with its
 * sending service named, the services summed, and (v not NULL) the
 * enforcement verdict (cmd_reports_summary.c). 0, or an exit code
 * (message printed). */
int cli_evidence_load(struct store *st, const char *domain, int64_t since, int64_t until,
                      const struct fb_verdict_opts *vo, struct fb_summary *s, struct fb_verdict *v);
/* Reads a run by id; 0 found, else an exit code (message printed). */
int cli_run_get(struct store *s, int64_t id, struct store_run *r);

#endif
