/*
 * textcol.c — text within a width (see textcol.h).
 *
 * Columns are counted as a terminal shows them: an escaped byte is the
 * four characters print_safe writes ("\255"); a character of the East
 * Asian Wide or Fullwidth classes (Unicode UAX #11: CJK ideographs, kana,
 * Hangul, fullwidth forms, emoji) takes two; combining marks and
 * zero-width joiners none; everything else one. The tables below are the
 * blocks those classes fill, not every code point: a wide character
 * outside them counts one, a combining mark outside them counts one (a
 * line that much shorter, never longer).
 */
#include "textcol.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

struct range {
	unsigned lo, hi;
};

/* UAX #11 East Asian Wide (W) and Fullwidth (F). */
static const struct range wide[] = {
	{ 0x1100, 0x115f },   { 0x231a, 0x231b },   { 0x2329, 0x232a },   { 0x23e9, 0x23ec },
	{ 0x23f0, 0x23f0 },   { 0x23f3, 0x23f3 },   { 0x25fd, 0x25fe },   { 0x2614, 0x2615 },
	{ 0x2648, 0x2653 },   { 0x267f, 0x267f },   { 0x2693, 0x2693 },   { 0x26a1, 0x26a1 },
	{ 0x26aa, 0x26ab },   { 0x26bd, 0x26be },   { 0x26c4, 0x26c5 },   { 0x26ce, 0x26ce },
	{ 0x26d4, 0x26d4 },   { 0x26ea, 0x26ea },   { 0x26f2, 0x26f3 },   { 0x26f5, 0x26f5 },
	{ 0x26fa, 0x26fa },   { 0x26fd, 0x26fd },   { 0x2705, 0x2705 },   { 0x270a, 0x270b },
	{ 0x2728, 0x2728 },   { 0x274c, 0x274c },   { 0x274e, 0x274e },   { 0x2753, 0x2755 },
	{ 0x2757, 0x2757 },   { 0x2795, 0x2797 },   { 0x27b0, 0x27b0 },   { 0x27bf, 0x27bf },
	{ 0x2b1b, 0x2b1c },   { 0x2b50, 0x2b50 },   { 0x2b55, 0x2b55 },   { 0x2e80, 0x303e },
	{ 0x3041, 0x33ff },   { 0x3400, 0x4dbf },   { 0x4e00, 0x9fff },   { 0xa000, 0xa4cf },
	{ 0xa960, 0xa97f },   { 0xac00, 0xd7a3 },   { 0xf900, 0xfaff },   { 0xfe10, 0xfe19 },
	{ 0xfe30, 0xfe6f },   { 0xff00, 0xff60 },   { 0xffe0, 0xffe6 },   { 0x16fe0, 0x16fe4 },
	{ 0x17000, 0x18aff }, { 0x1b000, 0x1b2ff }, { 0x1f004, 0x1f004 }, { 0x1f0cf, 0x1f0cf },
	{ 0x1f18e, 0x1f18e }, { 0x1f191, 0x1f19a }, { 0x1f200, 0x1f251 }, { 0x1f300, 0x1f64f },
	{ 0x1f680, 0x1f6ff }, { 0x1f7e0, 0x1f7eb }, { 0x1f900, 0x1f9ff }, { 0x1fa70, 0x1faff },
	{ 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
};

/* Combining marks (general category Mn, Me) of the common blocks, the
 * zero-width space and joiners, the variation selectors. Checked before
 * wide: U+302A-302D and U+3099-309A (the kana voicing marks) sit in a
 * wide block. */
static const struct range zero[] = {
	{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd },   { 0x05bf, 0x05bf },
	{ 0x05c1, 0x05c2 }, { 0x05c4, 0x05c5 }, { 0x05c7, 0x05c7 },   { 0x0610, 0x061a },
	{ 0x064b, 0x065f }, { 0x0670, 0x0670 }, { 0x06d6, 0x06dc },   { 0x06df, 0x06e4 },
	{ 0x06e7, 0x06e8 }, { 0x06ea, 0x06ed }, { 0x0e31, 0x0e31 },   { 0x0e34, 0x0e3a },
	{ 0x0e47, 0x0e4e }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff },   { 0x200b, 0x200d },
	{ 0x20d0, 0x20ff }, { 0x302a, 0x302d }, { 0x3099, 0x309a },   { 0xfe00, 0xfe0f },
	{ 0xfe20, 0xfe2f }, { 0xfeff, 0xfeff }, { 0xe0100, 0xe01ef },
};

