/*
 * series.c - one metric over a recording, and its trend.
 */
#include "metrics/metrics.h"

#include <stdlib.h>
#include <string.h>

void cdoc_metrics_series(const struct cdoc_recording *r, const char *name,
                         struct cdoc_metrics_series *out)
{
	size_t i, j, alloc = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < r->nr_metrics; i++) {
		const struct cdoc_rec_metric_sample *m = &r->metrics[i];

		for (j = 0; j < m->n; j++) {
			if (strcmp(m->names[j], name))
				continue;
			if (out->n == alloc) {
				CDOC_GROW(out->t, out->n + 1, alloc);
				out->v = cdoc_realloc(out->v,
				                      alloc * sizeof(double));
			}
			out->t[out->n] = m->time_ns / 1e9;
			out->v[out->n++] = m->values[j];
			break;
		}
	}
}

void cdoc_metrics_series_release(struct cdoc_metrics_series *s)
{
	free(s->t);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static double slope(const struct cdoc_metrics_series *s, double mt, double mv)
{
	double num = 0, den = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		num += (s->t[i] - mt) * (s->v[i] - mv);
		den += (s->t[i] - mt) * (s->t[i] - mt);
	}
	return den > 0 ? num / den : 0;
}

void cdoc_metrics_trend(const struct cdoc_metrics_series *s,
                        struct cdoc_metrics_trend *out)
{
	double st = 0, sv = 0;
	size_t i, ups = 0;

	memset(out, 0, sizeof(*out));
	if (!s->n)
		return;
	out->first = out->min = out->max = s->v[0];
	out->last = s->v[s->n - 1];
	for (i = 0; i < s->n; i++) {
		st += s->t[i];
		sv += s->v[i];
		out->min = CDOC_MIN(out->min, s->v[i]);
		out->max = CDOC_MAX(out->max, s->v[i]);
		if (i && s->v[i] > s->v[i - 1])
			ups++;
	}
	out->mean = sv / s->n;
	out->rising = s->n > 1 ? (double)ups / (s->n - 1) : 0;
	out->slope = slope(s, st / s->n, out->mean);
}
