/*
 * Unit tests for db/fbstore.c (schema 7: receivers' reports) on temporary
 * database files: a report is stored once, its records, auth results,
 * failure fields and TLS policies land in their tables, and the summary's
 * aggregates (totals, sources, reporters, days, dispositions, selectors,
 * TLS sessions) equal what the reports below say, counted by hand; the
 * date and domain filters, the orders and the limit; a schema-6 database
 * read as it is (no reports) and migrated on a writer's open.
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

#include "fbstore.h"
#include "store.h"
#include "store_impl.h"

/* The days the reports cover (UTC): 2024-01-01 and 2024-01-02. */
#define DAY1 1704067200
#define DAY2 1704153600
#define DAY3 1704240000

static char dir[64];

static int setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/fbstore.XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void db_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static struct store *open_db(const char *name)
{
	char path[128], err[256];
	db_path(path, sizeof(path), name);
	struct store *s = store_open(path, err, sizeof(err));
	if (s == NULL)
		fail_msg("%s", err);
	return s;
}

static void set(char *dst, size_t len, const char *v)
{
	snprintf(dst, len, "%s", v);
}
#define SET(dst, v) set((dst), sizeof(dst), (v))

static void auth(struct fb_auth *a, const char *domain, const char *selector, const char *result,
                 const char *scope)
{
	memset(a, 0, sizeof(*a));
	SET(a->domain, domain);
	SET(a->selector, selector);
	SET(a->result, result);
	SET(a->scope, scope);
}

static void row(struct fb_row *w, const char *ip, uint64_t count, const char *disposition,
                const char *dkim, const char *spf)
{
	memset(w, 0, sizeof(*w));
	SET(w->source_ip, ip);
	w->count = count;
	SET(w->disposition, disposition);
	SET(w->dkim, dkim);
	SET(w->spf, spf);
	SET(w->header_from, "example.com");
}

/* The reports: built by hand, each in static storage of its own. */
struct agg_fixture {
	struct fb_report r;
	struct fb_aggregate a;
	struct fb_row rows[3];
	struct fb_auth dkim[3][2], spf[3][1];
};

static void aggregate(struct agg_fixture *f, const char *org, const char *id, const char *domain,
                      int64_t begin, const char *p)
{
	memset(f, 0, sizeof(*f));
	f->r.kind = FB_AGGREGATE;
	SET(f->r.where, "reports.zip: report.xml");
	SET(f->r.org, org);
	SET(f->r.report_id, id);
	SET(f->r.domain, domain);
	f->r.begin = f->a.begin = begin;
	f->r.end = f->a.end = begin + 86399;
	f->r.agg = &f->a;
	SET(f->a.schema, "rfc7489");
	SET(f->a.org, org);
	SET(f->a.report_id, id);
	SET(f->a.domain, domain);
	SET(f->a.p, p);
	SET(f->a.adkim, "r");
	f->a.pct = -1;
	f->a.rows = f->rows;
}

static void add_row(struct agg_fixture *f, const char *ip, uint64_t count, const char *disposition,
                    const char *dkim, const char *spf)
{
	struct fb_row *w = &f->rows[f->a.nrows++];
	row(w, ip, count, disposition, dkim, spf);
	w->dkim_auth = f->dkim[f->a.nrows - 1];
	w->spf_auth = f->spf[f->a.nrows - 1];
	f->a.messages += count;
	f->r.rows = f->a.nrows;
	f->r.messages = f->a.messages;
}

static void add_dkim(struct agg_fixture *f, const char *domain, const char *selector,
                     const char *result)
{
	struct fb_row *w = &f->rows[f->a.nrows - 1];
	auth(&w->dkim_auth[w->ndkim_auth++], domain, selector, result, "");
}

static void add_spf(struct agg_fixture *f, const char *domain, const char *result)
{
	struct fb_row *w = &f->rows[f->a.nrows - 1];
	auth(&w->spf_auth[w->nspf_auth++], domain, "", result, "mfrom");
}

