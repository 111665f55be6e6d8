/*
 * write.c — the text, CSV, JSON and Markdown writers of a run's
 * statistics and domain table, and of trends (HTML is html.c).
 *
 * Every writer walks report_metrics in order, so a figure has one name and
 * one value in every format. Published text (company names come from
 * lists, records from DNS) is never written raw: terminals get \DDD for
 * control characters (print_safe), CSV goes through csv_cell, Markdown
 * escapes its table syntax, JSON is jansson's (ASCII-only).
 */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "textout.h"
#include "utf8.h"

static const struct {
	const char *group, *title;
} groups[] = {
	{ "general", "Results" },
	{ "dmarc", "DMARC" },
	{ "spf", "SPF" },
	{ "spf_cause", "SPF PermError causes (the first cause found; of PermErrors)" },
	{ "spf_all", "SPF terminal all (of published SPF records)" },
	{ "spf_lookups", "SPF DNS lookups (RFC 7208 4.6.4; of published SPF records)" },
	{ "bimi", "BIMI" },
	{ "bimi_fail", "Why not BIMI-eligible (readiness items that fail; of not eligible)" },
	{ "mx", "MX and A" },
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

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

static bool bimi_checked(const struct report_stats *s)
{
	return report_stats_count(s, REPORT_VIEW_DOMAIN,
	                          (size_t)report_metric_index("bimi_checked")) > 0;
}

/* True when the metric's group is BIMI and BIMI was not checked: the
 * readers say "not checked", never 0 %. */
static bool not_checked(const struct report_stats *s, size_t m)
{
	return strncmp(report_metrics[m].group, "bimi", 4) == 0 && !bimi_checked(s);
}

static const char *run_date(const struct store_run *r)
{
	return r->finished_at[0] ? r->finished_at : r->started;
}

/* Writes s as print_safe does (controls, bidi controls and bytes that
 * are not UTF-8 as \DDD), padded with spaces to width characters (bytes;
 * UTF-8 text may look shorter). */
static void text_pad(FILE *out, const char *s, int width)
{
	for (size_t n = print_safe(out, s ? s : ""); n < (size_t)width; n++)
		fputc(' ', out);
}

static void text_cell(FILE *out, const struct report_stats *s, enum report_view v, size_t m)
{
	char buf[64];
	if (!report_stats_has(v, m)) {
		fprintf(out, "  %-20s", "");
		return;
	}
	long c = report_stats_count(s, v, m), d = report_stats_denominator(s, v, m);
	double p = report_percent(c, d);
	if (p < 0)
		snprintf(buf, sizeof(buf), "%ld/%ld (-)", c, d);
	else
		snprintf(buf, sizeof(buf), "%ld/%ld (%.1f%%)", c, d, p);
	fprintf(out, "  %-20s", buf);
}

static void header_text(FILE *out, const struct report_doc *d)
{
	const struct store_run *r = d->run;
	fprintf(out, "posture report: run %lld (", (long long)r->id);
	print_safe(out, r->label);
	fprintf(out, "), %s, list ", run_date(r));
	print_safe(out, r->list);
	fprintf(out, ", posture %s\n", r->tool_version[0] ? r->tool_version : "?");
}

static int write_text_stats(FILE *out, const struct report_doc *d)
{
	const struct report_stats *s = d->stats;
	header_text(out, d);
	fprintf(out, "  domain view: %ld domains (%s)\n", report_stats_units(s, REPORT_VIEW_DOMAIN),
	        report_view_rule(REPORT_VIEW_DOMAIN));
	fprintf(out, "  company view: %ld companies (%s)\n",
	        report_stats_units(s, REPORT_VIEW_COMPANY), report_view_rule(REPORT_VIEW_COMPANY));
	fprintf(out, "  company_any view: %s (given for some metrics)\n",
	        report_view_rule(REPORT_VIEW_COMPANY_ANY));
	fprintf(out, "  n/N: N is the denominator (the metric's population in that view)\n");
	for (size_t g = 0; g < NGROUPS; g++) {
		fprintf(out, "\n%s\n", groups[g].title);
		if (strncmp(groups[g].group, "bimi", 4) == 0 && !bimi_checked(s)) {
			fprintf(out, "  not checked in this run (BIMI did not run): no adoption "
			             "figure\n");
			continue;
		}
		fprintf(out, "  %-32s %-48s  %-20s  %-20s  %-20s\n", "metric", "", "domains",
		        "companies", "companies (any)");
		for (size_t m = 0; m < report_nmetrics; m++) {
			if (strcmp(report_metrics[m].group, groups[g].group) != 0)
				continue;
			fprintf(out, "  %-32s %-48s", report_metrics[m].name,
			        report_metrics[m].label);
			for (int v = 0; v < REPORT_VIEWS; v++)
				text_cell(out, s, (enum report_view)v, m);
			fputc('\n', out);
		}
	}
	size_t n;
	const struct report_include *inc = report_stats_includes(s, &n);
	fprintf(out,
	        "\nTop included SPF providers (domains whose record includes them directly)\n");
	if (n == 0)
		fprintf(out, "  none\n");
	for (size_t i = 0; i < n; i++) {
		fputs("  ", out);
		text_pad(out, inc[i].host, 40);
		fprintf(out, " %ld\n", inc[i].domains);
	}
	return ferror(out) ? -1 : 0;
}

static const char *orempty(const char *s)
{
	return s ? s : "";
}

static void num(char *buf, size_t len, long v)
{
	if (v < 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%ld", v);
}

static int write_text_domains(FILE *out, const struct report_doc *d)
{
	header_text(out, d);
	fprintf(out, "%-32s %-24s %-10s %-26s %-10s %-11s %-9s %-9s %-8s\n", "domain", "company",
	        "spf", "spf_error", "dmarc", "policy", "bimi", "vmc", "mx");
	for (size_t i = 0; i < d->nrows; i++) {
		const struct report_row *r = &d->rows[i];
		text_pad(out, r->domain, 32);
		fputc(' ', out);
		text_pad(out, r->company, 24);
		fprintf(out, " %-10s %-26s %-10s %-11s %-9s %-9s %-8s\n", r->spf_status,
		        r->spf_error, report_dmarc_class(r), r->dmarc_policy, r->bimi_status,
		        r->vmc_status, r->mx);
	}
	return ferror(out) ? -1 : 0;
}

static void csv_pct(FILE *out, long c, long d)
{
	double p = report_percent(c, d);
	if (p >= 0)
		fprintf(out, "%.1f", p);
}

/* One CSV record per metric and view, each led by the lead cells. */
static void csv_metrics(FILE *out, const struct report_stats *s, const char *const *lead,
                        size_t nlead)
{
	for (size_t m = 0; m < report_nmetrics; m++)
		for (int v = 0; v < REPORT_VIEWS; v++) {
			if (!report_stats_has((enum report_view)v, m))
				continue;
			long c = report_stats_count(s, (enum report_view)v, m);
			long dn = report_stats_denominator(s, (enum report_view)v, m);
			for (size_t k = 0; k < nlead; k++) {
				csv_cell(out, lead[k]);
				fputc(',', out);
			}
			fprintf(out, "%s,%s,%ld,%ld,", report_metrics[m].name,
			        report_view_name((enum report_view)v), c, dn);
			csv_pct(out, c, dn);
			fputs("\r\n", out);
		}
}

static int write_csv_stats(FILE *out, const struct report_doc *d)
{
	const struct report_stats *s = d->stats;
	fputs("metric,view,count,denominator,percent\r\n", out);
	csv_metrics(out, s, NULL, 0);
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
		csv_cell(out, name);
		free(name);
		fprintf(out, ",domain,%ld,%ld,", inc[i].domains, recs);
		csv_pct(out, inc[i].domains, recs);
		fputs("\r\n", out);
	}
	return ferror(out) ? -1 : 0;
}

/* The domain table's columns: the issue's list first, then more. */
static const char *const domain_columns[] = {
	"domain",
	"company",
	"code",
	"sector",
	"spf_status",
	"spf_all",
	"spf_lookups",
	"spf_void_lookups",
	"spf_error",
	"dmarc_status",
	"dmarc_policy",
	"dmarc_subdomain_policy",
	"dmarc_pct",
	"dmarc_enforcement",
	"bimi_status",
	"vmc_status",
	"bimi_eligible",
	"mx",
	"scanned_at",
	"a",
	"dmarc_class",
	"dmarc_nonexistent_policy",
	"dmarc_enforcement_rfc7489",
	"vmc_type",
	"conclusive",
	"spf_record",
	"dmarc_record",
};
#define NCOLUMNS (sizeof(domain_columns) / sizeof(domain_columns[0]))

/* The cells of one row, in domain_columns order; numbers in bufs. */
static void domain_cells(const struct report_row *r, const char **c, char bufs[5][16])
{
	num(bufs[0], sizeof(bufs[0]), r->spf_lookups);
	num(bufs[1], sizeof(bufs[1]), r->spf_void);
	num(bufs[2], sizeof(bufs[2]), r->dmarc_pct);
	num(bufs[3], sizeof(bufs[3]), r->bimi_eligible);
	snprintf(bufs[4], sizeof(bufs[4]), "%d", r->conclusive ? 1 : 0);
	const char *v[NCOLUMNS] = {
		r->domain,
		orempty(r->company),
		orempty(r->code),
		orempty(r->sector),
		r->spf_status,
		r->spf_all,
		bufs[0],
		bufs[1],
		r->spf_error,
		r->dmarc_status,
		r->dmarc_policy,
		r->dmarc_sp,
		bufs[2],
		r->dmarc_enforcement,
		r->bimi_status,
		r->vmc_status,
		bufs[3],
		r->mx,
		r->scanned_at,
		r->a,
		report_dmarc_class(r),
		r->dmarc_np,
		r->dmarc_enforcement_7489,
		r->vmc_type,
		bufs[4],
		orempty(r->spf_record),
		orempty(r->dmarc_record),
	};
	memcpy(c, v, sizeof(v));
}

static int write_csv_domains(FILE *out, const struct report_doc *d)
{
	csv_row(out, domain_columns, NCOLUMNS);
	for (size_t i = 0; i < d->nrows; i++) {
		const char *c[NCOLUMNS];
		char bufs[5][16];
		domain_cells(&d->rows[i], c, bufs);
		csv_row(out, c, NCOLUMNS);
	}
	return ferror(out) ? -1 : 0;
}

static json_t *run_json(const struct store_run *r)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s,s:s}", "id", (json_int_t)r->id, "label",
	                 r->label, "list", r->list, "started", r->started, "finished_at",
	                 r->finished_at[0] ? r->finished_at : NULL, "state",
	                 store_run_state_name(r->state), "tool_version", r->tool_version);
}

