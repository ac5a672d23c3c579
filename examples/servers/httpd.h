/*
 * httpd.h - the small HTTP/1.1 plumbing shared by the example servers in
 * examples/servers/: listening ($PORT or an ephemeral port, printed as
 * "listening on port N"), request parsing, keep-alive answers, clean stop
 * on SIGINT/SIGTERM, and three ordinary server architectures (a
 * single-threaded epoll loop, a pool of threads blocking in accept/read,
 * prefork worker processes). It has no problem of its own: each server
 * supplies the request handler (and any background work) where its one
 * known problem lives.
 */
#ifndef EXAMPLES_SERVERS_HTTPD_H
#define EXAMPLES_SERVERS_HTTPD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One parsed request. seq numbers requests from 1 across the process. */
struct srv_req {
	char method[16];
	char path[512];
	unsigned long seq;
	int keep_alive;
};

/* The body a handler builds; cap is at least SRV_BODY_MAX. */
#define SRV_BODY_MAX 16384
struct srv_out {
	char *buf;
	size_t cap, len;
};

/* A request handler: fills out->buf/len, returns the HTTP status. */
typedef int (*srv_handler)(const struct srv_req *rq, struct srv_out *out);

/* Listens on 127.0.0.1:$PORT (or an ephemeral port), prints the port on
 * stdout, ignores SIGPIPE. Returns the listening fd; exits on failure. */
int srv_listen(void);

/* Nonzero once SIGINT or SIGTERM arrived (the runners install it). */
int srv_stopping(void);

/* The next request number (atomic, process-wide). */
unsigned long srv_next_seq(void);

/* appendf: printf into out (truncates at cap). */
void srv_appendf(struct srv_out *out, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Env integer NAME or DEF. */
long srv_env(const char *name, long def);

/* Installs the SIGINT/SIGTERM handler that srv_stopping() reads and
 * unblocks both signals in the calling thread (for forked helpers). */
void srv_catch_stop(void);

/* Starts fn(arg) on a background thread that never takes SIGINT/SIGTERM
 * (so the runner's thread does); returns 0 or an error number. */
int srv_thread(void *(*fn)(void *), void *arg, unsigned long *id);

/* Single-threaded epoll loop on lfd until SIGINT/SIGTERM; returns 0.
 * The loop calls tick (if not NULL) once per wakeup. */
int srv_run_epoll(int lfd, srv_handler h, void (*tick)(void));

/* nthreads threads each block in accept() and serve one connection with
 * blocking reads until it closes; the main thread waits for SIGINT or
 * SIGTERM, then wakes and joins them. Returns 0. */
int srv_run_pool(int lfd, int nthreads, srv_handler h);

/* Forks nworkers processes that each run worker(lfd) (which should run a
 * loop and return on SIGTERM); the parent waits for SIGINT/SIGTERM, sends
 * SIGTERM to the workers and reaps them. Returns 0 in the parent. */
int srv_run_prefork(int lfd, int nworkers, int (*worker)(int lfd));

#ifdef __cplusplus
}
#endif

#endif
