/*
 * row.c — a stored result copied into a report_row, with the facts that
 * only the result's JSON holds (whether the domain exists, sp/np, rua, the
 * RFC 7489 reading, the SPF includes, BIMI logo, certificate type and
 * readiness).
 *
 * The JSON is the object checks_json() writes ({"spf", "dmarc", "mx", "a",
 * "bimi", ...}); the BIMI object follows the contract of issue 5:
 * {"status", "logo": {"status"}, "vmc": {"status", "type", "findings"},
 * "readiness": [{"item", "status", "fix"}], "eligible"}. Anything missing
 * or of another type is read as absent: a report never fails on one row.
 */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

const char *const report_readiness_items[REPORT_READINESS_ITEMS] = {
	"bimi_record",
	"logo",
	"certificate",
	"dmarc_policy",
	"dmarc_org_policy",
	"dmarc_coverage",
	"dmarc_subdomain",
	"spf",
	"mx",
	"a",
};

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static int dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A published record (it may hold NUL bytes, stored as \u0000) as a C
 * string: each NUL becomes U+FFFD, what the HTML report writes for it
 * (utf8_next: C0 is never raw), so nothing after it is lost. */
static int dup_record(char **dst, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), at = 0;
	*dst = NULL;
	if (s == NULL)
		return 0;
	size_t nuls = 0;
	for (size_t i = 0; i < n; i++)
		nuls += s[i] == '\0';
	char *d = malloc(n + 2 * nuls + 1);
	if (d == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0') {
			memcpy(d + at, "\xef\xbf\xbd", 3);
			at += 3;
		} else {
			d[at++] = s[i];
		}
	}
	d[at] = '\0';
	*dst = d;
	return 0;
}

static bool has_include(const struct report_row *r, const char *host)
{
	for (size_t i = 0; i < r->nincludes; i++)
		if (r->includes[i] != NULL && strcmp(r->includes[i], host) == 0)
			return true;
	return false;
}

/* The direct include: targets of the domain's own record (the tree's
 * first level). */
static int read_includes(struct report_row *r, json_t *spf)
{
	json_t *kids = json_object_get(json_object_get(spf, "tree"), "children");
	size_t n = json_array_size(kids);
	if (n == 0)
		return 0;
	r->includes = calloc(n, sizeof(char *));
	if (r->includes == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *via = jstr(json_array_get(kids, i), "via");
		if (via == NULL || strncmp(via, "include:", 8) != 0 || via[8] == '\0' ||
		    has_include(r, via + 8))
			continue;
		r->includes[r->nincludes] = strdup(via + 8);
		if (r->includes[r->nincludes] == NULL)
			return -1;
		r->nincludes++;
	}
	return 0;
}

/* The strings of an array, space-separated, into *dst (NULL when none):
 * each element a string, or an object whose first key of keys is a
 * string. 0, or -1 when out of memory. */
static int join_strings(char **dst, json_t *arr, const char *const *keys)
{
	size_t len = 0, n = json_array_size(arr);
	*dst = NULL;
	for (int pass = 0; pass < 2; pass++) {
		size_t at = 0;
		for (size_t i = 0; i < n; i++) {
			json_t *e = json_array_get(arr, i);
			const char *v = json_string_value(e);
			for (size_t k = 0; v == NULL && keys[k] != NULL; k++)
				v = jstr(e, keys[k]);
			if (v == NULL || v[0] == '\0')
				continue;
			size_t vl = strlen(v);
			if (pass == 1) {
				if (at > 0)
					(*dst)[at] = ' ';
				memcpy(*dst + at + (at > 0), v, vl);
			}
			at += vl + (at > 0);
		}
		if (pass == 0) {
			if (at == 0)
				return 0;
			len = at;
			*dst = malloc(len + 1);
			if (*dst == NULL)
				return -1;
		}
	}
	(*dst)[len] = '\0';
	return 0;
}

