/*
 * offcpu_tail.c - one thread ("napper") that naps many times for a
 * millisecond, then once for NAP_LONG_MS, all through one function
 * (nap). For tests/e2e/run_offcpu_every.sh: with --offcpu-every N most
 * waits have no stack of their own, and the long one at the end is the
 * one that matters; its time must be in offcpu_sleep all the same.
 * Usage: offcpu_tail [SHORT_NAPS] (default 300).
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>

#define NAP_LONG_MS 600

__attribute__((noinline)) static void nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void *napper(void *arg)
{
	long n = *(long *)arg;

	prctl(PR_SET_NAME, "napper");
	for (long i = 0; i < n; i++)
		nap(1);
	nap(NAP_LONG_MS);
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 300;
	pthread_t t;

	if (n < 0 || pthread_create(&t, NULL, napper, &n))
		return 1;
	pthread_join(t, NULL);
	return 0;
}
