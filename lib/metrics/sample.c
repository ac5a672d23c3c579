/*
 * sample.c - one reading of a process tree: the target and its
 * descendants found through /proc/PID/task/TID/children, per process
 * /proc/PID/{stat,io,fd}, per thread /proc/PID/task/TID/{status,
 * schedstat}; rates from the previous reading of the same process or
 * thread.
 */
#include "metrics/internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static const char *const names[CDOC_M_COUNT] = {
        [CDOC_M_CPU_USER] = "cpu_user_pct",
        [CDOC_M_CPU_SYS] = "cpu_sys_pct",
        [CDOC_M_RSS] = "rss_bytes",
        [CDOC_M_THREADS] = "threads",
        [CDOC_M_CTX_VOL] = "ctx_voluntary",
        [CDOC_M_CTX_INVOL] = "ctx_involuntary",
        [CDOC_M_FLT_MINOR] = "faults_minor",
        [CDOC_M_FLT_MAJOR] = "faults_major",
        [CDOC_M_IO_RCHAR] = "io_rchar",
        [CDOC_M_IO_WCHAR] = "io_wchar",
        [CDOC_M_IO_READ] = "io_read_bytes",
        [CDOC_M_IO_WRITE] = "io_write_bytes",
        [CDOC_M_PROCS] = "procs",
        [CDOC_M_RUNQ] = "runq_wait_pct",
        [CDOC_M_BLOCKED] = "offcpu_blocked_pct",
        [CDOC_M_FDS] = "fds",
        [CDOC_M_FDS_FILE] = "fds_file",
        [CDOC_M_FDS_SOCKET] = "fds_socket",
        [CDOC_M_FDS_PIPE] = "fds_pipe",
        [CDOC_M_FDS_OTHER] = "fds_other",
        [CDOC_M_FDS_LIMIT_PCT] = "fds_limit_pct",
        [CDOC_M_MACHINE_CPUS] = "machine_cpus",
        [CDOC_M_MACHINE_LOAD1] = "machine_load1",
        [CDOC_M_MACHINE_BUSY] = "machine_busy_pct",
        [CDOC_M_CG_QUOTA] = "cgroup_quota_cpus",
        [CDOC_M_CG_THROTTLED] = "cgroup_throttled_pct",
        [CDOC_M_CG_NR_THROTTLED] = "cgroup_nr_throttled",
};

const char *cdoc_metrics_name(enum cdoc_metric m)
{
	return (unsigned)m < CDOC_M_COUNT ? names[m] : "?";
}

void cdoc_metrics_sampler_init(struct cdoc_metrics_sampler *s, pid_t pid)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->ticks_per_s = sysconf(_SC_CLK_TCK);
	if (s->ticks_per_s <= 0)
		s->ticks_per_s = 100;
	s->page_size = sysconf(_SC_PAGESIZE);
	if (s->page_size <= 0)
		s->page_size = 4096;
	s->fd_link_cap = CDOC_METRICS_FD_LINK_CAP;
}

void cdoc_metrics_sampler_release(struct cdoc_metrics_sampler *s)
{
	free(s->procs);
	free(s->prev_procs);
	free(s->threads);
	free(s->prev_threads);
	free(s->names);
	free(s->cg_dir);
	memset(s, 0, sizeof(*s));
}

#define CHILDREN_EVERY 5

/* A process to visit; @start nonzero: only if it still has that start. */
struct todo {
	pid_t pid;
	uint64_t start;
};

/* struct walk - the state of one sample's walk over the tree. */
struct walk {
	struct cdoc_metrics_sampler *s;
	struct cdoc_metrics_point *p;
	struct cdoc_u64map seen;      /* pids visited */
	struct cdoc_u64map prev_proc; /* pid -> index in s->prev_procs */
	struct cdoc_u64map prev_thr;  /* tid -> index in s->prev_threads */
	struct todo *todo;
	size_t nr_todo, alloc_todo;
	uint64_t dt_ns;               /* since the previous sample */
	uint64_t d_utime, d_stime;    /* CPU ticks in the interval */
	uint64_t runq_ns, blocked_ns; /* summed over threads */
	double fds[METRICS_FD_KINDS];
	double fds_limit_pct; /* the highest share of its limit a process uses */
	int have_fds, have_limit;
	int all_children; /* read every thread's children, not the main's */
};

