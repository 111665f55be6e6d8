/*
 * output.c — findings and published text on a terminal or as JSON.
 */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dnsutil.h"

static void findings_w(struct jsonw *w, const void *f)
{
	findings_write(w, f);
}

json_t *jsonw_to_json(struct jsonw *w)
{
	char *text = jsonw_finish(w);
	if (text == NULL)
		return NULL;
	/* A record may hold NUL bytes, written as \u0000 (jsonw.h). */
	json_t *o = json_loads(text, JSON_ALLOW_NUL, NULL);
	free(text);
	return o;
}

json_t *jsonw_value(jsonw_fn fn, const void *arg)
{
	struct jsonw w;
	jsonw_init(&w);
	fn(&w, arg);
	return jsonw_to_json(&w);
}

static void spf_w(struct jsonw *w, const void *a)
{
	spf_audit_write(w, a);
}

static void dmarc_w(struct jsonw *w, const void *r)
{
	dmarc_result_write(w, r);
}

json_t *spf_audit_json(const struct spf_audit *a)
{
	return jsonw_value(spf_w, a);
}

json_t *dmarc_result_json(const struct dmarc_result *r)
{
	return jsonw_value(dmarc_w, r);
}

static void bimi_w(struct jsonw *w, const void *r)
{
	bimi_result_write(w, r);
}

json_t *bimi_result_json(const struct domain_result *r)
{
	return jsonw_value(bimi_w, r);
}

json_t *findings_json(const struct findings *f)
{
	return jsonw_value(findings_w, f);
}

int json_print(FILE *out, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (text == NULL)
		return -1;
	fputs(text, out);
	fputc('\n', out);
	free(text);
	return 0;
}

/* COLUMNS as a positive number (digits only), else 0. */
static long env_columns(void)
{
	const char *s = getenv("COLUMNS");
	char *end;
	if (s == NULL || s[0] < '0' || s[0] > '9')
		return 0;
	errno = 0;
	long v = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && v > 0 ? v : 0;
}

int cli_text_width(FILE *out)
{
	long w = env_columns();
	int fd = fileno(out);
	if (fd >= 0 && isatty(fd)) {
		struct winsize ws;
		if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			w = ws.ws_col;
		else if (w == 0)
			w = 80;
	} else if (w == 0) {
		w = 100;
	}
	return w < 40 ? 40 : w > 1000 ? 1000 : (int)w;
}

bool output_colour(FILE *out)
{
	const char *nc = getenv("NO_COLOR");
	return isatty(fileno(out)) && (nc == NULL || nc[0] == '\0');
}

void findings_print(FILE *out, const struct findings *f, const char *indent)
{
	bool colour = output_colour(out);
	static const char *const marks[] = { "info", "warning", "ERROR" };
	static const char *const colours[] = { "\033[2m", "\033[33m", "\033[1;31m" };

	for (int sev = FINDING_ERROR; sev >= FINDING_INFO; sev--)
		for (size_t i = 0; i < f->n; i++) {
			const struct finding *x = &f->v[i];
			if ((int)x->severity != sev)
				continue;
			fprintf(out, "%s%s%-7s%s %s: ", indent, colour ? colours[sev] : "",
			        marks[sev], colour ? "\033[0m" : "", x->code);
			print_safe(out, x->message);
			fputc('\n', out);
			if (x->path != NULL) {
				fprintf(out, "%s        at ", indent);
				print_safe(out, x->path);
				fputc('\n', out);
			}
			if (x->fix != NULL) {
				fprintf(out, "%s        fix: ", indent);
				print_safe(out, x->fix);
				fputc('\n', out);
			}
		}
}

int json_emit(json_t *o)
{
	int rc = o != NULL ? json_print(stdout, o) : -1;
	json_decref(o);
	if (rc != 0)
		fputs("posture: cannot format JSON\n", stderr);
	return rc;
}
