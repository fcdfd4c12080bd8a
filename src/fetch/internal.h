/* fetch/internal.h: the queue's private structures and the pure pieces of the retry policy.
 *
 * Only the .c files of src/fetch/ and tests/unit/test_fetch.c include this.  The queue keeps one
 * struct fetch_xfer per request it owns (req->handle_), in one FIFO list; a request is either
 * waiting (no easy handle) or running (an easy handle in the multi handle).  Retries put a request
 * back to waiting, in its old place, with req->not_before_ set to the end of its back-off.
 */
#ifndef ARC_FETCH_INTERNAL_H
#define ARC_FETCH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>

#include "fetch/fetch.h"

/* Back-off before retry n (1, 2, ...): FETCH_BACKOFF_BASE * 2^(n-1) seconds, at most
 * FETCH_BACKOFF_MAX, then scaled by a jitter of +-FETCH_BACKOFF_JITTER so that clients that
 * failed together do not come back together. */
#define FETCH_BACKOFF_BASE   0.5
#define FETCH_BACKOFF_MAX    60.0
#define FETCH_BACKOFF_JITTER 0.25
/* A Retry-After longer than this is cut to it: a server asking for hours would stall a cron run
 * that has other hosts to serve, and the next run retries anyway. */
#define FETCH_MAX_RETRY_AFTER 120.0
/* The progress callback's period, and the longest the loop sleeps without looking around. */
#define FETCH_TICK_SECONDS 0.2
/* Longest header value we keep (ETag, Last-Modified, Retry-After): real ones are short. */
#define FETCH_MAX_HEADER_VALUE 1024

/* What to do after one attempt. */
enum fetch__verdict {
    FETCH__DONE,  /* final: success or a failure that a retry cannot cure */
    FETCH__RETRY, /* retryable (network trouble, 429, 5xx) if attempts remain */
};

struct fetch_host {
    struct fetch_host *next;
    char *name;       /* lowercase */
    int active[2];    /* running transfers, by enum fetch_kind */
    double next_page; /* monotonic time before which no page request may start */
    bool blocked;     /* fetch_queue_block_host() */
};

struct fetch_xfer {
    struct fetch_xfer *prev, *next; /* the queue's FIFO list */
    struct fetch_queue *q;
    struct fetch_req *req;
    struct fetch_host *host; /* NULL when the URL is not http(s) */
    CURL *easy;              /* non-NULL while running */
    struct curl_slist *headers;
    enum arc_err early; /* non-OK: complete with it without sending (ARC_EURL) */
    size_t cap;         /* body size cap */
    bool too_big;       /* the write callback hit the cap */
    double retry_after; /* seconds from the last response's Retry-After; < 0 = none */
    char errbuf[CURL_ERROR_SIZE];
};

struct fetch_queue {
    CURLM *multi;
    struct fetch_opts opts;
    char *user_agent, *cacert; /* copies */
    struct curl_slist *resolve, *connect_to;
    struct fetch_xfer *head, *tail;
    struct fetch_host *hosts;
    int active;   /* running transfers */
    bool running; /* inside fetch_queue_run() */
    bool kick;    /* a request was added: look at the list again before sleeping */
    uint64_t rng;
    struct fetch_stats stats;
    void (*tick)(const struct fetch_stats *, void *);
    void *tick_ud;
};

/* Monotonic seconds. */
double fetch__now(void);

/* splitmix64: the next pseudo-random number of *state (deterministic for a given seed). */
uint64_t fetch__rand(uint64_t *state);
/* Seconds to wait before retry n (n >= 1), with jitter drawn from *rng. */
double fetch__backoff(int n, uint64_t *rng);
/* Seconds a Retry-After value asks for: a number of seconds or an HTTP date (against now), at
 * most FETCH_MAX_RETRY_AFTER, 0 for a date in the past; -1 when value is neither. */
double fetch__retry_after(const char *value, time_t now);
/* Sorts the outcome of an attempt into err (when final) and a verdict.  result is curl's code,
 * status the HTTP status (0 = none), too_big whether the write callback hit the cap. */
enum fetch__verdict fetch__classify(CURLcode result, long status, bool too_big, enum arc_err *err);

/* Sets up the easy handle of x for one attempt (transfer.c); ARC_ENOMEM when curl refuses. */
ARC_WUR enum arc_err fetch__easy_start(struct fetch_queue *q, struct fetch_xfer *x);
/* Frees the easy handle and header list of x (not in the multi handle any more). */
void fetch__easy_cleanup(struct fetch_xfer *x);

#endif
