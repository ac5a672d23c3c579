/*
 * shlib_work_lib.c - the shared library of examples/shlib_work.c: a
 * deliberately slow checksum, the example's hot function.
 */
#include <stdint.h>

__attribute__((noinline)) uint64_t shlib_hot_checksum(uint64_t seed, int rounds)
{
	for (int i = 0; i < rounds; i++)
		seed = (seed ^ (seed >> 7)) * 0x9E3779B97F4A7C15ULL + i;
	return seed;
}
