/* index/id.c: the stable article id of a URL (the name of its directory in the archive). */
#include "index/index.h"

#include <stdlib.h>
#include <string.h>

#include "index/internal.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/url.h"
#include "util/banned.h"

#define WECHAT_HOST "mp.weixin.qq.com"
/* Hex digits of the SHA-256 kept in "u" ids: 64 bits make collisions in one archive unlikely. */
#define ID_HASH_DIGITS 16

/* Query parameters WeChat adds for tracking and sharing; they never change the article. */
static const char *const wechat_noise[] = {
    "chksm",
    "scene",
    "mpshare",
    "srcid",
    "sharer_sharetime",
    "sharer_shareid",
    "sharer_shareinfo",
    "sharer_shareinfo_first",
    "from",
    "isappinstalled",
    "clicktime",
    "enterid",
    "ascene",
    "devicetype",
    "version",
    "nettype",
    "abtest_cookie",
    "lang",
    "exportkey",
    "pass_ticket",
    "wx_header",
    "sessionid",
    "subscene",
    "poc_token",
    "key",
    "uin",
    "click_id",
    "realreporttime",
    "share_token",
    "countrycode",
    NULL,
};

void idx__unescape_amp(char *s)
{
    char *r = s, *w = s;

    while (*r) {
        if (!strncmp(r, "&amp;", 5)) {
            *w++ = '&';
            r += 5;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

static bool is_safe_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static bool is_safe(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!is_safe_char(*s))
            return false;
    return true;
}

/* "<token>" of "/s/<token>" (a trailing slash allowed) when it is directory-safe; else NULL. */
static char *short_token(const char *path)
{
    size_t len;
    char *tok;

    if (strncmp(path, "/s/", 3))
        return NULL;
    path += 3;
    len = strlen(path);
    while (len > 0 && path[len - 1] == '/')
        len--;
    tok = xstrndup(path, len);
    if (is_safe(tok))
        return tok;
    free(tok);
    return NULL;
}

static bool is_article_path(const char *path)
{
    return !strcmp(path, "/s") || !strcmp(path, "/s/") || !strcmp(path, "/mp/appmsg/show") ||
           !strcmp(path, "/mp/appmsg/show/");
}

/* "<biz>-<mid>-<idx>" of a long link, the base64 biz made filename-safe; NULL when a part is
 * missing or not directory-safe. */
static char *long_form(const char *url)
{
    char *biz = url_query_param(url, "__biz");
    char *mid = url_query_param(url, "mid");
    char *idx = url_query_param(url, "idx");
    char *out = NULL, *w;
    const char *r;

    if (!biz || !mid || !idx)
        goto out;
    /* base64 to the URL-safe alphabet; the padding carries no information. */
    for (r = w = biz; *r; r++) {
        if (*r == '=')
            continue;
        *w++ = *r == '+' ? '-' : *r == '/' ? '_' : *r;
    }
    *w = '\0';
    if (is_safe(biz) && is_safe(mid) && is_safe(idx))
        out = xasprintf("%s-%s-%s", biz, mid, idx);
out:
    free(biz);
    free(mid);
    free(idx);
    return out;
}

static char *hash_form(const char *normalized)
{
    char hex[HASH_SHA256_HEX];

    hash_sha256_hex(normalized, strlen(normalized), hex);
    return xasprintf("u%.*s", ID_HASH_DIGITS, hex);
}

char *idx_article_id(const char *url)
{
    char *copy, *norm, *host = NULL, *path = NULL, *id = NULL;

    if (!url)
        return NULL;
    copy = xstrdup(url);
    idx__unescape_amp(copy);
    norm = url_normalize(copy);
    free(copy);
    if (!norm)
        return NULL;
    host = url_host(norm);
    path = url_path(norm);
    if (host && path && !strcmp(host, WECHAT_HOST)) {
        id = short_token(path);
        if (!id && is_article_path(path))
            id = long_form(norm);
        if (!id) {
            /* Some other WeChat page: hash it without the noise, so shares still match. */
            char *clean = url_drop_params(norm, wechat_noise);
            if (clean) {
                free(norm);
                norm = clean;
            }
        }
    }
    if (!id)
        id = hash_form(norm);
    free(host);
    free(path);
    free(norm);
    return id;
}
