/*
 * Unit tests for msg_verify.c against msg_verify.h.
 *
 * An RSA 2048 key is made here, in-process (OpenSSL), with its key
 * record ("v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>", RFC 6376
 * 3.6.1), and small messages are signed with libopendkim's own signer
 * (relaxed/relaxed over From, To, Subject). Ed25519 comes from RFC 8463
 * Appendix A: its example message, signed there once with Ed25519 and
 * once with RSA (simple/simple), and its two key records (A.2) — a
 * signer other than the library under test. (libopendkim can sign with
 * Ed25519 too, but leaks the private key it loads each time, which
 * fails the AddressSanitizer run.) The key table is the only place keys
 * come from: no DNS.
 *
 * The expected verdicts follow from what each case changes: a body
 * changed after signing breaks bh= only (body_hash_mismatch), a signed
 * Subject changed breaks b= (signature_mismatch), a key record with an
 * empty p= is revoked (RFC 6376 3.6.1), a missing record is
 * key_not_found, a failed query temperror, a signature whose x= has
 * passed is invalid (RFC 6376 3.5). The analysis is mostly built by
 * hand (the verifier reads only the views' d=, s= and their order);
 * one test takes it from msg_analyze.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <opendkim/dkim.h>

#include "msg_verify.h"

#define DOMAIN "example.com"

/* The signed header fields and body of every message here. */
static const char *const HEADERS[] = {
	"From: Alice <alice@example.com>",
	"To: bob@example.org",
	"Subject: lunch on Friday",
};
#define BODY "Shall we meet at noon?\r\nAlice\r\n"

struct keypair {
	char *pem; /* private key, PEM */
	char *txt; /* the key record */
};

static struct keypair rsa_key;

/* RFC 8463 A.3, byte for byte (LF line ends, as printed there). */
static const char RFC8463_MSG[] = "DKIM-Signature: v=1; a=ed25519-sha256; c=simple/simple; \n"
                                  " d=football.example.com; i=@football.example.com; \n"
                                  " q=dns/txt; s=brisbane; t=1518460054; h=from : to : \n"
                                  " subject : date : message-id : from : subject : date; \n"
                                  " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \n"
                                  " b=9/dsDChY0YMTtD5Eyw3wx7x22BlSJP7M5ECbJ7GWrR45nXlTCGb8l0YB\n"
                                  " o0wBLR++X5LqmsxXaOYLLJe46l10AQ==\n"
                                  "DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; \n"
                                  " d=football.example.com; i=@football.example.com; \n"
                                  " q=dns/txt; s=test; t=1527915362; h=from : to : subject : \n"
                                  " date : message-id : from : subject : date; \n"
                                  " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \n"
                                  " b=icKcLSEZYXJ95flvWE8FT6hl5iqd8MC/LEKYH0QjsqYy6MO/4pgVNCZH\n"
                                  " l/RAXAuADxE/40Fg7uTlxwwD1hjN2Ple6J//cJfslBdDOq6zTVbne1dqtl\n"
                                  " NOat7iamJ1AfRqyG+ja7a2AZsrpUuJ7VA6O+0zRYPqpwMEkEFIzI9i/Xk=\n"
                                  "From: Joe SixPack <joe@football.example.com>\n"
                                  "To: Suzie Q <suzie@shopping.example.net>\n"
                                  "Subject: Is dinner ready?\n"
                                  "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\n"
                                  "Message-ID: <20030712040037.46341.5F8J@football.example.com>\n"
                                  "\n"
                                  "Hi.\n"
                                  "\n"
                                  "We lost the game.  Are you hungry yet?\n"
                                  "\n"
                                  "Joe.\n";
/* RFC 8463 A.2: the Ed25519 key (brisbane) and a 1024-bit RSA key (test). */
#define RFC8463_ED_NAME  "brisbane._domainkey.football.example.com"
#define RFC8463_ED_KEY   "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define RFC8463_RSA_NAME "test._domainkey.football.example.com"
#define RFC8463_RSA_KEY                                                                            \
	"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5" \
	"qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG" \
	"4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"

