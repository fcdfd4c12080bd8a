/* convert/classify.c: what a page is: an article, a failure page of some kind, or not WeChat.
 *
 * Structure first, text second: a page with #js_article, #js_content or a cgiDataNew body is an
 * article whatever its text quotes.  Only then are the failure messages read, from the message
 * elements (.weui-msg__title, .mesg-block), the visible text, and last the raw bytes for what
 * only scripts write (the script-only verification page, 访问过于频繁). */
#include "convert/internal.h"
#include "convert/page.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* Failure pages are tiny; their visible text is read this far at most. */
#define TEXT_MAX_BYTES (64u * 1024)
/* A detail longer than this is cut (at a character boundary). */
#define DETAIL_MAX_BYTES 300

/* --- walking gumbo's tree without a stack --- */

static const GumboVector *children(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_DOCUMENT)
        return &n->v.document.children;
    if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
        return &n->v.element.children;
    return NULL;
}

/* The next node in document order after n's subtree, without leaving root; NULL at the end. */
static const GumboNode *next_skip(const GumboNode *n, const GumboNode *root)
{
    while (n != root && n->parent) {
        const GumboVector *sib = children(n->parent);
        if (n->index_within_parent + 1 < sib->length)
            return sib->data[n->index_within_parent + 1];
        n = n->parent;
    }
    return NULL;
}

static const GumboNode *next_node(const GumboNode *n, const GumboNode *root)
{
    const GumboVector *kids = children(n);

    if (kids && kids->length)
        return kids->data[0];
    return next_skip(n, root);
}

static void set_first(const GumboNode **slot, const GumboNode *n)
{
    if (!*slot)
        *slot = n;
}

static void collect_meta(const GumboNode *n, struct conv_dom *d)
{
    const char *prop = conv__attr(n, "property"), *content = conv__attr(n, "content");

    if (!prop)
        prop = conv__attr(n, "name");
    if (!prop || !content)
        return;
    if (!strcmp(prop, "og:title") && !d->og_title)
        d->og_title = content;
    else if (!strcmp(prop, "og:description") && !d->og_desc)
        d->og_desc = content;
    else if (!strcmp(prop, "og:image") && !d->og_image)
        d->og_image = content;
    else if (!strcmp(prop, "og:url") && !d->og_url)
        d->og_url = content;
    else if (!strcmp(prop, "og:site_name") && !d->og_site)
        d->og_site = content;
}

static void collect_element(const GumboNode *n, struct conv_dom *d)
{
    GumboTag tag = n->v.element.tag;
    const char *id = conv__attr(n, "id");

    if (id) {
        if (!strcmp(id, "js_article"))
            set_first(&d->article, n);
        else if (!strcmp(id, "js_content"))
            set_first(&d->content, n);
        else if (!strcmp(id, "activity-name"))
            set_first(&d->activity, n);
        else if (!strcmp(id, "js_text_title"))
            set_first(&d->text_title, n);
        else if (!strcmp(id, "js_name") && tag == GUMBO_TAG_A)
            set_first(&d->name, n);
        else if (!strcmp(id, "js_author_name"))
            set_first(&d->author, n);
        else if (!strcmp(id, "copyright_logo"))
            set_first(&d->copyright, n);
        else if (!strcmp(id, "js_share_source"))
            set_first(&d->share_source, n);
        else if (!strcmp(id, "js_share_author"))
            set_first(&d->share_author, n);
        else if (!strcmp(id, "original_panel_title"))
            set_first(&d->share_title, n);
    }
    if (conv__has_class(n, "weui-msg__title"))
        set_first(&d->msg_title, n);
    else if (conv__has_class(n, "weui-msg__desc"))
        set_first(&d->msg_desc, n);
    else if (conv__has_class(n, "mesg-block"))
        set_first(&d->mesg_block, n);
    else if (tag == GUMBO_TAG_H2 && conv__has_class(n, "rich_media_title"))
        set_first(&d->old_title, n);
    switch (tag) {
    case GUMBO_TAG_META:
        collect_meta(n, d);
        break;
    case GUMBO_TAG_TITLE:
        set_first(&d->title, n);
        break;
    case GUMBO_TAG_ARTICLE:
        set_first(&d->html_article, n);
        break;
    case GUMBO_TAG_MAIN:
        set_first(&d->html_main, n);
        break;
    case GUMBO_TAG_BODY:
        set_first(&d->body, n);
        break;
    default:
        break;
    }
}

void conv__dom_collect(const GumboNode *root, struct conv_dom *d)
{
    const GumboNode *n;

    memset(d, 0, sizeof(*d));
    for (n = root; n; n = next_node(n, root)) {
        if (n->type == GUMBO_NODE_ELEMENT)
            collect_element(n, d);
    }
}

static bool is_invisible(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_TEMPLATE)
        return true;
    if (n->type != GUMBO_NODE_ELEMENT)
        return false;
    switch (n->v.element.tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_HEAD:
        return true;
    default:
        return false;
    }
}

