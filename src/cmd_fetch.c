/* cmd_fetch.c: `archiver fetch` turns every link of the index into an offline copy.
 *
 * One curl multi queue (fetch/) carries article pages and images together.  Each entry becomes a
 * struct article: its page is fetched (or, for an archived entry with images still missing, read
 * back from raw.html.gz), converted, and what the converter says decides the rest: an article
 * waits for its images and is stored as a new version; a deletion is recorded (a copy already
 * stored is kept); a verification wall blocks the host for the rest of the run; a repost card or a
 * migrated account is followed once.  Images are downloaded once per run whatever the number of
 * articles using them (struct image, in a table by URL), and their bytes are dropped as soon as
 * the last article waiting for them is stored.
 *
 * Exit code: 1 when something new went wrong in this run (a failure, a wall, a deletion seen for
 * the first time); what was already known to be gone is not news for a nightly cron run. */
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "archive/archive.h"
#include "convert/convert.h"
#include "fetch/fetch.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/fs.h"
#include "util/strbuf.h"
#include "util/url.h"
#include "util/banned.h"

/* Bumped only on an incompatible change of the --json summary; fields are only ever added. */
#define FETCH_JSON_VERSION 1
/* A repost card leads to its original, a migrated account to its new home: one hop each, so a
 * loop of cards cannot keep a run busy. */
#define MAX_HOPS 2

/* WeChat's hosts serve https only (their http URLs redirect): old articles still link
 * http://mp.weixin.qq.com/ and http://mmbiz.qpic.cn/, which are asked for over https directly, as
 * a browser with an HSTS list would. */
static const char *const https_hosts[] = {
    "mp.weixin.qq.com", "mmbiz.qpic.cn", "mmbiz.qlogo.cn", "res.wx.qq.com", NULL,
};

static const char *const fetch_usage[] = {
    "archiver fetch [<index>] [--archive <dir>] [--only <id>]... [--refresh] [<options>]",
    NULL,
};

/* What became of an entry in this run. */
enum outcome {
    OUT_SKIPPED,      /* archived before, nothing to do */
    OUT_ARCHIVED,     /* a new copy stored */
    OUT_NOT_MODIFIED, /* --refresh: the server says the copy is current */
    OUT_DELETED,      /* deleted, removed, unavailable, expired or gone (404, 410) upstream */
    OUT_WALLED,       /* a verification wall, captcha or rate limit page */
    OUT_FAILED,       /* network, HTTP or storage failure */
    OUT__COUNT
};
static const char *const outcome_names[OUT__COUNT] = {
    "skipped", "archived", "not-modified", "deleted", "walled", "failed",
};

struct run;
struct image;

/* One image reference of an article. */
struct article_image {
    struct image *img;   /* the run's download, or NULL (reused, gone, or not fetchable) */
    struct strbuf bytes; /* the bytes read back from another article's copy, when img's are gone */
};

struct article {
    struct run *run;
    const struct idx_entry *e;
    struct archive_meta meta; /* read from the archive, then updated */
    bool had_copy;            /* a copy was stored before this run */
    enum archive_state old_state;
    struct fetch_req page;
    char *url; /* what page.url points to: the entry's URL, or the one a hop leads to */
    int hops;
    struct conv_page conv;
    bool converted;
    struct strbuf raw; /* the page as fetched; empty when re-read from raw.html.gz */
    bool reread;       /* converted from raw.html.gz, not fetched */
    bool not_modified; /* --refresh got 304 (and the stored page is read to retry images) */
    struct article_image *images; /* one per conv.images[i] */
    size_t waiting;               /* images still downloading */
    enum outcome outcome;
    bool news;    /* counts for exit code 1 */
    char *detail; /* for messages and --json */
    size_t images_ok, images_missing;
};

struct image {
    struct run *run;
    struct fetch_req req;
    char *url;
    bool done;
    struct archive_image result; /* src, and after done: status, file, error, sizes */
    struct strbuf data;          /* the bytes while some article still needs them */
    size_t users;                /* articles holding it that are not stored yet */
    char *stored;                /* a copy in the archive, once an article stored it */
    struct article **waiters;
    size_t nwaiters, waiters_alloc;
    struct image *hash_next;
};

struct run {
    struct cmd_common c;
    struct fetch_queue *q;
    bool refresh;
    bool progress; /* an updating line on stderr */
    bool line_shown;
    int64_t now;
    struct article **articles;
    size_t narticles, articles_alloc;
    struct image **table; /* by URL */
    size_t table_size, nimages;
    char **walled_hosts;
    size_t nwalled, walled_alloc;
    size_t counts[OUT__COUNT];
    size_t active_articles, finished_articles;
    size_t next_start; /* the next article of articles[] to start */
    size_t window;     /* at most this many started and not finished */
    bool starting;     /* in start_more(): finish() leaves the starting to its loop */
    size_t images_downloaded, images_failed, images_reused;
    uint64_t bytes;
    double started;
    bool fatal;
};

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- messages --- */

