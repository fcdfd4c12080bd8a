/* tests/unit/test_convert.c: the page converter: classification, metadata and bodies of the saved
 * WeChat pages, the failure-page variants, charsets and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <gumbo.h>

#include "convert/convert.h"
#include "util/alloc.h"
#include "util/strbuf.h"

#define WECHAT_DIR  TEST_DATADIR "/wechat/"
#define CONVERT_DIR TEST_DATADIR "/convert/"

/* --- helpers --- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct strbuf sb = STRBUF_INIT;
    char chunk[65536];
    size_t n;

    assert_non_null(f);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        strbuf_add(&sb, chunk, n);
    fclose(f);
    return strbuf_detach(&sb, len);
}

static void convert_buf(const char *buf, size_t len, const char *url, const char *final_url,
                        const char *ctype, struct conv_page *p)
{
    struct conv_input in = { buf, len, url, final_url, ctype };
    struct strbuf why = STRBUF_INIT;

    assert_int_equal(conv_page_convert(&in, p, &why), ARC_OK);
    strbuf_release(&why);
}

static void convert_file(const char *path, const char *url, const char *ctype, struct conv_page *p)
{
    size_t len;
    char *buf = slurp(path, &len);

    convert_buf(buf, len, url, NULL, ctype, p);
    free(buf);
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *body_text(const struct conv_page *p)
{
    struct strbuf sb = STRBUF_INIT;

    assert_non_null(p->doc);
    doc_plain_text(p->doc->root, &sb);
    return strbuf_detach(&sb, NULL);
}

static bool is_image(const struct conv_page *p, const char *src, size_t len)
{
    for (size_t i = 0; i < p->nimages; i++)
        if (strlen(p->images[i]) == len && !memcmp(p->images[i], src, len))
            return true;
    return false;
}

/* The XHTML of the body has no script, handler, javascript: URL or remote resource other than
 * the recorded images. */
static void assert_clean_xhtml(const struct conv_page *p)
{
    struct strbuf sb = STRBUF_INIT;
    const char *s;

    doc_write_xhtml(p->doc->root, &sb, 0);
    assert_null(strstr(sb.buf, "<script"));
    assert_null(strstr(sb.buf, "<iframe"));
    assert_null(strstr(sb.buf, "<link"));
    assert_null(strstr(sb.buf, "<object"));
    assert_null(strstr(sb.buf, "<style"));
    assert_null(strstr(sb.buf, "javascript:"));
    assert_null(strstr(sb.buf, "url("));
    for (s = sb.buf; (s = strstr(s, " on")); s++) {
        const char *q = s + 3;
        while (*q >= 'a' && *q <= 'z')
            q++;
        /* An attribute named on…= inside a tag would be a handler. */
        if (*q == '=' && q > s + 3) {
            const char *lt = s, *gt = s;
            while (lt > sb.buf && *lt != '<' && *lt != '>')
                lt--;
            while (*gt && *gt != '>')
                gt++;
            assert_false(*lt == '<' && *gt == '>');
        }
    }
    for (s = sb.buf; (s = strstr(s, "src=\"")); s++) {
        const char *v = s + 5, *e = strchr(v, '"');
        struct strbuf u = STRBUF_INIT;
        assert_non_null(e);
        /* The writer escapes & as &amp;; the image list holds the plain URL. */
        for (const char *c = v; c < e; c++) {
            if (!strncmp(c, "&amp;", 5)) {
                strbuf_addch(&u, '&');
                c += 4;
            } else {
                strbuf_addch(&u, *c);
            }
        }
        assert_true(is_image(p, u.buf, u.len));
        strbuf_release(&u);
    }
    strbuf_release(&sb);
}

/* --- independent counts of the content images --- */

static const GumboNode *find_id(const GumboNode *n, const char *id)
{
    const GumboVector *kids;
    const GumboAttribute *a;

    if (n->type == GUMBO_NODE_DOCUMENT) {
        kids = &n->v.document.children;
    } else if (n->type == GUMBO_NODE_ELEMENT) {
        a = gumbo_get_attribute(&n->v.element.attributes, "id");
        if (a && !strcmp(a->value, id))
            return n;
        kids = &n->v.element.children;
    } else {
        return NULL;
    }
    for (unsigned i = 0; i < kids->length; i++) {
        const GumboNode *r = find_id(kids->data[i], id);
        if (r)
            return r;
    }
    return NULL;
}

