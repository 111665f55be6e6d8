/*
 * Unit tests for dns_wire.c (queries as bytes, replies matched to their
 * query, read and judged), for the id table of dns_udp.c and the framing
 * of dns_tcp.c. Replies are built by hand, byte by
 * byte, so every hostile shape (loops, overruns, wrong questions) can be
 * written down; each row says what it stands for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns_tcp.h"
#include "dns_udp.h"
#include "dns_wire.h"

/* ---- a reply builder ------------------------------------------------- */

struct msg {
	uint8_t b[65536];
	size_t n;
};

static void put8(struct msg *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

/* A dotted name, uncompressed; "" is the root. */
static void put_name(struct msg *m, const char *dotted)
{
	const char *p = dotted;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		put8(m, (unsigned)len);
		memcpy(m->b + m->n, p, len);
		m->n += len;
		p += len;
		if (*p == '.')
			p++;
	}
	put8(m, 0);
}

static void put_ptr(struct msg *m, unsigned off)
{
	put16(m, 0xC000 | off);
}

/* Header with RD and QR (flags1 extra bits such as TC 0x02), rcode. */
static void put_header(struct msg *m, unsigned id, unsigned flags1, unsigned rcode, unsigned qd,
                       unsigned an)
{
	m->n = 0;
	put16(m, id);
	put8(m, 0x81 | flags1);
	put8(m, rcode);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

static void put_question(struct msg *m, const char *name, unsigned type, unsigned cls)
{
	put_name(m, name);
	put16(m, type);
	put16(m, cls);
}

/* Owner (NULL: a pointer to the question's name at 12), type, class IN,
 * TTL; returns where rdlength goes, for rr_end. */
static size_t rr_begin(struct msg *m, const char *owner, unsigned type)
{
	if (owner == NULL)
		put_ptr(m, 12);
	else
		put_name(m, owner);
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, 0);
	return m->n - 2;
}

static void rr_end(struct msg *m, size_t at)
{
	size_t len = m->n - at - 2;
	m->b[at] = (uint8_t)(len >> 8);
	m->b[at + 1] = (uint8_t)len;
}

static void rr_txt(struct msg *m, const char *owner, const char *text)
{
	size_t at = rr_begin(m, owner, DNS_TYPE_TXT);
	put8(m, (unsigned)strlen(text));
	memcpy(m->b + m->n, text, strlen(text));
	m->n += strlen(text);
	rr_end(m, at);
}

static void rr_cname(struct msg *m, const char *owner, const char *target)
{
	size_t at = rr_begin(m, owner, DNS_TYPE_CNAME);
	put_name(m, target);
	rr_end(m, at);
}

/* A reply to txt.bed.test TXT with the question in place. */
static void reply(struct msg *m, unsigned flags1, unsigned rcode, unsigned an)
{
	put_header(m, 0x1234, flags1, rcode, 1, an);
	put_question(m, "txt.bed.test", DNS_TYPE_TXT, 1);
}

struct read_result {
	enum dns_wire_verdict verdict;
	enum dns_outcome outcome;
	char why[DNS_DETAIL_MAX];
	char next[DNS_NAME_BUF];
	struct dns_answer ans;
};

static void read_msg(const struct msg *m, const char *cur, uint16_t type, bool tcp,
                     struct read_result *r)
{
	memset(r, 0, sizeof(*r));
	r->ans.rcode = -1;
	r->outcome = (enum dns_outcome) - 1;
	r->verdict = dns_wire_read(m->b, m->n, cur, type, tcp, &r->ans, &r->outcome, r->why,
	                           sizeof(r->why), r->next, sizeof(r->next));
}

/* ---- queries ---------------------------------------------------------- */

