/*
 * msg_authres.c — Authentication-Results (RFC 8601 2.2), the ARC form of
 * it (RFC 8617 4.1.1: "i=N;" first) and Received-SPF (RFC 7208 9.1).
 *
 *   authres-payload = [CFWS] authserv-id [ CFWS authres-version ]
 *                     ( no-result / 1*resinfo ) [CFWS]
 *   no-result  = [CFWS] ";" [CFWS] "none"
 *   resinfo    = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
 *   methodspec = [CFWS] method [CFWS] [ "/" [CFWS] version [CFWS] ] "=" [CFWS] result
 *   reasonspec = "reason" [CFWS] "=" [CFWS] value
 *   propspec   = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 *
 * Comments (RFC 5322 3.2.2, nested, with quoted-pairs) may sit in every
 * gap; the first one after a result is kept as its comment. Receivers
 * bend the grammar and their fields are still read: Microsoft writes no
 * authserv-id at all ("spf=pass (sender IP is ...) ...", authserv_id
 * stays ""), bare "action=none" (kept as a property with ptype "") and
 * no space after ';'; Gmail, Yahoo and rspamd note the DMARC policy in a
 * comment ("(p=NONE sp=NONE dis=NONE)", "(policy=reject)"); property
 * values are often unquoted addresses holding '=' or '+'. A value is a
 * quoted string or the run of bytes up to white space, ';' or '('.
 *
 * Never fails: what cannot be read sets .malformed and .problem (the
 * first problem), the parser skips to the next ';' outside quotes and
 * comments, and everything readable is kept. Every copy is cut to its
 * buffer on a UTF-8 boundary.
 */
#include "message.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "strutil.h"

/* The text still to read: [p, end). The value is NUL-terminated; the
 * parser still never reads at or past end. */
struct cur {
	const char *p;
	const char *end;
};

