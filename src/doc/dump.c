/* doc/dump.c: the stable line-per-node dump used by golden files, and the plain text of a tree.
 *
 * Dump format: one node per line, two spaces of indent per depth, the kind name (doc_kind_name)
 * and then its fields as ` name=value`, fields that are NULL or at their default left out.
 * Strings are quoted with C-style escapes: \n \t \r \" \\, other bytes below 0x20 and 0x7f as \xHH,
 * bytes of valid UTF-8 sequences as they are and any other byte as \xHH.  Code and text put
 * their content last, unnamed:
 *
 *     root
 *       heading level=2
 *         text "Hello"
 *       list ordered start=3
 *       cell header colspan=2
 *       code lang="c" "int x;\n"
 *       image file="images/a.png" src="https://x/a.png" alt="A" caption="C" width=10 height=20
 *       embed kind=video title="T" desc="D" url="https://x"
 */
#include "doc/doc.h"

#include <string.h>

#include "doc/internal.h"
#include "util/utf8.h"
#include "util/banned.h"

/* --- dump --- */

static void quote(struct strbuf *out, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    strbuf_addch(out, '"');
    while (i < len) {
        unsigned char c = s[i];
        size_t n;

        switch (c) {
        case '\n':
            strbuf_addstr(out, "\\n");
            i++;
            continue;
        case '\t':
            strbuf_addstr(out, "\\t");
            i++;
            continue;
        case '\r':
            strbuf_addstr(out, "\\r");
            i++;
            continue;
        case '"':
        case '\\':
            strbuf_addch(out, '\\');
            strbuf_addch(out, c);
            i++;
            continue;
        default:
            break;
        }
        n = c < 0x20 || c == 0x7f ? 0 : utf8_len(s + i, len - i);
        if (!n) {
            strbuf_addf(out, "\\x%02X", c);
            i++;
            continue;
        }
        strbuf_add(out, s + i, n);
        i += n;
    }
    strbuf_addch(out, '"');
}

static void field_str(struct strbuf *out, const char *name, const char *value)
{
    if (!value)
        return;
    strbuf_addf(out, " %s=", name);
    quote(out, value, strlen(value));
}

static void field_int(struct strbuf *out, const char *name, int value, int dflt)
{
    if (value != dflt)
        strbuf_addf(out, " %s=%d", name, value);
}

static void dump_image(struct strbuf *out, const struct doc_image *im)
{
    field_str(out, "file", im->file);
    field_str(out, "src", im->src);
    field_str(out, "alt", im->alt);
    field_str(out, "caption", im->caption);
    field_int(out, "width", im->width, 0);
    field_int(out, "height", im->height, 0);
}

static void dump_node(struct strbuf *out, const struct doc_node *n)
{
    strbuf_addstr(out, doc_kind_name(n->kind));
    switch (n->kind) {
    case DOC_HEADING:
        strbuf_addf(out, " level=%d", n->u.heading.level);
        break;
    case DOC_LIST:
        if (n->u.list.ordered)
            strbuf_addf(out, " ordered start=%d", n->u.list.start);
        break;
    case DOC_CODE:
        field_str(out, "lang", n->u.code.lang);
        strbuf_addch(out, ' ');
        quote(out, n->u.code.text ? n->u.code.text : "", n->u.code.text ? n->u.code.len : 0);
        break;
    case DOC_IMAGE:
    case DOC_INLINE_IMAGE:
        dump_image(out, &n->u.image);
        break;
    case DOC_CELL:
        if (n->u.cell.header)
            strbuf_addstr(out, " header");
        field_int(out, "colspan", n->u.cell.colspan, 1);
        field_int(out, "rowspan", n->u.cell.rowspan, 1);
        break;
    case DOC_EMBED:
        strbuf_addf(out, " kind=%s", doc_embed_kind_name(n->u.embed.kind));
        field_str(out, "title", n->u.embed.title);
        field_str(out, "desc", n->u.embed.desc);
        field_str(out, "url", n->u.embed.url);
        break;
    case DOC_TEXT:
        strbuf_addch(out, ' ');
        quote(out, n->u.text.s ? n->u.text.s : "", n->u.text.s ? n->u.text.len : 0);
        break;
    case DOC_LINK:
        field_str(out, "href", n->u.link.href);
        break;
    case DOC_ROOT:
    case DOC_PARA:
    case DOC_ITEM:
    case DOC_QUOTE:
    case DOC_TABLE:
    case DOC_ROW:
    case DOC_RULE:
    case DOC_STRONG:
    case DOC_EM:
    case DOC_CODE_SPAN:
    case DOC_BREAK:
    case DOC_SUB:
    case DOC_SUP:
    case DOC_KIND__COUNT:
        break;
    }
    strbuf_addch(out, '\n');
}

