/*
 * cli.c - shared front-end helpers. Only cmd/ prints; lib/ never does.
 */
#include "common/cli.h"

#include "base/base.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cli_prog = "cdoctor";

static int progress_shown;
static int stdout_reported; /* a failed write to stdout was reported */

/* Out of memory in lib/: a message and exit status 2, not a bare abort. */
static void out_of_memory(size_t size, const char *input)
{
	char msg[512];
	int n;

	n = snprintf(
	        msg, sizeof(msg),
	        "%s: out of memory (%zu bytes could not be allocated%s%s)\n",
	        cli_prog, size, input ? " while reading " : "",
	        input ? input : "");
	if (n > 0 && write(2, msg, CDOC_MIN((size_t)n, sizeof(msg) - 1)) < 0)
		n = 0;
	_exit(2);
}

int cli_dispatch(const struct cli_cmd *cmds, const char *usage, int argc,
                 char **argv)
{
	const struct cli_cmd *c;

	cdoc_set_oom_handler(out_of_memory);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		for (c = cmds; c->name; c++)
			fprintf(argc < 2 ? stderr : stdout, "  %-10s %s\n",
			        c->name, c->summary);
		return cli_finish(argc < 2 ? 2 : 0);
	}
	for (c = cmds; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return cli_finish(c->fn(argc - 1, argv + 1));
	return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	cli_progress_done();
	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_lib_error(void)
{
	const char *msg = cdoc_errmsg();

	cli_error("%s", *msg ? msg : "failed (no detail)");
	return 2;
}

int cli_usage_error(const char *sub, const char *fmt, ...)
{
	va_list ap;

	cli_progress_done();
	fprintf(stderr, "%s%s%s: ", cli_prog, sub ? " " : "", sub ? sub : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s --help'.\n", cli_prog, sub ? " " : "",
	        sub ? sub : "");
	return 2;
}

FILE *cli_open_output(const char *path)
{
	FILE *f;
	int fd;

	if (!path || !strcmp(path, "-"))
		return stdout;
	fd = cdoc_create_file(path, 1);
	if (fd < 0) {
		cli_lib_error();
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		cli_error("%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

/* Report a failed write to @path (stdout when NULL) with @err. */
static int write_failed(const char *path, int err)
{
	if (!path) {
		if (!stdout_reported)
			cli_error("write to standard output failed: %s",
			          strerror(err ? err : EIO));
		stdout_reported = 1;
	} else {
		cli_error("%s: write failed: %s", path,
		          strerror(err ? err : EIO));
	}
	return 2;
}

int cli_close_output(FILE *f, const char *path)
{
	int bad = ferror(f);

	errno = 0;
	if (f == stdout) {
		if (fflush(f) != 0 || bad)
			return write_failed(NULL, errno);
		return 0;
	}
	if (fclose(f) != 0 || bad)
		return write_failed(path, errno);
	return 0;
}

int cli_write_output(const char *path, const struct cdoc_buf *b)
{
	FILE *f = cli_open_output(path);
	int err, ret;

	if (!f)
		return 2;
	if (cdoc_buf_write(b, f) == 0)
		return cli_close_output(f, path);
	err = errno;
	ret = write_failed(f == stdout ? NULL : path, err);
	if (f != stdout)
		fclose(f);
	return ret;
}

/* @b made safe for a terminal, line by line (cdoc_buf_add_term), in @t. */
static void term_lines(struct cdoc_buf *t, const struct cdoc_buf *b)
{
	const char *s = b->buf, *end = b->buf + b->len, *nl;

	for (; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		cdoc_buf_add_term(t, s, (size_t)(nl - s));
		if (nl < end)
			cdoc_buf_addch(t, '\n');
	}
}

int cli_write_text_output(const char *path, const struct cdoc_buf *b)
{
	struct cdoc_buf t = CDOC_BUF_INIT;
	int ret;

	if ((path && strcmp(path, "-")) || !isatty(1) || !b->len)
		return cli_write_output(path, b);
	term_lines(&t, b);
	ret = cli_write_output(path, &t);
	cdoc_buf_release(&t);
	return ret;
}

int cli_finish(int ret)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		write_failed(NULL, errno);
		return ret ? ret : 2;
	}
	return ret;
}

int cli_colour(FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	if (nc && *nc)
		return 0;
	return isatty(fileno(f));
}

void cli_progress(const char *fmt, ...)
{
	va_list ap;

	if (!isatty(2))
		return;
	fprintf(stderr, "\r\033[K%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	progress_shown = 1;
}

void cli_progress_done(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

char *cli_find_shim(const char *given)
{
	char exe[PATH_MAX], *slash, *path;
	ssize_t n;

	if (given)
		return strdup(given);
	if (getenv("CDOC_SHIM"))
		return strdup(getenv("CDOC_SHIM"));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	if ((slash = strrchr(exe, '/')))
		*slash = 0;
	if (asprintf(&path, "%s/../lib/libcdoctor-alloc.so", exe) < 0)
		return NULL;
	return path;
}
