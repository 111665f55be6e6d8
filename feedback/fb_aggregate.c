/*
 * fb_aggregate.c — DMARC aggregate reports (RFC 7489 appendix C; RFC
 * 9990, namespace urn:ietf:params:xml:ns:dmarc-2.0) on libxml2, the only
 * file of feedback/ that includes it.
 *
 * Every report is hostile input, so, in this order:
 *  1. a document that contains "<!DOCTYPE" (any case) anywhere is refused
 *     before it is parsed: a report needs no DTD, and a DTD is where
 *     external entities (XXE: file:///etc/passwd) and entity expansion
 *     ("billion laughs") live. The bytes could hide one in another
 *     encoding (UTF-16, or UTF-7 through an encoding declaration), so the
 *     parser refuses it too: its internalSubset hook stops the parse at
 *     the first DOCTYPE it decodes, before the internal subset is read.
 *  2. parse without XML_PARSE_NOENT (no entity substitution), DTDLOAD,
 *     DTDATTR, DTDVALID or HUGE (libxml2 keeps its depth limit of 256 and
 *     its 10 MB text node limit), with XML_PARSE_NONET, and an external
 *     entity loader that refuses everything, installed process-wide once
 *     (util/xmlsafe.h, shared with scanner/bimi/svg.c).
 *  3. a document that is not well-formed is read again in recovery mode:
 *     receivers send broken XML (an unescaped "<" in a value, a stray
 *     wrapper element, a byte that is not UTF-8) and the report is still
 *     worth its counts. A finding says so, with the parser's message.
 *  4. every value is read into its fixed-size field of feedback.h as
 *     valid UTF-8 (posture never stores anything else), cut at a
 *     character boundary when longer; rows stop at FB_ROWS_MAX.
 *  5. each record is read as the parser closes it and then taken out of
 *     the tree (on_end_element), so the tree holds one record at a time:
 *     a 32 MiB report costs its rows, not libxml2's nodes for all of it.
 *
 * Deviations from the schema are findings on the report, never a lost
 * report. A report is refused only when it has no feedback element or no
 * report_id: a report's identity is (kind, org, report_id), and without
 * an id the same report imported twice would be counted twice
 * (parsedmarc refuses such reports too).
 */
#include "feedback.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fb_impl.h"
#include "strutil.h"
#include "xmlsafe.h"

#define NS_RFC9990 "urn:ietf:params:xml:ns:dmarc-2.0"
/* RFC 7489 appendix C's schema names this target namespace; reports
 * almost never send it, but it is the same schema. */
#define NS_RFC7489 "http://dmarc.org/dmarc-xml/0.1"

#define AUTH_MAX   32   /* DKIM or SPF results kept per record */
#define TEXT_MAX   2048 /* bytes of an element's text looked at (fields hold <= FB_TEXT) */
/* A row's count above this is not a real number of messages (10^12: a
 * million rows of it still add up within 2^63, the store's integers). */
#define COUNT_MAX 1000000000000ull

static const char FIX_XML[] = "Nothing to change in your DNS: the receiver sends malformed XML. "
                              "If the counts look wrong, tell the reporter.";
static const char FIX_SCHEMA[] = "Nothing to change in your DNS: the receiver's report deviates "
                                 "from the aggregate report schema (RFC 7489 appendix C, RFC "
                                 "9990).";

static const char *const DISPOSITIONS[] = { "none", "pass", "quarantine", "reject", NULL };
static const char *const POLICIES[] = { "none", "quarantine", "reject", NULL };
static const char *const DMARC_RESULTS[] = { "pass", "fail", NULL };
static const char *const DKIM_RESULTS[] = { "none",    "pass",      "fail",      "policy",
	                                    "neutral", "temperror", "permerror", NULL };
static const char *const SPF_RESULTS[] = { "none",     "neutral",   "pass",      "fail",
	                                   "softfail", "temperror", "permerror", NULL };
static const char *const SCOPES[] = { "mfrom", "helo", NULL };
static const char *const ALIGNMENTS[] = { "r", "s", NULL };
static const char *const TESTING[] = { "n", "y", NULL };
/* RFC 7489's PolicyOverrideType and RFC 9990's policy_test_mode. */
static const char *const REASONS[] = { "forwarded",         "sampled_out",
	                               "trusted_forwarder", "mailing_list",
	                               "local_policy",      "other",
	                               "policy_test_mode",  NULL };

/* ---- the parser ------------------------------------------------------------ */

/* What one parse saw. */
struct parse_state {
	int doctype;         /* a DOCTYPE or an entity declaration was decoded */
	int encoding_errors; /* bytes that are not in the document's encoding */
	int encoding_line;   /* the first of them */
	char encoding[160];
	int errors;     /* the others */
	int first_line; /* the first of the others */
	char first[160];
	int any_line; /* the first error of any kind, for a refusal */
	char any[160];
	/* Records are read as the parser closes each one, then freed: the
	 * tree never holds more than one (on_end_element). */
	struct agg *g;
	int oom;
};

