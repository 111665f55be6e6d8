/*
 * spf_suite.c — runs the openspf/pyspf SPF conformance suites against
 * spf_check_host(). The YAML suites are first turned into JSON by
 * spf_suite2json.py; each case gets a fake DNS built from its scenario's
 * zone data, served the way pyspf's test driver (test/testspf.py) and a
 * recursive resolver in front of posture's adapter would serve it.
 *
 *   spf_suite FILE.json [--only NAME] [--verbose] [--list-failures]
 *
 * Prints a line per failing case (every case with --verbose; only the
 * failing names with --list-failures) and "N passed, N failed". Exits 0
 * when none failed, 1 when some did, 2 on a usage or input error.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dnsutil.h"
#include "spf.h"

/* RFC 4408's SPF RR type: the suite labels most records so. */
#define TYPE_SPF 99
/* Type of a bare "TIMEOUT" zone entry. */
#define TYPE_TIMEOUT 0
/* Distinct answers one case may ask for: the SPF limits keep a correct
 * engine far below; a runaway one is reported instead of exhausting memory. */
#define MAX_ANSWERS_PER_CASE 4096
#define ESC_BUF              (4 * DNS_NAME_BUF)

struct zrec {
	uint16_t type; /* TYPE_TIMEOUT for a bare TIMEOUT entry */
	bool timeout;  /* {TYPE: TIMEOUT}: lookups of this type time out */
	uint16_t pref; /* MX */
	char *data;    /* as the adapter presents it; TXT: strings joined */
	size_t len;
	bool has_addr;
	uint8_t addr[16];
};

struct zowner {
	char key[DNS_NAME_BUF]; /* see name_key() */
	bool explicit_txt;      /* has TXT entries (even "NONE"): SPF not copied */
	struct zrec *r;
	size_t n;
};

struct zone {
	struct zowner *o;
	size_t n;
};

/* The answers of one case: they stay valid until the case ends. */
struct fake {
	const struct zone *zone;
	struct dns_answer **ans;
	size_t n;
	bool broken; /* out of memory or too many answers: a runner failure */
};

struct options {
	const char *only;
	bool verbose;
	bool list_failures;
};

static void *xrealloc_array(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return realloc(p, n * size);
}

/* Names are ASCII; the C locale's tolower leaves other bytes alone. */
static char ascii_lower(char c)
{
	return (char)tolower((unsigned char)c);
}

/*
 * The form names are compared in: zone-file escapes (\DDD, \X) undone,
 * ASCII lower-cased, a final unescaped dot dropped. The adapter presents
 * odd bytes in names it returns (MX, PTR, CNAME targets) as \DDD and
 * undoes them when such a name is asked again (dnsutil.h, "Names"), so
 * both spellings must find the same owner. Returns -1 when the name does
 * not fit. (Over real DNS, tests/integration/test_spf_suite_cli.py.)
 */
