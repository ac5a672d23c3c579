/*
 * heap.c - cdoctor heap: allocation tracking on its own.
 *
 *   cdoctor heap run [opts] -- CMD ARGS   track CMD, write FILE.heap
 *   cdoctor heap [opts] FILE              summary of a .heap or a stream dump
 *   cdoctor heap diff [opts] A B          call sites by growth of live bytes
 *   cdoctor heap snapshot PID [--name N]  ask a running `run --alloc`
 *   cdoctor heap export REC --snapshot N -o FILE.heap
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cli.h"
#include "cdoctor/cdoctor.h"
#include "heap/heap.h"
#include "record/record.h"

extern char **environ;

static const char usage[] =
        "usage: cdoctor heap run [OPTIONS] -- CMD [ARGS...]\n"
        "       cdoctor heap [OPTIONS] FILE      (a .heap snapshot, a "
        "recording, a stream dump)\n"
        "       cdoctor heap diff [OPTIONS] A B  (snapshots, or recordings: "
        "their last)\n"
        "       cdoctor heap diff [OPTIONS] REC  (a recording's first "
        "snapshot against its last)\n"
        "       cdoctor heap snapshot PID [--name NAME]  (a snapshot now, "
        "from a running\n"
        "                     'cdoctor run --alloc' of target PID, into "
        "its recording)\n"
        "       cdoctor heap export REC --snapshot N -o FILE.heap  (one "
        "snapshot of a\n"
        "                     recording as its own .heap file)\n\n"
        "Options:\n"
        "  -o FILE            output: the .heap file for 'run' (default "
        "cdoctor.heap),\n"
        "                     the report otherwise (default stdout)\n"
        "  --folded KIND      print folded stacks weighted by KIND: "
        "alloc_bytes,\n"
        "                     alloc_count, live_bytes, live_count, leaked, "
        "peak, temp\n"
        "  --top N            call sites per list (default 10)\n"
        "  --snapshot N       which snapshot of a recording: 0 the first, -1 "
        "the last,\n"
        "                     or a name (\"exit\", \"t=0.500s\", a name "
        "given to 'snapshot')\n"
        "  --list             list the snapshots of a recording\n"
        "snapshot options:\n"
        "  --name NAME        the snapshot's name (default ondemand-N)\n"
        "run options:\n"
        "  --sample BYTES     sample one allocation per BYTES on average "
        "(estimates)\n"
        "  --mmap             also track anonymous mmap/munmap\n"
        "  --fp               unwind with frame pointers (faster; needs "
        "-fno-omit-frame-pointer)\n"
        "  --interval MS      also write a snapshot every MS ms (FILE.1.heap, "
        "...);\n"
        "                     SIGUSR1 to cdoctor writes one at once\n"
        "  --dump FILE        keep the raw allocation stream in FILE\n"
        "  --shim PATH        the preload library (default: next to cdoctor)\n"
        "  -q                 do not print the summary\n";

/* struct heapopts - the options of every form. */
struct heapopts {
	const char *out, *dump, *shim;
	int folded, top, quiet, interval_ms;
	long snapshot;         /* which snapshot of a recording; -1 the last */
	const char *snap_name; /* or the one with this name */
	const char *name;      /* 'snapshot': the name to give it */
	int list;              /* --list: the snapshots of a recording */
	struct cdoc_heap_opts shimopts;
};

enum {
	OPT_FOLDED = 256,
	OPT_TOP,
	OPT_SAMPLE,
	OPT_MMAP,
	OPT_FP,
	OPT_INTERVAL,
	OPT_DUMP,
	OPT_SHIM,
	OPT_SNAPSHOT,
	OPT_NAME,
	OPT_LIST
};

static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"folded", required_argument, NULL, OPT_FOLDED},
        {"top", required_argument, NULL, OPT_TOP},
        {"sample", required_argument, NULL, OPT_SAMPLE},
        {"mmap", no_argument, NULL, OPT_MMAP},
        {"fp", no_argument, NULL, OPT_FP},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"dump", required_argument, NULL, OPT_DUMP},
        {"shim", required_argument, NULL, OPT_SHIM},
        {"snapshot", required_argument, NULL, OPT_SNAPSHOT},
        {"name", required_argument, NULL, OPT_NAME},
        {"list", no_argument, NULL, OPT_LIST},
        {NULL, 0, NULL, 0},
};

static int number(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || *end || *out < 0 ? -1 : 0;
}

/* --snapshot: an index (negative from the end) or a name. */
static int parse_snapshot(struct heapopts *o, const char *arg)
{
	long v;

	if (*arg == '-' && number(arg + 1, &v) == 0 && v > 0) {
		o->snapshot = -v;
		o->snap_name = NULL;
	} else if (number(arg, &v) == 0) {
		o->snapshot = v;
		o->snap_name = NULL;
	} else if (*arg) {
		o->snap_name = arg;
	} else {
		return cli_usage_error("heap", "empty --snapshot");
	}
	return 0;
}

