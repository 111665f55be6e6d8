/*
 * fb_tls.c — SMTP TLS reports (RFC 8460 section 4.4, JSON) on jansson,
 * the only file of feedback/ that includes it.
 *
 * jansson refuses what is not UTF-8, "\u0000" in strings (no
 * JSON_ALLOW_NUL) and nesting past its depth limit (2048), and keeps the
 * last of duplicate keys. A report is refused only when it is not a JSON
 * object with organization-name, report-id and policies (RFC 8460 4.4
 * requires them, and the first two are its identity); anything else it
 * gets wrong is a finding.
 */
#include "feedback.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fb_impl.h"
#include "strutil.h"

#define FAILURES_MAX 1024 /* failure-details read per policy */
#define POLICIES_MAX 4096 /* policies read per report */
/* A session count above this is not real (10^12: the sums stay within
 * 2^63, the store's integers). */
#define SESSIONS_MAX 1000000000000ll

static const char FIX_SCHEMA[] = "Nothing to change in your DNS: the receiver's report deviates "
                                 "from the SMTP TLS report format (RFC 8460 section 4.4).";

/* RFC 8460 4.3: the result types (4.3.1 negotiation, 4.3.2 policy). */
static const char *const RESULT_TYPES[] = { "starttls-not-supported", "certificate-host-mismatch",
	                                    "certificate-expired",    "certificate-not-trusted",
	                                    "validation-failure",     "tlsa-invalid",
	                                    "dnssec-invalid",         "dane-required",
	                                    "sts-policy-fetch-error", "sts-policy-invalid",
	                                    "sts-webpki-invalid",     NULL };
static const char *const POLICY_TYPES[] = { "tlsa", "sts", "no-policy-found", NULL };

struct tls {
	struct fb_report *r;
	struct fb_tls *t;
	int cut_seen, upper_seen;
	struct fb_bad bad; /* report.bad_field findings */
};

enum how {
	AS_SENT,
	DOMAIN, /* lower-cased: DNS names are case-insensitive (RFC 4343), no finding */
	WORD,   /* lower-cased, with a finding: RFC 8460's words are lower case */
};

/* Reads the string v (the value at path) into dst ("" when absent, null
 * or empty: an empty value says no more than an absent one). A value of
 * another JSON type is a finding. Returns 1 when there is a value. */
static int get_value(struct tls *g, const json_t *v, const char *path, char *dst, size_t size,
                     enum how how)
{
	char shown[80];

	dst[0] = '\0';
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		fb_bad_field(&g->bad, FINDING_WARNING, path, "%s is not a string", path);
		return 0;
	}
	unsigned flags = fb_text_copy(dst, size, json_string_value(v), json_string_length(v));
	if ((flags & FB_TEXT_CUT) && !g->cut_seen) {
		g->cut_seen = 1;
		findings_add(&g->r->findings, "report.value_truncated", FINDING_WARNING, path,
		             FIX_SCHEMA,
		             "%s is longer than the %zu bytes posture keeps: cut (later values "
		             "cut too are not listed)",
		             path, size - 1);
	}
	fb_text_show(dst, shown, sizeof(shown));
	if (how != AS_SENT && fb_text_lower(dst) && how == WORD && !g->upper_seen) {
		g->upper_seen = 1;
		findings_add(&g->r->findings, "report.uppercase_value", FINDING_INFO, path,
		             FIX_SCHEMA,
		             "%s is \"%s\": RFC 8460's values are lower case; read lower-cased "
		             "(later upper-case values are not listed)",
		             path, shown);
	}
	return dst[0] != '\0';
}

static int get(struct tls *g, const json_t *o, const char *key, char *dst, size_t size,
               enum how how, const char *at)
{
	char path[160];
	snprintf(path, sizeof(path), "%s%s%s", at, at[0] ? "/" : "", key);
	return get_value(g, json_object_get(o, key), path, dst, size, how);
}

