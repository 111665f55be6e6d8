/*
 * Unit tests for fb_unpack.c against fb_unpack.h: the fixtures of
 * tests/fixtures/dmarc-reports/ (their README says where they come
 * from) inflate to exactly the bytes of their plain copies; concatenated,
 * truncated and corrupt gzip; zip archives built here with libzip
 * (directories, encryption, more than FB_ZIP_ENTRIES entries, a corrupt
 * entry); and bombs: a gzip stream and a zip entry that inflate past
 * their caps are refused with "inflates past", with no output. Tests run
 * from the top of the tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zip.h>
#define ZLIB_CONST
#include <zlib.h>

#include "fb_unpack.h"

#define FIX "tests/fixtures/dmarc-reports/"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (f == NULL)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)size, f);
	assert_int_equal(*len, (size_t)size);
	fclose(f);
	return buf;
}

/* A gzip member of in (zlib's deflate with the gzip wrapper). */
static uint8_t *gzip_of(const uint8_t *in, size_t len, size_t *outlen)
{
	z_stream z;
	size_t cap;
	uint8_t *out;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY),
	                 Z_OK);
	cap = deflateBound(&z, (uLong)len) + 64;
	out = malloc(cap);
	assert_non_null(out);
	z.next_in = in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

struct zent {
	const char *name;
	const void *data;
	size_t len;
	int dir;
	int encrypt;
};

