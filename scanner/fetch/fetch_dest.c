/*
 * fetch_dest.c — the fetcher's destination policy: which addresses are
 * public, which ports are fetched, and what a connect_to entry makes the
 * user's choice (see fetch_dest.h; the ranges and why each is refused are
 * in scanner/fetch/README.md).
 */
#include "fetch_dest.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "strutil.h"

/* One range: the first bits of prefix, and what it is. */
struct range {
	unsigned char prefix[16];
	int bits;
	int v4_at;        /* with what NULL: where that address starts */
	const char *what; /* NULL: the IPv4 address inside decides */
};

/* IANA IPv4 Special-Purpose Address Registry (RFC 6890) entries that are
 * not globally reachable, with the 6to4 relay anycast prefix, multicast
 * and the reserved block. Broadcast comes before 240.0.0.0/4. */
static const struct range v4_ranges[] = {
	{ { 0, 0, 0, 0 }, 8, 0, "this network, 0.0.0.0/8" },
	{ { 10, 0, 0, 0 }, 8, 0, "private, 10.0.0.0/8" },
	{ { 100, 64, 0, 0 }, 10, 0, "shared address space (CGNAT), 100.64.0.0/10" },
	{ { 127, 0, 0, 0 }, 8, 0, "loopback, 127.0.0.0/8" },
	{ { 169, 254, 0, 0 }, 16, 0, "link-local, 169.254.0.0/16" },
	{ { 172, 16, 0, 0 }, 12, 0, "private, 172.16.0.0/12" },
	{ { 192, 0, 0, 0 }, 24, 0, "IETF protocol assignments, 192.0.0.0/24" },
	{ { 192, 0, 2, 0 }, 24, 0, "documentation, 192.0.2.0/24" },
	{ { 192, 88, 99, 0 }, 24, 0, "6to4 relay anycast, 192.88.99.0/24" },
	{ { 192, 168, 0, 0 }, 16, 0, "private, 192.168.0.0/16" },
	{ { 198, 18, 0, 0 }, 15, 0, "benchmarking, 198.18.0.0/15" },
	{ { 198, 51, 100, 0 }, 24, 0, "documentation, 198.51.100.0/24" },
	{ { 203, 0, 113, 0 }, 24, 0, "documentation, 203.0.113.0/24" },
	{ { 224, 0, 0, 0 }, 4, 0, "multicast, 224.0.0.0/4" },
	{ { 255, 255, 255, 255 }, 32, 0, "broadcast, 255.255.255.255" },
	{ { 240, 0, 0, 0 }, 4, 0, "reserved, 240.0.0.0/4" },
};

/* IPv6: the forms that carry an IPv4 address first (judged by it), then
 * the special ranges; whatever is left outside 2000::/3 is refused by
 * fetch_addr_nonpublic_v6 itself. */
static const struct range v6_ranges[] = {
	{ { 0 }, 128, 0, "unspecified, ::/128" },
	{ { [15] = 1 }, 128, 0, "loopback, ::1/128" },
	/* RFC 4291 2.5.5.2: a socket to ::ffff:a.b.c.d reaches a.b.c.d. */
	{ { [10] = 0xff, [11] = 0xff }, 96, 12, NULL },
	/* RFC 6052 2.1: the NAT64 well-known prefix translates to the IPv4
	 * address in the last 32 bits. */
	{ { 0, 0x64, 0xff, 0x9b }, 96, 12, NULL },
	{ { 0, 0x64, 0xff, 0x9b, 0, 1 }, 48, 0, "local-use NAT64, 64:ff9b:1::/48" },
	/* RFC 3056 2: 6to4 carries the IPv4 address in bits 16 to 47. */
	{ { 0x20, 0x02 }, 16, 2, NULL },
	{ { 0 }, 96, 0, "IPv4-compatible (deprecated), ::/96" },
	{ { 0x01, 0x00 }, 64, 0, "discard-only, 100::/64" },
	{ { 0xfc }, 7, 0, "unique local, fc00::/7" },
	{ { 0xfe, 0x80 }, 10, 0, "link-local, fe80::/10" },
	{ { 0xfe, 0xc0 }, 10, 0, "site-local (deprecated), fec0::/10" },
	{ { 0xff }, 8, 0, "multicast, ff00::/8" },
	/* Teredo (2001::/32, an obfuscated IPv4 address), ORCHID,
	 * benchmarking and the other IETF assignments. */
	{ { 0x20, 0x01 }, 23, 0, "IETF protocol assignments, 2001::/23" },
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, 0, "documentation, 2001:db8::/32" },
	{ { 0x3f, 0xff }, 20, 0, "documentation, 3fff::/20" },
	{ { 0x5f, 0x00 }, 16, 0, "segment routing (SRv6) SIDs, 5f00::/16" },
};

