/* convert/body.c: the whitelist mapping of article HTML (a gumbo tree) to the Doc tree.
 *
 * The mapping is the sanitizer: only what a Doc node can hold survives, so scripts, styles,
 * handlers, forms, foreign content and trackers are gone by construction.  What it does:
 *
 * - Paragraphs.  Inline content (text, inline elements, images) goes into a paragraph that is
 *   opened lazily when the first visible content arrives, and every block element (section, div,
 *   p, figure, ...) ends the open paragraph on entry and on exit.  So `<section>` soup is
 *   transparent yet never merges two paragraphs, inline runs directly in a block container become
 *   paragraphs of their own, and empty paragraphs never exist.  A paragraph left holding only
 *   <br> is dropped; trailing breaks are removed.
 * - Inline wrappers (strong, em, code, link, sub, sup) are created lazily too, inside the current
 *   paragraph, so a block inside a <strong> splits it the way a browser does.  A wrapper of a
 *   kind already open is transparent, which bounds the chain to one node per kind.
 * - Whitespace is collapsed as a browser renders it: runs of ASCII white space and U+00A0 become
 *   one space (NBSP is treated as a plain space, then collapsed), spaces at the start and end of
 *   a paragraph or around a break vanish, across element boundaries too; zero-width characters
 *   (U+200B-U+200D, U+2060, U+FEFF) are removed.  Code blocks are exempt.
 * - Images: data-src before src, data: URLs ignored, resolved against the base URL, recorded with
 *   conv__add_image().  An image is emitted inline first; a paragraph that ends up holding only
 *   content images (and spaces or breaks) is replaced by one DOC_IMAGE per image, which is how
 *   `<section><img></section>` and `<figure><span leaf><img></span></figure>` become block
 *   pictures.  Emoji (a class containing "emoji", or a width of at most EMOJI_MAX_WIDTH) stay
 *   inline, and fall back to their alt text without a URL.  Trackers (width or height 1, data-w 1)
 *   are dropped.  A figcaption captions the figure's last image.  CSS background images of
 *   content size become block images.
 * - Code blocks are rebuilt verbatim from the <pre> subtree: WeChat's one <code> per line are
 *   joined with "\n", <br> is "\n", NBSP is a space, highlight spans are flattened, the line-number
 *   list (ul.code-snippet__line-index) is dropped.  A single trailing "\n" is removed (a browser
 *   does not render it either), so code text never ends with the newline of an empty last line.
 * - Embeds (audio, video, channel, profile, mini-program, other iframes) become DOC_EMBED
 *   placeholders with a title (a default one when the page gives none) and a link when known.
 *   Formulas (span[data-formula]) become an inline image of their SVG with the formula as alt
 *   text when they hold an http(s) image, and a DOC_EMBED_FORMULA titled with the formula
 *   otherwise.
 *
 * One pass over the tree with an explicit stack of frames bounded by BODY_MAX_FRAMES; past it only
 * text is kept.  Small subtrees (pre, figcaption, mini-program links, formulas) are read once
 * more for their text, so no node is visited more than a constant number of times.
 */
#include "convert/internal.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/hash.h"
#include "util/url.h"
#include "util/banned.h"

/* gumbo's tree can be deeper than the source (html, body and reconstructed formatting elements),
 * so the walk allows slack over CONV_MAX_DEPTH before it keeps text only. */
#define BODY_MAX_FRAMES (2 * CONV_MAX_DEPTH + 16)

/* Images this wide or narrower (width attribute or data-w) are emoji-like: kept inline. */
#define EMOJI_MAX_WIDTH 32

/* A CSS background smaller than this (width or height in px) is a spacer, not a picture. */
#define BG_MIN_SIZE 33

/* Longest custom element name told apart (mp-common-videosnap is 19). */
#define TAG_NAME_MAX 31

/* --- image URLs --- */

/* The canonical form of an image URL, or NULL: absolute http(s), fragment dropped, query kept. */
static char *image_url(const char *url)
{
    if (!url || !url_is_http(url))
        return NULL;
    return url_normalize(url);
}

static void images_push(struct conv_body *b, char *url)
{
    b->images = xgrow(b->images, sizeof(*b->images), b->nimages + 1, &b->aimages);
    b->locals = xgrow(b->locals, sizeof(*b->locals), b->nimages + 1, &b->alocals);
    b->locals[b->nimages] = NULL;
    b->images[b->nimages++] = url;
}

const char *conv__add_image(struct conv_body *b, const char *url)
{
    char *u = image_url(url);

    if (!u)
        return NULL;
    /* Linear: page.c adds a handful; the walker below keeps a hash set for the body. */
    for (size_t i = 0; i < b->nimages; i++) {
        if (!strcmp(b->images[i], u)) {
            free(u);
            return b->images[i];
        }
    }
    images_push(b, u);
    return u;
}

void conv__body_release(struct conv_body *b)
{
    for (size_t i = 0; i < b->nimages; i++) {
        free(b->images[i]);
        if (b->locals)
            free(b->locals[i]);
    }
    free(b->images);
    free(b->locals);
    b->images = NULL;
    b->locals = NULL;
    b->nimages = b->aimages = b->alocals = 0;
}

/* An open-addressing set of indexes into b->images (slot = index + 1; 0 = empty). */
struct imgset {
    size_t *slots;
    size_t cap; /* a power of two, at least twice the entries */
};

static void imgset_insert(struct imgset *set, const struct conv_body *b, size_t idx)
{
    size_t i = (size_t)hash_fnv1a(b->images[idx]) & (set->cap - 1);

    while (set->slots[i])
        i = (i + 1) & (set->cap - 1);
    set->slots[i] = idx + 1;
}

static void imgset_rebuild(struct imgset *set, const struct conv_body *b, size_t cap)
{
    free(set->slots);
    set->cap = cap;
    set->slots = xcalloc(cap, sizeof(*set->slots));
    for (size_t i = 0; i < b->nimages; i++)
        imgset_insert(set, b, i);
}

/* conv__add_image() with the set: returns the stored copy or NULL, and its index in *idx. */
static const char *imgset_add(struct imgset *set, struct conv_body *b, const char *url, size_t *idx)
{
    char *u = image_url(url);
    size_t i;

    if (!u)
        return NULL;
    if (2 * (b->nimages + 1) > set->cap)
        imgset_rebuild(set, b, set->cap ? 2 * set->cap : 64);
    for (i = (size_t)hash_fnv1a(u) & (set->cap - 1); set->slots[i]; i = (i + 1) & (set->cap - 1)) {
        if (!strcmp(b->images[set->slots[i] - 1], u)) {
            free(u);
            *idx = set->slots[i] - 1;
            return b->images[set->slots[i] - 1];
        }
    }
    images_push(b, u);
    set->slots[i] = b->nimages;
    *idx = b->nimages - 1;
    return u;
}

