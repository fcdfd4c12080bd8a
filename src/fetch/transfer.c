/* fetch/transfer.c: one attempt of one request: the easy handle, its options and callbacks. */
#include "fetch/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/banned.h"

/* What a desktop Chrome sends; WeChat serves its normal page to it. */
#define ACCEPT_PAGE                                                                        \
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp," \
    "image/apng,*/*;q=0.8"
#define ACCEPT_IMAGE    "Accept: image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
#define ACCEPT_LANGUAGE "Accept-Language: zh-CN,zh;q=0.9"

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct fetch_xfer *x = ud;
    size_t n = size * nmemb;

    if (strbuf_try_add(&x->req->body, data, n) != ARC_OK) {
        x->too_big = true;
        return 0; /* curl ends the transfer with CURLE_WRITE_ERROR */
    }
    return n;
}

/* Copies the value of "Name: value\r\n" when the line has that name; NULL otherwise. */
static char *header_value(const char *line, size_t len, const char *name)
{
    size_t nlen = strlen(name), start, end;

    if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen))
        return NULL;
    start = nlen + 1;
    end = len;
    while (start < end && (line[start] == ' ' || line[start] == '\t'))
        start++;
    while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n' || line[end - 1] == ' ' ||
                           line[end - 1] == '\t'))
        end--;
    if (end - start > FETCH_MAX_HEADER_VALUE)
        return NULL;
    return xstrndup(line + start, end - start);
}

static void replace(char **slot, char *value)
{
    if (!value)
        return;
    free(*slot);
    *slot = value;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
    struct fetch_xfer *x = ud;
    struct fetch_req *req = x->req;
    size_t len = size * nmemb;
    char *v;

    if (len >= 5 && !memcmp(line, "HTTP/", 5)) {
        /* A new response (a redirect hop, or 1xx): only the final one's headers count. */
        free(req->etag_out);
        free(req->last_modified_out);
        req->etag_out = req->last_modified_out = NULL;
        req->encoded = false;
        x->retry_after = -1;
        return len;
    }
    replace(&req->etag_out, header_value(line, len, "ETag"));
    replace(&req->last_modified_out, header_value(line, len, "Last-Modified"));
    v = header_value(line, len, "Content-Encoding");
    if (v) {
        req->encoded = strcmp(v, "identity") != 0;
        free(v);
    }
    v = header_value(line, len, "Retry-After");
    if (v) {
        x->retry_after = fetch__retry_after(v, time(NULL));
        free(v);
    }
    return len;
}

/* Called just before each request goes out on a connection (redirect hops included): the
 * politeness interval counts from here, so that connection set-up does not eat into it. */
static int on_prereq(void *ud, char *remote_ip, char *local_ip, int remote_port, int local_port)
{
    struct fetch_xfer *x = ud;
    double t;

    (void)remote_ip;
    (void)local_ip;
    (void)remote_port;
    (void)local_port;
    if (x->req->kind == FETCH_PAGE && x->host) {
        t = fetch__now() + x->q->opts.delay;
        if (t > x->host->next_page)
            x->host->next_page = t;
    }
    return CURL_PREREQFUNC_OK;
}

/* A validator with a line break would smuggle a header in: such values are not sent. */
static bool header_safe(const char *v)
{
    return v && *v && !strpbrk(v, "\r\n");
}

static enum arc_err add_header(struct fetch_xfer *x, const char *line)
{
    struct curl_slist *l = curl_slist_append(x->headers, line);

    if (!l)
        return ARC_ENOMEM;
    x->headers = l;
    return ARC_OK;
}

static enum arc_err build_headers(struct fetch_xfer *x)
{
    const struct fetch_req *req = x->req;
    enum arc_err err;
    char *line;

    err = add_header(x, req->kind == FETCH_PAGE ? ACCEPT_PAGE : ACCEPT_IMAGE);
    if (!err)
        err = add_header(x, ACCEPT_LANGUAGE);
    if (!err && header_safe(req->etag)) {
        line = xasprintf("If-None-Match: %s", req->etag);
        err = add_header(x, line);
        free(line);
    }
    if (!err && header_safe(req->last_modified)) {
        line = xasprintf("If-Modified-Since: %s", req->last_modified);
        err = add_header(x, line);
        free(line);
    }
    return err;
}

static long ms(double seconds)
{
    return seconds > 0 ? (long)(seconds * 1000 + 0.5) : 0;
}

#define SET(opt, val)                                  \
    do {                                               \
        if (curl_easy_setopt(e, opt, val) != CURLE_OK) \
            return ARC_ENOMEM;                         \
    } while (0)

static enum arc_err configure(struct fetch_queue *q, struct fetch_xfer *x)
{
    CURL *e = x->easy;

    SET(CURLOPT_URL, x->req->url);
    SET(CURLOPT_PRIVATE, x);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, x->errbuf);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, x);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, x);
    SET(CURLOPT_PREREQFUNCTION, on_prereq);
    SET(CURLOPT_PREREQDATA, x);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRECTS);
    SET(CURLOPT_AUTOREFERER, 0L); /* never a Referer: image hosts answer one with a placeholder */
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    SET(CURLOPT_PIPEWAIT, 1L); /* prefer multiplexing over one more connection to the host */
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_USERAGENT, q->user_agent);
    SET(CURLOPT_HTTPHEADER, x->headers);
    SET(CURLOPT_CONNECTTIMEOUT_MS, ms(q->opts.connect_timeout));
    SET(CURLOPT_TIMEOUT_MS, ms(q->opts.timeout));
    SET(CURLOPT_LOW_SPEED_LIMIT, (long)FETCH_LOW_SPEED_BYTES);
    SET(CURLOPT_LOW_SPEED_TIME, (long)FETCH_LOW_SPEED_TIME);
    /* Rejects a too long Content-Length early; bodies without one meet the cap in on_body(). */
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->cap);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    if (q->cacert)
        SET(CURLOPT_CAINFO, q->cacert);
    if (q->resolve)
        SET(CURLOPT_RESOLVE, q->resolve);
    if (q->connect_to)
        SET(CURLOPT_CONNECT_TO, q->connect_to);
    return ARC_OK;
}

#undef SET

enum arc_err fetch__easy_start(struct fetch_queue *q, struct fetch_xfer *x)
{
    enum arc_err err;

    x->easy = curl_easy_init();
    if (!x->easy)
        return ARC_ENOMEM;
    x->errbuf[0] = '\0';
    x->too_big = false;
    x->retry_after = -1;
    err = build_headers(x);
    if (!err)
        err = configure(q, x);
    if (!err && curl_multi_add_handle(q->multi, x->easy) != CURLM_OK)
        err = ARC_ENOMEM;
    if (err)
        fetch__easy_cleanup(x);
    return err;
}

void fetch__easy_cleanup(struct fetch_xfer *x)
{
    if (x->easy)
        curl_easy_cleanup(x->easy);
    x->easy = NULL;
    curl_slist_free_all(x->headers);
    x->headers = NULL;
}
