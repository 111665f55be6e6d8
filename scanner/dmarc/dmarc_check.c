/*
 * dmarc_check.c — DMARC policy discovery for one domain, in both
 * readings, plus the external report destination check. Pure: DNS through
 * struct spf_dns (replayed on pending, see spf.h), the PSL through a
 * callback.
 *
 * RFC 9989 4.10 tree walk: _dmarc.<domain>, then (for names of 8 labels
 * or more) the rightmost 7 labels, then one label fewer each time down
 * to the TLD: at most 8 queries. The first usable record is the policy
 * record; the walk goes on to find the organisational domain and stops at
 * a record with psd=n (that name is it) or psd=y (the name one label
 * below it is it); otherwise the record with the fewest labels names it.
 * RFC 7489 6.6.3: _dmarc.<domain>, then _dmarc.<organisational domain by
 * the PSL>.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "strutil.h"

struct ck {
	const struct spf_dns *dns;
	struct dmarc_result *out;
	bool pending;
};

static const struct dns_answer *ask(struct ck *c, const char *name, uint16_t type)
{
	const struct dns_answer *a = c->dns->get(c->dns->ctx, name, type);
	if (a == NULL && !c->pending) {
		c->pending = true;
		str_copy(c->out->need_name, sizeof(c->out->need_name), name);
		c->out->need_type = type;
	}
	return a;
}

static bool temp(const struct dns_answer *a)
{
	return a->outcome == DNS_OUTCOME_TIMEOUT || a->outcome == DNS_OUTCOME_SERVFAIL ||
	       a->outcome == DNS_OUTCOME_MALFORMED;
}

static int count_labels(const char *d)
{
	int n = 1;
	for (const char *p = d; *p; p++)
		n += *p == '.';
	return n;
}

/* The rightmost n labels of d. */
static const char *rightmost(const char *d, int n)
{
	int total = count_labels(d);
	const char *p = d;
	for (int skip = total - n; skip > 0 && p != NULL; skip--) {
		p = strchr(p, '.');
		if (p != NULL)
			p++;
	}
	return p ? p : d;
}

/* What one _dmarc name holds. */
enum found {
	FOUND_NOTHING,
	FOUND_RECORD,
	FOUND_SEVERAL,
	FOUND_TEMP,
	FOUND_PENDING,
};

static enum found lookup(struct ck *c, const char *domain, const char **text, size_t *len,
                         bool report)
{
	char name[DNS_NAME_BUF];
	int n = 0;

	str_join(name, sizeof(name), "_dmarc.", domain);
	const struct dns_answer *a = ask(c, name, DNS_TYPE_TXT);
	if (a == NULL)
		return FOUND_PENDING;
	if (temp(a))
		return FOUND_TEMP;
	for (size_t i = 0; a->outcome == DNS_OUTCOME_DATA && i < a->nrr; i++) {
		const char *t = a->rr[i].data;
		size_t l = a->rr[i].len;
		if (dmarc_is_record(t, l)) {
			*text = t;
			*len = l;
			n++;
		} else if (report) {
			const char *s = t;
			while (s < t + l && (*s == ' ' || *s == '\t'))
				s++;
			if (s != t && dmarc_is_record(s, l - (size_t)(s - t)))
				findings_add(
				        &c->out->findings, "dmarc.leading_whitespace",
				        FINDING_ERROR, name,
				        "Remove the white space before v=DMARC1.",
				        "a record at %s starts with white space: receivers do not "
				        "see it as DMARC",
				        name);
			else if (l >= 6 && strncasecmp(t, "v=spf1", 6) == 0)
				findings_add(&c->out->findings, "dmarc.spf_at_dmarc",
				             FINDING_WARNING, name,
				             "Move the SPF record to the domain itself; it has no "
				             "effect "
				             "here.",
				             "an SPF record is published at %s", name);
			else
				findings_add(
				        &c->out->findings, "dmarc.non_dmarc_txt", FINDING_INFO,
				        name, "Remove TXT records that are not DMARC from _dmarc.",
				        "a TXT record at %s is not DMARC and is ignored", name);
		}
	}
	if (n > 1)
		return FOUND_SEVERAL;
	return n == 1 ? FOUND_RECORD : FOUND_NOTHING;
}

static void set_record(struct dmarc_reading *r, const char *domain, const char *text, size_t len)
{
	str_copy(r->record_domain, sizeof(r->record_domain), domain);
	free(r->record);
	r->record = NULL;
	r->record_len = 0;
	/* Kept whole, NUL bytes included; one longer than posture reads is
	 * not kept (its dmarc.syntax finding gives its length). */
	if (len > DNS_TXT_MAX_BYTES)
		return;
	r->record = malloc(len + 1);
	if (r->record != NULL) {
		memcpy(r->record, text, len);
		r->record[len] = '\0';
		r->record_len = len;
	}
}