/* A zip archive of the entries, built with libzip in memory. */
static uint8_t *zip_of(const struct zent *e, size_t n, size_t *outlen)
{
	zip_error_t ze;
	zip_source_t *mem;
	zip_t *za;
	zip_int64_t size;
	uint8_t *buf;

	zip_error_init(&ze);
	mem = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(mem);
	zip_source_keep(mem);
	za = zip_open_from_source(mem, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	for (size_t i = 0; i < n; i++) {
		if (e[i].dir) {
			assert_true(zip_dir_add(za, e[i].name, 0) >= 0);
			continue;
		}
		zip_source_t *s = zip_source_buffer(za, e[i].data, e[i].len, 0);
		assert_non_null(s);
		zip_int64_t idx = zip_file_add(za, e[i].name, s, ZIP_FL_OVERWRITE);
		assert_true(idx >= 0);
		if (e[i].encrypt)
			assert_int_equal(zip_file_set_encryption(za, (zip_uint64_t)idx,
			                                         ZIP_EM_AES_256, "pw"),
			                 0);
	}
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(zip_source_open(mem), 0);
	assert_int_equal(zip_source_seek(mem, 0, SEEK_END), 0);
	size = zip_source_tell(mem);
	assert_true(size > 0);
	assert_int_equal(zip_source_seek(mem, 0, SEEK_SET), 0);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(zip_source_read(mem, buf, (zip_uint64_t)size), size);
	zip_source_close(mem);
	zip_source_free(mem);
	zip_error_fini(&ze);
	*outlen = (size_t)size;
	return buf;
}

static void test_magic(void **state)
{
	(void)state;
	assert_true(fb_is_gzip((const uint8_t *)"\x1f\x8b\x08", 3));
	assert_false(fb_is_gzip((const uint8_t *)"\x1f", 1));
	assert_false(fb_is_gzip((const uint8_t *)"<?xml", 5));
	assert_true(fb_is_zip((const uint8_t *)"PK\3\4xx", 6));
	assert_true(fb_is_zip((const uint8_t *)"PK\5\6", 4));
	assert_false(fb_is_zip((const uint8_t *)"PK\1\2", 4));
	assert_false(fb_is_zip((const uint8_t *)"PK", 2));
}

/* extract_report/nice-input.xml.gz inflates to exactly nice-input.xml. */
static void test_gunzip_fixture(void **state)
{
	size_t glen, xlen, outlen;
	uint8_t *gz = slurp(FIX "extract_report/nice-input.xml.gz", &glen);
	uint8_t *xml = slurp(FIX "extract_report/nice-input.xml", &xlen);
	uint8_t *out;
	char err[FB_ERROR] = "";

	(void)state;
	assert_true(fb_is_gzip(gz, glen));
	assert_int_equal(fb_gunzip(gz, glen, FB_MEMBER_MAX, &out, &outlen, err, sizeof(err)), 0);
	assert_int_equal(outlen, 15159); /* ls -l nice-input.xml */
	assert_int_equal(outlen, xlen);
	assert_memory_equal(out, xml, xlen);
	assert_int_equal(out[outlen], '\0');
	free(out);
	free(gz);
	free(xml);
}

/* aggregate/fastmail...xml.gz: 1146 bytes of XML (zcat | wc -c). */
static void test_gunzip_fastmail(void **state)
{
	size_t glen, outlen;
	uint8_t *gz = slurp(
	        FIX "aggregate/fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz",
	        &glen);
	uint8_t *out;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(fb_gunzip(gz, glen, FB_MEMBER_MAX, &out, &outlen, err, sizeof(err)), 0);
	assert_int_equal(outlen, 1146);
	assert_memory_equal(out, "<?xml version=\"1.0\"?>\n<feedback>", 32);
	free(out);
	free(gz);
}

/* RFC 1952 2.2: members one after another are one stream. */
static void test_gunzip_members(void **state)
{
	size_t alen, blen, outlen;
	uint8_t *a = gzip_of((const uint8_t *)"hello ", 6, &alen);
	uint8_t *b = gzip_of((const uint8_t *)"world", 5, &blen);
	uint8_t *both = malloc(alen + blen + 4), *out;
	char err[FB_ERROR] = "";

	(void)state;
	memcpy(both, a, alen);
	memcpy(both + alen, b, blen);
	assert_int_equal(fb_gunzip(both, alen + blen, 100, &out, &outlen, err, sizeof(err)), 0);
	assert_int_equal(outlen, 11);
	assert_string_equal((char *)out, "hello world");
	free(out);
	/* Trailing bytes that start no member are ignored, as gzip(1) does. */
	memcpy(both + alen + blen, "\0\0\0\0", 4);
	assert_int_equal(fb_gunzip(both, alen + blen + 4, 100, &out, &outlen, err, sizeof(err)), 0);
	assert_string_equal((char *)out, "hello world");
	free(out);
	free(a);
	free(b);
	free(both);
}

static void test_gunzip_broken(void **state)
{
	size_t glen, outlen;
	uint8_t *gz = slurp(FIX "extract_report/nice-input.xml.gz", &glen);
	uint8_t *out = (uint8_t *)"x";
	char err[FB_ERROR] = "";

	(void)state;
	/* Cut in half: truncated. */
	assert_int_equal(fb_gunzip(gz, glen / 2, FB_MEMBER_MAX, &out, &outlen, err, sizeof(err)),
	                 -1);
	assert_null(out);
	assert_non_null(strstr(err, "truncated gzip data"));
	/* Without its 8-byte trailer (CRC-32, ISIZE): truncated too. */
	assert_int_equal(fb_gunzip(gz, glen - 8, FB_MEMBER_MAX, &out, &outlen, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "truncated gzip data"));
	/* A byte of the CRC-32 changed: corrupt. */
	gz[glen - 6] ^= 0x55;
	assert_int_equal(fb_gunzip(gz, glen, FB_MEMBER_MAX, &out, &outlen, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "corrupt gzip data"));
	gz[glen - 6] ^= 0x55;
	/* Not gzip at all. */
	assert_int_equal(fb_gunzip((const uint8_t *)"<?xml version", 13, FB_MEMBER_MAX, &out,
	                           &outlen, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "corrupt gzip data"));
	assert_int_equal(fb_gunzip(gz, 0, FB_MEMBER_MAX, &out, &outlen, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	free(gz);
}

/* A member of exactly cap bytes passes; one byte more is refused. */
static void test_gunzip_cap_edge(void **state)
{
	size_t n = 100000, glen, outlen;
	uint8_t *plain = malloc(n), *gz, *out;
	char err[FB_ERROR] = "";

	(void)state;
	for (size_t i = 0; i < n; i++)
		plain[i] = (uint8_t)(i * 7 + i / 13);
	gz = gzip_of(plain, n, &glen);
	assert_int_equal(fb_gunzip(gz, glen, n, &out, &outlen, err, sizeof(err)), 0);
	assert_int_equal(outlen, n);
	assert_memory_equal(out, plain, n);
	free(out);
	assert_int_equal(fb_gunzip(gz, glen, n - 1, &out, &outlen, err, sizeof(err)), -1);
	assert_null(out);
	assert_string_equal(err, "inflates past 99999 bytes");
	free(gz);
	free(plain);
}

/* The bomb: 64 MiB of zeros deflate to about 64 KiB; with the real cap
 * the stream is refused once FB_MEMBER_MAX + 1 bytes are out. */
static void test_gunzip_bomb(void **state)
{
	size_t n = (size_t)64 << 20, glen, outlen = 1;
	uint8_t *zeros = calloc(n, 1), *gz, *out = (uint8_t *)"x";
	char err[FB_ERROR] = "", want[FB_ERROR];

	(void)state;
	assert_non_null(zeros);
	gz = gzip_of(zeros, n, &glen);
	free(zeros);
	assert_true(glen < (size_t)(256 << 10)); /* a ratio over 250:1 */
	assert_int_equal(fb_gunzip(gz, glen, FB_MEMBER_MAX, &out, &outlen, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "inflates past %u bytes", FB_MEMBER_MAX);
	assert_string_equal(err, want);
	assert_null(out);
	assert_int_equal(outlen, 0);
	/* A small cap: refused just the same. */
	assert_int_equal(fb_gunzip(gz, glen, 4096, &out, &outlen, err, sizeof(err)), -1);
	assert_string_equal(err, "inflates past 4096 bytes");
	assert_null(out);
	free(gz);
}

/* extract_report/nice-input.xml.zip holds nice-input.xml, byte for byte. */
static void test_unzip_fixture(void **state)
{
	size_t zlen, xlen, n = 0;
	uint8_t *zipd = slurp(FIX "extract_report/nice-input.xml.zip", &zlen);
	uint8_t *xml = slurp(FIX "extract_report/nice-input.xml", &xlen);
	struct fb_zip_entry *e;
	char err[FB_ERROR] = "";

	(void)state;
	assert_true(fb_is_zip(zipd, zlen));
	assert_int_equal(
	        fb_unzip(zipd, zlen, FB_MEMBER_MAX, FB_TOTAL_MAX, &e, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].name, "nice-input.xml");
	assert_string_equal(e[0].error, "");
	assert_int_equal(e[0].len, xlen);
	assert_memory_equal(e[0].data, xml, xlen);
	assert_int_equal(e[0].data[e[0].len], '\0');
	fb_zip_free(e, n);
	free(zipd);
	free(xml);
}

/* aggregate/estadocuenta1...xml.zip: one entry of 887 bytes (unzip -l). */
static void test_unzip_aggregate(void **state)
{
	size_t zlen, n = 0;
	uint8_t *zipd = slurp(FIX "aggregate/estadocuenta1.infonacot.gob.mx!example.com!1536853302!"
	                          "1536939702!2940.xml.zip",
	                      &zlen);
	struct fb_zip_entry *e;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(
	        fb_unzip(zipd, zlen, FB_MEMBER_MAX, FB_TOTAL_MAX, &e, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(
	        e[0].name,
	        "estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml");
	assert_int_equal(e[0].len, 887);
	assert_memory_equal(e[0].data, "<?xml", 5);
	fb_zip_free(e, n);
	free(zipd);
}

static void test_unzip_broken(void **state)
{
	size_t zlen, n = 9;
	uint8_t *zipd = slurp(FIX "extract_report/nice-input.xml.zip", &zlen);
	struct fb_zip_entry *e = (struct fb_zip_entry *)1;
	char err[FB_ERROR] = "";

	(void)state;
	/* Cut in half: no end of central directory. */
	assert_int_equal(
	        fb_unzip(zipd, zlen / 2, FB_MEMBER_MAX, FB_TOTAL_MAX, &e, &n, err, sizeof(err)),
	        -1);
	assert_null(e);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, "not a readable zip archive"));
	assert_int_equal(fb_unzip((const uint8_t *)"PK\3\4garbage", 11, FB_MEMBER_MAX, FB_TOTAL_MAX,
	                          &e, &n, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "not a readable zip archive"));
	assert_int_equal(fb_unzip(zipd, 0, FB_MEMBER_MAX, FB_TOTAL_MAX, &e, &n, err, sizeof(err)),
	                 -1);
	/* A byte of the compressed data changed (the local header is 30
	 * bytes + the 14-byte name + 28 bytes of extra field before it; the
	 * data is over 900 bytes): the archive opens, the entry fails. */
	zipd[400] ^= 0xff;
	assert_int_equal(
	        fb_unzip(zipd, zlen, FB_MEMBER_MAX, FB_TOTAL_MAX, &e, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_null(e[0].data);
	assert_non_null(strstr(e[0].error, "corrupt entry"));
	fb_zip_free(e, n);
	free(zipd);
}

/* Directories are skipped; an encrypted entry fails alone. */
static void test_unzip_dirs_encrypted(void **state)
{
	const struct zent ents[] = {
		{ "dir/", NULL, 0, 1, 0 },
		{ "dir/a.xml", "<a/>", 4, 0, 0 },
		{ "secret.xml", "<secret/>", 9, 0, 1 },
		{ "b.xml", "<b/>", 4, 0, 0 },
	};
	size_t zlen, n;
	uint8_t *zipd = zip_of(ents, 4, &zlen);
	struct fb_zip_entry *e;
	char err[FB_ERROR] = "";

	(void)state;
	assert_int_equal(
	        fb_unzip(zipd, zlen, FB_MEMBER_MAX, FB_TOTAL_MAX, &e, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(e[0].name, "dir/a.xml");
	assert_string_equal((char *)e[0].data, "<a/>");
	assert_string_equal(e[1].name, "secret.xml");
	assert_null(e[1].data);
	assert_non_null(strstr(e[1].error, "encrypted"));
	assert_string_equal(e[2].name, "b.xml");
	assert_string_equal((char *)e[2].data, "<b/>");
	fb_zip_free(e, n);
	free(zipd);
}

/* More than FB_ZIP_ENTRIES files: the first FB_ZIP_ENTRIES are read and
 * one last entry says the rest were skipped. */
static void test_unzip_many(void **state)
{
	struct zent ents[FB_ZIP_ENTRIES + 6];
	char names[FB_ZIP_ENTRIES + 6][16];
	size_t zlen, n;
	uint8_t *zipd;
	struct fb_zip_entry *e;
	char err[FB_ERROR] = "";

	(void)state;
	for (int i = 0; i < FB_ZIP_ENTRIES + 6; i++) {
		snprintf(names[i], sizeof(names[i]), "f%02d.xml", i);
		ents[i] = (struct zent){ names[i], "x", 1, 0, 0 };
	}
	zipd = zip_of(ents, FB_ZIP_ENTRIES + 6, &zlen);
	assert_int_equal(
	        fb_unzip(zipd, zlen, FB_MEMBER_MAX, FB_TOTAL_MAX, &e, &n, err, sizeof(err)), 0);
	assert_int_equal(n, FB_ZIP_ENTRIES + 1);
	assert_string_equal(e[FB_ZIP_ENTRIES - 1].name, "f63.xml");
	assert_string_equal((char *)e[FB_ZIP_ENTRIES - 1].data, "x");
	assert_null(e[FB_ZIP_ENTRIES].data);
	assert_string_equal(e[FB_ZIP_ENTRIES].name, "entries 65 to 70");
	assert_non_null(strstr(e[FB_ZIP_ENTRIES].error, "more than 64 files"));
	fb_zip_free(e, n);
	free(zipd);
}

/* The zip bomb: one entry of FB_MEMBER_MAX + 1 MiB zeros is refused at
 * the real cap; the small entry beside it is still read. */
static void test_unzip_bomb(void **state)
{
	size_t big = (size_t)FB_MEMBER_MAX + (1u << 20), zlen, n;
	uint8_t *zeros = calloc(big, 1), *zipd;
	struct fb_zip_entry *e;
	char err[FB_ERROR] = "", want[FB_ERROR];
	struct zent ents[2] = { { "bomb.xml", NULL, 0, 0, 0 }, { "ok.xml", "<ok/>", 5, 0, 0 } };

	(void)state;
	assert_non_null(zeros);
	ents[0].data = zeros;
	ents[0].len = big;
	zipd = zip_of(ents, 2, &zlen);
	free(zeros);
	assert_true(zlen < (size_t)(1u << 20));
	assert_int_equal(
	        fb_unzip(zipd, zlen, FB_MEMBER_MAX, FB_TOTAL_MAX, &e, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].name, "bomb.xml");
	assert_null(e[0].data);
	assert_int_equal(e[0].len, 0);
	snprintf(want, sizeof(want), "inflates past %u bytes", FB_MEMBER_MAX);
	assert_string_equal(e[0].error, want);
	assert_string_equal((char *)e[1].data, "<ok/>");
	fb_zip_free(e, n);
	free(zipd);
}

/* The sizes an archive states are not trusted: the bomb's central
 * directory and local header are made to claim 100 bytes, and a small
 * cap still refuses it. */
static void test_unzip_lying_sizes(void **state)
{
	size_t big = (size_t)8 << 20, zlen, n;
	uint8_t *zeros = calloc(big, 1), *zipd;
	struct fb_zip_entry *e;
	char err[FB_ERROR] = "";
	struct zent ent = { "bomb.xml", NULL, 0, 0, 0 };
	int patched = 0;

	(void)state;
	assert_non_null(zeros);
	ent.data = zeros;
	ent.len = big;
	zipd = zip_of(&ent, 1, &zlen);
	free(zeros);
	/* APPNOTE 4.3.7 (local header: uncompressed size at 22) and 4.3.12
	 * (central header: at 24); libzip writes no zip64 fields here. */
	for (size_t i = 0; i + 46 < zlen; i++) {
		if (memcmp(zipd + i, "PK\3\4", 4) == 0 && i == 0) {
			memcpy(zipd + i + 22, "\x64\0\0\0", 4);
			patched++;
		} else if (memcmp(zipd + i, "PK\1\2", 4) == 0) {
			memcpy(zipd + i + 24, "\x64\0\0\0", 4);
			patched++;
		}
	}
	assert_int_equal(patched, 2);
	assert_int_equal(fb_unzip(zipd, zlen, 1u << 20, FB_TOTAL_MAX, &e, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_null(e[0].data);
	assert_string_equal(e[0].error, "inflates past 1048576 bytes");
	fb_zip_free(e, n);
	free(zipd);
}

/* The archive's total cap: what the entries inflate to together. */
static void test_unzip_total_cap(void **state)
{
	size_t part = 600u << 10, zlen, n;
	uint8_t *fill = malloc(part), *zipd;
	struct fb_zip_entry *e;
	char err[FB_ERROR] = "";
	struct zent ents[3] = { { "a.xml", NULL, 0, 0, 0 },
		                { "b.xml", NULL, 0, 0, 0 },
		                { "c.xml", NULL, 0, 0, 0 } };

	(void)state;
	memset(fill, 'a', part);
	for (int i = 0; i < 3; i++) {
		ents[i].data = fill;
		ents[i].len = part;
	}
	zipd = zip_of(ents, 3, &zlen);
	assert_int_equal(fb_unzip(zipd, zlen, 1u << 20, 1u << 20, &e, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(e[0].len, part);
	assert_null(e[1].data);
	assert_string_equal(e[1].error, "the archive inflates past 1048576 bytes in all");
	assert_null(e[2].data);
	assert_non_null(strstr(e[2].error, "skipped"));
	fb_zip_free(e, n);
	free(zipd);
	free(fill);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_magic),
		cmocka_unit_test(test_gunzip_fixture),
		cmocka_unit_test(test_gunzip_fastmail),
		cmocka_unit_test(test_gunzip_members),
		cmocka_unit_test(test_gunzip_broken),
		cmocka_unit_test(test_gunzip_cap_edge),
		cmocka_unit_test(test_gunzip_bomb),
		cmocka_unit_test(test_unzip_fixture),
		cmocka_unit_test(test_unzip_aggregate),
		cmocka_unit_test(test_unzip_broken),
		cmocka_unit_test(test_unzip_dirs_encrypted),
		cmocka_unit_test(test_unzip_many),
		cmocka_unit_test(test_unzip_bomb),
		cmocka_unit_test(test_unzip_lying_sizes),
		cmocka_unit_test(test_unzip_total_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
