/*
 * cmd_spf.c — "posture spf DOMAIN" (the audit tree) and "posture spf eval"
 * (RFC 7208 check_host for one client address).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks.h"
#include "commands.h"
#include "drive.h"
#include "output.h"
#include "spf_audit.h"
#include "strutil.h"

const char cmd_spf_help[] =
        "usage: posture spf DOMAIN [--json] [global options]\n"
        "       posture spf eval --ip IP --sender MAILFROM [--helo NAME] [--json]\n"
        "\n"
        "posture spf DOMAIN reads the domain's SPF record and follows every include\n"
        "and redirect to its full depth (past the 10-lookup limit, so the whole tree\n"
        "is shown). For each record it prints its own and cumulative DNS-lookup\n"
        "counts; then the findings, errors first, each with where it was found and\n"
        "a one-line fix. The status is one of:\n"
        "  ok         the record evaluates without error\n"
        "  none       no SPF record\n"
        "  permerror  receivers get PermError: an include without a record, more\n"
        "             than 10 lookups, more than 2 void lookups, a syntax error,\n"
        "             two records, a loop, a redirect to a name without a record\n"
        "  temperror  a DNS failure; the name that failed is given\n"
        "\n"
        "posture spf eval runs RFC 7208 check_host() for one client address and\n"
        "prints none, neutral, pass, fail, softfail, temperror or permerror, with\n"
        "the exp= explanation for fail. An empty --sender \"\" checks the HELO name.\n"
        "\n"
        "JSON (spf): domain, status, record, all, lookups, void_lookups,\n"
        "findings [{code, severity, message, path, fix}], tree, error_code,\n"
        "ipv4_addresses, ipv6_64s, has_macros.\n"
        "JSON (spf eval): result, explanation, lookups, void_lookups, reason,\n"
        "via (on pass through an include of the domain's own record: its\n"
        "target, the service that authorises the address; else null).\n"
        "\n"
        "Exit status: spf: 0 when the status is ok with no error finding, 1 when\n"
        "problems were found; spf eval: 0 for any result; 2 usage; 3 failure.\n"
        "\n"
        "Examples:\n"
        "  posture spf example.com\n"
        "  posture spf eval --ip 192.0.2.10 --sender bounce@example.com --json\n";

struct audit_step {
	const char *domain;
	struct spf_audit audit;
};

/* One round of the audit: the answer it waits for and its look-ahead. */
static int audit_round(void *ctx, const struct spf_dns *dns, drive_need_fn need, void *nctx,
                       bool *done)
{
	struct audit_step *s = ctx;
	spf_audit_cleanup(&s->audit);
	if (spf_audit_run(s->domain, dns, &s->audit) != 0)
		return -1;
	*done = !s->audit.pending;
	if (s->audit.pending) {
		need(nctx, s->audit.need_name, s->audit.need_type, true);
		for (size_t i = 0; i < s->audit.nmore; i++)
			need(nctx, s->audit.more[i].name, s->audit.more[i].type, false);
	}
	return 0;
}

static void print_node(const struct spf_node *n, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("    ", stdout);
	print_safe(stdout, n->via ? n->via : n->domain);
	printf("  [%s; lookups own %d, total %d", spf_status_name(n->status), n->lookups_self,
	       n->lookups_total);
	if (n->void_lookups > 0)
		printf(", void %d", n->void_lookups);
	fputs("]\n", stdout);
	for (int i = 0; i < depth + 1; i++)
		fputs("    ", stdout);
	if (n->record != NULL) {
		fputc('"', stdout);
		print_record(stdout, n->record, n->record_len);
		fputs("\"\n", stdout);
	} else {
		fputs(n->status == SPF_STATUS_NONE ? "(no SPF record)\n" : "(no usable record)\n",
		      stdout);
	}
	for (size_t i = 0; i < n->nchildren; i++)
		print_node(n->children[i], depth + 1);
}

