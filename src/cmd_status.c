/* cmd_status.c: `archiver status` lists the index's months and entries, each with the state of
 * its copy in the archive and what its meta.json tells about it (when it was archived and how many
 * images came, or why and when it failed), its date, id, title and URL, then the totals; --json
 * prints the same as one JSON document whose format docs/status-json.md fixes. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "archive/archive.h"
#include "doc/doc.h"
#include "util/alloc.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/banned.h"

/* Bumped only on an incompatible change; fields are only ever added. */
#define STATUS_JSON_VERSION 1
/* The detail column is padded to its longest entry up to this many columns; a longer detail (a
 * server's whole error message) pushes only its own line to the right, so one long reason does
 * not widen every line of the listing and nothing is cut. */
#define STATUS_DETAIL_ALIGN_MAX 48

static const char *const status_usage[] = {
    "archiver status [<index>] [--archive <dir>] [--only <id>]... [--year <yyyy>] [--json]",
    NULL,
};

static const struct {
    unsigned flag;
    const char *name;
} flag_names[] = {
    { IDX_NO_URL, "no-url" },
    { IDX_BAD_URL, "bad-url" },
    { IDX_DUPLICATE, "duplicate" },
    { IDX_BEFORE_MONTH, "before-month" },
};

static void month_label(const struct idx_month *m, struct strbuf *out)
{
    if (!m->month)
        strbuf_addstr(out, "(before any month)");
    else if (m->year)
        strbuf_addf(out, "%04d-%02d", m->year, m->month);
    else
        strbuf_addf(out, "%02d", m->month);
}

/* "2024-12-27"; "12-27" when the year is unknown; "" when the entry has no date.  The year is
 * the date's own (【12.31】 under `# 2025-01` is 2024-12-31). */
static void entry_date(const struct idx_entry *e, struct strbuf *out)
{
    if (!e->date_month)
        return;
    if (e->date_year)
        strbuf_addf(out, "%04d-", e->date_year);
    strbuf_addf(out, "%02d-%02d", e->date_month, e->date_day);
}

/* --- what meta.json says about an entry --- */

/* An entry's state and what the listing shows of its meta.json, which is read once: the text
 * listing needs every detail before the first line (the column is as wide as the widest one), and
 * a summary instead of the whole meta keeps image lists out of memory. */
struct entry_status {
    enum archive_state state;
    char *detail;       /* the detail column, on one line; NULL when there is nothing to say */
    char *error;        /* meta's "error", or why meta.json cannot be read; NULL = none */
    char *title;        /* the title the archived page gave, or NULL */
    int64_t published;  /* Unix seconds; 0 = unknown (as in struct archive_meta) */
    int64_t fetched;    /* Unix seconds of the last good fetch; 0 = never */
    int64_t deleted_up; /* Unix seconds the publisher's deletion was first seen; 0 = never */
    size_t images[ARCHIVE_IMAGE__COUNT]; /* counted by status */
    bool has_event;                      /* the history is not empty; last is its newest event */
    struct archive_event last;           /* result and detail owned (detail may be NULL) */
};

static void entry_status_release(struct entry_status *st)
{
    free(st->detail);
    free(st->error);
    free(st->title);
    free(st->last.result);
    free(st->last.detail);
    memset(st, 0, sizeof(*st));
}

static char *xstrdup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Appends t in UTC: its date "2026-11-20", or with iso "2026-11-20T08:30:00Z".  False, and
 * nothing appended, when t is 0 (unknown) or out of range. */
static bool add_time(struct strbuf *out, int64_t t, bool iso)
{
    time_t s = (time_t)t;
    struct tm tm;
    char buf[64];
    size_t n;

    if (!t || (int64_t)s != t || !gmtime_r(&s, &tm))
        return false;
    if (iso)
        n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        n = strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
    if (!n)
        return false;
    strbuf_addstr(out, buf);
    return true;
}

/* Starts the next part of a detail: parts are joined by " · ". */
static void add_sep(struct strbuf *sb)
{
    if (sb->len)
        strbuf_addstr(sb, " · ");
}

