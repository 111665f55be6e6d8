/*
 * cmd_headers.c — "posture headers FILE|-": one received message
 * explained hop by hop (message/message.h reads it), its DKIM signatures
 * verified on request (--verify: message/msg_verify.h, keys looked up
 * here through posture's DNS adapter), and the From domain's policy as
 * published now (--live: posture's own DMARC engine). The story and the
 * JSON are written by headers_out.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "dkim_probe.h"
#include "dns.h"
#include "domain_check.h"
#include "fileio.h"
#include "headers_out.h"
#include "msg_verify.h"
#include "psl.h"

const char cmd_headers_help[] =
        "usage: posture headers FILE|- [--authserv-id ID] [--verify] [--live]\n"
        "                       [--brands FILE] [--json] [global options]\n"
        "\n"
        "Reads one received mail message (a .eml file, or - for standard input;\n"
        "the header section is enough, the body is used by --verify) and tells\n"
        "its story the way a postmaster reads it: the hops its Received fields\n"
        "trace (newest first, with the time between hops and private or\n"
        "loopback addresses marked), what each receiver recorded there\n"
        "(Authentication-Results, RFC 8601; Received-SPF, RFC 7208 9.1; ARC\n"
        "sets, RFC 8617), the DKIM signatures the message carried and where\n"
        "they were added, who it is from (From, Sender, Reply-To, Return-Path)\n"
        "and which of those domains align with From, and the DMARC verdict of\n"
        "the receiver you trust. Findings explain what let it through: a relay\n"
        "that signed it after an earlier hop had failed it, SPF softfail\n"
        "accepted, a From domain that imitates another, a policy that did not\n"
        "ask for enforcement, a weak signature, a broken ARC chain.\n"
        "\n"
        "Which results are trusted: any hop can write an Authentication-Results\n"
        "field, and a sender can forge them below the hops it does not control.\n"
        "By default the topmost Authentication-Results is read (your own\n"
        "receiver's, when it adds one: Gmail, Microsoft 365 and most MTAs do).\n"
        "If your receiver adds none, the topmost one is a stranger's: name your\n"
        "receiver's authserv-id with --authserv-id, and only its results count.\n"
        "\n"
        "Options:\n"
        "  --authserv-id ID   trust only Authentication-Results written by ID\n"
        "                     (e.g. mx.google.com); none found: verdict unknown\n"
        "  --verify           verify each DKIM signature (libopendkim), its key\n"
        "                     looked up through posture's resolver now: pass,\n"
        "                     body_hash_mismatch, signature_mismatch,\n"
        "                     key_not_found, key_revoked, key_invalid, temperror.\n"
        "                     A key rotated since the message was sent gives\n"
        "                     key_not_found or a mismatch. ARC seals are\n"
        "                     reported as each sealer declared them (cv=), not\n"
        "                     verified\n"
        "  --live             look up the From domain's DMARC policy now and the\n"
        "                     signing domains' keys, and say what an enforcing\n"
        "                     policy would have done with this message\n"
        "  --brands FILE      domains that From may imitate (one per line, #\n"
        "                     comments) instead of the bundled list of often\n"
        "                     imitated brands\n"
        "\n"
        "JSON: from {address, domain, org_domain}, envelope_from {...} or null,\n"
        "hops [{index, from, by, date, ...}] (0 = the newest), auth_results\n"
        "[{authserv_id, hop, results [{method, result, props}]}],\n"
        "dkim_signatures [{d, s, a, hop, aligned, verified}], arc, verdict\n"
        "{dmarc, authserv_id}, live (with --live), findings [{code, severity,\n"
        "message, hop}] (doc/commands.md has every field).\n"
        "\n"
        "Exit status: 0 no warning, 1 a finding of warning or error, 2 usage (a\n"
        "file that cannot be read, is larger than 64 MiB or holds no header\n"
        "field), 3 failure, 4 a lookup of --verify or --live failed (run it\n"
        "again).\n"
        "\n"
        "Examples:\n"
        "  posture headers suspicious.eml\n"
        "  posture headers suspicious.eml --authserv-id mx.google.com --verify\n"
        "  posture headers - --live --json < message.eml\n";

/* A --brands file: at most this many domains, lines of at most this. */
#define BRANDS_MAX      10000
#define BRANDS_LINE_MAX 1024

struct hopts {
	const char *path;
	const char *authserv_id;
	const char *brands_file;
	bool verify, live;
};