static void collect_data_src(const GumboNode *n, char ***list, size_t *count)
{
    const GumboAttribute *a;

    if (n->type != GUMBO_NODE_ELEMENT)
        return;
    if (n->v.element.tag == GUMBO_TAG_IMG &&
        (a = gumbo_get_attribute(&n->v.element.attributes, "data-src"))) {
        bool seen = false;
        for (size_t i = 0; i < *count; i++)
            seen = seen || !strcmp((*list)[i], a->value);
        if (!seen) {
            *list = xrealloc(*list, (*count + 1) * sizeof(**list));
            (*list)[(*count)++] = xstrdup(a->value);
        }
    }
    for (unsigned i = 0; i < n->v.element.children.length; i++)
        collect_data_src(n->v.element.children.data[i], list, count);
}

/* Distinct img[data-src] values inside #js_content. */
static size_t count_content_images(const char *buf, size_t len)
{
    GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, buf, len);
    const GumboNode *content = find_id(g->document, "js_content");
    char **list = NULL;
    size_t count = 0;

    if (content)
        collect_data_src(content, &list, &count);
    for (size_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
    gumbo_destroy_output(&kGumboDefaultOptions, g);
    return count;
}

/* Entries of picture_page_info_list: each carries one is_qr_code flag. */
static size_t count_picture_entries(const char *buf, size_t len)
{
    size_t n = 0;
    const char *p = buf, *end = buf + len;

    while ((p = memmem(p, (size_t)(end - p), "is_qr_code:", 11))) {
        n++;
        p += 11;
    }
    return n;
}

/* --- the saved WeChat pages --- */

struct fixture {
    const char *file;
    enum conv_class cls;
    enum conv_kind kind;
    int64_t published;   /* ori_create_time in the page */
    const char *snippet; /* text from the type's own source */
};

static const struct fixture fixtures[] = {
    { "article-01.html", CONV_ARTICLE, CONV_KIND_NORMAL, 1762747210,
      "最近我正在迭代我的EasyTshark抓包软件" },
    { "article-02.html", CONV_ARTICLE, CONV_KIND_NORMAL, 1762475508,
      "这里记录每周值得分享的科技内容" },
    { "repost-01.html", CONV_ARTICLE, CONV_KIND_NORMAL, 1762819606, "比小学生满口网络烂梗" },
    { "repost-card-03.html", CONV_ARTICLE, CONV_KIND_REPOST, 1574683643, "索罗说" },
    { "image-post-01.html", CONV_ARTICLE, CONV_KIND_IMAGE_POST, 1762338600,
      "中国汽车行业价格战，寒气越发深入" },
    { "text-post-01.html", CONV_ARTICLE, CONV_KIND_TEXT_POST, 1759817591,
      "AI编程到底能不能取代程序员" },
    { "deleted-01.html", CONV_DELETED, CONV_KIND_NORMAL, 0, NULL },
    { "violation-01.html", CONV_REMOVED, CONV_KIND_NORMAL, 0, NULL },
};

struct manifest_row {
    char *url, *account, *title;
};

/* The MANIFEST.tsv row for file (url, kind, account, title); fields are "" when empty. */
static void manifest_row(const char *file, struct manifest_row *row)
{
    size_t len;
    char *buf = slurp(WECHAT_DIR "MANIFEST.tsv", &len), *line, *save = NULL;

    memset(row, 0, sizeof(*row));
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[5] = { 0 }, *p = line;
        for (int i = 0; i < 5; i++) {
            f[i] = p;
            p = p ? strchr(p, '\t') : NULL;
            if (p)
                *p++ = '\0';
        }
        if (f[0] && !strcmp(f[0], file)) {
            row->url = xstrdup(f[1] ? f[1] : "");
            row->account = xstrdup(f[3] ? f[3] : "");
            row->title = xstrdup(f[4] ? f[4] : "");
        }
    }
    free(buf);
    assert_non_null(row->url);
}

