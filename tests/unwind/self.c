/*
 * self.c - unwinding a real stack: this process captures its registers and
 * a copy of its own stack at the bottom of a chain of functions compiled
 * without frame pointers, then unwinds the copy as if it came from perf.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symbol/symbol.h"
#include "unwind/unwind.h"

#define NREGS 17

/*
 * capture_regs(regs) - the registers in perf_regs order for
 * CDOC_UNWIND_REGS_MASK, as they are in the caller right after this call
 * returns: IP = the return address, SP = above it, the rest untouched.
 */
void capture_regs(uint64_t *regs);
__asm__(".text\n"
        ".globl capture_regs\n"
        ".type capture_regs, @function\n"
        "capture_regs:\n"
        "	movq %rax, 0(%rdi)\n"
        "	movq %rbx, 8(%rdi)\n"
        "	movq %rcx, 16(%rdi)\n"
        "	movq %rdx, 24(%rdi)\n"
        "	movq %rsi, 32(%rdi)\n"
        "	movq %rdi, 40(%rdi)\n"
        "	movq %rbp, 48(%rdi)\n"
        "	leaq 8(%rsp), %rax\n"
        "	movq %rax, 56(%rdi)\n"
        "	movq (%rsp), %rax\n"
        "	movq %rax, 64(%rdi)\n"
        "	movq %r8, 72(%rdi)\n"
        "	movq %r9, 80(%rdi)\n"
        "	movq %r10, 88(%rdi)\n"
        "	movq %r11, 96(%rdi)\n"
        "	movq %r12, 104(%rdi)\n"
        "	movq %r13, 112(%rdi)\n"
        "	movq %r14, 120(%rdi)\n"
        "	movq %r15, 128(%rdi)\n"
        "	ret\n"
        ".size capture_regs, .-capture_regs\n");

/* One captured sample. */
static struct {
	uint64_t regs[NREGS];
	uint8_t stack[256 * 1024];
	size_t len;
} snap;

static volatile uint64_t sink;

static size_t stack_room(uint64_t sp)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;
	uint64_t top;

	if (pthread_getattr_np(pthread_self(), &attr))
		return 0;
	pthread_attr_getstack(&attr, &addr, &size);
	pthread_attr_destroy(&attr);
	top = (uint64_t)(uintptr_t)addr + size;
	return sp < top ? top - sp : 0;
}

/* Copy live stack bytes; ASan must not check them (redzones). */
__attribute__((no_sanitize_address, noinline)) static void
copy_stack(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		((volatile uint8_t *)dst)[i] = src[i];
}

#define NOFP __attribute__((noinline, optimize("omit-frame-pointer")))
#define FP   __attribute__((noinline, optimize("no-omit-frame-pointer")))

/* Captures, then copies the stack from the captured SP (like perf). */
#define LEAF(name, attr)                                                       \
	attr int name(int x)                                                   \
	{                                                                      \
		uint64_t sp;                                                   \
		capture_regs(snap.regs);                                       \
		sp = snap.regs[7];                                             \
		snap.len = CDOC_MIN(stack_room(sp), sizeof(snap.stack));       \
		copy_stack(snap.stack, (const uint8_t *)(uintptr_t)sp,         \
		           snap.len);                                          \
		return x + (int)snap.len;                                      \
	}
#define LEVEL(name, next, attr)                                                \
	attr int name(int x)                                                   \
	{                                                                      \
		int r = next(x + 1);                                           \
		sink += r;                                                     \
		return r + (int)(sink & 1);                                    \
	}

LEAF(nofp_leaf, NOFP)
LEVEL(nofp_d, nofp_leaf, NOFP)
LEVEL(nofp_c, nofp_d, NOFP)
LEVEL(nofp_b, nofp_c, NOFP)
LEVEL(nofp_a, nofp_b, NOFP)

LEAF(fp_leaf, FP)
LEVEL(fp_c, fp_leaf, FP)
LEVEL(fp_b, fp_c, FP)
LEVEL(fp_a, fp_b, FP)

