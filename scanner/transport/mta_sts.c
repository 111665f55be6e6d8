/*
 * mta_sts.c — the MTA-STS TXT record at _mta-sts.DOMAIN (RFC 8461 3.1),
 * the match of an MX host against a policy's mx patterns (RFC 8461 4.1)
 * and the media type a policy must be served with (RFC 8461 3.2). The
 * policy body itself is read in mta_sts_policy.c. Pure.
 *
 * RFC 8461 3.1's grammar:
 *
 *   sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
 *   sts-field       = sts-id / sts-extension
 *   sts-field-delim = *WSP ";" *WSP
 *   sts-version     = %s"v=STSv1"
 *   sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
 *   sts-extension   = sts-ext-name "=" sts-ext-value
 *   sts-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
 *
 * Strict where senders must be: more than one v=STSv1 record, a missing
 * or malformed id, or a field outside the grammar leave the domain
 * without a policy ("if the resulting record is syntactically invalid,
 * senders MUST assume the recipient domain does not have an available
 * MTA-STS Policy"). Lenient where the grammar is harmlessly loose in
 * practice: white space around ';' and '=', empty fields (";;").
 */
#include "transport.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dnsutil.h"
#include "strutil.h"
#include "taglist.h"
#include "transport_impl.h"

const char *mta_sts_record_status_name(enum mta_sts_record_status s)
{
	static const char *const n[] = { "none", "ok", "invalid" };
	return (unsigned)s < 3 ? n[s] : "unknown";
}

const char *mta_sts_mode_name(enum mta_sts_mode m)
{
	static const char *const n[] = { "none", "testing", "enforce" };
	return (unsigned)m < 3 ? n[m] : "unknown";
}

/* ---- the TXT record ------------------------------------------------------ */

#define STS_VERSION "v=STSv1"

/* What one record's reading saw. */
struct rscan {
	struct mta_sts_record *r;
	const char *path;
	bool bad; /* the record is invalid */
	bool oom; /* a finding could not be stored for want of memory */
	bool have_id;
};

/* Every error finding makes the record invalid. */
#define radd(sc, code, sev, ...)                                                                   \
	((sc)->bad |= (sev) == FINDING_ERROR,                                                      \
	 transport_add(&(sc)->r->findings, (sc)->path, &(sc)->oom, (code), (sev), __VA_ARGS__))

void transport_add(struct findings *f, const char *path, bool *oom, const char *code,
                   enum finding_severity sev, const char *fix, const char *fmt, ...)
{
	char msg[FINDING_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (findings_add(f, code, sev, path, fix, "%s", msg) != 0 && f->n < FINDINGS_MAX)
		*oom = true;
}

/* A record "begins with v=STSv1" (3.1) when the literal is followed by
 * the end, white space or ';': "v=STSv10" is another version. The
 * literal is case-sensitive (%s). */
bool transport_begins_with(const char *s, size_t n, const char *v)
{
	size_t k = strlen(v);
	if (s == NULL || n < k || memcmp(s, v, k) != 0)
		return false;
	return n == k || s[k] == ';' || s[k] == ' ' || s[k] == '\t';
}

int transport_records(const char *const *txt, const size_t *len, size_t n, const char *v,
                      size_t *first)
{
	int count = 0;

	for (size_t i = 0; i < n; i++) {
		if (!transport_begins_with(txt[i], len[i], v))
			continue;
		if (count++ == 0)
			*first = i;
	}
	return count;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* sts-ext-name: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / "."). */
bool transport_ext_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 32 || !is_alnum(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/* sts-ext-value: 1*(%x21-3A / %x3C / %x3E-7E): no '=', ';', space or control. */
bool transport_ext_value_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e || c == '=' || c == ';')
			return false;
	}
	return true;
}

void transport_esc(const char *s, size_t n, char *out, size_t outlen)
{
	dns_escape_text(s, n < 80 ? n : 80, out, outlen);
}

static void read_id(struct rscan *sc, const struct taglist_spec *s)
{
	char e[400];
	bool ok = s->value_len >= 1 && s->value_len <= MTA_STS_ID_MAX;

	if (sc->have_id) {
		transport_esc(s->value, s->value_len, e, sizeof(e));
		radd(sc, "mta_sts.duplicate_field", FINDING_WARNING,
		     "Publish id= once; change its value when the policy changes.",
		     "id= appears more than once (\"%s\" ignored): senders use the first "
		     "(RFC 8461 3.2)",
		     e);
		return;
	}
	sc->have_id = true;
	for (size_t i = 0; ok && i < s->value_len; i++)
		ok = is_alnum(s->value[i]);
	if (!ok) {
		transport_esc(s->value, s->value_len, e, sizeof(e));
		radd(sc, "mta_sts.bad_id", FINDING_ERROR,
		     "Use 1 to 32 letters and digits for id=, e.g. a timestamp such as "
		     "id=20240131T120000.",
		     "id=\"%s\" is not 1 to 32 letters and digits (%zu bytes); senders treat the "
		     "domain as having no MTA-STS policy (RFC 8461 3.1)",
		     e, s->value_len);
		return;
	}
	memcpy(sc->r->id, s->value, s->value_len);
	sc->r->id[s->value_len] = '\0';
}

static void bad_field(struct rscan *sc, const struct taglist_spec *s, const char *what)
{
	char e[400];
	transport_esc(s->spec, s->spec_len, e, sizeof(e));
	radd(sc, "mta_sts.bad_syntax", FINDING_ERROR,
	     "Write the record as \"v=STSv1; id=<1 to 32 letters and digits>;\", extensions as "
	     "name=value.",
	     "\"%s\" %s; senders treat the domain as having no MTA-STS policy (RFC 8461 3.1)", e,
	     what);
}

