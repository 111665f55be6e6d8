/*
 * cmd_history.c — "posture history DOMAIN": one domain's stored results
 * in every run of the database, oldest first, as text, CSV or JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "csv.h"
#include "dbread.h"
#include "output.h"
#include "report.h"
#include "store.h"
#include "strutil.h"

#define HISTORY_DB_DEFAULT "posture.db"

const char cmd_history_help[] =
        "usage: posture history DOMAIN [--db FILE] [--format text|csv|json]\n"
        "\n"
        "One domain's results in every run of the database, oldest first: run,\n"
        "when it was scanned, whether the result was conclusive, SPF, DMARC,\n"
        "BIMI/VMC, MX, and DKIM, MTA-STS (with its MX coverage), TLS-RPT,\n"
        "DNSSEC and DANE (empty, or null in JSON, in runs that did not check\n"
        "them).\n"
        "\n"
        "Exit status: 0 printed, 1 the database holds no result for DOMAIN,\n"
        "2 usage, 3 failure.\n"
        "\n"
        "Example:\n"
        "  posture history example.com --db audit.db\n";

/* Options of history: --db, --format (text, csv, json). */
static int take_opts(int argc, char **argv, const char *cmd, const struct cli_globals *g,
                     const char **db, int *format, char **pos, int *npos)
{
	*format = g->json ? REPORT_JSON : REPORT_TEXT;
	*npos = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 || strcmp(argv[i], "--format") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error(cmd, "%s needs a value", argv[i]);
			if (strcmp(argv[i], "--db") == 0) {
				*db = argv[++i];
				continue;
			}
			*format = report_format_parse(argv[++i]);
			if (*format != REPORT_TEXT && *format != REPORT_CSV &&
			    *format != REPORT_JSON)
				return cli_usage_error(cmd, "--format takes text, csv or json");
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_unknown_option(cmd, cmd_history_help, argv[i]);
		if (*npos >= 2)
			return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
		pos[(*npos)++] = argv[i];
	}
	return 0;
}

static const char *const history_columns[] = {
	"run",
	"scanned_at",
	"conclusive",
	"spf_status",
	"spf_error",
	"spf_lookups",
	"spf_all",
	"dmarc_class",
	"dmarc_policy",
	"bimi_status",
	"vmc_status",
	"bimi_eligible",
	"mx",
	"dkim_status",
	"mta_sts_status",
	"mta_sts_mx_covered",
	"tls_rpt_status",
	"dnssec_status",
	"dane_status",
};
#define NHISTORY (sizeof(history_columns) / sizeof(history_columns[0]))

/* A status column as JSON: null when the check did not run (""). */
static json_t *status_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

