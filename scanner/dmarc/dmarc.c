/*
 * dmarc.c — DMARC record syntax (RFC 9989 4.7-4.8, RFC 7489 6.3-6.4) and
 * the enforcement classification. Pure.
 *
 * Two readings are kept for every record: RFC 9989 (np, psd, t; pct, rf,
 * ri removed; a missing p with a valid rua reads as p=none) and RFC 7489
 * (p required, pct 0-100). Tolerant where both RFCs are (tag-name case,
 * spaces around '=' and ';', an empty trailing ";"); strict where an
 * auditor must be: a value is a whole word ("p=n" is not "none", unlike
 * OpenDMARC's prefix matching), a duplicate tag spoils the record.
 */
#include "dmarc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "taglist.h"

const char *dmarc_policy_name(enum dmarc_policy p)
{
	static const char *const n[] = { NULL, "none", "quarantine", "reject" };
	return (unsigned)p < 4 ? n[p] : NULL;
}

const char *dmarc_status_name(enum dmarc_status s)
{
	static const char *const n[] = { "ok", "none", "invalid", "temperror" };
	return (unsigned)s < 4 ? n[s] : "unknown";
}

const char *dmarc_source_name(enum dmarc_source s)
{
	static const char *const n[] = { NULL, "domain", "organizational", "psd" };
	return (unsigned)s < 4 ? n[s] : NULL;
}

const char *dmarc_enforcement_name(enum dmarc_enforcement e)
{
	static const char *const n[] = { "missing",    "invalid", "monitor",  "partial",
		                         "quarantine", "reject",  "temperror" };
	return (unsigned)e < 7 ? n[e] : "unknown";
}

enum dmarc_enforcement dmarc_classify(enum dmarc_status status, enum dmarc_policy policy, int pct,
                                      bool testing)
{
	if (status == DMARC_STATUS_TEMPERROR)
		return DMARC_ENF_TEMPERROR;
	if (status == DMARC_STATUS_NONE)
		return DMARC_ENF_MISSING;
	if (status == DMARC_STATUS_INVALID || policy == DMARC_POLICY_UNSET)
		return DMARC_ENF_INVALID;
	if (policy == DMARC_POLICY_NONE)
		return DMARC_ENF_MONITOR;
	/* Enforced only when it covers all mail. */
	if (testing || (pct >= 0 && pct < 100))
		return DMARC_ENF_PARTIAL;
	return policy == DMARC_POLICY_REJECT ? DMARC_ENF_REJECT : DMARC_ENF_QUARANTINE;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims spaces and tabs from both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
	while (*n > 0 && is_ws(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_ws((*s)[*n - 1]))
		(*n)--;
}

static bool word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static void skip_ws(const char **s, size_t *n)
{
	while (*n > 0 && is_ws(**s)) {
		(*s)++;
		(*n)--;
	}
}

bool dmarc_is_record(const char *text, size_t len)
{
	const char *s = text;
	size_t n = len;
	/* RFC 9989 4.7: "v" first; the value is exactly DMARC1. Leading
	 * white space is not allowed before v (checkdmarc and mailauth
	 * agree): a record " v=DMARC1" is not found. */
	if (n < 1 || (s[0] != 'v' && s[0] != 'V'))
		return false;
	s++;
	n--;
	skip_ws(&s, &n);
	if (n < 1 || *s != '=')
		return false;
	s++;
	n--;
	skip_ws(&s, &n);
	if (n < 6 || strncmp(s, "DMARC1", 6) != 0)
		return false;
	s += 6;
	n -= 6;
	return n == 0 || *s == ';' || is_ws(*s);
}

void dmarc_record_free(struct dmarc_record *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nrua; i++) {
		free(r->rua[i].uri);
		free(r->rua[i].address);
		free(r->rua[i].domain);
	}
	for (size_t i = 0; i < r->nruf; i++) {
		free(r->ruf[i].uri);
		free(r->ruf[i].address);
		free(r->ruf[i].domain);
	}
	findings_cleanup(&r->findings);
	free(r);
}

