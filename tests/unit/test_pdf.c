/* tests/unit/test_pdf.c: the cover: a PNG of the asked size, the same bytes each time, whatever
 * the title's length.  Fonts come from fonts/fonts.conf under $ARCHIVER_DATADIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "pdf/pdf.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_cover_is_a_png_of_the_asked_size),
        cmocka_unit_test(test_pdf_cover_is_deterministic),
        cmocka_unit_test(test_pdf_cover_long_and_empty_titles_fit),
        cmocka_unit_test(test_pdf_cover_bad_size_is_refused),
        cmocka_unit_test(test_pdf_cover_missing_fonts_conf_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
