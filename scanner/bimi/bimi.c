/*
 * bimi.c — BIMI assertion records: parsing, discovery, and the verdict on
 * the logo and certificate they point at (see bimi.h).
 *
 * Record syntax is DKIM's tag-list (RFC 6376 3.2, which the draft
 * adopts): tag names are case-sensitive, values are VALCHARs with inner
 * white space, a tag may appear once. The draft's tags: v (first,
 * "BIMI1"), l (required, empty or one https URI), a (optional, empty or
 * one https URI), lps, avp; unknown tags are ignored ("MUST be ignored").
 */
#include "bimi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strutil.h"
#include "taglist.h"

static bool wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 6376 FWS may fold with CRLF; TXT strings rarely hold them, but a
 * folded record is still one record. */
static bool fws(char c)
{
	return wsp(c) || c == '\r' || c == '\n';
}

bool bimi_is_record(const char *text, size_t len)
{
	size_t i = 0;
	while (i < len && fws(text[i]))
		i++;
	if (i >= len || text[i] != 'v')
		return false;
	i++;
	while (i < len && fws(text[i]))
		i++;
	if (i >= len || text[i] != '=')
		return false;
	i++;
	while (i < len && fws(text[i]))
		i++;
	if (len - i < 5 || strncasecmp(text + i, "bimi1", 5) != 0)
		return false;
	i += 5;
	while (i < len && fws(text[i]))
		i++;
	return i == len || text[i] == ';';
}

void bimi_record_cleanup(struct bimi_record *r)
{
	free(r->l);
	free(r->a);
	free(r->lps);
	memset(r, 0, sizeof(*r));
}

static bool ldh_label(const char *s, size_t n)
{
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

bool bimi_selector_valid(const char *sel)
{
	size_t len = strlen(sel);
	if (len == 0 || len > BIMI_SELECTOR_MAX)
		return false;
	for (const char *p = sel;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (!ldh_label(p, n))
			return false;
		if (dot == NULL)
			return true;
		p = dot + 1;
	}
}

const char *bimi_uri_problem(const char *uri, char *host, size_t hostlen)
{
	size_t len = strlen(uri);
	if (host && hostlen)
		host[0] = '\0';
	if (len > BIMI_URI_MAX)
		return "longer than 2048 bytes";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)uri[i];
		if (c <= 0x20 || c >= 0x7f)
			return "holds white space, control or non-ASCII bytes";
		if (c == ',')
			return "holds a comma, which must be percent-encoded";
	}
	if (strncasecmp(uri, "https://", 8) != 0)
		return strncasecmp(uri, "http://", 7) == 0 ? "uses http, not https"
		                                           : "is not an https URI";
	const char *auth = uri + 8;
	size_t alen = strcspn(auth, "/?#");
	if (memchr(auth, '@', alen) != NULL)
		return "carries user credentials";
	if (alen == 0)
		return "has no host";
	if (auth[0] == '[')
		return "names an IP address, not a host name";
	const char *colon = memchr(auth, ':', alen);
	size_t hlen = colon ? (size_t)(colon - auth) : alen;
	if (colon) {
		size_t plen = alen - hlen - 1;
		if (plen == 0 || plen > 5 || strspn(colon + 1, "0123456789") < plen ||
		    atol(colon + 1) > 65535)
			return "has a bad port";
	}
	if (hlen > 0 && auth[hlen - 1] == '.')
		hlen--; /* an absolute name */
	if (hlen == 0 || hlen > 253)
		return "has no usable host name";
	bool digits_only = true, dotted = false;
	for (const char *p = auth; p < auth + hlen;) {
		const char *dot = memchr(p, '.', (size_t)(auth + hlen - p));
		size_t n = dot ? (size_t)(dot - p) : (size_t)(auth + hlen - p);
		if (!ldh_label(p, n))
			return "has a host name that is not a valid DNS name";
		for (size_t i = 0; i < n; i++)
			digits_only &= isdigit((unsigned char)p[i]) != 0;
		if (dot == NULL)
			break;
		dotted = true;
		p = dot + 1;
	}
	if (digits_only)
		return "names an IP address, not a host name";
	if (!dotted)
		return "has a host name that is not fully qualified";
	if (host && hostlen) {
		size_t n = hlen < hostlen - 1 ? hlen : hostlen - 1;
		for (size_t i = 0; i < n; i++)
			host[i] = (char)tolower((unsigned char)auth[i]);
		host[n] = '\0';
	}
	return NULL;
}

