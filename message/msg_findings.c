/*
 * msg_findings.c — the headers.* findings: what the trace fields of one
 * message say about how it got through, in plain words naming the
 * domains and the hop (path "hop N", hops counted from the top).
 *
 * They read only what msg_analyze filled: the verdict of the trusted
 * Authentication-Results (RFC 8601 5: only the receiving system's own
 * results can be trusted), the results recorded further down (which may
 * be forged by the sender, but which the hops above did not remove), the
 * DKIM signatures as declared (or as --verify found them), the ARC sets
 * as their sealers declared them.
 */
#include "message.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "msg_impl.h"
#include "strutil.h"

#define HOP_PATH 32

static const char *hop_path(const struct msg_analysis *a, int hop, char *buf, size_t len)
{
	if (a->nhops == 0)
		return NULL;
	snprintf(buf, len, "hop %d", hop);
	return buf;
}

static const struct msg_authres *trusted(const struct msg_analysis *a)
{
	return a->trusted_ar < 0 ? NULL : &a->ars[a->trusted_ar].ar;
}

/* The domain a result's identity names: ptype.property's value (an
 * address or a domain), "" when absent. */
static void prop_domain(const struct msg_ar_result *r, const char *ptype, const char *property,
                        char *out, size_t outlen)
{
	const char *v = msg_ar_prop(r, ptype, property);

	out[0] = '\0';
	if (v != NULL)
		msg_domain_of(v, out, outlen);
}

/* The domain a dkim= result is about: header.d, else the domain of header.i. */
static void dkim_result_domain(const struct msg_ar_result *r, char *out, size_t outlen)
{
	prop_domain(r, "header", "d", out, outlen);
	if (out[0] == '\0')
		prop_domain(r, "header", "i", out, outlen);
}

/* True when domain is d or a subdomain of it (RFC 6376 3.5: i= may name one). */
static bool within(const char *domain, const char *d)
{
	size_t n = strlen(domain), m = strlen(d);

	if (m == 0 || n < m)
		return false;
	if (strcasecmp(domain + n - m, d) != 0)
		return false;
	return n == m || domain[n - m - 1] == '.';
}

/* ---- From ---- */

static int check_from(struct msg_analysis *a, const struct msg_work *w)
{
	static const char fix_multi[] =
	        "Send with exactly one From field holding one address; name other authors in the "
	        "body, and use Sender or Reply-To for whoever sends or takes the replies.";

	if (a->from.count == 0)
		return findings_add(
		        &a->findings, "headers.no_from", FINDING_ERROR, NULL,
		        "Make the sending software add a From field with the author's "
		        "address (RFC 5322 3.6 requires exactly one).",
		        "The message has no From field: DMARC has no author domain to check "
		        "and many receivers reject such mail.");
	if (a->from.count > 1)
		return findings_add(
		        &a->findings, "headers.multiple_from", FINDING_ERROR, NULL, fix_multi,
		        "The message has %zu From fields: DMARC cannot tell which author "
		        "domain to check (RFC 7489 6.6.1) and many receivers reject it.",
		        a->from.count);
	if (w->from_addrs > 1)
		return findings_add(
		        &a->findings, "headers.multiple_from", FINDING_ERROR, NULL, fix_multi,
		        "The From field lists %zu addresses (the first is %s): DMARC cannot "
		        "tell which author domain to check (RFC 7489 6.6.1) and many "
		        "receivers reject it.",
		        w->from_addrs, a->from.address);
	return 0;
}

/* ---- headers.relay_signature ---- */

/* The trusted result passed SPF for a domain aligned with From. */
static bool spf_passed_aligned(const struct msg_analysis *a, const struct msg_authres *t,
                               msg_org_fn org)
{
	const struct msg_ar_result *r = msg_authres_find(t, "spf");
	char d[MSG_DOMAIN];

	if (r == NULL || strcmp(r->result, "pass") != 0)
		return false;
	prop_domain(r, "smtp", "mailfrom", d, sizeof(d));
	if (d[0] == '\0')
		str_copy(d, sizeof(d), a->envelope.domain);
	return msg_aligned_relaxed(org, d, &a->from);
}

