/*
 * dkim_probe.c — a domain's DKIM selectors read from their TXT answers
 * (see dkim_probe.h). Honest absence: a key is published under a name
 * only its signer chooses, so "no key among the selectors probed" is all
 * a probe can say, and a DNS failure is never read as no key.
 */
#include "dkim_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

const char *dkim_probe_status_name(enum dkim_probe_status s)
{
	static const char *const n[] = {
		"key", "revoked", "invalid", "not_key", "none", "temperror"
	};
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "unknown";
}

const char *dkim_domain_status_name(enum dkim_domain_status s)
{
	static const char *const n[] = { "not_run", "found", "none_found", "temperror" };
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "unknown";
}

static bool temporary(enum dns_outcome o)
{
	return o == DNS_OUTCOME_SERVFAIL || o == DNS_OUTCOME_TIMEOUT || o == DNS_OUTCOME_MALFORMED;
}

/* The answer came through a CNAME: its owner is another name. */
static bool via_cname(const struct dns_answer *a)
{
	return a->canonical[0] != '\0' && !dns_name_equal(a->canonical, a->name);
}

/* The same TXT records in the same order: what a wildcard (*.domain)
 * gives every name below the domain that does not exist. */
static bool same_records(const struct dns_answer *a, const struct dns_answer *b)
{
	if (b == NULL || a->outcome != DNS_OUTCOME_DATA || b->outcome != DNS_OUTCOME_DATA ||
	    a->nrr != b->nrr || a->nrr == 0 || via_cname(a) || via_cname(b))
		return false;
	for (size_t i = 0; i < a->nrr; i++)
		if (a->rr[i].len != b->rr[i].len ||
		    memcmp(a->rr[i].data, b->rr[i].data, a->rr[i].len) != 0)
			return false;
	return true;
}

static void selector_cleanup(struct dkim_selector_result *s)
{
	dkim_key_cleanup(&s->key);
	findings_cleanup(&s->findings);
	free(s->cname);
	free(s->provider);
	memset(s, 0, sizeof(*s));
}

void dkim_result_cleanup(struct dkim_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nsel; i++)
		selector_cleanup(&r->sel[i]);
	free(r->sel);
	findings_cleanup(&r->findings);
	memset(r, 0, sizeof(*r));
}

/* The provider behind the CNAME target: the table's name, else the
 * target's registrable domain. */
static int name_provider(struct dkim_selector_result *s, dkim_org_fn org)
{
	const char *known = dkim_provider_of(s->cname);
	char buf[DNS_NAME_BUF];
	if (known != NULL) {
		s->provider_known = true;
		s->provider = strdup(known);
	} else if (org != NULL && org(s->cname, buf, sizeof(buf)) == 0 && buf[0] != '\0') {
		s->provider = strdup(buf);
	} else {
		return 0;
	}
	return s->provider != NULL ? 0 : -1;
}

/*
 * The TXT records at the name: RFC 6376 3.6.2.2 leaves the result of
 * several undefined, so the first key record is read (a verifier may as
 * well take another) and a finding says so. Returns 0 or -1.
 */
static int read_records(struct dkim_selector_result *s, const struct dns_answer *a,
                        const char *path)
{
	bool have = false;
	for (size_t i = 0; i < a->nrr; i++) {
		if (a->rr[i].type != DNS_TYPE_TXT)
			continue;
		s->records++;
		if (have && s->key.status != DKIM_STATUS_NOT_KEY)
			continue;
		struct dkim_key k;
		if (dkim_key_parse(a->rr[i].data, a->rr[i].len, path, &k) != 0)
			return -1;
		if (have && k.status == DKIM_STATUS_NOT_KEY) {
			dkim_key_cleanup(&k);
			continue;
		}
		dkim_key_cleanup(&s->key);
		s->key = k;
		have = true;
	}
	if (!have) {
		s->status = DKIM_PROBE_NONE;
		return 0;
	}
	s->status = (enum dkim_probe_status)s->key.status;
	/* The key's findings are the selector's. */
	s->findings = s->key.findings;
	memset(&s->key.findings, 0, sizeof(s->key.findings));
	if (s->records > 1 &&
	    findings_add(&s->findings, "dkim.multiple_records", FINDING_WARNING, path,
	                 "Publish one TXT record at the selector name: remove the others.",
	                 "%d TXT records at %s: RFC 6376 3.6.2.2 leaves the result undefined "
	                 "(posture read the first %s, a verifier may take another)",
	                 s->records, path,
	                 s->key.status == DKIM_STATUS_NOT_KEY ? "record" : "key record") != 0)
		return -1;
	return 0;
}

