/*
 * fbstore.c — receivers' reports in the store (fbstore.h; the tables of
 * schema 7, db/README.md "Schema 7: receivers' reports"): storing a
 * report once with its records, auth results, failure fields and TLS
 * policies, and the aggregates a summary of them needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fbstore.h"
#include "jsonw.h"
#include "store_impl.h"

/* The schema that holds the report tables. */
#define FB_SCHEMA 7

/* A domain as the tables hold it: ASCII lower case, no trailing dot
 * (names compare case-insensitively, RFC 4343), so a query finds it
 * through the index whatever the reporter's spelling. */
static void norm_domain(const char *in, char *out, size_t len)
{
	size_t n = 0;
	for (; in && in[n] != '\0' && n + 1 < len; n++) {
		unsigned char c = (unsigned char)in[n];
		out[n] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	if (n > 0 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
}

/* Text for a NOT NULL column: "" stays "" (store_bind_text makes it
 * NULL, which the constraint would refuse). */
static void bind_nn(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

static void bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	sqlite3_bind_int64(st, i, v > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)v);
}

static int prep(struct store *s, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return store_fail(s, "prepare");
	}
	return 0;
}

static int no_tables(struct store *s)
{
	snprintf(s->err, sizeof(s->err),
	         "the database has schema %lld, without report tables (schema %d): open it "
	         "for writing to migrate it",
	         (long long)s->version, FB_SCHEMA);
	return -1;
}

/* ---- Storing ---- */

/* The report's findings as a JSON array of {code, severity, message,
 * path?} (NULL when memory ran out). */
static char *findings_json(const struct findings *f)
{
	struct jsonw w;
	jsonw_init(&w);
	jsonw_arr(&w);
	for (size_t i = 0; i < f->n; i++) {
		jsonw_obj(&w);
		jsonw_kstr(&w, "code", f->v[i].code);
		jsonw_kstr(&w, "severity", finding_severity_name(f->v[i].severity));
		jsonw_kstr(&w, "message", f->v[i].message ? f->v[i].message : "");
		if (f->v[i].path != NULL && f->v[i].path[0] != '\0')
			jsonw_kstr(&w, "path", f->v[i].path);
		jsonw_end_obj(&w);
	}
	jsonw_end_arr(&w);
	return jsonw_finish(&w);
}

#define PUT_REPORT                                                                                 \
	"INSERT INTO fb_reports(kind, org, report_id, domain, begin_at, end_at, records,"          \
	" messages, schema, email, extra_contact, policy_p, policy_sp, policy_np, policy_pct,"     \
	" policy_adkim, policy_aspf, policy_fo, policy_testing, imported_at, imported_from,"       \
	" findings) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16," \
	" ?17, ?18, ?19, ?20, ?21, ?22)"                                                           \
	" ON CONFLICT(kind, org, report_id) DO NOTHING"

/* The report's own row: *id, or 0 when it is stored already. Only the
 * uniqueness conflict is ignored (ON CONFLICT, not INSERT OR IGNORE,
 * which would also drop a row that breaks NOT NULL). */
static int put_report(struct store *s, const struct fb_report *r, int64_t *id)
{
	char dom[FB_NAME], now[32];
	sqlite3_stmt *st;
	char *json = findings_json(&r->findings);
	if (json == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	if (prep(s, &st, PUT_REPORT) != 0) {
		free(json);
		return -1;
	}
	norm_domain(r->domain, dom, sizeof(dom));
	store_now_iso(now, sizeof(now));
	bind_nn(st, 1, fb_kind_name(r->kind));
	bind_nn(st, 2, r->org);
	bind_nn(st, 3, r->report_id);
	store_bind_text(st, 4, dom);
	sqlite3_bind_int64(st, 5, r->begin);
	sqlite3_bind_int64(st, 6, r->end);
	bind_u64(st, 7, r->rows);
	bind_u64(st, 8, r->messages);
	const struct fb_aggregate *a = r->kind == FB_AGGREGATE ? r->agg : NULL;
	if (a != NULL) {
		store_bind_text(st, 9, a->schema);
		store_bind_text(st, 10, a->email);
		store_bind_text(st, 11, a->extra_contact);
		store_bind_text(st, 12, a->p);
		store_bind_text(st, 13, a->sp);
		store_bind_text(st, 14, a->np);
		store_bind_int(st, 15, a->pct);
		store_bind_text(st, 16, a->adkim);
		store_bind_text(st, 17, a->aspf);
		store_bind_text(st, 18, a->fo);
		store_bind_text(st, 19, a->testing);
	} else if (r->kind == FB_TLS && r->tls != NULL) {
		store_bind_text(st, 10, r->tls->contact);
	}
	bind_nn(st, 20, now);
	store_bind_text(st, 21, r->where);
	bind_nn(st, 22, json);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(json);
	if (rc != SQLITE_DONE)
		return store_fail(s, "storing a report");
	*id = sqlite3_changes(s->db) > 0 ? sqlite3_last_insert_rowid(s->db) : 0;
	return 0;
}

static int put_auths(struct store *s, sqlite3_stmt *st, int64_t row, const char *method,
                     const struct fb_auth *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, row);
		sqlite3_bind_text(st, 2, method, -1, SQLITE_STATIC);
		store_bind_text(st, 3, v[i].domain);
		store_bind_text(st, 4, v[i].selector);
		store_bind_text(st, 5, v[i].result);
		store_bind_text(st, 6, v[i].scope);
		if (store_step_done(s, st, "storing an auth result") != 0)
			return -1;
	}
	return 0;
}