static void push(struct walk *w, pid_t pid, uint64_t start)
{
	CDOC_GROW(w->todo, w->nr_todo + 1, w->alloc_todo);
	w->todo[w->nr_todo++] = (struct todo){pid, start};
}

/* struct stat_fields - what the samplers use of /proc/PID/stat. */
struct stat_fields {
	uint64_t minflt, majflt, utime, stime, threads, start, rss;
	char state;
};

/* Fields of /proc/PID/stat after the command name, counted from 3. */
static int parse_stat(const char *buf, struct stat_fields *out)
{
	const char *q = strrchr(buf, ')');
	unsigned long long f[25] = {0};
	int i;

	if (!q || q[1] != ' ' || !q[2])
		return -1;
	out->state = q[2];
	q += 3; /* ") " and the state letter, field 3 */
	for (i = 4; i <= 24; i++) {
		char *end;

		f[i] = strtoull(q, &end, 10);
		if (end == q)
			return -1;
		q = end;
	}
	out->minflt = f[10];
	out->majflt = f[12];
	out->utime = f[14];
	out->stime = f[15];
	out->threads = f[20];
	out->start = f[22];
	out->rss = f[24];
	return 0;
}

static void parse_io(struct cdoc_metrics_point *p, const char *buf)
{
	static const struct {
		const char *key;
		enum cdoc_metric m;
	} keys[] = {{"rchar", CDOC_M_IO_RCHAR},
	            {"wchar", CDOC_M_IO_WCHAR},
	            {"read_bytes", CDOC_M_IO_READ},
	            {"write_bytes", CDOC_M_IO_WRITE}};
	uint64_t v;

	for (size_t i = 0; i < CDOC_ARRAY_SIZE(keys); i++)
		if (!metrics__key_u64(buf, keys[i].key, ':', &v))
			metrics__add(p, keys[i].m, (double)v);
}

/* The name and state of a thread's status file into @t and @name. */
static void parse_status(const char *buf, struct cdoc_rec_threadstat *t,
                         char *name)
{
	const char *q = strstr(buf, "Name:\t"), *st;
	size_t n = 0;

	if (q) {
		q += 6;
		n = strcspn(q, "\n");
		n = CDOC_MIN(n, CDOC_METRICS_NAME_MAX - 1);
		memcpy(name, q, n);
	}
	name[n] = '\0';
	st = strstr(buf, "\nState:\t");
	t->state = st && st[8] >= 'A' && st[8] <= 'z' ? st[8] : 0;
	metrics__key_u64(buf, "voluntary_ctxt_switches", ':', &t->vol);
	metrics__key_u64(buf, "nonvoluntary_ctxt_switches", ':', &t->invol);
}

/* Runnable and blocked time of @t since its previous sample. */
static void thread_deltas(struct walk *w, const struct cdoc_rec_threadstat *t)
{
	const struct cdoc_rec_threadstat *o;
	uint64_t run, q;
	uint32_t i;

	if (!w->dt_ns || !cdoc_u64map_get(&w->prev_thr, t->tid, &i))
		return; /* new: counts from its second sample */
	o = &w->s->prev_threads[i];
	if (o->pid != t->pid || t->on_cpu_ns < o->on_cpu_ns ||
	    t->runq_ns < o->runq_ns)
		return;
	run = t->on_cpu_ns - o->on_cpu_ns;
	q = t->runq_ns - o->runq_ns;
	w->runq_ns += q;
	if (run + q < w->dt_ns)
		w->blocked_ns += w->dt_ns - run - q;
}