static json_t *metrics_json(const struct report_stats *s)
{
	json_t *a = json_array();
	for (size_t m = 0; a && m < report_nmetrics; m++)
		for (int v = 0; v < REPORT_VIEWS; v++) {
			if (!report_stats_has((enum report_view)v, m))
				continue;
			long c = report_stats_count(s, (enum report_view)v, m);
			long dn = report_stats_denominator(s, (enum report_view)v, m);
			double p = report_percent(c, dn);
			json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:I,s:I,s:o}", "metric",
			                                   report_metrics[m].name, "group",
			                                   report_metrics[m].group, "view",
			                                   report_view_name((enum report_view)v),
			                                   "count", (json_int_t)c, "denominator",
			                                   (json_int_t)dn, "percent",
			                                   p < 0 ? json_null() : json_real(p)));
		}
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
	return json_pack("{s:o,s:o,s:b,s:o,s:o}", "run", run_json(d->run), "views",
	                 views ? views : json_null(), "bimi_checked", bimi_checked(s), "metrics",
	                 metrics_json(s), "spf_includes", incs ? incs : json_null());
}

static json_t *domains_json(const struct report_doc *d)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < d->nrows; i++) {
		const char *c[NCOLUMNS];
		char bufs[5][16];
		json_t *o = json_object();
		domain_cells(&d->rows[i], c, bufs);
		for (size_t k = 0; o && k < NCOLUMNS; k++) {
			bool number = c[k] == bufs[0] || c[k] == bufs[1] || c[k] == bufs[2] ||
			              c[k] == bufs[3] || c[k] == bufs[4];
			json_t *v;
			if (c[k][0] == '\0')
				v = json_null();
			else if (number)
				v = json_integer(atol(c[k]));
			else
				v = json_string(c[k]);
			json_object_set_new(o, domain_columns[k], v ? v : json_null());
		}
		json_array_append_new(a, o);
	}
	return json_pack("{s:o,s:o}", "run", run_json(d->run), "domains", a ? a : json_null());
}

