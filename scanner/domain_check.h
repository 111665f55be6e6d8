/*
 * domain_check.h — every check on one domain, start to finish: the DNS
 * checks one after another over the DNS adapter, then the BIMI logo and
 * certificate fetched over HTTPS (all at once), then the verdict and the
 * readiness checklist. What `posture bimi` and `posture check` run.
 *
 * Also the options both commands share (--selector, --no-fetch,
 * --ca-file, --connect-to, --vmc-roots, --at), parsed in one place.
 */
#ifndef POSTURE_DOMAIN_CHECK_H
#define POSTURE_DOMAIN_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "checks.h"
#include "dns.h"

#define DOMAIN_CHECK_CONNECT_TO_MAX 16

struct domain_check_opts {
	unsigned mask;        /* CHECK_BIT set; CHECKS_ALL by default */
	const char *selector; /* NULL: "default" */
	bool no_fetch;
	const char *ca_file; /* TLS trust store for HTTPS; NULL: the system's */
	const char *connect_to[DOMAIN_CHECK_CONNECT_TO_MAX];
	size_t n_connect_to;
	const char *vmc_roots; /* PEM file of Mark Verifying Authority roots */
	time_t at;             /* when certificates are judged; 0: now */
};

void domain_check_opts_init(struct domain_check_opts *o);

/*
 * Takes one shared option at argv[*i] (and its value): returns 1 when it
 * was one (with *i moved past it), 0 when argv[*i] is not a shared option,
 * -1 on a bad value (message in err).
 */
int domain_check_option(int argc, char **argv, int *i, struct domain_check_opts *o, char *err,
                        size_t errlen);

/* The shared options' lines for --help (a string literal). */
#define DOMAIN_CHECK_OPTIONS_HELP                                                                  \
	"  --selector S       BIMI selector (default: default)\n"                                  \
	"  --no-fetch         do not fetch the logo and certificate (their items\n"                \
	"                     stay unknown, so the domain is never eligible)\n"                    \
	"  --ca-file FILE     trust these PEM CAs for HTTPS instead of the system's\n"             \
	"  --connect-to H:P:A:P  connect to A:P for H:P, as curl does (repeatable;\n"              \
	"                     the URL, the TLS name and Host: stay H)\n"                           \
	"  --vmc-roots FILE   trust these Mark Verifying Authority roots instead of\n"             \
	"                     the bundled ones\n"                                                  \
	"  --at TIME          judge certificates at TIME (2025-05-01 or\n"                         \
	"                     2025-05-01T12:00:00Z) instead of now\n"

/* Reads a --vmc-roots file (at most 1 MiB) into a malloc'd buffer.
 * Returns 0, or -1 with a reason in err. */
#define DOMAIN_CHECK_ROOTS_MAX ((size_t)1 << 20)
int domain_check_load_roots(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen);

/*
 * Runs every check of o->mask on domain (normalised) into r (initialised
 * here; checks_cleanup it in every case). Returns 0, or -1 with a reason
 * in err on a program failure (DNS set-up, out of memory, a bad trust
 * store); what a domain publishes wrongly is never a failure.
 */
int domain_check_run(const char *domain, const struct dns_config *dns,
                     const struct domain_check_opts *o, struct domain_result *r, char *err,
                     size_t errlen);

#endif
