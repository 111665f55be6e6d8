/*
 * Unit tests for db/store.c on temporary database files: migrations, the
 * run's work list, one result per domain, TempError never hiding a good
 * result, merging shard databases, one writer per database
 * (store_claim_writer) and the read-only open (store_open_ro).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/store.XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct store *open_db(const char *name)
{
	char path[128], err[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct store *s = store_open(path, err, sizeof(err));
	if (s == NULL)
		fail_msg("%s", err);
	return s;
}

static int64_t new_run(struct store *s, const char *label, const char *const *domains, size_t n)
{
	struct store_run r;
	memset(&r, 0, sizeof(r));
	snprintf(r.label, sizeof(r.label), "%s", label);
	snprintf(r.list, sizeof(r.list), "test");
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_run_create(s, &r), 0);
	for (size_t i = 0; i < n; i++) {
		struct list_entry e;
		bool added;
		memset(&e, 0, sizeof(e));
		snprintf(e.domain, sizeof(e.domain), "%s", domains[i]);
		snprintf(e.company, sizeof(e.company), "Company %zu", i);
		assert_int_equal(store_run_add(s, r.id, &e, &added), 0);
	}
	assert_int_equal(store_run_recount(s, r.id), 0);
	assert_int_equal(store_run_set_state(s, r.id, STORE_RUN_RUNNING), 0);
	assert_int_equal(store_commit(s), 0);
	return r.id;
}

static int put_full(struct store *s, int64_t run, int64_t domain_id, const char *when,
                    const char *dmarc, bool conclusive, const char *json)
{
	struct store_finding f = { "dmarc", "dmarc.monitor_only", "warning", "x.example" };
	struct store_result r;
	memset(&r, 0, sizeof(r));
	r.domain_id = domain_id;
	r.scanned_at = when;
	r.spf_status = "ok";
	r.spf_lookups = 3;
	r.spf_void = 0;
	r.dmarc_status = dmarc;
	r.dmarc_pct = -1;
	r.bimi_eligible = -1;
	r.conclusive = conclusive;
	r.json = json;
	r.findings = &f;
	r.nfindings = 1;
	assert_int_equal(store_begin(s), 0);
	int rc = store_result_put(s, run, &r);
	assert_int_equal(rc == 0 ? store_commit(s) : store_rollback(s), 0);
	return rc;
}

static int put(struct store *s, int64_t run, int64_t domain_id, const char *when, const char *dmarc,
               bool conclusive)
{
	return put_full(s, run, domain_id, when, dmarc, conclusive, "{}");
}

/* Whether the database has the index that schema 2 dropped. */
static bool has_findings_run(struct store *s)
{
	return store_scalar(
	               s,
	               "SELECT count(*) FROM sqlite_master WHERE name = 'findings_run' AND ?1 = ?1",
	               0) != 0;
}

static void test_schema(void **state)
{
	(void)state;
	struct store *s = open_db("schema.db");
	assert_int_equal(store_scalar(s, "PRAGMA user_version", 0), STORE_SCHEMA_VERSION);
	/* A new database: WAL, 64 KiB pages (a result's JSON on one page). */
	assert_int_equal(store_scalar(s, "PRAGMA page_size", 0), 65536);
	assert_int_equal(store_scalar(s,
	                              "SELECT count(*) FROM pragma_journal_mode"
	                              " WHERE journal_mode = 'wal'",
	                              0),
	                 1);
	assert_int_equal(store_scalar(s,
	                              "SELECT count(*) FROM sqlite_master WHERE name IN"
	                              " ('runs','domains','run_domains','results','findings',"
	                              "'latest_results') AND ?1 = ?1",
	                              0),
	                 6);
	assert_false(has_findings_run(s));
	/* A database from a newer posture is refused, not damaged. */
	store_scalar(s, "PRAGMA user_version = 99", 0); /* no rows: returns -1 */
	assert_int_equal(store_scalar(s, "PRAGMA user_version", 0), 99);
	store_close(s);
	char path[128], err[256];
	snprintf(path, sizeof(path), "%s/schema.db", dir);
	s = store_open(path, err, sizeof(err));
	assert_null(s);
	assert_non_null(strstr(err, "newer than this posture"));
}

/* The schema of posture's first databases (1, then 2: findings_run
 * dropped), as they are on disk: a fixture, so the migrations run on the
 * tables they were written for. */