/* A raster or other non-SVG suffix on the logo path (the draft: only SVG
 * and SVGZ; another format is a permanent error). */
static bool raster_suffix(const char *uri)
{
	static const char *const sfx[] = { ".png", ".jpg", ".jpeg", ".gif", ".webp",
		                           ".ico", ".bmp", ".tif",  ".tiff" };
	size_t n = strcspn(uri, "?#");
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t s = strlen(sfx[i]);
		if (n >= s && strncasecmp(uri + n - s, sfx[i], s) == 0)
			return true;
	}
	return false;
}

/* lps=: "true"/"false" (draft -05 onwards), or a comma-separated list of
 * local-part selectors (ALPHA / DIGIT / "-", as checkdmarc reads later
 * drafts). */
static bool lps_valid(const char *v)
{
	if (strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0)
		return true;
	for (const char *p = v;;) {
		while (wsp(*p))
			p++;
		size_t n = strspn(
		        p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
		if (n == 0 || n > 63)
			return false;
		p += n;
		while (wsp(*p))
			p++;
		if (*p == '\0')
			return true;
		if (*p != ',')
			return false;
		p++;
	}
}

/* A printable copy of untrusted record bytes for a message. */
static void show(const char *s, size_t n, char *out, size_t outlen)
{
	dns_escape_text(s, n < 200 ? n : 200, out, outlen);
}

static void uri_tag(struct bimi_record *r, struct findings *f, const char *name, char tag,
                    const char *val)
{
	if (val[0] == '\0')
		return;
	const char *why = bimi_uri_problem(val, NULL, 0);
	if (why == NULL) {
		if (tag == 'l' && raster_suffix(val)) {
			r->invalid = true;
			findings_add(f, "bimi.l_not_svg", FINDING_ERROR, name,
			             "Publish the logo as SVG Tiny PS; receivers accept no "
			             "other format.",
			             "l= points at a file that is not SVG");
		}
		return;
	}
	r->invalid = true;
	char shown[256];
	show(val, strlen(val), shown, sizeof(shown));
	bool plain_http = strncasecmp(val, "http://", 7) == 0;
	if (tag == 'l') {
		findings_add(f, plain_http ? "bimi.l_not_https" : "bimi.l_bad_uri", FINDING_ERROR,
		             name,
		             "Serve the logo over HTTPS from a host name and put that URL in "
		             "l=.",
		             "l= \"%s\" %s: receivers fetch logos over HTTPS only", shown, why);
		return;
	}
	findings_add(f, plain_http ? "bimi.a_not_https" : "bimi.a_bad_uri", FINDING_ERROR, name,
	             "Serve the Mark Certificate over HTTPS from a host name and put that "
	             "URL in a=.",
	             "a= \"%s\" %s", shown, why);
}

/* What bimi_parse carries from one tag to the next. */
struct parse {
	struct bimi_record *out;
	struct findings *f;
	const char *name; /* where the record is published, for paths */
	uint64_t seen;    /* taglist_mark_seen bits, by tag_id */
	int ntag;         /* well-formed tag-specs so far */
};

/* One tag's value (owned: the handler keeps or frees it). */
typedef void (*tag_fn)(struct parse *p, char *val);

static void tag_v(struct parse *p, char *val)
{
	if (strcasecmp(val, "BIMI1") != 0) {
		p->out->invalid = true;
		findings_add(p->f, "bimi.bad_version", FINDING_ERROR, p->name, "Use v=BIMI1.",
		             "v= is not BIMI1");
	}
	free(val);
}

static void tag_l(struct parse *p, char *val)
{
	p->out->l = val;
	uri_tag(p->out, p->f, p->name, 'l', val);
}

static void tag_a(struct parse *p, char *val)
{
	p->out->a = val;
	uri_tag(p->out, p->f, p->name, 'a', val);
}

static void tag_lps(struct parse *p, char *val)
{
	char shown[256];
	p->out->lps = val;
	if (!lps_valid(val)) {
		show(val, strlen(val), shown, sizeof(shown));
		findings_add(p->f, "bimi.bad_lps", FINDING_WARNING, p->name,
		             "Use lps=true or lps=false.",
		             "lps=\"%s\" is not a valid value and is ignored", shown);
	} else if (strcasecmp(val, "false") != 0) {
		findings_add(p->f, "bimi.local_part_selectors", FINDING_INFO, p->name, NULL,
		             "lps= asks receivers to look up selectors named after the "
		             "sender's local part; posture checks the selector it was "
		             "given");
	}
}

static void tag_avp(struct parse *p, char *val)
{
	char shown[256];
	if (strcasecmp(val, "personal") == 0) {
		p->out->avp = BIMI_AVP_PERSONAL;
	} else if (strcasecmp(val, "brand") != 0) {
		show(val, strlen(val), shown, sizeof(shown));
		findings_add(p->f, "bimi.bad_avp", FINDING_WARNING, p->name,
		             "Use avp=brand or avp=personal.",
		             "avp=\"%s\" is not a valid value and is ignored", shown);
	}
	free(val);
}

/* The draft's tags; names are case-sensitive (RFC 6376 3.2). */
enum tag_id { TAG_V, TAG_L, TAG_A, TAG_LPS, TAG_AVP, TAG_COUNT };

static const struct taglist_tag tags[TAG_COUNT] = {
	{ "v", TAG_V }, { "l", TAG_L }, { "a", TAG_A }, { "lps", TAG_LPS }, { "avp", TAG_AVP },
};

static const tag_fn handlers[TAG_COUNT] = {
	[TAG_V] = tag_v, [TAG_L] = tag_l, [TAG_A] = tag_a, [TAG_LPS] = tag_lps, [TAG_AVP] = tag_avp,
};

/* A piece between ';' that is not name=value with an RFC 6376 name. */
static void malformed(struct parse *p, const struct taglist_spec *s)
{
	char shown[256];
	/* Shown from its first byte up to the ';', white space before the
	 * ';' included. */
	show(s->spec, (size_t)(s->raw + s->raw_len - s->spec), shown, sizeof(shown));
	p->out->invalid = true;
	findings_add(p->f, "bimi.syntax", FINDING_ERROR, p->name,
	             "Write every tag as name=value, separated by \";\".",
	             "\"%s\" is not a tag=value pair", shown);
}

/* One well-formed tag-spec: 0, or -1 on allocation failure. */
static int read_tag(struct parse *p, const struct taglist_spec *s)
{
	char shown[256];
	const struct taglist_tag *t =
	        taglist_find(tags, TAG_COUNT, s->name, s->name_len, TAGLIST_CASE_SENSITIVE);
	show(s->name, s->name_len, shown, sizeof(shown));
	if (++p->ntag == 1 && (t == NULL || t->id != TAG_V)) {
		p->out->invalid = true;
		findings_add(p->f, "bimi.version_not_first", FINDING_ERROR, p->name,
		             "Start the record with v=BIMI1.",
		             "the record does not start with v=BIMI1");
	}
	if (t == NULL) {
		findings_add(p->f, "bimi.unknown_tag", FINDING_WARNING, p->name,
		             "Remove the tag, or check its spelling (tag names are case "
		             "sensitive).",
		             "unknown tag \"%s\" is ignored", shown);
		return 0;
	}
	if (taglist_mark_seen(&p->seen, t->id)) {
		p->out->invalid = true;
		findings_add(p->f, "bimi.duplicate_tag", FINDING_ERROR, p->name,
		             "Publish each tag once.", "tag \"%s\" appears more than once", shown);
		return 0;
	}
	if (!s->value_valchars) {
		p->out->invalid = true;
		findings_add(p->f, "bimi.syntax", FINDING_ERROR, p->name,
		             "Use printable ASCII only in tag values.",
		             "the value of \"%s\" holds control or non-ASCII bytes", shown);
		return 0;
	}
	char *val = strndup(s->value, s->value_len);
	if (val == NULL)
		return -1;
	handlers[t->id](p, val);
	return 0;
}

/* v= and l= are required. */
static void check_required(struct parse *p)
{
	if (!taglist_was_seen(p->seen, TAG_V)) {
		p->out->invalid = true;
		findings_add(p->f, "bimi.bad_version", FINDING_ERROR, p->name,
		             "Start the record with v=BIMI1.", "the record has no v=BIMI1 tag");
	}
	if (!taglist_was_seen(p->seen, TAG_L)) {
		p->out->invalid = true;
		findings_add(p->f, "bimi.missing_l", FINDING_ERROR, p->name,
		             "Add l= with the HTTPS URL of the logo (or l= empty to decline).",
		             "the required l= tag is missing");
	}
}

/* A usable record: what its empty l= and a= say. */
static void check_assets(struct parse *p)
{
	struct bimi_record *out = p->out;
	bool l_empty = out->l[0] == '\0', a_empty = out->a == NULL || out->a[0] == '\0';
	if (l_empty && a_empty) {
		out->declined = true;
		findings_add(p->f, "bimi.declined", FINDING_INFO, p->name,
		             "Publish l= with the logo URL to show a logo.",
		             "l= and a= are empty: a declination to publish a logo");
	} else if (l_empty) {
		findings_add(p->f, "bimi.l_empty", FINDING_WARNING, p->name,
		             "Publish the logo URL in l= as well; receivers that do not read the "
		             "certificate show nothing.",
		             "l= is empty while a= names a certificate");
	} else if (a_empty) {
		findings_add(p->f, "bimi.no_certificate", FINDING_INFO, p->name,
		             "Obtain a Verified Mark Certificate (or Common Mark Certificate) and "
		             "publish its URL in a=.",
		             "no certificate (a=): the logo is shown only by providers that accept "
		             "self-asserted logos");
	}
}

int bimi_parse(const char *text, size_t len, const char *name, struct bimi_record *out,
               struct findings *f)
{
	struct parse p = { .out = out, .f = f, .name = name };
	struct taglist_iter it;
	struct taglist_spec s;

	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len) != NULL) {
		out->invalid = true;
		findings_add(f, "bimi.syntax", FINDING_ERROR, name,
		             "Publish the record as plain text.", "the record holds a NUL byte");
		return 0;
	}
	taglist_begin(&it, text, len, TAGLIST_SPACE_FWS);
	while (taglist_next(&it, &s)) {
		if (s.cls == TAGLIST_EMPTY)
			continue; /* ";;" and a trailing ";" are tolerated */
		if (s.cls != TAGLIST_OK)
			malformed(&p, &s);
		else if (read_tag(&p, &s) != 0)
			return -1;
	}
	check_required(&p);
	if (out->invalid)
		return 0;
	check_assets(&p);
	return 0;
}

