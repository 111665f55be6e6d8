/*
 * check_transport.c — posture check's advisory transport block (MTA-STS,
 * TLS-RPT, DNSSEC, DANE: lines, fixes and JSON objects) and the screen
 * helpers cmd_check.c shares with it (check_out.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_out.h"
#include "dnssec.h"
#include "output.h"
#include "transport_check.h"

/* ---- the screen's helpers ---- */

bool check_use_color(void)
{
	const char *nc = getenv("NO_COLOR");
	return isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0');
}

const char *check_paint(const struct style *st, const char *code)
{
	return st->color ? code : "";
}

void check_mark(const struct style *st, enum ready_status s)
{
	static const char *const word[] = { "PASS", "FAIL", "WARN", " ?? " };
	static const char *const col[] = { GREEN, RED, AMBER, DIM };
	printf("[%s%s%s]", check_paint(st, col[s]), word[s], check_paint(st, OFF));
}

void check_vline(const struct style *st, int width, const char *what, enum ready_status s,
                 const char *fmt, va_list ap)
{
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	printf("  %-*s ", width, what);
	check_mark(st, s);
	printf(" ");
	print_safe(stdout, buf);
	fputc('\n', stdout);
}

/* ---- mail transport: advisory lines ------------------------------------ */

#define TRANSPORT_WIDTH  7            /* "MTA-STS", "TLS-RPT" */
#define TRANSPORT_INDENT "          " /* under a transport line's mark */

static void tline(const struct style *st, const char *what, enum ready_status s, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));
static void tline(const struct style *st, const char *what, enum ready_status s, const char *fmt,
                  ...)
{
	va_list ap;
	va_start(ap, fmt);
	check_vline(st, TRANSPORT_WIDTH, what, s, fmt, ap);
	va_end(ap);
}

/* The mark a line's findings leave: FAIL with an error, WARN with a
 * warning where the status alone would pass. */
static enum ready_status with_findings(enum ready_status base, const struct findings *f)
{
	if (findings_first_error(f) != NULL)
		return READY_FAIL;
	for (size_t i = 0; base == READY_PASS && i < f->n; i++)
		if (f->v[i].severity == FINDING_WARNING)
			return READY_WARN;
	return base;
}

/* The warnings and errors of f under a line, each with its fix; or, when
 * it holds none, the fix given (a missing record has no finding). */
static void transport_fixes(const struct findings *f, const char *fixtext)
{
	struct findings shown = { 0 };
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < f->n; i++)
		if (f->v[i].severity >= FINDING_WARNING)
			rc = findings_add(&shown, f->v[i].code, f->v[i].severity, f->v[i].path,
			                  f->v[i].fix, "%s", f->v[i].message);
	if (shown.n > 0) {
		findings_print(stdout, &shown, TRANSPORT_INDENT);
	} else if (fixtext != NULL) {
		fputs(TRANSPORT_INDENT "fix: ", stdout);
		print_safe(stdout, fixtext);
		fputc('\n', stdout);
	}
	findings_cleanup(&shown);
}

/* The first error finding's code, for "invalid (code)". */
static const char *first_error_code(const struct findings *f)
{
	const struct finding *x = findings_first_error(f);
	return x != NULL ? x->code : "see the findings";
}

