/*
 * textcol.h — text reports within a width (doc/reports.md): how many
 * columns a string takes on a terminal, values cut to a column with "…",
 * prose wrapped at spaces, and tables that give up room in steps (cut
 * values, then one block per row) so that no line is longer than the
 * width. Published text goes out as print_safe writes it (textout.h), and
 * its escapes count as the columns they take.
 */
#ifndef POSTURE_TEXTCOL_H
#define POSTURE_TEXTCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

#define TEXT_WIDTH_DEFAULT 100 /* not a terminal: the text reports' width */
#define TEXT_WIDTH_MIN     40
#define TEXT_WIDTH_MAX     1000

/* A report's text_width as the writers use it: 0 (or less) is
 * TEXT_WIDTH_DEFAULT; others are kept within TEXT_WIDTH_MIN..MAX. */
size_t text_width_of(int width);

/* The display columns of a code point: 2 for East Asian Wide and
 * Fullwidth characters (Unicode UAX #11), 0 for combining marks and
 * zero-width joiners, else 1. */
int text_cp_cols(unsigned cp);
/* The columns s takes as print_safe writes it: each escaped byte is four
 * ("\033"), each other character its display columns. */
size_t text_cols(const char *s);
/* Writes s as print_safe does in at most width columns: when it is
 * longer, as much as fits and "…" (one column). Returns the columns
 * written. */
size_t text_cut(FILE *out, const char *s, size_t width);
/* text_cut, then spaces up to width columns. */
void text_pad(FILE *out, const char *s, size_t width);
/* Writes s as lines of at most width columns, broken at spaces (a word
 * longer than a line is broken where the line ends): the first line
 * indented by indent spaces, the others by hang. Each line ends in a
 * newline. */
void text_wrap(FILE *out, const char *s, size_t indent, size_t hang, size_t width);

/* A column of a table: its heading, and how far its values may be cut
 * (with "…") when a row is too long: down to min columns; 0, never. The
 * first column names the row: it is cut only on a line of its own. */
struct text_col {
	const char *head;
	size_t min;
};

/* A table of nrows rows of ncols cells (row by row; NULL or "": empty),
 * with, when notes is not NULL, a note per row (NULL: none): prose
 * written below its row. */
struct text_table {
	const struct text_col *cols;
	size_t ncols;
	const char *const *cells;
	const char *const *notes;
	size_t nrows;
	size_t indent, sep; /* spaces before the first column, between columns */
	bool heads;         /* a heading line first */
	size_t lead;        /* split rows: the values on the first line (0: 1) */
};

/* The longest line of the table laid out in columns (notes aside), with
 * every value as it is, or (at_min) with the values that may be cut cut
 * to their columns' minimum. */
size_t text_table_width(const struct text_table *t, bool at_min);
/* Writes the table within width columns: in columns when its lines fit,
 * cutting the widest column that may be cut first; else each row on two
 * lines, its first value (and its other leading values, cut to what is
 * left) on one, the others in columns below it; else one block per row:
 * its first value, and a line per other value ("heading  value"). A
 * row's note follows it. No line ends in spaces. */
void text_table_write(FILE *out, const struct text_table *t, size_t width);

/* ---- posture diff's text (diff.c) ---- */

/* The heading line of posture diff RUN_A RUN_B (only_regressed: of
 * --latest, which lists the regressions alone), then one line per change
 * shown, "direction domain  what: from -> to", each within width columns
 * (a change that does not fit goes on two lines). 0, or -1 on a write
 * error. posture diff --summary is not here: its one line of counts is
 * for scripts, and stays one line whatever the width. */
int report_diff_write_text(FILE *out, const struct store_run *ra, const struct store_run *rb,
                           const struct report_change *c, size_t n, bool only_regressed, int width);

#endif
