/* util/hash.c: SHA-256 over GLib's GChecksum. */
#include "util/hash.h"

#include <glib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/banned.h"

void hash_sha256_hex(const void *data, size_t len, char hex[HASH_SHA256_HEX])
{
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    const unsigned char *p = data;

    if (!ck)
        BUG("GLib has no SHA-256");
    /* g_checksum_update takes a gssize; feed huge inputs in pieces. */
    while (len > 0) {
        size_t n = len > (1u << 30) ? (1u << 30) : len;
        g_checksum_update(ck, p, (gssize)n);
        p += n;
        len -= n;
    }
    memcpy(hex, g_checksum_get_string(ck), HASH_SHA256_HEX - 1);
    hex[HASH_SHA256_HEX - 1] = '\0';
    g_checksum_free(ck);
}

uint64_t hash_fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}
