/* archive/meta.c: struct archive_meta and its meta.json form (jansson). */
#include "archive/archive.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "archive/internal.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/banned.h"

static const char *const image_status_names[] = { "ok", "failed", "gone" };

/* The keys this file knows; everything else in a meta.json is kept in m->unknown. */
static const char *const known_keys[] = {
    "version",          "id",        "url",     "final_url", "canonical_url", "title",  "account",
    "author",           "published", "fetched", "etag",      "last_modified", "status", "error",
    "deleted_upstream", "kind",      "images",  "history",
};

const char *archive_image_status_name(enum archive_image_status status)
{
    if ((unsigned)status >= ARCHIVE_IMAGE__COUNT)
        BUG("image status %d out of range", (int)status);
    return image_status_names[status];
}

void archive_meta_init(struct archive_meta *m)
{
    memset(m, 0, sizeof(*m));
    m->version = ARCHIVE_META_VERSION;
    m->state = ARCHIVE_PENDING;
}

void archive_meta_release(struct archive_meta *m)
{
    char **strs[] = { &m->id,      &m->url,    &m->final_url, &m->canonical_url, &m->title,
                      &m->account, &m->author, &m->etag,      &m->last_modified, &m->error,
                      &m->kind };

    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(*strs[i]);
    for (size_t i = 0; i < m->nimages; i++) {
        free(m->images[i].src);
        free(m->images[i].file);
        free(m->images[i].error);
    }
    free(m->images);
    for (size_t i = 0; i < m->nhistory; i++) {
        free(m->history[i].result);
        free(m->history[i].detail);
    }
    free(m->history);
    json_decref((json_t *)m->unknown);
    archive_meta_init(m);
}

struct archive_image *archive_meta_add_image(struct archive_meta *m)
{
    struct archive_image *img;

    m->images = xgrow(m->images, sizeof(*m->images), m->nimages + 1, &m->images_alloc);
    img = &m->images[m->nimages++];
    memset(img, 0, sizeof(*img));
    img->status = ARCHIVE_IMAGE_FAILED;
    return img;
}

void archive_meta_add_event(struct archive_meta *m, int64_t time, const char *result,
                            long http_status, const char *detail)
{
    struct archive_event *ev;

    if (m->nhistory >= ARCHIVE_HISTORY_MAX) {
        size_t drop = m->nhistory - ARCHIVE_HISTORY_MAX + 1;
        for (size_t i = 0; i < drop; i++) {
            free(m->history[i].result);
            free(m->history[i].detail);
        }
        memmove(m->history, m->history + drop, (m->nhistory - drop) * sizeof(*m->history));
        m->nhistory -= drop;
    }
    m->history = xgrow(m->history, sizeof(*m->history), m->nhistory + 1, &m->history_alloc);
    ev = &m->history[m->nhistory++];
    ev->time = time;
    ev->result = xstrdup(result ? result : "");
    ev->http_status = http_status;
    ev->detail = detail ? xstrdup(detail) : NULL;
}

/* --- reading --- */

static char *get_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? xstrdup(s) : NULL;
}

static int64_t get_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    if (json_is_integer(v))
        return (int64_t)json_integer_value(v);
    if (json_is_real(v))
        return (int64_t)json_real_value(v);
    return 0;
}

static bool is_known_key(const char *key)
{
    for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
        if (!strcmp(key, known_keys[i]))
            return true;
    return false;
}

static void read_images(json_t *arr, struct archive_meta *m)
{
    size_t i;
    json_t *o;

    json_array_foreach(arr, i, o)
    {
        struct archive_image *img;
        const char *status;

        if (!json_is_object(o))
            continue;
        img = archive_meta_add_image(m);
        img->src = get_str(o, "src");
        img->file = get_str(o, "file");
        img->error = get_str(o, "error");
        img->bytes = get_int(o, "bytes");
        img->width = (int)get_int(o, "width");
        img->height = (int)get_int(o, "height");
        status = json_string_value(json_object_get(o, "status"));
        for (unsigned s = 0; status && s < ARCHIVE_IMAGE__COUNT; s++)
            if (!strcmp(status, image_status_names[s]))
                img->status = (enum archive_image_status)s;
    }
}

static void read_history(json_t *arr, struct archive_meta *m)
{
    size_t i;
    json_t *o;

    json_array_foreach(arr, i, o)
    {
        const char *result;

        if (!json_is_object(o))
            continue;
        result = json_string_value(json_object_get(o, "result"));
        archive_meta_add_event(m, get_int(o, "time"), result ? result : "unknown",
                               (long)get_int(o, "http_status"),
                               json_string_value(json_object_get(o, "detail")));
    }
}

enum arc_err archive_meta_parse(const char *buf, size_t len, struct archive_meta *out,
                                struct strbuf *why)
{
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *status, *key;
    json_t *value, *unknown;
    int64_t version;