static struct agg_fixture a1, a2, a3;
static struct fb_report f1, t1;
static struct fb_failure fail1;
static struct fb_tls tls1;
static struct fb_tls_policy pol[2];
static struct fb_tls_failure tfail[2];
static char headers[] = "From: a@example.com\r\nSubject: hi\r\n";

/*
 * A1 (google.com, example.com, day 1, p=none): 192.0.2.1 x10 passing
 * both, 198.51.100.7 x5 quarantined failing both, 192.0.2.1 x3 passing
 * SPF only (its DKIM signatures: example.com failing, esp.example passing).
 * A2 (Yahoo, example.com, day 2, p=quarantine): 203.0.113.9 x20 rejected.
 * A3 (google.com, other.org, day 1, p=reject): 192.0.2.1 x7 passing DKIM.
 * F1: a failure report on example.com, day 1. T1: a TLS report on
 * example.com, day 1: sts 100 ok / 3 failed (2 certificate-expired, 1
 * starttls-not-supported), tlsa 50 ok.
 */
static void fixtures(void)
{
	aggregate(&a1, "google.com", "r1", "Example.COM", DAY1, "none");
	add_row(&a1, "192.0.2.1", 10, "none", "pass", "pass");
	add_dkim(&a1, "example.com", "s1", "pass");
	add_spf(&a1, "example.com", "pass");
	add_row(&a1, "198.51.100.7", 5, "quarantine", "fail", "fail");
	add_dkim(&a1, "other.example", "s2", "fail");
	add_spf(&a1, "bulk.example", "fail");
	add_row(&a1, "192.0.2.1", 3, "none", "fail", "pass");
	add_dkim(&a1, "example.com", "s1", "fail");
	add_dkim(&a1, "esp.example", "k1", "pass");
	add_spf(&a1, "example.com", "pass");
	findings_add(&a1.r.findings, "dmarc.monitor_only", FINDING_WARNING, "record 2", NULL,
	             "cut at %d", 10);

	aggregate(&a2, "Yahoo", "y1", "example.com", DAY2, "quarantine");
	add_row(&a2, "203.0.113.9", 20, "reject", "fail", "fail");
	add_spf(&a2, "spoof.example", "fail");

	aggregate(&a3, "google.com", "r2", "other.org", DAY1, "reject");
	add_row(&a3, "192.0.2.1", 7, "none", "pass", "fail");
	add_dkim(&a3, "other.org", "sel", "pass");

	memset(&f1, 0, sizeof(f1));
	memset(&fail1, 0, sizeof(fail1));
	f1.kind = FB_FAILURE;
	SET(f1.where, "inbox.mbox: message 3");
	SET(f1.org, "mta.example");
	SET(f1.report_id, "<msg1@mta.example>");
	SET(f1.domain, "example.com");
	f1.begin = f1.end = DAY1 + 3600;
	f1.rows = f1.messages = 1;
	f1.fail = &fail1;
	SET(fail1.feedback_type, "auth-failure");
	SET(fail1.auth_failure, "dmarc");
	SET(fail1.source_ip, "198.51.100.7");
	SET(fail1.reported_domain, "example.com");
	SET(fail1.subject, "hi");
	fail1.arrival = DAY1 + 3600;
	fail1.original_headers = headers;
	fail1.original_headers_len = strlen(headers);

	memset(&t1, 0, sizeof(t1));
	memset(&tls1, 0, sizeof(tls1));
	memset(pol, 0, sizeof(pol));
	memset(tfail, 0, sizeof(tfail));
	t1.kind = FB_TLS;
	SET(t1.org, "Google Inc.");
	SET(t1.report_id, "2024-01-01T00:00:00Z_example.com");
	SET(t1.domain, "example.com");
	t1.begin = tls1.begin = DAY1;
	t1.end = tls1.end = DAY2 - 1;
	t1.rows = 2;
	t1.messages = 153;
	t1.tls = &tls1;
	SET(tls1.contact, "smtp-tls-reporting@google.com");
	tls1.pol = pol;
	tls1.npol = 2;
	SET(pol[0].type, "sts");
	SET(pol[0].domain, "example.com");
	SET(pol[0].mx_host, "mx.example.com");
	pol[0].ok = 100;
	pol[0].failed = 3;
	pol[0].fail = tfail;
	pol[0].nfail = 2;
	SET(tfail[0].result_type, "starttls-not-supported");
	SET(tfail[0].sending_ip, "209.85.220.41");
	tfail[0].sessions = 1;
	SET(tfail[1].result_type, "certificate-expired");
	tfail[1].sessions = 2;
	SET(pol[1].type, "tlsa");
	SET(pol[1].domain, "EXAMPLE.com");
	pol[1].ok = 50;
}