static int name_key(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	bool final_dot = false;

	for (size_t i = 0; in[i] != '\0'; i++) {
		unsigned char c = (unsigned char)in[i];
		final_dot = false;
		if (c == '\\' && in[i + 1] >= '0' && in[i + 1] <= '9' && in[i + 2] >= '0' &&
		    in[i + 2] <= '9' && in[i + 3] >= '0' && in[i + 3] <= '9') {
			unsigned v = (unsigned)(in[i + 1] - '0') * 100 +
			             (unsigned)(in[i + 2] - '0') * 10 + (unsigned)(in[i + 3] - '0');
			if (v > 255)
				return -1;
			c = (unsigned char)v;
			i += 3;
		} else if (c == '\\' && in[i + 1] != '\0') {
			c = (unsigned char)in[++i];
		} else if (c == '.') {
			final_dot = true;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = ascii_lower((char)c);
	}
	if (final_dot)
		o--;
	out[o] = '\0';
	return 0;
}

/* A name as the checks are given it: lower case, no final dot. */
static void asked_name(const char *in, char *out, size_t outlen)
{
	size_t n = strlen(in);

	if (n > 1 && in[n - 1] == '.')
		n--;
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = ascii_lower(in[i]);
	out[n] = '\0';
}

/*
 * A target name from the zone data (MX exchange, PTR, CNAME) as posture's
 * adapter would present it: through dns_name_from_wire, so lower case, no
 * final dot, "." for the root and \DDD for odd bytes. A name no wire form
 * can hold is kept, lower-cased, for the check to cope with.
 */
static void present_name(const char *raw, char *out, size_t outlen)
{
	uint8_t wire[DNS_NAME_MAX + 2];
	size_t n = strlen(raw), w = 0, start = 0;
	bool ok = true;

	if (n > 0 && raw[n - 1] == '.')
		n--;
	while (ok && start < n) {
		const char *dot = memchr(raw + start, '.', n - start);
		size_t lab = dot != NULL ? (size_t)(dot - raw) - start : n - start;
		if (lab == 0 || lab > 63 || w + 1 + lab + 1 > sizeof(wire)) {
			ok = false;
			break;
		}
		wire[w++] = (uint8_t)lab;
		memcpy(wire + w, raw + start, lab);
		w += lab;
		start += lab + 1;
	}
	if (ok) {
		wire[w++] = 0;
		if (dns_name_from_wire(wire, w, out, outlen) >= 0)
			return;
	}
	asked_name(raw, out, outlen);
}

/*
 * TXT text from the JSON: code points up to U+00FF are the record's octets
 * (the suite writes octets as YAML "\xNN" escapes; DNS has no encoding);
 * anything above is kept as its UTF-8 bytes. Never longer than the input.
 */
static size_t octets_from_utf8(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c == 0xc2 || c == 0xc3) && i + 1 < n) {
			out[o++] = (char)(((c & 0x03u) << 6) | ((unsigned char)s[i + 1] & 0x3fu));
			i++;
		} else {
			out[o++] = (char)c;
		}
	}
	return o;
}

static struct zrec *zone_add(struct zowner *ow, uint16_t type)
{
	struct zrec *r = xrealloc_array(ow->r, ow->n + 1, sizeof(*r));

	if (r == NULL)
		return NULL;
	ow->r = r;
	r = &ow->r[ow->n++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	return r;
}

/* Copies len bytes into a NUL-terminated heap string. */
static int zrec_set(struct zrec *r, const char *data, size_t len)
{
	r->data = malloc(len + 1);
	if (r->data == NULL)
		return -1;
	if (len > 0)
		memcpy(r->data, data, len);
	r->data[len] = '\0';
	r->len = len;
	return 0;
}

static int text_value(const json_t *v, struct zrec *r)
{
	const json_t *parts[256];
	size_t nparts = 0, total = 0, o = 0;

	if (json_is_string(v)) {
		parts[nparts++] = v;
	} else if (!json_is_array(v)) {
		return -1;
	} else {
		for (size_t i = 0; i < json_array_size(v); i++) {
			const json_t *s = json_array_get(v, i);
			if (!json_is_string(s) || nparts >= sizeof(parts) / sizeof(parts[0]))
				return -1;
			parts[nparts++] = s;
		}
	}
	for (size_t i = 0; i < nparts; i++)
		total += json_string_length(parts[i]);
	r->data = malloc(total + 1);
	if (r->data == NULL)
		return -1;
	/* An empty list is a TXT record without strings: served as "". */
	for (size_t i = 0; i < nparts; i++)
		o += octets_from_utf8(json_string_value(parts[i]), json_string_length(parts[i]),
		                      r->data + o);
	r->data[o] = '\0';
	r->len = o;
	return 0;
}

static int address_value(const char *text, struct zrec *r, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN];
	int af = r->type == DNS_TYPE_A ? AF_INET : AF_INET6;

	if (inet_pton(af, text, r->addr) != 1 || inet_ntop(af, r->addr, buf, sizeof(buf)) == NULL) {
		snprintf(err, errlen, "bad address \"%s\"", text);
		return -1;
	}
	r->has_addr = true;
	return zrec_set(r, buf, strlen(buf));
}

