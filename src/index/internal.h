/* index/internal.h: declarations shared by the files of index/ and nobody else. */
#ifndef ARC_INDEX_INTERNAL_H
#define ARC_INDEX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cmark.h>

#include "doc/doc.h"
#include "util/strbuf.h"

/* The largest index we read: a list of links is a few hundred KiB at most, and cmark holds the
 * whole tree in memory.  Kept small because cmark 0.30 is quadratic on some inputs (a few MiB
 * of "![[]()" take it minutes), so the limit bounds its time as well as its memory. */
#define IDX_MAX_BYTES ((size_t)4 << 20)

/* Parses a month heading's text ("12", "12月", "2024-12", "2024年12月", "December 2024",
 * "Dec 2024", "2024.12", "2024/12").  On success *month is 1..12 and *year the year named, or
 * 0 when the heading names none.  False when the text is not a month. */
bool idx__parse_month(const char *s, int *month, int *year);

/* Converts one cmark block (a list, block quote, paragraph, ...) and its subtree into Doc nodes
 * appended under parent.  Iterative, so any nesting depth is safe.  Raw HTML becomes text;
 * links keep only http, https and mailto targets. */
void idx__md_to_doc(struct doc *doc, struct doc_node *parent, cmark_node *block);

/* Appends the plain text of a cmark subtree: text, code and raw HTML literally, soft and hard
 * line breaks as one space. */
void idx__md_plain_text(cmark_node *node, struct strbuf *out);

/* Replaces every "&amp;" in s by "&" in place (links copied from HTML carry it). */
void idx__unescape_amp(char *s);

#endif
