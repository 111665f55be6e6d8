/*
 * cmd_scan.c — "posture scan": lists into the store, as a new run or the
 * rest of an interrupted one ("posture runs" and "posture db" are in
 * cmd_db.c).
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "commands.h"
#include "dbread.h"
#include "domain_check.h"
#include "dnssec.h"
#include "domainlist.h"
#include "output.h"
#include "psl.h"
#include "scan.h"
#include "scan_limits.h"
#include "strutil.h"
#include "vmc.h"
#include "store.h"
#include "utf8.h"

#define SCAN_DB_DEFAULT       "posture.db"
#define SCAN_INFLIGHT_DEFAULT 200
/* DNS queries on the wire per worker. A UDP server's socket buffer holds
 * a few hundred queries (Linux: 208 KiB); with more outstanding than that,
 * every moment the server falls behind drops some, and each drop stalls a
 * domain for a whole --timeout. Measured against the bed's Knot on 2
 * cores (doc/performance.md): 64 per worker never dropped, 400 dropped
 * thousands per 100,000 domains and scanned slower. */
#define SCAN_OUTSTANDING_DEFAULT 64
#define SCAN_OUTSTANDING_MAX     10000
#define SCAN_QPS_MAX             10000000
/* Inconclusive results (percent of the run) above which a run ends
 * degraded instead of finished. A healthy resolver leaves a few per
 * hundred thousand; a dead or overrun one, most of them. */
#define SCAN_MAX_INCONCLUSIVE_DEFAULT 5
/* The resolvers a run records: DNS_MAX_SERVERS of "[IPv6]:PORT,". */
#define SCAN_RESOLVERS_TEXT_MAX (DNS_MAX_SERVERS * 72 + 1)
/* Descriptors kept free of DNS sockets: the store, its WAL and checkpoint
 * connection, the fetcher's connections, the lists, stdio. */
#define SCAN_FD_RESERVE 64
/* glibc's heap kept mapped during a scan (scan_process_setup). */
#define SCAN_MALLOC_TRIM_THRESHOLD (64 << 20)
#define SCAN_MALLOC_TOP_PAD        (16 << 20)
/* Results per transaction. Every commit rewrites the last (64 KiB) page
 * of each table and index it adds to: with 500 a 100,000-domain run put
 * 12,100 pages into the WAL, with 1,000 11,100 (the database is 9,400). */
#define SCAN_BATCH          1000
#define SCAN_PROBLEMS_SHOWN 20
/* Answers kept for the whole run. The ones worth sharing (providers'
 * includes, _dmarc of parents) are asked early and stay; a cap keeps memory
 * flat however long the list (an entry is about 2.5 KiB). */
#define SCAN_CACHE_ENTRIES 32768

