/*
 * prefork_server.c - a forking HTTP/1.1 server on 127.0.0.1: the master
 * binds the listening socket and forks N workers (default 2) that share
 * it, each running its own poll loop over the connections it accepted
 * and burning CPU in worker_handle for every request (a naive hash). The
 * master only waits, so all the server's CPU is in its children: the
 * demo target for following a process tree (nginx, prefork servers).
 * Usage: prefork_server [WORKERS]. Prints "port N" on stderr. SIGINT or
 * SIGTERM to the master stops the workers and the master.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CONN    64
#define MAX_WORKERS 16

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

/* The per-request work: a naive hash over the request, many rounds. */
__attribute__((noinline)) uint32_t worker_handle(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (int r = 0; r < 400; r++)
		for (size_t i = 0; i < n; i++)
			h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Answer every whole request in @buf; -1 when the peer is gone. */
static int serve(int fd, char *buf, size_t *len)
{
	char *end;

	while ((end = memmem(buf, *len, "\r\n\r\n", 4))) {
		size_t req = end + 4 - buf;
		char out[256];
		int n = snprintf(out, sizeof(out),
		                 "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n"
		                 "Connection: keep-alive\r\n\r\n%08x\n",
		                 worker_handle(buf, req));

		if (write(fd, out, n) != n)
			return -1;
		memmove(buf, buf + req, *len - req);
		*len -= req;
	}
	return *len >= 4096 ? -1 : 0;
}

static void accept_all(int lfd, struct pollfd *p, int *np)
{
	int fd;

	while (*np < MAX_CONN &&
	       (fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0)
		p[(*np)++] = (struct pollfd){.fd = fd, .events = POLLIN};
}

static void worker(int lfd)
{
	static char bufs[MAX_CONN][4096];
	static size_t lens[MAX_CONN];
	struct pollfd p[MAX_CONN + 1];
	int np = 1;

	p[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
	while (!stop) {
		if (poll(p, np, 500) <= 0)
			continue;
		if (p[0].revents)
			accept_all(lfd, p, &np);
		for (int i = 1; i < np; i++) {
			ssize_t n;

			if (!p[i].revents)
				continue;
			n = read(p[i].fd, bufs[i] + lens[i],
			         sizeof(bufs[i]) - lens[i]);
			if (n < 0 && errno == EAGAIN)
				continue;
			if (n > 0)
				lens[i] += n;
			if (n > 0 && serve(p[i].fd, bufs[i], &lens[i]) == 0)
				continue;
			close(p[i].fd);
			np--;
			p[i] = p[np];
			memcpy(bufs[i], bufs[np], lens[np]);
			lens[i] = lens[np];
			i--;
		}
	}
	_exit(0);
}

static int listen_any(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 128) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen)) {
		perror("prefork_server: listen");
		exit(1);
	}
	fprintf(stderr, "port %d\n", ntohs(a.sin_port));
	return fd;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2, lfd, i;
	struct sigaction sa = {.sa_handler = on_signal};
	pid_t kids[MAX_WORKERS];

	if (n < 1 || n > MAX_WORKERS)
		n = 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_any();
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			worker(lfd);
	}
	while (!stop)
		pause();
	for (i = 0; i < n; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
	while (wait(NULL) > 0)
		;
	return 0;
}
