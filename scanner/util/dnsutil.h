/*
 * dnsutil.h — the DNS vocabulary shared by the adapter, the cache and the
 * checks: record types, the six answer outcomes, answers as plain structs,
 * and pure helpers for names and resolver addresses.
 *
 * Nothing here does I/O or includes getdns: checks and tests use these
 * types without linking the adapter.
 */
#ifndef POSTURE_DNSUTIL_H
#define POSTURE_DNSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_DS = 43,     /* RFC 4034 5 */
	DNS_TYPE_DNSKEY = 48, /* RFC 4034 2 */
	DNS_TYPE_TLSA = 52,   /* RFC 6698 2 */
};

/*
 * Every answer is exactly one of these. Keep them apart everywhere:
 * NODATA and NXDOMAIN are "no record" (an SPF void lookup); SERVFAIL and
 * TIMEOUT are temporary failures (TempError) and never "no record".
 * SERVFAIL stands for every error rcode (SERVFAIL, REFUSED, FORMERR, ...);
 * the rcode itself is kept in dns_answer.rcode.
 */
enum dns_outcome {
	DNS_OUTCOME_DATA = 0,
	DNS_OUTCOME_NODATA,
	DNS_OUTCOME_NXDOMAIN,
	DNS_OUTCOME_SERVFAIL,
	DNS_OUTCOME_TIMEOUT,
	DNS_OUTCOME_MALFORMED,
};

/* Names (see "Names" below): at most 253 bytes of labels and dots; \DDD
 * escapes of odd bytes can make a hostile name's text up to 4 times
 * longer (4 x 253 + 1 fits DNS_NAME_BUF). */
#define DNS_NAME_MAX 253
#define DNS_NAME_BUF 1024
/* The most of one TXT record (its character-strings joined) that the
 * checks read: no SPF or DMARC record comes near it. The adapter keeps
 * every record whole (the message bounds it: 65535 bytes), and a longer
 * record is a finding of the check that reads it (an SPF PermError, an
 * invalid DMARC record), never a DNS failure of the whole answer. */
#define DNS_TXT_MAX_BYTES 8192
/* Records kept from one answer (RFC 7208 needs at most 10 MX names). */
#define DNS_ANSWER_MAX_RRS 100
/* CNAME hops followed before the answer is called malformed. */
#define DNS_CNAME_MAX_HOPS 8
#define DNS_MAX_SERVERS    8
#define DNS_DETAIL_MAX     160

struct dns_rr {
	uint16_t type;
	uint16_t pref;    /* MX preference */
	size_t len;       /* bytes in data, without the terminating NUL */
	char *data;       /* TXT: strings joined, may hold NUL bytes, always
	                     NUL-terminated; MX/CNAME/PTR/NS: the name,
	                     canonical (see "Names"); A/AAAA: presentation
	                     address */
	uint8_t addr[16]; /* A: first 4 bytes; AAAA: all 16 */
};

struct dns_answer {
	char name[DNS_NAME_BUF];      /* as asked, canonical (see "Names") */
	char canonical[DNS_NAME_BUF]; /* owner of the data after CNAMEs */
	uint16_t type;
	enum dns_outcome outcome;
	int rcode; /* DNS rcode of the last reply, -1 if none came */
	bool tcp;  /* the last reply came over TCP */
	bool from_cache;
	/* The run's cache's copy of this answer (dnscache.h), which stays
	 * valid and unchanged until the cache is freed; NULL when the answer
	 * is not cached. Lets a holder keep a pointer instead of a copy. */
	const struct dns_answer *shared;
	int attempts; /* queries sent for this answer, all hops */
	int cname_hops;
	unsigned ms;                 /* wall time from start to completion */
	char detail[DNS_DETAIL_MAX]; /* why, for anything but data */
	size_t nrr;
	struct dns_rr *rr; /* owned by the answer */
};

struct dns_server {
	char addr[64]; /* numeric IPv4 or IPv6 address */
	uint16_t port;
	bool v6;
};

const char *dns_outcome_name(enum dns_outcome outcome);
/* Returns the type number for "TXT", "mx", ... or 0 if unknown. */
uint16_t dns_type_parse(const char *text);
/* Returns "TXT", "MX", ... or "TYPE<n>" written into buf. */
const char *dns_type_name(uint16_t type, char *buf, size_t buflen);
/* Returns a short rcode mnemonic ("NOERROR", "SERVFAIL"...), "RCODE<n>"
 * in buf for others, "none" for -1. */
const char *dns_rcode_name(int rcode, char *buf, size_t buflen);

