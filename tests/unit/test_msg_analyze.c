/*
 * Unit tests for msg_analyze.c and msg_findings.c against message.h.
 *
 * The fixtures of tests/fixtures/headers/: the incidents of issue 23
 * (each must give its finding, and clean.eml none of them), and the real
 * messages of real/ (mailauth's, MIT) whose hops, Authentication-Results,
 * DKIM signatures, ARC sets and identities were read by hand
 * (real/README.md lists them; every expected value below comes from
 * reading the files, not from running the code). Then hand-made
 * messages: address forms, alignment, the trusted receiver, placement of
 * trace fields, the ARC structure, the reading caps, --verify and --live.
 * Tests run from the top of the tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "message.h"
#include "psl.h"

#define FIX  "tests/fixtures/headers/"
#define REAL FIX "real/"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (f == NULL)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)size, f);
	assert_int_equal(*len, (size_t)size);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void analyze_opt(const char *text, size_t len, const struct msg_options *opt,
                        struct msg_analysis *a)
{
	assert_int_equal(msg_analyze((const uint8_t *)text, len, opt, a), 0);
}

static void analyze_text(const char *text, const char *authserv, struct msg_analysis *a)
{
	struct msg_options opt = { .authserv_id = authserv, .org = psl_org_domain };

	analyze_opt(text, strlen(text), &opt, a);
}

static void analyze_file(const char *path, const char *authserv, struct msg_analysis *a)
{
	size_t len;
	char *d = slurp(path, &len);
	struct msg_options opt = { .authserv_id = authserv, .org = psl_org_domain };

	analyze_opt(d, len, &opt, a);
	free(d);
}

static const struct finding *find(const struct msg_analysis *a, const char *code)
{
	for (size_t i = 0; i < a->findings.n; i++)
		if (strcmp(a->findings.v[i].code, code) == 0)
			return &a->findings.v[i];
	return NULL;
}

static size_t count(const struct msg_analysis *a, const char *code)
{
	size_t n = 0;

	for (size_t i = 0; i < a->findings.n; i++)
		n += strcmp(a->findings.v[i].code, code) == 0;
	return n;
}

/* The finding must be there, at path (NULL: none), its message holding
 * each of the words given (NULL-terminated). */
static void expect(const struct msg_analysis *a, const char *code, enum finding_severity sev,
                   const char *path, ...)
{
	const struct finding *f = find(a, code);
	va_list ap;
	const char *word;

	if (f == NULL) {
		fail_msg("no %s", code);
		return;
	}
	assert_int_equal(f->severity, sev);
	if (path == NULL)
		assert_null(f->path);
	else
		assert_string_equal(f->path, path);
	va_start(ap, path);
	while ((word = va_arg(ap, const char *)) != NULL)
		if (strstr(f->message, word) == NULL)
			fail_msg("%s: \"%s\" not in \"%s\"", code, word, f->message);
	va_end(ap);
	assert_non_null(f->fix);
}

/* The codes of a's findings, space-separated, in order. */
static void codes(const struct msg_analysis *a, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < a->findings.n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i > 0 ? " " : "",
		                         a->findings.v[i].code);
}

static const char *const incident_codes[] = {
	"headers.relay_signature",    "headers.softfail_accepted", "headers.lookalike",
	"headers.dmarc_not_enforced", "headers.weak_signature",    NULL,
};

/* ---- the incidents of issue 23 ---- */

static void test_softfail_accepted(void **state)
{
	struct msg_analysis a;

	(void)state;
	analyze_file(FIX "softfail-accepted.eml", NULL, &a);
	assert_int_equal(a.nhops, 3);
	assert_int_equal(a.dmarc, MSG_DMARC_FAIL);
	assert_string_equal(a.authserv_id, "mx.bigmail.example");
	assert_string_equal(a.policy_p, "none");
	assert_string_equal(a.policy_dis, "none");
	assert_string_equal(a.spf_result, "softfail");
	assert_string_equal(a.dkim_result, "none");
	assert_string_equal(a.from.display, "JCB Card");
	assert_string_equal(a.from.domain, "jcb.example");
	assert_string_equal(a.envelope.domain, "jcb.example");
	assert_true(a.envelope.aligned_strict);
	/* The AR sits above the Received "by mx.bigmail.example": hop 1. */
	assert_int_equal(a.ars[0].hop, 1);
	assert_int_equal(a.spfs[0].hop, 1);
	assert_string_equal(a.subject, "【JCB】ご利用確認のお願い");
	expect(&a, "headers.softfail_accepted", FINDING_WARNING, "hop 1", "softfail", "jcb.example",
	       NULL);
	expect(&a, "headers.dmarc_not_enforced", FINDING_WARNING, "hop 1", "jcb.example", "p=none",
	       NULL);
	assert_null(find(&a, "headers.relay_signature"));
	assert_null(find(&a, "headers.weak_signature"));
	msg_analysis_cleanup(&a);
}

static void test_not_enforced(void **state)
{
	struct msg_analysis a;

	(void)state;
	analyze_file(FIX "not-enforced.eml", NULL, &a);
	assert_int_equal(a.dmarc, MSG_DMARC_FAIL);
	assert_string_equal(a.from.domain, "i.carrier.example");
	assert_string_equal(a.from.org_domain, "carrier.example");
	assert_string_equal(a.envelope.domain, "spammer.example");
	assert_false(a.envelope.aligned_relaxed);
	/* From is a subdomain: sp= is the policy that applied. */
	expect(&a, "headers.dmarc_not_enforced", FINDING_WARNING, "hop 1", "i.carrier.example",
	       "sp=none", NULL);
	/* SPF passed, for a domain that is not From's. */
	assert_null(find(&a, "headers.softfail_accepted"));
	assert_null(find(&a, "headers.relay_signature"));
	assert_null(find(&a, "headers.lookalike"));
	assert_int_equal(a.findings.n, 1);
	msg_analysis_cleanup(&a);
}

static void test_relay_signature(void **state)
{
	struct msg_analysis a;

	(void)state;
	analyze_file(FIX "relay-signature.eml", NULL, &a);
	assert_int_equal(a.nhops, 4);
	assert_string_equal(a.hops[1].rcv.by_host, "mx.bigmail.example");
	assert_string_equal(a.hops[3].rcv.by_host, "mx.hosting.example");
	assert_int_equal(a.nars, 2);
	/* The trusted AR names the hop-1 receiver; the first hop's AR sits
	 * above the Received "by mx.hosting.example": hop 3. */
	assert_int_equal(a.trusted_ar, 0);
	assert_int_equal(a.ars[0].hop, 1);
	assert_string_equal(a.ars[1].ar.authserv_id, "mx.hosting.example");
	assert_int_equal(a.ars[1].hop, 3);
	assert_int_equal(a.ndkim, 1);
	assert_string_equal(a.dkim[0].sig.d, "victim.example");
	assert_string_equal(a.dkim[0].sig.s, "default");
	assert_int_equal(a.dkim[0].hop, 1);
	assert_true(a.dkim[0].aligned_strict);
	assert_int_equal(a.dmarc, MSG_DMARC_PASS);
	assert_string_equal(a.spf_result, "neutral");
	expect(&a, "headers.relay_signature", FINDING_WARNING, "hop 1", "d=victim.example",
	       "mx.hosting.example", "dmarc=fail", "hop 3", NULL);
	assert_null(find(&a, "headers.dmarc_not_enforced"));
	assert_null(find(&a, "headers.softfail_accepted"));
	assert_int_equal(a.findings.n, 1);
	msg_analysis_cleanup(&a);
}

