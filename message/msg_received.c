/*
 * msg_received.c — Received fields (RFC 5321 4.4, RFC 5322 3.6.7), the
 * dates they end with (RFC 5322 3.3 and the obsolete forms of 4.3), and
 * what kind of address an IP literal is.
 *
 *   Stamp = From-domain By-domain Opt-info [CFWS] ";" FWS date-time
 *   From-domain = "FROM" FWS Extended-Domain
 *   Extended-Domain = Domain / ( Domain FWS "(" TCP-info ")" ) /
 *                     ( address-literal FWS "(" TCP-info ")" )
 *   Opt-info = [Via] [With] [ID] [For] [Additional-Registered-Clauses]
 *
 * Real MTAs bend it, and every form below is read:
 *   Postfix   from HELO (rdns [ip]) by host (Postfix) with ESMTPS id X for <a>; date
 *   Gmail     from HELO (rdns. [ip]) by mx.google.com with ESMTPS id X for <a> (tls); date
 *             by 2002:a05:... with SMTP id X; date            (no "from" at all)
 *   Exim      from [ip] (helo=HELO) by host with esmtpsa (TLS1.3) tls ... (Exim 4.96)
 *             (envelope-from <a>) id X for a; date;  or from rdns ([ip] helo=HELO)
 *   Microsoft from HOST (2603:10b6:...) by HOST (2603:...) with Microsoft SMTP Server
 *             (version=...) id 15.20...; date            (the IP bare in the comment)
 *   Sendmail  from HELO (rdns [ip]) by host (8.15.2/8.15.2) with ESMTP id X; date
 *   qmail     from rdns-or-unknown (HELO x) (ip) by host with SMTP; date
 *             (qmail 12345 invoked by uid 89); date      (nothing but a date)
 * The clauses are found by their keywords outside comments, in any
 * order; the date is what follows the last ';' outside comments.
 */
#include "message.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "strutil.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* s[0..n) is word (ASCII case-insensitive). */
static bool span_is(const char *s, size_t n, const char *word)
{
	size_t i = 0;

	for (; i < n && word[i] != '\0'; i++)
		if (str_lower(s[i]) != str_lower(word[i]))
			return false;
	return i == n && word[i] == '\0';
}

/* Copies s[0..n) into dst (size bytes), cut on a UTF-8 boundary so a
 * multi-byte character is never left half; fold lower-cases ASCII. */
static void copy_span(char *dst, size_t size, const char *s, size_t n, bool fold)
{
	size_t k = n < size ? n : size - 1;

	if (k < n) /* cut: never before a continuation byte */
		while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
	if (k > 0) /* s may be NULL for an empty span */
		memcpy(dst, s, k);
	for (size_t i = 0; fold && i < k; i++)
		dst[i] = str_lower(dst[i]);
	dst[k] = '\0';
}

/* ---- addresses ---- */

const char *msg_addr_class_name(enum msg_addr_class c)
{
	switch (c) {
	case MSG_ADDR_PUBLIC:
		return "public";
	case MSG_ADDR_PRIVATE:
		return "private";
	case MSG_ADDR_LOOPBACK:
		return "loopback";
	case MSG_ADDR_LINK_LOCAL:
		return "link_local";
	case MSG_ADDR_RESERVED:
		return "reserved";
	case MSG_ADDR_NONE:
	default:
		return "none";
	}
}

/* An IP literal's bytes: brackets, RFC 5321 4.1.3's "IPv6:" tag and an
 * RFC 4007 zone index ("%eth0") are left out. family is 4 or 6. */
static bool addr_bytes(const char *s, size_t n, unsigned char out[16], int *family)
{
	char buf[64];
	const char *pct;

	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n >= 5 && span_is(s, 5, "IPv6:")) {
		s += 5;
		n -= 5;
	}
	pct = memchr(s, '%', n);
	if (pct != NULL)
		n = (size_t)(pct - s);
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, out) == 1) {
		*family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, buf, out) == 1) {
		*family = 6;
		return true;
	}
	return false;
}

