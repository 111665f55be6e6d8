/*
 * headers_out.c — posture headers' story (text) and JSON. Every value
 * here came from the message or from DNS: text goes out through
 * print_safe (no control, bidi or invalid byte reaches the terminal as
 * is), JSON strings through utf8_clean (jansson takes only valid UTF-8).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dkim.h"
#include "headers_out.h"
#include "output.h"
#include "utf8.h"

/* ---- shared ---- */

/* t in UTC: ISO 8601 ("2026-12-07T10:00:02Z", as every date of
 * posture's JSON) or for people ("2026-12-07 10:00:02Z"); "?" for -1. */
static const char *when_fmt(long long t, bool iso, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;
	size_t n = 0;
	if (t >= 0 && gmtime_r(&tt, &tm) != NULL)
		n = iso ? strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm)
		        : strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm);
	if (n == 0)
		snprintf(buf, len, "?");
	return buf;
}

static const char *when_text(long long t, char *buf, size_t len)
{
	return when_fmt(t, false, buf, len);
}

/* The hop a finding concerns ("hop 3" -> 3), or -1. */
static int finding_hop(const struct finding *f)
{
	int hop;
	if (f->path != NULL && sscanf(f->path, "hop %d", &hop) == 1 && hop >= 0)
		return hop;
	return -1;
}

const struct msg_key *headers_key_of(const struct headers_extra *x, const struct msg_sig *s)
{
	char name[MSG_DOMAIN * 2];
	msg_key_name(s->s, s->d, name, sizeof(name));
	for (size_t i = 0; name[0] != '\0' && i < x->keys.n; i++)
		if (strcmp(x->keys.v[i].name, name) == 0)
			return &x->keys.v[i];
	return NULL;
}

/* What a key lookup found now: "found", "none", "temperror", or
 * "not_asked" (k NULL). */
static const char *key_status_name(const struct msg_key *k)
{
	if (k == NULL)
		return "not_asked";
	switch (k->status) {
	case MSG_KEY_FOUND:
		return "found";
	case MSG_KEY_NONE:
		return "none";
	case MSG_KEY_TEMPERROR:
		break;
	}
	return "temperror";
}

/* What an enforcing policy would have done with the message: "reject"
 * (fails DMARC: p=reject rejects it, p=quarantine sends it to spam),
 * "deliver" (passes: enforcement would not have stopped it), "unknown". */
static const char *would(const struct msg_analysis *a)
{
	switch (a->dmarc) {
	case MSG_DMARC_FAIL:
		return "reject";
	case MSG_DMARC_PASS:
		return "deliver";
	case MSG_DMARC_NONE:
	case MSG_DMARC_UNKNOWN:
		break;
	}
	return "unknown";
}

/* ---- text ---- */

/* A value from the message: folding left its tabs in (RFC 5322 2.2.3
 * unfolding keeps the white space), shown as spaces; the rest through
 * print_safe. */
static void value(FILE *out, const char *v)
{
	const char *tab = strchr(v, '\t');
	if (tab == NULL) {
		print_safe(out, v);
		return;
	}
	char *c = strdup(v);
	if (c == NULL) {
		print_safe(out, v);
		return;
	}
	for (char *p = c; (p = strchr(p, '\t')) != NULL; p++)
		*p = ' ';
	print_safe(out, c);
	free(c);
}

static void put(FILE *out, const char *label, const char *v)
{
	fputs(label, out);
	value(out, v);
}

static void identity_line(FILE *out, const char *label, const struct msg_identity *id, bool from)
{
	fprintf(out, "%-12s", label);
	if (!id->present) {
		fputs("(none)\n", out);
		return;
	}
	if (id->display[0]) {
		fputc('"', out);
		value(out, id->display);
		fputs("\" ", out);
	}
	fputc('<', out);
	value(out, id->address);
	fputc('>', out);
	if (id->org_domain[0] && strcmp(id->org_domain, id->domain) != 0)
		put(out, "  org domain ", id->org_domain);
	if (!from && id->domain[0])
		fputs(id->aligned_strict    ? "  aligned with From (strict)"
		      : id->aligned_relaxed ? "  aligned with From (relaxed)"
		                            : "  NOT aligned with From",
		      out);
	if (id->count > 1)
		fprintf(out, "  (%zu fields)", id->count);
	fputc('\n', out);
}