const char cmd_scan_help[] =
        "usage: posture scan LIST... [--db FILE] [--label NAME] [--workers N]\n"
        "                    [--inflight N] [--outstanding N] [--qps N]\n"
        "                    [--checks LIST] [--trust-anchor FILE]\n"
        "                    [--no-fetch] [--shard K/N] [--max-inconclusive PCT]\n"
        "                    [--progress]\n"
        "                    [--progress-every N] [--quiet] [--json]\n"
        "                    [--selector S] [--ca-file FILE] [--connect-to H:P:A:P]\n"
        "                    [--allow-port PORT] [--vmc-roots FILE] [--at TIME]\n"
        "       posture scan --resume RUN [--db FILE] [options]\n"
        "\n"
        "Scans every domain of the lists and stores one result per domain in the\n"
        "SQLite database (default " SCAN_DB_DEFAULT "), as a new run.\n"
        "\n"
        "Lists: plain text (one domain per line, '#' comments) or CSV with a\n"
        "header holding a 'domain' column and optionally company, code, sector,\n"
        "list, dkim_selectors (the domain's DKIM selectors, space-separated, probed\n"
        "with --checks ...,dkim besides the scan's own). '-' reads standard input.\n"
        "Internationalised names are converted to A-labels; invalid names and\n"
        "duplicates are reported and skipped.\n"
        "\n"
        "  --db FILE         the database (created if missing)\n"
        "  --label NAME      names the run (default: the lists' names)\n"
        "  --workers N       threads, each with its own DNS context (default:\n"
        "                    the number of cores)\n"
        "  --inflight N      domains in progress per worker (default 200)\n"
        "  --outstanding N   DNS queries on the wire per worker (default 64);\n"
        "                    more keeps a distant resolver busier, but overruns\n"
        "                    a fast one's socket buffer (each lost query costs\n"
        "                    a --timeout)\n"
        "  --qps N           at most N DNS questions per second to the resolver\n"
        "                    in all (default: no cap; set one when scanning\n"
        "                    through a shared or public resolver); answers the\n"
        "                    run's cache holds and retries after a timeout are\n"
        "                    not counted\n"
        "  --checks LIST     spf, dmarc, bimi, mx (MX and A/AAAA), dkim, mta-sts,\n"
        "                    tls-rpt, dnssec, dane; default spf,dmarc,bimi,mx.\n"
        "                    BIMI fetches each logo and certificate over HTTPS\n"
        "                    (many at once, on a thread of its own); BIMI\n"
        "                    readiness needs the others too. dkim probes 6\n"
        "                    common selectors (google, selector1, k1, s1,\n"
        "                    default, dkim; posture dkim tries more):\n"
        "                    'none_found' means none of them holds a key, not\n"
        "                    that the domain has no DKIM. mta-sts reads\n"
        "                    _mta-sts and fetches the policy over HTTPS (no\n"
        "                    redirect followed; --no-fetch: not_fetched);\n"
        "                    tls-rpt reads _smtp._tls. dnssec validates the MX,\n"
        "                    SOA, _dmarc and SPF answers and dane the TLSA of\n"
        "                    each MX host through getdns, which fetches the\n"
        "                    DS and DNSKEY chain itself: several times the\n"
        "                    queries, so not in the default (doc/performance.md).\n"
        "                    A transport check that could not check (temperror,\n"
        "                    indeterminate) makes the result inconclusive\n"
        "  --trust-anchor FILE  for dnssec and dane: trust the DS or DNSKEY\n"
        "                    records of FILE (zone-file form) instead of the\n"
        "                    bundled root anchor\n"
        "  --shard K/N       scan only the K-th of N deterministic parts of the\n"
        "                    lists (1 <= K <= N); merge the shard databases with\n"
        "                    'posture db merge'\n"
        "  --max-inconclusive PCT  a run with more inconclusive results (DNS\n"
        "                    failures) than PCT percent ends 'degraded', exit 4,\n"
        "                    not 'finished' (default 5; 100: never)\n"
        "  --resume RUN      finish an interrupted run: scans the domains of RUN\n"
        "                    that have no result yet, with the run's own checks,\n"
        "                    fetching, selector, resolvers, timeout and retries\n"
        "                    (giving others is a usage error; --workers,\n"
        "                    --inflight, --outstanding, --qps may change) and\n"
        "                    its --ca-file, --vmc-roots, --trust-anchor, --at,\n"
        "                    --connect-to, --allow-port (a note when others are\n"
        "                    in force); a finished run is refused\n"
        "  --progress        progress on stderr when it is not a terminal (a log):\n"
        "                    a plain line every 60 seconds and one at the end,\n"
        "                    'TIME posture scan: DONE/TOTAL domains (P%), R/s,\n"
        "                    E inconclusive, ETA HH:MM:SS' (TIME in UTC, ISO\n"
        "                    8601; the last line ends 'finished after HH:MM:SS',\n"
        "                    'interrupted after ...' or 'failed after ...'). On\n"
        "                    a terminal a status line is redrawn in place, with\n"
        "                    or without it\n"
        "  --progress-every N  seconds between progress lines (1 to 86400;\n"
        "                    default 60); implies --progress\n"
        "  --quiet           no progress and no summary on standard output;\n"
        "                    errors still go to stderr and the exit status is\n"
        "                    the same\n"
        "  --json            print the run's summary as JSON\n"
        "BIMI options (as for posture bimi):\n" DOMAIN_CHECK_OPTIONS_HELP "\n"
        "A DNS failure is stored as temperror (inconclusive), never as 'no\n"
        "record'. Ctrl-C stops cleanly: results so far are kept, and the run is\n"
        "finished with --resume. So is a run whose process was killed.\n"
        "\n"
        "Exit status: 0 the run finished, every result conclusive; 1 it finished\n"
        "with some inconclusive results (at most --max-inconclusive); 2 usage\n"
        "(also a list that cannot be read or gives no domain, and a database\n"
        "another posture command is writing: no run is made);\n"
        "3 failure (database, out of memory); 4 could not check: the run is\n"
        "'degraded' (more inconclusive results than --max-inconclusive allows,\n"
        "as a dead resolver leaves); 130 interrupted (resume it).\n"
        "\n"
        "Examples:\n"
        "  posture scan lists/nikkei225.csv --db audit.db --label nightly\n"
        "  posture scan --resume 7 --db audit.db\n"
        "  posture scan top.txt --shard 2/8 --db shard2.db --qps 500\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct problems {
	unsigned long shown, total;
};

static void on_problem(void *arg, const char *source, unsigned long line, const char *reason)
{
	struct problems *p = arg;
	p->total++;
	if (p->shown++ < SCAN_PROBLEMS_SHOWN) {
		fprintf(stderr, "posture: %s:%lu: ", source, line);
		print_safe(stderr, reason);
		fputs(" (skipped)\n", stderr);
	}
}

/* A line that was read but deserves a word (a field that is not UTF-8):
 * shown like a problem, within the same limit, but nothing is skipped. */
static void on_warning(void *arg, const char *source, unsigned long line, const char *reason)
{
	struct problems *p = arg;
	if (p->shown++ < SCAN_PROBLEMS_SHOWN) {
		fprintf(stderr, "posture: %s:%lu: warning: ", source, line);
		print_safe(stderr, reason);
		fputc('\n', stderr);
	}
}

/* Loads the lists into a new run, in one transaction: a run exists only
 * with its whole work list. Returns 0, EXIT_USAGE (a list that cannot be
 * opened or gives no domain: no run is made) or EXIT_INTERNAL. */
static int load_run(struct store *s, struct store_run *r, char **lists, int nlists,
                    unsigned shard_k, unsigned shard_n, unsigned long *dups, struct problems *pr)
{
	char err[256];
	if (store_begin(s) != 0 || store_run_create(s, r) != 0)
		goto fail;
	for (int i = 0; i < nlists; i++) {
		struct list_reader *lr = list_open(lists[i], on_problem, pr, err, sizeof(err));
		if (lr == NULL) {
			fprintf(stderr, "posture: %s\n", err);
			store_rollback(s);
			return EXIT_USAGE;
		}
		list_on_warning(lr, on_warning, pr);
		struct list_entry e;
		int rc;
		unsigned long read = 0;
		while ((rc = list_next(lr, &e, err, sizeof(err))) == 1) {
			read++;
			if (shard_n > 1 && list_shard_of(e.domain, shard_n) != shard_k - 1)
				continue;
			bool added;
			if (store_run_add(s, r->id, &e, &added) != 0) {
				list_close(lr);
				goto fail;
			}
			if (!added) {
				(*dups)++;
				if (pr->shown++ < SCAN_PROBLEMS_SHOWN)
					fprintf(stderr,
					        "posture: %s:%lu: duplicate domain %s (skipped)\n",
					        lists[i], e.line, e.domain);
			}
		}
		unsigned long skipped = list_skipped(lr);
		list_close(lr);
		if (rc < 0) {
			fprintf(stderr, "posture: %s\n", err);
			store_rollback(s);
			return EXIT_INTERNAL;
		}
		if (read == 0) {
			/* A list that gives no domain is a mistake (a CSV separated
			 * by ';', a header without "domain", the wrong file), never
			 * an empty night that looks finished. */
			fprintf(stderr,
			        "posture: %s: no domain in it (%lu lines skipped): ", lists[i],
			        skipped);
			fputs("a list is one domain per line, or CSV (comma-separated) whose "
			      "header names a 'domain' column\n",
			      stderr);
			store_rollback(s);
			return EXIT_USAGE;
		}
	}
	if (store_run_recount(s, r->id) != 0 ||
	    store_run_set_state(s, r->id, STORE_RUN_RUNNING) != 0 || store_commit(s) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "posture: database: %s\n", store_error(s));
	store_rollback(s);
	return EXIT_INTERNAL;
}

