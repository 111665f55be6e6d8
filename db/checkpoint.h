/*
 * checkpoint.h — WAL checkpoints off the writer's path, for store.c only
 * (db/ is the only code that sees SQLite's types).
 *
 * Started on the writer's connection, a thread checkpoints on a second
 * connection of its own whenever the writer's commits have made the WAL
 * large, and the writer copies the last few pages itself after a commit
 * (wal_ckpt_after_commit), so the WAL starts over and stays bounded.
 */
#ifndef POSTURE_CHECKPOINT_H
#define POSTURE_CHECKPOINT_H

#include "store.h"

struct sqlite3;
struct wal_ckpt;

/* NULL when not started (a database without a file, no thread or memory
 * to spare): SQLite's own checkpoints then stay. */
struct wal_ckpt *wal_ckpt_start(struct sqlite3 *writer);
/* After each of the writer's commits; c may be NULL. */
void wal_ckpt_after_commit(struct wal_ckpt *c, struct sqlite3 *writer);
/* Stops the thread and gives SQLite its checkpoints back; fills st (may
 * be NULL). c may be NULL. */
void wal_ckpt_stop(struct wal_ckpt *c, struct sqlite3 *writer, struct store_checkpoint_stats *st);

#endif
