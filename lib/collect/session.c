/*
 * session.c - the run session's life: options and sources (new), the
 * target and the recording (start), the last chunks (finish), and free.
 *
 * Start runs in this order, so that nothing is created on disk before
 * the target has started: signals blocked; run: the child's environment
 * built from the sources, the command launched and held before exec;
 * attach: the process found; every source opened (perf events need the
 * pid, and with enable_on_exec they count from the exec on); the command
 * let go (an exec failure ends here, with no file); the recording
 * created; every source started.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect/internal.h"
#include "collect/offcpu.h"
#include "unwind/unwind.h"

/* CDOC_VERSION_STRING: from CMakeLists.txt (project VERSION). */
#ifndef CDOC_VERSION_STRING
#error "CDOC_VERSION_STRING comes from CMakeLists.txt (project VERSION)"
#endif

extern char **environ;

static int is_node(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	return !strncmp(base ? base + 1 : argv0, "node", 4);
}

static void copy_argv(struct cdoc_collector *c, char *const *argv)
{
	size_t n = 0;

	while (argv[n])
		n++;
	c->argv = cdoc_calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		c->argv[i] = cdoc_strdup(argv[i]);
}

static int check_opts(struct cdoc_collect_opts *o)
{
	if (!o->freq)
		o->freq = 997;
	if (!o->stack_size) /* node: whole stacks through libuv's loop */
		o->stack_size = o->argv && o->argv[0] && is_node(o->argv[0])
		                        ? CDOC_UNWIND_STACK_SIZE_NODE
		                        : CDOC_UNWIND_STACK_SIZE;
	if (o->stack_size % 8 || o->stack_size > 65528)
		return cdoc_error(-EINVAL,
		                  "--stack-size must be a multiple "
		                  "of 8 up to 65528, not %u",
		                  o->stack_size);
	if (!o->ring_kib)
		o->ring_kib = o->call_graph == CDOC_CG_FP
		                      ? 1024
		                      : CDOC_MAX(4096, o->stack_size / 4);
	if (o->grace <= 0)
		o->grace = 3;
	if (o->port_wait <= 0)
		o->port_wait = 10;
	if (o->duration < 0)
		return cdoc_error(-EINVAL, "--duration must be positive");
	if ((!o->argv || !o->argv[0]) && o->pid <= 0)
		return cdoc_error(-EINVAL, "no command to run and no pid");
	return 0;
}

int collect__check_free(const char *path, int force)
{
	struct stat st;

	if (force || lstat(path, &st) < 0 || S_ISCHR(st.st_mode))
		return 0;
	return cdoc_error(-EEXIST,
	                  "%s exists; not replacing it (use --force, or "
	                  "another -o)",
	                  path);
}

/* The recording and its report must not exist (unless forced). */
static int check_outputs(const struct cdoc_collector *c, const char *rec)
{
	char *html;
	int ret = collect__check_free(rec, c->opts.force);

	if (ret < 0 || !c->opts.html)
		return ret;
	html = cdoc_collect_report_path(rec);
	ret = collect__check_free(html, c->opts.force);
	free(html);
	return ret;
}

static int add_sources(struct cdoc_collector *c)
{
	int cg = c->opts.call_graph;
	int ret;

	if (cg == CDOC_CG_AUTO)
		cg = !c->attach && is_node(c->argv[0]) ? CDOC_CG_FP
		                                       : CDOC_CG_DWARF;
	ret = collect__cpu_add(c, &c->opts, cg, c->attach ? NULL : c->argv[0],
	                       &c->cpu);
	if (!ret)
		ret = collect__shim_add(c);
	if (!ret)
		ret = collect__metrics_add(c);
	if (!ret)
		ret = collect__offcpu_add(c, &c->opts, c->cpu);
	if (!ret && !c->attach && is_node(c->argv[0]))
		ret = collect__node_add(c);
	return ret;
}