struct agg;
static int add_record(struct agg *g, const xmlNode *rec);
static void feedback_child(struct agg *g, const xmlNode *fb, const xmlNode *n);

/* libxml2's message on one line: its inner line ends become "; ". */
static void keep_message(char *dst, size_t size, const char *msg)
{
	char line[512];
	size_t o = 0;
	for (; msg != NULL && *msg != '\0' && o + 3 < sizeof(line); msg++) {
		if (*msg != '\n') {
			line[o++] = *msg;
		} else if (msg[1] != '\0') {
			line[o++] = ';';
			line[o++] = ' ';
		}
	}
	line[o] = '\0';
	fb_text_copy(dst, size, line, o);
}

/* An error about the bytes' encoding rather than the XML: libxml2 2.9
 * reports bytes that are not UTF-8 as XML_ERR_INVALID_CHAR "Input is not
 * proper UTF-8", later versions as XML_ERR_INVALID_ENCODING. */
static int encoding_error(const xmlError *e)
{
	return e->code == XML_ERR_INVALID_ENCODING || e->code == XML_ERR_UNSUPPORTED_ENCODING ||
	       (e->code == XML_ERR_INVALID_CHAR && e->message != NULL &&
	        strstr(e->message, "UTF-8") != NULL);
}

static void on_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr c = ctx;
	struct parse_state *s = c ? c->_private : NULL;
	if (s == NULL || e == NULL || e->level == XML_ERR_WARNING)
		return;
	if (s->encoding_errors + s->errors == 0) {
		s->any_line = e->line;
		keep_message(s->any, sizeof(s->any), e->message);
	}
	if (encoding_error(e)) {
		if (s->encoding_errors++ == 0) {
			s->encoding_line = e->line;
			keep_message(s->encoding, sizeof(s->encoding), e->message);
		}
		return;
	}
	if (s->errors++ == 0) {
		s->first_line = e->line;
		keep_message(s->first, sizeof(s->first), e->message);
	}
}

static void on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
                               const xmlChar *sys)
{
	xmlParserCtxtPtr c = ctx;
	(void)name;
	(void)ext;
	(void)sys;
	((struct parse_state *)c->_private)->doctype = 1;
	xmlStopParser(c);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *id,
                           const xmlChar *sys, xmlChar *content)
{
	(void)name;
	(void)type;
	(void)id;
	(void)sys;
	(void)content;
	on_internal_subset(ctx, NULL, NULL, NULL);
}

/* libxml2's own end of an element, then, for a record of <feedback>, the
 * record read and taken out of the tree: a report of 100,000 records
 * costs one record's nodes, not all of them (the rows are kept). */
static void on_end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                           const xmlChar *uri)
{
	xmlParserCtxtPtr c = ctx;
	struct parse_state *s = c->_private;
	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
	if (s == NULL || s->g == NULL)
		return;
	xmlNodePtr parent = c->node, rec = parent != NULL ? parent->last : NULL;
	if (rec == NULL || rec->type != XML_ELEMENT_NODE || parent->type != XML_ELEMENT_NODE ||
	    !xmlStrEqual(parent->name, BAD_CAST "feedback") || !xmlStrEqual(rec->name, localname))
		return;
	if (!xmlStrEqual(localname, BAD_CAST "record")) {
		feedback_child(s->g, parent, rec);
		return;
	}
	feedback_child(s->g, parent, NULL);
	if (add_record(s->g, rec) != 0)
		s->oom = 1;
	/* The white space before it goes too, or the text between records
	 * would pile up in one node. */
	xmlNodePtr prev = rec->prev;
	if (prev != NULL && prev->type == XML_TEXT_NODE && xmlIsBlankNode(prev)) {
		xmlUnlinkNode(prev);
		xmlFreeNode(prev);
	}
	xmlUnlinkNode(rec);
	xmlFreeNode(rec);
	/* libxml2 grows the text node it writes in place (nodelen, nodemem,
	 * of the text it wrote last, inside the record): the next text must
	 * start afresh, not be appended to a node those figures do not
	 * describe. */
	c->nodemem = 0;
	c->nodelen = 0;
}

/* True when the bytes hold "<!DOCTYPE" in any case. */
static int has_doctype(const uint8_t *xml, size_t len)
{
	const uint8_t *p = xml, *end = xml + len;
	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) >= 9 && strncasecmp((const char *)p + 1, "!DOCTYPE", 8) == 0)
			return 1;
		p++;
	}
	return 0;
}

