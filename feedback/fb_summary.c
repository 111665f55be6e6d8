/*
 * fb_summary.c — the verdict on enforcing DMARC drawn from the receivers'
 * aggregate reports, and the sending services named from a source's
 * names. Pure: the summary comes from db/ (store_fb_summary).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fb_summary.h"

void fb_summary_cleanup(struct fb_summary *s)
{
	free(s->sources);
	free(s->reporters);
	free(s->days);
	free(s->dispositions);
	free(s->selectors);
	free(s->tls);
	free(s->services);
	memset(s, 0, sizeof(*s));
}

void fb_verdict_defaults(struct fb_verdict_opts *o)
{
	o->threshold = 98.0;
	o->min_messages = 100;
	o->fixed_after = (int64_t)7 * 86400;
}

static uint64_t failing(const struct fb_source_sum *src)
{
	return src->messages > src->pass ? src->messages - src->pass : 0;
}

/* A source whose newest failing report ends fixed_after or more before
 * its newest report has sent only passing mail since: fixed. */
static int is_fixed(const struct fb_source_sum *src, const struct fb_verdict_opts *o)
{
	return failing(src) > 0 && src->last_fail > 0 &&
	       src->last_seen - src->last_fail >= o->fixed_after;
}

/* The indices of the biggest failing sources that are not fixed, by
 * failing messages, descending (then by the summary's order). */
static void biggest(const struct fb_summary *s, const struct fb_verdict_opts *o,
                    struct fb_verdict *v)
{
	const size_t max = sizeof(v->failing) / sizeof(v->failing[0]);
	v->nfailing = 0;
	for (size_t i = 0; i < s->nsources; i++) {
		const struct fb_source_sum *src = &s->sources[i];
		if (failing(src) == 0 || is_fixed(src, o))
			continue;
		size_t at = v->nfailing;
		while (at > 0 && failing(&s->sources[v->failing[at - 1]]) < failing(src))
			at--;
		if (at >= max)
			continue;
		size_t end = v->nfailing < max ? v->nfailing : max - 1;
		memmove(&v->failing[at + 1], &v->failing[at], (end - at) * sizeof(v->failing[0]));
		v->failing[at] = i;
		if (v->nfailing < max)
			v->nfailing++;
	}
}

static void say_why(const struct fb_summary *s, struct fb_verdict *v)
{
	char fixed[128] = "";
	if (v->fixed > 0)
		snprintf(fixed, sizeof(fixed),
		         " (%llu failing messages of sources that pass since are counted as "
		         "fixed)",
		         (unsigned long long)v->fixed);
	if (v->messages == 0) {
		snprintf(v->why, sizeof(v->why),
		         "no aggregate report covers the period: there is no evidence of which of "
		         "the domain's senders pass DMARC");
	} else if (!v->enough) {
		snprintf(v->why, sizeof(v->why),
		         "only %llu messages reported in the period; at least %llu are needed to "
		         "judge",
		         (unsigned long long)v->messages, (unsigned long long)v->min_messages);
	} else if (v->safe) {
		snprintf(v->why, sizeof(v->why),
		         "%.1f%% of %llu messages passed DMARC, at or above the %.1f%% "
		         "threshold%s",
		         v->pass_rate, (unsigned long long)v->messages, v->threshold, fixed);
	} else {
		const struct fb_source_sum *top =
		        v->nfailing > 0 ? &s->sources[v->failing[0]] : NULL;
		char who[FB_IP + 96] = "";
		if (top != NULL)
			snprintf(who, sizeof(who), "; the biggest failing source, %s, sent %llu",
			         top->ip, (unsigned long long)failing(top));
		snprintf(v->why, sizeof(v->why),
		         "%.1f%% of %llu messages passed DMARC, below the %.1f%% threshold%s%s%s",
		         v->pass_rate, (unsigned long long)v->messages, v->threshold, fixed, who,
		         top != NULL ? " that failed" : "");
	}
}

