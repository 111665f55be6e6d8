/*
 * checkpoint.c — WAL checkpoints in a thread of their own during a scan
 * (see checkpoint.h; db/README.md has the measurements).
 */
#include "checkpoint.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* WAL sizes, in frames (pages), for the background checkpoints. */
#define WAL_CKPT_AT       1000 /* SQLite's own autocheckpoint threshold */
#define WAL_CKPT_TAIL     200  /* what the writer copies itself at the end */
#define WAL_CKPT_CATCH_UP 4000 /* past this the writer checkpoints itself */

/* The thread that checkpoints the WAL on its own connection. */
struct wal_ckpt {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	sqlite3 *db;
	bool want, stop, busy; /* busy: a round is running */
	bool hold;             /* the writer checkpoints: no round now */
	int done;              /* frames the last round left copied; 0: none */
	int own;               /* the writer's checkpoint due after its commit; -1: none */
	int last_frames;       /* the WAL's size at the last commit */
	struct store_checkpoint_stats st; /* updated under mu */
};

/*
 * SQLite checkpoints a WAL database from the connection whose commit made
 * the WAL pass 1,000 pages: the scan's one writer stopped there for the
 * copy of 64 MB into the database file and its fsync, 100-200 ms at a time
 * about once a second, while the workers ran out of work to take and of
 * room for results (the machine was a fifth idle). Here the writer's
 * commits only signal, and a thread copies, on its own connection, in
 * PASSIVE mode, which takes no lock the writer waits for. The WAL starts
 * over from its beginning only when a checkpoint has copied every frame
 * before the writer's next transaction, which a thread racing a busy
 * writer seldom manages: when the thread has left at most WAL_CKPT_TAIL
 * pages, the writer copies those itself (wal_ckpt_after_commit).
 * Durability is SQLite's: synchronous=NORMAL, each
 * checkpoint syncs the WAL before it writes the database and the database
 * after.
 */
static void *ckpt_main(void *arg)
{
	struct wal_ckpt *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while ((!c->want || c->hold) && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->want = false;
		c->busy = true;
		pthread_mutex_unlock(&c->mu);
		int log = 0, done = 0;
		int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log,
		                                   &done);
		pthread_mutex_lock(&c->mu);
		c->busy = false;
		c->st.rounds++;
		c->done = rc == SQLITE_OK ? done : 0;
		pthread_cond_broadcast(&c->cv); /* a writer may wait for the round's end */
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* After every commit of the writer's, with the WAL's size in frames:
 * what to do next, in the thread or (wal_ckpt_after_commit) in the writer. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct wal_ckpt *c = arg;
	(void)db;
	(void)name;
	pthread_mutex_lock(&c->mu);
	if (frames > c->st.max_wal_frames)
		c->st.max_wal_frames = frames;
	c->st.frames_written +=
	        (uint64_t)(frames > c->last_frames ? frames - c->last_frames : frames);
	c->last_frames = frames;
	if (frames >= WAL_CKPT_CATCH_UP) {
		c->own = SQLITE_CHECKPOINT_FULL; /* fallen behind: it must not grow on */
	} else if (!c->busy && c->done > 0 && frames - c->done <= WAL_CKPT_TAIL) {
		c->own = SQLITE_CHECKPOINT_PASSIVE; /* the last few, so it can start over */
	} else if (!c->busy && frames >= WAL_CKPT_AT && c->done < frames) {
		c->want = true;
		pthread_cond_signal(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

/*
 * The writer's own checkpoint, after the commit (from inside the hook a
 * checkpoint that waits is refused): it copies every frame, as no other
 * writer adds any meanwhile, so the next transaction starts the WAL over.
 * The tail's PASSIVE gives way to a round of the thread's, which then
 * copies them; a catch-up (FULL) waits for that round, so the WAL stays
 * bounded whatever the disk's speed.
 */
void wal_ckpt_after_commit(struct wal_ckpt *c, sqlite3 *writer)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	int mode = c->own;
	c->own = -1;
	if (mode == SQLITE_CHECKPOINT_FULL)
		while (c->busy) /* one checkpoint at a time: SQLite refuses a second */
			pthread_cond_wait(&c->cv, &c->mu);
	if (mode < 0 || c->busy) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	c->hold = true; /* no round of the thread's meanwhile */
	pthread_mutex_unlock(&c->mu);
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(writer, NULL, mode, &log, &done);
	pthread_mutex_lock(&c->mu);
	c->hold = false;
	if (rc == SQLITE_OK && log >= 0 && done == log) {
		if (mode == SQLITE_CHECKPOINT_FULL)
			c->st.catch_ups++;
		else
			c->st.tails++;
	}
	c->done = 0;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

struct wal_ckpt *wal_ckpt_start(sqlite3 *writer)
{
	const char *path = sqlite3_db_filename(writer, "main");
	if (path == NULL || path[0] == '\0')
		return NULL; /* a database without a file */
	struct wal_ckpt *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL; /* SQLite's own checkpoints go on: slower, not wrong */
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	sqlite3_busy_timeout(c->db, STORE_BUSY_TIMEOUT_MS);
	/* A connection finds the WAL when it first reads: without this,
	 * its checkpoints see no WAL and copy nothing. */
	if (sqlite3_exec(c->db, "PRAGMA journal_mode", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	c->own = -1;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->th, NULL, ckpt_main, c) != 0) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	sqlite3_wal_hook(writer, wal_hook, c); /* replaces the autocheckpoint */
	return c;
}

void wal_ckpt_stop(struct wal_ckpt *c, sqlite3 *writer, struct store_checkpoint_stats *st)
{
	if (st != NULL)
		memset(st, 0, sizeof(*st));
	if (c == NULL)
		return;
	sqlite3_wal_autocheckpoint(writer, WAL_CKPT_AT); /* SQLite's hook again */
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->th, NULL);
	if (st != NULL)
		*st = c->st;
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	sqlite3_close(c->db);
	free(c);
}