/* Fills policy, subdomain and non-existent policy from a record found at
 * the domain itself (own) or at an ancestor. */
static void policies(struct dmarc_reading *r, const struct dmarc_record *rec, bool own, bool bis)
{
	enum dmarc_policy p = rec->p_valid ? rec->p : DMARC_POLICY_NONE;
	enum dmarc_policy sp = rec->sp ? rec->sp : p;
	enum dmarc_policy np = (bis && rec->np) ? rec->np : sp;
	r->policy = own ? p : sp;
	r->subdomain_policy = sp;
	r->nonexistent_policy = np;
	r->pct = (!bis && rec->pct >= 0) ? rec->pct : 100;
	r->testing = bis && rec->t;
}

static void parser_findings(struct ck *c, const struct dmarc_record *rec, const char *where)
{
	char path[DNS_NAME_BUF + 8];
	str_join(path, sizeof(path), "_dmarc.", where);
	for (size_t i = 0; i < rec->findings.n; i++) {
		const struct finding *f = &rec->findings.v[i];
		findings_add(&c->out->findings, f->code, f->severity, path, f->fix, "%s",
		             f->message);
	}
}

/* RFC 9989 tree walk. */
static void walk(struct ck *c, const char *domain)
{
	struct dmarc_reading *r = &c->out->bis;
	int labels = count_labels(domain);
	const char *names[DMARC_MAX_WALK_QUERIES];
	int n = 0;
	bool have_policy = false;
	const char *fewest = NULL; /* the shortest name with a usable record */

	names[n++] = domain;
	for (int k = labels > 8 ? 7 : labels - 1; k >= 1 && n < DMARC_MAX_WALK_QUERIES; k--)
		names[n++] = rightmost(domain, k);
	r->status = DMARC_STATUS_NONE;
	for (int i = 0; i < n; i++) {
		const char *text = NULL;
		size_t len = 0;
		enum found f = lookup(c, names[i], &text, &len, i == 0);
		if (f == FOUND_PENDING)
			return;
		c->out->queries++;
		if (f == FOUND_TEMP) {
			if (!have_policy) {
				r->status = DMARC_STATUS_TEMPERROR;
				findings_add(
				        &c->out->findings, "dmarc.temperror", FINDING_ERROR,
				        names[i],
				        "Retry later; if it persists, fix the DNS servers.",
				        "DNS failure looking up _dmarc.%s: no verdict (TempError)",
				        names[i]);
			} else {
				findings_add(
				        &c->out->findings, "dmarc.walk_incomplete", FINDING_WARNING,
				        names[i],
				        "Retry later; if it persists, fix the DNS servers of this "
				        "name.",
				        "DNS failure looking up _dmarc.%s: the policy stands, but "
				        "a "
				        "higher organisational domain or PSD may have been missed",
				        names[i]);
			}
			break;
		}
		if (f == FOUND_NOTHING)
			continue;
		if (f == FOUND_SEVERAL) {
			findings_add(
			        &c->out->findings, "dmarc.multiple_records", FINDING_ERROR,
			        names[i],
			        "Keep exactly one v=DMARC1 record: with several, receivers apply "
			        "none of them (RFC 9989 4.10).",
			        "_dmarc.%s publishes more than one DMARC record", names[i]);
			if (!have_policy) {
				r->status = DMARC_STATUS_INVALID;
				str_copy(r->record_domain, sizeof(r->record_domain), names[i]);
			}
			break;
		}
		struct dmarc_record *rec = NULL;
		if (dmarc_parse(text, len, &rec) != 0)
			return;
		if (!have_policy) {
			parser_findings(c, rec, names[i]);
			set_record(r, names[i], text, len);
			if (rec->invalid) {
				r->status = DMARC_STATUS_INVALID;
				dmarc_record_free(rec);
				break;
			}
			have_policy = true;
			r->status = DMARC_STATUS_OK;
			policies(r, rec, i == 0, true);
			r->source = i == 0            ? DMARC_SOURCE_DOMAIN
			            : rec->psd == 'y' ? DMARC_SOURCE_PSD
			                              : DMARC_SOURCE_ORGANIZATIONAL;
			c->out->rec = rec;
			rec = NULL;
		}
		const struct dmarc_record *cur = rec ? rec : c->out->rec;
		if (!cur->invalid) {
			if (cur->psd == 'n') {
				str_copy(r->org_domain, sizeof(r->org_domain), names[i]);
				dmarc_record_free(rec);
				return;
			}
			if (cur->psd == 'y') {
				/* The name one label below the PSD, on the path. */
				int l = count_labels(names[i]) + 1;
				str_copy(r->org_domain, sizeof(r->org_domain),
				         l <= labels ? rightmost(domain, l) : domain);
				dmarc_record_free(rec);
				return;
			}
			fewest = names[i];
		}
		dmarc_record_free(rec);
	}
	str_copy(r->org_domain, sizeof(r->org_domain), fewest ? fewest : domain);
}

