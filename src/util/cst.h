/* util/cst.h: dates as WeChat's publishers see them, in China Standard Time (UTC+8, no daylight
 * saving), whatever TZ says.  The one place that knows the offset. */
#ifndef ARC_UTIL_CST_H
#define ARC_UTIL_CST_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "util/strbuf.h"

#define ARC_CST_OFFSET (8 * 3600)

/* The broken-down China Standard Time of Unix time t; false for 0 (unknown) and for times
 * gmtime cannot represent. */
bool cst_tm(int64_t t, struct tm *out);

enum cst_style {
    CST_DATE,   /* 2025-11-10 */
    CST_MINUTE, /* 2025-11-10 12:00 */
    CST_FULL    /* 2025-11-10 12:00:10 +08:00 */
};

/* Appends t in China Standard Time in the style asked for; nothing for 0 (unknown). */
void cst_format(int64_t t, enum cst_style style, struct strbuf *out);

#endif
