/*
 * findings.c — every finding of a run's results, one row each (posture
 * report --findings): domain, check, code, severity, path, read from the
 * stored result's JSON (each object of each "findings" array; the check
 * is the result's top-level key it sits under), written as they come so
 * a run of any size takes no more memory than one result.
 */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "finding.h"
#include "textcol.h"
#include "write_impl.h"

#define MAX_DEPTH 32

struct walk {
	const char *domain, *check;
	int (*fn)(void *arg, const struct report_finding *f);
	void *arg;
};

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int walk(struct walk *w, json_t *v, int depth);

static int each_finding(struct walk *w, json_t *arr)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *o = json_array_get(arr, i);
		const char *code = jstr(o, "code");
		if (code == NULL)
			continue;
		struct report_finding f = { w->domain, w->check, code, jstr(o, "severity"),
			                    jstr(o, "path") };
		int rc = w->fn(w->arg, &f);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int walk(struct walk *w, json_t *v, int depth)
{
	const char *key;
	json_t *x;
	int rc = 0;
	if (depth > MAX_DEPTH)
		return 0;
	if (json_is_array(v)) {
		for (size_t i = 0; rc == 0 && i < json_array_size(v); i++)
			rc = walk(w, json_array_get(v, i), depth + 1);
		return rc;
	}
	json_object_foreach(v, key, x)
	{
		if (strcmp(key, "findings") == 0 && json_is_array(x))
			rc = each_finding(w, x);
		else if (json_is_object(x) || json_is_array(x))
			rc = walk(w, x, depth + 1);
		if (rc != 0)
			break;
	}
	return rc;
}

int report_findings_each(const char *json, size_t len, const char *domain,
                         int (*fn)(void *arg, const struct report_finding *f), void *arg)
{
	const char *key;
	json_t *x;
	int rc = 0;
	if (json == NULL)
		return 0;
	json_t *js = json_loadb(json, len ? len : strlen(json), JSON_ALLOW_NUL, NULL);
	if (js == NULL)
		return -1;
	struct walk w = { domain, NULL, fn, arg };
	json_object_foreach(js, key, x)
	{
		if (!json_is_object(x))
			continue;
		w.check = key;
		rc = walk(&w, x, 1);
		if (rc != 0)
			break;
	}
	json_decref(js);
	return rc;
}

static const char *orempty(const char *s)
{
	return s ? s : "";
}

int report_findings_begin(struct report_findings_out *o)
{
	FILE *out = o->out;
	o->n = 0;
	switch (o->f) {
	case REPORT_CSV:
		fputs("domain,check,code,severity,path\r\n", out);
		break;
	case REPORT_JSON: {
		json_t *r = report_run_json(o->run);
		char *run = r ? json_dumps(r, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		json_decref(r);
		if (run == NULL)
			return -1;
		fprintf(out, "{\"run\":%s,\"findings\":[", run);
		free(run);
		break;
	}
	case REPORT_MD:
		fprintf(out,
		        "# posture report: findings of run %lld\n\n| domain | check | code | "
		        "severity | path |\n|---|---|---|---|---|\n",
		        (long long)o->run->id);
		break;
	default:
		report_text_linew(out, text_width_of(o->text_width), 0, 2,
		                  "posture report: findings of run %lld (domain, check, code, "
		                  "severity, path)",
		                  (long long)o->run->id);
	}
	return ferror(out) ? -1 : 0;
}

static int add_json(struct report_findings_out *o, const struct report_finding *f)
{
	json_t *j = json_pack("{s:s,s:s,s:s,s:s?,s:s?}", "domain", f->domain, "check", f->check,
	                      "code", f->code, "severity", f->severity, "path", f->path);
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(j);
	if (text == NULL)
		return -1;
	fprintf(o->out, "%s%s", o->n ? "," : "", text);
	free(text);
	return 0;
}

/* The longest code of the registry: the code column's width. */
static size_t code_width(void)
{
	static size_t w;
	if (w == 0) {
		size_t n;
		const struct finding_info *r = finding_registry(&n);
		for (size_t i = 0; i < n; i++)
			w = strlen(r[i].code) > w ? strlen(r[i].code) : w;
		w = w < 4 ? 4 : w;
	}
	return w;
}

/* A finding as a line of text: domain, check, code, severity, path; the
 * path on a line of its own when it does not fit. Wide enough, the
 * columns of old (32, 6, 36, 8); else the domain gives room. */
static void add_text(struct report_findings_out *o, const struct report_finding *f)
{
	FILE *out = o->out;
	size_t width = text_width_of(o->text_width), dw = 32, chw = 6, cw = 36, sw = 8;
	if (width < dw + chw + cw + sw + 4 + 40) {
		chw = 5; /* "dmarc" */
		cw = code_width();
		sw = 7; /* "warning" */
		size_t rest = chw + cw + sw + 3;
		if (width < 12 + rest) {
			/* Too narrow for columns: the domain, then the rest. */
			text_cut(out, f->domain, width);
			fputc('\n', out);
			report_text_linew(out, width, 4, 6, "%s %s %s", f->check, f->code,
			                  orempty(f->severity));
			if (f->path != NULL && f->path[0] != '\0')
				report_text_linew(out, width, 4, 7, "at %s", f->path);
			return;
		}
		/* The domain takes what is left but 12 for the path. */
		dw = width > rest + 1 + 12 + 12 ? width - rest - 1 - 12 : 12;
		dw = dw > 32 ? 32 : dw;
	}
	text_pad(out, f->domain, dw);
	fputc(' ', out);
	text_pad(out, f->check, chw);
	fputc(' ', out);
	text_pad(out, f->code, cw);
	fputc(' ', out);
	size_t used = dw + chw + cw + 3, path = text_cols(orempty(f->path));
	if (path == 0) {
		text_cut(out, orempty(f->severity), sw);
		fputc('\n', out);
		return;
	}
	used += sw;
	if (used + 1 + path <= width) {
		text_pad(out, orempty(f->severity), sw);
		fputc(' ', out);
		text_cut(out, f->path, path);
		fputc('\n', out);
	} else {
		text_cut(out, orempty(f->severity), sw);
		fputc('\n', out);
		report_text_linew(out, width, 4, 7, "at %s", f->path);
	}
}

int report_findings_add(void *arg, const struct report_finding *f)
{
	struct report_findings_out *o = arg;
	FILE *out = o->out;
	int rc = 0;
	if (o->f == REPORT_JSON) {
		rc = add_json(o, f);
	} else if (o->f == REPORT_CSV) {
		const char *c[] = { f->domain, f->check, f->code, orempty(f->severity),
			            orempty(f->path) };
		csv_row_mode(out, c, 5, o->csv_raw);
	} else if (o->f == REPORT_MD) {
		const char *c[] = { f->domain, f->check, f->code, orempty(f->severity),
			            orempty(f->path) };
		fputc('|', out);
		for (size_t k = 0; k < 5; k++) {
			fputc(' ', out);
			report_md_text(out, c[k]);
			fputs(" |", out);
		}
		fputc('\n', out);
	} else {
		add_text(o, f);
	}
	o->n++;
	return rc != 0 || ferror(out) ? -1 : 0;
}

int report_findings_end(struct report_findings_out *o)
{
	if (o->f == REPORT_JSON)
		fputs("]}\n", o->out);
	return ferror(o->out) ? -1 : 0;
}
