/*
 * fb_mime.h — mail messages as receivers send reports in them: RFC 5322
 * header fields (folded lines unfolded, CRLF or LF), MIME multiparts
 * (RFC 2046, nested, at most FB_MIME_PARTS parts and FB_DEPTH_MAX deep),
 * base64 and quoted-printable bodies decoded, and mbox files split into
 * their messages. Pure and bounded: every length is checked against the
 * input, nothing is read past it.
 */
#ifndef POSTURE_FB_MIME_H
#define POSTURE_FB_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "feedback.h"

struct fb_header {
	char *name;  /* owned, as sent (compare case-insensitively) */
	char *value; /* owned, unfolded (CRLF/LF + WSP -> the WSP), trimmed */
};

/* A leaf part: not multipart. message/rfc822 and text/rfc822-headers
 * parts are leaves too (their bytes are the original message or its
 * headers; fb_read parses them again when it needs to). */
struct fb_part {
	char content_type[FB_WORD * 4]; /* type/subtype, lower-cased; "text/plain" when absent */
	char filename[FB_NAME]; /* Content-Disposition filename=, else Content-Type name=; "" */
	char encoding[FB_WORD]; /* Content-Transfer-Encoding as sent, lower-cased */
	uint8_t *body;          /* owned, transfer encoding undone */
	size_t len;
	int bad_encoding; /* the body was not clean base64/QP: decoded as far as it went */
};

struct fb_message {
	struct fb_header *headers; /* the top-level header fields, in order */
	size_t nheaders;
	struct fb_part *parts; /* the leaves, in document order */
	size_t nparts;
	int truncated; /* FB_MIME_PARTS or FB_DEPTH_MAX reached: later parts skipped */
};

/* True when data starts like a mail message: a header field name and a
 * colon on its first line (or an mbox "From " line). */
int fb_looks_like_message(const uint8_t *data, size_t len);
/* Parses one message. Returns 0, or -1 with err (no header section). */
int fb_message_parse(const uint8_t *data, size_t len, struct fb_message *m, char *err,
                     size_t errlen);
/* The first header field of that name (case-insensitive), or NULL. */
const char *fb_message_header(const struct fb_message *m, const char *name);
void fb_message_cleanup(struct fb_message *m);
/* Parses header fields alone (a text/rfc822-headers part, the fields of
 * a message/feedback-report part): same rules as a message's header. */
int fb_headers_parse(const uint8_t *data, size_t len, struct fb_header **out, size_t *n);
void fb_headers_free(struct fb_header *h, size_t n);
const char *fb_header_get(const struct fb_header *h, size_t n, const char *name);

/* mbox: the start offsets of its messages (after each "From " line).
 * Returns the count (0 when data is not an mbox: no "From " first line),
 * -1 on allocation failure. *starts is owned by the caller; message i
 * runs from starts[i] to the next "From " line (or the end). */
long fb_mbox_split(const uint8_t *data, size_t len, size_t **starts, size_t **ends);

#endif
