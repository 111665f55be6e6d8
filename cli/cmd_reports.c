/*
 * cmd_reports.c — "posture reports import" (receivers' reports into the
 * store) and the dispatch to "posture reports summary"
 * (cmd_reports_summary.c). The files are read here, under FB_FILE_MAX
 * each; feedback/ reads what is in them; db/ keeps each report once.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "dbread.h"
#include "fbstore.h"
#include "feedback.h"
#include "fileio.h"
#include "output.h"
#include "store.h"

const char cmd_reports_help[] =
        "usage: posture reports import PATH... [--db FILE] [--verbose] [--json]\n"
        "       posture reports summary [--domain D] [--since DATE] [--until DATE]\n"
        "                               [--days N] [--db FILE] [--format F] [-o FILE]\n"
        "                               [--table T] [--resolve] [--limit N]\n"
        "                               [--threshold PCT] [--min-messages N]\n"
        "                               [--selectors] [--json]\n"
        "\n"
        "The receivers' side of DMARC: what mail receivers report back about the\n"
        "mail that claims a domain, kept in the same database as the scans.\n"
        "\n"
        "import: reads files and directories (recursively): DMARC aggregate\n"
        "reports (RFC 7489 appendix C and RFC 9990 XML), plain, .gz or .zip;\n"
        "DMARC failure reports (RFC 6591 ARF); SMTP TLS reports (RFC 8460 JSON,\n"
        "plain or .gz); and mail messages (.eml, mbox) carrying any of them. A\n"
        "report already in the database (same kind, reporter and report id) is\n"
        "counted as a duplicate and not stored again. Whatever deviates from the\n"
        "schema but can be read past (upper-case results, a missing\n"
        "envelope_from, malformed XML read in recovery mode, invalid UTF-8) is a\n"
        "finding on the report; what cannot be read is listed with the reason.\n"
        "Limits: a file of at most 64 MiB, 32 MiB inflated per member, 128 MiB\n"
        "per file, containers nested 4 deep; no DTD, no entity expansion, no\n"
        "network access while parsing XML. It prints what could not be read,\n"
        "the reports with findings (--verbose: every report) and the totals.\n"
        "\n"
        "summary: messages, DMARC pass (a row passes when the receiver's\n"
        "evaluated policy has DKIM or SPF pass), the sources by volume (with the\n"
        "sending service where its reverse name or SPF/DKIM domains name one),\n"
        "the sending services summed, reporters, dispositions applied, DKIM\n"
        "selectors seen, per day, failure and TLS reports. With --domain, a\n"
        "verdict on moving the domain to p=quarantine: 'safe to enforce' or\n"
        "'not yet', with the rule it used.\n"
        "\n"
        "Options:\n"
        "  --db FILE          the database (default posture.db; import creates it)\n"
        "  --domain D         only reports about D (the policy_published domain)\n"
        "  --since DATE       reports whose period begins on or after DATE\n"
        "                     (YYYY-MM-DD, UTC)\n"
        "  --until DATE       ... and before DATE\n"
        "  --days N           the last N days (instead of --since)\n"
        "  --format F         text, csv, json, md or html (default text; -o FILE\n"
        "                     picks it from the extension)\n"
        "  -o FILE            write to FILE instead of standard output\n"
        "  --table T          CSV: sources (default), services, reporters, days,\n"
        "                     dispositions, selectors or tls\n"
        "  --csv-raw          CSV cells as published (for pandas or R, never a\n"
        "                     spreadsheet)\n"
        "  --resolve          look up the reverse name of the first --limit sources\n"
        "                     and, with --domain, check each against the domain's\n"
        "                     SPF now: the include that authorises it names its\n"
        "                     service\n"
        "  --limit N          sources listed (default 50; 0: all); the totals,\n"
        "                     services and verdict count every source\n"
        "  --threshold PCT    the verdict's pass rate (default 98)\n"
        "  --min-messages N   fewer messages: not enough evidence (default 100)\n"
        "  --selectors        print only the DKIM selectors seen, as the lines\n"
        "                     \"domain selector...\" posture dkim --selectors-file\n"
        "                     reads\n"
        "\n"
        "The verdict: 'safe to enforce' when at least --min-messages messages\n"
        "were reported and at least --threshold percent passed DMARC. A source\n"
        "whose failures all end 7 days or more before its newest report has\n"
        "been fixed: its failures are left out of the rate. Failing mail also\n"
        "includes spoofing, which enforcement is meant to stop: read the failing\n"
        "sources before you enforce.\n"
        "\n"
        "JSON (import): {imported, duplicates, failed [{file, error}], reports\n"
        "[{kind, status (imported|duplicate), file, org, report_id, domain, begin,\n"
        "end, rows, messages, findings}]}; begin and end in ISO 8601 UTC.\n"
        "JSON (summary): {domain, since, until, first, last, reports, messages,\n"
        "dmarc_pass, dmarc_fail, policy, sources [{ip, messages, dmarc_pass,\n"
        "dmarc_fail, quarantined, rejected, ptr, spf_now, spf_include, service,\n"
        "spf_domains, dkim_domains, last_seen, last_fail}], sources_total,\n"
        "services [{service, sources, messages, dmarc_pass}], reporters [{org,\n"
        "reports, messages}], selectors [{domain, selector, messages,\n"
        "dkim_pass}], dispositions, days, failure_reports, tls, verdict}.\n"
        "\n"
        "Exit status: import 0 when every file was read (duplicates included),\n"
        "1 when something could not be read (listed); summary 0 (with --domain:\n"
        "0 safe to enforce, 1 not yet); 2 usage; 3 failure.\n"
        "\n"
        "Examples:\n"
        "  posture reports import ~/dmarc-reports/ --db audit.db\n"
        "  posture reports summary --db audit.db --domain example.com --days 30\n"
        "  posture reports summary --db audit.db --domain example.com -o out.csv\n"
        "  posture reports summary --db audit.db --selectors > seen.txt\n"
        "  posture dkim example.com --selectors-file seen.txt\n"
        "  posture check example.com --reports-db audit.db\n";

/* Files walked at most in one import (a runaway directory tree). */
#define IMPORT_FILES_MAX 1000000
/* Directories nested at most. */
#define IMPORT_DEPTH_MAX 32
/* Reports stored per transaction: one commit per report spends most of an
 * import of small reports in the WAL (doc/performance.md). */
