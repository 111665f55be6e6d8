/*
 * tlsa.c — TLSA records (RFC 6698 2.1) as DANE for SMTP reads them
 * (RFC 7672): the wire form parsed, the zone-file form written, and the
 * records of one MX host audited. Pure: the caller asks
 * _25._tcp.MXHOST TLSA and says whether the answer was DNSSEC-secure.
 *
 * RFC 6698 2.1: one octet each of certificate usage (0 PKIX-TA, 1
 * PKIX-EE, 2 DANE-TA, 3 DANE-EE), selector (0 full certificate, 1
 * SubjectPublicKeyInfo) and matching type (0 exact, 1 SHA-256, 2
 * SHA-512), then the certificate association data: a digest of 32 or 64
 * bytes, or the full object.
 *
 * RFC 7672 3.1.3: SMTP clients do not use PKIX-TA(0) or PKIX-EE(1) ("SMTP
 * client[s] ... MUST NOT" rely on them, for an MX has no agreed set of
 * trust anchors); such records count as unusable. RFC 7672 2.2: only a
 * "secure" TLSA RRset is used; from an insecure or bogus answer none is.
 */
#include "transport.h"

#include <stdio.h>
#include <string.h>

#define TLSA_FORMAT_BYTES 64 /* data bytes shown by tlsa_format */

/* The digest length of a matching type, 0 for "any non-empty". */
static size_t digest_len(uint8_t mtype)
{
	return mtype == 1 ? 32 : mtype == 2 ? 64 : 0;
}

int tlsa_parse(const uint8_t *rdata, size_t len, struct tlsa_record *out)
{
	memset(out, 0, sizeof(*out));
	if (rdata == NULL || len < 4)
		return -1;
	out->usage = rdata[0];
	out->selector = rdata[1];
	out->mtype = rdata[2];
	size_t n = len - 3;
	out->len = n < TLSA_DATA_MAX ? n : TLSA_DATA_MAX;
	memcpy(out->data, rdata + 3, out->len);
	size_t want = digest_len(out->mtype);
	out->well_formed = out->usage <= 3 && out->selector <= 1 && out->mtype <= 2 &&
	                   (want == 0 ? n > 0 : n == want);
	return 0;
}

void tlsa_format(const struct tlsa_record *t, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t show, pos;
	int w;

	if (out == NULL || outlen == 0)
		return;
	out[0] = '\0';
	if (t == NULL)
		return;
	w = snprintf(out, outlen, "%u %u %u ", t->usage, t->selector, t->mtype);
	if (w < 0 || (size_t)w >= outlen)
		return;
	pos = (size_t)w;
	show = t->len < TLSA_FORMAT_BYTES ? t->len : TLSA_FORMAT_BYTES;
	for (size_t i = 0; i < show && pos + 2 < outlen; i++) {
		out[pos++] = hex[t->data[i] >> 4];
		out[pos++] = hex[t->data[i] & 0x0f];
	}
	out[pos] = '\0';
	if (t->len > show && pos + 3 < outlen) {
		memcpy(out + pos, "...", 4);
	}
}

/* The form of one record: a finding for each field out of range. */
static void audit_form(const struct tlsa_record *t, size_t i, const char *name, struct findings *f)
{
	char rr[64];
	snprintf(rr, sizeof(rr), "record %zu (%u %u %u)", i + 1, t->usage, t->selector, t->mtype);

	if (t->usage > 3)
		findings_add(f, "dane.bad_usage", FINDING_ERROR, name,
		             "Use certificate usage 3 (DANE-EE) or 2 (DANE-TA).",
		             "%s: certificate usage %u is not 0 to 3; clients ignore the record "
		             "(RFC 6698 2.1.1)",
		             rr, t->usage);
	if (t->selector > 1)
		findings_add(f, "dane.bad_selector", FINDING_ERROR, name,
		             "Use selector 1 (the public key) or 0 (the full certificate).",
		             "%s: selector %u is not 0 or 1; clients ignore the record "
		             "(RFC 6698 2.1.2)",
		             rr, t->selector);
	if (t->mtype > 2)
		findings_add(f, "dane.bad_mtype", FINDING_ERROR, name,
		             "Use matching type 1 (SHA-256) or 2 (SHA-512).",
		             "%s: matching type %u is not 0 to 2; clients ignore the record "
		             "(RFC 6698 2.1.3)",
		             rr, t->mtype);
	size_t want = digest_len(t->mtype);
	if (t->mtype <= 2 && want != 0 && t->len != want)
		findings_add(f, "dane.bad_digest_length", FINDING_ERROR, name,
		             "Publish the full digest: 32 bytes (64 hex digits) for SHA-256, 64 "
		             "bytes (128 hex digits) for SHA-512.",
		             "%s: a %s digest is %zu bytes, not %zu; it matches no certificate "
		             "(RFC 6698 2.1.3)",
		             rr, t->mtype == 1 ? "SHA-256" : "SHA-512", t->len, want);
	if (t->usage <= 1)
		findings_add(f, "dane.pkix_usage", FINDING_WARNING, name,
		             "Publish usage 3 (DANE-EE) or 2 (DANE-TA) records for SMTP instead.",
		             "%s: usage %u (%s) is not used by SMTP clients; the record counts as "
		             "unusable (RFC 7672 3.1.3)",
		             rr, t->usage, t->usage == 0 ? "PKIX-TA" : "PKIX-EE");
}

int tlsa_audit(const struct tlsa_record *v, size_t n, bool secure, const char *name,
               struct findings *f)
{
	int usable = 0;

	if (v == NULL || n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (f != NULL)
			audit_form(&v[i], i, name, f);
		if (v[i].well_formed && (v[i].usage == 2 || v[i].usage == 3))
			usable++;
	}
	if (!secure) {
		if (f != NULL)
			findings_add(
			        f, "dane.insecure", FINDING_ERROR, name,
			        "Sign the MX host's zone with DNSSEC (and publish its DS), or "
			        "remove the TLSA records.",
			        "%zu TLSA record(s) without a DNSSEC-secure answer: SMTP clients "
			        "do "
			        "not use them, so DANE does not protect this MX (RFC 7672 2.2)",
			        n);
		return 0;
	}
	if (usable == 0 && f != NULL)
		findings_add(f, "dane.no_usable", FINDING_ERROR, name,
		             "Publish a well-formed DANE-EE record, e.g. \"3 1 1\" and the SHA-256 "
		             "of the server's public key.",
		             "none of the %zu TLSA record(s) is usable (a well-formed usage 2 or 3 "
		             "record): DANE clients insist on TLS but cannot authenticate this MX "
		             "(RFC 7672 2.2, 3.1.3)",
		             n);
	return usable;
}
