/*
 * msg_verify.c — DKIM signatures of one received message verified by
 * OpenDKIM's libopendkim (RFC 6376 6, RFC 8463 for Ed25519), with keys
 * the caller looked up first (msg_verify.h).
 *
 * The library never resolves: its key callback answers from the table
 * only and never says DKIM_CBSTAT_DEFAULT (which would make it query DNS
 * itself); its resolver hooks are replaced by ones that fail at once, as
 * a second wall; no DKIM_LIBFLAGS_TMPFILES, so it writes no file. The
 * callback answers DKIM_CBSTAT_NOTFOUND for every key it cannot hand in
 * (no record, a failed query, a record longer than the library's buffer),
 * and the verdict is corrected from the table afterwards: answering
 * DKIM_CBSTAT_TRYAGAIN would make dkim_eoh stop at that signature and
 * leave the ones after it unchecked.
 *
 * The library wants the message as it travelled: CRLF line ends, header
 * fields as sent (folded, no trailing CRLF), the body ending in CRLF.
 * A copy is made in that form (DKIM_LIBFLAGS_FIXCRLF does this badly:
 * signatures that verify fail with it). Signatures the library cannot
 * read (a missing d=, a bad b=) still get a handle
 * (DKIM_LIBFLAGS_BADSIGHANDLES), so every DKIM-Signature field is
 * matched to its view by d=, s= and order.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <opendkim/dkim.h>

#include "msg_verify.h"
#include "strutil.h"

/* The context the key callback reads (dkim_get_user_context). */
struct vctx {
	const struct msg_keytab *tab;
	size_t buflen; /* the callback's buffer, as the library gave it */
};

/* What the table says about one key name. */
enum key_use {
	KEY_USABLE = 0, /* found, and it fits the library's buffer */
	KEY_ABSENT,     /* not in the table: never looked up */
	KEY_NONE,       /* looked up: no record */
	KEY_TEMP,       /* looked up: the query failed */
	KEY_TOO_LONG,   /* longer than the library's buffer takes */
	KEY_HAS_NUL,    /* holds a NUL byte: the library would read it cut */
};

void msg_key_name(const char *s, const char *d, char *out, size_t outlen)
{
	size_t n;

	out[0] = '\0';
	if (s == NULL || d == NULL || s[0] == '\0' || d[0] == '\0')
		return;
	n = str_join3(out, outlen, s, "._domainkey.", d);
	if (n >= outlen) {
		out[0] = '\0';
		return;
	}
	if (n > 0 && out[n - 1] == '.')
		out[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		out[i] = str_lower(out[i]);
}

static const struct msg_key *key_find(const struct msg_keytab *tab, const char *name)
{
	if (tab == NULL || name[0] == '\0')
		return NULL;
	for (size_t i = 0; i < tab->n; i++)
		if (strcasecmp(tab->v[i].name, name) == 0)
			return &tab->v[i];
	return NULL;
}

static enum key_use key_classify(const struct msg_key *k, size_t buflen)
{
	if (k == NULL)
		return KEY_ABSENT;
	if (k->status == MSG_KEY_TEMPERROR)
		return KEY_TEMP;
	if (k->status != MSG_KEY_FOUND)
		return KEY_NONE;
	if (k->len > 0 && k->txt == NULL)
		return KEY_NONE;
	/* The buffer is NUL-terminated text (the library reads it with strlen). */
	if (buflen == 0 || k->len >= buflen)
		return KEY_TOO_LONG;
	if (k->len > 0 && memchr(k->txt, '\0', k->len) != NULL)
		return KEY_HAS_NUL;
	return KEY_USABLE;
}

/* libopendkim's key lookup: the table, nothing else. */
static DKIM_CBSTAT key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct vctx *ctx = dkim_get_user_context(dkim);
	char name[MSG_DOMAIN * 2];
	const struct msg_key *k;

	if (ctx == NULL || buf == NULL)
		return DKIM_CBSTAT_NOTFOUND;
	ctx->buflen = buflen;
	msg_key_name((const char *)dkim_sig_getselector(sig), (const char *)dkim_sig_getdomain(sig),
	             name, sizeof(name));
	k = key_find(ctx->tab, name);
	if (key_classify(k, buflen) != KEY_USABLE)
		return DKIM_CBSTAT_NOTFOUND; /* corrected from the table afterwards */
	if (k->len > 0)
		memcpy(buf, k->txt, k->len);
	buf[k->len] = '\0';
	return DKIM_CBSTAT_CONTINUE;
}

