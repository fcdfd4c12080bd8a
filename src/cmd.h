/* cmd.h: what the subcommands (src/cmd_*.c) share: the options every subcommand takes, loading
 * the index, and git-style messages.  Only main.c and cmd_*.c include it. */
#ifndef ARC_CMD_H
#define ARC_CMD_H

#include <limits.h>
#include <stdbool.h>

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
};
/* c->year before cmd_common_args() when --year was not given; no option value can be it. */
#define CMD_YEAR_UNSET INT_MIN
#define CMD_COMMON_INIT                                              \
    {                                                                \
        "archive", NULL, OPT_LIST_INIT, CMD_YEAR_UNSET, false, false \
    }

#define OPT_COMMON(c)                                                                           \
    OPT_STRING(0, "archive", &(c)->archive, "dir", "the archive directory (default: archive)"), \
        OPT_STRING_LIST(                                                                        \
            0, "only", &(c)->only, "id",                                                        \
            "only the entry with this id (repeatable; --only=ID for ids starting with -)"),     \
        OPT_INT(0, "year", &(c)->year, "yyyy",                                                  \
                "year of the first month whose heading names none (default: from the clock)"),  \
        OPT_BOOL('q', "quiet", &(c)->quiet, "print errors only"),                               \
        OPT_BOOL(0, "json", &(c)->json, "print one JSON document on stdout")

/* Takes the optional INDEX positional (argv[0..argc) as left by opts_parse); more is misuse.
 * Checks --year (1970..9999 when given) and sets c->year to 0 when it was not. */
void cmd_common_args(struct cmd_common *c, int argc, char **argv, const char *const *usage);
/* The index path to read: c->index or <archive>/index.md.  Caller frees. */
char *cmd_index_path(const struct cmd_common *c);
/* Parses the index, printing its warnings as "FILE:LINE: warning: ..." unless quiet; checks that
 * every --only names an entry.  Returns ARC_EXIT_OK, or prints the error and returns
 * ARC_EXIT_USAGE (missing or unreadable index, unknown --only). */
ARC_WUR enum arc_exit cmd_load_index(const struct cmd_common *c, struct idx **out);
/* Is the entry selected by --only (always true without --only)? */
bool cmd_selected(const struct cmd_common *c, const struct idx_entry *e);
void cmd_common_release(struct cmd_common *c);

struct fs_lock;
/* Opens the archive at c->archive for writing: creates the folder, takes its lock (held by another
 * run: prints the holder and returns ARC_EXIT_LOCKED), removes what a killed run left
 * (archive_gc) and installs book.css.  Other failures print and return ARC_EXIT_FATAL. */
ARC_WUR enum arc_exit cmd_archive_begin(const struct cmd_common *c, struct fs_lock *lock);
/* Rewrites the offline front page from ix (NULL: leaves it) and releases the lock.  Returns rc,
 * or ARC_EXIT_FATAL when the front page cannot be written (printed). */
ARC_WUR enum arc_exit cmd_archive_end(const struct cmd_common *c, const struct idx *ix,
                                      struct fs_lock *lock, enum arc_exit rc);

/* "archiver: error: ..." on stderr; returns -1 (git). */
ARC_PRINTF(1, 2) int error(const char *fmt, ...);
/* "archiver: warning: ..." on stderr. */
ARC_PRINTF(1, 2) void warning(const char *fmt, ...);

/* The subcommands.  argv[0] is the subcommand's name; each returns an enum arc_exit. */
int cmd_status(int argc, char **argv);
int cmd_convert(int argc, char **argv);

#endif
