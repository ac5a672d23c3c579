/*
 * cli.h - what every front end shares: the subcommand table, printing of
 * library errors, output files, colour and progress on stderr.
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

/*
 * Write the @len bytes at @data to @f exactly, except on a terminal: there
 * each line is escaped (cdoc_buf_add_term: control characters, escape
 * sequences and invalid UTF-8 become '?'), so that names from an input
 * cannot drive the terminal. Errors show at cli_close_output().
 */
void cli_write_text(FILE *f, const char *data, size_t len);

/* Close what cli_open_output() opened; returns 0, or 2 after an error. */
int cli_close_output(FILE *f, const char *path);

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