/* --- gumbo helpers --- */

/* A non-empty attribute value, or NULL. */
static const char *attr_ne(const GumboNode *g, const char *name)
{
    const char *v = conv__attr(g, name);

    return v && *v ? v : NULL;
}

/* A leading integer of an attribute ("640", "32px"), or -1 when it has none. */
static long num_attr(const GumboNode *g, const char *name)
{
    const char *s = conv__attr(g, name);
    char *end;
    long v;

    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || v > INT_MAX)
        return -1;
    return v;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Does the class attribute hold a token starting with prefix (or containing it, when anywhere)? */
static bool class_match(const GumboNode *g, const char *prefix, bool anywhere)
{
    const char *p = conv__attr(g, "class");
    size_t plen = strlen(prefix);

    if (!p)
        return false;
    while (*p) {
        size_t n = 0;

        while (*p && is_space((unsigned char)*p))
            p++;
        while (p[n] && !is_space((unsigned char)p[n]))
            n++;
        if (n >= plen) {
            if (!memcmp(p, prefix, plen))
                return true;
            for (size_t i = 1; anywhere && i + plen <= n; i++)
                if (!memcmp(p + i, prefix, plen))
                    return true;
        }
        p += n;
    }
    return false;
}

/* The lowercase name of an element gumbo does not know (mpvoice, mp-common-profile, o:p), or "".
 */
static void custom_name(const GumboNode *g, char *buf)
{
    GumboStringPiece piece = g->v.element.original_tag;
    size_t n = 0;

    buf[0] = '\0';
    if (g->v.element.tag != GUMBO_TAG_UNKNOWN || !piece.data)
        return;
    gumbo_tag_from_original_text(&piece);
    if (piece.length > TAG_NAME_MAX)
        return;
    for (; n < piece.length; n++) {
        char c = piece.data[n];

        buf[n] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    buf[n] = '\0';
}

static bool starts_with_ci(const char *s, const char *prefix)
{
    return !strncasecmp(s, prefix, strlen(prefix));
}

/* --- inline styles --- */

struct style_info {
    bool hidden;       /* display: none */
    bool bold;         /* font-weight: bold or >= 600 */
    const char *bg;    /* start of a background url(...) argument, or NULL */
    size_t bglen;      /* its length */
    int width, height; /* px values when given, else 0 */
};

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && is_space((unsigned char)*p))
        p++;
    return p;
}

static int px_value(const char *v, const char *end)
{
    long n = 0;

    if (v >= end || *v < '0' || *v > '9')
        return 0;
    while (v < end && *v >= '0' && *v <= '9' && n < 100000)
        n = n * 10 + (*v++ - '0');
    return end - v >= 2 && !strncasecmp(v, "px", 2) ? (int)n : 0;
}

/* Finds url(...) in a declaration's value: the URL without quotes (gumbo already turned &quot;
 * into a quote). */
static void style_url(struct style_info *si, const char *v, const char *end)
{
    char q = 0;
    const char *u;

    for (; end - v >= 4; v++)
        if (!strncasecmp(v, "url(", 4))
            break;
    if (end - v < 4)
        return;
    v = skip_ws(v + 4, end);
    if (v < end && (*v == '"' || *v == '\''))
        q = *v++;
    for (u = v; u < end && (q ? *u != q : *u != ')'); u++)
        ;
    while (!q && u > v && is_space((unsigned char)u[-1]))
        u--;
    si->bg = v;
    si->bglen = (size_t)(u - v);
}

static void scan_style(const char *s, struct style_info *si)
{
    const char *p = s, *end = s + strlen(s);

    memset(si, 0, sizeof(*si));
    while (p < end) {
        const char *name, *v, *vend;
        size_t nlen;
        char q = 0;
        int paren = 0;

        p = skip_ws(p, end);
        name = p;
        while (p < end && *p != ':' && *p != ';')
            p++;
        nlen = (size_t)(p - name);
        while (nlen && is_space((unsigned char)name[nlen - 1]))
            nlen--;
        if (p >= end || *p == ';') {
            p++;
            continue;
        }
        v = skip_ws(p + 1, end);
        for (vend = v; vend < end; vend++) {
            if (q) {
                if (*vend == q)
                    q = 0;
            } else if (*vend == '"' || *vend == '\'') {
                q = *vend;
            } else if (*vend == '(') {
                paren++;
            } else if (*vend == ')') {
                paren--;
            } else if (*vend == ';' && paren <= 0) {
                break;
            }
        }
        p = vend + 1;
        if (nlen == 7 && !strncasecmp(name, "display", 7)) {
            si->hidden = vend - v >= 4 && !strncasecmp(v, "none", 4);
        } else if (nlen == 11 && !strncasecmp(name, "font-weight", 11)) {
            si->bold = (vend - v >= 4 && !strncasecmp(v, "bold", 4)) ||
                       (vend - v >= 3 && v[0] >= '6' && v[0] <= '9' && v[1] == '0' && v[2] == '0');
        } else if ((nlen == 16 && !strncasecmp(name, "background-image", 16)) ||
                   (nlen == 10 && !strncasecmp(name, "background", 10))) {
            style_url(si, v, vend);
        } else if (nlen == 5 && !strncasecmp(name, "width", 5)) {
            si->width = px_value(v, vend);
        } else if (nlen == 6 && !strncasecmp(name, "height", 6)) {
            si->height = px_value(v, vend);
        }
    }
}

/* --- the walker --- */

enum ctx {
    X_BLOCK, /* blocks and inlines; inline content goes into the open paragraph */
    X_LIST,  /* a list: li (and nested lists) only */
    X_TABLE, /* a table: rows, through tbody and friends */
    X_ROW    /* a row: cells */
};

enum frame_flags {
    F_BREAKS = 1 << 0,  /* a block element: ends the paragraph when left */
    F_HEADING = 1 << 1, /* a heading: it is the paragraph */
    F_FIGURE = 1 << 2   /* a figure: its figcaption captions its image */
};