static int parse_opt(struct heapopts *o, int c)
{
	long v;

	switch (c) {
	case 'o':
		o->out = optarg;
		return 0;
	case 'q':
		o->quiet = 1;
		return 0;
	case OPT_FOLDED:
		o->folded = cdoc_heap_kind_parse(optarg);
		return o->folded < 0 ? cli_usage_error("heap",
		                                       "unknown kind "
		                                       "'%s'",
		                                       optarg)
		                     : 0;
	case OPT_MMAP:
		o->shimopts.track_mmap = 1;
		return 0;
	case OPT_FP:
		o->shimopts.use_fp = 1;
		return 0;
	case OPT_DUMP:
		o->shimopts.dump = optarg;
		return 0;
	case OPT_SHIM:
		o->shim = optarg;
		return 0;
	case OPT_SNAPSHOT:
		return parse_snapshot(o, optarg);
	case OPT_NAME:
		o->name = optarg;
		return 0;
	case OPT_LIST:
		o->list = 1;
		return 0;
	}
	if (c != OPT_TOP && c != OPT_SAMPLE && c != OPT_INTERVAL)
		return cli_usage_error("heap", "bad option");
	if (number(optarg, &v) < 0 || v > INT_MAX)
		return cli_usage_error("heap", "'%s' is not a number", optarg);
	if (c == OPT_TOP)
		o->top = (int)v;
	else if (c == OPT_SAMPLE)
		o->shimopts.sample_rate = (uint64_t)v;
	else
		o->interval_ms = (int)v;
	return 0;
}

/* Options anywhere, except for 'run', whose command follows them. */
static int parse(struct heapopts *o, int argc, char **argv)
{
	const char *optstr = strcmp(argv[0], "run") ? "ho:q" : "+ho:q";
	int c, ret;

	o->folded = -1;
	o->top = 10;
	o->snapshot = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, optstr, longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			exit(0);
		}
		if (c == '?')
			return cli_usage_error("heap", "bad option");
		if ((ret = parse_opt(o, c)) != 0)
			return ret;
	}
	return 0;
}

/* Print the summary or folded stacks of @s to -o (or stdout). */
static int show(const struct heapopts *o, const char *path,
                const struct cdoc_heap_snap *s)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	FILE *f = cli_open_output(path);
	int ret;

	if (!f)
		return 2;
	if (o->folded >= 0)
		cdoc_heap_folded(s, o->folded, &b);
	else
		cdoc_heap_report_text(s, o->top, &b);
	cdoc_buf_write(&b, f);
	cdoc_buf_release(&b);
	ret = cli_close_output(f, path);
	return ret;
}

/* Snapshot @index of recording @path, or the one called @name if set. */
static int load_rec(struct cdoc_heap_snap *s, const char *path, long index,
                    const char *name)
{
	struct cdoc_recording r;
	long ret;

	memset(&r, 0, sizeof(r));
	ret = cdoc_recording_load(&r, path);
	if (ret == 0 && name)
		ret = index = cdoc_heap_rec_find(&r, name);
	if (ret >= 0)
		ret = cdoc_heap_rec_load(&r, index, s, NULL);
	cdoc_recording_release(&r);
	return (int)ret;
}

static int is_recording(const char *path)
{
	char magic[8] = {0};
	FILE *f = fopen(path, "rb");

	if (!f)
		return 0;
	if (fread(magic, 1, 8, f) != 8)
		magic[0] = 0;
	fclose(f);
	return !memcmp(magic, CDOC_REC_MAGIC, 8);
}

/* A .heap file, a recording (snapshot @index or @name), or a raw stream
 * dump. */
static int load_any(struct cdoc_heap_snap *s, const char *path, long index,
                    const char *name)
{
	struct cdoc_heap *h;
	int ret;
	FILE *f = fopen(path, "rb");
	char magic[8] = {0};

	if (f) {
		if (fread(magic, 1, 8, f) != 8)
			magic[0] = 0;
		fclose(f);
	}
	if (!memcmp(magic, CDOC_REC_MAGIC, 8))
		return load_rec(s, path, index, name);
	if (!memcmp(magic, "CDHEAP1\n", 8) || strcmp(path, "-") == 0)
		return cdoc_heap_snap_load(s, path);
	cdoc_heap_new(&h);
	ret = cdoc_heap_load_stream(h, path);
	if (ret == 0)
		ret = cdoc_heap_snapshot(h, s);
	cdoc_heap_free(h);
	return ret;
}

