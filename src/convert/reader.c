/* convert/reader.c: reads the project's own XHTML (doc/xhtml.c documents the mapping) back into a
 * Doc tree with gumbo.
 *
 * The reader is the writer's inverse first: it keeps every character of inline text (no
 * whitespace collapsing), ignores whitespace between blocks, and knows the classes the writer
 * uses (image, remote, inline, image-missing, embed, language-*).  For HTML written by hand it
 * reads what a browser would show: unknown elements are transparent, stray inlines in a block
 * container are wrapped into a paragraph, b and i count as strong and em, and scripts, styles,
 * templates, the head and foreign content (SVG, MathML) are dropped.
 *
 * Depth is bounded twice: a cheap pre-scan of the tags refuses input nested deeper than
 * CONV_READ_MAX_DEPTH before gumbo sees it, and the walk over gumbo's tree uses an explicit,
 * bounded stack of frames, so neither our stack nor gumbo's quadratic cost can be driven by
 * hostile nesting.
 */
#include "convert/convert.h"
#include "convert/internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/banned.h"

/* gumbo's tree can be deeper than the tags we counted (it reconstructs formatting elements and
 * adds html and body), so the walk allows some slack before it gives up. */
#define READ_MAX_FRAMES (2 * CONV_READ_MAX_DEPTH + 16)

/* Longest tag name the pre-scan tells apart; longer names still count, under a truncated name. */
#define SCAN_NAME_MAX 15

/* --- the depth pre-scan --- */

/* An entry of the list of active formatting elements: the open element it was (its slot and
 * serial on the stack), its name and a hash of its attributes as written. */
struct scan_fmt {
    size_t slot, serial;
    uint64_t attrs;
    char name[SCAN_NAME_MAX + 1]; /* "" for a marker (a td, th, caption, object, ...) */
};

struct scan {
    char (*names)[SCAN_NAME_MAX + 1]; /* open elements, innermost last */
    size_t *serials;                  /* per open element: a number no other element had */
    bool *formatting;                 /* per open element: it is in fmt[] (maybe as a marker) */
    size_t depth;
    size_t foreign; /* depth of the open svg or math element, 0 = none: "/>" closes only there */
    size_t next_serial;
    /* The list of active formatting elements.  An HTML parser reopens those no longer open in
     * every new block before its first inline content, so each one adds a level of depth, and
     * re-creating them block after block is what makes gumbo quadratic: they count toward the
     * depth.  Markers are open elements, and closing one clears the entries after it. */
    struct scan_fmt *fmt;
    size_t nfmt, fmt_open; /* fmt_open: how many of them (markers included) are still open */
};

static bool name_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(name, *list))
            return true;
    return false;
}

static const char *const void_names[] = {
    "area",  "base", "basefont", "bgsound", "br",    "col",    "embed", "frame", "hr", "img",
    "input", "link", "keygen",   "meta",    "param", "source", "track", "wbr",   NULL,
};

/* Elements whose content is text up to their close tag, never markup. */
static const char *const raw_names[] = {
    "script", "style",   "textarea", "title",     "xmp",
    "iframe", "noembed", "noframes", "plaintext", NULL,
};

/* The default scope of the HTML tree builder: an implied end tag never crosses these. */
static const char *const scope_names[] = {
    "html",   "table",  "td",       "th",     "caption", "marquee",
    "object", "applet", "template", "button", NULL,
};

/* Start tags that close an open <p> (HTML's "close a p element"). */
static const char *const closes_p_names[] = {
    "address", "article", "aside",   "blockquote", "center",   "details",    "dialog", "dir",
    "div",     "dl",      "dd",      "dt",         "fieldset", "figcaption", "figure", "footer",
    "form",    "h1",      "h2",      "h3",         "h4",       "h5",         "h6",     "header",
    "hgroup",  "hr",      "li",      "listing",    "main",     "menu",       "nav",    "ol",
    "p",       "pre",     "section", "summary",    "table",    "ul",         "xmp",    NULL,
};