static void clear_line(struct run *r)
{
    if (r->line_shown) {
        fputs("\r\033[K", stderr);
        r->line_shown = false;
    }
}

static void on_tick(const struct fetch_stats *st, void *ud)
{
    struct run *r = ud;
    double elapsed = now_seconds() - r->started;
    char bytes[32], rate[32];
    size_t failures = r->counts[OUT_FAILED] + r->counts[OUT_WALLED];

    (void)st; /* the run counts bytes itself, so the summary has them without a tick */
    if (!r->progress)
        return;
    cmd_human_bytes(r->bytes, bytes, sizeof(bytes));
    cmd_human_bytes(elapsed > 0.5 ? (uint64_t)(r->bytes / elapsed) : 0, rate, sizeof(rate));
    fprintf(stderr, "\r\033[Kfetch: articles %zu/%zu, images %zu (%zu failed), %s, %s/s",
            r->finished_articles, r->active_articles, r->images_downloaded, r->images_failed, bytes,
            rate);
    if (failures)
        fprintf(stderr, ", %zu failed", failures);
    r->line_shown = true;
}

/* --- the image table --- */

static struct image *image_lookup(struct run *r, const char *url, bool *created)
{
    size_t slot;
    struct image *img;

    if (!r->table_size) {
        r->table_size = 1024;
        r->table = xcalloc(r->table_size, sizeof(*r->table));
    }
    slot = hash_fnv1a(url) & (r->table_size - 1);
    for (img = r->table[slot]; img; img = img->hash_next)
        if (!strcmp(img->url, url)) {
            *created = false;
            return img;
        }
    if (r->nimages >= r->table_size) { /* keep chains short: double */
        size_t size = r->table_size * 2;
        struct image **t = xcalloc(size, sizeof(*t));
        for (size_t i = 0; i < r->table_size; i++) {
            while (r->table[i]) {
                struct image *next = r->table[i]->hash_next;
                size_t s = hash_fnv1a(r->table[i]->url) & (size - 1);
                r->table[i]->hash_next = t[s];
                t[s] = r->table[i];
                r->table[i] = next;
            }
        }
        free(r->table);
        r->table = t;
        r->table_size = size;
        slot = hash_fnv1a(url) & (size - 1);
    }
    img = xcalloc(1, sizeof(*img));
    img->run = r;
    img->url = xstrdup(url);
    img->result.src = xstrdup(url);
    strbuf_init(&img->data, 0);
    img->hash_next = r->table[slot];
    r->table[slot] = img;
    r->nimages++;
    *created = true;
    return img;
}

static void image_free(struct image *img)
{
    fetch_req_release(&img->req);
    free(img->url);
    free(img->result.src);
    free(img->result.file);
    free(img->result.error);
    strbuf_release(&img->data);
    free(img->stored);
    free(img->waiters);
    free(img);
}

/* --- entries --- */

static void set_detail(struct article *a, const char *fmt, ...) ARC_PRINTF(2, 3);
static void set_detail(struct article *a, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    free(a->detail);
    a->detail = strbuf_detach(&sb, NULL);
}

static void replace(char **dst, const char *s)
{
    free(*dst);
    *dst = s ? xstrdup(s) : NULL;
}

static void store_meta_only(struct article *a)
{
    struct strbuf why = STRBUF_INIT;

    if (archive_update_meta(a->run->c.archive, a->e->id, &a->meta, &why) != ARC_OK) {
        clear_line(a->run);
        error("%s: cannot write meta.json: %s", a->e->id, why.buf);
        a->run->fatal = true;
    }
    strbuf_release(&why);
}

static void start_more(struct run *r);

