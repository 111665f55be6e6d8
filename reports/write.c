/*
 * write.c — the text, CSV, JSON and Markdown writers of a run's
 * statistics and groups, and what the writers share (write_impl.h). The
 * domain and company tables are table.c and companies.c, trends trend.c,
 * HTML html.c.
 *
 * Every writer walks report_metrics in order, so a figure has one name and
 * one value in every format. Published text (company names come from
 * lists, records from DNS) is never written raw: terminals get \DDD for
 * control characters (print_safe), CSV goes through csv_cell (or, asked
 * for with --csv-raw, csv_cell_mode's raw RFC 4180 quoting), Markdown
 * escapes its table syntax, JSON is jansson's (ASCII-only).
 */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "textout.h"
#include "utf8.h"
#include "write_impl.h"

static const struct {
	const char *group, *title;
} groups[] = {
	{ "general", "Results" },
	{ "dmarc", "DMARC" },
	{ "dmarc_p", "DMARC published p= (of DMARC checked; whatever pct, t= or sp=)" },
	{ "spf", "SPF" },
	{ "spf_cause", "SPF PermError causes (the first cause found; of PermErrors)" },
	{ "spf_all", "SPF terminal all (of published SPF records)" },
	{ "spf_lookups", "SPF DNS lookups (RFC 7208 4.6.4; of published SPF records)" },
	{ "bimi", "BIMI" },
	{ "bimi_fail", "Why not BIMI-eligible (readiness items that fail; of not eligible)" },
	{ "mx", "MX and A" },
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

const struct report_enforced_def report_enforced_defs[4] = {
	{ "dmarc_enforced", "the DMARC class: p=quarantine or p=reject on all mail (RFC 9989 "
	                    "enforcement without t=y, and pct 100 or absent)" },
	{ "dmarc_enforced_rfc9989", "RFC 9989's reading alone: quarantine or reject without "
	                            "t=y; pct is no longer a tag and is ignored" },
	{ "dmarc_enforced_rfc7489", "RFC 7489's reading alone: quarantine or reject with pct "
	                            "100 or absent; t= is not a tag there and is ignored" },
	{ "dmarc_p_enforcing", "the published p= alone: quarantine or reject, whatever pct, t= "
	                       "or sp=" },
};

const char *const report_headline[8] = { "results",       "dmarc_enforced", "dmarc_reject",
	                                 "dmarc_missing", "spf_ok",         "spf_permerror",
	                                 "bimi_record",   "bimi_eligible" };

int report_format_parse(const char *name)
{
	static const char *const n[] = { "text", "csv", "json", "md", "html" };
	for (int i = 0; i < 5; i++)
		if (strcmp(name, n[i]) == 0)
			return i;
	if (strcmp(name, "markdown") == 0)
		return REPORT_MD;
	return -1;
}

int report_format_of_path(const char *path)
{
	static const struct {
		const char *ext;
		int f;
	} e[] = { { ".txt", REPORT_TEXT }, { ".csv", REPORT_CSV },     { ".json", REPORT_JSON },
		  { ".md", REPORT_MD },    { ".markdown", REPORT_MD }, { ".html", REPORT_HTML },
		  { ".htm", REPORT_HTML } };
	const char *dot = path ? strrchr(path, '.') : NULL;
	if (dot == NULL || strchr(dot, '/') != NULL)
		return -1;
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		if (strcasecmp(dot, e[i].ext) == 0)
			return e[i].f;
	return -1;
}

/* True when no metric of group g that depends on a check (a denominator
 * other than all) was checked in the run: the group says "not checked". */
static bool group_not_checked(const struct report_stats *s, const char *group)
{
	bool any = false;
	for (size_t m = 0; m < report_nmetrics; m++) {
		if (strcmp(report_metrics[m].group, group) != 0 || report_metrics[m].denom < 0)
			continue;
		if (report_stats_checked(s, m))
			return false;
		any = true;
	}
	return any;
}

const char *report_run_date(const struct store_run *r)
{
	return r->finished_at[0] ? r->finished_at : r->started;
}

void report_text_pad(FILE *out, const char *s, int width)
{
	for (size_t n = print_safe(out, s ? s : ""); n < (size_t)width; n++)
		fputc(' ', out);
}

const char *report_cell_text(char *buf, size_t len, const struct report_stats *s,
                             enum report_view v, size_t m)
{
	if (!report_stats_checked(s, m)) {
		snprintf(buf, len, "not checked");
		return buf;
	}
	long c = report_stats_count(s, v, m), d = report_stats_denominator(s, v, m);
	double p = report_percent(c, d);
	if (p < 0)
		snprintf(buf, len, "%ld/%ld (-)", c, d);
	else
		snprintf(buf, len, "%ld/%ld (%.1f%%)", c, d, p);
	return buf;
}

static void text_cell(FILE *out, const struct report_stats *s, enum report_view v, size_t m)
{
	char buf[64];
	if (!report_stats_has(v, m)) {
		fprintf(out, "  %-20s", "");
		return;
	}
	fprintf(out, "  %-20s", report_cell_text(buf, sizeof(buf), s, v, m));
}

void report_header_text(FILE *out, const struct report_doc *d)
{
	const struct store_run *r = d->run;
	fprintf(out, "posture report: run %lld (", (long long)r->id);
	print_safe(out, r->label);
	fprintf(out, "), %s, list ", report_run_date(r));
	print_safe(out, r->list);
	fprintf(out, ", posture %s\n", r->tool_version[0] ? r->tool_version : "?");
}

/* The readings of "DMARC enforced", side by side, in text or Markdown. */
static void enforced_defs(FILE *out, const struct report_stats *s, bool md)
{
	char a[64], b[64];
	if (md)
		fputs("\n## DMARC \"enforced\": four readings, side by side\n\n| what it counts | "
		      "metric | domains | companies |\n|---|---|--:|--:|\n",
		      out);
	else
		fputs("\nDMARC \"enforced\": four readings, side by side (doc/reports.md)\n", out);
	for (size_t i = 0; i < 4; i++) {
		int m = report_metric_index(report_enforced_defs[i].metric);
		if (m < 0)
			continue;
		report_cell_text(a, sizeof(a), s, REPORT_VIEW_DOMAIN, (size_t)m);
		report_cell_text(b, sizeof(b), s, REPORT_VIEW_COMPANY, (size_t)m);
		if (md)
			fprintf(out, "| %s | `%s` | %s | %s |\n", report_enforced_defs[i].words,
			        report_enforced_defs[i].metric, a, b);
		else
			fprintf(out, "  %-24s %-20s %-20s %s\n", report_enforced_defs[i].metric, a,
			        b, report_enforced_defs[i].words);
	}
}

static void text_group(FILE *out, const struct report_stats *s, size_t g)
{
	fprintf(out, "\n%s\n", groups[g].title);
	if (group_not_checked(s, groups[g].group)) {
		fprintf(out, "  not checked in this run (the check did not run): no adoption "
		             "figure\n");
		return;
	}
	fprintf(out, "  %-32s %-48s  %-20s  %-20s  %-20s\n", "metric", "", "domains", "companies",
	        "companies (any)");
	for (size_t m = 0; m < report_nmetrics; m++) {
		if (strcmp(report_metrics[m].group, groups[g].group) != 0)
			continue;
		fprintf(out, "  %-32s %-48s", report_metrics[m].name, report_metrics[m].label);
		for (int v = 0; v < REPORT_VIEWS; v++)
			text_cell(out, s, (enum report_view)v, m);
		fputc('\n', out);
	}
}

static int write_text_stats(FILE *out, const struct report_doc *d)
{
	const struct report_stats *s = d->stats;
	report_header_text(out, d);
	fprintf(out, "  domain view: %ld domains (%s)\n", report_stats_units(s, REPORT_VIEW_DOMAIN),
	        report_view_rule(REPORT_VIEW_DOMAIN));
	fprintf(out, "  company view: %ld companies (%s)\n",
	        report_stats_units(s, REPORT_VIEW_COMPANY), report_view_rule(REPORT_VIEW_COMPANY));
	fprintf(out, "  company_any view: %s (given for some metrics)\n",
	        report_view_rule(REPORT_VIEW_COMPANY_ANY));
	fprintf(out, "  n/N: N is the denominator (the metric's population in that view)\n");
	for (size_t g = 0; g < NGROUPS; g++)
		text_group(out, s, g);
	enforced_defs(out, s, false);
	size_t n;
	const struct report_include *inc = report_stats_includes(s, &n);
	fprintf(out,
	        "\nTop included SPF providers (domains whose record includes them directly)\n");
	if (n == 0)
		fprintf(out, "  none\n");
	for (size_t i = 0; i < n; i++) {
		fputs("  ", out);
		report_text_pad(out, inc[i].host, 40);
		fprintf(out, " %ld\n", inc[i].domains);
	}
	return ferror(out) ? -1 : 0;
}

static void csv_pct(FILE *out, long c, long d)
{
	double p = report_percent(c, d);
	if (p >= 0)
		fprintf(out, "%.1f", p);
}

void report_csv_metrics(FILE *out, const struct report_stats *s, const char *const *lead,
                        size_t nlead, bool raw, bool gaps)
{
	for (size_t m = 0; m < report_nmetrics; m++)
		for (int v = 0; v < REPORT_VIEWS; v++) {
			if (!report_stats_has((enum report_view)v, m))
				continue;
			long c = report_stats_count(s, (enum report_view)v, m);
			long dn = report_stats_denominator(s, (enum report_view)v, m);
			for (size_t k = 0; k < nlead; k++) {
				csv_cell_mode(out, lead[k], raw);
				fputc(',', out);
			}
			fprintf(out, "%s,%s,", report_metrics[m].name,
			        report_view_name((enum report_view)v));
			if (gaps && !report_stats_checked(s, m)) {
				fputs(",,\r\n", out); /* not checked: a gap, never 0 */
				continue;
			}
			fprintf(out, "%ld,%ld,", c, dn);
			csv_pct(out, c, dn);
			fputs("\r\n", out);
		}
}

static int write_csv_stats(FILE *out, const struct report_doc *d)
{
	const struct report_stats *s = d->stats;
	fputs("metric,view,count,denominator,percent\r\n", out);
	report_csv_metrics(out, s, NULL, 0, d->csv_raw, false);
	size_t n;
	const struct report_include *inc = report_stats_includes(s, &n);
	long recs = report_stats_count(s, REPORT_VIEW_DOMAIN,
	                               (size_t)report_metric_index("spf_record"));
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(inc[i].host) + sizeof("spf_include:");
		char *name = malloc(len);
		if (name == NULL)
			return -1;
		snprintf(name, len, "spf_include:%s", inc[i].host);
		csv_cell_mode(out, name, d->csv_raw);
		free(name);
		fprintf(out, ",domain,%ld,%ld,", inc[i].domains, recs);
		csv_pct(out, inc[i].domains, recs);
		fputs("\r\n", out);
	}
	return ferror(out) ? -1 : 0;
}

