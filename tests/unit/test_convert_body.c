/* test_convert_body.c: the body mapping (convert/body.c): golden trees, sanitizing, code text,
 * images and the real article fixtures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "convert/internal.h"
#include "doc/doc.h"
#include "util/alloc.h"
#include "util/strbuf.h"
#include "util/url.h"
#include "util/banned.h"

#define REGRESS_DIR TEST_SRCDIR "/tests/regress/convert"
#define BASE_URL    "https://mp.weixin.qq.com/s/abc"

/* --- helpers --- */

static char *read_file(const char *path, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    char buf[65536];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (!f)
        return NULL;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        strbuf_add(&sb, buf, n);
    fclose(f);
    return strbuf_detach(&sb, len);
}

static void write_file(const char *path, const char *s, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static bool is_elem(const GumboNode *g, GumboTag tag)
{
    return g->type == GUMBO_NODE_ELEMENT && g->v.element.tag == tag;
}

/* Depth-first search for the first element matching tag (or any tag with id, when id is set). */
static const GumboNode *find_node(const GumboNode *root, GumboTag tag, const char *id)
{
    const GumboNode **stack = xmalloc(1 << 20);
    size_t n = 0;
    const GumboNode *found = NULL;

    stack[n++] = root;
    while (n && !found) {
        const GumboNode *g = stack[--n];
        const GumboVector *kids;

        if (g->type == GUMBO_NODE_DOCUMENT) {
            kids = &g->v.document.children;
        } else if (g->type == GUMBO_NODE_ELEMENT) {
            const GumboAttribute *a = gumbo_get_attribute(&g->v.element.attributes, "id");

            if (id ? a && !strcmp(a->value, id) : g->v.element.tag == tag) {
                found = g;
                break;
            }
            kids = &g->v.element.children;
        } else {
            continue;
        }
        for (unsigned i = kids->length; i > 0 && n < (1 << 17); i--)
            stack[n++] = kids->data[i - 1];
    }
    free(stack);
    return found;
}

struct mapped {
    GumboOutput *out;
    const GumboNode *root; /* what was mapped */
    struct conv_body b;
    struct doc *doc;
};

static void map_html(struct mapped *m, const char *html, size_t len, const char *id)
{
    GumboOptions opts = conv__gumbo_options();

    memset(m, 0, sizeof(*m));
    m->out = gumbo_parse_with_options(&opts, html, len);
    assert_non_null(m->out);
    m->root = id ? find_node(m->out->document, GUMBO_TAG_UNKNOWN, id)
                 : find_node(m->out->document, GUMBO_TAG_BODY, NULL);
    assert_non_null(m->root);
    m->doc = doc_new();
    m->b.doc = m->doc;
    m->b.base_url = BASE_URL;
    conv__map_children(&m->b, m->root, m->doc->root);
}

static void mapped_release(struct mapped *m)
{
    GumboOptions opts = conv__gumbo_options();

    gumbo_destroy_output(&opts, m->out);
    conv__body_release(&m->b);
    doc_free(m->doc);
}

/* Runs xmllint --noout on the page; true when it is well-formed. */
static bool xml_well_formed(const char *page, size_t len)
{
    char path[] = "/tmp/test_convert_body_XXXXXX";
    int fd = mkstemp(path), status = 0;
    pid_t pid;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, page, len), (ssize_t)len);
    close(fd);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);

        if (devnull >= 0)
            dup2(devnull, 1);
        execlp("xmllint", "xmllint", "--noout", "--nonet", path, (char *)NULL);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    unlink(path);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The page that doc_write_xhtml() makes of the tree; checked with xmllint. */
static void xhtml_page(const struct doc *doc, struct strbuf *out)
{
    const struct doc_page page = { "test", NULL, NULL, NULL };

    doc_page_begin(out, &page);
    doc_write_xhtml(doc->root, out, 0);
    doc_page_end(out);
    assert_true(xml_well_formed(out->buf, out->len));
}

static struct mapped map_string(const char *html)
{
    struct mapped m;

    map_html(&m, html, strlen(html), NULL);
    return m;
}

/* The first node of the kind in a subtree, depth-first (nth: only 0 is exact). */
static const struct doc_node *find_kind(const struct doc_node *n, enum doc_kind kind, int nth)
{
    const struct doc_node *c;

    if (n->kind == kind && nth-- == 0)
        return n;
    for (c = n->first; c; c = c->next) {
        const struct doc_node *r = find_kind(c, kind, nth);

        if (r)
            return r;
    }
    return NULL;
}

