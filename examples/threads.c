/*
 * threads.c - N threads (default 4) named "worker-K", all spinning in
 * thread_hot_loop: every thread must be sampled.
 * Usage: threads [SECONDS] [N]. Prints each thread's id on stderr.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double secs = 2.0;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) uint64_t thread_hot_loop(uint64_t x)
{
	for (int i = 0; i < 50000; i++)
		x = x * 2862933555777941757ULL + 3037000493ULL;
	return x;
}

static void *worker(void *arg)
{
	double end = now() + secs;
	uint64_t x = (uintptr_t)arg;

	fprintf(stderr, "thread %ld\n", (long)syscall(SYS_gettid));
	while (now() < end)
		x = thread_hot_loop(x);
	return (void *)(uintptr_t)(x & 1);
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 4;
	pthread_t *t;

	secs = argc > 1 ? atof(argv[1]) : 2.0;
	if (n < 1 || n > 256)
		n = 4;
	t = calloc(n, sizeof(*t));
	for (int i = 0; i < n; i++) {
		char name[16];

		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i + 1));
		snprintf(name, sizeof(name), "worker-%d", i);
		pthread_setname_np(t[i], name);
	}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}