static void test_lookalike(void **state)
{
	struct msg_analysis a;

	(void)state;
	analyze_file(FIX "lookalike.eml", NULL, &a);
	assert_string_equal(a.from.org_domain, "microsoftemails.com");
	assert_string_equal(a.return_path.domain, "bounce.microsoftemails.com");
	assert_true(a.return_path.aligned_relaxed);
	assert_false(a.return_path.aligned_strict);
	assert_int_equal(a.ndkim, 1);
	assert_string_equal(a.dkim[0].sig.d, "email2.microsoft.com");
	assert_string_equal(a.dkim[0].sig.a, "rsa-sha1");
	assert_string_equal(a.dkim[0].org_domain, "microsoft.com");
	assert_false(a.dkim[0].aligned_relaxed);
	assert_int_equal(a.dmarc, MSG_DMARC_PASS);
	assert_true(a.reply_to.aligned_strict);
	expect(&a, "headers.lookalike", FINDING_WARNING, NULL, "microsoftemails.com",
	       "microsoft.com", "d=email2.microsoft.com", NULL);
	/* microsoft.com is also in the bundled brands: reported once. */
	assert_int_equal(count(&a, "headers.lookalike"), 1);
	expect(&a, "headers.weak_signature", FINDING_WARNING, "hop 1", "rsa-sha1",
	       "email2.microsoft.com", NULL);
	assert_null(find(&a, "headers.relay_signature"));
	assert_null(find(&a, "headers.dmarc_not_enforced"));
	msg_analysis_cleanup(&a);
}

static void test_clean(void **state)
{
	struct msg_analysis a;

	(void)state;
	analyze_file(FIX "clean.eml", NULL, &a);
	assert_int_equal(a.nhops, 2);
	assert_int_equal(a.hops[0].delay, 2);
	assert_int_equal(a.hops[1].delay, -1);
	assert_int_equal(a.dmarc, MSG_DMARC_PASS);
	assert_string_equal(a.policy_p, "reject");
	assert_true(a.dkim[0].aligned_strict);
	assert_true(a.envelope.aligned_strict);
	assert_int_equal(a.nspfs, 1);
	assert_string_equal(a.spfs[0].spf.result, "pass");
	for (size_t i = 0; incident_codes[i] != NULL; i++)
		assert_null(find(&a, incident_codes[i]));
	assert_int_equal(a.findings.n, 0);
	msg_analysis_cleanup(&a);
}

/* The same message with CRLF line ends reads the same. */
static void test_clean_crlf(void **state)
{
	size_t len, k = 0;
	char *lf = slurp(FIX "clean.eml", &len);
	char *crlf = malloc(2 * len + 1);
	struct msg_options opt = { .org = psl_org_domain };
	struct msg_analysis a;

	(void)state;
	assert_non_null(crlf);
	for (size_t i = 0; i < len; i++) {
		if (lf[i] == '\n')
			crlf[k++] = '\r';
		crlf[k++] = lf[i];
	}
	analyze_opt(crlf, k, &opt, &a);
	assert_int_equal(a.nhops, 2);
	assert_int_equal(a.nars, 1);
	assert_int_equal(a.dmarc, MSG_DMARC_PASS);
	assert_string_equal(a.from.address, "a@shop.example");
	assert_int_equal(a.findings.n, 0);
	msg_analysis_cleanup(&a);
	free(lf);
	free(crlf);
}

/* ---- the real messages (values read by hand: real/README.md) ---- */

struct want_ar {
	const char *authserv;
	const char *results; /* method=result, space-separated */
	int hop;
	int instance; /* 0: Authentication-Results */
};

struct want_sig {
	const char *d, *s, *a;
	int hop;
	bool aligned;
};

struct want_arc {
	const char *cv;
	int instance, hop;
};

struct want_msg {
	const char *file;
	const char *by;     /* each hop's "by", space-separated */
	const char *delays; /* each hop's delay */
	const char *last_cv;
	const char *from, *from_display, *from_domain, *rp_domain;
	const char *policy_p, *spf, *dkim;
	const char *findings; /* the codes, space-separated */
	size_t nhops, nars, ndkim, narc, rp_count;
	long trusted;
	struct want_ar ar[3];
	struct want_sig sig[2];
	struct want_arc arc[2];
	enum msg_dmarc_verdict verdict;
	bool arc_ok;
};

/* The three arc-*.eml forwarded through Gmail from zone.ee: identical but
 * for one b= character (arc-fail: the i=2 seal, arc-fail2: the i=1 seal),
 * so as declared they read the same. */
#define ZONE_MSG(name)                                                                             \
	{                                                                                          \
		.file = (name), .nhops = 5,                                                        \
		.by = "2002:a4a:8e45:0:0:0:0:0 mx.google.com 2002:a19:24c6:0:0:0:0:0 "             \
		      "mx.google.com srs3.zonevs.eu",                                              \
		.delays = "1 1 0 26 -1", .nars = 3,                                                \
		.ar = { { "mx.google.com", "dkim=pass dkim=pass arc=pass spf=neutral dmarc=fail",  \
			  1, 2 },                                                                  \
			{ "mx.google.com", "dkim=pass dkim=pass arc=pass spf=neutral dmarc=fail",  \
			  1, 0 },                                                                  \
			{ "mx.google.com", "dkim=pass dkim=pass spf=pass dmarc=pass", 3, 1 } },    \
		.trusted = 1, .ndkim = 2,                                                          \
		.sig = { { "zonevs.eu", "oct2016", "rsa-sha256", 3, false },                       \
			 { "srs3.zonevs.eu", "oct2016", "rsa-sha256", 3, false } },                \
		.narc = 2, .arc = { { "none", 1, 3 }, { "pass", 2, 1 } }, .arc_ok = true,          \
		.last_cv = "pass", .from = "andris@zone.ee", .from_display = "",                   \
		.from_domain = "zone.ee", .rp_domain = "tr.ee", .rp_count = 2,                     \
		.verdict = MSG_DMARC_FAIL, .policy_p = "reject", .spf = "neutral", .dkim = "pass", \
		.findings = ""                                                                     \
	}

/* arc-pass.eml and arc-fail3.eml, forwarded through Gmail from ekiri.ee;
 * arc-fail3's i=2 seal declares cv=fail. */
#define EKIRI_MSG(name, cv2, ok, found)                                                            \
	{                                                                                          \
		.file = (name), .nhops = 5,                                                        \
		.by = "2002:a4a:8e45:0:0:0:0:0 mx.google.com 2002:a19:cb97:0:0:0:0:0 "             \
		      "mx.google.com uvn-67-33.tll01.zonevs.eu",                                   \
		.delays = "0 1 2 0 -1", .nars = 3,                                                 \
		.ar = { { "mx.google.com", "dkim=pass arc=pass spf=neutral", 1, 2 },               \
			{ "mx.google.com", "dkim=pass arc=pass spf=neutral", 1, 0 },               \
			{ "mx.google.com", "dkim=pass spf=pass", 3, 1 } },                         \
		.trusted = 1, .ndkim = 1,                                                          \
		.sig = { { "ekiri.ee", "default", "rsa-sha256", 4, true } }, .narc = 2,            \
		.arc = { { "none", 1, 3 }, { (cv2), 2, 1 } }, .arc_ok = (ok), .last_cv = (cv2),    \
		.from = "andris@ekiri.ee", .from_display = "andris", .from_domain = "ekiri.ee",    \
		.rp_domain = "tr.ee", .rp_count = 2, .verdict = MSG_DMARC_UNKNOWN, .policy_p = "", \
		.spf = "neutral", .dkim = "pass", .findings = (found)                              \
	}

