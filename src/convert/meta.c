/* convert/meta.c: what a WeChat page's scripts say: `var NAME = "…"` literals, the
 * window.cgiDataNew object literal, and the JsDecode/htmlDecode escapes they use.
 *
 * Everything here works on the raw bytes: the values live inside <script> elements that the body
 * mapping drops.  The literal reader does not evaluate JavaScript; it walks strings, brackets and
 * commas, so a truncated or hostile literal ends the walk at the buffer's end, never past it. */
#include "convert/page.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* A `var NAME = ` literal longer than this is not one of the variables we read. */
#define VAR_MAX_BYTES (64u * 1024)

/* --- text helpers --- */

static void put_utf8(struct strbuf *sb, unsigned long cp)
{
    if (cp == 0)
        return;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x80) {
        strbuf_addch(sb, (int)cp);
    } else if (cp < 0x800) {
        strbuf_addch(sb, (int)(0xC0 | (cp >> 6)));
        strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        strbuf_addch(sb, (int)(0xE0 | (cp >> 12)));
        strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3F)));
        strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
    } else {
        strbuf_addch(sb, (int)(0xF0 | (cp >> 18)));
        strbuf_addch(sb, (int)(0x80 | ((cp >> 12) & 0x3F)));
        strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3F)));
        strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
    }
}

/* Reads n hex digits at s; -1 when they are not all hex. */
static long read_hex(const char *s, const char *end, int n)
{
    long v = 0;

    if (end - s < n)
        return -1;
    for (int i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (!isxdigit(c))
            return -1;
        v = v * 16 + (isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
    }
    return v;
}

char *conv__js_decode(const char *s, size_t len)
{
    struct strbuf sb = STRBUF_INIT;
    const char *p = s, *end = s + len;
    long v, lo;

    strbuf_grow(&sb, len);
    while (p < end) {
        if (*p != '\\' || p + 1 == end) {
            strbuf_addch(&sb, *p++);
            continue;
        }
        p++;
        switch (*p) {
        case 'x':
            v = read_hex(p + 1, end, 2);
            if (v < 0)
                break;
            put_utf8(&sb, (unsigned long)v);
            p += 3;
            continue;
        case 'u':
            v = read_hex(p + 1, end, 4);
            if (v < 0)
                break;
            p += 5;
            /* A high surrogate followed by \uDC00-\uDFFF is one character. */
            if (v >= 0xD800 && v <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                lo = read_hex(p + 2, end, 4);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            put_utf8(&sb, (unsigned long)v);
            continue;
        case 'n':
            strbuf_addch(&sb, '\n');
            p++;
            continue;
        case 'r':
            strbuf_addch(&sb, '\r');
            p++;
            continue;
        case 't':
            strbuf_addch(&sb, '\t');
            p++;
            continue;
        case 'b':
        case 'f':
        case 'v':
        case '0':
            p++;
            continue;
        case '\n':
            p++;
            continue;
        default:
            break;
        }
        /* \<char> is the character itself (\\ \' \" \/ and unknown escapes). */
        strbuf_addch(&sb, *p++);
    }
    return strbuf_detach(&sb, NULL);
}

static const struct {
    const char *name; /* without & and ; */
    unsigned long cp;
} entities[] = {
    { "amp", '&' },       { "lt", '<' },       { "gt", '>' },       { "quot", '"' },
    { "apos", '\'' },     { "nbsp", 0xA0 },    { "ensp", 0x2002 },  { "emsp", 0x2003 },
    { "ldquo", 0x201C },  { "rdquo", 0x201D }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 },
    { "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 }, { "middot", 0xB7 },
    { "copy", 0xA9 },     { "reg", 0xAE },     { "times", 0xD7 },
};

/* Decodes the reference at p (just after '&'); returns its length up to and including ';', or
 * 0 when it is not one we know. */
static size_t read_entity(const char *p, const char *end, unsigned long *cp)
{
    const char *q = p;
    unsigned long v = 0;

    if (q < end && *q == '#') {
        bool hex = ++q < end && (*q == 'x' || *q == 'X');
        const char *digits = q += hex;
        while (q < end && (hex ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q))) {
            int c = tolower((unsigned char)*q++);
            if (v <= 0x10FFFF)
                v = v * (hex ? 16 : 10) + (unsigned long)(isdigit(c) ? c - '0' : c - 'a' + 10);
        }
        if (q == digits || q == end || *q != ';')
            return 0;
        *cp = v;
        return (size_t)(q + 1 - p);
    }
    for (size_t i = 0; i < ARC_ARRAY_SIZE(entities); i++) {
        size_t n = strlen(entities[i].name);
        if ((size_t)(end - p) > n && !memcmp(p, entities[i].name, n) && p[n] == ';') {
            *cp = entities[i].cp;
            return n + 1;
        }
    }
    return 0;
}

char *conv__html_decode(const char *s, size_t len)
{
    struct strbuf sb = STRBUF_INIT;
    const char *p = s, *end = s + len;
    unsigned long cp;
    size_t n;

    strbuf_grow(&sb, len);
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        if (!amp) {
            strbuf_add(&sb, p, (size_t)(end - p));
            break;
        }
        strbuf_add(&sb, p, (size_t)(amp - p));
        p = amp + 1;
        n = read_entity(p, end, &cp);
        if (!n) {
            strbuf_addch(&sb, '&');
            continue;
        }
        put_utf8(&sb, cp);
        p += n;
    }
    return strbuf_detach(&sb, NULL);
}