/* A record passes DMARC when the receiver's policy_evaluated says dkim
 * or spf pass (RFC 7489 section 3.1: one aligned pass is enough). */
static int row_passes(const struct fb_row *w)
{
	return strcmp(w->dkim, "pass") == 0 || strcmp(w->spf, "pass") == 0;
}

/* An aggregate report's records (up to FB_ROWS_MAX) and their auth
 * results: two statements prepared once, stepped for every record. */
static int put_rows(struct store *s, int64_t report, const struct fb_aggregate *a)
{
	sqlite3_stmt *row = NULL, *auth = NULL;
	int ret = -1;
	if (prep(s, &row,
	         "INSERT INTO fb_rows(report, source_ip, count, disposition, dkim, spf, reasons,"
	         " header_from, envelope_from, envelope_to, pass)"
	         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)") != 0 ||
	    prep(s, &auth,
	         "INSERT INTO fb_auth(row, method, domain, selector, result, scope)"
	         " VALUES(?1, ?2, ?3, ?4, ?5, ?6)") != 0)
		goto out;
	for (size_t i = 0; i < a->nrows; i++) {
		const struct fb_row *w = &a->rows[i];
		sqlite3_bind_int64(row, 1, report);
		store_bind_text(row, 2, w->source_ip);
		bind_u64(row, 3, w->count);
		store_bind_text(row, 4, w->disposition);
		store_bind_text(row, 5, w->dkim);
		store_bind_text(row, 6, w->spf);
		store_bind_text(row, 7, w->reasons);
		store_bind_text(row, 8, w->header_from);
		store_bind_text(row, 9, w->envelope_from);
		store_bind_text(row, 10, w->envelope_to);
		sqlite3_bind_int(row, 11, row_passes(w));
		if (store_step_done(s, row, "storing a report's record") != 0)
			goto out;
		int64_t id = sqlite3_last_insert_rowid(s->db);
		if (put_auths(s, auth, id, "dkim", w->dkim_auth, w->ndkim_auth) != 0 ||
		    put_auths(s, auth, id, "spf", w->spf_auth, w->nspf_auth) != 0)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(row);
	sqlite3_finalize(auth);
	return ret;
}

static int put_failure(struct store *s, int64_t report, const struct fb_failure *f)
{
	sqlite3_stmt *st;
	if (prep(s, &st,
	         "INSERT INTO fb_failures(report, feedback_type, auth_failure, source_ip,"
	         " reported_domain, original_mail_from, original_rcpt_to, reporting_mta,"
	         " delivery_result, dkim_domain, dkim_selector, header_from, subject, arrival,"
	         " original_headers) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	         " ?13, ?14, ?15)") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, report);
	store_bind_text(st, 2, f->feedback_type);
	store_bind_text(st, 3, f->auth_failure);
	store_bind_text(st, 4, f->source_ip);
	store_bind_text(st, 5, f->reported_domain);
	store_bind_text(st, 6, f->original_mail_from);
	store_bind_text(st, 7, f->original_rcpt_to);
	store_bind_text(st, 8, f->reporting_mta);
	store_bind_text(st, 9, f->delivery_result);
	store_bind_text(st, 10, f->dkim_domain);
	store_bind_text(st, 11, f->dkim_selector);
	store_bind_text(st, 12, f->header_from);
	store_bind_text(st, 13, f->subject);
	if (f->arrival != 0)
		sqlite3_bind_int64(st, 14, f->arrival);
	if (f->original_headers != NULL) {
		size_t n = f->original_headers_len ? f->original_headers_len
		                                   : strlen(f->original_headers);
		if (n > FB_HEADERS_MAX)
			n = FB_HEADERS_MAX;
		sqlite3_bind_text(st, 15, f->original_headers, (int)n, SQLITE_STATIC);
	}
	int rc = store_step_done(s, st, "storing a failure report");
	sqlite3_finalize(st);
	return rc;
}

static int put_tls_failures(struct store *s, sqlite3_stmt *st, int64_t policy,
                            const struct fb_tls_policy *p)
{
	for (size_t i = 0; i < p->nfail; i++) {
		const struct fb_tls_failure *f = &p->fail[i];
		sqlite3_bind_int64(st, 1, policy);
		store_bind_text(st, 2, f->result_type);
		store_bind_text(st, 3, f->sending_ip);
		store_bind_text(st, 4, f->receiving_ip);
		store_bind_text(st, 5, f->receiving_mx);
		bind_u64(st, 6, f->sessions);
		store_bind_text(st, 7, f->reason);
		if (store_step_done(s, st, "storing a TLS failure") != 0)
			return -1;
	}
	return 0;
}

static int put_tls(struct store *s, int64_t report, const struct fb_tls *t)
{
	sqlite3_stmt *pol = NULL, *fail = NULL;
	int ret = -1;
	if (prep(s, &pol,
	         "INSERT INTO fb_tls_policies(report, policy_type, policy_domain, mx_host,"
	         " successful_sessions, failed_sessions) VALUES(?1, ?2, ?3, ?4, ?5, ?6)") != 0 ||
	    prep(s, &fail,
	         "INSERT INTO fb_tls_failures(policy, result_type, sending_ip, receiving_ip,"
	         " receiving_mx, sessions, reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)") != 0)
		goto out;
	for (size_t i = 0; i < t->npol; i++) {
		const struct fb_tls_policy *p = &t->pol[i];
		char dom[FB_NAME];
		norm_domain(p->domain, dom, sizeof(dom));
		sqlite3_bind_int64(pol, 1, report);
		store_bind_text(pol, 2, p->type);
		store_bind_text(pol, 3, dom);
		store_bind_text(pol, 4, p->mx_host);
		bind_u64(pol, 5, p->ok);
		bind_u64(pol, 6, p->failed);
		if (store_step_done(s, pol, "storing a TLS policy") != 0 ||
		    put_tls_failures(s, fail, sqlite3_last_insert_rowid(s->db), p) != 0)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(pol);
	sqlite3_finalize(fail);
	return ret;
}

/* The report and what it holds; 1 stored, 0 stored before, -1. */
static int put_all(struct store *s, const struct fb_report *r)
{
	int64_t id = 0;
	if (put_report(s, r, &id) != 0)
		return -1;
	if (id == 0)
		return 0;
	int rc = 0;
	if (r->kind == FB_AGGREGATE && r->agg != NULL)
		rc = put_rows(s, id, r->agg);
	else if (r->kind == FB_FAILURE && r->fail != NULL)
		rc = put_failure(s, id, r->fail);
	else if (r->kind == FB_TLS && r->tls != NULL)
		rc = put_tls(s, id, r->tls);
	return rc == 0 ? 1 : -1;
}

int store_fb_put(struct store *s, const struct fb_report *r, char *err, size_t errlen)
{
	int rc;
	s->err[0] = '\0';
	if (s->version < FB_SCHEMA) {
		no_tables(s);
		snprintf(err, errlen, "%s", s->err);
		return -1;
	}
	/* SQLite transactions do not nest (store_begin is BEGIN IMMEDIATE):
	 * inside the caller's, a savepoint, so a report that fails leaves
	 * nothing of itself and the caller's transaction usable. */
	if (!sqlite3_get_autocommit(s->db)) {
		if (store_exec(s, "SAVEPOINT fb_put") != 0)
			goto fail;
		rc = put_all(s, r);
		if (rc < 0) {
			char keep[sizeof(s->err)];
			memcpy(keep, s->err, sizeof(keep));
			store_exec(s, "ROLLBACK TO fb_put; RELEASE fb_put");
			memcpy(s->err, keep, sizeof(keep));
			goto fail;
		}
		if (store_exec(s, "RELEASE fb_put") != 0)
			goto fail;
		return rc;
	}
	if (store_begin(s) != 0)
		goto fail;
	rc = put_all(s, r);
	if (rc < 0 || store_commit(s) != 0) {
		store_rollback(s);
		goto fail;
	}
	return rc;
fail:
	snprintf(err, errlen, "%s", s->err);
	return -1;
}

/* ---- Reading: the summary ---- */

/* What a summary fills, with the room of each list. */
struct acc {
	struct fb_summary *o;
	size_t cap_sources, cap_reporters, cap_days, cap_disps, cap_selectors, cap_tls;
};

/* What a summary counts (struct fb_query, normalised). */
struct fbq {
	char domain[FB_NAME]; /* "" every domain */
	int64_t since, until; /* bounds for begin_at: [since, until) */
	sqlite3_int64 limit;  /* -1: no cap (SQLite's LIMIT -1) */
};

/* The report filters, spliced into the SQL below where its tokens are:
 * for one domain a term the index fb_reports_domain serves (SQLite plans
 * "?1 IS NULL OR p.domain = ?1" as a scan), for every domain one that is
 * true. ?1 the domain (NULL: every one), ?2 and ?3 the bounds of
 * begin_at, ?4 the limit. */
#define RANGE " AND p.begin_at >= ?2 AND p.begin_at < ?3"
#define AGG   "p.kind = 'aggregate' AND @D" RANGE
/* A TLS report counts for a domain when it or one of its policies is
 * about that domain; its sessions, those of the domain's policies. */
#define TLS_REPORT "p.kind = 'tls' AND @R" RANGE
#define TLS_POLICY "p.kind = 'tls' AND @P" RANGE

static const struct {
	const char *token, *all, *one;
} filters[] = {
	{ "@D", "?1 IS NULL", "p.domain = ?1" },
	{ "@R", "?1 IS NULL",
	  "(p.domain = ?1 OR EXISTS (SELECT 1 FROM fb_tls_policies x WHERE x.report = p.id"
	  " AND x.policy_domain = ?1))" },
	{ "@P", "?1 IS NULL", "coalesce(t.policy_domain, p.domain) = ?1" },
};

/* sql with its filter tokens replaced, prepared and bound. */
static int query(struct store *s, const struct fbq *q, const char *sql, sqlite3_stmt **st)
{
	char buf[4096];
	size_t n = 0;
	while (*sql != '\0' && n + 1 < sizeof(buf)) {
		const char *with = NULL;
		for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]) && with == NULL; i++)
			if (strncmp(sql, filters[i].token, 2) == 0)
				with = q->domain[0] ? filters[i].one : filters[i].all;
		if (with == NULL) {
			buf[n++] = *sql++;
			continue;
		}
		size_t len = strlen(with);
		if (n + len + 1 >= sizeof(buf))
			break;
		memcpy(buf + n, with, len);
		n += len;
		sql += 2;
	}
	if (*sql != '\0') {
		snprintf(s->err, sizeof(s->err), "a report query is too long");
		return -1;
	}
	buf[n] = '\0';
	if (prep(s, st, buf) != 0)
		return -1;
	store_bind_text(*st, 1, q->domain);
	sqlite3_bind_int64(*st, 2, q->since);
	sqlite3_bind_int64(*st, 3, q->until);
	if (sqlite3_bind_parameter_count(*st) >= 4)
		sqlite3_bind_int64(*st, 4, q->limit);
	return 0;
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, len, "%s", t ? (const char *)t : "");
}

