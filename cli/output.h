/*
 * output.h — shared printing for the commands: findings as JSON and as
 * text, and terminal-safe printing of published (attacker-controlled)
 * text. The CLI layer is the only user; checks never print.
 */
#ifndef POSTURE_OUTPUT_H
#define POSTURE_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "checks.h"
#include "finding.h"
#include "jsonw.h"
#include "textout.h"

/* Parses what w holds into a jansson value (the commands print or extend
 * it); NULL on failure. w is empty afterwards. */
json_t *jsonw_to_json(struct jsonw *w);
/* What fn writes for arg, as a jansson value; NULL on failure. */
json_t *jsonw_value(jsonw_fn fn, const void *arg);
/* The JSON objects of posture spf / dmarc / bimi --json and of a list of
 * findings (checks.h writes them), as jansson values; NULL on failure. */
json_t *spf_audit_json(const struct spf_audit *a);
json_t *dmarc_result_json(const struct dmarc_result *r);
json_t *bimi_result_json(const struct domain_result *r);
json_t *findings_json(const struct findings *f);
/* Prints json compactly with a newline. Returns 0 or -1. */
int json_print(FILE *out, json_t *o);
/* Prints o (NULL: building it failed) on stdout and releases it; on
 * failure says so on stderr. Returns 0 or -1. */
int json_emit(json_t *o);

/* The width text reports written to out keep within (doc/reports.md): a
 * terminal's width (TIOCGWINSZ; else COLUMNS when it is a positive
 * number; else 80), or, off a terminal, COLUMNS when it is a positive
 * number, else 100; always within 40..1000. */
int cli_text_width(FILE *out);
/* True when colours may be used on out: a terminal and no NO_COLOR. */
bool output_colour(FILE *out);
/* Prints the findings, errors first, each with path and fix. */
void findings_print(FILE *out, const struct findings *f, const char *indent);

#endif