/* The children of thread @tid (in task directory @dfd) join the walk. */
static void children(struct walk *w, int dfd, long tid, char *buf, size_t size)
{
	char path[48], *q, *end;

	snprintf(path, sizeof(path), "%ld/children", tid);
	if (metrics__read_at(dfd, path, buf, size) <= 0)
		return;
	for (q = buf;; q = end) {
		long c = strtol(q, &end, 10);

		if (end == q)
			break;
		if (c > 0)
			push(w, (pid_t)c, 0);
	}
}

/* One thread of @pid (task directory @dfd): status, schedstat, children. */
static void visit_thread(struct walk *w, pid_t pid, int dfd, long tid)
{
	struct cdoc_metrics_sampler *s = w->s;
	struct cdoc_rec_threadstat *t;
	char path[48], buf[2048];
	uint64_t ss[3];
	size_t i;

	snprintf(path, sizeof(path), "%ld/status", tid);
	if (metrics__read_at(dfd, path, buf, sizeof(buf)) <= 0)
		return; /* it ended */
	i = s->nr_threads++;
	CDOC_GROW(s->threads, s->nr_threads, s->alloc_threads);
	CDOC_GROW(s->names, s->nr_threads, s->alloc_names);
	t = &s->threads[i];
	memset(t, 0, sizeof(*t));
	t->pid = (uint32_t)pid;
	t->tid = (uint32_t)tid;
	parse_status(buf, t, s->names[i]);
	metrics__add(w->p, CDOC_M_CTX_VOL, (double)t->vol);
	metrics__add(w->p, CDOC_M_CTX_INVOL, (double)t->invol);
	snprintf(path, sizeof(path), "%ld/schedstat", tid);
	if (metrics__read_at(dfd, path, buf, sizeof(buf)) > 0 &&
	    !metrics__parse_schedstat(buf, ss)) {
		t->on_cpu_ns = ss[0];
		t->runq_ns = ss[1];
		t->timeslices = ss[2];
		thread_deltas(w, t);
	}
	if (tid == pid || w->all_children)
		children(w, dfd, tid, buf, sizeof(buf));
}

static void visit_threads(struct walk *w, pid_t pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir)) &&
	       w->s->nr_threads < CDOC_METRICS_MAX_THREADS) {
		long tid = strtol(d->d_name, NULL, 10);

		if (tid > 0)
			visit_thread(w, pid, dirfd(dir), tid);
	}
	closedir(dir);
}

/* The CPU ticks of process @pr since its previous sample. */
static void proc_deltas(struct walk *w, const struct cdoc_metrics_proc *pr)
{
	const struct cdoc_metrics_proc *o;
	uint32_t i;

	if (!cdoc_u64map_get(&w->prev_proc, (uint64_t)pr->pid, &i))
		return; /* new: counts from its second sample */
	o = &w->s->prev_procs[i];
	if (o->start != pr->start || pr->utime < o->utime ||
	    pr->stime < o->stime)
		return;
	w->d_utime += pr->utime - o->utime;
	w->d_stime += pr->stime - o->stime;
}

/*
 * Open descriptors of @pid by kind, and how close they are to its soft
 * RLIMIT_NOFILE: a leak that reaches the limit stops growing (open,
 * socket and accept fail with EMFILE), so growth alone misses it.
 */
static void visit_fds(struct walk *w, pid_t pid)
{
	double before = 0, after = 0;
	struct rlimit rl;
	int k;

	for (k = 0; k < METRICS_FD_KINDS; k++)
		before += w->fds[k];
	if (metrics__fds(w->s, pid, w->fds) < 0)
		return;
	w->have_fds = 1;
	for (k = 0; k < METRICS_FD_KINDS; k++)
		after += w->fds[k];
	if (prlimit(pid, RLIMIT_NOFILE, NULL, &rl) < 0 ||
	    rl.rlim_cur == RLIM_INFINITY || !rl.rlim_cur)
		return;
	w->have_limit = 1;
	w->fds_limit_pct = CDOC_MAX(w->fds_limit_pct,
	                            100.0 * (after - before) / rl.rlim_cur);
}

