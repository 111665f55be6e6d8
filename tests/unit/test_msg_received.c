/*
 * Unit tests for msg_received.c against message.h: Received fields,
 * RFC 5322 dates and IP literal classes.
 *
 * The Received values are the forms the MTAs named write (the lines
 * marked "real" are copied from the mailauth messages of
 * tests/fixtures/headers/, MIT). Every expected field was read off the
 * value by hand, and every epoch computed by hand: days from 1970-01-01
 * to the first of the year (365 a year plus one per leap year), plus
 * the days of the months before, plus the day less one, times 86400,
 * plus the time, minus the zone. The ones used:
 *   2026-12-07 10:00:00 UTC: 56*365+14 = 20454; +334 (Jan-Nov) +6 = 20794
 *                            days -> 1796601600 + 36000 = 1796637600
 *   2020-01-01: 50*365+12 = 18262 days (2020 is a leap year)
 *   2020-11-02 09:56:57 UTC: 18262+305+1 = 18568 -> 1604275200+35817 = 1604311017
 *   2020-10-14 09:52:03 UTC: 18262+274+13 = 18549 -> 1602633600+35523 = 1602669123
 *   2020-11-06 12:54:00 UTC: 18568+4 = 18572 -> 1604620800+46440 = 1604667240
 *   2020-08-20 10:08:28 UTC: 18262+213+19 = 18494 -> 1597881600+36508 = 1597918108
 *   2020-08-23 06:10:00 UTC: 18497 -> 1598140800+22200 = 1598163000
 *   1999-01-01 00:00:00 UTC: 29*365+7 = 10592 -> 915148800
 *   2024-02-29 00:00:00 UTC: 54*365+13 = 19723; +31+28 = 19782 -> 1709164800
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "message.h"

#define DEC7 1796637600LL /* 2026-12-07 10:00:00 UTC */

/* ---- Received: each MTA's form ---- */

static void test_postfix(void **state)
{
	struct msg_received r;

	(void)state;
	msg_received_parse("from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.net "
	                   "(Postfix) with ESMTPS id 4ABC for <u@example.net>; Mon, 7 Dec 2026 "
	                   "10:00:00 +0000 (UTC)",
	                   &r);
	assert_true(r.parsed);
	assert_string_equal(r.from_clause, "mail.example.com (mail.example.com [192.0.2.1])");
	assert_string_equal(r.from_host, "mail.example.com");
	assert_string_equal(r.from_rdns, "mail.example.com");
	assert_string_equal(r.from_ip, "192.0.2.1");
	assert_int_equal(r.from_ip_class, MSG_ADDR_RESERVED);
	assert_string_equal(r.by_host, "mx.example.net");
	assert_string_equal(r.with, "ESMTPS");
	assert_string_equal(r.id, "4ABC");
	assert_string_equal(r.for_addr, "u@example.net");
	assert_string_equal(r.date_text, "Mon, 7 Dec 2026 10:00:00 +0000 (UTC)");
	assert_int_equal(r.when, DEC7);

	/* Postfix when the reverse lookup failed, and an IPv6 client. */
	msg_received_parse(
	        "from helo.example (unknown [IPv6:2001:DB8:0:0:0:0:0:1]) by mx.example.net "
	        "(Postfix) with ESMTP id 5DEF; Mon, 7 Dec 2026 10:00:00 +0000",
	        &r);
	assert_string_equal(r.from_host, "helo.example");
	assert_string_equal(r.from_rdns, "");
	assert_string_equal(r.from_ip, "2001:db8::1");
	assert_int_equal(r.from_ip_class, MSG_ADDR_RESERVED);
	assert_string_equal(r.for_addr, "");
}