/* RFC 6890 (special-purpose IPv4 registry), RFC 1918, RFC 6598, RFC 5737. */
static enum msg_addr_class class_v4(const unsigned char *a)
{
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 100 && (a[1] & 0xC0) == 64))
		return MSG_ADDR_PRIVATE;
	if (a[0] == 127)
		return MSG_ADDR_LOOPBACK;
	if (a[0] == 169 && a[1] == 254)
		return MSG_ADDR_LINK_LOCAL;
	if (a[0] == 0 || a[0] >= 224 || (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) ||
	    (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
	    (a[0] == 203 && a[1] == 0 && a[2] == 113) || (a[0] == 198 && (a[1] & 0xFE) == 18))
		return MSG_ADDR_RESERVED;
	return MSG_ADDR_PUBLIC;
}

/* RFC 6890 (special-purpose IPv6 registry), RFC 4193, RFC 4291, RFC 3849,
 * RFC 9637. A mapped (::ffff:0:0/96) or NAT64 (64:ff9b::/96) address is
 * the IPv4 address it carries. */
static enum msg_addr_class class_v6(const unsigned char *a)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	static const unsigned char zero[16];

	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return class_v4(a + 12);
	if (memcmp(a, zero, 15) == 0)
		return a[15] == 1 ? MSG_ADDR_LOOPBACK : MSG_ADDR_RESERVED;
	if ((a[0] & 0xFE) == 0xFC)
		return MSG_ADDR_PRIVATE;
	if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80)
		return MSG_ADDR_LINK_LOCAL;
	/* Outside 2000::/3 (global unicast) all is special or unassigned:
	 * multicast ff00::/8, site-local fec0::/10, ::/8, 100::/64... */
	if ((a[0] & 0xE0) != 0x20)
		return MSG_ADDR_RESERVED;
	if ((a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) ||
	    (a[0] == 0x3f && a[1] == 0xff && (a[2] & 0xF0) == 0))
		return MSG_ADDR_RESERVED; /* documentation: 2001:db8::/32, 3fff::/20 */
	return MSG_ADDR_PUBLIC;
}

enum msg_addr_class msg_addr_classify(const char *ip)
{
	unsigned char a[16];
	int family;

	if (ip == NULL || !addr_bytes(ip, strlen(ip), a, &family))
		return MSG_ADDR_NONE;
	return family == 4 ? class_v4(a) : class_v6(a);
}

/* The literal s[0..n) in canonical text (RFC 5952 for IPv6) into out
 * (MSG_WORD bytes). False when it is no IP literal. */
static bool addr_canon(const char *s, size_t n, char *out)
{
	unsigned char a[16];
	int family;

	if (!addr_bytes(s, n, a, &family))
		return false;
	return inet_ntop(family == 4 ? AF_INET : AF_INET6, a, out, MSG_WORD) != NULL;
}

/* ---- tokens ---- */

/* A word (a run up to white space or '(') or a comment (its inside,
 * nested comments and all). after: where the token ends. */
struct tok {
	const char *s;
	size_t n;
	const char *after;
	bool comment;
};

/* RFC 5322 3.2.2: comments nest and hold quoted-pairs. An unclosed one
 * runs to the end. */
static const char *comment_end(const char *p, const char *end, bool *closed)
{
	int depth = 0;

	*closed = false;
	for (; p < end; p++) {
		if (*p == '\\' && p + 1 < end) {
			p++;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && --depth == 0) {
			*closed = true;
			return p + 1;
		}
	}
	return end;
}

static bool next_tok(const char **pp, const char *end, struct tok *t)
{
	const char *p = *pp;
	bool closed;

	while (p < end && is_space(*p))
		p++;
	if (p >= end)
		return false;
	if (*p == '(') {
		t->after = comment_end(p, end, &closed);
		t->s = p + 1;
		t->n = (size_t)(t->after - t->s) - (closed ? 1 : 0);
		t->comment = true;
	} else {
		t->s = p;
		while (p < end && !is_space(*p) && *p != '(')
			p++;
		t->n = (size_t)(p - t->s);
		t->after = p;
		t->comment = false;
	}
	*pp = t->after;
	return true;
}

