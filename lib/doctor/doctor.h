/*
 * doctor.h - rules that turn the evidence in a recording into diagnoses
 * with recommendations; the CI regression comparison behind `cdoctor
 * check`; and the probe of what this machine allows (`cdoctor sysinfo`).
 *
 * Rules and their thresholds are listed in docs/reports.md. Each rule
 * looks at one kind of evidence (the cpu profile, counters, processes,
 * metrics, heap profiles) and adds zero or more diagnoses; nothing here
 * prints.
 */
#ifndef CDOC_DOCTOR_H
#define CDOC_DOCTOR_H

#include "base/base.h"
#include "profile/profile.h"
#include "record/record.h"

enum cdoc_severity {
	CDOC_SEV_INFO = 0,    /* worth knowing */
	CDOC_SEV_WARNING = 1, /* likely a performance problem or bad data */
	CDOC_SEV_PROBLEM = 2, /* the main finding: fix this first */
};

/* "info", "warning", "problem". */
const char *cdoc_severity_name(enum cdoc_severity s);

/* struct cdoc_diagnosis - one finding. Owns its strings. */
struct cdoc_diagnosis {
	enum cdoc_severity severity;
	char *code;           /* stable identifier: "hot-function", ... */
	char *title;          /* one line */
	char *detail;         /* the evidence, with numbers */
	char *recommendation; /* what to do next */
};

/*
 * struct cdoc_diagnoses - a list of findings, most severe first after
 * cdoc_doctor_run(). Owns everything; cdoc_diagnoses_release().
 */
struct cdoc_diagnoses {
	struct cdoc_diagnosis *items;
	size_t nr, alloc;
};

void cdoc_diagnoses_init(struct cdoc_diagnoses *d);
void cdoc_diagnoses_release(struct cdoc_diagnoses *d);

/* Append a diagnosis (copies the strings; @detail is printf-formatted). */
void cdoc_diagnoses_add(struct cdoc_diagnoses *d, enum cdoc_severity sev,
                        const char *code, const char *title,
                        const char *recommendation, const char *detail_fmt, ...)
        CDOC_PRINTF(6, 7);

/* The first diagnosis with @code, or NULL. */
const struct cdoc_diagnosis *cdoc_diagnoses_find(const struct cdoc_diagnoses *d,
                                                 const char *code);

/*
 * Run every rule over @r and append what they find to @out (initialized
 * by the caller), then sort @out by severity, most severe first (stable).
 * Returns the number of diagnoses in @out. @r is not changed in substance
 * (profiles are looked up by name).
 */
size_t cdoc_doctor_run(struct cdoc_recording *r, struct cdoc_diagnoses *out);

/* --- the verdict: what holds a server back (docs/doctor.md) --- */

/* The verdict words (stable; JSON "category"). */
#define CDOC_V_LOOP      "event-loop-blocked"
#define CDOC_V_HOTSPOT   "cpu-hotspot"
#define CDOC_V_SATURATED "cpu-saturation"
#define CDOC_V_LOCK      "lock-contention"
#define CDOC_V_IO        "io-wait"
#define CDOC_V_MEMLEAK   "memory-leak"
#define CDOC_V_FDLEAK    "fd-leak"
#define CDOC_V_CHURN     "alloc-churn"
#define CDOC_V_THROTTLED "cpu-throttled"
#define CDOC_V_GC        "gc-pressure" /* from the Node rules */
#define CDOC_V_NONE      "none"

/* struct cdoc_culprit - one function responsible. Owns its strings. */
struct cdoc_culprit {
	char *function; /* the first own-code frame ("render_report") */
	char *where;    /* "file.c:42" from FRAMEINFO, or NULL */
	char *via;      /* what it called that cost the time ("fsync",
	                   "pthread_mutex_lock", "malloc"), or NULL */
	double share;   /* % of the verdict's measured time (or growth) */
	double impact;  /* % of the analysis window's work it cost */
};

