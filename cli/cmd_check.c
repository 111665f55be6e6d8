/*
 * cmd_check.c — "posture check DOMAIN" (everything about one domain, the
 * domain owner's screen) and "posture bimi DOMAIN" (the BIMI part with its
 * readiness checklist). Both run domain_check_run; they differ in what
 * they print and in their exit status.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_out.h"
#include "commands.h"
#include "dbread.h"
#include "dkim_check.h"
#include "dnssec.h"
#include "domain_check.h"
#include "output.h"
#include "readiness.h"
#include "store.h"
#include "transport_check.h"
#include "vmc.h"

#define CHECK_OWN_OPTIONS_HELP                                                                     \
	"  --dkim-selector S  probe this DKIM selector (repeatable; the s= tag of\n"               \
	"                     a DKIM-Signature header) instead of posture's list\n"                \
	"                     of common ones\n"                                                    \
	"  --expiry-warn DAYS  warn when a valid mark certificate expires within\n"                \
	"                     DAYS days (default 30; 0: never; with --at, from that\n"             \
	"                     time)\n"                                                             \
	"  --reports-db FILE  the receivers' reports imported with posture reports\n"              \
	"                     import: adds the item dmarc_evidence (is p=quarantine\n"             \
	"                     safe? the pass rate and the failing sources)\n"                      \
	"  --reports-days N   the period of that evidence: the last N days\n"                      \
	"                     (default 30)\n"                                                      \
	"  --reports-threshold PCT  the pass rate that makes enforcing safe\n"                     \
	"                     (default 98)\n"

/* posture check's alone (posture bimi reads no transport check). */
#define CHECK_TRANSPORT_OPTIONS_HELP                                                               \
	"  --dnssec           also check DNSSEC and DANE (below; not by default)\n"                \
	"  --trust-anchor FILE  for --dnssec (which it implies): trust the DS or\n"                \
	"                     DNSKEY records of FILE (zone-file text) instead of\n"                \
	"                     the bundled root anchor (posture dnssec --help)\n"

const char cmd_bimi_help[] =
        "usage: posture bimi DOMAIN [options] [--json] [global options]\n"
        "\n"
        "Finds the BIMI record of DOMAIN (<selector>._bimi.DOMAIN, then the\n"
        "organisational domain's), fetches its logo (l=) and Mark Certificate\n"
        "(a=) over HTTPS, validates the logo as SVG Tiny PS and the certificate\n"
        "as a VMC or CMC for the domain (chain to a Mark Verifying Authority\n"
        "root, BIMI EKU, SAN, logotype hash, the certificate's logo equal to\n"
        "the published one), and lists what receivers require before they show\n"
        "a logo: the readiness checklist, each item with its fix. An email\n"
        "address or a URL stands for its domain (a note says which).\n"
        "\n"
        "Options:\n" DOMAIN_CHECK_OPTIONS_HELP CHECK_OWN_OPTIONS_HELP "\n"
        "status: ok (a usable record), none (no record, or a declination),\n"
        "invalid, temperror. logo/vmc status: valid, invalid, absent, unchecked.\n"
        "\n"
        "JSON: domain, status, record, record_name, selector, org_domain,\n"
        "from_org, declined, avp, logo {url, status, sha256, findings},\n"
        "vmc {url, status, type (VMC|CMC), not_after, subject, issuer, logo_matches,\n"
        "findings}, readiness [{item, status (pass|fail|warn|unknown), required,\n"
        "detail, rule, fix}], eligible, checked, findings, verdict (ready,\n"
        "ready_no_certificate, problems, incomplete), schema, checked_at.\n"
        "\n"
        "Exit status: 0 eligible with a valid mark certificate, 1 not eligible,\n"
        "2 usage (also an option's file that cannot be read), 3 failure,\n"
        "4 incomplete (a DNS failure or --no-fetch left an item unchecked: run\n"
        "it again), 5 eligible without a mark certificate (Gmail and Apple Mail\n"
        "show no logo; Yahoo may).\n"
        "\n"
        "Examples:\n"
        "  posture bimi example.com\n"
        "  posture bimi example.com --selector brand2 --json\n";

