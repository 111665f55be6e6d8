/*
 * stats.c — the metric table and the counting (see report.h). Pure: rows
 * in, counts out.
 *
 * Every figure of every format is one row of report_metrics: a name that
 * stays stable (CSV, JSON, doc/reports.md), the metric that counts its
 * denominator, and a test on one row. The domain view counts rows; the
 * company view counts the first row of each company (its primary domain);
 * the company_any view counts companies where any row passes.
 */
#include "report.h"
#include "strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_METRICS 128
#define BITWORDS    (MAX_METRICS / 64)

static bool eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* A status column that says the check ran. */
static bool ran(const char *status)
{
	return status[0] != '\0' && !eq(status, "not_run") && !eq(status, "error");
}

static bool t_all(const struct report_row *r, int arg)
{
	(void)r;
	(void)arg;
	return true;
}

static bool t_inconclusive(const struct report_row *r, int arg)
{
	(void)arg;
	return !r->conclusive;
}

static bool t_nxdomain(const struct report_row *r, int arg)
{
	(void)arg;
	return r->nxdomain;
}

static bool t_dmarc_checked(const struct report_row *r, int arg)
{
	(void)arg;
	return ran(r->dmarc_status);
}

static const char *const dmarc_classes[] = { "missing",    "invalid", "monitor",  "partial",
	                                     "quarantine", "reject",  "temperror" };

static bool t_dmarc_class(const struct report_row *r, int arg)
{
	return eq(report_dmarc_class(r), dmarc_classes[arg]);
}

static bool enforcing(const char *e)
{
	return eq(e, "quarantine") || eq(e, "reject");
}

static bool t_dmarc_enforced(const struct report_row *r, int arg)
{
	(void)arg;
	return enforcing(report_dmarc_class(r));
}

static int policy_rank(const char *p)
{
	return eq(p, "none") ? 1 : eq(p, "quarantine") ? 2 : eq(p, "reject") ? 3 : 0;
}

/* arg 0: sp, 1: np weaker than p (both known). */
static bool t_dmarc_weaker(const struct report_row *r, int arg)
{
	int p = policy_rank(r->dmarc_policy);
	int w = policy_rank(arg == 0 ? r->dmarc_sp : r->dmarc_np);
	return eq(r->dmarc_status, "ok") && p > 0 && w > 0 && w < p;
}

static bool t_dmarc_rua(const struct report_row *r, int arg)
{
	(void)arg;
	return r->dmarc_rua;
}

static bool t_dmarc_rua_unauth(const struct report_row *r, int arg)
{
	(void)arg;
	return r->dmarc_rua_unauthorized;
}

static bool t_dmarc_differ(const struct report_row *r, int arg)
{
	(void)arg;
	return r->dmarc_readings_differ;
}

/* arg 0: RFC 7489 reading, 1: RFC 9989 reading (pct ignored). */
static bool t_dmarc_enforced_by(const struct report_row *r, int arg)
{
	return enforcing(arg == 0 ? r->dmarc_enforcement_7489 : r->dmarc_enforcement);
}

/* The published p= (RFC 9989 4.7, RFC 7489 6.3) of a record that was read:
 * arg 1 none, 2 quarantine, 3 reject; 0 quarantine or reject. pct, t= and
 * sp= play no part. */
static bool t_dmarc_p(const struct report_row *r, int arg)
{
	int p = policy_rank(r->dmarc_policy);
	if (!ran(r->dmarc_status) || p == 0)
		return false;
	return arg == 0 ? p >= 2 : p == arg;
}

static bool t_spf_checked(const struct report_row *r, int arg)
{
	(void)arg;
	return ran(r->spf_status);
}

static const char *const spf_statuses[] = { "none", "ok", "permerror", "temperror" };

static bool t_spf_status(const struct report_row *r, int arg)
{
	return eq(r->spf_status, spf_statuses[arg]);
}

static bool t_spf_record(const struct report_row *r, int arg)
{
	(void)arg;
	return eq(r->spf_status, "ok") || eq(r->spf_status, "permerror");
}

/* The PermError causes, by the first cause the audit found (spf_error). */
static const char *const spf_causes[] = { "spf.include_no_record", "spf.too_many_lookups",
	                                  "spf.void_lookups",      "spf.syntax",
	                                  "spf.multiple_records",  "spf.include_loop",
	                                  "spf.redirect_no_record" };
#define NCAUSES (sizeof(spf_causes) / sizeof(spf_causes[0]))

static bool t_spf_cause(const struct report_row *r, int arg)
{
	if (!eq(r->spf_status, "permerror"))
		return false;
	if (arg >= 0)
		return eq(r->spf_error, spf_causes[arg]);
	for (size_t i = 0; i < NCAUSES; i++)
		if (eq(r->spf_error, spf_causes[i]))
			return false;
	return true; /* another cause (spf.mx_too_many_names), or none recorded */
}

static const char *const spf_alls[] = { "-all", "~all", "?all", "+all", "" };

static bool t_spf_all(const struct report_row *r, int arg)
{
	return t_spf_record(r, 0) && eq(r->spf_all, spf_alls[arg]);
}

/* arg 0..10: exactly that many lookups; 11: more than 10. */
static bool t_spf_lookups(const struct report_row *r, int arg)
{
	if (!t_spf_record(r, 0) || r->spf_lookups < 0)
		return false;
	return arg > 10 ? r->spf_lookups > 10 : r->spf_lookups == arg;
}

