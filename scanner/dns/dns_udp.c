/*
 * dns_udp.c — long-lived UDP sockets for the DNS adapter (see dns_udp.h).
 *
 * Why our own: getdns 1.6 makes a socket, registers it with the event
 * loop, and closes it again for every query; at tens of thousands of
 * queries a second those system calls were most of the scan's time. Here
 * a query costs one send() and a share of one recvmmsg().
 *
 * Defences against forged answers, as a stub resolver can have them:
 * connected sockets (the kernel drops datagrams whose source address or
 * port is not the upstream's), several sockets per upstream (source
 * ports the kernel picked at random; used in turns, see dns_udp_send),
 * a 16-bit id per query from
 * getrandom, and a new id for every retransmission, so a late answer to
 * an earlier attempt is dropped like any stranger's datagram. The
 * reply is then matched to its query (id, QR, opcode, question) by
 * dns_wire_match in dns.c, as a TCP reply is.
 *
 * Every worker's timeout is the same, so requests expire in the order
 * they were sent: a FIFO list serves as the timer queue.
 */
#include "dns_udp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "dns_wire.h"

/* Large enough for any UDP datagram: nothing is ever cut short. */
#define DNS_UDP_BUF        65536
#define DNS_UDP_RCVBUF     (1 << 20)
#define DNS_UDP_READ_ROUND 8 /* recvmmsg calls per readiness */
#define DNS_UDP_ID_TRIES   16
#define DNS_UDP_RANDOM     256
#define DNS_UDP_TURN       512 /* queries on one socket before another is picked */

/* Queries waiting for one sendmmsg on one socket. */
struct dns_udp_out {
	uint8_t wire[DNS_UDP_BATCH][DNS_WIRE_QUERY_MAX];
	struct mmsghdr msgs[DNS_UDP_BATCH];
	struct iovec iov[DNS_UDP_BATCH];
	unsigned n;
};

