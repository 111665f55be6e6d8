/*
 * readiness.c — the BIMI readiness checklist (see readiness.h).
 *
 * The rules, as the draft's "Authentication Requirements" (steps 7-9)
 * and the large mailbox providers apply them: DMARC at enforcement
 * (quarantine or reject) for the Author Domain and its organisational
 * domain, no sp=none, pct=100; RFC 9989 adds np and t=y, which we hold to
 * the same standard. SPF without PermError ending in -all or ~all and
 * MX/A come from the bulk-sender guidelines (design.md).
 */
#include "readiness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULE_BIMI  "draft-brand-indicators-for-message-identification, Assertion Record Discovery"
#define RULE_SVG   "draft-svg-tiny-ps-abrotman (SVG Tiny PS), BIMI 32 KiB limit"
#define RULE_VMC   "draft-fetch-validation-vmc-wchuang; MC Guidelines"
#define RULE_AUTH7 "BIMI draft, Authentication Requirements 7 (no p=none)"
#define RULE_AUTH8 "BIMI draft, Authentication Requirements 8 (no sp=none); RFC 9989 np"
#define RULE_AUTH9 "BIMI draft, Authentication Requirements 9 (pct=100); RFC 9989 t=y"
#define RULE_SPF   "RFC 7208; Gmail/Yahoo bulk-sender requirements (2024)"
#define RULE_HOST  "Gmail/Yahoo bulk-sender requirements (2024): a routable sending domain"
#define RULE_DKIM                                                                                  \
	"BIMI draft, Authentication Requirements 4-6 (DMARC pass: aligned SPF or DKIM), Header "   \
	"Signing; RFC 9989 7.4"

#define RULE_EVIDENCE                                                                              \
	"the receivers' aggregate reports (RFC 7489 7.2, RFC 9990); posture's rule: a pass "       \
	"rate of at least --reports-threshold over at least 100 messages"

static struct ready_item *add(struct domain_result *r, const char *id, bool required,
                              const char *rule)
{
	struct ready_item *it = &r->ready[r->nready++];
	memset(it, 0, sizeof(*it));
	it->item = id;
	it->required = required;
	it->rule = rule;
	it->status = READY_UNKNOWN;
	return it;
}

