/*
 * results.c — storing a domain's result (once per distinct result, a
 * reference otherwise; the JSON compressed) and reading results back, for
 * store.h's store_result_put, store_results_each and store_history_each.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_impl.h"

/* The result columns, in the order both statements below use them. */
#define RESULT_COLUMNS                                                                             \
	"spf_status, spf_all, spf_lookups, spf_void_lookups, spf_error, dmarc_status,"             \
	" dmarc_policy, dmarc_subdomain_policy, dmarc_pct, dmarc_enforcement, bimi_status,"        \
	" vmc_status, bimi_eligible, mx, a"
/* The transport columns (schema 8), in the order the statements below and
 * ROW_FACTS use them. */
#define TRANSPORT_COLUMNS                                                                          \
	"mta_sts_status, mta_sts_mx_covered, tls_rpt_status, dnssec_status, dane_status"

int store_results_prepare(struct store *s)
{
	static const struct {
		size_t off;
		const char *sql;
	} st[] = {
		{ offsetof(struct store, put_result),
		  "INSERT INTO results(run_id, domain_id, scanned_at, " RESULT_COLUMNS
		  ", conclusive, json, zdict, body, facts, dkim_status, dkim_selectors, "
		  "dkim_min_bits, " TRANSPORT_COLUMNS ")"
		  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
		  "?17,"
		  " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)" },
		{ offsetof(struct store, put_finding),
		  "INSERT INTO findings(run_id, domain_id, check_name, code, severity, path)"
		  " VALUES(?1, ?2, ?3, ?4, ?5, ?6)" },
		{ offsetof(struct store, prev_result),
		  "SELECT id, zdict, body, facts, " RESULT_COLUMNS ", dkim_status, dkim_selectors,"
		  " dkim_min_bits, " TRANSPORT_COLUMNS " FROM results"
		  " WHERE domain_id = ?1 AND conclusive = 1 ORDER BY id DESC LIMIT 1" },
		{ offsetof(struct store, rd_get), "SELECT result IS NOT NULL FROM run_domains "
		                                  "WHERE run_id = ?1 AND domain_id = ?2" },
		{ offsetof(struct store, rd_set),
		  "UPDATE run_domains SET result = ?3, checked_at = ?4"
		  " WHERE run_id = ?1 AND domain_id = ?2" },
		{ offsetof(struct store, get_dict), "SELECT dict FROM zdicts WHERE id = ?1" },
	};
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		sqlite3_stmt **p = (sqlite3_stmt **)((char *)s + st[i].off);
		/* A reader of an older schema (STORE_SCHEMA_READ_MIN) never
		 * writes: the statements that name newer columns are left out. */
		if (s->version < STORE_SCHEMA_VERSION &&
		    (st[i].off == offsetof(struct store, put_result) ||
		     st[i].off == offsetof(struct store, prev_result)))
			continue;
		if (sqlite3_prepare_v3(s->db, st[i].sql, -1, SQLITE_PREPARE_PERSISTENT, p, NULL) !=
		    SQLITE_OK)
			return store_fail(s, "prepare");
	}
	return 0;
}

void store_results_close(struct store *s)
{
	sqlite3_finalize(s->put_result);
	sqlite3_finalize(s->put_finding);
	sqlite3_finalize(s->prev_result);
	sqlite3_finalize(s->rd_get);
	sqlite3_finalize(s->rd_set);
	sqlite3_finalize(s->get_dict);
	zbody_free(s->z);
	s->z = NULL;
}

void store_body_stats(const struct store *s, struct store_body_stats *out)
{
	*out = s->body_stats;
}

