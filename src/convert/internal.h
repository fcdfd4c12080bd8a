/* convert/internal.h: what the files of convert/ share.  Not for other folders. */
#ifndef ARC_CONVERT_INTERNAL_H
#define ARC_CONVERT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <gumbo.h>

#include "convert/convert.h"

/* --- gumbo (reader.c) --- */

/* gumbo's options as every parse here uses them: max_errors 0, since the default copies the
 * open-element stack into every parse error (quadratic). */
GumboOptions conv__gumbo_options(void);
/* Refuses input whose tags nest deeper than max (a cheap pre-scan, before gumbo sees it):
 * ARC_ETOODEEP with a message in *why. */
enum arc_err conv__scan_depth(const char *buf, size_t len, unsigned max, struct strbuf *why);

/* --- walking gumbo's tree (gumbo.c) --- */

/* The children of a document or element; NULL for text, comments and template content. */
const GumboVector *conv__children(const GumboNode *g);
/* The next node after n in a pre-order walk of top's subtree, skipping n's children when asked;
 * NULL when done.  Iterative, through gumbo's parent pointers, so any depth is safe. */
const GumboNode *conv__next(const GumboNode *top, const GumboNode *n, bool skip);
/* Text, whitespace or CDATA. */
bool conv__is_text(const GumboNode *g);
/* An element's attribute value, or NULL (also for NULL and non-element nodes). */
const char *conv__attr(const GumboNode *g, const char *name);
/* Does the class attribute hold this whole token? */
bool conv__has_class(const GumboNode *g, const char *cls);
/* 1..6 for h1..h6, 0 for any other tag. */
int conv__heading_level(GumboTag tag);

/* --- the body mapping (body.c) --- */

/* Source depth past which the page converter refuses a page (real pages nest < 100). */
#define CONV_MAX_DEPTH 512

/* Where the mapping writes.  The caller owns all of it. */
struct conv_body {
    struct doc *doc;
    const char *base_url; /* relative URLs resolve against it; NULL = keep only absolute */
    char **images;        /* content image URLs found so far, each once (xmalloc'd) */
    size_t nimages, aimages;
    char **locals; /* parallel to images: an <img>'s relative src (a browser's saved copy), or
                      NULL; xmalloc'd */
    size_t alocals;
};

/* Maps the children of node (an element such as #js_content or <body>) to Doc blocks appended
 * under parent: the whitelist mapping of the issue (sections flattened, code blocks rebuilt,
 * images from data-src, embeds as placeholders; scripts, styles, trackers dropped).  Iterative
 * or depth-bounded.  Image URLs go to b->images. */
void conv__map_children(struct conv_body *b, const GumboNode *node, struct doc_node *parent);
/* Parses an HTML fragment (content_noencode and the like) and maps its body under parent. */
enum arc_err conv__map_html(struct conv_body *b, const char *html, size_t len,
                            struct doc_node *parent, struct strbuf *why);
/* Records an image URL (absolute, &amp; unescaped, fragment dropped) once; returns the stored
 * copy, or NULL when the URL is not usable (not http(s), a 1x1 tracker and the like). */
const char *conv__add_image(struct conv_body *b, const char *url);
void conv__body_release(struct conv_body *b);

#endif