/* One probe into *s (zeroed by the caller); *wild when the answer was a
 * wildcard's. Returns 0 or -1. */
static int probe_read(struct dkim_selector_result *s, const char *domain,
                      const struct dkim_probe *p, const struct dns_answer *dk, dkim_org_fn org,
                      bool *wild)
{
	const struct dns_answer *a = p->ans;
	char path[DNS_NAME_BUF];
	str_copy(s->name, sizeof(s->name), p->selector);
	s->named = p->named;
	(void)dkim_selector_name(p->selector, domain, path, sizeof(path));
	if (a == NULL || temporary(a->outcome)) {
		s->status = DKIM_PROBE_TEMPERROR;
		snprintf(s->detail, sizeof(s->detail), "%s: %s", path,
		         a == NULL      ? "no answer"
		         : a->detail[0] ? a->detail
		                        : dns_outcome_name(a->outcome));
		return 0;
	}
	if (via_cname(a)) {
		if ((s->cname = strdup(a->canonical)) == NULL || name_provider(s, org) != 0)
			return -1;
	}
	s->status = DKIM_PROBE_NONE;
	if (a->outcome != DNS_OUTCOME_DATA)
		return 0;
	if (read_records(s, a, path) != 0)
		return -1;
	/* A wildcard's record that is no key: no record of this selector. */
	if (s->status == DKIM_PROBE_NOT_KEY && same_records(a, dk)) {
		*wild = true;
		dkim_key_cleanup(&s->key);
		findings_cleanup(&s->findings);
		s->status = DKIM_PROBE_NONE;
		s->records = 0;
	}
	return 0;
}

/* Listed: it answered with a TXT record or a CNAME, or it was named. */
static bool listed(const struct dkim_selector_result *s)
{
	return s->named || s->cname != NULL ||
	       (s->status != DKIM_PROBE_NONE && s->status != DKIM_PROBE_TEMPERROR);
}

/* A named selector that failed while the domain has a verdict (found):
 * said on the selector (a temperror domain says it once for all). */
static int named_failed(struct dkim_selector_result *s, const char *domain)
{
	char path[DNS_NAME_BUF];
	(void)dkim_selector_name(s->name, domain, path, sizeof(path));
	return findings_add(&s->findings, "dkim.temperror", FINDING_WARNING, path,
	                    "Retry later; if it persists, fix the DNS servers of the selector "
	                    "name.",
	                    "the selector %s could not be read (%s): no verdict on it", s->name,
	                    s->detail);
}

/* The selector's own finding: a CNAME that leads to no record. */
static int selector_findings(struct dkim_selector_result *s, const char *domain)
{
	char path[DNS_NAME_BUF];
	(void)dkim_selector_name(s->name, domain, path, sizeof(path));
	if (s->status == DKIM_PROBE_NONE && s->cname != NULL &&
	    findings_add(&s->findings, "dkim.cname_no_key", FINDING_WARNING, path,
	                 "Finish the DKIM set-up at the provider (it publishes the key at the "
	                 "CNAME's target once signing is enabled), or remove the CNAME.",
	                 "%s is a CNAME to %s%s%s%s, which holds no TXT record: no key is "
	                 "published there",
	                 path, s->cname, s->provider ? " (" : "", s->provider ? s->provider : "",
	                 s->provider ? ")" : "") != 0)
		return -1;
	return 0;
}

