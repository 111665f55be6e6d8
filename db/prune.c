/*
 * prune.c — keeping history small and checking it: store_prune_*,
 * store_run_stats_*, store_space, store_vacuum, store_check_results
 * (store.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_impl.h"

/* The runs a prune removes, oldest first: ended (finished, degraded,
 * partial) or interrupted, started before the cut-off, not pruned yet;
 * never the newest finished run; with keep_monthly, never the newest
 * finished run of a calendar month (UTC). Running or loading runs are
 * never touched. */
#define PRUNE_CANDIDATES                                                                           \
	"SELECT id FROM runs ru WHERE pruned_at IS NULL"                                           \
	" AND state IN ('finished', 'degraded', 'partial', 'interrupted', 'running', 'loading')"   \
	" AND julianday(started) < julianday('now') - ?1"                                          \
	" AND id <> (SELECT coalesce(max(id), 0) FROM runs WHERE state = 'finished')"              \
	" AND NOT (?2 AND state = 'finished' AND id = (SELECT max(m.id) FROM runs m"               \
	"  WHERE m.state = 'finished' AND substr(m.started, 1, 7) = substr(ru.started, 1, 7)))"    \
	" ORDER BY id"

int store_prune_each(struct store *s, int keep_days, bool keep_monthly,
                     int (*fn)(void *arg, const struct store_run *r), void *arg)
{
	sqlite3_stmt *st;
	int64_t ids[4096];
	size_t n = 0;
	int rc;
	/* Ids first, then each run read whole (store_run_get also tells an
	 * interrupted run from a running one whose process is alive). */
	if (sqlite3_prepare_v2(s->db, PRUNE_CANDIDATES, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_int(st, 1, keep_days);
	sqlite3_bind_int(st, 2, keep_monthly ? 1 : 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < sizeof(ids) / sizeof(ids[0]))
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "listing runs to prune");
	for (size_t i = 0; i < n; i++) {
		struct store_run r;
		if (store_run_get(s, ids[i], &r) != 1)
			return -1;
		if (r.state == STORE_RUN_RUNNING || r.state == STORE_RUN_LOADING)
			continue; /* its process is alive after all */
		int ret = fn(arg, &r);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int store_run_stats_put(struct store *s, int64_t run, const char *text)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT OR REPLACE INTO run_stats(run_id, stats) VALUES(?1, ?2)", -1,
	                       &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "keeping a run's statistics");
}

int store_run_stats_get(struct store *s, int64_t run, char **text)
{
	sqlite3_stmt *st;
	*text = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT stats FROM run_stats WHERE run_id = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_int64(st, 1, run);
	int rc = sqlite3_step(st), ret = 0;
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		*text = strdup(t ? t : "");
		ret = *text ? 1 : -1;
	} else if (rc != SQLITE_DONE) {
		ret = store_fail(s, "reading a run's statistics");
	}
	sqlite3_finalize(st);
	return ret;
}

int store_prune_run(struct store *s, int64_t run)
{
	static const char *const steps[] = {
		"DELETE FROM run_domains WHERE run_id = ?1",
		"UPDATE runs SET pruned_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->db, steps[i], -1, &st, NULL) != SQLITE_OK)
			return store_fail(s, "prepare");
		sqlite3_bind_int64(st, 1, run);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, "pruning a run");
	}
	return 0;
}

int store_prune_orphans(struct store *s, int64_t *n)
{
	*n = 0;
	/* A result stays while any run's row points at it, whichever run
	 * stored it: a kept run's references keep an old run's results. */
	if (store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS prune_keep(id INTEGER PRIMARY KEY);"
	                  "DELETE FROM prune_keep;"
	                  "INSERT OR IGNORE INTO prune_keep SELECT result FROM run_domains"
	                  " WHERE result IS NOT NULL;"
	                  "DELETE FROM findings WHERE NOT EXISTS (SELECT 1 FROM results r"
	                  " JOIN prune_keep k ON k.id = r.id WHERE r.run_id = findings.run_id"
	                  " AND r.domain_id = findings.domain_id);") != 0)
		return -1;
	if (store_exec(s, "DELETE FROM results WHERE id NOT IN (SELECT id FROM prune_keep)") != 0)
		return -1;
	*n = sqlite3_changes(s->db);
	return store_exec(s, "DROP TABLE prune_keep");
}

int store_space(struct store *s, int64_t *pages, int64_t *free_pages, int64_t *page_size)
{
	*pages = store_scalar(s, "PRAGMA page_count", 0);
	*free_pages = store_scalar(s, "PRAGMA freelist_count", 0);
	*page_size = store_scalar(s, "PRAGMA page_size", 0);
	return *pages < 0 || *free_pages < 0 || *page_size < 0 ? -1 : 0;
}

int store_vacuum(struct store *s)
{
	return store_exec(s, "VACUUM");
}

/* db check. */

struct check_rule {
	const char *what; /* "N <what>" */
	const char *sql;  /* a count of the problems */
};