/* The entry is finished: count it, tell the user when it is news, free what it holds. */
static void finish(struct article *a, enum outcome o, bool news)
{
    struct run *r = a->run;

    a->outcome = o;
    a->news = news;
    cmd_note_published(&r->c, a->e->id, a->meta.published); /* as stored, for the years */
    r->counts[o]++;
    r->finished_articles++;
    if (news && o == OUT_ARCHIVED) {
        if (!r->c.quiet) {
            clear_line(r);
            warning("%s: %zu of %zu images could not be downloaded; they are placeholders",
                    a->e->url, a->images_missing, a->images_ok + a->images_missing);
        }
    } else if (news && o == OUT_DELETED && a->had_copy) {
        if (!r->c.quiet) {
            clear_line(r);
            warning("%s: %s; the copy stored before is kept", a->e->url, a->detail);
        }
    } else if (news && o != OUT_WALLED) { /* a wall is reported once per host */
        clear_line(r);
        error("%s: %s", a->e->url, a->detail ? a->detail : outcome_names[o]);
    }
    if (a->converted)
        conv_page_release(&a->conv);
    a->converted = false;
    strbuf_release(&a->raw);
    if (a->page.url) /* a request was made */
        fetch_req_release(&a->page);
    start_more(r);
}

static void fail(struct article *a, const char *result, long status, const char *reason)
{
    set_detail(a, "%s", reason);
    archive_meta_add_event(&a->meta, a->run->now, result, status, reason);
    if (!a->had_copy) {
        a->meta.state = ARCHIVE_FAILED;
        replace(&a->meta.error, reason);
    }
    store_meta_only(a);
    finish(a, OUT_FAILED, true);
}

static void walled(struct article *a, const char *host, const char *reason)
{
    struct run *r = a->run;
    bool known = false;

    for (size_t i = 0; i < r->nwalled; i++)
        known |= !strcmp(r->walled_hosts[i], host);
    if (!known) {
        r->walled_hosts =
            xgrow(r->walled_hosts, sizeof(*r->walled_hosts), r->nwalled + 1, &r->walled_alloc);
        r->walled_hosts[r->nwalled++] = xstrdup(host);
        fetch_queue_block_host(r->q, host);
        clear_line(r);
        error("%s: %s at %s; no more article requests to %s in this run", host, reason, a->url,
              host);
    }
    set_detail(a, "%s", reason);
    archive_meta_add_event(&a->meta, r->now, "walled", a->page.status, reason);
    if (!a->had_copy) {
        a->meta.state = ARCHIVE_WALLED;
        replace(&a->meta.error, reason);
    }
    store_meta_only(a);
    finish(a, OUT_WALLED, true);
}

/* The publisher deleted it (or it is unavailable): record it, keep any copy. */
static void gone(struct article *a, enum conv_class cls, long status, const char *what)
{
    enum archive_state old = a->old_state, state;
    bool news;

    set_detail(a, "%s", what);
    archive_meta_add_event(&a->meta, a->run->now,
                           cls == CONV_REMOVED                              ? "removed"
                           : cls == CONV_UNAVAILABLE || cls == CONV_EXPIRED ? "unavailable"
                                                                            : "deleted",
                           status, what);
    if (a->had_copy) {
        bool deletion = cls != CONV_UNAVAILABLE && cls != CONV_EXPIRED;
        if (deletion) {
            a->meta.state = ARCHIVE_ARCHIVED_DELETED;
            if (!a->meta.deleted_upstream)
                a->meta.deleted_upstream = a->run->now;
        }
        news = deletion && old != ARCHIVE_ARCHIVED_DELETED;
    } else {
        state = cls == CONV_REMOVED                              ? ARCHIVE_REMOVED
                : cls == CONV_UNAVAILABLE || cls == CONV_EXPIRED ? ARCHIVE_UNAVAILABLE
                                                                 : ARCHIVE_DELETED;
        a->meta.state = state;
        replace(&a->meta.error, what);
        news = old != state;
    }
    store_meta_only(a);
    finish(a, OUT_DELETED, news);
}

