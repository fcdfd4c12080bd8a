/* tests/unit/test_image_transcode.c: img_probe() and img_transcode() on the small pictures of
 * tests/data/image/ (made once with ImageMagick and cwebp from its built-in logo). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <unistd.h>

#include "image/image.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strbuf.h"

static void load(const char *name, struct strbuf *sb)
{
    char *path = xasprintf("%s/image/%s", TEST_DATADIR, name);

    strbuf_reset(sb);
    if (fs_read_file(path, 0, sb, NULL) != ARC_OK)
        fail_msg("cannot read %s", path);
    free(path);
}

/* Transcodes a test picture; fails the test on an error. */
static void transcode(const char *name, int max_px, unsigned flags, struct img_output *out)
{
    struct strbuf in = STRBUF_INIT, why = STRBUF_INIT;

    load(name, &in);
    if (img_transcode(in.buf, in.len, max_px, flags, out, &why) != ARC_OK)
        fail_msg("%s: %s", name, why.buf);
    strbuf_release(&in);
    strbuf_release(&why);
}

/* The output decodes, is what it says it is, and has the size it says it has. */
static void check_output(const struct img_output *out, enum img_format format, int w, int h)
{
    struct strbuf why = STRBUF_INIT;
    struct img_info info;

    assert_true(out->changed);
    assert_int_equal(out->format, format);
    assert_int_equal(out->width, w);
    assert_int_equal(out->height, h);
    if (img_validate(out->buf.buf, out->buf.len, &info, &why) != ARC_OK)
        fail_msg("output does not decode: %s", why.buf);
    assert_int_equal(info.format, format);
    assert_int_equal(info.width, w);
    assert_int_equal(info.height, h);
    assert_false(info.cmyk);
    assert_int_equal(info.orientation, 1);
    strbuf_release(&why);
}

static void test_image_transcode_probe_reads_headers(void **state)
{
    struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;
    struct img_info info;
    (void)state;

    load("big.jpg", &sb);
    assert_int_equal(img_probe(sb.buf, sb.len, &info, &why), ARC_OK);
    assert_int_equal(info.format, IMG_JPEG);
    assert_int_equal(info.width, 480);
    assert_int_equal(info.height, 360);
    assert_int_equal(info.orientation, 1);
    assert_false(info.cmyk);

    load("rot.jpg", &sb);
    assert_int_equal(img_probe(sb.buf, sb.len, &info, &why), ARC_OK);
    assert_int_equal(info.orientation, 6);
    assert_int_equal(info.width, 200);

    load("cmyk.jpg", &sb);
    assert_int_equal(img_probe(sb.buf, sb.len, &info, &why), ARC_OK);
    assert_true(info.cmyk);

    load("alpha.webp", &sb);
    assert_int_equal(img_probe(sb.buf, sb.len, &info, &why), ARC_OK);
    assert_int_equal(info.format, IMG_WEBP);
    assert_int_equal(info.width, 160);
    assert_int_equal(info.height, 120);

    load("anim.gif", &sb);
    assert_int_equal(img_probe(sb.buf, sb.len, &info, &why), ARC_OK);
    assert_int_equal(info.width, 300);
    assert_int_equal(info.height, 200);
    strbuf_release(&sb);
    strbuf_release(&why);
}

/* Writes data to dir/name and returns the path. */
static char *put(const char *dir, const char *name, const void *data, size_t len)
{
    char *path = xasprintf("%s/%s", dir, name);

    if (fs_write_atomic(path, data, len, 0644, NULL) != ARC_OK)
        fail_msg("cannot write %s", path);
    return path;
}

/* img_probe_file() says what img_probe() says of the same bytes. */
static void same_as_probe(const char *path, const struct strbuf *bytes)
{
    struct img_info a, b;
    struct strbuf why = STRBUF_INIT;
    enum arc_err ea = img_probe(bytes->buf, bytes->len, &a, NULL);
    enum arc_err eb = img_probe_file(path, &b, &why);

    assert_int_equal(ea, eb);
    if (!ea) {
        assert_int_equal(a.format, b.format);
        assert_int_equal(a.width, b.width);
        assert_int_equal(a.height, b.height);
        assert_int_equal(a.orientation, b.orientation);
        assert_int_equal(a.cmyk, b.cmyk);
    } else {
        assert_non_null(strstr(why.buf, "truncated"));
    }
    strbuf_release(&why);
}

/* A JPEG with two comment segments of 60000 bytes: past 64 KiB, so that the probe reads the
 * file's two ends only when they come before the scan (the frame header in the head), and has to
 * read it all when they come right after SOI (the frame header past the head). */
