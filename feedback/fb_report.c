/*
 * fb_report.c — what the readers of feedback/ share: freeing reports and
 * batches, names and dates for people, and untrusted text into the
 * fixed-size fields of feedback.h (fb_impl.h).
 */
#include "feedback.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fb_impl.h"
#include "utf8.h"

void fb_report_cleanup(struct fb_report *r)
{
	if (r == NULL)
		return;
	if (r->agg != NULL) {
		for (size_t i = 0; i < r->agg->nrows; i++) {
			free(r->agg->rows[i].dkim_auth);
			free(r->agg->rows[i].spf_auth);
		}
		free(r->agg->rows);
		free(r->agg);
	}
	if (r->fail != NULL) {
		free(r->fail->original_headers);
		free(r->fail);
	}
	if (r->tls != NULL) {
		for (size_t i = 0; i < r->tls->npol; i++)
			free(r->tls->pol[i].fail);
		free(r->tls->pol);
		free(r->tls);
	}
	findings_cleanup(&r->findings);
	r->agg = NULL;
	r->fail = NULL;
	r->tls = NULL;
}

void fb_batch_cleanup(struct fb_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nreports; i++)
		fb_report_cleanup(&b->reports[i]);
	free(b->reports);
	free(b->failed);
	memset(b, 0, sizeof(*b));
}

const char *fb_kind_name(enum fb_kind k)
{
	switch (k) {
	case FB_AGGREGATE:
		return "aggregate";
	case FB_FAILURE:
		return "failure";
	case FB_TLS:
		return "tls";
	}
	return "unknown";
}

const char *fb_iso8601(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (len == 0)
		return buf;
	/* Years past 9999 (or before 0) do not fit ISO 8601's four digits:
	 * a hostile report's date is shown as the number it is. */
	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900) {
		snprintf(buf, len, "@%lld", (long long)t);
		return buf;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

/* ---- untrusted text into fields ------------------------------------------ */

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

unsigned fb_text_copy(char *dst, size_t size, const char *src, size_t len)
{
	const unsigned char *p = (const unsigned char *)src;
	unsigned flags = 0;
	size_t o = 0, i = 0;

	if (size == 0)
		return FB_TEXT_CUT;
	/* A NUL ends the value (C strings from the parsers end there). */
	const void *nul = memchr(src, '\0', len);
	if (nul != NULL)
		len = (size_t)((const char *)nul - src);
	while (len > 0 && is_space(p[len - 1]))
		len--;
	while (i < len && is_space(p[i]))
		i++;
	while (i < len) {
		unsigned cp;
		size_t n = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i, &cp);
		const char *from = src + i;
		size_t take = n;
		if (n == 0) {
			flags |= FB_TEXT_BAD_UTF8;
			from = "\xef\xbf\xbd"; /* U+FFFD */
			take = 3;
			n = 1;
		}
		if (o + take >= size) {
			flags |= FB_TEXT_CUT;
			break;
		}
		memcpy(dst + o, from, take);
		o += take;
		i += n;
	}
	dst[o] = '\0';
	/* The rest of a cut value still says whether it held bad bytes. */
	for (; i < len && !(flags & FB_TEXT_BAD_UTF8);) {
		unsigned cp;
		size_t n = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i, &cp);
		if (n == 0)
			flags |= FB_TEXT_BAD_UTF8;
		i += n ? n : 1;
	}
	return flags;
}

int fb_text_lower(char *s)
{
	int upper = 0;
	for (; *s; s++) {
		if (*s >= 'A' && *s <= 'Z') {
			*s = (char)(*s - 'A' + 'a');
			upper = 1;
		}
	}
	return upper;
}

const char *fb_text_show(const char *s, char *buf, size_t len)
{
	char part[65];
	unsigned flags = fb_text_copy(part, sizeof(part), s, strlen(s));
	snprintf(buf, len, "%s%s", part, (flags & FB_TEXT_CUT) ? "..." : "");
	return buf;
}

int fb_ip_canon(const char *s, char *out, size_t len)
{
	char text[FB_IP + 16];
	unsigned char bin[16];

	out[0] = '\0';
	if (fb_text_copy(text, sizeof(text), s, strlen(s)) != 0)
		return -1;
	if (inet_pton(AF_INET, text, bin) == 1 &&
	    inet_ntop(AF_INET, bin, out, (socklen_t)len) != NULL)
		return 0;
	if (inet_pton(AF_INET6, text, bin) == 1 &&
	    inet_ntop(AF_INET6, bin, out, (socklen_t)len) != NULL)
		return 0;
	out[0] = '\0';
	return -1;
}

void fb_bad_field(struct fb_bad *b, enum finding_severity sev, const char *path, const char *fmt,
                  ...)
{
	char msg[FINDING_MESSAGE_MAX];
	va_list ap;

	if (b->n >= FB_BAD_FIELD_MAX) {
		b->more++;
		return;
	}
	b->n++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	findings_add(b->f, "report.bad_field", sev, path, b->fix, "%s", msg);
}

void fb_bad_finish(struct fb_bad *b, const char *path, const char *what)
{
	if (b->more > 0)
		findings_add(b->f, "report.bad_field", FINDING_WARNING, path, b->fix,
		             "%u more values not as %s allows are not listed one by one", b->more,
		             what);
}

int64_t fb_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void fb_report_reset(struct fb_report *r, enum fb_kind kind, int owned)
{
	char where[FB_WHERE];
	memcpy(where, r->where, sizeof(where));
	if (owned)
		fb_report_cleanup(r);
	memset(r, 0, sizeof(*r));
	memcpy(r->where, where, sizeof(r->where));
	r->kind = kind;
}
