/*
 * Unit tests for fb_read.c (fb_read, feedback.h): the dispatcher over
 * the samples of tests/fixtures/dmarc-reports/. The .xml.gz, .xml.zip
 * and .eml variants give the report their XML holds (values read from
 * the files by hand: the XML inside a zip or a mail was looked at with
 * unzip and a MIME reader); the TLS report in a mail; every failure
 * report; and hostile files built here with zlib: a gzip bomb, zips
 * nested past FB_DEPTH_MAX, a file inflating past FB_TOTAL_MAX. Tests
 * run from the top of the tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "feedback.h"

#define FIXTURES "tests/fixtures/dmarc-reports/"
#define FAILURE  "failure/"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	if (f == NULL)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	buf = malloc((size_t)1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)1 << 20, f);
	fclose(f);
	return buf;
}

static void print_batch(const struct fb_batch *b)
{
	for (size_t i = 0; i < b->nfailed; i++)
		print_message("  failed: %s: %s\n", b->failed[i].where, b->failed[i].error);
	for (size_t i = 0; i < b->nreports; i++)
		print_message("  report: %s (%s)\n", b->reports[i].where,
		              fb_kind_name(b->reports[i].kind));
}

/* Reads a fixture; it must give exactly one report and no failure. */
static void read_one(const char *file, const char *name, struct fb_batch *b)
{
	char path[512];
	size_t len;

	snprintf(path, sizeof(path), FIXTURES "%s", file);
	uint8_t *buf = slurp(path, &len);
	memset(b, 0, sizeof(*b));
	assert_int_equal(fb_read(buf, len, name, b), 0);
	free(buf);
	if (b->nreports != 1 || b->nfailed != 0) {
		print_batch(b);
		fail_msg("%s: %zu reports, %zu failed", file, b->nreports, b->nfailed);
	}
}

/* Reads bytes; they must give no report and exactly one failure. */
static void read_failed(const uint8_t *data, size_t len, const char *name, struct fb_batch *b)
{
	memset(b, 0, sizeof(*b));
	assert_int_equal(fb_read(data, len, name, b), 0);
	if (b->nreports != 0 || b->nfailed != 1) {
		print_batch(b);
		fail_msg("%s: %zu reports, %zu failed", name, b->nreports, b->nfailed);
	}
}

/* ---- building archives --------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void put16(struct buf *b, unsigned v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	put(b, x, 2);
}

static void put32(struct buf *b, unsigned long v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(b, x, 4);
}

/* A zip archive of stored (method 0) entries (APPNOTE.TXT 4.3). */
static struct buf zip_stored(const char *const *names, const struct buf *data, size_t n)
{
	struct buf z = { NULL, 0, 0 }, cd = { NULL, 0, 0 };
	for (size_t i = 0; i < n; i++) {
		unsigned long crc = crc32(0, data[i].p, (uInt)data[i].len);
		size_t off = z.len, nl = strlen(names[i]);
		put32(&z, 0x04034b50);
		put16(&z, 20);
		put16(&z, 0);
		put16(&z, 0);
		put16(&z, 0);
		put16(&z, 0x21);
		put32(&z, crc);
		put32(&z, data[i].len);
		put32(&z, data[i].len);
		put16(&z, (unsigned)nl);
		put16(&z, 0);
		put(&z, names[i], nl);
		put(&z, data[i].p, data[i].len);
		put32(&cd, 0x02014b50);
		put16(&cd, 20);
		put16(&cd, 20);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0x21);
		put32(&cd, crc);
		put32(&cd, data[i].len);
		put32(&cd, data[i].len);
		put16(&cd, (unsigned)nl);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0);
		put32(&cd, 0);
		put32(&cd, off);
		put(&cd, names[i], nl);
	}
	size_t cd_off = z.len;
	put(&z, cd.p, cd.len);
	put32(&z, 0x06054b50);
	put16(&z, 0);
	put16(&z, 0);
	put16(&z, (unsigned)n);
	put16(&z, (unsigned)n);
	put32(&z, cd.len);
	put32(&z, cd_off);
	put16(&z, 0);
	free(cd.p);
	return z;
}

