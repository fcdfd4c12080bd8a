/* fetch/queue.c: the request queue over one curl multi handle: scheduling, retries, completion. */
#include "fetch/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/url.h"
#include "util/banned.h"

/* --- options and set-up --- */

void fetch_opts_init(struct fetch_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->delay = FETCH_DEFAULT_DELAY;
    opts->timeout = FETCH_DEFAULT_TIMEOUT;
    opts->connect_timeout = FETCH_DEFAULT_CONNECT;
    opts->retries = FETCH_DEFAULT_RETRIES;
    opts->jobs = FETCH_DEFAULT_JOBS;
    opts->pages_per_host = FETCH_PAGES_PER_HOST;
    opts->images_per_host = FETCH_IMAGES_PER_HOST;
    opts->max_page_bytes = FETCH_MAX_PAGE_BYTES;
    opts->max_image_bytes = FETCH_MAX_IMAGE_BYTES;
}

static enum arc_err copy_list(const char *const *items, struct curl_slist **out)
{
    for (; items && *items; items++) {
        struct curl_slist *l = curl_slist_append(*out, *items);

        if (!l)
            return ARC_ENOMEM;
        *out = l;
    }
    return ARC_OK;
}

static bool opts_valid(const struct fetch_opts *o, struct strbuf *why)
{
    if (o->jobs < 1 || o->pages_per_host < 1 || o->images_per_host < 1) {
        strbuf_setwhy(why, "jobs and per-host limits must be at least 1");
        return false;
    }
    if (o->retries < 0 || !(o->delay >= 0) || !(o->timeout >= 0) || !(o->connect_timeout >= 0)) {
        strbuf_setwhy(why, "retries, delay and timeouts must not be negative");
        return false;
    }
    return true;
}

enum arc_err fetch_queue_new(const struct fetch_opts *opts, struct fetch_queue **out,
                             struct strbuf *why)
{
    struct fetch_queue *q;
    enum arc_err err;

    *out = NULL;
    if (!opts_valid(opts, why))
        return ARC_EINVAL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        strbuf_setwhy(why, "cannot initialise libcurl");
        return ARC_ENOMEM;
    }
    q = xcalloc(1, sizeof(*q));
    q->opts = *opts;
    q->opts.resolve = q->opts.connect_to = NULL; /* borrowed: copied into the lists below */
    q->opts.user_agent = q->opts.cacert = NULL;
    if (!q->opts.max_page_bytes)
        q->opts.max_page_bytes = FETCH_MAX_PAGE_BYTES;
    if (!q->opts.max_image_bytes)
        q->opts.max_image_bytes = FETCH_MAX_IMAGE_BYTES;
    q->user_agent = xstrdup(opts->user_agent ? opts->user_agent : FETCH_USER_AGENT);
    q->cacert = opts->cacert ? xstrdup(opts->cacert) : NULL;
    q->rng = opts->seed ? opts->seed : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    q->multi = curl_multi_init();
    /* q->multi is checked before use: a NULL multi handle is curl's out of memory. */
    err = q->multi ? ARC_OK : ARC_ENOMEM;
    if (!err && curl_multi_setopt(q->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX) != CURLM_OK)
        err = ARC_ENOMEM;
    if (!err)
        err = copy_list(opts->resolve, &q->resolve);
    if (!err)
        err = copy_list(opts->connect_to, &q->connect_to);
    if (err) {
        strbuf_setwhy(why, "cannot set up libcurl: %s", arc_strerror(err));
        fetch_queue_free(q);
        return err;
    }
    *out = q;
    return ARC_OK;
}

/* --- hosts --- */

static struct fetch_host *find_host(const struct fetch_queue *q, const char *name)
{
    struct fetch_host *h;

    for (h = q->hosts; h; h = h->next)
        if (!strcasecmp(h->name, name))
            return h;
    return NULL;
}

static struct fetch_host *get_host(struct fetch_queue *q, const char *name)
{
    struct fetch_host *h = find_host(q, name);

    if (h)
        return h;
    h = xcalloc(1, sizeof(*h));
    h->name = xstrdup(name);
    for (char *p = h->name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    h->next = q->hosts;
    q->hosts = h;
    return h;
}

void fetch_queue_block_host(struct fetch_queue *q, const char *host)
{
    get_host(q, host)->blocked = true;
    q->kick = true;
}

bool fetch_queue_host_blocked(const struct fetch_queue *q, const char *host)
{
    const struct fetch_host *h = find_host(q, host);

    return h && h->blocked;
}

void fetch_queue_on_tick(struct fetch_queue *q, void (*tick)(const struct fetch_stats *, void *),
                         void *ud)
{
    q->tick = tick;
    q->tick_ud = ud;
}

/* --- requests --- */

static void reset_results(struct fetch_req *req)
{
    strbuf_reset(&req->body);
    free(req->final_url);
    free(req->content_type);
    free(req->etag_out);
    free(req->last_modified_out);
    free(req->error);
    req->final_url = req->content_type = req->etag_out = req->last_modified_out = NULL;
    req->error = NULL;
    req->status = 0;
    req->content_length = -1;
    req->encoded = false;
}

enum arc_err fetch_queue_add(struct fetch_queue *q, struct fetch_req *req, fetch_done_fn *done)
{
    struct fetch_xfer *x;
    char *host;

