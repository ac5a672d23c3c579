/*
 * offcpu.h - the off-CPU source: where threads of the target wait, and
 * for how long. A context-switch software event per CPU (inherit) takes
 * the switched-out thread's stack the way cpu samples are taken (user
 * registers and stack copy, unwound by cpu_records.c); its switch
 * records (attr.context_switch) give the time each thread came back.
 * Its rings are drained by the cpu source, in time order with the cpu
 * rings (whose MMAP2/COMM records the stacks need). The wait goes to
 * profile offcpu_lock, _disk, _net, _sleep or _other by
 * collect__offcpu_classify(); preemption (a runnable thread) is counted,
 * not profiled.
 */
#ifndef CDOC_COLLECT_OFFCPU_H
#define CDOC_COLLECT_OFFCPU_H

#include "collect/cpu.h"

/* What a thread waited in. */
enum offcpu_class {
	OFFCPU_LOCK,  /* futex: mutex, condition, rwlock, semaphore */
	OFFCPU_DISK,  /* fsync, file I/O, page-cache misses, block layer */
	OFFCPU_NET,   /* epoll/poll/select, accept, socket I/O */
	OFFCPU_SLEEP, /* nanosleep and its wrappers */
	OFFCPU_OTHER, /* anything else (pipes, wait4, unnamed frames) */
	OFFCPU_NR,
};

/* How many innermost user frames the classifier looks at. */
#define OFFCPU_USER_DEPTH 4

/*
 * The class of a wait whose stack has kernel frames @kern and user
 * frames @user (names as recorded, "_[k]" suffix or not; innermost
 * first; NULL entries are skipped). The first kernel frame that names a
 * wait decides; then the OFFCPU_USER_DEPTH innermost user frames (libc
 * wrappers: __lll_lock_wait, fsync, epoll_wait, nanosleep...). read and
 * write decide nothing alone: a socket and a file differ only in the
 * kernel. OFFCPU_OTHER when nothing matches.
 */
int collect__offcpu_classify(const char *const *kern, size_t nr_kern,
                             const char *const *user, size_t nr_user);

/* The profile name of class @cls ("offcpu_lock", ...). */
const char *collect__offcpu_profile(int cls);

/*
 * Add the off-CPU source to @s, after the cpu source @cpu (whose events
 * it copies and whose drain reads its rings). With @o->no_offcpu it
 * only writes META offcpu "off: --no-offcpu". It never ends the run: a
 * refusal (perf_event_paranoid, permissions, an unsupported event)
 * becomes META offcpu "off: REASON" and a notice.
 */
int collect__offcpu_add(struct cdoc_collector *s,
                        const struct cdoc_collect_opts *o, struct cpu_src *cpu);

/* One record from an off-CPU ring, in time order (cpu_records.c). */
void collect__offcpu_record(struct offcpu_src *o, struct cpu_src *c,
                            const struct perf_event_header *h);
/* The end of a round: unwind the samples still waiting for their
 * switch record (their bytes go with the round). */
void collect__offcpu_round_end(struct offcpu_src *o, struct cpu_src *c);
/* The run is over: no more records (a target that goes on running,
 * attached, would keep the last drain going). */
void collect__offcpu_disable(struct offcpu_src *o);
size_t collect__offcpu_nr_rings(const struct offcpu_src *o);
struct cdoc_perf_ring *collect__offcpu_ring(struct offcpu_src *o, size_t i);

#endif
