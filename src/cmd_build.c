/* cmd_build.c: `archiver build` (and its short forms `archiver epub` and `archiver pdf`) makes the
 * books from the index and the archive: the EPUB (epub/) and the PDF (pdf/).  The book structure
 * comes from archive/book.h, the cover from pdf/, the package from epub/. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "archive/book.h"
#include "epub/epub.h"
#include "pdf/pdf.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const char *const build_usage[] = {
    "archiver build [<index>] [--archive <dir>] [--epub <file>] [--pdf <file>] [--from <yyyy-mm>] "
    "[--to <yyyy-mm>] [<options>]",
    NULL,
};
static const char *const pdf_usage[] = {
    "archiver pdf [<index>] [--archive <dir>] [--pdf <file>] [--from <yyyy-mm>] "
    "[--to <yyyy-mm>] [<options>]",
    NULL,
};
static const char *const epub_usage[] = {
    "archiver epub [<index>] [--archive <dir>] [--epub <file>] [--from <yyyy-mm>] "
    "[--to <yyyy-mm>] [<options>]",
    NULL,
};

/* Where a plain `archiver build` puts its books. */
#define BOOK_DIR "book"

struct build {
    struct cmd_common c;
    const char *epub, *pdf, *from, *to, *title, *author, *lang, *order, *css, *page, *style;
    struct pdf_page pdf_page;
    int max_image_px;
    size_t warnings;
    char **seen; /* the warnings said: both books meet the same damaged file */
    size_t nseen, seen_alloc;
    json_t *json; /* --json: the document, one member per book */
};

static void on_warning(const char *msg, void *ud)
{
    struct build *bd = ud;

    for (size_t i = 0; i < bd->nseen; i++)
        if (!strcmp(bd->seen[i], msg))
            return; /* said for the other book already */
    bd->seen = xgrow(bd->seen, sizeof(*bd->seen), bd->nseen + 1, &bd->seen_alloc);
    bd->seen[bd->nseen++] = xstrdup(msg);
    bd->warnings++;
    if (!bd->c.quiet)
        warning("%s", msg);
}

/* "2024-03" -> 202403; 0 for NULL; a usage error otherwise. */
static int parse_month(const char *s, const char *opt, const char *const *usage)
{
    int y, m, n = 0;

    if (!s)
        return 0;
    if (sscanf(s, "%4d-%2d%n", &y, &m, &n) != 2 || s[n] || y < 1970 || y > 9999 || m < 1 || m > 12)
        opts_usage_error(usage, "%s takes a month as YYYY-MM, not '%s'", opt, s);
    return y * 100 + m;
}

