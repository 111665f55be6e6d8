/*
 * bench_dns.c — queries per second through posture's DNS adapter, for
 * scripts/bench-dns.sh (make bench-dns), which sets it beside dnsperf.
 *
 *   bench_dns --resolver 127.0.0.1:PORT --queries FILE --inflight N
 *             [--count M] [--cache | --no-cache] [--verbose]
 *
 * FILE is a dnsperf query list ("name TYPE" per line). One worker on one
 * thread keeps N queries outstanding: each callback starts the next query,
 * cycling through FILE, until M have completed (default: 100,000, or the
 * length of FILE if longer). There is no answer cache unless --cache is
 * given: the point is the cost of the adapter and getdns per query, and a
 * cache would answer every name after the first round without the wire.
 *
 * Prints one line:
 *   inflight=N queries=M seconds=S qps=Q outcomes: data=.. nodata=..
 *   nxdomain=.. servfail=.. timeout=.. malformed=..
 * Exit status: 0; 1 when any query timed out, failed or came back
 * malformed, or an answer is for another question than the one asked (a
 * fast wrong answer is no result); 2 for usage or set-up errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "dns.h"

#define BENCH_DEFAULT_COUNT 100000UL
#define BENCH_MAX_INFLIGHT  100000UL
#define BENCH_MAX_COUNT     1000000000UL
/* Descriptors besides the UDP sockets: stdio, epoll, TCP connections
 * for truncated answers, the query file. */
#define BENCH_FD_RESERVE 64
/* A query line holds a name (escapes can make it DNS_NAME_BUF long), a
 * type and some blanks; anything longer is not a query. */
#define BENCH_LINE_MAX (DNS_NAME_BUF + 64)
#define BENCH_OUTCOMES (DNS_OUTCOME_MALFORMED + 1)

struct bench_query {
	char *name; /* normalised, as the adapter reports it back */
	uint16_t type;
};

struct bench {
	struct dns_worker *w;
	struct bench_query *q;
	size_t nq;
	uint64_t count;   /* queries to run */
	uint64_t started; /* also the next position in the cycle */
	uint64_t outcomes[BENCH_OUTCOMES];
	uint64_t wrong;        /* answers to another question */
	uint64_t start_failed; /* dns_query_start refused (out of memory) */
};

/* One pipeline lane: the slot of a finished query carries the next. */
struct lane {
	struct bench *b;
	size_t idx;
};

static void usage(FILE *out)
{
	fputs("usage: bench_dns --resolver ADDR[:PORT] --queries FILE --inflight N\n"
	      "                 [--count M] [--cache | --no-cache] [--verbose]\n"
	      "  --queries FILE  dnsperf query list, \"name TYPE\" per line\n"
	      "  --inflight N    queries outstanding on the one worker\n"
	      "  --count M       queries to run (default: 100000, or the file's\n"
	      "                  length if longer), cycling through FILE\n"
	      "  --cache         share answers through a dns_cache (default: none)\n"
	      "  --verbose       worker statistics on stderr\n",
	      out);
}

static void free_queries(struct bench_query *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(q[i].name);
	free(q);
}

/* Parses one line into q. Returns 1 for a query, 0 for a blank or comment
 * line, -1 with a reason in err. */
