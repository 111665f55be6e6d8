/*
 * dns_wire.c — building queries and reading replies (see dns_wire.h).
 *
 * The reading keeps, rule for rule, what the adapter did when getdns
 * parsed the replies: TC=1 over UDP means "ask over TCP" before anything
 * else is looked at; the question must be the one asked (a check that
 * dns_wire_match shares); the rcode sorts NXDOMAIN from the other errors;
 * the answer section is walked along the CNAME chain from the asked name,
 * and records of the asked type must be owned by the chain's end. Names
 * are compared in the canonical form of dns_name_from_wire (dnsutil.h,
 * "Names"), in which the name asked is given too. Malformed as well since
 * issue 19, never an answer: TC=1 over TCP, an opcode other than QUERY,
 * an extended rcode (BADVERS), a section that cannot be read, and
 * compression pointers that do not point back.
 *
 * Every offset is checked against the message length before a byte is
 * read; a TXT record is joined only after its size is known to fit.
 */
#include "dns_wire.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "strutil.h"

/* A name has at most 127 labels: more jumps than that must loop. */
#define DNS_WIRE_MAX_JUMPS 127
#define DNS_WIRE_CLASS_IN  1
#define DNS_WIRE_TYPE_OPT  41

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int dns_wire_query(uint16_t id, const char *name, uint16_t type, uint16_t udp_size, uint8_t *out,
                   size_t outlen)
{
	int n;
	size_t o = DNS_WIRE_HEADER;

	if (outlen < DNS_WIRE_HEADER)
		return -1;
	memset(out, 0, DNS_WIRE_HEADER);
	put16(out, id);
	out[2] = 0x01; /* RD: what getdns's stub mode sets */
	put16(out + 4, 1);
	put16(out + 10, udp_size ? 1 : 0);
	n = dns_name_to_wire(name, out + o, outlen - o);
	if (n < 0)
		return -1;
	o += (size_t)n;
	if (o + 4 + (udp_size ? 11 : 0) > outlen)
		return -1;
	put16(out + o, type);
	put16(out + o + 2, DNS_WIRE_CLASS_IN);
	o += 4;
	if (udp_size) {
		/* RFC 6891 6.1.2: root owner, type OPT, class = payload size,
		 * TTL = extended rcode, version 0, no DO bit; no options. */
		memset(out + o, 0, 11);
		put16(out + o + 1, DNS_WIRE_TYPE_OPT);
		put16(out + o + 3, udp_size);
		o += 11;
	}
	return (int)o;
}

int dns_wire_reply_id(const uint8_t *msg, size_t len)
{
	if (len < DNS_WIRE_HEADER || (msg[2] & 0x80) == 0)
		return -1;
	return get16(msg);
}

int dns_wire_name(const uint8_t *msg, size_t len, size_t *off, uint8_t out[255])
{
	size_t pos = *off, end = 0, o = 0;
	int jumps = 0;

	for (;;) {
		if (pos >= len)
			return -1;
		unsigned c = msg[pos];
		if ((c & 0xC0) == 0xC0) {
			if (pos + 1 >= len || ++jumps > DNS_WIRE_MAX_JUMPS)
				return -1;
			size_t to = (size_t)(c & 0x3F) << 8 | msg[pos + 1];
			/* RFC 1035 4.1.4: a pointer is to "a prior occurrence"
			 * of the name. One to itself or further on is refused,
			 * so every jump goes back and no chain can loop. */
			if (to >= pos)
				return -1;
			if (end == 0)
				end = pos + 2;
			pos = to;
			continue;
		}
		if (c > 63 || pos + 1 + c > len || o + 1 + c > 255)
			return -1; /* extended label types, overruns */
		memcpy(out + o, msg + pos, 1 + c);
		o += 1 + c;
		pos += 1 + c;
		if (c == 0)
			break;
	}
	*off = end ? end : pos;
	return (int)o;
}

/* A name at *off in presentation form; advances *off. Returns 0 or -1. */
static int read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t outlen)
{
	uint8_t wire[255];
	int n = dns_wire_name(msg, len, off, wire);
	if (n < 0)
		return -1;
	return dns_name_from_wire(wire, (size_t)n, out, outlen) < 0 ? -1 : 0;
}

