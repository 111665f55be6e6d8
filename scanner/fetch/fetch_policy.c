/*
 * fetch_policy.c — the fetcher's URL policy and --connect-to entries, as
 * pure string logic (see fetch_policy.h).
 *
 * The URL reader follows libcurl 7.88's urlapi.c step by step (scheme,
 * slashes, authority, userinfo, port, IPv4 normalisation, host decoding,
 * host check, dot segments), because fetch.c gives curl the normalised
 * URL and resolves the host found here: both must read the same host and
 * port. Where curl refuses a URL, the reason carries curl's own words
 * ("not a URL (Bad hostname)"). Every buffer is bounded by FETCH_URL_MAX:
 * longer URLs are refused before they are read, so nothing is allocated.
 */
#include "fetch_policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnsutil.h"
#include "strutil.h"

#define URL_SCHEME_MAX 40 /* curl's MAX_SCHEME_LEN */

static const char *const status_names[] = {
	[FETCH_OK] = "ok",
	[FETCH_BAD_URL] = "bad_url",
	[FETCH_NOT_HTTPS] = "not_https",
	[FETCH_RESOLVE] = "resolve",
	[FETCH_CONNECT] = "connect",
	[FETCH_TLS] = "tls",
	[FETCH_TIMEOUT] = "timeout",
	[FETCH_HTTP_STATUS] = "http_status",
	[FETCH_TOO_LARGE] = "too_large",
	[FETCH_REDIRECT_LIMIT] = "redirect_limit",
	[FETCH_REDIRECT_INSECURE] = "redirect_insecure",
	[FETCH_ENCODED] = "encoded",
	[FETCH_ERROR] = "error",
	[FETCH_DESTINATION] = "destination",
};

const char *fetch_status_name(enum fetch_status status)
{
	if ((size_t)status < sizeof(status_names) / sizeof(status_names[0]) &&
	    status_names[status] != NULL)
		return status_names[status];
	return "unknown";
}

const char *fetch_show(const char *text, char *buf, size_t buflen)
{
	char tmp[FETCH_SHOW_URL + 1];
	size_t n = strnlen(text, FETCH_SHOW_URL + 1);
	bool cut = n > FETCH_SHOW_URL;
	if (cut)
		n = FETCH_SHOW_URL - 3;
	dns_escape_text(text, n, tmp, sizeof(tmp));
	snprintf(buf, buflen, "%s%s", tmp, cut ? "..." : "");
	return buf;
}

enum fetch_addr_kind fetch_addr_kind(const char *s)
{
	unsigned char a[16];
	if (inet_pton(AF_INET, s, a) == 1)
		return FETCH_ADDR_IPV4;
	if (inet_pton(AF_INET6, s, a) == 1)
		return FETCH_ADDR_IPV6;
	return FETCH_ADDR_NAME;
}

static void lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ---- the URL, read as curl reads it ---------------------------------- */

/* What curl keeps of a URL (urlapi.c struct Curl_URL), in our buffers. */
struct url {
	char scheme[URL_SCHEME_MAX + 1]; /* lower case */
	bool login;                      /* userinfo was given ("@") */
	bool zoneid;                     /* an IPv6 zone identifier was given */
	char host[FETCH_URL_MAX + 1];    /* decoded; IPv6 in brackets */
	char port[8];                    /* decimal, "" when none */
	char path[FETCH_URL_MAX + 1];    /* dot segments removed; "" for "/" */
	const char *query;               /* after '?', query_len bytes */
	size_t query_len;
	const char *fragment; /* after '#', fragment_len bytes; NULL: none */
	size_t fragment_len;
};

/* curl's CURLUcode for each way parsing fails, and curl_url_strerror's
 * words for it. */
enum url_err {
	URL_OK = 0,
	URL_BAD_SCHEME,
	URL_BAD_SLASHES,
	URL_NO_HOST,
	URL_BAD_IPV6,
	URL_BAD_PORT,
	URL_BAD_HOSTNAME,
	URL_BAD_FILE,
};

