/*
 * cmd_dmarc.c — "posture dmarc DOMAIN": the DMARC policy of a domain
 * under RFC 9989 and RFC 7489, with a fix per finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dmarc.h"
#include "drive.h"
#include "output.h"
#include "psl.h"

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
	snprintf(need, needlen, "%s", s->res.need_name);
	*need_type = s->res.need_type;
	return 0;
}

static json_t *uris_json(const struct dmarc_uri *u, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s?,s:o}", "uri", u[i].uri, "address",
		                                   u[i].address, "authorized",
		                                   u[i].authorized < 0
		                                           ? json_null()
		                                           : json_boolean(u[i].authorized)));
	return a;
}

static json_t *result_json(const struct dmarc_result *r)
{
	const struct dmarc_reading *b = &r->bis, *o = &r->old;
	const struct dmarc_record *rec = r->rec;
	json_t *old = json_pack(
	        "{s:s,s:s?,s:s?,s:s,s:s?,s:s?,s:o,s:s}", "status", dmarc_status_name(o->status),
	        "record", o->record, "source", dmarc_source_name(o->source), "org_domain",
	        o->org_domain, "policy",
	        o->status == DMARC_STATUS_OK ? dmarc_policy_name(o->policy) : NULL,
	        "subdomain_policy",
	        o->status == DMARC_STATUS_OK ? dmarc_policy_name(o->subdomain_policy) : NULL, "pct",
	        o->status == DMARC_STATUS_OK ? json_integer(o->pct) : json_null(), "enforcement",
	        dmarc_enforcement_name(o->enforcement));
	bool ok = b->status == DMARC_STATUS_OK;
	return json_pack(
	        "{s:s,s:s,s:s?,s:s?,s:s,s:s?,s:s?,s:s?,s:o,s:b,s:s,s:o,s:o,s:o,s:o,s:b,s:i}",
	        "domain", r->domain, "status", dmarc_status_name(b->status), "record", b->record,
	        "source", dmarc_source_name(b->source), "org_domain", b->org_domain, "policy",
	        ok ? dmarc_policy_name(b->policy) : NULL, "subdomain_policy",
	        ok ? dmarc_policy_name(b->subdomain_policy) : NULL, "nonexistent_policy",
	        ok ? dmarc_policy_name(b->nonexistent_policy) : NULL, "pct",
	        (rec && rec->pct >= 0) ? json_integer(rec->pct) : json_null(), "testing",
	        b->testing, "enforcement", dmarc_enforcement_name(b->enforcement), "rua",
	        rec ? uris_json(rec->rua, rec->nrua) : json_array(), "ruf",
	        rec ? uris_json(rec->ruf, rec->nruf) : json_array(), "findings",
	        findings_json(&r->findings), "rfc7489", old ? old : json_null(), "readings_differ",
	        r->readings_differ, "queries", r->queries);
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
		print_record(stdout, b->record, strlen(b->record));
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
	if (argv[0][0] == '-')
		return cli_usage_error("dmarc", "unknown option '%s'", argv[0]);
	if (argc > 1)
		return cli_usage_error("dmarc", "unexpected argument '%s'", argv[1]);
	if (dns_name_normalize(argv[0], norm, sizeof(norm)) != 0 || strchr(norm, '.') == NULL)
		return cli_usage_error("dmarc", "'%s' is not a valid domain name", argv[0]);
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
		json_t *o = result_json(&s.res);
		if (o == NULL || json_print(stdout, o) != 0) {
			json_decref(o);
			fputs("posture: cannot format JSON\n", stderr);
			goto out;
		}
		json_decref(o);
	} else {
		print_text(&s.res);
	}
	rc = EXIT_OK;
	if (s.res.bis.status != DMARC_STATUS_OK)
		rc = EXIT_PROBLEMS;
	for (size_t i = 0; i < s.res.findings.n; i++)
		if (s.res.findings.v[i].severity == FINDING_ERROR)
			rc = EXIT_PROBLEMS;
out:
	dmarc_result_cleanup(&s.res);
	dns_memo_free(memo);
	dns_worker_free(w);
	return rc;
}
