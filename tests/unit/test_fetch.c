/*
 * Unit tests for fetch.c without a network: configuration limits, and
 * fetches that end before
 * any connection (bad URLs, names the resolver callback refuses,
 * destinations the policy refuses), each with exactly one callback. The fetches themselves are
 * tested on the bed (tests/integration/test_fetch.py); the pure URL and connect-to checks in
 * test_fetch_policy.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch.h"

static void test_config_limits(void **state)
{
	struct fetch_config cfg;
	const char *bad_ct[] = { "nonsense" };
	char err[256];
	struct fetch *f;
	(void)state;

	fetch_config_init(&cfg);
	assert_int_equal(cfg.connect_timeout_ms, FETCH_CONNECT_TIMEOUT_MS_DEFAULT);
	assert_int_equal(cfg.total_timeout_ms, FETCH_TOTAL_TIMEOUT_MS_DEFAULT);
	assert_int_equal(cfg.max_redirects, FETCH_MAX_REDIRECTS_DEFAULT);
	assert_int_equal(cfg.max_inflight, FETCH_MAX_INFLIGHT_DEFAULT);
	assert_null(cfg.resolve);
	f = fetch_new(&cfg, err, sizeof(err));
	assert_non_null(f);
	/* Arguments fetch_add refuses outright (no callback will come). */
	assert_int_equal(fetch_add(f, NULL, 100, NULL), -1);
	assert_int_equal(fetch_add(f, "https://bimi.test/", 0, NULL), -1);
	assert_int_equal(fetch_add(f, "https://bimi.test/", FETCH_BODY_LIMIT + 1, NULL), -1);
	fetch_free(f);

	cfg.max_inflight = 0;
	assert_null(fetch_new(&cfg, err, sizeof(err)));
	fetch_config_init(&cfg);
	cfg.total_timeout_ms = 0;
	assert_null(fetch_new(&cfg, err, sizeof(err)));
	fetch_config_init(&cfg);
	cfg.max_redirects = -1;
	assert_null(fetch_new(&cfg, err, sizeof(err)));
	fetch_config_init(&cfg);
	cfg.ca_file = "/nonexistent/ca.pem";
	assert_null(fetch_new(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/ca.pem"));
	fetch_config_init(&cfg);
	cfg.connect_to = bad_ct;
	cfg.n_connect_to = 1;
	assert_null(fetch_new(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "nonsense"));
	/* Allowed ports: 1 to 65535, at most FETCH_ALLOW_PORTS_MAX. */
	long ports[FETCH_ALLOW_PORTS_MAX + 1];
	for (int i = 0; i <= FETCH_ALLOW_PORTS_MAX; i++)
		ports[i] = 8000 + i;
	fetch_config_init(&cfg);
	cfg.allow_ports = ports;
	cfg.n_allow_ports = FETCH_ALLOW_PORTS_MAX;
	f = fetch_new(&cfg, err, sizeof(err));
	assert_non_null(f);
	fetch_free(f);
	cfg.n_allow_ports = FETCH_ALLOW_PORTS_MAX + 1;
	assert_null(fetch_new(&cfg, err, sizeof(err)));
	ports[0] = 0;
	cfg.n_allow_ports = 1;
	assert_null(fetch_new(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "allowed port 0"));
	ports[0] = 65536;
	assert_null(fetch_new(&cfg, err, sizeof(err)));
}

/* What the callbacks saw. */
/* Tags: pointers into this array, so the callback knows the index. */
static int tags[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

struct seen {
	int calls[8];
	enum fetch_status status[8];
	bool temporary[8];
	char reason[8][FETCH_REASON_MAX];
	int stop_after; /* return 1 from this call on (0: never) */
	int total;
};

static int on_done(void *arg, struct fetch_result *r)
{
	struct seen *s = arg;
	int i = *(const int *)r->tag;
	s->calls[i]++;
	s->status[i] = r->status;
	s->temporary[i] = r->temporary;
	snprintf(s->reason[i], sizeof(s->reason[i]), "%s", r->reason);
	assert_null(r->body);
	s->total++;
	return s->stop_after > 0 && s->total >= s->stop_after ? 1 : 0;
}

/* A resolver that knows no name, or fails for now for "temp.test". */
static int fake_resolve(void *arg, const char *host, char addrs[][FETCH_ADDR_MAX], int max,
                        char *err, size_t errlen)
{
	int *asked = arg;
	(void)addrs;
	(void)max;
	(*asked)++;
	if (strcmp(host, "temp.test") == 0) {
		snprintf(err, errlen, "SERVFAIL");
		return -1;
	}
	snprintf(err, errlen, "NXDOMAIN");
	return 0;
}

static void test_fail_before_connecting(void **state)
{
	struct fetch_config cfg;
	struct seen s = { 0 };
	int asked = 0;
	char err[256];
	struct fetch *f;
	(void)state;

	fetch_config_init(&cfg);
	cfg.resolve = fake_resolve;
	cfg.resolve_arg = &asked;
	f = fetch_new(&cfg, err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(fetch_add(f, "http://bimi.test/", 100, &tags[0]), 0);
	assert_int_equal(fetch_add(f, "https://u:p@bimi.test/", 100, &tags[1]), 0);
	assert_int_equal(fetch_add(f, "https://NX.test/logo.svg", 100, &tags[2]), 0);
	assert_int_equal(fetch_add(f, "https://temp.test/logo.svg", 100, &tags[3]), 0);
	assert_int_equal(fetch_run(f, on_done, &s), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(s.calls[i], 1);
	assert_int_equal(s.status[0], FETCH_NOT_HTTPS);
	assert_int_equal(s.status[1], FETCH_BAD_URL);
	assert_non_null(strstr(s.reason[1], "https://u:p@bimi.test/"));
	assert_int_equal(s.status[2], FETCH_RESOLVE);
	assert_false(s.temporary[2]);
	/* The resolver is asked with the host lower-cased. */
	assert_non_null(strstr(s.reason[2], "nx.test has no address: NXDOMAIN"));
	assert_int_equal(s.status[3], FETCH_RESOLVE);
	assert_true(s.temporary[3]);
	assert_non_null(strstr(s.reason[3], "SERVFAIL"));
	assert_int_equal(asked, 2);

	/* A second run on the same fetcher, stopped by the callback. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	for (int i = 0; i < 3; i++)
		assert_int_equal(fetch_add(f, "http://bimi.test/", 100, &tags[i]), 0);
	assert_int_equal(fetch_run(f, on_done, &s), 1);
	assert_int_equal(s.total, 1);
	/* Nothing is left over: the next run has nothing to do. */
	assert_int_equal(fetch_run(f, on_done, &s), 0);
	assert_int_equal(s.total, 1);
	fetch_free(f);
}

/* A resolver with fixed answers: lo.test is loopback, mixed.test has no
 * public address either, priv6.test is a unique local IPv6 address. */
static int private_resolve(void *arg, const char *host, char addrs[][FETCH_ADDR_MAX], int max,
                           char *err, size_t errlen)
{
	int *asked = arg;
	(void)max;
	(void)err;
	(void)errlen;
	(*asked)++;
	if (strcmp(host, "mixed.test") == 0) {
		snprintf(addrs[0], FETCH_ADDR_MAX, "10.0.0.1");
		snprintf(addrs[1], FETCH_ADDR_MAX, "::ffff:192.168.0.1");
		return 2;
	}
	snprintf(addrs[0], FETCH_ADDR_MAX, "%s",
	         strcmp(host, "priv6.test") == 0 ? "fd00::1" : "127.0.0.1");
	return 1;
}

/* Destinations the policy refuses end before anything is sent, with the
 * same reason whatever listens there (nothing is connected). */
static void test_destination_refused(void **state)
{
	struct fetch_config cfg;
	struct seen s = { 0 };
	int asked = 0;
	char err[256];
	struct fetch *f;
	const long allow[] = { 8443 };
	(void)state;

	fetch_config_init(&cfg);
	cfg.resolve = private_resolve;
	cfg.resolve_arg = &asked;
	cfg.allow_ports = allow;
	cfg.n_allow_ports = 1;
	f = fetch_new(&cfg, err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(fetch_add(f, "https://lo.test/logo.svg", 100, &tags[0]), 0);
	assert_int_equal(fetch_add(f, "https://mixed.test:8443/logo.svg", 100, &tags[1]), 0);
	assert_int_equal(fetch_add(f, "https://priv6.test/logo.svg", 100, &tags[2]), 0);
	assert_int_equal(fetch_add(f, "https://127.0.0.1/logo.svg", 100, &tags[3]), 0);
	assert_int_equal(fetch_add(f, "https://[::1]:8443/", 100, &tags[4]), 0);
	/* The port is judged first, before the name is asked for. */
	assert_int_equal(fetch_add(f, "https://lo.test:22/", 100, &tags[5]), 0);
	assert_int_equal(fetch_run(f, on_done, &s), 0);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(s.calls[i], 1);
		assert_int_equal(s.status[i], FETCH_DESTINATION);
		assert_false(s.temporary[i]);
	}
	assert_string_equal(s.reason[0], "https://lo.test/logo.svg: destination refused: lo.test "
	                                 "has no public address (127.0.0.1: loopback, "
	                                 "127.0.0.0/8)");
	assert_string_equal(s.reason[1], "https://mixed.test:8443/logo.svg: destination refused: "
	                                 "mixed.test has no public address (10.0.0.1: private, "
	                                 "10.0.0.0/8)");
	assert_non_null(strstr(s.reason[2], "(fd00::1: unique local, fc00::/7)"));
	assert_string_equal(s.reason[3], "https://127.0.0.1/logo.svg: destination refused: "
	                                 "127.0.0.1 is not a public address (loopback, "
	                                 "127.0.0.0/8)");
	assert_non_null(strstr(s.reason[4], "::1 is not a public address (loopback, ::1/128)"));
	assert_string_equal(s.reason[5], "https://lo.test:22/: destination refused: port 22 (only "
	                                 "443 unless allowed)");
	assert_int_equal(asked, 3);
	fetch_free(f);
}

/* Without a resolver callback curl resolves names itself: the open-socket
 * check still refuses the address it was about to connect to. */
static void test_destination_refused_at_socket(void **state)
{
	struct fetch_config cfg;
	struct seen s = { 0 };
	char err[256];
	struct fetch *f;
	(void)state;

	fetch_config_init(&cfg);
	f = fetch_new(&cfg, err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(fetch_add(f, "https://localhost/logo.svg", 100, &tags[0]), 0);
	assert_int_equal(fetch_run(f, on_done, &s), 0);
	assert_int_equal(s.calls[0], 1);
	assert_int_equal(s.status[0], FETCH_DESTINATION);
	assert_non_null(strstr(s.reason[0], "https://localhost/logo.svg: destination refused: "));
	assert_non_null(strstr(s.reason[0], "is not a public address (loopback, "));
	fetch_free(f);
}

static void test_free_with_queued(void **state)
{
	struct fetch_config cfg;
	char err[256];
	struct fetch *f;
	(void)state;
	fetch_config_init(&cfg);
	f = fetch_new(&cfg, err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(fetch_add(f, "https://bimi.test/logo.svg", 100, NULL), 0);
	fetch_free(f); /* dropped without callback, nothing leaks */
	fetch_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_limits),
		cmocka_unit_test(test_fail_before_connecting),
		cmocka_unit_test(test_destination_refused),
		cmocka_unit_test(test_destination_refused_at_socket),
		cmocka_unit_test(test_free_with_queued),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fetch_global_cleanup();
	return rc;
}
