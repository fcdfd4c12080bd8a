/* pdf/internal.h: what the files of pdf/ share. */
#ifndef ARC_PDF_INTERNAL_H
#define ARC_PDF_INTERNAL_H

#include <pango/pangocairo.h>

#include "pdf/pdf.h"

/* The faces for a language: Noto CJK's variant for it (SC unless the language says otherwise),
 * then DejaVu.  Static strings, for pango_font_description_from_string(). */
struct pdf__faces {
    const char *serif, *sans, *mono;
};
void pdf__faces_for(const char *lang, struct pdf__faces *f);

/* A new pango font map over fonts/fonts.conf (not the desktop's configuration); the caller owns
 * it (g_object_unref).  ARC_ENOTFOUND when the file is missing, does not parse or finds no
 * font. */
ARC_WUR enum arc_err pdf__fontmap_new(PangoFontMap **out, struct strbuf *why);

/* A pango context that measures in device units (72 dpi: a point is a unit), with fixed
 * rendering options (no hinting, greyscale antialiasing) and the given language.  The caller
 * owns it (g_object_unref). */
PangoContext *pdf__context_new(PangoFontMap *fm, const char *lang);

#endif