static const struct want_msg real_msgs[] = {
	ZONE_MSG("arc-pass2.eml"),
	ZONE_MSG("arc-fail.eml"),
	ZONE_MSG("arc-fail2.eml"),
	EKIRI_MSG("arc-pass.eml", "pass", true, ""),
	EKIRI_MSG("arc-fail3.eml", "fail", false, "headers.arc_fail"),
	{
	        .file = "authtest.eml",
	        .nhops = 3,
	        .by = "2002:a67:f8c8:0:0:0:0:0 mx.google.com uvn-67-33.tll01.zonevs.eu",
	        .delays = "0 16 -1",
	        .nars = 2,
	        .ar = { { "mx.google.com", "dkim=pass spf=pass", 1, 1 },
	                { "mx.google.com", "dkim=pass spf=pass", 1, 0 } },
	        .trusted = 1,
	        .ndkim = 1,
	        .sig = { { "ekiri.ee", "default", "rsa-sha256", 2, true } },
	        .narc = 1,
	        .arc = { { "none", 1, 1 } },
	        .arc_ok = true,
	        .last_cv = "none",
	        .from = "andris@ekiri.ee",
	        .from_display = "andris",
	        .from_domain = "ekiri.ee",
	        .rp_domain = "ekiri.ee",
	        .rp_count = 1,
	        .verdict = MSG_DMARC_UNKNOWN,
	        .policy_p = "",
	        .spf = "pass",
	        .dkim = "pass",
	        .findings = "",
	},
	{
	        .file = "bimi.eml",
	        .nhops = 3,
	        .by = "2002:a4a:8e45:0:0:0:0:0 mx.google.com "
	              "smtp-out-n04.prod.eu-central-1.postgun.com",
	        .delays = "1 6 -1",
	        .nars = 2,
	        .ar = { { "mx.google.com", "dkim=pass dkim=pass spf=pass dmarc=pass", 1, 1 },
	                { "mx.google.com", "dkim=pass dkim=pass spf=pass dmarc=pass", 1, 0 } },
	        .trusted = 1,
	        .ndkim = 2,
	        .sig = { { "out.srv.dev", "smtp", "rsa-sha256", 1, true },
	                 { "eu.mailgun.org", "krs", "rsa-sha256", 1, false } },
	        .narc = 1,
	        .arc = { { "none", 1, 1 } },
	        .arc_ok = true,
	        .last_cv = "none",
	        .from = "info@srv.dev",
	        .from_display = "Andris Reinman",
	        .from_domain = "srv.dev",
	        .rp_domain = "out.srv.dev",
	        .rp_count = 1,
	        .verdict = MSG_DMARC_PASS,
	        .policy_p = "reject",
	        .spf = "pass",
	        .dkim = "pass",
	        .findings = "",
	},
	{
	        /* No trace field at all: a message as submitted. */
	        .file = "message1.eml",
	        .nhops = 0,
	        .by = "",
	        .delays = "",
	        .nars = 0,
	        .trusted = -1,
	        .ndkim = 0,
	        .narc = 0,
	        .arc_ok = false,
	        .last_cv = "",
	        .from = "andris@kreata.ee",
	        .from_display = "Andris Test",
	        .from_domain = "kreata.ee",
	        .rp_domain = "",
	        .rp_count = 0,
	        .verdict = MSG_DMARC_UNKNOWN,
	        .policy_p = "",
	        .spf = "",
	        .dkim = "",
	        .findings = "headers.untrusted_results",
	},
	{
	        .file = "message2.eml",
	        .nhops = 2,
	        .by = "mx.ethereal.email smtp-out-n03.prod.eu-central-1.postgun.com",
	        .delays = "1 -1",
	        .nars = 1,
	        .ar = { { "mx.ethereal.email", "spf=pass", 0, 0 } },
	        .trusted = 0,
	        .ndkim = 1,
	        .sig = { { "mail.projectpending.com", "smtp", "rsa-sha256", 0, true } },
	        .narc = 0,
	        .arc_ok = false,
	        .last_cv = "",
	        .from = "info@projectpending.com",
	        .from_display = "",
	        .from_domain = "projectpending.com",
	        .rp_domain = "mail.projectpending.com",
	        .rp_count = 1,
	        .verdict = MSG_DMARC_UNKNOWN,
	        .policy_p = "",
	        .spf = "pass",
	        .dkim = "",
	        .findings = "",
	},
	{
	        .file = "message3.eml",
	        .nhops = 3,
	        .by = "2002:a67:43c4:0:0:0:0:0 mx.google.com luna.mailgun.net",
	        .delays = "0 1 -1",
	        .nars = 2,
	        .ar = { { "mx.google.com", "dkim=pass dkim=pass spf=pass", 1, 1 },
	                { "mx.google.com", "dkim=pass dkim=pass spf=pass", 1, 0 } },
	        .trusted = 1,
	        .ndkim = 2,
	        .sig = { { "cronweekly.ma.ttias.be", "pic", "rsa-sha256", 1, true },
	                 { "eu.mailgun.org", "krs", "rsa-sha256", 1, false } },
	        .narc = 1,
	        .arc = { { "none", 1, 1 } },
	        .arc_ok = true,
	        .last_cv = "none",
	        .from = "m@ttias.be",
	        .from_display = "Mattias Geniar",
	        .from_domain = "ttias.be",
	        .rp_domain = "cronweekly.ma.ttias.be",
	        .rp_count = 1,
	        .verdict = MSG_DMARC_UNKNOWN,
	        .policy_p = "",
	        .spf = "pass",
	        .dkim = "pass",
	        .findings = "",
	},
	{
	        .file = "message4.eml",
	        .nhops = 2,
	        .by = "uvn-67-33.tll01.zonevs.eu smtp-out-n01.prod.eu-central-1.postgun.com",
	        .delays = "0 -1",
	        .nars = 1,
	        .ar = { { "uvn-67-33.tll01.zonevs.eu", "dkim=pass dkim-adsp=none dkim-atps=neutral",
	                  0, 0 } },
	        .trusted = 0,
	        .ndkim = 1,
	        .sig = { { "out.srv.dev", "smtp", "rsa-sha256", 0, true } },
	        .narc = 0,
	        .arc_ok = false,
	        .last_cv = "",
	        .from = "info@srv.dev",
	        .from_display = "",
	        .from_domain = "srv.dev",
	        .rp_domain = "out.srv.dev",
	        .rp_count = 1,
	        .verdict = MSG_DMARC_UNKNOWN,
	        .policy_p = "",
	        .spf = "",
	        .dkim = "pass",
	        .findings = "",
	},
};

static void check_hops(const struct msg_analysis *a, const struct want_msg *w)
{
	char by[1024] = "", delays[256] = "";
	size_t ub = 0, ud = 0;

	assert_int_equal(a->nhops, w->nhops);
	assert_false(a->hops_dropped);
	for (size_t k = 0; k < a->nhops; k++) {
		ub += (size_t)snprintf(by + ub, sizeof(by) - ub, "%s%s", k > 0 ? " " : "",
		                       a->hops[k].rcv.by_host);
		ud += (size_t)snprintf(delays + ud, sizeof(delays) - ud, "%s%lld", k > 0 ? " " : "",
		                       a->hops[k].delay);
	}
	assert_string_equal(by, w->by);
	assert_string_equal(delays, w->delays);
}