static void test_query(void **state)
{
	/* What getdns 1.6's stub mode sent for ab.example.test TXT (captured
	 * on the wire): RD, one question, OPT with 1232 and no DO bit. */
	static const uint8_t want[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		                        0x00, 0x00, 0x01, 0x02, 'a',  'b',  0x07, 'e',  'x',
		                        'a',  'm',  'p',  'l',  'e',  0x04, 't',  'e',  's',
		                        't',  0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x29,
		                        0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	uint8_t out[DNS_WIRE_QUERY_MAX];
	char label63[70], name[400];
	(void)state;

	assert_int_equal(
	        dns_wire_query(0x1234, "ab.example.test", DNS_TYPE_TXT, 1232, out, sizeof(out)),
	        sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	/* Escaped bytes become one octet; a dot escaped stays in its label. */
	assert_int_equal(dns_wire_query(1, "a\\046b.test", DNS_TYPE_A, 0, out, sizeof(out)),
	                 12 + 1 + 3 + 1 + 4 + 1 + 4);
	assert_int_equal(out[12], 3);
	assert_memory_equal(out + 13, "a.b", 3);
	assert_int_equal(out[11], 0); /* no OPT when udp_size is 0 */
	/* Refused: empty labels, a 64-byte label, a name over 255 bytes,
	 * an output buffer too small. */
	assert_int_equal(dns_wire_query(1, "a..b", DNS_TYPE_A, 0, out, sizeof(out)), -1);
	assert_int_equal(dns_wire_query(1, ".a", DNS_TYPE_A, 0, out, sizeof(out)), -1);
	memset(label63, 'x', 64);
	label63[64] = '\0';
	assert_int_equal(dns_wire_query(1, label63, DNS_TYPE_A, 0, out, sizeof(out)), -1);
	label63[63] = '\0';
	assert_true(dns_wire_query(1, label63, DNS_TYPE_A, 0, out, sizeof(out)) > 0);
	for (size_t i = 0; i < 5; i++) {
		memcpy(name + i * 64, label63, 63);
		name[i * 64 + 63] = '.';
	}
	name[5 * 64 - 1] = '\0'; /* 5 labels of 63: 321 bytes on the wire */
	assert_int_equal(dns_wire_query(1, name, DNS_TYPE_A, 0, out, sizeof(out)), -1);
	assert_int_equal(dns_wire_query(1, "ab.example.test", DNS_TYPE_TXT, 1232, out, 20), -1);
	/* The root, as a CNAME target: one zero byte for the name. */
	assert_int_equal(dns_wire_query(1, ".", DNS_TYPE_TXT, 0, out, sizeof(out)), 12 + 1 + 4);
	assert_int_equal(out[12], 0);
	assert_int_equal(out[14], DNS_TYPE_TXT);
}

static void test_reply_id(void **state)
{
	struct msg m;
	(void)state;
	reply(&m, 0, 0, 0);
	assert_int_equal(dns_wire_reply_id(m.b, m.n), 0x1234);
	assert_int_equal(dns_wire_reply_id(m.b, 11), -1); /* shorter than a header */
	m.b[2] &= 0x7f;
	assert_int_equal(dns_wire_reply_id(m.b, m.n), -1); /* QR=0: a query */
}

static void test_names(void **state)
{
	uint8_t out[255];
	struct msg m;
	size_t off;
	(void)state;

	/* A pointer: the name continues at 12; off moves past the pointer. */
	reply(&m, 0, 0, 0);
	size_t at = m.n;
	put8(&m, 3);
	memcpy(m.b + m.n, "sub", 3);
	m.n += 3;
	put_ptr(&m, 12);
	off = at;
	assert_int_equal(dns_wire_name(m.b, m.n, &off, out), 4 + 14);
	assert_int_equal(off, m.n);
	/* A pointer to itself, and a pair pointing at each other: loops. */
	at = m.n;
	put_ptr(&m, (unsigned)at);
	off = at;
	assert_int_equal(dns_wire_name(m.b, m.n, &off, out), -1);
	at = m.n;
	put_ptr(&m, (unsigned)at + 2);
	put_ptr(&m, (unsigned)at);
	off = at;
	assert_int_equal(dns_wire_name(m.b, m.n, &off, out), -1);
	/* A pointer forward, to a whole name written after it (issue 19:
	 * it was followed): RFC 1035 4.1.4 allows only "a prior
	 * occurrence". The same name reached by a pointer back reads. */
	m.n = 0;
	put_ptr(&m, 2);
	put_name(&m, "fwd.test");
	off = 0;
	assert_int_equal(dns_wire_name(m.b, m.n, &off, out), -1);
	at = m.n;
	put_ptr(&m, 2);
	off = at;
	assert_int_equal(dns_wire_name(m.b, m.n, &off, out), 10);
	assert_int_equal(off, at + 2);
	/* A pointer past the end; a label running past the end; a pointer
	 * cut in half; an extended label type (0x40). */
	at = m.n;
	put_ptr(&m, 0x3fff);
	off = at;
	assert_int_equal(dns_wire_name(m.b, m.n, &off, out), -1);
	static const uint8_t overrun[] = { 5, 'a', 'b' };
	off = 0;
	assert_int_equal(dns_wire_name(overrun, sizeof(overrun), &off, out), -1);
	static const uint8_t half[] = { 0xC0 };
	off = 0;
	assert_int_equal(dns_wire_name(half, sizeof(half), &off, out), -1);
	static const uint8_t ext[] = { 0x41, 0 };
	off = 0;
	assert_int_equal(dns_wire_name(ext, sizeof(ext), &off, out), -1);
	/* Over 255 bytes once decompressed: four 63-byte labels, then a
	 * pointer back to them. */
	m.n = 0;
	for (int i = 0; i < 4; i++) {
		put8(&m, 63);
		memset(m.b + m.n, 'x', 63);
		m.n += 63;
	}
	put_ptr(&m, 0);
	off = 0;
	assert_int_equal(dns_wire_name(m.b, m.n, &off, out), -1);
}

/* ---- replies ---------------------------------------------------------- */

static void test_read_outcomes(void **state)
{
	struct msg m;
	struct read_result r;
	(void)state;

	/* One TXT record: data. */
	reply(&m, 0, 0, 1);
	rr_txt(&m, NULL, "v=spf1 -all");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.verdict, DNS_WIRE_DONE);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	assert_int_equal(r.ans.nrr, 1);
	assert_string_equal(r.ans.rr[0].data, "v=spf1 -all");
	assert_string_equal(r.ans.canonical, "txt.bed.test");
	assert_int_equal(r.ans.rcode, 0);
	dns_answer_cleanup(&r.ans);

	/* TC=1 over UDP: ask over TCP, whatever else the reply says. */
	reply(&m, 0x02, 0, 0);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.verdict, DNS_WIRE_TCP);
	/* Over TCP nothing needs cutting: TC=1 there is an incomplete reply,
	 * never NODATA (issue 19: it was, and SPF said "none"), with or
	 * without records. */
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, true, &r);
	assert_int_equal(r.verdict, DNS_WIRE_DONE);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_string_equal(r.why, "truncated reply (TC=1) over TCP");
	assert_int_equal(r.ans.rcode, -1);
	reply(&m, 0x02, 0, 1);
	rr_txt(&m, NULL, "v=spf1 -all");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, true, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_int_equal(r.ans.nrr, 0);

	/* rcodes: NXDOMAIN apart, every other error is SERVFAIL. */
	static const struct {
		unsigned rcode;
		enum dns_outcome outcome;
	} rc[] = {
		{ 0, DNS_OUTCOME_NODATA },   { 3, DNS_OUTCOME_NXDOMAIN },
		{ 2, DNS_OUTCOME_SERVFAIL }, { 5, DNS_OUTCOME_SERVFAIL },
		{ 1, DNS_OUTCOME_SERVFAIL },
	};
	for (size_t i = 0; i < sizeof(rc) / sizeof(rc[0]); i++) {
		reply(&m, 0, rc[i].rcode, 0);
		read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
		assert_int_equal(r.verdict, DNS_WIRE_DONE);
		assert_int_equal(r.outcome, rc[i].outcome);
		assert_int_equal(r.ans.rcode, (int)rc[i].rcode);
		assert_true(r.why[0] != '\0');
	}
}

