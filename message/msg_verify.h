/*
 * msg_verify.h — DKIM signatures verified by OpenDKIM's libopendkim
 * (msg_verify.c is the only file that includes it). The library never
 * resolves anything itself: the caller looks every key record up first
 * (s._domainkey.d TXT, through posture's DNS adapter) and hands them in
 * as a table; the library's key callback answers from that table only.
 */
#ifndef POSTURE_MSG_VERIFY_H
#define POSTURE_MSG_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "message.h"

enum msg_key_status {
	MSG_KEY_FOUND = 0, /* txt holds the record (strings joined) */
	MSG_KEY_NONE,      /* NXDOMAIN or no TXT record: key not found */
	MSG_KEY_TEMPERROR, /* the query failed: no verdict */
};

struct msg_key {
	char name[MSG_DOMAIN * 2]; /* "s._domainkey.d", lower-cased, no trailing dot */
	enum msg_key_status status;
	char *txt; /* owned by the caller, len bytes; NULL unless FOUND */
	size_t len;
};

struct msg_keytab {
	const struct msg_key *v;
	size_t n;
};

/* The key table's name of selector s and domain d: "s._domainkey.d",
 * lower-cased, without a trailing dot (RFC 6376 3.6.2.1); "" when s or d
 * is missing or the name does not fit outlen. */
void msg_key_name(const char *s, const char *d, char *out, size_t outlen);

/*
 * Verifies every DKIM-Signature of the message data (len bytes, the
 * whole message, CRLF or LF: it is converted to CRLF first) with the
 * keys of tab, and sets verified, key_bits and verify_detail of each
 * view in a->dkim (matched by d=, s= and order). A signature whose key
 * is not in tab is key_not_found. Returns 0, or -1 when the library
 * could not run at all (then every view stays not_checked and err says
 * why).
 */
int msg_verify_dkim(const uint8_t *data, size_t len, const struct msg_keytab *tab,
                    struct msg_analysis *a, char *err, size_t errlen);

/* The version of libopendkim linked, e.g. "2.11.0". */
const char *msg_verify_library(void);

#endif