json_t *report_run_json(const struct store_run *r)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s,s:s}", "id", (json_int_t)r->id, "label",
	                 r->label, "list", r->list, "started", r->started, "finished_at",
	                 r->finished_at[0] ? r->finished_at : NULL, "state",
	                 store_run_state_name(r->state), "tool_version", r->tool_version);
}

static json_t *metric_json(const struct report_stats *s, enum report_view v, size_t m, bool gaps)
{
	long c = report_stats_count(s, v, m), dn = report_stats_denominator(s, v, m);
	double p = report_percent(c, dn);
	bool gap = gaps && !report_stats_checked(s, m);
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "metric", report_metrics[m].name, "group",
	                 report_metrics[m].group, "view", report_view_name(v), "count",
	                 gap ? json_null() : json_integer(c), "denominator",
	                 gap ? json_null() : json_integer(dn), "percent",
	                 gap || p < 0 ? json_null() : json_real(p));
}

json_t *report_metrics_json(const struct report_stats *s, bool gaps)
{
	json_t *a = json_array();
	for (size_t m = 0; a && m < report_nmetrics; m++)
		for (int v = 0; v < REPORT_VIEWS; v++)
			if (report_stats_has((enum report_view)v, m))
				json_array_append_new(a,
				                      metric_json(s, (enum report_view)v, m, gaps));
	return a;
}

