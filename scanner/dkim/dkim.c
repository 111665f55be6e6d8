/*
 * dkim.c — DKIM key records (RFC 6376 3.6.1) on the shared tag-list
 * tokenizer, and the audit of the key they publish (RFC 8301, RFC 8463).
 * Pure; OpenSSL only decodes the RSA key (see README.md).
 *
 * Strict where the RFC is and receivers are: a duplicate tag, a v= that
 * is not DKIM1 or not first, a tag-spec without '=', p= that is not
 * base64 or not a key spoil the record. Lenient where they are: white
 * space (FWS) anywhere in p=, empty specs (";;", a trailing ';'), unknown
 * tags, flags, hashes and service types ignored (RFC 6376 3.6.1).
 */
#include "dkim.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <limits.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "dnsutil.h"
#include "taglist.h"
#include "strutil.h"

const char *dkim_status_name(enum dkim_status s)
{
	static const char *const n[] = { "key", "revoked", "invalid", "not_key" };
	return (unsigned)s < 4 ? n[s] : "unknown";
}

const char *dkim_key_type_name(enum dkim_key_type t)
{
	static const char *const n[] = { NULL, "rsa", "ed25519" };
	return (unsigned)t < 3 ? n[t] : NULL;
}

/* RFC 6376 3.6.1's tags. */
enum tag_id { TAG_V, TAG_H, TAG_K, TAG_N, TAG_P, TAG_S, TAG_T, TAG_COUNT };

static const struct taglist_tag tags[TAG_COUNT] = {
	{ "v", TAG_V }, { "h", TAG_H }, { "k", TAG_K }, { "n", TAG_N },
	{ "p", TAG_P }, { "s", TAG_S }, { "t", TAG_T },
};

struct value {
	const char *s;
	size_t n;
};

/* What one pass of the tokenizer saw. */
struct scan {
	struct dkim_key *k;
	const char *path;
	struct value val[TAG_COUNT];
	uint64_t seen;
	int v_index;    /* place of v= among the non-empty specs; -1 when absent */
	int nspecs;     /* non-empty specs */
	bool bad;       /* a syntax error or a duplicate: the record is invalid */
	bool looks_key; /* a tag P or V=DKIM1: a key record with tags in the wrong case */
	struct value unknown[DKIM_MAX_TAGS];
	size_t nunknown;
};

static bool is_fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_exactly(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* ABNF literals ("rsa", "sha256", "email") match in any case (RFC 5234 2.3). */
static bool is_word(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return false;
	}
	return true;
}

static void esc(const char *s, size_t n, char *out, size_t outlen)
{
	dns_escape_text(s, n < 80 ? n : 80, out, outlen);
}

