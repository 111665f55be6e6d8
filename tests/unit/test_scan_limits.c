/*
 * Unit tests for the scan's limits (scan_limits.h): the memory estimate
 * and its inverse (the largest --inflight that fits), the descriptor
 * budget of a worker, and the check posture scan makes at start, with the
 * memory available given (or set through the test hook
 * POSTURE_TEST_MEMAVAILABLE_KB) and RLIMIT_NOFILE lowered for a moment.
 * tests/integration/test_limits.py runs the same check through the CLI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "checks.h"
#include "scan_limits.h"

#define KIB ((uint64_t)1 << 10)
#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)

static struct scan_plan plan(unsigned workers, unsigned inflight, unsigned outstanding,
                             size_t cache, bool fetch)
{
	struct scan_plan p = { workers, inflight, outstanding, cache, fetch, false };
	return p;
}

static void test_estimate(void **state)
{
	(void)state;
	uint64_t fixed;
	struct scan_plan p = plan(2, 1000, 64, 32768, false);
	uint64_t rest = SCAN_MEM_BASE + 32768 * SCAN_MEM_PER_CACHE_ENTRY +
	                2 * (SCAN_MEM_PER_WORKER + 64 * SCAN_MEM_PER_QUERY);
	assert_int_equal(scan_mem_estimate(&p, &fixed), rest + 2000 * SCAN_MEM_PER_DOMAIN);
	assert_int_equal(fixed, rest);
	assert_int_equal(scan_mem_estimate(&p, NULL), rest + 2000 * SCAN_MEM_PER_DOMAIN);
	/* Fetching adds the HTTPS stage, once. */
	p.fetch = true;
	assert_int_equal(scan_mem_estimate(&p, &fixed),
	                 rest + SCAN_MEM_FETCH + 2000 * SCAN_MEM_PER_DOMAIN);
	assert_int_equal(fixed, rest + SCAN_MEM_FETCH);
	/* Linear in workers x inflight: one more domain in progress on each
	 * of 8 workers costs 8 domains. */
	struct scan_plan a = plan(8, 100, 64, 1024, false), b = plan(8, 101, 64, 1024, false);
	assert_int_equal(scan_mem_estimate(&b, NULL) - scan_mem_estimate(&a, NULL),
	                 8 * SCAN_MEM_PER_DOMAIN);
	/* The case, --workers 64 --inflight 10000: 640,000 domains in
	 * progress were 40 GB at 62 KiB each; now under 6 GiB. */
	struct scan_plan big = plan(64, 10000, 64, 32768, true);
	uint64_t est = scan_mem_estimate(&big, &fixed);
	assert_int_equal(est - fixed, 640000 * SCAN_MEM_PER_DOMAIN);
	assert_true(est > 4 * GIB);
	assert_true(est < 6 * GIB);
	/* The constants themselves, as measured (scan_limits.h): a domain in
	 * progress is a few KiB, not tens. */
	assert_true(SCAN_MEM_PER_DOMAIN <= 8 * KIB);
	assert_true(SCAN_MEM_PER_DOMAIN >= 4 * KIB);
}

static void test_max_inflight(void **state)
{
	(void)state;
	static const uint64_t avail[] = { 200 * MIB, 300 * MIB, 1 * GIB, 3 * GIB, 64 * GIB };
	static const unsigned workers[] = { 1, 2, 8, 64 };
	for (size_t w = 0; w < sizeof(workers) / sizeof(workers[0]); w++)
		for (size_t i = 0; i < sizeof(avail) / sizeof(avail[0]); i++) {
			struct scan_plan p = plan(workers[w], 1, 64, 32768, false);
			unsigned best = scan_mem_max_inflight(&p, avail[i]);
			if (best == 0) {
				/* Not even one fits. */
				assert_true(scan_mem_estimate(&p, NULL) > avail[i]);
				continue;
			}
			p.inflight = best;
			assert_true(scan_mem_estimate(&p, NULL) <= avail[i]);
			if (best < SCAN_MAX_INFLIGHT) {
				p.inflight = best + 1;
				assert_true(scan_mem_estimate(&p, NULL) > avail[i]);
			}
		}
	/* Capped at what --inflight takes. */
	struct scan_plan p = plan(1, 1, 64, 0, false);
	assert_int_equal(scan_mem_max_inflight(&p, 1024 * GIB), SCAN_MAX_INFLIGHT);
	/* Less than the run's own part: 0. */
	assert_int_equal(scan_mem_max_inflight(&p, SCAN_MEM_BASE / 2), 0);
	/* A value worked out by hand: 2 workers, no cache, 100 MiB over the
	 * fixed part. */
	p = plan(2, 1, 64, 0, false);
	uint64_t fixed;
	(void)scan_mem_estimate(&p, &fixed);
	assert_int_equal(scan_mem_max_inflight(&p, fixed + 100 * MIB),
	                 (unsigned)(100 * MIB / (2 * SCAN_MEM_PER_DOMAIN)));
}

