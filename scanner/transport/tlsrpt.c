/*
 * tlsrpt.c — the SMTP TLS Reporting record at _smtp._tls.DOMAIN
 * (RFC 8460 3). Pure.
 *
 *   tlsrpt-record    = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
 *   field-delim      = *WSP ";" *WSP
 *   tlsrpt-field     = tlsrpt-rua / tlsrpt-extension   ; rua is required
 *   tlsrpt-version   = %s"v=TLSRPTv1"
 *   tlsrpt-rua       = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 *   tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value
 *   tlsrpt-ext-name  = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
 *
 * RFC 8460 3: "records that do not begin with v=TLSRPTv1; are discarded.
 * If the number of resulting records is not one, senders MUST assume the
 * recipient domain does not implement TLSRPT." Reports go to mailto: or
 * https: URIs (3: "Two URI schemes are supported"); a URI of another
 * scheme is an error and skipped, and a record with no usable URI is
 * invalid: no report can be sent. A field outside the grammar makes the
 * record invalid; unknown extensions are ignored ("unknown fields SHALL
 * be ignored").
 */
#include "transport.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dnsutil.h"
#include "strutil.h"
#include "taglist.h"
#include "transport_impl.h"

#define RPT_VERSION "v=TLSRPTv1"

const char *tlsrpt_status_name(enum tlsrpt_status s)
{
	static const char *const n[] = { "none", "ok", "invalid" };
	return (unsigned)s < 3 ? n[s] : "unknown";
}

struct tscan {
	struct tlsrpt_record *r;
	const char *path;
	bool bad;
	bool oom;
	bool have_rua;
	bool rua_overflow;
};

#define tadd(sc, code, sev, ...)                                                                   \
	transport_add(&(sc)->r->findings, (sc)->path, &(sc)->oom, (code), (sev), __VA_ARGS__)

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool prefix_nocase(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (str_lower(s[i]) != p[i])
			return false;
	return true;
}

/* A host name (LDH labels, a final dot allowed) or, for https:, an IP
 * literal in brackets. Copied lower-cased into out (256 bytes). */
static bool host_ok(const char *s, size_t n, bool literal_ok, char *out)
{
	size_t label = 0;

	if (n == 0 || n > 255)
		return false;
	if (literal_ok && s[0] == '[') {
		if (s[n - 1] != ']' || n < 3)
			return false;
		for (size_t i = 1; i + 1 < n; i++)
			if (!is_alnum(s[i]) && s[i] != ':' && s[i] != '.')
				return false;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '.') {
				/* No empty label, none ending in '-'. */
				if (label == 0 || s[i - 1] == '-')
					return false;
				label = 0;
			} else if (is_alnum(s[i]) || (s[i] == '-' && label > 0)) {
				if (++label > 63)
					return false;
			} else {
				return false;
			}
		}
		if (s[n - 1] == '-')
			return false;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = str_lower(s[i]);
	out[n] = '\0';
	return true;
}

/* mailto:local@domain[?hfields]: the domain after the last '@'. */
static bool mailto_ok(const char *s, size_t n, char *domain)
{
	const char *q = memchr(s, '?', n);
	if (q != NULL)
		n = (size_t)(q - s);
	const char *at = NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '@')
			at = s + i;
	if (at == NULL || at == s)
		return false;
	return host_ok(at + 1, n - (size_t)(at + 1 - s), false, domain);
}

/* https://host[:port][/path...]: no userinfo (a report collector's URL
 * carries none), the host a name or a bracketed literal. */
