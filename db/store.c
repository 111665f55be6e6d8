/*
 * store.c — the SQLite store (see store.h): opening, the schema and its
 * migrations, runs and their work lists. Results are in results.c,
 * merging in merge.c, pruning and checks in prune.c.
 */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "claim.h"
#include "store_impl.h"

int store_fail(struct store *s, const char *what)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

bool store_damaged_message(const char *msg)
{
	return strstr(msg, STORE_DAMAGED) != NULL ||
	       strstr(msg, "database disk image is malformed") != NULL ||
	       strstr(msg, "file is not a database") != NULL;
}

const char *store_error(const struct store *s)
{
	return s->err;
}

int store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->err, sizeof(s->err), "%s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int store_begin(struct store *s)
{
	return store_exec(s, "BEGIN IMMEDIATE");
}

int store_commit(struct store *s)
{
	if (store_exec(s, "COMMIT") != 0)
		return -1;
	wal_ckpt_after_commit(s->ckpt, s->db);
	return 0;
}

int store_rollback(struct store *s)
{
	/* A rollback follows a failure: the failure's message is the one to
	 * keep. A disk-full commit used to be reported as the rollback's own
	 * "cannot rollback - no transaction is active" (SQLite had rolled
	 * back already). */
	char keep[sizeof(s->err)];
	memcpy(keep, s->err, sizeof(keep));
	if (sqlite3_get_autocommit(s->db))
		return 0; /* nothing open: SQLite rolled back itself */
	int rc = store_exec(s, "ROLLBACK");
	if (keep[0] != '\0') {
		char now[sizeof(s->err)];
		memcpy(now, s->err, sizeof(now));
		if (rc != 0)
			snprintf(s->err, sizeof(s->err), "%s (and the rollback: %s)", keep, now);
		else
			memcpy(s->err, keep, sizeof(keep));
	}
	return rc;
}

int64_t store_scalar(struct store *s, const char *sql, int64_t param)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, param);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int migrate(struct store *s)
{
	int64_t v = store_scalar(s, "PRAGMA user_version", 0);
	size_t n = store_nmigrations;

	if (v < 0)
		return -1;
	if ((size_t)v > n) {
		snprintf(s->err, sizeof(s->err),
		         "the database has schema version %lld, newer than this posture (%zu): "
		         "upgrade posture",
		         (long long)v, n);
		return -1;
	}
	for (size_t i = (size_t)v; i < n; i++) {
		char sql[64];
		if (store_begin(s) != 0)
			return -1;
		/* Another process may have migrated since the version was read
		 * (two commands opening a new database at once): the version
		 * read under the write lock decides. */
		int64_t now = store_scalar(s, "PRAGMA user_version", 0);
		if (now > (int64_t)i) {
			if (store_commit(s) != 0)
				return -1;
			i = (size_t)now - 1;
			continue;
		}
		/* A new database is made whole in one transaction (a kill
		 * during its creation leaves no half-made schema); an existing
		 * one moves one version a transaction. */
		size_t last = now == 0 ? n : i + 1;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu", last);
		for (size_t k = i; k < last; k++) {
			if (store_exec(s, store_migrations[k]) == 0 &&
			    (k + 1 < last || store_exec(s, sql) == 0))
				continue;
			char keep[sizeof(s->err)];
			memcpy(keep, s->err, sizeof(keep));
			store_rollback(s);
			snprintf(s->err, sizeof(s->err), "migrating to schema %zu: %s", k + 1,
			         keep);
			return -1;
		}
		if (store_commit(s) != 0)
			return -1;
		i = last - 1;
	}
	return 0;
}

static int prepare(struct store *s, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	return 0;
}

/* SQLite's allocation statistics take a global lock on every malloc
 * (hundreds per batch of results); posture never reads them. Set once,
 * before SQLite initialises (later it is refused, harmlessly). */