/* The formatting elements an HTML parser reconstructs ("a" is left out: a new <a> ends the old). */
static const char *const formatting_names[] = {
    "b", "big",   "code",   "em",     "font", "i", "nobr",
    "s", "small", "strike", "strong", "tt",   "u", NULL,
};

/* The elements that put a marker on the list of active formatting elements. */
static const char *const marker_names[] = {
    "applet", "caption", "marquee", "object", "td", "template", "th", NULL,
};

static const char *const p_names[] = { "p", NULL };
static const char *const li_names[] = { "li", NULL };
static const char *const list_names[] = { "ul", "ol", NULL };
static const char *const dt_names[] = { "dt", "dd", NULL };
static const char *const dl_names[] = { "dl", NULL };
static const char *const tr_names[] = { "tr", NULL };
static const char *const cell_names[] = { "td", "th", NULL };
static const char *const table_names[] = { "table", "tbody", "thead", "tfoot", NULL };
static const char *const row_names[] = { "tr", "table", NULL };
static const char *const option_names[] = { "option", NULL };
static const char *const select_names[] = { "select", NULL };

static const char *skip_past(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);

    for (; (size_t)(end - p) >= n; p++)
        if (!memcmp(p, needle, n))
            return p + n;
    return end;
}

/* Finds the close tag "</name" at or after p, case-insensitively; returns its '<' or end. */
static const char *find_close(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);

    for (; (size_t)(end - p) >= n + 2; p++)
        if (p[0] == '<' && p[1] == '/' && !strncasecmp(p + 2, name, n))
            return p;
    return end;
}

/* Skips the attributes of a start tag (quotes respected); returns the '>' or end and says
 * whether the tag ended with "/>". */
static const char *skip_tag(const char *p, const char *end, bool *self_closed)
{
    char quote = 0;

    *self_closed = false;
    for (; p < end; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '>') {
            *self_closed = p[-1] == '/';
            return p;
        }
    }
    return end;
}

static const char *read_name(const char *p, const char *end, char *name)
{
    size_t n = 0;

    while (p < end && (isalnum((unsigned char)*p) || *p == '-' || *p == ':' || *p == '_')) {
        if (n < SCAN_NAME_MAX)
            name[n++] = (char)tolower((unsigned char)*p);
        p++;
    }
    name[n] = '\0';
    return p;
}

/* Pops the open elements down to depth; formatting elements among them stay active, and a
 * marker takes the entries after it along. */
static void scan_pop_to(struct scan *s, size_t depth)
{
    for (; s->depth > depth; s->depth--) {
        size_t slot = s->depth - 1;

        if (!s->formatting[slot])
            continue;
        s->fmt_open--;
        if (!name_in(s->names[slot], marker_names))
            continue;
        /* Entries added after the marker were opened above it on the stack: none is open. */
        while (s->nfmt && s->fmt[s->nfmt - 1].serial != s->serials[slot])
            s->nfmt--;
        if (s->nfmt)
            s->nfmt--;
    }
}

/* Removes entry i from the active formatting elements. */
static void fmt_remove(struct scan *s, size_t i)
{
    const struct scan_fmt *f = &s->fmt[i];

    if (f->slot < s->depth && s->serials[f->slot] == f->serial) {
        s->formatting[f->slot] = false;
        s->fmt_open--;
    }
    memmove(&s->fmt[i], &s->fmt[i + 1], (s->nfmt - i - 1) * sizeof(*s->fmt));
    s->nfmt--;
}

