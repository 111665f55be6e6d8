/*
 * message.h — one received mail message read the way a postmaster reads
 * it: the hops its Received fields trace, the authentication results
 * each receiver recorded (RFC 8601), the ARC sets (RFC 8617), the SPF
 * results (RFC 7208 9.1), the DKIM signatures it carries (RFC 6376), the
 * identities (From, Sender, Reply-To, Return-Path) and which of them
 * align with From, and findings that explain what let it through.
 *
 * Pure: bytes in, structs and findings out. The caller reads the file,
 * supplies the organisational-domain function (libpsl, wired in by the
 * CLI) and, for --verify, the keys (msg_verify.h). Every field of a
 * message is attacker-controlled: every copy is bounded (the sizes
 * below), every parser reads (pointer, length) or a NUL-terminated value
 * cut by mailhdr, and nothing here writes to a terminal (the writers
 * escape).
 */
#ifndef POSTURE_MESSAGE_H
#define POSTURE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "mailhdr.h"

/* ---- caps ---- */
#define MSG_INPUT_MAX  (64u << 20) /* bytes of a message read at all (--verify needs the body) */
#define MSG_HEADER_MAX (1u << 20)  /* bytes of header section analysed */
#define MSG_FIELDS_MAX 1000        /* header fields kept */
#define MSG_VALUE_MAX  65536       /* bytes of one field's value */
#define MSG_HOPS_MAX   100         /* Received fields read */
#define MSG_AR_MAX     64          /* Authentication-Results + ARC-A-R fields read */
#define MSG_SIGS_MAX   32          /* DKIM-Signature fields read */
#define MSG_ARC_MAX    50          /* RFC 8617 4.2.1: i= is 1 to 50 */

/* Text sizes: values longer are cut (a hostile field cannot grow a struct). */
#define MSG_DOMAIN 256 /* a domain name, lower-cased, no trailing dot */
#define MSG_ADDR   320 /* local-part@domain */
#define MSG_TEXT   512 /* free text: a comment, a reason, a from clause */
#define MSG_WORD   64  /* a method, a result, an algorithm, a protocol */

/* ---- addresses ---- */

enum msg_addr_class {
	MSG_ADDR_NONE = 0,   /* no address, or not an IP literal */
	MSG_ADDR_PUBLIC,     /* globally routable */
	MSG_ADDR_PRIVATE,    /* RFC 1918, RFC 6598 shared, fc00::/7 */
	MSG_ADDR_LOOPBACK,   /* 127/8, ::1 */
	MSG_ADDR_LINK_LOCAL, /* 169.254/16, fe80::/10 */
	MSG_ADDR_RESERVED,   /* documentation, multicast, 0/8, 240/4 and the like */
};
/* "none", "public", "private", "loopback", "link_local", "reserved" */
const char *msg_addr_class_name(enum msg_addr_class c);
/* Classifies an IPv4 or IPv6 literal (brackets and "IPv6:" allowed). */
enum msg_addr_class msg_addr_classify(const char *ip);

/* ---- Received (RFC 5321 4.4, RFC 5322 3.6.7) ---- */

struct msg_received {
	char from_clause[MSG_TEXT]; /* everything after "from" up to the next clause, as sent */
	char from_host[MSG_DOMAIN]; /* the name after "from" (the HELO), lower-cased */
	char from_rdns[MSG_DOMAIN]; /* the reverse name the receiver noted in the comment, "" */
	char from_ip[MSG_WORD];     /* the IP literal noted, canonical text, "" */
	enum msg_addr_class from_ip_class;
	char by_host[MSG_DOMAIN]; /* the name after "by", lower-cased */
	char with[MSG_WORD];      /* "ESMTPS", "SMTP", "HTTP", "LMTP"... as sent */
	char id[MSG_TEXT];
	char for_addr[MSG_ADDR];      /* the address after "for", without < > */
	char date_text[MSG_WORD * 2]; /* after the last ';', trimmed */
	long long when;               /* epoch seconds UTC, or -1 when absent or unreadable */
	bool parsed;                  /* at least "by" or "from" was read */
};
/* Reads one Received value (unfolded). Never fails: what cannot be read
 * stays empty (.parsed false when nothing could be). Qmail's, Exim's,
 * Postfix's, Sendmail's, Microsoft's and Google's forms are all read;
 * "from" and "by" may come in either order or be missing. */
