/*
 * dkim.h — DKIM key records (RFC 6376 3.6.1), read and audited: the tags,
 * what the key is and whether receivers can verify with it (RFC 8301
 * for the algorithm and key-size rules, RFC 8463 for ed25519).
 *
 * Pure: the caller looks up <selector>._domainkey.<domain> TXT, joins the
 * character-strings of one record (RFC 6376 3.6.2.2) and hands the bytes
 * in; nothing here does DNS. OpenSSL (libcrypto) reads the RSA key, so
 * the key size is the one a verifier sees.
 */
#ifndef POSTURE_DKIM_H
#define POSTURE_DKIM_H

#include <stdbool.h>
#include <stddef.h>

#include "finding.h"

/* Tags read from one record; more make the record invalid. */
#define DKIM_MAX_TAGS 64

/* RFC 8301 3.2: below this, verifiers MUST NOT accept signatures. */
#define DKIM_RSA_MIN_BITS 1024
/* RFC 8301 3.2: signers SHOULD use at least this. */
#define DKIM_RSA_GOOD_BITS 2048
/* RFC 8301 3.2: verifiers MUST handle keys up to this size, no larger. */
#define DKIM_RSA_MAX_VERIFIED_BITS 4096
/* RFC 8463 3: an ed25519 p= is the raw 32-byte public key. */
#define DKIM_ED25519_KEY_BYTES 32

/* What the TXT record at a selector name is. */
enum dkim_status {
	DKIM_STATUS_KEY = 0, /* a key was read (see dkim_key_usable) */
	DKIM_STATUS_REVOKED, /* p= is empty: the key is withdrawn */
	DKIM_STATUS_INVALID, /* a key record receivers cannot use */
	DKIM_STATUS_NOT_KEY, /* not a DKIM key record (an SPF record, a note) */
};
/* "key", "revoked", "invalid", "not_key" (the JSON contract's names). */
const char *dkim_status_name(enum dkim_status s);

enum dkim_key_type {
	DKIM_KEY_NONE = 0, /* not a key record, or k= names a type posture does not know */
	DKIM_KEY_RSA,      /* k=rsa, the default */
	DKIM_KEY_ED25519,  /* k=ed25519 (RFC 8463) */
};
/* "rsa", "ed25519", or NULL for DKIM_KEY_NONE (JSON null). */
const char *dkim_key_type_name(enum dkim_key_type t);

/* Bits of struct dkim_key.hashes: the h= algorithms posture knows. */
#define DKIM_HASH_SHA1   0x1u
#define DKIM_HASH_SHA256 0x2u

struct dkim_key {
	enum dkim_status status;
	/* The type k= declares (RSA when absent), also for revoked and
	 * invalid records; NONE for not_key and for an unknown k=. */
	enum dkim_key_type key_type;
	int bits;           /* RSA modulus bits; 0 when not read or not RSA */
	bool testing;       /* t= has y (RFC 6376 3.6.1) */
	bool strict;        /* t= has s: i= must not be a subdomain of d= */
	bool email_allowed; /* s= is absent or lists * or email */
	unsigned hashes;    /* DKIM_HASH_*: what h= allows (all when absent) */
	bool pkcs1;         /* p= holds a bare RSAPublicKey, not SubjectPublicKeyInfo */
	struct findings findings;
};

/*
 * Reads one key record: rec is len bytes, the TXT record's strings
 * already joined; it may hold any byte (a NUL makes a key record
 * invalid; nothing reads past len). path (may be NULL) is copied into
 * every finding, e.g. "google._domainkey.example.com". Fills *out
 * (cleared first) and returns 0, or -1 on allocation failure (then *out
 * holds nothing to free). Free with dkim_key_cleanup.
 */
int dkim_key_parse(const char *rec, size_t len, const char *path, struct dkim_key *out);
void dkim_key_cleanup(struct dkim_key *k);

/*
 * True when a receiver can verify signatures with this key: status key,
 * a known type, email allowed by s=, sha256 allowed by h= (RFC 8301
 * 3.1), and an RSA key of at least DKIM_RSA_MIN_BITS (RFC 8301 3.2). A
 * testing key (t=y) counts as usable: the flag is in .testing.
 */
bool dkim_key_usable(const struct dkim_key *k);

#endif
