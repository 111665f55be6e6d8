/*
 * Unit tests for mailhdr.c against mailhdr.h.
 *
 * Every expected offset was counted by hand from the literal above it
 * (the counts are written out in the comments), every expected value
 * read off the input. Encoded words: the base64 and Q texts were made
 * from the characters named (café is 63 61 66 c3 a9, テスト is
 * e3 83 86 e3 82 b9 e3 83 88 in UTF-8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailhdr.h"

static void parse(const char *text, size_t len, size_t fields_max, size_t value_max,
                  struct mailhdr *h)
{
	assert_int_equal(mailhdr_parse((const uint8_t *)text, len, fields_max, value_max, h), 0);
}

/* ---- the header section ---- */

static void test_fold_crlf(void **state)
{
	/* "Subject: one\r\n" 0-13, " two\r\n" 14-19, "\tthree\r\n" 20-27,
	 * "To: a@b\r\n" 28-36, "\r\n" 37-38, "body" from 39. */
	static const char text[] = "Subject: one\r\n two\r\n\tthree\r\nTo: a@b\r\n\r\nbody";
	struct mailhdr h;

	(void)state;
	parse(text, sizeof(text) - 1, 100, 1000, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.v[0].name, "Subject");
	assert_string_equal(h.v[0].value, "one two\tthree");
	assert_int_equal(h.v[0].raw_off, 0);
	assert_int_equal(h.v[0].raw_len, 26); /* through "\tthree", its CRLF left out */
	assert_false(h.v[0].truncated);
	assert_false(h.v[0].eight_bit);
	assert_string_equal(h.v[1].name, "To");
	assert_string_equal(h.v[1].value, "a@b");
	assert_int_equal(h.v[1].raw_off, 28);
	assert_int_equal(h.v[1].raw_len, 7);
	assert_int_equal(h.body_off, 39);
	assert_true(h.blank_line);
	assert_true(h.crlf);
	assert_false(h.dropped);
	assert_int_equal(h.bad_lines, 0);
	/* The raw bytes are the field as sent, folds and all. */
	assert_memory_equal(text + h.v[0].raw_off, "Subject: one\r\n two\r\n\tthree", 26);
	mailhdr_free(&h);
	assert_int_equal(h.n, 0);
	assert_null(h.v);
}

static void test_fold_lf(void **state)
{
	/* "Subject: one\n" 0-12, " two\n" 13-17, "\tthree\n" 18-24,
	 * "To: a@b\n" 25-32, "\n" 33, "body" from 34. */
	static const char text[] = "Subject: one\n two\n\tthree\nTo: a@b\n\nbody";
	struct mailhdr h;

	(void)state;
	parse(text, sizeof(text) - 1, 100, 1000, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.v[0].value, "one two\tthree");
	assert_int_equal(h.v[0].raw_off, 0);
	assert_int_equal(h.v[0].raw_len, 24);
	assert_int_equal(h.v[1].raw_off, 25);
	assert_int_equal(h.v[1].raw_len, 7);
	assert_int_equal(h.body_off, 34);
	assert_true(h.blank_line);
	assert_false(h.crlf);
	mailhdr_free(&h);
}

/* RFC 5322 4.5: white space before the colon; values are trimmed. */
static void test_obs_colon(void **state)
{
	/* "X-Obs \t:  v  " is 13 bytes; "Empty:" 6. */
	static const char text[] = "X-Obs \t:  v  \nEmpty:\n\n";
	struct mailhdr h;

	(void)state;
	parse(text, sizeof(text) - 1, 100, 1000, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.v[0].name, "X-Obs");
	assert_string_equal(h.v[0].value, "v");
	assert_int_equal(h.v[0].raw_len, 13);
	assert_string_equal(h.v[1].name, "Empty");
	assert_string_equal(h.v[1].value, "");
	assert_int_equal(h.v[1].raw_off, 14);
	assert_int_equal(h.v[1].raw_len, 6);
	mailhdr_free(&h);
}

static void test_eight_bit(void **state)
{
	static const char text[] = "Subject: caf\xc3\xa9\nX-Legacy: \xe9t\xe9\nTo: a@b\n\n";
	struct mailhdr h;

	(void)state;
	parse(text, sizeof(text) - 1, 100, 1000, &h);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.v[0].value, "caf\xc3\xa9");
	assert_true(h.v[0].eight_bit);
	assert_string_equal(h.v[1].value, "\xe9t\xe9");
	assert_true(h.v[1].eight_bit);
	assert_false(h.v[2].eight_bit);
	mailhdr_free(&h);
}

