/* archive/gzip.c: gzip in memory (zlib) for raw.html.gz, with a cap on what inflating may give. */
#include "archive/archive.h"

#include <limits.h>
#include <string.h>
#include <zlib.h>

#include "util/banned.h"

/* deflateInit2/inflateInit2 window bits: 15 for a 32 KiB window, +16 for the gzip wrapper when
 * writing, +32 to accept gzip or zlib headers when reading. */
#define GZIP_WBITS_WRITE (15 + 16)
#define GZIP_WBITS_READ  (15 + 32)
/* Inflate into the buffer this much at a time, so the cap is checked before memory grows. */
#define GUNZIP_CHUNK (64 * 1024)

enum arc_err archive_gzip(const void *data, size_t len, struct strbuf *out, struct strbuf *why)
{
    z_stream zs;
    uLong bound;
    int rc;

    if (len > UINT_MAX) {
        strbuf_setwhy(why, "cannot compress %zu bytes at once", len);
        return ARC_ETOOBIG;
    }
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, GZIP_WBITS_WRITE, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        strbuf_setwhy(why, "cannot start gzip: %s", zs.msg ? zs.msg : "zlib error");
        return ARC_ENOMEM;
    }
    bound = deflateBound(&zs, (uLong)len);
    strbuf_grow(out, bound);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)out->buf + out->len;
    zs.avail_out = (uInt)bound;
    rc = deflate(&zs, Z_FINISH);
    if (rc != Z_STREAM_END) {
        strbuf_setwhy(why, "gzip failed: %s", zs.msg ? zs.msg : "zlib error");
        deflateEnd(&zs);
        return ARC_EIO;
    }
    /* strbuf_setlen() only shrinks; the bytes were written in place after strbuf_grow(). */
    out->len += zs.total_out;
    out->buf[out->len] = '\0';
    deflateEnd(&zs);
    return ARC_OK;
}

enum arc_err archive_gunzip(const void *data, size_t len, size_t max, struct strbuf *out,
                            struct strbuf *why)
{
    size_t start = out->len;
    enum arc_err err = ARC_OK;
    z_stream zs;
    int rc;

    if (!max)
        max = ARCHIVE_GUNZIP_MAX;
    if (len > UINT_MAX) {
        strbuf_setwhy(why, "compressed data of %zu bytes is too large", len);
        return ARC_ETOOBIG;
    }
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, GZIP_WBITS_READ) != Z_OK) {
        strbuf_setwhy(why, "cannot start gunzip: %s", zs.msg ? zs.msg : "zlib error");
        return ARC_ENOMEM;
    }
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    for (;;) {
        strbuf_grow(out, GUNZIP_CHUNK);
        zs.next_out = (Bytef *)out->buf + out->len;
        zs.avail_out = GUNZIP_CHUNK;
        rc = inflate(&zs, Z_NO_FLUSH);
        out->len += GUNZIP_CHUNK - zs.avail_out;
        out->buf[out->len] = '\0';
        if (out->len - start > max) {
            strbuf_setwhy(why, "inflates to more than %zu bytes", max);
            err = ARC_ETOOBIG;
            break;
        }
        if (rc == Z_STREAM_END)
            break;
        if (rc == Z_OK)
            continue;
        if (rc == Z_BUF_ERROR && zs.avail_in == 0)
            strbuf_setwhy(why, "truncated gzip data");
        else
            strbuf_setwhy(why, "corrupt gzip data: %s", zs.msg ? zs.msg : "zlib error");
        err = rc == Z_MEM_ERROR ? ARC_ENOMEM : ARC_EPARSE;
        break;
    }
    inflateEnd(&zs);
    if (err)
        strbuf_setlen(out, start);
    return err;
}
