/* libFuzzer harness: fetch_url_check and fetch_connect_to_parse
 * (fetch_policy.c) on arbitrary bytes, NUL-terminated (make fuzz). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	free(s);
	return 0;
}