static bool in(const struct range *r, size_t n, unsigned cp)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

int text_cp_cols(unsigned cp)
{
	if (in(zero, sizeof(zero) / sizeof(zero[0]), cp))
		return 0;
	return in(wide, sizeof(wide) / sizeof(wide[0]), cp) ? 2 : 1;
}

size_t text_width_of(int width)
{
	if (width <= 0)
		return TEXT_WIDTH_DEFAULT;
	if (width < TEXT_WIDTH_MIN)
		return TEXT_WIDTH_MIN;
	return width > TEXT_WIDTH_MAX ? TEXT_WIDTH_MAX : (size_t)width;
}

/* The character at p (n >= 1 bytes): its length in bytes; *cols the
 * columns it takes as print_safe writes it, *raw whether it goes as is. */
static size_t next_char(const unsigned char *p, size_t n, size_t *cols, bool *raw)
{
	size_t len = utf8_next(p, n, raw);
	unsigned cp = 0;
	if (!*raw)
		*cols = 4 * len; /* \DDD per byte */
	else if (len == 1 || utf8_seq(p, n, &cp) == 0)
		*cols = 1;
	else
		*cols = (size_t)text_cp_cols(cp);
	return len;
}

static void put_char(FILE *out, const unsigned char *p, size_t len, bool raw)
{
	if (raw) {
		fwrite(p, 1, len, out);
		return;
	}
	for (size_t k = 0; k < len; k++)
		fprintf(out, "\\%03u", p[k]);
}

static size_t cols_n(const unsigned char *p, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n;) {
		size_t c;
		bool raw;
		i += next_char(p + i, n - i, &c, &raw);
		total += c;
	}
	return total;
}

size_t text_cols(const char *s)
{
	return s ? cols_n((const unsigned char *)s, strlen(s)) : 0;
}

size_t text_cut(FILE *out, const char *s, size_t width)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), total = cols_n(p, n), used = 0;
	bool cut = total > width;
	/* Cut: room for the ellipsis. */
	size_t room = cut ? (width > 0 ? width - 1 : 0) : width;
	for (size_t i = 0; i < n;) {
		size_t c;
		bool raw;
		size_t len = next_char(p + i, n - i, &c, &raw);
		if (used + c > room)
			break;
		put_char(out, p + i, len, raw);
		used += c;
		i += len;
	}
	if (cut && width > 0) {
		fputs("\xe2\x80\xa6", out); /* U+2026 */
		used++;
	}
	return used;
}

static void spaces(FILE *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc(' ', out);
}

void text_pad(FILE *out, const char *s, size_t width)
{
	size_t used = text_cut(out, s, width);
	spaces(out, width > used ? width - used : 0);
}

/* Writes the word p[0..n) at column *col of a line of width columns
 * whose continuation lines start at hang, breaking it where a line ends. */
static void put_word(FILE *out, const unsigned char *p, size_t n, size_t *col, size_t hang,
                     size_t width)
{
	for (size_t i = 0; i < n;) {
		size_t c;
		bool raw;
		size_t len = next_char(p + i, n - i, &c, &raw);
		if (*col + c > width && *col > hang) {
			fputc('\n', out);
			spaces(out, hang);
			*col = hang;
		}
		put_char(out, p + i, len, raw);
		*col += c;
		i += len;
	}
}

