/*
 * mailhdr.h — the header section of a mail message (RFC 5322 2.2, 3.6),
 * read field by field: the name, the value unfolded for reading, and
 * where the field's raw bytes lie in the input (for verifiers, which
 * hash them as sent). CRLF and LF line ends, obsolete syntax (white
 * space before the colon, RFC 5322 4.5), 8-bit bytes and NUL bytes are
 * all read without refusing the message. RFC 2047 encoded words are
 * decoded for display only (mailhdr_decode_words).
 *
 * Shared by feedback/ (reports arrive as mail) and message/ (posture
 * headers). Pure and bounded: nothing is read past the input, values are
 * cut at the caller's cap (the field is then marked truncated), and at
 * most fields_max fields are kept.
 */
#ifndef POSTURE_MAILHDR_H
#define POSTURE_MAILHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mailhdr_field {
	char *name;     /* owned, as sent, NUL-terminated (compare case-insensitively) */
	char *value;    /* owned: unfolded (CR and LF removed, the WSP after them kept),
	                 * NUL bytes dropped, trimmed, at most value_max bytes */
	size_t raw_off; /* the field in the input: its name's first byte ... */
	size_t raw_len; /* ... through its last line, line end excluded */
	bool truncated; /* the value was longer than value_max and was cut */
	bool eight_bit; /* the value holds bytes >= 0x80 (raw UTF-8 or legacy) */
};

struct mailhdr {
	struct mailhdr_field *v; /* in header order: v[0] is the topmost */
	size_t n;
	size_t body_off;  /* where the body starts: after the empty line, at the
	                   * first line that is neither a field nor a fold, or len */
	bool blank_line;  /* the header section ended with an empty line */
	bool dropped;     /* fields past fields_max were not kept */
	bool crlf;        /* the first line ends in CRLF (else LF) */
	size_t bad_lines; /* lines in the header that were neither a field nor a fold
	                   * before the body (0 for a clean message): a fold with no
	                   * field above it (skipped), and the line that ended the
	                   * header without an empty line (it starts the body) */
};

/*
 * Reads the header section of data (len bytes). Keeps at most fields_max
 * fields and cuts each value at value_max bytes. An mbox "From " first
 * line is skipped. Returns 0 and fills *out (cleared first), or -1 on
 * allocation failure (then *out holds nothing to free).
 */
int mailhdr_parse(const uint8_t *data, size_t len, size_t fields_max, size_t value_max,
                  struct mailhdr *out);
void mailhdr_free(struct mailhdr *h);

/* The first field named name (ASCII case-insensitive), or NULL. */
const struct mailhdr_field *mailhdr_get(const struct mailhdr *h, const char *name);
/* How many fields are named name. */
size_t mailhdr_count(const struct mailhdr *h, const char *name);
/* True when the field's name is name (ASCII case-insensitive). */
bool mailhdr_is(const struct mailhdr_field *f, const char *name);

/*
 * RFC 2047 encoded words ("=?charset?B|Q?text?=") in in decoded into
 * UTF-8 for display: iconv converts the charsets glibc knows (UTF-8,
 * ISO-8859-*, ISO-2022-JP, Shift_JIS, EUC-JP, windows-125x...); a word
 * that does not decode is kept as written; white space between two
 * adjacent encoded words is dropped (RFC 2047 6.2). The result is
 * NUL-terminated, cut at outlen - 1 bytes on a UTF-8 boundary, and may
 * still hold any byte the input held (callers make it terminal-safe).
 * Returns the length written.
 */
size_t mailhdr_decode_words(const char *in, char *out, size_t outlen);

#endif
