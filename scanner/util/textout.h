/*
 * textout.h — terminal-safe printing of published text: records, names and
 * labels come from DNS, lists and the store, and a hostile one must not
 * move the cursor, recolour the terminal of whoever reads the output, or
 * reorder what is shown around it. Used by the command line and the text
 * reports.
 */
#ifndef POSTURE_TEXTOUT_H
#define POSTURE_TEXTOUT_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes s with every character utf8_next does not call raw written as
 * \DDD, one for each of its bytes (decimal, the zone-file escape): C0
 * controls and DEL ("\033"), C1 controls (U+009B: "\194\155"), the
 * bidirectional controls (U+202E: "\226\128\174") and bytes that are not
 * UTF-8 ("\255"). Other UTF-8 passes. Returns the bytes written.
 */
size_t print_safe(FILE *out, const char *s);
/* Writes len bytes of published text: printable ASCII as is, everything
 * else (and '"', '\\') as \DDD. */
void print_record(FILE *out, const char *s, size_t len);

#endif
