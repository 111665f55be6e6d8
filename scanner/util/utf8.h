/*
 * utf8.h — UTF-8 as RFC 3629 defines it, for published text that need not
 * be: the JSON writer and the list reader use it to keep such bytes from
 * the store and the reports.
 */
#ifndef POSTURE_UTF8_H
#define POSTURE_UTF8_H

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

#endif