/*
 * Visit process @t: its stat (gone or reused: skipped; -1 when it does
 * not parse), io, fds and threads.
 */
static int visit_proc(struct walk *w, const struct todo *t)
{
	struct cdoc_metrics_sampler *s = w->s;
	struct cdoc_metrics_point *p = w->p;
	struct cdoc_metrics_proc *pr;
	struct stat_fields f;
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)t->pid);
	if (metrics__read(path, buf, sizeof(buf)) <= 0)
		return 0;
	if (parse_stat(buf, &f) < 0)
		return -1;
	if (t->start && f.start != t->start)
		return 0; /* the pid was reused by another process */
	if (f.state == 'Z' || f.state == 'X')
		return 0; /* ended, not reaped yet: nothing left to measure */
	cdoc_u64map_put(&w->seen, (uint64_t)t->pid, 1);
	CDOC_GROW(s->procs, s->nr_procs + 1, s->alloc_procs);
	pr = &s->procs[s->nr_procs++];
	*pr = (struct cdoc_metrics_proc){t->pid, f.start, f.utime, f.stime};
	proc_deltas(w, pr);
	metrics__add(p, CDOC_M_FLT_MINOR, (double)f.minflt);
	metrics__add(p, CDOC_M_FLT_MAJOR, (double)f.majflt);
	metrics__add(p, CDOC_M_THREADS, (double)f.threads);
	metrics__add(p, CDOC_M_RSS, (double)f.rss * s->page_size);
	snprintf(path, sizeof(path), "/proc/%d/io", (int)t->pid);
	if (metrics__read(path, buf, sizeof(buf)) > 0)
		parse_io(p, buf);
	visit_fds(w, t->pid);
	visit_threads(w, t->pid);
	return 0;
}

/* Swap the latest reading into prev_* and index it. */
static void start_walk(struct walk *w)
{
	struct cdoc_metrics_sampler *s = w->s;
	size_t i;

#define SWAP(a, b)                                                             \
	do {                                                                   \
		__typeof__(a) t_ = (a);                                        \
		(a) = (b);                                                     \
		(b) = t_;                                                      \
	} while (0)
	SWAP(s->procs, s->prev_procs);
	SWAP(s->alloc_procs, s->alloc_prev_procs);
	SWAP(s->threads, s->prev_threads);
	SWAP(s->alloc_threads, s->alloc_prev_threads);
#undef SWAP
	s->nr_prev_procs = s->nr_procs;
	s->nr_prev_threads = s->nr_threads;
	s->nr_procs = s->nr_threads = 0;
	cdoc_u64map_init(&w->seen);
	cdoc_u64map_init(&w->prev_proc);
	cdoc_u64map_init(&w->prev_thr);
	for (i = 0; i < s->nr_prev_procs; i++)
		cdoc_u64map_put(&w->prev_proc, (uint64_t)s->prev_procs[i].pid,
		                (uint32_t)i);
	for (i = 0; i < s->nr_prev_threads; i++)
		cdoc_u64map_put(&w->prev_thr, s->prev_threads[i].tid,
		                (uint32_t)i);
}

static void end_walk(struct walk *w)
{
	cdoc_u64map_release(&w->seen);
	cdoc_u64map_release(&w->prev_proc);
	cdoc_u64map_release(&w->prev_thr);
	free(w->todo);
}

/* Visit the tree: the root, what it leads to, then earlier members. */
static int walk_tree(struct walk *w)
{
	struct cdoc_metrics_sampler *s = w->s;
	size_t i, prev_added = 0;
	uint32_t dummy;

	push(w, s->pid, 0);
	for (i = 0; i < w->nr_todo; i++) {
		struct todo t = w->todo[i];

		if (!cdoc_u64map_get(&w->seen, (uint64_t)t.pid, &dummy) &&
		    s->nr_procs < CDOC_METRICS_MAX_PROCS &&
		    visit_proc(w, &t) < 0 && t.pid == s->pid)
			return -1;
		if (i == 0 && !s->nr_procs)
			return -2; /* the root is gone */
		if (i + 1 == w->nr_todo && !prev_added) {
			prev_added = 1;
			for (size_t k = 0; k < s->nr_prev_procs; k++)
				push(w, s->prev_procs[k].pid,
				     s->prev_procs[k].start);
		}
	}
	return 0;
}

