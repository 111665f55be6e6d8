/*
 * svg.c — BIMI SVG Tiny PS validation on libxml2 (the only file that
 * includes libxml2) and SHA-256 through OpenSSL's EVP interface.
 *
 * Order of work, and why:
 *  1. size: over SVG_MAX_BYTES is an error but the logo is still checked
 *     so its owner sees every problem at once; over SVG_PARSE_MAX_BYTES it
 *     is not parsed at all (bounded time and memory).
 *  2. parse with our own SAX hooks: no network (XML_PARSE_NONET and an
 *     entity loader that refuses everything), no DTD loading, no entity
 *     substitution, no XML_PARSE_HUGE (libxml2 then caps nesting at 256
 *     and text nodes at 10 MB). The first entity declaration stops the
 *     parser, so neither XXE nor "billion laughs" gets to expand anything.
 *  3. the rules posture states itself (root, version, baseProfile, title,
 *     x/y, scripts, external references, aspect ratio), each reported
 *     once with a fix. Each is then repaired in the parsed tree
 *  4. so that the RELAX NG schema, run on the repaired tree, reports only
 *     the remaining violations, not the same fault a second time (libxml2
 *     also stops looking at an element's content after its first
 *     unexpected child, so an early fault would hide the rest).
 *
 * libxml2's own messages never reach stderr: the parser and validator
 * report through per-context structured handlers, and the thread-local
 * generic handlers are silenced for the duration of a call.
 */
#include "svg.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmlsafe.h"

#define SVG_NS    "http://www.w3.org/2000/svg"
#define XLINK_NS  "http://www.w3.org/1999/xlink"
#define NAME_SHOW 64 /* bytes of a name or value quoted in a message */
/* Non-schema findings of one kind listed before they are counted only. */
#define SVG_RULE_FINDINGS_MAX 32
/* Square within 1/1000: invisible at any size a mail client draws. */
#define SVG_SQUARE_TOLERANCE 0.001

/* The schema, compiled in by scanner/bimi/svg_schema.S. */
extern const char posture_svg_schema[];
extern const char posture_svg_schema_end[];

static pthread_once_t once = PTHREAD_ONCE_INIT;
static xmlRelaxNGPtr schema; /* read-only after load(); shared by threads */

static const char FIX_TOO_LARGE[] =
        "Simplify the artwork (fewer path points, fewer decimals) and remove metadata, "
        "comments and unused definitions until the file is at most 32768 bytes; "
        "receivers ignore larger logos.";
static const char FIX_NOT_XML[] =
        "Export the logo again as SVG Tiny 1.2 / Tiny PS; the file must be well-formed "
        "XML (UTF-8).";
static const char FIX_ENTITIES[] =
        "Remove the <!DOCTYPE> and its entity declarations: a BIMI logo needs no DTD, and "
        "receivers refuse entities (they enable XXE and entity-expansion attacks).";
static const char FIX_DOCTYPE[] =
        "Remove the <!DOCTYPE ...> declaration: SVG Tiny PS needs no DTD, and a validator "
        "that fetches it leaks requests or fails.";
static const char FIX_ROOT[] = "Start the document with <svg xmlns=\"http://www.w3.org/2000/svg\" "
                               "version=\"1.2\" baseProfile=\"tiny-ps\">.";
static const char FIX_VERSION[] = "Set version=\"1.2\" on the root <svg> element.";
static const char FIX_PROFILE[] = "Set baseProfile=\"tiny-ps\" on the root <svg> element.";
static const char FIX_NO_TITLE[] =
        "Add <title>Your brand name</title> as the first child of the root <svg>.";
static const char FIX_TITLE_FIRST[] =
        "Move <title> so that it is the first child element of the root <svg>.";
static const char FIX_TITLE_EMPTY[] = "Write the brand name in <title>.";
static const char FIX_ROOT_XY[] =
        "Remove the x and y attributes from the root <svg>; SVG Tiny PS does not allow them.";
static const char FIX_SCRIPT[] = "Remove <script> elements and on* event attributes: BIMI logos "
                                 "are static and receivers reject scripts.";
static const char FIX_EXTERNAL[] =
        "Embed what is referenced or remove the reference: a BIMI logo may only refer to its "
        "own elements (\"#id\").";
