/*
 * Unit tests for svg.c against the contract in svg.h.
 *
 * Part A: the real logos and the peer's negative SVGs of
 * tests/fixtures/svg/ (origin in its README), each with the verdict the
 * shared conformance README lists (jing error counts for the logos,
 * svgtinyps-cli's expected issues for the negatives) and the finding codes
 * that must and must not be there. Where posture's verdict departs from
 * the peer's list, the row's why says which reading posture takes.
 *
 * Part B: hand-made documents, one rule per row, with the exact list of
 * finding codes in order and the location of the first.
 *
 * Part C: hostile input (XXE, billion laughs, 10 MiB, deep nesting,
 * garbage, non-UTF-8, 40 KiB), the digest, threads, and silence on
 * stderr. Tests run from the top of the tree (scripts/run-tests.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "svg.h"

#define FIXTURES "tests/fixtures/svg/"

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	if (f == NULL)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	buf = malloc((size_t)256 * 1024);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)256 * 1024, f);
	fclose(f);
	return buf;
}

/* "code code ..." of the findings in order. */
static void codes_of(const struct svg_result *r, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < r->findings.n; i++) {
		size_t used = strlen(out);
		snprintf(out + used, len - used, "%s%s", i ? " " : "", r->findings.v[i].code);
	}
}

static const struct finding *find(const struct svg_result *r, const char *code)
{
	for (size_t i = 0; i < r->findings.n; i++)
		if (strcmp(r->findings.v[i].code, code) == 0)
			return &r->findings.v[i];
	return NULL;
}

/* True when some finding of that code has text in its message. */
static bool message_has(const struct svg_result *r, const char *code, const char *text)
{
	for (size_t i = 0; i < r->findings.n; i++)
		if (strcmp(r->findings.v[i].code, code) == 0 &&
		    strstr(r->findings.v[i].message, text) != NULL)
			return true;
	return false;
}

static void check_text(const char *text, size_t len, struct svg_result *r)
{
	assert_int_equal(svg_check((const unsigned char *)text, len ? len : strlen(text), r), 0);
}

/* ---- part A: fixtures ---------------------------------------------------- */

