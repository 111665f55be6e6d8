/*
 * checks.h — every check posture runs on one domain, as one unit: the SPF
 * audit, the DMARC policy, MX and A/AAAA presence, BIMI discovery (plus
 * the organisational domain's DMARC policy that BIMI readiness needs).
 * Each check is a replayable step over a memo (see drive.h): the
 * scan runs them side by side, feeding each the answer it is missing, and
 * the one-domain commands run them one at a time. Pure; JSON building is
 * the only library it uses.
 */
#ifndef POSTURE_CHECKS_H
#define POSTURE_CHECKS_H

#include <stdbool.h>

#include "bimi.h"
#include "dkim_probe.h"
#include "dmarc.h"
#include "spf_audit.h"

enum check_id {
	CHECK_SPF = 0,
	CHECK_DMARC,
	CHECK_MX,   /* MX at the domain */
	CHECK_A,    /* A or AAAA at the domain */
	CHECK_BIMI, /* the BIMI record, and the organisational domain's DMARC */
	CHECK_DKIM, /* DKIM selectors probed (dkim_check.h) */
	/* Mail transport (transport_check.h), advisory: none of them changes
	 * the readiness verdict, the problems or checks_inconclusive. */
	CHECK_MTA_STS, /* _mta-sts TXT, MX, and the policy fetched (RFC 8461) */
	CHECK_TLS_RPT, /* _smtp._tls TXT (RFC 8460) */
	CHECK_DNSSEC,  /* DNSSEC status of the domain's answers, through getdns */
	CHECK_DANE,    /* TLSA of every MX host, through getdns (dane_check.h) */
	CHECK_COUNT,
};
#define CHECK_BIT(id) (1u << (id))
/* MTA-STS and TLS-RPT: DNS questions over the memo like the others. */
#define CHECKS_TRANSPORT (CHECK_BIT(CHECK_MTA_STS) | CHECK_BIT(CHECK_TLS_RPT))
/* DNSSEC and DANE: asked through getdns, which validates (about six
 * queries per answer), in a stage of their own after the DNS rounds;
 * posture check runs them only with --dnssec. */
#define CHECKS_VALIDATING (CHECK_BIT(CHECK_DNSSEC) | CHECK_BIT(CHECK_DANE))
/* Every check: the set a scan's job counts as complete (a check a scan
 * does not run counts as done). posture check runs CHECKS_ALL but
 * CHECKS_VALIDATING unless --dnssec (domain_check_opts_init), posture
 * bimi CHECKS_ALL but the transport checks. A scan's default is its own
 * ("--checks", cmd_scan.c), without dkim nor the transport checks. */
#define CHECKS_ALL                                                                                 \
	(CHECK_BIT(CHECK_SPF) | CHECK_BIT(CHECK_DMARC) | CHECK_BIT(CHECK_MX) |                     \
	 CHECK_BIT(CHECK_A) | CHECK_BIT(CHECK_BIMI) | CHECK_BIT(CHECK_DKIM) | CHECKS_TRANSPORT |   \
	 CHECKS_VALIDATING)

/*
 * Parses a --checks list ("spf,dmarc,bimi,mx,dkim,mta-sts,tls-rpt,dnssec,
 * dane"; "mx" means MX and A; "dane" brings "mx": the MX hosts are
 * what it asks about).
 * *bimi_asked tells whether "bimi" was named (it also sets CHECK_BIMI).
 * Returns 0, or -1 with a reason in err.
 */
int checks_parse(const char *list, unsigned *mask, bool *bimi_asked, char *err, size_t errlen);

enum host_status {
	HOST_NOT_RUN = 0,
	HOST_PRESENT,
	HOST_ABSENT,
	HOST_NULL_MX, /* RFC 7505 "MX 0 ." : the domain accepts no mail */
	HOST_TEMPERROR,
};
const char *host_status_name(enum host_status s);

/* The most MX hosts a result names (the stored JSON's mx.hosts). */
#define CHECKS_MX_HOSTS 16

struct checks_mx_host {
	unsigned pref;
	char *host; /* owned */
};

struct host_result {
	enum host_status status;
	int records;                 /* MX names, or A + AAAA addresses */
	char detail[DNS_DETAIL_MAX]; /* why, for temperror */
	/* MX: the hosts, by preference then name, at most CHECKS_MX_HOSTS (a
	 * null MX names none); owned, freed by checks_cleanup. */
	struct checks_mx_host *hosts;
	size_t nhosts;
};

/* One item of the BIMI readiness checklist (see readiness.h). */
enum ready_status {
	READY_PASS = 0,
	READY_FAIL,
	READY_WARN,    /* not required, but limits where the logo shows */
	READY_UNKNOWN, /* not checked (DNS failure, --no-fetch, a check not run) */
};
#define READY_ITEMS_MAX 12
struct ready_item {
	const char *item; /* stable id: "bimi_record", "logo", ... */
	enum ready_status status;
	bool required;    /* eligible needs it to pass */
	const char *rule; /* where the requirement comes from */
	char detail[512]; /* what was found */
	char fix[512];    /* what to do; "" when it passes */
};

