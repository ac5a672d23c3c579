/*
 * alloc_churn - the allocation-tracking benchmark workload: N malloc/free
 * pairs of varied sizes (16 B .. 4 KiB) through a ring of 64 live blocks,
 * so frees are not immediate. usage: alloc_churn [N]   (10000000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void *churn_alloc(uint64_t *rng)
{
	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	return malloc(16 + (size_t)(*rng >> 33) % 4080);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000000;
	void *ring[64] = {0};
	uint64_t rng = 1, sum = 0;

	for (long i = 0; i < n; i++) {
		free(ring[i & 63]);
		ring[i & 63] = churn_alloc(&rng);
		*(char *)ring[i & 63] = (char)i;
		sum += (uintptr_t)ring[i & 63] & 0xff;
	}
	for (int i = 0; i < 64; i++)
		free(ring[i]);
	printf("churn %ld %llu\n", n, (unsigned long long)(sum & 1));
	return 0;
}