const char cmd_check_help[] =
        "usage: posture check DOMAIN [options] [--json] [global options]\n"
        "\n"
        "Everything posture knows about one domain on one screen: SPF, DMARC,\n"
        "DKIM, BIMI, MX and A/AAAA, each with a verdict that names its cause, the\n"
        "most important problem first, and the BIMI readiness checklist with\n"
        "the fix for every item that fails (the record to publish, the include\n"
        "to remove, the policy step to take next) and the rule it comes from.\n"
        "An email address (user@example.com) or a URL (https://example.com/)\n"
        "stands for its domain, with a note on stderr. Colours only on a\n"
        "terminal; NO_COLOR turns them off.\n"
        "\n"
        "Options:\n" DOMAIN_CHECK_OPTIONS_HELP CHECK_OWN_OPTIONS_HELP CHECK_TRANSPORT_OPTIONS_HELP
        "\n"
        "Verdict: READY, READY (no mark certificate: logo shown by Yahoo only),\n"
        "PROBLEMS FOUND, or INCOMPLETE (a DNS failure or --no-fetch left a\n"
        "check open).\n"
        "\n"
        "DKIM: the keys found at a list of common selectors, or at the ones\n"
        "given with --dkim-selector; \"no key among N selectors probed\" is not\n"
        "a missing DKIM, only a guess that missed. Where DMARC is at quarantine\n"
        "or reject and no key is found, forwarded mail fails DMARC: said too.\n"
        "\n"
        "Mail transport, advisory: it never changes the verdict, the problems\n"
        "or the exit status, and a missing record is information, not a\n"
        "problem. MTA-STS (the _mta-sts record and, when it is valid, the\n"
        "policy fetched as senders fetch it: posture mta-sts; --no-fetch skips\n"
        "the fetch) and TLS-RPT (the _smtp._tls record) run by default: two TXT\n"
        "questions, and one HTTPS fetch when a record exists. DNSSEC (do the\n"
        "MX, SOA, DMARC and SPF answers validate? posture dnssec) and DANE\n"
        "(TLSA at _25._tcp of each MX host: usable only from a DNSSEC-secure\n"
        "answer, RFC 7672) run with --dnssec only: they go through getdns,\n"
        "which validates and so fetches every signer's DS and DNSKEY too (about\n"
        "24 DNS queries instead of 2), and need a resolver that passes DNSSEC\n"
        "records. DANE: dane (usable TLSA at every MX host), partial, none,\n"
        "unusable (TLSA that senders do not use: an insecure answer, PKIX\n"
        "usages, bad form), indeterminate.\n"
        "\n"
        "JSON: schema, checked_at, domain, spf (as posture spf), dmarc (as\n"
        "posture dmarc), dkim (as posture dkim), bimi (as posture bimi), mx\n"
        "{status, records, hosts [{host, preference}]}, a {status, records},\n"
        "mta_sts (as posture mta-sts), tls_rpt {status, record, rua,\n"
        "findings}, dnssec (as posture dnssec), dane {status, hosts [{host,\n"
        "name, status, dnssec, outcome, records}], findings} (without\n"
        "--dnssec, dnssec and dane are {\"status\": \"not_run\"}), problems\n"
        "(the error findings of every check but the transport ones, then each\n"
        "required readiness item that does not pass as readiness.<item>; never\n"
        "empty when not ready), ready, verdict (ready, ready_no_certificate,\n"
        "problems, incomplete); \"exists\": false for a domain that does not\n"
        "exist (NXDOMAIN), which the text output says first (exit 1).\n"
        "\n"
        "Exit status: 0 ready (BIMI-eligible with a valid mark certificate and\n"
        "no error finding in any check, mail transport aside), 1 problems\n"
        "found, 2 usage (also an option's file that cannot be read, or a\n"
        "--trust-anchor one that holds no DS or DNSKEY record), 3 failure, 4\n"
        "incomplete (a DNS failure or --no-fetch left a check open: run it\n"
        "again), 5 ready without a mark certificate (Gmail and Apple Mail show\n"
        "no logo; Yahoo may): it can gate a deployment pipeline.\n"
        "\n"
        "Examples:\n"
        "  posture check example.com\n"
        "  posture check user@example.com --expiry-warn 60\n"
        "  posture check example.com --dkim-selector google --dkim-selector s1\n"
        "  posture check example.com --dnssec\n"
        "  posture check example.com --json | jq .ready\n";

/* ---- what both commands show ----------------------------------------- */

/* The version of posture check --json's layout (and of the keys posture
 * bimi --json adds to its result): raised when a key changes meaning or
 * goes away, never when one is added. */
#define CHECK_JSON_SCHEMA 1

/* One check's result with what the screen needs beside it. */
struct screen {
	const struct domain_result *r;
	const struct domain_check_info *info;
	const struct domain_check_opts *o;
	const struct findings *problems;
	enum verdict verdict;
	time_t at;         /* when certificates were judged (--at, or now) */
	long expires_days; /* a valid certificate's days left when warned; -1 */
	/* --reports-db: the receivers' evidence (NULL without). */
	const struct fb_summary *evidence;
	const struct fb_verdict *verdict_fb;
	unsigned evidence_days;
};

static int verdict_exit(enum verdict v)
{
	switch (v) {
	case VERDICT_READY:
		return EXIT_OK;
	case VERDICT_READY_NO_MARK:
		return EXIT_READY_NO_MARK;
	case VERDICT_PROBLEMS:
		return EXIT_PROBLEMS;
	case VERDICT_INCOMPLETE:
		break;
	}
	return EXIT_UNCHECKED;
}

/* The days a valid certificate has left when vmc.expires_soon warned of
 * it, else -1. */
static long expiry_days(const struct domain_result *r, time_t at)
{
	if (r->assets.vmc != BIMI_ASSET_VALID ||
	    !findings_has(&r->assets.vmc_findings, "vmc.expires_soon"))
		return -1;
	double left = difftime(r->assets.vmc_not_after, at);
	return left <= 0 ? 0 : (long)((left + 86399.0) / 86400.0);
}

/* What the verdict word leaves to say, in parentheses: why it is only
 * ready without a certificate, or why the check is incomplete. */
