/* util/hash.h: SHA-256 through GLib's GChecksum (content-addressed image names, URL ids). */
#ifndef ARC_UTIL_HASH_H
#define ARC_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SHA256_HEX 65 /* 64 hex digits and the NUL */

/* Writes the lowercase hex SHA-256 of len bytes at data into hex. */
void hash_sha256_hex(const void *data, size_t len, char hex[HASH_SHA256_HEX]);

/* FNV-1a of a NUL-terminated string: for the in-memory hash tables (not for content). */
uint64_t hash_fnv1a(const char *s);

#endif