static void test_fixtures(void **state)
{
	static const struct {
		const char *file;
		enum svg_status want;
		const char *must;        /* codes that must be present, space-separated */
		const char *mustnot;     /* codes that must be absent */
		const char *schema_text; /* a schema message must contain this */
		const char *why;
	} rows[] = {
		{ "logos/fastmail-FM-good.svg", SVG_VALID, "", "svg.schema svg.not_square", NULL,
		  "mail-bimi's good logo; jing 0 errors" },
		{ "logos/login-gov-login-icon-bimi.svg", SVG_VALID, "", "svg.schema", NULL,
		  "<desc> after <title> is allowed; jing 0" },
		{ "logos/grapheneos-bimi.svg", SVG_VALID, "", "svg.schema svg.not_square", NULL,
		  "viewBox 2644.0798 x 2644: 0.003 % off square, inside posture's 0.1 % "
		  "tolerance (invisible when drawn), so no warning; jing 0" },
		{ "logos/spatie-bimi.svg", SVG_VALID, "", "svg.schema", NULL,
		  "<?xml?> prolog, pt units, empty <metadata>; jing 0" },
		{ "logos/seirdy-bimi.svg", SVG_VALID, "", "svg.schema", NULL, "jing 0" },
		{ "logos/dotenvx-bimi.svg", SVG_INVALID, "svg.schema",
		  "svg.version svg.base_profile svg.no_title", "Invalid attribute overflow",
		  "jing 1: overflow=\"visible\" is not allowed on <svg>" },
		{ "negative/twitter.svg", SVG_INVALID,
		  "svg.no_title svg.version svg.base_profile svg.not_square svg.schema", NULL,
		  "attribute style for element svg", "peer: all four issues" },
		{ "negative/corruptsvg.svg", SVG_INVALID,
		  "svg.no_title svg.version svg.base_profile svg.script svg.doctype",
		  "svg.not_square", NULL,
		  "peer also says 'not square', but the file has no viewBox, width or height: "
		  "posture cannot judge a ratio that is not given and says nothing. The external "
		  "DOCTYPE is reported, never fetched" },
		{ "negative/waffle-icon.svg", SVG_INVALID,
		  "svg.too_large svg.version svg.base_profile svg.not_square svg.schema", NULL,
		  "element pattern", "peer: over 32 KB, pattern/mask/image not allowed" },
		{ "negative/microsoft-edge.svg", SVG_INVALID,
		  "svg.no_title svg.version svg.base_profile svg.schema", NULL, "gradientTransform",
		  "peer also rejects <stop>; the RNC allows it, and posture follows the RNC" },
		{ "negative/php-alt.svg", SVG_INVALID,
		  "svg.title_not_first svg.version svg.base_profile svg.not_square", "svg.no_title",
		  NULL, "peer: all issues" },
		{ "negative/svg.svg", SVG_INVALID,
		  "svg.too_large svg.no_title svg.version svg.base_profile svg.schema",
		  "svg.title_not_first", "RDF",
		  "peer says '<title> not first child', but the only title is <dc:title> inside "
		  "<metadata>, in the Dublin Core namespace: the logo has no SVG <title> at all" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char path[256], got[1024], code[64];
		size_t len;
		struct svg_result r;
		snprintf(path, sizeof(path), FIXTURES "%s", rows[i].file);
		unsigned char *data = slurp(path, &len);
		assert_int_equal(svg_check(data, len, &r), 0);
		codes_of(&r, got, sizeof(got));
		if (r.status != rows[i].want)
			fail_msg("%s (%s): status %s, findings: %s", rows[i].file, rows[i].why,
			         svg_status_name(r.status), got);
		assert_int_equal(r.bytes, len);
		for (const char *p = rows[i].must; *p;) {
			size_t n = strcspn(p, " ");
			snprintf(code, sizeof(code), "%.*s", (int)n, p);
			if (find(&r, code) == NULL)
				fail_msg("%s (%s): %s missing; got %s", rows[i].file, rows[i].why,
				         code, got);
			p += n + (p[n] == ' ');
		}
		for (const char *p = rows[i].mustnot ? rows[i].mustnot : ""; *p;) {
			size_t n = strcspn(p, " ");
			snprintf(code, sizeof(code), "%.*s", (int)n, p);
			if (find(&r, code) != NULL)
				fail_msg("%s (%s): %s present; got %s", rows[i].file, rows[i].why,
				         code, got);
			p += n + (p[n] == ' ');
		}
		if (rows[i].want == SVG_VALID && r.findings.n != 0)
			fail_msg("%s: a clean logo has findings: %s", rows[i].file, got);
		if (rows[i].schema_text && !message_has(&r, "svg.schema", rows[i].schema_text))
			fail_msg("%s: no schema finding says '%s'", rows[i].file,
			         rows[i].schema_text);
		svg_result_cleanup(&r);
		free(data);
	}
}

/* dotenvx: exactly one finding, where jing puts it. */
static void test_fixture_location(void **state)
{
	size_t len;
	struct svg_result r;
	unsigned char *data = slurp(FIXTURES "logos/dotenvx-bimi.svg", &len);
	(void)state;
	assert_int_equal(svg_check(data, len, &r), 0);
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].path, "line 2");
	assert_int_equal(r.findings.v[0].severity, FINDING_ERROR);
	assert_non_null(r.findings.v[0].fix);
	svg_result_cleanup(&r);
	free(data);
}

/* ---- part B: one rule per row -------------------------------------------- */

#define NS   "xmlns=\"http://www.w3.org/2000/svg\""
#define XL   " xmlns:xlink=\"http://www.w3.org/1999/xlink\""
#define HEAD "<svg " NS " version=\"1.2\" baseProfile=\"tiny-ps\" viewBox=\"0 0 10 10\""
#define BODY ">\n<title>Brand</title>\n<path d=\"M0 0h1\"/>\n</svg>\n"