/* The document, or NULL; *well_formed tells whether it was. */
static xmlDocPtr parse(const uint8_t *xml, size_t len, int recover, struct parse_state *s,
                       int *well_formed)
{
	xmlDocPtr doc;
	xmlParserCtxtPtr c = xmlNewParserCtxt();
	*well_formed = 0;
	if (c == NULL)
		return NULL;
	c->_private = s;
	c->sax->serror = on_error;
	c->sax->internalSubset = on_internal_subset;
	c->sax->externalSubset = NULL; /* never read an external DTD */
	c->sax->entityDecl = on_entity_decl;
	c->sax->endElementNs = on_end_element;
	/* Not XML_PARSE_NOENT (no substitution), not DTDLOAD/DTDATTR/DTDVALID,
	 * not HUGE (keeps libxml2's depth and size limits). */
	doc = xmlCtxtReadMemory(c, (const char *)xml, (int)len, NULL, NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	                                XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES |
	                                (recover ? XML_PARSE_RECOVER : 0));
	*well_formed = doc != NULL && c->wellFormed && !s->doctype;
	xmlFreeParserCtxt(c);
	return doc;
}

/* ---- reading the tree --------------------------------------------------- */

struct agg {
	struct fb_report *r;
	struct fb_aggregate *a;
	int upper_seen, cut_seen, utf8_seen;
	struct fb_bad bad;       /* report.bad_field findings */
	size_t no_envelope_from; /* records without one */
	size_t rows_cap;         /* a->rows allocated */
	int rows_capped;         /* FB_ROWS_MAX reached (said once) */
	/* What on_end_element read already, in document order: the root
	 * and namespace, report_metadata, policy_published. */
	int started, meta_read, policy_read;
};

enum how {
	AS_SENT, /* trimmed */
	DOMAIN,  /* lower-cased: DNS names are case-insensitive (RFC 4343), no finding */
	WORD,    /* lower-cased, with a finding: the schema's enumerations are lower case */
};

static const xmlNode *child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name))
			return c;
	return NULL;
}

static int is_named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

static int only_space(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	return 1;
}

/* The text of element n (its text children, CDATA merged by the parser)
 * in buf, at most cap - 1 bytes, never ending in a cut UTF-8 sequence;
 * *more is set when text other than white space was left out. */
static size_t node_text(const xmlNode *n, char *buf, size_t cap, int *more)
{
	size_t len = 0;
	int full = 0;
	*more = 0;
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
			continue;
		const char *t = (const char *)c->content;
		if (t == NULL)
			continue;
		size_t tl = strlen(t), take = tl;
		if (full) {
			*more = *more || !only_space(t);
			continue;
		}
		if (tl > cap - 1 - len) {
			take = cap - 1 - len;
			/* Back up to the start of a character (10xxxxxx continues one). */
			while (take > 0 && ((unsigned char)t[take] & 0xc0) == 0x80)
				take--;
			full = 1;
			*more = !only_space(t + take);
		}
		memcpy(buf + len, t, take);
		len += take;
	}
	buf[len] = '\0';
	return len;
}

/* Notes what fb_text_copy did to the value at path (once per report each). */
static void note_text(struct agg *g, unsigned flags, const char *path, size_t size)
{
	if ((flags & FB_TEXT_BAD_UTF8) && !g->utf8_seen) {
		g->utf8_seen = 1;
		findings_add(&g->r->findings, "report.invalid_utf8", FINDING_WARNING, path, FIX_XML,
		             "%s holds bytes that are not UTF-8: each became U+FFFD", path);
	}
	if ((flags & FB_TEXT_CUT) && !g->cut_seen) {
		g->cut_seen = 1;
		findings_add(&g->r->findings, "report.value_truncated", FINDING_WARNING, path,
		             FIX_SCHEMA,
		             "%s is longer than the %zu bytes posture keeps: cut (later values "
		             "cut too are not listed)",
		             path, size - 1);
	}
}

/* Reads the element name of parent into dst; "" when it is absent or
 * empty: an empty element says no more than an absent one (71 % of real
 * reports send an empty <sp>), so neither is a finding here. Returns 1
 * when there is a value. */
static int get(struct agg *g, const xmlNode *parent, const char *name, char *dst, size_t size,
               enum how how, const char *at)
{
	char raw[TEXT_MAX], path[128], shown[80];
	int more;
	const xmlNode *n = child(parent, name);

