/*
 * cmd_db.c — "posture runs" (what the store holds), "posture db merge"
 * (shards into one run, checked first); the other db subcommands are in
 * cmd_dbmaint.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dbread.h"
#include "domainlist.h"
#include "output.h"
#include "store.h"
#include "strutil.h"

#define DB_DEFAULT "posture.db"

const char cmd_runs_help[] = "usage: posture runs [--db FILE] [--json]\n"
                             "\n"
                             "Lists the runs in the database, newest first: id, label, state\n"
                             "(loading, running, interrupted, finished, degraded: too many\n"
                             "inconclusive results; partial: merged from missing or unfinished\n"
                             "shards), domains done of total, start and end.\n"
                             "A run whose process is gone reads 'interrupted': finish it with\n"
                             "'posture scan --resume ID'.\n"
                             "\n"
                             "JSON: [{id, label, list, state, total, done, errors, started,\n"
                             "finished_at}].\n"
                             "\n"
                             "Example:\n"
                             "  posture runs --db audit.db --json\n";

const char cmd_db_help[] =
        "usage: posture db merge OUT.db IN.db... [--allow-partial] [--json]\n"
        "       posture db check [--db FILE] [--json]\n"
        "       posture db prune --keep-days N [--keep-monthly] [--dry-run] [--vacuum]\n"
        "                        [--db FILE] [--json]\n"
        "       posture db vacuum [--db FILE]\n"
        "       posture db export [--db FILE] [--run ID] [-o FILE]\n"
        "\n"
        "merge: combines the newest run of each input database, the shards of one\n"
        "scan made with --shard K/N, into one new finished run of OUT.db (created\n"
        "if missing). It checks the inputs first and refuses (exit 2, OUT.db\n"
        "untouched) unless: each is a shard K/N of the same N; their runs name the\n"
        "same list files with the same checksums and have the same options (those\n"
        "that only pace a scan aside: --shard, --workers, --inflight, --outstanding,\n"
        "--qps); each K is there once, every K from 1 to N; every run is finished;\n"
        "every domain of an input belongs to its shard and is in no other input. A\n"
        "run made without --shard merges alone. A result equal to the domain's last\n"
        "one in OUT.db is stored as a reference, as a scan does.\n"
        "--allow-partial: missing shards and runs not finished (interrupted,\n"
        "degraded...) are let through; the merged run is 'partial', what it lacks\n"
        "is listed on stderr, and the exit status is 4.\n"
        "check: SQLite's integrity check, then posture's own: every run's result\n"
        "points at a stored result of its domain, a reference only at a conclusive\n"
        "one, every compressed result reads back, every finished run has every\n"
        "result, the runs' counters agree, and each receivers' report holds what\n"
        "it says it holds (records, messages, policies). Exit 1 when anything is\n"
        "wrong. It also migrates a database written by an older posture.\n"
        "prune: removes the results of runs started more than N days ago (not the\n"
        "newest finished run; with --keep-monthly not the newest finished run of\n"
        "each month), keeping each run's row and its statistics, so report\n"
        "--trend still shows them; results a kept run points at stay. The freed\n"
        "pages are reused by later runs; --vacuum (or db vacuum) gives them back\n"
        "to the file system, which needs free disk about the database's size and\n"
        "no scan running. --dry-run lists the runs and changes nothing.\n"
        "export: every domain's stored result of a run (default: the newest\n"
        "finished) as JSON Lines: {run, position, domain, scanned_at, conclusive,\n"
        "reference, result}, result being the JSON posture check --json prints.\n"
        "\n"
        "Examples:\n"
        "  posture db merge audit.db shard1.db shard2.db shard3.db\n"
        "  posture db prune --db audit.db --keep-days 90 --keep-monthly\n"
        "  posture db export --db audit.db -o results.jsonl\n";

static int print_run(void *arg, const struct store_run *r)
{
	json_t *arr = arg;
	if (arr != NULL) {
		json_array_append_new(
		        arr, json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s?}", "id",
		                       (json_int_t)r->id, "label", r->label, "list", r->list,
		                       "state", store_run_state_name(r->state), "total",
		                       (json_int_t)r->total, "done", (json_int_t)r->done, "errors",
		                       (json_int_t)r->errors, "started", r->started, "finished_at",
		                       r->finished_at[0] ? r->finished_at : NULL));
		return 0;
	}
	printf("%5lld  %-11s %9lld/%-9lld %-20s %-20s ", (long long)r->id,
	       store_run_state_name(r->state), (long long)r->done, (long long)r->total, r->started,
	       r->finished_at[0] ? r->finished_at : "-");
	print_safe(stdout, r->label);
	fputc('\n', stdout);
	return 0;
}

static int take_db(int argc, char **argv, const char *cmd, const char **db)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			*db = argv[++i];
		else if (strcmp(argv[i], "--db") == 0)
			return cli_usage_error(cmd, "--db needs a value");
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_unknown_option(cmd, cmd_runs_help, argv[i]);
		else
			return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
	}
	return 0;
}

int cmd_runs(int argc, char **argv, const struct cli_globals *g)
{
	const char *db = DB_DEFAULT;
	int rc = take_db(argc, argv, "runs", &db);
	if (rc != 0)
		return rc;
	struct store *s = cli_db_open_ro(db);
	if (s == NULL)
		return access(db, F_OK) != 0 ? EXIT_USAGE : EXIT_INTERNAL;
	json_t *arr = g->json ? json_array() : NULL;
	if (!g->json)
		printf("%5s  %-11s %19s %-20s %-20s %s\n", "id", "state", "done/total", "started",
		       "finished", "label");
	rc = store_runs_each(s, print_run, arr) == 0 ? EXIT_OK : EXIT_INTERNAL;
	if (rc != EXIT_OK)
		fprintf(stderr, "posture: %s\n", store_error(s));
	if (arr != NULL) {
		json_print(stdout, arr);
		json_decref(arr);
	}
	store_close(s);
	return rc;
}

/* db merge: an input's newest run, its shard (1/1 when it is not a shard)
 * and its options without those that may differ between shards. */
