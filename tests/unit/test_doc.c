/* tests/unit/test_doc.c: the Doc tree, its dump, the XHTML writer and the reader's round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "convert/convert.h"
#include "doc/doc.h"
#include "util/alloc.h"
#include "util/strbuf.h"

/* --- helpers --- */

static struct doc_node *add(struct doc *d, struct doc_node *parent, enum doc_kind kind)
{
    return doc_append(d, parent, kind);
}

static void text(struct doc *d, struct doc_node *parent, const char *s)
{
    doc_append_text(d, parent, s, strlen(s));
}

static struct doc_node *para(struct doc *d, struct doc_node *parent, const char *s)
{
    struct doc_node *p = add(d, parent, DOC_PARA);
    text(d, p, s);
    return p;
}

static void dump_to_stderr(const char *label, const struct doc *d)
{
    struct strbuf sb = STRBUF_INIT;

    doc_dump(d->root, &sb);
    fprintf(stderr, "--- %s ---\n%s", label, sb.buf);
    strbuf_release(&sb);
}

static void write_page(const struct doc *d, unsigned flags, struct strbuf *out)
{
    const struct doc_page page = { "Round <trip> & \"test\"", "zh-CN", "book.css", "article" };

    doc_page_begin(out, &page);
    doc_write_xhtml(d->root, out, flags);
    doc_page_end(out);
}

/* Runs `xmllint --noout` on the bytes; returns its exit status. */
static int xmllint(const char *buf, size_t len)
{
    char path[] = "/tmp/archiver-test-doc-XXXXXX";
    int fd = mkstemp(path), status = -1;
    pid_t pid;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execlp("xmllint", "xmllint", "--noout", path, (char *)NULL);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    unlink(path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static struct doc *read_ok(const char *buf, size_t len)
{
    struct strbuf why = STRBUF_INIT;
    struct doc *got = NULL;
    enum arc_err err = conv_read_xhtml(buf, len, &got, &why);

    if (err)
        fprintf(stderr, "conv_read_xhtml: %s: %s\n", arc_strerror(err), why.buf);
    assert_int_equal(err, ARC_OK);
    assert_non_null(got);
    strbuf_release(&why);
    return got;
}

static void assert_docs_equal(const struct doc *want, const struct doc *got)
{
    if (!doc_equal(want->root, got->root)) {
        dump_to_stderr("expected", want);
        dump_to_stderr("read back", got);
        fail_msg("the trees differ");
    }
    assert_true(doc_equal(got->root, want->root));
}

/* Writes d as a page, checks it is well-formed XML, reads it back (as a page and as a bare
 * fragment) and compares the result with want. */
static void assert_round_trip_to(const struct doc *d, unsigned flags, const struct doc *want)
{
    struct strbuf page = STRBUF_INIT, frag = STRBUF_INIT;
    struct doc *got;

    write_page(d, flags, &page);
    if (xmllint(page.buf, page.len) != 0) {
        fprintf(stderr, "%s", page.buf);
        fail_msg("xmllint refused the page");
    }
    got = read_ok(page.buf, page.len);
    assert_docs_equal(want, got);
    doc_free(got);

    doc_write_xhtml(d->root, &frag, flags);
    got = read_ok(frag.buf, frag.len);
    assert_docs_equal(want, got);
    doc_free(got);
    strbuf_release(&page);
    strbuf_release(&frag);
}

static void assert_round_trip(const struct doc *d)
{
    assert_round_trip_to(d, 0, d);
}

static char *xhtml_of(const struct doc *d, unsigned flags)
{
    struct strbuf sb = STRBUF_INIT;

    doc_write_xhtml(d->root, &sb, flags);
    return strbuf_detach(&sb, NULL);
}

static char *escaped(const char *s, size_t len)
{
    struct strbuf sb = STRBUF_INIT;

    doc_xml_escape(&sb, s, len);
    return strbuf_detach(&sb, NULL);
}

static struct doc_node *image(struct doc *d, struct doc_node *parent, enum doc_kind kind,
                              const char *file, const char *src, const char *alt)
{
    struct doc_node *im = add(d, parent, kind);

    im->u.image.file = doc_strdup(d, file);
    im->u.image.src = doc_strdup(d, src);
    im->u.image.alt = doc_strdup(d, alt);
    return im;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;

    assert_non_null(f);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        strbuf_add(&sb, buf, n);
    fclose(f);
    return strbuf_detach(&sb, len);
}

/* --- escaping --- */

static void test_doc_escape_specials_and_keeps_apostrophe(void **state)
{
    char *s;
    (void)state;

    s = escaped("a&b<c>d\"e'f", 11);
    assert_string_equal(s, "a&amp;b&lt;c&gt;d&quot;e'f");
    free(s);
    s = escaped("&amp;", 5);
    assert_string_equal(s, "&amp;amp;");
    free(s);

    struct strbuf sb = STRBUF_INIT;
    doc_xml_escape_str(&sb, NULL);
    assert_int_equal(sb.len, 0);
    doc_xml_escape_str(&sb, "<x>");
    assert_string_equal(sb.buf, "&lt;x&gt;");
    strbuf_release(&sb);

    struct doc *d = doc_new();
    para(d, d->root, "Tom & Jerry's <show> \"quoted\"");
    s = xhtml_of(d, 0);
    assert_string_equal(s, "<p>Tom &amp; Jerry's &lt;show&gt; &quot;quoted&quot;</p>\n");
    free(s);
    assert_round_trip(d);
    doc_free(d);
}

static void test_doc_escape_drops_what_xml_forbids(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        const char *out;
    } cases[] = {
        { "a\001b", 3, "ab" },
        { "a\013b\014c\037d", 7, "abcd" },
        { "a\0b", 3, "ab" },
        { "a\r\nb", 4, "a\nb" },
        { "tab\there\nnl", 12, "tab\there\nnl" },
        { "del\x7f", 4, "del" },                       /* U+007F */
        { "c1\xc2\x80\xc2\x85\xc2\x9f!", 9, "c1!" },   /* U+0080, U+0085, U+009F */
        { "\xc2\xa0", 2, "\xc2\xa0" },                 /* U+00A0, first after C1 */
        { "x\xef\xb7\x90y", 5, "xy" },                 /* U+FDD0 */
        { "x\xef\xb7\xafy", 5, "xy" },                 /* U+FDEF */
        { "\xef\xb7\x8f", 3, "\xef\xb7\x8f" },         /* U+FDCF is fine */
        { "\xef\xb7\xb0", 3, "\xef\xb7\xb0" },         /* U+FDF0 is fine */
        { "x\xf0\x9f\xbf\xbey", 6, "xy" },             /* U+1FFFE */
        { "x\xf0\x9f\xbf\xbfy", 6, "xy" },             /* U+1FFFF */
        { "x\xf4\x8f\xbf\xbey", 6, "xy" },             /* U+10FFFE */
        { "x\xf3\xbf\xbf\xbfy", 6, "xy" },             /* U+FFFFF */
        { "\xf0\x9f\xbf\xbd", 4, "\xf0\x9f\xbf\xbd" }, /* U+1FFFD is fine */
        { "x\xef\xbf\xbey", 5, "xy" },                 /* U+FFFE */
        { "x\xef\xbf\xbfy", 5, "xy" },                 /* U+FFFF */
        { "x\xef\xbf\xbdy", 5, "x\xef\xbf\xbdy" },     /* U+FFFD is fine */
        { "x\xffy", 3, "xy" },                         /* never valid */
        { "x\xc3y", 3, "xy" },                         /* a lead byte alone */
        { "x\xc0\xafy", 4, "xy" },                     /* overlong '/' */
        { "x\xe0\x80\xafy", 5, "xy" },                 /* overlong, 3 bytes */
        { "x\xed\xa0\x80y", 5, "xy" },                 /* surrogate U+D800 */
        { "x\xed\xbf\xbfy", 5, "xy" },                 /* surrogate U+DFFF */
        { "x\xf4\x90\x80\x80y", 6, "xy" },             /* past U+10FFFF */
        { "x\x80y", 3, "xy" },                         /* a lone continuation byte */
        { "end\xe4\xb8", 5, "end" },                   /* truncated at the end */
        { "end\xf0\x9f\x98", 6, "end" },               /* truncated 4-byte */
        { "\xe4\xb8\xad\xe6\x96\x87", 6, "\xe4\xb8\xad\xe6\x96\x87" }, /* 中文 */
        { "\xf0\x9f\x98\x80!", 5, "\xf0\x9f\x98\x80!" },               /* emoji */
        { "\xc2\xa0nbsp", 6, "\xc2\xa0nbsp" },                         /* raw, never &nbsp; */
        { "\xed\x9f\xbf", 3, "\xed\x9f\xbf" }, /* U+D7FF, last before the surrogates */
        { "\xee\x80\x80", 3, "\xee\x80\x80" }, /* U+E000, first after them */
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *s = escaped(cases[i].in, cases[i].len);
        if (strcmp(s, cases[i].out))
            fail_msg("case %zu: got \"%s\"", i, s);
        free(s);
    }

    /* The same through the tree: the page stays well-formed and reads back cleaned. */
    struct doc *d = doc_new(), *want = doc_new();
    struct doc_node *p = add(d, d->root, DOC_PARA);
    static const char dirty[] =
        "a\x01\xff\xed\xa0\x80\xef\xbf\xbf\x7f\xc2\x85\xef\xb7\x90\xf0\x9f\xbf\xbe\xf4\x8f\xbf\xbf"
        "\r\xe4\xb8\xad\xf0\x9f\x98\x80\xe4";
    doc_append_text(d, p, dirty, sizeof(dirty) - 1);
    text(want, add(want, want->root, DOC_PARA), "a\xe4\xb8\xad\xf0\x9f\x98\x80");
    struct doc_node *im = image(d, d->root, DOC_IMAGE, "a.png", NULL, "alt\x02\ttab\nnl");
    im->u.image.caption = doc_strdup(d, "cap\x1b");
    im = image(want, want->root, DOC_IMAGE, "a.png", NULL, "alt\ttab\nnl");
    im->u.image.caption = doc_strdup(want, "cap");
    assert_round_trip_to(d, 0, want);
    assert_round_trip(want);
    doc_free(d);
    doc_free(want);
}

/* --- code --- */

static void test_doc_code_whitespace_survives(void **state)
{
    static const char *const texts[] = {
        "\nleading newline\n",
        "\n\ntwo leading newlines",
        "int main(void)\n{\n\treturn a < b && c > d;\n}\n\n\n",
        "    four spaces,   runs   of  spaces \t\t tabs\t\n",
        "",
        " ",
        "\n",
        "<pre>&amp;</pre> \"quotes\" 'apostrophes'",
        "trailing spaces   ",
    };
    (void)state;

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct doc *d = doc_new();
        struct doc_node *c = add(d, d->root, DOC_CODE);

        doc_code_set_text(d, c, texts[i], strlen(texts[i]));
        c->u.code.lang = i % 2 ? doc_strdup(d, "c") : NULL;
        assert_round_trip(d);

        struct doc *got;
        char *x = xhtml_of(d, 0);
        got = read_ok(x, strlen(x));
        assert_non_null(got->root->first);
        assert_int_equal(got->root->first->kind, DOC_CODE);
        assert_int_equal(got->root->first->u.code.len, strlen(texts[i]));
        assert_memory_equal(got->root->first->u.code.text, texts[i], strlen(texts[i]) + 1);
        doc_free(got);
        free(x);
        doc_free(d);
    }
}