/* An RSA 2048 key pair and its record (RFC 6376 3.6.1: p= is the
 * base64 of the DER SubjectPublicKeyInfo). */
static struct keypair make_rsa_key(void)
{
	struct keypair kp = { 0 };
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
	BIO *b = BIO_new(BIO_s_mem());
	unsigned char der[1024], *p = der;
	char b64[2048], *pem;
	long plen;
	int n;

	assert_non_null(c);
	assert_non_null(b);
	assert_int_equal(EVP_PKEY_keygen_init(c), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048), 1);
	assert_int_equal(EVP_PKEY_keygen(c, &k), 1);
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
	plen = BIO_get_mem_data(b, &pem);
	assert_true(plen > 0);
	kp.pem = strndup(pem, (size_t)plen);
	n = i2d_PUBKEY(k, &p);
	assert_true(n > 0 && (size_t)n <= sizeof(der));
	assert_true(EVP_EncodeBlock((unsigned char *)b64, der, n) > 0);
	kp.txt = malloc(2200);
	assert_non_null(kp.txt);
	snprintf(kp.txt, 2200, "v=DKIM1; k=rsa; p=%s", b64);
	BIO_free(b);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(c);
	return kp;
}

static int setup(void **state)
{
	(void)state;
	rsa_key = make_rsa_key();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(rsa_key.pem);
	free(rsa_key.txt);
	return 0;
}

/*
 * "DKIM-Signature: ..." (CRLF folds, no line end) over HEADERS and
 * body, signed by libopendkim. ttl > 0: signed at 2001-09-09 with
 * x= ttl seconds later, so long expired.
 */
static char *sign(const struct keypair *kp, const char *sel, int alg, const char *body, long ttl)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	DKIM_STAT st;
	DKIM *d;
	unsigned char *hdr;
	size_t hlen;
	char *out;

	assert_non_null(lib);
	if (ttl > 0) {
		uint64_t when = 1000000000, life = (uint64_t)ttl;
		assert_int_equal(
		        dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &when, sizeof(when)),
		        DKIM_STAT_OK);
		assert_int_equal(dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNATURETTL, &life,
		                              sizeof(life)),
		                 DKIM_STAT_OK);
	}
	d = dkim_sign(lib, (const unsigned char *)"test", NULL, (dkim_sigkey_t)kp->pem,
	              (const unsigned char *)sel, (const unsigned char *)DOMAIN, DKIM_CANON_RELAXED,
	              DKIM_CANON_RELAXED, alg, -1, &st);
	assert_non_null(d);
	for (size_t i = 0; i < sizeof(HEADERS) / sizeof(HEADERS[0]); i++)
		assert_int_equal(dkim_header(d, (unsigned char *)HEADERS[i], strlen(HEADERS[i])),
		                 DKIM_STAT_OK);
	assert_int_equal(dkim_eoh(d), DKIM_STAT_OK);
	assert_int_equal(dkim_body(d, (unsigned char *)body, strlen(body)), DKIM_STAT_OK);
	assert_int_equal(dkim_eom(d, NULL), DKIM_STAT_OK);
	assert_int_equal(dkim_getsighdr_d(d, strlen("DKIM-Signature: "), &hdr, &hlen),
	                 DKIM_STAT_OK);
	out = malloc(hlen + 32);
	assert_non_null(out);
	snprintf(out, hlen + 32, "DKIM-Signature: %.*s", (int)hlen, (const char *)hdr);
	dkim_free(d);
	dkim_close(lib);
	return out;
}

/* sig1 (and sig2 below it, when given), HEADERS with one field
 * optionally replaced, an empty line and body: all CRLF. */
static char *message(const char *sig1, const char *sig2, const char *subject, const char *body)
{
	size_t cap = strlen(sig1) + (sig2 ? strlen(sig2) : 0) + strlen(body) + 512;
	char *m = malloc(cap);
	size_t n = 0;

	assert_non_null(m);
	n += (size_t)snprintf(m + n, cap - n, "%s\r\n", sig1);
	if (sig2 != NULL)
		n += (size_t)snprintf(m + n, cap - n, "%s\r\n", sig2);
	n += (size_t)snprintf(m + n, cap - n, "%s\r\n%s\r\n%s\r\n\r\n%s", HEADERS[0], HEADERS[1],
	                      subject ? subject : HEADERS[2], body);
	assert_true(n < cap);
	return m;
}