/* One resource record of the answer section. */
struct wire_rr {
	uint16_t type;
	size_t owner_off; /* where its owner name starts */
	size_t rdoff, rdlen;
};

/* Reads the record at *off; advances *off past it. Returns 0 or -1. */
static int rr_read(const uint8_t *msg, size_t len, size_t *off, struct wire_rr *rr)
{
	uint8_t wire[255];

	rr->owner_off = *off;
	if (dns_wire_name(msg, len, off, wire) < 0 || *off + 10 > len)
		return -1;
	rr->type = get16(msg + *off);
	rr->rdlen = get16(msg + *off + 8);
	rr->rdoff = *off + 10;
	if (rr->rdoff + rr->rdlen > len)
		return -1;
	*off = rr->rdoff + rr->rdlen;
	return 0;
}

static int rr_owner(const uint8_t *msg, size_t len, const struct wire_rr *rr, char *out,
                    size_t outlen)
{
	size_t off = rr->owner_off;
	return read_name(msg, len, &off, out, outlen);
}

/* A domain name that must lie within the record's data. */
static int rdata_name(const uint8_t *msg, size_t len, const struct wire_rr *rr, size_t at,
                      char *out, size_t outlen)
{
	size_t off = at;
	if (read_name(msg, len, &off, out, outlen) != 0 || off > rr->rdoff + rr->rdlen)
		return -1;
	return 0;
}

/*
 * Joins the character-strings of one TXT record (RFC 7208 3.3), whole
 * whatever its size: the message bounds it (65535 bytes over TCP), and
 * what a record too long to read means is for the check reading it to
 * say (DNS_TXT_MAX_BYTES: an SPF PermError, an invalid DMARC record), not
 * a DNS failure that would also hide the records beside it. Bytes are
 * kept as they are, NUL included (rr->len counts them).
 */
static int add_txt(const uint8_t *msg, const struct wire_rr *rr, struct dns_answer *ans, char *why,
                   size_t whylen)
{
	size_t total = 0, end = rr->rdoff + rr->rdlen;

	for (size_t p = rr->rdoff; p < end; p += 1 + (size_t)msg[p]) {
		if (p + 1 + msg[p] > end) {
			snprintf(why, whylen, "TXT record without strings");
			return -1;
		}
		total += msg[p];
	}
	char *buf = malloc(total + 1);
	if (buf == NULL) {
		snprintf(why, whylen, "out of memory reading a TXT record of %zu bytes", total);
		return -1;
	}
	total = 0;
	for (size_t p = rr->rdoff; p < end; p += 1 + (size_t)msg[p]) {
		memcpy(buf + total, msg + p + 1, msg[p]);
		total += msg[p];
	}
	int rc = dns_answer_add(ans, DNS_TYPE_TXT, 0, buf, total, NULL);
	free(buf);
	if (rc != 0) {
		snprintf(why, whylen, "more than %d records (DNS_ANSWER_MAX_RRS)",
		         DNS_ANSWER_MAX_RRS);
		return -1;
	}
	return 0;
}

static int add_record(const uint8_t *msg, size_t len, const struct wire_rr *rr,
                      struct dns_answer *ans, char *why, size_t whylen)
{
	char text[DNS_NAME_BUF];
	const uint8_t *addr = NULL;
	uint16_t pref = 0;

	switch (rr->type) {
	case DNS_TYPE_TXT:
		return add_txt(msg, rr, ans, why, whylen);
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA: {
		bool v6 = rr->type == DNS_TYPE_AAAA;
		addr = msg + rr->rdoff;
		if (rr->rdlen != (v6 ? 16u : 4u) ||
		    inet_ntop(v6 ? AF_INET6 : AF_INET, addr, text, sizeof(text)) == NULL) {
			snprintf(why, whylen, "bad address record");
			return -1;
		}
		break;
	}
	case DNS_TYPE_MX:
		if (rr->rdlen < 3 ||
		    rdata_name(msg, len, rr, rr->rdoff + 2, text, sizeof(text)) != 0) {
			snprintf(why, whylen, "bad MX record");
			return -1;
		}
		pref = get16(msg + rr->rdoff);
		break;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		/* One domain name; an unreadable one keeps no text, as when
		 * getdns could not name the field. */
		if (rdata_name(msg, len, rr, rr->rdoff, text, sizeof(text)) != 0)
			text[0] = '\0';
		break;
	default:
		/* Other types keep no data. */
		text[0] = '\0';
		break;
	}
	if (dns_answer_add(ans, rr->type, pref, text, strlen(text), addr) != 0) {
		snprintf(why, whylen, "more than %d records (DNS_ANSWER_MAX_RRS)",
		         DNS_ANSWER_MAX_RRS);
		return -1;
	}
	return 0;
}

