/* util/opts.c: option tables turned into getopt_long calls and help text. */
#include "util/opts.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* Column at which the help text of an option starts. */
#define OPTS_HELP_COLUMN 28

const char *opts_progname = "archiver";

void opt_list_release(struct opt_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->alloc = 0;
}

static void print_usage_lines(FILE *out, const char *const *usage)
{
    for (size_t i = 0; usage[i]; i++)
        fprintf(out, "%s %s\n", i == 0 ? "usage:" : "   or:", usage[i]);
}

void opts_print_help(FILE *out, const struct opt *options, const char *const *usage)
{
    print_usage_lines(out, usage);
    fputc('\n', out);
    for (const struct opt *o = options; o->type != OPT_T_END; o++) {
        struct strbuf sb = STRBUF_INIT;

        if (o->type == OPT_T_GROUP) {
            fprintf(out, "\n%s\n", o->help);
            continue;
        }
        strbuf_addstr(&sb, "    ");
        if (o->short_name)
            strbuf_addf(&sb, "-%c%s", o->short_name, o->long_name ? ", " : "");
        if (o->long_name)
            strbuf_addf(&sb, "--%s", o->long_name);
        if (o->argh)
            strbuf_addf(&sb, " <%s>", o->argh);
        if (sb.len + 2 > OPTS_HELP_COLUMN) {
            fprintf(out, "%s\n%*s%s\n", sb.buf, OPTS_HELP_COLUMN, "", o->help);
        } else {
            fprintf(out, "%-*s%s\n", OPTS_HELP_COLUMN, sb.buf, o->help);
        }
        strbuf_release(&sb);
    }
}

void opts_usage_error(const char *const *usage, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "%s: error: ", opts_progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    print_usage_lines(stderr, usage);
    exit(ARC_EXIT_USAGE);
}

static const char *opt_display(const struct opt *o, struct strbuf *sb)
{
    strbuf_reset(sb);
    if (o->long_name)
        strbuf_addf(sb, "--%s", o->long_name);
    else
        strbuf_addf(sb, "-%c", o->short_name);
    return sb->buf;
}

static void store(const struct opt *o, const char *arg, const char *const *usage)
{
    struct strbuf name = STRBUF_INIT;
    char *end;

    switch (o->type) {
    case OPT_T_BOOL:
        *(bool *)o->value = true;
        break;
    case OPT_T_INT: {
        long v;
        errno = 0;
        v = strtol(arg, &end, 10);
        if (errno || end == arg || *end || v < -2147483647L || v > 2147483647L)
            opts_usage_error(usage, "%s takes a whole number, not '%s'", opt_display(o, &name),
                             arg);
        *(int *)o->value = (int)v;
        break;
    }
    case OPT_T_SECONDS: {
        double v;
        errno = 0;
        v = strtod(arg, &end);
        if (errno || end == arg || *end || !isfinite(v) || v < 0)
            opts_usage_error(usage, "%s takes a number of seconds, not '%s'", opt_display(o, &name),
                             arg);
        *(double *)o->value = v;
        break;
    }
    case OPT_T_STRING:
        *(const char **)o->value = arg;
        break;
    case OPT_T_STRING_LIST: {
        struct opt_list *l = o->value;
        l->v = xgrow(l->v, sizeof(*l->v), l->n + 1, &l->alloc);
        l->v[l->n++] = arg;
        break;
    }
    case OPT_T_END:
    case OPT_T_GROUP:
        BUG("storing into an option row of type %d", (int)o->type);
    }
    strbuf_release(&name);
}

int opts_parse(int argc, char **argv, const struct opt *options, const char *const *usage)
{
    static const struct opt help_row = OPT_BOOL('h', "help", NULL, "show this help");
    size_t n = 0, nlong = 0;
    struct option *longs;
    struct strbuf shorts = STRBUF_INIT;
    int npos = 0;

    for (const struct opt *o = options; o->type != OPT_T_END; o++)
        n++;
    longs = xcalloc(n + 2, sizeof(*longs));
    /* Leading ':' makes getopt report a missing argument apart from an unknown option. */
    strbuf_addstr(&shorts, ":h");
    for (size_t i = 0; i < n; i++) {
        const struct opt *o = &options[i];
        int has_arg = o->type == OPT_T_BOOL ? no_argument : required_argument;

        if (o->type == OPT_T_GROUP)
            continue;
        if (o->long_name) {
            longs[nlong].name = o->long_name;
            longs[nlong].has_arg = has_arg;
            longs[nlong].val = 256 + (int)i;
            nlong++;
        }
        if (o->short_name) {
            strbuf_addch(&shorts, o->short_name);
            if (has_arg == required_argument)
                strbuf_addch(&shorts, ':');
        }
    }
    longs[nlong].name = help_row.long_name;
    longs[nlong].val = 'h';

    opterr = 0;
    optind = 0; /* glibc: start afresh, so a second parse in one process works */
    for (;;) {
        int longindex = -1;
        int c = getopt_long(argc, argv, shorts.buf, longs, &longindex);
        const struct opt *o = NULL;

        if (c == -1)
            break;
        if (c == 'h') {
            opts_print_help(stdout, options, usage);
            exit(ARC_EXIT_OK);
        }
        if (c == '?') {
            /* glibc: "--json=1" for an option without a value sets optopt to its val. */
            if (optopt >= 256)
                opts_usage_error(usage, "option '--%s' takes no value",
                                 options[optopt - 256].long_name);
            if (optopt == 'h' && !strncmp(argv[optind - 1], "--help=", 7))
                opts_usage_error(usage, "option '--help' takes no value");
            if (optopt && optopt < 256)
                opts_usage_error(usage, "unknown option '-%c'", optopt);
            opts_usage_error(usage, "unknown option '%s'", argv[optind - 1]);
        }
        if (c == ':') {
            if (optopt >= 256)
                opts_usage_error(usage, "option '--%s' needs a value",
                                 options[optopt - 256].long_name);
            if (optopt)
                opts_usage_error(usage, "option '-%c' needs a value", optopt);
            opts_usage_error(usage, "option '%s' needs a value", argv[optind - 1]);
        }
        if (c >= 256) {
            o = &options[c - 256];
        } else {
            for (size_t i = 0; i < n; i++)
                if (options[i].short_name == c && options[i].type != OPT_T_GROUP)
                    o = &options[i];
        }
        if (!o)
            BUG("getopt returned an option not in the table: %d", c);
        store(o, optarg, usage);
    }
    for (int i = optind; i < argc; i++)
        argv[npos++] = argv[i];
    argv[npos] = NULL;
    free(longs);
    strbuf_release(&shorts);
    return npos;
}
