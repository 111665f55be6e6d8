/*
 * headers_out.h — what posture headers prints: the hop-by-hop story in
 * text (every value from the message made terminal-safe) and the JSON
 * contract (doc/commands.md, "posture headers"). cmd_headers.c fills the
 * analysis and what --verify and --live learned; these only write.
 */
#ifndef POSTURE_HEADERS_OUT_H
#define POSTURE_HEADERS_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "checks.h"
#include "message.h"
#include "msg_verify.h"

/* The key records asked for (--verify, --live), one per key name. */
struct keyfetch {
	struct msg_key *v;
	size_t n;
	size_t temperrors; /* names whose query failed */
};

/* --live: the From domain's checks as run now. */
struct headers_live {
	bool r_init; /* domain_check_run ran: r must be cleaned up */
	bool ran;    /* r holds the From domain's DMARC result */
	struct domain_result r;
};

struct headers_extra {
	bool authserv_given; /* --authserv-id */
	bool keys_asked;     /* --verify or --live looked the keys up */
	bool verified;       /* --verify ran */
	bool live_asked;     /* --live */
	struct keyfetch keys;
	struct msg_keytab tab;
	struct headers_live live;
};

/* The key looked up for signature s, or NULL when it was not asked. */
const struct msg_key *headers_key_of(const struct headers_extra *x, const struct msg_sig *s);

/* The story on out. Returns 0 or -1. */
int headers_text(FILE *out, const struct msg_analysis *a, const struct headers_extra *x);
/* The JSON object on stdout. Returns 0 or -1. */
int headers_json(const struct msg_analysis *a, const struct headers_extra *x);

#endif
