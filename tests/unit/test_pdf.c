/* tests/unit/test_pdf.c: the cover: a PNG of the asked size, the same bytes each time, whatever
 * the title's length.  Fonts come from fonts/fonts.conf under $ARCHIVER_DATADIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <unistd.h>

#include "convert/convert.h"
#include "image/image.h"
#include "pdf/internal.h"
#include "pdf/pdf.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strbuf.h"

/* Draws the cover and checks that it decodes at its size. */
static void cover(const struct pdf_cover *c, struct strbuf *png)
{
    struct strbuf why = STRBUF_INIT;
    struct img_info info;

    strbuf_reset(png);
    if (pdf_cover_png(c, png, &why) != ARC_OK)
        fail_msg("cover: %s", why.buf);
    if (img_validate(png->buf, png->len, &info, &why) != ARC_OK)
        fail_msg("cover does not decode: %s", why.buf);
    assert_int_equal(info.format, IMG_PNG);
    assert_int_equal(info.width, c->width ? c->width : PDF_COVER_WIDTH);
    assert_int_equal(info.height, c->height ? c->height : PDF_COVER_HEIGHT);
    strbuf_release(&why);
}

static void test_pdf_cover_is_a_png_of_the_asked_size(void **state)
{
    struct pdf_cover c = {
        .title = "深入理解计算机系统：内存与调试笔记",
        .subtitle = "2024年3月–12月",
        .line = "42 篇文章",
        .lang = "zh-CN",
    };
    struct strbuf png = STRBUF_INIT;
    (void)state;

    cover(&c, &png);
    c.width = 600;
    c.height = 800;
    cover(&c, &png);
    strbuf_release(&png);
}