static int count_kind(const struct doc_node *n, enum doc_kind kind)
{
    const struct doc_node *c;
    int k = n->kind == kind;

    for (c = n->first; c; c = c->next)
        k += count_kind(c, kind);
    return k;
}

/* Collects the nodes of a kind in document order. */
static size_t collect(const struct doc_node *n, enum doc_kind kind, const struct doc_node **out,
                      size_t max, size_t k)
{
    const struct doc_node *c;

    if (n->kind == kind && k < max)
        out[k++] = n;
    for (c = n->first; c; c = c->next)
        k = collect(c, kind, out, max, k);
    return k;
}

static void assert_code(const struct doc_node *code, const char *lang, const char *text)
{
    assert_non_null(code);
    assert_int_equal(code->kind, DOC_CODE);
    if (lang)
        assert_string_equal(code->u.code.lang, lang);
    else
        assert_null(code->u.code.lang);
    assert_int_equal(code->u.code.len, strlen(text));
    assert_memory_equal(code->u.code.text, text, strlen(text));
}

/* --- golden trees --- */

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n > m && !strcmp(s + n - m, suffix);
}

static void test_convert_body_regress(void **state)
{
    DIR *d = opendir(REGRESS_DIR);
    struct dirent *e;
    const char *regen = getenv("ARCHIVER_REGEN");
    int cases = 0, failed = 0;

    (void)state;
    assert_non_null(d);
    while ((e = readdir(d))) {
        struct strbuf dump = STRBUF_INIT, page = STRBUF_INIT;
        char *html, *want, *path, *tree;
        size_t len, wlen;
        struct mapped m;

        if (!has_suffix(e->d_name, ".html"))
            continue;
        path = xasprintf("%s/%s", REGRESS_DIR, e->d_name);
        tree = xasprintf("%s/%.*s.tree", REGRESS_DIR, (int)(strlen(e->d_name) - 5), e->d_name);
        html = read_file(path, &len);
        assert_non_null(html);
        map_html(&m, html, len, NULL);
        doc_dump(m.doc->root, &dump);
        if (regen && *regen == '1') {
            write_file(tree, dump.buf, dump.len);
        } else {
            want = read_file(tree, &wlen);
            if (!want || wlen != dump.len || memcmp(want, dump.buf, wlen)) {
                print_error("%s: tree differs; got:\n%s\n", e->d_name, dump.buf);
                failed++;
            }
            free(want);
        }
        xhtml_page(m.doc, &page);
        mapped_release(&m);
        strbuf_release(&dump);
        strbuf_release(&page);
        free(html);
        free(path);
        free(tree);
        cases++;
    }
    closedir(d);
    assert_true(cases >= 8);
    assert_int_equal(failed, 0);
}

/* --- sanitizing --- */

static void test_convert_body_hostile_page_is_inert(void **state)
{
    static const char *const banned[] = {
        "<script",
        "onerror=",
        "onclick=",
        "onload=",
        "javascript:",
        "JaVaScRiPt:",
        "<style",
        "<iframe",
        "<svg",
        "<object",
        "<embed",
        "<form",
        "<input",
        "<button",
        "<textarea",
        "style=",
        "data:",
        "<meta",
        "<base",
        "<link",
        "vbscript:",
        "evil.example/ns.png",
        "evil.example/x.css",
        "evil.example/bg.png",
        "evil.example/s.png",
        "hidden text",
        "Scan me",
        "Reward",
        "template",
        "<math",
        "srcset",
        "alert(",
    };
    struct strbuf page = STRBUF_INIT, body = STRBUF_INIT;
    char *html, *path = xasprintf("%s/hostile.html", REGRESS_DIR), *p;
    size_t len;
    struct mapped m;

    (void)state;
    html = read_file(path, &len);
    assert_non_null(html);
    map_html(&m, html, len, NULL);
    xhtml_page(m.doc, &page);
    doc_write_xhtml(m.doc->root, &body, 0);
    for (size_t i = 0; i < sizeof(banned) / sizeof(*banned); i++) {
        if (strstr(body.buf, banned[i]))
            fail_msg("'%s' survived in:\n%s", banned[i], body.buf);
    }
    assert_non_null(strstr(body.buf, "Visible"));
    assert_non_null(strstr(body.buf, "The end &lt;script&gt; as text"));
    /* Every remote URL is an image's src (or data-src), a link's href or an embed link's text. */
    for (p = body.buf; (p = strstr(p, "://")); p += 3) {
        const char *q = p, *tag;

        while (q > body.buf && q[-1] != '"' && q[-1] != '>')
            q--;
        assert_true(q > body.buf);
        if (q[-1] == '"') {
            if (q - body.buf >= 6 &&
                (!strncmp(q - 5, "src=\"", 5) || !strncmp(q - 6, "href=\"", 6)))
                continue;
        } else {
            for (tag = q - 1; tag > body.buf && *tag != '<'; tag--)
                ;
            if (!strncmp(tag, "<a href=\"", 9))
                continue;
        }
        fail_msg("remote URL outside src/href at: %.60s", q);
    }
    /* The allowed images: a relative "x" resolved on the base and the mmbiz background. */
    assert_int_equal(m.b.nimages, 2);
    assert_string_equal(m.b.images[0], "https://mp.weixin.qq.com/s/x");
    mapped_release(&m);
    strbuf_release(&page);
    strbuf_release(&body);
    free(html);
    free(path);
}

