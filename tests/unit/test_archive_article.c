/* tests/unit/test_archive_article.c: storing a converted page: image names from the bytes, the
 * truncation check, local images and placeholders in article.html, reuse on a later version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive/archive.h"
#include "convert/convert.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strbuf.h"

/* A whole 2x1 RGB PNG. */
static const unsigned char png[] =
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x02\x00\x00\x00"
    "\x01\x08\x02\x00\x00\x00\x7b\x40\xe8\xdd\x00\x00\x00\x0d\x49\x44\x41\x54\x78\x9c\x63\xf8\xcf"
    "\x00\x04\xff\x01\x07\x00\x01\xff\xe2\x23\x9e\x59\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60"
    "\x82";
#define PNG_LEN (sizeof(png) - 1)

static const char page_html[] =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title>"
    "<meta property=\"og:title\" content=\"存档测试\">"
    "<meta property=\"og:url\" content=\"https://mp.weixin.qq.com/s/abc\"></head><body>"
    "<div id=\"js_article\"><h1 id=\"activity-name\">存档测试</h1>"
    "<div id=\"meta_content\"><a id=\"js_name\">账号</a></div>"
    "<div class=\"rich_media_content\" id=\"js_content\"><p>正文</p>"
    "<p><img data-src=\"https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg\" alt=\"first\"></p>"
    "<p><img data-src=\"https://mmbiz.qpic.cn/b/640\" alt=\"second\"></p>"
    "</div></div></body></html>";

static char *scratch_dir(void)
{
    char tmpl[] = "/tmp/archiver-article-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return xstrdup(d);
}

static void remove_tree(char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(dir);
}

static char *read_article(const char *dir, const char *id, const char *name)
{
    struct strbuf sb = STRBUF_INIT;
    char *path = archive_article_path(dir, id, name);
    assert_int_equal(fs_read_file(path, 0, &sb, NULL), ARC_OK);
    free(path);
    return strbuf_detach(&sb, NULL);
}

static void convert(struct conv_page *p)
{
    struct conv_input in = { page_html, sizeof(page_html) - 1, "https://mp.weixin.qq.com/s/abc",
                             NULL, "text/html" };
    assert_int_equal(conv_page_convert(&in, p, NULL), ARC_OK);
    assert_int_equal(p->cls, CONV_ARTICLE);
    assert_int_equal(p->nimages, 2);
}

static void test_image_accept_names_by_content(void **state)
{
    struct archive_image img = { 0 };
    struct strbuf why = STRBUF_INIT;

    (void)state;
    assert_int_equal(archive_image_accept(&img, png, PNG_LEN, (int64_t)PNG_LEN, &why), ARC_OK);
    assert_int_equal(img.status, ARCHIVE_IMAGE_OK);
    /* images/ + 16 hex digits + .png: the extension from the bytes, whatever the URL says. */
    assert_non_null(img.file);
    assert_int_equal(strlen(img.file), strlen("images/") + ARCHIVE_IMAGE_HASH_LEN + 4);
    assert_true(!strncmp(img.file, "images/", 7));
    assert_string_equal(img.file + 7 + ARCHIVE_IMAGE_HASH_LEN, ".png");
    assert_int_equal(img.width, 2);
    assert_int_equal(img.height, 1);
    assert_int_equal(img.bytes, (int64_t)PNG_LEN);
    free(img.file);
    free(img.error);
    strbuf_release(&why);
}

static void test_image_accept_refuses_bad_bytes(void **state)
{
    struct archive_image img = { 0 };
    struct strbuf why = STRBUF_INIT;

    (void)state;
    /* Fewer bytes than Content-Length said: truncated, even before decoding. */
    assert_int_equal(archive_image_accept(&img, png, PNG_LEN - 10, (int64_t)PNG_LEN, &why),
                     ARC_EPARSE);
    assert_int_equal(img.status, ARCHIVE_IMAGE_FAILED);
    assert_null(img.file);
    assert_non_null(strstr(img.error, "truncated"));
    /* No length to compare (a compressed transfer): decoding finds it. */
    strbuf_reset(&why);
    assert_int_equal(archive_image_accept(&img, png, PNG_LEN - 10, -1, &why), ARC_EPARSE);
    assert_int_equal(img.status, ARCHIVE_IMAGE_FAILED);
    assert_non_null(img.error);
    /* Not an image at all: an HTML error page served as image/png. */
    assert_int_equal(archive_image_accept(&img, "<html>x</html>", 14, 14, &why), ARC_EPARSE);
    assert_null(img.file);
    assert_int_equal(archive_image_accept(&img, "", 0, -1, &why), ARC_EPARSE);
    free(img.file);
    free(img.error);
    strbuf_release(&why);
}

static void test_store_page_local_images_and_placeholders(void **state)
{
    char *dir = scratch_dir();
    struct archive_meta m = ARCHIVE_META_INIT;
    struct conv_page p;
    struct archive_image *a, *b;
    const void *data[2] = { png, NULL };
    size_t lens[2] = { PNG_LEN, 0 };
    char *html, *name, *stored;

    (void)state;
    convert(&p);
    m.url = xstrdup("https://mp.weixin.qq.com/s/abc");
    m.state = ARCHIVE_ARCHIVED;
    archive_meta_from_page(&m, &p);
    assert_string_equal(m.title, "存档测试");
    a = archive_meta_add_image(&m);
    a->src = xstrdup(p.images[0]);
    assert_int_equal(archive_image_accept(a, png, PNG_LEN, -1, NULL), ARC_OK);
    b = archive_meta_add_image(&m);
    b->src = xstrdup(p.images[1]);
    b->error = xstrdup("HTTP 503");
    assert_int_equal(
        archive_store_page(dir, "abc", &p, page_html, sizeof(page_html) - 1, &m, data, lens, NULL),
        ARC_OK);

    html = read_article(dir, "abc", "article.html");
    name = xasprintf("src=\"%s\"", m.images[0].file);
    assert_non_null(strstr(html, name));                          /* the stored image, relative */
    assert_null(strstr(html, " src=\"http"));                     /* nothing remote */
    assert_non_null(strstr(html, "https://mmbiz.qpic.cn/b/640")); /* the placeholder's link */
    assert_non_null(strstr(html, "second"));                      /* and its alt text */
    assert_non_null(strstr(html, "../../book.css"));
    stored = read_article(dir, "abc", m.images[0].file);
    assert_memory_equal(stored, png, PNG_LEN);
    free(stored);
    stored = read_article(dir, "abc", "raw.html.gz");
    assert_true(stored[0] == '\x1f'); /* gzip */
    free(stored);
    free(html);
    free(name);

    /* A later version without the bytes takes the image from the current one. */
    conv_page_release(&p);
    convert(&p);
    assert_int_equal(archive_store_page(dir, "abc", &p, NULL, 0, &m, NULL, NULL, NULL), ARC_OK);
    stored = read_article(dir, "abc", m.images[0].file);
    assert_memory_equal(stored, png, PNG_LEN);
    free(stored);
    stored = read_article(dir, "abc", "raw.html.gz");
    assert_true(stored[0] == '\x1f');
    free(stored);

    conv_page_release(&p);
    archive_meta_release(&m);
    remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_accept_names_by_content),
        cmocka_unit_test(test_image_accept_refuses_bad_bytes),
        cmocka_unit_test(test_store_page_local_images_and_placeholders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
