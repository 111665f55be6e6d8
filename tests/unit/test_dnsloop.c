/*
 * Unit tests for dns_loop.c, the DNS adapter's epoll loop, on pipes:
 * callbacks for readable and writable descriptors, deletion from inside
 * a callback, and readiness reported for a deleted event never reaching
 * the event that reuses its descriptor number in the same round.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns_loop.h"

struct pipe_ev {
	int fd[2];
	struct dns_loop_event ev;
	int reads, writes;
	struct dns_loop *loop;
	struct pipe_ev *victim; /* deleted (and its fd closed) when read */
	struct pipe_ev *heir;   /* then added on the fd number freed */
};

static void on_read(void *arg)
{
	struct pipe_ev *p = arg;
	char c;

	p->reads++;
	assert_int_equal(read(p->fd[0], &c, 1), 1);
	if (p->victim != NULL) {
		struct pipe_ev *v = p->victim;
		int n = v->fd[0];
		dns_loop_del(p->loop, &v->ev);
		close(v->fd[0]);
		v->fd[0] = -1;
		/* dup2 makes the heir's pipe take the number at once, as a
		 * new socket of dns_tcp_send would. */
		assert_int_equal(dup2(p->heir->fd[0], n), n);
		close(p->heir->fd[0]);
		p->heir->fd[0] = n;
		assert_int_equal(dns_loop_add(p->loop, n, &p->heir->ev), 0);
	}
}

static void on_write(void *arg)
{
	struct pipe_ev *p = arg;
	p->writes++;
}

static void pipe_ev_init(struct pipe_ev *p, struct dns_loop *loop)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(pipe(p->fd), 0);
	p->loop = loop;
	p->ev.read_cb = on_read;
	p->ev.arg = p;
	p->ev.fd = -1;
}

static void test_read_write(void **state)
{
	struct dns_loop *loop = dns_loop_new();
	struct pipe_ev p, w;
	(void)state;

	assert_non_null(loop);
	memset(&w, 0, sizeof(w));
	/* Nothing watched: returns at once even when asked to block. */
	dns_loop_run_once(loop, true, UINT64_MAX);
	pipe_ev_init(&p, loop);
	assert_int_equal(dns_loop_add(loop, p.fd[0], &p.ev), 0);
	/* The same descriptor twice is refused; so is no descriptor. */
	assert_int_equal(dns_loop_add(loop, p.fd[0], &w.ev), -1);
	assert_int_equal(dns_loop_add(loop, -1, &w.ev), -1);
	/* Not readable yet: a bounded wait ends without a callback. */
	dns_loop_run_once(loop, true, dns_loop_now_ms() + 20);
	assert_int_equal(p.reads, 0);
	assert_int_equal(write(p.fd[1], "x", 1), 1);
	dns_loop_run_once(loop, true, UINT64_MAX);
	assert_int_equal(p.reads, 1);
	/* The write end of a pipe with room is writable. */
	pipe_ev_init(&w, loop);
	w.ev.read_cb = NULL;
	w.ev.write_cb = on_write;
	assert_int_equal(dns_loop_add(loop, w.fd[1], &w.ev), 0);
	dns_loop_run_once(loop, false, 0);
	assert_int_equal(w.writes, 1);
	assert_int_equal(p.reads, 1);
	/* Deleted: no more callbacks; deleting again does nothing. */
	dns_loop_del(loop, &w.ev);
	dns_loop_del(loop, &w.ev);
	dns_loop_run_once(loop, false, 0);
	assert_int_equal(w.writes, 1);
	dns_loop_del(loop, &p.ev);
	for (int i = 0; i < 2; i++) {
		close(p.fd[i]);
		close(w.fd[i]);
	}
	dns_loop_free(loop);
}

static void test_delete_in_round(void **state)
{
	struct dns_loop *loop = dns_loop_new();
	struct pipe_ev a, b, heir;
	(void)state;

	assert_non_null(loop);
	pipe_ev_init(&a, loop);
	pipe_ev_init(&b, loop);
	pipe_ev_init(&heir, loop);
	a.victim = &b;
	a.heir = &heir;
	b.victim = &a;
	b.heir = &heir;
	assert_int_equal(dns_loop_add(loop, a.fd[0], &a.ev), 0);
	assert_int_equal(dns_loop_add(loop, b.fd[0], &b.ev), 0);
	/* Both readable in one round, and the heir's pipe too: whichever
	 * runs first deletes the other and hands its number to the heir.
	 * The readiness of the deleted one goes to nobody, in particular
	 * not to the heir (its own readiness comes in a later round). */
	assert_int_equal(write(a.fd[1], "x", 1), 1);
	assert_int_equal(write(b.fd[1], "x", 1), 1);
	assert_int_equal(write(heir.fd[1], "x", 1), 1);
	dns_loop_run_once(loop, true, UINT64_MAX);
	assert_int_equal(a.reads + b.reads, 1);
	assert_int_equal(heir.reads, 0);
	struct pipe_ev *alive = a.reads ? &a : &b;
	alive->victim = NULL;
	heir.victim = NULL;
	dns_loop_run_once(loop, true, UINT64_MAX);
	assert_int_equal(heir.reads, 1);
	assert_int_equal(alive->reads, 1);
	dns_loop_free(loop); /* with both still added: forgotten, not touched */
	close(a.fd[0]);
	close(a.fd[1]);
	close(b.fd[0]);
	close(b.fd[1]);
	close(heir.fd[0]);
	close(heir.fd[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_delete_in_round),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