static void test_pdf_cover_is_deterministic(void **state)
{
    const struct pdf_cover c = {
        .title = "Notes on Memory Debugging",
        .subtitle = "March–December 2024",
        .line = "42 articles",
        .lang = "en",
        .width = 400,
        .height = 640,
    };
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    (void)state;

    cover(&c, &a);
    cover(&c, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    strbuf_release(&a);
    strbuf_release(&b);
}

static void test_pdf_cover_long_and_empty_titles_fit(void **state)
{
    struct strbuf title = STRBUF_INIT, png = STRBUF_INIT;
    struct pdf_cover c = { .width = 400, .height = 640 };
    (void)state;

    for (int i = 0; i < 60; i++)
        strbuf_addstr(&title, "一个非常长的标题 and a very long title ");
    c.title = title.buf;
    c.subtitle = title.buf;
    c.line = title.buf;
    cover(&c, &png);
    c.title = "";
    c.subtitle = NULL;
    c.line = NULL;
    cover(&c, &png);
    c.title = NULL;
    cover(&c, &png);
    strbuf_release(&title);
    strbuf_release(&png);
}

static void test_pdf_cover_bad_size_is_refused(void **state)
{
    struct pdf_cover c = { .title = "x", .width = 100000, .height = 100 };
    struct strbuf png = STRBUF_INIT, why = STRBUF_INIT;
    (void)state;

    assert_int_equal(pdf_cover_png(&c, &png, &why), ARC_EINVAL);
    assert_int_equal(png.len, 0);
    assert_true(why.len > 0);
    strbuf_release(&png);
    strbuf_release(&why);
}

static void test_pdf_cover_missing_fonts_conf_is_reported(void **state)
{
    struct pdf_cover c = { .title = "x" };
    struct strbuf png = STRBUF_INIT, why = STRBUF_INIT;
    char *saved = getenv("ARCHIVER_DATADIR");
    (void)state;

    saved = saved ? strdup(saved) : NULL;
    setenv("ARCHIVER_DATADIR", "/nonexistent", 1);
    assert_int_equal(pdf_cover_png(&c, &png, &why), ARC_ENOTFOUND);
    assert_non_null(strstr(why.buf, "fonts.conf"));
    if (saved)
        setenv("ARCHIVER_DATADIR", saved, 1);
    else
        unsetenv("ARCHIVER_DATADIR");
    free(saved);
    strbuf_release(&png);
    strbuf_release(&why);
}

static void load_picture(const char *name, int max_px, struct pdf__picture *p)
{
    char *path = xasprintf("%s/image/%s", TEST_DATADIR, name);
    struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;

    if (fs_read_file(path, 0, &sb, NULL) != ARC_OK)
        fail_msg("cannot read %s", path);
    if (pdf__picture_load(&sb, NULL, max_px, p, &why) != ARC_OK)
        fail_msg("%s: %s", name, why.buf);
    /* a JPEG passed through took the bytes; a decoded picture left them */
    assert_int_equal(sb.len == 0, p->passthrough);
    strbuf_release(&sb);
    strbuf_release(&why);
    free(path);
}

static void draw(cairo_t *cr, const struct pdf__picture *p, double x)
{
    cairo_save(cr);
    cairo_translate(cr, x, 10);
    cairo_scale(cr, 0.25, 0.25);
    cairo_set_source_surface(cr, p->surface, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
}

static size_t count(const struct strbuf *sb, const char *needle)
{
    size_t n = 0, k = strlen(needle);

    for (const char *p = sb->buf; (p = memmem(p, sb->len - (size_t)(p - sb->buf), needle, k));
         p += k)
        n++;
    return n;
}

static void test_pdf_pictures_jpeg_passes_through_the_rest_is_premultiplied(void **state)
{
    char path[] = "/tmp/archiver-test-pdf-XXXXXX";
    int fd = mkstemp(path);
    struct pdf__picture jpg, jpg2, cmyk, rot, small, webp, gif;
    struct strbuf pdf = STRBUF_INIT, why = STRBUF_INIT;
    cairo_surface_t *surface;
    cairo_t *cr;
    int seen_partial = 0;
    (void)state;

    assert_true(fd >= 0);
    close(fd);
    load_picture("big.jpg", 0, &jpg);
    assert_true(jpg.passthrough);
    assert_int_equal(jpg.width, 480);
    assert_int_equal(jpg.height, 360);
    load_picture("big.jpg", 0, &jpg2);
    load_picture("cmyk.jpg", 0, &cmyk);
    assert_false(cmyk.passthrough); /* decoded: viewers get CMYK JPEGs' colours wrong */
    load_picture("rot.jpg", 0, &rot);
    assert_false(rot.passthrough); /* turned upright */
    assert_true(rot.height > rot.width);
    load_picture("big.jpg", 100, &small); /* a JPEG goes in as it is, whatever its size */
    assert_true(small.passthrough);
    assert_int_equal(small.width, 480);
    pdf__picture_release(&small);
    load_picture("small.png", 50, &small); /* the rest is scaled to what the page needs */
    assert_false(small.passthrough);
    assert_true(small.width <= 50 && small.height <= 50);
    pdf__picture_release(&small);
    load_picture("alpha.webp", 0, &webp);
    assert_int_equal(cairo_image_surface_get_format(webp.surface), CAIRO_FORMAT_ARGB32);
    {
        const unsigned char *d = cairo_image_surface_get_data(webp.surface);
        int stride = cairo_image_surface_get_stride(webp.surface);

        for (int y = 0; y < webp.height; y++)
            for (int x = 0; x < webp.width; x++) {
                uint32_t v = *(const uint32_t *)(const void *)(d + y * stride + x * 4);
                uint32_t a = v >> 24, r = v >> 16 & 255, g = v >> 8 & 255, b = v & 255;
                assert_true(r <= a && g <= a && b <= a); /* premultiplied */
                seen_partial += a < 255;
            }
        assert_true(seen_partial > 0);
    }
    load_picture("anim.gif", 0, &gif);
    assert_int_equal(gif.width, 300);
    {
        struct strbuf junk = STRBUF_INIT;
        strbuf_addstr(&junk, "not a picture");
        assert_int_equal(pdf__picture_load(&junk, NULL, 0, &small, &why), ARC_EPARSE);
        assert_string_equal(junk.buf, "not a picture"); /* left as it was */
        strbuf_release(&junk);
    }

    surface = cairo_pdf_surface_create(path, 595, 842);
    cr = cairo_create(surface);
    draw(cr, &jpg, 10);
    draw(cr, &jpg2, 150); /* the same JPEG again: embedded once */
    draw(cr, &cmyk, 290);
    draw(cr, &rot, 430);
    draw(cr, &webp, 10);
    draw(cr, &gif, 150);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    assert_int_equal(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(surface);
    pdf__picture_release(&jpg);
    pdf__picture_release(&jpg2);
    pdf__picture_release(&cmyk);
    pdf__picture_release(&rot);
    pdf__picture_release(&webp);
    pdf__picture_release(&gif);

    assert_int_equal(fs_read_file(path, 0, &pdf, NULL), ARC_OK);
    assert_int_equal(count(&pdf, "/DCTDecode"), 1);
    assert_int_equal(count(&pdf, "/DeviceCMYK"), 0);
    assert_true(count(&pdf, "/Subtype /Image") >= 5);
    unlink(path);
    strbuf_release(&pdf);
    strbuf_release(&why);
}

/* The width changes justification made to each glyph of line i (justified minus natural). */
static int deltas(const struct pdf__para *j, const struct pdf__para *n, int i, int *out, int max)
{
    PangoLayoutLine *lj = pango_layout_get_line_readonly(j->layout, i);
    PangoLayoutLine *ln = pango_layout_get_line_readonly(n->layout, i);
    GSList *rj = lj->runs, *rn = ln->runs;
    int k = 0;

    for (; rj && rn; rj = rj->next, rn = rn->next) {
        PangoGlyphItem *gj = rj->data, *gn = rn->data;
        assert_int_equal(gj->glyphs->num_glyphs, gn->glyphs->num_glyphs);
        for (int g = 0; g < gj->glyphs->num_glyphs && k < max; g++)
            out[k++] = gj->glyphs->glyphs[g].geometry.width - gn->glyphs->glyphs[g].geometry.width;
    }
    return k;
}

static void test_pdf_para_justifies_over_break_opportunities(void **state)
{
    static const char text[] =
        "在Linux系统中，epoll是一种高效的I/O多路复用机制，它可以同时监视大量的文件描述符。"
        "The quick brown fox jumps over the lazy dog, and 中文与English混排的段落需要两端对齐，"
        "而不是把所有的空白都塞进几个ASCII空格里。最后一行保持不齐。";
    PangoFontMap *fm;
    PangoContext *ctx;
    PangoFontDescription *font = pango_font_description_from_string("Noto Serif CJK SC 10.5");
    struct pdf__para just, nat;
    struct strbuf why = STRBUF_INIT;
    int d[1024], cjk_gaps = 0;
    (void)state;

    assert_int_equal(pdf__fontmap_new(&fm, &why), ARC_OK);
    ctx = pdf__context_new(fm, "zh-CN");
    assert_int_equal(pdf__para_new(ctx, text, NULL, font, 240, 18, true, &just, &why), ARC_OK);
    assert_int_equal(pdf__para_new(ctx, text, NULL, font, 240, 18, false, &nat, &why), ARC_OK);
    assert_true(just.nlines >= 4);
    assert_int_equal(just.nlines, nat.nlines); /* justifying never re-breaks */
    assert_true(just.ascent > 5 && just.ascent < 18);
    for (int i = 0; i < just.nlines; i++) {
        double w = pdf__para_line_width(&just, i);
        int n = deltas(&just, &nat, i, d, 1024), lo = 1 << 30, hi = 0, grown = 0;

        if (i == just.nlines - 1) { /* the last line stays as it was */
            assert_true(fabs(w - pdf__para_line_width(&nat, i)) < 1e-6);
            assert_true(w < 240);
            continue;
        }
        assert_true(fabs(w - 240) < 0.01);
        for (int k = 0; k < n; k++) {
            if (!d[k])
                continue;
            grown++;
            lo = d[k] < lo ? d[k] : lo;
            hi = d[k] > hi ? d[k] : hi;
        }
        /* the slack is spread evenly (pango units: the remainder goes one by one) */
        assert_true(grown > 0);
        assert_true(hi - lo <= 1);
        cjk_gaps += grown;
    }
    /* far more gaps than the text has spaces: CJK opportunities took their share */
    assert_true(cjk_gaps > 20);
    {
        /* Both set on a page, for a look: ARCHIVER_TEST_KEEP=DIR keeps para.pdf there. */
        const char *keep = getenv("ARCHIVER_TEST_KEEP");
        char *path = xasprintf("%s/para.pdf", keep ? keep : "/tmp");
        cairo_surface_t *surface = cairo_pdf_surface_create(path, 320, 400);
        cairo_t *cr = cairo_create(surface);

        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_rectangle(cr, 40, 20, 240, 360);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        for (int i = 0; i < just.nlines; i++)
            pdf__para_draw_line(cr, &just, i, 40, 40 + i * 18);
        for (int i = 0; i < nat.nlines; i++)
            pdf__para_draw_line(cr, &nat, i, 40, 220 + i * 18);
        cairo_destroy(cr);
        cairo_surface_finish(surface);
        assert_int_equal(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
        cairo_surface_destroy(surface);
        if (!keep)
            unlink(path);
        free(path);
    }
    pdf__para_release(&just);
    pdf__para_release(&nat);
    pango_font_description_free(font);
    g_object_unref(ctx);
    g_object_unref(fm);
    strbuf_release(&why);
}

/* Emoji are drawn from a font (Symbola, fonts/fonts.conf), never as empty boxes. */
static void test_pdf_para_emoji_have_glyphs(void **state)
{
    PangoFontMap *fm;
    PangoContext *ctx;
    PangoFontDescription *font = pango_font_description_from_string("Noto Serif CJK SC 10.5");
    struct pdf__para p;
    struct strbuf why = STRBUF_INIT;
    int glyphs = 0;
    (void)state;

    assert_int_equal(pdf__fontmap_new(&fm, &why), ARC_OK);
    ctx = pdf__context_new(fm, "zh-CN");
    assert_int_equal(pdf__para_new(ctx, "笑脸😀火箭🚀心❤️齿轮⚙️", NULL, font,
                                   300, 18, false, &p, &why),
                     ARC_OK);
    for (int i = 0; i < p.nlines; i++) {
        PangoLayoutLine *line = pango_layout_get_line_readonly(p.layout, i);
        for (GSList *r = line->runs; r; r = r->next) {
            PangoGlyphItem *gi = r->data;
            for (int g = 0; g < gi->glyphs->num_glyphs; g++, glyphs++)
                assert_false(gi->glyphs->glyphs[g].glyph & PANGO_GLYPH_UNKNOWN_FLAG);
        }
    }
    assert_true(glyphs >= 10);
    pdf__para_release(&p);
    pango_font_description_free(font);
    g_object_unref(ctx);
    g_object_unref(fm);
    strbuf_release(&why);
}

/* --- the tagged structure --- */

static cairo_status_t to_strbuf(void *closure, const unsigned char *data, unsigned int len)
{
    strbuf_add(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

/* Every kind of block of a hand-written page, laid out on pages small enough that blocks break
 * across them: each gets its structure element, tables their rows and cells, lists their
 * labels and bodies, and what is open at a page's end is closed there (cairo 1.16 has no
 * artifacts: a running head must not land inside a paragraph). */
static void test_pdf_flow_tags_the_structure(void **state)
{
    char *path = xasprintf("%s/doc/handwritten.html", TEST_DATADIR);
    struct strbuf html = STRBUF_INIT, pdf = STRBUF_INIT, why = STRBUF_INIT;
    struct doc *doc = NULL;
    PangoFontMap *fm;
    PangoContext *ctx;
    struct pdf__faces faces;
    struct pdf__style st = { 0 };
    struct pdf__flow f;
    cairo_surface_t *s;
    cairo_t *cr;
    size_t pages;
    static const char *const want[] = {
        "/S /Document", "/S /Sect", "/S /H2",     "/S /P",       "/S /L",
        "/S /LI",       "/S /Lbl",  "/S /LBody",  "/S /Table",   "/S /TR",
        "/S /TH",       "/S /TD",   "/S /Figure", "/S /Caption", "/S /Code",
    };
    (void)state;

    assert_int_equal(fs_read_file(path, 0, &html, &why), ARC_OK);
    assert_int_equal(conv_read_xhtml(html.buf, html.len, &doc, &why), ARC_OK);
    assert_int_equal(pdf__fontmap_new(&fm, &why), ARC_OK);
    ctx = pdf__context_new(fm, "en");
    pdf__faces_for("en", &faces);
    st.width = 200;
    st.text_height = 90; /* five lines a page: the list and the table break */
    st.body_size = 10;
    st.leading = 16;
    st.para_space = 8;
    for (int i = 0; i < 4; i++)
        st.h_size[i] = 14 - 1.5 * i;
    st.small_size = 8.5;
    st.small_leading = 14;
    st.code_size = 8;
    st.code_leading = 13;
    st.code_pad = 6;
    st.list_indent = 20;
    st.quote_indent = 12;
    pdf__flow_init(&f, ctx, &st, &faces);
    pdf__flow_begin(&f, "Sect");
    pdf__flow_doc(&f, doc->root, NULL);
    pdf__flow_end(&f);
    pdf__flow_begin(&f, "P");
    pdf__flow_end(&f); /* empty: no element */
    pages = pdf__flow_paginate(&f, st.text_height, st.text_height);
    assert_true(pages >= 4);
    assert_int_equal(f.nbuilding, 0);

    s = cairo_pdf_surface_create_for_stream(to_strbuf, &pdf, 300, 200);
    cr = cairo_create(s);
    cairo_tag_begin(cr, "Document", NULL);
    for (size_t p = 0; p < pages; p++) {
        pdf__flow_draw(&f, cr, p, 50, 50);
        assert_int_equal(f.ndrawing > 0, p + 1 < pages); /* the Sect goes on, then ends */
        /* what a running head would be: drawn with no element of the flow open */
        cairo_move_to(cr, 10, 10);
        cairo_show_text(cr, "17");
        cairo_show_page(cr);
    }
    cairo_tag_end(cr, "Document");
    cairo_destroy(cr);
    cairo_surface_finish(s);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (!count(&pdf, want[i]))
            fprintf(stderr, "no %s in the structure\n", want[i]);
        assert_true(count(&pdf, want[i]) > 0);
    }
    /* the Sect is begun again on each page; one Document; h2 is the body's top level: H2 */
    assert_int_equal(count(&pdf, "/S /Sect"), pages);
    assert_int_equal(count(&pdf, "/S /Document"), 1);
    assert_int_equal(count(&pdf, "/S /H3"), 0);
    /* two pictures (placeholders here: no base folder), one list label per item (2 + 1 nested + 1)
     */
    assert_int_equal(count(&pdf, "/S /Figure"), 2);
    assert_int_equal(count(&pdf, "/S /Lbl"), 4);

    pdf__flow_release(&f);
    g_object_unref(ctx);
    g_object_unref(fm);
    doc_free(doc);
    strbuf_release(&html);
    strbuf_release(&pdf);
    strbuf_release(&why);
    free(path);
}

/* The PDF of one 400 x 400 picture of flat colour, its streams at zlib level `level`. */
static size_t pdf_of_flat_picture(int level)
{
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 400, 400);
    cairo_t *cr = cairo_create(img);
    struct strbuf out = STRBUF_INIT;
    cairo_surface_t *pdf;
    size_t n;

    cairo_set_source_rgb(cr, 0.2, 0.5, 0.8);
    cairo_paint(cr);
    cairo_destroy(cr);
    pdf__deflate_level = level;
    pdf = cairo_pdf_surface_create_for_stream(to_strbuf, &out, 400, 400);
    cr = cairo_create(pdf);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_finish(pdf);
    assert_int_equal(cairo_surface_status(pdf), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(pdf);
    cairo_surface_destroy(img);
    n = out.len;
    strbuf_release(&out);
    return n;
}

/* cairo starts its streams with deflateInit() at zlib's default level; the program's deflateInit_
 * (pdf/deflate.c) comes first and uses pdf__deflate_level: level 0 stores the 480,000 bytes of
 * pixels as they are, level 3 makes them a few KB.  Fails if cairo reaches zlib's own. */
static void test_pdf_cairo_deflates_at_the_chosen_level(void **state)
{
    size_t stored, fast;

    (void)state;
    stored = pdf_of_flat_picture(0);
    fast = pdf_of_flat_picture(3);
    pdf__deflate_level = -1;
    assert_true(stored > 400 * 400 * 3);
    assert_true(fast < 20000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_cover_is_a_png_of_the_asked_size),
        cmocka_unit_test(test_pdf_cover_is_deterministic),
        cmocka_unit_test(test_pdf_cover_long_and_empty_titles_fit),
        cmocka_unit_test(test_pdf_cover_bad_size_is_refused),
        cmocka_unit_test(test_pdf_cover_missing_fonts_conf_is_reported),
        cmocka_unit_test(test_pdf_pictures_jpeg_passes_through_the_rest_is_premultiplied),
        cmocka_unit_test(test_pdf_para_justifies_over_break_opportunities),
        cmocka_unit_test(test_pdf_para_emoji_have_glyphs),
        cmocka_unit_test(test_pdf_flow_tags_the_structure),
        cmocka_unit_test(test_pdf_cairo_deflates_at_the_chosen_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
