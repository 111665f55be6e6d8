/*
 * taglist.c — the RFC 6376 3.2 tag-list tokenizer and tag tables (see
 * taglist.h). Pure: no allocation, no locale (ASCII classes by hand).
 */
#include "taglist.h"

#include <string.h>

static bool is_space(char c, enum taglist_space sp)
{
	return c == ' ' || c == '\t' || (sp == TAGLIST_SPACE_FWS && (c == '\r' || c == '\n'));
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnumpunc(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

static unsigned char ascii_lower(char c)
{
	unsigned char u = (unsigned char)c;
	return u >= 'A' && u <= 'Z' ? (unsigned char)(u + ('a' - 'A')) : u;
}

/* Drops white space from both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n, enum taglist_space sp)
{
	while (*n > 0 && is_space(**s, sp)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1], sp))
		(*n)--;
}

/* RFC 6376 3.2: tag-name = ALPHA *ALNUMPUNC. */
static bool tag_name_ok(const char *s, size_t n)
{
	if (n == 0 || !is_alpha(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alnumpunc(s[i]))
			return false;
	return true;
}

/* RFC 6376 3.2: VALCHAR = %x21-3A / %x3C-7E, with white space between. */
static bool valchars_ok(const char *s, size_t n, enum taglist_space sp)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(c >= 0x21 && c <= 0x7e) && !is_space(s[i], sp))
			return false;
	}
	return true;
}

/* Fills everything but raw, raw_len and last from raw. */
static void classify(struct taglist_spec *s, enum taglist_space sp)
{
	s->spec = s->raw;
	s->spec_len = s->raw_len;
	trim(&s->spec, &s->spec_len, sp);
	s->name = s->spec;
	s->name_len = 0;
	s->value = s->spec + s->spec_len;
	s->value_len = 0;
	s->value_valchars = true;
	if (s->spec_len == 0) {
		s->cls = TAGLIST_EMPTY;
		return;
	}
	const char *eq = memchr(s->spec, '=', s->spec_len);
	if (eq == NULL) {
		s->cls = TAGLIST_NO_EQUALS;
		return;
	}
	s->name_len = (size_t)(eq - s->spec);
	trim(&s->name, &s->name_len, sp);
	s->value = eq + 1;
	s->value_len = (size_t)(s->spec + s->spec_len - s->value);
	trim(&s->value, &s->value_len, sp);
	s->value_valchars = valchars_ok(s->value, s->value_len, sp);
	if (s->name_len == 0)
		s->cls = TAGLIST_EMPTY_NAME;
	else
		s->cls = tag_name_ok(s->name, s->name_len) ? TAGLIST_OK : TAGLIST_BAD_NAME;
}

void taglist_begin(struct taglist_iter *it, const char *text, size_t len, enum taglist_space space)
{
	it->text = text != NULL ? text : "";
	it->len = text != NULL ? len : 0;
	it->pos = 0;
	it->space = space;
	it->done = false;
}

bool taglist_next(struct taglist_iter *it, struct taglist_spec *out)
{
	if (it->done)
		return false;
	size_t rest = it->len - it->pos;
	const char *start = it->text + it->pos;
	const char *semi = rest > 0 ? memchr(start, ';', rest) : NULL;
	out->raw = start;
	out->raw_len = semi != NULL ? (size_t)(semi - start) : rest;
	out->last = semi == NULL;
	if (semi != NULL)
		it->pos += out->raw_len + 1;
	else
		it->done = true;
	classify(out, it->space);
	return true;
}

static bool name_is(const char *tag, const char *name, size_t len, enum taglist_case c)
{
	if (strlen(tag) != len)
		return false;
	if (c == TAGLIST_CASE_SENSITIVE)
		return memcmp(tag, name, len) == 0;
	for (size_t i = 0; i < len; i++)
		if (ascii_lower(tag[i]) != ascii_lower(name[i]))
			return false;
	return true;
}

const struct taglist_tag *taglist_find(const struct taglist_tag *tags, size_t ntags,
                                       const char *name, size_t len, enum taglist_case c)
{
	for (size_t i = 0; i < ntags; i++)
		if (name_is(tags[i].name, name, len, c))
			return &tags[i];
	return NULL;
}

bool taglist_mark_seen(uint64_t *seen, int id)
{
	uint64_t bit = UINT64_C(1) << ((unsigned)id & 63);
	bool was = (*seen & bit) != 0;
	*seen |= bit;
	return was;
}

bool taglist_was_seen(uint64_t seen, int id)
{
	return (seen >> ((unsigned)id & 63) & 1) != 0;
}