static int spf_audit_cmd(const char *domain, const struct cli_globals *g)
{
	char err[256];
	struct audit_step s;
	int rc = EXIT_INTERNAL;

	memset(&s, 0, sizeof(s));
	s.domain = domain;
	struct dns_worker *w = dns_worker_new(&g->dns, NULL, err, sizeof(err));
	struct dns_memo *memo = dns_memo_new();
	if (w == NULL || memo == NULL) {
		fprintf(stderr, "posture: %s\n", w ? "out of memory" : err);
		goto out;
	}
	if (drive_rounds(w, memo, audit_round, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		goto out;
	}
	if (g->json) {
		if (json_emit(spf_audit_json(&s.audit)) != 0)
			goto out;
	} else {
		printf("%s  SPF %s", s.audit.domain, spf_status_name(s.audit.status));
		if (s.audit.error_code)
			printf(" (%s)", s.audit.error_code);
		printf("; %d of 10 lookups, %d of 2 void lookups, %s\n", s.audit.lookups,
		       s.audit.void_lookups, s.audit.all[0] ? s.audit.all : "no all");
		if (s.audit.ipv4_addresses || s.audit.ipv6_64s)
			printf("authorises %llu IPv4 addresses and %llu IPv6 /64s%s\n",
			       (unsigned long long)s.audit.ipv4_addresses,
			       (unsigned long long)s.audit.ipv6_64s,
			       s.audit.has_macros ? " (plus what macros resolve to)" : "");
		fputc('\n', stdout);
		if (s.audit.tree)
			print_node(s.audit.tree, 0);
		if (s.audit.findings.n > 0) {
			fputs("\nfindings:\n", stdout);
			findings_print(stdout, &s.audit.findings, "  ");
		}
	}
	rc = (s.audit.status == SPF_STATUS_OK && !findings_first_error(&s.audit.findings))
	             ? EXIT_OK
	             : EXIT_PROBLEMS;
out:
	spf_audit_cleanup(&s.audit);
	dns_memo_free(memo);
	dns_worker_free(w);
	return rc;
}

static int spf_eval_cmd(int argc, char **argv, const struct cli_globals *g)
{
	struct {
		struct spf_request req;
		struct spf_eval_result res;
	} s;
	char err[256];
	uint8_t tmp[16];
	int rc = EXIT_INTERNAL;

	memset(&s, 0, sizeof(s));
	s.req.receiver = "posture.invalid";
	s.req.now = (long long)time(NULL);
	for (int i = 0; i < argc; i++) {
		const char **slot = NULL;
		if (strcmp(argv[i], "--ip") == 0)
			slot = &s.req.ip;
		else if (strcmp(argv[i], "--sender") == 0)
			slot = &s.req.sender;
		else if (strcmp(argv[i], "--helo") == 0)
			slot = &s.req.helo;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_unknown_option("spf", cmd_spf_help, argv[i]);
		else
			return cli_usage_error("spf", "unexpected argument '%s'", argv[i]);
		if (i + 1 >= argc)
			return cli_usage_error("spf", "%s needs a value", argv[i]);
		*slot = argv[++i];
	}
	if (s.req.ip == NULL || s.req.sender == NULL)
		return cli_usage_error("spf", "spf eval needs --ip and --sender");
	if (inet_pton(AF_INET, s.req.ip, tmp) != 1 && inet_pton(AF_INET6, s.req.ip, tmp) != 1)
		return cli_usage_error("spf", "'%s' is not an IPv4 or IPv6 address", s.req.ip);
	if (s.req.sender[0] == '\0' && s.req.helo == NULL)
		return cli_usage_error("spf", "an empty --sender needs --helo");
	struct dns_worker *w = dns_worker_new(&g->dns, NULL, err, sizeof(err));
	struct dns_memo *memo = dns_memo_new();
	if (w == NULL || memo == NULL) {
		fprintf(stderr, "posture: %s\n", w ? "out of memory" : err);
		goto out;
	}
	if (drive_check_host(w, memo, &s.req, &s.res, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		goto out;
	}
	if (g->json) {
		json_t *o =
		        json_pack("{s:s,s:s?,s:i,s:i,s:s,s:s?}", "result",
		                  spf_result_name(s.res.result), "explanation", s.res.explanation,
		                  "lookups", s.res.lookups, "void_lookups", s.res.void_lookups,
		                  "reason", s.res.reason, "via", s.res.via[0] ? s.res.via : NULL);
		if (o == NULL || json_print(stdout, o) != 0) {
			json_decref(o);
			goto out;
		}
		json_decref(o);
	} else {
		printf("%s\n", spf_result_name(s.res.result));
		printf(";; ");
		print_safe(stdout, s.res.reason);
		printf(" (%d lookups, %d void)\n", s.res.lookups, s.res.void_lookups);
		if (s.res.via[0]) {
			printf(";; through include:");
			print_safe(stdout, s.res.via);
			fputc('\n', stdout);
		}
		if (s.res.explanation) {
			printf(";; explanation: ");
			print_safe(stdout, s.res.explanation);
			fputc('\n', stdout);
		}
	}
	rc = EXIT_OK;
out:
	spf_eval_result_cleanup(&s.res);
	dns_memo_free(memo);
	dns_worker_free(w);
	return rc;
}

int cmd_spf(int argc, char **argv, const struct cli_globals *g)
{
	char norm[DNS_NAME_BUF];
	if (argc >= 1 && strcmp(argv[0], "eval") == 0)
		return spf_eval_cmd(argc - 1, argv + 1, g);
	if (argc < 1)
		return cli_usage_error("spf", "spf needs a DOMAIN (or 'eval')");
	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_unknown_option("spf", cmd_spf_help, argv[i]);
	if (argc > 1)
		return cli_usage_error("spf", "unexpected argument '%s'", argv[1]);
	if (cli_domain_arg("spf", argv[0], true, norm, sizeof(norm)) != 0)
		return EXIT_USAGE;
	return spf_audit_cmd(norm, g);
}
