/* doc/doc.c: the Doc tree's nodes: arena allocation, building, copying, walking and equality. */
#include "doc/doc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doc/internal.h"
#include "util/alloc.h"
#include "util/banned.h"

/* The smallest buffer doc_append_text() gives a text node; it doubles from there. */
#define DOC_TEXT_MIN_CAP 32

/*
 * What doc_new() really allocates.  doc_append_text() remembers the text node it last grew and
 * how much room its buffer has, so that a run of appends to the same node is amortised linear
 * instead of copying the whole text each time.  Only that one node is trusted to have spare room:
 * a builder may point any other text node at a string of its own.
 */
struct doc_impl {
    struct doc pub; /* first, so a struct doc * is a struct doc_impl * */
    struct doc_node *grow_node;
    const char *grow_buf;
    size_t grow_cap;
};

static struct doc_impl *impl_of(struct doc *doc)
{
    return (struct doc_impl *)doc;
}

struct doc *doc_new(void)
{
    struct doc_impl *d = xcalloc(1, sizeof(*d));

    d->pub.arena = (struct arena)ARENA_INIT;
    d->pub.root = doc_append(&d->pub, NULL, DOC_ROOT);
    return &d->pub;
}

void doc_free(struct doc *doc)
{
    if (!doc)
        return;
    arena_release(&doc->arena);
    free(impl_of(doc));
}

static void link_last(struct doc_node *parent, struct doc_node *n)
{
    n->parent = parent;
    if (!parent)
        return;
    n->prev = parent->last;
    if (parent->last)
        parent->last->next = n;
    else
        parent->first = n;
    parent->last = n;
}

struct doc_node *doc_append(struct doc *doc, struct doc_node *parent, enum doc_kind kind)
{
    struct doc_node *n = arena_alloc(&doc->arena, sizeof(*n));

    n->kind = kind;
    if (kind == DOC_LIST)
        n->u.list.start = 1;
    if (kind == DOC_CELL) {
        n->u.cell.colspan = 1;
        n->u.cell.rowspan = 1;
    }
    link_last(parent, n);
    return n;
}

void doc_append_text(struct doc *doc, struct doc_node *parent, const char *s, size_t len)
{
    struct doc_impl *d = impl_of(doc);
    struct doc_node *t = parent->last;
    size_t cap;
    char *buf;

    if (!len)
        return;
    if (t && t->kind == DOC_TEXT) {
        if (t == d->grow_node && t->u.text.s == d->grow_buf && d->grow_cap - t->u.text.len > len) {
            buf = (char *)d->grow_buf;
            memcpy(buf + t->u.text.len, s, len);
            t->u.text.len += len;
            buf[t->u.text.len] = '\0';
            return;
        }
        cap = DOC_TEXT_MIN_CAP;
        while (cap <= t->u.text.len + len)
            cap *= 2;
        buf = arena_alloc(&doc->arena, cap);
        memcpy(buf, t->u.text.s, t->u.text.len);
        memcpy(buf + t->u.text.len, s, len);
        t->u.text.len += len;
    } else {
        t = doc_append(doc, parent, DOC_TEXT);
        cap = len + 1;
        buf = arena_alloc(&doc->arena, cap);
        memcpy(buf, s, len);
        t->u.text.len = len;
    }
    buf[t->u.text.len] = '\0';
    t->u.text.s = buf;
    d->grow_node = t;
    d->grow_buf = buf;
    d->grow_cap = cap;
}

const char *doc_strdup(struct doc *doc, const char *s)
{
    return arena_strdup(&doc->arena, s);
}

const char *doc_strndup(struct doc *doc, const char *s, size_t len)
{
    return s ? arena_strndup(&doc->arena, s, len) : NULL;
}

void doc_code_set_text(struct doc *doc, struct doc_node *code, const char *s, size_t len)
{
    code->u.code.text = arena_strndup(&doc->arena, s ? s : "", s ? len : 0);
    code->u.code.len = s ? len : 0;
}

