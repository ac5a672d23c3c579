/*
 * blocked_report_loop - a single-threaded epoll HTTP server whose loop is
 * blocked: every REPORT_EVERY-th (100) request renders a "report"
 * synchronously, in the loop, in render_report_sync (about 10-30 ms of CPU
 * on one core), while the other requests are cheap. Every connection
 * waits while the report renders: long ticks, high latency.
 * Right verdict: event-loop-blocked, culprit render_report_sync.
 */
#include "httpd.h"

#include <stdint.h>

static long report_every, report_rows;

/* Aggregates report_rows synthetic rows, one pass per column. */
__attribute__((noinline)) static uint64_t render_report_sync(unsigned long id)
{
	uint64_t sum = id, x = id * 2654435761u + 1;

	for (long col = 0; col < 16; col++)
		for (long row = 0; row < report_rows; row++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sum += (x % 1000) * (uint64_t)(col + 1);
		}
	return sum;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	if (rq->seq % report_every == 0)
		srv_appendf(out, "report %lu: total %llu\n", rq->seq,
		            (unsigned long long)render_report_sync(rq->seq));
	else
		srv_appendf(out, "item %s\n", rq->path);
	return 200;
}

int main(void)
{
	report_every = srv_env("REPORT_EVERY", 100);
	report_rows = srv_env("REPORT_ROWS", 480000);
	return srv_run_epoll(srv_listen(), handle, NULL);
}
