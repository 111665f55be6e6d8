/*
 * csv.h — RFC 4180 cells for every CSV posture writes (reports, diff,
 * history). Published text is attacker-controlled: a cell that starts with
 * '=', '+', '-' or '@' (or a tab or carriage return, which some
 * spreadsheets skip before reading a formula) is neutralised with a
 * leading apostrophe, so a spreadsheet shows it as text, never runs it.
 */
#ifndef POSTURE_CSV_H
#define POSTURE_CSV_H

#include <stdbool.h>
#include <stdio.h>

/* True when a cell with this text would be read as a formula. */
bool csv_dangerous(const char *s);
/* Writes one cell (NULL: empty): neutralised, then quoted when it holds a
 * comma, a quote, CR or LF (quotes doubled). No separator. */
void csv_cell(FILE *out, const char *s);
/* Writes cells separated by commas and ends the record with CRLF. */
void csv_row(FILE *out, const char *const *cells, size_t n);
/* A number cell, then nothing: -1 (unknown) writes an empty cell. */
void csv_long(FILE *out, long v);

#endif