/* The MX host names, when the result says them: mx.hosts (strings, or
 * objects naming the host), or mx.records when it is such an array (it
 * is a count in results that do not). */
static int read_mx_hosts(struct report_row *r, json_t *mx)
{
	static const char *const keys[] = { "host", "exchange", "name", NULL };
	json_t *h = json_object_get(mx, "hosts");
	if (!json_is_array(h))
		h = json_object_get(mx, "records");
	return json_is_array(h) ? join_strings(&r->mx_hosts, h, keys) : 0;
}

static void read_dmarc(struct report_row *r, json_t *dm)
{
	r->dmarc_testing = json_is_true(json_object_get(dm, "testing"));
	copy(r->dmarc_np, sizeof(r->dmarc_np), jstr(dm, "nonexistent_policy"));
	copy(r->dmarc_enforcement_7489, sizeof(r->dmarc_enforcement_7489),
	     jstr(json_object_get(dm, "rfc7489"), "enforcement"));
	r->dmarc_readings_differ = json_is_true(json_object_get(dm, "readings_differ"));
	json_t *rua = json_object_get(dm, "rua");
	r->dmarc_rua = json_array_size(rua) > 0;
	for (size_t i = 0; i < json_array_size(rua); i++)
		if (json_is_false(json_object_get(json_array_get(rua, i), "authorized")))
			r->dmarc_rua_unauthorized = true;
}

static int read_bimi_strings(struct report_row *r, json_t *bimi)
{
	json_t *vmc = json_object_get(bimi, "vmc");
	copy(r->vmc_not_after, sizeof(r->vmc_not_after), jstr(vmc, "not_after"));
	if (dup_str(&r->logo_url, jstr(json_object_get(bimi, "logo"), "url")) != 0)
		return -1;
	return dup_str(&r->vmc_issuer, jstr(vmc, "issuer"));
}

static void read_bimi(struct report_row *r, json_t *bimi)
{
	json_t *vmc = json_object_get(bimi, "vmc");
	copy(r->logo_status, sizeof(r->logo_status), jstr(json_object_get(bimi, "logo"), "status"));
	copy(r->vmc_type, sizeof(r->vmc_type), jstr(vmc, "type"));
	json_t *f = json_object_get(vmc, "findings");
	for (size_t i = 0; i < json_array_size(f); i++) {
		const char *code = jstr(json_array_get(f, i), "code");
		if (code != NULL && strcmp(code, "vmc.expired") == 0)
			r->vmc_expired = true;
	}
	json_t *ready = json_object_get(bimi, "readiness");
	for (size_t i = 0; i < json_array_size(ready); i++) {
		json_t *it = json_array_get(ready, i);
		const char *item = jstr(it, "item"), *st = jstr(it, "status");
		if (item == NULL || st == NULL || strcmp(st, "fail") != 0)
			continue;
		for (unsigned k = 0; k < REPORT_READINESS_ITEMS; k++)
			if (strcmp(item, report_readiness_items[k]) == 0)
				r->bimi_fail |= 1u << k;
	}
}

/* Whether every key record the DKIM probes found is revoked: some
 * selector says "revoked", and none holds a key, an invalid key record,
 * another TXT record or a DNS failure. */
static void read_dkim(struct report_row *r, json_t *dkim)
{
	json_t *sel = json_object_get(dkim, "selectors");
	bool revoked = false, other = false;
	for (size_t i = 0; i < json_array_size(sel); i++) {
		const char *st = jstr(json_array_get(sel, i), "status");
		if (st == NULL || strcmp(st, "none") == 0)
			continue;
		if (strcmp(st, "revoked") == 0)
			revoked = true;
		else
			other = true;
	}
	r->dkim_revoked_only = revoked && !other;
}

/* The facts a row takes from its JSON, copied from a row of the same
 * stored result (no parse). 0, or -1 when out of memory. */
