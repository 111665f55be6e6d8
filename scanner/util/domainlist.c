/*
 * domainlist.c — the list reader (see domainlist.h).
 */
#include "domainlist.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <idn2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domainarg.h"
#include "utf8.h"

#define LIST_MAX_COLUMNS 64
#define LIST_HEAD        4 /* bytes looked at to tell the encoding */

enum column { COL_DOMAIN, COL_COMPANY, COL_CODE, COL_SECTOR, COL_LIST, COL_DKIM, COL_N };
static const char *const column_names[COL_N] = { "domain", "company", "code",
	                                         "sector", "list",    "dkim_selectors" };

struct list_reader {
	FILE *in;
	bool own;
	char source[LIST_FIELD_MAX]; /* default "list" value */
	char path[LIST_FIELD_MAX];   /* for messages */
	list_problem_fn problem, warning;
	void *arg, *warg;
	unsigned long line, skipped; /* line: the last line read from in */
	int format;                  /* 0 unknown yet, 1 plain, 2 CSV */
	int col[COL_N];              /* CSV column of each field, -1 absent */
	char refused[400];           /* not a UTF-8 list: why (list_open fails) */
	unsigned char head[LIST_HEAD];
	size_t headlen, headpos;
	/* Lines to read again, each ended by '\n', the first numbered
	 * replay_no: those a quoted field that never closed had taken. */
	char replay[2 * LIST_LINE_MAX + 8];
	size_t replay_len, replay_pos;
	unsigned long replay_no;
	char rec[LIST_LINE_MAX + 2]; /* the record: a line, or lines in CSV */
	size_t rec_len;
	unsigned long rec_no; /* its first line */
	char lbuf[LIST_LINE_MAX + 2];
};

static void problem_at(struct list_reader *r, unsigned long line, const char *msg)
{
	r->skipped++;
	if (r->problem != NULL)
		r->problem(r->arg, r->path, line, msg);
}

/* UTF-16 and UTF-32 lists (a spreadsheet's "Unicode text" export) are
 * refused, never read as bytes: their NULs would make every line bad.
 * Known by a byte order mark (Unicode 15, 23.8) or, without one, by the
 * NULs around ASCII text in the first four bytes. A UTF-8 byte order mark
 * is skipped. */
static void sniff_encoding(struct list_reader *r)
{
	static const struct {
		const char *bom;
		size_t len;
		const char *name, *from;
	} boms[] = {
		{ "\x00\x00\xfe\xff", 4, "UTF-32BE text with a byte order mark", "UTF-32" },
		{ "\xff\xfe\x00\x00", 4, "UTF-32LE text with a byte order mark", "UTF-32" },
		{ "\xfe\xff", 2, "UTF-16BE text with a byte order mark", "UTF-16" },
		{ "\xff\xfe", 2, "UTF-16LE text with a byte order mark", "UTF-16" },
	};
	const unsigned char *h = r->head;
	const char *name = NULL, *from = NULL;

	r->headlen = fread(r->head, 1, LIST_HEAD, r->in);
	for (size_t i = 0; i < sizeof(boms) / sizeof(boms[0]) && name == NULL; i++)
		if (r->headlen >= boms[i].len && memcmp(h, boms[i].bom, boms[i].len) == 0)
			name = boms[i].name, from = boms[i].from;
	if (name == NULL && r->headlen == LIST_HEAD) {
		if (h[0] && !h[1] && !h[2] && !h[3])
			name = "UTF-32LE text", from = "UTF-32LE";
		else if (!h[0] && !h[1] && !h[2] && h[3])
			name = "UTF-32BE text", from = "UTF-32BE";
		else if (h[0] && !h[1] && h[2] && !h[3])
			name = "UTF-16LE text", from = "UTF-16LE";
		else if (!h[0] && h[1] && !h[2] && h[3])
			name = "UTF-16BE text", from = "UTF-16BE";
	}
	if (name != NULL) {
		/* The file's name once, in the command (callers' buffers are
		 * short). */
		if (strcmp(r->path, "stdin") == 0)
			snprintf(r->refused, sizeof(r->refused),
			         "the list on standard input is %s, not UTF-8: convert it first "
			         "with iconv -f %s -t UTF-8",
			         name, from);
		else
			snprintf(r->refused, sizeof(r->refused),
			         "the list is %s, not UTF-8: convert it first, e.g. iconv -f %s -t "
			         "UTF-8 < %s > list-utf8.txt",
			         name, from, r->path);
		return;
	}
	if (r->headlen >= 3 && memcmp(h, "\xef\xbb\xbf", 3) == 0)
		r->headpos = 3; /* a UTF-8 byte order mark: not part of the text */
}

