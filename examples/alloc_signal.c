/*
 * alloc_signal - allocations from a signal handler while the program
 * allocates: a timer fires every 50 microseconds and its SIGALRM handler
 * maps and unmaps an anonymous page (mmap is async-signal-safe; malloc
 * is not), whatever the main loop was doing, often inside the tracker's
 * own recording. A tracker must neither deadlock nor lose a call
 * silently: each handler call is recorded or counted as re-entrant.
 *
 * With "fork", the handler forks instead (a crash handler's way) and the
 * child _exits at once: a fork that interrupts the tracker's recording.
 *
 * usage: alloc_signal [PAIRS [fork]]   (2000000 malloc/free pairs)
 * prints: "alloc_signal: PAIRS pairs, N handler calls"
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static volatile sig_atomic_t calls;

/*
 * At most this many forks: on a loaded machine a fork (and the tracker's
 * start in the child) can take longer than the timer's period, and the
 * handler would then run back to back and starve the loop for ever.
 */
#define MAX_FORKS 300

static NOINLINE void on_alarm_fork(int sig)
{
	static const struct itimerval off;
	pid_t p;

	(void)sig;
	if (calls >= MAX_FORKS) {
		setitimer(ITIMER_REAL, &off, NULL);
		return;
	}
	p = fork();
	if (p == 0)
		_exit(0);
	if (p > 0)
		waitpid(p, NULL, 0);
	calls++;
}

static NOINLINE void on_alarm(int sig)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)sig;
	if (p != MAP_FAILED)
		munmap(p, 4096);
	calls++;
}

static NOINLINE void *work_alloc(uint64_t *rng)
{
	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	return malloc(16 + (size_t)(*rng >> 33) % 1000);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	int forking = argc > 2 && !strcmp(argv[2], "fork");
	long us = forking ? 2000 : 50; /* a fork costs much more */
	struct itimerval it = {{0, us}, {0, us}}, off = {{0, 0}, {0, 0}};
	struct sigaction sa = {0};
	void *ring[32] = {0};
	uint64_t rng = 7;
	long i;

	sa.sa_handler = forking ? on_alarm_fork : on_alarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0; i < n; i++) {
		free(ring[i & 31]);
		ring[i & 31] = work_alloc(&rng);
	}
	setitimer(ITIMER_REAL, &off, NULL);
	for (i = 0; i < 32; i++)
		free(ring[i]);
	printf("alloc_signal: %ld pairs, %ld handler calls\n", n, (long)calls);
	return 0;
}
