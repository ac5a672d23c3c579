/*
 * healthy_loop - a single-threaded epoll HTTP server with no problem: each
 * GET is answered with a short text built from the path. Under unthrottled
 * load it is busy (most of a core, much of it in the kernel's network
 * path), ticks stay short, nothing grows.
 * Right verdict: none (no culprit).
 */
#include "httpd.h"

#include <stdio.h>

static int handle_hello(const struct srv_req *rq, struct srv_out *out)
{
	srv_appendf(out, "hello from the loop: %s (request %lu)\n", rq->path,
	            rq->seq);
	return 200;
}

int main(void)
{
	return srv_run_epoll(srv_listen(), handle_hello, NULL);
}
