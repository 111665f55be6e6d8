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

#include "finding.h"
#include "jsonw.h"

/* [{"code","severity","message","path","fix"}...], written into w or as a
 * jansson value (NULL on failure). */
void findings_write(struct jsonw *w, const struct findings *f);
json_t *findings_json(const struct findings *f);
/* Prints json compactly with a newline. Returns 0 or -1. */
int json_print(FILE *out, json_t *o);
/* Prints o (NULL: building it failed) on stdout and releases it; on
 * failure says so on stderr. Returns 0 or -1. */
int json_emit(json_t *o);

/* Writes s with C0 controls and DEL written as \DDD (UTF-8 passes), so
 * a hostile record cannot move the cursor or recolour the terminal. */
void print_safe(FILE *out, const char *s);
/* Writes len bytes of published text: printable ASCII as is, everything
 * else (and '"', '\\') as \DDD. */
void print_record(FILE *out, const char *s, size_t len);

/* True when colours may be used on out: a terminal and no NO_COLOR. */
bool output_colour(FILE *out);
/* Prints the findings, errors first, each with path and fix. */
void findings_print(FILE *out, const struct findings *f, const char *indent);

#endif