/* The trusted result holds dkim=pass for this signature (d= and s=). */
static bool trusted_dkim_pass(const struct msg_authres *t, const struct msg_sig *sig)
{
	for (size_t k = 0; k < t->nresults; k++) {
		const struct msg_ar_result *r = &t->results[k];
		const char *s;
		char d[MSG_DOMAIN];

		if (strcmp(r->method, "dkim") != 0 || strcmp(r->result, "pass") != 0)
			continue;
		dkim_result_domain(r, d, sizeof(d));
		if (!within(d, sig->d))
			continue;
		s = msg_ar_prop(r, "header", "s");
		if (s == NULL || strcasecmp(s, sig->s) == 0)
			return true;
	}
	return false;
}

/*
 * Did this result record that the message, as it arrived there, was not
 * authenticated for the From domain: dmarc=fail for it, or DKIM checked
 * with no pass for a domain aligned with From? A result that checked no
 * DKIM and no DMARC says nothing. why gets the words recorded.
 */
static bool recorded_unauthenticated(const struct msg_analysis *a, const struct msg_authres *ar,
                                     msg_org_fn org, char *why, size_t whylen)
{
	const struct msg_ar_result *r = msg_authres_find(ar, "dmarc");
	bool dkim_seen = false;
	char d[MSG_DOMAIN];

	if (r != NULL && strcmp(r->result, "fail") == 0) {
		prop_domain(r, "header", "from", d, sizeof(d));
		if (d[0] == '\0' || strcasecmp(d, a->from.domain) == 0) {
			if (r->reason[0] != '\0')
				snprintf(why, whylen, "dmarc=fail (\"%s\")", r->reason);
			else
				snprintf(why, whylen, "dmarc=fail");
			return true;
		}
	}
	for (size_t k = 0; k < ar->nresults; k++) {
		r = &ar->results[k];
		if (strcmp(r->method, "dkim") != 0)
			continue;
		dkim_seen = true;
		if (strcmp(r->result, "pass") != 0)
			continue;
		dkim_result_domain(r, d, sizeof(d));
		if (d[0] == '\0' || msg_aligned_relaxed(org, d, &a->from))
			return false; /* a pass for From (or for no one named): authenticated */
	}
	if (!dkim_seen)
		return false;
	r = msg_authres_find(ar, "dkim");
	snprintf(why, whylen, "dkim=%s and no DKIM pass for %s", r != NULL ? r->result : "none",
	         a->from.domain);
	return true;
}

static int relay_finding(struct msg_analysis *a, const struct msg_dkim_view *d,
                         const struct msg_ar_view *e, const char *why)
{
	char path[HOP_PATH];
	const struct msg_hop *h = (size_t)d->hop < a->nhops ? &a->hops[d->hop] : NULL;

	return findings_add(
	        &a->findings, "headers.relay_signature", FINDING_WARNING,
	        hop_path(a, d->hop, path, sizeof(path)),
	        "If this is your domain: stop the relay (hosting provider, forwarder, mailing "
	        "list) "
	        "from signing with your domain's key mail it did not authenticate as yours, or "
	        "have "
	        "it sign with its own domain. If you received it: judge it by the first hop's "
	        "result.",
	        "DMARC passed at %s only because of the DKIM signature d=%s s=%s, which was added "
	        "on "
	        "the way: it first appears at hop %d (received by %s from %s), after %s had "
	        "recorded "
	        "%s at hop %d. Whoever relayed the message between those hops signed it as %s, "
	        "whatever it carried.",
	        a->authserv_id, d->sig.d, d->sig.s, d->hop, h != NULL ? h->rcv.by_host : "?",
	        h != NULL && h->rcv.from_host[0] != '\0' ? h->rcv.from_host : "?",
	        e->ar.authserv_id[0] != '\0' ? e->ar.authserv_id : "a receiver", why, e->hop,
	        d->sig.d);
}

static int check_relay_signature(struct msg_analysis *a, msg_org_fn org)
{
	const struct msg_authres *t = trusted(a);
	char why[MSG_TEXT + 64];

	if (a->dmarc != MSG_DMARC_PASS || t == NULL || spf_passed_aligned(a, t, org))
		return 0;
	for (size_t i = 0; i < a->ndkim; i++) {
		const struct msg_dkim_view *d = &a->dkim[i];

		if (!d->aligned_relaxed || !trusted_dkim_pass(t, &d->sig))
			continue;
		for (size_t k = 0; k < a->nars; k++) {
			const struct msg_ar_view *e = &a->ars[k];

			if (e->field <= d->field || (long)k == a->trusted_ar)
				continue;
			if (recorded_unauthenticated(a, &e->ar, org, why, sizeof(why)))
				return relay_finding(a, d, e, why);
		}
	}
	return 0;
}

