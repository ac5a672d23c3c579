/*
 * unwind.h - user call chains from perf samples (registers + stack copy).
 *
 * A perf sample with PERF_SAMPLE_REGS_USER and PERF_SAMPLE_STACK_USER carries
 * the user registers at the interrupt and a copy of the top of the user
 * stack. cdoc_unwind_user() walks it with libunwind's remote API and the
 * .eh_frame_hdr/.eh_frame of the DSOs that struct cdoc_syms knows are mapped
 * in the process; cdoc_unwind_fp() follows the frame-pointer chain instead.
 * Registers are in the kernel's perf_regs order (x86_64), one u64 per bit
 * set in the mask, lowest bit first.
 */
#ifndef CDOC_UNWIND_H
#define CDOC_UNWIND_H

#include "symbol/symbol.h"

/* x86_64 perf_regs indices (enum perf_event_x86_regs). */
enum {
	CDOC_REG_AX = 0,
	CDOC_REG_BX = 1,
	CDOC_REG_CX = 2,
	CDOC_REG_DX = 3,
	CDOC_REG_SI = 4,
	CDOC_REG_DI = 5,
	CDOC_REG_BP = 6,
	CDOC_REG_SP = 7,
	CDOC_REG_IP = 8,
	CDOC_REG_R8 = 16,
	CDOC_REG_R15 = 23,
};

/*
 * The PERF_SAMPLE_REGS_USER mask to ask for: AX..IP and R8..R15 (no flags
 * or segment registers), 17 registers.
 */
#define CDOC_UNWIND_REGS_MASK (0x1ffULL | (0xffULL << 16))

/* Suggested sample_stack_user size (bytes). */
#define CDOC_UNWIND_STACK_SIZE 16384

/*
 * Suggested size for node (and event loops like it): libuv's uv__io_poll
 * keeps a 12 KiB epoll_event array on the stack under every JS callback,
 * so 16 KiB ends most server stacks before main.
 */
#define CDOC_UNWIND_STACK_SIZE_NODE 32768

/* Negative results of the unwinders (besides -errno). */
#define CDOC_UNWIND_ENOREGS (-20001) /* mask lacks IP or SP */

/*
 * Unwind one user stack. @regs holds the sampled registers for @regs_mask;
 * @stack the copied bytes, which start at regs[SP]. Writes up to @max return
 * addresses to @ips, innermost first (ips[0] = IP; the caller frames are
 * return addresses, so symbolize ips[i] - 1 for i > 0 when it matters).
 * Returns the number of frames (>= 1), or a negative code. *@truncated
 * (may be NULL) is set to 1 when the walk stopped because it needed stack
 * bytes past the end of the copy, else 0. Uses @s for the maps of @pid and
 * its DSO cache; keeps a libunwind address space inside @s (cached).
 */
int cdoc_unwind_user(struct cdoc_syms *s, uint32_t pid, const uint64_t *regs,
                     uint64_t regs_mask, const void *stack, size_t stack_len,
                     uint64_t *ips, int max, int *truncated);

/*
 * Frame-pointer walk over the same stack copy: ips[0] = IP, then the return
 * addresses found by following BP while it points inside the copy. Returns
 * the number of frames (>= 1) or CDOC_UNWIND_ENOREGS.
 */
int cdoc_unwind_fp(const uint64_t *regs, uint64_t regs_mask, const void *stack,
                   size_t stack_len, uint64_t *ips, int max);

/* Value of perf register @reg in @regs for @mask; 0 if absent. */
uint64_t cdoc_unwind_reg(const uint64_t *regs, uint64_t mask, int reg);

#endif