void msg_received_parse(const char *value, struct msg_received *out);
/* RFC 5322 3.3 date-time, with the obsolete forms of 4.3 (named zones,
 * two-digit years, missing seconds or weekday): epoch seconds UTC, or
 * -1 when the text is no date. */
long long msg_date_parse(const char *text);

/* ---- Authentication-Results (RFC 8601), ARC-Authentication-Results (RFC 8617 4.1.1) ---- */

#define MSG_AR_RESULTS_MAX 32
#define MSG_AR_PROPS_MAX   8

struct msg_ar_prop {
	char ptype[MSG_WORD /
	           4]; /* "smtp", "header", "body", "policy", or "" (e.g. Microsoft's action=) */
	char property[MSG_WORD / 2]; /* "mailfrom", "from", "d", "i", "s", "b"... lower-cased */
	char value[MSG_ADDR];        /* as sent (quotes removed) */
};

struct msg_ar_result {
	char method[MSG_WORD];  /* lower-cased: "dkim", "spf", "dmarc", "arc", "iprev", "auth"... */
	char result[MSG_WORD];  /* lower-cased: "pass", "fail", "softfail", "none", "neutral",
	                         * "temperror", "permerror", "policy", "hardfail", "bestguesspass"...
	                         */
	char reason[MSG_TEXT];  /* reason= (RFC 8601 2.7), "" */
	char comment[MSG_TEXT]; /* the comment after the result, e.g. "(p=NONE sp=NONE dis=NONE)",
	                           "" */
	/* The DMARC policy and disposition a receiver noted in the comment (Gmail,
	 * Yahoo) or as properties (policy.dmarc, Microsoft's action=), lower-cased, "". */
	char policy_p[MSG_WORD / 4];
	char policy_sp[MSG_WORD / 4];
	char policy_dis[MSG_WORD / 4];
	struct msg_ar_prop props[MSG_AR_PROPS_MAX];
	size_t nprops;
};

struct msg_authres {
	char authserv_id[MSG_DOMAIN]; /* as sent, lower-cased */
	int version;                  /* 1 when absent */
	int instance;   /* ARC-Authentication-Results i=, 0 for Authentication-Results */
	bool no_result; /* "; none" (RFC 8601 2.2): nothing was checked */
	struct msg_ar_result results[MSG_AR_RESULTS_MAX];
	size_t nresults;
	bool malformed;             /* a part could not be read: what could is kept */
	char problem[MSG_WORD * 2]; /* what was wrong, "" */
};
/* Reads one value. arc: the value starts with "i=N;" (ARC-A-R). Never
 * fails; .malformed says when part of it could not be read. */
void msg_authres_parse(const char *value, bool arc, struct msg_authres *out);
/* The first result of method (lower-case), or NULL. */
const struct msg_ar_result *msg_authres_find(const struct msg_authres *ar, const char *method);
/* The value of ptype.property in r (lower-case names), or NULL. */
const char *msg_ar_prop(const struct msg_ar_result *r, const char *ptype, const char *property);

/* ---- Received-SPF (RFC 7208 9.1) ---- */

struct msg_received_spf {
	char result[MSG_WORD]; /* lower-cased */
	char comment[MSG_TEXT];
	char client_ip[MSG_WORD];
	char envelope_from[MSG_ADDR];
	char helo[MSG_DOMAIN];
	char receiver[MSG_DOMAIN];
	char identity[MSG_WORD]; /* "mailfrom", "helo"... */
	bool parsed;
};
void msg_received_spf_parse(const char *value, struct msg_received_spf *out);

/* ---- DKIM-Signature (RFC 6376 3.5), ARC-Message-Signature, ARC-Seal (RFC 8617 4.1) ---- */

enum msg_sig_kind {
	MSG_SIG_DKIM = 0,
	MSG_SIG_ARC_MS,
	MSG_SIG_ARC_SEAL,
};