struct dns_udp {
	int *fd;                 /* nservers * DNS_UDP_SOCKETS_PER_SERVER; -1: none */
	struct dns_udp_out *out; /* one per socket */
	size_t nfd, nservers;
	unsigned timeout_ms;
	struct dns_udp_table table;
	struct dns_udp_req *head, *tail;
	dns_udp_reply_fn on_reply;
	dns_udp_timeout_fn on_timeout;
	void *ctx;
	unsigned *turn_sock, *turn_left; /* per upstream: its socket now, queries left */
	uint8_t random[DNS_UDP_RANDOM];
	size_t nrandom; /* unused bytes at the end of random */
	uint8_t *bufs;  /* DNS_UDP_BATCH * DNS_UDP_BUF */
	struct mmsghdr msgs[DNS_UDP_BATCH];
	struct iovec iov[DNS_UDP_BATCH];
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the id table --------------------------------------------------- */

static size_t table_home(const struct dns_udp_table *t, uint32_t key)
{
	uint32_t h = key * 0x9E3779B1u;
	return (size_t)(h ^ (h >> 15)) & t->mask;
}

int dns_udp_table_init(struct dns_udp_table *t, size_t max_entries)
{
	size_t cap = 64;

	/* At most half full, so probes stay short. */
	while (cap < 2 * max_entries)
		cap *= 2;
	t->slot = calloc(cap, sizeof(struct dns_udp_req *));
	t->mask = cap - 1;
	t->n = 0;
	return t->slot == NULL ? -1 : 0;
}

void dns_udp_table_cleanup(struct dns_udp_table *t)
{
	free(t->slot);
	t->slot = NULL;
	t->n = 0;
}

int dns_udp_table_put(struct dns_udp_table *t, struct dns_udp_req *req)
{
	if (2 * (t->n + 1) > t->mask + 1)
		return -1;
	for (size_t i = table_home(t, req->key);; i = (i + 1) & t->mask) {
		if (t->slot[i] == NULL) {
			t->slot[i] = req;
			t->n++;
			return 0;
		}
		if (t->slot[i]->key == req->key)
			return -1;
	}
}

static size_t table_find(const struct dns_udp_table *t, uint32_t key)
{
	for (size_t i = table_home(t, key);; i = (i + 1) & t->mask) {
		if (t->slot[i] == NULL)
			return (size_t)-1;
		if (t->slot[i]->key == key)
			return i;
	}
}

struct dns_udp_req *dns_udp_table_get(const struct dns_udp_table *t, uint32_t key)
{
	size_t i = table_find(t, key);
	return i == (size_t)-1 ? NULL : t->slot[i];
}

void dns_udp_table_del(struct dns_udp_table *t, uint32_t key)
{
	size_t i = table_find(t, key);

	if (i == (size_t)-1)
		return;
	/* Backward shift: move later entries of the probe run into the
	 * hole unless their home lies cyclically in (hole, j]. */
	for (size_t j = i;;) {
		j = (j + 1) & t->mask;
		if (t->slot[j] == NULL)
			break;
		size_t k = table_home(t, t->slot[j]->key);
		bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
		if (!stays) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i] = NULL;
	t->n--;
}

/* ---- the transport ---------------------------------------------------- */

static int random_bytes(struct dns_udp *u, void *out, size_t n)
{
	if (u->nrandom < n) {
		ssize_t got = getrandom(u->random, sizeof(u->random), 0);
		if (got != (ssize_t)sizeof(u->random))
			return -1;
		u->nrandom = sizeof(u->random);
	}
	memcpy(out, u->random + sizeof(u->random) - u->nrandom, n);
	u->nrandom -= n;
	return 0;
}

static int open_socket(const struct dns_udp_server *s)
{
	int rcvbuf = DNS_UDP_RCVBUF;
	int fd = socket(s->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	/* A burst of answers must wait in the buffer, not be dropped (a
	 * drop costs a whole timeout). Best effort: rmem_max caps it. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (connect(fd, (const struct sockaddr *)&s->addr, s->addrlen) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct dns_udp *dns_udp_new(const struct dns_udp_server *servers, size_t n, unsigned timeout_ms,
                            size_t max_inflight, dns_udp_reply_fn on_reply,
                            dns_udp_timeout_fn on_timeout, void *ctx, char *err, size_t errlen)
{
	struct dns_udp *u = calloc(1, sizeof(*u));

	if (u == NULL || n == 0) {
		snprintf(err, errlen, n == 0 ? "no upstream server" : "out of memory");
		free(u);
		return NULL;
	}
	u->nservers = n;
	u->timeout_ms = timeout_ms;
	u->on_reply = on_reply;
	u->on_timeout = on_timeout;
	u->ctx = ctx;
	u->nfd = n * DNS_UDP_SOCKETS_PER_SERVER;
	u->fd = malloc(u->nfd * sizeof(*u->fd));
	u->out = calloc(u->nfd, sizeof(*u->out));
	u->turn_sock = calloc(n, sizeof(*u->turn_sock));
	u->turn_left = calloc(n, sizeof(*u->turn_left));
	/* Untouched pages of these buffers never become resident. */
	u->bufs = malloc((size_t)DNS_UDP_BATCH * DNS_UDP_BUF);
	if (u->fd == NULL || u->out == NULL || u->bufs == NULL || u->turn_sock == NULL ||
	    u->turn_left == NULL || dns_udp_table_init(&u->table, max_inflight) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	uint8_t probe[2];
	if (random_bytes(u, probe, sizeof(probe)) != 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		goto fail;
	}
	/* A socket that cannot be made (say, no IPv6 here) stays -1: what
	 * is sent to it is lost and times out, as an unreachable server. */
	for (size_t i = 0; i < u->nfd; i++)
		u->fd[i] = open_socket(&servers[i / DNS_UDP_SOCKETS_PER_SERVER]);
	for (size_t i = 0; i < DNS_UDP_BATCH; i++) {
		u->iov[i].iov_base = u->bufs + i * DNS_UDP_BUF;
		u->iov[i].iov_len = DNS_UDP_BUF;
		u->msgs[i].msg_hdr.msg_iov = &u->iov[i];
		u->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return u;
fail:
	u->nfd = 0;
	dns_udp_free(u);
	return NULL;
}

void dns_udp_free(struct dns_udp *u)
{
	if (u == NULL)
		return;
	for (size_t i = 0; i < u->nfd; i++)
		if (u->fd[i] >= 0)
			close(u->fd[i]);
	free(u->fd);
	free(u->out);
	free(u->turn_sock);
	free(u->turn_left);
	free(u->bufs);
	dns_udp_table_cleanup(&u->table);
	free(u);
}

static void unlink_req(struct dns_udp *u, struct dns_udp_req *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		u->head = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	else
		u->tail = r->prev;
	r->prev = r->next = NULL;
	dns_udp_table_del(&u->table, r->key);
	r->live = false;
}

/* Sends socket i's queue. A full send buffer or an ICMP error pending on
 * the socket: the datagrams not taken are lost, and their timeouts will
 * say so. */
static void flush_socket(struct dns_udp *u, size_t i)
{
	struct dns_udp_out *o = &u->out[i];
	unsigned sent = 0;

	for (unsigned k = 0; k < o->n; k++) {
		memset(&o->msgs[k].msg_hdr, 0, sizeof(o->msgs[k].msg_hdr));
		o->msgs[k].msg_hdr.msg_iov = &o->iov[k];
		o->msgs[k].msg_hdr.msg_iovlen = 1;
	}
	while (u->fd[i] >= 0 && sent < o->n) {
		int n = sendmmsg(u->fd[i], o->msgs + sent, o->n - sent, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		/* An error belongs to the first datagram not sent (an ICMP
		 * error is reported once): it is lost, the rest go on. */
		sent += n > 0 ? (unsigned)n : 1;
	}
	o->n = 0;
}

int dns_udp_send(struct dns_udp *u, struct dns_udp_req *req, size_t server, const char *name,
                 uint16_t type)
{
	uint8_t rnd[2];
	int len = -1;
	struct dns_udp_out *o = NULL;

	req->live = false;
	/* An upstream's queries go out on one of its sockets at a time,
	 * another one picked at random every DNS_UDP_TURN queries: a server
	 * whose threads each read a socket of their own (SO_REUSEPORT, as
	 * Knot's and unbound's do) then gets a worker's queries in bursts on
	 * one thread rather than a few on each, and a burst is one sendmmsg.
	 * Five paired 100,000-domain scans against the bed's Knot: Knot's CPU
	 * 3.85 -> 3.47 s, posture's 9.34 -> 8.92 s (medians). A blind spoofer
	 * still has every socket's port to guess. */
	size_t srv = server % u->nservers;
	if (u->turn_left[srv] == 0) {
		if (random_bytes(u, rnd, 1) != 0)
			return -1;
		u->turn_sock[srv] = rnd[0] % DNS_UDP_SOCKETS_PER_SERVER;
		u->turn_left[srv] = DNS_UDP_TURN;
	}
	u->turn_left[srv]--;
	for (int tries = 0; tries < DNS_UDP_ID_TRIES; tries++) {
		if (random_bytes(u, rnd, 2) != 0)
			return -1;
		size_t sock = srv * DNS_UDP_SOCKETS_PER_SERVER + u->turn_sock[srv];
		uint16_t id = (uint16_t)(rnd[0] << 8 | rnd[1]);
		req->key = (uint32_t)sock << 16 | id;
		if (dns_udp_table_put(&u->table, req) != 0)
			continue;
		o = &u->out[sock];
		len = dns_wire_query(id, name, type, DNS_WIRE_EDNS_UDP_SIZE, o->wire[o->n],
		                     sizeof(o->wire[o->n]));
		if (len < 0) {
			dns_udp_table_del(&u->table, req->key);
			return -1;
		}
		break;
	}
	if (len < 0)
		return -1;
	req->live = true;
	req->deadline_ms = now_ms() + u->timeout_ms;
	req->next = NULL;
	req->prev = u->tail;
	if (u->tail != NULL)
		u->tail->next = req;
	else
		u->head = req;
	u->tail = req;
	o->iov[o->n].iov_base = o->wire[o->n];
	o->iov[o->n].iov_len = (size_t)len;
	o->n++;
	if (o->n == DNS_UDP_BATCH)
		flush_socket(u, req->key >> 16);
	return 0;
}

void dns_udp_flush(struct dns_udp *u)
{
	for (size_t i = 0; i < u->nfd; i++)
		if (u->out[i].n > 0)
			flush_socket(u, i);
}

void dns_udp_cancel(struct dns_udp *u, struct dns_udp_req *req)
{
	if (req->live)
		unlink_req(u, req);
}

struct dns_udp_req *dns_udp_first(struct dns_udp *u)
{
	return u->head;
}

size_t dns_udp_nfds(const struct dns_udp *u)
{
	return u->nfd;
}

int dns_udp_fd(const struct dns_udp *u, size_t i)
{
	return i < u->nfd ? u->fd[i] : -1;
}

void dns_udp_read(struct dns_udp *u, size_t i)
{
	if (i >= u->nfd || u->fd[i] < 0)
		return;
	for (int round = 0; round < DNS_UDP_READ_ROUND; round++) {
		int n = recvmmsg(u->fd[i], u->msgs, DNS_UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			/* ECONNREFUSED and the like report an ICMP error for
			 * some earlier datagram; the queries time out. */
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			continue;
		}
		for (int k = 0; k < n; k++) {
			const uint8_t *msg = u->iov[k].iov_base;
			size_t len = u->msgs[k].msg_len;
			int id = dns_wire_reply_id(msg, len);
			if (id < 0)
				continue; /* not a reply: a stranger's datagram */
			struct dns_udp_req *r =
			        dns_udp_table_get(&u->table, (uint32_t)i << 16 | (uint32_t)id);
			if (r == NULL)
				continue; /* late, or forged */
			unlink_req(u, r);
			u->on_reply(r, msg, len, u->ctx);
		}
		if (n < DNS_UDP_BATCH)
			return;
	}
}

uint64_t dns_udp_next_deadline(const struct dns_udp *u)
{
	return u->head != NULL ? u->head->deadline_ms : UINT64_MAX;
}

void dns_udp_expire(struct dns_udp *u, uint64_t now)
{
	while (u->head != NULL && u->head->deadline_ms <= now) {
		struct dns_udp_req *r = u->head;
		unlink_req(u, r);
		u->on_timeout(r, u->ctx);
	}
}
