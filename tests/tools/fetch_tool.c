/*
 * fetch_tool.c — fetches URLs through posture's fetcher (scanner/fetch/fetch.c)
 * and prints every result as JSON, for tests/integration/test_fetch.py.
 *
 *   fetch_tool [--ca-file F] [--connect-to HOST:PORT:ADDR:PORT]...
 *              [--resolver ADDR[:PORT]]... [--max-bytes N]
 *              [--connect-timeout MS] [--total-timeout MS]
 *              [--max-redirects N] [--max-inflight N] [--max-host-connections N]
 *              [--low-speed-bytes N] [--low-speed-ms MS] [--body] URL...
 *
 * With --resolver, host names are resolved through posture's DNS adapter
 * (scanner/fetch/fetch_dns.c), and every name the fetcher asked for is listed
 * in "resolved", in order. Without it curl resolves (tests always give
 * one, or connect-to addresses).
 *
 * Prints one JSON object: {"results": [{"index", "url", "final_url",
 * "status", "temporary", "http_code", "redirects", "len", "content_type",
 * "reason", "body_hex" (with --body)}...] in the order of the URLs,
 * "resolved": [...], "completion_order": [index...]}.
 * Exit status 0 when every URL got its one result, 2 for usage errors,
 * 3 when the fetcher could not be set up or run.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dns.h"
#include "fetch.h"
#include "fetch_dns.h"

#define TOOL_MAX_URLS      4096
#define TOOL_MAX_CONNECT   64
#define TOOL_MAX_RESOLVED  4096
#define TOOL_TIME_LIMIT_MS 600000UL

/* One per URL; a fetch's tag points to its slot. */
struct slot {
	json_t *result; /* filled by on_done */
	int calls;      /* callbacks: must end at exactly 1 */
};

struct tool {
	struct slot *slots;
	json_t *order;
	json_t *resolved;
	bool body;
	struct fetch_dns *dns;
};

static void usage(FILE *out)
{
	fputs("usage: fetch_tool [--ca-file F] [--connect-to HOST:PORT:ADDR:PORT]...\n"
	      "                  [--resolver ADDR[:PORT]]... [--max-bytes N]\n"
	      "                  [--connect-timeout MS] [--total-timeout MS]\n"
	      "                  [--max-redirects N] [--max-inflight N]\n"
	      "                  [--max-host-connections N]\n"
	      "                  [--low-speed-bytes N] [--low-speed-ms MS] [--body] URL...\n",
	      out);
}

/* The fetcher's resolver, recording each name it is asked for. */
static int tool_resolve(void *arg, const char *host, char addrs[][FETCH_ADDR_MAX], int max,
                        char *err, size_t errlen)
{
	struct tool *t = arg;
	if (json_array_size(t->resolved) < TOOL_MAX_RESOLVED)
		json_array_append_new(t->resolved, json_string(host));
	return fetch_dns_resolve(t->dns, host, addrs, max, err, errlen);
}