/* A hash of the attributes of a start tag as written (FNV-1a), for the "Noah's Ark" rule. */
static uint64_t attrs_hash(const char *p, const char *end)
{
    uint64_t h = 14695981039346656037u;

    for (; p < end; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return h;
}

/* The depth an HTML parser may reach here: the open elements plus the active formatting
 * elements it would reopen. */
static size_t scan_depth(const struct scan *s)
{
    return s->depth + (s->nfmt - s->fmt_open);
}

/* Pops the innermost open element named in targets, and everything above it, unless an element
 * named in stop or in the default scope comes first. */
static void close_in_scope(struct scan *s, const char *const *targets, const char *const *stop)
{
    for (size_t i = s->depth; i > 0; i--) {
        const char *name = s->names[i - 1];

        if (name_in(name, targets)) {
            scan_pop_to(s, i - 1);
            return;
        }
        if (name_in(name, scope_names) || (stop && name_in(name, stop)))
            return;
    }
}

/* The end tags a start tag implies, roughly as the HTML tree builder implies them. */
static void scan_implied_ends(struct scan *s, const char *name)
{
    if (name_in(name, closes_p_names))
        close_in_scope(s, p_names, NULL);
    if (!strcmp(name, "li"))
        close_in_scope(s, li_names, list_names);
    else if (name_in(name, dt_names))
        close_in_scope(s, dt_names, dl_names);
    else if (!strcmp(name, "tr"))
        close_in_scope(s, tr_names, table_names);
    else if (name_in(name, cell_names))
        close_in_scope(s, cell_names, row_names);
    else if (!strcmp(name, "option"))
        close_in_scope(s, option_names, select_names);
}

static void scan_close(struct scan *s, const char *name)
{
    /* The adoption agency ends the latest active formatting element of that name after the last
     * marker, open or not. */
    if (name_in(name, formatting_names)) {
        for (size_t i = s->nfmt; i > 0 && s->fmt[i - 1].name[0]; i--) {
            if (!strcmp(s->fmt[i - 1].name, name)) {
                fmt_remove(s, i - 1);
                break;
            }
        }
    }
    for (size_t i = s->depth; i > 0; i--) {
        if (!strcmp(s->names[i - 1], name)) {
            scan_pop_to(s, i - 1);
            return;
        }
    }
}

/* Records the element just pushed as an active formatting element (name "" for a marker).  As in
 * HTML's "Noah's Ark" clause, a fourth one after the last marker with the same name and
 * attributes pushes out the earliest of the three. */
static void scan_add_formatting(struct scan *s, const char *name, uint64_t attrs)
{
    size_t same = 0, first = 0;
    struct scan_fmt *f;

    for (size_t i = s->nfmt; i > 0 && *name && s->fmt[i - 1].name[0]; i--) {
        if (s->fmt[i - 1].attrs == attrs && !strcmp(s->fmt[i - 1].name, name)) {
            same++;
            first = i - 1;
        }
    }
    if (same >= 3)
        fmt_remove(s, first);
    f = &s->fmt[s->nfmt++];
    f->slot = s->depth - 1;
    f->serial = s->serials[s->depth - 1];
    f->attrs = attrs;
    memcpy(f->name, name, strlen(name) + 1);
    s->formatting[s->depth - 1] = true;
    s->fmt_open++;
}

/* Counts how deep the elements of buf nest, approximately as an HTML parser would: void
 * elements, and self-closed ones in SVG and MathML, do not nest, raw text is not markup, the common
 * optional end tags (p, li, dt, dd, tr, td, th, option) are implied, a close tag pops to the
 * matching open element, and formatting elements left open when their block ended count as
 * reopened.  Fails as soon as the depth passes max. */
enum arc_err conv__scan_depth(const char *buf, size_t len, unsigned max, struct strbuf *why)
{
    struct scan s = { 0 };
    const char *p = buf, *end = buf + len;
    enum arc_err err = ARC_OK;
    char name[SCAN_NAME_MAX + 1];
    bool self_closed;
    const char *attrs;

    /* Every active formatting element counts toward the depth, so neither array outgrows max. */
    s.names = xmalloc(((size_t)max + 1) * sizeof(*s.names));
    s.serials = xmalloc(((size_t)max + 1) * sizeof(*s.serials));
    s.formatting = xmalloc(((size_t)max + 1) * sizeof(*s.formatting));
    s.fmt = xmalloc(((size_t)max + 1) * sizeof(*s.fmt));

    while ((p = memchr(p, '<', (size_t)(end - p)))) {
        p++;
        if (p < end && *p == '!') {
            p = end - p >= 3 && !memcmp(p, "!--", 3) ? skip_past(p + 3, end, "-->")
                                                     : skip_past(p, end, ">");
        } else if (p < end && *p == '?') {
            p = skip_past(p, end, ">");
        } else if (p < end && *p == '/') {
            p = read_name(p + 1, end, name);
            if (*name)
                scan_close(&s, name);
            if (s.foreign > s.depth)
                s.foreign = 0;
            p = skip_past(p, end, ">");
        } else if (p < end && isalpha((unsigned char)*p)) {
            p = read_name(p, end, name);
            attrs = p;
            p = skip_tag(p, end, &self_closed);
            scan_implied_ends(&s, name);
            if (s.foreign > s.depth)
                s.foreign = 0;
            /* An HTML parser reads <div/> as an open tag; only foreign content self-closes. */
            if ((self_closed && s.foreign) || name_in(name, void_names))
                continue;
            if (scan_depth(&s) >= max) {
                strbuf_setwhy(why, "elements nest deeper than %u", max);
                err = ARC_ETOODEEP;
                break;
            }
            memcpy(s.names[s.depth], name, sizeof(name));
            s.serials[s.depth] = ++s.next_serial;
            s.formatting[s.depth++] = false;
            if (!s.foreign && name_in(name, formatting_names))
                scan_add_formatting(&s, name, attrs_hash(attrs, p));
            else if (!s.foreign && name_in(name, marker_names))
                scan_add_formatting(&s, "", 0);
            if (!s.foreign && (!strcmp(name, "svg") || !strcmp(name, "math")))
                s.foreign = s.depth;
            if (name_in(name, raw_names))
                p = find_close(p, end, name);
        }
        if (p >= end)
            break;
    }
    free(s.names);
    free(s.serials);
    free(s.formatting);
    free(s.fmt);
    return err;
}

/* --- gumbo helpers --- */

static bool is_element(const GumboNode *g, GumboTag tag)
{
    return g->type == GUMBO_NODE_ELEMENT && g->v.element.tag == tag;
}

/* Finds the class token starting with prefix; returns what follows the prefix, and its length in
 * *len, or NULL. */
static const char *class_with_prefix(const GumboNode *g, const char *prefix, size_t *len)
{
    const char *p = conv__attr(g, "class");
    size_t plen = strlen(prefix);

    if (!p)
        return NULL;
    while (*p) {
        size_t n;

        while (*p && isspace((unsigned char)*p))
            p++;
        n = 0;
        while (p[n] && !isspace((unsigned char)p[n]))
            n++;
        if (n >= plen && !memcmp(p, prefix, plen)) {
            *len = n - plen;
            return p + plen;
        }
        p += n;
    }
    return NULL;
}

/* An integer attribute in [min, INT_MAX], or dflt when absent or not a plain number. */
static int int_attr(const GumboNode *g, const char *name, int min, int dflt)
{
    const char *s = conv__attr(g, name);
    char *end;
    long v;

    if (!s || !*s)
        return dflt;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > INT_MAX)
        return dflt;
    return (int)v;
}