static void sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void store_now_iso(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The statements a writer reuses; prepared on every open (preparing writes
 * nothing, so a read-only store has them too, and stepping one fails). */
static int prepare_all(struct store *s)
{
	/* The schema the statements are for (a reader may read an older
	 * one than this posture writes: STORE_SCHEMA_READ_MIN). */
	s->version = store_scalar(s, "PRAGMA user_version", 0);
	if (prepare(s, &s->get_domain, "SELECT id FROM domains WHERE name = ?1") != 0 ||
	    prepare(s, &s->add_domain,
	            "INSERT INTO domains(name, company, code, sector) VALUES(?1, ?2, ?3, ?4)") !=
	            0 ||
	    prepare(s, &s->upd_domain,
	            "UPDATE domains SET company = coalesce(?2, company),"
	            " code = coalesce(?3, code), sector = coalesce(?4, sector) WHERE id = ?1") !=
	            0 ||
	    /* A reader of an older schema (no dkim_selectors, 6) never adds
	     * or scans: these statements name the column only from 6 on. */
	    prepare(s, &s->add_run_domain,
	            s->version >= 6 ? "INSERT OR IGNORE INTO run_domains(run_id, domain_id,"
	                              " position, list, dkim_selectors) VALUES(?1, ?2, ?3, ?4, ?5)"
	                            : "INSERT OR IGNORE INTO run_domains(run_id, domain_id,"
	                              " position, list) VALUES(?1, ?2, ?3, ?4)") != 0 ||
	    prepare(s, &s->pending,
	            s->version >= 6 ? "SELECT rd.domain_id, rd.position, d.name, rd.dkim_selectors"
	                              " FROM run_domains rd JOIN domains d ON d.id = rd.domain_id"
	                              " WHERE rd.run_id = ?1 AND rd.position > ?2"
	                              " AND rd.result IS NULL ORDER BY rd.position LIMIT ?3"
	                            : "SELECT rd.domain_id, rd.position, d.name, NULL"
	                              " FROM run_domains rd JOIN domains d ON d.id = rd.domain_id"
	                              " WHERE rd.run_id = ?1 AND rd.position > ?2"
	                              " AND rd.result IS NULL ORDER BY rd.position LIMIT ?3") != 0)
		return -1;
	return store_results_prepare(s);
}

static struct store *store_new(char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	struct store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		snprintf(err, errlen, "out of memory");
	else
		s->claim_fd = -1;
	return s;
}

/* Says "the database is damaged" in s->err when SQLite's error means it
 * (store_damaged_message), so every command says it the same way. */
static void damaged(struct store *s)
{
	if (!store_damaged_message(s->err) || strstr(s->err, STORE_DAMAGED) != NULL)
		return;
	char keep[sizeof(s->err)];
	memcpy(keep, s->err, sizeof(keep));
	snprintf(s->err, sizeof(s->err), STORE_DAMAGED " (%s): restore it from a copy", keep);
}

/* A database file shorter than its own header says (a copy cut short, a
 * full disk during a checkpoint): SQLite reads it until it reaches a
 * missing page, so a scan would add a run to it and only a later reader
 * would fail. Told apart only while the WAL is empty (the newest size may
 * be in the WAL). STORE_DAMAGED in s->err's message. */
static int truncated(struct store *s, const char *path)
{
	char wal[PATH_MAX + 8];
	unsigned char h[100];
	struct stat st, ws;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(path, &st) != 0 || st.st_size < 100 || (stat(wal, &ws) == 0 && ws.st_size > 0))
		return 0;
	/* The header itself (SQLite's file format, 1.3), read before SQLite
	 * reads the schema, which a cut file may have lost already: page
	 * size at 16 (1 means 65536), the size in pages at 28, valid when
	 * the change counter at 24 equals the one at 92. */
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(h, 1, sizeof(h), f) : 0;
	if (f)
		fclose(f);
	if (n != sizeof(h) || memcmp(h, "SQLite format 3", 16) != 0 ||
	    memcmp(h + 24, h + 92, 4) != 0)
		return 0; /* not for this check to judge: SQLite says */
	uint32_t ps = (uint32_t)h[16] << 8 | h[17];
	uint64_t size = ps == 1 ? 65536 : ps;
	uint64_t pages =
	        (uint64_t)h[28] << 24 | (uint64_t)h[29] << 16 | (uint64_t)h[30] << 8 | h[31];
	if ((uint64_t)st.st_size >= pages * size)
		return 0;
	snprintf(s->err, sizeof(s->err),
	         STORE_DAMAGED ": the file holds %lld bytes, its header says %llu pages of %llu "
	                       "(truncated); restore it from a copy",
	         (long long)st.st_size, (unsigned long long)pages, (unsigned long long)size);
	return -1;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	struct store *s = store_new(err, errlen);
	if (s == NULL)
		return NULL;
	/* NOMUTEX: one thread at a time uses a store (store.h), so SQLite's
	 * lock around every call is pure cost for the scan's writer. */
	if (sqlite3_open_v2(path, &s->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		         s->db ? sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	/* An 8 MiB page cache instead of 2 MiB: a scan inserts into four
	 * indexes at scattered places, and with the smaller cache a
	 * 100,000-domain run re-read pages 390,000 times (210,000 now).
	 * 64 KiB pages (for a new database; an existing one keeps its own):
	 * a stored result is about 5 KiB of JSON, which on 4 KiB pages took
	 * two overflow pages, each written to the WAL and again at the
	 * checkpoint, one system call a page. A 20,000-domain scan made
	 * 138,000 such calls on 4 KiB pages and 12,000 on 64 KiB, and the
	 * writer thread's CPU fell by two fifths; the file is the same size. */
	if (truncated(s, path) != 0 ||
	    store_exec(s, "PRAGMA page_size = 65536; PRAGMA journal_mode = WAL;"
	                  "PRAGMA synchronous = NORMAL;"
	                  "PRAGMA foreign_keys = ON; PRAGMA cache_size = -8192;") != 0 ||
	    migrate(s) != 0 || prepare_all(s) != 0) {
		damaged(s);
		snprintf(err, errlen, "%s: %s", path, s->err);
		store_close(s);
		return NULL;
	}
	return s;
}

/* The read-only open (store.h). */

/* "file:" URI of path with immutable=1 (RFC 3986 2.1: every byte but the
 * unreserved ones and '/' percent-encoded, so '?', '#' and '%' in a file
 * name stay part of the path). "file://" before an absolute path: an
 * empty authority, as SQLite requires when the path starts with "//". */
static char *immutable_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(path);
	char *uri = malloc(3 * len + 40);
	if (uri == NULL)
		return NULL;
	const char *scheme = path[0] == '/' ? "file://" : "file:";
	size_t sl = strlen(scheme);
	memcpy(uri, scheme, sl);
	char *o = uri + sl;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p) != NULL) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	static const char query[] = "?mode=ro&immutable=1";
	memcpy(o, query, sizeof(query)); /* 40 bytes were kept for it */
	return uri;
}

