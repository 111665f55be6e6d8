/*
 * Unit tests for strutil.h: str_copy, str_join and str_join3 must do
 * exactly what the snprintf calls they replaced did, for every buffer
 * size from 0 up past the full length (cut, NUL-terminated, full length
 * returned).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "strutil.h"

#define CANARY 'Z'

static void test_copy_every_size(void **state)
{
	(void)state;
	static const char *const inputs[] = { "", "a", "example.test", "a \xe2\x86\x92 b" };
	for (size_t k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++) {
		const char *src = inputs[k];
		for (size_t size = 0; size <= strlen(src) + 2; size++) {
			char want[32], got[32];
			memset(want, CANARY, sizeof(want));
			memset(got, CANARY, sizeof(got));
			int wn = snprintf(want, size, "%s", src);
			size_t gn = str_copy(got, size, src);
			assert_int_equal(gn, (size_t)wn);
			assert_memory_equal(got, want,
			                    sizeof(want)); /* nothing past size written */
		}
	}
}

static void test_join_every_size(void **state)
{
	(void)state;
	static const char *const parts[][3] = {
		{ "_dmarc.", "example.test", "" },
		{ "sel", "._bimi.", "example.test" },
		{ "", "", "" },
		{ "a.test", " \xe2\x86\x92 ", "include:b.test" },
	};
	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
		const char *a = parts[k][0], *b = parts[k][1], *c = parts[k][2];
		size_t full = strlen(a) + strlen(b) + strlen(c);
		for (size_t size = 0; size <= full + 2; size++) {
			char want[64], got[64], got2[64];
			memset(want, CANARY, sizeof(want));
			memset(got, CANARY, sizeof(got));
			int wn = snprintf(want, size, "%s%s%s", a, b, c);
			size_t gn = str_join3(got, size, a, b, c);
			assert_int_equal(gn, (size_t)wn);
			assert_memory_equal(got, want, sizeof(want));
			if (c[0] == '\0') {
				memset(got2, CANARY, sizeof(got2));
				assert_int_equal(str_join(got2, size, a, b), (size_t)wn);
				assert_memory_equal(got2, want, sizeof(want));
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_every_size),
		cmocka_unit_test(test_join_every_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
