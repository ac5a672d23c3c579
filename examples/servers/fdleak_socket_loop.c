/*
 * fdleak_socket_loop - a single-threaded epoll HTTP server that reports
 * an access metric per request over UDP: send_access_metric opens a
 * datagram socket each time, and on its "sink busy, retry later" path
 * (every LEAK_EVERY-th request, 100) returns without closing it. Open
 * sockets grow steadily through the load (soft RLIMIT_NOFILE raised to
 * the hard one; when it runs out the metric is skipped).
 * Right verdict: fd-leak, culprit send_access_metric.
 */
#include "httpd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in sink;
static long leak_every;
static unsigned long pending;

/* Sends "path seq" to the metrics sink; leaks the socket on retry. */
__attribute__((noinline)) static int
send_access_metric(const struct srv_req *rq)
{
	char msg[600];
	int n = snprintf(msg, sizeof(msg), "%s %lu", rq->path, rq->seq);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (rq->seq % leak_every == 0) {
		pending++; /* "retry later": the bug, fd stays open */
		return 0;
	}
	sendto(fd, msg, n, MSG_DONTWAIT, (void *)&sink, sizeof(sink));
	close(fd);
	return 0;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	send_access_metric(rq);
	srv_appendf(out, "%s logged (%lu pending)\n", rq->path, pending);
	return 200;
}

int main(void)
{
	struct rlimit rl;

	leak_every = srv_env("LEAK_EVERY", 100);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sink.sin_family = AF_INET;
	sink.sin_port = htons((unsigned short)srv_env("METRICS_PORT", 9));
	sink.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return srv_run_epoll(srv_listen(), handle, NULL);
}
