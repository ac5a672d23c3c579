/*
 * cli.h - what every front end shares: the subcommand table, printing of
 * library errors, numbers from the command line, output files with every
 * write error checked, colour and progress on stderr.
 */
#ifndef CDOC_CLI_H
#define CDOC_CLI_H

#include <stdio.h>

/* One subcommand: its name, its entry point, a one-line summary. */
struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* The program's name for messages ("cflame", "cdoctor"). */
extern const char *cli_prog;

/*
 * Dispatch argv[1] through @cmds (NULL-terminated). Prints @usage for
 * --help or no arguments. Returns the exit status.
 */
int cli_dispatch(const struct cli_cmd *cmds, const char *usage, int argc,
                 char **argv);

/* Print "PROG: MSG" (and the library's last message when @msg is NULL). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the library's last error message; returns 2 (input error). */
int cli_lib_error(void);

/* Print a usage error and the hint to run --help; returns 2. */
int cli_usage_error(const char *sub, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/*
 * Open @path for writing: "-" or NULL is stdout; otherwise the file is
 * created without following links (replacing a regular file of ours).
 * Returns NULL after printing the error.
 */
FILE *cli_open_output(const char *path);

/* Close what cli_open_output() opened; returns 0, or 2 after an error. */
int cli_close_output(FILE *f, const char *path);

struct cdoc_buf;

/*
 * Write @b to @path ("-" or NULL: stdout; else cli_open_output) and close
 * it, checking the writes and the close: 0, or 2 after a message naming
 * the output and the reason (a full disk, a file size limit).
 */
int cli_write_output(const char *path, const struct cdoc_buf *b);

/*
 * The end of a command that returned @ret: flush standard output. When
 * anything written there failed, says so (once) and returns 2 if @ret was
 * 0; else @ret. cli_dispatch() calls it.
 */
int cli_finish(int ret);

/*
 * Whether @s is a whole decimal integer that fits a long (leading blanks
 * and a sign allowed, nothing after): 0 with *@out set, else -1. Prints
 * nothing.
 */
int cli_strtol(const char *s, long *out);

/*
 * The argument @arg of option @opt of subcommand @sub as an integer (a
 * number) from @min to @max: 0 with *@out set, or 2 after the usage error
 * "OPT: 'ARG' is not a number from MIN to MAX" (or "... not a number of
 * at least MIN" when @max is LONG_MAX / HUGE_VAL). Nothing trails a number.
 */
int cli_parse_long(const char *sub, const char *opt, const char *arg, long min,
                   long max, long *out);
int cli_parse_double(const char *sub, const char *opt, const char *arg,
                     double min, double max, double *out);

/* Whether to colour output to @f (a terminal, and NO_COLOR unset). */
int cli_colour(FILE *f);

/* A progress line on stderr, only when stderr is a terminal. */
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_progress_done(void);

/*
 * The preload shim's path: @given, else $CDOC_SHIM, else
 * ../lib/libcdoctor-alloc.so beside the running executable. Caller frees;
 * NULL when none can be named.
 */
char *cli_find_shim(const char *given);

#endif
