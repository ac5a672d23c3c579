/*
 * resolve.c - symbolization of real processes: this test program (PIE),
 * libc, examples built without frame pointers, stripped with a debuglink,
 * and in C++; kallsyms; formatting.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "../symbol/child.h"
#include "symbol/symbol.h"

static struct cdoc_syms *syms;

static void setup(void)
{
	cr_assert_eq(cdoc_syms_new(&syms), 0);
}

static void teardown(void)
{
	cdoc_syms_free(syms);
}

TestSuite(resolve, .init = setup, .fini = teardown);

__attribute__((noinline)) int local_target_function(int x)
{
	return x * 3 + 1;
}

static const char *name_of(uint32_t pid, uint64_t addr)
{
	struct cdoc_symbol sym;

	cdoc_syms_resolve(syms, pid, addr, 0, &sym);
	return sym.name ? sym.name : "(null)";
}

Test(resolve, finds_function_in_own_pie_executable)
{
	uint64_t addr = (uint64_t)(uintptr_t)local_target_function;
	struct cdoc_symbol sym;

	cr_assert_eq(cdoc_syms_load_proc_maps(syms, getpid()), 0);
	cr_assert_eq(cdoc_syms_resolve(syms, getpid(), addr + 2, 0, &sym), 1);
	cr_assert_str_eq(sym.name, "local_target_function");
	cr_assert_eq(sym.sym_off, 2);
	cr_assert(strstr(sym.module, "test_symbol_resolve") != NULL, "%s",
	          sym.module);
	cr_assert_eq(sym.kind, CDOC_SYM_USER);
	/* The ELF vaddr, not the runtime address: the load bias is gone. */
	cr_assert_lt(sym.offset, addr);
	/* Built with -g and linked with a build-id: both come along. */
	cr_assert_gt(sym.build_id_len, 0);
	cr_assert(sym.map_start <= addr && addr < sym.map_end);
	cr_assert_not_null(sym.file);
	cr_assert(strstr(sym.file, "resolve.c") != NULL, "%s", sym.file);
	/* Lines 29-32 hold the function (signature to closing brace); which
	 * one addr + 2 maps to depends on the compiler's flags. */
	cr_assert(sym.line >= 29 && sym.line <= 32, "line %u", sym.line);
}

/* (Functions sanitizers do not intercept, so they are libc's own.) */
Test(resolve, finds_libc_function_through_load_bias)
{
	struct cdoc_symbol sym;

	cr_assert_eq(cdoc_syms_load_proc_maps(syms, getpid()), 0);
	cr_assert_eq(cdoc_syms_resolve(syms, getpid(),
	                               (uint64_t)(uintptr_t)getenv + 1, 0,
	                               &sym),
	             1);
	cr_assert_str_eq(sym.name, "getenv");
	cr_assert(strstr(sym.module, "libc.so") != NULL, "%s", sym.module);
	cr_assert_str_eq(name_of(getpid(), (uint64_t)(uintptr_t)div), "div");
}

Test(resolve, names_vdso_functions)
{
	uint64_t vdso = getauxval(AT_SYSINFO_EHDR);
	struct cdoc_symbol sym;

	if (!vdso)
		cr_skip_test("no vDSO");
	cr_assert_eq(cdoc_syms_load_proc_maps(syms, getpid()), 0);
	cdoc_syms_resolve(syms, getpid(), vdso, 0, &sym);
	cr_assert_str_eq(sym.module, "[vdso]");
}

Test(resolve, unmapped_address_keeps_module_and_offset)
{
	struct cdoc_symbol sym;
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct cdoc_syms_stats st;

	cdoc_syms_mmap(syms, 42, 0x400000, 0x1000, 0x2000, 5,
	               "/nonexistent/libx.so");
	cr_assert_eq(cdoc_syms_resolve(syms, 42, 0x400010, 0, &sym), 0);
	cr_assert_str_eq(sym.module, "/nonexistent/libx.so");
	cr_assert_eq(sym.offset, 0x2010);
	cdoc_symbol_format(&sym, &b);
	cr_assert_str_eq(b.buf, "libx.so+0x2010");
	cdoc_buf_reset(&b);
	cr_assert_eq(cdoc_syms_resolve(syms, 42, 0x900000, 0, &sym), 0);
	cdoc_symbol_format(&sym, &b);
	cr_assert_str_eq(b.buf, "[unknown]");
	cdoc_syms_get_stats(syms, &st);
	cr_assert_eq(st.unresolved, 2);
	cr_assert_eq(st.no_map, 1);
	cr_assert_eq(st.dsos_failed, 1);
	cdoc_buf_release(&b);
}

Test(resolve, fork_copies_maps_and_exec_forgets_them)
{
	uint64_t addr = (uint64_t)(uintptr_t)local_target_function;

	cr_assert_eq(cdoc_syms_load_proc_maps(syms, getpid()), 0);
	cdoc_syms_fork(syms, getpid(), 999999);
	cr_assert_str_eq(name_of(999999, addr), "local_target_function");
	cdoc_syms_exec(syms, 999999);
	cr_assert_str_eq(name_of(999999, addr), "(null)");
	cr_assert_str_eq(name_of(getpid(), addr), "local_target_function");
}