/* An analysis holding only the DKIM views the verifier reads. */
static void views_of(struct msg_analysis *a, struct msg_dkim_view *v, size_t n, const char *d,
                     const char *const *sel)
{
	memset(a, 0, sizeof(*a));
	memset(v, 0, n * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		snprintf(v[i].sig.d, sizeof(v[i].sig.d), "%s", d);
		snprintf(v[i].sig.s, sizeof(v[i].sig.s), "%s", sel[i]);
	}
	a->dkim = v;
	a->ndkim = n;
}

static void views(struct msg_analysis *a, struct msg_dkim_view *v, size_t n, const char *const *sel)
{
	views_of(a, v, n, DOMAIN, sel);
}

static struct msg_key key(const char *name, enum msg_key_status st, const char *txt)
{
	struct msg_key k;

	memset(&k, 0, sizeof(k));
	snprintf(k.name, sizeof(k.name), "%s", name);
	k.status = st;
	k.txt = (char *)txt;
	k.len = txt ? strlen(txt) : 0;
	return k;
}

/* Verifies m (CRLF) against one key for selector sel; returns view 0. */
static struct msg_dkim_view verify_one(const char *m, const char *sel, const struct msg_key *k)
{
	struct msg_analysis a;
	struct msg_dkim_view v;
	struct msg_keytab tab = { .v = k, .n = k ? 1 : 0 };
	const char *sels[] = { sel };
	char err[256] = "x";

	views(&a, &v, 1, sels);
	assert_int_equal(msg_verify_dkim((const uint8_t *)m, strlen(m), &tab, &a, err, sizeof(err)),
	                 0);
	assert_string_equal(err, "");
	return v;
}

static void test_rsa_pass(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, NULL, BODY);
	struct msg_key k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, rsa_key.txt);
	struct msg_dkim_view v = verify_one(m, "rsa1", &k);

	(void)state;
	assert_int_equal(v.verified, MSG_VERIFY_PASS);
	assert_int_equal(v.key_bits, 2048);
	assert_string_equal(v.verify_detail, "");
	free(sig);
	free(m);
}

/* Verifies RFC 8463's message (or a changed copy) with tab: views for
 * its Ed25519 (brisbane) and RSA (test) signatures, in that order. */
static void verify_rfc8463(const char *m, const struct msg_keytab *tab, struct msg_dkim_view v[2])
{
	struct msg_analysis a;
	const char *sels[] = { "brisbane", "test" };
	char err[256] = "x";

	views_of(&a, v, 2, "football.example.com", sels);
	assert_int_equal(msg_verify_dkim((const uint8_t *)m, strlen(m), tab, &a, err, sizeof(err)),
	                 0);
	assert_string_equal(err, "");
}

static const struct msg_key RFC8463_KEYS[] = {
	{ RFC8463_ED_NAME, MSG_KEY_FOUND, (char *)RFC8463_ED_KEY, sizeof(RFC8463_ED_KEY) - 1 },
	{ RFC8463_RSA_NAME, MSG_KEY_FOUND, (char *)RFC8463_RSA_KEY, sizeof(RFC8463_RSA_KEY) - 1 },
};

/* RFC 8463 A.3 verifies with the keys of A.2: as printed (LF) and as
 * sent (CRLF). */
static void test_ed25519_pass(void **state)
{
	struct msg_keytab tab = { .v = RFC8463_KEYS, .n = 2 };
	struct msg_dkim_view v[2];
	char crlf[sizeof(RFC8463_MSG) * 2];
	size_t n = 0;

	(void)state;
	verify_rfc8463(RFC8463_MSG, &tab, v);
	assert_int_equal(v[0].verified, MSG_VERIFY_PASS);
	/* libopendkim reports no size for Ed25519 keys: left unknown. */
	assert_int_equal(v[0].key_bits, 0);
	assert_int_equal(v[1].verified, MSG_VERIFY_PASS);
	assert_int_equal(v[1].key_bits, 1024);

	for (const char *c = RFC8463_MSG; *c != '\0'; c++) {
		if (*c == '\n')
			crlf[n++] = '\r';
		crlf[n++] = *c;
	}
	crlf[n] = '\0';
	verify_rfc8463(crlf, &tab, v);
	assert_int_equal(v[0].verified, MSG_VERIFY_PASS);
	assert_int_equal(v[1].verified, MSG_VERIFY_PASS);
}

