/*
 * cmd_lookup.c — "posture lookup NAME [TYPE]": one query through the same
 * adapter every check uses, printed like a small dig. It is how a user
 * sees what posture sees: the outcome class, the rcode, the transport and
 * the retries.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

const char cmd_lookup_help[] =
        "usage: posture lookup NAME [TYPE] [--json] [global options]\n"
        "\n"
        "Asks for one record set through posture's DNS adapter and prints the\n"
        "outcome and the records. TYPE is TXT (default), A, AAAA, MX or CNAME.\n"
        "\n"
        "The outcome is exactly one of:\n"
        "  data       records of the type were returned\n"
        "  nodata     the name exists but has no record of the type\n"
        "  nxdomain   the name does not exist\n"
        "  servfail   the server answered with an error rcode (SERVFAIL,\n"
        "             REFUSED, FORMERR, ...): a temporary failure\n"
        "  timeout    no answer after --retries retries of --timeout ms each\n"
        "  malformed  an answer that cannot be trusted or used (another name,\n"
        "             unparseable, over posture's size limits)\n"
        "A truncated UDP answer is retried over TCP; CNAMEs are followed.\n"
        "\n"
        "Exit status: 0 for data, nodata or nxdomain (a definite answer),\n"
        "1 for servfail, timeout or malformed, 2 for a usage error.\n"
        "\n"
        "Examples:\n"
        "  posture lookup example.com TXT\n"
        "  posture lookup _dmarc.example.com --json\n"
        "  posture lookup example.com MX --resolver 127.0.0.1:5353 --timeout 500\n";

static json_t *record_json(const struct dns_rr *rr)
{
	if (rr->type == DNS_TYPE_MX)
		return json_pack("{s:i,s:s}", "preference", (int)rr->pref, "exchange", rr->data);
	/* TXT may hold any bytes: valid UTF-8 goes out as is (JSON escapes
	 * control characters), anything else in zone-file escapes. */
	json_t *s = json_stringn(rr->data, rr->len);
	if (s != NULL)
		return s;
	size_t need = dns_escape_text(rr->data, rr->len, NULL, 0) + 1;
	char *buf = malloc(need);
	if (buf == NULL)
		return NULL;
	dns_escape_text(rr->data, rr->len, buf, need);
	s = json_string(buf);
	free(buf);
	return s;
}

static int print_json(const struct dns_answer *a)
{
	char tbuf[16], rbuf[16];
	json_t *recs = json_array();
	json_t *o;
	int rc = -1;

	for (size_t i = 0; recs != NULL && i < a->nrr; i++)
		json_array_append_new(recs, record_json(&a->rr[i]));
	o = json_pack("{s:s,s:s,s:s,s:o,s:i,s:s,s:b,s:i,s:i,s:s,s:i,s:s}", "name", a->name, "type",
	              dns_type_name(a->type, tbuf, sizeof(tbuf)), "outcome",
	              dns_outcome_name(a->outcome), "records", recs, "rcode", a->rcode,
	              "rcode_name", dns_rcode_name(a->rcode, rbuf, sizeof(rbuf)), "tcp", a->tcp,
	              "attempts", a->attempts, "ms", (int)a->ms, "canonical",
	              a->canonical[0] ? a->canonical : a->name, "cname_hops", a->cname_hops,
	              "detail", a->detail);
	if (o != NULL) {
		char *text = json_dumps(o, JSON_COMPACT);
		if (text != NULL) {
			puts(text);
			free(text);
			rc = 0;
		}
		json_decref(o);
	}
	return rc;
}

