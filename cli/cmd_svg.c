/*
 * cmd_svg.c — "posture svg FILE": is this file a BIMI logo (SVG Tiny PS)?
 * Reads at most SVG_PARSE_MAX_BYTES + 1 bytes; a larger file is judged by
 * its size alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "output.h"
#include "svg.h"

const char cmd_svg_help[] =
        "usage: posture svg FILE [--json]\n"
        "\n"
        "Checks that FILE (\"-\" for standard input) is a logo BIMI receivers\n"
        "accept: SVG 1.2 Tiny Portable/Secure, validated against the BIMI\n"
        "Group's RELAX NG schema (built into posture), plus the rules the\n"
        "schema cannot express:\n"
        "  - at most 32 KiB (32768 bytes);\n"
        "  - root <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\"\n"
        "    baseProfile=\"tiny-ps\">, without x or y attributes;\n"
        "  - a <title> (the brand name) as its first child;\n"
        "  - no scripts, no references outside the file (href or url(...)\n"
        "    not starting with #), no DOCTYPE, no entity declarations;\n"
        "  - a square viewBox (a warning only).\n"
        "Nothing is fetched: DTDs, entities and links are never followed.\n"
        "Files over 1 MiB are not read whole and fail on their size.\n"
        "\n"
        "Each finding has a code (svg.*), the line it is on, and a fix.\n"
        "\n"
        "JSON: {\"status\": \"valid\"|\"invalid\", \"bytes\", \"sha256\" (null when\n"
        "the file was too large to read), \"findings\": [{code, severity,\n"
        "message, path, fix}]}.\n"
        "\n"
        "Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage or a\n"
        "file that cannot be opened, 3 failure (read error, out of memory).\n"
        "\n"
        "Example:\n"
        "  posture svg logo.svg\n"
        "  posture svg logo.svg --json\n";

/* Reads at most SVG_PARSE_MAX_BYTES + 1 bytes of f into *buf. *size is
 * the file's size when known (regular files), else what was read.
 * Returns 0 or -1 (errno set). */
static int read_bounded(FILE *f, unsigned char **buf, size_t *len, size_t *size)
{
	const size_t cap = SVG_PARSE_MAX_BYTES + 1;
	struct stat st;
	unsigned char *b = malloc(cap);

	*buf = NULL;
	*len = *size = 0;
	if (b == NULL)
		return -1;
	size_t n = fread(b, 1, cap, f);
	if (ferror(f)) {
		int e = errno ? errno : EIO;
		free(b);
		errno = e;
		return -1;
	}
	*buf = b;
	*len = n;
	*size = n;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size > n)
		*size = (size_t)st.st_size;
	return 0;
}

static void print_text(const char *file, const struct svg_result *r)
{
	print_safe(stdout, file);
	printf("  SVG Tiny PS %s; %zu bytes", svg_status_name(r->status), r->bytes);
	if (r->sha256[0] != '\0')
		printf(", sha256 %s", r->sha256);
	fputc('\n', stdout);
	if (r->findings.n > 0) {
		fputs("\nfindings:\n", stdout);
		findings_print(stdout, &r->findings, "  ");
	}
}

static int print_json(const struct svg_result *r)
{
	json_t *o = json_pack("{s:s,s:I,s:o,s:o}", "status", svg_status_name(r->status), "bytes",
	                      (json_int_t)r->bytes, "sha256",
	                      r->sha256[0] ? json_string(r->sha256) : json_null(), "findings",
	                      findings_json(&r->findings));
	int rc = (o != NULL) ? json_print(stdout, o) : -1;
	json_decref(o);
	return rc;
}

int cmd_svg(int argc, char **argv, const struct cli_globals *g)
{
	struct svg_result res;
	unsigned char *data = NULL;
	size_t len, size;
	int rc = EXIT_INTERNAL;

	memset(&res, 0, sizeof(res));
	if (argc < 1)
		return cli_usage_error("svg", "svg needs a FILE");
	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_unknown_option("svg", cmd_svg_help, argv[i]);
	if (argc > 1)
		return cli_usage_error("svg", "unexpected argument '%s'", argv[1]);
	bool in = strcmp(argv[0], "-") == 0;
	FILE *f = in ? stdin : fopen(argv[0], "rb");
	struct stat st;
	if (f != NULL && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		f = NULL;
		errno = EISDIR;
	}
	if (f == NULL) {
		fputs("posture: cannot open ", stderr);
		print_safe(stderr, argv[0]);
		fprintf(stderr, ": %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	if (read_bounded(f, &data, &len, &size) != 0) {
		fputs("posture: cannot read ", stderr);
		print_safe(stderr, argv[0]);
		fprintf(stderr, ": %s\n", strerror(errno));
		goto out;
	}
	if (svg_init() != 0) {
		fputs("posture: cannot load the built-in SVG Tiny PS schema\n", stderr);
		goto out;
	}
	int crc;
	if (len > SVG_PARSE_MAX_BYTES) {
		fputs("posture: ", stderr);
		print_safe(stderr, argv[0]);
		fprintf(stderr, " is larger than %d bytes: judged by its size, not read whole\n",
		        SVG_PARSE_MAX_BYTES);
		crc = svg_check_size_only(size, &res);
	} else {
		crc = svg_check(data, len, &res);
	}
	if (crc != 0) {
		fputs("posture: out of memory\n", stderr);
		goto out;
	}
	if (g->json) {
		if (print_json(&res) != 0) {
			fputs("posture: cannot format JSON\n", stderr);
			goto out;
		}
	} else {
		print_text(argv[0], &res);
	}
	rc = res.status == SVG_VALID ? EXIT_OK : EXIT_PROBLEMS;
out:
	if (!in)
		fclose(f);
	free(data);
	svg_result_cleanup(&res);
	return rc;
}
