/*
 * feedback.h — what receivers report back: DMARC aggregate reports (RFC
 * 7489 appendix C; RFC 9990, namespace urn:ietf:params:xml:ns:dmarc-2.0),
 * DMARC failure reports (RFC 6591 ARF; RFC 9991), SMTP TLS reports (RFC
 * 8460), read from the files receivers send them in: XML, gzip, zip,
 * JSON, and mail messages (one message or an mbox) whose MIME parts carry
 * any of these.
 *
 * Pure: bytes in, reports out; nothing here opens a file or a socket
 * (cli/cmd_reports.c reads the files, db/ stores the reports). Every
 * input is hostile: each decompression, part and field is bounded, and a
 * deviation from the schema that can be read past becomes a finding on
 * the report ("report.*" codes of scanner/util/findings.def), never a
 * lost report. What cannot be read at all is a failure with its reason.
 */
#ifndef POSTURE_FEEDBACK_H
#define POSTURE_FEEDBACK_H

#include <stddef.h>
#include <stdint.h>

#include "finding.h"

/* Caps (doc/commands.md, "reports import"). A file larger than
 * FB_FILE_MAX is refused before it is read; a member (a gzip stream, a
 * zip entry, a MIME part) that inflates past FB_MEMBER_MAX is refused
 * once FB_MEMBER_MAX + 1 bytes are out, never read further; all that one
 * file inflates to is capped by FB_TOTAL_MAX; containers nest at most
 * FB_DEPTH_MAX deep (a zip in a mail is depth 2); a zip is read for at
 * most FB_ZIP_ENTRIES entries, a message for FB_MIME_PARTS parts, an mbox
 * for FB_MBOX_MESSAGES messages, a report for FB_ROWS_MAX rows. */
#define FB_FILE_MAX      (64u << 20)
#define FB_MEMBER_MAX    (32u << 20)
#define FB_TOTAL_MAX     (128u << 20)
#define FB_DEPTH_MAX     4
#define FB_ZIP_ENTRIES   64
#define FB_MIME_PARTS    256
#define FB_MBOX_MESSAGES 100000
#define FB_ROWS_MAX      100000
#define FB_HEADERS_MAX   (64u << 10) /* original headers kept from a failure report */

/* Field sizes: a longer value is cut (and a finding says so). */
#define FB_NAME  256 /* domain names, org names, report ids, addresses */
#define FB_IP    46  /* INET6_ADDRSTRLEN */
#define FB_WORD  32  /* results, dispositions, policy values */
#define FB_TEXT  512 /* contact info, comments, failure reason codes */
#define FB_WHERE 512 /* where in a file: "a.eml: part 2: b.zip: b.xml" */
#define FB_ERROR 256

enum fb_kind {
	FB_AGGREGATE,
	FB_FAILURE,
	FB_TLS,
};

/* One auth_results entry: a DKIM or an SPF result as the receiver saw it
 * (not aligned: alignment is what policy_evaluated says). Results are
 * lower-cased ("Pass" -> "pass", with a finding). */
struct fb_auth {
	char domain[FB_NAME];
	char selector[FB_NAME]; /* DKIM only; "" when absent */
	char result[FB_WORD];   /* pass fail none neutral softfail temperror permerror policy */
	char scope[FB_WORD];    /* SPF: mfrom or helo; "" when absent */
};

/* One record of an aggregate report. */
struct fb_row {
	char source_ip[FB_IP]; /* canonical text (inet_ntop of inet_pton) */
	uint64_t count;
	char disposition[FB_WORD]; /* none quarantine reject (RFC 9990 adds pass? no: as sent,
	                              lower-cased) */
	char dkim[FB_WORD];        /* policy_evaluated: pass or fail ("" when absent) */
	char spf[FB_WORD];
	char reasons[FB_WORD * 4]; /* policy_evaluated reason types, space-separated */
	char header_from[FB_NAME];
	char envelope_from[FB_NAME]; /* "" when absent (5 % of reports) */
	char envelope_to[FB_NAME];
	struct fb_auth *dkim_auth;
	size_t ndkim_auth;
	struct fb_auth *spf_auth;
	size_t nspf_auth;
};

struct fb_aggregate {
	char schema[FB_WORD]; /* "rfc7489" (no namespace) or "rfc9990" (dmarc-2.0 namespace) */
	char org[FB_NAME];
	char email[FB_NAME];
	char extra_contact[FB_TEXT];
	char report_id[FB_NAME];
	int64_t begin, end; /* Unix seconds, UTC */
	/* policy_published: as sent, lower-cased; "" when absent or empty */
	char domain[FB_NAME];
	char p[FB_WORD], sp[FB_WORD], np[FB_WORD];
	char adkim[FB_WORD], aspf[FB_WORD], fo[FB_WORD], testing[FB_WORD];
	int pct; /* -1 when absent */
	struct fb_row *rows;
	size_t nrows;
	uint64_t messages; /* sum of the rows' counts */
};

