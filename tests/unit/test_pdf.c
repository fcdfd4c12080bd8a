/* tests/unit/test_pdf.c: the cover: a PNG of the asked size, the same bytes each time, whatever
 * the title's length.  Fonts come from fonts/fonts.conf under $ARCHIVER_DATADIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <unistd.h>

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
    if (pdf__picture_load(sb.buf, sb.len, NULL, max_px, p, &why) != ARC_OK)
        fail_msg("%s: %s", name, why.buf);
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
    load_picture("big.jpg", 100, &small);
    assert_false(small.passthrough);
    assert_int_equal(small.width, 100);
    assert_int_equal(small.height, 75);
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
    assert_int_equal(pdf__picture_load("not a picture", 13, NULL, 0, &small, &why), ARC_EPARSE);

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_cover_is_a_png_of_the_asked_size),
        cmocka_unit_test(test_pdf_cover_is_deterministic),
        cmocka_unit_test(test_pdf_cover_long_and_empty_titles_fit),
        cmocka_unit_test(test_pdf_cover_bad_size_is_refused),
        cmocka_unit_test(test_pdf_cover_missing_fonts_conf_is_reported),
        cmocka_unit_test(test_pdf_pictures_jpeg_passes_through_the_rest_is_premultiplied),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
