/* image/image.h: what an image's bytes are, whether they decode, and transcoding for the books;
 * the one folder that uses gdk-pixbuf.
 *
 * The format comes from the magic bytes, never from the URL (WeChat's wx_fmt lies).  Validation
 * decodes the whole image with gdk-pixbuf's incremental loader and, since gdk-pixbuf reports
 * success on some truncated files, also checks the end markers of JPEG, PNG, GIF and WebP.
 * Functions never print; detail goes into *why.  Not thread-safe (gdk-pixbuf's loader modules
 * are global). */
#ifndef ARC_IMAGE_IMAGE_H
#define ARC_IMAGE_IMAGE_H

#include <stdbool.h>
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
    int width, height; /* pixels as stored, before EXIF orientation; 0 when not decoded */
    int orientation;   /* JPEG's Exif orientation 1-8 (1: upright, 6: turn 90° clockwise) */
    bool cmyk;         /* a JPEG of four components, CMYK or YCCK */
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

/* Fills *info from the image's headers without decoding its pixels: JPEG's markers, PNG's
 * IHDR and GIF's screen descriptor are read as bytes; other formats are fed to gdk-pixbuf's
 * loader until it knows the size.  Cheap (microseconds for a JPEG), and it refuses files cut
 * short as img_validate() does, but it does not prove that the pixels decode.  ARC_EPARSE when
 * the format is unknown or the header does not parse. */
ARC_WUR enum arc_err img_probe(const void *data, size_t len, struct img_info *info,
                               struct strbuf *why);

/* img_probe() of a file, with the same answers, reading only what the answers need: a JPEG, PNG
 * or GIF larger than IMG_PROBE_HEAD + IMG_PROBE_TAIL bytes is read at its head (the frame header,
 * IHDR, the screen descriptor) and its tail (the end marks the truncation checks look for); the
 * whole file when it is smaller, when a JPEG's frame header lies past the head, and for other
 * formats.  ARC_ENOTFOUND for a missing file, ARC_EIO when it cannot be read.  For books that
 * package archived pictures by reference: a 200-article book reads 0.8 GB less. */
#define IMG_PROBE_HEAD (64u * 1024)
#define IMG_PROBE_TAIL 4096u
ARC_WUR enum arc_err img_probe_file(const char *path, struct img_info *info, struct strbuf *why);

/* Decoded pixels, for back ends that draw pictures themselves (the PDF): 8 bits per channel,
 * RGB or RGBA (not premultiplied), rows of stride bytes, upright (EXIF orientation applied), the
 * first frame of an animation, CMYK turned into RGB by the decoder. */
struct img_pixels {
    int width, height, stride;
    bool alpha; /* 4 bytes a pixel (R G B A); else 3 (R G B) */
    const unsigned char *data;
    void *priv; /* the decoder's buffer: img_pixels_release() frees it */
};
#define IMG_PIXELS_INIT            \
    {                              \
        0, 0, 0, false, NULL, NULL \
    }

/* Decodes data, scaled down (with a good filter) so that its larger side is at most max_px when
 * max_px > 0, into *out.  ARC_EPARSE for what does not decode (cut short, not an image),
 * ARC_ENOMEM.  Release *out with img_pixels_release() as soon as it has been drawn. */
ARC_WUR enum arc_err img_decode(const void *data, size_t len, int max_px, struct img_pixels *out,
                                struct strbuf *why);
void img_pixels_release(struct img_pixels *px);

/* What img_transcode() fixes besides the format and the size. */
enum img_tx_flags {
    IMG_TX_CMYK = 1 << 0, /* CMYK and YCCK JPEGs become RGB: many readers get their colours wrong */
    IMG_TX_ORIENT = 1 << 1, /* an image with an EXIF orientation is turned upright: old readers
                               ignore the tag */
};
/* What an EPUB wants: every reader shows the result the same way. */
#define IMG_TX_EPUB (IMG_TX_CMYK | IMG_TX_ORIENT)

/* The result of img_transcode().  The caller owns it: IMG_OUTPUT_INIT, img_output_release(). */
struct img_output {
    bool changed;           /* false: nothing to do; buf is empty, use the input's bytes */
    enum img_format format; /* IMG_JPEG, IMG_PNG, or the input's (IMG_GIF too) when unchanged */
    int width, height;      /* of the output picture: orientation applied when changed */
    struct strbuf buf;      /* the new file when changed */
};
#define IMG_OUTPUT_INIT                       \
    {                                         \
        false, IMG_UNKNOWN, 0, 0, STRBUF_INIT \
    }
void img_output_release(struct img_output *out);

/* Makes an image fit for a book.  JPEG, PNG and GIF (EPUB's core media types) that are at most
 * max_px on their larger side (max_px <= 0: any size) and need none of the fixes that flags ask
 * for are left alone: out->changed is false, nothing is decoded past the header, and the caller
 * copies the original bytes.  Anything else (WebP, BMP, SVG, a too large picture, a CMYK JPEG
 * with IMG_TX_CMYK, a turned one with IMG_TX_ORIENT) is decoded, turned upright by its EXIF
 * orientation, scaled down to max_px keeping its aspect ratio, and encoded again:
 *   - PNG when it has any transparent pixel, or came from PNG, GIF, BMP, SVG or lossless WebP
 *     (drawings and screenshots, which JPEG would smear);
 *   - JPEG at quality 88 otherwise (photographs: JPEG and lossy WebP).
 * An animated GIF that must be scaled keeps its first frame only, as a PNG.  The output carries
 * no metadata (no EXIF, no ICC profile, no time), so the same input gives the same bytes.
 * Errors: ARC_EPARSE when the bytes are not an image or do not decode (*why says why); out is
 * then empty. */
ARC_WUR enum arc_err img_transcode(const void *data, size_t len, int max_px, unsigned flags,
                                   struct img_output *out, struct strbuf *why);

#endif
