/*
 * Unit tests for dnssec.c and dnssec_check.c without a network: the
 * combination of statuses, their names, trust-anchor files that cannot be
 * used, a validator made (and never asked), and the findings and JSON a
 * set of verdicts gives. The verdicts themselves come from a signed bed:
 * tests/integration/test_dnssec.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dnssec.h"
#include "dnssec_check.h"
#include "jsonw.h"

#define S DNSSEC_SECURE
#define I DNSSEC_INSECURE
#define B DNSSEC_BOGUS
#define X DNSSEC_INDETERMINATE

static void test_combine(void **state)
{
	(void)state;
	static const struct {
		enum dnssec_status v[4];
		size_t n;
		enum dnssec_status want;
	} rows[] = {
		{ { S, S, S, S }, 4, S }, /* secure only when every answer is */
		{ { S, S, S, I }, 4, I }, /* one unsigned answer: insecure */
		{ { I, S, X, S }, 4, X }, /* indeterminate outranks insecure */
		{ { X, B, I, S }, 4, B }, /* bogus outranks everything */
		{ { B, B, B, B }, 4, B }, { { I }, 1, I },
		{ { S }, 0, X }, /* nothing checked: no verdict, not "secure" */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(dnssec_combine(rows[i].v, rows[i].n), rows[i].want);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(dnssec_status_name(DNSSEC_SECURE), "secure");
	assert_string_equal(dnssec_status_name(DNSSEC_INSECURE), "insecure");
	assert_string_equal(dnssec_status_name(DNSSEC_BOGUS), "bogus");
	assert_string_equal(dnssec_status_name(DNSSEC_INDETERMINATE), "indeterminate");
	assert_string_equal(dnssec_question_what(DNSSEC_Q_MX), "MX");
	assert_string_equal(dnssec_question_what(DNSSEC_Q_SOA), "SOA");
	assert_string_equal(dnssec_question_what(DNSSEC_Q_DMARC), "DMARC");
	assert_string_equal(dnssec_question_what(DNSSEC_Q_SPF), "SPF");
}

/* Writes text to a new temporary file; its path in path. */
static void temp_file(char *path, size_t len, const char *text)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, len, "%s/test_dnssec.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
}

/* The root zone's KSK-2017 DS record, as IANA publishes it. */
#define ROOT_DS                                                                                    \
	". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"

static void test_anchor_files(void **state)
{
	(void)state;
	static const struct {
		const char *text; /* NULL: the path is not a file of ours */
		const char *path; /* with text NULL */
		const char *err;  /* expected in the message; NULL: accepted */
	} rows[] = {
		{ ROOT_DS, NULL, NULL },
		/* a comment, a DNSKEY: an anchor too (RFC 4035 4.4) */
		{ "; ours\nexample. 3600 IN DNSKEY 257 3 13 "
		  "XlKrpTDlUH+qvPRu4npHPvbcuU5vYaLkcopOXD+qQ+"
		  "EwCcV2Ao4DA5f0rgrTK8nDq5EQLn7voIPFKCqrOuOKJg==\n",
		  NULL, NULL },
		{ "", NULL, "holds no DS or DNSKEY record" }, /* empty */
		{ "; only a comment\n", NULL, "holds no DS or DNSKEY record" },
		{ "example. 300 IN A 192.0.2.1\n", NULL, "holds no DS or DNSKEY record" },
		{ "not a zone file at all\n", NULL, "holds no DS or DNSKEY record" },
		{ NULL, "/nonexistent/anchors.txt", "cannot read /nonexistent/anchors.txt" },
		{ NULL, "/", "cannot read /: Is a directory" }, /* not looped on forever */
		{ NULL, "/dev/zero", "is over 1048576 bytes" }, /* not read without end */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char path[512], err[256] = "";
		if (rows[i].text != NULL)
			temp_file(path, sizeof(path), rows[i].text);
		else
			snprintf(path, sizeof(path), "%s", rows[i].path);
		int rc = dnssec_anchors_check(path, err, sizeof(err));
		if (rows[i].err == NULL) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_non_null(strstr(err, rows[i].err));
		}
		if (rows[i].text != NULL)
			unlink(path);
	}
	/* The bundled root anchor reads. */
	char err[256] = "";
	assert_int_equal(dnssec_anchors_check(NULL, err, sizeof(err)), 0);
}

