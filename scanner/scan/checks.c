/*
 * checks.c — one domain's checks side by side (see checks.h).
 */
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_check.h"
#include "jsonw.h"
#include "psl.h"
#include "readiness.h"
#include "strutil.h"
#include "transport_check.h"
#include "vmc.h"

void findings_write(struct jsonw *w, const struct findings *f)
{
	jsonw_arr(w);
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];
		jsonw_obj(w);
		jsonw_kstr(w, "code", x->code);
		jsonw_kstr(w, "severity", finding_severity_name(x->severity));
		jsonw_kstr(w, "message", x->message);
		jsonw_kstr(w, "path", x->path);
		jsonw_kstr(w, "fix", x->fix);
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
}

static void node_write(struct jsonw *w, const struct spf_node *n)
{
	jsonw_obj(w);
	jsonw_kstr(w, "domain", n->domain);
	jsonw_kstr(w, "via", n->via);
	jsonw_kstrn(w, "record", n->record, n->record_len);
	jsonw_kstr(w, "status", spf_status_name(n->status));
	jsonw_kint(w, "lookups_self", n->lookups_self);
	jsonw_kint(w, "lookups_total", n->lookups_total);
	jsonw_kint(w, "void_lookups", n->void_lookups);
	jsonw_key(w, "children");
	jsonw_arr(w);
	for (size_t i = 0; i < n->nchildren; i++)
		node_write(w, n->children[i]);
	jsonw_end_arr(w);
	jsonw_end_obj(w);
}

void spf_audit_write(struct jsonw *w, const struct spf_audit *a)
{
	jsonw_obj(w);
	jsonw_kstr(w, "domain", a->domain);
	jsonw_kstr(w, "status", spf_status_name(a->status));
	jsonw_kstrn(w, "record", a->record, a->record_len);
	jsonw_kstr_or_null(w, "all", a->all);
	jsonw_kint(w, "lookups", a->lookups);
	jsonw_kint(w, "void_lookups", a->void_lookups);
	jsonw_key(w, "findings");
	findings_write(w, &a->findings);
	jsonw_key(w, "tree");
	if (a->tree)
		node_write(w, a->tree);
	else
		jsonw_null(w);
	jsonw_kstr(w, "error_code", a->error_code);
	jsonw_kint(w, "ipv4_addresses",
	           (int64_t)(a->ipv4_addresses > INT64_MAX ? INT64_MAX : a->ipv4_addresses));
	jsonw_kint(w, "ipv6_64s", (int64_t)(a->ipv6_64s > INT64_MAX ? INT64_MAX : a->ipv6_64s));
	jsonw_kbool(w, "has_macros", a->has_macros);
	jsonw_end_obj(w);
}

