/*
 * Unit tests for vmc.c and logotype.c against the contracts in vmc.h and
 * logotype.h.
 *
 * Expected values were taken independently of posture:
 * - dates and chain verdicts with `openssl x509 -dates` and
 *   `openssl verify -purpose any -attime T -CAfile ROOTS -untrusted CHAIN`;
 * - subjects with `openssl x509 -subject -nameopt RFC2253,-esc_msb,utf8,
 *   -dump_unknown`;
 * - logo lengths and hashes with Python's base64, gzip and hashlib over
 *   the logotype extension's data: URI (the declared SHA-1 is of the
 *   gunzipped SVG in all five real VMCs).
 * The test CA (tests/fixtures/vmc/make-test-ca.sh) is made in a temporary
 * directory by the test itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "logotype.h"
#include "vmc.h"

#define FIX "tests/fixtures/vmc/"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	if (f == NULL)
		fail_msg("cannot open %s", path);
	buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static time_t at(const char *text)
{
	time_t t;
	if (vmc_parse_time(text, &t) != 0)
		fail_msg("bad time %s", text);
	return t;
}

static void hexs(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static const struct finding *find(const struct vmc_result *r, const char *code)
{
	for (size_t i = 0; i < r->findings.n; i++)
		if (strcmp(r->findings.v[i].code, code) == 0)
			return &r->findings.v[i];
	return NULL;
}

static void dump(const struct vmc_result *r);

/* The message of the finding with code; fails the test when there is none. */
static const char *msg(const struct vmc_result *r, const char *code)
{
	const struct finding *f = find(r, code);
	if (f != NULL)
		return f->message;
	dump(r);
	fail_msg("no %s", code);
	return "";
}

static void dump(const struct vmc_result *r)
{
	for (size_t i = 0; i < r->findings.n; i++)
		print_message("  %s: %s\n", r->findings.v[i].code, r->findings.v[i].message);
}

/* Checks file (with extra intermediates) at time with the bundled roots. */
static void check_file(const char *file, const char *extra, const char *roots, const char *domain,
                       const char *selector, const char *when, struct vmc_result *r)
{
	size_t len, xlen = 0, rlen = 0;
	uint8_t *pem = slurp(file, &len), *x = NULL, *rt = NULL;
	struct vmc_options o = { .domain = domain, .selector = selector, .at = at(when) };
	if (extra) {
		x = slurp(extra, &xlen);
		o.extra_pem = x;
		o.extra_len = xlen;
	}
	if (roots) {
		rt = slurp(roots, &rlen);
		o.roots_pem = rt;
		o.roots_len = rlen;
	}
	assert_int_equal(vmc_check(pem, len, &o, r), 0);
	free(pem);
	free(x);
	free(rt);
}

/* ---- the five real VMCs ---------------------------------------------- */

