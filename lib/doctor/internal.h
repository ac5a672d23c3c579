/*
 * internal.h - what the doctor's rules share: walking the samples of a
 * profile as frame arrays, classifying frame names, and the rule table.
 */
#ifndef CDOC_DOCTOR_INTERNAL_H
#define CDOC_DOCTOR_INTERNAL_H

#include "doctor/doctor.h"

/*
 * Call @fn once per distinct stack with self weight in column 0 of @p:
 * @frames[0] is the outermost frame, @frames[n-1] the leaf.
 */
typedef void (*stack_fn)(void *ctx, const char *const *frames, size_t n,
                         uint64_t weight);
void doctor__walk(const struct cdoc_profile *p, stack_fn fn, void *ctx);

/* Frame kinds. */
int doctor__frame_is_kernel(const char *name); /* ends in _[k] */
int doctor__frame_is_alloc(const char *name);  /* malloc, free, new, ... */
int doctor__frame_is_lock(const char *name);   /* futex, mutex, ... */
/* "module+0xoff": 1 and the module's length in *@modlen. */
int doctor__frame_is_unresolved(const char *name, size_t *modlen);
/* The syscall of a kernel frame ("__x64_sys_write_[k]" -> "write"),
 * its length in *@len; NULL when the frame is no syscall entry. */
const char *doctor__frame_syscall(const char *name, size_t *len);

/* Percent of @part in @whole (0 when @whole is 0). */
static inline double pct(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0;
}

/*
 * struct tally - weights by name, for "top 3 callers" details. Owns
 * its strings.
 */
struct tally {
	struct cdoc_strtab names;
	uint64_t *w;
	size_t alloc;
};
void doctor__tally_init(struct tally *t);
void doctor__tally_add(struct tally *t, const char *name, size_t len,
                       uint64_t w);
/* Append "a (12.3%), b (4.5%)" for the top @k names, % of @whole. */
void doctor__tally_top(const struct tally *t, size_t k, uint64_t whole,
                       struct cdoc_buf *out);
void doctor__tally_release(struct tally *t);

/*
 * Path of the heaviest call chain that ends in function @name, as
 * "a -> b -> name", the last @max frames ("... -> " when cut).
 */
void doctor__heaviest_chain(const struct cdoc_profile *p, const char *name,
                            size_t max, struct cdoc_buf *out);

/* The rules, each in its file. */
void doctor__rule_no_samples(struct cdoc_recording *r,
                             struct cdoc_diagnoses *d);
void doctor__rule_hot_function(struct cdoc_recording *r,
                               struct cdoc_diagnoses *d);
void doctor__rule_kernel_heavy(struct cdoc_recording *r,
                               struct cdoc_diagnoses *d);
void doctor__rule_lock_contention(struct cdoc_recording *r,
                                  struct cdoc_diagnoses *d);
void doctor__rule_alloc_heavy(struct cdoc_recording *r,
                              struct cdoc_diagnoses *d);
void doctor__rule_idle(struct cdoc_recording *r, struct cdoc_diagnoses *d);
void doctor__rule_data_quality(struct cdoc_recording *r,
                               struct cdoc_diagnoses *d);
void doctor__rule_unresolved(struct cdoc_recording *r,
                             struct cdoc_diagnoses *d);
void doctor__rule_crash(struct cdoc_recording *r, struct cdoc_diagnoses *d);
void doctor__rule_fallback(struct cdoc_recording *r, struct cdoc_diagnoses *d);
void doctor__rule_cut_short(struct cdoc_recording *r, struct cdoc_diagnoses *d);
void doctor__rule_memory_growth(struct cdoc_recording *r,
                                struct cdoc_diagnoses *d);
void doctor__rule_leaks(struct cdoc_recording *r, struct cdoc_diagnoses *d);

/* Sample count of the run: counter "samples", else the cpu total. */
uint64_t doctor__samples(struct cdoc_recording *r);

/* ---- the verdict (verdict.c, culprit.c, vrules_*.c) ---- */

/* The profiles the verdict reads, by index in struct vctx's ->prof. */
enum vprof {
	VP_CPU,     /* "cpu": samples */
	VP_LOCK,    /* "offcpu_lock": ns */
	VP_DISK,    /* "offcpu_disk": ns */
	VP_NET,     /* "offcpu_net": ns */
	VP_SLEEP,   /* "offcpu_sleep": ns */
	VP_OTHER,   /* "offcpu_other": ns */
	VP_FDOPEN,  /* "fd_open": fds */
	VP_FDCLOSE, /* "fd_close": fds */
	VP_FDLIVE,  /* "fd_live": fds open at exit (untimed) */
	VP_LEAKED,  /* "leaked_bytes": heap live at exit (untimed) */
	VP_N
};