#define IMPORT_BATCH 500

struct import {
	struct store *s;
	json_t *reports, *failed; /* --json */
	bool json, verbose;
	uint64_t imported, duplicates, nfailed, files;
	uint64_t kinds[3]; /* imported, by enum fb_kind */
	int rc;            /* EXIT_INTERNAL once the database failed */
	bool progress;
	unsigned in_tx; /* reports stored in the open transaction (IMPORT_BATCH) */
	/* The database and its -wal and -shm files, which a directory given
	 * may hold: never read as reports. */
	dev_t own_dev[3];
	ino_t own_ino[3];
	size_t nown;
};

static void own_files(struct import *im, const char *db)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char path[4096];
	struct stat st;
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", db, suffix[i]);
		if (stat(path, &st) == 0) {
			im->own_dev[im->nown] = st.st_dev;
			im->own_ino[im->nown++] = st.st_ino;
		}
	}
}

static bool is_own(const struct import *im, const struct stat *st)
{
	for (size_t i = 0; i < im->nown; i++)
		if (im->own_dev[i] == st->st_dev && im->own_ino[i] == st->st_ino)
			return true;
	return false;
}

static void failed_add(struct import *im, const char *where, const char *error)
{
	im->nfailed++;
	if (im->json) {
		json_array_append_new(im->failed,
		                      json_pack("{s:s,s:s}", "file", where, "error", error));
		return;
	}
	fputs("failed: ", stdout);
	print_safe(stdout, where);
	fputs(": ", stdout);
	print_safe(stdout, error);
	fputc('\n', stdout);
}

static json_t *report_json(const struct fb_report *r, bool stored)
{
	char b[32], e[32];
	json_t *f = findings_json(&r->findings);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:o}", "kind",
	                 fb_kind_name(r->kind), "status", stored ? "imported" : "duplicate", "file",
	                 r->where, "org", r->org, "report_id", r->report_id, "domain", r->domain,
	                 "begin", fb_iso8601(r->begin, b, sizeof(b)), "end",
	                 fb_iso8601(r->end, e, sizeof(e)), "rows", (json_int_t)r->rows, "messages",
	                 (json_int_t)r->messages, "findings", f);
}