static int parse(int argc, char **argv, struct hopts *o)
{
	int rc = 0;
	for (int i = 0; i < argc && rc == 0; i++) {
		const char *a = argv[i];
		bool val = strcmp(a, "--authserv-id") == 0 || strcmp(a, "--brands") == 0;
		if (val && i + 1 >= argc) {
			rc = cli_usage_error("headers", "%s needs a value", a);
		} else if (strcmp(a, "--authserv-id") == 0) {
			o->authserv_id = argv[++i];
			if (o->authserv_id[0] == '\0' || strlen(o->authserv_id) >= MSG_DOMAIN)
				rc = cli_usage_error("headers",
				                     "--authserv-id: a name of 1 to %d bytes",
				                     MSG_DOMAIN - 1);
		} else if (strcmp(a, "--brands") == 0) {
			o->brands_file = argv[++i];
		} else if (strcmp(a, "--verify") == 0) {
			o->verify = true;
		} else if (strcmp(a, "--live") == 0) {
			o->live = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			rc = cli_unknown_option("headers", cmd_headers_help, a);
		} else if (o->path != NULL) {
			rc = cli_usage_error("headers", "unexpected argument '%s'", a);
		} else {
			o->path = a;
		}
	}
	if (rc == 0 && o->path == NULL)
		rc = cli_usage_error("headers", "headers needs a FILE (or - for standard input)");
	/* Every error above is a usage error, whatever the printers return. */
	return rc != 0 || o->path == NULL ? EXIT_USAGE : 0;
}

/* Standard input, at most max + 1 bytes (so a larger one is seen). */
static int read_stdin(size_t max, uint8_t **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	uint8_t *buf = malloc(cap);
	if (buf == NULL)
		return -1;
	for (;;) {
		if (n == cap) {
			if (cap > max)
				break;
			uint8_t *b = realloc(buf, cap * 2);
			if (b == NULL) {
				free(buf);
				return -1;
			}
			buf = b;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, stdin);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(stdin)) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* The message; 0, or the exit status (said on stderr). */
static int read_message(const char *path, uint8_t **data, size_t *len)
{
	bool in = strcmp(path, "-") == 0;
	int rc = in ? read_stdin(MSG_INPUT_MAX, data, len)
	            : file_read_all(path, MSG_INPUT_MAX, true, data, len);
	if (rc != 0) {
		fprintf(stderr, "posture: cannot read %s: %s\n", in ? "standard input" : path,
		        strerror(errno));
		return EXIT_USAGE;
	}
	if (*len > MSG_INPUT_MAX) {
		fprintf(stderr, "posture: %s is larger than %u MiB: not read\n",
		        in ? "standard input" : path, MSG_INPUT_MAX >> 20);
		free(*data);
		*data = NULL;
		return EXIT_USAGE;
	}
	return 0;
}

static void brands_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* One line of a --brands file: a domain, kept as its org domain. */
static int brands_line(char *line, const char *path, unsigned long ln, char **v, size_t *n)
{
	char norm[DNS_NAME_BUF], org[DNS_NAME_BUF], *save = NULL;
	char *hash = strchr(line, '#');
	if (hash != NULL)
		*hash = '\0';
	const char *name = strtok_r(line, " \t\r\n", &save);
	if (name == NULL)
		return 0;
	if (strtok_r(NULL, " \t\r\n", &save) != NULL)
		return cli_usage_error("headers", "%s:%lu: one domain per line", path, ln);
	if (cli_domain_arg("headers", name, true, norm, sizeof(norm)) != 0)
		return EXIT_USAGE;
	if (psl_org_domain(norm, org, sizeof(org)) != 0)
		snprintf(org, sizeof(org), "%s", norm);
	if (*n >= BRANDS_MAX)
		return cli_usage_error("headers", "%s: more than %d domains", path, BRANDS_MAX);
	v[*n] = strdup(org);
	if (v[*n] == NULL)
		return EXIT_INTERNAL;
	(*n)++;
	return 0;
}

/* --brands FILE into a NULL-terminated list; 0 or the exit status. */
static int read_brands(const char *path, char ***out, size_t *count)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "posture: cannot read --brands '%s': %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	char **v = calloc(BRANDS_MAX + 1, sizeof(*v)), *line = NULL;
	size_t cap = 0, n = 0;
	unsigned long ln = 0;
	ssize_t len;
	int rc = v == NULL ? EXIT_INTERNAL : 0;
	while (rc == 0 && (len = getline(&line, &cap, f)) != -1) {
		ln++;
		if (len > BRANDS_LINE_MAX)
			rc = cli_usage_error("headers", "%s:%lu: line longer than %d bytes", path,
			                     ln, BRANDS_LINE_MAX);
		else if (memchr(line, '\0', (size_t)len) != NULL)
			rc = cli_usage_error("headers", "%s:%lu: a NUL byte", path, ln);
		else
			rc = brands_line(line, path, ln, v, &n);
	}
	if (rc == 0 && ferror(f))
		rc = EXIT_USAGE;
	if (rc == 0 && n == 0)
		rc = cli_usage_error("headers", "%s: no domain in it", path);
	free(line);
	fclose(f);
	if (rc != 0) {
		brands_free(v, n);
		return rc;
	}
	*out = v;
	*count = n;
	return 0;
}