/* The organisational domain, for msg_analyze: the name itself is
 * enough here (alignment is not what these tests look at). */
static int org_same(const char *domain, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", domain);
	return 0;
}

/* msg_analyze's views, not hand-made ones: the same verdicts. */
static void test_with_msg_analyze(void **state)
{
	struct msg_keytab tab = { .v = RFC8463_KEYS, .n = 2 };
	struct msg_options opt = { .org = org_same };
	struct msg_analysis a;
	const uint8_t *m = (const uint8_t *)RFC8463_MSG;
	char err[256];

	(void)state;
	assert_int_equal(msg_analyze(m, sizeof(RFC8463_MSG) - 1, &opt, &a), 0);
	assert_int_equal(a.ndkim, 2);
	assert_string_equal(a.dkim[0].sig.s, "brisbane");
	assert_string_equal(a.dkim[1].sig.s, "test");
	assert_int_equal(msg_verify_dkim(m, sizeof(RFC8463_MSG) - 1, &tab, &a, err, sizeof(err)),
	                 0);
	assert_int_equal(a.dkim[0].verified, MSG_VERIFY_PASS);
	assert_int_equal(a.dkim[1].verified, MSG_VERIFY_PASS);
	assert_int_equal(a.dkim[1].key_bits, 1024);
	assert_string_equal(msg_verified_name(a.dkim[0].verified), "pass");
	msg_analysis_cleanup(&a);
}

/* The same message with its body changed: bh= fails for both. */
static void test_ed25519_body_modified(void **state)
{
	struct msg_keytab tab = { .v = RFC8463_KEYS, .n = 2 };
	struct msg_dkim_view v[2];
	char m[sizeof(RFC8463_MSG)];
	char *at;

	(void)state;
	memcpy(m, RFC8463_MSG, sizeof(m));
	at = strstr(m, "We lost");
	assert_non_null(at);
	memcpy(at, "We won ", 7);
	verify_rfc8463(m, &tab, v);
	assert_int_equal(v[0].verified, MSG_VERIFY_BODY_MISMATCH);
	assert_int_equal(v[1].verified, MSG_VERIFY_BODY_MISMATCH);
}

static void test_body_modified(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, NULL, "Shall we meet at one?\r\nAlice\r\n");
	struct msg_key k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, rsa_key.txt);
	struct msg_dkim_view v = verify_one(m, "rsa1", &k);

	(void)state;
	assert_int_equal(v.verified, MSG_VERIFY_BODY_MISMATCH);
	assert_string_equal(v.verify_detail, "body hash mismatch: the body changed after signing");
	assert_int_equal(v.key_bits, 2048);
	free(sig);
	free(m);
}

static void test_signed_header_modified(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, "Subject: lunch on Saturday", BODY);
	struct msg_key k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, rsa_key.txt);
	struct msg_dkim_view v = verify_one(m, "rsa1", &k);

	(void)state;
	assert_int_equal(v.verified, MSG_VERIFY_SIGNATURE_MISMATCH);
	assert_string_not_equal(v.verify_detail, "");
	free(sig);
	free(m);
}

