/* fetch/fetch.h: HTTP(S) GETs on one curl multi handle: parallel transfers, per-host limits, a
 * politeness interval for article pages, retries with back-off, size caps.  It never parses HTML.
 *
 * The caller allocates each struct fetch_req (usually inside its own job struct) and keeps it alive
 * from fetch_queue_add() until its done() callback has returned; the results in the request are
 * valid from done() until fetch_req_release().  done() may add more requests (images of a page,
 * the original of a repost).  Nothing here prints; fetch_queue_run() returns only when the queue is
 * idle.  Not thread-safe: one queue, one thread.
 *
 *     struct fetch_queue *q;
 *     fetch_queue_new(&opts, &q, &why);
 *     req.url = "https://mp.weixin.qq.com/s/x"; req.kind = FETCH_PAGE;
 *     fetch_queue_add(q, &req, on_done);  fetch_queue_run(q);  fetch_queue_free(q);
 */
#ifndef ARC_FETCH_FETCH_H
#define ARC_FETCH_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/strbuf.h"

/* Defaults, each with its reason. */
/* Seconds between article pages to one host: other WeChat tools settled on about 2 s. */
#define FETCH_DEFAULT_DELAY   2.0
#define FETCH_DEFAULT_TIMEOUT 30.0 /* seconds for a whole transfer */
#define FETCH_DEFAULT_CONNECT 10.0 /* seconds to connect */
#define FETCH_DEFAULT_RETRIES 3
#define FETCH_DEFAULT_JOBS    8 /* transfers at once, all hosts */
#define FETCH_PAGES_PER_HOST  2
#define FETCH_IMAGES_PER_HOST 6
#define FETCH_MAX_REDIRECTS   5
#define FETCH_MAX_PAGE_BYTES  (16u * 1024 * 1024) /* pages are 1-4 MB */
#define FETCH_MAX_IMAGE_BYTES (32u * 1024 * 1024)
/* A transfer slower than FETCH_LOW_SPEED_BYTES per second for FETCH_LOW_SPEED_TIME s is dead. */
#define FETCH_LOW_SPEED_BYTES 1024
#define FETCH_LOW_SPEED_TIME  20
#define FETCH_USER_AGENT                                                                \
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " \
    "Chrome/124.0.0.0 Safari/537.36"

struct fetch_opts {
    double delay;           /* minimum seconds between article-page requests to one host */
    double timeout;         /* seconds for a whole transfer */
    double connect_timeout; /* seconds to connect */
    int retries;            /* further attempts after a retryable failure */
    int jobs;               /* transfers at once */
    int pages_per_host;     /* article-page transfers at once per host */
    int images_per_host;    /* image transfers at once per host */
    size_t max_page_bytes, max_image_bytes;
    const char *user_agent;        /* NULL = FETCH_USER_AGENT */
    const char *cacert;            /* CA bundle file; NULL = the system's */
    const char *const *resolve;    /* "HOST:PORT:ADDR" entries (curl's --resolve); NULL-ended */
    const char *const *connect_to; /* "HOST1:PORT1:HOST2:PORT2" entries; NULL-ended */
    unsigned seed;                 /* for the back-off jitter; 0 = from the clock */
};
void fetch_opts_init(struct fetch_opts *opts); /* the defaults above */

enum fetch_kind {
    FETCH_PAGE, /* an article page: politeness interval, pages_per_host, max_page_bytes,
                   Accept-Language zh-CN */
    FETCH_IMAGE /* an image: images_per_host, max_image_bytes, never a Referer */
};

struct fetch_queue;

struct fetch_req {
    /* Set by the caller before fetch_queue_add(): */
    const char *url; /* borrowed until done() returns */
    enum fetch_kind kind;
    const char *etag;          /* conditional GET (If-None-Match); NULL = none */
    const char *last_modified; /* conditional GET (If-Modified-Since); NULL = none */
    void *data;                /* the caller's; never touched */

    /* Results, valid in done() and until fetch_req_release(): */
    enum arc_err err;   /* ARC_OK (any HTTP status), ARC_ENET, ARC_ETOOBIG, ARC_EHTTP
                           (retries exhausted on 429/5xx), ARC_EURL (not http/https),
                           ARC_EWALL (cancelled: its host was blocked) */
    long status;        /* HTTP status of the last response; 0 = none */
    struct strbuf body; /* decoded (gzip/deflate/br undone) */
    char *final_url;    /* after redirects */
    char *content_type; /* NULL = none */
    char *etag_out, *last_modified_out; /* validators of the response; NULL = none */
    int64_t content_length;             /* from the header, -1 = none (for truncation checks) */
    bool encoded; /* a Content-Encoding was undone: body.len need not match content_length */
    int attempts; /* requests made, retries included */
    char *error;  /* a one-line reason when err != ARC_OK ("connection reset") */

    /* Private to fetch/: */
    struct fetch_req *next_;
    void (*done_)(struct fetch_req *req);
    double not_before_;
    void *handle_;
};

typedef void fetch_done_fn(struct fetch_req *req);

/* Totals for progress lines. */
struct fetch_stats {
    size_t queued, active, done, failed;
    uint64_t bytes;
};

ARC_WUR enum arc_err fetch_queue_new(const struct fetch_opts *opts, struct fetch_queue **out,
                                     struct strbuf *why);
/* Queues req; done(req) is called exactly once, from fetch_queue_run(). */
ARC_WUR enum arc_err fetch_queue_add(struct fetch_queue *q, struct fetch_req *req,
                                     fetch_done_fn *done);
/* Runs transfers until no request is left; done() callbacks may add more. */
ARC_WUR enum arc_err fetch_queue_run(struct fetch_queue *q);
/* No more article pages to this host in this run (a verification wall): queued page requests to
 * it complete with ARC_EWALL, and so do later ones. */
void fetch_queue_block_host(struct fetch_queue *q, const char *host);
bool fetch_queue_host_blocked(const struct fetch_queue *q, const char *host);
/* Called about every 200 ms during fetch_queue_run() for progress display; NULL = none. */
void fetch_queue_on_tick(struct fetch_queue *q, void (*tick)(const struct fetch_stats *, void *),
                         void *ud);
void fetch_queue_free(struct fetch_queue *q); /* NULL is fine; requests must be done */
void fetch_req_release(struct fetch_req *req);

#endif
