/*
 * stack.c - the call stack of an allocation, and its id.
 *
 * Stacks come from libunwind's local unw_backtrace() (DWARF CFI: correct
 * for code built without frame pointers) or, with CDOC_ALLOC_UNWIND=fp,
 * from walking frame pointers inside the thread's stack bounds. Frames in
 * the shim itself are dropped. Each distinct stack is sent once: a
 * lock-free table maps the stack's 64-bit hash to a dense id; the thread
 * that inserts a hash sends the STACK record. When the table is full, a
 * stack gets a fresh id and is sent again (counted).
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <link.h>
#include <sched.h>
#include <string.h>

#include "alloc/internal.h"

#define TABLE_BITS 20
#define PROBES     64
#define MAXF       CDOC_ASTREAM_MAX_FRAMES

struct slot {
	_Atomic uint64_t hash; /* 0 = empty */
	_Atomic uint32_t id;   /* 0 until the inserter has set it */
	uint32_t pad;
};

static struct slot *table;
static atomic_uint next_id = 1;

static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t me = (uintptr_t)data;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (me >= lo && me < lo + ph->p_memsz) {
			shim.self_lo = lo;
			shim.self_hi = lo + ph->p_memsz;
			return 1;
		}
	}
	return 0;
}

int shim_stack_init(void)
{
	table = shim_pages(sizeof(struct slot) << TABLE_BITS);
	dl_iterate_phdr(find_self, (void *)(uintptr_t)shim_stack_init);
	if (!shim.use_fp)
		unw_set_caching_policy(unw_local_addr_space,
		                       UNW_CACHE_PER_THREAD);
	return table ? 0 : -1;
}

uint32_t shim_stack_next_id(void)
{
	return atomic_load(&next_id);
}

static int walk_fp(struct tstate *ts, uintptr_t *pcs, int max)
{
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	uintptr_t hi = ts->stack_hi;
	int n = 0;

	while (n < max && fp + 16 <= hi && !(fp & 7)) {
		uintptr_t next = ((uintptr_t *)fp)[0];
		uintptr_t ret = ((uintptr_t *)fp)[1];

		if (!ret)
			break;
		pcs[n++] = ret;
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

/* The stack, leaf first, without the shim's frames; returns its depth. */
static int capture(struct tstate *ts, uintptr_t *pcs, int max,
                   uintptr_t **start)
{
	int n, skip = 0;

	if (shim.use_fp)
		n = walk_fp(ts, pcs, max);
	else
		n = unw_backtrace((void **)pcs, max);
	while (skip < n && pcs[skip] >= shim.self_lo &&
	       pcs[skip] < shim.self_hi)
		skip++;
	*start = pcs + skip;
	return n - skip;
}

static uint64_t hash_pcs(const uintptr_t *pcs, int n)
{
	uint64_t h = 0x84222325cbf29ce4ull ^ (uint64_t)n;
	int i;

	for (i = 0; i < n; i++) {
		h = (h ^ pcs[i]) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h ? h : 1;
}

static void send_stack(struct tstate *ts, uint32_t id, const uintptr_t *pcs,
                       int n)
{
	unsigned char *p = shim_reserve(ts, 24 + (size_t)n * 10);
	int i;

	*p++ = CDOC_AREC_STACK;
	p = put_v(p, id);
	p = put_v(p, (uint64_t)n);
	for (i = 0; i < n; i++)
		p = put_v(p, pcs[i]);
	shim_commit(ts, p);
}

/* The id of a slot someone else is inserting; 0 if it never appears
 * (its inserter was a thread that a fork left behind). */
static uint32_t wait_id(struct slot *s)
{
	uint32_t id;
	int i;

	for (i = 0; i < 10000; i++) {
		id = atomic_load_explicit(&s->id, memory_order_acquire);
		if (id)
			return id;
		sched_yield();
	}
	return 0;
}

static uint32_t fresh(struct tstate *ts, struct slot *s, const uintptr_t *pcs,
                      int n)
{
	uint32_t id = atomic_fetch_add(&next_id, 1);

	if (s)
		atomic_store_explicit(&s->id, id, memory_order_release);
	else
		atomic_fetch_add(&shim.stack_full, 1);
	send_stack(ts, id, pcs, n);
	return id;
}

/* The id of the calling allocation's stack, sending it when new. */
uint32_t shim_stack_id(struct tstate *ts)
{
	uintptr_t buf[MAXF + 8], *pcs;
	int n = capture(ts, buf, MAXF + 8, &pcs), i;
	uint64_t h, cur;
	uint32_t id;

	if (n > MAXF)
		n = MAXF;
	h = hash_pcs(pcs, n);
	for (i = 0; table && i < PROBES; i++) {
		struct slot *s =
		        &table[(h + (uint64_t)i) & ((1u << TABLE_BITS) - 1)];

		cur = atomic_load_explicit(&s->hash, memory_order_acquire);
		if (cur == 0 &&
		    atomic_compare_exchange_strong(&s->hash, &cur, h))
			return fresh(ts, s, pcs, n);
		if (cur != h)
			continue;
		id = wait_id(s);
		if (id)
			return id;
		break;
	}
	return fresh(ts, NULL, pcs, n);
}
