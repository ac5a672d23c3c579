/* series.c - tests for metrics in recordings and their trend. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics/metrics.h"

static char dir[] = "/tmp/cdoc-met-XXXXXX";
static char path[256];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.cdr", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

TestSuite(series, .init = setup, .fini = teardown);

Test(series, written_points_read_back_by_name)
{
	struct cdoc_metrics_sampler s;
	struct cdoc_metrics_point p;
	struct cdoc_metrics_series rss, none;
	struct cdoc_rec_writer w;
	struct cdoc_recording r;
	int i;

	cdoc_metrics_sampler_init(&s, getpid());
	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(cdoc_metrics_sample(&s, &p), 0);
		cr_assert_eq(cdoc_metrics_write(&w, i * 1000000000ull, &p), 0);
	}
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	cr_assert_eq(cdoc_recording_load(&r, path), 0, "%s", cdoc_errmsg());
	cdoc_metrics_series(&r, "rss_bytes", &rss);
	cr_assert_eq(rss.n, 3);
	cr_assert_eq(rss.t[2], 2.0);
	cr_assert_gt(rss.v[0], 0);
	cdoc_metrics_series(&r, "cpu_user_pct", &none);
	cr_assert_eq(none.n, 2, "no rate in the first point");
	cdoc_metrics_series_release(&none);
	cdoc_metrics_series(&r, "no_such_metric", &none);
	cr_assert_eq(none.n, 0);
	cdoc_metrics_series_release(&rss);
	cdoc_recording_release(&r);
	cdoc_metrics_sampler_release(&s);
}

Test(series, trend_of_a_rising_line)
{
	double t[] = {0, 1, 2, 3, 4}, v[] = {10, 12, 14, 13, 18};
	struct cdoc_metrics_series s = {5, t, v};
	struct cdoc_metrics_trend tr;

	cdoc_metrics_trend(&s, &tr);
	cr_assert_float_eq(tr.slope, 1.7, 1e-9); /* 17 / 10 */
	cr_assert_eq(tr.first, 10);
	cr_assert_eq(tr.last, 18);
	cr_assert_eq(tr.min, 10);
	cr_assert_eq(tr.max, 18);
	cr_assert_float_eq(tr.mean, 13.4, 1e-9);
	cr_assert_float_eq(tr.rising, 0.75, 1e-9);
}

Test(series, trend_of_nothing_is_zero)
{
	struct cdoc_metrics_series s = {0};
	struct cdoc_metrics_trend tr;

	cdoc_metrics_trend(&s, &tr);
	cr_assert_eq(tr.slope, 0);
	cr_assert_eq(tr.rising, 0);
}
