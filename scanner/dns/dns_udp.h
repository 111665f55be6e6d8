/*
 * dns_udp.h — private to the DNS adapter: posture's own UDP transport.
 *
 * getdns 1.6 opens, connects and closes a socket for every UDP query,
 * which cost more than half of a scan's CPU time. A dns_udp keeps a few
 * long-lived, connected, non-blocking UDP sockets per upstream (the kernel
 * then drops datagrams from any other source address) and tells answers
 * apart by a random 16-bit query id per socket. One dns_udp belongs to one
 * worker thread and is not locked.
 *
 * A request (struct dns_udp_req, embedded in the caller's query) is on
 * the wire from dns_udp_send until exactly one of: the reply callback (a
 * datagram from that upstream, on that socket, with that id), the timeout
 * callback (no such datagram within timeout_ms), or dns_udp_cancel. What
 * the reply says, including whether its question is the one asked, is for
 * the caller to judge (dns_wire_match, then dns_wire_read).
 */
#ifndef POSTURE_DNS_UDP_H
#define POSTURE_DNS_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Sockets per upstream: more source ports, more for a spoofer to guess. */
#define DNS_UDP_SOCKETS_PER_SERVER 4
/* Datagrams read per recvmmsg call, and queued per socket for one
 * sendmmsg call. */
#define DNS_UDP_BATCH 32

struct dns_udp_req {
	struct dns_udp_req *prev, *next; /* on the wire, oldest first */
	uint64_t deadline_ms;
	uint32_t key; /* socket << 16 | id */
	bool live;
};

struct dns_udp_server {
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/* msg is valid only during the call. The request is off the wire before
 * either callback runs, so it may be sent again from inside it. */
typedef void (*dns_udp_reply_fn)(struct dns_udp_req *req, const uint8_t *msg, size_t len,
                                 void *ctx);
typedef void (*dns_udp_timeout_fn)(struct dns_udp_req *req, void *ctx);

struct dns_udp;

/* Returns a transport for n (1..) upstreams, able to hold max_inflight
 * requests, or NULL with a reason in err. */
struct dns_udp *dns_udp_new(const struct dns_udp_server *servers, size_t n, unsigned timeout_ms,
                            size_t max_inflight, dns_udp_reply_fn on_reply,
                            dns_udp_timeout_fn on_timeout, void *ctx, char *err, size_t errlen);
/* Closes the sockets; requests still live are forgotten (see first). */
void dns_udp_free(struct dns_udp *u);

/*
 * Queues the query for (name, type) (name escaped, as dns_wire_query takes
 * it) to upstream server % n; dns_udp_flush puts what is queued on the
 * wire, a batch per socket (a full batch goes at once). Returns 0 (the
 * request is live, its timeout running; a datagram the kernel would not
 * take counts as lost and times out), or -1 if the query cannot be built
 * or no id is free (the request is not live).
 */
int dns_udp_send(struct dns_udp *u, struct dns_udp_req *req, size_t server, const char *name,
                 uint16_t type);
/* Sends every queued query: call before waiting for answers. */
void dns_udp_flush(struct dns_udp *u);
/* Takes a live request off the wire without a callback. */
void dns_udp_cancel(struct dns_udp *u, struct dns_udp_req *req);
/* The oldest live request, or NULL. */
struct dns_udp_req *dns_udp_first(struct dns_udp *u);

size_t dns_udp_nfds(const struct dns_udp *u);
int dns_udp_fd(const struct dns_udp *u, size_t i);
/* Reads what socket i has (call when it is readable). */
void dns_udp_read(struct dns_udp *u, size_t i);
/* The earliest deadline of a live request (monotonic ms), UINT64_MAX if
 * none. */
uint64_t dns_udp_next_deadline(const struct dns_udp *u);
/* Runs the timeout callback of every request due by now_ms. */
void dns_udp_expire(struct dns_udp *u, uint64_t now_ms);

/*
 * The id table (exposed for the unit tests): open addressing over keys
 * socket << 16 | id, linear probing, backward-shift deletion.
 */
struct dns_udp_table {
	struct dns_udp_req **slot;
	size_t mask; /* capacity - 1, a power of two minus one */
	size_t n;
};
int dns_udp_table_init(struct dns_udp_table *t, size_t max_entries);
void dns_udp_table_cleanup(struct dns_udp_table *t);
/* Returns 0, or -1 if the key is taken or the table is full. */
int dns_udp_table_put(struct dns_udp_table *t, struct dns_udp_req *req);
struct dns_udp_req *dns_udp_table_get(const struct dns_udp_table *t, uint32_t key);
void dns_udp_table_del(struct dns_udp_table *t, uint32_t key);

#endif
