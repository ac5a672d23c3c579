/*
 * alloc_counts - a program whose allocations are known exactly, one
 * function per allocation call, so that a tracker can be checked call by
 * call: every function the shim interposes, a realloc chain and a leak.
 *
 *   do_malloc          10 x malloc(100), each freed at once (temporary)
 *   do_calloc           5 x calloc(4, 8), freed later
 *   do_realloc_chain    realloc 16 -> 32 -> 64 -> 128, freed (4 calls)
 *   do_reallocarray     reallocarray(NULL, 3, 10), freed
 *   do_posix_memalign   3 x posix_memalign(64, 256), freed
 *   do_aligned_alloc    2 x aligned_alloc(64, 128), freed
 *   do_memalign         memalign(32, 48), valloc(100), pvalloc(200), freed
 *   leak_site           7 x malloc(1000), never freed
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

void *volatile sink;

static NOINLINE void use(void *p, size_t n)
{
	memset(p, 1, n);
	sink = p;
}

static NOINLINE void do_malloc(void)
{
	for (int i = 0; i < 10; i++) {
		void *p = malloc(100);
		use(p, 100);
		free(p);
	}
}

static NOINLINE void do_calloc(void)
{
	void *v[5];

	for (int i = 0; i < 5; i++)
		use(v[i] = calloc(4, 8), 32);
	for (int i = 0; i < 5; i++)
		free(v[i]);
}

static NOINLINE void do_realloc_chain(void)
{
	void *p = NULL;

	for (size_t n = 16; n <= 128; n *= 2)
		use(p = realloc(p, n), n);
	free(p);
}

static NOINLINE void do_reallocarray(void)
{
	void *p = reallocarray(NULL, 3, 10);

	use(p, 30);
	free(p);
}

static NOINLINE void do_posix_memalign(void)
{
	void *v[3];

	for (int i = 0; i < 3; i++) {
		if (posix_memalign(&v[i], 64, 256))
			exit(1);
		use(v[i], 256);
	}
	for (int i = 0; i < 3; i++)
		free(v[i]);
}

static NOINLINE void do_aligned_alloc(void)
{
	void *a = aligned_alloc(64, 128), *b = aligned_alloc(64, 128);

	use(a, 128);
	use(b, 128);
	free(a);
	free(b);
}

static NOINLINE void do_memalign(void)
{
	void *a = memalign(32, 48), *b = valloc(100), *c = pvalloc(200);

	use(a, 48);
	use(b, 100);
	use(c, 200);
	free(a);
	free(b);
	free(c);
}

static NOINLINE void leak_site(void)
{
	for (int i = 0; i < 7; i++)
		use(malloc(1000), 1000);
}

int main(void)
{
	do_malloc();
	do_calloc();
	do_realloc_chain();
	do_reallocarray();
	do_posix_memalign();
	do_aligned_alloc();
	do_memalign();
	leak_site();
	printf("alloc_counts done\n");
	return 0;
}
