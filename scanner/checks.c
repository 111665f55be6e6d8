/*
 * checks.c — one domain's checks side by side (see checks.h).
 */
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "psl.h"
#include "readiness.h"
#include "vmc.h"

static json_t *node_json(const struct spf_node *n)
{
	json_t *kids = json_array();
	for (size_t i = 0; kids != NULL && i < n->nchildren; i++)
		json_array_append_new(kids, node_json(n->children[i]));
	return json_pack("{s:s,s:s?,s:s?,s:s,s:i,s:i,s:i,s:o}", "domain", n->domain, "via", n->via,
	                 "record", n->record, "status", spf_status_name(n->status), "lookups_self",
	                 n->lookups_self, "lookups_total", n->lookups_total, "void_lookups",
	                 n->void_lookups, "children", kids ? kids : json_array());
}

json_t *spf_audit_json(const struct spf_audit *a)
{
	return json_pack(
	        "{s:s,s:s,s:s?,s:s?,s:i,s:i,s:o,s:o,s:s?,s:I,s:I,s:b}", "domain", a->domain,
	        "status", spf_status_name(a->status), "record", a->record, "all",
	        a->all[0] ? a->all : NULL, "lookups", a->lookups, "void_lookups", a->void_lookups,
	        "findings", findings_json(&a->findings), "tree",
	        a->tree ? node_json(a->tree) : json_null(), "error_code", a->error_code,
	        "ipv4_addresses",
	        (json_int_t)(a->ipv4_addresses > INT64_MAX ? INT64_MAX : a->ipv4_addresses),
	        "ipv6_64s", (json_int_t)(a->ipv6_64s > INT64_MAX ? INT64_MAX : a->ipv6_64s),
	        "has_macros", a->has_macros);
}

static json_t *uris_json(const struct dmarc_uri *u, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s?,s:o}", "uri", u[i].uri, "address",
		                                   u[i].address, "authorized",
		                                   u[i].authorized < 0
		                                           ? json_null()
		                                           : json_boolean(u[i].authorized)));
	return a;
}

json_t *dmarc_result_json(const struct dmarc_result *r)
{
	const struct dmarc_reading *b = &r->bis, *o = &r->old;
	const struct dmarc_record *rec = r->rec;
	json_t *old = json_pack(
	        "{s:s,s:s?,s:s?,s:s,s:s?,s:s?,s:o,s:s}", "status", dmarc_status_name(o->status),
	        "record", o->record, "source", dmarc_source_name(o->source), "org_domain",
	        o->org_domain, "policy",
	        o->status == DMARC_STATUS_OK ? dmarc_policy_name(o->policy) : NULL,
	        "subdomain_policy",
	        o->status == DMARC_STATUS_OK ? dmarc_policy_name(o->subdomain_policy) : NULL, "pct",
	        o->status == DMARC_STATUS_OK ? json_integer(o->pct) : json_null(), "enforcement",
	        dmarc_enforcement_name(o->enforcement));
	bool ok = b->status == DMARC_STATUS_OK;
	return json_pack(
	        "{s:s,s:s,s:s?,s:s?,s:s,s:s?,s:s?,s:s?,s:o,s:b,s:s,s:o,s:o,s:o,s:o,s:b,s:i}",
	        "domain", r->domain, "status", dmarc_status_name(b->status), "record", b->record,
	        "source", dmarc_source_name(b->source), "org_domain", b->org_domain, "policy",
	        ok ? dmarc_policy_name(b->policy) : NULL, "subdomain_policy",
	        ok ? dmarc_policy_name(b->subdomain_policy) : NULL, "nonexistent_policy",
	        ok ? dmarc_policy_name(b->nonexistent_policy) : NULL, "pct",
	        (rec && rec->pct >= 0) ? json_integer(rec->pct) : json_null(), "testing",
	        b->testing, "enforcement", dmarc_enforcement_name(b->enforcement), "rua",
	        rec ? uris_json(rec->rua, rec->nrua) : json_array(), "ruf",
	        rec ? uris_json(rec->ruf, rec->nruf) : json_array(), "findings",
	        findings_json(&r->findings), "rfc7489", old ? old : json_null(), "readings_differ",
	        r->readings_differ, "queries", r->queries);
}