static void verdict_reason(const struct screen *s, char *buf, size_t len)
{
	const struct domain_result *r = s->r;
	buf[0] = '\0';
	if (s->verdict == VERDICT_READY_NO_MARK) {
		/* Gmail and Apple Mail show a logo only with a VMC or CMC;
		 * Yahoo shows self-asserted ones (doc/commands.md). */
		snprintf(buf, len, "no mark certificate: logo shown by Yahoo only");
	} else if (s->verdict == VERDICT_READY && s->expires_days >= 0) {
		snprintf(buf, len, "mark certificate expires in %ld day%s", s->expires_days,
		         s->expires_days == 1 ? "" : "s");
	} else if (s->verdict == VERDICT_INCOMPLETE) {
		bool unfetched = r->assets.logo == BIMI_ASSET_UNCHECKED ||
		                 r->assets.vmc == BIMI_ASSET_UNCHECKED;
		if (checks_inconclusive(r))
			snprintf(buf, len, "a DNS failure left a check open: run it again");
		else if (unfetched && s->o->no_fetch)
			snprintf(buf, len, "the logo and certificate were not fetched: --no-fetch");
		else
			snprintf(buf, len, "an item could not be checked");
	}
}

/* ---- terminal output --------------------------------------------------- */

static const char *verdict_colour(enum verdict v)
{
	return v == VERDICT_READY ? GREEN : v == VERDICT_PROBLEMS ? RED : AMBER;
}

static void print_readiness(const struct style *st, const struct screen *s)
{
	static const char *const word[] = { "eligible", "eligible", "not eligible", "incomplete" };
	struct screen b = *s;
	char why[160];
	/* The checklist's own verdict: BIMI's items alone. */
	b.verdict = readiness_verdict(s->r, false);
	verdict_reason(&b, why, sizeof(why));
	printf("\n%sBIMI readiness%s: %s%s%s%s%s%s\n", check_paint(st, BOLD), check_paint(st, OFF),
	       check_paint(st, verdict_colour(b.verdict)), word[b.verdict], why[0] ? " (" : "", why,
	       why[0] ? ")" : "", check_paint(st, OFF));
	for (size_t i = 0; i < s->r->nready; i++) {
		const struct ready_item *it = &s->r->ready[i];
		printf("  ");
		check_mark(st, it->status);
		printf(" %-17s ", it->item);
		print_safe(stdout, it->detail);
		fputc('\n', stdout);
		if (it->status != READY_PASS && it->fix[0]) {
			printf("         fix: ");
			print_safe(stdout, it->fix);
			printf("\n         %srule: %s%s\n", check_paint(st, DIM), it->rule,
			       check_paint(st, OFF));
		}
	}
}

static void print_asset(const char *what, const char *url, enum bimi_asset s, const char *extra)
{
	printf("  %-12s %s", what, bimi_asset_name(s));
	if (extra && extra[0])
		printf(" %s", extra);
	if (url) {
		printf("  ");
		print_safe(stdout, url);
	}
	fputc('\n', stdout);
}

static void print_bimi(const struct domain_result *r)
{
	const struct bimi_discovery *d = &r->bimi;
	const struct bimi_assets *a = &r->assets;
	printf("%s  BIMI %s (selector %s)\n", r->domain, bimi_status_name(d->status), d->selector);
	if (d->record) {
		printf("  record at %s%s: \"", d->record_name,
		       d->from_org ? " (organisational domain)" : "");
		print_record(stdout, d->record, strlen(d->record));
		fputs("\"\n", stdout);
	}
	if (d->status == BIMI_STATUS_OK) {
		char extra[160] = "";
		if (a->logo_sha256[0])
			snprintf(extra, sizeof(extra), "(sha256 %.16s...)", a->logo_sha256);
		print_asset("logo", checks_bimi_logo_url(r), a->logo, extra);
		char after[32] = "";
		if (a->vmc_not_after)
			vmc_format_time(a->vmc_not_after, after, sizeof(after));
		snprintf(extra, sizeof(extra), "%s%s%s%s", a->vmc_type ? a->vmc_type : "",
		         after[0] ? ", not after " : "", after,
		         a->vmc == BIMI_ASSET_VALID && a->vmc_logo_matches ? ", logo matches" : "");
		print_asset("certificate", checks_bimi_cert_url(r), a->vmc, extra);
	}
	struct findings all = { 0 };
	findings_extend(&all, &d->findings);
	findings_extend(&all, &a->logo_findings);
	findings_extend(&all, &a->vmc_findings);
	if (all.n > 0) {
		fputs("\nfindings:\n", stdout);
		findings_print(stdout, &all, "  ");
	}
	findings_cleanup(&all);
}

/* ---- posture check ------------------------------------------------------- */

/* The problem codes of readiness items (a finding's code is a static
 * string): "readiness." and the item's id (readiness.h). */
static const char *item_code(const char *item)
{
	static const char *const codes[] = {
		"readiness.bimi_record",
		"readiness.logo",
		"readiness.certificate",
		"readiness.dmarc_policy",
		"readiness.dmarc_org_policy",
		"readiness.dmarc_coverage",
		"readiness.dmarc_subdomain",
		"readiness.spf",
		"readiness.mx",
		"readiness.a",
		"readiness.dkim",
	};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i] + strlen("readiness."), item) == 0)
			return codes[i];
	return "readiness.item";
}

/* True when an error finding already in the problems names the cause of
 * a readiness item (the item is then not listed twice), or when the item
 * only follows from another one: the logo and certificate of a record
 * that is not usable, the coverage of a DMARC policy that is missing, the
 * organisational domain's policy when it is the domain's own. */