/* A gzip stream of zeros bytes of 0x00 (deflate, windowBits 31). */
static struct buf gzip_zeros(size_t zeros)
{
	static uint8_t in[1 << 16], out[1 << 16];
	struct buf g = { NULL, 0, 0 };
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	int rc;
	do {
		size_t chunk = zeros < sizeof(in) ? zeros : sizeof(in);
		zeros -= chunk;
		z.next_in = in;
		z.avail_in = (uInt)chunk;
		do {
			z.next_out = out;
			z.avail_out = sizeof(out);
			rc = deflate(&z, zeros == 0 ? Z_FINISH : Z_NO_FLUSH);
			put(&g, out, sizeof(out) - z.avail_out);
		} while (z.avail_out == 0);
	} while (zeros > 0 || rc != Z_STREAM_END);
	deflateEnd(&z);
	return g;
}

/* ---- the fixtures ------------------------------------------------------------ */

/* nice-input.xml (google.com, 20 records, 3047 messages: counted by
 * hand) as XML, gzip and zip. */
static void test_same_report(void **state)
{
	static const struct {
		const char *file, *where;
	} variants[] = {
		{ "extract_report/nice-input.xml", "nice-input.xml" },
		{ "extract_report/nice-input.xml.gz", "nice-input.xml.gz" },
		{ "extract_report/nice-input.xml.zip", "nice-input.xml.zip: nice-input.xml" },
	};
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct fb_batch b;
		const char *name = strrchr(variants[i].file, '/') + 1;
		read_one(variants[i].file, name, &b);
		const struct fb_report *r = &b.reports[0];
		assert_string_equal(r->where, variants[i].where);
		assert_int_equal(r->kind, FB_AGGREGATE);
		assert_string_equal(r->org, "google.com");
		assert_string_equal(r->report_id, "11038226378739404135");
		assert_string_equal(r->domain, "example.com");
		assert_int_equal(r->begin, 1718236800);
		assert_int_equal(r->end, 1718323199);
		assert_int_equal(r->rows, 20);
		assert_int_equal(r->messages, 3047);
		assert_string_equal(r->agg->rows[8].source_ip, "2607:f8b0:4864:20::132");
		fb_batch_cleanup(&b);
	}
}

static void test_gzip_fixture(void **state)
{
	struct fb_batch b;
	(void)state;
	read_one("aggregate/fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz",
	         "fastmail.xml.gz", &b);
	const struct fb_report *r = &b.reports[0];
	assert_string_equal(r->where, "fastmail.xml.gz");
	assert_string_equal(r->org, "FastMail Pty Ltd");
	assert_string_equal(r->report_id, "102675056");
	assert_string_equal(r->domain, "indemed.com");
	assert_int_equal(r->begin, 1516060800);
	assert_int_equal(r->end, 1516147199);
	assert_int_equal(r->rows, 1);
	assert_int_equal(r->messages, 1);
	assert_string_equal(r->agg->rows[0].source_ip, "104.195.80.20");
	assert_string_equal(r->agg->rows[0].envelope_to, "fastmail.fm");
	assert_string_equal(r->agg->rows[0].spf_auth[0].scope, "mfrom");
	assert_string_equal(r->agg->rows[0].spf_auth[0].result, "softfail");
	assert_int_equal(r->findings.n, 0);
	assert_true(b.total_out > 0);
	fb_batch_cleanup(&b);
}

