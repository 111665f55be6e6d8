/*
 * cmd_mta_sts.c — "posture mta-sts DOMAIN": MTA-STS (RFC 8461) and
 * TLS-RPT (RFC 8460) of one domain: the records, the policy fetched over
 * HTTPS, every MX host against the policy's patterns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "domain_check.h"
#include "mta_sts_check.h"
#include "output.h"
#include "transport_check.h"

const char cmd_mta_sts_help[] =
        "usage: posture mta-sts DOMAIN [--no-fetch] [--ca-file FILE]\n"
        "                       [--connect-to H:P:A:P] [--allow-port PORT]\n"
        "                       [--json] [global options]\n"
        "\n"
        "MTA-STS (RFC 8461) lets a domain tell the mail servers that send to it\n"
        "to deliver only over TLS, to MX hosts it names, with certificates valid\n"
        "for them. Without it, an attacker on the path can strip STARTTLS or\n"
        "forge the MX answer, and senders deliver anyway. It takes two parts:\n"
        "  - a TXT record at _mta-sts.DOMAIN, \"v=STSv1; id=...;\" (one only;\n"
        "    the id changes whenever the policy does);\n"
        "  - the policy file at https://mta-sts.DOMAIN/.well-known/mta-sts.txt:\n"
        "    version: STSv1, mode: enforce|testing|none, one mx: line per MX\n"
        "    host pattern, max_age: seconds senders keep it (at most a year).\n"
        "    \"*.example.com\" covers one leftmost label: mx1.example.com, not\n"
        "    example.com nor a.b.example.com.\n"
        "TLS-RPT (RFC 8460) is a TXT record at _smtp._tls.DOMAIN,\n"
        "\"v=TLSRPTv1; rua=mailto:...\" (or https:), asking senders for a daily\n"
        "report of the TLS failures they met; use it with MTA-STS testing.\n"
        "\n"
        "posture reads both records and the domain's MX hosts, fetches the\n"
        "policy, and checks every MX host against its mx patterns. The fetch\n"
        "keeps RFC 8461 3.3's rules: HTTPS with a certificate valid for\n"
        "mta-sts.DOMAIN (a certificate for another name fails), no redirect\n"
        "followed (a 3xx is a failure), HTTP 200 only, media type text/plain,\n"
        "at most 64 KiB.\n"
        "\n"
        "status:\n"
        "  enforce      mode enforce: senders that honour MTA-STS deliver only\n"
        "               over valid TLS to an MX host the policy covers\n"
        "  testing      mode testing: senders deliver anyway, and report\n"
        "  none         mode none: the policy is being withdrawn\n"
        "  missing      no v=STSv1 record at _mta-sts.DOMAIN\n"
        "  invalid      the record is invalid (two v=STSv1 records, a bad id),\n"
        "               or the policy cannot be fetched under the rules above,\n"
        "               or it is invalid: senders then have no policy (the\n"
        "               findings say why)\n"
        "  temperror    the record could not be read (a DNS failure), or the\n"
        "               fetch failed for now (timeout, connection, HTTP 5xx);\n"
        "               never reported as missing\n"
        "  not_fetched  --no-fetch and a valid record\n"
        "mx_covered: true when every MX host matches a pattern; false when one\n"
        "does not (mta_sts.mx_not_covered: an error in mode enforce, as mail to\n"
        "that MX would be refused by senders that enforce); null without a\n"
        "policy in mode enforce or testing, or without MX hosts.\n"
        "TLS-RPT status: ok, none (no record), invalid, temperror.\n"
        "\n"
        "Options:\n"
        "  --no-fetch         read the DNS records only (status not_fetched for\n"
        "                     a valid record; missing or invalid as the record\n"
        "                     says)\n"
        "  --ca-file FILE     trust these PEM CAs for HTTPS instead of the system's\n"
        "                     (default: $POSTURE_CA_FILE)\n"
        "  --connect-to H:P:A:P  connect to A:P for H:P, as curl does (repeatable;\n"
        "                     the URL, the TLS name and Host: stay H; default:\n"
        "                     $POSTURE_CONNECT_TO, entries separated by spaces).\n"
        "                     Otherwise fetches go only to public addresses\n"
        "  --allow-port PORT  also fetch from PORT when a URL names it (repeatable)\n"
        "\n"
        "JSON: {\"domain\", \"status\", \"record\" (the v=STSv1 record or null),\n"
        "\"id\", \"policy\": {\"mode\", \"mx\": [patterns], \"max_age\"} or null,\n"
        "\"mx_covered\": true, false or null, \"findings\": [...], \"mx\": [MX\n"
        "hosts by preference], \"tls_rpt\": {\"status\", \"record\", \"rua\": [...],\n"
        "\"findings\": [...]}}. policy is null unless a valid policy was fetched.\n"
        "\n"
        "Exit status: 0 for mode enforce with every MX host covered and no error\n"
        "finding (with --no-fetch: a valid record and no error finding); 1 for\n"
        "anything found wrong or weaker (testing, none, missing, invalid, an MX\n"
        "host not covered, an error finding, TLS-RPT's included); 2 usage;\n"
        "3 failure; 4 could not check (temperror: a DNS failure of a record, of\n"
        "the MX hosts of an enforce or testing policy, or a fetch to try again).\n"
        "\n"
        "Examples:\n"
        "  posture mta-sts example.com\n"
        "  posture mta-sts example.com --json\n"
        "  posture mta-sts example.com --no-fetch\n";

/* The shared options posture mta-sts takes (domain_check_option parses
 * them; --selector, --vmc-roots and --at are BIMI's). */
