/*
 * msg_analyze.c — one message read the way a postmaster reads it: the
 * header fields (mailhdr), the hops the Received fields trace, every
 * other trace field placed at its hop, the ARC sets, the identities and
 * their alignment with From (RFC 7489 3.1), and the verdict the trusted
 * receiver recorded (RFC 8601). The findings are msg_findings.c's.
 *
 * Placement (message.h): a trace field belongs to the hop of the nearest
 * Received above it, because receivers prepend what they add (RFC 5321
 * 4.4, RFC 8601 5). Some MTAs add their Authentication-Results (or a
 * whole ARC set, as Gmail does) above their own Received: a result whose
 * authserv-id names the "by" host of the Received just below it belongs
 * to that hop instead. An ARC set sits where its ARC-Authentication-
 * Results sits (the sealer adds the three fields together, RFC 8617
 * 5.1.2), else where its ARC-Seal sits.
 */
#include "message.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msg_impl.h"
#include "strutil.h"

const char *msg_dmarc_verdict_name(enum msg_dmarc_verdict v)
{
	switch (v) {
	case MSG_DMARC_PASS:
		return "pass";
	case MSG_DMARC_FAIL:
		return "fail";
	case MSG_DMARC_NONE:
		return "none";
	case MSG_DMARC_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *msg_verified_name(enum msg_verified v)
{
	static const char *const names[] = {
		[MSG_VERIFY_NOT_CHECKED] = "not_checked",
		[MSG_VERIFY_PASS] = "pass",
		[MSG_VERIFY_BODY_MISMATCH] = "body_hash_mismatch",
		[MSG_VERIFY_SIGNATURE_MISMATCH] = "signature_mismatch",
		[MSG_VERIFY_KEY_NOT_FOUND] = "key_not_found",
		[MSG_VERIFY_KEY_REVOKED] = "key_revoked",
		[MSG_VERIFY_KEY_INVALID] = "key_invalid",
		[MSG_VERIFY_TEMPERROR] = "temperror",
		[MSG_VERIFY_INVALID] = "invalid",
	};

	if ((size_t)v < sizeof(names) / sizeof(names[0]) && names[v] != NULL)
		return names[v];
	return "not_checked";
}

/* ---- domains ---- */

static char ascii_lower(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void msg_domain_of(const char *in, char *out, size_t outlen)
{
	const char *at = strrchr(in, '@');
	const char *s = at != NULL ? at + 1 : in;
	size_t n, k = 0;

	if (outlen == 0)
		return;
	while (*s != '\0' && (is_space(*s) || *s == '<' || *s == '"'))
		s++;
	n = strlen(s);
	while (n > 0 &&
	       (is_space(s[n - 1]) || s[n - 1] == '>' || s[n - 1] == '"' || s[n - 1] == '.'))
		n--;
	for (size_t i = 0; i < n && k + 1 < outlen; i++)
		out[k++] = ascii_lower(s[i]);
	out[k] = '\0';
}

void msg_org_of(msg_org_fn org, const char *domain, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	out[0] = '\0';
	if (domain[0] == '\0')
		return;
	if (org == NULL || org(domain, out, outlen) != 0 || out[0] == '\0')
		str_copy(out, outlen, domain);
}

bool msg_aligned_relaxed(msg_org_fn org, const char *domain, const struct msg_identity *from)
{
	char o[MSG_DOMAIN];

	if (domain[0] == '\0' || from->org_domain[0] == '\0')
		return false;
	msg_org_of(org, domain, o, sizeof(o));
	return strcasecmp(o, from->org_domain) == 0;
}

/* ---- addresses (RFC 5322 3.4) ---- */

/* A bounded text being built. */
struct buf {
	char *s;
	size_t cap, n;
};

static void buf_put(struct buf *b, char c)
{
	if (b->n + 1 < b->cap) {
		b->s[b->n++] = c;
		b->s[b->n] = '\0';
	}
}

static void buf_reset(struct buf *b)
{
	b->n = 0;
	if (b->cap > 0)
		b->s[0] = '\0';
}

/* One mailbox being read: its phrase (the display name, quotes removed),
 * its bare addr-spec, its angle-addr, the first comment (old "addr (Name)"
 * form). */
struct mbox {
	char dsp[MSG_TEXT], raw[MSG_ADDR], ang[MSG_ADDR], cmt[MSG_TEXT];
	struct buf d, r, a, c;
	bool angle;
};

static void mbox_reset(struct mbox *m)
{
	m->d = (struct buf){ m->dsp, sizeof(m->dsp), 0 };
	m->r = (struct buf){ m->raw, sizeof(m->raw), 0 };
	m->a = (struct buf){ m->ang, sizeof(m->ang), 0 };
	m->c = (struct buf){ m->cmt, sizeof(m->cmt), 0 };
	buf_reset(&m->d);
	buf_reset(&m->r);
	buf_reset(&m->a);
	buf_reset(&m->c);
	m->angle = false;
}

/* What the parse keeps: the first mailbox and how many there were. */
struct addr_out {
	char *display; /* raw (not yet decoded) */
	size_t dlen;
	char *address;
	size_t alen;
	size_t count;
};

static void trim_copy(char *dst, size_t cap, const char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memmove(dst, s, n);
	dst[n] = '\0';
}

static void mbox_end(struct mbox *m, struct addr_out *o)
{
	const char *addr = m->angle ? m->ang : m->raw;
	const char *route_end;

	/* RFC 5322 4.4 obs-route: "<@relay1,@relay2:user@host>". */
	if (m->angle && addr[0] == '@' && (route_end = strchr(addr, ':')) != NULL)
		addr = route_end + 1;
	if (addr[0] != '\0') {
		if (o->count == 0) {
			trim_copy(o->address, o->alen, addr);
			trim_copy(o->display, o->dlen, m->angle ? m->dsp : m->cmt);
		}
		o->count++;
	}
	mbox_reset(m);
}

/* A comment (nested, with quoted-pairs) starting at s[0] == '('; its text
 * goes to keep when keep is empty. Returns the index after it. */
static size_t skip_comment(const char *s, struct buf *keep)
{
	size_t i = 1;
	int depth = 1;
	bool take = keep->n == 0;

	while (s[i] != '\0' && depth > 0) {
		if (s[i] == '\\' && s[i + 1] != '\0')
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			break;
		if (take)
			buf_put(keep, s[i]);
		i++;
	}
	return s[i] == ')' ? i + 1 : i;
}

/* A quoted string at s[0] == '"': its content to the phrase, the whole of
 * it (quotes kept) to the bare addr-spec (a quoted local-part). */
static size_t read_quoted(const char *s, struct mbox *m)
{
	size_t i = 1;

	buf_put(&m->r, '"');
	while (s[i] != '\0' && s[i] != '"') {
		if (s[i] == '\\' && s[i + 1] != '\0') {
			buf_put(&m->r, s[i]);
			i++;
		}
		buf_put(&m->d, s[i]);
		buf_put(&m->r, s[i]);
		i++;
	}
	buf_put(&m->r, '"');
	return s[i] == '"' ? i + 1 : i;
}

/* An angle-addr at s[0] == '<' (white space and comments inside dropped). */
static size_t read_angle(const char *s, struct mbox *m)
{
	size_t i = 1;
	struct buf ignore = { NULL, 0, 1 };

	m->angle = true;
	buf_reset(&m->a);
	while (s[i] != '\0' && s[i] != '>') {
		if (s[i] == '(') {
			i += skip_comment(s + i, &ignore);
			continue;
		}
		if (s[i] == '"') {
			/* a quoted local-part: copied whole */
			buf_put(&m->a, s[i++]);
			while (s[i] != '\0' && s[i] != '"') {
				if (s[i] == '\\' && s[i + 1] != '\0')
					buf_put(&m->a, s[i++]);
				buf_put(&m->a, s[i++]);
			}
			if (s[i] == '"')
				buf_put(&m->a, s[i++]);
			continue;
		}
		if (!is_space(s[i]))
			buf_put(&m->a, s[i]);
		i++;
	}
	return s[i] == '>' ? i + 1 : i;
}

/*
 * address-list / mailbox-list (RFC 5322 3.4, with the obsolete forms of
 * 4.4): display names, quoted strings, comments, angle brackets, groups
 * ("Team: a@b.example, c@d.example;"), empty list elements.
 */
static void parse_addresses(const char *v, struct addr_out *o)
{
	struct mbox *m = calloc(1, sizeof(*m));
	size_t i = 0;

	o->count = 0;
	if (o->dlen > 0)
		o->display[0] = '\0';
	if (o->alen > 0)
		o->address[0] = '\0';
	if (m == NULL)
		return;
	mbox_reset(m);
	while (v[i] != '\0') {
		char c = v[i];

		if (c == '(') {
			i += skip_comment(v + i, &m->c);
		} else if (c == '"') {
			i += read_quoted(v + i, m);
		} else if (c == '<') {
			i += read_angle(v + i, m);
		} else if (c == ',' || c == ';') {
			mbox_end(m, o);
			i++;
		} else if (c == ':' && !m->angle && strchr(m->raw, '[') == NULL) {
			/* a group's display name ends: it names no mailbox */
			mbox_reset(m);
			i++;
		} else if (is_space(c)) {
			if (m->d.n > 0 && m->dsp[m->d.n - 1] != ' ')
				buf_put(&m->d, ' ');
			i++;
		} else {
			buf_put(&m->d, c);
			buf_put(&m->r, c);
			i++;
		}
	}
	mbox_end(m, o);
	free(m);
}

static void identity_fill(struct msg_identity *id, const char *value, msg_org_fn org,
                          size_t *naddrs)
{
	char raw_display[MSG_TEXT];
	struct addr_out o = { raw_display, sizeof(raw_display), id->address, sizeof(id->address),
		              0 };

	id->present = true;
	parse_addresses(value, &o);
	mailhdr_decode_words(raw_display, id->display, sizeof(id->display));
	msg_domain_of(id->address, id->domain, sizeof(id->domain));
	if (id->address[0] != '\0' && strchr(id->address, '@') == NULL)
		id->domain[0] = '\0'; /* a local name alone has no domain */
	msg_org_of(org, id->domain, id->org_domain, sizeof(id->org_domain));
	if (naddrs != NULL)
		*naddrs = o.count;
}

static void align_with_from(struct msg_identity *id, const struct msg_identity *from)
{
	if (id->domain[0] == '\0' || from->domain[0] == '\0')
		return;
	id->aligned_strict = strcmp(id->domain, from->domain) == 0;
	id->aligned_relaxed = strcasecmp(id->org_domain, from->org_domain) == 0;
}

static void read_identity(struct msg_analysis *a, const char *name, struct msg_identity *id,
                          msg_org_fn org, size_t *naddrs)
{
	const struct mailhdr_field *f = mailhdr_get(&a->hdr, name);

	id->count = mailhdr_count(&a->hdr, name);
	if (f != NULL)
		identity_fill(id, f->value, org, naddrs);
}

/* ---- hops ---- */

/* above[i]: the hop of the nearest kept Received above field i, or -1. */
static int read_hops(struct msg_analysis *a, int *above)
{
	size_t n = mailhdr_count(&a->hdr, "Received");
	size_t keep = n < MSG_HOPS_MAX ? n : MSG_HOPS_MAX;
	int cur = -1;

	a->hops_dropped = n > MSG_HOPS_MAX;
	a->hops = calloc(keep > 0 ? keep : 1, sizeof(*a->hops));
	if (a->hops == NULL)
		return -1;
	for (size_t i = 0; i < a->hdr.n; i++) {
		if (mailhdr_is(&a->hdr.v[i], "Received") && a->nhops < keep) {
			struct msg_hop *h = &a->hops[a->nhops];

			h->field = i;
			msg_received_parse(a->hdr.v[i].value, &h->rcv);
			cur = (int)a->nhops++;
		}
		above[i] = cur;
	}
	for (size_t k = 0; k < a->nhops; k++) {
		long long w0 = a->hops[k].rcv.when;
		long long w1 = k + 1 < a->nhops ? a->hops[k + 1].rcv.when : -1;

		a->hops[k].delay = (w0 >= 0 && w1 >= 0) ? w0 - w1 : -1;
	}
	return 0;
}

/* The hop of field i; name (an authserv-id, a Received-SPF receiver) may
 * move it to the Received just below when it names that one's "by". */
static int place(const struct msg_analysis *a, const int *above, size_t i, const char *name)
{
	int up = above[i];
	size_t below = up < 0 ? 0 : (size_t)up + 1;

	if (name[0] != '\0' && below < a->nhops && a->hops[below].field > i &&
	    strcasecmp(a->hops[below].rcv.by_host, name) == 0 &&
	    !(up >= 0 && strcasecmp(a->hops[up].rcv.by_host, name) == 0))
		return (int)below;
	return up < 0 ? 0 : up;
}

/* ---- trace fields ---- */

static size_t count2(const struct mailhdr *h, const char *a, const char *b)
{
	return mailhdr_count(h, a) + mailhdr_count(h, b);
}

static int read_results(struct msg_analysis *a, const int *above, struct msg_work *w)
{
	size_t n = count2(&a->hdr, "Authentication-Results", "ARC-Authentication-Results");
	size_t keep = n < MSG_AR_MAX ? n : MSG_AR_MAX;

	w->ars_dropped = n - keep;
	a->ars = calloc(keep > 0 ? keep : 1, sizeof(*a->ars));
	if (a->ars == NULL)
		return -1;
	for (size_t i = 0; i < a->hdr.n && a->nars < keep; i++) {
		const struct mailhdr_field *f = &a->hdr.v[i];
		bool arc = mailhdr_is(f, "ARC-Authentication-Results");
		struct msg_ar_view *v;

		if (!arc && !mailhdr_is(f, "Authentication-Results"))
			continue;
		v = &a->ars[a->nars++];
		v->field = i;
		v->arc = arc;
		msg_authres_parse(f->value, arc, &v->ar);
		v->hop = place(a, above, i, v->ar.authserv_id);
	}
	return 0;
}

/* Who wrote a Received-SPF: its receiver= key, else the name before the
 * colon that opens its comment, as RFC 7208 9.1's example writes it
 * ("(mybox.example.org: domain of ...)"); "" when neither. */
static const char *spf_receiver(const struct msg_received_spf *spf, char *buf, size_t len)
{
	const char *c = spf->comment, *colon;
	size_t n;

	if (spf->receiver[0] != '\0')
		return spf->receiver;
	buf[0] = '\0';
	if (c[0] == '(')
		c++;
	colon = strchr(c, ':');
	n = colon ? (size_t)(colon - c) : 0;
	if (n == 0 || n >= len || memchr(c, ' ', n) != NULL)
		return buf;
	memcpy(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static int read_spf(struct msg_analysis *a, const int *above, struct msg_work *w)
{
	size_t n = mailhdr_count(&a->hdr, "Received-SPF");
	size_t keep = n < MSG_AR_MAX ? n : MSG_AR_MAX;

	w->spfs_dropped = n - keep;
	a->spfs = calloc(keep > 0 ? keep : 1, sizeof(*a->spfs));
	if (a->spfs == NULL)
		return -1;
	for (size_t i = 0; i < a->hdr.n && a->nspfs < keep; i++) {
		struct msg_spf_view *v;
		char name[MSG_DOMAIN];

		if (!mailhdr_is(&a->hdr.v[i], "Received-SPF"))
			continue;
		v = &a->spfs[a->nspfs++];
		v->field = i;
		msg_received_spf_parse(a->hdr.v[i].value, &v->spf);
		v->hop = place(a, above, i, spf_receiver(&v->spf, name, sizeof(name)));
	}
	return 0;
}

static int read_dkim(struct msg_analysis *a, const int *above, msg_org_fn org, struct msg_work *w)
{
	size_t n = mailhdr_count(&a->hdr, "DKIM-Signature");
	size_t keep = n < MSG_SIGS_MAX ? n : MSG_SIGS_MAX;

	w->sigs_dropped = n - keep;
	a->dkim = calloc(keep > 0 ? keep : 1, sizeof(*a->dkim));
	if (a->dkim == NULL)
		return -1;
	for (size_t i = 0; i < a->hdr.n && a->ndkim < keep; i++) {
		struct msg_dkim_view *v;

		if (!mailhdr_is(&a->hdr.v[i], "DKIM-Signature"))
			continue;
		v = &a->dkim[a->ndkim++];
		v->field = i;
		v->hop = above[i] < 0 ? 0 : above[i];
		msg_sig_parse(a->hdr.v[i].value, MSG_SIG_DKIM, &v->sig);
		msg_org_of(org, v->sig.d, v->org_domain, sizeof(v->org_domain));
		if (v->sig.d[0] != '\0' && a->from.domain[0] != '\0') {
			v->aligned_strict = strcasecmp(v->sig.d, a->from.domain) == 0;
			v->aligned_relaxed = strcasecmp(v->org_domain, a->from.org_domain) == 0;
		}
	}
	return 0;
}

/* ---- ARC (RFC 8617) ---- */

/* Slots by instance, 1..MSG_ARC_MAX; dup counts fields seen twice. */
struct arc_slots {
	struct msg_arc_set set[MSG_ARC_MAX + 1];
	bool used[MSG_ARC_MAX + 1];
	bool dup;
};

static struct msg_arc_set *arc_slot(struct arc_slots *s, int instance, struct msg_work *w)
{
	if (instance < 1 || instance > MSG_ARC_MAX) {
		w->arc_ignored++;
		return NULL;
	}
	if (!s->used[instance]) {
		s->used[instance] = true;
		s->set[instance].instance = instance;
		s->set[instance].seal_field = SIZE_MAX;
		s->set[instance].ams_field = SIZE_MAX;
		s->set[instance].aar_field = SIZE_MAX;
		s->set[instance].hop = -1;
	}
	return &s->set[instance];
}

static void arc_gather(struct msg_analysis *a, const int *above, struct arc_slots *s,
                       struct msg_work *w)
{
	struct msg_sig sig;

	for (size_t i = 0; i < a->hdr.n; i++) {
		const struct mailhdr_field *f = &a->hdr.v[i];
		bool seal = mailhdr_is(f, "ARC-Seal");
		struct msg_arc_set *set;

		if (!seal && !mailhdr_is(f, "ARC-Message-Signature"))
			continue;
		msg_sig_parse(f->value, seal ? MSG_SIG_ARC_SEAL : MSG_SIG_ARC_MS, &sig);
		set = arc_slot(s, sig.instance, w);
		if (set == NULL)
			continue;
		if ((seal ? set->seal_field : set->ams_field) != SIZE_MAX) {
			s->dup = true; /* RFC 8617 4.2.1: one of each per instance */
			continue;
		}
		if (seal) {
			set->seal_field = i;
			set->seal = sig;
			if (set->hop < 0)
				set->hop = above[i] < 0 ? 0 : above[i];
		} else {
			set->ams_field = i;
			set->ams = sig;
		}
	}
	for (size_t k = 0; k < a->nars; k++) {
		const struct msg_ar_view *v = &a->ars[k];
		struct msg_arc_set *set;

		if (!v->arc || (set = arc_slot(s, v->ar.instance, w)) == NULL)
			continue;
		if (set->aar_field != SIZE_MAX) {
			s->dup = true;
			continue;
		}
		set->aar_field = v->field;
		set->hop = v->hop; /* the sealer's hop, named by its authserv-id */
	}
}

/* RFC 8617 5.1.1: instances 1..N with no gap, each set whole, i=1
 * declaring cv=none and every later one cv=pass. */
static bool arc_whole(const struct msg_analysis *a, bool dup)
{
	if (dup || a->narc == 0)
		return false;
	for (size_t k = 0; k < a->narc; k++) {
		const struct msg_arc_set *s = &a->arc[k];

		if (s->instance != (int)k + 1 || s->seal_field == SIZE_MAX ||
		    s->ams_field == SIZE_MAX || s->aar_field == SIZE_MAX)
			return false;
		if (strcmp(s->seal.cv, k == 0 ? "none" : "pass") != 0)
			return false;
	}
	return true;
}

static int read_arc(struct msg_analysis *a, const int *above, struct msg_work *w)
{
	struct arc_slots *s = calloc(1, sizeof(*s));
	size_t n = 0;

	if (s == NULL)
		return -1;
	arc_gather(a, above, s, w);
	for (int i = 1; i <= MSG_ARC_MAX; i++)
		n += s->used[i];
	a->arc = calloc(n > 0 ? n : 1, sizeof(*a->arc));
	if (a->arc == NULL) {
		free(s);
		return -1;
	}
	for (int i = 1; i <= MSG_ARC_MAX; i++) {
		if (!s->used[i])
			continue;
		if (s->set[i].hop < 0)
			s->set[i].hop = 0;
		a->arc[a->narc++] = s->set[i];
	}
	a->arc_structure_ok = arc_whole(a, s->dup);
	if (a->narc > 0)
		str_copy(a->arc_last_cv, sizeof(a->arc_last_cv), a->arc[a->narc - 1].seal.cv);
	free(s);
	return 0;
}

/* ---- the verdict ---- */

static void read_verdict(struct msg_analysis *a, const struct msg_options *opt, msg_org_fn org)
{
	const struct msg_authres *t;
	const struct msg_ar_result *r;

	a->trusted_ar = -1;
	for (size_t k = 0; k < a->nars; k++) {
		const struct msg_ar_view *v = &a->ars[k];

		if (v->arc || (opt->authserv_id != NULL &&
		               strcasecmp(v->ar.authserv_id, opt->authserv_id) != 0))
			continue;
		a->trusted_ar = (long)k;
		a->ars[k].trusted = true;
		break;
	}
	if (a->trusted_ar < 0)
		return;
	t = &a->ars[a->trusted_ar].ar;
	str_copy(a->authserv_id, sizeof(a->authserv_id), t->authserv_id);
	if ((r = msg_authres_find(t, "dmarc")) != NULL) {
		str_copy(a->dmarc_result, sizeof(a->dmarc_result), r->result);
		if (strcmp(r->result, "pass") == 0)
			a->dmarc = MSG_DMARC_PASS;
		else if (strcmp(r->result, "fail") == 0)
			a->dmarc = MSG_DMARC_FAIL;
		else if (strcmp(r->result, "none") == 0)
			a->dmarc = MSG_DMARC_NONE;
		str_copy(a->policy_p, sizeof(a->policy_p), r->policy_p);
		str_copy(a->policy_dis, sizeof(a->policy_dis), r->policy_dis);
	}
	if ((r = msg_authres_find(t, "spf")) != NULL)
		str_copy(a->spf_result, sizeof(a->spf_result), r->result);
	for (size_t k = 0; k < t->nresults; k++) {
		r = &t->results[k];
		if (strcmp(r->method, "dkim") != 0)
			continue;
		if (a->dkim_result[0] == '\0' || strcmp(r->result, "pass") == 0)
			str_copy(a->dkim_result, sizeof(a->dkim_result), r->result);
	}
	/* The envelope when no Return-Path was kept: the trusted smtp.mailfrom. */
	if (!a->envelope.present && (r = msg_authres_find(t, "spf")) != NULL) {
		const char *mf = msg_ar_prop(r, "smtp", "mailfrom");

		if (mf != NULL && mf[0] != '\0') {
			a->envelope.present = true;
			str_copy(a->envelope.address, sizeof(a->envelope.address), mf);
			msg_domain_of(mf, a->envelope.domain, sizeof(a->envelope.domain));
			msg_org_of(org, a->envelope.domain, a->envelope.org_domain,
			           sizeof(a->envelope.org_domain));
			align_with_from(&a->envelope, &a->from);
		}
	}
}

/* ---- the whole ---- */

static void read_identities(struct msg_analysis *a, msg_org_fn org, struct msg_work *w)
{
	const struct mailhdr_field *f;

	read_identity(a, "From", &a->from, org, &w->from_addrs);
	if (a->from.domain[0] != '\0')
		a->from.aligned_relaxed = a->from.aligned_strict = true;
	read_identity(a, "Sender", &a->sender, org, NULL);
	read_identity(a, "Reply-To", &a->reply_to, org, NULL);
	read_identity(a, "Return-Path", &a->return_path, org, NULL);
	align_with_from(&a->sender, &a->from);
	align_with_from(&a->reply_to, &a->from);
	align_with_from(&a->return_path, &a->from);
	if (a->return_path.present && a->return_path.domain[0] != '\0')
		a->envelope = a->return_path;
	if ((f = mailhdr_get(&a->hdr, "Subject")) != NULL)
		mailhdr_decode_words(f->value, a->subject, sizeof(a->subject));
	if ((f = mailhdr_get(&a->hdr, "Message-ID")) != NULL)
		str_copy(a->message_id, sizeof(a->message_id), f->value);
	if ((f = mailhdr_get(&a->hdr, "Date")) != NULL)
		str_copy(a->date_text, sizeof(a->date_text), f->value);
}

static int analyze_fields(struct msg_analysis *a, const struct msg_options *opt, struct msg_work *w)
{
	int *above = calloc(a->hdr.n > 0 ? a->hdr.n : 1, sizeof(*above));
	int rc = -1;

	if (above == NULL)
		return -1;
	read_identities(a, opt->org, w);
	if (read_hops(a, above) != 0 || read_results(a, above, w) != 0 ||
	    read_spf(a, above, w) != 0 || read_dkim(a, above, opt->org, w) != 0 ||
	    read_arc(a, above, w) != 0)
		goto out;
	read_verdict(a, opt, opt->org);
	rc = 0;
out:
	free(above);
	return rc;
}

int msg_analyze(const uint8_t *data, size_t len, const struct msg_options *opt,
                struct msg_analysis *out)
{
	size_t hlen = len < MSG_HEADER_MAX ? len : MSG_HEADER_MAX;
	struct msg_work w = { 0 };

	memset(out, 0, sizeof(*out));
	out->trusted_ar = -1;
	if (mailhdr_parse(data, hlen, MSG_FIELDS_MAX, MSG_VALUE_MAX, &out->hdr) != 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	/* The header section did not end within the cap: what follows was cut. */
	w.header_cut = len > MSG_HEADER_MAX && !out->hdr.blank_line && out->hdr.body_off >= hlen;
	for (size_t i = 0; i < out->hdr.n; i++)
		w.values_cut += out->hdr.v[i].truncated;
	if (analyze_fields(out, opt, &w) != 0 || msg_findings(out, opt, &w) != 0) {
		msg_analysis_cleanup(out);
		return -1;
	}
	return 0;
}

void msg_analysis_cleanup(struct msg_analysis *a)
{
	if (a == NULL)
		return;
	mailhdr_free(&a->hdr);
	free(a->hops);
	free(a->ars);
	free(a->spfs);
	free(a->dkim);
	free(a->arc);
	findings_cleanup(&a->findings);
	memset(a, 0, sizeof(*a));
	a->trusted_ar = -1;
}