const char *bimi_status_name(enum bimi_status s)
{
	switch (s) {
	case BIMI_STATUS_OK:
		return "ok";
	case BIMI_STATUS_NONE:
		return "none";
	case BIMI_STATUS_INVALID:
		return "invalid";
	case BIMI_STATUS_TEMPERROR:
		return "temperror";
	}
	return "invalid";
}

const char *bimi_asset_name(enum bimi_asset a)
{
	switch (a) {
	case BIMI_ASSET_ABSENT:
		return "absent";
	case BIMI_ASSET_UNCHECKED:
		return "unchecked";
	case BIMI_ASSET_VALID:
		return "valid";
	case BIMI_ASSET_INVALID:
		return "invalid";
	}
	return "invalid";
}

void bimi_discovery_cleanup(struct bimi_discovery *d)
{
	free(d->record);
	bimi_record_cleanup(&d->rec);
	findings_cleanup(&d->findings);
	memset(d, 0, sizeof(*d));
}

static bool temporary(const struct dns_answer *a)
{
	return a->outcome == DNS_OUTCOME_TIMEOUT || a->outcome == DNS_OUTCOME_SERVFAIL ||
	       a->outcome == DNS_OUTCOME_MALFORMED;
}

enum found { FOUND_NOTHING, FOUND_ONE, FOUND_SEVERAL, FOUND_TEMP, FOUND_PENDING };