int checks_parse(const char *list, unsigned *mask, bool *bimi_asked, char *err, size_t errlen)
{
	char buf[256];
	*mask = 0;
	*bimi_asked = false;
	if (strlen(list) >= sizeof(buf)) {
		snprintf(err, errlen, "--checks: list too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "spf") == 0)
			*mask |= CHECK_BIT(CHECK_SPF);
		else if (strcmp(t, "dmarc") == 0)
			*mask |= CHECK_BIT(CHECK_DMARC);
		else if (strcmp(t, "mx") == 0)
			*mask |= CHECK_BIT(CHECK_MX) | CHECK_BIT(CHECK_A);
		else if (strcmp(t, "bimi") == 0) {
			*mask |= CHECK_BIT(CHECK_BIMI);
			*bimi_asked = true;
		} else {
			snprintf(err, errlen, "--checks: unknown check '%s' (spf, dmarc, bimi, mx)",
			         t);
			return -1;
		}
	}
	if (*mask == 0) {
		snprintf(err, errlen, "--checks: no check named");
		return -1;
	}
	return 0;
}

const char *host_status_name(enum host_status s)
{
	switch (s) {
	case HOST_PRESENT:
		return "present";
	case HOST_ABSENT:
		return "absent";
	case HOST_NULL_MX:
		return "null_mx";
	case HOST_TEMPERROR:
		return "temperror";
	case HOST_NOT_RUN:
		break;
	}
	return "not_run";
}

void checks_init(struct domain_result *r, const char *domain, unsigned mask, bool bimi_asked)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->domain, sizeof(r->domain), "%s", domain);
	r->mask = mask;
	r->bimi_asked = bimi_asked || (mask & CHECK_BIT(CHECK_BIMI));
	snprintf(r->selector, sizeof(r->selector), "default");
	for (int i = 0; i < CHECK_COUNT; i++)
		r->done[i] = !(mask & CHECK_BIT(i));
}

void checks_cleanup(struct domain_result *r)
{
	spf_audit_cleanup(&r->spf);
	dmarc_result_cleanup(&r->dmarc);
	bimi_discovery_cleanup(&r->bimi);
	dmarc_result_cleanup(&r->dmarc_org);
	bimi_assets_cleanup(&r->assets);
	free(r->ready);
	r->ready = NULL;
	r->nready = 0;
}

static bool temporary(enum dns_outcome o)
{
	return o == DNS_OUTCOME_SERVFAIL || o == DNS_OUTCOME_TIMEOUT || o == DNS_OUTCOME_MALFORMED;
}

/* MX: one answer. A: A, then AAAA when there is no A. */
static int host_step(struct domain_result *r, enum check_id id, const struct spf_dns *dns,
                     bool *pending, char *need, size_t needlen, uint16_t *need_type)
{
	struct host_result *h = id == CHECK_MX ? &r->mx : &r->a;
	static const uint16_t mx_types[] = { DNS_TYPE_MX };
	static const uint16_t a_types[] = { DNS_TYPE_A, DNS_TYPE_AAAA };
	const uint16_t *types = id == CHECK_MX ? mx_types : a_types;
	size_t ntypes = id == CHECK_MX ? 1 : 2;

	h->status = HOST_ABSENT;
	h->records = 0;
	for (size_t i = 0; i < ntypes; i++) {
		const struct dns_answer *ans = dns->get(dns->ctx, r->domain, types[i]);
		if (ans == NULL) {
			*pending = true;
			snprintf(need, needlen, "%s", r->domain);
			*need_type = types[i];
			return 0;
		}
		if (temporary(ans->outcome)) {
			h->status = HOST_TEMPERROR;
			snprintf(h->detail, sizeof(h->detail), "%s %s: %s", r->domain,
			         types[i] == DNS_TYPE_MX  ? "MX"
			         : types[i] == DNS_TYPE_A ? "A"
			                                  : "AAAA",
			         dns_outcome_name(ans->outcome));
			break;
		}
		if (ans->outcome != DNS_OUTCOME_DATA)
			continue;
		h->records += (int)ans->nrr;
		if (id == CHECK_MX && ans->nrr == 1 &&
		    (strcmp(ans->rr[0].data, ".") == 0 || ans->rr[0].data[0] == '\0'))
			h->status = HOST_NULL_MX;
		else if (ans->nrr > 0)
			h->status = HOST_PRESENT;
		if (h->status == HOST_PRESENT)
			break;
	}
	*pending = false;
	r->done[id] = true;
	return 0;
}