static const struct real {
	const char *file, *extra;
	const char *inside, *after; /* a time in the window, one after it */
	const char *domain;         /* one of its SAN names */
	const char *not_before, *not_after;
	const char *mark_type; /* NULL: none (issued before markType) */
	const char *domains;   /* SAN dNSNames joined with ',' */
	size_t svg_len;
	const char *svg_sha256, *svg_sha1; /* sha1: the declared hash */
} reals[] = {
	{ FIX "paypal-2021.pem", NULL, "2021-05-01", "2021-07-04", "paypal.com",
	  "2021-04-06T00:00:00Z", "2021-07-03T23:59:59Z", NULL, "paypal.com", 3097,
	  "30d4e38a34274e663e826f6f777d7dfa8bc2580631e2438e02c4049e718efede",
	  "1e718428d28c2b4eb1b3e0ed357394192ca6400c" },
	{ FIX "paypal-2025.pem", FIX "digicert-vm-rsa4096-2021-ca1.pem", "2025-05-01", "2025-09-09",
	  "PayPal.DE", "2025-03-12T00:00:00Z", "2025-09-08T23:59:59Z", "Registered Mark",
	  "paypal.co.uk,paypal.de,paypal.com", 1098,
	  "977f6761f83a0b43812636fa8efd1a34a2c766fa4b3376dafa014065c7c184dc",
	  "b4be74ff04b1d9e5770ed822c335d3bfac65970e" },
	{ FIX "valimail-2021.pem", NULL, "2022-01-01", "2022-10-02", "xn--ndk8a0af8f.com",
	  "2021-09-20T00:00:00Z", "2022-10-01T23:59:59Z", NULL,
	  "valimail.com,xn--ndk8a0af8f.com,valigov.com", 919,
	  "7170dfb5a7476750d3914c46a17752f5f25a5ae7fd0f00d0d3198b22841c3e41",
	  "1574a5a540025b7145a47ff7d44b3aa9a1f5d94b" },
	{ FIX "valimail-2023.pem", NULL, "2024-01-01T12:00:00Z", "2024-10-06", "valimail.com",
	  "2023-10-05T00:00:00Z", "2024-10-05T23:59:59Z", "Registered Mark",
	  "valigov.com,xn--ndk8a0af8f.com,valimail.com", 918,
	  "27885138768df2ee7be54b272dc131711440cd1d7c9292405e70983d3d2bbc76",
	  "f7dc58f76a0b3a2682810ed5da80100093c7d30d" },
	{ FIX "valimail-2024.pem", NULL, "2025-01-01", "2025-10-26", "vali.email",
	  "2024-09-24T00:00:00Z", "2025-10-25T23:59:59Z", "Registered Mark",
	  "valigov.com,vali.email,valimail.com", 787,
	  "83a6e433f7f0d9ca91a36274eabe016444406ff766668c2e72eaaa0003eb0c07",
	  "7328a83a8e8ac9764c18047fcd1d40518c5f073f" },
};

static void test_real_valid_inside(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		const struct real *e = &reals[i];
		struct vmc_result r;
		char nb[32], na[32], sha[65], sha1[41], doms[256] = "";
		check_file(e->file, e->extra, NULL, e->domain, NULL, e->inside, &r);
		if (!r.valid) {
			dump(&r);
			fail_msg("%s at %s: invalid", e->file, e->inside);
		}
		assert_int_equal(r.type, VMC_TYPE_VMC);
		vmc_format_time(r.not_before, nb, sizeof(nb));
		vmc_format_time(r.not_after, na, sizeof(na));
		assert_string_equal(nb, e->not_before);
		assert_string_equal(na, e->not_after);
		if (e->mark_type) {
			assert_string_equal(r.mark_type, e->mark_type);
			assert_null(find(&r, "vmc.no_mark_type"));
		} else {
			assert_null(r.mark_type);
			assert_non_null(find(&r, "vmc.no_mark_type"));
		}
		for (size_t k = 0; k < r.ndomains; k++)
			snprintf(doms + strlen(doms), sizeof(doms) - strlen(doms), "%s%s",
			         k ? "," : "", r.domains[k]);
		assert_string_equal(doms, e->domains);
		assert_true(r.has_logo);
		assert_true(r.logo.gzip);
		assert_true(r.logo.hash_ok);
		assert_string_equal(r.logo.media_type, "image/svg+xml");
		assert_int_equal(r.logo.svg_len, e->svg_len);
		hexs(r.logo.sha256, 32, sha);
		assert_string_equal(sha, e->svg_sha256);
		assert_int_equal(r.logo.nhash, 1);
		assert_int_equal(r.logo.hash[0].alg, VMC_HASH_SHA1);
		hexs(r.logo.hash[0].value, r.logo.hash[0].len, sha1);
		assert_string_equal(sha1, e->svg_sha1);
		assert_memory_equal(r.logo.svg, "<?xml", 5);
		/* Real VMCs are CT-logged; revocation is never checked. */
		assert_null(find(&r, "vmc.no_sct"));
		assert_non_null(find(&r, "vmc.revocation_not_checked"));
		assert_int_equal(r.ncerts, 3);
		vmc_result_cleanup(&r);
	}
}

static void test_real_expired_after(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		const struct real *e = &reals[i];
		struct vmc_result r;
		check_file(e->file, e->extra, NULL, e->domain, NULL, e->after, &r);
		assert_false(r.valid);
		/* The message names the end of the window. */
		assert_non_null(strstr(msg(&r, "vmc.expired"), e->not_after));
		assert_true(r.has_logo); /* the logo is still extracted */
		vmc_result_cleanup(&r);
	}
}

