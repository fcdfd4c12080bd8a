/* pdf/para.c: paragraphs for the PDF.  A block's inlines become pango text with attributes;
 * pango breaks it into lines (UAX #14 with its CJK rules); each line but the last is justified
 * by spreading its slack evenly over the line-break opportunities inside it (pango 1.50's own
 * justification puts all of it into ASCII spaces, or letter-spaces Latin words, when CJK and
 * Latin mix); lines sit on a fixed baseline grid, whatever the fonts' own line heights. */
#include "pdf/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/banned.h"

/* --- inlines to pango text --- */

struct inl {
    struct strbuf *text;
    PangoAttrList *attrs;
    const struct pdf__faces *faces;
    double size; /* points */
    struct pdf__link **links;
    size_t *nlinks, links_alloc;
};

static void add_attr(struct inl *in, PangoAttribute *a, size_t start)
{
    a->start_index = (guint)start;
    a->end_index = (guint)in->text->len;
    pango_attr_list_insert(in->attrs, a);
}

static void walk_inlines(struct inl *in, const struct doc_node *n)
{
    for (const struct doc_node *k = n->first; k; k = k->next) {
        size_t start = in->text->len;

        switch (k->kind) {
        case DOC_TEXT:
            /* Newlines inside text are spaces: only DOC_BREAK breaks a line. */
            for (size_t i = 0; i < k->u.text.len; i++)
                strbuf_addch(in->text, k->u.text.s[i] == '\n' || k->u.text.s[i] == '\r'
                                           ? ' '
                                           : k->u.text.s[i]);
            break;
        case DOC_BREAK:
            strbuf_addstr(in->text, "\u2028"); /* LINE SEPARATOR: a forced break */
            break;
        case DOC_STRONG:
            walk_inlines(in, k);
            add_attr(in, pango_attr_weight_new(PANGO_WEIGHT_BOLD), start);
            break;
        case DOC_EM:
            walk_inlines(in, k);
            add_attr(in, pango_attr_style_new(PANGO_STYLE_ITALIC), start);
            break;
        case DOC_CODE_SPAN:
            walk_inlines(in, k);
            add_attr(in, pango_attr_family_new(in->faces->mono), start);
            add_attr(in, pango_attr_size_new((int)(in->size * 0.88 * PANGO_SCALE)), start);
            break;
        case DOC_SUB:
        case DOC_SUP:
            walk_inlines(in, k);
            add_attr(in, pango_attr_scale_new(0.7), start);
            add_attr(in,
                     pango_attr_rise_new(
                         (int)((k->kind == DOC_SUP ? 0.35 : -0.15) * in->size * PANGO_SCALE)),
                     start);
            break;
        case DOC_LINK:
            walk_inlines(in, k);
            add_attr(in, pango_attr_foreground_new(0x1a1a, 0x4d4d, 0x8c8c), start);
            if (k->u.link.href && in->text->len > start) {
                *in->links =
                    xgrow(*in->links, sizeof(**in->links), *in->nlinks + 1, &in->links_alloc);
                (*in->links)[*in->nlinks].start = start;
                (*in->links)[*in->nlinks].end = in->text->len;
                (*in->links)[*in->nlinks].href = k->u.link.href;
                (*in->nlinks)++;
            }
            break;
        case DOC_INLINE_IMAGE:
            /* Emoji and formulas: their alt text, so that nothing becomes an empty box. */
            if (k->u.image.alt && *k->u.image.alt)
                strbuf_addstr(in->text, k->u.image.alt);
            break;
        default:
            walk_inlines(in, k); /* anything else: its text */
            break;
        }
    }
}

void pdf__inlines(const struct doc_node *block, const struct pdf__faces *faces, double size,
                  struct strbuf *text, PangoAttrList *attrs, struct pdf__link **links,
                  size_t *nlinks)
{
    struct inl in = { text, attrs, faces, size, links, nlinks, *nlinks };

    walk_inlines(&in, block);
}

/* --- lines --- */

/* The paragraph's text and its break opportunities: la[] is indexed by character, chars[] maps
 * a byte index to its character's (one pass over the text, not one per glyph). */
struct breaks {
    const char *text;
    const PangoLogAttr *la;
    int nattrs;
    const int *chars;
};

/* Whether a line may break before the character at byte index i of the layout's text. */
static bool break_before(const struct breaks *b, int i)
{
    int ch = b->chars[i];

    return ch > 0 && ch < b->nattrs && b->la[ch].is_line_break;
}

/* Whether glyph g of the run is the last of its cluster and a break opportunity follows the
 * cluster before line_end: a gap that justification widens. */
static bool gap_after(const PangoGlyphItem *gi, int g, int line_end, const struct breaks *b)
{
    int i = gi->item->offset + gi->glyphs->log_clusters[g];
    int next = g + 1 < gi->glyphs->num_glyphs ? gi->item->offset + gi->glyphs->log_clusters[g + 1]
                                              : gi->item->offset + gi->item->length;

    return next != i && next < line_end && break_before(b, next);
}

/* Spreads the slack of one line over its break opportunities: the last glyph of the cluster
 * before each opportunity grows by the same amount.  Returns false (line left alone) when the
 * line has no opportunity or would need more than max_gap points at each. */
