/*
 * store.h — posture's SQLite store (only db/ includes sqlite3; no SQLite
 * type appears here).
 *
 * One database holds every run: what was asked (runs, the run's domain
 * list), and what was found (one result per run and domain, with status
 * columns for fast aggregates, the whole result as JSON, and its findings).
 * The schema is versioned (PRAGMA user_version) and migrated forward on
 * open. WAL mode; the scan writes from one thread in batched transactions.
 * A struct store is used by one thread at a time (its connection is opened
 * without SQLite's per-call locks).
 *
 * A result whose checks hit a DNS failure is stored with conclusive = 0 and
 * never hides an older conclusive one: the view latest_results gives, per
 * domain, the newest conclusive result and its age.
 *
 * History costs little (schema 3): a result identical to the domain's
 * newest conclusive one is not stored again; the run's row points at it
 * (a reference). Result JSON is stored compressed (zbody.h). The view
 * run_results shows one row per run and domain, as results did before.
 */
#ifndef POSTURE_STORE_H
#define POSTURE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domainlist.h"

#define STORE_SCHEMA_VERSION 8

/* How long a statement waits for another connection's lock (the scan's
 * checkpoint thread, a report reading during a scan) before it fails. */
#define STORE_BUSY_TIMEOUT_MS 10000

/* The oldest schema store_open_ro reads as it is: every table and column
 * the readers read exists since this version. A migration that changes
 * what they read raises it. An older database is migrated first when
 * this user may write it (store_open_ro says so in its note). */
#define STORE_SCHEMA_READ_MIN 3

struct store;

/* In the message of an open or read that failed because the database is
 * damaged (truncated, not a database, malformed pages): posture db check
 * exits 1 for it, not 3. */
#define STORE_DAMAGED "the database is damaged"

/* Whether an error message says the database is damaged (STORE_DAMAGED,
 * or SQLite's "malformed" / "not a database"). */
bool store_damaged_message(const char *msg);

/* Opens or creates the database and migrates it. NULL with err set.
 * Writers then take the writer's claim (store_claim_writer). */
struct store *store_open(const char *path, char *err, size_t errlen);

/*
 * Opens an existing database for reading only (reports, runs, diff,
 * history): SQLITE_OPEN_READONLY, PRAGMA query_only, never creates the
 * file, never migrates, never takes the writer's claim, so it runs beside
 * a scan. A schema newer than this posture's is refused ("upgrade
 * posture"), as is one older than STORE_SCHEMA_READ_MIN ("have its owner
 * migrate it": posture db check) or none (not a posture database); one in
 * between is read as it is.
 *
 * A WAL database needs its index, DB-shm, which a reader must create when
 * no connection has it open; a user who cannot write the directory cannot.
 * Then, and only if no posture writer holds the claim and DB-wal is absent
 * or empty, the database is read as an immutable file (URI immutable=1):
 * no locks, no WAL. That is right only while nobody writes the database: a
 * writer that starts during the read goes unseen, and its checkpoint
 * could change pages under the reader. Otherwise the open is refused,
 * saying why.
 *
 * Returns NULL with the reason in msg; or the store, with msg "" or, after
 * the immutable fallback, a sentence saying so that the caller prints as a
 * note (stderr). Writing through the store fails (SQLITE_READONLY).
 */
struct store *store_open_ro(const char *path, char *msg, size_t msglen);

/*
 * One writer per database: claims the database for this store, for as
 * long as it is open (store_close releases it). Call it right after
 * store_open, before the first write, in every command that writes a
 * database (scan, db merge). Returns 0 when claimed (or claimed already
 * by this store, or the database has no file); STORE_CLAIM_BUSY at once,
 * without waiting, when another store holds it, in this process or any
 * other of any host sharing the file system, with err naming it ("DB is
 * being written by another posture command (pid P on HOST, since T)...");
 * -1 on another error (the lock file cannot be made or locked: err says
 * which), or for a store of store_open_ro.
 *
 * The claim is a lock on DB.lock beside the database (created with the
 * database's permissions and left in place: deleting it could let a second
 * writer lock a new file while the first still holds the old one). The
 * kernel drops it when the process ends in any way (kill -9 included).
 * Readers never look at it (store_open_ro only tests it before an
 * immutable read) and are never blocked by it.
 */