/* none_found: N, what was probed, and how to give posture the selector. */
static int none_found(struct dkim_result *r, const char *domain, bool only_named)
{
	int revoked = 0, unusable = 0;
	for (size_t i = 0; i < r->nsel; i++) {
		revoked += r->sel[i].status == DKIM_PROBE_REVOKED;
		unusable += r->sel[i].status == DKIM_PROBE_KEY ||
		            r->sel[i].status == DKIM_PROBE_INVALID;
	}
	char extra[96] = "";
	if (revoked > 0 && unusable > 0)
		snprintf(extra, sizeof(extra), "; %d revoked, %d unusable", revoked, unusable);
	else if (revoked + unusable > 0)
		snprintf(extra, sizeof(extra), "; %d %s", revoked + unusable,
		         revoked > 0 ? "revoked" : "unusable");
	return findings_add(
	        &r->findings, "dkim.none_found", FINDING_INFO, domain,
	        "Read the selector in the s= tag of the DKIM-Signature header of a message the "
	        "domain sent, then give it: posture dkim --selector S, posture check "
	        "--dkim-selector S, or a --selectors-file line.",
	        "no usable DKIM key among the %d selectors probed (%s%s): a key is published "
	        "under a name its signer chooses, so this is not proof that %s signs no mail",
	        r->probed, only_named ? "the ones given" : "posture's list of common ones", extra,
	        domain);
}

/* The domain's findings about _domainkey.<domain> and the wildcard. */
static int domainkey_findings(struct dkim_result *r, const char *domain,
                              const struct dns_answer *dk, bool answered)
{
	char name[DNS_NAME_BUF];
	str_join(name, sizeof(name), "_domainkey.", domain);
	if (r->wildcard > 0 &&
	    findings_add(&r->findings, "dkim.wildcard", FINDING_INFO, name, NULL,
	                 "a wildcard record answers every name under %s: the TXT record %d "
	                 "selector%s got is the one at %s, no DKIM record, so they count as "
	                 "absent",
	                 domain, r->wildcard, r->wildcard == 1 ? "" : "s", name) != 0)
		return -1;
	if (dk == NULL || dk->outcome != DNS_OUTCOME_NXDOMAIN)
		return 0;
	r->domainkey_nxdomain = true;
	/* RFC 8020 2: NXDOMAIN means nothing exists at or below the name.
	 * Some servers answer it wrongly for an empty non-terminal (a name
	 * with names below it but no records of its own, RFC 7719): the
	 * probes' own answers decide, and a disagreement is said. */
	if (answered)
		return findings_add(
		        &r->findings, "dkim.nxdomain_contradicted", FINDING_WARNING, name,
		        "Have the DNS server answer NOERROR for names that exist only because "
		        "of names below them (upgrade or replace the server software).",
		        "%s answers NXDOMAIN, yet selectors below it answer: resolvers that "
		        "follow RFC 8020 then treat every selector of %s as absent, and "
		        "signatures fail there",
		        name, domain);
	if (r->status == DKIM_FOUND)
		return 0;
	return findings_add(&r->findings, "dkim.domainkey_nxdomain", FINDING_INFO, name, NULL,
	                    "%s does not exist (NXDOMAIN): under RFC 8020 no name below it "
	                    "exists either, so no selector of %s has a key, not only the ones "
	                    "probed (some servers answer this wrongly; the probes decide)",
	                    name, domain);
}