static void check_fixture(const struct fixture *fx)
{
    char path[512];
    struct manifest_row row;
    struct conv_page p;
    size_t len;
    char *buf, *text;

    snprintf(path, sizeof(path), "%s%s", WECHAT_DIR, fx->file);
    buf = slurp(path, &len);
    manifest_row(fx->file, &row);
    convert_buf(buf, len, row.url, NULL, "text/html; charset=utf-8", &p);

    assert_string_equal(conv_class_name(p.cls), conv_class_name(fx->cls));
    if (fx->cls != CONV_ARTICLE) {
        assert_null(p.doc);
        assert_non_null(p.detail);
        assert_true(strlen(p.detail) > 0);
        goto out;
    }
    assert_string_equal(p.meta.title, row.title);
    assert_string_equal(p.meta.account, row.account);
    assert_int_equal(p.meta.published, fx->published);
    assert_string_equal(conv_kind_name(p.meta.kind), conv_kind_name(fx->kind));
    assert_non_null(p.meta.account_id);
    assert_memory_equal(p.meta.account_id, "gh_", 3);
    assert_non_null(p.meta.biz);
    assert_non_null(p.meta.mid);
    assert_non_null(p.meta.sn);
    assert_string_equal(p.meta.short_url, row.url);
    assert_non_null(p.meta.long_url);
    assert_null(strstr(p.meta.long_url, "&amp;"));

    if (fx->kind == CONV_KIND_IMAGE_POST)
        assert_int_equal(p.nimages, count_picture_entries(buf, len));
    else if (fx->kind != CONV_KIND_TEXT_POST)
        assert_int_equal(p.nimages, count_content_images(buf, len));

    text = body_text(&p);
    assert_true(strlen(text) > 0);
    assert_non_null(strstr(text, fx->snippet));
    free(text);
    assert_clean_xhtml(&p);
out:
    conv_page_release(&p);
    free(row.url);
    free(row.account);
    free(row.title);
    free(buf);
}

#define FIXTURE_TEST(name, i)                             \
    static void test_convert_fixture_##name(void **state) \
    {                                                     \
        (void)state;                                      \
        check_fixture(&fixtures[i]);                      \
    }
FIXTURE_TEST(article_01, 0)
FIXTURE_TEST(article_02, 1)
FIXTURE_TEST(repost_01, 2)
FIXTURE_TEST(repost_card_03, 3)
FIXTURE_TEST(image_post_01, 4)
FIXTURE_TEST(text_post_01, 5)
FIXTURE_TEST(deleted_01, 6)
FIXTURE_TEST(violation_01, 7)

/* Classification and metadata only: passes whatever the body mapping does. */
static void test_convert_fixture_metadata(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
        char path[512];
        struct manifest_row row;
        struct conv_page p;

        snprintf(path, sizeof(path), "%s%s", WECHAT_DIR, fixtures[i].file);
        manifest_row(fixtures[i].file, &row);
        convert_file(path, row.url, NULL, &p);
        assert_int_equal(p.cls, fixtures[i].cls);
        if (p.cls == CONV_ARTICLE) {
            assert_string_equal(p.meta.title, row.title);
            assert_string_equal(p.meta.account, row.account);
            assert_int_equal(p.meta.published, fixtures[i].published);
            assert_int_equal(p.meta.kind, fixtures[i].kind);
            assert_non_null(p.doc);
        }
        conv_page_release(&p);
        free(row.url);
        free(row.account);
        free(row.title);
    }
}

