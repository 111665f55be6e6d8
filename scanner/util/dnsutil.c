/*
 * dnsutil.c — pure helpers for DNS names, addresses and answers.
 *
 * Names from the wire are attacker-controlled: every conversion here is
 * bounded by the caller's buffer and escapes anything that is not a plain
 * host-name character, so later output (terminal, CSV, HTML) starts from
 * text that cannot carry control bytes.
 */
#include "dnsutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *dns_outcome_name(enum dns_outcome outcome)
{
	switch (outcome) {
	case DNS_OUTCOME_DATA:
		return "data";
	case DNS_OUTCOME_NODATA:
		return "nodata";
	case DNS_OUTCOME_NXDOMAIN:
		return "nxdomain";
	case DNS_OUTCOME_SERVFAIL:
		return "servfail";
	case DNS_OUTCOME_TIMEOUT:
		return "timeout";
	case DNS_OUTCOME_MALFORMED:
		return "malformed";
	}
	return "unknown";
}

static const struct {
	const char *name;
	uint16_t type;
} dns_types[] = {
	{ "A", DNS_TYPE_A },           { "NS", DNS_TYPE_NS },     { "CNAME", DNS_TYPE_CNAME },
	{ "SOA", DNS_TYPE_SOA },       { "PTR", DNS_TYPE_PTR },   { "MX", DNS_TYPE_MX },
	{ "TXT", DNS_TYPE_TXT },       { "AAAA", DNS_TYPE_AAAA }, { "DS", DNS_TYPE_DS },
	{ "DNSKEY", DNS_TYPE_DNSKEY }, { "TLSA", DNS_TYPE_TLSA },
};

uint16_t dns_type_parse(const char *text)
{
	for (size_t i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++)
		if (strcasecmp(text, dns_types[i].name) == 0)
			return dns_types[i].type;
	return 0;
}

const char *dns_type_name(uint16_t type, char *buf, size_t buflen)
{
	for (size_t i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++)
		if (dns_types[i].type == type)
			return dns_types[i].name;
	snprintf(buf, buflen, "TYPE%u", (unsigned)type);
	return buf;
}

const char *dns_rcode_name(int rcode, char *buf, size_t buflen)
{
	static const char *const names[] = { "NOERROR",  "FORMERR", "SERVFAIL",
		                             "NXDOMAIN", "NOTIMP",  "REFUSED" };
	if (rcode < 0)
		return "none";
	if ((size_t)rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	snprintf(buf, buflen, "RCODE%d", rcode);
	return buf;
}

/* ASCII letters, digits and - _ * whatever the locale (isalnum is not). */
static bool dns_host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '*';
}

/* Names hold ASCII only here: no locale lookup per byte (tolower). */
static inline char ascii_lower(unsigned char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

/* Names given as text are printable ASCII and space (RFC 2181 11 lets a
 * label hold any octet, and SPF macros expand to such names, RFC 7208
 * 7.3); controls and 8-bit bytes must come escaped, IDNs as A-labels. */
static bool dns_text_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

int dns_name_to_wire(const char *name, uint8_t *out, size_t outlen)
{
	size_t o = 0, lab = 0; /* lab: where the current label's length goes */

	if (outlen < 1 || name[0] == '\0')
		return -1;
	out[o++] = 0;
	/* The root: a CNAME may point there, and its target is asked. */
	if (strcmp(name, ".") == 0)
		return 1;
	for (const char *p = name; *p != '\0'; p++) {
		unsigned c = (unsigned char)*p;
		if (c == '.') {
			if (out[lab] == 0)
				return -1; /* empty label: "..", ".a" */
			if (p[1] == '\0')
				break; /* the final dot */
			lab = o;
			if (o >= outlen)
				return -1;
			out[o++] = 0;
			continue;
		}
		if (c == '\\') {
			/* RFC 1035 5.1's \DDD; "\X" is not used here, so a
			 * stray backslash is an error rather than a guess. */
			if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' || p[3] < '0' ||
			    p[3] > '9')
				return -1;
			c = (unsigned)(p[1] - '0') * 100 + (unsigned)(p[2] - '0') * 10 +
			    (unsigned)(p[3] - '0');
			if (c > 255)
				return -1;
			p += 3;
		} else if (!dns_text_byte((unsigned char)c)) {
			return -1;
		}
		if (out[lab] == 63 || o >= outlen)
			return -1;
		out[lab]++;
		out[o++] = (uint8_t)c;
	}
	/* RFC 1035 3.1: 255 bytes at most, the root's zero included. */
	if (out[lab] == 0 || o >= outlen || o + 1 > 255)
		return -1;
	out[o++] = 0;
	return (int)o;
}