/* ---- headers.softfail_accepted, headers.dmarc_not_enforced ---- */

static bool is_softfail_or_fail(const char *result)
{
	return strcmp(result, "softfail") == 0 || strcmp(result, "fail") == 0 ||
	       strcmp(result, "hardfail") == 0;
}

/* The SPF result the trusted hop recorded for its envelope domain. */
static bool trusted_spf_failed(const struct msg_analysis *a, char *result, size_t rlen,
                               char *domain, size_t dlen)
{
	const struct msg_authres *t = trusted(a);
	const struct msg_ar_result *r = t != NULL ? msg_authres_find(t, "spf") : NULL;
	int hop = a->trusted_ar >= 0 ? a->ars[a->trusted_ar].hop : -1;

	if (r != NULL && is_softfail_or_fail(r->result)) {
		str_copy(result, rlen, r->result);
		prop_domain(r, "smtp", "mailfrom", domain, dlen);
		if (domain[0] == '\0')
			str_copy(domain, dlen, a->envelope.domain);
		return true;
	}
	for (size_t k = 0; r == NULL && k < a->nspfs; k++) {
		const struct msg_spf_view *s = &a->spfs[k];

		if (s->hop != hop || !is_softfail_or_fail(s->spf.result) ||
		    (s->spf.identity[0] != '\0' && strcasecmp(s->spf.identity, "mailfrom") != 0))
			continue;
		str_copy(result, rlen, s->spf.result);
		msg_domain_of(s->spf.envelope_from, domain, dlen);
		if (domain[0] == '\0')
			str_copy(domain, dlen, a->envelope.domain);
		return true;
	}
	return false;
}

/* The policy that applied to From (RFC 7489 6.3: sp= for a subdomain
 * when the receiver noted one), as the trusted result recorded it; *tag
 * gets "p" or "sp". */
static const char *recorded_policy(const struct msg_analysis *a, const char **tag)
{
	const struct msg_authres *t = trusted(a);
	const struct msg_ar_result *r = t != NULL ? msg_authres_find(t, "dmarc") : NULL;

	*tag = "p";
	if (r != NULL && r->policy_sp[0] != '\0' && a->from.domain[0] != '\0' &&
	    strcasecmp(a->from.domain, a->from.org_domain) != 0) {
		*tag = "sp";
		return r->policy_sp;
	}
	return a->policy_p;
}

static int check_softfail(struct msg_analysis *a, msg_org_fn org)
{
	char result[MSG_WORD], domain[MSG_DOMAIN], path[HOP_PATH], policy[MSG_WORD];
	const char *tag;
	const char *p = recorded_policy(a, &tag);
	int hop;

	if (a->dmarc == MSG_DMARC_PASS || a->trusted_ar < 0)
		return 0;
	if (!trusted_spf_failed(a, result, sizeof(result), domain, sizeof(domain)) ||
	    !msg_aligned_relaxed(org, domain, &a->from))
		return 0;
	/* Delivered, and the policy did not ask for more (or was not applied). */
	if (!(a->policy_dis[0] == '\0' || strcmp(a->policy_dis, "none") == 0 ||
	      strcmp(p, "none") == 0))
		return 0;
	hop = a->ars[a->trusted_ar].hop;
	snprintf(policy, sizeof(policy), "%s=%s", tag, p[0] != '\0' ? p : "(not recorded)");
	return findings_add(
	        &a->findings, "headers.softfail_accepted", FINDING_WARNING,
	        hop_path(a, hop, path, sizeof(path)),
	        "Publish an enforcing DMARC policy for the From domain (p=quarantine, then "
	        "p=reject) once its legitimate mail passes: an SPF softfail (~all) alone does not "
	        "stop delivery.",
	        "SPF %s for %s (aligned with From %s) at hop %d (%s), yet the message was "
	        "delivered: DMARC %s, policy %s, disposition %s.",
	        result, domain, a->from.domain, hop, a->authserv_id,
	        a->dmarc_result[0] != '\0' ? a->dmarc_result : "not recorded", policy,
	        a->policy_dis[0] != '\0' ? a->policy_dis : "not recorded");
}