static void test_convert_fixture_details(void **state)
{
    struct conv_page p;

    (void)state;
    convert_file(WECHAT_DIR "article-02.html", NULL, NULL, &p);
    assert_true(p.meta.original);
    assert_string_equal(p.meta.author, "阮一峰");
    assert_string_equal(p.meta.account_id, "gh_2f5c59ad6e1e");
    assert_string_equal(p.meta.biz, "MzI4NjAxNjY4Nw==");
    assert_string_equal(p.meta.mid, "2650242275");
    assert_string_equal(p.meta.idx, "1");
    assert_string_equal(p.meta.sn, "522b4a6728fcde7b55e73a5568e2c028");
    assert_int_equal(p.meta.item_show_type, 0);
    assert_string_equal(p.meta.description,
                        "这里记录每周值得分享的科技内容，周五发布。本杂志开源，欢迎投稿。");
    assert_non_null(strstr(p.meta.cover, "mmbiz.qpic.cn"));
    conv_page_release(&p);

    convert_file(WECHAT_DIR "repost-card-03.html", NULL, NULL, &p);
    assert_int_equal(p.meta.kind, CONV_KIND_REPOST);
    assert_non_null(p.meta.original_url);
    assert_non_null(
        strstr(p.meta.original_url, "mid=2247483687&idx=1&sn=8c05352c98185e08f8100947f6f0b621"));
    assert_null(strstr(p.meta.original_url, "&amp;"));
    /* The description's \x0a escapes are decoded, not kept. */
    assert_null(strstr(p.meta.description, "\\x0a"));
    conv_page_release(&p);

    convert_file(WECHAT_DIR "image-post-01.html", NULL, NULL, &p);
    assert_int_equal(p.meta.item_show_type, 8);
    assert_string_equal(p.meta.account_id, "gh_240fbf8b33e4");
    assert_string_equal(p.meta.sn, "875c3bbeea8cafa2728a9f53c19b49a3");
    conv_page_release(&p);

    convert_file(WECHAT_DIR "violation-01.html", NULL, NULL, &p);
    assert_non_null(strstr(p.detail, "此内容因违规无法查看"));
    conv_page_release(&p);
    convert_file(WECHAT_DIR "deleted-01.html", NULL, NULL, &p);
    assert_string_equal(p.detail, "该内容已被发布者删除");
    conv_page_release(&p);
}

/* --- failure-page variants --- */

static void expect_class(const char *file, const char *url, enum conv_class cls,
                         const char *detail_part)
{
    struct conv_page p;
    char path[512];

    snprintf(path, sizeof(path), "%s%s", CONVERT_DIR, file);
    convert_file(path, url, NULL, &p);
    assert_string_equal(conv_class_name(p.cls), conv_class_name(cls));
    assert_null(p.doc);
    assert_non_null(p.detail);
    if (detail_part)
        assert_non_null(strstr(p.detail, detail_part));
    conv_page_release(&p);
}

#define MP "https://mp.weixin.qq.com/s/abcdefghijklmnopqrstuv"

static void test_convert_failure_variants(void **state)
{
    (void)state;
    expect_class("wall-visible.html", MP, CONV_WALL, "环境异常");
    expect_class("wall-script.html", MP, CONV_WALL, NULL);
    expect_class("rate-limited.html", MP, CONV_RATE_LIMITED, "访问过于频繁");
    expect_class("expired.html", MP, CONV_EXPIRED, "链接已过期");
    expect_class("unavailable.html", MP, CONV_UNAVAILABLE, "该内容暂时无法查看");
    expect_class("deleted-en.html", MP, CONV_DELETED, "deleted by the author");
}

static void test_convert_migrated_names_target(void **state)
{
    struct conv_page p;

    (void)state;
    convert_file(CONVERT_DIR "migrated.html", MP, NULL, &p);
    assert_int_equal(p.cls, CONV_MIGRATED);
    assert_string_equal(p.meta.migrated_to,
                        "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzNew==");
    conv_page_release(&p);
}

static void test_convert_captcha_by_final_url(void **state)
{
    struct conv_page p;
    size_t len;
    char *buf = slurp(WECHAT_DIR "article-01.html", &len);

    (void)state;
    convert_buf(buf, len, MP, "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=x", NULL,
                &p);
    assert_int_equal(p.cls, CONV_CAPTCHA);
    assert_null(p.doc);
    conv_page_release(&p);
    free(buf);
}

static void test_convert_article_quoting_failures_is_article(void **state)
{
    struct conv_page p;

    (void)state;
    convert_file(CONVERT_DIR "quotes-failure.html", MP, NULL, &p);
    assert_int_equal(p.cls, CONV_ARTICLE);
    assert_null(p.detail);
    assert_string_equal(p.meta.title, "引用失败页面的文章");
    assert_string_equal(p.meta.account, "测试号");
    assert_int_equal(p.meta.published, 1700000000);
    assert_non_null(p.doc);
    conv_page_release(&p);
}