static void ar_line(FILE *out, const struct msg_ar_view *v)
{
	const struct msg_authres *ar = &v->ar;
	if (v->arc)
		fprintf(out, "      ARC-Authentication-Results i=%d ", ar->instance);
	else
		fputs("      Authentication-Results ", out);
	value(out, ar->authserv_id[0] ? ar->authserv_id : "(no authserv-id)");
	if (v->trusted)
		fputs(" [trusted]", out);
	fputs(":", out);
	if (ar->no_result)
		fputs(" none", out);
	for (size_t i = 0; i < ar->nresults; i++) {
		const struct msg_ar_result *r = &ar->results[i];
		fputs(i ? "; " : " ", out);
		value(out, r->method);
		fputc('=', out);
		value(out, r->result);
		if (r->comment[0])
			put(out, " ", r->comment);
		for (size_t j = 0; j < r->nprops; j++) {
			fputc(' ', out);
			if (r->props[j].ptype[0]) {
				value(out, r->props[j].ptype);
				fputc('.', out);
			}
			value(out, r->props[j].property);
			fputc('=', out);
			value(out, r->props[j].value);
		}
		if (r->reason[0])
			put(out, " reason=", r->reason);
	}
	if (ar->malformed)
		put(out, "  (partly unreadable: ", ar->problem[0] ? ar->problem : "syntax"),
		        fputc(')', out);
	fputc('\n', out);
}

static void dkim_line(FILE *out, const struct msg_dkim_view *v, const struct headers_extra *x)
{
	put(out, "      DKIM-Signature d=", v->sig.d);
	put(out, " s=", v->sig.s);
	put(out, " a=", v->sig.a[0] ? v->sig.a : "?");
	fputs(v->aligned_strict    ? "  aligned with From (strict)"
	      : v->aligned_relaxed ? "  aligned with From (relaxed)"
	                           : "  not aligned with From",
	      out);
	if (x->verified) {
		fprintf(out, "  verify: %s", msg_verified_name(v->verified));
		if (v->key_bits > 0)
			fprintf(out, " (%d-bit key)", v->key_bits);
		if (v->verify_detail[0] && v->verified != MSG_VERIFY_PASS)
			put(out, ": ", v->verify_detail);
	} else if (x->keys_asked) {
		fprintf(out, "  key now: %s", key_status_name(headers_key_of(x, &v->sig)));
		if (v->key_bits > 0)
			fprintf(out, " (%d bits)", v->key_bits);
	}
	if (v->sig.malformed)
		put(out, "  malformed: ", v->sig.problem);
	fputc('\n', out);
}

static void hop_head(FILE *out, const struct msg_analysis *a, size_t k)
{
	const struct msg_received *r = &a->hops[k].rcv;
	char when[40];
	fprintf(out, "  hop %zu  by ", k);
	value(out, r->by_host[0] ? r->by_host : "?");
	if (r->from_host[0] || r->from_ip[0]) {
		/* A HELO that is the address literal itself is said once. */
		bool literal = r->from_host[0] == '[' || strcmp(r->from_host, r->from_ip) == 0;
		fputs("  from", out);
		if (!literal || !r->from_ip[0])
			put(out, " ", r->from_host[0] ? r->from_host : "?");
		if (r->from_rdns[0] && strcmp(r->from_rdns, r->from_host) != 0)
			put(out, " (", r->from_rdns), fputc(')', out);
		if (r->from_ip[0]) {
			put(out, " [", r->from_ip);
			fputc(']', out);
			if (r->from_ip_class != MSG_ADDR_PUBLIC &&
			    r->from_ip_class != MSG_ADDR_NONE)
				fprintf(out, " %s", msg_addr_class_name(r->from_ip_class));
		}
	}
	if (r->with[0])
		put(out, "  with ", r->with);
	fprintf(out, "\n         %s", when_text(r->when, when, sizeof(when)));
	if (a->hops[k].delay >= 0)
		fprintf(out, "  (+%llds after hop %zu)", a->hops[k].delay, k + 1);
	else if (a->hops[k].delay < -1)
		fputs("  (stamped before the hop below it: a clock is wrong)", out);
	if (!r->parsed)
		fputs("  (Received field not understood)", out);
	fputc('\n', out);
}