static int check_not_enforced(struct msg_analysis *a)
{
	static const char fix[] =
	        "Publish a DMARC record for the From domain and move it to p=quarantine, then "
	        "p=reject, once the domain's legitimate mail passes (posture check DOMAIN shows "
	        "what "
	        "would still fail).";
	const char *tag;
	const char *p = recorded_policy(a, &tag);
	char path[HOP_PATH];
	const char *where;
	int hop;

	if ((a->dmarc != MSG_DMARC_FAIL && a->dmarc != MSG_DMARC_NONE) || a->trusted_ar < 0)
		return 0;
	hop = a->ars[a->trusted_ar].hop;
	where = hop_path(a, hop, path, sizeof(path));
	if (a->dmarc == MSG_DMARC_NONE)
		return findings_add(&a->findings, "headers.dmarc_not_enforced", FINDING_WARNING,
		                    where, fix,
		                    "%s found no DMARC policy for %s (dmarc=none): nothing asks "
		                    "receivers to reject mail forged in its name.",
		                    a->authserv_id, a->from.domain);
	/* p= (or sp=) is the domain's request; without it, a disposition of
	 * none (Microsoft's action=none) is the only word on it. */
	if (strcmp(p, "none") == 0 || (p[0] == '\0' && strcmp(a->policy_dis, "none") == 0))
		return findings_add(
		        &a->findings, "headers.dmarc_not_enforced", FINDING_WARNING, where, fix,
		        "DMARC failed for %s at %s, and the policy it noted (%s=%s) asks "
		        "receivers to deliver such mail anyway: anyone can send as %s.",
		        a->from.domain, a->authserv_id, p[0] != '\0' ? tag : "dis",
		        p[0] != '\0' ? p : a->policy_dis, a->from.domain);
	return 0;
}

/* ---- headers.lookalike ---- */

/* The registrable label of an org domain: its first label. */
static void first_label(const char *d, char *out, size_t len)
{
	size_t n = strcspn(d, ".");

	snprintf(out, len, "%.*s", (int)n, d);
}

static void how_words(enum msg_lookalike_how how, const char *from, const char *other, char *out,
                      size_t len)
{
	char f[MSG_DOMAIN], o[MSG_DOMAIN];

	first_label(from, f, sizeof(f));
	first_label(other, o, sizeof(o));
	if (strcmp(f, o) == 0)
		snprintf(out, len, "it reuses the name \"%s\" under another suffix", f);
	else if (how == MSG_LOOK_CONTAINS)
		snprintf(out, len, "its name \"%s\" contains \"%s\"", f, o);
	else if (how == MSG_LOOK_EDIT)
		snprintf(out, len, "its name \"%s\" is one or two letters from \"%s\"", f, o);
	else
		snprintf(out, len,
		         "its name \"%s\" uses letters of another script that look like \"%s\"", f,
		         o);
}

#define LOOK_SEEN (MSG_SIGS_MAX + 2)

struct look {
	const char *seen[LOOK_SEEN];
	size_t nseen;
};

static int look_one(struct msg_analysis *a, struct look *l, const char *other, const char *where)
{
	enum msg_lookalike_how how;
	char words[2 * MSG_DOMAIN + 64];

	if (other[0] == '\0' || strcasecmp(other, a->from.org_domain) == 0)
		return 0;
	for (size_t i = 0; i < l->nseen; i++)
		if (strcasecmp(l->seen[i], other) == 0)
			return 0;
	how = msg_lookalike(a->from.org_domain, other);
	if (how == MSG_LOOK_NONE)
		return 0;
	if (l->nseen < LOOK_SEEN)
		l->seen[l->nseen++] = other;
	how_words(how, a->from.org_domain, other, words, sizeof(words));
	return findings_add(&a->findings, "headers.lookalike", FINDING_WARNING, NULL,
	                    "Recipients: judge the sender by the domain that authenticated the "
	                    "message (a passing DKIM d=, the Return-Path), not by the name. Brand "
	                    "owners: send from your own domain or a subdomain of it, so that "
	                    "genuine mail does not teach people to trust lookalike domains.",
	                    "The From domain %s imitates %s, %s: %s (%s).", a->from.org_domain,
	                    other, where, words, msg_lookalike_how_name(how));
}

