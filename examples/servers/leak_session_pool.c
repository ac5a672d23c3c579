/*
 * leak_session_pool - a thread-pool HTTP server (THREADS=24) that records
 * a session for every request in remember_session, on a global list that
 * nothing ever trims (the shape of examples/leaky_server.c, under real
 * HTTP load): live heap grows by about 512 bytes per request, steadily.
 * Right verdict: memory-leak, culprit remember_session.
 */
#include "httpd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct session {
	struct session *next;
	unsigned long id;
	char data[496];
};

static pthread_mutex_t sessions_lock = PTHREAD_MUTEX_INITIALIZER;
static struct session *sessions;
static unsigned long nsessions;

/* Remembers who asked for what; the list is never pruned. */
__attribute__((noinline)) static unsigned long
remember_session(const struct srv_req *rq)
{
	struct session *s = malloc(sizeof(*s));
	unsigned long n;

	if (!s)
		return 0;
	s->id = rq->seq;
	snprintf(s->data, sizeof(s->data), "%s %.400s", rq->method, rq->path);
	pthread_mutex_lock(&sessions_lock);
	s->next = sessions;
	sessions = s;
	n = ++nsessions;
	pthread_mutex_unlock(&sessions_lock);
	return n;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	srv_appendf(out, "%s welcome, session %lu\n", rq->path,
	            remember_session(rq));
	return 200;
}

int main(void)
{
	return srv_run_pool(srv_listen(), (int)srv_env("THREADS", 24), handle);
}
