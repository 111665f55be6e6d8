/*
 * fb_summary.h — what the stored reports say about one domain (or all)
 * over a period, and the verdict on enforcing DMARC drawn from it.
 *
 * db/ fills a summary from the store (store_fb_summary); this folder
 * judges it (fb_verdict, pure) and names sending services. A row passes
 * DMARC when the reporter's policy_evaluated has dkim=pass or spf=pass.
 */
#ifndef POSTURE_FB_SUMMARY_H
#define POSTURE_FB_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feedback.h"

/* Which reports a summary counts: those for domain (NULL or "": every
 * domain) whose date range begins at or after since and before until
 * (0: unbounded). */
struct fb_query {
	const char *domain;
	int64_t since, until;
};

struct fb_source_sum {
	char ip[FB_IP];
	uint64_t messages, pass;
	uint64_t quarantined, rejected; /* disposition the receivers applied */
	uint64_t dkim_pass, spf_pass;   /* policy_evaluated (aligned) passes */
	char spf_domains[FB_TEXT];      /* SPF auth domains seen, space-separated (first few) */
	char dkim_domains[FB_TEXT];     /* DKIM auth d= seen, space-separated (first few) */
	int64_t last_seen;              /* end of the newest report naming it */
	int64_t last_fail;              /* end of the newest report with a failing row; 0 none */
	char ptr[FB_NAME];              /* reverse name, when resolved (--resolve) */
	char spf_result[FB_WORD];       /* the domain's SPF for this address now (--resolve) */
	char spf_include[FB_NAME];      /* the include of the domain's record that passes it */
	char service[FB_NAME];          /* sending service, when identified (fb_service) */
};

struct fb_reporter_sum {
	char org[FB_NAME];
	uint64_t reports, messages;
};

struct fb_day_sum {
	int64_t day; /* 00:00 UTC of the day a report's range begins */
	uint64_t messages, pass;
};

struct fb_disp_sum {
	char disposition[FB_WORD];
	uint64_t messages;
};

struct fb_selector_sum {
	char domain[FB_NAME];
	char selector[FB_NAME];
	uint64_t messages, pass; /* pass: that DKIM result was pass */
};

/* The sources a sending service names (fb_service), together. */
struct fb_service_sum {
	char name[FB_NAME];
	uint64_t sources, messages, pass;
};

struct fb_tls_sum {
	char policy_type[FB_WORD];     /* sts, tlsa, no-policy-found */
	char result_type[FB_WORD * 2]; /* "" for the successful sessions */
	uint64_t sessions;
};

struct fb_summary {
	char domain[FB_NAME]; /* "" for every domain */
	int64_t since, until;
	uint64_t reports, messages, pass, fail;
	int64_t first, last;  /* earliest begin, latest end of the counted reports; 0 none */
	char policy[FB_WORD]; /* p= published in the newest counted report; "" none */
	struct fb_source_sum *sources; /* by messages, descending */
	size_t nsources;
	size_t sources_total; /* distinct sources in the period (nsources may list fewer) */
	struct fb_service_sum *services; /* by messages, descending (fb_services_count) */
	size_t nservices;
	struct fb_reporter_sum *reporters; /* by messages, descending */
	size_t nreporters;
	struct fb_day_sum *days; /* by day */
	size_t ndays;
	struct fb_disp_sum *dispositions; /* by messages, descending */
	size_t ndispositions;
	struct fb_selector_sum *selectors; /* by messages, descending */
	size_t nselectors;
	uint64_t failure_reports; /* RFC 6591 reports for the domain in the period */
	uint64_t tls_reports, tls_ok, tls_failed;
	struct fb_tls_sum *tls; /* by policy type, then sessions descending */
	size_t ntls;
};

void fb_summary_cleanup(struct fb_summary *s);

/* The verdict: is it safe to move this domain to p=quarantine? */
struct fb_verdict_opts {
	double threshold;      /* pass rate needed, percent (default 98) */
	uint64_t min_messages; /* fewer messages: not enough evidence (default 100) */
	int64_t fixed_after;   /* a source whose failures all end this long before its
	                        * newest report counts as fixed (default 7 days) */
};

struct fb_verdict {
	bool safe;   /* "safe to enforce"; else "not yet" */
	bool enough; /* enough evidence to judge at all */
	uint64_t messages, pass, fail;
	uint64_t fixed;   /* failing messages of sources counted as fixed */
	double pass_rate; /* percent, over messages less the fixed sources' failures */
	double threshold;
	uint64_t min_messages;
	char why[FB_TEXT];  /* one sentence: the rule and the numbers it saw */
	size_t failing[10]; /* indices into the summary's sources: the biggest failing ones */
	size_t nfailing;
};

void fb_verdict_defaults(struct fb_verdict_opts *o);
void fb_verdict(const struct fb_summary *s, const struct fb_verdict_opts *o, struct fb_verdict *v);

/* A sending service named from a source's reverse name or the SPF/DKIM
 * domains it authenticated with (Google, Microsoft 365, Amazon SES,
 * SendGrid, Mailchimp, ...); "" when none matches. The caller puts the
 * include that authorises the address first in spf_domains. */
const char *fb_service(const char *ptr, const char *spf_domains, const char *dkim_domains);
/* s->services from every source's service (set by the caller first):
 * the sources of each named service summed, by messages. 0, or -1 out of
 * memory. */
int fb_services_count(struct fb_summary *s);

#endif
