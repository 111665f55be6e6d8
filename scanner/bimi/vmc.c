/*
 * vmc.c — Verified Mark Certificate checks on OpenSSL's X.509 code. The
 * logotype extension is decoded by logotype.c.
 *
 * Chain verification collects every error through a verify callback that
 * lets OpenSSL go on, so one result can say both "wrong intermediate" and
 * "expired"; the leaf's own validity window is judged here, with dates.
 */
#include "vmc.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define OID_BIMI_EKU   "1.3.6.1.5.5.7.3.31"
#define OID_LOGOTYPE   "1.3.6.1.5.5.7.1.12"
#define OID_MARK_TYPE  "1.3.6.1.4.1.53087.1.13"
#define OID_TM_ID      "1.3.6.1.4.1.53087.1.4"
#define OID_SCT_LIST   "1.3.6.1.4.1.11129.2.4.2"

#define VMC_SAN_MAX    100 /* dNSNames kept from one certificate */
#define VMC_ERRORS_MAX 16  /* verification errors kept from one chain */

/* ---- the bundled roots (lists/vmc-roots/, scanner/vmc_roots.S) ------- */

extern const char posture_vmc_roots[];
extern const char posture_vmc_roots_end[];

static X509_STORE *bundled;
static pthread_once_t bundled_once = PTHREAD_ONCE_INIT;

/* Reads at most max certificates of PEM text; skips text between blocks.
 * Returns the stack (possibly empty) or NULL on allocation failure;
 * *bad is set when a PEM block could not be read, *more when certificates
 * were left unread past max. */
static STACK_OF(X509) * read_pem(const uint8_t *pem, size_t len, size_t max, bool *bad, bool *more)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *bio = NULL;

	*bad = false;
	*more = false;
	if (sk == NULL || len > INT32_MAX)
		goto fail;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		goto fail;
	for (;;) {
		X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (x == NULL) {
			unsigned long e = ERR_peek_last_error();
			if (ERR_GET_LIB(e) != ERR_LIB_PEM ||
			    ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
				*bad = true;
			break;
		}
		if ((size_t)sk_X509_num(sk) >= max) {
			X509_free(x);
			*more = true;
			break;
		}
		if (sk_X509_push(sk, x) <= 0) {
			X509_free(x);
			goto fail;
		}
	}
	ERR_clear_error();
	BIO_free(bio);
	return sk;
fail:
	ERR_clear_error();
	BIO_free(bio);
	sk_X509_pop_free(sk, X509_free);
	return NULL;
}

/* A store holding every certificate of pem; NULL when none (or no memory). */
static X509_STORE *store_from_pem(const uint8_t *pem, size_t len)
{
	bool bad, more;
	STACK_OF(X509) *sk = read_pem(pem, len, 4096, &bad, &more);
	X509_STORE *st = NULL;

	if (sk == NULL || sk_X509_num(sk) == 0)
		goto out;
	st = X509_STORE_new();
	if (st == NULL)
		goto out;
	for (int i = 0; i < sk_X509_num(sk); i++)
		if (X509_STORE_add_cert(st, sk_X509_value(sk, i)) != 1) {
			X509_STORE_free(st);
			st = NULL;
			goto out;
		}
out:
	ERR_clear_error();
	sk_X509_pop_free(sk, X509_free);
	return st;
}

static void load_bundled(void)
{
	bundled = store_from_pem((const uint8_t *)posture_vmc_roots,
	                         (size_t)(posture_vmc_roots_end - posture_vmc_roots));
}

int vmc_init(void)
{
	pthread_once(&bundled_once, load_bundled);
	return bundled ? 0 : VMC_ERR_NOMEM;
}

/* ---- small helpers ----------------------------------------------------- */

const char *vmc_type_name(enum vmc_type type)
{
	switch (type) {
	case VMC_TYPE_VMC:
		return "VMC";
	case VMC_TYPE_CMC:
		return "CMC";
	default:
		return NULL;
	}
}

const char *vmc_strerror(int err)
{
	switch (err) {
	case 0:
		return "no error";
	case VMC_ERR_NOMEM:
		return "out of memory (or an OpenSSL internal failure)";
	case VMC_ERR_ROOTS:
		return "the trust store holds no certificate";
	default:
		return "unknown error";
	}
}