/*
 * Names. Inside posture a DNS name has one form, the presentation form of
 * RFC 1035 5.1 limited to \DDD escapes: labels joined by '.', each byte
 * other than a letter, digit, '-', '_' or '*' written as \DDD (so a '.'
 * inside a label is \046, a backslash \092). It is unescaped exactly once,
 * by dns_name_to_wire, when a query is written; names read from a reply
 * (MX, CNAME and PTR targets, owners) come in it from dns_name_from_wire,
 * so they go back on the wire byte for byte. The canonical form is that
 * with letters in lower case and no final dot: what dns_name_normalize
 * and dns_name_from_wire write, what answers, caches and memos are keyed
 * by. Text that is a name with every byte literal (an SPF domain-spec
 * after macro expansion, a mail address's domain) enters through
 * dns_name_from_text; dns_name_to_text is the way back, for SPF macros.
 * Output shows the form as it is: the escapes are the display.
 */

/*
 * Converts a name in presentation form (a final '.' allowed, "." the
 * root) to uncompressed wire form in out. Unescaped bytes must be
 * printable ASCII or space; '\' must start a \DDD escape (DDD <= 255).
 * Returns the wire length, or -1 for an empty label (so "a..", ".a" and
 * "" are refused), a label over 63 bytes, a name over 255 bytes on the
 * wire, a bad escape or byte, or when out is too small.
 */
int dns_name_to_wire(const char *name, uint8_t *out, size_t outlen);

/*
 * Canonicalises a name in presentation form into out: lower case, no final
 * dot, escapes as dns_name_from_wire writes them (so "Foo:BAR.example."
 * and "foo\058bar.example" both give "foo\058bar.example"). Idempotent.
 * Returns 0, or -1 when dns_name_to_wire refuses the name, for the root
 * (not a domain), or when out is too small. IDNs must be A-labels.
 */
int dns_name_normalize(const char *in, char *out, size_t outlen);
/* Equality of names in presentation form: case-insensitive (ASCII),
 * escapes undone, a final dot ignored. */
bool dns_name_equal(const char *a, const char *b);

/*
 * Converts an uncompressed wire-format name to canonical presentation
 * form in out ("." for the root). Returns the wire length consumed, or -1
 * if the wire name is malformed or does not fit.
 */
int dns_name_from_wire(const uint8_t *wire, size_t len, char *out, size_t outlen);

/*
 * Writes text whose every byte is literal and whose '.' separate labels
 * (a domain-spec after macro expansion) in presentation form: bytes
 * other than letters, digits, '-', '_', '*' and '.' as \DDD, letters and
 * a final dot kept as they are, so ordinary names come out unchanged.
 * Labels are not checked: the result is a valid name (dns_name_normalize)
 * exactly when the text's labels are. Returns 0, or -1 when text holds a
 * control character or a byte over 0x7e (names given as text are
 * printable ASCII and space; IDNs come as A-labels) or out is too small.
 */
int dns_name_from_text(const char *text, char *out, size_t outlen);

/*
 * The way back: a name in presentation form as text, \DDD escapes undone
 * (a '.' inside a label becomes a separator: text cannot say otherwise).
 * Returns 0, or -1 for a NUL byte, a bad escape, or when out is too small.
 */
int dns_name_to_text(const char *name, char *out, size_t outlen);

/*
 * Parses "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT" with a numeric host.
 * Port defaults to 53. Returns 0, or -1 with a one-line reason in err.
 */
int dns_server_parse(const char *spec, struct dns_server *out, char *err, size_t errlen);

/* Frees the records of ans (not ans itself); safe on a zeroed answer. */
void dns_answer_cleanup(struct dns_answer *ans);
/* Deep copy; returns NULL on allocation failure. Free with dns_answer_free. */
struct dns_answer *dns_answer_dup(const struct dns_answer *ans);
void dns_answer_free(struct dns_answer *ans);
/* Appends a record, copying len bytes of data. Returns 0, -1 on allocation
 * failure or when DNS_ANSWER_MAX_RRS is reached. */
int dns_answer_add(struct dns_answer *ans, uint16_t type, uint16_t pref, const void *data,
                   size_t len, const uint8_t *addr);

/*
 * Writes data as printable text for a terminal or a log: printable ASCII
 * as is, '"' and '\\' and every other byte as \DDD (the zone-file escape),
 * so hostile TXT bytes cannot drive the terminal. Always NUL-terminates;
 * returns the length the full escape needs (truncated if >= outlen).
 */
size_t dns_escape_text(const char *data, size_t len, char *out, size_t outlen);

#endif
