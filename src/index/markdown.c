/* index/markdown.c: the index's Markdown notes (a cmark tree) turned into Doc nodes. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <cmark.h>

#include "index/internal.h"
#include "util/strbuf.h"
#include "util/url.h"
#include "util/banned.h"

static bool link_allowed(const char *href)
{
    if (!href)
        return false;
    if (!strncasecmp(href, "mailto:", 7))
        return href[7] != '\0';
    return url_is_http(href);
}

static void append_literal(struct doc *doc, struct doc_node *parent, cmark_node *n)
{
    const char *s = cmark_node_get_literal(n);

    if (s && *s)
        doc_append_text(doc, parent, s, strlen(s));
}

/* An html block as a paragraph of its source text, without the final newline. */
static void html_block(struct doc *doc, struct doc_node *parent, cmark_node *n)
{
    const char *s = cmark_node_get_literal(n);
    size_t len = s ? strlen(s) : 0;
    struct doc_node *p;

    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    if (!len)
        return;
    p = doc_append(doc, parent, DOC_PARA);
    doc_append_text(doc, p, s, len);
}

static void code_block(struct doc *doc, struct doc_node *parent, cmark_node *n)
{
    const char *info = cmark_node_get_fence_info(n);
    const char *text = cmark_node_get_literal(n);
    struct doc_node *code = doc_append(doc, parent, DOC_CODE);
    size_t len = 0;

    /* The language is the info string's first word, as CommonMark renders it. */
    if (info) {
        while (info[len] && info[len] != ' ' && info[len] != '\t')
            len++;
    }
    code->u.code.lang = len ? doc_strndup(doc, info, len) : NULL;
    doc_code_set_text(doc, code, text ? text : "", text ? strlen(text) : 0);
}

static void inline_image(struct doc *doc, struct doc_node *parent, cmark_node *n)
{
    struct doc_node *img = doc_append(doc, parent, DOC_INLINE_IMAGE);
    const char *src = cmark_node_get_url(n);
    struct strbuf alt = STRBUF_INIT;

    img->u.image.src = url_is_http(src) ? doc_strdup(doc, src) : NULL;
    idx__md_plain_text(n, &alt);
    img->u.image.alt = alt.len ? doc_strndup(doc, alt.buf, alt.len) : NULL;
    strbuf_release(&alt);
}

/* The Doc node a container cmark node becomes, appended under parent; NULL when the node
 * keeps only its children (a link to a scheme we do not keep). */
static struct doc_node *open_container(struct doc *doc, struct doc_node *parent, cmark_node *n)
{
    struct doc_node *d;

    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_BLOCK_QUOTE:
        return doc_append(doc, parent, DOC_QUOTE);
    case CMARK_NODE_LIST:
        d = doc_append(doc, parent, DOC_LIST);
        d->u.list.ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
        d->u.list.start = d->u.list.ordered ? cmark_node_get_list_start(n) : 1;
        return d;
    case CMARK_NODE_ITEM:
        return doc_append(doc, parent, DOC_ITEM);
    case CMARK_NODE_PARAGRAPH:
        return doc_append(doc, parent, DOC_PARA);
    case CMARK_NODE_HEADING:
        d = doc_append(doc, parent, DOC_HEADING);
        d->u.heading.level = cmark_node_get_heading_level(n);
        return d;
    case CMARK_NODE_EMPH:
        return doc_append(doc, parent, DOC_EM);
    case CMARK_NODE_STRONG:
        return doc_append(doc, parent, DOC_STRONG);
    case CMARK_NODE_LINK:
        if (!link_allowed(cmark_node_get_url(n)))
            return NULL;
        d = doc_append(doc, parent, DOC_LINK);
        d->u.link.href = doc_strdup(doc, cmark_node_get_url(n));
        return d;
    default:
        return NULL;
    }
}

/* A leaf: appended under parent. */
static void add_leaf(struct doc *doc, struct doc_node *parent, cmark_node *n)
{
    struct doc_node *d;

    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_HTML_INLINE:
        append_literal(doc, parent, n);
        break;
    case CMARK_NODE_SOFTBREAK:
        /* A space: right for Latin text, a small blemish between CJK characters. */
        doc_append_text(doc, parent, " ", 1);
        break;
    case CMARK_NODE_LINEBREAK:
        doc_append(doc, parent, DOC_BREAK);
        break;
    case CMARK_NODE_CODE:
        d = doc_append(doc, parent, DOC_CODE_SPAN);
        append_literal(doc, d, n);
        break;
    case CMARK_NODE_CODE_BLOCK:
        code_block(doc, parent, n);
        break;
    case CMARK_NODE_HTML_BLOCK:
        html_block(doc, parent, n);
        break;
    case CMARK_NODE_THEMATIC_BREAK:
        doc_append(doc, parent, DOC_RULE);
        break;
    default:
        break;
    }
}

static bool is_leaf(cmark_node *n)
{
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_HTML_INLINE:
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK:
    case CMARK_NODE_CODE:
    case CMARK_NODE_CODE_BLOCK:
    case CMARK_NODE_HTML_BLOCK:
    case CMARK_NODE_THEMATIC_BREAK:
        return true;
    default:
        return false;
    }
}

void idx__md_to_doc(struct doc *doc, struct doc_node *parent, cmark_node *block)
{
    cmark_iter *it = cmark_iter_new(block);
    cmark_event_type ev;

    /* cmark reports containers twice (enter, exit) and leaves once.  Each container's Doc node
     * rides in its user data, so leaving it finds the parent again without a stack of ours. */
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        struct doc_node *d;

        if (ev == CMARK_EVENT_EXIT) {
            d = cmark_node_get_user_data(n);
            if (d)
                parent = d->parent;
            cmark_node_set_user_data(n, NULL);
        } else if (cmark_node_get_type(n) == CMARK_NODE_IMAGE) {
            inline_image(doc, parent, n);
            /* The alt text now lives in the image; skip the children. */
            cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
        } else if (is_leaf(n)) {
            add_leaf(doc, parent, n);
        } else {
            d = open_container(doc, parent, n);
            cmark_node_set_user_data(n, d);
            if (d)
                parent = d;
        }
    }
    cmark_iter_free(it);
}

void idx__md_plain_text(cmark_node *node, struct strbuf *out)
{
    cmark_iter *it = cmark_iter_new(node);
    cmark_event_type ev;

    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        const char *s;

        if (ev != CMARK_EVENT_ENTER)
            continue;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
        case CMARK_NODE_HTML_INLINE:
            s = cmark_node_get_literal(n);
            if (s)
                strbuf_addstr(out, s);
            break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            strbuf_addch(out, ' ');
            break;
        default:
            break;
        }
    }
    cmark_iter_free(it);
}
