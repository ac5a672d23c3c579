/*
 * unwind.c - DWARF unwinding of perf stack copies with libunwind's remote
 * API. The accessors read registers from the sample, memory from the stack
 * copy or from the ELF images of the mapped files (lib/symbol's DSO cache,
 * through cdoc_syms_image_at), and find unwind tables through each DSO's
 * .eh_frame_hdr. One libunwind address space per process
 * (UNW_CACHE_GLOBAL) is kept in lib/symbol's per-process slot; it is
 * flushed when the process maps something new and dropped on exec and
 * exit.
 */
#include <errno.h>
#include <libunwind.h>
#include <stdlib.h>
#include <string.h>

#include "unwind/unwind.h"

/* Exported by libunwind but not declared in its headers (perf does this). */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as,
                                              unw_word_t ip, unw_dyn_info_t *di,
                                              unw_proc_info_t *pi,
                                              int need_unwind_info, void *arg);
#define dwarf_search_unwind_table UNW_OBJ(dwarf_search_unwind_table)

/* DWARF exception-header pointer encodings. */
#define DW_EH_PE_absptr  0x00
#define DW_EH_PE_udata4  0x03
#define DW_EH_PE_udata8  0x04
#define DW_EH_PE_sdata4  0x0b
#define DW_EH_PE_sdata8  0x0c
#define DW_EH_PE_pcrel   0x10
#define DW_EH_PE_datarel 0x30
#define DW_EH_PE_omit    0xff

/* struct walk - one unwind: the sample and where it is being read. */
struct walk {
	struct cdoc_syms *s;
	struct cdoc_syms_proc *p;
	const uint64_t *regs;
	uint64_t mask;
	const uint8_t *stack;
	uint64_t sp, len;
	int truncated;              /* needed bytes above the copy */
	struct cdoc_syms_image img; /* image of the last find_proc_info */
	int have_img;
};

/* struct ustate - what a process keeps between unwinds. */
struct ustate {
	unw_addr_space_t as;
};

uint64_t cdoc_unwind_reg(const uint64_t *regs, uint64_t mask, int reg)
{
	if (reg < 0 || reg > 63 || !(mask & (1ULL << reg)))
		return 0;
	return regs[__builtin_popcountll(mask & ((1ULL << reg) - 1))];
}

static int has_reg(uint64_t mask, int reg)
{
	return !!(mask & (1ULL << reg));
}

/* Read an encoded eh_frame_hdr value at vaddr *at of @d; advance *at. */
static int read_encoded(const struct cdoc_syms_image *d, uint64_t *at,
                        uint8_t enc, uint64_t hdr, uint64_t *out)
{
	uint64_t base = 0, v = 0;
	int32_t s4;
	size_t size;

	if ((enc & 0x70) == DW_EH_PE_pcrel)
		base = *at;
	else if ((enc & 0x70) == DW_EH_PE_datarel)
		base = hdr;
	else if ((enc & 0x70) != DW_EH_PE_absptr)
		return -1;
	switch (enc & 0x0f) {
	case DW_EH_PE_udata4:
	case DW_EH_PE_sdata4:
		size = 4;
		if (cdoc_syms_image_read(d, *at, &s4, 4) < 0)
			return -1;
		v = (enc & 0x0f) == DW_EH_PE_sdata4 ? (uint64_t)(int64_t)s4
		                                    : (uint32_t)s4;
		break;
	case DW_EH_PE_absptr:
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		size = 8;
		if (cdoc_syms_image_read(d, *at, &v, 8) < 0)
			return -1;
		break;
	default:
		return -1;
	}
	*at += size;
	*out = base + v;
	return 0;
}

/*
 * Locate the binary-search table of @d's .eh_frame_hdr: *table = its vaddr,
 * *count = number of FDEs. libunwind needs datarel|sdata4 entries.
 */