static uint64_t col_u64(sqlite3_stmt *st, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(st, i);
	return v < 0 ? 0 : (uint64_t)v;
}

/* A new zeroed element at the end of *v (n elements, room for *cap). */
static void *grow(void **v, size_t n, size_t *cap, size_t size)
{
	if (n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		void *p = realloc(*v, c * size);
		if (p == NULL)
			return NULL;
		*v = p;
		*cap = c;
	}
	void *e = (char *)*v + n * size;
	memset(e, 0, size);
	return e;
}

/* Steps st to its end, handing each row to fn; finalizes it. */
static int each(struct store *s, sqlite3_stmt *st, const char *what,
                int (*fn)(sqlite3_stmt *st, struct acc *a), struct acc *a)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn(st, a) != 0) {
			sqlite3_finalize(st);
			snprintf(s->err, sizeof(s->err), "out of memory");
			return -1;
		}
	}
	int ret = rc == SQLITE_DONE ? 0 : store_fail(s, what);
	sqlite3_finalize(st);
	return ret;
}

/* Runs sql (filtered by q) and hands each row to fn. */
static int run(struct store *s, const struct fbq *q, const char *sql, const char *what,
               int (*fn)(sqlite3_stmt *st, struct acc *a), struct acc *a)
{
	sqlite3_stmt *st;
	if (query(s, q, sql, &st) != 0)
		return -1;
	return each(s, st, what, fn, a);
}