void vmc_format_time(time_t t, char *buf, size_t buflen)
{
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL || strftime(buf, buflen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, buflen, "?");
}

int vmc_parse_time(const char *text, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
	size_t len = strlen(text);

	if (len == 10) {
		if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
			return -1;
	} else if (len == 20) {
		if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 ||
		    n != 20)
			return -1;
	} else {
		return -1;
	}
	/* Digits only where digits belong (sscanf would take "+1" or " 1"). */
	for (size_t i = 0; i < len; i++) {
		bool sep = i == 4 || i == 7 || i == 10 || i == 13 || i == 16 || i == 19;
		if (!sep && !isdigit((unsigned char)text[i]))
			return -1;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	time_t t = timegm(&tm);
	struct tm back;
	/* Refuse dates timegm normalised (2021-02-30 -> 2021-03-02). */
	if (gmtime_r(&t, &back) == NULL || back.tm_mday != d || back.tm_mon != mo - 1)
		return -1;
	*out = t;
	return 0;
}

/* ---- certificate checks ------------------------------------------------ */

/* The name as RFC 2253 text, UTF-8, controls escaped; NULL on failure. */
static char *name_text(const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *s = NULL;
	unsigned long flags =
	        (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB & ~XN_FLAG_DUMP_UNKNOWN_FIELDS) |
	        ASN1_STRFLGS_UTF8_CONVERT;

	if (bio == NULL)
		return NULL;
	if (X509_NAME_print_ex(bio, name, 0, flags) >= 0) {
		long n = BIO_get_mem_data(bio, &data);
		if (n >= 0)
			s = strndup(data ? data : "", (size_t)n);
	}
	BIO_free(bio);
	return s;
}

static int asn1_time_t(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = timegm(&tm);
	return 0;
}

static bool has_ext_oid(X509 *x, const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	bool found = o != NULL && X509_get_ext_by_OBJ(x, o, -1) >= 0;
	ASN1_OBJECT_free(o);
	return found;
}