void text_wrap(FILE *out, const char *s, size_t indent, size_t hang, size_t width)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), col = indent, i = 0;
	bool start = true; /* nothing written on this line yet */
	spaces(out, indent);
	while (i < n) {
		size_t gap = 0, w = 0;
		while (i + gap < n && p[i + gap] == ' ')
			gap++;
		while (i + gap + w < n && p[i + gap + w] != ' ')
			w++;
		if (w == 0)
			break; /* trailing spaces */
		const unsigned char *word = p + i + gap;
		size_t wc = cols_n(word, w);
		/* A word too long for any line starts where it is. */
		if (start) {
			gap = 0;
		} else if (col + gap + wc > width && hang + wc <= width) {
			fputc('\n', out);
			spaces(out, hang);
			col = hang;
			gap = 0;
		}
		spaces(out, gap);
		col += gap;
		put_word(out, word, w, &col, hang, width);
		i = (size_t)(word - p) + w;
		start = false;
	}
	fputc('\n', out);
}

static const char *cell(const struct text_table *t, size_t row, size_t k)
{
	const char *v = t->cells[row * t->ncols + k];
	return v ? v : "";
}

/* The fewest columns a column's values may be cut to (its heading is
 * never cut); 0 for a column whose values are never cut. */
static size_t floor_of(const struct text_table *t, size_t k)
{
	size_t min = t->cols[k].min, h = t->heads ? text_cols(t->cols[k].head) : 0;
	return min == 0 ? 0 : min > h ? min : h;
}

/* The width of a line of columns from..ncols-1 starting at indent. */
static size_t line_width(const struct text_table *t, const size_t *w, size_t from, size_t indent)
{
	size_t total = indent;
	for (size_t k = from; k < t->ncols; k++)
		total += w[k] + (k > from ? t->sep : 0);
	return total;
}

/* Each column's width: its widest value or heading, or (at_min) no more
 * than its floor when it may be cut. */
static void natural(const struct text_table *t, size_t *w, bool at_min)
{
	for (size_t k = 0; k < t->ncols; k++) {
		w[k] = t->heads ? text_cols(t->cols[k].head) : 0;
		for (size_t r = 0; r < t->nrows; r++) {
			size_t c = text_cols(cell(t, r, k));
			w[k] = c > w[k] ? c : w[k];
		}
		size_t f = floor_of(t, k);
		if (at_min && k > 0 && f > 0 && w[k] > f)
			w[k] = f;
	}
}

size_t text_table_width(const struct text_table *t, bool at_min)
{
	size_t *w = calloc(t->ncols ? t->ncols : 1, sizeof(*w));
	if (w == NULL)
		return (size_t)-1;
	natural(t, w, at_min);
	size_t total = line_width(t, w, 0, t->indent);
	free(w);
	return total;
}

/* One line of the values v[from..] in columns of widths w, from column
 * indent; nothing after the last value that is not empty. */
static void columns_line(FILE *out, const struct text_table *t, const size_t *w,
                         const char *const *v, size_t from, size_t indent)
{
	size_t last = t->ncols;
	for (size_t k = t->ncols; k-- > from;)
		if (v[k] != NULL && v[k][0] != '\0') {
			last = k;
			break;
		}
	if (last < t->ncols)
		spaces(out, indent);
	for (size_t k = from; last < t->ncols && k <= last; k++) {
		spaces(out, k > from ? t->sep : 0);
		if (k < last)
			text_pad(out, v[k] ? v[k] : "", w[k]);
		else
			text_cut(out, v[k], w[k]);
	}
	fputc('\n', out);
}

static void note(FILE *out, const struct text_table *t, size_t row, size_t width)
{
	const char *s = t->notes ? t->notes[row] : NULL;
	if (s != NULL && s[0] != '\0')
		text_wrap(out, s, t->indent + 4, t->indent + 4, width);
}

/* Each row as a block: the first value, the note, then "heading  value"
 * per other value (the value on a line of its own when both do not fit). */
