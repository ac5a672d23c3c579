/*
 * alloc_paths - a tracking benchmark workload with few repeats: N
 * malloc/free pairs, each from one of 5000 call paths (a recursion depth
 * of 0..49 times one of 100 allocating functions) picked at random, so
 * consecutive allocations rarely share a stack. usage: alloc_paths [N]
 * (10000000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef void *(*leaf_fn)(size_t);

#define LEAF(i)                                                                \
	__attribute__((noinline)) static void *leaf##i(size_t n)               \
	{                                                                      \
		void *p = malloc(n + (i));                                     \
		__asm__ volatile("" : : "r"(p) : "memory");                    \
		return p;                                                      \
	}
/* clang-format 14 reflows these macro tables differently on each pass. */
/* clang-format off */
#define LEAF10(i)                                                              \
	LEAF(i##0) LEAF(i##1) LEAF(i##2) LEAF(i##3) LEAF(i##4)                 \
	LEAF(i##5) LEAF(i##6) LEAF(i##7) LEAF(i##8) LEAF(i##9)
LEAF10(1) LEAF10(2) LEAF10(3) LEAF10(4) LEAF10(5)
LEAF10(6) LEAF10(7) LEAF10(8) LEAF10(9) LEAF10(10)

#define REF10(i)                                                               \
	leaf##i##0, leaf##i##1, leaf##i##2, leaf##i##3, leaf##i##4,            \
	leaf##i##5, leaf##i##6, leaf##i##7, leaf##i##8, leaf##i##9
static leaf_fn const leaves[100] = {
	REF10(1), REF10(2), REF10(3), REF10(4), REF10(5),
	REF10(6), REF10(7), REF10(8), REF10(9), REF10(10)};
/* clang-format on */

__attribute__((noinline)) static void *descend(int depth, leaf_fn f, size_t n)
{
	void *p;

	if (depth == 0)
		return f(n);
	p = descend(depth - 1, f, n);
	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000000;
	void *ring[64] = {0};
	uint64_t rng = 1, sum = 0;

	for (long i = 0; i < n; i++) {
		uint64_t r;

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		r = rng >> 33;
		free(ring[i & 63]);
		ring[i & 63] = descend((int)(r % 50), leaves[(r / 50) % 100],
		                       16 + (size_t)(r >> 12) % 4080);
		*(char *)ring[i & 63] = (char)i;
		sum += (uintptr_t)ring[i & 63] & 0xff;
	}
	for (int i = 0; i < 64; i++)
		free(ring[i]);
	printf("paths %ld %llu\n", n, (unsigned long long)(sum & 1));
	return 0;
}
