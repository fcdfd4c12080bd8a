/* doc/doc.h: the Doc tree, the one form between the front ends (gumbo, cmark) and the writers
 * (offline XHTML, EPUB, PDF).
 *
 * A struct doc owns every node and string in its arena; doc_free() frees them all at once and
 * there is no per-node free.  No pointer crosses from one doc into another: doc_node_copy() deep
 * copies a subtree into another doc.  Anything the tree cannot express is dropped by
 * construction, which is what makes the converter a sanitizer: there are no attributes, no
 * styles, no scripts, only the kinds below.
 *
 * Strings in the tree are UTF-8 as given; the writers drop what XML forbids or discourages
 * (invalid UTF-8, C0 controls other than tab and newline, DEL and C1 controls, noncharacters such
 * as U+FDD0..FDEF and U+FFFE/U+FFFF), so a tree built from hostile input still serializes to
 * well-formed XHTML that reads back unchanged.  Not thread-safe.
 *
 *     struct doc *d = doc_new();
 *     struct doc_node *p = doc_append(d, d->root, DOC_PARA);
 *     doc_append_text(d, p, "hello", 5);  doc_write_xhtml(d->root, &sb, 0);  doc_free(d);
 */
#ifndef ARC_DOC_DOC_H
#define ARC_DOC_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/strbuf.h"

enum doc_kind {
    DOC_ROOT,         /* the document; blocks only */
    DOC_HEADING,      /* u.heading.level 1..6; inlines */
    DOC_PARA,         /* inlines */
    DOC_LIST,         /* u.list.ordered, u.list.start; DOC_ITEM children only */
    DOC_ITEM,         /* blocks */
    DOC_QUOTE,        /* blocks */
    DOC_CODE,         /* u.code.lang (NULL = none), u.code.text verbatim; no children */
    DOC_IMAGE,        /* u.image; a block picture with optional caption; no children */
    DOC_TABLE,        /* DOC_ROW children only */
    DOC_ROW,          /* DOC_CELL children only */
    DOC_CELL,         /* u.cell.header, u.cell.colspan, u.cell.rowspan; blocks */
    DOC_RULE,         /* thematic break; no children */
    DOC_EMBED,        /* u.embed: a placeholder for audio, video, cards; no children */
    DOC_TEXT,         /* u.text.s, u.text.len: the only node holding character data */
    DOC_STRONG,       /* inlines */
    DOC_EM,           /* inlines */
    DOC_CODE_SPAN,    /* inlines (text only in practice) */
    DOC_LINK,         /* u.link.href (http, https or mailto); inlines */
    DOC_BREAK,        /* hard line break; no children */
    DOC_SUB,          /* inlines */
    DOC_SUP,          /* inlines */
    DOC_INLINE_IMAGE, /* u.image (caption unused): emoji, formulas; no children */
    DOC_KIND__COUNT
};

/* What an embed placeholder stands for. */
enum doc_embed_kind {
    DOC_EMBED_OTHER,       /* anything else that cannot be kept */
    DOC_EMBED_VIDEO,       /* video player (iframe.video_iframe, mpvideo) */
    DOC_EMBED_AUDIO,       /* voice or music (mpvoice, mp-common-mpaudio) */
    DOC_EMBED_CHANNEL,     /* a channels (视频号) card */
    DOC_EMBED_PROFILE,     /* an account card */
    DOC_EMBED_MINIPROGRAM, /* a mini-program link or card */
    DOC_EMBED_FORMULA,     /* a formula that could not be kept as an image */
    DOC_EMBED__COUNT
};

struct doc_image {
    const char *file;    /* local path relative to the article directory; NULL = not stored */
    const char *src;     /* the source URL; NULL when unknown */
    const char *alt;     /* NULL = none */
    const char *caption; /* NULL = none; block images only */
    int width, height;   /* size hints in CSS pixels; 0 = unknown */
};

struct doc_node {
    enum doc_kind kind;
    struct doc_node *parent, *first, *last, *next, *prev;
    union {
        struct {
            int level;
        } heading;
        struct {
            bool ordered;
            int start; /* first number of an ordered list; 1 by default */
        } list;
        struct {
            const char *lang; /* NULL = none */
            const char *text; /* verbatim, newlines included */
            size_t len;
        } code;
        struct doc_image image;
        struct {
            bool header;
            int colspan, rowspan; /* 1 by default */
        } cell;
        struct {
            enum doc_embed_kind kind;
            const char *title, *desc, *url; /* each NULL = none */
        } embed;
        struct {
            const char *s; /* not NUL-terminated in general; use len */
            size_t len;
        } text;
        struct {
            const char *href;
        } link;
    } u;
};

struct doc {
    struct arena arena;
    struct doc_node *root; /* a DOC_ROOT */
};

#define doc_for_each_child(n, parent) for ((n) = (parent)->first; (n); (n) = (n)->next)

struct doc *doc_new(void);
void doc_free(struct doc *doc); /* NULL is fine */

