/*
 * healthy_pool - a thread-pool HTTP server with no problem: THREADS (24)
 * threads block in accept() and serve a connection each with blocking
 * reads; each GET is answered with a short text. Busy under unthrottled
 * load, no lock, no growth, no hot own-code function.
 * Right verdict: none (no culprit).
 */
#include "httpd.h"

static int handle_hello(const struct srv_req *rq, struct srv_out *out)
{
	srv_appendf(out, "hello from the pool: %s (request %lu)\n", rq->path,
	            rq->seq);
	return 200;
}

int main(void)
{
	return srv_run_pool(srv_listen(), (int)srv_env("THREADS", 24),
	                    handle_hello);
}
