/*
 * dns_loop.h — private to the DNS adapter (dns.c, dns_loop.c): an epoll
 * event loop that implements getdns's event loop extension, so that the
 * UDP and the TCP context of a worker share one loop owned by the worker.
 * Nothing outside the adapter includes this file.
 */
#ifndef POSTURE_DNS_LOOP_H
#define POSTURE_DNS_LOOP_H

#include <getdns/getdns_extra.h>
#include <stdbool.h>
#include <stdint.h>

struct dns_loop;

struct dns_loop *dns_loop_new(void);
/* Frees the loop; call after every context using it is destroyed. */
void dns_loop_free(struct dns_loop *loop);
/* The getdns view of the loop, for getdns_context_set_eventloop. */
getdns_eventloop *dns_loop_getdns(struct dns_loop *loop);
/* One round of callbacks; with block, waits for the first due event, but
 * not past until_ms (monotonic; UINT64_MAX: no bound of the caller's).
 * Returns at once when nothing is scheduled. */
void dns_loop_run_once(struct dns_loop *loop, bool block, uint64_t until_ms);
/* Calls cb(arg) whenever fd is readable, until the loop is freed (the
 * caller's own descriptors, beside getdns's). Returns 0 or -1. */
int dns_loop_watch(struct dns_loop *loop, int fd, void (*cb)(void *arg), void *arg);
/* Milliseconds on the monotonic clock. */
uint64_t dns_loop_now_ms(void);

#endif