/* Where the date starts: the last ';' outside comments (the last ';'
 * at all when a comment does not close). NULL when there is none. */
static const char *date_semicolon(const char *v)
{
	const char *last = NULL, *any = NULL;
	int depth = 0;

	for (const char *p = v; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			if (depth > 0)
				depth--;
		} else if (*p == ';') {
			any = p;
			if (depth == 0)
				last = p;
		}
	}
	return depth == 0 ? last : any;
}

/* ---- the from clause ---- */

/* What the from clause said: the name after "from", and what the
 * receiver noted in its comments. */
struct from_info {
	struct tok host;        /* the word after "from" (n 0: none) */
	char helo[MSG_DOMAIN];  /* Exim's helo=, qmail's (HELO x) */
	char rdns[MSG_DOMAIN];  /* the name before the [ip] in a comment */
	char ip[MSG_WORD];      /* the IP noted in a comment */
	char literal[MSG_WORD]; /* a bare [ip] after the name (ZoneMTA: from foo [ip]) */
};

static bool is_literal(const struct tok *t)
{
	return t->n > 0 && t->s[0] == '[';
}

/* "[ip]" and Exim's "[ip]:port": the part in brackets. */
static size_t literal_len(const struct tok *t)
{
	const char *close = memchr(t->s, ']', t->n);

	return close != NULL ? (size_t)(close - t->s) + 1 : t->n;
}

/* A host name as kept: lower-cased, without the trailing dot Gmail
 * writes ("mail.example.com."), "" for "unknown" (Postfix, qmail). */
static void copy_name(char *dst, size_t size, const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (span_is(s, n, "unknown"))
		n = 0;
	copy_span(dst, size, s, n, true);
}

/* One comment of the from clause: "rdns [ip]" (Postfix, Gmail,
 * Sendmail, "ident@rdns [ip]" too), "[ip] helo=x" (Exim), "HELO x" and
 * "ip" or "user@ip" (qmail), a bare "ip" (Microsoft). Other comments
 * ("using TLSv1.2 with cipher ...") hold none of these shapes. */
static void from_comment(struct from_info *fi, const struct tok *c)
{
	struct tok w[6];
	size_t nw = 0;
	const char *p = c->s, *end = c->s + c->n;
	struct tok t;

	while (nw < 6 && next_tok(&p, end, &t))
		if (!t.comment)
			w[nw++] = t;
	for (size_t i = 0; i < nw; i++) {
		if (is_literal(&w[i])) {
			if (fi->ip[0] == '\0' && addr_canon(w[i].s, literal_len(&w[i]), fi->ip) &&
			    i == 1 && !is_literal(&w[0])) {
				const char *at = memchr(w[0].s, '@', w[0].n);
				const char *name = at != NULL ? at + 1 : w[0].s;
				copy_name(fi->rdns, sizeof(fi->rdns), name,
				          w[0].n - (size_t)(name - w[0].s));
			}
		} else if (w[i].n > 5 && span_is(w[i].s, 5, "helo=")) {
			copy_name(fi->helo, sizeof(fi->helo), w[i].s + 5, w[i].n - 5);
		} else if (span_is(w[i].s, w[i].n, "HELO") && i + 1 < nw) {
			i++;
			copy_name(fi->helo, sizeof(fi->helo), w[i].s, w[i].n);
		} else if (i == 0 && fi->ip[0] == '\0') {
			const char *at = memchr(w[0].s, '@', w[0].n);
			const char *ip = at != NULL ? at + 1 : w[0].s;
			addr_canon(ip, w[0].n - (size_t)(ip - w[0].s), fi->ip);
		}
	}
}

static void from_token(struct from_info *fi, const struct tok *t)
{
	if (t->comment)
		from_comment(fi, t);
	else if (fi->host.n == 0)
		fi->host = *t;
	else if (is_literal(t) && fi->literal[0] == '\0')
		addr_canon(t->s, literal_len(t), fi->literal);
}

