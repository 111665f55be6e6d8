/*
 * html.c — the HTML report: one self-contained file (no external script,
 * style, font or image), readable on a phone: a headline paragraph with
 * the key figures in words, SVG charts (htmlchart.c), the trend, the
 * regressions since the previous run of the same label, groups (--by),
 * the statistics, and a sortable table of the run's domains, capped at
 * REPORT_HTML_ROWS rows (the first domains with a problem) so the page
 * stays small at any size of run (under 2 MB at 100,000 domains).
 *
 * Everything that comes from a list or from DNS (company names, records,
 * include targets) is attacker-controlled: every string goes through
 * html_text, which escapes & < > " ' and writes U+FFFD for each control
 * character (C0, DEL, C1), bidirectional control and byte that is not
 * UTF-8 (the set utf8_next names), so none reaches the page raw. The one
 * script is ours, inline, and allowed by its SHA-256 in the page's
 * Content-Security-Policy (default-src 'none'), so an injected script
 * would not run even if escaping ever failed.
 */
#include "report.h"

#include <string.h>

#include "evidence.h"
#include "html.h"
#include "utf8.h"
#include "write_impl.h"

/* Sorts the table a header belongs to, by that column (numbers as
 * numbers); marks the document when it ran (the tests read that). */
static const char script[] =
        "document.querySelectorAll('table.sortable th').forEach(function(th){"
        "th.addEventListener('click',function(){"
        "var t=th.closest('table'),b=t.tBodies[0],i=th.cellIndex,"
        "r=Array.prototype.slice.call(b.rows),d=th.getAttribute('data-dir')==='a'?-1:1;"
        "th.setAttribute('data-dir',d>0?'a':'d');"
        "r.sort(function(x,y){var p=x.cells[i].textContent,q=y.cells[i].textContent,"
        "m=parseFloat(p),n=parseFloat(q);"
        "if(!isNaN(m)&&!isNaN(n))return(m-n)*d;return p.localeCompare(q)*d;});"
        "r.forEach(function(e){b.appendChild(e);});});});"
        "document.documentElement.setAttribute('data-sortable','ready');";

/* base64(SHA-256(script)); test_report checks it against the script. */
#define SCRIPT_SHA256 "dM7Kr1R3vpyVHFweoEUvPFAljbf2rhKAz1nu8jjSBpk="

const char *report_html_script(void)
{
	return script;
}

const char *report_html_script_sha256(void)
{
	return SCRIPT_SHA256;
}

/* One printable ASCII character, escaped when HTML would read it. */
static void html_char(FILE *out, unsigned char c)
{
	switch (c) {
	case '&':
		fputs("&amp;", out);
		break;
	case '<':
		fputs("&lt;", out);
		break;
	case '>':
		fputs("&gt;", out);
		break;
	case '"':
		fputs("&quot;", out);
		break;
	case '\'':
		fputs("&#39;", out);
		break;
	default:
		fputc(c, out);
	}
}

void html_text(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	for (size_t i = 0; i < n;) {
		bool raw;
		size_t len = utf8_next(p + i, n - i, &raw);
		if (!raw)
			fputs("\xEF\xBF\xBD", out); /* U+FFFD: visible, harmless */
		else if (len > 1)
			fwrite(p + i, 1, len, out);
		else
			html_char(out, p[i]);
		i += len;
	}
}

static const char style[] =
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;"
        "padding:1rem;color:#1a1a1a;background:#fff;line-height:1.4}"
        "main{max-width:72rem;margin:0 auto}"
        "h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}"
        ".meta{color:#555;font-size:.9rem}"
        ".headline{font-size:1.05rem;max-width:50rem}"
        ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,34rem),1fr));"
        "gap:1rem}"
        "figure{margin:0;border:1px solid #ddd;border-radius:6px;padding:.5rem;overflow:hidden}"
        "figcaption{font-weight:600;font-size:.95rem;margin-bottom:.3rem}"
        "svg{max-width:100%;height:auto;display:block}"
        "svg text{font-size:13px;fill:#222}"
        ".s0{fill:#2b6cb0}.s1{fill:#dd6b20}.s2{fill:#38a169}"
        ".l0{stroke:#2b6cb0}.l1{stroke:#dd6b20}.l2{stroke:#38a169}"
        ".line{fill:none;stroke-width:2.5}"
        ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}"
        "table{border-collapse:collapse;font-size:.85rem;min-width:100%}"
        "th,td{border-bottom:1px solid #e2e2e2;padding:.25rem .4rem;text-align:left;"
        "vertical-align:top}"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}"
        "th{background:#f4f4f4;position:sticky;top:0}"
        "table.sortable th{cursor:pointer}"
        ".rec{font-family:ui-monospace,monospace;word-break:break-all;max-width:22rem}"
        ".note{color:#555}";

