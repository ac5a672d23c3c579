/*
 * churn_pieces_loop - a single-threaded epoll HTTP server that builds each
 * response from PIECES (400) small heap fragments in build_response_pieces:
 * every fragment is malloc'd, linked, copied into the answer and freed,
 * hundreds of malloc/free pairs per request. Nothing leaks; the time goes
 * to the allocator.
 * Right verdict: alloc-churn, culprit build_response_pieces.
 */
#include "httpd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct piece {
	struct piece *next;
	size_t len;
	char *text;
};

static long npieces;

/* Builds the body one tiny allocation at a time, then frees them all. */
__attribute__((noinline)) static size_t
build_response_pieces(const struct srv_req *rq, char *dst, size_t cap)
{
	struct piece *head = NULL, **tail = &head;
	size_t len = 0;

	for (long i = 0; i < npieces; i++) {
		struct piece *p = malloc(sizeof(*p));
		char tmp[64];
		int n = snprintf(tmp, sizeof(tmp), "%s:%ld,", rq->path, i);

		p->len = n < (int)sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1;
		p->text = malloc(p->len + 1);
		memcpy(p->text, tmp, p->len + 1);
		p->next = NULL;
		*tail = p;
		tail = &p->next;
	}
	while (head) {
		struct piece *p = head;

		if (len + p->len < cap && len < 256) {
			memcpy(dst + len, p->text, p->len);
			len += p->len;
		}
		head = p->next;
		free(p->text);
		free(p);
	}
	return len;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	out->len = build_response_pieces(rq, out->buf, out->cap - 1);
	srv_appendf(out, "\n");
	return 200;
}

int main(void)
{
	npieces = srv_env("PIECES", 400);
	return srv_run_epoll(srv_listen(), handle, NULL);
}