static void check_ars(const struct msg_analysis *a, const struct want_msg *w)
{
	assert_int_equal(a->nars, w->nars);
	assert_int_equal(a->trusted_ar, w->trusted);
	for (size_t k = 0; k < a->nars; k++) {
		const struct msg_ar_view *v = &a->ars[k];
		char res[256] = "";
		size_t used = 0;

		assert_int_equal(v->hop, w->ar[k].hop);
		assert_int_equal(v->arc, w->ar[k].instance > 0);
		assert_int_equal(v->ar.instance, w->ar[k].instance);
		assert_int_equal(v->trusted, (long)k == w->trusted);
		assert_string_equal(v->ar.authserv_id, w->ar[k].authserv);
		for (size_t r = 0; r < v->ar.nresults; r++)
			used += (size_t)snprintf(res + used, sizeof(res) - used, "%s%s=%s",
			                         r > 0 ? " " : "", v->ar.results[r].method,
			                         v->ar.results[r].result);
		assert_string_equal(res, w->ar[k].results);
	}
}

static void check_sigs(const struct msg_analysis *a, const struct want_msg *w)
{
	assert_int_equal(a->ndkim, w->ndkim);
	for (size_t k = 0; k < a->ndkim; k++) {
		assert_string_equal(a->dkim[k].sig.d, w->sig[k].d);
		assert_string_equal(a->dkim[k].sig.s, w->sig[k].s);
		assert_string_equal(a->dkim[k].sig.a, w->sig[k].a);
		assert_int_equal(a->dkim[k].hop, w->sig[k].hop);
		assert_int_equal(a->dkim[k].aligned_relaxed, w->sig[k].aligned);
		assert_int_equal(a->dkim[k].verified, MSG_VERIFY_NOT_CHECKED);
	}
	assert_int_equal(a->narc, w->narc);
	for (size_t k = 0; k < a->narc; k++) {
		assert_int_equal(a->arc[k].instance, w->arc[k].instance);
		assert_string_equal(a->arc[k].seal.cv, w->arc[k].cv);
		assert_string_equal(a->arc[k].seal.d, "google.com");
		assert_int_equal(a->arc[k].hop, w->arc[k].hop);
	}
	assert_int_equal(a->arc_structure_ok, w->arc_ok);
	assert_string_equal(a->arc_last_cv, w->last_cv);
}

static void test_real_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(real_msgs) / sizeof(real_msgs[0]); i++) {
		const struct want_msg *w = &real_msgs[i];
		char path[256], got[512];
		struct msg_analysis a;

		snprintf(path, sizeof(path), REAL "%s", w->file);
		print_message("%s\n", w->file);
		analyze_file(path, NULL, &a);
		check_hops(&a, w);
		check_ars(&a, w);
		check_sigs(&a, w);
		assert_int_equal(a.from.count, 1);
		assert_string_equal(a.from.address, w->from);
		assert_string_equal(a.from.display, w->from_display);
		assert_string_equal(a.from.domain, w->from_domain);
		assert_string_equal(a.from.org_domain, w->from_domain);
		assert_string_equal(a.return_path.domain, w->rp_domain);
		assert_int_equal(a.return_path.count, w->rp_count);
		assert_int_equal(a.dmarc, w->verdict);
		assert_string_equal(a.policy_p, w->policy_p);
		assert_string_equal(a.spf_result, w->spf);
		assert_string_equal(a.dkim_result, w->dkim);
		codes(&a, got, sizeof(got));
		assert_string_equal(got, w->findings);
		msg_analysis_cleanup(&a);
	}
}

/* Details of the real messages the table does not hold. */
static void test_real_details(void **state)
{
	struct msg_analysis a;
	const struct msg_ar_result *r;

	(void)state;
	analyze_file(REAL "arc-pass2.eml", NULL, &a);
	r = msg_authres_find(&a.ars[1].ar, "spf");
	assert_non_null(r);
	assert_string_equal(msg_ar_prop(r, "smtp", "mailfrom"),
	                    "andris+caf_=andris.reinman=gmail.com@tr.ee");
	assert_string_equal(a.policy_dis, "none");
	assert_string_equal(a.envelope.address, "andris+caf_=andris.reinman=gmail.com@tr.ee");
	assert_false(a.envelope.aligned_relaxed);
	assert_string_equal(a.subject, "test");
	assert_string_equal(a.message_id, "<578b311a-e490-40bc-97f9-4218bc250711@zone.ee>");
	assert_string_equal(a.date_text, "Mon, 02 Nov 2020 09:57:17 +0000");
	/* The ARC sets: fields 3-5 (i=2) and 19-21 (i=1), counted by hand. */
	assert_int_equal(a.arc[0].seal_field, 19);
	assert_int_equal(a.arc[0].ams_field, 20);
	assert_int_equal(a.arc[0].aar_field, 21);
	assert_int_equal(a.arc[1].seal_field, 3);
	assert_int_equal(a.arc[1].aar_field, 5);
	assert_string_equal(a.hops[4].rcv.from_ip, "127.0.0.1");
	assert_int_equal(a.hops[4].rcv.from_ip_class, MSG_ADDR_LOOPBACK);
	msg_analysis_cleanup(&a);

	analyze_file(REAL "bimi.eml", NULL, &a);
	assert_string_equal(a.subject, "Nodemailer is unicode friendly ✔1604667239916");
	assert_string_equal(a.sender.address, "info=srv.dev@out.srv.dev");
	assert_true(a.sender.aligned_relaxed);
	assert_false(a.sender.aligned_strict);
	assert_true(a.envelope.aligned_relaxed);
	msg_analysis_cleanup(&a);

	analyze_file(REAL "message2.eml", NULL, &a);
	assert_int_equal(a.nspfs, 2);
	assert_string_equal(a.spfs[0].spf.result, "pass");
	assert_string_equal(a.spfs[0].spf.identity, "mailfrom");
	assert_string_equal(a.spfs[1].spf.result, "none");
	assert_string_equal(a.spfs[1].spf.identity, "helo");
	assert_int_equal(a.spfs[0].hop, 0);
	assert_string_equal(a.subject, "FW: Earn money"); /* the first of two */
	msg_analysis_cleanup(&a);

	analyze_file(REAL "message4.eml", NULL, &a);
	assert_string_equal(a.ars[0].ar.results[0].reason, "1024-bit key; insecure key");
	msg_analysis_cleanup(&a);

	analyze_file(REAL "message1.eml", NULL, &a);
	assert_string_equal(a.subject, "Nodemailer is unicode friendly ✔ 1470741283502");
	expect(&a, "headers.untrusted_results", FINDING_INFO, NULL, "no Authentication-Results",
	       NULL);
	msg_analysis_cleanup(&a);
}

/* ---- identities ---- */

static void test_no_from(void **state)
{
	struct msg_analysis a;

	(void)state;
	analyze_text("Subject: nobody\nTo: x@example.net\n\nbody\n", NULL, &a);
	assert_false(a.from.present);
	assert_int_equal(a.from.count, 0);
	expect(&a, "headers.no_from", FINDING_ERROR, NULL, "no From", NULL);
	assert_null(find(&a, "headers.multiple_from"));
	msg_analysis_cleanup(&a);

	analyze_text("", NULL, &a);
	assert_non_null(find(&a, "headers.no_from"));
	assert_non_null(find(&a, "headers.untrusted_results"));
	assert_int_equal(a.nhops, 0);
	assert_int_equal(a.dmarc, MSG_DMARC_UNKNOWN);
	msg_analysis_cleanup(&a);
}

