/*
 * csv.h — RFC 4180 cells for every CSV posture writes (reports, diff,
 * history). Published text is attacker-controlled: a cell that starts with
 * '=', '+', '-' or '@' (or a tab or carriage return, which some
 * spreadsheets skip before reading a formula) is neutralised with a
 * leading apostrophe, so a spreadsheet shows it as text, never runs it.
 * No cell holds a raw control character: each character utf8_next does
 * not call raw (C0 with tab, CR and LF, DEL, C1, the bidirectional
 * controls) and each byte that is not UTF-8 is written as U+FFFD, so a
 * record's ESC, BEL or CR cannot reach a terminal that shows the file, and
 * a cell never spans lines; the JSON report keeps the exact text.
 *
 * The raw mode (posture report --csv-raw) writes every value as published,
 * for tools that read CSV (pandas, R), never for a spreadsheet: no
 * apostrophe, no U+FFFD; a cell is quoted when it holds a comma, a quote,
 * a CR or an LF (RFC 4180 2.6), so it may span lines.
 */
#ifndef POSTURE_CSV_H
#define POSTURE_CSV_H

#include <stdbool.h>
#include <stdio.h>

/* True when a cell with this text would be read as a formula. */
bool csv_dangerous(const char *s);
/* Writes one cell (NULL: empty): neutralised, control characters as
 * U+FFFD, then quoted when it holds a comma or a quote (quotes doubled).
 * No separator. */
void csv_cell(FILE *out, const char *s);
/* Writes cells separated by commas and ends the record with CRLF. */
void csv_row(FILE *out, const char *const *cells, size_t n);
/* A number cell, then nothing: -1 (unknown) writes an empty cell. */
void csv_long(FILE *out, long v);
/* csv_cell and csv_row, as published when raw is true (see above). */
void csv_cell_mode(FILE *out, const char *s, bool raw);
void csv_row_mode(FILE *out, const char *const *cells, size_t n, bool raw);

#endif