static void test_real_not_yet_valid(void **state)
{
	struct vmc_result r;
	(void)state;
	check_file(FIX "valimail-2024.pem", NULL, NULL, NULL, NULL, "2024-09-23T23:59:59Z", &r);
	assert_false(r.valid);
	assert_non_null(strstr(msg(&r, "vmc.not_yet_valid"), "2024-09-24T00:00:00Z"));
	vmc_result_cleanup(&r);
}

static void test_paypal_2025_wrong_intermediate(void **state)
{
	struct vmc_result r;
	(void)state;
	/* openssl verify: "error 20 at 0 depth lookup: unable to get local
	 * issuer certificate" with the file's own chain. */
	check_file(FIX "paypal-2025.pem", NULL, NULL, "paypal.com", NULL, "2025-05-01", &r);
	assert_false(r.valid);
	const char *m = msg(&r, "vmc.wrong_intermediate");
	assert_non_null(
	        strstr(m, "names issuer \"CN=DigiCert Verified Mark RSA4096 SHA256 2021 CA1"));
	assert_non_null(strstr(m, "provides \"CN=DigiCert Verified Mark Intermediate CA"));
	assert_null(find(&r, "vmc.chain_invalid"));
	assert_null(find(&r, "vmc.expired"));
	/* Everything else about the leaf is fine. */
	assert_int_equal(r.type, VMC_TYPE_VMC);
	assert_true(r.logo.hash_ok);
	vmc_result_cleanup(&r);
}

static void test_domain_and_selector(void **state)
{
	struct vmc_result r;
	(void)state;
	check_file(FIX "valimail-2024.pem", NULL, NULL, "example.com", "default", "2025-01-01", &r);
	assert_false(r.valid);
	const char *m = msg(&r, "vmc.domain_not_in_san");
	assert_non_null(strstr(m, "default._bimi.example.com"));
	assert_non_null(strstr(m, "valigov.com, vali.email, valimail.com"));
	vmc_result_cleanup(&r);
	/* Case-insensitive, trailing dot ignored. */
	check_file(FIX "valimail-2024.pem", NULL, NULL, "VALIMAIL.com.", NULL, "2025-01-01", &r);
	assert_true(r.valid);
	vmc_result_cleanup(&r);
}

static void test_compare_logo(void **state)
{
	struct vmc_result r;
	struct findings f = { 0 };
	(void)state;
	check_file(FIX "valimail-2024.pem", NULL, NULL, NULL, NULL, "2025-01-01", &r);
	uint8_t *copy = malloc(r.logo.svg_len);
	memcpy(copy, r.logo.svg, r.logo.svg_len);
	assert_int_equal(vmc_compare_logo(&r, copy, r.logo.svg_len, &f), 1);
	assert_int_equal(f.n, 0);
	copy[10] ^= 1;
	assert_int_equal(vmc_compare_logo(&r, copy, r.logo.svg_len, &f), 0);
	assert_true(findings_has(&f, "vmc.logo_mismatch"));
	assert_non_null(strstr(f.v[0].message, "83a6e433f7f0d9ca"));
	findings_cleanup(&f);
	free(copy);
	vmc_result_cleanup(&r);
}

/* ---- file-level limits ----------------------------------------------- */

static void check_bytes(const void *pem, size_t len, const char *code)
{
	struct vmc_result r;
	struct vmc_options o = { .at = at("2025-01-01") };
	assert_int_equal(vmc_check(pem, len, &o, &r), 0);
	assert_false(r.valid);
	if (find(&r, code) == NULL) {
		dump(&r);
		fail_msg("no %s", code);
	}
	vmc_result_cleanup(&r);
}