static void test_key_not_found(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, NULL, BODY);
	struct msg_key none = key("rsa1._domainkey.example.com", MSG_KEY_NONE, NULL);
	struct msg_key other = key("rsa2._domainkey.example.com", MSG_KEY_FOUND, rsa_key.txt);
	struct msg_dkim_view v;

	(void)state;
	/* Looked up, nothing there. */
	v = verify_one(m, "rsa1", &none);
	assert_int_equal(v.verified, MSG_VERIFY_KEY_NOT_FOUND);
	assert_string_equal(v.verify_detail, "no key record at rsa1._domainkey.example.com");
	/* Not in the table at all (only another selector's key is). */
	v = verify_one(m, "rsa1", &other);
	assert_int_equal(v.verified, MSG_VERIFY_KEY_NOT_FOUND);
	assert_string_equal(v.verify_detail,
	                    "no key record was looked up for rsa1._domainkey.example.com");
	/* An empty table. */
	v = verify_one(m, "rsa1", NULL);
	assert_int_equal(v.verified, MSG_VERIFY_KEY_NOT_FOUND);
	free(sig);
	free(m);
}

static void test_key_revoked(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, NULL, BODY);
	struct msg_key k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, "v=DKIM1; k=rsa; p=");
	struct msg_dkim_view v = verify_one(m, "rsa1", &k);

	(void)state;
	assert_int_equal(v.verified, MSG_VERIFY_KEY_REVOKED);
	free(sig);
	free(m);
}

static void test_temperror(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, NULL, BODY);
	struct msg_key k = key("rsa1._domainkey.example.com", MSG_KEY_TEMPERROR, NULL);
	struct msg_dkim_view v = verify_one(m, "rsa1", &k);

	(void)state;
	assert_int_equal(v.verified, MSG_VERIFY_TEMPERROR);
	assert_string_equal(v.verify_detail,
	                    "the query for rsa1._domainkey.example.com failed: no verdict");
	free(sig);
	free(m);
}

/* The same message with LF line ends (as saved by many mail clients). */
static void test_lf_only_passes(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, NULL, BODY);
	struct msg_key k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, rsa_key.txt);
	struct msg_dkim_view v;
	size_t j = 0;

	(void)state;
	for (size_t i = 0; m[i] != '\0'; i++)
		if (m[i] != '\r')
			m[j++] = m[i];
	m[j] = '\0';
	assert_null(strchr(m, '\r'));
	v = verify_one(m, "rsa1", &k);
	assert_int_equal(v.verified, MSG_VERIFY_PASS);
	free(sig);
	free(m);
}

/* A body whose last line has no line end: verified as SMTP carries it. */
static void test_body_without_final_crlf(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, NULL, "Shall we meet at noon?\r\nAlice");
	struct msg_key k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, rsa_key.txt);
	struct msg_dkim_view v = verify_one(m, "rsa1", &k);

	(void)state;
	assert_int_equal(v.verified, MSG_VERIFY_PASS);
	free(sig);
	free(m);
}

/* Two signatures (RFC 8463 A.3): each view gets its own verdict, in
 * header order, whichever key is missing or failing. */
static void test_two_signatures(void **state)
{
	struct msg_key keys[2];
	struct msg_keytab tab = { .v = keys, .n = 2 };
	struct msg_dkim_view v[2];

	(void)state;
	/* The Ed25519 key is gone: the RSA signature still passes. */
	keys[0] = key(RFC8463_ED_NAME, MSG_KEY_NONE, NULL);
	keys[1] = key(RFC8463_RSA_NAME, MSG_KEY_FOUND, RFC8463_RSA_KEY);
	verify_rfc8463(RFC8463_MSG, &tab, v);
	assert_int_equal(v[0].verified, MSG_VERIFY_KEY_NOT_FOUND);
	assert_int_equal(v[0].key_bits, 0);
	assert_int_equal(v[1].verified, MSG_VERIFY_PASS);
	assert_int_equal(v[1].key_bits, 1024);

	/* The RSA key's query failed: the Ed25519 signature still passes
	 * (a temperror does not stop the library at that signature). */
	keys[0] = key(RFC8463_ED_NAME, MSG_KEY_FOUND, RFC8463_ED_KEY);
	keys[1] = key(RFC8463_RSA_NAME, MSG_KEY_TEMPERROR, NULL);
	verify_rfc8463(RFC8463_MSG, &tab, v);
	assert_int_equal(v[0].verified, MSG_VERIFY_PASS);
	assert_int_equal(v[1].verified, MSG_VERIFY_TEMPERROR);

	/* Two RSA signatures made here over one message, the first with
	 * a selector the table lacks. */
	{
		char *s1 = sign(&rsa_key, "gone", DKIM_SIGN_RSASHA256, BODY, 0);
		char *s2 = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
		char *m = message(s1, s2, NULL, BODY);
		const char *sels[] = { "gone", "rsa1" };
		struct msg_analysis a;
		char err[256];

		keys[0] = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, rsa_key.txt);
		tab.n = 1;
		views(&a, v, 2, sels);
		assert_int_equal(
		        msg_verify_dkim((const uint8_t *)m, strlen(m), &tab, &a, err, sizeof(err)),
		        0);
		assert_int_equal(v[0].verified, MSG_VERIFY_KEY_NOT_FOUND);
		assert_int_equal(v[1].verified, MSG_VERIFY_PASS);
		assert_int_equal(v[1].key_bits, 2048);
		free(s1);
		free(s2);
		free(m);
	}
}