/* Adds one {"type", "value"} entry of the JSON to an owner. */
static int zone_entry(struct zowner *ow, const json_t *e, char *err, size_t errlen)
{
	const char *tname = json_string_value(json_object_get(e, "type"));
	const json_t *v = json_object_get(e, "value");
	const char *sv = json_string_value(v);
	char namebuf[DNS_NAME_BUF];
	uint16_t type;
	struct zrec *r;

	if (tname == NULL) {
		snprintf(err, errlen, "entry without a type");
		return -1;
	}
	if (strcmp(tname, "TIMEOUT") == 0)
		return zone_add(ow, TYPE_TIMEOUT) != NULL ? 0 : -1;
	type = strcmp(tname, "SPF") == 0 ? TYPE_SPF : dns_type_parse(tname);
	if (type == 0) {
		snprintf(err, errlen, "unknown record type %s", tname);
		return -1;
	}
	if (type == DNS_TYPE_TXT)
		ow->explicit_txt = true;
	/* pyspf's driver: the value NONE is no record (for TXT it still
	 * stops SPF entries being copied to TXT). */
	if (sv != NULL && strcmp(sv, "NONE") == 0)
		return 0;
	r = zone_add(ow, type);
	if (r == NULL)
		return -1;
	if (sv != NULL && strcmp(sv, "TIMEOUT") == 0) {
		r->timeout = true;
		return 0;
	}
	switch (type) {
	case DNS_TYPE_TXT:
	case TYPE_SPF:
		if (text_value(v, r) != 0) {
			snprintf(err, errlen, "bad %s value", tname);
			return -1;
		}
		return 0;
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		if (sv == NULL) {
			snprintf(err, errlen, "%s value is not text", tname);
			return -1;
		}
		return address_value(sv, r, err, errlen);
	case DNS_TYPE_MX: {
		const json_t *pref = json_array_get(v, 0);
		const char *host = json_string_value(json_array_get(v, 1));
		if (!json_is_integer(pref) || json_integer_value(pref) < 0 ||
		    json_integer_value(pref) > 65535 || host == NULL) {
			snprintf(err, errlen, "MX value is not [pref, host]");
			return -1;
		}
		r->pref = (uint16_t)json_integer_value(pref);
		present_name(host, namebuf, sizeof(namebuf));
		return zrec_set(r, namebuf, strlen(namebuf));
	}
	default:
		/* PTR, CNAME, NS: one target name. */
		if (sv == NULL) {
			snprintf(err, errlen, "%s value is not text", tname);
			return -1;
		}
		present_name(sv, namebuf, sizeof(namebuf));
		return zrec_set(r, namebuf, strlen(namebuf));
	}
}

static void zone_free(struct zone *z)
{
	for (size_t i = 0; i < z->n; i++) {
		for (size_t k = 0; k < z->o[i].n; k++)
			free(z->o[i].r[k].data);
		free(z->o[i].r);
	}
	free(z->o);
	z->o = NULL;
	z->n = 0;
}

static const struct zowner *zone_find(const struct zone *z, const char *key)
{
	for (size_t i = 0; i < z->n; i++)
		if (strcmp(z->o[i].key, key) == 0)
			return &z->o[i];
	return NULL;
}

/*
 * Builds a scenario's zone. Owners differing only in case or a final dot
 * are merged. Then, as pyspf's driver does, an owner without TXT entries
 * gets a TXT copy of each SPF entry, after all its other entries (so after
 * a TIMEOUT too; see fake_resolve).
 */
static int zone_load(const json_t *zd, struct zone *z, char *err, size_t errlen)
{
	memset(z, 0, sizeof(*z));
	if (!json_is_object(zd)) {
		snprintf(err, errlen, "zonedata is not an object");
		return -1;
	}
	/* jansson keeps insertion order: owners come in file order. */
	for (void *it = json_object_iter((json_t *)zd); it != NULL;
	     it = json_object_iter_next((json_t *)zd, it)) {
		const char *owner = json_object_iter_key(it);
		const json_t *list = json_object_iter_value(it);
		char key[DNS_NAME_BUF];
		struct zowner *ow;
		if (name_key(owner, key, sizeof(key)) != 0 || !json_is_array(list)) {
			snprintf(err, errlen, "bad owner %s", owner);
			return -1;
		}
		ow = (struct zowner *)zone_find(z, key);
		if (ow == NULL) {
			ow = xrealloc_array(z->o, z->n + 1, sizeof(*ow));
			if (ow == NULL)
				return -1;
			z->o = ow;
			ow = &z->o[z->n++];
			memset(ow, 0, sizeof(*ow));
			memcpy(ow->key, key, strlen(key) + 1);
		}
		for (size_t i = 0; i < json_array_size(list); i++) {
			char why[200] = "out of memory";
			if (zone_entry(ow, json_array_get(list, i), why, sizeof(why)) != 0) {
				snprintf(err, errlen, "%s: %s", owner, why);
				return -1;
			}
		}
	}
	for (size_t i = 0; i < z->n; i++) {
		struct zowner *ow = &z->o[i];
		size_t n = ow->n;
		if (ow->explicit_txt)
			continue;
		for (size_t k = 0; k < n; k++) {
			struct zrec *r;
			if (ow->r[k].type != TYPE_SPF)
				continue;
			r = zone_add(ow, DNS_TYPE_TXT);
			if (r == NULL)
				return -1;
			r->timeout = ow->r[k].timeout;
			if (!r->timeout && zrec_set(r, ow->r[k].data, ow->r[k].len) != 0)
				return -1;
		}
	}
	return 0;
}

