/*
 * rules_memory.c - rules over memory: resident size growing steadily
 * (from metrics) and leaked bytes by call site (from heap profiles).
 */
#include "doctor/internal.h"

#include "heapfile/heapfile.h"
#include "metrics/metrics.h"

#include <stdlib.h>
#include <string.h>

#define GROWTH_MIN_POINTS 5
#define GROWTH_MIN_BYTES  (16.0 * 1024 * 1024)
#define GROWTH_MIN_FRAC   0.2
#define GROWTH_RISING     0.6
#define LEAK_WARN_BYTES   (1024.0 * 1024)
#define MIB               (1024.0 * 1024)

/* What to do about growth, by what the recording already holds. */
static const char *growth_advice(const struct cdoc_recording *r)
{
	if (!cdoc_recording_meta(r, "alloc_tracking"))
		return "Find what holds on to memory: run with allocation "
		       "tracking (without --no-alloc), take heap snapshots "
		       "(--heap-interval SEC), and rank growing call sites "
		       "with `cdoctor heap diff`.";
	if (cdoc_heap_rec_count(r) < 2)
		return "Find what holds on to memory: `cdoctor heap REC` "
		       "lists what was live at exit by call site; run again "
		       "with --heap-interval SEC for snapshots while it runs, "
		       "and `cdoctor heap diff REC` ranks the sites that grew "
		       "between them.";
	return "Find what holds on to memory: `cdoctor heap diff REC` ranks "
	       "the call sites whose live bytes grew between the first and "
	       "the last heap snapshot.";
}

void doctor__rule_memory_growth(struct cdoc_recording *r,
                                struct cdoc_diagnoses *d)
{
	struct cdoc_metrics_series s;
	struct cdoc_metrics_trend t;
	double grew;

	cdoc_metrics_series(r, "rss_bytes", &s);
	cdoc_metrics_trend(&s, &t);
	grew = t.last - t.first;
	if (s.n >= GROWTH_MIN_POINTS && grew > GROWTH_MIN_BYTES &&
	    grew > GROWTH_MIN_FRAC * t.first && t.rising >= GROWTH_RISING &&
	    t.slope > 0)
		cdoc_diagnoses_add(
		        d, CDOC_SEV_WARNING, "memory-growth",
		        "Memory keeps growing", growth_advice(r),
		        "Resident memory rose from %.1f MiB to %.1f MiB over "
		        "%.1f s (%.2f MiB/s; it rose in %.0f%% of %zu "
		        "samples).",
		        t.first / MIB, t.last / MIB, s.t[s.n - 1] - s.t[0],
		        t.slope / MIB, 100 * t.rising, s.n);
	cdoc_metrics_series_release(&s);
}

void doctor__rule_leaks(struct cdoc_recording *r, struct cdoc_diagnoses *d)
{
	struct cdoc_profile *p = cdoc_recording_profile(r, "leaked_bytes");
	struct cdoc_profile *c = cdoc_recording_profile(r, "leaked_count");
	struct cdoc_buf chain = CDOC_BUF_INIT;
	struct cdoc_top_entry *top;
	const char *site, *mode = cdoc_recording_meta(r, "alloc_tracking");
	int sampled = mode && !strncmp(mode, "sampled", 7);
	uint64_t total;

	if (!p || !(total = cdoc_profile_total(p, 0)))
		return;
	if (!cdoc_profile_top(p, 0, CDOC_TOP_SELF, &top)) {
		free(top); /* weight on the root only */
		return;
	}
	site = cdoc_strtab_get(&p->names, top[0].name);
	doctor__heaviest_chain(p, site, 8, &chain);
	cdoc_diagnoses_add(
	        d, total > LEAK_WARN_BYTES ? CDOC_SEV_WARNING : CDOC_SEV_INFO,
	        "leaks", "Memory was never freed",
	        "Free what the top site allocates when it is no longer "
	        "needed (or bound the cache that keeps it); `cdoctor heap "
	        "REC` lists every site.",
	        "%s%llu bytes in %llu blocks were still allocated at exit%s. "
	        "Top site: %s with %llu bytes (%.1f%%), via %s.",
	        sampled ? "About " : "", (unsigned long long)total,
	        (unsigned long long)(c ? cdoc_profile_total(c, 0) : 0),
	        sampled ? " (estimated from sampled allocations)" : "", site,
	        (unsigned long long)top[0].self, pct(top[0].self, total),
	        chain.buf ? chain.buf : site);
	cdoc_buf_release(&chain);
	free(top);
}