static void report_text(const struct fb_report *r, bool stored)
{
	char b[32], e[32];
	printf("%s %s ", stored ? "imported" : "duplicate", fb_kind_name(r->kind));
	print_safe(stdout, r->domain[0] ? r->domain : "?");
	fputs(" from ", stdout);
	print_safe(stdout, r->org[0] ? r->org : "?");
	fputs(" id ", stdout);
	print_safe(stdout, r->report_id);
	printf(", %.10s..%.10s, %" PRIu64 " rows, %" PRIu64 " messages",
	       fb_iso8601(r->begin, b, sizeof(b)), fb_iso8601(r->end, e, sizeof(e)), r->rows,
	       r->messages);
	if (r->findings.n > 0)
		printf(", %zu findings", r->findings.n);
	fputs(" (", stdout);
	print_safe(stdout, r->where);
	fputs(")\n", stdout);
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct finding *f = &r->findings.v[i];
		printf("  %s %s: ", finding_severity_name(f->severity), f->code);
		print_safe(stdout, f->message);
		fputc('\n', stdout);
	}
}

/* Commits the open transaction, if any. 0, or -1 (said; im->rc set). */
static int batch_commit(struct import *im)
{
	if (im->in_tx == 0)
		return 0;
	im->in_tx = 0;
	if (store_commit(im->s) == 0)
		return 0;
	fprintf(stderr, "posture: database: %s\n", store_error(im->s));
	im->rc = EXIT_INTERNAL;
	return -1;
}

static void import_bytes(struct import *im, const uint8_t *data, size_t len, const char *path)
{
	struct fb_batch b = { 0 };
	char err[512];
	if (fb_read(data, len, path, &b) != 0) {
		fb_batch_cleanup(&b);
		failed_add(im, path, "out of memory");
		return;
	}
	for (size_t i = 0; i < b.nreports && im->rc == 0; i++) {
		const struct fb_report *r = &b.reports[i];
		if (im->in_tx == 0 && store_begin(im->s) != 0) {
			fprintf(stderr, "posture: database: %s\n", store_error(im->s));
			im->rc = EXIT_INTERNAL;
			break;
		}
		int put = store_fb_put(im->s, r, err, sizeof(err));
		if (++im->in_tx >= IMPORT_BATCH && batch_commit(im) != 0)
			break;
		if (put < 0) {
			fprintf(stderr, "posture: database: %s\n", err);
			im->rc = EXIT_INTERNAL;
			break;
		}
		if (put == 1) {
			im->imported++;
			im->kinds[r->kind]++;
		} else {
			im->duplicates++;
		}
		if (im->json)
			json_array_append_new(im->reports, report_json(r, put == 1));
		else if (im->verbose || (put == 1 && r->findings.n > 0))
			report_text(r, put == 1);
	}
	for (size_t i = 0; i < b.nfailed; i++)
		failed_add(im, b.failed[i].where, b.failed[i].error);
	fb_batch_cleanup(&b);
}

static void import_file(struct import *im, const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	im->files++;
	int rc = file_read_all(path, FB_FILE_MAX, false, &data, &len);
	if (rc == -2) {
		char why[96];
		snprintf(why, sizeof(why), "larger than %u MiB: refused unread", FB_FILE_MAX >> 20);
		failed_add(im, path, why);
	} else if (rc != 0) {
		failed_add(im, path, strerror(errno));
	} else {
		import_bytes(im, data, len, path);
	}
	free(data);
	if (im->progress && im->files % 100 == 0)
		fprintf(stderr, "\rposture: %" PRIu64 " files, %" PRIu64 " reports imported",
		        im->files, im->imported);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void import_path(struct import *im, const char *path, int depth);

/* A directory's entries in name order (the same import twice walks the
 * same way), dot files included: receivers' names start with anything. */
static void import_dir(struct import *im, const char *path, int depth)
{
	DIR *d = opendir(path);
	if (d == NULL) {
		failed_add(im, path, strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL)
				break;
			names = nn;
		}
		size_t need = strlen(path) + strlen(e->d_name) + 2;
		if ((names[n] = malloc(need)) == NULL)
			break;
		snprintf(names[n], need, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
		         e->d_name);
		n++;
	}
	closedir(d);
	if (names != NULL)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		if (im->rc == 0 && im->files < IMPORT_FILES_MAX)
			import_path(im, names[i], depth + 1);
		free(names[i]);
	}
	free(names);
}