struct list_reader *list_open_stream(FILE *in, const char *source, list_problem_fn cb, void *arg)
{
	struct list_reader *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->in = in;
	r->problem = cb;
	r->arg = arg;
	/* The default list name: the file name without directory and suffix. */
	snprintf(r->path, sizeof(r->path), "%s", source);
	const char *base = strrchr(source, '/');
	base = base ? base + 1 : source;
	snprintf(r->source, sizeof(r->source), "%s", base);
	char *dot = strrchr(r->source, '.');
	if (dot != NULL && dot != r->source)
		*dot = '\0';
	for (int i = 0; i < COL_N; i++)
		r->col[i] = -1;
	sniff_encoding(r);
	return r;
}

struct list_reader *list_open(const char *path, list_problem_fn cb, void *arg, char *err,
                              size_t errlen)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (in == NULL) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	struct list_reader *r =
	        list_open_stream(in, strcmp(path, "-") == 0 ? "stdin" : path, cb, arg);
	if (r == NULL) {
		if (in != stdin)
			fclose(in);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->own = in != stdin;
	if (r->refused[0] != '\0') {
		snprintf(err, errlen, "%s", r->refused);
		list_close(r);
		return NULL;
	}
	return r;
}

void list_on_warning(struct list_reader *r, list_problem_fn warn, void *arg)
{
	r->warning = warn;
	r->warg = arg;
}

void list_close(struct list_reader *r)
{
	if (r == NULL)
		return;
	if (r->own)
		fclose(r->in);
	free(r);
}

unsigned long list_skipped(const struct list_reader *r)
{
	return r->skipped;
}

unsigned list_shard_of(const char *domain, unsigned n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)domain; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return n == 0 ? 0 : (unsigned)(h % n);
}

static void trim(char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* An IPv4 or IPv6 address, bare or in brackets as URLs write them (RFC
 * 3986 3.2.2), maybe with a final dot: inet_pton reads it exactly. */
static bool ip_literal(const char *s, size_t n)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	unsigned char addr[16];
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
		s++, n -= 2;
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET, tmp, addr) == 1 || inet_pton(AF_INET6, tmp, addr) == 1;
}