/* RFC 7489 6.6.3: the domain, then its PSL organisational domain. */
static void classic(struct ck *c, const char *domain, dmarc_org_fn org)
{
	struct dmarc_reading *r = &c->out->old;
	char orgd[DNS_NAME_BUF];
	const char *try[2] = { domain, NULL };

	if (org == NULL || org(domain, orgd, sizeof(orgd)) != 0)
		str_copy(orgd, sizeof(orgd), domain);
	str_copy(r->org_domain, sizeof(r->org_domain), orgd);
	if (strcmp(orgd, domain) != 0)
		try[1] = orgd;
	r->status = DMARC_STATUS_NONE;
	for (int i = 0; i < 2 && try[i] != NULL; i++) {
		const char *text = NULL;
		size_t len = 0;
		enum found f = lookup(c, try[i], &text, &len, false);
		if (f == FOUND_PENDING)
			return;
		if (f == FOUND_TEMP) {
			r->status = DMARC_STATUS_TEMPERROR;
			return;
		}
		if (f == FOUND_NOTHING)
			continue;
		str_copy(r->record_domain, sizeof(r->record_domain), try[i]);
		if (f == FOUND_SEVERAL) {
			r->status = DMARC_STATUS_INVALID;
			return;
		}
		struct dmarc_record *rec = NULL;
		if (dmarc_parse(text, len, &rec) != 0)
			return;
		set_record(r, try[i], text, len);
		if (rec->invalid_7489) {
			r->status = DMARC_STATUS_INVALID;
		} else {
			r->status = DMARC_STATUS_OK;
			r->source = i == 0 ? DMARC_SOURCE_DOMAIN : DMARC_SOURCE_ORGANIZATIONAL;
			policies(r, rec, i == 0, false);
		}
		dmarc_record_free(rec);
		return;
	}
}

/* RFC 9989 / RFC 7489 7.1: a report destination outside the domain's
 * organisational domain must publish <domain>._report._dmarc.<dest>. */
static void authorize(struct ck *c, struct dmarc_uri *uris, size_t n, const char *tag,
                      dmarc_org_fn org)
{
	const struct dmarc_reading *r = &c->out->bis;
	char mine[DNS_NAME_BUF], theirs[DNS_NAME_BUF], name[DNS_NAME_BUF * 2];

	if (org == NULL || org(r->record_domain, mine, sizeof(mine)) != 0)
		str_copy(mine, sizeof(mine), r->record_domain);
	for (size_t i = 0; i < n; i++) {
		struct dmarc_uri *u = &uris[i];
		if (!u->valid)
			continue;
		if (org == NULL || org(u->domain, theirs, sizeof(theirs)) != 0)
			str_copy(theirs, sizeof(theirs), u->domain);
		if (dns_name_equal(mine, theirs))
			continue; /* inside: no authorisation needed */
		snprintf(name, sizeof(name), "%s._report._dmarc.%s", r->record_domain, u->domain);
		const struct dns_answer *a = ask(c, name, DNS_TYPE_TXT);
		if (a == NULL)
			return;
		if (temp(a)) { /* unknown: stays -1 */
			findings_add(&c->out->findings, "dmarc.report_unchecked", FINDING_INFO,
			             name, "Run the check again later.",
			             "%s destination %s: DNS failure looking up %s, so its "
			             "authorisation is unknown",
			             tag, u->address, name);
			continue;
		}
		u->authorized = 0;
		for (size_t k = 0; a->outcome == DNS_OUTCOME_DATA && k < a->nrr; k++)
			if (dmarc_is_record(a->rr[k].data, a->rr[k].len))
				u->authorized = 1;
		if (u->authorized == 0)
			findings_add(
			        &c->out->findings, "dmarc.report_unauthorized", FINDING_WARNING,
			        name,
			        "Ask the owner of the destination to publish \"v=DMARC1\" at "
			        "this name, or send reports to an address of your own.",
			        "%s destination %s is outside %s and does not authorise it (no "
			        "v=DMARC1 at %s): reports are not sent there",
			        tag, u->address, mine, name);
	}
}

