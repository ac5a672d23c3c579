/*
 * collect.c - the collector's life: options, start (launch or attach,
 * events, recording, META), finish (drain, counters, END) and free.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect/internal.h"
#include "metrics/metrics.h"
#include "unwind/unwind.h"

#define CDOC_VERSION "0.1.0"

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
	if (!o->stack_size)
		o->stack_size = CDOC_UNWIND_STACK_SIZE;
	if (o->stack_size % 8 || o->stack_size > 65528)
		return cdoc_error(-EINVAL,
		                  "--stack-size must be a multiple "
		                  "of 8 up to 65528, not %u",
		                  o->stack_size);
	if (!o->ring_kib)
		o->ring_kib = o->call_graph == CDOC_CG_FP ? 1024 : 4096;
	if (o->grace <= 0)
		o->grace = 3;
	if (o->duration < 0)
		return cdoc_error(-EINVAL, "--duration must be positive");
	if ((!o->argv || !o->argv[0]) && o->pid <= 0)
		return cdoc_error(-EINVAL, "no command to run and no pid");
	return 0;
}

/*
 * Data pages per ring: @kib rounded down to a power of two, and at most
 * 256 MiB over all CPUs (a default sized for a small VM must not pin
 * gigabytes on a many-core server).
 */
static size_t ring_pages(unsigned kib)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (size_t)kib * 1024 / psz;
	size_t ncpu = CDOC_MAX(cdoc_perf_nr_cpus(), 1);
	size_t p = 1;

	while (p * 2 <= pages)
		p *= 2;
	while (p > 64 && p * psz * ncpu > (256u << 20))
		p /= 2;
	return p < 8 ? 8 : p;
}

int cdoc_collect_new(struct cdoc_collector **out,
                     const struct cdoc_collect_opts *opts)
{
	struct cdoc_collector *c = cdoc_calloc(1, sizeof(*c));
	int ret;

	c->opts = *opts;
	ret = check_opts(&c->opts);
	if (ret < 0) {
		free(c);
		return ret;
	}
	c->attach = !c->opts.argv || !c->opts.argv[0];
	c->pid = c->attach ? c->opts.pid : 0;
	c->go_fd = c->err_fd = c->pidfd = c->sigfd = -1;
	c->status = c->port_status = -1;
	c->call_graph = c->opts.call_graph;
	if (!c->attach)
		copy_argv(c, c->opts.argv);
	if (c->call_graph == CDOC_CG_AUTO)
		c->call_graph = !c->attach && is_node(c->argv[0])
		                        ? CDOC_CG_FP
		                        : CDOC_CG_DWARF;
	c->ring_pages = ring_pages(c->opts.ring_kib);
	cdoc_u64map_init(&c->spaces);
	cdoc_u64map_init(&c->comms);
	cdoc_u64map_init(&c->ppids);
	blobtab_init(&c->addrs);
	blobtab_init(&c->stacks);
	*out = c;
	return 0;
}

/* Node.js writes /tmp/perf-PID.map for its JIT code with these flags. */
static void node_env(struct cdoc_collector *c)
{
	const char *old = getenv("NODE_OPTIONS");
	struct cdoc_buf b = CDOC_BUF_INIT;

	if (!is_node(c->argv[0]) || (old && strstr(old, "--perf-basic-prof")))
		return;
	if (old && *old)
		cdoc_buf_addf(&b, "%s ", old);
	cdoc_buf_addstr(&b,
	                "--perf-basic-prof --interpreted-frames-native-stack");
	setenv("NODE_OPTIONS", b.buf, 1);
	cdoc_buf_release(&b);
}

static int block_signals(struct cdoc_collector *c)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &c->oldmask) < 0)
		return cdoc_error(-errno, "sigprocmask: %s", strerror(errno));
	c->masked = 1;
	c->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (c->sigfd < 0)
		return cdoc_error(-errno, "signalfd: %s", strerror(errno));
	return 0;
}

static char *default_output(struct cdoc_collector *c)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	char *name = c->attach ? collect_read_comm(c->pid, c->pid) : NULL;
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
		comm = collect_read_comm(c->pid, c->pid);
		cdoc_buf_addstr(&b, comm ? comm : "?");
		free(comm);
	}
	for (size_t i = 0; !c->attach && c->argv[i]; i++)
		cdoc_buf_addf(&b, "%s%s", i ? " " : "", c->argv[i]);
	return cdoc_buf_detach(&b, NULL);
}