/* One thread seen in the window: its time by kind. */
struct vthread {
	uint32_t pid, tid;
	double ns[VP_N]; /* cpu in ns (samples x period), off-CPU in ns */
	double mutex_ns; /* the part of ns[VP_LOCK] spent acquiring locks */
	int net;         /* it waited on or called into the network */
	int loop;        /* a loop thread (TICKS) */
	int runtime;     /* a managed runtime's helper (JIT, GC) */
	uint32_t comm;   /* its name: a string id in ctx->names, 0 none */
};

/* One event-loop thread (from TICKS), over the window. */
struct vspan {
	uint64_t start, end;
};
struct vloop {
	uint32_t pid, tid;
	uint64_t nticks, busy_ns, max_ns;
	uint64_t hist[32];
	struct vspan *longs; /* long ticks that overlap the window, sorted */
	size_t nr_longs, alloc_longs;
	uint64_t blocked_ns; /* their time inside the window */
};

/* The evidence gathered once for every verdict rule. */
struct vctx {
	struct cdoc_recording *r;
	uint64_t w0, w1;      /* the window, ns since the run started */
	const char *wrule;    /* how it was chosen */
	int timed;            /* samples kept their times (TSAMPLES) */
	double period_ns;     /* on-CPU time one cpu sample stands for */
	int prof[VP_N];       /* index in r->profiles, or -1 */
	int prof_timed[VP_N]; /* its samples kept times */
	int offcpu;           /* off-CPU profiles were recorded */
	struct vthread *thr;  /* threads with samples in the window */
	size_t nr_thr, alloc_thr;
	struct cdoc_u64map thr_of; /* tid -> index in ->thr */
	double tot[VP_N];          /* sums over threads */
	double mutex_ns;           /* lock waits acquiring a lock */
	double work_ns;            /* cpu + mutex + disk + downstream outside
	                              long ticks, + the long ticks */
	struct vloop *loops;
	size_t nr_loops, alloc_loops;
	struct cdoc_u64map loop_of; /* tid -> index in ->loops */
	int skip_long;              /* doctor__vsamples leaves out samples
	                               inside long ticks (the loop verdict's) */
	double downstream_ns;       /* net waits nested in request handling */
	int loop_blocked;           /* the loop rule's thresholds are met */
	double loop_blocked_pct;    /* long ticks' share of the loops' time */
	double loop_share;          /* loop work inside long ticks, % */
	double long_work_ns;        /* sampled time inside long ticks */
	uint64_t long_tick_ns;
	struct cdoc_strtab names;    /* culprit and via names (id 0: "") */
	struct cdoc_strtab fi_names; /* frame strings with FRAMEINFO */
	uint32_t *fi_idx;            /* fi_names id -> r->frames index */
	uint32_t *memo[VP_N];        /* node -> culprit id + 1, per profile */
	uint32_t *memo_via[VP_N];    /* node -> via id + 1 */
	uint8_t *memo_kind[VP_N];    /* node -> enum vkind + 1 */
};

/* What the leaf side of a stack (below its culprit) is doing. */
enum vkind {
	VK_OWN,    /* the own code itself, or a library it called */
	VK_KERNEL, /* a system call or the kernel */
	VK_ALLOC,  /* the allocator */
	VK_SHIM,   /* cdoctor's allocation tracking */
	VK_LOCK,   /* acquiring a lock (mutex, rwlock, spin) */
	VK_COND,   /* waiting for work (condition variable, semaphore) */
};

/*
 * The culprit of the stack ending in @node of profile @vp: the first
 * own-code frame from the leaf (above libc, the allocator, the kernel).
 * *@via gets the frame it called ("fsync"; id 0: none), *@kind what the
 * leaf side does. Returns the culprit's id in ctx->names (0: no frame).
 */
uint32_t doctor__culprit(struct vctx *c, int vp, uint32_t node, uint32_t *via,
                         enum vkind *kind);
/* Whether frame @name is the program's own code (not libc, kernel, ...). */
int doctor__frame_is_own(struct vctx *c, const char *name);
/* "file.c:42" of frame @name when FRAMEINFO has it, else NULL (static
 * storage of the recording). *@line gets the line. */
const char *doctor__frame_where(struct vctx *c, const char *name,
                                unsigned *line);

/* Weights by culprit, for one verdict. */
struct vtally {
	double *w;
	uint32_t *via;
	size_t alloc;
	double total;
};
void doctor__vtally_add(struct vtally *t, uint32_t who, uint32_t via, double w);
/* Culprit ids with weight, heaviest first, into *@ids (caller frees). */
size_t doctor__vtally_sorted(const struct vtally *t, uint32_t **ids);
void doctor__vtally_release(struct vtally *t);