/* The status, the counts and the domain's findings. */
static int conclude(struct dkim_result *r, const char *domain, const struct dns_answer *dk,
                    bool only_named)
{
	bool answered = false;
	for (size_t i = 0; i < r->nsel; i++) {
		const struct dkim_selector_result *s = &r->sel[i];
		r->usable += dkim_key_usable(&s->key) ? 1 : 0;
		answered |= s->records > 0;
		if (s->status == DKIM_PROBE_KEY && s->key.key_type == DKIM_KEY_RSA &&
		    s->key.bits > 0 && (r->min_bits == 0 || s->key.bits < r->min_bits))
			r->min_bits = s->key.bits;
	}
	r->status = r->usable > 0       ? DKIM_FOUND
	            : r->temperrors > 0 ? DKIM_TEMPERROR
	                                : DKIM_NONE_FOUND;
	for (size_t i = 0; r->status != DKIM_TEMPERROR && i < r->nsel; i++)
		if (r->sel[i].status == DKIM_PROBE_TEMPERROR &&
		    named_failed(&r->sel[i], domain) != 0)
			return -1;
	if (domainkey_findings(r, domain, dk, answered) != 0)
		return -1;
	if (r->status == DKIM_NONE_FOUND)
		return none_found(r, domain, only_named);
	return 0;
}

/* What failed, for the message: the first failure's detail, then the
 * selectors that failed ("a, b, c, ..."). */
struct failed {
	char first[DNS_DETAIL_MAX];
	char names[200];
	size_t at;
	bool more;
};

static void failed_add(struct failed *f, const struct dkim_selector_result *s)
{
	if (f->first[0] == '\0')
		str_copy(f->first, sizeof(f->first), s->detail);
	if (f->more)
		return;
	/* Room for this name, its ", " and a final ", ..." (5 bytes). */
	if (f->at + strlen(s->name) + 2 + 5 >= sizeof(f->names)) {
		str_copy(f->names + f->at, sizeof(f->names) - f->at, ", ...");
		f->more = true;
		return;
	}
	f->at += str_join3(f->names + f->at, sizeof(f->names) - f->at, f->at ? ", " : "", s->name,
	                   "");
}

static int temperror_finding(struct dkim_result *r, const char *domain, const struct failed *f)
{
	return findings_add(&r->findings, "dkim.temperror", FINDING_WARNING, domain,
	                    "Retry later; if it persists, fix the DNS servers of the selector "
	                    "names.",
	                    "no usable DKIM key found, and %d of the %d probes failed (%s; %s): "
	                    "DKIM could not be checked",
	                    r->temperrors, r->probed, f->names, f->first);
}

int dkim_result_build(const char *domain, const struct dkim_probe *p, size_t n,
                      const struct dns_answer *domainkey, dkim_org_fn org, struct dkim_result *out)
{
	struct failed failed;
	bool only_named = n > 0;
	memset(out, 0, sizeof(*out));
	memset(&failed, 0, sizeof(failed));
	out->probed = (int)n;
	if (n > 0 && (out->sel = calloc(n, sizeof(*out->sel))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct dkim_selector_result *s = &out->sel[out->nsel];
		bool wild = false;
		only_named &= p[i].named;
		out->named |= p[i].named;
		if (probe_read(s, domain, &p[i], domainkey, org, &wild) != 0 ||
		    selector_findings(s, domain) != 0) {
			selector_cleanup(s); /* not counted in nsel yet */
			goto fail;
		}
		out->wildcard += wild;
		if (s->status == DKIM_PROBE_TEMPERROR) {
			out->temperrors++;
			failed_add(&failed, s);
		}
		if (listed(s))
			out->nsel++;
		else
			selector_cleanup(s);
	}
	/* Kept only what is listed: a scan holds results by the thousand. */
	if (out->nsel == 0) {
		free(out->sel);
		out->sel = NULL;
	} else if (out->nsel < n) {
		struct dkim_selector_result *v = realloc(out->sel, out->nsel * sizeof(*v));
		if (v != NULL)
			out->sel = v;
	}
	if (conclude(out, domain, domainkey, only_named) != 0 ||
	    (out->status == DKIM_TEMPERROR && temperror_finding(out, domain, &failed) != 0))
		goto fail;
	return 0;
fail:
	dkim_result_cleanup(out);
	return -1;
}

const struct finding *dkim_result_first_error(const struct dkim_result *r)
{
	const struct finding *f = findings_first_error(&r->findings);
	for (size_t i = 0; f == NULL && i < r->nsel; i++)
		f = findings_first_error(&r->sel[i].findings);
	return f;
}