    if (!q || !req || !req->url || !done)
        return ARC_EINVAL;
    x = xcalloc(1, sizeof(*x));
    x->q = q;
    x->req = req;
    x->cap = req->kind == FETCH_PAGE ? q->opts.max_page_bytes : q->opts.max_image_bytes;
    x->retry_after = -1;
    req->err = ARC_OK;
    req->status = 0;
    strbuf_init_max(&req->body, x->cap);
    req->final_url = req->content_type = req->etag_out = req->last_modified_out = NULL;
    req->error = NULL;
    req->content_length = -1;
    req->encoded = false;
    req->attempts = 0;
    req->next_ = NULL;
    req->done_ = done;
    req->not_before_ = 0;
    req->handle_ = x;

    host = url_is_http(req->url) ? url_host(req->url) : NULL;
    if (host)
        x->host = get_host(q, host);
    else
        x->early = ARC_EURL;
    free(host);

    x->prev = q->tail;
    if (q->tail)
        q->tail->next = x;
    else
        q->head = x;
    q->tail = x;
    q->kick = true;
    return ARC_OK;
}

void fetch_req_release(struct fetch_req *req)
{
    if (!req)
        return;
    reset_results(req);
    strbuf_release(&req->body);
}

static void unlink_xfer(struct fetch_queue *q, struct fetch_xfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        q->head = x->next;
    if (x->next)
        x->next->prev = x->prev;
    else
        q->tail = x->prev;
}

/* Ends a request: the queue forgets it before done() runs, so done() may add, block or free. */
static void complete(struct fetch_queue *q, struct fetch_xfer *x, enum arc_err err, const char *why)
{
    struct fetch_req *req = x->req;
    fetch_done_fn *done = req->done_;

    req->err = err;
    if (err) {
        free(req->error);
        req->error = xstrdup(why && *why ? why : arc_strerror(err));
        /* A cut or refused body is no content; an HTTP error page is kept for the curious. */
        if (err != ARC_EHTTP)
            strbuf_release(&req->body);
        q->stats.failed++;
    }
    q->stats.done++;
    unlink_xfer(q, x);
    fetch__easy_cleanup(x);
    free(x);
    req->handle_ = NULL;
    req->done_ = NULL;
    done(req);
}

/* --- scheduling --- */

static int kind_limit(const struct fetch_queue *q, enum fetch_kind kind)
{
    return kind == FETCH_PAGE ? q->opts.pages_per_host : q->opts.images_per_host;
}

static void start(struct fetch_queue *q, struct fetch_xfer *x, double now)
{
    struct fetch_req *req = x->req;
    enum arc_err err;

    reset_results(req);
    err = fetch__easy_start(q, x);
    if (err) {
        complete(q, x, err, "cannot set up the transfer");
        return;
    }
    req->attempts++;
    q->active++;
    x->host->active[req->kind]++;
    /* Counted from now until the request really leaves (see on_prereq() in transfer.c). */
    if (req->kind == FETCH_PAGE)
        x->host->next_page = now + q->opts.delay;
}

static void earliest(double *wake, double t)
{
    if (t < *wake)
        *wake = t;
}

/* Completes what must not be sent and starts what may start; *wake is the earliest time a waiting
 * request becomes startable by the clock alone (a finishing transfer wakes the loop anyway). */
static void schedule(struct fetch_queue *q, double *wake)
{
    double now = fetch__now();
    struct fetch_xfer *x, *next;

    *wake = now + 3600;
    for (x = q->head; x; x = next) {
        struct fetch_req *req = x->req;
        struct fetch_host *h = x->host;

        next = x->next;
        if (x->easy)
            continue;
        if (x->early) {
            complete(q, x, x->early, "not an http or https URL");
            continue;
        }
        if (req->kind == FETCH_PAGE && h->blocked) {
            complete(q, x, ARC_EWALL, "host blocked for this run");
            continue;
        }
        if (req->not_before_ > now) {
            earliest(wake, req->not_before_);
            continue;
        }
        if (q->active >= q->opts.jobs || h->active[req->kind] >= kind_limit(q, req->kind))
            continue;
        if (req->kind == FETCH_PAGE && h->next_page > now) {
            earliest(wake, h->next_page);
            continue;
        }
        start(q, x, now);
    }
}

/* --- completion of one attempt --- */

static void describe(struct strbuf *why, enum arc_err err, CURLcode result,
                     const struct fetch_xfer *x)
{
    const struct fetch_req *req = x->req;

    if (err == ARC_ETOOBIG)
        strbuf_addf(why, "body larger than %zu bytes", x->cap);
    else if (err == ARC_EHTTP && result == CURLE_OK)
        strbuf_addf(why, "HTTP %ld after %d attempt%s", req->status, req->attempts,
                    req->attempts == 1 ? "" : "s");
    else if (result != CURLE_OK)
        strbuf_addstr(why, x->errbuf[0] ? x->errbuf : curl_easy_strerror(result));
}

static void finish(struct fetch_queue *q, struct fetch_xfer *x, CURLcode result)
{
    struct fetch_req *req = x->req;
    struct strbuf why = STRBUF_INIT;
    enum fetch__verdict verdict;
    enum arc_err err;
    long status = 0;
    char *s = NULL;
    curl_off_t cl = -1;

    if (curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
        req->status = status;
    if (curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &s) == CURLE_OK && s)
        req->final_url = xstrdup(s);
    s = NULL;
    if (curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK && s)
        req->content_type = xstrdup(s);
    if (curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK)
        req->content_length = cl;
    curl_multi_remove_handle(q->multi, x->easy);
    fetch__easy_cleanup(x);
    q->active--;
    x->host->active[req->kind]--;
    q->stats.bytes += req->body.len;

    verdict = fetch__classify(result, req->status, x->too_big, &err);
    if (verdict == FETCH__RETRY && req->attempts <= q->opts.retries) {
        double wait = fetch__backoff(req->attempts, &q->rng);

        if (x->retry_after > wait)
            wait = x->retry_after;
        req->not_before_ = fetch__now() + wait;
        return;
    }
    describe(&why, err, result, x);
    complete(q, x, err, why.buf);
    strbuf_release(&why);
}

static int collect(struct fetch_queue *q)
{
    CURLMsg *msg;
    int left, n = 0;

    while ((msg = curl_multi_info_read(q->multi, &left))) {
        char *priv = NULL;
        CURLcode result = msg->data.result;

        if (msg->msg != CURLMSG_DONE)
            continue;
        if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv) != CURLE_OK || !priv)
            BUG("a finished transfer without its request");
        finish(q, (struct fetch_xfer *)(void *)priv, result);
        n++;
    }
    return n;
}