	dst[0] = '\0';
	if (n == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", at, name);
	size_t len = node_text(n, raw, sizeof(raw), &more);
	unsigned flags = fb_text_copy(dst, size, raw, len) | (more ? FB_TEXT_CUT : 0);
	note_text(g, flags, path, size);
	if (how == AS_SENT || dst[0] == '\0')
		return dst[0] != '\0';
	fb_text_show(dst, shown, sizeof(shown));
	if (fb_text_lower(dst) && how == WORD && !g->upper_seen) {
		g->upper_seen = 1;
		findings_add(&g->r->findings, "report.uppercase_value", FINDING_INFO, path,
		             FIX_SCHEMA,
		             "%s is \"%s\": the schema's values are lower case; read lower-cased "
		             "(later upper-case values are not listed)",
		             path, shown);
	}
	return 1;
}

/* A value of an enumeration of the schema: any other word is a finding
 * (the value is kept as sent, lower-cased). */
static void check_word(struct agg *g, const char *value, const char *const *allowed, const char *at,
                       const char *name)
{
	char list[160] = "", shown[80], path[128];
	if (value[0] == '\0')
		return;
	for (size_t i = 0; allowed[i] != NULL; i++)
		if (strcmp(value, allowed[i]) == 0)
			return;
	for (size_t i = 0; allowed[i] != NULL; i++) {
		size_t used = strlen(list);
		snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", allowed[i]);
	}
	snprintf(path, sizeof(path), "%s/%s", at, name);
	fb_bad_field(&g->bad, FINDING_WARNING, path, "%s is \"%s\", not one of %s", path,
	             fb_text_show(value, shown, sizeof(shown)), list);
}

/* xs:integer: optional sign, digits; white space around it tolerated. */
static int parse_int(const char *s, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > ((uint64_t)INT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static void read_date_range(struct agg *g, const xmlNode *meta)
{
	static const char at[] = "report_metadata/date_range";
	const xmlNode *range = child(meta, "date_range");
	char begin[64], end[64], shown[80];
	int64_t b = 0, e = 0;
	int ok_b, ok_e;

	get(g, range, "begin", begin, sizeof(begin), AS_SENT, at);
	get(g, range, "end", end, sizeof(end), AS_SENT, at);
	ok_b = parse_int(begin, &b) == 0 && b >= 0;
	ok_e = parse_int(end, &e) == 0 && e >= 0;
	if (!ok_b || !ok_e) {
		const char *which = !ok_b ? "begin" : "end";
		const char *v = !ok_b ? begin : end;
		findings_add(
		        &g->r->findings, "report.bad_date_range", FINDING_WARNING, at, FIX_SCHEMA,
		        v[0] ? "date_range/%s is \"%s\", not Unix seconds: the report's period "
		               "is unknown"
		             : "date_range/%s is missing: the report's period is unknown",
		        which, fb_text_show(v, shown, sizeof(shown)));
	} else if (b > e) {
		findings_add(&g->r->findings, "report.bad_date_range", FINDING_WARNING, at,
		             FIX_SCHEMA, "date_range begins (%lld) after it ends (%lld)",
		             (long long)b, (long long)e);
	}
	g->a->begin = ok_b ? b : 0;
	g->a->end = ok_e ? e : 0;
}

static void read_metadata(struct agg *g, const xmlNode *fb)
{
	static const char at[] = "report_metadata";
	const xmlNode *meta = child(fb, at);
	struct fb_aggregate *a = g->a;

	get(g, meta, "org_name", a->org, sizeof(a->org), AS_SENT, at);
	get(g, meta, "email", a->email, sizeof(a->email), AS_SENT, at);
	get(g, meta, "extra_contact_info", a->extra_contact, sizeof(a->extra_contact), AS_SENT, at);
	get(g, meta, "report_id", a->report_id, sizeof(a->report_id), AS_SENT, at);
	read_date_range(g, meta);
}

static void read_policy(struct agg *g, const xmlNode *fb)
{
	static const char at[] = "policy_published";
	const xmlNode *pp = child(fb, at);
	struct fb_aggregate *a = g->a;
	char pct[32], shown[80];
	int64_t v;

	get(g, pp, "domain", a->domain, sizeof(a->domain), DOMAIN, at);
	get(g, pp, "adkim", a->adkim, sizeof(a->adkim), WORD, at);
	check_word(g, a->adkim, ALIGNMENTS, at, "adkim");
	get(g, pp, "aspf", a->aspf, sizeof(a->aspf), WORD, at);
	check_word(g, a->aspf, ALIGNMENTS, at, "aspf");
	if (!get(g, pp, "p", a->p, sizeof(a->p), WORD, at))
		fb_bad_field(
		        &g->bad, FINDING_WARNING, "policy_published/p",
		        "policy_published has no p: the policy the reporter applied is unknown");
	check_word(g, a->p, POLICIES, at, "p");
	get(g, pp, "sp", a->sp, sizeof(a->sp), WORD, at);
	check_word(g, a->sp, POLICIES, at, "sp");
	get(g, pp, "np", a->np, sizeof(a->np), WORD, at);
	check_word(g, a->np, POLICIES, at, "np");
	get(g, pp, "fo", a->fo, sizeof(a->fo), AS_SENT, at);
	get(g, pp, "testing", a->testing, sizeof(a->testing), WORD, at);
	check_word(g, a->testing, TESTING, at, "testing");
	a->pct = -1;
	if (get(g, pp, "pct", pct, sizeof(pct), AS_SENT, at)) {
		if (parse_int(pct, &v) == 0 && v >= 0 && v <= 100)
			a->pct = (int)v;
		else
			fb_bad_field(
			        &g->bad, FINDING_WARNING, "policy_published/pct",
			        "policy_published/pct is \"%s\", not a percentage from 0 to 100",
			        fb_text_show(pct, shown, sizeof(shown)));
	}
}

/* ---- records --------------------------------------------------------------- */

static void read_row(struct agg *g, struct fb_row *row, const xmlNode *rec, const char *rat)
{
	char at[96], ip[FB_NAME], count[64], shown[80];
	const xmlNode *rown = child(rec, "row");
	int64_t n = 0;

	snprintf(at, sizeof(at), "%s/row", rat);
	if (rown == NULL)
		fb_bad_field(&g->bad, FINDING_WARNING, at, "%s has no row: no source, counted as 0",
		             rat);
	if (!get(g, rown, "source_ip", ip, sizeof(ip), AS_SENT, at))
		fb_bad_field(&g->bad, FINDING_WARNING, at, "%s/source_ip is missing", at);
	else if (fb_ip_canon(ip, row->source_ip, sizeof(row->source_ip)) != 0)
		fb_bad_field(&g->bad, FINDING_WARNING, at,
		             "%s/source_ip is \"%s\", not an IP address", at,
		             fb_text_show(ip, shown, sizeof(shown)));
	if (!get(g, rown, "count", count, sizeof(count), AS_SENT, at))
		fb_bad_field(&g->bad, FINDING_WARNING, at, "%s/count is missing: counted as 0", at);
	else if (parse_int(count, &n) != 0 || n < 0 || (uint64_t)n > COUNT_MAX)
		fb_bad_field(&g->bad, FINDING_WARNING, at,
		             "%s/count is \"%s\", not a number of messages: counted as 0", at,
		             fb_text_show(count, shown, sizeof(shown)));
	else
		row->count = (uint64_t)n;

	const xmlNode *pe = child(rown, "policy_evaluated");
	snprintf(at, sizeof(at), "%s/row/policy_evaluated", rat);
	if (!get(g, pe, "disposition", row->disposition, sizeof(row->disposition), WORD, at))
		fb_bad_field(&g->bad, FINDING_WARNING, at, "%s/disposition is missing", at);
	check_word(g, row->disposition, DISPOSITIONS, at, "disposition");
	get(g, pe, "dkim", row->dkim, sizeof(row->dkim), WORD, at);
	check_word(g, row->dkim, DMARC_RESULTS, at, "dkim");
	get(g, pe, "spf", row->spf, sizeof(row->spf), WORD, at);
	check_word(g, row->spf, DMARC_RESULTS, at, "spf");
	/* RFC 7489 appendix C: any number of reasons, each a type and a
	 * comment; the types are kept space-separated, an empty one skipped. */
	snprintf(at, sizeof(at), "%s/row/policy_evaluated/reason", rat);
	for (const xmlNode *c = pe ? pe->children : NULL; c != NULL; c = c->next) {
		char type[FB_WORD];
		if (!is_named(c, "reason") || !get(g, c, "type", type, sizeof(type), WORD, at))
			continue;
		check_word(g, type, REASONS, at, "type");
		size_t used = strlen(row->reasons);
		if (used + strlen(type) + 2 > sizeof(row->reasons)) {
			note_text(g, FB_TEXT_CUT, at, sizeof(row->reasons));
			break;
		}
		snprintf(row->reasons + used, sizeof(row->reasons) - used, "%s%s", used ? " " : "",
		         type);
	}
}

static void read_identifiers(struct agg *g, struct fb_row *row, const xmlNode *rec, const char *rat)
{
	char at[96];
	const xmlNode *ids = child(rec, "identifiers");

	snprintf(at, sizeof(at), "%s/identifiers", rat);
	if (!get(g, ids, "header_from", row->header_from, sizeof(row->header_from), DOMAIN, at))
		fb_bad_field(&g->bad, FINDING_WARNING, at,
		             "%s/header_from is missing: the domain the record is about is unknown",
		             at);
	if (!get(g, ids, "envelope_from", row->envelope_from, sizeof(row->envelope_from), DOMAIN,
	         at))
		g->no_envelope_from++;
	get(g, ids, "envelope_to", row->envelope_to, sizeof(row->envelope_to), DOMAIN, at);
}

static void read_auth(struct agg *g, struct fb_auth *x, const xmlNode *n, int dkim, const char *at)
{
	get(g, n, "domain", x->domain, sizeof(x->domain), DOMAIN, at);
	get(g, n, "result", x->result, sizeof(x->result), WORD, at);
	check_word(g, x->result, dkim ? DKIM_RESULTS : SPF_RESULTS, at, "result");
	if (dkim) {
		/* Selectors are DNS labels: case-insensitive. */
		get(g, n, "selector", x->selector, sizeof(x->selector), DOMAIN, at);
	} else {
		get(g, n, "scope", x->scope, sizeof(x->scope), WORD, at);
		check_word(g, x->scope, SCOPES, at, "scope");
	}
}

/* auth_results: every dkim and spf element, at most AUTH_MAX of each. */
static int read_auth_results(struct agg *g, struct fb_row *row, const xmlNode *rec, const char *rat)
{
	const xmlNode *ar = child(rec, "auth_results");
	size_t nd = 0, ns = 0, skipped = 0;
	char at[96];

	for (const xmlNode *c = ar ? ar->children : NULL; c != NULL; c = c->next) {
		if (is_named(c, "dkim"))
			nd++;
		else if (is_named(c, "spf"))
			ns++;
	}
	if (nd > AUTH_MAX || ns > AUTH_MAX) {
		skipped = (nd > AUTH_MAX ? nd - AUTH_MAX : 0) + (ns > AUTH_MAX ? ns - AUTH_MAX : 0);
		findings_add(
		        &g->r->findings, "report.rows_truncated", FINDING_WARNING, rat, FIX_SCHEMA,
		        "%s/auth_results lists %zu DKIM and %zu SPF results: %zu past the first "
		        "%d of each are not read",
		        rat, nd, ns, skipped, AUTH_MAX);
		nd = nd > AUTH_MAX ? AUTH_MAX : nd;
		ns = ns > AUTH_MAX ? AUTH_MAX : ns;
	}
	row->dkim_auth = nd ? calloc(nd, sizeof(*row->dkim_auth)) : NULL;
	row->spf_auth = ns ? calloc(ns, sizeof(*row->spf_auth)) : NULL;
	if ((nd && row->dkim_auth == NULL) || (ns && row->spf_auth == NULL))
		return -1;
	for (const xmlNode *c = ar ? ar->children : NULL; c != NULL; c = c->next) {
		if (is_named(c, "dkim") && row->ndkim_auth < nd) {
			snprintf(at, sizeof(at), "%s/auth_results/dkim %zu", rat,
			         row->ndkim_auth + 1);
			read_auth(g, &row->dkim_auth[row->ndkim_auth++], c, 1, at);
		} else if (is_named(c, "spf") && row->nspf_auth < ns) {
			snprintf(at, sizeof(at), "%s/auth_results/spf %zu", rat,
			         row->nspf_auth + 1);
			read_auth(g, &row->spf_auth[row->nspf_auth++], c, 0, at);
		}
	}
	return 0;
}

/* Every record, at most FB_ROWS_MAX. Returns 0, or -1 out of memory. */
/* One record into a row; past FB_ROWS_MAX only counted as left out.
 * Returns 0, or -1 out of memory. */
static int add_record(struct agg *g, const xmlNode *rec)
{
	struct fb_aggregate *a = g->a;
	char rat[48];

	if (a->nrows >= FB_ROWS_MAX) {
		if (!g->rows_capped)
			findings_add(&g->r->findings, "report.rows_truncated", FINDING_WARNING,
			             "record", FIX_SCHEMA,
			             "the report has more than %u records: the rest are not read",
			             (unsigned)FB_ROWS_MAX);
		g->rows_capped = 1;
		return 0;
	}
	if (a->nrows == g->rows_cap) {
		size_t ncap = g->rows_cap ? g->rows_cap * 2 : 16;
		struct fb_row *v = realloc(a->rows, ncap * sizeof(*v));
		if (v == NULL)
			return -1;
		a->rows = v;
		g->rows_cap = ncap;
	}
	struct fb_row *row = &a->rows[a->nrows++];
	memset(row, 0, sizeof(*row));
	snprintf(rat, sizeof(rat), "record %zu", a->nrows);
	read_row(g, row, rec, rat);
	read_identifiers(g, row, rec, rat);
	if (read_auth_results(g, row, rec, rat) != 0)
		return -1;
	a->messages += row->count;
	return 0;
}

/* The records still in the tree (on_end_element takes those of a
 * <feedback> as they close). */
static int read_records(struct agg *g, const xmlNode *fb)
{
	for (const xmlNode *c = fb->children; c != NULL; c = c->next)
		if (is_named(c, "record") && add_record(g, c) != 0)
			return -1;
	return 0;
}

/* ---- the report -------------------------------------------------------------- */

/* prefix:name of an element, as the document wrote it. */
static const char *qname(const xmlNode *n, char *buf, size_t len)
{
	if (n->ns != NULL && n->ns->prefix != NULL)
		snprintf(buf, len, "%s:%s", (const char *)n->ns->prefix, (const char *)n->name);
	else
		snprintf(buf, len, "%s", (const char *)n->name);
	return buf;
}

/* The feedback element: the root, or (a stray wrapper around it) one of
 * the root's children. */
static const xmlNode *find_feedback(struct agg *g, const xmlNode *root)
{
	if (root == NULL)
		return NULL;
	if (is_named(root, "feedback"))
		return root;
	const xmlNode *fb = child(root, "feedback");
	if (fb != NULL && !g->started) {
		char name[96], shown[80];
		qname(root, name, sizeof(name));
		fb_bad_field(
		        &g->bad, FINDING_WARNING, "feedback",
		        "the root element is <%s>, not <feedback>: the <feedback> inside it is "
		        "read",
		        fb_text_show(name, shown, sizeof(shown)));
	}
	return fb;
}

static void read_namespace(struct agg *g, const xmlNode *fb)
{
	const char *ns = fb->ns && fb->ns->href ? (const char *)fb->ns->href : NULL;
	char shown[80];

	str_copy(g->a->schema, sizeof(g->a->schema), "rfc7489");
	if (ns == NULL || strcmp(ns, NS_RFC7489) == 0)
		return;
	if (strcmp(ns, NS_RFC9990) == 0) {
		str_copy(g->a->schema, sizeof(g->a->schema), "rfc9990");
		return;
	}
	findings_add(&g->r->findings, "report.unknown_namespace", FINDING_INFO, "feedback",
	             FIX_SCHEMA,
	             "<feedback> is in namespace \"%s\", neither RFC 9990's (" NS_RFC9990
	             ") nor none: read as RFC 7489",
	             fb_text_show(ns, shown, sizeof(shown)));
}

/* The report's identity and what fb_report says of it. Returns 0, or -1
 * with err (no report_id). */
static int finish(struct agg *g, char *err, size_t errlen)
{
	struct fb_aggregate *a = g->a;
	struct fb_report *r = g->r;
	char shown[80];

	if (a->report_id[0] == '\0') {
		snprintf(err, errlen, "no report_id: the report cannot be told apart from others");
		return -1;
	}
	if (a->org[0] == '\0') {
		findings_add(&r->findings, "report.missing_org_name",
		             a->email[0] ? FINDING_INFO : FINDING_WARNING,
		             "report_metadata/org_name", FIX_SCHEMA,
		             a->email[0]
		                     ? "report_metadata/org_name is empty: the reporter is named "
		                       "by its email, %s"
		                     : "report_metadata has neither org_name nor email: the "
		                       "reporter is unnamed%s",
		             a->email[0] ? fb_text_show(a->email, shown, sizeof(shown)) : "");
	}
	str_copy(r->org, sizeof(r->org), a->org[0] ? a->org : a->email);
	str_copy(r->report_id, sizeof(r->report_id), a->report_id);
	if (a->domain[0] == '\0') {
		const char *from = a->nrows ? a->rows[0].header_from : "";
		fb_bad_field(
		        &g->bad, FINDING_WARNING, "policy_published/domain",
		        from[0] ? "policy_published/domain is missing: the report is filed under "
		                  "the first record's header_from, %s"
		                : "policy_published/domain is missing: the domain reported on is "
		                  "unknown%s",
		        from);
		str_copy(a->domain, sizeof(a->domain), from);
	}
	str_copy(r->domain, sizeof(r->domain), a->domain);
	if (a->nrows == 0)
		fb_bad_field(&g->bad, FINDING_WARNING, "record",
		             "the report has no record: it counts no message");
	if (g->no_envelope_from > 0)
		findings_add(&r->findings, "report.missing_envelope_from", FINDING_INFO,
		             "record/identifiers", FIX_SCHEMA,
		             "%zu of %zu records name no envelope_from (the MAIL FROM domain, "
		             "required since RFC 9990): SPF is judged on their auth_results alone",
		             g->no_envelope_from, a->nrows);
	fb_bad_finish(&g->bad, "feedback", "the schema");
	r->begin = a->begin;
	r->end = a->end;
	r->rows = a->nrows;
	r->messages = a->messages;
	return 0;
}

/* The findings of a parse that needed recovery mode. Bytes that are not
 * UTF-8 are named where a value holds them (note_text); this says it
 * when no value kept them. */
static void note_parse(struct agg *g, const struct parse_state *s)
{
	if (s->encoding_errors > 0 && !g->utf8_seen) {
		g->utf8_seen = 1;
		findings_add(&g->r->findings, "report.invalid_utf8", FINDING_WARNING, "feedback",
		             FIX_XML,
		             "the report is not valid UTF-8 or not in the encoding it declares "
		             "(line %d: %s); read in recovery mode",
		             s->encoding_line, s->encoding);
	}
	if (s->errors > 0)
		findings_add(
		        &g->r->findings, "report.xml_recovered", FINDING_WARNING, "feedback",
		        FIX_XML,
		        "the report is not well-formed XML (line %d: %s); read in recovery mode",
		        s->first_line, s->first);
}

/* A child of <feedback> the parser just closed (n NULL: a record, read by
 * the caller): the parts before the records are read as they come, in
 * the order read_doc reads them, so the findings come in that order. */
static void feedback_child(struct agg *g, const xmlNode *fb, const xmlNode *n)
{
	if (!g->started) {
		g->started = 1;
		/* As find_feedback says it: <feedback> inside another root. */
		if (fb->parent != NULL && fb->parent->type == XML_ELEMENT_NODE) {
			char name[96], shown[80];
			qname(fb->parent, name, sizeof(name));
			fb_bad_field(&g->bad, FINDING_WARNING, "feedback",
			             "the root element is <%s>, not <feedback>: the <feedback> "
			             "inside it is read",
			             fb_text_show(name, shown, sizeof(shown)));
		}
		read_namespace(g, fb);
	}
	if (n != NULL && is_named(n, "report_metadata") && !g->meta_read) {
		g->meta_read = 1;
		read_metadata(g, fb);
	} else if (n != NULL && is_named(n, "policy_published") && !g->policy_read) {
		g->policy_read = 1;
		read_policy(g, fb);
	}
}

static int read_doc(struct agg *g, xmlDocPtr doc, const struct parse_state *s, int recovered,
                    char *err, size_t errlen)
{
	const xmlNode *root = xmlDocGetRootElement(doc);
	const xmlNode *fb = find_feedback(g, root);
	char name[96] = "", shown[80];

	if (root == NULL) {
		snprintf(err, errlen, "not XML (line %d: %s)", s->any_line, s->any);
		return -1;
	}
	if (fb == NULL) {
		qname(root, name, sizeof(name));
		snprintf(err, errlen, "not a DMARC aggregate report: the root element is <%s>",
		         fb_text_show(name, shown, sizeof(shown)));
		return -1;
	}
	if (!g->started)
		read_namespace(g, fb);
	if (!g->meta_read)
		read_metadata(g, fb);
	if (!g->policy_read)
		read_policy(g, fb);
	if (read_records(g, fb) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (recovered)
		note_parse(g, s);
	return finish(g, err, errlen);
}

static const char DOCTYPE_REFUSED[] =
        "XML with a document type declaration refused (entities are not expanded)";

/* A fresh report and reading state (again, before a second pass). */
static int agg_start(struct agg *g, struct fb_report *r)
{
	fb_report_reset(r, FB_AGGREGATE, 1);
	memset(g, 0, sizeof(*g));
	g->r = r;
	g->bad = (struct fb_bad){ &r->findings, FIX_SCHEMA, 0, 0 };
	g->a = r->agg = calloc(1, sizeof(*r->agg));
	return g->a != NULL ? 0 : -1;
}

int fb_aggregate_read(const uint8_t *xml, size_t len, struct fb_report *r, char *err, size_t errlen)
{
	struct parse_state s;
	struct xmlsafe_quiet q;
	struct agg g;
	int well_formed = 0, rc = -1;
	xmlDocPtr doc = NULL;

	fb_report_reset(r, FB_AGGREGATE, 0);
	if (len == 0) {
		snprintf(err, errlen, "empty document");
		return -1;
	}
	if (len > FB_MEMBER_MAX || len > INT_MAX) {
		snprintf(err, errlen, "larger than %u bytes", (unsigned)FB_MEMBER_MAX);
		return -1;
	}
	if (has_doctype(xml, len)) {
		snprintf(err, errlen, "%s", DOCTYPE_REFUSED);
		return -1;
	}
	xmlsafe_init();
	if (agg_start(&g, r) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(&s, 0, sizeof(s));
	s.g = &g;
	xmlsafe_quiet_begin(&q);
	doc = parse(xml, len, 0, &s, &well_formed);
	if (!well_formed && !s.doctype && !s.oom) {
		/* Read again in recovery mode, from nothing: what the first
		 * pass read of the records is dropped. */
		xmlFreeDoc(doc);
		if (agg_start(&g, r) != 0) {
			xmlsafe_quiet_end(&q);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		memset(&s, 0, sizeof(s));
		s.g = &g;
		doc = parse(xml, len, 1, &s, &well_formed);
		well_formed = 0;
	}
	xmlsafe_quiet_end(&q);
	if (s.oom) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (s.doctype) {
		snprintf(err, errlen, "%s", DOCTYPE_REFUSED);
		goto out;
	}
	if (doc == NULL) {
		snprintf(err, errlen, "not XML (line %d: %s)", s.any_line, s.any);
		goto out;
	}
	rc = read_doc(&g, doc, &s, !well_formed, err, errlen);
out:
	xmlFreeDoc(doc);
	if (rc != 0)
		fb_report_reset(r, FB_AGGREGATE, 1);
	return rc;
}
