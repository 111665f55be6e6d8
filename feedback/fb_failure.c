/*
 * fb_failure.c — DMARC failure reports (RFC 6591 on the Abuse Reporting
 * Format of RFC 5965; RFC 7489 7.3): the machine-readable
 * message/feedback-report part, and the copy of the original message (or
 * its header section) that follows it.
 *
 * A failure report has no id of its own: its message's Message-ID is
 * the id, else the SHA-256 of what it reports. Some reporters (Exim's
 * DMARC module) send no ARF part at all, only text that names the domain
 * and the source IP, then a copy of the headers: those are read from the
 * text, with a finding. Missing fields are findings too; only a report
 * that names no domain at all is refused.
 */
#include "feedback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "fb_impl.h"
#include "fb_mime.h"
#include "strutil.h"
#include "utf8.h"

#define FIX_REPORTER                                                                               \
	"Nothing to change in your DNS: the receiver's report is incomplete. posture stored what " \
	"it does say; if you need the rest, ask the reporter (its Reporting-MTA or the report's "  \
	"sender) to send RFC 6591 reports."
#define FIX_NO_ARF                                                                                 \
	"Nothing to change in your DNS: the report was read from its text. Ask the reporter for "  \
	"RFC 6591 reports (a message/feedback-report part) if you need every field."
#define FIX_TRUNCATED                                                                              \
	"Nothing to change: the original message's header section is longer than posture keeps; "  \
	"the first 64 KiB of it are stored."
#define FIX_ENCODING                                                                               \
	"Nothing to change in your DNS: the reporter's base64 or quoted-printable is broken; "     \
	"posture decoded what it could. Tell the reporter if fields come out wrong."

#define PART_ARF  "message/feedback-report"
#define EXIM_COPY "------ This is a copy of the headers"

static int is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* Copies src lower-cased (NULL copies ""). */
static void copy_lower(char *dst, size_t len, const char *src)
{
	str_copy(dst, len, src ? src : "");
	for (char *p = dst; *p != '\0'; p++)
		*p = str_lower(*p);
}

/* A domain as stored: lower case, without a final dot. */
static void copy_domain(char *dst, size_t len, const char *src)
{
	size_t n;

	copy_lower(dst, len, src);
	n = strlen(dst);
	if (n > 0 && dst[n - 1] == '.')
		dst[n - 1] = '\0';
}

/* An address field's address: what is inside the last "<...>", else
 * the value, trimmed ("<a@b>" and "a@b" give "a@b"; "<>" gives ""). */
