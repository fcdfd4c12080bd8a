/* image/image.c: format sniffing and validation through gdk-pixbuf. */
#include "image/image.h"

#include "image/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/banned.h"

/* gdk-pixbuf's loader takes a gsize per write; feed it in pieces this large. */
#define IMG_WRITE_CHUNK (1u << 20)

static unsigned get16(const unsigned char *p, bool le)
{
    return le ? (unsigned)p[0] | (unsigned)p[1] << 8 : (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const unsigned char *p, bool le)
{
    return le ? (uint32_t)get16(p, le) | (uint32_t)get16(p + 2, le) << 16
              : (uint32_t)get16(p, le) << 16 | get16(p + 2, le);
}

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

void img__fit(int w, int h, int max_px, int *fw, int *fh)
{
    int big = w > h ? w : h;

    *fw = w;
    *fh = h;
    if (max_px <= 0 || big <= max_px)
        return;
    *fw = (int)((double)w * max_px / big + 0.5);
    *fh = (int)((double)h * max_px / big + 0.5);
    if (*fw < 1)
        *fw = 1;
    if (*fh < 1)
        *fh = 1;
}

/* The loader's signals, as the image comes in. */
struct load {
    struct img_info *info;
    int max_px;    /* > 0: ask the decoder for at most this many pixels on the larger side */
    bool probe;    /* only the headers are wanted: ask for the smallest picture */
    bool prepared; /* the decoder knows the size and made its pixel buffer */
};

static void on_size_prepared(GdkPixbufLoader *loader, int width, int height, void *data)
{
    struct load *l = data;
    int w, h;

    l->info->width = width;
    l->info->height = height;
    img__fit(width, height, l->probe ? 1 : l->max_px, &w, &h);
    if (w != width || h != height)
        gdk_pixbuf_loader_set_size(loader, w, h);
}

static void on_area_prepared(GdkPixbufLoader *loader, void *data)
{
    struct load *l = data;

    (void)loader;
    l->prepared = true;
}

static GdkPixbufLoader *loader_new(struct load *l)
{
    GdkPixbufLoader *loader = gdk_pixbuf_loader_new();

    g_signal_connect(loader, "size-prepared", G_CALLBACK(on_size_prepared), l);
    g_signal_connect(loader, "area-prepared", G_CALLBACK(on_area_prepared), l);
    return loader;
}

/* Sniffs the format and refuses what is cut short; fills info's format and JPEG facts. */
static enum arc_err check_bytes(const unsigned char *p, size_t len, struct img_info *info,
                                struct strbuf *why)
{
    memset(info, 0, sizeof(*info));
    info->orientation = 1;
    info->format = img_sniff(p, len);
    switch (info->format) {
    case IMG_UNKNOWN:
        strbuf_setwhy(why, "not an image (unknown format)");
        return ARC_EPARSE;
    case IMG_JPEG:
        if (!jpeg_complete(p, len)) {
            strbuf_setwhy(why, "truncated JPEG (no end-of-image marker)");
            return ARC_EPARSE;
        }
        if (!img__jpeg_facts(p, len, info)) {
            strbuf_setwhy(why, "JPEG has no readable frame header");
            return ARC_EPARSE;
        }
        break;
    case IMG_GIF:
        if (!gif_complete(p, len)) {
            strbuf_setwhy(why, "truncated GIF (no trailer)");
            return ARC_EPARSE;
        }
        break;
    case IMG_PNG:
        if (!png_complete(p, len)) {
            strbuf_setwhy(why, "truncated PNG (no IEND chunk)");
            return ARC_EPARSE;
        }
        break;
    case IMG_WEBP:
        if (!webp_complete(p, len)) {
            strbuf_setwhy(why, "truncated WebP (shorter than its RIFF header says)");
            return ARC_EPARSE;
        }
        break;
    case IMG_BMP:
    case IMG_SVG:
    case IMG_FORMAT__COUNT:
        break;
    }
    return ARC_OK;
}

enum arc_err img__decode(const void *data, size_t len, int max_px, struct img_info *info,
                         GdkPixbuf **pix, struct strbuf *why)
{
    const unsigned char *p = data;
    struct load l = { .info = info, .max_px = max_px };
    GdkPixbufLoader *loader;
    GError *gerr = NULL;
    enum arc_err err;
    bool ok = true;

    *pix = NULL;
    err = check_bytes(p, len, info, why);
    if (err)
        return err;
    loader = loader_new(&l);
    for (size_t off = 0; ok && off < len; off += IMG_WRITE_CHUNK) {
        size_t n = len - off < IMG_WRITE_CHUNK ? len - off : IMG_WRITE_CHUNK;
        ok = gdk_pixbuf_loader_write(loader, p + off, n, &gerr);
    }
    /* close() must run even after a failed write, or the loader complains when freed. */
    if (!gdk_pixbuf_loader_close(loader, ok ? &gerr : NULL))
        ok = false;
    *pix = ok ? gdk_pixbuf_loader_get_pixbuf(loader) : NULL;
    if (!*pix) {
        strbuf_setwhy(why, "%s image does not decode: %s", img_format_ext(info->format),
                      gerr ? gerr->message : "no picture");
        err = ARC_EPARSE;
    } else {
        g_object_ref(*pix);
        if (!info->width) {
            info->width = gdk_pixbuf_get_width(*pix);
            info->height = gdk_pixbuf_get_height(*pix);
        }
    }
    if (gerr)
        g_error_free(gerr);
    g_object_unref(loader);
    return err;
}

enum arc_err img_validate(const void *data, size_t len, struct img_info *info, struct strbuf *why)
{
    GdkPixbuf *pix;
    enum arc_err err = img__decode(data, len, 0, info, &pix, why);

    if (err)
        return err;
    info->width = gdk_pixbuf_get_width(pix);
    info->height = gdk_pixbuf_get_height(pix);
    g_object_unref(pix);
    return ARC_OK;
}

enum arc_err img_probe(const void *data, size_t len, struct img_info *info, struct strbuf *why)
{
    const unsigned char *p = data;
    struct load l = { .info = info, .probe = true };
    GdkPixbufLoader *loader;
    GError *gerr = NULL;
    enum arc_err err;
    size_t off = 0, chunk = 4096;
    bool ok = true;

    err = check_bytes(p, len, info, why);
    if (err)
        return err;
    /* JPEG's frame header was read above; PNG's and GIF's sizes are at fixed places. */
    switch (info->format) {
    case IMG_JPEG:
        return ARC_OK;
    case IMG_PNG:
        if (len < 24 || memcmp(p + 12, "IHDR", 4))
            break;
        info->width = (int)(get32(p + 16, false) & 0x7FFFFFFF);
        info->height = (int)(get32(p + 20, false) & 0x7FFFFFFF);
        break;
    case IMG_GIF:
        info->width = (int)get16(p + 6, true);
        info->height = (int)get16(p + 8, true);
        break;
    default:
        break;
    }
    if (info->format == IMG_PNG || info->format == IMG_GIF) {
        if (info->width > 0 && info->height > 0)
            return ARC_OK;
        strbuf_setwhy(why, "%s image has no size", img_format_ext(info->format));
        return ARC_EPARSE;
    }
    /* Feed growing pieces until the decoder has made its buffer: headers are small, but EXIF
     * thumbnails and ICC profiles can come first. */
    loader = loader_new(&l);
    while (ok && !l.prepared && off < len) {
        size_t n = len - off < chunk ? len - off : chunk;
        ok = gdk_pixbuf_loader_write(loader, p + off, n, &gerr);
        off += n;
        chunk *= 2;
    }
    /* A loader closed early reports a truncated image: that is expected here. */
    gdk_pixbuf_loader_close(loader, NULL);
    if (!l.prepared) {
        if (!gdk_pixbuf_loader_get_pixbuf(loader) || !info->width) {
            strbuf_setwhy(why, "%s image header does not parse: %s", img_format_ext(info->format),
                          gerr ? gerr->message : "no picture");
            err = ARC_EPARSE;
        }
    }
    if (info->width <= 0 || info->height <= 0) {
        strbuf_setwhy(why, "%s image has no size", img_format_ext(info->format));
        err = ARC_EPARSE;
    }
    if (gerr)
        g_error_free(gerr);
    g_object_unref(loader);
    return err;
}

/* Reads len bytes at off; false on a short read or an error (errno set). */
static bool read_at(int fd, unsigned char *buf, size_t len, off_t off)
{
    while (len > 0) {
        ssize_t n = pread(fd, buf, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO; /* the file shrank under us */
            return false;
        }
        buf += n;
        len -= (size_t)n;
        off += n;
    }
    return true;
}

/* img_probe() of head (the file's first hlen bytes) and tail (its last IMG_PROBE_TAIL): the
 * checks of check_bytes() and img_probe() for JPEG, PNG and GIF, each on the part it reads.
 * *all is set when the answer needs the whole file: a JPEG whose frame header lies past the
 * head, or another format. */
static enum arc_err probe_split(const unsigned char *head, size_t hlen, const unsigned char *tail,
                                struct img_info *info, bool *all, struct strbuf *why)
{
    memset(info, 0, sizeof(*info));
    info->orientation = 1;
    info->format = img_sniff(head, hlen);
    switch (info->format) {
    case IMG_JPEG:
        if (!jpeg_complete(tail, IMG_PROBE_TAIL)) {
            strbuf_setwhy(why, "truncated JPEG (no end-of-image marker)");
            return ARC_EPARSE;
        }
        *all = !img__jpeg_facts(head, hlen, info);
        return ARC_OK;
    case IMG_PNG:
        if (!png_complete(tail, IMG_PROBE_TAIL)) {
            strbuf_setwhy(why, "truncated PNG (no IEND chunk)");
            return ARC_EPARSE;
        }
        if (!memcmp(head + 12, "IHDR", 4)) {
            info->width = (int)(get32(head + 16, false) & 0x7FFFFFFF);
            info->height = (int)(get32(head + 20, false) & 0x7FFFFFFF);
        }
        break;
    case IMG_GIF:
        if (!gif_complete(tail, IMG_PROBE_TAIL)) {
            strbuf_setwhy(why, "truncated GIF (no trailer)");
            return ARC_EPARSE;
        }
        info->width = (int)get16(head + 6, true);
        info->height = (int)get16(head + 8, true);
        break;
    default:
        *all = true;
        return ARC_OK;
    }
    if (info->width > 0 && info->height > 0)
        return ARC_OK;
    strbuf_setwhy(why, "%s image has no size", img_format_ext(info->format));
    return ARC_EPARSE;
}

enum arc_err img_probe_file(const char *path, struct img_info *info, struct strbuf *why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned char *buf = NULL, tail[IMG_PROBE_TAIL];
    enum arc_err err = ARC_OK;
    bool all = true;
    struct stat st;

    /* The messages leave the path out: the caller names the file. */
    if (fd < 0) {
        strbuf_setwhy(why, "cannot open: %s", strerror(errno));
        return errno == ENOENT ? ARC_ENOTFOUND : ARC_EIO;
    }
    if (fstat(fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > SIZE_MAX) {
        strbuf_setwhy(why, "cannot read: %s", strerror(errno));
        close(fd);
        return ARC_EIO;
    }
    if ((uint64_t)st.st_size > IMG_PROBE_HEAD + IMG_PROBE_TAIL) {
        buf = xmalloc(IMG_PROBE_HEAD);
        all = false;
        if (!read_at(fd, buf, IMG_PROBE_HEAD, 0) ||
            !read_at(fd, tail, IMG_PROBE_TAIL, st.st_size - (off_t)IMG_PROBE_TAIL)) {
            strbuf_setwhy(why, "cannot read: %s", strerror(errno));
            err = ARC_EIO;
        } else {
            err = probe_split(buf, IMG_PROBE_HEAD, tail, info, &all, why);
        }
        free(buf);
        buf = NULL;
    }
    if (!err && all) {
        /* Small, or the answer needs more than the two ends: all of it. */
        buf = xmalloc((size_t)st.st_size + 1);
        if (!read_at(fd, buf, (size_t)st.st_size, 0)) {
            strbuf_setwhy(why, "cannot read: %s", strerror(errno));
            err = ARC_EIO;
        } else {
            err = img_probe(buf, (size_t)st.st_size, info, why);
        }
        free(buf);
    }
    close(fd);
    return err;
}

/* The Orientation tag (0x0112) of an Exif APP1 segment's first IFD; 1 when there is none. */
static int exif_orientation(const unsigned char *p, size_t len)
{
    const unsigned char *t = p + 6; /* "Exif\0\0", then a TIFF header */
    size_t tlen = len - 6, ifd, n;
    bool le;

    if (len < 6 + 8 || memcmp(p, "Exif\0\0", 6))
        return 1;
    if (!memcmp(t, "II*\0", 4))
        le = true;
    else if (!memcmp(t, "MM\0*", 4))
        le = false;
    else
        return 1;
    ifd = get32(t + 4, le);
    if (ifd > tlen - 2)
        return 1;
    n = get16(t + ifd, le);
    for (size_t i = 0; i < n && ifd + 2 + (i + 1) * 12 <= tlen; i++) {
        const unsigned char *e = t + ifd + 2 + i * 12;
        unsigned v = get16(e + 8, le);

        if (get16(e, le) == 0x0112 && get16(e + 2, le) == 3)
            return v >= 1 && v <= 8 ? (int)v : 1;
    }
    return 1;
}

bool img__jpeg_facts(const unsigned char *p, size_t len, struct img_info *info)
{
    size_t i = 2;

    while (i + 4 <= len) {
        unsigned m = p[i + 1];
        size_t seg;

        if (p[i] != 0xFF)
            return false;
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) { /* markers without a length */
            i += 2;
            continue;
        }
        if (m == 0xDA || m == 0xD9) /* the scan or the end, and no frame header yet */
            return false;
        seg = (size_t)p[i + 2] << 8 | p[i + 3];
        if (seg < 2 || i + 2 + seg > len)
            return false;
        if (m == 0xE1)
            info->orientation = exif_orientation(p + i + 4, seg - 2);
        /* SOF0-15 except DHT (C4), JPG (C8) and DAC (CC): FF Cn len P Y Y X X Nf */
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC && seg >= 8) {
            info->height = (int)get16(p + i + 5, false);
            info->width = (int)get16(p + i + 7, false);
            info->cmyk = p[i + 9] == 4;
            return info->width > 0 && info->height > 0;
        }
        i += 2 + seg;
    }
    return false;
}
