/*
 * cli.c — global options and small parsing helpers for the subcommands.
 *
 * Global options may stand anywhere on the line (posture --json lookup x,
 * posture lookup x --json) because people add them at the end when they
 * repeat a command; everything else is left to the subcommand, which
 * rejects what it does not know.
 *
 * POSTURE_RESOLVER stands for --resolver when none is on the line, so a
 * shell pointed at one server (make demo-shell, a lab's resolver) runs
 * every command as written; an explicit --resolver always wins.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "domainarg.h"
#include "domainlist.h"
#include "strutil.h"

int cli_parse_uint(const char *text, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	if (text == NULL || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fputs("posture: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (command != NULL)
		fprintf(stderr, " (see 'posture %s --help')\n", command);
	else
		fputs(" (see 'posture --help')\n", stderr);
	return EXIT_USAGE;
}

size_t cli_edit_distance(const char *a, const char *b)
{
	enum { MAXLEN = 64 };
	size_t n = strlen(a), m = strlen(b);
	size_t d[MAXLEN][MAXLEN];

	if (n >= MAXLEN || m >= MAXLEN)
		return SIZE_MAX;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[n][m];
}

static const char *undashed(const char *s)
{
	while (*s == '-')
		s++;
	return s;
}

size_t cli_suggest(const char *word, const char *const *candidates, size_t n, char *out,
                   size_t outlen)
{
	char w[64];
	const char *bare = undashed(word);
	size_t len = strcspn(bare, "=");
	size_t limit = len <= 4 ? 1 : 2, best = SIZE_MAX, k = 0;

	out[0] = '\0';
	if (len == 0 || len >= sizeof(w))
		return 0;
	memcpy(w, bare, len);
	w[len] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t dist = cli_edit_distance(w, undashed(candidates[i]));
		if (dist <= limit && dist < best)
			best = dist;
	}
	for (size_t i = 0; i < n && best != SIZE_MAX && k < 3; i++) {
		if (cli_edit_distance(w, undashed(candidates[i])) != best)
			continue;
		size_t used = strlen(out);
		snprintf(out + used, outlen - used, "%s'%s'", k > 0 ? " or " : "", candidates[i]);
		k++;
	}
	return k;
}

/* The options a command's --help names ("--selector", "--db"...), each
 * once, into opts; returns how many. */
static size_t help_options(const char *help, const char **opts, char (*buf)[40], size_t max)
{
	size_t n = 0;
	for (const char *p = help; p != NULL && *p != '\0' && n < max; p++) {
		if (p[0] != '-' || p[1] != '-' || (p > help && !strchr(" \t\n[(|,", p[-1])))
			continue;
		size_t len = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz0123456789-");
		if (len <= 2 || len >= sizeof(buf[0]))
			continue;
		memcpy(buf[n], p, len);
		buf[n][len] = '\0';
		bool seen = false;
		for (size_t i = 0; i < n && !seen; i++)
			seen = strcmp(opts[i], buf[n]) == 0;
		if (!seen) {
			opts[n] = buf[n];
			n++;
		}
		p += len - 1;
	}
	return n;
}

bool cli_help_names(const char *help, const char *opt)
{
	enum { MAX_OPTS = 96 };
	const char *opts[MAX_OPTS];
	char buf[MAX_OPTS][40];
	size_t n = help_options(help, opts, buf, MAX_OPTS);
	for (size_t i = 0; i < n; i++)
		if (strcmp(opts[i], opt) == 0)
			return true;
	return false;
}

int cli_unknown_option(const char *command, const char *help, const char *arg)
{
	static const char *const globals[] = { "--resolver", "--timeout", "--retries",
		                               "--json",     "--help",    "--version" };
	enum { MAX_OPTS = 96 };
	const char *opts[MAX_OPTS];
	char buf[MAX_OPTS][40], hint[200];
	size_t n = help_options(help, opts, buf, MAX_OPTS - 6);
	for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
		opts[n++] = globals[i];
	if (cli_suggest(arg, opts, n, hint, sizeof(hint)) > 0)
		return cli_usage_error(command, "unknown option '%s'; did you mean %s?", arg, hint);
	return cli_usage_error(command, "unknown option '%s'", arg);
}

int cli_domain_arg(const char *command, const char *arg, bool strict, char *out, size_t outlen)
{
	char taken[DNS_NAME_BUF], why[200];
	int form = domain_from_input(arg, taken, sizeof(taken));
	if (form < 0)
		return cli_usage_error(command, "'%s' is not a domain name", arg);
	if (strict) {
		if (list_domain_normalize(taken, out, outlen, why, sizeof(why)) != 0)
			return cli_usage_error(command, "'%s': %s", arg, why);
	} else if (dns_name_normalize(taken, out, outlen) != 0) {
		return cli_usage_error(command,
		                       "'%s' is not a valid domain name (convert "
		                       "internationalised names to xn-- form)",
		                       arg);
	}
	if (form != DOMAIN_FORM_NAME)
		fprintf(stderr, "posture: note: '%s' is %s: taking its domain %s\n", arg,
		        domain_form_name((enum domain_form)form), out);
	return 0;
}

/* Matches "--name" or "--name=value"; sets *value to the inline value or
 * NULL. */
static bool opt_is(const char *arg, const char *name, const char **value)
{
	size_t n = strlen(name);
	if (strncmp(arg, name, n) != 0)
		return false;
	if (arg[n] == '\0') {
		*value = NULL;
		return true;
	}
	if (arg[n] == '=') {
		*value = arg + n + 1;
		return true;
	}
	return false;
}

