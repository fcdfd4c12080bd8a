/* pdf/flow.c: the typesetting of one flow of blocks (a chapter's body, a contents list) into
 * items a page can hold, their pagination, and their drawing.
 *
 * Items are lines of text (on the baseline grid: each is one leading high), pictures, rules,
 * table rows and vertical space.  Pagination is greedy with rules: a paragraph leaves neither its
 * first line alone at the foot of a page nor its last alone at the top (orphans and widows), a
 * heading stays with the two lines after it, a picture or a table row is never split, and space
 * at the top of a page is dropped.  Code blocks are lines in a shaded box that may break across
 * pages; their long lines wrap with a continuation mark.  Quotes carry a rule on their left,
 * lists real markers and nested indents. */
#include "pdf/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "util/alloc.h"
#include "util/banned.h"

/* Items may not break before them: set on the lines that orphan/widow rules and headings bind. */
#define KEEP 1u
/* Dropped at the top of a page. */
#define SPACE_ONLY 2u

static struct pdf__item *add_item(struct pdf__flow *f, enum pdf__item_kind kind, double height)
{
    struct pdf__item *it;

    f->items = xgrow(f->items, sizeof(*f->items), f->nitems + 1, &f->items_alloc);
    it = &f->items[f->nitems++];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    it->height = height;
    it->indent = f->indent;
    it->quote = f->quote;
    if (kind != PDF__ITEM_SPACE) {
        /* The elements begun since the last content open before this item. */
        it->open_at = f->nopens;
        for (size_t i = 0; i < f->nbuilding; i++) {
            if (f->building[i].attached)
                continue;
            f->opens = xgrow(f->opens, sizeof(*f->opens), f->nopens + 1, &f->opens_alloc);
            f->opens[f->nopens++] = f->building[i].name;
            f->building[i].attached = true;
            it->nopens++;
        }
        f->last_content = f->nitems;
    }
    return it;
}

void pdf__flow_begin(struct pdf__flow *f, const char *tag)
{
    f->building = xgrow(f->building, sizeof(*f->building), f->nbuilding + 1, &f->building_alloc);
    f->building[f->nbuilding].name = tag;
    f->building[f->nbuilding++].attached = false;
}

void pdf__flow_end(struct pdf__flow *f)
{
    if (!f->nbuilding)
        return;
    /* An element with no item inside leaves no tag. */
    if (f->building[--f->nbuilding].attached && f->last_content)
        f->items[f->last_content - 1].closes++;
}

static const char *heading_tag(int level)
{
    static const char *const tags[] = { "H1", "H2", "H3", "H4", "H5", "H6" };
    return tags[level < 1 ? 0 : level > 6 ? 5 : level - 1];
}

static void add_space(struct pdf__flow *f, double h)
{
    if (f->nitems && f->items[f->nitems - 1].kind == PDF__ITEM_SPACE) {
        if (f->items[f->nitems - 1].height < h)
            f->items[f->nitems - 1].height = h;
        return;
    }
    /* After a heading, its space stays with it too. */
    add_item(f, PDF__ITEM_SPACE, h)->flags = SPACE_ONLY | (f->keep_next ? KEEP : 0);
}

static struct pdf__para *new_para(struct pdf__flow *f)
{
    struct pdf__para *p = xcalloc(1, sizeof(*p));

    f->paras = xgrow(f->paras, sizeof(*f->paras), f->nparas + 1, &f->paras_alloc);
    f->paras[f->nparas++] = p;
    return p;
}

/* Sets text as a paragraph at the current indent and adds its lines. */
static void add_text(struct pdf__flow *f, const char *text, PangoAttrList *attrs,
                     const PangoFontDescription *font, double leading, bool justify,
                     unsigned keep_after, const char *marker, bool shade, double shade_pad,
                     double hang)
{
    struct pdf__para *p = new_para(f);
    double width = f->style->width - f->indent - f->right;
    size_t first = f->nitems;

    if (pdf__para_new(f->ctx, text, attrs, font, width > 40 ? width : 40, leading, justify, p,
                      NULL) != ARC_OK)
        return;
    if (hang > 0 && p->nlines > 1)
        pdf__para_hang(p, hang);
    f->unknown_glyphs += (size_t)pango_layout_get_unknown_glyphs_count(p->layout);
    for (int i = 0; i < p->nlines; i++) {
        struct pdf__item *it = add_item(f, PDF__ITEM_LINE, leading);
        it->para = p;
        it->line = i;
        it->shade = shade;
        it->shade_pad = shade_pad;
        if (i == 0 && marker)
            it->marker = xstrdup(marker);
        /* No orphan (break after the first line), no widow (before the last). */
        if (i == 1 || (i > 0 && i == p->nlines - 1))
            it->flags |= KEEP;
    }
    if (f->keep_next) { /* a heading before: its next lines come with it */
        for (size_t k = first; k < f->nitems && k < first + f->keep_next; k++)
            f->items[k].flags |= KEEP;
        f->keep_next = 0;
    }
    f->keep_next = keep_after;
}

