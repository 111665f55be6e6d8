/*
 * Unit tests for fetch.c without a network: configuration limits, and
 * fetches that end before
 * any connection (bad URLs, names the resolver callback refuses), each
 * with exactly one callback. The fetches themselves are tested on the bed
 * (tests/integration/test_fetch.py); the pure URL and connect-to checks
 * in test_fetch_policy.c.
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
		cmocka_unit_test(test_free_with_queued),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fetch_global_cleanup();
	return rc;
}