static void test_read_question(void **state)
{
	struct msg m;
	struct read_result r;
	(void)state;

	static const struct {
		const char *qname;
		unsigned qtype, qclass;
		enum dns_outcome outcome;
		const char *why; /* part of the reason */
	} rows[] = {
		/* The echo differs in case only: the same name. */
		{ "TXT.Bed.TEST", DNS_TYPE_TXT, 1, DNS_OUTCOME_NODATA, "no record" },
		/* Another name, type or class: not an answer to our question.
		 * The reason names both sides whole (it said "reply is for X,
		 * not for X" when only the type differed). */
		{ "other.bed.test", DNS_TYPE_TXT, 1, DNS_OUTCOME_MALFORMED,
		  "reply is for other.bed.test TXT, not for txt.bed.test TXT" },
		{ "txt.bed.test", DNS_TYPE_A, 1, DNS_OUTCOME_MALFORMED,
		  "reply is for txt.bed.test A, not for txt.bed.test TXT" },
		{ "txt.bed.test", 65280, 1, DNS_OUTCOME_MALFORMED,
		  "reply is for txt.bed.test TYPE65280, not for txt.bed.test TXT" },
		{ "txt.bed.test", DNS_TYPE_TXT, 3, DNS_OUTCOME_MALFORMED,
		  "reply is for class 3, not for IN" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		put_header(&m, 7, 0, 0, 1, 0);
		put_question(&m, rows[i].qname, rows[i].qtype, rows[i].qclass);
		read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
		assert_int_equal(r.outcome, rows[i].outcome);
		if (rows[i].outcome == DNS_OUTCOME_MALFORMED)
			assert_string_equal(r.why, rows[i].why);
		else
			assert_non_null(strstr(r.why, rows[i].why));
	}
	/* No question at all; a question cut short; the garbage of the
	 * fault server (65534 questions in 36 bytes). */
	put_header(&m, 7, 0, 0, 0, 0);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_string_equal(r.why, "reply without a question");
	assert_int_equal(r.ans.rcode, -1);
	reply(&m, 0, 0, 0);
	m.n -= 3;
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_string_equal(r.why, "reply without a question");
	static const uint8_t garbage[] = { 0x12, 0x34, 0x94, 0xe8, 0xff, 0xfe, 0xff, 0xfd,
		                           0x89, 0x9c, 0x15, 0xdd, 0xe1, 0x08, 0xdd, 0x55 };
	memcpy(m.b, garbage, sizeof(garbage));
	m.n = sizeof(garbage);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_int_equal(r.ans.rcode, -1);
	/* Its third byte, 0x94, is opcode 2 (STATUS): refused for that. */
	assert_string_equal(r.why, "reply with opcode 2, not QUERY (0)");
	/* Shorter than a header. */
	m.n = 5;
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
}

static void test_read_cnames(void **state)
{
	struct msg m;
	struct read_result r;
	(void)state;

	/* A chain given out of order ends at its data. */
	reply(&m, 0, 0, 3);
	rr_txt(&m, "end.bed.test", "v=spf1 ?all");
	rr_cname(&m, "mid.bed.test", "end.bed.test");
	rr_cname(&m, NULL, "mid.bed.test");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	assert_string_equal(r.ans.canonical, "end.bed.test");
	assert_int_equal(r.ans.cname_hops, 2);
	assert_string_equal(r.ans.rr[0].data, "v=spf1 ?all");
	dns_answer_cleanup(&r.ans);

	/* A CNAME without its target's records: ask for the target. */
	reply(&m, 0, 0, 1);
	rr_cname(&m, NULL, "Target.Other.Test");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.verdict, DNS_WIRE_FOLLOW);
	assert_string_equal(r.next, "target.other.test");
	assert_int_equal(r.ans.cname_hops, 1);

	/* A loop. */
	reply(&m, 0, 0, 2);
	rr_cname(&m, NULL, "b.bed.test");
	rr_cname(&m, "b.bed.test", "txt.bed.test");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_non_null(strstr(r.why, "CNAME loop"));

	/* Asked for the CNAME itself: it is the data. */
	put_header(&m, 1, 0, 0, 1, 1);
	put_question(&m, "txt.bed.test", DNS_TYPE_CNAME, 1);
	rr_cname(&m, NULL, "x.bed.test");
	read_msg(&m, "txt.bed.test", DNS_TYPE_CNAME, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	assert_string_equal(r.ans.rr[0].data, "x.bed.test");
	dns_answer_cleanup(&r.ans);

	/* A CNAME to the root (found by fuzz_dns_wire): the next hop is
	 * ".", and a query for it can be built (it was refused, and the
	 * query ended as a timeout, "no free query id"). */
	uint8_t q[DNS_WIRE_QUERY_MAX];
	reply(&m, 0, 0, 1);
	rr_cname(&m, NULL, "");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.verdict, DNS_WIRE_FOLLOW);
	assert_string_equal(r.next, ".");
	assert_true(dns_wire_query(1, r.next, DNS_TYPE_TXT, DNS_WIRE_EDNS_UDP_SIZE, q, sizeof(q)) >
	            0);
	/* The root's own reply then reads as any other: NODATA at ".". */
	put_header(&m, 1, 0, 0, 1, 0);
	put_question(&m, "", DNS_TYPE_TXT, 1);
	read_msg(&m, ".", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_NODATA);
	assert_string_equal(r.ans.canonical, ".");

	/* Ten hops in one reply: over DNS_CNAME_MAX_HOPS. */
	reply(&m, 0, 0, 10);
	char from[32], to[32];
	for (int i = 0; i < 10; i++) {
		snprintf(from, sizeof(from), "h%d.bed.test", i);
		snprintf(to, sizeof(to), "h%d.bed.test", i + 1);
		rr_cname(&m, i == 0 ? NULL : from, to);
	}
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_non_null(strstr(r.why, "CNAME hops"));
}

