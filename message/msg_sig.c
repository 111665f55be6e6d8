/*
 * msg_sig.c — the tags of DKIM-Signature (RFC 6376 3.5),
 * ARC-Message-Signature (RFC 8617 4.1.2) and ARC-Seal (RFC 8617 4.1.3),
 * on the shared tag-list tokenizer (RFC 6376 3.2: FWS around tags,
 * case-sensitive names, unknown tags ignored, a repeated tag spoils the
 * list).
 *
 *   DKIM-Signature  v=1 a b bh d h s required; c i l q t x z optional.
 *   ARC-Message-Sig like DKIM, but i= is the ARC instance (1 to 50) and
 *                   there is no v= (one present is ignored).
 *   ARC-Seal        i a b cv d s required, t optional; it signs no
 *                   body and lists no fields: h= is not allowed (RFC 8617
 *                   4.1.3), other DKIM tags are ignored.
 *
 * Nothing is verified here (msg_verify.c does that); this reads what
 * the signer declared, for display and alignment. Never fails:
 * .malformed and .problem (the first problem) say what was wrong, and
 * every tag that could be read is kept.
 */
#include "message.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "strutil.h"
#include "taglist.h"

enum tag_id {
	TAG_V,
	TAG_A,
	TAG_B,
	TAG_BH,
	TAG_C,
	TAG_D,
	TAG_H,
	TAG_I,
	TAG_L,
	TAG_Q,
	TAG_S,
	TAG_T,
	TAG_X,
	TAG_Z,
	TAG_CV,
	TAG_COUNT
};

static const struct taglist_tag tags[TAG_COUNT] = {
	{ "v", TAG_V }, { "a", TAG_A }, { "b", TAG_B }, { "bh", TAG_BH }, { "c", TAG_C },
	{ "d", TAG_D }, { "h", TAG_H }, { "i", TAG_I }, { "l", TAG_L },   { "q", TAG_Q },
	{ "s", TAG_S }, { "t", TAG_T }, { "x", TAG_X }, { "z", TAG_Z },   { "cv", TAG_CV },
};

/* The required tags of each kind, in the order a missing one is named. */
static const enum tag_id required_dkim[] = { TAG_V, TAG_A, TAG_B, TAG_BH, TAG_D, TAG_H, TAG_S };
static const enum tag_id required_ams[] = { TAG_I, TAG_A, TAG_B, TAG_BH, TAG_D, TAG_H, TAG_S };
static const enum tag_id required_seal[] = { TAG_I, TAG_A, TAG_B, TAG_CV, TAG_D, TAG_S };

/* Unknown tag names remembered for RFC 6376 3.2's duplicate rule. */
#define UNKNOWN_MAX 16

struct scan {
	struct msg_sig *out;
	uint64_t seen;
	const char *val[TAG_COUNT];
	size_t len[TAG_COUNT];
	const char *unknown[UNKNOWN_MAX];
	size_t unknown_len[UNKNOWN_MAX];
	size_t nunknown;
};

static bool is_fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void problem(struct msg_sig *out, const char *what)
{
	if (!out->malformed)
		str_copy(out->problem, sizeof(out->problem), what);
	out->malformed = true;
}

static void problem_tag(struct msg_sig *out, const char *what, enum tag_id t)
{
	char msg[sizeof(out->problem)];
	str_join3(msg, sizeof(msg), what, tags[t].name, "=");
	problem(out, msg);
}

/* Copies n bytes of s (FWS dropped when asked) into dst (cap > 0),
 * lower-cased when asked; cut on a UTF-8 boundary. */
static void copy(char *dst, size_t cap, const char *s, size_t n, bool lower_case)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		char ch = s[i];
		if (lower_case)
			ch = str_lower(ch);
		dst[o++] = ch;
	}
	if (o < n) {
		/* Cut: drop a sequence split in half. */
		size_t k = o;
		while (k > 0 && o - k < 3 && ((unsigned char)dst[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)dst[k - 1] >= 0xC0) {
			unsigned char lead = (unsigned char)dst[k - 1];
			size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
			if (o - (k - 1) < need)
				o = k - 1;
		}
	}
	dst[o] = '\0';
}

/* Non-FWS bytes of a base64 value (RFC 6376 3.5 b=, bh=); *ok false
 * when one of them is not a base64 digit or '='. */
static size_t base64_len(const char *s, size_t n, bool *ok)
{
	size_t count = 0;
	*ok = true;
	for (size_t i = 0; i < n; i++) {
		if (is_fws(s[i]))
			continue;
		if (str_base64_value((unsigned char)s[i]) < 0 && s[i] != '=')
			*ok = false;
		count++;
	}
	return count;
}

