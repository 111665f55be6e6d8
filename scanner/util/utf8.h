/*
 * utf8.h — UTF-8 as RFC 3629 defines it, for published text that need not
 * be: the JSON writer and the list reader use it to keep such bytes from
 * the store and the reports, and every writer of text for people (the
 * terminal, CSV, HTML, Markdown) asks utf8_next which characters it may
 * write as they are.
 */
#ifndef POSTURE_UTF8_H
#define POSTURE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid UTF-8 sequence of two to four bytes at s (n bytes
 * left) and its code point; 0 when the bytes there are not one (no
 * overlongs, no surrogates, nothing above U+10FFFF). ASCII is the
 * caller's business. */
size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp);

/*
 * Copies s into out (outlen > 0 bytes, always NUL-terminated) as valid
 * UTF-8, for text that goes into the store and comes out as JSON later
 * (list fields, run labels): each byte that is not part of a valid
 * sequence becomes U+FFFD, and a character that does not fit whole is
 * left out, never cut in half. Returns out.
 */
char *utf8_clean(const char *s, char *out, size_t outlen);

/*
 * The character at s (n >= 1 bytes left): returns its length in bytes (1
 * for a byte that does not start a valid sequence) and sets *raw to
 * whether an output for people may write it as it is. Never raw: C0
 * controls (tab, CR and LF included) and DEL; C1 controls (U+0080 to
 * U+009F: U+009B is a terminal's CSI); the bidirectional formatting
 * characters (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069:
 * Unicode UAX #9; "Trojan Source", CVE-2021-42574), which reorder what is
 * shown around them; and bytes that are not UTF-8. The writers replace
 * what is not raw: \DDD per byte on a terminal (textout.h), U+FFFD in CSV
 * and HTML, a space in list fields.
 */
size_t utf8_next(const unsigned char *s, size_t n, bool *raw);

#endif