static int add(struct findings *f, const char *code, enum finding_severity sev, const char *fix,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int add(struct findings *f, const char *code, enum finding_severity sev, const char *fix,
               const char *fmt, ...)
{
	char buf[FINDING_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return findings_add(f, code, sev, NULL, fix, "%s", buf) == 0 ? 0 : VMC_ERR_NOMEM;
}

static int check_dates(X509 *leaf, const struct vmc_options *opt, struct vmc_result *res)
{
	char nb[32], na[32], at[32];

	if (asn1_time_t(X509_get0_notBefore(leaf), &res->not_before) != 0 ||
	    asn1_time_t(X509_get0_notAfter(leaf), &res->not_after) != 0)
		return add(&res->findings, "vmc.bad_certificate", FINDING_ERROR, NULL,
		           "the certificate's validity dates cannot be read");
	vmc_format_time(res->not_before, nb, sizeof(nb));
	vmc_format_time(res->not_after, na, sizeof(na));
	vmc_format_time(opt->at, at, sizeof(at));
	if (opt->at > res->not_after)
		return add(&res->findings, "vmc.expired", FINDING_ERROR,
		           "Renew the certificate with the Mark Verifying Authority and publish "
		           "the new chain at the BIMI record's a= URL.",
		           "the certificate expired on %s (valid from %s to %s; checked at %s)", na,
		           nb, na, at);
	if (opt->at < res->not_before)
		return add(
		        &res->findings, "vmc.not_yet_valid", FINDING_ERROR,
		        "Publish the certificate once it is valid, or check the clock.",
		        "the certificate is not valid before %s (valid from %s to %s; checked at "
		        "%s)",
		        nb, nb, na, at);
	/* Valid now, but not for long: once it expires receivers stop
	 * showing the verified logo, so its owner is told in time. */
	double left = difftime(res->not_after, opt->at);
	if (opt->expiry_warn_days > 0 && left < (double)opt->expiry_warn_days * 86400.0) {
		long days = (long)((left + 86399.0) / 86400.0);
		return add(&res->findings, "vmc.expires_soon", FINDING_WARNING,
		           "Renew the certificate with the Mark Verifying Authority and publish "
		           "the new chain at the BIMI record's a= URL before it expires.",
		           "the certificate expires on %s, in %ld day%s (checked at %s; warned "
		           "%u days ahead)",
		           na, days, days == 1 ? "" : "s", at, opt->expiry_warn_days);
	}
	return 0;
}

static int check_eku(X509 *leaf, struct findings *f)
{
	int crit = -1;
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(leaf, NID_ext_key_usage, &crit, NULL);
	char list[256] = "", oid[80];
	size_t o = 0;
	bool found = false;
	int rc;

	for (int i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++) {
		if (OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i), 1) <= 0)
			continue;
		if (strcmp(oid, OID_BIMI_EKU) == 0)
			found = true;
		if (o < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "",
			                      oid);
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	ERR_clear_error();
	if (found)
		return 0;
	rc = add(f, "vmc.no_bimi_eku", FINDING_ERROR,
	         "Only a Mark Certificate carries this EKU: the file is not a VMC/CMC, or the "
	         "wrong certificate was published.",
	         eku ? "the certificate's extended key usage (%s) lacks "
	               "id-kp-BrandIndicatorforMessageIdentification (" OID_BIMI_EKU ")"
	             : "the certificate has no extended key usage%s: "
	               "id-kp-BrandIndicatorforMessageIdentification (" OID_BIMI_EKU
	               ") is required",
	         eku ? list : "");
	return rc;
}

#define SAN_FIX                                                                                    \
	"The certificate must name the domain (or <selector>._bimi.<domain>); publish "            \
	"a certificate issued for this domain."

static int check_san(X509 *leaf, const struct vmc_options *opt, struct vmc_result *res)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	char want[300] = "", list[400] = "";
	size_t o = 0;
	bool match = false;
	int rc = 0;

	ERR_clear_error();
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS || res->ndomains >= VMC_SAN_MAX)
			continue;
		const unsigned char *d = ASN1_STRING_get0_data(g->d.dNSName);
		size_t n = (size_t)ASN1_STRING_length(g->d.dNSName);
		if (memchr(d, 0, n) != NULL)
			continue; /* a NUL inside a name: never matches anything */
		char *name = strndup((const char *)d, n);
		char **v = realloc(res->domains, (res->ndomains + 1) * sizeof(*v));
		if (name == NULL || v == NULL) {
			free(name);
			if (v != NULL)
				res->domains = v;
			rc = VMC_ERR_NOMEM;
			goto out;
		}
		res->domains = v;
		res->domains[res->ndomains++] = name;
		if (o < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "",
			                      name);
	}
	if (res->ndomains == 0) {
		rc = add(&res->findings, "vmc.no_san", FINDING_ERROR, NULL,
		         "the certificate names no domain (no subjectAltName dNSName)");
		goto out;
	}
	if (opt->domain == NULL)
		goto out;
	size_t dl = strlen(opt->domain);
	while (dl > 0 && opt->domain[dl - 1] == '.')
		dl--;
	if (opt->selector != NULL)
		snprintf(want, sizeof(want), "%s._bimi.%.*s", opt->selector, (int)dl, opt->domain);
	for (size_t i = 0; i < res->ndomains; i++) {
		const char *s = res->domains[i];
		size_t sl = strlen(s);
		if (sl > 0 && s[sl - 1] == '.')
			sl--;
		/* SAN dNSNames are A-labels (RFC 5280 4.2.1.6), compared
		 * case-insensitively. */
		if ((sl == dl && strncasecmp(s, opt->domain, dl) == 0) ||
		    (want[0] && sl == strlen(want) && strncasecmp(s, want, sl) == 0))
			match = true;
	}
	if (!match && want[0])
		rc = add(&res->findings, "vmc.domain_not_in_san", FINDING_ERROR, SAN_FIX,
		         "neither %.*s nor %s is among the certificate's names (%s)", (int)dl,
		         opt->domain, want, list);
	else if (!match)
		rc = add(&res->findings, "vmc.domain_not_in_san", FINDING_ERROR, SAN_FIX,
		         "%.*s is not among the certificate's names (%s)", (int)dl, opt->domain,
		         list);
out:
	GENERAL_NAMES_free(gens);
	return rc;
}

