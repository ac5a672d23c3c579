/*
 * lock_rwlock_pool - a thread-pool HTTP server (THREADS=24) with a
 * session table behind a read-write lock, where every request takes the
 * WRITE lock in touch_session (to bump a last-seen time) and rehashes its
 * bucket chain while holding it. The read-mostly lock becomes an
 * exclusive one: threads wait off-CPU in pthread_rwlock_wrlock.
 * Right verdict: lock-contention, culprit touch_session.
 */
#include "httpd.h"

#include <pthread.h>
#include <stdint.h>

#define BUCKETS 4096

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static uint64_t last_seen[BUCKETS];
static long rehash_rounds;

/* Marks the session seen and rehashes its neighbourhood, write-locked. */
__attribute__((noinline)) static uint64_t touch_session(unsigned long id)
{
	uint64_t acc = id;

	pthread_rwlock_wrlock(&table_lock);
	last_seen[id % BUCKETS] = id;
	for (long r = 0; r < rehash_rounds; r++)
		for (unsigned i = 0; i < BUCKETS; i++)
			acc = acc * 6364136223846793005ull + last_seen[i] +
			      (i ^ r);
	pthread_rwlock_unlock(&table_lock);
	return acc;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	srv_appendf(out, "%s session %llx\n", rq->path,
	            (unsigned long long)touch_session(rq->seq));
	return 200;
}

int main(void)
{
	rehash_rounds = srv_env("REHASH_ROUNDS", 12);
	return srv_run_pool(srv_listen(), (int)srv_env("THREADS", 24), handle);
}