static PangoFontDescription *font_of(const char *family, double size, bool bold)
{
    PangoFontDescription *d = pango_font_description_from_string(family);

    pango_font_description_set_absolute_size(d, size * PANGO_SCALE);
    if (bold)
        pango_font_description_set_weight(d, PANGO_WEIGHT_BOLD);
    return d;
}

static double text_width(struct pdf__flow *f, const char *text, const PangoFontDescription *font)
{
    PangoLayout *l = pango_layout_new(f->ctx);
    int w;

    pango_layout_set_font_description(l, font);
    pango_layout_set_text(l, text, -1);
    pango_layout_get_size(l, &w, NULL);
    g_object_unref(l);
    return (double)w / PANGO_SCALE;
}

static void add_inline_block(struct pdf__flow *f, const struct doc_node *n, double size,
                             double leading, const char *family, bool bold, bool justify,
                             unsigned keep_after, const char *marker)
{
    struct strbuf text = STRBUF_INIT;
    PangoAttrList *attrs = pango_attr_list_new();
    PangoFontDescription *font = font_of(family, size, bold);
    struct pdf__link *links = NULL;
    size_t nlinks = 0;

    pdf__inlines(n, f->faces, size, &text, attrs, &links, &nlinks);
    if (text.len || marker) {
        add_text(f, text.len ? text.buf : " ", attrs, font, leading, justify, keep_after, marker,
                 false, 0, 0);
        if (nlinks && f->nparas) { /* the paragraph's links, for their annotations */
            struct pdf__para *p = f->paras[f->nparas - 1];
            p->links = links;
            p->nlinks = nlinks;
            links = NULL;
        }
    }
    free(links);
    pango_font_description_free(font);
    pango_attr_list_unref(attrs);
    strbuf_release(&text);
}

static void add_code(struct pdf__flow *f, const char *code)
{
    const struct pdf__style *st = f->style;
    PangoFontDescription *font = font_of(f->faces->mono, st->code_size, false);
    struct strbuf line = STRBUF_INIT;
    const char *p = code ? code : "";
    size_t first = f->nitems;
    double cw = 0;

    add_space(f, st->para_space);
    f->indent += st->code_pad;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        struct pdf__para *para;
        size_t before = f->nitems;

        strbuf_reset(&line);
        strbuf_add(&line, p, n);
        if (!line.len)
            strbuf_addch(&line, ' ');
        if (!cw) /* the advance of one character of the monospace face */
            cw = text_width(f, "0000000000", font) / 10;
        add_text(f, line.buf, NULL, font, st->code_leading, false, 0, NULL, true, st->code_pad,
                 /* continuations under the line's own indent, two characters in */
                 (double)(strspn(line.buf, " ") + 2) * cw);
        para = f->nparas ? f->paras[f->nparas - 1] : NULL;
        /* A wrapped line: its continuations carry the mark and stay with it (up to four parts);
         * code may break between its lines. */
        for (size_t k = before; k < f->nitems; k++) {
            f->items[k].flags &= ~KEEP;
            f->items[k].continued = k > before && para;
            if (f->items[k].continued && f->nitems - before <= 4)
                f->items[k].flags |= KEEP;
        }
        p = nl ? nl + 1 : p + n;
    }
    f->indent -= st->code_pad;
    if (f->nitems > first) {
        f->items[first].shade_top = true;
        f->items[f->nitems - 1].shade_bottom = true;
        /* The block as a whole leaves no single line alone at a page's foot or top. */
        if (f->nitems - first >= 3) {
            f->items[first + 1].flags |= KEEP;
            f->items[f->nitems - 1].flags |= KEEP;
        }
    }
    add_space(f, st->para_space);
    strbuf_release(&line);
    pango_font_description_free(font);
}

static void add_caption(struct pdf__flow *f, const struct doc_image *im)
{
    PangoFontDescription *font;

    if (!im->caption || !*im->caption)
        return;
    font = font_of(f->faces->sans, f->style->small_size, false);
    pdf__flow_begin(f, "Caption");
    add_text(f, im->caption, NULL, font, f->style->small_leading, false, 0, NULL, false, 0, 0);
    pdf__flow_end(f);
    f->items[f->nitems - 1].flags |= KEEP; /* with its picture */
    pango_font_description_free(font);
}

