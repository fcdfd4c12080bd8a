/* convert/charset.c: a page's bytes as clean UTF-8 for gumbo (iconv for the other charsets).
 *
 * gumbo reads UTF-8 only.  WeChat serves UTF-8; other sites may name GBK, Big5, Shift_JIS or a
 * Latin charset in the Content-Type or a <meta>.  Those are converted with glibc's iconv; an
 * unknown charset is read as UTF-8.  Whatever comes out, NUL bytes and invalid sequences are
 * dropped, so the parser and the Doc tree see well-formed text. */
#include "convert/page.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/banned.h"

/* A <meta> naming the charset must come this early (HTML says 1024 bytes; pages are sloppy). */
#define SNIFF_BYTES 4096
/* Longest charset name we pass to iconv. */
#define CHARSET_MAX 40

/* Reads a charset name after "charset=" at p into name; false when there is none. */
static bool read_charset(const char *p, const char *end, char *name)
{
    size_t n = 0;

    while (p < end && (*p == ' ' || *p == '"' || *p == '\''))
        p++;
    while (p < end && n < CHARSET_MAX &&
           (isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.' || *p == ':'))
        name[n++] = *p++;
    name[n] = '\0';
    return n > 0;
}

static bool find_charset(const char *s, size_t len, char *name)
{
    const char *p = s, *end = s + len;

    while (p < end) {
        const char *hit = NULL;
        for (const char *q = p; q + 8 <= end; q++) {
            if (!strncasecmp(q, "charset=", 8)) {
                hit = q;
                break;
            }
        }
        if (!hit)
            return false;
        if (read_charset(hit + 8, end, name))
            return true;
        p = hit + 8;
    }
    return false;
}

static bool is_utf8_name(const char *cs)
{
    return !strcasecmp(cs, "utf-8") || !strcasecmp(cs, "utf8") || !strcasecmp(cs, "us-ascii") ||
           !strcasecmp(cs, "ascii") || !strcasecmp(cs, "unicode-1-1-utf-8");
}

/* The iconv name for a label browsers read as a superset (WHATWG Encoding). */
static const char *iconv_name(const char *cs)
{
    if (!strcasecmp(cs, "gbk") || !strcasecmp(cs, "gb2312") || !strcasecmp(cs, "x-gbk") ||
        !strcasecmp(cs, "gb_2312-80") || !strcasecmp(cs, "chinese"))
        return "GB18030";
    if (!strcasecmp(cs, "big5"))
        return "BIG5-HKSCS";
    if (!strcasecmp(cs, "iso-8859-1") || !strcasecmp(cs, "latin1") || !strcasecmp(cs, "us-ascii") ||
        !strcasecmp(cs, "ascii"))
        return "WINDOWS-1252";
    if (!strcasecmp(cs, "shift_jis") || !strcasecmp(cs, "sjis"))
        return "CP932";
    return cs;
}

/* Converts with iconv into a new buffer (*out, *out_len); false when iconv does not know the
 * charset.  Undecodable bytes are skipped one at a time. */
static bool convert(const char *cs, const char *buf, size_t len, char **out, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", iconv_name(cs));
    char *in = (char *)buf, *o, *op;
    size_t inleft = len, cap = 2 * len + 64, used = 0, oleft;

    if (cd == (iconv_t)-1)
        return false;
    o = xmalloc(cap);
    while (inleft) {
        op = o + used;
        oleft = cap - used - 1;
        size_t r = iconv(cd, &in, &inleft, &op, &oleft);
        used = (size_t)(op - o);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG) {
            cap *= 2;
            o = xrealloc(o, cap);
        } else if (errno == EILSEQ) {
            in++;
            inleft--;
        } else {
            break; /* EINVAL: a sequence cut at the end */
        }
    }
    iconv_close(cd);
    o[used] = '\0';
    *out = o;
    *out_len = used;
    return true;
}

/* Length of the valid UTF-8 sequence at p, 0 when invalid or a NUL (gumbo stops at neither). */
static size_t valid_len(const unsigned char *p, const unsigned char *end)
{
    return *p ? utf8_len(p, (size_t)(end - p)) : 0;
}

/* The offset of the first NUL or invalid sequence; len when there is none. */
static size_t first_bad(const char *buf, size_t len)
{
    const unsigned char *p = (const unsigned char *)buf, *end = p + len;
    size_t n;

    while (p < end) {
        if (*p >= 0x01 && *p < 0x80) {
            p++;
            continue;
        }
        n = valid_len(p, end);
        if (!n)
            return (size_t)(p - (const unsigned char *)buf);
        p += n;
    }
    return len;
}

static void add_clean(struct strbuf *out, const char *buf, size_t len, size_t from)
{
    const unsigned char *p = (const unsigned char *)buf + from, *end;
    size_t n;

    end = (const unsigned char *)buf + len;
    strbuf_grow(out, len);
    strbuf_add(out, buf, from);
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && (n = valid_len(p, end)))
            p += n;
        strbuf_add(out, run, (size_t)(p - run));
        if (p < end)
            p++; /* the bad byte */
    }
}

const char *conv__to_utf8(const char *buf, size_t len, const char *content_type, bool wechat,
                          size_t *out_len, char **owned)
{
    char cs[CHARSET_MAX + 1] = "";
    struct strbuf clean = STRBUF_INIT;
    char *conv = NULL;
    const char *text = buf;
    size_t tlen = len, bad;

    *owned = NULL;
    if (len >= 2 && ((unsigned char)buf[0] == 0xFF && (unsigned char)buf[1] == 0xFE))
        memcpy(cs, "UTF-16LE", 9);
    else if (len >= 2 && ((unsigned char)buf[0] == 0xFE && (unsigned char)buf[1] == 0xFF))
        memcpy(cs, "UTF-16BE", 9);
    else if (!wechat && content_type && find_charset(content_type, strlen(content_type), cs))
        ;
    else if (!wechat)
        find_charset(buf, len < SNIFF_BYTES ? len : SNIFF_BYTES, cs);

    if (*cs && !is_utf8_name(cs) && convert(cs, buf, len, &conv, &tlen))
        text = conv;
    bad = first_bad(text, tlen);
    if (bad < tlen) {
        add_clean(&clean, text, tlen, bad);
        free(conv);
        *out_len = clean.len;
        return *owned = strbuf_detach(&clean, NULL);
    }
    *out_len = tlen;
    *owned = conv;
    return text;
}