static void advice(struct ck *c, const char *domain)
{
	const struct dmarc_reading *r = &c->out->bis;
	const struct dmarc_record *rec = c->out->rec;
	const char *where = r->record_domain[0] ? r->record_domain : domain;

	if (r->status == DMARC_STATUS_NONE) {
		findings_add(
		        &c->out->findings, "dmarc.none", FINDING_ERROR, domain,
		        "Publish \"v=DMARC1; p=none; rua=mailto:<you>\" at _dmarc of the domain, "
		        "read the reports, then move to p=quarantine and p=reject.",
		        "no DMARC record for %s (looked at %d names): anyone can send as it",
		        domain, c->out->queries);
		return;
	}
	if (r->status != DMARC_STATUS_OK || rec == NULL)
		return;
	if (r->policy == DMARC_POLICY_NONE)
		findings_add(&c->out->findings, "dmarc.monitor_only", FINDING_WARNING, where,
		             "Once the reports show your own mail passing, move to p=quarantine, "
		             "then p=reject.",
		             "p=none: receivers only report; spoofed mail is still delivered");
	if (r->policy > DMARC_POLICY_NONE && r->subdomain_policy == DMARC_POLICY_NONE)
		findings_add(&c->out->findings, "dmarc.subdomains_unprotected", FINDING_WARNING,
		             where, "Remove sp=none (subdomains then get p) or set sp=reject.",
		             "sp=none: mail from subdomains is not protected");
	if (r->policy > DMARC_POLICY_NONE && r->nonexistent_policy == DMARC_POLICY_NONE)
		findings_add(&c->out->findings, "dmarc.nonexistent_unprotected", FINDING_WARNING,
		             where, "Set np=reject: names that do not exist never send mail.",
		             "np=none: mail from names that do not exist is not protected");
	if (r->testing)
		findings_add(&c->out->findings, "dmarc.testing", FINDING_WARNING, where,
		             "Remove t=y once you are ready to enforce.",
		             "t=y: receivers apply one step less (RFC 9989 testing mode)");
	if (rec->pct >= 0 && rec->pct < 100)
		findings_add(&c->out->findings, "dmarc.pct_partial", FINDING_WARNING, where,
		             "Remove pct (RFC 9989 removed it) or set it to 100.",
		             "pct=%d: RFC 7489 receivers apply the policy to only %d%% of failing "
		             "mail",
		             rec->pct, rec->pct);
	if (rec->nrua == 0)
		findings_add(&c->out->findings, "dmarc.no_rua", FINDING_INFO, where,
		             "Add rua=mailto:<address> to learn who sends as your domain.",
		             "no rua: no aggregate reports are requested");
}

int dmarc_check(const char *domain, const struct spf_dns *dns, dmarc_org_fn org,
                struct dmarc_result *out)
{
	struct ck c = { dns, out, false };

	memset(out, 0, sizeof(*out));
	if (dns_name_normalize(domain, out->domain, sizeof(out->domain)) != 0)
		return -1;
	walk(&c, out->domain);
	if (!c.pending)
		classic(&c, out->domain, org);
	if (!c.pending && out->rec != NULL) {
		authorize(&c, out->rec->rua, out->rec->nrua, "rua", org);
		if (!c.pending)
			authorize(&c, out->rec->ruf, out->rec->nruf, "ruf", org);
	}
	if (c.pending) {
		out->pending = true;
		return 0;
	}
	out->bis.enforcement =
	        dmarc_classify(out->bis.status, out->bis.policy, 100, out->bis.testing);
	out->old.enforcement =
	        dmarc_classify(out->old.status, out->old.policy, out->old.pct, false);
	/* Where the policy came from matters only when both found one. */
	bool both = out->bis.status == DMARC_STATUS_OK && out->old.status == DMARC_STATUS_OK;
	out->readings_differ =
	        out->bis.status != out->old.status ||
	        out->bis.enforcement != out->old.enforcement ||
	        (both && (strcmp(out->bis.org_domain, out->old.org_domain) != 0 ||
	                  strcmp(out->bis.record_domain, out->old.record_domain) != 0));
	if (out->readings_differ)
		findings_add(
		        &out->findings, "dmarc.readings_differ", FINDING_INFO, out->domain, NULL,
		        "RFC 9989 and RFC 7489 read this domain differently: RFC 9989 %s/%s "
		        "(organisational domain %s), RFC 7489 %s/%s (organisational domain %s)",
		        dmarc_status_name(out->bis.status),
		        dmarc_enforcement_name(out->bis.enforcement), out->bis.org_domain,
		        dmarc_status_name(out->old.status),
		        dmarc_enforcement_name(out->old.enforcement), out->old.org_domain);
	advice(&c, out->domain);
	return 0;
}

void dmarc_result_cleanup(struct dmarc_result *r)
{
	free(r->bis.record);
	free(r->old.record);
	r->bis.record = r->old.record = NULL;
	r->bis.record_len = r->old.record_len = 0;
	dmarc_record_free(r->rec);
	r->rec = NULL;
	findings_cleanup(&r->findings);
}
