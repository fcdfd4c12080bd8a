/* index/parse.c: the index file through cmark into months, entries, notes and warnings. */
#include "index/index.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark.h>

#include "index/internal.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/banned.h"

#define UTF8_BOM          "\xef\xbb\xbf"
#define IDEOGRAPHIC_SPACE "\xe3\x80\x80"
#define DATE_OPEN         "\xe3\x80\x90" /* 【 */
#define DATE_CLOSE        "\xe3\x80\x91" /* 】 */
#define NONE              SIZE_MAX

/* --- the set of ids seen so far (open addressing; ids are borrowed from the entries) --- */

struct seen_slot {
    const char *id;
    unsigned line;
};

struct seen {
    struct seen_slot *slots;
    size_t cap, n; /* cap is 0 or a power of two */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static struct seen_slot *seen_find(struct seen *set, const char *id)
{
    size_t i = (size_t)hash_str(id) & (set->cap - 1);

    while (set->slots[i].id && strcmp(set->slots[i].id, id))
        i = (i + 1) & (set->cap - 1);
    return &set->slots[i];
}

/* The line of an earlier entry with this id, or 0 after recording this one. */
static unsigned seen_check(struct seen *set, const char *id, unsigned line)
{
    struct seen_slot *slot;

    if (2 * (set->n + 1) > set->cap) {
        struct seen old = *set;
        set->cap = old.cap ? 2 * old.cap : 64;
        set->slots = xcalloc(set->cap, sizeof(*set->slots));
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].id)
                *seen_find(set, old.slots[i].id) = old.slots[i];
        free(old.slots);
    }
    slot = seen_find(set, id);
    if (slot->id)
        return slot->line;
    slot->id = id;
    slot->line = line;
    set->n++;
    return 0;
}

/* --- building the struct idx --- */

struct builder {
    struct idx *ix;
    size_t months_alloc, warnings_alloc;
    size_t *entries_alloc; /* per month, parallel to ix->months */
    size_t entries_alloc_alloc;
    struct seen seen;
    bool have_month;           /* a real month heading has been seen */
    struct idx_entry *note_to; /* the entry a list or quote here would annotate, or NULL */
};

ARC_PRINTF(3, 4) static void add_warning(struct builder *b, unsigned line, const char *fmt, ...)
{
    struct idx *ix = b->ix;
    struct strbuf sb = STRBUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    ix->warnings =
        xgrow(ix->warnings, sizeof(*ix->warnings), ix->nwarnings + 1, &b->warnings_alloc);
    ix->warnings[ix->nwarnings].line = line;
    ix->warnings[ix->nwarnings].message = strbuf_detach(&sb, NULL);
    ix->nwarnings++;
}

static struct idx_month *add_month(struct builder *b, unsigned line, const char *heading)
{
    struct idx *ix = b->ix;
    struct idx_month *m;

    ix->months = xgrow(ix->months, sizeof(*ix->months), ix->nmonths + 1, &b->months_alloc);
    b->entries_alloc = xgrow(b->entries_alloc, sizeof(*b->entries_alloc), ix->nmonths + 1,
                             &b->entries_alloc_alloc);
    b->entries_alloc[ix->nmonths] = 0;
    m = &ix->months[ix->nmonths++];
    memset(m, 0, sizeof(*m));
    m->line = line;
    m->heading = xstrdup(heading);
    return m;
}

/* A new entry at the end of the current month (the pseudo-month before any heading). */
static struct idx_entry *add_entry(struct builder *b, unsigned line)
{
    struct idx *ix = b->ix;
    struct idx_month *m;
    size_t mi;
    struct idx_entry *e;

    if (!ix->nmonths)
        add_month(b, 0, "");
    mi = ix->nmonths - 1;
    m = &ix->months[mi];
    m->entries = xgrow(m->entries, sizeof(*m->entries), m->nentries + 1, &b->entries_alloc[mi]);
    e = &m->entries[m->nentries++];
    memset(e, 0, sizeof(*e));
    e->line = line;
    ix->nentries++;
    return e;
}

/* --- text helpers --- */

