/*
 * cmd_dnssec.c — "posture dnssec DOMAIN": whether the answers posture
 * relies on for DOMAIN validate under DNSSEC (dnssec_check.h, through
 * getdns with the bundled root anchor or --trust-anchor).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "dnssec_check.h"
#include "output.h"

const char cmd_dnssec_help[] =
        "usage: posture dnssec DOMAIN [--trust-anchor FILE] [--json] [global options]\n"
        "\n"
        "Checks whether the DNS answers posture relies on for DOMAIN are\n"
        "protected by DNSSEC: its MX and SOA, its DMARC record (_dmarc.DOMAIN\n"
        "TXT) and its SPF record (DOMAIN TXT). Without DNSSEC anyone on the path\n"
        "between a receiver and its resolver can forge them: a permissive SPF\n"
        "record, no DMARC policy, an MX of their own. posture asks the resolver\n"
        "(--resolver, else the system's) through getdns in stub mode, fetches\n"
        "the DS and DNSKEY records from the trust anchor down itself and\n"
        "validates the chain (RFC 4035 5), whatever the resolver says.\n"
        "\n"
        "Per answer, and for the domain (the worst of its answers):\n"
        "  secure         a chain of signatures from the trust anchor validates\n"
        "                 the answer (a \"no such record\" answer too)\n"
        "  insecure       provably unsigned: the zone is not signed, or its\n"
        "                 parent has no DS record for it; answers can be forged\n"
        "  bogus          signed, but a signature is expired or broken, or the\n"
        "                 chain does not lead to the anchor: validating resolvers\n"
        "                 refuse the answer (SERVFAIL), so mail checks reading it\n"
        "                 fail, or could be reading forged data\n"
        "  indeterminate  no verdict: the lookup failed, no chain could be built\n"
        "                 from the anchor, or the resolver passes no DNSSEC\n"
        "                 records at all (then never called bogus); never\n"
        "                 reported as insecure\n"
        "The domain is secure only when every answer is; bogus outranks\n"
        "indeterminate, which outranks insecure.\n"
        "\n"
        "Options:\n"
        "  --trust-anchor FILE  trust the DS or DNSKEY records of FILE (zone-file\n"
        "                     text, \"example. IN DS 12345 13 2 ABCD...\"; lines\n"
        "                     that are not records are skipped) instead of the\n"
        "                     root's: a private root, or a test zone. Default:\n"
        "                     the bundled root anchor, the root zone's DS records\n"
        "                     (KSK-2017, key tag 20326, and KSK-2024, 38696) from\n"
        "                     IANA's root-anchors.xml as Debian's dns-root-data\n"
        "                     2024071801 ships it, copied 2026-12-07\n"
        "                     (lists/root-anchors.txt)\n"
        "\n"
        "JSON: {\"domain\", \"status\", \"answers\": [{\"name\", \"type\", \"status\",\n"
        "\"outcome\"}], \"findings\": [...]}; answers in the order MX, SOA, DMARC,\n"
        "SPF; outcome is the DNS outcome of the answer (data, nodata, nxdomain,\n"
        "servfail, timeout, malformed).\n"
        "\n"
        "Exit status: 0 secure, 1 insecure or bogus, 2 usage (also a\n"
        "--trust-anchor file that cannot be read or holds no DS or DNSKEY\n"
        "record), 3 failure, 4 indeterminate (could not check: run it again).\n"
        "\n"
        "Examples:\n"
        "  posture dnssec example.com\n"
        "  posture dnssec example.com --json\n"
        "  posture dnssec corp.internal --trust-anchor corp-anchor.txt\n";

static int parse(int argc, char **argv, const char **anchor, char *norm, size_t normlen)
{
	const char *domain = NULL;

	*anchor = NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--trust-anchor") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("dnssec", "--trust-anchor needs a value");
			*anchor = argv[++i];
			continue;
		}
		if (strcmp(a, "--") == 0)
			continue;
		if (a[0] == '-' && a[1] != '\0')
			return cli_unknown_option("dnssec", cmd_dnssec_help, a);
		if (domain != NULL)
			return cli_usage_error("dnssec", "unexpected argument '%s'", a);
		domain = a;
	}
	if (domain == NULL)
		return cli_usage_error("dnssec", "dnssec needs a DOMAIN");
	if (cli_domain_arg("dnssec", domain, true, norm, normlen) != 0)
		return EXIT_USAGE;
	return 0;
}

static void print_text(const struct dnssec_result *r, const char *anchor)
{
	char tbuf[16];

	print_safe(stdout, r->domain);
	printf("  DNSSEC %s\n", dnssec_status_name(r->status));
	for (size_t i = 0; i < DNSSEC_Q_COUNT; i++) {
		const struct dnssec_query *q = &r->q[i];
		printf("  %-6s ", dnssec_question_what((enum dnssec_question)i));
		print_safe(stdout, q->name);
		printf(" %s: %s (%s)\n", dns_type_name(q->type, tbuf, sizeof(tbuf)),
		       dnssec_status_name(q->status), dns_outcome_name(q->outcome));
	}
	fputs("  trust anchor: ", stdout);
	if (anchor != NULL)
		print_safe(stdout, anchor);
	else
		fputs("the bundled root anchor (IANA root-anchors.xml, dns-root-data 2024071801)",
		      stdout);
	fputc('\n', stdout);
	if (r->findings.n > 0) {
		fputs("\nfindings:\n", stdout);
		findings_print(stdout, &r->findings, "  ");
	}
}

static int exit_code(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_SECURE:
		return EXIT_OK;
	case DNSSEC_INSECURE:
	case DNSSEC_BOGUS:
		return EXIT_PROBLEMS;
	case DNSSEC_INDETERMINATE:
		return EXIT_UNCHECKED;
	}
	return EXIT_UNCHECKED;
}

static void write_result(struct jsonw *w, const void *arg)
{
	dnssec_result_write(w, arg);
}

int cmd_dnssec(int argc, char **argv, const struct cli_globals *g)
{
	char norm[DNS_NAME_BUF], err[512];
	const char *anchor;
	struct dnssec_result r;
	struct dnssec_ctx *c;
	int rc = parse(argc, argv, &anchor, norm, sizeof(norm));

	if (rc != 0)
		return rc;
	/* A --trust-anchor that cannot be used is the caller's to fix. */
	if (anchor != NULL && dnssec_anchors_check(anchor, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: --trust-anchor: %s\n", err);
		return EXIT_USAGE;
	}
	c = dnssec_new(&g->dns, anchor, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "posture: %s\n", err);
		return EXIT_INTERNAL;
	}
	if (dnssec_check_run(c, norm, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		dnssec_result_cleanup(&r);
		dnssec_ctx_free(c);
		return EXIT_INTERNAL;
	}
	rc = exit_code(r.status);
	if (g->json) {
		if (json_emit(jsonw_value(write_result, &r)) != 0)
			rc = EXIT_INTERNAL;
	} else {
		print_text(&r, anchor);
	}
	dnssec_result_cleanup(&r);
	dnssec_ctx_free(c);
	return rc;
}
