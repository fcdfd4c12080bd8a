/* cairo 1.16 compresses each stream of a PDF (page contents, font programs and the pixels of
 * every picture that is not a JPEG) with zlib's deflateInit() at Z_DEFAULT_COMPRESSION, level 6,
 * and has no call to choose another level: defining deflateInit_ here, in the program, puts this
 * one before zlib's for libcairo (the dynamic linker takes the executable's definition first),
 * and it starts the same stream at pdf__deflate_level, which pdf_write sets.  Callers that choose
 * their level with deflateInit2() (libzip) are not touched; nor is a caller that names a level.
 *
 * Measured on the 40-article benchmark book (808 A5 pages, 248 PNG, GIF and WebP pictures drawn
 * as Flate pixels): level 6 13.3 s, 172.5 MB; level 3 9.0 s, 179.1 MB (+3.8%); level 1 9.0 s,
 * 181.5 MB; Z_RLE 9.4 s, 257.6 MB.  The pixels of the pictures are most of cairo's deflating. */
#include <zlib.h>

#include "pdf/internal.h"

int pdf__deflate_level = Z_DEFAULT_COMPRESSION;

int deflateInit_(z_streamp strm, int level, const char *version, int stream_size)
{
    if (level == Z_DEFAULT_COMPRESSION)
        level = pdf__deflate_level;
    /* zlib's own deflateInit_ with its defaults: window of 2^15 bytes, memory level 8 */
    return deflateInit2_(strm, level, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY, version,
                         stream_size);
}
