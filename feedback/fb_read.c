/*
 * fb_read.c — one file's bytes to reports: what the bytes are is sniffed,
 * never taken from a name or a MIME type (receivers label zips
 * application/octet-stream and gzip streams application/zip), then
 * containers are opened and each document goes to its reader.
 *
 * Bounds (feedback.h): a file over FB_FILE_MAX is refused; every gzip
 * stream and zip entry inflates to at most FB_MEMBER_MAX bytes, and all
 * of one file's together to FB_TOTAL_MAX (out->total_out counts them,
 * over every file read into the same batch; the cap is each file's);
 * containers (a gzip stream, a zip archive, a mail message) nest at most
 * FB_DEPTH_MAX deep: a mail is depth 1, a zip attached to it depth 2, a
 * message/rfc822 part inside the mail depth 2 as well.
 *
 * Each report and each failure says where in the file it is, as a path
 * of names: "box.mbox: message 3: part 2 (r.zip): r.xml".
 */
#include "feedback.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fb_impl.h"
#include "fb_mime.h"
#include "fb_unpack.h"

enum sniffed {
	S_EMPTY,
	S_GZIP,
	S_ZIP,
	S_XML,
	S_JSON,
	S_MBOX,
	S_MAIL,
	S_UNKNOWN,
};

struct rd {
	struct fb_batch *out;
	size_t base; /* out->total_out before this file */
	int oom;
};

static int read_any(struct rd *d, const uint8_t *data, size_t len, const char *where, int depth);

/* ---- the batch ----------------------------------------------------------- */

static void add_failed(struct rd *d, const char *where, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void add_failed(struct rd *d, const char *where, const char *fmt, ...)
{
	struct fb_batch *b = d->out;
	char msg[FB_ERROR * 2];
	va_list ap;

	struct fb_failed *v = realloc(b->failed, (b->nfailed + 1) * sizeof(*v));
	if (v == NULL) {
		d->oom = 1;
		return;
	}
	b->failed = v;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Names and parser messages may hold any bytes: stored as UTF-8. */
	fb_text_copy(v[b->nfailed].where, FB_WHERE, where, strlen(where));
	fb_text_copy(v[b->nfailed].error, FB_ERROR, msg, strlen(msg));
	b->nfailed++;
}

/* Takes r over (the batch owns it from here, or it is freed). */
static void add_report(struct rd *d, struct fb_report *r)
{
	struct fb_batch *b = d->out;
	struct fb_report *v = realloc(b->reports, (b->nreports + 1) * sizeof(*v));
	if (v == NULL) {
		d->oom = 1;
		fb_report_cleanup(r);
		return;
	}
	b->reports = v;
	b->reports[b->nreports++] = *r;
}

/* where + ": " + the formatted piece, cut to FB_WHERE at a character
 * boundary, as valid UTF-8 (zip entry names are any bytes). */
static void where_join(char *dst, const char *parent, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void where_join(char *dst, const char *parent, const char *fmt, ...)
{
	char piece[FB_WHERE], all[FB_WHERE * 2 + 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(piece, sizeof(piece), fmt, ap);
	va_end(ap);
	snprintf(all, sizeof(all), "%s: %s", parent, piece);
	fb_text_copy(dst, FB_WHERE, all, strlen(all));
}

/* ---- what the bytes are ---------------------------------------------------- */

static int is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Where the text starts: after a UTF-8 byte order mark and white space. */
static size_t text_start(const uint8_t *p, size_t len)
{
	size_t i = 0;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < len && is_space(p[i]))
		i++;
	return i;
}

static enum sniffed sniff(const uint8_t *p, size_t len)
{
	if (fb_is_gzip(p, len))
		return S_GZIP;
	if (fb_is_zip(p, len))
		return S_ZIP;
	if (len >= 5 && memcmp(p, "From ", 5) == 0)
		return S_MBOX;
	/* UTF-16 with its byte order mark: XML (libxml2 reads it). */
	if (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff)))
		return S_XML;
	size_t i = text_start(p, len);
	if (i == len)
		return S_EMPTY;
	if (p[i] == '<')
		return S_XML;
	if (p[i] == '{')
		return S_JSON;
	if (fb_looks_like_message(p + i, len - i))
		return S_MAIL;
	return S_UNKNOWN;
}

