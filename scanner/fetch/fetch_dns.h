/*
 * fetch_dns.h — host names for the fetcher through posture's own DNS
 * adapter (the resolvers of --resolver, the adapter's retries and
 * outcomes), so that a BIMI asset is fetched from the address the scan's
 * DNS says, not the system resolver's.
 *
 * fetch_dns_resolve has the shape of fetch_config.resolve: set
 * cfg.resolve = fetch_dns_resolve and cfg.resolve_arg to a fetch_dns.
 * It asks A and AAAA together and blocks until both have answered (each
 * within the adapter's (retries+1)*timeout). One fetch_dns per thread,
 * like the dns_worker it owns.
 */
#ifndef POSTURE_FETCH_DNS_H
#define POSTURE_FETCH_DNS_H

#include <stddef.h>

#include "dns.h"
#include "fetch.h"

struct fetch_dns;

/* Returns a resolver on a worker of its own, or NULL with a reason in err.
 * cache may be NULL (or the scan's shared cache). */
struct fetch_dns *fetch_dns_new(const struct dns_config *cfg, struct dns_cache *cache, char *err,
                                size_t errlen);
void fetch_dns_free(struct fetch_dns *d);

/*
 * Fills addrs with the host's IPv4 addresses, then its IPv6 ones, up to
 * max. Returns the count; 0 when neither type has an address (NXDOMAIN,
 * NODATA, or an unusable answer; reason in err); -1 when a lookup failed
 * for now (SERVFAIL, timeout) and no address came from the other.
 */
int fetch_dns_resolve(void *arg, const char *host, char addrs[][FETCH_ADDR_MAX], int max, char *err,
                      size_t errlen);

#endif