static const char FIX_SQUARE[] =
        "Make the viewBox square (equal width and height), padding the artwork: mail clients "
        "show the logo in a square or a circle.";
static const char FIX_SCHEMA[] =
        "Remove or change what SVG Tiny PS does not allow (draft-svg-tiny-ps-abrotman); "
        "converting the logo with a BIMI-aware SVG Tiny PS exporter usually does it.";

/* ---- process-wide setup ------------------------------------------------ */

/* The schema parser's own error callback: its messages are not wanted. */
static void drop_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

static void load(void)
{
	struct xmlsafe_quiet q;
	size_t len = (size_t)(posture_svg_schema_end - posture_svg_schema);

	xmlsafe_init();
	xmlsafe_quiet_begin(&q);
	xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewMemParserCtxt(posture_svg_schema, (int)len);
	if (pc != NULL) {
		xmlRelaxNGSetParserStructuredErrors(pc, drop_structured, NULL);
		schema = xmlRelaxNGParse(pc);
		xmlRelaxNGFreeParserCtxt(pc);
	}
	xmlsafe_quiet_end(&q);
}

int svg_init(void)
{
	pthread_once(&once, load);
	return schema ? 0 : -1;
}

const char *svg_status_name(enum svg_status s)
{
	return s == SVG_VALID ? "valid" : "invalid";
}

/* ---- one call ----------------------------------------------------------- */

struct run {
	struct findings *f;
	int oom;          /* a finding could not be stored */
	int parse_errors; /* svg.not_xml findings */
	bool doctype;     /* a DOCTYPE was seen */
	long doctype_line;
	bool entities; /* an entity declaration stopped the parser */
	long entity_line;
	char entity[NAME_SHOW + 1];
	int rule_counts[4];    /* per RULE_* below: findings listed so far */
	int schema_listed;     /* svg.schema findings listed */
	int schema_more;       /* violations past SVG_SCHEMA_FINDINGS_MAX */
	const void *last_node; /* node of the last schema finding */
	int last_code;         /* its libxml2 error code */
	xmlNodePtr *remove;    /* nodes to take out of the tree for the schema */
	size_t nremove;
	size_t cap_remove;
};

enum { RULE_SCRIPT, RULE_EXTERNAL, RULE_XY, RULE_PARSE };

/* Copies at most NAME_SHOW bytes of untrusted text, printable ASCII only
 * (anything else becomes '?'), so messages stay short, valid UTF-8 and
 * safe on a terminal. */
static void clean(const char *in, char *out, size_t outlen)
{
	size_t max = outlen - 1 < NAME_SHOW ? outlen - 1 : NAME_SHOW, n = 0;
	for (; in != NULL && *in != '\0' && n < max; in++) {
		unsigned char c = (unsigned char)*in;
		char ch = '?';
		if (c >= 0x20 && c < 0x7f)
			ch = (char)c;
		out[n++] = ch;
	}
	if (in != NULL && *in != '\0' && n >= 3)
		memcpy(out + n - 3, "...", 3); /* cut: say so */
	out[n] = '\0';
}

/* Like clean() but the whole text up to outlen, and the trailing newline
 * libxml2 puts on its messages removed. */
