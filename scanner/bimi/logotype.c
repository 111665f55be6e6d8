/*
 * logotype.c — the logotype extension decoder (RFC 3709): a bounded DER
 * walk to the first subject logo, strict base64, gunzip with caps, and
 * the declared hashes checked. See logotype.h for the contract.
 *
 * Why a hand-written DER reader: OpenSSL has no RFC 3709 templates, and
 * the path BIMI uses is short (LogotypeExtn → subjectLogo → direct →
 * image[0] → LogotypeDetails), so a bounded TLV walk is smaller and easier
 * to fuzz than ASN1 templates. Every length is checked against what is
 * left of its parent before it is used.
 */
#include "logotype.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
/* next_in is const with ZLIB_CONST. */
#define ZLIB_CONST
#include <zlib.h>

#include "strutil.h"

const char *vmc_hash_alg_name(enum vmc_hash_alg alg)
{
	static const char *const names[] = { "unknown", "SHA-1", "SHA-256", "SHA-384", "SHA-512" };
	return (unsigned)alg < sizeof(names) / sizeof(names[0]) ? names[alg] : "unknown";
}

void vmc_hex(const uint8_t *b, size_t n, char *out, size_t outlen)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n && o + 2 < outlen; i++) {
		out[o++] = digits[b[i] >> 4];
		out[o++] = digits[b[i] & 15];
	}
	if (outlen > 0)
		out[o] = '\0';
}

/* ---- DER reading ------------------------------------------------------- */

struct der {
	const uint8_t *p, *end;
};

/* Reads one TLV of d into *tag and val, advancing d. Low tag numbers and
 * definite lengths only (DER). Returns 0, or -1 when malformed. */
static int der_next(struct der *d, uint8_t *tag, struct der *val)
{
	size_t avail = (size_t)(d->end - d->p), i = 2, len;

	if (avail < 2 || (d->p[0] & 0x1f) == 0x1f)
		return -1;
	len = d->p[1];
	if (len & 0x80) {
		size_t nb = len & 0x7f;
		if (nb == 0 || nb > 4 || avail - 2 < nb)
			return -1;
		len = 0;
		for (size_t k = 0; k < nb; k++)
			len = (len << 8) | d->p[2 + k];
		i = 2 + nb;
	}
	if (len > avail - i)
		return -1;
	*tag = d->p[0];
	val->p = d->p + i;
	val->end = val->p + len;
	d->p = val->end;
	return 0;
}

/* Reads one TLV that must have tag want. */
static int der_expect(struct der *d, uint8_t want, struct der *val)
{
	uint8_t tag;
	if (der_next(d, &tag, val) != 0 || tag != want)
		return -1;
	return 0;
}

/* Dotted text of DER OID content bytes (for messages). */
static void oid_text(const uint8_t *b, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	unsigned long v = 0;
	bool first = true;

	out[0] = '\0';
	for (size_t i = 0; i < n && o + 24 < outlen; i++) {
		if (v > (ULONG_MAX >> 7))
			break;
		v = (v << 7) | (b[i] & 0x7f);
		if (b[i] & 0x80)
			continue;
		if (first) {
			unsigned long a = v < 80 ? v / 40 : 2;
			o += (size_t)snprintf(out + o, outlen - o, "%lu.%lu", a, v - a * 40);
			first = false;
		} else {
			o += (size_t)snprintf(out + o, outlen - o, ".%lu", v);
		}
		v = 0;
	}
}

static enum vmc_hash_alg hash_alg_of(const uint8_t *oid, size_t n)
{
	static const uint8_t sha1[] = { 0x2b, 0x0e, 0x03, 0x02, 0x1a };
	static const uint8_t nist[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02 };

	if (n == sizeof(sha1) && memcmp(oid, sha1, n) == 0)
		return VMC_HASH_SHA1;
	if (n == sizeof(nist) + 1 && memcmp(oid, nist, sizeof(nist)) == 0) {
		switch (oid[sizeof(nist)]) {
		case 1:
			return VMC_HASH_SHA256;
		case 2:
			return VMC_HASH_SHA384;
		case 3:
			return VMC_HASH_SHA512;
		default:
			break;
		}
	}
	return VMC_HASH_UNKNOWN;
}

