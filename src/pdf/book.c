/* pdf/book.c: the PDF book (`archiver build --pdf`): a title page, contents with page numbers and
 * links, a page per month, a chapter per entry starting on a new page with its running head and
 * page numbers, an outline of months, articles and their headings, document metadata, and a
 * tagged structure under one Document element (the elements inside chapters come from flow.c).
 *
 * Two passes: the first lays every chapter out to count its pages (and frees it), so that the
 * contents can print where each chapter starts; the second lays each out again and draws it.
 * One chapter's layout is held at a time; pictures are decoded when their page is drawn. */
#include "pdf/internal.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/cst.h"
#include "util/fs.h"
#include "util/banned.h"

/* Page profiles: page size and margins in points, and their type. */
struct profile {
    const char *name;
    double w, h, top, bottom, inner, outer;
    double body, leading;
};
/* The built-in profiles, the same as styles/pdf.json's, for callers without a style file. */
static const struct profile profiles[] = {
    { "a5", 419.53, 595.28, 54, 54, 50, 42, 10.5, 18 },
    { "a4", 595.28, 841.89, 72, 72, 68, 58, 11, 19 },
    { "letter", 612, 792, 72, 72, 68, 58, 11, 19 },
    { "ereader6", 255, 340, 16, 22, 14, 14, 11, 18 },
    { "ereader7", 340, 453, 20, 26, 18, 18, 12, 20 },
    { "tablet10", 432, 576, 36, 40, 32, 32, 12, 20 },
};

static const struct profile *profile_named(const char *name)
{
    for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
        if (!strcmp(profiles[i].name, name ? name : "a5"))
            return &profiles[i];
    return NULL;
}

bool pdf_profile_known(const char *name)
{
    return profile_named(name) != NULL;
}

bool pdf_page_valid(const struct pdf_page *p)
{
    return p->width >= 72 && p->height >= 72 && p->width <= 14400 && p->height <= 14400 &&
           p->top >= 0 && p->bottom >= 0 && p->inner >= 0 && p->outer >= 0 &&
           p->width - p->inner - p->outer >= 72 && p->height - p->top - p->bottom >= 72 &&
           p->body >= 4 && p->body <= 72 && p->leading >= p->body && p->leading <= 4 * p->body;
}

static void style_of(const struct profile *p, struct pdf__style *st)
{
    memset(st, 0, sizeof(*st));
    st->width = p->w - p->inner - p->outer;
    st->text_height = p->h - p->top - p->bottom;
    st->body_size = p->body;
    st->leading = p->leading;
    st->para_space = p->leading * 0.5;
    st->h_size[0] = p->body * 1.6;
    st->h_size[1] = p->body * 1.35;
    st->h_size[2] = p->body * 1.15;
    st->h_size[3] = p->body * 1.05;
    st->small_size = p->body * 0.85;
    st->small_leading = ceil(p->leading * 0.85);
    st->code_size = p->body * 0.82;
    st->code_leading = ceil(p->leading * 0.8);
    st->code_pad = 6;
    st->list_indent = p->body * 2;
    st->quote_indent = p->body * 1.5;
}

struct pw {
    const struct book *b;
    const struct pdf_opts *o;
    const struct profile *prof;
    struct pdf__style st;
    struct pdf__faces faces;
    PangoFontMap *fm;
    PangoContext *ctx;
    cairo_surface_t *surface;
    cairo_t *cr;
    size_t page;   /* pages drawn so far */
    size_t *start; /* by chapter number: its first page (1-based) */
    size_t contents_pages;
    struct pdf_report *rep;
    struct pdf__prefetch *prefetch; /* pictures loaded on a second thread; NULL: none */
};

static void warn_msg(const char *msg, void *ud)
{
    struct pw *w = ud;

    w->rep->warnings++;
    if (w->o->warn)
        w->o->warn(msg, w->o->ud);
}

/* The text block's left edge: inner margin on the binding side (odd pages on the right). */
static double left(const struct pw *w, size_t page)
{
    return page % 2 ? w->prof->inner : w->prof->outer;
}