static bool in_list(const char *const *list, const char *d)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		if (strcasecmp(list[i], d) == 0)
			return true;
	return false;
}

static int check_lookalike(struct msg_analysis *a, const struct msg_options *opt)
{
	const char *const *brands = opt->brands != NULL ? opt->brands : msg_brands_default();
	char where[MSG_TEXT];
	struct look l = { .nseen = 0 };

	if (a->from.org_domain[0] == '\0')
		return 0;
	for (size_t i = 0; i < a->ndkim; i++) {
		snprintf(where, sizeof(where),
		         "the organisational domain of the DKIM signature d=%s", a->dkim[i].sig.d);
		if (look_one(a, &l, a->dkim[i].org_domain, where) != 0)
			return -1;
	}
	snprintf(where, sizeof(where), "the organisational domain of the Return-Path %s",
	         a->return_path.domain);
	if (look_one(a, &l, a->return_path.org_domain, where) != 0)
		return -1;
	/* A brand does not imitate another brand of the list. */
	if (in_list(brands, a->from.org_domain))
		return 0;
	for (size_t i = 0; brands != NULL && brands[i] != NULL; i++)
		if (look_one(a, &l, brands[i], "a well-known brand") != 0)
			return -1;
	return 0;
}

/* ---- headers.weak_signature, headers.arc_fail ---- */

static int check_weak(struct msg_analysis *a)
{
	char path[HOP_PATH];

	for (size_t i = 0; i < a->ndkim; i++) {
		const struct msg_dkim_view *d = &a->dkim[i];

		if (strcmp(d->sig.a, "rsa-sha1") != 0)
			continue;
		if (findings_add(
		            &a->findings, "headers.weak_signature", FINDING_WARNING,
		            hop_path(a, d->hop, path, sizeof(path)),
		            "Sign with rsa-sha256 (or ed25519-sha256 beside it) and an RSA key of "
		            "at least 2048 bits.",
		            "The DKIM signature d=%s s=%s (hop %d) uses rsa-sha1, which RFC 8301 "
		            "3.1 "
		            "forbids: receivers that follow it treat the signature as failing.",
		            d->sig.d, d->sig.s, d->hop) != 0)
			return -1;
	}
	return 0;
}

/* Why the chain is malformed (RFC 8617 5.1.1), "" when it is not. */
static void arc_problem(const struct msg_analysis *a, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t k = 0; k < a->narc; k++) {
		const struct msg_arc_set *s = &a->arc[k];
		const char *want = k == 0 ? "none" : "pass";

		if (s->instance != (int)k + 1) {
			snprintf(out, len, "instance %zu is missing", k + 1);
			return;
		}
		if (s->seal_field == SIZE_MAX || s->ams_field == SIZE_MAX ||
		    s->aar_field == SIZE_MAX) {
			snprintf(out, len, "set %d lacks its %s", s->instance,
			         s->seal_field == SIZE_MAX  ? "ARC-Seal"
			         : s->ams_field == SIZE_MAX ? "ARC-Message-Signature"
			                                    : "ARC-Authentication-Results");
			return;
		}
		if (strcmp(s->seal.cv, want) != 0 && strcmp(s->seal.cv, "fail") != 0) {
			snprintf(out, len, "instance %d declares cv=%s where cv=%s is due",
			         s->instance, s->seal.cv[0] != '\0' ? s->seal.cv : "(nothing)",
			         want);
			return;
		}
	}
	if (out[0] == '\0')
		snprintf(out, len, "a field of some instance appears twice");
}