#define STORE_CLAIM_BUSY (-2)
int store_claim_writer(struct store *s, char *err, size_t errlen);

void store_close(struct store *s);
/* The last SQLite error, for messages. */
const char *store_error(const struct store *s);

/*
 * Checkpoints of the WAL in a thread of their own, on a second connection,
 * until stopped (store_close stops them too): the thread that writes never
 * waits for the copy into the database file and its fsync. Returns 1 when
 * started, 0 when SQLite's own checkpoints stay (a database without a file,
 * no thread or memory to spare). Stop fills st (may be NULL).
 */
struct store_checkpoint_stats {
	uint64_t rounds;         /* checkpoints the thread ran */
	uint64_t tails;          /* the writer's own, of the last few frames (WAL restarts) */
	uint64_t catch_ups;      /* the writer's own, when the thread fell behind */
	int max_wal_frames;      /* the largest WAL seen, in pages */
	uint64_t frames_written; /* pages the writer's commits added to the WAL */
};
int store_checkpoints_start(struct store *s);
void store_checkpoints_stop(struct store *s, struct store_checkpoint_stats *st);

int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);

/* Where a run is; stored as its name (store_run_state_name) in runs.state.
 * A run is "finished" only when every domain of its list has a result. */
enum store_run_state {
	STORE_RUN_LOADING = 0, /* its list is being read into the store */
	STORE_RUN_RUNNING,     /* a scan is working on it (its pid and host say which) */
	STORE_RUN_INTERRUPTED, /* stopped, or its process is gone: resume it */
	STORE_RUN_FINISHED,    /* every domain has a result */
	/* Every domain has a result, but more of them are inconclusive (a DNS
	 * failure) than the scan allowed (--max-inconclusive): a night not to
	 * trust; reports skip it unless it is named. */
	STORE_RUN_DEGRADED,
	/* A merge (posture db merge --allow-partial) of shards of which some
	 * were missing or not finished: not the whole list, never compared as
	 * if it were. */
	STORE_RUN_PARTIAL,
	STORE_RUN_UNKNOWN, /* a state this posture does not know (a newer one wrote it) */
};
const char *store_run_state_name(enum store_run_state st);
enum store_run_state store_run_state_parse(const char *name);

struct store_run {
	int64_t id;
	char label[256];
	char list[1024];
	char options[4096];
	char tool_version[64];
	char started[32];     /* ISO 8601 UTC */
	char finished_at[32]; /* when it ended (finished, degraded, partial); "" before */
	enum store_run_state state;
	int64_t total, done, errors;
	int64_t pid;
	char host[128];
	char pruned_at[32]; /* when posture db prune removed its results; "" if not */
};

/* Creates a run in state "loading"; fills r->id and r->started. */
int store_run_create(struct store *s, struct store_run *r);
/*
 * Adds a domain (and its company/code/sector) to the run's work list at the
 * next position. *added is false when the run already has that domain (a
 * duplicate). Call inside a transaction.
 */
int store_run_add(struct store *s, int64_t run, const struct list_entry *e, bool *added);
/* Sets state (and finished_at when the state ends the run: finished,
 * degraded, partial), pid and host. */
int store_run_set_state(struct store *s, int64_t run, enum store_run_state state);
/* The run's total, done and errors counters, recounted from the tables. */
int store_run_counts(struct store *s, int64_t run, int64_t *total, int64_t *done, int64_t *errors);
/* Adds to the run's done and errors counters (inside the results'
 * transaction, so they always agree with the results table). */
int store_run_add_progress(struct store *s, int64_t run, int64_t done, int64_t errors);
/* Recounts total and done from the tables. */
int store_run_recount(struct store *s, int64_t run);
/* Reads one run; 1 found, 0 not found, -1 error. The state of a run
 * whose process is gone (same host, pid not alive) reads "interrupted". */
int store_run_get(struct store *s, int64_t run, struct store_run *out);
/* Calls fn for every run, newest first. */
int store_runs_each(struct store *s, int (*fn)(void *arg, const struct store_run *r), void *arg);
/* The newest run in state finished; 0 when there is none. */
int64_t store_run_latest_finished(struct store *s);
/* The newest run in any state; 0 when there is none, -1 on error. */
int64_t store_run_newest(struct store *s);