static int need_z(struct store *s)
{
	if (s->z == NULL && (s->z = zbody_new()) == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	return 0;
}

/* Loads reading dictionary id from zdicts unless z has it. */
int store_load_dict(struct store *s, int64_t id)
{
	if (need_z(s) != 0)
		return -1;
	if (zbody_has(s->z, id))
		return 0;
	sqlite3_stmt *st = s->get_dict;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st), ret = -1;
	if (rc == SQLITE_ROW)
		ret = zbody_add(s->z, id, sqlite3_column_blob(st, 0),
		                (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW && ret != 0)
		snprintf(s->err, sizeof(s->err), "dictionary %lld of zdicts is not usable",
		         (long long)id);
	else if (rc == SQLITE_DONE)
		snprintf(s->err, sizeof(s->err), "dictionary %lld is missing from zdicts",
		         (long long)id);
	else if (rc != SQLITE_ROW)
		store_fail(s, "reading a dictionary");
	return ret;
}

/* The dictionary to write with: the bundled one, added to zdicts the
 * first time this database needs it. */
static int write_dict(struct store *s, int64_t *id)
{
	size_t len;
	const char *name;
	const void *dict = zbody_bundled(&len, &name);
	sqlite3_stmt *st;

	if (need_z(s) != 0)
		return -1;
	if ((*id = zbody_dict_id(s->z)) != 0)
		return 0;
	if (sqlite3_prepare_v2(s->db, "SELECT id, dict FROM zdicts WHERE name = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		if ((size_t)sqlite3_column_bytes(st, 1) != len ||
		    memcmp(sqlite3_column_blob(st, 1), dict, len) != 0) {
			sqlite3_finalize(st);
			snprintf(s->err, sizeof(s->err),
			         "zdicts holds a dictionary named %s that is not this posture's",
			         name);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "reading zdicts");
	if (rc == SQLITE_DONE) {
		if (sqlite3_prepare_v2(s->db, "INSERT INTO zdicts(name, dict) VALUES(?1, ?2)", -1,
		                       &st, NULL) != SQLITE_OK)
			return store_fail(s, "prepare");
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, dict, (int)len, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, "adding the dictionary");
		*id = sqlite3_last_insert_rowid(s->db);
	}
	if (zbody_use(s->z, *id, dict, len) != 0 || zbody_add(s->z, *id, dict, len) != 0) {
		snprintf(s->err, sizeof(s->err), "out of memory loading the dictionary");
		return -1;
	}
	return 0;
}

static bool same_text(sqlite3_stmt *st, int col, const char *v)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	if (v == NULL || v[0] == '\0')
		return t == NULL;
	return t != NULL && strcmp((const char *)t, v) == 0;
}

static bool same_int(sqlite3_stmt *st, int col, int v)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return v < 0;
	return v >= 0 && sqlite3_column_int(st, col) == v;
}

/* The DKIM key size as stored: a key has bits, so 0 (a result built with
 * memset) is NULL as -1 is. */
static int dkim_bits(const struct store_result *r)
{
	return r->dkim_min_bits > 0 ? r->dkim_min_bits : -1;
}

/* Whether the policy covers every MX host, as stored: 1, 0, or -1
 * (NULL) when unknown or when MTA-STS was not checked (a result built
 * with memset has 0 there, which means nothing without a status). */
static int mx_covered(const struct store_result *r)
{
	if (r->mta_sts_status == NULL || r->mta_sts_status[0] == '\0' || r->mta_sts_mx_covered < 0)
		return -1;
	return r->mta_sts_mx_covered != 0;
}

/* Whether the columns of prev_result's row (from col) are r's. */
static bool same_columns(sqlite3_stmt *st, int col, const struct store_result *r)
{
	return same_text(st, col, r->spf_status) && same_text(st, col + 1, r->spf_all) &&
	       same_int(st, col + 2, r->spf_lookups) && same_int(st, col + 3, r->spf_void) &&
	       same_text(st, col + 4, r->spf_error) && same_text(st, col + 5, r->dmarc_status) &&
	       same_text(st, col + 6, r->dmarc_policy) &&
	       same_text(st, col + 7, r->dmarc_subdomain_policy) &&
	       same_int(st, col + 8, r->dmarc_pct) &&
	       same_text(st, col + 9, r->dmarc_enforcement) &&
	       same_text(st, col + 10, r->bimi_status) && same_text(st, col + 11, r->vmc_status) &&
	       same_int(st, col + 12, r->bimi_eligible) && same_text(st, col + 13, r->mx) &&
	       same_text(st, col + 14, r->a) && same_text(st, col + 15, r->dkim_status) &&
	       same_text(st, col + 16, r->dkim_selectors) && same_int(st, col + 17, dkim_bits(r)) &&
	       same_text(st, col + 18, r->mta_sts_status) &&
	       same_int(st, col + 19, mx_covered(r)) &&
	       same_text(st, col + 20, r->tls_rpt_status) &&
	       same_text(st, col + 21, r->dnssec_status) && same_text(st, col + 22, r->dane_status);
}

