/*
 * dns_tcp.c — one TCP connection per truncated answer (see dns_tcp.h).
 *
 * A connection goes connect → write the length-prefixed query → read a
 * two-byte length and then that many bytes (RFC 1035 4.2.2, the
 * dns_tcp_frame functions), then closes. The reply buffer is allocated
 * only once the length is known and never exceeds 65535 bytes. Whether
 * the reply is the answer to the query (its id, QR, question) is for
 * dns.c to judge with dns_wire_match, as for a UDP reply. Every worker's
 * timeout is the same, so connections expire in the order they started:
 * a FIFO list is the timer queue, as in dns_udp.c.
 */
#include "dns_tcp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "dns_wire.h"

struct dns_tcp_conn {
	struct dns_tcp *t;
	struct dns_tcp_conn *prev, *next;
	struct dns_loop_event ev;
	bool watched;
	bool failed; /* refused at once: due now */
	int fd;
	void *user;
	uint64_t deadline_ms;
	uint16_t id; /* the query's, handed to on_reply for matching */
	uint8_t out[2 + DNS_WIRE_QUERY_MAX];
	size_t outlen, sent;
	struct dns_tcp_frame frame;
};

struct dns_tcp {
	struct dns_loop *loop;
	struct dns_udp_server servers[DNS_MAX_SERVERS];
	size_t nservers;
	unsigned timeout_ms;
	dns_tcp_reply_fn on_reply;
	dns_tcp_fail_fn on_fail;
	void *ctx;
	struct dns_tcp_conn *head, *tail;
};

struct dns_tcp *dns_tcp_new(struct dns_loop *loop, const struct dns_udp_server *servers, size_t n,
                            unsigned timeout_ms, dns_tcp_reply_fn on_reply, dns_tcp_fail_fn on_fail,
                            void *ctx)
{
	struct dns_tcp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->loop = loop;
	if (n > DNS_MAX_SERVERS)
		n = DNS_MAX_SERVERS;
	memcpy(t->servers, servers, n * sizeof(*servers));
	t->nservers = n;
	t->timeout_ms = timeout_ms;
	t->on_reply = on_reply;
	t->on_fail = on_fail;
	t->ctx = ctx;
	return t;
}

static void unwatch(struct dns_tcp_conn *c)
{
	if (c->watched)
		dns_loop_del(c->t->loop, &c->ev);
	c->watched = false;
}

/* Watches c->fd for reading or for writing; returns 0 or -1. */
static int watch(struct dns_tcp_conn *c, dns_loop_cb read_cb, dns_loop_cb write_cb)
{
	unwatch(c);
	c->ev.arg = c;
	c->ev.read_cb = read_cb;
	c->ev.write_cb = write_cb;
	if (dns_loop_add(c->t->loop, c->fd, &c->ev) != 0)
		return -1;
	c->watched = true;
	return 0;
}