/* --- the loop --- */

static void tick(struct fetch_queue *q)
{
    const struct fetch_xfer *x;

    if (!q->tick)
        return;
    q->stats.queued = 0;
    for (x = q->head; x; x = x->next)
        if (!x->easy)
            q->stats.queued++;
    q->stats.active = (size_t)q->active;
    q->tick(&q->stats, q->tick_ud);
}

enum arc_err fetch_queue_run(struct fetch_queue *q)
{
    double wake, now, last_tick = fetch__now();
    enum arc_err err = ARC_OK;

    if (q->running)
        BUG("fetch_queue_run() called from a done() callback");
    q->running = true;
    for (;;) {
        int still, timeout_ms;

        q->kick = false;
        schedule(q, &wake);
        if (!q->head)
            break;
        if (curl_multi_perform(q->multi, &still) != CURLM_OK) {
            err = ARC_ENOMEM;
            break;
        }
        now = fetch__now();
        if (now - last_tick >= FETCH_TICK_SECONDS) {
            tick(q);
            last_tick = now;
        }
        if (collect(q) > 0 || q->kick)
            continue;
        earliest(&wake, last_tick + FETCH_TICK_SECONDS);
        timeout_ms = wake > now ? (int)((wake - now) * 1000) + 1 : 0;
        if (curl_multi_poll(q->multi, NULL, 0, timeout_ms, NULL) != CURLM_OK) {
            err = ARC_ENOMEM;
            break;
        }
    }
    tick(q);
    q->running = false;
    return err;
}

void fetch_queue_free(struct fetch_queue *q)
{
    struct fetch_host *h, *hn;
    struct fetch_xfer *x, *xn;

    if (!q)
        return;
    for (x = q->head; x; x = xn) {
        xn = x->next;
        if (x->easy)
            curl_multi_remove_handle(q->multi, x->easy);
        fetch__easy_cleanup(x);
        x->req->handle_ = NULL;
        free(x);
    }
    for (h = q->hosts; h; h = hn) {
        hn = h->next;
        free(h->name);
        free(h);
    }
    if (q->multi)
        curl_multi_cleanup(q->multi);
    curl_slist_free_all(q->resolve);
    curl_slist_free_all(q->connect_to);
    free(q->user_agent);
    free(q->cacert);
    free(q);
    curl_global_cleanup();
}
