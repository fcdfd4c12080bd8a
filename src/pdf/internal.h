/* pdf/internal.h: what the files of pdf/ share. */
#ifndef ARC_PDF_INTERNAL_H
#define ARC_PDF_INTERNAL_H

#include <pango/pangocairo.h>

#include "doc/doc.h"
#include "pdf/pdf.h"

/* deflate.c: the zlib level of the streams that cairo starts at zlib's default level */
extern int pdf__deflate_level;

/* The faces for a language: Noto CJK's variant for it (SC unless the language says otherwise),
 * then DejaVu.  Static strings, for pango_font_description_from_string(). */
struct pdf__faces {
    const char *serif, *sans, *mono;
};
void pdf__faces_for(const char *lang, struct pdf__faces *f);

/* A new pango font map over fonts/fonts.conf (not the desktop's configuration); the caller owns
 * it (g_object_unref).  ARC_ENOTFOUND when the file is missing, does not parse or finds no
 * font. */
ARC_WUR enum arc_err pdf__fontmap_new(PangoFontMap **out, struct strbuf *why);

/* A pango context that measures in device units (72 dpi: a point is a unit), with fixed
 * rendering options (no hinting, greyscale antialiasing) and the given language.  The caller
 * owns it (g_object_unref). */
PangoContext *pdf__context_new(PangoFontMap *fm, const char *lang);

/* --- paragraphs (para.c) --- */

/* A link inside a paragraph's text: bytes [start, end) go to href (borrowed from the Doc). */
struct pdf__link {
    size_t start, end;
    const char *href;
};

/* Appends a block's inlines to text as pango text, with their attributes (bold, italic, code
 * in faces->mono, sub/superscript, link colour) in attrs and their links in *links (grown; the
 * caller frees the array).  size is the block's type size in points, for code and risen text.
 * A hard break becomes U+2028; an inline image its alt text. */
void pdf__inlines(const struct doc_node *block, const struct pdf__faces *faces, double size,
                  struct strbuf *text, PangoAttrList *attrs, struct pdf__link **links,
                  size_t *nlinks);

/* A paragraph broken into lines of width points, its lines leading points apart (baseline to
 * baseline, fixed: the fonts' own line heights do not count).  With justify, every line but the
 * last (and those ended by a hard break) is stretched to the full width by spreading its slack
 * evenly over the line-break opportunities inside it: between CJK characters and after spaces,
 * never inside a Latin word; a line that would need gaps wider than 0.6 em stays ragged. */
struct pdf__para {
    PangoLayout *layout;
    struct pdf__link *links; /* owned by the flow that made the paragraph; NULL = none */
    size_t nlinks;
    int nlines;
    double width, leading;
    double ascent;  /* the first baseline's distance below the top of the layout */
    double natural; /* the first line's own height (ascent + descent of its fonts) */
    double hang;    /* lines after the first start this far in (pdf__para_hang) */
};
ARC_WUR enum arc_err pdf__para_new(PangoContext *ctx, const char *text, PangoAttrList *attrs,
                                   const PangoFontDescription *font, double width, double leading,
                                   bool justify, struct pdf__para *out, struct strbuf *why);
/* Sets the lines after the first hang points in (a wrapped code line's continuations), breaking
 * the paragraph again; for paragraphs that are not justified.  A hang of half the width or more
 * is ignored. */
void pdf__para_hang(struct pdf__para *p, double hang);
/* The advance of line i as it will be drawn (justified), in points. */
double pdf__para_line_width(const struct pdf__para *p, int i);
/* Draws line i with its baseline at (x, baseline). */
void pdf__para_draw_line(cairo_t *cr, const struct pdf__para *p, int i, double x, double baseline);
void pdf__para_release(struct pdf__para *p);

/* --- the flow of blocks (flow.c) --- */

/* Sizes in points: one page profile with its type. */
struct pdf__style {
    double width;       /* of the text block */
    double text_height; /* of the text block */
    double body_size, leading, para_space;
    double h_size[4];
    double small_size, small_leading;
    double code_size, code_leading, code_pad;
    double list_indent, quote_indent;
};

