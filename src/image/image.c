/* image/image.c: format sniffing and validation through gdk-pixbuf. */
#include "image/image.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/banned.h"

/* gdk-pixbuf's loader takes a gsize per write; feed it in pieces this large. */
#define IMG_WRITE_CHUNK (1u << 20)

static bool starts(const unsigned char *p, size_t len, const char *magic, size_t n)
{
    return len >= n && !memcmp(p, magic, n);
}

static bool looks_like_svg(const unsigned char *p, size_t len)
{
    size_t n = len < 1024 ? len : 1024;

    /* An XML declaration or comments may come first; the root element must be svg. */
    for (size_t i = 0; i + 4 <= n; i++)
        if (p[i] == '<' && !memcmp(p + i + 1, "svg", 3))
            return true;
    return false;
}

enum img_format img_sniff(const void *data, size_t len)
{
    const unsigned char *p = data;

    if (starts(p, len, "\xFF\xD8\xFF", 3))
        return IMG_JPEG;
    if (starts(p, len, "\x89PNG\r\n\x1A\n", 8))
        return IMG_PNG;
    if (starts(p, len, "GIF87a", 6) || starts(p, len, "GIF89a", 6))
        return IMG_GIF;
    if (len >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
        return IMG_WEBP;
    if (starts(p, len, "BM", 2) && len >= 26)
        return IMG_BMP;
    if (looks_like_svg(p, len))
        return IMG_SVG;
    return IMG_UNKNOWN;
}

const char *img_format_ext(enum img_format format)
{
    switch (format) {
    case IMG_JPEG:
        return "jpg";
    case IMG_PNG:
        return "png";
    case IMG_GIF:
        return "gif";
    case IMG_WEBP:
        return "webp";
    case IMG_BMP:
        return "bmp";
    case IMG_SVG:
        return "svg";
    case IMG_UNKNOWN:
    case IMG_FORMAT__COUNT:
        break;
    }
    return "bin";
}

const char *img_format_mime(enum img_format format)
{
    switch (format) {
    case IMG_JPEG:
        return "image/jpeg";
    case IMG_PNG:
        return "image/png";
    case IMG_GIF:
        return "image/gif";
    case IMG_WEBP:
        return "image/webp";
    case IMG_BMP:
        return "image/bmp";
    case IMG_SVG:
        return "image/svg+xml";
    case IMG_UNKNOWN:
    case IMG_FORMAT__COUNT:
        break;
    }
    return "application/octet-stream";
}

/* gdk-pixbuf decodes a JPEG cut short without complaint: its end-of-image marker must be there
 * (trailing padding after it is common and allowed). */
static bool jpeg_complete(const unsigned char *p, size_t len)
{
    size_t from = len > 4096 ? len - 4096 : 2;

    for (size_t i = len; i-- > from;)
        if (p[i - 1] == 0xFF && p[i] == 0xD9)
            return true;
    return false;
}

/* Likewise a GIF must end with its trailer byte, 0x3B. */
static bool gif_complete(const unsigned char *p, size_t len)
{
    size_t from = len > 64 ? len - 64 : 0;

    for (size_t i = len; i-- > from;)
        if (p[i] == 0x3B)
            return true;
    return false;
}

/* A PNG ends with its IEND chunk; gdk-pixbuf accepts a file cut short after some IDAT data. */
static bool png_complete(const unsigned char *p, size_t len)
{
    return len >= 20 && !memcmp(p + len - 8, "IEND\xAE\x42\x60\x82", 8);
}

/* A WebP's RIFF header gives its length. */
static bool webp_complete(const unsigned char *p, size_t len)
{
    uint32_t riff =
        (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;

    return (uint64_t)riff + 8 <= len;
}

enum arc_err img_validate(const void *data, size_t len, struct img_info *info, struct strbuf *why)
{
    const unsigned char *p = data;
    GdkPixbufLoader *loader;
    GdkPixbuf *pix;
    GError *gerr = NULL;
    bool ok = true;

    memset(info, 0, sizeof(*info));
    info->format = img_sniff(data, len);
    if (info->format == IMG_UNKNOWN) {
        strbuf_setwhy(why, "not an image (unknown format)");
        return ARC_EPARSE;
    }
    if (info->format == IMG_JPEG && !jpeg_complete(p, len)) {
        strbuf_setwhy(why, "truncated JPEG (no end-of-image marker)");
        return ARC_EPARSE;
    }
    if (info->format == IMG_GIF && !gif_complete(p, len)) {
        strbuf_setwhy(why, "truncated GIF (no trailer)");
        return ARC_EPARSE;
    }
    if (info->format == IMG_PNG && !png_complete(p, len)) {
        strbuf_setwhy(why, "truncated PNG (no IEND chunk)");
        return ARC_EPARSE;
    }
    if (info->format == IMG_WEBP && !webp_complete(p, len)) {
        strbuf_setwhy(why, "truncated WebP (shorter than its RIFF header says)");
        return ARC_EPARSE;
    }
    loader = gdk_pixbuf_loader_new();
    for (size_t off = 0; ok && off < len; off += IMG_WRITE_CHUNK) {
        size_t n = len - off < IMG_WRITE_CHUNK ? len - off : IMG_WRITE_CHUNK;
        ok = gdk_pixbuf_loader_write(loader, p + off, n, &gerr);
    }
    /* close() must run even after a failed write, or the loader complains when freed. */
    if (!gdk_pixbuf_loader_close(loader, ok ? &gerr : NULL))
        ok = false;
    pix = ok ? gdk_pixbuf_loader_get_pixbuf(loader) : NULL;
    if (!pix) {
        strbuf_setwhy(why, "%s image does not decode: %s", img_format_ext(info->format),
                      gerr ? gerr->message : "no picture");
        ok = false;
    } else {
        info->width = gdk_pixbuf_get_width(pix);
        info->height = gdk_pixbuf_get_height(pix);
    }
    if (gerr)
        g_error_free(gerr);
    g_object_unref(loader);
    return ok ? ARC_OK : ARC_EPARSE;
}