/* The longest resolver spec accepted ("[v6 address]:port" is under 64). */
#define CLI_RESOLVER_SPEC_MAX 128

int cli_parse_resolvers(const char *list, struct dns_config *dns, char *err, size_t errlen)
{
	static const char sep[] = ", \t\n";
	size_t n = dns->nservers;
	const char *p = list;

	while (*p != '\0') {
		p += strspn(p, sep);
		size_t len = strcspn(p, sep);
		if (len == 0)
			break;
		char spec[CLI_RESOLVER_SPEC_MAX], why[160];
		if (len >= sizeof(spec)) {
			snprintf(err, errlen, "resolver '%.20s...' is too long", p);
			return -1;
		}
		memcpy(spec, p, len);
		spec[len] = '\0';
		p += len;
		if (n >= DNS_MAX_SERVERS) {
			snprintf(err, errlen, "at most %d resolvers", DNS_MAX_SERVERS);
			return -1;
		}
		if (dns_server_parse(spec, &dns->servers[n], why, sizeof(why)) != 0) {
			str_copy(err, errlen, why);
			return -1;
		}
		n++;
	}
	dns->nservers = n;
	return 0;
}

int cli_take_globals(int *argc, char **argv, struct cli_globals *g, char *err, size_t errlen)
{
	int out = 0;
	bool ended = false;

	memset(g, 0, sizeof(*g));
	dns_config_init(&g->dns);
	for (int i = 0; i < *argc; i++) {
		const char *a = argv[i], *v = NULL;
		bool takes = false;
		const char *name = NULL;

		if (ended) {
			argv[out++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			ended = true;
			argv[out++] = argv[i];
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			g->json = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			g->help = true;
			continue;
		}
		if (opt_is(a, "--resolver", &v))
			name = "--resolver", takes = true;
		else if (opt_is(a, "--timeout", &v))
			name = "--timeout", takes = true;
		else if (opt_is(a, "--retries", &v))
			name = "--retries", takes = true;
		if (!takes) {
			argv[out++] = argv[i];
			continue;
		}
		if (v == NULL) {
			if (i + 1 >= *argc) {
				snprintf(err, errlen, "%s needs a value", name);
				return -1;
			}
			v = argv[++i];
		}
		if (strcmp(name, "--resolver") == 0) {
			char why[160];
			if (g->dns.nservers >= DNS_MAX_SERVERS) {
				snprintf(err, errlen, "at most %d resolvers", DNS_MAX_SERVERS);
				return -1;
			}
			if (dns_server_parse(v, &g->dns.servers[g->dns.nservers], why,
			                     sizeof(why)) != 0) {
				str_copy(err, errlen, why);
				return -1;
			}
			g->dns.nservers++;
			g->resolver_given = true;
		} else if (strcmp(name, "--timeout") == 0) {
			unsigned long ms;
			if (cli_parse_uint(v, 1, 600000, &ms) != 0) {
				snprintf(err, errlen,
				         "--timeout takes milliseconds from 1 to 600000, "
				         "not '%s'",
				         v);
				return -1;
			}
			g->dns.timeout_ms = (unsigned)ms;
			g->timeout_given = true;
		} else {
			unsigned long n;
			if (cli_parse_uint(v, 0, 10, &n) != 0) {
				snprintf(err, errlen,
				         "--retries takes a number from 0 to 10, not '%s'", v);
				return -1;
			}
			g->dns.retries = (unsigned)n;
			g->retries_given = true;
		}
	}
	*argc = out;
	argv[out] = NULL;
	const char *env = getenv(CLI_ENV_RESOLVER);
	if (g->dns.nservers == 0 && !g->help && env != NULL) {
		char why[200];
		if (cli_parse_resolvers(env, &g->dns, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: %s", CLI_ENV_RESOLVER, why);
			return -1;
		}
	}
	return 0;
}

unsigned long cli_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max;
		/* Some systems report an unlimited hard limit that
		 * setrlimit refuses; 1 << 20 is the Linux default cap. */
		if (want == RLIM_INFINITY || want > (1 << 20))
			want = 1 << 20;
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return (unsigned long)rl.rlim_cur;
}

int cli_parse_shard(const char *text, unsigned *k, unsigned *n)
{
	unsigned long a, b;
	char buf[64];
	const char *slash = strchr(text, '/');
	if (slash == NULL || (size_t)(slash - text) >= sizeof(buf))
		return -1;
	memcpy(buf, text, (size_t)(slash - text));
	buf[slash - text] = '\0';
	if (cli_parse_uint(buf, 1, 1000000, &a) != 0 ||
	    cli_parse_uint(slash + 1, 1, 1000000, &b) != 0 || a > b)
		return -1;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

/* The value of key in a run's options ("k=v k2=v2 flag"), copied to out;
 * false when the run did not record it (runs of older posture versions). */
bool cli_run_option(const char *options, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	for (const char *p = options; *p != '\0';) {
		const char *end = strchr(p, ' ');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			size_t vl = n - kl - 1;
			if (vl >= outlen)
				vl = outlen - 1;
			memcpy(out, p + kl + 1, vl);
			out[vl] = '\0';
			return true;
		}
		if (n == kl && strncmp(p, key, kl) == 0) {
			str_copy(out, outlen, "");
			return true;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return false;
}
