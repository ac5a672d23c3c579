/*
 * offcpu.c - off-CPU time by stack as an evidence source (see
 * offcpu.h): the events, the per-thread switch state, the profiles,
 * counters and META offcpu.
 *
 * A thread's wait is the time from its switch out to its switch in.
 * The context-switch sample (taken as the thread leaves the CPU) gives
 * the stack and the class; PERF_RECORD_SWITCH out says whether the
 * thread was preempted (PERF_RECORD_MISC_SWITCH_OUT_PREEMPT: still
 * runnable, counted in offcpu_preempt_ns); PERF_RECORD_SWITCH in ends
 * the wait and writes it, weight in nanoseconds, at the time it began.
 *
 * The switch records come from an event of their own (a dummy software
 * event with context_switch) with rings of their own: a sample carries
 * a 16 KiB stack copy and a busy server fills its ring in milliseconds,
 * but the small switch records are then not lost with it, so every wait
 * is timed. A wait whose stack was not taken (sampled out by
 * --offcpu-every, or its sample lost) is written with the stack and
 * class of the thread's last unwound wait (counter offcpu_nostack_ns),
 * or dropped when the thread has none yet (offcpu_dropped_ns).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "collect/internal.h"
#include "collect/offcpu.h"

/* Switches per stack sample by default: every switch's duration is
 * measured; one switch in that many is unwound and weighs that many. */
#define OFFCPU_PERIOD 1

enum { TH_IN, TH_SAMPLED, TH_OUT };

/* One thread's last switch. */
struct offcpu_thread {
	uint64_t t_out; /* when it left the CPU */
	uint64_t t_in;  /* when it last came back */
	uint32_t pid;   /* its process */
	uint32_t tid;   /* the thread */
	uint32_t stack; /* stack id of the sample, when ->has_stack */
	/* the sample, in this round's buffer, until it is unwound (or
	 * dropped: a preempted thread's stack is never unwound) */
	const struct perf_event_header *rec;
	uint8_t cls;     /* enum offcpu_class of ->stack */
	uint8_t state;   /* TH_* */
	uint8_t preempt; /* switched out while runnable */
	uint8_t has_stack;
	uint8_t has_last; /* ->last_stack/->last_cls hold its last wait */
	uint8_t last_cls;
	uint32_t last_stack;
};

struct offcpu_src {
	struct cpu_src *cpu; /* whose symbolizer and stack table serve */
	int disabled;        /* --no-offcpu */
	char *off_reason;    /* why it is off; NULL: on */
	unsigned period;     /* switches per stack sample */

	struct perf_event_attr attr;    /* stack samples */
	struct perf_event_attr sw_attr; /* switch records (when split) */
	int *fds;
	size_t nr_fds, alloc_fds;
	struct cdoc_perf_ring *rings; /* per CPU: stacks, then switches */
	int *ring_hup;
	size_t nr_rings; /* both sets */
	size_t nr_cpus;  /* rings per set */
	int split;       /* switch records have rings of their own */

	struct cdoc_rec_writer *w;
	uint64_t t_start;
	uint32_t prof[OFFCPU_NR];
	struct cdoc_u64map tids; /* tid -> index in ->th (+1) */
	struct offcpu_thread *th;
	size_t nr_th, alloc_th;
	struct cdoc_u64map classes; /* stack id -> class (+1) */
	uint32_t *pend;             /* threads with a ->rec this round */
	size_t nr_pend, alloc_pend;

	struct cdoc_collect_stats st; /* unwinding of off-CPU stacks */
	uint64_t samples, lost, preempt_ns, nostack_ns, dropped_ns, throttled;
	uint64_t written[7];
	int counters_out;
};

/* Ring pages of a switch ring: a switch record is some 40 bytes, a
 * quarter of a stack ring holds tens of thousands. */
static size_t sw_pages(const struct offcpu_src *o)
{
	size_t p = o->cpu->ring_pages;

	return p >= 64 ? p / 4 : p;
}

