/*
 * fetch_dest.h — where the fetcher may connect: the destination policy,
 * as pure logic (no curl, no sockets). fetch.c applies it to every hop (the
 * first URL and each redirect target) before it resolves or connects, and
 * again to the very address and port of every socket curl opens, so a
 * name whose answer changes between two lookups (DNS rebinding) gains
 * nothing. fetch.h includes this header.
 *
 * A BIMI URL is published by anyone: without this a record (or a redirect)
 * naming a host that resolves to 127.0.0.1 or 10.0.0.5 makes the scanner
 * connect inside the network it runs in, and the kind of failure tells an
 * open port from a closed one. So, by default:
 * - only public addresses: what fetch_addr_nonpublic_v4/_v6 name is
 *   refused (loopback, RFC 1918, link-local, CGNAT, unique local, IPv6
 *   forms that embed such an IPv4 address, multicast, reserved and
 *   documentation ranges; scanner/fetch/README.md lists them and why);
 * - only port 443, unless the port is in the caller's allowed list;
 * - what a connect_to entry names is the user's choice and allowed: its
 *   target host (any address it has) and its ports.
 * A refused destination is FETCH_DESTINATION, decided before any packet
 * is sent to it, with a reason that names the URL's host, the address and
 * its range, or the port: never anything learnt from the destination.
 *
 * Thread safety: no shared state.
 */
#ifndef POSTURE_FETCH_DEST_H
#define POSTURE_FETCH_DEST_H

#include <stdbool.h>
#include <stddef.h>

#include "fetch_policy.h"

#define FETCH_PORT_DEFAULT    443
#define FETCH_ALLOW_PORTS_MAX 16 /* ports a caller may allow besides 443 */

/*
 * The range a non-public address falls in, as "loopback, 127.0.0.0/8", or
 * NULL for a public one. a is in network byte order. The IPv6 forms that
 * carry an IPv4 address (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96,
 * 6to4 2002::/16) are judged by that address; any other IPv6 address
 * outside global unicast 2000::/3 is not public.
 */
const char *fetch_addr_nonpublic_v4(const unsigned char a[4]);
const char *fetch_addr_nonpublic_v6(const unsigned char a[16]);

/* The same for an address as text (IPv6 without brackets); anything but
 * an address is "not an IP address". */
const char *fetch_addr_nonpublic(const char *addr);

/* Where one hop connects, and what the user chose of it. */
struct fetch_dest {
	char host[FETCH_HOST_MAX]; /* a name or an address (IPv6 without brackets) */
	long port;
	bool host_chosen; /* a connect_to entry names the host: any address */
	bool port_chosen; /* a connect_to entry names the port */
};

/*
 * Where a hop to host:port (as fetch_url_check gives them) connects under
 * the connect_to entries ct[0..nct) (fetch_connect_target), into d; then
 * whether the policy lets it: the port must be 443, in allow[0..nallow) or
 * chosen; an address literal must be public unless chosen (a name is
 * judged once resolved, by fetch_dest_filter). Returns FETCH_OK, or
 * FETCH_DESTINATION with "destination refused: ..." in why.
 */
enum fetch_status fetch_dest_check(const struct fetch_connect_to *ct, size_t nct, const char *host,
                                   long port, const long *allow, size_t nallow,
                                   struct fetch_dest *d, char *why, size_t whylen);

/*
 * Keeps, in order, the public addresses of addrs[0..n) (what the resolver
 * gave for the name host; text that is no address is kept, for
 * fetch_resolve_entry to skip) and returns how many are left. When none is,
 * why says "destination refused: HOST has no public address (ADDR: RANGE)"
 * naming the first address dropped (it must be non-empty: n > 0).
 */
int fetch_dest_filter(char (*addrs)[FETCH_ADDR_MAX], int n, const char *host, char *why,
                      size_t whylen);

/*
 * Whether a socket to addr (4 or 16 bytes, network order) and port may be
 * opened for the hop d: the port must be d's, and the address public
 * unless d's host was chosen. Returns true, or false with
 * "destination refused: ..." in why.
 */
bool fetch_dest_socket_ok(const struct fetch_dest *d, const unsigned char *addr, size_t addrlen,
                          long port, char *why, size_t whylen);

#endif
