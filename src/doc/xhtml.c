/* doc/xhtml.c: the XHTML writer (offline copies, EPUB pages), the XML escaper and the page wrapper.
 *
 * The mapping below is a contract with convert/reader.c (conv_read_xhtml), which reads it back
 * so that conv_read_xhtml(doc_write_xhtml(t)) equals t under doc_equal().  Change both together.
 *
 * Syntax: HTML5 in XML syntax.  Text and attribute values escape exactly & < > " (&amp; &lt;
 * &gt; &quot;); everything else is raw UTF-8, never a named entity.  Invalid UTF-8, C0 controls
 * other than tab and newline (so CR too), DEL and the C1 controls (U+007F..009F), UTF-8-encoded
 * surrogates and the noncharacters (U+FDD0..FDEF, U+nFFFE and U+nFFFF of every plane) are
 * dropped.  Inside attribute values tab and newline are written &#9; and &#10;, because XML
 * attribute-value normalisation would turn them into spaces.  Only void elements self-close
 * (<br/>, <hr/>, <img/>); every other element has a close tag, even when empty, because an HTML
 * parser reads <p/> as an open tag.  Every block ends with a newline for readability; the reader
 * ignores whitespace between blocks and keeps every character of inline text.
 *
 * Blocks:
 *   heading     <hN>inlines</hN>                  (N clamped to 1..6)
 *   para        <p>inlines</p>
 *   list        <ul>items</ul>, or <ol start="N"> (start only when N != 1)
 *   item        <li>blocks</li>
 *   quote       <blockquote>blocks</blockquote>
 *   code        <pre><code class="language-LANG">TEXT</code></pre>  (no class when lang is NULL;
 *               the text sits inside <code>, so the parser's "drop one newline after <pre>"
 *               rule never eats a leading newline of ours)
 *   image       <figure class="image"><img .../><figcaption>CAPTION</figcaption></figure>
 *               (figcaption only when caption is not NULL)
 *   table       <table><tbody><tr><th|td colspan="C" rowspan="R">blocks</td></tr></tbody></table>
 *               (header cells are th; spans only when greater than 1)
 *   rule        <hr/>
 *   embed       <div class="embed embed-KIND" data-kind="KIND"> holding, for each field that is
 *               not NULL and in this order, <p class="embed-title">TITLE</p>,
 *               <p class="embed-desc">DESC</p> and <p class="embed-link"><a href="URL">URL</a></p>
 *               (the URL as plain text, without <a>, when doc_href_is_safe() refuses it)
 *
 * Inlines: text is escaped text; strong <strong>, em <em>, code span <code>, break <br/>, sub
 * <sub>, sup <sup>; link <a href="HREF"> when doc_href_is_safe(HREF), otherwise its children
 * alone; inline image <img class="inline" .../>.
 *
 * Images, block or inline: <img class="CLASSES" src="SRC" data-src="URL" alt="ALT" width="W"
 * height="H"/>.  With a local file, src is the file and data-src the source URL (when known).
 * Without one, src is the source URL and the class list holds "remote", so the reader never
 * takes a URL for a file or a relative URL for a file name.  alt is always present: alt="" for
 * both NULL and "", and the reader gives NULL back (doc_equal() treats the two alike).  width and
 * height only when positive.  With DOC_XHTML_NO_REMOTE an image without a file gets no <img> at
 * all but a placeholder, <p class="image-missing"> for a block image and <span
 * class="image-missing"> for an inline one, holding <span class="image-alt">ALT</span>, then <a
 * class="image-src" href="URL">URL</a> (a <span class="image-src"> when the URL is not a safe
 * href), then for a block image <span class="image-caption">CAPTION</span>, each only when
 * present and separated by single spaces.  The reader maps a placeholder back to an image with
 * no file; width, height and the distinction between NULL and "" are lost, so round trips are
 * exact only without the flag.
 */
#include "doc/doc.h"

#include <stdint.h>
#include <string.h>

#include "doc/internal.h"
#include "util/utf8.h"
#include "util/banned.h"

/* --- escaping --- */

/* What to write for the ASCII byte c: itself (NULL, *drop false), a replacement, or nothing. */
static const char *ascii_replacement(unsigned char c, bool attr, bool *drop)
{
    *drop = false;
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\t':
        return attr ? "&#9;" : NULL;
    case '\n':
        return attr ? "&#10;" : NULL;
    default:
        *drop = c < 0x20 || c == 0x7F; /* DEL too: see discouraged() */
        return NULL;
    }
}