static void store(struct article *a)
{
    struct run *r = a->run;
    size_t n = a->conv.nimages;
    const void **data = xcalloc(n ? n : 1, sizeof(*data));
    size_t *lens = xcalloc(n ? n : 1, sizeof(*lens));
    struct archive_image *old = a->meta.images;
    size_t nold = a->meta.nimages;
    struct strbuf why = STRBUF_INIT;
    const char *result;
    bool images_news = false, commit;
    size_t gained = 0;

    /* The new image list, in page order; the old one tells what can be reused. */
    a->meta.images = NULL;
    a->meta.nimages = a->meta.images_alloc = 0;
    a->images_ok = a->images_missing = 0;
    for (size_t i = 0; i < n; i++) {
        struct article_image *ai = &a->images[i];
        struct archive_image *im = archive_meta_add_image(&a->meta);
        const struct archive_image *src = NULL;

        for (size_t j = 0; j < nold && !src; j++)
            if (old[j].src && !strcmp(old[j].src, a->conv.images[i]))
                src = &old[j];
        if (ai->img)
            src = &ai->img->result;
        im->src = xstrdup(a->conv.images[i]);
        if (src) {
            im->status = src->status;
            im->file = src->file ? xstrdup(src->file) : NULL;
            im->error = src->error ? xstrdup(src->error) : NULL;
            im->bytes = src->bytes;
            im->width = src->width;
            im->height = src->height;
        } else {
            /* Nothing to download: not a failure to retry on every run. */
            im->status = ARCHIVE_IMAGE_GONE;
            im->error = xstrdup("not an http(s) URL");
        }
        if (ai->img && ai->img->result.status != ARCHIVE_IMAGE_OK) {
            bool known = false;
            for (size_t j = 0; j < nold && !known; j++)
                known =
                    old[j].src && !strcmp(old[j].src, im->src) && old[j].status != ARCHIVE_IMAGE_OK;
            images_news |= !known;
        }
        if (ai->img && ai->img->result.status == ARCHIVE_IMAGE_OK) {
            data[i] = ai->bytes.len ? ai->bytes.buf : ai->img->data.buf;
            lens[i] = ai->bytes.len ? ai->bytes.len : ai->img->data.len;
        }
        if (ai->img && ai->img->result.status == ARCHIVE_IMAGE_OK)
            gained++;
        if (im->status == ARCHIVE_IMAGE_OK)
            a->images_ok++;
        else
            a->images_missing++;
    }
    for (size_t j = 0; j < nold; j++) {
        free(old[j].src);
        free(old[j].file);
        free(old[j].error);
    }
    free(old);

    if (!a->reread) {
        replace(&a->meta.final_url, a->page.final_url ? a->page.final_url : a->url);
        replace(&a->meta.etag, a->page.etag_out);
        replace(&a->meta.last_modified, a->page.last_modified_out);
        a->meta.fetched = r->now;
    }
    archive_meta_from_page(&a->meta, &a->conv);
    if (!a->reread) { /* a fresh page: whatever the state was, it is an article again */
        a->meta.state = ARCHIVE_ARCHIVED;
        a->meta.deleted_upstream = 0;
        replace(&a->meta.error, NULL);
    }
    result = a->reread ? "images-retried" : "archived";
    if (a->images_missing)
        set_detail(a, "%zu image%s, %zu missing", a->images_ok, a->images_ok == 1 ? "" : "s",
                   a->images_missing);
    else
        set_detail(a, "%zu image%s", a->images_ok, a->images_ok == 1 ? "" : "s");
    /* Retrying images that fail again changes nothing: no new version, no event, so a nightly
     * run does not grow the history. */
    commit = !a->reread || gained;
    if (commit)
        archive_meta_add_event(&a->meta, r->now, result, a->reread ? 0 : a->page.status, a->detail);
    else if (a->not_modified)
        store_meta_only(a);

    if (commit &&
        archive_store_page(r->c.archive, a->e->id, &a->conv, a->reread ? NULL : a->raw.buf,
                           a->raw.len, &a->meta, data, lens, &why) != ARC_OK) {
        clear_line(r);
        error("%s: cannot store the copy: %s", a->e->id, why.buf);
        r->fatal = true;
        set_detail(a, "cannot store the copy: %s", why.buf);
        a->outcome = OUT_FAILED;
    }

    /* Release the images this article held; the last user drops their bytes. */
    for (size_t i = 0; i < n; i++) {
        struct image *img = a->images[i].img;
        strbuf_release(&a->images[i].bytes);
        if (!img)
            continue;
        if (img->result.status == ARCHIVE_IMAGE_OK && !img->stored && commit &&
            a->outcome != OUT_FAILED)
            img->stored = archive_article_path(r->c.archive, a->e->id, img->result.file);
        if (!--img->users)
            strbuf_release(&img->data);
    }
    free(data);
    free(lens);
    strbuf_release(&why);
    if (a->outcome == OUT_FAILED)
        finish(a, OUT_FAILED, true);
    else if (commit)
        finish(a, OUT_ARCHIVED, images_news);
    else
        finish(a, a->not_modified ? OUT_NOT_MODIFIED : OUT_SKIPPED, images_news);
}

static void image_done(struct fetch_req *req);

/* An image the article needs is ready: take its bytes (or read them back when the articles that
 * downloaded it are all stored). */
static void take_image(struct article *a, size_t i)
{
    struct image *img = a->images[i].img;
    struct strbuf why = STRBUF_INIT;

    if (img->result.status != ARCHIVE_IMAGE_OK || img->data.len)
        return;
    if (!img->stored ||
        fs_read_file(img->stored, FETCH_MAX_IMAGE_BYTES, &a->images[i].bytes, &why) != ARC_OK) {
        /* The copy went away under us: count the image as failed for this article. */
        a->images[i].img = NULL;
        img->users--;
    }
    strbuf_release(&why);
}

