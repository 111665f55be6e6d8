/*
 * Unit tests of the store's transport columns (schema 8, issue 24):
 * mta_sts_status, mta_sts_mx_covered, tls_rpt_status, dnssec_status and
 * dane_status. A database of schema 7, made by the real migrations 0-6
 * with rows in it, is migrated and keeps its rows (the new columns NULL,
 * the views showing them); a result's columns are stored and read back
 * (results, run_results, latest_results, store_results_each); a result
 * that differs only in one of them is a new row, an equal one a
 * reference; a merge carries them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "store_impl.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/storetr.XXXXXX", tmp ? tmp : "/tmp");
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

static int64_t new_run(struct store *s, const char *const *domains, size_t n)
{
	struct store_run r;
	memset(&r, 0, sizeof(r));
	snprintf(r.label, sizeof(r.label), "nightly");
	snprintf(r.list, sizeof(r.list), "test");
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_run_create(s, &r), 0);
	for (size_t i = 0; i < n; i++) {
		struct list_entry e;
		bool added;
		memset(&e, 0, sizeof(e));
		snprintf(e.domain, sizeof(e.domain), "%s", domains[i]);
		assert_int_equal(store_run_add(s, r.id, &e, &added), 0);
	}
	assert_int_equal(store_run_recount(s, r.id), 0);
	assert_int_equal(store_run_set_state(s, r.id, STORE_RUN_RUNNING), 0);
	assert_int_equal(store_commit(s), 0);
	return r.id;
}

static int64_t domain_id(struct store *s, const char *name)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT id FROM domains WHERE name = '%s' AND ?1 = ?1", name);
	return store_scalar(s, sql, 0);
}

/* The transport statuses of one result (NULL: not checked). */
struct tr {
	const char *mta_sts;
	int covered;
	const char *tls_rpt, *dnssec, *dane;
};

static int put_tr(struct store *s, int64_t run, int64_t domain, const struct tr *t)
{
	struct store_result r;
	memset(&r, 0, sizeof(r));
	r.domain_id = domain;
	r.scanned_at = "2026-12-07T01:00:00Z";
	r.spf_status = "ok";
	r.spf_lookups = 1;
	r.spf_void = 0;
	r.dmarc_status = "ok";
	r.dmarc_pct = -1;
	r.bimi_eligible = -1;
	r.dkim_min_bits = -1;
	r.mta_sts_status = t->mta_sts;
	r.mta_sts_mx_covered = t->covered;
	r.tls_rpt_status = t->tls_rpt;
	r.dnssec_status = t->dnssec;
	r.dane_status = t->dane;
	r.conclusive = true;
	r.json = "{\"domain\":\"x\"}";
	assert_int_equal(store_begin(s), 0);
	int rc = store_result_put(s, run, &r);
	assert_int_equal(rc == 0 ? store_commit(s) : store_rollback(s), 0);
	return rc;
}

/* One row of a walk, as "mta_sts/covered/tls_rpt/dnssec/dane dkim", NULL
 * written as "-". */
struct got {
	const char *domain;
	char text[160];
	bool reference;
};

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

static int find(void *arg, const struct store_row *row)
{
	struct got *g = arg;
	if (strcmp(row->domain, g->domain) != 0)
		return 0;
	snprintf(g->text, sizeof(g->text), "%s/%d/%s/%s/%s %s", or_dash(row->r.mta_sts_status),
	         row->r.mta_sts_mx_covered, or_dash(row->r.tls_rpt_status),
	         or_dash(row->r.dnssec_status), or_dash(row->r.dane_status),
	         or_dash(row->r.dkim_status));
	g->reference = row->reference;
	return 0;
}

static const char *row_of(struct store *s, int64_t run, const char *domain, struct got *g)
{
	memset(g, 0, sizeof(*g));
	g->domain = domain;
	assert_int_equal(store_results_each(s, run, find, g), 0);
	return g->text;
}

/* Schema 7 as posture made it (migrations 0 to 6, the code of this
 * posture), with a finished run of two results stored as a scan of
 * schema 7 stored them (compressed bodies are not needed: plain json). */
