/*
 * Unit tests for dmarc.c and dmarc_check.c against the contract in
 * dmarc.h.
 *
 * Part A is a table: every record of section A of
 * tests/conformance/dmarc/CASES.md (OpenDMARC "ODM n", checkdmarc
 * "CDM", Stalwart "STW n", mailauth "MA"), and the parse-level records of
 * section B, with posture's two readings (invalid = RFC 9989, invalid_7489
 * = RFC 7489), the fields parsed and the finding codes that must be there.
 * Where the peers disagree ("!" in CASES.md) the row's why says which
 * reading posture takes and why.
 *
 * Part B runs dmarc_check over a memo filled from hand-made zones, as the
 * driver does: on pending, answer need_name/need_type from the zone
 * (NXDOMAIN for names that do not exist, NODATA for names that do but
 * lack the type), clean up, call again.
 *
 * Absent tags stay DMARC_POLICY_UNSET in a parsed record: the np -> sp ->
 * p defaults are a discovery matter and are checked in part B.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc.h"
#include "memo.h"
#include "psl.h"

/* ---- part A: records ------------------------------------------------- */

static void test_is_record(void **state)
{
	static const struct {
		const char *text;
		size_t len; /* 0: strlen(text) */
		bool want;
		const char *why;
	} rows[] = {
		{ "v=DMARC1", 0, true, "v alone" },
		{ "v=DMARC1;", 0, true, "" },
		{ "v=DMARC1; p=none", 0, true, "" },
		{ "V=DMARC1;p=reject;", 0, true, "CDM: tag name case-insensitive" },
		{ "v = DMARC1;p=reject;", 0, true, "CDM, MA: spaces around =" },
		{ "v = DMARC1\t;\tp=reject\t;", 0, true, "CDM: tabs around ;" },
		{ "v\t=\tDMARC1 ; p=none", 0, true, "tabs around =, space before ;" },
		{ "v=dmarc1; p=reject", 0, false, "MA: the value is exactly DMARC1" },
		{ "v=DMARC1x; p=reject", 0, false, "MA: DMARC1x is not DMARC1" },
		{ "v=DMARC10", 0, false, "" },
		{ "v=DMARC2; p=none", 0, false, "another version" },
		{ "v=DMARC", 0, false, "" },
		{ " v=DMARC1; p=reject", 0, false, "CDM: leading white space" },
		{ "", 0, false, "ODM 6: empty" },
		{ "V=BOB", 0, false, "ODM 7" },
		{ "v=spf1 include:example.com -all", 0, false, "CDM: SPF at _dmarc" },
		{ "p=reject; v=DMARC1", 0, false, "v must come first" },
		{ "vv=DMARC1", 0, false, "" },
		{ "v=DMARC1,p=none", 0, false, "only ;, space or the end after DMARC1" },
		{ "v=DMARC1; p=none", 8, true, "len bounds the text" },
		{ "v=DMARC1; p=none", 7, false, "cut inside DMARC1" },
		{ "v=DMARC1\0; p=none", 17, false, "a NUL byte is not a separator" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].text);
		if (dmarc_is_record(rows[i].text, len) != rows[i].want)
			fail_msg("row %zu \"%s\" (%s): want %d", i, rows[i].text, rows[i].why,
			         rows[i].want);
	}
}

enum tri { ANY = 0, YES, NO }; /* ANY: not checked */

/* One expected rua/ruf URI. */
struct ex_uri {
	const char *address; /* decoded mail address; NULL: the URI must be invalid */
	const char *domain;  /* lower case; NULL: not checked */
	uint64_t max_bytes;  /* 0: no size limit */
};

#define N(x)   ((x) + 1) /* an expected count; 0 means "not checked" */
#define PCT(x) .ck_pct = true, .pct = (x)
#define MiB    (1024ULL * 1024)

struct row {
	const char *src; /* CASES.md source: ODM n, CDM, STW n, MA */
	const char *text;
	const char *p, *sp, *np; /* "unset", "none", ...; NULL: not checked */
	const char *fo;
	const char *why;
	const char *codes[4];  /* findings that must be present */
	const char *absent[3]; /* findings that must not be */
	struct ex_uri rua[3], ruf[2];
	enum tri invalid, invalid_7489; /* both required in every row */
	enum tri p_valid, rua_valid, pct_valid;
	int pct;          /* checked when ck_pct */
	int nrua, nruf;   /* N(count) */
	char psd, t;      /* 'y'/'n'/'u'; 0: not checked */
	char adkim, aspf; /* 'r'/'s'; 0: not checked */
	bool ck_pct;
};

#define RM   "dmarc.removed_tag"
#define BADV "dmarc.invalid_value"
#define SYN  "dmarc.syntax"
#define UNK  "dmarc.unknown_tag"
#define BURI "dmarc.bad_uri"
#define NOP  "dmarc.missing_p"
#define DUP  "dmarc.duplicate_tag"

