/*
 * alloc_ring - the allocation benchmark of ordinary -O2 code: N malloc/free
 * pairs (default 10 million) through a ring of 256 live blocks of 16 to
 * 528 bytes, made inside a function with a 2 KiB frame (a scratch buffer
 * it works in), the way a parser or a request handler allocates. Built
 * by bench/alloc.sh at -O2 without frame pointers (ring) and with them
 * (ring_fp). usage: alloc_ring [N]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING 256

/* One block of a pseudo-random size, tagged from the scratch frame. */
__attribute__((noinline)) static void *make(uint64_t *rng, const char *tag)
{
	size_t size;
	char *p;

	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	size = 16 + (size_t)(*rng >> 33) % 513;
	p = malloc(size);
	if (p)
		memcpy(p, tag, 16);
	return p;
}

__attribute__((noinline)) static uint64_t churn(long n, uint64_t seed)
{
	char scratch[2048];
	void *ring[RING] = {0};
	uint64_t rng = seed, sum = 0;
	long i;

	memset(scratch, (int)seed, sizeof(scratch));
	for (i = 0; i < n; i++) {
		char *p;

		free(ring[i & (RING - 1)]);
		p = make(&rng, scratch + (i & 1023));
		ring[i & (RING - 1)] = p;
		scratch[(i * 7) & 2047] ^= p[3];
		sum += (uintptr_t)p & 0xff;
	}
	for (i = 0; i < RING; i++)
		free(ring[i]);
	return sum + (uint64_t)scratch[(seed * 13) & 2047];
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000000;

	printf("ring %ld %llu\n", n, (unsigned long long)(churn(n, 1) & 1));
	return 0;
}