static void test_doc_code_is_written_inside_pre_code(void **state)
{
    struct doc *d = doc_new();
    struct doc_node *c = add(d, d->root, DOC_CODE);
    char *x;
    (void)state;

    c->u.code.lang = doc_strdup(d, "python");
    doc_code_set_text(d, c, "\nif a < 1:\n\tpass\n", 17);
    x = xhtml_of(d, 0);
    assert_string_equal(x, "<pre><code class=\"language-python\">\nif a &lt; 1:\n\tpass\n"
                           "</code></pre>\n");
    free(x);
    c->u.code.lang = NULL;
    x = xhtml_of(d, 0);
    assert_string_equal(x, "<pre><code>\nif a &lt; 1:\n\tpass\n</code></pre>\n");
    free(x);
    assert_round_trip(d);
    doc_free(d);
}

/* --- nesting --- */

static void build_everything(struct doc *d)
{
    struct doc_node *r = d->root, *n, *list, *item, *q, *t, *row, *cell, *p, *l, *e;

    n = add(d, r, DOC_HEADING);
    n->u.heading.level = 1;
    text(d, n, "Title ");
    text(d, add(d, n, DOC_EM), "emphasis");
    for (int lv = 2; lv <= 6; lv++) {
        n = add(d, r, DOC_HEADING);
        n->u.heading.level = lv;
        text(d, n, "Level");
    }

    p = add(d, r, DOC_PARA);
    text(d, p, "Plain, ");
    text(d, add(d, p, DOC_STRONG), "strong");
    text(d, p, ", ");
    n = add(d, p, DOC_EM);
    text(d, n, "em with ");
    text(d, add(d, n, DOC_STRONG), "strong inside");
    text(d, p, ", ");
    text(d, add(d, p, DOC_CODE_SPAN), "code <span> & \"x\"");
    text(d, p, ", H");
    text(d, add(d, p, DOC_SUB), "2");
    text(d, p, "O, x");
    text(d, add(d, p, DOC_SUP), "2");
    add(d, p, DOC_BREAK);
    text(d, p, "after a break ");
    l = add(d, p, DOC_LINK);
    l->u.link.href = doc_strdup(d, "https://example.com/a?b=1&c=\"2\"");
    text(d, l, "a link with ");
    text(d, add(d, l, DOC_CODE_SPAN), "code");
    text(d, p, " ");
    l = add(d, p, DOC_LINK);
    l->u.link.href = doc_strdup(d, "mailto:someone@example.com");
    text(d, l, "mail");
    text(d, p, " ");
    l = add(d, p, DOC_LINK);
    l->u.link.href = doc_strdup(d, "HTTP://EXAMPLE.COM/");
    text(d, l, "upper");
    image(d, p, DOC_INLINE_IMAGE, "images/emoji.png", "https://cdn/emoji.png", "[smile]");
    image(d, p, DOC_INLINE_IMAGE, NULL, "https://cdn/f.svg", "x^2");
    image(d, p, DOC_INLINE_IMAGE, "images/f.png", NULL, NULL)->u.image.width = 12;
    text(d, p, " end");

    /* quote > list > item > (para, ordered list start 3 > item > quote > para) */
    q = add(d, r, DOC_QUOTE);
    para(d, q, "quoted");
    list = add(d, q, DOC_LIST);
    item = add(d, list, DOC_ITEM);
    para(d, item, "first");
    n = add(d, item, DOC_LIST);
    n->u.list.ordered = true;
    n->u.list.start = 3;
    item = add(d, n, DOC_ITEM);
    para(d, add(d, item, DOC_QUOTE), "deep quote");
    item = add(d, n, DOC_ITEM);
    para(d, item, "fourth");
    para(d, item, "second para of fourth");
    item = add(d, list, DOC_ITEM); /* an empty item */
    (void)item;

    n = add(d, r, DOC_LIST);
    n->u.list.ordered = true; /* start 1: no attribute */
    para(d, add(d, n, DOC_ITEM), "one");
    n = add(d, r, DOC_LIST);
    n->u.list.ordered = true;
    n->u.list.start = 0;
    para(d, add(d, n, DOC_ITEM), "zero");
    n = add(d, r, DOC_LIST);
    n->u.list.ordered = true;
    n->u.list.start = -2;
    para(d, add(d, n, DOC_ITEM), "minus two");

    /* table: header row, spans, lists in cells, quote in a cell */
    t = add(d, r, DOC_TABLE);
    row = add(d, t, DOC_ROW);
    cell = add(d, row, DOC_CELL);
    cell->u.cell.header = true;
    para(d, cell, "H1");
    cell = add(d, row, DOC_CELL);
    cell->u.cell.header = true;
    cell->u.cell.colspan = 2;
    para(d, cell, "H2");
    row = add(d, t, DOC_ROW);
    cell = add(d, row, DOC_CELL);
    cell->u.cell.rowspan = 2;
    list = add(d, cell, DOC_LIST);
    para(d, add(d, list, DOC_ITEM), "in a cell");
    cell = add(d, row, DOC_CELL);
    q = add(d, cell, DOC_QUOTE);
    list = add(d, q, DOC_LIST);
    item = add(d, list, DOC_ITEM);
    para(d, item, "list in quote in cell");
    cell = add(d, row, DOC_CELL); /* empty cell */
    row = add(d, t, DOC_ROW);
    cell = add(d, row, DOC_CELL);
    cell->u.cell.colspan = 2;
    cell->u.cell.rowspan = 3;
    para(d, cell, "wide");
    add(d, t, DOC_ROW);   /* an empty row */
    add(d, r, DOC_TABLE); /* an empty table */

    add(d, r, DOC_RULE);
    add(d, r, DOC_PARA); /* an empty paragraph */
    para(d, r, "   ");   /* only spaces, in inline context: kept */
    para(d, r, "\nnewlines\n\tand tabs  \n");

    for (int k = 0; k < DOC_EMBED__COUNT; k++) {
        e = add(d, r, DOC_EMBED);
        e->u.embed.kind = (enum doc_embed_kind)k;
        e->u.embed.title = k % 2 ? doc_strdup(d, "A <title>") : NULL;
        e->u.embed.desc = k % 3 ? doc_strdup(d, "desc & more") : NULL;
        e->u.embed.url = k != 4 ? doc_strdup(d, "https://mp.weixin.qq.com/s?a=1&b=2") : NULL;
    }
    e = add(d, r, DOC_EMBED);
    e->u.embed.kind = DOC_EMBED_MINIPROGRAM;
    e->u.embed.url = doc_strdup(d, "weixin://dl/business/?t=abc"); /* not a safe href */
    e->u.embed.title = doc_strdup(d, "");

    n = add(d, r, DOC_CODE);
    n->u.code.lang = doc_strdup(d, "sh");
    doc_code_set_text(d, n, "echo \"$HOME\" > /dev/null\n", 25);
    para(d, r, "last");
}

