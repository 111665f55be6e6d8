/*
 * Unit tests for fetch_dest.c, the fetcher's destination policy: which
 * addresses are public (IPv4, IPv6, the IPv6 forms that carry an IPv4
 * address, the edges of each range), which ports are fetched, what a
 * connect_to entry makes the user's choice, the filter over a resolver's
 * answer and the check of each socket.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch_dest.h"

struct addr_row {
	const char *addr;
	const char *range; /* NULL: public */
};

static const struct addr_row addr_rows[] = {
	/* Public IPv4 on both sides of the ranges. */
	{ "1.1.1.1", NULL },
	{ "8.8.8.8", NULL },
	{ "0.255.255.255", "this network, 0.0.0.0/8" },
	{ "0.0.0.0", "this network, 0.0.0.0/8" },
	{ "1.0.0.0", NULL },
	{ "9.255.255.255", NULL },
	{ "10.0.0.0", "private, 10.0.0.0/8" },
	{ "10.255.255.255", "private, 10.0.0.0/8" },
	{ "11.0.0.0", NULL },
	/* CGNAT, RFC 6598: 100.64.0.0 to 100.127.255.255. */
	{ "100.63.255.255", NULL },
	{ "100.64.0.0", "shared address space (CGNAT), 100.64.0.0/10" },
	{ "100.127.255.255", "shared address space (CGNAT), 100.64.0.0/10" },
	{ "100.128.0.0", NULL },
	{ "126.255.255.255", NULL },
	{ "127.0.0.1", "loopback, 127.0.0.0/8" },
	{ "127.255.255.254", "loopback, 127.0.0.0/8" },
	{ "128.0.0.0", NULL },
	{ "169.253.255.255", NULL },
	{ "169.254.169.254", "link-local, 169.254.0.0/16" },
	{ "169.255.0.0", NULL },
	{ "172.15.255.255", NULL },
	{ "172.16.0.0", "private, 172.16.0.0/12" },
	{ "172.31.255.255", "private, 172.16.0.0/12" },
	{ "172.32.0.0", NULL },
	{ "192.0.0.8", "IETF protocol assignments, 192.0.0.0/24" },
	{ "192.0.1.1", NULL },
	{ "192.0.2.1", "documentation, 192.0.2.0/24" },
	{ "192.0.3.0", NULL },
	{ "192.88.99.1", "6to4 relay anycast, 192.88.99.0/24" },
	{ "192.167.255.255", NULL },
	{ "192.168.1.1", "private, 192.168.0.0/16" },
	{ "192.169.0.0", NULL },
	{ "198.17.255.255", NULL },
	{ "198.18.0.1", "benchmarking, 198.18.0.0/15" },
	{ "198.19.255.255", "benchmarking, 198.18.0.0/15" },
	{ "198.20.0.0", NULL },
	{ "198.51.100.7", "documentation, 198.51.100.0/24" },
	{ "203.0.113.9", "documentation, 203.0.113.0/24" },
	{ "223.255.255.255", NULL },
	{ "224.0.0.1", "multicast, 224.0.0.0/4" },
	{ "239.255.255.255", "multicast, 224.0.0.0/4" },
	{ "240.0.0.1", "reserved, 240.0.0.0/4" },
	{ "255.255.255.254", "reserved, 240.0.0.0/4" },
	{ "255.255.255.255", "broadcast, 255.255.255.255" },
	/* IPv6. */
	{ "2606:4700::1111", NULL },
	{ "2a00:1450:4001::1", NULL },
	{ "::", "unspecified, ::/128" },
	{ "::1", "loopback, ::1/128" },
	{ "::2", "IPv4-compatible (deprecated), ::/96" },
	{ "::127.0.0.1", "IPv4-compatible (deprecated), ::/96" },
	{ "::8.8.8.8", "IPv4-compatible (deprecated), ::/96" },
	/* IPv4-mapped: the IPv4 address decides. */
	{ "::ffff:127.0.0.1", "loopback, 127.0.0.0/8" },
	{ "::ffff:7f00:1", "loopback, 127.0.0.0/8" },
	{ "::ffff:10.1.2.3", "private, 10.0.0.0/8" },
	{ "::ffff:100.64.0.1", "shared address space (CGNAT), 100.64.0.0/10" },
	{ "::ffff:169.254.169.254", "link-local, 169.254.0.0/16" },
	{ "::ffff:0.0.0.0", "this network, 0.0.0.0/8" },
	{ "::ffff:8.8.8.8", NULL },
	/* SIIT's IPv4-translated form: outside 2000::/3. */
	{ "::ffff:0:127.0.0.1", "reserved, outside global unicast 2000::/3" },
	/* NAT64 well-known prefix (RFC 6052): the IPv4 address decides. */
	{ "64:ff9b::127.0.0.1", "loopback, 127.0.0.0/8" },
	{ "64:ff9b::c0a8:101", "private, 192.168.0.0/16" },
	{ "64:ff9b::8.8.8.8", NULL },
	{ "64:ff9b:1::8.8.8.8", "local-use NAT64, 64:ff9b:1::/48" },
	/* 6to4 (RFC 3056): the IPv4 address in bits 16 to 47. */
	{ "2002:7f00:1::1", "loopback, 127.0.0.0/8" },
	{ "2002:a00:1::", "private, 10.0.0.0/8" },
	{ "2002:808:808::1", NULL },
	/* Unique local fc00::/7 and its neighbours. */
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved, outside global unicast 2000::/3" },
	{ "fc00::", "unique local, fc00::/7" },
	{ "fd12:3456::1", "unique local, fc00::/7" },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local, fc00::/7" },
	{ "fe80::1", "link-local, fe80::/10" },
	{ "febf::1", "link-local, fe80::/10" },
	{ "fec0::1", "site-local (deprecated), fec0::/10" },
	{ "ff02::1", "multicast, ff00::/8" },
	{ "100::1", "discard-only, 100::/64" },
	/* Teredo and the other IETF assignments; documentation. */
	{ "2001::1", "IETF protocol assignments, 2001::/23" },
	{ "2001:1ff:ffff::1", "IETF protocol assignments, 2001::/23" },
	{ "2001:200::1", NULL },
	{ "2001:db8::1", "documentation, 2001:db8::/32" },
	{ "2001:db9::1", NULL },
	{ "3fff:fff::1", "documentation, 3fff::/20" },
	{ "3fff:1000::1", NULL },
	{ "5f00::1", "segment routing (SRv6) SIDs, 5f00::/16" },
	/* Global unicast is 2000::/3 only. */
	{ "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved, outside global unicast 2000::/3" },
	{ "2000::", NULL },
	{ "3ffe::1", NULL },
	{ "4000::1", "reserved, outside global unicast 2000::/3" },
	/* Not addresses. */
	{ "bimi.test", "not an IP address" },
	{ "[::1]", "not an IP address" },
	{ "127.1", "not an IP address" },
	{ "", "not an IP address" },
};

