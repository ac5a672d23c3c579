/*
 * ticks_poll.c - what one wait call costs: N calls of poll() with a zero
 * timeout on a readable pipe, timed on CLOCK_MONOTONIC; prints
 * "ns_per_call=X". bench/ticks.sh runs it bare and under cdoctor run,
 * whose preload library times every wait (event-loop ticks).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000, i;
	int fds[2];
	struct pollfd p;
	double t0;

	if (pipe(fds) < 0 || write(fds[1], "x", 1) != 1)
		return 1;
	p.fd = fds[0];
	p.events = POLLIN;
	t0 = now();
	for (i = 0; i < n; i++)
		if (poll(&p, 1, 0) != 1)
			return 1;
	printf("ns_per_call=%.1f\n", (now() - t0) / (double)n);
	return 0;
}