static bool t_bimi_checked(const struct report_row *r, int arg)
{
	(void)arg;
	return ran(r->bimi_status);
}

static bool t_bimi_record(const struct report_row *r, int arg)
{
	(void)arg;
	return eq(r->bimi_status, "ok") || eq(r->bimi_status, "invalid");
}

static bool t_bimi_logo(const struct report_row *r, int arg)
{
	(void)arg;
	return t_bimi_checked(r, 0) && eq(r->logo_status, "valid");
}

/* arg 0: a valid VMC (or a valid certificate of unknown type), 1: CMC. */
static bool t_bimi_cert(const struct report_row *r, int arg)
{
	if (!t_bimi_checked(r, 0) || !eq(r->vmc_status, "valid"))
		return false;
	return arg == 1 ? eq(r->vmc_type, "CMC") : !eq(r->vmc_type, "CMC");
}

/* arg 1: eligible, 0: checked and not eligible. */
static bool t_bimi_eligible(const struct report_row *r, int arg)
{
	return t_bimi_checked(r, 0) && r->bimi_eligible == arg;
}

static bool t_bimi_fail(const struct report_row *r, int arg)
{
	return t_bimi_eligible(r, 0) && (r->bimi_fail & (1u << arg)) != 0;
}

/* arg 0: MX checked, 1: present, 2: null MX, 3: absent; 4: A checked,
 * 5: A/AAAA present. */
static bool t_host(const struct report_row *r, int arg)
{
	const char *s = arg < 4 ? r->mx : r->a;
	static const char *const want[] = { NULL, "present", "null_mx", "absent", NULL, "present" };
	if (want[arg] == NULL)
		return ran(s);
	return eq(s, want[arg]);
}

/* DKIM (issue 21): the domain's status column, and what its key records
 * say. "none_found" is no usable key among the selectors probed, never
 * "no DKIM": a selector posture did not try may hold one. */
static bool t_dkim(const struct report_row *r, int arg)
{
	const char *st = r->dkim_status;
	switch (arg) {
	case 0:
		return ran(st);
	case 1:
		return eq(st, "found");
	case 2:
		return eq(st, "none_found");
	case 3:
		return eq(st, "temperror");
	case 4: /* an RSA key below RFC 8301's 2048 bits among the usable ones */
		return eq(st, "found") && r->dkim_min_bits > 0 && r->dkim_min_bits < 2048;
	case 5:
		return ran(st) && r->dkim_revoked_only;
	default: /* DMARC enforced, no usable key: forwarded mail fails DMARC */
		return eq(st, "none_found") && enforcing(report_dmarc_class(r));
	}
}

/* Transport security (issue 24): the status columns of the MTA-STS (RFC
 * 8461), TLS-RPT (RFC 8460), DNSSEC and DANE for MX (RFC 7672) checks,
 * "" when the check did not run (a domain counts in none of its
 * metrics then). names[arg] is the status wanted; NULL: the check ran. */
static bool status_is(const char *st, const char *const *names, int arg)
{
	return names[arg] == NULL ? ran(st) : eq(st, names[arg]);
}

static const char *const mta_sts_statuses[] = { NULL,      "enforce", "testing",   "none",
	                                        "invalid", "missing", "temperror", "not_fetched" };

/* arg 8: a policy senders apply (enforce) or report on (testing) with an
 * MX host no mx pattern covers (RFC 8461 4.1): in enforce mode, mail to
 * that host is not delivered. */
static bool t_mta_sts(const struct report_row *r, int arg)
{
	const char *st = r->mta_sts_status;
	if (arg == 8)
		return (eq(st, "enforce") || eq(st, "testing")) && r->mta_sts_mx_covered == 0;
	return status_is(st, mta_sts_statuses, arg);
}

static bool t_tls_rpt(const struct report_row *r, int arg)
{
	static const char *const names[] = { NULL, "ok", "invalid", "temperror" };
	return status_is(r->tls_rpt_status, names, arg);
}

static bool t_dnssec(const struct report_row *r, int arg)
{
	static const char *const names[] = { NULL, "secure", "insecure", "bogus", "indeterminate" };
	return status_is(r->dnssec_status, names, arg);
}

static bool t_dane(const struct report_row *r, int arg)
{
	static const char *const names[] = { NULL, "dane", "partial", "unusable", "indeterminate" };
	return status_is(r->dane_status, names, arg);
}