static void uris_write(struct jsonw *w, const struct dmarc_uri *u, size_t n)
{
	jsonw_arr(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj(w);
		jsonw_kstr(w, "uri", u[i].uri);
		jsonw_kstr(w, "address", u[i].address);
		jsonw_key(w, "authorized");
		if (u[i].authorized < 0)
			jsonw_null(w);
		else
			jsonw_bool(w, u[i].authorized);
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
}

static void pct_write(struct jsonw *w, bool known, int pct)
{
	jsonw_key(w, "pct");
	if (known)
		jsonw_int(w, pct);
	else
		jsonw_null(w);
}

void dmarc_result_write(struct jsonw *w, const struct dmarc_result *r)
{
	const struct dmarc_reading *b = &r->bis, *o = &r->old;
	const struct dmarc_record *rec = r->rec;
	bool ok = b->status == DMARC_STATUS_OK, old_ok = o->status == DMARC_STATUS_OK;

	jsonw_obj(w);
	jsonw_kstr(w, "domain", r->domain);
	jsonw_kstr(w, "status", dmarc_status_name(b->status));
	jsonw_kstrn(w, "record", b->record, b->record_len);
	jsonw_kstr(w, "source", dmarc_source_name(b->source));
	jsonw_kstr(w, "org_domain", b->org_domain);
	jsonw_kstr(w, "policy", ok ? dmarc_policy_name(b->policy) : NULL);
	jsonw_kstr(w, "subdomain_policy", ok ? dmarc_policy_name(b->subdomain_policy) : NULL);
	jsonw_kstr(w, "nonexistent_policy", ok ? dmarc_policy_name(b->nonexistent_policy) : NULL);
	pct_write(w, rec && rec->pct >= 0, rec ? rec->pct : 0);
	jsonw_kbool(w, "testing", b->testing);
	jsonw_kstr(w, "enforcement", dmarc_enforcement_name(b->enforcement));
	jsonw_key(w, "rua");
	uris_write(w, rec ? rec->rua : NULL, rec ? rec->nrua : 0);
	jsonw_key(w, "ruf");
	uris_write(w, rec ? rec->ruf : NULL, rec ? rec->nruf : 0);
	jsonw_key(w, "findings");
	findings_write(w, &r->findings);
	jsonw_key(w, "rfc7489");
	jsonw_obj(w);
	jsonw_kstr(w, "status", dmarc_status_name(o->status));
	jsonw_kstrn(w, "record", o->record, o->record_len);
	jsonw_kstr(w, "source", dmarc_source_name(o->source));
	jsonw_kstr(w, "org_domain", o->org_domain);
	jsonw_kstr(w, "policy", old_ok ? dmarc_policy_name(o->policy) : NULL);
	jsonw_kstr(w, "subdomain_policy", old_ok ? dmarc_policy_name(o->subdomain_policy) : NULL);
	pct_write(w, old_ok, o->pct);
	jsonw_kstr(w, "enforcement", dmarc_enforcement_name(o->enforcement));
	jsonw_end_obj(w);
	jsonw_kbool(w, "readings_differ", r->readings_differ);
	jsonw_kint(w, "queries", r->queries);
	jsonw_end_obj(w);
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
	str_copy(buf, sizeof(buf), list);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "spf") == 0)
			*mask |= CHECK_BIT(CHECK_SPF);
		else if (strcmp(t, "dmarc") == 0)
			*mask |= CHECK_BIT(CHECK_DMARC);
		else if (strcmp(t, "mx") == 0)
			*mask |= CHECK_BIT(CHECK_MX) | CHECK_BIT(CHECK_A);
		else if (strcmp(t, "dkim") == 0)
			*mask |= CHECK_BIT(CHECK_DKIM);
		else if (strcmp(t, "mta-sts") == 0)
			*mask |= CHECK_BIT(CHECK_MTA_STS);
		else if (strcmp(t, "tls-rpt") == 0)
			*mask |= CHECK_BIT(CHECK_TLS_RPT);
		else if (strcmp(t, "dnssec") == 0)
			*mask |= CHECK_BIT(CHECK_DNSSEC);
		else if (strcmp(t, "dane") == 0)
			/* DANE asks the TLSA of the MX hosts: MX names them. */
			*mask |= CHECK_BIT(CHECK_DANE) | CHECK_BIT(CHECK_MX) | CHECK_BIT(CHECK_A);
		else if (strcmp(t, "bimi") == 0) {
			*mask |= CHECK_BIT(CHECK_BIMI);
			*bimi_asked = true;
		} else {
			snprintf(err, errlen,
			         "--checks: unknown check '%s' (spf, dmarc, bimi, mx, "
			         "dkim, mta-sts, tls-rpt, dnssec, dane)",
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
	str_copy(r->domain, sizeof(r->domain), domain);
	r->mask = mask;
	r->bimi_asked = bimi_asked || (mask & CHECK_BIT(CHECK_BIMI));
	snprintf(r->selector, sizeof(r->selector), "default");
	for (int i = 0; i < CHECK_COUNT; i++)
		r->done[i] = !(mask & CHECK_BIT(i));
}

static void mx_hosts_free(struct host_result *h)
{
	for (size_t i = 0; i < h->nhosts; i++)
		free(h->hosts[i].host);
	free(h->hosts);
	h->hosts = NULL;
	h->nhosts = 0;
}

void checks_cleanup(struct domain_result *r)
{
	mx_hosts_free(&r->mx);
	spf_audit_cleanup(&r->spf);
	dmarc_result_cleanup(&r->dmarc);
	bimi_discovery_cleanup(&r->bimi);
	dmarc_result_cleanup(&r->dmarc_org);
	bimi_assets_cleanup(&r->assets);
	dkim_check_cleanup(r);
	transport_check_cleanup(r);
	free(r->ready);
	r->ready = NULL;
	r->nready = 0;
}

static bool temporary(enum dns_outcome o)
{
	return o == DNS_OUTCOME_SERVFAIL || o == DNS_OUTCOME_TIMEOUT || o == DNS_OUTCOME_MALFORMED;
}

static int mx_host_order(const void *a, const void *b)
{
	const struct checks_mx_host *x = a, *y = b;
	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->host, y->host);
}

