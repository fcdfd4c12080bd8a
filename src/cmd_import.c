/* cmd_import.c: `archiver import` puts a page saved by a browser into the archive as if it had been
 * fetched, for the entries a verification wall blocks.  Images come from the folder the browser
 * saved beside the page (PAGE_files/) when it has them, else from the current copy, else they are
 * downloaded when reachable; the rest become placeholders that `archiver fetch` retries. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "archive/archive.h"
#include "convert/convert.h"
#include "fetch/fetch.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const char *const import_usage[] = {
    "archiver import <page.html> --url <url> [<index>] [--archive <dir>] [<options>]",
    NULL,
};

/* Where an image of the page came from. */
enum origin {
    FROM_NONE,     /* not had: a placeholder */
    FROM_FILES,    /* the browser's folder beside the page */
    FROM_CURRENT,  /* the current version of the article (an earlier import or fetch), or known
                      to be gone there */
    FROM_DOWNLOAD, /* downloaded in this run */
};

struct image_job {
    struct fetch_req req;
    struct archive_image *img; /* valid while no image is appended to the meta */
    struct strbuf *data;
};

struct import {
    struct cmd_common c;
    const char *page_path, *url;
    char *id;
    char *page_dir; /* realpath of the page's folder */
    struct conv_page page;
    struct archive_meta meta;
    struct strbuf *data; /* per meta.images[i]: the bytes to store (empty = none) */
    enum origin *origin; /* per meta.images[i] */
    size_t from_files, from_current, downloaded, missing;
    bool in_index;
};

/* --- images from the browser's folder --- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX in place; false when that would make a NUL byte. */
static bool percent_decode(char *s)
{
    char *w = s;

    for (const char *r = s; *r; r++) {
        int hi = r[0] == '%' ? hex_value(r[1]) : -1, lo = hi >= 0 ? hex_value(r[2]) : -1;

        if (lo < 0) {
            *w++ = *r;
            continue;
        }
        if (!hi && !lo)
            return false;
        *w++ = (char)(hi * 16 + lo);
        r += 2;
    }
    *w = '\0';
    return true;
}

/* Does the relative path stay inside its folder (no "..", no absolute path, no backslashes)? */
static bool path_is_inside(const char *rel)
{
    const char *p = rel;

    if (!*rel || *rel == '/' || strchr(rel, '\\'))
        return false;
    while (*p) {
        size_t n = strcspn(p, "/");

        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        p += n;
        while (*p == '/')
            p++;
    }
    return true;
}

/* Reads the local copy rel (as written in the page's src) into out: the path as written, then
 * percent-decoded, resolved against the page's folder and refused when it leaves it. */
static bool read_local(const struct import *im, const char *rel, struct strbuf *out)
{
    char *cand[2];
    bool ok = false;

    cand[0] = xstrndup(rel, strcspn(rel, "?#"));
    cand[1] = xstrdup(cand[0]);
    if (!percent_decode(cand[1]) || !strcmp(cand[0], cand[1])) {
        free(cand[1]);
        cand[1] = NULL;
    }
    for (size_t i = 0; i < 2 && !ok; i++) {
        struct strbuf why = STRBUF_INIT;
        char *path, *real;
        size_t dlen = strlen(im->page_dir);

        if (!cand[i] || !path_is_inside(cand[i]))
            continue;
        path = xasprintf("%s/%s", im->page_dir, cand[i]);
        real = realpath(path, NULL);
        /* A symlink out of the folder is refused like "..". */
        if (real && !strncmp(real, im->page_dir, dlen) && real[dlen] == '/') {
            strbuf_reset(out);
            ok = fs_read_file(real, FETCH_MAX_IMAGE_BYTES, out, &why) == ARC_OK;
        }
        free(real);
        free(path);
        strbuf_release(&why);
    }
    free(cand[0]);
    free(cand[1]);
    return ok;
}

/* --- downloads --- */

static void image_done(struct fetch_req *req)
{
    struct image_job *job = req->data;
    struct archive_image *img = job->img;
    struct strbuf why = STRBUF_INIT;

    free(img->error);
    img->error = NULL;
    if (req->err != ARC_OK) {
        img->status = ARCHIVE_IMAGE_FAILED;
        img->error = xstrdup(req->error ? req->error : arc_strerror(req->err));
    } else if (req->status == 404 || req->status == 410) {
        img->status = ARCHIVE_IMAGE_GONE;
        img->error = xasprintf("HTTP %ld", req->status);
    } else if (req->status != 200) {
        img->status = ARCHIVE_IMAGE_FAILED;
        img->error = xasprintf("HTTP %ld", req->status);
    } else if (archive_image_accept(img, req->body.buf, req->body.len,
                                    req->encoded ? -1 : req->content_length, &why) == ARC_OK) {
        strbuf_add(job->data, req->body.buf, req->body.len);
    }
    fetch_req_release(req);
    strbuf_release(&why);
}

