/*
 * table.c — the domain table (posture report --domains): one row per
 * domain in list order, in text, CSV, JSON and Markdown (HTML is html.c).
 *
 * CSV and JSON hold the research columns, grouped: identity, SPF, DMARC,
 * DKIM, BIMI, MX/A, transport security, the run, then any --join
 * attributes (doc/reports.md lists them). Enumerated columns never start
 * with a formula character (the SPF all term is written as its RFC 7208
 * result name), so only free text (names, records, URIs) is neutralised
 * in CSV, and --csv-raw writes everything as published.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "textcol.h"
#include "write_impl.h"

enum kind { TEXT, NUM };

static const struct {
	const char *name;
	enum kind kind;
} cols[] = {
	/* identity */
	{ "domain", TEXT },
	{ "company", TEXT },
	{ "code", TEXT },
	{ "sector", TEXT },
	{ "primary", NUM },
	/* SPF */
	{ "spf_status", TEXT },
	{ "spf_all", TEXT },
	{ "spf_lookups", NUM },
	{ "spf_void_lookups", NUM },
	{ "spf_error", TEXT },
	{ "spf_record", TEXT },
	/* DMARC */
	{ "dmarc_status", TEXT },
	{ "dmarc_class", TEXT },
	{ "dmarc_policy", TEXT },
	{ "dmarc_subdomain_policy", TEXT },
	{ "dmarc_nonexistent_policy", TEXT },
	{ "dmarc_pct", NUM },
	{ "dmarc_testing", NUM },
	{ "dmarc_enforcement", TEXT },
	{ "dmarc_enforcement_rfc7489", TEXT },
	{ "dmarc_rua", TEXT },
	{ "dmarc_rua_unauthorized", NUM },
	{ "dmarc_record", TEXT },
	/* DKIM */
	{ "dkim_status", TEXT },
	{ "dkim_selectors", TEXT },
	{ "dkim_min_bits", NUM },
	{ "dkim_revoked_only", NUM },
	/* BIMI */
	{ "bimi_status", TEXT },
	{ "bimi_eligible", NUM },
	{ "bimi_fail", TEXT },
	{ "bimi_logo_status", TEXT },
	{ "bimi_logo_url", TEXT },
	{ "vmc_status", TEXT },
	{ "vmc_type", TEXT },
	{ "vmc_issuer", TEXT },
	{ "vmc_not_after", TEXT },
	/* MX and A */
	{ "mx", TEXT },
	{ "mx_hosts", TEXT },
	{ "a", TEXT },
	/* transport security (issue 24; empty: the check did not run) */
	{ "mta_sts_status", TEXT },
	{ "mta_sts_mx_covered", NUM },
	{ "tls_rpt_status", TEXT },
	{ "dnssec_status", TEXT },
	{ "dane_status", TEXT },
	/* the run */
	{ "run_id", NUM },
	{ "list", TEXT },
	{ "position", NUM },
	{ "scanned_at", TEXT },
	{ "conclusive", NUM },
	{ "exists", NUM },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* Room for one row's numbers and the readiness items that fail. */
struct cellbuf {
	char num[16][24];
	char fail[REPORT_READINESS_ITEMS * 20];
	size_t nnum;
};

static const char *orempty(const char *s)
{
	return s ? s : "";
}

static const char *num(struct cellbuf *b, long long v)
{
	char *p = b->num[b->nnum++];
	if (v < 0)
		p[0] = '\0';
	else
		snprintf(p, sizeof(b->num[0]), "%lld", v);
	return p;
}

/* 1 or 0 when the check ran (status given), else empty. */
static const char *flag(struct cellbuf *b, const char *status, bool v)
{
	bool ran = status[0] != '\0' && strcmp(status, "not_run") != 0;
	return num(b, ran ? v : -1);
}

static const char *fails(struct cellbuf *b, const struct report_row *r)
{
	size_t at = 0;
	b->fail[0] = '\0';
	for (unsigned k = 0; k < REPORT_READINESS_ITEMS && at < sizeof(b->fail); k++)
		if (r->bimi_fail & (1u << k))
			at += (size_t)snprintf(b->fail + at, sizeof(b->fail) - at, "%s%s",
			                       at ? " " : "", report_readiness_items[k]);
	return b->fail;
}