struct merge_input {
	const char *path;
	struct store_run run;
	unsigned k, n;
	char opts[sizeof(((struct store_run *)0)->options)];
};

/* Options that may differ between the shards of one scan: which shard,
 * and how fast each machine went. */
static bool merge_option_ignored(const char *tok, size_t n)
{
	static const char *const keys[] = { "shard", "workers", "inflight", "outstanding", "qps" };
	if (n == 8 && strncmp(tok, "(merged)", 8) == 0)
		return true;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t kl = strlen(keys[i]);
		if (n > kl && strncmp(tok, keys[i], kl) == 0 && tok[kl] == '=')
			return true;
	}
	return false;
}

static void merge_options_norm(const char *options, char *out, size_t outlen)
{
	size_t o = 0;
	out[0] = '\0';
	for (const char *p = options; *p != '\0';) {
		while (*p == ' ')
			p++;
		const char *end = strchr(p, ' ');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > 0 && !merge_option_ignored(p, n) && o + n + 2 < outlen) {
			if (o > 0)
				out[o++] = ' ';
			memcpy(out + o, p, n);
			o += n;
			out[o] = '\0';
		}
		p += n;
	}
}

/* Reads the newest run of the input. 0, or EXIT_USAGE after saying why. */
static int merge_inspect(const char *path, struct merge_input *in)
{
	char msg[1024], shard[64];
	struct store *s = store_open_ro(path, msg, sizeof(msg));
	if (s == NULL) {
		fprintf(stderr, "posture: merge: %s\n", msg);
		return EXIT_USAGE;
	}
	in->path = path;
	int64_t id = store_run_newest(s);
	int rc = id > 0 ? store_run_get(s, id, &in->run) : 0;
	store_close(s);
	if (rc != 1) {
		fprintf(stderr, "posture: merge: %s holds no run\n", path);
		return EXIT_USAGE;
	}
	/* A run of an older posture, or a merge: a whole list, not a shard. */
	in->k = in->n = 1;
	if (strstr(in->run.options, "(merged)") == NULL &&
	    cli_run_option(in->run.options, "shard", shard, sizeof(shard)) &&
	    cli_parse_shard(shard, &in->k, &in->n) != 0)
		in->k = in->n = 1;
	merge_options_norm(in->run.options, in->opts, sizeof(in->opts));
	return 0;
}

static int merge_refuse(const struct merge_input *in, const char *why, const char *detail)
{
	fprintf(stderr, "posture: merge: %s (shard %u/%u): %s", in->path, in->k, in->n, why);
	if (detail != NULL)
		print_safe(stderr, detail);
	fputs(" (nothing merged)\n", stderr);
	return EXIT_USAGE;
}

/* The rules between runs (the domains are checked next): the same list,
 * N and options; each K once; a whole run alone. */
