/*
 * html.c — the HTML report: one self-contained file (no external script,
 * style, font or image), readable on a phone, with SVG charts drawn here,
 * the statistics table, and a sortable table of the run's domains.
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

#include "html.h"
#include "utf8.h"

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
        "main{max-width:64rem;margin:0 auto}"
        "h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}"
        ".meta{color:#555;font-size:.9rem}"
        ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}"
        "figure{margin:0;border:1px solid #ddd;border-radius:6px;padding:.5rem}"
        "figcaption{font-weight:600;font-size:.9rem;margin-bottom:.3rem}"
        "svg{width:100%;height:auto;display:block}"
        "svg text{font-size:11px;fill:#222}"
        ".s0{fill:#2b6cb0}.s1{fill:#dd6b20}.s2{fill:#38a169}"
        ".l0{stroke:#2b6cb0}.l1{stroke:#dd6b20}.l2{stroke:#38a169}"
        ".line{fill:none;stroke-width:2}"
        ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}"
        "table{border-collapse:collapse;font-size:.85rem;min-width:100%}"
        "th,td{border-bottom:1px solid #e2e2e2;padding:.25rem .4rem;text-align:left;"
        "vertical-align:top}"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}"
        "th{background:#f4f4f4;position:sticky;top:0}"
        "table.sortable th{cursor:pointer}"
        ".rec{font-family:ui-monospace,monospace;word-break:break-all;max-width:22rem}"
        ".note{color:#555}";

static void head(FILE *out, const struct store_run *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" SCRIPT_SHA256
	      "'\">\n<title>posture report: run ",
	      out);
	fprintf(out, "%lld ", (long long)r->id);
	html_text(out, r->label);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", style);
}

struct series {
	const char *name;
	double value[16]; /* percent, or a count when the chart says so */
	const char *metric[16];
};

/* Horizontal bars: one group per label, one bar per series, scaled to
 * max (100 for percentages). */
static void hbars(FILE *out, const char *id, const char *caption, const char *const *labels,
                  size_t n, const struct series *s, size_t ns, double max, const char *unit)
{
	const int left = 150, width = 420, bar = 12, gap = 8;
	int height = (int)(n * (ns * bar + gap)) + 24;
	fprintf(out, "<figure id=\"%s\"><figcaption>", id);
	html_text(out, caption);
	fprintf(out, "</figcaption>\n<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", width,
	        height);
	html_text(out, caption);
	fputs("\">\n", out);
	for (size_t k = 0; k < ns && ns > 1; k++)
		fprintf(out,
		        "<rect class=\"s%zu\" x=\"%zu\" y=\"2\" width=\"10\" height=\"10\"/>"
		        "<text x=\"%zu\" y=\"11\">%s</text>\n",
		        k, 4 + k * 140, 18 + k * 140, s[k].name);
	int y = ns > 1 ? 18 : 4;
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6,
		        y + (int)(ns * bar) / 2 + 4);
		html_text(out, labels[i]);
		fputs("</text>\n", out);
		for (size_t k = 0; k < ns; k++) {
			double v = s[k].value[i];
			double w = max > 0 ? (v / max) * (width - left - 50) : 0;
			fprintf(out,
			        "<rect class=\"bar s%zu\" data-metric=\"%s\" data-value=\"%.1f\" "
			        "x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>"
			        "<text x=\"%.1f\" y=\"%d\">%.*f%s</text>\n",
			        k, s[k].metric[i] ? s[k].metric[i] : "", v, left, y, w, bar - 2,
			        left + w + 4, y + bar - 3, unit[0] == '%' ? 1 : 0, v, unit);
			y += bar;
		}
		y += gap;
	}
	fputs("</svg></figure>\n", out);
}

static double pct(const struct report_stats *s, enum report_view v, const char *metric)
{
	int m = report_metric_index(metric);
	if (m < 0)
		return 0;
	double p = report_percent(report_stats_count(s, v, (size_t)m),
	                          report_stats_denominator(s, v, (size_t)m));
	return p < 0 ? 0 : p;
}

static double count(const struct report_stats *s, const char *metric)
{
	int m = report_metric_index(metric);
	return m < 0 ? 0 : (double)report_stats_count(s, REPORT_VIEW_DOMAIN, (size_t)m);
}

static bool bimi_ran(const struct report_stats *s)
{
	return count(s, "bimi_checked") > 0;
}