/* ---- keys (--verify, --live) ---- */

static void on_key(const struct dns_answer *ans, void *arg)
{
	struct msg_key *k = arg;
	k->status = MSG_KEY_TEMPERROR;
	if (ans->outcome == DNS_OUTCOME_NXDOMAIN || ans->outcome == DNS_OUTCOME_NODATA) {
		k->status = MSG_KEY_NONE;
		return;
	}
	if (ans->outcome != DNS_OUTCOME_DATA)
		return;
	const struct dns_rr *pick = NULL;
	for (size_t i = 0; i < ans->nrr; i++) {
		const struct dns_rr *rr = &ans->rr[i];
		if (rr->type != DNS_TYPE_TXT)
			continue;
		if (pick == NULL || (memmem(rr->data, rr->len, "p=", 2) != NULL &&
		                     memmem(pick->data, pick->len, "p=", 2) == NULL))
			pick = rr; /* of several TXT records, the first that holds a key */
	}
	if (pick == NULL) {
		k->status = MSG_KEY_NONE;
		return;
	}
	k->txt = malloc(pick->len + 1);
	if (k->txt == NULL)
		return; /* stays temperror: no verdict without the record */
	memcpy(k->txt, pick->data, pick->len);
	k->txt[pick->len] = '\0';
	k->len = pick->len;
	k->status = MSG_KEY_FOUND;
}

static void keys_free(struct keyfetch *kf)
{
	for (size_t i = 0; i < kf->n; i++)
		free(kf->v[i].txt);
	free(kf->v);
	memset(kf, 0, sizeof(*kf));
}

/* The key names of the signatures, each once ("s._domainkey.d"). */
static int keys_names(const struct msg_analysis *a, struct keyfetch *kf)
{
	kf->v = calloc(a->ndkim ? a->ndkim : 1, sizeof(*kf->v));
	if (kf->v == NULL)
		return -1;
	for (size_t i = 0; i < a->ndkim; i++) {
		const struct msg_sig *s = &a->dkim[i].sig;
		char name[sizeof(kf->v->name)];
		/* A selector that is no DNS name, or a name over 253 bytes: nothing
		 * to ask (the verifier says the signature is invalid). */
		if (!dkim_selector_valid(s->s) || s->d[0] == '\0' ||
		    dkim_selector_name(s->s, s->d, name, sizeof(name)) != 0)
			continue;
		msg_key_name(s->s, s->d, name, sizeof(name));
		bool seen = false;
		for (size_t j = 0; j < kf->n && !seen; j++)
			seen = strcmp(kf->v[j].name, name) == 0;
		if (!seen)
			snprintf(kf->v[kf->n++].name, sizeof(kf->v->name), "%s", name);
	}
	return 0;
}

