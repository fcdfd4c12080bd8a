/* convert/page.h: what the page converter's files (page.c, classify.c, meta.c, charset.c) share.
 *
 * The page converter reads a page twice at most: once as raw bytes (script variables, the
 * cgiDataNew literal, markers that live only inside scripts) and once through gumbo.  These
 * helpers never print; strings they return are xmalloc'd and belong to the caller.
 */
#ifndef ARC_CONVERT_PAGE_H
#define ARC_CONVERT_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gumbo.h>

#include "convert/convert.h"

/* --- text helpers (meta.c) --- */

/* Decodes a JavaScript string literal's body: \xHH, \uXXXX (surrogate pairs joined), \n \r \t
 * \b \f \v \0 and \<char>.  Invalid escapes keep their character. */
char *conv__js_decode(const char *s, size_t len);
/* Decodes HTML character references: the named ones WeChat uses (&amp; &lt; &gt; &quot; &#39;
 * &apos; &nbsp;) and numeric ones; anything else is kept as written. */
char *conv__html_decode(const char *s, size_t len);
/* Collapses runs of white space (ASCII and U+3000, U+00A0) to one space and trims the ends, in
 * place. */
void conv__squash_space(char *s);
/* Finds needle in the first len bytes of hay; NULL when absent. */
const char *conv__memmem(const char *hay, size_t len, const char *needle);

/* --- script variables and cgiDataNew (meta.c) --- */

/* The value of the first `var NAME = "…"` (or '…', or htmlDecode("…"), or '…'.html(false))
 * literal in buf, decoded; NULL when there is none.  Non-literal forms (`var biz = null`,
 * `var mid = opt.mid`) never match. */
char *conv__script_var(const char *buf, size_t len, const char *name);

/* A span of JavaScript source: an object or array literal, or one value. */
struct conv_lit {
    const char *p, *end;
};
/* The object literal assigned to window.cgiDataNew; false when the page has none. */
bool conv__cgi_find(const char *buf, size_t len, struct conv_lit *obj);
/* The value of key in the object literal obj (first occurrence, this level only). */
bool conv__lit_get(const struct conv_lit *obj, const char *key, struct conv_lit *val);
/* Iterates the elements of an array literal: *it starts zeroed; false at the end. */
bool conv__lit_next(const struct conv_lit *arr, struct conv_lit *it);
/* A value as a string: JsDecode('…'), '…' or "…", optionally followed by `* 1`; NULL for any
 * other value. */
char *conv__lit_string(const struct conv_lit *val);
/* A value as a number ('123' * 1, 123, "123"); false when it is none. */
bool conv__lit_int(const struct conv_lit *val, int64_t *out);
/* Fills in what the scripts say about the article: script variables first, cgiDataNew for what
 * they leave unknown.  Fields already set are kept. */
void conv__meta_from_scripts(const char *buf, size_t len, const struct conv_lit *cgi,
                             struct conv_meta *m);

/* --- classification (classify.c) --- */

/* What the parsed page shows, collected in one walk over gumbo's tree. */
struct conv_dom {
    const GumboNode *article;                                   /* #js_article */
    const GumboNode *content;                                   /* #js_content */
    const GumboNode *msg_title;                                 /* .weui-msg__title */
    const GumboNode *msg_desc;                                  /* .weui-msg__desc */
    const GumboNode *mesg_block;                                /* .mesg-block */
    const GumboNode *activity;                                  /* h1#activity-name */
    const GumboNode *old_title;                                 /* h2.rich_media_title */
    const GumboNode *text_title;                                /* h1#js_text_title */
    const GumboNode *name;                                      /* a#js_name */
    const GumboNode *author;                                    /* #js_author_name */
    const GumboNode *copyright;                                 /* #copyright_logo */
    const GumboNode *share_source, *share_author, *share_title; /* the repost card */
    const GumboNode *title;                                     /* <title> */
    const GumboNode *html_article, *html_main, *body;           /* generic pages */
    const char *og_title, *og_desc, *og_image, *og_url, *og_site;
};
void conv__dom_collect(const GumboNode *root, struct conv_dom *d);
/* The text of a subtree without scripts and styles, white space squashed; at most max bytes. */
char *conv__node_text(const GumboNode *node, size_t max);

/* Raw facts about a page, matched on the bytes before any parsing. */
struct conv_raw {
    bool script_wall; /* secitptpage/verify.html, TCaptcha.js or id="js_verify" */
    bool cgi;         /* window.cgiDataNew is present */
    bool cgi_content; /* and it carries a body (content_noencode, pictures or text) */
    bool wechat_host; /* the final URL's host is mp.weixin.qq.com */
};
void conv__raw_scan(const char *buf, size_t len, struct conv_raw *raw);
/* Classifies a parsed page; *detail gets the failure page's message (or NULL). */
enum conv_class conv__classify(const char *buf, size_t len, const struct conv_raw *raw,
                               const struct conv_dom *d, char **detail);

/* --- charsets (charset.c) --- */

/* Returns buf as clean UTF-8 for gumbo: converted from the charset the Content-Type or a <meta>
 * names (when it is not UTF-8 and iconv knows it), then with NUL bytes and invalid sequences
 * dropped.  *owned is set to the new buffer when one was made (the caller frees it), else NULL
 * and buf itself is returned. */
const char *conv__to_utf8(const char *buf, size_t len, const char *content_type, bool wechat,
                          size_t *out_len, char **owned);

#endif