static void padded_jpeg(const struct strbuf *jpeg, bool after_soi, struct strbuf *out)
{
    const char *sos = memmem(jpeg->buf, jpeg->len, "\xFF\xDA", 2);
    size_t at = after_soi ? 2 : (size_t)(sos - jpeg->buf);

    assert_non_null(sos);
    strbuf_reset(out);
    strbuf_add(out, jpeg->buf, at);
    for (int i = 0; i < 2; i++) {
        strbuf_add(out, "\xFF\xFE\xEA\x62", 4); /* COM, length 60002 */
        for (int k = 0; k < 60000; k++)
            strbuf_addch(out, 'x');
    }
    strbuf_add(out, jpeg->buf + at, jpeg->len - at);
}

static void test_image_transcode_probe_file_reads_the_two_ends(void **state)
{
    static const char *const names[] = { "big.jpg",  "rot.jpg",    "cmyk.jpg",  "small.png",
                                         "anim.gif", "alpha.webp", "photo.webp" };
    char tmpl[] = "/tmp/archiver-probe.XXXXXX", *dir = mkdtemp(tmpl), *path;
    struct strbuf sb = STRBUF_INIT, big = STRBUF_INIT, why = STRBUF_INIT;
    struct img_info info;
    (void)state;

    assert_non_null(dir);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        load(names[i], &sb);
        path = put(dir, names[i], sb.buf, sb.len);
        same_as_probe(path, &sb);
        sb.len -= 30; /* cut short: refused both ways */
        path = (free(path), put(dir, names[i], sb.buf, sb.len));
        if (strstr(names[i], ".webp") == NULL)
            same_as_probe(path, &sb);
        unlink(path);
        free(path);
    }
    load("rot.jpg", &sb);
    for (int n = 0; n < 2; n++) {
        padded_jpeg(&sb, n, &big);
        assert_true(big.len > IMG_PROBE_HEAD + IMG_PROBE_TAIL);
        path = put(dir, "padded.jpg", big.buf, big.len);
        same_as_probe(path, &big);
        assert_int_equal(img_probe_file(path, &info, NULL), ARC_OK);
        assert_int_equal(info.orientation, 6);
        assert_int_equal(info.width, 200);
        big.len -= 100; /* the end-of-image marker is gone */
        path = (free(path), put(dir, "padded.jpg", big.buf, big.len));
        same_as_probe(path, &big);
        unlink(path);
        free(path);
    }
    /* A PNG with a 100000-byte text chunk after IHDR. */
    load("small.png", &sb);
    strbuf_reset(&big);
    strbuf_add(&big, sb.buf, 33);
    strbuf_add(&big, "\x00\x01\x86\xA0tEXt", 8);
    for (int k = 0; k < 100000; k++)
        strbuf_addch(&big, 'p');
    strbuf_add(&big, "\0\0\0\0", 4);
    strbuf_add(&big, sb.buf + 33, sb.len - 33);
    path = put(dir, "padded.png", big.buf, big.len);
    same_as_probe(path, &big);
    big.len -= 4;
    path = (free(path), put(dir, "padded.png", big.buf, big.len));
    same_as_probe(path, &big);
    unlink(path);
    free(path);

    path = xasprintf("%s/none.png", dir);
    assert_int_equal(img_probe_file(path, &info, &why), ARC_ENOTFOUND);
    assert_non_null(strstr(why.buf, "cannot open: No such file"));
    free(path);
    rmdir(dir);
    strbuf_release(&sb);
    strbuf_release(&big);
    strbuf_release(&why);
}

static void test_image_transcode_lossy_webp_becomes_jpeg(void **state)
{
    struct img_output out = IMG_OUTPUT_INIT;
    (void)state;

    transcode("photo.webp", 0, IMG_TX_EPUB, &out);
    check_output(&out, IMG_JPEG, 300, 225);
    img_output_release(&out);
}

static void test_image_transcode_transparent_webp_becomes_png(void **state)
{
    struct img_output out = IMG_OUTPUT_INIT;
    (void)state;

    transcode("alpha.webp", 0, IMG_TX_EPUB, &out);
    check_output(&out, IMG_PNG, 160, 120);
    transcode("alpha.webp", 80, IMG_TX_EPUB, &out);
    check_output(&out, IMG_PNG, 80, 60);
    img_output_release(&out);
}

static void test_image_transcode_big_jpeg_is_scaled_down(void **state)
{
    struct img_output out = IMG_OUTPUT_INIT;
    (void)state;

    transcode("big.jpg", 200, 0, &out);
    check_output(&out, IMG_JPEG, 200, 150);
    /* Not past the limit: nothing to do. */
    transcode("big.jpg", 480, IMG_TX_EPUB, &out);
    assert_false(out.changed);
    assert_int_equal(out.buf.len, 0);
    img_output_release(&out);
}

static void test_image_transcode_small_png_is_unchanged(void **state)
{
    struct img_output out = IMG_OUTPUT_INIT;
    (void)state;

    transcode("small.png", 200, IMG_TX_EPUB, &out);
    assert_false(out.changed);
    assert_int_equal(out.format, IMG_PNG);
    assert_int_equal(out.width, 120);
    assert_int_equal(out.height, 90);
    assert_int_equal(out.buf.len, 0);
    /* Scaled down, a PNG stays a PNG. */
    transcode("small.png", 60, IMG_TX_EPUB, &out);
    check_output(&out, IMG_PNG, 60, 45);
    img_output_release(&out);
}

