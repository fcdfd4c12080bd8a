/* epub/epub.h: the EPUB back end; the one folder that uses libzip.
 *
 * epub_write() turns a book (archive/book.h) into one EPUB 3 file with an EPUB 2 toc.ncx beside
 * the EPUB 3 nav: a cover page, a contents page (the index: months, then entries with their
 * dates), a part page per month (its entries with date, title and note), and one chapter per
 * entry (title, byline, source link, the index's note as an abstract, then the body; or a short
 * chapter saying why there is no copy).  Chapters are written by the Doc tree's XHTML writer.
 *
 * Streaming: chapters are loaded, written to a scratch folder and released one at a time, and
 * every file goes into the zip as a file source, so memory does not grow with the book.  Images
 * are deduplicated by content (the archive names them by their SHA-256); JPEG, PNG and GIF are
 * stored as they are, other formats (WebP, BMP) are transcoded, and max_image_px downscales.
 *
 * The output is reproducible: a stable file order, fixed timestamps (the book's modified time, in
 * UTC whatever TZ says), `mimetype` first and stored, images stored, the rest deflated.  The file
 * appears complete or not at all (written under a temporary name and renamed).  Nothing here
 * prints: problems with one entry go to the warn callback and the entry gets a placeholder. */
#ifndef ARC_EPUB_EPUB_H
#define ARC_EPUB_EPUB_H

#include <stddef.h>

#include "archive/book.h"
#include "util/error.h"
#include "util/strbuf.h"

struct epub_opts {
    const char *css_path;  /* the stylesheet to package (styles/book.css or --css); required */
    const void *cover_png; /* the cover picture (PNG bytes), or NULL for none */
    size_t cover_len;
    int max_image_px; /* downscale images whose larger side exceeds this; 0 = keep */
    /* Where transcoded pictures are kept between builds (the archive's .cache/epub), named by
     * the source's content name and the transcoding asked for; NULL = transcode every time.  A
     * file there that is not a whole picture is made again; the folder may be deleted at will. */
    const char *cache_dir;
    void (*warn)(const char *msg, void *ud); /* a problem with one entry; NULL = ignore */
    void *ud;
};

/* What went into the book, for the summary line. */
struct epub_report {
    size_t chapters, archived, images, images_transcoded, images_missing, warnings;
    size_t images_cached; /* of images_transcoded, taken from cache_dir */
    size_t bytes;         /* of the EPUB file */
};

/* Writes the book to path.  ARC_EIO when the file (or the scratch folder beside it) cannot be
 * written, with nothing left behind; ARC_ENOTFOUND when the stylesheet is missing. */
ARC_WUR enum arc_err epub_write(const struct book *b, const struct epub_opts *opts,
                                const char *path, struct epub_report *report, struct strbuf *why);

#endif
