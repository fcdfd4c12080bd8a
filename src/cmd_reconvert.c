/* cmd_reconvert.c: `archiver reconvert` rebuilds every offline copy from the page kept as fetched
 * (raw.html.gz), without the network, so that a converter improvement reaches the archive.  Images
 * already stored keep their files; images the new converter finds for the first time are left for
 * the next `archiver fetch`. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "archive/archive.h"
#include "convert/convert.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const char *const reconvert_usage[] = {
    "archiver reconvert [<index>] [--archive <dir>] [--only <id>]... [--json]",
    NULL,
};

/* The error of an image the new converter found and no run has downloaded yet. */
#define NOT_DOWNLOADED "not downloaded yet; run archiver fetch"

/* What became of one article. */
enum result {
    RES_CHANGED,   /* a new version was stored */
    RES_UNCHANGED, /* the offline copy came out byte-identical: nothing written */
    RES_FAILED,    /* unreadable meta or raw page, or the store failed */
    RES_SKIPPED,   /* no copy, no raw page, or the raw page is no longer an article */
    RES__COUNT
};

static const char *const result_names[RES__COUNT] = { "reconverted", "unchanged", "failed",
                                                      "skipped" };

struct run {
    struct cmd_common c;
    int64_t now;
    size_t count[RES__COUNT];
    json_t *articles; /* --json: one object per article looked at */
};

static void note(struct run *r, const char *id, enum result res, const char *detail)
{
    r->count[res]++;
    if (r->articles) {
        json_t *o = json_object();

        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "result", json_string(result_names[res]));
        json_object_set_new(o, "detail", detail ? json_string(detail) : json_null());
        json_array_append_new(r->articles, o);
    }
}

static void copy_image(struct archive_image *dst, const struct archive_image *src)
{
    dst->file = src->file ? xstrdup(src->file) : NULL;
    dst->status = src->status;
    dst->error = src->error ? xstrdup(src->error) : NULL;
    dst->bytes = src->bytes;
    dst->width = src->width;
    dst->height = src->height;
}

/* Rebuilds m's image list from the page: images known before keep their entry (an "ok" image its
 * file), new ones are failed and left for fetch; images the page no longer shows are dropped. */
static void map_images(struct archive_meta *m, const struct conv_page *page)
{
    struct archive_meta tmp = ARCHIVE_META_INIT;
    struct archive_image *swap_images;
    size_t swap_n, swap_alloc;

    for (size_t i = 0; i < page->nimages; i++) {
        const struct archive_image *old = archive_meta_find_image(m, page->images[i]);
        struct archive_image *img = archive_meta_add_image(&tmp);

        img->src = xstrdup(page->images[i]);
        if (old) {
            copy_image(img, old);
        } else {
            img->status = ARCHIVE_IMAGE_FAILED;
            img->error = xstrdup(NOT_DOWNLOADED);
        }
    }
    swap_images = m->images;
    swap_n = m->nimages;
    swap_alloc = m->images_alloc;
    m->images = tmp.images;
    m->nimages = tmp.nimages;
    m->images_alloc = tmp.images_alloc;
    tmp.images = swap_images;
    tmp.nimages = swap_n;
    tmp.images_alloc = swap_alloc;
    archive_meta_release(&tmp);
}

/* Reconverts one article. */
static void reconvert_one(struct run *r, const char *id)
{
    const char *dir = r->c.archive;
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf raw = STRBUF_INIT, why = STRBUF_INIT, old = STRBUF_INIT, html = STRBUF_INIT;
    struct conv_input in = { 0 };
    struct conv_page page = { 0 };
    enum arc_err err;

    err = archive_meta_read(dir, id, &m, &why);
    if (err) {
        error("%s: %s", id, why.len ? why.buf : arc_strerror(err));
        note(r, id, RES_FAILED, why.len ? why.buf : arc_strerror(err));
        goto out;
    }
    if (!archive_state_has_copy(m.state))
        goto out; /* failed, deleted or walled before any copy: nothing to rebuild */
    err = archive_read_file(dir, id, "raw.html.gz", 0, &raw, &why);
    if (err == ARC_ENOTFOUND) {
        if (!r->c.quiet)
            warning("%s: no raw.html.gz to convert again; its copy is kept as it was", id);
        note(r, id, RES_SKIPPED, "no raw.html.gz");
        goto out;
    }
    if (err) {
        error("%s: %s", id, why.len ? why.buf : arc_strerror(err));
        note(r, id, RES_FAILED, why.len ? why.buf : arc_strerror(err));
        goto out;
    }
    in.buf = raw.buf;
    in.len = raw.len;
    in.url = m.url;
    in.final_url = m.final_url;
    if (conv_page_convert(&in, &page, &why) != ARC_OK)
        BUG("conv_page_convert refused a whole page");
    if (!page.doc) {
        strbuf_reset(&why);
        strbuf_addf(&why, "the stored page is now classified '%s'; its copy is kept as it was",
                    conv_class_name(page.cls));
        if (!r->c.quiet)
            warning("%s: %s", id, why.buf);
        note(r, id, RES_SKIPPED, why.buf);
        goto out;
    }
    archive_meta_from_page(&m, &page);
    map_images(&m, &page);
    archive_render_stored(&page, &m, &html);
    strbuf_reset(&why);
    if (archive_read_file(dir, id, "article.html", 0, &old, &why) == ARC_OK &&
        old.len == html.len && !memcmp(old.buf, html.buf, html.len)) {
        note(r, id, RES_UNCHANGED, NULL);
        goto out;
    }
    archive_meta_add_event(&m, r->now, "reconverted", 0, NULL);
    strbuf_reset(&why);
    err = archive_store_page(dir, id, &page, NULL, 0, &m, NULL, NULL, &why);
    if (err) {
        error("%s: %s", id, why.len ? why.buf : arc_strerror(err));
        note(r, id, RES_FAILED, why.len ? why.buf : arc_strerror(err));
        goto out;
    }
    note(r, id, RES_CHANGED, NULL);
out:
    conv_page_release(&page);
    archive_meta_release(&m);
    strbuf_release(&raw);
    strbuf_release(&why);
    strbuf_release(&old);
    strbuf_release(&html);
}

