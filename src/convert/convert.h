/* convert/convert.h: HTML in, Doc tree out; the one folder that uses gumbo.
 *
 * Two jobs.  conv_page_convert() turns a fetched page (bytes + URL) into a classification, the
 * article's metadata and a clean Doc tree with its image references: the converter IS the
 * sanitizer, so whatever the Doc tree cannot hold (scripts, handlers, styles, trackers) is gone
 * by construction.  conv_read_xhtml() reads the project's own offline copies back.  Neither needs
 * the network; functions never print and put detail for humans in *why. */
#ifndef ARC_CONVERT_CONVERT_H
#define ARC_CONVERT_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/doc.h"
#include "util/error.h"
#include "util/strbuf.h"

/* Refuse to read an offline copy nested deeper than this: our writer never goes near it, and
 * gumbo's cost grows with the square of the depth. */
#define CONV_READ_MAX_DEPTH 512

/* Parses XHTML written by doc_write_xhtml() (a fragment, or a whole page made with
 * doc_page_begin/end, in which case the <body> is read) back into a new Doc tree:
 * conv_read_xhtml(doc_write_xhtml(t)) is equal to t (doc_equal).  Unknown elements are read for
 * their content as a browser would render it.  On success *out is a new doc the caller frees with
 * doc_free(); on failure *out is NULL and ARC_EPARSE or ARC_ETOODEEP is returned. */
ARC_WUR enum arc_err conv_read_xhtml(const char *buf, size_t len, struct doc **out,
                                     struct strbuf *why);

/* --- the page converter --- */

/* Pages larger than this are refused as unreadable: real pages are 1-4 MB. */
#define CONV_MAX_PAGE_BYTES (64u * 1024 * 1024)

/* What a page is.  Names are stable (meta.json, `convert --json`); append only. */
#define CONV_CLASS_MAP(X)                                                                          \
    X(ARTICLE, "article")           /* a WeChat article of any type, with its body */              \
    X(DELETED, "deleted")           /* deleted by the publisher */                                 \
    X(REMOVED, "removed")           /* removed for a violation */                                  \
    X(UNAVAILABLE, "unavailable")   /* temporarily unavailable */                                  \
    X(WALL, "verification-wall")    /* 环境异常 / script-only verify page: retry later */      \
    X(CAPTCHA, "captcha")           /* redirected to /mp/wappoc_appmsgcaptcha */                   \
    X(RATE_LIMITED, "rate-limited") /* 访问过于频繁 */                                       \
    X(EXPIRED, "link-expired")      /* 链接已过期 */                                          \
    X(MIGRATED, "account-migrated") /* 该公众号已迁移; meta.migrated_to names the target */ \
    X(GENERIC, "generic")           /* not a WeChat page: a best-effort article */                 \
    X(UNREADABLE, "unreadable")     /* not HTML, too big or too deep; detail says why */

enum conv_class {
#define X(name, text) CONV_##name,
    CONV_CLASS_MAP(X)
#undef X
        CONV_CLASS__COUNT
};

/* The article's type, from item_show_type and the page's structure. */
enum conv_kind {
    CONV_KIND_NORMAL,     /* item_show_type 0: body in #js_content */
    CONV_KIND_IMAGE_POST, /* 8: picture_page_info_list + text */
    CONV_KIND_TEXT_POST,  /* 10: text_page_info.content_noencode */
    CONV_KIND_REPOST,     /* a share card: empty body, #js_share_source names the original */
    CONV_KIND_VIDEO,      /* 5 */
    CONV_KIND_AUDIO,      /* 7 */
    CONV_KIND_OTHER,      /* another item_show_type, read as a normal article */
    CONV_KIND__COUNT
};

struct conv_meta {
    char *title;      /* never NULL for an article: untitled text posts get their first words */
    char *account;    /* the account's name (nickname) */
    char *account_id; /* "gh_..." user_name */
    char *author;
    char *description;
    char *cover;     /* cover image URL */
    char *short_url; /* https://mp.weixin.qq.com/s/<token> when known */
    char *long_url;  /* the /s?__biz=...&mid=...&idx=...&sn=... form when known */
    char *biz, *mid, *idx, *sn;
    char *original_url; /* a repost's original article */
    char *migrated_to;  /* CONV_MIGRATED: the new account's link */
    int64_t published;  /* Unix seconds; 0 = unknown */
    int item_show_type; /* -1 = unknown */
    enum conv_kind kind;
    bool original; /* marked 原创 */
};

struct conv_input {
    const char *buf; /* the page's bytes, any charset; need not be NUL-terminated */
    size_t len;
    const char *url;          /* the URL asked for; relative references resolve against final_url */
    const char *final_url;    /* after redirects; NULL = url */
    const char *content_type; /* the HTTP Content-Type, for the charset; NULL = none */
};

struct conv_page {
    enum conv_class cls;
    struct conv_meta meta;
    struct doc *doc; /* the body for CONV_ARTICLE and CONV_GENERIC; NULL otherwise */
    char **images;   /* content image source URLs (absolute, &amp; unescaped, no fragment),
                        in document order, each once */
    /* Parallel to images (NULL when there are none): the src attribute of the first <img>
     * showing each when that is a relative path, as in a page a browser saved with its files
     * ("page_files/1.jpg"); else NULL. */
    char **image_local;
    size_t nimages;
    char *detail; /* for failure pages and CONV_UNREADABLE: what the page said, or why it
                     could not be read; NULL otherwise */
};

/* Converts one page.  Every page gets a classification, so bad input (not HTML, truncated,
 * invalid UTF-8, NUL bytes, too big, absurdly deep) is CONV_UNREADABLE with a detail or a
 * best-effort tree, never an error; ARC_OK is returned unless the arguments are unusable
 * (ARC_EINVAL).  Time and memory are bounded by the input's size.  out is overwritten; release it
 * with conv_page_release(). */
ARC_WUR enum arc_err conv_page_convert(const struct conv_input *in, struct conv_page *out,
                                       struct strbuf *why);
void conv_page_release(struct conv_page *page);

/* "article", "verification-wall", ... */
const char *conv_class_name(enum conv_class cls);
/* "article", "image-post", "text-post", "repost", "video", "audio", "other" */
const char *conv_kind_name(enum conv_kind kind);

#endif