static int eh_table(const struct cdoc_syms_image *d, uint64_t *table,
                    uint64_t *count)
{
	uint8_t h[4];
	uint64_t at = d->eh_hdr_vaddr + 4, eh_frame;

	if (!d->eh_hdr_vaddr ||
	    cdoc_syms_image_read(d, d->eh_hdr_vaddr, h, 4) < 0)
		return -1;
	if (h[0] != 1 || h[2] == DW_EH_PE_omit ||
	    h[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4))
		return -1;
	if (read_encoded(d, &at, h[1], d->eh_hdr_vaddr, &eh_frame) < 0 ||
	    read_encoded(d, &at, h[2], d->eh_hdr_vaddr, count) < 0)
		return -1;
	*table = at;
	return 0;
}

static int find_proc_info(unw_addr_space_t as, unw_word_t ip,
                          unw_proc_info_t *pi, int need_unwind_info, void *arg)
{
	struct walk *w = arg;
	struct cdoc_syms_image im;
	unw_dyn_info_t di;
	uint64_t table, count;

	if (cdoc_syms_image_at(w->s, w->p, ip, &im) < 0 ||
	    eh_table(&im, &table, &count))
		return -UNW_ENOINFO;
	w->img = im;
	w->have_img = 1;
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = im.start;
	di.end_ip = im.end;
	di.u.rti.segbase = im.eh_hdr_vaddr + im.bias;
	di.u.rti.table_data = table + im.bias;
	di.u.rti.table_len = count * 8 / sizeof(unw_word_t);
	return dwarf_search_unwind_table(as, ip, &di, pi, need_unwind_info,
	                                 arg);
}

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	/* libunwind frees table-format unwind info itself */
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *dil_addr,
                                  void *arg)
{
	return -UNW_ENOINFO;
}

/* Read a word of a mapped file at runtime address @addr. */
static int read_file_word(struct walk *w, uint64_t addr, unw_word_t *val)
{
	struct cdoc_syms_image im;

	if (!cdoc_syms_image_at(w->s, w->p, addr, &im) &&
	    !cdoc_syms_image_read(&im, addr - im.bias, val, sizeof(*val)))
		return 0;
	/* The read-only part of a DSO may be missing from the maps (perf
	   sends executable mappings only): try the DSO being unwound. */
	if (w->have_img && !cdoc_syms_image_read(&w->img, addr - w->img.bias,
	                                         val, sizeof(*val)))
		return 0;
	return -1;
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val,
                      int write, void *arg)
{
	struct walk *w = arg;

	if (write)
		return -UNW_EINVAL;
	if (addr >= w->sp && addr - w->sp <= w->len - sizeof(*val) &&
	    w->len >= sizeof(*val)) {
		memcpy(val, w->stack + (addr - w->sp), sizeof(*val));
		return 0;
	}
	if (!read_file_word(w, addr, val))
		return 0;
	if (addr >= w->sp + w->len)
		w->truncated = 1;
	return -UNW_EINVAL;
}

/* libunwind's x86_64 register numbers -> perf_regs indices. */
static const int8_t unw_to_perf[] = {
        [UNW_X86_64_RAX] = CDOC_REG_AX, [UNW_X86_64_RDX] = CDOC_REG_DX,
        [UNW_X86_64_RCX] = CDOC_REG_CX, [UNW_X86_64_RBX] = CDOC_REG_BX,
        [UNW_X86_64_RSI] = CDOC_REG_SI, [UNW_X86_64_RDI] = CDOC_REG_DI,
        [UNW_X86_64_RBP] = CDOC_REG_BP, [UNW_X86_64_RSP] = CDOC_REG_SP,
        [UNW_X86_64_R8] = 16,           [UNW_X86_64_R9] = 17,
        [UNW_X86_64_R10] = 18,          [UNW_X86_64_R11] = 19,
        [UNW_X86_64_R12] = 20,          [UNW_X86_64_R13] = 21,
        [UNW_X86_64_R14] = 22,          [UNW_X86_64_R15] = 23,
        [UNW_X86_64_RIP] = CDOC_REG_IP,
};