/* The page is converted to an article: gather its images, then store it. */
static void want_images(struct article *a)
{
    struct run *r = a->run;
    bool created;

    a->images = xcalloc(a->conv.nimages ? a->conv.nimages : 1, sizeof(*a->images));
    for (size_t i = 0; i < a->conv.nimages; i++) {
        const char *src = a->conv.images[i];
        const struct archive_image *old = archive_meta_find_image(&a->meta, src);
        struct image *img;
        char *https;

        strbuf_init(&a->images[i].bytes, 0);
        /* Kept from the copy before: stored, or known to be gone for good. */
        if (old && a->had_copy &&
            (old->status == ARCHIVE_IMAGE_OK || old->status == ARCHIVE_IMAGE_GONE)) {
            if (old->status == ARCHIVE_IMAGE_OK)
                r->images_reused++;
            continue;
        }
        https = url_upgrade_https(src, https_hosts);
        if (!https)
            continue;
        img = image_lookup(r, https, &created);
        free(https);
        img->users++;
        a->images[i].img = img;
        if (img->done) {
            take_image(a, i);
            continue;
        }
        img->waiters =
            xgrow(img->waiters, sizeof(*img->waiters), img->nwaiters + 1, &img->waiters_alloc);
        img->waiters[img->nwaiters++] = a;
        a->waiting++;
        if (created) {
            img->req.url = img->url;
            img->req.kind = FETCH_IMAGE;
            img->req.data = img;
            if (fetch_queue_add(r->q, &img->req, image_done) != ARC_OK)
                BUG("fetch_queue_add refused an image");
        }
    }
    if (!a->waiting)
        store(a);
}

static void image_done(struct fetch_req *req)
{
    struct image *img = req->data;
    struct run *r = img->run;
    struct strbuf why = STRBUF_INIT;

    img->done = true;
    r->bytes += req->body.len;
    if (req->err != ARC_OK) {
        img->result.status = ARCHIVE_IMAGE_FAILED;
        replace(&img->result.error, req->error ? req->error : arc_strerror(req->err));
    } else if (req->status == 404 || req->status == 410) {
        img->result.status = ARCHIVE_IMAGE_GONE;
        free(img->result.error);
        img->result.error = xasprintf("HTTP %ld", req->status);
    } else if (req->status != 200) {
        img->result.status = ARCHIVE_IMAGE_FAILED;
        free(img->result.error);
        img->result.error = xasprintf("HTTP %ld", req->status);
    } else if (archive_image_accept(&img->result, req->body.buf, req->body.len,
                                    req->encoded ? -1 : req->content_length, &why) == ARC_OK) {
        strbuf_add(&img->data, req->body.buf, req->body.len);
    }
    if (img->result.status == ARCHIVE_IMAGE_OK)
        r->images_downloaded++;
    else
        r->images_failed++;
    fetch_req_release(req);
    strbuf_release(&why);
    for (size_t i = 0; i < img->nwaiters; i++) {
        struct article *a = img->waiters[i];
        if (!--a->waiting)
            store(a);
    }
    img->nwaiters = 0;
}

static void page_done(struct fetch_req *req);

static void request_page(struct article *a, const char *url)
{
    struct run *r = a->run;
    char *https = url_upgrade_https(url, https_hosts), *old = a->url;

    a->url = https ? https : xstrdup(url); /* not http(s): fetch/ reports it */
    free(old);                             /* url may be old: not used after this */
    memset(&a->page, 0, sizeof(a->page));
    a->page.url = a->url;
    a->page.kind = FETCH_PAGE;
    a->page.data = a;
    if (r->refresh && a->had_copy && !a->hops) {
        a->page.etag = a->meta.etag;
        a->page.last_modified = a->meta.last_modified;
    }
    if (fetch_queue_add(r->q, &a->page, page_done) != ARC_OK)
        BUG("fetch_queue_add refused a page");
}

/* Follows a repost card to its original, or a migrated account to its new link, once. */
static bool hop(struct article *a, const char *to)
{
    if (!to || !url_is_http(to) || a->hops >= MAX_HOPS || !strcmp(to, a->url))
        return false;
    a->hops++;
    free(a->url);
    a->url = xstrdup(to); /* to lives in the page about to be released */
    conv_page_release(&a->conv);
    a->converted = false;
    fetch_req_release(&a->page);
    strbuf_reset(&a->raw);
    request_page(a, a->url);
    return true;
}