static void test_rules(void **state)
{
	static const struct {
		const char *svg;
		enum svg_status want;
		const char *codes; /* every finding, in order */
		const char *path;  /* of the first finding; NULL: not checked */
		const char *why;
	} rows[] = {
		{ HEAD BODY, SVG_VALID, "", NULL, "the smallest good logo" },
		{ "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" HEAD BODY, SVG_VALID, "", NULL,
		  "XML declaration" },
		/* root */
		{ HEAD " x=\"1\" y=\"2\"" BODY, SVG_INVALID, "svg.root_xy svg.root_xy", "line 1",
		  "x and y on the root: one finding each (as checkdmarc), schema silent" },
		{ HEAD " y=\"0\"" BODY, SVG_INVALID, "svg.root_xy", "line 1", "y alone" },
		{ "<svg " NS " version=\"1.1\" baseProfile=\"tiny-ps\"" BODY, SVG_INVALID,
		  "svg.version", "line 1", "version 1.1" },
		{ "<svg " NS " baseProfile=\"tiny-ps\"" BODY, SVG_INVALID, "svg.version", NULL,
		  "no version" },
		{ "<svg " NS " version=\"1.2\" baseProfile=\"tiny\"" BODY, SVG_INVALID,
		  "svg.base_profile", NULL, "Tiny is not Tiny PS" },
		{ "<svg " NS " version=\"1.2\"" BODY, SVG_INVALID, "svg.base_profile", NULL,
		  "no baseProfile" },
		{ "<svg version=\"1.2\" baseProfile=\"tiny-ps\"" BODY, SVG_INVALID,
		  "svg.not_svg_root", NULL, "no namespace: not SVG; the schema is not run" },
		{ "<html xmlns=\"http://www.w3.org/1999/xhtml\"><title>t</title></html>",
		  SVG_INVALID, "svg.not_svg_root", NULL, "XHTML" },
		/* title */
		{ HEAD ">\n<path d=\"M0 0\"/>\n</svg>", SVG_INVALID, "svg.no_title", "line 1",
		  "no title; the schema says nothing more" },
		{ HEAD ">\n<desc>d</desc>\n<title>t</title>\n</svg>", SVG_INVALID,
		  "svg.title_not_first", "line 3", "title after desc" },
		{ HEAD "><title> </title></svg>", SVG_VALID, "svg.title_empty", NULL,
		  "blank title: a warning" },
		{ HEAD "><g><title>t</title></g></svg>", SVG_INVALID, "svg.no_title svg.schema",
		  NULL, "a title in a group is not the document's (nor allowed there)" },
		/* aspect ratio */
		{ "<svg " NS " version=\"1.2\" baseProfile=\"tiny-ps\" viewBox=\"0 0 10 20\"" BODY,
		  SVG_VALID, "svg.not_square", "line 1", "10 x 20: a warning only" },
		{ "<svg " NS
		  " version=\"1.2\" baseProfile=\"tiny-ps\" viewBox=\"0,0,1000,1000.5\"" BODY,
		  SVG_VALID, "", NULL, "0.05 % off: inside the tolerance; commas allowed" },
		{ "<svg " NS
		  " version=\"1.2\" baseProfile=\"tiny-ps\" width=\"64\" height=\"32\"" BODY,
		  SVG_VALID, "svg.not_square", NULL, "no viewBox: width and height" },
		{ "<svg " NS
		  " version=\"1.2\" baseProfile=\"tiny-ps\" width=\"64px\" height=\"64pt\"" BODY,
		  SVG_VALID, "", NULL, "different units: no judgement" },
		/* scripts */
		{ HEAD "><title>t</title><script>alert(1)</script></svg>", SVG_INVALID,
		  "svg.script", "line 1", "script, reported once (not again by the schema)" },
		{ HEAD "><title>t</title><g><script/><foo/></g></svg>", SVG_INVALID,
		  "svg.script svg.schema", NULL, "a nested script, and the schema still runs" },
		{ HEAD " onload=\"x()\"><title>t</title></svg>", SVG_INVALID, "svg.script", NULL,
		  "an event attribute" },
		/* references */
		{ HEAD "><title>t</title><path id=\"a\" d=\"M0 0\"/><use href=\"#a\"/></svg>",
		  SVG_VALID, "", NULL, "href to an own element" },
		{ HEAD "><title>t</title><use href=\"https://evil.example/x.svg#a\"/></svg>",
		  SVG_INVALID, "svg.external_ref", NULL, "href outside (the schema allows href)" },
		{ HEAD XL "><title>t</title><use xlink:href=\"http://e.example/a#b\"/></svg>",
		  SVG_INVALID, "svg.external_ref", NULL, "xlink:href outside: reported once" },
		{ HEAD XL
		  "><title>t</title><path id=\"a\" d=\"M0 0\"/><use xlink:href=\"#a\"/></svg>",
		  SVG_INVALID, "svg.schema", NULL, "xlink:href is not in the Tiny PS schema" },
		{ HEAD "><title>t</title><path fill=\"url( 'https://e.example/p.svg#g')\" d=\"M0 "
		       "0\"/></svg>",
		  SVG_INVALID, "svg.external_ref", NULL,
		  "url() outside: the schema allows any fill" },
		{ HEAD "><title>t</title><linearGradient id=\"g\"/><path fill=\"url(#g)\" d=\"M0 "
		       "0\"/></svg>",
		  SVG_VALID, "", NULL, "url(#id) is inside" },
		{ "<?xml-stylesheet href=\"http://e.example/s.css\"?>\n" HEAD BODY, SVG_INVALID,
		  "svg.external_ref", "line 1", "a stylesheet instruction" },
		/* DOCTYPE and entities */
		{ "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
		  "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n" HEAD BODY,
		  SVG_VALID, "svg.doctype", "line 1", "an external DTD: reported, never loaded" },
		{ "<!DOCTYPE svg [<!ELEMENT svg ANY>]>\n" HEAD BODY, SVG_VALID, "svg.doctype", NULL,
		  "an internal subset without entities" },
		{ "<!DOCTYPE svg [\n<!ENTITY % p SYSTEM \"http://e.example/x.dtd\"> %p;]>\n" HEAD
		          BODY,
		  SVG_INVALID, "svg.entities", "line 2", "a parameter entity: refused" },
		{ "<!DOCTYPE svg [<!ENTITY b \"Brand\">]>\n" HEAD "><title>&b;</title></svg>",
		  SVG_INVALID, "svg.entities", NULL, "even a harmless internal entity" },
		{ HEAD "><title>&b;</title></svg>", SVG_INVALID, "svg.not_xml", NULL,
		  "an undeclared entity" },
		/* the schema */
		{ HEAD
		  ">\n<title>t</title>\n<path d=\"M0 0\"/>\n<circle r=\"1\" bogus=\"1\"/>\n</svg>",
		  SVG_INVALID, "svg.schema", "line 4", "an attribute the schema does not know" },
		{ HEAD ">\n<title>t</title>\n\n<image width=\"1\" height=\"1\"/>\n</svg>",
		  SVG_INVALID, "svg.schema", "line 4", "no raster images in Tiny PS" },
		{ HEAD "><title>t</title><text>hi</text></svg>", SVG_VALID, "", NULL,
		  "text is allowed" },
		/* not XML */
		{ HEAD "><title>t</title>", SVG_INVALID, "svg.not_xml", NULL, "cut short" },
		{ "", SVG_INVALID, "svg.not_xml", NULL, "empty" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct svg_result r;
		char got[1024];
		check_text(rows[i].svg, 0, &r);
		codes_of(&r, got, sizeof(got));
		if (r.status != rows[i].want || strcmp(got, rows[i].codes) != 0)
			fail_msg("row %zu (%s): got %s [%s], want %s [%s]", i, rows[i].why,
			         svg_status_name(r.status), got, svg_status_name(rows[i].want),
			         rows[i].codes);
		if (rows[i].path != NULL && (r.findings.n == 0 || r.findings.v[0].path == NULL ||
		                             strcmp(r.findings.v[0].path, rows[i].path) != 0))
			fail_msg("row %zu (%s): first finding at %s, want %s", i, rows[i].why,
			         r.findings.n && r.findings.v[0].path ? r.findings.v[0].path
			                                              : "(none)",
			         rows[i].path);
		for (size_t j = 0; j < r.findings.n; j++)
			if (r.findings.v[j].fix == NULL || r.findings.v[j].message[0] == '\0')
				fail_msg("row %zu: finding %zu without message or fix", i, j);
		svg_result_cleanup(&r);
	}
}

/* Messages quote names and values from the file: short, ASCII only. */
static void test_messages_clean(void **state)
{
	struct svg_result r;
	(void)state;
	check_text(HEAD "><title>t</title><use href=\"http://e.example/\xc3\xa9\xe2\x80\xae"
	                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"/>"
	                "</svg>",
	           0, &r);
	assert_int_equal(r.findings.n, 1);
	const char *m = r.findings.v[0].message;
	for (const char *p = m; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			fail_msg("byte 0x%02x in \"%s\"", (unsigned char)*p, m);
	assert_non_null(strstr(m, "...\""));
	svg_result_cleanup(&r);
}

/* ---- part C: hostile input, digest, threads ------------------------------ */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_xxe(void **state)
{
	struct svg_result r;
	(void)state;
	check_text("<?xml version=\"1.0\"?>\n"
	           "<!DOCTYPE svg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n" HEAD
	           "><title>&xxe;</title></svg>",
	           0, &r);
	assert_int_equal(r.status, SVG_INVALID);
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].code, "svg.entities");
	assert_string_equal(r.findings.v[0].path, "line 2");
	assert_non_null(strstr(r.findings.v[0].message, "'xxe'"));
	assert_null(strstr(r.findings.v[0].message, "root:")); /* nothing of the file */
	svg_result_cleanup(&r);
}