static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val,
                      int write, void *arg)
{
	struct walk *w = arg;
	int preg;

	if (write || reg < 0 || reg >= (int)CDOC_ARRAY_SIZE(unw_to_perf))
		return -UNW_EBADREG;
	preg = unw_to_perf[reg];
	if (!has_reg(w->mask, preg))
		return -UNW_EBADREG;
	*val = cdoc_unwind_reg(w->regs, w->mask, preg);
	return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val,
                        int write, void *arg)
{
	return -UNW_EINVAL;
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	return -UNW_EINVAL;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf,
                         size_t len, unw_word_t *off, void *arg)
{
	return -UNW_EINVAL;
}

static unw_accessors_t accessors = {
        .find_proc_info = find_proc_info,
        .put_unwind_info = put_unwind_info,
        .get_dyn_info_list_addr = get_dyn_info_list_addr,
        .access_mem = access_mem,
        .access_reg = access_reg,
        .access_fpreg = access_fpreg,
        .resume = resume,
        .get_proc_name = get_proc_name,
};

static void ustate_free(void *state)
{
	struct ustate *u = state;

	unw_destroy_addr_space(u->as);
	free(u);
}

static void ustate_flush(void *state)
{
	struct ustate *u = state;

	unw_flush_cache(u->as, 0, 0);
}

static unw_addr_space_t proc_as(struct cdoc_syms *s, struct cdoc_syms_proc *p)
{
	void **slot = cdoc_syms_proc_slot(p);
	struct ustate *u = *slot;

	cdoc_syms_set_slot_ops(s, ustate_free, ustate_flush);
	if (u)
		return u->as;
	u = cdoc_calloc(1, sizeof(*u));
	u->as = unw_create_addr_space(&accessors, 0);
	if (!u->as) {
		free(u);
		return NULL;
	}
	unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	*slot = u;
	return u->as;
}

/*
 * Whether DWARF can step from a frame at @ip (the lookup address: ip - 1
 * for a return address): an ELF image is mapped there and its
 * .eh_frame_hdr has an FDE for it. JIT code (no image) and V8's embedded
 * builtins (in node's .text without CFI) have none.
 */
static int has_fde(struct walk *w, unw_addr_space_t as, uint64_t ip)
{
	unw_proc_info_t pi;

	memset(&pi, 0, sizeof(pi));
	return find_proc_info(as, ip, &pi, 0, w) >= 0;
}

/*
 * DWARF steps until the end of the stack, an error, @max frames, or a
 * frame without an FDE (*nofde set: the cursor's registers are that
 * frame's, for the frame-pointer walk to go on from).
 */
static int step_all(struct walk *w, unw_addr_space_t as, unw_cursor_t *c,
                    uint64_t *ips, int n, int max, int *ret, int *nofde)
{
	unw_word_t ip, sp, prev_sp = 0;

	*ret = 0;
	*nofde = 0;
	while (n < max && (*ret = unw_step(c)) > 0) {
		if (unw_get_reg(c, UNW_REG_IP, &ip) < 0 ||
		    unw_get_reg(c, UNW_REG_SP, &sp) < 0 || !ip)
			break;
		if (n > 1 && sp <= prev_sp && ip == ips[n - 1])
			break; /* no progress: a loop */
		prev_sp = sp;
		ips[n++] = ip;
		if (!has_fde(w, as, ip - 1)) {
			*nofde = 1;
			break;
		}
	}
	return n;
}

/*
 * Frame pointers through frames without CFI (JIT code, V8's trampolines):
 * the return address at [bp+8], the caller's BP at [bp], inside the stack
 * copy only. Stops at the first return address with an FDE and leaves
 * the register state of that frame in @st (IP, SP = bp + 16, BP), or at
 * the end of the chain (*resume 0; *trunc set when BP points past the end
 * of the copy).
 */
static int fp_walk(struct walk *w, unw_addr_space_t as, uint64_t bp,
                   uint64_t *ips, int n, int max, uint64_t *st, int *resume,
                   int *trunc)
{
	uint64_t frame[2];

	*resume = 0;
	while (n < max) {
		if (bp < w->sp || w->len < 16 || bp - w->sp > w->len - 16) {
			*trunc = bp >= w->sp + w->len - 16 && w->len >= 16;
			break;
		}
		memcpy(frame, w->stack + (bp - w->sp), sizeof(frame));
		if (!frame[1])
			break;
		ips[n++] = frame[1];
		if (has_fde(w, as, frame[1] - 1)) {
			st[0] = frame[0]; /* BP */
			st[1] = bp + 16;  /* SP: the frame's CFA */
			st[2] = frame[1]; /* IP */
			*resume = 1;
			break;
		}
		if (frame[0] <= bp)
			break;
		bp = frame[0];
	}
	return n;
}

