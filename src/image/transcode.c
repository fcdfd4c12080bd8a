/* image/transcode.c: images made fit for a book: core formats, bounded size, upright, RGB. */
#include "image/image.h"

#include "image/internal.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/banned.h"

#define JPEG_QUALITY "88"

void img_output_release(struct img_output *out)
{
    strbuf_release(&out->buf);
    out->changed = false;
    out->format = IMG_UNKNOWN;
    out->width = out->height = 0;
}

static bool is_core(enum img_format f)
{
    return f == IMG_JPEG || f == IMG_PNG || f == IMG_GIF;
}

/* A WebP whose picture is a VP8L chunk is lossless: a drawing or a screenshot. */
static bool webp_lossless(const unsigned char *p, size_t len)
{
    size_t i = 12;

    while (i + 8 <= len) {
        uint32_t n = (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 | (uint32_t)p[i + 6] << 16 |
                     (uint32_t)p[i + 7] << 24;

        if (!memcmp(p + i, "VP8L", 4))
            return true;
        if (!memcmp(p + i, "VP8 ", 4))
            return false;
        i += 8 + (size_t)n + (n & 1);
    }
    return false;
}

static bool has_transparency(GdkPixbuf *pix)
{
    const unsigned char *px = gdk_pixbuf_read_pixels(pix);
    int w = gdk_pixbuf_get_width(pix), h = gdk_pixbuf_get_height(pix);
    int stride = gdk_pixbuf_get_rowstride(pix);

    if (!gdk_pixbuf_get_has_alpha(pix) || gdk_pixbuf_get_n_channels(pix) != 4)
        return false;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (px[(size_t)y * stride + (size_t)x * 4 + 3] != 0xFF)
                return true;
    return false;
}

/* Turns pix upright by the orientation its decoder saw.  Takes the reference it is given. */
static GdkPixbuf *upright(GdkPixbuf *pix, int orientation)
{
    char o[2] = { (char)('0' + orientation), 0 };
    GdkPixbuf *turned;

    if (orientation <= 1 || orientation > 8)
        return pix;
    /* The loader's own scaling drops the option; put it back (refused when still there). */
    gdk_pixbuf_set_option(pix, "orientation", o);
    turned = gdk_pixbuf_apply_embedded_orientation(pix);
    g_object_unref(pix);
    return turned;
}

/* Without alpha, so that the JPEG writer gets plain RGB. */
static GdkPixbuf *opaque(GdkPixbuf *pix)
{
    int w = gdk_pixbuf_get_width(pix), h = gdk_pixbuf_get_height(pix);
    GdkPixbuf *rgb;

    if (!gdk_pixbuf_get_has_alpha(pix))
        return pix;
    rgb = gdk_pixbuf_new(GDK_COLORSPACE_RGB, false, 8, w, h);
    if (!rgb)
        return pix;
    /* Every pixel is opaque, so compositing onto anything copies the colours. */
    gdk_pixbuf_fill(rgb, 0xFFFFFFFF);
    gdk_pixbuf_composite(pix, rgb, 0, 0, w, h, 0, 0, 1, 1, GDK_INTERP_NEAREST, 255);
    g_object_unref(pix);
    return rgb;
}

static gboolean write_cb(const char *buf, gsize count, GError **error, void *data)
{
    (void)error;
    strbuf_add(data, buf, count);
    return true;
}

/* Decodes data at most max_px on a side (scaling what the loader could not) and turns it upright:
 * what img_transcode() and img_decode() both draw from.  *pix is a new reference. */
static enum arc_err decode_upright(const void *data, size_t len, int max_px, struct img_info *info,
                                   GdkPixbuf **pix, struct strbuf *why)
{
    enum arc_err err = img__decode(data, len, max_px, info, pix, why);
    int w, h;

    if (err)
        return err;
    img__fit(info->width, info->height, max_px, &w, &h);
    /* Loaders that cannot decode at a smaller size (GIF) give the whole picture. */
    if (gdk_pixbuf_get_width(*pix) != w || gdk_pixbuf_get_height(*pix) != h) {
        GdkPixbuf *scaled = gdk_pixbuf_scale_simple(*pix, w, h, GDK_INTERP_HYPER);

        g_object_unref(*pix);
        *pix = scaled;
        if (!scaled) {
            strbuf_setwhy(why, "cannot scale a %dx%d image", info->width, info->height);
            return ARC_ENOMEM;
        }
    }
    *pix = upright(*pix, info->orientation);
    if (!*pix) {
        strbuf_setwhy(why, "cannot turn a %dx%d image upright", w, h);
        return ARC_ENOMEM;
    }
    return ARC_OK;
}

enum arc_err img_transcode(const void *data, size_t len, int max_px, unsigned flags,
                           struct img_output *out, struct strbuf *why)
{
    const unsigned char *p = data;
    struct img_info info;
    GdkPixbuf *pix;
    GError *gerr = NULL;
    enum arc_err err;
    bool png, ok;
    int w, h;

    strbuf_reset(&out->buf);
    out->changed = false;
    out->format = IMG_UNKNOWN;
    out->width = out->height = 0;
    err = img_probe(data, len, &info, why);
    if (err)
        return err;
    img__fit(info.width, info.height, max_px, &w, &h);
    if (is_core(info.format) && w == info.width && !((flags & IMG_TX_CMYK) && info.cmyk) &&
        !((flags & IMG_TX_ORIENT) && info.orientation > 1)) {
        out->format = info.format;
        out->width = info.width;
        out->height = info.height;
        return ARC_OK;
    }

    err = decode_upright(data, len, max_px, &info, &pix, why);
    if (err)
        return err;

    switch (info.format) {
    case IMG_JPEG:
        png = false;
        break;
    case IMG_WEBP:
        png = webp_lossless(p, len);
        break;
    default:
        png = true;
        break;
    }
    if (has_transparency(pix))
        png = true;
    if (png) {
        ok = gdk_pixbuf_save_to_callback(pix, write_cb, &out->buf, "png", &gerr, NULL);
    } else {
        pix = opaque(pix);
        ok = gdk_pixbuf_save_to_callback(pix, write_cb, &out->buf, "jpeg", &gerr, "quality",
                                         JPEG_QUALITY, NULL);
    }
    if (ok) {
        out->changed = true;
        out->format = png ? IMG_PNG : IMG_JPEG;
        out->width = gdk_pixbuf_get_width(pix);
        out->height = gdk_pixbuf_get_height(pix);
    } else {
        strbuf_setwhy(why, "cannot encode %s: %s", png ? "PNG" : "JPEG",
                      gerr ? gerr->message : "unknown error");
        strbuf_reset(&out->buf);
        err = ARC_EIO;
    }
    if (gerr)
        g_error_free(gerr);
    g_object_unref(pix);
    return err;
}

enum arc_err img_decode(const void *data, size_t len, int max_px, struct img_pixels *out,
                        struct strbuf *why)
{
    struct img_info info;
    GdkPixbuf *pix;
    enum arc_err err;

    memset(out, 0, sizeof(*out));
    err = decode_upright(data, len, max_px, &info, &pix, why);
    if (err)
        return err;
    if (gdk_pixbuf_get_bits_per_sample(pix) != 8 ||
        gdk_pixbuf_get_colorspace(pix) != GDK_COLORSPACE_RGB ||
        gdk_pixbuf_get_n_channels(pix) != (gdk_pixbuf_get_has_alpha(pix) ? 4 : 3)) {
        strbuf_setwhy(why, "unexpected pixel layout from the decoder");
        g_object_unref(pix);
        return ARC_EPARSE;
    }
    out->width = gdk_pixbuf_get_width(pix);
    out->height = gdk_pixbuf_get_height(pix);
    out->stride = gdk_pixbuf_get_rowstride(pix);
    out->alpha = gdk_pixbuf_get_has_alpha(pix);
    out->data = gdk_pixbuf_read_pixels(pix);
    out->priv = pix;
    return ARC_OK;
}

void img_pixels_release(struct img_pixels *px)
{
    if (px->priv)
        g_object_unref(px->priv);
    memset(px, 0, sizeof(*px));
}
