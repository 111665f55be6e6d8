/*
 * evidence.c — posture reports summary as text, CSV, JSON and Markdown
 * (HTML: evidence_html.c). Figures are the store's counts; nothing is
 * estimated. Published text (reporters' org names, domains, selectors,
 * reverse names) goes through the escaping of each format: text_wrap's
 * \DDD for the terminal, csv_cell, jsonw, report_md_text.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "evidence.h"
#include "jsonw.h"
#include "textcol.h"
#include "textout.h"
#include "write_impl.h"

static const char *const table_names[] = { "sources",   "reporters", "days",    "dispositions",
	                                   "selectors", "tls",       "services" };

int evidence_table_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(table_names) / sizeof(table_names[0]); i++)
		if (strcmp(name, table_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *evidence_verdict_word(const struct fb_verdict *v)
{
	return v->safe ? "safe to enforce" : "not yet";
}

const char *evidence_day(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (t <= 0 || gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		return "-";
	return buf;
}

static double rate(uint64_t part, uint64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

static uint64_t fails(const struct fb_source_sum *x)
{
	return x->messages > x->pass ? x->messages - x->pass : 0;
}

/* How many sources a writer lists: --limit of them (0: all). */
static size_t listed(const struct evidence_doc *d)
{
	size_t n = d->s->nsources;
	return d->limit > 0 && d->limit < n ? d->limit : n;
}

/* ---- text ---------------------------------------------------------------- */

#define LINE(d, out, indent, ...)                                                                  \
	report_text_linew(out, (size_t)((d)->text_width ? (d)->text_width : 100), indent,          \
	                  (indent) + 2, __VA_ARGS__)

static void text_head(FILE *out, const struct evidence_doc *d)
{
	const struct fb_summary *s = d->s;
	char a[16], b[16];
	LINE(d, out, 0, "DMARC aggregate reports for %s, %s .. %s",
	     s->domain[0] ? s->domain : "every domain", evidence_day(s->first, a, sizeof(a)),
	     evidence_day(s->last, b, sizeof(b)));
	LINE(d, out, 2, "%" PRIu64 " reports from %zu reporters, %" PRIu64 " messages", s->reports,
	     s->nreporters, s->messages);
	LINE(d, out, 2, "DMARC pass: %" PRIu64 " (%.1f %%), fail: %" PRIu64, s->pass,
	     rate(s->pass, s->messages), s->fail);
	if (s->policy[0])
		LINE(d, out, 2, "policy published (newest report): p=%s", s->policy);
	if (d->v != NULL) {
		const struct fb_verdict *v = d->v;
		LINE(d, out, 0, "Verdict: %s: %s.", evidence_verdict_word(v), v->why);
		LINE(d, out, 2,
		     "rule: at least %" PRIu64
		     " messages and at least %.1f %% of them passing DMARC "
		     "over the period; a source that has passed for 7 days since its last failure "
		     "counts as fixed",
		     v->min_messages, v->threshold);
	}
}