static void leave_depth(const struct doc_node *n, void *ud)
{
    size_t *depth = ud;

    (void)n;
    --*depth;
}

void doc_dump(const struct doc_node *root, struct strbuf *out)
{
    const struct doc_node *n = root;
    size_t depth = 0;

    while (n) {
        /* depth counts the ancestors of n below root; leave_depth undoes each entry. */
        for (size_t i = 0; i < depth; i++)
            strbuf_addstr(out, "  ");
        dump_node(out, n);
        depth++;
        n = doc__next(root, n, false, leave_depth, &depth);
    }
}

/* --- plain text --- */

struct plain {
    struct strbuf *out;
    size_t start; /* out->len when we began: never look before it */
};

static void plain_newline(struct plain *p)
{
    if (p->out->len > p->start && p->out->buf[p->out->len - 1] != '\n')
        strbuf_addch(p->out, '\n');
}

static void plain_leave(const struct doc_node *n, void *ud)
{
    struct plain *p = ud;

    if (doc_kind_is_block(n->kind) || n->kind == DOC_CELL || n->kind == DOC_ITEM)
        plain_newline(p);
}

/* Appends what a reader sees of n itself, before its children. */
static void plain_enter(struct plain *p, const struct doc_node *n)
{
    switch (n->kind) {
    case DOC_TEXT:
        if (n->u.text.s)
            strbuf_add(p->out, n->u.text.s, n->u.text.len);
        break;
    case DOC_CODE:
        if (n->u.code.text)
            strbuf_add(p->out, n->u.code.text, n->u.code.len);
        break;
    case DOC_IMAGE:
        if (n->u.image.caption)
            strbuf_addstr(p->out, n->u.image.caption);
        else if (n->u.image.alt)
            strbuf_addstr(p->out, n->u.image.alt);
        break;
    case DOC_INLINE_IMAGE:
        if (n->u.image.alt)
            strbuf_addstr(p->out, n->u.image.alt);
        break;
    case DOC_EMBED:
        if (n->u.embed.title)
            strbuf_addstr(p->out, n->u.embed.title);
        break;
    case DOC_BREAK:
        strbuf_addch(p->out, '\n');
        break;
    case DOC_ROOT:
    case DOC_HEADING:
    case DOC_PARA:
    case DOC_LIST:
    case DOC_ITEM:
    case DOC_QUOTE:
    case DOC_TABLE:
    case DOC_ROW:
    case DOC_CELL:
    case DOC_RULE:
    case DOC_STRONG:
    case DOC_EM:
    case DOC_CODE_SPAN:
    case DOC_LINK:
    case DOC_SUB:
    case DOC_SUP:
    case DOC_KIND__COUNT:
        break;
    }
}

void doc_plain_text(const struct doc_node *root, struct strbuf *out)
{
    struct plain p = { out, out->len };
    const struct doc_node *n = root;

    while (n) {
        plain_enter(&p, n);
        n = doc__next(root, n, false, plain_leave, &p);
    }
}
