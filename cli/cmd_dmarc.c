/*
 * cmd_dmarc.c — "posture dmarc DOMAIN": the DMARC policy of a domain
 * under RFC 9989 and RFC 7489, with a fix per finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "commands.h"
#include "dmarc.h"
#include "drive.h"
#include "output.h"
#include "psl.h"
#include "strutil.h"

const char cmd_dmarc_help[] =
        "usage: posture dmarc DOMAIN [--json] [global options]\n"
        "\n"
        "Finds the DMARC policy that applies to DOMAIN and says how much it\n"
        "protects. Discovery follows RFC 9989 (a DNS tree walk of at most 8\n"
        "queries, np/psd/t; pct, rf and ri removed) and RFC 7489 (the Public\n"
        "Suffix List's organisational domain, pct), and says where they differ.\n"
        "External report destinations are checked for authorisation\n"
        "(<domain>._report._dmarc.<destination>).\n"
        "\n"
        "status: ok, none (no record), invalid (records, none usable), temperror.\n"
        "enforcement: reject or quarantine (covering all mail: no t=y, pct 100),\n"
        "partial (t=y, or pct below 100 under RFC 7489), monitor (p=none),\n"
        "missing, invalid; temperror when DNS failed (never counted as missing).\n"
        "\n"
        "JSON: domain, status, record, source (domain, organizational, psd),\n"
        "org_domain, policy, subdomain_policy, nonexistent_policy, pct (as\n"
        "published), testing, enforcement, rua and ruf [{uri, authorized}],\n"
        "findings, rfc7489 {status, record, source, org_domain, policy,\n"
        "subdomain_policy, pct, enforcement}, readings_differ, queries.\n"
        "\n"
        "Exit status: 0 when a usable policy was found with no error finding,\n"
        "1 when problems were found, 2 usage, 3 failure.\n"
        "\n"
        "Example:\n"
        "  posture dmarc example.com --json\n";

struct step {
	const char *domain;
	struct dmarc_result res;
};

static int dmarc_step(void *ctx, const struct spf_dns *dns, bool *pending, char *need,
                      size_t needlen, uint16_t *need_type)
{
	struct step *s = ctx;
	dmarc_result_cleanup(&s->res);
	if (dmarc_check(s->domain, dns, psl_org_domain, &s->res) != 0)
		return -1;
	*pending = s->res.pending;
	str_copy(need, needlen, s->res.need_name);
	*need_type = s->res.need_type;
	return 0;
}

static void print_text(const struct dmarc_result *r)
{
	const struct dmarc_reading *b = &r->bis, *o = &r->old;
	printf("%s  DMARC %s, enforcement %s", r->domain, dmarc_status_name(b->status),
	       dmarc_enforcement_name(b->enforcement));
	if (b->status == DMARC_STATUS_OK)
		printf(" (p=%s, subdomains %s, non-existent %s)", dmarc_policy_name(b->policy),
		       dmarc_policy_name(b->subdomain_policy),
		       dmarc_policy_name(b->nonexistent_policy));
	fputc('\n', stdout);
	if (b->record != NULL) {
		printf("  record at _dmarc.%s (%s): \"", b->record_domain,
		       dmarc_source_name(b->source) ? dmarc_source_name(b->source) : "-");
		print_record(stdout, b->record, b->record_len);
		fputs("\"\n", stdout);
	}
	printf("  organisational domain %s (RFC 9989 tree walk, %d quer%s)\n", b->org_domain,
	       r->queries, r->queries == 1 ? "y" : "ies");
	printf("  RFC 7489 reading: %s, enforcement %s, organisational domain %s (PSL %s)%s\n",
	       dmarc_status_name(o->status), dmarc_enforcement_name(o->enforcement), o->org_domain,
	       psl_version(), r->readings_differ ? "  <- differs" : "");
	if (r->rec != NULL)
		for (size_t i = 0; i < r->rec->nrua; i++) {
			const struct dmarc_uri *u = &r->rec->rua[i];
			printf("  rua ");
			print_safe(stdout, u->uri);
			printf("%s\n", u->authorized == 0   ? "  (not authorised)"
			               : u->authorized == 1 ? "  (authorised)"
			                                    : "");
		}
	if (r->findings.n > 0) {
		fputs("\nfindings:\n", stdout);
		findings_print(stdout, &r->findings, "  ");
	}
}

int cmd_dmarc(int argc, char **argv, const struct cli_globals *g)
{
	char norm[DNS_NAME_BUF], err[256];
	struct step s;
	int rc = EXIT_INTERNAL;

	if (argc < 1)
		return cli_usage_error("dmarc", "dmarc needs a DOMAIN");
	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_unknown_option("dmarc", cmd_dmarc_help, argv[i]);
	if (argc > 1)
		return cli_usage_error("dmarc", "unexpected argument '%s'", argv[1]);
	if (cli_domain_arg("dmarc", argv[0], true, norm, sizeof(norm)) != 0)
		return EXIT_USAGE;
	if (psl_init() != 0) {
		fputs("posture: cannot load the bundled Public Suffix List\n", stderr);
		return EXIT_INTERNAL;
	}
	memset(&s, 0, sizeof(s));
	s.domain = norm;
	struct dns_worker *w = dns_worker_new(&g->dns, NULL, err, sizeof(err));
	struct dns_memo *memo = dns_memo_new();
	if (w == NULL || memo == NULL) {
		fprintf(stderr, "posture: %s\n", w ? "out of memory" : err);
		goto out;
	}
	if (drive_sync(w, memo, dmarc_step, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		goto out;
	}
	if (g->json) {
		if (json_emit(dmarc_result_json(&s.res)) != 0)
			goto out;
	} else {
		print_text(&s.res);
	}
	rc = EXIT_OK;
	if (s.res.bis.status != DMARC_STATUS_OK)
		rc = EXIT_PROBLEMS;
	if (findings_first_error(&s.res.findings))
		rc = EXIT_PROBLEMS;
out:
	dmarc_result_cleanup(&s.res);
	dns_memo_free(memo);
	dns_worker_free(w);
	return rc;
}