/* The trace fields of hop k (all of them when k is -1 and no hop exists). */
static void hop_fields(FILE *out, const struct msg_analysis *a, int k,
                       const struct headers_extra *x)
{
	for (size_t i = 0; i < a->nspfs; i++)
		if (a->spfs[i].hop == k) {
			const struct msg_received_spf *s = &a->spfs[i].spf;
			put(out, "      Received-SPF: ", s->result);
			if (s->envelope_from[0])
				put(out, " envelope-from=", s->envelope_from);
			if (s->client_ip[0])
				put(out, " client-ip=", s->client_ip);
			fputc('\n', out);
		}
	for (size_t i = 0; i < a->nars; i++)
		if (a->ars[i].hop == k)
			ar_line(out, &a->ars[i]);
	for (size_t i = 0; i < a->narc; i++)
		if (a->arc[i].hop == k) {
			fprintf(out, "      ARC-Seal i=%d cv=", a->arc[i].instance);
			value(out, a->arc[i].seal.cv[0] ? a->arc[i].seal.cv : "?");
			put(out, " d=", a->arc[i].seal.d);
			fputs(" (as declared)\n", out);
		}
	for (size_t i = 0; i < a->ndkim; i++)
		if (a->dkim[i].hop == k)
			dkim_line(out, &a->dkim[i], x);
}

static void verdict_text(FILE *out, const struct msg_analysis *a, const struct headers_extra *x)
{
	fprintf(out, "\nverdict     DMARC %s", msg_dmarc_verdict_name(a->dmarc));
	if (a->trusted_ar >= 0) {
		put(out, " at ", a->authserv_id);
		fprintf(out, " (hop %d", a->ars[a->trusted_ar].hop);
		fputs(x->authserv_given ? ", the receiver --authserv-id names)"
		                        : ", the topmost Authentication-Results)",
		      out);
		if (a->dmarc_result[0] && a->dmarc == MSG_DMARC_UNKNOWN)
			put(out, ": it recorded dmarc=", a->dmarc_result);
		else if (!a->dmarc_result[0])
			fputs(": it recorded no DMARC result", out);
		if (a->policy_p[0])
			put(out, "; policy p=", a->policy_p);
		if (a->policy_dis[0])
			put(out, ", disposition ", a->policy_dis);
	} else {
		fputs(x->authserv_given ? " (no Authentication-Results of --authserv-id)"
		                        : " (no Authentication-Results)",
		      out);
	}
	fputc('\n', out);
	if (a->narc > 0) {
		fprintf(out, "arc         %zu set%s, chain %s", a->narc, a->narc == 1 ? "" : "s",
		        a->arc_structure_ok ? "whole" : "broken");
		put(out, ", last sealer declared cv=", a->arc_last_cv[0] ? a->arc_last_cv : "?");
		fputs(" (seals as declared, not verified)\n", out);
	}
}