int cdoc_collect_new(struct cdoc_collector **out,
                     const struct cdoc_collect_opts *opts)
{
	struct cdoc_collector *c = cdoc_calloc(1, sizeof(*c));
	int ret;

	c->opts = *opts;
	c->pidfd = c->sigfd = -1;
	c->target.go_fd = c->target.err_fd = -1;
	c->status = c->port_status = -1;
	c->usage_cpu = c->usage_rss = -1;
	c->loop_p99_ms = -1;
	ret = check_opts(&c->opts);
	if (ret < 0)
		goto fail;
	c->attach = !c->opts.argv || !c->opts.argv[0];
	c->pid = c->attach ? c->opts.pid : 0;
	if (!c->attach)
		copy_argv(c, c->opts.argv);
	if (c->opts.output && (ret = check_outputs(c, c->opts.output)) < 0)
		goto fail;
	ret = add_sources(c);
	if (ret < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	cdoc_collect_free(c);
	return ret;
}

/* Node.js writes /tmp/perf-PID.map for its JIT code with these flags. */
static void node_env(struct cdoc_collector *c, struct cdoc_env *env)
{
	const char *old = cdoc_env_get(env, "NODE_OPTIONS");
	struct cdoc_buf b = CDOC_BUF_INIT;

	if (!is_node(c->argv[0]) || (old && strstr(old, "--perf-basic-prof")))
		return;
	if (old && *old)
		cdoc_buf_addf(&b, "%s ", old);
	cdoc_buf_addstr(&b,
	                "--perf-basic-prof --interpreted-frames-native-stack");
	cdoc_env_set(env, "NODE_OPTIONS", b.buf);
	cdoc_buf_release(&b);
}

/* The child's environment: the base, Node's flags, each source's part. */
static int build_env(struct cdoc_collector *c, struct cdoc_env *env)
{
	int ret = 0;

	cdoc_env_init(env, c->opts.env ? c->opts.env : environ);
	node_env(c, env);
	for (size_t i = 0; i < c->nr_srcs && !ret; i++)
		if (c->srcs[i].ops->env)
			ret = c->srcs[i].ops->env(c->srcs[i].st, c, env);
	return ret;
}

/* Run: launch the command held before exec. Attach: find the process. */
static int find_target(struct cdoc_collector *c)
{
	struct cdoc_launch_opts lo = {
	        .argv = c->argv, .mask = &c->oldmask, .hold = 1};
	struct cdoc_env env;
	int ret;

	if (c->attach) {
		c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
		if (c->pidfd < 0 && errno == ESRCH)
			return cdoc_error(-ESRCH, "no process %d", (int)c->pid);
		return 0;
	}
	ret = build_env(c, &env);
	lo.env = env.v;
	if (!ret)
		ret = cdoc_launch_start(&c->target, &lo);
	cdoc_env_release(&env);
	c->pid = c->target.pid;
	return ret;
}

enum hook { OPEN, START, FINISH };

/* Call @hook of every source, in order; the first error ends it. */
static int each_source(struct cdoc_collector *c, enum hook hook)
{
	int ret = 0;

	for (size_t i = 0; i < c->nr_srcs && !ret; i++) {
		const struct cdoc_source_ops *ops = c->srcs[i].ops;
		int (*fn)(void *, struct cdoc_collector *) =
		        hook == OPEN    ? ops->open
		        : hook == START ? ops->start
		                        : ops->finish;

		if (fn)
			ret = fn(c->srcs[i].st, c);
	}
	return ret;
}

static char *default_output(struct cdoc_collector *c)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	char *name = c->attach ? collect__read_comm(c->pid, c->pid) : NULL;
	const char *base = name;

	if (!base) {
		base = c->attach ? "process" : strrchr(c->argv[0], '/');
		base = base && *base == '/' ? base + 1
		       : base               ? base
		                            : c->argv[0];
	}
	cdoc_buf_addstr(&b, "cdoctor-");
	for (const char *p = base; *p; p++)
		cdoc_buf_addch(&b, (*p == '/' || *p == ' ') ? '_' : *p);
	cdoc_buf_addf(&b, "-%d.cdr", (int)c->pid);
	free(name);
	return cdoc_buf_detach(&b, NULL);
}