/* 1*18DIGIT (t=, x=: 1*12DIGIT; l=: 1*76DIGIT, but larger does not fit). */
static bool number(const char *s, size_t n, long long *v)
{
	if (n == 0 || n > 18)
		return false;
	long long r = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	return true;
}

/* h= without FWS; when it does not fit, cut after the last whole name. */
static void copy_h(struct msg_sig *out, const char *s, size_t n)
{
	size_t o = 0, last_colon = 0;
	bool cut = false;
	for (size_t i = 0; i < n; i++) {
		if (is_fws(s[i]))
			continue;
		if (o + 1 >= sizeof(out->h)) {
			cut = true;
			break;
		}
		if (s[i] == ':')
			last_colon = o;
		out->h[o++] = s[i];
	}
	out->h[cut ? last_colon : o] = '\0';
}

static void unknown_tag(struct scan *sc, const struct taglist_spec *s)
{
	for (size_t i = 0; i < sc->nunknown; i++) {
		if (sc->unknown_len[i] == s->name_len &&
		    memcmp(sc->unknown[i], s->name, s->name_len) == 0) {
			problem(sc->out, "a tag appears twice");
			return;
		}
	}
	if (sc->nunknown < UNKNOWN_MAX) {
		sc->unknown[sc->nunknown] = s->name;
		sc->unknown_len[sc->nunknown] = s->name_len;
		sc->nunknown++;
	}
}

static void read_spec(struct scan *sc, const struct taglist_spec *s)
{
	if (s->cls == TAGLIST_EMPTY)
		return; /* ";;" or a trailing ';': harmless */
	if (s->cls != TAGLIST_OK) {
		problem(sc->out, "a tag is not tag=value");
		return;
	}
	if (!s->value_valchars)
		problem(sc->out, "a tag value holds bytes outside RFC 6376 VALCHAR");
	const struct taglist_tag *t =
	        taglist_find(tags, TAG_COUNT, s->name, s->name_len, TAGLIST_CASE_SENSITIVE);
	if (t == NULL) {
		unknown_tag(sc, s);
		return;
	}
	if (taglist_mark_seen(&sc->seen, t->id)) {
		/* RFC 6376 3.2: the first one is kept, the list is invalid. */
		problem_tag(sc->out, "duplicate ", (enum tag_id)t->id);
		return;
	}
	sc->val[t->id] = s->value;
	sc->len[t->id] = s->value_len;
}

/* v= (DKIM only), i= (the AUID for DKIM, the instance for ARC). */
static void read_v_i(struct scan *sc)
{
	struct msg_sig *out = sc->out;
	long long n;

	if (out->kind == MSG_SIG_DKIM && taglist_was_seen(sc->seen, TAG_V)) {
		if (number(sc->val[TAG_V], sc->len[TAG_V], &n) && n <= 1000000)
			out->version = (int)n;
		if (out->version != 1)
			problem(out, "v= is not 1");
	}
	if (!taglist_was_seen(sc->seen, TAG_I))
		return;
	if (out->kind == MSG_SIG_DKIM) {
		copy(out->i_ident, sizeof(out->i_ident), sc->val[TAG_I], sc->len[TAG_I], false);
		return;
	}
	/* RFC 8617 4.2.1: 1 to 50. */
	if (!number(sc->val[TAG_I], sc->len[TAG_I], &n) || n > 1000000) {
		problem(out, "i= is not a number");
		return;
	}
	out->instance = (int)n;
	if (n < 1 || n > MSG_ARC_MAX)
		problem(out, "i= out of range 1 to 50");
}

static void read_numbers(struct scan *sc)
{
	static const enum tag_id ids[] = { TAG_T, TAG_X, TAG_L };
	long long *dst[] = { &sc->out->t, &sc->out->x, &sc->out->l };
	for (size_t k = 0; k < 3; k++) {
		enum tag_id id = ids[k];
		if (!taglist_was_seen(sc->seen, id))
			continue;
		if (sc->out->kind == MSG_SIG_ARC_SEAL && id != TAG_T)
			continue; /* not a seal's tag: ignored */
		if (!number(sc->val[id], sc->len[id], dst[k]))
			problem_tag(sc->out, "unreadable ", id);
	}
}

/* RFC 6376 3.5: i= is [local-part] "@" domain, the domain d= or a
 * subdomain of it (verifiers fail the signature otherwise). */