static void text_sources(FILE *out, const struct evidence_doc *d)
{
	const struct fb_summary *s = d->s;
	if (s->nsources == 0)
		return;
	fputs("\nSources, by messages (fail: would be quarantined under p=quarantine)\n", out);
	for (size_t i = 0; i < listed(d); i++) {
		const struct fb_source_sum *x = &s->sources[i];
		char who[FB_NAME * 2 + 8] = "";
		if (x->service[0] && x->ptr[0])
			snprintf(who, sizeof(who), ", %s (%s)", x->service, x->ptr);
		else if (x->service[0] || x->ptr[0])
			snprintf(who, sizeof(who), ", %s", x->service[0] ? x->service : x->ptr);
		char now[FB_WORD + FB_NAME + 32] = "";
		if (x->spf_result[0])
			snprintf(now, sizeof(now), "; SPF now %s%s%s", x->spf_result,
			         x->spf_include[0] ? " through include:" : "", x->spf_include);
		LINE(d, out, 2,
		     "%s%s: %" PRIu64 " messages, %" PRIu64 " pass, %" PRIu64 " fail%s%s%s%s%s",
		     x->ip, who, x->messages, x->pass, fails(x), x->spf_domains[0] ? "; SPF " : "",
		     x->spf_domains, x->dkim_domains[0] ? "; DKIM " : "", x->dkim_domains, now);
	}
	if (listed(d) < s->nsources)
		LINE(d, out, 2, "... %zu more sources (--limit 0 lists them all)",
		     s->nsources - listed(d));
	if (s->nservices > 0)
		fputs("\nSending services (named from reverse names and SPF/DKIM domains)\n", out);
	for (size_t i = 0; i < s->nservices; i++)
		LINE(d, out, 2, "%s: %" PRIu64 " sources, %" PRIu64 " messages, %.1f %% pass",
		     s->services[i].name, s->services[i].sources, s->services[i].messages,
		     rate(s->services[i].pass, s->services[i].messages));
}

static void text_rest(FILE *out, const struct evidence_doc *d)
{
	const struct fb_summary *s = d->s;
	char a[16];
	if (s->nreporters > 0)
		fputs("\nReporters\n", out);
	for (size_t i = 0; i < s->nreporters; i++)
		LINE(d, out, 2, "%s: %" PRIu64 " reports, %" PRIu64 " messages",
		     s->reporters[i].org, s->reporters[i].reports, s->reporters[i].messages);
	if (s->ndispositions > 0)
		fputs("\nDisposition the receivers applied\n", out);
	for (size_t i = 0; i < s->ndispositions; i++)
		LINE(d, out, 2, "%s: %" PRIu64 " messages",
		     s->dispositions[i].disposition[0] ? s->dispositions[i].disposition
		                                       : "(none given)",
		     s->dispositions[i].messages);
	if (s->nselectors > 0)
		fputs("\nDKIM selectors seen (posture dkim --selectors-file takes them)\n", out);
	for (size_t i = 0; i < s->nselectors; i++)
		LINE(d, out, 2, "%s %s: %" PRIu64 " messages, %" PRIu64 " DKIM pass",
		     s->selectors[i].domain, s->selectors[i].selector, s->selectors[i].messages,
		     s->selectors[i].pass);
	if (s->ndays > 0)
		fputs("\nPer day\n", out);
	for (size_t i = 0; i < s->ndays; i++)
		LINE(d, out, 2, "%s: %" PRIu64 " messages, %.1f %% pass",
		     evidence_day(s->days[i].day, a, sizeof(a)), s->days[i].messages,
		     rate(s->days[i].pass, s->days[i].messages));
	if (s->failure_reports > 0)
		LINE(d, out, 0, "\nFailure reports (RFC 6591): %" PRIu64, s->failure_reports);
	if (s->tls_reports > 0) {
		LINE(d, out, 0,
		     "\nSMTP TLS reports (RFC 8460): %" PRIu64 " reports, %" PRIu64
		     " sessions succeeded, %" PRIu64 " failed",
		     s->tls_reports, s->tls_ok, s->tls_failed);
		for (size_t i = 0; i < s->ntls; i++)
			LINE(d, out, 2, "%s %s: %" PRIu64 " sessions", s->tls[i].policy_type,
			     s->tls[i].result_type[0] ? s->tls[i].result_type : "successful",
			     s->tls[i].sessions);
	}
}

/* ---- CSV ----------------------------------------------------------------- */

static void csv_u64(FILE *out, uint64_t v)
{
	fprintf(out, "%" PRIu64, v);
}

