/*
 * cmd_vmc.c — "posture vmc FILE.pem": validate a Verified Mark Certificate
 * (or Common Mark Certificate) chain as a BIMI receiver would.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "fileio.h"
#include "domain_check.h"
#include "output.h"
#include "bimi.h"
#include "vmc.h"

/* Local files read by the command: a trust store may be large, a chain
 * or a logo is capped by vmc.c anyway (read one byte more to tell). */
#define CMD_VMC_ROOTS_MAX 4194304UL
#define CMD_VMC_SVG_MAX   1048576UL

const char cmd_vmc_help[] =
        "usage: posture vmc FILE.pem [--domain D] [--selector S] [--svg LOGO]\n"
        "                   [--at TIME] [--vmc-roots FILE] [--intermediate FILE]\n"
        "                   [--json]\n"
        "\n"
        "Validates a BIMI mark certificate chain (the PEM file a BIMI record's\n"
        "a= URL serves: the leaf first, then its intermediates) the way mail\n"
        "receivers do, and says exactly what fails:\n"
        "  - the chain must reach a Mark Verifying Authority root at TIME\n"
        "    (bundled: DigiCert, Entrust, GlobalSign, SSL.com; partial chains\n"
        "    are refused), and the leaf must be within its validity window;\n"
        "  - the leaf needs the BIMI extended key usage (1.3.6.1.5.5.7.3.31),\n"
        "    a subjectAltName naming D or S._bimi.D, and the logotype extension\n"
        "    holding the SVG logo (base64 of gzip), whose declared hash must\n"
        "    match; the logo is extracted and its SHA-256 printed;\n"
        "  - the mark type (1.3.6.1.4.1.53087.1.13) decides the kind: Registered\n"
        "    or Government Mark make a VMC, Prior Use or Modified Registered Mark\n"
        "    a CMC; Certificate Transparency SCTs are expected.\n"
        "Revocation is not checked (no CRL or OCSP fetch): the output says so.\n"
        "\n"
        "Options:\n"
        "  --domain D         the BIMI domain (A-label form, xn--...) the\n"
        "                     certificate must name\n"
        "  --selector S       also accept S._bimi.D in the certificate's names\n"
        "  --svg LOGO         compare the embedded logo with this published SVG\n"
        "  --at TIME          validate at TIME instead of now: 2021-05-01 or\n"
        "                     2021-05-01T12:00:00Z (UTC)\n"
        "  --vmc-roots FILE   trust these PEM roots instead of the bundled ones\n"
        "                     (default: $POSTURE_VMC_ROOTS)\n"
        "  --intermediate FILE  offer these PEM intermediates besides the file's\n"
        "  --json             machine-readable output\n"
        "\n"
        "JSON: status (valid, invalid), type (VMC, CMC, null), subject, domains,\n"
        "not_before, not_after (ISO 8601 UTC), mark_type, logo_sha256, findings.\n"
        "\n"
        "Exit status: 0 valid, 1 invalid, 2 usage, 3 failure (a file that\n"
        "cannot be read).\n"
        "\n"
        "Examples:\n"
        "  posture vmc vmc.pem --domain example.com --at 2025-05-01\n"
        "  posture vmc vmc.pem --intermediate issuing-ca.pem --json\n";

static int load(const char *what, const char *path, size_t max, bool cut, uint8_t **out,
                size_t *len)
{
	int rc = file_read_all(path, max, cut, out, len);
	if (rc == -2)
		fprintf(stderr, "posture: %s '%s' is larger than %zu bytes\n", what, path, max);
	else if (rc != 0)
		fprintf(stderr, "posture: cannot read %s '%s': %s\n", what, path, strerror(errno));
	return rc;
}

/* Through jsonw: published strings may hold bytes that are not UTF-8
 * (SAN IA5Strings), which jansson refuses; they show as U+FFFD. */