struct frame {
    const GumboVector *kids;
    unsigned i;
    enum ctx ctx;
    unsigned flags;
    struct doc_node *container; /* X_BLOCK: takes blocks; else the list, table or row */
    struct doc_node *prune;     /* unlinked when left empty, or NULL */
    /* The inline wrapper: */
    enum doc_kind wrap;     /* DOC_STRONG ... or DOC_ROOT for none */
    const char *href;       /* DOC_LINK */
    unsigned wmask;         /* wrapper kinds open here, this one included (1 << kind) */
    int wtop;               /* nearest frame at or below with a wrapper; -1 none */
    int wprev;              /* for a wrapper frame: the nearest one below it */
    struct doc_node *wnode; /* the wrapper's node in paragraph number wgen */
    unsigned long wgen;
    /* Figures: */
    int fig_prev;              /* the enclosing figure frame, restored on leaving */
    struct doc_node *fig_mark; /* container->last when the figure started */
};

struct walker {
    struct conv_body *b;
    struct doc *doc;
    struct frame *stack;
    size_t n, alloc;
    struct imgset set;
    struct strbuf tmp;
    int fig; /* the innermost figure frame, -1 none */
    /* The open paragraph (or heading), lazily created: */
    struct doc_node *para;
    unsigned long para_gen;
    bool line_start;             /* nothing visible since the paragraph start or a break */
    bool pending;                /* a collapsed space waits for the next content */
    struct doc_node *pending_at; /* where it goes */
    bool pending_seg;            /* it holds a newline (and no NBSP): CJK neighbours drop it */
    bool last_cjk;               /* the last character written is East Asian wide */
    unsigned para_imgs;          /* content images in the paragraph */
    bool para_emoji;             /* an emoji image in the paragraph */
};

static struct frame *top(struct walker *w)
{
    return &w->stack[w->n - 1];
}

/* The block container of the innermost frame: only X_BLOCK frames read elements as blocks. */
static struct doc_node *container(struct walker *w)
{
    return top(w)->container;
}

/* Is everything in p an image, a break or a collapsed space? */
static bool only_images(const struct doc_node *p)
{
    const struct doc_node *c;

    doc_for_each_child(c, p) {
        if (c->kind == DOC_INLINE_IMAGE || c->kind == DOC_BREAK)
            continue;
        if (c->kind == DOC_TEXT && c->u.text.len == 1 && c->u.text.s[0] == ' ')
            continue;
        return false;
    }
    return true;
}

/* Replaces a paragraph of images by block images. */
static void promote_images(struct walker *w, struct doc_node *p)
{
    struct doc_node *parent = p->parent, *c, *n;

    doc_unlink(p);
    doc_for_each_child(c, p) {
        if (c->kind != DOC_INLINE_IMAGE)
            continue;
        n = doc_append(w->doc, parent, DOC_IMAGE);
        n->u.image = c->u.image;
    }
}

static void para_end(struct walker *w)
{
    struct doc_node *p = w->para;

    if (!p)
        return;
    w->para = NULL;
    w->pending = false;
    while (p->last && p->last->kind == DOC_BREAK)
        doc_unlink(p->last);
    if (!p->first) {
        doc_unlink(p);
        return;
    }
    if (p->kind == DOC_PARA && w->para_imgs && !w->para_emoji && only_images(p))
        promote_images(w, p);
}

static void para_start(struct walker *w, struct doc_node *p)
{
    w->para = p;
    w->para_gen++;
    w->line_start = true;
    w->pending = false;
    w->para_imgs = 0;
    w->para_emoji = false;
}

/* The node inline content goes into, creating the paragraph and the open wrappers as needed. */
static struct doc_node *materialize(struct walker *w, int k)
{
    struct frame *f;
    struct doc_node *parent;

    if (k < 0)
        return w->para;
    f = &w->stack[k];
    if (f->wnode && f->wgen == w->para_gen)
        return f->wnode;
    parent = materialize(w, f->wprev);
    f = &w->stack[k];
    f->wnode = doc_append(w->doc, parent, f->wrap);
    if (f->wrap == DOC_LINK)
        f->wnode->u.link.href = f->href;
    f->wgen = w->para_gen;
    return f->wnode;
}

/* The innermost node that already exists for the current paragraph: where a space would go. */
static struct doc_node *existing_out(struct walker *w)
{
    int k = top(w)->wtop;

    while (k >= 0 && !(w->stack[k].wnode && w->stack[k].wgen == w->para_gen))
        k = w->stack[k].wprev;
    return k >= 0 ? w->stack[k].wnode : w->para;
}

/* Call before appending visible inline content: opens the paragraph, writes a pending space and
 * returns the node to append to. */
static struct doc_node *begin_content(struct walker *w, bool next_cjk)
{
    if (!w->para)
        para_start(w, doc_append(w->doc, container(w), DOC_PARA));
    /* CSS Text 3: a segment break between two East Asian wide characters is removed. */
    if (w->pending && !w->line_start && !(w->pending_seg && w->last_cjk && next_cjk))
        doc_append_text(w->doc, w->pending_at, " ", 1);
    w->pending = false;
    w->line_start = false;
    return materialize(w, top(w)->wtop);
}

static void note_space(struct walker *w, bool seg)
{
    if (!w->para || w->line_start)
        return;
    if (w->pending) {
        w->pending_seg = w->pending_seg && seg;
        return;
    }
    w->pending = true;
    w->pending_seg = seg;
    w->pending_at = existing_out(w);
}

