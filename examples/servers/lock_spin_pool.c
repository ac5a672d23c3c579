/*
 * lock_spin_pool - a thread-pool HTTP server (THREADS=16) where every
 * request adds a latency sample to a shared histogram in
 * record_latency_sample under one pthread spinlock, and re-weights the
 * histogram (SPIN_ROUNDS cells) inside the critical section. Waiters
 * never leave the CPU: they spin in pthread_spin_lock, so the contention
 * is on-CPU time, not offcpu_lock (a holder preempted on a busy machine
 * makes them spin longer). Right verdict: lock-contention, culprit
 * record_latency_sample.
 */
#include "httpd.h"

#include <pthread.h>
#include <stdint.h>

#define CELLS 4096

static pthread_spinlock_t hist_lock;
static uint64_t hist[CELLS];
static long spin_rounds;

/* Adds the sample and re-weights part of the histogram, under the lock. */
__attribute__((noinline)) static uint64_t record_latency_sample(unsigned v)
{
	uint64_t peak = 0;

	pthread_spin_lock(&hist_lock);
	for (long i = 0; i < spin_rounds; i++) {
		uint64_t *s = &hist[(v + i * 13) & (CELLS - 1)];

		*s = *s * 3 + v + (*s >> 11);
		if (*s > peak)
			peak = *s;
	}
	pthread_spin_unlock(&hist_lock);
	return peak;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	unsigned v = (unsigned)(rq->seq * 2654435761u);

	srv_appendf(out, "%s noted, peak %llu\n", rq->path,
	            (unsigned long long)record_latency_sample(v) % 1000);
	return 200;
}

int main(void)
{
	spin_rounds = srv_env("SPIN_ROUNDS", 32000);
	pthread_spin_init(&hist_lock, PTHREAD_PROCESS_PRIVATE);
	return srv_run_pool(srv_listen(), (int)srv_env("THREADS", 16), handle);
}