/* struct cdoc_evidence - one measurement a verdict rests on. */
struct cdoc_evidence {
	char *name; /* "loop_blocked_pct", ... (stable) */
	double value;
	char *unit; /* "%", "ms", "bytes/s", ... */
};

/*
 * struct cdoc_verdict - the one answer for a recording: its category
 * word, the culprits most responsible first (none for "none"), a summary
 * with the measured impact, the evidence and the next steps. ->others
 * holds the other findings that crossed their thresholds (secondary,
 * largest impact first; their own ->others are empty). Owns everything;
 * cdoc_verdict_release().
 */
struct cdoc_verdict {
	const char *category; /* a CDOC_V_* word (static) */
	double impact;        /* % of the window's work lost: the ranking */
	char *summary;
	struct cdoc_culprit *culprits;
	size_t nr_culprits, alloc_culprits;
	struct cdoc_evidence *evidence;
	size_t nr_evidence, alloc_evidence;
	char **recs; /* recommendations, most useful first */
	size_t nr_recs, alloc_recs;
	double window_start_s, window_end_s; /* the analysis window */
	const char *window_rule;             /* how it was chosen (static) */
	struct cdoc_verdict *others;
	size_t nr_others, alloc_others;
};

void cdoc_verdict_init(struct cdoc_verdict *v);
void cdoc_verdict_release(struct cdoc_verdict *v);

/*
 * Judge @r: measure every category over the analysis window (the load
 * window [load_start_ns, load_end_ns] when META has it, else the run
 * without its start-up and shutdown), keep those that cross their
 * thresholds, and make the one that cost the requests most the verdict
 * (the rest go to ->others). "none" when nothing crosses. @v must be
 * initialized. Returns 0; never fails on a valid recording.
 */
int cdoc_doctor_verdict(struct cdoc_recording *r, struct cdoc_verdict *v);

/*
 * The CI gate (`cdoctor check`, docs/ci.md). For every function of a
 * profile, its share of the profile (by self and by total weight) in a
 * baseline and in a current recording is compared with a one-sided
 * two-proportion z-test on the sample counts behind the shares; the
 * p-values of all comparisons are corrected with Holm-Bonferroni. A
 * function regresses when its share rose significantly (adjusted p <=
 * alpha) AND by more than min_effect percentage points. A profile whose
 * counts are too small to detect a rise of min_effect points is
 * inconclusive.
 */
struct cdoc_check_opts {
	double min_effect; /* percentage points; default 2 */
	double alpha;      /* family-wise significance level; default 0.01 */
};

/* One comparison that rose (kept until cdoc_check_finish filters). */
struct cdoc_regression {
	const char *profile; /* static name: "cpu", "alloc_bytes", ... */
	char *name;          /* function (owned) */
	int total;           /* 0: self share, 1: total (inclusive) share */
	double base, cur;    /* shares in % */
	double p;            /* one-sided p-value of the rise */
	double p_adj;        /* Holm-adjusted p-value */
};

/* One profile compared. */
struct cdoc_check_prof {
	const char *name;       /* static */
	uint64_t base_n, cur_n; /* sample counts behind the shares */
	double detectable;      /* smallest rise (points) the test can see */
	size_t compared;        /* comparisons (functions x self/total) */
	double var;             /* largest p(1-p) of a pooled self share */
	int inconclusive;       /* detectable > min_effect */
};

enum cdoc_check_status {
	CDOC_CHECK_OK = 0,
	CDOC_CHECK_FAIL = 1,
	CDOC_CHECK_INCONCLUSIVE = 2,
};

/* struct cdoc_check_result - regressions, worst first. Owns everything. */
struct cdoc_check_result {
	struct cdoc_regression *items;
	size_t nr, alloc;
	struct cdoc_check_prof *profs;
	size_t nr_profs, alloc_profs;
	size_t compared; /* comparisons over all profiles (Holm's m) */
	enum cdoc_check_status status;
};

void cdoc_check_opts_init(struct cdoc_check_opts *o);

