/* pdf/fonts.c: the font map of fonts/fonts.conf, and the faces for a language. */
#include "pdf/pdf.h"

#include "pdf/internal.h"

#include <fontconfig/fontconfig.h>
#include <pango/pangofc-fontmap.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/fs.h"
#include "util/banned.h"

static bool lang_is(const char *lang, const char *prefix)
{
    size_t n = strlen(prefix);

    return !strncasecmp(lang, prefix, n) && (lang[n] == '\0' || lang[n] == '-' || lang[n] == '_');
}

void pdf__faces_for(const char *lang, struct pdf__faces *f)
{
    static const struct {
        const char *lang;
        struct pdf__faces faces;
    } table[] = {
#define FACES(v)                                                                \
    { "Noto Serif CJK " v ", DejaVu Serif", "Noto Sans CJK " v ", DejaVu Sans", \
      "Noto Sans Mono CJK " v ", DejaVu Sans Mono" }
        { "zh-TW", FACES("TC") }, { "zh-Hant", FACES("TC") }, { "zh-MO", FACES("TC") },
        { "zh-HK", FACES("HK") }, { "ja", FACES("JP") },      { "ko", FACES("KR") },
#undef FACES
    };
    static const struct pdf__faces sc = { "Noto Serif CJK SC, DejaVu Serif",
                                          "Noto Sans CJK SC, DejaVu Sans",
                                          "Noto Sans Mono CJK SC, DejaVu Sans Mono" };

    *f = sc;
    for (size_t i = 0; lang && i < ARC_ARRAY_SIZE(table); i++)
        if (lang_is(lang, table[i].lang))
            *f = table[i].faces;
}

enum arc_err pdf__fontmap_new(PangoFontMap **out, struct strbuf *why)
{
    char *path = xasprintf("%s/fonts/fonts.conf", fs_datadir());
    enum arc_err err = ARC_OK;
    FcConfig *cfg = FcConfigCreate();
    FcFontSet *set;

    *out = NULL;
    if (!cfg) {
        free(path);
        return ARC_ENOMEM;
    }
    if (!fs_exists(path) || !FcConfigParseAndLoad(cfg, (const FcChar8 *)path, FcTrue)) {
        strbuf_setwhy(why, "cannot load '%s'", path);
        err = ARC_ENOTFOUND;
        goto out;
    }
    if (!FcConfigBuildFonts(cfg)) {
        err = ARC_ENOMEM;
        goto out;
    }
    set = FcConfigGetFonts(cfg, FcSetSystem);
    if (!set || set->nfont == 0) {
        strbuf_setwhy(why, "'%s' finds no font (is fonts-noto-cjk installed?)", path);
        err = ARC_ENOTFOUND;
        goto out;
    }
    *out = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    if (!*out) {
        err = ARC_ENOMEM;
        goto out;
    }
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(*out), cfg); /* takes its own reference */
out:
    FcConfigDestroy(cfg);
    free(path);
    return err;
}

PangoContext *pdf__context_new(PangoFontMap *fm, const char *lang)
{
    PangoContext *ctx = pango_font_map_create_context(fm);
    cairo_font_options_t *fo = cairo_font_options_create();

    pango_cairo_context_set_resolution(ctx, 72);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_subpixel_order(fo, CAIRO_SUBPIXEL_ORDER_DEFAULT);
    pango_cairo_context_set_font_options(ctx, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_round_glyph_positions(ctx, false);
    pango_context_set_language(ctx, pango_language_from_string(lang ? lang : "zh-CN"));
    return ctx;
}
