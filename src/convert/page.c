/* convert/page.c: a page's bytes in, classification, metadata and Doc tree out.
 *
 * Order of work: guards on the raw bytes (size, not HTML), the captcha redirect, a clean UTF-8
 * copy when needed, the raw scans (script variables, cgiDataNew, script-only walls), the depth
 * pre-scan, ONE gumbo parse, then classification, metadata and the body for the page's type. */
#include "convert/internal.h"
#include "convert/page.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/url.h"
#include "util/banned.h"

/* gumbo builds a node per tag; real pages have < 2,000 tags, so past this many the rest of the
 * page is not parsed (50 MB of <p>x</p> would otherwise cost gigabytes). */
#define PAGE_MAX_TAGS 200000
/* How far into a page its start is looked for ("<html", "<!doctype"). */
#define SNIFF_BYTES 1024
/* Untitled text posts are named after their first characters. */
#define TITLE_CHARS 20
/* Message and title text read from the tree is cut here. */
#define TEXT_MAX_BYTES (64u * 1024)

static const char *const class_names[] = {
#define X(name, text) text,
    CONV_CLASS_MAP(X)
#undef X
};

const char *conv_class_name(enum conv_class cls)
{
    if ((unsigned)cls >= CONV_CLASS__COUNT)
        return "unknown";
    return class_names[cls];
}

const char *conv_kind_name(enum conv_kind kind)
{
    switch (kind) {
    case CONV_KIND_NORMAL:
        return "article";
    case CONV_KIND_IMAGE_POST:
        return "image-post";
    case CONV_KIND_TEXT_POST:
        return "text-post";
    case CONV_KIND_REPOST:
        return "repost";
    case CONV_KIND_VIDEO:
        return "video";
    case CONV_KIND_AUDIO:
        return "audio";
    case CONV_KIND_OTHER:
        return "other";
    case CONV_KIND__COUNT:
        break;
    }
    return "unknown";
}

static void meta_release(struct conv_meta *m)
{
    free(m->title);
    free(m->account);
    free(m->account_id);
    free(m->author);
    free(m->description);
    free(m->cover);
    free(m->short_url);
    free(m->long_url);
    free(m->biz);
    free(m->mid);
    free(m->idx);
    free(m->sn);
    free(m->original_url);
    free(m->migrated_to);
    memset(m, 0, sizeof(*m));
}

void conv_page_release(struct conv_page *page)
{
    if (!page)
        return;
    meta_release(&page->meta);
    doc_free(page->doc);
    for (size_t i = 0; i < page->nimages; i++) {
        free(page->images[i]);
        if (page->image_local)
            free(page->image_local[i]);
    }
    free(page->images);
    free(page->image_local);
    free(page->detail);
    memset(page, 0, sizeof(*page));
}

/* --- guards --- */

