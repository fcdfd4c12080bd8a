/* main.c: global options (-C, --version, --help) and dispatch to one src/cmd_*.c per subcommand. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "util/fs.h"
#include "util/banned.h"

/* The command may write the archive and so takes its lock (fetch, import, reconvert). */
#define CMD_TAKES_LOCK (1u << 0)

struct cmd_struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    unsigned flags;
    const char *summary;
};

static const struct cmd_struct commands[] = {
    { "status", cmd_status, 0, "list the index's entries and the state of their copies" },
    { "fetch", cmd_fetch, CMD_TAKES_LOCK, "download the index's articles into the archive" },
    { "convert", cmd_convert, 0, "convert a saved page: classification, metadata, offline XHTML" },
    { "import", cmd_import, CMD_TAKES_LOCK, "put a page saved by a browser into the archive" },
    { "reconvert", cmd_reconvert, CMD_TAKES_LOCK, "rebuild the offline copies from raw pages" },
    { "build", cmd_build, CMD_TAKES_LOCK,
      "make the books, EPUB and PDF, from the index and archive" },
    { "epub", cmd_epub, CMD_TAKES_LOCK, "make the EPUB alone: archiver build --epub" },
    { "pdf", cmd_pdf, CMD_TAKES_LOCK, "make the PDF alone: archiver build --pdf" },
};

static const char main_usage[] =
    "usage: archiver [-C <dir>] [--version] [--help] <command> [<args>]\n";

static void print_main_help(FILE *out)
{
    fputs(main_usage, out);
    fputs("\nKeeps offline copies of the articles a Markdown index links to, and makes books of "
          "them.\n\ncommands:\n",
          out);
    for (size_t i = 0; i < ARC_ARRAY_SIZE(commands); i++)
        fprintf(out, "    %-12s%s\n", commands[i].name, commands[i].summary);
    fprintf(out, "    %-12s%s\n", "help", "show a command's options: archiver help <command>");
    fputs("\nglobal options:\n"
          "    -C <dir>      run as if started in <dir>\n"
          "    --version     print the version and the data directory\n"
          "    -h, --help    show this help\n"
          "\nexit codes: 0 ok; 1 some entries failed in this run (the rest was written); 2 usage\n"
          "or bad input; 3 another run holds the archive's lock; 4 fatal, nothing written.\n"
          "See archiver(1).\n",
          out);
}

static const struct cmd_struct *find_command(const char *name)
{
    for (size_t i = 0; i < ARC_ARRAY_SIZE(commands); i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static int run_command(const struct cmd_struct *cmd, int argc, char **argv)
{
    static char progname[64];

    snprintf(progname, sizeof(progname), "archiver %s", cmd->name);
    opts_progname = progname;
    return cmd->fn(argc, argv);
}

/* `archiver help CMD` is `archiver CMD --help`. */
static int cmd_help(int argc, char **argv)
{
    const struct cmd_struct *cmd;
    char *help_argv[3];

    if (argc < 2) {
        print_main_help(stdout);
        return ARC_EXIT_OK;
    }
    cmd = find_command(argv[1]);
    if (!cmd) {
        error("'%s' is not an archiver command; see 'archiver --help'", argv[1]);
        return ARC_EXIT_USAGE;
    }
    help_argv[0] = argv[1];
    help_argv[1] = (char *)"--help";
    help_argv[2] = NULL;
    return run_command(cmd, 2, help_argv);
}

static int finish(int code)
{
    /* A full disk or a closed pipe on stdout is an error, not silent truncation (git). */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        error("cannot write to standard output: %s", strerror(errno));
        return ARC_EXIT_FATAL;
    }
    if (fclose(stdout) != 0) {
        error("cannot write to standard output: %s", strerror(errno));
        return ARC_EXIT_FATAL;
    }
    return code;
}

int main(int argc, char **argv)
{
    const struct cmd_struct *cmd;
    int i = 1;

    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i];

        if (!strcmp(a, "--version")) {
            printf("archiver %s\ndata directory: %s\n", ARCHIVER_VERSION_STRING, fs_datadir());
            return finish(ARC_EXIT_OK);
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            print_main_help(stdout);
            return finish(ARC_EXIT_OK);
        } else if (!strcmp(a, "-C")) {
            if (i + 1 >= argc) {
                error("-C needs a directory");
                fputs(main_usage, stderr);
                return ARC_EXIT_USAGE;
            }
            if (chdir(argv[i + 1]) != 0) {
                error("cannot change to '%s': %s", argv[i + 1], strerror(errno));
                return ARC_EXIT_USAGE;
            }
            i += 2;
        } else {
            error("unknown option '%s'", a);
            fputs(main_usage, stderr);
            return ARC_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        fputs(main_usage, stderr);
        fputs("Run 'archiver --help' for the list of commands.\n", stderr);
        return ARC_EXIT_USAGE;
    }
    if (!strcmp(argv[i], "help"))
        return finish(cmd_help(argc - i, argv + i));
    cmd = find_command(argv[i]);
    if (!cmd) {
        error("'%s' is not an archiver command; see 'archiver --help'", argv[i]);
        return ARC_EXIT_USAGE;
    }
    return finish(run_command(cmd, argc - i, argv + i));
}
