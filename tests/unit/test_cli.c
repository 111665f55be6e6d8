/*
 * Unit tests for cli.c: global options are taken from anywhere on the
 * line, values are checked, and the rest is left in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_globals_anywhere),
		cmocka_unit_test(test_defaults_and_dashdash),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_uint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