static void set_outcome(struct dns_answer *a, enum dns_outcome oc, int rcode, const char *why)
{
	a->outcome = oc;
	a->rcode = rcode;
	snprintf(a->detail, sizeof(a->detail), "%s", why);
}

/*
 * Answers (name, type) from the zone like a recursive resolver:
 * - owner not in the zone: NXDOMAIN; present without the type: NODATA;
 * - a TIMEOUT entry (pyspf's rule): the lookup times out unless records of
 *   the asked type came before it in the owner's list, which are served;
 *   {TYPE: TIMEOUT} times out lookups of that type only;
 * - CNAMEs are followed for any other type, canonical set to the end of
 *   the chain; a loop or a chain over DNS_CNAME_MAX_HOPS gives SERVFAIL.
 * Returns NULL only when out of memory.
 */
static struct dns_answer *fake_resolve(const struct zone *z, const char *name, uint16_t type)
{
	struct dns_answer *a = calloc(1, sizeof(*a));
	char key[DNS_NAME_BUF];

	if (a == NULL)
		return NULL;
	asked_name(name, a->name, sizeof(a->name));
	memcpy(a->canonical, a->name, sizeof(a->canonical));
	a->type = type;
	a->attempts = 1;
	if (name_key(name, key, sizeof(key)) != 0) {
		set_outcome(a, DNS_OUTCOME_NXDOMAIN, 3, "fake: name too long");
		return a;
	}
	for (;;) {
		const struct zowner *ow = zone_find(z, key);
		const struct zrec *cname = NULL;
		bool seen = false, timeout = false;
		if (ow == NULL) {
			set_outcome(a, DNS_OUTCOME_NXDOMAIN, 3, "fake: not in the zone data");
			return a;
		}
		for (size_t i = 0; i < ow->n && !timeout; i++) {
			const struct zrec *r = &ow->r[i];
			if (r->type == TYPE_TIMEOUT) {
				timeout = !seen;
				break;
			}
			if (r->type == DNS_TYPE_CNAME && type != DNS_TYPE_CNAME && cname == NULL &&
			    !r->timeout)
				cname = r;
			if (r->type != type)
				continue;
			seen = true;
			if (r->timeout)
				timeout = true;
			else if (dns_answer_add(a, type, r->pref, r->data, r->len,
			                        r->has_addr ? r->addr : NULL) != 0) {
				dns_answer_free(a);
				return NULL;
			}
		}
		if (timeout) {
			dns_answer_cleanup(a);
			set_outcome(a, DNS_OUTCOME_TIMEOUT, -1, "fake: TIMEOUT in the zone data");
			return a;
		}
		if (a->nrr > 0) {
			set_outcome(a, DNS_OUTCOME_DATA, 0, "");
			return a;
		}
		if (cname == NULL) {
			set_outcome(a, DNS_OUTCOME_NODATA, 0, "fake: no record of this type");
			return a;
		}
		if (a->cname_hops >= DNS_CNAME_MAX_HOPS) {
			set_outcome(a, DNS_OUTCOME_SERVFAIL, 2,
			            "fake: CNAME loop or chain too long");
			return a;
		}
		a->cname_hops++;
		snprintf(a->canonical, sizeof(a->canonical), "%s", cname->data);
		if (name_key(cname->data, key, sizeof(key)) != 0) {
			set_outcome(a, DNS_OUTCOME_SERVFAIL, 2, "fake: CNAME target too long");
			return a;
		}
	}
}