static bool item_covered(const struct domain_result *r, const struct ready_item *it)
{
	const char *id = it->item;
	bool bimi_ok = r->bimi.status == BIMI_STATUS_OK;
	if (strcmp(id, "bimi_record") == 0)
		return findings_first_error(&r->bimi.findings) != NULL;
	if (strcmp(id, "logo") == 0)
		return !bimi_ok || findings_first_error(&r->assets.logo_findings) != NULL;
	if (strcmp(id, "certificate") == 0)
		return !bimi_ok || findings_first_error(&r->assets.vmc_findings) != NULL;
	if (strcmp(id, "dmarc_policy") == 0)
		return findings_first_error(&r->dmarc.findings) != NULL;
	if (strcmp(id, "dmarc_org_policy") == 0)
		return !r->has_dmarc_org;
	if (strcmp(id, "dmarc_coverage") == 0 || strcmp(id, "dmarc_subdomain") == 0)
		return r->dmarc.bis.status != DMARC_STATUS_OK;
	if (strcmp(id, "spf") == 0)
		return findings_first_error(&r->spf.findings) != NULL;
	return false;
}

/* The problems of posture check, most important first: every error
 * finding (SPF and DMARC errors let mail be spoofed, BIMI's only hide the
 * logo), then each required readiness item that fails, then each that
 * could not be checked, unless an error finding already names its cause.
 * Never empty for a domain that is not ready. */
static int collect_problems(const struct domain_result *r, struct findings *out)
{
	const struct findings *lists[5 + 1 + DKIM_PROBE_MAX];
	size_t nlists = 0;
	lists[nlists++] = &r->dmarc.findings;
	lists[nlists++] = &r->spf.findings;
	/* DKIM's after SPF's: a published key verifiers refuse (or one short
	 * enough to be broken) is the signer's problem; a logo's is not. */
	if (r->mask & CHECK_BIT(CHECK_DKIM)) {
		lists[nlists++] = &r->dkim.findings;
		for (size_t i = 0; i < r->dkim.nsel; i++)
			lists[nlists++] = &r->dkim.sel[i].findings;
	}
	lists[nlists++] = &r->bimi.findings;
	lists[nlists++] = &r->assets.logo_findings;
	lists[nlists++] = &r->assets.vmc_findings;
	for (size_t i = 0; i < nlists; i++)
		for (size_t k = 0; k < lists[i]->n; k++) {
			const struct finding *f = &lists[i]->v[k];
			if (f->severity == FINDING_ERROR &&
			    findings_add(out, f->code, f->severity, f->path, f->fix, "%s",
			                 f->message) != 0)
				return -1;
		}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->nready; i++) {
			const struct ready_item *it = &r->ready[i];
			bool fail = it->status == READY_FAIL;
			if (!it->required || it->status == READY_PASS || fail != (pass == 0) ||
			    item_covered(r, it))
				continue;
			if (findings_add(out, item_code(it->item),
			                 fail ? FINDING_ERROR : FINDING_WARNING, NULL,
			                 it->fix[0] ? it->fix : NULL, "%s", it->detail) != 0)
				return -1;
		}
	return 0;
}

/* One check's line: its name in a column of width, the mark, the text. */
static void line(const struct style *st, const char *what, enum ready_status s, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));
static void line(const struct style *st, const char *what, enum ready_status s, const char *fmt,
                 ...)
{
	va_list ap;
	va_start(ap, fmt);
	check_vline(st, 6, what, s, fmt, ap);
	va_end(ap);
}

static enum ready_status host_mark(enum host_status s)
{
	return s == HOST_PRESENT ? READY_PASS : s == HOST_TEMPERROR ? READY_UNKNOWN : READY_FAIL;
}

/* The BIMI line: its verdict and the cause of it, which may lie outside
 * BIMI (a logo is shown only under a DMARC policy at enforcement). */
static enum ready_status bimi_line(const struct screen *s, char *buf, size_t len)
{
	const struct domain_result *r = s->r;
	char assets[200];
	if (r->bimi.status == BIMI_STATUS_OK)
		snprintf(assets, sizeof(assets), "ok, logo %s, certificate %s%s%s",
		         bimi_asset_name(r->assets.logo), bimi_asset_name(r->assets.vmc),
		         r->assets.vmc_type ? " " : "",
		         r->assets.vmc_type ? r->assets.vmc_type : "");
	else
		snprintf(assets, sizeof(assets), "record %s", bimi_status_name(r->bimi.status));
	const struct ready_item *fail = NULL, *open = NULL;
	for (size_t i = 0; i < r->nready; i++) {
		const struct ready_item *it = &r->ready[i];
		if (it->required && it->status == READY_FAIL && fail == NULL)
			fail = it;
		if (it->required && it->status == READY_UNKNOWN && open == NULL)
			open = it;
	}
	if (fail != NULL || open != NULL) {
		const struct ready_item *it = fail ? fail : open;
		snprintf(buf, len, "%s: %s (%s); %s", fail ? "not eligible" : "not checked",
		         it->detail, it->item, assets);
		return fail ? READY_FAIL : READY_UNKNOWN;
	}
	if (!r->bimi_finished) {
		snprintf(buf, len, "%s", assets);
		return READY_UNKNOWN;
	}
	if (r->assets.vmc == BIMI_ASSET_ABSENT) {
		snprintf(buf, len, "%s: no mark certificate, so only Yahoo shows the logo", assets);
		return READY_WARN;
	}
	if (s->expires_days >= 0) {
		snprintf(buf, len, "%s, expires in %ld day%s", assets, s->expires_days,
		         s->expires_days == 1 ? "" : "s");
		return READY_WARN;
	}
	snprintf(buf, len, "%s", assets);
	return READY_PASS;
}

/* "google (rsa 2048), selector1 (rsa 1024, Microsoft 365)": the usable
 * keys, the first few. */
