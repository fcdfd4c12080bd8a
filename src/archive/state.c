/* archive/state.c: entry states and how they are read from meta.json. */
#include "archive/archive.h"

#include <stdlib.h>
#include <string.h>

#include "archive/internal.h"
#include "util/alloc.h"
#include "util/banned.h"

static const char *const state_names[] = {
#define X(name, text) text,
    ARCHIVE_STATE_MAP(X)
#undef X
};

const char *archive_state_name(enum archive_state state)
{
    if ((unsigned)state >= ARCHIVE_STATE__COUNT)
        BUG("archive state %d out of range", (int)state);
    return state_names[state];
}

bool archive_state_from_name(const char *name, enum archive_state *out)
{
    for (unsigned i = 0; i < ARCHIVE_STATE__COUNT; i++) {
        if (!strcmp(name, state_names[i])) {
            *out = (enum archive_state)i;
            return true;
        }
    }
    return false;
}

enum archive_state archive_entry_state(const char *dir, const char *id)
{
    struct archive_meta m = ARCHIVE_META_INIT;
    enum archive_state state = ARCHIVE_PENDING;

    if (archive__id_is_valid(id) && archive_meta_read(dir, id, &m, NULL) == ARC_OK)
        state = m.state;
    archive_meta_release(&m);
    return state;
}
