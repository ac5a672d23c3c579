/*
 * sym_deep - a deep call chain compiled without frame pointers, for DWARF
 * unwinding (cdoctor run's stacks, tests/unwind). main -> deep_1 -> ... ->
 * deep_8 -> spin burns CPU for SECONDS (default 2). With --addrs it first
 * prints "name 0xADDR" for each function of the chain. Prints "ready" when
 * it starts spinning.
 *
 *   sym_deep [--addrs] [SECONDS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

NOINLINE uint64_t spin(double until)
{
	uint64_t x = 1, i;

	while (now() < until)
		for (i = 0; i < 100000; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

/* Each level does work after the call, so none becomes a tail call. */
#define LEVEL(name, next)                                                      \
	NOINLINE uint64_t name(double until)                                   \
	{                                                                      \
		uint64_t r = next(until);                                      \
		sink += r;                                                     \
		return r ^ sink;                                               \
	}
LEVEL(deep_8, spin)
LEVEL(deep_7, deep_8)
LEVEL(deep_6, deep_7)
LEVEL(deep_5, deep_6)
LEVEL(deep_4, deep_5)
LEVEL(deep_3, deep_4)
LEVEL(deep_2, deep_3)
LEVEL(deep_1, deep_2)

int main(int argc, char **argv)
{
	double seconds = 2;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--addrs")) {
			printf("spin %p\ndeep_8 %p\ndeep_1 %p\nmain %p\n",
			       (void *)spin, (void *)deep_8, (void *)deep_1,
			       (void *)main);
		} else {
			seconds = atof(argv[i]);
		}
	}
	printf("ready\n");
	fflush(stdout);
	sink += deep_1(now() + seconds);
	return 0;
}
