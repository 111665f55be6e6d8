/*
 * htmlchart.c — the SVG charts of the HTML report (html.c writes the
 * page): horizontal bars of each group of metrics in the domain and the
 * company view, counts (lookups, PermError causes, why not
 * BIMI-eligible), groups, and the trend lines.
 *
 * Legible at 1200 px: each chart is drawn at its own size (width and
 * height in CSS pixels, text at 13 px) and only shrinks, never grows, to
 * fit a narrower screen. A figure whose check did not run in a run is a
 * gap in the trend's line, never a point at 0 %.
 */
#include "report.h"

#include <string.h>

#include "html.h"

#define FONT     13 /* px, svg text (the page's style) */
#define BAR      14
#define GAP      10
#define LEFT     190
#define WIDTH    520
#define MAX_BARS 40

struct series {
	const char *name;
	double value[MAX_BARS]; /* percent, or a count when the chart says so */
	const char *metric[MAX_BARS];
};

/* Horizontal bars: one group per label, one bar per series, scaled to
 * max (100 for percentages). */
static void hbars(FILE *out, const char *id, const char *caption, const char *const *labels,
                  size_t n, const struct series *s, size_t ns, double max, const char *unit)
{
	int top = ns > 1 ? 24 : 6;
	int height = top + (int)(n * (ns * BAR + GAP)) + 4;
	fprintf(out, "<figure id=\"%s\"><figcaption>", id);
	html_text(out, caption);
	fprintf(out,
	        "</figcaption>\n<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	        "role=\"img\" aria-label=\"",
	        WIDTH, height, WIDTH, height);
	html_text(out, caption);
	fputs("\">\n", out);
	for (size_t k = 0; k < ns && ns > 1; k++)
		fprintf(out,
		        "<rect class=\"s%zu\" x=\"%zu\" y=\"4\" width=\"12\" height=\"12\"/>"
		        "<text x=\"%zu\" y=\"15\">%s</text>\n",
		        k, 4 + k * 200, 22 + k * 200, s[k].name);
	int y = top;
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LEFT - 6,
		        y + (int)(ns * BAR) / 2 + FONT / 2 - 1);
		html_text(out, labels[i]);
		fputs("</text>\n", out);
		for (size_t k = 0; k < ns; k++) {
			double v = s[k].value[i];
			double w = max > 0 ? (v / max) * (WIDTH - LEFT - 64) : 0;
			fprintf(out,
			        "<rect class=\"bar s%zu\" data-metric=\"%s\" data-value=\"%.1f\" "
			        "x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>"
			        "<text x=\"%.1f\" y=\"%d\">%.*f%s</text>\n",
			        k, s[k].metric[i] ? s[k].metric[i] : "", v, LEFT, y, w, BAR - 2,
			        LEFT + w + 4, y + BAR - 3, unit[0] == '%' ? 1 : 0, v, unit);
			y += BAR;
		}
		y += GAP;
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

/* Metrics as bars of both views (or the domain view only). */
static void view_bars(FILE *out, const struct report_stats *s, const char *id, const char *caption,
                      const char *const *metrics, const char *const *labels, size_t n, bool both)
{
	struct series sr[2];
	memset(sr, 0, sizeof(sr));
	sr[0].name = "domains";
	sr[1].name = "companies (primary domain)";
	for (size_t i = 0; i < n && i < MAX_BARS; i++)
		for (int v = 0; v < 2; v++) {
			sr[v].value[i] = pct(s, (enum report_view)v, metrics[i]);
			sr[v].metric[i] = metrics[i];
		}
	hbars(out, id, caption, labels, n, sr, both ? 2 : 1, 100, "%");
}

/* Counts of domains of the metrics of a group (by name), label each. */
static void group_counts(FILE *out, const struct report_stats *s, const char *id,
                         const char *caption, const char *group, bool item_labels)
{
	struct series c;
	const char *cl[MAX_BARS];
	double max = 1;
	size_t n = 0;
	memset(&c, 0, sizeof(c));
	c.name = "domains";
	for (size_t m = 0; m < report_nmetrics && n < MAX_BARS; m++) {
		if (strcmp(report_metrics[m].group, group) != 0)
			continue;
		c.value[n] = (double)report_stats_count(s, REPORT_VIEW_DOMAIN, m);
		c.metric[n] = report_metrics[m].name;
		/* bimi_fail_ITEM: the readiness item's name, short enough. */
		cl[n] = item_labels ? report_metrics[m].name + strlen(group) + 1
		                    : report_metrics[m].label;
		if (c.value[n] > max)
			max = c.value[n];
		n++;
	}
	hbars(out, id, caption, cl, n, &c, 1, max, "");
}

