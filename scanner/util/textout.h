/*
 * textout.h — terminal-safe printing of published text: records, names and
 * labels come from DNS, lists and the store, and a hostile one must not
 * move the cursor or recolour the terminal of whoever reads the output.
 * Used by the command line and the text reports.
 */
#ifndef POSTURE_TEXTOUT_H
#define POSTURE_TEXTOUT_H

#include <stddef.h>
#include <stdio.h>

/* Writes s with C0 controls and DEL written as \DDD (UTF-8 passes). */
void print_safe(FILE *out, const char *s);
/* Writes len bytes of published text: printable ASCII as is, everything
 * else (and '"', '\\') as \DDD. */
void print_record(FILE *out, const char *s, size_t len);

#endif