static bool looks_like_html(const char *buf, size_t len)
{
    const unsigned char *p = (const unsigned char *)buf, *end = p + len;
    size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES;

    if (len >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
        return true; /* UTF-16: charset.c converts it */
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        p += 3;
    while (p < end && (isspace(*p) || *p == 0))
        p++;
    if (end - p >= 2 && p[0] == '<' && (isalpha(p[1]) || p[1] == '!' || p[1] == '?'))
        return true;
    for (size_t i = 0; i + 5 <= n; i++) {
        if (buf[i] == '<' &&
            (!strncasecmp(buf + i, "<html", 5) || !strncasecmp(buf + i, "<!doc", 5)))
            return true;
    }
    return false;
}

/* The length of the prefix gumbo gets: all of it, unless it has more than PAGE_MAX_TAGS tags. */
static size_t parse_limit(const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len;
    size_t tags = 0;

    while ((p = memchr(p, '<', (size_t)(end - p)))) {
        if (p + 1 < end && isalpha((unsigned char)p[1]) && ++tags > PAGE_MAX_TAGS)
            return (size_t)(p - buf);
        p++;
    }
    return len;
}

static void unreadable(struct conv_page *out, char *detail)
{
    out->cls = CONV_UNREADABLE;
    out->detail = detail;
}

/* --- metadata --- */

static char *node_text(const GumboNode *n)
{
    char *s;

    if (!n)
        return NULL;
    s = conv__node_text(n, TEXT_MAX_BYTES);
    if (*s)
        return s;
    free(s);
    return NULL;
}

static char *dup_squashed(const char *s)
{
    char *d;

    if (!s)
        return NULL;
    d = xstrdup(s);
    conv__squash_space(d);
    if (*d)
        return d;
    free(d);
    return NULL;
}

/* Takes s into *dst when *dst is unset and s is not empty; frees it otherwise. */
static void take(char **dst, char *s)
{
    if (!*dst && s && *s) {
        *dst = s;
        return;
    }
    free(s);
}

/* Files a WeChat link as the short (/s/<token>) or long (/s?__biz=…) form. */
static void add_link(struct conv_meta *m, const char *link)
{
    char *host, *path, *biz, *u;

    if (!link || !url_is_http(link))
        return;
    u = conv__html_decode(link, strlen(link));
    host = url_host(u);
    path = url_path(u);
    if (host && path && !strcmp(host, "mp.weixin.qq.com")) {
        if (!strncmp(path, "/s/", 3) && path[3] && !m->short_url) {
            m->short_url = url_normalize(u);
        } else if (!strcmp(path, "/s") && !m->long_url && (biz = url_query_param(u, "__biz"))) {
            m->long_url = url_normalize(u);
            free(biz);
        }
    }
    free(host);
    free(path);
    free(u);
}

static bool is_wechat_host(const char *url)
{
    char *host = url ? url_host(url) : NULL;
    bool yes = host && !strcmp(host, "mp.weixin.qq.com");

    free(host);
    return yes;
}

static enum conv_kind kind_of(const struct conv_meta *m, const struct conv_dom *d)
{
    switch (m->item_show_type) {
    case 8:
        return CONV_KIND_IMAGE_POST;
    case 10:
        return CONV_KIND_TEXT_POST;
    case 5:
        return CONV_KIND_VIDEO;
    case 7:
        return CONV_KIND_AUDIO;
    default:
        break;
    }
    if (d->share_source && conv__attr(d->share_source, "data-url")) {
        char *t = conv__node_text(d->content, 64);
        bool empty = !*t;
        free(t);
        if (empty)
            return CONV_KIND_REPOST;
    }
    if (m->item_show_type <= 0)
        return CONV_KIND_NORMAL;
    return CONV_KIND_OTHER;
}

/* The first TITLE_CHARS characters of text, and "…" when there was more. */
static char *first_words(const char *text)
{
    char *s = xstrdup(text);
    size_t i = 0, chars = 0;

    conv__squash_space(s);
    while (s[i] && chars < TITLE_CHARS) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    if (!s[i])
        return s;
    s[i] = '\0';
    while (i > 0 && s[i - 1] == ' ')
        s[--i] = '\0';
    char *t = xasprintf("%s…", s);
    free(s);
    return t;
}

static void article_meta(const char *buf, size_t len, const struct conv_lit *cgi,
                         const struct conv_dom *d, const struct conv_input *in, struct conv_meta *m)
{
    char *s;

    take(&m->title, node_text(d->activity));
    take(&m->title, node_text(d->old_title));
    take(&m->title, dup_squashed(d->og_title));
    take(&m->account, node_text(d->name));
    take(&m->cover, d->og_image && url_is_http(d->og_image) ? xstrdup(d->og_image) : NULL);
    conv__meta_from_scripts(buf, len, cgi, m);
    /* og:description carries the script's escapes (\x0a) verbatim: the scripts come first. */
    take(&m->description, dup_squashed(d->og_desc));
    if (m->title)
        conv__squash_space(m->title);
    take(&m->author, node_text(d->author));
    if (!m->original && d->copyright) {
        s = conv__node_text(d->copyright, 64);
        m->original = strstr(s, "原创") != NULL;
        free(s);
    }

    add_link(m, d->og_url);
    s = conv__script_var(buf, len, "msg_link");
    add_link(m, s);
    free(s);
    if (cgi) {
        struct conv_lit v;
        if (conv__lit_get(cgi, "link", &v) && (s = conv__lit_string(&v))) {
            add_link(m, s);
            free(s);
        }
    }
    add_link(m, in->final_url);
    add_link(m, in->url);
    if (!m->long_url && m->biz && m->mid && m->idx && m->sn)
        m->long_url = xasprintf("https://mp.weixin.qq.com/s?__biz=%s&mid=%s&idx=%s&sn=%s", m->biz,
                                m->mid, m->idx, m->sn);

    if (d->share_source && conv__attr(d->share_source, "data-url"))
        m->original_url = url_resolve(in->final_url ? in->final_url : in->url,
                                      conv__attr(d->share_source, "data-url"));
    if (!m->original_url && conv__attr(d->share_source, "data-url") &&
        url_is_http(conv__attr(d->share_source, "data-url")))
        m->original_url = xstrdup(conv__attr(d->share_source, "data-url"));
    m->kind = kind_of(m, d);
}

/* --- bodies --- */

static bool looks_like_markup(const char *s)
{
    for (const char *p = s; (p = strchr(p, '<')); p++) {
        if (isalpha((unsigned char)p[1]) || p[1] == '/' || p[1] == '!')
            return true;
    }
    return false;
}

/* Plain text as paragraphs: blank lines split paragraphs, single newlines are breaks. */
static void add_plain_text(struct conv_body *b, struct doc_node *parent, const char *s)
{
    struct doc_node *para = NULL;
    const char *line = s, *nl, *a, *z;

    for (; *line; line = *nl ? nl + 1 : nl) {
        nl = strchr(line, '\n');
        if (!nl)
            nl = line + strlen(line);
        for (a = line; a < nl && isspace((unsigned char)*a); a++)
            ;
        for (z = nl; z > a && isspace((unsigned char)z[-1]); z--)
            ;
        if (a == z) {
            para = NULL;
            continue;
        }
        if (para)
            doc_append(b->doc, para, DOC_BREAK);
        else
            para = doc_append(b->doc, parent, DOC_PARA);
        doc_append_text(b->doc, para, a, (size_t)(z - a));
    }
}

static void add_text_or_html(struct conv_body *b, struct doc_node *parent, const char *s)
{
    struct strbuf why = STRBUF_INIT;

    if (!s || !*s)
        return;
    if (!looks_like_markup(s)) {
        add_plain_text(b, parent, s);
        return;
    }
    /* A fragment that will not map leaves the body as it is; the page is still an article. */
    if (conv__map_html(b, s, strlen(s), parent, &why))
        add_plain_text(b, parent, "");
    strbuf_release(&why);
}

static char *cgi_text(const struct conv_lit *cgi, const char *key)
{
    struct conv_lit v;

    if (!cgi || !conv__lit_get(cgi, key, &v))
        return NULL;
    return conv__lit_string(&v);
}

static void add_pictures(struct conv_body *b, const struct conv_lit *cgi)
{
    struct conv_lit list, it = { 0 }, v;
    int64_t n;

    if (!cgi || !conv__lit_get(cgi, "picture_page_info_list", &list))
        return;
    while (conv__lit_next(&list, &it)) {
        char *raw = conv__lit_get(&it, "cdn_url", &v) ? conv__lit_string(&v) : NULL;
        char *url = raw ? conv__html_decode(raw, strlen(raw)) : NULL;
        const char *src = url ? conv__add_image(b, url) : NULL;
        if (src) {
            struct doc_node *img = doc_append(b->doc, b->doc->root, DOC_IMAGE);
            img->u.image.src = doc_strdup(b->doc, src);
            if (conv__lit_get(&it, "width", &v) && conv__lit_int(&v, &n) && n > 0 && n < 100000)
                img->u.image.width = (int)n;
            if (conv__lit_get(&it, "height", &v) && conv__lit_int(&v, &n) && n > 0 && n < 100000)
                img->u.image.height = (int)n;
        }
        free(raw);
        free(url);
    }
}

static void add_repost_card(struct conv_body *b, const struct conv_dom *d,
                            const struct conv_meta *m)
{
    struct doc_node *para, *link;
    char *title = node_text(d->share_title), *account = node_text(d->share_author);

    if (m->description)
        add_plain_text(b, b->doc->root, m->description);
    para = doc_append(b->doc, b->doc->root, DOC_PARA);
    if (!title)
        title = xstrdup(m->title ? m->title : "原文");
    if (m->original_url && doc_href_is_safe(m->original_url)) {
        link = doc_append(b->doc, para, DOC_LINK);
        link->u.link.href = doc_strdup(b->doc, m->original_url);
        doc_append_text(b->doc, link, title, strlen(title));
    } else {
        doc_append_text(b->doc, para, title, strlen(title));
    }
    if (account) {
        doc_append_text(b->doc, para, " — ", strlen(" — "));
        doc_append_text(b->doc, para, account, strlen(account));
    }
    free(title);
    free(account);
}

static void article_body(struct conv_body *b, const struct conv_lit *cgi, const struct conv_dom *d,
                         struct conv_meta *m)
{
    struct conv_lit tp;
    char *s = NULL, *t;

    switch (m->kind) {
    case CONV_KIND_IMAGE_POST:
        add_pictures(b, cgi);
        s = cgi_text(cgi, "content_noencode");
        if (!s || !*s) {
            free(s);
            t = cgi_text(cgi, "desc");
            s = t ? conv__html_decode(t, strlen(t)) : NULL;
            free(t);
        }
        add_text_or_html(b, b->doc->root, s);
        break;
    case CONV_KIND_TEXT_POST:
        if (cgi && conv__lit_get(cgi, "text_page_info", &tp))
            s = cgi_text(&tp, "content_noencode");
        if (!s || !*s) {
            free(s);
            s = cgi_text(cgi, "content_noencode");
        }
        add_text_or_html(b, b->doc->root, s);
        if (!m->title && s)
            m->title = first_words(s);
        break;
    case CONV_KIND_REPOST:
        add_repost_card(b, d, m);
        break;
    case CONV_KIND_NORMAL:
    case CONV_KIND_VIDEO:
    case CONV_KIND_AUDIO:
    case CONV_KIND_OTHER:
    case CONV_KIND__COUNT:
        if (d->content)
            conv__map_children(b, d->content, b->doc->root);
        if (!b->doc->root->first && (s = cgi_text(cgi, "content_noencode")))
            add_text_or_html(b, b->doc->root, s);
        break;
    }
    free(s);
    if (!m->title)
        m->title = xstrdup("");
}

static void generic_page(const struct conv_dom *d, struct conv_body *b, struct conv_meta *m)
{
    const GumboNode *root = d->html_article ? d->html_article
                            : d->html_main  ? d->html_main
                                            : d->body;

    take(&m->title, dup_squashed(d->og_title));
    take(&m->title, node_text(d->title));
    take(&m->description, dup_squashed(d->og_desc));
    take(&m->cover, d->og_image && url_is_http(d->og_image) ? xstrdup(d->og_image) : NULL);
    if (root)
        conv__map_children(b, root, b->doc->root);
}

/* --- the converter --- */

static void convert_parsed(const char *text, size_t tlen, const struct conv_input *in,
                           const GumboNode *root, struct conv_page *out)
{
    struct conv_lit cgi_obj, tp, v;
    const struct conv_lit *cgi = NULL;
    struct conv_raw raw = { 0 };
    struct conv_dom d;
    struct conv_body b = { 0 };
    char *s;

    if (conv__cgi_find(text, tlen, &cgi_obj)) {
        cgi = &cgi_obj;
        raw.cgi = true;
        s = cgi_text(cgi, "content_noencode");
        raw.cgi_content = (s && *s) ||
                          (conv__lit_get(cgi, "picture_page_info_list", &v) &&
                           conv__lit_next(&v, &(struct conv_lit){ 0 })) ||
                          (conv__lit_get(cgi, "text_page_info", &tp) &&
                           conv__lit_get(&tp, "content_noencode", &v) &&
                           v.end - v.p > (ptrdiff_t)sizeof("JsDecode('')"));
        free(s);
    }
    conv__raw_scan(text, tlen, &raw);
    raw.wechat_host = is_wechat_host(in->final_url ? in->final_url : in->url);
    conv__dom_collect(root, &d);
    out->cls = conv__classify(text, tlen, &raw, &d, &out->detail);

    if (out->cls == CONV_MIGRATED) {
        s = conv__script_var(text, tlen, "transferTargetLink");
        out->meta.migrated_to = s ? conv__html_decode(s, strlen(s)) : NULL;
        free(s);
    }
    if (out->cls != CONV_ARTICLE && out->cls != CONV_GENERIC)
        return;

    b.doc = doc_new();
    b.base_url = in->final_url ? in->final_url : in->url;
    if (out->cls == CONV_ARTICLE) {
        article_meta(text, tlen, cgi, &d, in, &out->meta);
        article_body(&b, cgi, &d, &out->meta);
    } else {
        generic_page(&d, &b, &out->meta);
    }
    out->doc = b.doc;
    out->images = b.images;
    out->image_local = b.locals;
    out->nimages = b.nimages;
    b.doc = NULL;
    b.images = NULL;
    b.locals = NULL;
    b.nimages = b.aimages = b.alocals = 0;
    conv__body_release(&b);
}

enum arc_err conv_page_convert(const struct conv_input *in, struct conv_page *out,
                               struct strbuf *why)
{
    GumboOptions opts = conv__gumbo_options();
    struct strbuf tmp = STRBUF_INIT;
    const char *base, *text;
    char *owned = NULL, *path;
    size_t tlen, plen;
    GumboOutput *g;

    if (!out)
        return ARC_EINVAL;
    memset(out, 0, sizeof(*out));
    out->meta.item_show_type = -1;
    if (!in || (!in->buf && in->len)) {
        strbuf_setwhy(why, "no page to convert");
        return ARC_EINVAL;
    }
    if (in->len > CONV_MAX_PAGE_BYTES) {
        unreadable(out, xasprintf("the page is %zu bytes, over the limit of %u", in->len,
                                  CONV_MAX_PAGE_BYTES));
        return ARC_OK;
    }
    base = in->final_url ? in->final_url : in->url;
    path = base ? url_path(base) : NULL;
    if (path && !strcmp(path, "/mp/wappoc_appmsgcaptcha") && is_wechat_host(base)) {
        free(path);
        out->cls = CONV_CAPTCHA;
        out->detail = xstrdup("redirected to the captcha page");
        return ARC_OK;
    }
    free(path);
    if (!in->len || !looks_like_html(in->buf, in->len)) {
        unreadable(out, xstrdup(in->len ? "not an HTML page" : "empty page"));
        return ARC_OK;
    }

    text = conv__to_utf8(in->buf, in->len, in->content_type, is_wechat_host(base), &tlen, &owned);
    plen = parse_limit(text, tlen);
    if (conv__scan_depth(text, plen, CONV_MAX_DEPTH, &tmp)) {
        unreadable(out, strbuf_detach(&tmp, NULL));
        free(owned);
        return ARC_OK;
    }
    g = gumbo_parse_with_options(&opts, text, plen);
    if (!g) {
        unreadable(out, xstrdup("gumbo could not parse the page"));
        free(owned);
        return ARC_OK;
    }
    convert_parsed(text, tlen, in, g->document, out);
    gumbo_destroy_output(&opts, g);
    strbuf_release(&tmp);
    free(owned);
    return ARC_OK;
}