static enum book_order parse_order(const char *s, const char *const *usage)
{
    if (!s || !strcmp(s, "index"))
        return BOOK_ORDER_INDEX;
    if (!strcmp(s, "oldest"))
        return BOOK_ORDER_OLDEST;
    if (!strcmp(s, "newest"))
        return BOOK_ORDER_NEWEST;
    opts_usage_error(usage, "--order takes index, oldest or newest, not '%s'", s);
    return BOOK_ORDER_INDEX;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static enum arc_exit make_epub(struct build *bd, const struct book *b, const char *path)
{
    struct epub_opts eo = { 0 };
    struct epub_report rep;
    struct pdf_cover cover = PDF_COVER_INIT;
    struct strbuf png = STRBUF_INIT, why = STRBUF_INIT, count = STRBUF_INIT;
    struct strbuf placeholders = STRBUF_INIT;
    char size[32];
    char *css = bd->css ? xstrdup(bd->css) : xasprintf("%s/styles/book.css", fs_datadir());
    char *cache = NULL;
    struct timespec t0;
    enum arc_exit rc = ARC_EXIT_OK;
    enum arc_err err;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    strbuf_addf(&count, b->zh ? "%zu 篇文章" : "%zu articles", b->nchapters);
    /* A title made of the range: the words on the title line, the months under it (a line
     * break inside "2025年3月" would read badly). */
    cover.title = b->title_is_range ? (b->zh ? "文章合集" : "Articles") : b->title;
    cover.subtitle = b->range;
    cover.line = count.buf;
    cover.lang = b->lang;
    if (pdf_cover_png(&cover, &png, &why) != ARC_OK) {
        on_warning(why.buf, bd); /* a book without a cover is still a book */
        strbuf_reset(&why);
        strbuf_release(&png);
    }
    eo.css_path = css;
    eo.cover_png = png.len ? png.buf : NULL;
    eo.cover_len = png.len;
    eo.max_image_px = bd->max_image_px;
    if (fs_is_dir(bd->c.archive))
        eo.cache_dir = cache = xasprintf("%s/.cache/epub", bd->c.archive);
    eo.warn = on_warning;
    eo.ud = bd;
    err = epub_write(b, &eo, path, &rep, &why);
    if (err == ARC_ENOTFOUND) {
        error("%s", why.buf);
        rc = ARC_EXIT_USAGE;
    } else if (err) {
        error("%s", why.buf);
        rc = ARC_EXIT_FATAL;
    } else {
        /* Like fetch's, the summary line stays under --quiet: cron mail says what was made.  It
         * says how many entries are placeholders: offline, that is all of them. */
        if (rep.archived < rep.chapters)
            strbuf_addf(&placeholders, ", %zu without a copy", rep.chapters - rep.archived);
        cmd_human_bytes(rep.bytes, size, sizeof(size));
        fprintf(stderr,
                "build: %s: %zu chapters (%zu archived%s), %zu images (%zu transcoded, %zu "
                "missing), %s in %.1f s\n",
                path, rep.chapters, rep.archived, placeholders.buf, rep.images,
                rep.images_transcoded, rep.images_missing, size, seconds_since(&t0));
    }
    if (!err && bd->c.json) {
        json_t *e = json_object();
        json_object_set_new(e, "path", json_string(path));
        json_object_set_new(e, "chapters", json_integer((json_int_t)rep.chapters));
        json_object_set_new(e, "archived", json_integer((json_int_t)rep.archived));
        json_object_set_new(e, "images", json_integer((json_int_t)rep.images));
        json_object_set_new(e, "images_transcoded",
                            json_integer((json_int_t)rep.images_transcoded));
        json_object_set_new(e, "images_missing", json_integer((json_int_t)rep.images_missing));
        json_object_set_new(e, "images_cached", json_integer((json_int_t)rep.images_cached));
        json_object_set_new(e, "bytes", json_integer((json_int_t)rep.bytes));
        json_object_set_new(e, "uuid", json_string(b->uuid));
        json_object_set_new(bd->json, "epub", e);
    }
    free(css);
    free(cache);
    strbuf_release(&png);
    strbuf_release(&why);
    strbuf_release(&count);
    strbuf_release(&placeholders);
    return rc;
}

enum which { BOTH, EPUB_ONLY, PDF_ONLY };

/* The --page profile from the style file (--style, else styles/pdf.json under the data
 * directory) into *page.  A usage error names the file, and the line for bad JSON. */
static enum arc_exit load_page(struct build *bd, struct pdf_page *page)
{
    const char *name = bd->page ? bd->page : "a5";
    char *path = bd->style ? xstrdup(bd->style) : xasprintf("%s/styles/pdf.json", fs_datadir());
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr), *profiles, *pr, *pg, *mg, *v;
    enum arc_exit rc = ARC_EXIT_USAGE;
    struct strbuf names = STRBUF_INIT;
    const char *key;

    if (!root) {
        if (jerr.line > 0)
            error("%s:%d: %s", path, jerr.line, jerr.text);
        else
            error("cannot read the style file '%s': %s", path, jerr.text);
        goto out;
    }
    profiles = json_object_get(root, "profiles");
    json_object_foreach(profiles, key, v)
    {
        (void)v;
        strbuf_addf(&names, "%s%s", names.len ? ", " : "", key);
    }
    pr = json_object_get(profiles, name);
    if (!json_is_object(pr)) {
        error("%s: no page profile '%s' (it has: %s)", path, name, names.len ? names.buf : "none");
        goto out;
    }
    pg = json_object_get(pr, "page");
    mg = json_object_get(pr, "margins");
    if (json_array_size(pg) != 2 || json_array_size(mg) != 4 ||
        !json_is_number(json_object_get(pr, "body")) ||
        !json_is_number(json_object_get(pr, "leading"))) {
        error("%s: profile '%s' needs \"page\": [w, h], \"margins\": [top, bottom, inner, "
              "outer], \"body\" and \"leading\" (points)",
              path, name);
        goto out;
    }
    page->width = json_number_value(json_array_get(pg, 0));
    page->height = json_number_value(json_array_get(pg, 1));
    page->top = json_number_value(json_array_get(mg, 0));
    page->bottom = json_number_value(json_array_get(mg, 1));
    page->inner = json_number_value(json_array_get(mg, 2));
    page->outer = json_number_value(json_array_get(mg, 3));
    page->body = json_number_value(json_object_get(pr, "body"));
    page->leading = json_number_value(json_object_get(pr, "leading"));
    if (!pdf_page_valid(page)) {
        error("%s: profile '%s' leaves no text block, or its type is out of bounds (body 4-72 pt, "
              "leading from body to 4 x body)",
              path, name);
        goto out;
    }
    rc = ARC_EXIT_OK;
out:
    json_decref(root);
    strbuf_release(&names);
    free(path);
    return rc;
}