/* NUL bytes are dropped from values; a NUL in a name makes no field. */
static void test_nul(void **state)
{
	/* "Subject: a\0b\n" is 13 bytes: the body starts at "X\0Y: z". */
	static const char text[] = "Subject: a\0b\nX\0Y: z\nTo: c\n\n";
	struct mailhdr h;

	(void)state;
	parse(text, sizeof(text) - 1, 100, 1000, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].value, "ab");
	assert_int_equal(h.v[0].raw_len, 12);
	assert_int_equal(h.body_off, 13);
	assert_false(h.blank_line);
	assert_int_equal(h.bad_lines, 1);
	mailhdr_free(&h);
}

static void test_caps(void **state)
{
	static const char three[] = "A: 1\nB: 2\nC: 3\n\nbody";
	static const char longv[] = "Subject: abcdefgh\nX: abcde   \nY: ab cd\nZ:  abcde f\n";
	struct mailhdr h;

	(void)state;
	/* fields_max: the third field is read (the body still starts after
	 * the empty line) but not kept. */
	parse(three, sizeof(three) - 1, 2, 1000, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.v[1].name, "B");
	assert_true(h.dropped);
	assert_int_equal(h.body_off, 16);
	mailhdr_free(&h);
	/* value_max 5: "abcdefgh" is cut; trailing white space past the cap
	 * is no truncation; the space after the colon does not count. */
	parse(longv, sizeof(longv) - 1, 100, 5, &h);
	assert_int_equal(h.n, 4);
	assert_string_equal(h.v[0].value, "abcde");
	assert_true(h.v[0].truncated);
	assert_string_equal(h.v[1].value, "abcde");
	assert_false(h.v[1].truncated);
	assert_string_equal(h.v[2].value, "ab cd");
	assert_false(h.v[2].truncated);
	assert_string_equal(h.v[3].value, "abcde");
	assert_true(h.v[3].truncated);
	/* raw_len is the field as sent, whatever the cap. */
	assert_int_equal(h.v[0].raw_len, 17);
	assert_false(h.dropped);
	mailhdr_free(&h);
	/* fields_max 0 keeps nothing. */
	parse(three, sizeof(three) - 1, 0, 1000, &h);
	assert_int_equal(h.n, 0);
	assert_true(h.dropped);
	mailhdr_free(&h);
}

static void test_mbox_from(void **state)
{
	/* "From a@b Mon Jan  1 00:00:00 2024\n" is 34 bytes, "Subject: x\n"
	 * 11, "\n" 1: the body starts at 46. */
	static const char text[] = "From a@b Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody";
	struct mailhdr h;

	(void)state;
	parse(text, sizeof(text) - 1, 100, 1000, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].name, "Subject");
	assert_int_equal(h.v[0].raw_off, 34);
	assert_int_equal(h.v[0].raw_len, 10);
	assert_int_equal(h.body_off, 46);
	assert_int_equal(h.bad_lines, 0);
	mailhdr_free(&h);
}

static void test_no_body(void **state)
{
	struct mailhdr h;

	(void)state;
	/* No empty line and no line end at the end: "B: 2" is 5-8. */
	parse("A: 1\nB: 2", 9, 100, 1000, &h);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.v[1].raw_off, 5);
	assert_int_equal(h.v[1].raw_len, 4);
	assert_string_equal(h.v[1].value, "2");
	assert_int_equal(h.body_off, 9);
	assert_false(h.blank_line);
	assert_int_equal(h.bad_lines, 0);
	mailhdr_free(&h);
	/* A fold with no field above it is skipped and counted. */
	parse(" lead\nA: 1\n\n", 12, 100, 1000, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.v[0].raw_off, 6);
	assert_int_equal(h.bad_lines, 1);
	assert_int_equal(h.body_off, 12);
	mailhdr_free(&h);
	/* Nothing at all, and an empty first line. */
	parse("", 0, 100, 1000, &h);
	assert_int_equal(h.n, 0);
	assert_int_equal(h.body_off, 0);
	assert_false(h.blank_line);
	mailhdr_free(&h);
	parse("\nA: 1\n", 6, 100, 1000, &h);
	assert_int_equal(h.n, 0);
	assert_int_equal(h.body_off, 1);
	assert_true(h.blank_line);
	mailhdr_free(&h);
	/* A folded last line without a line end. */
	parse("A: 1\n 2", 7, 100, 1000, &h);
	assert_string_equal(h.v[0].value, "1 2");
	assert_int_equal(h.v[0].raw_len, 7);
	mailhdr_free(&h);
}

