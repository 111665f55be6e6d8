/*
 * evidence_html.c — the receivers' reports in HTML: the verdict, DMARC
 * pass over time (an SVG of stacked daily bars: passed, failed), the
 * failing sources by volume with what they would lose under
 * p=quarantine, the reporters, and the SMTP TLS reports by policy type
 * and failure type. A section of the HTML report (html.c), or a page of
 * its own. Every string came from a reporter: html_text escapes it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "evidence.h"
#include "html.h"

/* Days drawn at most: the newest ones (a period of a year stays legible). */
#define DAYS_MAX 92
/* Rows of each table at most. */
#define ROWS_MAX  50

#define CH_LEFT   56
#define CH_TOP    24
#define CH_HEIGHT 180
#define CH_BAR    8

static void html_u64(FILE *out, uint64_t v)
{
	fprintf(out, "%" PRIu64, v);
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

/* Stacked bars per day: passed (s2) below failed (s1), scaled to the
 * busiest day; each bar's title gives the figures. */
static void days_chart(FILE *out, const struct fb_summary *s)
{
	size_t from = s->ndays > DAYS_MAX ? s->ndays - DAYS_MAX : 0, n = s->ndays - from;
	uint64_t max = 1;
	for (size_t i = from; i < s->ndays; i++)
		if (s->days[i].messages > max)
			max = s->days[i].messages;
	int width = CH_LEFT + (int)n * (CH_BAR + 2) + 10, height = CH_TOP + CH_HEIGHT + 24;
	fprintf(out,
	        "<figure id=\"evidence-days\"><figcaption>DMARC pass per day (passed: blue, "
	        "failed: orange)</figcaption>\n<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
	        "%d\" role=\"img\" aria-label=\"DMARC pass per day\">\n",
	        width, height, width, height);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRIu64 "</text>\n",
	        CH_LEFT - 4, CH_TOP + 5, max);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", CH_LEFT - 4,
	        CH_TOP + CH_HEIGHT);
	for (size_t i = 0; i < n; i++) {
		const struct fb_day_sum *d = &s->days[from + i];
		double hp = (double)CH_HEIGHT * (double)d->pass / (double)max;
		double hf = (double)CH_HEIGHT * (double)(d->messages - d->pass) / (double)max;
		int x = CH_LEFT + (int)i * (CH_BAR + 2);
		char a[16];
		fprintf(out,
		        "<g class=\"day\" data-day=\"%s\" data-messages=\"%" PRIu64
		        "\" data-pass=\"%" PRIu64 "\"><title>%s: %" PRIu64 " messages, %.1f %% "
		        "pass</title>",
		        evidence_day(d->day, a, sizeof(a)), d->messages, d->pass, a, d->messages,
		        pct(d->pass, d->messages));
		fprintf(out,
		        "<rect class=\"s0\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"/>"
		        "<rect class=\"s1\" x=\"%d\" y=\"%.1f\" width=\"%d\" "
		        "height=\"%.1f\"/></g>\n",
		        x, CH_TOP + CH_HEIGHT - hp, CH_BAR, hp, x, CH_TOP + CH_HEIGHT - hp - hf,
		        CH_BAR, hf);
	}
	if (n > 0) {
		char a[16], b[16];
		fprintf(out, "<text x=\"%d\" y=\"%d\">%s</text>", CH_LEFT, height - 4,
		        evidence_day(s->days[from].day, a, sizeof(a)));
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", width - 4,
		        height - 4, evidence_day(s->days[s->ndays - 1].day, b, sizeof(b)));
	}
	fputs("</svg></figure>\n", out);
}

static void td(FILE *out, const char *s)
{
	fputs("<td>", out);
	html_text(out, s);
	fputs("</td>", out);
}

static void td_num(FILE *out, uint64_t v)
{
	fputs("<td class=\"n\">", out);
	html_u64(out, v);
	fputs("</td>", out);
}