/* BIMI discovery, then (BIMI readiness needs it) the organisational
 * domain's DMARC policy when it is another name. */
static int bimi_step(struct domain_result *r, const struct spf_dns *dns, bool *pending, char *need,
                     size_t needlen, uint16_t *need_type)
{
	bimi_discovery_cleanup(&r->bimi);
	if (bimi_discover(r->domain, r->selector, dns, psl_org_domain, &r->bimi) != 0)
		return -1;
	if (r->bimi.pending) {
		*pending = true;
		snprintf(need, needlen, "%s", r->bimi.need_name);
		*need_type = r->bimi.need_type;
		return 0;
	}
	dmarc_result_cleanup(&r->dmarc_org);
	r->has_dmarc_org = strcmp(r->bimi.org_domain, r->domain) != 0;
	if (r->has_dmarc_org) {
		if (dmarc_check(r->bimi.org_domain, dns, psl_org_domain, &r->dmarc_org) != 0)
			return -1;
		if (r->dmarc_org.pending) {
			*pending = true;
			snprintf(need, needlen, "%s", r->dmarc_org.need_name);
			*need_type = r->dmarc_org.need_type;
			return 0;
		}
	}
	*pending = false;
	r->done[CHECK_BIMI] = true;
	return 0;
}

const char *checks_bimi_logo_url(const struct domain_result *r)
{
	const struct bimi_record *b = &r->bimi.rec;
	return r->bimi.status == BIMI_STATUS_OK && b->l && b->l[0] ? b->l : NULL;
}

const char *checks_bimi_cert_url(const struct domain_result *r)
{
	const struct bimi_record *b = &r->bimi.rec;
	return r->bimi.status == BIMI_STATUS_OK && b->a && b->a[0] ? b->a : NULL;
}

int checks_bimi_finish(struct domain_result *r, const struct bimi_fetched *logo,
                       const struct bimi_fetched *cert, const struct vmc_options *opt)
{
	if (!(r->mask & CHECK_BIT(CHECK_BIMI)))
		return 0;
	bimi_assets_cleanup(&r->assets);
	if (bimi_assess(&r->bimi, logo, cert, opt, &r->assets) != 0)
		return -1;
	if (readiness_build(r) != 0)
		return -1;
	r->bimi_finished = true;
	return 0;
}

int checks_step(struct domain_result *r, enum check_id id, const struct spf_dns *dns, bool *pending,
                char *need, size_t needlen, uint16_t *need_type)
{
	*pending = false;
	switch (id) {
	case CHECK_SPF:
		spf_audit_cleanup(&r->spf);
		if (spf_audit_run(r->domain, dns, &r->spf) != 0)
			return -1;
		*pending = r->spf.pending;
		snprintf(need, needlen, "%s", r->spf.need_name);
		*need_type = r->spf.need_type;
		break;
	case CHECK_DMARC:
		dmarc_result_cleanup(&r->dmarc);
		if (dmarc_check(r->domain, dns, psl_org_domain, &r->dmarc) != 0)
			return -1;
		*pending = r->dmarc.pending;
		snprintf(need, needlen, "%s", r->dmarc.need_name);
		*need_type = r->dmarc.need_type;
		break;
	case CHECK_MX:
	case CHECK_A:
		return host_step(r, id, dns, pending, need, needlen, need_type);
	case CHECK_BIMI:
		return bimi_step(r, dns, pending, need, needlen, need_type);
	case CHECK_COUNT:
		return -1;
	}
	if (!*pending)
		r->done[id] = true;
	return 0;
}