static void test_lookup(void **state)
{
	static const char text[] = "Received: a\nreceived: b\nFrom: x@y\nRECEIVED: c\n\n";
	struct mailhdr h;

	(void)state;
	parse(text, sizeof(text) - 1, 100, 1000, &h);
	assert_int_equal(mailhdr_count(&h, "Received"), 3);
	assert_int_equal(mailhdr_count(&h, "from"), 1);
	assert_int_equal(mailhdr_count(&h, "Subject"), 0);
	assert_string_equal(mailhdr_get(&h, "RECEIVED")->value, "a");
	assert_string_equal(mailhdr_get(&h, "from")->value, "x@y");
	assert_null(mailhdr_get(&h, "Fro"));
	assert_null(mailhdr_get(&h, "From:"));
	assert_true(mailhdr_is(&h.v[3], "received"));
	assert_false(mailhdr_is(&h.v[3], "receive"));
	assert_false(mailhdr_is(NULL, "received"));
	mailhdr_free(&h);
}

/* ---- RFC 2047 encoded words ---- */

static void decodes(const char *in, const char *want)
{
	char out[256];
	size_t n = mailhdr_decode_words(in, out, sizeof(out));

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_words_charsets(void **state)
{
	(void)state;
	decodes("=?UTF-8?B?Y2Fmw6k=?=", "caf\xc3\xa9");
	decodes("=?utf-8?b?Y2Fmw6k?=", "caf\xc3\xa9"); /* lower case, padding left out */
	decodes("=?ISO-8859-1?Q?caf=E9_au_lait?=", "caf\xc3\xa9 au lait");
	decodes("=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=", "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88");
	/* RFC 2231 5: a language after '*' is ignored. */
	decodes("=?UTF-8*en?Q?hi?=", "hi");
	/* Text around words is kept as it is. */
	decodes("Re: =?UTF-8?Q?caf=C3=A9?= ok", "Re: caf\xc3\xa9 ok");
	decodes("plain text", "plain text");
	decodes("", "");
	/* A decoded NUL would end the string: it is left out. */
	decodes("=?UTF-8?Q?a=00b?=", "ab");
}

static void test_words_adjacent(void **state)
{
	(void)state;
	/* RFC 2047 6.2: white space between encoded words goes. */
	decodes("=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab");
	decodes("x =?UTF-8?Q?a?=  \t=?UTF-8?Q?b?= y", "x ab y");
	/* A character split across two words (as senders do) is joined. */
	decodes("=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?=", "caf\xc3\xa9");
	/* Two charsets side by side: each decoded, the space still dropped. */
	decodes("=?UTF-8?Q?a?= =?ISO-8859-1?Q?=E9?=", "a\xc3\xa9");
	/* Text between words keeps its spaces. */
	decodes("=?UTF-8?Q?a?= - =?UTF-8?Q?b?=", "a - b");
}

static void test_words_broken(void **state)
{
	(void)state;
	/* Not base64, a bad Q escape, an unknown charset, bytes that are
	 * not UTF-8: each kept as written. */
	decodes("=?UTF-8?B?###?=", "=?UTF-8?B?###?=");
	decodes("=?UTF-8?Q?=ZZ?=", "=?UTF-8?Q?=ZZ?=");
	decodes("=?x-no-such-charset?Q?a?=", "=?x-no-such-charset?Q?a?=");
	decodes("=?UTF-8?Q?=FF?=", "=?UTF-8?Q?=FF?=");
	/* An encoding other than B or Q, and words that never close. */
	decodes("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=");
	decodes("=?UTF-8?Q?abc", "=?UTF-8?Q?abc");
	decodes("a =? b ?= c", "a =? b ?= c");
	/* A broken word next to a good one: the space before it stays. */
	decodes("=?UTF-8?Q?a?= =?x-no-such-charset?Q?b?=", "a =?x-no-such-charset?Q?b?=");
	decodes("=?UTF-8?B?###?= =?UTF-8?Q?b?=", "=?UTF-8?B?###?= b");
}

static void test_words_bounded(void **state)
{
	char out[6];
	char one[1];

	(void)state;
	/* "ééé" is 6 bytes; 5 fit, and the cut falls before the third é. */
	assert_int_equal(mailhdr_decode_words("=?UTF-8?B?w6nDqcOp?=", out, sizeof(out)), 4);
	assert_string_equal(out, "\xc3\xa9\xc3\xa9");
	assert_int_equal(mailhdr_decode_words("abcdefgh", out, sizeof(out)), 5);
	assert_string_equal(out, "abcde");
	assert_int_equal(mailhdr_decode_words("abc", one, sizeof(one)), 0);
	assert_string_equal(one, "");
	assert_int_equal(mailhdr_decode_words("abc", one, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_crlf),
		cmocka_unit_test(test_fold_lf),
		cmocka_unit_test(test_obs_colon),
		cmocka_unit_test(test_eight_bit),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_mbox_from),
		cmocka_unit_test(test_no_body),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_words_charsets),
		cmocka_unit_test(test_words_adjacent),
		cmocka_unit_test(test_words_broken),
		cmocka_unit_test(test_words_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
