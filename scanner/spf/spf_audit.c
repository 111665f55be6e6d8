/*
 * spf_audit.c — the SPF tree walk behind `posture spf` and scans.
 *
 * Every include and redirect is followed (a loop is cut and reported),
 * a/mx/exists targets are resolved for void lookups and address space
 * (IPv4 view: a void is an A lookup with no records, as an IPv4 client's
 * check_host would see it), and each problem becomes a finding whose path
 * reads like "example.com → include:_spf.vendor.example → (no SPF record)".
 * The status is decided after the walk, so the whole tree is always shown.
 * Past the 10th DNS-querying term (RFC 7208 4.6.4) check_host asks
 * nothing more, and neither does the audit but for the TXT of the
 * includes and redirects it still shows: later a/mx/exists terms are
 * counted, not resolved. So even a hostile tree costs a bounded number
 * of answers (SPF_AUDIT_MAX_ANSWERS).
 */
#include "spf_audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

#define ARROW " \xe2\x86\x92 " /* " → " */

const char *spf_status_name(enum spf_status s)
{
	static const char *const names[] = { "ok", "none", "permerror", "temperror" };
	return (unsigned)s < 4 ? names[s] : "unknown";
}

struct walk {
	const struct spf_dns *dns;
	struct spf_audit *out;
	int nodes;
	int lookups;      /* DNS-querying terms so far, in check_host's order */
	int asked;        /* answers asked so far, present or missing */
	int depth;        /* of the record being read: the root is 0 */
	bool txt_missing; /* a record's TXT is missing: later counts unknown */
	bool cut;         /* SPF_AUDIT_MAX_ANSWERS reached (and reported) */
	bool pending;
	/* The first error decides the status: permerror, else temperror. */
	const char *perm_code, *temp_code;
};