static const char schema_v1[] =
        "PRAGMA page_size = 65536; PRAGMA journal_mode = WAL;"
        "CREATE TABLE runs(id INTEGER PRIMARY KEY, label TEXT NOT NULL, list TEXT NOT NULL,"
        " options TEXT NOT NULL, tool_version TEXT NOT NULL, started TEXT NOT NULL,"
        " finished_at TEXT, state TEXT NOT NULL, total INTEGER NOT NULL DEFAULT 0,"
        " done INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0,"
        " pid INTEGER, host TEXT);"
        "CREATE TABLE domains(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
        " company TEXT, code TEXT, sector TEXT);"
        "CREATE TABLE run_domains(run_id INTEGER NOT NULL REFERENCES runs(id),"
        " domain_id INTEGER NOT NULL REFERENCES domains(id), position INTEGER NOT NULL,"
        " list TEXT, PRIMARY KEY(run_id, domain_id)) WITHOUT ROWID;"
        "CREATE INDEX run_domains_position ON run_domains(run_id, position);"
        "CREATE TABLE results(run_id INTEGER NOT NULL REFERENCES runs(id),"
        " domain_id INTEGER NOT NULL REFERENCES domains(id), scanned_at TEXT NOT NULL,"
        " spf_status TEXT, spf_all TEXT, spf_lookups INTEGER, spf_void_lookups INTEGER,"
        " spf_error TEXT, dmarc_status TEXT, dmarc_policy TEXT,"
        " dmarc_subdomain_policy TEXT, dmarc_pct INTEGER, dmarc_enforcement TEXT,"
        " bimi_status TEXT, vmc_status TEXT, bimi_eligible INTEGER, mx TEXT, a TEXT,"
        " conclusive INTEGER NOT NULL, json TEXT NOT NULL, UNIQUE(run_id, domain_id));"
        "CREATE INDEX results_domain ON results(domain_id, scanned_at);"
        "CREATE TABLE findings(run_id INTEGER NOT NULL, domain_id INTEGER NOT NULL,"
        " check_name TEXT NOT NULL, code TEXT NOT NULL, severity TEXT NOT NULL, path TEXT);"
        "CREATE INDEX findings_run ON findings(run_id, code);"
        "CREATE INDEX findings_domain ON findings(run_id, domain_id);"
        "CREATE VIEW latest_results AS SELECT d.name AS domain, r.* FROM results r"
        " JOIN domains d ON d.id = r.domain_id;"
        "INSERT INTO runs VALUES(1, 'old', 'list', '', 'v0', '2026-01-01T00:00:00Z',"
        " '2026-01-01T00:01:00Z', 'finished', 2, 2, 0, 1, 'h');"
        "INSERT INTO domains(id, name) VALUES(1, 'a.example'), (2, 'b.example');"
        "INSERT INTO run_domains VALUES(1, 1, 1, NULL), (1, 2, 2, NULL);"
        "INSERT INTO results(run_id, domain_id, scanned_at, spf_status, dmarc_status,"
        " conclusive, json) VALUES(1, 1, '2026-01-01T00:00:10Z', 'ok', 'ok', 1,"
        " '{\"domain\":\"a.example\"}'), (1, 2, '2026-01-01T00:00:20Z', 'none', 'none', 1,"
        " '{\"domain\":\"b.example\"}');"
        "INSERT INTO findings VALUES(1, 2, 'spf', 'spf.none', 'error', 'b.example');"
        "PRAGMA user_version = 1;";

static int first_json(void *arg, const struct store_row *row)
{
	char *out = arg;
	if (out[0] == '\0')
		snprintf(out, 256, "%s %s %d %lld", row->r.json, row->r.scanned_at, row->reference,
		         (long long)row->position);
	return 0;
}

/* A schema-1 database with two results is migrated to the current schema
 * and keeps its rows: readable through the readers, checked clean. */
static void test_migrate_from_1(void **state)
{
	(void)state;
	char path[128], *msg = NULL;
	sqlite3 *db;
	snprintf(path, sizeof(path), "%s/v1.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, schema_v1, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("fixture: %s", msg);
	sqlite3_close(db);

	struct store *s = open_db("v1.db");
	assert_int_equal(store_scalar(s, "PRAGMA user_version", 0), STORE_SCHEMA_VERSION);
	assert_false(has_findings_run(s));
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM findings WHERE run_id = ?1", 1), 1);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM run_results WHERE run_id = ?1", 1),
	                 2);
	char got[256] = "";
	assert_int_equal(store_results_each(s, 1, first_json, got), 0);
	assert_string_equal(got, "{\"domain\":\"a.example\"} 2026-01-01T00:00:10Z 0 1");
	struct store_check c;
	assert_int_equal(store_check_results(s, &c), 0);
	if (c.bad != 0)
		fail_msg("%s", c.first);
	assert_int_equal(c.rows, 2);
	assert_int_equal(c.references, 0);
	/* A new result of a.example equal in columns but with other JSON is
	 * a new row; the old plain row is never taken for a compressed one. */
	store_close(s);
}