/*
 * Call @fn for each sample of profile @vp in the window (all samples of
 * the tree when the recording kept no times: tid 0, time 0).
 */
typedef void (*vsample_fn)(struct vctx *c, void *arg, uint32_t tid, uint64_t t,
                           uint32_t node, double w);
void doctor__vsamples(struct vctx *c, int vp, vsample_fn fn, void *arg);

/* The thread @tid of ctx->thr, added when new (verdict.c). */
struct vthread *doctor__vthread(struct vctx *c, uint32_t tid);

/* The heaviest culprit of @t and its weight (0 when empty). */
uint32_t doctor__vtally_top(const struct vtally *t, double *w);

/* CPU time of the window by kind; own code and allocator by culprit. */
struct vcpu {
	struct vtally own, alloc;
	double kernel_ns, shim_ns, lock_ns;
	const struct cdoc_u64map *only; /* tids to count, or NULL */
};
/* Split the cpu samples of the window (of the threads in @only, when
 * not NULL) into @s; release with doctor__cpu_split_release(). */
void doctor__cpu_split(struct vctx *c, struct vcpu *s,
                       const struct cdoc_u64map *only);
void doctor__cpu_split_release(struct vcpu *s);

/*
 * Network waits nested in request handling (vrules_time.c): a wait in
 * recv/read/connect/... whose stack passes through a function that
 * itself waits for the network further out (the connection loop that
 * reads the next request) is a downstream call (a backend, a database),
 * not a wait for work. Their time, tallied by culprit into @t when not
 * NULL; outside long ticks.
 */
double doctor__downstream(struct vctx *c, struct vtally *t);

/* Verdict helpers (verdict.c). */
void doctor__v_culprits(struct vctx *c, struct cdoc_verdict *v,
                        const struct vtally *t, size_t max,
                        double impact_scale);
void doctor__v_evidence(struct cdoc_verdict *v, const char *name, double value,
                        const char *unit);
void doctor__v_rec(struct cdoc_verdict *v, const char *fmt, ...)
        CDOC_PRINTF(2, 3);
void doctor__v_summary(struct cdoc_verdict *v, const char *fmt, ...)
        CDOC_PRINTF(2, 3);
/* Mean of metric @name over the window; -1 when absent. */
double doctor__v_metric_mean(struct vctx *c, const char *name);
/* Window length in seconds. */
double doctor__v_window_s(const struct vctx *c);

/* Load the loop threads of TICKS into ctx->loops (ticks.c). */
void doctor__loops_load(struct vctx *c);
/* Measure the loops (ctx->loop_*) from samples over all the window's
 * time; sets ctx->loop_blocked when the loop rule's thresholds are met
 * (vrules_loop.c). */
void doctor__loop_measure(struct vctx *c);
/* The loop thread @tid, or NULL. */
const struct vloop *doctor__loop_of(const struct vctx *c, uint32_t tid);
/* Whether time @t of thread @tid is inside one of its long ticks. */
int doctor__in_long_tick(const struct vctx *c, uint32_t tid, uint64_t t);

/*
 * Verdict rules: each measures one category and fills @v (initialized,
 * empty) when it crosses its threshold; v->category stays NULL when not.
 */
typedef void (*vrule_fn)(struct vctx *c, struct cdoc_verdict *v);
void doctor__v_loop(struct vctx *c, struct cdoc_verdict *v);
void doctor__v_hotspot(struct vctx *c, struct cdoc_verdict *v);
void doctor__v_lock(struct vctx *c, struct cdoc_verdict *v);
void doctor__v_io(struct vctx *c, struct cdoc_verdict *v);
void doctor__v_churn(struct vctx *c, struct cdoc_verdict *v);
void doctor__v_saturation(struct vctx *c, struct cdoc_verdict *v);
void doctor__v_throttled(struct vctx *c, struct cdoc_verdict *v);
void doctor__v_memleak(struct vctx *c, struct cdoc_verdict *v);
void doctor__v_fdleak(struct vctx *c, struct cdoc_verdict *v);
/*
 * The Node rules (gc-pressure, ...): lib/doctor/rules_node.c defines
 * this when it exists; a weak reference, called only when linked in.
 * @generic are the generic rules' candidates: it may rank their
 * blocked-loop or hotspot finding of a Node loop below its own, or drop
 * it (rules_node.c).
 */
void doctor__v_node(struct vctx *c, struct cdoc_verdict *v,
                    struct cdoc_verdict *generic, size_t nr_generic)
        __attribute__((weak));

#endif