static const struct dns_answer *fake_get(void *ctx, const char *name, uint16_t type)
{
	struct fake *f = ctx;
	char asked[DNS_NAME_BUF];
	struct dns_answer **v, *a;

	if (name == NULL) {
		f->broken = true;
		return NULL;
	}
	/* The same question gets the same answer object. */
	asked_name(name, asked, sizeof(asked));
	for (size_t i = 0; i < f->n; i++)
		if (f->ans[i]->type == type && strcmp(f->ans[i]->name, asked) == 0)
			return f->ans[i];
	if (f->n >= MAX_ANSWERS_PER_CASE) {
		f->broken = true;
		return NULL;
	}
	a = fake_resolve(f->zone, name, type);
	v = a != NULL ? xrealloc_array(f->ans, f->n + 1, sizeof(struct dns_answer *)) : NULL;
	if (v == NULL) {
		dns_answer_free(a);
		f->broken = true;
		return NULL;
	}
	f->ans = v;
	f->ans[f->n++] = a;
	return a;
}

static void fake_free(struct fake *f)
{
	for (size_t i = 0; i < f->n; i++)
		dns_answer_free(f->ans[i]);
	free(f->ans);
	f->ans = NULL;
	f->n = 0;
}

static const char *esc(const char *s, char *buf, size_t buflen)
{
	if (s == NULL)
		return "(none)";
	dns_escape_text(s, strlen(s), buf, buflen);
	return buf;
}

static void print_queries(const struct fake *f)
{
	char tbuf[16], nbuf[ESC_BUF];

	for (size_t i = 0; i < f->n; i++) {
		const struct dns_answer *a = f->ans[i];
		printf("    dns %s %s -> %s", esc(a->name, nbuf, sizeof(nbuf)),
		       dns_type_name(a->type, tbuf, sizeof(tbuf)), dns_outcome_name(a->outcome));
		if (a->outcome == DNS_OUTCOME_DATA)
			printf(" (%zu record%s)", a->nrr, a->nrr == 1 ? "" : "s");
		if (a->cname_hops > 0)
			printf(" via CNAME to %s", esc(a->canonical, nbuf, sizeof(nbuf)));
		printf("\n");
	}
}

/* Runs one case; returns true when it passed. */
static bool run_case(const char *scenario, const char *name, const json_t *t, const struct zone *z,
                     const struct options *opt)
{
	const json_t *want = json_object_get(t, "result");
	const char *want_exp = json_string_value(json_object_get(t, "explanation"));
	const char *host = json_string_value(json_object_get(t, "host"));
	const char *sender = json_string_value(json_object_get(t, "mailfrom"));
	struct spf_request req = {
		.ip = host != NULL ? host : "",
		.sender = sender != NULL ? sender : "",
		.helo = json_string_value(json_object_get(t, "helo")),
		.receiver = NULL,
		.now = 0,
	};
	struct fake f = { .zone = z };
	struct spf_dns dns = { .get = fake_get, .ctx = &f };
	struct spf_eval_result out;
	const char *got = "(error)";
	char why[ESC_BUF], wants[128], exp_note[2 * ESC_BUF] = "";
	size_t wl = 0;
	bool ok = false;
	int rc;

	memset(&out, 0, sizeof(out));
	rc = spf_check_host(&req, &dns, &out);
	if (rc != 0) {
		snprintf(why, sizeof(why), "spf_check_host returned %d", rc);
	} else if (f.broken) {
		snprintf(why, sizeof(why), "runner: out of memory or over %d DNS answers",
		         MAX_ANSWERS_PER_CASE);
	} else if (out.pending) {
		char tbuf[16], nbuf[ESC_BUF];
		/* The fake answers everything: pending is an engine bug. */
		snprintf(why, sizeof(why), "pending on %s %s although the fake answered",
		         esc(out.need_name, nbuf, sizeof(nbuf)),
		         dns_type_name(out.need_type, tbuf, sizeof(tbuf)));
	} else {
		got = spf_result_name(out.result);
		esc(out.reason, why, sizeof(why));
		for (size_t i = 0; i < json_array_size(want); i++) {
			const char *w = json_string_value(json_array_get(want, i));
			if (w != NULL && strcmp(w, got) == 0)
				ok = true;
		}
		/* pyspf's driver sets the default explanation to "DEFAULT": it
		 * stands for "no exp= text", which spf.h gives as NULL. */
		if (ok && want_exp != NULL && strcmp(got, "fail") == 0) {
			bool exp_ok = strcmp(want_exp, "DEFAULT") == 0
			                      ? out.explanation == NULL
			                      : out.explanation != NULL &&
			                                strcmp(out.explanation, want_exp) == 0;
			if (!exp_ok) {
				char gbuf[ESC_BUF], wbuf[ESC_BUF];
				ok = false;
				snprintf(exp_note, sizeof(exp_note),
				         " [explanation got \"%s\", want \"%s\"]",
				         esc(out.explanation, gbuf, sizeof(gbuf)),
				         esc(want_exp, wbuf, sizeof(wbuf)));
			}
		}
	}
	wants[0] = '\0';
	for (size_t i = 0; i < json_array_size(want); i++) {
		const char *w = json_string_value(json_array_get(want, i));
		int n = snprintf(wants + wl, sizeof(wants) - wl, "%s%s", i > 0 ? "|" : "",
		                 w != NULL ? w : "?");
		if (n < 0 || (size_t)n >= sizeof(wants) - wl)
			break;
		wl += (size_t)n;
	}
	if (!ok && opt->list_failures)
		printf("%s\n", name);
	else if (!ok || opt->verbose)
		printf("%s %s/%s: got %s (%s), want %s%s\n", ok ? "ok  " : "FAIL", scenario, name,
		       got, why, wants, exp_note);
	if (opt->verbose && !opt->list_failures)
		print_queries(&f);
	spf_eval_result_cleanup(&out);
	fake_free(&f);
	return ok;
}

