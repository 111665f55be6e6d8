/*
 * fb_impl.h — helpers the readers of feedback/ share (fb_report.c):
 * untrusted text into fixed-size fields, and addresses into their
 * canonical text. Private to feedback/.
 */
#ifndef POSTURE_FB_IMPL_H
#define POSTURE_FB_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "feedback.h"
#include "finding.h"

/* What fb_text_copy did to a value besides copying it. */
#define FB_TEXT_CUT      1u /* longer than the field: cut at a character boundary */
#define FB_TEXT_BAD_UTF8 2u /* bytes that are not UTF-8 became U+FFFD */

/*
 * Copies src (len bytes; a NUL ends it early) into dst (size > 0 bytes,
 * always NUL-terminated) without the ASCII white space around it, as
 * valid UTF-8: every byte that is not part of a valid sequence becomes
 * U+FFFD, and a value longer than the field is cut before the first
 * character that does not fit whole. Returns FB_TEXT_* flags.
 */
unsigned fb_text_copy(char *dst, size_t size, const char *src, size_t len);

/* Lower-cases the ASCII letters of s in place; returns 1 when one was
 * upper case. */
int fb_text_lower(char *s);

/* A value as a finding's message quotes it: at most 64 bytes of it,
 * valid UTF-8, in buf (>= 72 bytes), with "..." when cut. */
const char *fb_text_show(const char *s, char *buf, size_t len);

/* The canonical text (RFC 5952 for IPv6) of an IPv4 or IPv6 address
 * written as text (white space around it allowed), in out (>= FB_IP).
 * Returns 0, or -1 when s is not an address (out is then ""). */
int fb_ip_canon(const char *s, char *out, size_t len);

/* r emptied for a reader of kind, its where kept. owned: r holds what
 * a reader gave it, freed first; else r is the caller's fresh report,
 * whose other fields are not ours to free. */
void fb_report_reset(struct fb_report *r, enum fb_kind kind, int owned);

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil): the dates reports carry, without
 * timegm's dependence on the process's time zone. */
int64_t fb_days_from_civil(int64_t y, int m, int d);

/* A report's report.bad_field findings: the first FB_BAD_FIELD_MAX are
 * listed, the rest only counted, so a hostile report cannot fill the
 * findings with one complaint; fb_bad_finish says how many were left. */
#define FB_BAD_FIELD_MAX 32
struct fb_bad {
	struct findings *f;
	const char *fix; /* the fix every one of them gets */
	unsigned n, more;
};
void fb_bad_field(struct fb_bad *b, enum finding_severity sev, const char *path, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));
/* The finding that counts the ones not listed ("%u more values not as
 * <what> ..."), when there are any. */
void fb_bad_finish(struct fb_bad *b, const char *path, const char *what);

#endif
