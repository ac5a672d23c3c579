/*
 * httpd.c - the HTTP/1.1 plumbing shared by the example servers (see
 * httpd.h). Nothing here is slow on purpose: parsing is one pass, each
 * answer is one write, buffers are allocated once per connection.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define IN_MAX 8192

static volatile sig_atomic_t stop_sig;
static unsigned long seq;

static void on_signal(int sig)
{
	stop_sig = sig;
}

int srv_stopping(void)
{
	return stop_sig != 0;
}

unsigned long srv_next_seq(void)
{
	return __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
}

long srv_env(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 10) : def;
}

void srv_appendf(struct srv_out *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (out->len >= out->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out->buf + out->len, out->cap - out->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		out->len += (size_t)n < out->cap - out->len
		                    ? (size_t)n
		                    : out->cap - out->len - 1;
}

int srv_listen(void)
{
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)srv_env("PORT", 0));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (void *)&a, sizeof(a)) < 0 || listen(fd, 256) < 0 ||
	    getsockname(fd, (void *)&a, &alen) < 0) {
		perror("listen");
		exit(1);
	}
	signal(SIGPIPE, SIG_IGN);
	printf("listening on port %d\n", ntohs(a.sin_port));
	fflush(stdout);
	return fd;
}

void srv_catch_stop(void)
{
	struct sigaction sa = {0};
	sigset_t s;

	sa.sa_handler = on_signal; /* no SA_RESTART: waits return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}

static void block_stop(sigset_t *s)
{
	sigemptyset(s);
	sigaddset(s, SIGINT);
	sigaddset(s, SIGTERM);
	pthread_sigmask(SIG_BLOCK, s, NULL);
}

int srv_thread(void *(*fn)(void *), void *arg, unsigned long *id)
{
	sigset_t s, old;
	pthread_t t;
	int err;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	err = pthread_create(&t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (id)
		*id = (unsigned long)t;
	return err;
}

/* Parses one complete request at in[0..len); returns its length, 0 when
 * incomplete, -1 when malformed. */
static long parse(const char *in, size_t len, struct srv_req *rq)
{
	const char *end = memmem(in, len, "\r\n\r\n", 4), *cl;
	long body = 0;

	if (!end)
		return len >= IN_MAX - 1 ? -1 : 0;
	if (sscanf(in, "%15s %511s", rq->method, rq->path) != 2)
		return -1;
	rq->keep_alive = !memmem(in, end - in, "onnection: close", 16) &&
	                 !memmem(in, end - in, "HTTP/1.0", 8);
	cl = memmem(in, end - in, "ontent-Length:", 14);
	if (cl)
		body = strtol(cl + 14, NULL, 10);
	if (body < 0 || body > IN_MAX / 2)
		return -1;
	if ((size_t)(end + 4 - in) + body > len)
		return 0;
	rq->seq = srv_next_seq();
	return end + 4 - in + body;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = {fd, POLLOUT, 0};

			poll(&pfd, 1, 1000);
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

static const char *reason(int status)
{
	return status == 200   ? "OK"
	       : status == 404 ? "Not Found"
	       : status == 503 ? "Service Unavailable"
	                       : "Internal Server Error";
}

/* Runs the handler and writes the answer: 0 to keep the connection. */
static int answer(int fd, struct srv_req *rq, srv_handler h, char *resp)
{
	struct srv_out out = {resp + 256, SRV_BODY_MAX, 0};
	int status = h(rq, &out), hlen;

	hlen = snprintf(resp, 256,
	                "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
	                "Content-Length: %zu\r\n%s\r\n",
	                status, reason(status), out.len,
	                rq->keep_alive ? "" : "Connection: close\r\n");
	memmove(resp + hlen, resp + 256, out.len);
	if (write_all(fd, resp, hlen + out.len) < 0)
		return -1;
	return rq->keep_alive ? 0 : -1;
}

/* Answers every complete request in in[0..*len); -1 to close. */
static int drain(int fd, char *in, size_t *len, srv_handler h, char *resp)
{
	struct srv_req rq;
	long n;

	while ((n = parse(in, *len, &rq)) > 0) {
		if (answer(fd, &rq, h, resp) < 0)
			return -1;
		memmove(in, in + n, *len - n);
		*len -= n;
	}
	return n < 0 ? -1 : 0;
}

struct conn {
	int fd;
	size_t len;
	char in[IN_MAX];
};

static void loop_accept(int ep, int lfd)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		struct conn *c = malloc(sizeof(*c));
		struct epoll_event ev = {.events = EPOLLIN};
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		c->len = 0;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
}