/* Writes s as one shell word: as is when it holds only safe characters,
 * else in single quotes (a quote as '\'', control bytes escaped). */
static void print_shell_word(FILE *out, const char *s)
{
	if (s[0] != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                              "0123456789._/-+,:=@%") == strlen(s)) {
		fputs(s, out);
		return;
	}
	fputc('\'', out);
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\'') {
			fputs("'\\''", out);
		} else {
			char one[2] = { *p, '\0' };
			print_safe(out, one);
		}
	}
	fputc('\'', out);
}

static void print_summary(const struct store_run *r, const char *db, const struct scan_stats *st,
                          const struct store_body_stats *bs, bool json, unsigned long skipped,
                          unsigned long dups)
{
	uint64_t lookups = st->cache_hits + st->cache_misses;
	double hit = lookups ? (double)st->cache_hits / (double)lookups : 0;
	if (json) {
		/* Through jsonw: the label is a file name, not always UTF-8. */
		struct jsonw w;
		char num[32];
		jsonw_init(&w);
		jsonw_obj(&w);
		jsonw_kint(&w, "run", r->id);
		jsonw_kstr(&w, "label", r->label);
		jsonw_kstr(&w, "state", store_run_state_name(r->state));
		jsonw_kint(&w, "total", r->total);
		jsonw_kint(&w, "done", r->done);
		jsonw_kint(&w, "errors", r->errors);
		jsonw_kint(&w, "skipped_lines", (int64_t)skipped);
		jsonw_kint(&w, "duplicates", (int64_t)dups);
		jsonw_key(&w, "seconds");
		snprintf(num, sizeof(num), "%.3f", st->seconds);
		jsonw_raw(&w, num);
		jsonw_kint(&w, "queries", (int64_t)st->queries);
		jsonw_kint(&w, "sent", (int64_t)st->sent);
		jsonw_key(&w, "cache_hit_rate");
		snprintf(num, sizeof(num), "%.4f", hit);
		jsonw_raw(&w, num);
		jsonw_kint(&w, "timeouts", (int64_t)st->timeouts);
		jsonw_kint(&w, "scanned_now", (int64_t)st->done);
		jsonw_kint(&w, "stored_new", (int64_t)bs->full);
		jsonw_kint(&w, "stored_unchanged", (int64_t)bs->references);
		jsonw_kint(&w, "stored_bytes", (int64_t)bs->stored_bytes);
		jsonw_end_obj(&w);
		char *text = jsonw_finish(&w);
		if (text != NULL)
			printf("%s\n", text);
		else
			fputs("posture: out of memory\n", stderr);
		free(text);
		return;
	}
	printf("run %lld (", (long long)r->id);
	print_safe(stdout, r->label);
	printf("): %s, %lld of %lld domains, %lld inconclusive (temperror)\n",
	       store_run_state_name(r->state), (long long)r->done, (long long)r->total,
	       (long long)r->errors);
	printf("  this session: %.1f s, %.0f domains/s, %llu DNS questions (%llu queries sent, "
	       "cache hit rate %.0f%%), %llu timeouts\n",
	       st->seconds, st->seconds > 0 ? (double)st->done / st->seconds : 0,
	       (unsigned long long)st->queries, (unsigned long long)st->sent, 100 * hit,
	       (unsigned long long)st->timeouts);
	if (skipped || dups)
		printf("  list: %lu lines skipped, %lu duplicates skipped\n", skipped, dups);
	if (bs->full + bs->references > 0)
		printf("  stored: %llu new results (%.1f MB of JSON in %.1f MB), %llu unchanged "
		       "since "
		       "the domain's last conclusive check (kept as references)\n",
		       (unsigned long long)bs->full, (double)bs->json_bytes / 1e6,
		       (double)bs->stored_bytes / 1e6, (unsigned long long)bs->references);
	if (r->state == STORE_RUN_DEGRADED)
		printf("  degraded: %lld of %lld results inconclusive, more than "
		       "--max-inconclusive "
		       "allows: check the resolver; reports skip this run unless it is named\n",
		       (long long)r->errors, (long long)r->total);
	if (r->state == STORE_RUN_INTERRUPTED) {
		printf("  resume with: posture scan --resume %lld --db ", (long long)r->id);
		print_shell_word(stdout, db);
		putchar('\n');
	}
}

/* What posture scan was asked to do. */
struct scan_args {
	const char *db, *label, *checks;
	char **lists; /* argv's, nlists of them */
	int nlists;
	unsigned long workers, inflight, qps, resume, outstanding;
	unsigned long max_inconclusive; /* percent */
	unsigned shard_k, shard_n;
	bool progress, quiet;
	unsigned long progress_every; /* seconds between progress lines for logs */
	bool checks_given;            /* --checks was on the command line */
	struct domain_check_opts dco;
};

/* One option of posture scan's own at argv[*i] (with its value). Returns
 * 0, or EXIT_USAGE after saying why. */