static void test_billion_laughs(void **state)
{
	char doc[4096] = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [\n<!ENTITY l0 \"lol\">\n";
	struct svg_result r;
	(void)state;
	for (int i = 1; i <= 9; i++) {
		size_t n = strlen(doc);
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<!ENTITY l%d \"", i);
		for (int k = 0; k < 10; k++)
			n += (size_t)snprintf(doc + n, sizeof(doc) - n, "&l%d;", i - 1);
		snprintf(doc + n, sizeof(doc) - n, "\">\n");
	}
	strncat(doc, "]>\n" HEAD "><title>&l9;</title></svg>", sizeof(doc) - strlen(doc) - 1);
	double t0 = now_s();
	check_text(doc, 0, &r);
	assert_true(now_s() - t0 < 1.0);
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].code, "svg.entities");
	assert_string_equal(r.findings.v[0].path, "line 3");
	svg_result_cleanup(&r);
}

static void test_ten_mib(void **state)
{
	size_t len = (size_t)10 * 1024 * 1024;
	unsigned char *big = malloc(len);
	struct svg_result r;
	(void)state;
	assert_non_null(big);
	memset(big, 'a', len);
	memcpy(big, HEAD "><title>t</title><desc>", strlen(HEAD "><title>t</title><desc>"));
	double t0 = now_s();
	assert_int_equal(svg_check(big, len, &r), 0);
	assert_true(now_s() - t0 < 2.0);
	assert_int_equal(r.status, SVG_INVALID);
	assert_int_equal(r.bytes, len);
	assert_int_equal(r.findings.n, 1); /* not parsed: no XML finding */
	assert_string_equal(r.findings.v[0].code, "svg.too_large");
	assert_non_null(strstr(r.findings.v[0].message, "10485760 bytes"));
	assert_non_null(strstr(r.findings.v[0].message, "not parsed"));
	svg_result_cleanup(&r);
	free(big);

	assert_int_equal(svg_check_size_only(len, &r), 0);
	assert_int_equal(r.status, SVG_INVALID);
	assert_string_equal(r.sha256, "");
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].code, "svg.too_large");
	svg_result_cleanup(&r);
}