/* The resolver hooks: every query fails before it is sent. */
static int dns_refuse_init(void **srv)
{
	*srv = NULL;
	return DKIM_DNS_ERROR;
}

static int dns_refuse_start(void *srv, int type, unsigned char *query, unsigned char *buf,
                            size_t buflen, void **qh)
{
	(void)srv;
	(void)type;
	(void)query;
	(void)buf;
	(void)buflen;
	*qh = NULL;
	return DKIM_DNS_ERROR;
}

static DKIM_LIB *lib_open(char *err, size_t errlen)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	unsigned int flags = DKIM_LIBFLAGS_BADSIGHANDLES;
	unsigned int minbits = 1024; /* RFC 8301 3.2 */

	if (lib == NULL) {
		snprintf(err, errlen, "libopendkim could not start (out of memory)");
		return NULL;
	}
	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags)) !=
	            DKIM_STAT_OK ||
	    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &minbits, sizeof(minbits)) !=
	            DKIM_STAT_OK ||
	    dkim_set_key_lookup(lib, key_lookup) != DKIM_STAT_OK) {
		snprintf(err, errlen, "libopendkim refused its options");
		dkim_close(lib);
		return NULL;
	}
	dkim_dns_set_init(lib, dns_refuse_init);
	dkim_dns_set_query_start(lib, dns_refuse_start);
	return lib;
}

/*
 * The message with CRLF line ends (a bare LF becomes CRLF), and a
 * non-empty body that does not end in CRLF given one, as SMTP would
 * (RFC 5321 4.1.1.4). *body_off: where the body starts in the copy
 * (clen when there is none).
 */
static uint8_t *crlf_copy(const uint8_t *data, size_t len, size_t *clen, size_t *body_off)
{
	uint8_t *out = malloc(2 * len + 3);
	size_t n = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
			out[n++] = '\r';
		out[n++] = data[i];
	}
	*body_off = n;
	for (size_t i = 0; i + 1 < n; i++) {
		/* The header section ends at the first empty line (RFC 5322 2.1). */
		if (out[i] == '\r' && out[i + 1] == '\n' &&
		    (i == 0 || (i >= 2 && out[i - 2] == '\r' && out[i - 1] == '\n'))) {
			*body_off = i + 2;
			break;
		}
	}
	if (*body_off < n && (n - *body_off < 2 || out[n - 2] != '\r' || out[n - 1] != '\n')) {
		out[n++] = '\r';
		out[n++] = '\n';
	}
	*clen = n;
	return out;
}

/* True when the field is a From field ("From", white space, ":"). */
static bool is_from(const uint8_t *f, size_t len)
{
	size_t i = 4;

	if (len < 5 || strncasecmp((const char *)f, "From", 4) != 0)
		return false;
	while (i < len && (f[i] == ' ' || f[i] == '\t'))
		i++;
	return i < len && f[i] == ':';
}

/*
 * Hands the header fields of the copy to the library, one field (with
 * its folds, without the CRLF that ends it) at a time. A field the
 * library refuses (no colon, a bad name) is left out, as a verifier on
 * the wire would. An mbox "From " first line is skipped. *from: a From
 * field was among them.
 */
static int feed_headers(DKIM *dkim, uint8_t *m, size_t hlen, bool *from, char *err, size_t errlen)
{
	size_t pos = 0, fields = 0;

	if (hlen >= 5 && memcmp(m, "From ", 5) == 0) {
		uint8_t *nl = memchr(m, '\n', hlen);
		pos = nl == NULL ? hlen : (size_t)(nl - m) + 1;
	}
	while (pos < hlen) {
		size_t start = pos, end;

		if (hlen - pos >= 2 && m[pos] == '\r' && m[pos + 1] == '\n')
			break; /* the empty line */
		for (;;) {
			uint8_t *nl = memchr(m + pos, '\n', hlen - pos);
			pos = nl == NULL ? hlen : (size_t)(nl - m) + 1;
			if (pos >= hlen || (m[pos] != ' ' && m[pos] != '\t'))
				break;
		}
		end = pos;
		if (end > start && m[end - 1] == '\n')
			end--;
		if (end > start && m[end - 1] == '\r')
			end--;
		if (++fields > MSG_FIELDS_MAX) {
			snprintf(err, errlen, "more than %d header fields: not verified",
			         MSG_FIELDS_MAX);
			return -1;
		}
		if (end > start && dkim_header(dkim, m + start, end - start) == DKIM_STAT_OK &&
		    is_from(m + start, end - start))
			*from = true;
	}
	return 0;
}