static void test_convert_decoys_and_entities(void **state)
{
    struct conv_page p;

    (void)state;
    convert_file(CONVERT_DIR "decoys.html", MP, NULL, &p);
    assert_int_equal(p.cls, CONV_ARTICLE);
    assert_string_equal(p.meta.title, "Tom & Jerry <3 \"quoted\" 'single' 中文");
    assert_string_equal(p.meta.account, "账号名称");
    assert_string_equal(p.meta.account_id, "gh_0123456789ab");
    assert_string_equal(p.meta.biz, "MzA5NzAwMDAwMA==");
    assert_null(p.meta.mid);
    assert_null(p.meta.sn);
    assert_int_equal(p.meta.published, 1699999999);
    conv_page_release(&p);
}

/* --- generic pages and charsets --- */

static void test_convert_generic_gbk_meta_charset(void **state)
{
    struct conv_page p;
    char *text;

    (void)state;
    convert_file(CONVERT_DIR "generic-gbk.html", "https://example.com/a.html", NULL, &p);
    assert_int_equal(p.cls, CONV_GENERIC);
    assert_string_equal(p.meta.title, "中文标题");
    text = body_text(&p);
    assert_non_null(strstr(text, "你好，世界。这是GBK编码的页面。"));
    free(text);
    conv_page_release(&p);
}

static void test_convert_generic_content_type_charset_wins(void **state)
{
    struct conv_page p;
    char *text;

    (void)state;
    convert_file(CONVERT_DIR "generic-big5-header.html", "https://example.com/b.html",
                 "text/html; charset=big5", &p);
    assert_int_equal(p.cls, CONV_GENERIC);
    assert_string_equal(p.meta.title, "Big5 頁面");
    text = body_text(&p);
    assert_non_null(strstr(text, "繁體中文內容"));
    free(text);
    conv_page_release(&p);
}

static void test_convert_generic_unknown_charset_is_utf8(void **state)
{
    static const char page[] = "<html><head><meta charset=\"x-nonsense\"><title>T\xff\xfe"
                               "\xe4\xb8\xad</title></head><body><p>ok</p></body></html>";
    struct conv_page p;

    (void)state;
    convert_buf(page, sizeof(page) - 1, "https://example.com/", NULL, NULL, &p);
    assert_int_equal(p.cls, CONV_GENERIC);
    assert_string_equal(p.meta.title, "T中");
    conv_page_release(&p);
}

/* --- hostile input --- */

static void test_convert_nul_and_invalid_utf8(void **state)
{
    static const char page[] = "<html><body><div id=\"js_article\"><h1 id=\"activity-name\">A\0B"
                               "\xc3\x28\xed\xa0\x80</h1><div id=\"js_content\"><p>x\0y</p>"
                               "</div></div></body></html>";
    struct conv_page p;

    (void)state;
    convert_buf(page, sizeof(page) - 1, MP, NULL, NULL, &p);
    assert_int_equal(p.cls, CONV_ARTICLE);
    assert_string_equal(p.meta.title, "AB(");
    conv_page_release(&p);
}

static void test_convert_truncated_page(void **state)
{
    struct conv_page p;
    size_t len;
    char *buf = slurp(WECHAT_DIR "article-01.html", &len);

    (void)state;
    /* Cut inside #js_content: still the article, with what arrived. */
    convert_buf(buf, 370000, MP, NULL, NULL, &p);
    assert_int_equal(p.cls, CONV_ARTICLE);
    assert_string_equal(p.meta.title, "AI编程害死我了，给我的抓包软件埋了一个大雷！");
    conv_page_release(&p);
    /* Cut in the head: a WeChat page without an article. */
    convert_buf(buf, 20000, MP, NULL, NULL, &p);
    assert_int_equal(p.cls, CONV_UNREADABLE);
    conv_page_release(&p);
    free(buf);
}

static void test_convert_not_html(void **state)
{
    static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    static const char json[] = "{\"base_resp\": {\"ret\": 200013}}";
    struct conv_page p;

    (void)state;
    convert_buf(png, sizeof(png) - 1, MP, NULL, NULL, &p);
    assert_int_equal(p.cls, CONV_UNREADABLE);
    assert_string_equal(p.detail, "not an HTML page");
    conv_page_release(&p);
    convert_buf(json, sizeof(json) - 1, MP, NULL, NULL, &p);
    assert_int_equal(p.cls, CONV_UNREADABLE);
    assert_string_equal(p.detail, "not an HTML page");
    conv_page_release(&p);
    convert_buf("", 0, MP, NULL, NULL, &p);
    assert_int_equal(p.cls, CONV_UNREADABLE);
    conv_page_release(&p);
}