static int check_arc(struct msg_analysis *a)
{
	static const char fix[] =
	        "Nothing for the From domain to change: ARC sets are added by intermediaries "
	        "(forwarders, mailing lists). If you run the sealer named, check its ARC signing; "
	        "receivers ignore a failed chain and fall back to DMARC.";
	char path[HOP_PATH], why[MSG_TEXT];

	if (a->narc == 0)
		return 0;
	for (size_t k = 0; k < a->narc; k++) {
		const struct msg_arc_set *s = &a->arc[k];

		if (strcmp(s->seal.cv, "fail") == 0)
			return findings_add(
			        &a->findings, "headers.arc_fail", FINDING_INFO,
			        hop_path(a, s->hop, path, sizeof(path)), fix,
			        "The ARC sealer of instance %d (d=%s, hop %d) declared the chain "
			        "it received broken (cv=fail, as declared, not verified): the "
			        "results recorded below it cannot be relied on.",
			        s->instance, s->seal.d, s->hop);
	}
	if (a->arc_structure_ok)
		return 0;
	arc_problem(a, why, sizeof(why));
	return findings_add(&a->findings, "headers.arc_fail", FINDING_INFO, NULL, fix,
	                    "The ARC chain of %zu set%s is malformed (%s): receivers treat it as "
	                    "failed (RFC 8617 5.1.1).",
	                    a->narc, a->narc == 1 ? "" : "s", why);
}

/* ---- reading limits ---- */

static void cut_note(char *out, size_t len, size_t *used, const char *what)
{
	int n;

	if (*used >= len)
		return;
	n = snprintf(out + *used, len - *used, "%s%s", *used > 0 ? "; " : "", what);
	if (n > 0)
		*used += (size_t)n;
}

static int check_truncated(struct msg_analysis *a, const struct msg_work *w)
{
	char text[FINDING_MESSAGE_MAX / 2] = "", one[96];
	size_t used = 0;

	if (w->header_cut) {
		snprintf(one, sizeof(one), "the header section runs past %u bytes", MSG_HEADER_MAX);
		cut_note(text, sizeof(text), &used, one);
	}
	if (a->hdr.dropped) {
		snprintf(one, sizeof(one), "fields after the first %d were dropped",
		         MSG_FIELDS_MAX);
		cut_note(text, sizeof(text), &used, one);
	}
	if (w->values_cut > 0) {
		snprintf(one, sizeof(one), "%zu field value%s cut at %d bytes", w->values_cut,
		         w->values_cut == 1 ? " was" : "s were", MSG_VALUE_MAX);
		cut_note(text, sizeof(text), &used, one);
	}
	if (a->hops_dropped) {
		snprintf(one, sizeof(one), "Received fields after the first %d were not read",
		         MSG_HOPS_MAX);
		cut_note(text, sizeof(text), &used, one);
	}
	if (w->ars_dropped + w->spfs_dropped > 0) {
		snprintf(one, sizeof(one), "%zu authentication result field%s past %d not read",
		         w->ars_dropped + w->spfs_dropped,
		         w->ars_dropped + w->spfs_dropped == 1 ? "" : "s", MSG_AR_MAX);
		cut_note(text, sizeof(text), &used, one);
	}
	if (w->sigs_dropped > 0) {
		snprintf(one, sizeof(one), "%zu DKIM-Signature field%s past %d not read",
		         w->sigs_dropped, w->sigs_dropped == 1 ? "" : "s", MSG_SIGS_MAX);
		cut_note(text, sizeof(text), &used, one);
	}
	if (w->arc_ignored > 0) {
		snprintf(one, sizeof(one), "%zu ARC field%s with i= outside 1..%d ignored",
		         w->arc_ignored, w->arc_ignored == 1 ? "" : "s", MSG_ARC_MAX);
		cut_note(text, sizeof(text), &used, one);
	}
	if (used == 0)
		return 0;
	return findings_add(&a->findings, "headers.truncated", FINDING_INFO, NULL,
	                    "Read the rest of the raw message by hand; a message built to run past "
	                    "these limits is itself suspect.",
	                    "The header section was only partly analysed: %s.", text);
}

