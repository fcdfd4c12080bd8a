/* util/error.c: names and messages of enum arc_err, generated from ARC_ERR_MAP. */
#include "util/error.h"
#include "util/banned.h"

static const char *const messages[] = { "success",
#define X(name, text) text,
                                        ARC_ERR_MAP(X)
#undef X
};

static const char *const names[] = { "OK",
#define X(name, text) #name,
                                     ARC_ERR_MAP(X)
#undef X
};

const char *arc_strerror(enum arc_err err)
{
    if ((unsigned)err >= ARC_ERR__COUNT)
        return "unknown error";
    return messages[err];
}

const char *arc_err_name(enum arc_err err)
{
    if ((unsigned)err >= ARC_ERR__COUNT)
        return "UNKNOWN";
    return names[err];
}