static char *name_entry_utf8(const X509_NAME *name, const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	unsigned char *utf8 = NULL;
	char *s = NULL;

	if (o == NULL)
		return NULL;
	int i = X509_NAME_get_index_by_OBJ(name, o, -1);
	ASN1_OBJECT_free(o);
	if (i < 0)
		return NULL;
	int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (n >= 0 && utf8 != NULL && memchr(utf8, 0, (size_t)n) == NULL)
		s = strndup((const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	ERR_clear_error();
	return s;
}

/* MC Guidelines 7.1.4.2.2(r): subject:markType is one of Registered Mark
 * (3.2.17.1) or Government Mark (3.2.17.2), verified as a VMC, or Prior
 * Use Mark (3.2.16.1) or Modified Registered Mark (3.2.16.2), a CMC. */
static int check_mark_type(X509 *leaf, struct vmc_result *res)
{
	static const struct {
		const char *value;
		enum vmc_type type;
	} types[] = {
		{ "Registered Mark", VMC_TYPE_VMC },
		{ "Government Mark", VMC_TYPE_VMC },
		{ "Prior Use Mark", VMC_TYPE_CMC },
		{ "Modified Registered Mark", VMC_TYPE_CMC },
	};
	const X509_NAME *subj = X509_get_subject_name(leaf);

	res->mark_type = name_entry_utf8(subj, OID_MARK_TYPE);
	if (res->mark_type != NULL) {
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(res->mark_type, types[i].value) == 0) {
				res->type = types[i].type;
				return 0;
			}
		return add(&res->findings, "vmc.unknown_mark_type", FINDING_WARNING, NULL,
		           "the mark type \"%s\" is none of Registered Mark, Government Mark, "
		           "Prior Use Mark, Modified Registered Mark (MC Guidelines 7.1.4.2.2)",
		           res->mark_type);
	}
	char *tm = name_entry_utf8(subj, OID_TM_ID);
	int rc;
	if (tm != NULL) {
		/* Issued before markType existed: then every mark certificate
		 * was a VMC for a registered trademark, which tm names. */
		res->type = VMC_TYPE_VMC;
		rc = add(&res->findings, "vmc.no_mark_type", FINDING_INFO, NULL,
		         "no markType subject attribute (" OID_MARK_TYPE
		         "), as in VMCs issued before it was required; the trademark registration "
		         "%s makes it a VMC",
		         tm);
	} else {
		rc = add(&res->findings, "vmc.no_mark_type", FINDING_WARNING, NULL,
		         "no markType subject attribute (" OID_MARK_TYPE
		         ") and no trademark registration: the certificate type is unknown");
	}
	free(tm);
	return rc;
}

/* One verification error, as the callback saw it. */
struct verr {
	int code, depth;
	char *subject, *issuer;
};

struct collector {
	struct verr v[VMC_ERRORS_MAX];
	size_t n;
	bool nomem;
};

static int collector_index = -1;
static pthread_once_t collector_once = PTHREAD_ONCE_INIT;

static void collector_init(void)
{
	collector_index = X509_STORE_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* Records every error and lets verification go on, so that all of them
 * are reported. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
	struct collector *c = X509_STORE_CTX_get_ex_data(ctx, collector_index);
	int code = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
	X509 *cur = X509_STORE_CTX_get_current_cert(ctx);

	if (ok || c == NULL)
		return ok;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].code == code && c->v[i].depth == depth)
			return 1;
	if (c->n < VMC_ERRORS_MAX) {
		struct verr *e = &c->v[c->n++];
		e->code = code;
		e->depth = depth;
		e->subject = cur ? name_text(X509_get_subject_name(cur)) : NULL;
		e->issuer = cur ? name_text(X509_get_issuer_name(cur)) : NULL;
		if (cur != NULL && (e->subject == NULL || e->issuer == NULL))
			c->nomem = true;
	}
	return 1;
}

#define CHAIN_FIX                                                                                  \
	"Publish the leaf followed by the issuing intermediate the Mark Verifying Authority "      \
	"gave you (the file at the BIMI a= URL is the whole chain)."

/* Names of the certificates the file (and the extras) offered besides the leaf. */
static void offered(STACK_OF(X509) * untrusted, char *out, size_t outlen)
{
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; i < sk_X509_num(untrusted) && o < outlen; i++) {
		char *s = name_text(X509_get_subject_name(sk_X509_value(untrusted, i)));
		o += (size_t)snprintf(out + o, outlen - o, "%s\"%s\"", i ? "; " : "", s ? s : "?");
		free(s);
	}
}

