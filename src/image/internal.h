/* image/internal.h: what image.c and transcode.c share. */
#ifndef ARC_IMAGE_INTERNAL_H
#define ARC_IMAGE_INTERNAL_H

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdbool.h>

#include "image/image.h"

/* Checks that the bytes are whole (end markers) and decodes them, asking the decoder for at most
 * max_px on the larger side when max_px > 0 (libjpeg then decodes at a reduced scale).  On
 * ARC_OK *pix is a new reference (g_object_unref() it): the first frame of an animation, and
 * *info describes the image as stored, before any scaling. */
ARC_WUR enum arc_err img__decode(const void *data, size_t len, int max_px, struct img_info *info,
                                 GdkPixbuf **pix, struct strbuf *why);

/* The size of a w x h picture scaled down so that its larger side is at most max_px (any size
 * when max_px <= 0), rounded, at least 1x1. */
void img__fit(int w, int h, int max_px, int *fw, int *fh);

/* A JPEG's facts from its markers, without decoding: the size and the number of components
 * from the frame header, the orientation from the Exif segment.  false when no frame header
 * comes before the scan. */
bool img__jpeg_facts(const unsigned char *p, size_t len, struct img_info *info);

#endif