static void put_ok(struct store *s, const struct fb_report *r, int want)
{
	char err[256] = "";
	int rc = store_fb_put(s, r, err, sizeof(err));
	if (rc < 0)
		fail_msg("store_fb_put: %s", err);
	assert_int_equal(rc, want);
}

/* A database with every fixture, stored once (A3 inside the caller's
 * transaction). */
static struct store *loaded(const char *name)
{
	fixtures();
	struct store *s = open_db(name);
	put_ok(s, &a1.r, 1);
	put_ok(s, &a2.r, 1);
	assert_int_equal(store_begin(s), 0);
	put_ok(s, &a3.r, 1);
	put_ok(s, &a1.r, 0); /* inside a transaction too */
	assert_int_equal(store_commit(s), 0);
	put_ok(s, &f1, 1);
	put_ok(s, &t1, 1);
	findings_cleanup(&a1.r.findings);
	return s;
}

/* The first column of the first row of sql, as text (a second
 * connection: the store's are WAL, so it sees every commit). */
static void text_of(const char *name, const char *sql, char *out, size_t len)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	db_path(path, sizeof(path), name);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	out[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_put_once(void **state)
{
	(void)state;
	char got[512];
	struct store *s = loaded("put.db");
	assert_int_equal(store_scalar(s, "PRAGMA user_version", 0), STORE_SCHEMA_VERSION);
	put_ok(s, &a1.r, 0);
	put_ok(s, &t1, 0);
	put_ok(s, &f1, 0);
	/* Another kind with A1's org and id is another report. */
	SET(f1.org, "google.com");
	SET(f1.report_id, "r1");
	put_ok(s, &f1, 1);
	put_ok(s, &f1, 0);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM fb_reports WHERE ?1 = ?1", 0), 6);

	/* 3 + 1 + 1 records; DKIM results 4 + 0 + 1 (A1's third record has
	 * two), SPF 3 + 1 + 0. */
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM fb_rows WHERE ?1 = ?1", 0), 5);
	assert_int_equal(store_scalar(s,
	                              "SELECT count(*) FROM fb_auth WHERE method = 'dkim'"
	                              " AND ?1 = ?1",
	                              0),
	                 5);
	assert_int_equal(store_scalar(s,
	                              "SELECT count(*) FROM fb_auth WHERE method = 'spf'"
	                              " AND ?1 = ?1",
	                              0),
	                 4);
	assert_int_equal(
	        store_scalar(s, "SELECT sum(count) FROM fb_rows WHERE pass = 1 AND ?1 = ?1", 0),
	        10 + 3 + 7);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM fb_failures WHERE ?1 = ?1", 0), 2);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM fb_tls_policies WHERE ?1 = ?1", 0),
	                 2);
	assert_int_equal(
	        store_scalar(s, "SELECT sum(sessions) FROM fb_tls_failures WHERE ?1 = ?1", 0), 3);

	text_of("put.db",
	        "SELECT kind || ' ' || org || ' ' || domain || ' ' || records || ' ' || messages"
	        " || ' ' || policy_p || ' ' || policy_adkim || ' ' || (policy_pct IS NULL)"
	        " || ' ' || imported_from FROM fb_reports WHERE report_id = 'r1'"
	        " AND kind = 'aggregate' AND records = 3",
	        got, sizeof(got));
	assert_string_equal(got, "aggregate google.com example.com 3 18 none r 1 "
	                         "reports.zip: report.xml");
	text_of("put.db", "SELECT findings FROM fb_reports WHERE report_id = 'r1' AND records = 3",
	        got, sizeof(got));
	assert_string_equal(got, "[{\"code\":\"dmarc.monitor_only\",\"severity\":\"warning\","
	                         "\"message\":\"cut at 10\",\"path\":\"record 2\"}]");
	text_of("put.db", "SELECT findings FROM fb_reports WHERE report_id = 'y1'", got,
	        sizeof(got));
	assert_string_equal(got, "[]");
	text_of("put.db",
	        "SELECT kind || ' ' || email || ' ' || begin_at FROM fb_reports WHERE kind = 'tls'",
	        got, sizeof(got));
	assert_string_equal(got, "tls smtp-tls-reporting@google.com 1704067200");
	text_of("put.db",
	        "SELECT group_concat(policy_type || '/' || policy_domain || '/' ||"
	        " successful_sessions || '/' || failed_sessions, ' ') FROM fb_tls_policies",
	        got, sizeof(got));
	assert_string_equal(got, "sts/example.com/100/3 tlsa/example.com/50/0");
	text_of("put.db",
	        "SELECT feedback_type || ' ' || auth_failure || ' ' || arrival || ' '"
	        " || original_headers FROM fb_failures",
	        got, sizeof(got));
	assert_string_equal(got, "auth-failure dmarc 1704070800 From: a@example.com\r\n"
	                         "Subject: hi\r\n");
	text_of("put.db",
	        "SELECT group_concat(a.method || ':' || a.domain || ':' || coalesce(a.selector, '')"
	        " || ':' || a.result || ':' || coalesce(a.scope, ''), ' ') FROM fb_auth a"
	        " JOIN fb_rows r ON r.id = a.row WHERE r.count = 3",
	        got, sizeof(got));
	assert_string_equal(got, "dkim:example.com:s1:fail: dkim:esp.example:k1:pass: "
	                         "spf:example.com::pass:mfrom");

	uint64_t na, nf, nt;
	assert_int_equal(store_fb_counts(s, &na, &nf, &nt), 0);
	assert_int_equal(na, 3);
	assert_int_equal(nf, 2);
	assert_int_equal(nt, 1);
	char doms[4][FB_NAME];
	/* example.com: 18 + 20 messages; other.org 7. */
	assert_int_equal(store_fb_domains(s, doms, 4), 2);
	assert_string_equal(doms[0], "example.com");
	assert_string_equal(doms[1], "other.org");
	assert_int_equal(store_fb_domains(s, doms, 1), 1);
	store_close(s);
}

