/* tests/unit/test_index.c: parsing the Markdown index, its years, notes and article ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc/doc.h"
#include "index/index.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strbuf.h"

#define SEED TEST_DATADIR "/index/seed.md"

/* --- helpers --- */

static struct idx *parse_str(const char *s, const struct idx_opts *opts)
{
    struct strbuf why = STRBUF_INIT;
    struct idx *ix = NULL;

    assert_int_equal(idx_parse(s, strlen(s), "test.md", opts, &ix, &why), ARC_OK);
    assert_non_null(ix);
    strbuf_release(&why);
    return ix;
}

static struct idx *parse_year(const char *s, int year)
{
    struct idx_opts o = IDX_OPTS_INIT;

    o.year = year;
    return parse_str(s, &o);
}

static struct idx *parse_seed(void)
{
    struct idx_opts o = IDX_OPTS_INIT;
    struct strbuf why = STRBUF_INIT;
    struct idx *ix = NULL;

    o.year = 2024;
    assert_int_equal(idx_parse_file(SEED, &o, &ix, &why), ARC_OK);
    strbuf_release(&why);
    return ix;
}

static char *read_seed(size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    struct strbuf why = STRBUF_INIT;

    assert_int_equal(fs_read_file(SEED, 0, &sb, &why), ARC_OK);
    strbuf_release(&why);
    return strbuf_detach(&sb, len);
}

/* The entry with this title (there must be exactly one). */
static const struct idx_entry *entry_titled(const struct idx *ix, const char *title)
{
    const struct idx_entry *found = NULL;

    for (size_t m = 0; m < ix->nmonths; m++) {
        for (size_t i = 0; i < ix->months[m].nentries; i++) {
            if (strcmp(ix->months[m].entries[i].title, title))
                continue;
            assert_null(found);
            found = &ix->months[m].entries[i];
        }
    }
    if (!found)
        fail_msg("no entry titled '%s'", title);
    return found;
}

/* The n-th entry over all months, in index order. */
static const struct idx_entry *nth_entry(const struct idx *ix, size_t n)
{
    for (size_t m = 0; m < ix->nmonths; m++) {
        if (n < ix->months[m].nentries)
            return &ix->months[m].entries[n];
        n -= ix->months[m].nentries;
    }
    fail_msg("no entry %zu", n);
    return NULL;
}

static void assert_warning(const struct idx *ix, unsigned line, const char *message)
{
    for (size_t i = 0; i < ix->nwarnings; i++)
        if (ix->warnings[i].line == line && !strcmp(ix->warnings[i].message, message))
            return;
    fail_msg("no warning '%s' on line %u", message, line);
}

static char *dump(const struct doc_node *n)
{
    struct strbuf sb = STRBUF_INIT;

    doc_dump(n, &sb);
    return strbuf_detach(&sb, NULL);
}

/* The first node of the kind in depth-first order, or NULL. */
static const struct doc_node *find_kind(const struct doc_node *n, enum doc_kind kind)
{
    const struct doc_node *c, *r;

    if (n->kind == kind)
        return n;
    doc_for_each_child(c, n)
        if ((r = find_kind(c, kind)) != NULL)
            return r;
    return NULL;
}

static size_t count_kind(const struct doc_node *n, enum doc_kind kind)
{
    const struct doc_node *c;
    size_t k = n->kind == kind;

    doc_for_each_child(c, n)
        k += count_kind(c, kind);
    return k;
}

static void check_id(const char *url, const char *expected)
{
    char *id = idx_article_id(url);

    if (!expected) {
        assert_null(id);
        return;
    }
    if (!id)
        fail_msg("no id for '%s'", url);
    assert_string_equal(id, expected);
    free(id);
}

/* Two URLs give one id (same) or two different ids. */
static void check_same_id(const char *a, const char *b, bool same)
{
    char *ia = idx_article_id(a), *ib = idx_article_id(b);

    assert_non_null(ia);
    assert_non_null(ib);
    if (same)
        assert_string_equal(ia, ib);
    else
        assert_string_not_equal(ia, ib);
    free(ia);
    free(ib);
}

/* --- the seed index --- */

static const struct {
    const char *title, *token;
    unsigned line;
    int month, day;
} seed_entries[] = {
    { "一文搞懂epoll：高效I/O多路复用的核心技术", "qEWE2pRHRG403lr-yqaKPQ", 4, 0, 0 },
    { "深度剖析底层原理：CPU缓存一致性的奥秘", "V6XVgbOu5LhDKmo1chXslg", 6, 0, 0 },
    { "C++内存管理优化：打造你的高效内存池", "R_-lgG1G6Y9NW4FKIyfT_w", 8, 0, 0 },
    { "深入内存调试：Valgrind工具的终极指南", "Lw3L55bIxH90I0woao6P6Q", 10, 12, 27 },
    { "解锁高效内存管理：C++智能指针的用法", "cckq27DJ7a4gHQFQhH_SfQ", 12, 12, 26 },
    { "解锁RDMA 技术：从原理到应用的深度剖析", "G-umYRAjWt0jG6hm-jWHVA", 14, 12, 25 },
    { "探寻Cache奥秘：解锁高性能代码的关键", "cbzhJlTwYMk5hHEF8PgiDw", 16, 0, 0 },
    { "通过Ftrace实现高效、精确的内核调试与分析", "AfJyj15Su2Obo0GGg87vTA", 18, 12, 21 },
    { "Linux性能优化策略：让你的系统运行如飞", "ottv1Mqm_9wqGd8U55rWzw", 20, 12, 19 },
    { "Linux动态内存分配：malloc的工作原理机制", "qLBGJNu39krw5Uu8EwTbLA", 22, 0, 0 },
    { "探秘Linux内核套接字，解锁网络编程技能", "O-FxR9c23atcov7GCw4BHQ", 24, 0, 0 },
    { "看懂GDB调试核心：Ptrace工作原理解析", "IAMeLHWSQggnQ__lr1f_fA", 26, 12, 14 },
    { "轻松突破文件IO瓶颈：内存映射mmap技术", "NGlPzL6VL_0v94kHoZB4XA", 30, 12, 11 },
    { "Linux进程实现原理：从创建到终止的全过程", "4r9XxcOQFqBaoA-RenKv7Q", 51, 0, 0 },
    { "深入理解内存映射：高效处理大型文件和数据", "CPvvTjSQUjqIuHH0sMKGDw", 55, 0, 0 },
    { "解锁网络性能瓶颈：多队列网卡工作原理", "J_bsHJu2oWEVx6DFXqPlmA", 59, 0, 0 },
};

