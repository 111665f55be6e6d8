/*
 * write.c — the text, CSV, JSON and Markdown writers of a run's
 * statistics and groups, and what the writers share (write_impl.h). The
 * domain and company tables are table.c and companies.c, trends trend.c,
 * HTML html.c.
 *
 * Every writer walks report_metrics in order, so a figure has one name and
 * one value in every format. Published text (company names come from
 * lists, records from DNS) is never written raw: terminals get \DDD for
 * control characters (as print_safe writes them, within the report's text
 * width: textcol.h), CSV goes through csv_cell (or, asked for with
 * --csv-raw, csv_cell_mode's raw RFC 4180 quoting), Markdown escapes its
 * table syntax, JSON is jansson's (ASCII-only).
 */
#include "report.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "textcol.h"
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
	{ "dkim", "DKIM (of DKIM checked; none_found: no usable key among the selectors probed)" },
	{ "mx", "MX and A" },
	{ "transport", "Transport security (MTA-STS, TLS-RPT, DNSSEC, DANE)" },
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

/* A cell, "n/N (p%)" or, compact, "n/N p%"; "not checked" either way. */
static const char *cell(char *buf, size_t len, const struct report_stats *s, enum report_view v,
                        size_t m, bool compact)
{
	if (!report_stats_checked(s, m)) {
		snprintf(buf, len, "not checked");
		return buf;
	}
	long c = report_stats_count(s, v, m), d = report_stats_denominator(s, v, m);
	double p = report_percent(c, d);
	if (p < 0)
		snprintf(buf, len, compact ? "%ld/%ld -" : "%ld/%ld (-)", c, d);
	else
		snprintf(buf, len, compact ? "%ld/%ld %.1f%%" : "%ld/%ld (%.1f%%)", c, d, p);
	return buf;
}

const char *report_cell_text(char *buf, size_t len, const struct report_stats *s,
                             enum report_view v, size_t m)
{
	return cell(buf, len, s, v, m, false);
}

const char *report_cell_compact(char *buf, size_t len, const struct report_stats *s,
                                enum report_view v, size_t m)
{
	return cell(buf, len, s, v, m, true);
}

static void text_vline(FILE *out, size_t width, size_t indent, size_t hang, const char *fmt,
                       va_list ap)
{
	char *line = NULL;
	if (vasprintf(&line, fmt, ap) < 0)
		return;
	const char *p = line;
	for (; *p == '\n'; p++)
		fputc('\n', out);
	text_wrap(out, p, indent, hang, width);
	free(line);
}

void report_text_line(FILE *out, const struct report_doc *d, size_t indent, size_t hang,
                      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	text_vline(out, text_width_of(d->text_width), indent, hang, fmt, ap);
	va_end(ap);
}

void report_text_linew(FILE *out, size_t width, size_t indent, size_t hang, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	text_vline(out, width, indent, hang, fmt, ap);
	va_end(ap);
}

void report_header_text(FILE *out, const struct report_doc *d)
{
	const struct store_run *r = d->run;
	/* The label and the list are published text: text_wrap escapes. */
	report_text_line(out, d, 0, 2, "posture report: run %lld (%s), %s, list %s, posture %s",
	                 (long long)r->id, r->label, report_run_date(r), r->list,
	                 r->tool_version[0] ? r->tool_version : "?");
}

/* The layouts of the statistics' text tables, widest first: the first
 * in which every table of the report fits is used (doc/reports.md). */
enum stat_layout {
	LAYOUT_WIDE,    /* metric, what it counts, a cell per view: one line */
	LAYOUT_NARROW,  /* metric and its cells; what it counts on the next line */
	LAYOUT_COMPACT, /* the same, cells as "n/N p%"; a table that still does
	                 * not fit: the name alone and whole cells below it, else
	                 * a block per metric (textcol.h) */
};

/* Metrics to lay out as a table: a name, what it counts, a cell per view
 * (heads[v] NULL: the view is not a column). */
struct mrows {
	const struct report_stats *s;
	const size_t *metrics;
	const char *const *labels;
	size_t n;
	const char *const *heads;
	bool label_last; /* wide: what it counts after the cells */
};

struct mtable {
	struct text_col cols[2 + REPORT_VIEWS];
	const char **cells, **notes;
	char (*buf)[REPORT_VIEWS][48];
	struct text_table t;
};

static void mtable_free(struct mtable *x)
{
	free(x->cells);
	free(x->notes);
	free(x->buf);
}

/* The columns of in's table: the metric, what it counts (wide), and the
 * views that have a cell in it. Returns how many; *label its index, or
 * none (ncols). */