static int scan_option(int argc, char **argv, int *i, struct scan_args *a)
{
	const char *opt = argv[*i];
	const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	unsigned long *num = NULL, lo = 1, hi = 0;

	if (strcmp(opt, "--progress") == 0) {
		a->progress = true;
		return 0;
	}
	if (strcmp(opt, "--quiet") == 0) {
		a->quiet = true;
		return 0;
	}
	if (opt[0] != '-' || strcmp(opt, "-") == 0) {
		a->lists[a->nlists++] = argv[*i];
		return 0;
	}
	if (v == NULL)
		return cli_help_names(cmd_scan_help, opt)
		               ? cli_usage_error("scan", "%s needs a value", opt)
		               : cli_unknown_option("scan", cmd_scan_help, opt);
	(*i)++;
	if (strcmp(opt, "--db") == 0)
		a->db = v;
	else if (strcmp(opt, "--label") == 0)
		a->label = v;
	else if (strcmp(opt, "--checks") == 0)
		a->checks = v, a->checks_given = true;
	else if (strcmp(opt, "--trust-anchor") == 0)
		a->dco.trust_anchor = v;
	else if (strcmp(opt, "--workers") == 0)
		num = &a->workers, hi = SCAN_MAX_WORKERS;
	else if (strcmp(opt, "--inflight") == 0)
		num = &a->inflight, hi = SCAN_MAX_INFLIGHT;
	else if (strcmp(opt, "--outstanding") == 0)
		num = &a->outstanding, hi = SCAN_OUTSTANDING_MAX;
	else if (strcmp(opt, "--qps") == 0)
		num = &a->qps, hi = SCAN_QPS_MAX;
	else if (strcmp(opt, "--max-inconclusive") == 0)
		num = &a->max_inconclusive, lo = 0, hi = 100;
	else if (strcmp(opt, "--progress-every") == 0)
		num = &a->progress_every, hi = 86400, a->progress = true;
	else if (strcmp(opt, "--resume") == 0)
		num = &a->resume, hi = INT32_MAX;
	else if (strcmp(opt, "--shard") == 0) {
		if (cli_parse_shard(v, &a->shard_k, &a->shard_n) != 0)
			return cli_usage_error("scan",
			                       "--shard takes K/N with 1 <= K <= N, not '%s'", v);
	} else {
		return cli_unknown_option("scan", cmd_scan_help, opt);
	}
	if (num != NULL && cli_parse_uint(v, lo, hi, num) != 0)
		return cli_usage_error("scan", "%s takes a number from %lu to %lu, not '%s'", opt,
		                       lo, hi, v);
	return 0;
}

/* Reads posture scan's arguments into a (whose lists the caller frees).
 * Returns 0, or EXIT_USAGE after saying why. */
static int scan_args_parse(int argc, char **argv, struct scan_args *a)
{
	char err[256];

	for (int i = 0; i < argc; i++) {
		int shared = domain_check_option(argc, argv, &i, &a->dco, err, sizeof(err));
		if (shared < 0)
			return cli_usage_error("scan", "%s", err);
		if (shared == 1)
			continue;
		if (scan_option(argc, argv, &i, a) != 0)
			return EXIT_USAGE;
	}
	if (domain_check_opts_env(&a->dco, err, sizeof(err)) != 0)
		return cli_usage_error("scan", "%s", err);
	if (domain_check_opts_files(&a->dco, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		return EXIT_USAGE;
	}
	if (a->nlists == 0 && a->resume == 0)
		return cli_usage_error("scan",
		                       "name at least one list (or '-' for standard input), "
		                       "or --resume RUN");
	if (a->nlists > 0 && a->resume != 0)
		return cli_usage_error("scan", "--resume takes no list: the run has its own");
	if (a->quiet && a->progress)
		return cli_usage_error("scan", "--quiet shows no progress: drop one of them");
	return 0;
}

/* A list that cannot be opened is a usage error (exit 2), said before
 * any database is made. Returns 0 or EXIT_USAGE. */
static int lists_readable(const struct scan_args *a)
{
	for (int i = 0; i < a->nlists; i++) {
		if (strcmp(a->lists[i], "-") == 0)
			continue;
		FILE *f = fopen(a->lists[i], "rb");
		if (f == NULL) {
			fprintf(stderr, "posture: cannot open %s: %s\n", a->lists[i],
			        strerror(errno));
			return EXIT_USAGE;
		}
		fclose(f);
	}
	return 0;
}

/* The scan's options from the arguments. Returns 0, or EXIT_USAGE after
 * saying why (also an unreadable --vmc-roots: *roots stays NULL). */
static int scan_options_make(const struct scan_args *a, const struct cli_globals *g,
                             struct scan_options *o, uint8_t **roots)
{
	char err[256];
	size_t roots_len = 0;

	memset(o, 0, sizeof(*o));
	o->dns = g->dns;
	o->workers = (unsigned)a->workers;
	o->inflight = (unsigned)a->inflight;
	o->qps = (unsigned)a->qps;
	/* The status line redrawn in place is for a terminal (the default
	 * there); a log gets plain lines, and only when asked. */
	o->progress = a->quiet                ? SCAN_PROGRESS_OFF
	              : isatty(STDERR_FILENO) ? SCAN_PROGRESS_TTY
	              : a->progress           ? SCAN_PROGRESS_LINES
	                                      : SCAN_PROGRESS_OFF;
	o->progress_every_s = (unsigned)a->progress_every;
	o->batch = SCAN_BATCH;
	o->cache_entries = SCAN_CACHE_ENTRIES;
	o->no_fetch = a->dco.no_fetch;
	o->ca_file = a->dco.ca_file;
	o->connect_to = a->dco.connect_to;
	o->allow_ports = a->dco.allow_port;
	o->n_allow_ports = a->dco.n_allow_port;
	o->n_connect_to = a->dco.n_connect_to;
	o->selector = a->dco.selector;
	o->at = a->dco.at;
	if (a->dco.vmc_roots) {
		if (domain_check_load_roots(a->dco.vmc_roots, roots, &roots_len, err,
		                            sizeof(err)) != 0) {
			fprintf(stderr, "posture: %s\n", err);
			return EXIT_USAGE; /* an input file that cannot be read */
		}
		o->vmc_roots = *roots;
		o->vmc_roots_len = roots_len;
	}
	if (checks_parse(a->checks, &o->checks, &o->bimi_asked, err, sizeof(err)) != 0)
		return cli_usage_error("scan", "%s", err);
	/* The anchors are read before the run is made: one that cannot be
	 * used is the caller's to fix. */
	if (a->dco.trust_anchor != NULL) {
		if (!(o->checks & CHECKS_VALIDATING))
			return cli_usage_error("scan", "--trust-anchor is for --checks ...,dnssec "
			                               "or dane");
		if (dnssec_anchors_check(a->dco.trust_anchor, err, sizeof(err)) != 0) {
			fprintf(stderr, "posture: --trust-anchor: %s\n", err);
			return EXIT_USAGE;
		}
	}
	o->trust_anchor = a->dco.trust_anchor;
	/* Each worker's queries on the wire: --outstanding, at most two per
	 * domain in progress, within the descriptor limit (each TCP query
	 * holds a socket; SCAN_FD_RESERVE stay for the store, the fetcher
	 * and the lists). */
	unsigned long nofile = cli_raise_nofile();
	unsigned nw = o->workers ? o->workers : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (nw == 0)
		nw = 1;
	unsigned long per = nofile > SCAN_FD_RESERVE ? (nofile - SCAN_FD_RESERVE) / nw : 16;
	if (per > 2 * a->inflight)
		per = 2 * a->inflight;
	o->dns.max_inflight = (unsigned)(per < a->outstanding ? per : a->outstanding);
	if (o->dns.max_inflight < 1)
		o->dns.max_inflight = 1;
	/* --workers x --inflight against the memory there is, and the
	 * descriptors against RLIMIT_NOFILE (scan_limits.h). */
	char limits[512];
	int fits = scan_limits_check(o, NULL, limits, sizeof(limits));
	if (fits < 0)
		return cli_usage_error("scan", "%s", limits);
	if (fits > 0)
		fprintf(stderr, "posture: warning: %s\n", limits);
	return 0;
}

/* The resolvers of dns as "ADDR:PORT,[ADDR6]:PORT" ("" for the system's),
 * the form cli_parse_resolvers reads back. */
static void resolvers_text(const struct dns_config *dns, char *out, size_t outlen)
{
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < dns->nservers && k < outlen; i++) {
		const struct dns_server *sv = &dns->servers[i];
		k += (size_t)snprintf(out + k, outlen - k, sv->v6 ? "%s[%s]:%u" : "%s%s:%u",
		                      i ? "," : "", sv->addr, sv->port);
	}
}