static void mta_sts_line(const struct style *st, const struct mta_sts_result *m)
{
	char buf[512], fixbuf[512];
	const char *fixtext = NULL;
	enum ready_status s = READY_WARN;
	size_t covered = 0;

	for (size_t i = 0; i < m->nmx; i++)
		covered += m->mx[i].pattern != NULL;
	switch (m->status) {
	case MTA_STS_CHECK_ENFORCE:
	case MTA_STS_CHECK_TESTING:
		s = m->status == MTA_STS_CHECK_ENFORCE ? READY_PASS : READY_WARN;
		if (m->mx_covered >= 0)
			snprintf(buf, sizeof(buf), "%s, %zu of %zu MX hosts covered, max_age %ld",
			         mta_sts_check_status_name(m->status), covered, m->nmx,
			         m->policy.max_age);
		else
			snprintf(buf, sizeof(buf), "%s, max_age %ld",
			         mta_sts_check_status_name(m->status), m->policy.max_age);
		if (m->status == MTA_STS_CHECK_TESTING)
			fixtext =
			        "Once the TLS reports show no failures, change the policy to mode: "
			        "enforce (and the record's id).";
		break;
	case MTA_STS_CHECK_NONE:
		snprintf(buf, sizeof(buf),
		         "none: the policy's mode is none (it is being withdrawn)");
		break;
	case MTA_STS_CHECK_MISSING:
		snprintf(buf, sizeof(buf), "missing: no v=STSv1 record at _mta-sts.%s", m->domain);
		snprintf(
		        fixbuf, sizeof(fixbuf),
		        "To have senders insist on TLS to your MX hosts, publish a policy at "
		        "https://mta-sts.%s/.well-known/mta-sts.txt (mode: testing first) and a "
		        "TXT "
		        "record \"v=STSv1; id=1;\" at _mta-sts.%s; posture mta-sts %s checks both.",
		        m->domain, m->domain, m->domain);
		fixtext = fixbuf;
		break;
	case MTA_STS_CHECK_INVALID:
		s = READY_FAIL;
		snprintf(buf, sizeof(buf), "invalid (%s): senders have no policy",
		         first_error_code(&m->findings));
		break;
	case MTA_STS_CHECK_TEMPERROR:
		s = READY_UNKNOWN;
		snprintf(buf, sizeof(buf), "temperror: could not be checked, run it again");
		break;
	case MTA_STS_CHECK_NOT_FETCHED:
		s = READY_UNKNOWN;
		snprintf(buf, sizeof(buf), "record ok, policy not fetched (--no-fetch)");
		break;
	}
	tline(st, "MTA-STS", with_findings(s, &m->findings), "%s", buf);
	transport_fixes(&m->findings, fixtext);
}

static void tls_rpt_line(const struct style *st, const struct mta_sts_result *m)
{
	const char *status = mta_sts_tlsrpt_status(m);
	const struct tlsrpt_record *t = &m->tlsrpt;
	char buf[512], fixbuf[512];
	const char *fixtext = NULL;
	enum ready_status s = READY_UNKNOWN;

	if (strcmp(status, "temperror") == 0) {
		snprintf(buf, sizeof(buf), "temperror: could not be checked, run it again");
	} else if (t->status == TLSRPT_OK) {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "ok, reports to");
		for (size_t i = 0; i < t->nrua && i < 2 && n < sizeof(buf); i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s %s", i ? "," : "",
			                      t->rua[i].uri);
		if (t->nrua > 2 && n < sizeof(buf))
			snprintf(buf + n, sizeof(buf) - n, ", ...");
		s = READY_PASS;
	} else if (t->status == TLSRPT_INVALID) {
		snprintf(buf, sizeof(buf), "invalid (%s): senders send no report",
		         first_error_code(&t->findings));
		s = READY_FAIL;
	} else {
		snprintf(buf, sizeof(buf), "none: no v=TLSRPTv1 record at _smtp._tls.%s",
		         m->domain);
		snprintf(fixbuf, sizeof(fixbuf),
		         "To receive the daily reports of the TLS failures senders meet, publish "
		         "\"v=TLSRPTv1; rua=mailto:tls-reports@%s\" at _smtp._tls.%s.",
		         m->domain, m->domain);
		fixtext = fixbuf;
		s = READY_WARN;
	}
	tline(st, "TLS-RPT", with_findings(s, &t->findings), "%s", buf);
	transport_fixes(&t->findings, fixtext);
}

static void dnssec_line(const struct style *st, const struct dnssec_result *d)
{
	static const enum ready_status marks[] = {
		[DNSSEC_INDETERMINATE] = READY_UNKNOWN,
		[DNSSEC_SECURE] = READY_PASS,
		[DNSSEC_INSECURE] = READY_WARN,
		[DNSSEC_BOGUS] = READY_FAIL,
	};
	size_t n = 0;
	for (size_t i = 0; i < DNSSEC_Q_COUNT; i++)
		n += d->q[i].status == d->status;
	tline(st, "DNSSEC", marks[d->status], "%s, %zu of %d answers (MX, SOA, DMARC, SPF)",
	      dnssec_status_name(d->status), n, DNSSEC_Q_COUNT);
	transport_fixes(&d->findings, NULL);
}

