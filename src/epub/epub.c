/* epub/epub.c: the EPUB 3 package (see epub.h).
 *
 * Every file of the package is first written to a scratch folder beside the output, then added
 * to the zip as a file source in a fixed order; zip_close() streams them into a temporary file
 * that libzip renames over the output.  Chapters are loaded one at a time (book_chapter_load) and
 * released as soon as their XHTML is on disk. */
#include "epub/epub.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "doc/doc.h"
#include "image/image.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/banned.h"

#define OPS      "OEBPS/"
#define CSS_NAME "style.css"
/* A stylesheet larger than this is not a stylesheet. */
#define CSS_MAX_BYTES (4u * 1024 * 1024)

/* A file of the package: its name in the zip and where its bytes are. */
struct pkg_file {
    char *name;
    char *path;
    bool store; /* not deflated: mimetype and images */
};

/* An image of the book, once per content. */
struct pkg_image {
    char *key;  /* the archive's content-addressed name ("3fa1…e2.png"), or a hash */
    char *href; /* "images/<key-stem>.<ext>", relative to OEBPS/ */
    char *id;
    const char *mime;
    int width, height; /* of the packaged file; 0 when unknown */
    bool failed;       /* could not be packaged: placeholders */
    char *failed_path; /* the copy that failed; another article's copy is tried in its turn */
    char *cache_path;  /* the transcoded copy in the cache, when there is one */
    struct pkg_image *next;
};

struct ctx {
    const struct book *b;
    const struct epub_opts *o;
    struct epub_report *rep;
    char *scratch;
    unsigned scratch_n;
    struct pkg_file *files;
    size_t nfiles, files_alloc;
    struct pkg_image **table; /* by key */
    size_t table_size, nimages;
    struct pkg_image **order; /* images in first-use order */
    size_t order_alloc;
    bool cover;
    struct strbuf err;
};

static void warn(struct ctx *c, const char *fmt, ...) ARC_PRINTF(2, 3);
static void warn(struct ctx *c, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    c->rep->warnings++;
    if (c->o->warn)
        c->o->warn(sb.buf, c->o->ud);
    strbuf_release(&sb);
}

/* --- the scratch folder --- */

/* Writes data to a new scratch file that will be the package's file name. */
static enum arc_err add_data(struct ctx *c, const char *name, const void *data, size_t len,
                             bool store)
{
    char *path = xasprintf("%s/%u", c->scratch, c->scratch_n++);
    struct pkg_file *f;

    if (fs_write_scratch(path, data, len, &c->err) != ARC_OK) {
        free(path);
        return ARC_EIO;
    }
    c->files = xgrow(c->files, sizeof(*c->files), c->nfiles + 1, &c->files_alloc);
    f = &c->files[c->nfiles++];
    f->name = xstrdup(name);
    f->path = path;
    f->store = store;
    return ARC_OK;
}

/* Packages an existing file (an archived image) by reference. */
static void add_path(struct ctx *c, const char *name, const char *path, bool store)
{
    struct pkg_file *f;

    c->files = xgrow(c->files, sizeof(*c->files), c->nfiles + 1, &c->files_alloc);
    f = &c->files[c->nfiles++];
    f->name = xstrdup(name);
    f->path = xstrdup(path);
    f->store = store;
}

static void remove_scratch(struct ctx *c)
{
    for (unsigned i = 0; i < c->scratch_n; i++) {
        char *p = xasprintf("%s/%u", c->scratch, i);
        unlink(p);
        free(p);
    }
    rmdir(c->scratch);
}

/* --- images --- */

static struct pkg_image *image_find(struct ctx *c, const char *key)
{
    struct pkg_image *im;

    if (!c->table_size)
        return NULL;
    for (im = c->table[hash_fnv1a(key) & (c->table_size - 1)]; im; im = im->next)
        if (!strcmp(im->key, key))
            return im;
    return NULL;
}

static struct pkg_image *image_insert(struct ctx *c, const char *key)
{
    struct pkg_image *im = xcalloc(1, sizeof(*im));
    size_t slot;

