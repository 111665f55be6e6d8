/*
 * commands.h — the subcommands of the posture binary. Each takes the
 * arguments after its name (global options already removed) and returns
 * an exit code from cli.h.
 */
#ifndef POSTURE_COMMANDS_H
#define POSTURE_COMMANDS_H

#include "cli.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv, const struct cli_globals *g);
	const char *summary;
	const char *help; /* full text for 'posture NAME --help' */
};

int cmd_lookup(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_lookup_help[];
int cmd_spf(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_spf_help[];
int cmd_dmarc(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_dmarc_help[];
int cmd_dkim(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_dkim_help[];
int cmd_mta_sts(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_mta_sts_help[];
int cmd_dnssec(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_dnssec_help[];
int cmd_scan(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_scan_help[];
int cmd_runs(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_runs_help[];
int cmd_db(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_db_help[];
/* db check, prune, vacuum, export (cmd_dbmaint.c); argv[0] names which. */
int cmd_db_maint(int argc, char **argv, const struct cli_globals *g);
int cmd_svg(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_svg_help[];
int cmd_vmc(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_vmc_help[];
int cmd_bimi(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_bimi_help[];
int cmd_check(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_check_help[];
int cmd_report(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_report_help[];
int cmd_diff(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_diff_help[];
int cmd_history(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_history_help[];
int cmd_headers(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_headers_help[];
/* reports import (cmd_reports.c), reports summary (cmd_reports_summary.c). */
int cmd_reports(int argc, char **argv, const struct cli_globals *g);
int cmd_reports_summary(int argc, char **argv, const struct cli_globals *g);
extern const char cmd_reports_help[];

#endif
