/*
 * domain_check.h — every check on one domain, start to finish: the DNS
 * checks one after another over the DNS adapter, then the BIMI logo and
 * certificate fetched over HTTPS (all at once), then the verdict and the
 * readiness checklist. What `posture bimi` and `posture check` run.
 *
 * Also the options both commands share with posture scan (--selector,
 * --no-fetch, --ca-file, --connect-to, --allow-port, --vmc-roots, --at),
 * parsed in one
 * place, with POSTURE_CA_FILE, POSTURE_CONNECT_TO and POSTURE_VMC_ROOTS as
 * their defaults (domain_check_opts_env).
 */
#ifndef POSTURE_DOMAIN_CHECK_H
#define POSTURE_DOMAIN_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "checks.h"
#include "dns.h"
#include "fetch_dest.h"

#define DOMAIN_CHECK_CONNECT_TO_MAX 16
/* The longest POSTURE_CONNECT_TO value taken (16 entries of 128 bytes). */
#define DOMAIN_CHECK_ENV_CONNECT_TO_MAX 2048

#define DOMAIN_CHECK_ENV_CA_FILE        "POSTURE_CA_FILE"
#define DOMAIN_CHECK_ENV_CONNECT_TO     "POSTURE_CONNECT_TO"
#define DOMAIN_CHECK_ENV_VMC_ROOTS      "POSTURE_VMC_ROOTS"

struct domain_check_opts {
	/* CHECK_BIT set; by default CHECKS_ALL but CHECKS_VALIDATING
	 * (DNSSEC and DANE: posture check --dnssec). */
	unsigned mask;
	const char *selector; /* NULL: "default" */
	bool no_fetch;
	const char *ca_file; /* TLS trust store for HTTPS; NULL: the system's */
	const char *connect_to[DOMAIN_CHECK_CONNECT_TO_MAX];
	size_t n_connect_to;
	long allow_port[FETCH_ALLOW_PORTS_MAX]; /* fetched besides 443 */
	size_t n_allow_port;
	const char *vmc_roots; /* PEM file of Mark Verifying Authority roots */
	time_t at;             /* when certificates are judged; 0: now */
	/* --dkim-selector: probe these alone (none: the bundled list), or
	 * with dkim_also_bundled, these and the bundled list. */
	const char *dkim_selectors[DKIM_PROBE_MAX];
	size_t ndkim_selectors;
	bool dkim_also_bundled;
	/* Warn (vmc.expires_soon) when a valid mark certificate expires
	 * within this many days; 0: never. posture check and bimi set it
	 * (--expiry-warn, default DOMAIN_CHECK_EXPIRY_WARN_DAYS); a scan
	 * does not, so its stored results do not change with the date. */
	unsigned expiry_warn_days;
	/* DNSSEC and DANE (CHECKS_VALIDATING): the trust anchor file
	 * (--trust-anchor); NULL: the bundled root anchor (dnssec.h). */
	const char *trust_anchor;
	/* POSTURE_CONNECT_TO, split in place: connect_to[] points into it
	 * when no --connect-to was given. */
	char env_connect_to[DOMAIN_CHECK_ENV_CONNECT_TO_MAX];
};

#define DOMAIN_CHECK_EXPIRY_WARN_DAYS 30

void domain_check_opts_init(struct domain_check_opts *o);

/*
 * Takes one shared option at argv[*i] (and its value): returns 1 when it
 * was one (with *i moved past it), 0 when argv[*i] is not a shared option,
 * -1 on a bad value (message in err).
 */
int domain_check_option(int argc, char **argv, int *i, struct domain_check_opts *o, char *err,
                        size_t errlen);

/*
 * Fills the shared options the command line left out from the environment:
 * --ca-file from POSTURE_CA_FILE, --vmc-roots from POSTURE_VMC_ROOTS,
 * --connect-to from POSTURE_CONNECT_TO (entries separated by white space).
 * Options given on the line win; an empty variable counts as unset. Call it
 * once, after the options are parsed. Returns 0, or -1 with a message
 * naming the variable in err.
 */
