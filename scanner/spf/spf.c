/*
 * spf.c — SPF record syntax (RFC 7208 4.5, 4.6, 5, 6, 12) and macro
 * expansion (RFC 7208 7). Pure: text in, structs and findings out.
 *
 * The parser is strict, as an auditor must be: anything the ABNF does not
 * allow is a syntax error with the offending term and its byte position,
 * and makes the record a PermError. It never truncates: every term is
 * copied whole or rejected. Hostile input (NUL bytes, megabytes of terms,
 * deep macro nesting) meets named limits, never a fixed buffer.
 */
#include "spf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *spf_result_name(enum spf_result r)
{
	static const char *const names[] = { "none",     "neutral",   "pass",     "fail",
		                             "softfail", "temperror", "permerror" };
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

static const char *const mech_names[] = {
	"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"
};

const char *spf_mech_name(enum spf_mech_kind k)
{
	return (unsigned)k < sizeof(mech_names) / sizeof(mech_names[0]) ? mech_names[k] : "?";
}

bool spf_is_record(const char *text, size_t len)
{
	/* RFC 7208 4.5: exactly "v=spf1", then SP or the end. The ABNF
	 * literal is case-insensitive (RFC 5234 2.3). */
	return len >= 6 && strncasecmp(text, "v=spf1", 6) == 0 && (len == 6 || text[6] == ' ');
}

void spf_record_free(struct spf_record *rec)
{
	if (rec == NULL)
		return;
	for (size_t i = 0; i < rec->nmechs; i++)
		free(rec->mechs[i].domain_spec);
	free(rec->mechs);
	free(rec->redirect);
	free(rec->exp);
	findings_cleanup(&rec->findings);
	free(rec);
}

struct spf_parse_memo {
	size_t n;
	struct {
		char *text;
		size_t len;
		struct spf_record *rec;
	} v[SPF_PARSE_MEMO_MAX];
};

struct spf_parse_memo *spf_parse_memo_new(void)
{
	return calloc(1, sizeof(struct spf_parse_memo));
}

void spf_parse_memo_free(struct spf_parse_memo *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].text);
		spf_record_free(m->v[i].rec);
	}
	free(m);
}

int spf_parse_memo_get(struct spf_parse_memo *m, const char *text, size_t len,
                       const struct spf_record **rec, struct spf_record **owned)
{
	*rec = NULL;
	*owned = NULL;
	for (size_t i = 0; m != NULL && i < m->n; i++)
		if (m->v[i].len == len && memcmp(m->v[i].text, text, len) == 0) {
			*rec = m->v[i].rec;
			return 0;
		}
	struct spf_record *fresh = NULL;
	if (spf_parse(text, len, &fresh) != 0)
		return -1;
	*rec = fresh;
	/* A record too long to read parses at once (spf_parse stops at its
	 * length): the memo keeps no copy of its text. */
	if (m != NULL && m->n < SPF_PARSE_MEMO_MAX && len <= DNS_TXT_MAX_BYTES) {
		char *copy = malloc(len + 1);
		if (copy != NULL) {
			memcpy(copy, text, len);
			copy[len] = '\0';
			m->v[m->n].text = copy;
			m->v[m->n].len = len;
			m->v[m->n].rec = fresh;
			m->n++;
			return 0;
		}
	}
	*owned = fresh;
	return 0;
}

static bool is_macro_letter(char c, bool exp)
{
	c = (char)tolower((unsigned char)c);
	if (strchr("slodiphv", c) != NULL)
		return true;
	return exp && strchr("crt", c) != NULL;
}

static bool is_delimiter(char c)
{
	return c != '\0' && strchr(".-+,/_=", c) != NULL;
}

/*
 * Checks a macro-string (RFC 7208 7.1): literals are visible ASCII except
 * '%'; '%' starts "%%", "%_", "%-" or "%{" letter digits ["r"] delimiters
 * "}". Returns 0, or -1 with the reason and the offset of the error.
 */