/* Downloads the images nothing else gave.  Returns ARC_EXIT_OK or ARC_EXIT_FATAL (printed). */
static enum arc_exit download(struct import *im, const struct fetch_opts *fo)
{
    struct image_job *jobs = xcalloc(im->meta.nimages, sizeof(*jobs));
    struct strbuf why = STRBUF_INIT;
    struct fetch_queue *q = NULL;
    enum arc_exit rc = ARC_EXIT_OK;
    size_t n = 0;

    for (size_t i = 0; i < im->meta.nimages; i++)
        n += im->origin[i] == FROM_NONE;
    if (!n)
        goto out;
    if (fetch_queue_new(fo, &q, &why) != ARC_OK) {
        error("%s", why.len ? why.buf : "cannot start the downloads");
        rc = ARC_EXIT_FATAL;
        goto out;
    }
    for (size_t i = 0; i < im->meta.nimages; i++) {
        if (im->origin[i] != FROM_NONE)
            continue;
        jobs[i].req.url = im->meta.images[i].src;
        jobs[i].req.kind = FETCH_IMAGE;
        jobs[i].req.data = &jobs[i];
        jobs[i].img = &im->meta.images[i];
        jobs[i].data = &im->data[i];
        if (fetch_queue_add(q, &jobs[i].req, image_done) != ARC_OK) {
            im->meta.images[i].status = ARCHIVE_IMAGE_FAILED;
            im->meta.images[i].error = xstrdup("cannot queue the download");
        }
    }
    if (fetch_queue_run(q) != ARC_OK) {
        error("the downloads failed");
        rc = ARC_EXIT_FATAL;
        goto out;
    }
    for (size_t i = 0; i < im->meta.nimages; i++)
        if (im->origin[i] == FROM_NONE && im->meta.images[i].status == ARCHIVE_IMAGE_OK)
            im->origin[i] = FROM_DOWNLOAD;
out:
    fetch_queue_free(q);
    free(jobs);
    strbuf_release(&why);
    return rc;
}

/* --- the meta --- */

/* The image list of the new version: one entry per image of the page, in page order, each taken
 * from the browser's folder or the current version when they have it. */
static void collect_images(struct import *im, const struct archive_meta *old)
{
    struct strbuf why = STRBUF_INIT;

    im->data = xcalloc(im->page.nimages ? im->page.nimages : 1, sizeof(*im->data));
    im->origin = xcalloc(im->page.nimages ? im->page.nimages : 1, sizeof(*im->origin));
    for (size_t i = 0; i < im->page.nimages; i++) {
        struct archive_image *img = archive_meta_add_image(&im->meta);
        const char *local = im->page.image_local ? im->page.image_local[i] : NULL;
        const struct archive_image *prev;
        char *path;

        strbuf_init(&im->data[i], 0);
        img->src = xstrdup(im->page.images[i]);
        if (local && read_local(im, local, &im->data[i])) {
            strbuf_reset(&why);
            if (archive_image_accept(img, im->data[i].buf, im->data[i].len, -1, &why) == ARC_OK) {
                im->origin[i] = FROM_FILES;
                continue;
            }
            strbuf_reset(&im->data[i]);
        }
        prev = archive_meta_find_image(old, img->src);
        if (prev && prev->status == ARCHIVE_IMAGE_GONE) {
            /* The server said it no longer exists: not asked again, as fetch does. */
            img->status = ARCHIVE_IMAGE_GONE;
            img->error = prev->error ? xstrdup(prev->error) : NULL;
            im->origin[i] = FROM_CURRENT;
            continue;
        }
        if (!prev || prev->status != ARCHIVE_IMAGE_OK || !prev->file)
            continue;
        path = archive_article_path(im->c.archive, im->id, prev->file);
        if (fs_exists(path)) {
            free(img->file);
            free(img->error);
            img->file = xstrdup(prev->file);
            img->error = NULL;
            img->status = ARCHIVE_IMAGE_OK;
            img->bytes = prev->bytes;
            img->width = prev->width;
            img->height = prev->height;
            im->origin[i] = FROM_CURRENT;
        }
        free(path);
    }
    strbuf_release(&why);
}