static int write_meta(struct cdoc_collector *c)
{
	char buf[128], *cmd = command_line(c);
	int ret = 0;

	ret |= cdoc_rec_meta(&c->w, "command", cmd);
	free(cmd);
	ret |= cdoc_rec_meta(&c->w, "event", c->ev.name);
	ret |= cdoc_rec_meta(&c->w, "event_requested", c->ev.requested);
	snprintf(buf, sizeof(buf), "%u", c->opts.freq);
	ret |= cdoc_rec_meta(&c->w, "frequency", buf);
	ret |= cdoc_rec_meta(&c->w, "call_graph",
	                     c->call_graph == CDOC_CG_FP ? "fp" : "dwarf");
	snprintf(buf, sizeof(buf), "%u", c->opts.stack_size);
	if (c->call_graph == CDOC_CG_DWARF)
		ret |= cdoc_rec_meta(&c->w, "stack_size", buf);
	iso_time(buf, sizeof(buf));
	ret |= cdoc_rec_meta(&c->w, "start_time", buf);
	if (gethostname(buf, sizeof(buf) - 1) == 0)
		ret |= cdoc_rec_meta(&c->w, "hostname", buf);
	ret |= cdoc_rec_meta(&c->w, "cdoctor_version", CDOC_VERSION);
	ret |= cdoc_rec_meta(&c->w, "mode", c->attach ? "attach" : "run");
	if (c->opts.on_port)
		ret |= cdoc_rec_meta(&c->w, "load_command", c->opts.on_port);
	snprintf(buf, sizeof(buf), "%d", (int)c->pid);
	ret |= cdoc_rec_meta(&c->w, "target_pid", buf);
	if (c->kernel_excluded)
		ret |= cdoc_rec_meta(&c->w, "kernel_frames",
		                     "excluded (perf_event_paranoid)");
	if (c->ev.fallback_reason)
		ret |= cdoc_rec_meta(&c->w, "fallback_reason",
		                     c->ev.fallback_reason);
	return ret < 0 ? -EIO : 0;
}

/* The built-in metrics source: the target's procfs every tick. */
static int metrics_tick(struct cdoc_collector *c, void *arg, int final)
{
	struct cdoc_metrics_sampler *s = arg;
	struct cdoc_metrics_point p;

	if (final || c->target_done)
		return 0;
	if (cdoc_metrics_sample(s, &p) < 0)
		return 0; /* the target is gone or not readable: skip */
	return cdoc_metrics_write(&c->w, cdoc_now_ns() - c->t_start, &p);
}

static void set_notice(struct cdoc_collector *c)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	if (c->ev.fallback_reason)
		cdoc_buf_addstr(&b, c->ev.fallback_reason);
	if (c->kernel_excluded)
		cdoc_buf_addf(
		        &b,
		        "%skernel frames are left out: "
		        "perf_event_paranoid forbids them (run `sudo "
		        "sysctl kernel.perf_event_paranoid=1` to see them)",
		        b.len ? "; " : "");
	c->notice = b.len ? cdoc_buf_detach(&b, NULL) : NULL;
	cdoc_buf_release(&b);
}

static int start_target(struct cdoc_collector *c)
{
	int ret;

	if (c->attach) {
		c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
		if (c->pidfd < 0 && errno == ESRCH)
			return cdoc_error(-ESRCH, "no process %d", (int)c->pid);
		return 0;
	}
	node_env(c);
	ret = collect_launch(c);
	return ret;
}

static int open_recording(struct cdoc_collector *c)
{
	char *comm;
	int ret;

	c->output = c->opts.output ? cdoc_strdup(c->opts.output)
	                           : default_output(c);
	ret = cdoc_rec_writer_open(&c->w, c->output);
	if (ret < 0)
		return ret;
	c->w_open = 1;
	c->prof_cpu = cdoc_rec_str(&c->w, "cpu");
	ret = write_meta(c);
	if (ret < 0)
		return ret;
	comm = c->attach ? collect_read_comm(c->pid, c->pid) : NULL;
	collect_process_start(c, c->pid, c->attach ? 0 : (uint32_t)getpid(),
	                      comm ? comm : c->argv[0]);
	free(comm);
	return cdoc_rec_flush(&c->w);
}

static int add_metrics(struct cdoc_collector *c)
{
	struct cdoc_metrics_sampler *s = cdoc_calloc(1, sizeof(*s));

	cdoc_metrics_sampler_init(s, c->pid);
	return cdoc_collect_add_source(c, -1, NULL, metrics_tick, s);
}

/* Let the target go: exec the launched child, or enable the events. */
static int go(struct cdoc_collector *c)
{
	int ret;

	if (!c->attach)
		return collect_release_child(c);
	ret = cdoc_syms_load_proc_maps(c->syms, c->pid);
	if (ret < 0)
		return ret;
	return collect_enable(c);
}

int cdoc_collect_start(struct cdoc_collector *c)
{
	int ret;

	ret = block_signals(c);
	if (!ret)
		ret = cdoc_perf_event_resolve(&c->ev, c->opts.event);
	if (!ret)
		ret = cdoc_syms_new(&c->syms);
	if (!ret)
		ret = start_target(c);
	if (!ret)
		ret = collect_open_events(c);
	if (ret < 0)
		return ret;
	set_notice(c);
	ret = open_recording(c);
	if (!ret)
		ret = add_metrics(c);
	if (!ret)
		ret = go(c);
	if (ret < 0)
		return ret;
	c->t_start = cdoc_now_ns();
	c->next_flush = c->t_start + FLUSH_NS;
	c->next_port = c->t_start;
	if (c->opts.duration > 0)
		c->deadline = c->t_start + (uint64_t)(c->opts.duration * 1e9);
	return 0;
}