static void result_write(struct jsonw *w, const void *arg)
{
	const struct vmc_result *r = arg;
	char nb[32], na[32], sha[65] = "";

	vmc_format_time(r->not_before, nb, sizeof(nb));
	vmc_format_time(r->not_after, na, sizeof(na));
	if (r->has_logo)
		for (size_t i = 0; i < sizeof(r->logo.sha256); i++)
			snprintf(sha + 2 * i, 3, "%02x", r->logo.sha256[i]);
	jsonw_obj(w);
	jsonw_kstr(w, "status", r->valid ? "valid" : "invalid");
	jsonw_kstr(w, "type", vmc_type_name(r->type));
	jsonw_kstr(w, "subject", r->subject);
	jsonw_key(w, "domains");
	jsonw_arr(w);
	for (size_t i = 0; i < r->ndomains; i++)
		jsonw_str(w, r->domains[i]);
	jsonw_end_arr(w);
	jsonw_kstr(w, "not_before", r->subject ? nb : NULL);
	jsonw_kstr(w, "not_after", r->subject ? na : NULL);
	jsonw_kstr(w, "mark_type", r->mark_type);
	jsonw_kstr(w, "logo_sha256", r->has_logo ? sha : NULL);
	jsonw_key(w, "findings");
	findings_write(w, &r->findings);
	jsonw_end_obj(w);
}

static void print_text(const char *path, const struct vmc_result *r)
{
	char nb[32], na[32];

	print_safe(stdout, path);
	printf("  %s %s", vmc_type_name(r->type) ? vmc_type_name(r->type) : "mark certificate",
	       r->valid ? "valid" : "INVALID");
	if (r->mark_type != NULL) {
		fputs(" (", stdout);
		print_safe(stdout, r->mark_type);
		fputc(')', stdout);
	}
	fputc('\n', stdout);
	if (r->subject != NULL) {
		vmc_format_time(r->not_before, nb, sizeof(nb));
		vmc_format_time(r->not_after, na, sizeof(na));
		fputs("  subject  ", stdout);
		print_safe(stdout, r->subject);
		fputs("\n  issuer   ", stdout);
		print_safe(stdout, r->issuer);
		printf("\n  valid    %s .. %s\n  domains ", nb, na);
		for (size_t i = 0; i < r->ndomains; i++) {
			fputc(' ', stdout);
			print_record(stdout, r->domains[i], strlen(r->domains[i]));
		}
		fputc('\n', stdout);
	}
	if (r->has_logo) {
		printf("  logo     %zu bytes of SVG%s, SHA-256 ", r->logo.svg_len,
		       r->logo.gzip ? " (gzip in the certificate)" : "");
		for (size_t i = 0; i < sizeof(r->logo.sha256); i++)
			printf("%02x", r->logo.sha256[i]);
		printf(", declared hash %s\n", r->logo.hash_ok ? "matches" : "DOES NOT match");
	}
	if (r->findings.n > 0) {
		fputs("\nfindings:\n", stdout);
		findings_print(stdout, &r->findings, "  ");
	}
}