static void fill_attr(struct offcpu_src *o)
{
	const struct perf_event_attr *ca = &o->cpu->attr;
	struct perf_event_attr *a = &o->attr;
	size_t ring = o->cpu->ring_pages * (size_t)sysconf(_SC_PAGESIZE);

	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = PERF_TYPE_SOFTWARE;
	a->config = PERF_COUNT_SW_CONTEXT_SWITCHES;
	a->sample_period = o->period;
	/* the cpu samples' layout: one decoder, one unwinder */
	a->sample_type = ca->sample_type;
	a->sample_regs_user = ca->sample_regs_user;
	a->sample_stack_user = ca->sample_stack_user;
	a->exclude_callchain_user = ca->exclude_callchain_user;
	a->disabled = 1;
	a->inherit = 1;
	a->enable_on_exec = ca->enable_on_exec;
	a->context_switch = 1;
	a->sample_id_all = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->exclude_hv = 1;
	a->watermark = 1;
	a->wakeup_watermark = ring / 4;
	if (!o->split) {
		a->context_switch = 1;
		return;
	}
	/* the switch records alone: a dummy event, never sampled */
	o->sw_attr = *a;
	o->sw_attr.config = PERF_COUNT_SW_DUMMY;
	o->sw_attr.sample_period = 0;
	o->sw_attr.context_switch = 1;
	o->sw_attr.wakeup_watermark =
	        sw_pages(o) * (size_t)sysconf(_SC_PAGESIZE) / 4;
}

static int open_one(struct offcpu_src *o, struct perf_event_attr *attr,
                    pid_t pid, int cpu, size_t ring, size_t pages)
{
	struct cdoc_perf_ring *r = &o->rings[ring];
	int fd = cdoc_perf_open(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return fd;
	CDOC_GROW(o->fds, o->nr_fds + 1, o->alloc_fds);
	o->fds[o->nr_fds++] = fd;
	if (r->page)
		return ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd) < 0 ? -errno
		                                                       : 0;
	return cdoc_perf_ring_map(r, fd, pages);
}

/* @pid (inherit) on every online CPU: the stack event, and the switch
 * event when split. */
static int open_task(struct offcpu_src *o, pid_t pid)
{
	int opened = 0, ret = 0;

	for (size_t cpu = 0; cpu < o->nr_cpus; cpu++) {
		ret = open_one(o, &o->attr, pid, (int)cpu, cpu,
		               o->cpu->ring_pages);
		if (!ret && o->split)
			ret = open_one(o, &o->sw_attr, pid, (int)cpu,
			               o->nr_cpus + cpu, sw_pages(o));
		if (ret == -ENODEV || ret == -EINVAL)
			continue; /* an offline CPU */
		if (ret < 0)
			return ret;
		opened++;
	}
	return opened ? 0 : (ret ? ret : -ENODEV);
}

static int open_all(struct offcpu_src *o)
{
	pid_t *tids = NULL;
	size_t nr = 0;
	int ret;

	if (!o->cpu->attach)
		return open_task(o, o->cpu->pid);
	ret = collect__attach_threads(o->cpu->pid, &tids, &nr);
	for (size_t i = 0; ret >= 0 && i < nr; i++) {
		ret = open_task(o, tids[i]);
		if (ret == -ESRCH)
			ret = 0;
	}
	free(tids);
	return ret;
}

static void close_events(struct offcpu_src *o)
{
	for (size_t i = 0; i < o->nr_rings; i++)
		cdoc_perf_ring_unmap(&o->rings[i]);
	for (size_t i = 0; i < o->nr_fds; i++)
		close(o->fds[i]);
	o->nr_fds = 0;
	o->nr_rings = 0;
}

static void set_off(struct offcpu_src *o, const char *fmt, const char *arg)
{
	char buf[256];

	snprintf(buf, sizeof(buf), fmt, arg);
	free(o->off_reason);
	o->off_reason = cdoc_strdup(buf);
}

static int paranoid_level(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int v = 2;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 2;
		fclose(f);
	}
	return v;
}