static void test_convert_deep_nesting_is_refused_fast(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    struct conv_page p;
    double t;

    (void)state;
    strbuf_addstr(&sb, "<html><body>");
    for (int i = 0; i < 10000; i++)
        strbuf_addstr(&sb, "<div>");
    t = now_ms();
    convert_buf(sb.buf, sb.len, MP, NULL, NULL, &p);
    t = now_ms() - t;
    assert_int_equal(p.cls, CONV_UNREADABLE);
    assert_non_null(p.detail);
    assert_true(t < 500);
    conv_page_release(&p);
    strbuf_release(&sb);
}

static void test_convert_huge_pages_are_bounded(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    struct conv_page p;
    double t;

    (void)state;
    strbuf_addstr(&sb, "<html><head><title>big</title></head><body>");
    while (sb.len < 50u * 1024 * 1024)
        strbuf_addstr(&sb, "<p>x</p>");
    strbuf_addstr(&sb, "</body></html>");
    t = now_ms();
    convert_buf(sb.buf, sb.len, "https://example.com/big", NULL, NULL, &p);
    t = now_ms() - t;
    assert_int_equal(p.cls, CONV_GENERIC);
    assert_true(t < 30000);
    conv_page_release(&p);

    /* Over the cap: refused without reading it. */
    strbuf_grow(&sb, CONV_MAX_PAGE_BYTES + 1 - sb.len);
    memset(sb.buf + sb.len, ' ', CONV_MAX_PAGE_BYTES + 1 - sb.len);
    convert_buf(sb.buf, CONV_MAX_PAGE_BYTES + 1, MP, NULL, NULL, &p);
    assert_int_equal(p.cls, CONV_UNREADABLE);
    assert_non_null(p.detail);
    conv_page_release(&p);
    strbuf_release(&sb);
}

static void test_convert_names_and_arguments(void **state)
{
    struct conv_page p;
    struct conv_input in = { NULL, 5, NULL, NULL, NULL };

    (void)state;
    assert_string_equal(conv_class_name(CONV_WALL), "verification-wall");
    assert_string_equal(conv_class_name(CONV_MIGRATED), "account-migrated");
    assert_string_equal(conv_class_name(CONV_UNREADABLE), "unreadable");
    assert_string_equal(conv_kind_name(CONV_KIND_IMAGE_POST), "image-post");
    assert_string_equal(conv_kind_name(CONV_KIND_NORMAL), "article");
    assert_int_equal(conv_page_convert(&in, &p, NULL), ARC_EINVAL);
    conv_page_release(&p);
    conv_page_release(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert_fixture_metadata),
        cmocka_unit_test(test_convert_fixture_details),
        cmocka_unit_test(test_convert_failure_variants),
        cmocka_unit_test(test_convert_migrated_names_target),
        cmocka_unit_test(test_convert_captcha_by_final_url),
        cmocka_unit_test(test_convert_article_quoting_failures_is_article),
        cmocka_unit_test(test_convert_decoys_and_entities),
        cmocka_unit_test(test_convert_generic_gbk_meta_charset),
        cmocka_unit_test(test_convert_generic_content_type_charset_wins),
        cmocka_unit_test(test_convert_generic_unknown_charset_is_utf8),
        cmocka_unit_test(test_convert_nul_and_invalid_utf8),
        cmocka_unit_test(test_convert_truncated_page),
        cmocka_unit_test(test_convert_not_html),
        cmocka_unit_test(test_convert_deep_nesting_is_refused_fast),
        cmocka_unit_test(test_convert_huge_pages_are_bounded),
        cmocka_unit_test(test_convert_names_and_arguments),
        cmocka_unit_test(test_convert_fixture_article_01),
        cmocka_unit_test(test_convert_fixture_article_02),
        cmocka_unit_test(test_convert_fixture_repost_01),
        cmocka_unit_test(test_convert_fixture_repost_card_03),
        cmocka_unit_test(test_convert_fixture_image_post_01),
        cmocka_unit_test(test_convert_fixture_text_post_01),
        cmocka_unit_test(test_convert_fixture_deleted_01),
        cmocka_unit_test(test_convert_fixture_violation_01),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