char *conv__node_text(const GumboNode *node, size_t max)
{
    struct strbuf sb = STRBUF_INIT;
    const GumboNode *n = node;
    char *s;

    if (!node)
        return xstrdup("");
    while (n && sb.len < max) {
        if (n != node && is_invisible(n)) {
            n = next_skip(n, node);
            continue;
        }
        if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
            n->type == GUMBO_NODE_CDATA) {
            strbuf_addstr(&sb, n->v.text.text);
        } else if (n->type == GUMBO_NODE_ELEMENT) {
            GumboTag t = n->v.element.tag;
            /* Blocks and breaks separate words, as a browser shows them. */
            if (t != GUMBO_TAG_SPAN && t != GUMBO_TAG_A && t != GUMBO_TAG_EM &&
                t != GUMBO_TAG_STRONG && t != GUMBO_TAG_B && t != GUMBO_TAG_I)
                strbuf_addch(&sb, ' ');
        }
        n = next_node(n, node);
    }
    s = strbuf_detach(&sb, NULL);
    conv__squash_space(s);
    return s;
}

/* --- raw bytes --- */

void conv__raw_scan(const char *buf, size_t len, struct conv_raw *raw)
{
    raw->script_wall = conv__memmem(buf, len, "secitptpage/verify.html") ||
                       conv__memmem(buf, len, "TCaptcha.js") ||
                       conv__memmem(buf, len, "id=\"js_verify\"") ||
                       conv__memmem(buf, len, "id='js_verify'");
}

/* --- classification --- */

struct marker {
    const char *text;
    enum conv_class cls;
};

/* Most specific first; matched against a message element's text or the visible text. */
static const struct marker markers[] = {
    { "该内容已被发布者删除", CONV_DELETED },
    { "已被发布者删除", CONV_DELETED },
    { "deleted by the author", CONV_DELETED },
    { "has been deleted", CONV_DELETED },
    { "此内容因违规无法查看", CONV_REMOVED },
    { "违规", CONV_REMOVED },
    { "violat", CONV_REMOVED },
    { "访问过于频繁", CONV_RATE_LIMITED },
    { "链接已过期", CONV_EXPIRED },
    { "该公众号已迁移", CONV_MIGRATED },
    { "暂时无法查看", CONV_UNAVAILABLE },
};

static bool match_wall(const char *text)
{
    return strstr(text, "环境异常") && strstr(text, "验证");
}

static bool match_text(const char *text, enum conv_class *cls)
{
    if (match_wall(text)) {
        *cls = CONV_WALL;
        return true;
    }
    for (size_t i = 0; i < ARC_ARRAY_SIZE(markers); i++) {
        if (strcasestr(text, markers[i].text)) {
            *cls = markers[i].cls;
            return true;
        }
    }
    return false;
}

/* Cuts s to at most max bytes at a UTF-8 character boundary. */
static char *cut_detail(char *s)
{
    size_t n = strlen(s);

    if (n <= DETAIL_MAX_BYTES)
        return s;
    n = DETAIL_MAX_BYTES;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    s[n] = '\0';
    return s;
}

static char *message_text(const struct conv_dom *d)
{
    char *title = conv__node_text(d->msg_title, TEXT_MAX_BYTES), *desc, *s;

    if (!d->msg_desc)
        return title;
    desc = conv__node_text(d->msg_desc, TEXT_MAX_BYTES);
    if (!*desc) {
        free(desc);
        return title;
    }
    s = xasprintf("%s: %s", title, desc);
    free(title);
    free(desc);
    return s;
}

static bool is_wechat(const char *buf, size_t len, const struct conv_raw *raw,
                      const struct conv_dom *d)
{
    return raw->wechat_host || raw->cgi || raw->script_wall || d->msg_title || d->mesg_block ||
           (d->og_site && !strcmp(d->og_site, "微信公众平台")) ||
           conv__memmem(buf, len, "res.wx.qq.com/");
}

enum conv_class conv__classify(const char *buf, size_t len, const struct conv_raw *raw,
                               const struct conv_dom *d, char **detail)
{
    enum conv_class cls;
    char *text;

    *detail = NULL;
    if (d->article || d->content || raw->cgi_content)
        return CONV_ARTICLE;
    if (!is_wechat(buf, len, raw, d))
        return CONV_GENERIC;

    if (d->msg_title || d->mesg_block) {
        text = d->msg_title ? message_text(d) : conv__node_text(d->mesg_block, TEXT_MAX_BYTES);
        if (!match_text(text, &cls))
            cls = CONV_UNAVAILABLE;
        *detail = cut_detail(text);
        return cls;
    }
    text = conv__node_text(d->body, TEXT_MAX_BYTES);
    if (match_text(text, &cls)) {
        *detail = cut_detail(text);
        return cls;
    }
    free(text);
    if (raw->script_wall) {
        *detail = xstrdup("verification page (loaded by script)");
        return CONV_WALL;
    }
    if (conv__memmem(buf, len, "访问过于频繁")) {
        *detail = xstrdup("访问过于频繁");
        return CONV_RATE_LIMITED;
    }
    if (conv__memmem(buf, len, "该公众号已迁移") || conv__memmem(buf, len, "transferTargetLink")) {
        *detail = xstrdup("该公众号已迁移");
        return CONV_MIGRATED;
    }
    *detail = xstrdup("a WeChat page with neither an article nor a known message");
    return CONV_UNREADABLE;
}
