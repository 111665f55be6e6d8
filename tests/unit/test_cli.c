/*
 * Unit tests for cli.c: global options are taken from anywhere on the
 * line, values are checked, and the rest is left in order; the
 * environment defaults (POSTURE_RESOLVER, and domain_check.c's
 * POSTURE_CA_FILE, POSTURE_CONNECT_TO, POSTURE_VMC_ROOTS) apply only
 * when the line does not say otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "domain_check.h"

static int take(const char *line[], int n, struct cli_globals *g, char **rest, int *nrest)
{
	static char *argv[32];
	char err[256];
	for (int i = 0; i < n; i++)
		argv[i] = (char *)line[i];
	*nrest = n;
	int rc = cli_take_globals(nrest, argv, g, err, sizeof(err));
	for (int i = 0; i < *nrest; i++)
		rest[i] = argv[i];
	return rc;
}

static void test_globals_anywhere(void **state)
{
	const char *line[] = { "--json",         "lookup", "example.com",   "--resolver",
		               "127.0.0.1:5300", "TXT",    "--timeout=250", "--resolver=[::1]:53",
		               "--retries",      "0" };
	struct cli_globals g;
	char *rest[32];
	int n;
	(void)state;
	assert_int_equal(take(line, 10, &g, rest, &n), 0);
	assert_true(g.json);
	assert_int_equal(n, 3);
	assert_string_equal(rest[0], "lookup");
	assert_string_equal(rest[1], "example.com");
	assert_string_equal(rest[2], "TXT");
	assert_int_equal(g.dns.nservers, 2);
	assert_int_equal(g.dns.servers[0].port, 5300);
	assert_true(g.dns.servers[1].v6);
	assert_int_equal(g.dns.timeout_ms, 250);
	assert_int_equal(g.dns.retries, 0);
}

static void test_defaults_and_dashdash(void **state)
{
	const char *line[] = { "lookup", "--", "--json" };
	struct cli_globals g;
	char *rest[32];
	int n;
	(void)state;
	assert_int_equal(take(line, 3, &g, rest, &n), 0);
	assert_false(g.json); /* after "--" nothing is an option */
	assert_int_equal(n, 3);
	assert_int_equal(g.dns.timeout_ms, DNS_TIMEOUT_MS_DEFAULT);
	assert_int_equal(g.dns.retries, DNS_RETRIES_DEFAULT);
	assert_int_equal(g.dns.nservers, 0);
}

static void test_bad_values(void **state)
{
	static const char *bad[][2] = {
		{ "--timeout", "0" },
		{ "--timeout", "abc" },
		{ "--timeout", "-5" },
		{ "--retries", "11" },
		{ "--retries", "1x" },
		{ "--resolver", "nohost" },
		{ "--resolver", "1.2.3.4:99999" },
	};
	struct cli_globals g;
	char *rest[32];
	int n;
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *line[] = { "lookup", bad[i][0], bad[i][1] };
		assert_int_equal(take(line, 3, &g, rest, &n), -1);
	}
	/* An option at the end without its value. */
	const char *line[] = { "lookup", "--timeout" };
	assert_int_equal(take(line, 2, &g, rest, &n), -1);
}