void doc_unlink(struct doc_node *n)
{
    struct doc_node *p = n->parent;

    if (!p)
        return;
    if (n->prev)
        n->prev->next = n->next;
    else
        p->first = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        p->last = n->prev;
    n->parent = n->prev = n->next = NULL;
}

/* --- copying --- */

/* A shallow copy of n's fields (strings into dst's arena), appended under parent. */
static struct doc_node *copy_one(struct doc *dst, struct doc_node *parent, const struct doc_node *n)
{
    struct doc_node *c = doc_append(dst, parent, n->kind);

    c->u = n->u;
    switch (n->kind) {
    case DOC_CODE:
        c->u.code.lang = doc_strdup(dst, n->u.code.lang);
        doc_code_set_text(dst, c, n->u.code.text, n->u.code.len);
        break;
    case DOC_IMAGE:
    case DOC_INLINE_IMAGE:
        c->u.image.file = doc_strdup(dst, n->u.image.file);
        c->u.image.src = doc_strdup(dst, n->u.image.src);
        c->u.image.alt = doc_strdup(dst, n->u.image.alt);
        c->u.image.caption = doc_strdup(dst, n->u.image.caption);
        break;
    case DOC_EMBED:
        c->u.embed.title = doc_strdup(dst, n->u.embed.title);
        c->u.embed.desc = doc_strdup(dst, n->u.embed.desc);
        c->u.embed.url = doc_strdup(dst, n->u.embed.url);
        break;
    case DOC_TEXT:
        c->u.text.s = arena_strndup(&dst->arena, n->u.text.s ? n->u.text.s : "",
                                    n->u.text.s ? n->u.text.len : 0);
        c->u.text.len = n->u.text.s ? n->u.text.len : 0;
        break;
    case DOC_LINK:
        c->u.link.href = doc_strdup(dst, n->u.link.href);
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
    case DOC_BREAK:
    case DOC_SUB:
    case DOC_SUP:
    case DOC_KIND__COUNT:
        break;
    }
    return c;
}

struct doc_node *doc_node_copy(struct doc *dst, struct doc_node *parent, const struct doc_node *n)
{
    struct doc_node *top = copy_one(dst, parent, n);
    struct doc_node *cur = top; /* the copy of s */
    const struct doc_node *s = n;

    /* Walk the source with a cursor; cur follows it in the copy. */
    for (;;) {
        if (s->first) {
            s = s->first;
            cur = copy_one(dst, cur, s);
            continue;
        }
        while (s != n && !s->next) {
            s = s->parent;
            cur = cur->parent;
        }
        if (s == n)
            return top;
        s = s->next;
        cur = copy_one(dst, cur->parent, s);
    }
}

/* --- kinds --- */

bool doc_kind_is_block(enum doc_kind kind)
{
    switch (kind) {
    case DOC_HEADING:
    case DOC_PARA:
    case DOC_LIST:
    case DOC_QUOTE:
    case DOC_CODE:
    case DOC_IMAGE:
    case DOC_TABLE:
    case DOC_RULE:
    case DOC_EMBED:
        return true;
    case DOC_ROOT:
    case DOC_ITEM:
    case DOC_ROW:
    case DOC_CELL:
    case DOC_TEXT:
    case DOC_STRONG:
    case DOC_EM:
    case DOC_CODE_SPAN:
    case DOC_LINK:
    case DOC_BREAK:
    case DOC_SUB:
    case DOC_SUP:
    case DOC_INLINE_IMAGE:
    case DOC_KIND__COUNT:
        return false;
    }
    return false;
}