static bool is_ws(const char *s)
{
    for (; *s; s++)
        if (!strchr(" \t\n\r\f", *s))
            return false;
    return true;
}

/* Does the string start with a URL scheme ("https:") or "//"?  A file name never does. */
static bool looks_like_url(const char *s)
{
    const char *p = s;

    if (s[0] == '/' && s[1] == '/')
        return true;
    if (!isalpha((unsigned char)*p))
        return false;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    return *p == ':';
}

/* Elements whose content never shows: dropped with everything in them. */
static bool is_dropped(const GumboNode *g)
{
    if (g->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
        return true; /* svg, math and what they hold */
    switch (g->v.element.tag) {
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_NOEMBED:
        return true;
    default:
        return false;
    }
}

/* Phrasing elements: in a block container they start (or continue) an implicit paragraph. */
static bool is_inline_tag(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_ABBR:
    case GUMBO_TAG_B:
    case GUMBO_TAG_BDI:
    case GUMBO_TAG_BDO:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_DATA:
    case GUMBO_TAG_DEL:
    case GUMBO_TAG_DFN:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_I:
    case GUMBO_TAG_INS:
    case GUMBO_TAG_KBD:
    case GUMBO_TAG_LABEL:
    case GUMBO_TAG_MARK:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SAMP:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_TIME:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
    case GUMBO_TAG_VAR:
    case GUMBO_TAG_WBR:
        return true;
    default:
        return false;
    }
}