static void lookups_chart(FILE *out, const struct report_stats *s)
{
	static const char *const hn[12] = { "0", "1", "2", "3", "4",  "5",
		                            "6", "7", "8", "9", "10", "over 10" };
	struct series h;
	const char *hl[12];
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
}

/* Transport security, of the domains each check ran for: only the checks
 * that ran in the run (a check that did not is no bar at 0 %). */
static void transport_chart(FILE *out, const struct report_stats *s)
{
	static const char *const all[] = { "mta_sts_enforce", "mta_sts_testing", "mta_sts_invalid",
		                           "tls_rpt",         "dnssec_secure",   "dnssec_bogus",
		                           "dane_mx" };
	static const char *const words[] = { "MTA-STS enforce", "MTA-STS testing",
		                             "MTA-STS invalid", "TLS-RPT",
		                             "DNSSEC secure",   "DNSSEC bogus",
		                             "DANE (every MX)" };
	const char *metrics[sizeof(all) / sizeof(all[0])], *labels[sizeof(all) / sizeof(all[0])];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		int m = report_metric_index(all[i]);
		if (m < 0 || !report_stats_checked(s, (size_t)m))
			continue;
		metrics[n] = all[i];
		labels[n++] = words[i];
	}
	if (n > 0)
		view_bars(out, s, "chart-transport",
		          "Transport security, % of domains / companies where the check ran",
		          metrics, labels, n, true);
}

void html_charts(FILE *out, const struct report_doc *d)
{
	const struct report_stats *s = d->stats;
	static const char *const dm[] = { "dmarc_missing",  "dmarc_invalid",    "dmarc_monitor",
		                          "dmarc_partial",  "dmarc_quarantine", "dmarc_reject",
		                          "dmarc_temperror" };
	static const char *const dl[] = { "missing",    "invalid", "monitor (p=none)", "partial",
		                          "quarantine", "reject",  "DNS failure" };
	static const char *const pm[] = { "dmarc_p_none", "dmarc_p_quarantine", "dmarc_p_reject" };
	static const char *const pl[] = { "p=none", "p=quarantine", "p=reject" };
	static const char *const sm[] = { "spf_none", "spf_ok", "spf_permerror", "spf_temperror" };
	static const char *const sl[] = { "none", "ok", "PermError", "TempError" };
	static const char *const em[] = { "dmarc_enforced", "spf_ok", "mx_present" };
	static const char *const el[] = { "DMARC enforced", "SPF ok", "MX present" };

	fputs("<h2>Charts</h2>\n<div class=\"charts\">\n", out);
	view_bars(out, s, "chart-dmarc", "DMARC class, % of domains / companies", dm, dl, 7, true);
	view_bars(out, s, "chart-dmarc-p", "Published p= (whatever pct or t=), %", pm, pl, 3, true);
	view_bars(out, s, "chart-views", "Company view vs domain view, %", em, el, 3, true);
	view_bars(out, s, "chart-spf", "SPF status, %", sm, sl, 4, true);
	lookups_chart(out, s);
	group_counts(out, s, "chart-permerror", "SPF PermError causes (domains)", "spf_cause",
	             false);
	if (count(s, "bimi_checked") > 0) {
		static const char *const bm[] = { "bimi_record", "bimi_logo_valid",
			                          "bimi_vmc_valid", "bimi_cmc_valid",
			                          "bimi_eligible" };
		static const char *const bl[] = { "record", "logo valid", "VMC valid", "CMC valid",
			                          "eligible" };
		view_bars(out, s, "chart-bimi", "BIMI, % of domains / companies checked", bm, bl, 5,
		          true);
		group_counts(out, s, "chart-bimi-fail",
		             "Why not BIMI-eligible: readiness items that fail (domains)",
		             "bimi_fail", true);
	}
	transport_chart(out, s);
	fputs("</div>\n", out);
}

/* The x of run i of n in the trend chart. */
static double trend_x(size_t i, size_t n, int left, int right, int width)
{
	return left + (double)(width - left - right) * (double)i / (double)(n > 1 ? n - 1 : 1);
}

/* One metric's line: a polyline per stretch of runs where it was
 * checked, so a run where it was not is a gap. */
