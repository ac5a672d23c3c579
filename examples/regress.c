/*
 * regress.c - a program whose CPU time is split between three functions
 * in fixed proportions (parse_input 30%, compute_hash 50%, render_output
 * 20%), for the CI gate's tests: runs of any length have the same shares,
 * and --slow-render makes render_output do 1.75x its work (its share
 * rises to about 30%), as a build with a real regression would.
 *
 * usage: regress [--slow-render] [ROUNDS]   (default 500; ~2 ms a round)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* @units of a dependent mixing chain; the volatile keeps a frame. */
static inline __attribute__((always_inline)) uint64_t burn(uint64_t x,
                                                           long units)
{
	volatile uint64_t slot = 0;
	long i;

	for (i = 0; i < units * 1000; i++) {
		x ^= x >> 31;
		x *= 0x7fb5d329728ea185ULL;
		x ^= x >> 27;
	}
	slot = x;
	return slot;
}

__attribute__((noinline)) uint64_t parse_input(uint64_t x)
{
	return burn(x, 300);
}

__attribute__((noinline)) uint64_t compute_hash(uint64_t x)
{
	return burn(x, 500);
}

__attribute__((noinline)) uint64_t render_output(uint64_t x, int slow)
{
	return burn(x, slow ? 350 : 200);
}

int main(int argc, char **argv)
{
	int slow = argc > 1 && !strcmp(argv[1], "--slow-render");
	long rounds = argc > 1 + slow ? atol(argv[1 + slow]) : 500, i;
	uint64_t x = 42;

	for (i = 0; i < rounds; i++)
		x = render_output(compute_hash(parse_input(x)), slow);
	printf("%llu\n", (unsigned long long)(x & 0xff));
	return 0;
}