/* One row of posture history --json. */
static json_t *history_json(const struct report_row *r)
{
	json_t *o = json_pack(
	        "{s:I,s:s,s:b,s:s,s:s?,s:o,s:s?,s:s,s:s?,s:s,s:s,s:o,s:s}", "run",
	        (json_int_t)r->run_id, "scanned_at", r->scanned_at, "conclusive", r->conclusive,
	        "spf_status", r->spf_status, "spf_error", r->spf_error[0] ? r->spf_error : NULL,
	        "spf_lookups", r->spf_lookups < 0 ? json_null() : json_integer(r->spf_lookups),
	        "spf_all", r->spf_all[0] ? r->spf_all : NULL, "dmarc_class", report_dmarc_class(r),
	        "dmarc_policy", r->dmarc_policy[0] ? r->dmarc_policy : NULL, "bimi_status",
	        r->bimi_status, "vmc_status", r->vmc_status, "bimi_eligible",
	        r->bimi_eligible < 0 ? json_null() : json_boolean(r->bimi_eligible), "mx", r->mx);
	/* DKIM and the transport checks: null in runs that did not ask. */
	if (o != NULL &&
	    (json_object_set_new(o, "dkim_status", status_or_null(r->dkim_status)) != 0 ||
	     json_object_set_new(o, "mta_sts_status", status_or_null(r->mta_sts_status)) != 0 ||
	     json_object_set_new(o, "mta_sts_mx_covered",
	                         r->mta_sts_status[0] && r->mta_sts_mx_covered >= 0
	                                 ? json_boolean(r->mta_sts_mx_covered)
	                                 : json_null()) != 0 ||
	     json_object_set_new(o, "tls_rpt_status", status_or_null(r->tls_rpt_status)) != 0 ||
	     json_object_set_new(o, "dnssec_status", status_or_null(r->dnssec_status)) != 0 ||
	     json_object_set_new(o, "dane_status", status_or_null(r->dane_status)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int write_history(int format, const char *domain, const struct cli_rows *h)
{
	if (format == REPORT_JSON) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < h->n; i++)
			json_array_append_new(a, history_json(&h->v[i]));
		return json_emit(
		        json_pack("{s:s,s:o}", "domain", domain, "results", a ? a : json_null()));
	}
	if (format == REPORT_TEXT)
		printf("posture history: %s, %zu results\n", domain, h->n);
	if (format == REPORT_CSV)
		csv_row(stdout, history_columns, NHISTORY);
	else
		printf("%5s  %-20s %-4s %-10s %-26s %-4s %-5s %-11s %-11s %-9s %-9s %-4s %-9s "
		       "%-10s %-11s %-4s %-9s %-13s %s\n",
		       "run", "scanned_at", "ok", "spf", "spf_error", "lkp", "all", "dmarc",
		       "policy", "bimi", "vmc", "elig", "mx", "dkim", "mta-sts", "cov", "tls-rpt",
		       "dnssec", "dane");
	for (size_t i = 0; i < h->n; i++) {
		const struct report_row *r = &h->v[i];
		char run[24], look[16], elig[8], cov[8];
		snprintf(run, sizeof(run), "%lld", (long long)r->run_id);
		if (r->spf_lookups >= 0)
			snprintf(look, sizeof(look), "%d", r->spf_lookups);
		else
			look[0] = '\0';
		str_copy(elig, sizeof(elig),
		         r->bimi_eligible < 0 ? ""
		         : r->bimi_eligible   ? "1"
		                              : "0");
		str_copy(cov, sizeof(cov),
		         !r->mta_sts_status[0] || r->mta_sts_mx_covered < 0 ? ""
		         : r->mta_sts_mx_covered                            ? "1"
		                                                            : "0");
		const char *c[NHISTORY] = { run,
			                    r->scanned_at,
			                    r->conclusive ? "1" : "0",
			                    r->spf_status,
			                    r->spf_error,
			                    look,
			                    r->spf_all,
			                    report_dmarc_class(r),
			                    r->dmarc_policy,
			                    r->bimi_status,
			                    r->vmc_status,
			                    elig,
			                    r->mx,
			                    r->dkim_status,
			                    r->mta_sts_status,
			                    cov,
			                    r->tls_rpt_status,
			                    r->dnssec_status,
			                    r->dane_status };
		if (format == REPORT_CSV)
			csv_row(stdout, c, NHISTORY);
		else
			printf("%5s  %-20s %-4s %-10s %-26s %-4s %-5s %-11s %-11s %-9s %-9s %-4s "
			       "%-9s "
			       "%-10s %-11s %-4s %-9s %-13s %s\n",
			       c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10],
			       c[11], c[12], c[13], c[14], c[15], c[16], c[17], c[18]);
	}
	return 0;
}

int cmd_history(int argc, char **argv, const struct cli_globals *g)
{
	const char *db = HISTORY_DB_DEFAULT;
	char *pos[2], domain[DNS_NAME_BUF];
	int npos, format;
	int rc = take_opts(argc, argv, "history", g, &db, &format, pos, &npos);
	if (rc != 0)
		return rc;
	if (npos != 1)
		return cli_usage_error("history", "name one domain: posture history DOMAIN");
	if (cli_domain_arg("history", pos[0], true, domain, sizeof(domain)) != 0)
		return EXIT_USAGE;
	struct store *s = cli_db_open_ro(db);
	if (s == NULL)
		return access(db, F_OK) != 0 ? EXIT_USAGE : EXIT_INTERNAL;
	struct cli_rows h;
	memset(&h, 0, sizeof(h));
	rc = store_history_each(s, domain, cli_rows_collect, &h);
	if (h.oom || rc < 0) {
		fprintf(stderr, "posture: %s\n", h.oom ? "out of memory" : store_error(s));
		rc = EXIT_INTERNAL;
	} else if (h.n == 0) {
		fprintf(stderr, "posture: %s holds no result for %s\n", db, domain);
		rc = EXIT_PROBLEMS;
	} else {
		rc = write_history(format, domain, &h) == 0 ? EXIT_OK : EXIT_INTERNAL;
	}
	cli_rows_free(&h);
	store_close(s);
	return rc;
}
