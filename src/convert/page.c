/* convert/page.c: a page's bytes in, classification, metadata and Doc tree out (placeholder). */
#include "convert/internal.h"

#include <string.h>

#include "util/banned.h"

enum arc_err conv_page_convert(const struct conv_input *in, struct conv_page *out,
                               struct strbuf *why)
{
    (void)why;
    memset(out, 0, sizeof(*out));
    if (!in || !in->buf)
        return ARC_EINVAL;
    out->cls = CONV_UNREADABLE;
    return ARC_OK;
}

void conv_page_release(struct conv_page *page)
{
    (void)page;
}

const char *conv_class_name(enum conv_class cls)
{
    (void)cls;
    return "unreadable";
}

const char *conv_kind_name(enum conv_kind kind)
{
    (void)kind;
    return "article";
}