static int offcpu_open(void *st, struct cdoc_collector *s)
{
	struct offcpu_src *o = st;
	int ncpu = cdoc_perf_nr_cpus(), ret;
	char lvl[16];

	if (o->disabled) {
		set_off(o, "off: %s", "--no-offcpu");
		return 0;
	}
	if (o->cpu->kernel_excluded) {
		snprintf(lvl, sizeof(lvl), "%d", paranoid_level());
		set_off(o,
		        "off: perf_event_paranoid=%s forbids kernel events "
		        "(context switches happen in the kernel)",
		        lvl);
		goto notice;
	}
	o->nr_cpus = ncpu > 0 ? (size_t)ncpu : 0;
	o->rings = cdoc_calloc(CDOC_MAX(2 * o->nr_cpus, 1), sizeof(*o->rings));
	o->ring_hup = cdoc_calloc(CDOC_MAX(2 * o->nr_cpus, 1), sizeof(int));
	/* switch records in rings of their own; else (a kernel without the
	 * dummy event) in the stack rings, lost with the samples */
	for (o->split = 1; o->split >= 0; o->split--) {
		fill_attr(o);
		o->nr_rings = o->nr_cpus * (o->split ? 2 : 1);
		ret = o->nr_cpus ? open_all(o) : -ENODEV;
		if (ret >= 0)
			return 0;
		close_events(o);
	}
	o->split = 0;
	set_off(o, "off: perf_event_open (context switches): %s",
	        strerror(-ret));
notice:
	cdoc_collect_add_notice(s,
	                        "off-CPU time is not recorded: %s; no "
	                        "offcpu_* profiles, no wait classes",
	                        o->off_reason + 5);
	return 0;
}

static int offcpu_start(void *st, struct cdoc_collector *s)
{
	struct offcpu_src *o = st;
	char every[16];

	o->w = cdoc_collect_writer(s);
	o->t_start = collect__start_ns(s);
	for (int i = 0; i < OFFCPU_NR; i++)
		o->prof[i] = cdoc_rec_str(o->w, collect__offcpu_profile(i));
	snprintf(every, sizeof(every), "%u", o->period);
	if (cdoc_rec_meta(o->w, "offcpu",
	                  o->off_reason ? o->off_reason : "on") < 0 ||
	    (!o->off_reason && cdoc_rec_meta(o->w, "offcpu_every", every) < 0))
		return -EIO;
	if (o->off_reason || !o->cpu->attach)
		return 0;
	for (size_t i = 0; i < o->nr_fds; i++)
		if (ioctl(o->fds[i], PERF_EVENT_IOC_ENABLE, 0) < 0)
			return cdoc_error(-errno, "PERF_EVENT_IOC_ENABLE: %s",
			                  strerror(errno));
	return 0;
}

static int offcpu_fds(void *st, int *fds, int max)
{
	struct offcpu_src *o = st;
	int n = 0;

	for (size_t i = 0; i < o->nr_rings && n < max; i++)
		if (o->rings[i].page && !o->ring_hup[i])
			fds[n++] = o->rings[i].fd;
	return n;
}

static int offcpu_ready(void *st, struct cdoc_collector *s, int fd, short rev)
{
	struct offcpu_src *o = st;

	if (!(rev & (POLLHUP | POLLERR)))
		return 0;
	for (size_t i = 0; i < o->nr_rings; i++)
		if (o->rings[i].page && o->rings[i].fd == fd)
			o->ring_hup[i] = 1;
	return 0;
}

static int offcpu_flush(void *st, struct cdoc_collector *s)
{
	static const char *const names[7] = {
	        "offcpu_samples",    "offcpu_lost",
	        "offcpu_preempt_ns", "offcpu_unwind_failures",
	        "offcpu_throttled",  "offcpu_nostack_ns",
	        "offcpu_dropped_ns"};
	struct offcpu_src *o = st;
	uint64_t v[7] = {o->samples,    o->lost,
	                 o->preempt_ns, o->st.unwind_failures,
	                 o->throttled,  o->nostack_ns,
	                 o->dropped_ns};
	int ret;

	if (o->off_reason ||
	    (!memcmp(v, o->written, sizeof(v)) && o->counters_out))
		return 0;
	o->counters_out = 1;
	for (int i = 0; i < 7; i++) {
		ret = cdoc_rec_counter(o->w, names[i], v[i]);
		if (ret < 0)
			return ret;
		o->written[i] = v[i];
	}
	return 0;
}

/* The cpu source's finish drained the rings (it comes first). */
static int offcpu_finish(void *st, struct cdoc_collector *s)
{
	return offcpu_flush(st, s);
}

static void offcpu_free(void *st)
{
	struct offcpu_src *o = st;

	/* o->cpu is freed already (sources are freed in order) */
	close_events(o);
	free(o->fds);
	free(o->rings);
	free(o->ring_hup);
	free(o->th);
	free(o->pend);
	free(o->off_reason);
	cdoc_u64map_release(&o->tids);
	cdoc_u64map_release(&o->classes);
	free(o);
}