/* The receiver's view wins: the IP it noted in a comment, else a bare
 * literal after the name, else the name itself when it is a literal
 * (Exim's "from [ip] (helo=x)"). When a comment named the HELO, the
 * word after "from" is the reverse name the receiver looked up (Exim,
 * qmail) and the HELO is the host. */
static void from_finish(const struct from_info *fi, struct msg_received *out)
{
	const struct tok *h = &fi->host;
	char bare[MSG_WORD];
	bool host_ip = h->n > 0 && (is_literal(h) || addr_canon(h->s, h->n, bare));

	if (fi->helo[0] != '\0') {
		str_copy(out->from_host, sizeof(out->from_host), fi->helo);
		if (!host_ip)
			copy_name(out->from_rdns, sizeof(out->from_rdns), h->s, h->n);
	} else {
		copy_name(out->from_host, sizeof(out->from_host), h->s, h->n);
	}
	if (fi->rdns[0] != '\0')
		str_copy(out->from_rdns, sizeof(out->from_rdns), fi->rdns);
	if (fi->ip[0] != '\0')
		str_copy(out->from_ip, sizeof(out->from_ip), fi->ip);
	else if (fi->literal[0] != '\0')
		str_copy(out->from_ip, sizeof(out->from_ip), fi->literal);
	else if (host_ip)
		addr_canon(h->s, is_literal(h) ? literal_len(h) : h->n, out->from_ip);
	out->from_ip_class = msg_addr_classify(out->from_ip[0] != '\0' ? out->from_ip : NULL);
}

/* ---- the clauses ---- */

enum clause { C_NONE = 0, C_FROM, C_BY, C_VIA, C_WITH, C_ID, C_FOR, C_SKIP };

static enum clause keyword(const struct tok *t)
{
	static const char *const words[] = { "from", "by", "via", "with", "id", "for" };

	if (t->comment)
		return C_NONE;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (span_is(t->s, t->n, words[i]))
			return (enum clause)(i + 1);
	return C_NONE;
}

/* The first word of a by, with, id or for clause. */
static void clause_word(enum clause c, const struct tok *t, struct msg_received *out)
{
	const char *s = t->s;
	size_t n = t->n;

	switch (c) {
	case C_BY:
		copy_name(out->by_host, sizeof(out->by_host), s, n);
		break;
	case C_WITH:
		copy_span(out->with, sizeof(out->with), s, n, false);
		break;
	case C_ID:
		copy_span(out->id, sizeof(out->id), s, n, false);
		break;
	case C_FOR: /* "<a@b>", "a@b", "<a@b>," when several follow */
		if (n > 0 && (s[n - 1] == ',' || s[n - 1] == ';'))
			n--;
		if (n > 0 && s[0] == '<') {
			s++;
			n--;
		}
		if (n > 0 && s[n - 1] == '>')
			n--;
		copy_span(out->for_addr, sizeof(out->for_addr), s, n, false);
		break;
	default:
		break;
	}
}

/* The clauses before the date: each keyword (outside comments, each
 * read once) starts one; the from clause is kept whole as well. */
static void read_clauses(const char *p, const char *end, struct msg_received *out)
{
	struct from_info fi;
	enum clause c = C_NONE;
	unsigned seen = 0;
	bool first = false;
	const char *from_start = NULL, *from_end = NULL;
	struct tok t;

	memset(&fi, 0, sizeof(fi));
	while (next_tok(&p, end, &t)) {
		enum clause k = keyword(&t);
		if (k != C_NONE) {
			c = (seen & (1u << k)) != 0 ? C_SKIP : k;
			seen |= 1u << k;
			first = true;
			if (c == C_FROM)
				from_start = from_end = t.after;
			continue;
		}
		if (c == C_FROM) {
			from_token(&fi, &t);
			from_end = t.after;
		} else if (first && !t.comment) {
			clause_word(c, &t, out);
			first = false;
		}
	}
	if (from_start != NULL) {
		while (from_start < from_end && is_space(*from_start))
			from_start++;
		copy_span(out->from_clause, sizeof(out->from_clause), from_start,
		          (size_t)(from_end - from_start), false);
		from_finish(&fi, out);
	}
}