const char *doc_kind_name(enum doc_kind kind)
{
    switch (kind) {
    case DOC_ROOT:
        return "root";
    case DOC_HEADING:
        return "heading";
    case DOC_PARA:
        return "para";
    case DOC_LIST:
        return "list";
    case DOC_ITEM:
        return "item";
    case DOC_QUOTE:
        return "quote";
    case DOC_CODE:
        return "code";
    case DOC_IMAGE:
        return "image";
    case DOC_TABLE:
        return "table";
    case DOC_ROW:
        return "row";
    case DOC_CELL:
        return "cell";
    case DOC_RULE:
        return "rule";
    case DOC_EMBED:
        return "embed";
    case DOC_TEXT:
        return "text";
    case DOC_STRONG:
        return "strong";
    case DOC_EM:
        return "em";
    case DOC_CODE_SPAN:
        return "code_span";
    case DOC_LINK:
        return "link";
    case DOC_BREAK:
        return "break";
    case DOC_SUB:
        return "sub";
    case DOC_SUP:
        return "sup";
    case DOC_INLINE_IMAGE:
        return "inline_image";
    case DOC_KIND__COUNT:
        break;
    }
    return "unknown";
}

static const char *const embed_names[DOC_EMBED__COUNT] = {
    [DOC_EMBED_OTHER] = "other",     [DOC_EMBED_VIDEO] = "video",
    [DOC_EMBED_AUDIO] = "audio",     [DOC_EMBED_CHANNEL] = "channel",
    [DOC_EMBED_PROFILE] = "profile", [DOC_EMBED_MINIPROGRAM] = "miniprogram",
    [DOC_EMBED_FORMULA] = "formula",
};

const char *doc_embed_kind_name(enum doc_embed_kind kind)
{
    if ((unsigned)kind >= DOC_EMBED__COUNT)
        return embed_names[DOC_EMBED_OTHER];
    return embed_names[kind];
}

enum doc_embed_kind doc_embed_kind_from_name(const char *name)
{
    if (!name)
        return DOC_EMBED_OTHER;
    for (unsigned i = 0; i < DOC_EMBED__COUNT; i++)
        if (!strcmp(embed_names[i], name))
            return (enum doc_embed_kind)i;
    return DOC_EMBED_OTHER;
}

bool doc_href_is_safe(const char *href)
{
    static const char *const schemes[] = { "http:", "https:", "mailto:" };

    if (!href)
        return false;
    for (size_t i = 0; i < ARC_ARRAY_SIZE(schemes); i++)
        if (!strncasecmp(href, schemes[i], strlen(schemes[i])))
            return true;
    return false;
}

/* --- walking --- */

const struct doc_node *doc__next(const struct doc_node *top, const struct doc_node *n,
                                 bool skip_children, doc__leave_fn *leave, void *ud)
{
    if (!skip_children && n->first)
        return n->first;
    for (;;) {
        if (leave)
            leave(n, ud);
        if (n == top)
            return NULL;
        if (n->next)
            return n->next;
        n = n->parent;
    }
}

int doc_walk(const struct doc_node *root, const struct doc_visitor *v, void *ud)
{
    const struct doc_node *n = root;
    int rc;

    for (;;) {
        if (v->enter && (rc = v->enter(n, ud)))
            return rc;
        if (n->first) {
            n = n->first;
            continue;
        }
        for (;;) {
            if (v->leave && (rc = v->leave(n, ud)))
                return rc;
            if (n == root)
                return 0;
            if (n->next)
                break;
            n = n->parent;
        }
        n = n->next;
    }
}

/* --- equality --- */

static bool str_equal(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return !strcmp(a, b);
}

/* An alt of "" and no alt are the same thing: the XHTML form writes both as alt="". */
static bool alt_equal(const char *a, const char *b)
{
    return str_equal(a && *a ? a : NULL, b && *b ? b : NULL);
}

static bool image_equal(const struct doc_image *a, const struct doc_image *b, bool caption)
{
    return str_equal(a->file, b->file) && str_equal(a->src, b->src) && alt_equal(a->alt, b->alt) &&
           (!caption || str_equal(a->caption, b->caption)) && a->width == b->width &&
           a->height == b->height;
}