static void trend_line(FILE *out, const struct report_doc *d, size_t k, const char *metric,
                       const int *geo)
{
	int m = report_metric_index(metric);
	size_t n = d->ntrend;
	for (size_t i = 0; m >= 0 && i < n;) {
		if (!report_stats_checked(d->trend_stats[i], (size_t)m)) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && report_stats_checked(d->trend_stats[j], (size_t)m))
			j++;
		fprintf(out, "<polyline class=\"line l%zu\" data-metric=\"%s\" data-runs=\"", k,
		        metric);
		for (size_t x = i; x < j; x++)
			fprintf(out, "%s%lld", x > i ? " " : "", (long long)d->trend_runs[x].id);
		fputs("\" points=\"", out);
		for (size_t x = i; x < j; x++) {
			double px = trend_x(x, n, geo[0], geo[1], geo[2]);
			double py = geo[3] + (geo[4] - geo[3] - geo[5]) *
			                             (1 - pct(d->trend_stats[x], REPORT_VIEW_DOMAIN,
			                                      metric) /
			                                          100.0);
			fprintf(out, "%s%.1f,%.1f", x > i ? " " : "", px, py);
		}
		fputs("\"/>\n", out);
		i = j;
	}
}

void html_trend(FILE *out, const struct report_doc *d)
{
	static const char *const tm[] = { "dmarc_enforced", "spf_permerror", "bimi_eligible" };
	static const char *const tl[] = { "DMARC enforced", "SPF PermError", "BIMI eligible" };
	/* left, right, width, top, height, bottom */
	const int geo[6] = { 44, 16, 640, 30, 250, 34 };
	size_t n = d->ntrend;

	fputs("<h2>Trend</h2>\n", out);
	if (n < 2) {
		fputs("<p class=\"note\">One run only: no trend yet.</p>\n", out);
		return;
	}
	fprintf(out, "<figure id=\"chart-trend\"><figcaption>Trend over %zu runs (", n);
	html_text(out, d->trend_filter ? d->trend_filter : "every finished run");
	fprintf(out,
	        "), %% of domains; a gap: not checked in that run</figcaption>\n<svg width=\"%d\" "
	        "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"trend\">\n",
	        geo[2], geo[4], geo[2], geo[4]);
	for (int g = 0; g <= 100; g += 25) {
		double y = geo[3] + (geo[4] - geo[3] - geo[5]) * (1 - g / 100.0);
		fprintf(out,
		        "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e2e2e2\"/>"
		        "<text x=\"2\" y=\"%.1f\">%d%%</text>\n",
		        geo[0], geo[2] - geo[1], y, y, y + 4, g);
	}
	for (size_t k = 0; k < 3; k++) {
		fprintf(out,
		        "<rect class=\"s%zu\" x=\"%zu\" y=\"4\" width=\"12\" height=\"12\"/>"
		        "<text x=\"%zu\" y=\"15\">%s</text>\n",
		        k, geo[0] + k * 170, geo[0] + 18 + k * 170, tl[k]);
		trend_line(out, d, k, tm[k], geo);
	}
	size_t every = n <= 6 ? 1 : (n + 5) / 6;
	for (size_t i = 0; i < n; i++) {
		if (i % every != 0 && i + 1 != n)
			continue;
		const char *anchor = i == 0 ? "start" : i + 1 == n ? "end" : "middle";
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">run %lld</text>\n",
		        trend_x(i, n, geo[0], geo[1], geo[2]), geo[4] - 10, anchor,
		        (long long)d->trend_runs[i].id);
	}
	fputs("</svg></figure>\n", out);
}

void html_group_chart(FILE *out, const struct report_doc *d)
{
	struct series sr[2];
	const char *labels[MAX_BARS];
	size_t n = d->ngroups < 30 ? d->ngroups : 30;
	memset(sr, 0, sizeof(sr));
	sr[0].name = "domains";
	sr[1].name = "companies (primary domain)";
	for (size_t i = 0; i < n; i++) {
		labels[i] = d->group_names[i];
		for (int v = 0; v < 2; v++) {
			sr[v].value[i] =
			        pct(d->group_stats[i], (enum report_view)v, "dmarc_enforced");
			sr[v].metric[i] = "dmarc_enforced";
		}
	}
	char caption[160];
	snprintf(caption, sizeof(caption), "DMARC enforced by %s, %%%s", d->by,
	         d->ngroups > n ? " (the first 30 groups)" : "");
	hbars(out, "chart-groups", caption, labels, n, sr, 2, 100, "%");
}