__attribute__((format(printf, 3, 4))) static void set(struct ready_item *it, enum ready_status st,
                                                      const char *fmt, ...)
{
	va_list ap;
	it->status = st;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof(it->detail), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void fix(struct ready_item *it, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(it->fix, sizeof(it->fix), fmt, ap);
	va_end(ap);
}

static void from_finding(struct ready_item *it, const struct findings *f, const char *fallback)
{
	const struct finding *e = findings_first_error(f);
	set(it, READY_FAIL, "%s", e ? e->message : fallback);
	fix(it, "%s", e && e->fix ? e->fix : fallback);
}

static void record_item(struct domain_result *r)
{
	struct ready_item *it = add(r, "bimi_record", true, RULE_BIMI);
	const struct bimi_discovery *d = &r->bimi;
	switch (d->status) {
	case BIMI_STATUS_OK:
		set(it, READY_PASS, "%s: %s", d->record_name, "a valid BIMI record");
		return;
	case BIMI_STATUS_TEMPERROR:
		set(it, READY_UNKNOWN, "the record could not be read: %s", d->detail);
		fix(it, "Check that the name servers of %s answer, then run the check again.",
		    d->domain);
		return;
	case BIMI_STATUS_NONE:
		if (d->rec.declined) {
			set(it, READY_FAIL, "%s declines to publish a logo (l= and a= empty)",
			    d->record_name);
			fix(it,
			    "Publish l=https://.../logo.svg (and a= with the certificate) at %s.",
			    d->record_name);
		} else {
			set(it, READY_FAIL, "no BIMI record at %s._bimi.%s", d->selector,
			    d->domain);
			fix(it,
			    "Publish TXT \"v=BIMI1; l=https://<host>/logo.svg; "
			    "a=https://<host>/vmc.pem\" at %s._bimi.%s.",
			    d->selector, d->domain);
		}
		return;
	case BIMI_STATUS_INVALID:
		from_finding(it, &d->findings, "Publish exactly one valid v=BIMI1 record.");
		return;
	}
}

/* The record's error finding about one asset's URL (l= for the logo,
 * a= for the certificate), when that made the record invalid. */
static const struct finding *url_finding(const struct findings *f, bool logo)
{
	static const char *const logo_codes[] = { "bimi.l_bad_uri", "bimi.l_not_https",
		                                  "bimi.l_not_svg", "bimi.missing_l" };
	static const char *const cert_codes[] = { "bimi.a_bad_uri", "bimi.a_not_https" };
	const char *const *codes = logo ? logo_codes : cert_codes;
	size_t ncodes = logo ? 4 : 2;
	for (size_t i = 0; i < f->n; i++)
		for (size_t k = 0; k < ncodes; k++)
			if (f->v[i].severity == FINDING_ERROR &&
			    strcmp(f->v[i].code, codes[k]) == 0)
				return &f->v[i];
	return NULL;
}

/* What the logo and certificate items share: nothing to judge without a
 * record, or when the asset was not fetched. Returns true when it set it. */
static bool not_judged(const struct domain_result *r, struct ready_item *it, enum bimi_asset st,
                       const char *what)
{
	const struct bimi_discovery *d = &r->bimi;
	if (d->status == BIMI_STATUS_INVALID) {
		/* A record published with a bad URL for this asset (an http:
		 * logo): that URL is the asset's own cause, not a missing
		 * record. */
		const struct finding *e = url_finding(&d->findings, strcmp(what, "logo") == 0);
		if (e != NULL) {
			set(it, READY_FAIL, "%s", e->message);
			fix(it, "%s", e->fix ? e->fix : "Fix the URL in the BIMI record.");
			return true;
		}
		set(it, READY_UNKNOWN,
		    "the BIMI record at %s is invalid, so its %s was not checked", d->record_name,
		    what);
		fix(it, "Fix the BIMI record first (see bimi_record).");
		return true;
	}
	if (d->status != BIMI_STATUS_OK) {
		set(it, READY_UNKNOWN, "no usable BIMI record, so no %s to check", what);
		fix(it, "Publish the BIMI record first.");
		return true;
	}
	if (st == BIMI_ASSET_UNCHECKED) {
		set(it, READY_UNKNOWN, "the %s was not fetched (--no-fetch)", what);
		fix(it, "Run the check without --no-fetch.");
		return true;
	}
	return false;
}

static void logo_item(struct domain_result *r)
{
	struct ready_item *it = add(r, "logo", true, RULE_SVG);
	const struct bimi_assets *a = &r->assets;
	if (not_judged(r, it, a->logo, "logo"))
		return;
	switch (a->logo) {
	case BIMI_ASSET_VALID:
		set(it, READY_PASS, "%s is valid SVG Tiny PS (sha256 %s)", r->bimi.rec.l,
		    a->logo_sha256);
		return;
	case BIMI_ASSET_UNCHECKED:
		return;
	case BIMI_ASSET_ABSENT:
		set(it, READY_FAIL, "l= is empty: no logo is published");
		fix(it, "Publish the logo's HTTPS URL in l=.");
		return;
	case BIMI_ASSET_INVALID:
		from_finding(it, &a->logo_findings,
		             "Convert the logo to SVG Tiny PS (version=\"1.2\" "
		             "baseProfile=\"tiny-ps\", a <title>, no scripts or external "
		             "references, at most 32 KiB).");
		return;
	}
}

static void cert_item(struct domain_result *r)
{
	struct ready_item *it = add(r, "certificate", true, RULE_VMC);
	const struct bimi_assets *a = &r->assets;
	if (not_judged(r, it, a->vmc, "certificate"))
		return;
	switch (a->vmc) {
	case BIMI_ASSET_VALID: {
		/* Valid, but expiring within --expiry-warn days: said here too. */
		const struct finding *soon = NULL;
		for (size_t i = 0; i < a->vmc_findings.n && soon == NULL; i++)
			if (strcmp(a->vmc_findings.v[i].code, "vmc.expires_soon") == 0)
				soon = &a->vmc_findings.v[i];
		set(it, READY_PASS, "a valid %s%s%s%s",
		    a->vmc_type ? a->vmc_type : "Mark Certificate",
		    a->vmc_logo_matches ? " whose logo is the published one" : "", soon ? "; " : "",
		    soon ? soon->message : "");
		return;
	}
	case BIMI_ASSET_UNCHECKED:
		return;
	case BIMI_ASSET_ABSENT:
		it->required = false;
		set(it, READY_WARN,
		    "no certificate: logo shown only by providers that accept self-asserted logos");
		fix(it,
		    "Obtain a Verified Mark Certificate (registered trademark) or a Common Mark "
		    "Certificate and publish its PEM URL in a=; Gmail and Apple Mail require one.");
		return;
	case BIMI_ASSET_INVALID:
		from_finding(it, &a->vmc_findings,
		             "Publish a valid VMC or CMC chain (leaf first) at the a= URL.");
		return;
	}
}

/* The DMARC reading that decides for one name: RFC 9989 for policy and
 * t=, RFC 7489 for pct. */
static const char *policy_word(enum dmarc_policy p)
{
	const char *n = dmarc_policy_name(p);
	return n ? n : "unset";
}

static bool enforced(enum dmarc_policy p)
{
	return p == DMARC_POLICY_QUARANTINE || p == DMARC_POLICY_REJECT;
}

static void policy_item(struct domain_result *r, const char *id, const struct dmarc_result *d,
                        const char *name)
{
	struct ready_item *it = add(r, id, true, RULE_AUTH7);
	const struct dmarc_reading *b = &d->bis;
	switch (b->status) {
	case DMARC_STATUS_TEMPERROR:
		set(it, READY_UNKNOWN, "the DMARC policy of %s could not be read", name);
		fix(it, "Check that the name servers of %s answer, then run the check again.",
		    name);
		return;
	case DMARC_STATUS_NONE:
	case DMARC_STATUS_INVALID: {
		/* One fix for one cause: the DMARC finding's own, the one
		 * posture check shows first (no record: p=none to start, then
		 * quarantine, which a logo needs, then reject). */
		const struct finding *e = findings_first_error(&d->findings);
		if (b->status == DMARC_STATUS_NONE)
			set(it, READY_FAIL, "%s publishes no DMARC record", name);
		else
			set(it, READY_FAIL, "the DMARC record for %s is invalid", name);
		if (e != NULL && e->fix != NULL)
			fix(it, "%s", e->fix);
		else if (b->status == DMARC_STATUS_NONE)
			fix(it,
			    "Publish TXT \"v=DMARC1; p=none; rua=mailto:<you>\" at _dmarc.%s, read "
			    "the reports, then move to p=quarantine and p=reject.",
			    name);
		else
			fix(it, "Fix the DMARC record at _dmarc.%s (see the DMARC findings).",
			    b->record_domain[0] ? b->record_domain : name);
		return;
	}
	case DMARC_STATUS_OK:
		break;
	}
	if (enforced(b->policy)) {
		set(it, READY_PASS, "p=%s for %s (record at _dmarc.%s)", policy_word(b->policy),
		    name, b->record_domain);
		return;
	}
	set(it, READY_FAIL, "p=%s for %s: receivers show no logo below quarantine",
	    policy_word(b->policy), name);
	fix(it,
	    "Set p=quarantine in the record at _dmarc.%s (then p=reject once reports show "
	    "all your mail passes).",
	    b->record_domain);
}

/* The organisational domain's result: its own check when it differs. */
static const struct dmarc_result *org_dmarc(const struct domain_result *r, const char **name)
{
	*name = r->bimi.org_domain[0] ? r->bimi.org_domain : r->domain;
	return r->has_dmarc_org ? &r->dmarc_org : &r->dmarc;
}

/* One rule judged on a record (the domain's, then the organisational
 * domain's): sets a failure and returns true, or returns false. */
typedef bool (*record_rule)(struct ready_item *it, const struct dmarc_result *d);

static bool coverage_fails(struct ready_item *it, const struct dmarc_result *d)
{
	const char *at = d->bis.record_domain;
	int pct = d->rec && d->rec->pct >= 0 ? d->rec->pct : 100;
	if (d->bis.testing) {
		set(it, READY_FAIL, "t=y at _dmarc.%s: the policy is in test mode", at);
		fix(it, "Remove t=y from the record at _dmarc.%s.", at);
		return true;
	}
	if (pct < 100) {
		set(it, READY_FAIL, "pct=%d at _dmarc.%s: the policy covers only part of the mail",
		    pct, at);
		fix(it, "Remove pct= (or set pct=100) in the record at _dmarc.%s.", at);
		return true;
	}
	return false;
}

static bool subdomain_fails(struct ready_item *it, const struct dmarc_result *d)
{
	if (d->rec == NULL || (d->rec->sp != DMARC_POLICY_NONE && d->rec->np != DMARC_POLICY_NONE))
		return false;
	const char *tag = d->rec->sp == DMARC_POLICY_NONE ? "sp" : "np";
	set(it, READY_FAIL, "%s=none at _dmarc.%s", tag, d->bis.record_domain);
	fix(it, "Set %s=quarantine or %s=reject (or remove it) at _dmarc.%s.", tag, tag,
	    d->bis.record_domain);
	return true;
}

/* An item that must hold at the domain and at its organisational domain. */
static void both_records_item(struct domain_result *r, const char *id, const char *rule,
                              record_rule fails, const char *pass)
{
	struct ready_item *it = add(r, id, true, rule);
	const char *oname;
	const struct dmarc_result *list[2] = { &r->dmarc, org_dmarc(r, &oname) };
	for (int i = 0; i < 2; i++) {
		const struct dmarc_result *d = list[i];
		if (d->bis.status == DMARC_STATUS_TEMPERROR) {
			set(it, READY_UNKNOWN, "a DMARC policy could not be read");
			return;
		}
		/* Without a usable record dmarc_policy already fails. */
		if (d->bis.status == DMARC_STATUS_OK && fails(it, d))
			return;
	}
	if (r->dmarc.bis.status != DMARC_STATUS_OK) {
		set(it, READY_UNKNOWN, "no DMARC policy to check");
		fix(it, "Publish a DMARC policy first.");
		return;
	}
	set(it, READY_PASS, "%s", pass);
}

static void spf_item(struct domain_result *r)
{
	struct ready_item *it = add(r, "spf", true, RULE_SPF);
	const struct spf_audit *s = &r->spf;
	if (!(r->mask & CHECK_BIT(CHECK_SPF))) {
		set(it, READY_UNKNOWN, "the SPF check was not run");
		return;
	}
	switch (s->status) {
	case SPF_STATUS_TEMPERROR:
		set(it, READY_UNKNOWN, "the SPF record could not be read");
		fix(it, "Check that the name servers answer, then run the check again.");
		return;
	case SPF_STATUS_NONE:
		set(it, READY_FAIL, "%s publishes no SPF record", r->domain);
		fix(it, "Publish TXT \"v=spf1 <your senders> -all\" at %s.", r->domain);
		return;
	case SPF_STATUS_PERMERROR:
		from_finding(it, &s->findings, "Fix the SPF record so it evaluates without error.");
		return;
	case SPF_STATUS_OK:
		break;
	}
	if (strcmp(s->all, "-all") == 0 || strcmp(s->all, "~all") == 0) {
		set(it, READY_PASS, "SPF evaluates and ends in %s (%d DNS lookups)", s->all,
		    s->lookups);
		return;
	}
	set(it, READY_FAIL, "SPF ends in %s: mail from anywhere is not refused",
	    s->all[0] ? s->all : "no all mechanism");
	fix(it, "End the SPF record at %s with -all (or ~all).", r->domain);
}

static void host_item(struct domain_result *r, const char *id, const struct host_result *h,
                      const char *what)
{
	struct ready_item *it = add(r, id, true, RULE_HOST);
	switch (h->status) {
	case HOST_PRESENT:
		set(it, READY_PASS, "%d %s record%s", h->records, what, h->records == 1 ? "" : "s");
		return;
	case HOST_ABSENT:
		set(it, READY_FAIL, "%s has no %s record", r->domain, what);
		fix(it, "Publish %s records for %s.", what, r->domain);
		return;
	case HOST_NULL_MX:
		set(it, READY_FAIL, "%s publishes a null MX (it accepts no mail)", r->domain);
		fix(it, "Publish a real MX for %s: receivers expect replies to reach the sender.",
		    r->domain);
		return;
	case HOST_TEMPERROR:
		set(it, READY_UNKNOWN, "%s", h->detail);
		fix(it, "Check that the name servers answer, then run the check again.");
		return;
	case HOST_NOT_RUN:
		set(it, READY_UNKNOWN, "the %s check was not run", what);
		return;
	}
}

/* "google (rsa 2048), selector1 (rsa 1024)": the usable keys, a few. */
static void usable_list(const struct dkim_result *d, char *buf, size_t len)
{
	size_t at = 0, shown = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < d->nsel && at < len; i++) {
		const struct dkim_selector_result *s = &d->sel[i];
		if (!dkim_key_usable(&s->key))
			continue;
		if (shown++ == 3) {
			snprintf(buf + at, len - at, ", ...");
			return;
		}
		char bits[16] = "";
		if (s->key.key_type == DKIM_KEY_RSA)
			snprintf(bits, sizeof(bits), " %d", s->key.bits);
		at += (size_t)snprintf(buf + at, len - at, "%s%s (%s%s)", at ? ", " : "", s->name,
		                       dkim_key_type_name(s->key.key_type), bits);
	}
}