static void test_work_list(void **state)
{
	static const char *const domains[] = { "a.example", "b.example", "a.example", "c.example" };
	(void)state;
	struct store *s = open_db("work.db");
	struct store_run r;
	memset(&r, 0, sizeof(r));
	snprintf(r.label, sizeof(r.label), "nightly");
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_run_create(s, &r), 0);
	int added_count = 0;
	for (size_t i = 0; i < 4; i++) {
		struct list_entry e;
		bool added;
		memset(&e, 0, sizeof(e));
		snprintf(e.domain, sizeof(e.domain), "%s", domains[i]);
		assert_int_equal(store_run_add(s, r.id, &e, &added), 0);
		added_count += added;
		if (i == 2)
			assert_false(added); /* the duplicate */
	}
	assert_int_equal(added_count, 3);
	assert_int_equal(store_run_recount(s, r.id), 0);
	assert_int_equal(store_commit(s), 0);

	struct store_pending p[8];
	size_t n;
	assert_int_equal(store_pending(s, r.id, 0, p, 8, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(p[0].domain, "a.example");
	assert_string_equal(p[1].domain, "b.example");
	assert_string_equal(p[2].domain, "c.example");
	assert_true(p[0].position < p[1].position && p[1].position < p[2].position);
	/* A window after a position, and only domains without a result. */
	assert_int_equal(put(s, r.id, p[2].domain_id, "2026-11-01T00:00:00Z", "ok", true), 0);
	assert_int_equal(store_pending(s, r.id, p[0].position, p, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].domain, "b.example");
	/* One result per run and domain: a second is refused. */
	struct store_pending all[8];
	assert_int_equal(store_pending(s, r.id, 0, all, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(put(s, r.id, all[0].domain_id, "2026-11-01T00:00:00Z", "ok", true), 0);
	assert_int_equal(put(s, r.id, all[0].domain_id, "2026-11-01T00:00:01Z", "ok", true), -1);
	assert_int_equal(store_run_recount(s, r.id), 0);
	struct store_run got;
	assert_int_equal(store_run_get(s, r.id, &got), 1);
	assert_int_equal(got.total, 3);
	assert_int_equal(got.done, 2);
	assert_string_equal(got.label, "nightly");
	assert_int_equal(store_run_get(s, 999, &got), 0);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM findings WHERE run_id = ?1", r.id),
	                 2);
	store_close(s);
}

/* Monday ok, Tuesday a timeout: the latest view still shows Monday, says
 * how old it is and that a newer inconclusive result exists. */
static void test_temperror_keeps_good(void **state)
{
	static const char *const domains[] = { "bank.example", "shop.example" };
	(void)state;
	struct store *s = open_db("latest.db");
	int64_t r1 = new_run(s, "mon", domains, 2);
	int64_t r2 = new_run(s, "tue", domains, 2);
	int64_t bank = store_scalar(s,
	                            "SELECT id FROM domains WHERE name = 'bank.example'"
	                            " AND ?1 = ?1",
	                            0);
	int64_t shop = store_scalar(s,
	                            "SELECT id FROM domains WHERE name = 'shop.example'"
	                            " AND ?1 = ?1",
	                            0);
	assert_int_equal(put(s, r1, bank, "2026-11-23T01:00:00Z", "ok", true), 0);
	assert_int_equal(put(s, r2, bank, "2026-11-24T01:00:00Z", "temperror", false), 0);
	assert_int_equal(put(s, r1, shop, "2026-11-23T01:00:00Z", "none", true), 0);
	assert_int_equal(put(s, r2, shop, "2026-11-24T01:00:00Z", "ok", true), 0);

	assert_int_equal(
	        store_scalar(s, "SELECT run_id FROM latest_results WHERE domain_id = ?1", bank),
	        r1);
	assert_int_equal(
	        store_scalar(s,
	                     "SELECT dmarc_status = 'ok' AND newer_inconclusive = 1"
	                     " AND age_seconds > 0 FROM latest_results WHERE domain_id = ?1",
	                     bank),
	        1);
	assert_int_equal(
	        store_scalar(s, "SELECT run_id FROM latest_results WHERE domain_id = ?1", shop),
	        r2);
	assert_int_equal(store_scalar(s,
	                              "SELECT newer_inconclusive FROM latest_results"
	                              " WHERE domain_id = ?1",
	                              shop),
	                 0);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM latest_results WHERE ?1 = ?1", 0),
	                 2);
	store_close(s);
}

/* Two shard databases merge into one run equal to their union. */
static void test_merge(void **state)
{
	static const char *const one[] = { "a.example", "b.example" };
	static const char *const two[] = { "c.example" };
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct store *s = open_db(k ? "shard2.db" : "shard1.db");
		int64_t run = new_run(s, "nightly", k ? two : one, k ? 1 : 2);
		struct store_pending p[4];
		size_t n;
		assert_int_equal(store_pending(s, run, 0, p, 4, &n), 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(put(s, run, p[i].domain_id, "2026-11-23T01:00:00Z",
			                     k ? "none" : "ok", true),
			                 0);
		assert_int_equal(store_run_set_state(s, run, STORE_RUN_FINISHED), 0);
		store_close(s);
	}
	struct store *out = open_db("merged.db");
	char p1[128], p2[128], err[256];
	snprintf(p1, sizeof(p1), "%s/shard1.db", dir);
	snprintf(p2, sizeof(p2), "%s/shard2.db", dir);
	const char *const src[] = { p1, p2 };
	int64_t run;
	if (store_merge(out, src, 2, &run, err, sizeof(err)) != 0)
		fail_msg("merge: %s", err);
	struct store_run r;
	assert_int_equal(store_run_get(out, run, &r), 1);
	assert_int_equal(r.state, STORE_RUN_FINISHED);
	assert_string_equal(store_run_state_name(r.state), "finished");
	assert_string_equal(r.label, "nightly");
	assert_int_equal(r.total, 3);
	assert_int_equal(r.done, 3);
	assert_int_equal(
	        store_scalar(out,
	                     "SELECT count(*) FROM results r JOIN domains d ON"
	                     " d.id = r.domain_id WHERE r.run_id = ?1 AND"
	                     " ((d.name IN ('a.example','b.example') AND dmarc_status = 'ok')"
	                     " OR (d.name = 'c.example' AND dmarc_status = 'none'))",
	                     run),
	        3);
	assert_int_equal(store_scalar(out, "SELECT count(*) FROM findings WHERE run_id = ?1", run),
	                 3);
	assert_int_equal(store_scalar(out,
	                              "SELECT count(*) FROM domains WHERE company IS NOT NULL"
	                              " AND ?1 = ?1",
	                              0),
	                 3);
	/* A database without runs is refused and changes nothing. */
	const char *const bad[] = { "/nonexistent/dir/x.db" };
	assert_int_equal(store_merge(out, bad, 1, &run, err, sizeof(err)), -1);
	assert_int_equal(store_scalar(out, "SELECT count(*) FROM runs WHERE ?1 = ?1", 0), 1);
	char msg[64];
	assert_int_equal(store_integrity(out, msg, sizeof(msg)), 0);
	store_close(out);
}

/* Background checkpoints: whatever the thread manages (it depends on the
 * disk), the WAL starts over instead of growing with the run: at the
 * latest when it reaches 4,000 pages the writer catches up itself. Every
 * row is in the database, and it is sound. */
static void test_background_checkpoints(void **state)
{
	(void)state;
	enum { N = 5000, PER_TX = 40, PAD = 90000 };
	static const char *names[N];
	static char buf[N][32];
	for (size_t i = 0; i < N; i++) {
		snprintf(buf[i], sizeof(buf[i]), "d%zu.example", i);
		names[i] = buf[i];
	}
	struct store *s = open_db("ckpt.db");
	int64_t run = new_run(s, "ckpt", names, N);
	/* One result a page (64 KiB) once compressed: random base64 text
	 * (6 bits a byte), so N pages are more than the 4,000 at which the
	 * writer must catch up if the thread has not. */
	static const char b64[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *json = malloc(PAD + 16);
	assert_non_null(json);
	int len = snprintf(json, PAD + 16, "{\"pad\":\"%0*d\"}", PAD, 0);
	uint64_t x = 88172645463325252u;
	for (int i = 8; i < 8 + PAD; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		json[i] = b64[x & 63];
	}
	assert_int_equal(store_checkpoints_start(s), 1);
	assert_int_equal(store_checkpoints_start(s), 0); /* running already */
	for (size_t i = 0; i < N; i += PER_TX) {
		assert_int_equal(store_begin(s), 0);
		for (size_t k = i; k < i + PER_TX && k < N; k++) {
			struct store_result r;
			memset(&r, 0, sizeof(r));
			r.domain_id = (int64_t)k + 1;
			r.scanned_at = "2026-12-04T00:00:00Z";
			r.spf_status = "ok";
			r.spf_lookups = r.spf_void = r.dmarc_pct = r.bimi_eligible = -1;
			r.conclusive = true;
			r.json = json;
			r.json_len = (size_t)len;
			assert_int_equal(store_result_put(s, run, &r), 0);
		}
		assert_int_equal(store_commit(s), 0);
	}
	struct store_checkpoint_stats st;
	store_checkpoints_stop(s, &st);
	assert_true(st.frames_written >= N);
	/* Started over at least once, and never much past the bound (one
	 * transaction's pages, a few more for the indexes). */
	assert_true(st.tails + st.catch_ups >= 1);
	assert_true(st.max_wal_frames <= 4000 + 2 * PER_TX);
	assert_true(st.max_wal_frames < (int)st.frames_written);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM results WHERE run_id = ?1", run), N);
	assert_int_equal(store_scalar(s,
	                              "SELECT count(*) FROM results WHERE length(body) > ?1"
	                              " AND json IS NULL",
	                              PAD / 2),
	                 N);
	char msg[64];
	assert_int_equal(store_integrity(s, msg, sizeof(msg)), 0);
	store_checkpoints_stop(s, NULL); /* stopped already: nothing to do */
	store_close(s);
	free(json);
}

/* Two stores of one process: the claim is per open file (OFD lock), so
 * the second is refused, naming this process; a reader is not. */
static void test_claim_one_writer(void **state)
{
	(void)state;
	static const char *const names[] = { "a.example", "b.example" };
	char err[512], path[128], want[64];
	snprintf(path, sizeof(path), "%s/claim.db", dir);
	struct store *a = open_db("claim.db");
	assert_int_equal(store_claim_writer(a, err, sizeof(err)), 0);
	assert_int_equal(store_claim_writer(a, err, sizeof(err)), 0); /* held already */
	new_run(a, "claimed", names, 2);
	struct store *b = open_db("claim.db");
	assert_int_equal(store_claim_writer(b, err, sizeof(err)), STORE_CLAIM_BUSY);
	snprintf(want, sizeof(want), "(pid %lld on ", (long long)getpid());
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "is being written by another posture command"));
	struct store *r = store_open_ro(path, err, sizeof(err));
	assert_non_null(r);
	assert_string_equal(err, ""); /* the directory is writable: no fallback */
	assert_int_equal(store_scalar(r, "SELECT count(*) FROM run_domains WHERE ?1 = ?1", 0), 2);
	/* A read-only store writes nothing and claims nothing. */
	assert_int_not_equal(store_begin(r), 0);
	assert_int_equal(store_claim_writer(r, err, sizeof(err)), -1);
	store_close(r);
	store_close(a); /* releases it */
	assert_int_equal(store_claim_writer(b, err, sizeof(err)), 0);
	store_close(b);
}