static void import_path(struct import *im, const char *path, int depth)
{
	struct stat st;
	/* lstat: a symbolic link to a directory is not followed (no loops);
	 * one to a file is read as the file. */
	if (lstat(path, &st) != 0) {
		failed_add(im, path, strerror(errno));
		return;
	}
	if (S_ISLNK(st.st_mode) && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		failed_add(im, path, "a symbolic link to a directory: not followed");
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth >= IMPORT_DEPTH_MAX)
			failed_add(im, path, "directories nested too deep: not read");
		else
			import_dir(im, path, depth);
		return;
	}
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
		failed_add(im, path, "not a regular file");
		return;
	}
	if (stat(path, &st) == 0 && is_own(im, &st)) {
		if (im->verbose && !im->json)
			printf("skipped %s: the database being written\n", path);
		return;
	}
	import_file(im, path);
}

static int import_out(struct import *im)
{
	if (im->progress && im->files >= 100)
		fputc('\n', stderr);
	if (im->json) {
		json_t *o = json_pack("{s:I,s:I,s:O,s:O}", "imported", (json_int_t)im->imported,
		                      "duplicates", (json_int_t)im->duplicates, "failed",
		                      im->failed, "reports", im->reports);
		if (json_emit(o) != 0 && im->rc == 0)
			im->rc = EXIT_INTERNAL;
	} else {
		printf("%" PRIu64 " imported (%" PRIu64 " aggregate, %" PRIu64 " failure, %" PRIu64
		       " TLS), %" PRIu64 " duplicates, %" PRIu64 " could not be read, from %" PRIu64
		       " files\n",
		       im->imported, im->kinds[FB_AGGREGATE], im->kinds[FB_FAILURE],
		       im->kinds[FB_TLS], im->duplicates, im->nfailed, im->files);
	}
	if (im->rc != 0)
		return im->rc;
	return im->nfailed > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

static int cmd_import(int argc, char **argv, const struct cli_globals *g)
{
	const char *db = "posture.db";
	const char **paths = calloc((size_t)argc + 1, sizeof(*paths));
	size_t np = 0;
	if (paths == NULL)
		return EXIT_INTERNAL;
	bool verbose = false;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc) {
				free(paths);
				return cli_usage_error("reports", "--db needs a value");
			}
			db = argv[++i];
		} else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			free(paths);
			return cli_unknown_option("reports", cmd_reports_help, argv[i]);
		} else {
			paths[np++] = argv[i];
		}
	}
	if (np == 0) {
		free(paths);
		return cli_usage_error("reports", "reports import needs a file or a directory");
	}
	char err[1024];
	struct import im = { .json = g->json,
		             .verbose = verbose,
		             .progress = isatty(STDERR_FILENO) };
	im.s = store_open(db, err, sizeof(err));
	if (im.s == NULL) {
		fprintf(stderr, "posture: %s\n", err);
		free(paths);
		return EXIT_INTERNAL;
	}
	/* WAL mode: the -wal and -shm files exist once a statement ran. */
	own_files(&im, db);
	im.reports = json_array();
	im.failed = json_array();
	for (size_t i = 0; i < np && im.rc == 0; i++)
		import_path(&im, paths[i], 0);
	/* What was stored before a failure is kept (each report whole). */
	batch_commit(&im);
	int rc = import_out(&im);
	json_decref(im.reports);
	json_decref(im.failed);
	store_close(im.s);
	free(paths);
	return rc;
}

int cmd_reports(int argc, char **argv, const struct cli_globals *g)
{
	if (argc < 1)
		return cli_usage_error("reports", "reports needs import or summary");
	if (strcmp(argv[0], "import") == 0)
		return cmd_import(argc - 1, argv + 1, g);
	if (strcmp(argv[0], "summary") == 0)
		return cmd_reports_summary(argc - 1, argv + 1, g);
	return cli_usage_error("reports", "unknown reports command '%s' (import or summary)",
	                       argv[0]);
}