static void nested(int depth, struct svg_result *r)
{
	size_t cap = (size_t)depth * 8 + 256, n;
	char *doc = malloc(cap);
	assert_non_null(doc);
	n = (size_t)snprintf(doc, cap, "%s", HEAD "><title>t</title>");
	for (int i = 0; i < depth; i++)
		n += (size_t)snprintf(doc + n, cap - n, "<g>");
	for (int i = 0; i < depth; i++)
		n += (size_t)snprintf(doc + n, cap - n, "</g>");
	snprintf(doc + n, cap - n, "</svg>");
	check_text(doc, 0, r);
	free(doc);
}

static void test_deep_nesting(void **state)
{
	struct svg_result r;
	(void)state;
	nested(200, &r); /* under libxml2's 256 levels: a fine logo */
	assert_int_equal(r.status, SVG_VALID);
	assert_int_equal(r.findings.n, 0);
	svg_result_cleanup(&r);
	nested(3000, &r);
	assert_int_equal(r.status, SVG_INVALID);
	assert_true(findings_has(&r.findings, "svg.not_xml"));
	assert_true(message_has(&r, "svg.not_xml", "depth"));
	svg_result_cleanup(&r);
}

static void test_garbage(void **state)
{
	unsigned char junk[4096];
	struct svg_result r;
	uint32_t x = 2463534242u;
	(void)state;
	for (size_t i = 0; i < sizeof(junk); i++) {
		x ^= x << 13; /* xorshift32: the same bytes every run */
		x ^= x >> 17;
		x ^= x << 5;
		junk[i] = (unsigned char)x;
	}
	junk[0] = 0x01; /* not '<', not a byte-order mark */
	assert_int_equal(svg_check(junk, sizeof(junk), &r), 0);
	assert_int_equal(r.status, SVG_INVALID);
	assert_string_equal(r.findings.v[0].code, "svg.not_xml");
	for (size_t i = 0; i < r.findings.n; i++)
		assert_string_equal(r.findings.v[i].code, "svg.not_xml");
	svg_result_cleanup(&r);
}

