/*
 * metrics_src.c - the procfs metrics sampler as an evidence source: one
 * reading of the target (lib/metrics) at every flush, as METRICS chunks.
 */
#include <stdlib.h>

#include "collect/internal.h"
#include "metrics/metrics.h"

static int metrics_start(void *st, struct cdoc_collector *c)
{
	cdoc_metrics_sampler_init(st, cdoc_collect_pid(c));
	return 0;
}

static int metrics_flush(void *st, struct cdoc_collector *c)
{
	struct cdoc_metrics_point p;

	if (collect__target_done(c))
		return 0;
	if (cdoc_metrics_sample(st, &p) < 0)
		return 0; /* the target is gone or not readable: skip */
	return cdoc_metrics_write(cdoc_collect_writer(c),
	                          cdoc_collect_elapsed_ns(c), &p);
}

static const struct cdoc_source_ops metrics_ops = {
        .name = "metrics",
        .start = metrics_start,
        .flush = metrics_flush,
        .free = free,
};

int collect__metrics_add(struct cdoc_collector *c)
{
	struct cdoc_metrics_sampler *s = cdoc_calloc(1, sizeof(*s));

	return cdoc_collect_add(c, &metrics_ops, s);
}