static const struct row rows[] = {
	/* -- OpenDMARC libopendmarc/tests/test_dmarc_parse.c (RFC 7489) -- */
	{ .src = "ODM 1",
	  .text = "v=DMARC1; p=none; rf=afrf; rua=mailto:dmarc-a@abuse.net; "
	          "ruf=mailto:dmarc-f@abuse.net",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "none",
	  .sp = "unset",
	  .np = "unset",
	  .nrua = N(1),
	  .rua = { { "dmarc-a@abuse.net", "abuse.net", 0 } },
	  .nruf = N(1),
	  .ruf = { { "dmarc-f@abuse.net", "abuse.net", 0 } },
	  .rua_valid = YES,
	  .codes = { RM },
	  .why = "rf=afrf is RFC 7489's only value; RFC 9989 removed rf: a finding only" },
	{ .src = "ODM 2",
	  .text = "v=DMARC1; p=none;",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p_valid = YES,
	  .p = "none",
	  .nrua = N(0),
	  .nruf = N(0),
	  .absent = { RM, NOP, BADV },
	  .why = "trailing ; tolerated" },
	{ .src = "ODM 3",
	  .text = "v=DMARC1; p=reject;",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .why = "" },
	{ .src = "ODM 4",
	  .text = "v=DMARC1; p=quarantine;",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "quarantine",
	  .why = "" },
	{ .src = "ODM 5",
	  .text = "v=DMARC1; p=n;",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .p_valid = NO,
	  .codes = { BADV },
	  .why = "! OpenDMARC prefix-matches n as none; posture audits: a value is a whole "
	         "word (checkdmarc and mailauth reject p=n too)" },
	{ .src = "ODM 6",
	  .text = "",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { SYN },
	  .why = "empty: not a DMARC record" },
	{ .src = "ODM 7",
	  .text = "V=BOB",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { SYN },
	  .why = "bad version" },
	{ .src = "ODM 8",
	  .text = "v=DMARC1; p=bob;",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .p_valid = NO,
	  .codes = { BADV },
	  .why = "" },
	{ .src = "ODM 9",
	  .text = "v=DMARC1; p=none; sp=bob;",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { BADV },
	  .why = "" },
	{ .src = "ODM 10",
	  .text = "v=DMARC1; p=none; adkim=bob;",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { BADV },
	  .why = "" },
	{ .src = "ODM 11",
	  .text = "v=DMARC1; p=none; aspf=bob;",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { BADV },
	  .why = "" },
	{ .src = "ODM 12",
	  .text = "v=DMARC1; p=none; rf=bob;",
	  .invalid = NO,
	  .invalid_7489 = YES,
	  .codes = { RM },
	  .why = "! RFC 9989 removed rf (checkdmarc: valid + warning): no harm to the RFC 9989 "
	         "reading; RFC 7489 knows only afrf (OpenDMARC: bad value), like a bad pct" },
	{ .src = "ODM 13",
	  .text = "v=DMARC1; p=none; ri=bob;",
	  .invalid = NO,
	  .invalid_7489 = YES,
	  .codes = { RM },
	  .why = "! as ODM 12: ri removed by RFC 9989; RFC 7489 ri is 1*DIGIT" },
	{ .src = "ODM 14",
	  .text = "v=DMARC1; p=none; pct=500;",
	  .invalid = NO,
	  .invalid_7489 = YES,
	  .pct_valid = NO,
	  .codes = { RM },
	  .why = "! pct removed by RFC 9989 (checkdmarc warns); RFC 7489 pct is 0-100 "
	         "(OpenDMARC error)" },
	{ .src = "ODM 15",
	  .text = "v=DMARC1; pct=100;",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .p_valid = NO,
	  .rua_valid = NO,
	  .p = "unset",
	  PCT(100),
	  .codes = { NOP, RM },
	  .why = "! no p and no valid rua: unusable in both readings (RFC 9989 reads a "
	         "missing p as none only with a valid rua)" },
	{ .src = "ODM 16",
	  .text = "v=DMARC1; p=none; rua=ftp://abuse.com",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .rua_valid = NO,
	  .nrua = N(1),
	  .rua = { { NULL, NULL, 0 } },
	  .codes = { BURI },
	  .why = "! OpenDMARC tolerates it, checkdmarc raises: posture flags the URI (no report "
	         "can go there) and keeps the record valid" },
	{ .src = "ODM 17",
	  .text = "v=DMARC1; p=none; ruf=mailto://abuse.com",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .nruf = N(1),
	  .ruf = { { NULL, NULL, 0 } },
	  .codes = { BURI },
	  .why = "mailto: but //abuse.com is no addr-spec (RFC 6068): the URI is unusable, the "
	         "record stays valid as OpenDMARC says" },
	{ .src = "ODM 18",
	  .text = "v=DMARC1; p=none; ruf=mailto://abuse.com; foo=bar; buzz=happy;",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "none",
	  .nruf = N(1),
	  .ruf = { { NULL, NULL, 0 } },
	  .codes = { UNK, BURI },
	  .why = "unknown tags are ignored (both RFCs)" },
	{ .src = "ODM 19",
	  .text = "v=DMARC1; p=none; rf=000000000000000000000000000000000",
	  .invalid = NO,
	  .invalid_7489 = YES,
	  .codes = { RM },
	  .why = "! as ODM 12" },

	/* -- checkdmarc tests/test_dmarc.py: valid -- */
	{ .src = "CDM",
	  .text = "v=DMARC1;p=ReJect",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p_valid = YES,
	  .p = "reject",
	  .why = "value case-insensitive" },
	{ .src = "CDM",
	  .text = "v = DMARC1;p=reject;",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .why = "spaces around =" },
	{ .src = "CDM",
	  .text = "v = DMARC1\t;\tp=reject\t;",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .why = "tabs around ;" },
	{ .src = "CDM",
	  .text = "v = DMARC1\t;\tp\t\t\t=\t\t\treject\t;",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .why = "tabs around =" },
	{ .src = "CDM",
	  .text = "V=DMARC1;p=reject;",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .why = "tag name case-insensitive" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; np=quarantine",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .sp = "unset",
	  .np = "quarantine",
	  .why = "np explicit" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; psd=n",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .psd = 'n',
	  .why = "" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; t=y",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .t = 'y',
	  .why = "" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; sp=quarantine",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .sp = "quarantine",
	  .np = "unset",
	  .why = "checkdmarc reports np=quarantine (implicit): posture keeps np unset in the "
	         "record; np -> sp -> p is discovery's (test_defaults_and_inheritance)" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p_valid = YES,
	  .p = "reject",
	  .sp = "unset",
	  .np = "unset",
	  .psd = 'u',
	  .t = 'n',
	  .adkim = 'r',
	  .aspf = 'r',
	  .fo = "0",
	  PCT(-1),
	  .pct_valid = YES,
	  .nrua = N(0),
	  .nruf = N(0),
	  .rua_valid = NO,
	  .absent = { RM, NOP, BADV },
	  .why = "defaults: psd u, t n, adkim/aspf r, fo 0, pct absent; no removed-tag finding" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=none; sp=none; fo=1; pct=50; adkim=r; aspf=r; rf=afrf; ri=86400; "
	          "rua=mailto:eits.dmarcrua@energy.gov; ruf=mailto:eits.dmarcruf@energy.gov",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "none",
	  .sp = "none",
	  .fo = "1",
	  PCT(50),
	  .pct_valid = YES,
	  .adkim = 'r',
	  .aspf = 'r',
	  .nrua = N(1),
	  .rua = { { "eits.dmarcrua@energy.gov", "energy.gov", 0 } },
	  .nruf = N(1),
	  .ruf = { { "eits.dmarcruf@energy.gov", "energy.gov", 0 } },
	  .codes = { RM },
	  .why = "energy.gov: an RFC 7489 record is still valid under RFC 9989" },
	{ .src = "CDM",
	  .text = "v=DMARC1; rua=mailto:dmarc@example.com",
	  .invalid = NO,
	  .invalid_7489 = YES,
	  .p_valid = NO,
	  .rua_valid = YES,
	  .p = "unset",
	  .nrua = N(1),
	  .rua = { { "dmarc@example.com", "example.com", 0 } },
	  .codes = { NOP },
	  .why = "! missing p + valid rua: p=none under RFC 9989; RFC 7489 requires p" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; pct=100",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  PCT(100),
	  .pct_valid = YES,
	  .codes = { RM },
	  .why = "" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; rf=afrf",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .codes = { RM },
	  .why = "" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; ri=3600",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .codes = { RM },
	  .why = "" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; pct=0",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  PCT(0),
	  .pct_valid = YES,
	  .codes = { RM },
	  .why = "0 is in range" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; pct=150",
	  .invalid = NO,
	  .invalid_7489 = YES,
	  .pct_valid = NO,
	  .codes = { RM },
	  .why = "! checkdmarc: valid (no range check now); RFC 7489 range 0-100" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; pct=-1",
	  .invalid = NO,
	  .invalid_7489 = YES,
	  .pct_valid = NO,
	  .codes = { RM },
	  .why = "! as pct=150" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; pct=abc",
	  .invalid = NO,
	  .invalid_7489 = YES,
	  .pct_valid = NO,
	  .codes = { RM },
	  .why = "! as pct=150" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; ri=abc",
	  .invalid = NO,
	  .invalid_7489 = YES,
	  .codes = { RM },
	  .why = "! as ODM 13" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; rf=invalid",
	  .invalid = NO,
	  .invalid_7489 = YES,
	  .codes = { RM },
	  .why = "! as ODM 12" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; xyz=foo",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .codes = { UNK },
	  .why = "unknown tag ignored" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; fo=0:1",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .fo = "0:1",
	  .why = "redundant but valid (checkdmarc's warning is advice, not asserted)" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; sp=none",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .sp = "none",
	  .why = "valid (also checkdmarc's parked-domain case: advice, not syntax)" },
	{ .src = "CDM",
	  .text = "v=DMARC1; sp=none; p=reject",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p_valid = YES,
	  .p = "reject",
	  .sp = "none",
	  .why = "checkdmarc warns p is not right after v; RFC 7489 6.3 asks v and p in that "
	         "order, which holds: valid in both" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=none",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "none",
	  .why = "checkdmarc's parked-domain warning is advice, not syntax" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com!10m",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .nrua = N(1),
	  .rua = { { "dmarc@example.com", "example.com", 10 * MiB } },
	  .why = "size limit: m = 1024*1024" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; rua=mailto:dmarc@elsewhere.com",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .nrua = N(1),
	  .rua = { { "dmarc@elsewhere.com", "elsewhere.com", 0 } },
	  .why = "external destination: its authorisation is discovery's (test_report_auth)" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@example.com,"
	          "mailto:c@example.com",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .rua_valid = YES,
	  .nrua = N(3),
	  .rua = { { "a@example.com", "example.com", 0 },
	           { "b@example.com", "example.com", 0 },
	           { "c@example.com", "example.com", 0 } },
	  .why = "three rua URIs: valid (checkdmarc's best-practice warning not asserted)" },

	/* -- checkdmarc: invalid (exceptions) -- */
	{ .src = "CDM",
	  .text = "v=DMARC1; p=none; rua=reports@dmarc.cyber.dhs.gov,"
	          "mailto:dmarcreports@usdoj.gov",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .rua_valid = YES,
	  .nrua = N(2),
	  .rua = { { NULL, NULL, 0 }, { "dmarcreports@usdoj.gov", "usdoj.gov", 0 } },
	  .codes = { BURI },
	  .why = "! checkdmarc raises InvalidDMARCReportURI; posture: that URI is unusable "
	         "(finding), the record and its other URI stay valid" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=none; rua=__mailto:reports@dmarc.cyber.dhs.gov,"
	          "mailto:dmarcreports@usdoj.gov",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .rua_valid = YES,
	  .nrua = N(2),
	  .rua = { { NULL, NULL, 0 }, { "dmarcreports@usdoj.gov", "usdoj.gov", 0 } },
	  .codes = { BURI },
	  .why = "! as above" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=foo; rua=mailto:dmarc@example.com",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .p_valid = NO,
	  .codes = { BADV },
	  .why = "a bad p is not a missing p: invalid even with a valid rua (RFC 7489 6.6.3 "
	         "lets receivers fall back to none; an auditor reports the error)" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; np=invalid",
	  .invalid = YES,
	  .invalid_7489 = NO,
	  .codes = { BADV },
	  .why = "np is RFC 9989's: RFC 7489 ignores it as an unknown tag" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; psd=x",
	  .invalid = YES,
	  .invalid_7489 = NO,
	  .codes = { BADV },
	  .why = "psd: y, n or u; unknown to RFC 7489" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; t=x",
	  .invalid = YES,
	  .invalid_7489 = NO,
	  .codes = { BADV },
	  .why = "t: y or n; unknown to RFC 7489" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; fo=invalid_value",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { BADV },
	  .why = "fo: 0, 1, d, s joined by :" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; fo=x",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { BADV },
	  .why = "" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; sp=invalid",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { BADV },
	  .why = "" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p=reject; p=none",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { DUP },
	  .why = "duplicate tag" },
	{ .src = "CDM",
	  .text = "v=DMARC1; p",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { SYN },
	  .why = "tag without =" },
	{ .src = "CDM",
	  .text = "v=spf1 include:example.com -all",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { SYN },
	  .why = "SPF where DMARC should be" },
	{ .src = "CDM",
	  .text = " v=DMARC1; p=reject",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { SYN },
	  .why = "starts with white space: v must come first (RFC 9989 ABNF), as checkdmarc" },

	/* -- Stalwart src/dmarc/parse.rs -- */
	{ .src = "STW 1",
	  .text = "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "none",
	  .sp = "unset",
	  .np = "unset",
	  .adkim = 'r',
	  .aspf = 'r',
	  .fo = "0",
	  .psd = 'u',
	  .t = 'n',
	  .nrua = N(1),
	  .rua = { { "dmarc-feedback@example.com", "example.com", 0 } },
	  .nruf = N(0),
	  .why = "Stalwart fills sp=np=none: posture leaves them unset (discovery defaults)" },
	{ .src = "STW 2",
	  .text = "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com;"
	          "ruf=mailto:auth-reports@example.com",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "none",
	  .nrua = N(1),
	  .rua = { { "dmarc-feedback@example.com", "example.com", 0 } },
	  .nruf = N(1),
	  .ruf = { { "auth-reports@example.com", "example.com", 0 } },
	  .why = "no space after ;" },
	{ .src = "STW 3",
	  .text = "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
	          "mailto:tld-test@thirdparty.example.net!10m; pct=25; fo=d:s",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "quarantine",
	  .sp = "unset",
	  .fo = "d:s",
	  PCT(25),
	  .nrua = N(2),
	  .rua = { { "dmarc-feedback@example.com", "example.com", 0 },
	           { "tld-test@thirdparty.example.net", "thirdparty.example.net", 10 * MiB } },
	  .codes = { RM },
	  .why = "!10m = 10 MiB" },
	{ .src = "STW 4",
	  .text = "v=DMARC1; p=reject; sp=quarantine; np=None; aspf=s; adkim=s; fo = 1;"
	          "rua=mailto:dmarc-feedback@example.com",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .sp = "quarantine",
	  .np = "none",
	  .adkim = 's',
	  .aspf = 's',
	  .fo = "1",
	  .nrua = N(1),
	  .rua = { { "dmarc-feedback@example.com", "example.com", 0 } },
	  .why = "np=None: value case-insensitive" },
	{ .src = "STW 5",
	  .text = "v=DMARC1; p=reject; ri = 3600; aspf=r; adkim =r; "
	          "rua=mailto:dmarc-feedback@example.com!10 K , mailto:user%20@example.com ! 2G;"
	          "ignore_me= true; fo=s; rf = AfrF; ",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .adkim = 'r',
	  .aspf = 'r',
	  .fo = "s",
	  .nrua = N(2),
	  .rua = { { "dmarc-feedback@example.com", "example.com", 10 * 1024ULL },
	           { "user@example.com", "example.com", 2048 * MiB } },
	  .codes = { UNK, RM },
	  .why = "Stalwart: %20 decoded and white space inside a URI dropped (\"!10 K\", "
	         "\"user%20@\"); k/g are 1024-based; rf=AfrF is afrf (case-insensitive)" },
	{ .src = "STW 6",
	  .text = "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
	          "mailto:tld-test@thirdparty.example.net; fo=s:d; t=y; psd=y;;",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "quarantine",
	  .fo = "s:d",
	  .t = 'y',
	  .psd = 'y',
	  .nrua = N(2),
	  .rua = { { "dmarc-feedback@example.com", "example.com", 0 },
	           { "tld-test@thirdparty.example.net", "thirdparty.example.net", 0 } },
	  .why = "fo kept as published (Stalwart normalises to d:s); empty ;; tolerated" },

	/* -- mailauth getDmarcRecord and rfc9989-compliance-test.js -- */
	{ .src = "MA",
	  .text = "v=DMARC1 ;  p = reject  ; pct = 100 ",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  PCT(100),
	  .why = "spaces everywhere" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=reject; pct=invalid",
	  .invalid = NO,
	  .invalid_7489 = YES,
	  .pct_valid = NO,
	  .codes = { RM },
	  .why = "! mailauth reads pct as 0; posture: RFC 9989 ignores pct, RFC 7489 invalid "
	         "(as ODM 14)" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=reject; tagonly",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { SYN },
	  .why = "! mailauth stores value false; a tag without = is a syntax error (as CDM p)" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=reject; =value",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { SYN },
	  .why = "! mailauth stores it under \"false\" (parser artefact); an empty tag name is "
	         "not in the ABNF: a syntax error, not an ignorable unknown tag" },
	{ .src = "MA",
	  .text = "v=DMARC1; P=Reject; SP=None; ADKIM=S",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .sp = "none",
	  .adkim = 's',
	  .why = "tag names lower-cased" },
	{ .src = "MA",
	  .text = "v=dmarc1; p=reject",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { SYN },
	  .why = "the v value is exactly DMARC1 (checkdmarc agrees)" },
	{ .src = "MA",
	  .text = "v=DMARC1x; p=reject",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { SYN },
	  .why = "" },
	{ .src = "MA",
	  .text = "v = DMARC1; p=reject",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .why = "" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=Reject",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .why = "" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=reject; adkim=s",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .adkim = 's',
	  .aspf = 'r',
	  .why = "" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=reject; adkim=S",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .adkim = 's',
	  .why = "value case-insensitive" },
	{ .src = "MA",
	  .text = "v=DMARC1; p = reject; adkim = s",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .adkim = 's',
	  .why = "" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=none; rua=mailto:DMARC-Reports@Example.COM",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .nrua = N(1),
	  .rua = { { "DMARC-Reports@Example.COM", "example.com", 0 } },
	  .why = "address case preserved, domain lower-cased" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=reject; pct=0",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  PCT(0),
	  .codes = { RM },
	  .why = "" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=reject; pct=50",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  PCT(50),
	  .codes = { RM },
	  .why = "" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=reject; sp=none; np=quarantine",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "reject",
	  .sp = "none",
	  .np = "quarantine",
	  .why = "" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=reject; psd=y; rua=mailto:psd@bank.example",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .psd = 'y',
	  .nrua = N(1),
	  .rua = { { "psd@bank.example", "bank.example", 0 } },
	  .why = "RFC 9989 B.4.3" },
	{ .src = "MA",
	  .text = "v=DMARC1; p=quarantine; t=y",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "quarantine",
	  .t = 'y',
	  .why = "" },
	{ .src = "MA",
	  .text = "v=DMARC1; adkim=s",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .p_valid = NO,
	  .rua_valid = NO,
	  .codes = { NOP },
	  .why = "! no p, no rua: mailauth gives none (no processing); posture: a record that "
	         "is there but unusable is invalid" },

	/* -- posture's own readings from the brief -- */
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; rua=mailto:a@example.com!2048",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .nrua = N(1),
	  .rua = { { "a@example.com", "example.com", 2048 } },
	  .why = "no unit: bytes" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; rua=mailto:a@example.com!1t",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .nrua = N(1),
	  .rua = { { "a@example.com", "example.com", 1024ULL * 1024 * MiB } },
	  .why = "t" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; rua=mailto:dmarc%2Dreports@example.com",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .nrua = N(1),
	  .rua = { { "dmarc-reports@example.com", "example.com", 0 } },
	  .why = "%2D decoded" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=none; rua=https://example.com/r",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .rua_valid = NO,
	  .nrua = N(1),
	  .rua = { { NULL, NULL, 0 } },
	  .codes = { BURI },
	  .why = "only mailto: URIs carry reports" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; aspf=x",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { BADV },
	  .why = "aspf: r or s" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; adkim=relaxed",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { BADV },
	  .why = "a full word is not r" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; psd=yes",
	  .invalid = YES,
	  .invalid_7489 = NO,
	  .codes = { BADV },
	  .why = "psd is one letter" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; t=n",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .t = 'n',
	  .why = "" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; psd=u",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .psd = 'u',
	  .why = "" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; fo=1:d:s",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .fo = "1:d:s",
	  .why = "" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; fo=1:",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { BADV },
	  .why = "empty fo option" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; sp=reject; sp=none",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { DUP },
	  .why = "duplicate sp" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; P=none",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { DUP },
	  .why = "duplicate across case" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=reject; pct=50; pct=50",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { DUP },
	  .why = "a duplicate tag spoils the record, a removed tag included" },
	{ .src = "posture",
	  .text = "v=DMARC1; v=DMARC1; p=reject",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .codes = { DUP },
	  .why = "duplicate v" },
	{ .src = "posture",
	  .text = "v=DMARC1; p=quarantine;;;",
	  .invalid = NO,
	  .invalid_7489 = NO,
	  .p = "quarantine",
	  .why = "empty tags tolerated" },
	{ .src = "posture",
	  .text = "v=DMARC1; rua=ftp://x.example",
	  .invalid = YES,
	  .invalid_7489 = YES,
	  .rua_valid = NO,
	  .codes = { NOP, BURI },
	  .why = "no p, and the only rua is unusable: both readings invalid" },
};