    if (c->nimages >= c->table_size / 2) {
        size_t size = c->table_size ? c->table_size * 2 : 256;
        struct pkg_image **t = xcalloc(size, sizeof(*t));
        for (size_t i = 0; i < c->table_size; i++) {
            while (c->table[i]) {
                struct pkg_image *next = c->table[i]->next;
                size_t s = hash_fnv1a(c->table[i]->key) & (size - 1);
                c->table[i]->next = t[s];
                t[s] = c->table[i];
                c->table[i] = next;
            }
        }
        free(c->table);
        c->table = t;
        c->table_size = size;
    }
    im->key = xstrdup(key);
    slot = hash_fnv1a(key) & (c->table_size - 1);
    im->next = c->table[slot];
    c->table[slot] = im;
    c->order = xgrow(c->order, sizeof(*c->order), c->nimages + 1, &c->order_alloc);
    c->order[c->nimages++] = im;
    return im;
}

static bool is_core(enum img_format f)
{
    return f == IMG_JPEG || f == IMG_PNG || f == IMG_GIF;
}

/* The stem of a file name: "images/3fa1.png" -> "3fa1". */
static char *stem(const char *file)
{
    const char *base = strrchr(file, '/'), *dot;

    base = base ? base + 1 : file;
    dot = strrchr(base, '.');
    return dot && dot != base ? xstrndup(base, (size_t)(dot - base)) : xstrdup(base);
}

/* --- transcoded pictures kept between builds --- */

/* Bump when img_transcode() or IMG_TX_EPUB changes what it makes. */
#define CACHE_VERSION 1

static char *cache_name(const struct ctx *c, const char *key)
{
    return xasprintf("%s/%s-%dpx-v%d", c->o->cache_dir, key, c->o->max_image_px, CACHE_VERSION);
}

/* A transcoded copy of the picture named key made by an earlier build: fills im when the
 * cache holds a whole picture in a core format. */
static bool from_cache(struct ctx *c, const char *key, struct pkg_image *im)
{
    struct img_info info;
    char *path;

    if (!c->o->cache_dir)
        return false;
    path = cache_name(c, key);
    if (img_probe_file(path, &info, NULL) != ARC_OK || !is_core(info.format)) {
        free(path);
        return false;
    }
    im->width = info.width;
    im->height = info.height;
    im->mime = img_format_mime(info.format);
    im->href = xasprintf("images/%s.%s", key, img_format_ext(info.format));
    im->cache_path = path;
    return true;
}

/* Keeps a transcoded picture for later builds (a temporary name, then rename: a torn file is
 * refused by from_cache() anyway).  False when the cache cannot be written: the caller packages
 * the picture from the scratch folder instead, and nothing is said (the cache is an aid). */
static bool to_cache(struct ctx *c, const char *key, struct pkg_image *im,
                     const struct img_output *out)
{
    char *path, *tmp;
    bool ok;

    if (!c->o->cache_dir || fs_mkdirs(c->o->cache_dir, NULL) != ARC_OK)
        return false;
    path = cache_name(c, key);
    tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
    unlink(tmp);
    ok =
        fs_write_scratch(tmp, out->buf.buf, out->buf.len, NULL) == ARC_OK && rename(tmp, path) == 0;
    if (!ok) {
        unlink(tmp);
        free(path);
    } else {
        im->cache_path = path;
    }
    free(tmp);
    return ok;
}

/* Puts the image at base/file into the package (once per content) and returns its href, or NULL
 * when it cannot be packaged (the caller shows a placeholder).  *width and *height become the
 * packaged file's size when it is known: the page's own hints may not match the file (WeChat's
 * data-w is the original's width; --max-image-px shrinks), and readers that honour the
 * attributes over `height: auto` would stretch the picture. */