/*
 * DKIM is advisory: the BIMI draft's Authentication Requirements (steps
 * 4-6) ask for a DMARC pass, which an aligned SPF pass gives without
 * DKIM, and its "Unsigned BIMI-Selector Header" section says requiring
 * DKIM would be too high a bar. But without DKIM, forwarded and
 * mailing-list mail fails DMARC (RFC 9989 7.4) and shows no logo, and a
 * BIMI-Selector header outside a DMARC-aligned DKIM signature is ignored
 * ("Header Signing"). Only when the DKIM check ran.
 */
static void dkim_item(struct domain_result *r)
{
	const struct dkim_result *d = &r->dkim;
	if (!(r->mask & CHECK_BIT(CHECK_DKIM)) || d->status == DKIM_NOT_RUN)
		return;
	struct ready_item *it = add(r, "dkim", false, RULE_DKIM);
	char keys[300];
	switch (d->status) {
	case DKIM_FOUND:
		usable_list(d, keys, sizeof(keys));
		set(it, READY_PASS, "a usable DKIM key: %s", keys);
		return;
	case DKIM_TEMPERROR:
		set(it, READY_UNKNOWN, "the DKIM selectors could not be read (a DNS failure)");
		fix(it, "Check that the name servers answer, then run the check again.");
		return;
	case DKIM_NONE_FOUND:
	case DKIM_NOT_RUN:
		break;
	}
	if (d->named) {
		/* The selectors were given: their absence is a finding. */
		set(it, READY_WARN,
		    "no usable DKIM key at the selectors given: forwarded mail fails DMARC and "
		    "shows no logo");
		fix(it, "Sign mail with DKIM and publish the key at <selector>._domainkey.%s.",
		    r->domain);
		return;
	}
	/* Guessed selectors: no verdict on whether the domain signs. */
	set(it, READY_UNKNOWN,
	    "no key among the %d selectors probed (not proof that the domain does not sign)",
	    d->probed);
	fix(it, "Give the selector (the s= tag of the DKIM-Signature header of your mail) with "
	        "--dkim-selector.");
}