/* --- the reader --- */

enum rctx {
    R_BLOCK,  /* container takes blocks; stray inlines go into an implicit paragraph */
    R_INLINE, /* container takes inlines */
    R_LIST,   /* container is a list: li only */
    R_TABLE,  /* container is a table: rows, through tbody and friends */
    R_ROW     /* container is a row: cells */
};

struct frame {
    const GumboVector *kids; /* the gumbo children being read */
    unsigned i;              /* the next one */
    struct doc_node *container;
    enum rctx ctx;
    struct doc_node *para; /* R_BLOCK: the implicit paragraph still open, or NULL */
};

struct reader {
    struct doc *doc;
    struct frame *stack;
    size_t n, alloc;
    struct strbuf tmp;
    struct strbuf *why;
};

static enum arc_err push(struct reader *r, const GumboNode *g, struct doc_node *container,
                         enum rctx ctx)
{
    struct frame *f;

    if (r->n == READ_MAX_FRAMES) {
        strbuf_setwhy(r->why, "elements nest deeper than %d", CONV_READ_MAX_DEPTH);
        return ARC_ETOODEEP;
    }
    r->stack = xgrow(r->stack, sizeof(*r->stack), r->n + 1, &r->alloc);
    f = &r->stack[r->n++];
    f->kids = conv__children(g);
    f->i = 0;
    f->container = container;
    f->ctx = ctx;
    f->para = NULL;
    return ARC_OK;
}

/* Appends the text of g's subtree (what textContent gives, <br> as a newline) to r->tmp. */
static void text_content(struct reader *r, const GumboNode *top)
{
    const GumboNode *g = top;

    while (g) {
        bool skip = false;

        if (conv__is_text(g))
            strbuf_addstr(&r->tmp, g->v.text.text);
        else if (is_element(g, GUMBO_TAG_BR))
            strbuf_addch(&r->tmp, '\n');
        else if (g->type == GUMBO_NODE_ELEMENT && g != top)
            skip = is_dropped(g);
        g = conv__next(top, g, skip);
    }
}

static const char *content_str(struct reader *r, const GumboNode *g)
{
    strbuf_reset(&r->tmp);
    text_content(r, g);
    return doc_strndup(r->doc, r->tmp.buf, r->tmp.len);
}

/* The first element with the tag in g's subtree, g excluded; NULL if none. */
static const GumboNode *find_tag(const GumboNode *top, GumboTag tag)
{
    const GumboNode *g = conv__next(top, top, false);

    for (; g; g = conv__next(top, g, false))
        if (is_element(g, tag))
            return g;
    return NULL;
}

static const char *alt_str(struct doc *doc, const char *alt)
{
    return alt && *alt ? doc_strdup(doc, alt) : NULL;
}

static void read_img(struct reader *r, struct doc_image *im, const GumboNode *img)
{
    const char *src = conv__attr(img, "src"), *data_src = conv__attr(img, "data-src");
    bool remote = conv__has_class(img, "remote") || (!data_src && src && looks_like_url(src));

    if (remote) {
        im->src = doc_strdup(r->doc, src);
    } else {
        im->file = doc_strdup(r->doc, src);
        im->src = doc_strdup(r->doc, data_src);
    }
    im->alt = alt_str(r->doc, conv__attr(img, "alt"));
    im->width = int_attr(img, "width", 1, 0);
    im->height = int_attr(img, "height", 1, 0);
}

/* A placeholder written for an image without a file (DOC_XHTML_NO_REMOTE). */
static void read_placeholder(struct reader *r, struct doc_node *container, const GumboNode *top,
                             bool block)
{
    struct doc_node *n = doc_append(r->doc, container, block ? DOC_IMAGE : DOC_INLINE_IMAGE);
    const GumboNode *g = top;

    while (g) {
        bool skip = false;

        if (g != top && g->type == GUMBO_NODE_ELEMENT) {
            skip = true;
            if (conv__has_class(g, "image-alt")) {
                n->u.image.alt = alt_str(r->doc, content_str(r, g));
            } else if (conv__has_class(g, "image-src")) {
                const char *href = is_element(g, GUMBO_TAG_A) ? conv__attr(g, "href") : NULL;
                n->u.image.src = href ? doc_strdup(r->doc, href) : content_str(r, g);
            } else if (block && conv__has_class(g, "image-caption")) {
                n->u.image.caption = content_str(r, g);
            } else {
                skip = false;
            }
        }
        g = conv__next(top, g, skip);
    }
}