static int macro_check(const char *s, size_t len, bool exp, char *err, size_t errlen,
                       size_t *errpos)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c != '%') {
			/* explain-string = *( macro-string / SP ) (RFC 7208 6.2) */
			if (c == ' ' && exp)
				continue;
			if (c < 0x21 || c > 0x7e) {
				*errpos = i;
				snprintf(err, errlen,
				         "byte 0x%02x is not allowed in a macro-string", c);
				return -1;
			}
			continue;
		}
		if (i + 1 >= len) {
			*errpos = i;
			snprintf(err, errlen, "'%%' at the end (write %%%% for a literal %%)");
			return -1;
		}
		char n = s[i + 1];
		if (n == '%' || n == '_' || n == '-') {
			i++;
			continue;
		}
		if (n != '{') {
			*errpos = i;
			snprintf(err, errlen, "'%%%c' is not a macro (write %%%% for a literal %%)",
			         isprint((unsigned char)n) ? n : '?');
			return -1;
		}
		size_t j = i + 2;
		if (j >= len || !is_macro_letter(s[j], exp)) {
			*errpos = i;
			snprintf(err, errlen, "unknown macro letter '%c'%s",
			         j < len && isprint((unsigned char)s[j]) ? s[j] : '?',
			         (j < len && !exp && is_macro_letter(s[j], true))
			                 ? " (c, r and t are for explanations only)"
			                 : "");
			return -1;
		}
		j++;
		size_t digits = 0;
		while (j < len && isdigit((unsigned char)s[j])) {
			digits++;
			j++;
		}
		/* RFC 7208 7.1: a DIGIT transformer MUST be nonzero. */
		if (digits > 0) {
			long v = 0;
			for (size_t k = j - digits; k < j && v < 1000; k++)
				v = v * 10 + (s[k] - '0');
			if (v == 0) {
				*errpos = i;
				snprintf(err, errlen, "macro transformer 0 is not allowed");
				return -1;
			}
		}
		if (j < len && (s[j] == 'r' || s[j] == 'R'))
			j++;
		while (j < len && is_delimiter(s[j]))
			j++;
		if (j >= len || s[j] != '}') {
			*errpos = i;
			snprintf(err, errlen, "unterminated or malformed macro");
			return -1;
		}
		i = j;
	}
	return 0;
}

bool spf_has_macro(const char *spec)
{
	return spec != NULL && strstr(spec, "%{") != NULL;
}

/* RFC 7208 7.1 domain-end: "." toplabel ["."], or a macro at the end.
 * toplabel = alphanum with at least one ALPHA, or alphanum words joined
 * by "-" (so all-numeric top labels like "123" are refused). */
static bool domain_end_ok(const char *s, size_t len)
{
	if (len > 0 && s[len - 1] == '}')
		return true;
	if (len > 0 && s[len - 1] == '.')
		len--;
	size_t dot = len;
	while (dot > 0 && s[dot - 1] != '.')
		dot--;
	if (dot == 0)
		return false; /* no "." before the top label */
	const char *t = s + dot;
	size_t tl = len - dot;
	if (tl == 0)
		return false;
	bool alpha = false, dash = false;
	for (size_t i = 0; i < tl; i++) {
		unsigned char c = (unsigned char)t[i];
		if (isalpha(c))
			alpha = true;
		else if (c == '-')
			dash = true;
		else if (!isdigit(c))
			return false;
	}
	if (!isalnum((unsigned char)t[0]) || !isalnum((unsigned char)t[tl - 1]))
		return false;
	return alpha || dash;
}

struct parser {
	struct spf_record *rec;
	const char *text;
	size_t len;
	size_t mcap; /* room in rec->mechs */
};