int list_domain_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen)
{
	char tmp[LIST_LINE_MAX + 1];
	char *s = (char *)in;
	size_t n = strlen(in);
	bool ascii = true;

	trim(&s, &n);
	if (n == 0) {
		snprintf(why, whylen, "empty domain");
		return -1;
	}
	if (n >= sizeof(tmp)) {
		snprintf(why, whylen, "name too long");
		return -1;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (ip_literal(tmp, n)) {
		snprintf(why, whylen, "an IP address is not a domain name");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)tmp[i] >= 0x80)
			ascii = false;
	if (!ascii) {
		char *a = NULL;
		int rc = idn2_to_ascii_8z(tmp, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
		if (rc != IDN2_OK) {
			snprintf(why, whylen, "not a valid internationalised name (%s)",
			         idn2_strerror(rc));
			return -1;
		}
		snprintf(tmp, sizeof(tmp), "%s", a);
		idn2_free(a);
	}
	if (dns_name_normalize(tmp, out, outlen) != 0) {
		snprintf(why, whylen, "not a valid domain name");
		return -1;
	}
	/* Host names only: letters, digits, hyphens (and underscores, which
	 * some lists carry for service names); at least two labels. */
	size_t label = 0;
	bool dot = false;
	for (char *p = out;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label > 0 && (p[-1] == '-' || p[-(long)label] == '-')) {
				snprintf(why, whylen, "a label starts or ends with a hyphen");
				return -1;
			}
			if (*p == '\0')
				break;
			dot = true;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
			/* A name holds other bytes as \DDD (dnsutil.h, "Names"):
			 * a printable one is named, not its escape. */
			int c = (unsigned char)*p;
			if (c == '\\') {
				int b = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
				c = b >= 0x20 && b < 0x7f ? b : c;
			}
			snprintf(why, whylen, "character '%c' is not allowed in a domain name", c);
			return -1;
		}
		label++;
	}
	if (!dot) {
		snprintf(why, whylen, "a single label is not a domain to scan");
		return -1;
	}
	/* RFC 3696 2: a top-level domain is never all digits ("10.1.2",
	 * "1.2.3.4.5", "192.0.2.300" are addresses gone wrong). */
	const char *top = strrchr(out, '.') + 1;
	if (strspn(top, "0123456789") == strlen(top)) {
		snprintf(why, whylen,
		         "the last label is all digits: an IP address, not a domain name");
		return -1;
	}
	return 0;
}

/* Splits a CSV line (RFC 4180, no line breaks inside fields) in place.
 * Returns the number of fields, or -1 for an unterminated quote. */
static int csv_split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *w = p, *start = p;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '\0')
					return -1;
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
			while (*p != ',' && *p != '\0')
				p++; /* text after the closing quote is dropped */
		} else {
			while (*p != ',' && *p != '\0')
				p++;
			w = p;
		}
		char end = *p;
		*w = '\0';
		if (n < max)
			fields[n++] = start;
		if (end == '\0')
			return n;
		p++;
	}
}

/* Copies a CSV field into dst (LIST_FIELD_MAX bytes) as valid UTF-8
 * without a control character, trimmed: those utf8_next does not call raw
 * become spaces (they must not reach the store, a terminal or a report),
 * bytes that are not UTF-8 U+FFFD. A character that does not fit whole is
 * left out. Returns false when the field held bytes that are not UTF-8. */
static bool copy_field(char *dst, const char *src)
{
	char *t = (char *)src;
	size_t n = strlen(src), o = 0;
	bool utf8 = true;
	trim(&t, &n);
	const unsigned char *p = (const unsigned char *)t;
	for (size_t i = 0; i < n;) {
		bool raw;
		size_t len = utf8_next(p + i, n - i, &raw);
		const char *from = t + i;
		size_t take = len;
		if (!raw && (len > 1 || p[i] < 0x80)) { /* a control character */
			from = " ";
			take = 1;
		} else if (!raw) {             /* a byte that is not UTF-8 */
			from = "\xef\xbf\xbd"; /* U+FFFD */
			take = 3;
			utf8 = false;
		}
		if (o + take >= LIST_FIELD_MAX)
			break;
		memcpy(dst + o, from, take);
		o += take;
		i += len;
	}
	dst[o] = '\0';
	/* Trimmed again, so a control character at either end goes too. */
	t = dst;
	trim(&t, &o);
	memmove(dst, t, o);
	dst[o] = '\0';
	return utf8;
}

static bool is_header(struct list_reader *r, char *line)
{
	char copy[LIST_LINE_MAX + 2];
	char *f[LIST_MAX_COLUMNS];
	snprintf(copy, sizeof(copy), "%s", line);
	int n = csv_split(copy, f, LIST_MAX_COLUMNS);
	bool found = false;
	for (int i = 0; i < n; i++) {
		char *s = f[i];
		size_t len = strlen(s);
		trim(&s, &len);
		s[len] = '\0';
		for (int c = 0; c < COL_N; c++)
			if (strcasecmp(s, column_names[c]) == 0 && r->col[c] < 0) {
				r->col[c] = i;
				found |= c == COL_DOMAIN;
			}
	}
	if (!found)
		for (int c = 0; c < COL_N; c++)
			r->col[c] = -1;
	return found;
}