/* Metrics of one group by name prefix, as bars of both views. */
static void view_bars(FILE *out, const struct report_stats *s, const char *id, const char *caption,
                      const char *const *metrics, const char *const *labels, size_t n, bool both)
{
	struct series sr[2];
	memset(sr, 0, sizeof(sr));
	sr[0].name = "domains";
	sr[1].name = "companies (primary domain)";
	for (size_t i = 0; i < n; i++)
		for (int v = 0; v < 2; v++) {
			sr[v].value[i] = pct(s, (enum report_view)v, metrics[i]);
			sr[v].metric[i] = metrics[i];
		}
	hbars(out, id, caption, labels, n, sr, both ? 2 : 1, 100, "%");
}

static void charts(FILE *out, const struct report_doc *d)
{
	const struct report_stats *s = d->stats;
	static const char *const dm[] = { "dmarc_missing",  "dmarc_invalid",    "dmarc_monitor",
		                          "dmarc_partial",  "dmarc_quarantine", "dmarc_reject",
		                          "dmarc_temperror" };
	static const char *const dl[] = { "missing",    "invalid", "monitor (p=none)", "partial",
		                          "quarantine", "reject",  "DNS failure" };
	static const char *const sm[] = { "spf_none", "spf_ok", "spf_permerror", "spf_temperror" };
	static const char *const sl[] = { "none", "ok", "PermError", "TempError" };
	static const char *const em[] = { "dmarc_enforced", "spf_ok", "mx_present" };
	static const char *const el[] = { "DMARC enforced", "SPF ok", "MX present" };

	fputs("<h2>Charts</h2>\n<div class=\"charts\">\n", out);
	view_bars(out, s, "chart-dmarc", "DMARC policy, % of domains / companies", dm, dl, 7, true);
	view_bars(out, s, "chart-views", "Company view vs domain view, %", em, el, 3, true);
	view_bars(out, s, "chart-spf", "SPF status, %", sm, sl, 4, true);

	/* Lookup histogram: counts of domains with an SPF record. */
	struct series h;
	const char *hl[12];
	static const char *const hn[12] = { "0", "1", "2", "3", "4",  "5",
		                            "6", "7", "8", "9", "10", "over 10" };
	char names[12][24];
	double max = 1;
	memset(&h, 0, sizeof(h));
	h.name = "domains";
	for (int i = 0; i < 12; i++) {
		if (i < 11)
			snprintf(names[i], sizeof(names[i]), "spf_lookups_%d", i);
		else
			snprintf(names[i], sizeof(names[i]), "spf_lookups_over_10");
		h.value[i] = count(s, names[i]);
		h.metric[i] = names[i];
		hl[i] = hn[i];
		if (h.value[i] > max)
			max = h.value[i];
	}
	hbars(out, "chart-lookups", "SPF DNS lookups (domains)", hl, 12, &h, 1, max, "");

	/* PermError causes: counts. */
	struct series c;
	const char *cl[8];
	memset(&c, 0, sizeof(c));
	c.name = "domains";
	size_t nc = 0;
	max = 1;
	for (size_t m = 0; m < report_nmetrics && nc < 8; m++) {
		if (strcmp(report_metrics[m].group, "spf_cause") != 0)
			continue;
		c.value[nc] = (double)report_stats_count(s, REPORT_VIEW_DOMAIN, m);
		c.metric[nc] = report_metrics[m].name;
		cl[nc] = report_metrics[m].label;
		if (c.value[nc] > max)
			max = c.value[nc];
		nc++;
	}
	hbars(out, "chart-permerror", "SPF PermError causes (domains)", cl, nc, &c, 1, max, "");

	if (bimi_ran(s)) {
		static const char *const bm[] = { "bimi_record", "bimi_logo_valid",
			                          "bimi_vmc_valid", "bimi_cmc_valid",
			                          "bimi_eligible" };
		static const char *const bl[] = { "record", "logo valid", "VMC valid", "CMC valid",
			                          "eligible" };
		view_bars(out, s, "chart-bimi", "BIMI, % of domains / companies checked", bm, bl, 5,
		          true);
	}
	fputs("</div>\n", out);
}

