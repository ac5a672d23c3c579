/*
 * event.c - event names: software events resolve directly, a hardware
 * event this machine cannot count falls back to cpu-clock with a reason,
 * and an unknown name is an error that names it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "perf/perf.h"

Test(event, cpu_clock_is_software_without_fallback)
{
	struct cdoc_perf_event ev;

	cr_assert_eq(cdoc_perf_event_resolve(&ev, "cpu-clock"), 0);
	cr_expect_eq(ev.attr.type, PERF_TYPE_SOFTWARE);
	cr_expect_eq(ev.attr.config, PERF_COUNT_SW_CPU_CLOCK);
	cr_expect_null(ev.fallback_reason);
	cr_expect_str_eq(ev.name, "cpu-clock");
	cdoc_perf_event_release(&ev);
}

Test(event, default_is_cpu_clock)
{
	struct cdoc_perf_event ev;

	cr_assert_eq(cdoc_perf_event_resolve(&ev, NULL), 0);
	cr_expect_eq(ev.attr.config, PERF_COUNT_SW_CPU_CLOCK);
	cr_expect_str_eq(ev.requested, "cpu-clock");
	cdoc_perf_event_release(&ev);
}

Test(event, other_software_events_resolve)
{
	static const struct {
		const char *name;
		uint64_t config;
	} cases[] = {
	        {"task-clock", PERF_COUNT_SW_TASK_CLOCK},
	        {"page-faults", PERF_COUNT_SW_PAGE_FAULTS},
	        {"context-switches", PERF_COUNT_SW_CONTEXT_SWITCHES},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cdoc_perf_event ev;

		cr_assert_eq(cdoc_perf_event_resolve(&ev, cases[i].name), 0);
		cr_expect_eq(ev.attr.type, PERF_TYPE_SOFTWARE);
		cr_expect_eq(ev.attr.config, cases[i].config, "%s",
		             cases[i].name);
		cdoc_perf_event_release(&ev);
	}
}

/* Can this machine count cycles at all (independently of the code)? */
static int machine_has_cycles(void)
{
	struct perf_event_attr a = {0};
	int fd;

	a.size = sizeof(a);
	a.type = PERF_TYPE_HARDWARE;
	a.config = PERF_COUNT_HW_CPU_CYCLES;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	fd = cdoc_perf_open(&a, 0, -1, -1, 0);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

Test(event, cycles_is_used_or_falls_back_with_a_reason)
{
	struct cdoc_perf_event ev;

	cr_assert_eq(cdoc_perf_event_resolve(&ev, "cycles"), 0);
	cr_expect_str_eq(ev.requested, "cycles");
	if (machine_has_cycles()) {
		cr_expect_null(ev.fallback_reason);
		cr_expect_str_eq(ev.name, "cycles");
		cr_expect_neq(ev.attr.type, PERF_TYPE_SOFTWARE);
	} else {
		cr_assert_not_null(ev.fallback_reason);
		cr_expect(strstr(ev.fallback_reason, "cycles"));
		cr_expect(strstr(ev.fallback_reason, "cpu-clock"));
		cr_expect_str_eq(ev.name, "cpu-clock");
		cr_expect_eq(ev.attr.type, PERF_TYPE_SOFTWARE);
		cr_expect_eq(ev.attr.config, PERF_COUNT_SW_CPU_CLOCK);
	}
	cdoc_perf_event_release(&ev);
}

Test(event, unknown_name_is_an_error_naming_it)
{
	struct cdoc_perf_event ev;

	cr_expect_eq(cdoc_perf_event_resolve(&ev, "no_such_event_q"), -EINVAL);
	cr_expect(strstr(cdoc_errmsg(), "no_such_event_q"));
	cdoc_perf_event_release(&ev);
}