/* Real (message4.eml): TLS comments between the clauses hold "with". */
static void test_postfix_tls_comments(void **state)
{
	struct msg_received r;

	(void)state;
	msg_received_parse(
	        "from m32-19.eu.mailgun.net (m32-19.eu.mailgun.net [141.193.32.19]) (using TLSv1.2 "
	        "with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)) (No client certificate "
	        "requested) by uvn-67-33.tll01.zonevs.eu (Postfix) with ESMTPS id 7590982266 for "
	        "<andris@ekiri.ee>; Wed, 14 Oct 2020 12:52:03 +0300 (EEST)",
	        &r);
	assert_string_equal(r.from_clause,
	                    "m32-19.eu.mailgun.net (m32-19.eu.mailgun.net [141.193.32.19]) (using "
	                    "TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)) (No "
	                    "client certificate requested)");
	assert_string_equal(r.from_host, "m32-19.eu.mailgun.net");
	assert_string_equal(r.from_rdns, "m32-19.eu.mailgun.net");
	assert_string_equal(r.from_ip, "141.193.32.19");
	assert_int_equal(r.from_ip_class, MSG_ADDR_PUBLIC);
	assert_string_equal(r.by_host, "uvn-67-33.tll01.zonevs.eu");
	assert_string_equal(r.with, "ESMTPS");
	assert_string_equal(r.id, "7590982266");
	assert_string_equal(r.for_addr, "andris@ekiri.ee");
	assert_int_equal(r.when, 1602669123LL);
}

static void test_gmail(void **state)
{
	struct msg_received r;

	(void)state;
	msg_received_parse("from mail.example.com (mail.example.com. [192.0.2.1]) by mx.google.com "
	                   "with ESMTPS id a1si123.45.2026.12.07.02.00.00 for <u@gmail.com> "
	                   "(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Mon, 07 "
	                   "Dec 2026 02:00:00 -0800 (PST)",
	                   &r);
	assert_true(r.parsed);
	assert_string_equal(r.from_host, "mail.example.com");
	assert_string_equal(r.from_rdns, "mail.example.com"); /* the trailing dot goes */
	assert_string_equal(r.from_ip, "192.0.2.1");
	assert_string_equal(r.by_host, "mx.google.com");
	assert_string_equal(r.with, "ESMTPS");
	assert_string_equal(r.id, "a1si123.45.2026.12.07.02.00.00");
	assert_string_equal(r.for_addr, "u@gmail.com");
	assert_string_equal(r.date_text, "Mon, 07 Dec 2026 02:00:00 -0800 (PST)");
	assert_int_equal(r.when, DEC7);
}

/* Gmail's internal hops: "by" an IPv6 address, no "from". */
static void test_gmail_internal(void **state)
{
	struct msg_received r;

	(void)state;
	msg_received_parse("by 2002:a05:6a10:c5c7:0:0:0:0 with SMTP id x12csp345678; Mon, 7 Dec "
	                   "2026 02:00:01 -0800 (PST)",
	                   &r);
	assert_true(r.parsed);
	assert_string_equal(r.from_clause, "");
	assert_string_equal(r.from_host, "");
	assert_string_equal(r.from_ip, "");
	assert_int_equal(r.from_ip_class, MSG_ADDR_NONE);
	assert_string_equal(r.by_host, "2002:a05:6a10:c5c7:0:0:0:0");
	assert_string_equal(r.with, "SMTP");
	assert_string_equal(r.id, "x12csp345678");
	assert_int_equal(r.when, DEC7 + 1);
}

static void test_exim(void **state)
{
	struct msg_received r;

	(void)state;
	msg_received_parse("from [198.51.100.7] (helo=client.example) by smtp.example.org with "
	                   "esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from "
	                   "<a@example.org>) id 1kXyZ-0003-AB for b@example.net; Mon, 07 Dec 2026 "
	                   "11:00:00 +0100",
	                   &r);
	assert_true(r.parsed);
	assert_string_equal(r.from_clause, "[198.51.100.7] (helo=client.example)");
	assert_string_equal(r.from_host, "client.example"); /* the HELO */
	assert_string_equal(r.from_rdns, "");
	assert_string_equal(r.from_ip, "198.51.100.7");
	assert_int_equal(r.from_ip_class, MSG_ADDR_RESERVED);
	assert_string_equal(r.by_host, "smtp.example.org");
	assert_string_equal(r.with, "esmtpsa");
	assert_string_equal(r.id, "1kXyZ-0003-AB");
	assert_string_equal(r.for_addr, "b@example.net");
	assert_int_equal(r.when, DEC7);

	/* Exim with a reverse name, a port after the literal and the HELO. */
	msg_received_parse(
	        "from mx.rdns.example ([93.184.216.34]:51234 helo=Helo.Example) by "
	        "smtp.example.org with esmtps (TLS1.2) id 1kXyZ-0004-CD; Mon, 07 Dec 2026 "
	        "10:00:00 +0000",
	        &r);
	assert_string_equal(r.from_host, "helo.example");
	assert_string_equal(r.from_rdns, "mx.rdns.example");
	assert_string_equal(r.from_ip, "93.184.216.34");
	assert_int_equal(r.from_ip_class, MSG_ADDR_PUBLIC);
	assert_string_equal(r.with, "esmtps");
}

