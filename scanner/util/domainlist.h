/*
 * domainlist.h — reading the lists a scan runs over, one entry at a time
 * (a million-line list is never held in memory).
 *
 * Two formats, told apart by the first line that is not blank or a
 * comment:
 * - CSV (RFC 4180, UTF-8) when that line is a header with a "domain"
 *   column; optional columns company, code, sector, list, dkim_selectors;
 *   others ignored.
 *   A quoted field may hold line breaks (RFC 4180 2.6): the record goes
 *   on over the next lines, and is numbered by its first; a quote still
 *   open at the end of the list or after 4096 bytes is reported at that
 *   first line, and the lines after it are read again as records;
 * - otherwise plain text: one domain per line; text after '#' is a
 *   comment.
 * Lines are read by their length: a line holding a NUL byte is reported
 * and skipped, and the next line is read as usual. The text must be UTF-8
 * (a UTF-8 byte order mark is skipped): a UTF-16 or UTF-32 list, known by
 * its byte order mark or the NULs around ASCII in its first bytes, is
 * refused whole with the iconv command that converts it.
 * Names are trimmed, lower-cased, stripped of a final dot; internationalised
 * names are converted to A-labels (IDNA 2008, libidn2); an IP address is
 * not a name. An email address or a URL stands for its domain
 * (domainarg.h), with a warning naming the line. A line that holds no
 * valid domain is reported through the problem callback with its line
 * number and skipped; it never stops the reading. Duplicates are the
 * store's business (it sees every entry of a run).
 */
#ifndef POSTURE_DOMAINLIST_H
#define POSTURE_DOMAINLIST_H

#include <stdio.h>

#include "dnsutil.h"

#define LIST_LINE_MAX  4096 /* longer lines are reported and skipped */
#define LIST_FIELD_MAX 256  /* company, code, sector, list: longer is cut */

struct list_entry {
	char domain[DNS_NAME_BUF];
	char company[LIST_FIELD_MAX];
	char code[LIST_FIELD_MAX];
	char sector[LIST_FIELD_MAX];
	char list[LIST_FIELD_MAX];
	/* DKIM selectors the domain signs with (space-separated; from a
	 * received message's s= or the domain's owner), probed besides a
	 * scan's own list: letters, digits, '-', '_' and '.' only. */
	char dkim_selectors[LIST_FIELD_MAX];
	unsigned long line;
};

/* Called for each line that is skipped, with a one-line reason (and for
 * warnings, list_on_warning). */
typedef void (*list_problem_fn)(void *arg, const char *source, unsigned long line,
                                const char *reason);

struct list_reader;

/*
 * Opens path ("-" is standard input). source names the list in messages
 * and is the default "list" value (the file name without directory and
 * extension). Returns NULL with a reason in err, also for a list that is
 * not UTF-8 but UTF-16 or UTF-32 (a mistake of the user's: no run).
 */
struct list_reader *list_open(const char *path, list_problem_fn problem, void *arg, char *err,
                              size_t errlen);
/* Reads from an open stream (tests); the reader does not close it. A
 * UTF-16 or UTF-32 stream makes list_next return -1 with the reason. */
struct list_reader *list_open_stream(FILE *in, const char *source, list_problem_fn problem,
                                     void *arg);
/* Sets the callback for lines that are read but deserve a word: a
 * company, code, sector or list field that is not UTF-8 (stored with
 * U+FFFD for those bytes). Without it warnings are not given. */
void list_on_warning(struct list_reader *r, list_problem_fn warn, void *arg);
/* 1 with *e filled, 0 at the end, -1 on a read error (err set). */
int list_next(struct list_reader *r, struct list_entry *e, char *err, size_t errlen);
/* Lines skipped so far. */
unsigned long list_skipped(const struct list_reader *r);
void list_close(struct list_reader *r);

/*
 * Normalises one domain as the reader does: trims, lower-cases, converts
 * U-labels to A-labels, checks the name (at least two labels, letters,
 * digits, hyphens and underscores only, no label starting or ending with
 * a hyphen, not an IPv4 or IPv6 address, bare or in brackets, and no
 * all-digit last label). Returns 0, or -1 with a reason in why.
 */
int list_domain_normalize(const char *in, char *out, size_t outlen, char *why, size_t whylen);

/* Deterministic shard of a domain: 0..n-1 (FNV-1a of the normalised name). */
unsigned list_shard_of(const char *domain, unsigned n);

#endif