static enum msg_verified from_sigerror(int e)
{
	switch (e) {
	case DKIM_SIGERROR_OK:
		return MSG_VERIFY_PASS;
	case DKIM_SIGERROR_BADSIG:
		return MSG_VERIFY_SIGNATURE_MISMATCH;
	case DKIM_SIGERROR_NOKEY:
		return MSG_VERIFY_KEY_NOT_FOUND;
	case DKIM_SIGERROR_KEYFAIL:
		return MSG_VERIFY_TEMPERROR;
	case DKIM_SIGERROR_KEYREVOKED:
		return MSG_VERIFY_KEY_REVOKED;
	case DKIM_SIGERROR_DNSSYNTAX:
	case DKIM_SIGERROR_MULTIREPLY:
	case DKIM_SIGERROR_KEYVERSION:
	case DKIM_SIGERROR_KEYUNKNOWNHASH:
	case DKIM_SIGERROR_KEYHASHMISMATCH:
	case DKIM_SIGERROR_NOTEMAILKEY:
	case DKIM_SIGERROR_KEYTYPEMISSING:
	case DKIM_SIGERROR_KEYTYPEUNKNOWN:
	case DKIM_SIGERROR_KEYDECODE:
	case DKIM_SIGERROR_KEYTOOSMALL:
		return MSG_VERIFY_KEY_INVALID;
	default:
		/* The signature's own tags: v=, d=/i=, t=/x=, c=, a=, h=, l=,
		 * q=, b=, bh= missing, empty or wrong (RFC 6376 6.1.1). */
		return MSG_VERIFY_INVALID;
	}
}

/* Corrects a key_not_found the callback caused (see the top), by the
 * name the library asked for. */
static void key_override(struct msg_dkim_view *v, DKIM_SIGINFO *sig, const struct msg_keytab *tab,
                         size_t buflen)
{
	char name[MSG_DOMAIN * 2];
	const struct msg_key *k;

	msg_key_name((const char *)dkim_sig_getselector(sig), (const char *)dkim_sig_getdomain(sig),
	             name, sizeof(name));
	k = key_find(tab, name);
	switch (key_classify(k, buflen)) {
	case KEY_ABSENT:
		snprintf(v->verify_detail, sizeof(v->verify_detail),
		         "no key record was looked up for %s", name[0] ? name : "this signature");
		break;
	case KEY_NONE:
		snprintf(v->verify_detail, sizeof(v->verify_detail), "no key record at %s", name);
		break;
	case KEY_TEMP:
		v->verified = MSG_VERIFY_TEMPERROR;
		snprintf(v->verify_detail, sizeof(v->verify_detail),
		         "the query for %s failed: no verdict", name);
		break;
	case KEY_TOO_LONG:
		v->verified = MSG_VERIFY_KEY_INVALID;
		snprintf(v->verify_detail, sizeof(v->verify_detail),
		         "the key record at %s is %zu bytes, longer than libopendkim accepts (%zu)",
		         name, k->len, buflen > 0 ? buflen - 1 : 0);
		break;
	case KEY_HAS_NUL:
		v->verified = MSG_VERIFY_KEY_INVALID;
		snprintf(v->verify_detail, sizeof(v->verify_detail),
		         "the key record at %s holds a NUL byte", name);
		break;
	case KEY_USABLE:
		break;
	}
}

