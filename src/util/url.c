/* util/url.c: URL parsing, resolving and normalizing over libcurl's URL API. */
#include "util/url.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "util/alloc.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* --- helpers --- */

static bool is_http_scheme(const char *scheme)
{
    /* curl lowercases the scheme it parses. */
    return scheme && (!strcmp(scheme, "http") || !strcmp(scheme, "https"));
}

/* A curl-owned result as a string of ours; NULL stays NULL. */
static char *take_curl_string(char *s)
{
    char *r;

    if (!s)
        return NULL;
    r = xstrdup(s);
    curl_free(s);
    return r;
}

static char *get_part(CURLU *h, CURLUPart part, unsigned flags)
{
    char *s = NULL;

    if (curl_url_get(h, part, &s, flags) != CURLUE_OK)
        return NULL;
    return take_curl_string(s);
}

static bool handle_is_http(CURLU *h)
{
    char *scheme = get_part(h, CURLUPART_SCHEME, 0);
    bool ok = is_http_scheme(scheme);

    free(scheme);
    return ok;
}

/* Parses an absolute URL; http_only refuses every scheme but http and https.  NULL on failure. */
static CURLU *parse_absolute(const char *url, bool http_only)
{
    CURLU *h;

    if (!url)
        return NULL;
    h = curl_url();
    if (!h)
        return NULL;
    if (curl_url_set(h, CURLUPART_URL, url, http_only ? 0 : CURLU_NON_SUPPORT_SCHEME) !=
            CURLUE_OK ||
        (http_only && !handle_is_http(h))) {
        curl_url_cleanup(h);
        return NULL;
    }
    return h;
}

static void ascii_lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Percent-decodes len bytes; NULL when the result would hold a NUL byte. */
static char *decode(const char *s, size_t len)
{
    int outlen = 0;
    char *d;

    if (len > INT_MAX)
        return NULL;
    if (len == 0)
        return xstrdup("");
    d = curl_easy_unescape(NULL, s, (int)len, &outlen);
    if (!d)
        return NULL;
    if (outlen < 0 || strlen(d) != (size_t)outlen) {
        curl_free(d);
        return NULL;
    }
    return take_curl_string(d);
}

/* One "name=value" part of a query string; value_at is NULL when there is no '='. */
struct query_part {
    const char *s;
    size_t len;
    const char *value_at;
};

/* Splits off the part at *p (advancing past its '&'); false at the end of the query. */
static bool next_part(const char **p, struct query_part *part)
{
    const char *end;

    if (!**p)
        return false;
    end = strchr(*p, '&');
    if (!end)
        end = *p + strlen(*p);
    part->s = *p;
    part->len = (size_t)(end - *p);
    part->value_at = memchr(part->s, '=', part->len);
    if (part->value_at)
        part->value_at++;
    *p = *end ? end + 1 : end;
    return true;
}

static bool part_named(const struct query_part *part, const char *name)
{
    size_t nlen = part->value_at ? (size_t)(part->value_at - 1 - part->s) : part->len;
    char *decoded = decode(part->s, nlen);
    bool match = decoded && !strcmp(decoded, name);

    free(decoded);
    return match;
}

static bool name_in(const struct query_part *part, const char *const *names)
{
    for (; names && *names; names++)
        if (part_named(part, *names))
            return true;
    return false;
}

/* --- public --- */

bool url_is_http(const char *url)
{
    CURLU *h = parse_absolute(url, true);

    curl_url_cleanup(h);
    return h != NULL;
}

char *url_normalize(const char *url)
{
    CURLU *h = parse_absolute(url, true);
    char *host, *query, *out = NULL;

    if (!h)
        return NULL;
    host = get_part(h, CURLUPART_HOST, 0);
    if (!host)
        goto out;
    ascii_lower(host);
    if (curl_url_set(h, CURLUPART_HOST, host, 0) != CURLUE_OK)
        goto out;
    query = get_part(h, CURLUPART_QUERY, 0);
    if (query && !*query && curl_url_set(h, CURLUPART_QUERY, NULL, 0) != CURLUE_OK) {
        free(query);
        goto out;
    }
    free(query);
    if (curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK)
        goto out;
    out = get_part(h, CURLUPART_URL, CURLU_NO_DEFAULT_PORT);
out:
    free(host);
    curl_url_cleanup(h);
    return out;
}