const char *cdoc_collect_notice(const struct cdoc_collector *c)
{
	return c->notice;
}

pid_t cdoc_collect_pid(const struct cdoc_collector *c)
{
	return c->pid;
}

struct cdoc_rec_writer *cdoc_collect_writer(struct cdoc_collector *c)
{
	return c->w_open ? &c->w : NULL;
}

int cdoc_collect_add_source(struct cdoc_collector *c, int fd,
                            cdoc_collect_fn on_ready, cdoc_collect_fn on_tick,
                            void *arg)
{
	struct source *s;

	CDOC_GROW(c->srcs, c->nr_srcs + 1, c->alloc_srcs);
	s = &c->srcs[c->nr_srcs++];
	s->fd = fd;
	s->on_ready = on_ready;
	s->on_tick = on_tick;
	s->arg = arg;
	return 0;
}

void cdoc_collect_get_stats(const struct cdoc_collector *c,
                            struct cdoc_collect_stats *out)
{
	*out = c->st;
}

static int exit_code(int status)
{
	if (status < 0)
		return 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* Wait for the launched target if the loop did not see it end. */
static void wait_target(struct cdoc_collector *c)
{
	int st;

	if (c->attach || c->status >= 0 || c->pid <= 0)
		return;
	if (waitpid(c->pid, &st, 0) == c->pid)
		c->status = st;
	c->target_done = 1;
}

static int write_end(struct cdoc_collector *c, uint64_t dur)
{
	char buf[32];
	int ret;

	if (c->status >= 0)
		cdoc_rec_exit(&c->w, c->pid, c->status);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)dur);
	ret = cdoc_rec_meta(&c->w, "duration_ns", buf);
	if (!ret && c->ev.fallback_reason)
		ret = cdoc_rec_meta(&c->w, "fallback_reason",
		                    c->ev.fallback_reason);
	return ret;
}

static uint64_t self_cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

int cdoc_collect_finish(struct cdoc_collector *c,
                        struct cdoc_collect_result *res)
{
	uint64_t dur = cdoc_now_ns() - c->t_start;
	int ret;

	memset(res, 0, sizeof(*res));
	wait_target(c);
	while (collect_drain(c) > 0)
		;
	ret = collect_flush(c, 1);
	if (!ret)
		ret = write_end(c, dur);
	if (!ret) {
		ret = cdoc_rec_writer_close(&c->w);
		c->w_open = 0;
	}
	res->path = cdoc_strdup(c->output);
	res->status = c->status;
	res->exit_code = exit_code(c->status);
	if (c->we_stopped && WIFSIGNALED(c->status) &&
	    (WTERMSIG(c->status) == SIGINT || WTERMSIG(c->status) == SIGKILL))
		res->exit_code = 0; /* stopped by us, as asked */
	res->duration_ns = dur;
	res->stats = c->st;
	res->port = c->port;
	res->on_port_status = c->port_status;
	res->self_cpu_ns = self_cpu_ns();
	return ret;
}

void cdoc_collect_result_release(struct cdoc_collect_result *r)
{
	free(r->path);
	r->path = NULL;
}

static void free_state(struct cdoc_collector *c)
{
	for (size_t i = 0; c->argv && c->argv[i]; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->output);
	free(c->notice);
	free(c->fds);
	free(c->rings);
	free(c->ring_hup);
	free(c->q);
	free(c->pending_exit);
	cdoc_buf_release(&c->round);
	cdoc_buf_release(&c->fbuf);
	cdoc_u64map_release(&c->spaces);
	cdoc_u64map_release(&c->comms);
	cdoc_u64map_release(&c->ppids);
	blobtab_release(&c->addrs);
	blobtab_release(&c->stacks);
	for (size_t i = 0; i < c->nr_srcs; i++)
		if (c->srcs[i].on_tick == metrics_tick)
			free(c->srcs[i].arg);
	free(c->srcs);
}

void cdoc_collect_free(struct cdoc_collector *c)
{
	if (!c)
		return;
	if (!c->attach && c->pid > 0 && !c->target_done) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (c->port_pid > 0)
		kill(c->port_pid, SIGTERM);
	if (c->go_fd >= 0)
		close(c->go_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->sigfd >= 0)
		close(c->sigfd);
	if (c->masked)
		sigprocmask(SIG_SETMASK, &c->oldmask, NULL);
	collect_close_events(c);
	if (c->w_open)
		cdoc_rec_writer_abandon(&c->w);
	if (c->syms)
		cdoc_syms_free(c->syms);
	cdoc_perf_event_release(&c->ev);
	free_state(c);
	free(c);
}