/* Is the character at s East Asian wide (CJK, kana, fullwidth forms), Hangul excepted? */
static bool cjk_at(const unsigned char *s, size_t left)
{
    unsigned cp;

    if (left >= 3 && (s[0] & 0xF0) == 0xE0) {
        cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        if (cp >= 0x3130 && cp <= 0x318F)
            return false; /* Hangul compatibility jamo */
        return (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
               (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
               (cp >= 0xFFE0 && cp <= 0xFFE6);
    }
    if (left >= 4 && (s[0] & 0xF8) == 0xF0) {
        cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12);
        return cp >= 0x20000 && cp <= 0x3FFFF;
    }
    return false;
}

/* The same for the last character of the run [start, end). */
static bool cjk_before(const unsigned char *start, const unsigned char *end)
{
    const unsigned char *p = end;

    while (p > start && (p[-1] & 0xC0) == 0x80 && end - p < 3)
        p--;
    return p > start && cjk_at(p - 1, (size_t)(end - p + 1));
}

/* Length of a character to drop at s (zero-width), 0 when none. */
static size_t zero_width(const unsigned char *s, size_t left)
{
    if (left >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0x8B && s[2] <= 0x8D)
        return 3;
    if (left >= 3 && s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0xA0)
        return 3;
    if (left >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 3;
    return 0;
}

/* Appends text with white space collapsed. */
static void emit_text(struct walker *w, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    struct doc_node *out = NULL;
    bool space = false, seg = true, prev_cjk = false;
    size_t i = 0, z;

    strbuf_reset(&w->tmp);
    while (i < len) {
        size_t j = i;
        bool next_cjk;

        if (is_space(s[i])) {
            if (!space)
                seg = false;
            seg = seg || s[i] == '\n';
            space = true;
            i++;
            continue;
        }
        if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0xA0) {
            space = true;
            seg = false;
            i += 2;
            continue;
        }
        if ((z = zero_width(s + i, len - i))) {
            i += z;
            continue;
        }
        /* A word: up to the next byte that may start white space or a zero-width character. */
        while (j < len && !is_space(s[j]) && s[j] != 0xC2 && s[j] != 0xE2 && s[j] != 0xEF)
            j++;
        if (j == i)
            j++; /* a 0xC2, 0xE2 or 0xEF that starts an ordinary character */
        next_cjk = cjk_at(s + i, len - i);
        if (!out) {
            if (space)
                note_space(w, seg);
            out = begin_content(w, next_cjk);
        } else if (space && !(seg && prev_cjk && next_cjk)) {
            strbuf_addch(&w->tmp, ' ');
        }
        space = false;
        seg = true;
        strbuf_add(&w->tmp, s + i, j - i);
        prev_cjk = cjk_before(s + i, s + j);
        i = j;
    }
    if (out) {
        doc_append_text(w->doc, out, w->tmp.buf, w->tmp.len);
        w->last_cjk = prev_cjk;
    }
    if (space)
        note_space(w, seg);
}

static void emit_break(struct walker *w)
{
    if (!w->para)
        return; /* a break before any content shows nothing worth keeping */
    doc_append(w->doc, materialize(w, top(w)->wtop), DOC_BREAK);
    w->pending = false;
    w->line_start = true;
}

/* Starts a block: ends the paragraph and returns the container. */
static struct doc_node *block(struct walker *w)
{
    para_end(w);
    return container(w);
}

static const char *default_title(enum doc_embed_kind kind)
{
    switch (kind) {
    case DOC_EMBED_VIDEO:
        return "视频";
    case DOC_EMBED_AUDIO:
        return "音频";
    case DOC_EMBED_CHANNEL:
        return "视频号";
    case DOC_EMBED_PROFILE:
        return "公众号";
    case DOC_EMBED_MINIPROGRAM:
        return "小程序";
    case DOC_EMBED_FORMULA:
        return "公式";
    case DOC_EMBED_OTHER:
    case DOC_EMBED__COUNT:
        break;
    }
    return "嵌入内容";
}

/* Resolves an http(s) reference against the base; NULL for anything else.  Free it. */
static char *resolve(struct walker *w, const char *ref)
{
    if (!ref || !*ref)
        return NULL;
    if (w->b->base_url)
        return url_resolve(w->b->base_url, ref);
    return url_is_http(ref) ? xstrdup(ref) : NULL;
}

/* Collapses white space in s into w->tmp and returns it in the doc, or NULL when empty. */
static const char *doc_clean(struct walker *w, const char *s)
{
    bool space = false;

    if (!s)
        return NULL;
    strbuf_reset(&w->tmp);
    for (; *s; s++) {
        if (is_space((unsigned char)*s)) {
            space = true;
            continue;
        }
        if (space && w->tmp.len)
            strbuf_addch(&w->tmp, ' ');
        space = false;
        strbuf_addch(&w->tmp, *s);
    }
    return w->tmp.len ? doc_strndup(w->doc, w->tmp.buf, w->tmp.len) : NULL;
}

static void emit_embed(struct walker *w, enum doc_embed_kind kind, const char *title,
                       const char *desc, const char *url)
{
    struct doc_node *n = doc_append(w->doc, block(w), DOC_EMBED);
    char *u = resolve(w, url);

    n->u.embed.kind = kind;
    n->u.embed.title = doc_clean(w, title);
    if (!n->u.embed.title)
        n->u.embed.title = doc_strdup(w->doc, default_title(kind));
    n->u.embed.desc = doc_clean(w, desc);
    n->u.embed.url = doc_strdup(w->doc, u);
    free(u);
}

/* Is the element dropped with its whole subtree wherever it appears? */
static bool is_inert(const GumboNode *g)
{
    if (g->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
        return true;
    switch (g->v.element.tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_SELECT:
        return true;
    default:
        return false;
    }
}

/* The collapsed text of a subtree (scripts and foreign content skipped), copied into the doc;
 * NULL when empty. */
static const char *gather_text(struct walker *w, const GumboNode *root)
{
    const GumboNode *g = conv__next(root, root, false);
    bool space = false;

    strbuf_reset(&w->tmp);
    while (g) {
        const unsigned char *s;
        size_t z;

        if (g->type == GUMBO_NODE_ELEMENT && is_inert(g)) {
            g = conv__next(root, g, true);
            continue;
        }
        if (conv__is_text(g)) {
            for (s = (const unsigned char *)g->v.text.text; *s; s++) {
                if (is_space(*s) || (s[0] == 0xC2 && s[1] == 0xA0)) {
                    s += *s == 0xC2;
                    space = true;
                    continue;
                }
                if ((z = zero_width(s, 3))) { /* NUL-terminated: the tests stop there */
                    s += z - 1;
                    continue;
                }
                if (space && w->tmp.len)
                    strbuf_addch(&w->tmp, ' ');
                space = false;
                strbuf_addch(&w->tmp, (char)*s);
            }
        }
        g = conv__next(root, g, false);
    }
    return w->tmp.len ? doc_strndup(w->doc, w->tmp.buf, w->tmp.len) : NULL;
}

/* --- code blocks --- */

/* A language name from data-lang or a language-x / lang-x class; NULL when none or odd. */
static const char *code_lang(struct walker *w, const GumboNode *g)
{
    const char *v = attr_ne(g, "data-lang"), *cls = conv__attr(g, "class"), *p;
    size_t n = 0;

    if (!v && cls) {
        for (p = cls; *p; p++) {
            if ((p == cls || is_space((unsigned char)p[-1])) &&
                (starts_with_ci(p, "language-") || starts_with_ci(p, "lang-"))) {
                v = p + (p[4] == '-' ? 5 : 9);
                break;
            }
        }
    }
    if (!v)
        return NULL;
    while (v[n] && !is_space((unsigned char)v[n]) && n < 32) {
        char c = v[n];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '+' || c == '#' || c == '_' || c == '.'))
            return NULL;
        n++;
    }
    return n ? doc_strndup(w->doc, v, n) : NULL;
}

