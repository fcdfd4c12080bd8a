/* bench/bench_convert.c: converts pages repeatedly and reports ms per page and MB/s, next to
 * gumbo's bare parse of the same bytes in the same run.  Target: conversion <= 1.5x bare parse.
 *
 *     bench_convert [-n ROUNDS] PAGE.html...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gumbo.h>

#include "convert/convert.h"
#include "util/fs.h"
#include "util/strbuf.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Best of the rounds: the least disturbed by the machine's other work. */
static double time_gumbo(const struct strbuf *page, int rounds)
{
    GumboOptions opts = kGumboDefaultOptions;
    double best = 1e300;

    opts.max_errors = 0;
    for (int r = 0; r < rounds; r++) {
        double t0 = now_ms();
        GumboOutput *g = gumbo_parse_with_options(&opts, page->buf, page->len);
        gumbo_destroy_output(&opts, g);
        double t = now_ms() - t0;
        if (t < best)
            best = t;
    }
    return best;
}

static double time_convert(const struct strbuf *page, const char *url, int rounds,
                           struct conv_page *last)
{
    double best = 1e300;

    for (int r = 0; r < rounds; r++) {
        struct conv_input in = { page->buf, page->len, url, NULL, NULL };
        struct conv_page out;
        double t0 = now_ms(), t;

        if (conv_page_convert(&in, &out, NULL) != ARC_OK) {
            fprintf(stderr, "bench_convert: conversion refused its input\n");
            exit(1);
        }
        t = now_ms() - t0;
        if (t < best)
            best = t;
        if (r == rounds - 1)
            *last = out;
        else
            conv_page_release(&out);
    }
    return best;
}

int main(int argc, char **argv)
{
    int rounds = 10, i = 1;
    double sum_g = 0, sum_c = 0, bytes = 0;

    if (argc > 2 && !strcmp(argv[1], "-n")) {
        rounds = (int)strtol(argv[2], NULL, 10);
        i = 3;
    }
    if (i >= argc || rounds < 1) {
        fprintf(stderr, "usage: bench_convert [-n ROUNDS] PAGE.html...\n");
        return 2;
    }
    printf("%-24s %9s %10s %11s %8s %7s %8s\n", "page", "KB", "gumbo ms", "convert ms", "ratio",
           "MB/s", "class");
    for (; i < argc; i++) {
        struct strbuf page = STRBUF_INIT;
        struct conv_page last;
        const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        double g, c;

        if (fs_read_file(argv[i], 0, &page, NULL) != ARC_OK) {
            fprintf(stderr, "bench_convert: cannot read '%s'\n", argv[i]);
            return 1;
        }
        g = time_gumbo(&page, rounds);
        c = time_convert(&page, "https://mp.weixin.qq.com/s/AAAAAAAAAAAAAAAAAAAAAA", rounds, &last);
        printf("%-24s %9.0f %10.2f %11.2f %7.2fx %7.1f %8s\n", name, page.len / 1024.0, g, c, c / g,
               page.len / 1048576.0 / (c / 1e3), conv_class_name(last.cls));
        sum_g += g;
        sum_c += c;
        bytes += (double)page.len;
        conv_page_release(&last);
        strbuf_release(&page);
    }
    printf("%-24s %9.0f %10.2f %11.2f %7.2fx %7.1f\n", "all", bytes / 1024.0, sum_g, sum_c,
           sum_c / sum_g, bytes / 1048576.0 / (sum_c / 1e3));
    printf("target: convert <= 1.50x gumbo's bare parse: %s\n",
           sum_c <= 1.5 * sum_g ? "met" : "NOT met");
    return 0;
}
