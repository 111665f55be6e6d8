/*
 * dns_loop.c — a small epoll event loop behind getdns's extension API.
 *
 * Why our own: a worker needs two getdns contexts (UDP, and TCP for
 * truncated answers; getdns 1.6 does not fall back by itself) on one loop,
 * and getdns's default loop belongs to one context and is torn down with
 * it. Events are getdns's: a file descriptor with read/write callbacks,
 * and/or a timeout. Timers sit in a binary min-heap; descriptors are found
 * by number, so an event cleared by an earlier callback in the same round
 * is never touched after it is freed.
 */
#include "dns_loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define DNS_LOOP_NO_HEAP ((size_t)-1)
#define DNS_LOOP_FOREVER UINT64_MAX
/* getdns means "no timeout" by 0xFFFFFFFFFFFFFFFF; anything over a day is
 * treated the same. */
#define DNS_LOOP_MAX_TIMEOUT_MS (24ULL * 3600 * 1000)
#define DNS_LOOP_BATCH          128

struct dns_loop_ev {
	getdns_eventloop_event *gev;
	int fd;            /* watched descriptor, -1 if none */
	uint64_t deadline; /* ms, DNS_LOOP_FOREVER if none */
	size_t heap_idx;
	struct dns_loop_ev *prev, *next; /* every live event, for free */
};

struct dns_loop {
	getdns_eventloop base; /* first: getdns hands us this pointer */
	getdns_eventloop_vmt vmt;
	int epfd;
	struct dns_loop_ev **byfd;
	size_t nbyfd;
	struct dns_loop_ev **heap;
	size_t nheap, capheap;
	size_t nevents;
	struct dns_loop_ev *all;
	getdns_eventloop_event **watch; /* dns_loop_watch's, owned */
	size_t nwatch;
};

uint64_t dns_loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void heap_swap(struct dns_loop *l, size_t a, size_t b)
{
	struct dns_loop_ev *t = l->heap[a];
	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->heap_idx = a;
	l->heap[b]->heap_idx = b;
}

static void heap_up(struct dns_loop *l, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (l->heap[p]->deadline <= l->heap[i]->deadline)
			break;
		heap_swap(l, p, i);
		i = p;
	}
}

static void heap_down(struct dns_loop *l, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, m = i;
		if (c < l->nheap && l->heap[c]->deadline < l->heap[m]->deadline)
			m = c;
		if (c + 1 < l->nheap && l->heap[c + 1]->deadline < l->heap[m]->deadline)
			m = c + 1;
		if (m == i)
			return;
		heap_swap(l, i, m);
		i = m;
	}
}

static int heap_push(struct dns_loop *l, struct dns_loop_ev *e)
{
	if (l->nheap == l->capheap) {
		size_t cap = l->capheap ? l->capheap * 2 : 256;
		struct dns_loop_ev **h = realloc(l->heap, cap * sizeof(struct dns_loop_ev *));
		if (h == NULL)
			return -1;
		l->heap = h;
		l->capheap = cap;
	}
	e->heap_idx = l->nheap;
	l->heap[l->nheap++] = e;
	heap_up(l, e->heap_idx);
	return 0;
}

static void heap_remove(struct dns_loop *l, struct dns_loop_ev *e)
{
	size_t i = e->heap_idx;
	if (i == DNS_LOOP_NO_HEAP)
		return;
	e->heap_idx = DNS_LOOP_NO_HEAP;
	l->nheap--;
	if (i == l->nheap)
		return;
	l->heap[i] = l->heap[l->nheap];
	l->heap[i]->heap_idx = i;
	heap_down(l, i);
	heap_up(l, i);
}

static int byfd_set(struct dns_loop *l, int fd, struct dns_loop_ev *e)
{
	if ((size_t)fd >= l->nbyfd) {
		size_t n = l->nbyfd ? l->nbyfd : 256;
		while (n <= (size_t)fd)
			n *= 2;
		struct dns_loop_ev **t = realloc(l->byfd, n * sizeof(struct dns_loop_ev *));
		if (t == NULL)
			return -1;
		memset(t + l->nbyfd, 0, (n - l->nbyfd) * sizeof(struct dns_loop_ev *));
		l->byfd = t;
		l->nbyfd = n;
	}
	l->byfd[fd] = e;
	return 0;
}

static getdns_return_t loop_schedule(getdns_eventloop *base, int fd, uint64_t timeout,
                                     getdns_eventloop_event *gev)
{
	struct dns_loop *l = (struct dns_loop *)base;
	struct dns_loop_ev *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return GETDNS_RETURN_MEMORY_ERROR;
	e->gev = gev;
	e->fd = -1;
	e->heap_idx = DNS_LOOP_NO_HEAP;
	e->deadline = DNS_LOOP_FOREVER;
	if (fd >= 0 && (gev->read_cb || gev->write_cb)) {
		struct epoll_event ee = { 0 };
		ee.events = (gev->read_cb ? EPOLLIN : 0) | (gev->write_cb ? EPOLLOUT : 0);
		ee.data.fd = fd;
		bool known = (size_t)fd < l->nbyfd && l->byfd[fd] != NULL;
		if (known)
			l->byfd[fd]->fd = -1; /* replaced: no longer watched */
		if (epoll_ctl(l->epfd, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ee) != 0 ||
		    byfd_set(l, fd, e) != 0) {
			free(e);
			return GETDNS_RETURN_GENERIC_ERROR;
		}
		e->fd = fd;
	}
	if (gev->timeout_cb && timeout <= DNS_LOOP_MAX_TIMEOUT_MS) {
		e->deadline = dns_loop_now_ms() + timeout;
		if (heap_push(l, e) != 0) {
			if (e->fd >= 0) {
				epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
				l->byfd[fd] = NULL;
			}
			free(e);
			return GETDNS_RETURN_MEMORY_ERROR;
		}
	}
	gev->ev = e;
	e->next = l->all;
	if (l->all != NULL)
		l->all->prev = e;
	l->all = e;
	l->nevents++;
	return GETDNS_RETURN_GOOD;
}