/* Checks the seed's months and entries; shared by the plain, CRLF and BOM variants. */
static void check_seed(const struct idx *ix)
{
    static const int months[] = { 12, 5, 3 };
    static const unsigned lines[] = { 2, 53, 57 };
    static const size_t counts[] = { 14, 1, 1 };

    assert_null(ix->title);
    assert_int_equal(ix->nmonths, 3);
    assert_int_equal(ix->nentries, 16);
    assert_int_equal(ix->nwarnings, 0);
    for (size_t m = 0; m < 3; m++) {
        assert_int_equal(ix->months[m].month, months[m]);
        assert_int_equal(ix->months[m].year, 2024);
        assert_false(ix->months[m].year_given);
        assert_int_equal(ix->months[m].line, lines[m]);
        assert_int_equal(ix->months[m].nentries, counts[m]);
    }
    assert_string_equal(ix->months[0].heading, "12");
    assert_string_equal(ix->months[1].heading, "05");
    for (size_t i = 0; i < ARC_ARRAY_SIZE(seed_entries); i++) {
        const struct idx_entry *e = nth_entry(ix, i);
        char url[128];

        snprintf(url, sizeof(url), "https://mp.weixin.qq.com/s/%s", seed_entries[i].token);
        assert_string_equal(e->title, seed_entries[i].title);
        assert_string_equal(e->url, url);
        assert_string_equal(e->id, seed_entries[i].token);
        assert_int_equal(e->line, seed_entries[i].line);
        assert_int_equal(e->date_month, seed_entries[i].month);
        assert_int_equal(e->date_day, seed_entries[i].day);
        assert_int_equal(e->flags, 0);
        assert_ptr_equal(e->month, &ix->months[i < 14 ? 0 : i == 14 ? 1 : 2]);
        if (i == 11 || i == 12)
            assert_non_null(e->note);
        else
            assert_null(e->note);
    }
}

static void test_index_seed_months_entries_dates(void **state)
{
    struct idx *ix = parse_seed();

    (void)state;
    check_seed(ix);
    assert_string_equal(ix->path, SEED);
    assert_int_equal(entry_titled(ix, "深入内存调试：Valgrind工具的终极指南")->date_day, 27);
    assert_int_equal(entry_titled(ix, "通过Ftrace实现高效、精确的内核调试与分析")->date_day, 21);
    assert_int_equal(entry_titled(ix, "Linux进程实现原理：从创建到终止的全过程")->date_month, 0);
    idx_free(ix);
}

static void test_index_seed_ptrace_note(void **state)
{
    static const char expected[] =
        "root\n"
        "  list\n"
        "    item\n"
        "      quote\n"
        "        para\n"
        "          text \"本文不是介绍 GDB 的使用方式，而是大概介绍 GDB 的实现原理，当然 GDB "
        "是一个庞大而复杂的项目，不可能只通过一篇文章就能解释清楚，所以本文主要是介绍 GDB "
        "使用的核心的技术 - \"\n"
        "          code_span\n"
        "            text \"ptrace\"\n"
        "          text \"。\"\n"
        "    item\n"
        "      quote\n"
        "        para\n"
        "          strong\n"
        "            text \"一、Ptrace是什么？\"\n";
    struct idx *ix = parse_seed();
    const struct idx_entry *e = entry_titled(ix, "看懂GDB调试核心：Ptrace工作原理解析");
    char *d;

    (void)state;
    assert_non_null(e->note);
    d = dump(e->note->root);
    assert_string_equal(d, expected);
    free(d);
    idx_free(ix);
}

static void test_index_seed_mmap_note(void **state)
{
    static const char code[] =
        "• 用 open 系统调用打开文件，并返回描述符 fd。\n"
        "• 用 mmap 建立内存映射，并返回映射首地址指针 start。\n"
        "• 对映射（文件）进行各种操作，如显示（printf）、修改（sprintf）等。\n"
        "• 用 munmap (void *start, size_t length) 关闭内存映射。\n"
        "• 用 close 系统调用关闭文件 fd。\n";
    struct idx *ix = parse_seed();
    const struct idx_entry *e = entry_titled(ix, "轻松突破文件IO瓶颈：内存映射mmap技术");
    const struct doc_node *root, *top, *item, *inner, *c;
    size_t n = 0;

    (void)state;
    assert_non_null(e->note);
    root = e->note->root;
    top = root->first;
    assert_non_null(top);
    assert_int_equal(top->kind, DOC_LIST);
    assert_false(top->u.list.ordered);
    assert_null(top->next);
    doc_for_each_child(c, top)
        n++;
    assert_int_equal(n, 3);
    /* Each top item: a quote with a bold heading, then a nested list. */
    item = top->first;
    assert_int_equal(item->first->kind, DOC_QUOTE);
    assert_int_equal(item->first->first->first->kind, DOC_STRONG);
    inner = item->first->next;
    assert_non_null(inner);
    assert_int_equal(inner->kind, DOC_LIST);
    assert_int_equal(count_kind(inner, DOC_ITEM), 2);
    assert_int_equal(count_kind(top->first->next, DOC_ITEM), 1 + 6);
    assert_int_equal(count_kind(root, DOC_LIST), 4);
    assert_int_equal(count_kind(root, DOC_STRONG), 6);
    /* The fenced block sits in the second nested item, after its quote, verbatim. */
    c = find_kind(root, DOC_CODE);
    assert_non_null(c);
    assert_int_equal(c->parent->kind, DOC_ITEM);
    assert_ptr_equal(c->parent, inner->last);
    assert_string_equal(c->u.code.lang, "console");
    assert_int_equal(c->u.code.len, strlen(code));
    assert_memory_equal(c->u.code.text, code, strlen(code));
    assert_int_equal(count_kind(root, DOC_CODE), 1);
    idx_free(ix);
}