/* A piece of the text: a token, or a quoted string's inside (quoted). */
struct span {
	const char *s;
	size_t n;
	bool quoted;
};

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 8601 2.2 Keyword (RFC 5321 ldh-str), and the '_' some write. */
static bool is_keyword(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static bool at_end(const struct cur *c)
{
	return c->p >= c->end;
}

/* Drops a UTF-8 sequence cut in half at the end of dst[0..len). */
static size_t utf8_trim(const char *dst, size_t len)
{
	size_t i = len;
	while (i > 0 && len - i < 3 && ((unsigned char)dst[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return len;
	unsigned char lead = (unsigned char)dst[i - 1];
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	return (need > 1 && len - (i - 1) < need) ? i - 1 : len;
}

/* Copies sp into dst (cap > 0 bytes): quoted-pairs undone, cut at cap - 1
 * bytes on a UTF-8 boundary, ASCII lower-cased when asked. */
static void span_copy(char *dst, size_t cap, struct span sp, bool lower_case)
{
	size_t o = 0;
	bool cut = false;
	for (size_t i = 0; i < sp.n; i++) {
		char ch = sp.s[i];
		if (sp.quoted && ch == '\\' && i + 1 < sp.n)
			ch = sp.s[++i];
		if (o + 1 >= cap) {
			cut = true;
			break;
		}
		if (lower_case)
			ch = str_lower(ch);
		dst[o++] = ch;
	}
	if (cut)
		o = utf8_trim(dst, o);
	dst[o] = '\0';
}

static bool span_is(struct span sp, const char *word)
{
	size_t n = strlen(word);
	if (sp.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (str_lower(sp.s[i]) != word[i])
			return false;
	return true;
}

static void problem(struct msg_authres *out, const char *what)
{
	if (!out->malformed)
		str_copy(out->problem, sizeof(out->problem), what);
	out->malformed = true;
}

/*
 * Skips white space and comments. The first comment met is copied,
 * parentheses included, into keep (when keep is not NULL and still
 * empty). Returns false when a comment never closes (the rest of the
 * text is then used up).
 */
static bool skip_cfws(struct cur *c, char *keep, size_t keep_cap)
{
	for (;;) {
		while (!at_end(c) && is_wsp(*c->p))
			c->p++;
		if (at_end(c) || *c->p != '(')
			return true;
		const char *start = c->p;
		int depth = 0;
		while (!at_end(c)) {
			char ch = *c->p++;
			if (ch == '\\' && !at_end(c))
				c->p++;
			else if (ch == '(')
				depth++;
			else if (ch == ')' && --depth == 0)
				break;
		}
		if (depth != 0)
			return false;
		if (keep != NULL && keep[0] == '\0')
			span_copy(keep, keep_cap,
			          (struct span){ start, (size_t)(c->p - start), false }, false);
	}
}

/* A run of Keyword bytes (possibly empty). */
static struct span read_keyword(struct cur *c)
{
	struct span sp = { c->p, 0, false };
	while (!at_end(c) && is_keyword(*c->p))
		c->p++;
	sp.n = (size_t)(c->p - sp.s);
	return sp;
}

/* A quoted string (its inside) or a token up to white space, ';' or
 * '('. *closed is false for a quoted string that never ends. */
static struct span read_value(struct cur *c, bool *closed)
{
	struct span sp = { c->p, 0, false };
	*closed = true;
	if (!at_end(c) && *c->p == '"') {
		sp.quoted = true;
		sp.s = ++c->p;
		while (!at_end(c) && *c->p != '"') {
			if (*c->p == '\\' && c->p + 1 < c->end)
				c->p++;
			c->p++;
		}
		sp.n = (size_t)(c->p - sp.s);
		if (at_end(c))
			*closed = false;
		else
			c->p++;
		return sp;
	}
	while (!at_end(c) && !is_wsp(*c->p) && *c->p != ';' && *c->p != '(' &&
	       (unsigned char)*c->p >= 0x20 && *c->p != 0x7F)
		c->p++;
	sp.n = (size_t)(c->p - sp.s);
	return sp;
}

/* Skips to the next ';' outside quoted strings and comments (left at it). */
static void resync(struct cur *c)
{
	while (!at_end(c) && *c->p != ';') {
		if (*c->p == '"') {
			bool closed;
			(void)read_value(c, &closed);
		} else if (*c->p == '(') {
			(void)skip_cfws(c, NULL, 0);
		} else {
			c->p++;
		}
	}
}

/* Up to 9 digits into *n; false when none, or more. */
static bool read_number(struct cur *c, int *n)
{
	struct span sp = read_keyword(c);
	if (sp.n == 0 || sp.n > 9)
		return false;
	int v = 0;
	for (size_t i = 0; i < sp.n; i++) {
		if (sp.s[i] < '0' || sp.s[i] > '9')
			return false;
		v = v * 10 + (sp.s[i] - '0');
	}
	*n = v;
	return true;
}

/* ---- the DMARC policy a receiver noted ---- */

static void set_policy(char *dst, size_t cap, struct span v)
{
	if (dst[0] == '\0' && v.n > 0)
		span_copy(dst, cap, v, true);
}

/* Gmail's "(p=NONE sp=NONE dis=NONE)", Yahoo's "(p=REJECT dis=REJECT)",
 * rspamd's "(policy=reject)", also with ',' between the pairs. Other
 * words are passed over. */
static void policy_from_comment(struct msg_ar_result *r)
{
	const char *s = r->comment;
	while (*s != '\0') {
		while (*s != '\0' && !is_keyword(*s))
			s++;
		struct span name = { s, 0, false };
		while (is_keyword(*s))
			s++;
		name.n = (size_t)(s - name.s);
		if (*s != '=')
			continue;
		struct span v = { ++s, 0, false };
		while (is_keyword(*s) || *s == '.')
			s++;
		v.n = (size_t)(s - v.s);
		if (span_is(name, "p") || span_is(name, "policy"))
			set_policy(r->policy_p, sizeof(r->policy_p), v);
		else if (span_is(name, "sp"))
			set_policy(r->policy_sp, sizeof(r->policy_sp), v);
		else if (span_is(name, "dis"))
			set_policy(r->policy_dis, sizeof(r->policy_dis), v);
	}
}

/* Microsoft's action= (what it did with a DMARC failure): oreject and
 * oquarantine are the domain's policy overridden into the junk folder,
 * pct.* a policy not applied because of pct= (nothing was done). */
static const char *action_disposition(struct span v)
{
	static const struct {
		const char *action, *dis;
	} map[] = {
		{ "none", "none" },
		{ "quarantine", "quarantine" },
		{ "reject", "reject" },
		{ "oreject", "reject" },
		{ "o.reject", "reject" },
		{ "oquarantine", "quarantine" },
		{ "o.quarantine", "quarantine" },
		{ "pct.quarantine", "none" },
		{ "pct.reject", "none" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (span_is(v, map[i].action))
			return map[i].dis;
	return NULL;
}

/* policy.dmarc (DMARCbis: the policy evaluated), authentication_milter's
 * policy.published-domain-policy and friends, Microsoft's action=. */
static void policy_from_prop(struct msg_ar_result *r, struct span ptype, struct span prop,
                             struct span v)
{
	if (ptype.n == 0 && span_is(prop, "action")) {
		const char *dis = action_disposition(v);
		if (dis != NULL && r->policy_dis[0] == '\0')
			str_copy(r->policy_dis, sizeof(r->policy_dis), dis);
		return;
	}
	if (!span_is(ptype, "policy"))
		return;
	if (span_is(prop, "dmarc") || span_is(prop, "published-domain-policy"))
		set_policy(r->policy_p, sizeof(r->policy_p), v);
	else if (span_is(prop, "published-subdomain-policy"))
		set_policy(r->policy_sp, sizeof(r->policy_sp), v);
	else if (span_is(prop, "applied-disposition"))
		set_policy(r->policy_dis, sizeof(r->policy_dis), v);
}

/* ---- resinfo ---- */

/* Skips CFWS inside a resinfo after its result: the first comment met
 * is kept as the result's. */
static bool skip_cfws_r(struct cur *c, struct msg_ar_result *r)
{
	return skip_cfws(c, r->comment, sizeof(r->comment));
}

/* One propspec, reasonspec or bare name=value after the result. Returns
 * false when the rest of this resinfo cannot be read. */
static bool read_prop(struct cur *c, struct msg_authres *out, struct msg_ar_result *r, bool dmarc)
{
	struct span ptype = { "", 0, false };
	struct span name = read_keyword(c);
	bool closed;

	if (name.n == 0) {
		problem(out, "unreadable property");
		return false;
	}
	if (!skip_cfws_r(c, r))
		goto open_comment;
	if (!at_end(c) && *c->p == '.') {
		c->p++;
		ptype = name;
		if (!skip_cfws_r(c, r))
			goto open_comment;
		name = read_keyword(c);
		if (name.n == 0) {
			problem(out, "unreadable property");
			return false;
		}
		if (!skip_cfws_r(c, r))
			goto open_comment;
	}
	if (at_end(c) || *c->p != '=') {
		problem(out, "property without '='");
		return false;
	}
	c->p++;
	if (!skip_cfws_r(c, r))
		goto open_comment;
	struct span v = read_value(c, &closed);
	if (!closed)
		problem(out, "unterminated quoted string");
	else if (v.n == 0 && !v.quoted)
		problem(out, "property without a value");

	if (ptype.n == 0 && span_is(name, "reason")) {
		/* RFC 8601 2.7: reasonspec; Microsoft's compauth "reason=100". */
		if (r->reason[0] == '\0')
			span_copy(r->reason, sizeof(r->reason), v, false);
		return true;
	}
	if (dmarc)
		policy_from_prop(r, ptype, name, v);
	if (r->nprops >= MSG_AR_PROPS_MAX) {
		problem(out, "too many properties in one result");
		return true;
	}
	struct msg_ar_prop *p = &r->props[r->nprops++];
	span_copy(p->ptype, sizeof(p->ptype), ptype, true);
	span_copy(p->property, sizeof(p->property), name, true);
	span_copy(p->value, sizeof(p->value), v, false);
	return true;

open_comment:
	problem(out, "unterminated comment");
	return false;
}

/* After "method=": the result, then reasonspec and propspecs in any
 * order up to the next ';'. */
static void read_result(struct cur *c, struct msg_authres *out, struct msg_ar_result *r)
{
	bool dmarc = strcmp(r->method, "dmarc") == 0;
	bool ok = skip_cfws(c, NULL, 0);
	struct span result = read_keyword(c);
	if (ok && result.n == 0)
		problem(out, "method without a result");
	span_copy(r->result, sizeof(r->result), result, true);
	for (;;) {
		if (!ok || !skip_cfws_r(c, r)) {
			problem(out, "unterminated comment");
			break;
		}
		if (at_end(c) || *c->p == ';')
			break;
		if (!read_prop(c, out, r, dmarc)) {
			resync(c);
			break;
		}
	}
	/* Properties first: structured data wins over a comment's words. */
	if (dmarc && r->comment[0] != '\0')
		policy_from_comment(r);
}

/*
 * One resinfo, after its ';'. methodspec first ("none" alone is
 * RFC 8601's no-result), then reasonspec and propspecs in any order.
 * The first comment after the result is the result's: Gmail and most
 * write it right after the result, rspamd after the properties
 * ("dmarc=fail reason=... header.from=a.example (policy=reject)").
 */
static void read_resinfo(struct cur *c, struct msg_authres *out)
{
	struct msg_ar_result scratch;
	struct msg_ar_result *r = &scratch;

	if (!skip_cfws(c, NULL, 0)) {
		problem(out, "unterminated comment");
		return;
	}
	if (at_end(c) || *c->p == ';')
		return; /* an empty resinfo: a ';' too many, as some write */
	struct span method = read_keyword(c);
	if (method.n == 0) {
		problem(out, "unreadable method");
		resync(c);
		return;
	}
	bool ok = skip_cfws(c, NULL, 0);
	if (ok && span_is(method, "none") && (at_end(c) || *c->p == ';')) {
		out->no_result = true;
		return;
	}
	if (ok && !at_end(c) && *c->p == '/') {
		/* RFC 8601 2.2: the method's version, not kept. */
		int version;
		c->p++;
		ok = skip_cfws(c, NULL, 0);
		if (ok && !read_number(c, &version))
			problem(out, "unreadable method version");
		ok = ok && skip_cfws(c, NULL, 0);
	}
	if (!ok) {
		problem(out, "unterminated comment");
		return;
	}
	if (at_end(c) || *c->p != '=') {
		problem(out, "method without '=result'");
		resync(c);
		return;
	}
	c->p++;
	if (out->nresults < MSG_AR_RESULTS_MAX)
		r = &out->results[out->nresults++];
	else
		problem(out, "too many results");
	memset(r, 0, sizeof(*r));
	span_copy(r->method, sizeof(r->method), method, true);
	read_result(c, out, r);
}

/* RFC 8617 4.1.1: "i=" instance ";" before the authserv-id. */
static void read_instance(struct cur *c, struct msg_authres *out)
{
	const char *start = c->p;
	int n = 0;
	bool ok = skip_cfws(c, NULL, 0) && !at_end(c) && *c->p == 'i';
	if (ok) {
		c->p++;
		ok = skip_cfws(c, NULL, 0) && !at_end(c) && *c->p == '=';
	}
	if (ok) {
		c->p++;
		ok = skip_cfws(c, NULL, 0) && read_number(c, &n) && skip_cfws(c, NULL, 0) &&
		     !at_end(c) && *c->p == ';';
	}
	if (!ok) {
		problem(out, "no i= instance");
		c->p = start;
		return;
	}
	c->p++;
	out->instance = n;
	if (n < 1 || n > MSG_ARC_MAX)
		problem(out, "i= out of range 1 to 50");
}

/* authserv-id [ CFWS authres-version ]. */
static void read_authserv(struct cur *c, struct msg_authres *out)
{
	bool closed;
	if (!skip_cfws(c, NULL, 0)) {
		problem(out, "unterminated comment");
		return;
	}
	struct span id = read_value(c, &closed);
	if (!closed)
		problem(out, "unterminated quoted string");
	if (id.n == 0)
		problem(out, "no authserv-id");
	span_copy(out->authserv_id, sizeof(out->authserv_id), id, true);
	if (!skip_cfws(c, NULL, 0)) {
		problem(out, "unterminated comment");
		return;
	}
	if (!at_end(c) && *c->p >= '0' && *c->p <= '9') {
		int v;
		if (!read_number(c, &v) || v < 1)
			problem(out, "unreadable authres-version");
		else
			out->version = v;
	}
}

/* Microsoft writes no authserv-id: its values start "spf=pass (sender IP
 * is ...)". A first word followed by '=' is such a methodspec. */
static bool starts_with_method(const struct cur *c)
{
	struct cur t = *c;
	if (!skip_cfws(&t, NULL, 0) || read_keyword(&t).n == 0 || !skip_cfws(&t, NULL, 0))
		return false;
	return !at_end(&t) && (*t.p == '=' || *t.p == '/');
}

void msg_authres_parse(const char *value, bool arc, struct msg_authres *out)
{
	/* All but the results: each slot is cleared when it is taken, and
	 * clearing 32 of them per field was half of the fuzzer's time. */
	memset(out, 0, offsetof(struct msg_authres, results));
	out->nresults = 0;
	out->malformed = false;
	out->problem[0] = '\0';
	out->version = 1;
	if (value == NULL)
		value = "";
	struct cur c = { value, value + strlen(value) };

	if (arc)
		read_instance(&c, out);
	if (starts_with_method(&c))
		read_resinfo(&c, out); /* authserv_id stays "" */
	else
		read_authserv(&c, out);
	for (;;) {
		if (!skip_cfws(&c, NULL, 0))
			problem(out, "unterminated comment");
		if (at_end(&c))
			break;
		if (*c.p != ';') {
			problem(out, "text where ';' was expected");
			resync(&c);
			continue;
		}
		c.p++;
		read_resinfo(&c, out);
	}
	/* RFC 8601 2.2: ( no-result / 1*resinfo ). */
	if (!out->no_result && out->nresults == 0)
		problem(out, "no result");
}

const struct msg_ar_result *msg_authres_find(const struct msg_authres *ar, const char *method)
{
	if (ar == NULL || method == NULL)
		return NULL;
	for (size_t i = 0; i < ar->nresults && i < MSG_AR_RESULTS_MAX; i++)
		if (strcmp(ar->results[i].method, method) == 0)
			return &ar->results[i];
	return NULL;
}

const char *msg_ar_prop(const struct msg_ar_result *r, const char *ptype, const char *property)
{
	if (r == NULL || ptype == NULL || property == NULL)
		return NULL;
	for (size_t i = 0; i < r->nprops && i < MSG_AR_PROPS_MAX; i++)
		if (strcmp(r->props[i].ptype, ptype) == 0 &&
		    strcmp(r->props[i].property, property) == 0)
			return r->props[i].value;
	return NULL;
}

/* ---- Received-SPF (RFC 7208 9.1) ---- */

/*
 *   header-field   = "Received-SPF:" [CFWS] result FWS [comment FWS]
 *                    [ key-value-list ] CRLF
 *   key-value-list = key-value-pair *( ";" [CFWS] key-value-pair ) [";"]
 *   key-value-pair = key [CFWS] "=" ( dot-atom / quoted-string )
 *
 * Read leniently: pairs separated by white space alone are read too
 * (Haraka writes "client-ip=192.0.2.1 helo=..."), and envelope-from
 * loses its angle brackets. problem= and mechanism= are recognised and
 * not kept (the struct has no room for them); unknown keys are skipped.
 */
static void spf_pair(struct msg_received_spf *out, struct span key, struct span v)
{
	if (span_is(key, "client-ip")) {
		span_copy(out->client_ip, sizeof(out->client_ip), v, false);
	} else if (span_is(key, "envelope-from")) {
		if (v.n > 0 && v.s[0] == '<') {
			v.s++;
			v.n--;
		}
		if (v.n > 0 && v.s[v.n - 1] == '>')
			v.n--;
		span_copy(out->envelope_from, sizeof(out->envelope_from), v, false);
	} else if (span_is(key, "helo")) {
		span_copy(out->helo, sizeof(out->helo), v, true);
	} else if (span_is(key, "receiver")) {
		span_copy(out->receiver, sizeof(out->receiver), v, true);
	} else if (span_is(key, "identity")) {
		span_copy(out->identity, sizeof(out->identity), v, true);
	}
}

void msg_received_spf_parse(const char *value, struct msg_received_spf *out)
{
	static const char *const results[] = { "pass", "fail",      "softfail", "neutral",
		                               "none", "temperror", "permerror" };
	memset(out, 0, sizeof(*out));
	if (value == NULL)
		return;
	struct cur c = { value, value + strlen(value) };

	(void)skip_cfws(&c, NULL, 0);
	struct span result = read_keyword(&c);
	span_copy(out->result, sizeof(out->result), result, true);
	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (strcmp(out->result, results[i]) == 0)
			out->parsed = true;
	if (result.n == 0)
		return;
	(void)skip_cfws(&c, out->comment, sizeof(out->comment));
	while (skip_cfws(&c, NULL, 0) && !at_end(&c)) {
		if (*c.p == ';') {
			c.p++;
			continue;
		}
		struct span key = read_keyword(&c);
		if (key.n == 0) {
			/* Not a key: skip the word. */
			bool closed;
			c.p++;
			(void)read_value(&c, &closed);
			continue;
		}
		if (!skip_cfws(&c, NULL, 0) || at_end(&c) || *c.p != '=')
			continue;
		c.p++;
		bool closed;
		if (!skip_cfws(&c, NULL, 0))
			break;
		spf_pair(out, key, read_value(&c, &closed));
	}
}
