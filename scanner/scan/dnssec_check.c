/*
 * dnssec_check.c — the DNSSEC status of a domain's answers, combined,
 * with findings (dnssec_check.h).
 */
#include "dnssec_check.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "jsonw.h"
#include "strutil.h"

#define BOGUS_FIX                                                                                  \
	"Re-sign the zone so that no RRSIG is expired or broken, and make the DS record at the "   \
	"parent match a key the zone signs with (the DNS host's DNSSEC settings, the registrar's " \
	"DS record)."
#define INSECURE_FIX                                                                               \
	"Sign the zone (most DNS hosts offer DNSSEC signing) and publish its DS record at the "    \
	"registrar."
#define INDETERMINATE_FIX                                                                          \
	"Run the check again; if it persists, make sure the resolver passes DNSSEC records (the "  \
	"DO bit) and that the zone's DS and DNSKEY lookups are answered."

static const struct {
	const char *prefix; /* before the domain: "_dmarc." or "" */
	uint16_t type;
	const char *what;
} questions[DNSSEC_Q_COUNT] = {
	[DNSSEC_Q_MX] = { "", DNS_TYPE_MX, "MX" },
	[DNSSEC_Q_SOA] = { "", DNS_TYPE_SOA, "SOA" },
	[DNSSEC_Q_DMARC] = { "_dmarc.", DNS_TYPE_TXT, "DMARC" },
	[DNSSEC_Q_SPF] = { "", DNS_TYPE_TXT, "SPF" },
};

const char *dnssec_question_what(enum dnssec_question q)
{
	return (unsigned)q < DNSSEC_Q_COUNT ? questions[q].what : "?";
}

int dnssec_result_init(struct dnssec_result *r, const char *domain)
{
	memset(r, 0, sizeof(*r));
	str_copy(r->domain, sizeof(r->domain), domain);
	r->status = DNSSEC_INDETERMINATE;
	for (size_t i = 0; i < DNSSEC_Q_COUNT; i++) {
		char name[DNS_NAME_BUF];
		snprintf(name, sizeof(name), "%s%s", questions[i].prefix, domain);
		if (dns_name_normalize(name, r->q[i].name, sizeof(r->q[i].name)) != 0)
			return -1;
		r->q[i].type = questions[i].type;
		r->q[i].status = DNSSEC_INDETERMINATE;
		r->q[i].outcome = DNS_OUTCOME_TIMEOUT;
	}
	return 0;
}

/* "_dmarc.example.com TXT (DMARC)", "example.com MX": one answer, named
 * with what posture reads there when the type does not say it. */
static void answer_label(const struct dnssec_query *q, size_t i, char *out, size_t outlen)
{
	char tbuf[16];
	const char *type = dns_type_name(q->type, tbuf, sizeof(tbuf));

	if (strcmp(type, questions[i].what) == 0)
		snprintf(out, outlen, "%s %s", q->name, type);
	else
		snprintf(out, outlen, "%s %s (%s)", q->name, type, questions[i].what);
}

/*
 * The answers of status s, listed in out ("a MX, _dmarc.a TXT (DMARC)"),
 * with their reason once after the list when they share it, else after
 * each. Returns how many; *one is the index of the last.
 */
static size_t list_answers(const struct dnssec_result *r, enum dnssec_status s, char *out,
                           size_t outlen, size_t *one)
{
	const char *detail = NULL;
	bool same = true;
	size_t n = 0, len = 0;

	for (size_t i = 0; i < DNSSEC_Q_COUNT; i++)
		if (r->q[i].status == s) {
			same = same && (detail == NULL || strcmp(detail, r->q[i].detail) == 0);
			detail = r->q[i].detail;
		}
	out[0] = '\0';
	for (size_t i = 0; i < DNSSEC_Q_COUNT && len < outlen; i++) {
		char label[DNS_NAME_BUF + 32];
		if (r->q[i].status != s)
			continue;
		answer_label(&r->q[i], i, label, sizeof(label));
		len += (size_t)snprintf(
		        out + len, outlen - len, "%s%s%s%s", n ? (same ? ", " : "; ") : "", label,
		        !same && r->q[i].detail[0] ? ": " : "", !same ? r->q[i].detail : "");
		*one = i;
		n++;
	}
	if (n > 0 && same && detail != NULL && detail[0] != '\0' && len < outlen)
		snprintf(out + len, outlen - len, " (%s)", detail);
	return n;
}

