/*
 * domainlist.c — the list reader (see domainlist.h).
 */
#include "domainlist.h"

#include <ctype.h>
#include <errno.h>
#include <idn2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

#define LIST_MAX_COLUMNS 64

enum column { COL_DOMAIN, COL_COMPANY, COL_CODE, COL_SECTOR, COL_LIST, COL_N };
static const char *const column_names[COL_N] = { "domain", "company", "code", "sector", "list" };

struct list_reader {
	FILE *in;
	bool own;
	char source[LIST_FIELD_MAX]; /* default "list" value */
	char path[LIST_FIELD_MAX];   /* for messages */
	list_problem_fn problem;
	void *arg;
	unsigned long line, skipped;
	int format;     /* 0 unknown yet, 1 plain, 2 CSV */
	int col[COL_N]; /* CSV column of each field, -1 absent */
	char buf[LIST_LINE_MAX + 2];
};

static void problem(struct list_reader *r, const char *msg)
{
	r->skipped++;
	if (r->problem != NULL)
		r->problem(r->arg, r->path, r->line, msg);
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
	return r;
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
			snprintf(why, whylen, "character '%c' is not allowed in a domain name", *p);
			return -1;
		}
		label++;
	}
	if (!dot) {
		snprintf(why, whylen, "a single label is not a domain to scan");
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

static void copy_field(char *dst, const char *src)
{
	char *s = (char *)src, tmp[LIST_FIELD_MAX];
	size_t n = strlen(src);
	trim(&s, &n);
	if (n >= LIST_FIELD_MAX)
		n = LIST_FIELD_MAX - 1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	/* Control characters never reach the store or a terminal. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)tmp[i] < 0x20 || tmp[i] == 0x7f)
			tmp[i] = ' ';
	/* Nor bytes that are not UTF-8 (the reports are JSON and HTML): a
	 * Shift_JIS or Latin-1 list shows U+FFFD where its bytes were. */
	utf8_clean(tmp, dst, LIST_FIELD_MAX);
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

int list_next(struct list_reader *r, struct list_entry *e, char *err, size_t errlen)
{
	char why[160];

	for (;;) {
		if (fgets(r->buf, sizeof(r->buf), r->in) == NULL) {
			if (ferror(r->in)) {
				snprintf(err, errlen, "reading %s: %s", r->path, strerror(errno));
				return -1;
			}
			return 0;
		}
		r->line++;
		size_t n = strlen(r->buf);
		if (n > 0 && r->buf[n - 1] != '\n' && !feof(r->in)) {
			int c;
			while ((c = fgetc(r->in)) != EOF && c != '\n')
				;
			problem(r, "line longer than 4096 bytes");
			continue;
		}
		while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
			r->buf[--n] = '\0';
		if (r->line == 1 && n >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0)
			memmove(r->buf, r->buf + 3, n - 2); /* UTF-8 BOM, and the NUL */
		char *s = r->buf;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (r->format == 0) {
			r->format = is_header(r, s) ? 2 : 1;
			if (r->format == 2)
				continue;
		}
		memset(e, 0, sizeof(*e));
		e->line = r->line;
		const char *name = s;
		if (r->format == 2) {
			char *f[LIST_MAX_COLUMNS];
			int nf = csv_split(s, f, LIST_MAX_COLUMNS);
			if (nf < 0) {
				problem(r, "unterminated quote");
				continue;
			}
			if (r->col[COL_DOMAIN] >= nf) {
				problem(r, "no domain column on this line");
				continue;
			}
			name = f[r->col[COL_DOMAIN]];
			if (r->col[COL_COMPANY] >= 0 && r->col[COL_COMPANY] < nf)
				copy_field(e->company, f[r->col[COL_COMPANY]]);
			if (r->col[COL_CODE] >= 0 && r->col[COL_CODE] < nf)
				copy_field(e->code, f[r->col[COL_CODE]]);
			if (r->col[COL_SECTOR] >= 0 && r->col[COL_SECTOR] < nf)
				copy_field(e->sector, f[r->col[COL_SECTOR]]);
			if (r->col[COL_LIST] >= 0 && r->col[COL_LIST] < nf)
				copy_field(e->list, f[r->col[COL_LIST]]);
		} else {
			char *hash = strchr(s, '#');
			if (hash != NULL)
				*hash = '\0';
		}
		if (e->list[0] == '\0')
			snprintf(e->list, sizeof(e->list), "%s", r->source);
		if (list_domain_normalize(name, e->domain, sizeof(e->domain), why, sizeof(why)) !=
		    0) {
			char shown[96];
			size_t k = 0;
			for (const char *p = name; *p && k + 5 < sizeof(shown); p++) {
				unsigned char c = (unsigned char)*p;
				if (c < 0x20 || c >= 0x7f) /* shown as \DDD: no raw bytes */
					k += (size_t)snprintf(shown + k, sizeof(shown) - k,
					                      "\\%03o", c);
				else
					shown[k++] = (char)c;
			}
			shown[k] = '\0';
			char msg[300];
			snprintf(msg, sizeof(msg), "\"%s\": %s", shown, why);
			problem(r, msg);
			continue;
		}
		return 1;
	}
}
