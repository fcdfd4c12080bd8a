/* convert/gumbo.c: small helpers over gumbo's tree that every file of convert/ walks with. */
#include "convert/internal.h"

#include <string.h>

#include "util/banned.h"

const GumboVector *conv__children(const GumboNode *g)
{
    switch (g->type) {
    case GUMBO_NODE_DOCUMENT:
        return &g->v.document.children;
    case GUMBO_NODE_ELEMENT:
        return &g->v.element.children;
    case GUMBO_NODE_TEMPLATE: /* template content is never shown: nothing to walk */
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_CDATA:
    case GUMBO_NODE_COMMENT:
    case GUMBO_NODE_WHITESPACE:
        return NULL;
    }
    return NULL;
}

const GumboNode *conv__next(const GumboNode *top, const GumboNode *n, bool skip)
{
    const GumboVector *kids = conv__children(n);

    if (!skip && kids && kids->length)
        return kids->data[0];
    while (n != top) {
        const GumboNode *p = n->parent;

        kids = conv__children(p);
        if (n->index_within_parent + 1 < kids->length)
            return kids->data[n->index_within_parent + 1];
        n = p;
    }
    return NULL;
}

bool conv__is_text(const GumboNode *g)
{
    return g->type == GUMBO_NODE_TEXT || g->type == GUMBO_NODE_WHITESPACE ||
           g->type == GUMBO_NODE_CDATA;
}

const char *conv__attr(const GumboNode *g, const char *name)
{
    const GumboAttribute *a;

    if (!g || (g->type != GUMBO_NODE_ELEMENT && g->type != GUMBO_NODE_TEMPLATE))
        return NULL;
    a = gumbo_get_attribute(&g->v.element.attributes, name);
    return a ? a->value : NULL;
}

bool conv__has_class(const GumboNode *g, const char *cls)
{
    const char *v = conv__attr(g, "class"), *p;
    size_t len = strlen(cls);

    if (!v || !len)
        return false;
    for (p = v; (p = strstr(p, cls)); p += len) {
        if ((p == v || strchr(" \t\n\r\f", p[-1])) && (!p[len] || strchr(" \t\n\r\f", p[len])))
            return true;
    }
    return false;
}

int conv__heading_level(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_H1:
        return 1;
    case GUMBO_TAG_H2:
        return 2;
    case GUMBO_TAG_H3:
        return 3;
    case GUMBO_TAG_H4:
        return 4;
    case GUMBO_TAG_H5:
        return 5;
    case GUMBO_TAG_H6:
        return 6;
    default:
        return 0;
    }
}