static void add_picture_items(struct pdf__flow *f, const struct doc_node *n)
{
    const struct doc_image *im = &n->u.image;
    char *path = im->file && f->base ? xasprintf("%s/%s", f->base, im->file) : NULL;
    struct strbuf why = STRBUF_INIT;
    struct img_info info;
    struct pdf__item *it;
    double w, h, max_w = f->style->width - f->indent, max_h = f->style->text_height * 0.9;

    if (!path || img_probe_file(path, &info, &why) != ARC_OK) {
        /* A placeholder: the alt text and the source, as a framed line. */
        struct strbuf sb = STRBUF_INIT;
        PangoFontDescription *font = font_of(f->faces->sans, f->style->small_size, false);

        if (path && f->warn) {
            /* The EPUB's words, so that the build says it once for both books. */
            char *msg = xasprintf("%s: %s; a placeholder is shown", path, why.buf);
            f->warn(msg, f->ud);
            free(msg);
        }
        strbuf_addf(&sb, "[%s] %s", im->alt && *im->alt ? im->alt : "图片", im->src ? im->src : "");
        add_space(f, f->style->para_space);
        add_text(f, sb.buf, NULL, font, f->style->small_leading, false, 0, NULL, true, 2, 0);
        add_caption(f, im);
        add_space(f, f->style->para_space);
        pango_font_description_free(font);
        strbuf_release(&sb);
        strbuf_release(&why);
        free(path);
        return;
    }
    strbuf_release(&why);
    /* Natural size at 150 dpi, never upscaled past it; fitted to the text block. */
    w = info.width * 72.0 / 150.0;
    h = info.height * 72.0 / 150.0;
    if (info.orientation >= 5) { /* turned a quarter */
        double t = w;
        w = h;
        h = t;
    }
    if (w > max_w) {
        h *= max_w / w;
        w = max_w;
    }
    if (h > max_h) {
        w *= max_h / h;
        h = max_h;
    }
    add_space(f, f->style->para_space);
    it = add_item(f, PDF__ITEM_PICTURE, h);
    it->path = path;
    it->pic_w = w;
    it->pic_h = h;
    it->px = (int)ceil(fmax(w, h) * 200.0 / 72.0); /* at most 200 dpi as printed */
    add_caption(f, im);
    add_space(f, f->style->para_space);
}

/* A picture (or its placeholder) with its caption: a Figure. */
static void add_picture(struct pdf__flow *f, const struct doc_node *n)
{
    pdf__flow_begin(f, "Figure");
    add_picture_items(f, n);
    pdf__flow_end(f);
}

static void add_blocks(struct pdf__flow *f, const struct doc_node *n);

/* The pictures inside a paragraph's text (WeChat's banners and QR codes in a link, pictures set
 * in a line) that are bigger than a sticker: after the paragraph, as block pictures, instead of
 * being lost (the text keeps an emoji's or a formula's alt text). */
static void add_inline_pictures(struct pdf__flow *f, const struct doc_node *n)
{
    for (const struct doc_node *k = n->first; k; k = k->next) {
        struct img_info info;
        char *path;
        bool big;

        if (k->kind != DOC_INLINE_IMAGE) {
            add_inline_pictures(f, k);
            continue;
        }
        if (!k->u.image.file || !f->base)
            continue;
        path = xasprintf("%s/%s", f->base, k->u.image.file);
        big = img_probe_file(path, &info, NULL) == ARC_OK &&
              info.width * 72.0 / 150.0 >= 3 * f->style->body_size;
        free(path);
        if (big)
            add_picture(f, k);
    }
}

static void add_list(struct pdf__flow *f, const struct doc_node *list)
{
    int number = list->u.list.ordered ? list->u.list.start : 0;

    f->indent += f->style->list_indent;
    for (const struct doc_node *item = list->first; item; item = item->next) {
        char marker[32];

        if (list->u.list.ordered)
            snprintf(marker, sizeof(marker), "%d.", number++);
        else
            snprintf(marker, sizeof(marker), "%s", f->list_depth % 2 ? "◦" : "•");
        f->marker = marker;
        f->list_depth++;
        /* The marker is drawn as the item's Lbl, before its LBody opens. */
        pdf__flow_begin(f, "LI");
        pdf__flow_begin(f, "LBody");
        add_blocks(f, item);
        pdf__flow_end(f);
        pdf__flow_end(f);
        f->list_depth--;
        f->marker = NULL;
    }
    f->indent -= f->style->list_indent;
}

