/*
 * saturation_prefork - a single-threaded epoll HTTP server with a light
 * request path, started next to INDEXERS (3) forked child processes that
 * rebuild a search index without pause (rebuild_search_index). On two
 * cores the indexers oversubscribe the CPUs: the loop waits in the run
 * queue between its short ticks, and throughput drops, although no
 * request does much work.
 * Right verdict: cpu-saturation, culprit rebuild_search_index.
 */
#include "httpd.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Hashes synthetic documents into an index forever, until SIGTERM. */
__attribute__((noinline)) static uint64_t rebuild_search_index(uint64_t seed)
{
	uint64_t x = seed + 1, sum = 0;

	while (!srv_stopping())
		for (int i = 0; i < 200000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sum += x & 0xff;
		}
	return sum;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	srv_appendf(out, "search %s: 0 hits\n", rq->path);
	return 200;
}

int main(void)
{
	long n = srv_env("INDEXERS", 3);
	pid_t kids[64];
	int lfd = srv_listen();

	for (long i = 0; i < n && i < 64; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			close(lfd);
			prctl(PR_SET_NAME, "indexer");
			srv_catch_stop();
			exit(rebuild_search_index(i) == 1);
		}
	}
	srv_run_epoll(lfd, handle, NULL);
	for (long i = 0; i < n && i < 64; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
	for (long i = 0; i < n && i < 64; i++)
		if (kids[i] > 0)
			waitpid(kids[i], NULL, 0);
	return 0;
}