static void dkim_keys(const struct dkim_result *d, char *buf, size_t len)
{
	size_t at = 0, shown = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < d->nsel && at < len; i++) {
		const struct dkim_selector_result *x = &d->sel[i];
		if (!dkim_key_usable(&x->key))
			continue;
		if (shown++ == 3) {
			snprintf(buf + at, len - at, ", ...");
			return;
		}
		char bits[16] = "";
		if (x->key.key_type == DKIM_KEY_RSA)
			snprintf(bits, sizeof(bits), " %d", x->key.bits);
		at += (size_t)snprintf(buf + at, len - at, "%s%s (%s%s%s%s)", at ? ", " : "",
		                       x->name, dkim_key_type_name(x->key.key_type), bits,
		                       x->provider ? ", " : "", x->provider ? x->provider : "");
	}
}

/* The DKIM line's mark and text: what was found, or "no key among N
 * selectors probed" (a guess that missed is never "no DKIM"). */
static enum ready_status dkim_text(const struct domain_result *r, char *buf, size_t len)
{
	const struct dkim_result *d = &r->dkim;
	bool enforced = findings_has(&d->findings, "dkim.dmarc_enforced_without_dkim");
	char keys[600];
	switch (d->status) {
	case DKIM_FOUND:
		dkim_keys(d, keys, sizeof(keys));
		snprintf(buf, len, "found, %d of %d selectors probed: %s", d->usable, d->probed,
		         keys);
		if (d->min_bits > 0) {
			size_t n = strlen(buf);
			snprintf(buf + n, len - n, "; smallest RSA key %d bits", d->min_bits);
		}
		if (dkim_result_first_error(d) != NULL)
			return READY_FAIL;
		return d->min_bits > 0 && d->min_bits < DKIM_RSA_GOOD_BITS ? READY_WARN
		                                                           : READY_PASS;
	case DKIM_TEMPERROR:
		snprintf(buf, len, "temperror: %d of %d probes failed, no usable key found",
		         d->temperrors, d->probed);
		return READY_UNKNOWN;
	case DKIM_NONE_FOUND:
	case DKIM_NOT_RUN:
		break;
	}
	snprintf(buf, len, "no usable key among %d selector%s probed%s%s", d->probed,
	         d->probed == 1 ? "" : "s", d->named ? " (the ones given)" : "",
	         enforced ? ": forwarded mail fails DMARC" : "");
	return d->named || enforced ? READY_WARN : READY_UNKNOWN;
}

/* A DKIM finding worth a line under the DKIM line: a warning or an
 * error, or the one that says how to give posture the selector. */
static int dkim_fix_add(struct findings *f, const struct finding *x)
{
	if (x->severity < FINDING_WARNING && strcmp(x->code, "dkim.none_found") != 0)
		return 0;
	return findings_add(f, x->code, x->severity, x->path, x->fix, "%s", x->message);
}

/* The DKIM findings under its line, with their fixes (posture dkim and
 * the JSON have them all). */
static void dkim_fixes(const struct dkim_result *d)
{
	struct findings f = { 0 };
	int rc = 0;
	for (size_t k = 0; rc == 0 && k < d->findings.n; k++)
		rc = dkim_fix_add(&f, &d->findings.v[k]);
	for (size_t i = 0; rc == 0 && i < d->nsel; i++)
		for (size_t k = 0; rc == 0 && k < d->sel[i].findings.n; k++)
			rc = dkim_fix_add(&f, &d->sel[i].findings.v[k]);
	findings_print(stdout, &f, "         ");
	findings_cleanup(&f);
}

/* "present, 2 records (mx1.example.com, mx2.example.com)". */
static void mx_text(const struct screen *s, char *buf, size_t len)
{
	const struct host_result *h = &s->r->mx;
	size_t n = (size_t)snprintf(buf, len, "%s, %d record%s", host_status_name(h->status),
	                            h->records, h->records == 1 ? "" : "s");
	for (size_t i = 0; i < h->nhosts && i < 3 && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i == 0 ? " (" : ", ",
		                      h->hosts[i].host);
	if (h->nhosts > 3 && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", ...");
	if (h->nhosts > 0 && n < len)
		snprintf(buf + n, len - n, ")");
}