/* A new page: labels it with its printed number. */
static void new_page(struct pw *w)
{
    char label[32];

    if (w->page)
        cairo_show_page(w->cr);
    w->page++;
    snprintf(label, sizeof(label), "%zu", w->page);
    cairo_pdf_surface_set_page_label(w->surface, label);
}

static void show_text(struct pw *w, const char *text, const char *family, double size, bool bold,
                      double x, double baseline, double width, PangoAlignment align, double grey)
{
    PangoLayout *l = pango_layout_new(w->ctx);
    PangoFontDescription *d = pango_font_description_from_string(family);

    pango_font_description_set_absolute_size(d, size * PANGO_SCALE);
    if (bold)
        pango_font_description_set_weight(d, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(l, d);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_alignment(l, align);
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    pango_layout_set_text(l, text, -1);
    cairo_set_source_rgb(w->cr, grey, grey, grey);
    cairo_move_to(w->cr, x, baseline - (double)pango_layout_get_baseline(l) / PANGO_SCALE);
    pango_cairo_show_layout(w->cr, l);
    pango_font_description_free(d);
    g_object_unref(l);
}

/* The running head (the chapter's title) and the page number at the foot. */
static void page_furniture(struct pw *w, const char *head)
{
    char num[32];
    double x = left(w, w->page), small = w->st.small_size;

    if (head) {
        show_text(w, head, w->faces.sans, small * 0.9, false, x, w->prof->top * 0.6, w->st.width,
                  w->page % 2 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT, 0.45);
        cairo_set_source_rgb(w->cr, 0.8, 0.8, 0.8);
        cairo_rectangle(w->cr, x, w->prof->top * 0.6 + 4, w->st.width, 0.4);
        cairo_fill(w->cr);
    }
    snprintf(num, sizeof(num), "%zu", w->page);
    show_text(w, num, w->faces.sans, small, false, x, w->prof->h - w->prof->bottom * 0.45,
              w->st.width, PANGO_ALIGN_CENTER, 0.35);
}

/* The faces the book asks for are there (the first family of each list): a missing one is a
 * warning naming it and the face used instead. */
static void check_faces(struct pw *w)
{
    const char *lists[] = { w->faces.serif, w->faces.sans, w->faces.mono };

    for (size_t i = 0; i < ARC_ARRAY_SIZE(lists); i++) {
        PangoFontDescription *d = pango_font_description_from_string(lists[i]);
        size_t n = strcspn(lists[i], ",");
        PangoFont *font = pango_font_map_load_font(w->fm, w->ctx, d);
        PangoFontDescription *got = font ? pango_font_describe(font) : NULL;
        const char *family = got ? pango_font_description_get_family(got) : NULL;

        if (!family || strncasecmp(family, lists[i], n) || family[n]) {
            char *msg = xasprintf("font '%.*s' not found through %s/fonts/fonts.conf; '%s' is "
                                  "used instead (is fonts-noto-cjk installed?)",
                                  (int)n, lists[i], fs_datadir(), family ? family : "none");
            warn_msg(msg, w);
            free(msg);
        }
        if (got)
            pango_font_description_free(got);
        if (font)
            g_object_unref(font);
        pango_font_description_free(d);
    }
}

/* --- chapters --- */

/* Lays out one chapter's flow: its head, its note, its body or its status line. */
static void chapter_flow(struct pw *w, const struct book_chapter_info *ci,
                         const struct book_chapter *ch, struct pdf__flow *f)
{
    struct strbuf by = STRBUF_INIT, when = STRBUF_INIT;

    pdf__flow_init(f, w->ctx, &w->st, &w->faces);
    f->warn = warn_msg;
    f->ud = w;
    /* The chapter is a Sect; its title the H1. */
    pdf__flow_begin(f, "Sect");
    pdf__flow_text(f, ci->title && *ci->title ? ci->title : "—", w->faces.sans,
                   w->st.h_size[0] * 1.1, ceil(w->st.h_size[0] * 1.45), true, 2, "H1");
    pdf__flow_space(f, w->st.leading * 0.3);
    cst_format(ci->published, CST_DATE, &when);
    if (!when.len && ci->day)
        strbuf_addstr(&when, ci->day);
    if (ci->account)
        strbuf_addstr(&by, ci->account);
    if (ci->author && (!ci->account || strcmp(ci->author, ci->account)))
        strbuf_addf(&by, "%s%s", by.len ? " · " : "", ci->author);
    if (when.len)
        strbuf_addf(&by, "%s%s", by.len ? " · " : "", when.buf);
    if (by.len)
        pdf__flow_text(f, by.buf, w->faces.sans, w->st.small_size, w->st.small_leading, false, 1,
                       "P");
    if (ci->url) { /* the source, a link */
        pdf__flow_text(f, ci->url, w->faces.mono, w->st.small_size * 0.9, w->st.small_leading,
                       false, 0, "P");
        if (f->nparas) {
            struct pdf__para *p = f->paras[f->nparas - 1];
            p->links = xcalloc(1, sizeof(*p->links));
            p->links[0].start = 0;
            p->links[0].end = strlen(ci->url);
            p->links[0].href = ci->url;
            p->nlinks = 1;
        }
    }
    pdf__flow_space(f, w->st.leading);
    if (ci->note && ci->note->root->first) {
        /* The index's note as an abstract: a ruled, indented block of plain paragraphs. */
        f->quote++;
        f->flat = true;
        f->indent += w->st.quote_indent;
        pdf__flow_begin(f, "BlockQuote");
        pdf__flow_doc(f, ci->note->root, NULL);
        pdf__flow_end(f);
        f->indent -= w->st.quote_indent;
        f->flat = false;
        f->quote--;
        pdf__flow_space(f, w->st.leading * 0.5);
    }
    if (ci->status_line) {
        pdf__flow_text(f, ci->status_line, w->faces.sans, w->st.small_size, w->st.small_leading,
                       false, 0, "P");
        pdf__flow_space(f, w->st.leading * 0.5);
    }
    if (ch && ch->body)
        pdf__flow_doc(f, ch->body->root, ch->base);
    else if (ci->has_copy)
        pdf__flow_text(f, w->b->zh ? "存档副本无法读取。" : "The archived copy cannot be read.",
                       w->faces.sans, w->st.small_size, w->st.small_leading, false, 0, "P");
    pdf__flow_end(f);
    strbuf_release(&by);
    strbuf_release(&when);
}

/* Pass one: the pages each chapter takes, without drawing. */
static size_t count_pages(struct pw *w, const struct book_chapter_info *ci)
{
    struct book_chapter ch;
    struct pdf__flow f;
    size_t n;

    book_chapter_load(w->b, ci, &ch);
    chapter_flow(w, ci, &ch, &f);
    f.warn = NULL; /* said in pass two */
    n = pdf__flow_paginate(&f, w->st.text_height, w->st.text_height);
    pdf__flow_release(&f);
    book_chapter_release(&ch);
    return n;
}

static void draw_chapter(struct pw *w, const struct book_chapter_info *ci, int parent)
{
    struct book_chapter ch;
    struct pdf__flow f;
    char *dest = xasprintf("dest='c%zu'", ci->number), *name = xasprintf("name='c%zu'", ci->number);
    int id = parent;

    book_chapter_load(w->b, ci, &ch);
    if (ch.warning) {
        char *msg = xasprintf("%s; a placeholder is shown", ch.warning);
        w->rep->warnings++;
        if (w->o->warn)
            w->o->warn(msg, w->o->ud);
        free(msg);
    }
    chapter_flow(w, ci, &ch, &f);
    if (f.unknown_glyphs) {
        char *msg = xasprintf("%s%s%zu character%s no glyph in the PDF's fonts (drawn as boxes)",
                              ch.base ? ch.base : ci->toc_title, ch.base ? "/article.html: " : ": ",
                              f.unknown_glyphs, f.unknown_glyphs == 1 ? " has" : "s have");
        warn_msg(msg, w);
        free(msg);
    }
    pdf__flow_paginate(&f, w->st.text_height, w->st.text_height);
    if (w->prefetch) {
        f.prefetch = w->prefetch;
        pdf__prefetch_start(w->prefetch, &f);
    }
    for (size_t p = 0; p < f.npages; p++) {
        new_page(w);
        if (p == 0) {
            cairo_tag_begin(w->cr, CAIRO_TAG_DEST, name);
            cairo_tag_end(w->cr, CAIRO_TAG_DEST);
            id = cairo_pdf_surface_add_outline(w->surface, parent, ci->toc_title, dest, 0);
        }
        /* The article's own headings under it in the outline, at their places. */
        for (size_t h = 0; h < f.nheads; h++) {
            const struct pdf__item *it = &f.items[f.heads[h].item];
            char *hn, *hd;
            if (it->page != p || f.heads[h].level > 3)
                continue;
            hn = xasprintf("name='c%zu-h%zu' x=%.2f y=%.2f", ci->number, h, left(w, w->page),
                           w->prof->top + it->y);
            hd = xasprintf("dest='c%zu-h%zu'", ci->number, h);
            cairo_tag_begin(w->cr, CAIRO_TAG_DEST, hn);
            cairo_tag_end(w->cr, CAIRO_TAG_DEST);
            cairo_pdf_surface_add_outline(w->surface, id, f.heads[h].text, hd, 0);
            free(hn);
            free(hd);
        }
        page_furniture(w, p ? ci->toc_title : NULL);
        pdf__flow_draw(&f, w->cr, p, left(w, w->page), w->prof->top);
    }
    w->rep->chapters++;
    if (ci->has_copy && ch.body)
        w->rep->archived++;
    w->rep->images += f.images;
    w->rep->images_passthrough += f.passthrough;
    pdf__flow_release(&f);
    book_chapter_release(&ch);
    free(dest);
    free(name);
}

/* --- contents --- */

struct toc_line {
    size_t item;   /* the flow item of the entry's last line */
    size_t number; /* the chapter */
};

/* The contents as a flow: month names, then the entries (date and title); *lines gets, for
 * each entry, its last line's item, for the leader and the page number. */
static void contents_flow(struct pw *w, struct pdf__flow *f, struct toc_line **lines,
                          size_t *nlines)
{
    size_t alloc = 0;

    pdf__flow_init(f, w->ctx, &w->st, &w->faces);
    pdf__flow_begin(f, "TOC");
    pdf__flow_text(f, w->b->zh ? "目录" : "Contents", w->faces.sans, w->st.h_size[0],
                   ceil(w->st.h_size[0] * 1.5), true, 1, "H1");
    pdf__flow_space(f, w->st.leading);
    for (size_t p = 0; p < w->b->nparts; p++) {
        const struct book_part *part = &w->b->parts[p];
        pdf__flow_space(f, w->st.leading * 0.5);
        pdf__flow_text(f, part->name, w->faces.sans, w->st.body_size, w->st.leading, true, 2,
                       "TOCI");
        for (size_t i = 0; i < part->nchapters; i++) {
            const struct book_chapter_info *ci = &part->chapters[i];
            char *t =
                xasprintf("%s%s%s", ci->date ? ci->date : "", ci->date ? "  " : "", ci->toc_title);
            /* Indented under the month; room kept at the right for the leader and number. */
            f->indent = w->st.body_size;
            f->right = w->st.body_size * 3;
            pdf__flow_text(f, t, w->faces.serif, w->st.body_size * 0.95, w->st.leading, false, 0,
                           "TOCI");
            f->indent = 0;
            f->right = 0;
            *lines = xgrow(*lines, sizeof(**lines), *nlines + 1, &alloc);
            (*lines)[*nlines].item = f->nitems - 1;
            (*lines)[*nlines].number = ci->number;
            (*nlines)++;
            free(t);
        }
    }
    pdf__flow_end(f);
}

struct toc_draw {
    struct pw *w;
    const struct toc_line *lines;
    size_t nlines, next;
};

/* After an entry's last line: the dotted leader, then its page number, a link, inside the
 * entry's TOCI. */
static void toc_number(struct pdf__flow *f, cairo_t *cr, size_t item, double x, double y0, void *ud)
{
    struct toc_draw *td = ud;
    struct pw *w = td->w;
    const struct pdf__item *it = &f->items[item];
    char num[32], *dest;
    double base, end;

    while (td->next < td->nlines && td->lines[td->next].item < item)
        td->next++;
    if (td->next >= td->nlines || td->lines[td->next].item != item)
        return;
    base = y0 + it->y + (it->height - it->para->natural) / 2 + it->para->ascent;
    end = x + it->indent + pdf__para_line_width(it->para, it->line);
    snprintf(num, sizeof(num), "%zu", w->start[td->lines[td->next].number]);
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    for (double d = ceil((end + 6) / 4) * 4; d < x + w->st.width - 24; d += 4) {
        cairo_rectangle(cr, d, base - 1, 0.8, 0.8);
        cairo_fill(cr);
    }
    dest = xasprintf("dest='c%zu'", td->lines[td->next].number);
    cairo_tag_begin(cr, CAIRO_TAG_LINK, dest);
    show_text(w, num, w->faces.serif, w->st.body_size * 0.95, false, x, base, w->st.width,
              PANGO_ALIGN_RIGHT, 0.1);
    cairo_tag_end(cr, CAIRO_TAG_LINK);
    free(dest);
}

static void draw_contents(struct pw *w)
{
    struct pdf__flow f;
    struct toc_line *lines = NULL;
    size_t nlines = 0;
    struct toc_draw td = { w, NULL, 0, 0 };

    contents_flow(w, &f, &lines, &nlines);
    td.lines = lines;
    td.nlines = nlines;
    f.after_item = toc_number;
    f.after_ud = &td;
    pdf__flow_paginate(&f, w->st.text_height, w->st.text_height);
    for (size_t p = 0; p < f.npages; p++) {
        new_page(w);
        page_furniture(w, NULL);
        pdf__flow_draw(&f, w->cr, p, left(w, w->page), w->prof->top);
    }
    w->contents_pages = f.npages;
    pdf__flow_release(&f);
    free(lines);
}

static size_t count_contents(struct pw *w)
{
    struct pdf__flow f;
    struct toc_line *lines = NULL;
    size_t nlines = 0, n;

    contents_flow(w, &f, &lines, &nlines);
    n = pdf__flow_paginate(&f, w->st.text_height, w->st.text_height);
    pdf__flow_release(&f);
    free(lines);
    return n;
}

/* --- the title and the month pages --- */

static void draw_title(struct pw *w)
{
    char count[64];
    double x = left(w, 1);

    new_page(w);
    show_text(w, w->b->title, w->faces.serif, w->st.h_size[0] * 1.4, true, x, w->prof->h * 0.36,
              w->st.width, PANGO_ALIGN_LEFT, 0.1);
    show_text(w, w->b->range, w->faces.sans, w->st.body_size, false, x, w->prof->h * 0.36 + 36,
              w->st.width, PANGO_ALIGN_LEFT, 0.35);
    snprintf(count, sizeof(count), w->b->zh ? "%zu 篇文章" : "%zu articles", w->b->nchapters);
    show_text(w, count, w->faces.sans, w->st.small_size, false, x, w->prof->h * 0.36 + 56,
              w->st.width, PANGO_ALIGN_LEFT, 0.35);
    show_text(w, w->b->author, w->faces.sans, w->st.small_size, false, x,
              w->prof->h - w->prof->bottom - 10, w->st.width, PANGO_ALIGN_LEFT, 0.35);
}

static int draw_part(struct pw *w, const struct book_part *part, size_t index)
{
    char *name = xasprintf("name='part%zu'", index + 1),
         *dest = xasprintf("dest='part%zu'", index + 1);
    int id;

    new_page(w);
    cairo_tag_begin(w->cr, CAIRO_TAG_DEST, name);
    cairo_tag_end(w->cr, CAIRO_TAG_DEST);
    id = cairo_pdf_surface_add_outline(w->surface, CAIRO_PDF_OUTLINE_ROOT, part->name, dest,
                                       CAIRO_PDF_OUTLINE_FLAG_OPEN | CAIRO_PDF_OUTLINE_FLAG_BOLD);
    cairo_tag_begin(w->cr, "H1", NULL);
    show_text(w, part->name, w->faces.sans, w->st.h_size[0] * 1.3, true, left(w, w->page),
              w->prof->h * 0.33, w->st.width, PANGO_ALIGN_CENTER, 0.1);
    cairo_tag_end(w->cr, "H1");
    page_furniture(w, NULL);
    free(name);
    free(dest);
    return id;
}

/* cairo 1.16 writes the clock's time as the creation date: rewritten in place, same length, to
 * the book's modified time, so that the same book gives the same bytes (the cross-reference
 * offsets stay valid).  The document information comes near the end of the file, after the
 * pages: the file is searched from its end in blocks (a block overlaps the next by a key's length
 * and a date's), never read whole, since a book of thousands of pages is hundreds of megabytes.
 * The file is fsynced before it is renamed into place. */
#define DATE_BLOCK   ((size_t)1 << 20)
#define DATE_OVERLAP 64

static enum arc_err fix_dates(const char *path, int64_t when, struct strbuf *why)
{
    static const char *const keys[] = { "/CreationDate (D:", "/ModDate (D:" };
    bool done[2] = { false, false };
    time_t t = (time_t)when;
    struct tm tm;
    char stamp[16];
    struct stat st;
    enum arc_err err = ARC_OK;
    char *buf;
    int fd = open(path, O_RDWR | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) != 0) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return ARC_EIO;
    }
    if (!gmtime_r(&t, &tm))
        done[0] = done[1] = true;
    strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
    buf = xmalloc(DATE_BLOCK + DATE_OVERLAP);
    for (off_t end = st.st_size; end > 0 && !(done[0] && done[1]);) {
        off_t from = end > (off_t)DATE_BLOCK ? end - (off_t)DATE_BLOCK : 0;
        off_t to = end + DATE_OVERLAP < st.st_size ? end + DATE_OVERLAP : st.st_size;
        size_t len = (size_t)(to - from), got = 0;

        while (got < len) {
            ssize_t n = pread(fd, buf + got, len - got, from + (off_t)got);
            if (n <= 0) {
                if (n < 0 && errno == EINTR)
                    continue;
                strbuf_setwhy(why, "cannot read '%s': %s", path,
                              n < 0 ? strerror(errno) : "file shrank");
                err = ARC_EIO;
                goto out;
            }
            got += (size_t)n;
        }
        for (size_t k = 0; k < 2; k++) {
            size_t klen = strlen(keys[k]);
            char *p = done[k] ? NULL : memmem(buf, len, keys[k], klen);
            /* the last one in the file (there is one) */
            for (char *q = p; q; q = memmem(q + 1, len - (size_t)(q + 1 - buf), keys[k], klen))
                p = q;
            if (!p || (size_t)(p - buf) + klen + 14 > len)
                continue;
            if (pwrite(fd, stamp, 14, from + (p - buf) + (off_t)klen) != 14) {
                strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
                err = ARC_EIO;
                goto out;
            }
            done[k] = true; /* D:YYYYMMDDHHmmSS, the zone after it kept */
        }
        end = from;
    }
    if (fsync(fd) != 0) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
        err = ARC_EIO;
    }