static void make_v7(const char *path)
{
	sqlite3 *db;
	char *msg = NULL;
	assert_true(store_nmigrations >= 8);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t k = 0; k < 7; k++)
		if (sqlite3_exec(db, store_migrations[k], NULL, NULL, &msg) != SQLITE_OK)
			fail_msg("migration %zu: %s", k, msg);
	static const char rows[] =
	        "INSERT INTO runs(id, label, list, options, tool_version, started, finished_at,"
	        " state, total, done) VALUES(1, 'old', 'list', '', 'v7',"
	        " '2026-12-01T00:00:00Z', '2026-12-01T00:01:00Z', 'finished', 2, 2);"
	        "INSERT INTO domains(id, name) VALUES(1, 'a.example'), (2, 'b.example');"
	        "INSERT INTO results(id, run_id, domain_id, scanned_at, spf_status, dmarc_status,"
	        " conclusive, json, dkim_status, dkim_min_bits) VALUES"
	        " (1, 1, 1, '2026-12-01T00:00:10Z', 'ok', 'ok', 1, '{\"domain\":\"a.example\"}',"
	        "  'found', 2048),"
	        " (2, 1, 2, '2026-12-01T00:00:20Z', 'none', 'none', 1, "
	        "'{\"domain\":\"b.example\"}',"
	        "  NULL, NULL);"
	        "INSERT INTO run_domains(run_id, domain_id, position, list, result) VALUES"
	        " (1, 1, 1, 'l', 1), (1, 2, 2, 'l', 2);"
	        "PRAGMA user_version = 7;";
	if (sqlite3_exec(db, rows, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("fixture: %s", msg);
	/* Schema 7 has none of the columns. */
	assert_int_equal(sqlite3_exec(db, "SELECT mta_sts_status FROM results", NULL, NULL, NULL),
	                 SQLITE_ERROR);
	sqlite3_close(db);
}

static void test_migrate_from_7(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/v7.db", dir);
	make_v7(path);

	struct store *s = open_db("v7.db");
	assert_int_equal(STORE_SCHEMA_VERSION, 8);
	assert_int_equal(store_scalar(s, "PRAGMA user_version", 0), 8);
	/* The rows are kept, the new columns NULL in the table and both views. */
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM results WHERE ?1 = ?1", 0), 2);
	assert_int_equal(store_scalar(s,
	                              "SELECT count(*) FROM run_results WHERE run_id = ?1"
	                              " AND mta_sts_status IS NULL AND mta_sts_mx_covered IS NULL"
	                              " AND tls_rpt_status IS NULL AND dnssec_status IS NULL"
	                              " AND dane_status IS NULL",
	                              1),
	                 2);
	assert_int_equal(store_scalar(s,
	                              "SELECT count(*) FROM latest_results WHERE run_id = ?1"
	                              " AND dane_status IS NULL AND dnssec_status IS NULL",
	                              1),
	                 2);
	assert_int_equal(
	        store_scalar(s, "SELECT dkim_min_bits FROM run_results WHERE domain_id = ?1", 1),
	        2048);
	struct got g;
	assert_string_equal(row_of(s, 1, "a.example", &g), "-/-1/-/-/- found");
	assert_string_equal(row_of(s, 1, "b.example", &g), "-/-1/-/-/- -");
	struct store_check c;
	assert_int_equal(store_check_results(s, &c), 0);
	if (c.bad != 0)
		fail_msg("%s", c.first);
	assert_int_equal(c.rows, 2);

	/* The next night, with the transport checks: stored and shown. */
	static const char *const domains[] = { "a.example", "b.example" };
	int64_t run = new_run(s, domains, 2);
	const struct tr ta = { "enforce", 1, "ok", "secure", "dane" };
	const struct tr tb = { "testing", 0, "invalid", "bogus", "partial" };
	assert_int_equal(put_tr(s, run, 1, &ta), 0);
	assert_int_equal(put_tr(s, run, 2, &tb), 0);
	assert_string_equal(row_of(s, run, "a.example", &g), "enforce/1/ok/secure/dane -");
	assert_string_equal(row_of(s, run, "b.example", &g), "testing/0/invalid/bogus/partial -");
	assert_int_equal(store_scalar(s,
	                              "SELECT count(*) FROM latest_results WHERE run_id = ?1"
	                              " AND ((domain = 'a.example' AND mta_sts_status = 'enforce'"
	                              "  AND mta_sts_mx_covered = 1 AND tls_rpt_status = 'ok'"
	                              "  AND dnssec_status = 'secure' AND dane_status = 'dane')"
	                              " OR (domain = 'b.example' AND mta_sts_status = 'testing'"
	                              "  AND mta_sts_mx_covered = 0 AND tls_rpt_status = 'invalid'"
	                              "  AND dnssec_status = 'bogus' AND dane_status = 'partial'))",
	                              run),
	                 2);
	assert_int_equal(store_check_results(s, &c), 0);
	assert_int_equal(c.bad, 0);
	store_close(s);
}

/* A result equal to the domain's newest conclusive one is a reference;
 * one that differs only in a transport column is a new row. A result
 * without an MTA-STS status stores no MX coverage, whatever the field
 * holds (0 in a result built with memset). */
static void test_references(void **state)
{
	static const char *const domains[] = { "a.example" };
	(void)state;
	struct store *s = open_db("refs.db");
	int64_t run[9];
	for (int i = 0; i < 9; i++)
		run[i] = new_run(s, domains, 1);
	int64_t a = domain_id(s, "a.example");
	struct tr t = { "enforce", 1, "ok", "secure", "dane" };
	struct got g;

	assert_int_equal(put_tr(s, run[0], a, &t), 0);
	assert_int_equal(put_tr(s, run[1], a, &t), 0); /* the same: a reference */
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM results WHERE ?1 = ?1", 0), 1);
	row_of(s, run[1], "a.example", &g);
	assert_true(g.reference);
	assert_string_equal(g.text, "enforce/1/ok/secure/dane -");

	/* Night after night one column changes, and each makes a new row. */
	t.covered = 0;
	assert_int_equal(put_tr(s, run[2], a, &t), 0);
	t.dnssec = "bogus";
	assert_int_equal(put_tr(s, run[3], a, &t), 0);
	t.tls_rpt = NULL;
	assert_int_equal(put_tr(s, run[4], a, &t), 0);
	t.dane = "partial";
	assert_int_equal(put_tr(s, run[5], a, &t), 0);
	t.mta_sts = "testing";
	assert_int_equal(put_tr(s, run[6], a, &t), 0);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM results WHERE ?1 = ?1", 0), 6);
	assert_string_equal(row_of(s, run[2], "a.example", &g), "enforce/0/ok/secure/dane -");
	assert_string_equal(row_of(s, run[3], "a.example", &g), "enforce/0/ok/bogus/dane -");
	assert_string_equal(row_of(s, run[4], "a.example", &g), "enforce/0/-/bogus/dane -");
	assert_false(g.reference);
	assert_string_equal(row_of(s, run[6], "a.example", &g), "testing/0/-/bogus/partial -");

	/* Not checked: NULL, and no coverage without a status. */
	const struct tr none = { NULL, 0, NULL, NULL, NULL };
	assert_int_equal(put_tr(s, run[7], a, &none), 0);
	assert_string_equal(row_of(s, run[7], "a.example", &g), "-/-1/-/-/- -");
	assert_int_equal(store_scalar(s,
	                              "SELECT count(*) FROM run_results WHERE run_id = ?1"
	                              " AND mta_sts_mx_covered IS NULL",
	                              run[7]),
	                 1);
	/* ... and equal to it again: a reference (NULL equals NULL). */
	assert_int_equal(put_tr(s, run[8], a, &none), 0);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM results WHERE ?1 = ?1", 0), 7);
	struct store_check c;
	assert_int_equal(store_check_results(s, &c), 0);
	assert_int_equal(c.bad, 0);
	assert_int_equal(c.references, 2);
	store_close(s);
}

/* A shard's transport columns come along in a merge, and a second merge
 * of the same results is a reference in the target. */
static void test_merge(void **state)
{
	static const char *const one[] = { "a.example", "b.example" };
	(void)state;
	char p1[128], err[256];
	snprintf(p1, sizeof(p1), "%s/shard.db", dir);
	struct store *out = open_db("merged.db");
	int64_t merged = 0;
	for (int night = 0; night < 2; night++) {
		unlink(p1);
		struct store *s = open_db("shard.db");
		int64_t run = new_run(s, one, 2);
		const struct tr ta = { "enforce", 0, "temperror", "insecure", "unusable" };
		const struct tr tb = { "missing", -1, "none", "indeterminate", "none" };
		assert_int_equal(put_tr(s, run, domain_id(s, "a.example"), &ta), 0);
		assert_int_equal(put_tr(s, run, domain_id(s, "b.example"), &tb), 0);
		assert_int_equal(store_run_set_state(s, run, STORE_RUN_FINISHED), 0);
		store_close(s);
		const char *const src[] = { p1 };
		if (store_merge(out, src, 1, &merged, err, sizeof(err)) != 0)
			fail_msg("merge: %s", err);
	}
	struct got g;
	assert_string_equal(row_of(out, merged, "a.example", &g),
	                    "enforce/0/temperror/insecure/unusable -");
	assert_true(g.reference);
	assert_string_equal(row_of(out, merged, "b.example", &g),
	                    "missing/-1/none/indeterminate/none -");
	assert_int_equal(store_scalar(out, "SELECT count(*) FROM results WHERE ?1 = ?1", 0), 2);
	store_close(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_from_7),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
