/* pdf/picture.c: pictures for the PDF: JPEG bytes passed through, the rest decoded by image/ and
 * turned into cairo surfaces (there is no gdk-pixbuf to cairo helper outside GTK). */
#include "pdf/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/banned.h"

static void free_data(void *p)
{
    free(p);
}

/* Attaches a malloc'd copy of bytes to the surface under mime; false when cairo refuses. */
static bool attach(cairo_surface_t *s, const char *mime, const void *bytes, size_t len)
{
    void *copy = xmalloc(len ? len : 1);

    memcpy(copy, bytes, len);
    if (cairo_surface_set_mime_data(s, mime, copy, len, free_data, copy) != CAIRO_STATUS_SUCCESS) {
        free(copy);
        return false;
    }
    return true;
}

static const cairo_user_data_key_t pixels_key;

static enum arc_err passthrough(struct strbuf *data, const struct img_info *info, const char *id,
                                struct pdf__picture *out, struct strbuf *why)
{
    /* The pixels stay unwritten: the PDF surface embeds the JPEG bytes instead.  They come
     * from calloc (fresh zero pages from the kernel: no time, no RSS), not from
     * cairo_image_surface_create, which clears them. */
    int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, info->width);
    void *pixels = stride > 0 ? calloc((size_t)info->height, (size_t)stride) : NULL;
    cairo_surface_t *s;
    size_t len = data->len;
    void *jpeg;

    if (!pixels) {
        strbuf_setwhy(why, "cannot make a %dx%d surface", info->width, info->height);
        return ARC_ENOMEM;
    }
    s = cairo_image_surface_create_for_data(pixels, CAIRO_FORMAT_RGB24, info->width, info->height,
                                            stride);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_set_user_data(s, &pixels_key, pixels, free_data) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        free(pixels);
        strbuf_setwhy(why, "cannot make a %dx%d surface", info->width, info->height);
        return ARC_ENOMEM;
    }
    /* The JPEG bytes are handed over, not copied. */
    jpeg = strbuf_detach(data, NULL);
    if (cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, jpeg, len, free_data, jpeg) !=
        CAIRO_STATUS_SUCCESS) {
        free(jpeg);
        cairo_surface_destroy(s);
        strbuf_setwhy(why, "cannot make a %dx%d surface", info->width, info->height);
        return ARC_ENOMEM;
    }
    if (!attach(s, CAIRO_MIME_TYPE_UNIQUE_ID, id, strlen(id))) {
        strbuf_setwhy(why, "cannot make a %dx%d surface", info->width, info->height);
        cairo_surface_destroy(s);
        return ARC_ENOMEM;
    }
    out->surface = s;
    out->width = info->width;
    out->height = info->height;
    out->passthrough = true;
    return ARC_OK;
}

/* RGB(A) rows, not premultiplied, into cairo's native-endian premultiplied ARGB32 (or RGB24). */
static void convert(const struct img_pixels *px, unsigned char *dst, int dst_stride)
{
    for (int y = 0; y < px->height; y++) {
        const unsigned char *s = px->data + (size_t)y * (size_t)px->stride;
        uint32_t *d = (uint32_t *)(void *)(dst + (size_t)y * (size_t)dst_stride);

        for (int x = 0; x < px->width; x++) {
            uint32_t r = s[0], g = s[1], b = s[2], a = px->alpha ? s[3] : 255;

            if (a != 255) { /* premultiply, rounding as cairo does */
                r = (r * a + 127) / 255;
                g = (g * a + 127) / 255;
                b = (b * a + 127) / 255;
            }
            d[x] = a << 24 | r << 16 | g << 8 | b;
            s += px->alpha ? 4 : 3;
        }
    }
}

static enum arc_err decoded(const void *data, size_t len, int max_px, const char *id,
                            struct pdf__picture *out, struct strbuf *why)
{
    struct img_pixels px = IMG_PIXELS_INIT;
    cairo_surface_t *s;
    enum arc_err err = img_decode(data, len, max_px, &px, why);

    if (err)
        return err;
    s = cairo_image_surface_create(px.alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24, px.width,
                                   px.height);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        strbuf_setwhy(why, "cannot make a %dx%d surface", px.width, px.height);
        cairo_surface_destroy(s);
        img_pixels_release(&px);
        return ARC_ENOMEM;
    }
    cairo_surface_flush(s);
    convert(&px, cairo_image_surface_get_data(s), cairo_image_surface_get_stride(s));
    cairo_surface_mark_dirty(s);
    /* The same picture at the same size is embedded once. */
    {
        char *uid = xasprintf("%s-%dpx", id, max_px);
        attach(s, CAIRO_MIME_TYPE_UNIQUE_ID, uid, strlen(uid));
        free(uid);
    }
    out->surface = s;
    out->width = px.width;
    out->height = px.height;
    out->passthrough = false;
    img_pixels_release(&px);
    return ARC_OK;
}

enum arc_err pdf__picture_load(struct strbuf *data, const char *unique_id, int max_px,
                               struct pdf__picture *out, struct strbuf *why)
{
    struct img_info info;
    char made[HASH_SHA256_HEX];
    const char *id = unique_id;
    enum arc_err err;

    memset(out, 0, sizeof(*out));
    err = img_probe(data->buf, data->len, &info, why);
    if (err)
        return err;
    if (!id) {
        hash_sha256_hex(data->buf, data->len, made);
        id = made;
    }
    /* A JPEG goes in as it is, whatever its size: decoding and encoding it again would cost
     * time and quality.  Except CMYK and Adobe JPEGs, which cairo embeds without a Decode array
     * (wrong colours in viewers), and turned ones, which would show on their side. */
    if (info.format == IMG_JPEG && !info.cmyk && info.orientation <= 1)
        err = passthrough(data, &info, id, out, why);
    else
        err = decoded(data->buf, data->len, max_px, id, out, why);
    return err;
}

void pdf__picture_release(struct pdf__picture *p)
{
    if (p->surface)
        cairo_surface_destroy(p->surface);
    memset(p, 0, sizeof(*p));
}

bool pdf__picture_from_file(const char *path, const char *uid, int max_px, struct pdf__picture *out)
{
    struct strbuf data = STRBUF_INIT;
    bool ok = fs_read_file(path, 0, &data, NULL) == ARC_OK &&
              pdf__picture_load(&data, uid, max_px, out, NULL) == ARC_OK;

    strbuf_release(&data);
    return ok;
}
