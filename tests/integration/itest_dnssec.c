/*
 * Integration tests of the DNSSEC adapter (dnssec.c) on the loopback bed
 * (BED_AUTH, BED_TRUST_ANCHORS from tests/bed/bed.sh, serving
 * tests/zones): one batch of questions with every verdict and outcome,
 * and a TLSA record's rdata kept as sent. Expected values written by hand
 * from tests/zones/dnssec.test.zone, unsigned.dnssec.test.zone and
 * bogus.test.zone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dnssec.h"

static struct dns_config cfg;
static const char *anchors;

static void from_env(void)
{
	const char *spec = getenv("BED_AUTH");
	char err[160];

	anchors = getenv("BED_TRUST_ANCHORS");
	if (spec == NULL || anchors == NULL) {
		fprintf(stderr, "BED_AUTH or BED_TRUST_ANCHORS is not set: run inside "
		                "tests/bed/bed.sh run\n");
		exit(1);
	}
	dns_config_init(&cfg);
	if (dns_server_parse(spec, &cfg.servers[0], err, sizeof(err)) != 0) {
		fprintf(stderr, "BED_AUTH: %s\n", err);
		exit(1);
	}
	cfg.nservers = 1;
}

static void test_batch(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		uint16_t type;
		enum dnssec_status status;
		enum dns_outcome outcome;
	} rows[] = {
		{ "dnssec.test", DNS_TYPE_MX, DNSSEC_SECURE, DNS_OUTCOME_DATA },
		{ "_dmarc.dnssec.test", DNS_TYPE_TXT, DNSSEC_SECURE, DNS_OUTCOME_DATA },
		{ "mx.dnssec.test", DNS_TYPE_TXT, DNSSEC_SECURE, DNS_OUTCOME_NODATA }, /* NSEC */
		{ "nothing.dnssec.test", DNS_TYPE_A, DNSSEC_SECURE, DNS_OUTCOME_NXDOMAIN },
		{ "unsigned.dnssec.test", DNS_TYPE_MX, DNSSEC_INSECURE, DNS_OUTCOME_DATA },
		{ "bogus.test", DNS_TYPE_MX, DNSSEC_BOGUS, DNS_OUTCOME_DATA },  /* expired */
		{ "bogus.test", DNS_TYPE_TXT, DNSSEC_BOGUS, DNS_OUTCOME_DATA }, /* bad signature */
		{ "bogus.test", DNS_TYPE_SOA, DNSSEC_SECURE, DNS_OUTCOME_DATA },
		{ "bed.test", DNS_TYPE_SOA, DNSSEC_INDETERMINATE,
		  DNS_OUTCOME_DATA }, /* no anchor */
		{ "notserved.example", DNS_TYPE_MX, DNSSEC_INDETERMINATE, DNS_OUTCOME_SERVFAIL },
	};
	enum { N = sizeof(rows) / sizeof(rows[0]) };
	struct dnssec_query q[N];
	char err[256] = "";
	struct dnssec_ctx *c = dnssec_new(&cfg, anchors, err, sizeof(err));

	assert_non_null(c);
	memset(q, 0, sizeof(q));
	for (size_t i = 0; i < N; i++) {
		snprintf(q[i].name, sizeof(q[i].name), "%s", rows[i].name);
		q[i].type = rows[i].type;
	}
	assert_int_equal(dnssec_resolve(c, q, N, err, sizeof(err)), 0);
	for (size_t i = 0; i < N; i++) {
		if (q[i].status != rows[i].status || q[i].outcome != rows[i].outcome)
			fprintf(stderr, "%s: %s %s (%s)\n", rows[i].name,
			        dnssec_status_name(q[i].status), dns_outcome_name(q[i].outcome),
			        q[i].detail);
		assert_int_equal(q[i].status, rows[i].status);
		assert_int_equal(q[i].outcome, rows[i].outcome);
		assert_int_equal(q[i].nrdata, 0); /* only TLSA keeps rdata */
	}
	assert_string_equal(q[N - 1].detail, "the resolver answered REFUSED");
	dnssec_query_free(q, N);
	dnssec_ctx_free(c);
}

static void test_tlsa(void **state)
{
	(void)state;
	/* _25._tcp.mx.dnssec.test TLSA 3 1 1 92a0...286d: usage, selector,
	 * matching type, then the 32 bytes of the SHA-256 (RFC 6698 2.1). */
	static const uint8_t want[35] = {
		3,    1,    1,    0x92, 0xa0, 0x59, 0x1d, 0x60, 0xae, 0xa4, 0xc2, 0x23,
		0xab, 0x52, 0xa4, 0xb3, 0x4f, 0x74, 0x0d, 0x7e, 0xe9, 0x21, 0xb3, 0x2a,
		0xcf, 0xb1, 0xb4, 0xd6, 0x9c, 0xb3, 0xe0, 0xb6, 0x09, 0x28, 0x6d,
	};
	struct dnssec_query q[2];
	char err[256] = "";
	struct dnssec_ctx *c = dnssec_new(&cfg, anchors, err, sizeof(err));

	assert_non_null(c);
	memset(q, 0, sizeof(q));
	snprintf(q[0].name, sizeof(q[0].name), "_25._tcp.mx.dnssec.test");
	snprintf(q[1].name, sizeof(q[1].name), "_25._tcp.mx.unsigned.dnssec.test");
	q[0].type = q[1].type = DNS_TYPE_TLSA;
	assert_int_equal(dnssec_resolve(c, q, 2, err, sizeof(err)), 0);
	assert_int_equal(q[0].status, DNSSEC_SECURE);
	assert_int_equal(q[1].status, DNSSEC_INSECURE);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(q[i].outcome, DNS_OUTCOME_DATA);
		assert_int_equal(q[i].nrdata, 1);
		assert_int_equal(q[i].rdlen[0], sizeof(want));
		assert_memory_equal(q[i].rdata[0], want, sizeof(want));
	}
	dnssec_query_free(q, 2);
	dnssec_ctx_free(c);
}

int main(void)
{
	from_env();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_tlsa),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