static void test_microsoft(void **state)
{
	struct msg_received r;

	(void)state;
	msg_received_parse("from DM6PR02MB1234.namprd02.prod.outlook.com (2603:10b6:5:1c0::18) by "
	                   "BN6PR02MB5678.namprd02.prod.outlook.com with HTTPS; Mon, 7 Dec 2026 "
	                   "10:00:00 +0000",
	                   &r);
	assert_true(r.parsed);
	assert_string_equal(r.from_host, "dm6pr02mb1234.namprd02.prod.outlook.com");
	assert_string_equal(r.from_rdns, "");
	assert_string_equal(r.from_ip, "2603:10b6:5:1c0::18");
	assert_int_equal(r.from_ip_class, MSG_ADDR_PUBLIC);
	assert_string_equal(r.by_host, "bn6pr02mb5678.namprd02.prod.outlook.com");
	assert_string_equal(r.with, "HTTPS");
	assert_string_equal(r.id, "");
	assert_int_equal(r.when, DEC7);

	/* The SMTP form: "with Microsoft SMTP Server (...)", then id and via. */
	msg_received_parse("from DM6PR02MB1234.namprd02.prod.outlook.com (2603:10b6:5:1c0::18) by "
	                   "BN6PR02MB5678.namprd02.prod.outlook.com (2603:10b6:5:1c0::20) with "
	                   "Microsoft SMTP Server (version=TLS1_2, "
	                   "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5123.12 via "
	                   "Frontend Transport; Mon, 7 Dec 2026 10:00:00 +0000",
	                   &r);
	assert_string_equal(r.with, "Microsoft");
	assert_string_equal(r.id, "15.20.5123.12");
	assert_string_equal(r.by_host, "bn6pr02mb5678.namprd02.prod.outlook.com");
}

static void test_sendmail(void **state)
{
	struct msg_received r;

	(void)state;
	msg_received_parse("from client.example (localhost [127.0.0.1]) by host.example "
	                   "(8.15.2/8.15.2) with ESMTP id 0B7A0000; Mon, 7 Dec 2026 05:00:00 EST",
	                   &r);
	assert_true(r.parsed);
	assert_string_equal(r.from_host, "client.example");
	assert_string_equal(r.from_rdns, "localhost");
	assert_string_equal(r.from_ip, "127.0.0.1");
	assert_int_equal(r.from_ip_class, MSG_ADDR_LOOPBACK);
	assert_string_equal(r.by_host, "host.example");
	assert_string_equal(r.with, "ESMTP");
	assert_string_equal(r.id, "0B7A0000");
	assert_int_equal(r.when, DEC7);

	/* The ident form and the "(may be forged)" comment inside. */
	msg_received_parse(
	        "from helo.example (user@rdns.example [10.1.2.3] (may be forged)) by "
	        "host.example (8.15.2/8.15.2) with ESMTP id 0B7A0001 for <x@host.example>; "
	        "Mon, 7 Dec 2026 10:00:00 +0000",
	        &r);
	assert_string_equal(r.from_host, "helo.example");
	assert_string_equal(r.from_rdns, "rdns.example");
	assert_string_equal(r.from_ip, "10.1.2.3");
	assert_int_equal(r.from_ip_class, MSG_ADDR_PRIVATE);
	assert_string_equal(r.for_addr, "x@host.example");
}

static void test_qmail(void **state)
{
	struct msg_received r;

	(void)state;
	/* Nothing but a date: not parsed, the date still read. */
	msg_received_parse("(qmail 12345 invoked by uid 89); 7 Dec 2026 10:00:00 -0000", &r);
	assert_false(r.parsed);
	assert_string_equal(r.from_host, "");
	assert_string_equal(r.by_host, "");
	assert_string_equal(r.date_text, "7 Dec 2026 10:00:00 -0000");
	assert_int_equal(r.when, DEC7);

	msg_received_parse("from unknown (HELO x) (192.0.2.9) by mx.example with SMTP; 7 Dec 2026 "
	                   "10:00:00 -0000",
	                   &r);
	assert_true(r.parsed);
	assert_string_equal(r.from_host, "x");
	assert_string_equal(r.from_rdns, "");
	assert_string_equal(r.from_ip, "192.0.2.9");
	assert_int_equal(r.from_ip_class, MSG_ADDR_RESERVED);
	assert_string_equal(r.by_host, "mx.example");
	assert_string_equal(r.with, "SMTP");
	assert_int_equal(r.when, DEC7);

	msg_received_parse("from rdns.example (HELO helo.example) (user@100.64.0.1) by mx.example "
	                   "with SMTP; 7 Dec 2026 10:00:00 -0000",
	                   &r);
	assert_string_equal(r.from_host, "helo.example");
	assert_string_equal(r.from_rdns, "rdns.example");
	assert_string_equal(r.from_ip, "100.64.0.1");
	assert_int_equal(r.from_ip_class, MSG_ADDR_PRIVATE);
}

