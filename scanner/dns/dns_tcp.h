/*
 * dns_tcp.h — private to the DNS adapter: DNS over TCP (RFC 7766), for
 * the answers that came truncated over UDP.
 *
 * One connection per query, closed after its answer: truncated answers
 * are rare, and a connection of its own means one query's trouble (a
 * server that closes the connection on a hostile name) never fails the
 * queries that would have shared it, as they did on getdns's pipelined
 * connection. The descriptors are watched through the worker's dns_loop.
 *
 * A query started with dns_tcp_send ends in exactly one of: the reply
 * callback (one whole message), the failure callback (connection refused
 * or closed, or no whole answer within timeout_ms of the start), or
 * dns_tcp_cancel.
 */
#ifndef POSTURE_DNS_TCP_H
#define POSTURE_DNS_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "dns_loop.h"
#include "dns_udp.h"

struct dns_tcp;
struct dns_tcp_conn;

/* msg is valid only during the call; id is the query's, for the caller
 * to match the reply to (dns_wire_match): the connection checks nothing
 * but the framing. */
typedef void (*dns_tcp_reply_fn)(void *user, const uint8_t *msg, size_t len, uint16_t id,
                                 void *ctx);
/* what: "no answer" (timeout) or "TCP connection failed". */
typedef void (*dns_tcp_fail_fn)(void *user, const char *what, void *ctx);

/* Returns NULL on allocation failure. servers: as for dns_udp_new. */
struct dns_tcp *dns_tcp_new(struct dns_loop *loop, const struct dns_udp_server *servers, size_t n,
                            unsigned timeout_ms, dns_tcp_reply_fn on_reply, dns_tcp_fail_fn on_fail,
                            void *ctx);
/* Closes every connection without callbacks; user pointers of those are
 * handed to drop (may be NULL) so their owner can free them. */
void dns_tcp_free(struct dns_tcp *t, void (*drop)(void *user));

/*
 * Starts the query for (name, type) (escaped, as dns_wire_query takes it)
 * to upstream server % n. Returns the connection, or NULL when it cannot
 * even be started (name invalid, out of memory, no socket): then no
 * callback comes.
 */
struct dns_tcp_conn *dns_tcp_send(struct dns_tcp *t, size_t server, const char *name, uint16_t type,
                                  void *user);
/* The earliest deadline (monotonic ms), UINT64_MAX if none. */
uint64_t dns_tcp_next_deadline(const struct dns_tcp *t);

/*
 * The framing of a reply (RFC 1035 4.2.2: a two-byte length, then that
 * many bytes), apart from the socket so that tests/fuzz/fuzz_dns_tcp.c
 * can feed it. Start from all zeros; dns_tcp_frame_want says where the
 * next bytes go and how many are wanted (at least one), and
 * dns_tcp_frame_got, told how many were put there, returns 1 once the
 * message is whole (in, inneed bytes; possibly 0), 0 while more are
 * wanted, -1 out of memory. The buffer is allocated once the length is
 * known, never over 65535 bytes; the caller frees in.
 */
struct dns_tcp_frame {
	uint8_t lenbuf[2];
	size_t lenhave;
	uint8_t *in;
	size_t inneed, inhave;
};
void dns_tcp_frame_want(struct dns_tcp_frame *f, uint8_t **at, size_t *n);
int dns_tcp_frame_got(struct dns_tcp_frame *f, size_t n);
/* Fails, as timed out, every connection due by now_ms. */
void dns_tcp_expire(struct dns_tcp *t, uint64_t now_ms);

#endif
