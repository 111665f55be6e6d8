/*
 * join.c — attributes joined to a run's domains from a CSV file (posture
 * report --join FILE): its first column names the key (domain, company
 * or code), the others are attributes such as sector, which --by groups
 * by and the domain table adds as columns.
 *
 * The file is RFC 4180 (quoted fields, doubled quotes, fields spanning
 * lines, CRLF or LF), UTF-8 with or without a byte order mark. Every row
 * has the header's number of fields; a key given twice is an error (which
 * value would win is not the user's choice to guess).
 */
#include "report.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strmap.h"

#define JOIN_MAX_BYTES  (256u << 20)
#define JOIN_MAX_FIELDS 256

enum key { KEY_DOMAIN, KEY_COMPANY, KEY_CODE };
static const char *const key_names[] = { "domain", "company", "code" };

struct report_join {
	enum key key;
	char **attrs; /* names */
	size_t nattrs;
	char ***rows; /* rows[i][k]: attribute k of row i */
	size_t nrows, cap;
	struct strmap map;         /* key -> row */
	int company, code, sector; /* attribute indexes, or -1 */
};

struct parser {
	const char *p, *end;
	unsigned long line; /* of the next character, from 1 */
	char *err;
	size_t errlen;
	const char *name;
};

static char *read_all(FILE *in, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = calloc(1, cap + 1);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, in);
		n += got;
		if (n < cap)
			break;
		if (cap >= JOIN_MAX_BYTES) {
			free(buf);
			return NULL;
		}
		char *nb = realloc(buf, 2 * cap + 1);
		if (nb == NULL) {
			free(buf);
			return NULL;
		}
		buf = nb;
		memset(buf + cap, 0, cap + 1);
		cap *= 2;
	}
	if (buf == NULL || ferror(in)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* One field into a new string; *last when it ended its record. NULL with
 * err set on a malformed field or when out of memory. */
static char *field(struct parser *ps, bool *last)
{
	size_t cap = 64, n = 0;
	char *out = calloc(1, cap);
	bool quoted = ps->p < ps->end && *ps->p == '"';
	unsigned long start = ps->line;
	if (quoted)
		ps->p++;
	*last = false;
	while (out != NULL) {
		if (ps->p >= ps->end) {
			if (quoted) {
				snprintf(ps->err, ps->errlen, "%s:%lu: a quoted field never ends",
				         ps->name, start);
				free(out);
				return NULL;
			}
			*last = true;
			break;
		}
		char c = *ps->p++;
		if (quoted && c == '"') {
			if (ps->p < ps->end && *ps->p == '"') {
				ps->p++; /* RFC 4180 2.7: a doubled quote is a quote */
			} else {
				quoted = false;
				continue;
			}
		} else if (!quoted && c == ',') {
			break;
		} else if (!quoted && (c == '\n' || c == '\r')) {
			if (c == '\r' && ps->p < ps->end && *ps->p == '\n')
				ps->p++;
			ps->line++;
			*last = true;
			break;
		} else if (c == '\n') {
			ps->line++;
		}
		if (n + 2 > cap) {
			char *o = realloc(out, cap * 2);
			if (o == NULL) {
				free(out);
				out = NULL;
				break;
			}
			memset(o + cap, 0, cap);
			out = o;
			cap *= 2;
		}
		out[n++] = c;
	}
	if (out == NULL) {
		snprintf(ps->err, ps->errlen, "out of memory");
		return NULL;
	}
	out[n] = '\0';
	return out;
}

static void free_fields(char **f, size_t n)
{
	for (size_t i = 0; f != NULL && i < n; i++)
		free(f[i]);
	free(f);
}

/* The next record's fields (*n of them); NULL at the end (*n 0) or on an
 * error (err set). */
static char **record(struct parser *ps, size_t *n)
{
	char **f = NULL;
	bool last = false;
	*n = 0;
	if (ps->p >= ps->end)
		return NULL;
	f = calloc(JOIN_MAX_FIELDS, sizeof(char *));
	while (f != NULL && !last) {
		if (*n == JOIN_MAX_FIELDS) {
			snprintf(ps->err, ps->errlen, "%s:%lu: more than %d columns", ps->name,
			         ps->line, JOIN_MAX_FIELDS);
			break;
		}
		f[*n] = field(ps, &last);
		if (f[*n] == NULL)
			break;
		(*n)++;
	}
	if (f == NULL || !last) {
		if (f == NULL)
			snprintf(ps->err, ps->errlen, "out of memory");
		free_fields(f, *n);
		*n = 0;
		return NULL;
	}
	return f;
}

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	memmove(s, s + i, n - i + 1);
}

/* A domain as the list reader keeps it: lower case, no final dot. */
static void fold_domain(char *s)
{
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	size_t n = strlen(s);
	if (n > 0 && s[n - 1] == '.')
		s[n - 1] = '\0';
}

static int header(struct report_join *j, struct parser *ps, char **f, size_t n)
{
	if (n > 0)
		trim(f[0]);
	int key = -1;
	for (int k = 0; n > 0 && k < 3; k++)
		if (strcasecmp(f[0], key_names[k]) == 0)
			key = k;
	if (key < 0 || n < 2) {
		snprintf(ps->err, ps->errlen,
		         "%s:1: the header must start with domain, company or code (the key), then "
		         "the attributes' names",
		         ps->name);
		return -1;
	}
	j->key = (enum key)key;
	j->company = j->code = j->sector = -1;
	j->nattrs = n - 1;
	j->attrs = f + 1;
	for (size_t i = 0; i < j->nattrs; i++) {
		trim(j->attrs[i]);
		bool dup = strcasecmp(j->attrs[i], f[0]) == 0;
		for (size_t k = 0; k < i; k++)
			dup |= strcmp(j->attrs[i], j->attrs[k]) == 0;
		if (j->attrs[i][0] == '\0' || dup) {
			snprintf(ps->err, ps->errlen, "%s:1: column %zu has %s name", ps->name,
			         i + 2, dup ? "the same" : "no");
			return -1;
		}
		int *slot = strcmp(j->attrs[i], "company") == 0  ? &j->company
		            : strcmp(j->attrs[i], "code") == 0   ? &j->code
		            : strcmp(j->attrs[i], "sector") == 0 ? &j->sector
		                                                 : NULL;
		if (slot != NULL)
			*slot = (int)i;
	}
	return 0;
}

