/*
 * saturation_pool - a thread-pool HTTP server (THREADS=24) whose request
 * path is light, sharing the machine with COMPACTORS (3) background
 * threads that compact storage segments without pause (compact_segments).
 * On two cores the compactors oversubscribe the CPUs: request threads sit
 * in the run queue (runnable, not running) and throughput drops, although
 * no request does much work.
 * Right verdict: cpu-saturation, culprit compact_segments.
 */
#include "httpd.h"

#include <pthread.h>
#include <stdint.h>

static volatile uint64_t compacted;

/* Merges synthetic segments forever, a slice at a time, until stopped. */
__attribute__((noinline)) static void *compact_segments(void *arg)
{
	uint64_t x = (uintptr_t)arg + 1, sum = 0;

	pthread_setname_np(pthread_self(), "compactor");
	while (!srv_stopping()) {
		for (int i = 0; i < 200000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sum += x & 0xff;
		}
		compacted += sum & 1;
	}
	return NULL;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	srv_appendf(out, "%s ok (compacted %llu)\n", rq->path,
	            (unsigned long long)compacted);
	return 200;
}

int main(void)
{
	long n = srv_env("COMPACTORS", 3);
	unsigned long ids[64];
	int lfd = srv_listen();

	for (long i = 0; i < n && i < 64; i++)
		srv_thread(compact_segments, (void *)(uintptr_t)i, &ids[i]);
	srv_run_pool(lfd, (int)srv_env("THREADS", 24), handle);
	for (long i = 0; i < n && i < 64; i++)
		pthread_join((pthread_t)ids[i], NULL);
	return 0;
}