static enum arc_exit make_pdf(struct build *bd, const struct book *b, const char *path)
{
    struct pdf_opts po = { 0 };
    struct pdf_report rep;
    struct strbuf why = STRBUF_INIT;
    struct timespec t0;
    char size[32];
    enum arc_err err;

    po.page = &bd->pdf_page;
    po.warn = on_warning;
    po.ud = bd;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    err = pdf_write(b, &po, path, &rep, &why);
    if (err) {
        error("%s", why.buf);
        strbuf_release(&why);
        return err == ARC_EINVAL ? ARC_EXIT_USAGE : ARC_EXIT_FATAL;
    }
    cmd_human_bytes(rep.bytes, size, sizeof(size));
    fprintf(stderr,
            "build: %s: %zu pages, %zu chapters (%zu archived), %zu images (%zu JPEG as "
            "they are), %s in %.1f s\n",
            path, rep.pages, rep.chapters, rep.archived, rep.images, rep.images_passthrough, size,
            seconds_since(&t0));
    if (bd->c.json) {
        json_t *e = json_object();
        json_object_set_new(e, "path", json_string(path));
        json_object_set_new(e, "pages", json_integer((json_int_t)rep.pages));
        json_object_set_new(e, "chapters", json_integer((json_int_t)rep.chapters));
        json_object_set_new(e, "archived", json_integer((json_int_t)rep.archived));
        json_object_set_new(e, "images", json_integer((json_int_t)rep.images));
        json_object_set_new(e, "images_passthrough",
                            json_integer((json_int_t)rep.images_passthrough));
        json_object_set_new(e, "bytes", json_integer((json_int_t)rep.bytes));
        json_object_set_new(bd->json, "pdf", e);
    }
    strbuf_release(&why);
    return ARC_EXIT_OK;
}

