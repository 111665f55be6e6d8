/*
 * mailhdr.c — the header section of a mail message (RFC 5322 2.2, 3.6),
 * and RFC 2047 encoded words decoded for display.
 *
 * One pass over the lines: a line that starts with a field name and a
 * colon opens a field, a line that starts with white space folds into
 * the open one (RFC 5322 2.2.3), an empty line ends the section, and any
 * other line ends it too (it starts the body, as most readers take it).
 * Nothing is copied but each field's name and its value, cut at the
 * caller's cap, so the work is linear in the input.
 */
#include "mailhdr.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

static bool is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static bool ieq(const char *a, const char *b)
{
	while (*a != '\0' && str_lower(*a) == str_lower(*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* ---- the header section ---- */

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

/* RFC 5322 2.2: a field name is printable US-ASCII but the colon; RFC
 * 5322 4.5 (obs-optional) allows white space before the colon. Returns
 * the name's length and sets *colon, or 0 when the line is no field. */
static size_t field_name(const uint8_t *d, size_t off, size_t end, size_t *colon)
{
	size_t i = off, name_end;

	while (i < end && d[i] > 32 && d[i] < 127 && d[i] != ':')
		i++;
	name_end = i;
	while (i < end && is_wsp(d[i]))
		i++;
	if (name_end == off || i >= end || d[i] != ':')
		return 0;
	*colon = i;
	return name_end - off;
}

/* The value from v_off to v_end unfolded (RFC 5322 2.2.3: CR and LF
 * removed, the white space after them kept), NUL bytes dropped, at most
 * max bytes, trimmed. The cap counts the value, not the space before
 * it; the value is truncated when more than white space was left out. */
static char *field_value(const uint8_t *d, size_t v_off, size_t v_end, size_t max,
                         struct mailhdr_field *f)
{
	size_t span, n = 0, start = 0;
	char *v;

	while (v_off < v_end && (is_wsp(d[v_off]) || d[v_off] == '\r' || d[v_off] == '\n'))
		v_off++;
	span = v_end - v_off;
	v = malloc((span < max ? span : max) + 1);
	if (v == NULL)
		return NULL;
	for (size_t i = v_off; i < v_end; i++) {
		if (d[i] == '\r' || d[i] == '\n' || d[i] == '\0')
			continue;
		if (n < max) {
			v[n++] = (char)d[i];
		} else if (!is_wsp(d[i])) {
			f->truncated = true;
			break;
		}
	}
	while (n > 0 && is_wsp((uint8_t)v[n - 1]))
		n--;
	while (start < n && is_wsp((uint8_t)v[start]))
		start++;
	memmove(v, v + start, n - start);
	v[n - start] = '\0';
	for (size_t i = 0; v[i] != '\0'; i++)
		if ((uint8_t)v[i] >= 0x80)
			f->eight_bit = true;
	return v;
}

/* The field being read: its name, and its value's bytes so far. */
struct open_field {
	bool open;
	size_t name_off, name_len, v_off, v_end;
};

struct hsize {
	size_t fields_max, value_max, size;
};

static int field_add(struct mailhdr *h, struct hsize *cap, const uint8_t *d,
                     const struct open_field *o)
{
	struct mailhdr_field *f;

	if (h->n >= cap->fields_max) {
		h->dropped = true; /* later fields go: the ones readers need come first */
		return 0;
	}
	if (h->n == cap->size) {
		size_t size = cap->size ? cap->size * 2 : 16;
		struct mailhdr_field *v = realloc(h->v, size * sizeof(*v));
		if (v == NULL)
			return -1;
		h->v = v;
		cap->size = size;
	}
	f = &h->v[h->n];
	memset(f, 0, sizeof(*f));
	f->raw_off = o->name_off;
	f->raw_len = o->v_end - o->name_off;
	f->name = malloc(o->name_len + 1);
	f->value = field_value(d, o->v_off, o->v_end, cap->value_max, f);
	if (f->name == NULL || f->value == NULL) {
		free(f->name);
		free(f->value);
		return -1;
	}
	memcpy(f->name, d + o->name_off, o->name_len);
	f->name[o->name_len] = '\0';
	h->n++;
	return 0;
}

/* Reads the lines from off: fields into h, where the body starts into
 * h->body_off. Returns 0 or -1. */
static int read_section(const uint8_t *d, size_t len, size_t off, struct hsize *cap,
                        struct mailhdr *h)
{
	struct open_field o = { false, 0, 0, 0, 0 };
	size_t next;
	bool first = true;

	h->body_off = len;
	while (off < len) {
		size_t end = line_end(d, len, off, &next), colon, nl;
		if (first)
			h->crlf = next - end == 2;
		first = false;
		if (end == off) { /* RFC 5322 2.1: the empty line ends the header */
			h->body_off = next;
			h->blank_line = true;
			break;
		}
		if (is_wsp(d[off])) { /* a folded line: part of the field above */
			if (o.open)
				o.v_end = end;
			else
				h->bad_lines++; /* a fold with no field to belong to: skipped */
			off = next;
			continue;
		}
		nl = field_name(d, off, end, &colon);
		if (nl == 0) { /* neither a field nor a fold: the body starts here */
			h->body_off = off;
			h->bad_lines++;
			break;
		}
		if (o.open && field_add(h, cap, d, &o) != 0)
			return -1;
		o = (struct open_field){ true, off, nl, colon + 1, end };
		off = next;
	}
	if (o.open && field_add(h, cap, d, &o) != 0)
		return -1;
	return 0;
}

int mailhdr_parse(const uint8_t *data, size_t len, size_t fields_max, size_t value_max,
                  struct mailhdr *out)
{
	struct hsize cap = { fields_max, value_max, 0 };
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	/* RFC 4155: an mbox's "From " line is no field (no colon after a name). */
	if (len >= 5 && memcmp(data, "From ", 5) == 0)
		line_end(data, len, 0, &off);
	if (read_section(data, len, off, &cap, out) != 0) {
		mailhdr_free(out);
		return -1;
	}
	return 0;
}

void mailhdr_free(struct mailhdr *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].name);
		free(h->v[i].value);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

bool mailhdr_is(const struct mailhdr_field *f, const char *name)
{
	return f != NULL && ieq(f->name, name);
}

const struct mailhdr_field *mailhdr_get(const struct mailhdr *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (ieq(h->v[i].name, name))
			return &h->v[i];
	return NULL;
}

size_t mailhdr_count(const struct mailhdr *h, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++)
		if (ieq(h->v[i].name, name))
			n++;
	return n;
}

/* ---- RFC 2047 encoded words ---- */

/* The output: at most cap - 1 bytes, NUL bytes left out (a decoded
 * "=00" would end the string early). */
struct wbuf {
	char *out;
	size_t cap, n;
	bool cut;
};

static void put(struct wbuf *w, const char *s, size_t len)
{
	for (size_t i = 0; i < len && !w->cut; i++) {
		if (s[i] == '\0')
			continue;
		if (w->n + 1 >= w->cap)
			w->cut = true;
		else
			w->out[w->n++] = s[i];
	}
}

/* Where a text cut at n bytes should end so no UTF-8 sequence is left
 * half: before a lead byte whose continuation bytes were cut off. */
static size_t utf8_boundary(const char *s, size_t n)
{
	size_t i = n, k = 0;
	uint8_t c;
	size_t need;

	while (i > 0 && k < 3 && ((uint8_t)s[i - 1] & 0xC0) == 0x80) {
		i--;
		k++;
	}
	if (i == 0)
		return n;
	c = (uint8_t)s[i - 1];
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	return need > 1 && n - (i - 1) < need ? i - 1 : n;
}

struct eword {
	const char *cs; /* the charset, its RFC 2231 5 "*language" left out */
	size_t cslen;
	char enc; /* 'B' or 'Q' */
	const char *text;
	size_t tlen;
	const char *end; /* after "?=" */
};

/* RFC 2047 2: charset is a token (no especials, so no '/' or ',' that
 * iconv would read as options). */
static bool cs_char(char c)
{
	return (uint8_t)c > 32 && (uint8_t)c < 127 && strchr("()<>@,;:\"/[]?.=", c) == NULL;
}

/* RFC 2047 2: "=?" charset "?" encoding "?" encoded-text "?=", the text
 * printable ASCII without '?' or white space. p points at "=?". */
static bool eword_parse(const char *p, struct eword *w)
{
	const char *q = p + 2;
	const char *star;

	w->cs = q;
	while (cs_char(*q))
		q++;
	if (*q != '?' || q == w->cs || q - w->cs > 64)
		return false;
	w->cslen = (size_t)(q - w->cs);
	star = memchr(w->cs, '*', w->cslen);
	if (star != NULL)
		w->cslen = (size_t)(star - w->cs);
	q++;
	w->enc = (char)(*q == 'b' || *q == 'q' ? *q - ('a' - 'A') : *q);
	if ((w->enc != 'B' && w->enc != 'Q') || q[1] != '?' || w->cslen == 0)
		return false;
	q += 2;
	w->text = q;
	while ((uint8_t)*q > 32 && (uint8_t)*q < 127 && *q != '?')
		q++;
	if (q[0] != '?' || q[1] != '=')
		return false;
	w->tlen = (size_t)(q - w->text);
	w->end = q + 2;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* RFC 2047 4.1 (B, base64, padding optional as senders omit it) and 4.2
 * (Q: "_" is a space, "=XX" a byte). Appends to out; false when the
 * text is not clean. */
static bool eword_decode(const struct eword *w, uint8_t *out, size_t *olen)
{
	size_t o = *olen;

	if (w->enc == 'Q') {
		for (size_t i = 0; i < w->tlen; i++) {
			char c = w->text[i];
			if (c == '=') {
				if (i + 2 >= w->tlen)
					return false;
				int hi = hexval(w->text[i + 1]), lo = hexval(w->text[i + 2]);
				if (hi < 0 || lo < 0)
					return false;
				out[o++] = (uint8_t)(hi * 16 + lo);
				i += 2;
			} else {
				out[o++] = (uint8_t)(c == '_' ? ' ' : c);
			}
		}
	} else {
		uint32_t acc = 0;
		int n = 0;
		size_t i = 0;
		for (; i < w->tlen && w->text[i] != '='; i++) {
			int v = str_base64_value((unsigned char)w->text[i]);
			if (v < 0)
				return false;
			acc = (acc << 6) | (uint32_t)v;
			if (++n == 4) {
				out[o++] = (uint8_t)(acc >> 16);
				out[o++] = (uint8_t)(acc >> 8);
				out[o++] = (uint8_t)acc;
				n = 0;
				acc = 0;
			}
		}
		for (; i < w->tlen; i++)
			if (w->text[i] != '=')
				return false;
		if (n == 1)
			return false;
		if (n == 2)
			out[o++] = (uint8_t)(acc >> 4);
		if (n == 3) {
			out[o++] = (uint8_t)(acc >> 10);
			out[o++] = (uint8_t)(acc >> 2);
		}
	}
	*olen = o;
	return true;
}

/* Labels senders use for a superset glibc knows by another name: the
 * superset decodes everything the label's own charset does (WHATWG's
 * Encoding Standard maps them the same way). */
static const char *const charset_alias[][2] = {
	{ "us-ascii", "WINDOWS-1252" },
	{ "iso-8859-1", "WINDOWS-1252" },
	{ "latin1", "WINDOWS-1252" },
	{ "ks_c_5601-1987", "CP949" },
	{ "gb2312", "GB18030" },
	{ "gbk", "GB18030" },
	{ "shift_jis", "CP932" },
	{ "x-sjis", "CP932" },
	{ "sjis", "CP932" },
	{ "windows-31j", "CP932" },
	{ "iso-2022-jp", "ISO-2022-JP-2" },
};

/* Doubles the conversion buffer, keeping what was written. */
static bool grow(char **buf, size_t *cap, char **op, size_t *room)
{
	size_t used = (size_t)(*op - *buf);
	char *grown = realloc(*buf, *cap * 2);

	if (grown == NULL)
		return false;
	*buf = grown;
	*op = grown + used;
	*room += *cap;
	*cap *= 2;
	return true;
}

/* The group's bytes converted from charset cs into UTF-8 and written
 * out; false (nothing written) when iconv does not know the charset or
 * the bytes are not text in it. */
static bool convert(const char *cs, size_t cslen, uint8_t *in, size_t n, struct wbuf *w)
{
	char name[72];
	iconv_t cd;
	size_t cap = n * 4 + 16, left = n, room = cap;
	char *buf, *ip = (char *)in, *op;
	bool ok = true;

	if (cslen >= sizeof(name))
		return false;
	memcpy(name, cs, cslen);
	name[cslen] = '\0';
	for (size_t i = 0; i < sizeof(charset_alias) / sizeof(charset_alias[0]); i++)
		if (ieq(name, charset_alias[i][0]))
			str_copy(name, sizeof(name), charset_alias[i][1]);
	cd = iconv_open("UTF-8", name);
	/* iconv_open(3) fails with (iconv_t)-1: hence the NOLINT. */
	if (cd == (iconv_t)-1) /* NOLINT(performance-no-int-to-ptr) */
		return false;
	buf = malloc(cap);
	op = buf;
	ok = buf != NULL;
	/* Phase 0 converts the bytes; phase 1 writes what a stateful charset
	 * still holds. Any error but a full buffer fails the group. */
	for (int phase = 0; ok && phase < 2;) {
		size_t r = phase == 0 ? iconv(cd, &ip, &left, &op, &room)
		                      : iconv(cd, NULL, NULL, &op, &room);
		if (r != (size_t)-1)
			phase++;
		else if (errno != E2BIG || !grow(&buf, &cap, &op, &room))
			ok = false;
	}
	iconv_close(cd);
	if (ok)
		put(w, buf, (size_t)(op - buf));
	free(buf);
	return ok;
}

/* Adjacent encoded words in one charset, their bytes joined before the
 * conversion: senders split a character (or an ISO-2022-JP escape)
 * across words, which a word-by-word conversion would refuse. */
struct group {
	const char *start, *end; /* the words as written */
	const char *gap;         /* white space before them, left out while */
	size_t gap_n;            /* the word before them decoded (RFC 2047 6.2) */
	const char *cs;
	size_t cslen;
	uint8_t *bytes;
	size_t n;
};

/* Writes the group out, decoded or (when it does not convert) as
 * written, the white space before it then kept. Returns whether it was
 * decoded. */
static bool flush(struct group *g, struct wbuf *w)
{
	bool ok;

	if (g->start == NULL)
		return false;
	ok = convert(g->cs, g->cslen, g->bytes, g->n, w);
	if (!ok) {
		put(w, g->gap, g->gap_n);
		put(w, g->start, (size_t)(g->end - g->start));
	}
	g->start = NULL;
	g->gap_n = 0;
	g->n = 0;
	return ok;
}

static bool all_wsp(const char *s, const char *end)
{
	for (; s < end; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

static bool same_charset(const struct group *g, const struct eword *e)
{
	if (g->cslen != e->cslen)
		return false;
	for (size_t i = 0; i < e->cslen; i++)
		if (str_lower(g->cs[i]) != str_lower(e->cs[i]))
			return false;
	return true;
}

/* A word decoded at the group's end (bytes from g->n to n): joins the
 * group when only white space separates them and the charset is the
 * same; else the group is written out, then the text between them
 * (RFC 2047 6.2: white space between two encoded words is dropped), and
 * the word starts a new group. lit is where the text not yet written
 * starts. */
static void take_word(struct group *g, const struct eword *e, const char *p, const char *lit,
                      size_t n, struct wbuf *w)
{
	bool adjacent = g->start != NULL && all_wsp(lit, p);
	size_t old = g->n;

	if (adjacent && same_charset(g, e)) {
		g->n = n;
		g->end = e->end;
		return;
	}
	if (flush(g, w) && adjacent) { /* dropped if this word decodes too */
		g->gap = lit;
		g->gap_n = (size_t)(p - lit);
	} else {
		put(w, lit, (size_t)(p - lit));
	}
	memmove(g->bytes, g->bytes + old, n - old);
	g->n = n - old;
	g->start = p;
	g->end = e->end;
	g->cs = e->cs;
	g->cslen = e->cslen;
}

size_t mailhdr_decode_words(const char *in, char *out, size_t outlen)
{
	struct wbuf w = { out, outlen, 0, false };
	struct group g = { NULL, NULL, NULL, 0, NULL, 0, NULL, 0 };
	const char *p = in, *lit = in;

	if (outlen == 0)
		return 0;
	g.bytes = malloc(strlen(in) + 1); /* the decoded bytes are fewer than the text */
	while (g.bytes != NULL && !w.cut && (p = strstr(p, "=?")) != NULL) {
		struct eword e;
		size_t n = g.n;
		/* A word that does not parse or decode is text, kept as written. */
		if (!eword_parse(p, &e) || !eword_decode(&e, g.bytes, &n)) {
			p += 2;
			continue;
		}
		take_word(&g, &e, p, lit, n, &w);
		lit = p = e.end;
	}
	flush(&g, &w);
	put(&w, lit, strlen(lit));
	free(g.bytes);
	if (w.cut)
		w.n = utf8_boundary(out, w.n);
	out[w.n] = '\0';
	return w.n;
}