static void iso_time(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *command_line(struct cdoc_collector *c)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	char *comm;

	if (c->attach) {
		comm = collect__read_comm(c->pid, c->pid);
		cdoc_buf_addstr(&b, comm ? comm : "?");
		free(comm);
	}
	for (size_t i = 0; !c->attach && c->argv[i]; i++)
		cdoc_buf_addf(&b, "%s%s", i ? " " : "", c->argv[i]);
	return cdoc_buf_detach(&b, NULL);
}

/* The session's META (each source writes its own at its start). */
static int write_meta(struct cdoc_collector *c)
{
	char buf[128];
	int ret = 0;

	iso_time(buf, sizeof(buf));
	ret |= cdoc_rec_meta(&c->w, "start_time", buf);
	if (gethostname(buf, sizeof(buf) - 1) == 0)
		ret |= cdoc_rec_meta(&c->w, "hostname", buf);
	ret |= cdoc_rec_meta(&c->w, "cdoctor_version", CDOC_VERSION_STRING);
	ret |= cdoc_rec_meta(&c->w, "mode", c->attach ? "attach" : "run");
	if (c->opts.on_port)
		ret |= cdoc_rec_meta(&c->w, "load_command", c->opts.on_port);
	snprintf(buf, sizeof(buf), "%d", (int)c->pid);
	ret |= cdoc_rec_meta(&c->w, "target_pid", buf);
	return ret < 0 ? -EIO : 0;
}

/* The target runs: create the recording, start every source. */
static int open_recording(struct cdoc_collector *c)
{
	char *cmd;
	int ret;

	if (c->opts.output) {
		c->output = cdoc_strdup(c->opts.output);
	} else {
		c->output = default_output(c);
		if ((ret = check_outputs(c, c->output)) < 0)
			return ret;
	}
	ret = cdoc_rec_writer_open(&c->w, c->output);
	if (ret < 0)
		return ret;
	c->w_open = 1;
	cmd = command_line(c);
	ret = cdoc_rec_meta(&c->w, "command", cmd);
	free(cmd);
	if (!ret)
		ret = each_source(c, START);
	if (!ret)
		ret = write_meta(c);
	return ret ? ret : cdoc_rec_flush(&c->w);
}

int cdoc_collect_start(struct cdoc_collector *c)
{
	int ret = collect__block_signals(c);

	if (!ret)
		ret = find_target(c);
	if (!ret)
		ret = each_source(c, OPEN);
	if (!ret && !c->attach)
		ret = cdoc_launch_go(&c->target, c->argv[0]);
	if (ret < 0)
		return ret;
	c->t_start = cdoc_now_ns();
	ret = open_recording(c);
	if (ret < 0)
		return ret;
	/* The first turn flushes at once: the metrics' first reading does
	 * not wait for the first drain, whose symbol loading can take
	 * seconds on a busy machine. */
	c->next_flush = c->t_start;
	c->next_port = c->t_start;
	if (c->opts.duration > 0)
		c->deadline = c->t_start + (uint64_t)(c->opts.duration * 1e9);
	return 0;
}

const char *const *cdoc_collect_notices(const struct cdoc_collector *c,
                                        size_t *nr)
{
	*nr = c->nr_notices;
	return (const char *const *)c->notices;
}

void cdoc_collect_add_notice(struct cdoc_collector *c, const char *fmt, ...)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	cdoc_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	CDOC_GROW(c->notices, c->nr_notices + 1, c->alloc_notices);
	c->notices[c->nr_notices++] = cdoc_buf_detach(&b, NULL);
}

pid_t cdoc_collect_pid(const struct cdoc_collector *c)
{
	return c->pid;
}

struct cdoc_rec_writer *cdoc_collect_writer(struct cdoc_collector *c)
{
	return c->w_open ? &c->w : NULL;
}

uint64_t cdoc_collect_elapsed_ns(const struct cdoc_collector *c)
{
	return cdoc_now_ns() - c->t_start;
}

void collect__set_usage(struct cdoc_collector *c, double cpu_pct, double rss)
{
	c->usage_cpu = cpu_pct;
	c->usage_rss = rss;
}

void collect__set_loop_p99(struct cdoc_collector *c, double ms)
{
	if (ms >= 0)
		c->loop_p99_ms = ms;
}