static void read_figure(struct reader *r, struct doc_node *container, const GumboNode *fig,
                        const GumboNode *img)
{
    struct doc_node *n = doc_append(r->doc, container, DOC_IMAGE);
    const GumboNode *cap = find_tag(fig, GUMBO_TAG_FIGCAPTION);

    read_img(r, &n->u.image, img);
    if (cap)
        n->u.image.caption = content_str(r, cap);
}

static void read_code(struct reader *r, struct doc_node *container, const GumboNode *pre)
{
    struct doc_node *n = doc_append(r->doc, container, DOC_CODE);
    const GumboNode *g;
    const char *lang;
    size_t len;

    for (g = conv__next(pre, pre, false); g; g = conv__next(pre, g, false)) {
        if (is_element(g, GUMBO_TAG_CODE) && (lang = class_with_prefix(g, "language-", &len))) {
            n->u.code.lang = doc_strndup(r->doc, lang, len);
            break;
        }
    }
    strbuf_reset(&r->tmp);
    text_content(r, pre);
    doc_code_set_text(r->doc, n, r->tmp.buf, r->tmp.len);
}

static void read_embed(struct reader *r, struct doc_node *container, const GumboNode *top)
{
    struct doc_node *n = doc_append(r->doc, container, DOC_EMBED);
    const GumboNode *g = top, *a;

    n->u.embed.kind = doc_embed_kind_from_name(conv__attr(top, "data-kind"));
    while (g) {
        bool skip = false;

        if (g != top && g->type == GUMBO_NODE_ELEMENT) {
            skip = true;
            if (conv__has_class(g, "embed-title")) {
                n->u.embed.title = content_str(r, g);
            } else if (conv__has_class(g, "embed-desc")) {
                n->u.embed.desc = content_str(r, g);
            } else if (conv__has_class(g, "embed-link")) {
                a = find_tag(g, GUMBO_TAG_A);
                if (a && conv__attr(a, "href"))
                    n->u.embed.url = doc_strdup(r->doc, conv__attr(a, "href"));
                else
                    n->u.embed.url = content_str(r, g);
            } else {
                skip = false;
            }
        }
        g = conv__next(top, g, skip);
    }
}

static enum arc_err push_new(struct reader *r, const GumboNode *g, struct doc_node *parent,
                             enum doc_kind kind, enum rctx ctx)
{
    return push(r, g, doc_append(r->doc, parent, kind), ctx);
}

static bool in_link(const struct doc_node *n)
{
    for (; n; n = n->parent)
        if (n->kind == DOC_LINK)
            return true;
    return false;
}

/* An element in inline context, under container. */
static enum arc_err read_inline(struct reader *r, struct doc_node *container, const GumboNode *g)
{
    struct doc_node *n;

    switch (g->v.element.tag) {
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_B:
        return push_new(r, g, container, DOC_STRONG, R_INLINE);
    case GUMBO_TAG_EM:
    case GUMBO_TAG_I:
        return push_new(r, g, container, DOC_EM, R_INLINE);
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_KBD:
    case GUMBO_TAG_SAMP:
        return push_new(r, g, container, DOC_CODE_SPAN, R_INLINE);
    case GUMBO_TAG_SUB:
        return push_new(r, g, container, DOC_SUB, R_INLINE);
    case GUMBO_TAG_SUP:
        return push_new(r, g, container, DOC_SUP, R_INLINE);
    case GUMBO_TAG_A:
        /* A link in a link cannot be written back: HTML closes the outer one. */
        if (!doc_href_is_safe(conv__attr(g, "href")) || in_link(container))
            return push(r, g, container, R_INLINE);
        n = doc_append(r->doc, container, DOC_LINK);
        n->u.link.href = doc_strdup(r->doc, conv__attr(g, "href"));
        return push(r, g, n, R_INLINE);
    case GUMBO_TAG_BR:
        doc_append(r->doc, container, DOC_BREAK);
        return ARC_OK;
    case GUMBO_TAG_IMG:
        n = doc_append(r->doc, container, DOC_INLINE_IMAGE);
        read_img(r, &n->u.image, g);
        return ARC_OK;
    case GUMBO_TAG_SPAN:
        if (conv__has_class(g, "image-missing")) {
            read_placeholder(r, container, g, false);
            return ARC_OK;
        }
        return push(r, g, container, R_INLINE);
    default:
        return push(r, g, container, R_INLINE);
    }
}