static void clean_message(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	for (; in != NULL && *in != '\0' && n + 1 < outlen; in++) {
		unsigned char c = (unsigned char)*in;
		char ch = ' ';
		if (c >= 0x20 && c < 0x7f)
			ch = (char)c;
		out[n++] = ch;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

static void line_path(long line, char *buf, size_t len)
{
	if (line > 0)
		snprintf(buf, len, "line %ld", line);
	else
		buf[0] = '\0';
}

/* Adds a finding located at a line (0: no location). */
static void add(struct run *r, const char *code, enum finding_severity sev, long line,
                const char *fix, const char *msg)
{
	char path[32];
	line_path(line, path, sizeof(path));
	if (findings_add(r->f, code, sev, path[0] ? path : NULL, fix, "%s", msg) != 0 &&
	    r->f->n < FINDINGS_MAX)
		r->oom = 1;
}

/* Counts a finding of a repeated rule; false once it is over the cap. */
static bool rule_room(struct run *r, int rule)
{
	return r->rule_counts[rule]++ < SVG_RULE_FINDINGS_MAX;
}

static void mark_remove(struct run *r, xmlNodePtr n)
{
	if (r->nremove == r->cap_remove) {
		size_t cap = r->cap_remove ? r->cap_remove * 2 : 16;
		xmlNodePtr *v = realloc(r->remove, cap * sizeof(xmlNodePtr));
		if (v == NULL) {
			r->oom = 1;
			return;
		}
		r->remove = v;
		r->cap_remove = cap;
	}
	r->remove[r->nremove++] = n;
}

/* ---- parsing -------------------------------------------------------------- */

static struct run *run_of(void *ctx)
{
	return ((xmlParserCtxtPtr)ctx)->_private;
}

static void on_parse_error(void *ctx, xmlErrorPtr e)
{
	struct run *r = run_of(ctx);
	char msg[FINDING_MESSAGE_MAX - 64], text[FINDING_MESSAGE_MAX];

	/* Warnings (a relative namespace URI, a DTD not loaded) do not make
	 * the XML unusable; once stopped for entities, the rest is noise. */
	if (e == NULL || e->level < XML_ERR_ERROR || r->entities)
		return;
	r->parse_errors++;
	if (!rule_room(r, RULE_PARSE))
		return;
	clean_message(e->message, msg, sizeof(msg));
	snprintf(text, sizeof(text), "not well-formed XML: %s", msg);
	add(r, "svg.not_xml", FINDING_ERROR, e->line, FIX_NOT_XML, text);
}

static void on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
                               const xmlChar *system_id)
{
	struct run *r = run_of(ctx);
	r->doctype = true;
	r->doctype_line = xmlSAX2GetLineNumber(ctx);
	xmlSAX2InternalSubset(ctx, name, external_id, system_id);
}

static void stop_for_entity(void *ctx, const xmlChar *name)
{
	struct run *r = run_of(ctx);
	if (!r->entities) {
		r->entities = true;
		r->entity_line = xmlSAX2GetLineNumber(ctx);
		clean((const char *)name, r->entity, sizeof(r->entity));
	}
	xmlStopParser(ctx);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content)
{
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	stop_for_entity(ctx, name);
}

static void on_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
                                    const xmlChar *system_id, const xmlChar *notation)
{
	(void)public_id;
	(void)system_id;
	(void)notation;
	stop_for_entity(ctx, name);
}

/* Returns the tree, or NULL when the input is not usable XML (the
 * findings then say why). */