static void test_zip_fixture(void **state)
{
	struct fb_batch b;
	(void)state;
	read_one("aggregate/estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940"
	         ".xml.zip",
	         "r.zip", &b);
	const struct fb_report *r = &b.reports[0];
	assert_string_equal(r->where,
	                    "r.zip: estadocuenta1.infonacot.gob.mx!example.com!1536853302!"
	                    "1536939702!2940.xml");
	assert_string_equal(r->org, "XYZ Corporation");
	assert_string_equal(r->report_id, "2940");
	assert_string_equal(r->domain, "example.com");
	assert_int_equal(r->begin, 1536853302);
	assert_int_equal(r->end, 1536939702);
	assert_int_equal(r->rows, 1);
	assert_int_equal(r->messages, 1);
	assert_string_equal(r->agg->rows[0].source_ip, "148.243.137.254");
	assert_string_equal(r->agg->rows[0].envelope_to, "estadocuenta1.infonacot.gob.mx");
	assert_int_equal(b.total_out, 887); /* unzip -l */
	fb_batch_cleanup(&b);
}

static void test_eml_aggregate(void **state)
{
	struct fb_batch b;
	(void)state;
	read_one("aggregate/Report domain- borschow.com Submitter- google.com Report-ID- "
	         "949348866075514174.eml",
	         "g.eml", &b);
	const struct fb_report *r = &b.reports[0];
	assert_string_equal(r->where,
	                    "g.eml: part 2 (google.com!borschow.com!1549929600!1550015999.zip): "
	                    "google.com!borschow.com!1549929600!1550015999.xml");
	assert_int_equal(r->kind, FB_AGGREGATE);
	assert_string_equal(r->org, "google.com");
	assert_string_equal(r->report_id, "949348866075514174");
	assert_string_equal(r->domain, "borschow.com");
	assert_int_equal(r->begin, 1549929600);
	assert_int_equal(r->end, 1550015999);
	assert_int_equal(r->rows, 1);
	assert_int_equal(r->messages, 1);
	assert_string_equal(r->agg->rows[0].source_ip, "92.53.116.102");
	assert_string_equal(r->agg->rows[0].disposition, "reject");
	assert_string_equal(r->agg->p, "reject");
	fb_batch_cleanup(&b);
}

static void test_tls(void **state)
{
	struct fb_batch b;
	(void)state;
	read_one("smtp_tls/google.com_smtp_tls_report.eml", "t.eml", &b);
	const struct fb_report *r = &b.reports[0];
	assert_int_equal(r->kind, FB_TLS);
	assert_string_equal(r->where,
	                    "t.eml: part 2 (google.com!cardinalhealth.ca!1725321600!1725407999!001"
	                    ".json.gz)");
	assert_string_equal(r->org, "Google Inc.");
	assert_string_equal(r->report_id, "2024-09-03T00:00:00Z_cardinalhealth.ca");
	assert_string_equal(r->domain, "cardinalhealth.ca");
	assert_int_equal(r->begin, 1725321600);
	assert_int_equal(r->end, 1725407999);
	assert_int_equal(r->rows, 1);
	assert_int_equal(r->messages, 48);
	assert_string_equal(r->tls->pol[0].type, "no-policy-found");
	assert_int_equal(r->tls->pol[0].nfail, 0);
	fb_batch_cleanup(&b);

	read_one("smtp_tls/rfc8460.json", "rfc8460.json", &b);
	assert_int_equal(b.reports[0].kind, FB_TLS);
	assert_string_equal(b.reports[0].org, "Company-X");
	assert_int_equal(b.reports[0].messages, 5629);
	assert_int_equal(b.reports[0].tls->pol[0].nfail, 3);
	fb_batch_cleanup(&b);
}

static void test_failure_reports(void **state)
{
	static const char *const files[] = {
		FAILURE "DMARC Failure Report for domain.de (mail-from=sharepoint@domain.de, "
		        "ip=10.10.10.10).eml",
		FAILURE "[Netease DMARC Failure Report] Rent Reminder.eml",
		FAILURE "dmarc_ruf_report_linkedin.crlf.eml",
		FAILURE "dmarc_ruf_report_linkedin.eml",
		FAILURE "exim_plain_text_only_no_arf_part.eml",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct fb_batch b;
		read_one(files[i], "f.eml", &b);
		assert_int_equal(b.reports[0].kind, FB_FAILURE);
		assert_non_null(b.reports[0].fail);
		assert_string_equal(b.reports[0].where, "f.eml");
		fb_batch_cleanup(&b);
	}
}