out:
    free(buf);
    if (close(fd) != 0 && !err) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
        err = ARC_EIO;
    }
    return err;
}

/* ARCHIVER_THREADS=1: everything on one thread (to measure what the second one brings). */
static bool one_thread(void)
{
    const char *t = getenv("ARCHIVER_THREADS");

    return t && !strcmp(t, "1");
}

enum arc_err pdf_write(const struct book *b, const struct pdf_opts *o, const char *path,
                       struct pdf_report *rep, struct strbuf *why)
{
    struct pw w = { 0 };
    struct pdf_opts none = { 0 };
    char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
    enum arc_err err;
    size_t page;
    char *saved_tz = NULL;
    struct profile given;

    memset(rep, 0, sizeof(*rep));
    /* cairo's streams at zlib level 3, not 6: a third less time for 4% more bytes (deflate.c) */
    pdf__deflate_level = 3;
    w.b = b;
    w.o = o ? o : &none;
    w.rep = rep;
    if (w.o->page) {
        const struct pdf_page *pg = w.o->page;
        if (!pdf_page_valid(pg)) {
            strbuf_setwhy(why, "the page profile leaves no text block (or its type is out of "
                               "bounds)");
            free(tmp);
            return ARC_EINVAL;
        }
        given.name = "given";
        given.w = pg->width;
        given.h = pg->height;
        given.top = pg->top;
        given.bottom = pg->bottom;
        given.inner = pg->inner;
        given.outer = pg->outer;
        given.body = pg->body;
        given.leading = pg->leading;
        w.prof = &given;
    } else {
        w.prof = profile_named(w.o->profile);
    }
    if (!w.prof) {
        strbuf_setwhy(why,
                      "unknown page profile '%s' (a5, a4, letter, ereader6, ereader7, "
                      "tablet10)",
                      w.o->profile);
        free(tmp);
        return ARC_EINVAL;
    }
    style_of(w.prof, &w.st);
    pdf__faces_for(b->lang, &w.faces);
    err = pdf__fontmap_new(&w.fm, why);
    if (err) {
        free(tmp);
        return err;
    }
    w.ctx = pdf__context_new(w.fm, b->lang);
    check_faces(&w);

