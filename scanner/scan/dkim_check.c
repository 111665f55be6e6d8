/*
 * dkim_check.c — DKIM as one of a domain's checks (see dkim_check.h).
 */
#include "dkim_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonw.h"
#include "psl.h"
#include "strutil.h"

/* The selectors to probe, each once: the given ones first (listed
 * whatever they answer), then the bundled list unless only the given
 * ones are asked for; at most DKIM_PROBE_MAX. */
struct plan {
	const char *sel[DKIM_PROBE_MAX];
	bool named[DKIM_PROBE_MAX];
	size_t n;
};

static void plan_add(struct plan *p, const char *sel, bool named)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcasecmp(p->sel[i], sel) == 0)
			return;
	if (p->n >= DKIM_PROBE_MAX)
		return;
	p->sel[p->n] = sel;
	p->named[p->n++] = named;
}

static void plan_of(const struct domain_result *r, struct plan *p)
{
	p->n = 0;
	for (size_t i = 0; i < r->ndkim_given; i++)
		plan_add(p, r->dkim_given[i], true);
	if (r->dkim_only_given && r->ndkim_given > 0)
		return;
	size_t n;
	const char *const *b = dkim_selectors_bundled(&n);
	for (size_t i = 0; i < n; i++)
		plan_add(p, b[i], false);
}

void checks_dkim_select(struct domain_result *r, const char *const *given, size_t n, bool only)
{
	r->dkim_given = given;
	r->ndkim_given = n;
	r->dkim_only_given = only;
}

void dkim_check_cleanup(struct domain_result *r)
{
	dkim_result_cleanup(&r->dkim);
	free(r->dkim_more);
	r->dkim_more = NULL;
	r->ndkim_more = 0;
	r->dkim_finished = false;
}

/* What the step still waits for: the first name goes to need, the
 * others to r->dkim_more (the driver asks them all in one round). */
struct missing {
	struct domain_result *r;
	char *need;
	size_t needlen;
	uint16_t *need_type;
	size_t n;
	size_t cap;
	int failed;
};

static void missing_add(struct missing *m, const char *name)
{
	if (m->n++ == 0) {
		str_copy(m->need, m->needlen, name);
		*m->need_type = DNS_TYPE_TXT;
		return;
	}
	struct domain_result *r = m->r;
	if (r->dkim_more == NULL &&
	    (r->dkim_more = calloc(m->cap, sizeof(*r->dkim_more))) == NULL) {
		m->failed = 1;
		return;
	}
	if (r->ndkim_more < m->cap) {
		str_copy(r->dkim_more[r->ndkim_more].name, SPF_NEED_NAME, name);
		r->dkim_more[r->ndkim_more++].type = DNS_TYPE_TXT;
	}
}

int dkim_check_step(struct domain_result *r, const struct spf_dns *dns, bool *pending, char *need,
                    size_t needlen, uint16_t *need_type)
{
	struct plan pl;
	struct dkim_probe probes[DKIM_PROBE_MAX];
	char name[DNS_NAME_BUF];
	size_t np = 0;

	dkim_check_cleanup(r);
	plan_of(r, &pl);
	struct missing m = { r, need, needlen, need_type, 0, pl.n + 1, 0 };
	/* _domainkey.<domain> (TXT, for the wildcard's record too): asked
	 * beside the probes, so its NXDOMAIN costs no round of its own. */
	str_join(name, sizeof(name), "_domainkey.", r->domain);
	const struct dns_answer *dk = dns->get(dns->ctx, name, DNS_TYPE_TXT);
	if (dk == NULL)
		missing_add(&m, name);
	for (size_t i = 0; i < pl.n; i++) {
		/* A name too long for DNS cannot be asked: not probed. */
		if (dkim_selector_name(pl.sel[i], r->domain, name, sizeof(name)) != 0 ||
		    strlen(name) >= SPF_NEED_NAME)
			continue;
		const struct dns_answer *a = dns->get(dns->ctx, name, DNS_TYPE_TXT);
		if (a == NULL)
			missing_add(&m, name);
		probes[np++] = (struct dkim_probe){ pl.sel[i], pl.named[i], a };
	}
	if (m.failed)
		return -1;
	*pending = m.n > 0;
	if (*pending)
		return 0;
	if (dkim_result_build(r->domain, probes, np, dk, psl_org_domain, &r->dkim) != 0)
		return -1;
	r->done[CHECK_DKIM] = true;
	return 0;
}

size_t dkim_check_more(const struct domain_result *r, const struct spf_need **v)
{
	*v = r->dkim_more;
	return r->ndkim_more;
}

