/*
 * track.c - the pointers the shim must recognise when they are freed:
 * sampled allocations (sampling mode) and anonymous mappings (with
 * CDOC_ALLOC_MMAP). A lock-free open-addressing set in mmap'd memory;
 * removal leaves a tombstone that later insertions reuse. Pointers that do
 * not fit are counted (COUNTERS sample_table_full), never silently lost.
 */
#include "alloc/internal.h"

#define SET_BITS 15
#define PROBES   128
#define TOMB     1ull

static _Atomic uint64_t *set;

int shim_set_init(void)
{
	set = shim_pages(sizeof(*set) << SET_BITS);
	return set ? 0 : -1;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

/* Remember @ptr; 1 when stored, 0 when the set is full (counted). */
int shim_set_add(uint64_t ptr)
{
	uint64_t h = mix(ptr), cur;
	int i;

	for (i = 0; set && i < PROBES; i++) {
		_Atomic uint64_t *s =
		        &set[(h + (uint64_t)i) & ((1u << SET_BITS) - 1)];

		cur = atomic_load_explicit(s, memory_order_relaxed);
		if ((cur == 0 || cur == TOMB) &&
		    atomic_compare_exchange_strong(s, &cur, ptr))
			return 1;
	}
	atomic_fetch_add(&shim.sample_full, 1);
	return 0;
}

/* Forget @ptr; 1 when it was there. */
int shim_set_remove(uint64_t ptr)
{
	uint64_t h = mix(ptr), cur;
	int i;

	for (i = 0; set && i < PROBES; i++) {
		_Atomic uint64_t *s =
		        &set[(h + (uint64_t)i) & ((1u << SET_BITS) - 1)];

		cur = atomic_load_explicit(s, memory_order_relaxed);
		if (cur == ptr) {
			uint64_t want = ptr;
			return atomic_compare_exchange_strong(s, &want, TOMB);
		}
		if (cur == 0)
			return 0;
	}
	return 0;
}

/* Whether @ptr is there (read only: the fast test on every free). */
int shim_set_has(uint64_t ptr)
{
	uint64_t h = mix(ptr), cur;
	int i;

	for (i = 0; set && i < PROBES; i++) {
		cur = atomic_load_explicit(
		        &set[(h + (uint64_t)i) & ((1u << SET_BITS) - 1)],
		        memory_order_relaxed);
		if (cur == ptr)
			return 1;
		if (cur == 0)
			return 0;
	}
	return 0;
}