/* Issue 19 item 8: a name read from a reply (MX, CNAME, PTR target) is
 * asked again byte for byte, whatever its bytes; the reply to that query
 * matches it. Letters are lower case here: DNS ignores their case. */
static void test_name_round_trip(void **state)
{
	/* foo:bar/baz . a.b (a dot inside a label) . NUL DEL 0xff space . test */
	static const uint8_t target[] = { 11,   'f',  'o', 'o', ':', 'b', 'a', 'r', '/',
		                          'b',  'a',  'z', 3,   'a', '.', 'b', 4,   0,
		                          0x7f, 0xff, ' ', 4,   't', 'e', 's', 't', 0 };
	static const char canon[] = "foo\\058bar\\047baz.a\\046b.\\000\\127\\255\\032.test";
	uint8_t q[DNS_WIRE_QUERY_MAX];
	char why[DNS_DETAIL_MAX];
	struct msg m;
	struct read_result r;
	size_t at;
	(void)state;

	/* An MX target. */
	put_header(&m, 0x1234, 0, 0, 1, 1);
	put_question(&m, "mx.bed.test", DNS_TYPE_MX, 1);
	at = rr_begin(&m, NULL, DNS_TYPE_MX);
	put16(&m, 10);
	memcpy(m.b + m.n, target, sizeof(target));
	m.n += sizeof(target);
	rr_end(&m, at);
	read_msg(&m, "mx.bed.test", DNS_TYPE_MX, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	assert_string_equal(r.ans.rr[0].data, canon);
	/* Asked as it came: the question holds the target's bytes. */
	int n = dns_wire_query(7, r.ans.rr[0].data, DNS_TYPE_A, 0, q, sizeof(q));
	assert_int_equal(n, 12 + (int)sizeof(target) + 4);
	assert_memory_equal(q + 12, target, sizeof(target));
	dns_answer_cleanup(&r.ans);

	/* Its reply matches the question and reads. */
	put_header(&m, 7, 0, 0, 1, 1);
	memcpy(m.b + m.n, target, sizeof(target));
	m.n += sizeof(target);
	put16(&m, DNS_TYPE_A);
	put16(&m, 1);
	at = rr_begin(&m, NULL, DNS_TYPE_A);
	put8(&m, 192);
	put8(&m, 0);
	put8(&m, 2);
	put8(&m, 1);
	rr_end(&m, at);
	assert_int_equal(dns_wire_match(m.b, m.n, 7, canon, DNS_TYPE_A, false, why, sizeof(why)),
	                 DNS_WIRE_MATCH);
	read_msg(&m, canon, DNS_TYPE_A, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	assert_string_equal(r.ans.canonical, canon);
	dns_answer_cleanup(&r.ans);
	/* The old double escape ("\\092058") is another name: no match. */
	assert_int_equal(dns_wire_match(m.b, m.n, 7,
	                                "foo\\092058bar\\047baz.a\\046b.\\000\\127\\255\\032.test",
	                                DNS_TYPE_A, false, why, sizeof(why)),
	                 DNS_WIRE_MISMATCH);

	/* A CNAME target the server did not follow: the next hop. */
	reply(&m, 0, 0, 1);
	at = rr_begin(&m, NULL, DNS_TYPE_CNAME);
	memcpy(m.b + m.n, target, sizeof(target));
	m.n += sizeof(target);
	rr_end(&m, at);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.verdict, DNS_WIRE_FOLLOW);
	assert_string_equal(r.next, canon);
	n = dns_wire_query(8, r.next, DNS_TYPE_TXT, 0, q, sizeof(q));
	assert_int_equal(n, 12 + (int)sizeof(target) + 4);
	assert_memory_equal(q + 12, target, sizeof(target));
}

static void test_read_records(void **state)
{
	struct msg m;
	struct read_result r;
	size_t at;
	(void)state;

	/* A record of the asked type owned by another name. */
	reply(&m, 0, 0, 1);
	rr_txt(&m, "other.bed.test", "v=spf1 -all");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_non_null(strstr(r.why, "answer owned by other.bed.test"));

	/* Strings joined without separators (RFC 7208 3.3); empty TXT. */
	reply(&m, 0, 0, 2);
	at = rr_begin(&m, NULL, DNS_TYPE_TXT);
	put8(&m, 3);
	memcpy(m.b + m.n, "ab ", 3);
	m.n += 3;
	put8(&m, 2);
	memcpy(m.b + m.n, "cd", 2);
	m.n += 2;
	rr_end(&m, at);
	at = rr_begin(&m, NULL, DNS_TYPE_TXT);
	rr_end(&m, at);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	assert_int_equal(r.ans.nrr, 2);
	assert_string_equal(r.ans.rr[0].data, "ab cd");
	assert_int_equal(r.ans.rr[1].len, 0);
	dns_answer_cleanup(&r.ans);

	/* A string running past its record's data. */
	reply(&m, 0, 0, 1);
	at = rr_begin(&m, NULL, DNS_TYPE_TXT);
	put8(&m, 9);
	put8(&m, 'x');
	rr_end(&m, at);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);

	/* Over DNS_TXT_MAX_BYTES (40 strings of 255 bytes) beside an SPF
	 * record: both read whole, each a record of its own (issue 19 item
	 * 7: what a record too long to read means is for its check to say). */
	reply(&m, 0, 0, 2);
	at = rr_begin(&m, NULL, DNS_TYPE_TXT);
	for (int i = 0; i < 40; i++) {
		put8(&m, 255);
		memset(m.b + m.n, 'a', 255);
		m.n += 255;
	}
	rr_end(&m, at);
	rr_txt(&m, NULL, "v=spf1 -all");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, true, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	assert_int_equal(r.ans.nrr, 2);
	assert_int_equal(r.ans.rr[0].len, 10200);
	assert_int_equal(r.ans.rr[0].data[10199], 'a');
	assert_int_equal(r.ans.rr[0].data[10200], '\0');
	assert_string_equal(r.ans.rr[1].data, "v=spf1 -all");
	dns_answer_cleanup(&r.ans);

	/* The largest TXT record a TCP message holds: 255 strings of 255
	 * bytes (65025), read whole. */
	reply(&m, 0, 0, 1);
	at = rr_begin(&m, NULL, DNS_TYPE_TXT);
	for (int i = 0; i < 255; i++) {
		put8(&m, 255);
		memset(m.b + m.n, 'a' + i % 26, 255);
		m.n += 255;
	}
	rr_end(&m, at);
	assert_true(m.n <= 65535);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, true, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	assert_int_equal(r.ans.rr[0].len, 65025);
	assert_int_equal(r.ans.rr[0].data[65024], 'a' + 254 % 26);
	dns_answer_cleanup(&r.ans);

	/* NUL bytes are data: the record keeps its length, never cut. */
	reply(&m, 0, 0, 1);
	at = rr_begin(&m, NULL, DNS_TYPE_TXT);
	put8(&m, 26);
	memcpy(m.b + m.n, "v=spf1 ip4:192.0.2.1\0 -all", 26);
	m.n += 26;
	rr_end(&m, at);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	assert_int_equal(r.ans.rr[0].len, 26);
	assert_memory_equal(r.ans.rr[0].data, "v=spf1 ip4:192.0.2.1\0 -all", 26);
	dns_answer_cleanup(&r.ans);

	/* Over DNS_ANSWER_MAX_RRS records. */
	reply(&m, 0, 0, DNS_ANSWER_MAX_RRS + 1);
	for (int i = 0; i <= DNS_ANSWER_MAX_RRS; i++)
		rr_txt(&m, NULL, "r");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_non_null(strstr(r.why, "DNS_ANSWER_MAX_RRS"));
	dns_answer_cleanup(&r.ans);

	/* The answer count promises more than the message holds; a record
	 * whose data runs past the end. */
	reply(&m, 0, 0, 2);
	rr_txt(&m, NULL, "v=spf1 -all");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_string_equal(r.why, "unreadable answer section");
	reply(&m, 0, 0, 1);
	rr_txt(&m, NULL, "v=spf1 -all");
	m.n -= 2;
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_string_equal(r.why, "unreadable answer section");

	/* MX with a compressed exchange; A and AAAA; a bad A. */
	put_header(&m, 1, 0, 0, 1, 1);
	put_question(&m, "mx.bed.test", DNS_TYPE_MX, 1);
	at = rr_begin(&m, NULL, DNS_TYPE_MX);
	put16(&m, 10);
	put8(&m, 4);
	memcpy(m.b + m.n, "mail", 4);
	m.n += 4;
	put_ptr(&m, 12);
	rr_end(&m, at);
	read_msg(&m, "mx.bed.test", DNS_TYPE_MX, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	assert_int_equal(r.ans.rr[0].pref, 10);
	assert_string_equal(r.ans.rr[0].data, "mail.mx.bed.test");
	dns_answer_cleanup(&r.ans);

	put_header(&m, 1, 0, 0, 1, 1);
	put_question(&m, "a.bed.test", DNS_TYPE_A, 1);
	at = rr_begin(&m, NULL, DNS_TYPE_A);
	put8(&m, 192);
	put8(&m, 0);
	put8(&m, 2);
	put8(&m, 25);
	rr_end(&m, at);
	read_msg(&m, "a.bed.test", DNS_TYPE_A, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	assert_string_equal(r.ans.rr[0].data, "192.0.2.25");
	assert_int_equal(r.ans.rr[0].addr[3], 25);
	dns_answer_cleanup(&r.ans);
	put8(&m, 0);
	m.b[m.n - 6]++; /* rdlength 5 */
	m.b[7] = 1;
	read_msg(&m, "a.bed.test", DNS_TYPE_A, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_string_equal(r.why, "bad address record");

	put_header(&m, 1, 0, 0, 1, 1);
	put_question(&m, "a.bed.test", DNS_TYPE_AAAA, 1);
	at = rr_begin(&m, NULL, DNS_TYPE_AAAA);
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x25 };
	memcpy(m.b + m.n, v6, 16);
	m.n += 16;
	rr_end(&m, at);
	read_msg(&m, "a.bed.test", DNS_TYPE_AAAA, false, &r);
	assert_string_equal(r.ans.rr[0].data, "2001:db8::25");
	dns_answer_cleanup(&r.ans);

	/* Hostile bytes in a name come out escaped. */
	reply(&m, 0, 0, 1);
	rr_cname(&m, NULL, "a\033b.test");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.verdict, DNS_WIRE_FOLLOW);
	assert_string_equal(r.next, "a\\027b.test");
}

/* ---- header, extended rcode, sections ------------------------------------ */

/* An OPT record in the additional section: root owner, payload size, the
 * extended rcode in the TTL's first byte (RFC 6891 6.1.3). */
static void put_opt(struct msg *m, unsigned ext_rcode)
{
	put8(m, 0);
	put16(m, 41);
	put16(m, 1232);
	put8(m, ext_rcode);
	put8(m, 0);
	put16(m, 0);
	put16(m, 0);
	m->b[11]++; /* ARCOUNT */
}

static void test_read_header(void **state)
{
	struct msg m;
	struct read_result r;
	(void)state;

	/* Opcode 5 (UPDATE) and 4 (NOTIFY) with good records: no answer to
	 * a QUERY, whatever they carry (issue 19: they were data). */
	for (unsigned opcode = 1; opcode < 16; opcode++) {
		reply(&m, opcode << 3, 0, 1);
		rr_txt(&m, NULL, "v=spf1 -all");
		read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
		assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
		assert_int_equal(r.ans.nrr, 0);
		assert_int_equal(r.ans.rcode, -1);
		assert_non_null(strstr(r.why, "opcode"));
	}
	/* QR=0: a query, even with our question and records. */
	reply(&m, 0, 0, 1);
	rr_txt(&m, NULL, "v=spf1 -all");
	m.b[2] &= 0x7f;
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, true, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_string_equal(r.why, "a query (QR=0) instead of a reply");

	/* An OPT with extended rcode 0 changes nothing; 1 makes rcode 16,
	 * BADVERS: neither NODATA nor, with header rcode 3, NXDOMAIN. */
	reply(&m, 0, 0, 1);
	rr_txt(&m, NULL, "v=spf1 -all");
	put_opt(&m, 0);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_DATA);
	dns_answer_cleanup(&r.ans);
	reply(&m, 0, 0, 0);
	put_opt(&m, 1);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_int_equal(r.ans.rcode, -1);
	assert_string_equal(r.why, "server answered BADVERS (extended rcode 16)");
	reply(&m, 0, 3, 0);
	put_opt(&m, 2);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_string_equal(r.why, "server answered extended rcode 35");
	/* After the authority section too (NXDOMAIN with its SOA). */
	reply(&m, 0, 3, 0);
	size_t at = rr_begin(&m, "bed.test", DNS_TYPE_SOA);
	put8(&m, 0);
	put8(&m, 0);
	for (int i = 0; i < 20; i++)
		put8(&m, 0);
	rr_end(&m, at);
	m.b[9] = 1; /* NSCOUNT */
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_NXDOMAIN);
	put_opt(&m, 1);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_string_equal(r.why, "server answered extended rcode 19");
	/* Counts that promise more records than there are. */
	reply(&m, 0, 0, 0);
	m.b[11] = 1;
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_string_equal(r.why, "unreadable authority or additional section");
	reply(&m, 0, 3, 1);
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_string_equal(r.why, "unreadable answer section");
	/* A record whose owner is a forward pointer (the fault server's
	 * fwdptr): unreadable, so malformed, not data. */
	reply(&m, 0, 0, 2);
	size_t first = m.n;
	put_ptr(&m, 0);
	put16(&m, DNS_TYPE_TXT);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 300);
	put16(&m, 2);
	put8(&m, 1);
	put8(&m, 'x');
	size_t target = m.n;
	m.b[first] = (uint8_t)(0xC0 | target >> 8);
	m.b[first + 1] = (uint8_t)target;
	rr_txt(&m, "txt.bed.test", "v=spf1 -all");
	read_msg(&m, "txt.bed.test", DNS_TYPE_TXT, false, &r);
	assert_int_equal(r.outcome, DNS_OUTCOME_MALFORMED);
	assert_string_equal(r.why, "unreadable answer section");
}

