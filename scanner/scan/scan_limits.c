/*
 * scan_limits.c — the scan's memory estimate and descriptor budget, and
 * the check made at start (see scan_limits.h).
 */
#include "scan_limits.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "checks.h"
#include "strutil.h"

/* A value at or above this in a cgroup file means "no limit" (v1 writes
 * 9223372036854771712, a page below INT64_MAX). */
#define CGROUP_UNLIMITED ((uint64_t)1 << 62)
/* Address space a thread reserves besides its stack: glibc's heap for
 * the thread's arena (HEAP_MAX_SIZE on 64-bit systems), for as many
 * threads as glibc makes arenas (M_ARENA_MAX: 8 per core). */
#define THREAD_HEAP_RESERVE   ((uint64_t)64 << 20)
#define THREAD_ARENAS_PER_CPU 8
#define THREAD_STACK_DEFAULT  ((uint64_t)8 << 20)

unsigned scan_worker_count(const struct scan_options *o)
{
	unsigned nw = o->workers;
	if (nw == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		nw = c > 0 ? (unsigned)c : 1;
	}
	return nw > SCAN_MAX_WORKERS ? SCAN_MAX_WORKERS : nw;
}

uint64_t scan_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
}

unsigned scan_fd_per_worker(uint64_t nofile, unsigned workers, size_t nservers, bool fetch,
                            bool transport)
{
	uint64_t nw = workers ? workers : 1;
	uint64_t servers = nservers ? nservers : SCAN_FD_SERVERS_SYSTEM;
	uint64_t reserve = SCAN_FD_RESERVE + (fetch ? SCAN_FD_FETCH : 0) +
	                   (transport ? SCAN_FD_TRANSPORT : 0) +
	                   nw * (SCAN_FD_PER_WORKER + servers * SCAN_FD_PER_SERVER);
	if (nofile <= reserve)
		return 0;
	uint64_t per = (nofile - reserve) / nw;
	return per > UINT_MAX ? UINT_MAX : (unsigned)per;
}

bool scan_stage_wanted(const struct scan_options *o)
{
	return (!o->no_fetch && (o->checks & (CHECK_BIT(CHECK_BIMI) | CHECK_BIT(CHECK_MTA_STS)))) ||
	       (o->checks & CHECKS_VALIDATING);
}

void scan_plan_of(const struct scan_options *o, uint64_t nofile, struct scan_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->workers = scan_worker_count(o);
	p->inflight = o->inflight;
	p->fetch = scan_stage_wanted(o);
	p->transport = p->fetch && (o->checks & (CHECKS_TRANSPORT | CHECKS_VALIDATING));
	p->cache_entries = o->cache_entries ? o->cache_entries : DNS_CACHE_DEFAULT;
	p->outstanding = o->dns.max_inflight ? o->dns.max_inflight : DNS_INFLIGHT_DEFAULT;
	unsigned fd =
	        scan_fd_per_worker(nofile, p->workers, o->dns.nservers, p->fetch, p->transport);
	if (fd < p->outstanding)
		p->outstanding = fd;
}

uint64_t scan_mem_estimate(const struct scan_plan *p, uint64_t *fixed)
{
	uint64_t nw = p->workers;
	uint64_t rest = SCAN_MEM_BASE + (p->fetch ? SCAN_MEM_FETCH : 0) +
	                (p->transport ? SCAN_MEM_TRANSPORT : 0) +
	                (uint64_t)p->cache_entries * SCAN_MEM_PER_CACHE_ENTRY +
	                nw * (SCAN_MEM_PER_WORKER + (uint64_t)p->outstanding * SCAN_MEM_PER_QUERY);
	if (fixed != NULL)
		*fixed = rest;
	return rest + nw * p->inflight * SCAN_MEM_PER_DOMAIN;
}

unsigned scan_mem_max_inflight(const struct scan_plan *p, uint64_t avail)
{
	uint64_t fixed;
	struct scan_plan one = *p;
	one.inflight = 0;
	(void)scan_mem_estimate(&one, &fixed);
	uint64_t per_step = (uint64_t)(p->workers ? p->workers : 1) * SCAN_MEM_PER_DOMAIN;
	if (avail <= fixed)
		return 0;
	uint64_t n = (avail - fixed) / per_step;
	return n > SCAN_MAX_INFLIGHT ? SCAN_MAX_INFLIGHT : (unsigned)n;
}