/* A failure report's fields are copied from header fields as sent: a
 * byte that is not UTF-8 reaches no report fb_read gives. */
static void test_failure_utf8(void **state)
{
	struct fb_batch b;
	size_t len;
	(void)state;

	uint8_t *eml = slurp(FIXTURES FAILURE "dmarc_ruf_report_linkedin.eml", &len);
	uint8_t *at = memmem(eml, len, "Reported-Domain: example.com", 28);
	assert_non_null(at);
	at[19] = 0x91; /* ex\x91mple.com */
	memset(&b, 0, sizeof(b));
	assert_int_equal(fb_read(eml, len, "f.eml", &b), 0);
	assert_int_equal(b.nreports, 1);
	assert_int_equal(b.reports[0].kind, FB_FAILURE);
	assert_null(strchr(b.reports[0].fail->reported_domain, 0x91));
	assert_non_null(strstr(b.reports[0].fail->reported_domain, "\xef\xbf\xbd"));
	assert_null(strchr(b.reports[0].domain, 0x91));
	fb_batch_cleanup(&b);
	free(eml);
}

/* Two reports in an mbox, each with its message's number. */
static void test_mbox(void **state)
{
	struct buf box = { NULL, 0, 0 };
	struct fb_batch b;
	size_t len;
	(void)state;

	uint8_t *one = slurp(FIXTURES "aggregate/Report domain- borschow.com Submitter- google.com "
	                              "Report-ID- 949348866075514174.eml",
	                     &len);
	put(&box, "From MAILER-DAEMON Thu Jan  1 00:00:00 2024\n", 44);
	put(&box, one, len);
	free(one);
	one = slurp(FIXTURES "smtp_tls/google.com_smtp_tls_report.eml", &len);
	put(&box, "\nFrom MAILER-DAEMON Thu Jan  1 00:00:00 2024\n", 45);
	put(&box, one, len);
	free(one);
	memset(&b, 0, sizeof(b));
	assert_int_equal(fb_read(box.p, box.len, "box", &b), 0);
	if (b.nreports != 2 || b.nfailed != 0) {
		print_batch(&b);
		fail_msg("%zu reports, %zu failed", b.nreports, b.nfailed);
	}
	assert_int_equal(b.reports[0].kind, FB_AGGREGATE);
	assert_int_equal(strncmp(b.reports[0].where, "box: message 1: part 2 (", 24), 0);
	assert_int_equal(b.reports[1].kind, FB_TLS);
	assert_int_equal(strncmp(b.reports[1].where, "box: message 2: part 2 (", 24), 0);
	fb_batch_cleanup(&b);
	free(box.p);
}

/* ---- what is no report ------------------------------------------------------ */

static void test_empty(void **state)
{
	struct fb_batch b;
	size_t len;
	(void)state;
	uint8_t *buf = slurp(FIXTURES "empty.xml", &len);
	read_failed(buf, len, "empty.xml", &b);
	assert_string_equal(b.failed[0].where, "empty.xml");
	assert_string_equal(b.failed[0].error, "empty file");
	fb_batch_cleanup(&b);
	read_failed((const uint8_t *)" \r\n\t", 4, "blank", &b);
	assert_string_equal(b.failed[0].error, "empty file");
	fb_batch_cleanup(&b);
	free(buf);
}