static void live_text(FILE *out, const struct msg_analysis *a, const struct headers_extra *x)
{
	const struct headers_live *l = &x->live;
	fputs("\nlive        ", out);
	if (!l->ran) {
		fputs("no From domain to look up\n", out);
		return;
	}
	const struct dmarc_reading *rd = &l->r.dmarc.bis;
	const char *p = dmarc_policy_name(rd->policy);
	value(out, l->r.domain);
	if (rd->status == DMARC_STATUS_OK && p != NULL)
		fprintf(out, " publishes DMARC p=%s now (%s)\n", p,
		        dmarc_enforcement_name(rd->enforcement));
	else
		fprintf(out, " has no usable DMARC policy now (%s)\n",
		        dmarc_status_name(rd->status));
	if (rd->status == DMARC_STATUS_TEMPERROR) {
		fputs("            the lookup failed: run it again\n", out);
		return;
	}
	const char *w = would(a);
	if (strcmp(w, "reject") == 0)
		fputs("            the message failed DMARC: p=reject would have had it rejected,\n"
		      "            p=quarantine sent to spam",
		      out);
	else if (strcmp(w, "deliver") == 0)
		fputs("            the message passed DMARC: no policy would have stopped it", out);
	else
		fputs("            no DMARC result was recorded: what a policy would do is unknown",
		      out);
	fprintf(out, "; the policy now %s\n",
	        rd->enforcement == DMARC_ENF_REJECT || rd->enforcement == DMARC_ENF_QUARANTINE
	                ? "enforces"
	                : "does not enforce");
}

int headers_text(FILE *out, const struct msg_analysis *a, const struct headers_extra *x)
{
	if (a->subject[0])
		put(out, "subject     ", a->subject), fputc('\n', out);
	if (a->message_id[0])
		put(out, "message-id  ", a->message_id), fputc('\n', out);
	if (a->date_text[0])
		put(out, "date        ", a->date_text), fputc('\n', out);
	identity_line(out, "from", &a->from, true);
	if (a->sender.present)
		identity_line(out, "sender", &a->sender, false);
	if (a->reply_to.present)
		identity_line(out, "reply-to", &a->reply_to, false);
	identity_line(out, a->return_path.present ? "return-path" : "envelope", &a->envelope,
	              false);
	fprintf(out, "\n%zu hop%s (newest first)%s\n", a->nhops, a->nhops == 1 ? "" : "s",
	        a->hops_dropped ? ", more Received fields than posture reads" : "");
	for (size_t k = 0; k < a->nhops; k++) {
		hop_head(out, a, k);
		hop_fields(out, a, (int)k, x);
	}
	if (a->nhops == 0) {
		fputs("  no Received field: trace fields as found\n", out);
		hop_fields(out, a, 0, x);
	}
	verdict_text(out, a, x);
	if (x->live_asked)
		live_text(out, a, x);
	if (a->findings.n > 0) {
		fputs("\nfindings:\n", out);
		findings_print(out, &a->findings, "  ");
	}
	return ferror(out) ? -1 : 0;
}

/* ---- JSON ---- */

/* A JSON string of text from the message: valid UTF-8 (U+FFFD for the
 * rest); "" stays "" (never null: absent fields are null by choice). */
static json_t *jstr(const char *s)
{
	size_t n = strlen(s) * 3 + 1;
	char *buf = malloc(n);
	if (buf == NULL)
		return NULL;
	json_t *j = json_string(utf8_clean(s, buf, n));
	free(buf);
	return j;
}

/* The string or null when empty. */
static json_t *jopt(const char *s)
{
	return s[0] ? jstr(s) : json_null();
}

static json_t *identity_json(const struct msg_identity *id)
{
	if (!id->present)
		return json_null();
	return json_pack("{s:o,s:o,s:o,s:o,s:b,s:b,s:I}", "address", jstr(id->address), "display",
	                 jopt(id->display), "domain", jopt(id->domain), "org_domain",
	                 jopt(id->org_domain), "aligned_relaxed", id->aligned_relaxed,
	                 "aligned_strict", id->aligned_strict, "count", (json_int_t)id->count);
}

static json_t *hop_json(const struct msg_analysis *a, size_t k)
{
	const struct msg_received *r = &a->hops[k].rcv;
	char when[40];
	/* ISO 8601 in UTC, as every date of posture's JSON. */
	json_t *date =
	        r->when >= 0
	                ? json_string(when_fmt(r->when, "%Y-%m-%dT%H:%M:%SZ", when, sizeof(when)))
	                : json_null();
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "index",
	                 (json_int_t)k, "from", jopt(r->from_host), "from_rdns", jopt(r->from_rdns),
	                 "from_ip", jopt(r->from_ip), "by", jopt(r->by_host), "from_ip_class",
	                 msg_addr_class_name(r->from_ip_class), "with", jopt(r->with), "id",
	                 jopt(r->id), "for", jopt(r->for_addr), "date", date, "date_text",
	                 jopt(r->date_text), "delay_seconds",
	                 a->hops[k].delay >= 0 ? json_integer(a->hops[k].delay) : json_null(),
	                 "parsed", r->parsed);
}

