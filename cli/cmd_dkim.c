/*
 * cmd_dkim.c — "posture dkim DOMAIN": the DKIM keys a domain publishes
 * under common selectors (the bundled list) or the ones given, each key
 * audited, and an honest verdict: found, none_found among N selectors
 * probed, or temperror.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "dkim_check.h"
#include "domain_check.h"
#include "output.h"

const char cmd_dkim_help[] =
        "usage: posture dkim DOMAIN [--selector S]... [--selectors-file FILE] [--json]\n"
        "                    [global options]\n"
        "\n"
        "Looks for the DKIM keys of DOMAIN: asks <selector>._domainkey.DOMAIN\n"
        "TXT for every selector at once, follows CNAMEs and names the provider\n"
        "they lead to, and audits each key record (RFC 6376 3.6.1, RFC 8301,\n"
        "RFC 8463): key type and size, revoked keys (empty p=), testing (t=y),\n"
        "sha1 only (h=), keys that do not decode. A key is published under a\n"
        "name its signer chooses (the s= tag of the DKIM-Signature header of\n"
        "its mail), so without --selector posture probes a bundled list of\n"
        "common ones (Google Workspace, Microsoft 365, Mailchimp, SendGrid...):\n"
        "none_found then says only that none of those holds a key. An email\n"
        "address or a URL stands for its domain.\n"
        "\n"
        "Options:\n"
        "  --selector S       probe selector S (repeatable); only the selectors\n"
        "                     given are probed then\n"
        "  --selectors-file FILE  lines \"domain selector...\" (# starts a\n"
        "                     comment): the selectors on DOMAIN's lines are\n"
        "                     probed too, beside --selector's or, without it,\n"
        "                     beside the bundled list\n"
        "\n"
        "status: found (a usable key), none_found (no usable key among the N\n"
        "selectors probed), temperror (none found and a probe failed: never\n"
        "read as none). Per selector: key, revoked, invalid, not_key (a TXT\n"
        "record that is no key record), none, temperror.\n"
        "\n"
        "JSON: domain, status, probed, selectors [{selector, status, key_type\n"
        "(rsa, ed25519 or null), bits, testing, cname, findings}], findings.\n"
        "selectors lists each that answered with a TXT record or a CNAME, and\n"
        "every one given whatever it answered.\n"
        "\n"
        "Exit status: 0 found with no error finding, 1 none_found or an error\n"
        "finding (a published key verifiers refuse), 2 usage (also a selectors\n"
        "file that cannot be read), 3 failure, 4 temperror (a DNS failure: run\n"
        "it again).\n"
        "\n"
        "Examples:\n"
        "  posture dkim example.com\n"
        "  posture dkim example.com --selector google --selector s1 --json\n"
        "  posture dkim example.com --selectors-file seen-selectors.txt\n";

/* A selectors file line longer than this is refused (a usage error). */
#define SELECTORS_LINE_MAX 65536

/* The selectors given: --selector's point into argv, the file's are
 * owned. */
struct given {
	const char *v[DKIM_PROBE_MAX];
	char *owned[DKIM_PROBE_MAX];
	size_t n, nowned;
	bool from_option;
};

static void given_free(struct given *g)
{
	for (size_t i = 0; i < g->nowned; i++)
		free(g->owned[i]);
	g->nowned = 0;
}

/* Adds s once; 0, or -1 when there are too many (said on stderr). */
static int given_add(struct given *g, const char *s, bool copy)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcasecmp(g->v[i], s) == 0)
			return 0;
	if (g->n >= DKIM_PROBE_MAX) {
		cli_usage_error("dkim", "at most %d selectors", DKIM_PROBE_MAX);
		return -1;
	}
	if (copy) {
		char *c = strdup(s);
		if (c == NULL) {
			fputs("posture: out of memory\n", stderr);
			return -1;
		}
		g->owned[g->nowned++] = c;
		s = c;
	}
	g->v[g->n++] = s;
	return 0;
}

/* One line of a selectors file: "domain selector..." (# comments). The
 * selectors of domain's lines are added. Returns 0, or the exit status. */
