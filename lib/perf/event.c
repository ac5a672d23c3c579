/*
 * event.c - event names to perf_event_attr: software events directly,
 * everything else through libpfm4, with a probe and a cpu-clock fallback.
 *
 * libpfm4 is opened with dlopen() the first time a name needs it: its
 * event tables cost ~43,000 relocations at load time (a few ms of every
 * start), which a run of the default cpu-clock need not pay.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "perf/perf.h"

/*
 * libpfm4's pfm_perf_encode_arg_t, declared here because
 * <perfmon/pfmlib_perf_event.h> brings its own copy of linux/perf_event.h.
 */
struct pfm_perf_arg {
	struct perf_event_attr *attr;
	char **fstr;
	size_t size;
	int idx, cpu, flags, pad0;
};

int cdoc_perf_open(struct perf_event_attr *attr, pid_t pid, int cpu,
                   int group_fd, unsigned long flags)
{
	long fd = syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);

	return fd < 0 ? -errno : (int)fd;
}

static const struct {
	const char *name;
	uint64_t config;
} soft_events[] = {
        {"cpu-clock", PERF_COUNT_SW_CPU_CLOCK},
        {"task-clock", PERF_COUNT_SW_TASK_CLOCK},
        {"page-faults", PERF_COUNT_SW_PAGE_FAULTS},
        {"faults", PERF_COUNT_SW_PAGE_FAULTS},
        {"context-switches", PERF_COUNT_SW_CONTEXT_SWITCHES},
        {"cs", PERF_COUNT_SW_CONTEXT_SWITCHES},
};

static int soft_event(struct perf_event_attr *attr, const char *name)
{
	for (size_t i = 0; i < CDOC_ARRAY_SIZE(soft_events); i++) {
		if (strcmp(name, soft_events[i].name))
			continue;
		attr->type = PERF_TYPE_SOFTWARE;
		attr->config = soft_events[i].config;
		return 1;
	}
	return 0;
}

const struct cdoc_perf_pfm *cdoc_perf_pfm(void)
{
	static struct cdoc_perf_pfm pfm;
	static int state; /* 0 not tried, 1 loaded, -1 failed */
	void *dl;

	if (state)
		return state > 0 ? &pfm : NULL;
	state = -1;
	dl = dlopen(CDOC_PFM_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return NULL;
	*(void **)&pfm.initialize = dlsym(dl, "pfm_initialize");
	*(void **)&pfm.strerror = dlsym(dl, "pfm_strerror");
	*(void **)&pfm.encode = dlsym(dl, "pfm_get_os_event_encoding");
	*(void **)&pfm.get_pmu_info = dlsym(dl, "pfm_get_pmu_info");
	if (!pfm.initialize || !pfm.strerror || !pfm.encode ||
	    !pfm.get_pmu_info)
		return NULL; /* the handle stays: nothing to gain closing it */
	state = 1;
	return &pfm;
}

/* libpfm4 loaded and initialized (once): its entry points, or NULL. */
static const struct cdoc_perf_pfm *pfm_ready(void)
{
	static int ret = -1;
	const struct cdoc_perf_pfm *pfm = cdoc_perf_pfm();

	if (ret < 0)
		ret = pfm && pfm->initialize() == PFM_SUCCESS;
	return ret ? pfm : NULL;
}

static int pfm_event(struct perf_event_attr *attr, const char *name)
{
	struct pfm_perf_arg arg;
	struct perf_event_attr tmp;
	const struct cdoc_perf_pfm *pfm = pfm_ready();
	int ret;

	if (!pfm)
		return cdoc_error(-ENOSYS,
		                  "libpfm4 (" CDOC_PFM_SONAME ") failed to "
		                  "load or initialize; "
		                  "only software events are available");
	memset(&arg, 0, sizeof(arg));
	memset(&tmp, 0, sizeof(tmp));
	tmp.size = sizeof(tmp);
	arg.attr = &tmp;
	arg.size = sizeof(arg);
	ret = pfm->encode(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT,
	                  &arg);
	if (ret != PFM_SUCCESS)
		return cdoc_error(-EINVAL,
		                  "unknown event '%s' (%s); try cpu-clock, "
		                  "task-clock, page-faults, context-switches "
		                  "or a name from `perf list`",
		                  name, pfm->strerror(ret));
	attr->type = tmp.type;
	attr->config = tmp.config;
	attr->config1 = tmp.config1;
	attr->config2 = tmp.config2;
	return 0;
}

/* Can this machine count @attr at all? 0 or -errno of the open. */
static int probe(const struct perf_event_attr *attr)
{
	struct perf_event_attr a = *attr;
	int fd;

	a.size = sizeof(a);
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	fd = cdoc_perf_open(&a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int unsupported(int err)
{
	return err == -ENOENT || err == -EOPNOTSUPP || err == -ENODEV ||
	       err == -EINVAL || err == -ENOSYS;
}

static void fall_back(struct cdoc_perf_event *ev, int err)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_buf_addf(&b,
	              "event '%s' is not supported on this machine "
	              "(perf_event_open: %s; no hardware counters, as in most "
	              "VMs); using cpu-clock instead",
	              ev->requested, strerror(-err));
	ev->fallback_reason = cdoc_buf_detach(&b, NULL);
	memset(&ev->attr, 0, sizeof(ev->attr));
	soft_event(&ev->attr, "cpu-clock");
	snprintf(ev->name, sizeof(ev->name), "cpu-clock");
}

int cdoc_perf_event_resolve(struct cdoc_perf_event *ev, const char *name)
{
	int ret;

	memset(ev, 0, sizeof(*ev));
	if (!name || !*name)
		name = "cpu-clock";
	snprintf(ev->requested, sizeof(ev->requested), "%s", name);
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	ev->attr.size = sizeof(ev->attr);
	if (soft_event(&ev->attr, name))
		return 0;
	ret = pfm_event(&ev->attr, name);
	if (ret < 0)
		return ret;
	ret = probe(&ev->attr);
	if (ret == 0 || ev->attr.type == PERF_TYPE_SOFTWARE)
		return 0;
	if (!unsupported(ret))
		return 0; /* e.g. EACCES: the real open will explain */
	fall_back(ev, ret);
	return 0;
}

void cdoc_perf_event_release(struct cdoc_perf_event *ev)
{
	free(ev->fallback_reason);
	ev->fallback_reason = NULL;
}
