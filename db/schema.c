/*
 * schema.c — the store's schema as the migrations that build it
 * (store_impl.h): migration i takes a database from version i to i+1;
 * store.c runs them (a new database all in one transaction).
 */
#include "store_impl.h"

/* Per domain, the newest run with a conclusive result (a TempError never
 * hides it), how old that check is, and whether a newer run was
 * inconclusive. Runs are walked newest first, each a lookup by
 * run_domains' key. Made by migration 2 -> 3, and again by 4 -> 5 and
 * 7 -> 8 over the new run_results. */
#define LATEST_RESULTS_VIEW                                                                        \
	"CREATE VIEW latest_results AS"                                                            \
	" SELECT d.name AS domain, d.company, d.code, d.sector, rr.*,"                             \
	"  CAST((julianday('now') - julianday(rr.scanned_at)) * 86400 AS INTEGER)"                 \
	"   AS age_seconds,"                                                                       \
	"  EXISTS(SELECT 1 FROM results n WHERE n.domain_id = d.id"                                \
	"   AND n.conclusive = 0 AND n.run_id > rr.run_id) AS newer_inconclusive"                  \
	" FROM domains d JOIN run_results rr ON rr.domain_id = d.id AND rr.run_id ="               \
	"  (SELECT ru.id FROM runs ru WHERE EXISTS (SELECT 1 FROM run_domains x"                   \
	"   JOIN results xr ON xr.id = x.result WHERE x.run_id = ru.id"                            \
	"   AND x.domain_id = d.id AND xr.conclusive = 1) ORDER BY ru.id DESC LIMIT 1);"

/* The view run_results of schema 5 (DKIM) without its FROM: schema 8
 * recreates it with the transport columns appended. */
#define RUN_RESULTS_VIEW_SCHEMA5                                                                   \
	"CREATE VIEW run_results AS"                                                               \
	" SELECT rd.run_id, rd.domain_id, rd.position, rd.list,"                                   \
	"  coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', rd.checked_at, 'unixepoch'), r.scanned_at)"     \
	"   AS scanned_at,"                                                                        \
	"  r.spf_status, r.spf_all, r.spf_lookups, r.spf_void_lookups, r.spf_error,"               \
	"  r.dmarc_status, r.dmarc_policy, r.dmarc_subdomain_policy, r.dmarc_pct,"                 \
	"  r.dmarc_enforcement, r.bimi_status, r.vmc_status, r.bimi_eligible, r.mx, r.a,"          \
	"  r.conclusive, r.id AS result_id, r.run_id <> rd.run_id AS reference,"                   \
	"  r.dkim_status, r.dkim_selectors, r.dkim_min_bits"