static void add(struct walk *w, const char *code, enum finding_severity sev, const char *path,
                const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void add(struct walk *w, const char *code, enum finding_severity sev, const char *path,
                const char *fix, const char *fmt, ...)
{
	char msg[FINDING_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	findings_add(&w->out->findings, code, sev, path, fix, "%s", msg);
}

static void perm(struct walk *w, const char *code)
{
	if (w->perm_code == NULL)
		w->perm_code = code;
}

/* Notes one more missing answer once the walk is pending. */
static void look_ahead(struct walk *w, const char *name, uint16_t type)
{
	struct spf_audit *o = w->out;
	if (o->nmore >= SPF_AUDIT_LOOKAHEAD || strlen(name) >= SPF_NEED_NAME ||
	    (o->need_type == type && dns_name_equal(o->need_name, name)))
		return;
	for (size_t i = 0; i < o->nmore; i++)
		if (o->more[i].type == type && dns_name_equal(o->more[i].name, name))
			return;
	str_copy(o->more[o->nmore].name, SPF_NEED_NAME, name);
	o->more[o->nmore].type = type;
	o->nmore++;
}

static const struct dns_answer *ask(struct walk *w, const char *name, uint16_t type)
{
	const struct dns_answer *a = w->dns->get(w->dns->ctx, name, type);
	w->asked++;
	/* The audit asks TXT only for records. */
	if (a == NULL && type == DNS_TYPE_TXT)
		w->txt_missing = true;
	if (a == NULL && !w->pending) {
		w->pending = true;
		str_copy(w->out->need_name, sizeof(w->out->need_name), name);
		w->out->need_type = type;
	} else if (a == NULL && w->depth <= SPF_AUDIT_LOOKAHEAD_DEPTH) {
		look_ahead(w, name, type);
	}
	return a;
}

/* The walk goes on past a missing answer (the result is thrown away and
 * the walk replayed) only to name more missing answers. Nothing past the
 * gap depends on the missing answer: siblings are read independently. */
static bool stopped(const struct walk *w)
{
	return w->pending && w->out->nmore >= SPF_AUDIT_LOOKAHEAD;
}

/*
 * Whether the audit resolves the target of an a, mx or exists term now
 * counted: not past the 10th lookup, which check_host never gets beyond
 * (RFC 7208 4.6.4), nor while a missing TXT leaves the count unknown (the
 * replay with that answer decides). Within the limit a tree asks at most
 * 211 answers, so SPF_AUDIT_MAX_ANSWERS never stops these.
 */
static bool resolvable(const struct walk *w)
{
	return w->lookups <= SPF_MAX_DNS_LOOKUPS && !w->txt_missing &&
	       w->asked < SPF_AUDIT_MAX_ANSWERS;
}

static bool temp(const struct dns_answer *a)
{
	return a->outcome == DNS_OUTCOME_TIMEOUT || a->outcome == DNS_OUTCOME_SERVFAIL ||
	       a->outcome == DNS_OUTCOME_MALFORMED;
}

static bool void_answer(const struct dns_answer *a)
{
	return a->outcome == DNS_OUTCOME_NODATA || a->outcome == DNS_OUTCOME_NXDOMAIN;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t span(int host_bits)
{
	return host_bits >= 64 ? UINT64_MAX : (uint64_t)1 << host_bits;
}

static void temp_failure(struct walk *w, const char *path, const char *name,
                         const struct dns_answer *a)
{
	if (w->temp_code == NULL)
		w->temp_code = "spf.temperror";
	add(w, "spf.temperror", FINDING_ERROR, path,
	    "Retry later; if it persists, fix the DNS servers of that name.",
	    "DNS failure looking up %s (%s%s%s): TempError", name, dns_outcome_name(a->outcome),
	    a->detail[0] ? ": " : "", a->detail);
}

/* Adds the addresses of A/AAAA answers at name to the address space. */
static void count_addresses(struct walk *w, const char *name, int c4, int c6, int *voids,
                            const char *path)
{
	const struct dns_answer *a = ask(w, name, DNS_TYPE_A);
	const struct dns_answer *aaaa = ask(w, name, DNS_TYPE_AAAA);
	if (a == NULL || aaaa == NULL)
		return;
	if (temp(a)) {
		temp_failure(w, path, name, a);
		return;
	}
	if (voids != NULL && void_answer(a))
		(*voids)++;
	if (a->outcome == DNS_OUTCOME_DATA)
		w->out->ipv4_addresses = sat_add(w->out->ipv4_addresses,
		                                 (uint64_t)a->nrr * span(32 - (c4 >= 0 ? c4 : 32)));
	if (aaaa->outcome == DNS_OUTCOME_DATA) {
		int p6 = c6 >= 0 ? c6 : 128;
		w->out->ipv6_64s = sat_add(w->out->ipv6_64s,
		                           (uint64_t)aaaa->nrr * (p6 >= 64 ? 1 : span(64 - p6)));
	}
}

static struct spf_node *node_new(const char *domain, const char *via)
{
	struct spf_node *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->domain = strdup(domain);
	n->via = via ? strdup(via) : NULL;
	if (n->domain == NULL || (via != NULL && n->via == NULL)) {
		free(n->domain);
		free(n->via);
		free(n);
		return NULL;
	}
	return n;
}

static void node_free(struct spf_node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nchildren; i++)
		node_free(n->children[i]);
	free(n->children);
	free(n->domain);
	free(n->via);
	free(n->record);
	free(n);
}

static int node_add_child(struct spf_node *n, struct spf_node *c)
{
	struct spf_node **v = realloc(n->children, (n->nchildren + 1) * sizeof(struct spf_node *));
	if (v == NULL)
		return -1;
	n->children = v;
	v[n->nchildren++] = c;
	return 0;
}

struct stack {
	const char *names[SPF_AUDIT_MAX_DEPTH + 1];
	int depth;
};

static struct spf_node *visit(struct walk *w, const char *domain, const char *via, const char *path,
                              struct stack *st, bool *no_record);

/* Follows include:/redirect= target from node n. */
static void follow(struct walk *w, struct spf_node *n, const char *target, bool redirect,
                   const char *path, struct stack *st)
{
	char via[DNS_NAME_BUF + 16], childpath[2048];
	bool no_record = false;

	str_join(via, sizeof(via), redirect ? "redirect=" : "include:", target);
	str_join3(childpath, sizeof(childpath), path, ARROW, via);
	for (int i = 0; i < st->depth; i++)
		if (dns_name_equal(st->names[i], target)) {
			perm(w, "spf.include_loop");
			add(w, "spf.include_loop", FINDING_ERROR, childpath,
			    "Remove the include or redirect that leads back to a record already "
			    "being evaluated.",
			    "%s leads back to %s: a loop, which exhausts the 10-lookup limit "
			    "(PermError)",
			    via, target);
			return;
		}
	if (st->depth >= SPF_AUDIT_MAX_DEPTH || w->nodes >= SPF_AUDIT_MAX_NODES) {
		add(w, "spf.tree_too_large", FINDING_WARNING, childpath, NULL,
		    "the tree is larger than posture follows (%d records, %d levels); not followed",
		    SPF_AUDIT_MAX_NODES, SPF_AUDIT_MAX_DEPTH);
		return;
	}
	if (w->asked >= SPF_AUDIT_MAX_ANSWERS) {
		if (!w->cut)
			add(w, "spf.tree_too_large", FINDING_WARNING, childpath, NULL,
			    "the tree needs more than %d DNS answers (SPF_AUDIT_MAX_ANSWERS), more "
			    "than posture asks for one domain; not followed from here",
			    SPF_AUDIT_MAX_ANSWERS);
		w->cut = true;
		return;
	}
	struct spf_node *c = visit(w, target, via, childpath, st, &no_record);
	w->depth = st->depth - 1; /* back in the record n (on the stack) */
	if (c == NULL)
		return;
	if (node_add_child(n, c) != 0) {
		node_free(c);
		return;
	}
	n->lookups_total += c->lookups_total;
	if (no_record) {
		const char *code = redirect ? "spf.redirect_no_record" : "spf.include_no_record";
		char p[2200];
		str_join(p, sizeof(p), childpath, ARROW "(no SPF record)");
		perm(w, code);
		add(w, code, FINDING_ERROR, p,
		    redirect ? "Point redirect= at a name that publishes an SPF record, or publish "
		               "one there."
		             : "Remove this include, or ask its owner to publish an SPF record "
		               "there; until then every check of this domain is a PermError.",
		    "%s publishes no SPF record: check_host returns PermError (RFC 7208 %s)",
		    target, redirect ? "6.1" : "5.2");
	}
}

/* A target name without its trailing dot (a FQDN's root label). */
static void strip_dot(char *t, size_t size, const char *target)
{
	str_copy(t, size, target);
	if (strlen(t) > 0 && t[strlen(t) - 1] == '.')
		t[strlen(t) - 1] = '\0';
}

/* Room for a target: the escapes of a domain-spec's text (of at most
 * DNS_NAME_BUF - 1 bytes) whole, so one too long to be a name stays one. */
#define TARGET_BUF ((size_t)4 * DNS_NAME_BUF)

/*
 * The name a term without macros looks up, without its trailing dot, in t
 * (TARGET_BUF bytes): its domain-spec, which is text (every byte literal,
 * visible ASCII by the parser's rules), as a name in presentation form
 * (dnsutil.h, "Names": ':' is \058 there, '\' \092), or, without one,
 * <domain>, a name already. A spec that is no valid name stays an invalid
 * one, which the memo answers as not asked.
 */
static void target_name(char *t, const char *spec, const char *domain)
{
	char text[DNS_NAME_BUF];

	if (spec == NULL) {
		strip_dot(t, TARGET_BUF, domain);
		return;
	}
	strip_dot(text, sizeof(text), spec);
	if (dns_name_from_text(text, t, TARGET_BUF) != 0)
		str_copy(t, TARGET_BUF, text);
}

/* What visit carries through the terms of one record. */
struct terms {
	struct spf_node *n;
	const char *domain; /* the record's name, the default target */
	const char *path;
	struct stack *st;
	int voids;
	bool has_all;
	char all_q; /* the qualifier of the last all */
};

static void ip4_mech(struct walk *w, const struct spf_mech *m, const char *path)
{
	if (m->cidr4 >= 0 && m->cidr4 < 8) {
		add(w, "spf.ip4_too_broad", FINDING_ERROR, path,
		    "Authorise only your own senders' addresses.",
		    "ip4:.../%d authorises %s IPv4 addresses: anyone can send as "
		    "this domain",
		    m->cidr4, m->cidr4 == 0 ? "all" : "a large part of all");
	} else if (m->cidr4 >= 0 && m->cidr4 < 16) {
		add(w, "spf.ip4_broad", FINDING_WARNING, path,
		    "Check that every address in this range is yours.",
		    "ip4 prefix /%d authorises %llu addresses", m->cidr4,
		    (unsigned long long)span(32 - m->cidr4));
	}
	w->out->ipv4_addresses =
	        sat_add(w->out->ipv4_addresses, span(32 - (m->cidr4 >= 0 ? m->cidr4 : 32)));
}

static void ip6_mech(struct walk *w, const struct spf_mech *m, const char *path)
{
	int p6 = m->cidr6 >= 0 ? m->cidr6 : 128;
	if (p6 < 16)
		add(w, "spf.ip6_too_broad", FINDING_ERROR, path,
		    "Authorise only your own senders' networks.",
		    "ip6 prefix /%d authorises a large part of all IPv6 addresses", p6);
	else if (p6 < 32)
		add(w, "spf.ip6_broad", FINDING_WARNING, path,
		    "Check that every address in this range is yours.",
		    "ip6 prefix /%d is wider than a whole provider allocation", p6);
	w->out->ipv6_64s = sat_add(w->out->ipv6_64s, p6 >= 64 ? 1 : span(64 - p6));
}

/* all, ip4 and ip6: no DNS lookup. False for any other mechanism. */
static bool static_mech(struct walk *w, const struct spf_mech *m, struct terms *tm)
{
	switch (m->kind) {
	case SPF_MECH_ALL:
		tm->has_all = true;
		tm->all_q = m->qualifier;
		return true;
	case SPF_MECH_IP4:
		ip4_mech(w, m, tm->path);
		return true;
	case SPF_MECH_IP6:
		ip6_mech(w, m, tm->path);
		return true;
	default:
		return false;
	}
}

/* mx: the MX names (at most 10, RFC 7208 4.6.4) and their addresses. */
static void mx_mech(struct walk *w, const struct spf_mech *m, const char *t, struct terms *tm)
{
	const struct dns_answer *mx = ask(w, t, DNS_TYPE_MX);
	if (mx == NULL)
		return;
	if (temp(mx)) {
		temp_failure(w, tm->path, t, mx);
		return;
	}
	if (void_answer(mx))
		tm->voids++;
	if (mx->outcome != DNS_OUTCOME_DATA)
		return;
	if (mx->nrr > SPF_MAX_MX_NAMES) {
		perm(w, "spf.mx_too_many_names");
		add(w, "spf.mx_too_many_names", FINDING_ERROR, tm->path,
		    "Use ip4:/ip6: or a: terms for the senders instead of mx with "
		    "more than 10 MX hosts.",
		    "mx:%s has %zu MX names; more than 10 is a PermError (RFC 7208 "
		    "4.6.4)",
		    t, mx->nrr);
	}
	for (size_t k = 0; k < mx->nrr && k < SPF_MAX_MX_NAMES; k++)
		count_addresses(w, mx->rr[k].data, m->cidr4, m->cidr6, NULL, tm->path);
}

/* exists: one A lookup, for temperrors and void lookups. */
static void exists_mech(struct walk *w, const char *t, struct terms *tm)
{
	const struct dns_answer *a = ask(w, t, DNS_TYPE_A);
	if (a == NULL)
		return;
	if (temp(a))
		temp_failure(w, tm->path, t, a);
	else if (void_answer(a))
		tm->voids++;
}

/* A mechanism that queries the DNS (RFC 7208 4.6.4), target t resolved. */
static void lookup_mech(struct walk *w, const struct spf_mech *m, const char *t, struct terms *tm)
{
	switch (m->kind) {
	case SPF_MECH_INCLUDE:
		follow(w, tm->n, t, false, tm->path, tm->st);
		break;
	case SPF_MECH_A:
		count_addresses(w, t, m->cidr4, m->cidr6, &tm->voids, tm->path);
		break;
	case SPF_MECH_MX:
		mx_mech(w, m, t, tm);
		break;
	case SPF_MECH_PTR:
		add(w, "spf.ptr_deprecated", FINDING_WARNING, tm->path,
		    "Replace ptr with ip4:/ip6: or a: terms (RFC 7208 5.5: do not use).",
		    "the ptr mechanism is slow, unreliable and deprecated; many receivers "
		    "skip it");
		break;
	case SPF_MECH_EXISTS:
		exists_mech(w, t, tm);
		break;
	default:
		break;
	}
}

/* Every mechanism of rec, in order, until the walk stops. */
static void mechanisms(struct walk *w, const struct spf_record *rec, struct terms *tm)
{
	for (size_t i = 0; i < rec->nmechs && !stopped(w); i++) {
		const struct spf_mech *m = &rec->mechs[i];
		char t[TARGET_BUF];
		target_name(t, m->domain_spec, tm->domain);
		if (static_mech(w, m, tm))
			continue;
		tm->n->lookups_self++;
		w->lookups++;
		if (spf_has_macro(m->domain_spec)) {
			add(w, "spf.macros", FINDING_INFO, tm->path, NULL,
			    "%s:%s depends on the sender or client (macros); its lookups are "
			    "counted "
			    "but not resolved here",
			    spf_mech_name(m->kind), m->domain_spec);
			continue;
		}
		/* include is followed past the limit (the tree is shown); ptr
		 * asks nothing here. */
		if (m->kind != SPF_MECH_INCLUDE && m->kind != SPF_MECH_PTR && !resolvable(w))
			continue;
		lookup_mech(w, m, t, tm);
	}
}

/* redirect= (RFC 7208 6.1): followed unless the record has an all. */
static void redirect(struct walk *w, const struct spf_record *rec, struct terms *tm)
{
	if (tm->has_all) {
		add(w, "spf.redirect_ignored", FINDING_WARNING, tm->path,
		    "Remove either the redirect= or the all; with all present the redirect "
		    "is never used (RFC 7208 6.1).",
		    "redirect=%s is ignored because the record has an 'all' mechanism",
		    rec->redirect);
		return;
	}
	tm->n->lookups_self++;
	w->lookups++;
	if (spf_has_macro(rec->redirect)) {
		add(w, "spf.macros", FINDING_INFO, tm->path, NULL,
		    "redirect=%s depends on the sender (macros); not followed", rec->redirect);
		return;
	}
	char t[TARGET_BUF];
	target_name(t, rec->redirect, NULL);
	follow(w, tm->n, t, true, tm->path, tm->st);
}

/* The one SPF record at domain, or NULL with n->status and *no_record
 * set (or nothing set while the TXT answer is pending). */
static const struct dns_rr *find_record(struct walk *w, struct spf_node *n, const char *domain,
                                        const char *via, const char *path, bool *no_record)
{
	const struct dns_rr *found = NULL;
	int nfound = 0;
	const struct dns_answer *txt = ask(w, domain, DNS_TYPE_TXT);
	if (txt == NULL)
		return NULL;
	if (temp(txt)) {
		n->status = SPF_STATUS_TEMPERROR;
		temp_failure(w, path, domain, txt);
		return NULL;
	}
	if (via != NULL && void_answer(txt))
		n->void_lookups++;
	for (size_t i = 0; txt->outcome == DNS_OUTCOME_DATA && i < txt->nrr; i++)
		if (spf_is_record(txt->rr[i].data, txt->rr[i].len)) {
			found = &txt->rr[i];
			nfound++;
		}
	if (nfound == 0) {
		n->status = SPF_STATUS_NONE;
		*no_record = true;
		return NULL;
	}
	if (nfound > 1) {
		n->status = SPF_STATUS_PERMERROR;
		perm(w, "spf.multiple_records");
		add(w, "spf.multiple_records", FINDING_ERROR, path,
		    "Merge them into one record: receivers must return PermError when a name has "
		    "more than one (RFC 7208 4.5).",
		    "%s publishes %d SPF records", domain, nfound);
		return NULL;
	}
	return found;
}

/* Keeps a copy of the record in n, parses it (*owned when no memo keeps
 * it) and reports its syntax findings at path. -1 on allocation failure. */
static int load_record(struct walk *w, struct spf_node *n, const struct dns_rr *found,
                       const char *path, const struct spf_record **rec, struct spf_record **owned)
{
	if (spf_parse_memo_get(w->dns->parsed, found->data, found->len, rec, owned) != 0)
		return -1;
	/* Kept whole, NUL bytes included; one longer than posture reads is
	 * not kept (its finding gives its length and first bytes). */
	if (found->len <= DNS_TXT_MAX_BYTES) {
		n->record = malloc(found->len + 1);
		if (n->record == NULL) {
			spf_record_free(*owned);
			*owned = NULL;
			return -1;
		}
		memcpy(n->record, found->data, found->len);
		n->record[found->len] = '\0';
		n->record_len = found->len;
	}
	for (size_t i = 0; i < (*rec)->findings.n; i++) {
		const struct finding *f = &(*rec)->findings.v[i];
		findings_add(&w->out->findings, f->code, f->severity, path, f->fix, "%s",
		             f->message);
	}
	return 0;
}

/* Reads one record and everything below it; path is how the walk got
 * here ("a.example → include:b.example"), as its findings show it.
 * *no_record is set when the name publishes no SPF record (the caller
 * decides what that means). */
static struct spf_node *visit(struct walk *w, const char *domain, const char *via, const char *path,
                              struct stack *st, bool *no_record)
{
	const struct spf_record *rec = NULL;
	struct spf_record *owned = NULL; /* rec when no memo keeps it */
	struct spf_node *n = node_new(domain, via);

	if (n == NULL)
		return NULL;
	w->nodes++;
	w->depth = st->depth;
	const struct dns_rr *found = find_record(w, n, domain, via, path, no_record);
	if (found == NULL)
		return n;
	if (load_record(w, n, found, path, &rec, &owned) != 0) {
		node_free(n);
		return NULL;
	}
	if (rec->permerror) {
		n->status = SPF_STATUS_PERMERROR;
		perm(w, "spf.syntax");
		spf_record_free(owned);
		return n;
	}
	if (rec->has_macros)
		w->out->has_macros = true;
	struct terms tm = { .n = n, .domain = domain, .path = path, .st = st };
	st->names[st->depth++] = domain;
	mechanisms(w, rec, &tm);
	if (rec->redirect != NULL && !stopped(w))
		redirect(w, rec, &tm);
	if (via == NULL && tm.has_all)
		snprintf(w->out->all, sizeof(w->out->all), "%call", tm.all_q);
	st->depth--;
	n->void_lookups += tm.voids;
	n->lookups_total += n->lookups_self;
	if (n->status == SPF_STATUS_OK && rec->permerror)
		n->status = SPF_STATUS_PERMERROR;
	spf_record_free(owned);
	return n;
}

/* The effective terminal all: the root's, or along the redirect chain. */
static void effective_all(struct spf_audit *a, struct spf_parse_memo *parsed)
{
	const struct spf_node *n = a->tree;
	while (a->all[0] == '\0' && n != NULL && n->record != NULL) {
		const struct spf_node *next = NULL;
		const struct spf_record *rec = NULL;
		struct spf_record *owned = NULL;
		if (spf_parse_memo_get(parsed, n->record, n->record_len, &rec, &owned) != 0)
			return;
		for (size_t i = 0; i < rec->nmechs; i++)
			if (rec->mechs[i].kind == SPF_MECH_ALL)
				snprintf(a->all, sizeof(a->all), "%call", rec->mechs[i].qualifier);
		spf_record_free(owned);
		for (size_t i = 0; i < n->nchildren; i++)
			if (n->children[i]->via &&
			    strncmp(n->children[i]->via, "redirect=", 9) == 0)
				next = n->children[i];
		n = next;
	}
}

static int sum_voids(const struct spf_node *n)
{
	int v = n->void_lookups;
	for (size_t i = 0; i < n->nchildren; i++)
		v += sum_voids(n->children[i]);
	return v;
}

int spf_audit_run(const char *domain, const struct spf_dns *dns, struct spf_audit *out)
{
	struct walk w;
	struct stack st;
	bool no_record = false;

	memset(out, 0, sizeof(*out));
	if (dns_name_normalize(domain, out->domain, sizeof(out->domain)) != 0)
		return -1;
	memset(&w, 0, sizeof(w));
	memset(&st, 0, sizeof(st));
	w.dns = dns;
	w.out = out;
	out->tree = visit(&w, out->domain, NULL, out->domain, &st, &no_record);
	if (out->tree == NULL) {
		spf_audit_cleanup(out);
		return -1;
	}
	if (w.pending) {
		out->pending = true;
		return 0;
	}
	if (out->tree->record != NULL) {
		out->record = malloc(out->tree->record_len + 1);
		if (out->record == NULL) {
			spf_audit_cleanup(out);
			return -1;
		}
		memcpy(out->record, out->tree->record, out->tree->record_len + 1);
		out->record_len = out->tree->record_len;
	}
	out->lookups = out->tree->lookups_total;
	out->void_lookups = sum_voids(out->tree);
	effective_all(out, dns->parsed);
	const char *root = out->domain;
	if (no_record) {
		out->status = SPF_STATUS_NONE;
		add(&w, "spf.none", FINDING_ERROR, root,
		    "Publish a TXT record such as \"v=spf1 include:<your mail provider> -all\" at "
		    "this name.",
		    "%s publishes no SPF record: receivers cannot tell its mail from forgeries",
		    root);
		return 0;
	}
	if (out->lookups > SPF_MAX_DNS_LOOKUPS) {
		perm(&w, "spf.too_many_lookups");
		add(&w, "spf.too_many_lookups", FINDING_ERROR, root,
		    "Flatten includes you control, drop unused ones, or replace a/mx with "
		    "ip4:/ip6: so the tree needs at most 10 lookups.",
		    "the record needs %d DNS-querying terms; more than 10 is a PermError (RFC 7208 "
		    "4.6.4)",
		    out->lookups);
	}
	if (out->void_lookups > SPF_MAX_VOID_LOOKUPS) {
		perm(&w, "spf.void_lookups");
		add(&w, "spf.void_lookups", FINDING_ERROR, root,
		    "Remove terms that point at names with no records.",
		    "%d lookups return no records; more than 2 is a PermError (RFC 7208 4.6.4)",
		    out->void_lookups);
	}
	if (strcmp(out->all, "+all") == 0)
		add(&w, "spf.all_pass", FINDING_ERROR, root,
		    "Replace +all with -all (or ~all while you check your senders).",
		    "+all authorises every host on the Internet to send as this domain");
	else if (strcmp(out->all, "?all") == 0)
		add(&w, "spf.all_neutral", FINDING_WARNING, root,
		    "End the record with -all or ~all so unauthorised senders fail.",
		    "?all gives no verdict for unlisted senders: the record protects nothing");
	else if (out->all[0] == '\0' && w.perm_code == NULL && w.temp_code == NULL)
		add(&w, "spf.no_all", FINDING_WARNING, root, "End the record with -all (or ~all).",
		    "no terminal all: unlisted senders get neutral, which protects nothing");
	if (w.perm_code != NULL) {
		out->status = SPF_STATUS_PERMERROR;
		out->error_code = w.perm_code;
	} else if (w.temp_code != NULL) {
		out->status = SPF_STATUS_TEMPERROR;
		out->error_code = w.temp_code;
	} else {
		out->status = SPF_STATUS_OK;
	}
	return 0;
}

void spf_audit_cleanup(struct spf_audit *a)
{
	node_free(a->tree);
	a->tree = NULL;
	free(a->record);
	a->record = NULL;
	a->record_len = 0;
	findings_cleanup(&a->findings);
}