static void replace_str(char **dst, const char *s)
{
    free(*dst);
    *dst = s ? xstrdup(s) : NULL;
}

/* The meta of the new version: the current one's history and unknown fields, the page's
 * metadata, the --url, and the "imported" event.  The current meta moves into im->meta, all but
 * its image list, which stays in old for collect_images(). */
static void build_meta(struct import *im, struct archive_meta *old)
{
    struct archive_meta *m = &im->meta;
    char *detail = xasprintf("from %s", im->page_path);

    archive_meta_release(m);
    *m = *old;
    archive_meta_init(old);
    old->images = m->images;
    old->nimages = m->nimages;
    old->images_alloc = m->images_alloc;
    m->images = NULL;
    m->nimages = m->images_alloc = 0;
    m->version = ARCHIVE_META_VERSION;
    replace_str(&m->url, im->url);
    replace_str(&m->final_url, im->url);
    replace_str(&m->etag, NULL);
    replace_str(&m->last_modified, NULL);
    replace_str(&m->error, NULL);
    archive_meta_from_page(m, &im->page);
    m->fetched = (int64_t)time(NULL);
    /* A copy saved by hand does not undo a deletion seen upstream. */
    if (m->state != ARCHIVE_ARCHIVED_DELETED)
        m->state = ARCHIVE_ARCHIVED;
    archive_meta_add_event(m, m->fetched, "imported", 0, detail);
    free(detail);
}

/* --- output --- */

static void print_result(const struct import *im)
{
    const char *title = im->meta.title ? im->meta.title : "untitled";

    if (im->c.json) {
        json_t *o = json_object();

        json_object_set_new(o, "id", json_string(im->id));
        json_object_set_new(o, "url", json_string(im->url));
        json_object_set_new(o, "file", json_string(im->page_path));
        json_object_set_new(o, "title", json_string(title));
        json_object_set_new(o, "in_index", json_boolean(im->in_index));
        json_object_set_new(o, "images", json_integer((json_int_t)im->meta.nimages));
        json_object_set_new(o, "from_files", json_integer((json_int_t)im->from_files));
        json_object_set_new(o, "kept", json_integer((json_int_t)im->from_current));
        json_object_set_new(o, "downloaded", json_integer((json_int_t)im->downloaded));
        json_object_set_new(o, "missing", json_integer((json_int_t)im->missing));
        if (json_dumpf(o, stdout, JSON_INDENT(2)) != 0)
            error("cannot write JSON to standard output");
        putchar('\n');
        json_decref(o);
    } else if (!im->c.quiet) {
        printf("imported %s: %s (%zu images, %zu missing)\n", im->id, title, im->meta.nimages,
               im->missing);
    }
}

static bool index_has(const struct idx *ix, const char *id)
{
    for (size_t m = 0; m < ix->nmonths; m++)
        for (size_t i = 0; i < ix->months[m].nentries; i++)
            if (ix->months[m].entries[i].id && !strcmp(ix->months[m].entries[i].id, id))
                return true;
    return false;
}

/* --- the command --- */

/* Reads and converts the page.  Returns ARC_EXIT_OK, ARC_EXIT_USAGE (unreadable) or
 * ARC_EXIT_FAILED (not an article); printed. */
static enum arc_exit read_page(struct import *im, struct strbuf *raw)
{
    struct strbuf why = STRBUF_INIT;
    struct conv_input in = { 0 };
    char *slash, *dir;

    if (fs_read_file(im->page_path, CONV_MAX_PAGE_BYTES, raw, &why) != ARC_OK) {
        error("%s", why.buf);
        strbuf_release(&why);
        return ARC_EXIT_USAGE;
    }
    dir = xstrdup(im->page_path);
    slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    im->page_dir = realpath(slash ? dir : ".", NULL);
    free(dir);
    if (!im->page_dir) {
        error("cannot resolve the folder of '%s': %s", im->page_path, strerror(errno));
        strbuf_release(&why);
        return ARC_EXIT_USAGE;
    }
    in.buf = raw->buf;
    in.len = raw->len;
    in.url = im->url;
    in.final_url = im->url;
    if (conv_page_convert(&in, &im->page, &why) != ARC_OK)
        BUG("conv_page_convert refused a whole page");
    strbuf_release(&why);
    if (im->page.cls == CONV_UNREADABLE) {
        error("%s: %s", im->page_path, im->page.detail ? im->page.detail : "cannot read the page");
        return ARC_EXIT_USAGE;
    }
    if (!im->page.doc) {
        error("%s: the page is classified '%s', not an article; nothing imported", im->page_path,
              conv_class_name(im->page.cls));
        return ARC_EXIT_FAILED;
    }
    return ARC_EXIT_OK;
}