static size_t mtable_cols(struct mtable *x, const struct mrows *in, enum stat_layout l, int *views,
                          size_t *label)
{
	size_t nc = 0, nv = 0;
	for (int v = 0; v < REPORT_VIEWS; v++) {
		bool any = false;
		for (size_t i = 0; in->heads[v] && i < in->n; i++)
			any |= report_stats_has((enum report_view)v, in->metrics[i]);
		if (any)
			views[nv++] = v;
	}
	x->cols[nc++] = (struct text_col){ "metric", 0 };
	*label = 2 + REPORT_VIEWS;
	if (l == LAYOUT_WIDE && !in->label_last) {
		*label = nc;
		x->cols[nc++] = (struct text_col){ "", 0 };
	}
	for (size_t k = 0; k < nv; k++)
		x->cols[nc++] = (struct text_col){ in->heads[views[k]], 0 };
	if (l == LAYOUT_WIDE && in->label_last) {
		*label = nc;
		x->cols[nc++] = (struct text_col){ "", 0 };
	}
	for (size_t k = nv; k < REPORT_VIEWS; k++)
		views[k] = -1;
	return nc;
}

static int mtable_build(struct mtable *x, const struct mrows *in, enum stat_layout l)
{
	int views[REPORT_VIEWS];
	size_t label;
	memset(x, 0, sizeof(*x));
	size_t nc = mtable_cols(x, in, l, views, &label);
	x->cells = calloc(in->n * nc + 1, sizeof(*x->cells));
	x->notes = calloc(in->n + 1, sizeof(*x->notes));
	x->buf = calloc(in->n + 1, sizeof(*x->buf));
	if (x->cells == NULL || x->notes == NULL || x->buf == NULL) {
		mtable_free(x);
		return -1;
	}
	for (size_t i = 0; i < in->n; i++) {
		size_t m = in->metrics[i], k = 0;
		const char **row = x->cells + i * nc;
		row[k++] = report_metrics[m].name;
		if (label == 1)
			row[k++] = in->labels[i];
		for (size_t j = 0; j < REPORT_VIEWS && views[j] >= 0; j++, k++) {
			enum report_view v = (enum report_view)views[j];
			char *b = x->buf[i][j];
			if (!report_stats_has(v, m))
				row[k] = "";
			else if (l == LAYOUT_COMPACT)
				row[k] = report_cell_compact(b, sizeof(x->buf[i][j]), in->s, v, m);
			else
				row[k] = report_cell_text(b, sizeof(x->buf[i][j]), in->s, v, m);
		}
		if (label > 1 && label < nc)
			row[label] = in->labels[i];
		if (l != LAYOUT_WIDE)
			x->notes[i] = in->labels[i];
	}
	x->t = (struct text_table){ .cols = x->cols,
		                    .ncols = nc,
		                    .cells = x->cells,
		                    .notes = x->notes,
		                    .nrows = in->n,
		                    .indent = 2,
		                    .sep = 2,
		                    .heads = true };
	return 0;
}

/* The first layout in which each of in's tables (n) fits width. */
static enum stat_layout mtables_layout(const struct mrows *in, size_t n, size_t width)
{
	for (int l = LAYOUT_WIDE; l < LAYOUT_COMPACT; l++) {
		bool fits = true;
		for (size_t i = 0; fits && i < n; i++) {
			struct mtable x;
			if (in[i].n == 0)
				continue;
			if (mtable_build(&x, &in[i], (enum stat_layout)l) != 0)
				return LAYOUT_COMPACT;
			fits = text_table_width(&x.t, false) <= width;
			mtable_free(&x);
		}
		if (fits)
			return (enum stat_layout)l;
	}
	return LAYOUT_COMPACT;
}

static int mtable_write(FILE *out, const struct mrows *in, enum stat_layout l, size_t width)
{
	struct mtable x;
	if (mtable_build(&x, in, l) != 0)
		return -1;
	if (l == LAYOUT_COMPACT && text_table_width(&x.t, false) > width) {
		/* A block per metric, a line per view: room for whole cells. */
		mtable_free(&x);
		if (mtable_build(&x, in, LAYOUT_NARROW) != 0)
			return -1;
	}
	text_table_write(out, &x.t, width);
	mtable_free(&x);
	return 0;
}

static const char *const view_heads[REPORT_VIEWS] = { "domains", "companies", "companies (any)" };

/* The readings of "DMARC enforced", side by side, in text or Markdown. */
static int enforced_defs(FILE *out, const struct report_doc *d, bool md)
{
	const struct report_stats *s = d->stats;
	size_t metrics[4], n = 0;
	const char *words[4];
	char a[64], b[64];
	if (md)
		fputs("\n## DMARC \"enforced\": four readings, side by side\n\n| what it counts | "
		      "metric | domains | companies |\n|---|---|--:|--:|\n",
		      out);
	else
		report_text_line(
		        out, d, 0, 2,
		        "\nDMARC \"enforced\": four readings, side by side (doc/reports.md)");
	for (size_t i = 0; i < 4; i++) {
		int m = report_metric_index(report_enforced_defs[i].metric);
		if (m < 0)
			continue;
		metrics[n] = (size_t)m;
		words[n++] = report_enforced_defs[i].words;
		if (!md)
			continue;
		report_cell_text(a, sizeof(a), s, REPORT_VIEW_DOMAIN, (size_t)m);
		report_cell_text(b, sizeof(b), s, REPORT_VIEW_COMPANY, (size_t)m);
		fprintf(out, "| %s | `%s` | %s | %s |\n", report_enforced_defs[i].words,
		        report_enforced_defs[i].metric, a, b);
	}
	if (md)
		return 0;
	static const char *const heads[REPORT_VIEWS] = { "domains", "companies", NULL };
	struct mrows in = { s, metrics, words, n, heads, true };
	size_t width = text_width_of(d->text_width);
	return mtable_write(out, &in, mtables_layout(&in, 1, width), width);
}