static void syntax(struct parser *p, size_t pos, size_t tlen, const char *fmt, const char *why)
{
	char term[96];
	size_t n = tlen < 64 ? tlen : 64;
	dns_escape_text(p->text + pos, n, term, sizeof(term));
	findings_add(
	        &p->rec->findings, "spf.syntax", FINDING_ERROR, NULL,
	        "Correct the term as RFC 7208 section 12 (ABNF) writes it; receivers treat the "
	        "whole record as a PermError.",
	        "term \"%s%s\" at byte %zu: %s", term, tlen > 64 ? "..." : "", pos,
	        why ? why : fmt);
	p->rec->permerror = true;
}

/* Parses "/N" (ip4) or "/N" (ip6) with no leading zeros. Returns the
 * value or -1. */
static int parse_cidr(const char *s, size_t len, int max)
{
	int v = 0;
	if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/*
 * Splits a trailing dual-cidr-length ("/24", "//64", "/24//64") off the
 * argument of a, mx (dual) or ip4/ip6 (single). *arglen is shortened to
 * what precedes it. Returns 0, or -1 if a cidr is malformed.
 */
static int split_cidr(const char *arg, size_t *arglen, bool dual, int max4, int *c4, int *c6)
{
	size_t n = *arglen;
	*c4 = *c6 = -1;
	/* Find the last '/' followed only by digits. */
	size_t k = n;
	while (k > 0 && isdigit((unsigned char)arg[k - 1]))
		k--;
	if (k == 0 || arg[k - 1] != '/' || k == n) {
		/* No trailing digits after a slash: a slash at the very end
		 * is malformed, anything else has no cidr. */
		if (n > 0 && arg[n - 1] == '/')
			return -1;
		return 0;
	}
	size_t slash = k - 1;
	if (dual && slash > 0 && arg[slash - 1] == '/') {
		*c6 = parse_cidr(arg + k, n - k, 128);
		if (*c6 < 0)
			return -1;
		n = slash - 1;
		/* An ip4 length may precede "//". */
		k = n;
		while (k > 0 && isdigit((unsigned char)arg[k - 1]))
			k--;
		if (k > 0 && k < n && arg[k - 1] == '/') {
			*c4 = parse_cidr(arg + k, n - k, 32);
			if (*c4 < 0)
				return -1;
			n = k - 1;
		}
	} else {
		int v = parse_cidr(arg + k, n - k, max4);
		if (v < 0)
			return -1;
		*c4 = v;
		n = slash;
	}
	*arglen = n;
	return 0;
}

static int add_mech(struct parser *p, const struct spf_mech *m)
{
	if (p->rec->nmechs == p->mcap) {
		/* Doubling: a record with 20 ip4: terms took 20 reallocs. */
		size_t cap = p->mcap ? p->mcap * 2 : 8;
		struct spf_mech *v = realloc(p->rec->mechs, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		p->rec->mechs = v;
		p->mcap = cap;
	}
	p->rec->mechs[p->rec->nmechs++] = *m;
	return 0;
}

/* Checks a domain-spec: a valid macro-string with a proper domain-end. */
static bool domain_spec_ok(struct parser *p, const char *spec, size_t len, size_t pos, size_t tlen)
{
	char err[160];
	size_t errpos = 0;
	if (len == 0) {
		syntax(p, pos, tlen, "empty domain", NULL);
		return false;
	}
	if (macro_check(spec, len, false, err, sizeof(err), &errpos) != 0) {
		syntax(p, pos, tlen, err, NULL);
		return false;
	}
	if (!domain_end_ok(spec, len)) {
		syntax(p, pos, tlen,
		       "the domain must end in a top-level label with a letter (like .com) or "
		       "a macro",
		       NULL);
		return false;
	}
	return true;
}

/* One directive: [qualifier] mechanism. Returns -1 on allocation failure. */
static int parse_directive(struct parser *p, const char *t, size_t tlen, size_t pos)
{
	struct spf_mech m;
	size_t i = 0;

	memset(&m, 0, sizeof(m));
	m.qualifier = '+';
	m.pos = pos;
	m.cidr4 = m.cidr6 = -1;
	if (tlen > 0 && strchr("+-~?", t[0]) != NULL) {
		m.qualifier = t[0];
		i = 1;
	}
	size_t nl = i;
	while (nl < tlen && isalnum((unsigned char)t[nl]))
		nl++;
	const char *name = t + i;
	size_t namelen = nl - i;
	int kind = -1;
	for (size_t k = 0; k < sizeof(mech_names) / sizeof(mech_names[0]); k++)
		if (strlen(mech_names[k]) == namelen &&
		    strncasecmp(name, mech_names[k], namelen) == 0)
			kind = (int)k;
	if (kind < 0) {
		syntax(p, pos, tlen, "unknown mechanism", NULL);
		return 0;
	}
	m.kind = (enum spf_mech_kind)kind;
	const char *arg = t + nl;
	size_t arglen = tlen - nl;
	bool colon = arglen > 0 && arg[0] == ':';
	if (colon) {
		arg++;
		arglen--;
	} else if (arglen > 0 && arg[0] != '/') {
		syntax(p, pos, tlen, "unexpected text after the mechanism name", NULL);
		return 0;
	}
	switch (m.kind) {
	case SPF_MECH_ALL:
		if (colon || arglen > 0) {
			syntax(p, pos, tlen, "'all' takes no argument", NULL);
			return 0;
		}
		break;
	case SPF_MECH_INCLUDE:
	case SPF_MECH_EXISTS:
		if (!colon) {
			syntax(p, pos, tlen, "needs ':' and a domain", NULL);
			return 0;
		}
		if (!domain_spec_ok(p, arg, arglen, pos, tlen))
			return 0;
		m.domain_spec = strndup(arg, arglen);
		if (m.domain_spec == NULL)
			return -1;
		break;
	case SPF_MECH_A:
	case SPF_MECH_MX:
	case SPF_MECH_PTR: {
		bool dual = m.kind != SPF_MECH_PTR;
		if (dual && split_cidr(arg, &arglen, true, 32, &m.cidr4, &m.cidr6) != 0) {
			syntax(p, pos, tlen,
			       "bad CIDR length (ip4 0-32, ip6 0-128, no leading zeros)", NULL);
			return 0;
		}
		if (colon) {
			if (!domain_spec_ok(p, arg, arglen, pos, tlen))
				return 0;
			m.domain_spec = strndup(arg, arglen);
			if (m.domain_spec == NULL)
				return -1;
		} else if (arglen > 0) {
			syntax(p, pos, tlen, "unexpected text after the mechanism name", NULL);
			return 0;
		}
		break;
	}
	case SPF_MECH_IP4:
	case SPF_MECH_IP6: {
		bool v6 = m.kind == SPF_MECH_IP6;
		char buf[INET6_ADDRSTRLEN + 1];
		if (!colon) {
			syntax(p, pos, tlen, "needs ':' and an address", NULL);
			return 0;
		}
		if (split_cidr(arg, &arglen, false, v6 ? 128 : 32, &m.cidr4, &m.cidr6) != 0) {
			syntax(p, pos, tlen,
			       v6 ? "bad prefix length (0-128, no leading zeros)"
			          : "bad prefix length (0-32, no leading zeros)",
			       NULL);
			return 0;
		}
		if (v6) {
			m.cidr6 = m.cidr4;
			m.cidr4 = -1;
		}
		if (arglen == 0 || arglen >= sizeof(buf)) {
			syntax(p, pos, tlen, "bad address", NULL);
			return 0;
		}
		memcpy(buf, arg, arglen);
		buf[arglen] = '\0';
		if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, m.addr) != 1) {
			syntax(p, pos, tlen, v6 ? "not an IPv6 address" : "not an IPv4 address",
			       NULL);
			return 0;
		}
		break;
	}
	}
	if (m.domain_spec != NULL && spf_has_macro(m.domain_spec))
		p->rec->has_macros = true;
	if (add_mech(p, &m) != 0) {
		free(m.domain_spec);
		return -1;
	}
	return 0;
}