static int write_json(FILE *out, json_t *o)
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
	return 0;
}

/* Markdown cell text: table syntax escaped; control characters, bidi
 * controls and bytes that are not UTF-8 (utf8_next) as spaces. */
static void md_text(FILE *out, const char *s)
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

static void md_header(FILE *out, const struct report_doc *d)
{
	const struct store_run *r = d->run;
	fputs("# posture report: run ", out);
	fprintf(out, "%lld\n\n", (long long)r->id);
	fputs("- label: ", out);
	md_text(out, r->label);
	fprintf(out, "\n- date: %s\n- list: ", run_date(r));
	md_text(out, r->list);
	fputs("\n- tool: posture ", out);
	md_text(out, r->tool_version);
	fputc('\n', out);
}

static int write_md_stats(FILE *out, const struct report_doc *d)
{
	const struct report_stats *s = d->stats;
	md_header(out, d);
	fprintf(out, "- domain view: %ld domains; %s\n", report_stats_units(s, REPORT_VIEW_DOMAIN),
	        report_view_rule(REPORT_VIEW_DOMAIN));
	fprintf(out, "- company view: %ld companies; %s\n",
	        report_stats_units(s, REPORT_VIEW_COMPANY), report_view_rule(REPORT_VIEW_COMPANY));
	fprintf(out, "- any-domain view: %s\n", report_view_rule(REPORT_VIEW_COMPANY_ANY));
	fputs("- n/N: N is the denominator, the metric's population in that view\n", out);
	for (size_t g = 0; g < NGROUPS; g++) {
		fprintf(out, "\n## %s\n\n", groups[g].title);
		if (strncmp(groups[g].group, "bimi", 4) == 0 && !bimi_checked(s)) {
			fputs("Not checked in this run (BIMI did not run): no adoption figure.\n",
			      out);
			continue;
		}
		fputs("| metric | measure | domains | % | companies | % | companies (any domain) | "
		      "% "
		      "|\n|---|---|--:|--:|--:|--:|--:|--:|\n",
		      out);
		for (size_t m = 0; m < report_nmetrics; m++) {
			if (strcmp(report_metrics[m].group, groups[g].group) != 0)
				continue;
			/* Our own names: code spans, nothing to escape. */
			fprintf(out, "| `%s` | ", report_metrics[m].name);
			md_text(out, report_metrics[m].label);
			fputs(" |", out);
			for (int v = 0; v < REPORT_VIEWS; v++)
				md_cells(out, s, (enum report_view)v, m);
			fputc('\n', out);
		}
	}
	size_t n;
	const struct report_include *inc = report_stats_includes(s, &n);
	fputs("\n## Top included SPF providers\n\n| include | domains |\n|---|--:|\n", out);
	for (size_t i = 0; i < n; i++) {
		fputs("| ", out);
		md_text(out, inc[i].host);
		fprintf(out, " | %ld |\n", inc[i].domains);
	}
	return ferror(out) ? -1 : 0;
}

