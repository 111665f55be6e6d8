/*
 * cmd_check.c — "posture check DOMAIN" (everything about one domain, the
 * domain owner's screen) and "posture bimi DOMAIN" (the BIMI part with its
 * readiness checklist). Both run domain_check_run; they differ in what
 * they print and in their exit status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "domain_check.h"
#include "output.h"
#include "vmc.h"

const char cmd_bimi_help[] =
        "usage: posture bimi DOMAIN [options] [--json] [global options]\n"
        "\n"
        "Finds the BIMI record of DOMAIN (<selector>._bimi.DOMAIN, then the\n"
        "organisational domain's), fetches its logo (l=) and Mark Certificate\n"
        "(a=) over HTTPS, validates the logo as SVG Tiny PS and the certificate\n"
        "as a VMC or CMC for the domain (chain to a Mark Verifying Authority\n"
        "root, BIMI EKU, SAN, logotype hash, the certificate's logo equal to\n"
        "the published one), and lists what receivers require before they show\n"
        "a logo: the readiness checklist, each item with its fix.\n"
        "\n"
        "Options:\n" DOMAIN_CHECK_OPTIONS_HELP "\n"
        "status: ok (a usable record), none (no record, or a declination),\n"
        "invalid, temperror. logo/vmc status: valid, invalid, absent, unchecked.\n"
        "\n"
        "JSON: domain, status, record, record_name, selector, org_domain,\n"
        "from_org, declined, avp, logo {url, status, sha256, findings},\n"
        "vmc {url, status, type (VMC|CMC), not_after, subject, logo_matches,\n"
        "findings}, readiness [{item, status (pass|fail|warn|unknown), required,\n"
        "detail, rule, fix}], eligible, checked, findings.\n"
        "\n"
        "Exit status: 0 eligible (every required item passes), 1 not eligible,\n"
        "2 usage, 3 failure, 4 could not check (a DNS failure left a check\n"
        "inconclusive: try again).\n"
        "\n"
        "Examples:\n"
        "  posture bimi example.com\n"
        "  posture bimi example.com --selector brand2 --json\n";

const char cmd_check_help[] =
        "usage: posture check DOMAIN [options] [--json] [global options]\n"
        "\n"
        "Everything posture knows about one domain on one screen: SPF, DMARC,\n"
        "BIMI, MX and A/AAAA, each with a verdict, the most important problem\n"
        "first, and the BIMI readiness checklist with the fix for every item\n"
        "that fails (the record to publish, the include to remove, the policy\n"
        "step to take next) and the rule it comes from. Colours only on a\n"
        "terminal; NO_COLOR turns them off.\n"
        "\n"
        "Options:\n" DOMAIN_CHECK_OPTIONS_HELP "\n"
        "JSON: domain, spf (as posture spf), dmarc (as posture dmarc), bimi (as\n"
        "posture bimi), mx and a {status, records}, problems (error findings\n"
        "of every check), ready; \"exists\": false for a domain that does not\n"
        "exist (NXDOMAIN), which the text output says first (exit 1).\n"
        "\n"
        "Exit status: 0 ready (BIMI-eligible and no error finding in any\n"
        "check), 1 problems found, 2 usage, 3 failure, 4 could not check (a\n"
        "DNS failure left a check inconclusive: try again): it can gate a\n"
        "deployment pipeline.\n"
        "\n"
        "Examples:\n"
        "  posture check example.com\n"
        "  posture check example.com --json | jq .ready\n";

/* ---- terminal output --------------------------------------------------- */

struct style {
	bool color;
};

/* Colours only on a terminal, and never when NO_COLOR is set and not
 * empty (no-color.org). */
static bool use_color(void)
{
	const char *nc = getenv("NO_COLOR");
	return isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0');
}

static const char *paint(const struct style *st, const char *code)
{
	return st->color ? code : "";
}

#define RED   "\033[31m"
#define GREEN "\033[32m"
#define AMBER "\033[33m"
#define DIM   "\033[2m"
#define BOLD  "\033[1m"
#define OFF   "\033[0m"

static void mark(const struct style *st, enum ready_status s)
{
	static const char *const word[] = { "PASS", "FAIL", "WARN", " ?? " };
	static const char *const col[] = { GREEN, RED, AMBER, DIM };
	printf("[%s%s%s]", paint(st, col[s]), word[s], paint(st, OFF));
}

