/* sysinfo.c - tests for the machine probe and its advice. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "doctor/doctor.h"

static struct cdoc_buf out;

static void teardown(void)
{
	cdoc_buf_release(&out);
}

TestSuite(sysinfo, .fini = teardown);

Test(sysinfo, probe_sees_this_machine)
{
	struct cdoc_sysinfo si;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int p = -100;

	cdoc_sysinfo_probe(&si);
	if (f) {
		cr_assert_eq(fscanf(f, "%d", &p), 1);
		fclose(f);
	}
	cr_assert_eq(si.paranoid, p);
	cr_assert_str_eq(si.events[0].name, "cpu-clock");
	cr_assert_eq(si.events[4].hardware, 1);
	cr_assert_geq(si.ncpus, 1);
	cr_assert(strstr(si.exe, "test_doctor_sysinfo"), "%s", si.exe);
	cr_assert_eq(si.hw_counters, si.events[4].works || si.events[5].works ||
	                                     si.events[6].works);
}

/* A locked-down machine: paranoid 2, non-root, no counters, no symbols. */
static void locked(struct cdoc_sysinfo *si)
{
	int i;

	memset(si, 0, sizeof(*si));
	si->paranoid = 3;
	si->kptr_restrict = 2;
	si->euid = 1000;
	strcpy(si->exe, "/opt/cdoctor/bin/cdoctor");
	strcpy(si->container, "docker");
	for (i = 0; i < CDOC_SYSINFO_EVENTS; i++) {
		si->events[i].name = i < 4 ? "soft" : "hard";
		si->events[i].hardware = i >= 4;
		si->events[i].err = i < 4 ? EACCES : ENOENT;
	}
	si->events[0].name = "cpu-clock";
}

Test(sysinfo, blockers_come_with_commands)
{
	struct cdoc_sysinfo si;

	locked(&si);
	cdoc_sysinfo_text(&si, 0, &out);
	cr_assert(strstr(out.buf, "cpu-clock             not permitted "
	                          "(EACCES: Permission denied)"),
	          "%s", out.buf);
	cr_assert(strstr(out.buf, "sudo sysctl kernel.perf_event_paranoid=1"));
	cr_assert(strstr(out.buf, "sudo setcap cap_perfmon,cap_sys_ptrace+ep "
	                          "/opt/cdoctor/bin/cdoctor"));
	cr_assert(strstr(out.buf, "--cap-add PERFMON"));
	cr_assert(strstr(out.buf, "sudo sysctl kernel.kptr_restrict=0"));
	cr_assert(strstr(out.buf, "hardware counters are not available"));
	cr_assert(strstr(out.buf, "-dbgsym"));
	cr_assert(strstr(out.buf, "denied to users"));
}

Test(sysinfo, open_machine_has_nothing_to_do)
{
	struct cdoc_sysinfo si;
	int i;

	locked(&si);
	si.paranoid = -1;
	si.euid = 0;
	si.kallsyms_readable = 1;
	si.hw_counters = 1;
	si.debug_files = 3;
	for (i = 0; i < CDOC_SYSINFO_EVENTS; i++)
		si.events[i].works = 1, si.events[i].err = 0;
	cdoc_sysinfo_text(&si, 0, &out);
	cr_assert(strstr(out.buf, "nothing: profiling works fully here"), "%s",
	          out.buf);
	cr_assert_null(strstr(out.buf, "sysctl"));
}

Test(sysinfo, json_escapes_and_reports_errno_names)
{
	struct cdoc_sysinfo si;

	locked(&si);
	strcpy(si.hypervisor, "Q\"EMU");
	cdoc_sysinfo_json(&si, &out);
	cr_assert(strstr(out.buf, "\"hypervisor\":\"Q\\\"EMU\""), "%s",
	          out.buf);
	cr_assert(strstr(out.buf, "\"cpu-clock\":{\"hardware\":false,"
	                          "\"works\":false,\"user_only\":false,"
	                          "\"errno\":\"EACCES\""),
	          "%s", out.buf);
	cr_assert(strstr(out.buf, "\"perf_event_paranoid\":3,"));
}