/* The rows' sums per report: a lookup by fb_rows_report each. */
#define REPORT_MESSAGES "(SELECT coalesce(sum(r.count), 0) FROM fb_rows r WHERE r.report = p.id)"
#define REPORT_PASS                                                                                \
	"(SELECT coalesce(sum(r.count), 0) FROM fb_rows r WHERE r.report = p.id AND r.pass = 1)"

static int row_totals(sqlite3_stmt *st, struct acc *a)
{
	struct fb_summary *o = a->o;
	o->reports = col_u64(st, 0);
	o->first = sqlite3_column_int64(st, 1);
	o->last = sqlite3_column_int64(st, 2);
	o->messages = col_u64(st, 3);
	o->pass = col_u64(st, 4);
	o->fail = o->messages > o->pass ? o->messages - o->pass : 0;
	return 0;
}

static int row_policy(sqlite3_stmt *st, struct acc *a)
{
	struct fb_summary *o = a->o;
	col_text(st, 0, o->policy, sizeof(o->policy));
	return 0;
}

static int row_failures(sqlite3_stmt *st, struct acc *a)
{
	struct fb_summary *o = a->o;
	o->failure_reports = col_u64(st, 0);
	return 0;
}

static int row_tls_reports(sqlite3_stmt *st, struct acc *a)
{
	struct fb_summary *o = a->o;
	o->tls_reports = col_u64(st, 0);
	return 0;
}