enum pdf__item_kind {
    PDF__ITEM_LINE,
    PDF__ITEM_PICTURE,
    PDF__ITEM_RULE,
    PDF__ITEM_ROW,
    PDF__ITEM_SPACE
};

struct pdf__row;
struct page_pic;
struct pdf__tag {
    const char *name; /* a static string */
    bool attached;
};

/* A heading of a chapter's body: its text and the item of its first line. */
struct pdf__head {
    char *text;
    int level;
    size_t item;
};
struct pdf__item {
    enum pdf__item_kind kind;
    unsigned flags;
    double height, indent;
    int quote; /* quote depth: a rule each */
    /* lines */
    struct pdf__para *para;
    int line;
    char *marker; /* a list item's marker, on its first line */
    bool shade, shade_top, shade_bottom, continued;
    double shade_pad;
    /* pictures */
    char *path;
    double pic_w, pic_h;
    int px; /* decode at most this many pixels on the larger side */
    /* table rows */
    struct pdf__row *row;
    /* structure: the tags opened before it is drawn (f->opens[open_at ..+nopens], outermost
     * first) and how many are closed after it */
    size_t open_at;
    unsigned nopens, closes;
    /* placed by pdf__flow_paginate */
    size_t page;
    double y;
    bool dropped;
};

struct pdf__flow {
    PangoContext *ctx;
    const struct pdf__style *style;
    const struct pdf__faces *faces;
    const char *base;                        /* image paths are relative to it */
    void (*warn)(const char *msg, void *ud); /* a missing or broken picture */
    void *ud;
    size_t images, passthrough; /* pictures drawn, of them JPEG bytes as they are */
    size_t unknown_glyphs;      /* characters no font has (drawn as boxes) */
    struct pdf__item *items;
    size_t nitems, items_alloc;
    struct pdf__para **paras;
    size_t nparas, paras_alloc;
    size_t npages;
    struct pdf__prefetch *prefetch; /* NULL: pictures are loaded when drawn */
    struct page_pic *pics;          /* the pictures of the page being drawn */
    size_t npics, pics_alloc;
    /* structure tags: the items' opens; while building, the elements begun (an element is
     * attached to the first item added inside it, so an empty one leaves no tag); while
     * drawing, the elements open */
    const char **opens;
    size_t nopens, opens_alloc;
    struct pdf__tag *building;
    size_t nbuilding, building_alloc;
    size_t last_content; /* the last item that is not space, + 1 (0: none) */
    const char **drawing;
    size_t ndrawing, drawing_alloc;
    /* Called after each item is drawn, inside its elements (the contents' page numbers). */
    void (*after_item)(struct pdf__flow *f, cairo_t *cr, size_t item, double x0, double y0,
                       void *ud);
    void *after_ud;
    /* while building */
    bool flat;               /* lists and quotes as plain paragraphs (the index's notes) */
    struct pdf__head *heads; /* the body's headings, for the outline */
    size_t nheads, heads_alloc;
    double indent;
    double right; /* text kept this far from the right edge (the contents' page numbers) */
    int quote, list_depth;
    unsigned keep_next;
    const char *marker;
    int head_rank[7]; /* a body heading level's rank among the levels its Doc uses (1: top) */
};

void pdf__flow_init(struct pdf__flow *f, PangoContext *ctx, const struct pdf__style *style,
                    const struct pdf__faces *faces);
/* Adds a Doc tree's blocks; image files are relative to base (NULL: placeholders). */
void pdf__flow_doc(struct pdf__flow *f, const struct doc_node *root, const char *base);
/* Adds a plain paragraph (titles, bylines); keep_after binds that many following lines to it; tag
 * is its structure element ("P", "H1"; NULL: none). */
void pdf__flow_text(struct pdf__flow *f, const char *text, const char *family, double size,
                    double leading, bool bold, unsigned keep_after, const char *tag);
/* The tagged structure (PDF structure element types, static strings): what is added between
 * begin and end is inside the element.  cairo 1.16 cannot mark content as an artifact, so that an
 * element spanning a page break would take in the running head and page number drawn on the next
 * page: the elements still open at the end of a page are closed there and begun again on the
 * next one (a paragraph across a break is two P elements). */