struct parse {
	struct dmarc_record *r;
	bool bad_bis, bad_7489;
	uint64_t seen; /* taglist_mark_seen bits, by tag_id */
};

static void esc(const char *s, size_t n, char *out, size_t outlen)
{
	dns_escape_text(s, n < 80 ? n : 80, out, outlen);
}

static void bad_value(struct parse *p, const char *tag, const char *v, size_t vn,
                      const char *allowed, bool bis, bool old)
{
	char e[400];
	esc(v, vn, e, sizeof(e));
	findings_add(&p->r->findings, "dmarc.invalid_value", FINDING_ERROR, NULL,
	             "Use one of the values the RFC allows; receivers ignore a record they "
	             "cannot read.",
	             "%s=%s is not valid (allowed: %s)", tag, e, allowed);
	p->bad_bis |= bis;
	p->bad_7489 |= old;
}

static int parse_policy(struct parse *p, const char *tag, const char *v, size_t n,
                        enum dmarc_policy *out, bool bis, bool old)
{
	if (word_is(v, n, "none"))
		*out = DMARC_POLICY_NONE;
	else if (word_is(v, n, "quarantine"))
		*out = DMARC_POLICY_QUARANTINE;
	else if (word_is(v, n, "reject"))
		*out = DMARC_POLICY_REJECT;
	else {
		bad_value(p, tag, v, n, "none, quarantine, reject", bis, old);
		return -1;
	}
	return 0;
}

/* A report URI's size limit (RFC 9989 4.7, after the '!'): digits, then
 * an optional unit k/m/g/t (powers of 1024); spaces inside tolerated as
 * Stalwart does. False when malformed. */
static bool parse_size_limit(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	bool digits = false, ok = true;
	char unit = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (is_ws(c))
			continue;
		if (isdigit((unsigned char)c) && unit == 0) {
			digits = true;
			v = v > UINT64_MAX / 10 ? UINT64_MAX : v * 10 + (uint64_t)(c - '0');
		} else if (unit == 0 && strchr("kKmMgGtT", c) != NULL) {
			unit = (char)tolower((unsigned char)c);
		} else {
			ok = false;
		}
	}
	if (!digits || !ok)
		return false;
	int shift = unit == 'k' ? 10 : unit == 'm' ? 20 : unit == 'g' ? 30 : unit == 't' ? 40 : 0;
	*out = v > (UINT64_MAX >> shift) ? UINT64_MAX : v << shift;
	return true;
}

/* Parses one report URI (RFC 9989 4.7 "rua"): mailto:addr[!size[kmgt]],
 * with %-escapes decoded and white space inside tolerated. */