static const EVP_MD *hash_md(enum vmc_hash_alg alg)
{
	switch (alg) {
	case VMC_HASH_SHA1:
		return EVP_sha1();
	case VMC_HASH_SHA256:
		return EVP_sha256();
	case VMC_HASH_SHA384:
		return EVP_sha384();
	case VMC_HASH_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* ---- base64 and gzip --------------------------------------------------- */

/* Strict RFC 4648 base64 (padding required, no white space). Returns the
 * decoded length, or -1 with *bad_at set to the offending offset. */
static long b64_decode(const uint8_t *in, size_t len, uint8_t *out, size_t *bad_at)
{
	size_t o = 0;

	if (len % 4 != 0) {
		*bad_at = len;
		return -1;
	}
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		size_t pad = 0;
		for (size_t k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			v[k] = pad ? -1 : str_base64_value(in[i + k]);
			if (v[k] < 0) {
				*bad_at = i + k;
				return -1;
			}
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
		             (uint32_t)v[3];
		out[o++] = (uint8_t)(w >> 16);
		if (pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		if (pad < 1)
			out[o++] = (uint8_t)w;
	}
	return (long)o;
}

enum gunzip_status { GZ_OK, GZ_BAD, GZ_TOO_LARGE, GZ_BOMB, GZ_NOMEM };

/* Gunzips in into a new buffer of at most VMC_SVG_MAX_BYTES. */
static enum gunzip_status gunzip(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen,
                                 char *detail, size_t detlen)
{
	z_stream z;
	uint8_t *buf = malloc(VMC_SVG_MAX_BYTES + 1);
	enum gunzip_status st = GZ_BAD;
	int zr;

	*out = NULL;
	*outlen = 0;
	detail[0] = '\0';
	if (buf == NULL)
		return GZ_NOMEM;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		return GZ_NOMEM;
	}
	/* Both fit in uInt: len <= VMC_BASE64_MAX, the cap is 64 KiB + 1. */
	z.next_in = in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = VMC_SVG_MAX_BYTES + 1;
	zr = inflate(&z, Z_FINISH);
	if (zr == Z_STREAM_END) {
		if (z.avail_in != 0) {
			snprintf(detail, detlen, "%u bytes after the end of the gzip stream",
			         z.avail_in);
			goto out;
		}
		if (z.total_out > VMC_SVG_MAX_BYTES)
			goto big;
		st = GZ_OK;
		goto out;
	}
	if (z.avail_out == 0) {
	big:;
		/* Stopped at the cap: judge by how far the input got. */
		size_t used = len - z.avail_in;
		unsigned long ratio = used ? (unsigned long)(z.total_out / used) : 0;
		snprintf(detail, detlen,
		         "more than %d bytes from the first %zu of %zu compressed bytes "
		         "(ratio %lu:1 so far)",
		         VMC_SVG_MAX_BYTES, used, len, ratio);
		st = ratio > VMC_GZIP_MAX_RATIO ? GZ_BOMB : GZ_TOO_LARGE;
		goto out;
	}
	str_copy(detail, detlen,
	         zr == Z_BUF_ERROR ? "the gzip stream is truncated"
	         : z.msg           ? z.msg
	                           : "not a gzip stream");
out:
	inflateEnd(&z);
	if (st == GZ_OK) {
		*out = buf;
		*outlen = z.total_out;
	} else {
		free(buf);
	}
	return st;
}

/* ---- logotype ---------------------------------------------------------- */

void vmc_logo_cleanup(struct vmc_logo *logo)
{
	free(logo->svg);
	memset(logo, 0, sizeof(*logo));
}

static int bad_logotype(struct findings *f, const char *what)
{
	if (findings_add(f, "vmc.bad_logotype", FINDING_ERROR, NULL, VMC_LOGO_FIX,
	                 "the logotype extension (RFC 3709) is malformed: %s", what) != 0)
		return VMC_ERR_NOMEM;
	return 1;
}

/* Reads LogotypeDetails (RFC 3709 4.1) into logo; *uri gets the first URI. */
static int read_details(struct der *det, struct vmc_logo *logo, struct der *uri, struct findings *f)
{
	struct der mt, hashes, uris;

	if (der_expect(det, 0x16, &mt) != 0)
		return bad_logotype(f, "no mediaType");
	size_t mlen = (size_t)(mt.end - mt.p);
	if (mlen >= sizeof(logo->media_type))
		return bad_logotype(f, "mediaType too long");
	for (size_t i = 0; i < mlen; i++)
		if (mt.p[i] < 0x20 || mt.p[i] > 0x7e)
			return bad_logotype(f, "mediaType is not printable ASCII");
	memcpy(logo->media_type, mt.p, mlen);
	logo->media_type[mlen] = '\0';
	if (der_expect(det, 0x30, &hashes) != 0)
		return bad_logotype(f, "no logotypeHash");
	while (hashes.p < hashes.end) {
		struct der hv, alg, oid, val;
		if (der_expect(&hashes, 0x30, &hv) != 0 || der_expect(&hv, 0x30, &alg) != 0 ||
		    der_expect(&alg, 0x06, &oid) != 0 || der_expect(&hv, 0x04, &val) != 0)
			return bad_logotype(f, "a HashAlgAndValue is malformed");
		if (logo->nhash == VMC_LOGO_MAX_HASHES)
			continue;
		size_t vlen = (size_t)(val.end - val.p);
		if (vlen > sizeof(logo->hash[0].value))
			return bad_logotype(f, "a hash value is longer than 64 bytes");
		logo->hash[logo->nhash].alg = hash_alg_of(oid.p, (size_t)(oid.end - oid.p));
		oid_text(oid.p, (size_t)(oid.end - oid.p), logo->hash[logo->nhash].oid,
		         sizeof(logo->hash[0].oid));
		memcpy(logo->hash[logo->nhash].value, val.p, vlen);
		logo->hash[logo->nhash].len = vlen;
		logo->nhash++;
	}
	if (logo->nhash == 0)
		return bad_logotype(f, "logotypeHash is empty");
	if (der_expect(det, 0x30, &uris) != 0 || der_expect(&uris, 0x16, uri) != 0)
		return bad_logotype(f, "no logotypeURI");
	return 0;
}

/* Checks the declared hashes against logo->svg (RFC 3709 4.1: the hash
 * is of the image as retrieved; for BIMI's data: URI, the decoded SVG). */
static int check_hashes(struct vmc_logo *logo, struct findings *f)
{
	size_t known = 0, bad = 0;

	for (size_t i = 0; i < logo->nhash; i++) {
		uint8_t md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		char want[129], got[129];
		const EVP_MD *alg = hash_md(logo->hash[i].alg);
		if (alg == NULL) {
			if (findings_add(
			            f, "vmc.logo_hash_unsupported", FINDING_WARNING, NULL, NULL,
			            "the logotype declares a hash of algorithm %s, which posture "
			            "does not know (SHA-1 and SHA-2 are checked)",
			            logo->hash[i].oid) != 0)
				return VMC_ERR_NOMEM;
			continue;
		}
		known++;
		if (EVP_Digest(logo->svg, logo->svg_len, md, &mdlen, alg, NULL) != 1)
			return VMC_ERR_NOMEM;
		if (mdlen == logo->hash[i].len && memcmp(md, logo->hash[i].value, mdlen) == 0)
			continue;
		bad++;
		vmc_hex(logo->hash[i].value, logo->hash[i].len, want, sizeof(want));
		vmc_hex(md, mdlen, got, sizeof(got));
		if (findings_add(f, "vmc.logo_hash_mismatch", FINDING_ERROR, NULL, VMC_LOGO_FIX,
		                 "the logotype declares %s %s, but the embedded logo's %s is %s",
		                 vmc_hash_alg_name(logo->hash[i].alg), want,
		                 vmc_hash_alg_name(logo->hash[i].alg), got) != 0)
			return VMC_ERR_NOMEM;
	}
	if (known == 0 &&
	    findings_add(f, "vmc.logo_hash_unsupported", FINDING_ERROR, NULL, VMC_LOGO_FIX,
	                 "no hash of a known algorithm: the embedded logo cannot be verified") != 0)
		return VMC_ERR_NOMEM;
	logo->hash_ok = known > 0 && bad == 0;
	return 0;
}

static bool prefix_ci(const uint8_t *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && strncasecmp((const char *)p, prefix, k) == 0;
}

/* The URI is not a data: URI: the logo is not in the certificate. */
static int not_data_uri(const uint8_t *u, size_t n, struct findings *f)
{
	size_t show = n < 60 ? n : 60;
	char head[64];

	memcpy(head, u, show);
	for (size_t i = 0; i < show; i++)
		if (u[i] < 0x20 || u[i] >= 0x7f)
			head[i] = '?';
	head[show] = '\0';
	if (findings_add(f, "vmc.logo_not_embedded", FINDING_ERROR, NULL, VMC_LOGO_FIX,
	                 "the logotype URI is \"%s%s\", not a data: URI holding the logo", head,
	                 n > show ? "..." : "") != 0)
		return VMC_ERR_NOMEM;
	return 1;
}

/* Gunzips the decoded base64 raw[0..rlen) (freed here) into logo->svg. */
static int unzip_logo(uint8_t *raw, size_t rlen, struct vmc_logo *logo, struct findings *f)
{
	uint8_t *svg;
	size_t svglen;
	char detail[160];

	logo->gzip = true;
	enum gunzip_status st = gunzip(raw, rlen, &svg, &svglen, detail, sizeof(detail));
	free(raw);
	switch (st) {
	case GZ_OK:
		logo->svg = svg;
		logo->svg_len = svglen;
		return 0;
	case GZ_NOMEM:
		return VMC_ERR_NOMEM;
	case GZ_BOMB:
		if (findings_add(f, "vmc.gzip_bomb", FINDING_ERROR, NULL, VMC_LOGO_FIX,
		                 "the logotype's gzip data expands without bound: %s", detail) != 0)
			return VMC_ERR_NOMEM;
		return 1;
	case GZ_TOO_LARGE:
		if (findings_add(f, "vmc.logo_too_large", FINDING_ERROR, NULL, VMC_LOGO_FIX,
		                 "the logotype's SVG is too large: %s", detail) != 0)
			return VMC_ERR_NOMEM;
		return 1;
	default:
		if (findings_add(f, "vmc.bad_encoding", FINDING_ERROR, NULL, VMC_LOGO_FIX,
		                 "the logotype's gzip data cannot be decompressed: %s",
		                 detail) != 0)
			return VMC_ERR_NOMEM;
		return 1;
	}
}

/* Decodes a data: URI's image into logo->svg. */
static int decode_uri(const struct der *uri, struct vmc_logo *logo, struct findings *f)
{
	static const char data_prefix[] = "data:image/svg+xml;base64,";
	const uint8_t *u = uri->p;
	size_t n = (size_t)(uri->end - uri->p), bad_at = 0;

	if (!prefix_ci(u, n, "data:"))
		return not_data_uri(u, n, f);
	if (!prefix_ci(u, n, data_prefix)) {
		if (findings_add(f, "vmc.bad_encoding", FINDING_ERROR, NULL, VMC_LOGO_FIX,
		                 "the logotype data: URI does not start with \"%s\"",
		                 data_prefix) != 0)
			return VMC_ERR_NOMEM;
		return 1;
	}
	u += sizeof(data_prefix) - 1;
	n -= sizeof(data_prefix) - 1;
	if (n > VMC_BASE64_MAX) {
		if (findings_add(
		            f, "vmc.logo_too_large", FINDING_ERROR, NULL, VMC_LOGO_FIX,
		            "the logotype's base64 data is %zu bytes, over posture's cap of %d", n,
		            VMC_BASE64_MAX) != 0)
			return VMC_ERR_NOMEM;
		return 1;
	}
	uint8_t *raw = malloc(n / 4 * 3 + 3);
	if (raw == NULL)
		return VMC_ERR_NOMEM;
	long rlen = b64_decode(u, n, raw, &bad_at);
	if (rlen < 0) {
		free(raw);
		if (findings_add(f, "vmc.bad_encoding", FINDING_ERROR, NULL, VMC_LOGO_FIX,
		                 "the logotype's base64 data is invalid at offset %zu of %zu",
		                 bad_at, n) != 0)
			return VMC_ERR_NOMEM;
		return 1;
	}
	if (rlen >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
		return unzip_logo(raw, (size_t)rlen, logo, f);
	/* Not gzip: the bytes are the image itself. */
	logo->svg = raw;
	logo->svg_len = (size_t)rlen;
	if (findings_add(f, "vmc.logo_not_compressed", FINDING_INFO, NULL, NULL,
	                 "the logotype's SVG is not gzip-compressed (every issued VMC "
	                 "compresses it)") != 0)
		return VMC_ERR_NOMEM;
	return 0;
}

int vmc_logotype_decode(const uint8_t *der, size_t len, struct vmc_logo *logo, struct findings *f)
{
	struct der top = { der, der + len }, ext, item, info, data, images, image, det, uri;
	uint8_t tag;
	bool found = false;
	int rc;

	memset(logo, 0, sizeof(*logo));
	if (der_expect(&top, 0x30, &ext) != 0 || top.p != top.end)
		return bad_logotype(f, "not one DER SEQUENCE");
	/* LogotypeExtn: communityLogos [0], issuerLogo [1], subjectLogo [2],
	 * otherLogos [3]; BIMI puts the mark in subjectLogo. */
	while (ext.p < ext.end) {
		if (der_next(&ext, &tag, &item) != 0)
			return bad_logotype(f, "a LogotypeExtn field is malformed");
		if (tag == 0xa2) {
			info = item;
			found = true;
		}
	}
	if (!found) {
		if (findings_add(f, "vmc.no_logotype", FINDING_ERROR, NULL, VMC_LOGO_FIX,
		                 "the logotype extension has no subjectLogo") != 0)
			return VMC_ERR_NOMEM;
		return 1;
	}
	/* LogotypeInfo is a CHOICE: [0] direct LogotypeData, [1] indirect. */
	if (der_next(&info, &tag, &data) != 0)
		return bad_logotype(f, "subjectLogo is malformed");
	if (tag == 0xa1) {
		if (findings_add(f, "vmc.logo_not_embedded", FINDING_ERROR, NULL, VMC_LOGO_FIX,
		                 "the subject logo is an indirect reference (LogotypeReference), "
		                 "not embedded data") != 0)
			return VMC_ERR_NOMEM;
		return 1;
	}
	if (tag != 0xa0)
		return bad_logotype(f, "subjectLogo is neither direct nor indirect");
	if (der_expect(&data, 0x30, &images) != 0 || der_expect(&images, 0x30, &image) != 0)
		return bad_logotype(f, "the subject logo holds no image");
	if (der_expect(&image, 0x30, &det) != 0)
		return bad_logotype(f, "no LogotypeDetails");
	rc = read_details(&det, logo, &uri, f);
	if (rc != 0)
		return rc;
	if (strcasecmp(logo->media_type, "image/svg+xml") != 0 &&
	    findings_add(f, "vmc.bad_encoding", FINDING_ERROR, NULL, VMC_LOGO_FIX,
	                 "the logotype's mediaType is \"%s\", not image/svg+xml",
	                 logo->media_type) != 0)
		return VMC_ERR_NOMEM;
	rc = decode_uri(&uri, logo, f);
	if (rc != 0)
		return rc;
	if (EVP_Digest(logo->svg, logo->svg_len, logo->sha256, NULL, EVP_sha256(), NULL) != 1)
		return VMC_ERR_NOMEM;
	return check_hashes(logo, f);
}
