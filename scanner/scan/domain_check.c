/*
 * domain_check.c — every check on one domain, start to finish (see
 * domain_check.h).
 */
#include "domain_check.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fileio.h"
#include "drive.h"
#include "bimi_fetch.h"
#include "memo.h"
#include "psl.h"
#include "strutil.h"
#include "transport_check.h"
#include "vmc.h"

void domain_check_opts_init(struct domain_check_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mask = CHECKS_ALL & ~CHECKS_VALIDATING;
	o->expiry_warn_days = DOMAIN_CHECK_EXPIRY_WARN_DAYS;
}

/* --allow-port PORT: a decimal port, 1 to 65535, kept once. */
static int allow_port(const char *v, struct domain_check_opts *o, char *err, size_t errlen)
{
	char *end;
	long port = strtol(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || port < 1 || port > 65535) {
		snprintf(err, errlen, "--allow-port: '%s' is not a port (1 to 65535)", v);
		return -1;
	}
	for (size_t k = 0; k < o->n_allow_port; k++)
		if (o->allow_port[k] == port)
			return 1;
	if (o->n_allow_port >= FETCH_ALLOW_PORTS_MAX) {
		snprintf(err, errlen, "--allow-port: at most %d", FETCH_ALLOW_PORTS_MAX);
		return -1;
	}
	o->allow_port[o->n_allow_port++] = port;
	return 1;
}

int domain_check_dkim_selector(struct domain_check_opts *o, const char *v, char *err, size_t errlen)
{
	if (!dkim_selector_valid(v)) {
		snprintf(err, errlen,
		         "--dkim-selector: '%s' is not a selector (DNS labels of letters, digits "
		         "and hyphens, separated by dots)",
		         v);
		return -1;
	}
	for (size_t k = 0; k < o->ndkim_selectors; k++)
		if (strcasecmp(o->dkim_selectors[k], v) == 0)
			return 0;
	if (o->ndkim_selectors >= DKIM_PROBE_MAX) {
		snprintf(err, errlen, "--dkim-selector: at most %d", DKIM_PROBE_MAX);
		return -1;
	}
	o->dkim_selectors[o->ndkim_selectors++] = v;
	return 0;
}

int domain_check_dkim_names(const struct domain_check_opts *o, const char *domain, char *err,
                            size_t errlen)
{
	char name[DNS_NAME_BUF];
	for (size_t k = 0; k < o->ndkim_selectors; k++)
		if (dkim_selector_name(o->dkim_selectors[k], domain, name, sizeof(name)) != 0) {
			snprintf(err, errlen,
			         "--dkim-selector: %s._domainkey.%s is longer than a DNS name (253 "
			         "bytes)",
			         o->dkim_selectors[k], domain);
			return -1;
		}
	return 0;
}

int domain_check_option(int argc, char **argv, int *i, struct domain_check_opts *o, char *err,
                        size_t errlen)
{
	const char *a = argv[*i];
	static const char *const with_value[] = { "--selector",   "--ca-file",   "--connect-to",
		                                  "--allow-port", "--vmc-roots", "--at" };
	if (strcmp(a, "--no-fetch") == 0) {
		o->no_fetch = true;
		return 1;
	}
	bool known = false;
	for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++)
		known |= strcmp(a, with_value[k]) == 0;
	if (!known)
		return 0;
	if (*i + 1 >= argc) {
		snprintf(err, errlen, "%s needs a value", a);
		return -1;
	}
	const char *v = argv[++*i];
	if (strcmp(a, "--selector") == 0) {
		if (!bimi_selector_valid(v)) {
			snprintf(err, errlen, "--selector: '%s' is not a valid selector", v);
			return -1;
		}
		o->selector = v;
	} else if (strcmp(a, "--ca-file") == 0) {
		o->ca_file = v;
	} else if (strcmp(a, "--allow-port") == 0) {
		return allow_port(v, o, err, errlen);
	} else if (strcmp(a, "--vmc-roots") == 0) {
		o->vmc_roots = v;
	} else if (strcmp(a, "--at") == 0) {
		if (vmc_parse_time(v, &o->at) != 0) {
			snprintf(err, errlen,
			         "--at: '%s' is not 2025-05-01 or 2025-05-01T12:00:00Z", v);
			return -1;
		}
	} else {
		struct fetch_connect_to ct;
		if (fetch_connect_to_parse(v, &ct, err, errlen) != 0)
			return -1;
		if (o->n_connect_to >= DOMAIN_CHECK_CONNECT_TO_MAX) {
			snprintf(err, errlen, "--connect-to: at most %d",
			         DOMAIN_CHECK_CONNECT_TO_MAX);
			return -1;
		}
		o->connect_to[o->n_connect_to++] = v;
	}
	return 1;
}