static void test_not_reports(void **state)
{
	static const char plain[] = "From: a@example.com\nSubject: hi\n\nhello\n";
	static const char labelled[] = "From: a@example.com\nContent-Type: multipart/mixed; "
	                               "boundary=b\n\n--b\nContent-Type: text/plain\n\nsee "
	                               "attached\n--b\nContent-Type: application/zip; "
	                               "name=r.zip\n\nnot a zip\n--b--\n";
	static const char html[] = "<html><body>no</body></html>";
	struct fb_batch b;
	(void)state;

	read_failed((const uint8_t *)"hello world", 11, "x.bin", &b);
	assert_string_equal(b.failed[0].error,
	                    "not a report: neither XML, JSON, gzip, zip nor a mail message");
	fb_batch_cleanup(&b);

	read_failed((const uint8_t *)plain, strlen(plain), "m.eml", &b);
	assert_string_equal(b.failed[0].where, "m.eml");
	assert_string_equal(b.failed[0].error,
	                    "no report found in the message (1 part: text/plain)");
	fb_batch_cleanup(&b);

	/* Labelled a zip: read, and what it is not is said. */
	read_failed((const uint8_t *)labelled, strlen(labelled), "l.eml", &b);
	assert_string_equal(b.failed[0].where, "l.eml: part 2 (r.zip)");
	assert_string_equal(b.failed[0].error,
	                    "not a report: neither XML, JSON, gzip, zip nor a mail message");
	fb_batch_cleanup(&b);

	read_failed((const uint8_t *)html, strlen(html), "h.html", &b);
	assert_string_equal(b.failed[0].error,
	                    "not a DMARC aggregate report: the root element is <html>");
	fb_batch_cleanup(&b);
}

/* 200 MiB of zeros in about 200 KB: refused at FB_MEMBER_MAX. */
static void test_gzip_bomb(void **state)
{
	struct fb_batch b;
	char want[64];
	(void)state;

	struct buf g = gzip_zeros((size_t)200 << 20);
	assert_true(g.len < (size_t)1 << 20);
	read_failed(g.p, g.len, "bomb.xml.gz", &b);
	snprintf(want, sizeof(want), "inflates past %u bytes", (unsigned)FB_MEMBER_MAX);
	assert_string_equal(b.failed[0].where, "bomb.xml.gz");
	assert_string_equal(b.failed[0].error, want);
	assert_true(b.total_out <= FB_TOTAL_MAX);
	fb_batch_cleanup(&b);
	free(g.p);
}

/* depth zips, one inside the other, the innermost holding a report. */
static struct buf nested_zips(int depth)
{
	static const char xml[] =
	        "<feedback><report_metadata><org_name>N</org_name><report_id>n1</report_id>"
	        "</report_metadata><policy_published><domain>n.example</domain><p>none</p>"
	        "</policy_published><record><row><source_ip>192.0.2.1</source_ip><count>5</count>"
	        "<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass"
	        "</spf></policy_evaluated></row><identifiers><header_from>n.example</header_from>"
	        "<envelope_from>n.example</envelope_from></identifiers></record></feedback>";
	struct buf cur = { NULL, 0, 0 };
	const char *name = "r.xml";
	put(&cur, xml, strlen(xml));
	for (int i = 0; i < depth; i++) {
		struct buf z = zip_stored(&name, &cur, 1);
		free(cur.p);
		cur = z;
		name = "in.zip";
	}
	return cur;
}

static void test_nesting(void **state)
{
	struct fb_batch b;
	char want[64];
	(void)state;

	struct buf z = nested_zips(FB_DEPTH_MAX);
	memset(&b, 0, sizeof(b));
	assert_int_equal(fb_read(z.p, z.len, "n.zip", &b), 0);
	assert_int_equal(b.nreports, 1);
	assert_int_equal(b.nfailed, 0);
	assert_string_equal(b.reports[0].where, "n.zip: in.zip: in.zip: in.zip: r.xml");
	assert_int_equal(b.reports[0].messages, 5);
	fb_batch_cleanup(&b);
	free(z.p);

	z = nested_zips(FB_DEPTH_MAX + 1);
	read_failed(z.p, z.len, "n.zip", &b);
	snprintf(want, sizeof(want), "containers nested more than %d deep", FB_DEPTH_MAX);
	assert_string_equal(b.failed[0].error, want);
	assert_string_equal(b.failed[0].where, "n.zip: in.zip: in.zip: in.zip: in.zip");
	fb_batch_cleanup(&b);
	free(z.p);
}

/* Five gzip streams of 30 MiB of zeros in one zip: four inflate (and are
 * no reports), the fifth passes what is left of FB_TOTAL_MAX. */
