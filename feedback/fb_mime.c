/*
 * fb_mime.c — mail messages as receivers send reports in them: header
 * fields (RFC 5322 2.2), MIME entities (RFC 2045, RFC 2046 5.1), their
 * parameters (RFC 2045 5.1, RFC 2231), transfer encodings (RFC 2045 6.7,
 * 6.8), and mbox files split at their "From " lines.
 *
 * Nothing is copied but header fields and leaf bodies: a multipart's
 * parts are ranges of the message's bytes, walked at most FB_DEPTH_MAX
 * deep, so the work is linear in the input times that depth, and the
 * memory kept is at most the input's size plus the bookkeeping.
 */
#include "fb_mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailhdr.h"
#include "strutil.h"

#define HDR_FIELDS_MAX 1024           /* fields kept of one header section */
#define HDR_VALUE_MAX  FB_HEADERS_MAX /* bytes kept of one field's value */
#define BOUNDARY_MAX   200            /* RFC 2046 5.1.1 says 70; some senders write longer */
#define ENTITIES_MAX   ((size_t)FB_MIME_PARTS * 4) /* entities walked, multiparts too */
#define PARAM_MAX      1024                        /* bytes of one parameter value */
#define RFC2231_SEGS   16                          /* continuations read (name*0, name*1...) */
#define PARAMS_MAX     8192 /* bytes of a field's parameters read (each lookup scans them) */

