/*
 * fetch_policy.h — what the HTTPS fetcher lets through, as pure string
 * logic: the URL check (https only, no credentials, host and port), the
 * redirect target check, --connect-to entries and where they send a host,
 * the encodings a body may have, and the CURLOPT_RESOLVE entry of a host.
 * No curl, no sockets, no I/O: fetch.c calls these, tests and fuzzers
 * call them directly. fetch.h includes this header, so its callers see
 * every name here.
 *
 * URLs are read as libcurl 7.88's URL parser reads them (fetch.c hands the
 * normalised URL to curl), so the host checked here is the host curl
 * connects to:
 * - a scheme is ALPHA/DIGIT/"+"/"-"/"." up to 40 characters and ":",
 *   then one to three slashes; the authority runs to "/", "?" or "#";
 * - userinfo ("@") is refused as credentials;
 * - the port is decimal, leading zeros dropped, 1 to 65535 (443 if none;
 *   "host:" is the default port);
 * - an IPv4 literal may be written as curl reads it ("127.1", "0x7f.1",
 *   octal parts) and is normalised to a dotted quad; an IPv6 literal in
 *   brackets is validated and shortened where it can be; zone
 *   identifiers are refused;
 * - a name is percent-decoded, lower-cased, loses one final dot, and must
 *   be a valid DNS name (dnsutil.h);
 * - the path loses its dot segments (RFC 3986 5.2.4); an empty query
 *   ("?") and an empty fragment ("#") are dropped; percent-encoding is
 *   kept as published.
 *
 * Thread safety: no shared state.
 */
#ifndef POSTURE_FETCH_POLICY_H
#define POSTURE_FETCH_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#define FETCH_URL_MAX    2048 /* bytes of a URL, first or redirect target */
#define FETCH_HOST_MAX   256  /* bytes of a host name (253 + brackets) */
#define FETCH_REASON_MAX 512  /* one-line reason, URL included */
#define FETCH_ADDR_MAX   64   /* one textual address from resolve */
#define FETCH_MAX_ADDRS  8    /* addresses used per host */
/* Characters of a URL quoted in a reason; the reason must still fit. */
#define FETCH_SHOW_URL 240
/* "host:port:" plus FETCH_MAX_ADDRS bracketed addresses and commas. */
#define FETCH_RESOLVE_ENTRY_MAX (FETCH_HOST_MAX + 8 + FETCH_MAX_ADDRS * (FETCH_ADDR_MAX + 3))

enum fetch_status {
	FETCH_OK = 0,
	FETCH_BAD_URL,           /* unparseable, credentials, too long, odd bytes */
	FETCH_NOT_HTTPS,         /* the URL's scheme is not https */
	FETCH_RESOLVE,           /* no address for the host (or a DNS failure) */
	FETCH_CONNECT,           /* no TCP connection */
	FETCH_TLS,               /* handshake or certificate verification failed */
	FETCH_TIMEOUT,           /* connect, total or low-speed limit */
	FETCH_HTTP_STATUS,       /* a final status other than 200 (http_code) */
	FETCH_TOO_LARGE,         /* body over max_bytes */
	FETCH_REDIRECT_LIMIT,    /* more than max_redirects */
	FETCH_REDIRECT_INSECURE, /* a redirect to anything but https */
	FETCH_ENCODED,           /* Content-/Transfer-Encoding other than identity */
	FETCH_ERROR,             /* anything else: the reason says what */
	/* The destination policy (fetch_dest.h) refused the address or the
	 * port: nothing was sent there, so the reason is the same whether
	 * anything listens or not. */
	FETCH_DESTINATION,
};

/* Stable lower-case names for JSON and the store: "ok", "bad_url",
 * "not_https", "resolve", "connect", "tls", "timeout", "http_status",
 * "too_large", "redirect_limit", "redirect_insecure", "encoded", "error",
 * "destination". */
const char *fetch_status_name(enum fetch_status status);