static void test_index_crlf_and_bom_parse_like_the_seed(void **state)
{
    size_t len;
    char *seed = read_seed(&len);
    struct strbuf crlf = STRBUF_INIT, bom = STRBUF_INIT;
    struct idx *ix;

    (void)state;
    for (size_t i = 0; i < len; i++) {
        if (seed[i] == '\n')
            strbuf_addch(&crlf, '\r');
        strbuf_addch(&crlf, seed[i]);
    }
    ix = parse_year(crlf.buf, 2024);
    check_seed(ix);
    for (size_t i = 0; i < ARC_ARRAY_SIZE(seed_entries); i++)
        assert_null(strchr(nth_entry(ix, i)->title, '\r'));
    idx_free(ix);

    strbuf_addstr(&bom, "\xef\xbb\xbf");
    strbuf_add(&bom, crlf.buf, crlf.len);
    ix = parse_year(bom.buf, 2024);
    check_seed(ix);
    idx_free(ix);

    strbuf_reset(&bom);
    strbuf_addstr(&bom, "\xef\xbb\xbf# 2023-07\r\nTitle https://a.example/x\r\n");
    ix = parse_year(bom.buf, 0);
    assert_int_equal(ix->nmonths, 1);
    assert_int_equal(ix->months[0].year, 2023);
    assert_string_equal(ix->months[0].entries[0].title, "Title");
    assert_string_equal(ix->months[0].entries[0].url, "https://a.example/x");
    assert_int_equal(ix->months[0].entries[0].line, 2);
    idx_free(ix);
    strbuf_release(&crlf);
    strbuf_release(&bom);
    free(seed);
}

/* --- headings and years --- */

static void test_index_month_headings_with_years(void **state)
{
    static const char src[] = "# 2024-12\n\na https://a.example/1\n\n"
                              "## 2024年11月\n\nb https://a.example/2\n\n"
                              "# December 2023\n\nc https://a.example/3\n\n"
                              "# Nov 2023\n\n"
                              "# 2023.10\n\n"
                              "# 2023/9\n\n"
                              "# 12月\n\n"
                              "# 07\n\n"
                              "# 2022 年 6 月\n\n"
                              "# sept. 2021\n";
    static const struct {
        int month, year;
        bool given;
    } want[] = {
        { 12, 2024, true }, { 11, 2024, true }, { 12, 2023, true },  { 11, 2023, true },
        { 10, 2023, true }, { 9, 2023, true },  { 12, 2022, false }, { 7, 2022, false },
        { 6, 2022, true },  { 9, 2021, true },
    };
    struct idx *ix = parse_year(src, 1999);

    (void)state;
    assert_null(ix->title);
    assert_int_equal(ix->nwarnings, 0);
    assert_int_equal(ix->nmonths, ARC_ARRAY_SIZE(want));
    for (size_t i = 0; i < ARC_ARRAY_SIZE(want); i++) {
        assert_int_equal(ix->months[i].month, want[i].month);
        assert_int_equal(ix->months[i].year, want[i].year);
        assert_int_equal(ix->months[i].year_given, want[i].given);
    }
    assert_string_equal(ix->months[1].heading, "2024年11月");
    assert_string_equal(ix->months[2].heading, "December 2023");
    idx_free(ix);
}

static void test_index_title_heading_and_second_title(void **state)
{
    static const char src[] = "# 我的收藏\n\n# 12\n\na https://a.example/1\n\n"
                              "# 2024\n\nb https://a.example/2\n\n# 13\n";
    struct idx *ix = parse_year(src, 2024);

    (void)state;
    assert_string_equal(ix->title, "我的收藏");
    assert_int_equal(ix->nmonths, 1);
    assert_int_equal(ix->months[0].nentries, 2);
    assert_int_equal(ix->nwarnings, 2);
    assert_warning(ix, 7, "second title heading ignored");
    assert_warning(ix, 11, "second title heading ignored");
    idx_free(ix);
}

static void test_index_years_follow_heading_order(void **state)
{
    struct idx *ix = parse_year("# 12\n# 05\n# 03\n# 11\n# 11\n# 02\n# 12\n", 2024);
    static const int years[] = { 2024, 2024, 2024, 2023, 2023, 2023, 2022 };

    (void)state;
    assert_int_equal(ix->nmonths, 7);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(ix->months[i].year, years[i]);
    idx_free(ix);

    /* Above the first heading with a year, going up, a falling month is the next year. */
    ix = parse_year("# 02\n# 01\n# 2024-12\n# 11\n# 2020-03\n# 01\n# 06\n", 1999);
    static const int years2[] = { 2025, 2025, 2024, 2024, 2020, 2020, 2019 };
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(ix->months[i].year, years2[i]);
    idx_free(ix);
}

