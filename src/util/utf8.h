/* util/utf8.h: the one UTF-8 validator of the project (the XML escaper, the index's repair of
 * invalid bytes, and the converter's clean-up of fetched pages all use it). */
#ifndef ARC_UTIL_UTF8_H
#define ARC_UTIL_UTF8_H

#include <stddef.h>

/* The length of the well-formed UTF-8 sequence at s (n > 0 bytes available), or 0 when it is not
 * one: overlong forms, surrogates and code points past U+10FFFF are not.  NUL counts as a valid
 * one-byte sequence. */
size_t utf8_len(const unsigned char *s, size_t n);

#endif