static int merge_check_runs(const struct merge_input *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (in[i].n == 1 && n > 1)
			return merge_refuse(
			        &in[i], "not a shard (no --shard K/N): a whole run merges alone",
			        NULL);
		if (in[i].n != in[0].n)
			return merge_refuse(&in[i], "not a shard of the same N as ", in[0].path);
		if (strcmp(in[i].run.list, in[0].run.list) != 0)
			return merge_refuse(&in[i], "a shard of another list than ", in[0].path);
		if (strcmp(in[i].opts, in[0].opts) != 0)
			return merge_refuse(&in[i], "scanned with other options than ", in[0].path);
		for (size_t j = 0; j < i; j++)
			if (in[j].k == in[i].k)
				return merge_refuse(&in[i], "the same shard again, as ",
				                    in[j].path);
	}
	return 0;
}

struct merge_walk {
	json_t *seen; /* domain -> the index of the input that lists it */
	const struct merge_input *in;
	size_t i;
	int why; /* 1: not of its shard, 2: in another input too */
	size_t other;
	char domain[DNS_NAME_BUF];
};

static int merge_domain(void *arg, const char *domain)
{
	struct merge_walk *w = arg;
	const struct merge_input *in = &w->in[w->i];
	json_t *prev = json_object_get(w->seen, domain);
	w->why = in->n > 1 && list_shard_of(domain, in->n) != in->k - 1 ? 1 : prev ? 2 : 0;
	if (w->why != 0) {
		w->other = prev ? (size_t)json_integer_value(prev) : 0;
		str_copy(w->domain, sizeof(w->domain), domain);
		return 1;
	}
	/* Names need not be UTF-8 (they are stored as the list gave them). */
	json_object_set_new_nocheck(w->seen, domain, json_integer((json_int_t)w->i));
	return 0;
}

/* Every domain of each input is of its shard (list_shard_of) and in no
 * other input: shards of one list, each once. */
static int merge_check_domains(const struct merge_input *in, size_t n)
{
	struct merge_walk w = { .seen = json_object(), .in = in };
	int rc = 0;
	for (w.i = 0; rc == 0 && w.i < n; w.i++) {
		char msg[1024];
		struct store *s = store_open_ro(in[w.i].path, msg, sizeof(msg));
		if (s == NULL) {
			fprintf(stderr, "posture: merge: %s\n", msg);
			rc = EXIT_USAGE;
			break;
		}
		rc = store_run_domains_each(s, in[w.i].run.id, merge_domain, &w);
		if (rc < 0)
			fprintf(stderr, "posture: merge: %s: %s\n", in[w.i].path, store_error(s));
		store_close(s);
		if (rc < 0)
			rc = EXIT_INTERNAL;
		else if (rc > 0 && w.why == 1)
			rc = merge_refuse(&in[w.i], "lists a domain not of its shard: ", w.domain);
		else if (rc > 0)
			rc = merge_refuse(&in[w.i], "lists a domain that is also in ",
			                  in[w.other].path);
	}
	json_decref(w.seen);
	return rc;
}

/* What a partial merge lacks, to stderr; false when nothing. */
static bool merge_lacks(const struct merge_input *in, size_t n, bool say)
{
	bool lack = false;
	for (unsigned k = 1; k <= in[0].n; k++) {
		size_t i = 0;
		while (i < n && in[i].k != k)
			i++;
		if (i < n && in[i].run.state == STORE_RUN_FINISHED)
			continue;
		lack = true;
		if (!say)
			continue;
		if (i == n)
			fprintf(stderr, "posture: merge: shard %u/%u missing\n", k, in[0].n);
		else
			fprintf(stderr,
			        "posture: merge: %s (shard %u/%u) %s, %lld of %lld domains done\n",
			        in[i].path, k, in[0].n, store_run_state_name(in[i].run.state),
			        (long long)in[i].run.done, (long long)in[i].run.total);
	}
	return lack;
}

/* Checks the inputs before OUT.db is touched. 0 (*partial set), or the
 * exit status after saying why. */
