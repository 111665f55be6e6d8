/*
 * mta_sts_policy.c — the MTA-STS policy file served at
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt (RFC 8461 3.2). Pure:
 * the caller fetches it (3.3) and hands the body in.
 *
 * RFC 8461 3.2's grammar, in short:
 *
 *   sts-policy-record = sts-policy-field *WSP
 *                       *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]
 *   sts-policy-field  = sts-policy-version / sts-policy-mode / sts-policy-max-age /
 *                       sts-policy-mx / sts-policy-extension
 *   field-delim       = ":" *WSP
 *   sts-policy-term   = LF / CRLF
 *   version: %s"STSv1"; mode: %s"testing" / %s"enforce" / %s"none";
 *   max_age: 1*10(DIGIT); mx: ["*."] Domain
 *
 * The fields are alternatives with no order: version need not come
 * first (the drafts up to -07 ordered them; RFC 8461 does not), so a
 * policy whose version line comes later is valid here, as it is to
 * senders. Field names and values are case-sensitive (RFC 7405 %s).
 * "If any non-"mx" field is duplicated, all entries except for the first
 * SHALL be ignored" (3.2): a repeat is a warning, the first counts.
 * "If any field is not specified, the policy SHALL be treated as
 * invalid" (version, mode, max_age; mx "required at least once, except
 * when mode is none"). Lenient where senders are: white space around the
 * ':' and at either end of a line, blank lines, a line without ':'
 * (warned about and skipped).
 */
#include "transport.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dnsutil.h"
#include "strutil.h"
#include "transport_impl.h"

/* Below a day, a policy in force expires between a sender's daily
 * refreshes (RFC 8461 3.2: max_age values are "expected ... in the range
 * of weeks or greater"; 5.1 suggests refreshing once a day). */
#define MAX_AGE_SHORT 86400

struct pscan {
	struct mta_sts_policy *p;
	const char *path;
	bool oom;
	bool have_version, have_mode, have_max_age;
	bool version_ok, mode_ok, max_age_ok;
	bool mx_overflow; /* said once */
};

#define padd(sc, code, sev, ...)                                                                   \
	transport_add(&(sc)->p->findings, (sc)->path, &(sc)->oom, (code), (sev), __VA_ARGS__)

static bool is_exactly(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static bool is_word_nocase(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (str_lower(s[i]) != w[i])
			return false;
	return true;
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* sts-policy-mx-value = ["*."] Domain (RFC 5321 Domain: LDH labels of 1
 * to 63 bytes, letters or digits at either end; A-labels only, 3.2). A
 * final dot is tolerated (the match ignores it). */
static bool mx_pattern_ok(const char *s, size_t n)
{
	size_t label = 0;

	if (n >= 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		n -= 2;
	}
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		bool alnum =
		        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && !(c == '-' && label > 0))
			return false;
		if (++label > 63)
			return false;
	}
	return s[n - 1] != '-';
}

static void duplicate(struct pscan *sc, const char *key, const char *v, size_t n)
{
	char e[400];
	transport_esc(v, n, e, sizeof(e));
	padd(sc, "mta_sts.policy_duplicate_field", FINDING_WARNING,
	     "Keep one line per field (only mx may repeat).",
	     "%s appears more than once (\"%s\" ignored): senders use the first (RFC 8461 3.2)",
	     key, e);
}

static void read_version(struct pscan *sc, const char *v, size_t n)
{
	char e[400];
	if (sc->have_version) {
		duplicate(sc, "version", v, n);
		return;
	}
	sc->have_version = true;
	sc->version_ok = is_exactly(v, n, "STSv1");
	if (!sc->version_ok) {
		transport_esc(v, n, e, sizeof(e));
		padd(sc, "mta_sts.policy_bad_version", FINDING_ERROR,
		     "Write \"version: STSv1\" (case-sensitive).",
		     "version is \"%s\", not STSv1; senders treat the policy as invalid "
		     "(RFC 8461 3.2)",
		     e);
	}
}

static void read_mode(struct pscan *sc, const char *v, size_t n)
{
	static const char *const names[] = { "none", "testing", "enforce" };
	char e[400];

	if (sc->have_mode) {
		duplicate(sc, "mode", v, n);
		return;
	}
	sc->have_mode = true;
	for (int m = 0; m < 3; m++)
		if (is_exactly(v, n, names[m])) {
			sc->p->mode = (enum mta_sts_mode)m;
			sc->mode_ok = true;
			return;
		}
	transport_esc(v, n, e, sizeof(e));
	padd(sc, "mta_sts.policy_bad_mode", FINDING_ERROR,
	     "Write \"mode: testing\" while you watch TLS-RPT reports, then \"mode: enforce\" "
	     "(lower case).",
	     "mode is \"%s\", not enforce, testing or none (case-sensitive); senders treat the "
	     "policy as invalid (RFC 8461 3.2)",
	     e);
}