bool checks_inconclusive(const struct domain_result *r)
{
	return ((r->mask & CHECK_BIT(CHECK_SPF)) && r->spf.status == SPF_STATUS_TEMPERROR) ||
	       ((r->mask & CHECK_BIT(CHECK_DMARC)) &&
	        r->dmarc.bis.status == DMARC_STATUS_TEMPERROR) ||
	       r->mx.status == HOST_TEMPERROR || r->a.status == HOST_TEMPERROR ||
	       ((r->mask & CHECK_BIT(CHECK_BIMI)) &&
	        (r->bimi.status == BIMI_STATUS_TEMPERROR ||
	         (r->has_dmarc_org && r->dmarc_org.bis.status == DMARC_STATUS_TEMPERROR)));
}

static json_t *not_run(void)
{
	return json_pack("{s:s}", "status", "not_run");
}

static json_t *host_json(const struct host_result *h)
{
	if (h->status == HOST_NOT_RUN)
		return not_run();
	return json_pack("{s:s,s:i,s:s?}", "status", host_status_name(h->status), "records",
	                 h->records, "detail", h->status == HOST_TEMPERROR ? h->detail : NULL);
}

const char *ready_status_name(enum ready_status s)
{
	switch (s) {
	case READY_PASS:
		return "pass";
	case READY_FAIL:
		return "fail";
	case READY_WARN:
		return "warn";
	case READY_UNKNOWN:
		break;
	}
	return "unknown";
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

json_t *bimi_result_json(const struct domain_result *r)
{
	if (!(r->mask & CHECK_BIT(CHECK_BIMI)))
		return not_run();
	const struct bimi_discovery *d = &r->bimi;
	const struct bimi_assets *a = &r->assets;
	json_t *logo =
	        json_pack("{s:o,s:s,s:o,s:o}", "url", str_or_null(checks_bimi_logo_url(r)),
	                  "status", bimi_asset_name(a->logo), "sha256", str_or_null(a->logo_sha256),
	                  "findings", findings_json(&a->logo_findings));
	char after[32] = "";
	if (a->vmc_not_after)
		vmc_format_time(a->vmc_not_after, after, sizeof(after));
	json_t *vmc = json_pack(
	        "{s:o,s:s,s:o,s:o,s:o,s:b,s:o}", "url", str_or_null(checks_bimi_cert_url(r)),
	        "status", bimi_asset_name(a->vmc), "type", str_or_null(a->vmc_type), "not_after",
	        str_or_null(after), "subject", str_or_null(a->vmc_subject), "logo_matches",
	        a->vmc_logo_matches, "findings", findings_json(&a->vmc_findings));
	json_t *ready = json_array();
	for (size_t i = 0; ready && i < r->nready; i++) {
		const struct ready_item *it = &r->ready[i];
		json_array_append_new(ready,
		                      json_pack("{s:s,s:s,s:b,s:s,s:s,s:o}", "item", it->item,
		                                "status", ready_status_name(it->status), "required",
		                                it->required, "detail", it->detail, "rule",
		                                it->rule, "fix", str_or_null(it->fix)));
	}
	const char *avp = d->rec.avp == BIMI_AVP_PERSONAL ? "personal" : "brand";
	return json_pack(
	        "{s:s,s:s,s:o,s:o,s:s,s:s,s:b,s:b,s:o,s:o,s:o,s:o,s:b,s:b,s:o}", "domain",
	        d->domain, "status", bimi_status_name(d->status), "record", str_or_null(d->record),
	        "record_name", str_or_null(d->record_name), "selector", d->selector, "org_domain",
	        d->org_domain, "from_org", d->from_org, "declined", d->rec.declined, "avp",
	        d->record ? json_string(avp) : json_null(), "logo", logo, "vmc", vmc, "readiness",
	        ready ? ready : json_array(), "eligible", r->bimi_finished && r->eligible,
	        "checked", r->bimi_finished, "findings", findings_json(&d->findings));
}

json_t *checks_json(const struct domain_result *r)
{
	return json_pack(
	        "{s:s,s:o,s:o,s:o,s:o,s:o,s:b}", "domain", r->domain, "spf",
	        (r->mask & CHECK_BIT(CHECK_SPF)) ? spf_audit_json(&r->spf) : not_run(), "dmarc",
	        (r->mask & CHECK_BIT(CHECK_DMARC)) ? dmarc_result_json(&r->dmarc) : not_run(), "mx",
	        host_json(&r->mx), "a", host_json(&r->a), "bimi", bimi_result_json(r), "conclusive",
	        !checks_inconclusive(r));
}