/* --- code --- */

static void test_convert_body_code_snippet_lines(void **state)
{
    char *html, *path = xasprintf("%s/code-snippet.html", REGRESS_DIR);
    size_t len;
    struct mapped m;
    struct strbuf plain = STRBUF_INIT;

    (void)state;
    html = read_file(path, &len);
    map_html(&m, html, len, NULL);
    assert_int_equal(count_kind(m.doc->root, DOC_CODE), 3);
    assert_code(find_kind(m.doc->root, DOC_CODE, 0), "javascript",
                "function add(a, b) {\n"
                "  if (a < b)  // two  spaces\n"
                "\n"
                "  return a + b;\n"
                "}");
    assert_code(find_kind(m.doc->root->first->next, DOC_CODE, 0), NULL,
                "plain   text\n\ttab line\n  last line");
    assert_code(m.doc->root->last, "python", "print(\"x\")");
    /* The line numbers are gone. */
    assert_int_equal(count_kind(m.doc->root, DOC_LIST), 0);
    doc_plain_text(m.doc->root, &plain);
    assert_null(strstr(plain.buf, "\xc2\xa0"));
    strbuf_release(&plain);
    mapped_release(&m);
    free(html);
    free(path);
}

static void test_convert_body_code_mdnice_breaks(void **state)
{
    char *html, *path = xasprintf("%s/code-mdnice.html", REGRESS_DIR);
    size_t len;
    struct mapped m;
    const struct doc_node *code;

    (void)state;
    html = read_file(path, &len);
    map_html(&m, html, len, NULL);
    code = find_kind(m.doc->root, DOC_CODE, 0);
    assert_code(code, "cpp",
                "#include <stdio.h>\n"
                "\n"
                "int main(){\n"
                "    printf(\"a & b\\n\");\n"
                "    return 0;\n"
                "}");
    assert_int_equal(m.doc->root->first->kind, DOC_PARA);
    assert_ptr_equal(code->prev, m.doc->root->first);
    assert_int_equal(code->next->kind, DOC_PARA);
    mapped_release(&m);
    free(html);
    free(path);
}

static void test_convert_body_code_inline_sources(void **state)
{
    struct mapped m = map_string("<pre data-lang=\"go\"><code>a\n</code><code>b</code></pre>"
                                 "<pre>\n\nx\n\n</pre><pre>   </pre><pre></pre>");

    (void)state;
    /* Per-line codes joined; a line's own newline is kept; one trailing newline is dropped. */
    assert_code(m.doc->root->first, "go", "a\n\nb");
    assert_code(m.doc->root->first->next, NULL, "\nx\n");
    assert_code(m.doc->root->last, NULL, "   ");
    assert_int_equal(count_kind(m.doc->root, DOC_CODE), 3);
    mapped_release(&m);
}

/* --- paragraphs and text --- */

static void test_convert_body_paragraphs_do_not_merge(void **state)
{
    struct mapped m = map_string("<section><section><span leaf=\"\">one</span></section>"
                                 "<section><span leaf=\"\">two</span></section></section>"
                                 "<section>three<section>four</section>five</section>"
                                 "<p><span leaf=\"\"><br></span></p>");
    const struct doc_node *p[8];
    struct strbuf plain = STRBUF_INIT;

    (void)state;
    assert_int_equal(collect(m.doc->root, DOC_PARA, p, 8, 0), 5);
    doc_plain_text(m.doc->root, &plain);
    assert_non_null(strstr(plain.buf, "one\ntwo\nthree\nfour\nfive"));
    strbuf_release(&plain);
    mapped_release(&m);
}