static void csv_sources(FILE *out, const struct evidence_doc *d)
{
	const struct fb_summary *s = d->s;
	char a[16], b[16];
	fputs("domain,ip,ptr,service,messages,dmarc_pass,dmarc_fail,quarantined,rejected,"
	      "dkim_pass,spf_pass,spf_domains,dkim_domains,last_seen,last_fail,spf_now,"
	      "spf_include\r\n",
	      out);
	for (size_t i = 0; i < listed(d); i++) {
		const struct fb_source_sum *x = &s->sources[i];
		const char *lead[] = { s->domain, x->ip, x->ptr, x->service };
		for (size_t k = 0; k < 4; k++) {
			csv_cell_mode(out, lead[k], d->csv_raw);
			fputc(',', out);
		}
		const uint64_t n[] = { x->messages, x->pass,      fails(x),   x->quarantined,
			               x->rejected, x->dkim_pass, x->spf_pass };
		for (size_t k = 0; k < sizeof(n) / sizeof(n[0]); k++) {
			csv_u64(out, n[k]);
			fputc(',', out);
		}
		csv_cell_mode(out, x->spf_domains, d->csv_raw);
		fputc(',', out);
		csv_cell_mode(out, x->dkim_domains, d->csv_raw);
		fprintf(out, ",%s,%s,",
		        x->last_seen ? evidence_day(x->last_seen, a, sizeof(a)) : "",
		        x->last_fail ? evidence_day(x->last_fail, b, sizeof(b)) : "");
		csv_cell_mode(out, x->spf_result, d->csv_raw);
		fputc(',', out);
		csv_cell_mode(out, x->spf_include, d->csv_raw);
		fputs("\r\n", out);
	}
}

static void csv_tables(FILE *out, const struct evidence_doc *d)
{
	const struct fb_summary *s = d->s;
	char a[16];
	switch (d->table) {
	case EVIDENCE_SOURCES:
		csv_sources(out, d);
		break;
	case EVIDENCE_REPORTERS:
		fputs("domain,org,reports,messages\r\n", out);
		for (size_t i = 0; i < s->nreporters; i++) {
			csv_cell_mode(out, s->domain, d->csv_raw);
			fputc(',', out);
			csv_cell_mode(out, s->reporters[i].org, d->csv_raw);
			fprintf(out, ",%" PRIu64 ",%" PRIu64 "\r\n", s->reporters[i].reports,
			        s->reporters[i].messages);
		}
		break;
	case EVIDENCE_DAYS:
		fputs("domain,day,messages,dmarc_pass,dmarc_fail\r\n", out);
		for (size_t i = 0; i < s->ndays; i++) {
			csv_cell_mode(out, s->domain, d->csv_raw);
			fprintf(out, ",%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\r\n",
			        evidence_day(s->days[i].day, a, sizeof(a)), s->days[i].messages,
			        s->days[i].pass, s->days[i].messages - s->days[i].pass);
		}
		break;
	case EVIDENCE_DISPOSITIONS:
		fputs("domain,disposition,messages\r\n", out);
		for (size_t i = 0; i < s->ndispositions; i++) {
			csv_cell_mode(out, s->domain, d->csv_raw);
			fputc(',', out);
			csv_cell_mode(out, s->dispositions[i].disposition, d->csv_raw);
			fprintf(out, ",%" PRIu64 "\r\n", s->dispositions[i].messages);
		}
		break;
	case EVIDENCE_SELECTORS:
		fputs("domain,dkim_domain,selector,messages,dkim_pass\r\n", out);
		for (size_t i = 0; i < s->nselectors; i++) {
			const char *c[] = { s->domain, s->selectors[i].domain,
				            s->selectors[i].selector };
			for (size_t k = 0; k < 3; k++) {
				csv_cell_mode(out, c[k], d->csv_raw);
				fputc(',', out);
			}
			fprintf(out, "%" PRIu64 ",%" PRIu64 "\r\n", s->selectors[i].messages,
			        s->selectors[i].pass);
		}
		break;
	case EVIDENCE_SERVICES:
		fputs("domain,service,sources,messages,dmarc_pass,dmarc_fail\r\n", out);
		for (size_t i = 0; i < s->nservices; i++) {
			const struct fb_service_sum *x = &s->services[i];
			csv_cell_mode(out, s->domain, d->csv_raw);
			fputc(',', out);
			csv_cell_mode(out, x->name, d->csv_raw);
			fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\r\n",
			        x->sources, x->messages, x->pass, x->messages - x->pass);
		}
		break;
	case EVIDENCE_TLS:
		fputs("domain,policy_type,result_type,sessions\r\n", out);
		for (size_t i = 0; i < s->ntls; i++) {
			const char *c[] = { s->domain, s->tls[i].policy_type,
				            s->tls[i].result_type };
			for (size_t k = 0; k < 3; k++) {
				csv_cell_mode(out, c[k], d->csv_raw);
				fputc(',', out);
			}
			fprintf(out, "%" PRIu64 "\r\n", s->tls[i].sessions);
		}
		break;
	}
}