static bool is_space_at(const char *s, size_t len, size_t i, size_t *width)
{
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' ||
        s[i] == '\v') {
        *width = 1;
        return true;
    }
    if (len - i >= 3 && !memcmp(s + i, IDEOGRAPHIC_SPACE, 3)) {
        *width = 3;
        return true;
    }
    return false;
}

/* A copy of s[0..len) without white space (ASCII or U+3000) at either end. */
static char *trimmed_copy(const char *s, size_t len)
{
    size_t start = 0, w;

    while (start < len && is_space_at(s, len, start, &w))
        start += w;
    for (;;) {
        if (len > start && is_space_at(s, len, len - 1, &w) && w == 1) {
            len--;
        } else if (len >= start + 3 && !memcmp(s + len - 3, IDEOGRAPHIC_SPACE, 3)) {
            len -= 3;
        } else {
            break;
        }
    }
    return xstrndup(s + start, len - start);
}

static char *plain_text(cmark_node *n)
{
    struct strbuf sb = STRBUF_INIT;
    char *s;

    idx__md_plain_text(n, &sb);
    s = trimmed_copy(sb.buf, sb.len);
    strbuf_release(&sb);
    return s;
}

/* --- one paragraph as an entry --- */

/* A paragraph's text, with where its first http(s) link sits in it. */
struct flat {
    struct strbuf text;
    size_t link_at, link_end; /* NONE: no http(s) link */
    const char *link_url;     /* borrowed from cmark */
    bool autolink;            /* <https://...>: the link text is the URL itself */
};

static bool has_http_prefix(const char *s)
{
    return s && (!strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8));
}

static void flatten(cmark_node *para, struct flat *f)
{
    cmark_iter *it = cmark_iter_new(para);
    cmark_node *link = NULL;
    cmark_event_type ev;

    f->link_at = f->link_end = NONE;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        const char *s;

        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
        case CMARK_NODE_HTML_INLINE:
            s = cmark_node_get_literal(n);
            if (s)
                strbuf_addstr(&f->text, s);
            break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            strbuf_addch(&f->text, ' ');
            break;
        case CMARK_NODE_IMAGE:
            /* An image's alt text is not part of a title. */
            if (ev == CMARK_EVENT_ENTER)
                cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
            break;
        case CMARK_NODE_LINK:
            if (ev == CMARK_EVENT_ENTER && !link && has_http_prefix(cmark_node_get_url(n))) {
                link = n;
                f->link_at = f->text.len;
                f->link_url = cmark_node_get_url(n);
            } else if (ev == CMARK_EVENT_EXIT && n == link) {
                f->link_end = f->text.len;
            }
            break;
        default:
            break;
        }
    }
    cmark_iter_free(it);
    if (link) {
        f->autolink = f->link_end - f->link_at == strlen(f->link_url) &&
                      !memcmp(f->text.buf + f->link_at, f->link_url, strlen(f->link_url));
    }
}

/* The first "http://" or "https://" of the text outside the link, or NONE. */
static size_t find_bare_url(const struct flat *f)
{
    const char *s = f->text.buf;

    for (size_t i = 0; i < f->text.len; i++) {
        if (f->link_at != NONE && i >= f->link_at && i < f->link_end)
            continue;
        if ((s[i] == 'h' || s[i] == 'H') && has_http_prefix(s + i))
            return i;
    }
    return NONE;
}

/* The end of the bare URL at start: white space or the first non-ASCII character ends it (so
 * ".../abc【" keeps its bracket out), then closing punctuation of the sentence is dropped. */
static size_t bare_url_end(const char *s, size_t len, size_t start)
{
    size_t end = start;
    int parens = 0;

    while (end < len && (unsigned char)s[end] > 0x20 && (unsigned char)s[end] < 0x7f)
        end++;
    for (size_t i = start; i < end; i++)
        parens += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
    while (end > start) {
        char c = s[end - 1];
        if (c == ')' && parens < 0) {
            parens++;
        } else if (!strchr(".,;:!?'\"", c)) {
            break;
        }
        end--;
    }
    return end;
}

/* Finds 【MM.DD】 (the backticks of 【`12.27`】 are gone with the code span); sets the span it
 * covers.  False when there is no valid date. */