static void add(struct scan *sc, const char *code, enum finding_severity sev, const char *fix,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(struct scan *sc, const char *code, enum finding_severity sev, const char *fix,
                const char *fmt, ...)
{
	char msg[FINDING_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	findings_add(&sc->k->findings, code, sev, sc->path, fix, "%s", msg);
}

/* ---- the tag-list --------------------------------------------------------- */

static void syntax_error(struct scan *sc, const struct taglist_spec *s, const char *what)
{
	char e[400];
	esc(s->spec, s->spec_len, e, sizeof(e));
	add(sc, "dkim.syntax", FINDING_ERROR,
	    "Write the record as tag=value pairs separated by ';', e.g. "
	    "\"v=DKIM1; k=rsa; p=<base64 key>\".",
	    "\"%s\" %s; receivers cannot read the key record (RFC 6376 3.2)", e, what);
	sc->bad = true;
}

static void duplicate(struct scan *sc, const char *name, size_t n)
{
	char e[400];
	esc(name, n, e, sizeof(e));
	add(sc, "dkim.duplicate_tag", FINDING_ERROR,
	    "Publish each tag once: a record with a repeated tag is invalid.",
	    "tag %s appears more than once; receivers discard the record (RFC 6376 3.2)", e);
	sc->bad = true;
}

/* An unknown tag: ignored (RFC 6376 3.6.1), but a repeat still spoils
 * the record (RFC 6376 3.2: no tag name may occur twice). */
static void unknown_tag(struct scan *sc, const struct taglist_spec *s)
{
	for (size_t i = 0; i < sc->nunknown; i++) {
		if (sc->unknown[i].n == s->name_len &&
		    memcmp(sc->unknown[i].s, s->name, s->name_len) == 0) {
			duplicate(sc, s->name, s->name_len);
			return;
		}
	}
	if (sc->nunknown < DKIM_MAX_TAGS) {
		sc->unknown[sc->nunknown].s = s->name;
		sc->unknown[sc->nunknown].n = s->name_len;
		sc->nunknown++;
	}
	/* Tag names are case-sensitive (RFC 6376 3.2): "P=" is not p=, but
	 * such a record is still meant as a key, not some other TXT. */
	if (is_exactly(s->name, s->name_len, "P") ||
	    (is_exactly(s->name, s->name_len, "V") && is_word(s->value, s->value_len, "dkim1")))
		sc->looks_key = true;
}

static void read_spec(struct scan *sc, const struct taglist_spec *s)
{
	if (s->cls == TAGLIST_NO_EQUALS) {
		syntax_error(sc, s, "is not a tag=value pair");
		return;
	}
	if (s->cls == TAGLIST_EMPTY_NAME) {
		syntax_error(sc, s, "has no tag name");
		return;
	}
	const struct taglist_tag *t = NULL;
	if (s->cls == TAGLIST_OK)
		t = taglist_find(tags, TAG_COUNT, s->name, s->name_len, TAGLIST_CASE_SENSITIVE);
	if (t == NULL) {
		unknown_tag(sc, s);
		return;
	}
	if (taglist_mark_seen(&sc->seen, t->id)) {
		duplicate(sc, s->name, s->name_len);
		return;
	}
	if (t->id == TAG_V)
		sc->v_index = sc->nspecs - 1;
	sc->val[t->id].s = s->value;
	sc->val[t->id].n = s->value_len;
}

static void scan_tags(struct scan *sc, const char *rec, size_t len)
{
	struct taglist_iter it;
	struct taglist_spec s;

	taglist_begin(&it, rec, len, TAGLIST_SPACE_FWS);
	while (taglist_next(&it, &s)) {
		if (s.cls == TAGLIST_EMPTY)
			continue; /* ";;" and a trailing ';': harmless */
		if (++sc->nspecs > DKIM_MAX_TAGS) {
			add(sc, "dkim.syntax", FINDING_ERROR,
			    "Publish only the tags of RFC 6376 3.6.1.",
			    "more than %d tags; the record is not read further", DKIM_MAX_TAGS);
			sc->bad = true;
			return;
		}
		read_spec(sc, &s);
	}
}

/* A key record: it has p=, or v=DKIM1 (RFC 6376 3.6.1), or one of those
 * with the tag name in upper case. */
static bool is_key_record(const struct scan *sc)
{
	if (taglist_was_seen(sc->seen, TAG_P) || sc->looks_key)
		return true;
	return taglist_was_seen(sc->seen, TAG_V) &&
	       is_exactly(sc->val[TAG_V].s, sc->val[TAG_V].n, "DKIM1");
}

/* ---- the tags' values ------------------------------------------------------ */

typedef void (*item_fn)(struct scan *sc, const char *s, size_t n);

/* Calls fn for every non-empty item of a colon-separated list (h=, s=,
 * t=), FWS around ':' trimmed. */
static void each_item(struct scan *sc, const struct value *v, item_fn fn)
{
	size_t start = 0;
	for (size_t i = 0; i <= v->n; i++) {
		if (i < v->n && v->s[i] != ':')
			continue;
		const char *s = v->s + start;
		size_t n = i - start;
		while (n > 0 && is_fws(*s)) {
			s++;
			n--;
		}
		while (n > 0 && is_fws(s[n - 1]))
			n--;
		if (n > 0)
			fn(sc, s, n);
		start = i + 1;
	}
}

/* Unknown hash algorithms, flags and service types are ignored (RFC
 * 6376 3.6.1). */
static void hash_item(struct scan *sc, const char *s, size_t n)
{
	if (is_word(s, n, "sha1"))
		sc->k->hashes |= DKIM_HASH_SHA1;
	else if (is_word(s, n, "sha256"))
		sc->k->hashes |= DKIM_HASH_SHA256;
}

static void flag_item(struct scan *sc, const char *s, size_t n)
{
	if (is_word(s, n, "y"))
		sc->k->testing = true;
	else if (is_word(s, n, "s"))
		sc->k->strict = true;
}

static void service_item(struct scan *sc, const char *s, size_t n)
{
	if (is_exactly(s, n, "*") || is_word(s, n, "email"))
		sc->k->email_allowed = true;
}

/* k=, h=, s= and t= into the key's fields (findings come later). */
static void read_fields(struct scan *sc)
{
	struct dkim_key *k = sc->k;
	k->key_type = DKIM_KEY_RSA; /* RFC 6376 3.6.1: k= defaults to rsa */
	if (taglist_was_seen(sc->seen, TAG_K)) {
		const struct value *v = &sc->val[TAG_K];
		if (is_word(v->s, v->n, "ed25519"))
			k->key_type = DKIM_KEY_ED25519;
		else if (!is_word(v->s, v->n, "rsa"))
			k->key_type = DKIM_KEY_NONE;
	}
	k->hashes = DKIM_HASH_SHA1 | DKIM_HASH_SHA256; /* all by default */
	if (taglist_was_seen(sc->seen, TAG_H)) {
		k->hashes = 0;
		each_item(sc, &sc->val[TAG_H], hash_item);
	}
	k->email_allowed = !taglist_was_seen(sc->seen, TAG_S);
	if (!k->email_allowed)
		each_item(sc, &sc->val[TAG_S], service_item);
	if (taglist_was_seen(sc->seen, TAG_T))
		each_item(sc, &sc->val[TAG_T], flag_item);
}

/* The findings of h=, s= and t=. */
static void list_findings(struct scan *sc)
{
	struct dkim_key *k = sc->k;
	char e[400];
	if (!(k->hashes & DKIM_HASH_SHA256)) {
		esc(sc->val[TAG_H].s, sc->val[TAG_H].n, e, sizeof(e));
		if (k->hashes & DKIM_HASH_SHA1)
			add(sc, "dkim.sha1_only", FINDING_ERROR,
			    "Remove h= (all algorithms allowed) or set h=sha256, and sign with "
			    "rsa-sha256.",
			    "h=%s allows only sha1: verifiers MUST NOT accept rsa-sha1 signatures "
			    "(RFC "
			    "8301 3.1), so no signature with this key verifies",
			    e);
		else
			add(sc, "dkim.no_known_hash", FINDING_ERROR,
			    "Remove h= (all algorithms allowed) or set h=sha256.",
			    "h=%s names no hash algorithm verifiers use (sha256): no signature "
			    "with this "
			    "key verifies",
			    e);
	}
	if (!k->email_allowed) {
		esc(sc->val[TAG_S].s, sc->val[TAG_S].n, e, sizeof(e));
		add(sc, "dkim.service_not_email", FINDING_ERROR,
		    "Remove s= or set s=email (or s=*).",
		    "s=%s does not allow the email service (neither * nor email): verifiers of "
		    "mail "
		    "ignore the key (RFC 6376 3.6.1)",
		    e);
	}
	if (k->testing)
		add(sc, "dkim.testing", FINDING_WARNING,
		    "Remove the y flag from t= once signing works.",
		    "t=y: the domain is testing DKIM, and verifiers MUST NOT treat its signed mail "
		    "differently from unsigned mail (RFC 6376 3.6.1), so DMARC may not count it");
}

/* ---- the record-wide rules ------------------------------------------------ */

/* v= (DKIM1, first), p= present, k= known. True when the record can be
 * read on to its key. */
static bool record_rules(struct scan *sc)
{
	char e[400];
	bool ok = !sc->bad;
	if (taglist_was_seen(sc->seen, TAG_V)) {
		if (!is_exactly(sc->val[TAG_V].s, sc->val[TAG_V].n, "DKIM1")) {
			esc(sc->val[TAG_V].s, sc->val[TAG_V].n, e, sizeof(e));
			add(sc, "dkim.bad_version", FINDING_ERROR,
			    "Start the record with v=DKIM1, or leave v= out.",
			    "v=%s is not DKIM1: receivers discard the record (RFC 6376 3.6.1)", e);
			ok = false;
		} else if (sc->v_index != 0) {
			add(sc, "dkim.bad_version", FINDING_ERROR,
			    "Move v=DKIM1 to the start of the record, or leave it out.",
			    "v=DKIM1 is not the first tag: RFC 6376 3.6.1 requires it first, and "
			    "receivers may discard the record");
			ok = false;
		}
	}
	if (!taglist_was_seen(sc->seen, TAG_P)) {
		add(sc, "dkim.missing_p", FINDING_ERROR,
		    "Publish the public key in p= (p= with nothing after it revokes the key).",
		    "no p= tag%s: the record holds no key (p= is required, RFC 6376 3.6.1)",
		    sc->looks_key ? " (tag names are case-sensitive: P= is not p=)" : "");
		ok = false;
	}
	if (sc->k->key_type == DKIM_KEY_NONE) {
		esc(sc->val[TAG_K].s, sc->val[TAG_K].n, e, sizeof(e));
		add(sc, "dkim.unknown_key_type", FINDING_ERROR,
		    "Use k=rsa (the default) or k=ed25519 with a key of that type.",
		    "k=%s is not a key type verifiers know (rsa, ed25519): they cannot use the key",
		    e);
		ok = false;
	}
	return ok;
}

/* A record longer than posture reads or holding a NUL byte: true when
 * it is spoilt. */
static bool whole_record(struct scan *sc, const char *rec, size_t len)
{
	char e[400];
	if (len > DNS_TXT_MAX_BYTES) {
		esc(rec, 32, e, sizeof(e));
		add(sc, "dkim.syntax", FINDING_ERROR,
		    "Publish a key of 4096 bits at most: its record is under 1 KiB.",
		    "the record \"%s...\" is %zu bytes, more than posture reads (%d, "
		    "DNS_TXT_MAX_BYTES): not read",
		    e, len, DNS_TXT_MAX_BYTES);
		return true;
	}
	const char *nul = memchr(rec, '\0', len);
	if (nul != NULL) {
		esc(rec, len, e, sizeof(e));
		add(sc, "dkim.syntax", FINDING_ERROR,
		    "Publish the record as plain text, without NUL bytes.",
		    "the record \"%s\" holds a NUL byte (\\000) at byte %zu: receivers cannot read "
		    "it",
		    e, (size_t)(nul - rec));
		return true;
	}
	return false;
}

/* ---- p=: base64 ------------------------------------------------------------ */

/* RFC 6376 2.4's base64string: base64 with FWS anywhere, the '=' padding
 * at the end optional. Writes the bytes into out (room for n / 4 * 3 + 3)
 * and returns their count, or -1 with *bad the offending offset (n when
 * the text does not end on a whole group). *padded says whether the text
 * was a multiple of 4 characters, padding included. */
static long b64_decode(const char *s, size_t n, unsigned char *out, size_t *bad, bool *padded)
{
	uint32_t acc = 0;
	size_t chars = 0, pads = 0, o = 0;
	for (size_t i = 0; i < n; i++) {
		if (is_fws(s[i]))
			continue;
		if (s[i] == '=' && chars > 0 && pads < 2) {
			pads++;
			continue;
		}
		int v = str_base64_value((unsigned char)s[i]);
		if (v < 0 || pads > 0) {
			*bad = i;
			return -1;
		}
		acc = (acc << 6) | (uint32_t)v;
		if (++chars % 4 == 0) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	size_t rest = chars % 4;
	*bad = n;
	/* One character left over carries no whole byte; padding must fill
	 * the last group exactly. */
	if (rest == 1 || (pads > 0 && rest + pads != 4))
		return -1;
	if (rest == 2)
		out[o++] = (unsigned char)(acc >> 4);
	if (rest == 3) {
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	}
	*padded = rest == 0 || pads > 0;
	return (long)o;
}

/* ---- the key ----------------------------------------------------------------- */

static void rsa_size(struct scan *sc, int bits)
{
	const char *fix = "Generate a 2048-bit RSA key, publish it under a new selector and sign "
	                  "with it.";
	sc->k->bits = bits;
	if (bits < DKIM_RSA_MIN_BITS)
		add(sc, "dkim.key_too_short", FINDING_ERROR, fix,
		    "the RSA key is %d bits: verifiers MUST NOT accept signatures made with keys "
		    "under 1024 bits (RFC 8301 3.2), so none verifies",
		    bits);
	else if (bits == DKIM_RSA_MIN_BITS)
		add(sc, "dkim.key_short_1024", FINDING_WARNING, fix,
		    "the RSA key is %d bits, the least verifiers accept; RFC 8301 3.2 says signers "
		    "SHOULD use 2048 bits",
		    bits);
	else if (bits < DKIM_RSA_GOOD_BITS)
		add(sc, "dkim.key_under_2048", FINDING_WARNING, fix,
		    "the RSA key is %d bits; RFC 8301 3.2 says signers SHOULD use 2048 bits", bits);
	else if (bits > DKIM_RSA_MAX_VERIFIED_BITS)
		add(sc, "dkim.key_over_4096", FINDING_WARNING,
		    "Use a 2048-bit RSA key (4096 bits at most).",
		    "the RSA key is %d bits: verifiers need only handle keys up to 4096 bits (RFC "
		    "8301 3.2), so some may fail to verify",
		    bits);
}

/*
 * The keys are read with OpenSSL's ASN.1 templates (a SEQUENCE of any,
 * X509_ALGOR, the INTEGERs of an RSAPublicKey), not d2i_PUBKEY: OpenSSL
 * 3 sends that through its decoder framework, about 100 microseconds and
 * a dozen lock round trips a key, which made a DKIM scan three times
 * slower than one without (doc/performance.md, "DKIM in scans"). What a
 * verifier needs of an RSA key here is its modulus' size.
 */

/* The elements of one DER SEQUENCE that is all of der[0..n). */
static ASN1_SEQUENCE_ANY *read_seq(const unsigned char *der, size_t n)
{
	const unsigned char *q = der;
	ASN1_SEQUENCE_ANY *seq = n <= LONG_MAX ? d2i_ASN1_SEQUENCE_ANY(NULL, &q, (long)n) : NULL;
	if (seq != NULL && q != der + n) {
		sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
		seq = NULL;
	}
	ERR_clear_error(); /* a failed decode leaves nothing for others */
	return seq;
}

/* The bits of an RSAPublicKey (RFC 8017 A.1.1: SEQUENCE { modulus,
 * publicExponent }), 0 when it is none or the modulus is not positive. */
static int rsapublickey_bits(const unsigned char *der, size_t n)
{
	ASN1_SEQUENCE_ANY *seq = read_seq(der, n);
	int bits = 0;
	if (seq != NULL && sk_ASN1_TYPE_num(seq) == 2 &&
	    ASN1_TYPE_get(sk_ASN1_TYPE_value(seq, 0)) == V_ASN1_INTEGER &&
	    ASN1_TYPE_get(sk_ASN1_TYPE_value(seq, 1)) == V_ASN1_INTEGER) {
		BIGNUM *m = ASN1_INTEGER_to_BN(sk_ASN1_TYPE_value(seq, 0)->value.integer, NULL);
		if (m != NULL && !BN_is_negative(m))
			bits = BN_num_bits(m);
		BN_free(m);
	}
	sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
	ERR_clear_error();
	return bits;
}

/* A SubjectPublicKeyInfo (RFC 5280 4.1.1.2): its algorithm's NID in *nid
 * (NID_undef when der is none) and, for rsaEncryption, the key's bits. */
static int spki_bits(const unsigned char *der, size_t n, int *nid)
{
	ASN1_SEQUENCE_ANY *seq = read_seq(der, n);
	int bits = 0;
	*nid = NID_undef;
	if (seq != NULL && sk_ASN1_TYPE_num(seq) == 2 &&
	    ASN1_TYPE_get(sk_ASN1_TYPE_value(seq, 0)) == V_ASN1_SEQUENCE &&
	    ASN1_TYPE_get(sk_ASN1_TYPE_value(seq, 1)) == V_ASN1_BIT_STRING) {
		const ASN1_STRING *alg = sk_ASN1_TYPE_value(seq, 0)->value.sequence;
		const ASN1_BIT_STRING *key = sk_ASN1_TYPE_value(seq, 1)->value.bit_string;
		const unsigned char *q = ASN1_STRING_get0_data(alg);
		X509_ALGOR *a = d2i_X509_ALGOR(NULL, &q, ASN1_STRING_length(alg));
		const ASN1_OBJECT *oid = NULL;
		if (a != NULL) {
			X509_ALGOR_get0(&oid, NULL, NULL, a);
			*nid = OBJ_obj2nid(oid);
		}
		X509_ALGOR_free(a);
		/* A key is whole bytes: a BIT STRING with unused bits is none. */
		if (*nid == NID_rsaEncryption && (key->flags & 0x07) == 0)
			bits = rsapublickey_bits(ASN1_STRING_get0_data(key),
			                         (size_t)ASN1_STRING_length(key));
	}
	sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
	ERR_clear_error();
	return bits;
}

/* k=rsa: p= is a SubjectPublicKeyInfo (what signers publish and
 * verifiers read as RFC 6376 3.6.1's "public key data"); a bare PKCS#1
 * RSAPublicKey is read too, with a warning. */
static void audit_rsa(struct scan *sc, const unsigned char *der, size_t n)
{
	int nid;
	int bits = spki_bits(der, n, &nid);
	sc->k->status = DKIM_STATUS_INVALID;
	if (nid != NID_undef && nid != NID_rsaEncryption) {
		const char *type = OBJ_nid2sn(nid);
		add(sc, "dkim.key_type_mismatch", FINDING_ERROR,
		    "Publish an RSA key under k=rsa, or set k= to the key's type.",
		    "p= holds a key of type %s, not RSA (k=rsa or no k=): verifiers cannot use it",
		    type != NULL ? type : "non-RSA");
		return;
	}
	bool pkcs1 = nid == NID_undef;
	if (pkcs1)
		bits = rsapublickey_bits(der, n);
	/* A modulus of 0 decodes but is no key. */
	if (bits <= 0) {
		add(sc, "dkim.bad_key", FINDING_ERROR,
		    "Publish the base64 of the DER public key (openssl rsa -pubout -outform DER), "
		    "without PEM header lines.",
		    "p= is base64 but no RSA public key (neither a SubjectPublicKeyInfo nor an "
		    "RSAPublicKey in DER): verifiers cannot use it");
		return;
	}
	if (pkcs1) {
		sc->k->pkcs1 = true;
		add(sc, "dkim.pkcs1_key", FINDING_WARNING,
		    "Publish the key as SubjectPublicKeyInfo (openssl rsa -pubout), the form every "
		    "verifier reads.",
		    "p= holds a bare RSAPublicKey (PKCS#1), not a SubjectPublicKeyInfo: verifiers "
		    "that read only the latter fail");
	}
	rsa_size(sc, bits);
	sc->k->status = DKIM_STATUS_KEY;
}

/* k=ed25519: RFC 8463 3 publishes the raw 32-byte key, not an SPKI. */
static void audit_ed25519(struct scan *sc, const unsigned char *key, size_t n)
{
	/* The SubjectPublicKeyInfo of an Ed25519 key (RFC 8410 4) up to the
	 * key itself: the usual mistake is to publish it whole. */
	static const unsigned char spki[] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
		                              0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };
	if (n == DKIM_ED25519_KEY_BYTES) {
		sc->k->status = DKIM_STATUS_KEY;
		return;
	}
	bool wrapped =
	        n == sizeof(spki) + DKIM_ED25519_KEY_BYTES && memcmp(key, spki, sizeof(spki)) == 0;
	add(sc, "dkim.ed25519_bad_length", FINDING_ERROR,
	    "Publish the raw 32-byte Ed25519 public key in base64 (RFC 8463 3), not its "
	    "SubjectPublicKeyInfo or another key.",
	    "p= holds %zu bytes, not the 32 of an Ed25519 key (RFC 8463 3)%s: verifiers cannot use "
	    "it",
	    n, wrapped ? "; it is the key wrapped in a SubjectPublicKeyInfo" : "");
	sc->k->status = DKIM_STATUS_INVALID;
}

/* p=: revoked when empty, else decoded and audited by type. Returns 0,
 * or -1 on allocation failure. */
static int read_key(struct scan *sc)
{
	const struct value *p = &sc->val[TAG_P];
	size_t i = 0;
	while (i < p->n && is_fws(p->s[i]))
		i++;
	if (i == p->n) {
		sc->k->status = DKIM_STATUS_REVOKED;
		add(sc, "dkim.revoked", FINDING_INFO,
		    "Nothing to do if the selector is retired; otherwise publish its key in p=.",
		    "p= is empty: the key is revoked, and signatures with this selector fail (RFC "
		    "6376 3.6.1)");
		return 0;
	}
	unsigned char *der = malloc(p->n / 4 * 3 + 3);
	if (der == NULL)
		return -1;
	size_t bad = 0;
	bool padded = true;
	long n = b64_decode(p->s, p->n, der, &bad, &padded);
	if (n < 0) {
		char e[400], at[64];
		esc(p->s, p->n, e, sizeof(e));
		if (bad < p->n)
			snprintf(at, sizeof(at), "byte %zu of p= is not base64", bad);
		else
			snprintf(at, sizeof(at), "its length is no whole number of base64 groups");
		add(sc, "dkim.bad_base64", FINDING_ERROR,
		    "Publish the key as plain base64 (A-Z, a-z, 0-9, +, /, = at the end), without "
		    "PEM header lines or quotes.",
		    "p=%s is not base64 (%s): verifiers cannot read the key", e, at);
		sc->k->status = DKIM_STATUS_INVALID;
	} else {
		if (!padded)
			add(sc, "dkim.p_unpadded", FINDING_WARNING,
			    "Add the '=' padding at the end of p= (its length must be a multiple "
			    "of 4).",
			    "p= lacks its '=' padding: RFC 6376 allows that, but verifiers with "
			    "strict base64 decoders fail to read the key");
		if (sc->k->key_type == DKIM_KEY_ED25519)
			audit_ed25519(sc, der, (size_t)n);
		else
			audit_rsa(sc, der, (size_t)n);
	}
	free(der);
	return 0;
}

/* Not a key record: whatever the tag-list said is dropped, one finding
 * says what the TXT is. */
static void not_key(struct scan *sc, const char *rec, size_t len)
{
	char e[400];
	findings_cleanup(&sc->k->findings);
	memset(sc->k, 0, sizeof(*sc->k));
	sc->k->status = DKIM_STATUS_NOT_KEY;
	esc(rec, len, e, sizeof(e));
	add(sc, "dkim.not_key_record", FINDING_INFO,
	    "Publish the selector's key here (\"v=DKIM1; k=rsa; p=<base64 key>\") if mail is "
	    "signed with it; otherwise nothing to do.",
	    "the TXT record \"%s\" is not a DKIM key record (no p= and no v=DKIM1)", e);
}

int dkim_key_parse(const char *rec, size_t len, const char *path, struct dkim_key *out)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	memset(out, 0, sizeof(*out));
	if (sc == NULL)
		return -1;
	sc->k = out;
	sc->path = path;
	sc->v_index = -1;
	out->status = DKIM_STATUS_INVALID;
	scan_tags(sc, rec, len);
	if (!is_key_record(sc)) {
		not_key(sc, rec, len);
		free(sc);
		return 0;
	}
	read_fields(sc);
	int rc = 0;
	if (!whole_record(sc, rec, len)) {
		if (record_rules(sc))
			rc = read_key(sc);
		if (out->status != DKIM_STATUS_REVOKED)
			list_findings(sc);
	}
	free(sc);
	if (rc != 0)
		dkim_key_cleanup(out);
	return rc;
}

void dkim_key_cleanup(struct dkim_key *k)
{
	if (k == NULL)
		return;
	findings_cleanup(&k->findings);
	memset(k, 0, sizeof(*k));
}

bool dkim_key_usable(const struct dkim_key *k)
{
	if (k == NULL || k->status != DKIM_STATUS_KEY || k->key_type == DKIM_KEY_NONE)
		return false;
	if (!k->email_allowed || !(k->hashes & DKIM_HASH_SHA256))
		return false;
	return k->key_type != DKIM_KEY_RSA || k->bits >= DKIM_RSA_MIN_BITS;
}