/* One modifier: name "=" macro-string. Returns -1 on allocation failure. */
static int parse_modifier(struct parser *p, const char *t, size_t tlen, size_t eq, size_t pos)
{
	const char *val = t + eq + 1;
	size_t vlen = tlen - eq - 1;
	char err[160];
	size_t errpos;
	bool redirect = eq == 8 && strncasecmp(t, "redirect", 8) == 0;
	bool exp = eq == 3 && strncasecmp(t, "exp", 3) == 0;

	if (redirect || exp) {
		char **slot = redirect ? &p->rec->redirect : &p->rec->exp;
		/* RFC 7208 6: each at most once, else PermError. */
		if (*slot != NULL) {
			syntax(p, pos, tlen,
			       redirect ? "second redirect= (at most one is allowed)"
			                : "second exp= (at most one is allowed)",
			       NULL);
			return 0;
		}
		if (!domain_spec_ok(p, val, vlen, pos, tlen))
			return 0;
		*slot = strndup(val, vlen);
		if (*slot == NULL)
			return -1;
		if (redirect && spf_has_macro(*slot))
			p->rec->has_macros = true;
		return 0;
	}
	/* unknown-modifier: name = ALPHA *(ALPHA / DIGIT / "-" / "_" / "."). */
	if (!isalpha((unsigned char)t[0])) {
		syntax(p, pos, tlen, "a modifier name starts with a letter", NULL);
		return 0;
	}
	for (size_t i = 1; i < eq; i++)
		if (!isalnum((unsigned char)t[i]) && strchr("-_.", t[i]) == NULL) {
			syntax(p, pos, tlen, "bad character in a modifier name", NULL);
			return 0;
		}
	if (macro_check(val, vlen, false, err, sizeof(err), &errpos) != 0) {
		syntax(p, pos, tlen, err, NULL);
		return 0;
	}
	findings_add(&p->rec->findings, "spf.unknown_modifier", FINDING_INFO, NULL,
	             "Remove it unless a receiver you rely on documents it; receivers ignore "
	             "unknown modifiers (RFC 7208 6).",
	             "unknown modifier \"%.*s\" at byte %zu is ignored", (int)(eq < 64 ? eq : 64),
	             t, pos);
	return 0;
}

