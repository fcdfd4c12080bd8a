/* index/years.c: settling the year of month headings that name none. */
#include "index/index.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "util/alloc.h"
#include "util/cst.h"
#include "util/banned.h"

/* The last second of the year 9999, the latest SOURCE_DATE_EPOCH we take: adding the CST offset
 * and converting it to a struct tm stay far from overflow. */
#define SDE_MAX INT64_C(253402300799)

static int64_t now_seconds(const struct idx_opts *opts)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");

    if (opts && opts->now)
        return opts->now;
    /* An invalid or out-of-range value is ignored, as if unset. */
    if (sde && *sde >= '0' && *sde <= '9') {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(sde, &end, 10);
        if (!errno && !*end && v >= 0 && v <= SDE_MAX)
            return (int64_t)v;
    }
    return (int64_t)time(NULL);
}

/* The year and month (1..12) of a Unix time in China Standard Time; false if out of range. */
static bool cst_year_month(int64_t t, int *year, int *month)
{
    struct tm tm;

    if (t < -SDE_MAX || t > SDE_MAX || !cst_tm(t, &tm))
        return false;
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
    return true;
}

/* The most recent year that does not put the month in the future. */
static int default_year(int month, const struct idx_opts *opts)
{
    int y, m;

    if (!cst_year_month(now_seconds(opts), &y, &m))
        return 0;
    return month <= m ? y : y - 1;
}

struct tally {
    int *years;
    size_t *counts;
    size_t n, alloc_y, alloc_c;
};

static void tally_add(struct tally *t, int year)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->years[i] == year) {
            t->counts[i]++;
            return;
        }
    }
    t->years = xgrow(t->years, sizeof(*t->years), t->n + 1, &t->alloc_y);
    t->counts = xgrow(t->counts, sizeof(*t->counts), t->n + 1, &t->alloc_c);
    t->years[t->n] = year;
    t->counts[t->n] = 1;
    t->n++;
}

/* The most frequent year; a tie goes to the year seen first.  0 when empty. */
static int tally_best(const struct tally *t)
{
    size_t best = 0;

    if (!t->n)
        return 0;
    for (size_t i = 1; i < t->n; i++)
        if (t->counts[i] > t->counts[best])
            best = i;
    return t->years[best];
}

static void tally_release(struct tally *t)
{
    free(t->years);
    free(t->counts);
}

/* The year the entries' publish dates give the month, or 0.  Articles published in the month
 * the heading names vote first; failing those, every dated article does. */
static int year_from_published(const struct idx_month *mo, const struct idx_opts *opts)
{
    struct tally same = { 0 }, all = { 0 };
    int year;

    if (!opts || !opts->published)
        return 0;
    for (size_t i = 0; i < mo->nentries; i++) {
        const struct idx_entry *e = &mo->entries[i];
        int64_t t;
        int y, m;

        if (!e->id)
            continue;
        t = opts->published(e->id, opts->ud);
        if (t <= 0 || !cst_year_month(t, &y, &m))
            continue;
        if (m == mo->month)
            tally_add(&same, y);
        tally_add(&all, y);
    }
    year = same.n ? tally_best(&same) : tally_best(&all);
    tally_release(&same);
    tally_release(&all);
    return year;
}

/* An entry's date is in its month's year, unless its month is later than the heading's: then
 * it is the year before (【12.31】 listed under January). */
static void set_date_years(struct idx *ix)
{
    for (size_t m = 0; m < ix->nmonths; m++) {
        const struct idx_month *mo = &ix->months[m];

        for (size_t i = 0; i < mo->nentries; i++) {
            struct idx_entry *e = &mo->entries[i];

            e->date_year = 0;
            if (e->date_month && mo->month && mo->year)
                e->date_year = e->date_month > mo->month ? mo->year - 1 : mo->year;
        }
    }
}

void idx_resolve_years(struct idx *ix, const struct idx_opts *opts)
{
    size_t first, anchor, n;
    struct idx_month *mo;
    bool *anchored;

    if (!ix || !ix->nmonths)
        return;
    mo = ix->months;
    n = ix->nmonths;
    /* The pseudo-month of entries before any heading has no year. */
    first = mo[0].month == 0 ? 1 : 0;
    if (first)
        mo[0].year = 0;
    if (first >= n)
        return;
    anchored = xcalloc(n, sizeof(*anchored));
    anchor = n;
    for (size_t i = first; i < n; i++) {
        if (!mo[i].year_given)
            mo[i].year = year_from_published(&mo[i], opts);
        anchored[i] = mo[i].year != 0;
        if (anchored[i] && anchor == n)
            anchor = i;
    }
    if (anchor == n) {
        anchor = first;
        mo[anchor].year = opts && opts->year ? opts->year : default_year(mo[anchor].month, opts);
        anchored[anchor] = true;
    }
    /* The index runs newest first: going down, a month number that rises is the year before;
     * going up from the first anchor, one that falls is the year after. */
    for (size_t i = anchor + 1; i < n; i++)
        if (!anchored[i])
            mo[i].year = mo[i - 1].year - (mo[i].month > mo[i - 1].month ? 1 : 0);
    for (size_t i = anchor; i > first; i--)
        mo[i - 1].year = mo[i].year + (mo[i - 1].month < mo[i].month ? 1 : 0);
    free(anchored);
    set_date_years(ix);
}