struct msg_sig {
	enum msg_sig_kind kind;
	int version;        /* v=, -1 when absent (ARC has none) */
	char d[MSG_DOMAIN]; /* lower-cased */
	char s[MSG_DOMAIN];
	char a[MSG_WORD]; /* lower-cased: "rsa-sha256", "rsa-sha1", "ed25519-sha256" */
	char c[MSG_WORD]; /* "relaxed/relaxed"..., "" when absent */
	char i_ident[MSG_ADDR];
	char h[MSG_TEXT * 2];  /* the signed fields as listed, white space removed */
	char cv[MSG_WORD / 4]; /* ARC-Seal cv=: "none", "pass", "fail" */
	int instance;          /* ARC i=, 0 for DKIM */
	long long t, x, l;     /* -1 when absent */
	size_t b_len;          /* length of b= without white space (0: missing or empty) */
	bool malformed;        /* a required tag is missing or a tag is unreadable */
	char problem[MSG_WORD * 2];
};
void msg_sig_parse(const char *value, enum msg_sig_kind kind, struct msg_sig *out);
/* True when h= lists field (ASCII case-insensitive). */
bool msg_sig_signs(const struct msg_sig *s, const char *field);

/* ---- lookalike domains (msg_lookalike.c) ---- */

enum msg_lookalike_how {
	MSG_LOOK_NONE = 0,
	MSG_LOOK_CONTAINS,   /* "microsoftemails" holds "microsoft" */
	MSG_LOOK_EDIT,       /* one or two edits away: "micros0ft", "rnicrosoft" */
	MSG_LOOK_CONFUSABLE, /* non-ASCII letters that look like the other's (IDN homograph) */
};
/* "contains", "edit_distance", "confusable" */
const char *msg_lookalike_how_name(enum msg_lookalike_how h);
/*
 * Does org domain `domain` (A-label or UTF-8) imitate org domain
 * `other`? Compares their registrable labels (the label left of the
 * public suffix: the caller passes org domains, the first label is it).
 * Equal domains never imitate. Returns the first way found or NONE.
 */
enum msg_lookalike_how msg_lookalike(const char *domain, const char *other);
/* The bundled brand list (org domains often imitated), NULL-terminated. */
const char *const *msg_brands_default(void);

/* ---- the analysis (msg_analyze.c) ---- */

typedef int (*msg_org_fn)(const char *domain, char *out, size_t outlen);

/* Where a trace field sits: the hop it belongs to (see msg_analyze). */
struct msg_hop {
	size_t field; /* index in mailhdr of its Received field */
	struct msg_received rcv;
	long long delay; /* seconds since the hop below it (older) was stamped, -1 unknown */
};

struct msg_ar_view {
	size_t field; /* index in mailhdr */
	int hop;      /* see msg_analyze */
	bool arc;     /* ARC-Authentication-Results */
	bool trusted; /* the one the verdict is read from */
	struct msg_authres ar;
};

struct msg_spf_view {
	size_t field;
	int hop;
	struct msg_received_spf spf;
};

enum msg_verified {
	MSG_VERIFY_NOT_CHECKED = 0,
	MSG_VERIFY_PASS,
	MSG_VERIFY_BODY_MISMATCH,      /* bh= does not match the body */
	MSG_VERIFY_SIGNATURE_MISMATCH, /* b= does not verify over the signed fields */
	MSG_VERIFY_KEY_NOT_FOUND,      /* no key record at s._domainkey.d */
	MSG_VERIFY_KEY_REVOKED,        /* the key record has an empty p= */
	MSG_VERIFY_KEY_INVALID,        /* a key record the verifier cannot use */
	MSG_VERIFY_TEMPERROR,          /* the key query failed: no verdict */
	MSG_VERIFY_INVALID, /* the signature itself cannot be verified (bad tags, expired...) */
};
/* "not_checked", "pass", "body_hash_mismatch", "signature_mismatch",
 * "key_not_found", "key_revoked", "key_invalid", "temperror", "invalid" */
const char *msg_verified_name(enum msg_verified v);

struct msg_dkim_view {
	size_t field;
	int hop;
	struct msg_sig sig;
	char org_domain[MSG_DOMAIN];
	bool aligned_relaxed; /* d= and From share an org domain (RFC 7489 3.1.1) */
	bool aligned_strict;  /* d= equals the From domain */
	enum msg_verified verified;
	int key_bits;                 /* from --verify or --live, 0 unknown */
	char verify_detail[MSG_TEXT]; /* the verifier's words, "" */
};

struct msg_arc_set {
	int instance;
	size_t seal_field, ams_field, aar_field; /* SIZE_MAX when missing */
	struct msg_sig seal;
	struct msg_sig ams;
	int hop; /* of its ARC-Authentication-Results (the sealer that recorded it) */
};