static void test_uint(void **state)
{
	unsigned long v;
	(void)state;
	assert_int_equal(cli_parse_uint("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(cli_parse_uint("101", 0, 100, &v), -1);
	assert_int_equal(cli_parse_uint("", 0, 100, &v), -1);
	assert_int_equal(cli_parse_uint("+1", 0, 100, &v), -1);
	assert_int_equal(cli_parse_uint("99999999999999999999999", 0, 100, &v), -1);
}

static void test_resolver_lists(void **state)
{
	/* One row per list: the text, the servers it gives (-1: refused), the
	 * first server's port. */
	static const struct {
		const char *list;
		int n;
		unsigned port;
	} rows[] = {
		{ "127.0.0.1:5300", 1, 5300 },         /* one, with a port */
		{ "127.0.0.1,[::1]:53", 2, 53 },       /* comma-separated */
		{ " 10.0.0.1   10.0.0.2 ,, ", 2, 53 }, /* spaces, empty entries */
		{ "", 0, 0 },                          /* empty: none */
		{ "127.0.0.1 nohost", -1, 0 },         /* one bad entry refuses all */
		{ "1,2,3,4,5,6,7,8,9", -1, 0 },        /* not addresses */
		{ "1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4 1.1.1.5 1.1.1.6 1.1.1.7 1.1.1.8 1.1.1.9", -1,
		  0 }, /* more than DNS_MAX_SERVERS */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct dns_config dns;
		char err[256] = "";
		dns_config_init(&dns);
		int rc = cli_parse_resolvers(rows[i].list, &dns, err, sizeof(err));
		if (rows[i].n < 0) {
			assert_int_equal(rc, -1);
			assert_int_equal(dns.nservers, 0);
			assert_true(err[0] != '\0');
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(dns.nservers, (size_t)rows[i].n);
		if (rows[i].n > 0)
			assert_int_equal(dns.servers[0].port, rows[i].port);
	}
}

static void test_resolver_env(void **state)
{
	struct cli_globals g;
	char *rest[32];
	int n;
	(void)state;
	setenv(CLI_ENV_RESOLVER, "127.0.0.1:5301, 127.0.0.2", 1);
	const char *plain[] = { "lookup", "x.test" };
	assert_int_equal(take(plain, 2, &g, rest, &n), 0);
	assert_int_equal(g.dns.nservers, 2);
	assert_int_equal(g.dns.servers[0].port, 5301);
	/* --resolver on the line wins over the environment. */
	const char *line[] = { "lookup", "x.test", "--resolver", "127.0.0.9:99" };
	assert_int_equal(take(line, 4, &g, rest, &n), 0);
	assert_int_equal(g.dns.nservers, 1);
	assert_int_equal(g.dns.servers[0].port, 99);
	/* A bad value is a usage error naming the variable, except for --help. */
	setenv(CLI_ENV_RESOLVER, "not-an-address", 1);
	char *argv[] = { "lookup", "x.test", NULL };
	char err[256];
	int argc = 2;
	assert_int_equal(cli_take_globals(&argc, argv, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, CLI_ENV_RESOLVER));
	const char *help[] = { "lookup", "--help" };
	assert_int_equal(take(help, 2, &g, rest, &n), 0);
	setenv(CLI_ENV_RESOLVER, "", 1);
	assert_int_equal(take(plain, 2, &g, rest, &n), 0);
	assert_int_equal(g.dns.nservers, 0); /* empty: the system's */
	unsetenv(CLI_ENV_RESOLVER);
	assert_int_equal(take(plain, 2, &g, rest, &n), 0);
	assert_int_equal(g.dns.nservers, 0);
}

/* Parses the shared BIMI options of a line, then applies the environment. */
static int shared_opts(const char *line[], int n, struct domain_check_opts *o, char *err,
                       size_t errlen)
{
	static char *argv[16];
	for (int i = 0; i < n; i++)
		argv[i] = (char *)line[i];
	domain_check_opts_init(o);
	for (int i = 0; i < n; i++)
		if (domain_check_option(n, argv, &i, o, err, errlen) < 0)
			return -1;
	return domain_check_opts_env(o, err, errlen);
}

static void test_shared_option_env(void **state)
{
	struct domain_check_opts o;
	char err[256];
	(void)state;
	setenv(DOMAIN_CHECK_ENV_CA_FILE, "/env/ca.pem", 1);
	setenv(DOMAIN_CHECK_ENV_VMC_ROOTS, "/env/roots.pem", 1);
	setenv(DOMAIN_CHECK_ENV_CONNECT_TO, "  ::127.0.0.1:4443 a.test:443:127.0.0.2:8443 ", 1);
	assert_int_equal(shared_opts(NULL, 0, &o, err, sizeof(err)), 0);
	assert_string_equal(o.ca_file, "/env/ca.pem");
	assert_string_equal(o.vmc_roots, "/env/roots.pem");
	assert_int_equal(o.n_connect_to, 2);
	assert_string_equal(o.connect_to[0], "::127.0.0.1:4443");
	assert_string_equal(o.connect_to[1], "a.test:443:127.0.0.2:8443");

	/* Flags win, each on its own: the environment fills only the rest. */
	const char *line[] = { "--ca-file", "/flag/ca.pem", "--connect-to", "::127.0.0.3:1" };
	assert_int_equal(shared_opts(line, 4, &o, err, sizeof(err)), 0);
	assert_string_equal(o.ca_file, "/flag/ca.pem");
	assert_string_equal(o.vmc_roots, "/env/roots.pem");
	assert_int_equal(o.n_connect_to, 1);
	assert_string_equal(o.connect_to[0], "::127.0.0.3:1");

	/* A bad entry is refused with the variable's name; empty is unset. */
	setenv(DOMAIN_CHECK_ENV_CONNECT_TO, "::127.0.0.1:4443 [::1", 1);
	assert_int_equal(shared_opts(NULL, 0, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, DOMAIN_CHECK_ENV_CONNECT_TO));
	assert_int_equal(o.n_connect_to, 0);
	setenv(DOMAIN_CHECK_ENV_CA_FILE, "", 1);
	unsetenv(DOMAIN_CHECK_ENV_CONNECT_TO);
	unsetenv(DOMAIN_CHECK_ENV_VMC_ROOTS);
	assert_int_equal(shared_opts(NULL, 0, &o, err, sizeof(err)), 0);
	assert_null(o.ca_file);
	assert_null(o.vmc_roots);
	assert_int_equal(o.n_connect_to, 0);
	unsetenv(DOMAIN_CHECK_ENV_CA_FILE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_globals_anywhere),
		cmocka_unit_test(test_defaults_and_dashdash),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_resolver_lists),
		cmocka_unit_test(test_resolver_env),
		cmocka_unit_test(test_shared_option_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
