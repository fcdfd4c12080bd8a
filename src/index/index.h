/* index/index.h: the user's Markdown index, parsed into months and entries; the one folder that
 * uses cmark.
 *
 * An index is a CommonMark file: a heading that names a month starts a month (`# 12`, `# 05`,
 * `# 12月`, `# 2024-12`, `# 2024年12月`, `# December 2024`); the first heading that is not a month
 * is the book's title.  Each paragraph under a month is an entry: its title is the text before the
 * URL, its URL the first http(s) URL (bare, or a Markdown link target), its date `【MM.DD】` with
 * or without backticks.  A list or blockquote right after an entry is that entry's note, kept as
 * a Doc tree.
 *
 * Bad input never aborts a parse: an entry without a usable URL, before any month, or with a URL
 * seen before keeps its place, flagged, and a warning with its line is recorded.  Only a missing
 * or unreadable file fails (ARC_EIO / ARC_ENOTFOUND with the reason in *why).
 *
 * struct idx owns everything it points to; idx_free() frees it all.  Not thread-safe.
 *
 *     struct idx *ix;
 *     if (idx_parse_file("archive/index.md", &opts, &ix, &why) == ARC_OK)
 *         for (size_t m = 0; m < ix->nmonths; m++) ...
 */
#ifndef ARC_INDEX_INDEX_H
#define ARC_INDEX_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/doc.h"
#include "util/error.h"
#include "util/strbuf.h"

/* Flags of an entry; each comes with a warning. */
enum idx_flags {
    IDX_NO_URL = 1 << 0,      /* no http(s) URL in the paragraph */
    IDX_BAD_URL = 1 << 1,     /* a URL that does not parse; url holds the text as written */
    IDX_DUPLICATE = 1 << 2,   /* the same article (same id) appeared earlier in the index */
    IDX_BEFORE_MONTH = 1 << 3 /* the entry comes before any month heading */
};

struct idx_month;

struct idx_entry {
    unsigned line;           /* 1-based line of the paragraph in the index */
    char *title;             /* text before the URL, trimmed; "" when there is none */
    char *url;               /* the URL as written (`&amp;` unescaped); NULL with IDX_NO_URL */
    char *id;                /* stable article id (idx_article_id); NULL unless the URL is usable */
    int date_month;          /* from 【MM.DD】; 0 = no date (or an impossible one, warned) */
    int date_day;            /* 0 = no date */
    int date_year;           /* resolved by idx_resolve_years(): the month's year, or the year
                                before when date_month is later than the heading's month
                                (【12.31】 under `# 2025-01`); 0 = no date or year unknown */
    unsigned flags;          /* enum idx_flags */
    struct doc *note;        /* the note as a Doc tree (blocks under its root); NULL = none */
    struct idx_month *month; /* the month it belongs to */
};

struct idx_month {
    unsigned line;   /* line of the heading; 0 for the pseudo-month of IDX_BEFORE_MONTH */
    char *heading;   /* the heading's text as written; "" for the pseudo-month */
    int month;       /* 1..12; 0 for the pseudo-month */
    int year;        /* resolved by idx_resolve_years(); 0 until then */
    bool year_given; /* the heading names the year */
    struct idx_entry *entries;
    size_t nentries;
};

struct idx_warning {
    unsigned line;
    char *message; /* "entry has no URL"; the caller prefixes "file:line: warning: " */
};

struct idx {
    char *path;  /* as given to idx_parse_file(), or the name given to idx_parse() */
    char *title; /* the book's title; NULL when the index has none */
    struct idx_month *months;
    size_t nmonths;
    size_t nentries; /* over all months */
    struct idx_warning *warnings;
    size_t nwarnings;
};

/* How to settle the year of months whose heading has none. */
struct idx_opts {
    int year;    /* --year: the first such month's year; 0 = the most recent year that
                    does not put that month in the future, measured from now */
    int64_t now; /* Unix seconds: SOURCE_DATE_EPOCH or time(); 0 = look it up */
    /* Archived publish time (Unix seconds) of an article, 0 when unknown; NULL = none known.
     * The fetch stage supplies it, and a month's entries' publish dates settle its year. */
    int64_t (*published)(const char *id, void *ud);
    void *ud;
};
#define IDX_OPTS_INIT    \
    {                    \
        0, 0, NULL, NULL \
    }

/* Parses the file at path.  Missing or unreadable: ARC_ENOTFOUND or ARC_EIO, *why says why. */
ARC_WUR enum arc_err idx_parse_file(const char *path, const struct idx_opts *opts, struct idx **out,
                                    struct strbuf *why);
/* Parses len bytes (a UTF-8 BOM and CRLF line ends are accepted, invalid UTF-8 is read as U+FFFD;
 * more than 4 MiB is ARC_ETOOBIG); name is used in warnings. */
ARC_WUR enum arc_err idx_parse(const char *buf, size_t len, const char *name,
                               const struct idx_opts *opts, struct idx **out, struct strbuf *why);
void idx_free(struct idx *ix); /* NULL is fine */

/* Settles every month's year (done by the parsers; call again when publish dates change):
 * the heading's year, else the entries' publish dates (in China Standard Time, UTC+8), else
 * the order of the headings going down the file (a month number that rises means the year
 * before), anchored on opts->year for the first month when nothing else is known.  Then sets
 * every dated entry's date_year. */
void idx_resolve_years(struct idx *ix, const struct idx_opts *opts);

/* The stable article id of a URL, or NULL when it is not a usable http(s) URL:
 *   https://mp.weixin.qq.com/s/<token>            -> <token>
 *   https://mp.weixin.qq.com/s?__biz=B&mid=M&idx=I -> <B made filename-safe>-M-I
 *   anything else                                  -> "u" + 16 hex digits of the SHA-256 of the
 *                                                     normalized URL
 * `&amp;` is unescaped, the fragment and noise parameters (chksm, scene, mpshare, srcid, ...) are
 * ignored, so the same article written two ways gets one id.  Caller frees. */
char *idx_article_id(const char *url);

#endif