static int is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static int ieq(const char *a, const char *b)
{
	while (*a != '\0' && str_lower(*a) == str_lower(*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The line at off: returns where its content ends (before CR LF or LF)
 * and sets *next to the offset after its LF (len on the last line). */
static size_t line_end(const uint8_t *d, size_t len, size_t off, size_t *next)
{
	const uint8_t *lf = off < len ? memchr(d + off, '\n', len - off) : NULL;
	size_t end = lf ? (size_t)(lf - d) : len;

	*next = lf ? end + 1 : len;
	if (end > off && d[end - 1] == '\r')
		end--;
	return end;
}

/* ---- header fields (RFC 5322 2.2: mailhdr reads them) ---- */

struct hlist {
	struct fb_header *v;
	size_t n;
};

static int starts_from_line(const uint8_t *d, size_t len)
{
	return len >= 5 && memcmp(d, "From ", 5) == 0;
}

/* Reads a header section: its fields into l, and where the body starts
 * into *body (after the empty line; at a line that is neither a field
 * nor a continuation, as most readers do; or len). mbox: a message's
 * "From " first line is skipped (RFC 4155); in a part or a headers-only
 * text it is no field, and the body starts there. Returns 0 or -1. */
static int parse_section(const uint8_t *d, size_t len, struct hlist *l, size_t *body, int mbox)
{
	struct mailhdr h;

	l->v = NULL;
	l->n = 0;
	*body = 0;
	if (!mbox && starts_from_line(d, len))
		return 0;
	if (mailhdr_parse(d, len, HDR_FIELDS_MAX, HDR_VALUE_MAX, &h) != 0)
		return -1;
	*body = h.body_off;
	if (h.n > 0) {
		l->v = malloc(h.n * sizeof(*l->v));
		if (l->v == NULL) {
			mailhdr_free(&h);
			return -1;
		}
	}
	/* The names and values move over: mailhdr_free then frees the array. */
	for (size_t i = 0; i < h.n; i++) {
		l->v[i].name = h.v[i].name;
		l->v[i].value = h.v[i].value;
	}
	l->n = h.n;
	h.n = 0;
	mailhdr_free(&h);
	return 0;
}

void fb_headers_free(struct fb_header *h, size_t n)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

int fb_headers_parse(const uint8_t *data, size_t len, struct fb_header **out, size_t *n)
{
	struct hlist l;
	size_t body;

	*out = NULL;
	*n = 0;
	if (parse_section(data, len, &l, &body, 0) != 0)
		return -1;
	*out = l.v;
	*n = l.n;
	return 0;
}

const char *fb_header_get(const struct fb_header *h, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (ieq(h[i].name, name))
			return h[i].value;
	return NULL;
}

const char *fb_message_header(const struct fb_message *m, const char *name)
{
	return fb_header_get(m->headers, m->nheaders, name);
}

/* ---- parameters (RFC 2045 5.1, RFC 2231) ---- */

/* RFC 2045 5.1: token characters (no space, CTL or tspecial). */
static int is_token(char c)
{
	return (unsigned char)c > 32 && (unsigned char)c < 127 &&
	       strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* Skips white space and RFC 5322 comments ("(...)", nested). */
static const char *skip_cfws(const char *p)
{
	for (;;) {
		while (is_wsp((uint8_t)*p))
			p++;
		if (*p != '(')
			return p;
		for (int depth = 0; *p != '\0'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
	}
}

/* The next "; name=value" of *s: name and value (a quoted string's
 * escapes undone; an unquoted value runs to the next ';' or comment,
 * trimmed, as lenient readers take "filename=a b.zip"). Returns 0 at
 * the end. */
static int param_next(const char **s, char *name, size_t nlen, char *val, size_t vlen)
{
	const char *p = *s;
	size_t n = 0, v = 0;

	for (;;) {
		p = skip_cfws(p);
		while (*p == ';' || is_wsp((uint8_t)*p))
			p++;
		if (*p == '\0') {
			*s = p;
			return 0;
		}
		n = 0;
		while (*p != '\0' && *p != '=' && *p != ';' && !is_wsp((uint8_t)*p)) {
			if (n + 1 < nlen)
				name[n++] = str_lower(*p);
			p++;
		}
		name[n] = '\0';
		p = skip_cfws(p);
		if (*p == '=')
			break;
		while (*p != '\0' && *p != ';') /* no value: skip it */
			p++;
	}
	p = skip_cfws(p + 1);
	if (*p == '"') {
		for (p++; *p != '\0' && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (v + 1 < vlen)
				val[v++] = *p;
		}
		if (*p == '"')
			p++;
	} else {
		for (; *p != '\0' && *p != ';' && *p != '('; p++)
			if (v + 1 < vlen)
				val[v++] = *p;
		while (v > 0 && is_wsp((uint8_t)val[v - 1]))
			v--;
	}
	val[v] = '\0';
	*s = p;
	return 1;
}

/* The value of the parameter named want (lower case) in params, or 0. */
static int param_find(const char *params, const char *want, char *val, size_t vlen)
{
	char name[64];
	const char *p = params;

	while (param_next(&p, name, sizeof(name), val, vlen))
		if (strcmp(name, want) == 0)
			return 1;
	val[0] = '\0';
	return 0;
}

/* RFC 2231 4: an extended value is charset'language'percent-encoded;
 * first says whether the charset and language come first. The bytes are
 * kept as they are (no charset conversion): a file name is only shown. */
static void rfc2231_append(const char *in, int first, char *out, size_t outlen)
{
	size_t n = strlen(out);

	if (first) {
		const char *q1 = strchr(in, '\'');
		const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
		if (q2 != NULL)
			in = q2 + 1;
	}
	for (; *in != '\0' && n + 1 < outlen; in++) {
		int hi = in[0] == '%' ? hexval((uint8_t)in[1]) : -1;
		int lo = hi >= 0 ? hexval((uint8_t)in[2]) : -1;
		if (lo >= 0) {
			out[n++] = (char)(hi * 16 + lo);
			in += 2;
		} else {
			out[n++] = *in;
		}
	}
	out[n] = '\0';
}

/* A parameter, RFC 2231 forms first: name*=, then name*0= name*1*=
 * ..., then the plain name=. Returns 1 when found. */
static int param_get(const char *params, const char *want, char *out, size_t outlen)
{
	char key[80], val[PARAM_MAX], region[PARAMS_MAX + 1];
	int found = 0;

	out[0] = '\0';
	if (strnlen(params, PARAMS_MAX + 1) > PARAMS_MAX) {
		memcpy(region, params, PARAMS_MAX);
		region[PARAMS_MAX] = '\0';
		params = region;
	}
	str_join(key, sizeof(key), want, "*");
	if (param_find(params, key, val, sizeof(val))) {
		rfc2231_append(val, 1, out, outlen);
		return 1;
	}
	for (int k = 0; k < RFC2231_SEGS; k++) {
		char seg[80];
		snprintf(seg, sizeof(seg), "%s*%d*", want, k);
		if (param_find(params, seg, val, sizeof(val))) {
			rfc2231_append(val, k == 0, out, outlen);
		} else {
			snprintf(seg, sizeof(seg), "%s*%d", want, k);
			if (!param_find(params, seg, val, sizeof(val)))
				break;
			str_join(out, outlen, out, val);
		}
		found = 1;
	}
	if (found)
		return 1;
	if (param_find(params, want, val, sizeof(val))) {
		str_copy(out, outlen, val);
		return 1;
	}
	return 0;
}

/* RFC 2045 5.1: type "/" subtype, lower-cased, into out; sets *params
 * to what follows. RFC 2045 5.2: a field that does not parse counts as
 * absent (dflt). */
static void content_type(const char *v, const char *dflt, char *out, size_t outlen,
                         const char **params)
{
	const char *p = v ? skip_cfws(v) : NULL;
	size_t n = 0;

	*params = "";
	str_copy(out, outlen, dflt);
	if (p == NULL)
		return;
	const char *type = p;
	while (is_token(*p))
		p++;
	size_t tlen = (size_t)(p - type);
	p = skip_cfws(p);
	if (tlen == 0 || *p != '/')
		return;
	p = skip_cfws(p + 1);
	const char *sub = p;
	while (is_token(*p))
		p++;
	if (p == sub)
		return;
	for (const char *c = type; c < type + tlen && n + 2 < outlen; c++)
		out[n++] = str_lower(*c);
	out[n++] = '/';
	for (const char *c = sub; c < p && n + 1 < outlen; c++)
		out[n++] = str_lower(*c);
	out[n] = '\0';
	*params = p;
}

/* ---- transfer encodings (RFC 2045 6.7, 6.8) ---- */

/* RFC 2045 6.8: white space and line breaks between digits are skipped;
 * any other byte outside the alphabet is bad (skipped, decoding goes
 * on). A last group cut short is decoded as far as it goes, and bad.
 * Bytes after the padding start a new group (concatenated encodings). */
static size_t b64_decode(const uint8_t *in, size_t len, uint8_t *out, int *bad)
{
	uint32_t acc = 0;
	size_t o = 0;
	int n = 0, padded = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i];
		int v;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			if (n == 2)
				out[o++] = (uint8_t)(acc >> 4);
			else if (n == 3) {
				out[o++] = (uint8_t)(acc >> 10);
				out[o++] = (uint8_t)(acc >> 2);
			} else if (n == 1 || !padded)
				*bad = 1;
			n = 0;
			acc = 0;
			padded = 1;
			continue;
		}
		v = str_base64_value(c);
		if (v < 0) {
			*bad = 1;
			continue;
		}
		padded = 0;
		acc = (acc << 6) | (uint32_t)v;
		if (++n == 4) {
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
			n = 0;
			acc = 0;
		}
	}
	if (n != 0) {
		*bad = 1;
		if (n == 2)
			out[o++] = (uint8_t)(acc >> 4);
		else if (n == 3) {
			out[o++] = (uint8_t)(acc >> 10);
			out[o++] = (uint8_t)(acc >> 2);
		}
	}
	return o;
}

/* Where the run of white space at i ends, and whether a line break (or
 * the end) follows it. */
static size_t wsp_run(const uint8_t *in, size_t len, size_t i, int *eol)
{
	while (i < len && is_wsp(in[i]))
		i++;
	*eol = i == len || in[i] == '\n' || (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n');
	return i;
}

/* RFC 2045 6.7: "=XX" is a byte (lower-case hex tolerated), "=" at a
 * line's end a soft break, white space at a line's end is dropped (rule
 * 3). Any other "=" is bad and kept as it is. */
static size_t qp_decode(const uint8_t *in, size_t len, uint8_t *out, int *bad)
{
	size_t o = 0, i = 0;

	while (i < len) {
		int eol;
		size_t j;
		if (in[i] == '=') {
			j = wsp_run(in, len, i + 1, &eol);
			if (eol) { /* soft line break */
				i = j == len ? len : j + (in[j] == '\r' ? 2 : 1);
				continue;
			}
			if (i + 2 < len && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
				out[o++] = (uint8_t)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
				i += 3;
				continue;
			}
			*bad = 1;
			out[o++] = in[i++];
			continue;
		}
		if (is_wsp(in[i])) {
			j = wsp_run(in, len, i, &eol);
			if (!eol) {
				memcpy(out + o, in + i, j - i);
				o += j - i;
			}
			i = j;
			continue;
		}
		out[o++] = in[i++];
	}
	return o;
}

/* Undoes the transfer encoding into p->body (NUL-terminated). */
static int decode_body(struct fb_part *p, const uint8_t *in, size_t len)
{
	p->body = malloc(len + 1);
	if (p->body == NULL)
		return -1;
	if (strcmp(p->encoding, "base64") == 0) {
		p->len = b64_decode(in, len, p->body, &p->bad_encoding);
	} else if (strcmp(p->encoding, "quoted-printable") == 0) {
		p->len = qp_decode(in, len, p->body, &p->bad_encoding);
	} else {
		/* RFC 2045 6.1: 7bit, 8bit and binary are the bytes themselves;
		 * an unknown encoding is kept as sent, and said to be bad. */
		if (len > 0)
			memcpy(p->body, in, len);
		p->len = len;
		if (p->encoding[0] != '\0' && strcmp(p->encoding, "7bit") != 0 &&
		    strcmp(p->encoding, "8bit") != 0 && strcmp(p->encoding, "binary") != 0)
			p->bad_encoding = 1;
	}
	p->body[p->len] = '\0';
	return 0;
}

/* ---- entities (RFC 2045, RFC 2046 5.1) ---- */

struct walk {
	struct fb_message *m;
	size_t entities;
	size_t size; /* parts allocated */
};

static int add_leaf(struct walk *w, const struct hlist *h, const char *type, const char *params,
                    const uint8_t *body, size_t len)
{
	struct fb_message *m = w->m;
	const char *disp = fb_header_get(h->v, h->n, "Content-Disposition");
	const char *cte = fb_header_get(h->v, h->n, "Content-Transfer-Encoding");
	struct fb_part *p;
	size_t n = 0;

	if (m->nparts >= FB_MIME_PARTS) {
		m->truncated = 1;
		return 0;
	}
	if (m->nparts == w->size) {
		size_t size = w->size ? w->size * 2 : 8;
		p = realloc(m->parts, size * sizeof(*p));
		if (p == NULL)
			return -1;
		m->parts = p;
		w->size = size;
	}
	p = &m->parts[m->nparts];
	memset(p, 0, sizeof(*p));
	str_copy(p->content_type, sizeof(p->content_type), type);
	if (disp != NULL) {
		const char *dp = strchr(disp, ';');
		if (dp != NULL)
			param_get(dp, "filename", p->filename, sizeof(p->filename));
	}
	if (p->filename[0] == '\0')
		param_get(params, "name", p->filename, sizeof(p->filename));
	if (cte != NULL) {
		const char *c = skip_cfws(cte);
		while (is_token(*c) && n + 1 < sizeof(p->encoding))
			p->encoding[n++] = str_lower(*c++);
		p->encoding[n] = '\0';
	}
	if (decode_body(p, body, len) != 0)
		return -1;
	m->nparts++;
	return 0;
}

static int walk_entity(struct walk *w, const struct hlist *h, const uint8_t *body, size_t len,
                       int depth, const char *dflt);

/* One body part: its own header section, then its entity. */
static int walk_part(struct walk *w, const uint8_t *d, size_t len, int depth, int digest)
{
	struct hlist h;
	size_t body;
	int rc = parse_section(d, len, &h, &body, 0);

	/* RFC 2046 5.1.5: in a multipart/digest, parts are messages by default. */
	if (rc == 0)
		rc = walk_entity(w, &h, d + body, len - body, depth,
		                 digest ? "message/rfc822" : "text/plain");
	fb_headers_free(h.v, h.n);
	return rc;
}

/* RFC 2046 5.1.1: "--" boundary, then "--" for the close delimiter,
 * then transport padding, at the start of a line. Returns 0 (no
 * delimiter), 1 (a delimiter) or 2 (the close delimiter). */
static int delimiter(const uint8_t *d, size_t off, size_t end, const char *b, size_t blen)
{
	size_t i = off + 2 + blen;
	int close = 0;

	if (end - off < 2 + blen || d[off] != '-' || d[off + 1] != '-' ||
	    memcmp(d + off + 2, b, blen) != 0)
		return 0;
	if (end - i >= 2 && d[i] == '-' && d[i + 1] == '-') {
		close = 1;
		i += 2;
	}
	while (i < end && is_wsp(d[i]))
		i++;
	return i == end ? 1 + close : 0;
}

/* True when no further part may be walked (and the message says so). */
static int stopped(const struct walk *w)
{
	if (w->m->nparts < FB_MIME_PARTS && w->entities < ENTITIES_MAX)
		return 0;
	w->m->truncated = 1;
	return 1;
}

/* The parts between the delimiters; the preamble and the epilogue are
 * ignored (RFC 2046 5.1.1). A missing close delimiter ends the last part
 * at the end of the body: tolerated, as every reader does. */
static int walk_multipart(struct walk *w, const uint8_t *d, size_t len, const char *b, int depth,
                          int digest)
{
	size_t blen = strlen(b), off = 0, next, start = SIZE_MAX;

	while (off < len) {
		size_t end = line_end(d, len, off, &next);
		int kind = delimiter(d, off, end, b, blen);
		if (kind != 0) {
			if (start != SIZE_MAX) {
				if (stopped(w))
					return 0;
				/* The line break before a delimiter belongs to it. */
				size_t stop = off;
				if (stop > start && d[stop - 1] == '\n')
					stop--;
				if (stop > start && d[stop - 1] == '\r')
					stop--;
				if (walk_part(w, d + start, stop - start, depth + 1, digest) != 0)
					return -1;
			}
			if (kind == 2)
				return 0;
			start = next;
		}
		off = next;
	}
	if (start != SIZE_MAX && start < len && !stopped(w))
		return walk_part(w, d + start, len - start, depth + 1, digest);
	return 0;
}

static int walk_entity(struct walk *w, const struct hlist *h, const uint8_t *body, size_t len,
                       int depth, const char *dflt)
{
	char type[FB_WORD * 4], boundary[BOUNDARY_MAX + 2];
	const char *params;

	if (w->entities >= ENTITIES_MAX) {
		w->m->truncated = 1;
		return 0;
	}
	w->entities++;
	content_type(fb_header_get(h->v, h->n, "Content-Type"), dflt, type, sizeof(type), &params);
	/* A multipart without a usable boundary is read as a leaf. */
	if (strncmp(type, "multipart/", 10) == 0 &&
	    param_get(params, "boundary", boundary, sizeof(boundary)) && boundary[0] != '\0' &&
	    strlen(boundary) <= BOUNDARY_MAX) {
		if (depth >= FB_DEPTH_MAX) {
			w->m->truncated = 1;
			return 0;
		}
		return walk_multipart(w, body, len, boundary, depth,
		                      strcmp(type, "multipart/digest") == 0);
	}
	/* message/rfc822 and text/rfc822-headers are leaves: their bytes are
	 * the original message, which the caller reads again if it must. */
	return add_leaf(w, h, type, params, body, len);
}

void fb_message_cleanup(struct fb_message *m)
{
	fb_headers_free(m->headers, m->nheaders);
	for (size_t i = 0; i < m->nparts; i++)
		free(m->parts[i].body);
	free(m->parts);
	memset(m, 0, sizeof(*m));
}

int fb_message_parse(const uint8_t *data, size_t len, struct fb_message *m, char *err,
                     size_t errlen)
{
	struct hlist h;
	struct walk w = { m, 0, 0 };
	size_t body;

	memset(m, 0, sizeof(*m));
	if (parse_section(data, len, &h, &body, 1) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->headers = h.v;
	m->nheaders = h.n;
	if (h.n == 0) {
		snprintf(err, errlen, "not a mail message: no header fields");
		fb_message_cleanup(m);
		return -1;
	}
	if (walk_entity(&w, &h, data + body, len - body, 0, "text/plain") != 0) {
		fb_message_cleanup(m);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int fb_looks_like_message(const uint8_t *data, size_t len)
{
	size_t i = 0;

	if (starts_from_line(data, len))
		return 1;
	/* Stricter than RFC 5322's field name: letters, digits, '-' and '_'
	 * (every real field name), so JSON ("{"a":") and XML never pass. */
	while (i < len && i < 128 &&
	       ((data[i] >= 'a' && data[i] <= 'z') || (data[i] >= 'A' && data[i] <= 'Z') ||
	        (data[i] >= '0' && data[i] <= '9') || data[i] == '-' || data[i] == '_'))
		i++;
	if (i == 0)
		return 0;
	while (i < len && is_wsp(data[i]))
		i++;
	return i < len && data[i] == ':';
}

/* RFC 4155: each message starts with a line "From "; message i runs from
 * after that line to the start of the next one. At most FB_MBOX_MESSAGES
 * messages (the rest ignored); empty ones are skipped. */
long fb_mbox_split(const uint8_t *data, size_t len, size_t **starts, size_t **ends)
{
	size_t off = 0, n = 0, size = 0;

	*starts = NULL;
	*ends = NULL;
	if (!starts_from_line(data, len))
		return 0;
	while (off < len && n < FB_MBOX_MESSAGES) {
		size_t start, end;
		const uint8_t *q;
		line_end(data, len, off, &start);
		if (start >= len)
			break;
		q = memmem(data + start - 1, len - start + 1, "\nFrom ", 6);
		end = q ? (size_t)(q - data) + 1 : len;
		off = end;
		if (end == start)
			continue;
		if (n == size) {
			size_t nsize = size ? size * 2 : 16;
			size_t *s = realloc(*starts, nsize * sizeof(*s));
			if (s != NULL)
				*starts = s;
			size_t *e = s ? realloc(*ends, nsize * sizeof(*e)) : NULL;
			if (e == NULL) {
				free(*starts);
				free(*ends);
				*starts = *ends = NULL;
				return -1;
			}
			*ends = e;
			size = nsize;
		}
		(*starts)[n] = start;
		(*ends)[n] = end;
		n++;
	}
	return (long)n;
}
