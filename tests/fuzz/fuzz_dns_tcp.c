/*
 * libFuzzer harness: the TCP reply path of the DNS adapter (scripts/fuzz.sh),
 * as dns.c drives it: the bytes a server sends on a connection are framed
 * by dns_tcp_frame_want/got (a two-byte length, then the message, RFC 1035
 * 4.2.2), each whole message is matched to the query by dns_wire_match and,
 * when it matches, read by dns_wire_read over TCP. Whatever the bytes, no
 * reply that is not the answer to the query may end as an answer (issue
 * 19: over TCP an echoed query, another id, or TC=1 were read as "no
 * record"), and matching and reading must agree.
 *
 * Input: a selector byte, a step byte, then the TCP byte stream, which may
 * hold several frames (each is taken as the one reply of a new connection,
 * as the retries of a question would be).
 *   selector bits 0-2  the type asked, from types[] below
 *            bit 3     the id asked is the first frame's own id (so
 *                      mutations get past the id check), else 0x1234
 *            bit 4     the name asked is the frame's own question name
 *                      (when it can be read), else txt.bed.test
 *            bit 5     the type asked is the frame's own question type
 *   step               the most bytes one recv hands over (0: 256)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_tcp.h"
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

struct question {
	char cur[DNS_NAME_BUF];
	uint16_t type;
	uint16_t id;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Whether msg's first question is (cur, type, IN), read independently of
 * dns_wire.c's own check. */
static bool asks(const uint8_t *msg, size_t len, const struct question *q)
{
	char name[DNS_NAME_BUF];
	uint8_t wire[255];
	size_t off = DNS_WIRE_HEADER;
	int n;

	if (len < DNS_WIRE_HEADER || get16(msg + 4) == 0)
		return false;
	n = dns_wire_name(msg, len, &off, wire);
	if (n < 0 || off + 4 > len || dns_name_from_wire(wire, (size_t)n, name, sizeof(name)) < 0)
		return false;
	return strcmp(name, q->cur) == 0 && get16(msg + off) == q->type &&
	       get16(msg + off + 2) == 1;
}

/* What the question is, from the selector and the first frame. */
static void pick_question(uint8_t sel, const uint8_t *stream, size_t n, struct question *q)
{
	const uint8_t *msg = stream + 2;
	size_t len = n >= 2 ? n - 2 : 0;
	uint8_t wire[255];
	size_t off = DNS_WIRE_HEADER;
	int k;

	snprintf(q->cur, sizeof(q->cur), "txt.bed.test");
	q->type = types[sel & 7];
	q->id = 0x1234;
	if (len < DNS_WIRE_HEADER)
		return;
	if (sel & 0x08)
		q->id = get16(msg);
	k = dns_wire_name(msg, len, &off, wire);
	if (k < 0)
		return;
	if ((sel & 0x10) && dns_name_from_wire(wire, (size_t)k, q->cur, sizeof(q->cur)) < 0)
		snprintf(q->cur, sizeof(q->cur), "txt.bed.test");
	if ((sel & 0x20) && off + 2 <= len)
		q->type = get16(msg + off);
}

/* One whole message off the connection: matched, then read as dns.c's
 * classify() does, and the verdicts checked against the bytes. */