static void add_blocks(struct pdf__flow *f, const struct doc_node *n)
{
    const struct pdf__style *st = f->style;

    for (const struct doc_node *k = n->first; k; k = k->next) {
        const char *marker = f->marker;

        f->marker = NULL;
        switch (k->kind) {
        case DOC_HEADING: {
            int level = k->u.heading.level < 1   ? 1
                        : k->u.heading.level > 4 ? 4
                                                 : k->u.heading.level;
            double size = st->h_size[level - 1];
            size_t first;
            struct strbuf t = STRBUF_INIT;

            add_space(f, size * 0.9);
            first = f->nitems;
            /* The chapter's title is its H1: the body's headings below it, by rank, so that no
             * level is skipped (an article of h2 and h4 has H2 and H3). */
            pdf__flow_begin(f, heading_tag(f->head_rank[level] + 1));
            add_inline_block(f, k, size, ceil(size * 1.35), f->faces->sans, true, false, 2, NULL);
            pdf__flow_end(f);
            doc_plain_text(k, &t);
            strbuf_trim(&t);
            if (f->nitems > first && t.len) { /* for the outline */
                f->heads = xgrow(f->heads, sizeof(*f->heads), f->nheads + 1, &f->heads_alloc);
                f->heads[f->nheads].text = strbuf_detach(&t, NULL);
                f->heads[f->nheads].level = level;
                f->heads[f->nheads++].item = first;
            }
            strbuf_release(&t);
            add_space(f, size * 0.3);
            break;
        }
        case DOC_PARA:
            pdf__flow_begin(f, "P");
            add_inline_block(f, k, st->body_size, st->leading, f->faces->serif, false,
                             f->list_depth == 0, 0, marker);
            pdf__flow_end(f);
            add_inline_pictures(f, k);
            add_space(f, st->para_space);
            break;
        case DOC_LIST:
            if (f->flat) { /* a note: its words, not its list and quote marks */
                for (const struct doc_node *item = k->first; item; item = item->next)
                    add_blocks(f, item);
                break;
            }
            if (marker) /* a list as an item's first block: the marker goes on an empty line */
                add_inline_block(f, k, st->body_size, st->leading, f->faces->serif, false, false, 0,
                                 marker);
            pdf__flow_begin(f, "L");
            add_list(f, k);
            pdf__flow_end(f);
            add_space(f, st->para_space);
            break;
        case DOC_QUOTE:
            if (f->flat) {
                add_blocks(f, k);
                break;
            }
            f->indent += st->quote_indent;
            f->quote++;
            pdf__flow_begin(f, "BlockQuote");
            add_blocks(f, k);
            pdf__flow_end(f);
            f->quote--;
            f->indent -= st->quote_indent;
            break;
        case DOC_CODE:
            pdf__flow_begin(f, "Code");
            add_code(f, k->u.code.text);
            pdf__flow_end(f);
            break;
        case DOC_IMAGE:
            add_picture(f, k);
            break;
        case DOC_RULE:
            add_space(f, st->para_space);
            add_item(f, PDF__ITEM_RULE, st->leading * 0.5);
            add_space(f, st->para_space);
            break;
        case DOC_EMBED: {
            struct strbuf sb = STRBUF_INIT;
            PangoFontDescription *font = font_of(f->faces->sans, st->small_size, false);
            /* Framed lines: the title, the description, the link (U+2028 breaks them). */
            strbuf_addstr(&sb, k->u.embed.title ? k->u.embed.title : "[媒体]");
            if (k->u.embed.desc)
                strbuf_addf(&sb, "\u2028%s", k->u.embed.desc);
            if (k->u.embed.url)
                strbuf_addf(&sb, "\u2028%s", k->u.embed.url);
            add_space(f, st->para_space);
            pdf__flow_begin(f, "P");
            add_text(f, sb.buf, NULL, font, st->small_leading, false, 0, NULL, true, 3, 0);
            pdf__flow_end(f);
            add_space(f, st->para_space);
            pango_font_description_free(font);
            strbuf_release(&sb);
            break;
        }
        case DOC_TABLE:
            pdf__flow_begin(f, "Table");
            pdf__flow_table(f, k);
            pdf__flow_end(f);
            break;
        default:
            add_blocks(f, k); /* items and cells outside their parents: their blocks */
            break;
        }
    }
}

/* --- tables --- */

struct pdf__row {
    size_t ncells;
    struct pdf__para *cells; /* one paragraph per cell */
    double *x, *w;           /* each cell's offset and width */
    bool header;
};

void pdf__row_free(struct pdf__row *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ncells; i++)
        pdf__para_release(&r->cells[i]);
    free(r->cells);
    free(r->x);
    free(r->w);
    free(r);
}

/* Columns sized from content, as browsers do for tables: each column's widest cell unwrapped
 * (its maximum) and its widest word (its minimum).  When the maxima fit, they are the widths;
 * otherwise each column gets its minimum and the room left is shared in proportion to what each
 * would still take (so a long-text column wraps before a column of short names breaks a word);
 * when even the minima do not fit, they are scaled down and words break.  Cells wrap inside. */