/* The v=BIMI1 records at <selector>._bimi.<domain>. */
static enum found lookup(struct bimi_discovery *d, const struct spf_dns *dns, const char *domain,
                         char *name, size_t namelen, const struct dns_rr **rec)
{
	str_join3(name, namelen, d->selector, "._bimi.", domain);
	const struct dns_answer *a = dns->get(dns->ctx, name, DNS_TYPE_TXT);
	if (a == NULL) {
		d->pending = true;
		str_copy(d->need_name, sizeof(d->need_name), name);
		d->need_type = DNS_TYPE_TXT;
		return FOUND_PENDING;
	}
	if (temporary(a)) {
		str_join3(d->detail, sizeof(d->detail), name,
		          " TXT: ", a->detail[0] ? a->detail : dns_outcome_name(a->outcome));
		return FOUND_TEMP;
	}
	int n = 0;
	for (size_t i = 0; a->outcome == DNS_OUTCOME_DATA && i < a->nrr; i++) {
		const struct dns_rr *rr = &a->rr[i];
		if (bimi_is_record(rr->data, rr->len)) {
			*rec = rr;
			n++;
		} else if (rr->len >= 6 && strncasecmp(rr->data, "v=spf1", 6) == 0) {
			findings_add(&d->findings, "bimi.spf_at_bimi", FINDING_WARNING, name,
			             "Move the SPF record to the domain itself; it has no effect "
			             "here.",
			             "an SPF record is published at %s", name);
		} else {
			findings_add(&d->findings, "bimi.non_bimi_txt", FINDING_INFO, name,
			             "Remove TXT records that are not BIMI from the selector name.",
			             "a TXT record at %s is not BIMI and is ignored", name);
		}
	}
	return n > 1 ? FOUND_SEVERAL : n == 1 ? FOUND_ONE : FOUND_NOTHING;
}

