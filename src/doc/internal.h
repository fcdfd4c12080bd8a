/* doc/internal.h: declarations shared by the files of doc/ and nobody else.
 *
 * Every traversal in doc/ is iterative: it follows the parent, first and next pointers with a
 * cursor, so trees of any depth are safe.  doc__next() is the one step of that pre-order walk.
 */
#ifndef ARC_DOC_INTERNAL_H
#define ARC_DOC_INTERNAL_H

#include "doc/doc.h"

/* The next node after n in a pre-order walk of the subtree at top, not descending into n's
 * children when skip_children is set; NULL when the walk is over.  *leaves (when not NULL) is
 * called for every node whose subtree is finished, in order, the way doc_walk() leaves them. */
typedef void doc__leave_fn(const struct doc_node *n, void *ud);
const struct doc_node *doc__next(const struct doc_node *top, const struct doc_node *n,
                                 bool skip_children, doc__leave_fn *leave, void *ud);

#endif