/* Opens s->db read-only (immutable: from its URI) and reads the schema:
 * SQLite opens lazily, so a missing WAL index shows only at the first
 * read. Returns SQLite's result code, s->err set. */
static int ro_connect(struct store *s, const char *path, bool immutable)
{
	char *uri = immutable ? immutable_uri(path) : NULL;
	if (immutable && uri == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return SQLITE_NOMEM;
	}
	int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | (immutable ? SQLITE_OPEN_URI : 0);
	int rc = sqlite3_open_v2(immutable ? uri : path, &s->db, flags, NULL);
	free(uri);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
		rc = sqlite3_exec(s->db,
		                  "PRAGMA query_only = 1; SELECT count(*) FROM sqlite_master", NULL,
		                  NULL, NULL);
	}
	if (rc != SQLITE_OK)
		snprintf(s->err, sizeof(s->err), "%s",
		         s->db ? sqlite3_errmsg(s->db) : "out of memory");
	return rc;
}

/* Why reading db as an immutable file would be wrong now, in why; 0 when
 * it is safe as far as can be told: no posture writer holds its claim and
 * no WAL holds changes not yet in the database file (an immutable reader
 * ignores the WAL). */
static int immutable_unsafe(const char *db, char *why, size_t len)
{
	char who[200], wal[PATH_MAX + 8];
	struct stat st;
	if (db_claim_held(db, who, sizeof(who))) {
		snprintf(why, len, "a posture command is writing it (%s)",
		         who[0] ? who : "holder unknown");
		return 1;
	}
	snprintf(wal, sizeof(wal), "%s-wal", db);
	if (stat(wal, &st) == 0 && st.st_size > 0) {
		snprintf(why, len,
		         "%s holds changes not yet in the database file (a writer is at work, "
		         "or stopped without closing it)",
		         wal);
		return 1;
	}
	return 0;
}

