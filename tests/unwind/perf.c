/*
 * perf.c - unwinding real perf samples: sym_deep (a chain built without
 * frame pointers) is profiled with perf_event_open for a second, and at
 * least 90% of its samples must unwind through the whole chain to main.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "../symbol/child.h"
#include "../unwind/sampler.h"
#include "symbol/symbol.h"
#include "unwind/unwind.h"

struct tally {
	struct cdoc_syms *syms;
	int samples, to_main, with_chain, truncated, failed;
};

static int has(struct tally *t, uint32_t pid, const uint64_t *ips, int n,
               const char *want)
{
	struct cdoc_symbol sym;
	int i;

	for (i = 0; i < n; i++) {
		cdoc_syms_resolve(t->syms, pid, ips[i] - (i > 0), 0, &sym);
		if (sym.name && !strcmp(sym.name, want))
			return 1;
	}
	return 0;
}

static void on_sample(void *arg, uint32_t pid, const uint64_t *regs,
                      const uint8_t *stack, size_t len)
{
	struct tally *t = arg;
	uint64_t ips[128];
	int trunc, n;

	n = cdoc_unwind_user(t->syms, pid, regs, CDOC_UNWIND_REGS_MASK, stack,
	                     len, ips, 128, &trunc);
	t->samples++;
	if (n < 0) {
		t->failed++;
		return;
	}
	t->truncated += trunc;
	t->to_main += has(t, pid, ips, n, "main");
	t->with_chain += has(t, pid, ips, n, "deep_5");
}

Test(perf, samples_of_no_fp_chain_unwind_to_main)
{
	char *argv[] = {"sym_deep", "20", NULL};
	struct tally t = {0};
	struct sampler s;
	struct child c;
	int ret;

	cr_assert_eq(cdoc_syms_new(&t.syms), 0);
	cr_assert_eq(child_start(&c, "sym_deep", argv), 0);
	cr_assert_eq(child_wait_line(&c, "ready"), 0);
	ret = sampler_open(&s, c.pid, CDOC_UNWIND_REGS_MASK,
	                   CDOC_UNWIND_STACK_SIZE);
	if (ret < 0) {
		child_stop(&c);
		cr_skip_test("perf_event_open: %s", strerror(-ret));
	}
	cr_assert_eq(cdoc_syms_load_proc_maps(t.syms, c.pid), 0);
	sampler_run(&s, __builtin_popcountll(CDOC_UNWIND_REGS_MASK), 1500,
	            on_sample, &t);
	sampler_close(&s);
	child_stop(&c);
	cr_log_info("samples %d, to main %d, chain %d, truncated %d, failed %d",
	            t.samples, t.to_main, t.with_chain, t.truncated, t.failed);
	cr_assert_geq(t.samples, 20, "too few samples: %d", t.samples);
	cr_assert_geq(t.to_main * 10, t.samples * 9, "%d of %d reached main",
	              t.to_main, t.samples);
	cr_assert_geq(t.with_chain * 10, t.samples * 9);
	cdoc_syms_free(t.syms);
}