/* Reads the one record that begins with v=STSv1. */
static void read_record(struct rscan *sc, const char *s, size_t n)
{
	struct taglist_iter it;
	struct taglist_spec spec;
	size_t k = strlen(STS_VERSION);
	bool first = true;

	taglist_begin(&it, s + k, n - k, TAGLIST_SPACE_WSP);
	while (taglist_next(&it, &spec)) {
		if (first) {
			/* What follows v=STSv1 up to the first ';': only white space. */
			first = false;
			if (spec.cls != TAGLIST_EMPTY)
				bad_field(sc, &spec, "runs into v=STSv1 without a ';'");
			continue;
		}
		if (spec.cls == TAGLIST_EMPTY)
			continue; /* ";;" or the trailing ';' */
		if (spec.cls == TAGLIST_NO_EQUALS || spec.cls == TAGLIST_EMPTY_NAME) {
			bad_field(sc, &spec, "is not a name=value field");
			continue;
		}
		if (spec.name_len == 2 && memcmp(spec.name, "id", 2) == 0) {
			read_id(sc, &spec);
			continue;
		}
		if (!transport_ext_name_ok(spec.name, spec.name_len))
			bad_field(sc, &spec, "has a field name outside RFC 8461's grammar");
		else if (!transport_ext_value_ok(spec.value, spec.value_len))
			bad_field(sc, &spec,
			          "has an empty value or one with a space, '=' or a control byte");
	}
	if (!sc->have_id)
		radd(sc, "mta_sts.no_id", FINDING_ERROR,
		     "Add id=<1 to 32 letters and digits>, e.g. \"v=STSv1; id=20240131T120000;\".",
		     "the record has no id= field (the name is case-sensitive); senders treat the "
		     "domain as having no MTA-STS policy (RFC 8461 3.1)");
}

int mta_sts_record_parse(const char *const *txt, const size_t *len, size_t n, const char *path,
                         struct mta_sts_record *out)
{
	struct rscan sc = { .r = out, .path = path };
	size_t which = 0;

	memset(out, 0, sizeof(*out));
	out->status = MTA_STS_RECORD_NONE;
	if (txt == NULL || len == NULL)
		return 0;
	/* 3.1: records that do not begin with v=STSv1 are discarded. */
	out->records = transport_records(txt, len, n, STS_VERSION, &which);
	if (out->records == 0)
		return 0;
	if (out->records > 1) {
		radd(&sc, "mta_sts.multiple_records", FINDING_ERROR,
		     "Publish exactly one TXT record starting with v=STSv1 at _mta-sts.",
		     "%d TXT records start with v=STSv1; senders treat the domain as having no "
		     "MTA-STS policy (RFC 8461 3.1)",
		     out->records);
	} else {
		read_record(&sc, txt[which], len[which]);
	}
	out->status = sc.bad ? MTA_STS_RECORD_INVALID : MTA_STS_RECORD_OK;
	if (sc.bad)
		out->id[0] = '\0';
	return sc.oom ? -1 : 0;
}

void mta_sts_record_cleanup(struct mta_sts_record *r)
{
	findings_cleanup(&r->findings);
	r->findings.v = NULL;
	r->findings.n = 0;
}

/* ---- mx patterns (RFC 8461 4.1) ------------------------------------------ */

/* s compared with t, ASCII case-insensitively, n bytes each. */
static bool same_name(const char *s, const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (str_lower(s[i]) != str_lower(t[i]))
			return false;
	return true;
}

/* The length of a name without one final dot. */
static size_t name_len(const char *s)
{
	size_t n = strlen(s);
	if (n > 0 && s[n - 1] == '.')
		n--;
	return n;
}

bool mta_sts_mx_match(const char *pattern, const char *host)
{
	if (pattern == NULL || host == NULL)
		return false;
	size_t pn = name_len(pattern), hn = name_len(host);
	if (pn == 0 || hn == 0)
		return false;
	if (pn >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* 4.1: the wildcard stands for exactly one leftmost label. */
		const char *dot = memchr(host, '.', hn);
		if (dot == NULL || dot == host)
			return false;
		size_t rest = hn - (size_t)(dot + 1 - host);
		return rest == pn - 2 && rest > 0 && same_name(dot + 1, pattern + 2, rest);
	}
	return pn == hn && same_name(pattern, host, pn);
}

const char *mta_sts_mx_covered(const struct mta_sts_policy *p, const char *host)
{
	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < p->nmx && i < MTA_STS_MX_MAX; i++)
		if (mta_sts_mx_match(p->mx[i], host))
			return p->mx[i];
	return NULL;
}

/* ---- the media type (RFC 8461 3.2, checked at the fetch of 3.3) ----------- */

bool mta_sts_content_type_ok(const char *content_type)
{
	static const char want[] = "text/plain";
	size_t k = sizeof(want) - 1;

	if (content_type == NULL)
		return false;
	const char *s = content_type;
	while (*s == ' ' || *s == '\t')
		s++;
	if (strlen(s) < k || !same_name(s, want, k))
		return false;
	s += k;
	while (*s == ' ' || *s == '\t')
		s++;
	/* 3.2: the media type "MUST be text/plain"; "additional Content-Type
	 * parameters are ignored" (charset=utf-8 and the like). */
	return *s == '\0' || *s == ';';
}