enum {
	M_RESULTS,
	M_INCONCLUSIVE,
	M_NXDOMAIN,
	M_DMARC_CHECKED,
	M_DMARC_MISSING,
	M_DMARC_INVALID,
	M_DMARC_MONITOR,
	M_DMARC_PARTIAL,
	M_DMARC_QUARANTINE,
	M_DMARC_REJECT,
	M_DMARC_TEMPERROR,
	M_DMARC_ENFORCED,
	M_DMARC_SP_WEAKER,
	M_DMARC_NP_WEAKER,
	M_DMARC_RUA,
	M_DMARC_RUA_UNAUTH,
	M_DMARC_DIFFER,
	M_DMARC_ENF_7489,
	M_DMARC_ENF_9989,
	M_DMARC_P_NONE,
	M_DMARC_P_QUARANTINE,
	M_DMARC_P_REJECT,
	M_DMARC_P_ENFORCING,
	M_SPF_CHECKED,
	M_SPF_NONE,
	M_SPF_OK,
	M_SPF_PERMERROR,
	M_SPF_TEMPERROR,
	M_SPF_RECORD,
	M_SPF_CAUSE0, /* NCAUSES of them, then "other" */
	M_SPF_CAUSE_OTHER = M_SPF_CAUSE0 + NCAUSES,
	M_SPF_ALL0,
	M_SPF_LOOKUPS0 = M_SPF_ALL0 + 5, /* 0..10, then over 10 */
	M_BIMI_CHECKED = M_SPF_LOOKUPS0 + 12,
	M_BIMI_RECORD,
	M_BIMI_LOGO,
	M_BIMI_VMC,
	M_BIMI_CMC,
	M_BIMI_ELIGIBLE,
	M_BIMI_NOT_ELIGIBLE,
	M_BIMI_FAIL0,
	M_DKIM_CHECKED = M_BIMI_FAIL0 + REPORT_READINESS_ITEMS,
	M_DKIM_FOUND,
	M_DKIM_NONE_FOUND,
	M_DKIM_TEMPERROR,
	M_DKIM_WEAK,
	M_DKIM_REVOKED_ONLY,
	M_DMARC_ENFORCED_NO_DKIM,
	M_MX_CHECKED,
	M_MX_PRESENT,
	M_MX_NULL,
	M_MX_ABSENT,
	M_A_CHECKED,
	M_A_PRESENT,
	M_MTA_STS_CHECKED,
	M_MTA_STS_MX_UNCOVERED = M_MTA_STS_CHECKED + 8,
	M_TLS_RPT_CHECKED,
	M_DNSSEC_CHECKED = M_TLS_RPT_CHECKED + 4,
	M_DANE_CHECKED = M_DNSSEC_CHECKED + 5,
	M_COUNT = M_DANE_CHECKED + 5,
};

#define LOOKUPS(n)                                                                                 \
	[M_SPF_LOOKUPS0 + (n)] = { "spf_lookups_" #n,                                              \
		                   "spf_lookups",                                                  \
		                   #n " DNS lookups",                                              \
		                   M_SPF_RECORD,                                                   \
		                   false,                                                          \
		                   t_spf_lookups,                                                  \
		                   n }
#define TRANSPORT(id, name, words, denom, any, test, arg)                                          \
	[id] = { name, "transport", words, denom, any, test, arg }
#define FAIL(n, item, words)                                                                       \
	[M_BIMI_FAIL0 + (n)] = {                                                                   \
		"bimi_fail_" item, "bimi_fail", words, M_BIMI_NOT_ELIGIBLE, false, t_bimi_fail, n  \
	}