int dns_name_normalize(const char *in, char *out, size_t outlen)
{
	uint8_t wire[255];
	int n = dns_name_to_wire(in, wire, sizeof(wire));

	/* n == 1 is the root, not a domain. */
	if (n <= 1 || dns_name_from_wire(wire, (size_t)n, out, outlen) < 0)
		return -1;
	return 0;
}

/* ASCII case-insensitive equality of two wire names (RFC 4343). */
static bool wire_equal(const uint8_t *a, int na, const uint8_t *b, int nb)
{
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

bool dns_name_equal(const char *a, const char *b)
{
	/* Without escapes the texts compare as they are (the usual case, and
	 * the one for text that is no valid name). */
	if (strchr(a, '\\') != NULL || strchr(b, '\\') != NULL) {
		uint8_t wa[255], wb[255];
		int na = dns_name_to_wire(a, wa, sizeof(wa)),
		    nb = dns_name_to_wire(b, wb, sizeof(wb));
		if (na > 0 && nb > 0)
			return wire_equal(wa, na, wb, nb);
	}
	size_t la = strlen(a), lb = strlen(b);
	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

int dns_name_from_wire(const uint8_t *wire, size_t len, char *out, size_t outlen)
{
	size_t i = 0, o = 0;

	if (outlen < 2)
		return -1;
	for (;;) {
		if (i >= len)
			return -1;
		size_t lab = wire[i++];
		if (lab == 0)
			break;
		/* Compression pointers and extended label types do not
		 * belong in an already decompressed name. */
		if (lab > 63 || i + lab > len)
			return -1;
		if (o > 0) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = '.';
		}
		for (size_t k = 0; k < lab; k++) {
			unsigned char c = wire[i + k];
			if (dns_host_char(c)) {
				if (o + 1 >= outlen)
					return -1;
				out[o++] = ascii_lower(c);
			} else {
				if (o + 4 >= outlen)
					return -1;
				snprintf(out + o, 5, "\\%03u", (unsigned)c);
				o += 4;
			}
		}
		i += lab;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return (int)i;
}

int dns_name_from_text(const char *text, char *out, size_t outlen)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (!dns_text_byte(*p))
			return -1;
		if (dns_host_char(*p) || *p == '.') {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = (char)*p;
		} else {
			if (o + 4 >= outlen)
				return -1;
			snprintf(out + o, 5, "\\%03u", (unsigned)*p);
			o += 4;
		}
	}
	if (outlen == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

int dns_name_to_text(const char *name, char *out, size_t outlen)
{
	size_t o = 0;

	for (const char *p = name; *p != '\0'; p++) {
		unsigned c = (unsigned char)*p;
		if (c == '\\') {
			if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' || p[3] < '0' ||
			    p[3] > '9')
				return -1;
			c = (unsigned)(p[1] - '0') * 100 + (unsigned)(p[2] - '0') * 10 +
			    (unsigned)(p[3] - '0');
			if (c == 0 || c > 255)
				return -1;
			p += 3;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	if (outlen == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

int dns_server_parse(const char *spec, struct dns_server *out, char *err, size_t errlen)
{
	char host[64];
	const char *port_text = NULL;
	size_t hostlen;
	unsigned char buf[16];

	memset(out, 0, sizeof(*out));
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (end == NULL) {
			snprintf(err, errlen, "missing ']' in resolver '%s'", spec);
			return -1;
		}
		hostlen = (size_t)(end - spec - 1);
		if (hostlen >= sizeof(host)) {
			snprintf(err, errlen, "resolver address too long");
			return -1;
		}
		memcpy(host, spec + 1, hostlen);
		host[hostlen] = '\0';
		if (end[1] == ':')
			port_text = end + 2;
		else if (end[1] != '\0') {
			snprintf(err, errlen, "unexpected text after ']' in resolver '%s'", spec);
			return -1;
		}
	} else {
		const char *colon = strchr(spec, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			/* A bare IPv6 address without brackets: no port. */
			colon = NULL;
		}
		hostlen = colon ? (size_t)(colon - spec) : strlen(spec);
		if (hostlen >= sizeof(host)) {
			snprintf(err, errlen, "resolver address too long");
			return -1;
		}
		memcpy(host, spec, hostlen);
		host[hostlen] = '\0';
		if (colon != NULL)
			port_text = colon + 1;
	}
	if (inet_pton(AF_INET, host, buf) == 1) {
		out->v6 = false;
	} else if (inet_pton(AF_INET6, host, buf) == 1) {
		out->v6 = true;
	} else {
		snprintf(err, errlen,
		         "resolver '%s' is not a numeric IPv4 or IPv6 address "
		         "(write IPv6 with a port as [addr]:port)",
		         spec);
		return -1;
	}
	memcpy(out->addr, host, hostlen + 1);
	out->port = 53;
	if (port_text != NULL) {
		char *end;
		errno = 0;
		unsigned long port = strtoul(port_text, &end, 10);
		if (*port_text == '\0' || *end != '\0' || errno != 0 || port == 0 || port > 65535) {
			snprintf(err, errlen, "bad port in resolver '%s'", spec);
			return -1;
		}
		out->port = (uint16_t)port;
	}
	return 0;
}

void dns_answer_cleanup(struct dns_answer *ans)
{
	for (size_t i = 0; i < ans->nrr; i++)
		free(ans->rr[i].data);
	free(ans->rr);
	ans->rr = NULL;
	ans->nrr = 0;
}

void dns_answer_free(struct dns_answer *ans)
{
	if (ans == NULL)
		return;
	dns_answer_cleanup(ans);
	free(ans);
}

int dns_answer_add(struct dns_answer *ans, uint16_t type, uint16_t pref, const void *data,
                   size_t len, const uint8_t *addr)
{
	struct dns_rr *rr;

	if (ans->nrr >= DNS_ANSWER_MAX_RRS)
		return -1;
	rr = realloc(ans->rr, (ans->nrr + 1) * sizeof(*rr));
	if (rr == NULL)
		return -1;
	ans->rr = rr;
	rr = &ans->rr[ans->nrr];
	memset(rr, 0, sizeof(*rr));
	rr->data = malloc(len + 1);
	if (rr->data == NULL)
		return -1;
	if (len > 0)
		memcpy(rr->data, data, len);
	rr->data[len] = '\0';
	rr->len = len;
	rr->type = type;
	rr->pref = pref;
	if (addr != NULL)
		memcpy(rr->addr, addr, type == DNS_TYPE_AAAA ? 16 : 4);
	ans->nrr++;
	return 0;
}

struct dns_answer *dns_answer_dup(const struct dns_answer *ans)
{
	struct dns_answer *copy = malloc(sizeof(*copy));

	if (copy == NULL)
		return NULL;
	*copy = *ans;
	copy->rr = NULL;
	copy->nrr = 0;
	for (size_t i = 0; i < ans->nrr; i++) {
		const struct dns_rr *rr = &ans->rr[i];
		if (dns_answer_add(copy, rr->type, rr->pref, rr->data, rr->len, rr->addr) != 0) {
			dns_answer_free(copy);
			return NULL;
		}
	}
	return copy;
}

size_t dns_escape_text(const char *data, size_t len, char *out, size_t outlen)
{
	size_t need = 0, written = 0;
	bool full = outlen == 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		char esc[5];
		size_t n = 1;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			esc[0] = (char)c;
		} else {
			snprintf(esc, sizeof(esc), "\\%03u", (unsigned)c);
			n = 4;
		}
		/* Never cut an escape in half: stop at the first that does
		 * not fit whole. */
		if (!full && written + n < outlen) {
			memcpy(out + written, esc, n);
			written += n;
		} else {
			full = true;
		}
		need += n;
	}
	if (outlen > 0)
		out[written] = '\0';
	return need;
}