/* Reads an environment variable; empty counts as unset. */
static const char *env_value(const char *name)
{
	const char *v = getenv(name);
	return v != NULL && *v != '\0' ? v : NULL;
}

int domain_check_opts_env(struct domain_check_opts *o, char *err, size_t errlen)
{
	if (o->ca_file == NULL)
		o->ca_file = env_value(DOMAIN_CHECK_ENV_CA_FILE);
	if (o->vmc_roots == NULL)
		o->vmc_roots = env_value(DOMAIN_CHECK_ENV_VMC_ROOTS);
	const char *ct = env_value(DOMAIN_CHECK_ENV_CONNECT_TO);
	if (o->n_connect_to > 0 || ct == NULL)
		return 0;
	size_t len = strlen(ct);
	if (len >= sizeof(o->env_connect_to)) {
		snprintf(err, errlen, "%s: longer than %zu bytes", DOMAIN_CHECK_ENV_CONNECT_TO,
		         sizeof(o->env_connect_to) - 1);
		return -1;
	}
	memcpy(o->env_connect_to, ct, len + 1);
	int rc = -1;
	char *save = NULL;
	for (char *tok = strtok_r(o->env_connect_to, " \t\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		struct fetch_connect_to parsed;
		char why[256];
		if (fetch_connect_to_parse(tok, &parsed, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: %s", DOMAIN_CHECK_ENV_CONNECT_TO, why);
			goto out;
		}
		if (o->n_connect_to >= DOMAIN_CHECK_CONNECT_TO_MAX) {
			snprintf(err, errlen, "%s: at most %d entries", DOMAIN_CHECK_ENV_CONNECT_TO,
			         DOMAIN_CHECK_CONNECT_TO_MAX);
			goto out;
		}
		o->connect_to[o->n_connect_to++] = tok;
	}
	rc = 0;
out:
	if (rc != 0)
		o->n_connect_to = 0;
	return rc;
}

int domain_check_opts_files(const struct domain_check_opts *o, char *err, size_t errlen)
{
	const char *const opt[] = { "--ca-file", "--vmc-roots" };
	const char *const path[] = { o->ca_file, o->vmc_roots };
	for (size_t i = 0; i < 2; i++) {
		if (path[i] == NULL)
			continue;
		FILE *f = fopen(path[i], "rb");
		/* A directory opens, but reading it fails (EISDIR). */
		int e = f == NULL ? errno : (getc(f) == EOF && ferror(f)) ? errno : 0;
		if (f != NULL)
			fclose(f);
		if (e != 0) {
			snprintf(err, errlen, "cannot read %s '%s': %s", opt[i], path[i],
			         strerror(e));
			return -1;
		}
	}
	return 0;
}

int domain_check_load_roots(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	int e = file_read_all(path, DOMAIN_CHECK_ROOTS_MAX, false, out, len);
	if (e == 0)
		return 0;
	snprintf(err, errlen, "cannot read --vmc-roots '%s': %s", path,
	         e == -2 ? "larger than 1 MiB" : strerror(errno));
	return -1;
}

/* One round: every unfinished check runs and names what it misses. */
static int round_all(void *ctx, const struct spf_dns *dns, drive_need_fn need, void *nctx,
                     bool *done)
{
	struct domain_result *r = ctx;
	char name[DNS_NAME_BUF];
	*done = true;
	for (int id = 0; id < CHECK_COUNT; id++) {
		if (r->done[id])
			continue;
		bool pending = false;
		uint16_t type = 0;
		if (checks_step(r, (enum check_id)id, dns, &pending, name, sizeof(name), &type) !=
		    0)
			return -1;
		if (!pending)
			continue;
		*done = false;
		need(nctx, name, type, true);
		const struct spf_need *more;
		size_t n = checks_more(r, (enum check_id)id, &more);
		for (size_t i = 0; i < n; i++)
			need(nctx, more[i].name, more[i].type, false);
	}
	return 0;
}

static int fetch_assets(const struct domain_result *r, const struct dns_config *dns,
                        const struct domain_check_opts *o, struct bimi_fetches *f, char *err,
                        size_t errlen)
{
	if (checks_bimi_logo_url(r) == NULL && checks_bimi_cert_url(r) == NULL)
		return 0;
	struct fetch_dns *fd = NULL;
	struct fetch_config cfg;
	fetch_config_init(&cfg);
	cfg.ca_file = o->ca_file;
	cfg.connect_to = o->connect_to;
	cfg.n_connect_to = o->n_connect_to;
	cfg.allow_ports = o->allow_port;
	cfg.n_allow_ports = o->n_allow_port;
	struct fetch *fe = bimi_fetcher_new(dns, NULL, &cfg, &fd, err, errlen);
	int rc = -1;
	if (fe == NULL)
		return -1;
	if (bimi_fetches_add(fe, r, f) < 0)
		snprintf(err, errlen, "out of memory");
	else if (fetch_run(fe, bimi_fetches_done, NULL) != 0)
		snprintf(err, errlen, "the HTTPS fetcher failed");
	else
		rc = 0;
	fetch_free(fe);
	fetch_dns_free(fd);
	return rc;
}

void domain_check_info_cleanup(struct domain_check_info *info)
{
	(void)info; /* nothing owned now; kept for callers that clean up */
}

/* The BIMI assets fetched (unless --no-fetch) and judged, the checklist
 * built. Returns 0, or -1 with a reason in err. */
static int bimi_stage(struct domain_result *r, const struct dns_config *dns,
                      const struct domain_check_opts *o, char *err, size_t errlen)
{
	uint8_t *roots = NULL;
	size_t roots_len = 0;
	struct bimi_fetches f;
	int rc = -1;
	memset(&f, 0, sizeof(f));
	if (o->vmc_roots &&
	    domain_check_load_roots(o->vmc_roots, &roots, &roots_len, err, errlen) != 0)
		goto out;
	if (!o->no_fetch && fetch_assets(r, dns, o, &f, err, errlen) != 0)
		goto out;
	struct bimi_fetched logo, cert;
	bimi_fetches_view(&f, BIMI_FETCH_LOGO, &logo);
	bimi_fetches_view(&f, BIMI_FETCH_CERT, &cert);
	struct vmc_options vo = { 0 };
	vo.at = o->at ? o->at : time(NULL);
	vo.expiry_warn_days = o->expiry_warn_days;
	vo.roots_pem = roots;
	vo.roots_len = roots_len;
	if (checks_bimi_finish(r, &logo, &cert, &vo) != 0) {
		snprintf(err, errlen,
		         "cannot judge the BIMI assets (out of memory, or --vmc-roots "
		         "holds no certificate)");
		goto out;
	}
	rc = 0;
out:
	bimi_fetches_cleanup(&f);
	free(roots);
	return rc;
}

int domain_check_run(const char *domain, const struct dns_config *dns,
                     const struct domain_check_opts *o, struct domain_result *r,
                     struct domain_check_info *info, char *err, size_t errlen)
{
	checks_init(r, domain, o->mask, (o->mask & CHECK_BIT(CHECK_BIMI)) != 0);
	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		info->checked_at = time(NULL);
	}
	if (o->selector)
		str_copy(r->selector, sizeof(r->selector), o->selector);
	if (o->ndkim_selectors > 0)
		checks_dkim_select(r, o->dkim_selectors, o->ndkim_selectors, !o->dkim_also_bundled);
	if (psl_init() != 0) {
		snprintf(err, errlen, "cannot load the bundled Public Suffix List");
		return -1;
	}
	struct dns_worker *w = dns_worker_new(dns, NULL, err, errlen);
	struct dns_memo *memo = dns_memo_new();
	int rc = -1;
	if (w == NULL || memo == NULL) {
		if (w != NULL)
			snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (drive_rounds(w, memo, round_all, r, err, errlen) != 0)
		goto out;
	/* DMARC and DKIM both known: whether enforcement can hold. */
	if (checks_dkim_finish(r) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((o->mask & CHECK_BIT(CHECK_BIMI)) && bimi_stage(r, dns, o, err, errlen) != 0)
		goto out;
	/* The transport checks after BIMI's: advisory, they come last. */
	if (transport_check_fetch(r, dns, o, err, errlen) != 0 ||
	    transport_check_dnssec(r, dns, o->trust_anchor, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	dns_memo_free(memo);
	dns_worker_free(w);
	return rc;
}