static const char *package_image(struct ctx *c, const char *base, const char *file, int *width,
                                 int *height)
{
    char *path = xasprintf("%s/%s", base, file), *key = stem(file), *name = NULL;
    struct pkg_image *im = image_find(c, key);
    struct strbuf data = STRBUF_INIT, why = STRBUF_INIT;
    struct img_output out = IMG_OUTPUT_INIT;
    struct img_info info;
    enum img_format fmt;
    enum arc_err err;

    if (im && (!im->failed || !strcmp(im->failed_path, path)))
        goto done; /* packaged already, or this very file failed already (warned once) */
    if (!im) {
        im = image_insert(c, key);
    } else {
        /* Another article's copy of this picture failed; this one may be whole. */
        im->failed = false;
        free(im->failed_path);
        im->failed_path = NULL;
    }
    /* The picture's two ends prove it whole (a file cut short would show as a broken picture)
     * and give its size; libzip reads the file when it writes the zip.  Other formats are read
     * whole, to be transcoded. */
    err = img_probe_file(path, &info, &why);
    fmt = err ? IMG_UNKNOWN : info.format;
    if (err) {
        im->failed = true;
    } else if (is_core(fmt) && !c->o->max_image_px) {
        /* The common case: packaged straight from the archive. */
        im->width = info.width;
        im->height = info.height;
        im->mime = img_format_mime(fmt);
        im->href = xasprintf("images/%s.%s", key, img_format_ext(fmt));
        name = xasprintf(OPS "%s", im->href);
        add_path(c, name, path, true);
    } else if (from_cache(c, key, im)) {
        name = xasprintf(OPS "%s", im->href);
        add_path(c, name, im->cache_path, true);
        c->rep->images_transcoded++;
        c->rep->images_cached++;
    } else if (fs_read_file(path, 0, &data, &why) != ARC_OK) {
        im->failed = true;
    } else if (img_transcode(data.buf, data.len, c->o->max_image_px, IMG_TX_EPUB, &out, &why) !=
               ARC_OK) {
        im->failed = true;
    } else {
        enum img_format f = out.changed ? out.format : fmt;

        im->width = out.width;
        im->height = out.height;
        im->mime = img_format_mime(f);
        im->href = xasprintf("images/%s.%s", key, img_format_ext(f));
        name = xasprintf(OPS "%s", im->href);
        if (!out.changed) {
            add_path(c, name, path, true);
        } else if (to_cache(c, key, im, &out)) {
            add_path(c, name, im->cache_path, true);
            c->rep->images_transcoded++;
        } else if (add_data(c, name, out.buf.buf, out.buf.len, true) != ARC_OK) {
            strbuf_add(&why, c->err.buf, c->err.len);
            strbuf_reset(&c->err);
            im->failed = true;
        } else {
            c->rep->images_transcoded++;
        }
    }
    if (im->failed) {
        free(im->href);
        im->href = NULL;
        im->failed_path = xstrdup(path);
        warn(c, "%s: %s; a placeholder is shown", path, why.len ? why.buf : "cannot be read");
    } else {
        im->id = xasprintf("img-%s", key);
        c->rep->images++;
    }
done:
    if (!im->failed && im->width > 0 && im->height > 0) {
        *width = im->width;
        *height = im->height;
    } else if (!im->failed) {
        *width = *height = 0; /* unknown: better none than wrong ones */
    }
    img_output_release(&out);
    strbuf_release(&data);
    strbuf_release(&why);
    free(name);
    free(path);
    free(key);
    return im->failed ? NULL : im->href;
}

struct image_walk {
    struct ctx *c;
    struct book_chapter *ch;
};

static int visit_image(const struct doc_node *cn, void *ud)
{
    struct image_walk *w = ud;
    struct doc_node *n = (struct doc_node *)cn; /* the chapter's tree is ours to change */
    const char *href;

    if ((n->kind != DOC_IMAGE && n->kind != DOC_INLINE_IMAGE) || !n->u.image.file)
        return 0;
    if (!w->ch->base) {
        n->u.image.file = NULL;
        return 0;
    }
    href = package_image(w->c, w->ch->base, n->u.image.file, &n->u.image.width, &n->u.image.height);
    if (!href)
        w->c->rep->images_missing++;
    n->u.image.file = href ? doc_strdup(w->ch->body, href) : NULL;
    return 0;
}

/* --- pages --- */

static char *chapter_name(size_t number)
{
    return xasprintf("c%04zu.xhtml", number);
}

static char *part_name(size_t index)
{
    return xasprintf("part%03zu.xhtml", index + 1);
}

static void write_note(struct strbuf *out, const struct doc *note)
{
    if (!note || !note->root->first)
        return;
    strbuf_addstr(out, "<div class=\"note\">\n");
    doc_write_xhtml(note->root, out, DOC_XHTML_NO_REMOTE | DOC_XHTML_NO_ORIGIN);
    strbuf_addstr(out, "</div>\n");
}

static void write_link(struct strbuf *out, const char *cls, const char *url)
{
    if (!url || !doc_href_is_safe(url))
        return;
    strbuf_addf(out, "<p class=\"%s\"><a href=\"", cls);
    doc_xml_escape_str(out, url);
    strbuf_addstr(out, "\">");
    doc_xml_escape_str(out, url);
    strbuf_addstr(out, "</a></p>\n");
}

