/*
 * cpu.c - cpu sampling as an evidence source: one perf event per CPU on
 * the target (inherit: every thread, fork and exec below it), its
 * samples unwound, symbolized and interned into profile "cpu", its
 * counters, and the META that says how it sampled.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/cpu.h"
#include "collect/internal.h"
#include "collect/offcpu.h"
#include "unwind/unwind.h"

static const char *const counter_names[6] = {
        "samples",          "lost_samples",      "unwind_failures",
        "truncated_stacks", "unresolved_frames", "throttle_events",
};

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

static void add_notice(struct cpu_src *c, struct cdoc_collector *s)
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
	if (b.len)
		cdoc_collect_add_notice(s, "%s", b.buf);
	cdoc_buf_release(&b);
}

/*
 * Read the kernel's symbols now, before the target runs: the first
 * kernel frame would otherwise read /proc/kallsyms inside the run loop
 * (half a second to seconds on a busy machine), and the loop would take
 * no metrics and look for no --on-port port meanwhile.
 */
static void preload_kernel_symbols(struct cpu_src *c)
{
	struct cdoc_symbol sym;

	if (!c->kernel_excluded)
		cdoc_syms_resolve(c->syms, 0, UINT64_MAX, 1, &sym);
}

/* The target exists, not yet running: resolve the event, open it. */
static int cpu_open(void *st, struct cdoc_collector *s)
{
	struct cpu_src *c = st;
	int ret;

	c->pid = cdoc_collect_pid(s);
	ret = cdoc_perf_event_resolve(&c->ev, c->event_name);
	if (!ret)
		ret = cdoc_syms_new(&c->syms);
	if (!ret) {
		/* Lines are looked up at the end (collect__cpu_lines). */
		cdoc_syms_set_lines(c->syms, 0);
		ret = collect__cpu_open_events(c);
	}
	if (!ret) {
		add_notice(c, s);
		preload_kernel_symbols(c);
	}
	return ret;
}

static int write_meta(struct cpu_src *c)
{
	char buf[32];
	int ret = 0;

	ret |= cdoc_rec_meta(c->w, "event", c->ev.name);
	ret |= cdoc_rec_meta(c->w, "event_requested", c->ev.requested);
	snprintf(buf, sizeof(buf), "%u", c->freq);
	ret |= cdoc_rec_meta(c->w, "frequency", buf);
	ret |= cdoc_rec_meta(c->w, "call_graph",
	                     c->call_graph == CDOC_CG_FP ? "fp" : "dwarf");
	snprintf(buf, sizeof(buf), "%u", c->stack_size);
	if (c->call_graph == CDOC_CG_DWARF)
		ret |= cdoc_rec_meta(c->w, "stack_size", buf);
	if (c->kernel_excluded)
		ret |= cdoc_rec_meta(c->w, "kernel_frames",
		                     "excluded (perf_event_paranoid)");
	if (c->ev.fallback_reason)
		ret |= cdoc_rec_meta(c->w, "fallback_reason",
		                     c->ev.fallback_reason);
	return ret < 0 ? -EIO : 0;
}

/* The target runs and the recording is open: the target's PROCESS;
 * when attaching, its mappings so far, then sampling begins. */
static int cpu_start(void *st, struct cdoc_collector *s)
{
	struct cpu_src *c = st;
	char *comm;
	int ret;

	c->w = cdoc_collect_writer(s);
	c->t_start = collect__start_ns(s);
	c->prof_cpu = cdoc_rec_str(c->w, "cpu");
	ret = write_meta(c);
	if (ret < 0)
		return ret;
	comm = c->attach ? collect__read_comm(c->pid, c->pid) : NULL;
	collect__cpu_process_start(c, c->pid,
	                           c->attach ? 0 : (uint32_t)getpid(),
	                           comm ? comm : c->argv0);
	free(comm);
	if (!c->attach)
		return 0;
	ret = cdoc_syms_load_proc_maps(c->syms, c->pid);
	return ret < 0 ? ret : collect__cpu_enable(c);
}