static int report_verr(const struct verr *e, STACK_OF(X509) * untrusted, struct vmc_result *res)
{
	const char *subj = e->subject ? e->subject : "?", *iss = e->issuer ? e->issuer : "?";
	char list[300];

	switch (e->code) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		if (e->depth == 0)
			return 0; /* the leaf's window: check_dates says it with dates */
		return add(&res->findings,
		           e->code == X509_V_ERR_CERT_HAS_EXPIRED ? "vmc.chain_expired"
		                                                  : "vmc.chain_not_yet_valid",
		           FINDING_ERROR, CHAIN_FIX, "the chain's certificate \"%s\" (depth %d) %s",
		           subj, e->depth,
		           e->code == X509_V_ERR_CERT_HAS_EXPIRED ? "has expired"
		                                                  : "is not yet valid");
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		if (e->depth == 0) {
			if (sk_X509_num(untrusted) == 0)
				return add(&res->findings, "vmc.missing_intermediate",
				           FINDING_ERROR, CHAIN_FIX,
				           "the file holds only the leaf: its issuer \"%s\" is "
				           "neither "
				           "in the file nor in the trust store",
				           iss);
			offered(untrusted, list, sizeof(list));
			return add(&res->findings, "vmc.wrong_intermediate", FINDING_ERROR,
			           CHAIN_FIX,
			           "the leaf names issuer \"%s\", but the chain provides %s", iss,
			           list);
		}
		return add(&res->findings, "vmc.untrusted_root", FINDING_ERROR,
		           "Use a certificate from a Mark Verifying Authority whose root is in the "
		           "trust store (posture --vmc-roots to use another store).",
		           "the chain ends at \"%s\", issued by \"%s\", which is not a Mark "
		           "Verifying Authority root in the trust store",
		           subj, iss);
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		/* OpenSSL's follow-up to a missing issuer of the leaf: said above. */
		return 0;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return add(
		        &res->findings, "vmc.untrusted_root", FINDING_ERROR,
		        "Use a certificate from a Mark Verifying Authority whose root is in the "
		        "trust store (posture --vmc-roots to use another store).",
		        "the chain ends at the self-signed \"%s\", which is not a Mark Verifying "
		        "Authority root in the trust store",
		        subj);
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		return add(&res->findings, "vmc.bad_signature", FINDING_ERROR, CHAIN_FIX,
		           "the signature on \"%s\" (depth %d) does not verify with \"%s\"'s key",
		           subj, e->depth, iss);
	default:
		return add(&res->findings, "vmc.chain_invalid", FINDING_ERROR, CHAIN_FIX,
		           "the chain does not verify at \"%s\" (depth %d): %s", subj, e->depth,
		           X509_verify_cert_error_string(e->code));
	}
}

static int verify_chain(X509 *leaf, STACK_OF(X509) * untrusted, X509_STORE *store,
                        const struct vmc_options *opt, struct vmc_result *res)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	struct collector c;
	int rc = VMC_ERR_NOMEM;

	memset(&c, 0, sizeof(c));
	pthread_once(&collector_once, collector_init);
	if (ctx == NULL || collector_index < 0 ||
	    X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
		goto out;
	X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, opt->at);
	/* Any purpose: the BIMI EKU is checked by check_eku; OpenSSL knows no
	 * BIMI purpose. Partial chains stay off: the chain must reach a root. */
	if (X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY) != 1 ||
	    X509_STORE_CTX_set_ex_data(ctx, collector_index, &c) != 1)
		goto out;
	X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
	int ok = X509_verify_cert(ctx);
	if (c.nomem)
		goto out;
	rc = 0;
	for (size_t i = 0; i < c.n && rc == 0; i++)
		rc = report_verr(&c.v[i], untrusted, res);
	if (rc == 0 && ok != 1 && c.n == 0)
		rc = add(&res->findings, "vmc.chain_invalid", FINDING_ERROR, CHAIN_FIX,
		         "the chain does not verify: %s",
		         X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
out:
	for (size_t i = 0; i < c.n; i++) {
		free(c.v[i].subject);
		free(c.v[i].issuer);
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

static int check_logotype(X509 *leaf, struct vmc_result *res)
{
	ASN1_OBJECT *o = OBJ_txt2obj(OID_LOGOTYPE, 1);
	int i = o ? X509_get_ext_by_OBJ(leaf, o, -1) : -1;

	ASN1_OBJECT_free(o);
	if (i < 0)
		return add(&res->findings, "vmc.no_logotype", FINDING_ERROR, VMC_LOGO_FIX,
		           "the certificate has no logotype extension (" OID_LOGOTYPE
		           "): it carries no logo");
	const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(leaf, i));
	int rc = vmc_logotype_decode(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v),
	                             &res->logo, &res->findings);
	if (rc < 0)
		return rc;
	res->has_logo = res->logo.svg != NULL;
	return 0;
}