void pdf__flow_table(struct pdf__flow *f, const struct doc_node *table)
{
    const struct pdf__style *st = f->style;
    size_t ncols = 0, c;
    double *nat, *least, *width, total = 0, total_min = 0, avail = st->width - f->indent, pad = 3;
    PangoFontDescription *font = font_of(f->faces->serif, st->small_size, false);
    PangoFontDescription *bold = font_of(f->faces->serif, st->small_size, true);

    for (const struct doc_node *row = table->first; row; row = row->next) {
        size_t n = 0;
        for (const struct doc_node *cell = row->first; cell; cell = cell->next)
            n++;
        ncols = n > ncols ? n : ncols;
    }
    if (!ncols) {
        pango_font_description_free(font);
        pango_font_description_free(bold);
        return;
    }
    nat = xcalloc(ncols, sizeof(*nat));
    least = xcalloc(ncols, sizeof(*least));
    width = xcalloc(ncols, sizeof(*width));
    for (const struct doc_node *row = table->first; row; row = row->next) {
        c = 0;
        for (const struct doc_node *cell = row->first; cell; cell = cell->next, c++) {
            struct strbuf text = STRBUF_INIT;
            PangoLayout *l = pango_layout_new(f->ctx);
            PangoRectangle ink, logical;
            int w;
            doc_plain_text(cell, &text);
            strbuf_trim(&text);
            pango_layout_set_font_description(l, cell->u.cell.header ? bold : font);
            pango_layout_set_text(l, text.buf, (int)text.len);
            pango_layout_get_size(l, &w, NULL);
            nat[c] = fmax(nat[c], (double)w / PANGO_SCALE + 2 * pad);
            /* broken at every opportunity: the widest line is the widest word */
            pango_layout_set_wrap(l, PANGO_WRAP_WORD);
            pango_layout_set_width(l, 1);
            pango_layout_get_extents(l, &ink, &logical);
            least[c] = fmax(least[c], (double)logical.width / PANGO_SCALE + 2 * pad);
            g_object_unref(l);
            strbuf_release(&text);
        }
    }
    for (c = 0; c < ncols; c++) {
        nat[c] = fmax(nat[c], 24);
        least[c] = fmin(fmax(least[c], 24), nat[c]);
        total += nat[c];
        total_min += least[c];
    }
    for (c = 0; c < ncols; c++) {
        if (total <= avail)
            width[c] = nat[c];
        else if (total_min >= avail)
            width[c] = least[c] * avail / total_min;
        else
            width[c] = least[c] + (nat[c] - least[c]) * (avail - total_min) / (total - total_min);
    }
    add_space(f, st->para_space);
    for (const struct doc_node *row = table->first; row; row = row->next) {
        struct pdf__row *r = xcalloc(1, sizeof(*r));
        struct pdf__item *it;
        double x = 0, h = 0;
        int lines = 1;

        r->ncells = ncols;
        r->cells = xcalloc(ncols, sizeof(*r->cells));
        r->x = xcalloc(ncols, sizeof(*r->x));
        r->w = xcalloc(ncols, sizeof(*r->w));
        c = 0;
        for (const struct doc_node *cell = row->first; c < ncols; c++) {
            struct strbuf text = STRBUF_INIT;
            double w = width[c];
            if (cell) {
                doc_plain_text(cell, &text);
                strbuf_trim(&text);
                r->header |= cell->u.cell.header;
            }
            r->x[c] = x;
            r->w[c] = w;
            if (pdf__para_new(f->ctx, text.len ? text.buf : " ", NULL,
                              cell && cell->u.cell.header ? bold : font, fmax(w - 2 * pad, 8),
                              st->small_leading, false, &r->cells[c], NULL) == ARC_OK) {
                f->unknown_glyphs +=
                    (size_t)pango_layout_get_unknown_glyphs_count(r->cells[c].layout);
                if (r->cells[c].nlines > lines)
                    lines = r->cells[c].nlines;
            }
            x += w;
            strbuf_release(&text);
            cell = cell ? cell->next : NULL;
        }
        h = lines * st->small_leading + 2 * pad;
        pdf__flow_begin(f, "TR");
        it = add_item(f, PDF__ITEM_ROW, h);
        pdf__flow_end(f);
        it->row = r;
    }
    add_space(f, st->para_space);
    free(nat);
    free(least);
    free(width);
    pango_font_description_free(font);
    pango_font_description_free(bold);
}