/* Under the lock: builds the new version and stores it. */
static enum arc_exit import_locked(struct import *im, const struct strbuf *raw,
                                   const struct fetch_opts *fo)
{
    struct archive_meta old = ARCHIVE_META_INIT;
    struct strbuf why = STRBUF_INIT;
    const void **data;
    size_t *lens;
    enum arc_err err;
    enum arc_exit rc;

    err = archive_meta_read(im->c.archive, im->id, &old, &why);
    if (err && err != ARC_ENOTFOUND) {
        warning("%s; its history starts again", why.buf);
        archive_meta_release(&old);
        archive_meta_init(&old);
    }
    strbuf_reset(&why);
    build_meta(im, &old);
    collect_images(im, &old);
    archive_meta_release(&old);
    rc = download(im, fo);
    if (rc)
        goto out;

    data = xcalloc(im->meta.nimages ? im->meta.nimages : 1, sizeof(*data));
    lens = xcalloc(im->meta.nimages ? im->meta.nimages : 1, sizeof(*lens));
    for (size_t i = 0; i < im->meta.nimages; i++) {
        if (im->meta.images[i].status == ARCHIVE_IMAGE_OK && im->data[i].len) {
            data[i] = im->data[i].buf;
            lens[i] = im->data[i].len;
        }
        im->from_files += im->origin[i] == FROM_FILES;
        im->from_current += im->origin[i] == FROM_CURRENT && data[i] == NULL &&
                            im->meta.images[i].status == ARCHIVE_IMAGE_OK;
        im->downloaded += im->origin[i] == FROM_DOWNLOAD;
        im->missing += im->meta.images[i].status != ARCHIVE_IMAGE_OK;
    }
    err = archive_store_page(im->c.archive, im->id, &im->page, raw->buf, raw->len, &im->meta, data,
                             lens, &why);
    free(data);
    free(lens);
    if (err) {
        error("%s", why.len ? why.buf : arc_strerror(err));
        rc = ARC_EXIT_FATAL;
        goto out;
    }
    print_result(im);
out:
    strbuf_release(&why);
    return rc;
}

static void import_release(struct import *im)
{
    for (size_t i = 0; im->data && i < im->page.nimages; i++)
        strbuf_release(&im->data[i]);
    free(im->data);
    free(im->origin);
    archive_meta_release(&im->meta);
    conv_page_release(&im->page);
    free(im->page_dir);
    free(im->id);
    cmd_common_release(&im->c);
}

int cmd_import(int argc, char **argv)
{
    struct import im = { .c = CMD_COMMON_INIT, .meta = ARCHIVE_META_INIT };
    struct cmd_net net = CMD_NET_INIT;
    struct fs_lock lock = FS_LOCK_INIT;
    struct strbuf raw = STRBUF_INIT;
    struct fetch_opts fo;
    struct idx *ix = NULL;
    const struct opt options[] = {
        OPT_STRING(0, "url", &im.url, "url", "the URL the page was saved from (required)"),
        OPT_COMMON(&im.c),
        OPT_GROUP("network (for the images the saved folder lacks)"),
        OPT_NETWORK(&net),
        OPT_END(),
    };
    enum arc_exit rc;

    argc = opts_parse(argc, argv, options, import_usage);
    if (!argc)
        opts_usage_error(import_usage, "no page given");
    im.page_path = argv[0];
    cmd_common_args(&im.c, argc - 1, argv + 1, import_usage);
    if (!im.url || !*im.url)
        opts_usage_error(import_usage, "--url is required: the URL the page was saved from");
    fetch_opts_init(&fo);
    cmd_net_apply(&net, &fo, import_usage);
    im.id = idx_article_id(im.url);
    if (!im.id)
        opts_usage_error(import_usage, "--url: not an http(s) URL: '%s'", im.url);

    rc = cmd_load_index(&im.c, &ix);
    if (!rc)
        rc = read_page(&im, &raw);
    if (rc)
        goto out;
    im.in_index = index_has(ix, im.id);
    if (!im.in_index)
        warning("%s (%s) is not in the index; it will not appear in the books", im.url, im.id);
    rc = cmd_archive_begin(&im.c, &lock);
    if (rc)
        goto out;
    rc = import_locked(&im, &raw, &fo);
    rc = cmd_archive_end(&im.c, ix, &lock, rc);
out:
    idx_free(ix);
    strbuf_release(&raw);
    cmd_net_release(&net);
    import_release(&im);
    return rc;
}