static void print_readiness(const struct style *st, const struct domain_result *r)
{
	printf("\n%sBIMI readiness%s: %s%s%s\n", paint(st, BOLD), paint(st, OFF),
	       paint(st, r->eligible ? GREEN : RED), r->eligible ? "eligible" : "not eligible",
	       paint(st, OFF));
	for (size_t i = 0; i < r->nready; i++) {
		const struct ready_item *it = &r->ready[i];
		printf("  ");
		mark(st, it->status);
		printf(" %-17s ", it->item);
		print_safe(stdout, it->detail);
		fputc('\n', stdout);
		if (it->status != READY_PASS && it->fix[0]) {
			printf("         fix: ");
			print_safe(stdout, it->fix);
			printf("\n         %srule: %s%s\n", paint(st, DIM), it->rule,
			       paint(st, OFF));
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

/* Every error finding of every check, most important first: SPF and DMARC
 * errors let mail be spoofed, BIMI's only hide the logo. */
static int collect_problems(const struct domain_result *r, struct findings *out)
{
	const struct findings *lists[] = { &r->dmarc.findings, &r->spf.findings, &r->bimi.findings,
		                           &r->assets.logo_findings, &r->assets.vmc_findings };
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (size_t k = 0; k < lists[i]->n; k++) {
			const struct finding *f = &lists[i]->v[k];
			if (f->severity == FINDING_ERROR &&
			    findings_add(out, f->code, f->severity, f->path, f->fix, "%s",
			                 f->message) != 0)
				return -1;
		}
	return 0;
}

static bool check_ready(const struct domain_result *r)
{
	return r->eligible && !findings_first_error(&r->spf.findings) &&
	       !findings_first_error(&r->dmarc.findings) &&
	       !findings_first_error(&r->bimi.findings) &&
	       !findings_first_error(&r->assets.logo_findings) &&
	       !findings_first_error(&r->assets.vmc_findings);
}

static void line(const struct style *st, const char *what, enum ready_status s, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));
static void line(const struct style *st, const char *what, enum ready_status s, const char *fmt,
                 ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("  %-6s ", what);
	mark(st, s);
	printf(" ");
	print_safe(stdout, buf);
	fputc('\n', stdout);
}

static enum ready_status host_mark(enum host_status s)
{
	return s == HOST_PRESENT ? READY_PASS : s == HOST_TEMPERROR ? READY_UNKNOWN : READY_FAIL;
}

static void print_check(const struct style *st, const struct domain_result *r,
                        const struct findings *problems, bool ready)
{
	/* RFC 8020 2: NXDOMAIN, no name at or below it: said before anything. */
	if (r->nxdomain)
		printf("%s%s does not exist (NXDOMAIN)%s: nothing below can be published\n",
		       paint(st, RED), r->domain, paint(st, OFF));
	printf("%s%s%s  %s%s%s\n\n", paint(st, BOLD), r->domain, paint(st, OFF),
	       paint(st, ready ? GREEN : RED), ready ? "READY" : "PROBLEMS FOUND", paint(st, OFF));
	const struct spf_audit *s = &r->spf;
	enum ready_status ss = s->status == SPF_STATUS_OK          ? READY_PASS
	                       : s->status == SPF_STATUS_TEMPERROR ? READY_UNKNOWN
	                                                           : READY_FAIL;
	if (ss == READY_PASS && strcmp(s->all, "-all") != 0 && strcmp(s->all, "~all") != 0)
		ss = READY_WARN;
	line(st, "SPF", ss, "%s%s%s, %d of 10 DNS lookups, %d void", spf_status_name(s->status),
	     s->all[0] ? ", ends in " : "", s->all, s->lookups, s->void_lookups);
	const struct dmarc_reading *b = &r->dmarc.bis;
	enum dmarc_enforcement e = b->enforcement;
	line(st, "DMARC",
	     e == DMARC_ENF_REJECT || e == DMARC_ENF_QUARANTINE ? READY_PASS
	     : e == DMARC_ENF_TEMPERROR                         ? READY_UNKNOWN
	     : e == DMARC_ENF_MONITOR || e == DMARC_ENF_PARTIAL ? READY_WARN
	                                                        : READY_FAIL,
	     "%s, enforcement %s%s%s", dmarc_status_name(b->status), dmarc_enforcement_name(e),
	     b->status == DMARC_STATUS_OK ? ", p=" : "",
	     b->status == DMARC_STATUS_OK ? dmarc_policy_name(b->policy) : "");
	line(st, "BIMI",
	     r->eligible                               ? READY_PASS
	     : r->bimi.status == BIMI_STATUS_TEMPERROR ? READY_UNKNOWN
	                                               : READY_FAIL,
	     "%s, logo %s, certificate %s%s%s", bimi_status_name(r->bimi.status),
	     bimi_asset_name(r->assets.logo), bimi_asset_name(r->assets.vmc),
	     r->assets.vmc_type ? " " : "", r->assets.vmc_type ? r->assets.vmc_type : "");
	line(st, "MX", host_mark(r->mx.status), "%s, %d record%s", host_status_name(r->mx.status),
	     r->mx.records, r->mx.records == 1 ? "" : "s");
	line(st, "A", host_mark(r->a.status), "%s, %d address%s", host_status_name(r->a.status),
	     r->a.records, r->a.records == 1 ? "" : "es");
	/* The most important problem: the first error finding (spoofing
	 * first), else the first failing readiness item. */
	const char *msg = NULL, *fixtext = NULL;
	if (problems->n > 0) {
		msg = problems->v[0].message;
		fixtext = problems->v[0].fix;
	} else {
		for (size_t i = 0; msg == NULL && i < r->nready; i++)
			if (r->ready[i].status == READY_FAIL) {
				msg = r->ready[i].detail;
				fixtext = r->ready[i].fix;
			}
	}
	if (msg != NULL) {
		printf("\n%sMost important%s: ", paint(st, BOLD), paint(st, OFF));
		print_safe(stdout, msg);
		if (fixtext && fixtext[0]) {
			printf("\n  fix: ");
			print_safe(stdout, fixtext);
		}
		fputc('\n', stdout);
	}
	print_readiness(st, r);
	if (problems->n > 1) {
		printf("\nall problems (%zu):\n", problems->n);
		findings_print(stdout, problems, "  ");
	}
}

static json_t *host_json(const struct host_result *h)
{
	return json_pack("{s:s,s:i}", "status", host_status_name(h->status), "records", h->records);
}

/* ---- shared front ---------------------------------------------------------- */

static int run(const char *name, int argc, char **argv, const struct cli_globals *g, bool full)
{
	char norm[DNS_NAME_BUF], err[512];
	struct domain_check_opts o;
	const char *domain = NULL;
	domain_check_opts_init(&o);
	for (int i = 0; i < argc; i++) {
		int k = domain_check_option(argc, argv, &i, &o, err, sizeof(err));
		if (k < 0)
			return cli_usage_error(name, "%s", err);
		if (k == 1)
			continue;
		if (argv[i][0] == '-')
			return cli_usage_error(name, "unknown option '%s'", argv[i]);
		if (domain != NULL)
			return cli_usage_error(name, "unexpected argument '%s'", argv[i]);
		domain = argv[i];
	}
	if (domain_check_opts_env(&o, err, sizeof(err)) != 0)
		return cli_usage_error(name, "%s", err);
	if (domain == NULL)
		return cli_usage_error(name, "%s needs a DOMAIN", name);
	if (dns_name_normalize(domain, norm, sizeof(norm)) != 0 || strchr(norm, '.') == NULL)
		return cli_usage_error(name, "'%s' is not a valid domain name", domain);

	struct domain_result r;
	int rc = EXIT_INTERNAL;
	struct findings problems = { 0 };
	if (domain_check_run(norm, &g->dns, &o, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		goto out;
	}
	if (!full) {
		if (g->json ? json_emit(bimi_result_json(&r)) != 0 : 0)
			goto out;
		if (!g->json) {
			print_bimi(&r);
			struct style st = { use_color() };
			print_readiness(&st, &r);
		}
		rc = r.eligible                ? EXIT_OK
		     : checks_inconclusive(&r) ? EXIT_UNCHECKED
		                               : EXIT_PROBLEMS;
		goto out;
	}
	if (collect_problems(&r, &problems) != 0) {
		fputs("posture: out of memory\n", stderr);
		goto out;
	}
	bool ready = check_ready(&r);
	if (g->json) {
		json_t *js = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "domain", r.domain,
		                       "spf", spf_audit_json(&r.spf), "dmarc",
		                       dmarc_result_json(&r.dmarc), "bimi", bimi_result_json(&r),
		                       "mx", host_json(&r.mx), "a", host_json(&r.a), "problems",
		                       findings_json(&problems), "ready", ready);
		/* Only when false, as in a scan's stored result (checks.h). */
		if (js != NULL && r.nxdomain)
			json_object_set_new(js, "exists", json_false());
		if (json_emit(js) != 0)
			goto out;
	} else {
		struct style st = { use_color() };
		print_check(&st, &r, &problems, ready);
	}
	/* A DNS failure is "could not check", never "problems found". */
	rc = r.nxdomain                ? EXIT_PROBLEMS
	     : ready                   ? EXIT_OK
	     : checks_inconclusive(&r) ? EXIT_UNCHECKED
	                               : EXIT_PROBLEMS;
out:
	findings_cleanup(&problems);
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