static int parse_uri(struct parse *p, const char *tag, const char *s, size_t n, struct dmarc_uri *u)
{
	char buf[512];
	size_t o = 0;

	trim(&s, &n);
	memset(u, 0, sizeof(*u));
	u->authorized = -1;
	u->uri = strndup(s, n);
	if (u->uri == NULL)
		return -1;
	if (n < 7 || strncasecmp(s, "mailto:", 7) != 0) {
		char e[400];
		esc(s, n, e, sizeof(e));
		findings_add(&p->r->findings, "dmarc.bad_uri", FINDING_ERROR, NULL,
		             "Write report addresses as mailto:address (RFC 9989 4.7).",
		             "%s URI \"%s\" is not a mailto: URI; no reports go there", tag, e);
		return 0;
	}
	s += 7;
	n -= 7;
	const char *bang = memchr(s, '!', n);
	size_t an = bang ? (size_t)(bang - s) : n;
	for (size_t i = 0; i < an && o + 1 < sizeof(buf); i++) {
		char c = s[i];
		if (c == '%' && i + 2 < an && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			c = (char)strtol(hex, NULL, 16);
			i += 2;
		}
		if (!is_ws(c))
			buf[o++] = c;
	}
	buf[o] = '\0';
	const char *at = strrchr(buf, '@');
	/* The address's domain is text: a name once escaped (dnsutil.h,
	 * "Names"), so a '\' in it is a byte, not the start of an escape. */
	char dom[DNS_NAME_BUF], name[DNS_NAME_BUF];
	if (at == NULL || at == buf || dns_name_from_text(at + 1, name, sizeof(name)) != 0 ||
	    dns_name_normalize(name, dom, sizeof(dom)) != 0 || strchr(dom, '.') == NULL) {
		char e[400];
		esc(u->uri, strlen(u->uri), e, sizeof(e));
		findings_add(&p->r->findings, "dmarc.bad_uri", FINDING_ERROR, NULL,
		             "Write report addresses as mailto:local@domain.",
		             "%s URI \"%s\" has no usable mail address", tag, e);
		return 0;
	}
	if (bang != NULL) {
		if (!parse_size_limit(s + an + 1, n - an - 1, &u->max_bytes)) {
			char e[400];
			esc(u->uri, strlen(u->uri), e, sizeof(e));
			findings_add(&p->r->findings, "dmarc.bad_uri", FINDING_ERROR, NULL,
			             "Write a size limit as !10m (k, m, g or t).",
			             "%s URI \"%s\" has a malformed size limit", tag, e);
			return 0;
		}
	}
	u->address = strdup(buf);
	u->domain = strdup(dom);
	if (u->address == NULL || u->domain == NULL)
		return -1;
	u->valid = true;
	return 0;
}

static int parse_uris(struct parse *p, const char *tag, const char *v, size_t n,
                      struct dmarc_uri *uris, size_t *nuris)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && v[i] != ',')
			continue;
		if (*nuris >= DMARC_MAX_URIS) {
			findings_add(&p->r->findings, "dmarc.too_many_uris", FINDING_WARNING, NULL,
			             "List at most a few report addresses.",
			             "%s lists more than %d URIs; the rest are ignored", tag,
			             DMARC_MAX_URIS);
			return 0;
		}
		if (parse_uri(p, tag, v + start, i - start, &uris[*nuris]) != 0) {
			(*nuris)++;
			return -1;
		}
		(*nuris)++;
		start = i + 1;
	}
	return 0;
}

static bool fo_ok(const char *v, size_t n)
{
	/* fo = 0/1/d/s joined by ':' (RFC 9989 4.7). */
	bool want_opt = true;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (is_ws(c))
			continue;
		if (want_opt) {
			if (strchr("01dsDS", c) == NULL)
				return false;
			want_opt = false;
		} else if (c == ':') {
			want_opt = true;
		} else {
			return false;
		}
	}
	return !want_opt;
}

/* One tag's value: 0, or -1 on allocation failure. */
typedef int (*tag_fn)(struct parse *p, const char *tag, const char *v, size_t n);

static int tag_v(struct parse *p, const char *tag, const char *v, size_t n)
{
	/* dmarc_is_record has read it already. */
	(void)p;
	(void)tag;
	(void)v;
	(void)n;
	return 0;
}

static int tag_p(struct parse *p, const char *tag, const char *v, size_t n)
{
	p->r->p_valid = parse_policy(p, tag, v, n, &p->r->p, true, true) == 0;
	return 0;
}

static int tag_sp(struct parse *p, const char *tag, const char *v, size_t n)
{
	parse_policy(p, tag, v, n, &p->r->sp, true, true);
	return 0;
}

static int tag_np(struct parse *p, const char *tag, const char *v, size_t n)
{
	/* np is RFC 9989's; RFC 7489 ignores it as unknown. */
	parse_policy(p, tag, v, n, &p->r->np, true, false);
	return 0;
}

static int tag_psd(struct parse *p, const char *tag, const char *v, size_t n)
{
	if (n == 1 && strchr("ynuYNU", v[0]) != NULL)
		p->r->psd = (char)tolower((unsigned char)v[0]);
	else
		bad_value(p, tag, v, n, "y, n, u", true, false);
	return 0;
}

