/* convert/body.c: the whitelist mapping of page HTML to the Doc tree (placeholder until written).
 */
#include "convert/internal.h"

#include "util/banned.h"

void conv__map_children(struct conv_body *b, const GumboNode *node, struct doc_node *parent)
{
    (void)b;
    (void)node;
    (void)parent;
}

enum arc_err conv__map_html(struct conv_body *b, const char *html, size_t len,
                            struct doc_node *parent, struct strbuf *why)
{
    (void)b;
    (void)html;
    (void)len;
    (void)parent;
    (void)why;
    return ARC_OK;
}

const char *conv__add_image(struct conv_body *b, const char *url)
{
    (void)b;
    (void)url;
    return NULL;
}

void conv__body_release(struct conv_body *b)
{
    (void)b;
}
