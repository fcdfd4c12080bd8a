/* cmd_status.c: `archiver status` lists the index's months and entries, each with its date,
 * title, URL, id and the state of its copy in the archive, then the totals; --json prints the
 * same as one JSON document whose format docs/status-json.md fixes. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "archive/archive.h"
#include "doc/doc.h"
#include "util/alloc.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* Bumped only on an incompatible change; fields are only ever added. */
#define STATUS_JSON_VERSION 1

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

static json_t *entry_json(const struct idx_entry *e, enum archive_state state)
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
    json_object_set_new(o, "state", json_string(archive_state_name(state)));
    for (size_t i = 0; i < ARC_ARRAY_SIZE(flag_names); i++)
        if (e->flags & flag_names[i].flag)
            json_array_append_new(flags, json_string(flag_names[i].name));
    json_object_set_new(o, "flags", flags);
    strbuf_reset(&sb);
    if (e->note)
        doc_plain_text(e->note->root, &sb);
    json_object_set_new(o, "note", e->note ? json_string(sb.buf) : json_null());
    strbuf_release(&sb);
    return o;
}

static void print_entry(const struct idx_entry *e, enum archive_state state, int state_width)
{
    struct strbuf date = STRBUF_INIT;

    if (e->date_month)
        strbuf_addf(&date, "%02d.%02d", e->date_month, e->date_day);
    printf("  %-*s  %-5s  %-22s  %s", state_width, archive_state_name(state), date.buf,
           e->id ? e->id : "-", e->title);
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
    enum archive_state *states = xcalloc(ix->nentries + 1, sizeof(*states));
    int state_width = 0;

    /* States first: the text listing's state column is as wide as its longest state. */
    for (size_t m = 0; m < ix->nmonths; m++) {
        for (size_t i = 0; i < ix->months[m].nentries; i++) {
            const struct idx_entry *e = &ix->months[m].entries[i];
            int w;

            states[k] = e->id && cmd_selected(c, e) ? archive_entry_state(c->archive, e->id)
                                                    : ARCHIVE_PENDING;
            w = (int)strlen(archive_state_name(states[k++]));
            if (cmd_selected(c, e) && w > state_width)
                state_width = w;
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
            enum archive_state st = states[k++];

            if (!cmd_selected(c, e))
                continue;
            if (!shown)
                jm = begin_month(c, mo, sb.buf, ++nmonths, &entries);
            shown = true;
            counts[st]++;
            nentries++;
            if (c->json)
                json_array_append_new(entries, entry_json(e, st));
            else
                print_entry(e, st, state_width);
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
    free(states);
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
