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

int cli_dispatch(const struct cli_cmd *cmds, const char *usage, int argc,
                 char **argv)
{
	const struct cli_cmd *c;

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