/* The schema a reader can read: this posture's, or an older one that
 * holds everything the readers read (STORE_SCHEMA_READ_MIN). */
static int ro_schema(struct store *s)
{
	int64_t v = store_scalar(s, "PRAGMA user_version", 0);
	if (v < 0)
		return -1;
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(s->err, sizeof(s->err),
		         "the database has schema version %lld, newer than this posture (%d): "
		         "upgrade posture",
		         (long long)v, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (v == 0) {
		snprintf(s->err, sizeof(s->err), "not a posture database (no schema)");
		return -1;
	}
	if (v < STORE_SCHEMA_READ_MIN) {
		snprintf(s->err, sizeof(s->err),
		         "schema version %lld is older than this posture reads (%d): have its "
		         "owner migrate it once (posture db check --db DB)",
		         (long long)v, STORE_SCHEMA_READ_MIN);
		return -1;
	}
	return 0;
}

/* A database older than the readers read (STORE_SCHEMA_READ_MIN) is
 * migrated first when this user can write it, as any writer would on
 * open: false when it was (s->db is closed then, to be opened again),
 * true when there was nothing to do or it cannot be done (ro_schema
 * then says what the owner should do). */
static bool migrated_ro(struct store *s, const char *path, char *msg, size_t msglen)
{
	char err[512];
	int64_t v = store_scalar(s, "PRAGMA user_version", 0);
	if (v <= 0 || v >= STORE_SCHEMA_READ_MIN || access(path, W_OK) != 0)
		return true;
	sqlite3_close(s->db);
	s->db = NULL;
	struct store *w = store_open(path, err, sizeof(err));
	if (w == NULL) {
		snprintf(msg, msglen, "%s: could not migrate it to schema %d: %s", path,
		         STORE_SCHEMA_VERSION, err);
		return false;
	}
	store_close(w);
	snprintf(msg, msglen, "%s: migrated from schema %lld to %d", path, (long long)v,
	         STORE_SCHEMA_VERSION);
	return false;
}

struct store *store_open_ro(const char *path, char *msg, size_t msglen)
{
	char why[PATH_MAX + 200];
	struct store *s = store_new(msg, msglen);
	if (s == NULL)
		return NULL;
	msg[0] = '\0';
	s->readonly = true;
	int rc = ro_connect(s, path, false);
	int prim = rc & 0xff;
	if (prim == SQLITE_READONLY || prim == SQLITE_CANTOPEN) {
		/* No WAL index (-shm) and none can be made: the directory is
		 * not writable for this user and no connection has one open. */
		const char *db = s->db ? sqlite3_db_filename(s->db, "main") : NULL;
		char full[PATH_MAX + 1];
		snprintf(full, sizeof(full), "%s", db && db[0] ? db : path);
		if (immutable_unsafe(full, why, sizeof(why))) {
			snprintf(msg, msglen,
			         "%s: cannot read it: this user cannot create its WAL index "
			         "(%s-shm: %s), and %s; try again when it is done, or as its owner",
			         path, full, s->err, why);
			store_close(s);
			return NULL;
		}
		sqlite3_close(s->db);
		s->db = NULL;
		rc = ro_connect(s, path, true);
		if (rc == SQLITE_OK)
			snprintf(msg, msglen,
			         "%s: read as an immutable file, unlocked: this user cannot create "
			         "its WAL index (%s-shm), so a writer starting now would not be "
			         "seen",
			         path, full);
	}
	if (rc == SQLITE_OK && !migrated_ro(s, path, msg, msglen))
		rc = ro_connect(s, path, false);
	if (rc != SQLITE_OK || truncated(s, path) != 0 || ro_schema(s) != 0 ||
	    prepare_all(s) != 0) {
		damaged(s);
		snprintf(why, sizeof(why), "%s", s->err);
		snprintf(msg, msglen, "%s: %s", path, why);
		store_close(s);
		return NULL;
	}
	return s;
}

/* The writer's claim (store.h), on DB.lock (claim.c says how). */
int store_claim_writer(struct store *s, char *err, size_t errlen)
{
	char since[32];

	if (s->readonly) {
		snprintf(err, errlen, "opened read-only: cannot write");
		return -1;
	}
	if (s->claim_fd >= 0)
		return 0;
	const char *db = sqlite3_db_filename(s->db, "main");
	if (db == NULL || db[0] == '\0')
		return 0; /* in memory or temporary: nobody else can open it */
	store_now_iso(since, sizeof(since));
	int rc = db_claim_take(db, since, &s->claim_fd, err, errlen);
	return rc == DB_CLAIM_BUSY ? STORE_CLAIM_BUSY : rc;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	store_checkpoints_stop(s, NULL);
	sqlite3_finalize(s->get_domain);
	sqlite3_finalize(s->add_domain);
	sqlite3_finalize(s->upd_domain);
	sqlite3_finalize(s->add_run_domain);
	sqlite3_finalize(s->pending);
	store_results_close(s);
	sqlite3_close(s->db);
	if (s->claim_fd >= 0)
		close(s->claim_fd); /* drops the claim; the file stays (store.h) */
	free(s);
}

int store_checkpoints_start(struct store *s)
{
	if (s->ckpt != NULL)
		return 0; /* running already */
	s->ckpt = wal_ckpt_start(s->db);
	return s->ckpt != NULL;
}

void store_checkpoints_stop(struct store *s, struct store_checkpoint_stats *st)
{
	wal_ckpt_stop(s->ckpt, s->db, st);
	s->ckpt = NULL;
}

/* SQLITE_STATIC: every caller's text outlives the step, and step_done
 * clears the bindings after it (a copy is a malloc per column). */
void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL || v[0] == '\0')
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