void vmc_result_cleanup(struct vmc_result *res)
{
	free(res->subject);
	free(res->issuer);
	for (size_t i = 0; i < res->ndomains; i++)
		free(res->domains[i]);
	free(res->domains);
	free(res->mark_type);
	vmc_logo_cleanup(&res->logo);
	findings_cleanup(&res->findings);
	memset(res, 0, sizeof(*res));
}

/* The trust store opt names, or the bundled one (*own: free it after). */
static int pick_store(const struct vmc_options *opt, X509_STORE **store, bool *own)
{
	*own = false;
	if (opt->roots_pem != NULL) {
		*store = store_from_pem(opt->roots_pem, opt->roots_len);
		if (*store == NULL)
			return VMC_ERR_ROOTS;
		*own = true;
		return 0;
	}
	if (vmc_init() != 0)
		return VMC_ERR_NOMEM;
	*store = bundled;
	return 0;
}

/* Reads the file's certificates into *certs (NULL when the file is over
 * the cap); what is wrong with the file itself is a finding. */
static int read_chain(const uint8_t *pem, size_t len, struct vmc_result *res,
                      STACK_OF(X509) * *certs)
{
	bool bad = false, more = false;
	int rc = 0;

	*certs = NULL;
	if (len > VMC_PEM_MAX_BYTES)
		return add(
		        &res->findings, "vmc.too_large", FINDING_ERROR, CHAIN_FIX,
		        "the file is %zu bytes, over posture's cap of %d for a certificate chain",
		        len, VMC_PEM_MAX_BYTES);
	*certs = read_pem(pem, len, VMC_MAX_CERTS, &bad, &more);
	if (*certs == NULL)
		return VMC_ERR_NOMEM;
	res->ncerts = (size_t)sk_X509_num(*certs);
	if (more)
		rc = add(&res->findings, "vmc.too_many_certs", FINDING_ERROR, CHAIN_FIX,
		         "the file holds more than %d certificates; the rest were not read",
		         VMC_MAX_CERTS);
	if (rc == 0 && bad)
		rc = add(&res->findings, "vmc.bad_pem", FINDING_ERROR, CHAIN_FIX,
		         "a PEM block after certificate %zu cannot be read", res->ncerts);
	if (rc == 0 && res->ncerts == 0 && !bad)
		rc = add(&res->findings, "vmc.not_pem", FINDING_ERROR, CHAIN_FIX,
		         "the file holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
	return rc;
}

/* The certificates offered besides the leaf: the file's others, then the
 * caller's extras (read into *extra, which the caller frees in every
 * case). NULL when out of memory. */
static STACK_OF(X509) * offered_certs(STACK_OF(X509) * certs, const struct vmc_options *opt,
                                      STACK_OF(X509) * *extra)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();

	*extra = NULL;
	if (untrusted == NULL)
		return NULL;
	for (int i = 1; i < sk_X509_num(certs); i++)
		if (sk_X509_push(untrusted, sk_X509_value(certs, i)) <= 0)
			goto fail;
	if (opt->extra_pem != NULL) {
		bool xbad, xmore;
		*extra = read_pem(opt->extra_pem, opt->extra_len, VMC_MAX_CERTS, &xbad, &xmore);
		if (*extra == NULL)
			goto fail;
		for (int i = 0; i < sk_X509_num(*extra); i++)
			if (sk_X509_push(untrusted, sk_X509_value(*extra, i)) <= 0)
				goto fail;
	}
	return untrusted;
fail:
	sk_X509_free(untrusted);
	return NULL;
}