static enum arc_err write_chapter(struct ctx *c, const struct book_chapter_info *ci)
{
    const struct book *b = c->b;
    struct book_chapter ch;
    struct strbuf out = STRBUF_INIT, when = STRBUF_INIT;
    struct doc_page page = { ci->title && *ci->title ? ci->title : "—", b->lang, CSS_NAME,
                             "chapter" };
    char *name, *zname;
    enum arc_err err;

    book_chapter_load(b, ci, &ch);
    if (ch.warning)
        warn(c, "%s; a placeholder is shown", ch.warning);
    if (ch.body) {
        struct image_walk w = { c, &ch };
        struct doc_visitor v = { visit_image, NULL };
        doc_walk(ch.body->root, &v, &w);
    }
    doc_page_begin(&out, &page);
    strbuf_addstr(&out, "<h1 class=\"title\">");
    doc_xml_escape_str(&out, page.title);
    strbuf_addstr(&out, "</h1>\n");
    book_format_date(ci->published, &when);
    if (!when.len && ci->day)
        strbuf_addstr(&when, ci->day); /* no copy to tell the publish date: the index's */
    archive_write_byline(&out, ci->account, ci->author, when.buf, false);
    write_link(&out, "source", ci->url);
    write_note(&out, ci->note);
    if (ci->status_line) {
        strbuf_addstr(&out, "<p class=\"status\">");
        doc_xml_escape_str(&out, ci->status_line);
        strbuf_addstr(&out, "</p>\n");
    }
    if (ch.body) {
        doc_write_xhtml(ch.body->root, &out, DOC_XHTML_NO_REMOTE | DOC_XHTML_NO_ORIGIN);
    } else if (ci->has_copy) {
        strbuf_addstr(&out, "<p class=\"status\">");
        strbuf_addstr(&out, b->zh ? "存档副本无法读取。" : "The archived copy cannot be read.");
        strbuf_addstr(&out, "</p>\n");
    }
    doc_page_end(&out);
    book_chapter_release(&ch);

    name = chapter_name(ci->number);
    zname = xasprintf(OPS "%s", name);
    err = add_data(c, zname, out.buf, out.len, false);
    c->rep->chapters++;
    if (ci->has_copy)
        c->rep->archived++;
    free(name);
    free(zname);
    strbuf_release(&out);
    strbuf_release(&when);
    return err;
}

static enum arc_err write_part(struct ctx *c, size_t index)
{
    const struct book *b = c->b;
    const struct book_part *p = &b->parts[index];
    struct doc_page page = { p->name, b->lang, CSS_NAME, "part" };
    struct strbuf out = STRBUF_INIT;
    char *name = part_name(index), *zname = xasprintf(OPS "%s", name);
    enum arc_err err;

    doc_page_begin(&out, &page);
    strbuf_addstr(&out, "<h1 class=\"part\">");
    doc_xml_escape_str(&out, p->name);
    strbuf_addstr(&out, "</h1>\n<ol class=\"entries\">\n");
    for (size_t i = 0; i < p->nchapters; i++) {
        const struct book_chapter_info *ci = &p->chapters[i];
        char *cn = chapter_name(ci->number);

        strbuf_addstr(&out, "<li>");
        if (ci->date) {
            strbuf_addstr(&out, "<span class=\"date\">");
            doc_xml_escape_str(&out, ci->date);
            strbuf_addstr(&out, "</span> ");
        }
        strbuf_addf(&out, "<a href=\"%s\">", cn);
        doc_xml_escape_str(&out, ci->toc_title);
        strbuf_addstr(&out, "</a>");
        if (!ci->has_copy)
            strbuf_addstr(&out, b->zh ? " <span class=\"missing\">（未存档）</span>"
                                      : " <span class=\"missing\">(not archived)</span>");
        strbuf_addch(&out, '\n');
        write_note(&out, ci->note);
        strbuf_addstr(&out, "</li>\n");
        free(cn);
    }
    strbuf_addstr(&out, "</ol>\n");
    doc_page_end(&out);
    err = add_data(c, zname, out.buf, out.len, false);
    free(name);
    free(zname);
    strbuf_release(&out);
    return err;
}