/* Whether column col of st holds the bytes p (n of them; p NULL: NULL). */
static bool same_blob(sqlite3_stmt *st, int col, const void *p, size_t n)
{
	if (p == NULL)
		return sqlite3_column_type(st, col) == SQLITE_NULL;
	return sqlite3_column_type(st, col) == SQLITE_BLOB &&
	       (size_t)sqlite3_column_bytes(st, col) == n &&
	       memcmp(sqlite3_column_blob(st, col), p, n) == 0;
}

/* The id of the domain's newest conclusive result when it is this one
 * (same columns, same body and facts under the same dictionary: zstd
 * output is a function of its input and dictionary, so equal bytes are
 * equal JSON; a result stored without facts, or with facts of another
 * version, is stored anew once, so references keep the facts current),
 * else 0; -1 on error. */
static int64_t unchanged(struct store *s, const struct store_result *r, const struct store_body *b)
{
	sqlite3_stmt *st = s->prev_result;
	int64_t id = 0;
	sqlite3_bind_int64(st, 1, r->domain_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int64(st, 1) == b->zdict &&
	    same_blob(st, 2, b->data, b->len) && same_blob(st, 3, b->facts, b->facts_len) &&
	    same_columns(st, 4, r))
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "reading the previous result");
	return id;
}

static int64_t epoch_of(const char *iso)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (iso == NULL || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	                          &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return (int64_t)time(NULL);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

static int insert_result(struct store *s, int64_t run, const struct store_result *r,
                         const struct store_body *b, int64_t *id)
{
	sqlite3_stmt *st = s->put_result;
	char now[32];
	if (r->scanned_at == NULL)
		store_now_iso(now, sizeof(now));
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, r->domain_id);
	sqlite3_bind_text(st, 3, r->scanned_at ? r->scanned_at : now, -1, SQLITE_TRANSIENT);
	store_bind_text(st, 4, r->spf_status);
	store_bind_text(st, 5, r->spf_all);
	store_bind_int(st, 6, r->spf_lookups);
	store_bind_int(st, 7, r->spf_void);
	store_bind_text(st, 8, r->spf_error);
	store_bind_text(st, 9, r->dmarc_status);
	store_bind_text(st, 10, r->dmarc_policy);
	store_bind_text(st, 11, r->dmarc_subdomain_policy);
	store_bind_int(st, 12, r->dmarc_pct);
	store_bind_text(st, 13, r->dmarc_enforcement);
	store_bind_text(st, 14, r->bimi_status);
	store_bind_text(st, 15, r->vmc_status);
	store_bind_int(st, 16, r->bimi_eligible);
	store_bind_text(st, 17, r->mx);
	store_bind_text(st, 18, r->a);
	sqlite3_bind_int(st, 19, r->conclusive ? 1 : 0);
	sqlite3_bind_null(st, 20); /* json: plain only in rows of schema < 3 */
	if (b->zdict > 0)
		sqlite3_bind_int64(st, 21, b->zdict);
	sqlite3_bind_blob(st, 22, b->data, (int)b->len, SQLITE_STATIC);
	if (b->facts != NULL)
		sqlite3_bind_blob(st, 23, b->facts, (int)b->facts_len, SQLITE_STATIC);
	store_bind_text(st, 24, r->dkim_status);
	store_bind_text(st, 25, r->dkim_selectors);
	store_bind_int(st, 26, dkim_bits(r));
	store_bind_text(st, 27, r->mta_sts_status);
	store_bind_int(st, 28, mx_covered(r));
	store_bind_text(st, 29, r->tls_rpt_status);
	store_bind_text(st, 30, r->dnssec_status);
	store_bind_text(st, 31, r->dane_status);
	if (store_step_done(s, st, "storing a result") != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct store_finding *f = &r->findings[i];
		sqlite3_bind_int64(s->put_finding, 1, run);
		sqlite3_bind_int64(s->put_finding, 2, r->domain_id);
		sqlite3_bind_text(s->put_finding, 3, f->check, -1, SQLITE_STATIC);
		sqlite3_bind_text(s->put_finding, 4, f->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(s->put_finding, 5, f->severity, -1, SQLITE_STATIC);
		store_bind_text(s->put_finding, 6, f->path);
		if (store_step_done(s, s->put_finding, "storing a finding") != 0)
			return -1;
	}
	return 0;
}

/* Points the run's row of the domain at result id, adding the row (after
 * the run's last position) when the domain is not in the run's list. */
static int link_result(struct store *s, int64_t run, int64_t domain, int64_t id, int64_t when)
{
	sqlite3_stmt *st = s->rd_set;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, domain);
	sqlite3_bind_int64(st, 3, id);
	sqlite3_bind_int64(st, 4, when);
	if (store_step_done(s, st, "linking a result") != 0)
		return -1;
	if (sqlite3_changes(s->db) > 0)
		return 0;
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO run_domains(run_id, domain_id, position, result,"
	                       " checked_at) VALUES(?1, ?2, (SELECT coalesce(max(position), 0) + 1"
	                       " FROM run_domains WHERE run_id = ?1), ?3, ?4)",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, domain);
	sqlite3_bind_int64(st, 3, id);
	sqlite3_bind_int64(st, 4, when);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	s->pos_run = 0; /* store_run_add's position counter is stale */
	return rc == SQLITE_DONE ? 0 : store_fail(s, "adding a domain to the run");
}

