/*
 * crasher.c - works in crasher_busy_work for a while, then dereferences a
 * null pointer (SIGSEGV). Usage: crasher [SECONDS] [exit|segv|N]: with a
 * number N, exit with status N instead of crashing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

__attribute__((noinline)) void crasher_busy_work(double secs)
{
	struct timespec t0, t;
	uint64_t x = 1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005ULL + 1;
		sink = x;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 <
	         secs);
}

int main(int argc, char **argv)
{
	crasher_busy_work(argc > 1 ? atof(argv[1]) : 1.0);
	if (argc > 2 && argv[2][0] >= '0' && argv[2][0] <= '9')
		return atoi(argv[2]);
	*(volatile int *)NULL = 1;
	return 0;
}