void pdf__flow_begin(struct pdf__flow *f, const char *tag);
void pdf__flow_end(struct pdf__flow *f);
void pdf__flow_space(struct pdf__flow *f, double h);
void pdf__flow_table(struct pdf__flow *f, const struct doc_node *table);
/* Places every item on pages of height points (first_height on the first); returns the count. */
size_t pdf__flow_paginate(struct pdf__flow *f, double first_height, double height);
/* Draws the items of one page with the text block's top left at (x0, y0). */
void pdf__flow_draw(struct pdf__flow *f, cairo_t *cr, size_t page, double x0, double y0);
void pdf__flow_draw_row(struct pdf__flow *f, cairo_t *cr, const struct pdf__item *it, double x,
                        double y);
void pdf__flow_draw_picture(struct pdf__flow *f, cairo_t *cr, const struct pdf__item *it, double x,
                            double y);
void pdf__row_free(struct pdf__row *r);
void pdf__flow_release(struct pdf__flow *f);

/* --- pictures (picture.c) --- */

/* A picture ready to draw: a cairo image surface of its size in pixels.  A JPEG (not CMYK, not
 * turned by EXIF; of any size) keeps its bytes: they are attached to the surface as
 * CAIRO_MIME_TYPE_JPEG with CAIRO_MIME_TYPE_UNIQUE_ID, so the PDF embeds them untouched and a
 * picture drawn twice once; its pixels are never decoded (the surface's memory, allocated but
 * never written, costs no RSS).  Anything else is decoded by image/ (scaled to at most max_px on
 * the larger side when max_px > 0), converted to cairo's premultiplied ARGB32 and the decoded
 * pixels freed at once. */
struct pdf__picture {
    cairo_surface_t *surface; /* owned: pdf__picture_release() */
    int width, height;        /* of the surface */
    bool passthrough;         /* JPEG bytes as they are */
};

/* unique_id names the content (the archive's file name is a content hash); NULL: one is made
 * from the bytes.  A JPEG passed through takes data's buffer (data is left empty, nothing is
 * copied); otherwise data is left as it was.  ARC_EPARSE for what does not decode, ARC_ENOMEM. */
ARC_WUR enum arc_err pdf__picture_load(struct strbuf *data, const char *unique_id, int max_px,
                                       struct pdf__picture *out, struct strbuf *why);
void pdf__picture_release(struct pdf__picture *p);
/* Reads path and loads it as pdf__picture_load does; false when it cannot be read or drawn. */
bool pdf__picture_from_file(const char *path, const char *uid, int max_px,
                            struct pdf__picture *out);
/* The unique id picture item i is embedded under: its file name (a content hash), or with "#n"
 * for its n-th use on the same page: cairo 1.16 lists a surface's XObject in the page's
 * resources at each use, so a picture used twice on one page would put the same key twice in
 * that dictionary (qpdf warns).  Owned by the caller. */
char *pdf__picture_uid(const struct pdf__flow *f, size_t item);

/* --- pictures loaded ahead on a second thread (prefetch.c) --- */

struct pdf__prefetch;
/* Starts the worker thread; NULL when it cannot be started. */
struct pdf__prefetch *pdf__prefetch_new(void);
/* Stops the worker and frees what it holds; NULL is fine. */
void pdf__prefetch_free(struct pdf__prefetch *pf);
/* Queues the pictures of a paginated flow in item order (what was queued before is dropped). */
void pdf__prefetch_start(struct pdf__prefetch *pf, const struct pdf__flow *f);
/* Page page of the flow is being drawn: the worker loads the pictures up to the next page. */
void pdf__prefetch_page(struct pdf__prefetch *pf, size_t page);
/* Item item's picture, waiting for it: 1 loaded (*out is the caller's), 0 it failed, -1 it was
 * not queued. */
int pdf__prefetch_take(struct pdf__prefetch *pf, size_t item, struct pdf__picture *out);

#endif
