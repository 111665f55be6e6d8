/*
 * Unit tests for the MTA-STS check of one domain (scanner/scan/
 * mta_sts_check.h) without a network: answers built by hand go in through
 * mta_sts_take_answer, fetch results through mta_sts_take_policy, and the
 * verdict of mta_sts_finish is compared with values written by hand from
 * RFC 8461 (statuses, MX coverage, the fetch rules of 3.3) and RFC 8460
 * (TLS-RPT temperror).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mta_sts_check.h"

#define POLICY_OK                                                                                  \
	"version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.net\nmax_age: 604800\n"
#define URL "https://mta-sts.example.com/.well-known/mta-sts.txt"

static struct mta_sts_result *res;

static int setup(void **state)
{
	(void)state;
	res = malloc(sizeof(*res));
	if (res == NULL)
		return -1;
	mta_sts_result_init(res, "example.com");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mta_sts_result_cleanup(res);
	free(res);
	return 0;
}

/* An answer of outcome o with the TXT records txt[0..n) or MX hosts. */
static void answer(enum mta_sts_question q, enum dns_outcome o, const char *const *data,
                   const uint16_t *pref, size_t n)
{
	struct dns_answer a;
	memset(&a, 0, sizeof(a));
	a.outcome = o;
	snprintf(a.detail, sizeof(a.detail), "%s", o == DNS_OUTCOME_DATA ? "" : "test failure");
	for (size_t i = 0; i < n; i++)
		assert_int_equal(dns_answer_add(&a, q == MTA_STS_Q_MX ? DNS_TYPE_MX : DNS_TYPE_TXT,
		                                pref ? pref[i] : 0, data[i], strlen(data[i]), NULL),
		                 0);
	assert_int_equal(mta_sts_take_answer(res, q, &a), 0);
	dns_answer_cleanup(&a);
}

static void record_ok(void)
{
	const char *txt[] = { "v=STSv1; id=2024;", "unrelated" };
	answer(MTA_STS_Q_RECORD, DNS_OUTCOME_DATA, txt, NULL, 2);
	answer(MTA_STS_Q_TLSRPT, DNS_OUTCOME_NXDOMAIN, NULL, NULL, 0);
}

static void mx(const char *a, const char *b)
{
	const char *hosts[] = { b, a }; /* given out of order: sorted by preference */
	const uint16_t pref[] = { 20, 10 };
	answer(MTA_STS_Q_MX, DNS_OUTCOME_DATA, hosts, pref, 2);
}

static void fetched(enum fetch_status st, bool temporary, long code, const char *ctype,
                    const char *body, const char *reason)
{
	struct fetch_result fr;
	memset(&fr, 0, sizeof(fr));
	snprintf(fr.url, sizeof(fr.url), "%s", URL);
	fr.status = st;
	fr.temporary = temporary;
	fr.http_code = code;
	snprintf(fr.content_type, sizeof(fr.content_type), "%s", ctype);
	snprintf(fr.reason, sizeof(fr.reason), "%s", reason);
	fr.body = (unsigned char *)(body ? strdup(body) : NULL);
	fr.len = body ? strlen(body) : 0;
	assert_int_equal(mta_sts_take_policy(res, &fr), 0);
	free(fr.body);
}

static const struct finding *find(const struct findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].code, code) == 0)
			return &f->v[i];
	return NULL;
}

/* The finding with that code; fails the test when there is none. */
static const struct finding *must(const struct findings *f, const char *code)
{
	static char empty[1];
	static const struct finding none = { .message = empty };
	const struct finding *x = find(f, code);
	if (x != NULL)
		return x;
	fail_msg("no finding %s", code);
	return &none;
}

static void test_names(void **state)
{
	(void)state;
	char name[DNS_NAME_BUF], url[FETCH_URL_MAX + 1], longname[260];
	uint16_t type = 0;
	assert_int_equal(mta_sts_query("example.com", MTA_STS_Q_RECORD, name, sizeof(name), &type),
	                 0);
	assert_string_equal(name, "_mta-sts.example.com");
	assert_int_equal(type, DNS_TYPE_TXT);
	assert_int_equal(mta_sts_query("example.com", MTA_STS_Q_TLSRPT, name, sizeof(name), &type),
	                 0);
	assert_string_equal(name, "_smtp._tls.example.com");
	assert_int_equal(mta_sts_query("example.com", MTA_STS_Q_MX, name, sizeof(name), &type), 0);
	assert_string_equal(name, "example.com");
	assert_int_equal(type, DNS_TYPE_MX);
	/* 245 bytes: four labels of 48 and one of 49, dots between. The name
	 * fits (247 bytes on the wire); "_mta-sts." + it does not (256). */
	memset(longname, 'a', 245);
	longname[245] = '\0';
	for (int i = 1; i <= 4; i++)
		longname[i * 49 - 1] = '.';
	assert_int_equal(mta_sts_query(longname, MTA_STS_Q_MX, name, sizeof(name), &type), 0);
	assert_int_equal(mta_sts_query(longname, MTA_STS_Q_RECORD, name, sizeof(name), &type), -1);
	assert_int_equal(mta_sts_policy_url("example.com", url, sizeof(url)), 0);
	assert_string_equal(url, URL);
}