const struct report_metric report_metrics[] = {
	[M_RESULTS] = { "results", "general", "domains with a result", -1, false, t_all, 0 },
	[M_INCONCLUSIVE] = { "inconclusive", "general", "inconclusive (a DNS failure)", -1, false,
	                     t_inconclusive, 0 },
	[M_NXDOMAIN] = { "domain_nxdomain", "general", "domain does not exist (NXDOMAIN)", -1,
	                 false, t_nxdomain, 0 },
	[M_DMARC_CHECKED] = { "dmarc_checked", "dmarc", "DMARC checked", -1, false, t_dmarc_checked,
	                      0 },
	[M_DMARC_MISSING] = { "dmarc_missing", "dmarc", "no DMARC record", M_DMARC_CHECKED, false,
	                      t_dmarc_class, 0 },
	[M_DMARC_INVALID] = { "dmarc_invalid", "dmarc", "invalid DMARC record", M_DMARC_CHECKED,
	                      false, t_dmarc_class, 1 },
	[M_DMARC_MONITOR] = { "dmarc_monitor", "dmarc", "p=none (monitor only)", M_DMARC_CHECKED,
	                      false, t_dmarc_class, 2 },
	[M_DMARC_PARTIAL] = { "dmarc_partial", "dmarc", "partial (pct below 100 or t=y)",
	                      M_DMARC_CHECKED, false, t_dmarc_class, 3 },
	[M_DMARC_QUARANTINE] = { "dmarc_quarantine", "dmarc", "p=quarantine on all mail",
	                         M_DMARC_CHECKED, false, t_dmarc_class, 4 },
	[M_DMARC_REJECT] = { "dmarc_reject", "dmarc", "p=reject on all mail", M_DMARC_CHECKED,
	                     false, t_dmarc_class, 5 },
	[M_DMARC_TEMPERROR] = { "dmarc_temperror", "dmarc", "DNS failure (no verdict)",
	                        M_DMARC_CHECKED, false, t_dmarc_class, 6 },
	[M_DMARC_ENFORCED] = { "dmarc_enforced", "dmarc", "enforced (quarantine + reject)",
	                       M_DMARC_CHECKED, true, t_dmarc_enforced, 0 },
	[M_DMARC_SP_WEAKER] = { "dmarc_sp_weaker", "dmarc", "sp= weaker than p=", M_DMARC_CHECKED,
	                        false, t_dmarc_weaker, 0 },
	[M_DMARC_NP_WEAKER] = { "dmarc_np_weaker", "dmarc", "np= weaker than p=", M_DMARC_CHECKED,
	                        false, t_dmarc_weaker, 1 },
	[M_DMARC_RUA] = { "dmarc_rua", "dmarc", "aggregate reports requested (rua)",
	                  M_DMARC_CHECKED, false, t_dmarc_rua, 0 },
	[M_DMARC_RUA_UNAUTH] = { "dmarc_rua_unauthorized", "dmarc",
	                         "external rua not authorised by its destination", M_DMARC_CHECKED,
	                         false, t_dmarc_rua_unauth, 0 },
	[M_DMARC_DIFFER] = { "dmarc_readings_differ", "dmarc",
	                     "RFC 7489 and RFC 9989 readings differ", M_DMARC_CHECKED, false,
	                     t_dmarc_differ, 0 },
	[M_DMARC_ENF_7489] = { "dmarc_enforced_rfc7489", "dmarc", "enforced, RFC 7489 reading",
	                       M_DMARC_CHECKED, false, t_dmarc_enforced_by, 0 },
	[M_DMARC_ENF_9989] = { "dmarc_enforced_rfc9989", "dmarc", "enforced, RFC 9989 reading",
	                       M_DMARC_CHECKED, false, t_dmarc_enforced_by, 1 },
	[M_DMARC_P_NONE] = { "dmarc_p_none", "dmarc_p", "p=none published", M_DMARC_CHECKED, false,
	                     t_dmarc_p, 1 },
	[M_DMARC_P_QUARANTINE] = { "dmarc_p_quarantine", "dmarc_p", "p=quarantine published",
	                           M_DMARC_CHECKED, false, t_dmarc_p, 2 },
	[M_DMARC_P_REJECT] = { "dmarc_p_reject", "dmarc_p", "p=reject published", M_DMARC_CHECKED,
	                       false, t_dmarc_p, 3 },
	[M_DMARC_P_ENFORCING] = { "dmarc_p_enforcing", "dmarc_p",
	                          "p=quarantine or p=reject published (any pct, t=)",
	                          M_DMARC_CHECKED, false, t_dmarc_p, 0 },
	[M_SPF_CHECKED] = { "spf_checked", "spf", "SPF checked", -1, false, t_spf_checked, 0 },
	[M_SPF_NONE] = { "spf_none", "spf", "no SPF record", M_SPF_CHECKED, false, t_spf_status,
	                 0 },
	[M_SPF_OK] = { "spf_ok", "spf", "SPF ok", M_SPF_CHECKED, false, t_spf_status, 1 },
	[M_SPF_PERMERROR] = { "spf_permerror", "spf", "SPF PermError", M_SPF_CHECKED, true,
	                      t_spf_status, 2 },
	[M_SPF_TEMPERROR] = { "spf_temperror", "spf", "SPF TempError (DNS failure)", M_SPF_CHECKED,
	                      false, t_spf_status, 3 },
	[M_SPF_RECORD] = { "spf_record", "spf", "SPF record published (ok or PermError)",
	                   M_SPF_CHECKED, false, t_spf_record, 0 },
	[M_SPF_CAUSE0 + 0] = { "spf_permerror_include_no_record", "spf_cause",
	                       "include without a record", M_SPF_PERMERROR, false, t_spf_cause, 0 },
	[M_SPF_CAUSE0 + 1] = { "spf_permerror_too_many_lookups", "spf_cause",
	                       "more than 10 lookups", M_SPF_PERMERROR, false, t_spf_cause, 1 },
	[M_SPF_CAUSE0 + 2] = { "spf_permerror_void_lookups", "spf_cause",
	                       "more than 2 void lookups", M_SPF_PERMERROR, false, t_spf_cause, 2 },
	[M_SPF_CAUSE0 + 3] = { "spf_permerror_syntax", "spf_cause", "syntax error", M_SPF_PERMERROR,
	                       false, t_spf_cause, 3 },
	[M_SPF_CAUSE0 + 4] = { "spf_permerror_multiple_records", "spf_cause", "multiple records",
	                       M_SPF_PERMERROR, false, t_spf_cause, 4 },
	[M_SPF_CAUSE0 + 5] = { "spf_permerror_loop", "spf_cause", "include/redirect loop",
	                       M_SPF_PERMERROR, false, t_spf_cause, 5 },
	[M_SPF_CAUSE0 + 6] = { "spf_permerror_redirect_no_record", "spf_cause",
	                       "redirect without a record", M_SPF_PERMERROR, false, t_spf_cause,
	                       6 },
	[M_SPF_CAUSE_OTHER] = { "spf_permerror_other", "spf_cause", "other cause", M_SPF_PERMERROR,
	                        false, t_spf_cause, -1 },
	[M_SPF_ALL0 + 0] = { "spf_all_fail", "spf_all", "ends in -all", M_SPF_RECORD, false,
	                     t_spf_all, 0 },
	[M_SPF_ALL0 + 1] = { "spf_all_softfail", "spf_all", "ends in ~all", M_SPF_RECORD, false,
	                     t_spf_all, 1 },
	[M_SPF_ALL0 + 2] = { "spf_all_neutral", "spf_all", "ends in ?all", M_SPF_RECORD, false,
	                     t_spf_all, 2 },
	[M_SPF_ALL0 + 3] = { "spf_all_pass", "spf_all", "ends in +all", M_SPF_RECORD, false,
	                     t_spf_all, 3 },
	[M_SPF_ALL0 + 4] = { "spf_all_none", "spf_all", "no all term", M_SPF_RECORD, false,
	                     t_spf_all, 4 },
	LOOKUPS(0),
	LOOKUPS(1),
	LOOKUPS(2),
	LOOKUPS(3),
	LOOKUPS(4),
	LOOKUPS(5),
	LOOKUPS(6),
	LOOKUPS(7),
	LOOKUPS(8),
	LOOKUPS(9),
	LOOKUPS(10),
	[M_SPF_LOOKUPS0 + 11] = { "spf_lookups_over_10", "spf_lookups", "over 10 DNS lookups",
	                          M_SPF_RECORD, false, t_spf_lookups, 11 },
	[M_BIMI_CHECKED] = { "bimi_checked", "bimi", "BIMI checked", -1, false, t_bimi_checked, 0 },
	[M_BIMI_RECORD] = { "bimi_record", "bimi", "BIMI record present", M_BIMI_CHECKED, false,
	                    t_bimi_record, 0 },
	[M_BIMI_LOGO] = { "bimi_logo_valid", "bimi", "logo valid (SVG Tiny PS)", M_BIMI_CHECKED,
	                  false, t_bimi_logo, 0 },
	[M_BIMI_VMC] = { "bimi_vmc_valid", "bimi", "VMC valid", M_BIMI_CHECKED, false, t_bimi_cert,
	                 0 },
	[M_BIMI_CMC] = { "bimi_cmc_valid", "bimi", "CMC valid", M_BIMI_CHECKED, false, t_bimi_cert,
	                 1 },
	[M_BIMI_ELIGIBLE] = { "bimi_eligible", "bimi", "eligible (readiness all green)",
	                      M_BIMI_CHECKED, true, t_bimi_eligible, 1 },
	[M_BIMI_NOT_ELIGIBLE] = { "bimi_not_eligible", "bimi", "not eligible", M_BIMI_CHECKED,
	                          false, t_bimi_eligible, 0 },
	FAIL(0, "bimi_record", "no valid BIMI record"),
	FAIL(1, "logo", "logo fails"),
	FAIL(2, "certificate", "certificate fails"),
	FAIL(3, "dmarc_policy", "DMARC policy not enforcing"),
	FAIL(4, "dmarc_org_policy", "organisational DMARC policy not enforcing"),
	FAIL(5, "dmarc_coverage", "DMARC pct below 100 or t=y"),
	FAIL(6, "dmarc_subdomain", "sp or np none"),
	FAIL(7, "spf", "SPF not -all/~all or PermError"),
	FAIL(8, "mx", "no MX"),
	FAIL(9, "a", "no A/AAAA"),
	[M_DKIM_CHECKED] = { "dkim_checked", "dkim", "DKIM checked", -1, false, t_dkim, 0 },
	[M_DKIM_FOUND] = { "dkim_found", "dkim", "a usable DKIM key found", M_DKIM_CHECKED, true,
	                   t_dkim, 1 },
	[M_DKIM_NONE_FOUND] = { "dkim_none_found", "dkim",
	                        "no usable key among the selectors probed", M_DKIM_CHECKED, false,
	                        t_dkim, 2 },
	[M_DKIM_TEMPERROR] = { "dkim_temperror", "dkim", "DNS failure (no verdict)", M_DKIM_CHECKED,
	                       false, t_dkim, 3 },
	[M_DKIM_WEAK] = { "dkim_weak", "dkim", "found, an RSA key below 2048 bits", M_DKIM_CHECKED,
	                  false, t_dkim, 4 },
	[M_DKIM_REVOKED_ONLY] = { "dkim_revoked_only", "dkim", "only revoked keys (p= empty)",
	                          M_DKIM_CHECKED, false, t_dkim, 5 },
	[M_DMARC_ENFORCED_NO_DKIM] = { "dmarc_enforced_without_dkim", "dkim",
	                               "DMARC enforced, no usable DKIM key found", M_DKIM_CHECKED,
	                               true, t_dkim, 6 },
	[M_MX_CHECKED] = { "mx_checked", "mx", "MX checked", -1, false, t_host, 0 },
	[M_MX_PRESENT] = { "mx_present", "mx", "MX present", M_MX_CHECKED, false, t_host, 1 },
	[M_MX_NULL] = { "mx_null", "mx", "null MX (accepts no mail)", M_MX_CHECKED, false, t_host,
	                2 },
	[M_MX_ABSENT] = { "mx_absent", "mx", "no MX", M_MX_CHECKED, false, t_host, 3 },
	[M_A_CHECKED] = { "a_checked", "mx", "A/AAAA checked", -1, false, t_host, 4 },
	[M_A_PRESENT] = { "a_present", "mx", "A or AAAA present", M_A_CHECKED, false, t_host, 5 },
	TRANSPORT(M_MTA_STS_CHECKED, "mta_sts_checked", "MTA-STS checked", -1, false, t_mta_sts, 0),
	TRANSPORT(M_MTA_STS_CHECKED + 1, "mta_sts_enforce", "MTA-STS policy, mode enforce",
	          M_MTA_STS_CHECKED, true, t_mta_sts, 1),
	TRANSPORT(M_MTA_STS_CHECKED + 2, "mta_sts_testing", "policy in mode testing (reports only)",
	          M_MTA_STS_CHECKED, false, t_mta_sts, 2),
	TRANSPORT(M_MTA_STS_CHECKED + 3, "mta_sts_none", "policy in mode none (withdrawn)",
	          M_MTA_STS_CHECKED, false, t_mta_sts, 3),
	TRANSPORT(M_MTA_STS_CHECKED + 4, "mta_sts_invalid",
	          "record or policy invalid, or policy refused (RFC 8461 3.3)", M_MTA_STS_CHECKED,
	          false, t_mta_sts, 4),
	TRANSPORT(M_MTA_STS_CHECKED + 5, "mta_sts_missing", "no MTA-STS record", M_MTA_STS_CHECKED,
	          false, t_mta_sts, 5),
	TRANSPORT(M_MTA_STS_CHECKED + 6, "mta_sts_temperror", "DNS or fetch failure (no verdict)",
	          M_MTA_STS_CHECKED, false, t_mta_sts, 6),
	TRANSPORT(M_MTA_STS_CHECKED + 7, "mta_sts_not_fetched", "record valid, policy not fetched",
	          M_MTA_STS_CHECKED, false, t_mta_sts, 7),
	TRANSPORT(M_MTA_STS_MX_UNCOVERED, "mta_sts_mx_uncovered",
	          "enforce or testing, an MX host no mx pattern covers", M_MTA_STS_CHECKED, false,
	          t_mta_sts, 8),
	TRANSPORT(M_TLS_RPT_CHECKED, "tls_rpt_checked", "TLS-RPT checked", -1, false, t_tls_rpt, 0),
	TRANSPORT(M_TLS_RPT_CHECKED + 1, "tls_rpt", "TLS-RPT record valid (reports requested)",
	          M_TLS_RPT_CHECKED, true, t_tls_rpt, 1),
	TRANSPORT(M_TLS_RPT_CHECKED + 2, "tls_rpt_invalid", "TLS-RPT record invalid",
	          M_TLS_RPT_CHECKED, false, t_tls_rpt, 2),
	TRANSPORT(M_TLS_RPT_CHECKED + 3, "tls_rpt_temperror", "DNS failure (no verdict)",
	          M_TLS_RPT_CHECKED, false, t_tls_rpt, 3),
	TRANSPORT(M_DNSSEC_CHECKED, "dnssec_checked", "DNSSEC checked", -1, false, t_dnssec, 0),
	TRANSPORT(M_DNSSEC_CHECKED + 1, "dnssec_secure", "answers DNSSEC-secure", M_DNSSEC_CHECKED,
	          true, t_dnssec, 1),
	TRANSPORT(M_DNSSEC_CHECKED + 2, "dnssec_insecure", "insecure (no chain of trust: unsigned)",
	          M_DNSSEC_CHECKED, false, t_dnssec, 2),
	TRANSPORT(M_DNSSEC_CHECKED + 3, "dnssec_bogus", "bogus (validation fails)",
	          M_DNSSEC_CHECKED, false, t_dnssec, 3),
	TRANSPORT(M_DNSSEC_CHECKED + 4, "dnssec_indeterminate", "indeterminate (no verdict)",
	          M_DNSSEC_CHECKED, false, t_dnssec, 4),
	TRANSPORT(M_DANE_CHECKED, "dane_checked", "DANE for MX checked", -1, false, t_dane, 0),
	TRANSPORT(M_DANE_CHECKED + 1, "dane_mx", "every MX host has usable TLSA (DNSSEC-secure)",
	          M_DANE_CHECKED, true, t_dane, 1),
	TRANSPORT(M_DANE_CHECKED + 2, "dane_partial", "some MX hosts with usable TLSA, not all",
	          M_DANE_CHECKED, false, t_dane, 2),
	TRANSPORT(M_DANE_CHECKED + 3, "dane_unusable", "TLSA published, none usable",
	          M_DANE_CHECKED, false, t_dane, 3),
	TRANSPORT(M_DANE_CHECKED + 4, "dane_indeterminate", "indeterminate (no verdict)",
	          M_DANE_CHECKED, false, t_dane, 4),
};
const size_t report_nmetrics = M_COUNT;