static bool find_date(const char *s, size_t len, int *month, int *day, size_t *at, size_t *end)
{
    const char *p = s, *stop = s + len;

    while ((p = memmem(p, (size_t)(stop - p), DATE_OPEN, 3)) != NULL) {
        const char *q = p + 3;
        int m = 0, d = 0, nm = 0, nd = 0;

        while (q < stop && *q == ' ')
            q++;
        for (; q < stop && *q >= '0' && *q <= '9' && nm < 3; q++, nm++)
            m = m * 10 + (*q - '0');
        if (q < stop && (*q == '.' || *q == '-' || *q == '/'))
            q++;
        else
            nm = 0;
        for (; q < stop && *q >= '0' && *q <= '9' && nd < 3; q++, nd++)
            d = d * 10 + (*q - '0');
        while (q < stop && *q == ' ')
            q++;
        if (nm >= 1 && nm <= 2 && nd >= 1 && nd <= 2 && m >= 1 && m <= 12 && d >= 1 && d <= 31 &&
            stop - q >= 3 && !memcmp(q, DATE_CLOSE, 3)) {
            *month = m;
            *day = d;
            *at = (size_t)(p - s);
            *end = (size_t)(q + 3 - s);
            return true;
        }
        p += 3;
    }
    return false;
}

/* The title: text[0..upto) without the date when the date sits there, trimmed. */
static char *title_before(const struct strbuf *text, size_t upto, size_t date_at, size_t date_end)
{
    struct strbuf sb = STRBUF_INIT;
    char *t;

    if (date_at != NONE && date_end <= upto) {
        strbuf_add(&sb, text->buf, date_at);
        strbuf_add(&sb, text->buf + date_end, upto - date_end);
    } else {
        strbuf_add(&sb, text->buf, upto);
    }
    t = trimmed_copy(sb.buf, sb.len);
    strbuf_release(&sb);
    return t;
}

static void check_url(struct builder *b, struct idx_entry *e)
{
    unsigned earlier;

    idx__unescape_amp(e->url);
    e->id = idx_article_id(e->url);
    if (!e->id) {
        e->flags |= IDX_BAD_URL;
        add_warning(b, e->line, "cannot parse URL '%s'", e->url);
        return;
    }
    earlier = seen_check(&b->seen, e->id, e->line);
    if (earlier) {
        e->flags |= IDX_DUPLICATE;
        add_warning(b, e->line, "duplicate of the entry on line %u", earlier);
    }
}

static void add_paragraph_entry(struct builder *b, cmark_node *para)
{
    struct flat f = { STRBUF_INIT, NONE, NONE, NULL, false };
    struct idx_entry *e = add_entry(b, (unsigned)cmark_node_get_start_line(para));
    size_t bare, date_at = NONE, date_end = NONE;

    flatten(para, &f);
    if (!find_date(f.text.buf, f.text.len, &e->date_month, &e->date_day, &date_at, &date_end))
        date_at = date_end = NONE;
    if (!b->have_month) {
        e->flags |= IDX_BEFORE_MONTH;
        add_warning(b, e->line, "entry before any month heading");
    }
    bare = find_bare_url(&f);
    if (f.link_at != NONE && (bare == NONE || f.link_at < bare)) {
        e->title = title_before(&f.text, f.link_at, date_at, date_end);
        if (!*e->title && !f.autolink) {
            free(e->title);
            e->title = trimmed_copy(f.text.buf + f.link_at, f.link_end - f.link_at);
        }
        e->url = xstrdup(f.link_url);
    } else if (bare != NONE) {
        e->title = title_before(&f.text, bare, date_at, date_end);
        e->url = xstrndup(f.text.buf + bare, bare_url_end(f.text.buf, f.text.len, bare) - bare);
    } else {
        e->title = title_before(&f.text, f.text.len, date_at, date_end);
        e->flags |= IDX_NO_URL;
        add_warning(b, e->line, "entry has no URL");
    }
    if (e->url)
        check_url(b, e);
    strbuf_release(&f.text);
    b->note_to = e;
}

/* --- blocks --- */