static void summary(struct store *s, const char *domain, int64_t since, int64_t until, size_t limit,
                    struct fb_summary *out)
{
	char err[256] = "";
	struct fb_query q = { domain, since, until };
	if (store_fb_summary(s, &q, limit, out, err, sizeof(err)) != 0)
		fail_msg("store_fb_summary: %s", err);
}

static void check_source(const struct fb_source_sum *e, const char *ip, uint64_t messages,
                         uint64_t pass, uint64_t quarantined, uint64_t rejected, uint64_t dkim_pass,
                         uint64_t spf_pass, const char *spf_domains, const char *dkim_domains,
                         int64_t last_seen, int64_t last_fail)
{
	assert_string_equal(e->ip, ip);
	assert_int_equal(e->messages, messages);
	assert_int_equal(e->pass, pass);
	assert_int_equal(e->quarantined, quarantined);
	assert_int_equal(e->rejected, rejected);
	assert_int_equal(e->dkim_pass, dkim_pass);
	assert_int_equal(e->spf_pass, spf_pass);
	assert_string_equal(e->spf_domains, spf_domains);
	assert_string_equal(e->dkim_domains, dkim_domains);
	assert_int_equal(e->last_seen, last_seen);
	assert_int_equal(e->last_fail, last_fail);
}

