/*
 * domainarg.h — the domain in what people type or paste for one. A domain
 * owner copies an email address (user@example.com, mailto:user@example.com,
 * "Jane <jane@example.com>") or a web address (https://example.com/about,
 * example.com/about) where a domain is asked for; each stands for its
 * domain. The command line (posture check, bimi, spf, dmarc, history,
 * lookup) and the list reader of posture scan take them by this one rule
 * and say so (doc/commands.md, "Domains"): the command line with a note
 * on standard error, the list reader with a warning naming the line.
 * Pure: no I/O.
 */
#ifndef POSTURE_DOMAINARG_H
#define POSTURE_DOMAINARG_H

#include <stddef.h>

enum domain_form {
	DOMAIN_FORM_NAME = 0, /* already a name: copied as it is (trimmed) */
	DOMAIN_FORM_ADDRESS,  /* an email address: the part after its last '@' */
	DOMAIN_FORM_URL,      /* a URL: its host, without user, port or path */
};

/*
 * Copies the domain part of in, trimmed of white space, to out:
 * - "mailto:" (any case) or a '@' makes an email address: the text after
 *   the last '@', without a '?' query (mailto:) or a closing '>';
 * - "scheme://" (RFC 3986 3.1 scheme) or a '/' after the name makes a
 *   URL: its host (RFC 3986 3.2.2), without user information and port;
 * - anything else is a name, copied unchanged.
 * The result is not validated: the caller checks it as a domain
 * (list_domain_normalize, dns_name_normalize). Returns the form, or -1
 * when an address or URL holds no domain ("user@", "https:///") or out
 * is too small.
 */
int domain_from_input(const char *in, char *out, size_t outlen);

/* "an email address", "a URL", or "a name". */
const char *domain_form_name(enum domain_form form);

#endif