static void test_doc_nesting_round_trips(void **state)
{
    struct doc *d = doc_new();
    char *x;
    (void)state;

    build_everything(d);
    assert_round_trip(d);
    x = xhtml_of(d, 0);
    assert_non_null(strstr(x, "<ol start=\"3\">"));
    assert_non_null(strstr(x, "<ol start=\"0\">"));
    assert_null(strstr(x, "start=\"1\""));
    assert_non_null(strstr(x, "<th colspan=\"2\">"));
    assert_non_null(strstr(x, "<td rowspan=\"2\">"));
    assert_non_null(strstr(x, "<td colspan=\"2\" rowspan=\"3\">"));
    assert_non_null(strstr(x, "<td></td>"));
    assert_non_null(strstr(x, "<p></p>"));
    assert_non_null(strstr(x, "<br/>"));
    assert_non_null(strstr(x, "<hr/>"));
    assert_non_null(strstr(x, "<sub>2</sub>"));
    assert_non_null(strstr(x, "<li><p>first</p>"));
    assert_non_null(strstr(x, "<a href=\"https://example.com/a?b=1&amp;c=&quot;2&quot;\">"));
    assert_non_null(strstr(x, "<div class=\"embed embed-video\" data-kind=\"video\">"));
    assert_non_null(strstr(x, "<p class=\"embed-link\">weixin://dl/business/?t=abc</p>"));
    assert_null(strstr(x, "/>\n<p/>"));
    free(x);
    doc_free(d);
}

static void test_doc_images_round_trip(void **state)
{
    struct doc *d = doc_new();
    struct doc_node *im;
    char *x;
    (void)state;

    im = image(d, d->root, DOC_IMAGE, "images/ab12.jpg", "https://mmbiz.qpic.cn/a?wx_fmt=jpeg",
               "an alt");
    im->u.image.caption = doc_strdup(d, "A caption & <more>");
    im->u.image.width = 640;
    im->u.image.height = 480;
    image(d, d->root, DOC_IMAGE, "images/cd.png", NULL, NULL);
    image(d, d->root, DOC_IMAGE, NULL, "https://example.com/remote.png", "remote");
    image(d, d->root, DOC_IMAGE, NULL, "/relative/url.png", NULL); /* not taken for a file */
    image(d, d->root, DOC_IMAGE, NULL, NULL, NULL);
    im = image(d, d->root, DOC_IMAGE, "images/e.gif", NULL, "");
    im->u.image.caption = doc_strdup(d, "");
    im->u.image.height = 7;
    assert_round_trip(d);

    x = xhtml_of(d, 0);
    assert_non_null(strstr(x, "<figure class=\"image\"><img src=\"images/ab12.jpg\" "
                              "data-src=\"https://mmbiz.qpic.cn/a?wx_fmt=jpeg\" alt=\"an alt\" "
                              "width=\"640\" height=\"480\"/><figcaption>A caption &amp; "
                              "&lt;more&gt;</figcaption></figure>\n"));
    assert_non_null(strstr(x, "<img src=\"images/cd.png\" alt=\"\"/></figure>"));
    assert_non_null(strstr(x, "<img class=\"remote\" src=\"https://example.com/remote.png\""));
    free(x);

    /* The reader gives NULL for an empty alt, and doc_equal() agrees "" is no alt. */
    struct doc *got;
    x = xhtml_of(d, 0);
    got = read_ok(x, strlen(x));
    assert_null(got->root->first->next->u.image.alt);
    assert_string_equal(got->root->first->u.image.file, "images/ab12.jpg");
    assert_null(got->root->first->next->next->u.image.file);
    assert_null(got->root->first->next->next->next->u.image.file);
    assert_string_equal(got->root->first->next->next->next->u.image.src, "/relative/url.png");
    doc_free(got);
    free(x);
    doc_free(d);
}