void pdf__flow_draw_row(struct pdf__flow *f, cairo_t *cr, const struct pdf__item *it, double x,
                        double y)
{
    const struct pdf__row *r = it->row;
    double pad = 3;

    for (size_t c = 0; c < r->ncells; c++) {
        const struct pdf__para *p = &r->cells[c];
        if (r->header) {
            cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
            cairo_rectangle(cr, x + r->x[c], y, r->w[c], it->height);
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
        cairo_set_line_width(cr, 0.5);
        cairo_rectangle(cr, x + r->x[c], y, r->w[c], it->height);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_tag_begin(cr, r->header ? "TH" : "TD", NULL);
        for (int i = 0; p->layout && i < p->nlines; i++)
            pdf__para_draw_line(cr, p, i, x + r->x[c] + pad,
                                y + pad + i * f->style->small_leading +
                                    (f->style->small_leading - p->natural) / 2 + p->ascent);
        cairo_tag_end(cr, r->header ? "TH" : "TD");
    }
}

/* --- pictures --- */

struct page_pic {
    struct pdf__picture pic;
    bool failed;
};

char *pdf__picture_uid(const struct pdf__flow *f, size_t item)
{
    const struct pdf__item *it = &f->items[item];
    const char *slash = strrchr(it->path, '/');
    const char *id = slash ? slash + 1 : it->path;
    size_t uses = 0;

    for (size_t i = item; i-- > 0 && f->items[i].page == it->page;) {
        const struct pdf__item *o = &f->items[i];
        const char *os;
        if (o->kind != PDF__ITEM_PICTURE || !o->path)
            continue;
        os = strrchr(o->path, '/');
        uses += !strcmp(os ? os + 1 : o->path, id);
    }
    /* The first use on a page shares the picture with other pages; a second use on the same
     * page gets an id of its own (its bytes once more) rather than a resource listed twice. */
    return uses ? xasprintf("%s#%zu", id, uses) : xstrdup(id);
}

static const struct page_pic *page_picture(struct pdf__flow *f, const struct pdf__item *it)
{
    struct page_pic *pp;
    int got = -1;

    f->pics = xgrow(f->pics, sizeof(*f->pics), f->npics + 1, &f->pics_alloc);
    pp = &f->pics[f->npics++];
    memset(pp, 0, sizeof(*pp));
    /* Loaded for its page (ahead of it by the prefetch thread, or now) and released with the
     * page: no more than two pages' pictures are held. */
    if (f->prefetch)
        got = pdf__prefetch_take(f->prefetch, (size_t)(it - f->items), &pp->pic);
    if (got < 0) {
        char *uid = pdf__picture_uid(f, (size_t)(it - f->items));
        got = pdf__picture_from_file(it->path, uid, it->px, &pp->pic);
        free(uid);
    }
    if (!got) {
        pp->failed = true;
        if (f->warn) {
            char *msg = xasprintf("%s: cannot be drawn; a placeholder is shown", it->path);
            f->warn(msg, f->ud);
            free(msg);
        }
    } else {
        f->images++;
        f->passthrough += pp->pic.passthrough;
    }
    return pp;
}

static void release_page_pictures(struct pdf__flow *f)
{
    for (size_t i = 0; i < f->npics; i++)
        pdf__picture_release(&f->pics[i].pic);
    f->npics = 0;
}

void pdf__flow_draw_picture(struct pdf__flow *f, cairo_t *cr, const struct pdf__item *it, double x,
                            double y)
{
    const struct page_pic *pp = page_picture(f, it);
    double cx = x + (f->style->width - it->indent - it->pic_w) / 2;

    if (pp->failed) {
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_rectangle(cr, cx, y, it->pic_w, it->pic_h);
        cairo_fill(cr);
        return;
    }
    cairo_save(cr);
    cairo_translate(cr, cx, y);
    cairo_scale(cr, it->pic_w / pp->pic.width, it->pic_h / pp->pic.height);
    cairo_set_source_surface(cr, pp->pic.surface, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
}

void pdf__flow_init(struct pdf__flow *f, PangoContext *ctx, const struct pdf__style *style,
                    const struct pdf__faces *faces)
{
    memset(f, 0, sizeof(*f));
    f->ctx = ctx;
    f->style = style;
    f->faces = faces;
}

static void heading_levels(const struct doc_node *n, bool used[7])
{
    for (const struct doc_node *k = n->first; k; k = k->next) {
        if (k->kind == DOC_HEADING)
            used[k->u.heading.level < 1   ? 1
                 : k->u.heading.level > 4 ? 4
                                          : k->u.heading.level] = true;
        else
            heading_levels(k, used);
    }
}

void pdf__flow_doc(struct pdf__flow *f, const struct doc_node *root, const char *base)
{
    bool used[7] = { false };
    int rank = 0;

    heading_levels(root, used);
    for (int l = 1; l <= 6; l++)
        f->head_rank[l] = used[l] ? ++rank : rank + 1;
    f->base = base;
    add_blocks(f, root);
    f->base = NULL;
}

void pdf__flow_text(struct pdf__flow *f, const char *text, const char *family, double size,
                    double leading, bool bold, unsigned keep_after, const char *tag)
{
    PangoFontDescription *font = font_of(family, size, bold);

    if (tag)
        pdf__flow_begin(f, tag);
    add_text(f, text, NULL, font, leading, false, keep_after, NULL, false, 0, 0);
    if (tag)
        pdf__flow_end(f);
    pango_font_description_free(font);
}

void pdf__flow_space(struct pdf__flow *f, double h)
{
    add_space(f, h);
}

/* --- pagination --- */

size_t pdf__flow_paginate(struct pdf__flow *f, double first_height, double height)
{
    size_t page = 0, i = 0;
    double room = first_height, y = 0;

    while (i < f->nitems) {
        size_t start = i, brk;
        y = 0;
        /* Space at the top of a page is dropped. */
        while (i < f->nitems && (f->items[i].flags & SPACE_ONLY)) {
            f->items[i].page = page;
            f->items[i].y = 0;
            f->items[i].dropped = true;
            i++;
        }
        start = i;
        while (i < f->nitems) {
            struct pdf__item *it = &f->items[i];
            /* A picture a little too tall for the rest of the page is shrunk to fit, with the
             * lines bound to it (its caption), rather than leave a hole (down to 70%). */
            if (it->kind == PDF__ITEM_PICTURE && y + it->height > room + 1e-6 && i > start) {
                double bound = 0;
                for (size_t k = i + 1; k < f->nitems && (f->items[k].flags & KEEP); k++)
                    bound += f->items[k].height;
                if (room - y - bound >= 0.7 * it->height) {
                    double k = (room - y - bound) / it->height;
                    it->height *= k;
                    it->pic_w *= k;
                    it->pic_h *= k;
                }
            }
            if (y + it->height > room + 1e-6)
                break;
            f->items[i].page = page;
            f->items[i].y = y;
            f->items[i].dropped = false;
            y += f->items[i].height;
            i++;
        }
        if (i < f->nitems && i > start) {
            /* Back off to a legal break: not before a kept item. */
            brk = i;
            while (brk > start + 1 && (f->items[brk].flags & KEEP))
                brk--;
            if (brk > start + 1 || !(f->items[brk].flags & KEEP))
                i = brk;
        } else if (i == start && i < f->nitems) {
            /* Taller than a page (a huge row): alone on its page, cut by the page's edge. */
            f->items[i].page = page;
            f->items[i].y = 0;
            i++;
        }
        page++;
        room = height;
    }
    f->npages = page ? page : 1;
    return f->npages;
}

/* --- drawing --- */

/* Link annotations over the linked words of one line: a rectangle per line a link crosses. */
static void draw_links(cairo_t *cr, const struct pdf__item *it, double x, double y)
{
    PangoLayoutLine *line = pango_layout_get_line_readonly(it->para->layout, it->line);
    size_t ls = (size_t)line->start_index, le = ls + (size_t)line->length;

    for (size_t i = 0; i < it->para->nlinks; i++) {
        const struct pdf__link *l = &it->para->links[i];
        size_t a = l->start > ls ? l->start : ls, b = l->end < le ? l->end : le;
        int xa, xb;
        struct strbuf attr = STRBUF_INIT;

        if (a >= b || !doc_href_is_safe(l->href))
            continue;
        pango_layout_line_index_to_x(line, (int)a, false, &xa);
        pango_layout_line_index_to_x(line, (int)b, false, &xb);
        if (xb <= xa)
            continue;
        strbuf_addstr(&attr, "uri='");
        for (const char *p = l->href; *p; p++) {
            if (*p == '\'' || *p == '\\')
                strbuf_addch(&attr, '\\');
            strbuf_addch(&attr, *p);
        }
        strbuf_addf(&attr, "' rect=[%.2f %.2f %.2f %.2f]",
                    x + (it->line > 0 ? it->para->hang : 0) + (double)xa / PANGO_SCALE, y,
                    (double)(xb - xa) / PANGO_SCALE, it->height);
        cairo_tag_begin(cr, CAIRO_TAG_LINK, attr.buf);
        cairo_tag_end(cr, CAIRO_TAG_LINK);
        strbuf_release(&attr);
    }
}

static void draw_marker(struct pdf__flow *f, cairo_t *cr, const struct pdf__item *it, double x,
                        double y)
{
    const struct pdf__style *st = f->style;
    PangoLayout *l = pango_layout_new(f->ctx);
    PangoFontDescription *font = font_of(f->faces->serif, st->body_size, false);
    int w;

    cairo_tag_begin(cr, "Lbl", NULL);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    pango_layout_set_font_description(l, font);
    pango_layout_set_text(l, it->marker, -1);
    pango_layout_get_size(l, &w, NULL);
    cairo_move_to(cr, x - (double)w / PANGO_SCALE - st->body_size * 0.4,
                  y + (it->height - it->para->natural) / 2 + it->para->ascent);
    pango_cairo_show_layout_line(cr, pango_layout_get_line_readonly(l, 0));
    cairo_tag_end(cr, "Lbl");
    pango_font_description_free(font);
    g_object_unref(l);
}

static void tag_open(struct pdf__flow *f, cairo_t *cr, const char *tag)
{
    cairo_tag_begin(cr, tag, NULL);
    f->drawing = xgrow(f->drawing, sizeof(*f->drawing), f->ndrawing + 1, &f->drawing_alloc);
    f->drawing[f->ndrawing++] = tag;
}

void pdf__flow_draw(struct pdf__flow *f, cairo_t *cr, size_t page, double x0, double y0)
{
    const struct pdf__style *st = f->style;

    if (f->prefetch)
        pdf__prefetch_page(f->prefetch, page);
    /* What the page before left open is begun again (see pdf__flow_begin). */
    for (size_t k = 0; k < f->ndrawing; k++)
        cairo_tag_begin(cr, f->drawing[k], NULL);
    for (size_t i = 0; i < f->nitems; i++) {
        struct pdf__item *it = &f->items[i];
        double x = x0 + it->indent, y = y0 + it->y;
        bool marked = false;

        if (it->page != page || it->dropped)
            continue;
        for (unsigned k = 0; k < it->nopens; k++) {
            const char *tag = f->opens[it->open_at + k];
            if (it->marker && it->kind == PDF__ITEM_LINE && !marked && !strcmp(tag, "LBody")) {
                draw_marker(f, cr, it, x, y);
                marked = true;
            }
            tag_open(f, cr, tag);
        }
        if (it->marker && it->kind == PDF__ITEM_LINE && !marked)
            draw_marker(f, cr, it, x, y);
        for (int q = 0; q < it->quote; q++) { /* the quote rules */
            double qx = x0 + (it->indent - st->quote_indent * (it->quote - q)) + 2;
            cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
            cairo_rectangle(cr, qx, y, 1.5, it->height);
            cairo_fill(cr);
        }
        switch (it->kind) {
        case PDF__ITEM_LINE:
            if (it->shade) {
                double pad = it->shade_pad;
                cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
                cairo_rectangle(cr, x - pad, y - (it->shade_top ? pad / 2 : 0),
                                st->width - it->indent + 2 * pad,
                                it->height + (it->shade_top ? pad / 2 : 0) +
                                    (it->shade_bottom ? pad / 2 : 0));
                cairo_fill(cr);
            }
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            if (it->continued && it->para->hang > 4) {
                /* The continuation mark of a wrapped code line: a hooked arrow in its hang. */
                double hx = x + it->para->hang - 2, w = fmin(it->para->hang - 3, 7);
                double top = y + it->height * 0.22, mid = y + it->height * 0.55;
                cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
                cairo_set_line_width(cr, 0.6);
                cairo_move_to(cr, hx - w, top);
                cairo_line_to(cr, hx - w, mid);
                cairo_line_to(cr, hx, mid);
                cairo_stroke(cr);
                cairo_move_to(cr, hx - 2, mid - 1.6);
                cairo_line_to(cr, hx, mid);
                cairo_line_to(cr, hx - 2, mid + 1.6);
                cairo_stroke(cr);
                cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            }
            /* The baseline grid: the paragraph's natural line box centred in the leading, the
             * same for every line of it whatever its own glyphs. */
            pdf__para_draw_line(cr, it->para, it->line, x,
                                y + (it->height - it->para->natural) / 2 + it->para->ascent);
            if (it->para->nlinks)
                draw_links(cr, it, x, y);
            break;
        case PDF__ITEM_PICTURE:
            pdf__flow_draw_picture(f, cr, it, x, y);
            break;
        case PDF__ITEM_RULE:
            cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
            cairo_rectangle(cr, x + st->width * 0.3, y + it->height / 2, st->width * 0.4, 0.6);
            cairo_fill(cr);
            break;
        case PDF__ITEM_ROW:
            pdf__flow_draw_row(f, cr, it, x, y);
            break;
        case PDF__ITEM_SPACE:
            break;
        }
        if (f->after_item)
            f->after_item(f, cr, i, x0, y0, f->after_ud);
        for (unsigned k = 0; k < it->closes && f->ndrawing; k++)
            cairo_tag_end(cr, f->drawing[--f->ndrawing]);
    }
    /* Closed at the page's end, kept to be begun again on the next page. */
    for (size_t k = f->ndrawing; k-- > 0;)
        cairo_tag_end(cr, f->drawing[k]);
    release_page_pictures(f);
}

void pdf__flow_release(struct pdf__flow *f)
{
    for (size_t i = 0; i < f->nitems; i++) {
        free(f->items[i].marker);
        free(f->items[i].path);
        pdf__row_free(f->items[i].row);
    }
    for (size_t i = 0; i < f->nparas; i++) {
        free(f->paras[i]->links);
        pdf__para_release(f->paras[i]);
        free(f->paras[i]);
    }
    for (size_t i = 0; i < f->nheads; i++)
        free(f->heads[i].text);
    free(f->heads);
    release_page_pictures(f);
    free(f->pics);
    free(f->opens);
    free(f->building);
    free(f->drawing);
    free(f->items);
    free(f->paras);
    memset(f, 0, sizeof(*f));
}