static json_t *result_json(const struct msg_ar_result *r)
{
	json_t *props = json_object();
	for (size_t j = 0; props && j < r->nprops; j++) {
		char key[MSG_WORD];
		snprintf(key, sizeof(key), "%s%s%s", r->props[j].ptype,
		         r->props[j].ptype[0] ? "." : "", r->props[j].property);
		char clean[MSG_WORD * 3];
		json_object_set_new(props, utf8_clean(key, clean, sizeof(clean)),
		                    jstr(r->props[j].value));
	}
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "method", jstr(r->method), "result",
	                 jstr(r->result), "props", props ? props : json_null(), "reason",
	                 jopt(r->reason), "comment", jopt(r->comment), "policy", jopt(r->policy_p),
	                 "disposition", jopt(r->policy_dis));
}

static json_t *ar_json(const struct msg_ar_view *v)
{
	json_t *res = json_array();
	for (size_t i = 0; res && i < v->ar.nresults; i++)
		json_array_append_new(res, result_json(&v->ar.results[i]));
	return json_pack("{s:o,s:i,s:o,s:o,s:b,s:b,s:b}", "authserv_id", jstr(v->ar.authserv_id),
	                 "hop", v->hop, "arc_instance",
	                 v->arc ? json_integer(v->ar.instance) : json_null(), "results",
	                 res ? res : json_null(), "trusted", v->trusted, "none", v->ar.no_result,
	                 "malformed", v->ar.malformed);
}

static json_t *dkim_json(const struct msg_dkim_view *v, const struct headers_extra *x)
{
	const struct msg_key *k = x->keys_asked ? headers_key_of(x, &v->sig) : NULL;
	return json_pack("{s:o,s:o,s:o,s:o,s:i,s:b,s:b,s:o,s:s,s:o,s:o,s:o,s:b}", "d",
	                 jstr(v->sig.d), "s", jstr(v->sig.s), "a", jstr(v->sig.a), "h",
	                 jstr(v->sig.h), "hop", v->hop, "aligned", v->aligned_relaxed,
	                 "aligned_strict", v->aligned_strict, "org_domain", jopt(v->org_domain),
	                 "verified", msg_verified_name(v->verified), "key_bits",
	                 v->key_bits > 0 ? json_integer(v->key_bits) : json_null(), "key_now",
	                 x->keys_asked ? json_string(key_status_name(k)) : json_null(),
	                 "verify_detail", jopt(v->verify_detail), "malformed", v->sig.malformed);
}

static json_t *arc_json(const struct msg_analysis *a)
{
	json_t *sets = json_array();
	for (size_t i = 0; sets && i < a->narc; i++) {
		const struct msg_arc_set *s = &a->arc[i];
		json_array_append_new(sets,
		                      json_pack("{s:i,s:o,s:o,s:o,s:i}", "instance", s->instance,
		                                "cv", jopt(s->seal.cv), "d", jopt(s->seal.d), "s",
		                                jopt(s->seal.s), "hop", s->hop));
	}
	return json_pack("{s:o,s:b,s:o,s:s}", "sets", sets ? sets : json_null(), "structure_ok",
	                 a->arc_structure_ok, "last_cv", jopt(a->arc_last_cv), "verified",
	                 "not_checked");
}

static json_t *findings_with_hop(const struct findings *f)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < f->n; i++) {
		int hop = finding_hop(&f->v[i]);
		json_array_append_new(arr,
		                      json_pack("{s:s,s:s,s:o,s:o,s:o}", "code", f->v[i].code,
		                                "severity", finding_severity_name(f->v[i].severity),
		                                "message", jstr(f->v[i].message), "hop",
		                                hop >= 0 ? json_integer(hop) : json_null(), "fix",
		                                f->v[i].fix ? jstr(f->v[i].fix) : json_null()));
	}
	return arr;
}

