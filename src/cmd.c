/* cmd.c: the options, index loading and messages that every subcommand shares. */
#include "cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/archive.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/fs.h"
#include "util/strbuf.h"
#include "util/banned.h"

int error(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("archiver: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

void cmd_human_bytes(uint64_t n, char *buf, size_t size)
{
    if (n >= 1024 * 1024)
        snprintf(buf, size, "%.1f MB", n / (1024.0 * 1024.0));
    else if (n >= 1024)
        snprintf(buf, size, "%.1f kB", n / 1024.0);
    else
        snprintf(buf, size, "%llu B", (unsigned long long)n);
}

void warning(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("archiver: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Publish times by article id: a chained hash table. */
#define PUBTIMES_BUCKETS 4096
struct pubtime {
    char *id;
    int64_t published;
    struct pubtime *next;
};
struct cmd_pubtimes {
    struct pubtime *bucket[PUBTIMES_BUCKETS];
};

void cmd_common_args(struct cmd_common *c, int argc, char **argv, const char *const *usage)
{
    if (argc > 1)
        opts_usage_error(usage, "too many arguments: '%s'", argv[1]);
    if (argc == 1)
        c->index = argv[0];
    if (!*c->archive)
        opts_usage_error(usage, "--archive needs a directory");
    /* Whether --year was given is told by the sentinel, not the value: "--year 0" is wrong. */
    if (c->year == CMD_YEAR_UNSET)
        c->year = 0;
    else if (c->year < 1970 || c->year > 9999)
        opts_usage_error(usage, "--year takes a year from 1970 to 9999, not %d", c->year);
    if (!c->pub)
        c->pub = xcalloc(1, sizeof(*c->pub));
}

char *cmd_index_path(const struct cmd_common *c)
{
    if (c->index)
        return xstrdup(c->index);
    return xasprintf("%s/index.md", c->archive);
}

bool cmd_selected(const struct cmd_common *c, const struct idx_entry *e)
{
    if (!c->only.n)
        return true;
    for (size_t i = 0; i < c->only.n; i++)
        if (e->id && !strcmp(e->id, c->only.v[i]))
            return true;
    return false;
}

static bool index_has_id(const struct idx *ix, const char *id)
{
    for (size_t m = 0; m < ix->nmonths; m++)
        for (size_t i = 0; i < ix->months[m].nentries; i++)
            if (ix->months[m].entries[i].id && !strcmp(ix->months[m].entries[i].id, id))
                return true;
    return false;
}

static struct pubtime **pub_slot(struct cmd_pubtimes *pt, const char *id)
{
    struct pubtime **p = &pt->bucket[hash_fnv1a(id) % PUBTIMES_BUCKETS];

    while (*p && strcmp((*p)->id, id))
        p = &(*p)->next;
    return p;
}

void cmd_note_published(const struct cmd_common *c, const char *id, int64_t published)
{
    struct pubtime **p;

    if (!c->pub || !id)
        return;
    p = pub_slot(c->pub, id);
    if (!*p) {
        *p = xcalloc(1, sizeof(**p));
        (*p)->id = xstrdup(id);
    }
    (*p)->published = published;
}

/* idx_opts.published: the publish time in the article's meta.json, 0 when unknown; read once
 * per run (or told by cmd_note_published). */
static int64_t archived_published(const char *id, void *ud)
{
    const struct cmd_common *c = ud;
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf why = STRBUF_INIT;
    struct pubtime **p = c->pub ? pub_slot(c->pub, id) : NULL;
    int64_t t = 0;

    if (p && *p)
        return (*p)->published;
    if (archive_meta_read(c->archive, id, &m, &why) == ARC_OK)
        t = m.published;
    archive_meta_release(&m);
    strbuf_release(&why);
    cmd_note_published(c, id, t);
    return t;
}

void cmd_index_years(const struct cmd_common *c, struct idx *ix)
{
    struct idx_opts io = IDX_OPTS_INIT;

    io.year = c->year;
    io.published = archived_published;
    io.ud = (void *)c;
    idx_resolve_years(ix, &io);
}

enum arc_exit cmd_load_index(const struct cmd_common *c, struct idx **out)
{
    struct idx_opts io = IDX_OPTS_INIT;
    struct strbuf why = STRBUF_INIT;
    char *path = cmd_index_path(c);
    struct idx *ix = NULL;
    enum arc_err err;

    io.year = c->year;
    io.published = archived_published;
    io.ud = (void *)c;
    err = idx_parse_file(path, &io, &ix, &why);
    if (err) {
        error("%s", why.len ? why.buf : arc_strerror(err));
        strbuf_release(&why);
        free(path);
        *out = NULL;
        return ARC_EXIT_USAGE;
    }
    if (!c->quiet)
        for (size_t i = 0; i < ix->nwarnings; i++)
            fprintf(stderr, "%s:%u: warning: %s\n", path, ix->warnings[i].line,
                    ix->warnings[i].message);
    for (size_t i = 0; i < c->only.n; i++) {
        if (!index_has_id(ix, c->only.v[i])) {
            error("%s: no entry has the id '%s'", path, c->only.v[i]);
            idx_free(ix);
            strbuf_release(&why);
            free(path);
            *out = NULL;
            return ARC_EXIT_USAGE;
        }
    }
    strbuf_release(&why);
    free(path);
    *out = ix;
    return ARC_EXIT_OK;
}

void cmd_common_release(struct cmd_common *c)
{
    opt_list_release(&c->only);
    if (c->pub) {
        for (size_t i = 0; i < PUBTIMES_BUCKETS; i++) {
            struct pubtime *p = c->pub->bucket[i], *next;
            for (; p; p = next) {
                next = p->next;
                free(p->id);
                free(p);
            }
        }
        free(c->pub);
        c->pub = NULL;
    }
}

enum arc_exit cmd_archive_begin(const struct cmd_common *c, struct fs_lock *lock)
{
    struct strbuf why = STRBUF_INIT;
    enum arc_err err;

    err = fs_mkdirs(c->archive, &why);
    if (!err)
        err = fs_lock_acquire(lock, c->archive, &why);
    if (err == ARC_ELOCKED) {
        error("%s", why.buf);
        strbuf_release(&why);
        return ARC_EXIT_LOCKED;
    }
    if (!err && archive_gc(c->archive, &why) != ARC_OK) {
        /* Leftovers are harmless to the current versions: report them and go on. */
        warning("%s", why.buf);
        strbuf_reset(&why);
    }
    if (!err)
        err = archive_install_css(c->archive, fs_datadir(), &why);
    if (err) {
        error("%s", why.len ? why.buf : arc_strerror(err));
        fs_lock_release(lock);
        strbuf_release(&why);
        return ARC_EXIT_FATAL;
    }
    strbuf_release(&why);
    return ARC_EXIT_OK;
}

enum arc_exit cmd_archive_end(const struct cmd_common *c, const struct idx *ix,
                              struct fs_lock *lock, enum arc_exit rc)
{
    struct strbuf why = STRBUF_INIT;

    if (ix && archive_write_front_page(c->archive, ix, &why) != ARC_OK) {
        error("%s", why.len ? why.buf : "cannot write the front page");
        rc = ARC_EXIT_FATAL;
    }
    fs_lock_release(lock);
    strbuf_release(&why);
    return rc;
}

/* Is s[0..len) a port: empty (when allowed) or 1..65535? */
static bool port_ok(const char *s, size_t len, bool empty_ok)
{
    long port = 0;

    if (!len)
        return empty_ok;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || (port = port * 10 + (s[i] - '0')) > 65535)
            return false;
    }
    return port >= 1;
}

/* curl's --resolve shape, [+]HOST:PORT:ADDR[,ADDR]..., checked here so that a typo is a usage
 * error naming the option instead of a silent no-op inside libcurl. */
static bool resolve_ok(const char *s)
{
    const char *host = s + (*s == '+'), *port = strchr(host, ':'), *addr;

    if (!port || port == host)
        return false;
    addr = strchr(++port, ':');
    return addr && port_ok(port, (size_t)(addr - port), false) && addr[1];
}

/* curl's --connect-to shape, HOST1:PORT1:HOST2:PORT2 (any part may be empty; HOST2 may be an
 * IPv6 address in brackets). */
static bool connect_to_ok(const char *s)
{
    const char *p1 = strchr(s, ':'), *h2, *p2;

    if (!p1)
        return false;
    h2 = strchr(++p1, ':');
    if (!h2 || !port_ok(p1, (size_t)(h2 - p1), true))
        return false;
    p2 = strrchr(++h2, ':');
    if (!p2)
        return false;
    if (*h2 == '[' && (!strchr(h2, ']') || p2 < strchr(h2, ']')))
        return false;
    return port_ok(p2 + 1, strlen(p2 + 1), true);
}

static const char *const *null_ended(struct opt_list *l)
{
    if (!l->n)
        return NULL;
    l->v = xgrow(l->v, sizeof(*l->v), l->n + 1, &l->alloc);
    l->v[l->n] = NULL;
    return l->v;
}

void cmd_net_apply(struct cmd_net *n, struct fetch_opts *o, const char *const *usage)
{
    if (!(n->timeout > 0))
        opts_usage_error(usage, "--timeout must be more than 0 seconds");
    if (n->retries < 0 || n->retries > 100)
        opts_usage_error(usage, "--retries takes 0 to 100, not %d", n->retries);
    if (n->user_agent && !*n->user_agent)
        opts_usage_error(usage, "--user-agent needs a value");
    if (n->cacert && !fs_exists(n->cacert))
        opts_usage_error(usage, "--cacert: no such file: '%s'", n->cacert);
    for (size_t i = 0; i < n->resolve.n; i++)
        if (!resolve_ok(n->resolve.v[i]))
            opts_usage_error(usage, "--resolve wants HOST:PORT:ADDRESS, not '%s'", n->resolve.v[i]);
    for (size_t i = 0; i < n->connect_to.n; i++)
        if (!connect_to_ok(n->connect_to.v[i]))
            opts_usage_error(usage, "--connect-to wants HOST1:PORT1:HOST2:PORT2, not '%s'",
                             n->connect_to.v[i]);
    o->timeout = n->timeout;
    o->retries = n->retries;
    o->user_agent = n->user_agent;
    o->cacert = n->cacert;
    o->resolve = null_ended(&n->resolve);
    o->connect_to = null_ended(&n->connect_to);
}

void cmd_net_release(struct cmd_net *n)
{
    opt_list_release(&n->resolve);
    opt_list_release(&n->connect_to);
}