static int row_tls_sessions(sqlite3_stmt *st, struct acc *a)
{
	struct fb_summary *o = a->o;
	o->tls_ok = col_u64(st, 0);
	o->tls_failed = col_u64(st, 1);
	return 0;
}

/* Totals over the aggregate reports (reports, messages, pass and fail,
 * first and last, the newest policy), the failure reports' count and
 * the TLS reports' totals. */
static int sum_totals(struct store *s, const struct fbq *q, struct acc *a)
{
	if (run(s, q,
	        "SELECT count(*), coalesce(min(p.begin_at), 0), coalesce(max(p.end_at), 0),"
	        " coalesce(sum(" REPORT_MESSAGES "), 0), coalesce(sum(" REPORT_PASS "), 0)"
	        " FROM fb_reports p WHERE " AGG,
	        "counting reports", row_totals, a) != 0 ||
	    run(s, q,
	        "SELECT p.policy_p FROM fb_reports p WHERE " AGG
	        " ORDER BY p.end_at DESC, p.begin_at DESC, p.id DESC LIMIT 1",
	        "reading the policy", row_policy, a) != 0 ||
	    run(s, q, "SELECT count(*) FROM fb_reports p WHERE p.kind = 'failure' AND @D" RANGE,
	        "counting failure reports", row_failures, a) != 0 ||
	    run(s, q, "SELECT count(*) FROM fb_reports p WHERE " TLS_REPORT, "counting TLS reports",
	        row_tls_reports, a) != 0)
		return -1;
	return run(s, q,
	           "SELECT coalesce(sum(t.successful_sessions), 0),"
	           " coalesce(sum(t.failed_sessions), 0) FROM fb_reports p"
	           " JOIN fb_tls_policies t ON t.report = p.id WHERE " TLS_POLICY,
	           "counting TLS sessions", row_tls_sessions, a);
}

static int row_source(sqlite3_stmt *st, struct acc *a)
{
	struct fb_summary *o = a->o;
	struct fb_source_sum *e =
	        grow((void **)&o->sources, o->nsources, &a->cap_sources, sizeof(*e));
	if (e == NULL)
		return -1;
	col_text(st, 0, e->ip, sizeof(e->ip));
	e->messages = col_u64(st, 1);
	e->pass = col_u64(st, 2);
	e->quarantined = col_u64(st, 3);
	e->rejected = col_u64(st, 4);
	e->dkim_pass = col_u64(st, 5);
	e->spf_pass = col_u64(st, 6);
	e->last_seen = sqlite3_column_int64(st, 7);
	e->last_fail = sqlite3_column_int64(st, 8);
	o->nsources++;
	return 0;
}

/* A kept source by its address: where bsearch finds it. */
struct ip_ref {
	const char *ip;
	size_t k; /* its index in the summary's sources */
};

static int cmp_ip_ref(const void *a, const void *b)
{
	const struct ip_ref *x = a, *y = b;
	return strcmp(x->ip, y->ip);
}

/* Appends word to a space-separated list unless it does not fit (or the
 * list was full already: the list stays the first few, in order). */
static void add_word(char *list, size_t len, const char *word, int *full)
{
	size_t have = strlen(list), n = strlen(word);
	if (*full || n == 0 || strchr(word, ' ') != NULL)
		return;
	if (have + (have ? 1 : 0) + n >= len) {
		*full = 1;
		return;
	}
	snprintf(list + have, len - have, "%s%s", have ? " " : "", word);
}

#define SOURCE_DOMAINS                                                                             \
	"SELECT r.source_ip, a.method, a.domain FROM fb_reports p"                                 \
	" JOIN fb_rows r ON r.report = p.id JOIN fb_auth a ON a.row = r.id"                        \
	" WHERE " AGG " AND a.domain IS NOT NULL"
#define SOURCE_DOMAINS_ORDER                                                                       \
	" GROUP BY r.source_ip, a.method, a.domain"                                                \
	" ORDER BY r.source_ip, a.method, sum(r.count) DESC, a.domain"

/* The addresses of the sources kept, as a JSON array (json_each reads it):
 * with a limit, only their records' auth results are looked up, not
 * those of every source (3 s of 5 for a million records, 20 kept). */
static char *kept_ips(const struct fb_summary *out)
{
	struct jsonw w;
	jsonw_init(&w);
	jsonw_arr(&w);
	for (size_t i = 0; i < out->nsources; i++)
		jsonw_str(&w, out->sources[i].ip);
	jsonw_end_arr(&w);
	return jsonw_finish(&w);
}

