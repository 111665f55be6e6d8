/*
 * scan.c — the mass scan (see scan.h).
 *
 * Threads: the caller is the coordinator and the only store user: it
 * feeds domain windows into the work queue and writes results. Workers
 * own a dns_worker each; a domain (struct job) lives on one worker from
 * start to result, so jobs need no locks. Queues are the only shared state
 * besides the answer cache (which locks itself).
 */
#include "scan.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "checks.h"
#include "jsonw.h"
#include "memo.h"
#include "scan_fetch.h"
#include "scan_limits.h"
#include "strutil.h"
#include "transport_check.h"
#include "vmc.h"

/* Domains the work queue holds at least. */
#define SCAN_WORK_MIN 8192
/* Domains read from the store at a time (struct store_pending holds a
 * DNS_NAME_BUF name: 1 KiB each). */
#define SCAN_WINDOW 512
/* How long the coordinator waits for a batch of results before it feeds
 * the queue again, and how often the terminal's status line redraws. */
#define SCAN_COLLECT_WAIT_MS      50
#define SCAN_PROGRESS_TTY_EVERY_S 0.5
/* How long an idle worker waits for work, and a worker that only waits
 * for --qps tokens sleeps. */
#define SCAN_WORK_WAIT_MS   100
#define SCAN_TOKEN_SLEEP_NS (2L * 1000 * 1000)

const char *const scan_dkim_selectors[] = { SCAN_DKIM_SELECTORS };
const size_t scan_dkim_nselectors = sizeof(scan_dkim_selectors) / sizeof(scan_dkim_selectors[0]);

struct row {
	struct row *next;
	struct store_result r;
	char scanned_at[32];
	char spf_all[8]; /* the row outlives the job: copies, not pointers */
	char *json, *facts;
	char *dkim_selectors;
	struct store_finding *f;
	char **paths;
	size_t nf;
};

/* A domain in the work queue: the store's struct store_pending holds a
 * 1 KiB name, and the queue is twice the domains in progress long. */
struct work {
	int64_t domain_id;
	char *domain;    /* malloc'd; the job takes it */
	char *selectors; /* the list's DKIM selectors (malloc'd) or NULL; the job takes it */
};

struct scan {
	const struct scan_options *o;
	struct dns_config dns; /* the workers': o->dns within the descriptors */
	volatile sig_atomic_t *stop;
	struct dns_cache *cache;
	pthread_mutex_t mu;
	pthread_cond_t work_cv, rows_cv, space_cv;
	/* work queue (ring) */
	struct work *work;
	size_t wcap, whead, wlen;
	bool closed; /* no more work will come */
	/* results */
	struct row *rows, **rows_tail;
	size_t nrows, rows_cap;
	unsigned live_workers;
	uint64_t queries, sent, timeouts;
	time_t at;                /* the time certificates are judged at: the scan's start */
	struct scan_fetch *fetch; /* the HTTPS stage; NULL with --no-fetch */
	unsigned dns_workers;     /* DNS workers still running */
};

struct job;

/* Answers a job asks ahead of need: one SPF walk's look-ahead, twice. */
#define JOB_AHEAD_MAX (2 * SPF_AUDIT_LOOKAHEAD)

/* A question a job waits for. The name is malloc'd: a DNS_NAME_BUF
 * array for each was 9 KiB of every job, for names of 30 bytes. */
struct question {
	char *name;
	uint16_t type;
};

/* A question not handed to the DNS adapter yet (ask). */
struct deferred {
	struct job *job;
	struct question q;
};

struct worker {
	pthread_t th;
	struct scan *sc;
	struct dns_worker *dns;
	struct job *jobs; /* active, doubly linked */
	unsigned active;
	struct job *spare; /* finished jobs kept for the next ones (next-linked) */
	/* The checks of the worker's jobs run here, one job at a time. */
	struct domain_result *scratch;
	/* Questions handed to the adapter at most: the rest wait in def. */
	size_t adapter_max;
	struct deferred *def; /* ring, oldest first */
	size_t dhead, dlen, dcap;
	double tokens, rate; /* per-worker share of --qps; rate 0: no cap */
	struct timespec last;
	uint64_t queries, sent, timeouts;
};

/*
 * One domain in progress, about 600 bytes and its memo (SCAN_MEM_PER_DOMAIN
 * in scan_limits.h). Its checks' results are not kept while it waits: each
 * answer replays the checks from the start (drive.h) in the worker's
 * scratch result, and once all are done a last replay there, from the
 * memo alone, makes the result that is stored (the same one: a check asks
 * the memo only for answers it holds by then). A struct domain_result is
 * 23 KiB, and was most of a domain in progress. job_start clears it all.
 */
struct job {
	struct job *prev, *next;
	struct worker *w;
	int64_t domain_id;
	char *domain; /* normalised, malloc'd */
	struct dns_memo *memo;
	struct spf_parse_memo *parsed; /* SPF records, parsed once per job */
	unsigned done;                 /* CHECK_BIT of the checks complete */
	bool waiting[CHECK_COUNT];
	struct question wait[CHECK_COUNT]; /* name NULL unless waiting */
	int nahead;
	int outstanding;
	bool broken;
	/* Asked ahead (checks_more) and not answered yet. */
	struct question ahead[JOB_AHEAD_MAX];
	char why[160];
	/* The DKIM selectors probed: the scan's, then the list's for this
	 * domain (pointing into dkim_buf, malloc'd), each once. */
	const char *dkim_sel[SCAN_DKIM_SELECTORS_MAX];
	size_t ndkim;
	char *dkim_buf;
};