/* The code point of the valid n-byte UTF-8 sequence at s (n from utf8_len). */
static uint32_t utf8_decode(const unsigned char *s, size_t n)
{
    uint32_t cp = n == 2 ? s[0] & 0x1F : n == 3 ? s[0] & 0x0F : s[0] & 0x07;

    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    return cp;
}

/* C1 controls (U+0080..009F) and the noncharacters (U+FDD0..FDEF, U+nFFFE and U+nFFFF): XML
 * allows some of them only as discouraged characters, gumbo rewrites C1 controls as
 * windows-1252, and none of them survives a round trip, so they are dropped like C0 controls. */
static bool discouraged(const unsigned char *s, size_t n)
{
    uint32_t cp = utf8_decode(s, n);

    return cp <= 0x9F || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

static void escape(struct strbuf *out, const char *str, size_t len, bool attr)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0; /* s[run..i) is clean and not yet written */

    while (i < len) {
        const char *rep = NULL;
        bool drop;
        size_t n;

        if (s[i] < 0x80) {
            rep = ascii_replacement(s[i], attr, &drop);
            n = 1;
        } else {
            n = utf8_len(s + i, len - i);
            drop = !n || discouraged(s + i, n);
            if (!n)
                n = 1; /* drop the bad byte alone and resynchronise on the next one */
        }
        if (!rep && !drop) {
            i += n;
            continue;
        }
        strbuf_add(out, s + run, i - run);
        if (rep)
            strbuf_addstr(out, rep);
        i += n;
        run = i;
    }
    strbuf_add(out, s + run, i - run);
}

void doc_xml_escape(struct strbuf *out, const char *s, size_t len)
{
    if (s)
        escape(out, s, len, false);
}

void doc_xml_escape_str(struct strbuf *out, const char *s)
{
    if (s)
        escape(out, s, strlen(s), false);
}

static void attr(struct strbuf *out, const char *name, const char *value)
{
    if (!value)
        return;
    strbuf_addf(out, " %s=\"", name);
    escape(out, value, strlen(value), true);
    strbuf_addch(out, '"');
}

static void attr_int(struct strbuf *out, const char *name, int value)
{
    strbuf_addf(out, " %s=\"%d\"", name, value);
}

/* --- images and embeds --- */

static void write_placeholder(struct strbuf *out, const struct doc_image *im, bool block)
{
    bool sep = false;

    strbuf_addstr(out, block ? "<p class=\"image-missing\">" : "<span class=\"image-missing\">");
    if (im->alt && *im->alt) {
        strbuf_addstr(out, "<span class=\"image-alt\">");
        doc_xml_escape_str(out, im->alt);
        strbuf_addstr(out, "</span>");
        sep = true;
    }
    if (im->src) {
        if (sep)
            strbuf_addch(out, ' ');
        if (doc_href_is_safe(im->src)) {
            strbuf_addstr(out, "<a class=\"image-src\"");
            attr(out, "href", im->src);
            strbuf_addch(out, '>');
            doc_xml_escape_str(out, im->src);
            strbuf_addstr(out, "</a>");
        } else {
            strbuf_addstr(out, "<span class=\"image-src\">");
            doc_xml_escape_str(out, im->src);
            strbuf_addstr(out, "</span>");
        }
        sep = true;
    }
    if (block && im->caption) {
        if (sep)
            strbuf_addch(out, ' ');
        strbuf_addstr(out, "<span class=\"image-caption\">");
        doc_xml_escape_str(out, im->caption);
        strbuf_addstr(out, "</span>");
    }
    strbuf_addstr(out, block ? "</p>\n" : "</span>");
}

static void write_img(struct strbuf *out, const struct doc_image *im, bool inline_, unsigned flags)
{
    const char *cls = NULL;

    if (inline_)
        cls = im->file ? "inline" : "inline remote";
    else if (!im->file)
        cls = "remote";
    strbuf_addstr(out, "<img");
    attr(out, "class", cls);
    if (im->file) {
        attr(out, "src", im->file);
        if (!(flags & DOC_XHTML_NO_ORIGIN))
            attr(out, "data-src", im->src);
    } else {
        attr(out, "src", im->src);
    }
    attr(out, "alt", im->alt ? im->alt : "");
    if (im->width > 0)
        attr_int(out, "width", im->width);
    if (im->height > 0)
        attr_int(out, "height", im->height);
    strbuf_addstr(out, "/>");
}