/* A session count: a non-negative integer; else 0 and a finding. */
static uint64_t get_count(struct tls *g, const json_t *o, const char *key, const char *at)
{
	char path[160];
	json_t *v = json_object_get(o, key);

	snprintf(path, sizeof(path), "%s/%s", at, key);
	if (v == NULL) {
		fb_bad_field(&g->bad, FINDING_WARNING, path, "%s is missing: counted as 0", path);
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > SESSIONS_MAX) {
		fb_bad_field(
		        &g->bad, FINDING_WARNING, path,
		        "%s is not a number of sessions (a non-negative integer): counted as 0",
		        path);
		return 0;
	}
	return (uint64_t)json_integer_value(v);
}

static void check_word(struct tls *g, const char *value, const char *const *allowed,
                       const char *path)
{
	char shown[80];
	if (value[0] == '\0')
		return;
	for (size_t i = 0; allowed[i] != NULL; i++)
		if (strcmp(value, allowed[i]) == 0)
			return;
	fb_bad_field(&g->bad, FINDING_WARNING, path, "%s is \"%s\", which RFC 8460 does not define",
	             path, fb_text_show(value, shown, sizeof(shown)));
}

/* ---- RFC 3339 date-times --------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* RFC 3339 section 5.6 date-time ("2016-04-01T00:00:00Z", fractions
 * and offsets allowed) into Unix seconds. Returns 0, or -1. */
static int parse_rfc3339(const char *s, int64_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -1;
	s += 19;
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return -1;
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0') {
		sign = 0;
	} else if ((*s == '+' || *s == '-') && strlen(s) == 6 && !digits(s + 1, 2, &oh) &&
	           s[3] == ':' && !digits(s + 4, 2, &om) && oh <= 23 && om <= 59) {
		sign = *s == '-' ? -1 : 1;
	} else {
		return -1;
	}
	*out = fb_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec -
	       (int64_t)sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
	return 0;
}

static void read_dates(struct tls *g, const json_t *root)
{
	const json_t *range = json_object_get(root, "date-range");
	char start[64] = "", end[64] = "", shown[80];
	int64_t b = 0, e = 0;
	int ok_b, ok_e;

	get(g, range, "start-datetime", start, sizeof(start), AS_SENT, "date-range");
	get(g, range, "end-datetime", end, sizeof(end), AS_SENT, "date-range");
	ok_b = parse_rfc3339(start, &b) == 0;
	ok_e = parse_rfc3339(end, &e) == 0;
	if (!ok_b || !ok_e) {
		const char *which = !ok_b ? "start-datetime" : "end-datetime";
		const char *v = !ok_b ? start : end;
		findings_add(&g->r->findings, "report.bad_date_range", FINDING_WARNING,
		             "date-range", FIX_SCHEMA,
		             v[0] ? "date-range/%s is \"%s\", not an RFC 3339 date-time: the "
		                    "report's period is unknown"
		                  : "date-range/%s is missing: the report's period is unknown%s",
		             which, v[0] ? fb_text_show(v, shown, sizeof(shown)) : "");
	} else if (b > e) {
		findings_add(&g->r->findings, "report.bad_date_range", FINDING_WARNING,
		             "date-range", FIX_SCHEMA, "date-range starts (%s) after it ends (%s)",
		             start, end);
	}
	g->t->begin = ok_b ? b : 0;
	g->t->end = ok_e ? e : 0;
}

/* ---- policies ------------------------------------------------------------ */

static void read_failure(struct tls *g, struct fb_tls_failure *f, const json_t *d, const char *at)
{
	char ip[FB_NAME], shown[80], path[160];

	get(g, d, "result-type", f->result_type, sizeof(f->result_type), WORD, at);
	snprintf(path, sizeof(path), "%s/result-type", at);
	if (f->result_type[0] == '\0')
		fb_bad_field(&g->bad, FINDING_WARNING, path, "%s is missing", path);
	check_word(g, f->result_type, RESULT_TYPES, path);
	if (get(g, d, "sending-mta-ip", ip, sizeof(ip), AS_SENT, at) &&
	    fb_ip_canon(ip, f->sending_ip, sizeof(f->sending_ip)) != 0)
		fb_bad_field(&g->bad, FINDING_WARNING, at,
		             "%s/sending-mta-ip is \"%s\", not an IP address", at,
		             fb_text_show(ip, shown, sizeof(shown)));
	if (get(g, d, "receiving-ip", ip, sizeof(ip), AS_SENT, at) &&
	    fb_ip_canon(ip, f->receiving_ip, sizeof(f->receiving_ip)) != 0)
		fb_bad_field(&g->bad, FINDING_WARNING, at,
		             "%s/receiving-ip is \"%s\", not an IP address", at,
		             fb_text_show(ip, shown, sizeof(shown)));
	get(g, d, "receiving-mx-hostname", f->receiving_mx, sizeof(f->receiving_mx), DOMAIN, at);
	get(g, d, "failure-reason-code", f->reason, sizeof(f->reason), AS_SENT, at);
	f->sessions = get_count(g, d, "failed-session-count", at);
}