static bool justify_line(PangoLayoutLine *line, const struct breaks *b, int measure, int max_gap)
{
    const char *text = b->text;
    PangoRectangle logical;
    int slack, gaps = 0, per, rest, line_end = line->start_index + line->length;

    pango_layout_line_get_extents(line, NULL, &logical);
    slack = measure - logical.width;
    if (slack <= 0)
        return true;
    /* Opportunities strictly inside the line: the one at its end is where it broke, and the
     * trailing spaces of a line do not count. */
    while (line_end > line->start_index && text[line_end - 1] == ' ')
        line_end--;
    for (GSList *r = line->runs; r; r = r->next) {
        PangoGlyphItem *gi = r->data;
        for (int g = 0; g < gi->glyphs->num_glyphs; g++)
            gaps += gap_after(gi, g, line_end, b);
    }
    if (!gaps)
        return false;
    per = slack / gaps;
    rest = slack - per * gaps;
    if (per > max_gap)
        return false; /* a line of two long words: ragged is better than gaping */
    for (GSList *r = line->runs; r; r = r->next) {
        PangoGlyphItem *gi = r->data;
        for (int g = 0; g < gi->glyphs->num_glyphs; g++) {
            if (gap_after(gi, g, line_end, b)) {
                int extra = per + (rest > 0 ? 1 : 0); /* pango units: the rest, one by one */
                rest -= rest > 0;
                gi->glyphs->glyphs[g].geometry.width += extra;
            }
        }
    }
    return true;
}

enum arc_err pdf__para_new(PangoContext *ctx, const char *text, PangoAttrList *attrs,
                           const PangoFontDescription *font, double width, double leading,
                           bool justify, struct pdf__para *out, struct strbuf *why)
{
    PangoLayout *layout = pango_layout_new(ctx);
    const PangoLogAttr *la;
    int nattrs, len, measure = (int)lround(width * PANGO_SCALE), max_gap;
    int *chars;
    struct breaks b;
    PangoLayoutIter *it;

    memset(out, 0, sizeof(*out));
    if (width <= 0 || leading <= 0) {
        g_object_unref(layout);
        strbuf_setwhy(why, "a paragraph needs a width and a leading");
        return ARC_EINVAL;
    }
    pango_layout_set_font_description(layout, font);
    pango_layout_set_width(layout, measure);
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, text, -1);
    if (attrs)
        pango_layout_set_attributes(layout, attrs);
    out->layout = layout;
    out->nlines = pango_layout_get_line_count(layout);
    out->width = width;
    out->leading = leading;
    it = pango_layout_get_iter(layout);
    out->ascent = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
    {
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        out->natural = (double)logical.height / PANGO_SCALE;
    }
    pango_layout_iter_free(it);
    if (!justify)
        return ARC_OK;
    /* Gaps past 0.6 em read as holes (a line of a few long words, a path, a URL): such a line
     * stays ragged. */
    max_gap = (int)lround(0.6 * pango_font_description_get_size(font));
    la = pango_layout_get_log_attrs_readonly(layout, &nattrs);
    text = pango_layout_get_text(layout);
    len = (int)strlen(text);
    chars = xcalloc((size_t)len + 1, sizeof(*chars));
    for (int i = 0, ch = 0; i <= len; i++) {
        if (i == len || ((unsigned char)text[i] & 0xC0) != 0x80) /* a character starts here */
            chars[i] = ch++;
        else
            chars[i] = ch - 1;
    }
    b.text = text;
    b.la = la;
    b.nattrs = nattrs;
    b.chars = chars;
    for (int i = 0; i < out->nlines; i++) {
        PangoLayoutLine *line = pango_layout_get_line(layout, i);
        bool last = i == out->nlines - 1;
        int end = line->start_index + line->length;

        /* The last line of the paragraph, and a line ended by a forced break, stay ragged. */
        if (last || (end >= 3 && !memcmp(text + end - 3, "\u2028", 3)) ||
            (end + 3 <= len && !memcmp(text + end, "\u2028", 3)))
            continue;
        justify_line(line, &b, measure, max_gap);
    }
    free(chars);
    return ARC_OK;
}

double pdf__para_line_width(const struct pdf__para *p, int i)
{
    PangoLayoutLine *line = pango_layout_get_line_readonly(p->layout, i);
    double w = 0;

    for (GSList *r = line->runs; r; r = r->next) {
        PangoGlyphItem *gi = r->data;
        for (int g = 0; g < gi->glyphs->num_glyphs; g++)
            w += gi->glyphs->glyphs[g].geometry.width;
    }
    return w / PANGO_SCALE;
}

void pdf__para_hang(struct pdf__para *p, double hang)
{
    if (!p->layout || hang <= 0 || hang >= p->width / 2)
        return;
    pango_layout_set_indent(p->layout, -(int)lround(hang * PANGO_SCALE));
    p->nlines = pango_layout_get_line_count(p->layout);
    p->hang = hang;
}

void pdf__para_draw_line(cairo_t *cr, const struct pdf__para *p, int i, double x, double baseline)
{
    PangoLayoutLine *line = pango_layout_get_line_readonly(p->layout, i);

    cairo_move_to(cr, x + (i > 0 ? p->hang : 0), baseline);
    pango_cairo_show_layout_line(cr, line);
}

void pdf__para_release(struct pdf__para *p)
{
    if (p->layout)
        g_object_unref(p->layout);
    memset(p, 0, sizeof(*p));
}
