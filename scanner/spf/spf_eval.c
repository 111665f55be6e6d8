/*
 * spf_eval.c — check_host() (RFC 7208 4-6) over the spf_dns interface.
 *
 * Written as the RFC writes it, a recursive function. When an answer is
 * not known yet, the lookup returns NULL, the evaluation stops with
 * SPF_PENDING and the caller fetches that name and runs it again (see
 * spf.h). Limits (RFC 7208 4.6.4): 10 DNS-querying terms, 2 void lookups,
 * 10 MX names, 10 PTR names.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf.h"
#include "strutil.h"

/* Internal: the evaluation stopped for an answer not known yet. */
#define SPF_PENDING ((enum spf_result)100)

struct ev {
	const struct spf_dns *dns;
	struct spf_eval_result *out;
	uint8_t ip[16];
	bool v6;
	char sender[DNS_NAME_BUF + 70];
	const char *helo;
	const char *receiver;
	long long now;
	int lookups, voids;
};

static void reason(struct ev *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(struct ev *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->out->reason, sizeof(e->out->reason), fmt, ap);
	va_end(ap);
}

/* The answer for (name, type), or NULL with the evaluation marked
 * pending. */
static const struct dns_answer *ask(struct ev *e, const char *name, uint16_t type)
{
	const struct dns_answer *a = e->dns->get(e->dns->ctx, name, type);
	if (a == NULL && !e->out->pending) {
		e->out->pending = true;
		str_copy(e->out->need_name, sizeof(e->out->need_name), name);
		e->out->need_type = type;
	}
	return a;
}

static bool is_void(const struct dns_answer *a)
{
	return a->outcome == DNS_OUTCOME_NODATA || a->outcome == DNS_OUTCOME_NXDOMAIN;
}

static bool is_temp(const struct dns_answer *a)
{
	return a->outcome == DNS_OUTCOME_TIMEOUT || a->outcome == DNS_OUTCOME_SERVFAIL ||
	       a->outcome == DNS_OUTCOME_MALFORMED;
}

/* RFC 7208 4.6.4: more than two void lookups is a PermError. Returns
 * true when the limit is now exceeded. */
static bool count_void(struct ev *e, const struct dns_answer *a, const char *name)
{
	if (!is_void(a))
		return false;
	if (++e->voids > SPF_MAX_VOID_LOOKUPS) {
		reason(e, "more than 2 void lookups (the last: %s)", name);
		return true;
	}
	return false;
}

/* RFC 7208 4.6.4: each include, a, mx, ptr, exists and redirect counts;
 * the eleventh is a PermError. */
static bool count_lookup(struct ev *e, const char *term)
{
	if (++e->lookups > SPF_MAX_DNS_LOOKUPS) {
		reason(e, "more than 10 DNS-querying terms (the 11th: %s)", term);
		return true;
	}
	return false;
}

/* RFC 7208 4.3: a multi-label name with no empty or over-long label. */
static bool domain_ok(const char *d)
{
	char norm[DNS_NAME_BUF];
	return dns_name_normalize(d, norm, sizeof(norm)) == 0 && strchr(norm, '.') != NULL;
}

