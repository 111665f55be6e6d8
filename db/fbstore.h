/*
 * fbstore.h — receivers' reports in the store (schema 7): aggregate
 * reports and their rows with each row's DKIM and SPF results, failure
 * reports with the original headers, TLS reports with their policies and
 * failure details, each with its findings. Only db/ includes sqlite3.
 *
 * A report is stored once: its identity is (kind, org, report_id), and
 * importing it again stores nothing (store_fb_put returns 0).
 */
#ifndef POSTURE_FBSTORE_H
#define POSTURE_FBSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "fb_summary.h"
#include "feedback.h"

struct store;

/* Stores one report with its rows and findings in one transaction (or in
 * the caller's, when one is open: store_begin). Returns 1 stored, 0
 * already stored (same kind, org and report id), -1 with err. */
int store_fb_put(struct store *s, const struct fb_report *r, char *err, size_t errlen);

/* Counts the stored reports q selects into *out (fb_summary.h: sorted as
 * it says; every array owned by *out, fb_summary_cleanup frees them).
 * The sources, reporters, selectors and TLS rows are capped at limit
 * each (0: no cap); the totals count everything. Returns 0, or -1 with
 * err. A store without report tables (schema below 7, read-only) gives
 * an empty summary. */
int store_fb_summary(struct store *s, const struct fb_query *q, size_t limit,
                     struct fb_summary *out, char *err, size_t errlen);

/* How many reports of each kind the store holds (for `db stats`). */
int store_fb_counts(struct store *s, uint64_t *aggregate, uint64_t *failure, uint64_t *tls);

/* The domains the stored reports are about, most messages first (at most
 * max), for `reports summary` without --domain. Returns the count or -1. */
long store_fb_domains(struct store *s, char (*out)[FB_NAME], size_t max);

/* posture db check: each report against what is stored under it (an
 * aggregate report's records and messages against its rows, a TLS
 * report's policies, a failure report's fields, rows and results that
 * belong to nothing, findings that are not JSON). *reports gets how many
 * reports are stored; each problem adds to *bad, the first is described
 * in first (when first is still empty). 0, or -1 (store_error) when the
 * check itself failed. */
int store_fb_check(struct store *s, int64_t *reports, int64_t *bad, char *first, size_t len);

#endif