static void copy_addr(char *dst, size_t len, const char *v)
{
	const char *open = v ? strrchr(v, '<') : NULL;
	const char *end;
	size_t n;

	dst[0] = '\0';
	if (v == NULL)
		return;
	if (open != NULL) {
		v = open + 1;
		end = strchr(v, '>');
		if (end == NULL)
			end = v + strlen(v);
	} else {
		end = v + strlen(v);
	}
	while (v < end && is_wsp(*v))
		v++;
	while (end > v && is_wsp(end[-1]))
		end--;
	n = (size_t)(end - v);
	if (n >= len)
		n = len - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* The domain of an address field's (first) address, lower-cased. */
static void addr_domain(char *dst, size_t len, const char *v)
{
	char addr[FB_NAME * 2];
	const char *at;
	size_t n = 0;

	dst[0] = '\0';
	copy_addr(addr, sizeof(addr), v);
	at = strrchr(addr, '@');
	if (at == NULL)
		return;
	for (at++; *at != '\0' && !is_wsp(*at) && strchr(">;,()\"", *at) == NULL && n + 1 < len;
	     at++)
		dst[n++] = str_lower(*at);
	dst[n] = '\0';
	if (n > 0 && dst[n - 1] == '.')
		dst[n - 1] = '\0';
}

/* Source-IP in canonical text (inet_ntop of inet_pton). Tolerates
 * "[a.b.c.d]", an "IPv6:" prefix and a comment after the address. */
static int canon_ip(const char *v, char *out, size_t outlen)
{
	char tok[64];
	size_t n = 0;
	const char *p = v;

	if (p == NULL)
		return -1;
	while (is_wsp(*p) || *p == '[')
		p++;
	if (strncasecmp(p, "IPv6:", 5) == 0)
		p += 5;
	while (*p != '\0' && !is_wsp(*p) && strchr("];,(", *p) == NULL && n + 1 < sizeof(tok))
		tok[n++] = *p++;
	tok[n] = '\0';
	return fb_ip_canon(tok, out, outlen);
}

/* ---- RFC 5322 3.3 dates ---- */

/* Up to max digits at *p into *v; returns how many were read. */
static int digits(const char **p, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

static const char *skip_ws(const char *p)
{
	while (is_wsp(*p))
		p++;
	return p;
}

/* RFC 5322 3.3 zone, or 4.3's obsolete names; an unknown name counts as
 * +0000 (RFC 5322 4.3: "-0000"). Returns seconds east of UTC. */
static int64_t zone_offset(const char *p)
{
	static const struct {
		const char *name;
		int hours;
	} names[] = { { "UT", 0 },   { "GMT", 0 },  { "EST", -5 }, { "EDT", -4 }, { "CST", -6 },
		      { "CDT", -5 }, { "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 } };
	int v;

	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, 4, &v) != 4 || v % 100 > 59)
			return 0;
		return sign * ((int64_t)(v / 100) * 3600 + (int64_t)(v % 100) * 60);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i].name);
		if (strncasecmp(p, names[i].name, n) == 0 &&
		    !((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z')))
			return (int64_t)names[i].hours * 3600;
	}
	return 0;
}

/* "[day-of-week ,] day month year hour:minute[:second] zone" into Unix
 * seconds, UTC. Returns 0, or -1 when the text is no such date. */
static int parse_date(const char *s, int64_t *out)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	const char *p = s ? skip_ws(s) : NULL;
	int day, mon = 0, year, hour, min, sec = 0, ny;
	char m3[4] = { 0 };

	if (p == NULL)
		return -1;
	if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) { /* day-of-week */
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			p++;
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
	}
	if (digits(&p, 2, &day) == 0 || day < 1 || day > 31)
		return -1;
	p = skip_ws(p);
	for (int i = 0; i < 3 && *p != '\0'; i++)
		m3[i] = str_lower(*p++);
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) /* "September" */
		p++;
	for (int i = 0; i < 12; i++)
		if (strncmp(months + (size_t)3 * i, m3, 3) == 0)
			mon = i + 1;
	p = skip_ws(p);
	ny = digits(&p, 4, &year);
	if (mon == 0 || ny < 2)
		return -1;
	/* RFC 5322 4.3: two-digit years below 50 are 20xx, others and
	 * three-digit years add 1900. */
	if (ny == 2)
		year += year < 50 ? 2000 : 1900;
	else if (ny == 3)
		year += 1900;
	p = skip_ws(p);
	if (digits(&p, 2, &hour) == 0 || *p++ != ':' || digits(&p, 2, &min) != 2)
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &sec) != 2)
			return -1;
	}
	if (hour > 23 || min > 59 || sec > 60 || year < 1970)
		return -1;
	*out = fb_days_from_civil(year, mon, day) * 86400 + (int64_t)hour * 3600 +
	       (int64_t)min * 60 + sec - zone_offset(skip_ws(p));
	return 0;
}

/* ---- the parts ---- */

static const struct fb_part *find_part(const struct fb_message *m, const char *type)
{
	for (size_t i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].content_type, type) == 0)
			return &m->parts[i];
	return NULL;
}

/* RFC 6591 3.2 (RFC 5965 2 (d)): the original message, or its header
 * section; message/rfc822-headers is a common misspelling. */
static const struct fb_part *find_original(const struct fb_message *m)
{
	const struct fb_part *p = find_part(m, "message/rfc822");

	if (p == NULL)
		p = find_part(m, "text/rfc822-headers");
	if (p == NULL)
		p = find_part(m, "message/rfc822-headers");
	return p;
}

/* The line at off: where its content ends (before CR LF / LF), *next
 * after it. */
static size_t line_at(const uint8_t *d, size_t len, size_t off, size_t *next)
{
	const uint8_t *lf = off < len ? memchr(d + off, '\n', len - off) : NULL;
	size_t end = lf ? (size_t)(lf - d) : len;

	*next = lf ? end + 1 : len;
	if (end > off && d[end - 1] == '\r')
		end--;
	return end;
}

/* Skips empty lines at the start of d; returns the offset of the first
 * line with content. */
