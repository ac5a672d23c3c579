/*
 * alloc_fork - a process tree under one tracker: the parent leaks, forks
 * a child that frees inherited memory and leaks its own, and forks a
 * second child that execs this program again ("exec-child"), which leaks
 * too. Each must show up under its own pid. The parent frees the inherited
 * block before the first child frees its copy. With "threaded", a second
 * thread allocates and frees (balanced) all through the forks, so they
 * happen while another thread is recording.
 *
 * usage: alloc_fork [threaded]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

void *volatile sink;

#define LEAK(n, times)                                                         \
	for (int i = 0; i < (times); i++) {                                    \
		sink = malloc(n);                                              \
		memset(sink, 1, (n));                                          \
	}

static NOINLINE void parent_leak(void)
{
	LEAK(500, 3);
}

static NOINLINE void child_leak(void)
{
	LEAK(300, 5);
}

static NOINLINE void exec_child_leak(void)
{
	LEAK(700, 2);
}

static atomic_int stop;

/* Allocates and frees until told to stop; leaves nothing live. */
static void *churn(void *arg)
{
	void *ring[16] = {0};
	unsigned i;

	for (i = 0; !atomic_load(&stop) || i < 1000; i++) {
		free(ring[i & 15]);
		ring[i & 15] = malloc(16 + i % 200);
	}
	for (i = 0; i < 16; i++)
		free(ring[i]);
	return arg;
}

/* Allocate and free for @ms milliseconds (nothing left live). */
static NOINLINE void keep_busy(int ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		sink = malloc(32); /* volatile: not optimized away */
		free(sink);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 +
	                 (t.tv_nsec - t0.tv_nsec) / 1000000 <
	         ms);
}

int main(int argc, char **argv)
{
	char *inherited;
	pid_t a, b;
	pthread_t t;
	int st, threaded = argc > 1 && !strcmp(argv[1], "threaded");

	if (argc > 1 && !strcmp(argv[1], "exec-child")) {
		exec_child_leak();
		return 0;
	}
	if (threaded && pthread_create(&t, NULL, churn, NULL) != 0)
		return 1;
	inherited = malloc(4000);
	memset(inherited, 2, 4000);
	sink = inherited;
	parent_leak();
	fflush(stdout);
	a = fork();
	if (a == 0) {
		usleep(100000); /* after the parent has freed its copy */
		child_leak();
		/* memory the child inherited; last, so that no allocation
		 * reuses its address */
		free(inherited);
		exit(0);
	}
	b = fork();
	if (b == 0) {
		execl("/proc/self/exe", argv[0], "exec-child", (char *)NULL);
		_exit(127);
	}
	free(inherited); /* before the child frees its copy */
	keep_busy(60);   /* long enough for that free to be sent */
	waitpid(a, &st, 0);
	waitpid(b, &st, 0);
	if (threaded) {
		atomic_store(&stop, 1);
		pthread_join(t, NULL);
	}
	printf("alloc_fork done\n");
	return 0;
}
