/*
 * Unit tests for fetch.c without a network: URL checks, encodings,
 * connect-to entries, configuration limits, and fetches that end before
 * any connection (bad URLs, names the resolver callback refuses), each
 * with exactly one callback. The fetches themselves are tested on the bed
 * (tests/integration/test_fetch.py).
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

struct url_row {
	const char *url;
	enum fetch_status status;
	const char *norm; /* FETCH_OK: normalised URL */
	const char *host;
	long port;
	const char *reason_has; /* otherwise: text in the reason */
};

static const struct url_row url_rows[] = {
	{ "https://bimi.test/logo.svg", FETCH_OK, "https://bimi.test/logo.svg", "bimi.test", 443,
	  NULL },
	/* Host lower-cased, final dot dropped, port kept. */
	{ "HTTPS://BIMI.Test.:8443/a/B.svg?x=1", FETCH_OK, "https://bimi.test:8443/a/B.svg?x=1",
	  "bimi.test", 8443, NULL },
	{ "https://192.0.2.1/l.svg", FETCH_OK, "https://192.0.2.1/l.svg", "192.0.2.1", 443, NULL },
	{ "https://[2001:db8::1]:444/", FETCH_OK, "https://[2001:db8::1]:444/", "[2001:db8::1]",
	  444, NULL },
	{ "https://bimi.test", FETCH_OK, "https://bimi.test/", "bimi.test", 443, NULL },
	/* Percent-encoding is kept as published. */
	{ "https://bimi.test/a%20b.svg", FETCH_OK, "https://bimi.test/a%20b.svg", "bimi.test", 443,
	  NULL },
	{ "http://bimi.test/logo.svg", FETCH_NOT_HTTPS, NULL, NULL, 0, "scheme http" },
	{ "ftp://bimi.test/logo.svg", FETCH_NOT_HTTPS, NULL, NULL, 0, "only https" },
	{ "data:image/svg+xml,abc", FETCH_BAD_URL, NULL, NULL, 0, "not a URL" },
	{ "https://user:pw@bimi.test/", FETCH_BAD_URL, NULL, NULL, 0, "credentials" },
	{ "https://user@bimi.test/", FETCH_BAD_URL, NULL, NULL, 0, "credentials" },
	{ "https://bimi.test/a b", FETCH_BAD_URL, NULL, NULL, 0, "offset 19" },
	{ "https://bimi.test/\xc3\xa9", FETCH_BAD_URL, NULL, NULL, 0, "0xc3" },
	{ "https://bimi.test/\t", FETCH_BAD_URL, NULL, NULL, 0, "0x09" },
	{ "bimi.test/logo.svg", FETCH_BAD_URL, NULL, NULL, 0, "not a URL" },
	{ "https://", FETCH_BAD_URL, NULL, NULL, 0, NULL },
	{ "", FETCH_BAD_URL, NULL, NULL, 0, "empty" },
	{ "https://bimi.test:0/", FETCH_BAD_URL, NULL, NULL, 0, NULL },
	{ "https://bimi.test:99999/", FETCH_BAD_URL, NULL, NULL, 0, NULL },
	{ "https://a..b.test/", FETCH_BAD_URL, NULL, NULL, 0, "not a valid DNS name" },
	{ "https://[fe80::1%25eth0]/", FETCH_BAD_URL, NULL, NULL, 0, NULL },
};

static void test_url_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(url_rows) / sizeof(url_rows[0]); i++) {
		const struct url_row *row = &url_rows[i];
		char norm[FETCH_URL_MAX + 1], host[FETCH_HOST_MAX], reason[FETCH_REASON_MAX];
		long port = -1;
		enum fetch_status st = fetch_url_check(row->url, norm, sizeof(norm), host,
		                                       sizeof(host), &port, reason, sizeof(reason));
		if (st != row->status)
			fail_msg("%s: %s, expected %s (%s)", row->url, fetch_status_name(st),
			         fetch_status_name(row->status), reason);
		if (st == FETCH_OK) {
			assert_string_equal(norm, row->norm);
			assert_string_equal(host, row->host);
			assert_int_equal(port, row->port);
			assert_string_equal(reason, "");
		} else {
			assert_string_equal(norm, "");
			assert_int_equal(port, 0);
			assert_true(reason[0] != '\0');
			if (row->reason_has != NULL && strstr(reason, row->reason_has) == NULL)
				fail_msg("%s: reason '%s' lacks '%s'", row->url, reason,
				         row->reason_has);
		}
	}
}