static getdns_return_t loop_clear(getdns_eventloop *base, getdns_eventloop_event *gev)
{
	struct dns_loop *l = (struct dns_loop *)base;
	struct dns_loop_ev *e = gev->ev;

	if (e == NULL)
		return GETDNS_RETURN_GOOD;
	heap_remove(l, e);
	if (e->fd >= 0 && l->byfd[e->fd] == e) {
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, e->fd, NULL);
		l->byfd[e->fd] = NULL;
	}
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		l->all = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	free(e);
	gev->ev = NULL;
	l->nevents--;
	return GETDNS_RETURN_GOOD;
}

void dns_loop_run_once(struct dns_loop *l, bool block, uint64_t until_ms)
{
	struct epoll_event evs[DNS_LOOP_BATCH];
	int wait_ms = 0;

	if (l->nevents == 0)
		return;
	if (block) {
		uint64_t d = l->nheap > 0 ? l->heap[0]->deadline : DNS_LOOP_FOREVER;
		if (until_ms < d)
			d = until_ms;
		if (d == DNS_LOOP_FOREVER) {
			wait_ms = -1;
		} else {
			uint64_t now = dns_loop_now_ms();
			wait_ms = d > now ? (int)(d - now) : 0;
		}
	}
	int n = epoll_wait(l->epfd, evs, DNS_LOOP_BATCH, wait_ms);
	for (int i = 0; i < n; i++) {
		int fd = evs[i].data.fd;
		uint32_t what = evs[i].events;
		struct dns_loop_ev *e = (size_t)fd < l->nbyfd ? l->byfd[fd] : NULL;
		if (e == NULL)
			continue;
		getdns_eventloop_event *gev = e->gev;
		if ((what & (EPOLLIN | EPOLLERR | EPOLLHUP)) && gev->read_cb) {
			gev->read_cb(gev->userarg);
			/* The callback may have cleared or replaced it. */
			e = l->byfd[fd];
			if (e == NULL || e->gev != gev)
				continue;
		}
		if ((what & (EPOLLOUT | EPOLLERR)) && gev->write_cb)
			gev->write_cb(gev->userarg);
	}
	uint64_t now = dns_loop_now_ms();
	while (l->nheap > 0 && l->heap[0]->deadline <= now) {
		struct dns_loop_ev *e = l->heap[0];
		heap_remove(l, e);
		if (e->gev->timeout_cb)
			e->gev->timeout_cb(e->gev->userarg);
	}
}

static void loop_run_once(getdns_eventloop *base, int blocking)
{
	dns_loop_run_once((struct dns_loop *)base, blocking != 0, DNS_LOOP_FOREVER);
}

static void loop_run(getdns_eventloop *base)
{
	struct dns_loop *l = (struct dns_loop *)base;
	while (l->nevents > 0)
		dns_loop_run_once(l, true, DNS_LOOP_FOREVER);
}

int dns_loop_watch(struct dns_loop *l, int fd, void (*cb)(void *arg), void *arg)
{
	getdns_eventloop_event **w =
	        realloc(l->watch, (l->nwatch + 1) * sizeof(getdns_eventloop_event *));
	getdns_eventloop_event *gev;

	if (w == NULL)
		return -1;
	l->watch = w;
	gev = calloc(1, sizeof(*gev));
	if (gev == NULL)
		return -1;
	gev->userarg = arg;
	gev->read_cb = cb;
	if (loop_schedule(&l->base, fd, DNS_LOOP_FOREVER, gev) != GETDNS_RETURN_GOOD) {
		free(gev);
		return -1;
	}
	l->watch[l->nwatch++] = gev;
	return 0;
}

static void loop_cleanup(getdns_eventloop *base)
{
	/* The worker owns the loop and frees it after both contexts. */
	(void)base;
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
	l->vmt.cleanup = loop_cleanup;
	l->vmt.schedule = loop_schedule;
	l->vmt.clear = loop_clear;
	l->vmt.run = loop_run;
	l->vmt.run_once = loop_run_once;
	l->base.vmt = &l->vmt;
	return l;
}

void dns_loop_free(struct dns_loop *l)
{
	if (l == NULL)
		return;
	/* Events getdns left scheduled are its own; we only drop our
	 * records of them. */
	while (l->all != NULL) {
		struct dns_loop_ev *e = l->all;
		l->all = e->next;
		e->gev->ev = NULL;
		free(e);
	}
	for (size_t i = 0; i < l->nwatch; i++)
		free(l->watch[i]);
	free(l->watch);
	free(l->byfd);
	free(l->heap);
	close(l->epfd);
	free(l);
}

getdns_eventloop *dns_loop_getdns(struct dns_loop *l)
{
	return &l->base;
}