/* ---- documents and containers -------------------------------------------- */

static int read_document(struct rd *d, const uint8_t *data, size_t len, const char *where, int xml)
{
	struct fb_report r;
	char err[FB_ERROR];

	memset(&r, 0, sizeof(r));
	snprintf(r.where, sizeof(r.where), "%s", where);
	int rc = xml ? fb_aggregate_read(data, len, &r, err, sizeof(err))
	             : fb_tls_read(data, len, &r, err, sizeof(err));
	if (rc != 0) {
		add_failed(d, where, "%s", err);
		return 1;
	}
	add_report(d, &r);
	return 1;
}

/* What one more inflation may produce: FB_MEMBER_MAX, or what is left
 * of FB_TOTAL_MAX. */
static size_t inflate_cap(const struct rd *d)
{
	size_t used = d->out->total_out - d->base;
	size_t left = used < FB_TOTAL_MAX ? FB_TOTAL_MAX - used : 0;
	return left < FB_MEMBER_MAX ? left : FB_MEMBER_MAX;
}

static int read_gzip(struct rd *d, const uint8_t *data, size_t len, const char *where, int depth)
{
	char err[FB_ERROR];
	uint8_t *out = NULL;
	size_t outlen = 0, cap = inflate_cap(d);

	if (cap == 0) {
		add_failed(d, where, "skipped: the file inflates past %u bytes in all",
		           (unsigned)FB_TOTAL_MAX);
		return 1;
	}
	if (fb_gunzip(data, len, cap, &out, &outlen, err, sizeof(err)) != 0) {
		add_failed(d, where, "%s%s", err,
		           cap < FB_MEMBER_MAX ? " (what is left of the file's total)" : "");
		return 1;
	}
	d->out->total_out += outlen;
	/* A gzip stream holds one document: its path is the stream's own. */
	int n = read_any(d, out, outlen, where, depth);
	free(out);
	return n;
}

static int read_zip(struct rd *d, const uint8_t *data, size_t len, const char *where, int depth)
{
	struct fb_zip_entry *e = NULL;
	size_t n = 0;
	char err[FB_ERROR], ew[FB_WHERE];
	int found = 0;

	if (inflate_cap(d) == 0) {
		add_failed(d, where, "skipped: the file inflates past %u bytes in all",
		           (unsigned)FB_TOTAL_MAX);
		return 1;
	}
	if (fb_unzip(data, len, FB_MEMBER_MAX, FB_TOTAL_MAX - (d->out->total_out - d->base), &e, &n,
	             err, sizeof(err)) != 0) {
		add_failed(d, where, "%s", err);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		d->out->total_out += e[i].data ? e[i].len : 0;
	for (size_t i = 0; i < n && !d->oom; i++) {
		where_join(ew, where, "%s", e[i].name);
		if (e[i].data == NULL) {
			add_failed(d, ew, "%s", e[i].error);
			found++;
			continue;
		}
		found += read_any(d, e[i].data, e[i].len, ew, depth);
	}
	fb_zip_free(e, n);
	if (n == 0) {
		add_failed(d, where, "the zip archive holds no file");
		found++;
	}
	return found;
}

/* ---- mail ------------------------------------------------------------------ */

static int ieq_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* RFC 6591 (ARF, RFC 5965): a multipart/report of report-type
 * feedback-report, or (some reporters label it multipart/mixed) any
 * message with a message/feedback-report part. */
static int is_failure_report(const struct fb_message *m)
{
	const char *ct = fb_message_header(m, "Content-Type");
	if (ct != NULL && ieq_prefix(ct, "multipart/report") && strcasestr(ct, "feedback-report"))
		return 1;
	for (size_t i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].content_type, "message/feedback-report") == 0)
			return 1;
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Whether a leaf part may hold a report. Types and names only say which
 * parts to look at (what the bytes are is sniffed): a part labelled as a
 * report that is none is a failure; an unlabelled part is read only when
 * its bytes are a report's, so a logo or a human-readable body is
 * skipped without a word. Returns 2 (labelled), 1 (read if it sniffs as
 * a report), 0 (never: the body text of the message). */