static int check_untrusted(struct msg_analysis *a, const struct msg_options *opt)
{
	static const char fix[] = "Pass --authserv-id with the name your receiving system writes "
	                          "in its Authentication-Results, or check the message yourself "
	                          "with --verify and --live.";
	char ids[MSG_TEXT] = "";
	size_t used = 0, nar = 0;

	if (a->trusted_ar >= 0)
		return 0;
	for (size_t k = 0; k < a->nars; k++) {
		if (a->ars[k].arc)
			continue;
		nar++;
		if (a->ars[k].ar.authserv_id[0] == '\0')
			cut_note(ids, sizeof(ids), &used, "(no authserv-id)");
		else if (strstr(ids, a->ars[k].ar.authserv_id) == NULL)
			cut_note(ids, sizeof(ids), &used, a->ars[k].ar.authserv_id);
	}
	if (opt->authserv_id != NULL && nar > 0)
		return findings_add(
		        &a->findings, "headers.untrusted_results", FINDING_INFO, NULL, fix,
		        "No Authentication-Results field names %s (--authserv-id), so the "
		        "DMARC verdict is unknown; the results present were written by: %s.",
		        opt->authserv_id, ids);
	return findings_add(&a->findings, "headers.untrusted_results", FINDING_INFO, NULL, fix,
	                    "The message carries no Authentication-Results field%s: no receiver's "
	                    "verdict can be read (it was taken before delivery, or from a system "
	                    "that records none), so the DMARC verdict is unknown.",
	                    a->nars > 0 ? " (only ARC-Authentication-Results, which only sealers' "
	                                  "own later checks may trust)"
	                                : "");
}

int msg_findings(struct msg_analysis *a, const struct msg_options *opt, const struct msg_work *w)
{
	if (check_truncated(a, w) != 0 || check_from(a, w) != 0 || check_untrusted(a, opt) != 0 ||
	    check_relay_signature(a, opt->org) != 0 || check_softfail(a, opt->org) != 0 ||
	    check_not_enforced(a) != 0 || check_lookalike(a, opt) != 0 || check_weak(a) != 0 ||
	    check_arc(a) != 0)
		return -1;
	return 0;
}

/* ---- after --verify, --live ---- */

int msg_analyze_after_verify(struct msg_analysis *a)
{
	char path[HOP_PATH];

	for (size_t i = 0; i < a->ndkim; i++) {
		const struct msg_dkim_view *d = &a->dkim[i];

		if (d->key_bits <= 0 || d->key_bits >= 1024 || strncmp(d->sig.a, "rsa-", 4) != 0)
			continue;
		if (findings_add(
		            &a->findings, "headers.weak_signature", FINDING_WARNING,
		            hop_path(a, d->hop, path, sizeof(path)),
		            "Publish an RSA key of at least 2048 bits under a new selector, sign "
		            "with it, then revoke the short key (empty p=).",
		            "The DKIM signature d=%s s=%s (hop %d) rests on a %d-bit RSA key, "
		            "under the 1024 bits RFC 8301 3.2 requires: such keys can be factored, "
		            "and many receivers treat the signature as failing.",
		            d->sig.d, d->sig.s, d->hop, d->key_bits) != 0)
			return -1;
	}
	return 0;
}

int msg_analyze_live(struct msg_analysis *a, const char *live_p, bool live_enforces)
{
	char path[HOP_PATH];
	const char *where = NULL;

	if (a->dmarc != MSG_DMARC_FAIL && a->dmarc != MSG_DMARC_NONE)
		return 0;
	if (live_enforces || findings_has(&a->findings, "headers.dmarc_not_enforced"))
		return 0;
	if (a->trusted_ar >= 0)
		where = hop_path(a, a->ars[a->trusted_ar].hop, path, sizeof(path));
	if (live_p == NULL || live_p[0] == '\0')
		return findings_add(&a->findings, "headers.dmarc_not_enforced", FINDING_WARNING,
		                    where,
		                    "Publish a DMARC record for the From domain and move it to "
		                    "p=quarantine, then p=reject, once its legitimate mail passes.",
		                    "DMARC %s for %s at %s, and %s publishes no DMARC policy now: "
		                    "nothing asks receivers to reject mail forged in its name.",
		                    msg_dmarc_verdict_name(a->dmarc), a->from.domain,
		                    a->authserv_id, a->from.domain);
	return findings_add(
	        &a->findings, "headers.dmarc_not_enforced", FINDING_WARNING, where,
	        "Move the From domain's DMARC policy to p=quarantine, then p=reject "
	        "(at pct=100), once its legitimate mail passes.",
	        "DMARC %s for %s at %s, and the policy %s publishes now (p=%s) does not "
	        "enforce: an enforcing policy would have had this message quarantined "
	        "or rejected.",
	        msg_dmarc_verdict_name(a->dmarc), a->from.domain, a->authserv_id, a->from.domain,
	        live_p);
}