static void test_addr_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(addr_rows) / sizeof(addr_rows[0]); i++) {
		const struct addr_row *row = &addr_rows[i];
		const char *got = fetch_addr_nonpublic(row->addr);
		if ((got == NULL) != (row->range == NULL) ||
		    (got != NULL && strcmp(got, row->range) != 0))
			fail_msg("%s: %s, expected %s", row->addr, got ? got : "public",
			         row->range ? row->range : "public");
	}
}

/* The binary forms agree with the text form, and every IPv4 address's
 * mapped form is judged as the address itself. */
static void test_addr_binary(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(addr_rows) / sizeof(addr_rows[0]); i++) {
		unsigned char a[16], mapped[16] = { [10] = 0xff, [11] = 0xff };
		const char *text = fetch_addr_nonpublic(addr_rows[i].addr);
		if (inet_pton(AF_INET, addr_rows[i].addr, a) == 1) {
			assert_ptr_equal(fetch_addr_nonpublic_v4(a), text);
			memcpy(mapped + 12, a, 4);
			assert_ptr_equal(fetch_addr_nonpublic_v6(mapped), text);
		} else if (inet_pton(AF_INET6, addr_rows[i].addr, a) == 1) {
			assert_ptr_equal(fetch_addr_nonpublic_v6(a), text);
		}
	}
}

static void parse_ct(const char *spec, struct fetch_connect_to *ct)
{
	char err[128];
	assert_int_equal(fetch_connect_to_parse(spec, ct, err, sizeof(err)), 0);
}