static json_t *enforced_json(void)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < 4; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "metric",
		                                   report_enforced_defs[i].metric, "counts",
		                                   report_enforced_defs[i].words));
	return a;
}

static json_t *stats_json(const struct report_doc *d)
{
	const struct report_stats *s = d->stats;
	json_t *views = json_object();
	for (int v = 0; views && v < REPORT_VIEWS; v++)
		json_object_set_new(
		        views, report_view_name((enum report_view)v),
		        json_pack("{s:I,s:s}", "units",
		                  (json_int_t)report_stats_units(s, (enum report_view)v), "rule",
		                  report_view_rule((enum report_view)v)));
	size_t n;
	const struct report_include *inc = report_stats_includes(s, &n);
	json_t *incs = json_array();
	for (size_t i = 0; incs && i < n; i++)
		json_array_append_new(incs, json_pack("{s:s,s:I}", "host", inc[i].host, "domains",
		                                      (json_int_t)inc[i].domains));
	int bc = report_metric_index("bimi_checked");
	return json_pack("{s:o,s:o,s:b,s:o,s:o,s:o}", "run", report_run_json(d->run), "views",
	                 views ? views : json_null(), "bimi_checked",
	                 report_stats_count(s, REPORT_VIEW_DOMAIN, (size_t)bc) > 0, "metrics",
	                 report_metrics_json(s, false), "spf_includes", incs ? incs : json_null(),
	                 "dmarc_enforced_readings", enforced_json());
}

