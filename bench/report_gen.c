/*
 * report_gen.c - writes a long, high-rate recording for bench/report.sh
 * with the recording writer API: SECONDS of run (default 3600) with a
 * METRICS chunk every 200 ms (CPU, RSS, threads, context switches, I/O),
 * timed cpu samples at HZ (default 1000) over 16 threads from a few
 * thousand distinct stacks whose mix changes over time (phases), and
 * allocation profiles with 20000 call sites.
 *
 * usage: report_gen OUT.cdr [SECONDS [HZ]]
 */
#include "record/record.h"

#include <stdio.h>
#include <stdlib.h>

#define NSTACKS 4000
#define NSITES  20000

static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* A random stack 4-40 frames deep over a vocabulary of 600 functions. */
static uint32_t make_stack(struct cdoc_rec_writer *w, const uint32_t *fn,
                           int kernel_tail, const uint32_t *kfn)
{
	uint32_t s = cdoc_rec_stack(w, CDOC_REC_ROOT, fn[0]);
	int depth = 4 + (int)(rnd() % 36), i;

	for (i = 1; i < depth; i++)
		s = cdoc_rec_stack(w, s, fn[1 + (i * 7 + rnd() % 20) % 599]);
	for (i = 0; kernel_tail && i < 4; i++)
		s = cdoc_rec_stack(w, s, kfn[rnd() % 40]);
	return s;
}

int main(int argc, char **argv)
{
	static const char *const mnames[] = {
	        "cpu_user_pct", "cpu_sys_pct",   "rss_bytes",
	        "threads",      "ctx_voluntary", "ctx_involuntary",
	        "faults_minor", "faults_major",  "io_rchar",
	        "io_wchar",     "io_read_bytes", "io_write_bytes"};
	struct cdoc_rec_writer w;
	uint32_t fn[600], kfn[40], stacks[NSTACKS], cpu, ab, ac;
	double secs = argc > 2 ? atof(argv[2]) : 3600, hz;
	double v[12] = {0};
	uint64_t t, step, end, tick = 200000000ull, next_metric = 0;
	char name[64];
	int i;

	hz = argc > 3 ? atof(argv[3]) : 1000;
	if (argc < 2 || secs <= 0 || hz <= 0) {
		fprintf(stderr, "usage: report_gen OUT.cdr [SECONDS [HZ]]\n");
		return 2;
	}
	if (cdoc_rec_writer_open(&w, argv[1]) < 0) {
		fprintf(stderr, "report_gen: %s\n", cdoc_errmsg());
		return 1;
	}
	cdoc_rec_meta(&w, "command", "./bench-server --long");
	cdoc_rec_meta(&w, "event", "cpu-clock");
	snprintf(name, sizeof(name), "%.0f", hz);
	cdoc_rec_meta(&w, "frequency", name);
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name),
		         i ? "app::module%d::function_%d" : "bench-server",
		         i % 17, i);
		fn[i] = cdoc_rec_str(&w, name);
	}
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "kernel_fn_%d_[k]", i);
		kfn[i] = cdoc_rec_str(&w, name);
	}
	for (i = 0; i < NSTACKS; i++)
		stacks[i] = make_stack(&w, fn, i % 5 == 0, kfn);
	cpu = cdoc_rec_str(&w, "cpu");
	step = (uint64_t)(1e9 / hz);
	end = (uint64_t)(secs * 1e9);
	for (t = 0; t < end; t += step) {
		/* phases: every 10 minutes a different quarter of the stacks
		 * dominates; a skewed pick inside it */
		uint64_t phase = t / 600000000000ull % 4;
		uint64_t r = rnd(), k = (r % 1000) * (r % 1000) / 1000;
		uint32_t s = stacks[(phase * NSTACKS / 4 + k) % NSTACKS];

		if (cdoc_rec_sample_at(&w, cpu, 100, 100 + (uint32_t)(r >> 60),
		                       t, s, 1) < 0)
			goto fail;
		if (t >= next_metric) {
			v[0] = 40 + 30.0 * (double)phase / 3 + (double)(r % 10);
			v[1] = 5 + (double)(r % 5);
			v[2] = 50e6 + (double)t / 1e9 * 2000;
			v[3] = 16;
			v[4] += 100 + (double)(r % 50);
			v[5] += 10;
			v[6] += 20;
			v[8] += 4096;
			v[9] += 8192;
			if (cdoc_rec_metrics(&w, t, mnames, v, 12) < 0)
				goto fail;
			next_metric += tick;
		}
	}
	ab = cdoc_rec_str(&w, "alloc_bytes");
	ac = cdoc_rec_str(&w, "alloc_count");
	for (i = 0; i < NSITES; i++) {
		uint32_t s = make_stack(&w, fn, 0, kfn);

		s = cdoc_rec_stack(&w, s, cdoc_rec_str(&w, "malloc"));
		if (cdoc_rec_sample(&w, ab, 100, s, 64 + rnd() % 100000) < 0 ||
		    cdoc_rec_sample(&w, ac, 100, s, 1 + rnd() % 1000) < 0)
			goto fail;
	}
	snprintf(name, sizeof(name), "%llu", (unsigned long long)end);
	cdoc_rec_meta(&w, "duration_ns", name);
	if (cdoc_rec_writer_close(&w) < 0)
		goto fail_closed;
	return 0;
fail:
	cdoc_rec_writer_abandon(&w);
fail_closed:
	fprintf(stderr, "report_gen: %s\n", cdoc_errmsg());
	return 1;
}