static void failing_table(FILE *out, const struct evidence_doc *d)
{
	const struct fb_summary *s = d->s;
	fputs("<h3>Sources that fail DMARC, by volume</h3>\n<p class=\"note\">Under "
	      "p=quarantine their failing mail goes to spam; under p=reject it is refused. "
	      "Failing mail includes spoofing, which enforcement is meant to stop: look for "
	      "your own senders among them.</p>\n<div class=\"scroll\"><table class=\"sortable\" "
	      "id=\"evidence-failing\"><thead><tr><th>source</th><th>service</th>"
	      "<th>messages</th><th>failed</th><th>SPF domains</th><th>DKIM domains</th>"
	      "<th>last failure</th></tr></thead><tbody>\n",
	      out);
	size_t shown = 0;
	for (size_t i = 0; i < s->nsources && shown < ROWS_MAX; i++) {
		const struct fb_source_sum *x = &s->sources[i];
		if (x->messages <= x->pass)
			continue;
		char a[16];
		fputs("<tr>", out);
		td(out, x->ptr[0] ? x->ptr : x->ip);
		td(out, x->service);
		td_num(out, x->messages);
		td_num(out, x->messages - x->pass);
		td(out, x->spf_domains);
		td(out, x->dkim_domains);
		td(out, evidence_day(x->last_fail, a, sizeof(a)));
		fputs("</tr>\n", out);
		shown++;
	}
	fputs("</tbody></table></div>\n", out);
}

static void reporters_table(FILE *out, const struct fb_summary *s)
{
	fputs("<h3>Reporters</h3>\n<div class=\"scroll\"><table class=\"sortable\" "
	      "id=\"evidence-reporters\"><thead><tr><th>reporter</th><th>reports</th>"
	      "<th>messages</th></tr></thead><tbody>\n",
	      out);
	for (size_t i = 0; i < s->nreporters && i < ROWS_MAX; i++) {
		fputs("<tr>", out);
		td(out, s->reporters[i].org);
		td_num(out, s->reporters[i].reports);
		td_num(out, s->reporters[i].messages);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

static void tls_table(FILE *out, const struct fb_summary *s)
{
	fputs("<h3>SMTP TLS reports (RFC 8460)</h3>\n", out);
	fprintf(out,
	        "<p>%" PRIu64 " reports: %" PRIu64 " sessions succeeded, %" PRIu64
	        " failed.</p>\n<div class=\"scroll\"><table class=\"sortable\" "
	        "id=\"evidence-tls\"><thead><tr><th>policy type</th><th>result</th>"
	        "<th>sessions</th></tr></thead><tbody>\n",
	        s->tls_reports, s->tls_ok, s->tls_failed);
	for (size_t i = 0; i < s->ntls && i < ROWS_MAX; i++) {
		fputs("<tr>", out);
		td(out, s->tls[i].policy_type);
		td(out, s->tls[i].result_type[0] ? s->tls[i].result_type : "successful");
		td_num(out, s->tls[i].sessions);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

void evidence_html_section(FILE *out, const struct evidence_doc *d)
{
	const struct fb_summary *s = d->s;
	char a[16], b[16];
	fputs("<section id=\"evidence\">\n<h2>Receivers' reports: ", out);
	html_text(out, s->domain[0] ? s->domain : "every domain");
	fputs("</h2>\n", out);
	fprintf(out,
	        "<p class=\"headline\">%s .. %s: %" PRIu64 " aggregate reports, %" PRIu64
	        " messages, %.1f %% passed DMARC (%" PRIu64 " failed).</p>\n",
	        evidence_day(s->first, a, sizeof(a)), evidence_day(s->last, b, sizeof(b)),
	        s->reports, s->messages, pct(s->pass, s->messages), s->fail);
	if (d->v != NULL) {
		fprintf(out, "<p id=\"evidence-verdict\" data-verdict=\"%s\"><strong>%s</strong>: ",
		        d->v->safe ? "safe_to_enforce" : "not_yet", evidence_verdict_word(d->v));
		html_text(out, d->v->why);
		fputs("</p>\n", out);
	}
	if (s->ndays > 0)
		days_chart(out, s);
	failing_table(out, d);
	reporters_table(out, s);
	if (s->tls_reports > 0)
		tls_table(out, s);
	fputs("</section>\n", out);
}

void evidence_html_page(FILE *out, const struct evidence_doc *d)
{
	char title[FB_NAME + 64];
	snprintf(title, sizeof(title), "posture: receivers' reports for %s",
	         d->s->domain[0] ? d->s->domain : "every domain");
	html_page_start(out, title);
	evidence_html_section(out, d);
	html_page_end(out);
}