static int tag_t(struct parse *p, const char *tag, const char *v, size_t n)
{
	if (n == 1 && strchr("ynYN", v[0]) != NULL)
		p->r->t = tolower((unsigned char)v[0]) == 'y';
	else
		bad_value(p, tag, v, n, "y, n", true, false);
	return 0;
}

/* adkim and aspf: r or s. */
static int alignment(struct parse *p, const char *tag, const char *v, size_t n, char *slot)
{
	if (n == 1 && strchr("rsRS", v[0]) != NULL)
		*slot = (char)tolower((unsigned char)v[0]);
	else
		bad_value(p, tag, v, n, "r, s", true, true);
	return 0;
}

static int tag_adkim(struct parse *p, const char *tag, const char *v, size_t n)
{
	return alignment(p, tag, v, n, &p->r->adkim);
}

static int tag_aspf(struct parse *p, const char *tag, const char *v, size_t n)
{
	return alignment(p, tag, v, n, &p->r->aspf);
}

static int tag_fo(struct parse *p, const char *tag, const char *v, size_t n)
{
	if (fo_ok(v, n) && n < sizeof(p->r->fo)) {
		memcpy(p->r->fo, v, n);
		p->r->fo[n] = '\0';
	} else {
		bad_value(p, tag, v, n, "0, 1, d, s joined by ':'", true, true);
	}
	return 0;
}

static int tag_rua(struct parse *p, const char *tag, const char *v, size_t n)
{
	return parse_uris(p, tag, v, n, p->r->rua, &p->r->nrua);
}

static int tag_ruf(struct parse *p, const char *tag, const char *v, size_t n)
{
	return parse_uris(p, tag, v, n, p->r->ruf, &p->r->nruf);
}

/* pct, rf, ri: removed by RFC 9989, still read for RFC 7489. */
static void removed(struct parse *p, const char *tag)
{
	findings_add(&p->r->findings, "dmarc.removed_tag", FINDING_INFO, NULL,
	             "Keep it only for receivers that still follow RFC 7489.",
	             "tag %s was removed by RFC 9989; RFC 7489 receivers still read it", tag);
}

static int tag_pct(struct parse *p, const char *tag, const char *v, size_t n)
{
	removed(p, tag);
	long val = -1;
	if (n > 0 && n <= 3) {
		val = 0;
		for (size_t j = 0; j < n && val >= 0; j++)
			val = isdigit((unsigned char)v[j]) ? val * 10 + (v[j] - '0') : -1;
	}
	if (val < 0 || val > 100) {
		p->r->pct_valid = false;
		bad_value(p, tag, v, n, "0 to 100 (RFC 7489)", false, true);
	} else {
		p->r->pct = (int)val;
	}
	return 0;
}

static int tag_rf(struct parse *p, const char *tag, const char *v, size_t n)
{
	removed(p, tag);
	if (!word_is(v, n, "afrf"))
		bad_value(p, tag, v, n, "afrf (RFC 7489)", false, true);
	return 0;
}

static int tag_ri(struct parse *p, const char *tag, const char *v, size_t n)
{
	removed(p, tag);
	bool digits = n > 0 && n <= 10;
	for (size_t j = 0; j < n && digits; j++)
		digits = isdigit((unsigned char)v[j]);
	if (!digits)
		bad_value(p, tag, v, n, "seconds (RFC 7489)", false, true);
	return 0;
}

/* RFC 9989 4.7 (and RFC 7489 6.3 for pct, rf, ri); names in any case. */
enum tag_id {
	TAG_V,
	TAG_P,
	TAG_SP,
	TAG_NP,
	TAG_PSD,
	TAG_T,
	TAG_PCT,
	TAG_RUA,
	TAG_RUF,
	TAG_ADKIM,
	TAG_ASPF,
	TAG_FO,
	TAG_RF,
	TAG_RI,
	TAG_COUNT
};