int store_put_body(struct store *s, int64_t run, const struct store_result *r,
                   const struct store_body *b, int64_t *id, bool *stored)
{
	sqlite3_stmt *st = s->rd_get;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, r->domain_id);
	int rc = sqlite3_step(st);
	bool has = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "reading the run's domain");
	if (has) {
		snprintf(s->err, sizeof(s->err),
		         "storing a result: the run has a result for this domain already");
		return -1;
	}
	*id = r->conclusive ? unchanged(s, r, b) : 0;
	if (*id < 0)
		return -1;
	*stored = *id == 0;
	if (*stored && insert_result(s, run, r, b, id) != 0)
		return -1;
	if (link_result(s, run, r->domain_id, *id, epoch_of(r->scanned_at)) != 0)
		return -1;
	if (*stored) {
		s->body_stats.full++;
		s->body_stats.stored_bytes += b->len;
	} else {
		s->body_stats.references++;
	}
	return 0;
}

int store_compress(struct store *s, const char *json, size_t len, const char *facts,
                   size_t facts_len, struct store_body *b)
{
	b->facts = NULL;
	b->facts_len = 0;
	if (write_dict(s, &b->zdict) != 0)
		return -1;
	if (zbody_compress(s->z, ZBODY_BODY, json, len, &b->data, &b->len, s->err,
	                   sizeof(s->err)) != 0)
		return -1;
	if (facts != NULL && zbody_compress(s->z, ZBODY_FACTS, facts, facts_len, &b->facts,
	                                    &b->facts_len, s->err, sizeof(s->err)) != 0)
		return -1;
	if (b->len > INT_MAX || b->facts_len > INT_MAX) {
		snprintf(s->err, sizeof(s->err), "a result too large to store");
		return -1;
	}
	return 0;
}

