/* libFuzzer harness: fetch_url_check and fetch_connect_to_parse
 * (fetch_policy.c) on arbitrary bytes, NUL-terminated, and the destination
 * policy (fetch_dest.c) on the same bytes as an address, as raw IPv4 and
 * IPv6 addresses, and on every URL accepted (make fuzz). */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_dest.h"
#include "fetch_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Printable ASCII without blanks, and no upper case unless allowed. */
static int clean(const char *s, int upper_ok)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    (!upper_ok && *s >= 'A' && *s <= 'Z'))
			return 0;
	return 1;
}

/* A judged range is NULL or a non-empty name. */
static void check_range(const char *range)
{
	if (range != NULL && range[0] == '\0')
		__builtin_trap();
}

/* An accepted URL's host and port, with no connect_to entry: port 443 or
 * refused; an address literal public or refused; a name left for later. */
static void check_dest_url(const char *host, long port)
{
	struct fetch_dest d;
	char why[FETCH_REASON_MAX];
	enum fetch_status st = fetch_dest_check(NULL, 0, host, port, NULL, 0, &d, why, sizeof(why));

	if (st == FETCH_DESTINATION) {
		if (strncmp(why, "destination refused: ", 21) != 0)
			__builtin_trap();
		return;
	}
	if (st != FETCH_OK || port != 443 || d.port != 443 || d.host_chosen || d.port_chosen ||
	    why[0] != '\0')
		__builtin_trap();
	if (fetch_addr_kind(d.host) != FETCH_ADDR_NAME && fetch_addr_nonpublic(d.host) != NULL)
		__builtin_trap();
}

/* The text, binary and IPv4-mapped judgements agree; the filter keeps
 * public addresses only. */
static void check_addr(const char *s, const uint8_t *data, size_t size)
{
	unsigned char a[16], mapped[16] = { [10] = 0xff, [11] = 0xff };
	const char *text = fetch_addr_nonpublic(s);
	char addrs[1][FETCH_ADDR_MAX], why[FETCH_REASON_MAX];

	check_range(text);
	if (inet_pton(AF_INET, s, a) == 1) {
		memcpy(mapped + 12, a, 4);
		if (fetch_addr_nonpublic_v4(a) != text || fetch_addr_nonpublic_v6(mapped) != text)
			__builtin_trap();
	} else if (inet_pton(AF_INET6, s, a) == 1) {
		if (fetch_addr_nonpublic_v6(a) != text)
			__builtin_trap();
	} else if (text == NULL) {
		__builtin_trap();
	}
	if (size >= 4) {
		memcpy(mapped + 12, data, 4);
		if (fetch_addr_nonpublic_v4(data) != fetch_addr_nonpublic_v6(mapped))
			__builtin_trap();
	}
	if (size >= 16)
		check_range(fetch_addr_nonpublic_v6(data));
	snprintf(addrs[0], sizeof(addrs[0]), "%s", s);
	if (fetch_dest_filter(addrs, 1, "x.test", why, sizeof(why)) == 1) {
		if (fetch_addr_kind(addrs[0]) != FETCH_ADDR_NAME &&
		    fetch_addr_nonpublic(addrs[0]) != NULL)
			__builtin_trap();
	} else if (why[0] == '\0') {
		__builtin_trap();
	}
}

static void check_url(const char *s)
{
	char norm[FETCH_URL_MAX + 1], host[FETCH_HOST_MAX], why[FETCH_REASON_MAX];
	char norm2[FETCH_URL_MAX + 1], host2[FETCH_HOST_MAX];
	long port, port2;
	enum fetch_status st =
	        fetch_url_check(s, norm, sizeof(norm), host, sizeof(host), &port, why, sizeof(why));

	if (st != FETCH_OK) {
		/* Refused: nothing but the reason comes out. */
		if ((st != FETCH_BAD_URL && st != FETCH_NOT_HTTPS) || norm[0] != '\0' ||
		    host[0] != '\0' || port != 0 || why[0] == '\0')
			__builtin_trap();
		return;
	}
	/* Accepted: https, a host, a port, printable, and what curl is handed
	 * reads back as the same URL, host and port. */
	if (strncmp(norm, "https://", 8) != 0 || host[0] == '\0' || port < 1 || port > 65535 ||
	    strlen(norm) > FETCH_URL_MAX || !clean(norm, 1) || !clean(host, host[0] == '[') ||
	    why[0] != '\0')
		__builtin_trap();
	if (fetch_url_check(norm, norm2, sizeof(norm2), host2, sizeof(host2), &port2, why,
	                    sizeof(why)) != FETCH_OK ||
	    strcmp(norm, norm2) != 0 || strcmp(host, host2) != 0 || port != port2)
		__builtin_trap();
	check_dest_url(host, port);
}

static void check_connect_to(const char *s)
{
	struct fetch_connect_to c;
	char err[256] = "";

	if (fetch_connect_to_parse(s, &c, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || c.host[0] != '\0' || c.to_host[0] != '\0' || c.port != 0 ||
		    c.to_port != 0)
			__builtin_trap();
		return;
	}
	if (c.port < 0 || c.port > 65535 || c.to_port < 0 || c.to_port > 65535 ||
	    !clean(c.host, 0) || !clean(c.to_host, 0))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_url(s);
	check_connect_to(s);
	check_addr(s, data, size);
	free(s);
	return 0;
}