/* ---- JSON ---------------------------------------------------------------- */

/* A time as ISO 8601 UTC, or null when unknown (0). */
static void json_day(struct jsonw *w, int64_t t)
{
	char buf[32];
	if (t > 0)
		jsonw_str(w, fb_iso8601(t, buf, sizeof(buf)));
	else
		jsonw_null(w);
}

static void json_sources(struct jsonw *w, const struct evidence_doc *d)
{
	const struct fb_summary *s = d->s;
	jsonw_key(w, "sources");
	jsonw_arr(w);
	for (size_t i = 0; i < listed(d); i++) {
		const struct fb_source_sum *x = &s->sources[i];
		jsonw_obj(w);
		jsonw_kstr(w, "ip", x->ip);
		jsonw_kint(w, "messages", (int64_t)x->messages);
		jsonw_kint(w, "dmarc_pass", (int64_t)x->pass);
		jsonw_kint(w, "dmarc_fail", (int64_t)fails(x));
		jsonw_kint(w, "quarantined", (int64_t)x->quarantined);
		jsonw_kint(w, "rejected", (int64_t)x->rejected);
		jsonw_kstr_or_null(w, "ptr", d->resolved ? x->ptr : NULL);
		jsonw_kstr_or_null(w, "spf_now", d->resolved ? x->spf_result : NULL);
		jsonw_kstr_or_null(w, "spf_include", d->resolved ? x->spf_include : NULL);
		jsonw_kstr_or_null(w, "service", x->service[0] ? x->service : NULL);
		jsonw_kstr(w, "spf_domains", x->spf_domains);
		jsonw_kstr(w, "dkim_domains", x->dkim_domains);
		jsonw_key(w, "last_seen");
		json_day(w, x->last_seen);
		jsonw_key(w, "last_fail");
		json_day(w, x->last_fail);
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
}

static void json_services(struct jsonw *w, const struct fb_summary *s)
{
	jsonw_kint(w, "sources_total", (int64_t)s->sources_total);
	jsonw_key(w, "services");
	jsonw_arr(w);
	for (size_t i = 0; i < s->nservices; i++) {
		jsonw_obj(w);
		jsonw_kstr(w, "service", s->services[i].name);
		jsonw_kint(w, "sources", (int64_t)s->services[i].sources);
		jsonw_kint(w, "messages", (int64_t)s->services[i].messages);
		jsonw_kint(w, "dmarc_pass", (int64_t)s->services[i].pass);
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
}

static void json_lists(struct jsonw *w, const struct fb_summary *s)
{
	jsonw_key(w, "reporters");
	jsonw_arr(w);
	for (size_t i = 0; i < s->nreporters; i++) {
		jsonw_obj(w);
		jsonw_kstr(w, "org", s->reporters[i].org);
		jsonw_kint(w, "reports", (int64_t)s->reporters[i].reports);
		jsonw_kint(w, "messages", (int64_t)s->reporters[i].messages);
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
	jsonw_key(w, "selectors");
	jsonw_arr(w);
	for (size_t i = 0; i < s->nselectors; i++) {
		jsonw_obj(w);
		jsonw_kstr(w, "domain", s->selectors[i].domain);
		jsonw_kstr(w, "selector", s->selectors[i].selector);
		jsonw_kint(w, "messages", (int64_t)s->selectors[i].messages);
		jsonw_kint(w, "dkim_pass", (int64_t)s->selectors[i].pass);
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
	jsonw_key(w, "dispositions");
	jsonw_arr(w);
	for (size_t i = 0; i < s->ndispositions; i++) {
		jsonw_obj(w);
		jsonw_kstr_or_null(w, "disposition", s->dispositions[i].disposition);
		jsonw_kint(w, "messages", (int64_t)s->dispositions[i].messages);
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
	jsonw_key(w, "days");
	jsonw_arr(w);
	for (size_t i = 0; i < s->ndays; i++) {
		char buf[16];
		jsonw_obj(w);
		jsonw_kstr(w, "day", evidence_day(s->days[i].day, buf, sizeof(buf)));
		jsonw_kint(w, "messages", (int64_t)s->days[i].messages);
		jsonw_kint(w, "dmarc_pass", (int64_t)s->days[i].pass);
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
}

static void json_tls(struct jsonw *w, const struct fb_summary *s)
{
	jsonw_key(w, "tls");
	jsonw_obj(w);
	jsonw_kint(w, "reports", (int64_t)s->tls_reports);
	jsonw_kint(w, "successful_sessions", (int64_t)s->tls_ok);
	jsonw_kint(w, "failed_sessions", (int64_t)s->tls_failed);
	jsonw_key(w, "by_type");
	jsonw_arr(w);
	for (size_t i = 0; i < s->ntls; i++) {
		jsonw_obj(w);
		jsonw_kstr(w, "policy_type", s->tls[i].policy_type);
		jsonw_kstr_or_null(w, "result_type",
		                   s->tls[i].result_type[0] ? s->tls[i].result_type : NULL);
		jsonw_kint(w, "sessions", (int64_t)s->tls[i].sessions);
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
	jsonw_end_obj(w);
}

/* A percentage with one decimal, as a JSON number. */
static void json_pct(struct jsonw *w, double v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%.1f", v);
	jsonw_raw(w, buf);
}

static void json_verdict(struct jsonw *w, const struct fb_verdict *v)
{
	jsonw_key(w, "verdict");
	if (v == NULL) {
		jsonw_null(w);
		return;
	}
	jsonw_obj(w);
	jsonw_kstr(w, "verdict", v->safe ? "safe_to_enforce" : "not_yet");
	jsonw_kbool(w, "enough_evidence", v->enough);
	jsonw_key(w, "pass_rate");
	json_pct(w, v->pass_rate);
	jsonw_key(w, "threshold");
	json_pct(w, v->threshold);
	jsonw_kint(w, "min_messages", (int64_t)v->min_messages);
	jsonw_kint(w, "fixed_messages", (int64_t)v->fixed);
	jsonw_kstr(w, "why", v->why);
	jsonw_end_obj(w);
}

static int json_write(FILE *out, const struct evidence_doc *d)
{
	const struct fb_summary *s = d->s;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_obj(&w);
	jsonw_kstr_or_null(&w, "domain", s->domain[0] ? s->domain : NULL);
	jsonw_key(&w, "since");
	json_day(&w, s->since);
	jsonw_key(&w, "until");
	json_day(&w, s->until);
	jsonw_key(&w, "first");
	json_day(&w, s->first);
	jsonw_key(&w, "last");
	json_day(&w, s->last);
	jsonw_kint(&w, "reports", (int64_t)s->reports);
	jsonw_kint(&w, "messages", (int64_t)s->messages);
	jsonw_kint(&w, "dmarc_pass", (int64_t)s->pass);
	jsonw_kint(&w, "dmarc_fail", (int64_t)s->fail);
	jsonw_kstr_or_null(&w, "policy", s->policy[0] ? s->policy : NULL);
	json_sources(&w, d);
	json_services(&w, s);
	json_lists(&w, s);
	jsonw_kint(&w, "failure_reports", (int64_t)s->failure_reports);
	json_tls(&w, s);
	json_verdict(&w, d->v);
	jsonw_end_obj(&w);
	size_t len;
	char *text = jsonw_finish_len(&w, &len);
	if (text == NULL)
		return -1;
	fwrite(text, 1, len, out);
	fputc('\n', out);
	free(text);
	return 0;
}

/* ---- Markdown ------------------------------------------------------------ */

static void md_write(FILE *out, const struct evidence_doc *d)
{
	const struct fb_summary *s = d->s;
	char a[16], b[16];
	fputs("# DMARC aggregate reports: ", out);
	report_md_text(out, s->domain[0] ? s->domain : "every domain");
	fprintf(out, "\n\n- period: %s .. %s\n", evidence_day(s->first, a, sizeof(a)),
	        evidence_day(s->last, b, sizeof(b)));
	fprintf(out,
	        "- reports: %" PRIu64 "\n- messages: %" PRIu64 "\n- DMARC pass: %" PRIu64
	        " (%.1f %%)\n- DMARC fail: %" PRIu64 "\n",
	        s->reports, s->messages, s->pass, rate(s->pass, s->messages), s->fail);
	if (d->v != NULL) {
		fprintf(out, "- verdict: **%s**: ", evidence_verdict_word(d->v));
		report_md_text(out, d->v->why);
		fputc('\n', out);
	}
	fputs("\n## Sources\n\n| IP | service | messages | pass | fail | SPF domains | DKIM "
	      "domains |\n"
	      "|---|---|---:|---:|---:|---|---|\n",
	      out);
	for (size_t i = 0; i < listed(d); i++) {
		const struct fb_source_sum *x = &s->sources[i];
		fputs("| ", out);
		report_md_text(out, x->ip);
		fputs(" | ", out);
		report_md_text(out, x->service);
		fprintf(out, " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | ", x->messages, x->pass,
		        fails(x));
		report_md_text(out, x->spf_domains);
		fputs(" | ", out);
		report_md_text(out, x->dkim_domains);
		fputs(" |\n", out);
	}
	fputs("\n## Reporters\n\n| reporter | reports | messages |\n|---|---:|---:|\n", out);
	for (size_t i = 0; i < s->nreporters; i++) {
		fputs("| ", out);
		report_md_text(out, s->reporters[i].org);
		fprintf(out, " | %" PRIu64 " | %" PRIu64 " |\n", s->reporters[i].reports,
		        s->reporters[i].messages);
	}
	if (s->tls_reports > 0) {
		fputs("\n## SMTP TLS reports\n\n| policy type | result | sessions "
		      "|\n|---|---|---:|\n",
		      out);
		for (size_t i = 0; i < s->ntls; i++) {
			fputs("| ", out);
			report_md_text(out, s->tls[i].policy_type);
			fputs(" | ", out);
			report_md_text(out, s->tls[i].result_type[0] ? s->tls[i].result_type
			                                             : "successful");
			fprintf(out, " | %" PRIu64 " |\n", s->tls[i].sessions);
		}
	}
}

int evidence_write(FILE *out, enum report_format f, const struct evidence_doc *d)
{
	switch (f) {
	case REPORT_TEXT:
		text_head(out, d);
		text_sources(out, d);
		text_rest(out, d);
		break;
	case REPORT_CSV:
		csv_tables(out, d);
		break;
	case REPORT_JSON:
		if (json_write(out, d) != 0)
			return -1;
		break;
	case REPORT_MD:
		md_write(out, d);
		break;
	case REPORT_HTML:
		evidence_html_page(out, d);
		break;
	}
	return ferror(out) ? -1 : 0;
}