static const char *const url_err_text[] = {
	[URL_OK] = "No error",
	[URL_BAD_SCHEME] = "Bad scheme",
	[URL_BAD_SLASHES] = "Unsupported number of slashes following scheme",
	[URL_NO_HOST] = "No host part in the URL",
	[URL_BAD_IPV6] = "Bad IPv6 address",
	[URL_BAD_PORT] = "Port number was not a decimal number between 0 and 65535",
	[URL_BAD_HOSTNAME] = "Bad hostname",
	[URL_BAD_FILE] = "Bad file:// URL",
};

/* Length of the scheme before ':' (RFC 3986 3.1 characters, a digit
 * first included, as curl takes it), or 0 when there is none. */
static size_t scheme_len(const char *url)
{
	size_t i = 0;
	while (i < URL_SCHEME_MAX &&
	       ((url[i] >= 'a' && url[i] <= 'z') || (url[i] >= 'A' && url[i] <= 'Z') ||
	        is_digit(url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.'))
		i++;
	return i > 0 && url[i] == ':' ? i : 0;
}

/* "c:", "c|" followed by a slash, a backslash or the end. */
static bool drive_prefix(const char *s)
{
	return ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) &&
	       (s[1] == ':' || s[1] == '|') && (s[2] == '/' || s[2] == '\\' || s[2] == '\0');
}

/* A file: URL parses when it names no host but localhost (curl on
 * Unix); only whether it parses matters: it is refused as not https. */
static enum url_err parse_file(const char *url)
{
	const char *path = url + 5;

	if (strlen(url) <= 6)
		return URL_BAD_FILE;
	if (path[0] == '/' && path[1] == '/') {
		const char *p = path + 2;
		if (p[0] != '/' && !drive_prefix(p)) {
			if (strncasecmp(p, "localhost/", 10) != 0 &&
			    strncasecmp(p, "127.0.0.1/", 10) != 0)
				return URL_BAD_FILE;
			p += 9;
		}
		path = p;
	}
	if ((path[0] == '/' && drive_prefix(path + 1)) || drive_prefix(path))
		return URL_BAD_FILE;
	return URL_OK;
}

/* Drops the last segment of out[0..*o) and its '/' (RFC 3986 5.2.4 C). */
static void drop_segment(char *out, size_t *o)
{
	while (*o > 0) {
		(*o)--;
		if (out[*o] == '/')
			break;
	}
}

/* RFC 3986 5.2.4 remove_dot_segments on in (which starts with '/' and
 * holds no '?'), as curl's dedotdotify does it; out holds strlen(in) + 1. */
static void remove_dots(const char *in, char *out)
{
	size_t o = 0;

	if (strlen(in) < 2 || strchr(in, '.') == NULL) {
		memcpy(out, in, strlen(in) + 1);
		return;
	}
	do {
		if (strncmp(in, "/./", 3) == 0) {
			in += 2;
		} else if (strcmp(in, "/.") == 0) {
			out[o++] = '/';
			break;
		} else if (strncmp(in, "/../", 4) == 0) {
			in += 3;
			drop_segment(out, &o);
		} else if (strcmp(in, "/..") == 0) {
			drop_segment(out, &o);
			out[o++] = '/';
			break;
		} else {
			/* E: the first segment, its '/' included, moves out. */
			do
				out[o++] = *in++;
			while (*in != '\0' && *in != '/');
		}
	} while (*in != '\0');
	out[o] = '\0';
}

/* Splits what follows the authority into path, query and fragment. */
static void split_rest(const char *rest, struct url *u)
{
	const char *frag = strchr(rest, '#'), *q = strchr(rest, '?');
	size_t fraglen = frag != NULL ? strlen(frag) : 0, pathlen;
	char path[FETCH_URL_MAX + 1];

	if (fraglen > 1) {
		u->fragment = frag + 1;
		u->fragment_len = fraglen - 1;
	}
	if (q != NULL && (frag == NULL || q < frag)) {
		size_t qlen = strlen(q) - fraglen; /* '?' included */
		pathlen = strlen(rest) - qlen - fraglen;
		u->query = q + 1;
		u->query_len = qlen - 1;
	} else {
		pathlen = strlen(rest) - fraglen;
	}
	u->path[0] = '\0';
	if (pathlen > 1) {
		memcpy(path, rest, pathlen);
		path[pathlen] = '\0';
		remove_dots(path, u->path);
	}
}

/* Cuts the port off host ("[v6]:port", "name:port") into u->port. */
static enum url_err split_port(char *host, struct url *u)
{
	char *p, *rest;

	if (host[0] == '[') {
		p = strchr(host, ']');
		if (p == NULL)
			return URL_BAD_IPV6;
		p++;
		if (*p != '\0' && *p != ':')
			return URL_BAD_PORT;
		if (*p == '\0')
			p = NULL;
	} else {
		p = strchr(host, ':');
	}
	if (p == NULL)
		return URL_OK;
	*p++ = '\0';
	/* "host:" is the default port, as browsers read it. */
	if (*p == '\0')
		return URL_OK;
	if (!is_digit(*p))
		return URL_BAD_PORT;
	long port = strtol(p, &rest, 10);
	if (port > 0xffff || *rest != '\0')
		return URL_BAD_PORT;
	/* Written again: leading zeros go. */
	snprintf(u->port, sizeof(u->port), "%ld", port);
	return URL_OK;
}

/*
 * An IPv4 address in any of the forms inet_aton reads ("127.1", "0x7f.1",
 * "0177.0.0.1", "2130706433") as a dotted quad in out, as curl's
 * ipv4_normalize does. Returns false when host is not one.
 */
static bool ipv4_normalize(const char *host, char *out, size_t outlen)
{
	unsigned long part[4] = { 0, 0, 0, 0 };
	const char *c = host;
	int n = 0;

	for (;;) {
		char *end;
		if (!is_digit(*c))
			return false; /* no sign, no blank */
		errno = 0;
		unsigned long v = strtoul(c, &end, 0);
		if ((v == ULONG_MAX && errno == ERANGE) || end == c || v > UINT_MAX)
			return false;
		part[n] = v;
		c = end;
		if (*c == '\0')
			break;
		if (*c != '.' || n == 3)
			return false;
		n++;
		c++;
	}
	/* The last part fills the bytes the others leave. */
	static const unsigned long max_last[] = { 0xffffffffUL, 0xffffff, 0xffff, 0xff };
	for (int i = 0; i < n; i++)
		if (part[i] > 0xff)
			return false;
	if (part[n] > max_last[n])
		return false;
	unsigned long a = 0;
	for (int i = 0; i < n; i++)
		a |= part[i] << (8 * (3 - i));
	a |= part[n];
	snprintf(out, outlen, "%lu.%lu.%lu.%lu", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
	         a & 0xff);
	return true;
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s in place; -1 when a byte below 0x20 would come out
 * (curl's REJECT_CTRL). A '%' without two hex digits stays as it is. */
static int percent_decode(char *s)
{
	char *o = s;
	for (const char *i = s; *i != '\0';) {
		unsigned char c = (unsigned char)*i;
		if (c == '%' && hex_value(i[1]) >= 0 && hex_value(i[2]) >= 0) {
			c = (unsigned char)(hex_value(i[1]) << 4 | hex_value(i[2]));
			i += 3;
		} else {
			i++;
		}
		if (c < 0x20)
			return -1;
		*o++ = (char)c;
	}
	*o = '\0';
	return 0;
}

/* An IPv6 literal "[...]" (a zone identifier after '%' noted and
 * dropped), shortened as inet_ntop writes it when that is shorter. */
static enum url_err check_ipv6(const char *host, struct url *u)
{
	size_t hlen = strlen(host), len;
	unsigned char bin[16];
	char addr[FETCH_URL_MAX + 1], shorter[INET6_ADDRSTRLEN];

	if (hlen < 4)
		return URL_BAD_IPV6; /* "[::]" is the shortest */
	hlen -= 2;
	len = strspn(host + 1, "0123456789abcdefABCDEF:.");
	if (len != hlen) {
		/* RFC 6874: "%25" then the zone; curl takes a bare '%' too. */
		const char *z = host + 1 + len + 1;
		int i = 0;
		if (host[1 + len] != '%')
			return URL_BAD_IPV6;
		if (strncmp(z, "25", 2) == 0 && z[2] != '\0' && z[2] != ']')
			z += 2;
		while (*z != '\0' && *z != ']' && i < 15) {
			z++;
			i++;
		}
		if (i == 0 || *z != ']')
			return URL_BAD_IPV6;
		u->zoneid = true;
		hlen = len;
	}
	memcpy(addr, host + 1, hlen);
	addr[hlen] = '\0';
	if (inet_pton(AF_INET6, addr, bin) != 1)
		return URL_BAD_IPV6;
	if (inet_ntop(AF_INET6, bin, shorter, sizeof(shorter)) != NULL && strlen(shorter) < hlen)
		str_copy(addr, sizeof(addr), shorter);
	str_join3(u->host, sizeof(u->host), "[", addr, "]");
	return URL_OK;
}

/* The host part of the authority: userinfo noted, port cut, then the
 * host normalised and checked (curl's parse_hostname_login,
 * Curl_parse_port, ipv4_normalize, decode_host, hostname_check). */
static enum url_err parse_authority(const char *auth, size_t alen, struct url *u)
{
	char buf[FETCH_URL_MAX + 1], *host = buf, *at;
	enum url_err err;

	memcpy(buf, auth, alen);
	buf[alen] = '\0';
	at = strchr(buf, '@');
	if (at != NULL) {
		u->login = true;
		host = at + 1;
	}
	err = split_port(host, u);
	if (err != URL_OK)
		return err;
	if (ipv4_normalize(host, u->host, sizeof(u->host)))
		return URL_OK;
	if (host[0] != '[' && strchr(host, '%') != NULL && percent_decode(host) != 0)
		return URL_BAD_HOSTNAME;
	if (host[0] == '\0')
		return URL_NO_HOST;
	if (host[0] == '[')
		return check_ipv6(host, u);
	if (strcspn(host, " \r\n\t/:#?!@{}[]\\$'\"^`*<>=;,+&()") != strlen(host))
		return URL_BAD_HOSTNAME;
	str_copy(u->host, sizeof(u->host), host);
	return URL_OK;
}

/* Parses url (printable ASCII, at most FETCH_URL_MAX bytes) into u. */
static enum url_err parse_url(const char *url, struct url *u)
{
	size_t slen = scheme_len(url), alen;
	const char *p;
	int slashes = 0;

	memset(u, 0, sizeof(*u));
	if (slen == 0)
		return URL_BAD_SCHEME;
	for (size_t i = 0; i < slen; i++)
		u->scheme[i] = url[i];
	lower(u->scheme);
	if (strcmp(u->scheme, "file") == 0)
		return parse_file(url);
	p = url + slen + 1;
	while (*p == '/' && slashes < 4) {
		p++;
		slashes++;
	}
	if (slashes < 1 || slashes > 3)
		return URL_BAD_SLASHES;
	alen = strcspn(p, "/?#");
	if (alen == 0)
		return URL_NO_HOST;
	split_rest(p + alen, u);
	return parse_authority(p, alen, u);
}

/* Writes the URL as curl's CURLUPART_URL does; returns its length. */
static size_t url_write(const struct url *u, char *out, size_t outlen)
{
	char host[3 * FETCH_HOST_MAX + 1];
	size_t h = 0;

	/* A '%' left in a name is written as "%25". */
	for (const char *c = u->host; *c != '\0' && h + 3 < sizeof(host); c++) {
		if (*c == '%' && u->host[0] != '[') {
			memcpy(host + h, "%25", 3);
			h += 3;
		} else {
			host[h++] = *c;
		}
	}
	host[h] = '\0';
	return (size_t)snprintf(out, outlen, "%s://%s%s%s%s%s%s%.*s%s%.*s", u->scheme, host,
	                        u->port[0] != '\0' ? ":" : "", u->port,
	                        u->path[0] != '/' ? "/" : "", u->path, u->query_len > 0 ? "?" : "",
	                        (int)u->query_len, u->query != NULL ? u->query : "",
	                        u->fragment != NULL ? "#" : "", (int)u->fragment_len,
	                        u->fragment != NULL ? u->fragment : "");
}

/* ---- the policy -------------------------------------------------------- */

/* RFC 3986 URLs are printable ASCII; a space, a control byte or UTF-8
 * here is either an error of the publisher or an attack on whoever
 * prints the URL. IDNs must be published as A-labels. */
static enum fetch_status url_bytes(const char *url, char *why, size_t whylen)
{
	size_t len;

	if (url == NULL || url[0] == '\0') {
		snprintf(why, whylen, "empty URL");
		return FETCH_BAD_URL;
	}
	len = strnlen(url, FETCH_URL_MAX + 1);
	if (len > FETCH_URL_MAX) {
		snprintf(why, whylen, "URL longer than %d bytes", FETCH_URL_MAX);
		return FETCH_BAD_URL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7f) {
			snprintf(why, whylen,
			         "byte 0x%02x at offset %zu (URLs are printable ASCII, no spaces)",
			         c, i);
			return FETCH_BAD_URL;
		}
	}
	return FETCH_OK;
}

/* The host of a parsed https URL, made the name that is resolved: one
 * final dot dropped (it names the same host; curl drops it for TLS too),
 * lower case, and a valid DNS name unless an address literal. */
static enum fetch_status url_host(struct url *u, char *why, size_t whylen)
{
	char name[FETCH_HOST_MAX], quad[16], checked[DNS_NAME_BUF];
	size_t n;

	if (u->host[0] == '[')
		return FETCH_OK;
	str_copy(name, sizeof(name), u->host);
	n = strlen(name);
	if (n > 0 && name[n - 1] == '.')
		name[n - 1] = '\0';
	lower(name);
	/* A second final dot is an empty label ("a.test.."): no DNS name,
	 * though dns_name_normalize, which drops a final dot of its own, would
	 * take what is left. */
	n = strlen(name);
	if ((n > 0 && name[n - 1] == '.') ||
	    (fetch_addr_kind(name) != FETCH_ADDR_IPV4 &&
	     dns_name_normalize(name, checked, sizeof(checked)) != 0)) {
		snprintf(why, whylen, "host %.80s is not a valid DNS name", u->host);
		return FETCH_BAD_URL;
	}
	/* "1.2." is "1.2" once the dot goes, which curl reads as 1.0.0.2
	 * when it parses the normalised URL: say the address it connects to. */
	if (ipv4_normalize(name, quad, sizeof(quad)))
		str_copy(name, sizeof(name), quad);
	str_copy(u->host, sizeof(u->host), name);
	return FETCH_OK;
}

/* Everything but the normalised URL's length; u is the parsed URL. */
static enum fetch_status url_judge(const char *url, struct url *u, char *why, size_t whylen)
{
	enum fetch_status st = url_bytes(url, why, whylen);
	enum url_err err;

	if (st != FETCH_OK)
		return st;
	/* Any scheme parses, so that http: is told apart from garbage. */
	err = parse_url(url, u);
	if (err != URL_OK) {
		snprintf(why, whylen, "not a URL (%s)", url_err_text[err]);
		return FETCH_BAD_URL;
	}
	if (strcmp(u->scheme, "https") != 0) {
		snprintf(why, whylen, "scheme %.32s: only https is fetched", u->scheme);
		return FETCH_NOT_HTTPS;
	}
	/* Userinfo would be sent as credentials to whoever the host is. */
	if (u->login) {
		snprintf(why, whylen, "URL carries credentials (userinfo)");
		return FETCH_BAD_URL;
	}
	if (u->zoneid) {
		snprintf(why, whylen, "IPv6 zone identifiers are not fetched");
		return FETCH_BAD_URL;
	}
	if (strlen(u->host) >= FETCH_HOST_MAX) {
		snprintf(why, whylen, "host longer than %d bytes", FETCH_HOST_MAX - 1);
		return FETCH_BAD_URL;
	}
	return url_host(u, why, whylen);
}

enum fetch_status fetch_url_check(const char *url, char *norm, size_t normlen, char *host,
                                  size_t hostlen, long *port, char *reason, size_t reasonlen)
{
	char why[FETCH_REASON_MAX], full[FETCH_URL_MAX + 2];
	struct url u;
	enum fetch_status st;

	if (normlen > 0)
		norm[0] = '\0';
	if (hostlen > 0)
		host[0] = '\0';
	*port = 0;
	if (reasonlen > 0)
		reason[0] = '\0';
	st = url_judge(url, &u, why, sizeof(why));
	if (st != FETCH_OK) {
		str_copy(reason, reasonlen, why);
		return st;
	}
	const char *p = u.port[0] != '\0' ? u.port : "443";
	long v = strtol(p, NULL, 10);
	if (v < 1 || v > 65535) {
		snprintf(reason, reasonlen, "port %.16s out of range", p);
		return FETCH_BAD_URL;
	}
	if (url_write(&u, full, sizeof(full)) > FETCH_URL_MAX) {
		snprintf(reason, reasonlen, "URL longer than %d bytes once normalised",
		         FETCH_URL_MAX);
		return FETCH_BAD_URL;
	}
	str_copy(norm, normlen, full);
	str_copy(host, hostlen, u.host);
	*port = v;
	return FETCH_OK;
}

bool fetch_is_redirect(long http_code)
{
	return http_code == 301 || http_code == 302 || http_code == 303 || http_code == 307 ||
	       http_code == 308;
}

enum fetch_status fetch_redirect_check(const char *location, long http_code, int redirects,
                                       int max_redirects, char *norm, size_t normlen, char *host,
                                       size_t hostlen, long *port, char *reason, size_t reasonlen)
{
	char why[FETCH_REASON_MAX], shown[FETCH_SHOW_URL + 8];
	enum fetch_status st;

	if (normlen > 0)
		norm[0] = '\0';
	if (hostlen > 0)
		host[0] = '\0';
	*port = 0;
	if (location == NULL || location[0] == '\0') {
		snprintf(reason, reasonlen, "HTTP status %ld without a Location", http_code);
		return FETCH_HTTP_STATUS;
	}
	if (redirects >= max_redirects) {
		snprintf(reason, reasonlen, "more than %d redirects (the next to %s)",
		         max_redirects, fetch_show(location, shown, sizeof(shown)));
		return FETCH_REDIRECT_LIMIT;
	}
	st = fetch_url_check(location, norm, normlen, host, hostlen, port, why, sizeof(why));
	if (st == FETCH_OK) {
		if (reasonlen > 0)
			reason[0] = '\0';
		return FETCH_OK;
	}
	snprintf(reason, reasonlen, "redirect to %s: %s",
	         fetch_show(location, shown, sizeof(shown)), why);
	/* A downgrade is told apart from a broken target. */
	return st == FETCH_NOT_HTTPS ? FETCH_REDIRECT_INSECURE : st;
}

/* ---- headers ----------------------------------------------------------- */

bool fetch_encoding_ok(const char *value, bool transfer)
{
	const char *s = value;
	while (*s != '\0') {
		const char *start, *end;
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		start = s;
		while (*s != '\0' && *s != ',')
			s++;
		end = s;
		while (end > start &&
		       (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
			end--;
		size_t n = (size_t)(end - start);
		if (n == 0)
			continue;
		if (n == 8 && strncasecmp(start, "identity", 8) == 0)
			continue;
		if (transfer && n == 7 && strncasecmp(start, "chunked", 7) == 0)
			continue;
		return false;
	}
	return true;
}

/* ---- connect-to -------------------------------------------------------- */

/* Reads one host part of a connect_to entry up to ':' ("[v6]" allowed). */
static int ct_host(const char **sp, char *out, size_t outlen)
{
	const char *s = *sp, *end;
	if (*s == '[') {
		end = strchr(s, ']');
		if (end == NULL || (end[1] != ':' && end[1] != '\0'))
			return -1;
		s++;
	} else {
		end = strchr(s, ':');
		if (end == NULL)
			end = s + strlen(s);
	}
	if ((size_t)(end - s) >= outlen)
		return -1;
	for (const char *c = s; c < end; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return -1;
	memcpy(out, s, (size_t)(end - s));
	out[end - s] = '\0';
	lower(out);
	*sp = *end == ']' ? end + 1 : end;
	return 0;
}

/* Reads an optional port up to ':' or the end; 0 when empty. */
static int ct_port(const char **sp, long *port)
{
	const char *s = *sp;
	long v = 0;
	int digits = 0;
	while (*s >= '0' && *s <= '9' && digits < 6) {
		v = v * 10 + (*s - '0');
		s++;
		digits++;
	}
	if ((*s != ':' && *s != '\0') || (digits > 0 && (v < 1 || v > 65535)))
		return -1;
	*port = v;
	*sp = s;
	return 0;
}

int fetch_connect_to_parse(const char *spec, struct fetch_connect_to *out, char *err, size_t errlen)
{
	const char *s = spec;
	memset(out, 0, sizeof(*out));
	if (spec == NULL || strlen(spec) > 2 * FETCH_HOST_MAX + 16)
		goto bad;
	if (ct_host(&s, out->host, sizeof(out->host)) != 0 || *s++ != ':')
		goto bad;
	if (ct_port(&s, &out->port) != 0 || *s++ != ':')
		goto bad;
	if (ct_host(&s, out->to_host, sizeof(out->to_host)) != 0 || *s++ != ':')
		goto bad;
	if (ct_port(&s, &out->to_port) != 0 || *s != '\0')
		goto bad;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	snprintf(err, errlen, "connect-to %.80s: expected HOST:PORT:ADDRESS:PORT",
	         spec != NULL ? spec : "(null)");
	return -1;
}

int fetch_connect_target(const struct fetch_connect_to *ct, size_t n, const char *host, long port,
                         char *to_host, size_t to_hostlen, long *to_port)
{
	char bare[FETCH_HOST_MAX];
	size_t len = strlen(host);

	/* The host without the brackets of an IPv6 literal. */
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
		snprintf(bare, sizeof(bare), "%.*s", (int)(len - 2), host + 1);
	else
		str_copy(bare, sizeof(bare), host);
	str_copy(to_host, to_hostlen, bare);
	*to_port = port;
	for (size_t i = 0; i < n; i++) {
		const struct fetch_connect_to *c = &ct[i];
		if (c->host[0] != '\0' && strcasecmp(c->host, bare) != 0)
			continue;
		if (c->port != 0 && c->port != port)
			continue;
		if (c->to_host[0] == '\0' && c->to_port == 0)
			continue;
		if (c->to_host[0] != '\0')
			str_copy(to_host, to_hostlen, c->to_host);
		if (c->to_port != 0)
			*to_port = c->to_port;
		return (int)i;
	}
	return -1;
}

int fetch_resolve_entry(const char *host, long port, char (*addrs)[FETCH_ADDR_MAX], int n,
                        char *entry, size_t entrylen)
{
	size_t pos;
	int used = 0, w;

	w = snprintf(entry, entrylen, "%s:%ld:", host, port);
	if (w < 0 || (size_t)w >= entrylen)
		return 0;
	pos = (size_t)w;
	if (n > FETCH_MAX_ADDRS)
		n = FETCH_MAX_ADDRS;
	for (int i = 0; i < n; i++) {
		char a[FETCH_ADDR_MAX];
		memcpy(a, addrs[i], FETCH_ADDR_MAX - 1);
		a[FETCH_ADDR_MAX - 1] = '\0';
		enum fetch_addr_kind kind = fetch_addr_kind(a);
		if (kind == FETCH_ADDR_NAME)
			continue; /* not an address: the resolver's bug, skip */
		w = snprintf(entry + pos, entrylen - pos,
		             kind == FETCH_ADDR_IPV6 ? "%s[%s]" : "%s%s", used ? "," : "", a);
		if (w < 0 || (size_t)w >= entrylen - pos) {
			entry[pos] = '\0'; /* no address cut in half */
			break;
		}
		pos += (size_t)w;
		used++;
	}
	return used;
}
