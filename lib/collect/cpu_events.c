/*
 * events.c - one sampling event per CPU (and per thread when attaching),
 * with inherit so every thread, fork and exec of the target is followed,
 * and one ring per CPU that all of that CPU's events write into.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "collect/cpu.h"
#include "collect/internal.h"
#include "unwind/unwind.h"

static void fill_attr(struct cpu_src *c)
{
	struct perf_event_attr *a = &c->attr;
	size_t ring = c->ring_pages * (size_t)sysconf(_SC_PAGESIZE);

	*a = c->ev.attr;
	a->size = sizeof(*a);
	a->freq = 1;
	a->sample_freq = c->freq;
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
	                 PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |
	                 PERF_SAMPLE_CALLCHAIN;
	if (c->call_graph == CDOC_CG_DWARF) {
		a->sample_type |=
		        PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		a->sample_regs_user = CDOC_UNWIND_REGS_MASK;
		a->sample_stack_user = c->stack_size;
		a->exclude_callchain_user = 1;
	}
	a->disabled = 1;
	a->inherit = 1;
	a->enable_on_exec = !c->attach;
	a->mmap = a->mmap2 = a->comm = a->comm_exec = a->task = 1;
	a->sample_id_all = 1;
	a->use_clockid = 1; /* sample times comparable with cdoc_now_ns() */
	a->clockid = CLOCK_MONOTONIC;
	a->exclude_hv = 1;
	a->exclude_kernel = c->kernel_excluded;
	a->watermark = 1;
	a->wakeup_watermark = ring / 4; /* slack for a busy machine */
}

static int add_fd(struct cpu_src *c, int fd)
{
	CDOC_GROW(c->fds, c->nr_fds + 1, c->alloc_fds);
	c->fds[c->nr_fds++] = fd;
	return fd;
}

/* Open the event for task @pid on @cpu; its output goes to ring @cpu. */
static int open_one(struct cpu_src *c, pid_t pid, int cpu)
{
	struct cdoc_perf_ring *r = &c->rings[cpu];
	int fd = cdoc_perf_open(&c->attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return fd;
	add_fd(c, fd);
	if (r->page) {
		if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd) < 0)
			return cdoc_error(-errno,
			                  "PERF_EVENT_IOC_SET_OUTPUT: "
			                  "%s",
			                  strerror(errno));
		return 0;
	}
	while (cdoc_perf_ring_map(r, fd, c->ring_pages) < 0) {
		if (c->ring_pages <= 8)
			return cdoc_error(
			        -ENOMEM,
			        "%s (see "
			        "/proc/sys/kernel/perf_event_mlock_kb)",
			        cdoc_errmsg());
		c->ring_pages /= 2;
	}
	return 0;
}

static int open_err(struct cpu_src *c, int err)
{
	if (err == -EACCES || err == -EPERM)
		return cdoc_error(err,
		                  "perf_event_open: %s. Allow profiling with "
		                  "`sudo sysctl kernel.perf_event_paranoid=1` "
		                  "(or give cdoctor CAP_PERFMON)",
		                  strerror(-err));
	return cdoc_error(err, "perf_event_open (event %s): %s", c->ev.name,
	                  strerror(-err));
}

/* Open @pid (inherit) on every CPU; offline CPUs are skipped. */
static int open_task(struct cpu_src *c, pid_t pid)
{
	int opened = 0, ret = 0;

	for (size_t cpu = 0; cpu < c->nr_rings; cpu++) {
		ret = open_one(c, pid, (int)cpu);
		if (ret == -ENODEV || ret == -EINVAL)
			continue; /* an offline CPU */
		if (ret < 0)
			return ret;
		opened++;
	}
	return opened ? 0 : (ret ? ret : -ENODEV);
}

static int open_all(struct cpu_src *c)
{
	pid_t *tids = NULL;
	size_t nr = 0;
	int ret;

	if (!c->attach)
		return open_task(c, c->pid);
	ret = collect__attach_threads(c->pid, &tids, &nr);
	for (size_t i = 0; ret >= 0 && i < nr; i++) {
		ret = open_task(c, tids[i]);
		if (ret == -ESRCH)
			ret = 0; /* the thread ended meanwhile */
	}
	free(tids);
	return ret;
}

void collect__cpu_close_events(struct cpu_src *c)
{
	for (size_t i = 0; i < c->nr_rings; i++)
		cdoc_perf_ring_unmap(&c->rings[i]);
	for (size_t i = 0; i < c->nr_fds; i++)
		close(c->fds[i]);
	c->nr_fds = 0;
}

int collect__cpu_open_events(struct cpu_src *c)
{
	int ncpu = cdoc_perf_nr_cpus();
	int ret;

	if (ncpu < 0)
		return cdoc_error(ncpu, "cannot count CPUs");
	c->nr_rings = ncpu;
	c->rings = cdoc_calloc(ncpu, sizeof(*c->rings));
	c->ring_hup = cdoc_calloc(ncpu, sizeof(*c->ring_hup));
	fill_attr(c);
	ret = open_all(c);
	if (ret == -EACCES || ret == -EPERM) {
		collect__cpu_close_events(c);
		c->kernel_excluded = 1;
		fill_attr(c);
		ret = open_all(c);
	}
	if (ret < 0) {
		collect__cpu_close_events(c);
		return open_err(c, ret);
	}
	return 0;
}

int collect__cpu_enable(struct cpu_src *c)
{
	for (size_t i = 0; i < c->nr_fds; i++)
		if (ioctl(c->fds[i], PERF_EVENT_IOC_ENABLE, 0) < 0)
			return cdoc_error(-errno, "PERF_EVENT_IOC_ENABLE: %s",
			                  strerror(errno));
	return 0;
}
