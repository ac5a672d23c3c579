/*
 * hotspot_loop - a single-threaded epoll HTTP server where every request
 * ranks SCORES (400) scores with an insertion sort in sort_scores: most of
 * the CPU is in that one function, but each request stays short (well
 * under a millisecond), so the loop's ticks stay short: the loop is not
 * blocked, it is simply spending its time in one hot function.
 * Right verdict: cpu-hotspot, culprit sort_scores.
 */
#include "httpd.h"

#include <stdlib.h>

static long nscores;

/* Insertion sort, descending (quadratic). */
__attribute__((noinline)) static void sort_scores(int *v, long n)
{
	for (long i = 1; i < n; i++) {
		int x = v[i];
		long j = i - 1;

		while (j >= 0 && v[j] < x) {
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = x;
	}
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	int v[4096];
	unsigned long x = rq->seq * 2654435761u + 1;

	for (long i = 0; i < nscores; i++) {
		x = x * 6364136223846793005ul + 1442695040888963407ul;
		v[i] = (int)(x >> 40);
	}
	sort_scores(v, nscores);
	srv_appendf(out, "%s top %d\n", rq->path, v[0]);
	return 200;
}

int main(void)
{
	nscores = srv_env("SCORES", 400);
	if (nscores < 1 || nscores > 4096)
		nscores = 400;
	return srv_run_epoll(srv_listen(), handle, NULL);
}