/* The cells of one row, in cols order. */
static void cells(const struct report_row *r, const char **c, struct cellbuf *b)
{
	b->nnum = 0;
	const char *v[NCOLS] = {
		r->domain,
		orempty(r->company),
		orempty(r->code),
		orempty(r->sector),
		num(b, r->primary),
		r->spf_status,
		report_spf_all_name(r->spf_all),
		num(b, r->spf_lookups),
		num(b, r->spf_void),
		r->spf_error,
		orempty(r->spf_record),
		r->dmarc_status,
		report_dmarc_class(r),
		r->dmarc_policy,
		r->dmarc_sp,
		r->dmarc_np,
		num(b, r->dmarc_pct),
		flag(b, r->dmarc_status, r->dmarc_testing),
		r->dmarc_enforcement,
		r->dmarc_enforcement_7489,
		orempty(r->dmarc_rua_uris),
		flag(b, r->dmarc_status, r->dmarc_rua_unauthorized),
		orempty(r->dmarc_record),
		r->dkim_status,
		orempty(r->dkim_selectors),
		num(b, r->dkim_min_bits),
		flag(b, r->dkim_status, r->dkim_revoked_only),
		r->bimi_status,
		num(b, r->bimi_eligible),
		fails(b, r),
		r->logo_status,
		orempty(r->logo_url),
		r->vmc_status,
		r->vmc_type,
		orempty(r->vmc_issuer),
		r->vmc_not_after,
		r->mx,
		orempty(r->mx_hosts),
		r->a,
		r->mta_sts_status,
		num(b, r->mta_sts_status[0] != '\0' ? r->mta_sts_mx_covered : -1),
		r->tls_rpt_status,
		r->dnssec_status,
		r->dane_status,
		num(b, r->run_id),
		orempty(r->list),
		num(b, r->position),
		r->scanned_at,
		num(b, r->conclusive),
		num(b, !r->nxdomain),
	};
	memcpy(c, v, sizeof(v));
}

static size_t nattrs(const struct report_doc *d)
{
	return d->join ? report_join_nattrs(d->join) : 0;
}

/* Whether --join's attribute i is a column of its own: one named like a
 * column of the table is not (company, code and sector have replaced the
 * list's values already: report_join_apply). */
static bool own_column(const struct report_doc *d, size_t i)
{
	const char *name = report_join_attr(d->join, i);
	for (size_t k = 0; k < NCOLS; k++)
		if (strcmp(name, cols[k].name) == 0)
			return false;
	return true;
}

static const char *attr(const struct report_row *r, size_t i)
{
	return r->attrs && r->attrs[i] ? r->attrs[i] : "";
}

static int write_csv(FILE *out, const struct report_doc *d)
{
	size_t na = nattrs(d);
	for (size_t k = 0; k < NCOLS; k++)
		fprintf(out, "%s%s", k ? "," : "", cols[k].name);
	for (size_t k = 0; k < na; k++) {
		if (!own_column(d, k))
			continue;
		fputc(',', out);
		csv_cell_mode(out, report_join_attr(d->join, k), d->csv_raw);
	}
	fputs("\r\n", out);
	for (size_t i = 0; i < d->nrows; i++) {
		const char *c[NCOLS];
		struct cellbuf b;
		cells(&d->rows[i], c, &b);
		for (size_t k = 0; k < NCOLS; k++) {
			if (k > 0)
				fputc(',', out);
			csv_cell_mode(out, c[k], d->csv_raw);
		}
		for (size_t k = 0; k < na; k++) {
			if (!own_column(d, k))
				continue;
			fputc(',', out);
			csv_cell_mode(out, attr(&d->rows[i], k), d->csv_raw);
		}
		fputs("\r\n", out);
	}
	return ferror(out) ? -1 : 0;
}