static bool fetch_option(const char *a)
{
	static const char *const ours[] = { "--no-fetch", "--ca-file", "--connect-to",
		                            "--allow-port" };
	for (size_t k = 0; k < sizeof(ours) / sizeof(ours[0]); k++)
		if (strcmp(a, ours[k]) == 0)
			return true;
	return false;
}

static int parse(int argc, char **argv, struct domain_check_opts *o, char *norm, size_t normlen)
{
	const char *domain = NULL;
	char err[512];
	domain_check_opts_init(o);
	for (int i = 0; i < argc; i++) {
		if (fetch_option(argv[i])) {
			if (domain_check_option(argc, argv, &i, o, err, sizeof(err)) < 0)
				return cli_usage_error("mta-sts", "%s", err);
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_unknown_option("mta-sts", cmd_mta_sts_help, argv[i]);
		if (domain != NULL)
			return cli_usage_error("mta-sts", "unexpected argument '%s'", argv[i]);
		domain = argv[i];
	}
	if (domain_check_opts_env(o, err, sizeof(err)) != 0)
		return cli_usage_error("mta-sts", "%s", err);
	/* --vmc-roots is not ours: only --ca-file is checked below. */
	o->vmc_roots = NULL;
	if (domain == NULL)
		return cli_usage_error("mta-sts", "mta-sts needs a DOMAIN");
	if (cli_domain_arg("mta-sts", domain, true, norm, normlen) != 0)
		return EXIT_USAGE;
	if (domain_check_opts_files(o, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}

/* The line under the record: what became of the policy. */
static void print_policy(const struct mta_sts_result *r)
{
	const struct mta_sts_policy *p = &r->policy;
	if (r->policy_url[0] == '\0')
		return;
	fputs("  policy at ", stdout);
	print_safe(stdout, r->policy_url);
	if (!r->fetch.attempted) {
		fputs(": not fetched (--no-fetch)\n", stdout);
		return;
	}
	if (!r->policy_read) {
		printf(": fetch failed (%s: ", fetch_status_name(r->fetch.status));
		print_safe(stdout, r->fetch.reason);
		fputs(")\n", stdout);
		return;
	}
	printf(": %s", p->valid ? "valid" : "INVALID");
	if (p->valid) {
		printf(", mode %s, max_age ", mta_sts_mode_name(p->mode));
		if (p->max_age >= 0)
			printf("%ld", p->max_age);
		else
			fputs("-", stdout);
	}
	fputs(" (", stdout);
	print_safe(stdout, r->fetch.content_type[0] ? r->fetch.content_type : "no Content-Type");
	fputs(")\n", stdout);
	for (size_t i = 0; i < p->nmx; i++) {
		fputs("    mx: ", stdout);
		print_safe(stdout, p->mx[i]);
		fputc('\n', stdout);
	}
}

static void print_mx(const struct mta_sts_result *r)
{
	bool judged = r->mx_covered >= 0;
	if (r->answered[MTA_STS_Q_MX] && r->outcome[MTA_STS_Q_MX] != DNS_OUTCOME_DATA &&
	    r->outcome[MTA_STS_Q_MX] != DNS_OUTCOME_NODATA &&
	    r->outcome[MTA_STS_Q_MX] != DNS_OUTCOME_NXDOMAIN) {
		printf("  MX hosts: %s\n", dns_outcome_name(r->outcome[MTA_STS_Q_MX]));
		return;
	}
	if (r->nmx == 0) {
		printf("  MX hosts: none%s\n", r->null_mx ? " (null MX: no mail accepted)" : "");
		return;
	}
	fputs("  MX hosts:\n", stdout);
	for (size_t i = 0; i < r->nmx; i++) {
		const struct mta_sts_mx *m = &r->mx[i];
		printf("    %u ", (unsigned)m->pref);
		print_safe(stdout, m->host);
		if (judged && m->pattern != NULL) {
			fputs("  covered by ", stdout);
			print_safe(stdout, m->pattern);
		} else if (judged) {
			fputs("  NOT COVERED", stdout);
		}
		fputc('\n', stdout);
	}
}

static void print_tlsrpt(const struct mta_sts_result *r)
{
	printf("  TLS-RPT %s at _smtp._tls.", mta_sts_tlsrpt_status(r));
	print_safe(stdout, r->domain);
	if (r->tlsrpt_txt != NULL) {
		fputs(": \"", stdout);
		print_record(stdout, r->tlsrpt_txt, r->tlsrpt_len);
		fputc('"', stdout);
	}
	fputc('\n', stdout);
	for (size_t i = 0; i < r->tlsrpt.nrua; i++) {
		fputs("    rua ", stdout);
		print_safe(stdout, r->tlsrpt.rua[i].uri);
		fputc('\n', stdout);
	}
}

static void print_text(const struct mta_sts_result *r)
{
	print_safe(stdout, r->domain);
	printf("  MTA-STS %s", mta_sts_check_status_name(r->status));
	if (r->mx_covered == 1)
		fputs(", every MX host covered", stdout);
	else if (r->mx_covered == 0)
		fputs(", an MX host NOT COVERED", stdout);
	fputc('\n', stdout);
	enum dns_outcome o = r->outcome[MTA_STS_Q_RECORD];
	fputs("  record at _mta-sts.", stdout);
	print_safe(stdout, r->domain);
	if (o != DNS_OUTCOME_DATA && o != DNS_OUTCOME_NODATA && o != DNS_OUTCOME_NXDOMAIN) {
		printf(": not read (%s)\n", dns_outcome_name(o));
	} else if (r->record != NULL) {
		fputs(": \"", stdout);
		print_record(stdout, r->record, r->record_len);
		fputs("\"\n", stdout);
	} else {
		fputs(": none\n", stdout);
	}
	print_policy(r);
	print_mx(r);
	print_tlsrpt(r);
	if (r->findings.n > 0) {
		fputs("\nfindings:\n", stdout);
		findings_print(stdout, &r->findings, "  ");
	}
	if (r->tlsrpt.findings.n > 0) {
		fputs("\nTLS-RPT findings:\n", stdout);
		findings_print(stdout, &r->tlsrpt.findings, "  ");
	}
}

static void mta_sts_w(struct jsonw *w, const void *r)
{
	mta_sts_write(w, r);
}

/* The exit status of a result (see the help). */
static int verdict(const struct mta_sts_result *r)
{
	if (mta_sts_inconclusive(r))
		return EXIT_UNCHECKED;
	if (findings_first_error(&r->findings) || findings_first_error(&r->tlsrpt.findings))
		return EXIT_PROBLEMS;
	if (r->status == MTA_STS_CHECK_NOT_FETCHED)
		return EXIT_OK;
	return r->status == MTA_STS_CHECK_ENFORCE && r->mx_covered == 1 ? EXIT_OK : EXIT_PROBLEMS;
}

int cmd_mta_sts(int argc, char **argv, const struct cli_globals *g)
{
	struct domain_check_opts o;
	struct domain_result dr;
	char norm[DNS_NAME_BUF], err[512];
	int rc = parse(argc, argv, &o, norm, sizeof(norm));
	if (rc != 0)
		return rc;
	/* The same check posture check runs (scan/transport_check.c): its
	 * three questions over the DNS adapter, then the policy fetch. */
	o.mask = CHECK_BIT(CHECK_MTA_STS);
	rc = EXIT_INTERNAL;
	if (domain_check_run(norm, &g->dns, &o, &dr, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		goto out;
	}
	if (dr.transport == NULL || !dr.transport->sts_ready) {
		fputs("posture: the MTA-STS check did not run\n", stderr);
		goto out;
	}
	const struct mta_sts_result *r = &dr.transport->sts;
	if (g->json) {
		if (json_emit(jsonw_value(mta_sts_w, r)) != 0)
			goto out;
	} else {
		print_text(r);
	}
	rc = verdict(r);
out:
	checks_cleanup(&dr);
	return rc;
}