/* The head of the pages written by hand (nav and cover): they need the epub namespace. */
static void page_head(struct strbuf *out, const struct book *b, const char *title)
{
    strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
                       "<html xmlns=\"http://www.w3.org/1999/xhtml\" "
                       "xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"");
    doc_xml_escape_str(out, b->lang);
    strbuf_addstr(out, "\" lang=\"");
    doc_xml_escape_str(out, b->lang);
    strbuf_addstr(out, "\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>");
    doc_xml_escape_str(out, title);
    strbuf_addstr(out, "</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"" CSS_NAME
                       "\"/>\n</head>\n");
}

static enum arc_err write_nav(struct ctx *c)
{
    const struct book *b = c->b;
    const char *contents = b->zh ? "目录" : "Contents";
    struct strbuf out = STRBUF_INIT;
    char *first = part_name(0);
    enum arc_err err;

    page_head(&out, b, contents);
    strbuf_addstr(&out, "<body class=\"contents\">\n<nav epub:type=\"toc\" id=\"toc\">\n<h1>");
    strbuf_addstr(&out, contents);
    strbuf_addstr(&out, "</h1>\n<ol>\n");
    for (size_t p = 0; p < b->nparts; p++) {
        const struct book_part *part = &b->parts[p];
        char *pn = part_name(p);

        strbuf_addf(&out, "<li><a href=\"%s\">", pn);
        doc_xml_escape_str(&out, part->name);
        strbuf_addstr(&out, "</a>\n<ol>\n");
        for (size_t i = 0; i < part->nchapters; i++) {
            const struct book_chapter_info *ci = &part->chapters[i];
            char *cn = chapter_name(ci->number);

            strbuf_addf(&out, "<li><a href=\"%s\">", cn);
            if (ci->date) {
                strbuf_addstr(&out, "<span class=\"date\">");
                doc_xml_escape_str(&out, ci->date);
                strbuf_addstr(&out, "</span> ");
            }
            doc_xml_escape_str(&out, ci->toc_title);
            strbuf_addstr(&out, "</a></li>\n");
            free(cn);
        }
        strbuf_addstr(&out, "</ol>\n</li>\n");
        free(pn);
    }
    strbuf_addstr(&out, "</ol>\n</nav>\n<nav epub:type=\"landmarks\" id=\"landmarks\" "
                        "hidden=\"hidden\">\n<ol>\n");
    if (c->cover)
        strbuf_addf(&out, "<li><a epub:type=\"cover\" href=\"cover.xhtml\">%s</a></li>\n",
                    b->zh ? "封面" : "Cover");
    strbuf_addf(&out, "<li><a epub:type=\"toc\" href=\"nav.xhtml\">%s</a></li>\n", contents);
    strbuf_addf(&out, "<li><a epub:type=\"bodymatter\" href=\"%s\">%s</a></li>\n", first,
                b->zh ? "正文" : "Start");
    strbuf_addstr(&out, "</ol>\n</nav>\n</body>\n</html>\n");
    err = add_data(c, OPS "nav.xhtml", out.buf, out.len, false);
    free(first);
    strbuf_release(&out);
    return err;
}

static enum arc_err write_ncx(struct ctx *c)
{
    const struct book *b = c->b;
    struct strbuf out = STRBUF_INIT;
    size_t order = 0;
    enum arc_err err;

    strbuf_addstr(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" "
                        "xml:lang=\"");
    doc_xml_escape_str(&out, b->lang);
    strbuf_addf(&out,
                "\">\n<head>\n<meta name=\"dtb:uid\" content=\"urn:uuid:%s\"/>\n"
                "<meta name=\"dtb:depth\" content=\"2\"/>\n"
                "<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n"
                "<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n<docTitle><text>",
                b->uuid);
    doc_xml_escape_str(&out, b->title);
    strbuf_addstr(&out, "</text></docTitle>\n<navMap>\n");
    for (size_t p = 0; p < b->nparts; p++) {
        const struct book_part *part = &b->parts[p];
        char *pn = part_name(p);

        strbuf_addf(&out, "<navPoint id=\"p%zu\" playOrder=\"%zu\"><navLabel><text>", p + 1,
                    ++order);
        doc_xml_escape_str(&out, part->name);
        strbuf_addf(&out, "</text></navLabel><content src=\"%s\"/>\n", pn);
        for (size_t i = 0; i < part->nchapters; i++) {
            const struct book_chapter_info *ci = &part->chapters[i];
            char *cn = chapter_name(ci->number);

            strbuf_addf(&out, "<navPoint id=\"c%zu\" playOrder=\"%zu\"><navLabel><text>",
                        ci->number, ++order);
            if (ci->date) {
                doc_xml_escape_str(&out, ci->date);
                strbuf_addch(&out, ' ');
            }
            doc_xml_escape_str(&out, ci->toc_title);
            strbuf_addf(&out, "</text></navLabel><content src=\"%s\"/></navPoint>\n", cn);
            free(cn);
        }
        strbuf_addstr(&out, "</navPoint>\n");
        free(pn);
    }
    strbuf_addstr(&out, "</navMap>\n</ncx>\n");
    err = add_data(c, OPS "toc.ncx", out.buf, out.len, false);
    strbuf_release(&out);
    return err;
}