_Static_assert(sizeof(report_metrics) / sizeof(report_metrics[0]) == M_COUNT, "one metric per id");
_Static_assert(M_COUNT <= MAX_METRICS, "raise MAX_METRICS");

int report_metric_index(const char *name)
{
	for (size_t i = 0; i < report_nmetrics; i++)
		if (eq(report_metrics[i].name, name))
			return (int)i;
	return -1;
}

const char *report_view_name(enum report_view v)
{
	static const char *const n[] = { "domain", "company", "company_any" };
	return (unsigned)v < REPORT_VIEWS ? n[v] : "?";
}

const char *report_view_rule(enum report_view v)
{
	switch (v) {
	case REPORT_VIEW_DOMAIN:
		return "every domain with a result counts once";
	case REPORT_VIEW_COMPANY:
		return "a company counts once, by its primary domain (its first domain in list "
		       "order); a domain without a company is a company of its own";
	case REPORT_VIEW_COMPANY_ANY:
		return "a company counts when any of its domains does";
	case REPORT_VIEWS:
		break;
	}
	return "";
}

bool report_stats_has(enum report_view v, size_t metric)
{
	if (metric >= report_nmetrics)
		return false;
	return v != REPORT_VIEW_COMPANY_ANY || report_metrics[metric].any_view;
}

