/*
 * deep_nofp.c - a deep call chain without frame pointers: main ->
 * level_01 -> ... -> level_24 -> spin_leaf, built -O2
 * -fomit-frame-pointer, so only DWARF unwinding sees the whole chain.
 * Usage: deep_nofp [SECONDS] (default 3), or deep_nofp -n CALLS for a
 * fixed amount of work (bench/run.sh). The hot function is spin_leaf.
 * Prints the calls made, its own user CPU and wall seconds, and the
 * CLOCK_REALTIME nanosecond it ended at.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static volatile uint64_t sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) uint64_t spin_leaf(uint64_t x)
{
	for (int i = 0; i < 20000; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	sink = x;
	return x;
}

#define LEVEL(n, next)                                                         \
	__attribute__((noinline)) uint64_t level_##n(uint64_t x)               \
	{                                                                      \
		uint64_t r = next(x + 1##n - 100);                             \
		__asm__ volatile("" ::: "memory");                             \
		return r ^ (1##n - 100);                                       \
	}

LEVEL(24, spin_leaf)
LEVEL(23, level_24)
LEVEL(22, level_23)
LEVEL(21, level_22)
LEVEL(20, level_21)
LEVEL(19, level_20)
LEVEL(18, level_19)
LEVEL(17, level_18)
LEVEL(16, level_17)
LEVEL(15, level_16)
LEVEL(14, level_15)
LEVEL(13, level_14)
LEVEL(12, level_13)
LEVEL(11, level_12)
LEVEL(10, level_11)
LEVEL(09, level_10)
LEVEL(08, level_09)
LEVEL(07, level_08)
LEVEL(06, level_07)
LEVEL(05, level_06)
LEVEL(04, level_05)
LEVEL(03, level_04)
LEVEL(02, level_03)
LEVEL(01, level_02)

static void report(uint64_t calls, double t0)
{
	struct rusage ru;
	struct timespec rt;

	getrusage(RUSAGE_SELF, &ru);
	clock_gettime(CLOCK_REALTIME, &rt);
	printf("iterations=%llu user_s=%.3f wall_s=%.3f end_ns=%lld%09ld\n",
	       (unsigned long long)calls,
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, now() - t0,
	       (long long)rt.tv_sec, rt.tv_nsec);
}

int main(int argc, char **argv)
{
	int fixed = argc > 2 && !strcmp(argv[1], "-n");
	double t0 = now(), secs = argc > 1 && !fixed ? atof(argv[1]) : 3.0;
	uint64_t calls = 0, max = fixed ? strtoull(argv[2], NULL, 10) : 0;
	uint64_t x = 1;

	while (fixed ? calls < max : now() < t0 + secs) {
		x = level_01(x);
		calls++;
	}
	sink ^= x;
	report(calls, t0);
	return 0;
}