static int file_line(char *line, const char *path, unsigned long ln, const char *domain,
                     struct given *g)
{
	char *hash = strchr(line, '#'), *save = NULL;
	if (hash != NULL)
		*hash = '\0';
	const char *name = strtok_r(line, " \t\r\n", &save);
	if (name == NULL || !dns_name_equal(name, domain))
		return 0;
	for (char *s = strtok_r(NULL, " \t\r\n", &save); s; s = strtok_r(NULL, " \t\r\n", &save)) {
		if (!dkim_selector_valid(s))
			return cli_usage_error("dkim", "%s:%lu: '%s' is not a selector", path, ln,
			                       s);
		if (given_add(g, s, true) != 0)
			return EXIT_USAGE;
	}
	return 0;
}

static int read_file(const char *path, const char *domain, struct given *g)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "posture: cannot read --selectors-file '%s': %s\n", path,
		        strerror(errno));
		return EXIT_USAGE;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long ln = 0;
	int rc = 0;
	while (rc == 0 && (len = getline(&line, &cap, f)) != -1) {
		ln++;
		if (len > SELECTORS_LINE_MAX)
			rc = cli_usage_error("dkim", "%s:%lu: line longer than %d bytes", path, ln,
			                     SELECTORS_LINE_MAX);
		else if (memchr(line, '\0', (size_t)len) != NULL)
			rc = cli_usage_error("dkim", "%s:%lu: a NUL byte", path, ln);
		else
			rc = file_line(line, path, ln, domain, g);
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "posture: cannot read --selectors-file '%s': %s\n", path,
		        strerror(errno));
		rc = EXIT_USAGE;
	}
	free(line);
	fclose(f);
	return rc;
}

/* The options and the domain; 0, or the exit status of a usage error. */
static int parse(int argc, char **argv, struct given *g, char *norm, size_t normlen)
{
	const char *domain = NULL, *file = NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool sel = strcmp(a, "--selector") == 0, fil = strcmp(a, "--selectors-file") == 0;
		if ((sel || fil) && i + 1 >= argc)
			return cli_usage_error("dkim", "%s needs a value", a);
		if (sel) {
			if (!dkim_selector_valid(argv[++i]))
				return cli_usage_error("dkim",
				                       "--selector: '%s' is not a selector (DNS "
				                       "labels of letters, digits and hyphens, "
				                       "separated by dots)",
				                       argv[i]);
			if (given_add(g, argv[i], false) != 0)
				return EXIT_USAGE;
			g->from_option = true;
		} else if (fil) {
			file = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_unknown_option("dkim", cmd_dkim_help, a);
		} else if (domain != NULL) {
			return cli_usage_error("dkim", "unexpected argument '%s'", a);
		} else {
			domain = a;
		}
	}
	if (domain == NULL)
		return cli_usage_error("dkim", "dkim needs a DOMAIN");
	if (cli_domain_arg("dkim", domain, true, norm, normlen) != 0)
		return EXIT_USAGE;
	int rc = file != NULL ? read_file(file, norm, g) : 0;
	char name[DNS_NAME_BUF];
	for (size_t i = 0; rc == 0 && i < g->n; i++)
		if (dkim_selector_name(g->v[i], norm, name, sizeof(name)) != 0)
			rc = cli_usage_error(
			        "dkim", "%s._domainkey.%s is longer than a DNS name (253 bytes)",
			        g->v[i], norm);
	return rc;
}

/* One selector: "google  key  rsa 2048 bits, testing (t=y), CNAME to
 * x (provider Microsoft 365)". Published names go through print_safe. */