double report_percent(long count, long denom)
{
	if (denom <= 0)
		return -1;
	return (double)(long)(1000.0 * (double)count / (double)denom + 0.5) / 10.0;
}

/* ---- companies and SPF include targets: strmap keys, data by index ---- */

/* Makes room for index i in an array of n elements of size sz (*cap
 * elements allocated). 0, or -1 when out of memory. */
static int room(void **v, size_t *cap, size_t i, size_t sz)
{
	if (i < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 64;
	while (c <= i)
		c *= 2;
	void *n = realloc(*v, c * sz);
	if (n == NULL)
		return -1;
	memset((char *)n + *cap * sz, 0, (c - *cap) * sz);
	*v = n;
	*cap = c;
	return 0;
}

struct report_stats {
	long units[REPORT_VIEWS];
	long count[REPORT_VIEWS][MAX_METRICS];
	/* Kept statistics (report_stats_load) of a posture that had no such
	 * metric yet: not known, a gap, never 0. */
	bool unknown[MAX_METRICS];
	struct strmap companies, includes;
	uint64_t (*company_bits)[BITWORDS]; /* by company: metrics any domain passes */
	size_t company_cap;
	long *include_n; /* by include target: domains */
	size_t include_cap;
	struct report_include *top;
	size_t ntop;
	int definitions; /* REPORT_STATS_DEFINITIONS of the posture that counted */
};

struct report_stats *report_stats_new(void)
{
	return calloc(1, sizeof(struct report_stats));
}

void report_stats_free(struct report_stats *s)
{
	if (s == NULL)
		return;
	strmap_free(&s->companies);
	strmap_free(&s->includes);
	free(s->company_bits);
	free(s->include_n);
	free(s->top);
	free(s);
}

/* Whether metric i is an SPF, DMARC or BIMI figure: its denominator
 * chain ends at spf_checked, dmarc_checked or bimi_checked (or it is one
 * of them). A domain that does not exist has nothing to publish, so these
 * leave it out (RFC 8020 2: NXDOMAIN, nothing at or below the name);
 * so do the DKIM and the transport figures (MTA-STS, TLS-RPT, DNSSEC,
 * DANE). */
static bool needs_domain(size_t i)
{
	int m = (int)i;
	while (report_metrics[m].denom >= 0)
		m = report_metrics[m].denom;
	return m == M_SPF_CHECKED || m == M_DMARC_CHECKED || m == M_BIMI_CHECKED ||
	       m == M_DKIM_CHECKED || m == M_MTA_STS_CHECKED || m == M_TLS_RPT_CHECKED ||
	       m == M_DNSSEC_CHECKED || m == M_DANE_CHECKED;
}

int report_stats_add(struct report_stats *s, const struct report_row *r)
{
	bool primary;
	const char *key = r->company && r->company[0] ? r->company : r->domain;
	/* A domain is a company of its own under its name; a prefix keeps it
	 * apart from a company that happens to have that name. */
	char *k = malloc(strlen(key) + 3);
	if (k == NULL)
		return -1;
	snprintf(k, strlen(key) + 3, "%c:%s", r->company && r->company[0] ? 'c' : 'd', key);
	size_t c = strmap_put(&s->companies, k, &primary);
	free(k);
	if (c == STRMAP_NONE ||
	    room((void **)&s->company_bits, &s->company_cap, c, sizeof(*s->company_bits)) != 0)
		return -1;
	s->units[REPORT_VIEW_DOMAIN]++;
	if (primary)
		s->units[REPORT_VIEW_COMPANY]++;
	for (size_t i = 0; i < report_nmetrics; i++) {
		if ((r->nxdomain && needs_domain(i)) ||
		    !report_metrics[i].test(r, report_metrics[i].arg))
			continue;
		s->count[REPORT_VIEW_DOMAIN][i]++;
		if (primary)
			s->count[REPORT_VIEW_COMPANY][i]++;
		s->company_bits[c][i / 64] |= 1ULL << (i % 64);
	}
	if (!r->nxdomain && t_spf_record(r, 0))
		for (size_t i = 0; i < r->nincludes; i++) {
			bool added;
			size_t e = strmap_put(&s->includes, r->includes[i], &added);
			if (e == STRMAP_NONE || room((void **)&s->include_n, &s->include_cap, e,
			                             sizeof(*s->include_n)) != 0)
				return -1;
			s->include_n[e]++;
		}
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct report_include *x = a, *y = b;
	if (x->domains != y->domains)
		return x->domains > y->domains ? -1 : 1;
	return strcmp(x->host, y->host);
}

int report_stats_finish(struct report_stats *s)
{
	s->definitions = REPORT_STATS_DEFINITIONS;
	s->units[REPORT_VIEW_COMPANY_ANY] = (long)s->companies.n;
	for (size_t c = 0; c < s->companies.n; c++)
		for (size_t i = 0; i < report_nmetrics; i++)
			if (s->company_bits[c][i / 64] & (1ULL << (i % 64)))
				s->count[REPORT_VIEW_COMPANY_ANY][i]++;
	/* Every include target with its count, most first; the top kept. */
	size_t all = s->includes.n;
	free(s->top);
	s->top = NULL;
	s->ntop = 0;
	if (all == 0)
		return 0;
	if ((s->top = calloc(all, sizeof(*s->top))) == NULL)
		return -1;
	for (size_t i = 0; i < all; i++) {
		s->top[i].host = s->includes.keys[i]; /* owned by the map */
		s->top[i].domains = s->include_n[i];
	}
	qsort(s->top, all, sizeof(*s->top), by_count);
	s->ntop = all < REPORT_TOP_INCLUDES ? all : REPORT_TOP_INCLUDES;
	return 0;
}

long report_stats_units(const struct report_stats *s, enum report_view v)
{
	return (unsigned)v < REPORT_VIEWS ? s->units[v] : 0;
}

long report_stats_count(const struct report_stats *s, enum report_view v, size_t metric)
{
	if ((unsigned)v >= REPORT_VIEWS || metric >= report_nmetrics)
		return 0;
	return s->count[v][metric];
}

bool report_stats_checked(const struct report_stats *s, size_t metric)
{
	if (metric >= report_nmetrics || s->unknown[metric])
		return false;
	int root = report_metrics[metric].denom;
	if (root < 0)
		return true; /* a count of results, or a *_checked count itself */
	while (report_metrics[root].denom >= 0)
		root = report_metrics[root].denom;
	return s->count[REPORT_VIEW_DOMAIN][root] > 0;
}

long report_stats_denominator(const struct report_stats *s, enum report_view v, size_t metric)
{
	if ((unsigned)v >= REPORT_VIEWS || metric >= report_nmetrics)
		return 0;
	int d = report_metrics[metric].denom;
	return d < 0 ? s->units[v] : s->count[v][d];
}

const struct report_include *report_stats_includes(const struct report_stats *s, size_t *n)
{
	*n = s->ntop;
	return s->top;
}

/* The longest include target kept: a DNS name in presentation form. */
#define DNS_NAME_KEPT 255

/* Whether a host can be kept on an include line: one word of printable
 * ASCII (names are in presentation form: other bytes are escaped). */
static bool keepable(const char *h)
{
	size_t n = 0;
	for (; h[n] != '\0'; n++)
		if (h[n] <= ' ' || h[n] > '~')
			return false;
	return n > 0 && n <= DNS_NAME_KEPT;
}

/* The kept form of a run's statistics (kept at the end of a scan, and by
 * posture db prune, so a report reads them instead of the run's results
 * and a trend survives the run's results): the definitions' version, a
 * line of units, a line per metric, by name, so metrics added later read
 * as not known (a gap in a trend: report_stats_checked) and metrics
 * removed are skipped, then the top SPF include targets:
 *   posture-stats 2
 *   definitions N          (REPORT_STATS_DEFINITIONS of the posture that kept them)
 *   units D C A
 *   NAME D C A             (counts in the domain, company, company_any views)
 *   include HOST N         (domains that include HOST directly)
 * Version 1 (no definitions, no includes) is read too. */
char *report_stats_save(const struct report_stats *s)
{
	size_t cap = 128 + report_nmetrics * 96 + s->ntop * (DNS_NAME_KEPT + 32), len = 0;
	char *out = malloc(cap);
	if (out == NULL)
		return NULL;
	len += (size_t)snprintf(out + len, cap - len,
	                        "posture-stats 2\ndefinitions %d\nunits %ld %ld %ld\n",
	                        REPORT_STATS_DEFINITIONS, s->units[0], s->units[1], s->units[2]);
	for (size_t i = 0; i < report_nmetrics && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s %ld %ld %ld\n",
		                        report_metrics[i].name, s->count[0][i], s->count[1][i],
		                        s->count[2][i]);
	for (size_t i = 0; i < s->ntop && len < cap; i++)
		if (keepable(s->top[i].host))
			len += (size_t)snprintf(out + len, cap - len, "include %s %ld\n",
			                        s->top[i].host, s->top[i].domains);
	if (len >= cap) {
		free(out);
		return NULL;
	}
	return out;
}

/* A kept include line: a host name and its count. 0, 1 not one, -1 out
 * of memory. */
static int load_include(struct report_stats *s, const char *p, int *used)
{
	char host[DNS_NAME_KEPT + 1];
	long n;
	*used = 0;
	if (sscanf(p, "include %255s %ld\n%n", host, &n, used) != 2 || *used == 0)
		return 1;
	if (s->ntop == REPORT_TOP_INCLUDES)
		return 0;
	bool added;
	size_t e = strmap_put(&s->includes, host, &added);
	struct report_include *t = realloc(s->top, (s->ntop + 1) * sizeof(*t));
	if (t == NULL)
		return -1;
	s->top = t;
	if (e == STRMAP_NONE)
		return -1;
	t[s->ntop].host = s->includes.keys[e]; /* owned by the map */
	t[s->ntop++].domains = n;
	return 0;
}

struct report_stats *report_stats_load(const char *text)
{
	char name[64];
	long v[REPORT_VIEWS];
	int used, version = 0;
	if (text == NULL || sscanf(text, "posture-stats %d\n%n", &version, &used) != 1 ||
	    (version != 1 && version != 2))
		return NULL;
	struct report_stats *s = report_stats_new();
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < report_nmetrics; i++)
		s->unknown[i] = true;
	for (const char *p = text + used; *p; p += used) {
		int d = 0, inc = 1;
		used = 0;
		if (version >= 2 && sscanf(p, "definitions %d\n%n", &d, &used) == 1 && used > 0) {
			s->definitions = d;
			continue;
		}
		if (version >= 2 && strncmp(p, "include ", 8) == 0 &&
		    (inc = load_include(s, p, &used)) <= 0) {
			if (inc < 0)
				goto bad;
			continue;
		}
		if (sscanf(p, "%63s %ld %ld %ld\n%n", name, &v[0], &v[1], &v[2], &used) != 4 ||
		    used == 0)
			goto bad;
		if (strcmp(name, "units") == 0) {
			memcpy(s->units, v, sizeof(v));
			continue;
		}
		for (size_t i = 0; i < report_nmetrics; i++)
			if (strcmp(report_metrics[i].name, name) == 0) {
				for (int k = 0; k < REPORT_VIEWS; k++)
					s->count[k][i] = v[k];
				s->unknown[i] = false;
			}
	}
	return s;
bad:
	report_stats_free(s);
	return NULL;
}

bool report_stats_current(const struct report_stats *s)
{
	return s->definitions == REPORT_STATS_DEFINITIONS;
}