static struct doc_node *implicit_para(struct reader *r, struct frame *f)
{
    if (!f->para)
        f->para = doc_append(r->doc, f->container, DOC_PARA);
    return f->para;
}

/* An element in block context, in the frame f (which a push may move: f is not used after). */
static enum arc_err read_block(struct reader *r, struct frame *f, const GumboNode *g)
{
    struct doc_node *container = f->container, *n;
    GumboTag tag = g->v.element.tag;
    const GumboNode *img;

    if (is_inline_tag(tag) || (tag == GUMBO_TAG_IMG && conv__has_class(g, "inline")))
        return read_inline(r, implicit_para(r, f), g);
    f->para = NULL;
    if (conv__heading_level(tag)) {
        n = doc_append(r->doc, container, DOC_HEADING);
        n->u.heading.level = conv__heading_level(tag);
        return push(r, g, n, R_INLINE);
    }
    switch (tag) {
    case GUMBO_TAG_P:
        if (conv__has_class(g, "image-missing")) {
            read_placeholder(r, container, g, true);
            return ARC_OK;
        }
        return push_new(r, g, container, DOC_PARA, R_INLINE);
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
        n = doc_append(r->doc, container, DOC_LIST);
        n->u.list.ordered = tag == GUMBO_TAG_OL;
        if (n->u.list.ordered)
            n->u.list.start = int_attr(g, "start", INT_MIN, 1);
        return push(r, g, n, R_LIST);
    case GUMBO_TAG_BLOCKQUOTE:
        return push_new(r, g, container, DOC_QUOTE, R_BLOCK);
    case GUMBO_TAG_PRE:
        read_code(r, container, g);
        return ARC_OK;
    case GUMBO_TAG_FIGURE:
        if (!(img = find_tag(g, GUMBO_TAG_IMG)))
            return push(r, g, container, R_BLOCK);
        read_figure(r, container, g, img);
        return ARC_OK;
    case GUMBO_TAG_TABLE:
        return push_new(r, g, container, DOC_TABLE, R_TABLE);
    case GUMBO_TAG_HR:
        doc_append(r->doc, container, DOC_RULE);
        return ARC_OK;
    case GUMBO_TAG_IMG:
        n = doc_append(r->doc, container, DOC_IMAGE);
        read_img(r, &n->u.image, g);
        return ARC_OK;
    case GUMBO_TAG_DIV:
        if (!conv__has_class(g, "embed") || !conv__attr(g, "data-kind"))
            return push(r, g, container, R_BLOCK);
        read_embed(r, container, g);
        return ARC_OK;
    default:
        return push(r, g, container, R_BLOCK);
    }
}

/* A list holds items; a list nested directly in a list goes into the last item, as browsers
 * show it. */
static enum arc_err read_list_child(struct reader *r, struct doc_node *list, const GumboNode *g)
{
    struct doc_node *item, *n;

    switch (g->v.element.tag) {
    case GUMBO_TAG_LI:
        return push_new(r, g, list, DOC_ITEM, R_BLOCK);
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
        item = list->last ? list->last : doc_append(r->doc, list, DOC_ITEM);
        n = doc_append(r->doc, item, DOC_LIST);
        n->u.list.ordered = g->v.element.tag == GUMBO_TAG_OL;
        if (n->u.list.ordered)
            n->u.list.start = int_attr(g, "start", INT_MIN, 1);
        return push(r, g, n, R_LIST);
    default:
        return push(r, g, list, R_LIST);
    }
}