static const struct cdoc_source_ops offcpu_ops = {
        .name = "offcpu",
        .open = offcpu_open,
        .start = offcpu_start,
        .fds = offcpu_fds,
        .ready = offcpu_ready,
        .flush = offcpu_flush,
        .finish = offcpu_finish,
        .free = offcpu_free,
};

int collect__offcpu_add(struct cdoc_collector *s,
                        const struct cdoc_collect_opts *opts,
                        struct cpu_src *cpu)
{
	struct offcpu_src *o = cdoc_calloc(1, sizeof(*o));

	o->cpu = cpu;
	o->disabled = opts->no_offcpu;
	o->period = opts->offcpu_every ? opts->offcpu_every : OFFCPU_PERIOD;
	cdoc_u64map_init(&o->tids);
	cdoc_u64map_init(&o->classes);
	cpu->off = o;
	return cdoc_collect_add(s, &offcpu_ops, o);
}

void collect__offcpu_disable(struct offcpu_src *o)
{
	for (size_t i = 0; i < o->nr_fds; i++)
		ioctl(o->fds[i], PERF_EVENT_IOC_DISABLE, 0);
}

size_t collect__offcpu_nr_rings(const struct offcpu_src *o)
{
	return o->nr_rings;
}

struct cdoc_perf_ring *collect__offcpu_ring(struct offcpu_src *o, size_t i)
{
	return &o->rings[i];
}

/* ---- records ---- */

static struct offcpu_thread *thread_of(struct offcpu_src *o, uint32_t tid)
{
	uint32_t i;

	if (cdoc_u64map_get(&o->tids, tid + 1ull, &i))
		return &o->th[i];
	CDOC_GROW(o->th, o->nr_th + 1, o->alloc_th);
	memset(&o->th[o->nr_th], 0, sizeof(o->th[0]));
	cdoc_u64map_put(&o->tids, tid + 1ull, (uint32_t)o->nr_th);
	return &o->th[o->nr_th++];
}

/* The class of stack @stack (chain @ch), classified once. */
static int class_of(struct offcpu_src *o, struct cpu_src *c,
                    const struct chain *ch, uint32_t stack, uint32_t pid)
{
	uint32_t kid[MAX_FRAMES], uid[OFFCPU_USER_DEPTH], v;
	const char *kn[MAX_FRAMES], *un[OFFCPU_USER_DEPTH];
	int nu = CDOC_MIN(ch->nr_user, OFFCPU_USER_DEPTH), unres = 0;
	uint32_t space = (uint32_t)ch->key[0];

	if (cdoc_u64map_get(&o->classes, stack + 1ull, &v))
		return (int)v - 1;
	for (int i = 0; i < ch->nr_kern; i++)
		kid[i] = collect__cpu_frame(c, pid, space,
		                            ch->kern[i] - (i > 0), 1, &unres);
	for (int i = 0; i < nu; i++)
		uid[i] = collect__cpu_frame(c, pid, space,
		                            ch->user[i] - (i > 0), 0, &unres);
	/* names only now: interning may move the string table */
	for (int i = 0; i < ch->nr_kern; i++)
		kn[i] = cdoc_strtab_get(&c->w->strs, kid[i]);
	for (int i = 0; i < nu; i++)
		un[i] = cdoc_strtab_get(&c->w->strs, uid[i]);
	v = (uint32_t)collect__offcpu_classify(kn, ch->nr_kern, un, nu);
	cdoc_u64map_put(&o->classes, stack + 1ull, v + 1);
	return (int)v;
}

/* The stack and class of @t's sample, from the record kept this round. */
static void unwind(struct offcpu_src *o, struct cpu_src *c,
                   struct offcpu_thread *t)
{
	const struct perf_event_header *h = t->rec;
	struct cdoc_perf_sample s;
	struct chain ch;

	t->rec = NULL;
	if (!h || cdoc_perf_parse_sample(h, o->attr.sample_type,
	                                 o->attr.sample_regs_user, &s) < 0)
		return;
	collect__cpu_chain(c, &s, &ch, &o->st);
	t->stack = collect__cpu_intern(c, &ch, s.pid, &o->st);
	t->cls = (uint8_t)class_of(o, c, &ch, t->stack, s.pid);
	t->has_stack = 1;
	t->has_last = 1;
	t->last_stack = t->stack;
	t->last_cls = t->cls;
}