/* Compares the fields of two nodes, not their children.  Text runs are compared elsewhere. */
static bool fields_equal(const struct doc_node *a, const struct doc_node *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case DOC_HEADING:
        return a->u.heading.level == b->u.heading.level;
    case DOC_LIST:
        /* A start number means nothing to a bullet list. */
        return a->u.list.ordered == b->u.list.ordered &&
               (!a->u.list.ordered || a->u.list.start == b->u.list.start);
    case DOC_CODE:
        return str_equal(a->u.code.lang, b->u.code.lang) && a->u.code.len == b->u.code.len &&
               (!a->u.code.len || !memcmp(a->u.code.text, b->u.code.text, a->u.code.len));
    case DOC_IMAGE:
        return image_equal(&a->u.image, &b->u.image, true);
    case DOC_INLINE_IMAGE:
        return image_equal(&a->u.image, &b->u.image, false);
    case DOC_CELL:
        return a->u.cell.header == b->u.cell.header && a->u.cell.colspan == b->u.cell.colspan &&
               a->u.cell.rowspan == b->u.cell.rowspan;
    case DOC_EMBED:
        return a->u.embed.kind == b->u.embed.kind &&
               str_equal(a->u.embed.title, b->u.embed.title) &&
               str_equal(a->u.embed.desc, b->u.embed.desc) &&
               str_equal(a->u.embed.url, b->u.embed.url);
    case DOC_LINK:
        return str_equal(a->u.link.href, b->u.link.href);
    case DOC_TEXT:
        return true;
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
        return true;
    }
    return true;
}

/* Skips a run of DOC_TEXT siblings holding no characters at all: such a run is invisible. */
static const struct doc_node *significant(const struct doc_node *n)
{
    const struct doc_node *m = n;

    while (m && m->kind == DOC_TEXT) {
        if (m->u.text.len)
            return n;
        m = m->next;
    }
    return m;
}

/* Compares the runs of DOC_TEXT siblings starting at *a and *b as their concatenations, and
 * moves both cursors past their runs. */
static bool text_runs_equal(const struct doc_node **a, const struct doc_node **b)
{
    const struct doc_node *x = *a, *y = *b;
    size_t i = 0, j = 0; /* offsets into x and y */
    bool ok = true;

    for (;;) {
        while (x && x->kind == DOC_TEXT && i == x->u.text.len) {
            x = x->next;
            i = 0;
        }
        while (y && y->kind == DOC_TEXT && j == y->u.text.len) {
            y = y->next;
            j = 0;
        }
        bool xend = !x || x->kind != DOC_TEXT, yend = !y || y->kind != DOC_TEXT;
        if (xend || yend) {
            ok = ok && xend && yend;
            break;
        }
        size_t n = x->u.text.len - i < y->u.text.len - j ? x->u.text.len - i : y->u.text.len - j;
        if (memcmp(x->u.text.s + i, y->u.text.s + j, n)) {
            ok = false;
            break;
        }
        i += n;
        j += n;
    }
    while (x && x->kind == DOC_TEXT)
        x = x->next;
    while (y && y->kind == DOC_TEXT)
        y = y->next;
    *a = x;
    *b = y;
    return ok;
}

bool doc_equal(const struct doc_node *a, const struct doc_node *b)
{
    const struct doc_node *pa = a, *pb = b; /* the pair whose children are compared */
    const struct doc_node *ca, *cb;

    if (!a || !b)
        return a == b;
    if (a->kind == DOC_TEXT || b->kind == DOC_TEXT) {
        if (a->kind != b->kind || a->u.text.len != b->u.text.len)
            return false;
        return !a->u.text.len || !memcmp(a->u.text.s, b->u.text.s, a->u.text.len);
    }
    if (!fields_equal(a, b))
        return false;
    ca = significant(a->first);
    cb = significant(b->first);
    for (;;) {
        if (!ca || !cb) {
            if (ca || cb)
                return false;
            if (pa == a)
                return true;
            ca = significant(pa->next);
            cb = significant(pb->next);
            pa = pa->parent;
            pb = pb->parent;
            continue;
        }
        if (ca->kind == DOC_TEXT || cb->kind == DOC_TEXT) {
            if (ca->kind != cb->kind || !text_runs_equal(&ca, &cb))
                return false;
            continue;
        }
        if (!fields_equal(ca, cb))
            return false;
        pa = ca;
        pb = cb;
        ca = significant(ca->first);
        cb = significant(cb->first);
    }
}