static void add_heading(struct builder *b, cmark_node *h)
{
    unsigned line = (unsigned)cmark_node_get_start_line(h);
    char *text = plain_text(h);
    int month, year;

    b->note_to = NULL;
    if (!*text) {
        add_warning(b, line, "empty heading ignored");
    } else if (idx__parse_month(text, &month, &year)) {
        struct idx_month *m = add_month(b, line, text);
        m->month = month;
        m->year = year;
        m->year_given = year != 0;
        b->have_month = true;
    } else if (!b->ix->title) {
        b->ix->title = xstrdup(text);
    } else {
        add_warning(b, line, "second title heading ignored");
    }
    free(text);
}

static void add_note(struct builder *b, cmark_node *block)
{
    struct idx_entry *e = b->note_to;

    if (!e) {
        add_warning(b, (unsigned)cmark_node_get_start_line(block), "note without an entry");
        return;
    }
    /* A run of lists and quotes right after an entry makes one note. */
    if (!e->note)
        e->note = doc_new();
    idx__md_to_doc(e->note, e->note->root, block);
}

static void walk_document(struct builder *b, cmark_node *doc)
{
    for (cmark_node *n = cmark_node_first_child(doc); n; n = cmark_node_next(n)) {
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_HEADING:
            add_heading(b, n);
            break;
        case CMARK_NODE_PARAGRAPH:
            add_paragraph_entry(b, n);
            break;
        case CMARK_NODE_LIST:
        case CMARK_NODE_BLOCK_QUOTE:
            add_note(b, n);
            break;
        default:
            /* Rules, code and HTML blocks between entries carry nothing; they end a note. */
            b->note_to = NULL;
            break;
        }
    }
}

/* Points every entry at its month, now that the months array has stopped moving. */
static void link_months(struct idx *ix)
{
    for (size_t m = 0; m < ix->nmonths; m++)
        for (size_t i = 0; i < ix->months[m].nentries; i++)
            ix->months[m].entries[i].month = &ix->months[m];
}

/* --- public --- */

enum arc_err idx_parse(const char *buf, size_t len, const char *name, const struct idx_opts *opts,
                       struct idx **out, struct strbuf *why)
{
    struct builder b = { 0 };
    cmark_node *doc;

    *out = NULL;
    if (!name)
        name = "";
    if (len > IDX_MAX_BYTES) {
        strbuf_setwhy(why, "cannot read '%s': larger than %zu bytes", name, IDX_MAX_BYTES);
        return ARC_ETOOBIG;
    }
    if (len >= 3 && !memcmp(buf, UTF8_BOM, 3)) {
        buf += 3;
        len -= 3;
    }
    doc = cmark_parse_document(len ? buf : "", len, CMARK_OPT_DEFAULT);
    if (!doc) {
        strbuf_setwhy(why, "cannot parse '%s': %s", name, arc_strerror(ARC_ENOMEM));
        return ARC_ENOMEM;
    }
    b.ix = xcalloc(1, sizeof(*b.ix));
    b.ix->path = xstrdup(name);
    walk_document(&b, doc);
    cmark_node_free(doc);
    free(b.seen.slots);
    free(b.entries_alloc);
    link_months(b.ix);
    idx_resolve_years(b.ix, opts);
    *out = b.ix;
    return ARC_OK;
}

enum arc_err idx_parse_file(const char *path, const struct idx_opts *opts, struct idx **out,
                            struct strbuf *why)
{
    struct strbuf sb = STRBUF_INIT;
    enum arc_err err;

    *out = NULL;
    err = fs_read_file(path, IDX_MAX_BYTES, &sb, why);
    if (err == ARC_OK)
        err = idx_parse(sb.buf, sb.len, path, opts, out, why);
    strbuf_release(&sb);
    return err;
}

void idx_free(struct idx *ix)
{
    if (!ix)
        return;
    for (size_t m = 0; m < ix->nmonths; m++) {
        struct idx_month *mo = &ix->months[m];
        for (size_t i = 0; i < mo->nentries; i++) {
            free(mo->entries[i].title);
            free(mo->entries[i].url);
            free(mo->entries[i].id);
            doc_free(mo->entries[i].note);
        }
        free(mo->entries);
        free(mo->heading);
    }
    free(ix->months);
    for (size_t i = 0; i < ix->nwarnings; i++)
        free(ix->warnings[i].message);
    free(ix->warnings);
    free(ix->title);
    free(ix->path);
    free(ix);
}