static const char *pol(enum dmarc_policy p)
{
	const char *n = dmarc_policy_name(p);
	return n ? n : "unset";
}

static void check_uri(size_t i, const char *tag, size_t k, const struct dmarc_uri *got,
                      const struct ex_uri *want)
{
	const struct row *r = &rows[i];
	if (want->address == NULL) {
		if (got->valid)
			fail_msg("row %zu %s \"%s\": %s[%zu] \"%s\" should be invalid (%s)", i,
			         r->src, r->text, tag, k, got->uri, r->why);
		return;
	}
	if (!got->valid || got->address == NULL || strcmp(got->address, want->address) != 0)
		fail_msg("row %zu %s \"%s\": %s[%zu] address \"%s\" valid %d, want \"%s\" (%s)", i,
		         r->src, r->text, tag, k, got->address ? got->address : "(null)",
		         got->valid, want->address, r->why);
	if (want->domain != NULL && (got->domain == NULL || strcmp(got->domain, want->domain) != 0))
		fail_msg("row %zu %s \"%s\": %s[%zu] domain \"%s\", want \"%s\"", i, r->src,
		         r->text, tag, k, got->domain ? got->domain : "(null)", want->domain);
	if (got->max_bytes != want->max_bytes)
		fail_msg("row %zu %s \"%s\": %s[%zu] max_bytes %llu, want %llu", i, r->src, r->text,
		         tag, k, (unsigned long long)got->max_bytes,
		         (unsigned long long)want->max_bytes);
	if (got->uri == NULL)
		fail_msg("row %zu: %s[%zu] has no uri text", i, tag, k);
}

static void check_tri(size_t i, const char *what, enum tri want, bool got)
{
	if (want != ANY && got != (want == YES))
		fail_msg("row %zu %s \"%s\" (%s): %s is %d", i, rows[i].src, rows[i].text,
		         rows[i].why, what, got);
}

static void check_pol(size_t i, const char *what, const char *want, enum dmarc_policy got)
{
	if (want != NULL && strcmp(want, pol(got)) != 0)
		fail_msg("row %zu %s \"%s\" (%s): %s is %s, want %s", i, rows[i].src, rows[i].text,
		         rows[i].why, what, pol(got), want);
}