static void test_doc_no_remote_writes_placeholders(void **state)
{
    struct doc *d = doc_new(), *want = doc_new(), *got;
    struct doc_node *p, *im;
    char *x;
    (void)state;

    im = image(d, d->root, DOC_IMAGE, NULL, "https://example.com/lost.png", "lost <image>");
    im->u.image.caption = doc_strdup(d, "its caption");
    im->u.image.width = 100;
    image(d, d->root, DOC_IMAGE, "images/kept.png", "https://example.com/kept.png", "kept");
    image(d, d->root, DOC_IMAGE, NULL, "javascript:alert(1)", NULL);
    p = para(d, d->root, "inline ");
    image(d, p, DOC_INLINE_IMAGE, NULL, "https://example.com/e.png", "emoji");

    im = image(want, want->root, DOC_IMAGE, NULL, "https://example.com/lost.png", "lost <image>");
    im->u.image.caption = doc_strdup(want, "its caption");
    image(want, want->root, DOC_IMAGE, "images/kept.png", "https://example.com/kept.png", "kept");
    image(want, want->root, DOC_IMAGE, NULL, "javascript:alert(1)", NULL);
    p = para(want, want->root, "inline ");
    image(want, p, DOC_INLINE_IMAGE, NULL, "https://example.com/e.png", "emoji");
    assert_round_trip_to(d, DOC_XHTML_NO_REMOTE, want);
    assert_round_trip(d);
    assert_round_trip(want);

    x = xhtml_of(d, DOC_XHTML_NO_REMOTE);
    assert_null(strstr(x, "src=\"https://example.com/lost.png\""));
    assert_null(strstr(x, "<img class=\"remote"));
    assert_null(strstr(x, "<img class=\"inline remote"));
    assert_null(strstr(x, "href=\"javascript"));
    assert_non_null(strstr(x, "<p class=\"image-missing\"><span class=\"image-alt\">lost "
                              "&lt;image&gt;</span> <a class=\"image-src\" "
                              "href=\"https://example.com/lost.png\">https://example.com/lost.png"
                              "</a> <span class=\"image-caption\">its caption</span></p>\n"));
    assert_non_null(strstr(x, "<img src=\"images/kept.png\""));
    got = read_ok(x, strlen(x));
    assert_null(got->root->first->u.image.file);
    assert_string_equal(got->root->first->u.image.src, "https://example.com/lost.png");
    assert_string_equal(got->root->first->u.image.alt, "lost <image>");
    doc_free(got);
    free(x);
    doc_free(d);
    doc_free(want);
}

static void test_doc_unsafe_links_keep_only_their_children(void **state)
{
    static const char *const hrefs[] = { "javascript:alert(1)", "data:text/html,x", "ftp://x/",
                                         "/relative", NULL };
    (void)state;

    for (size_t i = 0; i < sizeof(hrefs) / sizeof(hrefs[0]); i++) {
        struct doc *d = doc_new(), *want = doc_new();
        struct doc_node *p = add(d, d->root, DOC_PARA), *l, *wp;
        char *x;

        text(d, p, "before ");
        l = add(d, p, DOC_LINK);
        l->u.link.href = doc_strdup(d, hrefs[i]);
        text(d, l, "click ");
        text(d, add(d, l, DOC_STRONG), "me");
        wp = para(want, want->root, "before click ");
        text(want, add(want, wp, DOC_STRONG), "me");
        x = xhtml_of(d, 0);
        assert_string_equal(x, "<p>before click <strong>me</strong></p>\n");
        free(x);
        assert_round_trip_to(d, 0, want);
        assert_round_trip(want);
        doc_free(d);
        doc_free(want);
    }
    assert_true(doc_href_is_safe("HTTPS://x"));
    assert_true(doc_href_is_safe("mailto:a@b"));
    assert_false(doc_href_is_safe("http"));
    assert_false(doc_href_is_safe(" javascript:x"));
}

static void test_doc_deep_but_legal_tree_round_trips(void **state)
{
    struct doc *d = doc_new();
    struct doc_node *n = d->root;
    (void)state;

    for (int i = 0; i < 100; i++) {
        struct doc_node *list = add(d, n, DOC_LIST);

        list->u.list.ordered = i % 2;
        list->u.list.start = i + 1;
        n = add(d, list, DOC_ITEM);
        para(d, n, "level");
    }
    para(d, n, "bottom");
    /* and a wide one */
    struct doc_node *list = add(d, d->root, DOC_LIST);
    for (int i = 0; i < 5000; i++)
        para(d, add(d, list, DOC_ITEM), "many items");
    assert_round_trip(d);
    doc_free(d);
}

static void test_doc_adjacent_text_nodes_round_trip(void **state)
{
    struct doc *d = doc_new(), *merged = doc_new();
    struct doc_node *p, *t;
    (void)state;

    /* Build adjacent DOC_TEXT siblings by hand: doc_append_text() would merge them. */
    p = add(d, d->root, DOC_PARA);
    for (int i = 0; i < 3; i++) {
        t = add(d, p, DOC_TEXT);
        t->u.text.s = doc_strdup(d, i == 0 ? "one " : i == 1 ? "" : "two");
        t->u.text.len = strlen(t->u.text.s);
    }
    text(d, add(d, p, DOC_EM), "x");
    t = add(d, p, DOC_TEXT);
    t->u.text.s = doc_strdup(d, "");
    t->u.text.len = 0;
    para(merged, merged->root, "one two");
    text(merged, merged->root->first, "");
    text(merged, add(merged, merged->root->first, DOC_EM), "x");

    assert_true(doc_equal(d->root, merged->root));
    assert_round_trip(d);
    assert_round_trip(merged);
    doc_free(d);
    doc_free(merged);
}

/* --- equality --- */