static int copy_facts(struct report_row *out, const struct report_row *f)
{
	out->nxdomain = f->nxdomain;
	memcpy(out->dmarc_np, f->dmarc_np, sizeof(out->dmarc_np));
	memcpy(out->dmarc_enforcement_7489, f->dmarc_enforcement_7489,
	       sizeof(out->dmarc_enforcement_7489));
	out->dmarc_rua = f->dmarc_rua;
	out->dmarc_rua_unauthorized = f->dmarc_rua_unauthorized;
	out->dmarc_readings_differ = f->dmarc_readings_differ;
	memcpy(out->vmc_type, f->vmc_type, sizeof(out->vmc_type));
	memcpy(out->logo_status, f->logo_status, sizeof(out->logo_status));
	out->vmc_expired = f->vmc_expired;
	out->bimi_fail = f->bimi_fail;
	out->dmarc_testing = f->dmarc_testing;
	out->dkim_revoked_only = f->dkim_revoked_only;
	memcpy(out->vmc_not_after, f->vmc_not_after, sizeof(out->vmc_not_after));
	if (dup_str(&out->spf_record, f->spf_record) != 0 ||
	    dup_str(&out->dmarc_record, f->dmarc_record) != 0 ||
	    dup_str(&out->dmarc_rua_uris, f->dmarc_rua_uris) != 0 ||
	    dup_str(&out->mx_hosts, f->mx_hosts) != 0 ||
	    dup_str(&out->logo_url, f->logo_url) != 0 ||
	    dup_str(&out->vmc_issuer, f->vmc_issuer) != 0)
		return -1;
	if (f->nincludes > 0) {
		out->includes = calloc(f->nincludes, sizeof(char *));
		if (out->includes == NULL)
			return -1;
		for (size_t i = 0; i < f->nincludes; i++) {
			if (dup_str(&out->includes[i], f->includes[i]) != 0)
				return -1;
			out->nincludes++;
		}
	}
	return 0;
}

/* The document the facts are read from: the result's facts when they are
 * of REPORT_FACTS_VERSION or later (the same keys at the same paths as
 * in its JSON, and only those this file reads), else its JSON. NULL when
 * neither parses. */
static json_t *row_doc(const struct store_result *s)
{
	const char *text = s->json;
	size_t len = s->json_len;
	if (s->facts != NULL) {
		json_t *f = json_loadb(s->facts, s->facts_len ? s->facts_len : strlen(s->facts),
		                       JSON_ALLOW_NUL, NULL);
		json_t *v = json_object_get(f, "facts");
		if (json_is_integer(v) && json_integer_value(v) >= REPORT_FACTS_VERSION)
			return f;
		json_decref(f);
	}
	if (text == NULL)
		return NULL;
	return json_loadb(text, len ? len : strlen(text), JSON_ALLOW_NUL, NULL);
}

int report_row_from_store(struct report_row *out, const struct store_row *in)
{
	return report_row_from_store_like(out, in, NULL);
}