static void print_lines(const struct style *st, const struct screen *s)
{
	const struct domain_result *r = s->r;
	const struct spf_audit *sp = &r->spf;
	enum ready_status ss = sp->status == SPF_STATUS_OK          ? READY_PASS
	                       : sp->status == SPF_STATUS_TEMPERROR ? READY_UNKNOWN
	                                                            : READY_FAIL;
	if (ss == READY_PASS && strcmp(sp->all, "-all") != 0 && strcmp(sp->all, "~all") != 0)
		ss = READY_WARN;
	/* A PermError or an invalid record is named by the finding that
	 * decided it: the line's cause. */
	bool perm = sp->status == SPF_STATUS_PERMERROR && sp->error_code != NULL;
	line(st, "SPF", ss, "%s%s%s%s%s%s, %d of 10 DNS lookups, %d void",
	     spf_status_name(sp->status), perm ? " (" : "", perm ? sp->error_code : "",
	     perm ? ")" : "", sp->all[0] ? ", ends in " : "", sp->all, sp->lookups,
	     sp->void_lookups);
	const struct dmarc_reading *b = &r->dmarc.bis;
	enum dmarc_enforcement e = b->enforcement;
	const struct finding *bad =
	        b->status == DMARC_STATUS_INVALID ? findings_first_error(&r->dmarc.findings) : NULL;
	line(st, "DMARC",
	     e == DMARC_ENF_REJECT || e == DMARC_ENF_QUARANTINE ? READY_PASS
	     : e == DMARC_ENF_TEMPERROR                         ? READY_UNKNOWN
	     : e == DMARC_ENF_MONITOR || e == DMARC_ENF_PARTIAL ? READY_WARN
	                                                        : READY_FAIL,
	     "%s%s%s%s, enforcement %s%s%s", dmarc_status_name(b->status), bad ? " (" : "",
	     bad ? bad->code : "", bad ? ")" : "", dmarc_enforcement_name(e),
	     b->status == DMARC_STATUS_OK ? ", p=" : "",
	     b->status == DMARC_STATUS_OK ? dmarc_policy_name(b->policy) : "");
	char buf[1024];
	if ((r->mask & CHECK_BIT(CHECK_DKIM)) && r->dkim.status != DKIM_NOT_RUN) {
		enum ready_status ds = dkim_text(r, buf, sizeof(buf));
		line(st, "DKIM", ds, "%s", buf);
		dkim_fixes(&r->dkim);
	}
	enum ready_status bs = bimi_line(s, buf, sizeof(buf));
	line(st, "BIMI", bs, "%s", buf);
	mx_text(s, buf, sizeof(buf));
	line(st, "MX", host_mark(r->mx.status), "%s", buf);
	line(st, "A", host_mark(r->a.status), "%s, %d address%s", host_status_name(r->a.status),
	     r->a.records, r->a.records == 1 ? "" : "es");
}

/* The most important thing to do: the first problem; for a domain that
 * is ready, what still limits it (no certificate, one that expires). */
static void print_most_important(const struct style *st, const struct screen *s)
{
	const char *msg = NULL, *fixtext = NULL;
	if (s->problems->n > 0) {
		msg = s->problems->v[0].message;
		fixtext = s->problems->v[0].fix;
	}
	for (size_t i = 0; msg == NULL && i < s->r->nready; i++)
		if (s->r->ready[i].status == READY_WARN) {
			msg = s->r->ready[i].detail;
			fixtext = s->r->ready[i].fix;
		}
	const struct findings *vf = &s->r->assets.vmc_findings;
	for (size_t i = 0; msg == NULL && i < vf->n; i++)
		if (strcmp(vf->v[i].code, "vmc.expires_soon") == 0) {
			msg = vf->v[i].message;
			fixtext = vf->v[i].fix;
		}
	if (msg == NULL)
		return;
	printf("\n%sMost important%s: ", check_paint(st, BOLD), check_paint(st, OFF));
	print_safe(stdout, msg);
	if (fixtext && fixtext[0]) {
		printf("\n  fix: ");
		print_safe(stdout, fixtext);
	}
	fputc('\n', stdout);
}

