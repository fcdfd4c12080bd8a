/* bench/bench_convert.c: converts pages repeatedly and reports ms per page and MB/s, next to
 * gumbo's bare parse of the same bytes in the same run.  Target: conversion <= 1.5x bare parse.
 *
 *     bench_convert [-n ROUNDS] [-j FILE] PAGE.html...
 *
 * -j FILE writes the same figures as JSON to FILE: {"rounds", "pages": [{"name", "bytes",
 * "gumbo_ms", "convert_ms", "ratio", "mb_per_s", "class"}...], "all": {"bytes", "gumbo_ms",
 * "convert_ms", "ratio", "mb_per_s", "target_met"}}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gumbo.h>
#include <jansson.h>

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

/* Adds the figures of one page (or of them all) to a JSON object; 0 when out of memory. */
static int json_figures(json_t *obj, double bytes, double g, double c)
{
    return !json_object_set_new(obj, "bytes", json_integer((json_int_t)bytes)) &&
           !json_object_set_new(obj, "gumbo_ms", json_real(g)) &&
           !json_object_set_new(obj, "convert_ms", json_real(c)) &&
           !json_object_set_new(obj, "ratio", json_real(c / g)) &&
           !json_object_set_new(obj, "mb_per_s", json_real(bytes / 1048576.0 / (c / 1e3)));
}

static void out_of_memory(void)
{
    fprintf(stderr, "bench_convert: out of memory\n");
    exit(1);
}

int main(int argc, char **argv)
{
    int rounds = 10, i = 1;
    double sum_g = 0, sum_c = 0, bytes = 0;
    const char *json_path = NULL;
    FILE *json_out = NULL;
    json_t *root = NULL, *pages = NULL;

    while (i + 1 < argc && (!strcmp(argv[i], "-n") || !strcmp(argv[i], "-j"))) {
        if (!strcmp(argv[i], "-n"))
            rounds = (int)strtol(argv[i + 1], NULL, 10);
        else
            json_path = argv[i + 1];
        i += 2;
    }
    if (i >= argc || rounds < 1) {
        fprintf(stderr, "usage: bench_convert [-n ROUNDS] [-j FILE] PAGE.html...\n");
        return 2;
    }
    if (json_path) {
        /* opened now: a bad path fails before the minutes of measuring, not after */
        json_out = fopen(json_path, "w");
        if (!json_out) {
            fprintf(stderr, "bench_convert: cannot write '%s'\n", json_path);
            return 1;
        }
        root = json_object();
        pages = json_array();
        if (!root || !pages || json_object_set_new(root, "rounds", json_integer(rounds)) ||
            json_object_set(root, "pages", pages))
            out_of_memory();
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
        if (pages) {
            json_t *p = json_object(), *jname = json_string(name);

            if (!jname) {
                fprintf(stderr, "bench_convert: '%s': the file name is not UTF-8\n", argv[i]);
                return 1;
            }
            if (!p || json_object_set_new(p, "name", jname) ||
                !json_figures(p, (double)page.len, g, c) ||
                json_object_set_new(p, "class", json_string(conv_class_name(last.cls))) ||
                json_array_append_new(pages, p))
                out_of_memory();
        }
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
    if (root) {
        json_t *all = json_object();
        int bad;

        if (!all || !json_figures(all, bytes, sum_g, sum_c) ||
            json_object_set_new(all, "target_met", json_boolean(sum_c <= 1.5 * sum_g)) ||
            json_object_set_new(root, "all", all))
            out_of_memory();
        bad = json_dumpf(root, json_out, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) ||
              fputc('\n', json_out) == EOF;
        if (fclose(json_out))
            bad = 1;
        if (bad) {
            fprintf(stderr, "bench_convert: cannot write '%s'\n", json_path);
            return 1;
        }
        json_decref(pages);
        json_decref(root);
    }
    return 0;
}