static void test_fetch_config(void **state)
{
	(void)state;
	struct domain_check_opts o;
	struct fetch_config cfg;
	domain_check_opts_init(&o);
	o.ca_file = "/ca.pem";
	mta_sts_fetch_config(&o, &cfg);
	assert_int_equal(cfg.max_redirects, 0); /* RFC 8461 3.3 */
	assert_string_equal(cfg.ca_file, "/ca.pem");
}

static void test_missing(void **state)
{
	(void)state;
	answer(MTA_STS_Q_RECORD, DNS_OUTCOME_NXDOMAIN, NULL, NULL, 0);
	answer(MTA_STS_Q_TLSRPT, DNS_OUTCOME_NODATA, NULL, NULL, 0);
	answer(MTA_STS_Q_MX, DNS_OUTCOME_NXDOMAIN, NULL, NULL, 0);
	assert_false(mta_sts_wants_policy(res));
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_MISSING);
	assert_int_equal(res->mx_covered, -1);
	assert_int_equal(res->findings.n, 0);
	assert_false(mta_sts_inconclusive(res));
	assert_string_equal(mta_sts_tlsrpt_status(res), "none");

	struct jsonw w;
	jsonw_init(&w);
	mta_sts_write(&w, res);
	char *json = jsonw_finish(&w);
	assert_non_null(json);
	assert_string_equal(json,
	                    "{\"domain\":\"example.com\",\"status\":\"missing\",\"record\":null,"
	                    "\"id\":null,\"policy\":null,\"mx_covered\":null,\"findings\":[],"
	                    "\"mx\":[],\"tls_rpt\":{\"status\":\"none\",\"record\":null,"
	                    "\"rua\":[],\"findings\":[]}}");
	free(json);
}

/* A DNS failure is temperror, never missing. */
static void test_record_servfail(void **state)
{
	(void)state;
	answer(MTA_STS_Q_RECORD, DNS_OUTCOME_SERVFAIL, NULL, NULL, 0);
	answer(MTA_STS_Q_TLSRPT, DNS_OUTCOME_TIMEOUT, NULL, NULL, 0);
	answer(MTA_STS_Q_MX, DNS_OUTCOME_SERVFAIL, NULL, NULL, 0);
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_TEMPERROR);
	assert_non_null(find(&res->findings, "mta_sts.temperror"));
	assert_non_null(find(&res->tlsrpt.findings, "tls_rpt.temperror"));
	assert_string_equal(mta_sts_tlsrpt_status(res), "temperror");
	assert_true(mta_sts_inconclusive(res));
}

static void test_enforce_covered(void **state)
{
	(void)state;
	record_ok();
	mx("mx1.example.com", "a.example.net");
	assert_true(mta_sts_wants_policy(res));
	fetched(FETCH_OK, false, 200, "text/plain; charset=utf-8", POLICY_OK, "");
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_ENFORCE);
	assert_int_equal(res->mx_covered, 1);
	assert_int_equal(res->nmx, 2);
	assert_string_equal(res->mx[0].host, "mx1.example.com");
	assert_string_equal(res->mx[0].pattern, "mx1.example.com");
	assert_string_equal(res->mx[1].host, "a.example.net");
	assert_string_equal(res->mx[1].pattern, "*.example.net");
	assert_string_equal(res->rec.id, "2024");
	assert_string_equal(res->record, "v=STSv1; id=2024;");
	assert_null(findings_first_error(&res->findings));
	assert_false(mta_sts_inconclusive(res));
}

/* RFC 8461 4.1: "*.example.net" covers one label, not two. */
static void test_enforce_gap(void **state)
{
	(void)state;
	record_ok();
	mx("mx1.example.com", "b.c.example.net");
	fetched(FETCH_OK, false, 200, "text/plain", POLICY_OK, "");
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_ENFORCE);
	assert_int_equal(res->mx_covered, 0);
	assert_null(res->mx[1].pattern);
	const struct finding *f = must(&res->findings, "mta_sts.mx_not_covered");
	assert_int_equal(f->severity, FINDING_ERROR);
	assert_non_null(strstr(f->message, "b.c.example.net"));
}

static void test_testing_gap_is_warning(void **state)
{
	(void)state;
	record_ok();
	mx("mx1.example.com", "other.example.org");
	fetched(FETCH_OK, false, 200, "text/plain",
	        "version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmax_age: 86400\r\n", "");
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_TESTING);
	assert_int_equal(res->mx_covered, 0);
	const struct finding *f = must(&res->findings, "mta_sts.mx_not_covered");
	assert_int_equal(f->severity, FINDING_WARNING);
}

