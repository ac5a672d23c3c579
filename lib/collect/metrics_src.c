/*
 * metrics_src.c - the procfs metrics sampler as an evidence source: one
 * reading of the target's process tree (lib/metrics) at every flush, as a
 * METRICS chunk and a THREADS chunk, and the counter fds_link_capped
 * (processes x samples whose fd kinds were estimated from the first
 * CDOC_METRICS_FD_LINK_CAP descriptors) when it grows.
 */
#include <stdlib.h>

#include "collect/internal.h"
#include "metrics/metrics.h"

/* struct metrics_state - the sampler and what was last reported. */
struct metrics_state {
	struct cdoc_metrics_sampler s;
	uint64_t capped_written;
};

static int metrics_start(void *st, struct cdoc_collector *c)
{
	struct metrics_state *m = st;

	cdoc_metrics_sampler_init(&m->s, cdoc_collect_pid(c));
	return 0;
}

static int metrics_flush(void *st, struct cdoc_collector *c)
{
	struct metrics_state *m = st;
	struct cdoc_rec_writer *w = cdoc_collect_writer(c);
	struct cdoc_metrics_point p;
	uint64_t t;
	int ret;

	if (collect__target_done(c))
		return 0;
	if (cdoc_metrics_sample(&m->s, &p) < 0) {
		cdoc_errclear();
		return 0; /* the target is gone or not readable: skip */
	}
	collect__set_usage(c,
	                   p.have[CDOC_M_CPU_USER] && p.have[CDOC_M_CPU_SYS]
	                           ? p.v[CDOC_M_CPU_USER] + p.v[CDOC_M_CPU_SYS]
	                           : -1,
	                   p.have[CDOC_M_RSS] ? p.v[CDOC_M_RSS] : -1);
	t = cdoc_collect_elapsed_ns(c);
	ret = cdoc_metrics_write(w, t, &p);
	if (!ret)
		ret = cdoc_metrics_write_threads(w, t, &m->s);
	if (!ret && m->s.fds_capped != m->capped_written) {
		m->capped_written = m->s.fds_capped;
		ret = cdoc_rec_counter(w, "fds_link_capped", m->s.fds_capped);
	}
	return ret;
}

static void metrics_free(void *st)
{
	struct metrics_state *m = st;

	cdoc_metrics_sampler_release(&m->s);
	free(m);
}

static const struct cdoc_source_ops metrics_ops = {
        .name = "metrics",
        .start = metrics_start,
        .flush = metrics_flush,
        .free = metrics_free,
};

int collect__metrics_add(struct cdoc_collector *c)
{
	struct metrics_state *m = cdoc_calloc(1, sizeof(*m));

	return cdoc_collect_add(c, &metrics_ops, m);
}