static void test_convert_body_whitespace(void **state)
{
    struct mapped m = map_string("<p>  a \n\t b<strong> c </strong> d&nbsp;&nbsp;e\xe2\x80\x8b"
                                 "f<br>  g  </p><p>中文\n中文</p>");
    struct strbuf plain = STRBUF_INIT;

    (void)state;
    doc_plain_text(m.doc->root, &plain);
    assert_non_null(strstr(plain.buf, "a b c d ef\ng"));
    assert_null(strstr(plain.buf, "g "));
    /* A newline between CJK characters renders as nothing (CSS Text 3). */
    assert_non_null(strstr(plain.buf, "中文中文"));
    strbuf_release(&plain);
    mapped_release(&m);
}

static void test_convert_body_deep_nesting_keeps_text(void **state)
{
    struct strbuf html = STRBUF_INIT, plain = STRBUF_INIT;
    struct mapped m;

    (void)state;
    for (int i = 0; i < 3000; i++)
        strbuf_addstr(&html, "<section><span>");
    strbuf_addstr(&html, "deep text");
    for (int i = 0; i < 3000; i++)
        strbuf_addstr(&html, "</span></section>");
    m = map_string(html.buf);
    doc_plain_text(m.doc->root, &plain);
    assert_non_null(strstr(plain.buf, "deep text"));
    strbuf_release(&plain);
    strbuf_release(&html);
    mapped_release(&m);
}

/* --- images --- */

static void test_convert_body_images(void **state)
{
    char *html, *path = xasprintf("%s/images.html", REGRESS_DIR);
    size_t len;
    struct mapped m;
    const struct doc_node *im[16];
    size_t n;

    (void)state;
    html = read_file(path, &len);
    map_html(&m, html, len, NULL);
    n = collect(m.doc->root, DOC_IMAGE, im, 16, 0);
    assert_true(n >= 4);
    /* data-src over the data: placeholder, the query intact, the size from data-w/data-ratio. */
    assert_string_equal(im[0]->u.image.src,
                        "https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png&from=appmsg");
    assert_string_equal(im[0]->u.image.alt, "A cat");
    assert_int_equal(im[0]->u.image.width, 1080);
    assert_int_equal(im[0]->u.image.height, 608);
    assert_null(im[0]->u.image.file);
    /* figure + figcaption; the fragment is dropped. */
    assert_string_equal(im[1]->u.image.src, "https://mmbiz.qpic.cn/mmbiz_jpg/def/640?wx_fmt=jpeg");
    assert_string_equal(im[1]->u.image.caption, "The caption");
    assert_int_equal(im[1]->u.image.height, 600);
    /* The CSS background. */
    assert_string_equal(im[2]->u.image.src, "https://mmbiz.qpic.cn/mmbiz_png/bg/640?wx_fmt=png");
    /* Trackers and data: URLs never reach the list; duplicates are stored once. */
    for (size_t i = 0; i < m.b.nimages; i++) {
        assert_null(strstr(m.b.images[i], "pixel"));
        assert_null(strstr(m.b.images[i], "mmbiz_gif"));
        assert_null(strstr(m.b.images[i], "spacer"));
        assert_null(strstr(m.b.images[i], "data:"));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(m.b.images[i], m.b.images[j]);
    }
    /* Emoji and the inline picture stay inline. */
    assert_true(count_kind(m.doc->root, DOC_INLINE_IMAGE) >= 3);
    mapped_release(&m);
    free(html);
    free(path);
}

static void test_convert_body_add_image(void **state)
{
    struct conv_body b = { 0 };
    const char *a, *c;

    (void)state;
    a = conv__add_image(&b, "https://mmbiz.qpic.cn/x/640?wx_fmt=png&from=appmsg#f");
    assert_non_null(a);
    assert_string_equal(a, "https://mmbiz.qpic.cn/x/640?wx_fmt=png&from=appmsg");
    c = conv__add_image(&b, "https://mmbiz.qpic.cn/x/640?wx_fmt=png&from=appmsg");
    assert_ptr_equal(a, c);
    assert_null(conv__add_image(&b, "data:image/png;base64,AAAA"));
    assert_null(conv__add_image(&b, "javascript:alert(1)"));
    assert_null(conv__add_image(&b, "/relative.png"));
    assert_int_equal(b.nimages, 1);
    conv__body_release(&b);
}