static void test_summary_domain(void **state)
{
	(void)state;
	struct fb_summary o;
	struct store *s = loaded("sum.db");
	/* The domain as a user may type it. */
	summary(s, "Example.com.", 0, 0, 0, &o);
	assert_string_equal(o.domain, "example.com");
	assert_int_equal(o.reports, 2);
	assert_int_equal(o.messages, 38);
	assert_int_equal(o.pass, 13);
	assert_int_equal(o.fail, 25);
	assert_int_equal(o.first, DAY1);
	assert_int_equal(o.last, DAY3 - 1);
	assert_string_equal(o.policy, "quarantine"); /* A2's, the newest */

	assert_int_equal(o.nsources, 3);
	check_source(&o.sources[0], "203.0.113.9", 20, 0, 0, 20, 0, 0, "spoof.example", "",
	             DAY3 - 1, DAY3 - 1);
	check_source(&o.sources[1], "192.0.2.1", 13, 13, 0, 0, 10, 13, "example.com",
	             "example.com esp.example", DAY2 - 1, 0);
	check_source(&o.sources[2], "198.51.100.7", 5, 0, 5, 0, 0, 0, "bulk.example",
	             "other.example", DAY2 - 1, DAY2 - 1);

	assert_int_equal(o.nreporters, 2);
	assert_string_equal(o.reporters[0].org, "Yahoo");
	assert_int_equal(o.reporters[0].reports, 1);
	assert_int_equal(o.reporters[0].messages, 20);
	assert_string_equal(o.reporters[1].org, "google.com");
	assert_int_equal(o.reporters[1].reports, 1);
	assert_int_equal(o.reporters[1].messages, 18);

	assert_int_equal(o.ndays, 2);
	assert_int_equal(o.days[0].day, DAY1);
	assert_int_equal(o.days[0].messages, 18);
	assert_int_equal(o.days[0].pass, 13);
	assert_int_equal(o.days[1].day, DAY2);
	assert_int_equal(o.days[1].messages, 20);
	assert_int_equal(o.days[1].pass, 0);

	assert_int_equal(o.ndispositions, 3);
	assert_string_equal(o.dispositions[0].disposition, "reject");
	assert_int_equal(o.dispositions[0].messages, 20);
	assert_string_equal(o.dispositions[1].disposition, "none");
	assert_int_equal(o.dispositions[1].messages, 13);
	assert_string_equal(o.dispositions[2].disposition, "quarantine");
	assert_int_equal(o.dispositions[2].messages, 5);

	assert_int_equal(o.nselectors, 3);
	assert_string_equal(o.selectors[0].domain, "example.com");
	assert_string_equal(o.selectors[0].selector, "s1");
	assert_int_equal(o.selectors[0].messages, 13);
	assert_int_equal(o.selectors[0].pass, 10);
	assert_string_equal(o.selectors[1].domain, "other.example");
	assert_string_equal(o.selectors[1].selector, "s2");
	assert_int_equal(o.selectors[1].messages, 5);
	assert_int_equal(o.selectors[1].pass, 0);
	assert_string_equal(o.selectors[2].domain, "esp.example");
	assert_string_equal(o.selectors[2].selector, "k1");
	assert_int_equal(o.selectors[2].messages, 3);
	assert_int_equal(o.selectors[2].pass, 3);

	assert_int_equal(o.failure_reports, 1);
	assert_int_equal(o.tls_reports, 1);
	assert_int_equal(o.tls_ok, 150);
	assert_int_equal(o.tls_failed, 3);
	assert_int_equal(o.ntls, 4);
	assert_string_equal(o.tls[0].policy_type, "sts");
	assert_string_equal(o.tls[0].result_type, "");
	assert_int_equal(o.tls[0].sessions, 100);
	assert_string_equal(o.tls[1].policy_type, "sts");
	assert_string_equal(o.tls[1].result_type, "certificate-expired");
	assert_int_equal(o.tls[1].sessions, 2);
	assert_string_equal(o.tls[2].policy_type, "sts");
	assert_string_equal(o.tls[2].result_type, "starttls-not-supported");
	assert_int_equal(o.tls[2].sessions, 1);
	assert_string_equal(o.tls[3].policy_type, "tlsa");
	assert_string_equal(o.tls[3].result_type, "");
	assert_int_equal(o.tls[3].sessions, 50);
	fb_summary_cleanup(&o);

	/* Another domain: only A3, nothing else. */
	summary(s, "other.org", 0, 0, 0, &o);
	assert_int_equal(o.reports, 1);
	assert_int_equal(o.messages, 7);
	assert_int_equal(o.pass, 7);
	assert_string_equal(o.policy, "reject");
	assert_int_equal(o.nsources, 1);
	check_source(&o.sources[0], "192.0.2.1", 7, 7, 0, 0, 7, 0, "", "other.org", DAY2 - 1, 0);
	assert_int_equal(o.failure_reports, 0);
	assert_int_equal(o.tls_reports, 0);
	assert_int_equal(o.ntls, 0);
	fb_summary_cleanup(&o);

	/* A domain without reports. */
	summary(s, "nothing.example", 0, 0, 0, &o);
	assert_int_equal(o.reports, 0);
	assert_int_equal(o.messages, 0);
	assert_int_equal(o.first, 0);
	assert_int_equal(o.last, 0);
	assert_string_equal(o.policy, "");
	assert_int_equal(
	        o.nsources + o.nreporters + o.ndays + o.ndispositions + o.nselectors + o.ntls, 0);
	fb_summary_cleanup(&o);
	store_close(s);
}