/* The MX answer's host names (a null MX's "." names none), sorted, at
 * most CHECKS_MX_HOSTS. 0, or -1 when out of memory. */
static int mx_hosts_keep(struct host_result *h, const struct dns_answer *ans)
{
	size_t n = ans->nrr < CHECKS_MX_HOSTS ? ans->nrr : CHECKS_MX_HOSTS;
	if (n == 0 || (h->hosts = calloc(n, sizeof(*h->hosts))) == NULL)
		return n == 0 ? 0 : -1;
	for (size_t i = 0; i < ans->nrr && h->nhosts < n; i++) {
		const char *d = ans->rr[i].data;
		if (d[0] == '\0' || strcmp(d, ".") == 0)
			continue;
		if ((h->hosts[h->nhosts].host = strdup(d)) == NULL)
			return -1;
		h->hosts[h->nhosts++].pref = ans->rr[i].pref;
	}
	qsort(h->hosts, h->nhosts, sizeof(*h->hosts), mx_host_order);
	return 0;
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
	mx_hosts_free(h);
	for (size_t i = 0; i < ntypes; i++) {
		const struct dns_answer *ans = dns->get(dns->ctx, r->domain, types[i]);
		if (ans == NULL) {
			*pending = true;
			str_copy(need, needlen, r->domain);
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
		/* With SPF run, its TXT query alone decides (see nxdomain). */
		if (ans->outcome == DNS_OUTCOME_NXDOMAIN && !(r->mask & CHECK_BIT(CHECK_SPF)))
			r->nxdomain = true;
		if (ans->outcome != DNS_OUTCOME_DATA)
			continue;
		h->records += (int)ans->nrr;
		if (id == CHECK_MX && ans->nrr == 1 &&
		    (strcmp(ans->rr[0].data, ".") == 0 || ans->rr[0].data[0] == '\0'))
			h->status = HOST_NULL_MX;
		else if (ans->nrr > 0)
			h->status = HOST_PRESENT;
		if (id == CHECK_MX && h->status == HOST_PRESENT && mx_hosts_keep(h, ans) != 0)
			return -1;
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
		str_copy(need, needlen, r->bimi.need_name);
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
			str_copy(need, needlen, r->dmarc_org.need_name);
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
	/* The checklist's dkim item reads what it adds. */
	if (checks_dkim_finish(r) != 0 || readiness_build(r) != 0)
		return -1;
	r->bimi_finished = true;
	return 0;
}

/* The audit's first question was TXT at the domain itself; once it is
 * complete that answer is known. RFC 8020 2: NXDOMAIN means no name
 * exists at or below it. */
static bool spf_root_nxdomain(const struct domain_result *r, const struct spf_dns *dns)
{
	const struct dns_answer *txt = dns->get(dns->ctx, r->spf.domain, DNS_TYPE_TXT);
	return txt != NULL && txt->outcome == DNS_OUTCOME_NXDOMAIN;
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
		str_copy(need, needlen, r->spf.need_name);
		*need_type = r->spf.need_type;
		if (!*pending)
			r->nxdomain = spf_root_nxdomain(r, dns);
		break;
	case CHECK_DMARC:
		dmarc_result_cleanup(&r->dmarc);
		if (dmarc_check(r->domain, dns, psl_org_domain, &r->dmarc) != 0)
			return -1;
		*pending = r->dmarc.pending;
		str_copy(need, needlen, r->dmarc.need_name);
		*need_type = r->dmarc.need_type;
		break;
	case CHECK_MX:
	case CHECK_A:
		return host_step(r, id, dns, pending, need, needlen, need_type);
	case CHECK_BIMI:
		return bimi_step(r, dns, pending, need, needlen, need_type);
	case CHECK_DKIM:
		return dkim_check_step(r, dns, pending, need, needlen, need_type);
	case CHECK_MTA_STS:
	case CHECK_TLS_RPT:
		return transport_check_step(r, id, dns, pending, need, needlen, need_type);
	case CHECK_DNSSEC:
	case CHECK_DANE:
		/* Nothing asked over the memo: getdns asks and validates
		 * them after the DNS rounds (transport_check_dnssec). */
		r->done[id] = true;
		return 0;
	case CHECK_COUNT:
		return -1;
	}
	if (!*pending)
		r->done[id] = true;
	return 0;
}

size_t checks_more(const struct domain_result *r, enum check_id id, const struct spf_need **v)
{
	if (id == CHECK_SPF && r->spf.pending) {
		*v = r->spf.more;
		return r->spf.nmore;
	}
	if (id == CHECK_DKIM && !r->done[CHECK_DKIM])
		return dkim_check_more(r, v);
	if ((id == CHECK_MTA_STS || id == CHECK_TLS_RPT) && !r->done[id])
		return transport_check_more(r, v);
	*v = NULL;
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
	         (r->has_dmarc_org && r->dmarc_org.bis.status == DMARC_STATUS_TEMPERROR))) ||
	       ((r->mask & CHECK_BIT(CHECK_DKIM)) && r->dkim.status == DKIM_TEMPERROR);
}

