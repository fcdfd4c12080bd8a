/* tests/tools/fetchtool.c: runs the fetch queue over URLs given on the command line and prints one
 * JSON line per finished request, for the e2e tests (curl's libtest idea).
 *
 *     fetchtool [--delay S] [--timeout S] [--connect-timeout S] [--retries N] [--jobs N]
 *               [--pages-per-host N] [--images-per-host N] [--resolve H:P:A]... [--connect-to C]...
 *               [--cacert F] [--max-bytes N] [--seed N] [--user-agent UA] [--etag E]
 *               [--last-modified D] [--body] [--block-host-after-first H]
 *               [--then-page URL]... [--then-image URL]... [--page URL]... [--image URL]...
 *
 * --etag / --last-modified apply to every request; --then-* URLs are added from the first done()
 * callback (after --block-host-after-first has blocked its host); --body adds the body to the
 * line.  Exit 0 when the queue ran (whatever the requests' results), 2 on misuse, 4 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch/fetch.h"
#include "util/alloc.h"
#include "util/banned.h"

#define MAX_URLS 256

struct job {
    struct fetch_req req;
};

struct tool {
    struct fetch_queue *q;
    struct job jobs[MAX_URLS];
    int njobs;
    const char *then_url[MAX_URLS];
    enum fetch_kind then_kind[MAX_URLS];
    int nthen;
    const char *etag, *last_modified, *block_after_first;
    bool print_body, first_done;
    double t0;
};

static struct tool tool;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put_str(const char *s, size_t len)
{
    if (!s) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void put_field(const char *name, const char *value)
{
    printf(",\"%s\":", name);
    put_str(value, value ? strlen(value) : 0);
}

static struct fetch_req *new_req(const char *url, enum fetch_kind kind)
{
    struct fetch_req *req;

    if (tool.njobs == MAX_URLS) {
        fprintf(stderr, "fetchtool: too many URLs\n");
        exit(2);
    }
    req = &tool.jobs[tool.njobs++].req;
    memset(req, 0, sizeof(*req));
    req->url = url;
    req->kind = kind;
    req->etag = tool.etag;
    req->last_modified = tool.last_modified;
    return req;
}

static void on_done(struct fetch_req *req)
{
    printf("{\"url\":");
    put_str(req->url, strlen(req->url));
    put_field("kind", req->kind == FETCH_PAGE ? "page" : "image");
    put_field("err", arc_err_name(req->err));
    printf(",\"status\":%ld,\"bytes\":%zu", req->status, req->body.len);
    put_field("final_url", req->final_url);
    put_field("content_type", req->content_type);
    put_field("etag", req->etag_out);
    put_field("last_modified", req->last_modified_out);
    printf(",\"content_length\":%lld,\"attempts\":%d", (long long)req->content_length,
           req->attempts);
    put_field("error", req->error);
    printf(",\"t\":%.3f", now() - tool.t0);
    if (tool.print_body) {
        printf(",\"body\":");
        put_str(req->body.buf, req->body.len);
    }
    printf("}\n");
    fflush(stdout);
    fetch_req_release(req);

    if (tool.first_done)
        return;
    tool.first_done = true;
    if (tool.block_after_first)
        fetch_queue_block_host(tool.q, tool.block_after_first);
    for (int i = 0; i < tool.nthen; i++) {
        if (fetch_queue_add(tool.q, new_req(tool.then_url[i], tool.then_kind[i]), on_done)) {
            fprintf(stderr, "fetchtool: cannot queue %s\n", tool.then_url[i]);
            exit(4);
        }
    }
}

static double num(const char *opt, const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (!*s || *end) {
        fprintf(stderr, "fetchtool: %s wants a number, not '%s'\n", opt, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    static const char *resolve[MAX_URLS + 1], *connect_to[MAX_URLS + 1];
    const char *urls[MAX_URLS];
    enum fetch_kind kinds[MAX_URLS];
    int nurls = 0, nres = 0, ncon = 0;
    struct fetch_opts o;
    struct strbuf why = STRBUF_INIT;

    fetch_opts_init(&o);
    o.resolve = resolve;
    o.connect_to = connect_to;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (!strcmp(a, "--body")) {
            tool.print_body = true;
            continue;
        }
        if (!v || nurls == MAX_URLS || nres == MAX_URLS || ncon == MAX_URLS ||
            tool.nthen == MAX_URLS) {
            fprintf(stderr, "fetchtool: %s: missing value or too many\n", a);
            return 2;
        }
        i++;
        if (!strcmp(a, "--delay"))
            o.delay = num(a, v);
        else if (!strcmp(a, "--timeout"))
            o.timeout = num(a, v);
        else if (!strcmp(a, "--connect-timeout"))
            o.connect_timeout = num(a, v);
        else if (!strcmp(a, "--retries"))
            o.retries = (int)num(a, v);
        else if (!strcmp(a, "--jobs"))
            o.jobs = (int)num(a, v);
        else if (!strcmp(a, "--pages-per-host"))
            o.pages_per_host = (int)num(a, v);
        else if (!strcmp(a, "--images-per-host"))
            o.images_per_host = (int)num(a, v);
        else if (!strcmp(a, "--max-bytes"))
            o.max_page_bytes = o.max_image_bytes = (size_t)num(a, v);
        else if (!strcmp(a, "--seed"))
            o.seed = (unsigned)num(a, v);
        else if (!strcmp(a, "--resolve"))
            resolve[nres++] = v;
        else if (!strcmp(a, "--connect-to"))
            connect_to[ncon++] = v;
        else if (!strcmp(a, "--cacert"))
            o.cacert = v;
        else if (!strcmp(a, "--user-agent"))
            o.user_agent = v;
        else if (!strcmp(a, "--etag"))
            tool.etag = v;
        else if (!strcmp(a, "--last-modified"))
            tool.last_modified = v;
        else if (!strcmp(a, "--block-host-after-first"))
            tool.block_after_first = v;
        else if (!strcmp(a, "--page") || !strcmp(a, "--image")) {
            urls[nurls] = v;
            kinds[nurls++] = a[2] == 'p' ? FETCH_PAGE : FETCH_IMAGE;
        } else if (!strcmp(a, "--then-page") || !strcmp(a, "--then-image")) {
            tool.then_url[tool.nthen] = v;
            tool.then_kind[tool.nthen++] = a[7] == 'p' ? FETCH_PAGE : FETCH_IMAGE;
        } else {
            fprintf(stderr, "fetchtool: unknown option %s\n", a);
            return 2;
        }
    }

    tool.t0 = now();
    if (fetch_queue_new(&o, &tool.q, &why)) {
        fprintf(stderr, "fetchtool: %s\n", why.buf);
        strbuf_release(&why);
        return 4;
    }
    for (int i = 0; i < nurls; i++) {
        if (fetch_queue_add(tool.q, new_req(urls[i], kinds[i]), on_done)) {
            fprintf(stderr, "fetchtool: cannot queue %s\n", urls[i]);
            fetch_queue_free(tool.q);
            return 4;
        }
    }
    if (fetch_queue_run(tool.q)) {
        fprintf(stderr, "fetchtool: the queue failed\n");
        fetch_queue_free(tool.q);
        return 4;
    }
    fetch_queue_free(tool.q);
    return 0;
}
