/*
 * claim.c — the writer's claim on a database (see claim.h): a lock file
 * and the kernel's open-file-description locks, no SQLite.
 */
#include "claim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void lock_path(const char *db, char *out, size_t len)
{
	if ((size_t)snprintf(out, len, "%s.lock", db) >= len)
		out[0] = '\0';
}

/* "pid P on HOST, since T" as the claim's holder wrote it into the lock
 * file; "" when it is not there, or names a process of this host that is
 * gone (the file outlives its holders). */
static void claim_holder(int fd, char *out, size_t len)
{
	char buf[256], host[128] = "", since[32] = "", me[128] = "";
	long long pid = 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	out[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%lld %127s %31s", &pid, host, since) != 3 || pid <= 0)
		return;
	gethostname(me, sizeof(me) - 1);
	if (strcmp(host, me) == 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return;
	snprintf(out, len, "pid %lld on %s, since %s", pid, host, since);
}

/* Whether a writer's claim on db is in force (1), with its holder in who;
 * 0 not (or no lock file to tell). Tests without taking a lock: a reader
 * must never make a writer's claim fail. */
int db_claim_held(const char *db, char *who, size_t wholen)
{
	char lock[PATH_MAX + 8];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	lock_path(db, lock, sizeof(lock));
	int fd = lock[0] ? open(lock, O_RDONLY | O_CLOEXEC | O_NOCTTY) : -1;
	who[0] = '\0';
	if (fd < 0)
		return 0;
	int held = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	if (held)
		claim_holder(fd, who, wholen);
	close(fd);
	return held;
}

/* Writes "pid host since" into the lock file, for the message of the next
 * writer refused. A failure costs only that message its holder. */
static void claim_note(int fd, const char *when)
{
	char host[128] = "", line[200];
	gethostname(host, sizeof(host) - 1);
	int n = snprintf(line, sizeof(line), "%lld %s %s\n", (long long)getpid(),
	                 host[0] ? host : "?", when);
	if (ftruncate(fd, 0) == 0 && pwrite(fd, line, (size_t)n, 0) != n)
		(void)ftruncate(fd, 0); /* no half line */
}

/* An open-file-description lock (Linux F_OFD_SETLK) on DB.lock. Unlike a
 * POSIX record lock it belongs to this open file, not to the process:
 * closing another descriptor of the file does not drop it, and two stores
 * in one process exclude each other; like it, the kernel drops it when
 * the holder's last descriptor closes, whatever ends the process (kill -9
 * too), and it works over NFS. It is advisory: only posture's writers take
 * it; SQLite's own locks are apart (other byte ranges of another file) and
 * readers never look at it. */
int db_claim_take(const char *db, const char *since, int *fd_out, char *err, size_t errlen)
{
	char lock[PATH_MAX + 8], who[200];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat st;

	lock_path(db, lock, sizeof(lock));
	if (lock[0] == '\0') {
		snprintf(err, errlen, "%s: path too long for its lock file", db);
		return -1;
	}
	/* The lock file gets the database's permissions (as SQLite gives
	 * them to -wal and -shm): whoever may write one may claim it. */
	mode_t mode = stat(db, &st) == 0 ? (st.st_mode & 0666) : 0644;
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, mode);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", lock, strerror(errno));
		return -1;
	}
	if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
		int e = errno;
		if (e == EAGAIN || e == EACCES) {
			claim_holder(fd, who, sizeof(who));
			snprintf(err, errlen,
			         "%s is being written by another posture command (%s); one writer "
			         "at a time: try again when it has finished",
			         db, who[0] ? who : "holder unknown");
		} else {
			snprintf(err, errlen, "cannot lock %s: %s", lock, strerror(e));
		}
		close(fd);
		return e == EAGAIN || e == EACCES ? DB_CLAIM_BUSY : -1;
	}
	claim_note(fd, since);
	*fd_out = fd;
	return 0;
}
