/*
 * loop_ticks.c - an event loop whose handler blocks it now and then: a
 * timerfd fires every millisecond; the loop waits for it (epoll_wait, or
 * poll / select with an argument), reads it, and every Nth turn runs
 * slow_handler(), which burns ~30 ms of CPU. Prints how many slow
 * handlers ran, so a test can compare with the long ticks recorded.
 *
 *   loop_ticks [epoll|poll|select|pwait] [TURNS] [EVERY]
 *   (defaults: epoll, 400 turns, a slow handler every 50th)
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static volatile uint64_t sink;

/* ~30 ms on the clock, whatever the machine's speed or load: the loop is
 * blocked at least that long. */
static __attribute__((noinline)) void slow_handler(void)
{
	uint64_t end = now_ns() + 30000000ull, x = 1;

	while (now_ns() < end)
		for (int i = 0; i < 1000; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
	sink = x;
}

/* Wait for @fd to be readable with the chosen call. */
static int wait_for(const char *how, int ep, int fd)
{
	struct epoll_event ev;
	struct pollfd pfd = {fd, POLLIN, 0};
	fd_set rd;

	if (!strcmp(how, "poll"))
		return poll(&pfd, 1, 1000);
	if (!strcmp(how, "select")) {
		FD_ZERO(&rd);
		FD_SET(fd, &rd);
		return select(fd + 1, &rd, NULL, NULL, &(struct timeval){1, 0});
	}
	if (!strcmp(how, "pwait"))
		return epoll_pwait(ep, &ev, 1, 1000, NULL);
	return epoll_wait(ep, &ev, 1, 1000);
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "epoll";
	long turns = argc > 2 ? atol(argv[2]) : 400;
	long every = argc > 3 ? atol(argv[3]) : 50;
	struct itimerspec its = {{0, 1000000}, {0, 1000000}};
	struct epoll_event ev = {.events = EPOLLIN};
	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	int ep = epoll_create1(0);
	long i, slow = 0;
	uint64_t expirations;

	if (tfd < 0 || ep < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev) < 0) {
		perror("loop_ticks: setup");
		return 1;
	}
	for (i = 1; i <= turns; i++) {
		if (wait_for(how, ep, tfd) <= 0)
			continue;
		if (read(tfd, &expirations, sizeof(expirations)) < 0)
			return 1;
		if (every > 0 && i % every == 0 && i < turns) {
			slow_handler();
			slow++;
		}
	}
	printf("turns: %ld\nslow handlers: %ld\n", turns, slow);
	return 0;
}