/* A claim held by another process refuses this one; when that process
 * is killed (SIGKILL: no store_close) the kernel drops it. */
static void test_claim_released_on_kill(void **state)
{
	(void)state;
	int fds[2];
	char err[512], path[128], want[64], c = 0;
	snprintf(path, sizeof(path), "%s/kill.db", dir);
	store_close(open_db("kill.db")); /* created and migrated before the fork */
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *s = store_open(path, err, sizeof(err));
		c = s != NULL && store_claim_writer(s, err, sizeof(err)) == 0 ? 'y' : 'n';
		if (write(fds[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	assert_int_equal(c, 'y');
	struct store *s = open_db("kill.db");
	assert_int_equal(store_claim_writer(s, err, sizeof(err)), STORE_CLAIM_BUSY);
	snprintf(want, sizeof(want), "(pid %lld on ", (long long)pid);
	assert_non_null(strstr(err, want));
	struct store *r = store_open_ro(path, err, sizeof(err));
	assert_non_null(r); /* readers unaffected */
	assert_int_equal(store_scalar(r, "SELECT count(*) FROM runs WHERE ?1 = ?1", 0), 0);
	store_close(r);
	kill(pid, SIGKILL);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(store_claim_writer(s, err, sizeof(err)), 0);
	store_close(s);
}

/* Runs fn in a child as an unprivileged user (nobody, when the tests run
 * as root, who would bypass every permission check); 0 when it passed,
 * 77 when the child cannot reach the test directory as that user (a
 * private TMPDIR), else the number of the check that failed. */
static int as_other_user(int (*fn)(const char *path), const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(77);
		_exit(access(path, R_OK) != 0 ? 77 : fn(path));
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 99;
	return WEXITSTATUS(status);
}

/* The reported failure: another user's database, closed (no -wal, no
 * -shm), in a directory this user cannot write (0555, the file 0444). As
 * root the child drops to nobody, so the kernel's checks apply; the
 * immutable fallback runs for real (the note says so). Not covered: the
 * refusal of that fallback while a writer holds the claim with no -shm. */
static int read_closed(const char *path)
{
	char msg[1024];
	struct store *w = store_open(path, msg, sizeof(msg));
	if (w != NULL)
		return 1; /* the old open must fail here, or this test tests nothing */
	struct store *s = store_open_ro(path, msg, sizeof(msg));
	if (s == NULL)
		return 2;
	if (strstr(msg, "read as an immutable file") == NULL)
		return 3;
	if (store_scalar(s, "SELECT count(*) FROM run_domains WHERE ?1 = ?1", 0) != 2)
		return 4;
	if (store_begin(s) == 0)
		return 5;
	store_close(s);
	return 0;
}

/* The same database while its owner's writer has it open: the reader uses
 * the writer's WAL index read-only (no fallback, no note) and sees what
 * the writer committed into the WAL. */
static int read_beside_writer(const char *path)
{
	char msg[1024];
	struct store *s = store_open_ro(path, msg, sizeof(msg));
	if (s == NULL)
		return 11;
	if (msg[0] != '\0')
		return 12;
	if (store_scalar(s, "SELECT count(*) FROM run_domains WHERE ?1 = ?1", 0) != 4)
		return 13;
	store_close(s);
	return 0;
}

static void test_read_only_dir(void **state)
{
	(void)state;
	static const char *const names[] = { "a.example", "b.example" };
	static const char *const more[] = { "c.example", "d.example" };
	char sub[96], path[128], err[512];
	snprintf(sub, sizeof(sub), "%s/ro", dir);
	snprintf(path, sizeof(path), "%s/ro/x.db", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	struct store *s = store_open(path, err, sizeof(err));
	assert_non_null(s);
	new_run(s, "ro", names, 2);
	store_close(s); /* the last connection: SQLite removes -wal and -shm */
	char shm[140];
	snprintf(shm, sizeof(shm), "%s-shm", path);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_not_equal(access(shm, F_OK), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chmod(sub, 0555), 0);
	assert_int_equal(chmod(path, 0444), 0);
	int rc = as_other_user(read_closed, path);
	if (rc != 77) {
		assert_int_equal(rc, 0);
		/* Now its owner writes (and holds the claim) while the other
		 * user reads. */
		assert_int_equal(chmod(sub, 0755), 0);
		assert_int_equal(chmod(path, 0644), 0);
		s = store_open(path, err, sizeof(err));
		assert_non_null(s);
		assert_int_equal(store_claim_writer(s, err, sizeof(err)), 0);
		new_run(s, "more", more, 2);
		assert_int_equal(chmod(sub, 0555), 0);
		assert_int_equal(as_other_user(read_beside_writer, path), 0);
		store_close(s);
	}
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(chmod(dir, 0700), 0);
	if (rc == 77)
		skip();
}

/* What the read-only open refuses: no schema (not posture's), a newer one. */
static void test_read_only_refusals(void **state)
{
	(void)state;
	char path[128], msg[512];
	snprintf(path, sizeof(path), "%s/none.db", dir);
	assert_null(store_open_ro(path, msg, sizeof(msg))); /* never creates it */
	assert_int_not_equal(access(path, F_OK), 0);
	struct store *s = open_db("newer.db");
	store_scalar(s, "PRAGMA user_version = 99", 0);
	store_close(s);
	snprintf(path, sizeof(path), "%s/newer.db", dir);
	assert_null(store_open_ro(path, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "upgrade posture"));
	snprintf(path, sizeof(path), "%s/empty.db", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_null(store_open_ro(path, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "not a posture database"));
}

/* Puts a result with its own JSON. */
static int put_json(struct store *s, int64_t run, int64_t domain_id, const char *dmarc,
                    bool conclusive, const char *json)
{
	return put_full(s, run, domain_id, "2026-12-01T00:00:00Z", dmarc, conclusive, json);
}

static int64_t domain_id(struct store *s, const char *name)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT id FROM domains WHERE name = '%s' AND ?1 = ?1", name);
	return store_scalar(s, sql, 0);
}

/* The result of a run and domain: "result_id reference json". */
struct one_row {
	const char *domain;
	char out[512];
};

static int find_row(void *arg, const struct store_row *row)
{
	struct one_row *o = arg;
	if (strcmp(row->domain, o->domain) == 0)
		snprintf(o->out, sizeof(o->out), "%lld %d %s", (long long)row->result_id,
		         row->reference, row->r.json);
	return 0;
}

static const char *row_of(struct store *s, int64_t run, const char *domain, struct one_row *o)
{
	memset(o, 0, sizeof(*o));
	o->domain = domain;
	assert_int_equal(store_results_each(s, run, find_row, o), 0);
	return o->out;
}

#define JSON_A  "{\"domain\":\"a.example\",\"dmarc\":{\"policy\":\"reject\"}}"
#define JSON_A2 "{\"domain\":\"a.example\",\"dmarc\":{\"policy\":\"quarantine\"}}"
#define JSON_B  "{\"domain\":\"b.example\",\"spf\":{\"status\":\"none\"}}"

/* Night after night: an unchanged result is a reference to the first
 * night's row (no new row, no findings copied), read back with its JSON;
 * a change is a new row; an inconclusive night is stored in full and the
 * next conclusive night refers to the newest conclusive result. */
static void test_references(void **state)
{
	static const char *const domains[] = { "a.example", "b.example" };
	(void)state;
	struct store *s = open_db("refs.db");
	int64_t run[5];
	for (int i = 0; i < 5; i++)
		run[i] = new_run(s, "nightly", domains, 2);
	int64_t a = domain_id(s, "a.example"), b = domain_id(s, "b.example");
	struct one_row o;

	assert_int_equal(put_json(s, run[0], a, "ok", true, JSON_A), 0);
	assert_int_equal(put_json(s, run[0], b, "none", true, JSON_B), 0);
	assert_int_equal(put_json(s, run[1], a, "ok", true, JSON_A), 0);
	assert_int_equal(put_json(s, run[1], b, "none", true, JSON_B), 0);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM results WHERE ?1 = ?1", 0), 2);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM findings WHERE ?1 = ?1", 0), 2);
	assert_int_equal(store_scalar(s,
	                              "SELECT count(*) FROM run_results WHERE run_id = ?1"
	                              " AND reference = 1",
	                              run[1]),
	                 2);
	int64_t first_a = store_scalar(s, "SELECT id FROM results WHERE domain_id = ?1", a);
	char want[512];
	snprintf(want, sizeof(want), "%lld 1 %s", (long long)first_a, JSON_A);
	assert_string_equal(row_of(s, run[1], "a.example", &o), want);
	snprintf(want, sizeof(want), "%lld 0 %s", (long long)first_a, JSON_A);
	assert_string_equal(row_of(s, run[0], "a.example", &o), want);

	/* Night 3: a changes (same columns, other JSON); b does not. */
	assert_int_equal(put_json(s, run[2], a, "ok", true, JSON_A2), 0);
	assert_int_equal(put_json(s, run[2], b, "none", true, JSON_B), 0);
	int64_t third_a = store_scalar(s,
	                               "SELECT id FROM results WHERE run_id = ?1"
	                               " AND domain_id = (SELECT id FROM domains"
	                               " WHERE name = 'a.example')",
	                               run[2]);
	assert_true(third_a > first_a);
	/* Night 4: a cannot be checked; night 5: a as on night 3. */
	assert_int_equal(put_json(s, run[3], a, "temperror", false, "{\"domain\":\"a.example\"}"),
	                 0);
	assert_int_equal(put_json(s, run[4], a, "ok", true, JSON_A2), 0);
	snprintf(want, sizeof(want), "%lld 1 %s", (long long)third_a, JSON_A2);
	assert_string_equal(row_of(s, run[4], "a.example", &o), want);
	/* Back to night 1's JSON would be a new row: only the newest
	 * conclusive result is compared. */
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM results WHERE domain_id = ?1", a),
	                 3);
	assert_int_equal(store_scalar(s,
	                              "SELECT newer_inconclusive = 0 AND run_id = ?1"
	                              " FROM latest_results WHERE domain = 'a.example'",
	                              run[4]),
	                 1);
	struct store_body_stats bs;
	store_body_stats(s, &bs);
	assert_int_equal(bs.full, 4);
	assert_int_equal(bs.references, 4);
	struct store_check c;
	assert_int_equal(store_check_results(s, &c), 0);
	if (c.bad != 0)
		fail_msg("%s", c.first);
	assert_int_equal(c.rows, 8);
	assert_int_equal(c.references, 4);
	assert_int_equal(c.results, 4);
	store_close(s);
}

/* Prune: old runs lose their results but keep their row and statistics;
 * a result a kept run refers to stays; the newest finished run and, with
 * keep_monthly, each month's last finished run are kept. */
static int collect_ids(void *arg, const struct store_run *r)
{
	int64_t *ids = arg;
	ids[ids[0] + 1] = r->id;
	ids[0]++;
	return 0;
}

static void test_prune(void **state)
{
	static const char *const domains[] = { "a.example", "b.example" };
	static const char *const started[] = { "2026-01-05T00:00:00Z", "2026-01-20T00:00:00Z",
		                               "2026-02-03T00:00:00Z", "2026-02-04T00:00:00Z" };
	(void)state;
	struct store *s = open_db("prune.db");
	int64_t run[4];
	for (int i = 0; i < 4; i++) {
		run[i] = new_run(s, "nightly", domains, 2);
		int64_t a = domain_id(s, "a.example"), b = domain_id(s, "b.example");
		assert_int_equal(put_json(s, run[i], a, "ok", true, JSON_A), 0);
		assert_int_equal(
		        put_json(s, run[i], b, "none", true, i == 1 ? JSON_B : "{\"b\":1}"), 0);
		assert_int_equal(store_run_recount(s, run[i]), 0);
		assert_int_equal(store_run_set_state(s, run[i], STORE_RUN_FINISHED), 0);
		char sql[160];
		snprintf(sql, sizeof(sql), "UPDATE runs SET started = '%s' WHERE id = ?1",
		         started[i]);
		store_scalar(s, sql, run[i]);
	}
	int64_t ids[8] = { 0 };
	/* Every run is older than 30 days; keep_monthly keeps January's and
	 * February's last, and the newest finished is February's last. */
	assert_int_equal(store_prune_each(s, 30, true, collect_ids, ids), 0);
	assert_int_equal(ids[0], 2);
	assert_int_equal(ids[1], run[0]);
	assert_int_equal(ids[2], run[2]);
	memset(ids, 0, sizeof(ids));
	assert_int_equal(store_prune_each(s, 30, false, collect_ids, ids), 0);
	assert_int_equal(ids[0], 3);
	assert_int_equal(store_prune_each(s, 100000, false, collect_ids, ids), 0);
	assert_int_equal(ids[0], 3); /* nothing that recent */

	int64_t removed;
	assert_int_equal(store_begin(s), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_run_stats_put(s, run[i], "posture-stats 1\nunits 2 2 2\n"),
		                 0);
		assert_int_equal(store_prune_run(s, run[i]), 0);
	}
	assert_int_equal(store_prune_orphans(s, &removed), 0);
	assert_int_equal(store_commit(s), 0);
	/* a's result of run 1 stays (run 4 refers to it); b's of runs 1-3
	 * go (b changed on run 2, and run 4 has its own). */
	assert_int_equal(removed, 2);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM results WHERE ?1 = ?1", 0), 2);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM findings WHERE ?1 = ?1", 0), 2);
	struct one_row o;
	assert_non_null(strstr(row_of(s, run[3], "a.example", &o), JSON_A));
	struct store_run r;
	assert_int_equal(store_run_get(s, run[0], &r), 1);
	assert_true(r.pruned_at[0] != '\0');
	char *text = NULL;
	assert_int_equal(store_run_stats_get(s, run[1], &text), 1);
	assert_string_equal(text, "posture-stats 1\nunits 2 2 2\n");
	free(text);
	assert_int_equal(store_run_stats_get(s, run[3], &text), 0);
	struct store_check c;
	assert_int_equal(store_check_results(s, &c), 0);
	if (c.bad != 0)
		fail_msg("%s", c.first);
	assert_int_equal(c.rows, 2);
	store_close(s);
}