/* A record longer than posture reads: a PermError, as SPF_MAX_TERMS is. */
static void too_long(struct parser *p)
{
	char start[96];
	dns_escape_text(p->text, 32, start, sizeof(start));
	findings_add(&p->rec->findings, "spf.syntax", FINDING_ERROR, NULL,
	             "Shorten the record: move senders into include: records of their own (RFC "
	             "7208 3.4: a record should fit in a 512-byte answer).",
	             "the record \"%s...\" is %zu bytes, more than posture reads (%d, "
	             "DNS_TXT_MAX_BYTES): not read",
	             start, p->len, DNS_TXT_MAX_BYTES);
	p->rec->permerror = true;
}

int spf_parse(const char *text, size_t len, struct spf_record **out)
{
	struct parser p;
	size_t i, nterms = 0;

	*out = NULL;
	p.rec = calloc(1, sizeof(*p.rec));
	if (p.rec == NULL)
		return -1;
	p.text = text;
	p.len = len;
	p.mcap = 0;
	if (!spf_is_record(text, len)) {
		syntax(&p, 0, len < 16 ? len : 16, "the record must start with \"v=spf1\"", NULL);
		*out = p.rec;
		return 0;
	}
	if (len > DNS_TXT_MAX_BYTES) {
		too_long(&p);
		*out = p.rec;
		return 0;
	}
	i = 6;
	while (i < len) {
		if (text[i] != ' ') {
			/* Terms are separated by SP only (RFC 7208 12). */
			syntax(&p, i, 1, "terms are separated by spaces only", NULL);
			break;
		}
		while (i < len && text[i] == ' ')
			i++;
		if (i >= len)
			break;
		size_t start = i;
		while (i < len && text[i] != ' ')
			i++;
		const char *t = text + start;
		size_t tlen = i - start;
		if (++nterms > SPF_MAX_TERMS) {
			syntax(&p, start, tlen, "more terms than posture reads (SPF_MAX_TERMS)",
			       NULL);
			break;
		}
		/* A NUL is no character of the ABNF (RFC 7208 12): the term is
		 * an error, never cut short there (inet_pton would read
		 * "ip4:192.0.2.1\0" as 192.0.2.1). */
		const char *nul = memchr(t, '\0', tlen);
		if (nul != NULL) {
			char why[96];
			snprintf(why, sizeof(why),
			         "a NUL byte (\\000) at byte %zu: no term may hold one",
			         (size_t)(nul - text));
			syntax(&p, start, tlen, why, NULL);
			continue;
		}
		/* A modifier is name "=" ...; the name never holds ':' or '/',
		 * so the first of '=', ':', '/' decides. */
		size_t k = 0;
		while (k < tlen && t[k] != '=' && t[k] != ':' && t[k] != '/')
			k++;
		int rc = (k < tlen && t[k] == '=') ? parse_modifier(&p, t, tlen, k, start)
		                                   : parse_directive(&p, t, tlen, start);
		if (rc != 0) {
			spf_record_free(p.rec);
			return -1;
		}
	}
	*out = p.rec;
	return 0;
}

