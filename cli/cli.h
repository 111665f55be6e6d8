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