/* The absolute CLOCK_REALTIME time ms from now, for timed waits. */
static struct timespec deadline_in(long ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += ms * 1000 * 1000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- results ---------------------------------------------------------- */

static void row_free(struct row *r)
{
	if (r == NULL)
		return;
	free(r->json);
	free(r->facts);
	free(r->dkim_selectors);
	for (size_t i = 0; i < r->nf; i++)
		free(r->paths[i]);
	free(r->paths);
	free(r->f);
	free(r);
}

static int add_findings(struct row *r, const struct findings *f, const char *check)
{
	if (f->n == 0)
		return 0;
	struct store_finding *nf = realloc(r->f, (r->nf + f->n) * sizeof(*nf));
	if (nf == NULL)
		return -1;
	r->f = nf;
	char **np = realloc(r->paths, (r->nf + f->n) * sizeof(*np));
	if (np == NULL)
		return -1;
	r->paths = np;
	for (size_t i = 0; i < f->n; i++) {
		char *p = f->v[i].path ? strdup(f->v[i].path) : NULL;
		r->paths[r->nf] = p;
		r->f[r->nf] = (struct store_finding){ check, f->v[i].code,
			                              finding_severity_name(f->v[i].severity), p };
		r->nf++;
	}
	return 0;
}

/* The DKIM columns: the domain's status, the selectors with a usable key
 * (space-separated) and the smallest usable RSA key. 0, or -1 when out of
 * memory. */
static int dkim_columns(struct row *r, const struct domain_result *d)
{
	const struct dkim_result *k = &d->dkim;
	size_t len = 0;
	int bits = -1;
	r->r.dkim_status = dkim_domain_status_name(k->status);
	/* The findings table holds the DKIM findings too: the domain's, then
	 * each selector's, as the JSON lists them. */
	if (add_findings(r, &k->findings, "dkim") != 0)
		return -1;
	for (size_t i = 0; i < k->nsel; i++)
		if (add_findings(r, &k->sel[i].findings, "dkim") != 0)
			return -1;
	for (size_t i = 0; i < k->nsel; i++)
		if (k->sel[i].status == DKIM_PROBE_KEY && dkim_key_usable(&k->sel[i].key))
			len += strlen(k->sel[i].name) + 1;
	if (len == 0)
		return 0;
	if ((r->dkim_selectors = malloc(len)) == NULL)
		return -1;
	size_t at = 0;
	for (size_t i = 0; i < k->nsel; i++) {
		const struct dkim_selector_result *x = &k->sel[i];
		if (x->status != DKIM_PROBE_KEY || !dkim_key_usable(&x->key))
			continue;
		size_t n = strlen(x->name);
		if (at > 0)
			r->dkim_selectors[at++] = ' ';
		memcpy(r->dkim_selectors + at, x->name, n);
		at += n;
		if (x->key.key_type == DKIM_KEY_RSA && x->key.bits > 0 &&
		    (bits < 0 || x->key.bits < bits))
			bits = x->key.bits;
	}
	r->dkim_selectors[at] = '\0';
	r->r.dkim_selectors = r->dkim_selectors;
	r->r.dkim_min_bits = bits;
	return 0;
}

/* The transport columns (NULL for a check not run) and findings. 0, or
 * -1 when out of memory. */
static int transport_columns(struct row *r, const struct domain_result *d)
{
	const struct transport_result *t = d->transport;
	struct store_result *s = &r->r;

	s->mta_sts_mx_covered = -1;
	if (t == NULL)
		return 0;
	if ((d->mask & CHECK_BIT(CHECK_MTA_STS)) && t->sts_ready) {
		s->mta_sts_status = mta_sts_check_status_name(t->sts.status);
		s->mta_sts_mx_covered = t->sts.mx_covered;
		if (add_findings(r, &t->sts.findings, "mta_sts") != 0)
			return -1;
	}
	if ((d->mask & CHECK_BIT(CHECK_TLS_RPT)) && t->sts_ready) {
		s->tls_rpt_status = mta_sts_tlsrpt_status(&t->sts);
		if (add_findings(r, &t->sts.tlsrpt.findings, "tls_rpt") != 0)
			return -1;
	}
	if ((d->mask & CHECK_BIT(CHECK_DNSSEC)) && t->dnssec_ran) {
		s->dnssec_status = dnssec_status_name(t->dnssec.status);
		if (add_findings(r, &t->dnssec.findings, "dnssec") != 0)
			return -1;
	}
	if ((d->mask & CHECK_BIT(CHECK_DANE)) && t->dane_ran) {
		s->dane_status = dane_status_name(t->dane.status);
		if (add_findings(r, &t->dane.findings, "dane") != 0)
			return -1;
	}
	return 0;
}

static struct row *make_row(const struct domain_result *d, int64_t domain_id, bool broken,
                            const char *why)
{
	struct row *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(r->scanned_at, sizeof(r->scanned_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	struct store_result *s = &r->r;
	s->domain_id = domain_id;
	s->scanned_at = r->scanned_at;
	s->spf_lookups = s->spf_void = s->dmarc_pct = s->bimi_eligible = s->dkim_min_bits = -1;
	s->mta_sts_mx_covered = -1;
	if (broken) {
		s->conclusive = false;
		s->spf_status = s->dmarc_status = "error";
		struct jsonw w;
		jsonw_init(&w);
		jsonw_obj(&w);
		jsonw_kstr(&w, "domain", d->domain);
		jsonw_kstr(&w, "error", why);
		jsonw_kbool(&w, "conclusive", false);
		jsonw_end_obj(&w);
		r->json = jsonw_finish_len(&w, &s->json_len);
		/* The projection of that document: none of the facts. */
		jsonw_obj(&w);
		jsonw_kint(&w, "facts", CHECKS_FACTS_VERSION);
		jsonw_end_obj(&w);
		r->facts = jsonw_finish_len(&w, &s->facts_len);
	} else {
		if (d->mask & CHECK_BIT(CHECK_SPF)) {
			s->spf_status = spf_status_name(d->spf.status);
			str_copy(r->spf_all, sizeof(r->spf_all), d->spf.all);
			s->spf_all = r->spf_all[0] ? r->spf_all : NULL;
			s->spf_lookups = d->spf.lookups;
			s->spf_void = d->spf.void_lookups;
			s->spf_error = d->spf.error_code;
			if (add_findings(r, &d->spf.findings, "spf") != 0)
				goto oom;
		} else {
			s->spf_status = "not_run";
		}
		if (d->mask & CHECK_BIT(CHECK_DMARC)) {
			const struct dmarc_reading *b = &d->dmarc.bis;
			bool ok = b->status == DMARC_STATUS_OK;
			s->dmarc_status = dmarc_status_name(b->status);
			s->dmarc_policy = ok ? dmarc_policy_name(b->policy) : NULL;
			s->dmarc_subdomain_policy =
			        ok ? dmarc_policy_name(b->subdomain_policy) : NULL;
			s->dmarc_pct =
			        d->dmarc.rec && d->dmarc.rec->pct >= 0 ? d->dmarc.rec->pct : -1;
			s->dmarc_enforcement = dmarc_enforcement_name(b->enforcement);
			if (add_findings(r, &d->dmarc.findings, "dmarc") != 0)
				goto oom;
		} else {
			s->dmarc_status = "not_run";
		}
		s->mx = host_status_name(d->mx.status);
		s->a = host_status_name(d->a.status);
		if (d->mask & CHECK_BIT(CHECK_BIMI)) {
			s->bimi_status = bimi_status_name(d->bimi.status);
			s->vmc_status = bimi_asset_name(d->assets.vmc);
			s->bimi_eligible = d->bimi_finished ? d->eligible : -1;
			if (add_findings(r, &d->bimi.findings, "bimi") != 0 ||
			    add_findings(r, &d->assets.logo_findings, "bimi") != 0 ||
			    add_findings(r, &d->assets.vmc_findings, "vmc") != 0)
				goto oom;
		} else {
			s->bimi_status = "not_run";
			s->vmc_status = "not_run";
		}
		if ((d->mask & CHECK_BIT(CHECK_DKIM)) && dkim_columns(r, d) != 0)
			goto oom;
		if (transport_columns(r, d) != 0)
			goto oom;
		/* A transport check the scan asked for that could not check
		 * makes the result inconclusive, as a DKIM temperror does
		 * (posture check reads them as advisory). */
		s->conclusive = !checks_inconclusive(d) && !transport_check_inconclusive(d);
		/* A domain that does not exist publishes nothing: its columns
		 * say so rather than "none"/"missing" (RFC 8020 2), so SQL users,
		 * --domains and diff never take it for a domain without SPF. */
		if (d->nxdomain) {
			if (d->mask & CHECK_BIT(CHECK_SPF))
				s->spf_status = "nxdomain";
			if (d->mask & CHECK_BIT(CHECK_DMARC))
				s->dmarc_status = "nxdomain";
		}
		r->json = checks_json_text(d, &s->json_len);
		r->facts = checks_facts_text(d, &s->facts_len);
	}
	if (r->json == NULL || r->facts == NULL)
		goto oom;
	s->json = r->json;
	s->facts = r->facts;
	s->findings = r->f;
	s->nfindings = r->nf;
	return r;
oom:
	row_free(r);
	return NULL;
}

static void push_row(struct scan *sc, struct row *r)
{
	pthread_mutex_lock(&sc->mu);
	while (sc->nrows >= sc->rows_cap && !*sc->stop)
		pthread_cond_wait(&sc->space_cv, &sc->mu);
	*sc->rows_tail = r;
	sc->rows_tail = &r->next;
	sc->nrows++;
	/* The writer wakes for a full batch (or its 50 ms timer): woken for
	 * every row, it committed a transaction per handful of rows. */
	if (sc->nrows >= sc->o->batch)
		pthread_cond_signal(&sc->rows_cv);
	pthread_mutex_unlock(&sc->mu);
}

/* ---- the HTTPS stage's callbacks ------------------------------------- */

static void fetch_emit(void *arg, const struct domain_result *d, int64_t domain_id, const char *why)
{
	struct row *r = make_row(d, domain_id, why != NULL, why);
	if (r != NULL)
		push_row(arg, r);
}

static void fetch_finished(void *arg)
{
	struct scan *sc = arg;
	pthread_mutex_lock(&sc->mu);
	sc->live_workers--;
	pthread_cond_broadcast(&sc->rows_cv);
	pthread_mutex_unlock(&sc->mu);
}

/* ---- jobs ------------------------------------------------------------- */

/* Sets q to a copy of (name, type). Returns 0 or -1 (out of memory). */
static int question_set(struct question *q, const char *name, uint16_t type)
{
	q->name = strdup(name);
	q->type = type;
	return q->name != NULL ? 0 : -1;
}

static void job_free(struct job *j)
{
	struct worker *w = j->w;
	if (j->prev)
		j->prev->next = j->next;
	else
		w->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	w->active--;
	for (int i = 0; i < CHECK_COUNT; i++)
		free(j->wait[i].name);
	for (int k = 0; k < j->nahead; k++)
		free(j->ahead[k].name);
	free(j->domain);
	free(j->dkim_buf);
	/* Questions the run's cache answered through the memo are questions
	 * asked too (the cache counted them as hits). */
	w->queries += dns_memo_cache_hits(j->memo);
	dns_memo_free(j->memo);
	spf_parse_memo_free(j->parsed);
	j->next = w->spare;
	w->spare = j;
}

static void on_answer(const struct dns_answer *a, void *arg);

static void send_query(struct worker *w, struct job *j, const char *name, uint16_t type)
{
	if (dns_query_start(w->dns, name, type, on_answer, j) != 0) {
		j->broken = true;
		snprintf(j->why, sizeof(j->why), "cannot query %s", name);
		return;
	}
	j->outstanding++;
	w->queries++;
}

static int defer(struct worker *w, struct job *j, const char *name, uint16_t type)
{
	if (w->dlen == w->dcap) {
		size_t ncap = w->dcap ? w->dcap * 2 : 256;
		struct deferred *n = malloc(ncap * sizeof(*n));
		if (n == NULL)
			return -1;
		for (size_t i = 0; i < w->dlen; i++)
			n[i] = w->def[(w->dhead + i) % w->dcap];
		free(w->def);
		w->def = n;
		w->dcap = ncap;
		w->dhead = 0;
	}
	struct deferred *d = &w->def[(w->dhead + w->dlen) % w->dcap];
	if (question_set(&d->q, name, type) != 0)
		return -1;
	d->job = j;
	w->dlen++;
	j->outstanding++; /* answered later */
	return 0;
}

static void refill(struct worker *w)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	double dt =
	        (double)(t.tv_sec - w->last.tv_sec) + (double)(t.tv_nsec - w->last.tv_nsec) / 1e9;
	w->last = t;
	w->tokens += dt * w->rate;
	double cap = w->rate / 10 < 1 ? 1 : w->rate / 10; /* bursts of 100 ms */
	if (w->tokens > cap)
		w->tokens = cap;
}

/*
 * Hands a question to the DNS adapter, or queues it behind the ones
 * waiting already (release_deferred gives them their turn, in order):
 * under --qps while no token is left, and always once the adapter holds
 * adapter_max questions. A question the adapter holds costs 4.3 KiB (a
 * whole struct dns_answer and its name), one queued here 24 bytes and its
 * name: with every domain in progress waiting for its turn on the wire,
 * the adapter's queue was 17 KiB of each.
 */
static void ask(struct worker *w, struct job *j, const char *name, uint16_t type)
{
	if (w->dlen == 0 && dns_worker_pending(w->dns) < w->adapter_max) {
		if (w->rate <= 0) {
			send_query(w, j, name, type);
			return;
		}
		refill(w);
		if (w->tokens >= 1) {
			w->tokens -= 1;
			send_query(w, j, name, type);
			return;
		}
	}
	if (defer(w, j, name, type) != 0) {
		j->broken = true;
		snprintf(j->why, sizeof(j->why), "out of memory");
	}
}

static void job_finish_if_done(struct job *j);

/* True when (name, type) is on its way: a check waits for it or it was
 * asked ahead. */
static bool in_flight(const struct job *j, const char *name, uint16_t type)
{
	for (int k = 0; k < CHECK_COUNT; k++)
		if (j->waiting[k] && j->wait[k].type == type && strcmp(j->wait[k].name, name) == 0)
			return true;
	for (int k = 0; k < j->nahead; k++)
		if (j->ahead[k].type == type && dns_name_equal(j->ahead[k].name, name))
			return true;
	return false;
}

/* Asks at once for the other answers a pending check will need, so they
 * arrive together instead of one replay each. Not under --qps, whose
 * token bucket paces the questions one by one. r is the scratch result
 * the check just ran in. */
static void ask_ahead(struct worker *w, struct job *j, const struct domain_result *r,
                      enum check_id id)
{
	if (w->rate > 0)
		return;
	const struct spf_need *more;
	size_t n = checks_more(r, id, &more);
	for (size_t i = 0; i < n && !j->broken && j->nahead < JOB_AHEAD_MAX; i++) {
		if (in_flight(j, more[i].name, more[i].type) ||
		    dns_memo_get(j->memo, more[i].name, more[i].type) != NULL)
			continue;
		if (question_set(&j->ahead[j->nahead], more[i].name, more[i].type) != 0) {
			j->broken = true;
			snprintf(j->why, sizeof(j->why), "out of memory");
			break;
		}
		j->nahead++;
		ask(w, j, more[i].name, more[i].type);
	}
}

/* Readies the worker's scratch result for j's checks: what a step reads
 * besides its own part (each step clears its own part first), set as
 * checks_init and job_result set it. */
static struct domain_result *scratch_for(struct worker *w, const struct job *j)
{
	struct domain_result *r = w->scratch;
	const struct scan_options *o = w->sc->o;
	str_copy(r->domain, sizeof(r->domain), j->domain);
	r->mask = o->checks;
	r->bimi_asked = o->bimi_asked || (o->checks & CHECK_BIT(CHECK_BIMI));
	str_copy(r->selector, sizeof(r->selector), o->selector ? o->selector : "default");
	checks_dkim_select(r, j->dkim_sel, j->ndkim, true);
	return r;
}

static void job_advance(struct job *j)
{
	struct worker *w = j->w;
	struct domain_result *r = scratch_for(w, j);
	struct spf_dns dns = { dns_memo_lookup, j->memo, j->parsed };
	char need[DNS_NAME_BUF];

	for (int i = 0; i < CHECK_COUNT && !j->broken; i++) {
		if ((j->done & CHECK_BIT(i)) || j->waiting[i])
			continue;
		bool pending = false;
		uint16_t type = 0;
		if (checks_step(r, (enum check_id)i, &dns, &pending, need, sizeof(need), &type) !=
		    0) {
			j->broken = true;
			snprintf(j->why, sizeof(j->why), "out of memory in the %d check", i);
			break;
		}
		if (!pending) {
			j->done |= CHECK_BIT(i);
			continue;
		}
		if (dns_memo_holds(j->memo, need, type)) {
			j->broken = true;
			snprintf(j->why, sizeof(j->why), "a check asked again for %s", need);
			break;
		}
		bool asked = in_flight(j, need, type);
		if (question_set(&j->wait[i], need, type) != 0) {
			j->broken = true;
			snprintf(j->why, sizeof(j->why), "out of memory");
			break;
		}
		j->waiting[i] = true;
		if (!asked)
			ask(w, j, need, type);
		ask_ahead(w, j, r, (enum check_id)i);
	}
	/* Nothing of j stays in the scratch (its parts may point into j's
	 * parsed records, freed with j), and its memo goes back to holding
	 * its answers compact while it waits. */
	checks_cleanup(r);
	dns_memo_drop_views(j->memo);
	job_finish_if_done(j);
}

/*
 * The result of j, all its checks done, made again in r from the memo
 * (see struct job). Returns 0, or -1 with j broken (out of memory; or a
 * check missing an answer, which the replay's determinism rules out).
 */
static int job_result(struct job *j, struct domain_result *r)
{
	const struct scan_options *o = j->w->sc->o;
	struct spf_dns dns = { dns_memo_lookup, j->memo, j->parsed };
	char need[DNS_NAME_BUF];

	checks_init(r, j->domain, o->checks, o->bimi_asked);
	if (o->selector)
		str_copy(r->selector, sizeof(r->selector), o->selector);
	checks_dkim_select(r, j->dkim_sel, j->ndkim, true);
	for (int i = 0; i < CHECK_COUNT; i++) {
		bool pending = false;
		uint16_t type = 0;
		if (r->done[i])
			continue;
		if (checks_step(r, (enum check_id)i, &dns, &pending, need, sizeof(need), &type) !=
		    0) {
			snprintf(j->why, sizeof(j->why), "out of memory in the %d check", i);
			j->broken = true;
			return -1;
		}
		if (pending) {
			snprintf(j->why, sizeof(j->why), "a check asked again for %s", need);
			j->broken = true;
			return -1;
		}
	}
	/* DKIM and DMARC known: the enforceability finding (once). */
	if (checks_dkim_finish(r) != 0) {
		snprintf(j->why, sizeof(j->why), "out of memory in the DKIM check");
		j->broken = true;
		return -1;
	}
	return 0;
}

static void job_finish_if_done(struct job *j)
{
	if (j->outstanding > 0)
		return;
	if (!j->broken && j->done != CHECKS_ALL)
		return;
	struct scan *sc = j->w->sc;
	struct domain_result *r = j->w->scratch;
	if (j->broken || job_result(j, r) != 0) {
		checks_cleanup(r);
		checks_init(r, j->domain, sc->o->checks, sc->o->bimi_asked);
	}
	bool bimi = !j->broken && (r->mask & CHECK_BIT(CHECK_BIMI));
	bool bimi_fetch = bimi && sc->fetch != NULL && !sc->o->no_fetch &&
	                  (checks_bimi_logo_url(r) || checks_bimi_cert_url(r));
	if (bimi && !bimi_fetch) {
		/* Nothing to fetch, or --no-fetch: the assets are "absent" or
		 * "unchecked". */
		struct bimi_fetched none = { 0 };
		struct vmc_options vo = { 0 };
		vo.at = sc->at;
		vo.roots_pem = sc->o->vmc_roots;
		vo.roots_len = sc->o->vmc_roots_len;
		if (checks_bimi_finish(r, &none, &none, &vo) != 0) {
			j->broken = true;
			snprintf(j->why, sizeof(j->why), "out of memory judging the BIMI assets");
		}
	}
	if (!j->broken && sc->fetch != NULL &&
	    (bimi_fetch || (r->mask & CHECKS_VALIDATING) ||
	     (!sc->o->no_fetch && transport_wants_policy(r)))) {
		/* More to do than DNS: the domain moves to the stage after DNS,
		 * which emits its row (on failure it stays pending for
		 * --resume). */
		struct domain_result *moved = malloc(sizeof(*moved));
		if (moved != NULL) {
			*moved = *r;
			memset(r, 0, sizeof(*r));
			(void)scan_fetch_push(sc->fetch, moved, j->domain_id, bimi_fetch);
		}
		checks_cleanup(r);
		job_free(j);
		return;
	}
	/* The MTA-STS verdict without a fetch: not_fetched under --no-fetch
	 * for a valid record. */
	if (!j->broken && transport_policy_finish(r, true) != 0) {
		j->broken = true;
		snprintf(j->why, sizeof(j->why), "out of memory judging MTA-STS");
	}
	struct row *row = make_row(r, j->domain_id, j->broken, j->why);
	checks_cleanup(r);
	if (row != NULL)
		push_row(sc, row);
	/* Out of memory: no row; the domain stays pending for --resume. */
	job_free(j);
}

static void on_answer(const struct dns_answer *a, void *arg)
{
	struct job *j = arg;
	j->outstanding--;
	if (a->outcome == DNS_OUTCOME_TIMEOUT)
		j->w->timeouts++;
	if (!j->broken && dns_memo_put(j->memo, a) != 0) {
		j->broken = true;
		snprintf(j->why, sizeof(j->why),
		         "more than %d DNS answers needed for one domain (DNS_MEMO_MAX)",
		         DNS_MEMO_MAX);
	}
	for (int i = 0; i < CHECK_COUNT; i++)
		if (j->waiting[i] && j->wait[i].type == a->type &&
		    dns_name_equal(j->wait[i].name, a->name)) {
			j->waiting[i] = false;
			free(j->wait[i].name);
			j->wait[i].name = NULL;
		}
	for (int k = 0; k < j->nahead; k++)
		if (j->ahead[k].type == a->type && dns_name_equal(j->ahead[k].name, a->name)) {
			free(j->ahead[k].name);
			j->ahead[k] = j->ahead[--j->nahead];
			break;
		}
	if (j->broken)
		job_finish_if_done(j);
	else
		job_advance(j);
}

/* True when the run's cache holds the answer now (another domain's
 * query brought it while this question waited for its turn). */
static bool held(struct worker *w, const char *name, uint16_t type)
{
	char norm[DNS_NAME_BUF];
	return dns_name_normalize(name, norm, sizeof(norm)) == 0 &&
	       dns_cache_has(w->sc->cache, norm, type);
}

/* Hands the adapter the questions queued by ask, oldest first, while it
 * has room (and under --qps, tokens). */
static void release_deferred(struct worker *w)
{
	if (w->rate > 0)
		refill(w);
	while (w->dlen > 0 && dns_worker_pending(w->dns) < w->adapter_max) {
		struct deferred d = w->def[w->dhead];
		/* Under --qps, an answer the cache holds by now reaches no
		 * server: it takes no token. */
		bool token = w->rate > 0 && !held(w, d.q.name, d.q.type);
		if (token && w->tokens < 1)
			break;
		w->dhead = (w->dhead + 1) % w->dcap;
		w->dlen--;
		if (token)
			w->tokens -= 1;
		d.job->outstanding--;
		send_query(w, d.job, d.q.name, d.q.type);
		free(d.q.name);
		job_finish_if_done(d.job); /* only if the send failed */
	}
}

/* Starts the domain of item, whose name the job takes. */
/* The job's DKIM selectors: the scan's, then the list's (sel, taken:
 * space-separated, checked when the list was read), each once, at most
 * SCAN_DKIM_SELECTORS_MAX. */
static void job_dkim_list(struct job *j, char *sel)
{
	j->ndkim = 0;
	for (size_t i = 0; i < scan_dkim_nselectors; i++)
		j->dkim_sel[j->ndkim++] = scan_dkim_selectors[i];
	j->dkim_buf = sel;
	for (char *save = NULL, *t = sel ? strtok_r(sel, " ", &save) : NULL;
	     t != NULL && j->ndkim < SCAN_DKIM_SELECTORS_MAX; t = strtok_r(NULL, " ", &save)) {
		bool seen = false;
		for (size_t k = 0; k < j->ndkim && !seen; k++)
			seen = strcasecmp(j->dkim_sel[k], t) == 0;
		if (!seen)
			j->dkim_sel[j->ndkim++] = t;
	}
}

static void job_start(struct worker *w, struct work *item)
{
	struct job *j = w->spare;
	if (j != NULL)
		w->spare = j->next;
	else if ((j = malloc(sizeof(*j))) == NULL) {
		free(item->domain);
		free(item->selectors);
		return; /* stays pending */
	}
	memset(j, 0, sizeof(*j));
	j->memo = dns_memo_new();
	j->parsed = spf_parse_memo_new();
	if (j->memo == NULL || j->parsed == NULL) {
		dns_memo_free(j->memo);
		spf_parse_memo_free(j->parsed);
		free(item->domain);
		free(item->selectors);
		j->next = w->spare;
		w->spare = j;
		return;
	}
	dns_memo_use_cache(j->memo, w->sc->cache);
	j->w = w;
	j->domain_id = item->domain_id;
	j->domain = item->domain;
	job_dkim_list(j, item->selectors);
	j->done = CHECKS_ALL & ~w->sc->o->checks;
	j->next = w->jobs;
	if (w->jobs)
		w->jobs->prev = j;
	w->jobs = j;
	w->active++;
	job_advance(j);
}

/* ---- workers ---------------------------------------------------------- */

static bool take_work(struct scan *sc, struct work *out, bool wait)
{
	bool got = false;
	pthread_mutex_lock(&sc->mu);
	for (;;) {
		if (sc->wlen > 0) {
			*out = sc->work[sc->whead];
			sc->whead = (sc->whead + 1) % sc->wcap;
			sc->wlen--;
			got = true;
			break;
		}
		if (!wait || sc->closed || *sc->stop)
			break;
		struct timespec t = deadline_in(SCAN_WORK_WAIT_MS);
		pthread_cond_timedwait(&sc->work_cv, &sc->mu, &t);
	}
	pthread_mutex_unlock(&sc->mu);
	return got;
}

static bool work_over(struct scan *sc)
{
	pthread_mutex_lock(&sc->mu);
	bool over = sc->closed && sc->wlen == 0;
	pthread_mutex_unlock(&sc->mu);
	return over;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct scan *sc = w->sc;
	struct work d;

	clock_gettime(CLOCK_MONOTONIC, &w->last);
	while (!*sc->stop) {
		while (w->active < sc->o->inflight && take_work(sc, &d, w->active == 0))
			job_start(w, &d);
		if (w->active == 0) {
			if (work_over(sc))
				break;
			continue;
		}
		if (w->dlen > 0)
			release_deferred(w);
		/* Questions left queued wait for the adapter's room (an
		 * answer frees it: block for one) or under --qps for tokens
		 * (do not). */
		size_t pending = dns_worker_run_once(w->dns, w->dlen == 0 || w->rate <= 0);
		if (pending == 0 && w->dlen > 0) {
			/* Waiting for tokens only. */
			struct timespec t = { 0, SCAN_TOKEN_SLEEP_NS };
			nanosleep(&t, NULL);
		}
	}
	/* Interrupted: drop what is in progress; it stays pending. */
	struct dns_worker_stats ds;
	dns_worker_stats(w->dns, &ds);
	w->sent = ds.sent_udp + ds.sent_tcp;
	dns_worker_free(w->dns);
	w->dns = NULL;
	/* The analyzer loses track of job_free unlinking the head (jobs freed
	 * when they finish are never on this list): hence the NOLINT. */
	for (struct job *j = w->jobs, *next; j != NULL; j = next) {
		next = j->next; /* NOLINT(clang-analyzer-unix.Malloc) */
		j->prev = NULL; /* j is the head now */
		job_free(j);
	}
	for (struct job *j = w->spare, *next; j != NULL; j = next) {
		next = j->next;
		free(j);
	}
	w->spare = NULL;
	for (size_t i = 0; i < w->dlen; i++)
		free(w->def[(w->dhead + i) % w->dcap].q.name);
	free(w->def);
	w->def = NULL;
	w->dlen = 0;
	checks_cleanup(w->scratch);
	free(w->scratch);
	w->scratch = NULL;
	pthread_mutex_lock(&sc->mu);
	sc->live_workers--;
	bool last = --sc->dns_workers == 0;
	sc->queries += w->queries;
	sc->sent += w->sent;
	sc->timeouts += w->timeouts;
	pthread_cond_broadcast(&sc->rows_cv);
	pthread_mutex_unlock(&sc->mu);
	/* The last DNS worker: nothing more will reach the HTTPS stage. */
	if (last && sc->fetch != NULL)
		scan_fetch_close(sc->fetch);
	return NULL;
}

/* ---- the coordinator -------------------------------------------------- */

/* What --progress shows and when it last showed it. */
struct progress {
	enum scan_progress mode;
	double every; /* seconds between two lines */
	double started, last;
	uint64_t done0; /* done before this process started (--resume) */
	bool shown;
};

/* Domains per second this process has done, and the seconds left at that
 * rate (negative: unknown, nothing done yet). */
static void progress_rate(const struct progress *p, const struct scan_stats *st, double elapsed,
                          double *rate, double *eta)
{
	uint64_t now_done = st->done > p->done0 ? st->done - p->done0 : 0;
	uint64_t left = st->total > st->done ? st->total - st->done : 0;
	*rate = elapsed > 0 ? (double)now_done / elapsed : 0;
	*eta = left == 0 ? 0 : *rate > 0 ? (double)left / *rate : -1;
}

/* Seconds as HH:MM:SS (hours growing past 99 if need be). */
static void fmt_hms(char *buf, size_t len, double secs)
{
	unsigned long long t = secs < 0       ? 0
	                       : secs > 3.6e9 ? 3600000000ULL
	                                      : (unsigned long long)secs;
	snprintf(buf, len, "%02llu:%02llu:%02llu", t / 3600, t / 60 % 60, t % 60);
}

/* The terminal's status line, redrawn in place. */
static void progress_tty(const struct progress *p, const struct scan_stats *st,
                         struct dns_cache *cache, bool final)
{
	struct dns_cache_stats cs;
	double rate, eta;
	char hms[32];

	dns_cache_stats(cache, &cs);
	progress_rate(p, st, now_s() - p->started, &rate, &eta);
	fmt_hms(hms, sizeof(hms), eta);
	uint64_t lookups = cs.hits + cs.misses;
	fprintf(stderr, "\r\033[K%llu/%llu domains  %.0f/s  ETA %s  %llu errors  cache %.0f%%",
	        (unsigned long long)st->done, (unsigned long long)st->total, rate, hms,
	        (unsigned long long)st->errors,
	        lookups ? 100.0 * (double)cs.hits / (double)lookups : 0.0);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* One line for a log: printable ASCII and a newline, nothing a log keeps
 * as garbage (scan.h gives the format). end: "finished", "interrupted" or
 * "failed" for the last line, NULL before. */
static void progress_log(const struct progress *p, const struct scan_stats *st, const char *end)
{
	double elapsed = now_s() - p->started, rate, eta;
	char stamp[32] = "1970-01-01T00:00:00Z", hms[32];
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	progress_rate(p, st, elapsed, &rate, &eta);
	double pct = st->total > 0 ? 100.0 * (double)st->done / (double)st->total : 100.0;
	fprintf(stderr, "%s posture scan: %llu/%llu domains (%.1f%%), %.1f/s, %llu inconclusive, ",
	        stamp, (unsigned long long)st->done, (unsigned long long)st->total, pct, rate,
	        (unsigned long long)st->errors);
	if (end != NULL) {
		fmt_hms(hms, sizeof(hms), elapsed);
		fprintf(stderr, "%s after %s\n", end, hms);
	} else if (eta < 0) {
		fputs("ETA unknown\n", stderr);
	} else {
		fmt_hms(hms, sizeof(hms), eta);
		fprintf(stderr, "ETA %s\n", hms);
	}
	fflush(stderr);
}

static void progress_init(struct progress *p, const struct scan_options *o, double started,
                          uint64_t done0)
{
	*p = (struct progress){ .mode = o->progress, .started = started, .done0 = done0 };
	if (o->progress == SCAN_PROGRESS_TTY) {
		p->every = SCAN_PROGRESS_TTY_EVERY_S;
		p->last = started - p->every; /* the first line at once */
	} else {
		p->every = o->progress_every_s ? o->progress_every_s : SCAN_PROGRESS_EVERY_DEFAULT;
		p->last = started; /* a log gets its first line after one interval */
	}
}

/* Called as results come in: a line when one is due. */
static void progress_tick(struct progress *p, const struct scan_stats *st, struct dns_cache *cache)
{
	double now = now_s();
	if (p->mode == SCAN_PROGRESS_OFF || now - p->last < p->every)
		return;
	if (p->mode == SCAN_PROGRESS_TTY)
		progress_tty(p, st, cache, false);
	else
		progress_log(p, st, NULL);
	p->shown = true;
	p->last = now;
}

/* The last line: the terminal's left on screen, the log's always. */
static void progress_end(const struct progress *p, const struct scan_stats *st,
                         struct dns_cache *cache, const char *how)
{
	if (p->mode == SCAN_PROGRESS_TTY && p->shown)
		progress_tty(p, st, cache, true);
	else if (p->mode == SCAN_PROGRESS_LINES)
		progress_log(p, st, how);
}

/* Writes the queued rows in one transaction. Returns rows written or -1. */
static long write_rows(struct store *s, int64_t run, struct row *list, uint64_t *errors)
{
	long n = 0, bad = 0;
	if (list == NULL)
		return 0;
	if (store_begin(s) != 0)
		return -1;
	for (struct row *r = list; r; r = r->next) {
		if (store_result_put(s, run, &r->r) != 0) {
			store_rollback(s);
			return -1;
		}
		n++;
		bad += !r->r.conclusive;
	}
	if (store_run_add_progress(s, run, n, bad) != 0 || store_commit(s) != 0) {
		store_rollback(s);
		return -1;
	}
	*errors += (uint64_t)bad;
	return n;
}

/* The coordinator's side of a run: feeding the work queue from the store
 * and writing the workers' results back (the one writer). */
struct coord {
	struct scan *sc;
	struct store *s;
	int64_t run;
	struct store_pending *window; /* what store_pending reads into */
	int64_t after;                /* the list position fed last */
	bool fed_all, store_failed;
	struct scan_stats *st;
	double started;
	struct progress progress;
	char *err;
	size_t errlen;
};

/* Allocates the cache, the work queue and the workers. Returns 0 or -1. */
static int scan_alloc(struct scan *sc, const struct scan_options *o, unsigned nw,
                      struct worker **ws)
{
	sc->cache = dns_cache_new(o->cache_entries);
	/* The work queue holds what the workers take while the coordinator
	 * commits a batch: twice what they keep in progress, and at least a
	 * few hundred milliseconds' worth. */
	sc->wcap = (size_t)nw * o->inflight * 2 + 64;
	if (sc->wcap < SCAN_WORK_MIN)
		sc->wcap = SCAN_WORK_MIN;
	sc->work = calloc(sc->wcap, sizeof(*sc->work));
	sc->rows_tail = &sc->rows;
	sc->rows_cap = o->batch * 2;
	*ws = calloc(nw, sizeof(**ws));
	return sc->cache == NULL || sc->work == NULL || *ws == NULL ? -1 : 0;
}

/* Starts the stage after DNS (scan_stage_wanted). Returns 0 or -1 with err
 * set. */
static int fetch_stage_start(struct scan *sc, const struct scan_options *o, char *err,
                             size_t errlen)
{
	struct scan_fetch_config fc = { 0 };
	fc.dns = &o->dns;
	fc.cache = sc->cache;
	fc.ca_file = o->ca_file;
	fc.connect_to = o->connect_to;
	fc.n_connect_to = o->n_connect_to;
	fc.allow_ports = o->allow_ports;
	fc.n_allow_ports = o->n_allow_ports;
	fc.vmc.at = sc->at;
	fc.vmc.roots_pem = o->vmc_roots;
	fc.vmc.roots_len = o->vmc_roots_len;
	fc.bimi = !o->no_fetch && (o->checks & CHECK_BIT(CHECK_BIMI));
	fc.mta_sts = !o->no_fetch && (o->checks & CHECK_BIT(CHECK_MTA_STS));
	fc.validate = (o->checks & CHECKS_VALIDATING) != 0;
	fc.trust_anchor = o->trust_anchor;
	fc.emit = fetch_emit;
	fc.finished = fetch_finished;
	fc.arg = sc;
	fc.stop = sc->stop;
	pthread_mutex_lock(&sc->mu);
	sc->live_workers = 1; /* the stage, until it has emitted all */
	pthread_mutex_unlock(&sc->mu);
	sc->fetch = scan_fetch_start(&fc, err, errlen);
	return sc->fetch == NULL ? -1 : 0;
}

/* Gives each worker its DNS sockets, starts the HTTPS stage if the run
 * fetches, then the threads. Returns how many threads run (0 with err
 * set: nothing is left running or owned). */
static unsigned workers_start(struct scan *sc, struct worker *ws, unsigned nw, char *err,
                              size_t errlen)
{
	const struct scan_options *o = sc->o;
	unsigned i = 0;

	for (; i < nw; i++) {
		ws[i].sc = sc;
		ws[i].rate = o->qps ? (double)o->qps / nw : 0;
		ws[i].tokens = 1;
		/* Room in the adapter for what it puts on the wire and as many
		 * again, so that answers leave it something to send at once. */
		ws[i].adapter_max = 2 * (size_t)sc->dns.max_inflight;
		ws[i].scratch = calloc(1, sizeof(*ws[i].scratch));
		if (ws[i].scratch == NULL) {
			snprintf(err, errlen, "out of memory");
			break;
		}
		ws[i].dns = dns_worker_new(&sc->dns, sc->cache, err, errlen);
		if (ws[i].dns == NULL) {
			free(ws[i].scratch);
			break;
		}
	}
	if (i < nw || (scan_stage_wanted(o) && fetch_stage_start(sc, o, err, errlen) != 0)) {
		for (unsigned k = 0; k < i; k++) {
			dns_worker_free(ws[k].dns);
			free(ws[k].scratch);
		}
		return 0;
	}
	pthread_mutex_lock(&sc->mu);
	sc->live_workers += nw;
	sc->dns_workers = nw;
	pthread_mutex_unlock(&sc->mu);
	unsigned started = 0;
	for (; started < nw; started++)
		if (pthread_create(&ws[started].th, NULL, worker_main, &ws[started]) != 0)
			break;
	if (started < nw) {
		/* Run with what started; the rest never owned anything. */
		for (unsigned k = started; k < nw; k++) {
			dns_worker_free(ws[k].dns);
			free(ws[k].scratch);
		}
		pthread_mutex_lock(&sc->mu);
		sc->live_workers -= nw - started;
		sc->dns_workers = started;
		pthread_mutex_unlock(&sc->mu);
		if (started == 0)
			snprintf(err, errlen, "cannot start worker threads");
	}
	return started;
}

static void coord_failed(struct coord *c)
{
	str_copy(c->err, c->errlen, store_error(c->s));
	c->store_failed = true;
	*c->sc->stop = 1;
}

/* Tops the work queue up from the store once it is half empty, a window
 * of SCAN_WINDOW rows at a time. */
static void coord_feed(struct coord *c)
{
	struct scan *sc = c->sc;
	pthread_mutex_lock(&sc->mu);
	size_t space = sc->wcap - sc->wlen;
	bool feed = !c->fed_all && !*sc->stop && space >= sc->wcap / 2;
	pthread_mutex_unlock(&sc->mu);
	while (feed && space > 0) {
		size_t n = 0, added = 0;
		if (store_pending(c->s, c->run, c->after, c->window,
		                  space < SCAN_WINDOW ? space : SCAN_WINDOW, &n) != 0) {
			coord_failed(c);
			break;
		}
		pthread_mutex_lock(&sc->mu);
		for (; added < n; added++) {
			const struct store_pending *p = &c->window[added];
			char *name = strdup(p->domain);
			char *sel = p->dkim_selectors[0] ? strdup(p->dkim_selectors) : NULL;
			if (name == NULL || (p->dkim_selectors[0] && sel == NULL)) {
				free(name);
				free(sel);
				break; /* read again at the next feed */
			}
			sc->work[(sc->whead + sc->wlen) % sc->wcap] =
			        (struct work){ p->domain_id, name, sel };
			sc->wlen++;
			c->after = c->window[added].position;
		}
		if (n == 0) {
			c->fed_all = true;
			sc->closed = true;
		}
		pthread_cond_broadcast(&sc->work_cv);
		pthread_mutex_unlock(&sc->mu);
		space -= added;
		feed = n > 0 && added == n;
	}
}

/* Writes what the workers finished (waiting up to 50 ms for a batch).
 * Returns true when every worker has ended and nothing is left. */
static bool coord_collect(struct coord *c)
{
	struct scan *sc = c->sc;
	pthread_mutex_lock(&sc->mu);
	if (sc->nrows < sc->o->batch && sc->live_workers > 0) {
		struct timespec t = deadline_in(SCAN_COLLECT_WAIT_MS);
		pthread_cond_timedwait(&sc->rows_cv, &sc->mu, &t);
	}
	struct row *list = sc->rows;
	sc->rows = NULL;
	sc->rows_tail = &sc->rows;
	sc->nrows = 0;
	unsigned live = sc->live_workers;
	pthread_cond_broadcast(&sc->space_cv);
	pthread_mutex_unlock(&sc->mu);
	if (list != NULL && !c->store_failed) {
		long n = write_rows(c->s, c->run, list, &c->st->errors);
		if (n < 0)
			coord_failed(c);
		else
			c->st->done += (uint64_t)n;
	}
	while (list) {
		struct row *next = list->next;
		row_free(list);
		list = next;
	}
	progress_tick(&c->progress, c->st, sc->cache);
	if (live > 0)
		return false;
	pthread_mutex_lock(&sc->mu);
	bool empty = sc->rows == NULL;
	pthread_mutex_unlock(&sc->mu);
	return empty;
}

static void scan_stats_fill(struct scan_stats *st, const struct scan *sc, double started)
{
	if (sc->cache != NULL) {
		struct dns_cache_stats cs;
		dns_cache_stats(sc->cache, &cs);
		st->cache_hits = cs.hits;
		st->cache_misses = cs.misses;
	}
	st->queries = sc->queries;
	st->sent = sc->sent;
	st->timeouts = sc->timeouts;
	st->seconds = now_s() - started;
}

int scan_run(struct store *s, int64_t run, const struct scan_options *o,
             volatile sig_atomic_t *stop, struct scan_stats *st, char *err, size_t errlen)
{
	struct scan sc = { 0 };
	struct worker *ws = NULL;
	unsigned nw = scan_worker_count(o);
	int rc = -1;
	struct coord c = { .sc = &sc,
		           .s = s,
		           .run = run,
		           .st = st,
		           .started = now_s(),
		           .err = err,
		           .errlen = errlen };

	memset(st, 0, sizeof(*st));
	int64_t total, done, errors;
	if (store_run_counts(s, run, &total, &done, &errors) != 0) {
		str_copy(err, errlen, store_error(s));
		return -1;
	}
	st->total = (uint64_t)total;
	st->done = (uint64_t)done;
	st->errors = (uint64_t)errors;
	progress_init(&c.progress, o, c.started, st->done);
	sc.o = o;
	/* Queries on the wire, so TCP connections, within the descriptors
	 * (scan_limits.h); more wait in the adapter's queue. */
	struct scan_plan plan;
	scan_plan_of(o, scan_nofile(), &plan);
	sc.dns = o->dns;
	sc.dns.max_inflight = plan.outstanding ? plan.outstanding : 1;
	sc.at = o->at ? o->at : time(NULL);
	sc.stop = stop;
	if (scan_alloc(&sc, o, nw, &ws) != 0 ||
	    (c.window = calloc(SCAN_WINDOW, sizeof(*c.window))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out_free;
	}
	pthread_mutex_init(&sc.mu, NULL);
	pthread_cond_init(&sc.work_cv, NULL);
	pthread_cond_init(&sc.rows_cv, NULL);
	pthread_cond_init(&sc.space_cv, NULL);
	unsigned started = workers_start(&sc, ws, nw, err, errlen);
	if (started == 0)
		goto out_sync;

	(void)store_checkpoints_start(s);
	do
		coord_feed(&c);
	while (!coord_collect(&c));
	for (unsigned i = 0; i < started; i++)
		pthread_join(ws[i].th, NULL);
	store_checkpoints_stop(s, NULL);
	st->interrupted = *stop != 0;
	progress_end(&c.progress, st, sc.cache,
	             c.store_failed    ? "failed"
	             : st->interrupted ? "interrupted"
	                               : "finished");
	rc = c.store_failed ? -1 : 0;
out_sync:
	scan_fetch_free(sc.fetch);
	pthread_cond_destroy(&sc.space_cv);
	pthread_cond_destroy(&sc.rows_cv);
	pthread_cond_destroy(&sc.work_cv);
	pthread_mutex_destroy(&sc.mu);
out_free:
	scan_stats_fill(st, &sc, c.started);
	free(c.window);
	free(ws);
	for (size_t i = 0; sc.work != NULL && i < sc.wlen; i++) {
		free(sc.work[(sc.whead + i) % sc.wcap].domain);
		free(sc.work[(sc.whead + i) % sc.wcap].selectors);
	}
	free(sc.work);
	dns_cache_free(sc.cache);
	return rc;
}