static void not_run_write(struct jsonw *w)
{
	jsonw_obj(w);
	jsonw_kstr(w, "status", "not_run");
	jsonw_end_obj(w);
}

static void host_write(struct jsonw *w, const struct host_result *h)
{
	if (h->status == HOST_NOT_RUN) {
		not_run_write(w);
		return;
	}
	jsonw_obj(w);
	jsonw_kstr(w, "status", host_status_name(h->status));
	jsonw_kint(w, "records", h->records);
	if (h->nhosts > 0) {
		jsonw_key(w, "hosts");
		jsonw_arr(w);
		for (size_t i = 0; i < h->nhosts; i++) {
			jsonw_obj(w);
			jsonw_kstr(w, "host", h->hosts[i].host);
			jsonw_kint(w, "preference", (int64_t)h->hosts[i].pref);
			jsonw_end_obj(w);
		}
		jsonw_end_arr(w);
	}
	jsonw_kstr(w, "detail", h->status == HOST_TEMPERROR ? h->detail : NULL);
	jsonw_end_obj(w);
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

void bimi_result_write(struct jsonw *w, const struct domain_result *r)
{
	if (!(r->mask & CHECK_BIT(CHECK_BIMI))) {
		not_run_write(w);
		return;
	}
	const struct bimi_discovery *d = &r->bimi;
	const struct bimi_assets *a = &r->assets;

	jsonw_obj(w);
	jsonw_kstr(w, "domain", d->domain);
	jsonw_kstr(w, "status", bimi_status_name(d->status));
	jsonw_kstr_or_null(w, "record", d->record);
	jsonw_kstr_or_null(w, "record_name", d->record_name);
	jsonw_kstr(w, "selector", d->selector);
	jsonw_kstr(w, "org_domain", d->org_domain);
	jsonw_kbool(w, "from_org", d->from_org);
	jsonw_kbool(w, "declined", d->rec.declined);
	jsonw_kstr(w, "avp",
	           d->record ? (d->rec.avp == BIMI_AVP_PERSONAL ? "personal" : "brand") : NULL);

	jsonw_key(w, "logo");
	jsonw_obj(w);
	jsonw_kstr_or_null(w, "url", checks_bimi_logo_url(r));
	jsonw_kstr(w, "status", bimi_asset_name(a->logo));
	jsonw_kstr_or_null(w, "sha256", a->logo_sha256);
	jsonw_key(w, "findings");
	findings_write(w, &a->logo_findings);
	jsonw_end_obj(w);

	char after[32] = "";
	if (a->vmc_not_after)
		vmc_format_time(a->vmc_not_after, after, sizeof(after));
	jsonw_key(w, "vmc");
	jsonw_obj(w);
	jsonw_kstr_or_null(w, "url", checks_bimi_cert_url(r));
	jsonw_kstr(w, "status", bimi_asset_name(a->vmc));
	jsonw_kstr_or_null(w, "type", a->vmc_type);
	jsonw_kstr_or_null(w, "not_after", after);
	jsonw_kstr_or_null(w, "subject", a->vmc_subject);
	jsonw_kstr_or_null(w, "issuer", a->vmc_issuer);
	jsonw_kbool(w, "logo_matches", a->vmc_logo_matches);
	jsonw_key(w, "findings");
	findings_write(w, &a->vmc_findings);
	jsonw_end_obj(w);

	jsonw_key(w, "readiness");
	jsonw_arr(w);
	for (size_t i = 0; i < r->nready; i++) {
		const struct ready_item *it = &r->ready[i];
		jsonw_obj(w);
		jsonw_kstr(w, "item", it->item);
		jsonw_kstr(w, "status", ready_status_name(it->status));
		jsonw_kbool(w, "required", it->required);
		jsonw_kstr(w, "detail", it->detail);
		jsonw_kstr(w, "rule", it->rule);
		jsonw_kstr_or_null(w, "fix", it->fix);
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
	jsonw_kbool(w, "eligible", r->bimi_finished && r->eligible);
	jsonw_kbool(w, "checked", r->bimi_finished);
	jsonw_key(w, "findings");
	findings_write(w, &d->findings);
	jsonw_end_obj(w);
}

/* The result's document, into a writer (a projection writes part of it). */
static void result_write(struct jsonw *w, const struct domain_result *r)
{
	jsonw_kstr(w, "domain", r->domain);
	/* Only when false: results of domains that exist stay as they were. */
	if (r->nxdomain)
		jsonw_kbool(w, "exists", false);
	jsonw_key(w, "spf");
	if (r->mask & CHECK_BIT(CHECK_SPF))
		spf_audit_write(w, &r->spf);
	else
		not_run_write(w);
	jsonw_key(w, "dmarc");
	if (r->mask & CHECK_BIT(CHECK_DMARC))
		dmarc_result_write(w, &r->dmarc);
	else
		not_run_write(w);
	jsonw_key(w, "mx");
	host_write(w, &r->mx);
	jsonw_key(w, "a");
	host_write(w, &r->a);
	jsonw_key(w, "bimi");
	bimi_result_write(w, r);
	/* Only when DKIM ran: results without it stay as they were. */
	if (r->mask & CHECK_BIT(CHECK_DKIM)) {
		jsonw_key(w, "dkim");
		dkim_result_write(w, r);
	}
	/* The same for the transport checks: a scan runs them only when
	 * --checks names them. */
	transport_check_write_all(w, r, r->mask);
	jsonw_kbool(w, "conclusive", !checks_inconclusive(r));
}

char *checks_json_text(const struct domain_result *r, size_t *len)
{
	struct jsonw w;
	jsonw_init(&w);
	jsonw_obj(&w);
	result_write(&w, r);
	jsonw_end_obj(&w);
	return jsonw_finish_len(&w, len);
}

/* What reports/row.c reads of a result (report_row's facts), by path. */
static const char *const facts_paths[] = {
	"$.facts",
	"$.exists",
	"$.spf.record",
	"$.spf.tree.children[].via",
	"$.dmarc.record",
	"$.dmarc.testing",
	"$.dmarc.nonexistent_policy",
	"$.dmarc.readings_differ",
	"$.dmarc.rfc7489.enforcement",
	"$.dmarc.rua[].uri",
	"$.dmarc.rua[].authorized",
	"$.mx.hosts[].host",
	"$.bimi.logo.url",
	"$.bimi.logo.status",
	"$.bimi.vmc.type",
	"$.bimi.vmc.not_after",
	"$.bimi.vmc.issuer",
	"$.bimi.vmc.findings[].code",
	"$.bimi.readiness[].item",
	"$.bimi.readiness[].status",
	"$.dkim.selectors[].status",
	NULL,
};

char *checks_facts_text(const struct domain_result *r, size_t *len)
{
	struct jsonw w;
	jsonw_init_keep(&w, facts_paths);
	jsonw_obj(&w);
	jsonw_kint(&w, "facts", CHECKS_FACTS_VERSION);
	result_write(&w, r);
	jsonw_end_obj(&w);
	return jsonw_finish_len(&w, len);
}