int report_json_out(FILE *out, json_t *o)
{
	if (o == NULL)
		return -1;
	/* As the commands print JSON (cli/output.c json_print): compact,
	 * ASCII, one line. */
	char *text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (text == NULL)
		return -1;
	fputs(text, out);
	fputc('\n', out);
	free(text);
	return ferror(out) ? -1 : 0;
}

void report_md_text(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	for (size_t i = 0; i < n;) {
		bool raw;
		size_t len = utf8_next(p + i, n - i, &raw);
		if (!raw)
			fputc(' ', out);
		else if (len == 1 && strchr("|\\`*_[]<>#", p[i]) != NULL)
			fprintf(out, "\\%c", p[i]);
		else
			fwrite(p + i, 1, len, out);
		i += len;
	}
}

static void md_cells(FILE *out, const struct report_stats *s, enum report_view v, size_t m)
{
	if (!report_stats_has(v, m)) {
		fputs(" | |", out);
		return;
	}
	long c = report_stats_count(s, v, m), d = report_stats_denominator(s, v, m);
	double p = report_percent(c, d);
	fprintf(out, " %ld/%ld |", c, d);
	if (p < 0)
		fputs(" – |", out);
	else
		fprintf(out, " %.1f |", p);
}

void report_header_md(FILE *out, const struct report_doc *d)
{
	const struct store_run *r = d->run;
	fputs("# posture report: run ", out);
	fprintf(out, "%lld\n\n", (long long)r->id);
	fputs("- label: ", out);
	report_md_text(out, r->label);
	fprintf(out, "\n- date: %s\n- list: ", report_run_date(r));
	report_md_text(out, r->list);
	fputs("\n- tool: posture ", out);
	report_md_text(out, r->tool_version);
	fputc('\n', out);
}

static void md_group(FILE *out, const struct report_stats *s, size_t g)
{
	fprintf(out, "\n## %s\n\n", groups[g].title);
	if (group_not_checked(s, groups[g].group)) {
		fputs("Not checked in this run (the check did not run): no adoption figure.\n",
		      out);
		return;
	}
	fputs("| metric | measure | domains | % | companies | % | companies (any domain) | % "
	      "|\n|---|---|--:|--:|--:|--:|--:|--:|\n",
	      out);
	for (size_t m = 0; m < report_nmetrics; m++) {
		if (strcmp(report_metrics[m].group, groups[g].group) != 0)
			continue;
		/* Our own names: code spans, nothing to escape. */
		fprintf(out, "| `%s` | ", report_metrics[m].name);
		report_md_text(out, report_metrics[m].label);
		fputs(" |", out);
		for (int v = 0; v < REPORT_VIEWS; v++)
			md_cells(out, s, (enum report_view)v, m);
		fputc('\n', out);
	}
}