static bool ip_in(const uint8_t *ip, const uint8_t *net, int bits)
{
	int full = bits / 8, rest = bits % 8;
	if (memcmp(ip, net, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (ip[full] & mask) == (net[full] & mask);
}

/* The validated domain name of the client (RFC 7208 5.5, 7.3 "p"):
 * preferably <domain> itself or a subdomain of it. */
static int validated_name(struct ev *e, const char *domain, char *out, size_t outlen);

/*
 * A name (dnsutil.h, "Names") as the text a macro expands to (RFC 7208
 * 7.3 "d", "p"): its escapes undone, so that the expansion, text again,
 * is escaped once (expand_domain). A name whose text cannot be a C string
 * (a NUL byte, only from a PTR answer) is used as it is.
 */
static void macro_text(const char *name, char *out, size_t outlen)
{
	if (dns_name_to_text(name, out, outlen) != 0)
		str_copy(out, outlen, name);
}

/*
 * Expands a domain-spec for <domain> into out, applying RFC 7208 7.3's
 * left-truncation to 253 characters to the text, which then becomes a
 * name in presentation form (dns_name_from_text); text no name can be (a
 * control byte) stays as it is, for messages, and domain_ok refuses it.
 * Returns 0, -1 on a macro syntax error, SPF_PENDING-as-int when %{p}
 * needs lookups.
 */
static int expand_domain(struct ev *e, const char *spec, const char *domain, char *out,
                         size_t outlen)
{
	char ptr[DNS_NAME_BUF] = "unknown", dtext[DNS_NAME_BUF], ptext[DNS_NAME_BUF];
	char err[160];
	macro_text(domain, dtext, sizeof(dtext));
	struct spf_macro_ctx ctx = { e->sender, dtext,       e->ip, e->v6,
		                     e->helo,   e->receiver, NULL,  e->now };
	if (strstr(spec, "%{p") != NULL || strstr(spec, "%{P") != NULL) {
		int rc = validated_name(e, domain, ptr, sizeof(ptr));
		if (rc != 0)
			return rc;
	}
	macro_text(ptr, ptext, sizeof(ptext));
	ctx.ptr_name = ptext;
	char buf[SPF_MAX_EXPANSION];
	int n = spf_macro_expand(spec, strlen(spec), &ctx, false, buf, sizeof(buf), err,
	                         sizeof(err));
	if (n < 0)
		return -1;
	const char *p = buf;
	size_t len = (size_t)n;
	if (len > 0 && p[len - 1] == '.')
		buf[--len] = '\0';
	while (len > DNS_NAME_MAX) {
		const char *dot = strchr(p, '.');
		if (dot == NULL)
			break;
		len -= (size_t)(dot + 1 - p);
		p = dot + 1;
	}
	if (dns_name_from_text(p, out, outlen) != 0)
		str_copy(out, outlen, p);
	return 0;
}

static enum spf_result check_host(struct ev *e, const char *domain, int depth, bool want_exp);

static int validated_name(struct ev *e, const char *domain, char *out, size_t outlen)
{
	char rev[DNS_NAME_BUF];
	size_t o = 0;
	if (!e->v6) {
		snprintf(rev, sizeof(rev), "%u.%u.%u.%u.in-addr.arpa", e->ip[3], e->ip[2], e->ip[1],
		         e->ip[0]);
	} else {
		static const char hexd[] = "0123456789abcdef";
		for (int b = 15; b >= 0; b--) {
			rev[o++] = hexd[e->ip[b] & 15];
			rev[o++] = '.';
			rev[o++] = hexd[e->ip[b] >> 4];
			rev[o++] = '.';
		}
		snprintf(rev + o, sizeof(rev) - o, "ip6.arpa");
	}
	const struct dns_answer *ptr = ask(e, rev, DNS_TYPE_PTR);
	if (ptr == NULL)
		return (int)SPF_PENDING;
	char first[DNS_NAME_BUF] = "";
	size_t n = ptr->outcome == DNS_OUTCOME_DATA ? ptr->nrr : 0;
	for (size_t i = 0; i < n && i < SPF_MAX_PTR_NAMES; i++) {
		const char *name = ptr->rr[i].data;
		if (!domain_ok(name))
			continue;
		const struct dns_answer *a = ask(e, name, e->v6 ? DNS_TYPE_AAAA : DNS_TYPE_A);
		if (a == NULL)
			return (int)SPF_PENDING;
		bool ok = false;
		for (size_t k = 0; a->outcome == DNS_OUTCOME_DATA && k < a->nrr; k++)
			ok = ok || memcmp(a->rr[k].addr, e->ip, e->v6 ? 16 : 4) == 0;
		if (!ok)
			continue;
		size_t nl = strlen(name), dl = strlen(domain);
		if (dns_name_equal(name, domain) || (nl > dl && name[nl - dl - 1] == '.' &&
		                                     dns_name_equal(name + nl - dl, domain))) {
			str_copy(out, outlen, name);
			return 0;
		}
		if (first[0] == '\0')
			str_copy(first, sizeof(first), name);
	}
	str_copy(out, outlen, first[0] ? first : "unknown");
	return 0;
}

/* Looks up A or AAAA at name and tests the client against the records
 * with the given prefix lengths. Returns 1 match, 0 none, or an
 * spf_result (temperror/permerror/pending) as a negative value. */
static int match_addresses(struct ev *e, const char *name, int c4, int c6, bool count_voids)
{
	const struct dns_answer *a = ask(e, name, e->v6 ? DNS_TYPE_AAAA : DNS_TYPE_A);
	if (a == NULL)
		return -(int)SPF_PENDING;
	if (is_temp(a)) {
		reason(e, "DNS failure looking up %s", name);
		return -(int)SPF_RESULT_TEMPERROR;
	}
	if (count_voids && count_void(e, a, name))
		return -(int)SPF_RESULT_PERMERROR;
	int bits = e->v6 ? (c6 >= 0 ? c6 : 128) : (c4 >= 0 ? c4 : 32);
	for (size_t i = 0; a->outcome == DNS_OUTCOME_DATA && i < a->nrr; i++)
		if (ip_in(e->ip, a->rr[i].addr, bits))
			return 1;
	return 0;
}

/* The target name of a mechanism: its expanded domain-spec, or <domain>.
 * Returns 0, or a negative spf_result. */
static int mech_target(struct ev *e, const struct spf_mech *m, const char *domain, char *out,
                       size_t outlen)
{
	if (m->domain_spec == NULL) {
		str_copy(out, outlen, domain);
		return 0;
	}
	int rc = expand_domain(e, m->domain_spec, domain, out, outlen);
	if (rc == (int)SPF_PENDING)
		return -(int)SPF_PENDING;
	if (rc != 0) {
		reason(e, "macro error in %s", m->domain_spec);
		return -(int)SPF_RESULT_PERMERROR;
	}
	return 0;
}

/* Evaluates one mechanism: 1 match, 0 no match, or a negative
 * spf_result (temperror, permerror, pending). */
static int mechanism(struct ev *e, const struct spf_mech *m, const char *domain, int depth)
{
	char target[DNS_NAME_BUF];
	int rc;

	switch (m->kind) {
	case SPF_MECH_ALL:
		return 1;
	case SPF_MECH_IP4:
		return !e->v6 && ip_in(e->ip, m->addr, m->cidr4 >= 0 ? m->cidr4 : 32);
	case SPF_MECH_IP6:
		return e->v6 && ip_in(e->ip, m->addr, m->cidr6 >= 0 ? m->cidr6 : 128);
	default:
		break;
	}
	if (count_lookup(e, spf_mech_name(m->kind)))
		return -(int)SPF_RESULT_PERMERROR;
	rc = mech_target(e, m, domain, target, sizeof(target));
	if (rc < 0)
		return rc;
	switch (m->kind) {
	case SPF_MECH_INCLUDE: {
		/* RFC 7208 5.2: pass matches; fail, softfail, neutral do not;
		 * temperror stays; permerror and none become permerror. */
		if (!domain_ok(target)) {
			reason(e, "include of an invalid domain %s", target);
			return -(int)SPF_RESULT_PERMERROR;
		}
		enum spf_result r = check_host(e, target, depth + 1, false);
		if (r == SPF_PENDING)
			return -(int)SPF_PENDING;
		if (r == SPF_RESULT_PASS) {
			/* The include of the domain's own record that matched:
			 * its target names the service that sends. */
			if (depth == 0)
				snprintf(e->out->via, sizeof(e->out->via), "%s", target);
			return 1;
		}
		if (r == SPF_RESULT_TEMPERROR)
			return -(int)SPF_RESULT_TEMPERROR;
		if (r == SPF_RESULT_NONE) {
			reason(e, "include:%s has no SPF record", target);
			return -(int)SPF_RESULT_PERMERROR;
		}
		if (r == SPF_RESULT_PERMERROR)
			return -(int)SPF_RESULT_PERMERROR;
		return 0;
	}
	case SPF_MECH_A:
		if (!domain_ok(target))
			return 0;
		return match_addresses(e, target, m->cidr4, m->cidr6, true);
	case SPF_MECH_MX: {
		if (!domain_ok(target))
			return 0;
		const struct dns_answer *mx = ask(e, target, DNS_TYPE_MX);
		if (mx == NULL)
			return -(int)SPF_PENDING;
		if (is_temp(mx)) {
			reason(e, "DNS failure looking up MX of %s", target);
			return -(int)SPF_RESULT_TEMPERROR;
		}
		if (count_void(e, mx, target))
			return -(int)SPF_RESULT_PERMERROR;
		if (mx->outcome != DNS_OUTCOME_DATA)
			return 0;
		/* RFC 7208 4.6.4: more than 10 MX names is a PermError. */
		if (mx->nrr > SPF_MAX_MX_NAMES) {
			reason(e, "mx:%s has more than 10 MX names", target);
			return -(int)SPF_RESULT_PERMERROR;
		}
		for (size_t i = 0; i < mx->nrr; i++) {
			/* A null MX (".") names no host. */
			if (!domain_ok(mx->rr[i].data))
				continue;
			rc = match_addresses(e, mx->rr[i].data, m->cidr4, m->cidr6, false);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	case SPF_MECH_PTR: {
		char valid[DNS_NAME_BUF];
		/* RFC 7208 5.5: a DNS error in the PTR lookup is no match. */
		rc = validated_name(e, target, valid, sizeof(valid));
		if (rc == (int)SPF_PENDING)
			return -(int)SPF_PENDING;
		size_t vl = strlen(valid), tl = strlen(target);
		return strcmp(valid, "unknown") != 0 &&
		       (dns_name_equal(valid, target) || (vl > tl && valid[vl - tl - 1] == '.' &&
		                                          dns_name_equal(valid + vl - tl, target)));
	}
	case SPF_MECH_EXISTS: {
		if (!domain_ok(target))
			return 0;
		/* RFC 7208 5.7: always an A query, whatever the client. */
		const struct dns_answer *a = ask(e, target, DNS_TYPE_A);
		if (a == NULL)
			return -(int)SPF_PENDING;
		if (is_temp(a)) {
			reason(e, "DNS failure looking up %s", target);
			return -(int)SPF_RESULT_TEMPERROR;
		}
		if (count_void(e, a, target))
			return -(int)SPF_RESULT_PERMERROR;
		return a->outcome == DNS_OUTCOME_DATA && a->nrr > 0;
	}
	default:
		return 0;
	}
}

static enum spf_result qualifier_result(char q)
{
	switch (q) {
	case '-':
		return SPF_RESULT_FAIL;
	case '~':
		return SPF_RESULT_SOFTFAIL;
	case '?':
		return SPF_RESULT_NEUTRAL;
	default:
		return SPF_RESULT_PASS;
	}
}

/* RFC 7208 6.2: the explanation for a fail, from the exp= of the record
 * that failed. Any problem means no explanation (the default applies). */
static void explain(struct ev *e, const struct spf_record *rec, const char *domain)
{
	char target[DNS_NAME_BUF], err[160], ptr[DNS_NAME_BUF] = "unknown";
	char buf[SPF_MAX_EXPANSION];

	if (rec->exp == NULL)
		return;
	int rc = expand_domain(e, rec->exp, domain, target, sizeof(target));
	if (rc != 0 || !domain_ok(target))
		return;
	const struct dns_answer *a = ask(e, target, DNS_TYPE_TXT);
	if (a == NULL || a->outcome != DNS_OUTCOME_DATA || a->nrr != 1)
		return;
	const char *text = a->rr[0].data;
	size_t len = a->rr[0].len;
	/* len bytes: a NUL inside is no end (spf_macro_expand refuses it). */
	if (memmem(text, len, "%{p", 3) != NULL || memmem(text, len, "%{P", 3) != NULL) {
		if (validated_name(e, domain, ptr, sizeof(ptr)) != 0)
			return;
	}
	char dtext[DNS_NAME_BUF], ptext[DNS_NAME_BUF];
	macro_text(domain, dtext, sizeof(dtext));
	macro_text(ptr, ptext, sizeof(ptext));
	struct spf_macro_ctx ctx = { e->sender, dtext,       e->ip, e->v6,
		                     e->helo,   e->receiver, ptext, e->now };
	int n = spf_macro_expand(text, len, &ctx, true, buf, sizeof(buf), err, sizeof(err));
	if (n < 0)
		return;
	free(e->out->explanation);
	e->out->explanation = strdup(buf);
}

static enum spf_result check_host(struct ev *e, const char *domain, int depth, bool want_exp)
{
	const struct dns_answer *txt;
	struct spf_record *rec = NULL;
	const struct dns_rr *found = NULL;
	enum spf_result r = SPF_RESULT_NEUTRAL;
	int nfound = 0;

	/* RFC 7208 4.3: a malformed or single-label <domain> is "none". */
	if (!domain_ok(domain)) {
		reason(e, "not a valid domain: %s", domain);
		return SPF_RESULT_NONE;
	}
	txt = ask(e, domain, DNS_TYPE_TXT);
	if (txt == NULL)
		return SPF_PENDING;
	if (is_temp(txt)) {
		reason(e, "DNS failure looking up the TXT records of %s", domain);
		return SPF_RESULT_TEMPERROR;
	}
	if (depth > 0 && count_void(e, txt, domain))
		return SPF_RESULT_PERMERROR;
	for (size_t i = 0; txt->outcome == DNS_OUTCOME_DATA && i < txt->nrr; i++)
		if (spf_is_record(txt->rr[i].data, txt->rr[i].len)) {
			found = &txt->rr[i];
			nfound++;
		}
	if (nfound == 0) {
		reason(e, "no SPF record at %s", domain);
		return SPF_RESULT_NONE;
	}
	if (nfound > 1) {
		reason(e, "more than one SPF record at %s", domain);
		return SPF_RESULT_PERMERROR;
	}
	if (spf_parse(found->data, found->len, &rec) != 0)
		return SPF_RESULT_TEMPERROR; /* out of memory: no verdict */
	if (rec->permerror) {
		snprintf(e->out->reason, sizeof(e->out->reason), "%s: %s", domain,
		         rec->findings.n ? rec->findings.v[0].message : "syntax error");
		spf_record_free(rec);
		return SPF_RESULT_PERMERROR;
	}
	for (size_t i = 0; i < rec->nmechs; i++) {
		int m = mechanism(e, &rec->mechs[i], domain, depth);
		if (m < 0) {
			r = (enum spf_result)(-m);
			goto out;
		}
		if (m == 1) {
			r = qualifier_result(rec->mechs[i].qualifier);
			snprintf(e->out->reason, sizeof(e->out->reason), "matched %c%s at %s",
			         rec->mechs[i].qualifier, spf_mech_name(rec->mechs[i].kind),
			         domain);
			if (r == SPF_RESULT_FAIL && want_exp)
				explain(e, rec, domain);
			goto out;
		}
	}
	/* RFC 7208 6.1: redirect applies only when no mechanism matched
	 * (so never beside "all"). */
	if (rec->redirect != NULL) {
		char target[DNS_NAME_BUF];
		if (count_lookup(e, "redirect")) {
			r = SPF_RESULT_PERMERROR;
			goto out;
		}
		int rc = expand_domain(e, rec->redirect, domain, target, sizeof(target));
		if (rc == (int)SPF_PENDING) {
			r = SPF_PENDING;
			goto out;
		}
		if (rc != 0 || !domain_ok(target)) {
			reason(e, "redirect to an invalid domain %s", target);
			r = SPF_RESULT_PERMERROR;
			goto out;
		}
		r = check_host(e, target, depth + 1, want_exp);
		if (r == SPF_RESULT_NONE) {
			reason(e, "redirect=%s has no SPF record", target);
			r = SPF_RESULT_PERMERROR;
		}
		/* A domain whose policy is a redirect to its provider: the
		 * provider authorises the address. */
		if (r == SPF_RESULT_PASS && depth == 0 && e->out->via[0] == '\0')
			snprintf(e->out->via, sizeof(e->out->via), "%s", target);
		goto out;
	}
	reason(e, "no mechanism matched at %s", domain);
	r = SPF_RESULT_NEUTRAL;
out:
	spf_record_free(rec);
	return r;
}

void spf_eval_result_cleanup(struct spf_eval_result *r)
{
	free(r->explanation);
	r->explanation = NULL;
}

int spf_check_host(const struct spf_request *req, const struct spf_dns *dns,
                   struct spf_eval_result *out)
{
	struct ev e;
	char domain[DNS_NAME_BUF];
	uint8_t v6[16];

	memset(out, 0, sizeof(*out));
	memset(&e, 0, sizeof(e));
	e.dns = dns;
	e.out = out;
	e.helo = req->helo;
	e.receiver = req->receiver;
	e.now = req->now;
	if (inet_pton(AF_INET, req->ip, e.ip) == 1) {
		e.v6 = false;
	} else if (inet_pton(AF_INET6, req->ip, v6) == 1) {
		/* An IPv4-mapped IPv6 client is the IPv4 client it maps. */
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(v6, mapped, 12) == 0) {
			memcpy(e.ip, v6 + 12, 4);
		} else {
			memcpy(e.ip, v6, 16);
			e.v6 = true;
		}
	} else {
		return -1;
	}
	/* RFC 7208 4.3: with an empty MAIL FROM the HELO identity is
	 * checked as postmaster@helo; a sender without local-part gets
	 * "postmaster". */
	const char *from = req->sender ? req->sender : "";
	const char *at = strrchr(from, '@');
	const char *dom;
	if (from[0] == '\0') {
		snprintf(e.sender, sizeof(e.sender), "postmaster@%s", req->helo ? req->helo : "");
		dom = req->helo ? req->helo : "";
	} else if (at == NULL) {
		snprintf(e.sender, sizeof(e.sender), "postmaster@%s", from);
		dom = from;
	} else {
		if (at == from)
			snprintf(e.sender, sizeof(e.sender), "postmaster%s", from);
		else
			str_copy(e.sender, sizeof(e.sender), from);
		dom = at + 1;
	}
	/* The identity's domain is text, a name from here on (dnsutil.h,
	 * "Names"). Text no name can be (a control byte), or too long to be
	 * one, is malformed: RFC 7208 4.3, "none". */
	if (dns_name_from_text(dom, domain, sizeof(domain)) != 0) {
		snprintf(out->reason, sizeof(out->reason), "not a valid domain: %s", dom);
		out->result = SPF_RESULT_NONE;
		return 0;
	}
	enum spf_result r = check_host(&e, domain, 0, true);
	out->lookups = e.lookups;
	out->void_lookups = e.voids;
	if (r == SPF_PENDING || out->pending) {
		out->pending = true;
		out->result = SPF_RESULT_TEMPERROR;
		return 0;
	}
	out->result = r;
	if (r != SPF_RESULT_FAIL) {
		free(out->explanation);
		out->explanation = NULL;
	}
	return 0;
}
