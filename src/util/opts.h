/* util/opts.h: option tables over glibc's getopt_long (git's parse-options, scaled down).
 *
 * Each subcommand declares one table of OPT_* rows; from it come getopt_long's array and the -h
 * text, so an option's help lives in its row and nowhere else.  opts_parse() stores values
 * through the rows' pointers, leaves the positional arguments in argv[0..return), and on misuse
 * prints "archiver CMD: error: ..." and the usage to stderr and exits 2 (ARC_EXIT_USAGE); -h /
 * --help prints the usage and the option table to stdout and exits 0.  It is one of the few places
 * allowed to exit.
 *
 *     const struct opt options[] = { OPT_BOOL(0, "json", &json, "print JSON"), OPT_END() };
 *     argc = opts_parse(argc, argv, options, usage);
 */
#ifndef ARC_UTIL_OPTS_H
#define ARC_UTIL_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_type {
    OPT_T_END,
    OPT_T_BOOL,        /* bool *: set to true */
    OPT_T_INT,         /* int *: a whole number */
    OPT_T_STRING,      /* const char **: borrowed from argv */
    OPT_T_STRING_LIST, /* struct opt_list *: repeatable, each value appended */
    OPT_T_SECONDS,     /* double *: fractional seconds, >= 0 (--delay 0.2) */
    OPT_T_GROUP        /* a heading line in the help text */
};

/* The values of a repeatable option; strings are borrowed from argv. */
struct opt_list {
    const char **v;
    size_t n, alloc;
};
#define OPT_LIST_INIT \
    {                 \
        NULL, 0, 0    \
    }
void opt_list_release(struct opt_list *l);

struct opt {
    enum opt_type type;
    int short_name;        /* 0 = none */
    const char *long_name; /* NULL = none */
    void *value;
    const char *argh; /* the argument's name in help ("dir") */
    const char *help;
};

#define OPT_END() \
    {             \
        OPT_T_END \
    }
#define OPT_GROUP(h)                          \
    {                                         \
        OPT_T_GROUP, 0, NULL, NULL, NULL, (h) \
    }
#define OPT_BOOL(s, l, v, h)                 \
    {                                        \
        OPT_T_BOOL, (s), (l), (v), NULL, (h) \
    }
#define OPT_INT(s, l, v, a, h)             \
    {                                      \
        OPT_T_INT, (s), (l), (v), (a), (h) \
    }
#define OPT_STRING(s, l, v, a, h)             \
    {                                         \
        OPT_T_STRING, (s), (l), (v), (a), (h) \
    }
#define OPT_STRING_LIST(s, l, v, a, h)             \
    {                                              \
        OPT_T_STRING_LIST, (s), (l), (v), (a), (h) \
    }
#define OPT_SECONDS(s, l, v, h)                      \
    {                                                \
        OPT_T_SECONDS, (s), (l), (v), "seconds", (h) \
    }

/* The name used in messages, "archiver status"; set once by main(). */
extern const char *opts_progname;

/* Parses argv[1..argc) (argv[0] is the subcommand's name).  Returns the number of positional
 * arguments, moved to argv[0..n).  Exits 2 on misuse and 0 after printing help. */
int opts_parse(int argc, char **argv, const struct opt *options, const char *const *usage);
/* Prints the usage lines and the option table. */
void opts_print_help(FILE *out, const struct opt *options, const char *const *usage);
/* Prints "archiver CMD: error: MSG" and the usage lines to stderr, then exits 2. */
void opts_usage_error(const char *const *usage, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

#endif