/* Length of the white space character at p (ASCII, U+00A0, U+3000), 0 when it is none. */
static size_t space_len(const unsigned char *p, const unsigned char *end)
{
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
        return 1;
    if (end - p >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if (end - p >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3;
    return 0;
}

void conv__squash_space(char *s)
{
    unsigned char *r = (unsigned char *)s, *w = r, *end = r + strlen(s);
    bool pending = false;
    size_t n;

    while (r < end) {
        n = space_len(r, end);
        if (n) {
            pending = w != (unsigned char *)s;
            r += n;
            continue;
        }
        if (pending)
            *w++ = ' ';
        pending = false;
        *w++ = *r++;
    }
    *w = '\0';
}

const char *conv__memmem(const char *hay, size_t len, const char *needle)
{
    return memmem(hay, len, needle, strlen(needle));
}

/* --- script variables --- */

static bool is_ident(int c)
{
    return isalnum(c) || c == '_' || c == '$' || c == '.';
}

static const char *skip_blank(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Reads the literal after `var NAME = ` at p; NULL when it is not a string literal. */
static char *read_var_literal(const char *p, const char *end)
{
    bool html = false;
    const char *q, *close;
    char quote, *raw, *dec;

    if (end - p > 11 && !memcmp(p, "htmlDecode(", 11)) {
        html = true;
        p += 11;
    }
    if (p >= end || (*p != '"' && *p != '\''))
        return NULL;
    quote = *p++;
    for (q = p; q < end && *q != quote; q++) {
        if (*q == '\n' || (size_t)(q - p) > VAR_MAX_BYTES)
            return NULL;
        if (*q == '\\')
            q++;
    }
    if (q >= end)
        return NULL;
    close = q + 1;
    if (html && (close >= end || *close != ')'))
        return NULL;
    close += html;
    if (end - close >= 12 && !memcmp(close, ".html(false)", 12))
        html = true;
    else if (close < end && !strchr(";|*,)\r\n ", *close))
        return NULL; /* "a" + b and the like: not a plain literal */
    raw = conv__js_decode(p, (size_t)(q - p));
    if (!html)
        return raw;
    dec = conv__html_decode(raw, strlen(raw));
    free(raw);
    return dec;
}

char *conv__script_var(const char *buf, size_t len, const char *name)
{
    char pat[64];
    const char *p = buf, *end = buf + len, *hit;
    size_t n = strlen(name);
    char *v;

    if (n + 8 > sizeof(pat))
        return NULL;
    memcpy(pat, "var ", 4);
    memcpy(pat + 4, name, n);
    memcpy(pat + 4 + n, " = ", 4);
    n += 7;
    while ((hit = memmem(p, (size_t)(end - p), pat, n))) {
        p = hit + n;
        if (hit > buf && is_ident((unsigned char)hit[-1]))
            continue;
        v = read_var_literal(p, end);
        if (v)
            return v;
    }
    return NULL;
}

/* --- the cgiDataNew literal --- */

static const char *skip_string(const char *p, const char *end)
{
    char quote = *p++;

    while (p < end && *p != quote)
        p += *p == '\\' ? 2 : 1;
    return p < end ? p + 1 : end;
}

/* The end of the value at p: the ',' or unmatched closing bracket after it, or end. */
static const char *skip_value(const char *p, const char *end)
{
    size_t depth = 0;

    while (p < end) {
        switch (*p) {
        case '\'':
        case '"':
        case '`':
            p = skip_string(p, end);
            continue;
        case '{':
        case '[':
        case '(':
            depth++;
            break;
        case '}':
        case ']':
        case ')':
            if (!depth)
                return p;
            depth--;
            break;
        case ',':
            if (!depth)
                return p;
            break;
        default:
            break;
        }
        p++;
    }
    return end;
}

/* Just past the bracket that closes the one at p, or end. */
static const char *match_close(const char *p, const char *end)
{
    const char *close = p + 1;

    /* skip_value() stops at commas between members; step over them until the closer. */
    while ((close = skip_value(close, end)) < end && *close == ',')
        close++;
    return close < end ? close + 1 : end;
}

bool conv__cgi_find(const char *buf, size_t len, struct conv_lit *obj)
{
    static const char pat[] = "window.cgiDataNew";
    const char *end = buf + len, *p = memmem(buf, len, pat, sizeof(pat) - 1);

    if (!p)
        return false;
    p = skip_blank(p + sizeof(pat) - 1, end);
    if (p >= end || *p != '=')
        return false;
    p = skip_blank(p + 1, end);
    if (p >= end || *p != '{')
        return false;
    obj->p = p;
    obj->end = match_close(p, end);
    return true;
}

bool conv__lit_get(const struct conv_lit *obj, const char *key, struct conv_lit *val)
{
    const char *p = obj->p, *end = obj->end, *k, *kend;
    size_t klen = strlen(key);

    if (p >= end || *p != '{')
        return false;
    p++;
    for (;;) {
        while (p < end && (*p == ',' || isspace((unsigned char)*p)))
            p++;
        if (p >= end || *p == '}')
            return false;
        if (*p == '\'' || *p == '"') {
            k = p + 1;
            p = skip_string(p, end);
            kend = p - 1;
        } else {
            k = p;
            while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '$'))
                p++;
            kend = p;
        }
        p = skip_blank(p, end);
        if (kend <= k || p >= end || *p != ':')
            return false;
        val->p = skip_blank(p + 1, end);
        val->end = skip_value(val->p, end);
        if ((size_t)(kend - k) == klen && !memcmp(k, key, klen))
            return true;
        p = val->end;
    }
}

bool conv__lit_next(const struct conv_lit *arr, struct conv_lit *it)
{
    const char *p = it->p ? it->end : arr->p + 1, *end = arr->end;

    if (arr->p >= end || *arr->p != '[')
        return false;
    while (p < end && (*p == ',' || isspace((unsigned char)*p)))
        p++;
    if (p >= end || *p == ']')
        return false;
    it->p = p;
    it->end = skip_value(p, end);
    return true;
}

char *conv__lit_string(const struct conv_lit *val)
{
    const char *p = skip_blank(val->p, val->end), *end = val->end, *close;

    if (end - p > 9 && !memcmp(p, "JsDecode(", 9))
        p = skip_blank(p + 9, end);
    if (p >= end || (*p != '\'' && *p != '"'))
        return NULL;
    close = skip_string(p, end);
    if (close == end && (close[-1] != *p || close - p < 2))
        return NULL;
    return conv__js_decode(p + 1, (size_t)(close - 1 - (p + 1)));
}

bool conv__lit_int(const struct conv_lit *val, int64_t *out)
{
    const char *p = skip_blank(val->p, val->end), *end = val->end;
    int64_t v = 0;
    bool neg = false, any = false;

    if (p < end && (*p == '\'' || *p == '"'))
        p++;
    if (p < end && *p == '-') {
        neg = true;
        p++;
    }
    for (; p < end && isdigit((unsigned char)*p); p++) {
        if (v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (*p - '0');
        any = true;
    }
    if (!any)
        return false;
    *out = neg ? -v : v;
    return true;
}

/* --- what the scripts say --- */

static bool all_of(const char *s, const char *set)
{
    if (!s || !*s)
        return false;
    return s[strspn(s, set)] == '\0';
}

#define DIGITS "0123456789"
#define HEX    "0123456789abcdefABCDEF"
#define B64    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

/* Keeps s in *dst when *dst is unset and s is non-empty and passes the check; frees it else. */
static void keep(char **dst, char *s, const char *set)
{
    if (!*dst && s && *s && (!set || all_of(s, set))) {
        *dst = s;
        return;
    }
    free(s);
}

static char *cgi_string(const struct conv_lit *cgi, const char *key)
{
    struct conv_lit v;

    if (!cgi || !conv__lit_get(cgi, key, &v))
        return NULL;
    return conv__lit_string(&v);
}

static char *cgi_number(const struct conv_lit *cgi, const char *key)
{
    struct conv_lit v;
    int64_t n;

    if (!cgi || !conv__lit_get(cgi, key, &v) || !conv__lit_int(&v, &n))
        return NULL;
    return xasprintf("%lld", (long long)n);
}

static char *html_decoded(char *s)
{
    char *d;

    if (!s)
        return NULL;
    d = conv__html_decode(s, strlen(s));
    free(s);
    return d;
}

static void script_numbers(const char *buf, size_t len, const struct conv_lit *cgi,
                           struct conv_meta *m)
{
    struct conv_lit v, cr;
    int64_t n;
    char *s;

    if (cgi && conv__lit_get(cgi, "ori_create_time", &v) && conv__lit_int(&v, &n) && n > 0)
        m->published = n;
    s = conv__script_var(buf, len, "ct");
    if (!m->published && all_of(s, DIGITS))
        m->published = strtoll(s, NULL, 10);
    free(s);

    s = conv__script_var(buf, len, "item_show_type");
    if (all_of(s, DIGITS) && strlen(s) < 6)
        m->item_show_type = (int)strtol(s, NULL, 10);
    else if (cgi && conv__lit_get(cgi, "item_show_type", &v) && conv__lit_int(&v, &n) && n >= 0 &&
             n < 100000)
        m->item_show_type = (int)n;
    free(s);

    s = conv__script_var(buf, len, "copyright_stat");
    if (s && !strcmp(s, "1"))
        m->original = true;
    else if (!s && cgi && conv__lit_get(cgi, "copyright_info", &cr) &&
             conv__lit_get(&cr, "copyright_stat", &v) && conv__lit_int(&v, &n) && n == 1)
        m->original = true;
    free(s);
}

void conv__meta_from_scripts(const char *buf, size_t len, const struct conv_lit *cgi,
                             struct conv_meta *m)
{
    keep(&m->title, conv__script_var(buf, len, "msg_title"), NULL);
    keep(&m->title, cgi_string(cgi, "title"), NULL);
    keep(&m->account, conv__script_var(buf, len, "nickname"), NULL);
    keep(&m->account, cgi_string(cgi, "nick_name"), NULL);
    keep(&m->account_id, conv__script_var(buf, len, "user_name"), NULL);
    if (m->account_id && strncmp(m->account_id, "gh_", 3)) {
        free(m->account_id);
        m->account_id = NULL;
    }
    keep(&m->account_id, cgi_string(cgi, "user_name"), NULL);
    if (m->account_id && strncmp(m->account_id, "gh_", 3)) {
        free(m->account_id);
        m->account_id = NULL;
    }
    keep(&m->author, conv__script_var(buf, len, "author"), NULL);
    keep(&m->author, cgi_string(cgi, "author"), NULL);
    keep(&m->description, conv__script_var(buf, len, "msg_desc"), NULL);
    keep(&m->description, html_decoded(cgi_string(cgi, "desc")), NULL);
    keep(&m->cover, html_decoded(conv__script_var(buf, len, "msg_cdn_url")), NULL);
    keep(&m->cover, html_decoded(cgi_string(cgi, "cdn_url")), NULL);

    keep(&m->biz, conv__script_var(buf, len, "biz"), B64);
    keep(&m->biz, cgi_string(cgi, "bizuin"), B64);
    keep(&m->mid, conv__script_var(buf, len, "mid"), DIGITS);
    keep(&m->mid, cgi_number(cgi, "mid"), DIGITS);
    keep(&m->idx, conv__script_var(buf, len, "idx"), DIGITS);
    keep(&m->idx, cgi_number(cgi, "idx"), DIGITS);
    keep(&m->sn, conv__script_var(buf, len, "sn"), HEX);
    keep(&m->sn, cgi_string(cgi, "sn"), HEX);
    script_numbers(buf, len, cgi, m);
}
