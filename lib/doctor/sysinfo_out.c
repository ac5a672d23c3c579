/*
 * sysinfo_out.c - `cdoctor sysinfo` output: the probe as text with what
 * to run for each blocker, or as JSON.
 */
#include "doctor/doctor.h"

#include <errno.h>
#include <string.h>

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "?";
}

/* "works", "not supported (ENOENT: ...)", ... for event @e. */
static void event_state(const struct cdoc_sysinfo_event *e, struct cdoc_buf *b)
{
	const char *what = "failed";

	if (e->works) {
		cdoc_buf_addstr(b, e->user_only ? "works (user space only)"
		                                : "works");
		return;
	}
	if (e->err == ENOENT || e->err == EOPNOTSUPP || e->err == ENODEV)
		what = "not supported";
	else if (e->err == EACCES || e->err == EPERM)
		what = "not permitted";
	cdoc_buf_addf(b, "%s (%s: %s)", what, errname(e->err),
	              strerror(e->err));
}

static const char *paranoid_meaning(int p)
{
	if (p == -100)
		return "unknown";
	if (p <= -1)
		return "no restrictions";
	if (p == 0)
		return "no raw tracepoints for users; CPU-wide events allowed";
	if (p == 1)
		return "users may profile their processes, kernel included";
	if (p == 2)
		return "users may profile their processes, user space only";
	return "perf_event_open is denied to users (Debian's level 3)";
}

static int user_blocked(const struct cdoc_sysinfo *si)
{
	return si->euid != 0 && !si->cap_perfmon && si->paranoid >= 2;
}

static void fixes(const struct cdoc_sysinfo *si, struct cdoc_buf *b)
{
	size_t before = b->len;

	if (!si->events[0].works || user_blocked(si))
		cdoc_buf_addf(b,
		              "  - let users profile (kernel included):\n"
		              "      sudo sysctl kernel.perf_event_paranoid=1\n"
		              "    or give cdoctor the capabilities instead:\n"
		              "      sudo setcap cap_perfmon,cap_sys_ptrace+ep "
		              "%s\n",
		              si->exe[0] ? si->exe : "build/bin/cdoctor");
	if (!si->events[0].works && si->container[0])
		cdoc_buf_addstr(b,
		                "  - in a container: docker run --cap-add "
		                "PERFMON --cap-add SYS_PTRACE (and a "
		                "seccomp profile allowing perf_event_open)\n");
	if (!si->kallsyms_readable)
		cdoc_buf_addstr(b,
		                "  - show kernel symbols:\n"
		                "      sudo sysctl kernel.kptr_restrict=0\n");
	if (!si->hw_counters)
		cdoc_buf_addf(b,
		              "  - hardware counters are not available%s; "
		              "cdoctor samples with cpu-clock instead.%s\n",
		              si->hypervisor[0] ? " in this VM" : "",
		              si->hypervisor[0] ? " For counters, enable PMU "
		                                  "passthrough (QEMU: -cpu "
		                                  "host,pmu=on)."
		                                : "");
	if (!si->debug_files)
		cdoc_buf_addstr(b, "  - no separate debug info installed: for "
		                   "names in system libraries, apt install "
		                   "PACKAGE-dbgsym (from the debian-debug "
		                   "archive)\n");
	if (b->len == before)
		cdoc_buf_addstr(b, "  nothing: profiling works fully here\n");
}

static void head(struct cdoc_buf *b, int colour, const char *s)
{
	cdoc_buf_addf(b, "\n%s%s%s\n", colour ? "\033[1m" : "", s,
	              colour ? "\033[0m" : "");
}

static void system_part(const struct cdoc_sysinfo *si, int colour,
                        struct cdoc_buf *b)
{
	head(b, colour, "System");
	cdoc_buf_addf(b, "  kernel:               %s\n", si->kernel);
	cdoc_buf_addf(b, "  online CPUs:          %d\n", si->ncpus);
	cdoc_buf_addf(b, "  user:                 uid %d%s, CAP_PERFMON %s\n",
	              si->euid, si->euid ? "" : " (root)",
	              si->cap_perfmon ? "yes" : "no");
	cdoc_buf_addf(b, "  container:            %s\n",
	              si->container[0] ? si->container : "none detected");
	cdoc_buf_addf(b, "  virtual machine:      %s\n",
	              si->hypervisor[0] ? si->hypervisor : "none detected");
	head(b, colour, "perf_event settings");
	cdoc_buf_addf(b, "  perf_event_paranoid:  %d (%s)\n", si->paranoid,
	              paranoid_meaning(si->paranoid));
	cdoc_buf_addf(b, "  kptr_restrict:        %d\n", si->kptr_restrict);
	cdoc_buf_addf(b, "  max sample rate:      %d Hz\n",
	              si->max_sample_rate);
}