void msg_received_parse(const char *value, struct msg_received *out)
{
	const char *semi, *end;

	memset(out, 0, sizeof(*out));
	out->when = -1;
	if (value == NULL)
		return;
	semi = date_semicolon(value);
	end = semi != NULL ? semi : value + strlen(value);
	if (semi != NULL) {
		const char *d = semi + 1;
		size_t n;
		while (is_space(*d))
			d++;
		n = strlen(d);
		while (n > 0 && is_space(d[n - 1]))
			n--;
		copy_span(out->date_text, sizeof(out->date_text), d, n, false);
		out->when = msg_date_parse(d);
	}
	read_clauses(value, end, out);
	out->parsed = out->from_host[0] != '\0' || out->by_host[0] != '\0';
}

/* ---- dates (RFC 5322 3.3, 4.3) ---- */

/* RFC 5322 3.3 allows comments and folding white space between the
 * parts of a date: "Mon, 7 Dec 2026 10:00:00 +0000 (UTC)". */
static const char *skip_cfws(const char *p)
{
	bool closed;

	for (;;) {
		while (is_space(*p))
			p++;
		if (*p != '(')
			return p;
		p = comment_end(p, p + strlen(p), &closed);
	}
}

/* 1 to max digits at *pp into *val; the count of digits, 0 for none. */
static int read_num(const char **pp, int max, int *val)
{
	const char *p = *pp;
	int n = 0, v = 0;

	while (is_digit(*p) && n < max) {
		v = v * 10 + (*p - '0');
		p++;
		n++;
	}
	if (n == 0 || is_digit(*p))
		return 0; /* none, or more digits than a part can hold */
	*pp = p;
	*val = v;
	return n;
}

/* The run of letters at *pp (at most 32 are looked at). */
static size_t read_alpha(const char **pp, const char **word)
{
	const char *p = *pp;

	*word = p;
	while (is_alpha(*p))
		p++;
	*pp = p;
	return (size_t)(p - *word);
}

/* "Jan".."Dec" (the full names too): 1..12, or 0. */
static int month_of(const char *w, size_t n)
{
	static const char *const names[] = { "january",   "february", "march",    "april",
		                             "may",       "june",     "july",     "august",
		                             "september", "october",  "november", "december" };

	for (int m = 0; m < 12; m++) {
		size_t full = strlen(names[m]);
		if ((n == 3 || n == full) && n <= full) {
			size_t i = 0;
			while (i < n && str_lower(w[i]) == names[m][i])
				i++;
			if (i == n)
				return m + 1;
		}
	}
	return 0;
}

static bool is_weekday(const char *w, size_t n)
{
	static const char *const names[] = { "monday", "tuesday",  "wednesday", "thursday",
		                             "friday", "saturday", "sunday" };

	for (int d = 0; d < 7; d++) {
		size_t full = strlen(names[d]), i = 0;
		if (n != 3 && n != full)
			continue;
		while (i < n && str_lower(w[i]) == names[d][i])
			i++;
		if (i == n)
			return true;
	}
	return false;
}

/* RFC 5322 4.3 obs-zone: UT, GMT and the North American zones; the
 * military letters and any other name "SHOULD be considered equivalent
 * to -0000" (their sign was specified backwards in RFC 822). */
