/* pdf/cover.c: the book's cover, a typographic PNG drawn with cairo and pango. */
#include "pdf/pdf.h"

#include "pdf/internal.h"

#include <stdbool.h>
#include <string.h>

#include "util/banned.h"

#define TITLE_MAX_LINES 5

/* Colours as 0xRRGGBB. */
#define PAPER  0xF3EEE4
#define INK    0x1C2430
#define GREY   0x4A5561
#define ACCENT 0xA8392B

struct cover {
    cairo_t *cr;
    PangoContext *ctx;
    struct pdf__faces faces;
    double s;      /* pixels per unit of the 1600-wide design */
    double w, h;   /* the page in pixels */
    double margin; /* left and right */
};

static void set_rgb(cairo_t *cr, unsigned rgb)
{
    cairo_set_source_rgb(cr, (rgb >> 16 & 0xFF) / 255.0, (rgb >> 8 & 0xFF) / 255.0,
                         (rgb & 0xFF) / 255.0);
}

static void fill_rect(cairo_t *cr, unsigned rgb, double x, double y, double w, double h)
{
    set_rgb(cr, rgb);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
}

/* A layout of text in face at px pixels, width pixels wide. */
static PangoLayout *layout_new(struct cover *c, const char *text, const char *face, bool bold,
                               double px, double width)
{
    PangoLayout *l = pango_layout_new(c->ctx);
    PangoFontDescription *fd = pango_font_description_from_string(face);

    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(fd, px * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_text(l, text, -1);
    return l;
}

static double layout_height(PangoLayout *l)
{
    PangoRectangle logical;

    pango_layout_get_pixel_extents(l, NULL, &logical);
    return logical.height;
}

static void draw_layout(struct cover *c, PangoLayout *l, unsigned rgb, double x, double y)
{
    set_rgb(c->cr, rgb);
    cairo_move_to(c->cr, x, y);
    pango_cairo_show_layout(c->cr, l);
}

/* The title at the largest size from 150 down to 84 units that keeps it to TITLE_MAX_LINES
 * lines and max_h pixels; past that the smallest size, cut with an ellipsis.  Then the narrowest
 * width that keeps its number of lines, so that the last line is not a lone word. */
static PangoLayout *title_layout(struct cover *c, const char *title, double max_h)
{
    double width = c->w - 2 * c->margin;
    PangoLayout *l = NULL;
    int lines, lo, hi;

    for (double u = 150; u >= 84; u -= 6) {
        if (l)
            g_object_unref(l);
        l = layout_new(c, title, c->faces.serif, true, u * c->s, width);
        pango_layout_set_line_spacing(l, 0.86f);
        pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
        pango_layout_set_height(l, -TITLE_MAX_LINES);
        if (!pango_layout_is_ellipsized(l) && layout_height(l) <= max_h)
            break;
    }
    lines = pango_layout_get_line_count(l);
    if (lines < 2 || pango_layout_is_ellipsized(l))
        return l;
    lo = (int)(width / 2);
    hi = (int)width;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;

        pango_layout_set_width(l, mid * PANGO_SCALE);
        if (pango_layout_get_line_count(l) == lines && !pango_layout_is_ellipsized(l))
            hi = mid;
        else
            lo = mid + 1;
    }
    pango_layout_set_width(l, hi * PANGO_SCALE);
    return l;
}

static void draw(struct cover *c, const struct pdf_cover *pc)
{
    double s = c->s, x = c->margin, text_w = c->w - 2 * c->margin;
    double band = 0.13 * c->h, y = 0.2 * c->h;
    PangoLayout *l;

    fill_rect(c->cr, PAPER, 0, 0, c->w, c->h);
    /* A hairline under the top margin, and the dark band at the foot. */
    fill_rect(c->cr, INK, x, 0.075 * c->h, text_w, 4 * s);
    fill_rect(c->cr, INK, 0, c->h - band, c->w, band);

    if (pc->title && *pc->title) {
        /* Leave room below the title for the rule and the subtitle. */
        l = title_layout(c, pc->title, c->h - band - y - 420 * s);
        draw_layout(c, l, INK, x, y);
        y += layout_height(l) + 90 * s;
        g_object_unref(l);
    }
    fill_rect(c->cr, ACCENT, x, y, 150 * s, 12 * s);
    y += 12 * s + 70 * s;
    if (pc->subtitle && *pc->subtitle) {
        l = layout_new(c, pc->subtitle, c->faces.sans, false, 64 * s, text_w);
        pango_layout_set_height(l, -2);
        pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
        draw_layout(c, l, GREY, x, y);
        g_object_unref(l);
    }
    if (pc->line && *pc->line) {
        PangoAttrList *attrs = pango_attr_list_new();

        l = layout_new(c, pc->line, c->faces.sans, false, 54 * s, text_w);
        pango_attr_list_insert(attrs, pango_attr_letter_spacing_new((int)(4 * s * PANGO_SCALE)));
        pango_layout_set_attributes(l, attrs);
        pango_attr_list_unref(attrs);
        pango_layout_set_height(l, -1);
        pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
        draw_layout(c, l, PAPER, x, c->h - band / 2 - layout_height(l) / 2);
        g_object_unref(l);
    }
}

static cairo_status_t write_png(void *closure, const unsigned char *data, unsigned int len)
{
    strbuf_add(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

enum arc_err pdf_cover_png(const struct pdf_cover *pc, struct strbuf *png, struct strbuf *why)
{
    int w = pc->width > 0 ? pc->width : PDF_COVER_WIDTH;
    int h = pc->height > 0 ? pc->height : PDF_COVER_HEIGHT;
    struct cover c = { .w = w, .h = h };
    cairo_surface_t *surface;
    PangoFontMap *fm;
    enum arc_err err;
    cairo_status_t st;
    size_t old_len = png->len;

    if (w < 200 || h < 200 || w > 10000 || h > 10000 || w > 4 * h || h > 4 * w) {
        strbuf_setwhy(why, "cover size %dx%d out of range", w, h);
        return ARC_EINVAL;
    }
    err = pdf__fontmap_new(&fm, why);
    if (err)
        return err;
    /* Scale the 1600 x 2560 design to fit the page. */
    c.s = w / 1600.0 < h / 2560.0 ? w / 1600.0 : h / 2560.0;
    c.margin = 140 * c.s;
    pdf__faces_for(pc->lang, &c.faces);
    surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    c.cr = cairo_create(surface);
    c.ctx = pdf__context_new(fm, pc->lang);
    pango_cairo_update_context(c.cr, c.ctx);
    draw(&c, pc);
    cairo_surface_flush(surface);
    st = cairo_status(c.cr);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_write_to_png_stream(surface, write_png, png);
    if (st != CAIRO_STATUS_SUCCESS) {
        strbuf_setwhy(why, "cannot draw the cover: %s", cairo_status_to_string(st));
        strbuf_setlen(png, old_len);
        err = st == CAIRO_STATUS_NO_MEMORY ? ARC_ENOMEM : ARC_EIO;
    }
    g_object_unref(c.ctx);
    cairo_destroy(c.cr);
    cairo_surface_destroy(surface);
    g_object_unref(fm);
    return err;
}