static void test_redirect_refused(void **state)
{
	(void)state;
	record_ok();
	mx("mx1.example.com", "a.example.net");
	fetched(FETCH_REDIRECT_LIMIT, false, 302, "text/plain", NULL,
	        URL ": more than 0 redirects (the next to https://elsewhere.example/p.txt)");
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_INVALID);
	assert_int_equal(res->mx_covered, -1);
	const struct finding *f = must(&res->findings, "mta_sts.policy_redirect");
	assert_non_null(
	        strstr(f->message, "HTTP 302, a redirect to https://elsewhere.example/p.txt,"));
	assert_string_equal(f->path, URL);
}

static void test_tls_failure(void **state)
{
	(void)state;
	record_ok();
	mx("mx1.example.com", "a.example.net");
	fetched(FETCH_TLS, false, 0, "", NULL, URL ": TLS failed (name mismatch)");
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_INVALID);
	assert_non_null(find(&res->findings, "mta_sts.policy_tls"));
	assert_string_equal(res->fetch.reason, "TLS failed (name mismatch)");
}

static void test_fetch_temporary_and_permanent(void **state)
{
	(void)state;
	record_ok();
	mx("mx1.example.com", "a.example.net");
	fetched(FETCH_CONNECT, true, 0, "", NULL, URL ": cannot connect");
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_TEMPERROR);
	assert_int_equal(must(&res->findings, "mta_sts.policy_fetch_failed")->severity,
	                 FINDING_WARNING);
	assert_true(mta_sts_inconclusive(res));

	fetched(FETCH_HTTP_STATUS, false, 404, "text/plain", NULL, URL ": HTTP status 404");
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_INVALID);
	assert_int_equal(res->findings.n, 1);
	assert_int_equal(must(&res->findings, "mta_sts.policy_fetch_failed")->severity,
	                 FINDING_ERROR);
	assert_false(mta_sts_inconclusive(res));
}

static void test_content_type(void **state)
{
	(void)state;
	record_ok();
	mx("mx1.example.com", "a.example.net");
	fetched(FETCH_OK, false, 200, "text/html", POLICY_OK, "");
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_INVALID);
	assert_true(res->policy.valid);
	assert_non_null(find(&res->findings, "mta_sts.policy_content_type"));
	assert_int_equal(res->mx_covered, -1);
}

static void test_no_fetch(void **state)
{
	(void)state;
	record_ok();
	mx("mx1.example.com", "a.example.net");
	assert_int_equal(mta_sts_finish(res, true), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_NOT_FETCHED);
	assert_int_equal(res->mx_covered, -1);
	assert_false(res->fetch.attempted);
}

static void test_no_mx_and_null_mx(void **state)
{
	(void)state;
	record_ok();
	answer(MTA_STS_Q_MX, DNS_OUTCOME_NODATA, NULL, NULL, 0);
	fetched(FETCH_OK, false, 200, "text/plain", POLICY_OK, "");
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_ENFORCE);
	assert_int_equal(res->mx_covered, -1);
	assert_non_null(find(&res->findings, "mta_sts.no_mx"));

	const char *null_mx[] = { "." };
	const uint16_t zero[] = { 0 };
	answer(MTA_STS_Q_MX, DNS_OUTCOME_DATA, null_mx, zero, 1);
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_true(res->null_mx);
	assert_int_equal(res->nmx, 0);
	assert_non_null(strstr(must(&res->findings, "mta_sts.no_mx")->message, "null MX"));
}

static void test_mx_servfail_under_policy(void **state)
{
	(void)state;
	record_ok();
	answer(MTA_STS_Q_MX, DNS_OUTCOME_SERVFAIL, NULL, NULL, 0);
	fetched(FETCH_OK, false, 200, "text/plain", POLICY_OK, "");
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_ENFORCE);
	assert_int_equal(res->mx_covered, -1);
	assert_non_null(find(&res->findings, "mta_sts.temperror"));
	assert_true(mta_sts_inconclusive(res));
}

static void test_mode_none(void **state)
{
	(void)state;
	record_ok();
	mx("mx1.example.com", "other.example.org");
	fetched(FETCH_OK, false, 200, "text/plain", "version: STSv1\nmode: none\nmax_age: 86400\n",
	        "");
	assert_int_equal(mta_sts_finish(res, false), 0);
	assert_int_equal(res->status, MTA_STS_CHECK_NONE);
	assert_int_equal(res->mx_covered, -1); /* mode none: as if no policy */
	assert_null(find(&res->findings, "mta_sts.mx_not_covered"));
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(mta_sts_check_status_name(MTA_STS_CHECK_ENFORCE), "enforce");
	assert_string_equal(mta_sts_check_status_name(MTA_STS_CHECK_NOT_FETCHED), "not_fetched");
	assert_string_equal(mta_sts_check_status_name(MTA_STS_CHECK_TEMPERROR), "temperror");
	assert_string_equal(mta_sts_check_status_name(MTA_STS_CHECK_MISSING), "missing");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_fetch_config),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_servfail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enforce_covered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enforce_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_testing_gap_is_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_temporary_and_permanent, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_content_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_fetch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_mx_and_null_mx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mx_servfail_under_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_none, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