char *url_resolve(const char *base, const char *ref)
{
    CURLU *h;
    char *trimmed = NULL, *out = NULL;
    size_t len;

    if (!ref)
        return NULL;
    h = parse_absolute(base, false);
    if (!h)
        return NULL;
    /* Browsers ignore white space around an attribute's URL; so do we. */
    while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r' || *ref == '\f')
        ref++;
    len = strlen(ref);
    while (len > 0 && strchr(" \t\n\r\f", ref[len - 1]))
        len--;
    trimmed = xstrndup(ref, len);
    /* curl resolves "" and "#frag" against the base's directory; RFC 3986 keeps the whole base
     * (5.2.2), so those two are done here with curl's part setters. */
    if (!*trimmed) {
        if (curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK)
            goto out;
    } else if (*trimmed == '#') {
        if (curl_url_set(h, CURLUPART_FRAGMENT, trimmed[1] ? trimmed + 1 : NULL, 0) != CURLUE_OK)
            goto out;
    } else if (curl_url_set(h, CURLUPART_URL, trimmed, 0) != CURLUE_OK) {
        goto out;
    }
    if (handle_is_http(h))
        out = get_part(h, CURLUPART_URL, 0);
out:
    free(trimmed);
    curl_url_cleanup(h);
    return out;
}

char *url_query_param(const char *url, const char *name)
{
    CURLU *h = parse_absolute(url, false);
    char *query, *out = NULL;
    const char *p;
    struct query_part part;

    if (!h || !name)
        goto out_handle;
    query = get_part(h, CURLUPART_QUERY, 0);
    p = query ? query : "";
    while (next_part(&p, &part)) {
        if (!part_named(&part, name))
            continue;
        if (part.value_at)
            out = decode(part.value_at, part.len - (size_t)(part.value_at - part.s));
        else
            out = xstrdup("");
        break;
    }
    free(query);
out_handle:
    curl_url_cleanup(h);
    return out;
}

char *url_host(const char *url)
{
    CURLU *h = parse_absolute(url, false);
    char *host;

    if (!h)
        return NULL;
    host = get_part(h, CURLUPART_HOST, 0);
    curl_url_cleanup(h);
    if (host && !*host) {
        free(host);
        return NULL;
    }
    if (host)
        ascii_lower(host);
    return host;
}

char *url_path(const char *url)
{
    CURLU *h = parse_absolute(url, false);
    char *path;

    if (!h)
        return NULL;
    path = get_part(h, CURLUPART_PATH, 0);
    curl_url_cleanup(h);
    return path;
}

char *url_drop_params(const char *url, const char *const *names)
{
    CURLU *h = parse_absolute(url, false);
    struct strbuf kept = STRBUF_INIT;
    struct query_part part;
    char *query, *out = NULL;
    const char *p;

    if (!h)
        return NULL;
    query = get_part(h, CURLUPART_QUERY, 0);
    p = query ? query : "";
    while (next_part(&p, &part)) {
        if (!part.len || name_in(&part, names))
            continue;
        if (kept.len)
            strbuf_addch(&kept, '&');
        strbuf_add(&kept, part.s, part.len);
    }
    if (curl_url_set(h, CURLUPART_QUERY, kept.len ? kept.buf : NULL, 0) == CURLUE_OK)
        out = get_part(h, CURLUPART_URL, 0);
    free(query);
    strbuf_release(&kept);
    curl_url_cleanup(h);
    return out;
}

char *url_upgrade_https(const char *url, const char *const *hosts)
{
    CURLU *h = parse_absolute(url, true);
    char *scheme, *host, *out = NULL;
    bool listed = false;

    if (!h)
        return NULL;
    scheme = get_part(h, CURLUPART_SCHEME, 0);
    host = get_part(h, CURLUPART_HOST, 0);
    if (host)
        ascii_lower(host);
    for (size_t i = 0; host && hosts && hosts[i] && !listed; i++)
        listed = !strcmp(host, hosts[i]);
    if (scheme && !strcmp(scheme, "http") && listed &&
        (curl_url_set(h, CURLUPART_SCHEME, "https", 0) != CURLUE_OK ||
         curl_url_set(h, CURLUPART_PORT, NULL, 0) != CURLUE_OK))
        listed = false; /* cannot happen with a parsed URL; keep it as it was */
    /* The fragment never goes to the server ("#wechat_redirect"): not part of what is fetched. */
    if (curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK)
        out = get_part(h, CURLUPART_URL, 0);
    free(scheme);
    free(host);
    curl_url_cleanup(h);
    return out ? out : xstrdup(url);
}