static void print_text(const struct dns_answer *a)
{
	char tbuf[16], rbuf[16];
	const char *type = dns_type_name(a->type, tbuf, sizeof(tbuf));

	printf(";; %s %s: %s (%s, %s, %d attempt%s, %u ms)\n", a->name, type,
	       dns_outcome_name(a->outcome), dns_rcode_name(a->rcode, rbuf, sizeof(rbuf)),
	       a->tcp ? "tcp" : "udp", a->attempts, a->attempts == 1 ? "" : "s", a->ms);
	if (a->cname_hops > 0)
		printf(";; via %d CNAME%s to %s\n", a->cname_hops, a->cname_hops == 1 ? "" : "s",
		       a->canonical);
	if (a->detail[0] != '\0')
		printf(";; %s\n", a->detail);
	for (size_t i = 0; i < a->nrr; i++) {
		const struct dns_rr *rr = &a->rr[i];
		const char *owner = a->canonical[0] ? a->canonical : a->name;
		if (rr->type == DNS_TYPE_TXT) {
			/* Whole, however long (the message bounds it): each byte
			 * takes at most 4 (\DDD). */
			char *esc = malloc(4 * rr->len + 1);
			if (esc == NULL) {
				printf("%s.\t%s\t(%zu bytes: out of memory)\n", owner, type,
				       rr->len);
				continue;
			}
			dns_escape_text(rr->data, rr->len, esc, 4 * rr->len + 1);
			printf("%s.\t%s\t\"%s\"\n", owner, type, esc);
			free(esc);
		} else if (rr->type == DNS_TYPE_MX) {
			printf("%s.\t%s\t%u %s.\n", owner, type, (unsigned)rr->pref, rr->data);
		} else {
			printf("%s.\t%s\t%s\n", owner, type, rr->data);
		}
	}
}

struct lookup_result {
	bool json;
	int exit_code;
};

static void on_answer(const struct dns_answer *a, void *arg)
{
	struct lookup_result *r = arg;

	if (r->json) {
		if (print_json(a) != 0) {
			fputs("posture: cannot format the answer as JSON\n", stderr);
			r->exit_code = EXIT_INTERNAL;
			return;
		}
	} else {
		print_text(a);
	}
	switch (a->outcome) {
	case DNS_OUTCOME_DATA:
	case DNS_OUTCOME_NODATA:
	case DNS_OUTCOME_NXDOMAIN:
		r->exit_code = EXIT_OK;
		break;
	default:
		r->exit_code = EXIT_PROBLEMS;
		break;
	}
}

int cmd_lookup(int argc, char **argv, const struct cli_globals *g)
{
	const char *name = NULL, *type_text = "TXT";
	int npos = 0;
	struct lookup_result r = { g->json, EXIT_INTERNAL };
	char err[256], norm[DNS_NAME_BUF];
	struct dns_worker *w;

	for (int i = 0; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0' && strcmp(argv[i], "--") != 0)
			return cli_unknown_option("lookup", cmd_lookup_help, argv[i]);
		if (strcmp(argv[i], "--") == 0)
			continue;
		if (npos == 0)
			name = argv[i];
		else if (npos == 1)
			type_text = argv[i];
		else
			return cli_usage_error("lookup", "unexpected argument '%s'", argv[i]);
		npos++;
	}
	if (name == NULL)
		return cli_usage_error("lookup", "lookup needs a NAME");
	uint16_t type = dns_type_parse(type_text);
	if (type == 0 || (type != DNS_TYPE_TXT && type != DNS_TYPE_A && type != DNS_TYPE_AAAA &&
	                  type != DNS_TYPE_MX && type != DNS_TYPE_CNAME))
		return cli_usage_error("lookup", "unsupported type '%s' (TXT, A, AAAA, MX, CNAME)",
		                       type_text);
	if (cli_domain_arg("lookup", name, false, norm, sizeof(norm)) != 0)
		return EXIT_USAGE;
	w = dns_worker_new(&g->dns, NULL, err, sizeof(err));
	if (w == NULL) {
		fprintf(stderr, "posture: %s\n", err);
		return EXIT_INTERNAL;
	}
	if (dns_query_start(w, norm, type, on_answer, &r) != 0) {
		fputs("posture: cannot start the query (out of memory)\n", stderr);
		dns_worker_free(w);
		return EXIT_INTERNAL;
	}
	dns_worker_run(w);
	dns_worker_free(w);
	return r.exit_code;
}
