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
#include "util/hash.h"
#include "util/fs.h"
#include "util/utf8.h"
#include "util/banned.h"

#define UTF8_BOM          "\xef\xbb\xbf"
#define IDEOGRAPHIC_SPACE "\xe3\x80\x80"
#define DATE_OPEN         "\xe3\x80\x90" /* 【 */
#define DATE_CLOSE        "\xe3\x80\x91" /* 】 */
#define REPLACEMENT_CHAR  "\xef\xbf\xbd" /* U+FFFD */
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

static struct seen_slot *seen_find(struct seen *set, const char *id)
{
    size_t i = (size_t)hash_fnv1a(id) & (set->cap - 1);

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
    const char *src;           /* the text cmark parsed (NUL-terminated), for source lines */
    size_t src_len;
    size_t *line_at; /* line_at[i]: offset of line i + 1 in src */
    size_t nlines;
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

/* Keeps the warnings in line order when one is added after the walk. */
static void sort_last_warning(struct idx *ix)
{
    for (size_t i = ix->nwarnings - 1; i > 0 && ix->warnings[i - 1].line > ix->warnings[i].line;
         i--) {
        struct idx_warning w = ix->warnings[i];
        ix->warnings[i] = ix->warnings[i - 1];
        ix->warnings[i - 1] = w;
    }
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
    size_t (*code)[2];        /* where code spans sit in text: [start, end) */
    size_t ncode, code_alloc;
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
        case CMARK_NODE_CODE:
            f->code = xgrow(f->code, sizeof(*f->code), f->ncode + 1, &f->code_alloc);
            f->code[f->ncode][0] = f->text.len;
            s = cmark_node_get_literal(n);
            if (s)
                strbuf_addstr(&f->text, s);
            f->code[f->ncode++][1] = f->text.len;
            break;
        case CMARK_NODE_TEXT:
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

/* How many http(s) URLs begin in s[0..upto). */
static size_t count_http(const char *s, size_t upto)
{
    size_t n = 0;

    for (size_t i = 0; i < upto; i++)
        if ((s[i] == 'h' || s[i] == 'H') && has_http_prefix(s + i))
            n++;
    return n;
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

/* The bare URL at text[at..): a code span's text is as written, and ends the URL. */
static char *rendered_bare_url(const struct flat *f, size_t at)
{
    size_t end = f->text.len;

    for (size_t i = 0; i < f->ncode; i++)
        if (at >= f->code[i][0] && at < f->code[i][1])
            end = f->code[i][1];
    return xstrndup(f->text.buf + at, bare_url_end(f->text.buf, end, at) - at);
}

static bool in_code_span(const struct flat *f, size_t at)
{
    for (size_t i = 0; i < f->ncode; i++)
        if (at >= f->code[i][0] && at < f->code[i][1])
            return true;
    return false;
}

/* The bare URL as written in the paragraph's source lines, where Markdown has not eaten its `_`,
 * `*` or `\\`: the nth http(s) URL that is not a link's destination, n counted in the rendered
 * text (which has the same URLs, in the same order, outside destinations).  NULL when the source
 * does not line up. */
static char *source_bare_url(const struct builder *b, cmark_node *para, size_t nth)
{
    int first = cmark_node_get_start_line(para), last = cmark_node_get_end_line(para);
    size_t start, end;

    if (first < 1 || last < first || (size_t)first > b->nlines)
        return NULL;
    start = b->line_at[first - 1];
    end = (size_t)last < b->nlines ? b->line_at[last] : b->src_len;
    for (size_t i = start; i < end; i++) {
        const char *s = b->src + i;

        if ((*s != 'h' && *s != 'H') || !has_http_prefix(s))
            continue;
        /* [text](https://...), ![alt](https://...) and [text](<https://...>) */
        if ((i - start >= 2 && !memcmp(s - 2, "](", 2)) ||
            (i - start >= 3 && !memcmp(s - 3, "](<", 3)))
            continue;
        if (nth--)
            continue;
        return xstrndup(s, bare_url_end(b->src, end, i) - i);
    }
    return NULL;
}

/* Finds 【MM.DD】 (the backticks of 【`12.27`】 are gone with the code span), valid or not; sets
 * the span it covers.  False when there is none. */
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
        if (nm >= 1 && nm <= 2 && nd >= 1 && nd <= 2 && stop - q >= 3 &&
            !memcmp(q, DATE_CLOSE, 3)) {
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

static bool is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Is MM.DD a day of the calendar?  February 29 needs a leap year when year is known (not 0). */
static bool valid_date(int month, int day, int year)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (month < 1 || month > 12 || day < 1 || day > mdays[month - 1])
        return false;
    return !(month == 2 && day == 29 && year && !is_leap(year));
}

/* The year of the entry's date when the heading names its year; 0 when it is not known yet.
 * A date in a later month than the heading's belongs to the year before (idx_resolve_years). */
static int known_date_year(const struct builder *b, int date_month)
{
    const struct idx_month *m;

    if (!b->have_month || !b->ix->nmonths)
        return 0;
    m = &b->ix->months[b->ix->nmonths - 1];
    if (!m->year_given)
        return 0;
    return date_month > m->month ? m->year - 1 : m->year;
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
    struct flat f = { STRBUF_INIT, NONE, NONE, NULL, false, NULL, 0, 0 };
    struct idx_entry *e = add_entry(b, (unsigned)cmark_node_get_start_line(para));
    size_t bare, date_at = NONE, date_end = NONE;

    flatten(para, &f);
    if (!find_date(f.text.buf, f.text.len, &e->date_month, &e->date_day, &date_at, &date_end)) {
        date_at = date_end = NONE;
        e->date_month = e->date_day = 0;
    } else if (!valid_date(e->date_month, e->date_day, known_date_year(b, e->date_month))) {
        add_warning(b, e->line, "no such date %02d.%02d; date ignored", e->date_month, e->date_day);
        date_at = date_end = NONE;
        e->date_month = e->date_day = 0;
    }
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
        if (!in_code_span(&f, bare))
            e->url = source_bare_url(b, para, count_http(f.text.buf, bare));
        if (!e->url)
            e->url = rendered_bare_url(&f, bare);
    } else {
        e->title = title_before(&f.text, f.text.len, date_at, date_end);
        e->flags |= IDX_NO_URL;
        add_warning(b, e->line, "entry has no URL");
    }
    if (e->url)
        check_url(b, e);
    strbuf_release(&f.text);
    free(f.code);
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

/* Copies buf to out with every byte that is not part of valid UTF-8 replaced by U+FFFD, so that
 * titles, URLs and notes are valid UTF-8 (JSON and XML need it). */
static void repair_utf8(const char *buf, size_t len, struct strbuf *out)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = 0, run = 0; /* s[run..i) is valid and not yet copied */

    strbuf_grow(out, len);
    while (i < len) {
        size_t n = utf8_len(s + i, len - i);

        if (n) {
            i += n;
            continue;
        }
        strbuf_add(out, s + run, i - run);
        strbuf_addstr(out, REPLACEMENT_CHAR);
        run = ++i;
    }
    strbuf_add(out, s + run, i - run);
}

/* Where each line of src starts, counting line ends as cmark does (LF, CR LF, lone CR). */
static void find_lines(struct builder *b)
{
    size_t alloc = 0;

    b->line_at = xgrow(NULL, sizeof(*b->line_at), 1, &alloc);
    b->line_at[b->nlines++] = 0;
    for (size_t i = 0; i < b->src_len; i++) {
        if (b->src[i] != '\n' && b->src[i] != '\r')
            continue;
        if (b->src[i] == '\r' && i + 1 < b->src_len && b->src[i + 1] == '\n')
            i++;
        b->line_at = xgrow(b->line_at, sizeof(*b->line_at), b->nlines + 1, &alloc);
        b->line_at[b->nlines++] = i + 1;
    }
}

/* Warns about a month heading that names the same month as the one before it. */
static void check_repeated_months(struct builder *b)
{
    struct idx *ix = b->ix;

    for (size_t i = 1; i < ix->nmonths; i++) {
        const struct idx_month *prev = &ix->months[i - 1], *m = &ix->months[i];

        if (prev->month && m->month == prev->month && m->year == prev->year) {
            add_warning(b, m->line, "month %04d-%02d appears again (line %u)", m->year, m->month,
                        prev->line);
            sort_last_warning(ix);
        }
    }
}

enum arc_err idx_parse(const char *buf, size_t len, const char *name, const struct idx_opts *opts,
                       struct idx **out, struct strbuf *why)
{
    struct builder b = { 0 };
    struct strbuf clean = STRBUF_INIT;
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
    repair_utf8(buf, len, &clean);
    doc = cmark_parse_document(clean.buf, clean.len, CMARK_OPT_DEFAULT);
    if (!doc) {
        strbuf_release(&clean);
        strbuf_setwhy(why, "cannot parse '%s': %s", name, arc_strerror(ARC_ENOMEM));
        return ARC_ENOMEM;
    }
    b.src = clean.buf;
    b.src_len = clean.len;
    find_lines(&b);
    b.ix = xcalloc(1, sizeof(*b.ix));
    b.ix->path = xstrdup(name);
    walk_document(&b, doc);
    cmark_node_free(doc);
    free(b.seen.slots);
    free(b.entries_alloc);
    free(b.line_at);
    strbuf_release(&clean);
    link_months(b.ix);
    idx_resolve_years(b.ix, opts);
    check_repeated_months(&b);
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