static void print_check(const struct style *st, const struct screen *s)
{
	const struct domain_result *r = s->r;
	static const char *const word[] = { "READY", "READY", "PROBLEMS FOUND", "INCOMPLETE" };
	char why[160];
	/* RFC 8020 2: NXDOMAIN, no name at or below it: said before anything. */
	if (r->nxdomain)
		printf("%s%s does not exist (NXDOMAIN)%s: nothing below can be published\n",
		       check_paint(st, RED), r->domain, check_paint(st, OFF));
	verdict_reason(s, why, sizeof(why));
	printf("%s%s%s  %s%s%s%s%s%s\n\n", check_paint(st, BOLD), r->domain, check_paint(st, OFF),
	       check_paint(st, verdict_colour(s->verdict)), word[s->verdict], why[0] ? " (" : "",
	       why, why[0] ? ")" : "", check_paint(st, OFF));
	print_lines(st, s);
	check_print_transport(st, s->r);
	print_most_important(st, s);
	print_readiness(st, s);
	if (s->problems->n > 1) {
		printf("\nall problems (%zu):\n", s->problems->n);
		findings_print(stdout, s->problems, "  ");
	}
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *host_json(const struct host_result *h)
{
	return json_pack("{s:s,s:i}", "status", host_status_name(h->status), "records", h->records);
}

static json_t *mx_json(const struct screen *s)
{
	/* The result's own hosts (CHECKS_MX_HOSTS at most), as a scan stores
	 * them: one source for check and scan. */
	const struct host_result *h = &s->r->mx;
	json_t *o = host_json(h), *hosts = json_array();
	for (size_t i = 0; hosts != NULL && i < h->nhosts; i++)
		json_array_append_new(hosts, json_pack("{s:s,s:i}", "host", h->hosts[i].host,
		                                       "preference", (int)h->hosts[i].pref));
	if (o == NULL || hosts == NULL || json_object_set_new(o, "hosts", hosts) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The receivers' evidence (--reports-db): the period's figures, the
 * verdict and the biggest failing sources. */
static json_t *evidence_json(const struct screen *s)
{
	const struct fb_summary *fs = s->evidence;
	const struct fb_verdict *v = s->verdict_fb;
	json_t *failing = json_array();
	for (size_t i = 0; failing != NULL && i < v->nfailing; i++) {
		const struct fb_source_sum *x = &fs->sources[v->failing[i]];
		json_array_append_new(failing,
		                      json_pack("{s:s,s:s?,s:I,s:I}", "ip", x->ip, "service",
		                                x->service[0] ? x->service : NULL, "messages",
		                                (json_int_t)x->messages, "dmarc_fail",
		                                (json_int_t)(x->messages - x->pass)));
	}
	return json_pack("{s:i,s:I,s:I,s:I,s:f,s:s,s:b,s:f,s:I,s:s,s:o}", "days",
	                 (int)s->evidence_days, "reports", (json_int_t)fs->reports, "messages",
	                 (json_int_t)fs->messages, "dmarc_pass", (json_int_t)fs->pass, "pass_rate",
	                 v->pass_rate, "verdict", v->safe ? "safe_to_enforce" : "not_yet",
	                 "enough_evidence", v->enough, "threshold", v->threshold, "min_messages",
	                 (json_int_t)v->min_messages, "why", v->why, "failing", failing);
}

/* schema, checked_at and verdict: what both commands add to a result. */
static int add_stamp(json_t *o, const struct screen *s)
{
	char when[32];
	vmc_format_time(s->info->checked_at, when, sizeof(when));
	if (o == NULL || json_object_set_new(o, "schema", json_integer(CHECK_JSON_SCHEMA)) != 0 ||
	    json_object_set_new(o, "checked_at", json_string(when)) != 0 ||
	    json_object_set_new(o, "verdict", json_string(verdict_name(s->verdict))) != 0)
		return -1;
	if (s->evidence != NULL && json_object_set_new(o, "evidence", evidence_json(s)) != 0)
		return -1;
	return 0;
}

static void dkim_w(struct jsonw *w, const void *r)
{
	dkim_result_write(w, r);
}

static json_t *check_json(const struct screen *s)
{
	const struct domain_result *r = s->r;
	bool ready = s->verdict == VERDICT_READY || s->verdict == VERDICT_READY_NO_MARK;
	json_t *js = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "domain", r->domain, "spf",
	                       spf_audit_json(&r->spf), "dmarc", dmarc_result_json(&r->dmarc),
	                       "dkim", jsonw_value(dkim_w, r), "bimi", bimi_result_json(r), "mx",
	                       mx_json(s), "a", host_json(&r->a), "problems",
	                       findings_json(s->problems), "ready", ready);
	/* Only when false, as in a scan's stored result (checks.h). */
	if (js != NULL && r->nxdomain && json_object_set_new(js, "exists", json_false()) != 0) {
		json_decref(js);
		return NULL;
	}
	if (add_stamp(js, s) != 0 || check_add_transport(js, r) != 0) {
		json_decref(js);
		return NULL;
	}
	return js;
}

/* ---- shared front ---------------------------------------------------------- */

/* Options and the domain; returns 0, or the exit status of a usage error. */
/* --reports-db and its companions (the evidence item). */
struct evidence_opts {
	const char *db;
	unsigned long days;
	struct fb_verdict_opts vo;
};

/* One of the --reports-* options at argv[*i]: 1 taken, 0 not one of
 * them, or the exit status of a usage error. */
static int evidence_option(const char *name, int argc, char **argv, int *i, struct evidence_opts *e)
{
	const char *o = argv[*i];
	if (strcmp(o, "--reports-db") != 0 && strcmp(o, "--reports-days") != 0 &&
	    strcmp(o, "--reports-threshold") != 0)
		return 0;
	if (*i + 1 >= argc) {
		cli_usage_error(name, "%s needs a value", o);
		return -EXIT_USAGE;
	}
	const char *v = argv[++*i];
	if (strcmp(o, "--reports-db") == 0) {
		e->db = v;
	} else if (strcmp(o, "--reports-days") == 0) {
		if (cli_parse_uint(v, 1, 3650, &e->days) != 0) {
			cli_usage_error(name, "--reports-days takes 1 to 3650, not '%s'", v);
			return -EXIT_USAGE;
		}
	} else {
		char *end;
		double t = strtod(v, &end);
		if (end == v || *end != '\0' || !(t > 0 && t <= 100)) {
			cli_usage_error(
			        name, "--reports-threshold takes a percentage up to 100, not '%s'",
			        v);
			return -EXIT_USAGE;
		}
		e->vo.threshold = t;
	}
	return 1;
}

static int parse(const char *name, int argc, char **argv, struct domain_check_opts *o,
                 struct evidence_opts *e, char *norm, size_t normlen)
{
	const char *help = strcmp(name, "bimi") == 0 ? cmd_bimi_help : cmd_check_help;
	const char *domain = NULL;
	char err[512];
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--expiry-warn") == 0) {
			unsigned long days;
			if (i + 1 >= argc)
				return cli_usage_error(name, "--expiry-warn needs a value");
			if (cli_parse_uint(argv[++i], 0, 3650, &days) != 0)
				return cli_usage_error(
				        name, "--expiry-warn takes days from 0 to 3650, not '%s'",
				        argv[i]);
			o->expiry_warn_days = (unsigned)days;
			continue;
		}
		int ev = evidence_option(name, argc, argv, &i, e);
		if (ev < 0)
			return -ev;
		if (ev == 1)
			continue;
		if (strcmp(argv[i], "--dkim-selector") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error(name, "--dkim-selector needs a value");
			if (domain_check_dkim_selector(o, argv[++i], err, sizeof(err)) != 0)
				return cli_usage_error(name, "%s", err);
			continue;
		}
		/* posture check's own: DNSSEC and DANE, opt-in. */
		bool full = strcmp(name, "check") == 0;
		if (full && strcmp(argv[i], "--dnssec") == 0) {
			o->mask |= CHECKS_VALIDATING;
			continue;
		}
		if (full && strcmp(argv[i], "--trust-anchor") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error(name, "--trust-anchor needs a value");
			o->trust_anchor = argv[++i];
			o->mask |= CHECKS_VALIDATING;
			continue;
		}
		int k = domain_check_option(argc, argv, &i, o, err, sizeof(err));
		if (k < 0)
			return cli_usage_error(name, "%s", err);
		if (k == 1)
			continue;
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_unknown_option(name, help, argv[i]);
		if (domain != NULL)
			return cli_usage_error(name, "unexpected argument '%s'", argv[i]);
		domain = argv[i];
	}
	if (domain_check_opts_env(o, err, sizeof(err)) != 0)
		return cli_usage_error(name, "%s", err);
	if (domain == NULL)
		return cli_usage_error(name, "%s needs a DOMAIN", name);
	if (cli_domain_arg(name, domain, true, norm, normlen) != 0)
		return EXIT_USAGE;
	if (domain_check_dkim_names(o, norm, err, sizeof(err)) != 0)
		return cli_usage_error(name, "%s", err);
	if (e->db != NULL && access(e->db, R_OK) != 0) {
		fprintf(stderr,
		        "posture: --reports-db %s: no such database or not readable (import "
		        "reports with posture reports import --db %s)\n",
		        e->db, e->db);
		return EXIT_USAGE;
	}
	/* A missing --ca-file or --vmc-roots is the user's to fix: said before
	 * any query, as every command says a missing input file (exit 2). */
	if (domain_check_opts_files(o, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		return EXIT_USAGE;
	}
	/* So is a --trust-anchor that cannot be used (posture dnssec too). */
	if (o->trust_anchor != NULL &&
	    dnssec_anchors_check(o->trust_anchor, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: --trust-anchor: %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}

static int emit(const struct screen *s, const struct cli_globals *g, bool full)
{
	struct style st = { check_use_color() };
	if (full) {
		if (g->json)
			return json_emit(check_json(s));
		print_check(&st, s);
		return 0;
	}
	if (g->json) {
		json_t *o = bimi_result_json(s->r);
		if (o != NULL && add_stamp(o, s) != 0) {
			json_decref(o);
			o = NULL;
		}
		return json_emit(o);
	}
	print_bimi(s->r);
	print_readiness(&st, s);
	return 0;
}

/* The receivers' evidence for the domain over the last e->days days: the
 * readiness item dmarc_evidence. 0, or an exit code (message printed). */
static int evidence_add(struct domain_result *r, const struct evidence_opts *e, time_t now,
                        struct fb_summary *fs, struct fb_verdict *fv)
{
	struct store *st = cli_db_open_ro(e->db);
	if (st == NULL)
		return EXIT_INTERNAL;
	int64_t since = (int64_t)now - (int64_t)e->days * 86400;
	int rc = cli_evidence_load(st, r->domain, since, 0, &e->vo, fs, fv);
	store_close(st);
	if (rc == 0 && readiness_add_evidence(r, fs, fv, (unsigned)e->days) != 0) {
		fputs("posture: the readiness checklist is full\n", stderr);
		rc = EXIT_INTERNAL;
	}
	return rc;
}

static int run(const char *name, int argc, char **argv, const struct cli_globals *g, bool full)
{
	char norm[DNS_NAME_BUF], err[512];
	struct domain_check_opts o;
	struct evidence_opts e = { .db = NULL, .days = 30 };
	domain_check_opts_init(&o);
	/* posture bimi shows no transport check: it asks none. */
	if (!full)
		o.mask &= ~(CHECKS_TRANSPORT | CHECKS_VALIDATING);
	fb_verdict_defaults(&e.vo);
	int rc = parse(name, argc, argv, &o, &e, norm, sizeof(norm));
	if (rc != 0)
		return rc;
	struct fb_summary fs = { 0 };
	struct fb_verdict fv;

	struct domain_result r;
	struct domain_check_info info;
	struct findings problems = { 0 };
	rc = EXIT_INTERNAL;
	if (domain_check_run(norm, &g->dns, &o, &r, &info, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		goto out;
	}
	if (e.db != NULL && (rc = evidence_add(&r, &e, info.checked_at, &fs, &fv)) != 0)
		goto out;
	rc = EXIT_INTERNAL;
	if (full && collect_problems(&r, &problems) != 0) {
		fputs("posture: out of memory\n", stderr);
		goto out;
	}
	struct screen s = { &r, &info, &o,   &problems, readiness_verdict(&r, full),
		            0,  -1,    NULL, NULL,      0 };
	if (e.db != NULL) {
		s.evidence = &fs;
		s.verdict_fb = &fv;
		s.evidence_days = (unsigned)e.days;
	}
	s.at = o.at ? o.at : info.checked_at;
	s.expires_days = expiry_days(&r, s.at);
	if (emit(&s, g, full) == 0)
		rc = verdict_exit(s.verdict);
out:
	fb_summary_cleanup(&fs);
	findings_cleanup(&problems);
	domain_check_info_cleanup(&info);
	checks_cleanup(&r);
	return rc;
}

int cmd_bimi(int argc, char **argv, const struct cli_globals *g)
{
	return run("bimi", argc, argv, g, false);
}

int cmd_check(int argc, char **argv, const struct cli_globals *g)
{
	return run("check", argc, argv, g, true);
}