/* "2026-11-20 · 12 images, 2 missing": the last good fetch and the stored copy's images. */
static void detail_archived(const struct entry_status *st, struct strbuf *sb)
{
    size_t ok = st->images[ARCHIVE_IMAGE_OK];
    size_t missing = st->images[ARCHIVE_IMAGE_FAILED] + st->images[ARCHIVE_IMAGE_GONE];

    add_time(sb, st->fetched, false);
    add_sep(sb);
    strbuf_addf(sb, "%zu %s", ok, ok == 1 ? "image" : "images");
    if (missing)
        strbuf_addf(sb, ", %zu missing", missing);
}

/* "copy of 2026-05-01, deleted upstream 2026-11-20". */
static void detail_deleted_upstream(const struct entry_status *st, struct strbuf *sb)
{
    strbuf_addstr(sb, st->fetched ? "copy of " : "copy kept");
    add_time(sb, st->fetched, false);
    strbuf_addstr(sb, st->deleted_up ? ", deleted upstream " : ", deleted upstream");
    add_time(sb, st->deleted_up, false);
}

/* "2026-11-20 · verification wall": when the last attempt was made, and why it brought nothing
 * (meta's error, else the last event's detail, else its HTTP status when that is an error). */
static void detail_failure(const struct entry_status *st, struct strbuf *sb)
{
    const struct archive_event *ev = st->has_event ? &st->last : NULL;

    if (ev)
        add_time(sb, ev->time, false);
    if (st->error && *st->error) {
        add_sep(sb);
        strbuf_addstr(sb, st->error);
    } else if (ev && ev->detail && *ev->detail) {
        add_sep(sb);
        strbuf_addstr(sb, ev->detail);
    } else if (ev && ev->http_status >= 400) {
        add_sep(sb);
        strbuf_addf(sb, "HTTP %ld", ev->http_status);
    }
}

/* Turns line breaks, tabs and other control characters (a server's multi-line message) into
 * spaces, so that each entry stays on one line of the listing. */
