/*
 * mixed_blocked_leak_loop - a single-threaded epoll HTTP server with two
 * problems of different sizes: every INVOICE_EVERY-th (100) request renders
 * an invoice synchronously in the loop (render_invoice_sync, 10-30 ms of
 * CPU: the loop is blocked most of the load window), and every request
 * appends a small record (128 bytes) to a history list that is never
 * trimmed (log_request_history: a slow leak). The blocked loop is what
 * holds requests back; the leak is a secondary finding.
 * Right verdict: event-loop-blocked, culprit render_invoice_sync.
 */
#include "httpd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct record {
	struct record *next;
	char line[120];
};

static long invoice_every, invoice_rows;
static struct record *history;

/* Prices every line of a synthetic invoice, in the loop. */
__attribute__((noinline)) static uint64_t render_invoice_sync(unsigned long id)
{
	uint64_t total = 0, x = id * 0x9e3779b97f4a7c15ull + 1;

	for (long line = 0; line < invoice_rows; line++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		total += (x % 10000) * (uint64_t)(line % 7 + 1);
	}
	return total;
}

/* Keeps a line per request for an audit that never reads it. */
__attribute__((noinline)) static void
log_request_history(const struct srv_req *rq)
{
	struct record *r = malloc(sizeof(*r));

	if (!r)
		return;
	snprintf(r->line, sizeof(r->line), "%lu %.80s", rq->seq, rq->path);
	r->next = history;
	history = r;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	log_request_history(rq);
	if (rq->seq % invoice_every == 0)
		srv_appendf(out, "invoice %lu: %llu\n", rq->seq,
		            (unsigned long long)render_invoice_sync(rq->seq));
	else
		srv_appendf(out, "item %s\n", rq->path);
	return 200;
}

int main(void)
{
	invoice_every = srv_env("INVOICE_EVERY", 100);
	invoice_rows = srv_env("INVOICE_ROWS", 7500000);
	return srv_run_epoll(srv_listen(), handle, NULL);
}
