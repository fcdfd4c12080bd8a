/* util/strbuf.h: a growable, always NUL-terminated byte buffer (git's strbuf, curl's dynbuf).
 *
 * The caller owns a struct strbuf; strbuf_release() frees its storage and leaves it empty and
 * reusable.  A buffer may carry a size cap (strbuf_init_max): strbuf_try_add() refuses to grow past
 * it with ARC_ETOOBIG, which every buffer fed from the network uses.  The plain strbuf_add*()
 * calls ignore the cap and die on out-of-memory only.  Not thread-safe.
 *
 *     struct strbuf sb = STRBUF_INIT;
 *     strbuf_addf(&sb, "%d entries", n);
 *     puts(sb.buf); strbuf_release(&sb);
 */
#ifndef ARC_UTIL_STRBUF_H
#define ARC_UTIL_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/compiler.h"
#include "util/error.h"

struct strbuf {
    char *buf;    /* always NUL-terminated; never NULL */
    size_t len;   /* bytes in use, not counting the NUL */
    size_t alloc; /* bytes allocated; 0 while buf points at the shared empty string */
    size_t max;   /* cap for strbuf_try_add(); 0 = none */
};

extern char strbuf_empty[];
#define STRBUF_INIT           \
    {                         \
        strbuf_empty, 0, 0, 0 \
    }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_init_max(struct strbuf *sb, size_t max);
void strbuf_release(struct strbuf *sb);
/* Empties the buffer, keeping its storage. */
void strbuf_reset(struct strbuf *sb);
/* Hands the storage to the caller (free() it) and leaves sb empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
ARC_PRINTF(2, 3) void strbuf_addf(struct strbuf *sb, const char *fmt, ...);
ARC_PRINTF(2, 0) void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Appends unless that would take the buffer past sb->max: then ARC_ETOOBIG, nothing appended. */
ARC_WUR enum arc_err strbuf_try_add(struct strbuf *sb, const void *data, size_t len);

/* Removes ASCII white space from both ends. */
void strbuf_trim(struct strbuf *sb);

/* Sets *why (when not NULL) to a formatted message; a convenience for modules' error detail. */
ARC_PRINTF(2, 3) void strbuf_setwhy(struct strbuf *why, const char *fmt, ...);

#endif
