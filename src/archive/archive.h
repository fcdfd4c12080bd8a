/* archive/archive.h: the archive directory: what is stored for each article, and its state.
 *
 * The archive holds one folder per article (articles/<id>/) with the offline copy, its images,
 * meta.json and the page as fetched; design.md gives the layout.  This header names the states an
 * index entry can be in.  The list is fixed: `status --json`, meta.json and every later command
 * use these names, so a state is never renamed or removed, only added at the end.  jansson is
 * used here for meta.json.  Functions never print. */
#ifndef ARC_ARCHIVE_ARCHIVE_H
#define ARC_ARCHIVE_ARCHIVE_H

#include <stdbool.h>

#define ARCHIVE_STATE_MAP(X)                                                                      \
    X(PENDING, "pending")                            /* never fetched */                          \
    X(ARCHIVED, "archived")                          /* a good copy is stored */                  \
    X(ARCHIVED_DELETED, "archived-deleted-upstream") /* stored; the publisher deleted it since */ \
    X(FAILED, "failed")                              /* the last fetch failed; nothing stored */  \
    X(DELETED, "deleted")         /* deleted by the publisher before we got it */                 \
    X(REMOVED, "removed")         /* removed for a violation */                                   \
    X(UNAVAILABLE, "unavailable") /* temporarily unavailable, or the link expired */              \
    X(WALLED, "walled")           /* a verification wall stopped the fetch */

enum archive_state {
#define X(name, text) ARCHIVE_##name,
    ARCHIVE_STATE_MAP(X)
#undef X
        ARCHIVE_STATE__COUNT
};

/* "pending", "archived-deleted-upstream", ... */
const char *archive_state_name(enum archive_state state);
/* The inverse of archive_state_name(); false for an unknown name. */
bool archive_state_from_name(const char *name, enum archive_state *out);

/* The state of the article with this id in the archive at dir: the "status" of
 * articles/<id>/meta.json, or ARCHIVE_PENDING when there is none (or it cannot be read: a
 * damaged meta.json is fetched again rather than trusted). */
enum archive_state archive_entry_state(const char *dir, const char *id);

#endif