static void test_doc_equal_tells_differences(void **state)
{
    struct doc *a = doc_new(), *b = doc_new();
    struct doc_node *ha, *hb, *la, *lb, *ia, *ib;
    (void)state;

    ha = add(a, a->root, DOC_HEADING);
    hb = add(b, b->root, DOC_HEADING);
    ha->u.heading.level = hb->u.heading.level = 2;
    text(a, ha, "same");
    text(b, hb, "same");
    assert_true(doc_equal(a->root, b->root));
    assert_round_trip(a);

    hb->u.heading.level = 3; /* different level */
    assert_false(doc_equal(a->root, b->root));
    assert_round_trip(b);
    hb->u.heading.level = 2;

    text(b, hb, "!"); /* different text */
    assert_false(doc_equal(a->root, b->root));
    assert_false(doc_equal(b->root, a->root));
    assert_round_trip(b);
    doc_free(b);

    b = doc_new();
    hb = add(b, b->root, DOC_HEADING);
    hb->u.heading.level = 2;
    text(b, hb, "sam");
    text(b, add(b, hb, DOC_EM), "e"); /* same text, different structure */
    assert_false(doc_equal(a->root, b->root));
    assert_round_trip(b);
    doc_free(b);

    b = doc_new();
    hb = add(b, b->root, DOC_HEADING);
    hb->u.heading.level = 2;
    text(b, hb, "same");
    add(b, b->root, DOC_RULE); /* an extra node */
    assert_false(doc_equal(a->root, b->root));
    assert_false(doc_equal(b->root, a->root));
    assert_round_trip(b);

    /* different attributes */
    la = add(a, a->root, DOC_LINK);
    lb = add(b, b->root, DOC_LINK);
    doc_unlink(b->root->first->next);
    la->u.link.href = doc_strdup(a, "https://a/");
    lb->u.link.href = doc_strdup(b, "https://b/");
    assert_false(doc_equal(a->root, b->root));
    lb->u.link.href = doc_strdup(b, "https://a/");
    assert_true(doc_equal(a->root, b->root));
    lb->u.link.href = NULL;
    assert_false(doc_equal(a->root, b->root));
    doc_unlink(la);
    doc_unlink(lb);

    ia = image(a, a->root, DOC_IMAGE, "f.png", "https://s/", "alt");
    ib = image(b, b->root, DOC_IMAGE, "f.png", "https://s/", "alt");
    assert_true(doc_equal(a->root, b->root));
    ib->u.image.width = 5;
    assert_false(doc_equal(a->root, b->root));
    ib->u.image.width = 0;
    ib->u.image.file = NULL;
    assert_false(doc_equal(a->root, b->root));
    ib->u.image.file = ia->u.image.file;
    ib->u.image.caption = "c";
    assert_false(doc_equal(a->root, b->root));
    ib->u.image.caption = NULL;
    ib->u.image.alt = "other";
    assert_false(doc_equal(a->root, b->root));
    ia->u.image.alt = "";
    ib->u.image.alt = NULL; /* "" and NULL alt are the same */
    assert_true(doc_equal(a->root, b->root));
    assert_round_trip(a);
    assert_round_trip(b);

    struct doc_node *ca = add(a, a->root, DOC_CELL), *cb = add(b, b->root, DOC_CELL);
    cb->u.cell.colspan = 2;
    assert_false(doc_equal(ca, cb));
    cb->u.cell.colspan = 1;
    cb->u.cell.header = true;
    assert_false(doc_equal(ca, cb));
    doc_unlink(ca);
    doc_unlink(cb);

    struct doc_node *ea = add(a, a->root, DOC_EMBED), *eb = add(b, b->root, DOC_EMBED);
    eb->u.embed.kind = DOC_EMBED_AUDIO;
    assert_false(doc_equal(a->root, b->root));
    eb->u.embed.kind = DOC_EMBED_OTHER;
    eb->u.embed.title = "t";
    assert_false(doc_equal(a->root, b->root));
    ea->u.embed.title = "t";
    assert_true(doc_equal(a->root, b->root));

    struct doc_node *oa = add(a, a->root, DOC_LIST), *ob = add(b, b->root, DOC_LIST);
    oa->u.list.start = 4; /* meaningless for bullets */
    assert_true(doc_equal(a->root, b->root));
    oa->u.list.ordered = ob->u.list.ordered = true;
    assert_false(doc_equal(a->root, b->root));
    ob->u.list.start = 4;
    assert_true(doc_equal(a->root, b->root));

    struct doc_node *cda = add(a, a->root, DOC_CODE), *cdb = add(b, b->root, DOC_CODE);
    doc_code_set_text(a, cda, "x\n", 2);
    doc_code_set_text(b, cdb, "x\n", 2);
    assert_true(doc_equal(a->root, b->root));
    cdb->u.code.lang = "c";
    assert_false(doc_equal(a->root, b->root));
    cdb->u.code.lang = NULL;
    doc_code_set_text(b, cdb, "x \n", 3);
    assert_false(doc_equal(a->root, b->root));
    assert_round_trip(a);
    assert_round_trip(b);
    doc_free(a);
    doc_free(b);
}

/* --- the reader on input it did not write --- */

static void test_doc_reader_refuses_deep_nesting_quickly(void **state)
{
    struct strbuf in = STRBUF_INIT, why = STRBUF_INIT;
    struct doc *got = (struct doc *)&got;
    double t0;
    (void)state;

    for (int i = 0; i < 10000; i++)
        strbuf_addstr(&in, "<div>");
    strbuf_addstr(&in, "deep");
    t0 = now();
    assert_int_equal(conv_read_xhtml(in.buf, in.len, &got, &why), ARC_ETOODEEP);
    assert_true(now() - t0 < 1.0);
    assert_null(got);
    assert_non_null(strstr(why.buf, "512"));

    /* <div/> is an open tag in HTML: it nests too. */
    strbuf_reset(&in);
    for (int i = 0; i < 10000; i++)
        strbuf_addstr(&in, "<div/>");
    got = (struct doc *)&got;
    assert_int_equal(conv_read_xhtml(in.buf, in.len, &got, &why), ARC_ETOODEEP);
    assert_null(got);

    /* ... but SVG's self-closed elements do not, nor do void elements. */
    strbuf_reset(&in);
    strbuf_addstr(&in, "<p>before</p><svg>");
    for (int i = 0; i < 1000; i++)
        strbuf_addstr(&in, "<path d=\"M0 0\"/>");
    strbuf_addstr(&in, "</svg><p>after</p>");
    got = read_ok(in.buf, in.len);
    assert_non_null(got->root->first);
    assert_non_null(got->root->first->next);
    assert_null(got->root->first->next->next);
    doc_free(got);

    /* The same depth of elements that close themselves is fine. */
    strbuf_reset(&in);
    for (int i = 0; i < 10000; i++)
        strbuf_addstr(&in, "<p>para<br/><img src=\"a.png\" alt=\"&gt;\"/></p><br>");
    got = read_ok(in.buf, in.len);
    doc_free(got);

    /* Unclosed paragraphs and list items close their siblings. */
    strbuf_reset(&in);
    strbuf_addstr(&in, "<ul>");
    for (int i = 0; i < 2000; i++)
        strbuf_addstr(&in, "<li><p>x");
    got = read_ok(in.buf, in.len);
    assert_int_equal(got->root->first->kind, DOC_LIST);
    doc_free(got);

    /* A tree built deeper than the limit is written, but not read back. */
    struct doc *d = doc_new();
    struct doc_node *n = d->root;
    for (int i = 0; i < 600; i++)
        n = add(d, n, DOC_QUOTE);
    para(d, n, "bottom");
    char *x = xhtml_of(d, 0);
    strbuf_reset(&why);
    assert_int_equal(conv_read_xhtml(x, strlen(x), &got, &why), ARC_ETOODEEP);
    assert_null(got);
    free(x);
    doc_free(d);
    strbuf_release(&in);
    strbuf_release(&why);
}

/* Formatting elements left open when their block ends are reopened by the parser in every new
 * block: distinct ones (so "Noah's Ark" keeps them all) make gumbo's tree, and its time,
 * quadratic, and the pre-scan counts them as depth. */