static const struct check_rule check_rules[] = {
	{ "run rows pointing at a result that does not exist",
	  "SELECT count(*) FROM run_domains rd WHERE rd.result IS NOT NULL"
	  " AND NOT EXISTS (SELECT 1 FROM results r WHERE r.id = rd.result)" },
	{ "run rows pointing at another domain's result",
	  "SELECT count(*) FROM run_domains rd JOIN results r ON r.id = rd.result"
	  " WHERE r.domain_id <> rd.domain_id" },
	{ "references to an inconclusive result (only a conclusive result is reused)",
	  "SELECT count(*) FROM run_domains rd JOIN results r ON r.id = rd.result"
	  " WHERE r.run_id <> rd.run_id AND r.conclusive = 0" },
	{ "results with neither JSON nor a body, or both",
	  "SELECT count(*) FROM results WHERE (json IS NULL) = (body IS NULL)" },
	{ "results whose dictionary is missing",
	  "SELECT count(*) FROM results r WHERE r.zdict IS NOT NULL"
	  " AND NOT EXISTS (SELECT 1 FROM zdicts z WHERE z.id = r.zdict)" },
	{ "finished runs with a domain that has no result",
	  "SELECT count(*) FROM run_domains rd JOIN runs ru ON ru.id = rd.run_id"
	  " WHERE ru.state = 'finished' AND rd.result IS NULL" },
	{ "ended runs whose done counter disagrees with their results",
	  "SELECT count(*) FROM runs ru WHERE ru.pruned_at IS NULL"
	  " AND ru.state IN ('finished', 'degraded', 'partial') AND ru.done <>"
	  " (SELECT count(*) FROM run_domains rd WHERE rd.run_id = ru.id"
	  "  AND rd.result IS NOT NULL)" },
	{ "pruned runs that still hold rows",
	  "SELECT count(*) FROM runs ru WHERE ru.pruned_at IS NOT NULL"
	  " AND EXISTS (SELECT 1 FROM run_domains rd WHERE rd.run_id = ru.id)" },
};

static void note(struct store_check *c, long long n, const char *what)
{
	c->bad += n;
	if (c->first[0] == '\0')
		snprintf(c->first, sizeof(c->first), "%lld %s", n, what);
}

/* The row's facts (schema 4: column 3), when it has them, decompress to
 * a facts document. */
static bool facts_ok(struct store *s, sqlite3_stmt *st, int64_t dict)
{
	const char *f;
	size_t n;
	if (sqlite3_column_type(st, 3) == SQLITE_NULL)
		return true;
	if (zbody_decompress(s->z, ZBODY_FACTS, dict, sqlite3_column_blob(st, 3),
	                     (size_t)sqlite3_column_bytes(st, 3), &f, &n, s->err,
	                     sizeof(s->err)) != 0)
		return false;
	if (store_facts_version(f) < 0) {
		snprintf(s->err, sizeof(s->err), "its facts are not a facts document");
		return false;
	}
	return true;
}

/* Every body decompresses to a JSON object of exactly its claimed size. */
static int check_bodies(struct store *s, struct store_check *c)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(s->db,
	                       s->version >= 4 ? "SELECT id, coalesce(zdict, 0), body, facts"
	                                         " FROM results WHERE body IS NOT NULL"
	                                       : "SELECT id, coalesce(zdict, 0), body, NULL"
	                                         " FROM results WHERE body IS NOT NULL",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	long long bad = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_result r;
		memset(&r, 0, sizeof(r));
		int64_t dict = sqlite3_column_int64(st, 1);
		c->bodies++;
		if (zbody_has(s->z, dict) || store_load_dict(s, dict) == 0)
			if (zbody_decompress(s->z, ZBODY_BODY, dict, sqlite3_column_blob(st, 2),
			                     (size_t)sqlite3_column_bytes(st, 2), &r.json,
			                     &r.json_len, s->err, sizeof(s->err)) == 0 &&
			    r.json_len > 0 && r.json[0] == '{' && facts_ok(s, st, dict))
				continue;
		if (bad++ == 0 && c->first[0] == '\0')
			snprintf(c->first, sizeof(c->first), "result %lld does not decompress: %s",
			         (long long)sqlite3_column_int64(st, 0), s->err);
	}
	sqlite3_finalize(st);
	c->bad += bad;
	return rc == SQLITE_DONE ? 0 : store_fail(s, "reading results");
}

int store_check_results(struct store *s, struct store_check *c)
{
	memset(c, 0, sizeof(*c));
	c->rows = store_scalar(s,
	                       "SELECT count(*) FROM run_domains WHERE result IS NOT NULL"
	                       " AND ?1 = ?1",
	                       0);
	c->references = store_scalar(s,
	                             "SELECT count(*) FROM run_domains rd JOIN results r"
	                             " ON r.id = rd.result WHERE r.run_id <> rd.run_id AND ?1 = ?1",
	                             0);
	c->results = store_scalar(s, "SELECT count(*) FROM results WHERE ?1 = ?1", 0);
	if (c->rows < 0 || c->references < 0 || c->results < 0)
		return -1;
	for (size_t i = 0; i < sizeof(check_rules) / sizeof(check_rules[0]); i++) {
		int64_t n = store_scalar(s, check_rules[i].sql, 0);
		if (n < 0)
			return -1;
		if (n > 0)
			note(c, (long long)n, check_rules[i].what);
	}
	if (s->z == NULL && (s->z = zbody_new()) == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	return check_bodies(s, c);
}
