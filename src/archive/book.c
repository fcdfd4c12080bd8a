/* archive/book.c: the book structure shared by the EPUB and PDF back ends (see book.h). */
#include "archive/book.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "convert/convert.h"
#include "util/alloc.h"
#include "util/cst.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/banned.h"

/* An article.html larger than this is not one of ours. */
#define ARTICLE_MAX_BYTES (64u * 1024 * 1024)
/* The default author lists this many accounts, then "等" / "et al.". */
#define AUTHORS_MAX 3

static const char *const month_en[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

void book_month_name(bool zh, int year, int month, struct strbuf *out)
{
    if (month < 1 || month > 12) {
        strbuf_addstr(out, zh ? "其他" : "Other");
        return;
    }
    if (zh)
        strbuf_addf(out, "%d年%d月", year, month);
    else
        strbuf_addf(out, "%s %d", month_en[month - 1], year);
}

void book_format_date(int64_t t, struct strbuf *out)
{
    cst_format(t, CST_DATE, out);
}

static char *dup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

/* --- construction --- */

struct book *book_new(const char *title, const char *author, const char *lang, int64_t modified)
{
    struct book *b = xcalloc(1, sizeof(*b));

    b->title = xstrdup(title ? title : "");
    b->author = xstrdup(author ? author : "");
    b->lang = xstrdup(lang ? lang : "zh-CN");
    b->zh = !strncasecmp(b->lang, "zh", 2);
    b->range = xstrdup("");
    b->modified = modified;
    snprintf(b->uuid, sizeof(b->uuid), "%s", "00000000-0000-5000-8000-000000000000");
    return b;
}

struct book_part *book_add_part(struct book *b, int year, int month)
{
    struct book_part *p;
    struct strbuf name = STRBUF_INIT;

    b->parts = xgrow(b->parts, sizeof(*b->parts), b->nparts + 1, &b->parts_alloc);
    p = &b->parts[b->nparts++];
    memset(p, 0, sizeof(*p));
    p->year = year;
    p->month = month;
    book_month_name(b->zh, year, month, &name);
    p->name = strbuf_detach(&name, NULL);
    return p;
}

static struct book_chapter_info *add_info(struct book *b, struct book_part *part)
{
    struct book_chapter_info *c;

    part->chapters =
        xgrow(part->chapters, sizeof(*part->chapters), part->nchapters + 1, &part->chapters_alloc);
    c = &part->chapters[part->nchapters++];
    memset(c, 0, sizeof(*c));
    c->number = ++b->nchapters;
    return c;
}

struct book_chapter_info *book_add_chapter(struct book *b, struct book_part *part,
                                           const char *title, const char *xhtml)
{
    struct book_chapter_info *c = add_info(b, part);

    c->title = xstrdup(title ? title : "");
    c->toc_title = xstrdup(c->title);
    if (xhtml) {
        c->xhtml = xstrdup(xhtml);
        c->state = ARCHIVE_ARCHIVED;
        c->has_copy = true;
        b->narchived++;
    } else {
        c->status_line = xstrdup(b->zh ? "未存档：尚未抓取。" : "Not archived: never fetched.");
    }
    return c;
}

/* The reader-facing line of a chapter whose copy is missing, or outlived its original. */
/* The event that saw the original go: the last deletion, removal or unavailability (an HTTP
 * 404/410 is recorded as a deletion with its status); NULL when the history has none. */
static const struct archive_event *gone_event(const struct archive_meta *m)
{
    for (size_t i = m->nhistory; i-- > 0;) {
        const struct archive_event *e = &m->history[i];
        if (e->result && (!strcmp(e->result, "deleted") || !strcmp(e->result, "removed") ||
                          !strcmp(e->result, "unavailable")))
            return e;
    }
    return NULL;
}

/* Whether the page went with an HTTP 404 or 410 (WeChat's own deletion notices come with 200). */
static bool http_gone(const struct archive_event *e)
{
    return e && (e->http_status == 404 || e->http_status == 410);
}

static char *status_line(const struct book *b, const struct archive_meta *m, bool has_url)
{
    const struct archive_event *gone = NULL;
    struct strbuf sb = STRBUF_INIT, d1 = STRBUF_INIT, d2 = STRBUF_INIT;
    const char *err = m->error && *m->error ? m->error : NULL;

    if (!has_url) {
        strbuf_addstr(&sb, b->zh ? "未存档：索引中没有可用的链接。"
                                 : "Not archived: the index gives no usable URL.");
        goto out;
    }
    switch (m->state) {
    case ARCHIVE_ARCHIVED:
        strbuf_release(&sb);
        return NULL;
    case ARCHIVE_ARCHIVED_DELETED:
        gone = gone_event(m);
        book_format_date(m->deleted_upstream, &d1);
        book_format_date(m->fetched, &d2);
        if (b->zh) {
            if (http_gone(gone))
                strbuf_addf(&sb, "原文已不存在（HTTP %ld）", gone->http_status);
            else if (gone && !strcmp(gone->result, "removed"))
                strbuf_addstr(&sb, "原文因违规被删除");
            else if (gone && !strcmp(gone->result, "unavailable"))
                strbuf_addstr(&sb, "原文已无法访问");
            else
                strbuf_addstr(&sb, "原文已被发布者删除");
            if (d1.len)
                strbuf_addf(&sb, "（%s 发现）", d1.buf);
            if (d2.len)
                strbuf_addf(&sb, "；以下是 %s 保存的副本。", d2.buf);
            else
                strbuf_addstr(&sb, "；以下是之前保存的副本。");
        } else {
            if (http_gone(gone))
                strbuf_addf(&sb, "The original is gone (HTTP %ld)", gone->http_status);
            else if (gone && !strcmp(gone->result, "removed"))
                strbuf_addstr(&sb, "Removed for a violation");
            else if (gone && !strcmp(gone->result, "unavailable"))
                strbuf_addstr(&sb, "The original became unavailable");
            else
                strbuf_addstr(&sb, "Deleted by the publisher");
            if (d1.len)
                strbuf_addf(&sb, " (seen %s)", d1.buf);
            if (d2.len)
                strbuf_addf(&sb, "; this copy was saved on %s.", d2.buf);
            else
                strbuf_addstr(&sb, "; this copy was saved earlier.");
        }
        break;
    case ARCHIVE_PENDING:
        strbuf_addstr(&sb, b->zh ? "未存档：尚未抓取。" : "Not archived: never fetched.");
        break;
    case ARCHIVE_FAILED:
        if (b->zh)
            strbuf_addf(&sb, "未存档：抓取失败%s%s%s。", err ? "（" : "", err ? err : "",
                        err ? "）" : "");
        else
            strbuf_addf(&sb, "Not archived: the fetch failed%s%s%s.", err ? " (" : "",
                        err ? err : "", err ? ")" : "");
        break;
    case ARCHIVE_DELETED:
        gone = gone_event(m);
        if (http_gone(gone)) /* a 404 or 410 from the article host: gone, whoever removed it */
            strbuf_addf(&sb,
                        b->zh ? "未存档：原文已不存在（HTTP %ld）。"
                              : "Not archived: the page is gone (HTTP %ld).",
                        gone->http_status);
        else
            strbuf_addstr(&sb, b->zh ? "未存档：原文已被发布者删除。"
                                     : "Not archived: deleted by the publisher.");
        break;
    case ARCHIVE_REMOVED:
        strbuf_addstr(&sb, b->zh ? "未存档：原文因违规被删除。"
                                 : "Not archived: removed for a violation.");
        break;
    case ARCHIVE_UNAVAILABLE:
        strbuf_addstr(&sb, b->zh ? "未存档：原文暂时无法访问。"
                                 : "Not archived: the page was unavailable.");
        break;
    case ARCHIVE_WALLED:
        strbuf_addstr(&sb, b->zh ? "未存档：被验证页面拦截，可用浏览器保存后 archiver import。"
                                 : "Not archived: stopped by a verification wall.");
        break;
    case ARCHIVE_STATE__COUNT:
        BUG("archive state out of range");
    }
out:
    strbuf_release(&d1);
    strbuf_release(&d2);
    return strbuf_detach(&sb, NULL);
}

/* A problem of the archive found while opening the book, for the caller to show. */
ARC_PRINTF(2, 3) static void add_warning(struct book *b, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    b->warnings = xgrow(b->warnings, sizeof(*b->warnings), b->nwarnings + 1, &b->warnings_alloc);
    b->warnings[b->nwarnings++] = strbuf_detach(&sb, NULL);
}

/* Whether articles/<id> is there (a copy's folder without meta.json is a damaged entry). */
static bool book_entry_dir_exists(const char *dir, const char *id)
{
    char *path = xasprintf("%s/articles/%s", dir, id);
    bool yes = fs_exists(path);

    free(path);
    return yes;
}

static void add_entry(struct book *b, struct book_part *part, const struct idx_entry *e)
{
    struct book_chapter_info *c = add_info(b, part);
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf why = STRBUF_INIT;
    bool damaged = false;
    enum arc_err err;

    c->entry = e;
    c->id = dup_or_null(e->id);
    c->url = dup_or_null(e->url);
    c->note = e->note;
    if (e->date_month) {
        c->date = xasprintf("%02d.%02d", e->date_month, e->date_day);
        c->day = e->date_year
                     ? xasprintf("%04d-%02d-%02d", e->date_year, e->date_month, e->date_day)
                     : xasprintf("%02d-%02d", e->date_month, e->date_day);
    }
    if (e->id && (err = archive_meta_read(b->dir, e->id, &m, &why)) != ARC_OK) {
        archive_meta_release(&m); /* none, or damaged: the entry has no copy */
        if (err != ARC_ENOTFOUND) {
            damaged = true;
            add_warning(b, "%s/articles/%s/meta.json: %s; the entry is shown without its copy",
                        b->dir, e->id, why.len ? why.buf : arc_strerror(err));
        } else if (book_entry_dir_exists(b->dir, e->id)) {
            damaged = true;
            add_warning(b, "%s/articles/%s: no meta.json; the entry is shown without its copy",
                        b->dir, e->id);
        }
    }
    c->title = dup_or_null(m.title);
    if (!c->title)
        c->title = xstrdup(*e->title ? e->title : e->url ? e->url : "");
    c->toc_title = xstrdup(*e->title ? e->title : c->title);
    c->account = dup_or_null(m.account);
    c->author = dup_or_null(m.author);
    c->published = m.published;
    c->fetched = m.fetched;
    c->deleted_upstream = m.deleted_upstream;
    c->state = m.state;
    c->has_copy = e->id && archive_state_has_copy(m.state);
    c->status_line = damaged ? xstrdup(b->zh ? "未存档：存档中的记录（meta.json）已损坏。"
                                             : "Not archived: the archive's record (meta.json) "
                                               "is damaged.")
                             : status_line(b, &m, e->id != NULL);
    if (c->has_copy)
        b->narchived++;
    archive_meta_release(&m);
    strbuf_release(&why);
}

static int part_key(const struct book_part *p)
{
    return p->month ? p->year * 100 + p->month : 0;
}

static int cmp_oldest(const void *a, const void *b)
{
    int ka = part_key(a), kb = part_key(b);
    return (ka > kb) - (ka < kb);
}

static int cmp_newest(const void *a, const void *b)
{
    return cmp_oldest(b, a);
}

/* "2024年3月–12月", "2023年11月–2024年3月", "March–December 2024". */
static void make_range(struct book *b)
{
    struct strbuf sb = STRBUF_INIT;
    int lo = 0, hi = 0;

    for (size_t i = 0; i < b->nparts; i++) {
        int k = part_key(&b->parts[i]);
        if (!k)
            continue;
        if (!lo || k < lo)
            lo = k;
        if (k > hi)
            hi = k;
    }
    if (lo) {
        int y1 = lo / 100, m1 = lo % 100, y2 = hi / 100, m2 = hi % 100;
        if (lo == hi)
            book_month_name(b->zh, y1, m1, &sb);
        else if (b->zh && y1 == y2)
            strbuf_addf(&sb, "%d年%d月–%d月", y1, m1, m2);
        else if (b->zh)
            strbuf_addf(&sb, "%d年%d月–%d年%d月", y1, m1, y2, m2);
        else if (y1 == y2)
            strbuf_addf(&sb, "%s–%s %d", month_en[m1 - 1], month_en[m2 - 1], y1);
        else
            strbuf_addf(&sb, "%s %d–%s %d", month_en[m1 - 1], y1, month_en[m2 - 1], y2);
    }
    free(b->range);
    b->range = strbuf_detach(&sb, NULL);
}

/* The accounts named in the book, most chapters first, ties in order of appearance. */
static char *default_author(const struct book *b)
{
    struct {
        const char *name;
        size_t count;
    } *acc = NULL;
    size_t n = 0, alloc = 0;
    struct strbuf sb = STRBUF_INIT;

    for (size_t p = 0; p < b->nparts; p++) {
        for (size_t i = 0; i < b->parts[p].nchapters; i++) {
            const char *a = b->parts[p].chapters[i].account;
            size_t j;
            if (!a)
                continue;
            for (j = 0; j < n && strcmp(acc[j].name, a); j++)
                ;
            if (j == n) {
                acc = xgrow(acc, sizeof(*acc), n + 1, &alloc);
                acc[n].name = a;
                acc[n++].count = 0;
            }
            acc[j].count++;
        }
    }
    for (size_t i = 1; i < n; i++) { /* insertion sort: stable */
        for (size_t j = i; j > 0 && acc[j].count > acc[j - 1].count; j--) {
            const char *tn = acc[j].name;
            size_t tc = acc[j].count;
            acc[j] = acc[j - 1];
            acc[j - 1].name = tn;
            acc[j - 1].count = tc;
        }
    }
    for (size_t i = 0; i < n && i < AUTHORS_MAX; i++) {
        if (i)
            strbuf_addstr(&sb, b->zh ? "、" : ", ");
        strbuf_addstr(&sb, acc[i].name);
    }
    if (n > AUTHORS_MAX)
        strbuf_addstr(&sb, b->zh ? " 等" : " et al.");
    if (!sb.len)
        strbuf_addstr(&sb, "archiver");
    free(acc);
    return strbuf_detach(&sb, NULL);
}

/* A name-based UUID (version 5 layout, SHA-256 instead of SHA-1) of the title, the archive's
 * real path and the range asked for: rebuilding the same book keeps it, so readers update the
 * book in place instead of shelving a second copy. */
static void make_uuid(struct book *b, const struct book_opts *o)
{
    char *real = realpath(b->dir, NULL);
    char *key =
        xasprintf("archiver book\n%s\n%s\n%d-%d", b->title, real ? real : b->dir, o->from, o->to);
    char hex[HASH_SHA256_HEX];

    hash_sha256_hex(key, strlen(key), hex);
    hex[12] = '5';
    hex[16] = "89ab"[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3];
    snprintf(b->uuid, sizeof(b->uuid), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
             hex + 16, hex + 20);
    free(key);
    free(real);
}

/* The book's modified time: opts->now, else SOURCE_DATE_EPOCH, else the latest time the archive
 * changed for the book's entries (a fetch, or a deletion seen), so that rebuilding an unchanged
 * archive gives the same file; the clock only for a book of nothing but placeholders. */
static int64_t book_modified(const struct book *b, int64_t now)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    int64_t latest = 0;
    char *end;
    long long v;

    if (now)
        return now;
    if (sde && *sde) {
        v = strtoll(sde, &end, 10);
        if (!*end && v >= 0 && v < 253402300800LL) /* before year 10000 */
            return v;
    }
    for (size_t p = 0; p < b->nparts; p++)
        for (size_t i = 0; i < b->parts[p].nchapters; i++) {
            const struct book_chapter_info *c = &b->parts[p].chapters[i];
            if (c->fetched > latest)
                latest = c->fetched;
            if (c->deleted_upstream > latest)
                latest = c->deleted_upstream;
        }
    return latest ? latest : (int64_t)time(NULL);
}