static void test_summary_all_and_limit(void **state)
{
	(void)state;
	struct fb_summary o;
	struct store *s = loaded("all.db");
	summary(s, NULL, 0, 0, 0, &o);
	assert_string_equal(o.domain, "");
	assert_int_equal(o.reports, 3);
	assert_int_equal(o.messages, 45);
	assert_int_equal(o.pass, 20);
	assert_int_equal(o.fail, 25);
	assert_string_equal(o.policy, "quarantine");
	/* 192.0.2.1 and 203.0.113.9 both sent 20: the address decides. */
	assert_int_equal(o.nsources, 3);
	check_source(&o.sources[0], "192.0.2.1", 20, 20, 0, 0, 17, 13, "example.com",
	             "example.com other.org esp.example", DAY2 - 1, 0);
	assert_string_equal(o.sources[1].ip, "203.0.113.9");
	assert_string_equal(o.sources[2].ip, "198.51.100.7");
	assert_int_equal(o.nreporters, 2);
	assert_string_equal(o.reporters[0].org, "google.com");
	assert_int_equal(o.reporters[0].reports, 2);
	assert_int_equal(o.reporters[0].messages, 25);
	assert_int_equal(o.ndays, 2);
	assert_int_equal(o.days[0].messages, 25);
	assert_int_equal(o.days[0].pass, 20);
	assert_int_equal(o.nselectors, 4);
	assert_string_equal(o.selectors[1].domain, "other.org");
	assert_int_equal(o.selectors[1].messages, 7);
	fb_summary_cleanup(&o);

	/* "" is every domain too; the limit caps the lists, not the totals
	 * or the days. */
	summary(s, "", 0, 0, 1, &o);
	assert_int_equal(o.reports, 3);
	assert_int_equal(o.messages, 45);
	assert_int_equal(o.nsources, 1);
	check_source(&o.sources[0], "192.0.2.1", 20, 20, 0, 0, 17, 13, "example.com",
	             "example.com other.org esp.example", DAY2 - 1, 0);
	assert_int_equal(o.nreporters, 1);
	assert_string_equal(o.reporters[0].org, "google.com");
	assert_int_equal(o.nselectors, 1);
	assert_string_equal(o.selectors[0].selector, "s1");
	assert_int_equal(o.ntls, 1);
	assert_int_equal(o.tls[0].sessions, 100);
	assert_int_equal(o.ndays, 2);
	assert_int_equal(o.ndispositions, 3);
	assert_int_equal(o.tls_ok, 150);
	fb_summary_cleanup(&o);
	store_close(s);
}