static void test_new(void **state)
{
	(void)state;
	struct dns_config cfg;
	char err[256] = "", path[512];

	dns_config_init(&cfg);
	assert_int_equal(dns_server_parse("127.0.0.1:5300", &cfg.servers[0], err, sizeof(err)), 0);
	cfg.nservers = 1;
	/* Made without asking anything: no network needed. */
	struct dnssec_ctx *c = dnssec_new(&cfg, NULL, err, sizeof(err));
	assert_non_null(c);
	dnssec_ctx_free(c);
	temp_file(path, sizeof(path), ROOT_DS);
	c = dnssec_new(&cfg, path, err, sizeof(err));
	assert_non_null(c);
	dnssec_ctx_free(c);
	unlink(path);
	/* An anchor file that cannot be used: no validator, the reason. */
	c = dnssec_new(&cfg, "/nonexistent/anchors.txt", err, sizeof(err));
	assert_null(c);
	assert_string_equal(err, "cannot read /nonexistent/anchors.txt: No such file or directory");
	/* A server that is no address: none usable. */
	snprintf(cfg.servers[0].addr, sizeof(cfg.servers[0].addr), "not-an-address");
	c = dnssec_new(&cfg, NULL, err, sizeof(err));
	assert_null(c);
	assert_string_equal(err, "no usable DNS server");
	dnssec_ctx_free(NULL);
}

/* A result as the validator would leave it, statuses given. */
static void verdicts(struct dnssec_result *r, const char *domain, const enum dnssec_status v[4],
                     const char *detail)
{
	assert_int_equal(dnssec_result_init(r, domain), 0);
	for (size_t i = 0; i < DNSSEC_Q_COUNT; i++) {
		r->q[i].status = v[i];
		r->q[i].outcome = DNS_OUTCOME_DATA;
		if (v[i] != DNSSEC_SECURE && v[i] != DNSSEC_INSECURE)
			snprintf(r->q[i].detail, sizeof(r->q[i].detail), "%s", detail);
	}
	assert_int_equal(dnssec_result_finish(r), 0);
}

static void test_questions(void **state)
{
	(void)state;
	struct dnssec_result r;

	assert_int_equal(dnssec_result_init(&r, "Example.COM"), 0);
	assert_string_equal(r.q[DNSSEC_Q_MX].name, "example.com");
	assert_int_equal(r.q[DNSSEC_Q_MX].type, 15);
	assert_string_equal(r.q[DNSSEC_Q_SOA].name, "example.com");
	assert_int_equal(r.q[DNSSEC_Q_SOA].type, 6);
	assert_string_equal(r.q[DNSSEC_Q_DMARC].name, "_dmarc.example.com");
	assert_int_equal(r.q[DNSSEC_Q_DMARC].type, 16);
	assert_string_equal(r.q[DNSSEC_Q_SPF].name, "example.com");
	assert_int_equal(r.q[DNSSEC_Q_SPF].type, 16);
	assert_int_equal(r.status, DNSSEC_INDETERMINATE); /* no verdict before any answer */
	dnssec_result_cleanup(&r);
}