static struct cdoc_syms *syms;

static void setup(void)
{
	cr_assert_eq(cdoc_syms_new(&syms), 0);
	cr_assert_eq(cdoc_syms_load_proc_maps(syms, getpid()), 0);
}

static void teardown(void)
{
	cdoc_syms_free(syms);
}

TestSuite(self, .init = setup, .fini = teardown);

/* Name of frame @i (return addresses are looked up at ip - 1). */
static const char *frame_name(const uint64_t *ips, int i)
{
	struct cdoc_symbol sym;

	cdoc_syms_resolve(syms, getpid(), ips[i] - (i > 0), 0, &sym);
	return sym.name ? sym.name : "?";
}

static void assert_chain(const uint64_t *ips, int n, const char **want,
                         int nwant)
{
	int i;

	cr_assert_geq(n, nwant, "only %d frames", n);
	for (i = 0; i < nwant; i++)
		cr_assert_str_eq(frame_name(ips, i), want[i], "frame %d", i);
}

static int has_frame(const uint64_t *ips, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(frame_name(ips, i), name))
			return 1;
	for (i = 0; i < n; i++) {
		struct cdoc_symbol sym;
		struct cdoc_buf b = CDOC_BUF_INIT;

		cdoc_syms_resolve(syms, getpid(), ips[i] - (i > 0), 0, &sym);
		cdoc_symbol_format(&sym, &b);
		cr_log_info("frame %d: %#lx %s", i, (unsigned long)ips[i],
		            b.buf);
		cdoc_buf_release(&b);
	}
	return 0;
}

Test(self, dwarf_unwinds_chain_without_frame_pointers_to_start)
{
	const char *want[] = {"nofp_leaf", "nofp_d", "nofp_c", "nofp_b",
	                      "nofp_a"};
	uint64_t ips[128];
	int n, trunc = -1;

	sink += nofp_a(1);
	n = cdoc_unwind_user(syms, getpid(), snap.regs, CDOC_UNWIND_REGS_MASK,
	                     snap.stack, snap.len, ips, 128, &trunc);
	assert_chain(ips, n, want, 5);
	/* criterion owns main(); libc's start code is below it */
	cr_assert(has_frame(ips, n, "__libc_start_main"),
	          "start of stack not reached in %d frames", n);
	cr_assert_eq(trunc, 0);
}

Test(self, short_stack_copy_reports_truncation)
{
	uint64_t ips[128];
	int n, trunc = -1;

	sink += nofp_a(1);
	n = cdoc_unwind_user(syms, getpid(), snap.regs, CDOC_UNWIND_REGS_MASK,
	                     snap.stack, 48, ips, 128, &trunc);
	cr_assert_geq(n, 1);
	cr_assert_lt(n, 5);
	cr_assert_str_eq(frame_name(ips, 0), "nofp_leaf");
	cr_assert_eq(trunc, 1);
}

Test(self, max_frames_is_respected)
{
	uint64_t ips[3];
	int n;

	sink += nofp_a(1);
	n = cdoc_unwind_user(syms, getpid(), snap.regs, CDOC_UNWIND_REGS_MASK,
	                     snap.stack, snap.len, ips, 3, NULL);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(frame_name(ips, 2), "nofp_c");
}

Test(self, missing_sp_register_is_an_error)
{
	uint64_t ips[8];

	sink += nofp_a(1);
	cr_assert_eq(cdoc_unwind_user(syms, getpid(), snap.regs, 1ULL << 8,
	                              snap.stack, snap.len, ips, 8, NULL),
	             CDOC_UNWIND_ENOREGS);
}

Test(self, frame_pointer_walk_follows_bp_chain)
{
	const char *want[] = {"fp_leaf", "fp_c", "fp_b", "fp_a"};
	uint64_t ips[128];
	int n;

	sink += fp_a(1);
	n = cdoc_unwind_fp(snap.regs, CDOC_UNWIND_REGS_MASK, snap.stack,
	                   snap.len, ips, 128);
	assert_chain(ips, n, want, 4);
	/* DWARF agrees on the same sample. */
	n = cdoc_unwind_user(syms, getpid(), snap.regs, CDOC_UNWIND_REGS_MASK,
	                     snap.stack, snap.len, ips, 128, NULL);
	assert_chain(ips, n, want, 4);
}