struct store_pending {
	int64_t domain_id;
	int64_t position;
	char domain[DNS_NAME_BUF];
	char dkim_selectors[LIST_FIELD_MAX]; /* the list's, for this domain; "" none */
};
/* Up to max domains of the run without a result, positions after `after`,
 * in order. Sets *n. */
int store_pending(struct store *s, int64_t run, int64_t after, struct store_pending *out,
                  size_t max, size_t *n);

struct store_finding {
	const char *check; /* spf, dmarc, bimi, mx */
	const char *code;
	const char *severity;
	const char *path;
};

/* One domain's result in a run. Text fields may be NULL (SQL NULL). */
struct store_result {
	int64_t domain_id;
	const char *scanned_at;
	const char *spf_status, *spf_all, *spf_error;
	int spf_lookups, spf_void; /* -1: NULL */
	const char *dmarc_status, *dmarc_policy, *dmarc_subdomain_policy, *dmarc_enforcement;
	int dmarc_pct; /* -1: NULL */
	const char *bimi_status, *vmc_status;
	int bimi_eligible;  /* -1: NULL */
	const char *mx, *a; /* present, absent, null_mx, temperror, not_run */
	/* DKIM (schema 5; NULL: not checked, or stored before): found,
	 * none_found, temperror or not_run; the selectors with a usable key,
	 * space-separated; the smallest usable RSA key's bits (-1: NULL). */
	const char *dkim_status, *dkim_selectors;
	int dkim_min_bits;
	/* Transport (schema 8, issue 24; NULL: not checked, or stored
	 * before). mta_sts_status: missing, enforce, testing, none, invalid,
	 * temperror or not_fetched (mta_sts_check_status_name);
	 * mta_sts_mx_covered: 1 every MX host covered by the policy, 0 one
	 * is not, -1 NULL (unknown or not checked); tls_rpt_status: none, ok,
	 * invalid or temperror; dnssec_status: secure, insecure, bogus or
	 * indeterminate; dane_status: dane, partial, none, unusable or
	 * indeterminate (dane_status_name). */
	const char *mta_sts_status, *tls_rpt_status, *dnssec_status, *dane_status;
	int mta_sts_mx_covered;
	bool conclusive;
	const char *json;
	size_t json_len; /* 0: strlen(json) */
	/* What reports count of the JSON (checks_facts_text), or NULL: stored
	 * beside it; read instead of it by store_read_facts. */
	const char *facts;
	size_t facts_len; /* 0: strlen(facts) */
	const struct store_finding *findings;
	size_t nfindings;
};

/*
 * Stores the run's result of a domain (at most one per run and domain: a
 * second is refused). A conclusive result equal to the domain's newest
 * conclusive one (the same JSON, columns and dictionary) is stored as a
 * reference to it: no new results row, no findings copied. Call inside a
 * transaction. A domain not in the run's list is added to it.
 */
int store_result_put(struct store *s, int64_t run, const struct store_result *r);

/* What store_result_put stored since the store was opened. */
struct store_body_stats {
	uint64_t full;         /* results rows written */
	uint64_t references;   /* unchanged results stored as references */
	uint64_t json_bytes;   /* JSON of the rows written */
	uint64_t stored_bytes; /* what their compressed bodies took */
};
void store_body_stats(const struct store *s, struct store_body_stats *out);

/*
 * Merges the newest run of each database in src (e.g. the shards of one
 * scan, each run with --shard K/N) into one new finished run of s: the
 * union of their domain lists and results. Label, list and options are
 * those of the first; a domain present in two inputs keeps the first
 * result. Sets *run. Returns 0, or -1 with a reason in err.
 */
int store_merge(struct store *s, const char *const *src, size_t n, int64_t *run, char *err,
                size_t errlen);
/* store_merge, ending the merged run in state (STORE_RUN_FINISHED or
 * STORE_RUN_PARTIAL) instead of "finished". The caller checks beforehand
 * that the inputs belong together (posture db merge: same list, N and
 * options, each shard once). */
int store_merge_as(struct store *s, const char *const *src, size_t n, enum store_run_state state,
                   int64_t *run, char *err, size_t errlen);

/* Calls fn with the name of every domain of run's list (with or without a
 * result), in list order. A non-zero return from fn stops the walk and is
 * returned; -1 on a database error. */