/* The next byte of the list: the bytes sniff_encoding looked at first. */
static int next_byte(struct list_reader *r)
{
	if (r->headpos < r->headlen)
		return r->head[r->headpos++];
	return getc_unlocked(r->in);
}

/*
 * Reads the next line into out (LIST_LINE_MAX + 2 bytes) by its length,
 * never by a NUL: a NUL is a byte of the line like any other (the caller
 * refuses such a line, and only it). The newline and any CRs before it
 * are dropped; a line longer than LIST_LINE_MAX is consumed whole and
 * comes back with *len = LIST_LINE_MAX + 1. Lines given back by
 * replay_push come first. Returns 1 with *len and *no (the line's number),
 * 0 at the end, -1 on a read error.
 */
static int next_line(struct list_reader *r, char *out, size_t *len, unsigned long *no)
{
	if (r->replay_pos < r->replay_len) {
		char *p = r->replay + r->replay_pos;
		char *nl = memchr(p, '\n', r->replay_len - r->replay_pos);
		size_t n = (size_t)(nl - p);
		memcpy(out, p, n);
		*len = n;
		*no = r->replay_no++;
		r->replay_pos += n + 1;
		return 1;
	}
	size_t n = 0;
	int c = EOF;
	bool any = false;
	while ((c = next_byte(r)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (n <= LIST_LINE_MAX)
			out[n++] = (char)c;
	}
	if (c == EOF && ferror(r->in))
		return -1;
	if (!any)
		return 0;
	while (n > 0 && n <= LIST_LINE_MAX && out[n - 1] == '\r')
		n--;
	*len = n;
	*no = ++r->line;
	return 1;
}

/* A line that can be no part of a record is reported and skipped: false. */
static bool line_ok(struct list_reader *r, const char *s, size_t len, unsigned long no)
{
	if (len > LIST_LINE_MAX) {
		problem_at(r, no, "line longer than 4096 bytes");
		return false;
	}
	if (memchr(s, '\0', len) != NULL) {
		problem_at(r, no, "a NUL byte in the line (a list is UTF-8 text)");
		return false;
	}
	return true;
}

/* Where a CSV record stands after some of its bytes: RFC 4180 2.5-2.7, the
 * way csv_split reads it (a quote opens a field only as its first byte). */
enum csv_state { CSV_START, CSV_PLAIN, CSV_QUOTED, CSV_QUOTE, CSV_AFTER };

static enum csv_state csv_feed(enum csv_state st, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		switch (st) {
		case CSV_START:
			st = c == '"' ? CSV_QUOTED : c == ',' ? CSV_START : CSV_PLAIN;
			break;
		case CSV_QUOTED:
			st = c == '"' ? CSV_QUOTE : CSV_QUOTED;
			break;
		case CSV_QUOTE: /* "" is a quote; a lone one closed the field */
			st = c == '"' ? CSV_QUOTED : c == ',' ? CSV_START : CSV_AFTER;
			break;
		default: /* CSV_PLAIN, CSV_AFTER */
			if (c == ',')
				st = CSV_START;
		}
	}
	return st;
}

/*
 * Gives the lines a record took after its first back to next_line, and
 * then held (a line that could not join it, heldlen bytes; NULL: none):
 * a quote that never closed must not swallow the lines after it.
 */
static void replay_push(struct list_reader *r, const char *held, size_t heldlen)
{
	const char *nl = memchr(r->rec, '\n', r->rec_len);
	size_t tail = nl ? r->rec_len - (size_t)(nl + 1 - r->rec) : 0;
	size_t front = (nl ? tail + 1 : 0) + (held ? heldlen + 1 : 0);
	size_t rest = r->replay_len - r->replay_pos;

	/* Lines come from the stream only once the replay is used up, so
	 * rest is 0 or front takes back lines of the replay: front + rest
	 * stays within 2 * LIST_LINE_MAX + 3. */
	if (front + rest > sizeof(r->replay))
		rest = sizeof(r->replay) - front;
	memmove(r->replay + front, r->replay + r->replay_pos, rest);
	size_t o = 0;
	if (nl != NULL) {
		memcpy(r->replay, nl + 1, tail);
		r->replay[tail] = '\n';
		o = tail + 1;
	}
	if (held != NULL) {
		memcpy(r->replay + o, held, heldlen);
		r->replay[o + heldlen] = '\n';
	}
	r->replay_len = front + rest;
	r->replay_pos = 0;
	r->replay_no = r->rec_no + 1;
}