static void test_multiple_from(void **state)
{
	static const char *const lists[] = {
		"From: a@x.example, \"Doe, John\" <j@y.example>\n\n",
		"From: Team: a@x.example, b@x.example;\n\n",
		"From: a@x.example,,\n b@x.example\n\n",
	};
	struct msg_analysis a;

	(void)state;
	analyze_text("From: a@x.example\nFrom: b@y.example\n\n", NULL, &a);
	assert_int_equal(a.from.count, 2);
	assert_string_equal(a.from.address, "a@x.example");
	expect(&a, "headers.multiple_from", FINDING_ERROR, NULL, "2 From fields", NULL);
	msg_analysis_cleanup(&a);

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		analyze_text(lists[i], NULL, &a);
		assert_int_equal(a.from.count, 1);
		assert_string_equal(a.from.address, "a@x.example");
		expect(&a, "headers.multiple_from", FINDING_ERROR, NULL, "2 addresses", NULL);
		msg_analysis_cleanup(&a);
	}

	/* A comma inside a quoted display name is no second address. */
	analyze_text("From: \"Doe, Jane\" <jane@Example.COM> (via list)\n\n", NULL, &a);
	assert_string_equal(a.from.display, "Doe, Jane");
	assert_string_equal(a.from.address, "jane@Example.COM");
	assert_string_equal(a.from.domain, "example.com");
	assert_null(find(&a, "headers.multiple_from"));
	msg_analysis_cleanup(&a);

	/* An empty group names no one. */
	analyze_text("From: a@x.example\nTo: undisclosed-recipients:;\n\n", NULL, &a);
	assert_null(find(&a, "headers.multiple_from"));
	msg_analysis_cleanup(&a);
}

static void test_address_forms(void **state)
{
	static const struct {
		const char *value, *display, *address, *domain;
	} cases[] = {
		{ "jane@example.org (Jane Doe)", "Jane Doe", "jane@example.org", "example.org" },
		{ "<@relay.example:jane@example.net>", "", "jane@example.net", "example.net" },
		{ "=?UTF-8?B?5bGx55Sw?= <yamada@Example.JP>", "山田", "yamada@Example.JP",
		  "example.jp" },
		{ "Jane (the boss) Doe <jane@mail.example.co.uk.>", "Jane Doe",
		  "jane@mail.example.co.uk.", "mail.example.co.uk" },
		{ "\"a\\\"b\" <\"odd local\"@example.com>", "a\"b", "\"odd local\"@example.com",
		  "example.com" },
		{ "Group: ;, late@example.net", "", "late@example.net", "example.net" },
		{ "local-only", "", "local-only", "" },
	};
	struct msg_analysis a;
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "From: %s\n\n", cases[i].value);
		print_message("%s\n", cases[i].value);
		analyze_text(text, NULL, &a);
		assert_string_equal(a.from.display, cases[i].display);
		assert_string_equal(a.from.address, cases[i].address);
		assert_string_equal(a.from.domain, cases[i].domain);
		assert_null(find(&a, "headers.multiple_from"));
		msg_analysis_cleanup(&a);
	}
	analyze_text("From: x@mail.example.co.uk\n\n", NULL, &a);
	assert_string_equal(a.from.org_domain, "example.co.uk");
	msg_analysis_cleanup(&a);
}

static void test_alignment(void **state)
{
	static const char msg[] =
	        "Return-Path: <>\n"
	        "Authentication-Results: mx.receiver.example; spf=pass "
	        "smtp.mailfrom=bounces.shop.example; dkim=pass header.d=shop.example; dmarc=pass "
	        "header.from=mail.shop.example\n"
	        "DKIM-Signature: v=1; a=rsa-sha256; d=shop.example; s=k1; h=from; bh=AAAA; b=BBBB\n"
	        "DKIM-Signature: v=1; a=ed25519-sha256; d=mail.shop.example; s=k2; h=from; "
	        "bh=AAAA; "
	        "b=CCCC\n"
	        "DKIM-Signature: v=1; a=rsa-sha256; d=esp.example; s=k3; h=from; bh=AAAA; b=DDDD\n"
	        "From: Shop <news@mail.shop.example>\n"
	        "Sender: agent@shop.example\n"
	        "Reply-To: help@other.example\n\n";
	struct msg_analysis a;

	(void)state;
	analyze_text(msg, NULL, &a);
	assert_string_equal(a.from.domain, "mail.shop.example");
	assert_string_equal(a.from.org_domain, "shop.example");
	assert_true(a.from.aligned_strict);
	assert_true(a.sender.aligned_relaxed);
	assert_false(a.sender.aligned_strict);
	assert_false(a.reply_to.aligned_relaxed);
	assert_int_equal(a.ndkim, 3);
	assert_true(a.dkim[0].aligned_relaxed);
	assert_false(a.dkim[0].aligned_strict);
	assert_true(a.dkim[1].aligned_strict);
	assert_string_equal(a.dkim[1].sig.a, "ed25519-sha256");
	assert_false(a.dkim[2].aligned_relaxed);
	/* The null Return-Path: the envelope is the trusted smtp.mailfrom, a bare domain. */
	assert_true(a.return_path.present);
	assert_string_equal(a.return_path.domain, "");
	assert_true(a.envelope.present);
	assert_string_equal(a.envelope.address, "bounces.shop.example");
	assert_string_equal(a.envelope.domain, "bounces.shop.example");
	assert_true(a.envelope.aligned_relaxed);
	assert_false(a.envelope.aligned_strict);
	assert_int_equal(a.findings.n, 0);
	msg_analysis_cleanup(&a);
}

/* ---- the trusted receiver, the verdict ---- */

static const char two_receivers[] =
        "Authentication-Results: mx.outer.example; spf=pass smtp.mailfrom=a@list.example; "
        "dmarc=pass header.from=list.example\n"
        "Received: from mx.inner.example by mx.outer.example with ESMTP id 2; "
        "Mon, 10 Jun 2024 10:00:09 +0000\n"
        "Authentication-Results: mx.inner.example; spf=fail smtp.mailfrom=a@list.example; "
        "dmarc=fail (p=NONE sp=NONE dis=NONE) header.from=list.example\n"
        "Received: from sender.test ([192.0.2.1]) by mx.inner.example with ESMTP id 1; "
        "Mon, 10 Jun 2024 10:00:00 +0000\n"
        "From: a@list.example\n\n";

static void test_authserv_id(void **state)
{
	struct msg_analysis a;

	(void)state;
	analyze_text(two_receivers, NULL, &a);
	assert_int_equal(a.trusted_ar, 0);
	assert_true(a.ars[0].trusted);
	assert_false(a.ars[1].trusted);
	assert_int_equal(a.dmarc, MSG_DMARC_PASS);
	assert_string_equal(a.authserv_id, "mx.outer.example");
	assert_int_equal(a.ars[0].hop, 0);
	assert_int_equal(a.ars[1].hop, 1); /* above the Received by mx.inner.example */
	assert_int_equal(a.hops[0].delay, 9);
	assert_int_equal(a.findings.n, 0);
	msg_analysis_cleanup(&a);

	analyze_text(two_receivers, "MX.Inner.Example", &a);
	assert_int_equal(a.trusted_ar, 1);
	assert_int_equal(a.dmarc, MSG_DMARC_FAIL);
	assert_string_equal(a.authserv_id, "mx.inner.example");
	assert_string_equal(a.spf_result, "fail");
	expect(&a, "headers.softfail_accepted", FINDING_WARNING, "hop 1", "fail", "list.example",
	       NULL);
	expect(&a, "headers.dmarc_not_enforced", FINDING_WARNING, "hop 1", NULL);
	msg_analysis_cleanup(&a);

	analyze_text(two_receivers, "mx.nobody.example", &a);
	assert_int_equal(a.trusted_ar, -1);
	assert_int_equal(a.dmarc, MSG_DMARC_UNKNOWN);
	assert_string_equal(a.authserv_id, "");
	expect(&a, "headers.untrusted_results", FINDING_INFO, NULL, "mx.nobody.example",
	       "mx.outer.example; mx.inner.example", NULL);
	assert_null(find(&a, "headers.dmarc_not_enforced"));
	msg_analysis_cleanup(&a);
}