static void test_dest_check(void **state)
{
	struct fetch_connect_to ct[4];
	struct fetch_dest d;
	char why[FETCH_REASON_MAX];
	const long allow[] = { 8443 };
	(void)state;
	memset(ct, 0, sizeof(ct));

	/* A name on 443: allowed here, its addresses judged once resolved. */
	assert_int_equal(fetch_dest_check(ct, 0, "bimi.test", 443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_OK);
	assert_string_equal(d.host, "bimi.test");
	assert_int_equal(d.port, 443);
	assert_false(d.host_chosen);
	assert_false(d.port_chosen);
	assert_string_equal(why, "");
	/* Another port: refused unless allowed. */
	assert_int_equal(fetch_dest_check(ct, 0, "bimi.test", 8443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_DESTINATION);
	assert_string_equal(why, "destination refused: port 8443 (only 443 unless allowed)");
	assert_int_equal(fetch_dest_check(ct, 0, "bimi.test", 8443, allow, 1, &d, why, sizeof(why)),
	                 FETCH_OK);
	assert_int_equal(fetch_dest_check(ct, 0, "bimi.test", 22, allow, 1, &d, why, sizeof(why)),
	                 FETCH_DESTINATION);
	/* Literals: judged now; the port first. */
	assert_int_equal(fetch_dest_check(ct, 0, "127.0.0.1", 443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_DESTINATION);
	assert_string_equal(why, "destination refused: 127.0.0.1 is not a public address "
	                         "(loopback, 127.0.0.0/8)");
	assert_int_equal(
	        fetch_dest_check(ct, 0, "[::ffff:a00:1]", 443, NULL, 0, &d, why, sizeof(why)),
	        FETCH_DESTINATION);
	assert_string_equal(why, "destination refused: ::ffff:a00:1 is not a public address "
	                         "(private, 10.0.0.0/8)");
	assert_int_equal(fetch_dest_check(ct, 0, "127.0.0.1", 22, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_DESTINATION);
	assert_string_equal(why, "destination refused: port 22 (only 443 unless allowed)");
	assert_int_equal(fetch_dest_check(ct, 0, "8.8.8.8", 443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_OK);
	assert_int_equal(
	        fetch_dest_check(ct, 0, "[2606:4700::1]", 443, NULL, 0, &d, why, sizeof(why)),
	        FETCH_OK);
	assert_string_equal(d.host, "2606:4700::1");

	/* connect_to: what an entry names is the user's. */
	parse_ct("bimi.test:443:127.0.0.1:9443", &ct[0]); /* host and port */
	parse_ct("demo.test::10.0.0.1:", &ct[1]);         /* host only, any port */
	parse_ct("lo.test:443::1", &ct[2]);               /* port only */
	parse_ct("pin.test:8443:127.0.0.2:", &ct[3]);     /* host, on the named port */
	assert_int_equal(fetch_dest_check(ct, 4, "bimi.test", 443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_OK);
	assert_string_equal(d.host, "127.0.0.1");
	assert_int_equal(d.port, 9443);
	assert_true(d.host_chosen);
	assert_true(d.port_chosen);
	/* The entry matches 443 only: bimi.test:8443 is the URL's own. */
	assert_int_equal(fetch_dest_check(ct, 4, "bimi.test", 8443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_DESTINATION);
	/* The host is chosen, the URL's port is not. */
	assert_int_equal(fetch_dest_check(ct, 4, "demo.test", 443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_OK);
	assert_true(d.host_chosen);
	assert_false(d.port_chosen);
	assert_int_equal(fetch_dest_check(ct, 4, "demo.test", 5432, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_DESTINATION);
	assert_string_equal(why, "destination refused: port 5432 (only 443 unless allowed)");
	assert_int_equal(fetch_dest_check(ct, 4, "demo.test", 8443, allow, 1, &d, why, sizeof(why)),
	                 FETCH_OK);
	assert_string_equal(d.host, "10.0.0.1");
	/* The port is chosen, the host is not: resolved and judged later. */
	assert_int_equal(fetch_dest_check(ct, 4, "lo.test", 443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_OK);
	assert_string_equal(d.host, "lo.test");
	assert_int_equal(d.port, 1);
	assert_false(d.host_chosen);
	assert_true(d.port_chosen);
	assert_int_equal(fetch_dest_check(ct, 4, "pin.test", 8443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_OK);
	assert_true(d.host_chosen);
	assert_true(d.port_chosen);
	/* A literal no entry names is judged as ever. */
	assert_int_equal(fetch_dest_check(ct, 4, "127.0.0.1", 443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_DESTINATION);
	/* A catch-all entry chooses every host. */
	parse_ct("::127.0.0.1:9443", &ct[0]);
	assert_int_equal(fetch_dest_check(ct, 1, "127.0.0.5", 8080, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_OK);
	assert_string_equal(d.host, "127.0.0.1");
	assert_int_equal(d.port, 9443);
}

static void test_filter(void **state)
{
	char addrs[6][FETCH_ADDR_MAX];
	char why[FETCH_REASON_MAX];
	(void)state;

	memset(addrs, 0, sizeof(addrs));
	snprintf(addrs[0], sizeof(addrs[0]), "127.0.0.1");
	snprintf(addrs[1], sizeof(addrs[1]), "8.8.8.8");
	snprintf(addrs[2], sizeof(addrs[2]), "fd00::1");
	snprintf(addrs[3], sizeof(addrs[3]), "2606:4700::1");
	snprintf(addrs[4], sizeof(addrs[4]), "not an address");
	snprintf(addrs[5], sizeof(addrs[5]), "::ffff:192.168.0.1");
	/* The public ones stay, in order; what is no address is left for
	 * fetch_resolve_entry to skip. */
	assert_int_equal(fetch_dest_filter(addrs, 6, "mixed.test", why, sizeof(why)), 3);
	assert_string_equal(addrs[0], "8.8.8.8");
	assert_string_equal(addrs[1], "2606:4700::1");
	assert_string_equal(addrs[2], "not an address");
	assert_string_equal(why, "");
	/* None left: the first refused one is named. */
	snprintf(addrs[0], sizeof(addrs[0]), "10.1.2.3");
	snprintf(addrs[1], sizeof(addrs[1]), "::1");
	assert_int_equal(fetch_dest_filter(addrs, 2, "lo.test", why, sizeof(why)), 0);
	assert_string_equal(why, "destination refused: lo.test has no public address "
	                         "(10.1.2.3: private, 10.0.0.0/8)");
	/* An address without its NUL is cut, not read past. */
	memset(addrs[0], '1', FETCH_ADDR_MAX);
	assert_int_equal(fetch_dest_filter(addrs, 1, "x.test", why, sizeof(why)), 1);
}

static void test_socket(void **state)
{
	struct fetch_connect_to ct;
	struct fetch_dest d;
	char why[FETCH_REASON_MAX];
	unsigned char lo[4] = { 127, 0, 0, 1 }, pub[4] = { 8, 8, 8, 8 };
	unsigned char lo6[16] = { [15] = 1 },
	              mapped[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	(void)state;
	memset(&ct, 0, sizeof(ct));

	assert_int_equal(fetch_dest_check(&ct, 0, "bimi.test", 443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_OK);
	assert_true(fetch_dest_socket_ok(&d, pub, 4, 443, why, sizeof(why)));
	/* The address curl connects to, whatever DNS said before. */
	assert_false(fetch_dest_socket_ok(&d, lo, 4, 443, why, sizeof(why)));
	assert_string_equal(why, "destination refused: 127.0.0.1 is not a public address "
	                         "(loopback, 127.0.0.0/8)");
	assert_false(fetch_dest_socket_ok(&d, lo6, 16, 443, why, sizeof(why)));
	assert_string_equal(why, "destination refused: ::1 is not a public address "
	                         "(loopback, ::1/128)");
	assert_false(fetch_dest_socket_ok(&d, mapped, 16, 443, why, sizeof(why)));
	assert_string_equal(why, "destination refused: ::ffff:127.0.0.1 is not a public address "
	                         "(loopback, 127.0.0.0/8)");
	/* Another port than the one judged. */
	assert_false(fetch_dest_socket_ok(&d, pub, 4, 8443, why, sizeof(why)));
	assert_string_equal(why, "destination refused: a connection to port 8443, not 443");
	assert_false(fetch_dest_socket_ok(&d, pub, 3, 443, why, sizeof(why)));
	/* A host the user chose: any address, on its port only. */
	parse_ct("::127.0.0.1:9443", &ct);
	assert_int_equal(fetch_dest_check(&ct, 1, "bimi.test", 443, NULL, 0, &d, why, sizeof(why)),
	                 FETCH_OK);
	assert_true(fetch_dest_socket_ok(&d, lo, 4, 9443, why, sizeof(why)));
	assert_false(fetch_dest_socket_ok(&d, lo, 4, 9444, why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_rows),  cmocka_unit_test(test_addr_binary),
		cmocka_unit_test(test_dest_check), cmocka_unit_test(test_filter),
		cmocka_unit_test(test_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
