/*
 * xmlsafe.h — libxml2 as posture reads untrusted XML with it (BIMI logos
 * in scanner/bimi/svg.c, receivers' reports in feedback/fb_aggregate.c).
 * Once per process: an external entity loader that refuses every
 * external DTD and entity, so nothing a document says makes libxml2 open
 * a file or a URL. Per call: libxml2's thread-local fallback error
 * handlers silenced (a hostile document's errors never reach stderr) and
 * the caller's put back. No libxml2 type here: its headers stay in the
 * files scripts/lint-arch.py names.
 */
#ifndef POSTURE_XMLSAFE_H
#define POSTURE_XMLSAFE_H

/* The handlers a quiet call saved (libxml2's, as generic pointers). */
struct xmlsafe_quiet {
	void (*generic)(void);
	void *generic_ctx;
	void (*structured)(void);
	void *structured_ctx;
};

/* xmlInitParser and the refusing loader, once (thread-safe). */
void xmlsafe_init(void);
void xmlsafe_quiet_begin(struct xmlsafe_quiet *q);
void xmlsafe_quiet_end(const struct xmlsafe_quiet *q);

#endif