static void test_total_cap(void **state)
{
	static const char *const names[] = { "1.gz", "2.gz", "3.gz", "4.gz", "5.gz" };
	struct buf g[5];
	struct fb_batch b;
	(void)state;

	g[0] = gzip_zeros((size_t)30 << 20);
	for (int i = 1; i < 5; i++)
		g[i] = g[0];
	struct buf z = zip_stored(names, g, 5);
	memset(&b, 0, sizeof(b));
	assert_int_equal(fb_read(z.p, z.len, "t.zip", &b), 0);
	assert_int_equal(b.nreports, 0);
	assert_int_equal(b.nfailed, 5);
	for (int i = 0; i < 4; i++)
		assert_string_equal(
		        b.failed[i].error,
		        "not a report: neither XML, JSON, gzip, zip nor a mail message");
	assert_string_equal(b.failed[4].where, "t.zip: 5.gz");
	assert_non_null(strstr(b.failed[4].error, "(what is left of the file's total)"));
	assert_true(b.total_out <= FB_TOTAL_MAX);
	assert_true(b.total_out >= (size_t)120 << 20);
	fb_batch_cleanup(&b);
	free(z.p);

	/* The cap is each file's: a second file of 120 MiB read into the
	 * same batch inflates whole. */
	z = zip_stored(names, g, 4);
	memset(&b, 0, sizeof(b));
	assert_int_equal(fb_read(z.p, z.len, "a.zip", &b), 0);
	assert_int_equal(fb_read(z.p, z.len, "b.zip", &b), 0);
	assert_int_equal(b.nfailed, 8);
	for (int i = 0; i < 8; i++)
		assert_string_equal(
		        b.failed[i].error,
		        "not a report: neither XML, JSON, gzip, zip nor a mail message");
	assert_true(b.total_out >= (size_t)240 << 20);
	fb_batch_cleanup(&b);
	free(z.p);
	free(g[0].p);
}

static void test_names(void **state)
{
	static const uint8_t xml[] = "<feedback><report_metadata><report_id>1</report_id>"
	                             "</report_metadata></feedback>";
	struct fb_batch b;
	(void)state;
	/* A file name that is not UTF-8 is stored as UTF-8. */
	memset(&b, 0, sizeof(b));
	assert_int_equal(fb_read(xml, sizeof(xml) - 1, "bad\x91name.xml", &b), 0);
	assert_int_equal(b.nreports, 1);
	assert_string_equal(b.reports[0].where, "bad\xef\xbf\xbdname.xml");
	fb_batch_cleanup(&b);
	assert_string_equal(fb_kind_name(FB_AGGREGATE), "aggregate");
	assert_string_equal(fb_kind_name(FB_FAILURE), "failure");
	assert_string_equal(fb_kind_name(FB_TLS), "tls");
}

static void test_iso8601(void **state)
{
	char buf[32];
	(void)state;
	assert_string_equal(fb_iso8601(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z");
	assert_string_equal(fb_iso8601(1706159544, buf, sizeof(buf)), "2024-01-25T05:12:24Z");
	assert_string_equal(fb_iso8601(302832000, buf, sizeof(buf)), "1979-08-07T00:00:00Z");
	/* Past year 9999: the number, never a cut date. */
	assert_string_equal(fb_iso8601(INT64_MAX, buf, sizeof(buf)), "@9223372036854775807");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_report),  cmocka_unit_test(test_gzip_fixture),
		cmocka_unit_test(test_zip_fixture),  cmocka_unit_test(test_eml_aggregate),
		cmocka_unit_test(test_tls),          cmocka_unit_test(test_failure_reports),
		cmocka_unit_test(test_failure_utf8), cmocka_unit_test(test_mbox),
		cmocka_unit_test(test_empty),        cmocka_unit_test(test_not_reports),
		cmocka_unit_test(test_gzip_bomb),    cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_total_cap),    cmocka_unit_test(test_names),
		cmocka_unit_test(test_iso8601),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