/* Trend lines of three headline metrics (domain view, %) over the runs. */
static void trend(FILE *out, const struct report_doc *d)
{
	static const char *const tm[] = { "dmarc_enforced", "spf_permerror", "bimi_eligible" };
	static const char *const tl[] = { "DMARC enforced", "SPF PermError", "BIMI eligible" };
	const int width = 420, height = 200, left = 36, right = 12, top = 24, bottom = 28;
	size_t n = d->ntrend;

	fputs("<h2>Trend</h2>\n", out);
	if (n < 2) {
		fputs("<p class=\"note\">One run only: no trend yet.</p>\n", out);
		return;
	}
	fprintf(out,
	        "<figure id=\"chart-trend\"><figcaption>Trend over %zu runs, %% of domains"
	        "</figcaption>\n<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"trend\">\n",
	        n, width, height);
	for (int g = 0; g <= 100; g += 25) {
		double y = top + (height - top - bottom) * (1 - g / 100.0);
		fprintf(out,
		        "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e2e2e2\"/>"
		        "<text x=\"2\" y=\"%.1f\">%d%%</text>\n",
		        left, width - right, y, y, y + 4, g);
	}
	for (size_t k = 0; k < 3; k++) {
		fprintf(out,
		        "<rect class=\"s%zu\" x=\"%zu\" y=\"4\" width=\"10\" height=\"10\"/>"
		        "<text x=\"%zu\" y=\"13\">%s</text>\n",
		        k, left + k * 130, left + 14 + k * 130, tl[k]);
		fprintf(out, "<polyline class=\"line l%zu\" data-metric=\"%s\" points=\"", k,
		        tm[k]);
		for (size_t i = 0; i < n; i++) {
			double x =
			        left + (double)(width - left - right) * (double)i / (double)(n - 1);
			double y = top +
			           (height - top - bottom) *
			                   (1 - pct(d->trend_stats[i], REPORT_VIEW_DOMAIN, tm[k]) /
			                                100.0);
			fprintf(out, "%s%.1f,%.1f", i ? " " : "", x, y);
		}
		fputs("\"/>\n", out);
	}
	for (size_t i = 0; i < n; i++) {
		double x = left + (double)(width - left - right) * (double)i / (double)(n - 1);
		const char *anchor = i == 0 ? "start" : i + 1 == n ? "end" : "middle";
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">run %lld</text>\n", x,
		        height - 8, anchor, (long long)d->trend_runs[i].id);
	}
	fputs("</svg></figure>\n", out);
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

static void stats_table(FILE *out, const struct report_stats *s)
{
	fputs("<h2>Statistics</h2>\n<p class=\"meta\">n/N: N is the denominator, the metric's "
	      "population in that view.</p>\n",
	      out);
	if (!bimi_ran(s))
		fputs("<p class=\"note\" id=\"bimi-not-checked\">BIMI: not checked in this run "
		      "(no adoption figure).</p>\n",
		      out);
	fputs("<div class=\"scroll\"><table id=\"stats\"><thead><tr><th>metric</th><th>measure</th>"
	      "<th>domains</th><th>%</th><th>companies</th><th>%</th>"
	      "<th>companies (any domain)</th><th>%</th></tr></thead><tbody>\n",
	      out);
	for (size_t m = 0; m < report_nmetrics; m++) {
		if (strncmp(report_metrics[m].group, "bimi", 4) == 0 && !bimi_ran(s))
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

static void domain_table(FILE *out, const struct report_doc *d)
{
	static const char *const cols[] = { "domain",     "company",     "code",     "sector",
		                            "SPF",        "SPF error",   "lookups",  "all",
		                            "DMARC",      "p",           "sp",       "pct",
		                            "BIMI",       "VMC",         "eligible", "MX",
		                            "SPF record", "DMARC record" };
	fprintf(out, "<h2>Domains (%zu)</h2>\n<p class=\"meta\">Click a column to sort.</p>\n",
	        d->nrows);
	fputs("<div class=\"scroll\"><table id=\"domains\" class=\"sortable\"><thead><tr>", out);
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		fprintf(out, "<th>%s</th>", cols[i]);
	fputs("</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < d->nrows; i++) {
		const struct report_row *r = &d->rows[i];
		fputs("<tr>", out);
		td(out, r->domain, NULL);
		td(out, r->company, NULL);
		td(out, r->code, NULL);
		td(out, r->sector, NULL);
		td(out, r->spf_status, NULL);
		td(out, r->spf_error, NULL);
		td_num(out, r->spf_lookups);
		td(out, r->spf_all, NULL);
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
	fputs("</tbody></table></div>\n", out);
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
	html_text(out, r->finished_at[0] ? r->finished_at : r->started);
	fputs(" · posture ", out);
	html_text(out, r->tool_version);
	fprintf(out,
	        "</p>\n<p class=\"meta\">Domain view: %ld domains (%s). Company view: %ld "
	        "companies (",
	        report_stats_units(d->stats, REPORT_VIEW_DOMAIN),
	        report_view_rule(REPORT_VIEW_DOMAIN),
	        report_stats_units(d->stats, REPORT_VIEW_COMPANY));
	html_text(out, report_view_rule(REPORT_VIEW_COMPANY));
	fputs(").</p>\n", out);
	charts(out, d);
	trend(out, d);
	stats_table(out, d->stats);
	if (d->rows != NULL)
		domain_table(out, d);
	fprintf(out, "</main>\n<script>%s</script>\n</body>\n</html>\n", script);
	return ferror(out) ? -1 : 0;
}
