/*
 * bimi_assets.c — the verdict on what a BIMI record points at: the logo
 * (svg.h) and the Mark Certificate (vmc.h), and whether the certificate's
 * logo is the published one (see bimi.h). Pure: the bytes come from the
 * caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimi.h"
#include "strutil.h"
#include "svg.h"
#include "vmc.h"

void bimi_assets_cleanup(struct bimi_assets *a)
{
	findings_cleanup(&a->logo_findings);
	findings_cleanup(&a->vmc_findings);
	free(a->vmc_subject);
	free(a->vmc_issuer);
	memset(a, 0, sizeof(*a));
}

/* A failed fetch: code, or refused_code when the fetcher's destination
 * policy refused the host's addresses or the port (its reason then holds
 * nothing learnt from the destination). */
static void fetch_failed(struct findings *f, const char *code, const char *refused_code,
                         const char *what, const struct bimi_fetched *x, const char *url)
{
	if (x->error != NULL && strcmp(x->error, "destination") == 0) {
		findings_add(f, refused_code, FINDING_ERROR, url,
		             "Serve it from a host name with public addresses, on port 443.",
		             "the %s was not fetched: %s", what, x->reason ? x->reason : url);
		return;
	}
	findings_add(f, code, FINDING_ERROR, url,
	             "Make the URL answer 200 over HTTPS with a certificate from a public "
	             "CA, without redirects to http.",
	             "the %s could not be fetched (%s): %s", what, x->error ? x->error : "error",
	             x->reason ? x->reason : url);
}

int bimi_check_embedded_logo(const struct vmc_result *res, struct findings *f)
{
	if (!res->has_logo || res->logo.svg == NULL)
		return 1;
	struct svg_result s;
	if (svg_check(res->logo.svg, res->logo.svg_len, &s) != 0) {
		svg_result_cleanup(&s);
		return -1;
	}
	int valid = s.status == SVG_VALID;
	if (!valid) {
		/* The first few error findings, by code, in one message. */
		char list[256] = "";
		size_t n = 0;
		int shown = 0;
		for (size_t i = 0; i < s.findings.n && shown < 4; i++) {
			const struct finding *x = &s.findings.v[i];
			if (x->severity != FINDING_ERROR)
				continue;
			n += (size_t)snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0,
			                      "%s%s", shown ? ", " : "", x->code);
			shown++;
		}
		findings_add(f, "vmc.logo_not_tiny_ps", FINDING_ERROR, NULL,
		             "Have the certificate reissued with an SVG Tiny PS logo.",
		             "the logo embedded in the certificate is not SVG Tiny PS (%s)", list);
	}
	svg_result_cleanup(&s);
	return valid;
}

int bimi_assess(const struct bimi_discovery *d, const struct bimi_fetched *logo,
                const struct bimi_fetched *cert, const struct vmc_options *opt,
                struct bimi_assets *out)
{
	memset(out, 0, sizeof(*out));
	const struct bimi_record *r = &d->rec;
	bool have_l = d->status == BIMI_STATUS_OK && r->l && r->l[0];
	bool have_a = d->status == BIMI_STATUS_OK && r->a && r->a[0];

	/* The logo. */
	if (!have_l)
		out->logo = BIMI_ASSET_ABSENT;
	else if (!logo->attempted)
		out->logo = BIMI_ASSET_UNCHECKED;
	else if (!logo->ok) {
		out->logo = BIMI_ASSET_INVALID;
		fetch_failed(&out->logo_findings, "bimi.logo_fetch_failed",
		             "bimi.logo_fetch_refused", "logo", logo, r->l);
	} else {
		struct svg_result s;
		if (svg_check(logo->body, logo->len, &s) != 0) {
			svg_result_cleanup(&s);
			return -1;
		}
		out->logo = s.status == SVG_VALID ? BIMI_ASSET_VALID : BIMI_ASSET_INVALID;
		str_copy(out->logo_sha256, sizeof(out->logo_sha256), s.sha256);
		int rc = findings_extend(&out->logo_findings, &s.findings);
		svg_result_cleanup(&s);
		if (rc != 0)
			return -1;
	}

	/* The certificate. */
	if (!have_a) {
		out->vmc = BIMI_ASSET_ABSENT;
		return 0;
	}
	if (!cert->attempted) {
		out->vmc = BIMI_ASSET_UNCHECKED;
		return 0;
	}
	if (!cert->ok) {
		out->vmc = BIMI_ASSET_INVALID;
		fetch_failed(&out->vmc_findings, "bimi.vmc_fetch_failed", "bimi.vmc_fetch_refused",
		             "Mark Certificate", cert, r->a);
		return 0;
	}
	struct vmc_options o = *opt;
	/* The record's domain: the organisational domain's certificate when
	 * its record applies. */
	o.domain = d->from_org ? d->org_domain : d->domain;
	o.selector = d->selector;
	struct vmc_result v;
	int rc = vmc_check(cert->body, cert->len, &o, &v);
	if (rc != 0) {
		vmc_result_cleanup(&v);
		return -1;
	}
	out->vmc = v.valid ? BIMI_ASSET_VALID : BIMI_ASSET_INVALID;
	out->vmc_type = vmc_type_name(v.type);
	out->vmc_not_after = v.not_after;
	if (v.subject && (out->vmc_subject = strdup(v.subject)) == NULL)
		rc = -1;
	if (v.issuer && (out->vmc_issuer = strdup(v.issuer)) == NULL)
		rc = -1;
	if (rc == 0) {
		int ok = bimi_check_embedded_logo(&v, &v.findings);
		if (ok < 0)
			rc = -1;
		else if (ok == 0)
			out->vmc = BIMI_ASSET_INVALID;
	}
	if (rc == 0 && findings_extend(&out->vmc_findings, &v.findings) != 0)
		rc = -1;
	/* The draft: when both l= and a= are given, the logo at l= must be
	 * identical to the one in the certificate. */
	if (rc == 0 && logo->attempted && logo->ok && v.has_logo) {
		int same = vmc_compare_logo(&v, logo->body, logo->len, &out->vmc_findings);
		if (same < 0)
			rc = -1;
		out->vmc_logo_matches = same == 1;
		if (same == 0)
			out->vmc = BIMI_ASSET_INVALID;
	}
	vmc_result_cleanup(&v);
	return rc;
}