static void flatten(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

static void make_detail(struct entry_status *st)
{
    struct strbuf sb = STRBUF_INIT;

    switch (st->state) {
    case ARCHIVE_PENDING:
        /* Never tried; or meta.json cannot be read, and then the error says why. */
        if (st->error)
            strbuf_addf(&sb, "meta.json unreadable: %s", st->error);
        break;
    case ARCHIVE_ARCHIVED:
        detail_archived(st, &sb);
        break;
    case ARCHIVE_ARCHIVED_DELETED:
        detail_deleted_upstream(st, &sb);
        break;
    case ARCHIVE_FAILED:
    case ARCHIVE_DELETED:
    case ARCHIVE_REMOVED:
    case ARCHIVE_UNAVAILABLE:
    case ARCHIVE_WALLED:
        detail_failure(st, &sb);
        break;
    case ARCHIVE_STATE__COUNT:
        BUG("archive state out of range");
    }
    flatten(sb.buf);
    st->detail = sb.len ? strbuf_detach(&sb, NULL) : NULL;
    strbuf_release(&sb);
}

/* Reads the entry's meta.json (when it has an id) into *st.  None: pending, nothing to say.
 * Unreadable or damaged: pending too (the next fetch tries again, as archive_entry_state() has
 * it), with the reason as the detail rather than an aborted listing. */
static void entry_status_read(const char *dir, const char *id, struct entry_status *st)
{
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf why = STRBUF_INIT;
    enum arc_err err;

    memset(st, 0, sizeof(*st));
    st->state = ARCHIVE_PENDING;
    if (!id)
        return;
    err = archive_meta_read(dir, id, &m, &why);
    if (err == ARC_ENOTFOUND)
        goto out;
    if (err) {
        st->error = xstrdup(why.len ? why.buf : arc_strerror(err));
        goto out;
    }
    st->state = m.state;
    st->error = xstrdup_or_null(m.error);
    st->title = xstrdup_or_null(m.title);
    st->published = m.published;
    st->fetched = m.fetched;
    st->deleted_up = m.deleted_upstream;
    for (size_t i = 0; i < m.nimages; i++)
        st->images[m.images[i].status]++;
    if (m.nhistory) {
        const struct archive_event *ev = &m.history[m.nhistory - 1];

        st->has_event = true;
        st->last.time = ev->time;
        st->last.result = xstrdup_or_null(ev->result);
        st->last.http_status = ev->http_status;
        st->last.detail = xstrdup_or_null(ev->detail);
    }
out:
    make_detail(st);
    strbuf_release(&why);
    archive_meta_release(&m);
}

/* Is the code point East Asian wide (Hangul, CJK, kana, full-width forms), two columns? */
static bool is_wide(unsigned long cp)
{
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
           (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
           (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
           (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
}

/* Columns a terminal gives s: wide characters two, others one (an invalid byte one).  Only for
 * padding, so rough edges (combining marks, emoji) cost alignment, nothing more. */
static size_t display_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), w = 0;

    while (n) {
        size_t len = utf8_len(p, n);
        unsigned long cp = p[0];

        if (!len)
            len = 1;
        else if (len > 1)
            cp &= 0x7fu >> len;
        for (size_t i = 1; i < len; i++)
            cp = cp << 6 | (p[i] & 0x3fu);
        w += is_wide(cp) ? 2 : 1;
        p += len;
        n -= len;
    }
    return w;
}

/* --- output --- */

/* json_string(), or null for NULL and for what jansson refuses (invalid UTF-8 in a path). */
static json_t *str_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

/* "2026-11-20T08:30:00Z", or null when unknown. */
static json_t *time_json(int64_t t)
{
    struct strbuf sb = STRBUF_INIT;
    json_t *v = add_time(&sb, t, true) ? json_string(sb.buf) : json_null();

    strbuf_release(&sb);
    return v;
}

/* The fields that come from meta.json, added to the entry's object o. */
static void entry_status_json(json_t *o, const struct entry_status *st)
{
    json_t *images = json_null(), *ev = json_null(), *code;

    json_object_set_new(o, "detail", str_or_null(st->detail));
    json_object_set_new(o, "fetched", time_json(st->fetched));
    if (archive_state_has_copy(st->state)) {
        images = json_object();
        for (unsigned i = 0; i < ARCHIVE_IMAGE__COUNT; i++)
            json_object_set_new(images, archive_image_status_name(i),
                                json_integer((json_int_t)st->images[i]));
    }
    json_object_set_new(o, "images", images);
    json_object_set_new(o, "error", str_or_null(st->error));
    json_object_set_new(o, "deleted_upstream", time_json(st->deleted_up));
    if (st->has_event) {
        ev = json_object();
        json_object_set_new(ev, "time", time_json(st->last.time));
        json_object_set_new(ev, "result", str_or_null(st->last.result));
        code = st->last.http_status ? json_integer(st->last.http_status) : json_null();
        json_object_set_new(ev, "http_status", code);
        json_object_set_new(ev, "detail", str_or_null(st->last.detail));
    }
    json_object_set_new(o, "last_event", ev);
    json_object_set_new(o, "published", time_json(st->published));
    json_object_set_new(o, "archived_title", str_or_null(st->title));
}

static json_t *entry_json(const struct idx_entry *e, const struct entry_status *est)
{
    json_t *o = json_object();
    json_t *flags = json_array();
    struct strbuf sb = STRBUF_INIT;

    json_object_set_new(o, "line", json_integer(e->line));
    json_object_set_new(o, "id", e->id ? json_string(e->id) : json_null());
    json_object_set_new(o, "title", json_string(e->title));
    json_object_set_new(o, "url", e->url ? json_string(e->url) : json_null());
    entry_date(e, &sb);
    json_object_set_new(o, "date", sb.len ? json_string(sb.buf) : json_null());
    json_object_set_new(o, "state", json_string(archive_state_name(est->state)));
    for (size_t i = 0; i < ARC_ARRAY_SIZE(flag_names); i++)
        if (e->flags & flag_names[i].flag)
            json_array_append_new(flags, json_string(flag_names[i].name));
    json_object_set_new(o, "flags", flags);
    strbuf_reset(&sb);
    if (e->note)
        doc_plain_text(e->note->root, &sb);
    json_object_set_new(o, "note", e->note ? json_string(sb.buf) : json_null());
    entry_status_json(o, est);
    strbuf_release(&sb);
    return o;
}

/* Widths of the state and detail columns (0: no entry has a detail, and no column is printed). */
struct columns {
    int state;
    size_t detail;
};

static void print_entry(const struct idx_entry *e, const struct entry_status *st,
                        const struct columns *cols)
{
    struct strbuf date = STRBUF_INIT;

    if (e->date_month)
        strbuf_addf(&date, "%02d.%02d", e->date_month, e->date_day);
    printf("  %-*s  ", cols->state, archive_state_name(st->state));
    if (cols->detail) {
        const char *d = st->detail ? st->detail : "";

        fputs(d, stdout);
        for (size_t w = display_width(d); w < cols->detail; w++)
            putchar(' ');
        fputs("  ", stdout);
    }
    printf("%-5s  %-22s  %s", date.buf, e->id ? e->id : "-", e->title);
    if (e->url)
        printf("  %s", e->url);
    for (size_t i = 0; i < ARC_ARRAY_SIZE(flag_names); i++)
        if (e->flags & flag_names[i].flag)
            printf("  [%s]", flag_names[i].name);
    putchar('\n');
    strbuf_release(&date);
}

/* Starts a month of the listing: prints its label (the nth month listed), or returns its JSON
 * object with *entries the array to fill. */
static json_t *begin_month(const struct cmd_common *c, const struct idx_month *mo,
                           const char *label, size_t nth, json_t **entries)
{
    json_t *jm;

    *entries = NULL;
    if (!c->json) {
        printf("%s%s\n", nth > 1 ? "\n" : "", label);
        return NULL;
    }
    jm = json_object();
    *entries = json_array();
    json_object_set_new(jm, "label", json_string(label));
    json_object_set_new(jm, "year", mo->year ? json_integer(mo->year) : json_null());
    json_object_set_new(jm, "month", mo->month ? json_integer(mo->month) : json_null());
    json_object_set_new(jm, "heading", json_string(mo->heading));
    json_object_set_new(jm, "line", json_integer(mo->line));
    return jm;
}

static json_t *warnings_json(const struct idx *ix)
{
    json_t *a = json_array();

    for (size_t i = 0; i < ix->nwarnings; i++) {
        json_t *w = json_object();
        json_object_set_new(w, "line", json_integer(ix->warnings[i].line));
        json_object_set_new(w, "message", json_string(ix->warnings[i].message));
        json_array_append_new(a, w);
    }
    return a;
}

static int report(const struct cmd_common *c, const struct idx *ix, const char *index_path)
{
    size_t counts[ARCHIVE_STATE__COUNT] = { 0 };
    size_t nentries = 0, nmonths = 0, k = 0;
    json_t *root = NULL, *months = NULL, *totals;
    struct strbuf sb = STRBUF_INIT;
    struct entry_status *sts = xcalloc(ix->nentries + 1, sizeof(*sts));
    struct columns cols = { 0, 0 };

    /* Every selected entry's meta.json first: the text listing's state and detail columns are as
     * wide as their longest cell (the detail up to STATUS_DETAIL_ALIGN_MAX). */
    for (size_t m = 0; m < ix->nmonths; m++) {
        for (size_t i = 0; i < ix->months[m].nentries; i++) {
            const struct idx_entry *e = &ix->months[m].entries[i];
            struct entry_status *st = &sts[k++];
            size_t dw;
            int w;

            if (!cmd_selected(c, e)) {
                st->state = ARCHIVE_PENDING;
                continue;
            }
            entry_status_read(c->archive, e->id, st);
            w = (int)strlen(archive_state_name(st->state));
            if (w > cols.state)
                cols.state = w;
            dw = st->detail ? display_width(st->detail) : 0;
            if (dw > STATUS_DETAIL_ALIGN_MAX)
                dw = STATUS_DETAIL_ALIGN_MAX;
            if (dw > cols.detail)
                cols.detail = dw;
        }
    }
    k = 0;

    if (c->json) {
        root = json_object();
        months = json_array();
        json_object_set_new(root, "version", json_integer(STATUS_JSON_VERSION));
        json_object_set_new(root, "index", json_string(index_path));
        json_object_set_new(root, "archive", json_string(c->archive));
        json_object_set_new(root, "title", ix->title ? json_string(ix->title) : json_null());
    }
    for (size_t m = 0; m < ix->nmonths; m++) {
        const struct idx_month *mo = &ix->months[m];
        json_t *jm = NULL, *entries = NULL;
        bool shown = false;

        strbuf_reset(&sb);
        month_label(mo, &sb);
        for (size_t i = 0; i < mo->nentries; i++) {
            const struct idx_entry *e = &mo->entries[i];
            const struct entry_status *st = &sts[k++];

            if (!cmd_selected(c, e))
                continue;
            if (!shown)
                jm = begin_month(c, mo, sb.buf, ++nmonths, &entries);
            shown = true;
            counts[st->state]++;
            nentries++;
            if (c->json)
                json_array_append_new(entries, entry_json(e, st));
            else
                print_entry(e, st, &cols);
        }
        /* Without --only every month is listed, even one with no entries. */
        if (!shown && !c->only.n)
            jm = begin_month(c, mo, sb.buf, ++nmonths, &entries);
        if (jm) {
            json_object_set_new(jm, "entries", entries);
            json_array_append_new(months, jm);
        }
    }

    if (c->json) {
        totals = json_object();
        json_object_set_new(totals, "months", json_integer((json_int_t)nmonths));
        json_object_set_new(totals, "entries", json_integer((json_int_t)nentries));
        for (unsigned s = 0; s < ARCHIVE_STATE__COUNT; s++)
            json_object_set_new(totals, archive_state_name(s), json_integer((json_int_t)counts[s]));
        json_object_set_new(root, "months", months);
        json_object_set_new(root, "totals", totals);
        json_object_set_new(root, "warnings", warnings_json(ix));
        if (json_dumpf(root, stdout, JSON_INDENT(2)) != 0)
            error("cannot write JSON to standard output");
        putchar('\n');
        json_decref(root);
    } else {
        const char *sep = ": ";

        printf("%s%zu %s in %zu %s", nentries ? "\n" : "", nentries,
               nentries == 1 ? "entry" : "entries", nmonths, nmonths == 1 ? "month" : "months");
        for (unsigned s = 0; s < ARCHIVE_STATE__COUNT; s++) {
            if (counts[s]) {
                printf("%s%zu %s", sep, counts[s], archive_state_name(s));
                sep = ", ";
            }
        }
        if (ix->nwarnings)
            printf("; %zu %s", ix->nwarnings, ix->nwarnings == 1 ? "warning" : "warnings");
        putchar('\n');
    }
    strbuf_release(&sb);
    for (k = 0; k < ix->nentries; k++)
        entry_status_release(&sts[k]);
    free(sts);
    return ARC_EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
    struct cmd_common c = CMD_COMMON_INIT;
    const struct opt options[] = {
        OPT_COMMON(&c),
        OPT_END(),
    };
    struct idx *ix;
    char *path;
    int rc;

    argc = opts_parse(argc, argv, options, status_usage);
    cmd_common_args(&c, argc, argv, status_usage);
    rc = cmd_load_index(&c, &ix);
    if (rc) {
        cmd_common_release(&c);
        return rc;
    }
    path = cmd_index_path(&c);
    rc = report(&c, ix, path);
    free(path);
    idx_free(ix);
    cmd_common_release(&c);
    return rc;
}