static void write_image(struct strbuf *out, const struct doc_image *im, bool block, unsigned flags)
{
    if (!im->file && (flags & DOC_XHTML_NO_REMOTE)) {
        write_placeholder(out, im, block);
        return;
    }
    if (!block) {
        write_img(out, im, true, flags);
        return;
    }
    strbuf_addstr(out, "<figure class=\"image\">");
    write_img(out, im, false, flags);
    if (im->caption) {
        strbuf_addstr(out, "<figcaption>");
        doc_xml_escape_str(out, im->caption);
        strbuf_addstr(out, "</figcaption>");
    }
    strbuf_addstr(out, "</figure>\n");
}

static void write_embed(struct strbuf *out, const struct doc_node *n)
{
    const char *kind = doc_embed_kind_name(n->u.embed.kind);
    const char *url = n->u.embed.url;

    strbuf_addf(out, "<div class=\"embed embed-%s\" data-kind=\"%s\">\n", kind, kind);
    if (n->u.embed.title) {
        strbuf_addstr(out, "<p class=\"embed-title\">");
        doc_xml_escape_str(out, n->u.embed.title);
        strbuf_addstr(out, "</p>\n");
    }
    if (n->u.embed.desc) {
        strbuf_addstr(out, "<p class=\"embed-desc\">");
        doc_xml_escape_str(out, n->u.embed.desc);
        strbuf_addstr(out, "</p>\n");
    }
    if (url) {
        strbuf_addstr(out, "<p class=\"embed-link\">");
        if (doc_href_is_safe(url)) {
            strbuf_addstr(out, "<a");
            attr(out, "href", url);
            strbuf_addch(out, '>');
            doc_xml_escape_str(out, url);
            strbuf_addstr(out, "</a>");
        } else {
            doc_xml_escape_str(out, url);
        }
        strbuf_addstr(out, "</p>\n");
    }
    strbuf_addstr(out, "</div>\n");
}

/* --- the tree --- */

struct writer {
    struct strbuf *out;
    unsigned flags;
};

static int heading_level(const struct doc_node *n)
{
    int level = n->u.heading.level;

    return level < 1 ? 1 : level > 6 ? 6 : level;
}

static void write_code(struct strbuf *out, const struct doc_node *n)
{
    strbuf_addstr(out, "<pre><code");
    if (n->u.code.lang) {
        strbuf_addstr(out, " class=\"language-");
        escape(out, n->u.code.lang, strlen(n->u.code.lang), true);
        strbuf_addch(out, '"');
    }
    strbuf_addch(out, '>');
    doc_xml_escape(out, n->u.code.text, n->u.code.len);
    strbuf_addstr(out, "</code></pre>\n");
}

static void write_cell_open(struct strbuf *out, const struct doc_node *n)
{
    strbuf_addstr(out, n->u.cell.header ? "<th" : "<td");
    if (n->u.cell.colspan > 1)
        attr_int(out, "colspan", n->u.cell.colspan);
    if (n->u.cell.rowspan > 1)
        attr_int(out, "rowspan", n->u.cell.rowspan);
    strbuf_addch(out, '>');
}

/* Writes n's open tag, or all of n when it has no children to write; returns whether the walk
 * should go on into n's children. */
static bool open_node(struct writer *w, const struct doc_node *n)
{
    struct strbuf *out = w->out;

    switch (n->kind) {
    case DOC_ROOT:
        return true;
    case DOC_HEADING:
        strbuf_addf(out, "<h%d>", heading_level(n));
        return true;
    case DOC_PARA:
        strbuf_addstr(out, "<p>");
        return true;
    case DOC_LIST:
        if (!n->u.list.ordered)
            strbuf_addstr(out, "<ul>\n");
        else if (n->u.list.start != 1)
            strbuf_addf(out, "<ol start=\"%d\">\n", n->u.list.start);
        else
            strbuf_addstr(out, "<ol>\n");
        return true;
    case DOC_ITEM:
        strbuf_addstr(out, "<li>");
        return true;
    case DOC_QUOTE:
        strbuf_addstr(out, "<blockquote>\n");
        return true;
    case DOC_CODE:
        write_code(out, n);
        return false;
    case DOC_IMAGE:
        write_image(out, &n->u.image, true, w->flags);
        return false;
    case DOC_TABLE:
        strbuf_addstr(out, "<table>\n<tbody>\n");
        return true;
    case DOC_ROW:
        strbuf_addstr(out, "<tr>\n");
        return true;
    case DOC_CELL:
        write_cell_open(out, n);
        return true;
    case DOC_RULE:
        strbuf_addstr(out, "<hr/>\n");
        return false;
    case DOC_EMBED:
        write_embed(out, n);
        return false;
    case DOC_TEXT:
        doc_xml_escape(out, n->u.text.s, n->u.text.len);
        return false;
    case DOC_STRONG:
        strbuf_addstr(out, "<strong>");
        return true;
    case DOC_EM:
        strbuf_addstr(out, "<em>");
        return true;
    case DOC_CODE_SPAN:
        strbuf_addstr(out, "<code>");
        return true;
    case DOC_LINK:
        if (doc_href_is_safe(n->u.link.href)) {
            strbuf_addstr(out, "<a");
            attr(out, "href", n->u.link.href);
            strbuf_addch(out, '>');
        }
        return true;
    case DOC_BREAK:
        strbuf_addstr(out, "<br/>");
        return false;
    case DOC_SUB:
        strbuf_addstr(out, "<sub>");
        return true;
    case DOC_SUP:
        strbuf_addstr(out, "<sup>");
        return true;
    case DOC_INLINE_IMAGE:
        write_image(out, &n->u.image, false, w->flags);
        return false;
    case DOC_KIND__COUNT:
        return false;
    }
    return false;
}