/*
 * Reads the answer section (an records from off): follows the CNAME chain
 * from cur and keeps the records of the asked type owned by the end of the
 * chain. A record of the asked type owned by any other name makes the
 * reply malformed (it answers a question we did not ask).
 * Returns 0 and the chain's end in owner, or -1 with a reason.
 */
static int read_answer(const uint8_t *msg, size_t len, size_t off, unsigned an, const char *cur,
                       uint16_t type, struct dns_answer *ans, char *owner, size_t ownerlen,
                       char *why, size_t whylen)
{
	char chain[DNS_CNAME_MAX_HOPS + 1][DNS_NAME_BUF];
	char name[DNS_NAME_BUF], target[DNS_NAME_BUF];
	struct wire_rr rr;
	int nchain = 1;
	size_t p = off;

	/* Every record must be readable before any is used. */
	for (unsigned i = 0; i < an; i++)
		if (rr_read(msg, len, &p, &rr) != 0) {
			snprintf(why, whylen, "unreadable answer section");
			return -1;
		}
	str_copy(owner, ownerlen, cur);
	str_copy(chain[0], sizeof(chain[0]), cur);
	/* Chains may come in any order: walk until no CNAME extends it. */
	for (bool grew = type != DNS_TYPE_CNAME; grew;) {
		grew = false;
		p = off;
		for (unsigned i = 0; i < an; i++) {
			(void)rr_read(msg, len, &p, &rr);
			if (rr.type != DNS_TYPE_CNAME ||
			    rr_owner(msg, len, &rr, name, sizeof(name)) != 0 ||
			    strcmp(name, owner) != 0)
				continue;
			if (rdata_name(msg, len, &rr, rr.rdoff, target, sizeof(target)) != 0) {
				snprintf(why, whylen, "unreadable CNAME at %s", name);
				return -1;
			}
			for (int k = 0; k < nchain; k++)
				if (strcmp(chain[k], target) == 0) {
					snprintf(why, whylen, "CNAME loop at %s", target);
					return -1;
				}
			if (nchain > DNS_CNAME_MAX_HOPS) {
				snprintf(why, whylen, "more than %d CNAME hops",
				         DNS_CNAME_MAX_HOPS);
				return -1;
			}
			str_copy(chain[nchain++], sizeof(chain[0]), target);
			str_copy(owner, ownerlen, target);
			grew = true;
		}
	}
	p = off;
	for (unsigned i = 0; i < an; i++) {
		(void)rr_read(msg, len, &p, &rr);
		if (rr.type != type)
			continue;
		if (rr_owner(msg, len, &rr, name, sizeof(name)) != 0) {
			snprintf(why, whylen, "unreadable owner name");
			return -1;
		}
		if (strcmp(name, owner) != 0) {
			snprintf(why, whylen, "answer owned by %s, not by %s", name, owner);
			return -1;
		}
		if (add_record(msg, len, &rr, ans, why, whylen) != 0)
			return -1;
	}
	ans->cname_hops += nchain - 1;
	return 0;
}

static enum dns_wire_verdict done(enum dns_outcome *outcome, enum dns_outcome o, char *why,
                                  size_t whylen, const char *text)
{
	*outcome = o;
	if (text != NULL)
		str_copy(why, whylen, text);
	return DNS_WIRE_DONE;
}

/* RFC 1035 4.1.1: QUERY (0) is the only opcode posture asks with, so a
 * reply with another (IQUERY, STATUS, NOTIFY, UPDATE) answers nothing of
 * ours. Returns 0, or -1 with a reason. */
