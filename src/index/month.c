/* index/month.c: recognising the headings that start a month ("12", "2024年12月", "Dec 2024"). */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "index/internal.h"
#include "util/banned.h"

#define YEAR_MIN 1000 /* four digits, no more and no fewer */
#define YEAR_MAX 9999

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december",
};

static const char *skip_space(const char *s)
{
    for (;;) {
        if (*s == ' ' || *s == '\t') {
            s++;
        } else if (!strncmp(s, "\xe3\x80\x80", 3)) { /* U+3000 IDEOGRAPHIC SPACE */
            s += 3;
        } else {
            return s;
        }
    }
}

/* Reads 1..max digits; returns how many were read (0: none, or more than max). */
static size_t read_number(const char *s, size_t max, int *value)
{
    size_t n = 0;
    int v = 0;

    while (s[n] >= '0' && s[n] <= '9') {
        if (n == max)
            return 0;
        v = v * 10 + (s[n] - '0');
        n++;
    }
    *value = v;
    return n;
}

static bool eat(const char **s, const char *word)
{
    size_t len = strlen(word);

    if (strncmp(*s, word, len))
        return false;
    *s += len;
    return true;
}

static bool valid_month(int m)
{
    return m >= 1 && m <= 12;
}

/* "12", "05", "12月". */
static bool bare_month(const char *s, int *month)
{
    size_t n = read_number(s, 2, month);

    if (!n)
        return false;
    s = skip_space(s + n);
    eat(&s, "月");
    return !*skip_space(s) && valid_month(*month);
}

/* "2024-12", "2024.12", "2024/12", "2024年12月", "2024 年 12 月". */
static bool year_month(const char *s, int *month, int *year)
{
    size_t n = read_number(s, 4, year);
    bool cjk;

    if (n != 4)
        return false;
    s = skip_space(s + n);
    cjk = eat(&s, "年");
    if (!cjk && *s != '-' && *s != '.' && *s != '/')
        return false;
    if (!cjk)
        s++;
    s = skip_space(s);
    n = read_number(s, 2, month);
    if (!n)
        return false;
    s = skip_space(s + n);
    eat(&s, "月");
    return !*skip_space(s) && valid_month(*month);
}

/* "December 2024", "Dec 2024", "Dec. 2024", "December, 2024", "December" (no year). */
static bool named_month(const char *s, int *month, int *year)
{
    size_t len = 0, n;

    while ((s[len] >= 'a' && s[len] <= 'z') || (s[len] >= 'A' && s[len] <= 'Z'))
        len++;
    if (len < 3)
        return false;
    *month = 0;
    for (int i = 0; i < 12; i++) {
        size_t full = strlen(month_names[i]);
        /* The full name, a three-letter abbreviation, or "Sept". */
        if ((len == full || len == 3 || (i == 8 && len == 4)) && len <= full &&
            !strncasecmp(s, month_names[i], len)) {
            *month = i + 1;
            break;
        }
    }
    if (!*month)
        return false;
    s += len;
    if (*s == '.')
        s++;
    s = skip_space(s);
    if (*s == ',')
        s = skip_space(s + 1);
    *year = 0;
    if (!*s)
        return true;
    n = read_number(s, 4, year);
    return n == 4 && !*skip_space(s + n);
}

bool idx__parse_month(const char *s, int *month, int *year)
{
    int m = 0, y = 0;

    s = skip_space(s);
    if (bare_month(s, &m)) {
        y = 0;
    } else if (!year_month(s, &m, &y) && !named_month(s, &m, &y)) {
        return false;
    }
    if (y && (y < YEAR_MIN || y > YEAR_MAX))
        return false;
    *month = m;
    *year = y;
    return true;
}