static bool prefix_match(const unsigned char *a, const unsigned char *prefix, int bits)
{
	int whole = bits / 8, rest = bits % 8;
	if (memcmp(a, prefix, (size_t)whole) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (a[whole] & mask) == (prefix[whole] & mask);
}

const char *fetch_addr_nonpublic_v4(const unsigned char a[4])
{
	for (size_t i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++)
		if (prefix_match(a, v4_ranges[i].prefix, v4_ranges[i].bits))
			return v4_ranges[i].what;
	return NULL;
}

const char *fetch_addr_nonpublic_v6(const unsigned char a[16])
{
	for (size_t i = 0; i < sizeof(v6_ranges) / sizeof(v6_ranges[0]); i++) {
		const struct range *r = &v6_ranges[i];
		if (!prefix_match(a, r->prefix, r->bits))
			continue;
		return r->what != NULL ? r->what : fetch_addr_nonpublic_v4(a + r->v4_at);
	}
	/* RFC 4291 2.4: global unicast is 2000::/3; IANA has allocated
	 * nothing else for it. */
	if ((a[0] & 0xe0) != 0x20)
		return "reserved, outside global unicast 2000::/3";
	return NULL;
}

const char *fetch_addr_nonpublic(const char *addr)
{
	unsigned char a[16];
	if (inet_pton(AF_INET, addr, a) == 1)
		return fetch_addr_nonpublic_v4(a);
	if (inet_pton(AF_INET6, addr, a) == 1)
		return fetch_addr_nonpublic_v6(a);
	return "not an IP address";
}

static bool port_allowed(long port, const long *allow, size_t nallow)
{
	if (port == FETCH_PORT_DEFAULT)
		return true;
	for (size_t i = 0; i < nallow; i++)
		if (allow[i] == port)
			return true;
	return false;
}

enum fetch_status fetch_dest_check(const struct fetch_connect_to *ct, size_t nct, const char *host,
                                   long port, const long *allow, size_t nallow,
                                   struct fetch_dest *d, char *why, size_t whylen)
{
	const char *range;
	int k;

	memset(d, 0, sizeof(*d));
	if (whylen > 0)
		why[0] = '\0';
	k = fetch_connect_target(ct, nct, host, port, d->host, sizeof(d->host), &d->port);
	if (k >= 0) {
		/* The entry's own port counts as named: "h:8443:a:" sends
		 * h:8443 to a, on 8443. */
		d->host_chosen = ct[k].to_host[0] != '\0';
		d->port_chosen = ct[k].to_port != 0 || ct[k].port != 0;
	}
	if (!d->port_chosen && !port_allowed(d->port, allow, nallow)) {
		snprintf(why, whylen, "destination refused: port %ld (only %d unless allowed)",
		         d->port, FETCH_PORT_DEFAULT);
		return FETCH_DESTINATION;
	}
	if (d->host_chosen || fetch_addr_kind(d->host) == FETCH_ADDR_NAME)
		return FETCH_OK;
	range = fetch_addr_nonpublic(d->host);
	if (range == NULL)
		return FETCH_OK;
	snprintf(why, whylen, "destination refused: %s is not a public address (%s)", d->host,
	         range);
	return FETCH_DESTINATION;
}

int fetch_dest_filter(char (*addrs)[FETCH_ADDR_MAX], int n, const char *host, char *why,
                      size_t whylen)
{
	char first[FETCH_ADDR_MAX] = "";
	const char *first_range = NULL;
	int kept = 0;

	if (whylen > 0)
		why[0] = '\0';
	for (int i = 0; i < n; i++) {
		char a[FETCH_ADDR_MAX];
		memcpy(a, addrs[i], FETCH_ADDR_MAX - 1);
		a[FETCH_ADDR_MAX - 1] = '\0';
		/* What is no address at all is left for fetch_resolve_entry
		 * to skip: a resolver's bug, not a destination. */
		const char *range =
		        fetch_addr_kind(a) == FETCH_ADDR_NAME ? NULL : fetch_addr_nonpublic(a);
		if (range == NULL) {
			if (kept != i)
				memcpy(addrs[kept], a, sizeof(a));
			kept++;
		} else if (first_range == NULL) {
			str_copy(first, sizeof(first), a);
			first_range = range;
		}
	}
	if (kept == 0 && first_range != NULL)
		snprintf(why, whylen, "destination refused: %.80s has no public address (%s: %s)",
		         host, first, first_range);
	return kept;
}

bool fetch_dest_socket_ok(const struct fetch_dest *d, const unsigned char *addr, size_t addrlen,
                          long port, char *why, size_t whylen)
{
	char text[INET6_ADDRSTRLEN] = "?";
	const char *range;

	if (whylen > 0)
		why[0] = '\0';
	/* Another port than the one judged: curl read the URL or a
	 * connect_to entry otherwise; nothing is sent. */
	if (port != d->port) {
		snprintf(why, whylen, "destination refused: a connection to port %ld, not %ld",
		         port, d->port);
		return false;
	}
	if (addrlen != 4 && addrlen != 16) {
		snprintf(why, whylen, "destination refused: not an IPv4 or IPv6 address");
		return false;
	}
	range = addrlen == 4 ? fetch_addr_nonpublic_v4(addr) : fetch_addr_nonpublic_v6(addr);
	if (range == NULL || d->host_chosen)
		return true;
	inet_ntop(addrlen == 4 ? AF_INET : AF_INET6, addr, text, sizeof(text));
	snprintf(why, whylen, "destination refused: %s is not a public address (%s)", text, range);
	return false;
}
