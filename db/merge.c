/*
 * merge.c — store_merge / store_merge_as (store.h): the newest run of each
 * shard database copied into one run. Bodies are copied as they are
 * (dictionaries matched by name), and a result equal to the domain's
 * newest conclusive one in the target becomes a reference there too, so
 * nightly shards merged into one history cost what one scan would.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store_impl.h"

static const char *const merge_steps[] = {
	"INSERT INTO domains(name, company, code, sector)"
	" SELECT name, company, code, sector FROM src.domains WHERE true"
	" ON CONFLICT(name) DO UPDATE SET"
	" company = coalesce(excluded.company, company),"
	" code = coalesce(excluded.code, code),"
	" sector = coalesce(excluded.sector, sector)",
	/* Dictionaries by name: a name is one dictionary's bytes. */
	"INSERT OR IGNORE INTO zdicts(name, dict) SELECT name, dict FROM src.zdicts",
	/* Domains by name (ids differ between databases); positions follow on
	 * after what the run holds already. */
	"INSERT OR IGNORE INTO run_domains(run_id, domain_id, position, list)"
	" SELECT ?1, d.id, ?3 + sd.position, sd.list"
	" FROM src.run_domains sd JOIN src.domains s ON s.id = sd.domain_id"
	" JOIN domains d ON d.name = s.name WHERE sd.run_id = ?2",
};

/* The source's results of its run, with the target's domain and
 * dictionary ids. */
#define SRC_ROWS                                                                                   \
	"SELECT d.id, r.scanned_at, r.spf_status, r.spf_all, r.spf_lookups,"                       \
	" r.spf_void_lookups, r.spf_error, r.dmarc_status, r.dmarc_policy,"                        \
	" r.dmarc_subdomain_policy, r.dmarc_pct, r.dmarc_enforcement, r.bimi_status,"              \
	" r.vmc_status, r.bimi_eligible, r.mx, r.a, r.conclusive, r.json, r.body,"                 \
	" coalesce(dz.id, 0), r.zdict IS NOT NULL AND dz.id IS NULL, r.run_id, r.domain_id,"       \
	" coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', sd.checked_at, 'unixepoch'), r.scanned_at),"     \
	" r.facts, r.dkim_status, r.dkim_selectors, r.dkim_min_bits, r.mta_sts_status,"            \
	" r.mta_sts_mx_covered, r.tls_rpt_status, r.dnssec_status, r.dane_status"                  \
	" FROM src.run_domains sd JOIN src.results r ON r.id = sd.result"                          \
	" JOIN src.domains s ON s.id = sd.domain_id JOIN domains d ON d.name = s.name"             \
	" LEFT JOIN src.zdicts sz ON sz.id = r.zdict LEFT JOIN zdicts dz ON dz.name = sz.name"     \
	" WHERE sd.run_id = ?1 AND NOT EXISTS (SELECT 1 FROM run_domains x"                        \
	"  WHERE x.run_id = ?2 AND x.domain_id = d.id AND x.result IS NOT NULL)"                   \
	" ORDER BY sd.position"

static int int_or_minus(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int(st, i);
}

static void src_result(sqlite3_stmt *st, struct store_result *r)
{
	memset(r, 0, sizeof(*r));
	r->domain_id = sqlite3_column_int64(st, 0);
	r->scanned_at = (const char *)sqlite3_column_text(st, 24);
	r->spf_status = (const char *)sqlite3_column_text(st, 2);
	r->spf_all = (const char *)sqlite3_column_text(st, 3);
	r->spf_lookups = int_or_minus(st, 4);
	r->spf_void = int_or_minus(st, 5);
	r->spf_error = (const char *)sqlite3_column_text(st, 6);
	r->dmarc_status = (const char *)sqlite3_column_text(st, 7);
	r->dmarc_policy = (const char *)sqlite3_column_text(st, 8);
	r->dmarc_subdomain_policy = (const char *)sqlite3_column_text(st, 9);
	r->dmarc_pct = int_or_minus(st, 10);
	r->dmarc_enforcement = (const char *)sqlite3_column_text(st, 11);
	r->bimi_status = (const char *)sqlite3_column_text(st, 12);
	r->vmc_status = (const char *)sqlite3_column_text(st, 13);
	r->bimi_eligible = int_or_minus(st, 14);
	r->mx = (const char *)sqlite3_column_text(st, 15);
	r->a = (const char *)sqlite3_column_text(st, 16);
	r->conclusive = sqlite3_column_int(st, 17) != 0;
	r->dkim_status = (const char *)sqlite3_column_text(st, 26);
	r->dkim_selectors = (const char *)sqlite3_column_text(st, 27);
	r->dkim_min_bits = int_or_minus(st, 28);
	r->mta_sts_status = (const char *)sqlite3_column_text(st, 29);
	r->mta_sts_mx_covered = int_or_minus(st, 30);
	r->tls_rpt_status = (const char *)sqlite3_column_text(st, 31);
	r->dnssec_status = (const char *)sqlite3_column_text(st, 32);
	r->dane_status = (const char *)sqlite3_column_text(st, 33);
}

