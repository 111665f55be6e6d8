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

/* Presentation names: at most 253 characters plus escapes; \DDD escapes of
 * odd bytes can make a hostile name up to 4 times longer. */
#define DNS_NAME_MAX 253
#define DNS_NAME_BUF 1024
/* One TXT record, all character-strings joined. No SPF, DMARC or BIMI
 * record comes near this; larger ones are reported as malformed. */
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
	                     NUL-terminated; MX/CNAME: host name; A/AAAA:
	                     presentation address */
	uint8_t addr[16]; /* A: first 4 bytes; AAAA: all 16 */
};

struct dns_answer {
	char name[DNS_NAME_BUF];      /* as asked, lower case, no final dot */
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
 * Normalises a presentation name into out: lower case, no final dot.
 * Returns 0, or -1 when the name is empty, too long, has an empty label or
 * a label over 63 bytes, or holds bytes other than printable ASCII and
 * space (IDNs must be converted to A-labels first).
 */
int dns_name_normalize(const char *in, char *out, size_t outlen);
/* Case-insensitive equality of presentation names, ignoring a final dot. */
bool dns_name_equal(const char *a, const char *b);

/*
 * Converts an uncompressed wire-format name to presentation form in out
 * (lower case, no final dot, "." for the root; bytes outside [a-z0-9-_*]
 * escaped as \DDD, so a hostile name cannot inject text).
 * Returns the wire length consumed, or -1 if the wire name is malformed or
 * does not fit.
 */
int dns_name_from_wire(const uint8_t *wire, size_t len, char *out, size_t outlen);

/*
 * Writes a normalised name in the escaped form dns_name_from_wire gives
 * (bytes outside [a-z0-9-_*] as \DDD, dots kept), the form queries are
 * built from and replies are compared in. Returns 0 or -1 if it does not
 * fit.
 */
int dns_name_escape(const char *name, char *out, size_t outlen);

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