static json_t *hex(const unsigned char *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(len * 2 + 1);
	json_t *j;
	if (s == NULL)
		return json_null();
	for (size_t i = 0; i < len; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[len * 2] = '\0';
	j = json_string(s);
	free(s);
	return j;
}

static int on_done(void *arg, struct fetch_result *r)
{
	struct tool *t = arg;
	struct slot *slot = r->tag;
	size_t i = (size_t)(slot - t->slots);
	json_t *o = json_object();

	slot->calls++;
	json_array_append_new(t->order, json_integer((json_int_t)i));
	json_object_set_new(o, "index", json_integer((json_int_t)i));
	json_object_set_new(o, "url", json_string(r->url));
	json_object_set_new(o, "final_url", json_string(r->final_url));
	json_object_set_new(o, "status", json_string(fetch_status_name(r->status)));
	json_object_set_new(o, "temporary", json_boolean(r->temporary));
	json_object_set_new(o, "http_code", json_integer(r->http_code));
	json_object_set_new(o, "redirects", json_integer(r->redirects));
	json_object_set_new(o, "len", json_integer((json_int_t)r->len));
	json_object_set_new(o, "content_type", json_string(r->content_type));
	json_object_set_new(o, "reason", json_string(r->reason));
	json_object_set_new(o, "body_is_null", json_boolean(r->body == NULL));
	if (t->body && r->body != NULL)
		json_object_set_new(o, "body_hex", hex(r->body, r->len));
	json_decref(slot->result);
	slot->result = o;
	return 0;
}

static int parse_long(const char *name, const char *text, unsigned long min, unsigned long max,
                      long *out)
{
	unsigned long v;
	if (cli_parse_uint(text, min, max, &v) != 0) {
		fprintf(stderr, "fetch_tool: %s takes %lu to %lu, not '%s'\n", name, min, max,
		        text);
		return -1;
	}
	*out = (long)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca-file", required_argument, NULL, 'c' },
		{ "connect-to", required_argument, NULL, 't' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "max-bytes", required_argument, NULL, 'b' },
		{ "connect-timeout", required_argument, NULL, 'C' },
		{ "total-timeout", required_argument, NULL, 'T' },
		{ "max-redirects", required_argument, NULL, 'R' },
		{ "max-inflight", required_argument, NULL, 'n' },
		{ "max-host-connections", required_argument, NULL, 'H' },
		{ "low-speed-bytes", required_argument, NULL, 'l' },
		{ "low-speed-ms", required_argument, NULL, 'L' },
		{ "body", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *connect_to[TOOL_MAX_CONNECT];
	struct fetch_config cfg;
	struct dns_config dcfg;
	struct tool t = { 0 };
	struct fetch *f = NULL;
	long max_bytes = 65536, v;
	char err[256];
	int opt, status = 3, nurls;

	fetch_config_init(&cfg);
	dns_config_init(&dcfg);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cfg.ca_file = optarg;
			break;
		case 't':
			if (cfg.n_connect_to >= TOOL_MAX_CONNECT) {
				fprintf(stderr, "fetch_tool: too many --connect-to\n");
				return 2;
			}
			connect_to[cfg.n_connect_to++] = optarg;
			break;
		case 'r':
			if (dcfg.nservers >= DNS_MAX_SERVERS ||
			    dns_server_parse(optarg, &dcfg.servers[dcfg.nservers], err,
			                     sizeof(err)) != 0) {
				fprintf(stderr, "fetch_tool: --resolver %s: %s\n", optarg,
				        dcfg.nservers >= DNS_MAX_SERVERS ? "too many" : err);
				return 2;
			}
			dcfg.nservers++;
			break;
		case 'b':
			if (parse_long("--max-bytes", optarg, 1, FETCH_BODY_LIMIT, &max_bytes) != 0)
				return 2;
			break;
		case 'C':
		case 'T':
		case 'L':
			if (parse_long("a time limit", optarg, 0, TOOL_TIME_LIMIT_MS, &v) != 0)
				return 2;
			if (opt == 'C')
				cfg.connect_timeout_ms = v;
			else if (opt == 'T')
				cfg.total_timeout_ms = v;
			else
				cfg.low_speed_ms = v;
			break;
		case 'R':
			if (parse_long("--max-redirects", optarg, 0, 100, &v) != 0)
				return 2;
			cfg.max_redirects = (int)v;
			break;
		case 'n':
			if (parse_long("--max-inflight", optarg, 1, 100000, &v) != 0)
				return 2;
			cfg.max_inflight = (int)v;
			break;
		case 'H':
			if (parse_long("--max-host-connections", optarg, 0, 100000, &v) != 0)
				return 2;
			cfg.max_host_connections = (int)v;
			break;
		case 'l':
			if (parse_long("--low-speed-bytes", optarg, 0, 1UL << 30, &v) != 0)
				return 2;
			cfg.low_speed_bytes = v;
			break;
		case 'B':
			t.body = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	nurls = argc - optind;
	if (nurls < 1 || nurls > TOOL_MAX_URLS) {
		usage(stderr);
		return 2;
	}
	cfg.connect_to = connect_to;

	t.slots = calloc((size_t)nurls, sizeof(*t.slots));
	t.order = json_array();
	t.resolved = json_array();
	if (t.slots == NULL || t.order == NULL || t.resolved == NULL) {
		fprintf(stderr, "fetch_tool: out of memory\n");
		goto out;
	}
	if (dcfg.nservers > 0) {
		t.dns = fetch_dns_new(&dcfg, NULL, err, sizeof(err));
		if (t.dns == NULL) {
			fprintf(stderr, "fetch_tool: %s\n", err);
			goto out;
		}
		cfg.resolve = tool_resolve;
		cfg.resolve_arg = &t;
	}
	f = fetch_new(&cfg, err, sizeof(err));
	if (f == NULL) {
		fprintf(stderr, "fetch_tool: %s\n", err);
		status = 2;
		goto out;
	}
	for (int i = 0; i < nurls; i++) {
		if (fetch_add(f, argv[optind + i], (size_t)max_bytes, &t.slots[i]) != 0) {
			fprintf(stderr, "fetch_tool: cannot queue %s\n", argv[optind + i]);
			goto out;
		}
	}
	if (fetch_run(f, on_done, &t) != 0) {
		fprintf(stderr, "fetch_tool: fetch_run failed\n");
		goto out;
	}
	json_t *doc = json_object();
	json_t *results = json_array();
	status = 0;
	for (int i = 0; i < nurls; i++) {
		if (t.slots[i].calls != 1) {
			fprintf(stderr, "fetch_tool: %s had %d callbacks\n", argv[optind + i],
			        t.slots[i].calls);
			status = 3;
		}
		if (t.slots[i].result != NULL)
			json_array_append(results, t.slots[i].result);
		else
			json_array_append_new(results, json_null());
	}
	json_object_set_new(doc, "results", results);
	json_object_set(doc, "resolved", t.resolved);
	json_object_set(doc, "completion_order", t.order);
	json_dumpf(doc, stdout, JSON_INDENT(1));
	putchar('\n');
	json_decref(doc);
out:
	fetch_free(f);
	fetch_dns_free(t.dns);
	for (int i = 0; t.slots != NULL && i < nurls; i++)
		json_decref(t.slots[i].result);
	free(t.slots);
	json_decref(t.order);
	json_decref(t.resolved);
	fetch_global_cleanup();
	return status;
}