/* Asks every key name at once. 0, or -1 with err. */
static int keys_fetch(const struct msg_analysis *a, const struct cli_globals *g,
                      struct keyfetch *kf, char *err, size_t errlen)
{
	if (keys_names(a, kf) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (kf->n == 0)
		return 0;
	struct dns_worker *w = dns_worker_new(&g->dns, NULL, err, errlen);
	if (w == NULL)
		return -1;
	for (size_t i = 0; i < kf->n; i++) {
		kf->v[i].status = MSG_KEY_TEMPERROR;
		if (dns_query_start(w, kf->v[i].name, DNS_TYPE_TXT, on_key, &kf->v[i]) != 0) {
			snprintf(err, errlen, "cannot ask the DNS for %s", kf->v[i].name);
			dns_worker_free(w);
			return -1;
		}
	}
	dns_worker_run(w);
	dns_worker_free(w);
	for (size_t i = 0; i < kf->n; i++)
		if (kf->v[i].status == MSG_KEY_TEMPERROR)
			kf->temperrors++;
	return 0;
}

/* ---- --live ---- */

/* The From domain's DMARC policy now, into live; 0 or -1 with err. */
static int live_run(struct msg_analysis *a, const struct cli_globals *g, struct headers_live *live,
                    char *err, size_t errlen)
{
	struct domain_check_opts o;
	char norm[DNS_NAME_BUF];
	if (!a->from.present || a->from.domain[0] == '\0' ||
	    dns_name_normalize(a->from.domain, norm, sizeof(norm)) != 0)
		return 0; /* nothing to look up: live->ran stays false and says why */
	domain_check_opts_init(&o);
	o.mask = CHECK_BIT(CHECK_DMARC);
	o.no_fetch = true;
	live->r_init = true;
	if (domain_check_run(norm, &g->dns, &o, &live->r, NULL, err, errlen) != 0)
		return -1;
	live->ran = true;
	const struct dmarc_reading *rd = &live->r.dmarc.bis;
	const char *p = dmarc_policy_name(rd->policy);
	bool enforces = rd->enforcement == DMARC_ENF_QUARANTINE ||
	                rd->enforcement == DMARC_ENF_REJECT || rd->enforcement == DMARC_ENF_PARTIAL;
	if (rd->status == DMARC_STATUS_TEMPERROR)
		return 0; /* no verdict: no finding either way */
	return msg_analyze_live(a, rd->status == DMARC_STATUS_OK && p ? p : "", enforces);
}

/* --live without --verify: the size of each signing key published now
 * (headers.weak_signature reads it). */
static void live_key_bits(struct msg_analysis *a, const struct headers_extra *x)
{
	for (size_t i = 0; i < a->ndkim; i++) {
		const struct msg_key *k = headers_key_of(x, &a->dkim[i].sig);
		struct dkim_key key;
		if (k == NULL || k->status != MSG_KEY_FOUND ||
		    dkim_key_parse(k->txt, k->len, NULL, &key) != 0)
			continue;
		if (key.status == DKIM_STATUS_KEY && key.key_type == DKIM_KEY_RSA)
			a->dkim[i].key_bits = key.bits;
		dkim_key_cleanup(&key);
	}
}

/* ---- the command ---- */

static int exit_status(const struct msg_analysis *a, bool unchecked)
{
	if (unchecked)
		return EXIT_UNCHECKED;
	for (size_t i = 0; i < a->findings.n; i++)
		if (a->findings.v[i].severity >= FINDING_WARNING)
			return EXIT_PROBLEMS;
	return EXIT_OK;
}

/* --verify and --live, after the analysis; 0 or -1 with err. */
static int lookups(struct msg_analysis *a, const uint8_t *data, size_t len, const struct hopts *o,
                   const struct cli_globals *g, struct headers_extra *x, char *err, size_t errlen)
{
	if (o->verify || o->live) {
		if (keys_fetch(a, g, &x->keys, err, errlen) != 0)
			return -1;
		x->tab.v = x->keys.v;
		x->tab.n = x->keys.n;
		x->keys_asked = true;
	}
	if (o->verify) {
		if (msg_verify_dkim(data, len, &x->tab, a, err, errlen) != 0)
			return -1;
		x->verified = true;
	} else if (o->live) {
		live_key_bits(a, x);
	}
	if ((o->verify || o->live) && msg_analyze_after_verify(a) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (o->live && live_run(a, g, &x->live, err, errlen) != 0)
		return -1;
	x->live_asked = o->live;
	return 0;
}

int cmd_headers(int argc, char **argv, const struct cli_globals *g)
{
	struct hopts o = { 0 };
	struct msg_options mo = { 0 };
	struct msg_analysis a;
	struct headers_extra x;
	uint8_t *data = NULL;
	size_t len = 0, nbrands = 0;
	char **brands = NULL, err[512];
	int rc = parse(argc, argv, &o);

	memset(&x, 0, sizeof(x));
	if (rc == 0 && psl_init() != 0) {
		fputs("posture: cannot load the public suffix list\n", stderr);
		rc = EXIT_INTERNAL;
	}
	if (rc == 0 && o.brands_file != NULL)
		rc = read_brands(o.brands_file, &brands, &nbrands);
	if (rc == 0)
		rc = read_message(o.path, &data, &len);
	if (rc != 0)
		goto out_nomsg;
	mo.authserv_id = o.authserv_id;
	mo.brands = (const char *const *)brands;
	mo.org = psl_org_domain;
	if (msg_analyze(data, len, &mo, &a) != 0) {
		fputs("posture: out of memory\n", stderr);
		rc = EXIT_INTERNAL;
		goto out_nomsg;
	}
	if (a.hdr.n == 0) {
		fprintf(stderr, "posture: %s holds no header field: not a mail message\n",
		        strcmp(o.path, "-") == 0 ? "standard input" : o.path);
		rc = EXIT_USAGE;
		goto out;
	}
	if (lookups(&a, data, len, &o, g, &x, err, sizeof(err)) != 0) {
		fprintf(stderr, "posture: %s\n", err);
		rc = EXIT_INTERNAL;
		goto out;
	}
	x.authserv_given = o.authserv_id != NULL;
	if ((g->json ? headers_json(&a, &x) : headers_text(stdout, &a, &x)) != 0) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	rc = exit_status(
	        &a, x.keys.temperrors > 0 ||
	                    (x.live.ran && x.live.r.dmarc.bis.status == DMARC_STATUS_TEMPERROR));
out:
	msg_analysis_cleanup(&a);
out_nomsg:
	if (x.live.r_init)
		checks_cleanup(&x.live.r);
	keys_free(&x.keys);
	brands_free(brands, nbrands);
	free(data);
	return rc;
}