static void events_part(const struct cdoc_sysinfo *si, int colour,
                        struct cdoc_buf *b)
{
	int i;

	head(b, colour, "Events (perf_event_open on this process)");
	for (i = 0; i < CDOC_SYSINFO_EVENTS; i++) {
		cdoc_buf_addf(b, "  %-20s  ", si->events[i].name);
		event_state(&si->events[i], b);
		cdoc_buf_addch(b, '\n');
	}
	cdoc_buf_addf(b, "  hardware counters:    %s\n",
	              si->hw_counters ? "supported" : "not supported");
	head(b, colour, "libpfm4");
	if (!si->pfm_ok) {
		cdoc_buf_addf(b, "  pfm_initialize failed: %s\n",
		              si->pfm_error);
		return;
	}
	cdoc_buf_addstr(b, "  active PMUs:         ");
	for (i = 0; i < si->nr_pmus; i++)
		cdoc_buf_addf(b, " %s", si->pmus[i]);
	cdoc_buf_addstr(b, si->nr_pmus ? "\n" : " none\n");
}

void cdoc_sysinfo_text(const struct cdoc_sysinfo *si, int colour,
                       struct cdoc_buf *b)
{
	cdoc_buf_addstr(b, "cdoctor sysinfo: what this machine allows for "
	                   "profiling\n");
	system_part(si, colour, b);
	events_part(si, colour, b);
	head(b, colour, "Symbols and debug info");
	cdoc_buf_addf(b, "  kernel symbols:       %s\n",
	              si->kallsyms_readable ? "readable"
	                                    : "hidden (zeros in "
	                                      "/proc/kallsyms)");
	cdoc_buf_addf(b, "  /usr/lib/debug:       %s, %d build-id entries\n",
	              si->debug_dir ? "present" : "absent", si->debug_files);
	cdoc_buf_addstr(b, "  debuginfod:           not used (cdoctor reads "
	                   "local files only)\n");
	head(b, colour, "To do");
	fixes(si, b);
}

static void jstr(struct cdoc_buf *b, const char *k, const char *v)
{
	cdoc_buf_addf(b, ",\"%s\":\"", k);
	cdoc_buf_add_json(b, v, strlen(v));
	cdoc_buf_addch(b, '"');
}

static void json_events(const struct cdoc_sysinfo *si, struct cdoc_buf *b)
{
	int i;

	cdoc_buf_addstr(b, ",\"events\":{");
	for (i = 0; i < CDOC_SYSINFO_EVENTS; i++) {
		const struct cdoc_sysinfo_event *e = &si->events[i];
		struct cdoc_buf st = CDOC_BUF_INIT;

		event_state(e, &st);
		cdoc_buf_addf(b,
		              "%s\"%s\":{\"hardware\":%s,\"works\":%s,"
		              "\"user_only\":%s,\"errno\":\"%s\",\"state\":",
		              i ? "," : "", e->name,
		              e->hardware ? "true" : "false",
		              e->works ? "true" : "false",
		              e->user_only ? "true" : "false",
		              e->works ? "" : errname(e->err));
		cdoc_buf_addch(b, '"');
		cdoc_buf_add_json(b, st.buf, st.len);
		cdoc_buf_addstr(b, "\"}");
		cdoc_buf_release(&st);
	}
	cdoc_buf_addch(b, '}');
}

void cdoc_sysinfo_json(const struct cdoc_sysinfo *si, struct cdoc_buf *b)
{
	int i;

	cdoc_buf_addf(
	        b,
	        "{\"perf_event_paranoid\":%d,\"kptr_restrict\":%d,"
	        "\"max_sample_rate\":%d,\"euid\":%d,\"cap_perfmon\":%s,"
	        "\"ncpus\":%d,\"hw_counters\":%s,\"kallsyms_readable\":%s,"
	        "\"debug_dir\":%s,\"debug_build_ids\":%d,\"pfm_ok\":%s",
	        si->paranoid, si->kptr_restrict, si->max_sample_rate, si->euid,
	        si->cap_perfmon ? "true" : "false", si->ncpus,
	        si->hw_counters ? "true" : "false",
	        si->kallsyms_readable ? "true" : "false",
	        si->debug_dir ? "true" : "false", si->debug_files,
	        si->pfm_ok ? "true" : "false");
	jstr(b, "kernel", si->kernel);
	jstr(b, "container", si->container);
	jstr(b, "hypervisor", si->hypervisor);
	jstr(b, "pfm_error", si->pfm_error);
	json_events(si, b);
	cdoc_buf_addstr(b, ",\"pmus\":[");
	for (i = 0; i < si->nr_pmus; i++) {
		cdoc_buf_addstr(b, i ? ",\"" : "\"");
		cdoc_buf_add_json(b, si->pmus[i], strlen(si->pmus[i]));
		cdoc_buf_addch(b, '"');
	}
	cdoc_buf_addstr(b, "]}\n");
}