static int read_failures(struct tls *g, struct fb_tls_policy *p, const json_t *pol, const char *at)
{
	const json_t *list = json_object_get(pol, "failure-details");
	char fat[96];
	uint64_t sum = 0;

	if (list == NULL)
		return 0;
	if (!json_is_array(list)) {
		fb_bad_field(&g->bad, FINDING_WARNING, at, "%s/failure-details is not an array",
		             at);
		return 0;
	}
	size_t n = json_array_size(list);
	if (n > FAILURES_MAX) {
		findings_add(&g->r->findings, "report.rows_truncated", FINDING_WARNING, at,
		             FIX_SCHEMA,
		             "%s lists %zu failure-details: those past the first %d are not read",
		             at, n, FAILURES_MAX);
		n = FAILURES_MAX;
	}
	p->fail = n ? calloc(n, sizeof(*p->fail)) : NULL;
	if (n && p->fail == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const json_t *d = json_array_get(list, i);
		snprintf(fat, sizeof(fat), "%s/failure-details %zu", at, i + 1);
		if (!json_is_object(d)) {
			fb_bad_field(&g->bad, FINDING_WARNING, fat, "%s is not an object", fat);
			continue;
		}
		read_failure(g, &p->fail[p->nfail], d, fat);
		sum += p->fail[p->nfail++].sessions;
	}
	/* RFC 8460 4.4: the details break the summary's failures down. */
	if (sum != p->failed)
		fb_bad_field(&g->bad, FINDING_INFO, at,
		             "%s: its failure-details count %llu failed sessions, its summary %llu",
		             at, (unsigned long long)sum, (unsigned long long)p->failed);
	return 0;
}

/* mx-host: a string, or (some reporters) a list of them: the first. */
static void read_mx_host(struct tls *g, struct fb_tls_policy *p, const json_t *pd, const char *at)
{
	const json_t *mx = json_object_get(pd, "mx-host");
	char path[160];

	snprintf(path, sizeof(path), "%s/mx-host", at);
	if (json_is_array(mx))
		mx = json_array_get(mx, 0);
	get_value(g, mx, path, p->mx_host, sizeof(p->mx_host), DOMAIN);
}

static int read_policy(struct tls *g, struct fb_tls_policy *p, const json_t *pol, const char *at)
{
	const json_t *pd = json_object_get(pol, "policy");
	const json_t *sum = json_object_get(pol, "summary");
	char pat[96], sat[96], path[160];

	snprintf(pat, sizeof(pat), "%s/policy", at);
	snprintf(sat, sizeof(sat), "%s/summary", at);
	if (!json_is_object(pd))
		fb_bad_field(&g->bad, FINDING_WARNING, pat, "%s is missing or not an object", pat);
	get(g, pd, "policy-type", p->type, sizeof(p->type), WORD, pat);
	snprintf(path, sizeof(path), "%s/policy-type", pat);
	check_word(g, p->type, POLICY_TYPES, path);
	if (!get(g, pd, "policy-domain", p->domain, sizeof(p->domain), DOMAIN, pat))
		fb_bad_field(&g->bad, FINDING_WARNING, pat, "%s/policy-domain is missing", pat);
	read_mx_host(g, p, pd, pat);
	if (!json_is_object(sum))
		fb_bad_field(&g->bad, FINDING_WARNING, sat,
		             "%s is missing or not an object: its sessions are counted as 0", sat);
	p->ok = json_is_object(sum) ? get_count(g, sum, "total-successful-session-count", sat) : 0;
	p->failed = json_is_object(sum) ? get_count(g, sum, "total-failure-session-count", sat) : 0;
	return read_failures(g, p, pol, at);
}

