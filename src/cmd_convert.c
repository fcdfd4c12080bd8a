/* cmd_convert.c: `archiver convert` runs the converter on a saved page: it prints the page's
 * classification and metadata (JSON with --json) and, with -o, writes the sanitized offline XHTML
 * through the Doc tree's writer, image references still pointing at their source URLs. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "archive/archive.h"
#include "convert/convert.h"
#include "doc/doc.h"
#include "util/alloc.h"
#include "util/cst.h"
#include "util/fs.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const char *const convert_usage[] = {
    "archiver convert <page.html> [--url <url>] [-o <out.html>] [--json]",
    NULL,
};

/* Dates as the publisher saw them, in China Standard Time. */
static void format_time(int64_t t, struct strbuf *out)
{
    cst_format(t, CST_FULL, out);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *page_json(const struct conv_page *p, const char *path, const char *url)
{
    const struct conv_meta *m = &p->meta;
    json_t *o = json_object(), *meta = json_object(), *images = json_array();
    struct strbuf when = STRBUF_INIT;

    json_object_set_new(o, "file", json_string(path));
    json_object_set_new(o, "url", str_or_null(url));
    json_object_set_new(o, "class", json_string(conv_class_name(p->cls)));
    json_object_set_new(o, "detail", str_or_null(p->detail));
    json_object_set_new(meta, "kind", json_string(conv_kind_name(m->kind)));
    json_object_set_new(meta, "title", str_or_null(m->title));
    json_object_set_new(meta, "account", str_or_null(m->account));
    json_object_set_new(meta, "account_id", str_or_null(m->account_id));
    json_object_set_new(meta, "author", str_or_null(m->author));
    json_object_set_new(meta, "published", m->published ? json_integer(m->published) : json_null());
    format_time(m->published, &when);
    json_object_set_new(meta, "published_cst", when.len ? json_string(when.buf) : json_null());
    json_object_set_new(meta, "description", str_or_null(m->description));
    json_object_set_new(meta, "cover", str_or_null(m->cover));
    json_object_set_new(meta, "short_url", str_or_null(m->short_url));
    json_object_set_new(meta, "long_url", str_or_null(m->long_url));
    json_object_set_new(meta, "biz", str_or_null(m->biz));
    json_object_set_new(meta, "mid", str_or_null(m->mid));
    json_object_set_new(meta, "idx", str_or_null(m->idx));
    json_object_set_new(meta, "sn", str_or_null(m->sn));
    json_object_set_new(meta, "item_show_type",
                        m->item_show_type >= 0 ? json_integer(m->item_show_type) : json_null());
    json_object_set_new(meta, "original", json_boolean(m->original));
    json_object_set_new(meta, "original_url", str_or_null(m->original_url));
    json_object_set_new(meta, "migrated_to", str_or_null(m->migrated_to));
    json_object_set_new(o, "meta", meta);
    for (size_t i = 0; i < p->nimages; i++)
        json_array_append_new(images, json_string(p->images[i]));
    json_object_set_new(o, "images", images);
    strbuf_release(&when);
    return o;
}

static void print_field(const char *name, const char *value)
{
    if (value && *value)
        printf("%-12s %s\n", name, value);
}

static void print_page(const struct conv_page *p)
{
    const struct conv_meta *m = &p->meta;
    struct strbuf when = STRBUF_INIT;

    print_field("class:", conv_class_name(p->cls));
    print_field("detail:", p->detail);
    if (p->cls == CONV_ARTICLE)
        print_field("kind:", conv_kind_name(m->kind));
    print_field("title:", m->title);
    print_field("account:", m->account);
    print_field("author:", m->author);
    format_time(m->published, &when);
    print_field("published:", when.buf);
    print_field("url:", m->short_url ? m->short_url : m->long_url);
    print_field("original:", m->original_url);
    print_field("migrated:", m->migrated_to);
    if (p->doc)
        printf("%-12s %zu\n", "images:", p->nimages);
    strbuf_release(&when);
}

int cmd_convert(int argc, char **argv)
{
    const char *url = NULL, *output = NULL;
    bool json = false, quiet = false;
    const struct opt options[] = {
        OPT_STRING(0, "url", &url, "url", "the page's URL (default: from the page itself)"),
        OPT_STRING('o', "output", &output, "out.html", "write the sanitized offline XHTML here"),
        OPT_BOOL('q', "quiet", &quiet, "print errors only"),
        OPT_BOOL(0, "json", &json, "print the classification and metadata as JSON"),
        OPT_END(),
    };
    struct strbuf page = STRBUF_INIT, why = STRBUF_INIT, out = STRBUF_INIT;
    struct conv_input in = { 0 };
    struct conv_page res;
    enum arc_err err;
    int rc = ARC_EXIT_OK;

    argc = opts_parse(argc, argv, options, convert_usage);
    if (argc != 1)
        opts_usage_error(convert_usage, argc ? "too many arguments: '%s'" : "no page given%s",
                         argc ? argv[1] : "");
    if (url && !*url)
        opts_usage_error(convert_usage, "--url needs a URL");
    err = fs_read_file(argv[0], CONV_MAX_PAGE_BYTES, &page, &why);
    if (err) {
        error("%s", why.buf);
        strbuf_release(&page);
        strbuf_release(&why);
        return ARC_EXIT_USAGE;
    }
    in.buf = page.buf;
    in.len = page.len;
    in.url = url; /* NULL: the page's own canonical URL, and its structure, decide */
    if (conv_page_convert(&in, &res, &why) != ARC_OK)
        BUG("conv_page_convert refused a whole page");

    if (json) {
        json_t *o = page_json(&res, argv[0], url);
        if (json_dumpf(o, stdout, JSON_INDENT(2)) != 0)
            error("cannot write JSON to standard output");
        putchar('\n');
        json_decref(o);
    } else if (!quiet) {
        print_page(&res);
    }

    if (res.cls == CONV_UNREADABLE) {
        error("%s: %s", argv[0], res.detail ? res.detail : "cannot read the page");
        rc = ARC_EXIT_USAGE;
    } else if (output && !res.doc) {
        error("%s: the page is classified '%s', not an article; '%s' not written", argv[0],
              conv_class_name(res.cls), output);
        rc = ARC_EXIT_FAILED;
    } else if (output) {
        archive_render_article(&res, url, "book.css", 0, &out);
        if (fs_write_atomic(output, out.buf, out.len, 0644, &why) != ARC_OK) {
            error("%s", why.buf);
            rc = ARC_EXIT_FATAL;
        }
    }
    conv_page_release(&res);
    strbuf_release(&page);
    strbuf_release(&out);
    strbuf_release(&why);
    return rc;
}