/* Regressions listed in the page at most (posture diff lists them all). */
#define HTML_CHANGES 200
/* --by groups in the page's table at most. */
#define HTML_GROUPS 200

void html_page_start(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" SCRIPT_SHA256
	      "'\">\n<title>",
	      out);
	html_text(out, title);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", style);
}

void html_page_end(FILE *out)
{
	fprintf(out, "</main>\n<script>%s</script>\n</body>\n</html>\n", script);
}

static void head(FILE *out, const struct store_run *r)
{
	char title[1024];
	snprintf(title, sizeof(title), "posture report: run %lld %s", (long long)r->id, r->label);
	html_page_start(out, title);
}

/* "28.0 %" of a metric in a view, or "n/a" when its denominator is 0. */
static const char *pct_words(char *buf, size_t len, const struct report_stats *s,
                             enum report_view v, const char *metric)
{
	int m = report_metric_index(metric);
	double p = m < 0 ? -1
	                 : report_percent(report_stats_count(s, v, (size_t)m),
	                                  report_stats_denominator(s, v, (size_t)m));
	if (p < 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.1f %%", p);
	return buf;
}

static long count_of(const struct report_stats *s, const char *metric)
{
	int m = report_metric_index(metric);
	return m < 0 ? 0 : report_stats_count(s, REPORT_VIEW_DOMAIN, (size_t)m);
}

/* The key figures in words, first thing on the page. */
static void headline(FILE *out, const struct report_doc *d)
{
	const struct report_stats *s = d->stats;
	char a[32], b[32], c[32];
	fprintf(out, "<p class=\"headline\" id=\"headline\">Of %ld domains of %ld companies: ",
	        report_stats_units(s, REPORT_VIEW_DOMAIN),
	        report_stats_units(s, REPORT_VIEW_COMPANY));
	if (count_of(s, "dmarc_checked") > 0)
		fprintf(out,
		        "<strong>%s of companies enforce DMARC</strong> (p=quarantine or p=reject "
		        "at "
		        "100 %%, by their primary domain), %s of domains; %s of companies publish "
		        "p=quarantine or p=reject at all (whatever pct or t=). ",
		        pct_words(a, sizeof(a), s, REPORT_VIEW_COMPANY, "dmarc_enforced"),
		        pct_words(b, sizeof(b), s, REPORT_VIEW_DOMAIN, "dmarc_enforced"),
		        pct_words(c, sizeof(c), s, REPORT_VIEW_COMPANY, "dmarc_p_enforcing"));
	else
		fputs("DMARC was not checked in this run. ", out);
	if (count_of(s, "spf_checked") > 0)
		fprintf(out,
		        "%s of domains publish no DMARC record. %s of domains have an SPF record "
		        "that fails with a PermError (%s of companies by their primary domain). ",
		        pct_words(a, sizeof(a), s, REPORT_VIEW_DOMAIN, "dmarc_missing"),
		        pct_words(b, sizeof(b), s, REPORT_VIEW_DOMAIN, "spf_permerror"),
		        pct_words(c, sizeof(c), s, REPORT_VIEW_COMPANY, "spf_permerror"));
	if (count_of(s, "bimi_checked") > 0)
		fprintf(out, "%s of companies are BIMI-eligible (%ld domains). ",
		        pct_words(a, sizeof(a), s, REPORT_VIEW_COMPANY, "bimi_eligible"),
		        count_of(s, "bimi_eligible"));
	else
		fputs("BIMI was not checked in this run. ", out);
	if (d->prev_run != NULL)
		fprintf(out, "Since run %lld, %ld domains regressed and %ld improved.",
		        (long long)d->prev_run->id, d->regressed, d->improved);
	fputs("</p>\n", out);
}

static void regressions(FILE *out, const struct report_doc *d)
{
	fputs("<h2>Regressions since the previous run</h2>\n", out);
	if (d->prev_run == NULL) {
		fputs("<p class=\"note\" id=\"no-previous-run\">No earlier finished run of this "
		      "label: nothing to compare with.</p>\n",
		      out);
		return;
	}
	fprintf(out, "<p class=\"meta\" id=\"regressions-summary\">Run %lld (",
	        (long long)d->prev_run->id);
	html_text(out, report_run_date(d->prev_run));
	fprintf(out,
	        ") to run %lld: %ld domains regressed, %ld improved (posture diff %lld %lld "
	        "lists every change).</p>\n",
	        (long long)d->run->id, d->regressed, d->improved, (long long)d->prev_run->id,
	        (long long)d->run->id);
	if (d->nregressions == 0)
		return;
	fputs("<div class=\"scroll\"><table id=\"regressions\"><thead><tr><th>domain</th>"
	      "<th>what</th><th>from</th><th>to</th></tr></thead><tbody>\n",
	      out);
	for (size_t i = 0; i < d->nregressions && i < HTML_CHANGES; i++) {
		const struct report_change *c = &d->regressions[i];
		fputs("<tr><td>", out);
		html_text(out, c->domain);
		fprintf(out, "</td><td>%s</td><td>", c->what);
		html_text(out, c->from);
		fputs("</td><td>", out);
		html_text(out, c->to);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
	if (d->nregressions > HTML_CHANGES)
		fprintf(out, "<p class=\"note\">The first %d of %zu regressions.</p>\n",
		        HTML_CHANGES, d->nregressions);
}

static void pct_cell(FILE *out, const struct report_stats *s, enum report_view v,
                     const char *metric)
{
	char buf[32];
	int m = report_metric_index(metric);
	if (m >= 0 && !report_stats_checked(s, (size_t)m))
		fputs("<td class=\"n\">not checked</td>", out);
	else
		fprintf(out, "<td class=\"n\">%s</td>", pct_words(buf, sizeof(buf), s, v, metric));
}

/* --by: DMARC enforced per group, and a table of the headline figures. */
static void groups(FILE *out, const struct report_doc *d)
{
	static const char *const gm[] = { "dmarc_enforced", "dmarc_missing", "spf_permerror",
		                          "bimi_eligible" };
	fputs("<h2>By ", out);
	html_text(out, d->by);
	fputs("</h2>\n<div class=\"charts\">\n", out);
	html_group_chart(out, d);
	fputs("</div>\n<div class=\"scroll\"><table id=\"groups\" class=\"sortable\"><thead><tr>"
	      "<th>",
	      out);
	html_text(out, d->by);
	fputs("</th><th>domains</th><th>companies</th>", out);
	for (size_t k = 0; k < 4; k++)
		fprintf(out, "<th>%s, domains</th><th>%s, companies</th>", gm[k], gm[k]);
	fputs("</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < d->ngroups && i < HTML_GROUPS; i++) {
		const struct report_stats *s = d->group_stats[i];
		fputs("<tr><td>", out);
		html_text(out, d->group_names[i]);
		fprintf(out, "</td><td class=\"n\">%ld</td><td class=\"n\">%ld</td>",
		        report_stats_units(s, REPORT_VIEW_DOMAIN),
		        report_stats_units(s, REPORT_VIEW_COMPANY));
		for (size_t k = 0; k < 4; k++) {
			pct_cell(out, s, REPORT_VIEW_DOMAIN, gm[k]);
			pct_cell(out, s, REPORT_VIEW_COMPANY, gm[k]);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
	if (d->ngroups > HTML_GROUPS)
		fprintf(out,
		        "<p class=\"note\">The first %d of %zu groups: --format csv gives "
		        "them all.</p>\n",
		        HTML_GROUPS, d->ngroups);
}

static void stat_cells(FILE *out, const struct report_stats *s, enum report_view v, size_t m)
{
	if (!report_stats_has(v, m)) {
		fputs("<td></td><td></td>", out);
		return;
	}
	long c = report_stats_count(s, v, m), d = report_stats_denominator(s, v, m);
	double p = report_percent(c, d);
	fprintf(out,
	        "<td class=\"n\" data-metric=\"%s\" data-view=\"%s\" data-count=\"%ld\" "
	        "data-denominator=\"%ld\">%ld/%ld</td>",
	        report_metrics[m].name, report_view_name(v), c, d, c, d);
	if (p < 0)
		fputs("<td class=\"n\">–</td>", out);
	else
		fprintf(out, "<td class=\"n\">%.1f%%</td>", p);
}

static void enforced_table(FILE *out, const struct report_stats *s)
{
	char a[32], b[32];
	fputs("<h2>DMARC \"enforced\": four readings side by side</h2>\n<div class=\"scroll\">"
	      "<table id=\"enforced\"><thead><tr><th>metric</th><th>domains</th>"
	      "<th>companies</th><th>what it counts</th></tr></thead><tbody>\n",
	      out);
	for (size_t i = 0; i < 4; i++) {
		const struct report_enforced_def *e = &report_enforced_defs[i];
		fprintf(out, "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td>",
		        e->metric, pct_words(a, sizeof(a), s, REPORT_VIEW_DOMAIN, e->metric),
		        pct_words(b, sizeof(b), s, REPORT_VIEW_COMPANY, e->metric));
		html_text(out, e->words);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

static void stats_table(FILE *out, const struct report_stats *s)
{
	enforced_table(out, s);
	fputs("<h2>Statistics</h2>\n<p class=\"meta\">n/N: N is the denominator, the metric's "
	      "population in that view.</p>\n",
	      out);
	if (count_of(s, "bimi_checked") == 0)
		fputs("<p class=\"note\" id=\"bimi-not-checked\">BIMI: not checked in this run "
		      "(no adoption figure).</p>\n",
		      out);
	fputs("<div class=\"scroll\"><table id=\"stats\"><thead><tr><th>metric</th><th>measure</th>"
	      "<th>domains</th><th>%</th><th>companies</th><th>%</th>"
	      "<th>companies (any domain)</th><th>%</th></tr></thead><tbody>\n",
	      out);
	for (size_t m = 0; m < report_nmetrics; m++) {
		if (!report_stats_checked(s, m))
			continue;
		fprintf(out, "<tr><td>%s</td><td>", report_metrics[m].name);
		html_text(out, report_metrics[m].label);
		fputs("</td>", out);
		for (int v = 0; v < REPORT_VIEWS; v++)
			stat_cells(out, s, (enum report_view)v, m);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
	size_t n;
	const struct report_include *inc = report_stats_includes(s, &n);
	fputs("<h2>Top included SPF providers</h2>\n<div class=\"scroll\"><table id=\"includes\">"
	      "<thead><tr><th>include</th><th>domains</th></tr></thead><tbody>\n",
	      out);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr><td>", out);
		html_text(out, inc[i].host);
		fprintf(out, "</td><td class=\"n\">%ld</td></tr>\n", inc[i].domains);
	}
	fputs("</tbody></table></div>\n", out);
}

static void td(FILE *out, const char *s, const char *cls)
{
	if (cls)
		fprintf(out, "<td class=\"%s\">", cls);
	else
		fputs("<td>", out);
	html_text(out, s);
	fputs("</td>", out);
}

static void td_num(FILE *out, int v)
{
	if (v < 0)
		fputs("<td class=\"n\"></td>", out);
	else
		fprintf(out, "<td class=\"n\">%d</td>", v);
}

/* A domain worth a look: its result is inconclusive, the domain does not
 * exist, its DMARC does not enforce, its SPF is not ok, or its mark
 * certificate expired (doc/reports.md). */
static bool problem(const struct report_row *r)
{
	const char *c = report_dmarc_class(r);
	return !r->conclusive || r->nxdomain || r->vmc_expired ||
	       (strcmp(c, "quarantine") != 0 && strcmp(c, "reject") != 0) ||
	       strcmp(r->spf_status, "ok") != 0;
}

static void domain_row(FILE *out, const struct report_row *r)
{
	fputs("<tr>", out);
	td(out, r->domain, NULL);
	td(out, r->company, NULL);
	td(out, r->code, NULL);
	td(out, r->sector, NULL);
	td(out, r->spf_status, NULL);
	td(out, r->spf_error, NULL);
	td_num(out, r->spf_lookups);
	td(out, report_spf_all_name(r->spf_all), NULL);
	td(out, report_dmarc_class(r), NULL);
	td(out, r->dmarc_policy, NULL);
	td(out, r->dmarc_sp, NULL);
	td_num(out, r->dmarc_pct);
	td(out, r->bimi_status, NULL);
	td(out, r->vmc_status, NULL);
	td(out, r->bimi_eligible < 0 ? "" : r->bimi_eligible ? "yes" : "no", NULL);
	td(out, r->mx, NULL);
	td(out, r->spf_record, "rec");
	td(out, r->dmarc_record, "rec");
	fputs("</tr>\n", out);
}

static void domain_table(FILE *out, const struct report_doc *d)
{
	static const char *const cols[] = { "domain",     "company",     "code",     "sector",
		                            "SPF",        "SPF error",   "lookups",  "all",
		                            "DMARC",      "p",           "sp",       "pct",
		                            "BIMI",       "VMC",         "eligible", "MX",
		                            "SPF record", "DMARC record" };
	size_t cap = d->html_rows ? d->html_rows : REPORT_HTML_ROWS;
	bool all = d->nrows <= cap;
	size_t problems = 0;
	for (size_t i = 0; i < d->nrows; i++)
		problems += problem(&d->rows[i]);
	if (all)
		fprintf(out,
		        "<h2>Domains (%zu)</h2>\n<p class=\"meta\">Click a column to sort.</p>\n",
		        d->nrows);
	else
		fprintf(out,
		        "<h2>Domains: the first %zu of %zu with a problem</h2>\n<p class=\"meta\" "
		        "id=\"domains-capped\">%zu domains, %zu with a problem (DMARC not "
		        "enforced, "
		        "SPF not ok, an expired mark certificate, a domain that does not exist or "
		        "a "
		        "DNS failure); the page shows the first %zu in list order. Every domain: "
		        "<code>posture report --db ",
		        problems < cap ? problems : cap, problems, d->nrows, problems, cap);
	if (!all) {
		html_text(out, d->db ? d->db : "DB");
		fprintf(out, " --run %lld --domains --format csv -o domains.csv</code>.</p>\n",
		        (long long)d->run->id);
	}
	fputs("<div class=\"scroll\"><table id=\"domains\" class=\"sortable\"><thead><tr>", out);
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		fprintf(out, "<th>%s</th>", cols[i]);
	fputs("</tr></thead><tbody>\n", out);
	for (size_t i = 0, shown = 0; i < d->nrows && shown < cap; i++) {
		if (!all && !problem(&d->rows[i]))
			continue;
		domain_row(out, &d->rows[i]);
		shown++;
	}
	fputs("</tbody></table></div>\n", out);
}

/* --by company (--companies): one row per company, capped as the domains. */
static void company_table(FILE *out, const struct report_doc *d)
{
	size_t cap = d->html_rows ? d->html_rows : REPORT_HTML_ROWS;
	fprintf(out,
	        "<h2>Companies (%zu)</h2>\n<p class=\"meta\">The primary domain is the first in "
	        "list order; the best has the strongest DMARC class.</p>\n<div class=\"scroll\">"
	        "<table id=\"companies\" class=\"sortable\"><thead><tr><th>company</th>"
	        "<th>domains</th><th>primary domain</th><th>DMARC</th><th>SPF</th>"
	        "<th>best domain</th><th>DMARC</th><th>SPF</th><th>enforced</th></tr></thead>"
	        "<tbody>\n",
	        d->ncompanies);
	for (size_t i = 0; i < d->ncompanies && i < cap; i++) {
		const struct report_company *c = &d->companies[i];
		fputs("<tr>", out);
		td(out, c->name, NULL);
		td_num(out, (int)c->domains);
		td(out, c->primary->domain, NULL);
		td(out, report_dmarc_class(c->primary), NULL);
		td(out, c->primary->spf_status, NULL);
		td(out, c->best->domain, NULL);
		td(out, report_dmarc_class(c->best), NULL);
		td(out, c->best->spf_status, NULL);
		td_num(out, (int)c->dmarc_enforced);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
	if (d->ncompanies > cap)
		fprintf(out,
		        "<p class=\"note\">The first %zu of %zu companies: --companies "
		        "--format csv gives them all.</p>\n",
		        cap, d->ncompanies);
}

int report_write_html(FILE *out, const struct report_doc *d)
{
	const struct store_run *r = d->run;
	head(out, r);
	fprintf(out, "<h1>posture report: run %lld</h1>\n<p class=\"meta\">", (long long)r->id);
	html_text(out, r->label);
	fputs(" · list ", out);
	html_text(out, r->list);
	fputs(" · ", out);
	html_text(out, report_run_date(r));
	fputs(" · posture ", out);
	html_text(out, r->tool_version);
	fputs("</p>\n", out);
	headline(out, d);
	fprintf(out,
	        "<p class=\"meta\">Domain view: %ld domains (%s). Company view: %ld "
	        "companies (",
	        report_stats_units(d->stats, REPORT_VIEW_DOMAIN),
	        report_view_rule(REPORT_VIEW_DOMAIN),
	        report_stats_units(d->stats, REPORT_VIEW_COMPANY));
	html_text(out, report_view_rule(REPORT_VIEW_COMPANY));
	fputs(").</p>\n", out);
	html_charts(out, d);
	html_trend(out, d);
	regressions(out, d);
	if (d->by != NULL && d->ngroups > 0)
		groups(out, d);
	if (d->companies != NULL)
		company_table(out, d);
	stats_table(out, d->stats);
	if (d->rows != NULL)
		domain_table(out, d);
	if (d->evidence != NULL)
		evidence_html_section(out, d->evidence);
	html_page_end(out);
	return ferror(out) ? -1 : 0;
}