/* ---- matching a reply to its query ------------------------------------ */

static enum dns_wire_match match(const struct msg *m, uint16_t id, uint16_t type, bool tcp,
                                 char *why)
{
	return dns_wire_match(m->b, m->n, id, "txt.bed.test", type, tcp, why, DNS_DETAIL_MAX);
}

static void test_match(void **state)
{
	struct msg m;
	char why[DNS_DETAIL_MAX];
	(void)state;

	/* The reply to our query, by UDP or TCP. */
	reply(&m, 0, 0, 1);
	rr_txt(&m, NULL, "v=spf1 -all");
	assert_int_equal(match(&m, 0x1234, DNS_TYPE_TXT, false, why), DNS_WIRE_MATCH);
	assert_int_equal(match(&m, 0x1234, DNS_TYPE_TXT, true, why), DNS_WIRE_MATCH);
	assert_string_equal(why, "");
	/* Not a reply to it (issue 19: over TCP these were read as answers):
	 * another id; QR=0 (an echo of the query); a runt. */
	assert_int_equal(match(&m, 0x1235, DNS_TYPE_TXT, true, why), DNS_WIRE_NOT_REPLY);
	assert_string_equal(why, "a reply to another query (id 4660, not 4661)");
	m.b[2] &= 0x7f;
	assert_int_equal(match(&m, 0x1234, DNS_TYPE_TXT, true, why), DNS_WIRE_NOT_REPLY);
	assert_string_equal(why, "a query (QR=0) instead of a reply");
	assert_int_equal(dns_wire_match(m.b, 11, 0x1234, "txt.bed.test", DNS_TYPE_TXT, true, why,
	                                sizeof(why)),
	                 DNS_WIRE_NOT_REPLY);
	assert_int_equal(dns_wire_match(m.b, 0, 0x1234, "txt.bed.test", DNS_TYPE_TXT, true, why,
	                                sizeof(why)),
	                 DNS_WIRE_NOT_REPLY);
	/* Our id, but not an answer to our question: another opcode, type,
	 * name or class. */
	reply(&m, 5 << 3, 0, 0);
	assert_int_equal(match(&m, 0x1234, DNS_TYPE_TXT, false, why), DNS_WIRE_MISMATCH);
	assert_string_equal(why, "reply with opcode 5, not QUERY (0)");
	reply(&m, 0, 0, 0);
	assert_int_equal(match(&m, 0x1234, DNS_TYPE_MX, true, why), DNS_WIRE_MISMATCH);
	assert_string_equal(why, "reply is for txt.bed.test TXT, not for txt.bed.test MX");
	put_header(&m, 0x1234, 0, 0, 1, 0);
	put_question(&m, "Other.bed.test", DNS_TYPE_TXT, 1);
	assert_int_equal(match(&m, 0x1234, DNS_TYPE_TXT, false, why), DNS_WIRE_MISMATCH);
	assert_string_equal(why, "reply is for other.bed.test TXT, not for txt.bed.test TXT");
	put_header(&m, 0x1234, 0, 0, 1, 0);
	put_question(&m, "txt.bed.test", DNS_TYPE_TXT, 255);
	assert_int_equal(match(&m, 0x1234, DNS_TYPE_TXT, false, why), DNS_WIRE_MISMATCH);
	put_header(&m, 0x1234, 0, 0, 0, 0);
	assert_int_equal(match(&m, 0x1234, DNS_TYPE_TXT, true, why), DNS_WIRE_MISMATCH);
	assert_string_equal(why, "reply without a question");
	/* TC=1 over UDP matches on its header: it asks for TCP, question or
	 * not. Over TCP the question counts (and dns_wire_read refuses
	 * TC=1 there). */
	put_header(&m, 0x1234, 0x02, 0, 0, 0);
	assert_int_equal(match(&m, 0x1234, DNS_TYPE_TXT, false, why), DNS_WIRE_MATCH);
	assert_int_equal(match(&m, 0x1234, DNS_TYPE_TXT, true, why), DNS_WIRE_MISMATCH);
	assert_int_equal(match(&m, 0x4321, DNS_TYPE_TXT, false, why), DNS_WIRE_NOT_REPLY);
}

