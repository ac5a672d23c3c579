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

#define FILTER_BITS 14

static _Atomic uint64_t *set;
/* A counting filter in front of the set: most frees (of pointers never
 * sampled) are turned away by one load from 16 KiB. Saturated counters
 * stay saturated. */
static _Atomic uint8_t filter[1u << FILTER_BITS];

static _Atomic uint8_t *counter(uint64_t h)
{
	return &filter[(h >> 40) & ((1u << FILTER_BITS) - 1)];
}

static void filter_add(uint64_t h)
{
	uint8_t v = atomic_load_explicit(counter(h), memory_order_relaxed);

	while (v < 255 && !atomic_compare_exchange_weak(counter(h), &v, v + 1))
		;
}

static void filter_remove(uint64_t h)
{
	uint8_t v = atomic_load_explicit(counter(h), memory_order_relaxed);

	while (v > 0 && v < 255 &&
	       !atomic_compare_exchange_weak(counter(h), &v, v - 1))
		;
}

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
		    atomic_compare_exchange_strong(s, &cur, ptr)) {
			filter_add(h);
			return 1;
		}
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

			if (!atomic_compare_exchange_strong(s, &want, TOMB))
				return 0;
			filter_remove(h);
			return 1;
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

	if (!atomic_load_explicit(counter(h), memory_order_relaxed))
		return 0;
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