static void test_not_utf8(void **state)
{
	struct svg_result r;
	(void)state;
	/* Latin-1 é without a declaration: not UTF-8. */
	check_text(HEAD "><title>Caf\xe9</title></svg>", 0, &r);
	assert_int_equal(r.status, SVG_INVALID);
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].code, "svg.not_xml");
	assert_true(message_has(&r, "svg.not_xml", "UTF-8"));
	svg_result_cleanup(&r);
	/* Declared, the same bytes are fine XML. */
	check_text("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" HEAD
	           "><title>Caf\xe9</title></svg>",
	           0, &r);
	assert_int_equal(r.status, SVG_VALID);
	svg_result_cleanup(&r);
}

/* A valid logo padded over 32 KiB: too large, and still validated. */
static void test_forty_kib(void **state)
{
	size_t cap = (size_t)48 * 1024, n;
	char *doc = malloc(cap);
	struct svg_result r;
	(void)state;
	assert_non_null(doc);
	n = (size_t)snprintf(doc, cap, "%s", HEAD ">\n<title>t</title>\n");
	while (n < (size_t)40 * 1024)
		n += (size_t)snprintf(doc + n, cap - n, "<path d=\"M0 0h1v1h-1z\"/>\n");
	snprintf(doc + n, cap - n, "</svg>\n");
	check_text(doc, 0, &r);
	assert_int_equal(r.status, SVG_INVALID);
	assert_int_equal(r.findings.n, 1);
	assert_string_equal(r.findings.v[0].code, "svg.too_large");
	assert_null(r.findings.v[0].path);
	svg_result_cleanup(&r);
	/* The same with a script at the end: both reported. */
	snprintf(doc + n, cap - n, "<script/></svg>\n");
	check_text(doc, 0, &r);
	char got[256];
	codes_of(&r, got, sizeof(got));
	assert_string_equal(got, "svg.too_large svg.script");
	svg_result_cleanup(&r);
	free(doc);
}

