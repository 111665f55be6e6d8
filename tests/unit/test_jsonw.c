/*
 * Unit tests for jsonw.c: commas and nesting, escapes written out by hand,
 * bytes that are not UTF-8 (one U+FFFD each), and agreement with jansson's
 * json_dumps(JSON_COMPACT | JSON_ENSURE_ASCII) on valid strings, which is
 * what the writer replaced in the stored results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "jsonw.h"
#include "output.h"
#include "utf8.h"

/* One string value written alone, as text (freed by the caller). */
static char *one(const char *s, size_t n)
{
	struct jsonw w;
	jsonw_init(&w);
	jsonw_strn(&w, s, n);
	char *out = jsonw_finish(&w);
	assert_non_null(out);
	return out;
}

static void expect(const char *s, size_t n, const char *want)
{
	char *got = one(s, n);
	assert_string_equal(got, want);
	/* Whatever went in, jansson reads the result (\u0000 included). */
	json_t *v = json_loads(got, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	assert_non_null(v);
	json_decref(v);
	free(got);
}

static void test_structure(void **state)
{
	(void)state;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_obj(&w);
	jsonw_kint(&w, "a", 1);
	jsonw_key(&w, "b");
	jsonw_arr(&w);
	jsonw_bool(&w, true);
	jsonw_bool(&w, false);
	jsonw_null(&w);
	jsonw_str(&w, "x");
	jsonw_obj(&w);
	jsonw_end_obj(&w);
	jsonw_arr(&w);
	jsonw_end_arr(&w);
	jsonw_end_arr(&w);
	jsonw_key(&w, "c");
	jsonw_obj(&w);
	jsonw_kstr(&w, "d", NULL);
	jsonw_kstr_or_null(&w, "e", "");
	jsonw_kstr_or_null(&w, "f", "g");
	jsonw_knull(&w, "h");
	jsonw_kbool(&w, "i", true);
	jsonw_end_obj(&w);
	jsonw_kint(&w, "min", INT64_MIN);
	jsonw_kint(&w, "max", INT64_MAX);
	jsonw_end_obj(&w);
	char *got = jsonw_finish(&w);
	assert_string_equal(got, "{\"a\":1,\"b\":[true,false,null,\"x\",{},[]],"
	                         "\"c\":{\"d\":null,\"e\":null,\"f\":\"g\",\"h\":null,\"i\":true},"
	                         "\"min\":-9223372036854775808,\"max\":9223372036854775807}");
	free(got);
	/* finish leaves the writer empty and reusable. */
	assert_null(w.buf);
	jsonw_arr(&w);
	jsonw_end_arr(&w);
	got = jsonw_finish(&w);
	assert_string_equal(got, "[]");
	free(got);
}

static void test_escapes(void **state)
{
	(void)state;
	expect("plain text", 10, "\"plain text\"");
	expect("\"\\/", 3, "\"\\\"\\\\/\"");
	expect("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"");
	expect("\x01\x1f\x7f", 3, "\"\\u0001\\u001F\x7f\"");
	expect("a\0b", 3, "\"a\\u0000b\"");
	/* Valid UTF-8 as \u escapes: 2, 3 and 4 bytes (a surrogate pair). */
	expect("caf\xc3\xa9", 5, "\"caf\\u00E9\"");
	expect("\xe2\x9c\x93", 3, "\"\\u2713\"");
	expect("\xf0\x9f\x98\x80", 4, "\"\\uD83D\\uDE00\"");
	expect("\xf4\x8f\xbf\xbf", 4, "\"\\uDBFF\\uDFFF\"");
	/* Not UTF-8: one U+FFFD per byte that is not part of a sequence. */
	expect("x\xffy", 3, "\"x\\uFFFDy\"");
	expect("\xc0\x80", 2, "\"\\uFFFD\\uFFFD\"");                       /* overlong NUL */
	expect("\xe0\x80\xaf", 3, "\"\\uFFFD\\uFFFD\\uFFFD\"");            /* overlong '/' */
	expect("\xed\xa0\x80", 3, "\"\\uFFFD\\uFFFD\\uFFFD\"");            /* a surrogate */
	expect("\xf4\x90\x80\x80", 4, "\"\\uFFFD\\uFFFD\\uFFFD\\uFFFD\""); /* > U+10FFFF */
	expect("\xe2\x9c", 2, "\"\\uFFFD\\uFFFD\"");                       /* cut short */
	expect("\xe2(", 2, "\"\\uFFFD(\"");
	expect("\x80", 1, "\"\\uFFFD\"");
	expect("", 0, "\"\"");
	/* Keys are escaped the same way. */
	struct jsonw w;
	jsonw_init(&w);
	jsonw_obj(&w);
	jsonw_kint(&w, "k\"\xff", 0);
	jsonw_end_obj(&w);
	char *got = jsonw_finish(&w);
	assert_string_equal(got, "{\"k\\\"\\uFFFD\":0}");
	free(got);
}

static void test_same_as_jansson(void **state)
{
	(void)state;
	static const char *const strings[] = {
		"v=spf1 include:_spf.example.com ~all",
		"tab\there \"quoted\" back\\slash /slash",
		"\x01\x02\x1b[31mred\x7f",
		"na\xc3\xafve \xe2\x9c\x93 \xf0\x9f\x93\xa7 \xef\xbf\xbd",
		"\xe2\x80\xa8\xe2\x80\xa9 line separators",
	};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		json_t *v = json_string(strings[i]);
		assert_non_null(v);
		char *want = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
		json_decref(v);
		char *got = one(strings[i], strlen(strings[i]));
		assert_string_equal(got, want);
		free(got);
		free(want);
	}
	/* Every ASCII byte alone, as jansson writes it. */
	for (int c = 0; c < 0x80; c++) {
		char one_byte[2] = { (char)c, '\0' };
		json_t *v = json_stringn(one_byte, 1);
		assert_non_null(v);
		char *want = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
		json_decref(v);
		char *got = one(one_byte, 1);
		assert_string_equal(got, want);
		free(got);
		free(want);
	}
	/* A whole object too: same keys, same order, same bytes. */
	json_t *o = json_pack("{s:s,s:i,s:b,s:n,s:[s,i]}", "domain", "ex\xc3\xa4mple.test", "n",
	                      -42, "ok", 1, "none", "list", "a", 7);
	char *want = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_obj(&w);
	jsonw_kstr(&w, "domain", "ex\xc3\xa4mple.test");
	jsonw_kint(&w, "n", -42);
	jsonw_kbool(&w, "ok", true);
	jsonw_knull(&w, "none");
	jsonw_key(&w, "list");
	jsonw_arr(&w);
	jsonw_str(&w, "a");
	jsonw_int(&w, 7);
	jsonw_end_arr(&w);
	jsonw_end_obj(&w);
	char *got = jsonw_finish(&w);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

static void test_large_and_to_json(void **state)
{
	(void)state;
	/* Growth past the first buffer many times over. */
	struct jsonw w;
	jsonw_init(&w);
	jsonw_arr(&w);
	for (int i = 0; i < 100000; i++)
		jsonw_str(&w, "0123456789");
	jsonw_end_arr(&w);
	json_t *v = jsonw_to_json(&w);
	assert_non_null(v);
	assert_int_equal(json_array_size(v), 100000);
	assert_string_equal(json_string_value(json_array_get(v, 99999)), "0123456789");
	json_decref(v);
	assert_null(w.buf);
	/* finish_len: the text's length, small or large (the buffer given
	 * back in place keeps the text whole). */
	size_t sizes[] = { 0, 1, 100, 5000, 20000 };
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		jsonw_init(&w);
		jsonw_arr(&w);
		for (size_t i = 0; i < sizes[k]; i++)
			jsonw_int(&w, (int64_t)(i % 10));
		jsonw_end_arr(&w);
		size_t len = 0;
		char *text = jsonw_finish_len(&w, &len);
		assert_non_null(text);
		assert_int_equal(len, strlen(text));
		assert_int_equal(len, sizes[k] ? 2 * sizes[k] + 1 : 2);
		assert_int_equal(text[len - 1], ']');
		free(text);
	}
}

/* A published record holding a NUL byte (issue 19 item 2): written whole
 * with its length, the NUL as \u0000, and read back whole by the CLI's
 * jsonw_to_json; NULL is null. */
static void test_kstrn_nul(void **state)
{
	static const char rec[] = "v=spf1 ip4:192.0.2.1\0 -all";
	struct jsonw w;
	(void)state;
	jsonw_init(&w);
	jsonw_obj(&w);
	jsonw_kstrn(&w, "record", rec, sizeof(rec) - 1);
	jsonw_kstrn(&w, "none", NULL, 0);
	jsonw_end_obj(&w);
	size_t len = 0;
	char *text = jsonw_finish_len(&w, &len);
	assert_string_equal(text,
	                    "{\"record\":\"v=spf1 ip4:192.0.2.1\\u0000 -all\",\"none\":null}");
	free(text);

	jsonw_init(&w);
	jsonw_obj(&w);
	jsonw_kstrn(&w, "record", rec, sizeof(rec) - 1);
	jsonw_end_obj(&w);
	json_t *v = jsonw_to_json(&w);
	assert_non_null(v);
	json_t *r = json_object_get(v, "record");
	assert_int_equal(json_string_length(r), sizeof(rec) - 1);
	assert_memory_equal(json_string_value(r), rec, sizeof(rec));
	json_decref(v);
}

static void test_utf8_clean(void **state)
{
	(void)state;
	char out[16];
	assert_string_equal(utf8_clean("caf\xc3\xa9", out, sizeof(out)), "caf\xc3\xa9");
	assert_string_equal(utf8_clean("a\xff"
	                               "b",
	                               out, sizeof(out)),
	                    "a\xef\xbf\xbd"
	                    "b");
	assert_string_equal(utf8_clean("\xed\xa0\x80", out, sizeof(out)),
	                    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* Never half a character: "ab" + U+2713 needs 5 bytes and a NUL. */
	assert_string_equal(utf8_clean("ab\xe2\x9c\x93", out, 5), "ab");
	assert_string_equal(utf8_clean("ab\xe2\x9c\x93", out, 6), "ab\xe2\x9c\x93");
	assert_string_equal(utf8_clean("ab\xff", out, 5), "ab");
	assert_string_equal(utf8_clean("abc", out, 1), "");
}

/* Long strings are scanned eight bytes at a time: every byte value at
 * every place in a word is escaped as it is alone. */
static void test_every_byte_in_a_run(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		char alone[2] = { (char)c, '\0' };
		char *esc = one(alone, 1); /* "\"...\"" */
		size_t elen = strlen(esc) - 2;
		for (size_t at = 0; at < 24; at++) {
			char in[24], want[64];
			memset(in, 'a', sizeof(in));
			in[at] = (char)c;
			size_t k = 0;
			want[k++] = '"';
			memset(want + k, 'a', at);
			k += at;
			memcpy(want + k, esc + 1, elen);
			k += elen;
			memset(want + k, 'a', sizeof(in) - at - 1);
			k += sizeof(in) - at - 1;
			want[k++] = '"';
			want[k] = '\0';
			char *got = one(in, sizeof(in));
			assert_string_equal(got, want);
			free(got);
		}
		free(esc);
	}
}

/* One document, written with the writer the test gives. */
static char *doc(const char *const *keep)
{
	struct jsonw w;
	if (keep != NULL)
		jsonw_init_keep(&w, keep);
	else
		jsonw_init(&w);
	jsonw_obj(&w);
	jsonw_kstr(&w, "domain", "a.example");
	jsonw_key(&w, "spf");
	jsonw_obj(&w);
	jsonw_kstr(&w, "record", "v=spf1 -all");
	jsonw_key(&w, "tree");
	jsonw_obj(&w);
	jsonw_key(&w, "children");
	jsonw_arr(&w);
	for (int i = 0; i < 2; i++) {
		jsonw_obj(&w);
		jsonw_kstr(&w, "via", i ? "include:b" : "include:a");
		jsonw_kint(&w, "lookups", 3);
		jsonw_key(&w, "children");
		jsonw_arr(&w);
		jsonw_obj(&w);
		jsonw_kstr(&w, "via", "include:deep");
		jsonw_end_obj(&w);
		jsonw_end_arr(&w);
		jsonw_end_obj(&w);
	}
	jsonw_end_arr(&w);
	jsonw_end_obj(&w);
	jsonw_end_obj(&w);
	jsonw_key(&w, "mx");
	jsonw_obj(&w);
	jsonw_kint(&w, "records", 2);
	jsonw_key(&w, "hosts");
	jsonw_arr(&w);
	jsonw_str(&w, "m1");
	jsonw_str(&w, "m2");
	jsonw_end_arr(&w);
	jsonw_key(&w, "vmc");
	jsonw_obj(&w);
	jsonw_kstr(&w, "type", "VMC");
	jsonw_knull(&w, "issuer");
	jsonw_end_obj(&w);
	jsonw_end_obj(&w);
	jsonw_kbool(&w, "conclusive", true);
	jsonw_end_obj(&w);
	char *out = jsonw_finish(&w);
	assert_non_null(out);
	return out;
}

/* A projection keeps the listed paths, the containers leading to them
 * and whole kept subtrees, at the places the full document has them, and
 * leaves out everything else (keys, values and commas). */
static void test_keep(void **state)
{
	(void)state;
	static const char *const keep[] = { "$.spf.tree.children[].via", "$.mx.hosts[]", "$.mx.vmc",
		                            "$.conclusive", NULL };
	static const char *const none[] = { NULL };
	static const char *const rec[] = { "$.spf.record", "$.nothing.here", NULL };
	char *full = doc(NULL), *part = doc(keep), *empty = doc(none), *one_key = doc(rec);
	assert_string_equal(full,
	                    "{\"domain\":\"a.example\",\"spf\":{\"record\":\"v=spf1 -all\","
	                    "\"tree\":{\"children\":[{\"via\":\"include:a\",\"lookups\":3,"
	                    "\"children\":[{\"via\":\"include:deep\"}]},{\"via\":\"include:b\","
	                    "\"lookups\":3,\"children\":[{\"via\":\"include:deep\"}]}]}},"
	                    "\"mx\":{\"records\":2,\"hosts\":[\"m1\",\"m2\"],\"vmc\":{"
	                    "\"type\":\"VMC\",\"issuer\":null}},\"conclusive\":true}");
	assert_string_equal(part,
	                    "{\"spf\":{\"tree\":{\"children\":[{\"via\":\"include:a\"},"
	                    "{\"via\":\"include:b\"}]}},\"mx\":{\"hosts\":[\"m1\",\"m2\"],"
	                    "\"vmc\":{\"type\":\"VMC\",\"issuer\":null}},\"conclusive\":true}");
	assert_string_equal(empty, "{}");
	assert_string_equal(one_key, "{\"spf\":{\"record\":\"v=spf1 -all\"}}");
	free(full);
	free(part);
	free(empty);
	free(one_key);
}

/* Nesting deeper than the projection follows is left out, and the
 * writer stays balanced after it. */
static void test_keep_deep(void **state)
{
	(void)state;
	static const char *const keep[] = { "$.a", "$.b", NULL };
	struct jsonw w;
	jsonw_init_keep(&w, keep);
	jsonw_obj(&w);
	jsonw_key(&w, "a");
	for (int i = 0; i < JSONW_KEEP_DEPTH + 3; i++)
		jsonw_arr(&w);
	for (int i = 0; i < JSONW_KEEP_DEPTH + 3; i++)
		jsonw_end_arr(&w);
	jsonw_kint(&w, "b", 7);
	jsonw_end_obj(&w);
	char *out = jsonw_finish(&w);
	assert_non_null(out);
	/* The top object is level 1: "a" opens JSONW_KEEP_DEPTH - 1 arrays. */
	char want[128];
	size_t n = (size_t)snprintf(want, sizeof(want), "{\"a\":");
	for (int i = 0; i < JSONW_KEEP_DEPTH - 1; i++)
		want[n++] = '[';
	for (int i = 0; i < JSONW_KEEP_DEPTH - 1; i++)
		want[n++] = ']';
	snprintf(want + n, sizeof(want) - n, ",\"b\":7}");
	assert_string_equal(out, want);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),       cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_same_as_jansson), cmocka_unit_test(test_large_and_to_json),
		cmocka_unit_test(test_utf8_clean),      cmocka_unit_test(test_every_byte_in_a_run),
		cmocka_unit_test(test_kstrn_nul),       cmocka_unit_test(test_keep),
		cmocka_unit_test(test_keep_deep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
