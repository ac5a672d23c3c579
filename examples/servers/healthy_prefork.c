/*
 * healthy_prefork - a prefork HTTP server with no problem: the parent
 * listens and forks WORKERS (2) processes that each run an epoll loop on
 * the shared listening socket (the nginx shape). Busy under unthrottled
 * load in the workers, not the parent; ticks short, nothing grows.
 * Right verdict: none (no culprit).
 */
#include "httpd.h"

static int handle_hello(const struct srv_req *rq, struct srv_out *out)
{
	srv_appendf(out, "hello from a worker: %s (request %lu)\n", rq->path,
	            rq->seq);
	return 200;
}

static int worker(int lfd)
{
	return srv_run_epoll(lfd, handle_hello, NULL);
}

int main(void)
{
	return srv_run_prefork(srv_listen(), (int)srv_env("WORKERS", 2),
	                       worker);
}