static int run_build(int argc, char **argv, enum which which)
{
    const char *const *usage = which == EPUB_ONLY  ? epub_usage
                               : which == PDF_ONLY ? pdf_usage
                                                   : build_usage;
    struct build bd = { .c = CMD_COMMON_INIT };
#define BOOK_OPTIONS(bd)                                                                   \
    OPT_STRING(0, "from", &(bd)->from, "yyyy-mm", "the first month of the book"),          \
        OPT_STRING(0, "to", &(bd)->to, "yyyy-mm", "the last month of the book"),           \
        OPT_STRING(0, "title", &(bd)->title, "text",                                       \
                   "the book's title (default: the index's, or one made of the months)"),  \
        OPT_STRING(0, "author", &(bd)->author, "text",                                     \
                   "the book's author (default: the accounts in the archive)"),            \
        OPT_STRING(0, "lang", &(bd)->lang, "tag", "the book's language (default: zh-CN)"), \
        OPT_STRING(0, "order", &(bd)->order, "index|oldest|newest",                        \
                   "the order of the months (default: the index's)")
#define EPUB_OPTIONS(bd)                                                                 \
    OPT_INT(0, "max-image-px", &(bd)->max_image_px, "n",                                 \
            "EPUB: downscale images larger than n pixels on a side, for small devices"), \
        OPT_STRING(0, "css", &(bd)->css, "file",                                         \
                   "EPUB: the stylesheet (default: styles/book.css)")
#define PDF_OPTIONS(bd)                                                          \
    OPT_STRING(0, "page", &(bd)->page, "profile",                                \
               "PDF: a5 (default), a4, letter, ereader6, ereader7 or tablet10"), \
        OPT_STRING(0, "style", &(bd)->style, "file",                             \
                   "PDF: the page profiles (default: styles/pdf.json)")
    const struct opt build_options[] = {
        OPT_COMMON_NO_ONLY(&bd.c),
        OPT_STRING(0, "epub", &bd.epub, "file", "write the EPUB here (default: book/book.epub)"),
        OPT_STRING(0, "pdf", &bd.pdf, "file", "write the PDF here (default: book/book.pdf)"),
        BOOK_OPTIONS(&bd),
        EPUB_OPTIONS(&bd),
        PDF_OPTIONS(&bd),
        OPT_END(),
    };
    const struct opt epub_options[] = {
        OPT_COMMON_NO_ONLY(&bd.c),
        OPT_STRING(0, "epub", &bd.epub, "file", "write the EPUB here (default: book/book.epub)"),
        BOOK_OPTIONS(&bd),
        EPUB_OPTIONS(&bd),
        OPT_END(),
    };
    const struct opt pdf_options[] = {
        OPT_COMMON_NO_ONLY(&bd.c),
        OPT_STRING(0, "pdf", &bd.pdf, "file", "write the PDF here (default: book/book.pdf)"),
        BOOK_OPTIONS(&bd),
        PDF_OPTIONS(&bd),
        OPT_END(),
    };
    struct book_opts bo = BOOK_OPTS_INIT;
    struct strbuf why = STRBUF_INIT;
    struct fs_lock lock = FS_LOCK_INIT;
    struct idx *ix = NULL;
    struct book *b = NULL;
    char *epub_path = NULL, *pdf_path = NULL;
    enum arc_exit rc;

    argc = opts_parse(argc, argv,
                      which == EPUB_ONLY  ? epub_options
                      : which == PDF_ONLY ? pdf_options
                                          : build_options,
                      usage);
    cmd_common_args(&bd.c, argc, argv, usage);
    if (bd.epub && !*bd.epub)
        opts_usage_error(usage, "--epub needs a file name");
    if (bd.pdf && !*bd.pdf)
        opts_usage_error(usage, "--pdf needs a file name");
    if (bd.max_image_px < 0 || (bd.max_image_px && bd.max_image_px < 64))
        opts_usage_error(usage, "--max-image-px takes 64 or more, not %d", bd.max_image_px);
    bo.from = parse_month(bd.from, "--from", usage);
    bo.to = parse_month(bd.to, "--to", usage);
    bo.order = parse_order(bd.order, usage);
    bo.title = bd.title;
    bo.author = bd.author;
    bo.lang = bd.lang;
    /* Which books: those named; none named, the command's own into book/. */
    if (bd.epub)
        epub_path = xstrdup(bd.epub);
    if (bd.pdf)
        pdf_path = xstrdup(bd.pdf);
    if (!bd.epub && !bd.pdf) {
        if (which != PDF_ONLY)
            epub_path = xstrdup(BOOK_DIR "/book.epub");
        if (which != EPUB_ONLY)
            pdf_path = xstrdup(BOOK_DIR "/book.pdf");
    }
    if (bd.c.json)
        bd.json = json_object();
    /* The page profile first: a bad one is a usage error before anything is read or written. */
    if (pdf_path && (rc = load_page(&bd, &bd.pdf_page)) != ARC_EXIT_OK)
        goto out;

    rc = cmd_load_index(&bd.c, &ix);
    if (rc != ARC_EXIT_OK)
        goto out;
    if (!fs_is_dir(bd.c.archive)) {
        char *msg =
            xasprintf("archive '%s' does not exist: every entry is a placeholder", bd.c.archive);
        on_warning(msg, &bd);
        free(msg);
    } else if (fs_lock_acquire(&lock, bd.c.archive, &why) != ARC_OK) {
        /* A fetch swapping copies while the book reads them would tear the book. */
        error("%s", why.buf);
        rc = ARC_EXIT_LOCKED;
        goto out;
    }
    if (book_open(bd.c.archive, ix, &bo, &b, &why) != ARC_OK) {
        error("%s", why.buf);
        rc = ARC_EXIT_USAGE;
        goto out;
    }
    for (size_t i = 0; i < b->nwarnings; i++)
        on_warning(b->warnings[i], &bd);
    if (!bd.epub && !bd.pdf && fs_mkdirs(BOOK_DIR, &why) != ARC_OK) {
        error("%s", why.buf);
        rc = ARC_EXIT_FATAL;
        goto out;
    }
    if (epub_path)
        rc = make_epub(&bd, b, epub_path);
    if (pdf_path && rc == ARC_EXIT_OK)
        rc = make_pdf(&bd, b, pdf_path);
    if (rc == ARC_EXIT_OK && bd.warnings)
        rc = ARC_EXIT_FAILED;
    if (bd.json && rc != ARC_EXIT_FATAL && rc != ARC_EXIT_USAGE) {
        json_object_set_new(bd.json, "version", json_integer(1));
        json_object_set_new(bd.json, "warnings", json_integer((json_int_t)bd.warnings));
        if (json_dumpf(bd.json, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
            error("cannot write JSON to standard output");
        putchar('\n');
    }
out:
    fs_lock_release(&lock);
    book_free(b);
    idx_free(ix);
    free(epub_path);
    free(pdf_path);
    json_decref(bd.json);
    for (size_t i = 0; i < bd.nseen; i++)
        free(bd.seen[i]);
    free(bd.seen);
    strbuf_release(&why);
    cmd_common_release(&bd.c);
    return rc;
}

int cmd_build(int argc, char **argv)
{
    return run_build(argc, argv, BOTH);
}

int cmd_epub(int argc, char **argv)
{
    return run_build(argc, argv, EPUB_ONLY);
}

int cmd_pdf(int argc, char **argv)
{
    return run_build(argc, argv, PDF_ONLY);
}