void store_bind_int(sqlite3_stmt *st, int i, int v)
{
	if (v < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int(st, i, v);
}

/* Runs a statement without result rows; resets it. */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, what);
	return 0;
}

static const char *const run_state_names[] = {
	[STORE_RUN_LOADING] = "loading",         [STORE_RUN_RUNNING] = "running",
	[STORE_RUN_INTERRUPTED] = "interrupted", [STORE_RUN_FINISHED] = "finished",
	[STORE_RUN_DEGRADED] = "degraded",       [STORE_RUN_PARTIAL] = "partial",
	[STORE_RUN_UNKNOWN] = "unknown",
};

const char *store_run_state_name(enum store_run_state st)
{
	return (unsigned)st < sizeof(run_state_names) / sizeof(run_state_names[0])
	               ? run_state_names[st]
	               : "unknown";
}

enum store_run_state store_run_state_parse(const char *name)
{
	for (unsigned i = 0; i < STORE_RUN_UNKNOWN; i++)
		if (strcmp(name, run_state_names[i]) == 0)
			return (enum store_run_state)i;
	return STORE_RUN_UNKNOWN;
}

int store_run_create(struct store *s, struct store_run *r)
{
	sqlite3_stmt *st;
	char host[128] = "";

	store_now_iso(r->started, sizeof(r->started));
	gethostname(host, sizeof(host) - 1);
	r->state = STORE_RUN_LOADING;
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO runs(label, list, options, tool_version, started,"
	                       " state, pid, host) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_text(st, 1, r->label, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->list, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->options, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->tool_version, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, r->started, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, store_run_state_name(r->state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)getpid());
	sqlite3_bind_text(st, 8, host, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "creating the run");
	r->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_run_add(struct store *s, int64_t run, const struct list_entry *e, bool *added)
{
	int64_t id = -1;

	if (s->pos_run != run) {
		int64_t max = store_scalar(
		        s, "SELECT coalesce(max(position), 0) FROM run_domains WHERE run_id = ?1",
		        run);
		if (max < 0)
			return -1;
		s->pos_run = run;
		s->next_pos = max + 1;
	}
	bool known = false;
	sqlite3_bind_text(s->get_domain, 1, e->domain, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s->get_domain) == SQLITE_ROW) {
		id = sqlite3_column_int64(s->get_domain, 0);
		known = true;
	}
	sqlite3_reset(s->get_domain);
	sqlite3_clear_bindings(s->get_domain);
	if (!known) {
		store_bind_text(s->add_domain, 1, e->domain);
		store_bind_text(s->add_domain, 2, e->company);
		store_bind_text(s->add_domain, 3, e->code);
		store_bind_text(s->add_domain, 4, e->sector);
		if (store_step_done(s, s->add_domain, "adding a domain") != 0)
			return -1;
		id = sqlite3_last_insert_rowid(s->db);
	}
	sqlite3_bind_int64(s->add_run_domain, 1, run);
	sqlite3_bind_int64(s->add_run_domain, 2, id);
	sqlite3_bind_int64(s->add_run_domain, 3, s->next_pos);
	store_bind_text(s->add_run_domain, 4, e->list);
	if (s->version >= 6)
		store_bind_text(s->add_run_domain, 5, e->dkim_selectors);
	if (store_step_done(s, s->add_run_domain, "adding a domain to the run") != 0)
		return -1;
	*added = sqlite3_changes(s->db) > 0;
	if (!*added)
		return 0; /* a duplicate in this run: its columns do not count */
	s->next_pos++;
	if (known) {
		/* The newest list's company, code and sector win. */
		sqlite3_bind_int64(s->upd_domain, 1, id);
		store_bind_text(s->upd_domain, 2, e->company);
		store_bind_text(s->upd_domain, 3, e->code);
		store_bind_text(s->upd_domain, 4, e->sector);
		return store_step_done(s, s->upd_domain, "updating a domain");
	}
	return 0;
}

int store_run_set_state(struct store *s, int64_t run, enum store_run_state state)
{
	sqlite3_stmt *st;
	char now[32], host[128] = "";

	store_now_iso(now, sizeof(now));
	gethostname(host, sizeof(host) - 1);
	if (sqlite3_prepare_v2(s->db,
	                       "UPDATE runs SET state = ?2, pid = ?3, host = ?4,"
	                       " finished_at = CASE WHEN ?2 IN ('finished', 'degraded', 'partial')"
	                       " THEN ?5 ELSE NULL END"
	                       " WHERE id = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, store_run_state_name(state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)getpid());
	sqlite3_bind_text(st, 4, host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "setting the run's state");
}

int store_run_add_progress(struct store *s, int64_t run, int64_t done, int64_t errors)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
	            s->db, "UPDATE runs SET done = done + ?2, errors = errors + ?3 WHERE id = ?1",
	            -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, done);
	sqlite3_bind_int64(st, 3, errors);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "counting progress");
}

