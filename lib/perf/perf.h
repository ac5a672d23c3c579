/*
 * perf.h - perf_event_open for sampling profilers: event names, ring
 * buffers and record decoding.
 *
 * Event names go through libpfm4 (any name `perf list` or libpfm4 knows),
 * except the software events cpu-clock, task-clock, page-faults and
 * context-switches, which are encoded directly. A hardware event the
 * machine cannot count (a VM without a PMU) falls back to cpu-clock with a
 * reason the caller shows once: nothing silent.
 *
 * struct cdoc_perf_ring maps one event's ring buffer and hands out its
 * records one at a time (a record that wraps around the end of the ring is
 * copied into a scratch buffer, so callers always see contiguous bytes).
 * The decoders check every length against the record size and never read
 * past it: a malformed record is an error, never a crash.
 */
#ifndef CDOC_PERF_H
#define CDOC_PERF_H

#include <linux/perf_event.h>
#include <perfmon/pfmlib.h>
#include <sys/types.h>

#include "base/base.h"

/* perf_event_open(2); returns the fd or -errno. */
int cdoc_perf_open(struct perf_event_attr *attr, pid_t pid, int cpu,
                   int group_fd, unsigned long flags);

/*
 * struct cdoc_perf_event - a resolved event name.
 * ->fallback_reason is owned (NULL when the requested event is used);
 * cdoc_perf_event_release() frees it.
 */
struct cdoc_perf_event {
	struct perf_event_attr attr; /* type, config, config1/2 set */
	char name[128];              /* the event actually used */
	char requested[128];         /* the name asked for */
	char *fallback_reason;       /* why another event is used, or NULL */
};

/*
 * Resolve @name into @ev->attr (type and config only; the caller sets
 * sampling fields). NULL or "" means cpu-clock. The event is tried with a
 * counting perf_event_open on this process: when the kernel refuses it as
 * unsupported (ENOENT, EOPNOTSUPP, ENODEV, EINVAL for a hardware or raw
 * event), @ev falls back to cpu-clock and ->fallback_reason says why.
 * Returns 0, or -EINVAL with a message for a name nobody knows.
 */
/*
 * libpfm4's entry points. The library is opened with dlopen() on the
 * first call (its event tables cost ~43,000 relocations at load time,
 * which runs that name no hardware event need not pay), not initialized.
 * NULL when it cannot be loaded. Not thread-safe on the first call.
 */
struct cdoc_perf_pfm {
	__typeof__(pfm_initialize) *initialize;
	__typeof__(pfm_strerror) *strerror;
	__typeof__(pfm_get_os_event_encoding) *encode;
	__typeof__(pfm_get_pmu_info) *get_pmu_info;
};
const struct cdoc_perf_pfm *cdoc_perf_pfm(void);

int cdoc_perf_event_resolve(struct cdoc_perf_event *ev, const char *name);
void cdoc_perf_event_release(struct cdoc_perf_event *ev);

/*
 * struct cdoc_perf_ring - one mmap'ed perf ring buffer.
 * Owns the mapping and the scratch buffer, not the fd.
 */
struct cdoc_perf_ring {
	int fd;                            /* the event that owns the ring */
	struct perf_event_mmap_page *page; /* header page */
	char *data;                        /* data area */
	size_t data_size;                  /* bytes, a power of two */
	uint64_t tail;                     /* next byte to read */
	uint64_t head;           /* end of what is known to be written */
	struct cdoc_buf scratch; /* a record that wrapped around */
	uint64_t bad_records;    /* records with impossible sizes */
};

/*
 * Map @pages data pages (a power of two) of @fd's ring. 0 or -errno with
 * a message.
 */
int cdoc_perf_ring_map(struct cdoc_perf_ring *r, int fd, size_t pages);
void cdoc_perf_ring_unmap(struct cdoc_perf_ring *r);

/*
 * The next record, or NULL when the ring is empty. The pointer is valid
 * until the next call or cdoc_perf_ring_done(). A corrupt size (smaller
 * than a header, or larger than what was written) discards what is left
 * and counts ->bad_records.
 */
const struct perf_event_header *cdoc_perf_ring_next(struct cdoc_perf_ring *r);
/* Give the bytes read so far back to the kernel. */
void cdoc_perf_ring_done(struct cdoc_perf_ring *r);

/*
 * struct cdoc_perf_sample - a decoded PERF_RECORD_SAMPLE. Pointers point
 * into the record.
 */
struct cdoc_perf_sample {
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu;
	uint64_t period;
	uint64_t nr_chain;     /* PERF_SAMPLE_CALLCHAIN entries */
	const uint64_t *chain; /* with PERF_CONTEXT_* markers */
	uint64_t regs_abi;     /* PERF_SAMPLE_REGS_ABI_*, 0: no regs */
	const uint64_t *regs;  /* one per bit of the mask */
	const char *stack;     /* user stack copy */
	uint64_t stack_size;   /* bytes valid at ->stack (dyn_size) */
};

/*
 * Decode @h (a PERF_RECORD_SAMPLE) for @sample_type (only IP, TID, TIME,
 * CPU, PERIOD, CALLCHAIN, REGS_USER, STACK_USER are supported) and
 * @regs_mask. 0 or -CDOC_EFORMAT when the record is too short.
 */
int cdoc_perf_parse_sample(const struct perf_event_header *h,
                           uint64_t sample_type, uint64_t regs_mask,
                           struct cdoc_perf_sample *out);

/*
 * The time of a non-sample record written with sample_id_all and
 * @sample_type (TID, TIME, CPU, ... trailer); 0 when it has none.
 */
uint64_t cdoc_perf_record_time(const struct perf_event_header *h,
                               uint64_t sample_type);

/*
 * The pid and tid in the trailer of a non-sample record written with
 * sample_id_all and @sample_type (for PERF_RECORD_SWITCH: the thread
 * switched). 0, or -CDOC_EFORMAT when it has none.
 */
int cdoc_perf_record_tid(const struct perf_event_header *h,
                         uint64_t sample_type, uint32_t *pid, uint32_t *tid);

/* struct cdoc_perf_side - a decoded side-band record. */
struct cdoc_perf_side {
	uint32_t type;             /* PERF_RECORD_* */
	uint32_t pid, tid;         /* MMAP2, COMM, FORK, EXIT */
	uint32_t ppid, ptid;       /* FORK, EXIT */
	int exec;                  /* COMM: PERF_RECORD_MISC_COMM_EXEC */
	uint64_t addr, len, pgoff; /* MMAP2 */
	uint32_t prot;             /* MMAP2 */
	const char *str;           /* MMAP2 filename, COMM comm (NUL-terminated
				 within the record) */
	uint64_t lost;             /* LOST: records lost */
};

/*
 * Decode a MMAP2, COMM, FORK, EXIT or LOST record. Returns 0, 1 for a type
 * it does not decode (left to the caller), or -CDOC_EFORMAT.
 */
int cdoc_perf_parse_side(const struct perf_event_header *h,
                         struct cdoc_perf_side *out);

/* Number of online CPUs (possible CPU ids 0..n-1) or a negative code. */
int cdoc_perf_nr_cpus(void);

#endif
