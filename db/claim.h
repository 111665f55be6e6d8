/*
 * claim.h — one writer per database: the claim a scan or a merge holds on
 * DB.lock beside the database while it writes (store_claim_writer is its
 * public face; only store.c uses this header). Readers only test it.
 */
#ifndef POSTURE_CLAIM_H
#define POSTURE_CLAIM_H

#include <stddef.h>

#define DB_CLAIM_BUSY (-2)

/*
 * Takes the claim on db (the database file's path): *fd_out is the lock
 * file's descriptor, which holds the claim until it is closed. since (ISO
 * 8601) is written into the lock file with this pid and host, for the
 * message of the next writer refused. Returns 0, DB_CLAIM_BUSY at once
 * when another open file holds it (err names the holder), or -1 (err).
 */
int db_claim_take(const char *db, const char *since, int *fd_out, char *err, size_t errlen);

/* 1 when a claim on db is in force (its holder in who, "" if unknown), 0
 * when not or when there is no lock file. Takes no lock: a reader never
 * makes a writer's claim fail. */
int db_claim_held(const char *db, char *who, size_t wholen);

#endif
