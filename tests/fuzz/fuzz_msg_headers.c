/* libFuzzer harness: a received message's header section (make fuzz).
 * The input is read as a message by mailhdr; every field value then goes
 * through every message/ parser (Authentication-Results in both forms,
 * Received, Received-SPF, the three signature kinds, dates), whatever
 * its name, and finally msg_analyze reads the whole input. The parsers'
 * contracts are checked: counts within their caps, every text buffer
 * NUL-terminated, .malformed with a .problem. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mailhdr.h"
#include "message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(buf) (memchr((buf), '\0', sizeof(buf)) != NULL)

/* The organisational domain is the domain itself: no PSL here. */
static int org_self(const char *domain, char *out, size_t outlen)
{
	if (outlen == 0)
		return -1;
	snprintf(out, outlen, "%s", domain);
	return 0;
}

static void check_authres(const struct msg_authres *ar)
{
	if (ar->nresults > MSG_AR_RESULTS_MAX || !TERMINATED(ar->authserv_id) ||
	    !TERMINATED(ar->problem) || ar->malformed != (ar->problem[0] != '\0'))
		__builtin_trap();
	for (size_t i = 0; i < ar->nresults; i++) {
		const struct msg_ar_result *r = &ar->results[i];
		if (r->nprops > MSG_AR_PROPS_MAX || !TERMINATED(r->method) ||
		    !TERMINATED(r->result) || !TERMINATED(r->reason) || !TERMINATED(r->comment) ||
		    !TERMINATED(r->policy_p) || !TERMINATED(r->policy_sp) ||
		    !TERMINATED(r->policy_dis))
			__builtin_trap();
		for (size_t k = 0; k < r->nprops; k++)
			if (!TERMINATED(r->props[k].ptype) || !TERMINATED(r->props[k].property) ||
			    !TERMINATED(r->props[k].value))
				__builtin_trap();
		if (msg_authres_find(ar, r->method) == NULL)
			__builtin_trap();
		if (r->nprops > 0 &&
		    msg_ar_prop(r, r->props[0].ptype, r->props[0].property) != r->props[0].value)
			__builtin_trap();
	}
}

static void check_sig(const struct msg_sig *s)
{
	if (!TERMINATED(s->d) || !TERMINATED(s->s) || !TERMINATED(s->a) || !TERMINATED(s->c) ||
	    !TERMINATED(s->i_ident) || !TERMINATED(s->h) || !TERMINATED(s->cv) ||
	    !TERMINATED(s->problem) || s->malformed != (s->problem[0] != '\0'))
		__builtin_trap();
	(void)msg_sig_signs(s, "from");
	(void)msg_sig_signs(s, s->h);
}

static void parse_value(const char *v)
{
	/* Large: static, not on the stack (ASan's frames are big already). */
	static struct msg_authres ar;
	static struct msg_received rcv;
	static struct msg_received_spf spf;
	static struct msg_sig sig;

	msg_authres_parse(v, false, &ar);
	check_authres(&ar);
	msg_authres_parse(v, true, &ar);
	check_authres(&ar);
	msg_received_parse(v, &rcv);
	if (!TERMINATED(rcv.from_clause) || !TERMINATED(rcv.from_host) ||
	    !TERMINATED(rcv.from_ip) || !TERMINATED(rcv.by_host) || !TERMINATED(rcv.id) ||
	    !TERMINATED(rcv.for_addr) || !TERMINATED(rcv.date_text))
		__builtin_trap();
	msg_received_spf_parse(v, &spf);
	if (!TERMINATED(spf.result) || !TERMINATED(spf.comment) || !TERMINATED(spf.client_ip) ||
	    !TERMINATED(spf.envelope_from) || !TERMINATED(spf.helo))
		__builtin_trap();
	for (int k = MSG_SIG_DKIM; k <= MSG_SIG_ARC_SEAL; k++) {
		msg_sig_parse(v, (enum msg_sig_kind)k, &sig);
		check_sig(&sig);
	}
	(void)msg_date_parse(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mailhdr h;
	if (mailhdr_parse(data, size, MSG_FIELDS_MAX, MSG_VALUE_MAX, &h) == 0) {
		for (size_t i = 0; i < h.n; i++)
			parse_value(h.v[i].value);
		mailhdr_free(&h);
	}

	static struct msg_analysis a;
	struct msg_options opt = { .authserv_id = NULL, .brands = NULL, .org = org_self };
	if (msg_analyze(data, size, &opt, &a) == 0)
		msg_analysis_cleanup(&a);
	return 0;
}
