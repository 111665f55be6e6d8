/*
 * libFuzzer harness: dns_wire_read, the reader of DNS replies, on
 * arbitrary bytes (scripts/fuzz.sh). Every reply posture reads comes from
 * the network, so whatever the bytes, the reader must stay inside them and
 * hand back an answer that keeps the promises of dns_wire.h and dnsutil.h.
 *
 * Input: one selector byte, then the reply.
 *   bits 0-2  the type asked, from types[] below
 *   bit 3     the reply came over TCP
 *   bit 4     the name asked is the reply's own question name (when it can
 *             be read), else txt.bed.test: so mutations get past the
 *             question check to the answer section
 *   bit 5     the type asked is the reply's own question type
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "dns_wire.h"
#include "dnsutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static const uint16_t types[8] = {
	DNS_TYPE_TXT,   DNS_TYPE_A,  DNS_TYPE_AAAA, DNS_TYPE_MX,
	DNS_TYPE_CNAME, DNS_TYPE_NS, DNS_TYPE_PTR,  DNS_TYPE_SOA,
};

/*
 * A name in the presentation form dns_name_from_wire writes: "." for the
 * root, else labels of [a-z0-9-_*] and \DDD (DDD <= 255) joined by single
 * dots, each label 1..63 bytes and the whole at most 255 bytes on the
 * wire (RFC 1035 2.3.4).
 */
static bool name_ok(const char *s)
{
	size_t wire = 1, lab = 0;

	if (strcmp(s, ".") == 0)
		return true;
	if (*s == '\0')
		return false;
	for (const char *p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (lab == 0 || lab > 63)
				return false;
			wire += 1 + lab;
			lab = 0;
			if (*p == '\0')
				break;
			continue;
		}
		if (*p == '\\') {
			if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' || p[3] < '0' ||
			    p[3] > '9' ||
			    (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0') > 255)
				return false;
			p += 3;
		} else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		             *p == '_' || *p == '*')) {
			return false;
		}
		lab++;
	}
	return wire <= 255;
}

/*
 * Issue 19 item 8: a name read from a reply is asked again as the same
 * bytes. Its text goes back to the wire (dns_name_to_wire) as the wire it
 * came from, and is its own canonical form (dns_name_normalize), which is
 * what dns_query_start asks.
 */
static void round_trip(const char *name)
{
	uint8_t wire[255];
	char back[DNS_NAME_BUF], norm[DNS_NAME_BUF];
	int n = dns_name_to_wire(name, wire, sizeof(wire));

	CHECK(n > 0);
	CHECK(dns_name_from_wire(wire, (size_t)n, back, sizeof(back)) == n);
	CHECK(strcmp(back, name) == 0);
	if (n > 1)
		CHECK(dns_name_normalize(name, norm, sizeof(norm)) == 0 && strcmp(norm, name) == 0);
}

/* The same, from the wire: text and back give the bytes (letters in
 * lower case: DNS ignores their case). */