static bool listed(char *const *ids, const char *id)
{
    for (size_t i = 0; ids[i]; i++)
        if (!strcmp(ids[i], id))
            return true;
    return false;
}

static bool selected(const struct cmd_common *c, const char *id)
{
    if (!c->only.n)
        return true;
    for (size_t i = 0; i < c->only.n; i++)
        if (!strcmp(c->only.v[i], id))
            return true;
    return false;
}

static void print_summary(struct run *r)
{
    size_t done = r->count[RES_CHANGED] + r->count[RES_UNCHANGED] + r->count[RES_FAILED];

    if (r->c.json) {
        json_t *o = json_object();

        json_object_set_new(o, "reconverted", json_integer((json_int_t)done));
        json_object_set_new(o, "changed", json_integer((json_int_t)r->count[RES_CHANGED]));
        json_object_set_new(o, "unchanged", json_integer((json_int_t)r->count[RES_UNCHANGED]));
        json_object_set_new(o, "failed", json_integer((json_int_t)r->count[RES_FAILED]));
        json_object_set_new(o, "skipped", json_integer((json_int_t)r->count[RES_SKIPPED]));
        json_object_set(o, "articles", r->articles);
        if (json_dumpf(o, stdout, JSON_INDENT(2)) != 0)
            error("cannot write JSON to standard output");
        putchar('\n');
        json_decref(o);
        return;
    }
    if (r->c.quiet)
        return;
    printf("reconverted %zu article%s (%zu unchanged, %zu failed", done, done == 1 ? "" : "s",
           r->count[RES_UNCHANGED], r->count[RES_FAILED]);
    if (r->count[RES_SKIPPED])
        printf(", %zu skipped", r->count[RES_SKIPPED]);
    printf(")\n");
}

/* Under the lock: every selected article of the archive. */
static enum arc_exit run_locked(struct run *r)
{
    struct strbuf why = STRBUF_INIT;
    char **ids = NULL;

    if (archive_list_ids(r->c.archive, &ids, NULL, &why) != ARC_OK) {
        error("%s", why.len ? why.buf : "cannot list the archive's articles");
        strbuf_release(&why);
        return ARC_EXIT_FATAL;
    }
    for (size_t i = 0; i < r->c.only.n; i++) {
        if (!listed(ids, r->c.only.v[i])) {
            error("--only: the archive '%s' has no article '%s'", r->c.archive, r->c.only.v[i]);
            archive_ids_free(ids);
            strbuf_release(&why);
            return ARC_EXIT_USAGE;
        }
    }
    for (size_t i = 0; ids[i]; i++)
        if (selected(&r->c, ids[i]))
            reconvert_one(r, ids[i]);
    print_summary(r);
    archive_ids_free(ids);
    strbuf_release(&why);
    return r->count[RES_FAILED] ? ARC_EXIT_FAILED : ARC_EXIT_OK;
}

int cmd_reconvert(int argc, char **argv)
{
    struct run r = { .c = CMD_COMMON_INIT };
    struct cmd_common all;
    struct fs_lock lock = FS_LOCK_INIT;
    struct idx *ix = NULL;
    const struct opt options[] = {
        OPT_COMMON(&r.c),
        OPT_END(),
    };
    enum arc_exit rc;

    argc = opts_parse(argc, argv, options, reconvert_usage);
    cmd_common_args(&r.c, argc, argv, reconvert_usage);
    /* --only names articles of the archive, which need not be in the index. */
    all = r.c;
    all.only.n = 0;
    rc = cmd_load_index(&all, &ix);
    if (rc)
        goto out;
    rc = cmd_archive_begin(&r.c, &lock);
    if (rc)
        goto out;
    r.now = (int64_t)time(NULL);
    if (r.c.json)
        r.articles = json_array();
    rc = run_locked(&r);
    rc = cmd_archive_end(&r.c, ix, &lock, rc);
out:
    json_decref(r.articles);
    idx_free(ix);
    cmd_common_release(&r.c);
    return rc;
}