Test(resolve, later_mmap_replaces_overlapped_part)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	uint64_t addr = (uint64_t)(uintptr_t)local_target_function;
	struct cdoc_symbol sym;

	cr_assert_gt(n, 0);
	self[n] = 0;
	cr_assert_eq(cdoc_syms_load_proc_maps(syms, getpid()), 0);
	cdoc_syms_mmap(syms, getpid(), addr & ~0xfffULL, 0x1000, 0, 7,
	               "//anon");
	cdoc_syms_resolve(syms, getpid(), addr, 0, &sym);
	cr_assert_null(sym.name);
	cr_assert_str_eq(sym.module, "[unknown]");
	cdoc_syms_resolve(syms, getpid(), addr + 0x1000, 0, &sym);
	cr_assert_str_eq(sym.module, self);
}

Test(resolve, example_without_frame_pointers)
{
	char *argv[] = {"sym_deep", "--addrs", "30", NULL};
	struct child c;
	uint64_t spin, deep8, deep1;

	cr_assert_eq(child_start(&c, "sym_deep", argv), 0);
	spin = child_addr(&c, "spin");
	deep8 = child_addr(&c, "deep_8");
	deep1 = child_addr(&c, "deep_1");
	cr_assert(spin && deep8 && deep1);
	cr_assert_eq(cdoc_syms_load_proc_maps(syms, c.pid), 0);
	cr_assert_str_eq(name_of(c.pid, spin + 1), "spin");
	cr_assert_str_eq(name_of(c.pid, deep8), "deep_8");
	cr_assert_str_eq(name_of(c.pid, deep1 + 3), "deep_1");
	child_stop(&c);
}

Test(resolve, stripped_binary_through_debuglink)
{
	char *argv[] = {"sym_stripped", NULL};
	struct child c;
	uint64_t addr;

	cr_assert_eq(child_start(&c, "sym_stripped", argv), 0);
	addr = child_addr(&c, "hidden_worker");
	cr_assert(addr);
	cr_assert_eq(cdoc_syms_load_proc_maps(syms, c.pid), 0);
	cr_assert_str_eq(name_of(c.pid, addr + 4), "hidden_worker");
	child_stop(&c);
}

Test(resolve, cxx_names_demangled_without_parameters)
{
	char *argv[] = {"sym_cxx", NULL};
	const char *names[] = {"shapes::render", "shapes::Widget::work",
	                       "shapes::Area<double>::compute"};
	uint64_t addrs[3];
	struct child c;
	size_t i;

	cr_assert_eq(child_start(&c, "sym_cxx", argv), 0);
	for (i = 0; i < 3; i++) {
		addrs[i] = child_addr(&c, names[i]);
		cr_assert(addrs[i], "%s not printed", names[i]);
	}
	cr_assert_eq(cdoc_syms_load_proc_maps(syms, c.pid), 0);
	for (i = 0; i < 3; i++)
		cr_assert_str_eq(name_of(c.pid, addrs[i]), names[i]);
	child_stop(&c);
}

Test(resolve, demangles_cxx_and_rust_strings)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	cr_assert_eq(cdoc_symbol_demangle("_ZN2ns6Widget4workEi", &b), 1);
	cr_assert_str_eq(b.buf, "ns::Widget::work");
	cdoc_buf_reset(&b);
	cr_assert_eq(cdoc_symbol_demangle(
	                     "_ZN4core3fmt5write17h0123456789abcdefE", &b),
	             1);
	cr_assert_str_eq(b.buf, "core::fmt::write");
	cdoc_buf_reset(&b);
	cr_assert_eq(cdoc_symbol_demangle("plain_c_name", &b), 0);
	cr_assert_str_eq(b.buf, "plain_c_name");
	cdoc_buf_reset(&b);
	cr_assert_eq(cdoc_symbol_demangle("_Zbogus", &b), 0);
	cr_assert_str_eq(b.buf, "_Zbogus");
	cdoc_buf_release(&b);
}

/* Address of kernel text symbol @want from /proc/kallsyms, 0 if hidden. */
static uint64_t kallsyms_addr(const char *want)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], type;
	unsigned long long addr, found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    !strcmp(name, want) && (type == 'T' || type == 't'))
			found = addr;
	fclose(f);
	return found;
}

Test(resolve, kernel_address_from_kallsyms)
{
	uint64_t addr = kallsyms_addr("vfs_read");
	struct cdoc_symbol sym;
	struct cdoc_buf b = CDOC_BUF_INIT;

	if (!addr)
		cr_skip_test("kallsyms addresses hidden (kptr_restrict)");
	cr_assert_eq(cdoc_syms_resolve(syms, 0, addr + 5, 1, &sym), 1);
	cr_assert_str_eq(sym.name, "vfs_read");
	cr_assert_eq(sym.kind, CDOC_SYM_KERNEL);
	cr_assert_str_eq(sym.module, "[kernel.kallsyms]");
	cdoc_symbol_format(&sym, &b);
	cr_assert_str_eq(b.buf, "vfs_read_[k]");
	cdoc_buf_release(&b);
}

Test(resolve, format_tidies_like_stackcollapse)
{
	struct cdoc_symbol sym = {
	        .name = "a;b\"c'", .module = "/x/y.so", .kind = CDOC_SYM_JIT};
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_symbol_format(&sym, &b);
	cr_assert_str_eq(b.buf, "a:bc_[j]");
	cdoc_buf_release(&b);
}
