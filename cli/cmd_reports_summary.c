/*
 * cmd_reports_summary.c — "posture reports summary": what the stored
 * receivers' reports say about a domain (or every domain) over a period,
 * the sending services named, reverse names looked up on request
 * (--resolve), and the enforcement verdict (feedback/fb_summary.h). Also
 * the evidence posture check --reports-db shows (cli_evidence_load).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dbread.h"
#include "dkim_probe.h"
#include "dns.h"
#include "drive.h"
#include "spf.h"
#include "evidence.h"
#include "fbstore.h"
#include "output.h"
#include "store.h"

#define SUMMARY_LIMIT 50

struct summary_args {
	const char *db, *domain, *out, *format, *table;
	int64_t since, until;
	unsigned long days, limit;
	bool days_given, resolve, csv_raw, selectors;
	struct fb_verdict_opts vo;
	char norm[DNS_NAME_BUF];
};

/* YYYY-MM-DD (00:00 UTC) or YYYY-MM-DDTHH:MM:SSZ into Unix seconds. */
static int parse_date(const char *s, int64_t *out)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == 'T')
		end = strptime(end, "T%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = (int64_t)t;
	return 0;
}

static int value_opt(struct summary_args *a, const char *o, const char *v)
{
	unsigned long n;
	if (strcmp(o, "--db") == 0) {
		a->db = v;
	} else if (strcmp(o, "--domain") == 0) {
		a->domain = v;
	} else if (strcmp(o, "-o") == 0) {
		a->out = v;
	} else if (strcmp(o, "--format") == 0) {
		a->format = v;
	} else if (strcmp(o, "--table") == 0) {
		a->table = v;
	} else if (strcmp(o, "--since") == 0 || strcmp(o, "--until") == 0) {
		if (parse_date(v, strcmp(o, "--since") == 0 ? &a->since : &a->until) != 0)
			return cli_usage_error("reports",
			                       "%s takes a date (YYYY-MM-DD, UTC), not '%s'", o, v);
	} else if (strcmp(o, "--days") == 0) {
		if (cli_parse_uint(v, 1, 36500, &a->days) != 0)
			return cli_usage_error("reports", "--days takes 1 to 36500, not '%s'", v);
		a->days_given = true;
	} else if (strcmp(o, "--limit") == 0) {
		if (cli_parse_uint(v, 0, 1000000, &a->limit) != 0)
			return cli_usage_error("reports", "--limit takes 0 to 1000000, not '%s'",
			                       v);
	} else if (strcmp(o, "--min-messages") == 0) {
		if (cli_parse_uint(v, 1, 1000000000, &n) != 0)
			return cli_usage_error("reports",
			                       "--min-messages takes 1 or more, not '%s'", v);
		a->vo.min_messages = n;
	} else if (strcmp(o, "--threshold") == 0) {
		char *end;
		double t = strtod(v, &end);
		if (end == v || *end != '\0' || !(t > 0 && t <= 100))
			return cli_usage_error("reports",
			                       "--threshold takes a percentage above 0 and up to "
			                       "100, not '%s'",
			                       v);
		a->vo.threshold = t;
	} else {
		return 1;
	}
	return 0;
}

static int parse(int argc, char **argv, struct summary_args *a)
{
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i];
		if (strcmp(o, "--resolve") == 0) {
			a->resolve = true;
			continue;
		}
		if (strcmp(o, "--csv-raw") == 0) {
			a->csv_raw = true;
			continue;
		}
		if (strcmp(o, "--selectors") == 0) {
			a->selectors = true;
			continue;
		}
		if (o[0] != '-' || o[1] == '\0')
			return cli_usage_error("reports", "unexpected argument '%s'", o);
		if (strcmp(o, "-o") != 0 && !cli_help_names(cmd_reports_help, o))
			return cli_unknown_option("reports", cmd_reports_help, o);
		if (i + 1 >= argc)
			return cli_usage_error("reports", "%s needs a value", o);
		int rc = value_opt(a, o, argv[++i]);
		if (rc == 1)
			return cli_unknown_option("reports", cmd_reports_help, o);
		if (rc != 0)
			return rc;
	}
	if (a->days_given && a->since != 0)
		return cli_usage_error("reports", "--days and --since both say where the period "
		                                  "starts: give one");
	if (a->days_given)
		a->since = (int64_t)time(NULL) - (int64_t)a->days * 86400;
	if (a->since && a->until && a->since >= a->until)
		return cli_usage_error("reports", "--since must be before --until");
	if (a->domain != NULL &&
	    cli_domain_arg("reports", a->domain, false, a->norm, sizeof(a->norm)) != 0)
		return EXIT_USAGE;
	return 0;
}

/* ---- reverse names (--resolve) ------------------------------------------- */