static void test_fd_per_worker(void **state)
{
	(void)state;
	uint64_t own = SCAN_FD_PER_WORKER + SCAN_FD_PER_SERVER; /* one resolver */
	assert_int_equal(scan_fd_per_worker(20000, 2, 1, false, false),
	                 (20000 - SCAN_FD_RESERVE - 2 * own) / 2);
	assert_int_equal(scan_fd_per_worker(20000, 2, 1, true, false),
	                 (20000 - SCAN_FD_RESERVE - SCAN_FD_FETCH - 2 * own) / 2);
	/* The transport checks' second fetcher and getdns: 96 more. */
	assert_int_equal(scan_fd_per_worker(20000, 2, 1, true, true),
	                 (20000 - 64 - 192 - 96 - 2 * own) / 2);
	/* No --resolver: resolv.conf's (at most 3) are assumed. */
	assert_int_equal(scan_fd_per_worker(4096, 4, 0, false, false),
	                 (4096 - SCAN_FD_RESERVE -
	                  4 * (SCAN_FD_PER_WORKER + SCAN_FD_SERVERS_SYSTEM * SCAN_FD_PER_SERVER)) /
	                         4);
	/* 64 workers in 1024 descriptors still get a few each... */
	assert_true(scan_fd_per_worker(1024, 64, 1, false, false) >= 1);
	/* ...but not in 256, nor anything below the reserve. */
	assert_int_equal(scan_fd_per_worker(256, 64, 1, false, false), 0);
	assert_int_equal(scan_fd_per_worker(SCAN_FD_RESERVE, 1, 1, false, false), 0);
	/* Unlimited: capped, not wrapped. */
	assert_true(scan_fd_per_worker(UINT64_MAX, 1, 1, false, false) > 1000000);
}

static void options(struct scan_options *o, unsigned workers, unsigned inflight)
{
	memset(o, 0, sizeof(*o));
	dns_config_init(&o->dns);
	o->dns.nservers = 1;
	o->dns.max_inflight = 64;
	o->workers = workers;
	o->inflight = inflight;
	/* Every check but the transport ones (their stage is tested alone). */
	o->checks = CHECKS_ALL & ~(CHECKS_TRANSPORT | CHECKS_VALIDATING);
	o->no_fetch = true;
	o->cache_entries = 32768;
}

static void test_plan_of(void **state)
{
	(void)state;
	struct scan_options o;
	struct scan_plan p;
	options(&o, 3, 500);
	scan_plan_of(&o, 100000, &p);
	assert_int_equal(p.workers, 3);
	assert_int_equal(p.inflight, 500);
	assert_int_equal(p.outstanding, 64);
	assert_int_equal(p.cache_entries, 32768);
	assert_false(p.fetch);
	/* 0 workers: the cores. */
	o.workers = 0;
	scan_plan_of(&o, 100000, &p);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	assert_int_equal(p.workers, cores > SCAN_MAX_WORKERS ? SCAN_MAX_WORKERS : (unsigned)cores);
	/* Queries on the wire within the descriptors: TCP ones hold one. */
	options(&o, 2, 500);
	o.dns.max_inflight = 10000;
	scan_plan_of(&o, 1024, &p);
	assert_int_equal(p.outstanding, scan_fd_per_worker(1024, 2, 1, false, false));
	/* Fetching counts the HTTPS stage. */
	o.no_fetch = false;
	scan_plan_of(&o, 1024, &p);
	assert_true(p.fetch);
	assert_false(p.transport);
	assert_int_equal(p.outstanding, scan_fd_per_worker(1024, 2, 1, true, false));
	/* DNSSEC alone runs the stage (getdns) even with --no-fetch, and
	 * counts the transport part of each result waiting there. */
	o.no_fetch = true;
	o.checks = CHECK_BIT(CHECK_SPF) | CHECK_BIT(CHECK_DNSSEC);
	scan_plan_of(&o, 1024, &p);
	assert_true(p.fetch);
	assert_true(p.transport);
	assert_int_equal(p.outstanding, scan_fd_per_worker(1024, 2, 1, true, true));
	uint64_t with, without;
	(void)scan_mem_estimate(&p, &with);
	p.transport = false;
	(void)scan_mem_estimate(&p, &without);
	assert_int_equal(with - without, 24 * MIB);
}