int readiness_build(struct domain_result *r)
{
	if (r->ready == NULL && (r->ready = calloc(READY_ITEMS_MAX, sizeof(*r->ready))) == NULL)
		return -1;
	r->nready = 0;
	record_item(r);
	logo_item(r);
	cert_item(r);
	if (r->mask & CHECK_BIT(CHECK_DMARC)) {
		policy_item(r, "dmarc_policy", &r->dmarc, r->domain);
		const char *oname;
		const struct dmarc_result *o = org_dmarc(r, &oname);
		policy_item(r, "dmarc_org_policy", o, oname);
		if (!r->has_dmarc_org) {
			struct ready_item *it = &r->ready[r->nready - 1];
			size_t n = strlen(it->detail);
			snprintf(it->detail + n, sizeof(it->detail) - n,
			         " (%s is its own organisational domain)", r->domain);
		}
		both_records_item(r, "dmarc_coverage", RULE_AUTH9, coverage_fails,
		                  "the policy covers all mail (pct 100, no t=y)");
		both_records_item(r, "dmarc_subdomain", RULE_AUTH8, subdomain_fails,
		                  "no sp=none or np=none");
	} else {
		const char *ids[] = { "dmarc_policy", "dmarc_org_policy", "dmarc_coverage",
			              "dmarc_subdomain" };
		for (size_t i = 0; i < 4; i++)
			set(add(r, ids[i], true, RULE_AUTH7), READY_UNKNOWN,
			    "the DMARC check was not run");
	}
	spf_item(r);
	host_item(r, "mx", &r->mx, "MX");
	host_item(r, "a", &r->a, "A/AAAA");
	/* Last: reports count the items by position (reports/row.c). */
	dkim_item(r);
	r->eligible = true;
	for (size_t i = 0; i < r->nready; i++)
		if (r->ready[i].required && r->ready[i].status != READY_PASS)
			r->eligible = false;
	return 0;
}