static int report_part(const struct fb_part *p)
{
	static const char *const types[] = {
		"application/zip",
		"application/x-zip-compressed",
		"application/gzip",
		"application/x-gzip",
		"application/tlsrpt+gzip",
		"application/tlsrpt+json",
		"application/json",
		"text/xml",
		"application/xml",
		"application/x-zip",
		NULL,
	};
	static const char *const names[] = { ".xml", ".gz", ".zip", ".json", ".gzip", NULL };

	for (size_t i = 0; types[i] != NULL; i++)
		if (strcmp(p->content_type, types[i]) == 0)
			return 2;
	for (size_t i = 0; names[i] != NULL; i++)
		if (ends_with(p->filename, names[i]))
			return 2;
	if (ieq_prefix(p->content_type, "text/")) {
		/* A report pasted into the body: it starts as XML does. */
		size_t i = text_start(p->body, p->len);
		return p->len - i >= 5 &&
		       (memcmp(p->body + i, "<?xml", 5) == 0 ||
		        (p->len - i >= 9 && memcmp(p->body + i, "<feedback", 9) == 0));
	}
	return 1;
}

static void part_types(const struct fb_message *m, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < m->nparts; i++) {
		size_t used = strlen(buf);
		if (used + 8 >= len) {
			snprintf(buf + used, len - used, ", ...");
			break;
		}
		snprintf(buf + used, len - used, "%s%s", i ? ", " : "", m->parts[i].content_type);
	}
}

static int read_message(struct rd *d, const uint8_t *data, size_t len, const char *where, int depth,
                        int attached);

/* Every part of m that may hold a report; returns the reports and
 * failures they gave. */
static int read_parts(struct rd *d, const struct fb_message *m, const char *where, int depth)
{
	char pw[FB_WHERE];
	int found = 0;

	for (size_t i = 0; i < m->nparts && !d->oom; i++) {
		const struct fb_part *p = &m->parts[i];
		if (p->filename[0] != '\0')
			where_join(pw, where, "part %zu (%s)", i + 1, p->filename);
		else
			where_join(pw, where, "part %zu", i + 1);
		if (strcmp(p->content_type, "message/rfc822") == 0) {
			/* A forwarded report: the message again, one level deeper. */
			found += read_message(d, p->body, p->len, pw, depth + 1, 1);
			continue;
		}
		int kind = report_part(p);
		if (kind == 0)
			continue;
		enum sniffed s = sniff(p->body, p->len);
		if (kind == 1 && s != S_GZIP && s != S_ZIP && s != S_XML && s != S_JSON)
			continue;
		found += read_any(d, p->body, p->len, pw, depth);
	}
	return found;
}

static int read_failure(struct rd *d, const struct fb_message *m, const char *where)
{
	struct fb_report r;
	char err[FB_ERROR];

	memset(&r, 0, sizeof(r));
	snprintf(r.where, sizeof(r.where), "%s", where);
	if (fb_failure_read(m, &r, err, sizeof(err)) != 0) {
		add_failed(d, where, "%s", err);
		return 1;
	}
	add_report(d, &r);
	return 1;
}

/* A message at depth (its own level counted). attached: a message/rfc822
 * part of another message, which may hold no report without a word (a
 * failure report's copy of the original message, a forwarded mail). */