/*
 * A sample taken in JIT code called from nofp_leaf: two frames of code
 * with no unwind tables (anonymous memory, as V8's), keeping rbp chains,
 * pushed below the captured stack. @regs and @stack get that sample.
 */
static size_t jit_sample(const uint8_t *code, uint64_t *regs, uint8_t *stack)
{
	uint64_t s0 = snap.regs[CDOC_REG_SP], base = s0 - 64;
	uint64_t words[8] = {
	        0xdead,
	        0xbeef,  /* JIT2's locals */
	        s0 - 16, /* JIT2's saved rbp: JIT1's frame */
	        (uint64_t)(uintptr_t)code + 0x40, /* return into JIT1 */
	        0xfeed,
	        0xface,                 /* JIT1's locals */
	        snap.regs[CDOC_REG_BP], /* JIT1's saved rbp: the caller's */
	        snap.regs[CDOC_REG_IP], /* return into nofp_leaf */
	};

	memcpy(regs, snap.regs, sizeof(snap.regs));
	regs[CDOC_REG_IP] = (uint64_t)(uintptr_t)code + 0x100;
	regs[CDOC_REG_SP] = base;
	regs[CDOC_REG_BP] = s0 - 48;
	memcpy(stack, words, sizeof(words));
	memcpy(stack + sizeof(words), snap.stack, snap.len);
	return sizeof(words) + snap.len;
}

Test(self, jit_frames_unwind_by_frame_pointers_then_dwarf_again)
{
	static uint8_t stack[sizeof(snap.stack) + 64];
	const char *want[] = {"nofp_leaf", "nofp_d", "nofp_c", "nofp_b",
	                      "nofp_a"};
	uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t regs[NREGS], ips[128];
	size_t len;
	int n, trunc = -1;

	cr_assert_neq(code, MAP_FAILED);
	sink += nofp_a(1);
	len = jit_sample(code, regs, stack);
	n = cdoc_unwind_user(syms, getpid(), regs, CDOC_UNWIND_REGS_MASK, stack,
	                     len, ips, 128, &trunc);
	cr_assert_geq(n, 8, "only %d frames", n);
	cr_assert_eq(ips[0], (uint64_t)(uintptr_t)code + 0x100);
	cr_assert_eq(ips[1], (uint64_t)(uintptr_t)code + 0x40);
	/* DWARF resumed in native code, through frames without rbp. */
	assert_chain(ips + 2, n - 2, want, 1);
	for (int i = 1; i < 5; i++)
		cr_assert_str_eq(frame_name(ips, i + 2), want[i], "frame %d",
		                 i + 2);
	cr_assert(has_frame(ips, n, "__libc_start_main"),
	          "start of stack not reached in %d frames", n);
	cr_assert_eq(trunc, 0);

	/* The rbp chain leaving the copy is a truncated stack. */
	n = cdoc_unwind_user(syms, getpid(), regs, CDOC_UNWIND_REGS_MASK, stack,
	                     40, ips, 128, &trunc);
	cr_assert_eq(n, 2);
	cr_assert_eq(trunc, 1);
	munmap(code, 4096);
}

Test(self, register_lookup_follows_mask_order)
{
	uint64_t regs[3] = {11, 22, 33};
	uint64_t mask = (1ULL << CDOC_REG_BP) | (1ULL << CDOC_REG_SP) |
	                (1ULL << CDOC_REG_IP);

	cr_assert_eq(cdoc_unwind_reg(regs, mask, CDOC_REG_BP), 11);
	cr_assert_eq(cdoc_unwind_reg(regs, mask, CDOC_REG_IP), 33);
	cr_assert_eq(cdoc_unwind_reg(regs, mask, CDOC_REG_AX), 0);
}
