/*
 * Unit tests for dkim.c against the contract in dkim.h: DKIM key records
 * (RFC 6376 3.6.1) and the audit of their keys (RFC 8301, RFC 8463).
 *
 * Part A is a table: one row per tag case, each with the status, key
 * type, RSA bits, flags, whether the key is usable, and the exact finding
 * codes in order. Keys are real: RSA of 512 to 4608 bits, a PKCS#1 RSA
 * key, an EC key and a wrapped Ed25519 key from tests/fixtures/dkim/
 * (its README says how they were made; a row names the file and the
 * record around it), and the Ed25519 key of RFC 8463 appendix A.
 *
 * Part B: the key records of the ARC test suite, copied here (below).
 * Part C: what the table cannot say (messages, paths, hostile sizes).
 *
 * Run from the top of the tree (the Makefile and run-tests.sh do).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dkim.h"

#define FIXTURES "tests/fixtures/dkim/"

/* RFC 8463 appendix A.2: the Ed25519 public key of the examples. */
#define RFC8463_KEY "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

/* tests/fixtures/dkim/NAME.b64 without its newline; static storage. */
static const char *key_file(const char *name)
{
	static struct {
		char name[32];
		char text[2048];
	} cache[16];
	static size_t n;
	for (size_t i = 0; i < n; i++)
		if (strcmp(cache[i].name, name) == 0)
			return cache[i].text;
	assert_true(n < sizeof(cache) / sizeof(cache[0]));
	char path[256];
	snprintf(path, sizeof(path), FIXTURES "%s.b64", name);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	size_t len = fread(cache[n].text, 1, sizeof(cache[n].text) - 1, f);
	fclose(f);
	while (len > 0 && (cache[n].text[len - 1] == '\n' || cache[n].text[len - 1] == '\r'))
		len--;
	cache[n].text[len] = '\0';
	assert_true(len > 40);
	snprintf(cache[n].name, sizeof(cache[n].name), "%s", name);
	return cache[n++].text;
}

/* The finding codes of k in order, space-separated. */
static void codes_of(const struct dkim_key *k, char *out, size_t outlen)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < k->findings.n && o < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%s", i ? " " : "",
		                      k->findings.v[i].code);
}

enum tri { ANY = 0, YES, NO };

struct row {
	const char *pre;  /* the record before the key (or all of it) */
	const char *key;  /* a fixture name, or NULL */
	const char *post; /* the record after the key */
	size_t len;       /* for a record with a NUL byte: pre's length; else 0 */
	enum dkim_status status;
	enum dkim_key_type type;
	int bits;
	bool usable;
	const char *codes; /* exactly, in order */
	enum tri testing, strict, email;
	int hashes; /* -1: not checked */
	const char *why;
};

#define HASH_ALL ((int)(DKIM_HASH_SHA1 | DKIM_HASH_SHA256))