/* Mask of the register state fp_walk() leaves: BP, SP, IP in that order. */
#define FP_STATE_MASK                                                          \
	((1ULL << CDOC_REG_BP) | (1ULL << CDOC_REG_SP) | (1ULL << CDOC_REG_IP))

int cdoc_unwind_user(struct cdoc_syms *s, uint32_t pid, const uint64_t *regs,
                     uint64_t regs_mask, const void *stack, size_t stack_len,
                     uint64_t *ips, int max, int *truncated)
{
	struct walk w = {s, NULL, regs, regs_mask, stack, 0, stack_len};
	uint64_t st[3];
	unw_addr_space_t as;
	unw_cursor_t c;
	unw_word_t bp;
	int n = 1, ret = 0, nofde, resume, first = 1, fp_trunc = 0;

	if (truncated)
		*truncated = 0;
	if (max < 1 || !has_reg(regs_mask, CDOC_REG_IP) ||
	    !has_reg(regs_mask, CDOC_REG_SP))
		return CDOC_UNWIND_ENOREGS;
	ips[0] = cdoc_unwind_reg(regs, regs_mask, CDOC_REG_IP);
	w.sp = cdoc_unwind_reg(regs, regs_mask, CDOC_REG_SP);
	w.p = cdoc_syms_get_proc(s, pid);
	as = proc_as(s, w.p);
	if (!as)
		return -ENOMEM;
	for (;;) {
		w.truncated = 0;
		if (unw_init_remote(&c, as, &w) < 0)
			return n > 1 ? n : -EINVAL;
		nofde = first && !has_fde(&w, as, ips[0]) &&
		        has_reg(w.mask, CDOC_REG_BP);
		if (!nofde)
			n = step_all(&w, as, &c, ips, n, max, &ret, &nofde);
		if (!nofde || n >= max ||
		    unw_get_reg(&c, UNW_X86_64_RBP, &bp) < 0)
			break;
		/* A frame without CFI: frame pointers until native code. */
		n = fp_walk(&w, as, bp, ips, n, max, st, &resume, &fp_trunc);
		if (!resume)
			break;
		first = 0;
		w.regs = st;
		w.mask = FP_STATE_MASK;
		w.have_img = 0;
	}
	if (truncated)
		*truncated = (ret < 0 && w.truncated) || fp_trunc;
	if (n == 1 && ret < 0 && !w.truncated)
		return -EINVAL;
	return n;
}

int cdoc_unwind_fp(const uint64_t *regs, uint64_t regs_mask, const void *stack,
                   size_t stack_len, uint64_t *ips, int max)
{
	const uint8_t *base = stack;
	uint64_t sp, bp, frame[2];
	int n = 1;

	if (max < 1 || !has_reg(regs_mask, CDOC_REG_IP) ||
	    !has_reg(regs_mask, CDOC_REG_SP) ||
	    !has_reg(regs_mask, CDOC_REG_BP))
		return CDOC_UNWIND_ENOREGS;
	ips[0] = cdoc_unwind_reg(regs, regs_mask, CDOC_REG_IP);
	sp = cdoc_unwind_reg(regs, regs_mask, CDOC_REG_SP);
	bp = cdoc_unwind_reg(regs, regs_mask, CDOC_REG_BP);
	while (n < max && bp >= sp && stack_len >= 16 &&
	       bp - sp <= stack_len - 16) {
		memcpy(frame, base + (bp - sp), sizeof(frame));
		if (!frame[1])
			break;
		ips[n++] = frame[1];
		if (frame[0] <= bp)
			break;
		bp = frame[0];
	}
	return n;
}