static void check_char(size_t i, const char *what, char want, char got)
{
	if (want != 0 && want != got)
		fail_msg("row %zu %s \"%s\" (%s): %s is '%c', want '%c'", i, rows[i].src,
		         rows[i].text, rows[i].why, what, got ? got : '0', want);
}

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct dmarc_record *r = NULL;
		if (w->invalid == ANY || w->invalid_7489 == ANY)
			fail_msg("row %zu \"%s\": the table must state both readings", i, w->text);
		if (dmarc_parse(w->text, strlen(w->text), &r) != 0 || r == NULL) {
			fail_msg("row %zu \"%s\": dmarc_parse failed", i, w->text);
			return;
		}
		check_tri(i, "invalid", w->invalid, r->invalid);
		check_tri(i, "invalid_7489", w->invalid_7489, r->invalid_7489);
		check_tri(i, "p_valid", w->p_valid, r->p_valid);
		check_tri(i, "rua_valid", w->rua_valid, r->rua_valid);
		check_tri(i, "pct_valid", w->pct_valid, r->pct_valid);
		check_pol(i, "p", w->p, r->p);
		check_pol(i, "sp", w->sp, r->sp);
		check_pol(i, "np", w->np, r->np);
		check_char(i, "psd", w->psd, r->psd);
		check_char(i, "t", w->t, r->t ? 'y' : 'n');
		check_char(i, "adkim", w->adkim, r->adkim);
		check_char(i, "aspf", w->aspf, r->aspf);
		if (w->ck_pct && r->pct != w->pct)
			fail_msg("row %zu \"%s\": pct %d, want %d", i, w->text, r->pct, w->pct);
		if (w->fo != NULL && strcmp(r->fo, w->fo) != 0)
			fail_msg("row %zu \"%s\": fo \"%s\", want \"%s\"", i, w->text, r->fo,
			         w->fo);
		if (w->nrua != 0 && r->nrua != (size_t)(w->nrua - 1))
			fail_msg("row %zu \"%s\": %zu rua, want %d", i, w->text, r->nrua,
			         w->nrua - 1);
		if (w->nruf != 0 && r->nruf != (size_t)(w->nruf - 1))
			fail_msg("row %zu \"%s\": %zu ruf, want %d", i, w->text, r->nruf,
			         w->nruf - 1);
		for (size_t k = 0; w->nrua > 0 && k < (size_t)(w->nrua - 1) && k < 3; k++)
			check_uri(i, "rua", k, &r->rua[k], &w->rua[k]);
		for (size_t k = 0; w->nruf > 0 && k < (size_t)(w->nruf - 1) && k < 2; k++)
			check_uri(i, "ruf", k, &r->ruf[k], &w->ruf[k]);
		for (size_t k = 0; k < 4 && w->codes[k] != NULL; k++)
			if (!findings_has(&r->findings, w->codes[k]))
				fail_msg("row %zu %s \"%s\" (%s): no %s", i, w->src, w->text,
				         w->why, w->codes[k]);
		for (size_t k = 0; k < 3 && w->absent[k] != NULL; k++)
			if (findings_has(&r->findings, w->absent[k]))
				fail_msg("row %zu %s \"%s\": unexpected %s", i, w->src, w->text,
				         w->absent[k]);
		/* An invalid record says why. */
		if ((r->invalid || r->invalid_7489) && r->findings.n == 0)
			fail_msg("row %zu \"%s\": invalid without a finding", i, w->text);
		/* Findings are complete and bounded. */
		assert_true(r->findings.n <= FINDINGS_MAX);
		for (size_t k = 0; k < r->findings.n; k++) {
			assert_non_null(r->findings.v[k].code);
			assert_non_null(r->findings.v[k].message);
			assert_true(strncmp(r->findings.v[k].code, "dmarc.", 6) == 0);
		}
		dmarc_record_free(r);
	}
}

static void test_parse_hostile(void **state)
{
	struct dmarc_record *r = NULL;
	size_t n = 65536, o;
	char *big = malloc(n);
	(void)state;
	assert_non_null(big);

	/* Hundreds of tags within DNS_TXT_MAX_BYTES: bounded by
	 * DMARC_MAX_TAGS, no crash. */
	o = (size_t)snprintf(big, n, "v=DMARC1; p=reject");
	while (o + 16 < DNS_TXT_MAX_BYTES)
		o += (size_t)snprintf(big + o, n - o, "; x%zu=y", o);
	assert_int_equal(dmarc_parse(big, o, &r), 0);
	assert_true(r->findings.n <= FINDINGS_MAX);
	assert_true(r->invalid);
	dmarc_record_free(r);

	/* Hundreds of rua URIs: at most DMARC_MAX_URIS kept. */
	o = (size_t)snprintf(big, n, "v=DMARC1; p=reject; rua=mailto:a@example.com");
	for (int k = 0; k < 500 && o + 40 < DNS_TXT_MAX_BYTES; k++)
		o += (size_t)snprintf(big + o, n - o, ",mailto:r%d@example.com!%dk", k, k);
	assert_int_equal(dmarc_parse(big, o, &r), 0);
	assert_true(r->nrua <= DMARC_MAX_URIS);
	assert_true(r->nrua > 0);
	assert_true(r->rua[0].valid);
	dmarc_record_free(r);

	/* Longer than posture reads (1,000 rua URIs, 64 KiB of tags): one
	 * dmarc.syntax finding naming the length, invalid in both
	 * readings, nothing else read. */
	o = (size_t)snprintf(big, n, "v=DMARC1; p=reject; rua=mailto:a@example.com");
	for (int k = 0; k < 1000 && o + 40 < n; k++)
		o += (size_t)snprintf(big + o, n - o, ",mailto:r%d@example.com", k);
	assert_true(o > DNS_TXT_MAX_BYTES);
	assert_int_equal(dmarc_parse(big, o, &r), 0);
	assert_true(r->invalid && r->invalid_7489);
	assert_int_equal(r->nrua, 0);
	assert_int_equal(r->findings.n, 1);
	assert_string_equal(r->findings.v[0].code, "dmarc.syntax");
	char want[64];
	snprintf(want, sizeof(want), "is %zu bytes, more than posture reads (8192", o);
	assert_non_null(strstr(r->findings.v[0].message, want));
	dmarc_record_free(r);
	/* One byte less than the bound is read. */
	memset(big, ' ', DNS_TXT_MAX_BYTES);
	memcpy(big, "v=DMARC1; p=reject;", 19);
	assert_int_equal(dmarc_parse(big, DNS_TXT_MAX_BYTES, &r), 0);
	assert_false(r->invalid);
	assert_int_equal(r->p, DMARC_POLICY_REJECT);
	dmarc_record_free(r);

	/* A size limit that overflows 64 bits, a long address, lone %. */
	const char *odd[] = {
		"v=DMARC1; p=reject; rua=mailto:a@example.com!99999999999999999999999999t",
		"v=DMARC1; p=reject; rua=mailto:%",
		"v=DMARC1; p=reject; rua=mailto:%4",
		"v=DMARC1; p=reject; rua=mailto:@",
		"v=DMARC1; p=reject; rua=mailto:a@",
		"v=DMARC1; p=reject; rua=mailto:a@example.com!",
		"v=DMARC1; p=reject; rua=mailto:a@example.com!k",
		"v=DMARC1; p=reject; rua=,,,",
		"v=DMARC1; p=reject; fo=0:1:d:s:0:1:d:s:0:1:d:s:0:1:d:s",
		"v=DMARC1; p=reject; pct=00000000000000000000050",
		"v=DMARC1; =; ==; ;=;",
		"v=DMARC1;",
		"v=DMARC1",
	};
	for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
		assert_int_equal(dmarc_parse(odd[k], strlen(odd[k]), &r), 0);
		assert_true(r->nrua <= DMARC_MAX_URIS);
		assert_non_null(memchr(r->fo, '\0', sizeof(r->fo)));
		dmarc_record_free(r);
	}
	/* "v=DMARC1" alone: no p, no rua: unusable in both readings. */
	assert_int_equal(dmarc_parse("v=DMARC1", 8, &r), 0);
	assert_true(r->invalid);
	assert_true(r->invalid_7489);
	dmarc_record_free(r);

	/* A 4000-byte address: bounded, no crash. */
	memcpy(big, "v=DMARC1; p=none; rua=mailto:", 29);
	memset(big + 29, 'a', 4000);
	memcpy(big + 4029, "@example.com", 12);
	assert_int_equal(dmarc_parse(big, 4041, &r), 0);
	dmarc_record_free(r);

	/* A NUL byte inside and binary bytes: parsed within len, no crash. */
	assert_int_equal(dmarc_parse("v=DMARC1; p=reject\0; sp=none", 28, &r), 0);
	dmarc_record_free(r);
	for (size_t k = 0; k < n; k++)
		big[k] = (char)(k * 131 + 7);
	memcpy(big, "v=DMARC1; ", 10);
	assert_int_equal(dmarc_parse(big, n, &r), 0);
	assert_true(r->findings.n <= FINDINGS_MAX);
	dmarc_record_free(r);
	free(big);
}

static void test_names(void **state)
{
	(void)state;
	assert_null(dmarc_policy_name(DMARC_POLICY_UNSET));
	assert_string_equal(dmarc_policy_name(DMARC_POLICY_NONE), "none");
	assert_string_equal(dmarc_policy_name(DMARC_POLICY_QUARANTINE), "quarantine");
	assert_string_equal(dmarc_policy_name(DMARC_POLICY_REJECT), "reject");
	assert_string_equal(dmarc_status_name(DMARC_STATUS_OK), "ok");
	assert_string_equal(dmarc_status_name(DMARC_STATUS_NONE), "none");
	assert_string_equal(dmarc_status_name(DMARC_STATUS_INVALID), "invalid");
	assert_string_equal(dmarc_status_name(DMARC_STATUS_TEMPERROR), "temperror");
	assert_null(dmarc_source_name(DMARC_SOURCE_NONE));
	assert_string_equal(dmarc_source_name(DMARC_SOURCE_DOMAIN), "domain");
	assert_string_equal(dmarc_source_name(DMARC_SOURCE_ORGANIZATIONAL), "organizational");
	assert_string_equal(dmarc_source_name(DMARC_SOURCE_PSD), "psd");
	assert_string_equal(dmarc_enforcement_name(DMARC_ENF_MISSING), "missing");
	assert_string_equal(dmarc_enforcement_name(DMARC_ENF_INVALID), "invalid");
	assert_string_equal(dmarc_enforcement_name(DMARC_ENF_MONITOR), "monitor");
	assert_string_equal(dmarc_enforcement_name(DMARC_ENF_PARTIAL), "partial");
	assert_string_equal(dmarc_enforcement_name(DMARC_ENF_QUARANTINE), "quarantine");
	assert_string_equal(dmarc_enforcement_name(DMARC_ENF_REJECT), "reject");
	assert_string_equal(dmarc_enforcement_name(DMARC_ENF_TEMPERROR), "temperror");
}

