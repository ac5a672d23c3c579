/*
 * ext.c - EXT records: evidence other than allocations (event-loop ticks,
 * descriptors) sent through the same per-thread batches as allocation
 * events, so that they share the channel, its ordering per thread and its
 * flushing (lib/alloc/stream.h).
 */
#include <errno.h>
#include <string.h>

#include "alloc/internal.h"

/*
 * Append an EXT record of @kind with @len bytes at @payload to the calling
 * thread's batch; with @flush, send the batch now. Returns 0, or -1 when
 * nothing was appended: tracking is off (or not started yet), the payload
 * is longer than CDOC_AEXT_MAX, or the thread is inside the shim already
 * (a signal handler interrupted it: the half-written batch is left
 * alone). errno is kept; nothing here allocates through malloc.
 */
int shim_ext(unsigned kind, const void *payload, size_t len, int flush)
{
	struct tstate *ts = &shim_tls;
	unsigned char *p;
	int saved;

	if (!shim.enabled || len > CDOC_AEXT_MAX || ts->busy)
		return -1;
	saved = errno;
	ts->busy = 1;
	ts = shim_thread();
	shim_lock(ts);
	p = shim_reserve(ts, len + 24);
	*p++ = CDOC_AREC_EXT;
	p = put_v(p, kind);
	p = put_v(p, len);
	memcpy(p, payload, len);
	shim_commit(ts, p + len);
	if (flush)
		shim_flush(ts);
	shim_unlock(ts);
	ts->busy = 0;
	errno = saved;
	return 0;
}