/* RFC 1035 3.5 / RFC 3596 2.5: the PTR name of an address. */
static int ptr_name(const char *ip, char *out, size_t len)
{
	unsigned char a[16];
	if (inet_pton(AF_INET, ip, a) == 1) {
		snprintf(out, len, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, a) != 1 || len < 73)
		return -1;
	size_t o = 0;
	for (int i = 15; i >= 0; i--)
		o += (size_t)snprintf(out + o, len - o, "%x.%x.", a[i] & 15, a[i] >> 4);
	snprintf(out + o, len - o, "ip6.arpa");
	return 0;
}

/* The domain's SPF for each source listed, as a receiver would check it
 * now (MAIL FROM postmaster@domain): the result and the include of the
 * domain's record that authorises the address, which names the service
 * that sends. One memo for all: the domain's tree is asked once. */
static int spf_attribute(struct fb_summary *s, size_t limit, const char *domain,
                         struct dns_worker *w)
{
	char sender[FB_NAME + 16], err[256];
	struct dns_memo *memo = dns_memo_new();
	if (memo == NULL)
		return EXIT_INTERNAL;
	snprintf(sender, sizeof(sender), "postmaster@%s", domain);
	for (size_t i = 0; i < s->nsources && (limit == 0 || i < limit); i++) {
		struct fb_source_sum *x = &s->sources[i];
		struct spf_request req = { .ip = x->ip,
			                   .sender = sender,
			                   .receiver = "posture.invalid",
			                   .now = (long long)time(NULL) };
		struct spf_eval_result res;
		if (x->ip[0] == '\0')
			continue;
		if (drive_check_host(w, memo, &req, &res, err, sizeof(err)) == 0) {
			snprintf(x->spf_result, sizeof(x->spf_result), "%s",
			         spf_result_name(res.result));
			snprintf(x->spf_include, sizeof(x->spf_include), "%s", res.via);
		}
		spf_eval_result_cleanup(&res);
	}
	dns_memo_free(memo);
	return 0;
}

struct ptr_wait {
	struct fb_source_sum *src;
};

static void ptr_done(const struct dns_answer *ans, void *arg)
{
	struct ptr_wait *w = arg;
	for (size_t i = 0; i < ans->nrr; i++) {
		if (ans->rr[i].type != DNS_TYPE_PTR)
			continue;
		snprintf(w->src->ptr, sizeof(w->src->ptr), "%s", ans->rr[i].data);
		return;
	}
}

/* The reverse names of the sources listed (the first limit; 0: all), all
 * queries at once, and with a domain, its SPF for each of them. A failed or empty
 * answer leaves ptr empty: the source is shown by its address. */
static int resolve(struct fb_summary *s, size_t limit, const char *domain,
                   const struct cli_globals *g)
{
	char err[512], name[DNS_NAME_BUF];
	if (s->nsources == 0)
		return 0;
	struct dns_worker *w = dns_worker_new(&g->dns, NULL, err, sizeof(err));
	struct ptr_wait *waits = calloc(s->nsources, sizeof(*waits));
	if (w == NULL || waits == NULL) {
		fprintf(stderr, "posture: --resolve: %s\n", w == NULL ? err : "out of memory");
		if (w != NULL)
			dns_worker_free(w);
		free(waits);
		return EXIT_INTERNAL;
	}
	for (size_t i = 0; i < s->nsources && (limit == 0 || i < limit); i++) {
		waits[i].src = &s->sources[i];
		if (ptr_name(s->sources[i].ip, name, sizeof(name)) == 0)
			dns_query_start(w, name, DNS_TYPE_PTR, ptr_done, &waits[i]);
	}
	dns_worker_run(w);
	int rc = domain != NULL ? spf_attribute(s, limit, domain, w) : 0;
	dns_worker_free(w);
	free(waits);
	return rc;
}

/* ---- the summary ----------------------------------------------------------- */

/* Each source's service: by its reverse name, the include of the
 * domain's SPF record that authorises it, the domains it authenticated
 * with; else, when an include authorises it, that include. */
static void name_services(struct fb_summary *s)
{
	for (size_t i = 0; i < s->nsources; i++) {
		struct fb_source_sum *x = &s->sources[i];
		char spf[FB_NAME + FB_TEXT + 2];
		snprintf(spf, sizeof(spf), "%s %s", x->spf_include, x->spf_domains);
		const char *name = fb_service(x->ptr, spf, x->dkim_domains);
		snprintf(x->service, sizeof(x->service), "%s", name[0] ? name : x->spf_include);
	}
}