static bool https_ok(const char *s, size_t n, char *host)
{
	size_t end = 0;
	while (end < n && s[end] != '/' && s[end] != '?' && s[end] != '#')
		end++;
	if (memchr(s, '@', end) != NULL)
		return false;
	size_t hn = end;
	const char *colon = NULL;
	for (size_t i = 0; i < end; i++)
		if (s[i] == ':' && (s[0] != '[' || (i > 0 && s[i - 1] == ']')))
			colon = s + i;
	if (colon != NULL) {
		hn = (size_t)(colon - s);
		size_t digits = end - hn - 1;
		if (digits == 0 || digits > 5)
			return false;
		for (size_t i = hn + 1; i < end; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
	}
	return host_ok(s, hn, true, host);
}

/* One URI of rua=: kept when usable. */
static void read_uri(struct tscan *sc, const char *s, size_t n)
{
	struct tlsrpt_record *r = sc->r;
	struct tlsrpt_rua u;
	char e[400];
	const char *why = NULL;
	bool ok = false;

	memset(&u, 0, sizeof(u));
	for (size_t i = 0; i < n && why == NULL; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '!')
			why = "holds white space, a control or non-ASCII byte, or an unencoded '!'";
	if (why == NULL && n >= sizeof(u.uri))
		why = "is too long";
	if (why == NULL && prefix_nocase(s, n, "mailto:")) {
		u.mailto = true;
		ok = mailto_ok(s + 7, n - 7, u.domain);
		why = ok ? NULL : "is not mailto:local@domain";
	} else if (why == NULL && prefix_nocase(s, n, "https://")) {
		ok = https_ok(s + 8, n - 8, u.domain);
		why = ok ? NULL : "is not https://host/path";
	} else if (why == NULL) {
		why = "is neither mailto: nor https: (the two schemes RFC 8460 3 defines)";
	}
	if (!ok) {
		transport_esc(s, n, e, sizeof(e));
		tadd(sc, "tls_rpt.bad_uri", FINDING_ERROR,
		     "Give rua= as mailto:tlsrpt@example.com or https://reports.example.com/v1, "
		     "several separated by ','.",
		     "rua URI \"%s\" %s; senders cannot send reports there (RFC 8460 3)", e, why);
		return;
	}
	if (r->nrua >= TLSRPT_RUA_MAX) {
		if (!sc->rua_overflow)
			tadd(sc, "tls_rpt.too_many_rua", FINDING_WARNING,
			     "List fewer report destinations; one or two are usual.",
			     "rua= lists more than %d URIs; posture keeps the first %d",
			     TLSRPT_RUA_MAX, TLSRPT_RUA_MAX);
		sc->rua_overflow = true;
		return;
	}
	memcpy(u.uri, s, n);
	u.uri[n] = '\0';
	r->rua[r->nrua++] = u;
}

static void read_rua(struct tscan *sc, const char *v, size_t n)
{
	size_t pos = 0;

	if (sc->have_rua) {
		char e[400];
		transport_esc(v, n, e, sizeof(e));
		tadd(sc, "tls_rpt.duplicate_rua", FINDING_WARNING,
		     "Publish one rua= listing every destination, separated by ','.",
		     "rua= appears more than once (\"%s\" ignored); senders may use either", e);
		return;
	}
	sc->have_rua = true;
	for (;;) {
		const char *comma = memchr(v + pos, ',', n - pos);
		size_t end = comma ? (size_t)(comma - v) : n;
		size_t a = pos, b = end;
		while (a < b && is_wsp(v[a]))
			a++;
		while (b > a && is_wsp(v[b - 1]))
			b--;
		if (a == b)
			tadd(sc, "tls_rpt.bad_uri", FINDING_WARNING,
			     "Remove the stray ',' from rua=.",
			     "rua= has an empty URI (a ',' too many); the grammar has none (RFC "
			     "8460 3)");
		else
			read_uri(sc, v + a, b - a);
		if (comma == NULL)
			break;
		pos = end + 1;
	}
}

static void bad_field(struct tscan *sc, const struct taglist_spec *s, const char *what)
{
	char e[400];
	transport_esc(s->spec, s->spec_len, e, sizeof(e));
	tadd(sc, "tls_rpt.bad_syntax", FINDING_ERROR,
	     "Write the record as \"v=TLSRPTv1; rua=mailto:tlsrpt@example.com\", extensions as "
	     "name=value.",
	     "\"%s\" %s; senders ignore the record and send no reports (RFC 8460 3)", e, what);
	sc->bad = true;
}

static void read_record(struct tscan *sc, const char *s, size_t n)
{
	struct taglist_iter it;
	struct taglist_spec spec;
	size_t k = strlen(RPT_VERSION);
	bool first = true;

	taglist_begin(&it, s + k, n - k, TAGLIST_SPACE_WSP);
	while (taglist_next(&it, &spec)) {
		if (first) {
			first = false;
			if (spec.cls != TAGLIST_EMPTY)
				bad_field(sc, &spec, "runs into v=TLSRPTv1 without a ';'");
			continue;
		}
		if (spec.cls == TAGLIST_EMPTY)
			continue;
		if (spec.cls == TAGLIST_NO_EQUALS || spec.cls == TAGLIST_EMPTY_NAME)
			bad_field(sc, &spec, "is not a name=value field");
		else if (spec.name_len == 3 && memcmp(spec.name, "rua", 3) == 0)
			read_rua(sc, spec.value, spec.value_len);
		else if (!transport_ext_name_ok(spec.name, spec.name_len))
			bad_field(sc, &spec, "has a field name outside RFC 8460's grammar");
		else if (!transport_ext_value_ok(spec.value, spec.value_len))
			bad_field(sc, &spec,
			          "has an empty value or one with a space, '=' or a control byte");
	}
	if (!sc->have_rua)
		tadd(sc, "tls_rpt.no_rua", FINDING_ERROR,
		     "Add rua=mailto:tlsrpt@example.com (or an https: URL) to the record.",
		     "the record has no rua= field (the name is case-sensitive): senders have "
		     "nowhere to send reports (RFC 8460 3)");
	else if (sc->r->nrua == 0)
		tadd(sc, "tls_rpt.no_rua", FINDING_ERROR,
		     "Give rua= at least one mailto: or https: URI that works.",
		     "no URI of rua= is usable: senders have nowhere to send reports (RFC 8460 3)");
	if (sc->r->nrua == 0)
		sc->bad = true;
}

int tlsrpt_record_parse(const char *const *txt, const size_t *len, size_t n, const char *path,
                        struct tlsrpt_record *out)
{
	struct tscan sc = { .r = out, .path = path };
	size_t which = 0;

	memset(out, 0, sizeof(*out));
	out->status = TLSRPT_NONE;
	if (txt == NULL || len == NULL)
		return 0;
	/* 3: records that do not begin with v=TLSRPTv1 are discarded. */
	out->records = transport_records(txt, len, n, RPT_VERSION, &which);
	if (out->records == 0)
		return 0;
	if (out->records > 1) {
		tadd(&sc, "tls_rpt.multiple_records", FINDING_ERROR,
		     "Publish exactly one TXT record starting with v=TLSRPTv1 at _smtp._tls, "
		     "listing every destination in its rua=.",
		     "%d TXT records start with v=TLSRPTv1; senders assume the domain does not "
		     "want TLS reports (RFC 8460 3)",
		     out->records);
		sc.bad = true;
	} else {
		read_record(&sc, txt[which], len[which]);
	}
	out->status = sc.bad ? TLSRPT_INVALID : TLSRPT_OK;
	if (sc.bad)
		out->nrua = 0;
	return sc.oom ? -1 : 0;
}

void tlsrpt_record_cleanup(struct tlsrpt_record *r)
{
	findings_cleanup(&r->findings);
	r->findings.v = NULL;
	r->findings.n = 0;
}
