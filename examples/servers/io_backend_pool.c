/*
 * io_backend_pool - a thread-pool HTTP server (THREADS=24) that asks a
 * slow downstream for every request: query_inventory_backend sends a
 * query over a loopback TCP connection to an "inventory" backend (a
 * forked child process that answers after BACKEND_US, 4 ms) and waits for
 * the answer. Request threads spend their time off CPU waiting on the
 * socket; the CPU is mostly idle.
 * Right verdict: io-wait, culprit query_inventory_backend.
 */
#include "httpd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in backend_addr;
static __thread int backend_fd = -1;

/* The backend: answers each query line after a fixed delay. */
static void *backend_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	long us = srv_env("BACKEND_US", 4000);
	char buf[256];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		struct timespec ts = {us / 1000000, us % 1000000 * 1000};

		nanosleep(&ts, NULL); /* the slow part of the downstream */
		if (write(fd, "stock 7\n", 8) != 8)
			break;
	}
	close(fd);
	return NULL;
}

static int backend_main(int bfd)
{
	srv_catch_stop();
	while (!srv_stopping()) {
		int fd = accept(bfd, NULL, NULL);

		if (fd >= 0)
			srv_thread(backend_conn, (void *)(intptr_t)fd, NULL);
	}
	return 0;
}

static int backend_start(pid_t *pid)
{
	socklen_t len = sizeof(backend_addr);
	int bfd = socket(AF_INET, SOCK_STREAM, 0);

	backend_addr.sin_family = AF_INET;
	backend_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bfd < 0 || bind(bfd, (void *)&backend_addr, len) < 0 ||
	    listen(bfd, 64) < 0 ||
	    getsockname(bfd, (void *)&backend_addr, &len) < 0)
		return -1;
	*pid = fork();
	if (*pid == 0)
		exit(backend_main(bfd));
	close(bfd);
	return *pid < 0 ? -1 : 0;
}

/* Sends the query and waits for the backend's answer. */
__attribute__((noinline)) static int
query_inventory_backend(const char *path, char *ans, size_t cap)
{
	char q[600];
	int n = snprintf(q, sizeof(q), "stock? %s\n", path), one = 1;
	ssize_t r;

	if (backend_fd < 0) {
		backend_fd = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(backend_fd, (void *)&backend_addr,
		            sizeof(backend_addr)) < 0) {
			close(backend_fd);
			backend_fd = -1;
			return -1;
		}
		setsockopt(backend_fd, IPPROTO_TCP, TCP_NODELAY, &one,
		           sizeof(one));
	}
	if (send(backend_fd, q, n, 0) != n ||
	    (r = recv(backend_fd, ans, cap - 1, 0)) <= 0) {
		close(backend_fd);
		backend_fd = -1;
		return -1;
	}
	ans[r] = 0;
	return 0;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	char ans[64];

	if (query_inventory_backend(rq->path, ans, sizeof(ans)) < 0)
		return 503;
	srv_appendf(out, "%s %s", rq->path, ans);
	return 200;
}

int main(void)
{
	pid_t backend;
	int lfd = srv_listen();

	if (backend_start(&backend) < 0) {
		perror("backend");
		return 1;
	}
	srv_run_pool(lfd, (int)srv_env("THREADS", 24), handle);
	kill(backend, SIGTERM);
	waitpid(backend, NULL, 0);
	return 0;
}