/* A thread leaves the CPU: keep the record; it is unwound once its
 * switch record says the thread waits (not when it was preempted). */
static void on_sample(struct offcpu_src *o, const struct perf_event_header *h)
{
	struct cdoc_perf_sample s;
	struct offcpu_thread *t;

	if (cdoc_perf_parse_sample(h, o->attr.sample_type,
	                           o->attr.sample_regs_user, &s) < 0) {
		o->st.bad_records++;
		return;
	}
	if (!s.pid && !s.tid)
		return; /* the idle task */
	t = thread_of(o, s.tid);
	if (!t->rec) {
		CDOC_GROW(o->pend, o->nr_pend + 1, o->alloc_pend);
		o->pend[o->nr_pend++] = (uint32_t)(t - o->th);
	}
	t->rec = h;
	t->has_stack = 0;
	t->t_out = s.time;
	t->pid = s.pid;
	t->tid = s.tid;
	t->preempt = 0;
	t->state = TH_SAMPLED;
}

void collect__offcpu_round_end(struct offcpu_src *o, struct cpu_src *c)
{
	for (size_t i = 0; i < o->nr_pend; i++)
		unwind(o, c, &o->th[o->pend[i]]);
	o->nr_pend = 0;
}

/* Thread @t came back at @now: its wait goes where it belongs. */
static void wait_ended(struct offcpu_src *o, struct offcpu_thread *t,
                       uint64_t now)
{
	uint64_t dur = now - t->t_out;
	uint32_t stack = t->stack;
	int cls = t->cls;

	if (t->preempt) {
		o->preempt_ns += dur;
		return;
	}
	if (!t->has_stack) {
		if (!t->has_last) {
			o->dropped_ns += dur;
			return;
		}
		/* its own stack was sampled out or lost: the thread's last */
		o->nostack_ns += dur;
		stack = t->last_stack;
		cls = t->last_cls;
	}
	o->samples++;
	cdoc_rec_sample_at(o->w, o->prof[cls], t->pid, t->tid,
	                   t->t_out > o->t_start ? t->t_out - o->t_start : 0,
	                   stack, dur);
}

static void on_switch(struct offcpu_src *o, struct cpu_src *c,
                      const struct perf_event_header *h)
{
	uint64_t now = cdoc_perf_record_time(h, o->attr.sample_type);
	struct offcpu_thread *t;
	uint32_t pid, tid;

	if (cdoc_perf_record_tid(h, o->attr.sample_type, &pid, &tid) < 0 ||
	    !now) {
		o->st.bad_records++;
		return;
	}
	if (!pid && !tid)
		return;
	t = thread_of(o, tid);
	if (!(h->misc & PERF_RECORD_MISC_SWITCH_OUT)) {
		if (t->state == TH_SAMPLED) /* its switch out was lost */
			unwind(o, c, t);
		if (t->state != TH_IN && now >= t->t_out)
			wait_ended(o, t, now);
		t->state = TH_IN;
		t->t_in = now;
		return;
	}
	if (now < t->t_in)
		return; /* older than its last switch in: out of order */
	if (t->state != TH_SAMPLED) {
		/* no stack for this one (sampled out, or lost) */
		t->rec = NULL;
		t->has_stack = 0;
		t->t_out = now;
		t->pid = pid;
	}
	t->tid = tid;
	t->preempt = !!(h->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT);
	if (t->preempt)
		t->rec = NULL; /* runnable: no wait to unwind */
	else
		unwind(o, c, t);
	t->state = TH_OUT;
}

void collect__offcpu_record(struct offcpu_src *o, struct cpu_src *c,
                            const struct perf_event_header *h)
{
	struct cdoc_perf_side side;

	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		on_sample(o, h);
		break;
	case PERF_RECORD_SWITCH:
		on_switch(o, c, h);
		break;
	case PERF_RECORD_THROTTLE:
		o->throttled++;
		break;
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES:
		if (cdoc_perf_parse_side(h, &side) == 0)
			o->lost += side.lost;
		break;
	}
}