static void selector_line(const struct dkim_selector_result *s)
{
	bool typed = s->status == DKIM_PROBE_KEY || s->status == DKIM_PROBE_REVOKED ||
	             s->status == DKIM_PROBE_INVALID;
	const char *type = typed ? dkim_key_type_name(s->key.key_type) : NULL;
	char what[160] = "";
	size_t n = 0;
	if (type != NULL)
		n += (size_t)snprintf(what + n, sizeof(what) - n, "%s", type);
	if (type != NULL && s->key.key_type == DKIM_KEY_RSA && s->key.bits > 0)
		n += (size_t)snprintf(what + n, sizeof(what) - n, " %d bits", s->key.bits);
	if (s->key.testing && n < sizeof(what))
		n += (size_t)snprintf(what + n, sizeof(what) - n, "%stesting (t=y)", n ? ", " : "");
	if (s->status == DKIM_PROBE_KEY && !dkim_key_usable(&s->key) && n < sizeof(what))
		snprintf(what + n, sizeof(what) - n, "%snot usable", n ? ", " : "");
	printf("  %-16s %s", s->name, dkim_probe_status_name(s->status));
	if (what[0])
		printf("  %s", what);
	if (s->cname != NULL) {
		fputs(what[0] ? ", CNAME to " : "  CNAME to ", stdout);
		print_safe(stdout, s->cname);
	}
	if (s->provider != NULL) {
		fputs(s->provider_known ? " (provider " : " (provider: its domain ", stdout);
		print_safe(stdout, s->provider);
		fputc(')', stdout);
	}
	if (s->status == DKIM_PROBE_TEMPERROR) {
		fputs("  ", stdout);
		print_safe(stdout, s->detail);
	}
	fputc('\n', stdout);
}

static void print_verdict(const struct domain_result *r)
{
	const struct dkim_result *d = &r->dkim;
	printf("\n%s  DKIM %s: ", r->domain, dkim_domain_status_name(d->status));
	switch (d->status) {
	case DKIM_FOUND:
		printf("a usable key at %d of the %d selectors probed", d->usable, d->probed);
		if (d->min_bits > 0)
			printf(" (smallest RSA key %d bits)", d->min_bits);
		break;
	case DKIM_TEMPERROR:
		printf("no usable key found, and %d of the %d probes failed: run it again",
		       d->temperrors, d->probed);
		break;
	case DKIM_NONE_FOUND:
	case DKIM_NOT_RUN:
		printf("no usable key among the %d selectors probed (not proof that %s signs "
		       "no mail: give its selector with --selector)",
		       d->probed, r->domain);
		break;
	}
	fputc('\n', stdout);
}

static int print_text(const struct domain_result *r)
{
	const struct dkim_result *d = &r->dkim;
	struct findings all = { 0 };
	printf("%s  DKIM: %d selector%s probed, %zu answered or given\n", r->domain, d->probed,
	       d->probed == 1 ? "" : "s", d->nsel);
	int rc = findings_extend(&all, &d->findings);
	for (size_t i = 0; i < d->nsel; i++) {
		selector_line(&d->sel[i]);
		if (rc == 0)
			rc = findings_extend(&all, &d->sel[i].findings);
	}
	if (all.n > 0) {
		fputs("\nfindings:\n", stdout);
		findings_print(stdout, &all, "  ");
	}
	findings_cleanup(&all);
	print_verdict(r);
	return rc;
}

static void dkim_w(struct jsonw *w, const void *r)
{
	dkim_result_write(w, r);
}

int cmd_dkim(int argc, char **argv, const struct cli_globals *g)
{
	char norm[DNS_NAME_BUF], err[512];
	struct given given;
	struct domain_check_opts o;
	struct domain_result r;
	memset(&given, 0, sizeof(given));
	int rc = parse(argc, argv, &given, norm, sizeof(norm));
	if (rc != 0) {
		given_free(&given);
		return rc;
	}
	domain_check_opts_init(&o);
	o.mask = CHECK_BIT(CHECK_DKIM);
	memcpy(o.dkim_selectors, given.v, given.n * sizeof(given.v[0]));
	o.ndkim_selectors = given.n;
	o.dkim_also_bundled = !given.from_option;
	rc = EXIT_INTERNAL;
	if (domain_check_run(norm, &g->dns, &o, &r, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		goto out;
	}
	if (g->json ? json_emit(jsonw_value(dkim_w, &r)) != 0 : print_text(&r) != 0)
		goto out;
	if (r.dkim.status == DKIM_TEMPERROR)
		rc = EXIT_UNCHECKED;
	else if (r.dkim.status == DKIM_FOUND && dkim_result_first_error(&r.dkim) == NULL)
		rc = EXIT_OK;
	else
		rc = EXIT_PROBLEMS;
out:
	checks_cleanup(&r);
	given_free(&given);
	return rc;
}