/* An error finding of a check that reached a verdict: a DNS failure's
 * own (spf.temperror, dmarc.temperror) leaves the check open instead. */
static bool conclusive_error(const struct domain_result *r)
{
	return (r->spf.status != SPF_STATUS_TEMPERROR && findings_first_error(&r->spf.findings)) ||
	       (r->dmarc.bis.status != DMARC_STATUS_TEMPERROR &&
	        findings_first_error(&r->dmarc.findings)) ||
	       (r->bimi.status != BIMI_STATUS_TEMPERROR &&
	        findings_first_error(&r->bimi.findings)) ||
	       findings_first_error(&r->assets.logo_findings) ||
	       findings_first_error(&r->assets.vmc_findings) ||
	       ((r->mask & CHECK_BIT(CHECK_DKIM)) && dkim_result_first_error(&r->dkim));
}

enum verdict readiness_verdict(const struct domain_result *r, bool whole)
{
	bool failed = whole && (r->nxdomain || conclusive_error(r)), open = false;
	for (size_t i = 0; i < r->nready; i++) {
		const struct ready_item *it = &r->ready[i];
		if (!it->required)
			continue;
		failed |= it->status == READY_FAIL;
		open |= it->status != READY_PASS && it->status != READY_FAIL;
	}
	if (failed)
		return VERDICT_PROBLEMS;
	if (open || !r->bimi_finished || (whole && checks_inconclusive(r)))
		return VERDICT_INCOMPLETE;
	return r->assets.vmc == BIMI_ASSET_ABSENT ? VERDICT_READY_NO_MARK : VERDICT_READY;
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_READY:
		return "ready";
	case VERDICT_READY_NO_MARK:
		return "ready_no_certificate";
	case VERDICT_PROBLEMS:
		return "problems";
	case VERDICT_INCOMPLETE:
		break;
	}
	return "incomplete";
}