static xmlDocPtr parse(struct run *r, const unsigned char *data, size_t len)
{
	xmlDocPtr doc = NULL;
	xmlParserCtxtPtr c = xmlNewParserCtxt();
	if (c == NULL) {
		r->oom = 1;
		return NULL;
	}
	c->_private = r;
	c->sax->serror = on_parse_error;
	c->sax->internalSubset = on_internal_subset;
	c->sax->externalSubset = NULL; /* never read an external DTD */
	c->sax->entityDecl = on_entity_decl;
	c->sax->unparsedEntityDecl = on_unparsed_entity_decl;
	/* Not XML_PARSE_NOENT (no substitution), not DTDLOAD/DTDATTR/DTDVALID,
	 * not HUGE (keeps libxml2's depth and size limits). */
	doc = xmlCtxtReadMemory(c, (const char *)data, (int)len, NULL, NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	                                XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
	if (r->entities) {
		char msg[FINDING_MESSAGE_MAX];
		snprintf(msg, sizeof(msg),
		         "the DOCTYPE declares entity '%s': documents that declare entities are "
		         "refused (not parsed further)",
		         r->entity);
		add(r, "svg.entities", FINDING_ERROR, r->entity_line, FIX_ENTITIES, msg);
		goto fail;
	}
	if (doc == NULL || !c->wellFormed) {
		if (r->parse_errors == 0)
			add(r, "svg.not_xml", FINDING_ERROR, 0, FIX_NOT_XML,
			    "not well-formed XML (no document element)");
		goto fail;
	}
	xmlFreeParserCtxt(c);
	return doc;
fail:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(c);
	return NULL;
}

/* ---- posture's own rules ------------------------------------------------- */

static bool is_svg_element(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	       xmlStrEqual(n->ns->href, BAD_CAST SVG_NS) && xmlStrEqual(n->name, BAD_CAST name);
}

static xmlNodePtr first_element(xmlNodePtr n)
{
	while (n != NULL && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

/* Checks an attribute of the root that must have one value; repairs it. */
static void root_fixed_attr(struct run *r, xmlNodePtr root, const char *name, const char *want,
                            const char *code, const char *fix)
{
	char got[NAME_SHOW + 1], msg[FINDING_MESSAGE_MAX];
	xmlChar *v = xmlGetNoNsProp(root, BAD_CAST name);
	if (v != NULL && xmlStrEqual(v, BAD_CAST want)) {
		xmlFree(v);
		return;
	}
	if (v == NULL) {
		snprintf(msg, sizeof(msg),
		         "the root <svg> has no %s attribute; it must be %s=\"%s\"", name, name,
		         want);
	} else {
		clean((const char *)v, got, sizeof(got));
		snprintf(msg, sizeof(msg), "the root <svg> has %s=\"%s\"; it must be %s=\"%s\"",
		         name, got, name, want);
	}
	xmlFree(v);
	add(r, code, FINDING_ERROR, xmlGetLineNo(root), fix, msg);
	if (xmlSetProp(root, BAD_CAST name, BAD_CAST want) == NULL)
		r->oom = 1;
}

static void check_title(struct run *r, xmlNodePtr root)
{
	xmlNodePtr first = first_element(root->children), title = NULL;

	for (xmlNodePtr n = first; n != NULL; n = first_element(n->next))
		if (is_svg_element(n, "title")) {
			title = n;
			break;
		}
	if (title == NULL) {
		add(r, "svg.no_title", FINDING_ERROR, xmlGetLineNo(root), FIX_NO_TITLE,
		    "the root <svg> has no <title> child (the brand name)");
		title = xmlNewDocNode(root->doc, root->ns, BAD_CAST "title", BAD_CAST "-");
		if (title == NULL)
			r->oom = 1;
		else if (first != NULL)
			xmlAddPrevSibling(first, title);
		else
			xmlAddChild(root, title);
		return;
	}
	if (title != first) {
		add(r, "svg.title_not_first", FINDING_ERROR, xmlGetLineNo(title), FIX_TITLE_FIRST,
		    "<title> is not the first child element of the root <svg>");
		xmlUnlinkNode(title);
		xmlAddPrevSibling(first, title);
	}
	xmlChar *text = xmlNodeGetContent(title);
	bool empty = true;
	for (const xmlChar *p = text; p != NULL && *p != '\0'; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			empty = false;
	xmlFree(text);
	if (empty)
		add(r, "svg.title_empty", FINDING_WARNING, xmlGetLineNo(title), FIX_TITLE_EMPTY,
		    "<title> is empty: receivers and screen readers use it as the brand name");
}

static void check_root_xy(struct run *r, xmlNodePtr root)
{
	static const char *const names[] = { "x", "y" };
	for (size_t i = 0; i < 2; i++) {
		xmlAttrPtr a = xmlHasNsProp(root, BAD_CAST names[i], NULL);
		if (a == NULL)
			continue;
		char msg[128];
		snprintf(msg, sizeof(msg), "the root <svg> has the attribute %s", names[i]);
		add(r, "svg.root_xy", FINDING_ERROR, xmlGetLineNo(root), FIX_ROOT_XY, msg);
		xmlRemoveProp(a);
	}
}

/* Parses up to four numbers separated by white space and/or one comma
 * (SVG 1.2 Tiny 7.7, viewBox). Returns how many were read, or -1 when
 * something else is in the text. */
static int numbers(const char *s, double *v, int max)
{
	int n = 0;
	while (s != NULL && *s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == ',')
			s++;
		if (*s == '\0')
			break;
		char *end;
		double d = strtod(s, &end);
		if (end == s || n == max || !(d > -1e300 && d < 1e300))
			return -1;
		v[n++] = d;
		s = end;
	}
	return n;
}

/* A length ("64", "1200pt", "100%"): its number and unit. */
static bool length_of(const char *s, double *v, const char **unit)
{
	char *end;
	if (s == NULL)
		return false;
	*v = strtod(s, &end);
	if (end == s || !(*v > 0 && *v < 1e300))
		return false;
	*unit = end;
	return strcmp(end, "%") != 0;
}

static void check_square(struct run *r, xmlNodePtr root)
{
	char *vb = (char *)xmlGetNoNsProp(root, BAD_CAST "viewBox");
	char *w = (char *)xmlGetNoNsProp(root, BAD_CAST "width");
	char *h = (char *)xmlGetNoNsProp(root, BAD_CAST "height");
	double v[4], dw = 0, dh = 0;
	const char *uw, *uh, *what = NULL;

	if (vb != NULL && numbers(vb, v, 4) == 4 && v[2] > 0 && v[3] > 0) {
		dw = v[2];
		dh = v[3];
		what = "viewBox";
	} else if (vb == NULL && length_of(w, &dw, &uw) && length_of(h, &dh, &uh) &&
	           strcmp(uw, uh) == 0) {
		what = "width/height";
	}
	/* Without libm: the difference against the larger side. */
	double diff = dw > dh ? dw - dh : dh - dw, big = dw > dh ? dw : dh;
	if (what != NULL && diff > SVG_SQUARE_TOLERANCE * big) {
		char msg[FINDING_MESSAGE_MAX];
		snprintf(msg, sizeof(msg), "the %s is %g x %g, not square (1:1 is recommended)",
		         what, dw, dh);
		add(r, "svg.not_square", FINDING_WARNING, xmlGetLineNo(root), FIX_SQUARE, msg);
	}
	xmlFree(vb);
	xmlFree(w);
	xmlFree(h);
}

/* The target of a url(...) reference in a property value, if any. */
static const char *url_target(const char *value)
{
	const char *p = strstr(value, "url(");
	if (p == NULL)
		return NULL;
	p += 4;
	while (*p == ' ' || *p == '\t' || *p == '\'' || *p == '"')
		p++;
	return p;
}

/* href (any namespace) and url(...) must stay inside the document. */
static void check_attrs(struct run *r, xmlNodePtr el)
{
	char name[NAME_SHOW + 1], val[NAME_SHOW + 1], elname[NAME_SHOW + 1];
	char msg[FINDING_MESSAGE_MAX];

	for (xmlAttrPtr a = el->properties, next; a != NULL; a = next) {
		next = a->next;
		xmlChar *v = xmlNodeListGetString(el->doc, a->children, 1);
		const char *value = v ? (const char *)v : "";
		const char *target = url_target(value);
		const char *code = NULL, *fix = NULL;
		int rule = 0;

		clean((const char *)a->name, name, sizeof(name));
		clean(value, val, sizeof(val));
		clean((const char *)el->name, elname, sizeof(elname));
		/* A data: URI is inside the file (what it may hold is the
		 * schema's business: no raster <image> in Tiny PS). */
		if (xmlStrEqual(a->name, BAD_CAST "href") && value[0] != '#' &&
		    strncasecmp(value, "data:", 5) != 0) {
			code = "svg.external_ref";
			fix = FIX_EXTERNAL;
			rule = RULE_EXTERNAL;
			snprintf(msg, sizeof(msg), "%shref=\"%s\" on <%s> refers outside the logo",
			         a->ns && xmlStrEqual(a->ns->href, BAD_CAST XLINK_NS) ? "xlink:"
			                                                              : "",
			         val, elname);
		} else if (target != NULL && *target != '#') {
			code = "svg.external_ref";
			fix = FIX_EXTERNAL;
			rule = RULE_EXTERNAL;
			snprintf(msg, sizeof(msg), "%s=\"%s\" on <%s> refers outside the logo",
			         name, val, elname);
		} else if (a->ns == NULL && (a->name[0] == 'o' || a->name[0] == 'O') &&
		           (a->name[1] == 'n' || a->name[1] == 'N')) {
			code = "svg.script";
			fix = FIX_SCRIPT;
			rule = RULE_SCRIPT;
			snprintf(msg, sizeof(msg), "event attribute %s on <%s> (a script)", name,
			         elname);
		}
		xmlFree(v);
		if (code == NULL)
			continue;
		if (rule_room(r, rule))
			add(r, code, FINDING_ERROR, xmlGetLineNo(el), fix, msg);
		xmlRemoveProp(a); /* reported: the schema need not say it again */
	}
}

/* <?xml-stylesheet href="..."?> makes renderers fetch a stylesheet. */
static void check_pi(struct run *r, xmlNodePtr n)
{
	if (!xmlStrEqual(n->name, BAD_CAST "xml-stylesheet") || !rule_room(r, RULE_EXTERNAL))
		return;
	add(r, "svg.external_ref", FINDING_ERROR, xmlGetLineNo(n), FIX_EXTERNAL,
	    "an <?xml-stylesheet?> instruction refers outside the logo");
}

/* Visits every element and instruction below root, in document order,
 * without recursion. Scripts are reported and set aside for removal. */
static void walk(struct run *r, xmlNodePtr root)
{
	xmlNodePtr n = root;
	while (n != NULL) {
		bool descend = true;
		if (n->type == XML_PI_NODE) {
			check_pi(r, n);
		} else if (n->type == XML_ELEMENT_NODE) {
			if (xmlStrEqual(n->name, BAD_CAST "script")) {
				char name[NAME_SHOW + 1], msg[128];
				clean((const char *)n->name, name, sizeof(name));
				snprintf(msg, sizeof(msg), "a <%s> element", name);
				if (rule_room(r, RULE_SCRIPT))
					add(r, "svg.script", FINDING_ERROR, xmlGetLineNo(n),
					    FIX_SCRIPT, msg);
				mark_remove(r, n);
				descend = false;
			} else {
				check_attrs(r, n);
			}
		}
		if (descend && n->children != NULL && n->type == XML_ELEMENT_NODE) {
			n = n->children;
			continue;
		}
		while (n != NULL && n != root && n->next == NULL)
			n = n->parent;
		if (n == NULL || n == root)
			break;
		n = n->next;
	}
}

/* Returns true when the root is <svg> in the SVG namespace. */
static bool check_root(struct run *r, xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	char name[NAME_SHOW + 1], ns[NAME_SHOW + 1], msg[FINDING_MESSAGE_MAX];

	if (is_svg_element(root, "svg"))
		return true;
	clean(root ? (const char *)root->name : "", name, sizeof(name));
	clean(root && root->ns ? (const char *)root->ns->href : "(none)", ns, sizeof(ns));
	snprintf(msg, sizeof(msg), "the root element is <%s> in namespace %s, not <svg> in " SVG_NS,
	         name, ns);
	add(r, "svg.not_svg_root", FINDING_ERROR, root ? xmlGetLineNo(root) : 0, FIX_ROOT, msg);
	return false;
}

/* ---- the schema ---------------------------------------------------------- */

static void on_schema_error(void *ctx, xmlErrorPtr e)
{
	struct run *r = ctx;
	char msg[FINDING_MESSAGE_MAX - 64], text[FINDING_MESSAGE_MAX];

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	/* libxml2 says "Did not expect element X there" and then "Element Y
	 * has extra content: X" for one fault: keep the first. */
	if (e->node != NULL && e->node == r->last_node && e->code == XML_RELAXNG_ERR_EXTRACONTENT &&
	    r->last_code == XML_RELAXNG_ERR_ELEMWRONG)
		return;
	r->last_node = e->node;
	r->last_code = e->code;
	if (r->schema_listed >= SVG_SCHEMA_FINDINGS_MAX) {
		r->schema_more++;
		return;
	}
	r->schema_listed++;
	long line = e->line;
	if (line <= 0 && e->node != NULL)
		line = xmlGetLineNo((xmlNodePtr)e->node);
	clean_message(e->message, msg, sizeof(msg));
	snprintf(text, sizeof(text), "not allowed by the SVG Tiny PS schema: %s", msg);
	add(r, "svg.schema", FINDING_ERROR, line, FIX_SCHEMA, text);
}

static void validate(struct run *r, xmlDocPtr doc)
{
	xmlRelaxNGValidCtxtPtr v = xmlRelaxNGNewValidCtxt(schema);
	if (v == NULL) {
		r->oom = 1;
		return;
	}
	xmlRelaxNGSetValidStructuredErrors(v, on_schema_error, r);
	int rc = xmlRelaxNGValidateDoc(v, doc);
	xmlRelaxNGFreeValidCtxt(v);
	if (rc != 0 && r->schema_listed == 0)
		add(r, "svg.schema", FINDING_ERROR, 0, FIX_SCHEMA,
		    rc < 0 ? "the SVG Tiny PS schema validation could not complete"
		           : "not allowed by the SVG Tiny PS schema");
	if (r->schema_more > 0) {
		char msg[128];
		snprintf(msg, sizeof(msg), "%d more schema violations not listed", r->schema_more);
		add(r, "svg.schema", FINDING_ERROR, 0, FIX_SCHEMA, msg);
	}
}

/* ---- entry points ---------------------------------------------------------- */

static int sha256_hex(const unsigned char *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -1;
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + (size_t)2 * i, 3, "%02x", md[i]);
	return 0;
}

static void check_tree(struct run *r, xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);

	if (r->doctype)
		add(r, "svg.doctype", FINDING_WARNING, r->doctype_line, FIX_DOCTYPE,
		    "the document has a <!DOCTYPE> declaration (not loaded)");
	for (xmlNodePtr n = doc->children; n != NULL; n = n->next)
		if (n->type == XML_PI_NODE)
			check_pi(r, n);
	if (!check_root(r, doc))
		return; /* the schema would only say the same */
	root_fixed_attr(r, root, "version", "1.2", "svg.version", FIX_VERSION);
	root_fixed_attr(r, root, "baseProfile", "tiny-ps", "svg.base_profile", FIX_PROFILE);
	check_root_xy(r, root);
	check_title(r, root);
	check_square(r, root);
	walk(r, root);
	for (size_t i = 0; i < r->nremove; i++) {
		xmlUnlinkNode(r->remove[i]);
		xmlFreeNode(r->remove[i]);
	}
	r->nremove = 0;
	if (!r->oom)
		validate(r, doc);
}

/* svg.too_large when len is over BIMI's limit; says whether it is also
 * over what posture parses. */
static void check_size(struct run *r, size_t len)
{
	char msg[FINDING_MESSAGE_MAX];
	if (len <= SVG_MAX_BYTES)
		return;
	snprintf(msg, sizeof(msg), "the logo is %zu bytes, over BIMI's 32 KiB (%d bytes)%s", len,
	         SVG_MAX_BYTES,
	         len > SVG_PARSE_MAX_BYTES ? "; over 1 MiB, so it was not parsed" : "");
	add(r, "svg.too_large", FINDING_ERROR, 0, FIX_TOO_LARGE, msg);
}

/* Sets the status from the findings; the result of an entry point. */
static int finish(struct run *r, struct svg_result *out)
{
	free(r->remove);
	if (r->oom)
		return -1;
	out->status = SVG_VALID;
	for (size_t i = 0; i < out->findings.n; i++)
		if (out->findings.v[i].severity == FINDING_ERROR)
			out->status = SVG_INVALID;
	return 0;
}

static void start(struct run *r, size_t len, struct svg_result *out)
{
	memset(out, 0, sizeof(*out));
	out->status = SVG_INVALID;
	out->bytes = len;
	memset(r, 0, sizeof(*r));
	r->f = &out->findings;
}

int svg_check(const unsigned char *data, size_t len, struct svg_result *out)
{
	struct run r;
	struct xmlsafe_quiet q;

	start(&r, len, out);
	if (svg_init() != 0 || sha256_hex(data, len, out->sha256) != 0)
		return -1;
	check_size(&r, len);
	if (len == 0) {
		add(&r, "svg.not_xml", FINDING_ERROR, 0, FIX_NOT_XML, "the file is empty");
	} else if (len <= SVG_PARSE_MAX_BYTES) {
		xmlsafe_quiet_begin(&q);
		xmlDocPtr doc = parse(&r, data, len);
		if (doc != NULL)
			check_tree(&r, doc);
		xmlFreeDoc(doc);
		xmlsafe_quiet_end(&q);
	}
	return finish(&r, out);
}

int svg_check_size_only(size_t len, struct svg_result *out)
{
	struct run r;

	start(&r, len, out);
	check_size(&r, len);
	if (len <= SVG_PARSE_MAX_BYTES)
		add(&r, "svg.too_large", FINDING_ERROR, 0, FIX_TOO_LARGE,
		    "the logo was not read whole, so it was not checked");
	return finish(&r, out);
}

void svg_result_cleanup(struct svg_result *r)
{
	if (r == NULL)
		return;
	findings_cleanup(&r->findings);
	memset(r, 0, sizeof(*r));
}
