/*
 * sampler.h - a minimal perf_event_open sampler for the unwind tests: one
 * task-clock event on a child process with PERF_SAMPLE_REGS_USER and
 * PERF_SAMPLE_STACK_USER, its ring buffer read in place. It hands each
 * sample's registers and stack copy to a callback.
 */
#ifndef CDOC_TESTS_SAMPLER_H
#define CDOC_TESTS_SAMPLER_H

#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SAMPLER_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SAMPLER_PAGES     256 /* data pages (power of two) */

struct sampler {
	int fd;
	struct perf_event_mmap_page *page;
	uint8_t *data;
	size_t size;
	uint8_t rec[1 << 16]; /* one record, unwrapped (size is a u16) */
};

/* One sample: callback(arg, pid, regs, nregs, stack, stack_len). */
typedef void (*sample_fn)(void *arg, uint32_t pid, const uint64_t *regs,
                          const uint8_t *stack, size_t stack_len);

/* Open the event on @pid; returns 0 or -errno. */
static inline int sampler_open(struct sampler *s, pid_t pid, uint64_t regs,
                               uint32_t stack_size)
{
	struct perf_event_attr attr;
	size_t len = (SAMPLER_PAGES + 1) * 4096;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.sample_period = 2000000; /* 2 ms of CPU */
	attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID |
	                   PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
	attr.sample_regs_user = regs;
	attr.sample_stack_user = stack_size;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	attr.disabled = 1;
	s->fd = syscall(SYS_perf_event_open, &attr, pid, -1, -1, 0);
	if (s->fd < 0)
		return -errno;
	s->page = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
	if (s->page == MAP_FAILED) {
		close(s->fd);
		return -errno;
	}
	s->data = (uint8_t *)s->page + 4096;
	s->size = SAMPLER_PAGES * 4096;
	return ioctl(s->fd, PERF_EVENT_IOC_ENABLE, 0) < 0 ? -errno : 0;
}

static inline void copy_out(struct sampler *s, uint64_t at, void *dst, size_t n)
{
	size_t off = at % s->size, first = SAMPLER_MIN(n, s->size - off);

	memcpy(dst, s->data + off, first);
	memcpy((uint8_t *)dst + first, s->data, n - first);
}

/* Decode one PERF_RECORD_SAMPLE in s->rec. */
static inline void decode(struct sampler *s, int nregs, sample_fn fn, void *arg)
{
	const uint8_t *p = s->rec + sizeof(struct perf_event_header);
	uint64_t abi, size, dyn;
	const uint64_t *regs;
	uint32_t pid;

	p += 8; /* ip */
	memcpy(&pid, p, 4);
	p += 8; /* pid, tid */
	memcpy(&abi, p, 8);
	p += 8;
	if (abi == PERF_SAMPLE_REGS_ABI_NONE)
		return;
	regs = (const uint64_t *)p;
	p += 8 * nregs;
	memcpy(&size, p, 8);
	p += 8;
	if (!size)
		return;
	memcpy(&dyn, p + size, 8);
	fn(arg, pid, regs, p, SAMPLER_MIN(dyn, size));
}

/* Hand every record available now to @fn; returns samples seen. */
static inline int sampler_drain(struct sampler *s, int nregs, sample_fn fn,
                                void *arg)
{
	uint64_t head = __atomic_load_n(&s->page->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = s->page->data_tail;
	int n = 0;

	while (tail < head) {
		struct perf_event_header h;

		copy_out(s, tail, &h, sizeof(h));
		if (h.size < sizeof(h))
			break;
		copy_out(s, tail, s->rec, h.size);
		if (h.type == PERF_RECORD_SAMPLE) {
			decode(s, nregs, fn, arg);
			n++;
		}
		tail += h.size;
	}
	__atomic_store_n(&s->page->data_tail, tail, __ATOMIC_RELEASE);
	return n;
}

/* Sample for @ms milliseconds of wall time; returns samples seen. */
static inline int sampler_run(struct sampler *s, int nregs, int ms,
                              sample_fn fn, void *arg)
{
	struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
	int n = 0, i;

	for (i = 0; i < ms / 10; i++) {
		poll(&pfd, 1, 10);
		n += sampler_drain(s, nregs, fn, arg);
	}
	ioctl(s->fd, PERF_EVENT_IOC_DISABLE, 0);
	return n + sampler_drain(s, nregs, fn, arg);
}

static inline void sampler_close(struct sampler *s)
{
	munmap(s->page, (SAMPLER_PAGES + 1) * 4096);
	close(s->fd);
}

#endif