static void test_findings(void **state)
{
	(void)state;
	struct dnssec_result r;

	/* Every answer secure: no finding. */
	verdicts(&r, "example.com", (enum dnssec_status[]){ S, S, S, S }, "");
	assert_int_equal(r.status, DNSSEC_SECURE);
	assert_int_equal(r.findings.n, 0);
	dnssec_result_cleanup(&r);

	/* An unsigned zone: one finding for the domain. */
	verdicts(&r, "example.com", (enum dnssec_status[]){ I, I, I, I }, "");
	assert_int_equal(r.status, DNSSEC_INSECURE);
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].code, "dnssec.insecure");
	assert_int_equal(r.findings.v[0].severity, FINDING_WARNING);
	assert_string_equal(r.findings.v[0].path, "example.com");
	assert_non_null(strstr(r.findings.v[0].message, "example.com is not DNSSEC-signed"));
	dnssec_result_cleanup(&r);

	/* Only the DMARC record unsigned (a delegated _dmarc zone): named. */
	verdicts(&r, "example.com", (enum dnssec_status[]){ S, S, I, S }, "");
	assert_int_equal(r.status, DNSSEC_INSECURE);
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].path, "_dmarc.example.com TXT");
	assert_string_equal(r.findings.v[0].message,
	                    "unsigned (insecure) answers, which anyone on the path can forge: "
	                    "_dmarc.example.com TXT (DMARC)");
	dnssec_result_cleanup(&r);

	/* Two bogus answers sharing a reason, one unsigned: bogus first. */
	verdicts(&r, "example.com", (enum dnssec_status[]){ B, S, I, B }, "expired");
	assert_int_equal(r.status, DNSSEC_BOGUS);
	assert_int_equal(r.findings.n, 2);
	assert_string_equal(r.findings.v[0].code, "dnssec.bogus");
	assert_int_equal(r.findings.v[0].severity, FINDING_ERROR);
	assert_string_equal(r.findings.v[0].path, "example.com");
	assert_non_null(
	        strstr(r.findings.v[0].message,
	               "validation fails: example.com MX, example.com TXT (SPF) (expired)"));
	assert_string_equal(r.findings.v[1].code, "dnssec.insecure");
	dnssec_result_cleanup(&r);

	/* Could not check one answer: indeterminate, with the reason. */
	verdicts(&r, "example.com", (enum dnssec_status[]){ S, X, S, S },
	         "the resolver answered SERVFAIL");
	assert_int_equal(r.status, DNSSEC_INDETERMINATE);
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].code, "dnssec.indeterminate");
	assert_string_equal(r.findings.v[0].path, "example.com SOA");
	assert_string_equal(r.findings.v[0].message,
	                    "DNSSEC could not be checked: example.com SOA (the resolver answered "
	                    "SERVFAIL)");
	dnssec_result_cleanup(&r);
}

static void test_json(void **state)
{
	(void)state;
	struct dnssec_result r;
	struct jsonw w;

	verdicts(&r, "example.com", (enum dnssec_status[]){ S, S, S, S }, "");
	r.q[DNSSEC_Q_DMARC].outcome = DNS_OUTCOME_NXDOMAIN; /* a secure denial */
	jsonw_init(&w);
	dnssec_result_write(&w, &r);
	char *out = jsonw_finish(&w);
	assert_string_equal(out, "{\"domain\":\"example.com\",\"status\":\"secure\",\"answers\":["
	                         "{\"name\":\"example.com\",\"type\":\"MX\",\"status\":\"secure\","
	                         "\"outcome\":\"data\"},"
	                         "{\"name\":\"example.com\",\"type\":\"SOA\",\"status\":\"secure\","
	                         "\"outcome\":\"data\"},"
	                         "{\"name\":\"_dmarc.example.com\",\"type\":\"TXT\",\"status\":"
	                         "\"secure\",\"outcome\":\"nxdomain\"},"
	                         "{\"name\":\"example.com\",\"type\":\"TXT\",\"status\":\"secure\","
	                         "\"outcome\":\"data\"}],\"findings\":[]}");
	free(out);
	dnssec_result_cleanup(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_combine),      cmocka_unit_test(test_names),
		cmocka_unit_test(test_anchor_files), cmocka_unit_test(test_new),
		cmocka_unit_test(test_questions),    cmocka_unit_test(test_findings),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
