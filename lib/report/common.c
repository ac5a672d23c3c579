/*
 * common.c - what the renderers share: options, the diagnoses to show,
 * safe text, JSON values, durations, profile order, folded output.
 */
#include "report/internal.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

const char *const report__quality_counters[] = {
        "samples",          "lost_samples",      "unwind_failures",
        "truncated_stacks", "unresolved_frames", "throttle_events",
};
const size_t report__nr_quality_counters =
        CDOC_ARRAY_SIZE(report__quality_counters);

int report__is_quality_counter(const char *name)
{
	size_t i;

	for (i = 0; i < report__nr_quality_counters; i++)
		if (!strcmp(name, report__quality_counters[i]))
			return 1;
	return 0;
}

void cdoc_report_opts_init(struct cdoc_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->top = 10;
}

const struct cdoc_diagnoses *report__diagnoses(struct cdoc_recording *r,
                                               const struct cdoc_report_opts *o,
                                               struct cdoc_diagnoses *own)
{
	cdoc_diagnoses_init(own);
	if (o && o->diag)
		return o->diag;
	cdoc_doctor_run(r, own);
	return own;
}

const struct cdoc_verdict *report__verdict(struct cdoc_recording *r,
                                           const struct cdoc_report_opts *o,
                                           struct cdoc_verdict *own)
{
	cdoc_verdict_init(own);
	if (o && o->verdict)
		return o->verdict;
	cdoc_doctor_verdict(r, own);
	return own;
}

void report__add_safe(struct cdoc_buf *b, const char *s)
{
	cdoc_buf_add_term(b, s, strlen(s));
}

void report__json_str(struct cdoc_buf *b, const char *s)
{
	cdoc_buf_addch(b, '"');
	if (s)
		cdoc_buf_add_json(b, s, strlen(s));
	cdoc_buf_addch(b, '"');
}

void report__json_num(struct cdoc_buf *b, double v)
{
	if (!isfinite(v))
		cdoc_buf_addstr(b, "null");
	else if (fabs(v) < 9e15 && v == (double)(int64_t)v)
		cdoc_buf_addf(b, "%lld", (long long)v);
	else
		cdoc_buf_addf(b, "%.6g", v);
}

double report__duration(const struct cdoc_recording *r)
{
	const char *d = cdoc_recording_meta(r, "duration_ns");
	char *end;
	double v;

	if (!d || !*d)
		return -1;
	v = strtod(d, &end);
	return *end || v < 0 ? -1 : v / 1e9;
}

size_t report__profiles(const struct cdoc_recording *r, size_t *idx)
{
	size_t i, n = 0;

	for (i = 0; i < r->nr_profiles; i++)
		if (!strcmp(r->profiles[i].name, "cpu") &&
		    cdoc_profile_total(&r->profiles[i].prof, 0))
			idx[n++] = i;
	for (i = 0; i < r->nr_profiles; i++)
		if (strcmp(r->profiles[i].name, "cpu") &&
		    cdoc_profile_total(&r->profiles[i].prof, 0))
			idx[n++] = i;
	return n;
}

void report__proc_status(const struct cdoc_rec_proc *p, struct cdoc_buf *b)
{
	const char *sig;

	if (!p->exited) {
		cdoc_buf_addstr(b, "no exit recorded");
	} else if (p->status == CDOC_REC_EXIT_UNKNOWN) {
		cdoc_buf_addstr(b, "ended");
	} else if (WIFSIGNALED(p->status)) {
		sig = sigabbrev_np(WTERMSIG(p->status));
		cdoc_buf_addf(b, "killed by SIG%s", sig ? sig : "?");
		if (WCOREDUMP(p->status))
			cdoc_buf_addstr(b, " (core dumped)");
	} else {
		cdoc_buf_addf(b, "exited %d", WEXITSTATUS(p->status));
	}
}

/* "samples" (cpu), "ns" (offcpu_*: time off CPU; the derived blocked_loop),
 * "fds" (fd_*: descriptors), "bytes", "allocations", "blocks". */
const char *cdoc_report_unit(const char *profile)
{
	size_t n = strlen(profile);

	if (!strncmp(profile, "offcpu_", 7) || !strcmp(profile, "blocked_loop"))
		return "ns";
	if (!strncmp(profile, "fd_", 3))
		return "fds";
	if (n >= 6 && !strcmp(profile + n - 6, "_bytes"))
		return "bytes";
	if (!strcmp(profile, "leaked_count"))
		return "blocks";
	if (n >= 6 && !strcmp(profile + n - 6, "_count"))
		return "allocations";
	return "samples";
}

const char *report__profile_alias(const char *kind)
{
	static const char *const alias[][2] = {
	        {"alloc", "alloc_bytes"},   {"leak", "leaked_bytes"},
	        {"leaked", "leaked_bytes"}, {"peak", "peak_bytes"},
	        {"live", "live_bytes"},     {"temp", "temp_count"},
	};
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(alias); i++)
		if (!strcmp(kind, alias[i][0]))
			return alias[i][1];
	return kind;
}

int cdoc_report_folded(struct cdoc_recording *r, const char *kind,
                       struct cdoc_buf *out)
{
	struct cdoc_profile *p =
	        cdoc_recording_profile(r, report__profile_alias(kind));
	struct cdoc_buf names = CDOC_BUF_INIT;
	size_t i;
	int ret;

	if (p) {
		cdoc_profile_write_folded(p, out);
		return 0;
	}
	for (i = 0; i < r->nr_profiles; i++)
		cdoc_buf_addf(&names, "%s%s", i ? ", " : "",
		              r->profiles[i].name);
	ret = cdoc_error(-ENOENT,
	                 "%s: no profile '%s' in this recording "
	                 "(it has: %s)",
	                 r->path, kind, names.buf ? names.buf : "none");
	cdoc_buf_release(&names);
	return ret;
}