/* Appends code text: verbatim, but NBSP is a space and zero-width characters go. */
static void code_add(struct strbuf *sb, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t z;

    while (*s) {
        const unsigned char *run = s;

        while (*s && *s != 0xC2 && *s != 0xE2 && *s != 0xEF)
            s++;
        strbuf_add(sb, run, (size_t)(s - run));
        if (!*s)
            break;
        if (s[0] == 0xC2 && s[1] == 0xA0) {
            strbuf_addch(sb, ' ');
            s += 2;
        } else if ((z = zero_width(s, 3))) {
            s += z;
        } else {
            strbuf_addch(sb, (char)*s++);
        }
    }
}

/* Rebuilds a <pre> as one DOC_CODE.  WeChat's snippets put one <code> per line directly in the
 * <pre>: those are joined with "\n", and the white space between them is layout. */
static void read_code(struct walker *w, const GumboNode *pre)
{
    const GumboVector *kids = &pre->v.element.children;
    const GumboNode *g, *first_code = NULL;
    const char *lang = code_lang(w, pre);
    unsigned ncode = 0;
    bool started = false;
    struct doc_node *n;

    for (unsigned i = 0; i < kids->length; i++) {
        g = kids->data[i];
        if (g->type == GUMBO_NODE_ELEMENT && g->v.element.tag == GUMBO_TAG_CODE) {
            first_code = first_code ? first_code : g;
            ncode++;
        }
    }
    if (!lang && first_code)
        lang = code_lang(w, first_code);
    strbuf_reset(&w->tmp);
    for (g = conv__next(pre, pre, false); g;) {
        if (g->type == GUMBO_NODE_ELEMENT) {
            GumboTag t = g->v.element.tag;

            if (is_inert(g) || class_match(g, "code-snippet__line-index", false)) {
                g = conv__next(pre, g, true);
                continue;
            }
            /* A per-line <code> holds a <br> only to keep an empty line open. */
            if (t == GUMBO_TAG_BR && ncode <= 1)
                strbuf_addch(&w->tmp, '\n');
            if (t == GUMBO_TAG_CODE && g->parent == pre && ncode > 1) {
                if (started)
                    strbuf_addch(&w->tmp, '\n');
                started = true;
            }
        } else if (conv__is_text(g)) {
            /* Between per-line <code> elements, white space is the page's layout. */
            if (!(g->parent == pre && ncode > 1 && g->type == GUMBO_NODE_WHITESPACE))
                code_add(&w->tmp, g->v.text.text);
        }
        g = conv__next(pre, g, false);
    }
    if (w->tmp.len && w->tmp.buf[w->tmp.len - 1] == '\n')
        strbuf_setlen(&w->tmp, w->tmp.len - 1);
    if (!w->tmp.len)
        return;
    n = doc_append(w->doc, block(w), DOC_CODE);
    n->u.code.lang = lang;
    doc_code_set_text(w->doc, n, w->tmp.buf, w->tmp.len);
}

/* --- images --- */

static bool is_data_url(const char *s)
{
    while (is_space((unsigned char)*s))
        s++;
    return starts_with_ci(s, "data:");
}

static void emit_inline_image(struct walker *w, const char *src, const char *alt, int width,
                              int height, bool emoji)
{
    struct doc_node *n = doc_append(w->doc, begin_content(w, false), DOC_INLINE_IMAGE);

    n->u.image.src = doc_strdup(w->doc, src);
    n->u.image.alt = alt && *alt ? doc_strdup(w->doc, alt) : NULL;
    n->u.image.width = width;
    n->u.image.height = height;
    w->last_cjk = false;
    if (emoji)
        w->para_emoji = true;
    else
        w->para_imgs++;
}

/* Records the image URL; returns the stored copy or NULL, and its index in *idx. */
static const char *add_image_at(struct walker *w, const char *ref, size_t *idx)
{
    char *u = resolve(w, ref);
    const char *stored = u ? imgset_add(&w->set, w->b, u, idx) : NULL;

    free(u);
    return stored;
}

static const char *add_image(struct walker *w, const char *ref)
{
    size_t idx;

    return add_image_at(w, ref, &idx);
}

/* A relative-path reference (no scheme, not "/..." nor "//host"): what a browser's "save page
 * complete" writes in src for the copy it keeps beside the page ("page_files/1.jpg"). */
static bool is_relative_path(const char *s)
{
    size_t n = strcspn(s, ":/?#");

    if (!*s || *s == '/' || is_data_url(s))
        return false;
    return s[n] != ':';
}

/* Remembers an <img>'s relative src next to its image URL; the first one found wins. */
static void note_local(struct walker *w, size_t idx, const char *src)
{
    if (src && is_relative_path(src) && !w->b->locals[idx])
        w->b->locals[idx] = xstrdup(src);
}

static void read_img(struct walker *w, const GumboNode *g)
{
    const char *src = attr_ne(g, "data-src"), *alt = conv__attr(g, "alt"), *stored, *ratio;
    long width = num_attr(g, "width"), height = num_attr(g, "height");
    long dw = num_attr(g, "data-w");
    size_t idx;
    bool emoji;

    if (!src || is_data_url(src))
        src = attr_ne(g, "src");
    if (src && is_data_url(src))
        src = NULL;
    if (width == 1 || height == 1 || dw == 1)
        return; /* a tracking pixel */
    emoji = class_match(g, "emoji", true) || (width > 0 && width <= EMOJI_MAX_WIDTH) ||
            (dw > 0 && dw <= EMOJI_MAX_WIDTH);
    stored = src ? add_image_at(w, src, &idx) : NULL;
    if (!stored) {
        if (alt && *alt)
            emit_text(w, alt, strlen(alt));
        return;
    }
    note_local(w, idx, attr_ne(g, "src"));
    if (dw > 0) {
        width = dw;
        height = -1;
        if ((ratio = attr_ne(g, "data-ratio"))) {
            double r = strtod(ratio, NULL);

            if (r > 0 && r < 1000)
                height = (long)((double)dw * r + 0.5);
        }
    }
    emit_inline_image(w, stored, alt, width > 0 ? (int)width : 0,
                      height > 0 && height <= INT_MAX ? (int)height : 0, emoji);
}