/*
 * Checks url as fetch_add does and writes its normalised form (scheme and
 * host lower case, no final dot on the host) to norm, the host (IPv6 in
 * brackets) to host and the port (443 unless given) to *port. Returns
 * FETCH_OK, or FETCH_BAD_URL / FETCH_NOT_HTTPS with a reason in reason
 * (norm and host "", *port 0).
 */
enum fetch_status fetch_url_check(const char *url, char *norm, size_t normlen, char *host,
                                  size_t hostlen, long *port, char *reason, size_t reasonlen);

/*
 * Judges a redirect: location is the Location target curl resolved against
 * the hop's URL (NULL or "" when the response had none), http_code the
 * 3xx status, redirects the number already followed. Returns FETCH_OK with
 * the target checked as fetch_url_check does (norm, host, *port), or the
 * status the fetch ends with (FETCH_HTTP_STATUS without a Location,
 * FETCH_REDIRECT_LIMIT, FETCH_REDIRECT_INSECURE for a target that is not
 * https, FETCH_BAD_URL) and what happened in reason.
 */
enum fetch_status fetch_redirect_check(const char *location, long http_code, int redirects,
                                       int max_redirects, char *norm, size_t normlen, char *host,
                                       size_t hostlen, long *port, char *reason, size_t reasonlen);

/* True for the statuses whose Location the fetcher follows. */
bool fetch_is_redirect(long http_code);

/* A URL or host for a reason: escaped as dns_escape_text does (it may be
 * what a domain published) and cut at FETCH_SHOW_URL characters. Returns
 * buf. */
const char *fetch_show(const char *text, char *buf, size_t buflen);

/* True when a Content-Encoding (transfer false) or Transfer-Encoding
 * (transfer true) header value leaves the body as sent: empty, identity,
 * and for Transfer-Encoding also chunked. Case and blanks are ignored. */
bool fetch_encoding_ok(const char *value, bool transfer);

/* One parsed connect_to entry. An empty host matches every host, port 0
 * every port; an empty to_host keeps the host, to_port 0 the port. */
struct fetch_connect_to {
	char host[FETCH_HOST_MAX];
	long port;
	char to_host[FETCH_HOST_MAX];
	long to_port;
};

/* Parses "HOST:PORT:TO_HOST:TO_PORT" (IPv6 in brackets, any part may be
 * empty; hosts are lower-cased). Returns 0, or -1 with a reason in err
 * and out zeroed. */
int fetch_connect_to_parse(const char *spec, struct fetch_connect_to *out, char *err,
                           size_t errlen);

/*
 * Where curl connects for host:port (host as fetch_url_check gives it,
 * IPv6 in brackets) under the entries ct[0..n): the first entry that
 * matches and changes something wins, as in curl's own reading. Writes the
 * target host (IPv6 without brackets) and port. Returns the index of the
 * entry that applied, or -1 when none did.
 */
int fetch_connect_target(const struct fetch_connect_to *ct, size_t n, const char *host, long port,
                         char *to_host, size_t to_hostlen, long *to_port);

enum fetch_addr_kind {
	FETCH_ADDR_NAME = 0, /* anything but an address literal */
	FETCH_ADDR_IPV4,     /* dotted quad, as inet_pton reads it */
	FETCH_ADDR_IPV6,     /* without brackets */
};

enum fetch_addr_kind fetch_addr_kind(const char *s);

/*
 * Writes the CURLOPT_RESOLVE entry "host:port:ADDR,[ADDR6],..." for the
 * addresses addrs[0..n) (not modified; at most FETCH_MAX_ADDRS are read,
 * each cut at FETCH_ADDR_MAX - 1 bytes; what is not an address is
 * skipped; what does not fit in entry is left out). Returns the number of
 * addresses written.
 */
int fetch_resolve_entry(const char *host, long port, char (*addrs)[FETCH_ADDR_MAX], int n,
                        char *entry, size_t entrylen);

#endif
