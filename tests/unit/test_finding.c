/*
 * Unit tests for the registry of finding codes (finding.h, findings.def):
 * sorted and unique (finding_info() searches it by halves), every code of
 * the form the checks use, every severity one of the three, every meaning
 * and fix a non-empty single line; finding_info() finds the first, the
 * last and a middle code and nothing else. That the registry holds
 * exactly the codes the sources emit is scripts/lint-arch.py's business.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "finding.h"

/* ^(spf|dmarc|dkim|bimi|vmc|svg|report|headers|mta_sts|tls_rpt|dane|dnssec)\.[a-z0-9_]+$ */
static bool code_ok(const char *code)
{
	static const char *const prefixes[] = { "spf.",     "dmarc.",   "dkim.",   "bimi.",
		                                "vmc.",     "svg.",     "report.", "headers.",
		                                "mta_sts.", "tls_rpt.", "dane.",   "dnssec." };
	const char *rest = NULL;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(code, prefixes[i], strlen(prefixes[i])) == 0)
			rest = code + strlen(prefixes[i]);
	if (rest == NULL || *rest == '\0')
		return false;
	for (; *rest != '\0'; rest++)
		if (!((*rest >= 'a' && *rest <= 'z') || (*rest >= '0' && *rest <= '9') ||
		      *rest == '_'))
			return false;
	return true;
}

/* Non-empty, printable, one line, no white space at either end. */
static bool line_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static void test_code_ok(void **state)
{
	(void)state;
	assert_true(code_ok("spf.include_no_record"));
	assert_true(code_ok("vmc.no_sct"));
	assert_true(code_ok("svg.x1"));
	assert_true(code_ok("report.xml_recovered"));
	assert_false(code_ok("spf."));
	assert_true(code_ok("mta_sts.none"));
	assert_true(code_ok("tls_rpt.no_rua"));
	assert_true(code_ok("dane.insecure"));
	assert_true(code_ok("dnssec.bogus"));
	assert_false(code_ok("mta-sts.none"));
	assert_false(code_ok("spf.Syntax"));
	assert_false(code_ok("spf.h-x"));
	assert_false(code_ok("spf.a.b"));
	assert_false(line_ok(""));
	assert_false(line_ok("two\nlines"));
	assert_false(line_ok("trailing "));
	assert_true(line_ok("One line."));
}

static void test_sorted_unique_valid(void **state)
{
	(void)state;
	size_t n = 0;
	const struct finding_info *r = finding_registry(&n);

	assert_non_null(r);
	assert_true(n > 100); /* every check's codes, not a stub */
	for (size_t i = 0; i < n; i++) {
		assert_true(code_ok(r[i].code));
		if (i > 0)
			assert_true(strcmp(r[i - 1].code, r[i].code) < 0);
		assert_true(r[i].severity == FINDING_INFO || r[i].severity == FINDING_WARNING ||
		            r[i].severity == FINDING_ERROR);
		assert_string_not_equal(finding_severity_name(r[i].severity), "unknown");
		assert_true(line_ok(r[i].meaning));
		assert_true(line_ok(r[i].fix));
	}
}

static void test_every_prefix_present(void **state)
{
	(void)state;
	static const char *const prefixes[] = { "spf.", "dmarc.",  "dkim.",    "bimi.",   "vmc.",
		                                "svg.", "report.", "headers.", "mta_sts." };
	size_t n = 0;
	const struct finding_info *r = finding_registry(&n);

	for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
		size_t found = 0;
		for (size_t i = 0; i < n; i++)
			found += strncmp(r[i].code, prefixes[k], strlen(prefixes[k])) == 0;
		assert_true(found >= 10);
	}
}

static void test_lookup(void **state)
{
	(void)state;
	size_t n = 0;
	const struct finding_info *r = finding_registry(&n);

	assert_ptr_equal(finding_info(r[0].code), &r[0]);
	assert_ptr_equal(finding_info(r[n - 1].code), &r[n - 1]);
	assert_ptr_equal(finding_info(r[n / 2].code), &r[n / 2]);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(finding_info(r[i].code), &r[i]);
	/* A copy, not the same pointer: found by content. */
	char copy[64];
	snprintf(copy, sizeof(copy), "%s", "spf.include_no_record");
	const struct finding_info *f = finding_info(copy);
	assert_non_null(f);
	assert_string_equal(f->code, "spf.include_no_record");
	assert_int_equal(f->severity, FINDING_ERROR);
	assert_non_null(strstr(f->meaning, "RFC 7208 5.2"));
	f = finding_info("dmarc.no_rua");
	assert_non_null(f);
	assert_int_equal(f->severity, FINDING_INFO);
	f = finding_info("svg.not_square");
	assert_non_null(f);
	assert_int_equal(f->severity, FINDING_WARNING);
}

static void test_unknown(void **state)
{
	(void)state;
	assert_null(finding_info("spf.no_such_code"));
	assert_null(finding_info("spf.include_no_recor")); /* a prefix of a code */
	assert_null(finding_info("spf.include_no_records"));
	assert_null(finding_info("SPF.include_no_record"));
	assert_null(finding_info("aaa"));
	assert_null(finding_info("zzz"));
	assert_null(finding_info(""));
	assert_null(finding_info(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_ok),
		cmocka_unit_test(test_sorted_unique_valid),
		cmocka_unit_test(test_every_prefix_present),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
