/*
 * alloc_unwind_mod - the dlopen'ed module of alloc_unwind: allocates
 * directly and through the host's callback, from a small call chain.
 */
#include <stdint.h>
#include <stdlib.h>

__attribute__((noinline)) static uint64_t leaf(void *(*cb)(size_t), int i)
{
	char *a = malloc(24 + (size_t)(i % 50));
	char *b = cb(40 + (size_t)(i % 30));
	uint64_t r = ((uintptr_t)a ^ (uintptr_t)b) & 3;
	void *volatile keep[2] = {a, b}; /* not elided */

	free(keep[0]);
	free(keep[1]);
	return r;
}

__attribute__((noinline)) static uint64_t mid(void *(*cb)(size_t), int i)
{
	return leaf(cb, i) + (uint64_t)(i & 1);
}

uint64_t mod_work(void *(*cb)(size_t), int rounds)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < rounds; i++)
		s += mid(cb, i);
	return s;
}
