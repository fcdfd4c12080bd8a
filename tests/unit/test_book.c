/* tests/unit/test_book.c: the book structure: parts and chapters from the index and meta.json,
 * the reader-facing lines, titles, authors, ranges, order, the stable uuid, chapter loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/archive.h"
#include "archive/book.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strbuf.h"

static const char index_md[] = "# 2024-12\n\n"
                               "【12.27】 甲 https://mp.weixin.qq.com/s/aaa\n\n"
                               "【12.26】 乙 https://mp.weixin.qq.com/s/bbb\n"
                               "- 一条笔记\n\n"
                               "# 2024-03\n\n"
                               "丙 https://mp.weixin.qq.com/s/ccc\n\n"
                               "丁 no url here\n\n"
                               "甲又一次 https://mp.weixin.qq.com/s/aaa\n";

static char *scratch_dir(void)
{
    char tmpl[] = "/tmp/archiver-book-XXXXXX";
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

static void put_meta(const char *dir, const char *id, enum archive_state state, const char *title,
                     const char *account, const char *error)
{
    struct archive_meta m = ARCHIVE_META_INIT;

    m.state = state;
    m.title = title ? xstrdup(title) : NULL;
    m.account = account ? xstrdup(account) : NULL;
    m.error = error ? xstrdup(error) : NULL;
    m.published = 1735200000; /* 2024-12-26 16:00 UTC: 2024-12-27 in China */
    m.fetched = 1735300000;
    if (state == ARCHIVE_ARCHIVED_DELETED)
        m.deleted_upstream = 1740000000;
    assert_int_equal(archive_update_meta(dir, id, &m, NULL), ARC_OK);
    archive_meta_release(&m);
}

static struct idx *parse(void)
{
    struct idx_opts io = IDX_OPTS_INIT;
    struct idx *ix;

    io.now = 1764000000;
    assert_int_equal(idx_parse(index_md, sizeof(index_md) - 1, "index.md", &io, &ix, NULL), ARC_OK);
    return ix;
}

static void test_book_from_archive(void **state)
{
    char *dir = scratch_dir();
    struct idx *ix = parse();
    struct book_opts bo = BOOK_OPTS_INIT;
    struct book *b, *again;
    const struct book_chapter_info *c;

    (void)state;
    put_meta(dir, "aaa", ARCHIVE_ARCHIVED_DELETED, "甲的真标题", "账号一", NULL);
    put_meta(dir, "bbb", ARCHIVE_FAILED, NULL, NULL, "HTTP 503");
    bo.now = 1764000000;
    assert_int_equal(book_open(dir, ix, &bo, &b, NULL), ARC_OK);

    assert_int_equal(b->nparts, 2);
    assert_string_equal(b->parts[0].name, "2024年12月");
    assert_string_equal(b->parts[1].name, "2024年3月");
    assert_int_equal(b->parts[0].nchapters, 2);
    assert_int_equal(b->parts[1].nchapters, 2); /* the duplicate is left out */
    assert_int_equal(b->nchapters, 4);
    assert_int_equal(b->narchived, 1);
    assert_string_equal(b->range, "2024年3月–12月");
    assert_string_equal(b->title, "文章合集 2024年3月–12月");
    assert_string_equal(b->author, "账号一");

    c = &b->parts[0].chapters[0];
    assert_int_equal(c->number, 1);
    assert_string_equal(c->title, "甲的真标题"); /* the archive's title wins */
    assert_string_equal(c->date, "12.27");
    assert_true(c->has_copy);
    assert_non_null(strstr(c->status_line, "原文已被发布者删除"));
    c = &b->parts[0].chapters[1];
    assert_string_equal(c->title, "乙");
    assert_non_null(c->note);
    assert_false(c->has_copy);
    assert_string_equal(c->status_line, "未存档：抓取失败（HTTP 503）。");
    c = &b->parts[1].chapters[0];
    assert_string_equal(c->status_line, "未存档：尚未抓取。");
    assert_null(c->date);
    c = &b->parts[1].chapters[1];
    assert_null(c->id);
    assert_non_null(strstr(c->status_line, "没有可用的链接"));

    /* The same book again has the same identifier; another range has another. */
    assert_int_equal(book_open(dir, ix, &bo, &again, NULL), ARC_OK);
    assert_string_equal(b->uuid, again->uuid);
    assert_int_equal(strlen(b->uuid), 36);
    assert_int_equal(b->uuid[14], '5');
    book_free(again);
    bo.from = 202412;
    assert_int_equal(book_open(dir, ix, &bo, &again, NULL), ARC_OK);
    assert_int_equal(again->nparts, 1);
    assert_string_equal(again->range, "2024年12月");
    assert_string_not_equal(b->uuid, again->uuid);
    book_free(again);

    /* English, oldest first, renumbered in reading order. */
    bo.from = 0;
    bo.lang = "en";
    bo.order = BOOK_ORDER_OLDEST;
    bo.title = "My archive";
    assert_int_equal(book_open(dir, ix, &bo, &again, NULL), ARC_OK);
    assert_string_equal(again->parts[0].name, "March 2024");
    assert_string_equal(again->range, "March–December 2024");
    assert_string_equal(again->title, "My archive");
    assert_int_equal(again->parts[0].chapters[0].number, 1);
    assert_string_equal(again->parts[1].chapters[1].status_line,
                        "Not archived: the fetch failed (HTTP 503).");
    book_free(again);

    /* Nothing in the range: an error naming the index. */
    bo.from = 202501;
    assert_int_equal(book_open(dir, ix, &bo, &again, NULL), ARC_ENOTFOUND);
    bo.from = 202412;
    bo.to = 202403;
    assert_int_equal(book_open(dir, ix, &bo, &again, NULL), ARC_EINVAL);

    book_free(b);
    idx_free(ix);
    remove_tree(dir);
}