static void test_size_boundary(void **state)
{
	char *doc = malloc(SVG_MAX_BYTES + 2);
	struct svg_result r;
	const char *head = HEAD "><title>t</title><desc>", *tail = "</desc></svg>";
	(void)state;
	assert_non_null(doc);
	for (size_t want = SVG_MAX_BYTES; want <= SVG_MAX_BYTES + 1; want++) {
		size_t n = strlen(head);
		memcpy(doc, head, n);
		memset(doc + n, 'a', want - n - strlen(tail));
		memcpy(doc + want - strlen(tail), tail, strlen(tail));
		check_text(doc, want, &r);
		assert_int_equal(r.bytes, want);
		assert_int_equal(findings_has(&r.findings, "svg.too_large"), want > SVG_MAX_BYTES);
		assert_int_equal(r.status, want > SVG_MAX_BYTES ? SVG_INVALID : SVG_VALID);
		svg_result_cleanup(&r);
	}
	free(doc);
}

static void test_sha256(void **state)
{
	struct svg_result r;
	(void)state;
	/* FIPS 180-2 appendix B.1: SHA-256("abc"). */
	assert_int_equal(svg_check((const unsigned char *)"abc", 3, &r), 0);
	assert_string_equal(r.sha256,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(r.bytes, 3);
	assert_int_equal(r.status, SVG_INVALID);
	svg_result_cleanup(&r);
}

/* libxml2 must not write to stderr, whatever the input. */
static void test_silent(void **state)
{
	static const char *const docs[] = {
		"<!DOCTYPE svg SYSTEM \"http://e.example/x.dtd\">\n" HEAD BODY,
		"<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg>&x;</svg>",
		HEAD "><title>t</title><foo/><bar/>\x01</svg>",
		"<svg xmlns=\"relative\"><title/></svg>",
		"\xff\xfe<\0s\0",
	};
	char tmpl[] = "/tmp/posture-svg-stderr.XXXXXX";
	int fd = mkstemp(tmpl), saved = dup(2);
	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	int failed = 0;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct svg_result r;
		size_t len = i == 4 ? 6 : strlen(docs[i]);
		failed += svg_check((const unsigned char *)docs[i], len, &r) != 0;
		failed += r.findings.n == 0; /* each has something to say */
		svg_result_cleanup(&r);
	}
	fflush(stderr);
	dup2(saved, 2);
	assert_int_equal(failed, 0);
	close(saved);
	off_t size = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(tmpl);
	assert_int_equal(size, 0);
}

struct job {
	const unsigned char *data;
	size_t len;
	char want[1024];
	int bad;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	for (int k = 0; k < 25; k++) {
		struct svg_result r;
		char got[1024];
		if (svg_check(j->data, j->len, &r) != 0) {
			j->bad++;
			continue;
		}
		codes_of(&r, got, sizeof(got));
		if (strcmp(got, j->want) != 0)
			j->bad++;
		svg_result_cleanup(&r);
	}
	return NULL;
}

/* Several threads on different logos at once give what one thread does. */
static void test_threads(void **state)
{
	static const char *const files[] = { "logos/fastmail-FM-good.svg",
		                             "negative/microsoft-edge.svg", "negative/php-alt.svg",
		                             "logos/dotenvx-bimi.svg" };
	enum { N = 4 };
	struct job jobs[N];
	unsigned char *data[N];
	pthread_t t[N];
	(void)state;
	for (int i = 0; i < N; i++) {
		char path[256];
		struct svg_result r;
		snprintf(path, sizeof(path), FIXTURES "%s", files[i]);
		data[i] = slurp(path, &jobs[i].len);
		jobs[i].data = data[i];
		jobs[i].bad = 0;
		assert_int_equal(svg_check(data[i], jobs[i].len, &r), 0);
		codes_of(&r, jobs[i].want, sizeof(jobs[i].want));
		svg_result_cleanup(&r);
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(jobs[i].bad, 0);
		free(data[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),  cmocka_unit_test(test_fixture_location),
		cmocka_unit_test(test_rules),     cmocka_unit_test(test_messages_clean),
		cmocka_unit_test(test_xxe),       cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_ten_mib),   cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_garbage),   cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_forty_kib), cmocka_unit_test(test_size_boundary),
		cmocka_unit_test(test_sha256),    cmocka_unit_test(test_silent),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
