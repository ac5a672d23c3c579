/*
 * golden.c - cflame's collapser against stackcollapse-perf.pl's output,
 * byte for byte: every tests/data/perfscript/expected/NAME.OPT.folded[.gz]
 * was written by the perl script (regen.sh) from NAME.txt[.gz] with option
 * OPT; this runs the library on the same input and compares. Also with
 * several threads, which must not change a byte.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "perfscript/perfscript.h"

static const char *data_dir(void)
{
	static char path[4096];
	const char *src = getenv("CDOC_SRC");

	snprintf(path, sizeof(path), "%s/tests/data/perfscript",
	         src ? src : ".");
	return path;
}

/* Find NAME's input: here as .txt or .txt.gz, or the shared example. */
static int find_input(const char *name, char *path, size_t size)
{
	const char *shared = getenv("CDOC_SHARED");
	const char *fmt[] = {"%s/%s.txt", "%s/%s.txt.gz"};
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, size, fmt[i], data_dir(), name);
		if (access(path, R_OK) == 0)
			return 0;
	}
	snprintf(path, size, "%s/data/%s.txt.gz", shared ? shared : "", name);
	return access(path, R_OK);
}

static void set_opt(struct cdoc_perfscript_opts *o, const char *opt)
{
	memset(o, 0, sizeof(*o));
	if (!strcmp(opt, "pid"))
		o->pid = 1;
	else if (!strcmp(opt, "tid"))
		o->tid = 1;
	else if (!strcmp(opt, "kernel"))
		o->kernel = 1;
	else if (!strcmp(opt, "jit"))
		o->jit = 1;
	else if (!strcmp(opt, "all"))
		o->kernel = o->jit = 1;
	else if (!strcmp(opt, "addrs"))
		o->addrs = 1;
	else if (!strncmp(opt, "event-", 6))
		o->event_filter = opt + 6;
	else
		cr_assert_str_eq(opt, "default",
		                 "unknown option in golden name");
}

static void collapse(const char *input, struct cdoc_perfscript_opts *o,
                     struct cdoc_buf *out)
{
	struct cdoc_input in;
	struct cdoc_perfscript *ps = cdoc_perfscript_new(o);

	cr_assert_eq(cdoc_input_open(&in, input), 0, "%s", cdoc_errmsg());
	cr_assert_eq(cdoc_perfscript_add(ps, &in), 0, "%s", cdoc_errmsg());
	cdoc_perfscript_write(ps, out);
	cdoc_input_release(&in);
	cdoc_perfscript_free(ps);
}

/* Where the bytes first differ, for the failure message. */
static size_t first_diff(const struct cdoc_buf *a, const struct cdoc_input *b)
{
	size_t i, n = CDOC_MIN(a->len, b->len);

	for (i = 0; i < n && a->buf[i] == b->data[i]; i++)
		;
	return i;
}

/* Check one golden file; returns 1 when it ran, 0 when skipped. */
static int check_golden(const char *file, int threads)
{
	char name[256], input[4096], path[4096], *opt, *dot;
	struct cdoc_perfscript_opts o;
	struct cdoc_buf out = CDOC_BUF_INIT;
	struct cdoc_input want;

	snprintf(name, sizeof(name), "%s", file);
	*strstr(name, ".folded") = '\0';
	dot = strrchr(name, '.');
	cr_assert_not_null(dot, "golden %s has no option part", file);
	*dot = '\0';
	opt = dot + 1;
	if (find_input(name, input, sizeof(input)) != 0)
		return 0;
	set_opt(&o, opt);
	o.threads = threads;
	collapse(input, &o, &out);
	snprintf(path, sizeof(path), "%s/expected/%s", data_dir(), file);
	cr_assert_eq(cdoc_input_open(&want, path), 0, "%s", cdoc_errmsg());
	cr_expect(out.len == want.len && !memcmp(out.buf, want.data, out.len),
	          "%s (threads %d): output differs from the perl script at "
	          "byte %zu (ours %zu bytes, perl %zu)",
	          file, threads, first_diff(&out, &want), out.len, want.len);
	cdoc_input_release(&want);
	cdoc_buf_release(&out);
	return 1;
}

static int run_all(int threads)
{
	char path[4096];
	struct dirent *de;
	DIR *d;
	int ran = 0;

	snprintf(path, sizeof(path), "%s/expected", data_dir());
	d = opendir(path);
	cr_assert_not_null(d, "cannot open %s (is CDOC_SRC set?)", path);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".folded"))
			ran += check_golden(de->d_name, threads);
	closedir(d);
	return ran;
}

Test(golden, output_matches_perl_script_for_every_input_and_option)
{
	cr_assert_gt(run_all(1), 60, "too few golden files ran");
}

Test(golden, threads_do_not_change_the_output)
{
	cr_assert_gt(run_all(4), 60, "too few golden files ran");
}