/* One recorded option against what the command line says: a value given
 * that differs from the run's is a usage error. */
static int resume_conflict(const char *what, bool given, const char *now, const char *recorded)
{
	if (given && strcmp(now, recorded) != 0)
		return cli_usage_error("scan",
		                       "--resume: the run was started with %s %s; it keeps its "
		                       "options (drop %s, or start a new run)",
		                       what, recorded, what);
	return 0;
}

/* The checks, fetching, selector and DNS settings a run was started with
 * decide its results, so --resume takes them from the run (g and a are
 * set from it); options that only pace the scan (--workers, --inflight,
 * --outstanding, --qps, --progress) may change. Returns 0 or EXIT_USAGE. */
/* Says when the value in force differs from the run's (a flag, or the
 * environment's default): the run keeps its own. */
static void resume_note(const char *what, const char *now, const char *recorded)
{
	if (now != NULL && now[0] != '\0' && strcmp(now, recorded) != 0)
		fprintf(stderr,
		        "posture: note: --resume: the run was started with %s %s; it keeps it "
		        "(not %s)\n",
		        what, recorded, now);
}

static void opt_decode(char *v);

/* One recorded path option (--ca-file, --vmc-roots) back in *field. */
static void resume_path(const struct store_run *run, const char *key, const char *flag,
                        const char **field, char *buf, size_t len)
{
	if (cli_run_option(run->options, key, buf, len)) {
		opt_decode(buf);
		resume_note(flag, *field, buf);
		*field = buf;
	} else {
		if (*field != NULL && (*field)[0] != '\0')
			fprintf(stderr,
			        "posture: note: --resume: the run was started without %s; it keeps "
			        "that (not %s)\n",
			        flag, *field);
		*field = NULL;
	}
}

/* The fetch options the run recorded (ca-file, vmc-roots, at,
 * connect-to, allow-port) replace those in force: a resumed run fetches
 * as it began, whatever the environment says now. */