static void converted(struct article *a)
{
    struct conv_page *p = &a->conv;
    char *host;

    switch (p->cls) {
    case CONV_ARTICLE:
        if (p->meta.kind == CONV_KIND_REPOST && !a->reread && hop(a, p->meta.original_url))
            return;
        /* fall through */
    case CONV_GENERIC:
        want_images(a);
        return;
    case CONV_MIGRATED:
        if (!a->reread && hop(a, p->meta.migrated_to))
            return;
        fail(a, "failed", a->page.status,
             "the account moved and its new link could not be followed");
        return;
    case CONV_WALL:
    case CONV_CAPTCHA:
    case CONV_RATE_LIMITED:
        host = url_host(a->url);
        walled(a, host ? host : a->url,
               p->cls == CONV_WALL      ? "verification wall"
               : p->cls == CONV_CAPTCHA ? "captcha"
                                        : "rate limited");
        free(host);
        return;
    case CONV_DELETED:
        gone(a, p->cls, a->page.status, p->detail ? p->detail : "deleted by the publisher");
        return;
    case CONV_REMOVED:
        gone(a, p->cls, a->page.status, p->detail ? p->detail : "removed for a violation");
        return;
    case CONV_UNAVAILABLE:
    case CONV_EXPIRED:
        gone(a, p->cls, a->page.status,
             p->detail                ? p->detail
             : p->cls == CONV_EXPIRED ? "link expired"
                                      : "unavailable");
        return;
    case CONV_UNREADABLE:
    case CONV_CLASS__COUNT:
        break;
    }
    fail(a, "failed", a->page.status, p->detail ? p->detail : "the page cannot be read");
}

static void convert_page(struct article *a, const char *buf, size_t len, const char *final_url,
                         const char *content_type)
{
    struct conv_input in = { buf, len, a->url, final_url, content_type };
    struct strbuf why = STRBUF_INIT;

    if (conv_page_convert(&in, &a->conv, &why) != ARC_OK)
        BUG("conv_page_convert refused a page: %s", why.buf);
    a->converted = true;
    strbuf_release(&why);
    converted(a);
}

static bool reread(struct article *a);

static void page_done(struct fetch_req *req)
{
    struct article *a = req->data;
    char *host;

    a->run->bytes += req->body.len;
    if (req->err == ARC_EWALL) {
        host = url_host(a->url);
        walled(a, host ? host : a->url, "host walled earlier in this run");
        free(host);
        return;
    }
    if (req->err != ARC_OK) {
        fail(a, "failed", req->status, req->error ? req->error : arc_strerror(req->err));
        return;
    }
    if (req->status == 304 && a->had_copy) {
        set_detail(a, "not modified");
        archive_meta_add_event(&a->meta, a->run->now, "not-modified", 304, NULL);
        a->not_modified = true;
        if (reread(a)) /* the page is current; its missing images may not be */
            return;
        store_meta_only(a);
        finish(a, OUT_NOT_MODIFIED, false);
        return;
    }
    if (req->status == 404 || req->status == 410) {
        char what[32];
        snprintf(what, sizeof(what), "HTTP %ld: gone", req->status);
        gone(a, CONV_DELETED, req->status, what);
        return;
    }
    if (req->status != 200) {
        char what[32];
        snprintf(what, sizeof(what), "HTTP %ld", req->status);
        fail(a, "failed", req->status, what);
        return;
    }
    strbuf_add(&a->raw, req->body.buf, req->body.len);
    convert_page(a, req->body.buf, req->body.len, req->final_url, req->content_type);
}

/* --- the run --- */

static bool has_failed_images(const struct archive_meta *m)
{
    for (size_t i = 0; i < m->nimages; i++)
        if (m->images[i].status == ARCHIVE_IMAGE_FAILED)
            return true;
    return false;
}

/* Converts the stored page again to retry the images that failed before.  False when there is
 * none to retry, or the stored page cannot be read. */
static bool reread(struct article *a)
{
    struct strbuf raw = STRBUF_INIT, why = STRBUF_INIT;
    bool ok =
        has_failed_images(&a->meta) &&
        archive_read_file(a->run->c.archive, a->e->id, "raw.html.gz", 0, &raw, &why) == ARC_OK;

    if (ok) {
        a->reread = true;
        free(a->url);
        a->url = xstrdup(a->meta.url);
        convert_page(a, raw.buf, raw.len, a->meta.final_url, NULL);
    }
    strbuf_release(&raw);
    strbuf_release(&why);
    return ok;
}