int store_run_recount(struct store *s, int64_t run)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
	                       "UPDATE runs SET"
	                       " total = (SELECT count(*) FROM run_domains WHERE run_id = ?1),"
	                       " done = (SELECT count(*) FROM run_domains WHERE run_id = ?1"
	                       "  AND result IS NOT NULL),"
	                       " errors = (SELECT count(*) FROM run_domains rd JOIN results r"
	                       "  ON r.id = rd.result WHERE rd.run_id = ?1 AND r.conclusive = 0)"
	                       " WHERE id = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_int64(st, 1, run);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "counting the run");
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, len, "%s", t ? (const char *)t : "");
}

static bool process_gone(const struct store_run *r)
{
	char host[128] = "";
	gethostname(host, sizeof(host) - 1);
	if (r->pid <= 0 || strcmp(host, r->host) != 0)
		return false; /* another machine's: cannot tell */
	if ((pid_t)r->pid == getpid())
		return false;
	return kill((pid_t)r->pid, 0) != 0 && errno == ESRCH;
}

static void run_from_row(sqlite3_stmt *st, struct store_run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, r->label, sizeof(r->label));
	col_text(st, 2, r->list, sizeof(r->list));
	col_text(st, 3, r->options, sizeof(r->options));
	col_text(st, 4, r->tool_version, sizeof(r->tool_version));
	col_text(st, 5, r->started, sizeof(r->started));
	col_text(st, 6, r->finished_at, sizeof(r->finished_at));
	char state[16];
	col_text(st, 7, state, sizeof(state));
	r->state = store_run_state_parse(state);
	r->total = sqlite3_column_int64(st, 8);
	r->done = sqlite3_column_int64(st, 9);
	r->errors = sqlite3_column_int64(st, 10);
	r->pid = sqlite3_column_int64(st, 11);
	col_text(st, 12, r->host, sizeof(r->host));
	col_text(st, 13, r->pruned_at, sizeof(r->pruned_at));
	if ((r->state == STORE_RUN_RUNNING || r->state == STORE_RUN_LOADING) && process_gone(r))
		r->state = STORE_RUN_INTERRUPTED;
}