enum arc_err book_open(const char *dir, const struct idx *ix, const struct book_opts *opts,
                       struct book **out, struct strbuf *why)
{
    struct book_opts none = BOOK_OPTS_INIT;
    const struct book_opts *o = opts ? opts : &none;
    struct book *b;
    size_t number = 0;

    *out = NULL;
    if (o->from && o->to && o->from > o->to) {
        strbuf_setwhy(why, "--from %04d-%02d is after --to %04d-%02d", o->from / 100, o->from % 100,
                      o->to / 100, o->to % 100);
        return ARC_EINVAL;
    }
    b = book_new(NULL, NULL, o->lang, 0);
    b->dir = xstrdup(dir);
    for (size_t m = 0; m < ix->nmonths; m++) {
        const struct idx_month *mo = &ix->months[m];
        int key = mo->month ? mo->year * 100 + mo->month : 0;
        struct book_part *part;

        if ((o->from || o->to) && (!key || (o->from && key < o->from) || (o->to && key > o->to)))
            continue;
        if (!mo->nentries)
            continue;
        part = book_add_part(b, mo->year, mo->month);
        for (size_t i = 0; i < mo->nentries; i++)
            if (!(mo->entries[i].flags & IDX_DUPLICATE))
                add_entry(b, part, &mo->entries[i]);
    }
    if (!b->nparts) {
        strbuf_setwhy(why, "%s: no entries%s", ix->path ? ix->path : "index",
                      o->from || o->to ? " in the months asked for" : "");
        book_free(b);
        return ARC_ENOTFOUND;
    }
    if (o->order != BOOK_ORDER_INDEX)
        qsort(b->parts, b->nparts, sizeof(*b->parts),
              o->order == BOOK_ORDER_OLDEST ? cmp_oldest : cmp_newest);
    for (size_t p = 0; p < b->nparts; p++) /* numbers follow the order of the book */
        for (size_t i = 0; i < b->parts[p].nchapters; i++)
            b->parts[p].chapters[i].number = ++number;
    make_range(b);
    free(b->title);
    if (o->title && *o->title)
        b->title = xstrdup(o->title);
    else if (ix->title && *ix->title)
        b->title = xstrdup(ix->title);
    else {
        b->title = xasprintf("%s%s%s", b->zh ? "文章合集" : "Articles",
                             *b->range ? (b->zh ? " " : ", ") : "", b->range);
        b->title_is_range = true;
    }
    free(b->author);
    b->author = o->author && *o->author ? xstrdup(o->author) : default_author(b);
    make_uuid(b, o);
    b->modified = book_modified(b, o->now);
    *out = b;
    return ARC_OK;
}