/* RFC 4180 2.6: a quoted field may hold line breaks, so the record goes
 * on over the next lines until the quote closes (kept as '\n' in it).
 * Returns 1 when it closed, 0 when it did not (reported at the record's
 * first line, its other lines read again), -1 on a read error. */
static int csv_continue(struct list_reader *r, enum csv_state st)
{
	char *m = r->lbuf;
	size_t mlen = 0;
	unsigned long mno;
	int rc;
	bool held = false;

	while ((rc = next_line(r, m, &mlen, &mno)) == 1) {
		if (mlen > LIST_LINE_MAX || memchr(m, '\0', mlen) != NULL ||
		    r->rec_len + 1 + mlen > LIST_LINE_MAX) {
			held = true;
			break;
		}
		r->rec[r->rec_len++] = '\n';
		memcpy(r->rec + r->rec_len, m, mlen);
		r->rec_len += mlen;
		r->rec[r->rec_len] = '\0';
		st = csv_feed(csv_feed(st, "\n", 1), m, mlen);
		if (st != CSV_QUOTED)
			return 1;
	}
	if (rc < 0)
		return -1;
	problem_at(r, r->rec_no,
	           held ? "unterminated quote (the quoted field runs over 4096 bytes or into a "
	                  "line that cannot be read)"
	                : "unterminated quote");
	replay_push(r, held ? m : NULL, mlen);
	return 0;
}

/* Reads the next record into r->rec: a line that is neither blank nor a
 * comment, with the lines a quoted CSV field goes on over. Returns 1, 0
 * at the end, -1 on a read error. */
static int next_record(struct list_reader *r)
{
	for (;;) {
		int rc = next_line(r, r->rec, &r->rec_len, &r->rec_no);
		if (rc <= 0)
			return rc;
		if (!line_ok(r, r->rec, r->rec_len, r->rec_no))
			continue;
		r->rec[r->rec_len] = '\0';
		const char *s = r->rec;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (r->format != 2)
			return 1;
		enum csv_state st = csv_feed(CSV_START, r->rec, r->rec_len);
		if (st != CSV_QUOTED)
			return 1;
		rc = csv_continue(r, st);
		if (rc != 0)
			return rc;
	}
}

/* Whether a dkim_selectors field holds selectors only: space-separated
 * names of labels (RFC 6376 3.1: selectors are sub-domains) of letters,
 * digits, '-' and '_', each label 1 to 63 bytes. */
static bool selectors_ok(const char *s)
{
	size_t label = 0;
	for (const char *p = s;; p++) {
		char c = *p;
		if (c == ' ' || c == '.' || c == '\0') {
			if (label == 0 && (c == '.' || (p > s && p[-1] == '.')))
				return false;
			if (c == '\0')
				return true;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_') ||
		    ++label > 63)
			return false;
	}
}