int cmd_vmc(int argc, char **argv, const struct cli_globals *g)
{
	const char *file = NULL, *svg = NULL, *roots = NULL, *inter = NULL;
	struct vmc_options opt;
	struct vmc_result res;
	uint8_t *pem = NULL, *roots_pem = NULL, *inter_pem = NULL, *logo = NULL;
	size_t pem_len = 0, roots_len = 0, inter_len = 0, logo_len = 0;
	int rc = EXIT_INTERNAL;

	memset(&opt, 0, sizeof(opt));
	memset(&res, 0, sizeof(res));
	opt.at = time(NULL);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		if (strcmp(a, "--domain") == 0)
			slot = &opt.domain;
		else if (strcmp(a, "--selector") == 0)
			slot = &opt.selector;
		else if (strcmp(a, "--svg") == 0)
			slot = &svg;
		else if (strcmp(a, "--vmc-roots") == 0)
			slot = &roots;
		else if (strcmp(a, "--intermediate") == 0)
			slot = &inter;
		if (slot != NULL || strcmp(a, "--at") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("vmc", "%s needs a value", a);
			i++;
			if (slot != NULL) {
				*slot = argv[i];
			} else if (vmc_parse_time(argv[i], &opt.at) != 0) {
				return cli_usage_error(
				        "vmc",
				        "--at takes 2021-05-01 or 2021-05-01T12:00:00Z, "
				        "not '%s'",
				        argv[i]);
			}
			continue;
		}
		if (a[0] == '-' && a[1] != '\0')
			return cli_unknown_option("vmc", cmd_vmc_help, a);
		if (file != NULL)
			return cli_usage_error("vmc", "unexpected argument '%s'", a);
		file = a;
	}
	if (file == NULL)
		return cli_usage_error("vmc", "vmc needs a FILE.pem");
	/* The same default as bimi's and check's --vmc-roots. */
	const char *env_roots = getenv(DOMAIN_CHECK_ENV_VMC_ROOTS);
	if (roots == NULL && env_roots != NULL && *env_roots != '\0')
		roots = env_roots;
	if (opt.selector != NULL && opt.domain == NULL)
		return cli_usage_error("vmc", "--selector needs --domain");
	for (const char *p = opt.domain; p != NULL && *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return cli_usage_error(
			        "vmc", "--domain takes the A-label form (xn--...) of a name");
	for (const char *p = opt.selector; p != NULL && *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '.')
			return cli_usage_error("vmc", "--selector takes one ASCII label");
	/* A file named on the line that cannot be read is a usage error,
	 * as in every command (exit 2). */
	rc = EXIT_USAGE;
	/* One byte over the cap lets vmc_check report vmc.too_large. */
	if (load("certificate file", file, VMC_PEM_MAX_BYTES, true, &pem, &pem_len) != 0)
		goto out;
	if (roots != NULL) {
		if (load("trust store", roots, CMD_VMC_ROOTS_MAX, false, &roots_pem, &roots_len) !=
		    0)
			goto out;
		opt.roots_pem = roots_pem;
		opt.roots_len = roots_len;
	}
	if (inter != NULL) {
		if (load("intermediate file", inter, VMC_PEM_MAX_BYTES, false, &inter_pem,
		         &inter_len) != 0)
			goto out;
		opt.extra_pem = inter_pem;
		opt.extra_len = inter_len;
	}
	if (svg != NULL && load("logo", svg, CMD_VMC_SVG_MAX, false, &logo, &logo_len) != 0)
		goto out;
	rc = EXIT_INTERNAL;
	int r = vmc_check(pem, pem_len, &opt, &res);
	if (r == VMC_ERR_ROOTS) {
		fprintf(stderr, "posture: the trust store '%s' holds no PEM certificate\n", roots);
		goto out;
	}
	/* The embedded logo must itself be a BIMI logo. */
	if (r == 0) {
		int ok = bimi_check_embedded_logo(&res, &res.findings);
		if (ok < 0)
			r = VMC_ERR_NOMEM;
		else if (ok == 0)
			res.valid = false;
	}
	if (r == 0 && svg != NULL && res.subject != NULL) {
		r = vmc_compare_logo(&res, logo, logo_len, &res.findings);
		if (r == 0)
			res.valid = false;
		if (r == 1)
			r = 0;
	}
	if (r != 0) {
		fprintf(stderr, "posture: %s\n", vmc_strerror(r));
		goto out;
	}
	if (g->json) {
		if (json_emit(jsonw_value(result_write, &res)) != 0)
			goto out;
	} else {
		print_text(file, &res);
	}
	rc = res.valid ? EXIT_OK : EXIT_PROBLEMS;
out:
	vmc_result_cleanup(&res);
	free(pem);
	free(roots_pem);
	free(inter_pem);
	free(logo);
	return rc;
}
