/* util/error.h: the one list of error codes, and its three generated views.
 *
 * Modules return enum arc_err (marked ARC_WUR) and never print; detail for humans goes into an
 * optional struct strbuf *why.  Codes are positive and append-only: never renumber, never reuse;
 * a retired code stays as a reserved slot (curl). */
#ifndef ARC_UTIL_ERROR_H
#define ARC_UTIL_ERROR_H

#include "util/compiler.h"

#define ARC_ERR_MAP(X)                         \
    X(NOMEM, "out of memory")                  \
    X(IO, "input/output error")                \
    X(NET, "network failure")                  \
    X(PARSE, "cannot parse input")             \
    X(HTTP, "HTTP error")                      \
    X(WALL, "verification wall")               \
    X(GONE, "content gone")                    \
    X(LOCKED, "archive locked by another run") \
    X(TOOBIG, "size limit exceeded")           \
    X(TOODEEP, "nesting limit exceeded")       \
    X(INVAL, "invalid argument")               \
    X(NOTFOUND, "not found")                   \
    X(URL, "bad URL")

enum arc_err {
    ARC_OK = 0,
#define X(name, text) ARC_E##name,
    ARC_ERR_MAP(X)
#undef X
        ARC_ERR__COUNT
};

/* "size limit exceeded"; never NULL, "unknown error" for a code out of range. */
const char *arc_strerror(enum arc_err err);
/* "TOOBIG", stable: for meta.json and `status --json`.  "OK" for ARC_OK. */
const char *arc_err_name(enum arc_err err);

/* Process exit codes, documented in README.md, archiver.1 and docs/exit-codes.md. */
enum arc_exit {
    ARC_EXIT_OK = 0,     /* everything asked for was done */
    ARC_EXIT_FAILED = 1, /* some entries failed or were walled in this run; the rest was written */
    ARC_EXIT_USAGE = 2,  /* usage error or bad input (missing index, unknown option) */
    ARC_EXIT_LOCKED = 3, /* another run holds the archive's lock */
    ARC_EXIT_FATAL = 4   /* fatal error, nothing written */
};

#endif
