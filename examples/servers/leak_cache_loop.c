/*
 * leak_cache_loop - a single-threaded epoll HTTP server that caches every
 * rendered page in cache_rendered_page, keyed by request number, in a
 * hash table that is never pruned: each request adds about PAGE_BYTES
 * (512 B) of live heap for good, at a steady rate through the load.
 * Right verdict: memory-leak, culprit cache_rendered_page.
 */
#include "httpd.h"

#include <stdlib.h>
#include <string.h>

#define BUCKETS 65536

struct page {
	struct page *next;
	unsigned long key;
	size_t len;
	char body[];
};

static struct page *table[BUCKETS];
static long page_bytes;

/* Keeps a copy of the page "for next time" (next time never comes). */
__attribute__((noinline)) static void
cache_rendered_page(unsigned long key, const char *body, size_t len)
{
	struct page *p = malloc(sizeof(*p) + page_bytes);

	if (!p)
		return;
	p->key = key;
	p->len = len < (size_t)page_bytes ? len : (size_t)page_bytes;
	memset(p->body, ' ', page_bytes);
	memcpy(p->body, body, p->len);
	p->next = table[key % BUCKETS];
	table[key % BUCKETS] = p;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	srv_appendf(out, "page %s (request %lu)\n", rq->path, rq->seq);
	cache_rendered_page(rq->seq, out->buf, out->len);
	return 200;
}

int main(void)
{
	page_bytes = srv_env("PAGE_BYTES", 512);
	return srv_run_epoll(srv_listen(), handle, NULL);
}