/* db check finds a dangling reference, another domain's result and a
 * body that does not decompress. */
static void test_check_detects(void **state)
{
	static const char *const domains[] = { "a.example", "b.example" };
	(void)state;
	struct store *s = open_db("check.db");
	int64_t r1 = new_run(s, "n", domains, 2), r2 = new_run(s, "n", domains, 2);
	int64_t a = domain_id(s, "a.example"), b = domain_id(s, "b.example");
	assert_int_equal(put_json(s, r1, a, "ok", true, JSON_A), 0);
	assert_int_equal(put_json(s, r1, b, "ok", true, JSON_B), 0);
	assert_int_equal(put_json(s, r2, a, "ok", true, JSON_A), 0);
	assert_int_equal(put_json(s, r2, b, "ok", true, JSON_B), 0);
	struct store_check c;
	assert_int_equal(store_check_results(s, &c), 0);
	if (c.bad != 0)
		fail_msg("%s", c.first);

	store_scalar(s, "UPDATE run_domains SET result = 999 WHERE run_id = ?1 AND domain_id = 1",
	             r2);
	assert_int_equal(store_check_results(s, &c), 0);
	assert_int_equal(c.bad, 1);
	assert_non_null(strstr(c.first, "result that does not exist"));

	store_scalar(s,
	             "UPDATE run_domains SET result = (SELECT id FROM results WHERE domain_id = 2)"
	             " WHERE run_id = ?1 AND domain_id = 1",
	             r2);
	assert_int_equal(store_check_results(s, &c), 0);
	assert_non_null(strstr(c.first, "another domain's result"));

	store_scalar(s,
	             "UPDATE run_domains SET result = (SELECT id FROM results WHERE domain_id = 1)"
	             " WHERE run_id = ?1 AND domain_id = 1",
	             r2);
	store_scalar(s, "UPDATE results SET body = x'28b52ffd00' WHERE domain_id = ?1", b);
	assert_int_equal(store_check_results(s, &c), 0);
	assert_int_equal(c.bad, 1);
	assert_non_null(strstr(c.first, "does not decompress"));
	store_close(s);
}