static void test_index_default_year_from_now(void **state)
{
    struct idx_opts o = IDX_OPTS_INIT;
    struct idx *ix;

    (void)state;
    o.now = 1795536000; /* 2026-11-25 00:00 in UTC+8 (still the 24th in UTC) */
    ix = parse_str("# 12\n", &o);
    assert_int_equal(ix->months[0].year, 2025);
    idx_free(ix);
    ix = parse_str("# 11\n# 10\n", &o);
    assert_int_equal(ix->months[0].year, 2026);
    assert_int_equal(ix->months[1].year, 2026);
    idx_free(ix);
    /* 2026-11-30 17:00 UTC is already December in China. */
    o.now = 1796058000;
    ix = parse_str("# 12\n", &o);
    assert_int_equal(ix->months[0].year, 2026);
    idx_free(ix);

    /* now = 0: SOURCE_DATE_EPOCH decides. */
    o.now = 0;
    setenv("SOURCE_DATE_EPOCH", "1795536000", 1);
    ix = parse_str("# 12\n", &o);
    assert_int_equal(ix->months[0].year, 2025);
    idx_free(ix);
    unsetenv("SOURCE_DATE_EPOCH");

    /* Out of range (past 9999, or an overflow) or negative: ignored, the clock decides. */
    static const char *const bad[] = { "253402300800", "9223372036854775807", "-1", "12x" };
    o.now = (int64_t)time(NULL);
    ix = parse_str("# 12\n", &o);
    int clock_year = ix->months[0].year;
    idx_free(ix);
    o.now = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setenv("SOURCE_DATE_EPOCH", bad[i], 1);
        ix = parse_str("# 12\n", &o);
        if (ix->months[0].year != clock_year)
            fail_msg("SOURCE_DATE_EPOCH=%s gave %d", bad[i], ix->months[0].year);
        idx_free(ix);
    }
    /* The last second of 9999 is still taken. */
    setenv("SOURCE_DATE_EPOCH", "253402300799", 1);
    ix = parse_str("# 12\n", &o);
    assert_int_equal(ix->months[0].year, 9999);
    idx_free(ix);
    unsetenv("SOURCE_DATE_EPOCH");
}

struct pub {
    const char *id;
    int64_t t;
};

static int64_t published_cb(const char *id, void *ud)
{
    for (const struct pub *p = ud; p->id; p++)
        if (!strcmp(p->id, id))
            return p->t;
    return 0;
}

static void test_index_publish_dates_settle_a_month(void **state)
{
    static const char src[] = "# 01\n\na https://mp.weixin.qq.com/s/AAAA\n\n"
                              "# 12\n\nb https://mp.weixin.qq.com/s/BBBB\n\n"
                              "c https://mp.weixin.qq.com/s/CCCC\n\n"
                              "# 11\n\nd https://mp.weixin.qq.com/s/DDDD\n";
    struct pub dates[] = {
        { "BBBB", 1551398400 }, /* 2019-03: an old article listed later; outvoted */
        { "CCCC", 1639540800 }, /* 2021-12-15 */
        { NULL, 0 },
    };
    struct pub dates2[] = {
        { "AAAA", 1640980800 }, /* 2021-12-31 20:00 UTC = 2022-01-01 in UTC+8 */
        { NULL, 0 },
    };
    struct idx_opts o = IDX_OPTS_INIT;
    struct idx *ix;

    (void)state;
    o.year = 2030;
    o.published = published_cb;
    o.ud = dates;
    ix = parse_str(src, &o);
    assert_int_equal(ix->months[0].year, 2022);
    assert_int_equal(ix->months[1].year, 2021);
    assert_int_equal(ix->months[2].year, 2021);
    assert_false(ix->months[1].year_given);

    /* Called again with other dates, the years follow them. */
    o.ud = dates2;
    idx_resolve_years(ix, &o);
    assert_int_equal(ix->months[0].year, 2022);
    assert_int_equal(ix->months[1].year, 2021);
    assert_int_equal(ix->months[2].year, 2021);
    o.published = NULL;
    idx_resolve_years(ix, &o);
    assert_int_equal(ix->months[0].year, 2030);
    assert_int_equal(ix->months[2].year, 2029);
    idx_free(ix);
}

/* --- entries --- */

static void test_index_markdown_links_and_autolinks(void **state)
{
    static const char src[] = "# 12\n\n"
                              "[标题一](https://mp.weixin.qq.com/s/Tok_1) 【12.01】\n\n"
                              "前缀 **强调** [原文](https://a.example/p?x=1&amp;y=2) 尾巴\n\n"
                              "<https://a.example/auto>\n\n"
                              "看这个 <https://a.example/auto2>\n\n"
                              "[相对](relative/x) 还有 https://a.example/bare\n";
    struct idx *ix = parse_year(src, 2024);
    const struct idx_entry *e;

    (void)state;
    assert_int_equal(ix->nentries, 5);
    assert_int_equal(ix->nwarnings, 0);
    e = nth_entry(ix, 0);
    assert_string_equal(e->title, "标题一");
    assert_string_equal(e->url, "https://mp.weixin.qq.com/s/Tok_1");
    assert_string_equal(e->id, "Tok_1");
    assert_int_equal(e->date_month, 12);
    assert_int_equal(e->date_day, 1);
    e = nth_entry(ix, 1);
    assert_string_equal(e->title, "前缀 强调");
    assert_string_equal(e->url, "https://a.example/p?x=1&y=2");
    assert_int_equal(e->date_month, 0);
    e = nth_entry(ix, 2);
    assert_string_equal(e->title, "");
    assert_string_equal(e->url, "https://a.example/auto");
    e = nth_entry(ix, 3);
    assert_string_equal(e->title, "看这个");
    assert_string_equal(e->url, "https://a.example/auto2");
    e = nth_entry(ix, 4);
    assert_string_equal(e->title, "相对 还有");
    assert_string_equal(e->url, "https://a.example/bare");
    idx_free(ix);
}