static void test_image_transcode_cmyk_jpeg_becomes_rgb(void **state)
{
    struct img_output out = IMG_OUTPUT_INIT;
    (void)state;

    transcode("cmyk.jpg", 0, 0, &out);
    assert_false(out.changed);
    assert_int_equal(out.format, IMG_JPEG);
    transcode("cmyk.jpg", 0, IMG_TX_CMYK, &out);
    check_output(&out, IMG_JPEG, 240, 180);
    img_output_release(&out);
}

static void test_image_transcode_exif_orientation_is_applied(void **state)
{
    struct img_output out = IMG_OUTPUT_INIT;
    (void)state;

    transcode("rot.jpg", 0, 0, &out);
    assert_false(out.changed);
    transcode("rot.jpg", 0, IMG_TX_ORIENT, &out);
    check_output(&out, IMG_JPEG, 150, 200);
    /* Scaled and turned: the limit applies to the larger side either way. */
    transcode("rot.jpg", 100, IMG_TX_ORIENT, &out);
    check_output(&out, IMG_JPEG, 75, 100);
    img_output_release(&out);
}

static void test_image_transcode_gif_keeps_first_frame_as_png(void **state)
{
    struct img_output out = IMG_OUTPUT_INIT;
    (void)state;

    transcode("anim.gif", 0, IMG_TX_EPUB, &out);
    assert_false(out.changed);
    assert_int_equal(out.format, IMG_GIF);
    transcode("anim.gif", 150, IMG_TX_EPUB, &out);
    check_output(&out, IMG_PNG, 150, 100);
    img_output_release(&out);
}

static void test_image_transcode_is_deterministic(void **state)
{
    static const char *const names[] = { "photo.webp", "alpha.webp", "big.jpg", "anim.gif" };
    struct img_output a = IMG_OUTPUT_INIT, b = IMG_OUTPUT_INIT;
    (void)state;

    for (size_t i = 0; i < ARC_ARRAY_SIZE(names); i++) {
        transcode(names[i], 100, IMG_TX_EPUB, &a);
        transcode(names[i], 100, IMG_TX_EPUB, &b);
        assert_true(a.changed);
        assert_int_equal(a.buf.len, b.buf.len);
        assert_memory_equal(a.buf.buf, b.buf.buf, a.buf.len);
    }
    img_output_release(&a);
    img_output_release(&b);
}

static void test_image_transcode_garbage_is_refused(void **state)
{
    struct img_output out = IMG_OUTPUT_INIT;
    struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;
    struct img_info info;
    static const char html[] = "<html><body>此图片来自微信公众平台</body></html>";
    static const char fake_jpeg[] = "\xFF\xD8\xFF\xE0 not really a jpeg at all \xFF\xD9";
    (void)state;

    assert_int_equal(img_transcode(html, sizeof(html) - 1, 0, IMG_TX_EPUB, &out, &why), ARC_EPARSE);
    assert_non_null(strstr(why.buf, "not an image"));
    assert_int_equal(img_transcode(fake_jpeg, sizeof(fake_jpeg) - 1, 0, 0, &out, &why), ARC_EPARSE);
    assert_int_equal(img_probe(fake_jpeg, sizeof(fake_jpeg) - 1, &info, &why), ARC_EPARSE);
    assert_int_equal(img_transcode("", 0, 0, 0, &out, &why), ARC_EPARSE);
    /* A picture cut short is refused before any decoding. */
    load("photo.webp", &sb);
    assert_int_equal(img_transcode(sb.buf, sb.len / 2, 0, 0, &out, &why), ARC_EPARSE);
    load("big.jpg", &sb);
    assert_int_equal(img_transcode(sb.buf, sb.len / 2, 100, 0, &out, &why), ARC_EPARSE);
    assert_false(out.changed);
    assert_int_equal(out.buf.len, 0);
    img_output_release(&out);
    strbuf_release(&sb);
    strbuf_release(&why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_transcode_probe_reads_headers),
        cmocka_unit_test(test_image_transcode_probe_file_reads_the_two_ends),
        cmocka_unit_test(test_image_transcode_lossy_webp_becomes_jpeg),
        cmocka_unit_test(test_image_transcode_transparent_webp_becomes_png),
        cmocka_unit_test(test_image_transcode_big_jpeg_is_scaled_down),
        cmocka_unit_test(test_image_transcode_small_png_is_unchanged),
        cmocka_unit_test(test_image_transcode_cmyk_jpeg_becomes_rgb),
        cmocka_unit_test(test_image_transcode_exif_orientation_is_applied),
        cmocka_unit_test(test_image_transcode_gif_keeps_first_frame_as_png),
        cmocka_unit_test(test_image_transcode_is_deterministic),
        cmocka_unit_test(test_image_transcode_garbage_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