static void read_max_age(struct pscan *sc, const char *v, size_t n)
{
	char e[400];
	long age = 0;
	bool ok = n >= 1 && n <= 10;

	if (sc->have_max_age) {
		duplicate(sc, "max_age", v, n);
		return;
	}
	sc->have_max_age = true;
	for (size_t i = 0; ok && i < n; i++) {
		ok = v[i] >= '0' && v[i] <= '9';
		if (ok)
			age = age * 10 + (v[i] - '0');
	}
	if (!ok || age > MTA_STS_MAX_AGE_MAX) {
		transport_esc(v, n, e, sizeof(e));
		padd(sc, "mta_sts.policy_bad_max_age", FINDING_ERROR,
		     "Give max_age in seconds, at most 31557600 (a year); weeks are usual, e.g. "
		     "\"max_age: 1209600\".",
		     "max_age \"%s\" is not a number of seconds from 0 to 31557600; senders treat "
		     "the "
		     "policy as invalid (RFC 8461 3.2)",
		     e);
		return;
	}
	sc->p->max_age = age;
	sc->max_age_ok = true;
}

static void read_mx(struct pscan *sc, const char *v, size_t n)
{
	char e[400];
	struct mta_sts_policy *p = sc->p;

	if (n >= sizeof(p->mx[0]) || !mx_pattern_ok(v, n)) {
		transport_esc(v, n, e, sizeof(e));
		padd(sc, "mta_sts.policy_bad_mx_pattern", FINDING_WARNING,
		     "Write each mx line as an MX host name (mx: mail.example.com) or one leading "
		     "wildcard label (mx: *.example.net), in A-label (punycode) form.",
		     "mx \"%s\" is neither a host name nor \"*.\" and a host name; it matches no "
		     "MX "
		     "(RFC 8461 3.2, 4.1)",
		     e);
		return;
	}
	if (p->nmx >= MTA_STS_MX_MAX) {
		if (!sc->mx_overflow)
			padd(sc, "mta_sts.policy_too_many_mx", FINDING_WARNING,
			     "List the MX hosts with fewer lines, using *.domain patterns.",
			     "the policy has more than %d mx lines; posture checks the first %d",
			     MTA_STS_MX_MAX, MTA_STS_MX_MAX);
		sc->mx_overflow = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		p->mx[p->nmx][i] = str_lower(v[i]);
	p->mx[p->nmx][n] = '\0';
	p->nmx++;
}

/* A known field name in another case: ignored by senders (%s). */
static void read_other(struct pscan *sc, const char *k, size_t kn)
{
	static const char *const known[] = { "version", "mode", "max_age", "mx" };
	char e[400];

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (is_word_nocase(k, kn, known[i])) {
			transport_esc(k, kn, e, sizeof(e));
			padd(sc, "mta_sts.policy_bad_line", FINDING_WARNING,
			     "Write the field names in lower case: version, mode, mx, max_age.",
			     "field \"%s\" is not \"%s\": names are case-sensitive and senders "
			     "ignore "
			     "the line (RFC 8461 3.2)",
			     e, known[i]);
			return;
		}
	/* 3.2: "unknown fields SHALL be ignored". */
}

/* One line, its terminator (LF, or CRLF) removed. */
static void read_line(struct pscan *sc, const char *s, size_t n)
{
	char e[400];

	while (n > 0 && is_wsp(s[n - 1]))
		n--;
	while (n > 0 && is_wsp(s[0])) {
		s++;
		n--;
	}
	if (n == 0)
		return;
	const char *colon = memchr(s, ':', n);
	if (colon == NULL) {
		transport_esc(s, n, e, sizeof(e));
		padd(sc, "mta_sts.policy_bad_line", FINDING_WARNING,
		     "Write every line as \"name: value\".",
		     "line \"%s\" has no ':'; senders skip it or refuse the policy (RFC 8461 3.2)",
		     e);
		return;
	}
	size_t kn = (size_t)(colon - s);
	const char *v = colon + 1;
	size_t vn = n - kn - 1;
	while (kn > 0 && is_wsp(s[kn - 1]))
		kn--;
	while (vn > 0 && is_wsp(v[0])) {
		v++;
		vn--;
	}
	if (is_exactly(s, kn, "version"))
		read_version(sc, v, vn);
	else if (is_exactly(s, kn, "mode"))
		read_mode(sc, v, vn);
	else if (is_exactly(s, kn, "max_age"))
		read_max_age(sc, v, vn);
	else if (is_exactly(s, kn, "mx"))
		read_mx(sc, v, vn);
	else
		read_other(sc, s, kn);
}

/* The required fields (3.2: "If any field is not specified, the policy
 * SHALL be treated as invalid"), and max_age's advice. */
static void check_required(struct pscan *sc)
{
	struct mta_sts_policy *p = sc->p;

	if (!sc->have_version)
		padd(sc, "mta_sts.policy_no_version", FINDING_ERROR,
		     "Start the policy with \"version: STSv1\".",
		     "the policy has no version line; senders treat it as invalid (RFC 8461 3.2)");
	if (!sc->have_mode)
		padd(sc, "mta_sts.policy_no_mode", FINDING_ERROR,
		     "Add \"mode: testing\" (then \"mode: enforce\" once TLS-RPT reports are "
		     "clean).",
		     "the policy has no mode line; senders treat it as invalid (RFC 8461 3.2)");
	if (!sc->have_max_age)
		padd(sc, "mta_sts.policy_no_max_age", FINDING_ERROR,
		     "Add \"max_age: 1209600\" (two weeks) or longer.",
		     "the policy has no max_age line; senders treat it as invalid (RFC 8461 3.2)");
	if (sc->mode_ok && p->mode != MTA_STS_MODE_NONE && p->nmx == 0)
		padd(sc, "mta_sts.policy_no_mx", FINDING_ERROR,
		     "Add one \"mx:\" line per MX host (or a *.domain pattern covering them).",
		     "mode %s without a usable mx line: no MX can match and senders treat the "
		     "policy "
		     "as invalid (RFC 8461 3.2)",
		     mta_sts_mode_name(p->mode));
	if (sc->mode_ok && sc->max_age_ok && p->mode != MTA_STS_MODE_NONE &&
	    p->max_age < MAX_AGE_SHORT)
		padd(sc, "mta_sts.policy_max_age_short", FINDING_WARNING,
		     "Raise max_age to weeks (e.g. 1209600) so cached policies outlive an attacker "
		     "blocking the policy fetch.",
		     "max_age %ld is under a day: the policy lapses between senders' refreshes and "
		     "a downgrade at refresh time goes unnoticed (RFC 8461 3.2: weeks or more)",
		     p->max_age);
}

int mta_sts_policy_parse(const char *body, size_t len, const char *path, struct mta_sts_policy *out)
{
	struct pscan sc = { .p = out, .path = path };

	memset(out, 0, sizeof(*out));
	out->mode = MTA_STS_MODE_NONE;
	out->max_age = -1;
	if (len > MTA_STS_POLICY_MAX) {
		padd(&sc, "mta_sts.policy_too_large", FINDING_ERROR,
		     "Keep the policy file short: version, mode, mx lines and max_age.",
		     "the policy is %zu bytes, over %d; senders may refuse it (RFC 8461 3.3)", len,
		     MTA_STS_POLICY_MAX);
		return sc.oom ? -1 : 0;
	}
	if (body == NULL)
		len = 0;
	if (len > 0 && memchr(body, '\0', len) != NULL) {
		padd(&sc, "mta_sts.policy_nul", FINDING_ERROR,
		     "Serve the policy as plain text: \"name: value\" lines, nothing else.",
		     "the policy holds a NUL byte: it is not text (RFC 8461 3.2)");
		return sc.oom ? -1 : 0;
	}
	for (size_t pos = 0; pos < len;) {
		const char *lf = memchr(body + pos, '\n', len - pos);
		size_t end = lf ? (size_t)(lf - body) : len;
		size_t n = end - pos;
		/* 3.2: sts-policy-term = LF / CRLF. */
		if (lf != NULL && n > 0 && body[end - 1] == '\r')
			n--;
		read_line(&sc, body + pos, n);
		pos = end + 1;
	}
	check_required(&sc);
	if (!sc.max_age_ok)
		out->max_age = -1;
	out->valid = sc.version_ok && sc.mode_ok && sc.max_age_ok &&
	             (out->mode == MTA_STS_MODE_NONE || out->nmx > 0);
	if (!sc.mode_ok)
		out->mode = MTA_STS_MODE_NONE;
	return sc.oom ? -1 : 0;
}

void mta_sts_policy_cleanup(struct mta_sts_policy *p)
{
	findings_cleanup(&p->findings);
	p->findings.v = NULL;
	p->findings.n = 0;
}