/* One view from the library's verdict on its signature. */
static void fill_view(struct msg_dkim_view *v, DKIM_SIGINFO *sig, const struct vctx *ctx)
{
	unsigned int flags = dkim_sig_getflags(sig);
	unsigned int bits = 0;
	int e = dkim_sig_geterror(sig);
	const char *words = dkim_sig_geterrorstr(e);

	v->verify_detail[0] = '\0';
	if (dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK && bits > 0)
		v->key_bits = (int)bits;
	if ((flags & DKIM_SIGFLAG_PROCESSED) != 0 && (flags & DKIM_SIGFLAG_PASSED) != 0 &&
	    dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH &&
	    (e == DKIM_SIGERROR_OK || e == DKIM_SIGERROR_UNKNOWN)) {
		v->verified = MSG_VERIFY_PASS;
		return;
	}
	if (dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH) {
		/* b= verified over the header fields, bh= not over the body. */
		v->verified = MSG_VERIFY_BODY_MISMATCH;
		snprintf(v->verify_detail, sizeof(v->verify_detail),
		         "body hash mismatch: the body changed after signing");
		return;
	}
	if (e == DKIM_SIGERROR_UNKNOWN) {
		v->verified = MSG_VERIFY_INVALID;
		snprintf(v->verify_detail, sizeof(v->verify_detail),
		         "libopendkim did not evaluate this signature");
		return;
	}
	v->verified = from_sigerror(e);
	if (e == DKIM_SIGERROR_KEYTOOSMALL)
		snprintf(v->verify_detail, sizeof(v->verify_detail),
		         "key too small (%u bits; RFC 8301 3.2 requires at least 1024)", bits);
	else
		snprintf(v->verify_detail, sizeof(v->verify_detail), "%s",
		         words != NULL ? words : "libopendkim gave no reason");
	if (e == DKIM_SIGERROR_NOKEY)
		key_override(v, sig, ctx->tab, ctx->buflen);
}

static bool same_name(const unsigned char *lib, const char *view)
{
	const char *l = (const char *)lib;

	if (l == NULL)
		return view[0] == '\0';
	return strcasecmp(l, view) == 0;
}

/*
 * Pairs the library's signatures (in header order) with the views (in
 * header order). First each view takes the first unused signature with
 * its d= and s=; then, when as many views as signatures are left (a
 * broken signature whose tags the two read differently), the rest pair
 * up in order. A view left without one stays as the library never saw
 * it.
 */
static int match_views(DKIM *dkim, struct msg_analysis *a, const struct vctx *ctx)
{
	DKIM_SIGINFO **sigs = NULL;
	int nsigs = 0, left_sigs, left_views = 0, j;
	bool *used, *done;

	if (dkim_getsiglist(dkim, &sigs, &nsigs) != DKIM_STAT_OK || sigs == NULL || nsigs <= 0)
		nsigs = 0;
	used = calloc((size_t)nsigs + 1, sizeof(*used));
	done = calloc(a->ndkim + 1, sizeof(*done));
	if (used == NULL || done == NULL) {
		free(used);
		free(done);
		return -1;
	}
	left_sigs = nsigs;
	for (size_t i = 0; i < a->ndkim; i++) {
		struct msg_dkim_view *v = &a->dkim[i];

		for (j = 0; j < nsigs; j++)
			if (!used[j] && same_name(dkim_sig_getdomain(sigs[j]), v->sig.d) &&
			    same_name(dkim_sig_getselector(sigs[j]), v->sig.s))
				break;
		if (j == nsigs) {
			left_views++;
			continue;
		}
		used[j] = done[i] = true;
		left_sigs--;
		fill_view(v, sigs[j], ctx);
	}
	j = 0;
	for (size_t i = 0; i < a->ndkim; i++) {
		if (done[i])
			continue;
		while (left_views == left_sigs && j < nsigs && used[j])
			j++;
		if (left_views == left_sigs && j < nsigs) {
			used[j] = true;
			fill_view(&a->dkim[i], sigs[j], ctx);
			continue;
		}
		a->dkim[i].verified = MSG_VERIFY_INVALID;
		snprintf(a->dkim[i].verify_detail, sizeof(a->dkim[i].verify_detail),
		         "libopendkim could not read this signature");
	}
	free(used);
	free(done);
	return 0;
}

/* Every view gets the same verdict: the header section was unusable. */
static void all_views(struct msg_analysis *a, enum msg_verified verdict, const char *why)
{
	for (size_t i = 0; i < a->ndkim; i++) {
		a->dkim[i].verified = verdict;
		snprintf(a->dkim[i].verify_detail, sizeof(a->dkim[i].verify_detail), "%s", why);
	}
}