static void one_reply(const uint8_t *msg, size_t len, const struct question *q)
{
	char why[DNS_DETAIL_MAX], next[DNS_NAME_BUF];
	enum dns_outcome outcome = DNS_OUTCOME_TIMEOUT;
	struct dns_answer ans;

	memset(why, 'x', sizeof(why));
	enum dns_wire_match m =
	        dns_wire_match(msg, len, q->id, q->cur, q->type, true, why, sizeof(why));
	CHECK(memchr(why, '\0', sizeof(why)) != NULL);
	bool header = len >= DNS_WIRE_HEADER;
	bool reply = header && (msg[2] & 0x80) && get16(msg) == q->id;
	/* Not a reply to the query exactly when QR=0, another id, a runt. */
	CHECK((m == DNS_WIRE_NOT_REPLY) == !reply);
	CHECK(m == DNS_WIRE_MATCH || why[0] != '\0');
	if (m == DNS_WIRE_MATCH)
		CHECK(((msg[2] >> 3) & 0x0F) == 0 && asks(msg, len, q));
	if (m == DNS_WIRE_NOT_REPLY)
		return; /* discarded: the question retries, as after a timeout */

	memset(&ans, 0, sizeof(ans));
	ans.rcode = -1;
	next[0] = '\0';
	enum dns_wire_verdict v = dns_wire_read(msg, len, q->cur, q->type, true, &ans, &outcome,
	                                        why, sizeof(why), next, sizeof(next));
	CHECK(memchr(why, '\0', sizeof(why)) != NULL);
	/* Over TCP there is no asking over TCP again. */
	CHECK(v == DNS_WIRE_DONE || v == DNS_WIRE_FOLLOW);
	/* What the matcher refuses, the reader refuses too. */
	if (m == DNS_WIRE_MISMATCH)
		CHECK(v == DNS_WIRE_DONE && outcome == DNS_OUTCOME_MALFORMED);
	if (v == DNS_WIRE_DONE) {
		CHECK(outcome <= DNS_OUTCOME_MALFORMED && outcome != DNS_OUTCOME_TIMEOUT);
		CHECK((why[0] == '\0') == (outcome == DNS_OUTCOME_DATA));
	}
	/* An answer (data, no data, no such name, a hop to follow) only from
	 * the reply to this query: our id, QR=1, QUERY, our question, not
	 * truncated, no extended rcode. */
	if (v == DNS_WIRE_FOLLOW || outcome == DNS_OUTCOME_DATA || outcome == DNS_OUTCOME_NODATA ||
	    outcome == DNS_OUTCOME_NXDOMAIN) {
		CHECK(m == DNS_WIRE_MATCH && reply && (msg[2] & 0x02) == 0);
		CHECK(ans.rcode == (msg[3] & 0x0F) && (ans.rcode == 0 || ans.rcode == 3));
	}
	if (v == DNS_WIRE_FOLLOW)
		CHECK(next[0] != '\0' && strcmp(next, q->cur) != 0 && ans.nrr == 0);
	for (size_t i = 0; i < ans.nrr; i++)
		CHECK(ans.rr[i].type == q->type && ans.rr[i].data[ans.rr[i].len] == '\0');
	dns_answer_cleanup(&ans);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct question q;

	if (size < 2)
		return 0;
	uint8_t sel = data[0];
	size_t step = data[1] ? data[1] : 256;
	const uint8_t *stream = data + 2;
	size_t n = size - 2, pos = 0;

	pick_question(sel, stream, n, &q);
	/* Frame after frame, each fed in pieces of at most step bytes, as
	 * recv hands them over. */
	while (pos < n) {
		struct dns_tcp_frame f;
		int whole = 0;
		memset(&f, 0, sizeof(f));
		while (whole == 0 && pos < n) {
			uint8_t *at;
			size_t want;
			dns_tcp_frame_want(&f, &at, &want);
			CHECK(want > 0 && want <= 65535);
			if (want > step)
				want = step;
			if (want > n - pos)
				want = n - pos;
			memcpy(at, stream + pos, want);
			pos += want;
			whole = dns_tcp_frame_got(&f, want);
		}
		if (whole == 1) {
			/* The length the frame announced, and those bytes. */
			CHECK(f.in != NULL && f.inhave == f.inneed && f.inneed <= 65535);
			CHECK(memcmp(f.in, stream + pos - f.inneed, f.inneed) == 0);
			one_reply(f.in, f.inneed, &q);
		}
		free(f.in);
		if (whole != 1)
			break; /* cut short: the connection closed, a failure */
	}
	return 0;
}
