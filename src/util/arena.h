/* util/arena.h: a bump allocator whose memory is released all at once (git's mem-pool).
 *
 * Used by the Doc tree: every node and string of a document lives in one arena, and
 * arena_release() frees them together; there is no per-object free.  Allocation never fails
 * (it dies on out-of-memory like xmalloc).  Debug builds poison released memory with 0xDD.
 * Not thread-safe.
 *
 *     struct arena a = ARENA_INIT;
 *     char *s = arena_strndup(&a, "hello", 5);
 *     arena_release(&a);
 */
#ifndef ARC_UTIL_ARENA_H
#define ARC_UTIL_ARENA_H

#include <stddef.h>

struct arena_block;
struct arena {
    struct arena_block *head; /* the block being filled; older blocks follow */
    size_t total;             /* bytes handed out, for statistics */
};
#define ARENA_INIT \
    {              \
        NULL, 0    \
    }

/* Zeroed memory aligned for any object; valid until arena_release(). */
void *arena_alloc(struct arena *a, size_t size);
/* A NUL-terminated copy of n bytes of s. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s); /* NULL gives NULL */
void arena_release(struct arena *a);

#endif