int store_result_put(struct store *s, int64_t run, const struct store_result *r)
{
	struct store_body b;
	const char *json = r->json ? r->json : "{}";
	size_t len = r->json && r->json_len > 0 ? r->json_len : strlen(json);
	int64_t id = 0;
	bool stored = false;

	size_t flen = r->facts && r->facts_len > 0 ? r->facts_len : r->facts ? strlen(r->facts) : 0;
	if (store_compress(s, json, len, r->facts, flen, &b) != 0)
		return -1;
	if (store_put_body(s, run, r, &b, &id, &stored) != 0)
		return -1;
	if (stored)
		s->body_stats.json_bytes += len;
	return 0;
}

/* Reading back. */

/* The result columns in store_result order, then the domain's columns;
 * the run's own check time when it has one (schema 3). */
#define ROW_COLUMNS                                                                                \
	"rd.run_id, rd.position, d.name, d.company, d.code, d.sector, rd.list, rd.domain_id,"      \
	" coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', rd.checked_at, 'unixepoch'), r.scanned_at),"     \
	" r.spf_status, r.spf_all, r.spf_error, r.spf_lookups,"                                    \
	" r.spf_void_lookups, r.dmarc_status, r.dmarc_policy, r.dmarc_subdomain_policy,"           \
	" r.dmarc_enforcement, r.dmarc_pct, r.bimi_status, r.vmc_status, r.bimi_eligible,"         \
	" r.mx, r.a, r.conclusive, r.json, r.zdict, r.body, r.id, r.run_id, "
/* The columns added since schema 3 (a reader may read schema 3): facts
 * (4), the DKIM columns (5), then the transport columns (8). */
#define ROW_FACTS(s)                                                                               \
	((s)->version >= 8   ? "r.facts, r.dkim_status, r.dkim_selectors, r.dkim_min_bits,"        \
	                       " r.mta_sts_status, r.mta_sts_mx_covered, r.tls_rpt_status,"        \
	                       " r.dnssec_status, r.dane_status"                                   \
	 : (s)->version >= 5 ? "r.facts, r.dkim_status, r.dkim_selectors, r.dkim_min_bits,"        \
	                       " NULL, NULL, NULL, NULL, NULL"                                     \
	 : (s)->version >= 4 ? "r.facts, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"           \
	                     : "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL")