static void test_check(void **state)
{
	(void)state;
	struct scan_options o;
	struct scan_plan p;
	char err[512];
	options(&o, 2, 10000);
	scan_plan_of(&o, scan_nofile(), &p);
	uint64_t est = scan_mem_estimate(&p, NULL);
	/* Fits: 0, nothing said. */
	struct scan_avail plenty = { est, "test" };
	err[0] = '\0';
	assert_int_equal(scan_limits_check(&o, &plenty, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	/* Does not: the estimate, what there is, where it comes from and the
	 * largest --inflight that fits, which itself passes. */
	struct scan_avail some = { est - 1000 * SCAN_MEM_PER_DOMAIN - 1, "the test's figure" };
	assert_int_equal(scan_limits_check(&o, &some, err, sizeof(err)), -1);
	unsigned best = scan_mem_max_inflight(&p, some.bytes);
	assert_true(best < 10000 && best > 0);
	char want[128];
	snprintf(want, sizeof(want), "the largest --inflight that fits is %u with --workers 2",
	         best);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "--workers 2 x --inflight 10000: 20000 domains in progress"));
	assert_non_null(strstr(err, "(the test's figure)"));
	assert_non_null(strstr(err, "8 KiB each"));
	o.inflight = best;
	assert_int_equal(scan_limits_check(&o, &some, err, sizeof(err)), 0);
	/* The workers' own part does not fit: lower --workers. */
	options(&o, 64, 1);
	scan_plan_of(&o, scan_nofile(), &p);
	struct scan_plan one = p;
	one.workers = 1;
	struct scan_avail tight = { scan_mem_estimate(&one, NULL) + MIB, "t" };
	assert_int_equal(scan_limits_check(&o, &tight, err, sizeof(err)), -1);
	assert_non_null(
	        strstr(err, "not even --inflight 1 fits with --workers 64: lower --workers"));
	/* Not even the run's own part: a warning, the scan goes on. */
	struct scan_avail none = { 10 * MIB, "t" };
	assert_int_equal(scan_limits_check(&o, &none, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "even with --workers 1 --inflight 1"));
	assert_non_null(strstr(err, "scanning anyway"));
}

static void test_available_hook(void **state)
{
	(void)state;
	struct scan_avail a;
	assert_int_equal(setenv(SCAN_ENV_MEMAVAILABLE, "123456", 1), 0);
	assert_int_equal(scan_mem_available(4, &a), 0);
	assert_int_equal(a.bytes, 123456 * KIB);
	assert_string_equal(a.source, SCAN_ENV_MEMAVAILABLE);
	/* Not a number: ignored, the machine's figure instead (Linux has
	 * /proc/meminfo). */
	assert_int_equal(setenv(SCAN_ENV_MEMAVAILABLE, "lots", 1), 0);
	assert_int_equal(scan_mem_available(4, &a), 0);
	assert_string_not_equal(a.source, SCAN_ENV_MEMAVAILABLE);
	assert_true(a.bytes > 0);
	unsetenv(SCAN_ENV_MEMAVAILABLE);
	/* Through the check: the hook's figure is the one compared. */
	struct scan_options o;
	char err[512];
	options(&o, 2, 10000);
	assert_int_equal(setenv(SCAN_ENV_MEMAVAILABLE, "250000", 1), 0);
	assert_int_equal(scan_limits_check(&o, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "244 MiB is available (" SCAN_ENV_MEMAVAILABLE ")"));
	unsetenv(SCAN_ENV_MEMAVAILABLE);
}

static void test_descriptors(void **state)
{
	(void)state;
	struct rlimit saved, low;
	struct scan_options o;
	char err[512];
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	if (saved.rlim_cur != RLIM_INFINITY && saved.rlim_cur < 512)
		skip();
	low = saved;
	low.rlim_cur = 256;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(scan_nofile(), 256);
	options(&o, 64, 10);
	struct scan_avail plenty = { 1024 * GIB, "t" };
	int rc = scan_limits_check(&o, &plenty, err, sizeof(err));
	options(&o, 4, 10);
	int rc4 = scan_limits_check(&o, &plenty, err + 256, sizeof(err) - 256);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "--workers 64 need "));
	assert_non_null(strstr(err, "RLIMIT_NOFILE allows 256: raise it (ulimit -n) or lower "
	                            "--workers"));
	assert_int_equal(rc4, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_estimate),      cmocka_unit_test(test_max_inflight),
		cmocka_unit_test(test_fd_per_worker), cmocka_unit_test(test_plan_of),
		cmocka_unit_test(test_check),         cmocka_unit_test(test_available_hook),
		cmocka_unit_test(test_descriptors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
