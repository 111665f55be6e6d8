/*
 * store_impl.h — what the files of db/ share about a struct store: its
 * fields and the small SQLite helpers. Private to db/ (store.c,
 * results.c, prune.c); everything else uses store.h.
 */
#ifndef POSTURE_STORE_IMPL_H
#define POSTURE_STORE_IMPL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "zbody.h"

struct store {
	sqlite3 *db;
	sqlite3_stmt *get_domain, *add_domain, *upd_domain, *add_run_domain, *put_result,
	        *put_finding, *pending, *prev_result, *rd_get, *rd_set, *get_dict;
	int64_t pos_run, next_pos; /* position counter of the run being loaded */
	struct wal_ckpt *ckpt;     /* while store_checkpoints_start is in force */
	int claim_fd;              /* the writer's claim (DB.lock), -1 without */
	bool readonly;             /* store_open_ro */
	int read_facts;            /* store_read_facts */
	int64_t version;           /* the schema's (PRAGMA user_version) */
	struct zbody *z;           /* result bodies (results.c), made on first use */
	struct store_body_stats body_stats;
	char err[256];
};

/* The migrations (schema.c): store_migrations[i] takes the schema from
 * version i to i+1. */
extern const char *const store_migrations[];
extern const size_t store_nmigrations;

/* Sets s->err to "what: SQLite's message"; returns -1. */
int store_fail(struct store *s, const char *what);
/* Binds text (NULL or "" as SQL NULL) without copying it. */
void store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Binds v, or SQL NULL when v < 0. */
void store_bind_int(sqlite3_stmt *st, int i, int v);
/* Steps a statement that returns no rows; resets it and clears its
 * bindings. 0, or -1 with s->err naming what. */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what);
/* Runs SQL without results; -1 with s->err set. */
int store_exec(struct store *s, const char *sql);
/* Now, as ISO 8601 UTC ("2026-12-07T05:03:50Z"). */
void store_now_iso(char *buf, size_t len);

/* results.c: the statements it prepares with the others (prepare_all),
 * and what it frees on close. */
int store_results_prepare(struct store *s);
void store_results_close(struct store *s);

/* A result's body as stored: compressed JSON and its dictionary (zdicts
 * id; 0: none), and its facts compressed with the same (facts NULL: the
 * result has none). */
struct store_body {
	const void *data;
	size_t len;
	int64_t zdict;
	const void *facts;
	size_t facts_len;
};
/* Loads reading dictionary id from zdicts into s->z unless it has it. */
int store_load_dict(struct store *s, int64_t id);
/* Compresses json, and facts unless NULL, with the database's writing
 * dictionary (added to zdicts on first use); b's data are valid until the
 * next call. */
int store_compress(struct store *s, const char *json, size_t len, const char *facts,
                   size_t facts_len, struct store_body *b);
/* store_result_put with the body given (merge.c copies bodies as they
 * are): *id is the result the run's row now points at, *stored whether
 * it is a new row (false: a reference). */
int store_put_body(struct store *s, int64_t run, const struct store_result *r,
                   const struct store_body *b, int64_t *id, bool *stored);

#endif
