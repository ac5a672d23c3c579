/*
 * plugin.c - a plugin that examples/plugin_host.c loads with dlopen() at
 * run time: its plugin_hot_transform must resolve by name although the
 * library was not mapped when the program started.
 */
#include <stdint.h>

__attribute__((noinline)) uint64_t plugin_hot_transform(uint64_t x, int rounds)
{
	for (int i = 0; i < rounds; i++)
		x = (x << 13 | x >> 51) * 0xff51afd7ed558ccdULL ^ (uint64_t)i;
	return x;
}
