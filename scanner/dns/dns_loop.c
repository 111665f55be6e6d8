/*
 * dns_loop.c — a small epoll event loop (see dns_loop.h).
 *
 * Why our own: a worker watches its long-lived UDP sockets (dns_udp.c)
 * and a connection per truncated answer (dns_tcp.c) together, and waits
 * no longer than the earliest deadline of either transport. Both keep
 * their own timers (a FIFO list each: every query of a worker has the same
 * timeout), so the loop knows only descriptors and their callbacks.
 *
 * Events are found by descriptor number, and each add gets a serial that
 * rides in the epoll data beside the number: readiness reported for an
 * event that a callback earlier in the same round deleted (and whose
 * number a new event may already reuse) is dropped, never delivered to
 * freed memory or to the newcomer.
 */
#include "dns_loop.h"

#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define DNS_LOOP_FOREVER UINT64_MAX
#define DNS_LOOP_BATCH   128

struct dns_loop {
	int epfd;
	struct dns_loop_event **byfd; /* watched events by descriptor */
	size_t nbyfd;
	size_t nevents;
	uint32_t serial; /* of the last add */
};

uint64_t dns_loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int byfd_grow(struct dns_loop *l, int fd)
{
	size_t n = l->nbyfd ? l->nbyfd : 256;
	struct dns_loop_event **t;

	if ((size_t)fd < l->nbyfd)
		return 0;
	while (n <= (size_t)fd)
		n *= 2;
	t = realloc(l->byfd, n * sizeof(struct dns_loop_event *));
	if (t == NULL)
		return -1;
	memset(t + l->nbyfd, 0, (n - l->nbyfd) * sizeof(struct dns_loop_event *));
	l->byfd = t;
	l->nbyfd = n;
	return 0;
}

int dns_loop_add(struct dns_loop *l, int fd, struct dns_loop_event *ev)
{
	struct epoll_event ee = { 0 };

	if (fd < 0 || byfd_grow(l, fd) != 0 || l->byfd[fd] != NULL)
		return -1;
	ev->fd = fd;
	ev->serial = ++l->serial;
	ee.events = (ev->read_cb ? EPOLLIN : 0) | (ev->write_cb ? EPOLLOUT : 0);
	ee.data.u64 = (uint64_t)ev->serial << 32 | (uint32_t)fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ee) != 0)
		return -1;
	l->byfd[fd] = ev;
	l->nevents++;
	return 0;
}

void dns_loop_del(struct dns_loop *l, struct dns_loop_event *ev)
{
	int fd = ev->fd;

	if (fd < 0 || (size_t)fd >= l->nbyfd || l->byfd[fd] != ev)
		return; /* not watched (never added, or deleted already) */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->byfd[fd] = NULL;
	l->nevents--;
}

/* The event the readiness was reported for, if it is still watched. */
static struct dns_loop_event *live(const struct dns_loop *l, int fd, uint32_t serial)
{
	struct dns_loop_event *ev = (size_t)fd < l->nbyfd ? l->byfd[fd] : NULL;
	return ev != NULL && ev->serial == serial ? ev : NULL;
}

void dns_loop_run_once(struct dns_loop *l, bool block, uint64_t until_ms)
{
	struct epoll_event evs[DNS_LOOP_BATCH];
	int wait_ms = 0;

	if (l->nevents == 0)
		return;
	if (block) {
		if (until_ms == DNS_LOOP_FOREVER) {
			wait_ms = -1;
		} else {
			uint64_t now = dns_loop_now_ms();
			wait_ms = until_ms > now ? (int)(until_ms - now) : 0;
		}
	}
	int n = epoll_wait(l->epfd, evs, DNS_LOOP_BATCH, wait_ms);
	for (int i = 0; i < n; i++) {
		int fd = (int)(uint32_t)evs[i].data.u64;
		uint32_t serial = (uint32_t)(evs[i].data.u64 >> 32);
		uint32_t what = evs[i].events;
		struct dns_loop_event *ev = live(l, fd, serial);
		if (ev == NULL)
			continue;
		if ((what & (EPOLLIN | EPOLLERR | EPOLLHUP)) && ev->read_cb) {
			ev->read_cb(ev->arg);
			/* The callback may have deleted or replaced it. */
			ev = live(l, fd, serial);
			if (ev == NULL)
				continue;
		}
		if ((what & (EPOLLOUT | EPOLLERR)) && ev->write_cb)
			ev->write_cb(ev->arg);
	}
}

struct dns_loop *dns_loop_new(void)
{
	struct dns_loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void dns_loop_free(struct dns_loop *l)
{
	if (l == NULL)
		return;
	free(l->byfd);
	close(l->epfd);
	free(l);
}