/* One finding per status that is not secure, naming its answers: a path
 * of one answer when there is one, the domain when there are more. */
static int status_finding(struct dnssec_result *r, enum dnssec_status s)
{
	char list[FINDING_MESSAGE_MAX], path[DNS_NAME_BUF + 16], tbuf[16];
	size_t one = 0, n = list_answers(r, s, list, sizeof(list), &one);

	if (n == 0)
		return 0;
	if (n == 1)
		snprintf(path, sizeof(path), "%s %s", r->q[one].name,
		         dns_type_name(r->q[one].type, tbuf, sizeof(tbuf)));
	else
		str_copy(path, sizeof(path), r->domain);
	switch (s) {
	case DNSSEC_BOGUS:
		/* RFC 4035 5.5: a validating resolver answers SERVFAIL. */
		return findings_add(
		        &r->findings, "dnssec.bogus", FINDING_ERROR, path, BOGUS_FIX,
		        "signed, but DNSSEC validation fails: %s; validating resolvers "
		        "refuse these answers, so mail checks that read them fail, or could "
		        "be reading forged data",
		        list);
	case DNSSEC_INDETERMINATE:
		return findings_add(&r->findings, "dnssec.indeterminate", FINDING_WARNING, path,
		                    INDETERMINATE_FIX, "DNSSEC could not be checked: %s", list);
	case DNSSEC_INSECURE:
		if (n == DNSSEC_Q_COUNT)
			return findings_add(
			        &r->findings, "dnssec.insecure", FINDING_WARNING, path,
			        INSECURE_FIX,
			        "%s is not DNSSEC-signed (its MX, SOA, DMARC and SPF answers "
			        "are all insecure): the zone is unsigned or its parent "
			        "publishes no DS record for it, so anyone on the path can "
			        "forge these answers",
			        r->domain);
		return findings_add(
		        &r->findings, "dnssec.insecure", FINDING_WARNING, path, INSECURE_FIX,
		        "unsigned (insecure) answers, which anyone on the path can forge: "
		        "%s",
		        list);
	case DNSSEC_SECURE:
		break;
	}
	return 0;
}

int dnssec_result_finish(struct dnssec_result *r)
{
	enum dnssec_status v[DNSSEC_Q_COUNT];

	for (size_t i = 0; i < DNSSEC_Q_COUNT; i++)
		v[i] = r->q[i].status;
	r->status = dnssec_combine(v, DNSSEC_Q_COUNT);
	/* The worst first, as the domain's status reads. */
	if (status_finding(r, DNSSEC_BOGUS) != 0 || status_finding(r, DNSSEC_INDETERMINATE) != 0 ||
	    status_finding(r, DNSSEC_INSECURE) != 0)
		return -1;
	return 0;
}

int dnssec_check_run(struct dnssec_ctx *c, const char *domain, struct dnssec_result *r, char *err,
                     size_t errlen)
{
	if (dnssec_result_init(r, domain) != 0) {
		snprintf(err, errlen, "'%s' is not a domain name", domain);
		return -1;
	}
	if (dnssec_resolve(c, r->q, DNSSEC_Q_COUNT, err, errlen) != 0)
		return -1;
	if (dnssec_result_finish(r) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void dnssec_result_cleanup(struct dnssec_result *r)
{
	dnssec_query_free(r->q, DNSSEC_Q_COUNT);
	findings_cleanup(&r->findings);
}

void dnssec_result_write(struct jsonw *w, const struct dnssec_result *r)
{
	char tbuf[16];

	jsonw_obj(w);
	jsonw_kstr(w, "domain", r->domain);
	jsonw_kstr(w, "status", dnssec_status_name(r->status));
	jsonw_key(w, "answers");
	jsonw_arr(w);
	for (size_t i = 0; i < DNSSEC_Q_COUNT; i++) {
		const struct dnssec_query *q = &r->q[i];
		jsonw_obj(w);
		jsonw_kstr(w, "name", q->name);
		jsonw_kstr(w, "type", dns_type_name(q->type, tbuf, sizeof(tbuf)));
		jsonw_kstr(w, "status", dnssec_status_name(q->status));
		jsonw_kstr(w, "outcome", dns_outcome_name(q->outcome));
		jsonw_end_obj(w);
	}
	jsonw_end_arr(w);
	jsonw_key(w, "findings");
	findings_write(w, &r->findings);
	jsonw_end_obj(w);
}