static void test_doc_reader_refuses_reopened_formatting(void **state)
{
    struct strbuf in = STRBUF_INIT, why = STRBUF_INIT;
    struct doc *got = (struct doc *)&got;
    (void)state;

    for (int i = 0; i < 3000; i++)
        strbuf_addf(&in, "<p><b class=c%d>x", i);
    assert_int_equal(conv_read_xhtml(in.buf, in.len, &got, &why), ARC_ETOODEEP);
    assert_null(got);
    assert_non_null(strstr(why.buf, "512"));

    /* The same through div blocks and every formatting element. */
    static const char *const names[] = { "b", "big",   "code",   "em",     "font", "i", "nobr",
                                         "s", "small", "strike", "strong", "tt",   "u" };
    strbuf_reset(&in);
    for (int i = 0; i < 1000; i++)
        strbuf_addf(&in, "<div><%s title=t%d>x</div>", names[i % 13], i);
    got = (struct doc *)&got;
    assert_int_equal(conv_read_xhtml(in.buf, in.len, &got, &why), ARC_ETOODEEP);
    assert_null(got);

    /* Identical elements are reopened at most three times. */
    strbuf_reset(&in);
    for (int i = 0; i < 3000; i++)
        strbuf_addstr(&in, "<p><b class=c>x");
    got = read_ok(in.buf, in.len);
    doc_free(got);

    /* Closed formatting elements are not reopened. */
    strbuf_reset(&in);
    for (int i = 0; i < 3000; i++)
        strbuf_addf(&in, "<p><b class=c%d>x</b></p><p><i class=c%d>y</p></i>", i, i);
    got = read_ok(in.buf, in.len);
    doc_free(got);

    /* A table cell's formatting elements end with the cell. */
    strbuf_reset(&in);
    strbuf_addstr(&in, "<table><tr>");
    for (int i = 0; i < 3000; i++)
        strbuf_addf(&in, "<td><b class=c%d>x", i);
    strbuf_addstr(&in, "</table><p>after</p>");
    got = read_ok(in.buf, in.len);
    doc_free(got);
    strbuf_release(&in);
    strbuf_release(&why);
}

static void test_doc_reader_empty_input_gives_empty_root(void **state)
{
    static const char *const inputs[] = {
        "", "   \n\t ", "<!-- only a comment -->",
        "<html><head><title>t</title></head><body></body></html>"
    };
    (void)state;

    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct doc *got = read_ok(inputs[i], strlen(inputs[i]));
        assert_int_equal(got->root->kind, DOC_ROOT);
        assert_null(got->root->first);
        doc_free(got);
    }
    struct doc *empty = doc_new();
    assert_round_trip(empty);
    doc_free(empty);
}

static void test_doc_reader_wraps_stray_inlines(void **state)
{
    const char *in = "loose <b>bold</b> <i>it</i><p>para</p>tail<ul><li>item text "
                     "<em>x</em><p>block</p>after</li></ul><blockquote>q</blockquote>";
    struct doc *got = read_ok(in, strlen(in)), *want = doc_new();
    struct doc_node *p, *item, *list;
    (void)state;

    p = para(want, want->root, "loose ");
    text(want, add(want, p, DOC_STRONG), "bold");
    text(want, p, " ");
    text(want, add(want, p, DOC_EM), "it");
    para(want, want->root, "para");
    para(want, want->root, "tail");
    list = add(want, want->root, DOC_LIST);
    item = add(want, list, DOC_ITEM);
    p = para(want, item, "item text ");
    text(want, add(want, p, DOC_EM), "x");
    para(want, item, "block");
    para(want, item, "after");
    para(want, add(want, want->root, DOC_QUOTE), "q");
    assert_docs_equal(want, got);
    assert_round_trip(want);
    doc_free(got);
    doc_free(want);
}

static void test_doc_reader_drops_scripts_styles_and_comments(void **state)
{
    const char *in = "<p>a<script>alert('x')</script>b<!-- c --></p><style>p{}</style>"
                     "<template><p>t</p></template><noscript>ns</noscript>"
                     "<svg><text>vector</text></svg><p onclick=\"x()\" style=\"color:red\">d</p>";
    struct doc *got = read_ok(in, strlen(in)), *want = doc_new();
    (void)state;

    para(want, want->root, "ab");
    para(want, want->root, "d");
    assert_docs_equal(want, got);
    assert_round_trip(want);
    doc_free(got);
    doc_free(want);
}

static void test_doc_reader_reads_hand_written_html(void **state)
{
    char *path = xasprintf("%s/doc/handwritten.html", TEST_DATADIR);
    char *tree_path = xasprintf("%s/doc/handwritten.tree", TEST_DATADIR);
    struct strbuf dump = STRBUF_INIT;
    size_t len, tlen;
    char *in = slurp(path, &len), *tree = slurp(tree_path, &tlen);
    struct doc *got = read_ok(in, len);
    (void)state;

    doc_dump(got->root, &dump);
    if (strcmp(dump.buf, tree))
        fprintf(stderr, "--- got ---\n%s", dump.buf);
    assert_string_equal(dump.buf, tree);
    assert_round_trip(got);
    strbuf_release(&dump);
    doc_free(got);
    free(in);
    free(tree);
    free(path);
    free(tree_path);
}

/* --- walking, copying and the deep chain --- */

struct counts {
    size_t enters, leaves, depth, max_depth;
    int stop_after;
};

static int count_enter(const struct doc_node *n, void *ud)
{
    struct counts *c = ud;
    (void)n;

    c->enters++;
    if (++c->depth > c->max_depth)
        c->max_depth = c->depth;
    return c->stop_after && (int)c->enters == c->stop_after ? 42 : 0;
}

static int count_leave(const struct doc_node *n, void *ud)
{
    struct counts *c = ud;
    (void)n;

    c->leaves++;
    c->depth--;
    return 0;
}

#define CHAIN_DEPTH 100000

static void test_doc_walk_is_iterative_on_deep_chains(void **state)
{
    struct doc *d = doc_new(), *e = doc_new();
    struct doc_node *n = d->root;
    struct doc_visitor v = { count_enter, count_leave };
    struct counts c = { 0 };
    struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;
    struct doc *got;
    (void)state;

    for (int i = 0; i < CHAIN_DEPTH; i++)
        n = add(d, n, i % 2 ? DOC_STRONG : DOC_EM);
    text(d, n, "bottom");
    assert_int_equal(doc_walk(d->root, &v, &c), 0);
    assert_int_equal(c.enters, CHAIN_DEPTH + 2);
    assert_int_equal(c.leaves, CHAIN_DEPTH + 2);
    assert_int_equal(c.max_depth, CHAIN_DEPTH + 2);

    /* copy, equal, plain text and the writer are iterative too */
    doc_node_copy(e, e->root, d->root->first);
    assert_true(doc_equal(d->root, e->root));
    n = e->root;
    while (n->first)
        n = n->first;
    assert_int_equal(n->kind, DOC_TEXT);
    doc_append_text(e, n->parent, "!", 1);
    assert_false(doc_equal(d->root, e->root));
    doc_plain_text(d->root, &sb);
    assert_string_equal(sb.buf, "bottom");
    strbuf_reset(&sb);
    doc_write_xhtml(d->root, &sb, 0);
    assert_int_equal(sb.len, 6 + (CHAIN_DEPTH / 2) * (8 + 9 + 4 + 5));
    /* ... and the reader refuses it rather than recurse */
    assert_int_equal(conv_read_xhtml(sb.buf, sb.len, &got, &why), ARC_ETOODEEP);
    assert_null(got);

    /* The dump grows with the square of the depth, so it is checked on a shorter chain. */
    struct doc *s = doc_new();
    n = s->root;
    for (int i = 0; i < 3000; i++)
        n = add(s, n, DOC_QUOTE);
    strbuf_reset(&sb);
    doc_dump(s->root, &sb);
    assert_int_equal(sb.len, 5 + 3000 * 6 + 2 * (3000 * 3001 / 2));
    assert_memory_equal(sb.buf + sb.len - 6 - 2 * 3000 - 1, "\n", 1);

    strbuf_release(&sb);
    strbuf_release(&why);
    doc_free(s);
    doc_free(d);
    doc_free(e);
}