/* Copies one source row; findings come along when it is a new row. */
static int copy_row(struct store *s, sqlite3_stmt *st, sqlite3_stmt *fnd, int64_t run)
{
	struct store_result r;
	struct store_body b;
	int64_t id = 0;
	bool stored = false;

	src_result(st, &r);
	if (sqlite3_column_int(st, 21) != 0) {
		snprintf(s->err, sizeof(s->err), "a result's dictionary is missing from zdicts");
		return -1;
	}
	if (sqlite3_column_type(st, 19) == SQLITE_BLOB) {
		b.data = sqlite3_column_blob(st, 19);
		b.len = (size_t)sqlite3_column_bytes(st, 19);
		b.zdict = sqlite3_column_int64(st, 20);
		/* Facts go with their body: compressed with its dictionary. */
		b.facts = sqlite3_column_type(st, 25) == SQLITE_BLOB ? sqlite3_column_blob(st, 25)
		                                                     : NULL;
		b.facts_len = (size_t)sqlite3_column_bytes(st, 25);
	} else {
		/* Written before schema 3: plain JSON, compressed now. */
		const char *json = (const char *)sqlite3_column_text(st, 18);
		if (json == NULL)
			json = "{}";
		if (store_compress(s, json, strlen(json), NULL, 0, &b) != 0)
			return -1;
	}
	if (store_put_body(s, run, &r, &b, &id, &stored) != 0)
		return -1;
	if (!stored)
		return 0;
	sqlite3_bind_int64(fnd, 1, run);
	sqlite3_bind_int64(fnd, 2, r.domain_id);
	sqlite3_bind_int64(fnd, 3, sqlite3_column_int64(st, 22));
	sqlite3_bind_int64(fnd, 4, sqlite3_column_int64(st, 23));
	return store_step_done(s, fnd, "copying findings");
}