static void usage(void)
{
	fprintf(stderr, "usage: spf_suite FILE.json [--only NAME] [--verbose] [--list-failures]\n");
}

int main(int argc, char **argv)
{
	struct options opt = { 0 };
	const char *path = NULL;
	json_error_t jerr;
	json_t *root, *scenarios;
	unsigned passed = 0, failed = 0;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			opt.only = argv[++i];
		else if (strcmp(argv[i], "--verbose") == 0)
			opt.verbose = true;
		else if (strcmp(argv[i], "--list-failures") == 0)
			opt.list_failures = true;
		else if (argv[i][0] != '-' && path == NULL)
			path = argv[i];
		else {
			usage();
			return 2;
		}
	}
	if (path == NULL) {
		usage();
		return 2;
	}
	/* NUL bytes in records are part of the test data. */
	root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	if (root == NULL) {
		fprintf(stderr, "spf_suite: %s:%d: %s\n", path, jerr.line, jerr.text);
		return 2;
	}
	scenarios = json_object_get(root, "scenarios");
	if (!json_is_array(scenarios)) {
		fprintf(stderr, "spf_suite: %s: no \"scenarios\" array\n", path);
		json_decref(root);
		return 2;
	}
	for (size_t si = 0; si < json_array_size(scenarios); si++) {
		json_t *sc = json_array_get(scenarios, si);
		json_t *tests = json_object_get(sc, "tests");
		const char *desc = json_string_value(json_object_get(sc, "description"));
		char err[512] = "out of memory", label[32];
		struct zone z = { NULL, 0 };
		if (desc == NULL) {
			snprintf(label, sizeof(label), "scenario %zu", si + 1);
			desc = label;
		}
		if (!json_is_object(tests) ||
		    zone_load(json_object_get(sc, "zonedata"), &z, err, sizeof(err)) != 0) {
			fprintf(stderr, "spf_suite: %s: %s: %s\n", path, desc,
			        json_is_object(tests) ? err : "tests is not an object");
			zone_free(&z);
			status = 2;
			break;
		}
		for (void *it = json_object_iter(tests); it != NULL;
		     it = json_object_iter_next(tests, it)) {
			const char *name = json_object_iter_key(it);
			const json_t *t = json_object_iter_value(it);
			if (opt.only != NULL && strcmp(opt.only, name) != 0)
				continue;
			if (!json_is_array(json_object_get(t, "result"))) {
				fprintf(stderr, "spf_suite: %s: %s: no result list\n", path, name);
				status = 2;
				continue;
			}
			if (run_case(desc, name, t, &z, &opt))
				passed++;
			else
				failed++;
		}
		zone_free(&z);
	}
	json_decref(root);
	if (status == 0 && opt.only != NULL && passed + failed == 0) {
		fprintf(stderr, "spf_suite: no test named %s\n", opt.only);
		status = 2;
	}
	printf("%u passed, %u failed\n", passed, failed);
	if (status != 0)
		return status;
	return failed == 0 ? 0 : 1;
}