static void test_url_length(void **state)
{
	char url[FETCH_URL_MAX + 2], norm[FETCH_URL_MAX + 1], host[FETCH_HOST_MAX];
	char reason[FETCH_REASON_MAX];
	long port;
	(void)state;
	/* Exactly FETCH_URL_MAX bytes is accepted, one more is not. */
	memset(url, 'a', sizeof(url));
	memcpy(url, "https://bimi.test/", 18);
	url[FETCH_URL_MAX] = '\0';
	assert_int_equal(fetch_url_check(url, norm, sizeof(norm), host, sizeof(host), &port, reason,
	                                 sizeof(reason)),
	                 FETCH_OK);
	url[FETCH_URL_MAX] = 'a';
	url[FETCH_URL_MAX + 1] = '\0';
	assert_int_equal(fetch_url_check(url, norm, sizeof(norm), host, sizeof(host), &port, reason,
	                                 sizeof(reason)),
	                 FETCH_BAD_URL);
	assert_non_null(strstr(reason, "longer than 2048"));
	assert_int_equal(fetch_url_check(NULL, norm, sizeof(norm), host, sizeof(host), &port,
	                                 reason, sizeof(reason)),
	                 FETCH_BAD_URL);
}

static void test_encoding(void **state)
{
	static const struct {
		const char *value;
		bool transfer;
		bool ok;
	} rows[] = {
		{ "", false, true },
		{ " identity\r\n", false, true },
		{ "IDENTITY", false, true },
		{ "gzip", false, false },
		{ " br\r\n", false, false },
		{ "identity, gzip", false, false },
		{ "chunked", false, false }, /* not a content coding */
		{ "chunked", true, true },
		{ " Chunked\r\n", true, true },
		{ "gzip, chunked", true, false },
		{ "identity,chunked", true, true },
		{ ",,", true, true },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (fetch_encoding_ok(rows[i].value, rows[i].transfer) != rows[i].ok)
			fail_msg("'%s' (transfer %d): expected %d", rows[i].value, rows[i].transfer,
			         rows[i].ok);
}

static void test_connect_to(void **state)
{
	static const struct {
		const char *spec;
		int rc;
		const char *host;
		long port;
		const char *to_host;
		long to_port;
	} rows[] = {
		{ "bimi.test:443:127.0.0.1:8443", 0, "bimi.test", 443, "127.0.0.1", 8443 },
		{ "::127.0.0.1:8443", 0, "", 0, "127.0.0.1", 8443 },
		{ "BIMI.test:443::8443", 0, "bimi.test", 443, "", 8443 },
		{ "[::1]:443:[2001:db8::2]:", 0, "::1", 443, "2001:db8::2", 0 },
		{ ":::", 0, "", 0, "", 0 },
		{ "bimi.test:443:127.0.0.1", -1, NULL, 0, NULL, 0 },
		{ "bimi.test:443:127.0.0.1:8443:1", -1, NULL, 0, NULL, 0 },
		{ "bimi.test:99999:127.0.0.1:1", -1, NULL, 0, NULL, 0 },
		{ "bimi.test:x:127.0.0.1:1", -1, NULL, 0, NULL, 0 },
		{ "[::1:443:a:1", -1, NULL, 0, NULL, 0 },
		{ "bi mi:443:a:1", -1, NULL, 0, NULL, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fetch_connect_to c;
		char err[256] = "";
		int rc = fetch_connect_to_parse(rows[i].spec, &c, err, sizeof(err));
		if (rc != rows[i].rc)
			fail_msg("%s: rc %d", rows[i].spec, rc);
		if (rc != 0) {
			assert_non_null(strstr(err, "HOST:PORT:ADDRESS:PORT"));
			continue;
		}
		assert_string_equal(c.host, rows[i].host);
		assert_int_equal(c.port, rows[i].port);
		assert_string_equal(c.to_host, rows[i].to_host);
		assert_int_equal(c.to_port, rows[i].to_port);
	}
}

static void test_status_names(void **state)
{
	(void)state;
	/* Stable: stored and compared across runs. */
	assert_string_equal(fetch_status_name(FETCH_OK), "ok");
	assert_string_equal(fetch_status_name(FETCH_BAD_URL), "bad_url");
	assert_string_equal(fetch_status_name(FETCH_NOT_HTTPS), "not_https");
	assert_string_equal(fetch_status_name(FETCH_RESOLVE), "resolve");
	assert_string_equal(fetch_status_name(FETCH_CONNECT), "connect");
	assert_string_equal(fetch_status_name(FETCH_TLS), "tls");
	assert_string_equal(fetch_status_name(FETCH_TIMEOUT), "timeout");
	assert_string_equal(fetch_status_name(FETCH_HTTP_STATUS), "http_status");
	assert_string_equal(fetch_status_name(FETCH_TOO_LARGE), "too_large");
	assert_string_equal(fetch_status_name(FETCH_REDIRECT_LIMIT), "redirect_limit");
	assert_string_equal(fetch_status_name(FETCH_REDIRECT_INSECURE), "redirect_insecure");
	assert_string_equal(fetch_status_name(FETCH_ENCODED), "encoded");
	assert_string_equal(fetch_status_name(FETCH_ERROR), "error");
	assert_string_equal(fetch_status_name((enum fetch_status)99), "unknown");
}

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
		cmocka_unit_test(test_url_check),
		cmocka_unit_test(test_url_length),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_connect_to),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_config_limits),
		cmocka_unit_test(test_fail_before_connecting),
		cmocka_unit_test(test_free_with_queued),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fetch_global_cleanup();
	return rc;
}