/* A CSS background picture of content size becomes a block image. */
static void read_background(struct walker *w, const struct style_info *si)
{
    struct doc_node *n;
    const char *stored;
    char *ref, *host;
    bool mmbiz;

    if (!si->bg || !si->bglen)
        return;
    ref = xstrndup(si->bg, si->bglen);
    if (is_data_url(ref)) {
        free(ref);
        return;
    }
    host = NULL;
    {
        char *abs = resolve(w, ref);

        host = abs ? url_host(abs) : NULL;
        free(abs);
    }
    mmbiz = host && (strstr(host, "qpic.cn") || strstr(host, "mmbiz"));
    free(host);
    if (!mmbiz &&
        ((si->width && si->width < BG_MIN_SIZE) || (si->height && si->height < BG_MIN_SIZE))) {
        free(ref);
        return;
    }
    stored = add_image(w, ref);
    free(ref);
    if (!stored)
        return;
    n = doc_append(w->doc, block(w), DOC_IMAGE);
    n->u.image.src = doc_strdup(w->doc, stored);
    n->u.image.width = si->width;
    n->u.image.height = si->height;
}

/* A formula: its SVG as an inline image with the TeX as alt text, or a formula embed. */
static void read_formula(struct walker *w, const GumboNode *root, const char *tex)
{
    const GumboNode *g = root;
    const char *stored = NULL;

    while (!stored && (g = conv__next(root, g, false))) {
        GumboTag t;
        const char *src;

        if (g->type != GUMBO_NODE_ELEMENT)
            continue;
        t = g->v.element.tag;
        if (t != GUMBO_TAG_EMBED && t != GUMBO_TAG_IMG && t != GUMBO_TAG_OBJECT)
            continue;
        src = attr_ne(g, "data-src");
        if (!src)
            src = attr_ne(g, t == GUMBO_TAG_OBJECT ? "data" : "src");
        if (src && !is_data_url(src))
            stored = add_image(w, src);
    }
    if (stored) {
        emit_inline_image(w, stored, tex, 0, 0, true);
        return;
    }
    emit_embed(w, DOC_EMBED_FORMULA, tex, NULL, NULL);
}

/* --- embeds --- */

/* The voice player's page for a file id (the page gives no other link). */
static void read_audio(struct walker *w, const GumboNode *g)
{
    const char *title = attr_ne(g, "name"), *desc = attr_ne(g, "author"), *id, *src;
    char *url = NULL;

    if (!title)
        title = attr_ne(g, "title");
    if (!title)
        title = attr_ne(g, "music_name");
    if (!desc)
        desc = attr_ne(g, "singer");
    src = attr_ne(g, "src");
    if ((!src || !url_is_http(src)) && (id = attr_ne(g, "voice_encode_fileid")))
        url = xasprintf("https://res.wx.qq.com/voice/getvoice?mediaid=%s", id);
    emit_embed(w, DOC_EMBED_AUDIO, title, desc, url ? url : src);
    free(url);
}

static void read_profile(struct walker *w, const GumboNode *g)
{
    const char *id = attr_ne(g, "data-id");
    char *url = NULL;

    if (id)
        url = xasprintf("https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=%s", id);
    emit_embed(w, DOC_EMBED_PROFILE, attr_ne(g, "data-nickname"), attr_ne(g, "data-signature"),
               url);
    free(url);
}

static void read_miniprogram(struct walker *w, const GumboNode *g)
{
    const char *title = gather_text(w, g);

    if (!title)
        title = attr_ne(g, "data-miniprogram-title");
    emit_embed(w, DOC_EMBED_MINIPROGRAM, title, attr_ne(g, "data-miniprogram-nickname"), NULL);
}

static void read_iframe(struct walker *w, const GumboNode *g)
{
    const char *src = attr_ne(g, "data-src");
    bool video = class_match(g, "video_iframe", false) || conv__attr(g, "data-mpvid");

    if (!src || is_data_url(src))
        src = attr_ne(g, "src");
    if (!video) {
        char *u = resolve(w, src);

        if (u)
            emit_embed(w, DOC_EMBED_OTHER, attr_ne(g, "title"), NULL, u);
        free(u);
        return;
    }
    emit_embed(w, DOC_EMBED_VIDEO, attr_ne(g, "data-title"), NULL, src);
}

/* Custom elements and attributes that stand for an embed; true when g was handled. */
static bool read_special(struct walker *w, const GumboNode *g, const char *name)
{
    const char *v;

    if (conv__attr(g, "data-miniprogram-appid")) {
        read_miniprogram(w, g);
        return true;
    }
    if ((v = attr_ne(g, "data-formula"))) {
        read_formula(w, g, v);
        return true;
    }
    if (!*name)
        return false;
    if (!strcmp(name, "mpvoice") || !strcmp(name, "mp-common-mpaudio") ||
        !strcmp(name, "qqmusic")) {
        read_audio(w, g);
    } else if (!strcmp(name, "mpvideo") || !strcmp(name, "mp-common-video")) {
        emit_embed(w, DOC_EMBED_VIDEO, attr_ne(g, "data-title"), attr_ne(g, "data-desc"),
                   attr_ne(g, "data-src"));
    } else if (!strcmp(name, "mp-common-videosnap")) {
        emit_embed(w, DOC_EMBED_CHANNEL, attr_ne(g, "data-nickname"), attr_ne(g, "data-desc"),
                   attr_ne(g, "data-url"));
    } else if (!strcmp(name, "mp-common-profile")) {
        read_profile(w, g);
    } else if (!strcmp(name, "mp-miniprogram")) {
        read_miniprogram(w, g);
    } else if (!strcmp(name, "mp-style-type")) {
        /* The editor's hidden settings: nothing to show. */
    } else {
        return false;
    }
    return true;
}

/* Class prefixes of things around or inside a body that are not content. */
static const char *const deny_classes[] = {
    "qr_code_pc", "js_pc_qr_code", "reward", "js_ad", "rich_media_tool", "mpad_", NULL,
};

/* Dropped with its subtree: inert, active or interactive content and non-content blocks. */
static bool is_dropped(const GumboNode *g)
{
    if (is_inert(g))
        return true;
    switch (g->v.element.tag) {
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_META:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_MAP:
    case GUMBO_TAG_AREA:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK:
    case GUMBO_TAG_COL:
    case GUMBO_TAG_COLGROUP:
        return true;
    default:
        break;
    }
    if (!conv__attr(g, "class"))
        return false;
    for (const char *const *c = deny_classes; *c; c++)
        if (class_match(g, *c, false))
            return true;
    return class_match(g, "code-snippet__line-index", false);
}