#define RUN_COLUMNS                                                                                \
	"id, label, list, options, tool_version, started, finished_at, state, total, done,"        \
	" errors, pid, host, pruned_at"

int store_run_get(struct store *s, int64_t run, struct store_run *out)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_int64(st, 1, run);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		run_from_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(s, "reading the run");
}

int store_run_counts(struct store *s, int64_t run, int64_t *total, int64_t *done, int64_t *errors)
{
	struct store_run r;
	if (store_run_recount(s, run) != 0)
		return -1;
	int rc = store_run_get(s, run, &r);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		snprintf(s->err, sizeof(s->err), "run %lld does not exist", (long long)run);
		return -1;
	}
	*total = r.total;
	*done = r.done;
	*errors = r.errors;
	return 0;
}

int store_runs_each(struct store *s, int (*fn)(void *arg, const struct store_run *r), void *arg)
{
	sqlite3_stmt *st;
	struct store_run r;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT " RUN_COLUMNS " FROM runs ORDER BY id DESC", -1, &st,
	                       NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		run_from_row(st, &r);
		if (fn(arg, &r) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(s, "listing runs");
}

int64_t store_run_newest(struct store *s)
{
	return store_scalar(s, "SELECT coalesce(max(id), 0) FROM runs WHERE ?1 = ?1", 0);
}

int64_t store_run_latest_finished(struct store *s)
{
	int64_t v = store_scalar(
	        s, "SELECT coalesce(max(id), 0) FROM runs WHERE state = 'finished' AND ?1 = ?1", 0);
	return v < 0 ? 0 : v;
}

int store_pending(struct store *s, int64_t run, int64_t after, struct store_pending *out,
                  size_t max, size_t *n)
{
	int rc;
	*n = 0;
	sqlite3_bind_int64(s->pending, 1, run);
	sqlite3_bind_int64(s->pending, 2, after);
	sqlite3_bind_int64(s->pending, 3, (sqlite3_int64)max);
	while ((rc = sqlite3_step(s->pending)) == SQLITE_ROW && *n < max) {
		struct store_pending *p = &out[(*n)++];
		p->domain_id = sqlite3_column_int64(s->pending, 0);
		p->position = sqlite3_column_int64(s->pending, 1);
		col_text(s->pending, 2, p->domain, sizeof(p->domain));
		col_text(s->pending, 3, p->dkim_selectors, sizeof(p->dkim_selectors));
	}
	sqlite3_reset(s->pending);
	sqlite3_clear_bindings(s->pending);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(s, "reading the work list");
}

int store_integrity(struct store *s, char *msg, size_t msglen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	int rc = sqlite3_step(st);
	col_text(st, 0, msg, msglen);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW && strcmp(msg, "ok") == 0 ? 0 : -1;
}

int store_run_domains_each(struct store *s, int64_t run, int (*fn)(void *arg, const char *domain),
                           void *arg)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT d.name FROM run_domains rd JOIN domains d"
	                       " ON d.id = rd.domain_id WHERE rd.run_id = ?1"
	                       " ORDER BY rd.position",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_int64(st, 1, run);
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		ret = fn(arg, name ? name : "");
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_fail(s, "reading a run's domains");
	sqlite3_finalize(st);
	return ret;
}