/* Writes n's close tag; nodes written whole by open_node() have none. */
static void close_node(const struct doc_node *n, void *ud)
{
    struct writer *w = ud;
    struct strbuf *out = w->out;

    switch (n->kind) {
    case DOC_HEADING:
        strbuf_addf(out, "</h%d>\n", heading_level(n));
        break;
    case DOC_PARA:
        strbuf_addstr(out, "</p>\n");
        break;
    case DOC_LIST:
        strbuf_addstr(out, n->u.list.ordered ? "</ol>\n" : "</ul>\n");
        break;
    case DOC_ITEM:
        strbuf_addstr(out, "</li>\n");
        break;
    case DOC_QUOTE:
        strbuf_addstr(out, "</blockquote>\n");
        break;
    case DOC_TABLE:
        strbuf_addstr(out, "</tbody>\n</table>\n");
        break;
    case DOC_ROW:
        strbuf_addstr(out, "</tr>\n");
        break;
    case DOC_CELL:
        strbuf_addstr(out, n->u.cell.header ? "</th>\n" : "</td>\n");
        break;
    case DOC_STRONG:
        strbuf_addstr(out, "</strong>");
        break;
    case DOC_EM:
        strbuf_addstr(out, "</em>");
        break;
    case DOC_CODE_SPAN:
        strbuf_addstr(out, "</code>");
        break;
    case DOC_LINK:
        if (doc_href_is_safe(n->u.link.href))
            strbuf_addstr(out, "</a>");
        break;
    case DOC_SUB:
        strbuf_addstr(out, "</sub>");
        break;
    case DOC_SUP:
        strbuf_addstr(out, "</sup>");
        break;
    case DOC_ROOT:
    case DOC_CODE:
    case DOC_IMAGE:
    case DOC_RULE:
    case DOC_EMBED:
    case DOC_TEXT:
    case DOC_BREAK:
    case DOC_INLINE_IMAGE:
    case DOC_KIND__COUNT:
        break;
    }
}

void doc_write_xhtml(const struct doc_node *root, struct strbuf *out, unsigned flags)
{
    struct writer w = { out, flags };
    const struct doc_node *n = root;

    while (n) {
        bool descend = open_node(&w, n);
        n = doc__next(root, n, !descend, close_node, &w);
    }
}

/* --- the page --- */

void doc_page_begin(struct strbuf *out, const struct doc_page *page)
{
    const char *lang = page->lang ? page->lang : "zh-CN";

    strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n");
    strbuf_addstr(out, "<html xmlns=\"http://www.w3.org/1999/xhtml\"");
    attr(out, "xml:lang", lang);
    attr(out, "lang", lang);
    strbuf_addstr(out, ">\n<head>\n<meta charset=\"utf-8\"/>\n<title>");
    doc_xml_escape_str(out, page->title);
    strbuf_addstr(out, "</title>\n");
    if (page->css) {
        strbuf_addstr(out, "<link rel=\"stylesheet\" type=\"text/css\"");
        attr(out, "href", page->css);
        strbuf_addstr(out, "/>\n");
    }
    strbuf_addstr(out, "</head>\n<body");
    attr(out, "class", page->body_class);
    strbuf_addstr(out, ">\n");
}

void doc_page_end(struct strbuf *out)
{
    strbuf_addstr(out, "</body>\n</html>\n");
}