/*
 * RFC 9989 4.1: DMARC passes on an aligned SPF or an aligned DKIM pass.
 * SPF fails when mail is forwarded or sent through a mailing list (RFC
 * 7960 2.2 "Message Forwarding", 3.2.1 "Alias", 3.2.3 "Mailing Lists":
 * the relay's address is not in the author's SPF
 * record), while a DKIM signature survives an unchanged relay. RFC 9989
 * 7.4: a domain at p=reject MUST NOT rely solely on SPF and MUST apply
 * valid DKIM signatures; quarantine sends the same mail to spam.
 */
static int enforceability(struct domain_result *r)
{
	const struct dmarc_reading *b = &r->dmarc.bis;
	char path[DNS_NAME_BUF];
	if (b->status != DMARC_STATUS_OK ||
	    (b->policy != DMARC_POLICY_QUARANTINE && b->policy != DMARC_POLICY_REJECT))
		return 0;
	const char *p = dmarc_policy_name(b->policy);
	bool reject = b->policy == DMARC_POLICY_REJECT;
	str_join(path, sizeof(path), "_dmarc.", b->record_domain);
	if (r->dkim.status == DKIM_TEMPERROR)
		return findings_add(
		        &r->dkim.findings, "dkim.dmarc_enforcement_unchecked", FINDING_INFO, path,
		        "Run the check again once the DNS servers of the selector names "
		        "answer.",
		        "p=%s: whether forwarded and mailing-list mail can pass DMARC on "
		        "DKIM could not be checked (the DKIM probes failed)",
		        p);
	if (r->dkim.status != DKIM_NONE_FOUND)
		return 0;
	return findings_add(
	        &r->dkim.findings, "dkim.dmarc_enforced_without_dkim", FINDING_WARNING, path,
	        "Sign all mail with DKIM under an aligned domain and publish the key; if it is "
	        "signed already, give posture the selector (the s= tag of the DKIM-Signature "
	        "header) so it can check the key.",
	        "p=%s, but no usable DKIM key among the %d selectors probed: DMARC then passes "
	        "only on aligned SPF, which fails once mail is forwarded or sent through a "
	        "mailing list (RFC 7960 2.2, 3.2.1, 3.2.3), so that mail is %s; RFC 9989 7.4: a "
	        "p=reject domain MUST apply DKIM signatures",
	        p, r->dkim.probed, reject ? "rejected" : "quarantined");
}

int checks_dkim_finish(struct domain_result *r)
{
	if (!(r->mask & CHECK_BIT(CHECK_DKIM)) || !r->done[CHECK_DKIM] || r->dkim_finished)
		return 0;
	r->dkim_finished = true;
	if (!(r->mask & CHECK_BIT(CHECK_DMARC)))
		return 0;
	return enforceability(r);
}

static void selector_write(struct jsonw *w, const struct dkim_selector_result *s)
{
	/* A type for the records that declare one (k=, RSA by default). */
	bool typed = s->status == DKIM_PROBE_KEY || s->status == DKIM_PROBE_REVOKED ||
	             s->status == DKIM_PROBE_INVALID;
	const char *type = typed ? dkim_key_type_name(s->key.key_type) : NULL;
	jsonw_obj(w);
	jsonw_kstr(w, "selector", s->name);
	jsonw_kstr(w, "status", dkim_probe_status_name(s->status));
	jsonw_kstr(w, "key_type", type);
	jsonw_key(w, "bits");
	if (type != NULL && s->key.key_type == DKIM_KEY_RSA && s->key.bits > 0)
		jsonw_int(w, s->key.bits);
	else
		jsonw_null(w);
	jsonw_kbool(w, "testing", s->key.testing);
	jsonw_kstr(w, "cname", s->cname);
	jsonw_key(w, "findings");
	findings_write(w, &s->findings);
	jsonw_end_obj(w);
}

void dkim_result_write(struct jsonw *w, const struct domain_result *r)
{
	const struct dkim_result *d = &r->dkim;
	jsonw_obj(w);
	if (!(r->mask & CHECK_BIT(CHECK_DKIM)) || d->status == DKIM_NOT_RUN) {
		jsonw_kstr(w, "status", "not_run");
		jsonw_end_obj(w);
		return;
	}
	jsonw_kstr(w, "domain", r->domain);
	jsonw_kstr(w, "status", dkim_domain_status_name(d->status));
	jsonw_kint(w, "probed", d->probed);
	jsonw_key(w, "selectors");
	jsonw_arr(w);
	for (size_t i = 0; i < d->nsel; i++)
		selector_write(w, &d->sel[i]);
	jsonw_end_arr(w);
	jsonw_key(w, "findings");
	findings_write(w, &d->findings);
	jsonw_end_obj(w);
}
