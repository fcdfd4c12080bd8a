/* archive/book.h: the book both back ends (epub/, pdf/) print: parts (the index's months) and
 * chapters (their entries), with what the archive knows of each, and chapter bodies loaded one
 * at a time.
 *
 * book_open() reads the index and every entry's meta.json once: titles, accounts, dates, states
 * and the reason an entry has no copy.  It never reads a body.  A back end walks the parts and
 * their chapters in order and, for each, calls book_chapter_load() to get the body as a Doc tree
 * (read back from article.html) and book_chapter_release() when it is written, so that neither
 * back end ever holds more than one body.  Tests build a book in memory (book_new, book_add_part,
 * book_add_chapter) whose bodies are XHTML strings.
 *
 * Text meant for readers ("2024年12月", "Not archived: ...") follows the book's language: Chinese
 * for zh*, English otherwise.  Nothing here prints; problems with one entry (a missing or damaged
 * article.html) become that chapter's warning and a placeholder body, never a failure of the book.
 *
 *     struct book *b;
 *     if (book_open(dir, ix, &opts, &b, &why) == ARC_OK) {
 *         for (size_t p = 0; p < b->nparts; p++)
 *             for (size_t i = 0; i < b->parts[p].nchapters; i++) {
 *                 struct book_chapter c;
 *                 book_chapter_load(b, &b->parts[p].chapters[i], &c);
 *                 ... c.body ...
 *                 book_chapter_release(&c);
 *             }
 *         book_free(b);
 *     }
 */
#ifndef ARC_ARCHIVE_BOOK_H
#define ARC_ARCHIVE_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "archive/archive.h"
#include "doc/doc.h"
#include "index/index.h"
#include "util/error.h"
#include "util/strbuf.h"

enum book_order {
    BOOK_ORDER_INDEX,  /* months as the index lists them */
    BOOK_ORDER_OLDEST, /* oldest month first (entries keep the index's order within a month) */
    BOOK_ORDER_NEWEST  /* newest month first */
};

struct book_opts {
    const char *title;  /* --title; NULL = the index's title, else one made of the month range */
    const char *author; /* --author; NULL = the accounts named in the archive, joined */
    const char *lang;   /* --lang; NULL = "zh-CN" */
    int from, to;       /* --from/--to as year * 100 + month (202403); 0 = open */
    enum book_order order;
    int64_t now; /* Unix seconds for dcterms:modified; 0 = SOURCE_DATE_EPOCH, else the latest fetch
                    (or deletion seen) of the book's entries, else the clock */
};
#define BOOK_OPTS_INIT \
    {                  \
        0              \
    }

/* One chapter: an index entry and what the archive holds for it.  Strings are the book's. */
struct book_chapter_info {
    const struct idx_entry *entry; /* the index's; NULL in an in-memory book */
    char *id;                      /* the article id; NULL for an entry without a usable URL */
    char *title;                   /* the article's title, else the index's, else the URL */
    char *toc_title;               /* for the contents: the index's title, else `title` */
    char *account, *author;        /* NULL = unknown */
    char *url;                     /* the original URL as the index gives it; NULL = none */
    char *date;                    /* the index's date for contents lines: "12.27"; NULL = none */
    char *day;                     /* the same in full, "2025-12-27" ("12-27" when the year is
                                      unknown), for chapters without a publish date */
    const struct doc *note;        /* the index's note; NULL = none */
    int64_t published;             /* Unix seconds; 0 = unknown */
    int64_t fetched;               /* when the copy was made; 0 = never */
    int64_t deleted_upstream;      /* when the deletion was seen; 0 = never */
    enum archive_state state;
    bool has_copy;     /* article.html is expected */
    char *status_line; /* for readers: why there is no copy, or that the copy outlived the
                          original; NULL for a plain archived article */
    size_t number;     /* 1-based across the book: chapter file names, anchors */
    const char *xhtml; /* in-memory books: the body as XHTML; NULL otherwise */
};

struct book_part {
    int year, month; /* 0 for entries before any month heading */
    char *name;      /* "2024年12月", "December 2024" */
    struct book_chapter_info *chapters;
    size_t nchapters, chapters_alloc;
};

struct book {
    char *title, *author, *lang;
    char *range;         /* "2024年3月–12月", "March–December 2024"; "" when no months */
    bool title_is_range; /* the title was made of the range (the index has none) */
    char *dir;           /* the archive; NULL for an in-memory book */
    char uuid[37];       /* urn:uuid: the same for the same title, archive and range */
    int64_t modified;    /* Unix seconds */
    bool zh;             /* reader-facing text in Chinese */
    struct book_part *parts;
    size_t nparts, parts_alloc;
    size_t nchapters; /* over all parts */
    size_t narchived; /* chapters with a copy */
    char **warnings;  /* what book_open() found damaged in the archive, one line each naming the
                         file (a meta.json that does not parse, a copy's folder without one) */
    size_t nwarnings, warnings_alloc;
};

/* Builds the book of the index's entries (duplicates left out) in the archive at dir, within
 * opts->from..to.  Entries without a copy keep their place.  Fails only on bad options
 * (ARC_EINVAL: from after to) or when no month is left in the range (ARC_ENOTFOUND). */
ARC_WUR enum arc_err book_open(const char *dir, const struct idx *ix, const struct book_opts *opts,
                               struct book **out, struct strbuf *why);
void book_free(struct book *b); /* NULL is fine */

/* --- in-memory books (tests) --- */
struct book *book_new(const char *title, const char *author, const char *lang, int64_t modified);
struct book_part *book_add_part(struct book *b, int year, int month);
/* Appends a chapter with an XHTML body (copied; NULL = no copy, with status_line saying so). */
struct book_chapter_info *book_add_chapter(struct book *b, struct book_part *part,
                                           const char *title, const char *xhtml);

/* --- chapter bodies, one at a time --- */

struct book_chapter {
    const struct book_chapter_info *info;
    struct doc *body; /* NULL when the entry has no copy, or it could not be read */
    char *base;       /* the folder the body's image files are relative to; NULL in memory */
    char *warning;    /* "articles/x/article.html: cannot parse ...": the reader sees a
                         placeholder, the caller prints this; NULL when all went well */
};

/* Loads the chapter's body: article.html between ARCHIVE_BODY_BEGIN and ARCHIVE_BODY_END,
 * through conv_read_xhtml().  Always succeeds; problems are in out->warning. */
void book_chapter_load(const struct book *b, const struct book_chapter_info *info,
                       struct book_chapter *out);
void book_chapter_release(struct book_chapter *c);

/* "2024年12月" / "December 2024" into out. */
void book_month_name(bool zh, int year, int month, struct strbuf *out);
/* A publish date for readers: "2024-12-27" (China Standard Time); nothing for 0. */
void book_format_date(int64_t t, struct strbuf *out);

#endif