int bimi_discover(const char *domain, const char *selector, const struct spf_dns *dns,
                  bimi_org_fn org, struct bimi_discovery *out)
{
	memset(out, 0, sizeof(*out));
	if (strlen(domain) >= sizeof(out->domain) || !bimi_selector_valid(selector) ||
	    strlen(selector) + strlen(domain) + 7 >= DNS_NAME_BUF)
		return -1;
	str_copy(out->domain, sizeof(out->domain), domain);
	str_copy(out->selector, sizeof(out->selector), selector);
	if (org == NULL || org(domain, out->org_domain, sizeof(out->org_domain)) != 0)
		str_copy(out->org_domain, sizeof(out->org_domain), domain);

	char name[DNS_NAME_BUF];
	const struct dns_rr *rr = NULL;
	enum found f = lookup(out, dns, domain, name, sizeof(name), &rr);
	if (f == FOUND_NOTHING && strcmp(out->org_domain, domain) != 0) {
		f = lookup(out, dns, out->org_domain, name, sizeof(name), &rr);
		out->from_org = true;
	}
	switch (f) {
	case FOUND_PENDING:
		return 0;
	case FOUND_TEMP:
		out->status = BIMI_STATUS_TEMPERROR;
		findings_add(&out->findings, "bimi.dns_temperror", FINDING_WARNING, name, NULL,
		             "the BIMI record could not be read: %s", out->detail);
		return 0;
	case FOUND_NOTHING: {
		/* The fix names the selector asked for (--selector brand2). */
		char fix[DNS_NAME_BUF];
		snprintf(fix, sizeof(fix),
		         "Publish \"v=BIMI1; l=https://...logo.svg; a=https://...vmc.pem\" as TXT "
		         "at %s._bimi.<domain>.",
		         selector);
		out->status = BIMI_STATUS_NONE;
		out->from_org = false;
		findings_add(&out->findings, "bimi.no_record", FINDING_INFO, NULL, fix,
		             "no BIMI record at %s._bimi.%s%s%s", selector, domain,
		             strcmp(out->org_domain, domain) != 0
		                     ? " nor at the organisational domain "
		                     : "",
		             strcmp(out->org_domain, domain) != 0 ? out->org_domain : "");
		return 0;
	}
	case FOUND_SEVERAL:
		out->status = BIMI_STATUS_INVALID;
		str_copy(out->record_name, sizeof(out->record_name), name);
		findings_add(&out->findings, "bimi.multiple_records", FINDING_ERROR, name,
		             "Publish exactly one v=BIMI1 record per selector.",
		             "more than one BIMI record at %s: receivers use none", name);
		return 0;
	case FOUND_ONE:
		break;
	}
	str_copy(out->record_name, sizeof(out->record_name), name);
	out->record = strndup(rr->data, rr->len);
	if (out->record == NULL)
		return -1;
	if (out->from_org)
		findings_add(&out->findings, "bimi.org_fallback", FINDING_INFO, name, NULL,
		             "no record at %s._bimi.%s: the organisational domain's record applies",
		             selector, domain);
	if (bimi_parse(rr->data, rr->len, name, &out->rec, &out->findings) != 0)
		return -1;
	out->status = out->rec.invalid    ? BIMI_STATUS_INVALID
	              : out->rec.declined ? BIMI_STATUS_NONE
	                                  : BIMI_STATUS_OK;
	return 0;
}