static void test_book_chapter_load(void **state)
{
    char *dir = scratch_dir();
    struct idx *ix = parse();
    struct book *b;
    struct book_chapter ch;
    struct archive_file f = { "article.html", NULL, 0, 0 };
    static const char page[] = "<html><body><h1>标题</h1><p>byline</p>\n" ARCHIVE_BODY_BEGIN
                               "\n<p>正文第一段</p>\n" ARCHIVE_BODY_END "\n</body></html>\n";
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf text = STRBUF_INIT;

    (void)state;
    m.state = ARCHIVE_ARCHIVED;
    f.data = page;
    f.len = sizeof(page) - 1;
    assert_int_equal(archive_commit_article(dir, "aaa", &f, 1, &m, NULL), ARC_OK);
    /* bbb says archived, but its article.html is damaged: a warning, no body. */
    f.data = "<p>no markers";
    f.len = strlen(f.data);
    assert_int_equal(archive_commit_article(dir, "bbb", &f, 1, &m, NULL), ARC_OK);
    assert_int_equal(book_open(dir, ix, NULL, &b, NULL), ARC_OK);

    book_chapter_load(b, &b->parts[0].chapters[0], &ch);
    assert_null(ch.warning);
    assert_non_null(ch.body);
    doc_plain_text(ch.body->root, &text);
    assert_non_null(strstr(text.buf, "正文第一段"));
    assert_null(strstr(text.buf, "标题")); /* the body only, not the page's title */
    assert_non_null(strstr(ch.base, "/articles/aaa"));
    book_chapter_release(&ch);

    book_chapter_load(b, &b->parts[0].chapters[1], &ch); /* no markers: damaged, a placeholder */
    assert_null(ch.body);
    assert_non_null(ch.warning);
    assert_non_null(strstr(ch.warning, "/articles/bbb/article.html: damaged or cut short"));
    book_chapter_release(&ch);

    book_chapter_load(b, &b->parts[1].chapters[0], &ch); /* no copy */
    assert_null(ch.body);
    assert_null(ch.warning);
    book_chapter_release(&ch);

    /* A copy that is gone from disk: a warning naming the file. */
    {
        char *p = archive_article_path(dir, "aaa", "article.html");
        assert_int_equal(unlink(p), 0);
        book_chapter_load(b, &b->parts[0].chapters[0], &ch);
        assert_null(ch.body);
        assert_non_null(ch.warning);
        assert_non_null(strstr(ch.warning, "article.html"));
        book_chapter_release(&ch);
        free(p);
    }

    strbuf_release(&text);
    archive_meta_release(&m);
    book_free(b);
    idx_free(ix);
    remove_tree(dir);
}

static void test_book_in_memory(void **state)
{
    struct book *b = book_new("T", "A", "en", 0);
    struct book_part *p = book_add_part(b, 2024, 12);
    struct book_chapter ch;

    (void)state;
    book_add_chapter(b, p, "one", "<p>hello <b>world</b></p>");
    book_add_chapter(b, p, "two", NULL);
    assert_string_equal(p->name, "December 2024");
    assert_int_equal(b->nchapters, 2);
    assert_int_equal(b->narchived, 1);
    book_chapter_load(b, &p->chapters[0], &ch);
    assert_non_null(ch.body);
    book_chapter_release(&ch);
    book_chapter_load(b, &p->chapters[1], &ch);
    assert_null(ch.body);
    assert_string_equal(p->chapters[1].status_line, "Not archived: never fetched.");
    book_chapter_release(&ch);
    book_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_book_from_archive),
        cmocka_unit_test(test_book_chapter_load),
        cmocka_unit_test(test_book_in_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