void book_free(struct book *b)
{
    if (!b)
        return;
    for (size_t p = 0; p < b->nparts; p++) {
        struct book_part *part = &b->parts[p];
        for (size_t i = 0; i < part->nchapters; i++) {
            struct book_chapter_info *c = &part->chapters[i];
            free(c->id);
            free(c->title);
            free(c->toc_title);
            free(c->day);
            free(c->account);
            free(c->author);
            free(c->url);
            free(c->date);
            free(c->status_line);
            free((char *)c->xhtml);
        }
        free(part->chapters);
        free(part->name);
    }
    free(b->parts);
    free(b->title);
    free(b->author);
    free(b->lang);
    free(b->range);
    free(b->dir);
    for (size_t i = 0; i < b->nwarnings; i++)
        free(b->warnings[i]);
    free(b->warnings);
    free(b);
}

/* --- chapter bodies --- */

void book_chapter_load(const struct book *b, const struct book_chapter_info *info,
                       struct book_chapter *out)
{
    struct strbuf page = STRBUF_INIT, why = STRBUF_INIT;
    const char *body, *end;
    char *path = NULL;

    memset(out, 0, sizeof(*out));
    out->info = info;
    if (info->xhtml) {
        if (conv_read_xhtml(info->xhtml, strlen(info->xhtml), &out->body, &why) != ARC_OK)
            out->warning = xasprintf("chapter %zu: %s", info->number, why.buf);
        strbuf_release(&why);
        return;
    }
    if (!info->has_copy || !b->dir || !info->id)
        return;
    out->base = archive_article_path(b->dir, info->id, NULL);
    path = archive_article_path(b->dir, info->id, "article.html");
    if (fs_read_file(path, ARTICLE_MAX_BYTES, &page, &why) != ARC_OK) {
        out->warning = xstrdup(why.buf);
        goto out;
    }
    /* Every article.html this program writes marks its body at both ends: a file without both
     * marks was damaged or cut short, and half an article read as if whole would be worse than
     * a placeholder that says so. */
    body = memchr(page.buf, '\0', page.len) ? NULL : strstr(page.buf, ARCHIVE_BODY_BEGIN);
    end = body ? strstr(body, ARCHIVE_BODY_END) : NULL;
    if (!body || !end) {
        out->warning = xasprintf("%s: damaged or cut short (the marks around its body are "
                                 "missing)",
                                 path);
        goto out;
    }
    body += strlen(ARCHIVE_BODY_BEGIN);
    if (conv_read_xhtml(body, (size_t)(end - body), &out->body, &why) != ARC_OK)
        out->warning = xasprintf("%s: cannot read: %s", path, why.buf);
out:
    free(path);
    strbuf_release(&page);
    strbuf_release(&why);
}

void book_chapter_release(struct book_chapter *c)
{
    doc_free(c->body);
    free(c->base);
    free(c->warning);
    memset(c, 0, sizeof(*c));
}