    archive_meta_release(out);
    if (!root) {
        strbuf_setwhy(why, "line %d: %s", jerr.line, jerr.text);
        return ARC_EPARSE;
    }
    if (!json_is_object(root)) {
        strbuf_setwhy(why, "not a JSON object");
        json_decref(root);
        return ARC_EPARSE;
    }
    version = get_int(root, "version");
    out->version = version > 0 ? (int)version : ARCHIVE_META_VERSION;
    out->id = get_str(root, "id");
    out->url = get_str(root, "url");
    out->final_url = get_str(root, "final_url");
    out->canonical_url = get_str(root, "canonical_url");
    out->title = get_str(root, "title");
    out->account = get_str(root, "account");
    out->author = get_str(root, "author");
    out->published = get_int(root, "published");
    out->fetched = get_int(root, "fetched");
    out->etag = get_str(root, "etag");
    out->last_modified = get_str(root, "last_modified");
    status = json_string_value(json_object_get(root, "status"));
    if (!status || !archive_state_from_name(status, &out->state))
        out->state = ARCHIVE_PENDING;
    out->error = get_str(root, "error");
    out->deleted_upstream = get_int(root, "deleted_upstream");
    out->kind = get_str(root, "kind");
    read_images(json_object_get(root, "images"), out);
    read_history(json_object_get(root, "history"), out);

    unknown = json_object();
    json_object_foreach(root, key, value)
    {
        if (!is_known_key(key))
            json_object_set(unknown, key, value);
    }
    if (json_object_size(unknown))
        out->unknown = unknown;
    else
        json_decref(unknown);
    json_decref(root);
    return ARC_OK;
}

enum arc_err archive_meta_read(const char *dir, const char *id, struct archive_meta *out,
                               struct strbuf *why)
{
    char *path = archive_article_path(dir, id, "meta.json");
    struct strbuf buf = STRBUF_INIT;
    struct strbuf detail = STRBUF_INIT;
    enum arc_err err = fs_read_file(path, ARCHIVE_META_MAX_BYTES, &buf, why);

    if (!err) {
        err = archive_meta_parse(buf.buf, buf.len, out, &detail);
        if (err)
            strbuf_setwhy(why, "cannot parse '%s': %s", path, detail.buf);
    }
    strbuf_release(&detail);
    strbuf_release(&buf);
    free(path);
    return err;
}

/* --- writing --- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* json_string() refuses invalid UTF-8 and gives NULL; such a value is written as null rather
 * than aborting the write (titles come from hostile pages, but convert/ already cleans them). */
static void set_str(json_t *o, const char *key, const char *s)
{
    json_t *v = str_or_null(s);
    json_object_set_new(o, key, v ? v : json_null());
}

static json_t *images_json(const struct archive_meta *m)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < m->nimages; i++) {
        const struct archive_image *img = &m->images[i];
        json_t *o = json_object();

        set_str(o, "src", img->src);
        set_str(o, "file", img->file);
        set_str(o, "status", archive_image_status_name(img->status));
        set_str(o, "error", img->error);
        json_object_set_new(o, "bytes", json_integer((json_int_t)img->bytes));
        json_object_set_new(o, "width", json_integer(img->width));
        json_object_set_new(o, "height", json_integer(img->height));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *history_json(const struct archive_meta *m)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < m->nhistory; i++) {
        const struct archive_event *ev = &m->history[i];
        json_t *o = json_object();

        json_object_set_new(o, "time", json_integer((json_int_t)ev->time));
        set_str(o, "result", ev->result);
        json_object_set_new(o, "http_status", json_integer(ev->http_status));
        set_str(o, "detail", ev->detail);
        json_array_append_new(arr, o);
    }
    return arr;
}

void archive__meta_format_id(const struct archive_meta *m, const char *id, struct strbuf *out)
{
    json_t *o = json_object();
    const char *key;
    json_t *value;
    char *text;

    json_object_set_new(o, "version", json_integer(ARCHIVE_META_VERSION));
    set_str(o, "id", id ? id : m->id);
    set_str(o, "url", m->url);
    set_str(o, "final_url", m->final_url);
    set_str(o, "canonical_url", m->canonical_url);
    set_str(o, "title", m->title);
    set_str(o, "account", m->account);
    set_str(o, "author", m->author);
    json_object_set_new(o, "published", json_integer((json_int_t)m->published));
    json_object_set_new(o, "fetched", json_integer((json_int_t)m->fetched));
    set_str(o, "etag", m->etag);
    set_str(o, "last_modified", m->last_modified);
    set_str(o, "status", archive_state_name(m->state));
    set_str(o, "error", m->error);
    json_object_set_new(o, "deleted_upstream", json_integer((json_int_t)m->deleted_upstream));
    set_str(o, "kind", m->kind);
    json_object_set_new(o, "images", images_json(m));
    json_object_set_new(o, "history", history_json(m));
    if (m->unknown) {
        json_object_foreach((json_t *)m->unknown, key, value)
        {
            if (!json_object_get(o, key))
                json_object_set(o, key, value);
        }
    }
    text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        BUG("json_dumps failed on meta.json");
    strbuf_addstr(out, text);
    strbuf_addch(out, '\n');
    free(text);
    json_decref(o);
}

void archive_meta_format(const struct archive_meta *m, struct strbuf *out)
{
    archive__meta_format_id(m, NULL, out);
}