static void test_summary_dates(void **state)
{
	(void)state;
	struct fb_summary o;
	struct store *s = loaded("dates.db");
	/* From day 2: A2 only; the failure and TLS reports begin on day 1. */
	summary(s, "example.com", DAY2, 0, 0, &o);
	assert_int_equal(o.since, DAY2);
	assert_int_equal(o.reports, 1);
	assert_int_equal(o.messages, 20);
	assert_int_equal(o.pass, 0);
	assert_int_equal(o.first, DAY2);
	assert_int_equal(o.last, DAY3 - 1);
	assert_int_equal(o.nsources, 1);
	assert_string_equal(o.sources[0].ip, "203.0.113.9");
	assert_int_equal(o.failure_reports, 0);
	assert_int_equal(o.tls_reports, 0);
	assert_int_equal(o.tls_ok, 0);
	fb_summary_cleanup(&o);

	/* Before day 2: A1, F1 and T1. */
	summary(s, "example.com", 0, DAY2, 0, &o);
	assert_int_equal(o.until, DAY2);
	assert_int_equal(o.reports, 1);
	assert_int_equal(o.messages, 18);
	assert_int_equal(o.pass, 13);
	assert_string_equal(o.policy, "none");
	assert_int_equal(o.ndays, 1);
	assert_int_equal(o.failure_reports, 1);
	assert_int_equal(o.tls_reports, 1);
	assert_int_equal(o.tls_failed, 3);
	fb_summary_cleanup(&o);

	/* An empty period. */
	summary(s, "example.com", DAY1 + 1, DAY2, 0, &o);
	assert_int_equal(o.reports, 0);
	assert_int_equal(o.failure_reports, 1); /* F1 arrived an hour into day 1 */
	assert_int_equal(o.tls_reports, 0);
	fb_summary_cleanup(&o);
	store_close(s);
}

/* A schema-6 database (made by this posture's migrations 0 to 5, with a
 * run): read as it is, without reports and without an error; a writer's
 * open migrates it, keeping its runs. */
static void test_schema6(void **state)
{
	(void)state;
	char path[128], msg[512], *err = NULL;
	sqlite3 *db;
	db_path(path, sizeof(path), "v6.db");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t k = 0; k < 6; k++)
		if (sqlite3_exec(db, store_migrations[k], NULL, NULL, &err) != SQLITE_OK)
			fail_msg("migration %zu: %s", k, err);
	if (sqlite3_exec(db,
	                 "PRAGMA journal_mode = WAL;"
	                 "INSERT INTO runs(label, list, options, tool_version, started, state)"
	                 " VALUES('night', 'list.csv', '', 'v6', '2026-12-01T00:00:00Z',"
	                 " 'loading'); PRAGMA user_version = 6;",
	                 NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s", err);
	sqlite3_close(db);

	struct store *s = store_open_ro(path, msg, sizeof(msg));
	if (s == NULL)
		fail_msg("%s", msg);
	assert_int_equal(store_scalar(s, "PRAGMA user_version", 0), 6);
	struct fb_summary o;
	summary(s, NULL, 0, 0, 0, &o);
	assert_int_equal(o.reports + o.messages + o.tls_reports + o.failure_reports, 0);
	assert_int_equal(o.nsources + o.ndays + o.ntls, 0);
	fb_summary_cleanup(&o);
	uint64_t na = 9, nf = 9, nt = 9;
	assert_int_equal(store_fb_counts(s, &na, &nf, &nt), 0);
	assert_int_equal(na + nf + nt, 0);
	char doms[2][FB_NAME];
	assert_int_equal(store_fb_domains(s, doms, 2), 0);
	fixtures();
	assert_int_equal(store_fb_put(s, &a1.r, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "schema 6"));
	store_close(s);

	s = open_db("v6.db");
	assert_int_equal(store_scalar(s, "PRAGMA user_version", 0), STORE_SCHEMA_VERSION);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM runs WHERE ?1 = ?1", 0), 1);
	put_ok(s, &a1.r, 1);
	put_ok(s, &a1.r, 0);
	assert_int_equal(store_integrity(s, msg, sizeof(msg)), 0);
	findings_cleanup(&a1.r.findings);
	store_close(s);
}

/* A report that fails half-way leaves nothing of itself, in its own
 * transaction and inside the caller's, whose other work stays. */
static void test_put_fails_whole(void **state)
{
	(void)state;
	char path[128], err[256], *msg = NULL;
	sqlite3 *db;
	struct store *s = open_db("fail.db");
	db_path(path, sizeof(path), "fail.db");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(
	            db,
	            "CREATE TRIGGER boom BEFORE INSERT ON fb_auth WHEN NEW.domain = 'esp.example'"
	            " BEGIN SELECT RAISE(ABORT, 'boom'); END;",
	            NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s", msg);
	sqlite3_close(db);
	fixtures();
	/* A1's third record has a DKIM result for esp.example. */
	assert_int_equal(store_fb_put(s, &a1.r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "boom"));
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM fb_reports WHERE ?1 = ?1", 0), 0);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM fb_rows WHERE ?1 = ?1", 0), 0);

	assert_int_equal(store_begin(s), 0);
	put_ok(s, &a2.r, 1);
	assert_int_equal(store_fb_put(s, &a1.r, err, sizeof(err)), -1);
	put_ok(s, &a3.r, 1);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM fb_reports WHERE ?1 = ?1", 0), 2);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM fb_rows WHERE ?1 = ?1", 0), 2);
	assert_int_equal(store_scalar(s, "SELECT count(*) FROM fb_auth WHERE ?1 = ?1", 0), 2);
	findings_cleanup(&a1.r.findings);
	store_close(s);
}