static void test_classify(void **state)
{
	static const struct {
		enum dmarc_status status;
		enum dmarc_policy policy;
		int pct;
		bool testing;
		enum dmarc_enforcement want;
		const char *why;
	} c[] = {
		{ DMARC_STATUS_OK, DMARC_POLICY_REJECT, 100, false, DMARC_ENF_REJECT, "all mail" },
		{ DMARC_STATUS_OK, DMARC_POLICY_REJECT, 50, false, DMARC_ENF_PARTIAL, "pct 50" },
		{ DMARC_STATUS_OK, DMARC_POLICY_REJECT, 99, false, DMARC_ENF_PARTIAL, "pct 99" },
		{ DMARC_STATUS_OK, DMARC_POLICY_REJECT, 100, true, DMARC_ENF_PARTIAL, "t=y" },
		{ DMARC_STATUS_OK, DMARC_POLICY_QUARANTINE, 100, false, DMARC_ENF_QUARANTINE, "" },
		{ DMARC_STATUS_OK, DMARC_POLICY_QUARANTINE, 1, false, DMARC_ENF_PARTIAL, "pct 1" },
		{ DMARC_STATUS_OK, DMARC_POLICY_QUARANTINE, 100, true, DMARC_ENF_PARTIAL, "t=y" },
		{ DMARC_STATUS_OK, DMARC_POLICY_NONE, 100, false, DMARC_ENF_MONITOR, "p=none" },
		{ DMARC_STATUS_OK, DMARC_POLICY_NONE, 100, true, DMARC_ENF_MONITOR,
		  "t=y cannot lower none" },
		{ DMARC_STATUS_OK, DMARC_POLICY_NONE, 50, false, DMARC_ENF_MONITOR, "" },
		{ DMARC_STATUS_NONE, DMARC_POLICY_UNSET, 100, false, DMARC_ENF_MISSING, "" },
		{ DMARC_STATUS_INVALID, DMARC_POLICY_UNSET, 100, false, DMARC_ENF_INVALID, "" },
		{ DMARC_STATUS_INVALID, DMARC_POLICY_REJECT, 100, false, DMARC_ENF_INVALID,
		  "status decides" },
		{ DMARC_STATUS_TEMPERROR, DMARC_POLICY_UNSET, 100, false, DMARC_ENF_TEMPERROR,
		  "never missing" },
		{ DMARC_STATUS_TEMPERROR, DMARC_POLICY_REJECT, 100, false, DMARC_ENF_TEMPERROR,
		  "never missing" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		enum dmarc_enforcement e =
		        dmarc_classify(c[i].status, c[i].policy, c[i].pct, c[i].testing);
		if (e != c[i].want)
			fail_msg("classify row %zu (%s): %s, want %s", i, c[i].why,
			         dmarc_enforcement_name(e), dmarc_enforcement_name(c[i].want));
	}
}

/* ---- part B: discovery ------------------------------------------------ */

/* One resource record of a hand-made zone, or a failure for (name, type).
 * Several DATA rows with the same name and type are one RRset; TXT data is
 * given joined, as struct dns_rr carries it. */
struct zrr {
	const char *name;
	uint16_t type;
	enum dns_outcome outcome; /* DATA, or a failure such as TIMEOUT */
	const char *data;
};

#define TXT(n, d)                                                                                  \
	{                                                                                          \
		(n), DNS_TYPE_TXT, DNS_OUTCOME_DATA, (d)                                           \
	}
#define A(n)                                                                                       \
	{                                                                                          \
		(n), DNS_TYPE_A, DNS_OUTCOME_DATA, "192.0.2.1"                                     \
	}
#define FAIL(n, o)                                                                                 \
	{                                                                                          \
		(n), DNS_TYPE_TXT, (o), NULL                                                       \
	}
#define ZEND                                                                                       \
	{                                                                                          \
		NULL, 0, DNS_OUTCOME_DATA, NULL                                                    \
	}

/* True when name is owner or an ancestor of owner (empty non-terminals
 * exist too). */
static bool covers(const char *name, const char *owner)
{
	size_t n = strlen(name), o = strlen(owner);
	if (o == n)
		return dns_name_equal(name, owner);
	return o > n && owner[o - n - 1] == '.' && dns_name_equal(owner + (o - n), name);
}

static void zone_answer(const struct zrr *zone, const char *name, uint16_t type,
                        struct dns_answer *a)
{
	bool exists = false;
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->canonical, sizeof(a->canonical), "%s", name);
	a->type = type;
	a->outcome = DNS_OUTCOME_NODATA;
	a->rcode = 0;
	a->attempts = 1;
	for (const struct zrr *z = zone; z->name != NULL; z++) {
		if (covers(name, z->name))
			exists = true;
		if (!dns_name_equal(z->name, name) || z->type != type)
			continue;
		if (z->outcome != DNS_OUTCOME_DATA) {
			dns_answer_cleanup(a);
			a->nrr = 0;
			a->rr = NULL;
			a->outcome = z->outcome;
			a->rcode = z->outcome == DNS_OUTCOME_TIMEOUT ? -1 : 2;
			snprintf(a->detail, sizeof(a->detail), "%s (test)",
			         dns_outcome_name(z->outcome));
			return;
		}
		uint8_t addr[16] = { 192, 0, 2, 1 };
		assert_int_equal(dns_answer_add(a, type, 0, z->data, strlen(z->data),
		                                type == DNS_TYPE_A ? addr : NULL),
		                 0);
		a->outcome = DNS_OUTCOME_DATA;
	}
	if (!exists) {
		a->outcome = DNS_OUTCOME_NXDOMAIN;
		a->rcode = 3;
	}
}

#define MAX_ASKED 64

struct driver {
	const struct zrr *zone;
	struct dns_memo *memo;
	char asked[MAX_ASKED][DNS_NAME_BUF]; /* every need, in order */
	uint16_t asked_type[MAX_ASKED];
	size_t nasked;
};

/* A stand-in for the Public Suffix List: the last two labels, except
 * under the fake public suffix "bank.example", where it is the last
 * three. A name with no more labels than that is its own organisational
 * domain (as psl_org_domain does for a public suffix). */