static void test_index_bare_url_ends_before_brackets(void **state)
{
    static const char src[] =
        "# 12\n\n"
        "甲 https://mp.weixin.qq.com/s/abc【`12.27`】\n\n"
        "乙 https://mp.weixin.qq.com/s/def【 12.3 】后记 https://x.example/\n\n"
        "【1.2】 丙 https://a.example/q?a=1&amp;b=2&c=3. 其余\n\n"
        "丁 (https://a.example/wiki/A_(b)) 【13.01】\n\n"
        "戊\nhttps://a.example/next-line\n";
    struct idx *ix = parse_year(src, 2024);
    const struct idx_entry *e;

    (void)state;
    assert_int_equal(ix->nwarnings, 1);
    assert_warning(ix, 9, "no such date 13.01; date ignored");
    e = nth_entry(ix, 0);
    assert_string_equal(e->title, "甲");
    assert_string_equal(e->url, "https://mp.weixin.qq.com/s/abc");
    assert_string_equal(e->id, "abc");
    assert_int_equal(e->date_month, 12);
    assert_int_equal(e->date_day, 27);
    e = nth_entry(ix, 1);
    assert_string_equal(e->url, "https://mp.weixin.qq.com/s/def");
    assert_int_equal(e->date_month, 12);
    assert_int_equal(e->date_day, 3);
    e = nth_entry(ix, 2);
    assert_string_equal(e->title, "丙");
    assert_string_equal(e->url, "https://a.example/q?a=1&b=2&c=3");
    assert_int_equal(e->date_month, 1);
    assert_int_equal(e->date_day, 2);
    e = nth_entry(ix, 3);
    assert_string_equal(e->title, "丁 (");
    assert_string_equal(e->url, "https://a.example/wiki/A_(b)");
    assert_int_equal(e->date_month, 0);
    e = nth_entry(ix, 4);
    assert_string_equal(e->title, "戊");
    assert_string_equal(e->url, "https://a.example/next-line");
    assert_int_equal(e->line, 11);
    idx_free(ix);
}

/* A bare URL is taken as written: Markdown would eat its `_`, `*` and backslashes. */
static void test_index_bare_url_keeps_markdown_characters(void **state)
{
    static const char src[] = "# 01\n\n"
                              "T https://example.com/__init__.py\n\n"
                              "U https://example.com/a*b*c 【01.02】\n\n"
                              "V https://example.com/x\\_y\n\n"
                              "W https://mp.weixin.qq.com/s?__biz=MzA==&mid=1&idx=1&sn=__x__\n\n"
                              "X `https://code.example/`then https://example.com/_a_\n\n"
                              "Y ![pic](https://img.example/p.png) **bold**\r\n"
                              "https://example.com/__z__.\r\n\r\n"
                              "Z [l](https://link.example/) first, then https://example.com/_b_\n\n"
                              "[Q *q*](<https://link.example/q>) after https://example.com/_c_\n\n"
                              "R https://example.com/~_d_【01.03】\n";
    struct idx *ix = parse_year(src, 2024);
    const struct idx_entry *e;

    (void)state;
    assert_int_equal(ix->nwarnings, 0);
    e = nth_entry(ix, 0);
    assert_string_equal(e->title, "T");
    assert_string_equal(e->url, "https://example.com/__init__.py");
    e = nth_entry(ix, 1);
    assert_string_equal(e->url, "https://example.com/a*b*c");
    assert_int_equal(e->date_day, 2);
    assert_string_equal(nth_entry(ix, 2)->url, "https://example.com/x\\_y");
    e = nth_entry(ix, 3);
    assert_string_equal(e->url, "https://mp.weixin.qq.com/s?__biz=MzA==&mid=1&idx=1&sn=__x__");
    assert_string_equal(e->id, "MzA-1-1");
    assert_string_equal(nth_entry(ix, 4)->url, "https://code.example/");
    e = nth_entry(ix, 5);
    assert_string_equal(e->title, "Y  bold");
    assert_string_equal(e->url, "https://example.com/__z__");
    assert_string_equal(nth_entry(ix, 6)->url, "https://link.example/");
    assert_string_equal(nth_entry(ix, 7)->url, "https://link.example/q");
    e = nth_entry(ix, 8);
    assert_string_equal(e->title, "R");
    assert_string_equal(e->url, "https://example.com/~_d_");
    assert_int_equal(e->date_day, 3);
    idx_free(ix);
}