static int copy_results(struct store *s, int64_t from, int64_t run)
{
	sqlite3_stmt *st = NULL, *fnd = NULL;
	int rc, ret = -1;
	if (sqlite3_prepare_v2(s->db, SRC_ROWS, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
	                       "INSERT INTO findings(run_id, domain_id, check_name, code,"
	                       " severity, path) SELECT ?1, ?2, check_name, code, severity, path"
	                       " FROM src.findings WHERE run_id = ?3 AND domain_id = ?4",
	                       -1, &fnd, NULL) != SQLITE_OK) {
		store_fail(s, "merging");
		goto out;
	}
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (copy_row(s, st, fnd, run) != 0)
			goto out;
	if (rc != SQLITE_DONE) {
		store_fail(s, "merging");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(fnd);
	return ret;
}

static int create_run(struct store *s, int64_t from, int64_t *run)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO runs(label, list, options, tool_version, started,"
	                       " state) SELECT label, list, options || ' (merged)',"
	                       " tool_version, started, 'running' FROM src.runs WHERE id = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "merging");
	sqlite3_bind_int64(st, 1, from);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "merging");
	*run = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* Copies the newest run of the attached database "src" into run (created
 * from it when *run is 0). Inside a transaction. */
static int merge_one(struct store *s, const char *path, int64_t *run)
{
	int64_t v = store_scalar(s, "PRAGMA src.user_version", 0);
	if (v != STORE_SCHEMA_VERSION) {
		snprintf(s->err, sizeof(s->err),
		         "%s has schema %lld, not this posture's %d: open it once with this "
		         "posture (posture db check --db %s)",
		         path, (long long)v, STORE_SCHEMA_VERSION, path);
		return -1;
	}
	int64_t from =
	        store_scalar(s, "SELECT coalesce(max(id), 0) FROM src.runs WHERE ?1 = ?1", 0);
	if (from <= 0) {
		snprintf(s->err, sizeof(s->err), "%s holds no run", path);
		return -1;
	}
	if (*run == 0 && create_run(s, from, run) != 0)
		return -1;
	int64_t base = store_scalar(
	        s, "SELECT coalesce(max(position), 0) FROM run_domains WHERE run_id = ?1", *run);
	for (size_t k = 0; k < sizeof(merge_steps) / sizeof(merge_steps[0]); k++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->db, merge_steps[k], -1, &st, NULL) != SQLITE_OK)
			return store_fail(s, "merging");
		int np = sqlite3_bind_parameter_count(st);
		if (np >= 2) {
			sqlite3_bind_int64(st, 1, *run);
			sqlite3_bind_int64(st, 2, from);
		}
		if (np >= 3)
			sqlite3_bind_int64(st, 3, base);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, "merging");
	}
	s->pos_run = 0;
	return copy_results(s, from, *run);
}

static void merge_undo(struct store *s, int64_t run)
{
	static const char *const undo[] = {
		"DELETE FROM findings WHERE run_id = ?1",
		"UPDATE run_domains SET result = NULL WHERE run_id = ?1",
		"DELETE FROM results WHERE run_id = ?1",
		"DELETE FROM run_domains WHERE run_id = ?1",
		"DELETE FROM runs WHERE id = ?1",
	};
	for (size_t i = 0; run > 0 && i < sizeof(undo) / sizeof(undo[0]); i++)
		store_scalar(s, undo[i], run);
}

int store_merge(struct store *s, const char *const *src, size_t n, int64_t *run, char *err,
                size_t errlen)
{
	return store_merge_as(s, src, n, STORE_RUN_FINISHED, run, err, errlen);
}

/* Attaches path as src, after migrating it to this posture's schema (a
 * shard written by an older posture). */
static int attach(struct store *s, const char *path)
{
	struct stat sb;
	char err[512];
	sqlite3_stmt *st;

	if (stat(path, &sb) != 0) {
		snprintf(s->err, sizeof(s->err), "%s: no such database", path);
		return -1;
	}
	struct store *m = store_open(path, err, sizeof(err));
	if (m == NULL) {
		snprintf(s->err, sizeof(s->err), "%s", err);
		return -1;
	}
	store_close(m);
	if (sqlite3_prepare_v2(s->db, "ATTACH DATABASE ?1 AS src", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "merging");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(s->err, sizeof(s->err), "%s: %s", path, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int store_merge_as(struct store *s, const char *const *src, size_t n, enum store_run_state state,
                   int64_t *run, char *err, size_t errlen)
{
	*run = 0;
	for (size_t i = 0; i < n; i++) {
		/* ATTACH and DETACH cannot run inside a transaction: one
		 * transaction per input; a failure removes the partial run. */
		if (attach(s, src[i]) != 0)
			goto fail;
		if (store_begin(s) != 0)
			goto fail_detach;
		if (merge_one(s, src[i], run) != 0 || store_commit(s) != 0) {
			store_rollback(s);
			goto fail_detach;
		}
		if (store_exec(s, "DETACH DATABASE src") != 0)
			goto fail;
	}
	if (*run == 0 || store_run_recount(s, *run) != 0 ||
	    store_run_set_state(s, *run, state) != 0)
		goto fail;
	return 0;
fail_detach:;
	char keep[sizeof(s->err)];
	memcpy(keep, s->err, sizeof(keep));
	store_exec(s, "DETACH DATABASE src");
	memcpy(s->err, keep, sizeof(keep));
fail:
	snprintf(err, errlen, "%s", s->err);
	merge_undo(s, *run);
	*run = 0;
	return -1;
}