static void test_convert_body_map_html(void **state)
{
    struct doc *d = doc_new();
    struct conv_body b = { d, BASE_URL, NULL, 0, 0 };
    struct strbuf plain = STRBUF_INIT;
    static const char html[] = "<p>from <b>content_noencode</b></p><img data-src=\"/i.png\">";

    (void)state;
    assert_int_equal(conv__map_html(&b, html, sizeof(html) - 1, d->root, NULL), ARC_OK);
    doc_plain_text(d->root, &plain);
    assert_non_null(strstr(plain.buf, "from content_noencode"));
    assert_int_equal(b.nimages, 1);
    assert_string_equal(b.images[0], "https://mp.weixin.qq.com/i.png");
    strbuf_release(&plain);
    conv__body_release(&b);
    doc_free(d);
}

/* --- the real articles --- */

struct article_case {
    const char *file;
    const char *first, *last;
};

static void check_article(const struct article_case *ac)
{
    char *path = xasprintf("%s/wechat/%s", TEST_DATADIR, ac->file), *html;
    struct strbuf plain = STRBUF_INIT, page = STRBUF_INIT;
    const struct doc_node *codes[64];
    size_t len, ncodes, want = 0;
    struct mapped m;
    const GumboNode *g;

    html = read_file(path, &len);
    assert_non_null(html);
    map_html(&m, html, len, "js_content");
    doc_plain_text(m.doc->root, &plain);
    assert_true(plain.len > 1000);
    assert_non_null(strstr(plain.buf, ac->first));
    assert_non_null(strstr(plain.buf, ac->last));
    /* Every content img[data-src] under #js_content is recorded (none are trackers or emoji). */
    for (g = m.root; g;) {
        const GumboVector *kids = g->type == GUMBO_NODE_ELEMENT ? &g->v.element.children : NULL;
        const GumboAttribute *a;

        if (is_elem(g, GUMBO_TAG_IMG) &&
            (a = gumbo_get_attribute(&g->v.element.attributes, "data-src"))) {
            char *u = url_normalize(a->value);
            bool found = false;

            assert_non_null(u);
            for (size_t i = 0; i < m.b.nimages && !found; i++)
                found = !strcmp(m.b.images[i], u);
            if (!found)
                fail_msg("image %s missing", u);
            free(u);
            want++;
        }
        /* pre-order walk */
        if (kids && kids->length) {
            g = kids->data[0];
            continue;
        }
        while (g != m.root) {
            const GumboVector *pk = &g->parent->v.element.children;

            if (g->index_within_parent + 1 < pk->length) {
                g = pk->data[g->index_within_parent + 1];
                break;
            }
            g = g->parent;
        }
        if (g == m.root)
            break;
    }
    assert_true(want > 5);
    assert_true(m.b.nimages <= want);
    assert_true(count_kind(m.doc->root, DOC_IMAGE) >= (int)m.b.nimages);
    ncodes = collect(m.doc->root, DOC_CODE, codes, 64, 0);
    for (size_t i = 0; i < ncodes; i++)
        assert_non_null(memchr(codes[i]->u.code.text, '\n', codes[i]->u.code.len));
    xhtml_page(m.doc, &page);
    mapped_release(&m);
    strbuf_release(&plain);
    strbuf_release(&page);
    free(html);
    free(path);
}

static void test_convert_body_article_01(void **state)
{
    static const struct article_case ac = { "article-01.html", "大家好，我是轩辕。",
                                            "程序员赛道太卷，逆向工程师怎么样？" };

    (void)state;
    check_article(&ac);
}

static void test_convert_body_article_02(void **state)
{
    static const struct article_case ac = {
        "article-02.html", "这里记录每周值得分享的科技内容，周五发布。",
        "知识广度 vs 知识深度: https://www.ruanyifeng.com/blog/2021/09/weekly-issue-175.html"
    };

    (void)state;
    check_article(&ac);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert_body_regress),
        cmocka_unit_test(test_convert_body_hostile_page_is_inert),
        cmocka_unit_test(test_convert_body_code_snippet_lines),
        cmocka_unit_test(test_convert_body_code_mdnice_breaks),
        cmocka_unit_test(test_convert_body_code_inline_sources),
        cmocka_unit_test(test_convert_body_paragraphs_do_not_merge),
        cmocka_unit_test(test_convert_body_whitespace),
        cmocka_unit_test(test_convert_body_deep_nesting_keeps_text),
        cmocka_unit_test(test_convert_body_images),
        cmocka_unit_test(test_convert_body_add_image),
        cmocka_unit_test(test_convert_body_map_html),
        cmocka_unit_test(test_convert_body_article_01),
        cmocka_unit_test(test_convert_body_article_02),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