/* Elements that end the paragraph around them. */
static bool is_block_tag(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_LISTING:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_P:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_HTML:
        return true;
    default:
        return false;
    }
}

static enum doc_kind wrap_of(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_B:
        return DOC_STRONG;
    case GUMBO_TAG_EM:
    case GUMBO_TAG_I:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_DFN:
    case GUMBO_TAG_VAR:
        return DOC_EM;
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_KBD:
    case GUMBO_TAG_SAMP:
        return DOC_CODE_SPAN;
    case GUMBO_TAG_SUB:
        return DOC_SUB;
    case GUMBO_TAG_SUP:
        return DOC_SUP;
    default:
        return DOC_ROOT;
    }
}

/* --- frames --- */

/* Past the frame bound only the text of g is kept, read without a stack. */
static void text_only(struct walker *w, const GumboNode *root)
{
    const GumboNode *g = conv__next(root, root, false);

    while (g) {
        if (g->type == GUMBO_NODE_ELEMENT && is_inert(g)) {
            g = conv__next(root, g, true);
            continue;
        }
        if (conv__is_text(g))
            emit_text(w, g->v.text.text, strlen(g->v.text.text));
        g = conv__next(root, g, false);
    }
}

/* Pushes a frame reading g's children.  Returns NULL (and keeps g's text) past the bound. */
static struct frame *push(struct walker *w, const GumboNode *g, enum ctx ctx, struct doc_node *cont,
                          unsigned flags)
{
    struct frame *f, *below;

    if (w->n >= BODY_MAX_FRAMES) {
        text_only(w, g);
        return NULL;
    }
    w->stack = xgrow(w->stack, sizeof(*w->stack), w->n + 1, &w->alloc);
    below = w->n ? &w->stack[w->n - 1] : NULL;
    f = &w->stack[w->n++];
    memset(f, 0, sizeof(*f));
    f->kids = conv__children(g);
    f->ctx = ctx;
    f->flags = flags;
    f->container = cont;
    f->wrap = DOC_ROOT;
    f->wmask = below ? below->wmask : 0;
    f->wtop = below ? below->wtop : -1;
    f->wprev = -1;
    f->fig_prev = w->fig;
    return f;
}

/* Makes the top frame an inline wrapper of the kind, unless that kind is already open. */
static void set_wrap(struct walker *w, enum doc_kind kind, const char *href)
{
    struct frame *f = top(w);

    if (kind == DOC_ROOT || (kind == DOC_LINK && !href) || (f->wmask & (1u << kind)))
        return;
    f->wrap = kind;
    f->href = href;
    f->wmask |= 1u << kind;
    f->wprev = f->wtop;
    f->wtop = (int)(w->n - 1);
}

static void pop(struct walker *w)
{
    struct frame *f = top(w);

    if (f->flags & (F_BREAKS | F_HEADING))
        para_end(w);
    if (f->prune && !f->prune->first)
        doc_unlink(f->prune);
    w->fig = f->fig_prev;
    w->n--;
}

/* A link's href: http(s) resolved against the base, or mailto; NULL drops the link. */
static const char *link_href(struct walker *w, const GumboNode *g)
{
    const char *href = conv__attr(g, "href");
    const char *out;
    char *u;

    if (!href)
        return NULL;
    while (is_space((unsigned char)*href))
        href++;
    if (!*href || *href == '#')
        return NULL;
    if (starts_with_ci(href, "mailto:"))
        return doc_href_is_safe(href) ? doc_strdup(w->doc, href) : NULL;
    u = resolve(w, href);
    out = u && doc_href_is_safe(u) ? doc_strdup(w->doc, u) : NULL;
    free(u);
    return out;
}

static void read_figcaption(struct walker *w, const GumboNode *g)
{
    struct doc_node *cont = block(w), *last = cont->last;
    const struct frame *fig = w->fig >= 0 ? &w->stack[w->fig] : NULL;

    if (fig && fig->container == cont && last && last != fig->fig_mark && last->kind == DOC_IMAGE &&
        !last->u.image.caption) {
        last->u.image.caption = gather_text(w, g);
        return;
    }
    push(w, g, X_BLOCK, cont, F_BREAKS);
}

static void read_list(struct walker *w, const GumboNode *g, struct doc_node *parent)
{
    struct doc_node *n = doc_append(w->doc, parent, DOC_LIST);
    struct frame *f;
    long start;

    n->u.list.ordered = g->v.element.tag == GUMBO_TAG_OL;
    if (n->u.list.ordered && (start = num_attr(g, "start")) >= 0)
        n->u.list.start = (int)start;
    if ((f = push(w, g, X_LIST, n, 0)))
        f->prune = n;
}

/* An element where blocks and inlines may appear. */
static void read_flow(struct walker *w, const GumboNode *g)
{
    GumboTag tag = g->v.element.tag;
    const char *style = conv__attr(g, "style");
    char name[TAG_NAME_MAX + 1];
    struct style_info si;
    struct doc_node *n;
    struct frame *f;
    int level;

    custom_name(g, name);
    if (read_special(w, g, name))
        return;
    memset(&si, 0, sizeof(si));
    if (style) {
        scan_style(style, &si);
        if (si.hidden)
            return;
        read_background(w, &si);
    }
    if ((level = conv__heading_level(tag))) {
        n = doc_append(w->doc, block(w), DOC_HEADING);
        n->u.heading.level = level;
        if (push(w, g, X_BLOCK, container(w), F_HEADING))
            para_start(w, n);
        else
            para_end(w);
        return;
    }
    switch (tag) {
    case GUMBO_TAG_BR:
        emit_break(w);
        return;
    case GUMBO_TAG_WBR:
        return;
    case GUMBO_TAG_IMG:
        read_img(w, g);
        return;
    case GUMBO_TAG_HR:
        doc_append(w->doc, block(w), DOC_RULE);
        return;
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_XMP:
    case GUMBO_TAG_PLAINTEXT:
        read_code(w, g);
        return;
    case GUMBO_TAG_IFRAME:
        read_iframe(w, g);
        return;
    case GUMBO_TAG_VIDEO:
        emit_embed(w, DOC_EMBED_VIDEO, attr_ne(g, "title"), NULL, attr_ne(g, "src"));
        return;
    case GUMBO_TAG_AUDIO:
        emit_embed(w, DOC_EMBED_AUDIO, attr_ne(g, "title"), NULL, attr_ne(g, "src"));
        return;
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
        read_list(w, g, block(w));
        return;
    case GUMBO_TAG_TABLE:
        n = doc_append(w->doc, block(w), DOC_TABLE);
        if ((f = push(w, g, X_TABLE, n, 0)))
            f->prune = n;
        return;
    case GUMBO_TAG_BLOCKQUOTE:
        n = doc_append(w->doc, block(w), DOC_QUOTE);
        if ((f = push(w, g, X_BLOCK, n, F_BREAKS)))
            f->prune = n;
        return;
    case GUMBO_TAG_FIGURE:
        n = block(w);
        if ((f = push(w, g, X_BLOCK, n, F_BREAKS | F_FIGURE))) {
            f->fig_mark = n->last;
            w->fig = (int)(w->n - 1);
        }
        return;
    case GUMBO_TAG_FIGCAPTION:
        read_figcaption(w, g);
        return;
    case GUMBO_TAG_A:
        if (push(w, g, X_BLOCK, container(w), 0))
            set_wrap(w, DOC_LINK, link_href(w, g));
        return;
    default:
        break;
    }
    if (is_block_tag(tag)) {
        if (!push(w, g, X_BLOCK, block(w), F_BREAKS))
            return;
    } else if (!push(w, g, X_BLOCK, container(w), 0)) {
        return;
    }
    set_wrap(w, wrap_of(tag), NULL);
    if (si.bold && wrap_of(tag) == DOC_ROOT)
        set_wrap(w, DOC_STRONG, NULL);
}