static const struct taglist_tag tags[TAG_COUNT] = {
	{ "v", TAG_V },     { "p", TAG_P },         { "sp", TAG_SP },     { "np", TAG_NP },
	{ "psd", TAG_PSD }, { "t", TAG_T },         { "pct", TAG_PCT },   { "rua", TAG_RUA },
	{ "ruf", TAG_RUF }, { "adkim", TAG_ADKIM }, { "aspf", TAG_ASPF }, { "fo", TAG_FO },
	{ "rf", TAG_RF },   { "ri", TAG_RI },
};

static const tag_fn handlers[TAG_COUNT] = {
	[TAG_V] = tag_v,     [TAG_P] = tag_p,         [TAG_SP] = tag_sp,     [TAG_NP] = tag_np,
	[TAG_PSD] = tag_psd, [TAG_T] = tag_t,         [TAG_PCT] = tag_pct,   [TAG_RUA] = tag_rua,
	[TAG_RUF] = tag_ruf, [TAG_ADKIM] = tag_adkim, [TAG_ASPF] = tag_aspf, [TAG_FO] = tag_fo,
	[TAG_RF] = tag_rf,   [TAG_RI] = tag_ri,
};

static void syntax_error(struct parse *p, const char *fix, const char *what, const char *s,
                         size_t n)
{
	char e[400];
	esc(s, n, e, sizeof(e));
	findings_add(&p->r->findings, "dmarc.syntax", FINDING_ERROR, NULL, fix, "\"%s\" %s", e,
	             what);
	p->bad_bis = p->bad_7489 = true;
}

/* One non-empty tag-spec: 0, or -1 on allocation failure. */
static int read_spec(struct parse *p, const struct taglist_spec *s)
{
	if (s->cls == TAGLIST_NO_EQUALS) {
		syntax_error(p, "Write every tag as name=value.", "is not a tag=value pair",
		             s->spec, s->spec_len);
		return 0;
	}
	if (s->cls == TAGLIST_EMPTY_NAME) {
		syntax_error(p, "Write every tag as name=value.", "has no tag name", s->spec,
		             s->spec_len);
		return 0;
	}
	/* A BAD_NAME (not RFC 6376's tag-name) is simply not one of ours. */
	const struct taglist_tag *t =
	        taglist_find(tags, TAG_COUNT, s->name, s->name_len, TAGLIST_CASE_INSENSITIVE);
	if (t == NULL) {
		char e[400];
		esc(s->name, s->name_len, e, sizeof(e));
		findings_add(&p->r->findings, "dmarc.unknown_tag", FINDING_INFO, NULL,
		             "Remove it; receivers ignore unknown tags.",
		             "unknown tag \"%s\" is ignored", e);
		return 0;
	}
	if (taglist_mark_seen(&p->seen, t->id)) {
		findings_add(&p->r->findings, "dmarc.duplicate_tag", FINDING_ERROR, NULL,
		             "Keep one of them: a record with a repeated tag is invalid.",
		             "tag %s appears more than once", t->name);
		p->bad_bis = p->bad_7489 = true;
		return 0;
	}
	return handlers[t->id](p, t->name, s->value, s->value_len);
}

static struct dmarc_record *record_new(void)
{
	struct dmarc_record *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->psd = 'u';
	r->adkim = r->aspf = 'r';
	r->pct = -1;
	r->pct_valid = true;
	snprintf(r->fo, sizeof(r->fo), "0");
	return r;
}