/* ---- macro expansion (RFC 7208 7) ---------------------------------- */

struct outbuf {
	char *p;
	size_t n, cap;
	bool over;
};

static void put(struct outbuf *o, const char *s, size_t n)
{
	if (o->over || o->n + n >= o->cap) {
		o->over = true;
		return;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

/* RFC 7208 7.3: upper-case macro letters are URL-escaped (RFC 3986
 * unreserved characters stay). */
static void put_escaped(struct outbuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			put(o, (const char *)&s[i], 1);
		} else {
			char hex[4];
			snprintf(hex, sizeof(hex), "%%%02X", c);
			put(o, hex, 3);
		}
	}
}

/* The value of one macro letter, written into buf. */
static int letter_value(char l, const struct spf_macro_ctx *ctx, char *buf, size_t buflen)
{
	const char *at = ctx->sender ? strrchr(ctx->sender, '@') : NULL;
	switch (l) {
	case 's':
		snprintf(buf, buflen, "%s", ctx->sender ? ctx->sender : "");
		return 0;
	case 'l':
		if (at != NULL && at != ctx->sender)
			snprintf(buf, buflen, "%.*s", (int)(at - ctx->sender), ctx->sender);
		else
			snprintf(buf, buflen, "postmaster");
		return 0;
	case 'o':
		snprintf(buf, buflen, "%s", at ? at + 1 : (ctx->sender ? ctx->sender : ""));
		return 0;
	case 'd':
		snprintf(buf, buflen, "%s", ctx->domain ? ctx->domain : "");
		return 0;
	case 'i':
		if (!ctx->ip_v6) {
			snprintf(buf, buflen, "%u.%u.%u.%u", ctx->ip[0], ctx->ip[1], ctx->ip[2],
			         ctx->ip[3]);
		} else {
			/* Dot-format nibbles, as RFC 7208 7.4's examples write
			 * them (upper-case hex). */
			static const char hexd[] = "0123456789ABCDEF";
			size_t o = 0;
			for (int b = 0; b < 16 && o + 4 < buflen; b++) {
				buf[o++] = hexd[ctx->ip[b] >> 4];
				buf[o++] = '.';
				buf[o++] = hexd[ctx->ip[b] & 15];
				buf[o++] = '.';
			}
			buf[o > 0 ? o - 1 : 0] = '\0';
		}
		return 0;
	case 'c':
		if (inet_ntop(ctx->ip_v6 ? AF_INET6 : AF_INET, ctx->ip, buf, (socklen_t)buflen) ==
		    NULL)
			snprintf(buf, buflen, "unknown");
		return 0;
	case 'p':
		snprintf(buf, buflen, "%s", ctx->ptr_name ? ctx->ptr_name : "unknown");
		return 0;
	case 'v':
		snprintf(buf, buflen, "%s", ctx->ip_v6 ? "ip6" : "in-addr");
		return 0;
	case 'h':
		snprintf(buf, buflen, "%s", ctx->helo ? ctx->helo : "");
		return 0;
	case 'r':
		snprintf(buf, buflen, "%s", ctx->receiver ? ctx->receiver : "unknown");
		return 0;
	case 't':
		snprintf(buf, buflen, "%lld", ctx->now);
		return 0;
	}
	return -1;
}