static const struct row rows[] = {
	/* ---- a good key, and v= ---- */
	{ "v=DKIM1; k=rsa; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true, "", NO,
	  NO, YES, HASH_ALL, "the usual record: no h=, s=, t=" },
	{ "p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true, "", NO, NO, YES,
	  HASH_ALL, "v and k are optional; k defaults to rsa" },
	{ "v=DKIM1;; p=", "rsa2048", ";", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true, "", ANY,
	  ANY, ANY, -1, "an empty spec and a trailing ';' are tolerated" },
	{ ";v=DKIM1; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true, "", ANY, ANY,
	  ANY, -1, "an empty spec before v= does not make v= second" },
	{ "v = DKIM1 ;\r\n\tk = rsa ;\r\n\tp = ", "rsa2048", " ;\r\n", 0, DKIM_STATUS_KEY,
	  DKIM_KEY_RSA, 2048, true, "", ANY, ANY, ANY, -1,
	  "FWS (with CRLF) around '=' and ';' (RFC 6376 3.2 tag-spec)" },
	{ "k=rsa; p=", "rsa2048", "; v=DKIM1", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_version", ANY, ANY, ANY, -1, "RFC 6376 3.6.1: v= MUST be the first tag" },
	{ "v=DKIM2; p=", "rsa2048", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_version", ANY, ANY, ANY, -1, "another version: records MUST be discarded" },
	{ "v=dkim1; p=", "rsa2048", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_version", ANY, ANY, ANY, -1, "the ABNF spells DKIM1 in hex: case-sensitive" },
	{ "v=; p=", "rsa2048", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_version", ANY, ANY, ANY, -1, "an empty v=" },
	{ "v=DKIM1", NULL, "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false, "dkim.missing_p",
	  ANY, ANY, ANY, -1, "v=DKIM1 alone is a key record without its required p=" },
	{ "V=DKIM1; P=", "rsa2048", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.missing_p", ANY, ANY, ANY, -1,
	  "tag names are case-sensitive (RFC 6376 3.2): P= is an unknown tag, but the record "
	  "is still a key record, not some other TXT" },

	/* ---- p= ---- */
	{ "v=DKIM1; p=", NULL, "", 0, DKIM_STATUS_REVOKED, DKIM_KEY_RSA, 0, false, "dkim.revoked",
	  ANY, ANY, ANY, -1, "an empty p= revokes the key" },
	{ "v=DKIM1; k=rsa; p= \r\n ", NULL, "", 0, DKIM_STATUS_REVOKED, DKIM_KEY_RSA, 0, false,
	  "dkim.revoked", ANY, ANY, ANY, -1, "p= of white space only is empty" },
	{ "v=DKIM1; k=ed25519; p=", NULL, "", 0, DKIM_STATUS_REVOKED, DKIM_KEY_ED25519, 0, false,
	  "dkim.revoked", ANY, ANY, ANY, -1, "a revoked ed25519 key keeps its declared type" },
	{ "v=DKIM1; p=; t=y; h=sha1", NULL, "", 0, DKIM_STATUS_REVOKED, DKIM_KEY_RSA, 0, false,
	  "dkim.revoked", YES, NO, YES, (int)DKIM_HASH_SHA1,
	  "a revoked key's h= and t= are read but not judged" },
	{ "v=DKIM1; p=MIIB!AAA", NULL, "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_base64", ANY, ANY, ANY, -1, "a byte outside base64" },
	{ "v=DKIM1; p=-----BEGIN PUBLIC KEY-----", NULL, "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA,
	  0, false, "dkim.bad_base64", ANY, ANY, ANY, -1, "a PEM header pasted into p=" },
	{ "v=DKIM1; p=\"", "rsa2048", "\"", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_base64", ANY, ANY, ANY, -1, "quotes around the key" },
	{ "v=DKIM1; p=AAAAA", NULL, "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_base64", ANY, ANY, ANY, -1, "5 characters: one left over is no byte" },
	{ "v=DKIM1; p=", "rsa2048", "=", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_base64", ANY, ANY, ANY, -1, "padding where none belongs" },
	{ "v=DKIM1; p=AA==AA", NULL, "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_base64", ANY, ANY, ANY, -1, "data after the padding" },
	{ "v=DKIM1; p=AAAA", NULL, "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_key", ANY, ANY, ANY, -1, "base64 of three zero bytes: no DER key" },
	{ "v=DKIM1; p=", "rsa2048", "AAAA", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_key", ANY, ANY, ANY, -1,
	  "a good SubjectPublicKeyInfo followed by three bytes: strict DER readers refuse it" },
	{ "v=DKIM1; p=MBwwDQYJKoZIhvcNAQEBBQADCwAwCAIBAAIDAQAB", NULL, "", 0, DKIM_STATUS_INVALID,
	  DKIM_KEY_RSA, 0, false, "dkim.bad_key", ANY, ANY, ANY, -1,
	  "a SubjectPublicKeyInfo of RSA with modulus 0 (hand-made DER): no key" },
	{ "v=DKIM1; p=MAgCAQACAwEAAQ==", NULL, "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.bad_key", ANY, ANY, ANY, -1, "the same as a bare RSAPublicKey" },
	{ "v=DKIM1; p=", "rsa2048-pkcs1", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true,
	  "dkim.pkcs1_key", ANY, ANY, ANY, -1, "a bare RSAPublicKey: read, with a warning" },
	{ "v=DKIM1; p=", "ec-p256-spki", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.key_type_mismatch", ANY, ANY, ANY, -1, "an EC key under k=rsa (the default)" },
	{ "v=DKIM1; k=rsa; p=", "ed25519-spki", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.key_type_mismatch", ANY, ANY, ANY, -1, "an Ed25519 SPKI under k=rsa" },

	/* ---- RSA key sizes (RFC 8301 3.2) ---- */
	{ "v=DKIM1; k=rsa; p=", "rsa512", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 512, false,
	  "dkim.key_too_short", ANY, ANY, ANY, -1, "below 1024: verifiers MUST NOT accept it" },
	{ "v=DKIM1; k=rsa; p=", "rsa1024", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 1024, true,
	  "dkim.key_short_1024", ANY, ANY, ANY, -1, "1024: accepted, below the SHOULD" },
	{ "v=DKIM1; k=rsa; p=", "rsa1536", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 1536, true,
	  "dkim.key_under_2048", ANY, ANY, ANY, -1, "between 1024 and 2048" },
	{ "v=DKIM1; k=rsa; p=", "rsa4096", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 4096, true, "",
	  ANY, ANY, ANY, -1, "4096: the most verifiers MUST handle" },
	{ "v=DKIM1; k=rsa; p=", "rsa4608", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 4608, true,
	  "dkim.key_over_4096", ANY, ANY, ANY, -1, "over 4096: some verifiers may not" },

	/* ---- k= ---- */
	{ "v=DKIM1; k=RSA; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true, "",
	  ANY, ANY, ANY, -1, "an ABNF literal: any case (RFC 5234 2.3)" },
	{ "v=DKIM1; k=dsa; p=", "rsa2048", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_NONE, 0, false,
	  "dkim.unknown_key_type", ANY, ANY, ANY, -1, "an unknown key type: not usable" },
	{ "v=DKIM1; k=; p=", "rsa2048", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_NONE, 0, false,
	  "dkim.unknown_key_type", ANY, ANY, ANY, -1, "an empty k=" },
	{ "v=DKIM1; k=dsa; p=", NULL, "", 0, DKIM_STATUS_INVALID, DKIM_KEY_NONE, 0, false,
	  "dkim.unknown_key_type", ANY, ANY, ANY, -1,
	  "RFC 6376 6.1.2 judges k= before it looks for a revoked p=" },
	{ "v=DKIM1; k=ed25519; p=" RFC8463_KEY, NULL, "", 0, DKIM_STATUS_KEY, DKIM_KEY_ED25519, 0,
	  true, "", NO, NO, YES, HASH_ALL, "RFC 8463 appendix A.2's record" },
	{ "v=DKIM1; k=ed25519; h=sha256; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMl rwIaaPcHURo", NULL, "",
	  0, DKIM_STATUS_KEY, DKIM_KEY_ED25519, 0, true, "dkim.p_unpadded", ANY, ANY, ANY,
	  (int)DKIM_HASH_SHA256, "the same key with a space inside and no padding" },
	{ "v=DKIM1; k=ed25519; p=", "ed25519-spki", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_ED25519, 0,
	  false, "dkim.ed25519_bad_length", ANY, ANY, ANY, -1,
	  "RFC 8463 3: the raw 32 bytes, not an SPKI (44 bytes)" },
	{ "v=DKIM1; k=ed25519; p=", "rsa2048", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_ED25519, 0,
	  false, "dkim.ed25519_bad_length", ANY, ANY, ANY, -1, "an RSA key under k=ed25519" },
	{ "v=DKIM1; k=ed25519; p=AAAA", NULL, "", 0, DKIM_STATUS_INVALID, DKIM_KEY_ED25519, 0,
	  false, "dkim.ed25519_bad_length", ANY, ANY, ANY, -1, "3 bytes" },

	/* ---- h= (RFC 8301 3.1) ---- */
	{ "v=DKIM1; h=sha256; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true, "",
	  ANY, ANY, ANY, (int)DKIM_HASH_SHA256, "" },
	{ "v=DKIM1; h=sha1:sha256; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true,
	  "", ANY, ANY, ANY, HASH_ALL, "" },
	{ "v=DKIM1; h = sha1 :\r\n sha256 ; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA,
	  2048, true, "", ANY, ANY, ANY, HASH_ALL, "FWS around ':'" },
	{ "v=DKIM1; h=SHA256:md5; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true,
	  "", ANY, ANY, ANY, (int)DKIM_HASH_SHA256, "any case; unknown algorithms ignored" },
	{ "v=DKIM1; h=sha1; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, false,
	  "dkim.sha1_only", ANY, ANY, ANY, (int)DKIM_HASH_SHA1,
	  "sha1 only: verifiers MUST NOT accept rsa-sha1" },
	{ "v=DKIM1; h=sha1:md5; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, false,
	  "dkim.sha1_only", ANY, ANY, ANY, (int)DKIM_HASH_SHA1, "" },
	{ "v=DKIM1; h=md5; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, false,
	  "dkim.no_known_hash", ANY, ANY, ANY, 0, "no hash verifiers use" },
	{ "v=DKIM1; h=; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, false,
	  "dkim.no_known_hash", ANY, ANY, ANY, 0, "an empty h=" },
	{ "v=DKIM1; h=sha1; p=", "rsa512", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 512, false,
	  "dkim.key_too_short dkim.sha1_only", ANY, ANY, ANY, -1, "both problems are named" },

	/* ---- t= ---- */
	{ "v=DKIM1; t=y; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true,
	  "dkim.testing", YES, NO, ANY, -1, "testing: usable, with a warning" },
	{ "v=DKIM1; t=s; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true, "", NO,
	  YES, ANY, -1, "strict: no finding" },
	{ "v=DKIM1; t=y:s; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true,
	  "dkim.testing", YES, YES, ANY, -1, "" },
	{ "v=DKIM1; t= s : x : y ; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true,
	  "dkim.testing", YES, YES, ANY, -1, "an unknown flag is ignored" },
	{ "v=DKIM1; t=x; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true, "", NO,
	  NO, ANY, -1, "only unknown flags" },

	/* ---- s= ---- */
	{ "v=DKIM1; s=email; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true, "",
	  ANY, ANY, YES, -1, "" },
	{ "v=DKIM1; s=*; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true, "", ANY,
	  ANY, YES, -1, "" },
	{ "v=DKIM1; s=tlsrpt:EMAIL; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048,
	  true, "", ANY, ANY, YES, -1, "email among others, in any case" },
	{ "v=DKIM1; s=tlsrpt; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, false,
	  "dkim.service_not_email", ANY, ANY, NO, -1, "RFC 8460's service type only" },
	{ "v=DKIM1; s=; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, false,
	  "dkim.service_not_email", ANY, ANY, NO, -1, "an empty s=" },

	/* ---- n=, unknown tags, duplicates, syntax ---- */
	{ "v=DKIM1; n=Key for the newsletter, ask postmaster; p=", "rsa2048", "", 0,
	  DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048, true, "", ANY, ANY, ANY, -1, "notes" },
	{ "v=DKIM1; g=*; x=1; x-y=2; p=", "rsa2048", "", 0, DKIM_STATUS_KEY, DKIM_KEY_RSA, 2048,
	  true, "", ANY, ANY, ANY, -1,
	  "unknown tags are ignored: RFC 4871's g=, an x=, a name outside the ABNF" },
	{ "v=DKIM1; p=", "rsa2048", "; p=", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.duplicate_tag", ANY, ANY, ANY, -1, "RFC 6376 3.2: a repeated tag spoils the list" },
	{ "v=DKIM1; t=y; t=s; p=", "rsa2048", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.duplicate_tag dkim.testing", YES, NO, ANY, -1, "the first t= is the one read" },
	{ "v=DKIM1; x=1; x=2; p=", "rsa2048", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.duplicate_tag", ANY, ANY, ANY, -1, "unknown tags may not repeat either" },
	{ "v=DKIM1; p=", "rsa2048", "; garbage", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.syntax", ANY, ANY, ANY, -1, "a spec without '='" },
	{ "v=DKIM1; =x; p=", "rsa2048", "", 0, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.syntax", ANY, ANY, ANY, -1, "a spec without a name" },

	/* ---- not a key record ---- */
	{ "v=spf1 include:_spf.google.com ~all", NULL, "", 0, DKIM_STATUS_NOT_KEY, DKIM_KEY_NONE, 0,
	  false, "dkim.not_key_record", NO, NO, NO, 0, "an SPF record (a wildcard TXT)" },
	{ "google-site-verification=abcdefghijklmnop", NULL, "", 0, DKIM_STATUS_NOT_KEY,
	  DKIM_KEY_NONE, 0, false, "dkim.not_key_record", ANY, ANY, ANY, -1, "a token" },
	{ "hello world", NULL, "", 0, DKIM_STATUS_NOT_KEY, DKIM_KEY_NONE, 0, false,
	  "dkim.not_key_record", ANY, ANY, ANY, -1, "text: its syntax error is not reported" },
	{ "", NULL, "", 0, DKIM_STATUS_NOT_KEY, DKIM_KEY_NONE, 0, false, "dkim.not_key_record", ANY,
	  ANY, ANY, -1, "an empty TXT" },
	{ "k=rsa; t=y; x=1; x=2", NULL, "", 0, DKIM_STATUS_NOT_KEY, DKIM_KEY_NONE, 0, false,
	  "dkim.not_key_record", NO, ANY, ANY, -1, "no p= and no v=DKIM1: nothing else is judged" },
	{ "v=spf1\0 -all", NULL, "", 12, DKIM_STATUS_NOT_KEY, DKIM_KEY_NONE, 0, false,
	  "dkim.not_key_record", ANY, ANY, ANY, -1, "a NUL in a text that is no key" },
	{ "v=DKIM1; k=rsa; p=\0", NULL, "", 19, DKIM_STATUS_INVALID, DKIM_KEY_RSA, 0, false,
	  "dkim.syntax", ANY, ANY, ANY, -1, "a NUL byte in a key record" },
};

static char *build(const struct row *r, size_t *len)
{
	const char *key = r->key ? key_file(r->key) : "";
	size_t pre = r->len ? r->len : strlen(r->pre);
	size_t n = pre + strlen(key) + strlen(r->post);
	char *s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, r->pre, pre);
	memcpy(s + pre, key, strlen(key));
	memcpy(s + pre + strlen(key), r->post, strlen(r->post));
	s[n] = '\0';
	*len = n;
	return s;
}

static bool tri_ok(enum tri want, bool got)
{
	return want == ANY || (want == YES) == got;
}

static void check_row(size_t i, const struct row *r, const struct dkim_key *k)
{
	char got[512];
	codes_of(k, got, sizeof(got));
	if (k->status != r->status || k->key_type != r->type || k->bits != r->bits ||
	    dkim_key_usable(k) != r->usable || strcmp(got, r->codes) != 0)
		fail_msg("row %zu \"%s\"+%s (%s): got %s/%s/%d usable %d [%s], want %s/%s/%d "
		         "usable %d [%s]",
		         i, r->pre, r->key ? r->key : "-", r->why, dkim_status_name(k->status),
		         dkim_key_type_name(k->key_type) ? dkim_key_type_name(k->key_type) : "null",
		         k->bits, dkim_key_usable(k), got, dkim_status_name(r->status),
		         dkim_key_type_name(r->type) ? dkim_key_type_name(r->type) : "null",
		         r->bits, r->usable, r->codes);
	if (!tri_ok(r->testing, k->testing) || !tri_ok(r->strict, k->strict) ||
	    !tri_ok(r->email, k->email_allowed) || (r->hashes >= 0 && (int)k->hashes != r->hashes))
		fail_msg("row %zu \"%s\" (%s): testing %d strict %d email %d hashes %u", i, r->pre,
		         r->why, k->testing, k->strict, k->email_allowed, k->hashes);
	/* usable exactly when a key was read without an error finding; an
	 * invalid record always has one (tests/fuzz/fuzz_dkim_key.c checks
	 * the same on arbitrary input). */
	const struct finding *err = findings_first_error(&k->findings);
	if (dkim_key_usable(k) != (k->status == DKIM_STATUS_KEY && err == NULL) ||
	    (k->status == DKIM_STATUS_INVALID && err == NULL))
		fail_msg("row %zu \"%s\" (%s): usable and error findings disagree", i, r->pre,
		         r->why);
	/* Every code is registered and every finding has a message and a fix. */
	for (size_t j = 0; j < k->findings.n; j++) {
		const struct finding *f = &k->findings.v[j];
		const struct finding_info *info = finding_info(f->code);
		if (info == NULL || f->message == NULL || f->message[0] == '\0' || f->fix == NULL) {
			fail_msg("row %zu: finding %s unregistered or without message/fix", i,
			         f->code);
			continue;
		}
		if (f->severity > info->severity)
			fail_msg("row %zu: %s reported as %s, registry says %s", i, f->code,
			         finding_severity_name(f->severity),
			         finding_severity_name(info->severity));
	}
}

/* ---- part A: the table ---------------------------------------------------- */

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t len;
		char *text = build(&rows[i], &len);
		struct dkim_key k;
		assert_int_equal(dkim_key_parse(text, len, NULL, &k), 0);
		check_row(i, &rows[i], &k);
		dkim_key_cleanup(&k);
		free(text);
	}
}

/* ---- part B: the ARC test suite's key records ------------------------------ */

/*
 * The TXT records (txt-records) of the ARC test suite, ValiMail's
 * arc_test_suite: arc-draft-validation-tests.yml and
 * arc-draft-sign-tests.yml, copied from the project's shared conformance
 * folder (headers/arc-suite/). Licence: MIT, "Copyright <2017> ValiMail
 * Inc." (the suite's LICENSE.txt). The YAML folds the validation records
 * with spaces (">-") and keeps the signing record's newlines ("|"): both
 * are FWS inside p= (RFC 6376 3.6.1 base64string), so both are kept as the
 * YAML reads them.
 */
static const struct {
	const char *name;
	const char *record;
	enum dkim_status status;
	int bits;
	const char *codes;
} arc[] = {
	{ "dummy._domainkey.example.org",
	  "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3id "
	  "Y6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lx "
	  "j+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB",
	  DKIM_STATUS_KEY, 1024, "dkim.key_short_1024" },
	{ "512._domainkey.example.org",
	  "v=DKIM1; k=rsa; p= MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAIWmlgix/84GJ+dfgjm7LTc9EPdfk "
	  "ftlgiPpCq4/kbDAZmU0VvYKDljjleJ1dfvS+CGy9U/kk1tG3EeEvb82xAcCAwEAAQ==",
	  DKIM_STATUS_KEY, 512, "dkim.key_too_short" },
	{ "1024._domainkey.example.org",
	  "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCyBwu6PiaDN87t3DVZ84zIrE "
	  "hCoxtFuv7g52oCwAUXTDnXZ+0XHM/rhkm8XSGr1yLsDc1zLGX8IfITY1dL2CzptdgyiX7vgYjzZqG368 "
	  "C8BtGB5m6nj26NyhSKEdlV7MS9KbASd359ggCeGTT5QjRKEMSauVyVSeapq6ZcpZ9JwQIDAQAB",
	  DKIM_STATUS_KEY, 1024, "dkim.key_short_1024" },
	{ "2048._domainkey.example.org",
	  "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv+7VkwpTtICeJFM4Hf "
	  "UZsvv2OaA+QMrW9Af1PpTOzVP0uvUFK20lcaxMvt81ia/sGYW4gHp/WUIk0BIQMPVhUeCIuM1mcOQNFS "
	  "OflR8pLo916rjEZXpRP/XGo4HwWzdqD2qQeb3+fv1IrzfHiDb9THbamoz05EX7JX+wVSAhdSW/igwhA/ "
	  "+beuzWR0RDDyGMT1b1Sb/lrGfwSXm7QoZQtj5PRiTX+fsL7WlzL+fBThySwS8ZBZcHcd8iWOSGKZ0gYK "
	  "zxyuOf8VCX71C4xDhahN+HXWZFn9TZb+uZX9m+WXM3t+P8CdfxsaOdnVg6imgNDlUWX4ClLTZhco0Kmi "
	  "BU+QIDAQAB",
	  DKIM_STATUS_KEY, 2048, "" },
	{ "dummy2._domainkey.example2.org",
	  "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDR3lRpGZS+xO96Znv/BPNQxi "
	  "m7ZD0v6yFmZa9Rni5FHCeWuQwcp+PH/XXOyF6JsmB+kS0ybxJnx594ulqH2KvLMNsGAD+yRl2bJSXbBH "
	  "ea7K9C5WX8Vjx3oPoGgw7QCONptnjUsbIIoxUZBEUe17eG44H/PbDqGwCBiyI20KEC/wIDAQAB",
	  DKIM_STATUS_KEY, 1024, "dkim.key_short_1024" },
	{ "invalid._domainkey.example.org", "v=DKIM1; k=rsa; omgwhatsgoingon", DKIM_STATUS_INVALID,
	  0, "dkim.syntax dkim.missing_p" },
	{ "dummy._domainkey.example.org (signing suite)",
	  "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQ\n"
	  "oBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzC\n"
	  "Nb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvH\n"
	  "O9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\n",
	  DKIM_STATUS_KEY, 1024, "dkim.key_short_1024" },
};

static void test_arc_suite(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(arc) / sizeof(arc[0]); i++) {
		struct dkim_key k;
		char got[512];
		assert_int_equal(
		        dkim_key_parse(arc[i].record, strlen(arc[i].record), arc[i].name, &k), 0);
		codes_of(&k, got, sizeof(got));
		if (k.status != arc[i].status || k.bits != arc[i].bits ||
		    strcmp(got, arc[i].codes) != 0)
			fail_msg("%s: got %s %d [%s], want %s %d [%s]", arc[i].name,
			         dkim_status_name(k.status), k.bits, got,
			         dkim_status_name(arc[i].status), arc[i].bits, arc[i].codes);
		if (arc[i].status == DKIM_STATUS_KEY)
			assert_int_equal(k.key_type, DKIM_KEY_RSA);
		dkim_key_cleanup(&k);
	}
}

/* ---- part C: what the table cannot say -------------------------------------- */

static void test_messages_and_path(void **state)
{
	(void)state;
	char rec[1024];
	struct dkim_key k;
	snprintf(rec, sizeof(rec), "v=DKIM1; h=sha1; p=%s", key_file("rsa512"));
	assert_int_equal(dkim_key_parse(rec, strlen(rec), "s1._domainkey.example.com", &k), 0);
	assert_int_equal(k.findings.n, 2);
	assert_string_equal(k.findings.v[0].path, "s1._domainkey.example.com");
	assert_int_equal(k.findings.v[0].severity, FINDING_ERROR);
	assert_non_null(strstr(k.findings.v[0].message, "512 bits"));
	assert_non_null(strstr(k.findings.v[0].message, "RFC 8301 3.2"));
	assert_non_null(strstr(k.findings.v[1].message, "h=sha1"));
	assert_non_null(strstr(k.findings.v[1].message, "RFC 8301 3.1"));
	dkim_key_cleanup(&k);

	snprintf(rec, sizeof(rec), "v=DKIM1; k=rsa; p=%s", key_file("rsa1024"));
	assert_int_equal(dkim_key_parse(rec, strlen(rec), NULL, &k), 0);
	assert_null(k.findings.v[0].path);
	assert_int_equal(k.findings.v[0].severity, FINDING_WARNING);
	assert_non_null(strstr(k.findings.v[0].message, "1024 bits"));
	dkim_key_cleanup(&k);

	/* The wrapped Ed25519 key is named as such. */
	snprintf(rec, sizeof(rec), "v=DKIM1; k=ed25519; p=%s", key_file("ed25519-spki"));
	assert_int_equal(dkim_key_parse(rec, strlen(rec), NULL, &k), 0);
	assert_non_null(strstr(k.findings.v[0].message, "44 bytes"));
	assert_non_null(strstr(k.findings.v[0].message, "SubjectPublicKeyInfo"));
	dkim_key_cleanup(&k);

	/* Hostile bytes in a message are escaped. */
	const char bad[] = "v=DKIM1; p=\x1b[31mAAAA";
	assert_int_equal(dkim_key_parse(bad, sizeof(bad) - 1, NULL, &k), 0);
	assert_string_equal(k.findings.v[0].code, "dkim.bad_base64");
	assert_null(strchr(k.findings.v[0].message, '\x1b'));
	assert_non_null(strstr(k.findings.v[0].message, "\\027"));
	dkim_key_cleanup(&k);

	/* The EC key's type is named. */
	snprintf(rec, sizeof(rec), "p=%s", key_file("ec-p256-spki"));
	assert_int_equal(dkim_key_parse(rec, strlen(rec), NULL, &k), 0);
	assert_non_null(strstr(k.findings.v[0].message, "id-ecPublicKey"));
	dkim_key_cleanup(&k);
}

static void test_base64_folding(void **state)
{
	(void)state;
	/* The 4096-bit key folded every 7 characters with each kind of FWS. */
	const char *key = key_file("rsa4096");
	static const char *const folds[] = { " ", "\t", "\r\n ", "\n\t", "  " };
	char rec[4096];
	size_t o = (size_t)snprintf(rec, sizeof(rec), "v=DKIM1; p=");
	for (size_t i = 0; key[i] != '\0'; i++) {
		rec[o++] = key[i];
		if (i % 7 == 6) {
			const char *f = folds[i % 5];
			memcpy(rec + o, f, strlen(f));
			o += strlen(f);
		}
	}
	rec[o] = '\0';
	struct dkim_key k;
	assert_int_equal(dkim_key_parse(rec, o, NULL, &k), 0);
	assert_int_equal(k.status, DKIM_STATUS_KEY);
	assert_int_equal(k.bits, 4096);
	assert_int_equal(k.findings.n, 0);
	assert_true(dkim_key_usable(&k));
	dkim_key_cleanup(&k);

	/* 512 bits: the one key of the set with '=' padding; without it. */
	snprintf(rec, sizeof(rec), "p=%s", key_file("rsa512"));
	char *pad = strchr(rec, '=');
	pad = strchr(pad + 1, '=');
	assert_non_null(pad);
	*pad = '\0';
	assert_int_equal(dkim_key_parse(rec, strlen(rec), NULL, &k), 0);
	assert_int_equal(k.status, DKIM_STATUS_KEY);
	assert_int_equal(k.bits, 512);
	assert_int_equal(k.findings.n, 2);
	assert_string_equal(k.findings.v[0].code, "dkim.p_unpadded");
	assert_string_equal(k.findings.v[1].code, "dkim.key_too_short");
	dkim_key_cleanup(&k);
}

static void test_hostile_sizes(void **state)
{
	(void)state;
	struct dkim_key k;
	/* Over DNS_TXT_MAX_BYTES: not read. */
	size_t n = 9000;
	char *big = malloc(n);
	assert_non_null(big);
	memcpy(big, "v=DKIM1; p=", 11);
	memset(big + 11, 'A', n - 11);
	assert_int_equal(dkim_key_parse(big, n, NULL, &k), 0);
	assert_int_equal(k.status, DKIM_STATUS_INVALID);
	assert_int_equal(k.findings.n, 1);
	assert_string_equal(k.findings.v[0].code, "dkim.syntax");
	assert_non_null(strstr(k.findings.v[0].message, "9000 bytes"));
	dkim_key_cleanup(&k);
	free(big);

	/* More than DKIM_MAX_TAGS tags. */
	char rec[2048];
	size_t o = 0;
	for (int i = 0; i <= DKIM_MAX_TAGS; i++)
		o += (size_t)snprintf(rec + o, sizeof(rec) - o, "a%d=1;", i);
	o += (size_t)snprintf(rec + o, sizeof(rec) - o, "p=%s", RFC8463_KEY);
	assert_int_equal(dkim_key_parse(rec, o, NULL, &k), 0);
	assert_int_equal(k.status, DKIM_STATUS_NOT_KEY); /* p= is past the limit */
	dkim_key_cleanup(&k);
	o = (size_t)snprintf(rec, sizeof(rec), "k=ed25519; p=%s", RFC8463_KEY);
	for (int i = 0; i <= DKIM_MAX_TAGS; i++)
		o += (size_t)snprintf(rec + o, sizeof(rec) - o, ";a%d=1", i);
	assert_int_equal(dkim_key_parse(rec, o, NULL, &k), 0);
	assert_int_equal(k.status, DKIM_STATUS_INVALID);
	assert_true(k.findings.n == 1);
	assert_string_equal(k.findings.v[0].code, "dkim.syntax");
	dkim_key_cleanup(&k);

	/* len bounds the text: nothing past it is read. */
	assert_int_equal(dkim_key_parse("p=" RFC8463_KEY "garbage", 2, NULL, &k), 0);
	assert_int_equal(k.status, DKIM_STATUS_REVOKED);
	dkim_key_cleanup(&k);
	assert_int_equal(dkim_key_parse(NULL, 0, NULL, &k), 0);
	assert_int_equal(k.status, DKIM_STATUS_NOT_KEY);
	dkim_key_cleanup(&k);
}

static void test_names_and_usable(void **state)
{
	(void)state;
	assert_string_equal(dkim_status_name(DKIM_STATUS_KEY), "key");
	assert_string_equal(dkim_status_name(DKIM_STATUS_REVOKED), "revoked");
	assert_string_equal(dkim_status_name(DKIM_STATUS_INVALID), "invalid");
	assert_string_equal(dkim_status_name(DKIM_STATUS_NOT_KEY), "not_key");
	assert_string_equal(dkim_key_type_name(DKIM_KEY_RSA), "rsa");
	assert_string_equal(dkim_key_type_name(DKIM_KEY_ED25519), "ed25519");
	assert_null(dkim_key_type_name(DKIM_KEY_NONE));
	assert_false(dkim_key_usable(NULL));
	/* usable reads the fields, not the findings. */
	struct dkim_key k = { .status = DKIM_STATUS_KEY,
		              .key_type = DKIM_KEY_RSA,
		              .bits = 1023,
		              .email_allowed = true,
		              .hashes = DKIM_HASH_SHA256 };
	assert_false(dkim_key_usable(&k));
	k.bits = 1024;
	assert_true(dkim_key_usable(&k));
	k.email_allowed = false;
	assert_false(dkim_key_usable(&k));
	k.email_allowed = true;
	k.hashes = DKIM_HASH_SHA1;
	assert_false(dkim_key_usable(&k));
	k.hashes = DKIM_HASH_SHA256;
	k.status = DKIM_STATUS_REVOKED;
	assert_false(dkim_key_usable(&k));
	k.status = DKIM_STATUS_KEY;
	k.key_type = DKIM_KEY_ED25519;
	k.bits = 0;
	assert_true(dkim_key_usable(&k));
	k.testing = true;
	assert_true(dkim_key_usable(&k));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_arc_suite),
		cmocka_unit_test(test_messages_and_path),
		cmocka_unit_test(test_base64_folding),
		cmocka_unit_test(test_hostile_sizes),
		cmocka_unit_test(test_names_and_usable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