static int cpu_fds(void *st, int *fds, int max)
{
	struct cpu_src *c = st;
	int n = 0;

	for (size_t i = 0; i < c->nr_rings && n < max; i++)
		if (c->rings[i].page && !c->ring_hup[i])
			fds[n++] = c->rings[i].fd;
	return n;
}

/* A ring whose events have all ended reports POLLHUP: stop polling it. */
static int cpu_ready(void *st, struct cdoc_collector *s, int fd, short rev)
{
	struct cpu_src *c = st;

	if (!(rev & (POLLHUP | POLLERR)))
		return 0;
	for (size_t i = 0; i < c->nr_rings; i++)
		if (c->rings[i].page && c->rings[i].fd == fd)
			c->ring_hup[i] = 1;
	return 0;
}

static int cpu_drain_hook(void *st, struct cdoc_collector *s)
{
	collect__cpu_drain(st);
	return 0;
}

/* The counters, when they changed since they were last written. */
static int cpu_flush(void *st, struct cdoc_collector *s)
{
	struct cpu_src *c = st;
	uint64_t v[6] = {c->st.samples,         c->st.lost,
	                 c->st.unwind_failures, c->st.truncated,
	                 c->st.unresolved,      c->st.throttled};
	int ret;

	if (!memcmp(v, c->written, sizeof(v)) && c->counters_out)
		return 0;
	c->counters_out = 1;
	for (int i = 0; i < 6; i++) {
		ret = cdoc_rec_counter(c->w, counter_names[i], v[i]);
		if (ret < 0)
			return ret;
		c->written[i] = v[i];
	}
	return 0;
}

static int cpu_finish(void *st, struct cdoc_collector *s)
{
	struct cpu_src *c = st;
	int ret;

	if (c->off)
		collect__offcpu_disable(c->off);
	while (collect__cpu_drain(c) > 0)
		;
	collect__cpu_sweep_ended(c);
	ret = collect__cpu_lines(c);
	if (!ret)
		ret = cpu_flush(c, s);
	if (!ret && c->ev.fallback_reason)
		ret = cdoc_rec_meta(c->w, "fallback_reason",
		                    c->ev.fallback_reason);
	return ret;
}

static void cpu_free(void *st)
{
	struct cpu_src *c = st;

	collect__cpu_close_events(c);
	for (size_t i = 0; i < c->nr_lines; i++)
		free(c->lines[i].module);
	free(c->lines);
	if (c->syms)
		cdoc_syms_free(c->syms);
	cdoc_perf_event_release(&c->ev);
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
	cdoc_u64map_release(&c->ended);
	collect__blobtab_release(&c->addrs);
	collect__blobtab_release(&c->stacks);
	free(c);
}

static const struct cdoc_source_ops cpu_ops = {
        .name = "cpu",
        .open = cpu_open,
        .start = cpu_start,
        .fds = cpu_fds,
        .ready = cpu_ready,
        .drain = cpu_drain_hook,
        .flush = cpu_flush,
        .finish = cpu_finish,
        .free = cpu_free,
};

int collect__cpu_add(struct cdoc_collector *s,
                     const struct cdoc_collect_opts *o, int call_graph,
                     const char *argv0, struct cpu_src **out)
{
	struct cpu_src *c = cdoc_calloc(1, sizeof(*c));

	c->event_name = o->event;
	c->freq = o->freq;
	c->stack_size = o->stack_size;
	c->attach = !argv0;
	c->argv0 = argv0;
	c->call_graph = call_graph;
	c->ring_pages = ring_pages(o->ring_kib);
	cdoc_u64map_init(&c->spaces);
	cdoc_u64map_init(&c->comms);
	cdoc_u64map_init(&c->ppids);
	cdoc_u64map_init(&c->ended);
	collect__blobtab_init(&c->addrs);
	collect__blobtab_init(&c->stacks);
	*out = c;
	return cdoc_collect_add(s, &cpu_ops, c);
}

void collect__cpu_stats(const struct cpu_src *c, struct cdoc_collect_stats *out)
{
	*out = c->st;
}