/* The fields of a CSV record into e; false when it was reported. */
static bool csv_fields(struct list_reader *r, char *s, struct list_entry *e, const char **name)
{
	static const char *const what[COL_N] = { NULL,     "company", "code",
		                                 "sector", "list",    "dkim_selectors" };
	char *dst[COL_N] = { NULL, e->company, e->code, e->sector, e->list, e->dkim_selectors };
	char *f[LIST_MAX_COLUMNS];
	int nf = csv_split(s, f, LIST_MAX_COLUMNS);
	const char *bad = NULL;

	if (nf < 0) {
		problem_at(r, r->rec_no, "unterminated quote");
		return false;
	}
	if (r->col[COL_DOMAIN] >= nf) {
		problem_at(r, r->rec_no, "no domain column on this line");
		return false;
	}
	*name = f[r->col[COL_DOMAIN]];
	for (int c = COL_COMPANY; c < COL_N; c++)
		if (r->col[c] >= 0 && r->col[c] < nf && !copy_field(dst[c], f[r->col[c]]) &&
		    bad == NULL)
			bad = what[c];
	if (!selectors_ok(e->dkim_selectors)) {
		/* A selector is a name's labels: anything else is no selector,
		 * and a scan must not ask for it. The domain is still good. */
		if (r->warning != NULL)
			r->warning(r->warg, r->path, r->rec_no,
			           "the dkim_selectors column holds something that is no DKIM "
			           "selector (letters, digits, '-', '_' and '.', space-separated): "
			           "ignored");
		e->dkim_selectors[0] = '\0';
	}
	if (bad != NULL && r->warning != NULL) {
		/* Kept, with U+FFFD for those bytes: the domain is still good. */
		char msg[200];
		snprintf(msg, sizeof(msg),
		         "the %s column is not UTF-8 (a Shift_JIS or Latin-1 export?): stored "
		         "with U+FFFD for its bytes; convert the list with iconv -t UTF-8",
		         bad);
		r->warning(r->warg, r->path, r->rec_no, msg);
	}
	return true;
}

/* Reports a name that is not a domain, its bytes outside printable ASCII
 * shown as \ooo. */
static void bad_name(struct list_reader *r, const char *name, const char *why)
{
	char shown[96];
	size_t k = 0;
	for (const char *p = name; *p && k + 5 < sizeof(shown); p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c >= 0x7f) /* shown as \DDD: no raw bytes */
			k += (size_t)snprintf(shown + k, sizeof(shown) - k, "\\%03o", c);
		else
			shown[k++] = (char)c;
	}
	shown[k] = '\0';
	char msg[300];
	snprintf(msg, sizeof(msg), "\"%s\": %s", shown, why);
	problem_at(r, r->rec_no, msg);
}

int list_next(struct list_reader *r, struct list_entry *e, char *err, size_t errlen)
{
	char why[160];
	int rc;

	if (r->refused[0] != '\0') {
		snprintf(err, errlen, "%s", r->refused);
		return -1;
	}
	while ((rc = next_record(r)) == 1) {
		char *s = r->rec;
		while (isspace((unsigned char)*s))
			s++;
		if (r->format == 0) {
			r->format = is_header(r, s) ? 2 : 1;
			if (r->format == 2)
				continue;
		}
		memset(e, 0, sizeof(*e));
		e->line = r->rec_no;
		const char *name = s;
		if (r->format == 2) {
			if (!csv_fields(r, s, e, &name))
				continue;
		} else {
			char *hash = strchr(s, '#');
			if (hash != NULL)
				*hash = '\0';
		}
		if (e->list[0] == '\0')
			snprintf(e->list, sizeof(e->list), "%s", r->source);
		/* An email address or a URL stands for its domain, with a
		 * word: the command line takes them the same way (domainarg.h). */
		char taken[LIST_LINE_MAX + 1];
		int form = domain_from_input(name, taken, sizeof(taken));
		if (form < 0) {
			bad_name(r, name, "an email address or URL without a domain");
			continue;
		}
		if (list_domain_normalize(taken, e->domain, sizeof(e->domain), why, sizeof(why)) !=
		    0) {
			bad_name(r, name, why);
			continue;
		}
		if (form != DOMAIN_FORM_NAME && r->warning != NULL) {
			char msg[320];
			snprintf(msg, sizeof(msg), "\"%.120s\" is %s: scanning its domain %s", name,
			         domain_form_name((enum domain_form)form), e->domain);
			r->warning(r->warg, r->path, r->rec_no, msg);
		}
		return 1;
	}
	if (rc < 0)
		snprintf(err, errlen, "reading %s: %s", r->path, strerror(errno));
	return rc;
}