static void test_file_limits(void **state)
{
	size_t len;
	uint8_t *pem = slurp(FIX "valimail-2024.pem", &len);
	(void)state;
	check_bytes("", 0, "vmc.not_pem");
	check_bytes("hello\n", 6, "vmc.not_pem");
	check_bytes("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", 60,
	            "vmc.bad_pem");
	/* 11 copies of one chain's leaf section: over VMC_MAX_CERTS. */
	char *big = calloc(1, VMC_PEM_MAX_BYTES + 2);
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		memcpy(big + n, pem, len);
		n += len;
	}
	check_bytes(big, n, "vmc.too_many_certs");
	memset(big, 'A', VMC_PEM_MAX_BYTES + 1);
	check_bytes(big, VMC_PEM_MAX_BYTES + 1, "vmc.too_large");
	/* The leaf alone. */
	const char *end = strstr((char *)pem, "-----END CERTIFICATE-----");
	check_bytes(pem, (size_t)(end - (char *)pem) + 26, "vmc.missing_intermediate");
	free(big);
	free(pem);
}

static void test_custom_roots(void **state)
{
	struct vmc_result r;
	const char *junk = "not a certificate";
	struct vmc_options o = { .at = at("2025-01-01"),
		                 .roots_pem = (const uint8_t *)junk,
		                 .roots_len = strlen(junk) };
	(void)state;
	assert_int_equal(vmc_check((const uint8_t *)"", 0, &o, &r), VMC_ERR_ROOTS);
	vmc_result_cleanup(&r);
	/* A trust store holding only the intermediate: partial chains are off. */
	check_file(FIX "valimail-2024.pem", NULL, FIX "digicert-vm-rsa4096-2021-ca1.pem", NULL,
	           NULL, "2025-01-01", &r);
	assert_false(r.valid);
	assert_non_null(find(&r, "vmc.untrusted_root"));
	vmc_result_cleanup(&r);
}

/* ---- the test CA ----------------------------------------------------- */

static char ca_dir[64];