/* Each migration takes the schema from version i to i+1. */
const char *const store_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE runs("
	" id INTEGER PRIMARY KEY, label TEXT NOT NULL, list TEXT NOT NULL,"
	" options TEXT NOT NULL, tool_version TEXT NOT NULL, started TEXT NOT NULL,"
	" finished_at TEXT, state TEXT NOT NULL, total INTEGER NOT NULL DEFAULT 0,"
	" done INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0,"
	" pid INTEGER, host TEXT);"
	"CREATE TABLE domains("
	" id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" company TEXT, code TEXT, sector TEXT);"
	"CREATE TABLE run_domains("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" domain_id INTEGER NOT NULL REFERENCES domains(id),"
	" position INTEGER NOT NULL, list TEXT,"
	" PRIMARY KEY(run_id, domain_id)) WITHOUT ROWID;"
	"CREATE INDEX run_domains_position ON run_domains(run_id, position);"
	"CREATE TABLE results("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" domain_id INTEGER NOT NULL REFERENCES domains(id),"
	" scanned_at TEXT NOT NULL,"
	" spf_status TEXT, spf_all TEXT, spf_lookups INTEGER, spf_void_lookups INTEGER,"
	" spf_error TEXT, dmarc_status TEXT, dmarc_policy TEXT,"
	" dmarc_subdomain_policy TEXT, dmarc_pct INTEGER, dmarc_enforcement TEXT,"
	" bimi_status TEXT, vmc_status TEXT, bimi_eligible INTEGER, mx TEXT, a TEXT,"
	" conclusive INTEGER NOT NULL, json TEXT NOT NULL,"
	" UNIQUE(run_id, domain_id));"
	"CREATE INDEX results_domain ON results(domain_id, scanned_at);"
	"CREATE TABLE findings("
	" run_id INTEGER NOT NULL, domain_id INTEGER NOT NULL,"
	" check_name TEXT NOT NULL, code TEXT NOT NULL, severity TEXT NOT NULL, path TEXT);"
	"CREATE INDEX findings_run ON findings(run_id, code);" /* dropped in 2 */
	"CREATE INDEX findings_domain ON findings(run_id, domain_id);"
	/* Per domain, the newest conclusive result (a TempError never hides
	 * it), how old it is, and whether a newer inconclusive one exists. */
	"CREATE VIEW latest_results AS"
	" SELECT d.name AS domain, d.company, d.code, d.sector, r.*,"
	"  CAST((julianday('now') - julianday(r.scanned_at)) * 86400 AS INTEGER)"
	"   AS age_seconds,"
	"  EXISTS(SELECT 1 FROM results n WHERE n.domain_id = r.domain_id"
	"   AND n.conclusive = 0 AND n.rowid > r.rowid) AS newer_inconclusive"
	" FROM results r JOIN domains d ON d.id = r.domain_id"
	" WHERE r.rowid = (SELECT r2.rowid FROM results r2"
	"  WHERE r2.domain_id = r.domain_id AND r2.conclusive = 1"
	"  ORDER BY r2.scanned_at DESC, r2.rowid DESC LIMIT 1);",
	/* 1 -> 2: findings_run goes: nothing read through it (findings_domain
	 * also starts with run_id), and every commit rewrote some twenty of
	 * its 64 KiB pages, one per finding code (db/README.md). */
	"DROP INDEX IF EXISTS findings_run;",
	/* 2 -> 3: history that costs little (db/README.md, "Schema 3").
	 * results holds each distinct result once, under an id that VACUUM
	 * keeps (INTEGER PRIMARY KEY; a plain rowid may be renumbered), its
	 * JSON compressed (body, with the dictionary zdict) from now on; a
	 * run's row in run_domains points at its result, a result of an
	 * earlier run when nothing changed. Rows written before keep their
	 * plain json. */
	"CREATE TABLE zdicts(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" dict BLOB NOT NULL);"
	"CREATE TABLE results3("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" domain_id INTEGER NOT NULL REFERENCES domains(id),"
	" scanned_at TEXT NOT NULL,"
	" spf_status TEXT, spf_all TEXT, spf_lookups INTEGER, spf_void_lookups INTEGER,"
	" spf_error TEXT, dmarc_status TEXT, dmarc_policy TEXT,"
	" dmarc_subdomain_policy TEXT, dmarc_pct INTEGER, dmarc_enforcement TEXT,"
	" bimi_status TEXT, vmc_status TEXT, bimi_eligible INTEGER, mx TEXT, a TEXT,"
	" conclusive INTEGER NOT NULL, json TEXT, zdict INTEGER REFERENCES zdicts(id),"
	" body BLOB, UNIQUE(run_id, domain_id));"
	"INSERT INTO results3(id, run_id, domain_id, scanned_at, spf_status, spf_all,"
	" spf_lookups, spf_void_lookups, spf_error, dmarc_status, dmarc_policy,"
	" dmarc_subdomain_policy, dmarc_pct, dmarc_enforcement, bimi_status, vmc_status,"
	" bimi_eligible, mx, a, conclusive, json)"
	" SELECT rowid, run_id, domain_id, scanned_at, spf_status, spf_all,"
	" spf_lookups, spf_void_lookups, spf_error, dmarc_status, dmarc_policy,"
	" dmarc_subdomain_policy, dmarc_pct, dmarc_enforcement, bimi_status, vmc_status,"
	" bimi_eligible, mx, a, conclusive, json FROM results ORDER BY rowid;"
	"DROP VIEW latest_results;"
	"DROP TABLE results;"
	"ALTER TABLE results3 RENAME TO results;"
	/* The domain's newest conclusive result, which a new one is compared
	 * with (id order: implicit in the index). */
	"CREATE INDEX results_domain ON results(domain_id, conclusive);"
	"ALTER TABLE run_domains ADD COLUMN result INTEGER;"
	"ALTER TABLE run_domains ADD COLUMN checked_at INTEGER;"
	"UPDATE run_domains SET result = (SELECT r.id FROM results r"
	" WHERE r.run_id = run_domains.run_id AND r.domain_id = run_domains.domain_id);"
	/* A result without its row in run_domains (none should exist) gets
	 * one after the run's last position. */
	"INSERT INTO run_domains(run_id, domain_id, position, result)"
	" SELECT r.run_id, r.domain_id, (SELECT coalesce(max(x.position), 0)"
	"  FROM run_domains x WHERE x.run_id = r.run_id) + r.id, r.id"
	" FROM results r WHERE NOT EXISTS (SELECT 1 FROM run_domains rd"
	"  WHERE rd.run_id = r.run_id AND rd.domain_id = r.domain_id);"
	"ALTER TABLE runs ADD COLUMN pruned_at TEXT;"
	"CREATE TABLE run_stats(run_id INTEGER PRIMARY KEY REFERENCES runs(id),"
	" stats TEXT NOT NULL);"
	/* Every run's result of every domain, as results was before schema
	 * 3 (one row per run and domain), for SQL users; reference says the
	 * result was stored by an earlier run. */
	"CREATE VIEW run_results AS"
	" SELECT rd.run_id, rd.domain_id, rd.position, rd.list,"
	"  coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', rd.checked_at, 'unixepoch'), r.scanned_at)"
	"   AS scanned_at,"
	"  r.spf_status, r.spf_all, r.spf_lookups, r.spf_void_lookups, r.spf_error,"
	"  r.dmarc_status, r.dmarc_policy, r.dmarc_subdomain_policy, r.dmarc_pct,"
	"  r.dmarc_enforcement, r.bimi_status, r.vmc_status, r.bimi_eligible, r.mx, r.a,"
	"  r.conclusive, r.id AS result_id, r.run_id <> rd.run_id AS reference"
	" FROM run_domains rd JOIN results r ON r.id = rd.result;"
	/* Per domain, the newest run with a conclusive result (a TempError
	 * never hides it), how old that check is, and whether a newer run
	 * was inconclusive. Runs are walked newest first, each a lookup by
	 * run_domains' key. */
	LATEST_RESULTS_VIEW,
	/* 3 -> 4: what reports count of each result (checks_facts_text: a
	 * projection of its JSON, about 1 KB), compressed as the body is
	 * (zdict), so a report reads it instead of the whole body. NULL in
	 * results stored before: readers parse their JSON. */
	"ALTER TABLE results ADD COLUMN facts BLOB;",
	/* 4 -> 5: DKIM (issue 21): the domain's status (found, none_found,
	 * temperror, not_run), the selectors with a usable key, the smallest
	 * usable RSA key's bits; the views show them. */
	"ALTER TABLE results ADD COLUMN dkim_status TEXT;"
	"ALTER TABLE results ADD COLUMN dkim_selectors TEXT;"
	"ALTER TABLE results ADD COLUMN dkim_min_bits INTEGER;"
	"DROP VIEW latest_results;"
	"DROP VIEW run_results;" RUN_RESULTS_VIEW_SCHEMA5
	" FROM run_domains rd JOIN results r ON r.id = rd.result;" LATEST_RESULTS_VIEW,
	/* 5 -> 6: the DKIM selectors a list names for a domain (its
	 * dkim_selectors column), probed by the run's scan besides its own. */
	"ALTER TABLE run_domains ADD COLUMN dkim_selectors TEXT;",
	/* 6 -> 7: receivers' reports (issue 22; db/README.md, "Schema 7"),
	 * independent of runs: each report once, by (kind, org, report_id);
	 * an aggregate report's records with their DKIM and SPF results, a
	 * failure report's fields and original headers, a TLS report's
	 * policies and failure details. Times are Unix seconds (UTC). */
	"CREATE TABLE fb_reports("
	" id INTEGER PRIMARY KEY, kind TEXT NOT NULL, org TEXT NOT NULL,"
	" report_id TEXT NOT NULL, domain TEXT, begin_at INTEGER NOT NULL,"
	" end_at INTEGER NOT NULL, records INTEGER NOT NULL, messages INTEGER NOT NULL,"
	" schema TEXT, email TEXT, extra_contact TEXT, policy_p TEXT, policy_sp TEXT,"
	" policy_np TEXT, policy_pct INTEGER, policy_adkim TEXT, policy_aspf TEXT,"
	" policy_fo TEXT, policy_testing TEXT, imported_at TEXT NOT NULL,"
	" imported_from TEXT, findings TEXT NOT NULL,"
	" UNIQUE(kind, org, report_id));"
	"CREATE INDEX fb_reports_domain ON fb_reports(domain, begin_at);"
	"CREATE TABLE fb_rows("
	" id INTEGER PRIMARY KEY, report INTEGER NOT NULL REFERENCES fb_reports(id),"
	" source_ip TEXT, count INTEGER NOT NULL, disposition TEXT, dkim TEXT, spf TEXT,"
	" reasons TEXT, header_from TEXT, envelope_from TEXT, envelope_to TEXT,"
	" pass INTEGER NOT NULL);"
	"CREATE INDEX fb_rows_report ON fb_rows(report);"
	"CREATE TABLE fb_auth("
	" row INTEGER NOT NULL REFERENCES fb_rows(id), method TEXT NOT NULL,"
	" domain TEXT, selector TEXT, result TEXT, scope TEXT);"
	"CREATE INDEX fb_auth_row ON fb_auth(row);"
	"CREATE TABLE fb_failures("
	" report INTEGER PRIMARY KEY REFERENCES fb_reports(id), feedback_type TEXT,"
	" auth_failure TEXT, source_ip TEXT, reported_domain TEXT, original_mail_from TEXT,"
	" original_rcpt_to TEXT, reporting_mta TEXT, delivery_result TEXT, dkim_domain TEXT,"
	" dkim_selector TEXT, header_from TEXT, subject TEXT, arrival INTEGER,"
	" original_headers TEXT);"
	"CREATE TABLE fb_tls_policies("
	" id INTEGER PRIMARY KEY, report INTEGER NOT NULL REFERENCES fb_reports(id),"
	" policy_type TEXT, policy_domain TEXT, mx_host TEXT,"
	" successful_sessions INTEGER NOT NULL, failed_sessions INTEGER NOT NULL);"
	"CREATE INDEX fb_tls_policies_report ON fb_tls_policies(report);"
	"CREATE TABLE fb_tls_failures("
	" policy INTEGER NOT NULL REFERENCES fb_tls_policies(id), result_type TEXT,"
	" sending_ip TEXT, receiving_ip TEXT, receiving_mx TEXT, sessions INTEGER NOT NULL,"
	" reason TEXT);"
	"CREATE INDEX fb_tls_failures_policy ON fb_tls_failures(policy);",
	/* 7 -> 8: transport security (issue 24): the MTA-STS status (RFC
	 * 8461: enforce, testing, none, missing, invalid, temperror,
	 * not_fetched) and whether the policy covers every MX host (1, 0,
	 * NULL unknown), the TLS-RPT status (RFC 8460), the DNSSEC status of
	 * the answers posture relies on (secure, insecure, bogus,
	 * indeterminate) and DANE for MX (RFC 7672); NULL when not checked.
	 * The views show them. */
	"ALTER TABLE results ADD COLUMN mta_sts_status TEXT;"
	"ALTER TABLE results ADD COLUMN mta_sts_mx_covered INTEGER;"
	"ALTER TABLE results ADD COLUMN tls_rpt_status TEXT;"
	"ALTER TABLE results ADD COLUMN dnssec_status TEXT;"
	"ALTER TABLE results ADD COLUMN dane_status TEXT;"
	"DROP VIEW latest_results;"
	"DROP VIEW run_results;" RUN_RESULTS_VIEW_SCHEMA5 ","
	"  r.mta_sts_status, r.mta_sts_mx_covered, r.tls_rpt_status, r.dnssec_status,"
	"  r.dane_status"
	" FROM run_domains rd JOIN results r ON r.id = rd.result;" LATEST_RESULTS_VIEW,
};

const size_t store_nmigrations = sizeof(store_migrations) / sizeof(store_migrations[0]);