/* The metrics of groups[g] (at most report_nmetrics) into metrics and
 * their labels; returns how many. */
static size_t group_metrics(size_t g, size_t *metrics, const char **labels)
{
	size_t n = 0;
	for (size_t m = 0; m < report_nmetrics; m++)
		if (strcmp(report_metrics[m].group, groups[g].group) == 0) {
			metrics[n] = m;
			labels[n++] = report_metrics[m].label;
		}
	return n;
}

/* The most included SPF providers: host and domains. */
static int text_includes(FILE *out, const struct report_doc *d, size_t width)
{
	size_t n;
	const struct report_include *inc = report_stats_includes(d->stats, &n);
	report_text_line(out, d, 0, 2,
	                 "\nTop included SPF providers (domains whose record includes them "
	                 "directly)");
	if (n == 0) {
		fputs("  none\n", out);
		return 0;
	}
	const char **cells = calloc(2 * n, sizeof(*cells));
	char(*num)[24] = calloc(n, sizeof(*num));
	if (cells == NULL || num == NULL) {
		free(cells);
		free(num);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(num[i], sizeof(num[i]), "%ld", inc[i].domains);
		cells[2 * i] = inc[i].host;
		cells[2 * i + 1] = num[i];
	}
	static const struct text_col cols[] = { { "include", 0 }, { "domains", 0 } };
	struct text_table t = {
		.cols = cols, .ncols = 2, .cells = cells, .nrows = n, .indent = 2, .sep = 1
	};
	text_table_write(out, &t, width);
	free(cells);
	free(num);
	return 0;
}

static int write_text_stats(FILE *out, const struct report_doc *d)
{
	const struct report_stats *s = d->stats;
	size_t width = text_width_of(d->text_width);
	struct mrows in[NGROUPS];
	size_t *metrics = calloc(report_nmetrics + 1, sizeof(*metrics));
	const char **labels = calloc(report_nmetrics + 1, sizeof(*labels));
	int rc = metrics && labels ? 0 : -1;
	for (size_t g = 0, at = 0; rc == 0 && g < NGROUPS; g++) {
		size_t n = group_metrics(g, metrics + at, labels + at);
		bool skip = group_not_checked(s, groups[g].group);
		in[g] = (struct mrows){ s,          metrics + at, labels + at, skip ? 0 : n,
			                view_heads, false };
		at += n;
	}
	if (rc == 0) {
		enum stat_layout l = mtables_layout(in, NGROUPS, width);
		report_header_text(out, d);
		report_text_line(out, d, 2, 4, "domain view: %ld domains (%s)",
		                 report_stats_units(s, REPORT_VIEW_DOMAIN),
		                 report_view_rule(REPORT_VIEW_DOMAIN));
		report_text_line(out, d, 2, 4, "company view: %ld companies (%s)",
		                 report_stats_units(s, REPORT_VIEW_COMPANY),
		                 report_view_rule(REPORT_VIEW_COMPANY));
		report_text_line(out, d, 2, 4, "company_any view: %s (given for some metrics)",
		                 report_view_rule(REPORT_VIEW_COMPANY_ANY));
		report_text_line(
		        out, d, 2, 4,
		        "n/N: N is the denominator (the metric's population in that view)%s",
		        l == LAYOUT_WIDE ? "" : "; what a metric counts is below it");
		for (size_t g = 0; rc == 0 && g < NGROUPS; g++) {
			report_text_line(out, d, 0, 2, "\n%s", groups[g].title);
			if (in[g].n == 0)
				report_text_line(out, d, 2, 4,
				                 "not checked in this run (the check did not run): "
				                 "no adoption figure");
			else
				rc = mtable_write(out, &in[g], l, width);
		}
	}
	free(metrics);
	free(labels);
	if (rc == 0)
		rc = enforced_defs(out, d, false);
	if (rc == 0)
		rc = text_includes(out, d, width);
	return rc != 0 || ferror(out) ? -1 : 0;
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
	enforced_defs(out, d, true);
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
			g.text_width = d->text_width;
			report_text_line(out, d, 0, 3, "%s== %s: %s ==", i ? "\n" : "", d->by,
			                 d->group_names[i]);
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