/* Adds one auth domain (a row of SOURCE_DOMAINS) to its source's list. */
static void add_source_domain(sqlite3_stmt *st, struct fb_summary *out, const struct ip_ref *by_ip,
                              int *full)
{
	char ip[FB_IP];
	col_text(st, 0, ip, sizeof(ip));
	struct ip_ref key = { ip, 0 };
	const struct ip_ref *hit = bsearch(&key, by_ip, out->nsources, sizeof(key), cmp_ip_ref);
	if (hit == NULL)
		return; /* a source past the limit */
	const char *method = (const char *)sqlite3_column_text(st, 1);
	const char *dom = (const char *)sqlite3_column_text(st, 2);
	struct fb_source_sum *e = &out->sources[hit->k];
	bool spf = method && strcmp(method, "spf") == 0;
	add_word(spf ? e->spf_domains : e->dkim_domains, FB_TEXT, dom ? dom : "",
	         &full[2 * hit->k + (spf ? 0 : 1)]);
}

/* The SPF and DKIM auth domains of each source kept: one pass over the
 * counted records, most messages first per source, each source found by
 * its address among those kept (sorted by address). */
static int source_domains(struct store *s, const struct fbq *q, struct fb_summary *out)
{
	if (out->nsources == 0)
		return 0;
	struct ip_ref *by_ip = calloc(out->nsources, sizeof(*by_ip));
	int *full = calloc(out->nsources * 2, sizeof(*full));
	char *ips = q->limit >= 0 ? kept_ips(out) : NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (by_ip == NULL || full == NULL || (q->limit >= 0 && ips == NULL)) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		goto out;
	}
	for (size_t i = 0; i < out->nsources; i++) {
		by_ip[i].ip = out->sources[i].ip;
		by_ip[i].k = i;
	}
	qsort(by_ip, out->nsources, sizeof(*by_ip), cmp_ip_ref);
	if (query(s, q,
	          ips ? SOURCE_DOMAINS " AND r.source_ip IN (SELECT value FROM "
	                               "json_each(?5))" SOURCE_DOMAINS_ORDER
	              : SOURCE_DOMAINS SOURCE_DOMAINS_ORDER,
	          &st) != 0)
		goto out;
	if (ips)
		sqlite3_bind_text(st, 5, ips, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		add_source_domain(st, out, by_ip, full);
	rc = rc == SQLITE_DONE ? 0 : store_fail(s, "reading the sources' domains");
out:
	sqlite3_finalize(st);
	free(by_ip);
	free(full);
	free(ips);
	return rc;
}

static int row_reporter(sqlite3_stmt *st, struct acc *a)
{
	struct fb_summary *o = a->o;
	struct fb_reporter_sum *e =
	        grow((void **)&o->reporters, o->nreporters, &a->cap_reporters, sizeof(*e));
	if (e == NULL)
		return -1;
	col_text(st, 0, e->org, sizeof(e->org));
	e->reports = col_u64(st, 1);
	e->messages = col_u64(st, 2);
	o->nreporters++;
	return 0;
}

static int row_day(sqlite3_stmt *st, struct acc *a)
{
	struct fb_summary *o = a->o;
	struct fb_day_sum *e = grow((void **)&o->days, o->ndays, &a->cap_days, sizeof(*e));
	if (e == NULL)
		return -1;
	e->day = sqlite3_column_int64(st, 0);
	e->messages = col_u64(st, 1);
	e->pass = col_u64(st, 2);
	o->ndays++;
	return 0;
}

static int row_disp(sqlite3_stmt *st, struct acc *a)
{
	struct fb_summary *o = a->o;
	struct fb_disp_sum *e =
	        grow((void **)&o->dispositions, o->ndispositions, &a->cap_disps, sizeof(*e));
	if (e == NULL)
		return -1;
	col_text(st, 0, e->disposition, sizeof(e->disposition));
	e->messages = col_u64(st, 1);
	o->ndispositions++;
	return 0;
}

static int row_selector(sqlite3_stmt *st, struct acc *a)
{
	struct fb_summary *o = a->o;
	struct fb_selector_sum *e =
	        grow((void **)&o->selectors, o->nselectors, &a->cap_selectors, sizeof(*e));
	if (e == NULL)
		return -1;
	col_text(st, 0, e->domain, sizeof(e->domain));
	col_text(st, 1, e->selector, sizeof(e->selector));
	e->messages = col_u64(st, 2);
	e->pass = col_u64(st, 3);
	o->nselectors++;
	return 0;
}

static int row_tls(sqlite3_stmt *st, struct acc *a)
{
	struct fb_summary *o = a->o;
	struct fb_tls_sum *e = grow((void **)&o->tls, o->ntls, &a->cap_tls, sizeof(*e));
	if (e == NULL)
		return -1;
	col_text(st, 0, e->policy_type, sizeof(e->policy_type));
	col_text(st, 1, e->result_type, sizeof(e->result_type));
	e->sessions = col_u64(st, 2);
	o->ntls++;
	return 0;
}

#define AGG_ROWS " FROM fb_reports p JOIN fb_rows r ON r.report = p.id WHERE " AGG