static enum arc_err write_cover_page(struct ctx *c)
{
    const struct book *b = c->b;
    struct strbuf out = STRBUF_INIT;
    enum arc_err err;

    page_head(&out, b, b->title);
    strbuf_addstr(&out, "<body class=\"cover\">\n<section epub:type=\"cover\">\n"
                        "<img src=\"cover.png\" alt=\"");
    doc_xml_escape_str(&out, b->title);
    strbuf_addstr(&out, "\"/>\n</section>\n</body>\n</html>\n");
    err = add_data(c, OPS "cover.xhtml", out.buf, out.len, false);
    strbuf_release(&out);
    return err;
}

/* "2026-11-25T08:00:00Z" and "2026-11-25" of t, in UTC. */
static void format_utc(int64_t t, char stamp[32], char date[16])
{
    time_t s = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&s, &tm))
        memset(&tm, 0, sizeof(tm));
    strftime(stamp, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    strftime(date, 16, "%Y-%m-%d", &tm);
}

static enum arc_err write_opf(struct ctx *c)
{
    const struct book *b = c->b;
    struct strbuf out = STRBUF_INIT;
    char modified[32], date[16];
    enum arc_err err;

    format_utc(b->modified, modified, date);
    strbuf_addstr(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" "
                        "unique-identifier=\"bookid\" xml:lang=\"");
    doc_xml_escape_str(&out, b->lang);
    strbuf_addf(&out,
                "\">\n<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
                "<dc:identifier id=\"bookid\">urn:uuid:%s</dc:identifier>\n<dc:title>",
                b->uuid);
    doc_xml_escape_str(&out, b->title);
    strbuf_addstr(&out, "</dc:title>\n<dc:creator>");
    doc_xml_escape_str(&out, b->author);
    strbuf_addstr(&out, "</dc:creator>\n<dc:language>");
    doc_xml_escape_str(&out, b->lang);
    strbuf_addf(&out,
                "</dc:language>\n<dc:date>%s</dc:date>\n"
                "<meta property=\"dcterms:modified\">%s</meta>\n",
                date, modified);
    if (c->cover)
        strbuf_addstr(&out, "<meta name=\"cover\" content=\"cover-image\"/>\n");
    strbuf_addstr(&out, "</metadata>\n<manifest>\n"
                        "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" "
                        "properties=\"nav\"/>\n"
                        "<item id=\"ncx\" href=\"toc.ncx\" "
                        "media-type=\"application/x-dtbncx+xml\"/>\n"
                        "<item id=\"css\" href=\"" CSS_NAME "\" media-type=\"text/css\"/>\n");
    if (c->cover)
        strbuf_addstr(&out, "<item id=\"cover-image\" href=\"cover.png\" media-type=\"image/png\" "
                            "properties=\"cover-image\"/>\n"
                            "<item id=\"cover\" href=\"cover.xhtml\" "
                            "media-type=\"application/xhtml+xml\"/>\n");
    for (size_t p = 0; p < b->nparts; p++) {
        char *pn = part_name(p);
        strbuf_addf(&out,
                    "<item id=\"part%zu\" href=\"%s\" media-type=\"application/xhtml+xml\"/>\n",
                    p + 1, pn);
        free(pn);
        for (size_t i = 0; i < b->parts[p].nchapters; i++) {
            size_t n = b->parts[p].chapters[i].number;
            char *cn = chapter_name(n);
            strbuf_addf(&out,
                        "<item id=\"c%zu\" href=\"%s\" media-type=\"application/xhtml+xml\"/>\n", n,
                        cn);
            free(cn);
        }
    }
    for (size_t i = 0; i < c->nimages; i++) {
        const struct pkg_image *im = c->order[i];
        if (im->failed)
            continue;
        strbuf_addstr(&out, "<item id=\"");
        doc_xml_escape_str(&out, im->id);
        strbuf_addstr(&out, "\" href=\"");
        doc_xml_escape_str(&out, im->href);
        strbuf_addf(&out, "\" media-type=\"%s\"/>\n", im->mime);
    }
    strbuf_addstr(&out, "</manifest>\n<spine toc=\"ncx\">\n");
    if (c->cover)
        strbuf_addstr(&out, "<itemref idref=\"cover\"/>\n");
    strbuf_addstr(&out, "<itemref idref=\"nav\"/>\n");
    for (size_t p = 0; p < b->nparts; p++) {
        strbuf_addf(&out, "<itemref idref=\"part%zu\"/>\n", p + 1);
        for (size_t i = 0; i < b->parts[p].nchapters; i++)
            strbuf_addf(&out, "<itemref idref=\"c%zu\"/>\n", b->parts[p].chapters[i].number);
    }
    /* The EPUB 2 guide, which EPUB 3 keeps as legacy: old Kindle firmware finds the cover and
     * the start of the text only here. */
    strbuf_addstr(&out, "</spine>\n<guide>\n");
    if (c->cover)
        strbuf_addf(&out, "<reference type=\"cover\" title=\"%s\" href=\"cover.xhtml\"/>\n",
                    b->zh ? "封面" : "Cover");
    strbuf_addf(&out, "<reference type=\"toc\" title=\"%s\" href=\"nav.xhtml\"/>\n",
                b->zh ? "目录" : "Contents");
    strbuf_addf(&out, "<reference type=\"text\" title=\"%s\" href=\"part001.xhtml\"/>\n",
                b->zh ? "正文" : "Start");
    strbuf_addstr(&out, "</guide>\n</package>\n");
    err = add_data(c, OPS "content.opf", out.buf, out.len, false);
    strbuf_release(&out);
    return err;
}