struct domain_result {
	char domain[DNS_NAME_BUF];
	unsigned mask; /* which checks run */
	bool bimi_asked;
	bool done[CHECK_COUNT];
	/* The domain does not exist: the SPF audit's TXT query for it (or,
	 * SPF not run, the A or MX query) was answered NXDOMAIN. RFC 8020 2:
	 * nothing exists at or below the name, so nothing can be published. */
	bool nxdomain;
	struct spf_audit spf;
	struct dmarc_result dmarc;
	struct host_result mx, a;
	/* BIMI: discovery (DNS), the organisational domain's DMARC policy
	 * (when it differs from the domain), then the assets and readiness,
	 * filled by checks_bimi_finish once the fetches are done. */
	char selector[BIMI_SELECTOR_MAX + 1]; /* "default" unless set */
	struct bimi_discovery bimi;
	struct dmarc_result dmarc_org;
	struct bimi_assets assets;
	/* Allocated by checks_bimi_finish (a scan holds thousands of
	 * domains in progress; only finished ones need a checklist). */
	struct ready_item *ready; /* READY_ITEMS_MAX entries */
	size_t nready;
	bool has_dmarc_org;
	bool bimi_finished;
	bool eligible;
	/* DKIM (dkim_check.h): the selectors given (checks_dkim_select; not
	 * owned), the result, and while the check waits the other names it
	 * waits for (checks_more). dkim_finished: checks_dkim_finish ran. */
	const char *const *dkim_given;
	size_t ndkim_given;
	bool dkim_only_given;
	struct dkim_result dkim;
	struct spf_need *dkim_more;
	size_t ndkim_more;
	bool dkim_finished;
	/* MTA-STS, TLS-RPT, DNSSEC and DANE (transport_check.h): allocated
	 * by the first of them that runs, NULL when none does (a scan's
	 * domains in progress do not carry their 20 KiB); freed by
	 * checks_cleanup. */
	struct transport_result *transport;
};

/* Prepares r for domain (which must be normalised). */
void checks_init(struct domain_result *r, const char *domain, unsigned mask, bool bimi_asked);
void checks_cleanup(struct domain_result *r);

/*
 * The DKIM selectors to probe for r (after checks_init): the n given ones
 * (valid selectors, dkim_selector_valid; not copied, so they must outlive
 * r), listed in the result whatever they answer; with only, those alone,
 * else the bundled list (lists/dkim-selectors.txt) too. Without a call,
 * the bundled list.
 */
void checks_dkim_select(struct domain_result *r, const char *const *given, size_t n, bool only);
/*
 * Completes the DKIM check once every DNS check is done: where the DMARC
 * policy is quarantine or reject and no usable key was found, the
 * finding that forwarded mail fails DMARC (dkim.dmarc_enforced_without_
 * dkim; for temperror, that it could not be checked). Call it before
 * checks_bimi_finish (which calls it too, for the readiness item) and
 * before the result is written; once is enough. Returns 0, or -1 when out
 * of memory.
 */
int checks_dkim_finish(struct domain_result *r);

/*
 * Runs check id once against dns (a drive_step_fn's contract): 0 with
 * *pending set and need/need_type naming the missing answer, or with
 * r->done[id] set; -1 on a program error (out of memory).
 */
int checks_step(struct domain_result *r, enum check_id id, const struct spf_dns *dns, bool *pending,
                char *need, size_t needlen, uint16_t *need_type);

/* When check id is pending: further answers it is missing besides the
 * one checks_step named (see spf_audit.h), which a driver may ask for at
 * the same time. Returns how many are in *v. */
size_t checks_more(const struct domain_result *r, enum check_id id, const struct spf_need **v);

/* The URLs the BIMI check wants fetched: the logo (l=) and the
 * certificate (a=); NULL when there is nothing to fetch. */
const char *checks_bimi_logo_url(const struct domain_result *r);
const char *checks_bimi_cert_url(const struct domain_result *r);

/*
 * Completes the BIMI check once its DNS part is done: judges what was
 * fetched (attempted=false for --no-fetch) with opt (trust store, time),
 * then builds the readiness checklist from every check's result. Returns
 * 0, or -1 on a program error (out of memory, unusable trust store).
 */
struct vmc_options;
int checks_bimi_finish(struct domain_result *r, const struct bimi_fetched *logo,
                       const struct bimi_fetched *cert, const struct vmc_options *opt);

/* True when any check that ran ended in a DNS failure (TempError). */
bool checks_inconclusive(const struct domain_result *r);

/* The JSON objects of posture spf / dmarc / bimi --json, and a list of
 * findings ([{"code","severity","message","path","fix"}...]), written
 * into w (jsonw.h); the CLI turns them into jansson values (output.h). */
struct jsonw;
void spf_audit_write(struct jsonw *w, const struct spf_audit *a);
void dmarc_result_write(struct jsonw *w, const struct dmarc_result *r);
void bimi_result_write(struct jsonw *w, const struct domain_result *r);
void findings_write(struct jsonw *w, const struct findings *f);
const char *ready_status_name(enum ready_status s);
/* {"domain", "spf", "dmarc", "mx", "a", "bimi", "conclusive"} as compact
 * ASCII text (the caller frees it; NULL when out of memory); a check that
 * did not run is {"status": "not_run"}; "dkim" (after "bimi") only when
 * the DKIM check is in the mask, so results without it stay as they were,
 * and so "mta_sts", "tls_rpt", "dnssec" and "dane" (after "dkim"). A
 * domain that does not exist gets "exists": false after "domain" (the key
 * is absent otherwise). */
char *checks_json_text(const struct domain_result *r, size_t *len);
/*
 * The facts of the result that reports count (reports/row.c), as a
 * projection of checks_json_text's document (jsonw_init_keep): the same
 * keys at the same paths, a few hundred bytes instead of several KiB, so
 * a report over a large run need not parse every full result. Its
 * "facts" key holds CHECKS_FACTS_VERSION: a reader that wants a fact the
 * projection of that version lacks reads the full JSON. Same contract as
 * checks_json_text.
 */
#define CHECKS_FACTS_VERSION 1
char *checks_facts_text(const struct domain_result *r, size_t *len);

#endif
