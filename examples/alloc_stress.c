/*
 * alloc_stress - many threads allocating, reallocating and freeing each
 * other's memory, threads that exit with memory freed in TLS destructors,
 * and everything freed in the end: a tracker must finish (no deadlock)
 * with balanced counts (nothing live at the stress sites).
 *
 * usage: alloc_stress [THREADS [OPS_PER_THREAD [ROUNDS]]]   (8, 200000, 2)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))
#define SLOTS    256
#define SHARED   1024

static void *shared[SHARED];
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t key;
static int ops = 200000;

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static NOINLINE void *stress_alloc(uint64_t *rng)
{
	size_t n = 1 + next(rng) % 2048;
	void *p = (next(rng) & 1) ? malloc(n) : calloc(1, n);

	memset(p, 7, n < 64 ? n : 64);
	return p;
}

static NOINLINE void *stress_grow(void *p, uint64_t *rng)
{
	return realloc(p, 1 + next(rng) % 4096);
}

/* Hand a block to the shared pool; free whatever another thread left. */
static NOINLINE void stress_swap(void *p, uint64_t *rng)
{
	size_t i = next(rng) % SHARED;
	void *old;

	pthread_mutex_lock(&shared_lock);
	old = shared[i];
	shared[i] = p;
	pthread_mutex_unlock(&shared_lock);
	free(old);
}

static void tls_gone(void *p)
{
	free(p);
	free(malloc(24)); /* allocation during thread exit */
}

static void *worker(void *arg)
{
	uint64_t rng = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	void *slot[SLOTS] = {0};

	pthread_setspecific(key, malloc(100));
	for (int i = 0; i < ops; i++) {
		size_t k = next(&rng) % SLOTS;

		switch (next(&rng) % 4) {
		case 0:
		case 1:
			free(slot[k]);
			slot[k] = stress_alloc(&rng);
			break;
		case 2:
			if (slot[k])
				slot[k] = stress_grow(slot[k], &rng);
			break;
		default:
			stress_swap(stress_alloc(&rng), &rng);
		}
	}
	for (int k = 0; k < SLOTS; k++)
		free(slot[k]);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 8;
	int rounds = argc > 3 ? atoi(argv[3]) : 2;
	pthread_t t[256];

	if (argc > 2)
		ops = atoi(argv[2]);
	if (threads > 256)
		threads = 256;
	pthread_key_create(&key, tls_gone);
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < threads; i++)
			pthread_create(&t[i], NULL, worker,
			               (void *)(uintptr_t)(r * 1000 + i + 1));
		for (int i = 0; i < threads; i++)
			pthread_join(t[i], NULL);
	}
	for (int i = 0; i < SHARED; i++)
		free(shared[i]);
	printf("alloc_stress: %d threads x %d ops x %d rounds done\n", threads,
	       ops, rounds);
	return 0;
}