/* A failure report (RFC 6591): the machine-readable part and the
 * original message's headers, kept (up to FB_HEADERS_MAX). Reports
 * without an ARF part whose text still names the domain and source (some
 * Exim versions) are read from the text, with a finding. */
struct fb_failure {
	char feedback_type[FB_WORD]; /* auth-failure, abuse, ... */
	char auth_failure[FB_WORD];  /* dmarc dkim spf adsp bodyhash revoked signature */
	char source_ip[FB_IP];
	char reported_domain[FB_NAME];
	char original_mail_from[FB_NAME];
	char original_rcpt_to[FB_NAME];
	char reporting_mta[FB_NAME];
	char delivery_result[FB_WORD];
	char dkim_domain[FB_NAME];
	char dkim_selector[FB_NAME];
	char header_from[FB_NAME]; /* the original message's From domain */
	char subject[FB_TEXT];     /* the original message's Subject, as sent */
	int64_t arrival;           /* Arrival-Date, Unix seconds; 0 unknown */
	char *original_headers;    /* owned; NUL-terminated */
	size_t original_headers_len;
};

struct fb_tls_failure {
	char result_type[FB_WORD * 2]; /* starttls-not-supported, certificate-expired, ... */
	char sending_ip[FB_IP];
	char receiving_ip[FB_IP];
	char receiving_mx[FB_NAME];
	uint64_t sessions;
	char reason[FB_TEXT]; /* failure-reason-code */
};

struct fb_tls_policy {
	char type[FB_WORD]; /* sts, tlsa, no-policy-found */
	char domain[FB_NAME];
	char mx_host[FB_NAME];
	uint64_t ok, failed; /* total-successful/failure-session-count */
	struct fb_tls_failure *fail;
	size_t nfail;
};

struct fb_tls {
	char org[FB_NAME];
	char contact[FB_NAME];
	char report_id[FB_NAME];
	int64_t begin, end;
	struct fb_tls_policy *pol;
	size_t npol;
};

/* One report read from a file. Its identity is (kind, org, report_id):
 * the same report imported twice is stored once. A failure report has no
 * id of its own: its report message's Message-ID, else the SHA-256 of its
 * ARF part and headers, hex. org is the reporter: the aggregate's
 * org_name (else its email), the TLS report's organization-name, the
 * failure report's Reporting-MTA (else its message's From domain). */
struct fb_report {
	enum fb_kind kind;
	char where[FB_WHERE]; /* the file and the path inside it */
	char org[FB_NAME];
	char report_id[FB_NAME];
	char domain[FB_NAME];     /* the domain reported on */
	int64_t begin, end;       /* a failure report: its arrival date for both */
	uint64_t rows;            /* aggregate: records; TLS: policies; failure: 1 */
	uint64_t messages;        /* aggregate: sum of counts; TLS: sessions; failure: 1 */
	struct fb_aggregate *agg; /* exactly one of these three, by kind */
	struct fb_failure *fail;
	struct fb_tls *tls;
	struct findings findings; /* deviations read past */
};

/* What could not be read: where, and why. */
struct fb_failed {
	char where[FB_WHERE];
	char error[FB_ERROR];
};

/* Everything one file yielded: its reports and what in it failed. A file
 * with nothing readable has no reports and at least one failure. */
struct fb_batch {
	struct fb_report *reports;
	size_t nreports;
	struct fb_failed *failed;
	size_t nfailed;
	size_t total_out; /* bytes inflated so far (FB_TOTAL_MAX) */
};

/*
 * Reads one file's bytes: sniffs what it is (gzip, zip, XML, JSON, a
 * mail message or an mbox), unpacks and walks it, and appends every
 * report found to out and every part that failed to out->failed. name is
 * the file's name as the user gave it (the start of each "where").
 * Returns 0, or -1 on allocation failure.
 */
int fb_read(const uint8_t *data, size_t len, const char *name, struct fb_batch *out);
void fb_batch_cleanup(struct fb_batch *b);
void fb_report_cleanup(struct fb_report *r);

/* The readers fb_read dispatches to, each on one document's bytes. Each
 * returns 0 and fills *r (kind, fields, findings; where is the caller's),
 * or -1 with the reason in err (nothing usable: not this kind of
 * document, or broken past reading). */
int fb_aggregate_read(const uint8_t *xml, size_t len, struct fb_report *r, char *err,
                      size_t errlen);
int fb_tls_read(const uint8_t *json, size_t len, struct fb_report *r, char *err, size_t errlen);
/* A failure report from the parts of a message (fb_mime.h walks them). */
struct fb_message;
int fb_failure_read(const struct fb_message *m, struct fb_report *r, char *err, size_t errlen);

/* ISO 8601 UTC ("2024-01-25T05:12:24Z") of Unix seconds, in buf (>= 21). */
const char *fb_iso8601(int64_t t, char *buf, size_t len);
const char *fb_kind_name(enum fb_kind k);

#endif