/* A record longer than libopendkim's key buffer (1024 bytes) cannot be
 * handed in: said, not guessed. */
static void test_key_record_too_long(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, NULL, BODY);
	char big[1400];
	struct msg_key k;
	struct msg_dkim_view v;

	(void)state;
	/* n= is the record's free-text note (RFC 6376 3.6.1). */
	snprintf(big, sizeof(big), "n=%0*d; %s", 1000, 0, rsa_key.txt);
	assert_true(strlen(big) > 1024);
	k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, big);
	v = verify_one(m, "rsa1", &k);
	assert_int_equal(v.verified, MSG_VERIFY_KEY_INVALID);
	assert_non_null(strstr(v.verify_detail, "longer than libopendkim accepts"));
	free(sig);
	free(m);
}

static void test_key_invalid(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, NULL, BODY);
	struct msg_key k;
	struct msg_dkim_view v;
	char withnul[] = "v=DKIM1; k=rsa; p=AAAA\0AAAA";

	(void)state;
	/* p= that is no public key. */
	k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, "v=DKIM1; k=rsa; p=QUJDRA==");
	v = verify_one(m, "rsa1", &k);
	assert_int_equal(v.verified, MSG_VERIFY_KEY_INVALID);
	/* A key type the signature's a= cannot use (RFC 6376 3.6.1 k=). */
	k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, "v=DKIM1; k=dsa; p=QUJDRA==");
	v = verify_one(m, "rsa1", &k);
	assert_int_equal(v.verified, MSG_VERIFY_KEY_INVALID);
	/* A NUL byte inside the record. */
	k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, withnul);
	k.len = sizeof(withnul) - 1;
	v = verify_one(m, "rsa1", &k);
	assert_int_equal(v.verified, MSG_VERIFY_KEY_INVALID);
	assert_string_equal(v.verify_detail,
	                    "the key record at rsa1._domainkey.example.com holds a NUL byte");
	free(sig);
	free(m);
}

/* x= in 2001 (RFC 6376 3.5): expired, so invalid before any key. */
static void test_expired(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 3600);
	char *m = message(sig, NULL, NULL, BODY);
	struct msg_key k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, rsa_key.txt);
	struct msg_dkim_view v = verify_one(m, "rsa1", &k);

	(void)state;
	assert_non_null(strstr(sig, "x=1000003600"));
	assert_int_equal(v.verified, MSG_VERIFY_INVALID);
	assert_string_not_equal(v.verify_detail, "");
	free(sig);
	free(m);
}

/* Without From no signature can verify (RFC 6376 5.4): every view is
 * invalid and says why. */
static void test_no_from(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, NULL, BODY);
	char *from = strstr(m, "From: ");
	struct msg_key k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, rsa_key.txt);
	struct msg_dkim_view v;

	(void)state;
	assert_non_null(from);
	memcpy(from, "Xrom", 4);
	v = verify_one(m, "rsa1", &k);
	assert_int_equal(v.verified, MSG_VERIFY_INVALID);
	assert_string_equal(v.verify_detail, "the message has no From field, which every DKIM "
	                                     "signature must sign (RFC 6376 5.4)");
	free(sig);
	free(m);
}