static int parse_line(char *line, struct bench_query *q, char *err, size_t errlen)
{
	char *save = NULL, *name, *type, *extra;
	char norm[DNS_NAME_BUF];

	name = strtok_r(line, " \t\r\n", &save);
	/* As dnsperf does: blank lines and ';' comments are no queries. */
	if (name == NULL || name[0] == ';')
		return 0;
	type = strtok_r(NULL, " \t\r\n", &save);
	extra = strtok_r(NULL, " \t\r\n", &save);
	if (type == NULL || extra != NULL) {
		snprintf(err, errlen, "expected \"name TYPE\"");
		return -1;
	}
	q->type = dns_type_parse(type);
	if (q->type == 0) {
		snprintf(err, errlen, "unknown type '%s'", type);
		return -1;
	}
	/* Rejected here rather than mid-run, where dns_query_start would
	 * refuse it and leave a hole in the pipeline. */
	if (dns_name_normalize(name, norm, sizeof(norm)) != 0) {
		snprintf(err, errlen, "invalid name '%s'", name);
		return -1;
	}
	q->name = strdup(norm);
	if (q->name == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 1;
}

/* Reads FILE into b->q. Returns 0, or -1 after printing why. */
static int load_queries(struct bench *b, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[BENCH_LINE_MAX], err[DNS_NAME_BUF + 64];
	size_t cap = 0;
	unsigned long lineno = 0;

	if (f == NULL) {
		fprintf(stderr, "bench_dns: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct bench_query q = { 0 };
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "bench_dns: %s:%lu: line longer than %d bytes\n", path,
			        lineno, BENCH_LINE_MAX - 2);
			goto fail;
		}
		int r = parse_line(line, &q, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "bench_dns: %s:%lu: %s\n", path, lineno, err);
			goto fail;
		}
		if (r == 0)
			continue;
		if (b->nq == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct bench_query *t = realloc(b->q, ncap * sizeof(*t));
			if (t == NULL) {
				free(q.name);
				fprintf(stderr, "bench_dns: out of memory\n");
				goto fail;
			}
			b->q = t;
			cap = ncap;
		}
		b->q[b->nq++] = q;
	}
	if (ferror(f)) {
		fprintf(stderr, "bench_dns: %s: read error\n", path);
		goto fail;
	}
	fclose(f);
	if (b->nq == 0) {
		fprintf(stderr, "bench_dns: %s: no queries\n", path);
		return -1;
	}
	return 0;
fail:
	fclose(f);
	return -1;
}

static void on_answer(const struct dns_answer *a, void *arg);

/* Starts the next query of the cycle on lane l; false when all are out. */
static bool start_next(struct lane *l)
{
	struct bench *b = l->b;

	while (b->started < b->count) {
		l->idx = (size_t)(b->started % b->nq);
		b->started++;
		const struct bench_query *q = &b->q[l->idx];
		if (dns_query_start(b->w, q->name, q->type, on_answer, l) == 0)
			return true;
		/* Names were checked at load, so only memory can fail: count
		 * it as a failed query and go on with the next one. */
		b->start_failed++;
	}
	return false;
}

