/*
 * alloc_threads - the churn workload split over T threads (default 2):
 * each makes N/T malloc/free pairs through its own ring of 64 blocks, and
 * every 16th block is handed to the next thread to free, so some frees
 * cross threads. usage: alloc_threads [N [T]]   (10000000, 2)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MAXT 64
#define HAND 256

struct worker {
	pthread_t t;
	long n;
	uint64_t rng, sum;
	_Atomic(void *) hand[HAND]; /* blocks others give us to free */
	struct worker *next;
};

__attribute__((noinline)) static void *churn_alloc(uint64_t *rng)
{
	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	return malloc(16 + (size_t)(*rng >> 33) % 4080);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	void *ring[64] = {0};
	long i;

	for (i = 0; i < w->n; i++) {
		void *old = ring[i & 63];

		if ((i & 15) == 0 && old) { /* give it to the next thread */
			old = atomic_exchange(&w->next->hand[(i >> 4) % HAND],
			                      old);
		}
		free(old);
		if ((i & 15) == 8) /* and free what was given to us */
			free(atomic_exchange(&w->hand[(i >> 4) % HAND], NULL));
		ring[i & 63] = churn_alloc(&w->rng);
		*(char *)ring[i & 63] = (char)i;
		w->sum += (uintptr_t)ring[i & 63] & 0xff;
	}
	for (i = 0; i < 64; i++)
		free(ring[i]);
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000000;
	int t = argc > 2 ? atoi(argv[2]) : 2, i, j;
	static struct worker w[MAXT];
	uint64_t sum = 0;

	if (t < 1 || t > MAXT)
		t = 2;
	for (i = 0; i < t; i++) {
		w[i].n = n / t;
		w[i].rng = (uint64_t)i + 1;
		w[i].next = &w[(i + 1) % t];
	}
	for (i = 0; i < t; i++)
		pthread_create(&w[i].t, NULL, work, &w[i]);
	for (i = 0; i < t; i++)
		pthread_join(w[i].t, NULL);
	for (i = 0; i < t; i++) {
		for (j = 0; j < HAND; j++)
			free(atomic_exchange(&w[i].hand[j], NULL));
		sum += w[i].sum;
	}
	printf("threads %ld %d %llu\n", n, t, (unsigned long long)(sum & 1));
	return 0;
}