/* Starts an entry: fetch it, re-read it to retry its images, or leave it. */
static void start(struct run *r, struct article *a)
{
    struct strbuf why = STRBUF_INIT;
    enum arc_err err;
    char *path;

    err = archive_meta_read(r->c.archive, a->e->id, &a->meta, &why);
    if (err != ARC_OK && err != ARC_ENOTFOUND) {
        clear_line(r);
        warning("%s: meta.json unreadable (%s); fetching the entry again", a->e->id, why.buf);
        archive_meta_release(&a->meta);
    }
    strbuf_release(&why);
    cmd_note_published(&r->c, a->e->id, a->meta.published);
    a->old_state = a->meta.state;
    path = archive_article_path(r->c.archive, a->e->id, "article.html");
    a->had_copy = archive_state_has_copy(a->meta.state) && fs_exists(path);
    free(path);
    replace(&a->meta.url, a->e->url);
    strbuf_init(&a->raw, 0);
    r->active_articles++;

    if (a->had_copy && !r->refresh) {
        /* Archived: only images missing from the copy are asked for again. */
        if (!reread(a))
            finish(a, OUT_SKIPPED, false);
        return;
    }
    if (!a->had_copy && !r->refresh && !r->c.only.n &&
        (a->meta.state == ARCHIVE_DELETED || a->meta.state == ARCHIVE_REMOVED)) {
        finish(a, OUT_SKIPPED, false); /* gone for good; --refresh or --only asks again */
        return;
    }
    request_page(a, a->e->url);
}

/* Starts articles in index order while fewer than r->window are under way: each one holds its
 * page, its conversion and its images' bytes until it is stored, and pages come far faster than
 * their images, so starting them all at once held the whole index in memory (2000 articles of
 * the benchmark: over 3 GB, growing). */
static void start_more(struct run *r)
{
    if (r->starting)
        return; /* a finish() inside start(): the loop below goes on */
    r->starting = true;
    while (r->active_articles - r->finished_articles < r->window && r->next_start < r->narticles)
        start(r, r->articles[r->next_start++]); /* counts itself in active_articles */
    r->starting = false;
}

static json_t *summary_json(const struct run *r)
{
    json_t *o = json_object(), *arts = json_object(), *imgs = json_object();
    json_t *hosts = json_array(), *entries = json_array();

    json_object_set_new(o, "version", json_integer(FETCH_JSON_VERSION));
    json_object_set_new(arts, "total", json_integer((json_int_t)r->narticles));
    for (int i = 0; i < OUT__COUNT; i++)
        json_object_set_new(arts, outcome_names[i], json_integer((json_int_t)r->counts[i]));
    json_object_set_new(o, "articles", arts);
    json_object_set_new(imgs, "downloaded", json_integer((json_int_t)r->images_downloaded));
    json_object_set_new(imgs, "failed", json_integer((json_int_t)r->images_failed));
    json_object_set_new(imgs, "reused", json_integer((json_int_t)r->images_reused));
    json_object_set_new(o, "images", imgs);
    json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
    for (size_t i = 0; i < r->nwalled; i++)
        json_array_append_new(hosts, json_string(r->walled_hosts[i]));
    json_object_set_new(o, "walled_hosts", hosts);
    for (size_t i = 0; i < r->narticles; i++) {
        const struct article *a = r->articles[i];
        json_t *e = json_object();
        json_object_set_new(e, "id", json_string(a->e->id));
        json_object_set_new(e, "url", json_string(a->e->url));
        json_object_set_new(e, "result", json_string(outcome_names[a->outcome]));
        json_object_set_new(e, "state", json_string(archive_state_name(a->meta.state)));
        json_object_set_new(e, "new_problem", json_boolean(a->news));
        json_object_set_new(e, "detail", a->detail ? json_string(a->detail) : json_null());
        json_array_append_new(entries, e);
    }
    json_object_set_new(o, "entries", entries);
    return o;
}

static void print_summary(const struct run *r, double seconds)
{
    char bytes[32];

    cmd_human_bytes(r->bytes, bytes, sizeof(bytes));
    fprintf(
        stderr,
        "fetch: %zu entries: %zu archived, %zu unchanged, %zu already archived, %zu deleted "
        "or unavailable, %zu walled, %zu failed; images %zu downloaded, %zu failed; %s in %.1f s\n",
        r->narticles, r->counts[OUT_ARCHIVED], r->counts[OUT_NOT_MODIFIED], r->counts[OUT_SKIPPED],
        r->counts[OUT_DELETED], r->counts[OUT_WALLED], r->counts[OUT_FAILED], r->images_downloaded,
        r->images_failed, bytes, seconds);
}

static int64_t run_now(void)
{
    return (int64_t)time(NULL);
}