int report_row_from_store_like(struct report_row *out, const struct store_row *in,
                               const struct report_row *like)
{
	const struct store_result *s = &in->r;
	memset(out, 0, sizeof(*out));
	out->result_id = in->result_id;
	out->run_id = in->run_id;
	out->position = in->position;
	if (dup_str(&out->domain, in->domain ? in->domain : "") != 0 ||
	    dup_str(&out->company, in->company) != 0 || dup_str(&out->code, in->code) != 0 ||
	    dup_str(&out->sector, in->sector) != 0 || dup_str(&out->list, in->list) != 0)
		goto oom;
	copy(out->scanned_at, sizeof(out->scanned_at), s->scanned_at);
	out->conclusive = s->conclusive;
	copy(out->spf_status, sizeof(out->spf_status), s->spf_status);
	copy(out->spf_all, sizeof(out->spf_all), s->spf_all);
	copy(out->spf_error, sizeof(out->spf_error), s->spf_error);
	out->spf_lookups = s->spf_lookups;
	out->spf_void = s->spf_void;
	copy(out->dmarc_status, sizeof(out->dmarc_status), s->dmarc_status);
	copy(out->dmarc_policy, sizeof(out->dmarc_policy), s->dmarc_policy);
	copy(out->dmarc_sp, sizeof(out->dmarc_sp), s->dmarc_subdomain_policy);
	copy(out->dmarc_enforcement, sizeof(out->dmarc_enforcement), s->dmarc_enforcement);
	out->dmarc_pct = s->dmarc_pct;
	copy(out->bimi_status, sizeof(out->bimi_status), s->bimi_status);
	copy(out->vmc_status, sizeof(out->vmc_status), s->vmc_status);
	out->bimi_eligible = s->bimi_eligible;
	copy(out->mx, sizeof(out->mx), s->mx);
	copy(out->a, sizeof(out->a), s->a);
	copy(out->dkim_status, sizeof(out->dkim_status), s->dkim_status);
	out->dkim_min_bits = s->dkim_min_bits > 0 ? s->dkim_min_bits : -1;
	if (dup_str(&out->dkim_selectors, s->dkim_selectors) != 0)
		goto oom;
	copy(out->mta_sts_status, sizeof(out->mta_sts_status), s->mta_sts_status);
	copy(out->tls_rpt_status, sizeof(out->tls_rpt_status), s->tls_rpt_status);
	copy(out->dnssec_status, sizeof(out->dnssec_status), s->dnssec_status);
	copy(out->dane_status, sizeof(out->dane_status), s->dane_status);
	/* Coverage means nothing without an MTA-STS status. */
	out->mta_sts_mx_covered = out->mta_sts_status[0] == '\0' || s->mta_sts_mx_covered < 0
	                                  ? -1
	                                  : s->mta_sts_mx_covered != 0;

	if (like != NULL && like->result_id != 0 && like->result_id == in->result_id) {
		/* The same stored result (a reference): the same JSON. */
		if (copy_facts(out, like) != 0)
			goto oom;
		return 0;
	}
	json_t *js = row_doc(s);
	if (js == NULL)
		return 0; /* no extra facts: the columns still count */
	out->nxdomain = json_is_false(json_object_get(js, "exists"));
	json_t *spf = json_object_get(js, "spf"), *dm = json_object_get(js, "dmarc");
	int rc = dup_record(&out->spf_record, spf, "record");
	if (rc == 0)
		rc = dup_record(&out->dmarc_record, dm, "record");
	if (rc == 0)
		rc = read_includes(out, spf);
	if (rc == 0) {
		static const char *const uri[] = { "uri", NULL };
		rc = join_strings(&out->dmarc_rua_uris, json_object_get(dm, "rua"), uri);
	}
	if (rc == 0)
		rc = read_mx_hosts(out, json_object_get(js, "mx"));
	if (rc == 0)
		rc = read_bimi_strings(out, json_object_get(js, "bimi"));
	read_dmarc(out, dm);
	read_dkim(out, json_object_get(js, "dkim"));
	read_bimi(out, json_object_get(js, "bimi"));
	json_decref(js);
	if (rc != 0)
		goto oom;
	return 0;
oom:
	report_row_cleanup(out);
	return -1;
}

void report_row_cleanup(struct report_row *r)
{
	free(r->domain);
	free(r->company);
	free(r->code);
	free(r->sector);
	free(r->list);
	free(r->spf_record);
	free(r->dmarc_record);
	free(r->dmarc_rua_uris);
	free(r->mx_hosts);
	free(r->logo_url);
	free(r->vmc_issuer);
	free(r->dkim_selectors);
	for (size_t i = 0; i < r->nincludes; i++)
		free(r->includes[i]);
	free(r->includes);
	memset(r, 0, sizeof(*r));
}

const char *report_dmarc_class(const struct report_row *r)
{
	const char *e = r->dmarc_enforcement;
	if (strcmp(r->dmarc_status, "not_run") == 0 || strcmp(r->dmarc_status, "error") == 0 ||
	    r->dmarc_status[0] == '\0')
		return "";
	if ((strcmp(e, "quarantine") == 0 || strcmp(e, "reject") == 0) && r->dmarc_pct >= 0 &&
	    r->dmarc_pct < 100)
		return "partial";
	return e;
}

