/*
 * doctor.c - the list of diagnoses and the rule table.
 */
#include "doctor/internal.h"

#include <stdlib.h>
#include <string.h>

static void (*const rules[])(struct cdoc_recording *,
                             struct cdoc_diagnoses *) = {
        doctor__rule_cut_short,     doctor__rule_no_samples,
        doctor__rule_crash,         doctor__rule_hot_function,
        doctor__rule_kernel_heavy,  doctor__rule_lock_contention,
        doctor__rule_alloc_heavy,   doctor__rule_idle,
        doctor__rule_memory_growth, doctor__rule_leaks,
        doctor__rule_data_quality,  doctor__rule_unresolved,
        doctor__rule_fallback,
};

const char *cdoc_severity_name(enum cdoc_severity s)
{
	switch (s) {
	case CDOC_SEV_PROBLEM:
		return "problem";
	case CDOC_SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}

void cdoc_diagnoses_init(struct cdoc_diagnoses *d)
{
	memset(d, 0, sizeof(*d));
}

void cdoc_diagnoses_release(struct cdoc_diagnoses *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++) {
		free(d->items[i].code);
		free(d->items[i].title);
		free(d->items[i].detail);
		free(d->items[i].recommendation);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

void cdoc_diagnoses_add(struct cdoc_diagnoses *d, enum cdoc_severity sev,
                        const char *code, const char *title,
                        const char *recommendation, const char *detail_fmt, ...)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct cdoc_diagnosis *x;
	va_list ap;

	va_start(ap, detail_fmt);
	cdoc_buf_vaddf(&b, detail_fmt, ap);
	va_end(ap);
	CDOC_GROW(d->items, d->nr + 1, d->alloc);
	x = &d->items[d->nr++];
	x->severity = sev;
	x->code = cdoc_strdup(code);
	x->title = cdoc_strdup(title);
	x->recommendation = cdoc_strdup(recommendation);
	x->detail = b.buf ? cdoc_buf_detach(&b, NULL) : cdoc_strdup("");
}

const struct cdoc_diagnosis *cdoc_diagnoses_find(const struct cdoc_diagnoses *d,
                                                 const char *code)
{
	size_t i;

	for (i = 0; i < d->nr; i++)
		if (!strcmp(d->items[i].code, code))
			return &d->items[i];
	return NULL;
}

/* Stable insertion sort, most severe first: lists are short. */
static void sort_by_severity(struct cdoc_diagnoses *d)
{
	size_t i, j;

	for (i = 1; i < d->nr; i++) {
		struct cdoc_diagnosis x = d->items[i];

		for (j = i; j > 0 && d->items[j - 1].severity < x.severity; j--)
			d->items[j] = d->items[j - 1];
		d->items[j] = x;
	}
}

/* Findings the verdict weighs against the rest: with timed samples they
 * are context (info), the verdict says what matters. */
static const char *const cpu_share_codes[] = {
        "hot-function", "kernel-heavy", "lock-contention",
        "alloc-heavy",  "mostly-idle",  "memory-growth",
};

static void demote_cpu_shares(struct cdoc_diagnoses *d)
{
	size_t i, j;

	for (i = 0; i < d->nr; i++)
		for (j = 0; j < CDOC_ARRAY_SIZE(cpu_share_codes); j++)
			if (!strcmp(d->items[i].code, cpu_share_codes[j]))
				d->items[i].severity = CDOC_SEV_INFO;
}

/* The verdict's secondary findings, as warnings. */
static void add_secondary(struct cdoc_recording *r, struct cdoc_diagnoses *d)
{
	struct cdoc_verdict v;
	size_t i;

	cdoc_verdict_init(&v);
	cdoc_doctor_verdict(r, &v);
	for (i = 0; i < v.nr_others; i++) {
		const struct cdoc_verdict *o = &v.others[i];
		struct cdoc_buf title = CDOC_BUF_INIT;

		cdoc_buf_addf(&title, "Secondary finding: %s (%.0f%% impact)",
		              o->category, o->impact);
		cdoc_diagnoses_add(d, CDOC_SEV_WARNING, o->category, title.buf,
		                   o->nr_recs ? o->recs[0] : "", "%s",
		                   o->summary ? o->summary : "");
		cdoc_buf_release(&title);
	}
	cdoc_verdict_release(&v);
}

size_t cdoc_doctor_run(struct cdoc_recording *r, struct cdoc_diagnoses *out)
{
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(rules); i++)
		rules[i](r, out);
	if (r->nr_tsamples)
		demote_cpu_shares(out);
	add_secondary(r, out);
	sort_by_severity(out);
	return out->nr;
}

uint64_t doctor__samples(struct cdoc_recording *r)
{
	struct cdoc_profile *p = cdoc_recording_profile(r, "cpu");
	uint64_t n = cdoc_recording_counter(r, "samples");

	if (n)
		return n;
	return p ? cdoc_profile_total(p, 0) : 0;
}
