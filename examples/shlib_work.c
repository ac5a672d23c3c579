/*
 * shlib_work.c - the hot loop lives in a shared library
 * (libshlib_work_lib.so, from shlib_work_lib.c): shlib_hot_checksum must
 * appear by name, resolved through the library's own symbols.
 * Usage: shlib_work [SECONDS] (default 2).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint64_t shlib_hot_checksum(uint64_t seed, int rounds);

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	struct timespec t0, t;
	uint64_t x = 7;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		x = shlib_hot_checksum(x, 100000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 <
	         secs);
	printf("%llu\n", (unsigned long long)(x & 0xff));
	return 0;
}