static int merge_check(const char *const *paths, size_t n, bool allow_partial, bool *partial)
{
	*partial = false;
	struct merge_input *in = calloc(n, sizeof(*in));
	if (in == NULL)
		return EXIT_INTERNAL;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = merge_inspect(paths[i], &in[i]);
	if (rc == 0)
		rc = merge_check_runs(in, n);
	for (size_t i = 0; rc == 0 && !allow_partial && i < n; i++)
		if (in[i].run.state != STORE_RUN_FINISHED)
			rc = merge_refuse(&in[i], "its run is ",
			                  store_run_state_name(in[i].run.state));
	if (rc == 0 && !allow_partial && merge_lacks(in, n, false)) {
		merge_lacks(in, n, true);
		fprintf(stderr,
		        "posture: merge: not every shard of %u: nothing merged "
		        "(--allow-partial merges them as a partial run)\n",
		        in[0].n);
		rc = EXIT_USAGE;
	}
	if (rc == 0)
		rc = merge_check_domains(in, n);
	if (rc == 0 && (*partial = merge_lacks(in, n, false)))
		merge_lacks(in, n, true);
	free(in);
	return rc;
}

static int cmd_db_merge(int argc, char **argv, const struct cli_globals *g)
{
	char err[1024];
	bool allow_partial = false, partial = false;
	int nin = 0;
	/* argv[0] is "merge"; OUT.db, then the inputs, in place. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--allow-partial") == 0)
			allow_partial = true;
		else if (strncmp(argv[i], "--", 2) == 0)
			return cli_unknown_option("db", cmd_db_help, argv[i]);
		else
			argv[++nin] = argv[i];
	}
	if (nin < 2)
		return cli_usage_error("db", "merge needs OUT.db and at least one IN.db");
	const char *const *in = (const char *const *)(argv + 2);
	size_t n = (size_t)(nin - 1);
	for (size_t i = 0; i < n; i++)
		if (access(in[i], R_OK) != 0) {
			fprintf(stderr, "posture: %s: cannot read it\n", in[i]);
			return EXIT_USAGE;
		}
	int rc = merge_check(in, n, allow_partial, &partial);
	if (rc != 0)
		return rc;
	struct store *s = store_open(argv[1], err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "posture: %s\n", err);
		return EXIT_INTERNAL;
	}
	int claim = store_claim_writer(s, err, sizeof(err));
	if (claim != 0) {
		fprintf(stderr, "posture: %s\n", err);
		store_close(s);
		return claim == STORE_CLAIM_BUSY ? EXIT_USAGE : EXIT_INTERNAL;
	}
	int64_t run = 0;
	rc = store_merge_as(s, in, n, partial ? STORE_RUN_PARTIAL : STORE_RUN_FINISHED, &run, err,
	                    sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "posture: merge: %s\n", err);
		store_close(s);
		return EXIT_INTERNAL;
	}
	struct store_run r;
	store_run_get(s, run, &r);
	cli_run_stats_keep(s, run);
	if (g->json) {
		json_t *o = json_pack("{s:I,s:s,s:I,s:I}", "run", (json_int_t)run, "state",
		                      store_run_state_name(r.state), "total", (json_int_t)r.total,
		                      "done", (json_int_t)r.done);
		json_print(stdout, o);
		json_decref(o);
	} else {
		printf("merged %zu databases into run %lld of %s: %lld of %lld domains%s\n", n,
		       (long long)run, argv[1], (long long)r.done, (long long)r.total,
		       partial ? " (partial)" : "");
	}
	if (partial)
		fprintf(stderr,
		        "posture: merge: run %lld is partial: not every shard, or not every "
		        "shard finished (see above)\n",
		        (long long)run);
	store_close(s);
	return partial ? EXIT_UNCHECKED : EXIT_OK;
}

int cmd_db(int argc, char **argv, const struct cli_globals *g)
{
	if (argc < 1)
		return cli_usage_error("db",
		                       "name a subcommand: merge, check, prune, vacuum or export");
	if (strcmp(argv[0], "check") == 0 || strcmp(argv[0], "prune") == 0 ||
	    strcmp(argv[0], "vacuum") == 0 || strcmp(argv[0], "export") == 0)
		return cmd_db_maint(argc, argv, g);
	if (strcmp(argv[0], "merge") != 0) {
		static const char *const subs[] = { "merge", "check", "prune", "vacuum", "export" };
		char hint[120];
		if (cli_suggest(argv[0], subs, 5, hint, sizeof(hint)) > 0)
			return cli_usage_error("db", "unknown subcommand '%s'; did you mean %s?",
			                       argv[0], hint);
		return cli_usage_error(
		        "db", "unknown subcommand '%s' (merge, check, prune, vacuum, export)",
		        argv[0]);
	}
	return cmd_db_merge(argc, argv, g);
}