static int write_md_stats(FILE *out, const struct report_doc *d)
{
	const struct report_stats *s = d->stats;
	report_header_md(out, d);
	fprintf(out, "- domain view: %ld domains; %s\n", report_stats_units(s, REPORT_VIEW_DOMAIN),
	        report_view_rule(REPORT_VIEW_DOMAIN));
	fprintf(out, "- company view: %ld companies; %s\n",
	        report_stats_units(s, REPORT_VIEW_COMPANY), report_view_rule(REPORT_VIEW_COMPANY));
	fprintf(out, "- any-domain view: %s\n", report_view_rule(REPORT_VIEW_COMPANY_ANY));
	fputs("- n/N: N is the denominator, the metric's population in that view\n", out);
	for (size_t g = 0; g < NGROUPS; g++)
		md_group(out, s, g);
	enforced_defs(out, s, true);
	size_t n;
	const struct report_include *inc = report_stats_includes(s, &n);
	fputs("\n## Top included SPF providers\n\n| include | domains |\n|---|--:|\n", out);
	for (size_t i = 0; i < n; i++) {
		fputs("| ", out);
		report_md_text(out, inc[i].host);
		fprintf(out, " | %ld |\n", inc[i].domains);
	}
	return ferror(out) ? -1 : 0;
}

static int write_stats(FILE *out, enum report_format f, const struct report_doc *d)
{
	switch (f) {
	case REPORT_TEXT:
		return write_text_stats(out, d);
	case REPORT_CSV:
		return write_csv_stats(out, d);
	case REPORT_JSON:
		return report_json_out(out, stats_json(d));
	case REPORT_MD:
		return write_md_stats(out, d);
	case REPORT_HTML:
		return report_write_html(out, d);
	}
	return -1;
}

/* Statistics per group: JSON and CSV (long form: a first column named
 * by), text and Markdown (a block per group). */
static int write_groups(FILE *out, enum report_format f, const struct report_doc *d)
{
	if (f == REPORT_JSON) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < d->ngroups; i++) {
			struct report_doc g = { .run = d->run, .stats = d->group_stats[i] };
			json_t *o = stats_json(&g);
			if (o != NULL) {
				json_object_del(o, "run");
				json_object_del(o, "dmarc_enforced_readings");
				json_object_set_new(o, "group", json_string(d->group_names[i]));
			}
			json_array_append_new(a, o);
		}
		return report_json_out(out,
		                       json_pack("{s:o,s:s,s:o}", "run", report_run_json(d->run),
		                                 "by", d->by, "groups", a ? a : json_null()));
	}
	if (f == REPORT_CSV) {
		csv_cell_mode(out, d->by, d->csv_raw);
		fputs(",metric,view,count,denominator,percent\r\n", out);
		for (size_t i = 0; i < d->ngroups; i++)
			report_csv_metrics(out, d->group_stats[i], &d->group_names[i], 1,
			                   d->csv_raw, false);
		return ferror(out) ? -1 : 0;
	}
	for (size_t i = 0; i < d->ngroups; i++) {
		struct report_doc g = { .run = d->run, .stats = d->group_stats[i] };
		if (f == REPORT_MD) {
			fprintf(out, "%s# ", i ? "\n" : "");
			report_md_text(out, d->by);
			fputs(": ", out);
			report_md_text(out, d->group_names[i]);
			fputs("\n\n", out);
		} else {
			fprintf(out, "%s== ", i ? "\n" : "");
			report_text_pad(out, d->by, 0);
			fputs(": ", out);
			report_text_pad(out, d->group_names[i], 0);
			fputs(" ==\n", out);
		}
		int rc = f == REPORT_MD ? write_md_stats(out, &g) : write_text_stats(out, &g);
		if (rc != 0)
			return rc;
	}
	return ferror(out) ? -1 : 0;
}

int report_write_what(FILE *out, enum report_format f, const struct report_doc *d,
                      enum report_what what)
{
	if (f == REPORT_HTML)
		return report_write_html(out, d);
	switch (what) {
	case REPORT_STATS:
		return write_stats(out, f, d);
	case REPORT_DOMAINS:
		return report_write_domains(out, f, d);
	case REPORT_COMPANIES:
		return report_write_companies(out, f, d);
	case REPORT_GROUPS:
		return write_groups(out, f, d);
	case REPORT_TREND:
		return report_write_trend(out, f, d);
	}
	return -1;
}

int report_write(FILE *out, enum report_format f, const struct report_doc *d, bool domains)
{
	return report_write_what(out, f, d, domains ? REPORT_DOMAINS : REPORT_STATS);
}