/* Takes c off the list and closes it; the caller frees c. */
static void conn_close(struct dns_tcp_conn *c)
{
	struct dns_tcp *t = c->t;

	unwatch(c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		t->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		t->tail = c->prev;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void conn_fail(struct dns_tcp_conn *c, const char *what)
{
	struct dns_tcp *t = c->t;
	void *user = c->user;

	conn_close(c);
	free(c->frame.in);
	free(c);
	t->on_fail(user, what, t->ctx);
}

void dns_tcp_frame_want(struct dns_tcp_frame *f, uint8_t **at, size_t *n)
{
	if (f->lenhave < 2) {
		*at = f->lenbuf + f->lenhave;
		*n = 2 - f->lenhave;
	} else {
		*at = f->in + f->inhave;
		*n = f->inneed - f->inhave;
	}
}

int dns_tcp_frame_got(struct dns_tcp_frame *f, size_t n)
{
	if (f->lenhave < 2) {
		f->lenhave += n;
		if (f->lenhave < 2)
			return 0;
		f->inneed = (size_t)f->lenbuf[0] << 8 | f->lenbuf[1];
		f->in = malloc(f->inneed ? f->inneed : 1);
		if (f->in == NULL)
			return -1;
	} else {
		f->inhave += n;
	}
	return f->inhave == f->inneed ? 1 : 0;
}

static void on_readable(void *arg)
{
	struct dns_tcp_conn *c = arg;
	uint8_t *at;
	size_t want;
	int whole;

	dns_tcp_frame_want(&c->frame, &at, &want);
	ssize_t n = recv(c->fd, at, want, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		conn_fail(c, "TCP connection failed");
		return;
	}
	if (n < 0)
		return;
	whole = dns_tcp_frame_got(&c->frame, (size_t)n);
	if (whole < 0) {
		conn_fail(c, "TCP connection failed");
		return;
	}
	if (whole == 0)
		return;
	struct dns_tcp *t = c->t;
	void *user = c->user;
	uint8_t *msg = c->frame.in;
	size_t len = c->frame.inneed;
	uint16_t id = c->id;
	conn_close(c);
	free(c);
	t->on_reply(user, msg, len, id, t->ctx);
	free(msg);
}

static void on_writable(void *arg)
{
	struct dns_tcp_conn *c = arg;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
		conn_fail(c, "TCP connection failed");
		return;
	}
	ssize_t n = send(c->fd, c->out + c->sent, c->outlen - c->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_fail(c, "TCP connection failed");
		return;
	}
	c->sent += (size_t)n;
	if (c->sent == c->outlen && watch(c, on_readable, NULL) != 0)
		conn_fail(c, "TCP connection failed");
}

struct dns_tcp_conn *dns_tcp_send(struct dns_tcp *t, size_t server, const char *name, uint16_t type,
                                  void *user)
{
	const struct dns_udp_server *s;
	struct dns_tcp_conn *c;
	uint16_t id;
	int len;

	if (t->nservers == 0 || getrandom(&id, sizeof(id), 0) != sizeof(id))
		return NULL;
	s = &t->servers[server % t->nservers];
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->t = t;
	c->user = user;
	c->id = id;
	len = dns_wire_query(id, name, type, DNS_WIRE_EDNS_UDP_SIZE, c->out + 2,
	                     sizeof(c->out) - 2);
	if (len < 0) {
		free(c);
		return NULL;
	}
	c->out[0] = (uint8_t)(len >> 8);
	c->out[1] = (uint8_t)len;
	c->outlen = (size_t)len + 2;
	c->fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		free(c);
		return NULL;
	}
	if (connect(c->fd, (const struct sockaddr *)&s->addr, s->addrlen) != 0 &&
	    errno != EINPROGRESS) {
		/* Refused at once (loopback does that): failed, but reported
		 * from dns_tcp_expire, never from inside this call. At the head
		 * with a deadline of now, the list stays in deadline order. */
		c->deadline_ms = dns_loop_now_ms();
		c->failed = true;
		c->next = t->head;
		if (t->head != NULL)
			t->head->prev = c;
		else
			t->tail = c;
		t->head = c;
		return c;
	}
	c->deadline_ms = dns_loop_now_ms() + t->timeout_ms;
	c->prev = t->tail;
	if (t->tail != NULL)
		t->tail->next = c;
	else
		t->head = c;
	t->tail = c;
	/* A connection still in progress reports success or failure with
	 * its first writable event. */
	if (watch(c, NULL, on_writable) != 0) {
		conn_close(c);
		free(c);
		return NULL;
	}
	return c;
}

uint64_t dns_tcp_next_deadline(const struct dns_tcp *t)
{
	return t->head != NULL ? t->head->deadline_ms : UINT64_MAX;
}

void dns_tcp_expire(struct dns_tcp *t, uint64_t now)
{
	/* conn_fail unlinks the head it frees, which the analyzer does
	 * not follow: hence the NOLINT. */
	for (;;) {
		struct dns_tcp_conn *c = t->head;
		if (c == NULL || c->deadline_ms > now) /* NOLINT(clang-analyzer-unix.Malloc) */
			break;
		conn_fail(c, c->failed ? "TCP connection failed" : "no answer");
	}
}

void dns_tcp_free(struct dns_tcp *t, void (*drop)(void *user))
{
	if (t == NULL)
		return;
	for (struct dns_tcp_conn *c = t->head, *next; c != NULL; c = next) {
		void *user = c->user;
		next = c->next;
		unwatch(c);
		close(c->fd);
		free(c->frame.in);
		free(c);
		if (drop != NULL)
			drop(user);
	}
	free(t);
}