const char *report_spf_all_name(const char *all)
{
	/* RFC 7208 4.6.2: the qualifier is the result when all matches. */
	static const char *const q[][2] = { { "-all", "fail" },
		                            { "~all", "softfail" },
		                            { "?all", "neutral" },
		                            { "+all", "pass" } };
	if (all == NULL)
		return "";
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		if (strcmp(all, q[i][0]) == 0)
			return q[i][1];
	return all;
}

char *report_company_key(const struct report_row *r)
{
	bool named = r->company != NULL && r->company[0] != '\0';
	const char *key = named ? r->company : r->domain ? r->domain : "";
	size_t len = strlen(key) + 3;
	char *k = malloc(len);
	if (k != NULL)
		snprintf(k, len, "%c:%s", named ? 'c' : 'd', key);
	return k;
}

int report_rows_mark_primary(struct report_row *rows, size_t n)
{
	struct strmap seen = { 0 };
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		bool added = false;
		char *k = report_company_key(&rows[i]);
		if (k == NULL || strmap_put(&seen, k, &added) == STRMAP_NONE)
			rc = -1;
		rows[i].primary = added;
		free(k);
	}
	strmap_free(&seen);
	return rc;
}

static int by_domain(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;
	return strcmp(x->domain, y->domain);
}

void report_rows_sort_by_domain(struct report_row *rows, size_t n)
{
	if (n > 1)
		qsort(rows, n, sizeof(*rows), by_domain);
}

/* The first of the facts two rows read from their documents that
 * differs, by name, or NULL. */
static const char *facts_differ(const struct report_row *a, const struct report_row *b)
{
#define SAME_STR(f)                                                                                \
	if (strcmp(a->f ? a->f : "", b->f ? b->f : "") != 0)                                       \
	return #f
#define SAME_VAL(f)                                                                                \
	if (a->f != b->f)                                                                          \
	return #f
	SAME_VAL(nxdomain);
	SAME_STR(spf_record);
	SAME_STR(dmarc_record);
	SAME_STR(dmarc_np);
	SAME_STR(dmarc_enforcement_7489);
	SAME_VAL(dmarc_rua);
	SAME_VAL(dmarc_rua_unauthorized);
	SAME_VAL(dmarc_readings_differ);
	SAME_STR(vmc_type);
	SAME_STR(logo_status);
	SAME_VAL(vmc_expired);
	SAME_VAL(dmarc_testing);
	SAME_STR(vmc_not_after);
	SAME_VAL(bimi_fail);
	SAME_STR(dmarc_rua_uris);
	SAME_STR(mx_hosts);
	SAME_STR(logo_url);
	SAME_STR(vmc_issuer);
	SAME_VAL(dkim_revoked_only);
	SAME_VAL(nincludes);
	for (size_t i = 0; i < a->nincludes; i++)
		SAME_STR(includes[i]);
	return NULL;
#undef SAME_STR
#undef SAME_VAL
}

int report_row_facts_check(const struct store_row *in, char *what, size_t len)
{
	struct store_row only = *in;
	struct report_row a, b;
	if (in->r.json == NULL || store_facts_version(in->r.facts) < REPORT_FACTS_VERSION)
		return 0; /* no facts, or older than this posture reads: not read */
	only.r.json = NULL;
	if (report_row_from_store(&a, &only) != 0)
		return -1;
	only = *in;
	only.r.facts = NULL;
	if (report_row_from_store(&b, &only) != 0) {
		report_row_cleanup(&a);
		return -1;
	}
	const char *d = facts_differ(&a, &b);
	if (d != NULL)
		snprintf(what, len, "%s", d);
	report_row_cleanup(&a);
	report_row_cleanup(&b);
	return d != NULL;
}