/* Reads what is there and answers; closes and frees c when done. */
static void loop_serve(struct conn *c, srv_handler h, char *resp)
{
	ssize_t n = read(c->fd, c->in + c->len, IN_MAX - 1 - c->len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		c->len += n;
		if (drain(c->fd, c->in, &c->len, h, resp) == 0)
			return;
	}
	close(c->fd); /* also leaves the epoll set */
	free(c);
}

int srv_run_epoll(int lfd, srv_handler h, void (*tick)(void))
{
	struct epoll_event evs[64], lev = {.events = EPOLLIN};
	char *resp = malloc(SRV_BODY_MAX + 256);
	int ep = epoll_create1(0);

	srv_catch_stop();
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	lev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
	while (!srv_stopping()) {
		int n = epoll_wait(ep, evs, 64, 200);

		for (int i = 0; i < n; i++) {
			if (!evs[i].data.ptr)
				loop_accept(ep, lfd);
			else
				loop_serve(evs[i].data.ptr, h, resp);
		}
		if (tick)
			tick();
	}
	close(ep);
	free(resp);
	return 0;
}

/* The pool: each thread owns a slot naming the connection it serves, so
 * the main thread can wake it at shutdown. */
struct pool {
	int lfd;
	srv_handler h;
	pthread_mutex_t mu;
	int *cur;
};

struct pool_arg {
	struct pool *p;
	int slot;
};

static void pool_conn(struct pool *p, int fd, char *in, char *resp)
{
	size_t len = 0;
	ssize_t n;
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (!srv_stopping()) {
		n = read(fd, in + len, IN_MAX - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		if (drain(fd, in, &len, p->h, resp) < 0)
			break;
	}
}

static void *pool_thread(void *arg)
{
	struct pool_arg *a = arg;
	struct pool *p = a->p;
	char *in = malloc(IN_MAX), *resp = malloc(SRV_BODY_MAX + 256);

	while (!srv_stopping()) {
		int fd = accept(p->lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break; /* shut down */
		}
		pthread_mutex_lock(&p->mu);
		p->cur[a->slot] = fd;
		pthread_mutex_unlock(&p->mu);
		pool_conn(p, fd, in, resp);
		pthread_mutex_lock(&p->mu);
		p->cur[a->slot] = -1;
		pthread_mutex_unlock(&p->mu);
		close(fd); /* outside the lock: a socket's close can take long */
	}
	free(in);
	free(resp);
	return NULL;
}

int srv_run_pool(int lfd, int nthreads, srv_handler h)
{
	struct pool p = {lfd, h, PTHREAD_MUTEX_INITIALIZER, NULL};
	pthread_t *t = calloc(nthreads, sizeof(*t));
	struct pool_arg *a = calloc(nthreads, sizeof(*a));
	sigset_t s;
	int sig = 0;

	p.cur = malloc(nthreads * sizeof(int));
	block_stop(&s);
	for (int i = 0; i < nthreads; i++) {
		p.cur[i] = -1;
		a[i] = (struct pool_arg){&p, i};
		pthread_create(&t[i], NULL, pool_thread, &a[i]);
	}
	sigwait(&s, &sig);
	stop_sig = sig;
	shutdown(lfd, SHUT_RDWR); /* wakes the threads in accept() */
	pthread_mutex_lock(&p.mu);
	for (int i = 0; i < nthreads; i++)
		if (p.cur[i] >= 0)
			shutdown(p.cur[i], SHUT_RDWR);
	pthread_mutex_unlock(&p.mu);
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	free(p.cur);
	free(a);
	free(t);
	return 0;
}

int srv_run_prefork(int lfd, int nworkers, int (*worker)(int lfd))
{
	pid_t *pids = calloc(nworkers, sizeof(*pids));
	sigset_t s;
	int sig = 0;

	block_stop(&s);
	for (int i = 0; i < nworkers; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			free(pids);
			exit(worker(lfd)); /* exit: atexit handlers run */
		}
	}
	sigwait(&s, &sig);
	stop_sig = sig;
	for (int i = 0; i < nworkers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (int i = 0; i < nworkers; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	free(pids);
	return 0;
}