/* A list holds items; a list directly in a list goes into the last item, as browsers show it;
 * anything else is read through for the items it may hold. */
static void read_list_child(struct walker *w, const GumboNode *g)
{
    struct doc_node *list = container(w), *n;

    switch (g->v.element.tag) {
    case GUMBO_TAG_LI:
        n = doc_append(w->doc, list, DOC_ITEM);
        push(w, g, X_BLOCK, n, F_BREAKS);
        return;
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
        n = list->last ? list->last : doc_append(w->doc, list, DOC_ITEM);
        read_list(w, g, n);
        return;
    default:
        push(w, g, X_LIST, list, 0);
        return;
    }
}

static void read_table_child(struct walker *w, const GumboNode *g)
{
    struct frame *f = top(w);
    struct doc_node *cont = f->container, *n;
    GumboTag tag = g->v.element.tag;

    if (f->ctx == X_TABLE) {
        if (tag == GUMBO_TAG_TR) {
            n = doc_append(w->doc, cont, DOC_ROW);
            if ((f = push(w, g, X_ROW, n, 0)))
                f->prune = n;
        } else if (tag != GUMBO_TAG_CAPTION) {
            push(w, g, X_TABLE, cont, 0);
        }
        return;
    }
    if (tag != GUMBO_TAG_TD && tag != GUMBO_TAG_TH) {
        push(w, g, X_ROW, cont, 0);
        return;
    }
    n = doc_append(w->doc, cont, DOC_CELL);
    n->u.cell.header = tag == GUMBO_TAG_TH;
    n->u.cell.colspan = (int)num_attr(g, "colspan");
    n->u.cell.rowspan = (int)num_attr(g, "rowspan");
    if (n->u.cell.colspan < 1 || n->u.cell.colspan > 1000)
        n->u.cell.colspan = 1;
    if (n->u.cell.rowspan < 1 || n->u.cell.rowspan > 65534)
        n->u.cell.rowspan = 1;
    push(w, g, X_BLOCK, n, F_BREAKS);
}

static void read_node(struct walker *w, const GumboNode *g)
{
    const struct frame *f = top(w);

    if (conv__is_text(g)) {
        if (f->ctx == X_BLOCK)
            emit_text(w, g->v.text.text, strlen(g->v.text.text));
        return;
    }
    if (g->type != GUMBO_NODE_ELEMENT || is_dropped(g))
        return;
    switch (f->ctx) {
    case X_BLOCK:
        read_flow(w, g);
        return;
    case X_LIST:
        read_list_child(w, g);
        return;
    case X_TABLE:
    case X_ROW:
        read_table_child(w, g);
        return;
    }
}

void conv__map_children(struct conv_body *b, const GumboNode *node, struct doc_node *parent)
{
    struct walker w = { 0 };

    if (!conv__children(node))
        return;
    w.b = b;
    w.doc = b->doc;
    w.fig = -1;
    strbuf_init(&w.tmp, 0);
    imgset_rebuild(&w.set, b, 64);
    while (2 * b->nimages > w.set.cap)
        imgset_rebuild(&w.set, b, 2 * w.set.cap);
    push(&w, node, X_BLOCK, parent, F_BREAKS);
    while (w.n) {
        struct frame *f = top(&w);

        if (f->i == f->kids->length) {
            pop(&w);
            continue;
        }
        read_node(&w, f->kids->data[f->i++]);
    }
    para_end(&w);
    free(w.stack);
    free(w.set.slots);
    strbuf_release(&w.tmp);
}

/* The <body> of a parsed document, or NULL. */
static const GumboNode *find_body(const GumboNode *doc)
{
    const GumboVector *kids = &doc->v.document.children;

    for (unsigned i = 0; i < kids->length; i++) {
        const GumboNode *h = kids->data[i];

        if (h->type != GUMBO_NODE_ELEMENT || h->v.element.tag != GUMBO_TAG_HTML)
            continue;
        for (unsigned j = 0; j < h->v.element.children.length; j++) {
            const GumboNode *c = h->v.element.children.data[j];

            if (c->type == GUMBO_NODE_ELEMENT && c->v.element.tag == GUMBO_TAG_BODY)
                return c;
        }
    }
    return NULL;
}

enum arc_err conv__map_html(struct conv_body *b, const char *html, size_t len,
                            struct doc_node *parent, struct strbuf *why)
{
    GumboOptions opts = conv__gumbo_options();
    const GumboNode *body;
    GumboOutput *g;
    enum arc_err err;

    err = conv__scan_depth(html, len, CONV_MAX_DEPTH, why);
    if (err)
        return err;
    g = gumbo_parse_with_options(&opts, html, len);
    if (!g) {
        strbuf_setwhy(why, "gumbo could not parse the fragment");
        return ARC_EPARSE;
    }
    body = find_body(g->document);
    if (body)
        conv__map_children(b, body, parent);
    gumbo_destroy_output(&opts, g);
    return ARC_OK;
}
