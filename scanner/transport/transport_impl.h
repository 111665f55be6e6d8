/*
 * transport_impl.h — what the readers of scanner/transport/ share (not an
 * interface: transport.h is). RFC 8461 3.1 and RFC 8460 3 write their
 * records alike: a version literal first, then name=value fields whose
 * extension names and values have the same grammar.
 */
#ifndef POSTURE_TRANSPORT_IMPL_H
#define POSTURE_TRANSPORT_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "finding.h"

/* s (n bytes) begins with the version literal v ("v=STSv1",
 * "v=TLSRPTv1"), case-sensitive, followed by the end, white space or ';'
 * ("v=STSv10" is another version). */
bool transport_begins_with(const char *s, size_t n, const char *v);
/* How many of the n TXT records txt[i] (len[i] bytes) begin with the
 * version literal v; *first gets the index of the first of them. RFC 8461
 * 3.1 and RFC 8460 3: the others are discarded. */
int transport_records(const char *const *txt, const size_t *len, size_t n, const char *v,
                      size_t *first);
/* An extension name: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / "."). */
bool transport_ext_name_ok(const char *s, size_t n);
/* An extension value: 1*(%x21-3A / %x3C / %x3E-7E): no '=', ';', space
 * or control. */
bool transport_ext_value_ok(const char *s, size_t n);
/* Adds a finding at path to f (its message printf-formatted); *oom is
 * set when it could not be stored for want of memory (a finding dropped
 * at FINDINGS_MAX is not a failure). Each reader wraps it in a macro
 * over its own scan state. */
void transport_add(struct findings *f, const char *path, bool *oom, const char *code,
                   enum finding_severity sev, const char *fix, const char *fmt, ...)
        __attribute__((format(printf, 7, 8)));
/* Published text for a finding: at most 80 bytes, escaped (dnsutil.h). */
void transport_esc(const char *s, size_t n, char *out, size_t outlen);

#endif