static json_t *row_json(const struct report_doc *d, const struct report_row *r)
{
	const char *c[NCOLS];
	struct cellbuf b;
	json_t *o = json_object();
	cells(r, c, &b);
	for (size_t k = 0; o && k < NCOLS; k++) {
		json_t *v;
		if (c[k][0] == '\0')
			v = json_null();
		else if (cols[k].kind == NUM)
			v = json_integer(atoll(c[k]));
		else
			v = json_string(c[k]);
		json_object_set_new(o, cols[k].name, v ? v : json_null());
	}
	for (size_t k = 0; o && k < nattrs(d); k++)
		if (own_column(d, k))
			json_object_set_new(o, report_join_attr(d->join, k),
			                    r->attrs && r->attrs[k] ? json_string(r->attrs[k])
			                                            : json_null());
	return o;
}

static int write_json(FILE *out, const struct report_doc *d)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < d->nrows; i++)
		json_array_append_new(a, row_json(d, &d->rows[i]));
	return report_json_out(out, json_pack("{s:o,s:o}", "run", report_run_json(d->run),
	                                      "domains", a ? a : json_null()));
}

/* The text table: domain, company, SPF status and error, DMARC class and
 * policy, BIMI, VMC, MX; the company and the SPF error may be cut, the
 * domain never beside the others. Too narrow for a row: the domain and the
 * company on a line, the rest below (textcol.h). */
#define TEXT_COLS 9
static const struct text_col text_cols9[TEXT_COLS] = {
	{ "domain", 0 }, { "company", 8 }, { "spf", 0 }, { "spf_error", 10 }, { "dmarc", 0 },
	{ "policy", 0 }, { "bimi", 0 },    { "vmc", 0 }, { "mx", 0 },
};

static int write_text(FILE *out, const struct report_doc *d)
{
	const char **c = calloc(d->nrows * TEXT_COLS + 1, sizeof(*c));
	if (c == NULL)
		return -1;
	for (size_t i = 0; i < d->nrows; i++) {
		const struct report_row *r = &d->rows[i];
		const char *v[TEXT_COLS] = { r->domain,      orempty(r->company),   r->spf_status,
			                     r->spf_error,   report_dmarc_class(r), r->dmarc_policy,
			                     r->bimi_status, r->vmc_status,         r->mx };
		memcpy(c + i * TEXT_COLS, v, sizeof(v));
	}
	report_header_text(out, d);
	struct text_table t = { .cols = text_cols9,
		                .ncols = TEXT_COLS,
		                .cells = c,
		                .nrows = d->nrows,
		                .sep = 1,
		                .heads = true,
		                .lead = 2 };
	text_table_write(out, &t, text_width_of(d->text_width));
	free(c);
	return ferror(out) ? -1 : 0;
}

static int write_md(FILE *out, const struct report_doc *d)
{
	report_header_md(out, d);
	fputs("\n| domain | company | SPF | SPF error | lookups | DMARC | policy | BIMI | VMC | MX "
	      "|\n|---|---|---|---|--:|---|---|---|---|---|\n",
	      out);
	for (size_t i = 0; i < d->nrows; i++) {
		const struct report_row *r = &d->rows[i];
		const char *c[] = { r->domain,
			            r->company,
			            r->spf_status,
			            r->spf_error,
			            NULL,
			            report_dmarc_class(r),
			            r->dmarc_policy,
			            r->bimi_status,
			            r->vmc_status,
			            r->mx };
		fputc('|', out);
		for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
			fputc(' ', out);
			if (k == 4 && r->spf_lookups >= 0)
				fprintf(out, "%d", r->spf_lookups);
			else
				report_md_text(out, c[k]);
			fputs(" |", out);
		}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

int report_write_domains(FILE *out, enum report_format f, const struct report_doc *d)
{
	switch (f) {
	case REPORT_TEXT:
		return write_text(out, d);
	case REPORT_CSV:
		return write_csv(out, d);
	case REPORT_JSON:
		return write_json(out, d);
	case REPORT_MD:
		return write_md(out, d);
	case REPORT_HTML:
		return report_write_html(out, d);
	}
	return -1;
}