/* --- the zip --- */

static const char container_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n"
    "<rootfiles>\n<rootfile full-path=\"OEBPS/content.opf\" "
    "media-type=\"application/oebps-package+xml\"/>\n</rootfiles>\n</container>\n";

/* The package order: mimetype, container, the OPF and the navigation, the stylesheet and cover,
 * then pages in reading order with the images after them. */
static int package_rank(const char *name)
{
    if (!strcmp(name, "mimetype"))
        return 0;
    if (!strncmp(name, "META-INF/", 9))
        return 1;
    if (!strcmp(name, OPS "content.opf"))
        return 2;
    if (!strcmp(name, OPS "nav.xhtml") || !strcmp(name, OPS "toc.ncx"))
        return 3;
    if (!strcmp(name, OPS CSS_NAME) || !strncmp(name, OPS "cover", 11))
        return 4;
    if (!strncmp(name, OPS "images/", 13))
        return 6;
    return 5;
}

static int cmp_files(const void *a, const void *b)
{
    const struct pkg_file *fa = a, *fb = b;
    int ra = package_rank(fa->name), rb = package_rank(fb->name);

    if (ra != rb)
        return ra - rb;
    return strcmp(fa->name, fb->name);
}

static enum arc_err write_zip(struct ctx *c, const char *path, struct strbuf *why)
{
    static const char mimetype[] = "application/epub+zip";
    struct tm tm;
    time_t t = (time_t)c->b->modified;
    zip_uint16_t dostime, dosdate;
    zip_t *za;
    zip_error_t ze;
    int zerr = 0;