static void test_verdict_words(void **state)
{
	static const struct {
		const char *dmarc;
		enum msg_dmarc_verdict v;
		bool not_enforced;
	} cases[] = {
		{ "dmarc=temperror header.from=x.example", MSG_DMARC_UNKNOWN, false },
		{ "dmarc=bestguesspass header.from=x.example", MSG_DMARC_UNKNOWN, false },
		{ "dmarc=none header.from=x.example", MSG_DMARC_NONE, true },
		{ "dmarc=fail header.from=x.example", MSG_DMARC_FAIL, false },
		{ "dmarc=fail (p=REJECT sp=REJECT dis=NONE arc=pass) header.from=x.example",
		  MSG_DMARC_FAIL, false },
		{ "dmarc=fail action=none header.from=x.example", MSG_DMARC_FAIL, true },
		{ "dmarc=fail (p=QUARANTINE sp=NONE dis=QUARANTINE) header.from=x.example",
		  MSG_DMARC_FAIL, false },
		{ "DMARC=Pass (p=NONE sp=NONE dis=NONE) header.from=x.example", MSG_DMARC_PASS,
		  false },
	};
	struct msg_analysis a;
	char text[512], word[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
		         "Authentication-Results: mx.receiver.example; %s\nFrom: a@x.example\n\n",
		         cases[i].dmarc);
		print_message("%s\n", cases[i].dmarc);
		analyze_text(text, NULL, &a);
		assert_int_equal(a.dmarc, cases[i].v);
		/* The result word as written, lower-cased. */
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(cases[i].dmarc + 6, " "),
		         cases[i].dmarc + 6);
		for (char *c = word; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		assert_string_equal(a.dmarc_result, word);
		assert_int_equal(find(&a, "headers.dmarc_not_enforced") != NULL,
		                 cases[i].not_enforced);
		msg_analysis_cleanup(&a);
	}
}

static void test_softfail_variants(void **state)
{
	static const char base[] =
	        "Authentication-Results: mx.receiver.example; dkim=none; %s "
	        "header.from=jcb.example\n"
	        "Received-SPF: SoftFail (mx.receiver.example: domain of transitioning %s does not "
	        "designate 203.0.113.9 as permitted sender) receiver=mx.receiver.example; "
	        "identity=mailfrom; envelope-from=\"%s\"; client-ip=203.0.113.9\n"
	        "Received: from a.test (a.test [203.0.113.9]) by mx.receiver.example with ESMTP id "
	        "1;"
	        " Mon, 10 Jun 2024 10:00:00 +0000\n"
	        "From: card@jcb.example\n\n";
	static const struct {
		const char *dmarc, *envelope;
		bool softfail;
	} cases[] = {
		/* No spf= in the AR: the Received-SPF of the trusted hop speaks. */
		{ "dmarc=fail (p=NONE sp=NONE dis=NONE)", "x@jcb.example", true },
		{ "dmarc=fail (p=NONE sp=NONE dis=NONE)", "x@mail.jcb.example", true },
		/* Not From's domain. */
		{ "dmarc=fail (p=NONE sp=NONE dis=NONE)", "x@other.test", false },
		/* Enforced: quarantined. */
		{ "dmarc=fail (p=QUARANTINE sp=QUARANTINE dis=QUARANTINE)", "x@jcb.example",
		  false },
		/* DMARC passed anyway (an aligned signature). */
		{ "dmarc=pass (p=NONE sp=NONE dis=NONE)", "x@jcb.example", false },
	};
	struct msg_analysis a;
	char text[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), base, cases[i].dmarc, cases[i].envelope,
		         cases[i].envelope);
		print_message("%s %s\n", cases[i].dmarc, cases[i].envelope);
		analyze_text(text, NULL, &a);
		assert_int_equal(a.nspfs, 1);
		assert_int_equal(a.spfs[0].hop, 0);
		assert_int_equal(find(&a, "headers.softfail_accepted") != NULL, cases[i].softfail);
		if (cases[i].softfail)
			expect(&a, "headers.softfail_accepted", FINDING_WARNING, "hop 0",
			       "softfail", NULL);
		msg_analysis_cleanup(&a);
	}
}

/* ---- headers.relay_signature: what must not give it ---- */