/* Many records in one report: one transaction, statements prepared once. */
static void test_many_rows(void **state)
{
	(void)state;
	enum { N = 20000 };
	struct fb_row *rows = calloc(N, sizeof(*rows));
	struct fb_auth *dk = calloc(N, sizeof(*dk));
	assert_non_null(rows);
	assert_non_null(dk);
	fixtures();
	a1.a.rows = rows;
	a1.a.nrows = N;
	for (size_t i = 0; i < N; i++) {
		char ip[FB_IP];
		snprintf(ip, sizeof(ip), "10.0.%zu.%zu", i / 256, i % 256);
		row(&rows[i], ip, 2, "none", i % 4 == 0 ? "fail" : "pass", "fail");
		auth(&dk[i], "example.com", "s1", i % 4 == 0 ? "fail" : "pass", "");
		rows[i].dkim_auth = &dk[i];
		rows[i].ndkim_auth = 1;
	}
	struct store *s = open_db("many.db");
	put_ok(s, &a1.r, 1);
	findings_cleanup(&a1.r.findings);
	struct fb_summary o;
	summary(s, "example.com", 0, 0, 10, &o);
	assert_int_equal(o.messages, 2 * N);
	assert_int_equal(o.pass, 2 * N * 3 / 4);
	assert_int_equal(o.nsources, 10);
	assert_int_equal(o.sources[0].messages, 2);
	assert_string_equal(o.sources[0].ip, "10.0.0.0"); /* ties: by address */
	assert_string_equal(o.sources[0].dkim_domains, "example.com");
	assert_int_equal(o.nselectors, 1);
	assert_int_equal(o.selectors[0].messages, 2 * N);
	assert_int_equal(o.selectors[0].pass, 2 * N * 3 / 4);
	fb_summary_cleanup(&o);
	store_close(s);
	free(rows);
	free(dk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_once),
		cmocka_unit_test(test_summary_domain),
		cmocka_unit_test(test_summary_all_and_limit),
		cmocka_unit_test(test_summary_dates),
		cmocka_unit_test(test_schema6),
		cmocka_unit_test(test_put_fails_whole),
		cmocka_unit_test(test_many_rows),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
