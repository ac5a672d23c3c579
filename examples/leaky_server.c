/*
 * leaky_server - a request loop that leaks: every request is parsed
 * (temporary buffers), answered (a response built and freed by another
 * thread) and remembered in a session list that nothing ever trims.
 * A bounded cache churns without growing. Heap snapshots taken early and
 * late should rank remember_session first by growth.
 *
 * usage: leaky_server [REQUESTS [MICROSECONDS_BETWEEN]]   (2000, 300)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))
#define CACHE    64

struct session {
	struct session *next;
	char data[248];
};

static struct session *sessions;
static char *cache[CACHE];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static char *outbox;
static int done;
static unsigned long checksum;

static NOINLINE char *parse_request(int i)
{
	char *buf = malloc(512);

	snprintf(buf, 512, "GET /item/%d HTTP/1.1", i);
	return buf;
}

static NOINLINE void remember_session(const char *req)
{
	struct session *s = malloc(sizeof(*s));

	strncpy(s->data, req, sizeof(s->data) - 1);
	s->data[sizeof(s->data) - 1] = 0;
	s->next = sessions;
	sessions = s;
}

static NOINLINE void cache_put(int i, const char *req)
{
	free(cache[i % CACHE]);
	cache[i % CACHE] = strdup(req);
}

static NOINLINE char *build_response(const char *req)
{
	size_t n = strlen(req) + 64;
	char *r = malloc(n);

	snprintf(r, n, "200 OK %s", req);
	return r;
}

/* The sender thread frees responses built by the main thread. */
static void *sender(void *arg)
{
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!outbox && !done)
			pthread_cond_wait(&cond, &lock);
		if (!outbox && done)
			break;
		checksum += strlen(outbox);
		free(outbox);
		outbox = NULL;
		pthread_cond_broadcast(&cond);
	}
	pthread_mutex_unlock(&lock);
	return arg;
}

static void send_response(char *r)
{
	pthread_mutex_lock(&lock);
	while (outbox)
		pthread_cond_wait(&cond, &lock);
	outbox = r;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	int pause_us = argc > 2 ? atoi(argv[2]) : 300;
	pthread_t t;

	pthread_create(&t, NULL, sender, NULL);
	for (int i = 0; i < n; i++) {
		char *req = parse_request(i);

		remember_session(req);
		cache_put(i, req);
		send_response(build_response(req));
		free(req);
		if (pause_us)
			usleep((useconds_t)pause_us);
	}
	pthread_mutex_lock(&lock);
	done = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(t, NULL);
	for (int i = 0; i < CACHE; i++)
		free(cache[i]);
	printf("served %d requests, checksum %lu\n", n, checksum);
	return 0;
}