static json_t *live_json(const struct msg_analysis *a, const struct headers_extra *x)
{
	const struct headers_live *l = &x->live;
	json_t *keys = json_array();
	for (size_t i = 0; keys && i < x->keys.n; i++)
		json_array_append_new(keys, json_pack("{s:o,s:s}", "name", jstr(x->keys.v[i].name),
		                                      "status", key_status_name(&x->keys.v[i])));
	if (!l->ran)
		return json_pack("{s:n,s:n,s:s,s:o}", "domain", "dmarc", "would", "unknown", "keys",
		                 keys ? keys : json_null());
	const struct dmarc_reading *rd = &l->r.dmarc.bis;
	const char *p = dmarc_policy_name(rd->policy);
	return json_pack("{s:o,s:{s:s,s:o,s:s},s:s,s:o}", "domain", jstr(l->r.domain), "dmarc",
	                 "status", dmarc_status_name(rd->status), "policy",
	                 p && rd->status == DMARC_STATUS_OK ? json_string(p) : json_null(),
	                 "enforcement", dmarc_enforcement_name(rd->enforcement), "would",
	                 rd->status == DMARC_STATUS_TEMPERROR ? "unknown" : would(a), "keys",
	                 keys ? keys : json_null());
}

int headers_json(const struct msg_analysis *a, const struct headers_extra *x)
{
	json_t *hops = json_array(), *ars = json_array(), *sigs = json_array(),
	       *spfs = json_array();
	for (size_t k = 0; hops && k < a->nhops; k++)
		json_array_append_new(hops, hop_json(a, k));
	for (size_t i = 0; ars && i < a->nars; i++)
		json_array_append_new(ars, ar_json(&a->ars[i]));
	for (size_t i = 0; sigs && i < a->ndkim; i++)
		json_array_append_new(sigs, dkim_json(&a->dkim[i], x));
	for (size_t i = 0; spfs && i < a->nspfs; i++) {
		const struct msg_received_spf *s = &a->spfs[i].spf;
		json_array_append_new(spfs, json_pack("{s:o,s:i,s:o,s:o}", "result",
		                                      jstr(s->result), "hop", a->spfs[i].hop,
		                                      "envelope_from", jopt(s->envelope_from),
		                                      "client_ip", jopt(s->client_ip)));
	}
	json_t *verdict = json_pack(
	        "{s:s,s:o,s:o,s:o,s:o,s:o,s:b}", "dmarc", msg_dmarc_verdict_name(a->dmarc),
	        "authserv_id", a->trusted_ar >= 0 ? jstr(a->authserv_id) : json_null(), "result",
	        jopt(a->dmarc_result), "policy", jopt(a->policy_p), "disposition",
	        jopt(a->policy_dis), "hop",
	        a->trusted_ar >= 0 ? json_integer(a->ars[a->trusted_ar].hop) : json_null(),
	        "authserv_id_given", x->authserv_given);
	json_t *o = json_pack(
	        "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "from",
	        identity_json(&a->from), "sender", identity_json(&a->sender), "reply_to",
	        identity_json(&a->reply_to), "envelope_from", identity_json(&a->envelope),
	        "subject", jopt(a->subject), "message_id", jopt(a->message_id), "hops",
	        hops ? hops : json_null(), "auth_results", ars ? ars : json_null(), "received_spf",
	        spfs ? spfs : json_null(), "dkim_signatures", sigs ? sigs : json_null(), "arc",
	        arc_json(a), "verdict", verdict ? verdict : json_null(), "findings",
	        findings_with_hop(&a->findings));
	if (o != NULL && x->live_asked)
		json_object_set_new(o, "live", live_json(a, x));
	if (o != NULL && x->verified)
		json_object_set_new(o, "verifier", json_string(msg_verify_library()));
	return json_emit(o);
}