/* A signature without d= is still matched to its view and judged. */
static void test_unreadable_signature(void **state)
{
	const char *m = "DKIM-Signature: v=1; a=rsa-sha256; s=rsa1; h=from; bh=AAAA; b=AAAA\r\n"
	                "From: Alice <alice@example.com>\r\n"
	                "\r\n"
	                "hi\r\n";
	struct msg_analysis a;
	struct msg_dkim_view v;
	const char *sels[] = { "rsa1" };
	char err[256];

	(void)state;
	views(&a, &v, 1, sels);
	v.sig.d[0] = '\0';
	assert_int_equal(msg_verify_dkim((const uint8_t *)m, strlen(m), NULL, &a, err, sizeof(err)),
	                 0);
	assert_int_equal(v.verified, MSG_VERIFY_INVALID);
	assert_string_equal(v.verify_detail, "domain tag missing");
}

/* A view whose d= reads differently from the library's (a parser
 * difference on a broken field) is still paired with its signature by
 * order, and the key is the one the library asked for. */
static void test_pairing_by_order(void **state)
{
	char *sig = sign(&rsa_key, "rsa1", DKIM_SIGN_RSASHA256, BODY, 0);
	char *m = message(sig, NULL, NULL, BODY);
	struct msg_key k = key("rsa1._domainkey.example.com", MSG_KEY_FOUND, rsa_key.txt);
	struct msg_keytab tab = { .v = &k, .n = 1 };
	const char *sels[] = { "rsa1" };
	struct msg_analysis a;
	struct msg_dkim_view v;
	char err[256];

	(void)state;
	views_of(&a, &v, 1, "misread.example", sels);
	assert_int_equal(msg_verify_dkim((const uint8_t *)m, strlen(m), &tab, &a, err, sizeof(err)),
	                 0);
	assert_int_equal(v.verified, MSG_VERIFY_PASS);
	free(sig);
	free(m);
}

static void test_edges(void **state)
{
	struct msg_analysis a;
	struct msg_dkim_view v;
	const char *sels[] = { "rsa1" };
	char err[256];
	const uint8_t one = 'x';

	(void)state;
	/* Nothing to verify: nothing done. */
	memset(&a, 0, sizeof(a));
	assert_int_equal(msg_verify_dkim(&one, 1, NULL, &a, err, sizeof(err)), 0);
	/* Over the cap: refused before a byte is read. */
	views(&a, &v, 1, sels);
	assert_int_equal(
	        msg_verify_dkim(&one, (size_t)MSG_INPUT_MAX + 1, NULL, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "message larger than 64 MiB: not verified");
	assert_int_equal(v.verified, MSG_VERIFY_NOT_CHECKED);
	/* No analysis. */
	assert_int_equal(msg_verify_dkim(&one, 1, NULL, NULL, err, sizeof(err)), -1);
	/* The header only, no body at all. */
	assert_int_equal(msg_verify_dkim((const uint8_t *)"From: a@b.example", 17, NULL, &a, err,
	                                 sizeof(err)),
	                 0);
}

static void test_library_version(void **state)
{
	(void)state;
	/* Debian bookworm's libopendkim11 is 2.11.0~beta2: 0x020B0000. */
	assert_string_equal(msg_verify_library(), "2.11.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsa_pass),
		cmocka_unit_test(test_ed25519_pass),
		cmocka_unit_test(test_ed25519_body_modified),
		cmocka_unit_test(test_with_msg_analyze),
		cmocka_unit_test(test_body_modified),
		cmocka_unit_test(test_signed_header_modified),
		cmocka_unit_test(test_key_not_found),
		cmocka_unit_test(test_key_revoked),
		cmocka_unit_test(test_temperror),
		cmocka_unit_test(test_lf_only_passes),
		cmocka_unit_test(test_body_without_final_crlf),
		cmocka_unit_test(test_two_signatures),
		cmocka_unit_test(test_key_record_too_long),
		cmocka_unit_test(test_key_invalid),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_no_from),
		cmocka_unit_test(test_unreadable_signature),
		cmocka_unit_test(test_pairing_by_order),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_library_version),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
