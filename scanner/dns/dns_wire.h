/*
 * dns_wire.h — DNS messages as bytes: the query posture sends, the
 * matching of a reply to its query, and the reading of a reply into a
 * dns_answer. Pure: no I/O, no getdns. Every reply, from the UDP transport
 * (dns_udp.c) or the TCP one (dns_tcp.c), goes through dns_wire_match and
 * then dns_wire_read in dns.c's classify(), so both transports accept and
 * classify replies by the same code.
 *
 * Replies are attacker-controlled: every read is bounded by the message
 * length, compression pointers may only point back (so they cannot loop)
 * and are followed a bounded number of times, and names are rebuilt in
 * the canonical form dns_name_from_wire writes.
 */
#ifndef POSTURE_DNS_WIRE_H
#define POSTURE_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsutil.h"

/* EDNS buffer size of DNS Flag Day 2020: no IP fragmentation. */
#define DNS_WIRE_EDNS_UDP_SIZE 1232
/* A query: header, a name of at most 255 bytes, type, class, OPT. */
#define DNS_WIRE_QUERY_MAX (12 + 255 + 4 + 11)
#define DNS_WIRE_HEADER    12

/*
 * Writes a query for (name, type, class IN) with the given id and RD=1,
 * plus an EDNS0 OPT record advertising udp_size (no OPT when 0), as
 * getdns's stub mode sends it. name is in presentation form (dnsutil.h,
 * "Names"; dns_name_to_wire undoes its escapes, the one place they are
 * undone), "." for the root (a CNAME target, as dns_wire_read gives it).
 * Returns the length written, or -1 if the name is invalid or out is too
 * small.
 */
int dns_wire_query(uint16_t id, const char *name, uint16_t type, uint16_t udp_size, uint8_t *out,
                   size_t outlen);

/* Returns the id of a reply (QR=1) of at least a header's length, or -1
 * for anything else (a query, a runt). */
int dns_wire_reply_id(const uint8_t *msg, size_t len);

enum dns_wire_match {
	DNS_WIRE_MATCH,     /* the reply to this query: read it */
	DNS_WIRE_NOT_REPLY, /* not a reply to this query (shorter than a
	                       header, QR=0, another id): no answer came */
	DNS_WIRE_MISMATCH,  /* this query's id, but not an answer to its
	                       question (opcode not QUERY, another name, type
	                       or class): malformed */
};

/*
 * Matches msg to the query sent with id for (cur, type, IN) (RFC 5452 3):
 * QR=1, the id, opcode QUERY and the question (cur as dns_wire_read
 * takes it). A TC=1 reply over UDP matches on its header alone, as it
 * means only "ask over TCP". why says what did not match.
 */
enum dns_wire_match dns_wire_match(const uint8_t *msg, size_t len, uint16_t id, const char *cur,
                                   uint16_t type, bool over_tcp, char *why, size_t whylen);

/*
 * Reads name (possibly compressed) at *off in msg into its uncompressed
 * wire form in out (at most 255 bytes), advancing *off past the name's
 * bytes at that place. Returns the length of out, or -1 if the name runs
 * past the message, is too long, or has a pointer that does not point
 * strictly before itself (RFC 1035 4.1.4: "a prior occurrence").
 */
int dns_wire_name(const uint8_t *msg, size_t len, size_t *off, uint8_t out[255]);

enum dns_wire_verdict {
	DNS_WIRE_DONE,   /* *outcome and why set; records in ans for data */
	DNS_WIRE_TCP,    /* TC=1 over UDP: ask again over TCP */
	DNS_WIRE_FOLLOW, /* a CNAME whose target the server did not give:
	                    ask for next (ans->cname_hops counts the hops) */
};

/*
 * Reads msg, the reply to the question (cur, type), where cur is the
 * escaped name asked now (a CNAME target after the first hop). On DONE,
 * *outcome is one of dns_outcome, why holds the reason for anything but
 * data, ans->rcode and ans->canonical are set and, for data, the records
 * are in ans (the caller frees them for other outcomes). Malformed too
 * (never data or no data): a reply whose question is not (cur, type, IN),
 * whose opcode is not QUERY or QR is 0, a TC=1 reply over TCP (cut
 * short), an extended rcode in an OPT record (BADVERS), and any record in
 * any section that cannot be read. The id is dns_wire_match's business.
 */
enum dns_wire_verdict dns_wire_read(const uint8_t *msg, size_t len, const char *cur, uint16_t type,
                                    bool over_tcp, struct dns_answer *ans,
                                    enum dns_outcome *outcome, char *why, size_t whylen, char *next,
                                    size_t nextlen);

#endif