static int fake_org(const char *domain, char *out, size_t outlen)
{
	size_t len = strlen(domain), keep = 2, dots = 0;
	const char *p = domain + len;
	if (covers("bank.example", domain))
		keep = 3;
	while (p > domain) {
		if (p[-1] == '.' && ++dots == keep)
			break;
		p--;
	}
	int n = snprintf(out, outlen, "%s", p);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* Runs dmarc_check to a verdict, answering every need from the zone. */
static void discover(struct driver *d, const char *domain, struct dmarc_result *out)
{
	struct spf_dns dns = { dns_memo_lookup, d->memo, NULL };
	for (int round = 0; round < MAX_ASKED; round++) {
		assert_int_equal(dmarc_check(domain, &dns, fake_org, out), 0);
		if (!out->pending)
			return;
		if (d->nasked < MAX_ASKED) {
			snprintf(d->asked[d->nasked], DNS_NAME_BUF, "%s", out->need_name);
			d->asked_type[d->nasked++] = out->need_type;
		}
		struct dns_answer a;
		zone_answer(d->zone, out->need_name, out->need_type, &a);
		assert_int_equal(dns_memo_put(d->memo, &a), 0);
		dns_answer_cleanup(&a);
		dmarc_result_cleanup(out);
	}
	fail_msg("%s: still pending after %d answers (last need %s)", domain, MAX_ASKED,
	         out->need_name);
}

static void driver_init(struct driver *d, const struct zrr *zone)
{
	memset(d, 0, sizeof(*d));
	d->zone = zone;
	d->memo = dns_memo_new();
	assert_non_null(d->memo);
}

/* A fresh memo for each domain, so the asked lists stay per domain. */
static void check_domain(const struct zrr *zone, const char *domain, struct dmarc_result *out,
                         struct driver *d)
{
	driver_init(d, zone);
	discover(d, domain, out);
}

static void driver_done(struct driver *d, struct dmarc_result *out)
{
	dmarc_result_cleanup(out);
	dns_memo_free(d->memo);
	d->memo = NULL;
}

/* The _dmarc TXT names asked, in order, joined by spaces into buf. */
static const char *dmarc_asked(const struct driver *d, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < d->nasked && o < len; i++) {
		if (d->asked_type[i] != DNS_TYPE_TXT || strncmp(d->asked[i], "_dmarc.", 7) != 0)
			continue;
		int n = snprintf(buf + o, len - o, "%s%s", o ? " " : "", d->asked[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	return buf;
}

static bool was_asked(const struct driver *d, const char *name)
{
	for (size_t i = 0; i < d->nasked; i++)
		if (dns_name_equal(d->asked[i], name))
			return true;
	return false;
}

static bool has_code(const struct dmarc_result *r, const char *code)
{
	return findings_has(&r->findings, code) ||
	       (r->rec != NULL && findings_has(&r->rec->findings, code));
}

#define assert_policy(got, want)                                                                   \
	do {                                                                                       \
		if ((got) != (want))                                                               \
			fail_msg("%s is %s, want %s", #got, pol(got), pol(want));                  \
	} while (0)

#define assert_enf(got, want)                                                                      \
	do {                                                                                       \
		if ((got) != (want))                                                               \
			fail_msg("%s is %s, want %s", #got, dmarc_enforcement_name(got),           \
			         dmarc_enforcement_name(want));                                    \
	} while (0)

#define assert_status(got, want)                                                                   \
	do {                                                                                       \
		if ((got) != (want))                                                               \
			fail_msg("%s is %s, want %s", #got, dmarc_status_name(got),                \
			         dmarc_status_name(want));                                         \
	} while (0)

/* The replay contract: the first call names the first query. */
static void test_replay_contract(void **state)
{
	struct dns_memo *memo = dns_memo_new();
	struct spf_dns dns = { dns_memo_lookup, memo, NULL };
	struct dmarc_result r;
	(void)state;

	assert_int_equal(dmarc_check("Example.COM.", &dns, fake_org, &r), 0);
	assert_true(r.pending);
	assert_string_equal(r.domain, "example.com");
	assert_string_equal(r.need_name, "_dmarc.example.com");
	assert_int_equal(r.need_type, DNS_TYPE_TXT);
	dmarc_result_cleanup(&r);

	assert_int_equal(dmarc_check("a..b", &dns, fake_org, &r), -1);
	dmarc_result_cleanup(&r);
	dns_memo_free(memo);
}

/* CASES B (skip suite): exactly these 8 queries, in order (RFC 9989 4.10:
 * the name, then the rightmost 7 labels, then one label fewer each time). */
static void test_walk_eight_queries(void **state)
{
	static const struct zrr zone[] = { ZEND };
	struct driver d;
	struct dmarc_result r;
	char buf[2048];
	(void)state;

	check_domain(zone, "a.b.c.d.e.f.g.h.i.j.k.example.com", &r, &d);
	assert_string_equal(dmarc_asked(&d, buf, sizeof(buf)),
	                    "_dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com "
	                    "_dmarc.g.h.i.j.k.example.com "
	                    "_dmarc.h.i.j.k.example.com "
	                    "_dmarc.i.j.k.example.com "
	                    "_dmarc.j.k.example.com "
	                    "_dmarc.k.example.com "
	                    "_dmarc.example.com "
	                    "_dmarc.com");
	assert_int_equal(r.queries, 8);
	assert_status(r.bis.status, DMARC_STATUS_NONE);
	assert_enf(r.bis.enforcement, DMARC_ENF_MISSING);
	assert_int_equal(r.bis.source, DMARC_SOURCE_NONE);
	/* RFC 7489: the name, then the PSL organisational domain (both
	 * already asked by the walk). */
	assert_status(r.old.status, DMARC_STATUS_NONE);
	assert_string_equal(r.old.org_domain, "example.com");
	assert_null(r.rec);
	driver_done(&d, &r);
}

/* CDM: sub.example.com has none, example.com has p=reject: found at
 * example.com, and the walk also asks _dmarc.com (a record there would
 * move the organisational domain). */
static void test_walk_to_parent(void **state)
{
	static const struct zrr zone[] = {
		A("mail.example.com"),
		TXT("_dmarc.example.com", "v=DMARC1; p=reject"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	char buf[1024];
	(void)state;

	check_domain(zone, "mail.example.com", &r, &d);
	assert_string_equal(dmarc_asked(&d, buf, sizeof(buf)),
	                    "_dmarc.mail.example.com _dmarc.example.com _dmarc.com");
	assert_int_equal(r.queries, 3);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_int_equal(r.bis.source, DMARC_SOURCE_ORGANIZATIONAL);
	assert_string_equal(r.bis.record_domain, "example.com");
	assert_string_equal(r.bis.org_domain, "example.com");
	assert_string_equal(r.bis.record, "v=DMARC1; p=reject");
	assert_policy(r.bis.policy, DMARC_POLICY_REJECT);
	assert_enf(r.bis.enforcement, DMARC_ENF_REJECT);
	assert_non_null(r.rec);
	assert_policy(r.rec->p, DMARC_POLICY_REJECT);
	assert_status(r.old.status, DMARC_STATUS_OK);
	assert_int_equal(r.old.source, DMARC_SOURCE_ORGANIZATIONAL);
	assert_string_equal(r.old.org_domain, "example.com");
	assert_policy(r.old.policy, DMARC_POLICY_REJECT);
	assert_false(r.readings_differ);
	driver_done(&d, &r);
}

static void test_no_record(void **state)
{
	static const struct zrr zone[] = { A("example.com"), ZEND };
	struct driver d;
	struct dmarc_result r;
	char buf[1024];
	(void)state;

	check_domain(zone, "example.com", &r, &d);
	assert_string_equal(dmarc_asked(&d, buf, sizeof(buf)), "_dmarc.example.com _dmarc.com");
	assert_status(r.bis.status, DMARC_STATUS_NONE);
	assert_enf(r.bis.enforcement, DMARC_ENF_MISSING);
	assert_null(r.bis.record);
	assert_status(r.old.status, DMARC_STATUS_NONE);
	assert_enf(r.old.enforcement, DMARC_ENF_MISSING);
	driver_done(&d, &r);
}

/* CASES B (skip): psd=n at b.example.com makes it the organisational
 * domain, though example.com has a record too. */
static void test_psd_n(void **state)
{
	static const struct zrr zone[] = {
		A("a.b.example.com"),
		TXT("_dmarc.b.example.com", "v=DMARC1; p=reject; psd=n"),
		TXT("_dmarc.example.com", "v=DMARC1; p=none"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "a.b.example.com", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_string_equal(r.bis.org_domain, "b.example.com");
	assert_string_equal(r.bis.record_domain, "b.example.com");
	assert_int_equal(r.bis.source, DMARC_SOURCE_ORGANIZATIONAL);
	assert_policy(r.bis.policy, DMARC_POLICY_REJECT);
	assert_enf(r.bis.enforcement, DMARC_ENF_REJECT);
	/* RFC 7489: the PSL says example.com, whose record is p=none. */
	assert_status(r.old.status, DMARC_STATUS_OK);
	assert_string_equal(r.old.org_domain, "example.com");
	assert_int_equal(r.old.source, DMARC_SOURCE_ORGANIZATIONAL);
	assert_policy(r.old.policy, DMARC_POLICY_NONE);
	assert_enf(r.old.enforcement, DMARC_ENF_MONITOR);
	assert_true(r.readings_differ);
	driver_done(&d, &r);
}

/* RFC 9989 B.4.3 (CASES B skip): bank.example is a PSD (psd=y); the
 * organisational domain is the name one label below it. */
static void test_psd_y_org_domain(void **state)
{
	static const struct zrr zone[] = {
		A("mail.giant.bank.example"),
		A("giant.bank.example"),
		TXT("_dmarc.bank.example",
		    "v=DMARC1; p=reject; psd=y; rua=mailto:psd@bank.example"),
		TXT("_dmarc.giant.bank.example", "v=DMARC1; p=quarantine"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "mail.giant.bank.example", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_string_equal(r.bis.org_domain, "giant.bank.example");
	assert_string_equal(r.bis.record_domain, "giant.bank.example");
	assert_int_equal(r.bis.source, DMARC_SOURCE_ORGANIZATIONAL);
	assert_policy(r.bis.policy, DMARC_POLICY_QUARANTINE);
	assert_enf(r.bis.enforcement, DMARC_ENF_QUARANTINE);
	assert_status(r.old.status, DMARC_STATUS_OK);
	assert_string_equal(r.old.org_domain, "giant.bank.example");
	assert_policy(r.old.policy, DMARC_POLICY_QUARANTINE);
	assert_false(r.readings_differ);
	driver_done(&d, &r);

	check_domain(zone, "giant.bank.example", &r, &d);
	assert_int_equal(r.bis.source, DMARC_SOURCE_DOMAIN);
	assert_string_equal(r.bis.org_domain, "giant.bank.example");
	assert_policy(r.bis.policy, DMARC_POLICY_QUARANTINE);
	driver_done(&d, &r);
}

/* Only the PSD publishes: the policy comes from its record (source psd).
 * RFC 7489 knows no PSD records: none. */
static void test_psd_y_source(void **state)
{
	static const struct zrr zone[] = {
		A("x.bank.example"),
		TXT("_dmarc.bank.example", "v=DMARC1; p=reject; psd=y"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "x.bank.example", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_int_equal(r.bis.source, DMARC_SOURCE_PSD);
	assert_string_equal(r.bis.record_domain, "bank.example");
	assert_string_equal(r.bis.org_domain, "x.bank.example");
	assert_policy(r.bis.policy, DMARC_POLICY_REJECT);
	assert_enf(r.bis.enforcement, DMARC_ENF_REJECT);
	assert_status(r.old.status, DMARC_STATUS_NONE);
	assert_enf(r.old.enforcement, DMARC_ENF_MISSING);
	assert_true(r.readings_differ);
	driver_done(&d, &r);
}

/* CASES B (skip): the domain's own record wins over the PSD's. */
static void test_psd_own_record_wins(void **state)
{
	static const struct zrr zone[] = {
		TXT("_dmarc.example", "v=DMARC1; p=reject; psd=y; rua=mailto:psd@example"),
		TXT("_dmarc.foo.example", "v=DMARC1; p=none"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "foo.example", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_int_equal(r.bis.source, DMARC_SOURCE_DOMAIN);
	assert_string_equal(r.bis.org_domain, "foo.example");
	assert_policy(r.bis.policy, DMARC_POLICY_NONE);
	assert_enf(r.bis.enforcement, DMARC_ENF_MONITOR);
	driver_done(&d, &r);
}

/* CASES B (active): two DMARC records at a name discard the set; that
 * name has no policy, and none is inherited from the parent. mailauth
 * says none (no policy applied); posture says invalid: records are
 * there, none usable (dmarc.h DMARC_STATUS_INVALID). */
static void test_multiple_records(void **state)
{
	static const struct zrr zone[] = {
		TXT("_dmarc.mail.example.com", "v=DMARC1; p=reject"),
		TXT("_dmarc.mail.example.com", "v=DMARC1; p=none"),
		TXT("_dmarc.example.com", "v=DMARC1; p=none"),
		TXT("_dmarc.two.example.net", "v=DMARC1; p=reject"),
		TXT("_dmarc.two.example.net", "v=DMARC1; p=none"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "mail.example.com", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_INVALID);
	assert_enf(r.bis.enforcement, DMARC_ENF_INVALID);
	assert_policy(r.bis.policy, DMARC_POLICY_UNSET); /* not example.com's none */
	assert_true(r.bis.source != DMARC_SOURCE_ORGANIZATIONAL);
	assert_null(r.rec);
	driver_done(&d, &r);

	check_domain(zone, "two.example.net", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_INVALID);
	assert_enf(r.bis.enforcement, DMARC_ENF_INVALID);
	driver_done(&d, &r);
}

/* CASES B (active): non-DMARC TXT at _dmarc is skipped and the walk goes
 * on. */
static void test_non_dmarc_txt_skipped(void **state)
{
	static const struct zrr zone[] = {
		TXT("_dmarc.mail.example.com", "some other txt record"),
		TXT("_dmarc.mail.example.com", "and another one"),
		TXT("_dmarc.example.com", "v=DMARC1; p=quarantine"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "mail.example.com", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_string_equal(r.bis.record_domain, "example.com");
	assert_int_equal(r.bis.source, DMARC_SOURCE_ORGANIZATIONAL);
	assert_policy(r.bis.policy, DMARC_POLICY_QUARANTINE);
	driver_done(&d, &r);
}

/* CASES B (active): "v=DMARC1; p=re" "ject" arrives joined (the answer's
 * job); also the v value must be exact, and v = DMARC1 is accepted. */
static void test_record_text(void **state)
{
	static const struct zrr zone[] = {
		TXT("_dmarc.split.example", "v=DMARC1; p=reject"),
		TXT("_dmarc.lower.example", "v=dmarc1; p=reject"),
		TXT("_dmarc.suffix.example", "v=DMARC1x; p=reject"),
		TXT("_dmarc.spaced.example", "v = DMARC1; p=reject"),
		TXT("_dmarc.spf.example", "v=spf1 include:example.com -all"),
		TXT("_dmarc.ws.example", " v=DMARC1; p=reject"),
		ZEND,
	};
	static const struct {
		const char *domain;
		enum dmarc_status status;
		enum dmarc_policy policy;
	} c[] = {
		{ "split.example", DMARC_STATUS_OK, DMARC_POLICY_REJECT },
		{ "lower.example", DMARC_STATUS_NONE, DMARC_POLICY_UNSET },
		{ "suffix.example", DMARC_STATUS_NONE, DMARC_POLICY_UNSET },
		{ "spaced.example", DMARC_STATUS_OK, DMARC_POLICY_REJECT },
		{ "spf.example", DMARC_STATUS_NONE, DMARC_POLICY_UNSET },
		{ "ws.example", DMARC_STATUS_NONE, DMARC_POLICY_UNSET },
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		check_domain(zone, c[i].domain, &r, &d);
		if (r.bis.status != c[i].status ||
		    (c[i].status == DMARC_STATUS_OK && r.bis.policy != c[i].policy))
			fail_msg("%s: %s/%s, want %s/%s", c[i].domain,
			         dmarc_status_name(r.bis.status), pol(r.bis.policy),
			         dmarc_status_name(c[i].status), pol(c[i].policy));
		if (c[i].status == DMARC_STATUS_OK)
			assert_int_equal(r.bis.source, DMARC_SOURCE_DOMAIN);
		driver_done(&d, &r);
	}
	check_domain(zone, "split.example", &r, &d);
	assert_string_equal(r.bis.record, "v=DMARC1; p=reject");
	driver_done(&d, &r);
}

/* np defaults to sp, sp to p (RFC 9989 4.7), for a subdomain without a
 * record of its own. */
static void test_defaults_and_inheritance(void **state)
{
	static const struct zrr zone[] = {
		A("example.com"),
		A("sub.example.com"),
		TXT("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine"),
		A("example.net"),
		A("sub.example.net"),
		TXT("_dmarc.example.net", "v=DMARC1; p=reject"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "sub.example.com", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_int_equal(r.bis.source, DMARC_SOURCE_ORGANIZATIONAL);
	assert_policy(r.bis.policy, DMARC_POLICY_QUARANTINE);
	assert_policy(r.bis.subdomain_policy, DMARC_POLICY_QUARANTINE);
	assert_policy(r.bis.nonexistent_policy, DMARC_POLICY_QUARANTINE);
	assert_enf(r.bis.enforcement, DMARC_ENF_QUARANTINE);
	assert_policy(r.old.policy, DMARC_POLICY_QUARANTINE);
	assert_int_equal(r.old.source, DMARC_SOURCE_ORGANIZATIONAL);
	assert_int_equal(r.bis.pct, 100);
	assert_int_equal(r.old.pct, 100);
	/* The parsed record keeps what was published. */
	assert_policy(r.rec->np, DMARC_POLICY_UNSET);
	driver_done(&d, &r);

	check_domain(zone, "example.com", &r, &d);
	assert_int_equal(r.bis.source, DMARC_SOURCE_DOMAIN);
	assert_policy(r.bis.policy, DMARC_POLICY_REJECT);
	assert_policy(r.bis.subdomain_policy, DMARC_POLICY_QUARANTINE);
	assert_policy(r.bis.nonexistent_policy, DMARC_POLICY_QUARANTINE);
	assert_enf(r.bis.enforcement, DMARC_ENF_REJECT);
	driver_done(&d, &r);

	check_domain(zone, "sub.example.net", &r, &d);
	assert_policy(r.bis.policy, DMARC_POLICY_REJECT);
	assert_policy(r.bis.subdomain_policy, DMARC_POLICY_REJECT);
	assert_policy(r.bis.nonexistent_policy, DMARC_POLICY_REJECT);
	driver_done(&d, &r);
}

/* CASES B (skip): np applies to names that do not exist, sp to those that
 * do (even with NODATA for TXT). RFC 7489 has no np: its reading gives
 * non-existent names the sp policy. */
static void test_np_nonexistent(void **state)
{
	static const struct zrr zone[] = {
		A("example.com"),
		A("real.example.com"),
		TXT("_dmarc.example.com", "v=DMARC1; p=reject; sp=none; np=quarantine"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "real.example.com", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_policy(r.bis.policy, DMARC_POLICY_NONE);
	assert_policy(r.bis.subdomain_policy, DMARC_POLICY_NONE);
	assert_policy(r.bis.nonexistent_policy, DMARC_POLICY_QUARANTINE);
	assert_enf(r.bis.enforcement, DMARC_ENF_MONITOR);
	assert_policy(r.old.subdomain_policy, DMARC_POLICY_NONE);
	assert_policy(r.old.nonexistent_policy, DMARC_POLICY_NONE);
	driver_done(&d, &r);

	/* nx.example.com is NXDOMAIN. dmarc.h does not say whether
	 * dmarc_check tests the domain's existence, so "policy" may be sp
	 * (not tested) or np (tested); nonexistent_policy is np either way. */
	check_domain(zone, "nx.example.com", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_policy(r.bis.subdomain_policy, DMARC_POLICY_NONE);
	assert_policy(r.bis.nonexistent_policy, DMARC_POLICY_QUARANTINE);
	assert_true(r.bis.policy == DMARC_POLICY_NONE || r.bis.policy == DMARC_POLICY_QUARANTINE);
	driver_done(&d, &r);
}

/* t=y: one step less (RFC 9989): partial; RFC 7489 does not know t. */
static void test_testing(void **state)
{
	static const struct zrr zone[] = {
		TXT("_dmarc.r.example", "v=DMARC1; p=reject; t=y"),
		TXT("_dmarc.q.example", "v=DMARC1; p=quarantine; t=y"),
		TXT("_dmarc.n.example", "v=DMARC1; p=none; t=y"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "r.example", &r, &d);
	assert_true(r.bis.testing);
	assert_enf(r.bis.enforcement, DMARC_ENF_PARTIAL);
	assert_policy(r.bis.policy, DMARC_POLICY_REJECT);
	assert_false(r.old.testing);
	assert_enf(r.old.enforcement, DMARC_ENF_REJECT);
	driver_done(&d, &r);

	check_domain(zone, "q.example", &r, &d);
	assert_enf(r.bis.enforcement, DMARC_ENF_PARTIAL);
	assert_enf(r.old.enforcement, DMARC_ENF_QUARANTINE);
	driver_done(&d, &r);

	check_domain(zone, "n.example", &r, &d);
	assert_enf(r.bis.enforcement, DMARC_ENF_MONITOR);
	driver_done(&d, &r);
}

/* pct=50: RFC 9989 removed pct (reject stays reject); RFC 7489 applies
 * the policy to half the mail: partial. */
static void test_pct(void **state)
{
	static const struct zrr zone[] = {
		TXT("_dmarc.example.com", "v=DMARC1; p=reject; pct=50"),
		TXT("_dmarc.full.example", "v=DMARC1; p=reject; pct=100"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "example.com", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_int_equal(r.bis.pct, 100);
	assert_enf(r.bis.enforcement, DMARC_ENF_REJECT);
	assert_status(r.old.status, DMARC_STATUS_OK);
	assert_int_equal(r.old.pct, 50);
	assert_enf(r.old.enforcement, DMARC_ENF_PARTIAL);
	assert_true(r.readings_differ);
	assert_true(has_code(&r, "dmarc.removed_tag"));
	assert_int_equal(r.rec->pct, 50);
	driver_done(&d, &r);

	check_domain(zone, "full.example", &r, &d);
	assert_enf(r.old.enforcement, DMARC_ENF_REJECT);
	assert_int_equal(r.old.pct, 100);
	driver_done(&d, &r);
}

/* A missing p: RFC 9989 reads p=none when rua is valid; RFC 7489 does not
 * (CASES B skip). Without a valid rua both give up: posture says invalid
 * where mailauth says none, as in test_multiple_records. */
static void test_missing_p(void **state)
{
	static const struct zrr zone[] = {
		TXT("_dmarc.example.com", "v=DMARC1; rua=mailto:dmarc@example.com"),
		TXT("_dmarc.example.net", "v=DMARC1; adkim=s"),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "example.com", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_policy(r.bis.policy, DMARC_POLICY_NONE);
	assert_enf(r.bis.enforcement, DMARC_ENF_MONITOR);
	assert_status(r.old.status, DMARC_STATUS_INVALID);
	assert_enf(r.old.enforcement, DMARC_ENF_INVALID);
	assert_true(r.readings_differ);
	assert_true(has_code(&r, "dmarc.missing_p"));
	driver_done(&d, &r);

	check_domain(zone, "example.net", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_INVALID);
	assert_enf(r.bis.enforcement, DMARC_ENF_INVALID);
	assert_status(r.old.status, DMARC_STATUS_INVALID);
	driver_done(&d, &r);
}

/* A DNS failure decides nothing: temperror, never none/missing, and the
 * walk does not fall through to a parent it could not rule out. */
static void test_temperror(void **state)
{
	static const struct zrr zone[] = {
		FAIL("_dmarc.example.com", DNS_OUTCOME_TIMEOUT),
		FAIL("_dmarc.mail.example.net", DNS_OUTCOME_TIMEOUT),
		TXT("_dmarc.example.net", "v=DMARC1; p=reject"),
		FAIL("_dmarc.sf.example", DNS_OUTCOME_SERVFAIL),
		ZEND,
	};
	static const char *const names[] = { "example.com", "mail.example.net", "sf.example" };
	struct driver d;
	struct dmarc_result r;
	(void)state;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		check_domain(zone, names[i], &r, &d);
		if (r.bis.status != DMARC_STATUS_TEMPERROR)
			fail_msg("%s: status %s, want temperror", names[i],
			         dmarc_status_name(r.bis.status));
		assert_enf(r.bis.enforcement, DMARC_ENF_TEMPERROR);
		assert_true(r.bis.enforcement != DMARC_ENF_MISSING);
		assert_policy(r.bis.policy, DMARC_POLICY_UNSET);
		assert_status(r.old.status, DMARC_STATUS_TEMPERROR);
		assert_true(r.old.enforcement != DMARC_ENF_MISSING);
		driver_done(&d, &r);
	}
}

/* External report destinations need <domain>._report._dmarc.<host>
 * (CDM; RFC 9989, RFC 7489 7.1); destinations in the same organisational
 * domain need nothing. A DNS failure leaves it unknown, never "no". */
static void test_report_auth(void **state)
{
	static const struct zrr zone[] = {
		A("example.com"),
		TXT("_dmarc.example.com",
		    "v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@reports.example.com,"
		    "mailto:c@elsewhere.net,mailto:d@nowhere.net,mailto:e@flaky.net; "
		    "ruf=mailto:f@elsewhere.net"),
		TXT("example.com._report._dmarc.elsewhere.net", "v=DMARC1"),
		A("nowhere.net"),
		FAIL("example.com._report._dmarc.flaky.net", DNS_OUTCOME_TIMEOUT),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "example.com", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_non_null(r.rec);
	assert_int_equal(r.rec->nrua, 5);
	assert_int_equal(r.rec->rua[0].authorized, -1); /* the domain itself */
	assert_int_equal(r.rec->rua[1].authorized, -1); /* same organisational domain */
	assert_int_equal(r.rec->rua[2].authorized, 1);
	assert_int_equal(r.rec->rua[3].authorized, 0);
	assert_int_equal(r.rec->rua[4].authorized, -1); /* timeout: unknown */
	assert_int_equal(r.rec->nruf, 1);
	assert_int_equal(r.rec->ruf[0].authorized, 1);
	assert_true(was_asked(&d, "example.com._report._dmarc.elsewhere.net"));
	assert_true(was_asked(&d, "example.com._report._dmarc.nowhere.net"));
	assert_false(was_asked(&d, "example.com._report._dmarc.reports.example.com"));
	assert_false(was_asked(&d, "example.com._report._dmarc.example.com"));
	/* A failed authorisation check does not change the policy verdict,
	 * but it is said. */
	assert_enf(r.bis.enforcement, DMARC_ENF_REJECT);
	assert_true(has_code(&r, "dmarc.report_unchecked"));
	assert_true(has_code(&r, "dmarc.report_unauthorized"));
	driver_done(&d, &r);
}

/* A DNS failure above a name that has a policy keeps that policy, and says
 * the organisational domain may be higher than the walk could see. */
static void test_walk_incomplete(void **state)
{
	static const struct zrr zone[] = {
		TXT("_dmarc.mail.example.org", "v=DMARC1; p=quarantine; rua=mailto:a@example.org"),
		FAIL("_dmarc.example.org", DNS_OUTCOME_TIMEOUT),
		ZEND,
	};
	struct driver d;
	struct dmarc_result r;
	(void)state;

	check_domain(zone, "mail.example.org", &r, &d);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_enf(r.bis.enforcement, DMARC_ENF_QUARANTINE);
	assert_true(has_code(&r, "dmarc.walk_incomplete"));
	assert_false(has_code(&r, "dmarc.temperror"));
	driver_done(&d, &r);
}

/* psl_org_domain keeps answers per thread (by a hash of the name): asked
 * again in any order, for more names than it has room for (so names share
 * a place), and for a name too long to keep, every answer is the list's. */
/* dmarc_check of name with _dmarc.name holding text (len bytes) and
 * text2; every other name does not exist. */
static void check_with(const char *name, const char *text, size_t len, const char *text2,
                       struct dmarc_result *r, struct dns_memo **memo)
{
	struct spf_dns dns;
	*memo = dns_memo_new();
	dns = (struct spf_dns){ dns_memo_lookup, *memo, NULL };
	for (int round = 0; round < 20; round++) {
		assert_int_equal(dmarc_check(name, &dns, fake_org, r), 0);
		if (!r->pending)
			return;
		struct dns_answer a;
		memset(&a, 0, sizeof(a));
		snprintf(a.name, sizeof(a.name), "%s", r->need_name);
		a.type = r->need_type;
		a.outcome = DNS_OUTCOME_NXDOMAIN;
		a.rcode = 3;
		if (strncmp(r->need_name, "_dmarc.", 7) == 0 &&
		    strcmp(r->need_name + 7, name) == 0) {
			a.outcome = DNS_OUTCOME_DATA;
			a.rcode = 0;
			assert_int_equal(dns_answer_add(&a, DNS_TYPE_TXT, 0, text, len, NULL), 0);
			if (text2 != NULL)
				assert_int_equal(dns_answer_add(&a, DNS_TYPE_TXT, 0, text2,
				                                strlen(text2), NULL),
				                 0);
		}
		assert_int_equal(dns_memo_put(*memo, &a), 0);
		dns_answer_cleanup(&a);
		dmarc_result_cleanup(r);
	}
	fail_msg("dmarc_check of %s did not finish", name);
}

/* Records posture cannot read whole, through dmarc_check (issue 19 items
 * 2 and 7): a NUL byte makes the record invalid and the record is kept
 * whole (record_len counts past the NUL); one longer than
 * DNS_TXT_MAX_BYTES is invalid and not kept; a huge TXT record beside a
 * good one hides nothing. */
static void test_unreadable_records(void **state)
{
	static const char nul[] = "v=DMARC1; p=reject; rua=mailto:a@nul.example\0.evil.example";
	struct dmarc_result r;
	struct dns_memo *memo;
	struct dmarc_record *rec = NULL;
	(void)state;

	/* The parser: invalid in both readings, the NUL named. */
	assert_int_equal(dmarc_parse("v=DMARC1; p=reject\0", 19, &rec), 0);
	assert_true(rec->invalid && rec->invalid_7489);
	assert_true(findings_has(&rec->findings, "dmarc.syntax"));
	assert_string_equal(rec->findings.v[0].message,
	                    "the record \"v=DMARC1; p=reject\\000\" holds a NUL byte (\\000) at "
	                    "byte 18: receivers cannot read it");
	dmarc_record_free(rec);
	assert_false(dmarc_is_record("v=DMARC1\0; p=reject", 19));

	check_with("nul.example", nul, sizeof(nul) - 1, NULL, &r, &memo);
	assert_status(r.bis.status, DMARC_STATUS_INVALID);
	assert_status(r.old.status, DMARC_STATUS_INVALID);
	assert_int_equal(r.bis.record_len, sizeof(nul) - 1);
	assert_memory_equal(r.bis.record, nul, sizeof(nul));
	assert_int_equal(r.old.record_len, sizeof(nul) - 1);
	assert_null(r.rec);
	dmarc_result_cleanup(&r);
	dns_memo_free(memo);

	size_t n = 20000;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, 'x', n);
	memcpy(big, "v=DMARC1; p=reject; rua=", 24);
	check_with("long.example", big, n, NULL, &r, &memo);
	assert_status(r.bis.status, DMARC_STATUS_INVALID);
	assert_null(r.bis.record);
	assert_int_equal(r.bis.record_len, 0);
	assert_true(findings_has(&r.findings, "dmarc.syntax"));
	dmarc_result_cleanup(&r);
	dns_memo_free(memo);

	memcpy(big, "verification=", 13);
	check_with("beside.example", big, n, "v=DMARC1; p=reject", &r, &memo);
	assert_status(r.bis.status, DMARC_STATUS_OK);
	assert_int_equal(r.bis.policy, DMARC_POLICY_REJECT);
	assert_string_equal(r.bis.record, "v=DMARC1; p=reject");
	dmarc_result_cleanup(&r);
	dns_memo_free(memo);
	free(big);
}

static void test_psl_org_domain_recent(void **state)
{
	static const char *const cases[][2] = {
		{ "www.example.co.uk", "example.co.uk" },
		{ "a.b.example.com", "example.com" },
		{ "example.com", "example.com" },
		{ "co.uk", "co.uk" }, /* a public suffix: itself */
		{ "mail.example.org", "example.org" },
		{ "x.y.example.net", "example.net" },
	};
	const size_t n = sizeof(cases) / sizeof(cases[0]);
	char out[256];
	(void)state;

	for (size_t round = 0; round < 3; round++)
		for (size_t k = 0; k < n; k++) {
			size_t i = round == 1 ? n - 1 - k : (k * (round + 1)) % n;
			assert_int_equal(psl_org_domain(cases[i][0], out, sizeof(out)), 0);
			assert_string_equal(out, cases[i][1]);
			/* Right away again: from what it keeps. */
			assert_int_equal(psl_org_domain(cases[i][0], out, sizeof(out)), 0);
			assert_string_equal(out, cases[i][1]);
		}
	/* 2,000 names in 512 places: each place is taken over many times. */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 2000; i++) {
			char name[64];
			snprintf(name, sizeof(name), "h%d.%s", i,
			         i % 2 ? "example.co.uk" : "example.com");
			assert_int_equal(psl_org_domain(name, out, sizeof(out)), 0);
			assert_string_equal(out, i % 2 ? "example.co.uk" : "example.com");
		}
	char longname[300];
	memset(longname, 'a', 260);
	snprintf(longname + 260, sizeof(longname) - 260, ".example.com");
	for (int i = 0; i < 2; i++) {
		assert_int_equal(psl_org_domain(longname, out, sizeof(out)), 0);
		assert_string_equal(out, "example.com");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_record),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_replay_contract),
		cmocka_unit_test(test_walk_eight_queries),
		cmocka_unit_test(test_walk_to_parent),
		cmocka_unit_test(test_no_record),
		cmocka_unit_test(test_psd_n),
		cmocka_unit_test(test_psd_y_org_domain),
		cmocka_unit_test(test_psd_y_source),
		cmocka_unit_test(test_psd_own_record_wins),
		cmocka_unit_test(test_multiple_records),
		cmocka_unit_test(test_non_dmarc_txt_skipped),
		cmocka_unit_test(test_record_text),
		cmocka_unit_test(test_defaults_and_inheritance),
		cmocka_unit_test(test_np_nonexistent),
		cmocka_unit_test(test_testing),
		cmocka_unit_test(test_pct),
		cmocka_unit_test(test_missing_p),
		cmocka_unit_test(test_temperror),
		cmocka_unit_test(test_report_auth),
		cmocka_unit_test(test_walk_incomplete),
		cmocka_unit_test(test_psl_org_domain_recent),
		cmocka_unit_test(test_unreadable_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
