/* pdf/pdf.h: the PDF back end, and the book cover that both books use; the one folder that uses
 * cairo and pango.
 *
 * Text is set with pango over a font map of our own, configured by fonts/fonts.conf under
 * fs_datadir() instead of the system's and the user's fontconfig files, at 72 dpi and with fixed
 * rendering options, so that the same input gives the same bytes on every machine with the same
 * fonts.  Functions never print; detail goes into *why.  Not thread-safe. */
#ifndef ARC_PDF_PDF_H
#define ARC_PDF_PDF_H

#include <stdbool.h>
#include <stddef.h>

#include "archive/book.h"
#include "util/error.h"
#include "util/strbuf.h"

/* Kindle's recommended cover: 1600 x 2560, 1:1.6. */
#define PDF_COVER_WIDTH  1600
#define PDF_COVER_HEIGHT 2560

/* What a cover says.  Strings are UTF-8, borrowed for the call; NULL or "" leaves a line out. */
struct pdf_cover {
    const char *title;    /* the book's title, set large in the serif, wrapped and shrunk to fit */
    const char *subtitle; /* the month range: "2024年3月–12月" */
    const char *line;     /* the line at the foot: "42 篇文章", "42 articles" */
    const char *lang;     /* the book's language (BCP 47); NULL: "zh-CN".  Picks the CJK faces
                             (SC, TC, HK, JP, KR) and the line breaking rules */
    int width, height;    /* pixels; 0: PDF_COVER_WIDTH x PDF_COVER_HEIGHT */
};
#define PDF_COVER_INIT               \
    {                                \
        NULL, NULL, NULL, NULL, 0, 0 \
    }

/* Draws the cover as a PNG, appended to *png: an off-white page, the title in Noto Serif CJK
 * (wrapped to the width, lines balanced, shrunk to at most five lines and cut with an ellipsis
 * past that), a red rule, the subtitle, and the line in a dark band at the foot.  The same
 * cover and fonts give the same bytes.  Errors: ARC_EINVAL for a size outside 200..10000 pixels
 * or a ratio past 1:4, ARC_ENOTFOUND when fonts/fonts.conf is missing or finds no font,
 * ARC_ENOMEM or ARC_EIO when cairo fails; *png is then left as it was. */
ARC_WUR enum arc_err pdf_cover_png(const struct pdf_cover *c, struct strbuf *png,
                                   struct strbuf *why);

/* --- the PDF book (`archiver build --pdf`) --- */

/* A page profile: sizes in points.  The program reads them from styles/pdf.json (--style). */
struct pdf_page {
    double width, height;
    double top, bottom, inner, outer; /* margins; inner is the binding side */
    double body, leading;             /* the text size and the baseline-to-baseline distance */
};

struct pdf_opts {
    const struct pdf_page *page; /* NULL: the built-in A5 */
    const char *profile;         /* without page: "a5" (NULL: a5), "a4", "letter", "ereader6",
                                    "ereader7", "tablet10", built in */
    void (*warn)(const char *msg, void *ud); /* a problem with one entry; NULL = ignore */
    void *ud;
};

struct pdf_report {
    size_t pages, chapters, archived, warnings;
    size_t images, images_passthrough; /* pictures drawn; of them, JPEG bytes as they are */
    size_t bytes;
};

/* Whether name is a page profile pdf_write() knows built in. */
bool pdf_profile_known(const char *name);
/* Whether a page's sizes make a text block at all (ARC_EINVAL from pdf_write() otherwise). */
bool pdf_page_valid(const struct pdf_page *p);

/* Writes the book as a PDF at path (a temporary name, renamed at the end).  ARC_EINVAL for an
 * unknown profile, ARC_ENOTFOUND when the fonts cannot be found, ARC_EIO when the file cannot
 * be written (nothing is left behind). */
ARC_WUR enum arc_err pdf_write(const struct book *b, const struct pdf_opts *o, const char *path,
                               struct pdf_report *rep, struct strbuf *why);

#endif
