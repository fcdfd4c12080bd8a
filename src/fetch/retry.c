/* fetch/retry.c: the retry policy: which outcomes are retried, back-off with jitter, Retry-After.
 */
#include "fetch/internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "util/banned.h"

double fetch__now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t fetch__rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double fetch__backoff(int n, uint64_t *rng)
{
    double base = FETCH_BACKOFF_BASE, unit;

    for (int i = 1; i < n && base < FETCH_BACKOFF_MAX; i++)
        base *= 2;
    if (base > FETCH_BACKOFF_MAX)
        base = FETCH_BACKOFF_MAX;
    /* 53 random bits give a uniform double in [0, 1). */
    unit = (double)(fetch__rand(rng) >> 11) / 9007199254740992.0;
    return base * (1.0 + FETCH_BACKOFF_JITTER * (2.0 * unit - 1.0));
}

double fetch__retry_after(const char *value, time_t now)
{
    const char *p = value;
    double secs;

    if (!value)
        return -1;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return -1;
    if (isdigit((unsigned char)*p)) {
        char *end;
        unsigned long long n;

        errno = 0;
        n = strtoull(p, &end, 10);
        while (*end == ' ' || *end == '\t')
            end++;
        if (*end)
            return -1;
        secs = errno == ERANGE || n > (unsigned long long)FETCH_MAX_RETRY_AFTER
                   ? FETCH_MAX_RETRY_AFTER
                   : (double)n;
        return secs;
    }
    {
        time_t when = curl_getdate(p, NULL);

        if (when == -1)
            return -1;
        secs = difftime(when, now);
    }
    if (secs < 0)
        return 0;
    return secs > FETCH_MAX_RETRY_AFTER ? FETCH_MAX_RETRY_AFTER : secs;
}

static bool retryable_curl(CURLcode result)
{
    switch (result) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: /* fewer bytes than Content-Length: a truncated body */
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

enum fetch__verdict fetch__classify(CURLcode result, long status, bool too_big, enum arc_err *err)
{
    if (too_big || result == CURLE_FILESIZE_EXCEEDED) {
        *err = ARC_ETOOBIG;
        return FETCH__DONE;
    }
    if (result == CURLE_OK) {
        if (status == 429 || (status >= 500 && status <= 599)) {
            *err = ARC_EHTTP;
            return FETCH__RETRY;
        }
        *err = ARC_OK;
        return FETCH__DONE;
    }
    if (result == CURLE_UNSUPPORTED_PROTOCOL) {
        /* A redirect to ftp:, file: or the like (the first URL was checked before). */
        *err = ARC_EURL;
        return FETCH__DONE;
    }
    if (result == CURLE_TOO_MANY_REDIRECTS) {
        *err = ARC_EHTTP;
        return FETCH__DONE;
    }
    *err = ARC_ENET;
    return retryable_curl(result) ? FETCH__RETRY : FETCH__DONE;
}
