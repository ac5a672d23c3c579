/*
 * check_rec.c - which profiles of two recordings the CI gate compares,
 * and how many samples stand behind each.
 *
 * cpu weights are samples. Allocation weights are counts or bytes,
 * exact (--alloc) or estimated from one sample per B bytes (the default
 * sampled mode, META alloc_tracking "sampled, one per B bytes"): the
 * test's n is then the number of samples taken, bytes / B; in exact mode
 * it is the number of allocations (the matching _count profile).
 */
#include "doctor/doctor.h"

#include <string.h>

static const struct {
	const char *name;  /* the profile compared */
	const char *count; /* the profile counting its events */
} gated[] = {
        {"cpu", NULL},
        {"alloc_count", "alloc_count"},
        {"alloc_bytes", "alloc_count"},
        {"leaked_count", "leaked_count"},
        {"leaked_bytes", "leaked_count"},
};

/* Bytes per sample in sampled allocation tracking, 0 when exact. */
static uint64_t alloc_interval(const struct cdoc_recording *r)
{
	const char *m = cdoc_recording_meta(r, "alloc_tracking");
	const char *p = m ? strstr(m, "one per ") : NULL;

	return p && !strncmp(m, "sampled", 7) ? strtoull(p + 8, NULL, 10) : 0;
}

static uint64_t total(struct cdoc_recording *r, const char *name)
{
	struct cdoc_profile *p = name ? cdoc_recording_profile(r, name) : NULL;

	return p ? cdoc_profile_total(p, 0) : 0;
}

/* The samples behind profile @i of the table in @r. */
static uint64_t samples_behind(struct cdoc_recording *r, size_t i)
{
	uint64_t iv = alloc_interval(r);
	const char *bytes;

	if (!gated[i].count)
		return total(r, gated[i].name);
	if (!iv)
		return total(r, gated[i].count);
	bytes = !strncmp(gated[i].name, "alloc", 5) ? "alloc_bytes"
	                                            : "leaked_bytes";
	return total(r, bytes) / iv;
}

int cdoc_check_recordings(struct cdoc_recording *base,
                          struct cdoc_recording *cur,
                          const struct cdoc_check_opts *o,
                          struct cdoc_check_result *res)
{
	size_t i;

	if (!total(base, "cpu") || !total(cur, "cpu"))
		return cdoc_error(-CDOC_EFORMAT, "%s has no cpu samples",
		                  !total(base, "cpu") ? base->path : cur->path);
	for (i = 0; i < CDOC_ARRAY_SIZE(gated); i++) {
		struct cdoc_profile *pb =
		        cdoc_recording_profile(base, gated[i].name);
		struct cdoc_profile *pc =
		        cdoc_recording_profile(cur, gated[i].name);

		if (pb && pc)
			cdoc_check_add(res, gated[i].name, pb,
			               samples_behind(base, i), pc,
			               samples_behind(cur, i), o);
	}
	cdoc_check_finish(res, o);
	return (int)res->status;
}