static void check_i_in_d(struct msg_sig *out)
{
	const char *at = strrchr(out->i_ident, '@');
	if (at == NULL) {
		problem(out, "i= is not an address");
		return;
	}
	const char *dom = at + 1;
	size_t n = strlen(dom), dn = strlen(out->d);
	if (dn == 0 || n < dn)
		goto outside;
	for (size_t k = 0; k < dn; k++)
		if (str_lower(dom[n - dn + k]) != out->d[k])
			goto outside;
	if (n == dn || dom[n - dn - 1] == '.')
		return;
outside:
	problem(out, "i= is not in d=");
}

static void read_values(struct scan *sc)
{
	struct msg_sig *out = sc->out;
	bool seal = out->kind == MSG_SIG_ARC_SEAL;
	bool ok;

	read_v_i(sc);
	copy(out->d, sizeof(out->d), sc->val[TAG_D], sc->len[TAG_D], true);
	copy(out->s, sizeof(out->s), sc->val[TAG_S], sc->len[TAG_S], false);
	copy(out->a, sizeof(out->a), sc->val[TAG_A], sc->len[TAG_A], true);
	if (!seal) {
		copy(out->c, sizeof(out->c), sc->val[TAG_C], sc->len[TAG_C], false);
		copy_h(out, sc->val[TAG_H], sc->len[TAG_H]);
		(void)base64_len(sc->val[TAG_BH], sc->len[TAG_BH], &ok);
		if (!ok)
			problem(out, "bh= is not base64");
	} else {
		copy(out->cv, sizeof(out->cv), sc->val[TAG_CV], sc->len[TAG_CV], true);
		if (taglist_was_seen(sc->seen, TAG_CV) && strcmp(out->cv, "none") != 0 &&
		    strcmp(out->cv, "pass") != 0 && strcmp(out->cv, "fail") != 0)
			problem(out, "cv= is not none, pass or fail");
		/* RFC 8617 4.1.3: an ARC-Seal with h= is invalid. */
		if (taglist_was_seen(sc->seen, TAG_H))
			problem(out, "h= in an ARC-Seal");
	}
	out->b_len = base64_len(sc->val[TAG_B], sc->len[TAG_B], &ok);
	if (!ok)
		problem(out, "b= is not base64");
	read_numbers(sc);
	if (out->kind == MSG_SIG_DKIM && taglist_was_seen(sc->seen, TAG_I))
		check_i_in_d(out);
	/* RFC 6376 3.5: x= MUST be greater than t=. */
	if (out->t >= 0 && out->x >= 0 && out->x <= out->t)
		problem(out, "x= is not after t=");
}

static void check_required(struct scan *sc)
{
	const enum tag_id *req = required_dkim;
	size_t n = sizeof(required_dkim) / sizeof(required_dkim[0]);
	if (sc->out->kind == MSG_SIG_ARC_MS) {
		req = required_ams;
		n = sizeof(required_ams) / sizeof(required_ams[0]);
	} else if (sc->out->kind == MSG_SIG_ARC_SEAL) {
		req = required_seal;
		n = sizeof(required_seal) / sizeof(required_seal[0]);
	}
	for (size_t k = 0; k < n; k++) {
		if (!taglist_was_seen(sc->seen, req[k]))
			problem_tag(sc->out, "missing ", req[k]);
		else if (sc->len[req[k]] == 0)
			problem_tag(sc->out, "empty ", req[k]);
	}
}

void msg_sig_parse(const char *value, enum msg_sig_kind kind, struct msg_sig *out)
{
	struct scan sc;
	struct taglist_iter it;
	struct taglist_spec s;

	memset(out, 0, sizeof(*out));
	memset(&sc, 0, sizeof(sc));
	out->kind = kind;
	out->version = -1;
	out->t = out->x = out->l = -1;
	sc.out = out;
	for (size_t k = 0; k < TAG_COUNT; k++)
		sc.val[k] = "";
	if (value == NULL)
		value = "";

	taglist_begin(&it, value, strlen(value), TAGLIST_SPACE_FWS);
	while (taglist_next(&it, &s))
		read_spec(&sc, &s);
	check_required(&sc);
	read_values(&sc);
}

bool msg_sig_signs(const struct msg_sig *s, const char *field)
{
	if (s == NULL || field == NULL)
		return false;
	size_t flen = strlen(field);
	const char *p = s->h;
	while (*p != '\0') {
		const char *colon = strchr(p, ':');
		size_t n = colon != NULL ? (size_t)(colon - p) : strlen(p);
		if (n == flen && n > 0) {
			size_t i = 0;
			while (i < n && str_lower(p[i]) == str_lower(field[i]))
				i++;
			if (i == n)
				return true;
		}
		if (colon == NULL)
			break;
		p = colon + 1;
	}
	return false;
}