static int read_message(struct rd *d, const uint8_t *data, size_t len, const char *where, int depth,
                        int attached)
{
	struct fb_message m;
	char err[FB_ERROR], types[160];
	int found;

	if (depth > FB_DEPTH_MAX) {
		add_failed(d, where, "containers nested more than %d deep", FB_DEPTH_MAX);
		return 1;
	}
	if (fb_message_parse(data, len, &m, err, sizeof(err)) != 0) {
		if (attached)
			return 0;
		add_failed(d, where, "%s", err);
		return 1;
	}
	if (is_failure_report(&m)) {
		found = read_failure(d, &m, where);
		fb_message_cleanup(&m);
		return found;
	}
	found = read_parts(d, &m, where, depth);
	if (found == 0 && !attached && !d->oom) {
		/* No report attached: a failure report without an ARF part
		 * (some Exim versions) is still one, if fb_failure_read says so. */
		struct fb_report r;
		memset(&r, 0, sizeof(r));
		snprintf(r.where, sizeof(r.where), "%s", where);
		if (fb_failure_read(&m, &r, err, sizeof(err)) == 0) {
			add_report(d, &r);
		} else {
			part_types(&m, types, sizeof(types));
			add_failed(d, where, "no report found in the message (%zu part%s: %s)",
			           m.nparts, m.nparts == 1 ? "" : "s", types);
		}
		found = 1;
	}
	fb_message_cleanup(&m);
	return found;
}

static int read_mbox(struct rd *d, const uint8_t *data, size_t len, const char *where, int depth)
{
	size_t *starts = NULL, *ends = NULL;
	char mw[FB_WHERE];
	int found = 0;

	long n = fb_mbox_split(data, len, &starts, &ends);
	if (n < 0) {
		d->oom = 1;
		return 0;
	}
	if (n <= 1) {
		/* One message after a "From " line: the message itself. */
		free(starts);
		free(ends);
		return read_message(d, data, len, where, depth, 0);
	}
	for (long i = 0; i < n && !d->oom; i++) {
		where_join(mw, where, "message %ld", i + 1);
		found += read_message(d, data + starts[i], ends[i] - starts[i], mw, depth, 0);
	}
	free(starts);
	free(ends);
	return found;
}

/* Bytes at depth (the containers around them); returns the reports and
 * failures they gave. */
static int read_any(struct rd *d, const uint8_t *data, size_t len, const char *where, int depth)
{
	enum sniffed s = sniff(data, len);

	if (s == S_GZIP || s == S_ZIP || s == S_MBOX || s == S_MAIL) {
		if (depth + 1 > FB_DEPTH_MAX) {
			add_failed(d, where, "containers nested more than %d deep", FB_DEPTH_MAX);
			return 1;
		}
	}
	switch (s) {
	case S_EMPTY:
		add_failed(d, where, depth == 0 ? "empty file" : "empty");
		return 1;
	case S_GZIP:
		return read_gzip(d, data, len, where, depth + 1);
	case S_ZIP:
		return read_zip(d, data, len, where, depth + 1);
	case S_XML:
	case S_JSON:
		return read_document(d, data, len, where, s == S_XML);
	case S_MBOX:
		return read_mbox(d, data, len, where, depth + 1);
	case S_MAIL:
		return read_message(d, data, len, where, depth + 1, 0);
	case S_UNKNOWN:
		break;
	}
	add_failed(d, where, "not a report: neither XML, JSON, gzip, zip nor a mail message");
	return 1;
}

int fb_read(const uint8_t *data, size_t len, const char *name, struct fb_batch *out)
{
	struct rd d = { out, out->total_out, 0 };
	char where[FB_WHERE];

	fb_text_copy(where, sizeof(where), name ? name : "", name ? strlen(name) : 0);
	if (len > FB_FILE_MAX)
		add_failed(&d, where, "larger than %u bytes: not read", (unsigned)FB_FILE_MAX);
	else
		read_any(&d, data, len, where, 0);
	return d.oom ? -1 : 0;
}