/* "192.0.2.7 (Amazon SES) 1200 of 1250": the biggest failing sources. */
static void failing_list(const struct fb_summary *s, const struct fb_verdict *v, char *buf,
                         size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < v->nfailing && i < 3 && at < len; i++) {
		const struct fb_source_sum *x = &s->sources[v->failing[i]];
		char who[FB_NAME + 4] = "";
		if (x->service[0])
			snprintf(who, sizeof(who), " (%s)", x->service);
		at += (size_t)snprintf(buf + at, len - at, "%s%s%s: %llu of %llu fail",
		                       at ? ", " : "", x->ip, who,
		                       (unsigned long long)(x->messages - x->pass),
		                       (unsigned long long)x->messages);
	}
	if (v->nfailing > 3 && at < len)
		snprintf(buf + at, len - at, ", ...");
}

int readiness_add_evidence(struct domain_result *r, const struct fb_summary *s,
                           const struct fb_verdict *v, unsigned days)
{
	if (r->ready == NULL || r->nready >= READY_ITEMS_MAX)
		return -1;
	struct ready_item *it = add(r, "dmarc_evidence", false, RULE_EVIDENCE);
	if (s->messages == 0) {
		set(it, READY_UNKNOWN,
		    "no aggregate report about %s in the last %u days in the reports database: "
		    "no evidence of which senders pass",
		    r->domain, days);
		fix(it,
		    "Ask for reports (rua=mailto:... in the DMARC record), then import them with "
		    "posture reports import.");
		return 0;
	}
	char fails[300];
	failing_list(s, v, fails, sizeof(fails));
	if (v->safe) {
		set(it, READY_PASS, "last %u days: safe to enforce: %s", days, v->why);
		return 0;
	}
	if (!v->enough) {
		set(it, READY_UNKNOWN, "last %u days: not yet: %s", days, v->why);
		fix(it, "Import more reports (or wait for them) before you enforce.");
		return 0;
	}
	set(it, READY_WARN,
	    "last %u days: not yet: %s; under p=quarantine these would go to spam: %s", days,
	    v->why, fails);
	fix(it,
	    "Make your own senders among these pass: list their addresses in SPF or have them sign "
	    "with DKIM under %s (aligned); sources you do not know are spoofing, which enforcing "
	    "stops. Then import the next reports.",
	    r->domain);
	return 0;
}
