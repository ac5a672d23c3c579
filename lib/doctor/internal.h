/*
 * internal.h - what the doctor's rules share: walking the samples of a
 * profile as frame arrays, classifying frame names, and the rule table.
 */
#ifndef CDOC_DOCTOR_INTERNAL_H
#define CDOC_DOCTOR_INTERNAL_H

#include "doctor/doctor.h"

/*
 * Call @fn once per distinct stack with self weight in column 0 of @p:
 * @frames[0] is the outermost frame, @frames[n-1] the leaf.
 */
typedef void (*stack_fn)(void *ctx, const char *const *frames, size_t n,
                         uint64_t weight);
void doctor__walk(const struct cdoc_profile *p, stack_fn fn, void *ctx);

/* Frame kinds. */
int doctor__frame_is_kernel(const char *name); /* ends in _[k] */
int doctor__frame_is_alloc(const char *name);  /* malloc, free, new, ... */
int doctor__frame_is_lock(const char *name);   /* futex, mutex, ... */
/* "module+0xoff": 1 and the module's length in *@modlen. */
int doctor__frame_is_unresolved(const char *name, size_t *modlen);
/* The syscall of a kernel frame ("__x64_sys_write_[k]" -> "write"),
 * its length in *@len; NULL when the frame is no syscall entry. */
const char *doctor__frame_syscall(const char *name, size_t *len);

/* Percent of @part in @whole (0 when @whole is 0). */
static inline double pct(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0;
}

/*
 * struct tally - weights by name, for "top 3 callers" details. Owns
 * its strings.
 */
struct tally {
	struct cdoc_strtab names;
	uint64_t *w;
	size_t alloc;
};
void doctor__tally_init(struct tally *t);
void doctor__tally_add(struct tally *t, const char *name, size_t len,
                       uint64_t w);
/* Append "a (12.3%), b (4.5%)" for the top @k names, % of @whole. */
void doctor__tally_top(const struct tally *t, size_t k, uint64_t whole,
                       struct cdoc_buf *out);
void doctor__tally_release(struct tally *t);

/*
 * Path of the heaviest call chain that ends in function @name, as
 * "a -> b -> name", the last @max frames ("... -> " when cut).
 */
void doctor__heaviest_chain(const struct cdoc_profile *p, const char *name,
                            size_t max, struct cdoc_buf *out);

/* The rules, each in its file. */
void doctor__rule_no_samples(struct cdoc_recording *r,
                             struct cdoc_diagnoses *d);
void doctor__rule_hot_function(struct cdoc_recording *r,
                               struct cdoc_diagnoses *d);
void doctor__rule_kernel_heavy(struct cdoc_recording *r,
                               struct cdoc_diagnoses *d);
void doctor__rule_lock_contention(struct cdoc_recording *r,
                                  struct cdoc_diagnoses *d);
void doctor__rule_alloc_heavy(struct cdoc_recording *r,
                              struct cdoc_diagnoses *d);
void doctor__rule_idle(struct cdoc_recording *r, struct cdoc_diagnoses *d);
void doctor__rule_data_quality(struct cdoc_recording *r,
                               struct cdoc_diagnoses *d);
void doctor__rule_unresolved(struct cdoc_recording *r,
                             struct cdoc_diagnoses *d);
void doctor__rule_crash(struct cdoc_recording *r, struct cdoc_diagnoses *d);
void doctor__rule_fallback(struct cdoc_recording *r, struct cdoc_diagnoses *d);
void doctor__rule_cut_short(struct cdoc_recording *r, struct cdoc_diagnoses *d);
void doctor__rule_memory_growth(struct cdoc_recording *r,
                                struct cdoc_diagnoses *d);
void doctor__rule_leaks(struct cdoc_recording *r, struct cdoc_diagnoses *d);

/* Sample count of the run: counter "samples", else the cpu total. */
uint64_t doctor__samples(struct cdoc_recording *r);

#endif