static void resume_fetch_options(const struct store_run *run, struct domain_check_opts *d)
{
	static char ca[4096], roots[4096], ct[4096], anchor[4096];
	char v[4096];
	resume_path(run, "ca-file", "--ca-file", &d->ca_file, ca, sizeof(ca));
	resume_path(run, "vmc-roots", "--vmc-roots", &d->vmc_roots, roots, sizeof(roots));
	resume_path(run, "trust-anchor", "--trust-anchor", &d->trust_anchor, anchor,
	            sizeof(anchor));
	d->at = cli_run_option(run->options, "at", v, sizeof(v)) ? (time_t)strtoll(v, NULL, 10) : 0;
	char now[4096] = "";
	for (size_t i = 0, k = 0; i < d->n_connect_to && k < sizeof(now); i++)
		k += (size_t)snprintf(now + k, sizeof(now) - k, "%s%s", i ? "," : "",
		                      d->connect_to[i]);
	d->n_connect_to = 0;
	if (!cli_run_option(run->options, "connect-to", ct, sizeof(ct)) && now[0] != '\0')
		fprintf(stderr,
		        "posture: note: --resume: the run was started without --connect-to; it "
		        "keeps "
		        "that (not %s)\n",
		        now);
	else if (ct[0] != '\0') {
		char shown[4096];
		str_copy(shown, sizeof(shown), ct);
		opt_decode(shown);
		resume_note("--connect-to", now, shown);
		char *save = NULL;
		for (char *tok = strtok_r(ct, ",", &save);
		     tok != NULL && d->n_connect_to < DOMAIN_CHECK_CONNECT_TO_MAX;
		     tok = strtok_r(NULL, ",", &save)) {
			opt_decode(tok);
			d->connect_to[d->n_connect_to++] = tok;
		}
	}
	d->n_allow_port = 0;
	if (cli_run_option(run->options, "allow-port", v, sizeof(v))) {
		char *save = NULL;
		for (char *tok = strtok_r(v, ",", &save);
		     tok != NULL && d->n_allow_port < FETCH_ALLOW_PORTS_MAX;
		     tok = strtok_r(NULL, ",", &save))
			d->allow_port[d->n_allow_port++] = strtol(tok, NULL, 10);
	}
}

