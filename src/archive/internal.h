/* archive/internal.h: declarations shared by the files of archive/ only. */
#ifndef ARC_ARCHIVE_INTERNAL_H
#define ARC_ARCHIVE_INTERNAL_H

#include "archive/archive.h"

/* archive_meta_format() with the "id" field set to id (NULL: m->id). */
void archive__meta_format_id(const struct archive_meta *m, const char *id, struct strbuf *out);

/* Is id usable as a file name in articles/: not empty, no '/', not starting with '.'? */
bool archive__id_is_valid(const char *id);

#endif
