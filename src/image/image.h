/* image/image.h: what an image's bytes are, and whether they decode; the one folder that uses
 * gdk-pixbuf.
 *
 * The format comes from the magic bytes, never from the URL (WeChat's wx_fmt lies).  Validation
 * decodes the whole image with gdk-pixbuf's incremental loader and, since gdk-pixbuf reports
 * success on some truncated files, also checks the end markers of JPEG and GIF.  Functions never
 * print; detail goes into *why.  Not thread-safe (gdk-pixbuf's loader modules are global). */
#ifndef ARC_IMAGE_IMAGE_H
#define ARC_IMAGE_IMAGE_H

#include <stddef.h>

#include "util/error.h"
#include "util/strbuf.h"

enum img_format {
    IMG_UNKNOWN, /* not an image we know */
    IMG_JPEG,
    IMG_PNG,
    IMG_GIF,
    IMG_WEBP,
    IMG_BMP,
    IMG_SVG,
    IMG_FORMAT__COUNT
};

struct img_info {
    enum img_format format;
    int width, height; /* pixels; 0 when not decoded */
};

/* The format from the first bytes. */
enum img_format img_sniff(const void *data, size_t len);
/* "jpg", "png", "gif", "webp", "bmp", "svg"; "bin" for IMG_UNKNOWN. */
const char *img_format_ext(enum img_format format);
/* "image/jpeg", ...; "application/octet-stream" for IMG_UNKNOWN. */
const char *img_format_mime(enum img_format format);

/* Sniffs and fully decodes the image: ARC_OK with *info filled, or ARC_EPARSE when the bytes are
 * not a known format, are truncated or do not decode (*why says which). */
ARC_WUR enum arc_err img_validate(const void *data, size_t len, struct img_info *info,
                                  struct strbuf *why);

#endif