static void set_rates(struct walk *w)
{
	struct cdoc_metrics_sampler *s = w->s;
	struct cdoc_metrics_point *p = w->p;
	double secs = w->dt_ns / 1e9, tick = 1.0 / s->ticks_per_s;
	double sum = 0;
	int k;

	metrics__set(p, CDOC_M_PROCS, (double)s->nr_procs);
	if (w->dt_ns) {
		metrics__set(p, CDOC_M_CPU_USER,
		             100.0 * w->d_utime * tick / secs);
		metrics__set(p, CDOC_M_CPU_SYS,
		             100.0 * w->d_stime * tick / secs);
		metrics__set(p, CDOC_M_RUNQ, 100.0 * w->runq_ns / w->dt_ns);
		metrics__set(p, CDOC_M_BLOCKED,
		             100.0 * w->blocked_ns / w->dt_ns);
	}
	if (w->have_fds) {
		for (k = 0; k < METRICS_FD_KINDS; k++) {
			metrics__set(p, CDOC_M_FDS_FILE + k, w->fds[k]);
			sum += w->fds[k];
		}
		metrics__set(p, CDOC_M_FDS, sum);
	}
	if (w->have_limit)
		metrics__set(p, CDOC_M_FDS_LIMIT_PCT, w->fds_limit_pct);
	for (size_t i = 0; i < s->nr_threads; i++)
		s->threads[i].name = s->names[i];
}

int cdoc_metrics_sample(struct cdoc_metrics_sampler *s,
                        struct cdoc_metrics_point *out)
{
	struct walk w;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.p = out;
	out->time_ns = cdoc_now_ns();
	if (s->have_prev && out->time_ns > s->prev_ns)
		w.dt_ns = out->time_ns - s->prev_ns;
	/* Processes are forked mostly by main threads: the other threads'
	 * children are read every CHILDREN_EVERY samples (a process once
	 * found stays followed), which saves a third of the reads. */
	w.all_children = s->nr_samples++ % CHILDREN_EVERY == 0;
	start_walk(&w);
	ret = walk_tree(&w);
	if (!ret) {
		set_rates(&w);
		metrics__machine(s, out);
		metrics__cgroup(s, out, w.dt_ns / 1e9);
		s->have_prev = 1;
		s->prev_ns = out->time_ns;
	}
	end_walk(&w);
	if (ret == -2)
		return cdoc_error(-ESRCH, "process %d is gone", (int)s->pid);
	if (ret < 0)
		return cdoc_error(-CDOC_EFORMAT,
		                  "/proc/%d/stat: unexpected format",
		                  (int)s->pid);
	return 0;
}

size_t cdoc_metrics_values(const struct cdoc_metrics_point *p,
                           const char **out_names, double *values)
{
	size_t i, n = 0;

	for (i = 0; i < CDOC_M_COUNT; i++) {
		if (!p->have[i])
			continue;
		out_names[n] = names[i];
		values[n++] = p->v[i];
	}
	return n;
}

int cdoc_metrics_write(struct cdoc_rec_writer *w, uint64_t time_ns,
                       const struct cdoc_metrics_point *p)
{
	const char *n[CDOC_M_COUNT];
	double v[CDOC_M_COUNT];
	size_t nr = cdoc_metrics_values(p, n, v);

	return cdoc_rec_metrics(w, time_ns, n, v, nr);
}

int cdoc_metrics_write_threads(struct cdoc_rec_writer *w, uint64_t time_ns,
                               const struct cdoc_metrics_sampler *s)
{
	struct cdoc_rec_threadstats ts = {time_ns, s->nr_threads, s->threads};

	return s->nr_threads ? cdoc_rec_threadstats(w, &ts) : 0;
}