/* The record-wide rules once every tag is read. */
static void finish(struct parse *p)
{
	struct dmarc_record *r = p->r;
	bool has_p = taglist_was_seen(p->seen, TAG_P);
	for (size_t i = 0; i < r->nrua; i++)
		r->rua_valid |= r->rua[i].valid;
	if (!has_p) {
		/* RFC 9989 4.7: without p, a valid rua means p=none; RFC
		 * 7489 6.3: p is required. */
		findings_add(&r->findings, "dmarc.missing_p",
		             r->rua_valid ? FINDING_WARNING : FINDING_ERROR, NULL,
		             "Add p= right after v=DMARC1 (p=none to start monitoring).",
		             r->rua_valid
		                     ? "no p tag: RFC 9989 reads it as p=none, RFC 7489 "
		                       "receivers ignore the record"
		                     : "no p tag and no valid rua: receivers ignore the record");
		p->bad_7489 = true;
		if (!r->rua_valid)
			p->bad_bis = true;
	}
	r->invalid = p->bad_bis || (has_p && !r->p_valid);
	r->invalid_7489 = p->bad_7489 || (has_p && !r->p_valid);
}

/*
 * What makes a whole record unreadable before its tags are read: more
 * bytes than posture reads (DNS_TXT_MAX_BYTES), or a NUL byte, which no
 * part of the grammar allows (RFC 7489 6.4) and which a reader that takes
 * the record as a C string would cut it at. Returns true when the record
 * is not to be read further (too long).
 */
static bool whole_record(struct parse *p, const char *text, size_t len)
{
	char e[400];
	if (len > DNS_TXT_MAX_BYTES) {
		esc(text, 32, e, sizeof(e));
		findings_add(&p->r->findings, "dmarc.syntax", FINDING_ERROR, NULL,
		             "Keep the record short: a few report addresses, not hundreds.",
		             "the record \"%s...\" is %zu bytes, more than posture reads (%d, "
		             "DNS_TXT_MAX_BYTES): not read",
		             e, len, DNS_TXT_MAX_BYTES);
		p->bad_bis = p->bad_7489 = true;
		return true;
	}
	const char *nul = memchr(text, '\0', len);
	if (nul != NULL) {
		esc(text, len, e, sizeof(e));
		findings_add(&p->r->findings, "dmarc.syntax", FINDING_ERROR, NULL,
		             "Publish the record as plain text, without NUL bytes.",
		             "the record \"%s\" holds a NUL byte (\\000) at byte %zu: receivers "
		             "cannot read it",
		             e, (size_t)(nul - text));
		p->bad_bis = p->bad_7489 = true;
	}
	return false;
}

int dmarc_parse(const char *text, size_t len, struct dmarc_record **out)
{
	struct parse p = { 0 };
	struct taglist_iter it;
	struct taglist_spec s;
	size_t ntags = 0;

	*out = NULL;
	p.r = record_new();
	if (p.r == NULL)
		return -1;
	if (!dmarc_is_record(text, len)) {
		char e[400];
		esc(text, len, e, sizeof(e));
		findings_add(&p.r->findings, "dmarc.syntax", FINDING_ERROR, NULL,
		             "Start the record with exactly \"v=DMARC1;\".",
		             "the record \"%s\" does not start with v=DMARC1", e);
		p.r->invalid = p.r->invalid_7489 = true;
		*out = p.r;
		return 0;
	}
	if (whole_record(&p, text, len)) {
		p.r->invalid = p.r->invalid_7489 = true;
		*out = p.r;
		return 0;
	}
	/* RFC 7489 6.4: white space around '=' and ';' is WSP only. */
	taglist_begin(&it, text, len, TAGLIST_SPACE_WSP);
	while (taglist_next(&it, &s)) {
		if (s.cls == TAGLIST_EMPTY)
			continue; /* ";;" and a trailing ";" are tolerated */
		if (++ntags > DMARC_MAX_TAGS) {
			findings_add(&p.r->findings, "dmarc.syntax", FINDING_ERROR, NULL,
			             "Publish only the tags you need.",
			             "more than %d tags; the record is not read further",
			             DMARC_MAX_TAGS);
			p.bad_bis = p.bad_7489 = true;
			break;
		}
		if (read_spec(&p, &s) != 0) {
			dmarc_record_free(p.r);
			return -1;
		}
	}
	finish(&p);
	*out = p.r;
	return 0;
}