/* Every check of the leaf, in the order their findings appear. */
static int check_leaf(X509 *leaf, STACK_OF(X509) * untrusted, X509_STORE *store,
                      const struct vmc_options *opt, struct vmc_result *res)
{
	int rc;

	res->subject = name_text(X509_get_subject_name(leaf));
	res->issuer = name_text(X509_get_issuer_name(leaf));
	if (res->subject == NULL || res->issuer == NULL)
		return VMC_ERR_NOMEM;
	rc = verify_chain(leaf, untrusted, store, opt, res);
	if (rc == 0)
		rc = check_dates(leaf, opt, res);
	if (rc == 0)
		rc = check_eku(leaf, &res->findings);
	if (rc == 0)
		rc = check_san(leaf, opt, res);
	if (rc == 0)
		rc = check_mark_type(leaf, res);
	if (rc == 0)
		rc = check_logotype(leaf, res);
	if (rc == 0 && !has_ext_oid(leaf, OID_SCT_LIST))
		rc = add(&res->findings, "vmc.no_sct", FINDING_WARNING,
		         "Mark Certificates must be logged in Certificate Transparency; ask the "
		         "Mark Verifying Authority for a logged certificate.",
		         "the certificate carries no Certificate Transparency SCTs (" OID_SCT_LIST
		         "); receivers such as Gmail require logged certificates");
	return rc;
}

/* The closing finding every result has, and the verdict. */
static int finish(struct vmc_result *res)
{
	int rc = add(&res->findings, "vmc.revocation_not_checked", FINDING_INFO, NULL,
	             "revocation was not checked: posture fetches no CRL and asks no OCSP "
	             "responder");
	if (rc != 0)
		return rc;
	res->valid = true;
	for (size_t i = 0; i < res->findings.n; i++)
		if (res->findings.v[i].severity == FINDING_ERROR)
			res->valid = false;
	return 0;
}

int vmc_check(const uint8_t *pem, size_t len, const struct vmc_options *opt, struct vmc_result *res)
{
	STACK_OF(X509) *certs = NULL, *untrusted = NULL, *extra = NULL;
	X509_STORE *store = NULL;
	bool own_store = false;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = pick_store(opt, &store, &own_store);
	if (rc == 0)
		rc = read_chain(pem, len, res, &certs);
	if (rc == 0 && res->ncerts > 0) {
		untrusted = offered_certs(certs, opt, &extra);
		rc = untrusted != NULL
		             ? check_leaf(sk_X509_value(certs, 0), untrusted, store, opt, res)
		             : VMC_ERR_NOMEM;
	}
	if (rc == 0)
		rc = finish(res);
	sk_X509_free(untrusted);
	sk_X509_pop_free(extra, X509_free);
	sk_X509_pop_free(certs, X509_free);
	if (own_store)
		X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}

int vmc_compare_logo(const struct vmc_result *res, const uint8_t *published, size_t len,
                     struct findings *f)
{
	uint8_t md[32];
	char a[65], b[65];

	if (!res->has_logo)
		return add(f, "vmc.logo_mismatch", FINDING_ERROR, NULL,
		           "the certificate holds no decodable logo to compare with the published "
		           "one") == 0
		               ? 0
		               : VMC_ERR_NOMEM;
	if (len == res->logo.svg_len && memcmp(published, res->logo.svg, len) == 0)
		return 1;
	if (EVP_Digest(published, len, md, NULL, EVP_sha256(), NULL) != 1)
		return VMC_ERR_NOMEM;
	vmc_hex(md, sizeof(md), a, sizeof(a));
	vmc_hex(res->logo.sha256, sizeof(res->logo.sha256), b, sizeof(b));
	return add(f, "vmc.logo_mismatch", FINDING_ERROR,
	           "Publish at the BIMI record's l= URL exactly the SVG embedded in the "
	           "certificate.",
	           "the published logo (%zu bytes, SHA-256 %s) differs from the certificate's "
	           "(%zu bytes, SHA-256 %s)",
	           len, a, res->logo.svg_len, b) == 0
	               ? 0
	               : VMC_ERR_NOMEM;
}