void fb_verdict(const struct fb_summary *s, const struct fb_verdict_opts *o, struct fb_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->messages = s->messages;
	v->pass = s->pass;
	v->fail = s->messages > s->pass ? s->messages - s->pass : 0;
	v->threshold = o->threshold;
	v->min_messages = o->min_messages;
	for (size_t i = 0; i < s->nsources; i++)
		if (is_fixed(&s->sources[i], o))
			v->fixed += failing(&s->sources[i]);
	if (v->fixed > v->fail)
		v->fixed = v->fail;
	uint64_t judged = v->messages - v->fixed;
	v->pass_rate = judged > 0 ? 100.0 * (double)v->pass / (double)judged : 0.0;
	v->enough = v->messages > 0 && v->messages >= o->min_messages;
	v->safe = v->enough && v->pass_rate >= o->threshold;
	biggest(s, o, v);
	say_why(s, v);
}

/* Sending services by the domains they send from and sign with: the SPF
 * include, bounce and DKIM domains and the reverse names their own set-up
 * pages publish. A name matches a suffix at a label boundary. */
static const struct {
	const char *suffix;
	const char *service;
} services[] = {
	{ "google.com", "Google" },
	{ "googlemail.com", "Google" },
	{ "outlook.com", "Microsoft 365" },
	{ "onmicrosoft.com", "Microsoft 365" },
	{ "amazonses.com", "Amazon SES" },
	{ "sendgrid.net", "SendGrid" },
	{ "mcsv.net", "Mailchimp" },
	{ "mcdlv.net", "Mailchimp" },
	{ "rsgsv.net", "Mailchimp" },
	{ "mandrillapp.com", "Mandrill" },
	{ "mailgun.org", "Mailgun" },
	{ "mailgun.net", "Mailgun" },
	{ "mtasv.net", "Postmark" },
	{ "postmarkapp.com", "Postmark" },
	{ "sparkpostmail.com", "SparkPost" },
	{ "zoho.com", "Zoho" },
	{ "zohomail.com", "Zoho" },
	{ "messagingengine.com", "Fastmail" },
	{ "protonmail.ch", "Proton" },
	{ "hubspotemail.net", "HubSpot" },
	{ "exacttarget.com", "Salesforce Marketing Cloud" },
	{ "zendesk.com", "Zendesk" },
	{ "secureserver.net", "GoDaddy" },
};

static const char *match(const char *name, size_t len)
{
	while (len > 0 && name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		size_t sl = strlen(services[i].suffix);
		if (len < sl || strncasecmp(name + len - sl, services[i].suffix, sl) != 0)
			continue;
		if (len == sl || name[len - sl - 1] == '.')
			return services[i].service;
	}
	return NULL;
}

/* The first service any space-separated name of list matches. */
static const char *match_list(const char *list)
{
	for (const char *p = list; p != NULL && *p != '\0';) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		const char *m = n > 0 ? match(p, n) : NULL;
		if (m != NULL)
			return m;
		p += n;
	}
	return NULL;
}

const char *fb_service(const char *ptr, const char *spf_domains, const char *dkim_domains)
{
	const char *m = ptr != NULL ? match(ptr, strlen(ptr)) : NULL;
	if (m == NULL)
		m = match_list(spf_domains);
	if (m == NULL)
		m = match_list(dkim_domains);
	return m != NULL ? m : "";
}

static int by_messages(const void *a, const void *b)
{
	const struct fb_service_sum *x = a, *y = b;
	if (x->messages != y->messages)
		return x->messages < y->messages ? 1 : -1;
	return strcmp(x->name, y->name);
}

int fb_services_count(struct fb_summary *s)
{
	free(s->services);
	s->services = NULL;
	s->nservices = 0;
	for (size_t i = 0; i < s->nsources; i++) {
		const struct fb_source_sum *x = &s->sources[i];
		if (x->service[0] == '\0')
			continue;
		size_t k = 0;
		while (k < s->nservices && strcmp(s->services[k].name, x->service) != 0)
			k++;
		if (k == s->nservices) {
			struct fb_service_sum *v =
			        realloc(s->services, (s->nservices + 1) * sizeof(*v));
			if (v == NULL)
				return -1;
			s->services = v;
			memset(&v[k], 0, sizeof(v[k]));
			snprintf(v[k].name, sizeof(v[k].name), "%s", x->service);
			s->nservices++;
		}
		s->services[k].sources++;
		s->services[k].messages += x->messages;
		s->services[k].pass += x->pass;
	}
	if (s->nservices > 1)
		qsort(s->services, s->nservices, sizeof(*s->services), by_messages);
	return 0;
}