static int read_policies(struct tls *g, const json_t *list)
{
	struct fb_tls *t = g->t;
	size_t n = json_array_size(list);
	char at[48];

	if (n > POLICIES_MAX) {
		findings_add(&g->r->findings, "report.rows_truncated", FINDING_WARNING, "policies",
		             FIX_SCHEMA,
		             "the report lists %zu policies: those past the first %d "
		             "are not read",
		             n, POLICIES_MAX);
		n = POLICIES_MAX;
	}
	t->pol = n ? calloc(n, sizeof(*t->pol)) : NULL;
	if (n && t->pol == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const json_t *pol = json_array_get(list, i);
		snprintf(at, sizeof(at), "policies %zu", i + 1);
		if (!json_is_object(pol)) {
			fb_bad_field(&g->bad, FINDING_WARNING, at, "%s is not an object", at);
			continue;
		}
		struct fb_tls_policy *p = &t->pol[t->npol++];
		if (read_policy(g, p, pol, at) != 0)
			return -1;
		g->r->messages += p->ok + p->failed;
	}
	if (t->npol == 0)
		fb_bad_field(&g->bad, FINDING_WARNING, "policies",
		             "the report lists no policy: it counts no session");
	return 0;
}

/* ---- the report ------------------------------------------------------------ */

static int read_root(struct tls *g, const json_t *root, char *err, size_t errlen)
{
	struct fb_tls *t = g->t;
	struct fb_report *r = g->r;
	const json_t *pols = json_object_get(root, "policies");

	if (!get(g, root, "organization-name", t->org, sizeof(t->org), AS_SENT, "") ||
	    !get(g, root, "report-id", t->report_id, sizeof(t->report_id), AS_SENT, "") ||
	    !json_is_array(pols)) {
		snprintf(err, errlen, "not an SMTP TLS report: no %s",
		         t->org[0] == '\0'         ? "organization-name"
		         : t->report_id[0] == '\0' ? "report-id"
		                                   : "policies array");
		return -1;
	}
	get(g, root, "contact-info", t->contact, sizeof(t->contact), AS_SENT, "");
	read_dates(g, root);
	if (read_policies(g, pols) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fb_bad_finish(&g->bad, "policies", "RFC 8460");
	str_copy(r->org, sizeof(r->org), t->org);
	str_copy(r->report_id, sizeof(r->report_id), t->report_id);
	str_copy(r->domain, sizeof(r->domain), t->npol ? t->pol[0].domain : "");
	r->begin = t->begin;
	r->end = t->end;
	r->rows = t->npol;
	return 0;
}

int fb_tls_read(const uint8_t *json, size_t len, struct fb_report *r, char *err, size_t errlen)
{
	json_error_t jerr;
	struct tls g;
	json_t *root;
	int rc = -1;

	fb_report_reset(r, FB_TLS, 0);
	if (len > FB_MEMBER_MAX) {
		snprintf(err, errlen, "larger than %u bytes", (unsigned)FB_MEMBER_MAX);
		return -1;
	}
	root = json_loadb((const char *)json, len, 0, &jerr);
	if (root == NULL) {
		char text[sizeof(jerr.text)];
		fb_text_copy(text, sizeof(text), jerr.text, strlen(jerr.text));
		snprintf(err, errlen, "not an SMTP TLS report: invalid JSON (line %d: %s)",
		         jerr.line, text);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not an SMTP TLS report: not a JSON object");
		goto out;
	}
	memset(&g, 0, sizeof(g));
	g.r = r;
	g.bad = (struct fb_bad){ &r->findings, FIX_SCHEMA, 0, 0 };
	g.t = r->tls = calloc(1, sizeof(*r->tls));
	if (g.t == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = read_root(&g, root, err, errlen);
out:
	json_decref(root);
	if (rc != 0)
		fb_report_reset(r, FB_TLS, 1);
	return rc;
}