/* The lists: sources, reporters, days, dispositions, selectors, TLS. */
static int sum_lists(struct store *s, const struct fbq *q, struct acc *a)
{
	if (run(s, q,
	        "SELECT r.source_ip, sum(r.count), sum(r.count * r.pass),"
	        " sum(CASE r.disposition WHEN 'quarantine' THEN r.count ELSE 0 END),"
	        " sum(CASE r.disposition WHEN 'reject' THEN r.count ELSE 0 END),"
	        " sum(CASE r.dkim WHEN 'pass' THEN r.count ELSE 0 END),"
	        " sum(CASE r.spf WHEN 'pass' THEN r.count ELSE 0 END),"
	        " max(p.end_at), coalesce(max(CASE WHEN r.pass = 0 THEN p.end_at END), 0)" AGG_ROWS
	        " GROUP BY r.source_ip ORDER BY 2 DESC, r.source_ip LIMIT ?4",
	        "reading the sources", row_source, a) != 0 ||
	    source_domains(s, q, a->o) != 0 ||
	    run(s, q,
	        "SELECT p.org, count(*), sum(" REPORT_MESSAGES ") FROM fb_reports p WHERE " AGG
	        " GROUP BY p.org ORDER BY 3 DESC, 2 DESC, p.org LIMIT ?4",
	        "reading the reporters", row_reporter, a) != 0 ||
	    run(s, q,
	        "SELECT p.begin_at / 86400 * 86400 AS day, coalesce(sum(r.count), 0),"
	        " coalesce(sum(r.count * r.pass), 0) FROM fb_reports p"
	        " LEFT JOIN fb_rows r ON r.report = p.id WHERE " AGG " GROUP BY day ORDER BY day",
	        "reading the days", row_day, a) != 0 ||
	    run(s, q,
	        "SELECT r.disposition, sum(r.count)" AGG_ROWS
	        " GROUP BY r.disposition ORDER BY 2 DESC, r.disposition",
	        "reading the dispositions", row_disp, a) != 0 ||
	    run(s, q,
	        "SELECT a.domain, a.selector, sum(r.count),"
	        " sum(CASE a.result WHEN 'pass' THEN r.count ELSE 0 END)"
	        " FROM fb_reports p JOIN fb_rows r ON r.report = p.id"
	        " JOIN fb_auth a ON a.row = r.id WHERE " AGG " AND a.method = 'dkim'"
	        " GROUP BY a.domain, a.selector ORDER BY 3 DESC, a.domain, a.selector LIMIT ?4",
	        "reading the selectors", row_selector, a) != 0)
		return -1;
	/* RFC 8460 4.4: per policy type, its successful sessions (result
	 * type "") and its failed ones per result type. */
	return run(s, q,
	           "SELECT pt, rt, n FROM ("
	           " SELECT t.policy_type AS pt, '' AS rt, sum(t.successful_sessions) AS n"
	           "  FROM fb_reports p JOIN fb_tls_policies t ON t.report = p.id"
	           "  WHERE " TLS_POLICY " GROUP BY t.policy_type"
	           " UNION ALL"
	           " SELECT t.policy_type, f.result_type, sum(f.sessions)"
	           "  FROM fb_reports p JOIN fb_tls_policies t ON t.report = p.id"
	           "  JOIN fb_tls_failures f ON f.policy = t.id"
	           "  WHERE " TLS_POLICY " GROUP BY t.policy_type, f.result_type)"
	           " WHERE n > 0 ORDER BY pt, n DESC, rt LIMIT ?4",
	           "reading the TLS sessions", row_tls, a);
}

static void summary_free(struct fb_summary *o)
{
	free(o->sources);
	free(o->reporters);
	free(o->days);
	free(o->dispositions);
	free(o->selectors);
	free(o->tls);
	o->sources = NULL;
	o->reporters = NULL;
	o->days = NULL;
	o->dispositions = NULL;
	o->selectors = NULL;
	o->tls = NULL;
	o->nsources = o->nreporters = o->ndays = o->ndispositions = o->nselectors = o->ntls = 0;
}

int store_fb_summary(struct store *s, const struct fb_query *q, size_t limit,
                     struct fb_summary *out, char *err, size_t errlen)
{
	struct fbq fq;
	memset(out, 0, sizeof(*out));
	norm_domain(q->domain, fq.domain, sizeof(fq.domain));
	fq.since = q->since ? q->since : INT64_MIN;
	fq.until = q->until ? q->until : INT64_MAX;
	fq.limit = limit ? (sqlite3_int64)limit : -1;
	snprintf(out->domain, sizeof(out->domain), "%s", fq.domain);
	out->since = q->since;
	out->until = q->until;
	if (s->version < FB_SCHEMA)
		return 0; /* an older schema read as it is: no reports stored */
	struct acc a = { .o = out };
	if (sum_totals(s, &fq, &a) != 0 || sum_lists(s, &fq, &a) != 0) {
		summary_free(out);
		snprintf(err, errlen, "%s", s->err);
		return -1;
	}
	return 0;
}

/* ---- Counting ---- */