/* Invalid UTF-8 is read as U+FFFD, so titles and notes are valid UTF-8. */
static void test_index_invalid_utf8_is_replaced(void **state)
{
    static const char src[] = "# \xfftitle\n\n# 01\n\n\xff\xc3"
                              "bad\xed\xa0\x80 https://e.example/\n\n"
                              "- note \xfe"
                              "\n";
    struct idx *ix = parse_year(src, 2024);
    const struct idx_entry *e;
    char *note;

    (void)state;
    assert_string_equal(ix->title, "\xef\xbf\xbdtitle");
    e = nth_entry(ix, 0);
    assert_string_equal(e->title, "\xef\xbf\xbd\xef\xbf\xbd"
                                  "bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(e->url, "https://e.example/");
    assert_non_null(e->note);
    note = dump(e->note->root);
    assert_non_null(strstr(note, "note \xef\xbf\xbd"));
    assert_null(strstr(note, "\xfe"));
    free(note);
    idx_free(ix);
}

/* Impossible dates are warned about and ignored; a date's year is its own. */
static void test_index_dates_are_checked_and_get_their_year(void **state)
{
    static const char src[] = "# 2025-01\n\n"
                              "A https://e.example/a 【12.31】\n\n"
                              "B https://e.example/b 【02.30】\n\n"
                              "C https://e.example/c 【01.31】\n\n"
                              "D https://e.example/d 【02.29】\n\n" /* 2024: leap */
                              "# 2025-03\n\n"
                              "E https://e.example/e 【02.29】\n\n"
                              "F https://e.example/f 【04.31】\n\n"
                              "G https://e.example/g 【00.10】\n\n"
                              "# 02\n\n"
                              "H https://e.example/h 【02.29】\n";
    struct idx *ix = parse_year(src, 2024);
    const struct idx_entry *e;

    (void)state;
    e = nth_entry(ix, 0);
    assert_int_equal(e->date_year, 2024);
    assert_int_equal(e->date_month, 12);
    assert_int_equal(e->date_day, 31);
    e = nth_entry(ix, 1);
    assert_int_equal(e->date_month, 0);
    assert_int_equal(e->date_year, 0);
    assert_warning(ix, 5, "no such date 02.30; date ignored");
    assert_int_equal(nth_entry(ix, 2)->date_year, 2025);
    e = nth_entry(ix, 3);
    assert_int_equal(e->date_month, 2);
    assert_int_equal(e->date_year, 2024);
    assert_int_equal(nth_entry(ix, 4)->date_month, 0);
    assert_warning(ix, 13, "no such date 02.29; date ignored");
    assert_int_equal(nth_entry(ix, 5)->date_month, 0);
    assert_warning(ix, 15, "no such date 04.31; date ignored");
    assert_int_equal(nth_entry(ix, 6)->date_month, 0);
    assert_warning(ix, 17, "no such date 00.10; date ignored");
    /* # 02 below # 2025-03 is 2025-02, but its year is not written: 02.29 is taken. */
    e = nth_entry(ix, 7);
    assert_int_equal(e->date_month, 2);
    assert_int_equal(e->date_day, 29);
    assert_int_equal(e->date_year, 2025);
    assert_int_equal(ix->nwarnings, 4);
    idx_free(ix);
}

/* Two headings in a row that name the same month: a warning on the second. */
static void test_index_repeated_month_heading(void **state)
{
    struct idx *ix = parse_year("# 2025-01\n\nA https://e.example/a\n\n# 12\n\n"
                                "C https://e.example/c\n\n# 12\n\nD https://e.example/d\n\n"
                                "E https://e.example/e\n\n# 2024-12\n",
                                2024);

    (void)state;
    assert_int_equal(ix->nwarnings, 2);
    assert_warning(ix, 9, "month 2024-12 appears again (line 5)");
    assert_warning(ix, 15, "month 2024-12 appears again (line 9)");
    assert_int_equal(ix->warnings[0].line, 9);
    idx_free(ix);

    /* Not in a row, or another year: no warning. */
    ix = parse_year("# 2024-12\n# 11\n# 12\n# 2022-12\n# 2021-12\n", 2024);
    assert_int_equal(ix->nwarnings, 0);
    idx_free(ix);
}

static void test_index_bad_missing_and_early_entries(void **state)
{
    static const char src[] = "早到的 https://a.example/early\n\n"
                              "# 12\n\n"
                              "坏链接 http://[\n\n"
                              "没有链接的一行 【12.05】\n\n"
                              "好的 https://a.example/ok\n";
    struct idx *ix = parse_year(src, 2024);
    const struct idx_entry *e;

    (void)state;
    assert_int_equal(ix->nmonths, 2);
    assert_int_equal(ix->nentries, 4);
    assert_int_equal(ix->months[0].month, 0);
    assert_int_equal(ix->months[0].line, 0);
    assert_int_equal(ix->months[0].year, 0);
    assert_string_equal(ix->months[0].heading, "");
    assert_int_equal(ix->months[1].month, 12);
    assert_int_equal(ix->months[1].year, 2024);

    e = &ix->months[0].entries[0];
    assert_int_equal(e->flags, IDX_BEFORE_MONTH);
    assert_non_null(e->id);
    assert_ptr_equal(e->month, &ix->months[0]);
    e = &ix->months[1].entries[0];
    assert_int_equal(e->flags, IDX_BAD_URL);
    assert_string_equal(e->url, "http://[");
    assert_null(e->id);
    assert_string_equal(e->title, "坏链接");
    e = &ix->months[1].entries[1];
    assert_int_equal(e->flags, IDX_NO_URL);
    assert_null(e->url);
    assert_null(e->id);
    assert_string_equal(e->title, "没有链接的一行");
    assert_int_equal(e->date_day, 5);
    assert_int_equal(ix->months[1].entries[2].flags, 0);

    assert_int_equal(ix->nwarnings, 3);
    assert_int_equal(ix->warnings[0].line, 1);
    assert_string_equal(ix->warnings[0].message, "entry before any month heading");
    assert_warning(ix, 5, "cannot parse URL 'http://['");
    assert_warning(ix, 7, "entry has no URL");
    idx_free(ix);
}

static void test_index_duplicates(void **state)
{
    static const char src[] =
        "# 12\n\n"
        "短 https://mp.weixin.qq.com/s/SameToken\n\n"
        "长 https://mp.weixin.qq.com/s?__biz=MzA5&amp;mid=2247&amp;idx=1&amp;sn=x#rd\n\n"
        "长再 https://mp.weixin.qq.com/s?__biz=MzA5&mid=2247&idx=1&sn=x&chksm=99&scene=21"
        "#wechat_redirect\n\n"
        "短再 http://mp.weixin.qq.com/s/SameToken/?from=timeline\n\n"
        "别的 https://mp.weixin.qq.com/s?__biz=MzA5&mid=2247&idx=2\n";
    struct idx *ix = parse_year(src, 2024);
    const struct idx_entry *e = ix->months[0].entries;

    (void)state;
    assert_int_equal(ix->nentries, 5);
    assert_int_equal(e[0].flags, 0);
    assert_int_equal(e[1].flags, 0);
    assert_string_equal(e[1].id, "MzA5-2247-1");
    assert_string_equal(e[1].url, "https://mp.weixin.qq.com/s?__biz=MzA5&mid=2247&idx=1&sn=x#rd");
    assert_int_equal(e[2].flags, IDX_DUPLICATE);
    assert_string_equal(e[2].id, "MzA5-2247-1");
    assert_int_equal(e[3].flags, IDX_DUPLICATE);
    assert_string_equal(e[3].id, "SameToken");
    assert_int_equal(e[4].flags, 0);
    assert_int_equal(ix->nwarnings, 2);
    assert_warning(ix, 7, "duplicate of the entry on line 5");
    assert_warning(ix, 9, "duplicate of the entry on line 3");
    idx_free(ix);
}

static void test_index_notes_attach_to_the_entry_before(void **state)
{
    static const char src[] =
        "# 标题\n\n- 没有条目的笔记\n\n# 12\n\n"
        "甲 https://a.example/1\n\n"
        "3. 第三 *强调* `code`  \n   换行 <b>html</b> [链](https://l.example/) "
        "[邮](mailto:a@b.example) [坏](javascript:alert(1)) "
        "![图](https://i.example/p.png)\n"
        "4. > 引用\n\n"
        "> 接着的引用\n> 软换行\n\n"
        "---\n\n"
        "> 规则之后的引用\n\n"
        "乙 https://a.example/2\n\n"
        "<div>raw</div>\n\n"
        "- 在 HTML 块之后\n";
    static const char expected[] =
        "root\n"
        "  list ordered start=3\n"
        "    item\n"
        "      para\n"
        "        text \"第三 \"\n"
        "        em\n"
        "          text \"强调\"\n"
        "        text \" \"\n"
        "        code_span\n"
        "          text \"code\"\n"
        "        break\n"
        "        text \"换行 <b>html</b> \"\n"
        "        link href=\"https://l.example/\"\n"
        "          text \"链\"\n"
        "        text \" \"\n"
        "        link href=\"mailto:a@b.example\"\n"
        "          text \"邮\"\n"
        "        text \" 坏 \"\n"
        "        inline_image src=\"https://i.example/p.png\" alt=\"图\"\n"
        "    item\n"
        "      quote\n"
        "        para\n"
        "          text \"引用\"\n"
        "  quote\n"
        "    para\n"
        "      text \"接着的引用 软换行\"\n";
    struct idx *ix = parse_year(src, 2024);
    const struct idx_entry *e = ix->months[0].entries;
    char *d;

    (void)state;
    assert_int_equal(ix->nentries, 2);
    assert_non_null(e[0].note);
    d = dump(e[0].note->root);
    assert_string_equal(d, expected);
    free(d);
    assert_null(e[1].note);
    assert_int_equal(ix->nwarnings, 3);
    assert_warning(ix, 3, "note without an entry");
    assert_warning(ix, 18, "note without an entry");
    assert_warning(ix, 24, "note without an entry");
    idx_free(ix);
}

static void test_index_empty_and_blank_files(void **state)
{
    struct idx *ix;
    struct strbuf why = STRBUF_INIT;

    (void)state;
    assert_int_equal(idx_parse("", 0, "empty.md", NULL, &ix, &why), ARC_OK);
    assert_int_equal(ix->nmonths, 0);
    assert_int_equal(ix->nentries, 0);
    assert_int_equal(ix->nwarnings, 0);
    assert_null(ix->title);
    idx_free(ix);
    ix = parse_year("\xef\xbb\xbf\r\n  \n\n", 0);
    assert_int_equal(ix->nmonths, 0);
    assert_int_equal(ix->nentries, 0);
    idx_free(ix);
    idx_free(NULL);
    strbuf_release(&why);
}

static void test_index_file_errors(void **state)
{
    static struct idx sentinel;
    struct strbuf why = STRBUF_INIT;
    struct idx *ix = &sentinel;
    char *big;

    (void)state;
    assert_int_equal(idx_parse_file(TEST_DATADIR "/index/no-such.md", NULL, &ix, &why),
                     ARC_ENOTFOUND);
    assert_null(ix);
    assert_string_equal(why.buf, "cannot read '" TEST_DATADIR
                                 "/index/no-such.md': No such file or directory");
    strbuf_reset(&why);
    assert_int_equal(idx_parse_file(TEST_DATADIR "/index", NULL, &ix, &why), ARC_EIO);
    assert_null(ix);
    assert_non_null(strstr(why.buf, "cannot read '"));
    strbuf_reset(&why);
    /* 4 MiB: cmark 0.30 is quadratic on a few MiB of "![[]()". */
    big = xcalloc((4u << 20) + 1, 1);
    assert_int_equal(idx_parse(big, (4u << 20) + 1, "big.md", NULL, &ix, &why), ARC_ETOOBIG);
    assert_null(ix);
    assert_string_equal(why.buf, "cannot read 'big.md': larger than 4194304 bytes");
    free(big);
    strbuf_release(&why);
}

/* --- article ids --- */

static void test_index_id_short_links(void **state)
{
    (void)state;
    check_id("https://mp.weixin.qq.com/s/qEWE2pRHRG403lr-yqaKPQ", "qEWE2pRHRG403lr-yqaKPQ");
    check_id("http://mp.weixin.qq.com/s/qEWE2pRHRG403lr-yqaKPQ", "qEWE2pRHRG403lr-yqaKPQ");
    check_id("https://MP.WEIXIN.QQ.COM/s/abc_-9/", "abc_-9");
    check_id("https://mp.weixin.qq.com/s/abc?scene=1&from=x#rd", "abc");
    check_id("https://mp.weixin.qq.com:443/s/abc", "abc");
    /* Not directory-safe: the hash form instead. */
    check_same_id("https://mp.weixin.qq.com/s/a%2Fb", "https://mp.weixin.qq.com/s/a%2Fb#x", true);
    {
        char *id = idx_article_id("https://mp.weixin.qq.com/s/a.b");
        assert_non_null(id);
        assert_int_equal(strlen(id), 17);
        assert_int_equal(id[0], 'u');
        free(id);
    }
    /* Only mp.weixin.qq.com has short links. */
    check_same_id("https://www.mp.weixin.qq.com/s/abc", "https://example.com/s/abc", false);
    {
        char *id = idx_article_id("https://weixin.qq.com/s/abc");
        assert_int_equal(id[0], 'u');
        free(id);
    }
}

static void test_index_id_long_links(void **state)
{
    (void)state;
    check_id("https://mp.weixin.qq.com/s?__biz=MzA3NjAxNTg3MQ==&amp;mid=2650123456&amp;idx=1"
             "&amp;sn=0123abcd&amp;chksm=84f0e6f5b38&amp;scene=21#rd",
             "MzA3NjAxNTg3MQ-2650123456-1");
    check_id("https://mp.weixin.qq.com/s?__biz=MzA3NjAxNTg3MQ%3D%3D&mid=2650123456&idx=1"
             "#wechat_redirect",
             "MzA3NjAxNTg3MQ-2650123456-1");
    check_id("https://mp.weixin.qq.com/s?__biz=Mz+A/b=&mid=1&idx=2", "Mz-A_b-1-2");
    check_id("https://mp.weixin.qq.com/s?__biz=Mz%2BA%2Fb%3D&mid=1&idx=2", "Mz-A_b-1-2");
    check_id("https://mp.weixin.qq.com/s/?mid=1&__biz=Mz%2ba%2fb&idx=2&mpshare=1&srcid=x",
             "Mz-a_b-1-2");
    check_id("https://mp.weixin.qq.com/mp/appmsg/show?__biz=QUJD&appmsgid=1&mid=7&idx=3",
             "QUJD-7-3");
    /* The same long link with other noise and fragments is one article. */
    check_same_id("https://mp.weixin.qq.com/s?__biz=QUJD&mid=7&idx=3&sn=s&chksm=a&scene=1#rd",
                  "https://mp.weixin.qq.com/s?__biz=QUJD&amp;mid=7&amp;idx=3&amp;sn=s"
                  "&amp;srcid=0101&amp;mpshare=1#wechat_redirect",
                  true);
    /* A short and a long link are two forms: the index cannot know they are one article. */
    check_same_id("https://mp.weixin.qq.com/s/QUJD",
                  "https://mp.weixin.qq.com/s?__biz=QUJD&mid=7&idx=3", false);
    /* Without mid or idx it is hashed, noise still ignored. */
    check_same_id("https://mp.weixin.qq.com/s?__biz=QUJD&mid=7&scene=1",
                  "https://mp.weixin.qq.com/s?__biz=QUJD&mid=7#rd", true);
    {
        char *id = idx_article_id("https://mp.weixin.qq.com/s?__biz=QUJD&mid=7");
        assert_int_equal(id[0], 'u');
        free(id);
    }
}

static void test_index_id_other_urls(void **state)
{
    (void)state;
    check_id("https://example.com/a?b=1", "u6cb547ac73ee23b7");
    check_id("HTTPS://EXAMPLE.com:443/x/../a?b=1#frag", "u6cb547ac73ee23b7");
    check_same_id("https://example.com/a?b=1", "https://example.com/a?b=2", false);
    check_same_id("https://example.com/a", "http://example.com/a", false);
    check_id("ftp://example.com/a", NULL);
    check_id("mailto:a@example.com", NULL);
    check_id("example.com/a", NULL);
    check_id("http://[", NULL);
    check_id("", NULL);
    check_id(NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_seed_months_entries_dates),
        cmocka_unit_test(test_index_seed_ptrace_note),
        cmocka_unit_test(test_index_seed_mmap_note),
        cmocka_unit_test(test_index_crlf_and_bom_parse_like_the_seed),
        cmocka_unit_test(test_index_month_headings_with_years),
        cmocka_unit_test(test_index_title_heading_and_second_title),
        cmocka_unit_test(test_index_years_follow_heading_order),
        cmocka_unit_test(test_index_default_year_from_now),
        cmocka_unit_test(test_index_publish_dates_settle_a_month),
        cmocka_unit_test(test_index_markdown_links_and_autolinks),
        cmocka_unit_test(test_index_bare_url_ends_before_brackets),
        cmocka_unit_test(test_index_bare_url_keeps_markdown_characters),
        cmocka_unit_test(test_index_invalid_utf8_is_replaced),
        cmocka_unit_test(test_index_dates_are_checked_and_get_their_year),
        cmocka_unit_test(test_index_repeated_month_heading),
        cmocka_unit_test(test_index_bad_missing_and_early_entries),
        cmocka_unit_test(test_index_duplicates),
        cmocka_unit_test(test_index_notes_attach_to_the_entry_before),
        cmocka_unit_test(test_index_empty_and_blank_files),
        cmocka_unit_test(test_index_file_errors),
        cmocka_unit_test(test_index_id_short_links),
        cmocka_unit_test(test_index_id_long_links),
        cmocka_unit_test(test_index_id_other_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
