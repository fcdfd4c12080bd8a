/* util/alloc.h: allocation that never returns NULL, and die()/BUG().
 *
 * xmalloc and its family print "archiver: fatal: out of memory" and exit 4 on failure (git,
 * redis), so callers never check them.  Results from libraries are always checked. */
#ifndef ARC_UTIL_ALLOC_H
#define ARC_UTIL_ALLOC_H

#include <stddef.h>
#include "util/compiler.h"

ARC_MALLOC void *xmalloc(size_t size);
ARC_MALLOC void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array of nmemb elements of size bytes each to hold at least need; *alloc tracks it. */
void *xgrow(void *ptr, size_t size, size_t need, size_t *alloc);
ARC_MALLOC char *xstrdup(const char *s);
ARC_MALLOC char *xstrndup(const char *s, size_t n);
/* Formats into a new string. */
ARC_MALLOC ARC_PRINTF(1, 2) char *xasprintf(const char *fmt, ...);

/* Prints "archiver: fatal: ..." and exits with ARC_EXIT_FATAL.  Allowed only in main.c, alloc.c
 * and the option parser. */
ARC_NORETURN ARC_PRINTF(1, 2) void die(const char *fmt, ...);
/* A broken invariant: prints file and line, then aborts. */
#define BUG(...) arc_bug(__FILE__, __LINE__, __VA_ARGS__)
ARC_NORETURN ARC_PRINTF(3, 4) void arc_bug(const char *file, int line, const char *fmt, ...);

#endif
