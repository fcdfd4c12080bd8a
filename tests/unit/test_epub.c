/* tests/unit/test_epub.c: epub_write() on in-memory books (archive/book.h's book_new and
 * friends): the package's order and compression, the nav, chapters through the Doc writer
 * (nothing active survives), placeholders, reproducibility and failures that leave nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "archive/book.h"
#include "epub/epub.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strbuf.h"

static char *scratch_dir(void)
{
    char tmpl[] = "/tmp/archiver-test-epub.XXXXXX";

    if (!mkdtemp(tmpl))
        fail_msg("mkdtemp failed");
    return xstrdup(tmpl);
}

/* Removes dir and the files in it (no subfolders here). */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    while (d && (de = readdir(d))) {
        char *p;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        p = xasprintf("%s/%s", dir, de->d_name);
        unlink(p);
        free(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* Names in dir other than keep (NULL: any). */
static int others_in(const char *dir, const char *keep)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    while (d && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
            (!keep || strcmp(de->d_name, keep)))
            n++;
    if (d)
        closedir(d);
    return n;
}

static struct book *sample_book(void)
{
    struct book *b = book_new("测试之书", "作者", "zh-CN", 1735000000);
    struct book_part *dec = book_add_part(b, 2024, 12), *nov = book_add_part(b, 2024, 11);

    book_add_chapter(b, dec, "第一篇",
                     "<p>正文一</p><script>alert(1)</script>"
                     "<p onclick=\"steal()\">第二段<img src=\"https://t.example/p.gif\"/></p>");
    book_add_chapter(b, dec, "没有副本", NULL);
    book_add_chapter(b, nov, "第三篇", "<pre><code>int x = 1;\n</code></pre>");
    return b;
}

static void write_book(const struct book *b, const char *path, enum arc_err want,
                       struct epub_report *rep)
{
    struct epub_opts o = { 0 };
    struct strbuf why = STRBUF_INIT;
    char *css = xasprintf("%s/styles/book.css", TEST_SRCDIR);
    enum arc_err err;

    o.css_path = css;
    err = epub_write(b, &o, path, rep, &why);
    if (err != want)
        fail_msg("epub_write: %d (%s), wanted %d", err, why.buf, want);
    strbuf_release(&why);
    free(css);
}

/* The text of one file of the package. */
static void read_entry(zip_t *z, const char *name, struct strbuf *out)
{
    zip_stat_t st;
    zip_file_t *f;
    char buf[4096];
    zip_int64_t n;

    strbuf_reset(out);
    if (zip_stat(z, name, 0, &st) != 0 || !(f = zip_fopen(z, name, 0)))
        fail_msg("%s is not in the package", name);
    while ((n = zip_fread(f, buf, sizeof(buf))) > 0)
        strbuf_add(out, buf, (size_t)n);
    zip_fclose(f);
}

static void test_epub_in_memory_book(void **state)
{
    char *dir = scratch_dir(), *path = xasprintf("%s/b.epub", dir);
    struct book *b = sample_book();
    struct epub_report rep;
    struct strbuf sb = STRBUF_INIT;
    zip_stat_t st;
    zip_t *z;
    int zerr;
    (void)state;

    write_book(b, path, ARC_OK, &rep);
    assert_int_equal(rep.chapters, 3);
    assert_int_equal(rep.archived, 2);
    assert_int_equal(rep.warnings, 0);
    assert_true(rep.bytes > 1000);
    assert_int_equal(others_in(dir, "b.epub"), 0); /* no scratch folder left */

    z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    assert_non_null(z);
    assert_string_equal(zip_get_name(z, 0, 0), "mimetype");
    assert_int_equal(zip_stat_index(z, 0, 0, &st), 0);
    assert_int_equal(st.comp_method, ZIP_CM_STORE);
    read_entry(z, "mimetype", &sb);
    assert_string_equal(sb.buf, "application/epub+zip");
    assert_int_equal(zip_stat(z, "OEBPS/cover.xhtml", 0, &st), -1); /* no cover given */

    read_entry(z, "OEBPS/nav.xhtml", &sb);
    assert_non_null(strstr(sb.buf, "2024年12月"));
    assert_true(strstr(sb.buf, "2024年12月") < strstr(sb.buf, "2024年11月"));
    assert_true(strstr(sb.buf, "第一篇") < strstr(sb.buf, "没有副本"));
    assert_true(strstr(sb.buf, "没有副本") < strstr(sb.buf, "第三篇"));

    read_entry(z, "OEBPS/c0001.xhtml", &sb);
    assert_non_null(strstr(sb.buf, "正文一"));
    assert_non_null(strstr(sb.buf, "第二段"));
    assert_null(strstr(sb.buf, "<script"));
    assert_null(strstr(sb.buf, "alert"));
    assert_null(strstr(sb.buf, "onclick"));
    assert_null(strstr(sb.buf, "src=\"https:")); /* a remote picture is a placeholder */
    read_entry(z, "OEBPS/c0002.xhtml", &sb);
    assert_non_null(strstr(sb.buf, "未存档"));
    read_entry(z, "OEBPS/c0003.xhtml", &sb);
    assert_non_null(strstr(sb.buf, "<pre><code>int x = 1;\n</code></pre>"));
    read_entry(z, "OEBPS/content.opf", &sb);
    assert_non_null(strstr(sb.buf, "<dc:title>测试之书</dc:title>"));
    assert_non_null(strstr(sb.buf, "2024-12-24T00:26:40Z"));
    zip_close(z);

    strbuf_release(&sb);
    book_free(b);
    remove_dir(dir);
    free(dir);
    free(path);
}

static void test_epub_is_reproducible(void **state)
{
    char *dir = scratch_dir(), *p1 = xasprintf("%s/1.epub", dir), *p2 = xasprintf("%s/2.epub", dir);
    struct book *b = sample_book();
    struct strbuf a = STRBUF_INIT, c = STRBUF_INIT;
    struct epub_report rep;
    (void)state;

    write_book(b, p1, ARC_OK, &rep);
    sleep(1); /* the clock must not leak into the file */
    write_book(b, p2, ARC_OK, &rep);
    assert_int_equal(fs_read_file(p1, 0, &a, NULL), ARC_OK);
    assert_int_equal(fs_read_file(p2, 0, &c, NULL), ARC_OK);
    assert_int_equal(a.len, c.len);
    assert_memory_equal(a.buf, c.buf, a.len);
    strbuf_release(&a);
    strbuf_release(&c);
    book_free(b);
    remove_dir(dir);
    free(dir);
    free(p1);
    free(p2);
}

static void test_epub_failures_leave_nothing(void **state)
{
    char *dir = scratch_dir(), *file = xasprintf("%s/file", dir);
    char *under = xasprintf("%s/file/b.epub", dir), *out = xasprintf("%s/b.epub", dir);
    struct book *b = sample_book();
    struct epub_opts o = { 0 };
    struct epub_report rep;
    struct strbuf why = STRBUF_INIT;
    (void)state;

    assert_int_equal(fs_write_atomic(file, "x", 1, 0644, NULL), ARC_OK);
    write_book(b, under, ARC_EIO, &rep); /* a file where a folder should be */
    assert_int_equal(others_in(dir, "file"), 0);

    o.css_path = "/nonexistent/book.css";
    assert_int_equal(epub_write(b, &o, out, &rep, &why), ARC_ENOTFOUND);
    assert_non_null(strstr(why.buf, "/nonexistent/book.css"));
    assert_int_equal(others_in(dir, "file"), 0);

    strbuf_release(&why);
    book_free(b);
    remove_dir(dir);
    free(dir);
    free(file);
    free(under);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epub_in_memory_book),
        cmocka_unit_test(test_epub_is_reproducible),
        cmocka_unit_test(test_epub_failures_leave_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
