/*
 * lock_mutex_pool - a thread-pool HTTP server (THREADS=24) where every
 * request updates shared statistics in update_shared_stats while holding
 * one global mutex, and does the expensive part (re-ranking the top
 * paths) inside the critical section. Requests serialise on the lock:
 * most threads wait off-CPU in pthread_mutex_lock while one holder runs.
 * Right verdict: lock-contention, culprit update_shared_stats.
 */
#include "httpd.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define SLOTS 1024

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t hits[SLOTS];
static long rank_rounds;

/* Counts the hit and recomputes the busiest slot, all under the lock. */
__attribute__((noinline)) static unsigned update_shared_stats(const char *path)
{
	uint64_t h = 1469598103934665603ull, best = 0;
	unsigned top = 0;

	for (const char *p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	pthread_mutex_lock(&stats_lock);
	hits[h % SLOTS]++;
	for (long r = 0; r < rank_rounds; r++)
		for (unsigned i = 0; i < SLOTS; i++) {
			uint64_t score = hits[i] * 31 + (i ^ r);

			if (score > best) {
				best = score;
				top = i;
			}
		}
	pthread_mutex_unlock(&stats_lock);
	return top;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	srv_appendf(out, "%s counted, top slot %u\n", rq->path,
	            update_shared_stats(rq->path));
	return 200;
}

int main(void)
{
	rank_rounds = srv_env("RANK_ROUNDS", 40);
	return srv_run_pool(srv_listen(), (int)srv_env("THREADS", 24), handle);
}