static size_t skip_blank_lines(const uint8_t *d, size_t len)
{
	size_t off = 0, next;

	while (off < len && line_at(d, len, off, &next) == off)
		off = next;
	return off;
}

/* The header section's length: up to (not with) its empty line. */
static size_t section_len(const uint8_t *d, size_t len)
{
	size_t off = 0, next;

	while (off < len && line_at(d, len, off, &next) != off)
		off = next;
	return off;
}

/* Does the text name a value for this label ("  Sender Domain: x")?
 * Copies the value (trimmed) and returns 1. */
static int text_label(const uint8_t *d, size_t off, size_t end, const char *label, char *out,
                      size_t outlen)
{
	size_t n = strlen(label), v;

	while (off < end && is_wsp((char)d[off]))
		off++;
	if (end - off < n || strncasecmp((const char *)d + off, label, n) != 0)
		return 0;
	for (v = off + n; v < end && is_wsp((char)d[v]);)
		v++;
	while (end > v && is_wsp((char)d[end - 1]))
		end--;
	n = end - v < outlen - 1 ? end - v : outlen - 1;
	memcpy(out, d + v, n);
	out[n] = '\0';
	return 1;
}

/* What an Exim text report says (the lines before EXIM_COPY), and where
 * the copied headers start (*copy; len when absent). */
struct exim_text {
	char domain[FB_NAME];
	char ip[FB_TEXT];
	char date[FB_TEXT];
	size_t copy;
};

static void exim_scan(const uint8_t *d, size_t len, struct exim_text *x)
{
	size_t off = 0, next;

	memset(x, 0, sizeof(*x));
	x->copy = len;
	while (off < len) {
		size_t end = line_at(d, len, off, &next);
		if (end - off >= strlen(EXIM_COPY) &&
		    memcmp(d + off, EXIM_COPY, strlen(EXIM_COPY)) == 0) {
			x->copy = next + skip_blank_lines(d + next, len - next);
			return;
		}
		if (x->domain[0] == '\0')
			text_label(d, off, end, "Sender Domain:", x->domain, sizeof(x->domain));
		if (x->ip[0] == '\0')
			text_label(d, off, end, "Sender IP Address:", x->ip, sizeof(x->ip));
		if (x->date[0] == '\0')
			text_label(d, off, end, "Received date:", x->date, sizeof(x->date));
		off = next;
	}
}

/* The text/plain part of an Exim report: it names the domain and the
 * source IP. */
static const struct fb_part *find_exim(const struct fb_message *m, struct exim_text *x)
{
	for (size_t i = 0; i < m->nparts; i++) {
		const struct fb_part *p = &m->parts[i];
		if (strcmp(p->content_type, "text/plain") != 0)
			continue;
		exim_scan(p->body, p->len, x);
		if (x->domain[0] != '\0' && x->ip[0] != '\0')
			return p;
	}
	return NULL;
}

/* ---- the report ---- */

struct reading {
	struct fb_failure *f;
	struct findings fs;
	uint64_t incidents;
	const uint8_t *hashed; /* the ARF part (or the text), for the fallback id */
	size_t hashed_len;
};

static void missing(struct reading *rd, const char *field, const char *what)
{
	findings_add(&rd->fs, "report.failure_missing_field", FINDING_WARNING, field, FIX_REPORTER,
	             "the failure report's %s %s", field, what);
}

/* RFC 5965 3.1 and RFC 6591 3.1: Feedback-Type, and for auth-failure
 * reports Auth-Failure; Source-IP and Reported-Domain (RFC 6591 3.2) are
 * what ties the report to a sender and a domain. */