/* Applies transformers (RFC 7208 7.3): split on delimiters, reverse if
 * asked, keep the rightmost n parts, join with ".". */
static void transform(const char *val, size_t vlen, long n, bool rev, const char *delims,
                      size_t ndelims, struct outbuf *o, bool escape)
{
	enum { MAX_PARTS = 128 };
	size_t start[MAX_PARTS], plen[MAX_PARTS], parts = 0, s = 0;

	for (size_t i = 0; i <= vlen; i++) {
		bool split = i == vlen;
		for (size_t d = 0; !split && d < ndelims; d++)
			split = val[i] == delims[d];
		if (!split)
			continue;
		if (parts == MAX_PARTS) {
			/* More parts than any name has: fold the rest into the
			 * last one so nothing is lost. */
			plen[parts - 1] = i - start[parts - 1];
		} else {
			start[parts] = s;
			plen[parts] = i - s;
			parts++;
		}
		s = i + 1;
	}
	if (rev)
		for (size_t a = 0, b = parts - 1; a < b; a++, b--) {
			size_t ts = start[a], tl = plen[a];
			start[a] = start[b];
			plen[a] = plen[b];
			start[b] = ts;
			plen[b] = tl;
		}
	size_t first = (n > 0 && (size_t)n < parts) ? parts - (size_t)n : 0;
	for (size_t k = first; k < parts; k++) {
		if (k > first)
			put(o, ".", 1);
		if (escape)
			put_escaped(o, val + start[k], plen[k]);
		else
			put(o, val + start[k], plen[k]);
	}
}

int spf_macro_expand(const char *spec, size_t len, const struct spf_macro_ctx *ctx, bool exp,
                     char *out, size_t outlen, char *err, size_t errlen)
{
	struct outbuf o = { out, 0, outlen, false };
	size_t errpos = 0;

	if (outlen == 0)
		return -2;
	out[0] = '\0';
	if (macro_check(spec, len, exp, err, errlen, &errpos) != 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (spec[i] != '%') {
			put(&o, spec + i, 1);
			continue;
		}
		char n = spec[++i];
		if (n == '%') {
			put(&o, "%", 1);
			continue;
		}
		if (n == '_') {
			put(&o, " ", 1);
			continue;
		}
		if (n == '-') {
			put(&o, "%20", 3);
			continue;
		}
		/* "%{" letter digits [r] delimiters "}" (checked above). */
		size_t j = i + 1;
		char letter = spec[j++];
		bool upper = isupper((unsigned char)letter);
		long count = 0;
		while (isdigit((unsigned char)spec[j])) {
			if (count < 1000)
				count = count * 10 + (spec[j] - '0');
			j++;
		}
		bool rev = spec[j] == 'r' || spec[j] == 'R';
		if (rev)
			j++;
		size_t dstart = j;
		while (spec[j] != '}')
			j++;
		char val[SPF_MAX_EXPANSION] = "";
		letter_value((char)tolower((unsigned char)letter), ctx, val, sizeof(val));
		transform(val, strlen(val), count, rev, j > dstart ? spec + dstart : ".",
		          j > dstart ? j - dstart : 1, &o, upper);
		i = j;
	}
	if (o.over)
		return -2;
	return (int)o.n;
}