static const char *walk_names[64];
static size_t walk_count;

static int record_enter(const struct doc_node *n, void *ud)
{
    (void)ud;
    walk_names[walk_count++] = doc_kind_name(n->kind);
    return 0;
}

static int record_leave(const struct doc_node *n, void *ud)
{
    (void)ud;
    (void)n;
    walk_names[walk_count++] = "/";
    return 0;
}

static void test_doc_walk_visits_in_order_and_stops(void **state)
{
    struct doc *d = doc_new();
    struct doc_node *p, *list;
    struct doc_visitor v = { record_enter, record_leave };
    static const char *const want[] = { "root", "para", "text", "/",    "strong", "text", "/",
                                        "/",    "/",    "list", "item", "/",      "/",    "/" };
    (void)state;

    p = para(d, d->root, "a");
    text(d, add(d, p, DOC_STRONG), "b");
    list = add(d, d->root, DOC_LIST);
    add(d, list, DOC_ITEM);
    walk_count = 0;
    assert_int_equal(doc_walk(d->root, &v, NULL), 0);
    assert_int_equal(walk_count, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < walk_count; i++)
        assert_string_equal(walk_names[i], want[i]);

    /* a walk of a subtree stays in it */
    walk_count = 0;
    assert_int_equal(doc_walk(p, &v, NULL), 0);
    assert_int_equal(walk_count, 8);

    /* a non-zero return stops the walk and comes back */
    struct counts c = { 0 };
    struct doc_visitor cv = { count_enter, NULL };
    c.stop_after = 3;
    assert_int_equal(doc_walk(d->root, &cv, &c), 42);
    assert_int_equal(c.enters, 3);
    struct doc_visitor none = { NULL, NULL };
    assert_int_equal(doc_walk(d->root, &none, NULL), 0);
    assert_round_trip(d);
    doc_free(d);
}

static void test_doc_copy_outlives_its_source(void **state)
{
    struct doc *src = doc_new(), *dst = doc_new(), *want = doc_new();
    struct doc_node *copy, *q;
    (void)state;

    build_everything(src);
    build_everything(want);
    q = add(dst, dst->root, DOC_QUOTE);
    for (struct doc_node *n = src->root->first; n; n = n->next)
        doc_node_copy(dst, q, n);
    copy = doc_node_copy(dst, NULL, src->root); /* a detached copy of a whole root */
    assert_null(copy->parent);
    doc_free(src);

    /* every string of the copies now lives in dst: compare with a fresh build */
    assert_true(doc_equal(copy, want->root));
    struct doc_node *wq = add(want, want->root, DOC_QUOTE);
    while (want->root->first != wq) {
        struct doc_node *n = want->root->first;
        doc_unlink(n);
        doc_node_copy(want, wq, n);
    }
    assert_true(doc_equal(dst->root, want->root));
    assert_round_trip(dst);
    assert_round_trip(want);
    doc_free(dst);
    doc_free(want);
}

/* --- building --- */

static void test_doc_append_text_merges(void **state)
{
    struct doc *d = doc_new();
    struct doc_node *p = add(d, d->root, DOC_PARA);
    struct strbuf want = STRBUF_INIT;
    (void)state;

    doc_append_text(d, p, "", 0);
    assert_null(p->first);
    for (int i = 0; i < 10000; i++) {
        doc_append_text(d, p, "abc", i % 4);
        strbuf_add(&want, "abc", (size_t)(i % 4));
    }
    assert_non_null(p->first);
    assert_ptr_equal(p->first, p->last);
    assert_int_equal(p->first->u.text.len, want.len);
    assert_memory_equal(p->first->u.text.s, want.buf, want.len + 1);

    /* after another node, a new text node starts */
    add(d, p, DOC_BREAK);
    text(d, p, "x");
    text(d, p, "y");
    assert_int_equal(p->last->kind, DOC_TEXT);
    assert_int_equal(p->last->u.text.len, 2);
    assert_memory_equal(p->last->u.text.s, "xy", 3);
    assert_int_equal(p->last->prev->kind, DOC_BREAK);

    /* merging into a text node the builder made by hand copies, never writes into it */
    static const char fixed[] = "fixed";
    struct doc_node *t = add(d, add(d, d->root, DOC_PARA), DOC_TEXT);
    t->u.text.s = fixed;
    t->u.text.len = 5;
    text(d, t->parent, "+more");
    assert_string_equal(fixed, "fixed");
    assert_memory_equal(t->u.text.s, "fixed+more", 11);
    assert_round_trip(d);
    strbuf_release(&want);
    doc_free(d);
}

static void test_doc_unlink_and_defaults(void **state)
{
    struct doc *d = doc_new();
    struct doc_node *a, *b, *c, *l, *cell;
    (void)state;

    a = para(d, d->root, "a");
    b = para(d, d->root, "b");
    c = para(d, d->root, "c");
    doc_unlink(b);
    assert_ptr_equal(a->next, c);
    assert_ptr_equal(c->prev, a);
    assert_null(b->parent);
    doc_unlink(a);
    assert_ptr_equal(d->root->first, c);
    assert_null(c->prev);
    doc_unlink(c);
    assert_null(d->root->first);
    assert_null(d->root->last);
    doc_unlink(c); /* already detached: nothing */

    l = add(d, d->root, DOC_LIST);
    assert_int_equal(l->u.list.start, 1);
    assert_false(l->u.list.ordered);
    cell = add(d, add(d, add(d, d->root, DOC_TABLE), DOC_ROW), DOC_CELL);
    assert_int_equal(cell->u.cell.colspan, 1);
    assert_int_equal(cell->u.cell.rowspan, 1);
    assert_null(doc_strdup(d, NULL));
    assert_string_equal(doc_strndup(d, "abcdef", 3), "abc");
    assert_round_trip(d);
    doc_free(d);
    doc_free(NULL);
}