/* The "NAME:   VALUE kB" line of a /proc file, in bytes. */
static int proc_kb(const char *path, const char *name, uint64_t *out)
{
	char line[256];
	size_t n = strlen(name);
	int rc = -1;
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long long kb;
		if (strncmp(line, name, n) == 0 && line[n] == ':' &&
		    sscanf(line + n + 1, "%llu", &kb) == 1) {
			*out = (uint64_t)kb * 1024;
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* A cgroup file holding one number ("max" reads as no limit). */
static int read_u64(const char *path, uint64_t *out)
{
	char buf[64];
	unsigned long long v;
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	int rc = -1;
	if (fgets(buf, sizeof(buf), f) != NULL) {
		if (strncmp(buf, "max", 3) == 0) {
			*out = UINT64_MAX;
			rc = 0;
		} else if (sscanf(buf, "%llu", &v) == 1) {
			*out = (uint64_t)v;
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* Room left under the limit in dir (limit file, usage file), or -1. */
static int cgroup_dir_room(const char *dir, const char *limit, const char *usage, uint64_t *room)
{
	char path[PATH_MAX];
	uint64_t max, used = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, limit);
	if (read_u64(path, &max) != 0 || max >= CGROUP_UNLIMITED)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, usage);
	(void)read_u64(path, &used);
	*room = max > used ? max - used : 0;
	return 0;
}

/* The tightest room of the cgroup of this process and (v2) the cgroups
 * above it. Returns 0, or -1 when no limit is set or none is readable. */
static int cgroup_room(uint64_t *room)
{
	char line[PATH_MAX], dir[PATH_MAX];
	int rc = -1;
	FILE *f = fopen("/proc/self/cgroup", "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		char *ctl = strchr(line, ':');
		char *path = ctl ? strchr(ctl + 1, ':') : NULL;
		if (path == NULL)
			continue;
		*path++ = '\0';
		uint64_t r;
		if (strcmp(ctl + 1, "") == 0 && line[0] == '0') {
			/* v2: this cgroup and each one above it. */
			size_t root = strlen("/sys/fs/cgroup");
			snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s",
			         strcmp(path, "/") ? path : "");
			for (;;) {
				if (cgroup_dir_room(dir, "memory.max", "memory.current", &r) == 0 &&
				    (rc != 0 || r < *room))
					*room = r, rc = 0;
				char *slash = strrchr(dir, '/');
				if (strlen(dir) <= root || slash == NULL)
					break;
				*slash = '\0';
			}
		} else if (strstr(ctl + 1, "memory") != NULL) {
			/* v1: the process's memory cgroup, or (in a namespace
			 * that does not show it) the hierarchy's root. */
			snprintf(dir, sizeof(dir), "/sys/fs/cgroup/memory%s",
			         strcmp(path, "/") ? path : "");
			if ((cgroup_dir_room(dir, "memory.limit_in_bytes", "memory.usage_in_bytes",
			                     &r) == 0 ||
			     cgroup_dir_room("/sys/fs/cgroup/memory", "memory.limit_in_bytes",
			                     "memory.usage_in_bytes", &r) == 0) &&
			    (rc != 0 || r < *room))
				*room = r, rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* Room under RLIMIT_AS for workers more threads, or -1 when unlimited. */
static int rlimit_as_room(unsigned workers, uint64_t *room)
{
	struct rlimit as, st;
	uint64_t vm = 0, stack = THREAD_STACK_DEFAULT;
	if (getrlimit(RLIMIT_AS, &as) != 0 || as.rlim_cur == RLIM_INFINITY)
		return -1;
	if (getrlimit(RLIMIT_STACK, &st) == 0 && st.rlim_cur != RLIM_INFINITY && st.rlim_cur > 0)
		stack = (uint64_t)st.rlim_cur;
	(void)proc_kb("/proc/self/status", "VmSize", &vm);
	/* The workers and the HTTPS stage's thread. */
	uint64_t threads = (uint64_t)workers + 1;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t arenas = (uint64_t)(cpus > 0 ? cpus : 1) * THREAD_ARENAS_PER_CPU;
	if (arenas > threads)
		arenas = threads;
	uint64_t used = vm + threads * stack + arenas * THREAD_HEAP_RESERVE;
	*room = (uint64_t)as.rlim_cur > used ? (uint64_t)as.rlim_cur - used : 0;
	return 0;
}

int scan_mem_available(unsigned workers, struct scan_avail *out)
{
	const char *env = getenv(SCAN_ENV_MEMAVAILABLE);
	uint64_t r;
	if (env != NULL && env[0] != '\0') {
		char *end;
		unsigned long long kb = strtoull(env, &end, 10);
		if (*end == '\0') {
			out->bytes = (uint64_t)kb * 1024;
			out->source = SCAN_ENV_MEMAVAILABLE;
			return 0;
		}
	}
	int rc = -1;
	if (proc_kb("/proc/meminfo", "MemAvailable", &r) == 0) {
		out->bytes = r;
		out->source = "MemAvailable in /proc/meminfo";
		rc = 0;
	}
	if (cgroup_room(&r) == 0 && (rc != 0 || r < out->bytes)) {
		out->bytes = r;
		out->source = "the cgroup's memory limit less its usage";
		rc = 0;
	}
	if (rlimit_as_room(workers, &r) == 0 && (rc != 0 || r < out->bytes)) {
		out->bytes = r;
		out->source = "RLIMIT_AS (ulimit -v) less the address space in use and the "
		              "threads' stacks and heaps";
		rc = 0;
	}
	return rc;
}

/* bytes as "1.5 GiB", "300 MiB" or "16 KiB". */
static const char *human(uint64_t bytes, char *buf, size_t len)
{
	if (bytes >= (uint64_t)10 << 30)
		snprintf(buf, len, "%" PRIu64 " GiB", (bytes + (1u << 29)) >> 30);
	else if (bytes >= (uint64_t)1 << 30)
		snprintf(buf, len, "%.1f GiB", (double)bytes / (double)(1u << 30));
	else if (bytes >= (uint64_t)1 << 20)
		snprintf(buf, len, "%" PRIu64 " MiB", (bytes + (1u << 19)) >> 20);
	else
		snprintf(buf, len, "%" PRIu64 " KiB", (bytes + 512) >> 10);
	return buf;
}

int scan_limits_check(const struct scan_options *o, const struct scan_avail *avail, char *err,
                      size_t errlen)
{
	struct scan_plan p;
	struct scan_avail mine;
	uint64_t nofile = scan_nofile(), fixed;
	char need[32], each[32], rest[32], have[32];

	scan_plan_of(o, nofile, &p);
	if (p.outstanding == 0) {
		uint64_t servers = o->dns.nservers ? o->dns.nservers : SCAN_FD_SERVERS_SYSTEM;
		uint64_t stage =
		        (p.fetch ? SCAN_FD_FETCH : 0) + (p.transport ? SCAN_FD_TRANSPORT : 0);
		snprintf(err, errlen,
		         "--workers %u need %" PRIu64 " file descriptors or more (%" PRIu64
		         " for the store%s, and each worker %" PRIu64 " of its own and one per DNS "
		         "query on the wire), but RLIMIT_NOFILE allows %" PRIu64
		         ": raise it (ulimit -n) or lower --workers",
		         p.workers,
		         (uint64_t)SCAN_FD_RESERVE + stage +
		                 (uint64_t)p.workers *
		                         (SCAN_FD_PER_WORKER + servers * SCAN_FD_PER_SERVER + 1),
		         (uint64_t)SCAN_FD_RESERVE + stage,
		         p.fetch ? " and the stage after DNS (HTTPS, getdns)" : "",
		         SCAN_FD_PER_WORKER + servers * SCAN_FD_PER_SERVER, nofile);
		return -1;
	}
	if (avail == NULL) {
		if (scan_mem_available(p.workers, &mine) != 0)
			return 0; /* nothing to compare with */
		avail = &mine;
	}
	uint64_t est = scan_mem_estimate(&p, &fixed);
	if (est <= avail->bytes)
		return 0;
	struct scan_plan one = p;
	one.workers = 1;
	one.inflight = 1;
	uint64_t least = scan_mem_estimate(&one, NULL);
	if (least > avail->bytes) {
		/* Not a matter of --workers and --inflight: the run's own
		 * part (mostly the answer cache, which a short list never
		 * fills) is the estimate's. */
		snprintf(err, errlen,
		         "a scan of a long list needs about %s even with --workers 1 "
		         "--inflight 1 (mostly the answer cache, once full), but %s is "
		         "available (%s); scanning anyway",
		         human(least, need, sizeof(need)), human(avail->bytes, have, sizeof(have)),
		         avail->source);
		return 1;
	}
	unsigned best = scan_mem_max_inflight(&p, avail->bytes);
	int k = snprintf(err, errlen,
	                 "--workers %u x --inflight %u: %" PRIu64
	                 " domains in progress need about %s (%s each, and %s for the "
	                 "rest of the run), but %s is available (%s); ",
	                 p.workers, p.inflight, (uint64_t)p.workers * p.inflight,
	                 human(est, need, sizeof(need)),
	                 human(SCAN_MEM_PER_DOMAIN, each, sizeof(each)),
	                 human(fixed, rest, sizeof(rest)), human(avail->bytes, have, sizeof(have)),
	                 avail->source);
	if (k < 0 || (size_t)k >= errlen)
		return -1;
	if (best > 0)
		snprintf(err + k, errlen - (size_t)k,
		         "the largest --inflight that fits is %u with --workers %u", best,
		         p.workers);
	else
		snprintf(err + k, errlen - (size_t)k,
		         "not even --inflight 1 fits with --workers %u: lower --workers",
		         p.workers);
	return -1;
}