static void wire_round_trip(const uint8_t *wire, int n)
{
	char text[DNS_NAME_BUF];
	uint8_t back[255];

	CHECK(dns_name_from_wire(wire, (size_t)n, text, sizeof(text)) == n);
	CHECK(dns_name_to_wire(text, back, sizeof(back)) == n);
	for (int i = 0; i < n; i++) {
		uint8_t c = wire[i];
		/* Length bytes are at most 63: never letters. */
		CHECK(back[i] == (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
	}
	round_trip(text);
}

/* One kept record: of the type asked, its data as dnsutil.h describes. */
static void check_rr(const struct dns_rr *rr, uint16_t type)
{
	uint8_t addr[16];

	CHECK(rr->type == type);
	CHECK(rr->data != NULL && rr->data[rr->len] == '\0');
	switch (rr->type) {
	case DNS_TYPE_TXT:
		/* Joined whole: no more than the record's data (a message holds
		 * at most 65535 bytes). */
		CHECK(rr->len <= 65535);
		break;
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA: {
		int af = rr->type == DNS_TYPE_A ? AF_INET : AF_INET6;
		/* The text and the bytes are the same address. */
		CHECK(strlen(rr->data) == rr->len);
		CHECK(inet_pton(af, rr->data, addr) == 1);
		CHECK(memcmp(addr, rr->addr, af == AF_INET ? 4 : 16) == 0);
		break;
	}
	case DNS_TYPE_MX:
		CHECK(strlen(rr->data) == rr->len && name_ok(rr->data));
		round_trip(rr->data);
		break;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		/* Empty when the name could not be read. */
		CHECK(strlen(rr->data) == rr->len && (rr->len == 0 || name_ok(rr->data)));
		if (rr->len > 0)
			round_trip(rr->data);
		break;
	default:
		CHECK(rr->len == 0);
		break;
	}
}

/* What the reply's rcode allows, for a reply that got that far. */
static void check_done(const uint8_t *msg, size_t len, const struct dns_answer *ans,
                       enum dns_outcome outcome, const char *why)
{
	CHECK(outcome <= DNS_OUTCOME_MALFORMED && outcome != DNS_OUTCOME_TIMEOUT);
	/* Records only for data, or left behind by a malformed answer
	 * section for the caller to free. */
	CHECK((outcome == DNS_OUTCOME_DATA) == (ans->nrr > 0 && outcome != DNS_OUTCOME_MALFORMED));
	/* A reason for everything but data. */
	CHECK((why[0] == '\0') == (outcome == DNS_OUTCOME_DATA));
	CHECK(ans->rcode == -1 || (len >= DNS_WIRE_HEADER && ans->rcode == (msg[3] & 0x0F)));
	CHECK((outcome == DNS_OUTCOME_NXDOMAIN) == (ans->rcode == 3));
	CHECK((outcome == DNS_OUTCOME_SERVFAIL) == (ans->rcode > 0 && ans->rcode != 3));
	if (outcome == DNS_OUTCOME_DATA || outcome == DNS_OUTCOME_NODATA) {
		CHECK(ans->rcode == 0 && name_ok(ans->canonical));
		round_trip(ans->canonical);
	}
}

static void check_answer(const uint8_t *msg, size_t len, const char *cur, uint16_t type,
                         bool over_tcp, const struct dns_answer *ans, enum dns_wire_verdict v,
                         enum dns_outcome outcome, const char *why, const char *next)
{
	uint8_t q[DNS_WIRE_QUERY_MAX];

	/* TC=1 over UDP is "ask over TCP" before anything else, and only
	 * that is. */
	CHECK((v == DNS_WIRE_TCP) == (!over_tcp && len >= DNS_WIRE_HEADER && (msg[2] & 0x02)));
	CHECK(ans->nrr <= DNS_ANSWER_MAX_RRS);
	CHECK(ans->cname_hops >= 0 && ans->cname_hops <= DNS_CNAME_MAX_HOPS);
	for (size_t i = 0; i < ans->nrr; i++)
		check_rr(&ans->rr[i], type);
	switch (v) {
	case DNS_WIRE_TCP:
		CHECK(ans->nrr == 0 && ans->rcode == -1);
		break;
	case DNS_WIRE_FOLLOW:
		/* The next hop is another name, and one a query can be built
		 * for: dns.c sends it as it is. */
		CHECK(ans->nrr == 0 && ans->rcode == 0 && ans->cname_hops > 0);
		CHECK(name_ok(next) && strcmp(next, cur) != 0 && strcmp(next, ans->canonical) == 0);
		CHECK(dns_wire_query(1, next, type, DNS_WIRE_EDNS_UDP_SIZE, q, sizeof(q)) > 0);
		round_trip(next);
		break;
	case DNS_WIRE_DONE:
		check_done(msg, len, ans, outcome, why);
		break;
	default:
		CHECK(false);
	}
}

/* The reply's own question name and type, when they can be read. */
static void echo_question(const uint8_t *msg, size_t len, uint8_t sel, char *cur, size_t curlen,
                          uint16_t *type)
{
	uint8_t wire[255];
	size_t off = DNS_WIRE_HEADER;
	int n;

	if (len < DNS_WIRE_HEADER)
		return;
	n = dns_wire_name(msg, len, &off, wire);
	/* dns_wire_name stays within the message and 255 bytes. */
	CHECK(n < 0 || (n >= 1 && n <= 255 && off <= len));
	if (n < 0)
		return;
	wire_round_trip(wire, n);
	if ((sel & 0x10) && dns_name_from_wire(wire, (size_t)n, cur, curlen) < 0)
		return;
	if ((sel & 0x20) && off + 2 <= len)
		*type = (uint16_t)(msg[off] << 8 | msg[off + 1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char cur[DNS_NAME_BUF] = "txt.bed.test", why[DNS_DETAIL_MAX], next[DNS_NAME_BUF];
	struct dns_answer ans;
	enum dns_outcome outcome = DNS_OUTCOME_TIMEOUT;

	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	const uint8_t *msg = data + 1;
	size_t len = size - 1;
	uint16_t type = types[sel & 7];
	bool over_tcp = (sel & 0x08) != 0;
	int id = dns_wire_reply_id(msg, len);
	CHECK(id == (len >= DNS_WIRE_HEADER && (msg[2] & 0x80) ? (msg[0] << 8 | msg[1]) : -1));
	echo_question(msg, len, sel, cur, sizeof(cur), &type);
	memset(&ans, 0, sizeof(ans));
	ans.rcode = -1;
	memset(why, 'x', sizeof(why));
	why[sizeof(why) - 1] = '\0';
	next[0] = '\0';
	enum dns_wire_verdict v = dns_wire_read(msg, len, cur, type, over_tcp, &ans, &outcome, why,
	                                        sizeof(why), next, sizeof(next));
	CHECK(memchr(why, '\0', sizeof(why)) != NULL);
	check_answer(msg, len, cur, type, over_tcp, &ans, v, outcome, why, next);
	dns_answer_cleanup(&ans);
	return 0;
}