    if (!gmtime_r(&t, &tm) || tm.tm_year < 80) { /* DOS times start in 1980 */
        memset(&tm, 0, sizeof(tm));
        tm.tm_year = 80;
        tm.tm_mday = 1;
    }
    dostime = (zip_uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
    dosdate = (zip_uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);

    qsort(c->files, c->nfiles, sizeof(*c->files), cmp_files);
    za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!za) {
        zip_error_init_with_code(&ze, zerr);
        strbuf_setwhy(why, "cannot write '%s': %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return ARC_EIO;
    }
    for (size_t i = 0; i <= c->nfiles; i++) {
        const char *name = i ? c->files[i - 1].name : "mimetype";
        bool store = i ? c->files[i - 1].store : true;
        zip_source_t *src;
        zip_int64_t idx;

        if (i)
            src = zip_source_file(za, c->files[i - 1].path, 0, -1);
        else
            src = zip_source_buffer(za, mimetype, sizeof(mimetype) - 1, 0);
        if (!src || (idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8)) < 0) {
            strbuf_setwhy(why, "cannot add %s to '%s': %s", name, path, zip_strerror(za));
            zip_source_free(src);
            zip_discard(za);
            return ARC_EIO;
        }
        if (zip_set_file_compression(za, (zip_uint64_t)idx, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                     9) < 0 ||
            zip_file_set_dostime(za, (zip_uint64_t)idx, dostime, dosdate, 0) < 0 ||
            zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
                                             (zip_uint32_t)(0100644u << 16)) < 0) {
            strbuf_setwhy(why, "cannot set up %s in '%s': %s", name, path, zip_strerror(za));
            zip_discard(za);
            return ARC_EIO;
        }
    }
    if (zip_close(za) < 0) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, zip_strerror(za));
        zip_discard(za);
        return ARC_EIO;
    }
    return ARC_OK;
}

/* --- the book --- */

static char *scratch_dir(const char *path, struct strbuf *why)
{
    const char *slash = strrchr(path, '/');
    char *tmpl;

    if (slash)
        tmpl = xasprintf("%.*s/.%s.tmp-XXXXXX", (int)(slash - path), path, slash + 1);
    else
        tmpl = xasprintf(".%s.tmp-XXXXXX", path);
    if (!mkdtemp(tmpl)) {
        strbuf_setwhy(why, "cannot create a scratch folder for '%s': %s", path, strerror(errno));
        free(tmpl);
        return NULL;
    }
    return tmpl;
}

enum arc_err epub_write(const struct book *b, const struct epub_opts *o, const char *path,
                        struct epub_report *report, struct strbuf *why)
{
    struct epub_report dummy;
    struct ctx c = { .b = b, .o = o, .rep = report ? report : &dummy, .err = STRBUF_INIT };
    struct strbuf css = STRBUF_INIT;
    enum arc_err err = ARC_OK;
    struct stat st;

    memset(c.rep, 0, sizeof(*c.rep));
    if (!b->nparts)
        BUG("epub_write of a book without parts");
    if (fs_read_file(o->css_path, CSS_MAX_BYTES, &css, why) != ARC_OK) {
        strbuf_release(&css);
        return ARC_ENOTFOUND;
    }
    c.scratch = scratch_dir(path, why);
    if (!c.scratch) {
        strbuf_release(&css);
        return ARC_EIO;
    }
    c.cover = o->cover_png && o->cover_len;
    err = add_data(&c, "META-INF/container.xml", container_xml, sizeof(container_xml) - 1, false);
    if (!err)
        err = add_data(&c, OPS CSS_NAME, css.buf, css.len, false);
    if (!err && c.cover)
        err = add_data(&c, OPS "cover.png", o->cover_png, o->cover_len, true);
    if (!err && c.cover)
        err = write_cover_page(&c);
    for (size_t p = 0; p < b->nparts && !err; p++) {
        err = write_part(&c, p);
        for (size_t i = 0; i < b->parts[p].nchapters && !err; i++)
            err = write_chapter(&c, &b->parts[p].chapters[i]);
    }
    if (!err)
        err = write_nav(&c);
    if (!err)
        err = write_ncx(&c);
    if (!err)
        err = write_opf(&c);
    if (err)
        strbuf_setwhy(why, "%s", c.err.buf);
    else
        err = write_zip(&c, path, why);
    if (!err && stat(path, &st) == 0)
        c.rep->bytes = (size_t)st.st_size;

    remove_scratch(&c);
    for (size_t i = 0; i < c.nfiles; i++) {
        free(c.files[i].name);
        free(c.files[i].path);
    }
    free(c.files);
    for (size_t i = 0; i < c.nimages; i++) {
        free(c.order[i]->key);
        free(c.order[i]->href);
        free(c.order[i]->id);
        free(c.order[i]->failed_path);
        free(c.order[i]->cache_path);
        free(c.order[i]);
    }
    free(c.order);
    free(c.table);
    free(c.scratch);
    strbuf_release(&css);
    strbuf_release(&c.err);
    return err;
}