/* Runs the library over the copy; 0, or -1 with err set. */
static int run(DKIM_LIB *lib, uint8_t *m, size_t clen, size_t body_off, struct vctx *ctx,
               struct msg_analysis *a, char *err, size_t errlen)
{
	DKIM_STAT st;
	DKIM *dkim = dkim_verify(lib, (const unsigned char *)"posture", NULL, &st);
	bool from = false;
	int rc = 0;

	if (dkim == NULL) {
		const char *why = dkim_getresultstr(st);

		snprintf(err, errlen, "libopendkim could not start a verification (%s)",
		         why != NULL ? why : "no reason given");
		return -1;
	}
	(void)dkim_set_user_context(dkim, ctx);
	if (feed_headers(dkim, m, body_off, &from, err, errlen) != 0) {
		dkim_free(dkim);
		return -1;
	}
	if (!from) {
		/* RFC 6376 5.4: From must be signed. Without one libopendkim
		 * (with DKIM_LIBFLAGS_BADSIGHANDLES) would only say "signature
		 * verification failed"; say what is wrong instead. */
		all_views(a, MSG_VERIFY_INVALID,
		          "the message has no From field, which every DKIM signature must sign "
		          "(RFC 6376 5.4)");
		dkim_free(dkim);
		return 0;
	}
	st = dkim_eoh(dkim);
	if (st != DKIM_STAT_OK && st != DKIM_STAT_NOSIG) {
		/* E.g. no From field (RFC 6376 5.4 requires it to be signed). */
		const char *why = dkim_geterror(dkim);
		char text[MSG_TEXT];

		if (why == NULL || why[0] == '\0')
			why = dkim_getresultstr(st);
		snprintf(text, sizeof(text), "libopendkim refused the header section: %s",
		         why != NULL ? why : "no reason given");
		all_views(a, MSG_VERIFY_INVALID, text);
		dkim_free(dkim);
		return 0;
	}
	if (st == DKIM_STAT_OK) {
		if (clen > body_off)
			(void)dkim_body(dkim, m + body_off, clen - body_off);
		(void)dkim_eom(dkim, NULL);
	}
	if (match_views(dkim, a, ctx) != 0) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	dkim_free(dkim);
	return rc;
}

int msg_verify_dkim(const uint8_t *data, size_t len, const struct msg_keytab *tab,
                    struct msg_analysis *a, char *err, size_t errlen)
{
	char dummy[1];
	struct vctx ctx = { .tab = tab, .buflen = 0 };
	size_t clen = 0, body_off = 0;
	uint8_t *m;
	DKIM_LIB *lib;
	int rc;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (a == NULL || (data == NULL && len > 0)) {
		snprintf(err, errlen, "no message");
		return -1;
	}
	if (a->ndkim == 0)
		return 0;
	if (len > MSG_INPUT_MAX) {
		snprintf(err, errlen, "message larger than %u MiB: not verified",
		         MSG_INPUT_MAX >> 20);
		return -1;
	}
	m = crlf_copy(data != NULL ? data : (const uint8_t *)"", len, &clen, &body_off);
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (body_off > MSG_HEADER_MAX) {
		snprintf(err, errlen, "header section larger than %u KiB: not verified",
		         MSG_HEADER_MAX >> 10);
		free(m);
		return -1;
	}
	lib = lib_open(err, errlen);
	if (lib == NULL) {
		free(m);
		return -1;
	}
	rc = run(lib, m, clen, body_off, &ctx, a, err, errlen);
	dkim_close(lib);
	free(m);
	return rc;
}

const char *msg_verify_library(void)
{
	/* dkim_libversion(): 0xrrMMmmpp (release, major, minor, patch). */
	static char text[32];
	uint32_t v = dkim_libversion();

	if ((v & 0xff) != 0)
		snprintf(text, sizeof(text), "%u.%u.%u.%u", (unsigned)(v >> 24),
		         (unsigned)((v >> 16) & 0xff), (unsigned)((v >> 8) & 0xff),
		         (unsigned)(v & 0xff));
	else
		snprintf(text, sizeof(text), "%u.%u.%u", (unsigned)(v >> 24),
		         (unsigned)((v >> 16) & 0xff), (unsigned)((v >> 8) & 0xff));
	return text;
}