static int resume_options(const struct store_run *run, struct scan_args *a, struct cli_globals *g,
                          char *checks, size_t checkslen, char *selector, size_t selectorlen)
{
	char v[SCAN_RESOLVERS_TEXT_MAX], now[SCAN_RESOLVERS_TEXT_MAX], err[256];
	unsigned long n;

	if (cli_run_option(run->options, "checks", checks, checkslen)) {
		if (resume_conflict("--checks", a->checks_given, a->checks, checks) != 0)
			return EXIT_USAGE;
		a->checks = checks;
	}
	bool no_fetch = cli_run_option(run->options, "no-fetch", v, sizeof(v));
	if (a->dco.no_fetch && !no_fetch)
		return cli_usage_error("scan", "--resume: the run fetches over HTTPS; it keeps its "
		                               "options (drop --no-fetch, or start a new run)");
	a->dco.no_fetch = no_fetch;
	if (cli_run_option(run->options, "selector", selector, selectorlen)) {
		if (resume_conflict("--selector", a->dco.selector != NULL,
		                    a->dco.selector ? a->dco.selector : "", selector) != 0)
			return EXIT_USAGE;
		a->dco.selector = strcmp(selector, "default") == 0 ? NULL : selector;
	}
	if (cli_run_option(run->options, "timeout", v, sizeof(v)) &&
	    cli_parse_uint(v, 1, 600000, &n) == 0) {
		snprintf(now, sizeof(now), "%u", g->dns.timeout_ms);
		if (resume_conflict("--timeout", g->timeout_given, now, v) != 0)
			return EXIT_USAGE;
		g->dns.timeout_ms = (unsigned)n;
	}
	if (cli_run_option(run->options, "retries", v, sizeof(v)) &&
	    cli_parse_uint(v, 0, 10, &n) == 0) {
		snprintf(now, sizeof(now), "%u", g->dns.retries);
		if (resume_conflict("--retries", g->retries_given, now, v) != 0)
			return EXIT_USAGE;
		g->dns.retries = (unsigned)n;
	}
	resume_fetch_options(run, &a->dco);
	if (cli_run_option(run->options, "resolvers", v, sizeof(v))) {
		resolvers_text(&g->dns, now, sizeof(now));
		if (strcmp(v, "system") == 0)
			v[0] = '\0';
		if (resume_conflict("--resolver", g->resolver_given, now,
		                    v[0] ? v : "(the system's)") != 0)
			return EXIT_USAGE;
		g->dns.nservers = 0;
		if (cli_parse_resolvers(v, &g->dns, err, sizeof(err)) != 0) {
			fprintf(stderr, "posture: run %lld recorded resolvers '%s': %s\n",
			        (long long)run->id, v, err);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* Reads the run --resume names: it must exist and be neither running
 * nor finished. Returns 0 or an exit status. */
static int resume_check(struct store *s, const struct scan_args *a, struct store_run *run)
{
	int got = store_run_get(s, (int64_t)a->resume, run);
	if (got <= 0) {
		fprintf(stderr, "posture: %s: no run %lu\n", a->db, a->resume);
		return got == 0 ? EXIT_USAGE : EXIT_INTERNAL;
	}
	if (run->state == STORE_RUN_RUNNING) {
		fprintf(stderr, "posture: run %lu is still running (pid %lld on %s)\n", a->resume,
		        (long long)run->pid, run->host);
		return EXIT_USAGE;
	}
	if (run->state == STORE_RUN_FINISHED || run->state == STORE_RUN_DEGRADED) {
		fprintf(stderr,
		        "posture: run %lu is %s: nothing to resume (start a new run "
		        "to scan again)\n",
		        a->resume, store_run_state_name(run->state));
		return EXIT_USAGE;
	}
	return 0;
}

/* FNV-1a (64 bits) of a list file's bytes, as 16 hex digits, or "-" when
 * it cannot be read again (standard input). A checksum against accidents
 * (db merge refuses shards of lists that differ), not against forgery. */
static void list_checksum(const char *path, char out[17])
{
	FILE *f = strcmp(path, "-") == 0 ? NULL : fopen(path, "rb");
	unsigned char buf[65536];
	uint64_t h = 14695981039346656037u;
	size_t n;
	if (f == NULL) {
		snprintf(out, 17, "-");
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		for (size_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211u;
	bool bad = ferror(f) != 0;
	fclose(f);
	snprintf(out, 17, bad ? "-" : "%016llx", (unsigned long long)h);
}

/* " list-fnv1a64=H1,H2..." for the run's options. */
static void list_checksums(const struct scan_args *a, char *out, size_t len)
{
	size_t k = (size_t)snprintf(out, len, " list-fnv1a64=");
	for (int i = 0; i < a->nlists && k + 18 < len; i++) {
		char h[17];
		list_checksum(a->lists[i], h);
		k += (size_t)snprintf(out + k, len - k, "%s%s", i ? "," : "", h);
	}
}

/* Appends " key=value" to out (len bytes, *k used), the value with ' ',
 * ',', '%' and control bytes as %XX, so a path with spaces stays one
 * token of the run's options (cli_run_option splits at spaces). Returns
 * -1 when it does not fit. */
static int opt_append(char *out, size_t len, size_t *k, const char *key, const char *value)
{
	int n = snprintf(out + *k, len - *k, " %s=", key);
	if (n < 0 || (size_t)n >= len - *k)
		return -1;
	*k += (size_t)n;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		bool esc = *p <= ' ' || *p == ',' || *p == '%' || *p == 0x7f;
		if (*k + (esc ? 3 : 1) >= len)
			return -1;
		if (esc)
			*k += (size_t)snprintf(out + *k, len - *k, "%%%02X", *p);
		else
			out[(*k)++] = (char)*p;
	}
	out[*k] = '\0';
	return 0;
}

/* The value of opt_append back: %XX decoded in place. */
static void opt_decode(char *v)
{
	char *o = v;
	for (const char *p = v; *p; p++) {
		unsigned x;
		if (p[0] == '%' && sscanf(p + 1, "%2x", &x) == 1 && p[1] && p[2]) {
			*o++ = (char)x;
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

/* The fetch options that decide a run's BIMI results, for its options:
 * ca-file, vmc-roots, at, connect-to (entries joined by ','), allow-port.
 * -1 when they do not fit. */
static int fetch_options_text(const struct domain_check_opts *d, char *out, size_t len)
{
	size_t k = 0;
	char buf[4096];
	out[0] = '\0';
	if (d->ca_file && opt_append(out, len, &k, "ca-file", d->ca_file) != 0)
		return -1;
	if (d->vmc_roots && opt_append(out, len, &k, "vmc-roots", d->vmc_roots) != 0)
		return -1;
	if (d->trust_anchor && opt_append(out, len, &k, "trust-anchor", d->trust_anchor) != 0)
		return -1;
	if (d->at != 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)d->at);
		if (opt_append(out, len, &k, "at", buf) != 0)
			return -1;
	}
	for (size_t i = 0; i < d->n_connect_to; i++) {
		/* Each entry encoded alone, joined by a literal ','. */
		char one[1024];
		size_t ok = 0;
		if (opt_append(one, sizeof(one), &ok, "x", d->connect_to[i]) != 0)
			return -1;
		if (i == 0 && opt_append(out, len, &k, "connect-to", "") != 0)
			return -1;
		int n = snprintf(out + k, len - k, "%s%s", i ? "," : "", one + 3);
		if (n < 0 || (size_t)n >= len - k)
			return -1;
		k += (size_t)n;
	}
	for (size_t i = 0; i < d->n_allow_port; i++) {
		int n = snprintf(out + k, len - k, "%s%ld",
		                 i ? "," : " allow-port=", d->allow_port[i]);
		if (n < 0 || (size_t)n >= len - k)
			return -1;
		k += (size_t)n;
	}
	return 0;
}

/* Opens the run to scan: the one --resume names (marked running), or a
 * new one loaded from the lists. Returns 0 or an exit status. */
static int scan_run_open(struct store *s, const struct scan_args *a, const struct scan_options *o,
                         struct store_run *run, unsigned long *dups, struct problems *pr)
{
	if (a->resume != 0) {
		/* resume_prepare read the run and checked it can resume. */
		if (store_run_set_state(s, run->id, STORE_RUN_RUNNING) != 0) {
			fprintf(stderr, "posture: database: %s\n", store_error(s));
			return EXIT_INTERNAL;
		}
		return 0;
	}
	memset(run, 0, sizeof(*run));
	size_t k = 0;
	for (int i = 0; i < a->nlists && k + 2 < sizeof(run->list); i++)
		k += (size_t)snprintf(run->list + k, sizeof(run->list) - k, "%s%s", i ? " " : "",
		                      a->lists[i]);
	/* File names and labels need not be UTF-8; what is stored is (runs
	 * --json and the reports print it). */
	char raw[sizeof(run->list)];
	str_copy(raw, sizeof(raw), run->list);
	utf8_clean(raw, run->list, sizeof(run->list));
	utf8_clean(a->label ? a->label : run->list, run->label, sizeof(run->label));
	char resolvers[SCAN_RESOLVERS_TEXT_MAX];
	resolvers_text(&o->dns, resolvers, sizeof(resolvers));
	char sums[256], fetch[2048];
	list_checksums(a, sums, sizeof(sums));
	int n = fetch_options_text(&a->dco, fetch, sizeof(fetch));
	if (n == 0)
		n = snprintf(
		        run->options, sizeof(run->options),
		        "checks=%s workers=%lu inflight=%lu outstanding=%lu qps=%lu shard=%u/%u "
		        "timeout=%u retries=%u%s selector=%s resolvers=%s%s%s",
		        a->checks, a->workers, a->inflight, a->outstanding, a->qps, a->shard_k,
		        a->shard_n, o->dns.timeout_ms, o->dns.retries,
		        a->dco.no_fetch ? " no-fetch" : "",
		        a->dco.selector ? a->dco.selector : "default",
		        resolvers[0] ? resolvers : "system", sums, fetch);
	if (n < 0 || (size_t)n >= sizeof(run->options)) {
		fprintf(stderr, "posture: scan: the run's options are too long to record "
		                "(--connect-to, --ca-file...): shorten them\n");
		return EXIT_USAGE;
	}
	str_copy(run->tool_version, sizeof(run->tool_version), POSTURE_VERSION);
	int rc = load_run(s, run, a->lists, a->nlists, a->shard_k, a->shard_n, dups, pr);
	if (rc != 0)
		return rc;
	if (pr->shown > SCAN_PROBLEMS_SHOWN)
		fprintf(stderr, "posture: %lu more list problems not shown\n",
		        pr->shown - SCAN_PROBLEMS_SHOWN);
	return 0;
}

/* Process-wide settings a scan wants, which only the program may make. */
static void scan_process_setup(void)
{
	struct sigaction sa;

	/* Every domain in progress holds a ~20 KiB result and frees it when
	 * done: without these, glibc trims the heap and maps it back again
	 * thousands of times a second (page faults were the top cost). */
	mallopt(M_TRIM_THRESHOLD, SCAN_MALLOC_TRIM_THRESHOLD);
	mallopt(M_TOP_PAD, SCAN_MALLOC_TOP_PAD);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int cmd_scan(int argc, char **argv, const struct cli_globals *g)
{
	struct scan_args a = { .db = SCAN_DB_DEFAULT,
		               .checks = "spf,dmarc,bimi,mx",
		               .inflight = SCAN_INFLIGHT_DEFAULT,
		               .outstanding = SCAN_OUTSTANDING_DEFAULT,
		               .max_inconclusive = SCAN_MAX_INCONCLUSIVE_DEFAULT,
		               .shard_k = 1,
		               .shard_n = 1 };
	uint8_t *roots = NULL;
	struct scan_options o;
	char err[1024], checks[64], selector[DNS_NAME_BUF];
	int rc = EXIT_INTERNAL;
	struct store *s = NULL;
	struct store_run run;
	struct cli_globals gl = *g; /* --resume takes the run's DNS settings */
	unsigned long dups = 0;
	struct problems pr = { 0, 0 };
	struct scan_stats st;

	a.lists = calloc((size_t)argc + 1, sizeof(char *));
	if (a.lists == NULL)
		return EXIT_INTERNAL;
	domain_check_opts_init(&a.dco);
	rc = scan_args_parse(argc, argv, &a);
	/* Options are checked before the database is touched; a resumed
	 * run's own are applied and checked again once it is read. */
	if (rc == 0)
		rc = scan_options_make(&a, &gl, &o, &roots);
	if (rc == 0)
		rc = lists_readable(&a);
	if (rc != 0)
		goto out;
	rc = EXIT_INTERNAL;
	if (psl_init() != 0) {
		fprintf(stderr, "posture: cannot load the Public Suffix List\n");
		goto out;
	}
	s = store_open(a.db, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "posture: %s\n", err);
		goto out;
	}
	/* One writer per database: a second scan (or merge) is refused at
	 * once, before it writes anything. */
	int claim = store_claim_writer(s, err, sizeof(err));
	if (claim != 0) {
		fprintf(stderr, "posture: %s\n", err);
		rc = claim == STORE_CLAIM_BUSY ? EXIT_USAGE : EXIT_INTERNAL;
		goto out;
	}
	if (a.resume != 0) {
		rc = resume_check(s, &a, &run);
		if (rc == 0)
			rc = resume_options(&run, &a, &gl, checks, sizeof(checks), selector,
			                    sizeof(selector));
		free(roots);
		roots = NULL;
		if (rc == 0)
			rc = scan_options_make(&a, &gl, &o, &roots);
		if (rc != 0)
			goto out;
	}
	rc = scan_run_open(s, &a, &o, &run, &dups, &pr);
	if (rc != 0)
		goto out;
	rc = EXIT_INTERNAL;
	scan_process_setup();
	if (scan_run(s, run.id, &o, &stop_flag, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: scan: %s\n", err);
		store_run_set_state(s, run.id, STORE_RUN_INTERRUPTED);
		goto out;
	}
	int64_t total, done, errors;
	if (store_run_counts(s, run.id, &total, &done, &errors) != 0) {
		fprintf(stderr, "posture: database: %s\n", store_error(s));
		goto out;
	}
	/* More inconclusive results than allowed: the night is not trusted
	 * (a dead or overrun resolver looks like this), whatever else ran. */
	bool degraded = (uint64_t)errors * 100 > (uint64_t)a.max_inconclusive * (uint64_t)total;
	enum store_run_state state = st.interrupted ? STORE_RUN_INTERRUPTED
	                             : degraded     ? STORE_RUN_DEGRADED
	                                            : STORE_RUN_FINISHED;
	if (store_run_set_state(s, run.id, state) != 0 || store_run_get(s, run.id, &run) != 1) {
		fprintf(stderr, "posture: database: %s\n", store_error(s));
		goto out;
	}
	/* The run's statistics, counted once: reports and trends read them
	 * (an interrupted run is counted when it is resumed to its end). */
	if (state != STORE_RUN_INTERRUPTED)
		cli_run_stats_keep(s, run.id);
	if (!a.quiet) {
		struct store_body_stats bs;
		store_body_stats(s, &bs);
		print_summary(&run, a.db, &st, &bs, g->json, pr.total, dups);
	} else if (run.state != STORE_RUN_FINISHED) {
		/* Quiet, but a night that did not finish still says why and how
		 * to go on (on stderr, where cron and the journal look). */
		fprintf(stderr, "posture: run %lld %s, %lld of %lld inconclusive",
		        (long long)run.id, store_run_state_name(run.state), (long long)run.errors,
		        (long long)run.total);
		if (run.state == STORE_RUN_INTERRUPTED) {
			fprintf(stderr, "; resume with: posture scan --resume %lld --db ",
			        (long long)run.id);
			print_shell_word(stderr, a.db);
		}
		fputc('\n', stderr);
	}
	rc = st.interrupted   ? EXIT_INTERRUPTED
	     : degraded       ? EXIT_UNCHECKED
	     : run.errors > 0 ? EXIT_PROBLEMS
	                      : EXIT_OK;
out:
	store_close(s);
	free(roots);
	free(a.lists);
	return rc;
}
