/* tests/unit/test_image.c: format sniffing and validation; images are made at test time with
 * ImageMagick and cwebp, so every format's real bytes are checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/image.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strbuf.h"

static char tmpdir[64];

static int run(const char *const argv[])
{
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        int devnull = open("/dev/null", 1);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Makes a 40x30 picture in the format of the file name's extension and reads it. */
static void make_image(const char *name, struct strbuf *out)
{
    char *path = xasprintf("%s/%s", tmpdir, name);
    const char *convert[] = { "convert", "-size", "40x30", "gradient:red-blue", path, NULL };

    assert_int_equal(run(convert), 0);
    strbuf_reset(out);
    assert_int_equal(fs_read_file(path, 0, out, NULL), ARC_OK);
    free(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/archiver-img-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    const char *rm[] = { "rm", "-rf", tmpdir, NULL };
    (void)state;
    return run(rm);
}

static void check_format(const char *name, enum img_format want, const char *ext)
{
    struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;
    struct img_info info;

    make_image(name, &sb);
    assert_int_equal(img_sniff(sb.buf, sb.len), want);
    assert_string_equal(img_format_ext(want), ext);
    if (img_validate(sb.buf, sb.len, &info, &why) != ARC_OK)
        fail_msg("%s does not validate: %s", name, why.buf);
    assert_int_equal(info.format, want);
    assert_int_equal(info.width, 40);
    assert_int_equal(info.height, 30);
    strbuf_release(&sb);
    strbuf_release(&why);
}

static void test_image_every_format_sniffs_and_decodes(void **state)
{
    (void)state;
    check_format("a.jpg", IMG_JPEG, "jpg");
    check_format("a.png", IMG_PNG, "png");
    check_format("a.gif", IMG_GIF, "gif");
    check_format("a.webp", IMG_WEBP, "webp");
    check_format("a.bmp", IMG_BMP, "bmp");
    assert_string_equal(img_format_mime(IMG_WEBP), "image/webp");
}

static void test_image_truncated_files_are_refused(void **state)
{
    static const char *const names[] = { "t.jpg", "t.png", "t.gif", "t.webp" };
    struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;
    struct img_info info;
    (void)state;

    for (size_t i = 0; i < 4; i++) {
        make_image(names[i], &sb);
        /* Cut off the last third: what a dropped connection leaves. */
        if (img_validate(sb.buf, sb.len * 2 / 3, &info, &why) == ARC_OK)
            fail_msg("truncated %s accepted", names[i]);
        assert_true(why.len > 0);
    }
    strbuf_release(&sb);
    strbuf_release(&why);
}

static void test_image_garbage_is_not_an_image(void **state)
{
    struct strbuf why = STRBUF_INIT;
    struct img_info info;
    static const char html[] = "<html><body>此图片来自微信公众平台</body></html>";
    static const char fake_png[] = "\x89PNG\r\n\x1A\n this is not really a png";
    (void)state;

    assert_int_equal(img_sniff(html, sizeof(html) - 1), IMG_UNKNOWN);
    assert_int_equal(img_validate(html, sizeof(html) - 1, &info, &why), ARC_EPARSE);
    assert_non_null(strstr(why.buf, "not an image"));
    assert_int_equal(img_validate(fake_png, sizeof(fake_png) - 1, &info, &why), ARC_EPARSE);
    assert_int_equal(img_validate("", 0, &info, &why), ARC_EPARSE);
    assert_int_equal(
        img_sniff("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>", 58),
        IMG_SVG);
    strbuf_release(&why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_every_format_sniffs_and_decodes),
        cmocka_unit_test(test_image_truncated_files_are_refused),
        cmocka_unit_test(test_image_garbage_is_not_an_image),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
