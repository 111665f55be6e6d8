/*
 * msg_impl.h — what msg_analyze.c hands msg_findings.c (private to
 * message/): what the reading had to cut, and the small domain helpers
 * both use.
 */
#ifndef POSTURE_MSG_IMPL_H
#define POSTURE_MSG_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"

/* What msg_analyze learned beyond struct msg_analysis. */
struct msg_work {
	size_t from_addrs;   /* mailboxes in the first From field */
	bool header_cut;     /* the header section ran past MSG_HEADER_MAX */
	size_t values_cut;   /* fields whose value was cut at MSG_VALUE_MAX */
	size_t ars_dropped;  /* (ARC-)Authentication-Results past MSG_AR_MAX */
	size_t sigs_dropped; /* DKIM-Signature fields past MSG_SIGS_MAX */
	size_t spfs_dropped; /* Received-SPF fields past MSG_AR_MAX */
	size_t arc_ignored;  /* ARC fields whose i= is outside 1..MSG_ARC_MAX */
};

/* The domain of an address ("a@b.example", "<a@b.example>") or a bare
 * domain, lower-cased, without a trailing dot; "" when there is none. */
void msg_domain_of(const char *in, char *out, size_t outlen);
/* The organisational domain of domain through org, or domain itself
 * when org cannot tell; "" for "". */
void msg_org_of(msg_org_fn org, const char *domain, char *out, size_t outlen);
/* RFC 7489 3.1.1 relaxed alignment: domain and From share an org domain. */
bool msg_aligned_relaxed(msg_org_fn org, const char *domain, const struct msg_identity *from);

/* The findings of msg_analyze (msg_findings.c). Returns 0 or -1. */
int msg_findings(struct msg_analysis *a, const struct msg_options *opt, const struct msg_work *w);

#endif