static void blocks(FILE *out, const struct text_table *t, size_t width)
{
	size_t at = t->indent + 4;
	for (size_t r = 0; r < t->nrows; r++) {
		size_t hw = 0; /* the headings of the row's values */
		for (size_t k = 1; k < t->ncols; k++) {
			size_t c = cell(t, r, k)[0] ? text_cols(t->cols[k].head) : 0;
			hw = c > hw ? c : hw;
		}
		spaces(out, t->indent);
		text_cut(out, cell(t, r, 0), width - t->indent);
		fputc('\n', out);
		note(out, t, r, width);
		for (size_t k = 1; k < t->ncols; k++) {
			const char *v = cell(t, r, k), *h = t->cols[k].head ? t->cols[k].head : "";
			if (v[0] == '\0')
				continue;
			spaces(out, at);
			if (h[0] == '\0') {
				text_cut(out, v, width - at);
			} else if (at + hw + 2 + text_cols(v) <= width) {
				text_pad(out, h, hw + 2);
				text_cut(out, v, width - at - hw - 2);
			} else {
				text_cut(out, h, width - at);
				fputc('\n', out);
				spaces(out, at + 2);
				text_cut(out, v, width - at - 2);
			}
			fputc('\n', out);
		}
	}
}

/* Cuts the columns from.. that may be cut, the widest first, until a
 * line of them from indent fits width; never the first column, which
 * names the row. Whether it fits. */
static bool shrink(const struct text_table *t, size_t *w, size_t from, size_t indent, size_t width)
{
	size_t total = line_width(t, w, from, indent);
	while (total > width) {
		size_t best = t->ncols;
		for (size_t k = from > 0 ? from : 1; k < t->ncols; k++)
			if (t->cols[k].min > 0 && w[k] > floor_of(t, k) &&
			    (best == t->ncols || w[k] > w[best]))
				best = k;
		if (best == t->ncols)
			return false;
		w[best]--;
		total--;
	}
	return true;
}

/* The first of a split row's lines: its first value, and its other
 * leading values (t->lead) as far as they fit, each cut to what is left. */
static void lead_line(FILE *out, const struct text_table *t, const char *const *v, size_t width)
{
	spaces(out, t->indent);
	size_t col = t->indent + text_cut(out, v[0] ? v[0] : "", width - t->indent);
	for (size_t k = 1; k < t->lead && k < t->ncols; k++) {
		if (v[k] == NULL || v[k][0] == '\0' || col + 2 + 4 > width)
			continue;
		spaces(out, 2); /* two: the values are not aligned */
		col += 2 + text_cut(out, v[k], width - col - 2);
	}
	fputc('\n', out);
}

/* Each row on two lines: its first value (and its other leading values),
 * then the others in columns from indent + 4 (its note after them). */
static void split(FILE *out, const struct text_table *t, size_t from, const size_t *w,
                  const char **heads, size_t width)
{
	if (t->heads) {
		lead_line(out, t, heads, width);
		columns_line(out, t, w, heads, from, t->indent + 4);
	}
	for (size_t r = 0; r < t->nrows; r++) {
		bool any = false;
		for (size_t k = from; k < t->ncols; k++)
			any |= cell(t, r, k)[0] != '\0';
		lead_line(out, t, t->cells + r * t->ncols, width);
		if (any)
			columns_line(out, t, w, t->cells + r * t->ncols, from, t->indent + 4);
		note(out, t, r, width);
	}
}

void text_table_write(FILE *out, const struct text_table *t, size_t width)
{
	size_t *w = calloc(t->ncols ? t->ncols : 1, sizeof(*w));
	const char **heads = calloc(t->ncols ? t->ncols : 1, sizeof(*heads));
	if (w == NULL || heads == NULL) {
		free(w);
		free(heads);
		blocks(out, t, width); /* needs no memory */
		return;
	}
	size_t from = t->lead > 1 ? t->lead : 1; /* the columns of a split row's second line */
	for (size_t k = 0; k < t->ncols; k++)
		heads[k] = t->cols[k].head;
	natural(t, w, false);
	if (shrink(t, w, 0, t->indent, width)) {
		if (t->heads)
			columns_line(out, t, w, heads, 0, t->indent);
		for (size_t r = 0; r < t->nrows; r++) {
			columns_line(out, t, w, t->cells + r * t->ncols, 0, t->indent);
			note(out, t, r, width);
		}
	} else if (t->ncols > from &&
	           (natural(t, w, false), shrink(t, w, from, t->indent + 4, width))) {
		split(out, t, from, w, heads, width);
	} else {
		blocks(out, t, width);
	}
	free(w);
	free(heads);
}