int cmd_fetch(int argc, char **argv)
{
    struct run r = { .c = CMD_COMMON_INIT };
    struct cmd_net net = CMD_NET_INIT;
    struct fetch_opts fo;
    double delay = FETCH_DEFAULT_DELAY;
    int jobs = FETCH_DEFAULT_JOBS;
    const struct opt options[] = {
        OPT_COMMON(&r.c),
        OPT_BOOL(0, "refresh", &r.refresh,
                 "re-check archived pages (If-None-Match); a copy is only ever replaced by a "
                 "better one"),
        OPT_SECONDS(0, "delay", &delay,
                    "minimum seconds between article requests to one host (default: 2)"),
        OPT_INT('j', "jobs", &jobs, "n", "transfers at once, all hosts together (default: 8)"),
        OPT_NETWORK(&net),
        OPT_END(),
    };
    struct fs_lock lock = FS_LOCK_INIT;
    struct strbuf why = STRBUF_INIT;
    struct idx *ix = NULL;
    enum arc_exit rc;
    size_t news = 0;

    argc = opts_parse(argc, argv, options, fetch_usage);
    cmd_common_args(&r.c, argc, argv, fetch_usage);
    if (jobs < 1 || jobs > 64)
        opts_usage_error(fetch_usage, "--jobs takes 1 to 64, not %d", jobs);
    fetch_opts_init(&fo);
    cmd_net_apply(&net, &fo, fetch_usage);
    fo.delay = delay;
    fo.jobs = jobs;

    rc = cmd_load_index(&r.c, &ix);
    if (rc != ARC_EXIT_OK)
        goto out;
    rc = cmd_archive_begin(&r.c, &lock);
    if (rc != ARC_EXIT_OK)
        goto out;
    if (fetch_queue_new(&fo, &r.q, &why) != ARC_OK) {
        error("%s", why.buf);
        rc = cmd_archive_end(&r.c, NULL, &lock, ARC_EXIT_FATAL);
        goto out;
    }
    r.progress = !r.c.quiet && !r.c.json && isatty(STDERR_FILENO);
    r.now = run_now();
    r.started = now_seconds();
    fetch_queue_on_tick(r.q, on_tick, &r);

    for (size_t m = 0; m < ix->nmonths; m++) {
        for (size_t i = 0; i < ix->months[m].nentries; i++) {
            const struct idx_entry *e = &ix->months[m].entries[i];
            struct article *a;

            if (!e->id || (e->flags & IDX_DUPLICATE) || !cmd_selected(&r.c, e))
                continue;
            a = xcalloc(1, sizeof(*a));
            a->run = &r;
            a->e = e;
            archive_meta_init(&a->meta);
            r.articles = xgrow(r.articles, sizeof(*r.articles), r.narticles + 1, &r.articles_alloc);
            r.articles[r.narticles++] = a;
        }
    }
    r.window = 4 * (size_t)jobs;
    start_more(&r);
    if (fetch_queue_run(r.q) != ARC_OK) {
        clear_line(&r);
        error("the transfer loop failed");
        r.fatal = true;
    }
    clear_line(&r);

    for (size_t i = 0; i < r.narticles; i++)
        news += r.articles[i]->news;
    if (r.c.json) {
        json_t *o = summary_json(&r);
        if (json_dumpf(o, stdout, JSON_INDENT(2)) != 0)
            error("cannot write JSON to standard output");
        putchar('\n');
        json_decref(o);
    }
    print_summary(&r, now_seconds() - r.started);

    /* Publish dates are known now: settle the years of bare months before the front page. */
    cmd_index_years(&r.c, ix);
    rc = r.fatal ? ARC_EXIT_FATAL : news ? ARC_EXIT_FAILED : ARC_EXIT_OK;
    rc = cmd_archive_end(&r.c, ix, &lock, rc);
out:
    for (size_t i = 0; i < r.narticles; i++) {
        struct article *a = r.articles[i];
        archive_meta_release(&a->meta);
        free(a->url);
        free(a->detail);
        free(a->images);
        free(a);
    }
    free(r.articles);
    for (size_t i = 0; i < r.table_size; i++) {
        while (r.table[i]) {
            struct image *next = r.table[i]->hash_next;
            image_free(r.table[i]);
            r.table[i] = next;
        }
    }
    free(r.table);
    for (size_t i = 0; i < r.nwalled; i++)
        free(r.walled_hosts[i]);
    free(r.walled_hosts);
    fetch_queue_free(r.q);
    idx_free(ix);
    strbuf_release(&why);
    cmd_net_release(&net);
    cmd_common_release(&r.c);
    return rc;
}