static void on_answer(const struct dns_answer *a, void *arg)
{
	struct lane *l = arg;
	struct bench *b = l->b;
	const struct bench_query *q = &b->q[l->idx];

	if ((size_t)a->outcome < BENCH_OUTCOMES)
		b->outcomes[a->outcome]++;
	if (a->type != q->type || strcmp(a->name, q->name) != 0) {
		if (b->wrong == 0)
			fprintf(stderr, "bench_dns: asked %s, answered %s\n", q->name, a->name);
		b->wrong++;
	}
	start_next(l);
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct options {
	struct dns_config cfg;
	const char *qfile;
	unsigned long inflight, count; /* count 0: the default */
	bool use_cache, verbose;
};

/* Returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "resolver", required_argument, NULL, 'r' },
		{ "queries", required_argument, NULL, 'f' },
		{ "inflight", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "cache", no_argument, NULL, 'C' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int opt;

	memset(o, 0, sizeof(*o));
	dns_config_init(&o->cfg);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (dns_server_parse(optarg, &o->cfg.servers[0], err, sizeof(err)) != 0) {
				fprintf(stderr, "bench_dns: --resolver: %s\n", err);
				return 2;
			}
			o->cfg.nservers = 1;
			break;
		case 'f':
			o->qfile = optarg;
			break;
		case 'n':
			if (cli_parse_uint(optarg, 1, BENCH_MAX_INFLIGHT, &o->inflight) != 0) {
				fprintf(stderr, "bench_dns: --inflight takes 1 to %lu, not '%s'\n",
				        BENCH_MAX_INFLIGHT, optarg);
				return 2;
			}
			break;
		case 'c':
			if (cli_parse_uint(optarg, 1, BENCH_MAX_COUNT, &o->count) != 0) {
				fprintf(stderr, "bench_dns: --count takes 1 to %lu, not '%s'\n",
				        BENCH_MAX_COUNT, optarg);
				return 2;
			}
			break;
		case 'C':
			o->use_cache = true;
			break;
		case 'N':
			o->use_cache = false;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || o->cfg.nservers == 0 || o->qfile == NULL || o->inflight == 0) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/* Keeps up to nlanes queries outstanding until b->count are done;
 * returns the seconds it took. */
static double run(struct bench *b, struct lane *lanes, size_t nlanes)
{
	/* The clock includes filling the pipeline and draining it: a scan
	 * pays both too, and they are small against 100,000 queries. */
	double t0 = now_seconds();
	for (size_t i = 0; i < nlanes; i++) {
		lanes[i].b = b;
		start_next(&lanes[i]);
	}
	dns_worker_run(b->w);
	return now_seconds() - t0;
}

/* Prints the result line (and details with verbose); returns the exit
 * status. */
static int report(const struct bench *b, const struct options *o, struct dns_cache *cache,
                  double secs)
{
	uint64_t done = 0;

	for (int i = 0; i < BENCH_OUTCOMES; i++)
		done += b->outcomes[i];
	printf("inflight=%lu queries=%llu seconds=%.3f qps=%.0f outcomes: data=%llu nodata=%llu "
	       "nxdomain=%llu servfail=%llu timeout=%llu malformed=%llu\n",
	       o->inflight, (unsigned long long)done, secs, secs > 0 ? (double)done / secs : 0.0,
	       (unsigned long long)b->outcomes[DNS_OUTCOME_DATA],
	       (unsigned long long)b->outcomes[DNS_OUTCOME_NODATA],
	       (unsigned long long)b->outcomes[DNS_OUTCOME_NXDOMAIN],
	       (unsigned long long)b->outcomes[DNS_OUTCOME_SERVFAIL],
	       (unsigned long long)b->outcomes[DNS_OUTCOME_TIMEOUT],
	       (unsigned long long)b->outcomes[DNS_OUTCOME_MALFORMED]);
	if (o->verbose) {
		struct dns_worker_stats st;
		dns_worker_stats(b->w, &st);
		fprintf(stderr,
		        "bench_dns: sent_udp=%llu sent_tcp=%llu timeouts=%llu completed=%llu\n",
		        (unsigned long long)st.sent_udp, (unsigned long long)st.sent_tcp,
		        (unsigned long long)st.timeouts, (unsigned long long)st.completed);
		if (cache != NULL) {
			struct dns_cache_stats cs;
			dns_cache_stats(cache, &cs);
			fprintf(stderr, "bench_dns: cache hits=%llu misses=%llu\n",
			        (unsigned long long)cs.hits, (unsigned long long)cs.misses);
		}
	}
	if (b->wrong > 0)
		fprintf(stderr, "bench_dns: %llu answers were for another question\n",
		        (unsigned long long)b->wrong);
	if (b->start_failed > 0)
		fprintf(stderr, "bench_dns: %llu queries could not be started\n",
		        (unsigned long long)b->start_failed);
	if (b->outcomes[DNS_OUTCOME_SERVFAIL] || b->outcomes[DNS_OUTCOME_TIMEOUT] ||
	    b->outcomes[DNS_OUTCOME_MALFORMED] || b->wrong || b->start_failed)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct bench b = { 0 };
	struct dns_cache *cache = NULL;
	struct lane *lanes = NULL;
	char err[256];
	int rc = parse_options(argc, argv, &o);

	if (rc >= 0)
		return rc;
	rc = 2;
	/* Each UDP query in flight holds a socket of its own. */
	unsigned long nofile = cli_raise_nofile();
	if (o.inflight + BENCH_FD_RESERVE > nofile) {
		fprintf(stderr,
		        "bench_dns: --inflight %lu needs about %lu descriptors, the limit is "
		        "%lu (ulimit -n)\n",
		        o.inflight, o.inflight + BENCH_FD_RESERVE, nofile);
		return 2;
	}
	if (load_queries(&b, o.qfile) != 0)
		goto out;
	b.count = o.count ? o.count : (b.nq > BENCH_DEFAULT_COUNT ? b.nq : BENCH_DEFAULT_COUNT);
	o.cfg.max_inflight = (unsigned)o.inflight;
	if (o.use_cache && (cache = dns_cache_new(0)) == NULL) {
		fprintf(stderr, "bench_dns: out of memory\n");
		goto out;
	}
	b.w = dns_worker_new(&o.cfg, cache, err, sizeof(err));
	if (b.w == NULL) {
		fprintf(stderr, "bench_dns: %s\n", err);
		goto out;
	}
	size_t nlanes = o.inflight < b.count ? o.inflight : (size_t)b.count;
	lanes = calloc(nlanes, sizeof(*lanes));
	if (lanes == NULL) {
		fprintf(stderr, "bench_dns: out of memory\n");
		goto out;
	}
	rc = report(&b, &o, cache, run(&b, lanes, nlanes));
out:
	dns_worker_free(b.w);
	dns_cache_free(cache);
	free(lanes);
	free_queries(b.q, b.nq);
	return rc;
}
