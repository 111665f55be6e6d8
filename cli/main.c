/*
 * main.c — the posture command: global options, then one subcommand.
 * Thin by design: parse, call the library, print.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

#ifndef POSTURE_VERSION
#define POSTURE_VERSION "0.0.0-dev"
#endif

static const struct command commands[] = {
	{ "check", cmd_check,
	  "one domain: SPF, DMARC, DKIM, BIMI, MX/A, with a fix for each problem", cmd_check_help },
	{ "bimi", cmd_bimi, "BIMI record, logo, certificate and readiness checklist",
	  cmd_bimi_help },
	{ "lookup", cmd_lookup, "ask one DNS question the way posture does", cmd_lookup_help },
	{ "spf", cmd_spf, "SPF tree, lookup counts, PermError causes; 'spf eval'", cmd_spf_help },
	{ "dmarc", cmd_dmarc, "DMARC policy under RFC 9989 and RFC 7489", cmd_dmarc_help },
	{ "dkim", cmd_dkim, "DKIM keys at common or given selectors, each audited", cmd_dkim_help },
	{ "mta-sts", cmd_mta_sts, "MTA-STS policy and TLS-RPT record; every MX host covered?",
	  cmd_mta_sts_help },
	{ "dnssec", cmd_dnssec, "DNSSEC of the answers posture reads: secure, insecure, bogus",
	  cmd_dnssec_help },
	{ "svg", cmd_svg, "validate a BIMI logo file (SVG Tiny PS)", cmd_svg_help },
	{ "scan", cmd_scan, "scan lists of domains into SQLite (resumable)", cmd_scan_help },
	{ "runs", cmd_runs, "list the runs in a database", cmd_runs_help },
	{ "db", cmd_db, "merge shards; check, prune, export a database", cmd_db_help },
	{ "report", cmd_report, "statistics, tables and charts of a run; trends", cmd_report_help },
	{ "diff", cmd_diff, "what changed between two runs", cmd_diff_help },
	{ "history", cmd_history, "one domain's results over time", cmd_history_help },
	{ "headers", cmd_headers, "explain one received message: hops, results, signatures",
	  cmd_headers_help },
	{ "reports", cmd_reports, "receivers' DMARC, failure and TLS reports: import, summary",
	  cmd_reports_help },
	{ "vmc", cmd_vmc, "validate a Verified Mark Certificate (BIMI VMC/CMC) chain",
	  cmd_vmc_help },
};

static void print_help(FILE *out)
{
	fputs("usage: posture [global options] COMMAND [ARGS...]\n"
	      "\n"
	      "posture audits how well domains protect their mail against\n"
	      "spoofing: SPF, DMARC, DKIM, BIMI and MX/A, for one domain or a million.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
	        "\n"
	        "Global options (anywhere on the line):\n"
	        "  --resolver HOST[:PORT]  ask this resolver instead of the system's\n"
	        "                          (numeric; repeatable; IPv6 as [addr]:port;\n"
	        "                          default: $POSTURE_RESOLVER, else\n"
	        "                          /etc/resolv.conf)\n"
	        "  --timeout MS            wait per attempt, default %d\n"
	        "  --retries N             retries after a timeout, default %d\n"
	        "  --json                  machine-readable output\n"
	        "  -h, --help              this text, or a command's with COMMAND\n"
	        "                          (posture help COMMAND says the same)\n"
	        "  --version               print the version\n"
	        "\n"
	        "Exit status: 0 success, 1 problems found, 2 usage error (also an\n"
	        "input file that cannot be read), 3 posture itself failed, 4 could\n"
	        "not check (try again), 5 ready without a mark certificate (check,\n"
	        "bimi).\n"
	        "\n"
	        "Environment:\n"
	        "  POSTURE_RESOLVER        resolvers used when no --resolver is given,\n"
	        "                          as --resolver takes them, separated by\n"
	        "                          commas or spaces\n"
	        "  POSTURE_CA_FILE         default of --ca-file (bimi, check, mta-sts,\n"
	        "                          scan)\n"
	        "  POSTURE_CONNECT_TO      default of --connect-to (bimi, check,\n"
	        "                          mta-sts, scan): H:P:A:P entries separated\n"
	        "                          by spaces\n"
	        "  POSTURE_VMC_ROOTS       default of --vmc-roots (bimi, check, scan,\n"
	        "                          vmc)\n"
	        "  NO_COLOR                when set and not empty, never colour output\n"
	        "\n"
	        "Example:\n"
	        "  posture lookup _dmarc.example.com TXT\n",
	        DNS_TIMEOUT_MS_DEFAULT, DNS_RETRIES_DEFAULT);
}

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* "unknown command 'chekc'; did you mean 'check'?", as git says it. */
static int unknown_command(const char *name)
{
	const char *names[NCOMMANDS + 1];
	char hint[200];
	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	names[NCOMMANDS] = "help";
	if (cli_suggest(name, names, NCOMMANDS + 1, hint, sizeof(hint)) > 0)
		return cli_usage_error(NULL, "unknown command '%s'; did you mean %s?", name, hint);
	return cli_usage_error(NULL, "unknown command '%s'", name);
}

int main(int argc, char **argv)
{
	struct cli_globals g;
	char err[256];
	int n = argc - 1;
	char **args = argv + 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--version") == 0) {
			printf("posture %s\n", POSTURE_VERSION);
			return EXIT_OK;
		}
	}
	if (cli_take_globals(&n, args, &g, err, sizeof(err)) != 0)
		return cli_usage_error(NULL, "%s", err);
	if (n == 0) {
		print_help(g.help ? stdout : stderr);
		return g.help ? EXIT_OK : EXIT_USAGE;
	}
	if (args[0][0] == '-')
		return cli_unknown_option(NULL, NULL, args[0]);
	/* posture help [COMMAND] is posture [COMMAND] --help, as in git. */
	if (strcmp(args[0], "help") == 0) {
		if (n == 1) {
			print_help(stdout);
			return EXIT_OK;
		}
		g.help = true;
		args++;
		n--;
		if (strcmp(args[0], "help") == 0) {
			print_help(stdout);
			return EXIT_OK;
		}
	}
	const struct command *c = find_command(args[0]);
	if (c == NULL)
		return unknown_command(args[0]);
	if (g.help) {
		fputs(c->help, stdout);
		return EXIT_OK;
	}
	return c->run(n - 1, args + 1, &g);
}
