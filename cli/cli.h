/*
 * cli.h — command-line plumbing shared by every subcommand: the global
 * options, number parsing, and the exit codes of the contract.
 */
#ifndef POSTURE_CLI_H
#define POSTURE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "dns.h"

/* Exit codes (design contract). */
#define EXIT_OK       0
#define EXIT_PROBLEMS 1
#define EXIT_USAGE    2
#define EXIT_INTERNAL 3
/* Could not check: a DNS failure left a check inconclusive (check, bimi),
 * or too many results of a scan (a degraded run). Try again later. */
#define EXIT_UNCHECKED 4
/* posture check and bimi: ready, but without a mark certificate (VMC or
 * CMC), so only mailbox providers that accept self-asserted logos (Yahoo)
 * show it; Gmail and Apple Mail do not (doc/commands.md, "Exit status"). */
#define EXIT_READY_NO_MARK 5
/* Stopped by SIGINT or SIGTERM: 128 + SIGINT, as shells report it. */
#define EXIT_INTERRUPTED 130

struct cli_globals {
	struct dns_config dns;
	bool json;
	bool help;
	/* Given on the command line (not defaults, not $POSTURE_RESOLVER):
	 * posture scan --resume refuses values other than the run's. */
	bool resolver_given, timeout_given, retries_given;
};

/* The environment variable that stands for --resolver when none is given. */
#define CLI_ENV_RESOLVER "POSTURE_RESOLVER"

/*
 * Takes the global options (--resolver, --timeout, --retries, --json,
 * --help/-h) out of argv wherever they stand, before or after the command,
 * and leaves the rest, in order, in argv[0..*argc). "--" ends option
 * parsing; what follows is kept as is. Without --resolver (and without
 * --help), the resolvers of $POSTURE_RESOLVER apply (cli_parse_resolvers).
 * Returns 0, or -1 with a one-line message in err.
 */
int cli_take_globals(int *argc, char **argv, struct cli_globals *g, char *err, size_t errlen);

/*
 * Appends the resolvers of list ("HOST[:PORT]" as --resolver takes them,
 * separated by commas or white space) to dns->servers. An empty list adds
 * none. Returns 0, or -1 with a one-line message in err (dns->nservers is
 * then left as it was).
 */
int cli_parse_resolvers(const char *list, struct dns_config *dns, char *err, size_t errlen);

/* Parses a whole decimal number in [min, max]. Returns 0 or -1. */
int cli_parse_uint(const char *text, unsigned long min, unsigned long max, unsigned long *out);

/* Prints "posture: <message>" and a hint to stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/*
 * The one wording of an option a command does not know, for every
 * command: "posture: unknown option '--selctor'; did you mean
 * '--selector'? (see 'posture check --help')", on one line. The
 * candidates are the options help (the command's --help text; NULL for
 * posture itself) names, and the global options. Returns EXIT_USAGE.
 */
int cli_unknown_option(const char *command, const char *help, const char *arg);

/* True when help (a command's --help text) names the option opt ("--db"):
 * a known option missing its value is "--db needs a value", an unknown
 * one cli_unknown_option's. */
bool cli_help_names(const char *help, const char *opt);

/*
 * Optimal string alignment distance (Damerau-Levenshtein without
 * substring moves): insertions, deletions, substitutions and swaps of two
 * neighbours each cost 1, as git's "did you mean" counts typos. Strings
 * longer than 63 bytes are never close: SIZE_MAX.
 */
size_t cli_edit_distance(const char *a, const char *b);

/*
 * The candidates closest to word, leading dashes ignored: at edit
 * distance 1 for a word of 4 characters or fewer, else at most 2, the
 * nearest ones only, written to out as "'check'" or "'--at' or '--db'"
 * (at most 3). Returns how many were written (0: out is "").
 */
size_t cli_suggest(const char *word, const char *const *candidates, size_t n, char *out,
                   size_t outlen);

/*
 * The domain a command is given on its line (posture check, bimi, spf,
 * dmarc, history; lookup with strict false): an email address or a URL
 * stands for its domain (domainarg.h) and a note on stderr says which
 * domain was taken, as a scan list's warning does. strict checks it as a
 * scan list's domain is (list_domain_normalize: host names, IDN to
 * A-labels, no IP address); otherwise it must be a DNS name
 * (dns_name_normalize). Returns 0 with the name in out, or EXIT_USAGE
 * after the usage error.
 */
int cli_domain_arg(const char *command, const char *arg, bool strict, char *out, size_t outlen);

/*
 * Raises the soft RLIMIT_NOFILE to the hard limit (at most 1 << 20) and
 * returns the soft limit now in force. A process-wide setting, so the
 * command line makes it, not the library: each TCP query in flight holds
 * a socket (UDP ones share a few per worker), so posture scan caps
 * max_inflight * workers below this.
 */
unsigned long cli_raise_nofile(void);

/* Parses "K/N" (1 <= K <= N <= 1000000) as --shard takes it. Returns 0
 * or -1. */
int cli_parse_shard(const char *text, unsigned *k, unsigned *n);
/* The value of key in a run's recorded options ("k=v k2=v2 flag", as
 * posture scan writes runs.options), copied to out ("" for a bare flag);
 * false when the run did not record it (older posture versions). */
bool cli_run_option(const char *options, const char *key, char *out, size_t outlen);

#endif