static int check_opcode(const uint8_t *msg, char *why, size_t whylen)
{
	unsigned opcode = (msg[2] >> 3) & 0x0F;

	if (opcode == 0)
		return 0;
	snprintf(why, whylen, "reply with opcode %u, not QUERY (0)", opcode);
	return -1;
}

/*
 * Reads the question section: its first question must be (cur, type, IN)
 * (RFC 5452 3); more questions (there should be none) are skipped. Sets
 * *off past the section. Returns 0, or -1 with a reason.
 */
static int check_question(const uint8_t *msg, size_t len, const char *cur, uint16_t type,
                          size_t *off, char *why, size_t whylen)
{
	char qname[DNS_NAME_BUF], t1[16], t2[16];
	unsigned qd = get16(msg + 4);
	size_t o = DNS_WIRE_HEADER;

	if (qd == 0 || read_name(msg, len, &o, qname, sizeof(qname)) != 0 || o + 4 > len) {
		str_copy(why, whylen, "reply without a question");
		return -1;
	}
	uint16_t qtype = get16(msg + o), qclass = get16(msg + o + 2);
	o += 4;
	if (strcmp(qname, cur) != 0 || qtype != type) {
		snprintf(why, whylen, "reply is for %s %s, not for %s %s", qname,
		         dns_type_name(qtype, t1, sizeof(t1)), cur,
		         dns_type_name(type, t2, sizeof(t2)));
		return -1;
	}
	if (qclass != DNS_WIRE_CLASS_IN) {
		snprintf(why, whylen, "reply is for class %u, not for IN", (unsigned)qclass);
		return -1;
	}
	for (unsigned i = 1; i < qd; i++) {
		uint8_t skip[255];
		if (dns_wire_name(msg, len, &o, skip) < 0 || o + 4 > len) {
			str_copy(why, whylen, "unreadable question section");
			return -1;
		}
		o += 4;
	}
	*off = o;
	return 0;
}

enum dns_wire_match dns_wire_match(const uint8_t *msg, size_t len, uint16_t id, const char *cur,
                                   uint16_t type, bool over_tcp, char *why, size_t whylen)
{
	size_t off;

	why[0] = '\0';
	if (len < DNS_WIRE_HEADER) {
		str_copy(why, whylen, "reply shorter than a DNS header");
		return DNS_WIRE_NOT_REPLY;
	}
	if ((msg[2] & 0x80) == 0) {
		str_copy(why, whylen, "a query (QR=0) instead of a reply");
		return DNS_WIRE_NOT_REPLY;
	}
	if (get16(msg) != id) {
		snprintf(why, whylen, "a reply to another query (id %u, not %u)",
		         (unsigned)get16(msg), (unsigned)id);
		return DNS_WIRE_NOT_REPLY;
	}
	if (check_opcode(msg, why, whylen) != 0)
		return DNS_WIRE_MISMATCH;
	/* TC=1 over UDP is only "ask over TCP": its question is not looked
	 * at (a truncated reply may come without one). */
	if ((msg[2] & 0x02) && !over_tcp)
		return DNS_WIRE_MATCH;
	if (check_question(msg, len, cur, type, &off, why, whylen) != 0)
		return DNS_WIRE_MISMATCH;
	return DNS_WIRE_MATCH;
}

/*
 * Walks the answer, authority and additional sections from off, every
 * record of which must be readable, for an OPT record (RFC 6891 6.1.3):
 * returns the upper 8 bits of its 12-bit rcode (the first byte of its
 * TTL), 0 without OPT, or -1 with a reason.
 */
static int read_ext_rcode(const uint8_t *msg, size_t len, size_t off, char *why, size_t whylen)
{
	unsigned an = get16(msg + 6), rest = (unsigned)get16(msg + 8) + get16(msg + 10);
	struct wire_rr rr;
	int ext = 0;

	for (unsigned i = 0; i < an; i++)
		if (rr_read(msg, len, &off, &rr) != 0) {
			str_copy(why, whylen, "unreadable answer section");
			return -1;
		}
	for (unsigned i = 0; i < rest; i++) {
		if (rr_read(msg, len, &off, &rr) != 0) {
			str_copy(why, whylen, "unreadable authority or additional section");
			return -1;
		}
		/* rdoff - 6: type 2, class 2, then the TTL's first byte. */
		if (rr.type == DNS_WIRE_TYPE_OPT && msg[rr.rdoff - 6] != 0)
			ext = msg[rr.rdoff - 6];
	}
	return ext;
}