/* ---- TCP framing ----------------------------------------------------- */

/* Feeds stream to a frame in pieces of at most step bytes, as recv would
 * hand them; returns 1 (whole), 0 (wants more) or -1, and how much of the
 * stream was taken. */
static int feed(struct dns_tcp_frame *f, const uint8_t *stream, size_t n, size_t step,
                size_t *taken)
{
	int rc = 0;

	*taken = 0;
	while (rc == 0 && *taken < n) {
		uint8_t *at;
		size_t want;
		dns_tcp_frame_want(f, &at, &want);
		assert_true(want > 0);
		if (want > step)
			want = step;
		if (want > n - *taken)
			want = n - *taken;
		memcpy(at, stream + *taken, want);
		*taken += want;
		rc = dns_tcp_frame_got(f, want);
	}
	return rc;
}

static void test_tcp_frame(void **state)
{
	static const uint8_t stream[] = { 0, 5, 'h', 'e', 'l', 'l', 'o', 0, 1, 'x' };
	struct dns_tcp_frame f;
	size_t taken;
	(void)state;

	/* Whole, one byte at a time or at once; what follows the frame is
	 * not taken (a connection carries one reply). */
	for (size_t step = 1; step <= sizeof(stream); step++) {
		memset(&f, 0, sizeof(f));
		assert_int_equal(feed(&f, stream, sizeof(stream), step, &taken), 1);
		assert_int_equal(taken, 7);
		assert_int_equal(f.inneed, 5);
		assert_memory_equal(f.in, "hello", 5);
		free(f.in);
	}
	/* Cut short: still wanting more (the connection's close fails it). */
	memset(&f, 0, sizeof(f));
	assert_int_equal(feed(&f, stream, 4, 3, &taken), 0);
	free(f.in);
	memset(&f, 0, sizeof(f));
	assert_int_equal(feed(&f, stream, 1, 1, &taken), 0);
	assert_null(f.in);
	/* A zero length: an empty message, whole at once (no header: not a
	 * reply, dns_wire_match says). */
	static const uint8_t empty[] = { 0, 0 };
	memset(&f, 0, sizeof(f));
	assert_int_equal(feed(&f, empty, 2, 2, &taken), 1);
	assert_int_equal(f.inneed, 0);
	free(f.in);
}