static void arf_fields(struct reading *rd, const struct fb_header *h, size_t n)
{
	struct fb_failure *f = rd->f;
	const char *v;

	copy_lower(f->feedback_type, sizeof(f->feedback_type),
	           fb_header_get(h, n, "Feedback-Type"));
	copy_lower(f->auth_failure, sizeof(f->auth_failure), fb_header_get(h, n, "Auth-Failure"));
	copy_domain(f->reported_domain, sizeof(f->reported_domain),
	            fb_header_get(h, n, "Reported-Domain"));
	copy_addr(f->original_mail_from, sizeof(f->original_mail_from),
	          fb_header_get(h, n, "Original-Mail-From"));
	copy_addr(f->original_rcpt_to, sizeof(f->original_rcpt_to),
	          fb_header_get(h, n, "Original-Rcpt-To"));
	copy_lower(f->delivery_result, sizeof(f->delivery_result),
	           fb_header_get(h, n, "Delivery-Result"));
	copy_domain(f->dkim_domain, sizeof(f->dkim_domain), fb_header_get(h, n, "DKIM-Domain"));
	str_copy(f->dkim_selector, sizeof(f->dkim_selector),
	         (v = fb_header_get(h, n, "DKIM-Selector")) ? v : "");
	/* RFC 5965 3.2: Reporting-MTA is "dns; name" (RFC 3464 2.2.2). */
	if ((v = fb_header_get(h, n, "Reporting-MTA")) != NULL) {
		const char *semi = strchr(v, ';');
		if (semi != NULL && strncasecmp(v, "dns", 3) == 0)
			v = semi + 1;
		while (is_wsp(*v))
			v++;
		copy_domain(f->reporting_mta, sizeof(f->reporting_mta), v);
	}
	if ((v = fb_header_get(h, n, "Incidents")) != NULL && *v >= '1' && *v <= '9' &&
	    strspn(v, "0123456789") == strlen(v) && strlen(v) <= 9)
		rd->incidents = strtoull(v, NULL, 10);
	v = fb_header_get(h, n, "Arrival-Date");
	if (v == NULL)
		v = fb_header_get(h, n, "Received-Date"); /* what some reporters call it */
	if (v != NULL && parse_date(v, &f->arrival) != 0)
		missing(rd, "Arrival-Date", "is not an RFC 5322 date");
	if (f->feedback_type[0] == '\0')
		missing(rd, "Feedback-Type", "is missing");
	if (f->auth_failure[0] == '\0' &&
	    (f->feedback_type[0] == '\0' || strcmp(f->feedback_type, "auth-failure") == 0))
		missing(rd, "Auth-Failure", "is missing");
	if ((v = fb_header_get(h, n, "Source-IP")) == NULL)
		missing(rd, "Source-IP", "is missing");
	else if (canon_ip(v, f->source_ip, sizeof(f->source_ip)) != 0)
		missing(rd, "Source-IP", "is not an IP address");
	if (f->reported_domain[0] == '\0')
		missing(rd, "Reported-Domain", "is missing");
}

static int read_arf(struct reading *rd, const struct fb_part *p)
{
	struct fb_header *h;
	size_t n, skip = skip_blank_lines(p->body, p->len);

	if (fb_headers_parse(p->body + skip, p->len - skip, &h, &n) != 0)
		return -1;
	arf_fields(rd, h, n);
	fb_headers_free(h, n);
	rd->hashed = p->body;
	rd->hashed_len = p->len;
	return 0;
}

static void read_exim(struct reading *rd, const struct fb_part *p, const struct exim_text *x)
{
	struct fb_failure *f = rd->f;

	/* Exim's DMARC module sends this text when DMARC fails. */
	str_copy(f->feedback_type, sizeof(f->feedback_type), "auth-failure");
	str_copy(f->auth_failure, sizeof(f->auth_failure), "dmarc");
	copy_domain(f->reported_domain, sizeof(f->reported_domain), x->domain);
	if (canon_ip(x->ip, f->source_ip, sizeof(f->source_ip)) != 0)
		missing(rd, "Source-IP", "is not an IP address");
	if (x->date[0] != '\0' && parse_date(x->date, &f->arrival) != 0)
		missing(rd, "Arrival-Date", "is not an RFC 5322 date");
	findings_add(&rd->fs, "report.failure_no_arf_part", FINDING_WARNING, "text/plain",
	             FIX_NO_ARF,
	             "the failure report has no message/feedback-report part (RFC 6591); its "
	             "domain (%s) and source IP were read from its text",
	             f->reported_domain);
	rd->hashed = p->body;
	rd->hashed_len = p->len;
}

/* Keeps the original header section (at most FB_HEADERS_MAX, cut at a
 * line's end) and reads its From domain and Subject. */
