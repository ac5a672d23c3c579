/*
 * hotloop.c - a CPU-bound program with one known hot function and a known
 * caller chain: main -> run_work -> compute_hash -> mix_bits. Almost all
 * CPU time is spent in mix_bits. Used to check that profiles and folded
 * stacks put the time where it is.
 *
 * usage: hotloop [SECONDS]   (default 1; fractions allowed)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The hot function: a long dependent chain of mixing rounds. The volatile
 * slot makes it keep a stack frame, so frame-pointer unwinding shows its
 * caller (a frameless leaf would hide compute_hash).
 */
__attribute__((noinline)) uint64_t mix_bits(uint64_t x)
{
	volatile uint64_t slot = 0;
	int i;

	for (i = 0; i < 4096; i++) {
		x ^= x >> 31;
		x *= 0x7fb5d329728ea185ULL;
		x ^= x >> 27;
		x *= 0x81dadef4bc2dd44dULL;
		x ^= x >> 33;
	}
	slot = x;
	return slot;
}

__attribute__((noinline)) uint64_t compute_hash(uint64_t seed)
{
	uint64_t h = seed;
	int i;

	for (i = 0; i < 16; i++)
		h = mix_bits(h + i);
	return h;
}

__attribute__((noinline)) uint64_t run_work(double seconds)
{
	double end = now() + seconds;
	uint64_t h = 1;

	while (now() < end)
		h ^= compute_hash(h);
	return h;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	uint64_t h;

	if (seconds <= 0 || seconds > 3600) {
		fprintf(stderr, "usage: hotloop [SECONDS]\n");
		return 2;
	}
	h = run_work(seconds);
	printf("hash %016llx\n", (unsigned long long)h);
	return 0;
}
