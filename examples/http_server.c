/*
 * http_server.c - a small single-threaded HTTP/1.1 server on 127.0.0.1,
 * the demo target of `cdoctor run --on-port`. Every GET is answered with
 * a JSON document built by render_json_slowly (a naive hash, recomputed
 * for every request: the known hot path). Keep-alive is supported so wrk
 * can drive it. Usage: http_server [PORT] (0 or none: an ephemeral port).
 * Stops cleanly on SIGINT or SIGTERM.
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
#include <unistd.h>

#define MAX_CONN 256
#define BUF_SIZE 8192

struct conn {
	int fd;
	char in[BUF_SIZE];
	size_t len;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

/* The hot function: a naive string hash, iterated, per request. */
__attribute__((noinline)) uint32_t naive_hash(const char *s, size_t n,
                                              int rounds)
{
	uint32_t h = 2166136261u;

	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < n; i++)
			h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

__attribute__((noinline)) int render_json_slowly(char *out, size_t cap,
                                                 const char *path)
{
	size_t len = strlen(path);
	int n = snprintf(out, cap, "{\"path\":\"");

	for (size_t i = 0; i < len && n < (int)cap - 64; i++)
		if (path[i] != '"' && path[i] != '\\' &&
		    (unsigned char)path[i] >= 0x20)
			out[n++] = path[i];
	n += snprintf(out + n, cap - n, "\",\"items\":[");
	for (int i = 0; i < 20 && n < (int)cap - 32; i++)
		n += snprintf(out + n, cap - n, "%s%u", i ? "," : "",
		              naive_hash(path, len, 1000 + i));
	n += snprintf(out + n, cap - n, "]}\n");
	return n;
}

static int listen_on(int port)
{
	struct sockaddr_in a = {0};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (void *)&a, sizeof(a)) < 0 || listen(fd, 128) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void write_all(int fd, const char *p, size_t n)
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
			return;
		p += w;
		n -= w;
	}
}

/* Answer one request at the start of c->in; returns 0 to close. */
static int respond(struct conn *c, size_t req_len)
{
	char path[1024] = "/", body[4096], out[4096 + 256];
	int keep = !strcasestr(c->in, "connection: close");
	int blen, hlen;

	sscanf(c->in, "%*s %1023s", path);
	blen = render_json_slowly(body, sizeof(body), path);
	hlen = snprintf(out, 256,
	                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	                "Content-Length: %d\r\n%s\r\n",
	                blen, keep ? "" : "Connection: close\r\n");
	memcpy(out + hlen, body, blen); /* one write: no Nagle delay */
	write_all(c->fd, out, hlen + blen);
	memmove(c->in, c->in + req_len, c->len - req_len);
	c->len -= req_len;
	c->in[c->len] = 0;
	return keep;
}

/* Read what is there and answer complete requests; 0 to close. */
static int serve(struct conn *c)
{
	ssize_t n = read(c->fd, c->in + c->len, BUF_SIZE - 1 - c->len);
	char *end;

	if (n <= 0)
		return n < 0 && errno == EAGAIN;
	c->len += n;
	c->in[c->len] = 0;
	while ((end = strstr(c->in, "\r\n\r\n")))
		if (!respond(c, end + 4 - c->in))
			return 0;
	return c->len < BUF_SIZE - 1;
}

static void accept_all(int lfd, struct conn *conns, int *nconn)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		if (*nconn >= MAX_CONN) {
			close(fd);
			continue;
		}
		conns[*nconn].fd = fd;
		conns[*nconn].len = 0;
		(*nconn)++;
	}
}

int main(int argc, char **argv)
{
	static struct conn conns[MAX_CONN];
	static struct pollfd pfds[MAX_CONN + 1];
	int lfd = listen_on(argc > 1 ? atoi(argv[1]) : 0), nconn = 0;

	if (lfd < 0) {
		perror("http_server: listen");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	while (!stop) {
		pfds[0] = (struct pollfd){lfd, POLLIN, 0};
		for (int i = 0; i < nconn; i++)
			pfds[i + 1] = (struct pollfd){conns[i].fd, POLLIN, 0};
		if (poll(pfds, nconn + 1, 500) < 0)
			continue;
		for (int i = nconn - 1; i >= 0; i--)
			if (pfds[i + 1].revents && !serve(&conns[i])) {
				close(conns[i].fd);
				conns[i] = conns[--nconn];
			}
		if (pfds[0].revents)
			accept_all(lfd, conns, &nconn);
	}
	for (int i = 0; i < nconn; i++)
		close(conns[i].fd);
	close(lfd);
	return 0;
}