static int write_md_domains(FILE *out, const struct report_doc *d)
{
	md_header(out, d);
	fputs("\n| domain | company | SPF | SPF error | lookups | DMARC | policy | BIMI | VMC | MX "
	      "|\n|---|---|---|---|--:|---|---|---|---|---|\n",
	      out);
	for (size_t i = 0; i < d->nrows; i++) {
		const struct report_row *r = &d->rows[i];
		const char *c[] = { r->domain,
			            r->company,
			            r->spf_status,
			            r->spf_error,
			            NULL,
			            report_dmarc_class(r),
			            r->dmarc_policy,
			            r->bimi_status,
			            r->vmc_status,
			            r->mx };
		fputc('|', out);
		for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
			fputc(' ', out);
			if (k == 4 && r->spf_lookups >= 0)
				fprintf(out, "%d", r->spf_lookups);
			else
				md_text(out, c[k]);
			fputs(" |", out);
		}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

int report_write(FILE *out, enum report_format f, const struct report_doc *d, bool domains)
{
	switch (f) {
	case REPORT_TEXT:
		return domains ? write_text_domains(out, d) : write_text_stats(out, d);
	case REPORT_CSV:
		return domains ? write_csv_domains(out, d) : write_csv_stats(out, d);
	case REPORT_JSON:
		return write_json(out, domains ? domains_json(d) : stats_json(d));
	case REPORT_MD:
		return domains ? write_md_domains(out, d) : write_md_stats(out, d);
	case REPORT_HTML:
		return report_write_html(out, d);
	}
	return -1;
}

/* The metrics of the trend's text and Markdown tables (CSV and JSON hold
 * every metric). */
static const char *const headline[] = { "results",       "dmarc_enforced", "dmarc_reject",
	                                "dmarc_missing", "spf_ok",         "spf_permerror",
	                                "bimi_record",   "bimi_eligible" };
#define NHEADLINE (sizeof(headline) / sizeof(headline[0]))

int report_write_trend(FILE *out, enum report_format f, const struct store_run *runs,
                       struct report_stats *const *stats, size_t n)
{
	if (f == REPORT_JSON) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < n; i++)
			json_array_append_new(a, json_pack("{s:o,s:o}", "run", run_json(&runs[i]),
			                                   "metrics", metrics_json(stats[i])));
		return write_json(out, a);
	}
	if (f == REPORT_CSV) {
		fputs("run,date,label,metric,view,count,denominator,percent\r\n", out);
		for (size_t i = 0; i < n; i++) {
			char id[24];
			snprintf(id, sizeof(id), "%lld", (long long)runs[i].id);
			const char *lead[] = { id, run_date(&runs[i]), runs[i].label };
			csv_metrics(out, stats[i], lead, 3);
		}
		return ferror(out) ? -1 : 0;
	}
	bool md = f == REPORT_MD;
	if (md)
		fputs("# posture trend (domain view, count/denominator)\n\n| run | date |", out);
	else
		fprintf(out, "posture trend (domain view; n/N)\n%5s  %-20s", "run", "date");
	for (size_t k = 0; k < NHEADLINE; k++)
		fprintf(out, md ? " %s |" : "  %-16s", headline[k]);
	fputc('\n', out);
	if (md) {
		fputs("|--:|---|", out);
		for (size_t k = 0; k < NHEADLINE; k++)
			fputs("--:|", out);
		fputc('\n', out);
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(out, md ? "| %lld | %s |" : "%5lld  %-20s", (long long)runs[i].id,
		        run_date(&runs[i]));
		for (size_t k = 0; k < NHEADLINE; k++) {
			size_t m = (size_t)report_metric_index(headline[k]);
			char buf[48];
			long c = report_stats_count(stats[i], REPORT_VIEW_DOMAIN, m);
			long dn = report_stats_denominator(stats[i], REPORT_VIEW_DOMAIN, m);
			if (not_checked(stats[i], m))
				snprintf(buf, sizeof(buf), "not checked");
			else
				snprintf(buf, sizeof(buf), "%ld/%ld", c, dn);
			fprintf(out, md ? " %s |" : "  %-16s", buf);
		}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

int report_write_groups(FILE *out, enum report_format f, const struct store_run *run,
                        const char *by, const char *const *names, struct report_stats *const *stats,
                        size_t n)
{
	if (f == REPORT_JSON) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < n; i++) {
			struct report_doc d = { .run = run, .stats = stats[i] };
			json_t *o = stats_json(&d);
			if (o != NULL) {
				json_object_del(o, "run");
				json_object_set_new(o, "group", json_string(names[i]));
			}
			json_array_append_new(a, o);
		}
		return write_json(out, json_pack("{s:o,s:s,s:o}", "run", run_json(run), "by", by,
		                                 "groups", a ? a : json_null()));
	}
	if (f == REPORT_CSV) {
		fprintf(out, "%s,metric,view,count,denominator,percent\r\n", by);
		for (size_t i = 0; i < n; i++)
			csv_metrics(out, stats[i], &names[i], 1);
		return ferror(out) ? -1 : 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct report_doc d = { .run = run, .stats = stats[i] };
		if (f == REPORT_MD) {
			fprintf(out, "%s# %s: ", i ? "\n" : "", by);
			md_text(out, names[i]);
			fputs("\n\n", out);
		} else {
			fprintf(out, "%s== %s: ", i ? "\n" : "", by);
			text_pad(out, names[i], 0);
			fputs(" ==\n", out);
		}
		int rc = f == REPORT_MD ? write_md_stats(out, &d) : write_text_stats(out, &d);
		if (rc != 0)
			return rc;
	}
	return ferror(out) ? -1 : 0;
}