enum dns_wire_verdict dns_wire_read(const uint8_t *msg, size_t len, const char *cur, uint16_t type,
                                    bool over_tcp, struct dns_answer *ans,
                                    enum dns_outcome *outcome, char *why, size_t whylen, char *next,
                                    size_t nextlen)
{
	char owner[DNS_NAME_BUF];
	size_t off = DNS_WIRE_HEADER;

	why[0] = '\0';
	if (len < DNS_WIRE_HEADER)
		return done(outcome, DNS_OUTCOME_MALFORMED, why, whylen,
		            "reply shorter than a DNS header");
	unsigned rcode = msg[3] & 0x0F, an = get16(msg + 6);
	if (msg[2] & 0x02) {
		/* TC=1 means "ask again over TCP", never "no record". */
		if (!over_tcp)
			return DNS_WIRE_TCP;
		/* Over TCP a reply of up to 65535 bytes needs no cutting
		 * (RFC 1035 4.2.2): a truncated one there is incomplete, and
		 * its missing records may be the ones that count. */
		return done(outcome, DNS_OUTCOME_MALFORMED, why, whylen,
		            "truncated reply (TC=1) over TCP");
	}
	if ((msg[2] & 0x80) == 0)
		return done(outcome, DNS_OUTCOME_MALFORMED, why, whylen,
		            "a query (QR=0) instead of a reply");
	if (check_opcode(msg, why, whylen) != 0 ||
	    check_question(msg, len, cur, type, &off, why, whylen) != 0)
		return done(outcome, DNS_OUTCOME_MALFORMED, why, whylen, NULL);
	int ext = read_ext_rcode(msg, len, off, why, whylen);
	if (ext < 0)
		return done(outcome, DNS_OUTCOME_MALFORMED, why, whylen, NULL);
	if (ext > 0) {
		/* RFC 6891 6.1.3: the rcode is 12 bits, and with these its
		 * header half's 0 or 3 is neither NOERROR nor NXDOMAIN; 16 is
		 * BADVERS, an EDNS version the server does not speak. */
		unsigned full = (unsigned)ext << 4 | rcode;
		if (full == 16)
			str_copy(why, whylen, "server answered BADVERS (extended rcode 16)");
		else
			snprintf(why, whylen, "server answered extended rcode %u", full);
		return done(outcome, DNS_OUTCOME_MALFORMED, why, whylen, NULL);
	}
	ans->rcode = (int)rcode;
	if (rcode == 3)
		return done(outcome, DNS_OUTCOME_NXDOMAIN, why, whylen, "the name does not exist");
	if (rcode != 0) {
		char buf[16];
		snprintf(why, whylen, "server answered %s",
		         dns_rcode_name((int)rcode, buf, sizeof(buf)));
		return done(outcome, DNS_OUTCOME_SERVFAIL, why, whylen, NULL);
	}
	if (read_answer(msg, len, off, an, cur, type, ans, owner, sizeof(owner), why, whylen) != 0)
		return done(outcome, DNS_OUTCOME_MALFORMED, why, whylen, NULL);
	str_copy(ans->canonical, sizeof(ans->canonical), owner);
	if (ans->nrr > 0)
		return done(outcome, DNS_OUTCOME_DATA, why, whylen, NULL);
	if (strcmp(owner, cur) != 0) {
		/* The server gave a CNAME but not what it points to (an
		 * authoritative server for another zone): ask for the target. */
		if (ans->cname_hops > DNS_CNAME_MAX_HOPS) {
			snprintf(why, whylen, "more than %d CNAME hops", DNS_CNAME_MAX_HOPS);
			return done(outcome, DNS_OUTCOME_MALFORMED, why, whylen, NULL);
		}
		str_copy(next, nextlen, owner);
		return DNS_WIRE_FOLLOW;
	}
	return done(outcome, DNS_OUTCOME_NODATA, why, whylen,
	            "the name has no record of this type");
}