int store_run_domains_each(struct store *s, int64_t run, int (*fn)(void *arg, const char *domain),
                           void *arg);

/* PRAGMA integrity_check: 0 when "ok". */
int store_integrity(struct store *s, char *msg, size_t msglen);

/* Runs sql with one integer parameter (?1) and returns the first column of
 * the first row as an integer (tests and reports). -1 on error. */
int64_t store_scalar(struct store *s, const char *sql, int64_t param);

/* Reading results back (reports, diff, history). */

/* One stored result with its domain's list columns. Strings are valid
 * only during the callback; text fields may be NULL (SQL NULL); in r the
 * findings are not filled (nfindings 0). */
struct store_row {
	int64_t run_id;
	int64_t result_id; /* results.id: equal in two runs means an unchanged result */
	bool reference;    /* the result was stored by an earlier run */
	int64_t position;  /* in the run's list, from 1 */
	const char *domain, *company, *code, *sector, *list;
	struct store_result r;
};
typedef int (*store_row_fn)(void *arg, const struct store_row *row);

/* The walks below always give each result's facts (struct store_result's
 * facts, NULL for results stored before schema 4). With version > 0, a
 * result whose facts are of that version or later ({"facts":N...) comes
 * without its JSON (json NULL): what a report needs, without
 * decompressing the body; the others come with it. 0: always the JSON. */
void store_read_facts(struct store *s, int version);
/* The version N of a result's facts ({"facts":N...), or -1 when facts is
 * NULL or no facts document. */
long store_facts_version(const char *facts);
/* Calls fn for every result of run, in list order (position). A non-zero
 * return from fn stops the walk and is returned. -1 on a database error. */
int store_results_each(struct store *s, int64_t run, store_row_fn fn, void *arg);
/* Calls fn for every result of domain (the normalised name), oldest run
 * first. Same contract as store_results_each. */
int store_history_each(struct store *s, const char *domain, store_row_fn fn, void *arg);

/* ---- Keeping history small (prune.c) ---- */

/*
 * Calls fn, oldest first, for each run posture db prune would remove: a
 * run that ended (finished, degraded, partial) or was interrupted, started
 * more than keep_days days ago, not pruned yet. Never the newest finished
 * run; with keep_monthly, never the newest finished run of a calendar
 * month (UTC). A non-zero return from fn stops the walk and is returned.
 */
int store_prune_each(struct store *s, int keep_days, bool keep_monthly,
                     int (*fn)(void *arg, const struct store_run *r), void *arg);
/* Keeps a run's statistics (reports' text form), so trends survive
 * pruning. */
int store_run_stats_put(struct store *s, int64_t run, const char *text);
/* A run's kept statistics: 1 with *text (free it), 0 when none, -1. */
int store_run_stats_get(struct store *s, int64_t run, char **text);
/* Removes a run's list and results (its rows of run_domains) and marks
 * it pruned (runs.pruned_at); the run itself stays. Inside a
 * transaction; then store_prune_orphans. */
int store_prune_run(struct store *s, int64_t run);
/* Deletes the results, and their findings, that no run points at any
 * more; *n says how many results. Inside a transaction. */
int store_prune_orphans(struct store *s, int64_t *n);
/* The database's pages, its free pages (reused by later writes, given
 * back to the file system only by store_vacuum) and the page size. */
int store_space(struct store *s, int64_t *pages, int64_t *free_pages, int64_t *page_size);
/* VACUUM: rewrites the database without its free pages. Needs about the
 * database's size in free disk space, and no other connection. */
int store_vacuum(struct store *s);

/* What posture db check found beyond SQLite's own integrity check. */
struct store_check {
	int64_t rows;       /* results of runs (rows of run_domains with one) */
	int64_t references; /* of them, pointing at an earlier run's result */
	int64_t results;    /* distinct results stored */
	int64_t bodies;     /* compressed bodies decompressed */
	int64_t bad;        /* problems */
	char first[512];    /* the first problem, in words */
};
/* Checks every run's result points at a result of its domain, that a
 * reference points at a conclusive result, every body decompresses, every
 * finished run has every result, and the runs' counters. 0, or -1 when
 * the check itself failed (store_error). */
int store_check_results(struct store *s, struct store_check *out);

#endif