/*
 * Compare profile @profile (a static string) of @cur against @base and
 * keep every comparison whose share rose in @res (zeroed by the caller).
 * @base_n and @cur_n are the numbers of samples behind the weights (the
 * profiles' totals for cpu samples; see cdoc_check_recordings for
 * allocation profiles).
 */
void cdoc_check_add(struct cdoc_check_result *res, const char *profile,
                    const struct cdoc_profile *base, uint64_t base_n,
                    const struct cdoc_profile *cur, uint64_t cur_n,
                    const struct cdoc_check_opts *o);

/*
 * After every cdoc_check_add: Holm-correct, keep only regressions (worst
 * first), set ->status. Returns the number of regressions.
 */
size_t cdoc_check_finish(struct cdoc_check_result *res,
                         const struct cdoc_check_opts *o);

/*
 * Compare the cpu, alloc_count, alloc_bytes, leaked_count and
 * leaked_bytes profiles that both recordings have, and finish. Returns
 * the status, or -CDOC_EFORMAT with a message when either recording has
 * no cpu samples.
 */
int cdoc_check_recordings(struct cdoc_recording *base,
                          struct cdoc_recording *cur,
                          const struct cdoc_check_opts *o,
                          struct cdoc_check_result *res);

/* "ok", "fail", "inconclusive". */
const char *cdoc_check_status_name(enum cdoc_check_status s);

void cdoc_check_result_release(struct cdoc_check_result *res);

/* --- the machine: cdoctor sysinfo --- */

/* One perf event tried on this process. */
struct cdoc_sysinfo_event {
	const char *name; /* "cpu-clock", "cycles", ... (static) */
	int hardware;     /* a hardware counter */
	int works;        /* perf_event_open succeeded */
	int user_only;    /* only with exclude_kernel (paranoid >= 2) */
	int err;          /* errno when it failed */
};

#define CDOC_SYSINFO_EVENTS 7
#define CDOC_SYSINFO_PMUS   16

/*
 * struct cdoc_sysinfo - what this machine allows. Owns nothing beyond
 * fixed arrays; no release needed.
 */
struct cdoc_sysinfo {
	int paranoid;        /* kernel.perf_event_paranoid; -100 unknown */
	int kptr_restrict;   /* kernel.kptr_restrict; -100 unknown */
	int max_sample_rate; /* kernel.perf_event_max_sample_rate; 0 unknown */
	int euid;            /* effective user */
	int cap_perfmon;     /* CAP_PERFMON (or CAP_SYS_ADMIN) effective */
	struct cdoc_sysinfo_event events[CDOC_SYSINFO_EVENTS];
	int hw_counters;                  /* some hardware event works */
	int pfm_ok;                       /* pfm_initialize() succeeded */
	char pfm_error[128];              /* its message when not */
	char pmus[CDOC_SYSINFO_PMUS][64]; /* active PMUs (libpfm4 names) */
	int nr_pmus;
	int kallsyms_readable; /* /proc/kallsyms shows non-zero addresses */
	int debug_dir;         /* /usr/lib/debug exists */
	int debug_files;       /* files under /usr/lib/debug/.build-id */
	char container[64];    /* "docker", "lxc", ... or "" */
	char hypervisor[64];   /* "KVM", ... or "" */
	char kernel[128];      /* uname -r */
	char exe[256];         /* this executable, for the setcap hint */
	int ncpus;             /* online CPUs */
};

/* Probe the machine. Never fails; unknown values are marked as such. */
void cdoc_sysinfo_probe(struct cdoc_sysinfo *si);

/*
 * Append a human-readable report (@colour: ANSI colours) or a JSON
 * object of @si to @out, with, for each blocker, the command to run.
 */
void cdoc_sysinfo_text(const struct cdoc_sysinfo *si, int colour,
                       struct cdoc_buf *out);
void cdoc_sysinfo_json(const struct cdoc_sysinfo *si, struct cdoc_buf *out);

#endif