/* Real forms from the mailauth messages (ZoneMTA, Mailgun, Haraka). */
static void test_real_forms(void **state)
{
	struct msg_received r;

	(void)state;
	msg_received_parse(
	        "from foo [127.0.0.1] by srs3.zonevs.eu (ZoneMTA Forwarder) with ESMTP id "
	        "175886347950003d56.001 for <andris@tr.ee>; Mon, 02 Nov 2020 09:56:57 +0000",
	        &r);
	assert_string_equal(r.from_clause, "foo [127.0.0.1]");
	assert_string_equal(r.from_host, "foo");
	assert_string_equal(r.from_ip, "127.0.0.1");
	assert_int_equal(r.from_ip_class, MSG_ADDR_LOOPBACK);
	assert_string_equal(r.by_host, "srs3.zonevs.eu");
	assert_string_equal(r.id, "175886347950003d56.001");
	assert_string_equal(r.for_addr, "andris@tr.ee");
	assert_int_equal(r.when, 1604311017LL);

	/* The HELO was a literal; the receiver noted the real client. */
	msg_received_parse("from [127.0.0.1] (134-247-159-217.sta.estpak.ee [217.159.247.134]) by "
	                   "smtp-out-n04.prod.eu-central-1.postgun.com with SMTP id "
	                   "5fa547684432cd880f339347 (version=TLS1.3, "
	                   "cipher=TLS_AES_128_GCM_SHA256); Fri, 06 Nov 2020 12:54:00 GMT",
	                   &r);
	assert_string_equal(r.from_host, "[127.0.0.1]");
	assert_string_equal(r.from_rdns, "134-247-159-217.sta.estpak.ee");
	assert_string_equal(r.from_ip, "217.159.247.134");
	assert_int_equal(r.from_ip_class, MSG_ADDR_PUBLIC);
	assert_string_equal(r.id, "5fa547684432cd880f339347");
	assert_int_equal(r.when, 1604667240LL);

	msg_received_parse("from m32-12.eu.mailgun.net (m32-12.eu.mailgun.net [141.193.32.12]) by "
	                   "mx.ethereal.email (Haraka/2.8.25) with ESMTPS id "
	                   "2574DCE9-AA6B-494F-A2DB-9403F22A7B4A.1 envelope-from "
	                   "<bounce+9eed13.94256-andris=ethereal.email@mail.projectpending.com> "
	                   "(cipher=TLS_AES_256_GCM_SHA384); Thu, 20 Aug 2020 10:08:28 +0000",
	                   &r);
	assert_string_equal(r.by_host, "mx.ethereal.email");
	assert_string_equal(r.id, "2574DCE9-AA6B-494F-A2DB-9403F22A7B4A.1");
	assert_string_equal(r.for_addr, "");
	assert_int_equal(r.when, 1597918108LL);

	msg_received_parse("by luna.mailgun.net with HTTP; Sun, 23 Aug 2020 06:10:00 +0000", &r);
	assert_true(r.parsed);
	assert_string_equal(r.by_host, "luna.mailgun.net");
	assert_string_equal(r.with, "HTTP");
	assert_int_equal(r.when, 1598163000LL);
}