static uint64_t live_bytes(const struct cdoc_heap_snap *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nr_procs; i++)
		n += s->procs[i].live_bytes;
	return n;
}

/* --list: index, name, time and live bytes of each snapshot. */
static int list(const char *path)
{
	struct cdoc_recording r;
	struct cdoc_heap_snap s;
	char *name;
	size_t i, n;
	int ret = 0;

	memset(&r, 0, sizeof(r));
	if (cdoc_recording_load(&r, path) < 0)
		return cli_lib_error();
	n = cdoc_heap_rec_count(&r);
	for (i = 0; i < n && !ret; i++) {
		cdoc_heap_snap_init(&s);
		if (cdoc_heap_rec_load(&r, (long)i, &s, &name) < 0) {
			ret = cli_lib_error();
			cdoc_heap_snap_release(&s);
			break;
		}
		printf("%3zu  %-24s %10.3f s %14llu live bytes\n", i, name,
		       s.time_ns / 1e9, (unsigned long long)live_bytes(&s));
		free(name);
		cdoc_heap_snap_release(&s);
	}
	cdoc_recording_release(&r);
	return ret;
}

static int heap_show(struct heapopts *o, int argc, char **argv)
{
	struct cdoc_heap_snap s;
	int ret;

	if (argc - optind != 1)
		return cli_usage_error("heap", "expected one FILE");
	cdoc_heap_snap_init(&s);
	if (o->list)
		return list(argv[optind]);
	if (load_any(&s, argv[optind], o->snapshot, o->snap_name) < 0) {
		cdoc_heap_snap_release(&s);
		return cli_lib_error();
	}
	ret = show(o, o->out, &s);
	cdoc_heap_snap_release(&s);
	return ret;
}

static int heap_diff(struct heapopts *o, int argc, char **argv)
{
	struct cdoc_heap_snap a, b;
	struct cdoc_heap_growth *rows = NULL;
	struct cdoc_buf out = CDOC_BUF_INIT;
	size_t nr = 0;
	int ret = 2;
	FILE *f;

	if (argc - optind != 2 && argc - optind != 1)
		return cli_usage_error("heap", "diff needs two snapshots, or a "
		                               "recording");
	cdoc_heap_snap_init(&a);
	cdoc_heap_snap_init(&b);
	/* one recording: its first snapshot against its last */
	if (load_any(&a, argv[optind], argc - optind == 1 ? 0 : -1, NULL) < 0 ||
	    load_any(&b, argv[argc - 1], -1, NULL) < 0) {
		ret = cli_lib_error();
		goto out;
	}
	cdoc_heap_diff(&a, &b, &rows, &nr);
	cdoc_heap_diff_text(&a, &b, rows, nr, o->top, &out);
	if ((f = cli_open_output(o->out))) {
		cdoc_buf_write(&out, f);
		ret = cli_close_output(f, o->out);
	}
out:
	free(rows);
	cdoc_buf_release(&out);
	cdoc_heap_snap_release(&a);
	cdoc_heap_snap_release(&b);
	return ret;
}

static pid_t spawn(struct cdoc_heap_collector *c, char **argv)
{
	char **env;
	pid_t pid;

	cdoc_heap_collector_env(c, environ, &env);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGUSR1, SIG_DFL);
		execvpe(argv[0], argv, env);
		fprintf(stderr, "cdoctor: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	cdoc_heap_env_free(env);
	if (pid > 0)
		cdoc_heap_collector_spawned(c);
	return pid;
}

/* Write a snapshot of the model as @path. */
static int save(struct cdoc_heap_collector *c, const char *path,
                struct cdoc_heap_snap *s)
{
	if (cdoc_heap_snapshot(cdoc_heap_collector_model(c), s) < 0 ||
	    cdoc_heap_snap_save(s, path) < 0)
		return cli_lib_error();
	return 0;
}

static volatile sig_atomic_t snap_wanted;

static void on_usr1(int sig)
{
	snap_wanted = 1;
}

/* Read the stream while the child runs; snapshots every interval and
 * whenever cdoctor gets SIGUSR1. */
static int watch(struct heapopts *o, struct cdoc_heap_collector *c, pid_t pid,
                 int *status)
{
	struct pollfd pfd = {cdoc_heap_collector_fd(c), POLLIN, 0};
	uint64_t next = cdoc_now_ns() + (uint64_t)o->interval_ms * 1000000;
	struct cdoc_heap_snap s;
	int n = 0, ret = 0;
	char path[PATH_MAX];

	cdoc_heap_snap_init(&s);
	while (waitpid(pid, status, WNOHANG) == 0) {
		poll(&pfd, 1, 50);
		if ((ret = cdoc_heap_collector_poll(c)) < 0 && ret != -EPIPE)
			break;
		ret = 0;
		if (!snap_wanted && (!o->interval_ms || cdoc_now_ns() < next))
			continue;
		if (!snap_wanted)
			next += (uint64_t)o->interval_ms * 1000000;
		snap_wanted = 0;
		snprintf(path, sizeof(path), "%s.%d.heap", o->out, ++n);
		if ((ret = save(c, path, &s)) != 0)
			break;
	}
	cdoc_heap_snap_release(&s);
	return ret < 0 ? cli_lib_error() : ret;
}

