/* archive/front.c: the offline front page (archive/index.html) and the archive's own book.css. */
#include "archive/archive.h"

#include <stdlib.h>
#include <string.h>

#include "archive/internal.h"
#include "doc/doc.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/banned.h"

/* A stylesheet larger than this is not ours. */
#define CSS_MAX_BYTES (1024 * 1024)

bool archive_state_has_copy(enum archive_state state)
{
    return state == ARCHIVE_ARCHIVED || state == ARCHIVE_ARCHIVED_DELETED;
}

/* The short note shown beside an entry without a link to a copy (or with a caveat). */
static void state_note(const struct archive_meta *m, bool linked, struct strbuf *out)
{
    switch (m->state) {
    case ARCHIVE_PENDING:
        strbuf_addstr(out, "not archived yet");
        break;
    case ARCHIVE_ARCHIVED:
        if (!linked)
            strbuf_addstr(out, "copy missing");
        break;
    case ARCHIVE_ARCHIVED_DELETED:
        strbuf_addstr(out, linked ? "deleted by the publisher since; copy kept"
                                  : "deleted by the publisher");
        break;
    case ARCHIVE_FAILED:
        strbuf_addf(out, "failed: %s", m->error ? m->error : "unknown reason");
        break;
    case ARCHIVE_DELETED:
        strbuf_addstr(out, "deleted by the publisher");
        break;
    case ARCHIVE_REMOVED:
        strbuf_addstr(out, "removed for a violation");
        break;
    case ARCHIVE_UNAVAILABLE:
        strbuf_addstr(out, "unavailable");
        break;
    case ARCHIVE_WALLED:
        strbuf_addstr(out, "verification wall");
        break;
    case ARCHIVE_STATE__COUNT:
        BUG("archive state out of range");
    }
}

static void write_entry(const char *dir, const struct idx_entry *e, struct strbuf *out)
{
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf note = STRBUF_INIT;
    const char *title = e->title;
    bool linked = false;

    if (e->id && archive_meta_read(dir, e->id, &m, NULL) == ARC_OK) {
        char *page = archive_article_path(dir, e->id, "article.html");
        linked = archive_state_has_copy(m.state) && fs_exists(page);
        free(page);
    }
    if (!title || !*title)
        title = m.title && *m.title ? m.title : (e->url ? e->url : "(untitled)");

    strbuf_addstr(out, "<li>");
    if (e->date_month)
        strbuf_addf(out, "<span class=\"date\">%02d.%02d</span> ", e->date_month, e->date_day);
    if (linked) {
        strbuf_addstr(out, "<a class=\"copy\" href=\"articles/");
        doc_xml_escape_str(out, e->id);
        strbuf_addstr(out, "/article.html\">");
        doc_xml_escape_str(out, title);
        strbuf_addstr(out, "</a>");
    } else {
        strbuf_addstr(out, "<span class=\"title\">");
        doc_xml_escape_str(out, title);
        strbuf_addstr(out, "</span>");
    }
    if (m.account && *m.account) {
        strbuf_addstr(out, " <span class=\"account\">");
        doc_xml_escape_str(out, m.account);
        strbuf_addstr(out, "</span>");
    }
    if (!e->id)
        strbuf_addstr(&note, "no usable URL");
    else
        state_note(&m, linked, &note);
    if (note.len) {
        strbuf_addstr(out, " <span class=\"state\">(");
        doc_xml_escape(out, note.buf, note.len);
        strbuf_addstr(out, ")</span>");
    }
    if (e->url && doc_href_is_safe(e->url)) {
        strbuf_addstr(out, " <a class=\"original\" href=\"");
        doc_xml_escape_str(out, e->url);
        strbuf_addstr(out, "\">original</a>");
    }
    if (e->note) {
        strbuf_addstr(out, "\n<div class=\"note\">\n");
        doc_write_xhtml(e->note->root, out, DOC_XHTML_NO_REMOTE);
        strbuf_addstr(out, "</div>\n");
    }
    strbuf_addstr(out, "</li>\n");
    strbuf_release(&note);
    archive_meta_release(&m);
}

static void write_month(const char *dir, const struct idx_month *mo, struct strbuf *out)
{
    strbuf_addstr(out, "<h2>");
    if (mo->year > 0 && mo->month > 0)
        strbuf_addf(out, "%04d-%02d", mo->year, mo->month);
    else if (mo->heading && *mo->heading)
        doc_xml_escape_str(out, mo->heading);
    else
        strbuf_addstr(out, "Undated");
    strbuf_addstr(out, "</h2>\n");
    if (!mo->nentries)
        return;
    strbuf_addstr(out, "<ul class=\"entries\">\n");
    for (size_t i = 0; i < mo->nentries; i++)
        write_entry(dir, &mo->entries[i], out);
    strbuf_addstr(out, "</ul>\n");
}

enum arc_err archive_write_front_page(const char *dir, const struct idx *ix, struct strbuf *why)
{
    const char *title = ix->title && *ix->title ? ix->title : "Archive";
    /* index.html sits at the archive root, beside book.css.  Article pages link
     * "../../book.css": a browser resolves it against the URL articles/<id>/article.html, not
     * against the symlink's target .v/<id>.<n>/, so it reaches this same file. */
    struct doc_page page = { .title = title, .css = "book.css", .body_class = "archive-index" };
    struct strbuf out = STRBUF_INIT;
    char *path = xasprintf("%s/index.html", dir);
    enum arc_err err;

    doc_page_begin(&out, &page);
    strbuf_addstr(&out, "<h1>");
    doc_xml_escape_str(&out, title);
    strbuf_addstr(&out, "</h1>\n");
    for (size_t i = 0; i < ix->nmonths; i++)
        write_month(dir, &ix->months[i], &out);
    doc_page_end(&out);
    err = fs_write_atomic(path, out.buf, out.len, 0666, why);
    strbuf_release(&out);
    free(path);
    return err;
}

enum arc_err archive_install_css(const char *dir, const char *datadir, struct strbuf *why)
{
    char *src = xasprintf("%s/styles/book.css", datadir);
    char *dst = xasprintf("%s/book.css", dir);
    struct strbuf css = STRBUF_INIT;
    enum arc_err err = fs_read_file(src, CSS_MAX_BYTES, &css, why);

    if (!err)
        err = fs_write_atomic(dst, css.buf, css.len, 0666, why);
    strbuf_release(&css);
    free(dst);
    free(src);
    return err;
}