static void test_doc_dump_is_stable(void **state)
{
    struct doc *d = doc_new();
    struct doc_node *h, *n, *p;
    struct strbuf sb = STRBUF_INIT;
    (void)state;

    h = add(d, d->root, DOC_HEADING);
    h->u.heading.level = 2;
    text(d, h, "Hello");
    n = add(d, d->root, DOC_CODE);
    n->u.code.lang = doc_strdup(d, "c");
    doc_code_set_text(d, n, "int x;\n", 7);
    p = para(d, d->root, "q\"b\\s\tt\r\x01\x7f\xff \xe4\xb8\xad");
    n = image(d, p, DOC_INLINE_IMAGE, "f.png", NULL, "a");
    n->u.image.width = 3;
    n = add(d, d->root, DOC_LIST);
    n->u.list.ordered = true;
    n->u.list.start = 3;
    n = add(d, add(d, add(d, d->root, DOC_TABLE), DOC_ROW), DOC_CELL);
    n->u.cell.header = true;
    n->u.cell.colspan = 2;
    n = add(d, d->root, DOC_EMBED);
    n->u.embed.kind = DOC_EMBED_VIDEO;
    n->u.embed.url = doc_strdup(d, "https://v");
    doc_dump(d->root, &sb);
    assert_string_equal(sb.buf, "root\n"
                                "  heading level=2\n"
                                "    text \"Hello\"\n"
                                "  code lang=\"c\" \"int x;\\n\"\n"
                                "  para\n"
                                "    text \"q\\\"b\\\\s\\tt\\r\\x01\\x7F\\xFF \xe4\xb8\xad\"\n"
                                "    inline_image file=\"f.png\" alt=\"a\" width=3\n"
                                "  list ordered start=3\n"
                                "  table\n"
                                "    row\n"
                                "      cell header colspan=2\n"
                                "  embed kind=video url=\"https://v\"\n");
    strbuf_release(&sb);
    doc_free(d);
}

static void test_doc_plain_text_separates_blocks(void **state)
{
    struct doc *d = doc_new();
    struct doc_node *p, *list, *c;
    struct strbuf sb = STRBUF_INIT;
    (void)state;

    add(d, d->root, DOC_HEADING)->u.heading.level = 1;
    text(d, d->root->first, "Title");
    p = para(d, d->root, "one ");
    text(d, add(d, p, DOC_STRONG), "two");
    add(d, p, DOC_BREAK);
    text(d, p, "three");
    list = add(d, d->root, DOC_LIST);
    para(d, add(d, list, DOC_ITEM), "item");
    c = add(d, d->root, DOC_CODE);
    doc_code_set_text(d, c, "code\n", 5);
    strbuf_addstr(&sb, "prefix:");
    doc_plain_text(d->root, &sb);
    assert_string_equal(sb.buf, "prefix:Title\none two\nthree\nitem\ncode\n");
    strbuf_release(&sb);
    assert_round_trip(d);
    doc_free(d);
}

static void test_doc_kind_names(void **state)
{
    (void)state;

    assert_string_equal(doc_kind_name(DOC_ROOT), "root");
    assert_string_equal(doc_kind_name(DOC_CODE_SPAN), "code_span");
    assert_string_equal(doc_kind_name(DOC_INLINE_IMAGE), "inline_image");
    for (int k = 0; k < DOC_KIND__COUNT; k++)
        for (int j = 0; j < k; j++)
            assert_string_not_equal(doc_kind_name((enum doc_kind)k),
                                    doc_kind_name((enum doc_kind)j));
    for (int k = 0; k < DOC_EMBED__COUNT; k++)
        assert_int_equal(doc_embed_kind_from_name(doc_embed_kind_name((enum doc_embed_kind)k)), k);
    assert_string_equal(doc_embed_kind_name(DOC_EMBED_MINIPROGRAM), "miniprogram");
    assert_int_equal(doc_embed_kind_from_name("nonsense"), DOC_EMBED_OTHER);
    assert_int_equal(doc_embed_kind_from_name(NULL), DOC_EMBED_OTHER);
    assert_true(doc_kind_is_block(DOC_PARA));
    assert_true(doc_kind_is_block(DOC_EMBED));
    assert_false(doc_kind_is_block(DOC_ITEM));
    assert_false(doc_kind_is_block(DOC_TEXT));
    assert_false(doc_kind_is_block(DOC_INLINE_IMAGE));
}

static void test_doc_page_wrapper_is_well_formed(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    const struct doc_page page = { "A & B", NULL, NULL, NULL };
    struct doc *got;
    (void)state;

    doc_page_begin(&sb, &page);
    doc_page_end(&sb);
    assert_string_equal(sb.buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                "<!DOCTYPE html>\n"
                                "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"zh-CN\" "
                                "lang=\"zh-CN\">\n"
                                "<head>\n<meta charset=\"utf-8\"/>\n<title>A &amp; B</title>\n"
                                "</head>\n<body>\n</body>\n</html>\n");
    assert_int_equal(xmllint(sb.buf, sb.len), 0);
    got = read_ok(sb.buf, sb.len);
    assert_null(got->root->first);
    doc_free(got);

    const struct doc_page full = { "T", "en", "../book.css", "chapter" };
    strbuf_reset(&sb);
    doc_page_begin(&sb, &full);
    assert_non_null(strstr(sb.buf, "xml:lang=\"en\" lang=\"en\""));
    assert_non_null(
        strstr(sb.buf, "<link rel=\"stylesheet\" type=\"text/css\" href=\"../book.css\"/>\n"));
    assert_non_null(strstr(sb.buf, "<body class=\"chapter\">\n"));
    doc_page_end(&sb);
    assert_int_equal(xmllint(sb.buf, sb.len), 0);
    strbuf_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_escape_specials_and_keeps_apostrophe),
        cmocka_unit_test(test_doc_escape_drops_what_xml_forbids),
        cmocka_unit_test(test_doc_code_whitespace_survives),
        cmocka_unit_test(test_doc_code_is_written_inside_pre_code),
        cmocka_unit_test(test_doc_nesting_round_trips),
        cmocka_unit_test(test_doc_images_round_trip),
        cmocka_unit_test(test_doc_no_remote_writes_placeholders),
        cmocka_unit_test(test_doc_unsafe_links_keep_only_their_children),
        cmocka_unit_test(test_doc_deep_but_legal_tree_round_trips),
        cmocka_unit_test(test_doc_adjacent_text_nodes_round_trip),
        cmocka_unit_test(test_doc_equal_tells_differences),
        cmocka_unit_test(test_doc_reader_refuses_deep_nesting_quickly),
        cmocka_unit_test(test_doc_reader_refuses_reopened_formatting),
        cmocka_unit_test(test_doc_reader_empty_input_gives_empty_root),
        cmocka_unit_test(test_doc_reader_wraps_stray_inlines),
        cmocka_unit_test(test_doc_reader_drops_scripts_styles_and_comments),
        cmocka_unit_test(test_doc_reader_reads_hand_written_html),
        cmocka_unit_test(test_doc_walk_is_iterative_on_deep_chains),
        cmocka_unit_test(test_doc_walk_visits_in_order_and_stops),
        cmocka_unit_test(test_doc_copy_outlives_its_source),
        cmocka_unit_test(test_doc_append_text_merges),
        cmocka_unit_test(test_doc_unlink_and_defaults),
        cmocka_unit_test(test_doc_dump_is_stable),
        cmocka_unit_test(test_doc_plain_text_separates_blocks),
        cmocka_unit_test(test_doc_kind_names),
        cmocka_unit_test(test_doc_page_wrapper_is_well_formed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