static const char *text_or_null(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int int_or_minus(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int(st, i);
}

void store_read_facts(struct store *s, int version)
{
	s->read_facts = version;
}

long store_facts_version(const char *facts)
{
	static const char head[] = "{\"facts\":";
	if (facts == NULL || strncmp(facts, head, sizeof(head) - 1) != 0)
		return -1;
	char *end;
	long n = strtol(facts + sizeof(head) - 1, &end, 10);
	return end != facts + sizeof(head) - 1 && n >= 0 ? n : -1;
}

/* The row's JSON: plain (schema < 3) or its body decompressed; with
 * store_read_facts, its facts instead when it has them. */
static int row_json(struct store *s, sqlite3_stmt *st, struct store_result *r)
{
	int64_t dict = sqlite3_column_int64(st, 26);
	if (sqlite3_column_type(st, 30) == SQLITE_BLOB) {
		if (store_load_dict(s, dict) != 0 ||
		    zbody_decompress(s->z, ZBODY_FACTS, dict, sqlite3_column_blob(st, 30),
		                     (size_t)sqlite3_column_bytes(st, 30), &r->facts, &r->facts_len,
		                     s->err, sizeof(s->err)) != 0)
			return -1;
		if (s->read_facts > 0 && store_facts_version(r->facts) >= s->read_facts)
			return 0;
	}
	r->json = text_or_null(st, 25);
	if (r->json != NULL || sqlite3_column_type(st, 27) != SQLITE_BLOB)
		return 0;
	if (store_load_dict(s, dict) != 0)
		return -1;
	return zbody_decompress(s->z, ZBODY_BODY, dict, sqlite3_column_blob(st, 27),
	                        (size_t)sqlite3_column_bytes(st, 27), &r->json, &r->json_len,
	                        s->err, sizeof(s->err));
}

static void row_columns(sqlite3_stmt *st, struct store_row *row)
{
	memset(row, 0, sizeof(*row));
	row->run_id = sqlite3_column_int64(st, 0);
	row->position = sqlite3_column_int64(st, 1);
	row->domain = text_or_null(st, 2);
	row->company = text_or_null(st, 3);
	row->code = text_or_null(st, 4);
	row->sector = text_or_null(st, 5);
	row->list = text_or_null(st, 6);
	row->r.domain_id = sqlite3_column_int64(st, 7);
	row->r.scanned_at = text_or_null(st, 8);
	row->r.spf_status = text_or_null(st, 9);
	row->r.spf_all = text_or_null(st, 10);
	row->r.spf_error = text_or_null(st, 11);
	row->r.spf_lookups = int_or_minus(st, 12);
	row->r.spf_void = int_or_minus(st, 13);
	row->r.dmarc_status = text_or_null(st, 14);
	row->r.dmarc_policy = text_or_null(st, 15);
	row->r.dmarc_subdomain_policy = text_or_null(st, 16);
	row->r.dmarc_enforcement = text_or_null(st, 17);
	row->r.dmarc_pct = int_or_minus(st, 18);
	row->r.bimi_status = text_or_null(st, 19);
	row->r.vmc_status = text_or_null(st, 20);
	row->r.bimi_eligible = int_or_minus(st, 21);
	row->r.mx = text_or_null(st, 22);
	row->r.a = text_or_null(st, 23);
	row->r.conclusive = sqlite3_column_int(st, 24) != 0;
	row->result_id = sqlite3_column_int64(st, 28);
	row->reference = sqlite3_column_int64(st, 29) != row->run_id;
	row->r.dkim_status = text_or_null(st, 31);
	row->r.dkim_selectors = text_or_null(st, 32);
	row->r.dkim_min_bits = int_or_minus(st, 33);
	row->r.mta_sts_status = text_or_null(st, 34);
	row->r.mta_sts_mx_covered = int_or_minus(st, 35);
	row->r.tls_rpt_status = text_or_null(st, 36);
	row->r.dnssec_status = text_or_null(st, 37);
	row->r.dane_status = text_or_null(st, 38);
}

/* Steps st to the end, calling fn with each row; finalizes st. */
static int rows_each(struct store *s, sqlite3_stmt *st, store_row_fn fn, void *arg)
{
	struct store_row row;
	int rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_columns(st, &row);
		if (row_json(s, st, &row.r) != 0) {
			char keep[sizeof(s->err)];
			memcpy(keep, s->err, sizeof(keep));
			snprintf(s->err, sizeof(s->err), "%s (run %lld, %s)", keep,
			         (long long)row.run_id, row.domain ? row.domain : "?");
			ret = -1;
			break;
		}
		ret = fn(arg, &row);
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_fail(s, "reading results");
	sqlite3_finalize(st);
	return ret;
}

int store_results_each(struct store *s, int64_t run, store_row_fn fn, void *arg)
{
	sqlite3_stmt *st;
	char sql[1536];
	snprintf(
	        sql, sizeof(sql), "%s%s%s", "SELECT " ROW_COLUMNS, ROW_FACTS(s),
	        " FROM run_domains rd JOIN results r ON r.id = rd.result"
	        " JOIN domains d ON d.id = rd.domain_id WHERE rd.run_id = ?1 ORDER BY rd.position");
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_int64(st, 1, run);
	return rows_each(s, st, fn, arg);
}

int store_history_each(struct store *s, const char *domain, store_row_fn fn, void *arg)
{
	sqlite3_stmt *st;
	/* Run by run (CROSS JOIN keeps runs outside): one lookup by
	 * run_domains' key per run, no index by domain needed. */
	char sql[1536];
	snprintf(sql, sizeof(sql), "%s%s%s", "SELECT " ROW_COLUMNS, ROW_FACTS(s),
	         " FROM domains d CROSS JOIN runs ru"
	         " CROSS JOIN run_domains rd ON rd.run_id = ru.id AND rd.domain_id = d.id"
	         " JOIN results r ON r.id = rd.result WHERE d.name = ?1 ORDER BY ru.id");
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_TRANSIENT);
	return rows_each(s, st, fn, arg);
}