static void test_received_odd(void **state)
{
	struct msg_received r;
	char big[3000];

	(void)state;
	/* "by" before "from". */
	msg_received_parse(
	        "by mx.example with LMTP from client.example (rdns.example [192.0.2.3]); "
	        "Mon, 7 Dec 2026 10:00:00 +0000",
	        &r);
	assert_string_equal(r.by_host, "mx.example");
	assert_string_equal(r.with, "LMTP");
	assert_string_equal(r.from_host, "client.example");
	assert_string_equal(r.from_ip, "192.0.2.3");
	/* Nothing readable. */
	msg_received_parse("", &r);
	assert_false(r.parsed);
	assert_int_equal(r.when, -1);
	assert_string_equal(r.date_text, "");
	msg_received_parse(NULL, &r);
	assert_false(r.parsed);
	msg_received_parse("garbage here", &r);
	assert_false(r.parsed);
	assert_int_equal(r.when, -1);
	/* A date that is no date. */
	msg_received_parse("from a by b; yesterday", &r);
	assert_true(r.parsed);
	assert_string_equal(r.date_text, "yesterday");
	assert_int_equal(r.when, -1);
	/* A comment that never closes runs to the end: its ';' still ends the stamp. */
	msg_received_parse("from a (b [192.0.2.1] by c; Mon, 7 Dec 2026 10:00:00 +0000", &r);
	assert_string_equal(r.from_host, "a");
	assert_string_equal(r.from_ip, "192.0.2.1");
	assert_string_equal(r.by_host, "");
	assert_int_equal(r.when, DEC7);
	/* A host name longer than the buffer is cut to it. */
	memcpy(big, "from ", 5);
	memset(big + 5, 'a', sizeof(big) - 6);
	big[sizeof(big) - 1] = '\0';
	msg_received_parse(big, &r);
	assert_int_equal(strlen(r.from_host), MSG_DOMAIN - 1);
	assert_int_equal(strlen(r.from_clause), MSG_TEXT - 1);
}

/* ---- dates ---- */