uint64_t collect__start_ns(const struct cdoc_collector *c)
{
	return c->t_start;
}

int cdoc_collect_attached(const struct cdoc_collector *c)
{
	return c->attach;
}

int collect__target_done(const struct cdoc_collector *c)
{
	return c->target_done;
}

int cdoc_collect_add(struct cdoc_collector *c,
                     const struct cdoc_source_ops *ops, void *st)
{
	CDOC_GROW(c->srcs, c->nr_srcs + 1, c->alloc_srcs);
	c->srcs[c->nr_srcs].ops = ops;
	c->srcs[c->nr_srcs++].st = st;
	return 0;
}

void cdoc_collect_get_stats(const struct cdoc_collector *c,
                            struct cdoc_collect_stats *out)
{
	collect__cpu_stats(c->cpu, out);
}

char *cdoc_collect_report_path(const char *rec)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_buf_addf(&b, "%s.html", rec);
	return cdoc_buf_detach(&b, NULL);
}

/* Wait for the launched target if the loop did not see it end. */
static void wait_target(struct cdoc_collector *c)
{
	if (c->attach || c->target.done || c->pid <= 0)
		return;
	if (cdoc_launch_wait(&c->target, 0) == 1)
		c->status = c->target.status;
	c->target_done = 1;
}

static int write_end(struct cdoc_collector *c, uint64_t dur)
{
	char buf[32];

	if (c->status >= 0)
		cdoc_rec_exit(&c->w, c->pid, c->status);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)dur);
	return cdoc_rec_meta(&c->w, "duration_ns", buf);
}

static uint64_t self_cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

static void fill_result(struct cdoc_collector *c,
                        struct cdoc_collect_result *res, uint64_t dur)
{
	res->path = cdoc_strdup(c->output);
	res->status = c->status;
	res->exit_code = c->attach ? 0 : cdoc_exit_code(c->status);
	if (c->we_stopped && WIFSIGNALED(c->status) &&
	    (WTERMSIG(c->status) == SIGINT || WTERMSIG(c->status) == SIGKILL))
		res->exit_code = 0; /* stopped by us, as asked */
	res->duration_ns = dur;
	collect__cpu_stats(c->cpu, &res->stats);
	res->port = c->port;
	res->on_port_status = c->port_status;
	res->self_cpu_ns = self_cpu_ns();
}

int cdoc_collect_finish(struct cdoc_collector *c,
                        struct cdoc_collect_result *res)
{
	uint64_t dur = cdoc_now_ns() - c->t_start;
	int ret;

	memset(res, 0, sizeof(*res));
	wait_target(c);
	ret = each_source(c, FINISH);
	if (!ret)
		ret = write_end(c, dur);
	if (!ret)
		ret = cdoc_rec_flush(&c->w);
	if (!ret) {
		ret = cdoc_rec_writer_close(&c->w);
		c->w_open = 0;
	}
	fill_result(c, res, dur);
	return ret;
}

void cdoc_collect_result_release(struct cdoc_collect_result *r)
{
	free(r->path);
	r->path = NULL;
}

static void free_state(struct cdoc_collector *c)
{
	for (size_t i = 0; i < c->nr_srcs; i++)
		if (c->srcs[i].ops->free)
			c->srcs[i].ops->free(c->srcs[i].st);
	free(c->srcs);
	for (size_t i = 0; c->argv && c->argv[i]; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->output);
	for (size_t i = 0; i < c->nr_notices; i++)
		free(c->notices[i]);
	free(c->notices);
}

void cdoc_collect_free(struct cdoc_collector *c)
{
	if (!c)
		return;
	cdoc_launch_kill(&c->target);
	if (c->port_cmd.pid > 0 && !c->port_cmd.done)
		kill(c->port_cmd.pid, SIGTERM);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->sigfd >= 0)
		close(c->sigfd);
	if (c->masked)
		sigprocmask(SIG_SETMASK, &c->oldmask, NULL);
	if (c->w_open)
		cdoc_rec_writer_abandon(&c->w);
	free_state(c);
	free(c);
}