static int keep_headers(struct reading *rd, const uint8_t *d, size_t len)
{
	struct fb_failure *f = rd->f;
	size_t keep = section_len(d, len);
	struct fb_header *h;
	size_t n;
	const char *v;

	if (keep > FB_HEADERS_MAX) {
		const uint8_t *lf = memrchr(d, '\n', FB_HEADERS_MAX);
		findings_add(
		        &rd->fs, "report.headers_truncated", FINDING_INFO, "message/rfc822",
		        FIX_TRUNCATED,
		        "the original message's header section (%zu bytes) was cut to %zu bytes",
		        keep, lf ? (size_t)(lf - d) + 1 : (size_t)FB_HEADERS_MAX);
		keep = lf ? (size_t)(lf - d) + 1 : FB_HEADERS_MAX;
	}
	f->original_headers = malloc(keep + 1);
	if (f->original_headers == NULL)
		return -1;
	if (keep > 0)
		memcpy(f->original_headers, d, keep);
	f->original_headers[keep] = '\0';
	f->original_headers_len = keep;
	if (fb_headers_parse(d, keep, &h, &n) != 0)
		return -1;
	addr_domain(f->header_from, sizeof(f->header_from), fb_header_get(h, n, "From"));
	str_copy(f->subject, sizeof(f->subject), (v = fb_header_get(h, n, "Subject")) ? v : "");
	fb_headers_free(h, n);
	return 0;
}

static int sha256_hex(const struct reading *rd, char *out, size_t outlen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	         EVP_DigestUpdate(c, rd->hashed, rd->hashed_len) == 1 &&
	         EVP_DigestUpdate(c, rd->f->original_headers, rd->f->original_headers_len) == 1 &&
	         EVP_DigestFinal_ex(c, md, &mdlen) == 1;

	EVP_MD_CTX_free(c);
	if (!ok)
		return -1;
	for (unsigned int i = 0; i < mdlen && 2 * i + 2 < outlen; i++)
		snprintf(out + (size_t)2 * i, 3, "%02x", md[i]);
	return 0;
}

/* The report's identity and range: org, id, domain, dates, counts. */
static int fill_report(struct reading *rd, const struct fb_message *m, struct fb_report *r)
{
	struct fb_failure *f = rd->f;
	const char *mid = fb_message_header(m, "Message-ID");
	int64_t date;

	r->kind = FB_FAILURE;
	if (f->reporting_mta[0] != '\0')
		str_copy(r->org, sizeof(r->org), f->reporting_mta);
	else
		addr_domain(r->org, sizeof(r->org), fb_message_header(m, "From"));
	copy_addr(r->report_id, sizeof(r->report_id), mid);
	if (r->report_id[0] == '\0' && sha256_hex(rd, r->report_id, sizeof(r->report_id)) != 0)
		return -1;
	str_copy(r->domain, sizeof(r->domain),
	         f->reported_domain[0] ? f->reported_domain : f->header_from);
	if (f->arrival == 0 && parse_date(fb_message_header(m, "Date"), &date) == 0)
		r->begin = r->end = date;
	else
		r->begin = r->end = f->arrival;
	r->rows = 1;
	r->messages = rd->incidents ? rd->incidents : 1;
	return 0;
}

static int read_parts(struct reading *rd, const struct fb_message *m, const struct fb_part *arf,
                      const struct fb_part *text, const struct exim_text *x)
{
	const struct fb_part *orig = find_original(m);

	if (arf != NULL) {
		if (read_arf(rd, arf) != 0)
			return -1;
	} else {
		read_exim(rd, text, x);
	}
	if ((arf != NULL && arf->bad_encoding) || (orig != NULL && orig->bad_encoding))
		findings_add(&rd->fs, "report.bad_transfer_encoding", FINDING_WARNING,
		             arf && arf->bad_encoding ? PART_ARF : "message/rfc822", FIX_ENCODING,
		             "a part of the failure report is not clean %s: it was decoded as far "
		             "as it went",
		             arf && arf->bad_encoding ? arf->encoding : orig->encoding);
	if (orig != NULL)
		return keep_headers(rd, orig->body, orig->len);
	if (arf == NULL)
		return keep_headers(rd, text->body + x->copy, text->len - x->copy);
	missing(rd, "message/rfc822", "part (the original message or its headers) is missing");
	return keep_headers(rd, (const uint8_t *)"", 0);
}

/* ---- posture stores only UTF-8 ---- */

/* A field as valid UTF-8 in place (fb_text_copy: U+FFFD for each bad
 * byte, cut at a character boundary). */
#define CLEAN(field) clean_field((field), sizeof(field))