static enum arc_err read_table_child(struct reader *r, struct frame *f, const GumboNode *g)
{
    struct doc_node *container = f->container, *n;
    GumboTag tag = g->v.element.tag;

    if (f->ctx == R_TABLE) {
        if (tag == GUMBO_TAG_TR)
            return push_new(r, g, container, DOC_ROW, R_ROW);
        if (tag == GUMBO_TAG_CAPTION || tag == GUMBO_TAG_COLGROUP || tag == GUMBO_TAG_COL)
            return ARC_OK;
        return push(r, g, container, R_TABLE);
    }
    if (tag != GUMBO_TAG_TD && tag != GUMBO_TAG_TH)
        return push(r, g, container, R_ROW);
    n = doc_append(r->doc, container, DOC_CELL);
    n->u.cell.header = tag == GUMBO_TAG_TH;
    n->u.cell.colspan = int_attr(g, "colspan", 1, 1);
    n->u.cell.rowspan = int_attr(g, "rowspan", 1, 1);
    return push(r, g, n, R_BLOCK);
}

static void read_text(struct reader *r, struct frame *f, const char *text)
{
    struct doc_node *parent = NULL;

    switch (f->ctx) {
    case R_INLINE:
        parent = f->container;
        break;
    case R_BLOCK:
        /* Whitespace between blocks is layout; once a stray paragraph is open, it is text. */
        if (f->para || !is_ws(text))
            parent = implicit_para(r, f);
        break;
    case R_LIST:
    case R_TABLE:
    case R_ROW:
        break; /* no place for text: gumbo moves a table's out of it anyway */
    }
    if (parent)
        doc_append_text(r->doc, parent, text, strlen(text));
}

static enum arc_err read_node(struct reader *r, struct frame *f, const GumboNode *g)
{
    if (conv__is_text(g)) {
        read_text(r, f, g->v.text.text);
        return ARC_OK;
    }
    if (g->type != GUMBO_NODE_ELEMENT || is_dropped(g))
        return ARC_OK; /* comments, templates, the document's doctype */
    switch (f->ctx) {
    case R_BLOCK:
        return read_block(r, f, g);
    case R_INLINE:
        return read_inline(r, f->container, g);
    case R_LIST:
        return read_list_child(r, f->container, g);
    case R_TABLE:
    case R_ROW:
        return read_table_child(r, f, g);
    }
    return ARC_OK;
}

static enum arc_err read_tree(struct reader *r, const GumboNode *document)
{
    enum arc_err err = push(r, document, r->doc->root, R_BLOCK);

    while (!err && r->n) {
        struct frame *f = &r->stack[r->n - 1];

        if (f->i == f->kids->length) {
            r->n--;
            continue;
        }
        err = read_node(r, f, f->kids->data[f->i++]);
    }
    return err;
}

GumboOptions conv__gumbo_options(void)
{
    GumboOptions opts = kGumboDefaultOptions;

    /* The default options copy the open-element stack into every parse error: quadratic. */
    opts.max_errors = 0;
    return opts;
}

enum arc_err conv_read_xhtml(const char *buf, size_t len, struct doc **out, struct strbuf *why)
{
    GumboOptions opts = conv__gumbo_options();
    struct reader r = { 0 };
    GumboOutput *g;
    enum arc_err err;

    *out = NULL;
    err = conv__scan_depth(buf, len, CONV_READ_MAX_DEPTH, why);
    if (err)
        return err;
    g = gumbo_parse_with_options(&opts, buf, len);
    if (!g) {
        strbuf_setwhy(why, "gumbo could not parse the document");
        return ARC_EPARSE;
    }
    r.doc = doc_new();
    r.why = why;
    strbuf_init(&r.tmp, 0);
    err = read_tree(&r, g->document);
    gumbo_destroy_output(&opts, g);
    strbuf_release(&r.tmp);
    free(r.stack);
    if (err) {
        doc_free(r.doc);
        return err;
    }
    *out = r.doc;
    return ARC_OK;
}
