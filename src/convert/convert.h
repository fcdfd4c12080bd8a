/* convert/convert.h: HTML in, Doc tree out; the one folder that uses gumbo.
 *
 * Today it holds the reader of the project's own XHTML (the offline copies written by
 * doc_write_xhtml()).  The WeChat page converter (classification, metadata, sanitizing mapping)
 * joins it here.  Functions return enum arc_err, never print, and put detail in *why. */
#ifndef ARC_CONVERT_CONVERT_H
#define ARC_CONVERT_CONVERT_H

#include <stddef.h>

#include "doc/doc.h"
#include "util/error.h"
#include "util/strbuf.h"

/* Refuse to read an offline copy nested deeper than this: our writer never goes near it, and
 * gumbo's cost grows with the square of the depth. */
#define CONV_READ_MAX_DEPTH 512

/* Parses XHTML written by doc_write_xhtml() (a fragment, or a whole page made with
 * doc_page_begin/end, in which case the <body> is read) back into a new Doc tree:
 * conv_read_xhtml(doc_write_xhtml(t)) is equal to t (doc_equal).  Unknown elements are read for
 * their content as a browser would render it.  On success *out is a new doc the caller frees with
 * doc_free(); on failure *out is NULL and ARC_EPARSE or ARC_ETOODEEP is returned. */
ARC_WUR enum arc_err conv_read_xhtml(const char *buf, size_t len, struct doc **out,
                                     struct strbuf *why);

#endif
