/* cmd.h: what the subcommands (src/cmd_*.c) share: the options every subcommand takes, loading
 * the index, and git-style messages.  Only main.c and cmd_*.c include it. */
#ifndef ARC_CMD_H
#define ARC_CMD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch/fetch.h"
#include "index/index.h"
#include "util/compiler.h"
#include "util/error.h"
#include "util/opts.h"

/* The options every subcommand takes, defined once. */
struct cmd_common {
    const char *archive;  /* --archive; "archive" by default */
    const char *index;    /* the positional INDEX; NULL = <archive>/index.md */
    struct opt_list only; /* --only ID, repeatable */
    int year;             /* --year: 0 = from the clock (CMD_YEAR_UNSET until cmd_common_args) */
    bool quiet;           /* --quiet: errors only */
    bool json;            /* --json: one JSON document on stdout */
    struct cmd_pubtimes *pub; /* publish times read from meta.json in this run, so that the years
                                 of bare months are settled without reading every meta.json
                                 again; made by cmd_common_args(), NULL = none */
};
/* c->year before cmd_common_args() when --year was not given; no option value can be it. */
#define CMD_YEAR_UNSET INT_MIN
#define CMD_COMMON_INIT                                                    \
    {                                                                      \
        "archive", NULL, OPT_LIST_INIT, CMD_YEAR_UNSET, false, false, NULL \
    }

#define OPT_COMMON(c)                                                                           \
    OPT_STRING(0, "archive", &(c)->archive, "dir", "the archive directory (default: archive)"), \
        OPT_STRING_LIST(                                                                        \
            0, "only", &(c)->only, "id",                                                        \
            "only the entry with this id (repeatable; --only=ID for ids starting with -)"),     \
        OPT_COMMON_NO_ONLY_REST(c)

/* The same without --only, for the commands that always take every entry (build). */
#define OPT_COMMON_NO_ONLY(c)                                                                   \
    OPT_STRING(0, "archive", &(c)->archive, "dir", "the archive directory (default: archive)"), \
        OPT_COMMON_NO_ONLY_REST(c)

#define OPT_COMMON_NO_ONLY_REST(c)                                                         \
    OPT_INT(0, "year", &(c)->year, "yyyy",                                                 \
            "year of the first month whose heading names none (default: from the clock)"), \
        OPT_BOOL('q', "quiet", &(c)->quiet, "print errors only"),                          \
        OPT_BOOL(0, "json", &(c)->json, "print one JSON document on stdout")

/* Takes the optional INDEX positional (argv[0..argc) as left by opts_parse); more is misuse.
 * Checks --year (1970..9999 when given) and sets c->year to 0 when it was not. */
void cmd_common_args(struct cmd_common *c, int argc, char **argv, const char *const *usage);

/* Tells the run an article's publish time as its meta.json now holds it (after reading or
 * writing that meta.json), for the years of bare months. */
void cmd_note_published(const struct cmd_common *c, const char *id, int64_t published);
/* The index path to read: c->index or <archive>/index.md.  Caller frees. */
char *cmd_index_path(const struct cmd_common *c);
/* Parses the index, printing its warnings as "FILE:LINE: warning: ..." unless quiet; checks that
 * every --only names an entry.  Returns ARC_EXIT_OK, or prints the error and returns
 * ARC_EXIT_USAGE (missing or unreadable index, unknown --only). */
ARC_WUR enum arc_exit cmd_load_index(const struct cmd_common *c, struct idx **out);
/* Settles the years of the index's bare months again (idx_resolve_years) with the publish dates
 * of the articles archived under c->archive; cmd_load_index() already does it once. */
void cmd_index_years(const struct cmd_common *c, struct idx *ix);
/* Is the entry selected by --only (always true without --only)? */
bool cmd_selected(const struct cmd_common *c, const struct idx_entry *e);
void cmd_common_release(struct cmd_common *c);

/* The network options of the commands that download (fetch, import), curl's names and meanings. */
struct cmd_net {
    double timeout;         /* --timeout: seconds for one whole transfer */
    int retries;            /* --retries */
    const char *user_agent; /* --user-agent; NULL = fetch/'s desktop browser */
    const char *cacert;     /* --cacert */
    struct opt_list resolve, connect_to;
};
#define CMD_NET_INIT                                                                           \
    {                                                                                          \
        FETCH_DEFAULT_TIMEOUT, FETCH_DEFAULT_RETRIES, NULL, NULL, OPT_LIST_INIT, OPT_LIST_INIT \
    }
#define OPT_NETWORK(n)                                                                        \
    OPT_SECONDS(0, "timeout", &(n)->timeout, "seconds for one whole transfer (default: 30)"), \
        OPT_INT(0, "retries", &(n)->retries, "n",                                             \
                "retries after a timeout, reset, 429 or 5xx (default: 3)"),                   \
        OPT_STRING(0, "user-agent", &(n)->user_agent, "string",                               \
                   "the User-Agent header (default: a desktop browser's)"),                   \
        OPT_STRING_LIST(0, "resolve", &(n)->resolve, "host:port:addr",                        \
                        "connect to addr for host:port, as curl --resolve (repeatable)"),     \
        OPT_STRING_LIST(0, "connect-to", &(n)->connect_to, "host1:port1:host2:port2",         \
                        "connect to host2:port2 instead, as curl --connect-to (repeatable)"), \
        OPT_STRING(0, "cacert", &(n)->cacert, "file",                                         \
                   "trust the CA certificates in this PEM file instead of the system's")

struct fetch_opts;
/* Checks the network options (a usage error exits 2) and sets them in o, which borrows n's
 * strings. */
void cmd_net_apply(struct cmd_net *n, struct fetch_opts *o, const char *const *usage);
void cmd_net_release(struct cmd_net *n);

struct fs_lock;
/* Opens the archive at c->archive for writing: creates the folder, takes its lock (held by another
 * run: prints the holder and returns ARC_EXIT_LOCKED), removes what a killed run left
 * (archive_gc) and installs book.css.  Other failures print and return ARC_EXIT_FATAL. */
ARC_WUR enum arc_exit cmd_archive_begin(const struct cmd_common *c, struct fs_lock *lock);
/* Rewrites the offline front page from ix (NULL: leaves it) and releases the lock.  Returns rc,
 * or ARC_EXIT_FATAL when the front page cannot be written (printed). */
ARC_WUR enum arc_exit cmd_archive_end(const struct cmd_common *c, const struct idx *ix,
                                      struct fs_lock *lock, enum arc_exit rc);

/* "512 B", "3.4 kB", "12.3 MB" into buf, for summary and progress lines. */
void cmd_human_bytes(uint64_t n, char *buf, size_t size);

/* "archiver: error: ..." on stderr; returns -1 (git). */
ARC_PRINTF(1, 2) int error(const char *fmt, ...);
/* "archiver: warning: ..." on stderr. */
ARC_PRINTF(1, 2) void warning(const char *fmt, ...);

/* The subcommands.  argv[0] is the subcommand's name; each returns an enum arc_exit. */
int cmd_status(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_reconvert(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_epub(int argc, char **argv);
int cmd_pdf(int argc, char **argv);

#endif