struct msg_identity {
	bool present;
	size_t count;            /* fields of this name (From must be 1) */
	char display[MSG_TEXT];  /* display name, encoded words decoded (UTF-8) */
	char address[MSG_ADDR];  /* the first address */
	char domain[MSG_DOMAIN]; /* lower-cased */
	char org_domain[MSG_DOMAIN];
	bool aligned_relaxed, aligned_strict; /* with From (From itself: true) */
};

enum msg_dmarc_verdict {
	MSG_DMARC_UNKNOWN = 0, /* no trusted result, or temperror/permerror */
	MSG_DMARC_PASS,
	MSG_DMARC_FAIL,
	MSG_DMARC_NONE, /* the receiver found no policy (dmarc=none) */
};
/* "unknown", "pass", "fail", "none" */
const char *msg_dmarc_verdict_name(enum msg_dmarc_verdict v);

struct msg_analysis {
	struct mailhdr hdr; /* owned */

	struct msg_hop *hops; /* hops[0] is the topmost Received (the newest) */
	size_t nhops;
	bool hops_dropped; /* more Received fields than MSG_HOPS_MAX */

	struct msg_ar_view *ars; /* in header order */
	size_t nars;
	struct msg_spf_view *spfs;
	size_t nspfs;
	struct msg_dkim_view *dkim; /* in header order */
	size_t ndkim;
	struct msg_arc_set *arc; /* by instance, 1 first */
	size_t narc;
	bool arc_structure_ok; /* instances 1..N, each set whole, i=1 cv=none, the rest cv=pass */
	char arc_last_cv[MSG_WORD / 4]; /* cv= of the highest instance, "" without ARC */

	struct msg_identity from, sender, reply_to, return_path;
	struct msg_identity envelope; /* Return-Path, else smtp.mailfrom of the trusted result */
	char subject[MSG_TEXT];       /* decoded for display */
	char message_id[MSG_TEXT];
	char date_text[MSG_WORD * 2];

	/* The verdict, read from the trusted Authentication-Results. */
	long trusted_ar; /* index into ars, -1 when none */
	char authserv_id[MSG_DOMAIN];
	enum msg_dmarc_verdict dmarc;
	char dmarc_result[MSG_WORD]; /* the result word as written ("temperror"), "" */
	char policy_p[MSG_WORD / 4]; /* from that result's comment or properties, "" */
	char policy_dis[MSG_WORD / 4];
	char spf_result[MSG_WORD];  /* the trusted spf= result, "" */
	char dkim_result[MSG_WORD]; /* the best trusted dkim= result, "" */

	struct findings findings;
};

struct msg_options {
	const char *authserv_id;   /* trust only this receiver's results; NULL: the topmost */
	const char *const *brands; /* org domains for headers.lookalike; NULL: the bundled list */
	msg_org_fn org;            /* required */
};

/*
 * Reads data (len bytes; only the header section is needed) and fills
 * *out (cleared first): the fields, the hops, every trace field placed
 * at its hop, identities, alignment, the verdict and the findings that
 * do not need --verify or --live. Returns 0, or -1 on allocation failure
 * (then *out holds nothing to free). Free with msg_analysis_cleanup.
 *
 * Hops: hop k is the k-th Received field from the top (0 = the newest).
 * Another trace field belongs to the hop of the nearest Received above
 * it (0 when none is above): what that receiver recorded
 * (Authentication-Results, Received-SPF, its ARC set) and what the
 * message carried when it arrived there (DKIM-Signature). An
 * Authentication-Results whose authserv-id names the receiver of the
 * Received just below it (some MTAs add it above their own Received,
 * as RFC 8601 5 suggests) belongs to that hop instead.
 */
int msg_analyze(const uint8_t *data, size_t len, const struct msg_options *opt,
                struct msg_analysis *out);
void msg_analysis_cleanup(struct msg_analysis *a);

/*
 * Findings that depend on what --verify learned (key sizes): call after
 * msg_verify_dkim has filled the dkim views. Adds headers.weak_signature
 * for keys under 1024 bits. Returns 0 or -1.
 */
int msg_analyze_after_verify(struct msg_analysis *a);

/*
 * --live: the From domain's DMARC policy as published now (p= and
 * whether it enforces), as the CLI read it through posture's engine.
 * Adds headers.dmarc_not_enforced when the message failed (or had no
 * result) and the live policy does not enforce, unless the recorded
 * policy already gave it. Returns 0 or -1.
 */
int msg_analyze_live(struct msg_analysis *a, const char *live_p, bool live_enforces);

#endif
