/*
 * ring.c - reading a perf mmap ring buffer, record by record.
 *
 * The kernel writes at data_head and we read at data_tail: load the head
 * with acquire ordering, read records up to it, then store the tail with
 * release ordering so the kernel may reuse the space.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "perf/perf.h"

int cdoc_perf_ring_map(struct cdoc_perf_ring *r, int fd, size_t pages)
{
	long psz = sysconf(_SC_PAGESIZE);
	void *p;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	if (!pages || (pages & (pages - 1)))
		return cdoc_error(-EINVAL,
		                  "ring size %zu pages is not a power "
		                  "of two",
		                  pages);
	p = mmap(NULL, (pages + 1) * psz, PROT_READ | PROT_WRITE, MAP_SHARED,
	         fd, 0);
	if (p == MAP_FAILED)
		return cdoc_error(-errno, "cannot map a %zu KiB perf ring: %s",
		                  pages * psz / 1024, strerror(errno));
	r->page = p;
	r->data = (char *)p + psz;
	r->data_size = pages * psz;
	r->tail = r->head =
	        __atomic_load_n(&r->page->data_tail, __ATOMIC_ACQUIRE);
	return 0;
}

void cdoc_perf_ring_unmap(struct cdoc_perf_ring *r)
{
	if (r->page)
		munmap(r->page, r->data_size + sysconf(_SC_PAGESIZE));
	r->page = NULL;
	cdoc_buf_release(&r->scratch);
}

/* Copy @len bytes at ring offset @pos into @dst, wrapping around. */
static void ring_copy(const struct cdoc_perf_ring *r, uint64_t pos, void *dst,
                      size_t len)
{
	size_t off = pos & (r->data_size - 1);
	size_t first = CDOC_MIN(len, r->data_size - off);

	memcpy(dst, r->data + off, first);
	memcpy((char *)dst + first, r->data, len - first);
}

const struct perf_event_header *cdoc_perf_ring_next(struct cdoc_perf_ring *r)
{
	struct perf_event_header h;
	size_t off;

	if (!r->page)
		return NULL;
	if (r->tail == r->head)
		r->head =
		        __atomic_load_n(&r->page->data_head, __ATOMIC_ACQUIRE);
	if (r->head - r->tail < sizeof(h))
		return NULL;
	ring_copy(r, r->tail, &h, sizeof(h));
	if (h.size < sizeof(h) || h.size > r->head - r->tail) {
		r->bad_records++;
		r->tail = r->head;
		return NULL;
	}
	off = r->tail & (r->data_size - 1);
	r->tail += h.size;
	if (off + h.size <= r->data_size)
		return (const void *)(r->data + off);
	cdoc_buf_reset(&r->scratch);
	cdoc_buf_grow(&r->scratch, h.size);
	ring_copy(r, r->tail - h.size, r->scratch.buf, h.size);
	return (const void *)r->scratch.buf;
}

void cdoc_perf_ring_done(struct cdoc_perf_ring *r)
{
	if (r->page)
		__atomic_store_n(&r->page->data_tail, r->tail,
		                 __ATOMIC_RELEASE);
}

int cdoc_perf_nr_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n > 0 ? (int)n : -EINVAL;
}