/* ---- the id table ----------------------------------------------------- */

static void test_table(void **state)
{
	enum { N = 300 };
	struct dns_udp_table t;
	struct dns_udp_req *reqs = calloc(N, sizeof(*reqs));
	bool in[N] = { false };
	(void)state;

	assert_non_null(reqs);
	assert_int_equal(dns_udp_table_init(&t, N), 0);
	/* Keys that share low bits collide on purpose. */
	for (size_t i = 0; i < N; i++)
		reqs[i].key = (uint32_t)(i % 3) << 16 | (uint32_t)(i * 64);
	srand(7);
	for (int round = 0; round < 20000; round++) {
		size_t i = (size_t)rand() % N;
		if (in[i]) {
			dns_udp_table_del(&t, reqs[i].key);
			in[i] = false;
		} else {
			assert_int_equal(dns_udp_table_put(&t, &reqs[i]), 0);
			in[i] = true;
		}
		if (round % 97 == 0)
			for (size_t k = 0; k < N; k++)
				assert_ptr_equal(dns_udp_table_get(&t, reqs[k].key),
				                 in[k] ? &reqs[k] : NULL);
	}
	/* A key already in the table is refused. */
	for (size_t i = 0; i < N; i++)
		if (in[i]) {
			struct dns_udp_req dup = { .key = reqs[i].key };
			assert_int_equal(dns_udp_table_put(&t, &dup), -1);
			break;
		}
	dns_udp_table_cleanup(&t);

	/* The table refuses more than half its capacity. */
	assert_int_equal(dns_udp_table_init(&t, 10), 0);
	size_t cap = t.mask + 1, put = 0;
	for (size_t i = 0; i < N; i++) {
		reqs[i].key = (uint32_t)i;
		if (dns_udp_table_put(&t, &reqs[i]) == 0)
			put++;
	}
	assert_int_equal(put, cap / 2);
	dns_udp_table_cleanup(&t);
	free(reqs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),           cmocka_unit_test(test_reply_id),
		cmocka_unit_test(test_names),           cmocka_unit_test(test_read_outcomes),
		cmocka_unit_test(test_read_question),   cmocka_unit_test(test_read_cnames),
		cmocka_unit_test(test_name_round_trip), cmocka_unit_test(test_read_records),
		cmocka_unit_test(test_read_header),     cmocka_unit_test(test_match),
		cmocka_unit_test(test_tcp_frame),       cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