int cli_evidence_load(struct store *st, const char *domain, int64_t since, int64_t until,
                      const struct fb_verdict_opts *vo, struct fb_summary *s, struct fb_verdict *v)
{
	char err[512];
	struct fb_query q = { domain, since, until };
	/* Every source: the verdict's fixed sources and failing ones, and the
	 * services, are judged over all of them; writers list --limit. */
	if (store_fb_summary(st, &q, 0, s, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: database: %s\n", err);
		return EXIT_INTERNAL;
	}
	s->sources_total = s->nsources;
	name_services(s);
	if (fb_services_count(s) != 0) {
		fputs("posture: out of memory\n", stderr);
		return EXIT_INTERNAL;
	}
	if (v != NULL)
		fb_verdict(s, vo, v);
	return 0;
}

/* --selectors: the DKIM selectors seen, as the lines "domain selector..."
 * that posture dkim --selectors-file reads, one line per signing domain
 * (d=), selectors by messages. Names come from reporters: only those
 * that are a selector and a domain name are written. */
static bool plain_name(const char *d)
{
	char n[DNS_NAME_BUF];
	return d[strspn(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")] ==
	               '\0' &&
	       dns_name_normalize(d, n, sizeof(n)) == 0;
}

static void selectors_out(FILE *out, const struct fb_summary *s)
{
	for (size_t i = 0; i < s->nselectors; i++) {
		const struct fb_selector_sum *x = &s->selectors[i];
		bool first = true;
		if (!dkim_selector_valid(x->selector) || !plain_name(x->domain))
			continue;
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->selectors[j].domain, x->domain) == 0)
				first = false;
		if (!first)
			continue;
		fputs(x->domain, out);
		for (size_t j = i; j < s->nselectors; j++)
			if (strcmp(s->selectors[j].domain, x->domain) == 0 &&
			    dkim_selector_valid(s->selectors[j].selector))
				fprintf(out, " %s", s->selectors[j].selector);
		fputc('\n', out);
	}
}

static int write_out(const struct summary_args *a, const struct evidence_doc *d)
{
	int f = a->format != NULL ? report_format_parse(a->format)
	        : a->out != NULL  ? report_format_of_path(a->out)
	                          : REPORT_TEXT;
	if (f < 0 && a->format == NULL)
		f = REPORT_TEXT;
	FILE *out = stdout;
	if (a->out != NULL && (out = fopen(a->out, "w")) == NULL) {
		fprintf(stderr, "posture: %s: cannot write it\n", a->out);
		return EXIT_INTERNAL;
	}
	int rc = 0;
	if (a->selectors)
		selectors_out(out, d->s);
	else if (evidence_write(out, (enum report_format)f, d) != 0)
		rc = EXIT_INTERNAL;
	if (fflush(out) != 0 || ferror(out))
		rc = EXIT_INTERNAL;
	if (out != stdout && fclose(out) != 0)
		rc = EXIT_INTERNAL;
	if (rc != 0)
		fputs("posture: reports summary: the output could not be written\n", stderr);
	return rc;
}

static int check_format(const struct summary_args *a, const struct cli_globals *g)
{
	if (a->format != NULL && report_format_parse(a->format) < 0)
		return cli_usage_error("reports",
		                       "--format takes text, csv, json, md or html, not '%s'",
		                       a->format);
	if (a->table != NULL && evidence_table_parse(a->table) < 0)
		return cli_usage_error("reports",
		                       "--table takes sources, services, reporters, days, "
		                       "dispositions, selectors or tls, not '%s'",
		                       a->table);
	if (g->json && a->format != NULL && strcmp(a->format, "json") != 0)
		return cli_usage_error("reports", "--json and --format %s disagree", a->format);
	return 0;
}

int cmd_reports_summary(int argc, char **argv, const struct cli_globals *g)
{
	struct summary_args a = { .db = "posture.db", .limit = SUMMARY_LIMIT };
	fb_verdict_defaults(&a.vo);
	int rc = parse(argc, argv, &a);
	if (rc == 0)
		rc = check_format(&a, g);
	if (rc != 0)
		return rc;
	if (g->json)
		a.format = "json";
	struct store *st = cli_db_open_ro(a.db);
	if (st == NULL)
		return access(a.db, F_OK) != 0 ? EXIT_USAGE : EXIT_INTERNAL;
	struct fb_summary s = { 0 };
	struct fb_verdict v;
	bool one = a.domain != NULL;
	rc = cli_evidence_load(st, one ? a.norm : NULL, a.since, a.until, &a.vo, &s,
	                       one ? &v : NULL);
	store_close(st);
	if (rc == 0 && a.resolve)
		rc = resolve(&s, a.limit, one ? a.norm : NULL, g);
	if (rc == 0) {
		name_services(&s);
		if (fb_services_count(&s) != 0)
			rc = EXIT_INTERNAL;
	}
	if (rc == 0) {
		struct evidence_doc d = { .s = &s,
			                  .v = one ? &v : NULL,
			                  .vo = &a.vo,
			                  .table = EVIDENCE_SOURCES,
			                  .csv_raw = a.csv_raw,
			                  .resolved = a.resolve,
			                  .limit = a.limit };
		if (a.table != NULL)
			d.table = (enum evidence_table)evidence_table_parse(a.table);
		d.text_width = a.out == NULL ? cli_text_width(stdout) : 0;
		rc = write_out(&a, &d);
	}
	if (rc == 0 && one && !v.safe)
		rc = EXIT_PROBLEMS;
	fb_summary_cleanup(&s);
	return rc;
}
