/* util/cst.c: China Standard Time dates. */
#include "util/cst.h"

#include "util/banned.h"

bool cst_tm(int64_t t, struct tm *out)
{
    time_t s;

    if (!t || t > INT64_MAX - ARC_CST_OFFSET)
        return false;
    s = (time_t)(t + ARC_CST_OFFSET);
    if ((int64_t)s != t + ARC_CST_OFFSET)
        return false;
    return gmtime_r(&s, out) != NULL;
}

void cst_format(int64_t t, enum cst_style style, struct strbuf *out)
{
    struct tm tm;
    char buf[64];
    size_t n = 0;

    if (!cst_tm(t, &tm))
        return;
    switch (style) {
    case CST_DATE:
        n = strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
        break;
    case CST_MINUTE:
        n = strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm);
        break;
    case CST_FULL:
        n = strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S +08:00", &tm);
        break;
    }
    strbuf_add(out, buf, n);
}