    /* Pass one: where each chapter starts. */
    w.start = xcalloc(b->nchapters + 2, sizeof(*w.start));
    page = 1 + count_contents(&w);
    for (size_t p = 0; p < b->nparts; p++) {
        page++; /* the month's page */
        for (size_t i = 0; i < b->parts[p].nchapters; i++) {
            const struct book_chapter_info *ci = &b->parts[p].chapters[i];
            w.start[ci->number] = page + 1;
            page += count_pages(&w, ci);
        }
    }

    /* Pass two: drawing.  cairo writes its creation date in local time with the zone's offset
     * ("Z" or "-05'00"): in UTC it is always "Z", and fix_dates() can keep the length. */
    {
        const char *tz = getenv("TZ");
        saved_tz = tz ? xstrdup(tz) : NULL;
        setenv("TZ", "UTC", 1);
        tzset();
    }
    w.surface = cairo_pdf_surface_create(tmp, w.prof->w, w.prof->h);
    w.cr = cairo_create(w.surface);
    cairo_pdf_surface_set_metadata(w.surface, CAIRO_PDF_METADATA_TITLE, b->title);
    cairo_pdf_surface_set_metadata(w.surface, CAIRO_PDF_METADATA_AUTHOR, b->author);
    cairo_pdf_surface_set_metadata(w.surface, CAIRO_PDF_METADATA_SUBJECT, b->range);
    cairo_pdf_surface_set_metadata(w.surface, CAIRO_PDF_METADATA_KEYWORDS, "WeChat, archive");
    cairo_pdf_surface_set_metadata(w.surface, CAIRO_PDF_METADATA_CREATOR, "archiver");
    /* A second core, if there is one, loads the pictures ahead (see prefetch.c). */
    if (g_get_num_processors() > 1 && !one_thread())
        w.prefetch = pdf__prefetch_new();
    /* cairo 1.16 writes a corrupt file for a link outside any structure element. */
    cairo_tag_begin(w.cr, "Document", NULL);
    draw_title(&w);
    draw_contents(&w);
    for (size_t p = 0; p < b->nparts; p++) {
        int id = draw_part(&w, &b->parts[p], p);
        for (size_t i = 0; i < b->parts[p].nchapters; i++)
            draw_chapter(&w, &b->parts[p].chapters[i], id);
    }
    cairo_tag_end(w.cr, "Document");
    pdf__prefetch_free(w.prefetch);
    cairo_destroy(w.cr);
    cairo_surface_finish(w.surface);
    if (cairo_surface_status(w.surface) != CAIRO_STATUS_SUCCESS) {
        strbuf_setwhy(why, "cannot write '%s': %s", path,
                      cairo_status_to_string(cairo_surface_status(w.surface)));
        err = ARC_EIO;
    }
    cairo_surface_destroy(w.surface);
    if (saved_tz)
        setenv("TZ", saved_tz, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved_tz);
    rep->pages = w.page;
    if (!err)
        err = fix_dates(tmp, b->modified, why);
    if (!err && rename(tmp, path) != 0) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
        err = ARC_EIO;
    }
    if (err) {
        unlink(tmp);
    } else {
        struct stat st;
        rep->bytes = stat(path, &st) == 0 ? (size_t)st.st_size : 0;
    }
    g_object_unref(w.ctx);
    g_object_unref(w.fm);
    free(w.start);
    free(tmp);
    return err;
}