static int make_ca(void **state)
{
	char cmd[256];
	(void)state;
	snprintf(ca_dir, sizeof(ca_dir), "/tmp/posture-vmc.XXXXXX");
	if (mkdtemp(ca_dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), FIX "make-test-ca.sh %s >/dev/null 2>&1", ca_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int remove_ca(void **state)
{
	char cmd[256];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", ca_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_test_ca(void **state)
{
	static const struct {
		const char *name, *domain, *selector, *when;
		enum vmc_type type;
		bool valid;
		bool logo;            /* a decoded logo */
		const char *codes[3]; /* must be present */
	} rows[] = {
#define ROW(n, d, sel, w, ok, t, lg, ...)                                                          \
	{                                                                                          \
		.name = n, .domain = d, .selector = sel, .when = w, .valid = ok, .type = t,        \
		.logo = lg, .codes = {                                                             \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}
		ROW("good", "brand.test", NULL, "2026-01-01", true, VMC_TYPE_VMC, true,
		    "vmc.no_sct"),
		ROW("good", "www.brand.test", "default", "2026-01-01", true, VMC_TYPE_VMC, true,
		    NULL),
		ROW("good", "brand.test", NULL, "2024-12-31T23:59:59Z", false, VMC_TYPE_VMC, true,
		    "vmc.not_yet_valid"),
		ROW("cmc", "cmc.brand.test", "default", "2026-01-01", true, VMC_TYPE_CMC, true,
		    NULL),
		ROW("cmc", "cmc.brand.test", NULL, "2026-01-01", false, VMC_TYPE_CMC, true,
		    "vmc.domain_not_in_san"),
		ROW("hash-mismatch", "brand.test", NULL, "2026-01-01", false, VMC_TYPE_VMC, true,
		    "vmc.logo_hash_mismatch"),
		ROW("no-eku", "brand.test", NULL, "2026-01-01", false, VMC_TYPE_VMC, true,
		    "vmc.no_bimi_eku"),
		ROW("wrong-san", "brand.test", NULL, "2026-01-01", false, VMC_TYPE_VMC, true,
		    "vmc.domain_not_in_san"),
		ROW("expired", "brand.test", NULL, "2026-01-01", false, VMC_TYPE_VMC, true,
		    "vmc.expired"),
		ROW("expired", "brand.test", NULL, "2021-01-01", true, VMC_TYPE_VMC, true, NULL),
		ROW("gzip-bomb", "brand.test", NULL, "2026-01-01", false, VMC_TYPE_VMC, false,
		    "vmc.gzip_bomb"),
		ROW("no-logotype", "brand.test", NULL, "2026-01-01", false, VMC_TYPE_VMC, false,
		    "vmc.no_logotype"),
#undef ROW
	};
	char file[128], roots[128];
	(void)state;
	snprintf(roots, sizeof(roots), "%s/root.pem", ca_dir);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct vmc_result r;
		snprintf(file, sizeof(file), "%s/%s.pem", ca_dir, rows[i].name);
		check_file(file, NULL, roots, rows[i].domain, rows[i].selector, rows[i].when, &r);
		if (r.valid != rows[i].valid || r.type != rows[i].type ||
		    r.has_logo != rows[i].logo) {
			dump(&r);
			fail_msg("row %zu (%s): valid %d type %d logo %d", i, rows[i].name, r.valid,
			         r.type, r.has_logo);
		}
		for (size_t k = 0; k < 3 && rows[i].codes[k]; k++)
			if (find(&r, rows[i].codes[k]) == NULL) {
				dump(&r);
				fail_msg("row %zu (%s): no %s", i, rows[i].name, rows[i].codes[k]);
			}
		vmc_result_cleanup(&r);
	}
	/* The test chain does not verify against the bundled MVA roots. */
	struct vmc_result r;
	snprintf(file, sizeof(file), "%s/good.pem", ca_dir);
	check_file(file, NULL, NULL, NULL, NULL, "2026-01-01", &r);
	assert_false(r.valid);
	assert_non_null(find(&r, "vmc.untrusted_root"));
	vmc_result_cleanup(&r);
	/* The good leaf's logo is logo.svg, byte for byte. */
	size_t len;
	char svg[128];
	snprintf(svg, sizeof(svg), "%s/logo.svg", ca_dir);
	uint8_t *bytes = slurp(svg, &len);
	check_file(file, NULL, roots, NULL, NULL, "2026-01-01", &r);
	assert_int_equal(r.logo.svg_len, len);
	assert_memory_equal(r.logo.svg, bytes, len);
	free(bytes);
	vmc_result_cleanup(&r);
}

/* ---- the logotype decoder (logotype.c) on hand-made DER ---------------- */

/* Appends a TLV to buf at *n. */
static void tlv(uint8_t *buf, size_t *n, uint8_t tag, const uint8_t *body, size_t len)
{
	buf[(*n)++] = tag;
	if (len < 0x80) {
		buf[(*n)++] = (uint8_t)len;
	} else {
		buf[(*n)++] = 0x82;
		buf[(*n)++] = (uint8_t)(len >> 8);
		buf[(*n)++] = (uint8_t)len;
	}
	memmove(buf + *n, body, len);
	*n += len;
}

/* A logotype extension: subjectLogo direct, one image, the given media
 * type, a SHA-256 of hashed, and uri. */
static size_t build(uint8_t *out, const char *media, const char *hashed_hex, const char *uri)
{
	static const uint8_t sha256_oid[] = { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		                              0x65, 0x03, 0x04, 0x02, 0x01 };
	uint8_t a[4096], b[4096];
	size_t n = 0, m = 0;
	uint8_t hv[32];
	for (size_t i = 0; i < 32; i++)
		sscanf(hashed_hex + 2 * i, "%2hhx", &hv[i]);
	/* HashAlgAndValue */
	tlv(a, &n, 0x30, sha256_oid, sizeof(sha256_oid));
	tlv(a, &n, 0x04, hv, 32);
	tlv(b, &m, 0x30, a, n); /* one HashAlgAndValue */
	n = 0;
	tlv(a, &n, 0x16, (const uint8_t *)media, strlen(media));
	tlv(a, &n, 0x30, b, m); /* logotypeHash */
	m = 0;
	tlv(b, &m, 0x16, (const uint8_t *)uri, strlen(uri));
	tlv(a, &n, 0x30, b, m); /* logotypeURI */
	m = 0;
	tlv(b, &m, 0x30, a, n); /* LogotypeDetails */
	n = 0;
	tlv(a, &n, 0x30, b, m); /* LogotypeImage */
	m = 0;
	tlv(b, &m, 0x30, a, n); /* image SEQUENCE OF */
	n = 0;
	tlv(a, &n, 0xa0, b, m); /* direct */
	m = 0;
	tlv(b, &m, 0xa2, a, n); /* subjectLogo */
	n = 0;
	tlv(out, &n, 0x30, b, m);
	return n;
}

/* SHA-256 of "<svg/>" (printf '<svg/>' | sha256sum). */
#define SVG_SHA "d4dc56669143034f31aa309635d4113d9ad76a02b1739da22c965ed2049be9e6"

static void test_logotype_rows(void **state)
{
	static const struct {
		const char *media, *uri;
		int rc;
		const char *code; /* NULL: none of error severity */
		size_t svg_len;
		const char *why;
	} rows[] = {
		/* base64("<svg/>") = PHN2Zy8+ */
		{ "image/svg+xml", "data:image/svg+xml;base64,PHN2Zy8+", 0, NULL, 6,
		  "uncompressed SVG decodes and matches its SHA-256" },
		{ "image/svg+xml", "DATA:image/SVG+xml;base64,PHN2Zy8+", 0, NULL, 6,
		  "scheme and media type are case-insensitive" },
		/* base64("<svg>") = PHN2Zz4= */
		{ "image/svg+xml", "data:image/svg+xml;base64,PHN2Zz4=", 0,
		  "vmc.logo_hash_mismatch", 5, "the declared hash is not the logo's" },
		{ "image/svg+xml", "https://example.com/logo.svg", 1, "vmc.logo_not_embedded", 0,
		  "a reference, not data" },
		{ "image/svg+xml", "data:image/png;base64,PHN2Zy8+", 1, "vmc.bad_encoding", 0,
		  "another media type in the URI" },
		{ "image/svg+xml", "data:image/svg+xml,<svg/>", 1, "vmc.bad_encoding", 0,
		  "not base64" },
		{ "image/svg+xml", "data:image/svg+xml;base64,PHN2Zy8", 1, "vmc.bad_encoding", 0,
		  "base64 length not a multiple of 4" },
		{ "image/svg+xml", "data:image/svg+xml;base64,PHN2 Zy8+", 1, "vmc.bad_encoding", 0,
		  "white space in base64" },
		{ "image/svg+xml", "data:image/svg+xml;base64,PH=2Zy8+", 1, "vmc.bad_encoding", 0,
		  "padding in the middle" },
		/* base64 of 1f 8b 08 00 00 00 00 00: a gzip header, then nothing */
		{ "image/svg+xml", "data:image/svg+xml;base64,H4sIAAAAAAA=", 1, "vmc.bad_encoding",
		  0, "truncated gzip" },
		{ "image/png", "data:image/svg+xml;base64,PHN2Zy8+", 0, "vmc.bad_encoding", 6,
		  "mediaType not image/svg+xml" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t der[8192];
		struct vmc_logo logo;
		struct findings f = { 0 };
		size_t n = build(der, rows[i].media, SVG_SHA, rows[i].uri);
		int rc = vmc_logotype_decode(der, n, &logo, &f);
		bool errors = false,
		     mismatch = rows[i].code && strcmp(rows[i].code, "vmc.logo_hash_mismatch") == 0;
		for (size_t k = 0; k < f.n; k++)
			errors = errors || f.v[k].severity == FINDING_ERROR;
		if (rc != rows[i].rc || (rows[i].code && !findings_has(&f, rows[i].code)) ||
		    (!rows[i].code && errors) || logo.svg_len != rows[i].svg_len ||
		    (rc == 0 && logo.hash_ok != !mismatch))
			fail_msg("row %zu (%s): rc %d, svg_len %zu, first finding %s", i,
			         rows[i].why, rc, logo.svg_len, f.n ? f.v[0].message : "-");
		vmc_logo_cleanup(&logo);
		findings_cleanup(&f);
	}
}

static void test_logotype_truncations(void **state)
{
	uint8_t der[8192];
	size_t n = build(der, "image/svg+xml", SVG_SHA, "data:image/svg+xml;base64,PHN2Zy8+");
	(void)state;
	/* Every proper prefix is malformed, never a crash or a decoded logo. */
	for (size_t k = 0; k < n; k++) {
		struct vmc_logo logo;
		struct findings f = { 0 };
		assert_int_equal(vmc_logotype_decode(der, k, &logo, &f), 1);
		assert_null(logo.svg);
		assert_int_equal(f.n, 1);
		vmc_logo_cleanup(&logo);
		findings_cleanup(&f);
	}
	/* Indirect logo: [1] instead of [0]. */
	for (size_t k = 0; k + 2 < n; k++)
		if (der[k] == 0xa2) {
			assert_int_equal(der[k + 2], 0xa0);
			der[k + 2] = 0xa1;
			break;
		}
	struct vmc_logo logo;
	struct findings f = { 0 };
	assert_int_equal(vmc_logotype_decode(der, n, &logo, &f), 1);
	assert_true(findings_has(&f, "vmc.logo_not_embedded"));
	vmc_logo_cleanup(&logo);
	findings_cleanup(&f);
}

/* ---- times ------------------------------------------------------------ */

static void test_parse_time(void **state)
{
	static const struct {
		const char *text;
		long long want; /* -1: refused; values from `date -u -d ... +%s` */
	} rows[] = {
		{ "2021-05-01", 1619827200 },
		{ "2021-05-01T12:00:00Z", 1619870400 },
		{ "1970-01-01", 0 },
		{ "2024-02-29", 1709164800 },
		{ "2023-02-29", -1 },
		{ "2021-13-01", -1 },
		{ "2021-05-01T24:00:00Z", -1 },
		{ "2021-05-01T12:00:00", -1 },
		{ "2021-05-01 12:00:00Z", -1 },
		{ "2021-5-01", -1 },
		{ "+021-05-01", -1 },
		{ "now", -1 },
		{ "", -1 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		time_t t = 0;
		int rc = vmc_parse_time(rows[i].text, &t);
		if (rows[i].want < 0 ? rc == 0 : (rc != 0 || (long long)t != rows[i].want))
			fail_msg("row %zu \"%s\": rc %d t %lld", i, rows[i].text, rc, (long long)t);
	}
	char buf[32];
	vmc_format_time(1619870400, buf, sizeof(buf));
	assert_string_equal(buf, "2021-05-01T12:00:00Z");
}

/* ---- threads ----------------------------------------------------------- */

struct job {
	const uint8_t *pem;
	long ok;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	const uint8_t *pem = j->pem;
	struct vmc_options o = { .domain = "valimail.com", .at = 1735689600 /* 2025-01-01 */ };
	long ok = 0;
	for (int i = 0; i < 20; i++) {
		struct vmc_result r;
		if (vmc_check(pem, strlen((const char *)pem), &o, &r) == 0 && r.valid &&
		    r.logo.svg_len == 787)
			ok++;
		vmc_result_cleanup(&r);
	}
	j->ok = ok;
	return NULL;
}

static void test_threads(void **state)
{
	size_t len;
	uint8_t *pem = slurp(FIX "valimail-2024.pem", &len);
	pthread_t t[4];
	struct job jobs[4];
	(void)state;
	pem[len] = 0;
	for (int i = 0; i < 4; i++) {
		jobs[i].pem = pem;
		jobs[i].ok = 0;
		assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(jobs[i].ok, 20);
	}
	free(pem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_valid_inside),
		cmocka_unit_test(test_real_expired_after),
		cmocka_unit_test(test_real_not_yet_valid),
		cmocka_unit_test(test_paypal_2025_wrong_intermediate),
		cmocka_unit_test(test_domain_and_selector),
		cmocka_unit_test(test_compare_logo),
		cmocka_unit_test(test_file_limits),
		cmocka_unit_test(test_custom_roots),
		cmocka_unit_test_setup_teardown(test_test_ca, make_ca, remove_ca),
		cmocka_unit_test(test_logotype_rows),
		cmocka_unit_test(test_logotype_truncations),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
