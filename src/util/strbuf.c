/* util/strbuf.c: growable byte buffers. */
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/banned.h"

char strbuf_empty[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
    sb->buf = strbuf_empty;
    sb->len = 0;
    sb->alloc = 0;
    sb->max = 0;
    if (hint)
        strbuf_grow(sb, hint);
}

void strbuf_init_max(struct strbuf *sb, size_t max)
{
    strbuf_init(sb, 0);
    sb->max = max;
}

void strbuf_release(struct strbuf *sb)
{
    size_t max = sb->max;

    if (sb->alloc)
        free(sb->buf);
    strbuf_init(sb, 0);
    sb->max = max;
}

void strbuf_reset(struct strbuf *sb)
{
    strbuf_setlen(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
    char *p;

    if (!sb->alloc)
        strbuf_grow(sb, 0);
    p = sb->buf;
    if (len)
        *len = sb->len;
    sb->buf = strbuf_empty;
    sb->len = 0;
    sb->alloc = 0;
    return p;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
    size_t need;
    bool fresh = !sb->alloc;

    if (extra > ((size_t)-1) - sb->len - 1)
        die("out of memory");
    need = sb->len + extra + 1;
    if (need <= sb->alloc)
        return;
    if (fresh)
        sb->buf = NULL;
    sb->buf = xgrow(sb->buf, 1, need, &sb->alloc);
    if (fresh)
        sb->buf[0] = '\0';
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
    if (len > sb->len || !sb->alloc) {
        if (len == 0)
            return;
        BUG("strbuf_setlen beyond the end");
    }
    sb->len = len;
    sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
    if (!len)
        return;
    strbuf_grow(sb, len);
    memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
    char ch = (char)c;
    strbuf_add(sb, &ch, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        BUG("vsnprintf failed for '%s'", fmt);
    strbuf_grow(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

enum arc_err strbuf_try_add(struct strbuf *sb, const void *data, size_t len)
{
    if (sb->max && (len > sb->max || sb->len > sb->max - len))
        return ARC_ETOOBIG;
    strbuf_add(sb, data, len);
    return ARC_OK;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void strbuf_trim(struct strbuf *sb)
{
    size_t start = 0, end = sb->len;

    while (end > 0 && is_space(sb->buf[end - 1]))
        end--;
    while (start < end && is_space(sb->buf[start]))
        start++;
    if (!sb->alloc)
        return;
    memmove(sb->buf, sb->buf + start, end - start);
    strbuf_setlen(sb, end - start);
}

void strbuf_setwhy(struct strbuf *why, const char *fmt, ...)
{
    va_list ap;

    if (!why)
        return;
    strbuf_reset(why);
    va_start(ap, fmt);
    strbuf_vaddf(why, fmt, ap);
    va_end(ap);
}
