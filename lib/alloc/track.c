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
/* Counting filters in front of the set (shim_maybe_set(), internal.h):
 * most frees, of pointers never sampled, are turned away by a load or
 * two. Saturated counters stay saturated. */
_Atomic uint8_t shim_filter[1u << SHIM_FILTER_BITS];
_Atomic uint8_t shim_filter1[1u << SHIM_FILTER1_BITS];

static void counter_add(_Atomic uint8_t *c, int d)
{
	uint8_t v = atomic_load_explicit(c, memory_order_relaxed);

	while (v < 255 && (d > 0 || v > 0) &&
	       !atomic_compare_exchange_weak(c, &v, (uint8_t)(v + d)))
		;
}

static void filter_add(uint64_t ptr, int d)
{
	uint64_t h = shim_ptr_hash(ptr);

	counter_add(&shim_filter1[shim_filter1_of(h)], d);
	counter_add(&shim_filter[shim_filter_of(h)], d);
}

/* @ptr passes the filters from now on, though it is never in the set. */
void shim_filter_pin(uint64_t ptr)
{
	filter_add(ptr, 1);
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

/* The @i-th slot probed for a pointer of mix @h. */
static _Atomic uint64_t *slot(uint64_t h, int i)
{
	return &set[(h + (uint64_t)i) & ((1u << SET_BITS) - 1)];
}

/* Remember @ptr; 1 when stored, 0 when the set is full (counted). */
int shim_set_add(uint64_t ptr)
{
	uint64_t h = mix(ptr), cur;
	int i;

	for (i = 0; set && i < PROBES; i++) {
		cur = atomic_load_explicit(slot(h, i), memory_order_relaxed);
		if ((cur == 0 || cur == TOMB) &&
		    atomic_compare_exchange_strong(slot(h, i), &cur, ptr)) {
			filter_add(ptr, 1);
			return 1;
		}
	}
	atomic_fetch_add(&shim.sample_full, 1);
	return 0;
}

/* The slot that holds @ptr, or NULL. */
static _Atomic uint64_t *find(uint64_t ptr)
{
	uint64_t h = mix(ptr), cur;
	int i;

	for (i = 0; set && i < PROBES; i++) {
		cur = atomic_load_explicit(slot(h, i), memory_order_relaxed);
		if (cur == ptr)
			return slot(h, i);
		if (cur == 0)
			return NULL;
	}
	return NULL;
}

/* Forget @ptr; 1 when it was there. */
int shim_set_remove(uint64_t ptr)
{
	_Atomic uint64_t *s = find(ptr);
	uint64_t want = ptr;

	if (!s || !atomic_compare_exchange_strong(s, &want, TOMB))
		return 0;
	filter_add(ptr, -1);
	return 1;
}

/* Whether @ptr is there (read only; after shim_maybe_set() said maybe). */
int shim_set_has(uint64_t ptr)
{
	return find(ptr) != NULL;
}
