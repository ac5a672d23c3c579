/*
 * sysinfo.c - what this machine allows for profiling: perf_event sysctls,
 * which events open, hardware counters and PMUs (libpfm4), kernel symbols,
 * debug info, containers and VMs; with, for each blocker, what to run.
 */
#include "doctor/doctor.h"

#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "perf/perf.h"

static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} events[CDOC_SYSINFO_EVENTS] = {
        {"cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK},
        {"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
        {"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
        {"context-switches", PERF_TYPE_SOFTWARE,
         PERF_COUNT_SW_CONTEXT_SWITCHES},
        {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
        {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
        {"cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES},
};

static int read_int(const char *path, int unknown)
{
	FILE *f = fopen(path, "re");
	int v = unknown;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = unknown;
		fclose(f);
	}
	return v;
}

/* Read the first line of @path into @buf (newline dropped); "" if none. */
static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Try opening event @i on this process: 0 or the errno. */
static int try_event(int i, int user_only)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = events[i].type;
	a.config = events[i].config;
	a.disabled = 1;
	a.exclude_kernel = user_only;
	a.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void probe_events(struct cdoc_sysinfo *si)
{
	int i;

	for (i = 0; i < CDOC_SYSINFO_EVENTS; i++) {
		struct cdoc_sysinfo_event *e = &si->events[i];

		e->name = events[i].name;
		e->hardware = events[i].type == PERF_TYPE_HARDWARE;
		e->err = try_event(i, 0);
		if (e->err == EACCES || e->err == EPERM) {
			int user = try_event(i, 1);

			if (!user) {
				e->err = 0;
				e->user_only = 1;
			}
		}
		e->works = !e->err;
		if (e->works && e->hardware)
			si->hw_counters = 1;
	}
}

static void probe_pfm(struct cdoc_sysinfo *si)
{
	const struct cdoc_perf_pfm *pfm = cdoc_perf_pfm();
	int ret = pfm ? pfm->initialize() : PFM_ERR_NOTSUPP;
	pfm_pmu_t p;

	si->pfm_ok = ret == PFM_SUCCESS;
	if (!si->pfm_ok) {
		snprintf(si->pfm_error, sizeof(si->pfm_error), "%s",
		         pfm ? pfm->strerror(ret)
		             : "cannot load " CDOC_PFM_SONAME);
		return;
	}
	for (p = PFM_PMU_NONE; p < PFM_PMU_MAX; p++) {
		pfm_pmu_info_t info;

		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (pfm->get_pmu_info(p, &info) != PFM_SUCCESS ||
		    !info.is_present || si->nr_pmus >= CDOC_SYSINFO_PMUS)
			continue;
		snprintf(si->pmus[si->nr_pmus++], sizeof(si->pmus[0]), "%s",
		         info.name);
	}
}

static void probe_kallsyms(struct cdoc_sysinfo *si)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[256];
	int n = 0;

	if (!f)
		return;
	while (n++ < 100 && fgets(line, sizeof(line), f))
		if (strtoull(line, NULL, 16)) {
			si->kallsyms_readable = 1;
			break;
		}
	fclose(f);
}

static void probe_debug(struct cdoc_sysinfo *si)
{
	struct stat st;
	struct dirent *de;
	DIR *d;

	si->debug_dir = !stat("/usr/lib/debug", &st) && S_ISDIR(st.st_mode);
	d = opendir("/usr/lib/debug/.build-id");
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			si->debug_files++;
	closedir(d);
}

static void probe_caps(struct cdoc_sysinfo *si)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long caps;

	si->euid = geteuid();
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			si->cap_perfmon = !!(caps & (1ull << 38 | 1ull << 21));
	fclose(f);
}

static void probe_container(struct cdoc_sysinfo *si)
{
	char buf[4096];
	FILE *f;
	size_t n;

	if (!access("/.dockerenv", F_OK))
		strcpy(si->container, "docker");
	else if (!access("/run/.containerenv", F_OK))
		strcpy(si->container, "podman");
	if (si->container[0] || !(f = fopen("/proc/1/cgroup", "re")))
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	if (strstr(buf, "kubepods"))
		strcpy(si->container, "kubernetes");
	else if (strstr(buf, "docker"))
		strcpy(si->container, "docker");
	else if (strstr(buf, "lxc"))
		strcpy(si->container, "lxc");
}

static void probe_vm(struct cdoc_sysinfo *si)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[4096];

	read_line("/sys/class/dmi/id/sys_vendor", si->hypervisor,
	          sizeof(si->hypervisor));
	if (si->hypervisor[0] || !f) {
		if (f)
			fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5) && strstr(line, " hypervisor")) {
			strcpy(si->hypervisor, "a hypervisor (cpuinfo flag)");
			break;
		}
	fclose(f);
}

void cdoc_sysinfo_probe(struct cdoc_sysinfo *si)
{
	struct utsname u;
	ssize_t n;

	memset(si, 0, sizeof(*si));
	si->paranoid = read_int("/proc/sys/kernel/perf_event_paranoid", -100);
	si->kptr_restrict = read_int("/proc/sys/kernel/kptr_restrict", -100);
	si->max_sample_rate =
	        read_int("/proc/sys/kernel/perf_event_max_sample_rate", 0);
	if (!uname(&u))
		snprintf(si->kernel, sizeof(si->kernel), "%.40s %.80s",
		         u.sysname, u.release);
	si->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	n = readlink("/proc/self/exe", si->exe, sizeof(si->exe) - 1);
	if (n > 0)
		si->exe[n] = '\0';
	probe_caps(si);
	probe_events(si);
	probe_pfm(si);
	probe_kallsyms(si);
	probe_debug(si);
	probe_container(si);
	probe_vm(si);
}