/* The same shard merged on two nights: the second night's results are
 * references in the merged database too. */
static void test_merge_references(void **state)
{
	static const char *const one[] = { "a.example", "b.example" };
	(void)state;
	char p1[128], err[256];
	snprintf(p1, sizeof(p1), "%s/night.db", dir);
	struct store *out = open_db("history.db");
	for (int night = 0; night < 2; night++) {
		unlink(p1);
		struct store *s = open_db("night.db");
		int64_t run = new_run(s, "nightly", one, 2);
		assert_int_equal(put_json(s, run, domain_id(s, "a.example"), "ok", true, JSON_A),
		                 0);
		assert_int_equal(put_json(s, run, domain_id(s, "b.example"), "ok", true,
		                          night ? JSON_B : "{\"b\":0}"),
		                 0);
		assert_int_equal(store_run_set_state(s, run, STORE_RUN_FINISHED), 0);
		store_close(s);
		const char *const src[] = { p1 };
		int64_t merged;
		if (store_merge(out, src, 1, &merged, err, sizeof(err)) != 0)
			fail_msg("merge: %s", err);
	}
	assert_int_equal(store_scalar(out, "SELECT count(*) FROM results WHERE ?1 = ?1", 0), 3);
	assert_int_equal(store_scalar(out,
	                              "SELECT count(*) FROM run_results WHERE run_id = ?1"
	                              " AND reference = 1",
	                              2),
	                 1);
	struct one_row o;
	assert_non_null(strstr(row_of(out, 2, "b.example", &o), JSON_B));
	struct store_check c;
	assert_int_equal(store_check_results(out, &c), 0);
	assert_int_equal(c.bad, 0);
	store_close(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_migrate_from_1),
		cmocka_unit_test(test_work_list),
		cmocka_unit_test(test_temperror_keeps_good),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_check_detects),
		cmocka_unit_test(test_merge_references),
		cmocka_unit_test(test_background_checkpoints),
		cmocka_unit_test(test_claim_one_writer),
		cmocka_unit_test(test_claim_released_on_kill),
		cmocka_unit_test(test_read_only_dir),
		cmocka_unit_test(test_read_only_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
