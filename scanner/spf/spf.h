/*
 * spf.h — SPF (RFC 7208): record parsing, macro expansion, check_host and
 * the whole-tree audit. Pure: no I/O.
 *
 * DNS comes through struct spf_dns: the check asks for (name, type) and
 * gets an answer or NULL for "not known yet". On NULL the check stops
 * with pending set and the name it needs; the driver fetches the answer
 * (from the async adapter, or a fake in tests), and runs the check again
 * from the start. Replaying is deterministic (the same answers give the
 * same path), cheap next to a network round trip, and lets check_host stay
 * a plain recursive function as RFC 7208 writes it.
 */
#ifndef POSTURE_SPF_H
#define POSTURE_SPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsutil.h"
#include "finding.h"

/* RFC 7208 4.6.4 */
#define SPF_MAX_DNS_LOOKUPS  10
#define SPF_MAX_VOID_LOOKUPS 2
#define SPF_MAX_MX_NAMES     10
#define SPF_MAX_PTR_NAMES    10
/* Bounds of our own against hostile records. */
#define SPF_MAX_TERMS       1024 /* terms parsed from one record */
#define SPF_MAX_EXPANSION   2048 /* bytes of one expanded macro-string */
#define SPF_AUDIT_MAX_NODES 256  /* records visited by one audit */
#define SPF_AUDIT_MAX_DEPTH 32   /* include/redirect nesting in an audit */
/*
 * DNS answers one audit asks for. Within the 10-lookup limit a tree needs
 * at most 1 + 10 x 21 (the root's TXT; an mx: term's MX and the A and
 * AAAA of its 10 hosts), and past it the audit asks only the TXT of the
 * includes and redirects it still shows (RFC 7208 4.6.4: check_host asks
 * nothing more), so only a tree far past the limit meets this bound: what
 * is left is not followed (spf.tree_too_large). It keeps an SPF tree
 * within its share of a domain's answers (DNS_MEMO_MAX, memo.h), so a
 * hostile tree never costs the domain its DMARC and BIMI results.
 */
#define SPF_AUDIT_MAX_ANSWERS 256

enum spf_result {
	SPF_RESULT_NONE = 0,
	SPF_RESULT_NEUTRAL,
	SPF_RESULT_PASS,
	SPF_RESULT_FAIL,
	SPF_RESULT_SOFTFAIL,
	SPF_RESULT_TEMPERROR,
	SPF_RESULT_PERMERROR,
};
const char *spf_result_name(enum spf_result r);

enum spf_mech_kind {
	SPF_MECH_ALL = 0,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS,
};
const char *spf_mech_name(enum spf_mech_kind k);

struct spf_mech {
	enum spf_mech_kind kind;
	char qualifier;    /* '+', '-', '~' or '?' */
	char *domain_spec; /* unexpanded macro-string, NULL if absent */
	int cidr4, cidr6;  /* prefix lengths, -1 if absent */
	uint8_t addr[16];  /* ip4: 4 bytes, ip6: 16 */
	size_t pos;        /* byte offset of the term in the record */
};

struct spf_record {
	struct spf_mech *mechs;
	size_t nmechs;
	char *redirect; /* domain-spec, NULL if absent */
	char *exp;      /* domain-spec, NULL if absent */
	bool has_macros;
	/* Syntax problems. Any finding of severity error makes the record
	 * unusable: check_host gives permerror (RFC 7208 4.6). */
	struct findings findings;
	bool permerror;
};

/*
 * Parses the text of one SPF record (starting "v=spf1"). Returns 0 with a
 * record in *out (which may carry syntax findings and permerror), or -1
 * on allocation failure. len bytes of text are read; NUL bytes are
 * syntax errors, not terminators.
 */
int spf_parse(const char *text, size_t len, struct spf_record **out);
void spf_record_free(struct spf_record *rec);

/*
 * Parsed records kept across a check's replays, keyed by the record's
 * text (so it does not matter where that text lives): a scanned domain's
 * audit runs again for every answer that arrives and would parse the same
 * records each time. Holds SPF_PARSE_MEMO_MAX records; past that, records
 * are parsed as if there were no memo.
 */
#define SPF_PARSE_MEMO_MAX 32
struct spf_parse_memo;
struct spf_parse_memo *spf_parse_memo_new(void);
void spf_parse_memo_free(struct spf_parse_memo *m);
/* Sets *rec to text's parsed record: the memo's (m may be NULL: none),
 * or a fresh one also put in *owned, which the caller frees with
 * spf_record_free (*owned is NULL when the memo keeps the record).
 * Returns 0, or -1 on allocation failure. */
int spf_parse_memo_get(struct spf_parse_memo *m, const char *text, size_t len,
                       const struct spf_record **rec, struct spf_record **owned);

/* True when a TXT string is an SPF record: "v=spf1" then space or end
 * (RFC 7208 4.5). */
bool spf_is_record(const char *text, size_t len);

/* What macros expand from (RFC 7208 7.2). */
struct spf_macro_ctx {
	const char *sender; /* local-part@domain ("postmaster@helo" if none) */
	const char *domain; /* the current <domain> */
	const uint8_t *ip;  /* 4 or 16 bytes */
	bool ip_v6;
	const char *helo;
	const char *receiver; /* "r" in exp only */
	const char *ptr_name; /* validated name for "p", NULL → "unknown" */
	long long now;        /* "t" */
};

/*
 * Expands a macro-string (RFC 7208 7). exp selects the letters allowed
 * only in explanations (c, r, t). Returns the expanded length, or -1 with
 * a reason in err on a syntax error (PermError), or -2 when the result
 * would exceed outlen - 1.
 */
int spf_macro_expand(const char *spec, size_t len, const struct spf_macro_ctx *ctx, bool exp,
                     char *out, size_t outlen, char *err, size_t errlen);

/* True when spec holds a macro (anything expanding besides %%, %_, %-). */
bool spf_has_macro(const char *spec);

/* The DNS the checks see (see the top of this file). */
struct spf_dns {
	const struct dns_answer *(*get)(void *ctx, const char *name, uint16_t type);
	void *ctx;
	/* Optional: records parsed in earlier replays (see above). */
	struct spf_parse_memo *parsed;
};

/* check_host() inputs. */
struct spf_request {
	const char *ip;       /* client address, IPv4 or IPv6 text */
	const char *sender;   /* MAIL FROM, may be "" (then helo is used) */
	const char *helo;     /* HELO/EHLO name, may be NULL */
	const char *receiver; /* for %{r}; NULL → "unknown" */
	long long now;        /* for %{t} */
};

struct spf_eval_result {
	enum spf_result result;
	char *explanation; /* for fail with exp=, else NULL; owned */
	int lookups;       /* DNS-querying terms counted (RFC 7208 4.6.4) */
	int void_lookups;
	char reason[256]; /* why: the term that matched, or the error */
	/* On pass through an include of the queried domain's own record:
	 * that include's target, the service that authorises the address
	 * (through a redirect= of the domain's record: the redirect's
	 * target); "" otherwise. */
	char via[DNS_NAME_BUF];
	bool pending; /* stopped for an answer not known yet */
	char need_name[DNS_NAME_BUF];
	uint16_t need_type;
};

/*
 * Runs check_host() for req against dns. Returns 0 (see out->pending), or
 * -1 on a bad request (address not parseable) or allocation failure.
 * Free with spf_eval_result_cleanup.
 */
int spf_check_host(const struct spf_request *req, const struct spf_dns *dns,
                   struct spf_eval_result *out);
void spf_eval_result_cleanup(struct spf_eval_result *r);

#endif
