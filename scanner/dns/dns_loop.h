/*
 * dns_loop.h — private to the DNS adapter (dns.c, dns_tcp.c): a small
 * epoll event loop, one per worker, on which the worker's UDP sockets and
 * its TCP connections are watched together. Nothing outside the adapter
 * includes this file but its unit test (tests/unit/test_dnsloop.c).
 */
#ifndef POSTURE_DNS_LOOP_H
#define POSTURE_DNS_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct dns_loop;

typedef void (*dns_loop_cb)(void *arg);

/*
 * A descriptor watched for reading (read_cb set) and/or writing
 * (write_cb set). The caller owns it and sets the first three fields;
 * the rest is the loop's. It must stay in place from dns_loop_add until
 * dns_loop_del (or dns_loop_free).
 */
struct dns_loop_event {
	dns_loop_cb read_cb;
	dns_loop_cb write_cb;
	void *arg;
	int fd;          /* the loop's: the descriptor watched */
	uint32_t serial; /* the loop's: which add this is */
};

struct dns_loop *dns_loop_new(void);
/* Frees the loop; events still added are forgotten, never touched. */
void dns_loop_free(struct dns_loop *loop);
/*
 * Watches fd with ev's callbacks until dns_loop_del: read_cb(arg) when fd
 * is readable (or in error, or hung up), write_cb(arg) when it is
 * writable (or in error). Returns 0, or -1 (out of memory, or fd already
 * watched).
 */
int dns_loop_add(struct dns_loop *loop, int fd, struct dns_loop_event *ev);
/* Stops watching ev (nothing if it is not watched). While the loop is in
 * use, call it before closing ev's fd. A callback may delete its own
 * event or any other. */
void dns_loop_del(struct dns_loop *loop, struct dns_loop_event *ev);
/* One round of callbacks; with block, waits for the first event, but not
 * past until_ms (monotonic; UINT64_MAX: no bound). Returns at once when
 * nothing is watched. */
void dns_loop_run_once(struct dns_loop *loop, bool block, uint64_t until_ms);
/* Milliseconds on the monotonic clock. */
uint64_t dns_loop_now_ms(void);

#endif
