/* archive/article.c: from a converted page and its downloaded images to a stored version: the
 * image names, the offline article page and the commit.  fetch, import and reconvert all store
 * through here, so an offline copy is the same whichever way its page arrived. */
#include "archive/archive.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc/doc.h"
#include "image/image.h"
#include "util/alloc.h"
#include "util/cst.h"
#include "util/hash.h"
#include "util/banned.h"

static void replace_str(char **dst, const char *s)
{
    free(*dst);
    *dst = s && *s ? xstrdup(s) : NULL;
}

void archive_meta_from_page(struct archive_meta *m, const struct conv_page *page)
{
    const struct conv_meta *cm = &page->meta;

    replace_str(&m->title, cm->title);
    replace_str(&m->account, cm->account);
    replace_str(&m->author, cm->author);
    replace_str(&m->canonical_url, cm->short_url ? cm->short_url : cm->long_url);
    replace_str(&m->kind, page->cls == CONV_GENERIC ? "generic" : conv_kind_name(cm->kind));
    m->published = cm->published;
}

struct archive_image *archive_meta_find_image(const struct archive_meta *m, const char *src)
{
    if (!src)
        return NULL;
    for (size_t i = 0; i < m->nimages; i++)
        if (m->images[i].src && !strcmp(m->images[i].src, src))
            return &m->images[i];
    return NULL;
}

enum arc_err archive_image_accept(struct archive_image *img, const void *data, size_t len,
                                  int64_t expected, struct strbuf *why)
{
    struct strbuf reason = STRBUF_INIT;
    char hex[HASH_SHA256_HEX];
    struct img_info info;

    free(img->file);
    free(img->error);
    img->file = img->error = NULL;
    img->bytes = 0;
    img->width = img->height = 0;
    if (expected >= 0 && (uint64_t)expected != len) {
        strbuf_addf(&reason, "truncated: %zu of %lld bytes", len, (long long)expected);
    } else if (!len) {
        strbuf_addstr(&reason, "empty response");
    } else if (img_validate(data, len, &info, &reason) != ARC_OK) {
        if (!reason.len)
            strbuf_addstr(&reason, "does not decode");
    } else {
        hash_sha256_hex(data, len, hex);
        img->file =
            xasprintf("images/%.*s.%s", ARCHIVE_IMAGE_HASH_LEN, hex, img_format_ext(info.format));
        img->status = ARCHIVE_IMAGE_OK;
        img->bytes = (int64_t)len;
        img->width = info.width;
        img->height = info.height;
        strbuf_release(&reason);
        return ARC_OK;
    }
    img->status = ARCHIVE_IMAGE_FAILED;
    img->error = strbuf_detach(&reason, NULL);
    if (why)
        strbuf_addstr(why, img->error);
    return ARC_EPARSE;
}

void archive_write_byline(struct strbuf *out, const char *account, const char *author,
                          const char *when, bool always)
{
    const char *sep = "";

    if (!always && !(account && *account) && !(author && *author) && !(when && *when))
        return;
    strbuf_addstr(out, "<p class=\"byline\">");
    if (account && *account) {
        doc_xml_escape_str(out, account);
        sep = " · ";
    }
    if (author && *author && (!account || strcmp(author, account))) {
        strbuf_addstr(out, sep);
        doc_xml_escape_str(out, author);
        sep = " · ";
    }
    if (when && *when) {
        strbuf_addstr(out, sep);
        strbuf_addstr(out, "<time>");
        doc_xml_escape_str(out, when);
        strbuf_addstr(out, "</time>");
    }
    strbuf_addstr(out, "</p>\n");
}