static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) - strlen(from) + strlen(to);
	char *out = malloc(n + 1);

	assert_non_null(at);
	assert_non_null(out);
	snprintf(out, n + 1, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

static void test_relay_variants(void **state)
{
	static const char first_ar[] =
	        "dkim=none;\n        spf=softfail smtp.mailfrom=payme@sextort.test;\n"
	        "        dmarc=fail reason=\"No valid SPF, No valid DKIM\" "
	        "header.from=victim.example";
	size_t len;
	char *orig = slurp(FIX "relay-signature.eml", &len);
	char *t;
	struct msg_analysis a;

	(void)state;
	/* SPF passed aligned at the trusted hop: the pass does not rest on the signature. */
	t = replace(orig, "spf=neutral (bigmail", "spf=pass (bigmail");
	analyze_text(t, NULL, &a);
	assert_int_equal(a.dmarc, MSG_DMARC_PASS);
	assert_null(find(&a, "headers.relay_signature"));
	msg_analysis_cleanup(&a);
	free(t);

	/* The first hop had a DKIM pass for the From domain: nothing was added. */
	t = replace(orig, first_ar,
	            "dkim=pass header.d=victim.example; dmarc=pass header.from=victim.example");
	analyze_text(t, NULL, &a);
	assert_null(find(&a, "headers.relay_signature"));
	msg_analysis_cleanup(&a);
	free(t);

	/* The first hop checked only SPF: it says nothing about DKIM. */
	t = replace(orig, first_ar, "spf=softfail smtp.mailfrom=payme@sextort.test");
	analyze_text(t, NULL, &a);
	assert_null(find(&a, "headers.relay_signature"));
	msg_analysis_cleanup(&a);
	free(t);

	/* The first hop recorded a DKIM failure and no DMARC: still the pattern. */
	t = replace(orig, first_ar, "dkim=fail header.d=victim.example");
	analyze_text(t, NULL, &a);
	expect(&a, "headers.relay_signature", FINDING_WARNING, "hop 1", "dkim=fail", NULL);
	msg_analysis_cleanup(&a);
	free(t);

	/* The trusted receiver's dkim=pass is for another selector. */
	t = replace(orig, "header.s=default", "header.s=other");
	analyze_text(t, NULL, &a);
	assert_null(find(&a, "headers.relay_signature"));
	msg_analysis_cleanup(&a);
	free(t);
	free(orig);
}

/* ---- placement of trace fields ---- */

static void test_placement(void **state)
{
	static const char msg[] =
	        "Authentication-Results: elsewhere.example; none\n"
	        "Received: from b.example by top.example; Mon, 10 Jun 2024 10:00:05 +0000\n"
	        "Authentication-Results: mx.second.example; spf=pass smtp.mailfrom=a@x.example\n"
	        "Received-SPF: pass (mx.second.example) receiver=mx.second.example; "
	        "identity=mailfrom; envelope-from=a@x.example; client-ip=192.0.2.7\n"
	        "Received: from c.example ([192.0.2.7]) by mx.second.example;"
	        " Mon, 10 Jun 2024 10:00:02 +0000\n"
	        "Authentication-Results: other.example; dkim=none\n"
	        "DKIM-Signature: v=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AAAA; b=BBBB\n"
	        "Received: from d.example by third.example; garbage date\n"
	        "From: a@x.example\n\n";
	struct msg_analysis a;

	(void)state;
	analyze_text(msg, NULL, &a);
	assert_int_equal(a.nhops, 3);
	assert_int_equal(a.hops[0].delay, 3);
	assert_int_equal(a.hops[1].delay, -1); /* hop 2's date cannot be read */
	assert_int_equal(a.hops[2].rcv.when, -1);
	assert_int_equal(a.nars, 3);
	assert_int_equal(a.ars[0].hop, 0);
	assert_true(a.ars[0].ar.no_result);
	assert_int_equal(a.ars[1].hop, 1); /* names the Received just below */
	assert_int_equal(a.ars[2].hop, 1); /* names no one: the Received above */
	assert_int_equal(a.spfs[0].hop, 1);
	assert_int_equal(a.dkim[0].hop, 1);
	assert_int_equal(a.trusted_ar, 0);
	assert_int_equal(a.dmarc, MSG_DMARC_UNKNOWN);
	msg_analysis_cleanup(&a);
}

/* A Received-SPF without receiver=: the name that opens its comment (RFC
 * 7208 9.1's example) names who wrote it. */
static void test_placement_spf_comment(void **state)
{
	static const char msg[] =
	        "Received: from mx.a.example by store.a.example; Mon, 10 Jun 2024 10:00:05 +0000\n"
	        "Received-SPF: softfail (mx.a.example: domain of b@x.example does not designate "
	        "192.0.2.9 as permitted sender) client-ip=192.0.2.9;\n"
	        "Received-SPF: pass (elsewhere.example: x) client-ip=192.0.2.9;\n"
	        "Received: from c.example ([192.0.2.9]) by mx.a.example;"
	        " Mon, 10 Jun 2024 10:00:02 +0000\n"
	        "From: b@x.example\n\n";
	struct msg_analysis a;

	(void)state;
	analyze_text(msg, NULL, &a);
	assert_int_equal(a.nhops, 2);
	assert_int_equal(a.nspfs, 2);
	assert_int_equal(a.spfs[0].hop, 1); /* "(mx.a.example: ..." is hop 1's by */
	assert_int_equal(a.spfs[1].hop, 0); /* names no one: the Received above */
	msg_analysis_cleanup(&a);
}

/* ---- ARC ---- */

static void arc_text(char *out, size_t len, const char *sets)
{
	snprintf(out, len, "%sFrom: a@x.example\n\n", sets);
}

#define SEAL(i, cv)                                                                                \
	"ARC-Seal: i=" #i "; a=rsa-sha256; cv=" cv "; d=fwd.example; s=arc; t=1; b=AAAA\n"
#define AMS(i)                                                                                     \
	"ARC-Message-Signature: i=" #i "; a=rsa-sha256; d=fwd.example; s=arc; h=from; bh=A; b=B\n"
#define AAR(i)                                                                                     \
	"ARC-Authentication-Results: i=" #i "; mx.fwd.example; spf=pass smtp.mailfrom=x.example\n"

static void test_arc_structure(void **state)
{
	static const struct {
		const char *sets;
		size_t narc;
		bool ok;
		const char *last_cv, *why;
	} cases[] = {
		{ SEAL(2, "pass") AMS(2) AAR(2) SEAL(1, "none") AMS(1) AAR(1), 2, true, "pass",
		  NULL },
		{ SEAL(3, "pass") AMS(3) AAR(3) SEAL(1, "none") AMS(1) AAR(1), 2, false, "pass",
		  "instance 2 is missing" },
		{ SEAL(1, "none") AAR(1), 1, false, "none", "lacks its ARC-Message-Signature" },
		{ SEAL(1, "pass") AMS(1) AAR(1), 1, false, "pass", "instance 1 declares cv=pass" },
		{ SEAL(2, "none") AMS(2) AAR(2) SEAL(1, "none") AMS(1) AAR(1), 2, false, "none",
		  "instance 2 declares cv=none" },
		{ SEAL(1, "none") SEAL(1, "none") AMS(1) AAR(1), 1, false, "none", "twice" },
		{ SEAL(2, "fail") AMS(2) AAR(2) SEAL(1, "none") AMS(1) AAR(1), 2, false, "fail",
		  "cv=fail" },
	};
	struct msg_analysis a;
	char text[2048];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		arc_text(text, sizeof(text), cases[i].sets);
		print_message("case %zu\n", i);
		analyze_text(text, NULL, &a);
		assert_int_equal(a.narc, cases[i].narc);
		assert_int_equal(a.arc_structure_ok, cases[i].ok);
		assert_string_equal(a.arc_last_cv, cases[i].last_cv);
		if (cases[i].why == NULL)
			assert_null(find(&a, "headers.arc_fail"));
		else
			expect(&a, "headers.arc_fail", FINDING_INFO, NULL, cases[i].why, NULL);
		msg_analysis_cleanup(&a);
	}

	/* i= outside 1..50 is not a set. */
	arc_text(text, sizeof(text), SEAL(51, "pass") AMS(51));
	analyze_text(text, NULL, &a);
	assert_int_equal(a.narc, 0);
	expect(&a, "headers.truncated", FINDING_INFO, NULL, "2 ARC fields", NULL);
	msg_analysis_cleanup(&a);
}

/* ---- the reading caps ---- */

static void test_truncated(void **state)
{
	size_t cap = (size_t)2 * MSG_HEADER_MAX, n = 0;
	char *big = malloc(cap);
	struct msg_options opt = { .org = psl_org_domain };
	struct msg_analysis a;

	(void)state;
	assert_non_null(big);
	/* 101 Received fields and 1001 fields in all. */
	n += (size_t)snprintf(big + n, cap - n, "From: a@x.example\n");
	for (int i = 0; i < 101; i++)
		n += (size_t)snprintf(big + n, cap - n,
		                      "Received: from h%d.example by h%d.example; "
		                      "Mon, 10 Jun 2024 10:00:00 +0000\n",
		                      i + 1, i);
	for (int i = 0; i < 899; i++)
		n += (size_t)snprintf(big + n, cap - n, "X-Filler-%d: x\n", i);
	n += (size_t)snprintf(big + n, cap - n, "\nbody\n");
	analyze_opt(big, n, &opt, &a);
	assert_int_equal(a.hdr.n, MSG_FIELDS_MAX);
	assert_true(a.hdr.dropped);
	assert_int_equal(a.nhops, MSG_HOPS_MAX);
	assert_true(a.hops_dropped);
	assert_int_equal(a.hops[0].delay, 0);
	expect(&a, "headers.truncated", FINDING_INFO, NULL, "first 1000 were dropped",
	       "Received fields after the first 100", NULL);
	msg_analysis_cleanup(&a);

	/* A value over MSG_VALUE_MAX, and a header section past MSG_HEADER_MAX. */
	n = (size_t)snprintf(big, cap, "From: a@x.example\nX-Long: ");
	while (n < MSG_HEADER_MAX + 4096) {
		memcpy(big + n, "aaaaaaaaaaaaaaa\n ", 17);
		n += 17;
	}
	analyze_opt(big, n, &opt, &a);
	assert_string_equal(a.from.address, "a@x.example");
	assert_true(a.hdr.v[1].truncated);
	expect(&a, "headers.truncated", FINDING_INFO, NULL, "runs past 1048576 bytes",
	       "1 field value was cut at 65536 bytes", NULL);
	msg_analysis_cleanup(&a);

	/* Not past the cap: the same section ending within it. */
	n = (size_t)snprintf(big, cap, "From: a@x.example\n\n");
	memset(big + n, 'b', MSG_HEADER_MAX + 10);
	analyze_opt(big, n + MSG_HEADER_MAX + 10, &opt, &a);
	assert_null(find(&a, "headers.truncated"));
	msg_analysis_cleanup(&a);
	free(big);
}