static void dane_line(const struct style *st, const struct dane_result *d)
{
	static const enum ready_status marks[] = {
		[DANE_NOT_RUN] = READY_UNKNOWN, [DANE_OK] = READY_PASS,
		[DANE_PARTIAL] = READY_WARN,    [DANE_NONE] = READY_WARN,
		[DANE_UNUSABLE] = READY_FAIL,   [DANE_INDETERMINATE] = READY_UNKNOWN,
	};
	size_t usable = 0, with = 0, open = 0, n = d->nhosts;
	const char *name = dane_status_name(d->status), *fixtext = NULL;
	char buf[256];
	for (size_t i = 0; i < n; i++) {
		usable += d->hosts[i].status == DANE_HOST_USABLE;
		with += d->hosts[i].nrec > 0;
		open += d->hosts[i].status == DANE_HOST_INDETERMINATE;
	}
	if (n == 0 && d->status != DANE_INDETERMINATE)
		snprintf(buf, sizeof(buf), "%s: no MX host", name);
	else if (n == 0)
		snprintf(buf, sizeof(buf), "%s: the MX hosts are unknown", name);
	else if (d->status == DANE_OK)
		snprintf(buf, sizeof(buf), "%s: usable TLSA at every MX host (%zu)", name, n);
	else if (d->status == DANE_PARTIAL || d->status == DANE_INDETERMINATE)
		snprintf(buf, sizeof(buf), "%s: usable TLSA at %zu of %zu MX hosts%s", name, usable,
		         n, open > 0 ? ", others not checked" : "");
	else if (d->status == DANE_UNUSABLE)
		snprintf(buf, sizeof(buf), "%s: TLSA at %zu of %zu MX hosts, none usable", name,
		         with, n);
	else
		snprintf(buf, sizeof(buf), "%s: no TLSA record at the %zu MX host%s", name, n,
		         n == 1 ? "" : "s");
	if (d->status == DANE_NONE && n > 0)
		fixtext = "To have senders that use DANE authenticate your MX hosts, publish a "
		          "TLSA record at _25._tcp.<MX host> (\"3 1 1\" and the SHA-256 of the "
		          "server's public key), each in a DNSSEC-signed zone.";
	tline(st, "DANE", marks[d->status], "%s", buf);
	transport_fixes(&d->findings, fixtext);
}

/* MTA-STS, TLS-RPT, DNSSEC and DANE: what protects mail sent to the
 * domain in transit. Advisory: below the lines the verdict reads. */
void check_print_transport(const struct style *st, const struct domain_result *r)
{
	const struct transport_result *t = r->transport;
	bool sts = t != NULL && t->sts_ready;

	printf("\n%sMail transport%s (advisory: not part of the verdict)\n", check_paint(st, BOLD),
	       check_paint(st, OFF));
	if (sts && (r->mask & CHECK_BIT(CHECK_MTA_STS)))
		mta_sts_line(st, &t->sts);
	if (sts && (r->mask & CHECK_BIT(CHECK_TLS_RPT)))
		tls_rpt_line(st, &t->sts);
	if (t != NULL && t->dnssec_ran)
		dnssec_line(st, &t->dnssec);
	else
		tline(st, "DNSSEC", READY_UNKNOWN,
		      "not checked (--dnssec checks it: about 24 DNS queries instead of 2)");
	if (t != NULL && t->dane_ran)
		dane_line(st, &t->dane);
	else
		tline(st, "DANE", READY_UNKNOWN, "not checked (--dnssec checks it)");
}

/* ---- JSON ---- */

static void mta_sts_w(struct jsonw *w, const void *r)
{
	transport_mta_sts_write(w, r);
}

static void tls_rpt_w(struct jsonw *w, const void *r)
{
	transport_tls_rpt_write(w, r);
}

static void dnssec_w(struct jsonw *w, const void *r)
{
	transport_dnssec_write(w, r);
}

static void dane_w(struct jsonw *w, const void *r)
{
	transport_dane_write(w, r);
}

/* The transport checks' objects ({"status": "not_run"} for one that did
 * not run: DNSSEC and DANE without --dnssec). */
int check_add_transport(json_t *o, const struct domain_result *r)
{
	if (json_object_set_new(o, "mta_sts", jsonw_value(mta_sts_w, r)) != 0 ||
	    json_object_set_new(o, "tls_rpt", jsonw_value(tls_rpt_w, r)) != 0 ||
	    json_object_set_new(o, "dnssec", jsonw_value(dnssec_w, r)) != 0 ||
	    json_object_set_new(o, "dane", jsonw_value(dane_w, r)) != 0)
		return -1;
	return 0;
}