void archive_render_article(const struct conv_page *p, const char *url, const char *css,
                            unsigned flags, struct strbuf *out)
{
    const struct conv_meta *m = &p->meta;
    struct doc_page page = { m->title && *m->title ? m->title : "untitled", NULL, css, "article" };
    const char *source = m->short_url ? m->short_url : m->long_url ? m->long_url : url;
    struct strbuf when = STRBUF_INIT;

    doc_page_begin(out, &page);
    strbuf_addstr(out, "<h1 class=\"title\">");
    doc_xml_escape_str(out, page.title);
    strbuf_addstr(out, "</h1>\n");
    cst_format(m->published, CST_MINUTE, &when);
    archive_write_byline(out, m->account, m->author, when.buf, true);
    if (source && doc_href_is_safe(source)) {
        strbuf_addstr(out, "<p class=\"source\"><a href=\"");
        doc_xml_escape_str(out, source);
        strbuf_addstr(out, "\">");
        doc_xml_escape_str(out, source);
        strbuf_addstr(out, "</a></p>\n");
    }
    strbuf_addstr(out, ARCHIVE_BODY_BEGIN "\n");
    if (p->doc)
        doc_write_xhtml(p->doc->root, out, flags);
    strbuf_addstr(out, ARCHIVE_BODY_END "\n");
    doc_page_end(out);
    strbuf_release(&when);
}

/* Points the page's images at their stored files. */
static int link_image(const struct doc_node *cn, void *ud)
{
    const struct archive_meta *meta = ((void **)ud)[0];
    struct doc *doc = ((void **)ud)[1];
    struct doc_node *n = (struct doc_node *)cn; /* the doc is ours to change */
    const struct archive_image *img;

    if (n->kind != DOC_IMAGE && n->kind != DOC_INLINE_IMAGE)
        return 0;
    img = archive_meta_find_image(meta, n->u.image.src);
    n->u.image.file =
        img && img->status == ARCHIVE_IMAGE_OK && img->file ? doc_strdup(doc, img->file) : NULL;
    return 0;
}

void archive_render_stored(struct conv_page *page, const struct archive_meta *meta,
                           struct strbuf *out)
{
    struct doc_visitor v = { link_image, NULL };
    void *ud[2] = { (void *)meta, page->doc };

    if (!page->doc)
        BUG("archive_render_stored without a body");
    doc_walk(page->doc->root, &v, ud);
    archive_render_article(page, meta->url, "../../book.css", DOC_XHTML_NO_REMOTE, out);
}

enum arc_err archive_store_page(const char *dir, const char *id, struct conv_page *page,
                                const void *raw, size_t rawlen, const struct archive_meta *meta,
                                const void *const *data, const size_t *lens, struct strbuf *why)
{
    struct archive_file *files = xcalloc(meta->nimages + 2, sizeof(*files));
    struct strbuf html = STRBUF_INIT;
    size_t n = 0;
    enum arc_err err;

    archive_render_stored(page, meta, &html);
    files[n++] = (struct archive_file){ "article.html", html.buf, html.len, 0 };
    if (raw)
        files[n++] = (struct archive_file){ "raw.html.gz", raw, rawlen, ARCHIVE_FILE_GZIP };
    else
        files[n++] = (struct archive_file){ "raw.html.gz", NULL, 0, ARCHIVE_FILE_REUSE };
    for (size_t i = 0; i < meta->nimages; i++) {
        const struct archive_image *img = &meta->images[i];
        bool dup = false;

        if (img->status != ARCHIVE_IMAGE_OK || !img->file)
            continue;
        for (size_t j = 2; j < n && !dup; j++) {
            dup = !strcmp(files[j].name, img->file);
            if (dup && (files[j].flags & ARCHIVE_FILE_REUSE) && data && data[i])
                files[j] = (struct archive_file){ img->file, data[i], lens[i], 0 };
        }
        if (dup)
            continue;
        if (data && data[i])
            files[n++] = (struct archive_file){ img->file, data[i], lens[i], 0 };
        else
            files[n++] = (struct archive_file){ img->file, NULL, 0, ARCHIVE_FILE_REUSE };
    }
    err = archive_commit_article(dir, id, files, n, meta, why);
    free(files);
    strbuf_release(&html);
    return err;
}