static void clean_field(char *field, size_t size)
{
	char tmp[FB_WHERE + FB_TEXT]; /* more than any field */
	fb_text_copy(tmp, size < sizeof(tmp) ? size : sizeof(tmp), field, strnlen(field, size));
	memcpy(field, tmp, strlen(tmp) + 1);
}

/* The original headers as valid UTF-8 without NUL: a new buffer only
 * when they are not already. Returns 0, or -1 out of memory. */
static int clean_headers(struct fb_failure *f)
{
	const unsigned char *p = (const unsigned char *)f->original_headers;
	size_t n = f->original_headers_len, bad = 0, o = 0;

	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t len = p[i] < 0x80 ? (p[i] != 0) : utf8_seq(p + i, n - i, &cp);
		bad += len == 0;
		i += len ? len : 1;
	}
	if (bad == 0)
		return 0;
	char *out = malloc(n + 2 * bad + 1);
	if (out == NULL)
		return -1;
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t len = p[i] < 0x80 ? (p[i] != 0) : utf8_seq(p + i, n - i, &cp);
		if (len == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, p + i, len);
		o += len;
		i += len;
	}
	out[o] = '\0';
	free(f->original_headers);
	f->original_headers = out;
	f->original_headers_len = o;
	return 0;
}

/* A finding's owned text as valid UTF-8, within FINDING_MESSAGE_MAX as
 * findings_add keeps it (a new copy only when it is not). Returns 0, or
 * -1 out of memory. */
static int clean_owned(char **s)
{
	char out[FINDING_MESSAGE_MAX];
	if (*s == NULL)
		return 0;
	size_t len = strlen(*s);
	fb_text_copy(out, sizeof(out), *s, len);
	if (strlen(out) == len && memcmp(out, *s, len) == 0)
		return 0;
	char *copy = strdup(out);
	if (copy == NULL)
		return -1;
	free(*s);
	*s = copy;
	return 0;
}

/* posture stores only UTF-8: header fields are copied as sent (and the
 * findings quote them), so the report is made valid UTF-8 here, before
 * fb_failure_read returns it; the other readers copy through
 * fb_text_copy as they read. */
static int clean_report(struct fb_report *r)
{
	for (size_t i = 0; i < r->findings.n; i++)
		if (clean_owned(&r->findings.v[i].message) != 0 ||
		    clean_owned(&r->findings.v[i].path) != 0)
			return -1;
	CLEAN(r->org);
	CLEAN(r->report_id);
	CLEAN(r->domain);
	if (r->fail == NULL)
		return 0;
	struct fb_failure *f = r->fail;
	CLEAN(f->feedback_type);
	CLEAN(f->auth_failure);
	CLEAN(f->source_ip);
	CLEAN(f->reported_domain);
	CLEAN(f->original_mail_from);
	CLEAN(f->original_rcpt_to);
	CLEAN(f->reporting_mta);
	CLEAN(f->delivery_result);
	CLEAN(f->dkim_domain);
	CLEAN(f->dkim_selector);
	CLEAN(f->header_from);
	CLEAN(f->subject);
	return f->original_headers != NULL ? clean_headers(f) : 0;
}

int fb_failure_read(const struct fb_message *m, struct fb_report *r, char *err, size_t errlen)
{
	const struct fb_part *arf = find_part(m, PART_ARF), *text = NULL;
	struct reading rd;
	struct exim_text x;

	memset(&rd, 0, sizeof(rd));
	memset(&x, 0, sizeof(x));
	if (arf == NULL && (text = find_exim(m, &x)) == NULL) {
		snprintf(err, errlen, "not a failure report: no message/feedback-report part");
		return -1;
	}
	rd.f = calloc(1, sizeof(*rd.f));
	if (rd.f == NULL || read_parts(&rd, m, arf, text, &x) != 0)
		goto oom;
	if (rd.f->reported_domain[0] == '\0' && rd.f->header_from[0] == '\0') {
		snprintf(err, errlen,
		         "failure report names no domain: no Reported-Domain, no original From");
		goto fail;
	}
	if (fill_report(&rd, m, r) != 0 || findings_extend(&r->findings, &rd.fs) != 0)
		goto oom;
	r->fail = rd.f;
	findings_cleanup(&rd.fs);
	if (clean_report(r) != 0) {
		fb_report_reset(r, FB_FAILURE, 1);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	if (rd.f != NULL)
		free(rd.f->original_headers);
	free(rd.f);
	findings_cleanup(&rd.fs);
	return -1;
}