static int exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

int heap_run(struct heapopts *o, int argc, char **argv)
{
	struct cdoc_heap_collector *c;
	struct cdoc_heap_snap s;
	int status = 0, ret;
	pid_t pid;
	char *shim;

	if (optind >= argc)
		return cli_usage_error("heap", "run needs a command after --");
	if (!o->out)
		o->out = "cdoctor.heap";
	shim = cli_find_shim(o->shim);
	o->shimopts.shim = shim;
	ret = cdoc_heap_collector_start(&c, &o->shimopts);
	free(shim);
	if (ret < 0)
		return cli_lib_error();
	signal(SIGINT, SIG_IGN);
	signal(SIGUSR1, on_usr1);
	pid = spawn(c, argv + optind);
	if (pid < 0) {
		cli_error("fork: %s", strerror(errno));
		cdoc_heap_collector_free(c);
		return 2;
	}
	ret = watch(o, c, pid, &status);
	if (!ret && cdoc_heap_collector_drain(c, 5000) < 0)
		cli_error("warning: %s", cdoc_errmsg());
	cdoc_heap_snap_init(&s);
	if (!ret)
		ret = save(c, o->out, &s);
	if (!ret && !o->quiet)
		ret = show(o, "-", &s);
	cdoc_heap_snap_release(&s);
	cdoc_heap_collector_free(c);
	return ret ? ret : exit_code(status);
}

/* snapshot PID: ask the run for a snapshot now; print its answer. */
static int heap_snapshot(struct heapopts *o, int argc, char **argv)
{
	char *reply = NULL;
	long pid;
	int ret;

	if (argc - optind != 1)
		return cli_usage_error("heap", "snapshot needs one PID");
	if (number(argv[optind], &pid) < 0 || pid <= 0 || pid > INT_MAX)
		return cli_usage_error("heap", "'%s' is not a pid",
		                       argv[optind]);
	if (cdoc_heap_control_request((pid_t)pid, o->name, 30000, &reply) < 0)
		return cli_lib_error();
	ret = strncmp(reply, "ok ", 3) ? 2 : 0;
	if (ret)
		cli_error("run of pid %ld: %s", pid, reply);
	else
		printf("%s\n", reply);
	free(reply);
	return ret;
}

/* export REC --snapshot N -o FILE.heap: one snapshot as its own file. */
static int heap_export(struct heapopts *o, int argc, char **argv)
{
	struct cdoc_heap_snap s;
	struct cdoc_buf b = CDOC_BUF_INIT;
	FILE *f;
	int ret = 2;

	if (argc - optind != 1 || !o->out)
		return cli_usage_error("heap", "export needs a recording and "
		                               "-o FILE.heap");
	if (!is_recording(argv[optind]))
		return cli_usage_error("heap", "%s is not a cdoctor recording",
		                       argv[optind]);
	cdoc_heap_snap_init(&s);
	if (load_rec(&s, argv[optind], o->snapshot, o->snap_name) < 0) {
		ret = cli_lib_error();
		goto out;
	}
	cdoc_heap_snap_encode(&s, &b);
	if ((f = cli_open_output(o->out))) {
		fwrite(b.buf, 1, b.len, f);
		ret = cli_close_output(f, o->out);
	}
out:
	cdoc_buf_release(&b);
	cdoc_heap_snap_release(&s);
	return ret;
}

/* The forms with a leading word: run, diff, snapshot, export. */
static const struct {
	const char *name;
	int (*fn)(struct heapopts *o, int argc, char **argv);
} forms[] = {
        {"run", heap_run},
        {"diff", heap_diff},
        {"snapshot", heap_snapshot},
        {"export", heap_export},
};

int cmd_heap(int argc, char **argv)
{
	struct heapopts o = {0};
	int ret;

	for (size_t i = 0; argc >= 2 && i < CDOC_ARRAY_SIZE(forms); i++) {
		if (strcmp(argv[1], forms[i].name))
			continue;
		if ((ret = parse(&o, argc - 1, argv + 1)) != 0)
			return ret;
		return forms[i].fn(&o, argc - 1, argv + 1);
	}
	if ((ret = parse(&o, argc, argv)) != 0)
		return ret;
	return heap_show(&o, argc, argv);
}