static long zone_name(const char *w, size_t n)
{
	static const struct {
		const char *name;
		int hours;
	} zones[] = { { "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
		      { "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 } };

	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (span_is(w, n, zones[i].name))
			return zones[i].hours * 3600L;
	return 0;
}

/* The zone at *p in seconds east of UTC: "+hhmm" / "-hhmm" (and the
 * "+hh:mm" some write), a name, or nothing (read as UTC). False when a
 * numeric zone is malformed. */
static bool read_zone(const char *p, long *off)
{
	int hh, mm;
	const char *w;

	*off = 0;
	p = skip_cfws(p);
	if (*p == '+' || *p == '-') {
		long sign = *p == '-' ? -1 : 1;
		const char *q = p + 1;
		int digits = read_num(&q, 4, &hh);
		if (digits == 4) {
			mm = hh % 100;
			hh /= 100;
		} else if (digits == 2 && *q == ':') {
			q++;
			if (read_num(&q, 2, &mm) != 2)
				return false;
		} else {
			return false;
		}
		if (mm > 59)
			return false;
		*off = sign * (hh * 3600L + mm * 60L);
		return true;
	}
	if (is_alpha(*p)) {
		size_t n = read_alpha(&p, &w);
		*off = zone_name(w, n);
	}
	return true;
}

/* Howard Hinnant's days_from_civil: days since 1970-01-01 (proleptic
 * Gregorian), exact for every year. */
static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

struct date {
	int year, month, day, hour, min, sec;
	long zone;
};

/* RFC 5322 4.3 obs-year: two digits are 1950-2049, three are + 1900. */
static bool read_year(const char **pp, int *year)
{
	int digits = read_num(pp, 4, year);

	if (digits == 2)
		*year += *year < 50 ? 2000 : 1900;
	else if (digits == 3)
		*year += 1900;
	return digits >= 2 && *year >= 1900;
}

/* hh ":" mm [ ":" ss ], white space allowed around the colons (obs-hour). */
static bool read_time(const char **pp, struct date *d)
{
	const char *p = skip_cfws(*pp);

	if (read_num(&p, 2, &d->hour) == 0)
		return false;
	p = skip_cfws(p);
	if (*p++ != ':')
		return false;
	p = skip_cfws(p);
	if (read_num(&p, 2, &d->min) == 0)
		return false;
	d->sec = 0;
	if (*skip_cfws(p) == ':') {
		p = skip_cfws(skip_cfws(p) + 1);
		if (read_num(&p, 2, &d->sec) == 0)
			return false;
	}
	*pp = p;
	return d->hour <= 23 && d->min <= 59 && d->sec <= 60;
}

static bool read_month(const char **pp, int *month)
{
	const char *w;
	size_t n;

	*pp = skip_cfws(*pp);
	n = read_alpha(pp, &w);
	*month = month_of(w, n);
	return *month != 0;
}

/* asctime's "Dec  7 10:00:00 2026" after the weekday, as some MTAs
 * still stamp. */
static bool read_asctime(const char *p, struct date *d)
{
	p = skip_cfws(p);
	if (read_num(&p, 2, &d->day) == 0 || !read_time(&p, d))
		return false;
	p = skip_cfws(p);
	return read_year(&p, &d->year) && read_zone(p, &d->zone);
}

static long long date_epoch(const struct date *d)
{
	if (d->day < 1 || d->day > days_in_month(d->year, d->month))
		return -1;
	return days_from_civil(d->year, d->month, d->day) * 86400LL + d->hour * 3600LL +
	       d->min * 60LL + d->sec - d->zone;
}

long long msg_date_parse(const char *text)
{
	struct date d;
	const char *p, *w;

	if (text == NULL)
		return -1;
	memset(&d, 0, sizeof(d));
	p = skip_cfws(text);
	if (is_alpha(*p)) { /* day-of-week, or asctime's month */
		size_t n = read_alpha(&p, &w);
		if (!is_weekday(w, n))
			return -1;
		p = skip_cfws(p);
		if (*p == ',')
			p++;
		else if (read_month(&p, &d.month))
			return read_asctime(p, &d) ? date_epoch(&d) : -1;
		p = skip_cfws(p);
	}
	if (read_num(&p, 2, &d.day) == 0 || !read_month(&p, &d.month))
		return -1;
	p = skip_cfws(p);
	if (!read_year(&p, &d.year) || !read_time(&p, &d) || !read_zone(p, &d.zone))
		return -1;
	return date_epoch(&d);
}