int store_fb_counts(struct store *s, uint64_t *aggregate, uint64_t *failure, uint64_t *tls)
{
	sqlite3_stmt *st;
	int rc;
	*aggregate = *failure = *tls = 0;
	if (s->version < FB_SCHEMA)
		return 0;
	if (prep(s, &st, "SELECT kind, count(*) FROM fb_reports GROUP BY kind") != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		uint64_t n = col_u64(st, 1);
		if (k == NULL)
			continue;
		if (strcmp(k, "aggregate") == 0)
			*aggregate = n;
		else if (strcmp(k, "failure") == 0)
			*failure = n;
		else if (strcmp(k, "tls") == 0)
			*tls = n;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "counting reports");
}

long store_fb_domains(struct store *s, char (*out)[FB_NAME], size_t max)
{
	sqlite3_stmt *st;
	int rc;
	long n = 0;
	if (s->version < FB_SCHEMA || max == 0)
		return 0;
	/* Aggregate reports' messages first (their unit: messages), then
	 * how many reports of any kind. */
	if (prep(s, &st,
	         "SELECT domain FROM fb_reports WHERE domain IS NOT NULL GROUP BY domain"
	         " ORDER BY sum(CASE kind WHEN 'aggregate' THEN messages ELSE 0 END) DESC,"
	         " count(*) DESC, domain LIMIT ?1") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, max > (size_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && (size_t)n < max)
		col_text(st, 0, out[n++], FB_NAME);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "listing the reports' domains");
	return n;
}

/* ---- Checking ---- */

/* posture's own checks of the report tables: what each report says of
 * itself against what is stored under it. Each query names the first
 * report that disagrees; the count is of reports (or rows) wrong. */
static const struct {
	const char *what;
	const char *sql;
} fb_checks[] = {
	{ "an aggregate report's record count differs from its stored rows",
	  "SELECT count(*), min(r.org || ' ' || r.report_id) FROM fb_reports r"
	  " WHERE r.kind = 'aggregate'"
	  " AND r.records <> (SELECT count(*) FROM fb_rows w WHERE w.report = r.id)" },
	{ "an aggregate report's messages differ from the sum of its rows' counts",
	  "SELECT count(*), min(r.org || ' ' || r.report_id) FROM fb_reports r"
	  " WHERE r.kind = 'aggregate' AND r.messages <>"
	  " (SELECT coalesce(sum(w.count), 0) FROM fb_rows w WHERE w.report = r.id)" },
	{ "a TLS report's policy count differs from its stored policies",
	  "SELECT count(*), min(r.org || ' ' || r.report_id) FROM fb_reports r"
	  " WHERE r.kind = 'tls'"
	  " AND r.records <> (SELECT count(*) FROM fb_tls_policies p WHERE p.report = r.id)" },
	{ "a failure report has no stored fields",
	  "SELECT count(*), min(r.org || ' ' || r.report_id) FROM fb_reports r"
	  " WHERE r.kind = 'failure'"
	  " AND NOT EXISTS (SELECT 1 FROM fb_failures f WHERE f.report = r.id)" },
	{ "a report of an unknown kind", "SELECT count(*), min(r.kind) FROM fb_reports r"
	                                 " WHERE r.kind NOT IN ('aggregate', 'failure', 'tls')" },
	{ "rows of no stored report",
	  "SELECT count(*), min(w.id) FROM fb_rows w"
	  " WHERE NOT EXISTS (SELECT 1 FROM fb_reports r WHERE r.id = w.report)" },
	{ "DKIM/SPF results of no stored row",
	  "SELECT count(*), min(a.row) FROM fb_auth a"
	  " WHERE NOT EXISTS (SELECT 1 FROM fb_rows w WHERE w.id = a.row)" },
	{ "a report's findings are not a JSON array",
	  "SELECT count(*), min(r.org || ' ' || r.report_id) FROM fb_reports r"
	  " WHERE json_valid(r.findings) = 0 OR json_type(r.findings) <> 'array'" },
};

int store_fb_check(struct store *s, int64_t *reports, int64_t *bad, char *first, size_t len)
{
	*reports = 0;
	if (s->version < FB_SCHEMA)
		return 0;
	*reports = store_scalar(s, "SELECT count(*) FROM fb_reports", 0);
	for (size_t i = 0; i < sizeof(fb_checks) / sizeof(fb_checks[0]); i++) {
		sqlite3_stmt *st;
		if (prep(s, &st, fb_checks[i].sql) != 0)
			return -1;
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
			int64_t n = sqlite3_column_int64(st, 0);
			if (*bad == 0 && first[0] == '\0') {
				const char *x = (const char *)sqlite3_column_text(st, 1);
				snprintf(first, len, "%s (%lld; the first: %s)", fb_checks[i].what,
				         (long long)n, x ? x : "?");
			}
			*bad += n;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_fail(s, "checking reports");
	}
	return 0;
}