static void test_date_forms(void **state)
{
	(void)state;
	assert_int_equal(msg_date_parse("Mon, 7 Dec 2026 10:00:00 +0000"), DEC7);
	assert_int_equal(msg_date_parse("Monday, 07 December 2026 10:00:00 +0000"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:00 +0000"), DEC7);     /* no weekday */
	assert_int_equal(msg_date_parse("Mon, 7 Dec 2026 10:00 +0000"), DEC7);   /* no seconds */
	assert_int_equal(msg_date_parse("Mon 7 Dec 2026 10:00:00 +0000"), DEC7); /* no comma */
	assert_int_equal(msg_date_parse("  Mon,  7  Dec  2026  10 : 00 : 00  +0000  "), DEC7);
	assert_int_equal(msg_date_parse("Mon, 7 Dec 2026 10:00:00 +0000 (UTC)"), DEC7);
	assert_int_equal(msg_date_parse("Mon, 7 Dec 2026 10:00:00 -0000 (Coordinated Universal)"),
	                 DEC7);
	assert_int_equal(msg_date_parse("(comment) Mon, 7 (x) Dec 2026 10:00:00 +0000"), DEC7);
	/* Two-digit (1950-2049) and three-digit (+1900) years. */
	assert_int_equal(msg_date_parse("7 Dec 26 10:00:00 +0000"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 126 10:00:00 +0000"), DEC7);
	assert_int_equal(msg_date_parse("1 Jan 99 00:00:00 +0000"), 915148800LL);
	assert_int_equal(msg_date_parse("1 Jan 70 00:00:00 +0000"), 0);
	/* Numeric zones. */
	assert_int_equal(msg_date_parse("7 Dec 2026 15:30:00 +0530"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 15:30:00 +05:30"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 02:00:00 -0800"), DEC7);
	assert_int_equal(msg_date_parse("8 Dec 2026 00:00:00 +1400"), DEC7);
	/* A leap day, and the asctime form some MTAs stamp. */
	assert_int_equal(msg_date_parse("Thu, 29 Feb 2024 00:00:00 +0000"), 1709164800LL);
	assert_int_equal(msg_date_parse("Mon Dec  7 10:00:00 2026"), DEC7);
	assert_int_equal(msg_date_parse("Mon Dec  7 10:00:00 2026 +0000"), DEC7);
}

/* RFC 5322 4.3: the named zones, and the military letters read as -0000. */
static void test_date_zones(void **state)
{
	(void)state;
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:00 UT"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:00 GMT"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 05:00:00 EST"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 06:00:00 EDT"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 04:00:00 CST"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 05:00:00 CDT"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 03:00:00 MST"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 04:00:00 MDT"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 02:00:00 PST"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 03:00:00 pdt"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:00 A"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:00 M"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:00 N"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:00 Z"), DEC7);
	/* An unknown name is -0000 too; no zone at all is read as UTC. */
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:00 EET"), DEC7);
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:00"), DEC7);
}

static void test_date_bad(void **state)
{
	(void)state;
	assert_int_equal(msg_date_parse(NULL), -1);
	assert_int_equal(msg_date_parse(""), -1);
	assert_int_equal(msg_date_parse("yesterday"), -1);
	assert_int_equal(msg_date_parse("Mon,"), -1);
	assert_int_equal(msg_date_parse("32 Dec 2026 10:00:00 +0000"), -1);
	assert_int_equal(msg_date_parse("29 Feb 2026 10:00:00 +0000"), -1); /* not a leap year */
	assert_int_equal(msg_date_parse("0 Dec 2026 10:00:00 +0000"), -1);
	assert_int_equal(msg_date_parse("7 Foo 2026 10:00:00 +0000"), -1);
	assert_int_equal(msg_date_parse("7 Dec 2026 24:00:00 +0000"), -1);
	assert_int_equal(msg_date_parse("7 Dec 2026 10:60:00 +0000"), -1);
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:61 +0000"), -1);
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:00 +0060"), -1);
	assert_int_equal(msg_date_parse("7 Dec 2026 10:00:00 +00"), -1);
	assert_int_equal(msg_date_parse("7 Dec 20266 10:00:00 +0000"), -1);
	assert_int_equal(msg_date_parse("7 Dec 1800 10:00:00 +0000"), -1);
	assert_int_equal(msg_date_parse("7 Dec 2026"), -1);
	assert_int_equal(msg_date_parse("Foo, 7 Dec 2026 10:00:00 +0000"), -1);
}

/* ---- addresses ---- */

static void test_addr_v4(void **state)
{
	(void)state;
	assert_int_equal(msg_addr_classify("8.8.8.8"), MSG_ADDR_PUBLIC);
	assert_int_equal(msg_addr_classify("[93.184.216.34]"), MSG_ADDR_PUBLIC);
	assert_int_equal(msg_addr_classify("10.0.0.1"), MSG_ADDR_PRIVATE);
	assert_int_equal(msg_addr_classify("172.16.0.1"), MSG_ADDR_PRIVATE);
	assert_int_equal(msg_addr_classify("172.31.255.255"), MSG_ADDR_PRIVATE);
	assert_int_equal(msg_addr_classify("172.32.0.1"), MSG_ADDR_PUBLIC);
	assert_int_equal(msg_addr_classify("172.15.255.255"), MSG_ADDR_PUBLIC);
	assert_int_equal(msg_addr_classify("192.168.1.1"), MSG_ADDR_PRIVATE);
	assert_int_equal(msg_addr_classify("100.64.0.1"), MSG_ADDR_PRIVATE);
	assert_int_equal(msg_addr_classify("100.127.255.255"), MSG_ADDR_PRIVATE);
	assert_int_equal(msg_addr_classify("100.128.0.1"), MSG_ADDR_PUBLIC);
	assert_int_equal(msg_addr_classify("127.0.0.1"), MSG_ADDR_LOOPBACK);
	assert_int_equal(msg_addr_classify("127.255.0.9"), MSG_ADDR_LOOPBACK);
	assert_int_equal(msg_addr_classify("169.254.1.1"), MSG_ADDR_LINK_LOCAL);
	assert_int_equal(msg_addr_classify("0.1.2.3"), MSG_ADDR_RESERVED);
	assert_int_equal(msg_addr_classify("192.0.2.1"), MSG_ADDR_RESERVED);
	assert_int_equal(msg_addr_classify("198.51.100.7"), MSG_ADDR_RESERVED);
	assert_int_equal(msg_addr_classify("203.0.113.9"), MSG_ADDR_RESERVED);
	assert_int_equal(msg_addr_classify("224.0.0.1"), MSG_ADDR_RESERVED);
	assert_int_equal(msg_addr_classify("239.255.255.255"), MSG_ADDR_RESERVED);
	assert_int_equal(msg_addr_classify("240.0.0.1"), MSG_ADDR_RESERVED);
	assert_int_equal(msg_addr_classify("255.255.255.255"), MSG_ADDR_RESERVED);
	assert_int_equal(msg_addr_classify("192.0.3.1"), MSG_ADDR_PUBLIC);
	assert_int_equal(msg_addr_classify("223.255.255.255"), MSG_ADDR_PUBLIC);
}

static void test_addr_v6(void **state)
{
	(void)state;
	assert_int_equal(msg_addr_classify("2603:10b6:5:1c0::18"), MSG_ADDR_PUBLIC);
	assert_int_equal(msg_addr_classify("[IPv6:2a00:1450:4001::1]"), MSG_ADDR_PUBLIC);
	assert_int_equal(msg_addr_classify("::1"), MSG_ADDR_LOOPBACK);
	assert_int_equal(msg_addr_classify("[IPv6:::1]"), MSG_ADDR_LOOPBACK);
	assert_int_equal(msg_addr_classify("::"), MSG_ADDR_RESERVED);
	assert_int_equal(msg_addr_classify("fc00::1"), MSG_ADDR_PRIVATE);
	assert_int_equal(msg_addr_classify("fd12:3456::1"), MSG_ADDR_PRIVATE);
	assert_int_equal(msg_addr_classify("fe80::1"), MSG_ADDR_LINK_LOCAL);
	assert_int_equal(msg_addr_classify("fe80::1%eth0"), MSG_ADDR_LINK_LOCAL);
	assert_int_equal(msg_addr_classify("febf::1"), MSG_ADDR_LINK_LOCAL);
	assert_int_equal(msg_addr_classify("2001:db8::1"), MSG_ADDR_RESERVED);
	assert_int_equal(msg_addr_classify("2001:DB8:ffff::1"), MSG_ADDR_RESERVED);
	assert_int_equal(msg_addr_classify("2001:db9::1"), MSG_ADDR_PUBLIC);
	assert_int_equal(msg_addr_classify("ff02::1"), MSG_ADDR_RESERVED);
	/* Mapped and NAT64 addresses are the IPv4 address they carry. */
	assert_int_equal(msg_addr_classify("::ffff:10.1.2.3"), MSG_ADDR_PRIVATE);
	assert_int_equal(msg_addr_classify("::ffff:127.0.0.1"), MSG_ADDR_LOOPBACK);
	assert_int_equal(msg_addr_classify("::ffff:8.8.8.8"), MSG_ADDR_PUBLIC);
	assert_int_equal(msg_addr_classify("64:ff9b::c000:201"), MSG_ADDR_RESERVED);
}

static void test_addr_none(void **state)
{
	(void)state;
	assert_int_equal(msg_addr_classify(NULL), MSG_ADDR_NONE);
	assert_int_equal(msg_addr_classify(""), MSG_ADDR_NONE);
	assert_int_equal(msg_addr_classify("[]"), MSG_ADDR_NONE);
	assert_int_equal(msg_addr_classify("mail.example.com"), MSG_ADDR_NONE);
	assert_int_equal(msg_addr_classify("192.0.2"), MSG_ADDR_NONE);
	assert_int_equal(msg_addr_classify("192.0.2.256"), MSG_ADDR_NONE);
	assert_int_equal(msg_addr_classify("1::2::3"), MSG_ADDR_NONE);
	assert_string_equal(msg_addr_class_name(MSG_ADDR_NONE), "none");
	assert_string_equal(msg_addr_class_name(MSG_ADDR_PUBLIC), "public");
	assert_string_equal(msg_addr_class_name(MSG_ADDR_PRIVATE), "private");
	assert_string_equal(msg_addr_class_name(MSG_ADDR_LOOPBACK), "loopback");
	assert_string_equal(msg_addr_class_name(MSG_ADDR_LINK_LOCAL), "link_local");
	assert_string_equal(msg_addr_class_name(MSG_ADDR_RESERVED), "reserved");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postfix),    cmocka_unit_test(test_postfix_tls_comments),
		cmocka_unit_test(test_gmail),      cmocka_unit_test(test_gmail_internal),
		cmocka_unit_test(test_exim),       cmocka_unit_test(test_microsoft),
		cmocka_unit_test(test_sendmail),   cmocka_unit_test(test_qmail),
		cmocka_unit_test(test_real_forms), cmocka_unit_test(test_received_odd),
		cmocka_unit_test(test_date_forms), cmocka_unit_test(test_date_zones),
		cmocka_unit_test(test_date_bad),   cmocka_unit_test(test_addr_v4),
		cmocka_unit_test(test_addr_v6),    cmocka_unit_test(test_addr_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