/* Appends a new node of the kind, with defaults (list start 1, cell spans 1), as the last child
 * of parent.  It does not check that the kind may live there: builders are trusted. */
struct doc_node *doc_append(struct doc *doc, struct doc_node *parent, enum doc_kind kind);
/* Appends text under parent, merging with a DOC_TEXT that is already the last child. */
void doc_append_text(struct doc *doc, struct doc_node *parent, const char *s, size_t len);
/* Copies a string into the doc's arena; NULL gives NULL.  For the node fields above. */
const char *doc_strdup(struct doc *doc, const char *s);
const char *doc_strndup(struct doc *doc, const char *s, size_t len);
/* Sets a DOC_CODE node's verbatim text (copied). */
void doc_code_set_text(struct doc *doc, struct doc_node *code, const char *s, size_t len);
/* Unlinks n (and its subtree) from its parent; the memory stays in the arena. */
void doc_unlink(struct doc_node *n);
/* Deep copy of n (from any doc) appended under parent in dst; returns the copy. */
struct doc_node *doc_node_copy(struct doc *dst, struct doc_node *parent, const struct doc_node *n);

/* Is the kind a block (may stand under the root, an item, a quote or a cell)? */
bool doc_kind_is_block(enum doc_kind kind);
/* "para", "heading", ...: stable names used by doc_dump(). */
const char *doc_kind_name(enum doc_kind kind);
/* "video", "audio", ...: stable names used by the writers and the reader. */
const char *doc_embed_kind_name(enum doc_embed_kind kind);
/* The inverse of doc_embed_kind_name(); unknown names give DOC_EMBED_OTHER. */
enum doc_embed_kind doc_embed_kind_from_name(const char *name);
/* May the URL be written as an href: is its scheme http, https or mailto (any case)?  The XHTML
 * writer and reader both use it, so a link they disagree on cannot exist. */
bool doc_href_is_safe(const char *href);

/* --- walking --- */

/* Called on entering and leaving each node; a non-zero return stops the walk and is returned. */
typedef int doc_visit_fn(const struct doc_node *n, void *ud);
struct doc_visitor {
    doc_visit_fn *enter, *leave; /* either may be NULL */
};
/* Depth-first, iterative (no recursion, so any depth is safe). */
int doc_walk(const struct doc_node *root, const struct doc_visitor *v, void *ud);

/* Structural equality: same kinds, fields and text.  Adjacent DOC_TEXT siblings compare as
 * their concatenation, so a tree equals its own round trip. */
bool doc_equal(const struct doc_node *a, const struct doc_node *b);

/* A stable, line-per-node text form for golden files and test failure messages. */
void doc_dump(const struct doc_node *root, struct strbuf *out);

/* Appends the plain text of a subtree (blocks separated by newlines) for tests and search. */
void doc_plain_text(const struct doc_node *root, struct strbuf *out);

/* --- XHTML --- */

enum doc_xhtml_flags {
    DOC_XHTML_NO_REMOTE = 1 << 0, /* images without a local file become a placeholder link, never
                                    a remote src: for offline copies and books */
    DOC_XHTML_NO_ORIGIN = 1 << 1  /* no data-src beside a local src: for books, which keep no
                                    trace of remote addresses in their markup (offline copies
                                    keep it: it is how conv_read_xhtml finds the source again) */
};

/* Writes the subtree's blocks as HTML5 in XML syntax (what EPUB 3 requires) into out: raw UTF-8,
 * `& < > "` escaped, forbidden characters dropped, void elements self-closed and nothing else,
 * code whitespace kept exactly.  The result is a body fragment; wrap it with doc_page_begin/end.
 * The mapping is the one convert/'s conv_read_xhtml() reads back (doc/xhtml.c documents it). */
void doc_write_xhtml(const struct doc_node *root, struct strbuf *out, unsigned flags);

/* The one XML escaper of the project: appends s (len bytes) with `& < > "` escaped, dropping
 * invalid UTF-8, characters XML 1.0 forbids, DEL, C1 controls and noncharacters.  Tab and newline
 * are kept. */
void doc_xml_escape(struct strbuf *out, const char *s, size_t len);
/* As doc_xml_escape() for a NUL-terminated string; NULL appends nothing. */
void doc_xml_escape_str(struct strbuf *out, const char *s);

/* The page wrapper shared by offline copies, the offline index and EPUB pages: the XML
 * declaration, <!DOCTYPE html>, <html> in the XHTML namespace with lang and xml:lang, <head>
 * with charset, title and (when css is not NULL) a stylesheet link, then <body>.  lang NULL means
 * "zh-CN"; body_class NULL means none. */
struct doc_page {
    const char *title;
    const char *lang;
    const char *css;        /* href of the stylesheet, or NULL */
    const char *body_class; /* or NULL */
};
void doc_page_begin(struct strbuf *out, const struct doc_page *page);
void doc_page_end(struct strbuf *out);

#endif