static int add_row(struct report_join *j, struct parser *ps, char **f, size_t n, unsigned long line)
{
	if (n != j->nattrs + 1) {
		snprintf(ps->err, ps->errlen, "%s:%lu: %zu fields, the header has %zu", ps->name,
		         line, n, j->nattrs + 1);
		return -1;
	}
	trim(f[0]);
	if (j->key == KEY_DOMAIN)
		fold_domain(f[0]);
	bool added;
	size_t at = strmap_put(&j->map, f[0], &added);
	if (at == STRMAP_NONE) {
		snprintf(ps->err, ps->errlen, "out of memory");
		return -1;
	}
	if (!added) {
		snprintf(ps->err, ps->errlen, "%s:%lu: %s '%s' is given twice", ps->name, line,
		         key_names[j->key], f[0]);
		return -1;
	}
	if (j->nrows == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 64;
		char ***r = realloc(j->rows, cap * sizeof(*r));
		if (r == NULL) {
			snprintf(ps->err, ps->errlen, "out of memory");
			return -1;
		}
		j->rows = r;
		j->cap = cap;
	}
	free(f[0]);
	memmove(f, f + 1, j->nattrs * sizeof(char *));
	j->rows[j->nrows++] = f;
	return 0;
}

static int parse(struct report_join *j, struct parser *ps)
{
	size_t n;
	char **f = record(ps, &n);
	if (f == NULL) {
		if (ps->err[0] == '\0')
			snprintf(ps->err, ps->errlen, "%s: empty: no header line", ps->name);
		return -1;
	}
	if (header(j, ps, f, n) != 0) {
		free_fields(f, n);
		j->attrs = NULL;
		j->nattrs = 0;
		return -1;
	}
	for (;;) {
		unsigned long line = ps->line;
		f = record(ps, &n);
		if (f == NULL)
			return ps->err[0] ? -1 : 0;
		if (n == 1 && f[0][0] == '\0') {
			free_fields(f, n); /* a blank line */
			continue;
		}
		if (add_row(j, ps, f, n, line) != 0) {
			free_fields(f, n);
			return -1;
		}
	}
}

int report_join_read(FILE *in, const char *name, struct report_join **out, char *err, size_t errlen)
{
	size_t len = 0;
	*out = NULL;
	err[0] = '\0';
	char *buf = read_all(in, &len);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: cannot be read (or larger than %u MiB)", name,
		         JOIN_MAX_BYTES >> 20);
		return -1;
	}
	struct report_join *j = calloc(1, sizeof(*j));
	struct parser ps = { buf, buf + len, 1, err, errlen, name };
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		ps.p += 3; /* a UTF-8 byte order mark */
	int rc = j ? parse(j, &ps) : -1;
	free(buf);
	if (j == NULL)
		snprintf(err, errlen, "out of memory");
	if (rc != 0) {
		report_join_free(j);
		return -1;
	}
	*out = j;
	return 0;
}

void report_join_free(struct report_join *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->nrows; i++)
		free_fields(j->rows[i], j->nattrs);
	free(j->rows);
	if (j->attrs != NULL)
		free_fields(j->attrs - 1, j->nattrs + 1);
	strmap_free(&j->map);
	free(j);
}

const char *report_join_key(const struct report_join *j)
{
	return key_names[j->key];
}

size_t report_join_nattrs(const struct report_join *j)
{
	return j->nattrs;
}

const char *report_join_attr(const struct report_join *j, size_t i)
{
	return i < j->nattrs ? j->attrs[i] : NULL;
}

int report_join_attr_index(const struct report_join *j, const char *name)
{
	for (size_t i = 0; j != NULL && i < j->nattrs; i++)
		if (strcmp(j->attrs[i], name) == 0)
			return (int)i;
	return -1;
}

/* Replaces *field with v when v is not empty. */
static int replace(char **field, const char *const *vals, int at)
{
	if (at < 0 || vals[at][0] == '\0')
		return 0;
	char *v = strdup(vals[at]);
	if (v == NULL)
		return -1;
	free(*field);
	*field = v;
	return 0;
}

long report_join_apply(const struct report_join *j, struct report_row *rows, size_t n)
{
	long matched = 0;
	for (size_t i = 0; i < n; i++) {
		struct report_row *r = &rows[i];
		const char *k = j->key == KEY_DOMAIN    ? r->domain
		                : j->key == KEY_COMPANY ? r->company
		                                        : r->code;
		size_t at = k ? strmap_find(&j->map, k) : STRMAP_NONE;
		r->attrs = NULL;
		if (at == STRMAP_NONE)
			continue;
		const char *const *vals = (const char *const *)j->rows[at];
		r->attrs = vals;
		matched++;
		if (replace(&r->company, vals, j->company) != 0 ||
		    replace(&r->code, vals, j->code) != 0 ||
		    replace(&r->sector, vals, j->sector) != 0)
			return -1;
	}
	return matched;
}
