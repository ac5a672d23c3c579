/*
 * blocked_sleep_prefork - a prefork HTTP server (WORKERS=2 processes, each
 * a single-threaded epoll loop) whose loops block: every LOOKUP_EVERY-th
 * (25) request of a worker calls lookup_geo_blocking, a synchronous
 * lookup that waits about 12 ms (a blocking call to a slow service,
 * modelled with nanosleep) inside the loop. The CPU is mostly idle: the
 * loops are blocked off-CPU, not busy.
 * Right verdict: event-loop-blocked, culprit lookup_geo_blocking.
 */
#include "httpd.h"

#include <time.h>

static long lookup_every, lookup_us;
static unsigned long served;

/* Waits for the "geo service" synchronously. */
__attribute__((noinline)) static int lookup_geo_blocking(const char *path)
{
	struct timespec ts = {0, lookup_us * 1000};

	nanosleep(&ts, NULL);
	return path[0] == '/' ? 49 : 0;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	if (++served % lookup_every == 0)
		srv_appendf(out, "region %d\n", lookup_geo_blocking(rq->path));
	else
		srv_appendf(out, "item %s\n", rq->path);
	return 200;
}

static int worker(int lfd)
{
	return srv_run_epoll(lfd, handle, NULL);
}

int main(void)
{
	lookup_every = srv_env("LOOKUP_EVERY", 25);
	lookup_us = srv_env("LOOKUP_US", 12000);
	return srv_run_prefork(srv_listen(), (int)srv_env("WORKERS", 2),
	                       worker);
}