/* ---- --verify, --live ---- */

static void test_after_verify(void **state)
{
	struct msg_analysis a;

	(void)state;
	analyze_file(FIX "clean.eml", NULL, &a);
	a.dkim[0].key_bits = 1024;
	assert_int_equal(msg_analyze_after_verify(&a), 0);
	assert_null(find(&a, "headers.weak_signature"));
	a.dkim[0].key_bits = 512;
	a.dkim[0].verified = MSG_VERIFY_PASS;
	assert_int_equal(msg_analyze_after_verify(&a), 0);
	expect(&a, "headers.weak_signature", FINDING_WARNING, "hop 0", "512-bit", "d=shop.example",
	       NULL);
	msg_analysis_cleanup(&a);
}

static void test_live(void **state)
{
	struct msg_analysis a;

	(void)state;
	/* The AR recorded no policy: --live supplies it, once. */
	analyze_text("Authentication-Results: mx.r.example; dmarc=fail header.from=x.example\n"
	             "From: a@x.example\n\n",
	             NULL, &a);
	assert_null(find(&a, "headers.dmarc_not_enforced"));
	assert_int_equal(msg_analyze_live(&a, "reject", true), 0);
	assert_null(find(&a, "headers.dmarc_not_enforced"));
	assert_int_equal(msg_analyze_live(&a, "none", false), 0);
	/* No Received field: no hop to name. */
	expect(&a, "headers.dmarc_not_enforced", FINDING_WARNING, NULL, "p=none", "x.example",
	       NULL);
	assert_int_equal(msg_analyze_live(&a, "none", false), 0);
	assert_int_equal(count(&a, "headers.dmarc_not_enforced"), 1);
	msg_analysis_cleanup(&a);

	/* No record published now. */
	analyze_text("Authentication-Results: mx.r.example; dmarc=fail header.from=x.example\n"
	             "From: a@x.example\n\n",
	             NULL, &a);
	assert_int_equal(msg_analyze_live(&a, NULL, false), 0);
	expect(&a, "headers.dmarc_not_enforced", FINDING_WARNING, NULL, "no DMARC policy", NULL);
	msg_analysis_cleanup(&a);

	/* Already given by the recorded policy: not twice. */
	analyze_file(FIX "not-enforced.eml", NULL, &a);
	assert_int_equal(msg_analyze_live(&a, "none", false), 0);
	assert_int_equal(count(&a, "headers.dmarc_not_enforced"), 1);
	msg_analysis_cleanup(&a);

	/* A pass needs no enforcement. */
	analyze_file(FIX "clean.eml", NULL, &a);
	assert_int_equal(msg_analyze_live(&a, "none", false), 0);
	assert_int_equal(a.findings.n, 0);
	msg_analysis_cleanup(&a);
}

/* ---- lookalike with a brand list of the caller's ---- */

static void test_brands(void **state)
{
	static const char *const brands[] = { "paypal.com", "paypal.me", NULL };
	static const char *const none[] = { NULL };
	static const char msg[] = "From: PayPal <service@paypal-account.example>\n\n";
	struct msg_options opt = { .brands = brands, .org = psl_org_domain };
	struct msg_analysis a;

	(void)state;
	analyze_opt(msg, strlen(msg), &opt, &a);
	expect(&a, "headers.lookalike", FINDING_WARNING, NULL, "paypal-account.example",
	       "paypal.com", "brand", NULL);
	msg_analysis_cleanup(&a);

	opt.brands = none;
	analyze_opt(msg, strlen(msg), &opt, &a);
	assert_null(find(&a, "headers.lookalike"));
	msg_analysis_cleanup(&a);

	/* A brand's own domain imitates nothing, not even another brand of the list. */
	opt.brands = brands;
	analyze_opt("From: a@paypal.com\n\n", 21, &opt, &a);
	assert_string_equal(a.from.org_domain, "paypal.com");
	assert_null(find(&a, "headers.lookalike"));
	msg_analysis_cleanup(&a);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(msg_dmarc_verdict_name(MSG_DMARC_UNKNOWN), "unknown");
	assert_string_equal(msg_dmarc_verdict_name(MSG_DMARC_PASS), "pass");
	assert_string_equal(msg_dmarc_verdict_name(MSG_DMARC_FAIL), "fail");
	assert_string_equal(msg_dmarc_verdict_name(MSG_DMARC_NONE), "none");
	assert_string_equal(msg_verified_name(MSG_VERIFY_NOT_CHECKED), "not_checked");
	assert_string_equal(msg_verified_name(MSG_VERIFY_PASS), "pass");
	assert_string_equal(msg_verified_name(MSG_VERIFY_BODY_MISMATCH), "body_hash_mismatch");
	assert_string_equal(msg_verified_name(MSG_VERIFY_SIGNATURE_MISMATCH), "signature_mismatch");
	assert_string_equal(msg_verified_name(MSG_VERIFY_KEY_NOT_FOUND), "key_not_found");
	assert_string_equal(msg_verified_name(MSG_VERIFY_KEY_REVOKED), "key_revoked");
	assert_string_equal(msg_verified_name(MSG_VERIFY_KEY_INVALID), "key_invalid");
	assert_string_equal(msg_verified_name(MSG_VERIFY_TEMPERROR), "temperror");
	assert_string_equal(msg_verified_name(MSG_VERIFY_INVALID), "invalid");
}

/* Every code these files emit is registered, with its severity. */
static void test_registry(void **state)
{
	static const struct {
		const char *code;
		enum finding_severity sev;
	} codes_sev[] = {
		{ "headers.arc_fail", FINDING_INFO },
		{ "headers.dmarc_not_enforced", FINDING_WARNING },
		{ "headers.lookalike", FINDING_WARNING },
		{ "headers.multiple_from", FINDING_ERROR },
		{ "headers.no_from", FINDING_ERROR },
		{ "headers.relay_signature", FINDING_WARNING },
		{ "headers.softfail_accepted", FINDING_WARNING },
		{ "headers.truncated", FINDING_INFO },
		{ "headers.untrusted_results", FINDING_INFO },
		{ "headers.weak_signature", FINDING_WARNING },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(codes_sev) / sizeof(codes_sev[0]); i++) {
		const struct finding_info *fi = finding_info(codes_sev[i].code);

		assert_non_null(fi);
		assert_int_equal(fi->severity, codes_sev[i].sev);
	}
}

static int setup(void **state)
{
	(void)state;
	return psl_init();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_softfail_accepted),
		cmocka_unit_test(test_not_enforced),
		cmocka_unit_test(test_relay_signature),
		cmocka_unit_test(test_lookalike),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_clean_crlf),
		cmocka_unit_test(test_real_messages),
		cmocka_unit_test(test_real_details),
		cmocka_unit_test(test_no_from),
		cmocka_unit_test(test_multiple_from),
		cmocka_unit_test(test_address_forms),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_authserv_id),
		cmocka_unit_test(test_verdict_words),
		cmocka_unit_test(test_softfail_variants),
		cmocka_unit_test(test_relay_variants),
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_placement_spf_comment),
		cmocka_unit_test(test_arc_structure),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_after_verify),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_brands),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_registry),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