int domain_check_opts_env(struct domain_check_opts *o, char *err, size_t errlen);

/*
 * Checks that the files the options name (--ca-file, --vmc-roots, or
 * their environment defaults) can be opened and read: a missing or
 * unreadable input file is a usage error of every command (exit 2), said
 * before any query. Returns 0, or -1 with a message naming the option and
 * the file in err.
 */
int domain_check_opts_files(const struct domain_check_opts *o, char *err, size_t errlen);

/* The shared options' lines for --help (a string literal). */
#define DOMAIN_CHECK_OPTIONS_HELP                                                                  \
	"  --selector S       BIMI selector (default: default)\n"                                  \
	"  --no-fetch         do not fetch the logo and certificate (their items\n"                \
	"                     stay unknown, so the domain is never eligible)\n"                    \
	"  --ca-file FILE     trust these PEM CAs for HTTPS instead of the system's\n"             \
	"                     (default: $POSTURE_CA_FILE)\n"                                       \
	"  --connect-to H:P:A:P  connect to A:P for H:P, as curl does (repeatable;\n"              \
	"                     the URL, the TLS name and Host: stay H; default:\n"                  \
	"                     $POSTURE_CONNECT_TO, entries separated by spaces).\n"                \
	"                     Otherwise fetches go only to public addresses: a\n"                  \
	"                     host or redirect resolving to loopback, private,\n"                  \
	"                     link-local or reserved addresses is refused\n"                       \
	"  --allow-port PORT  also fetch from PORT when a URL names it (repeatable;\n"             \
	"                     by default only port 443; the address must still be\n"               \
	"                     public)\n"                                                           \
	"  --vmc-roots FILE   trust these Mark Verifying Authority roots instead of\n"             \
	"                     the bundled ones (default: $POSTURE_VMC_ROOTS)\n"                    \
	"  --at TIME          judge certificates at TIME (2025-05-01 or\n"                         \
	"                     2025-05-01T12:00:00Z) instead of now\n"

/* --dkim-selector S of posture check and bimi (not a shared option: a
 * scan takes its selectors from its lists): a valid selector (RFC 6376
 * 3.1), kept once. Returns 0, or -1 with a message in err. */
int domain_check_dkim_selector(struct domain_check_opts *o, const char *v, char *err,
                               size_t errlen);
/* Checks that every --dkim-selector makes a DNS name under domain
 * (<selector>._domainkey.<domain> within 253 bytes). Returns 0, or -1
 * with a message in err. */
int domain_check_dkim_names(const struct domain_check_opts *o, const char *domain, char *err,
                            size_t errlen);

/* Reads a --vmc-roots file (at most 1 MiB) into a malloc'd buffer.
 * Returns 0, or -1 with a reason in err. */
#define DOMAIN_CHECK_ROOTS_MAX ((size_t)1 << 20)
int domain_check_load_roots(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen);

/* What posture check shows beside the result: when the check ran (the MX
 * hosts are the result's own, r->mx.hosts, as a scan stores them). */
struct domain_check_info {
	time_t checked_at;
};
void domain_check_info_cleanup(struct domain_check_info *info);

/*
 * Runs every check of o->mask on domain (normalised) into r (initialised
 * here; checks_cleanup it in every case) and, when info is not NULL, fills
 * it (domain_check_info_cleanup it in every case): the DNS checks side by
 * side (MTA-STS and TLS-RPT among them), then the HTTPS fetches (the BIMI
 * logo and certificate, then the MTA-STS policy, which takes a fetcher of
 * its own: no redirect followed), then DNSSEC and DANE through getdns
 * when asked. Returns 0, or -1 with a reason in err on a program failure
 * (DNS or getdns set-up, out of memory, a bad trust store); what a
 * domain publishes wrongly is never a failure.
 */
int domain_check_run(const char *domain, const struct dns_config *dns,
                     const struct domain_check_opts *o, struct domain_result *r,
                     struct domain_check_info *info, char *err, size_t errlen);

#endif
