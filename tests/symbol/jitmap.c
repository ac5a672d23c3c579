/*
 * jitmap.c - the perf JIT-map parser (strict and lenient) and JIT frames
 * resolved through /tmp/perf-PID.map for an anonymous executable mapping of
 * this very process, with the file growing while "running".
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symbol/symbol.h"

static int parse(struct cdoc_jitmap *m, const char *text)
{
	return cdoc_jitmap_parse(m, text, strlen(text), "perf-1.map");
}

Test(jitmap, parses_lines_and_finds_enclosing_entry)
{
	struct cdoc_jitmap m = CDOC_JITMAP_INIT;
	const struct cdoc_jit_entry *e;

	cr_assert_eq(parse(&m, "1000 100 LazyCompile:*foo /a.js:3\n"
	                       "0x2000 0x10 Builtin: with spaces\r\n"
	                       "\n"
	                       "1800 40 bar"),
	             0);
	cr_assert_eq(m.nr, 3);
	cdoc_jitmap_sort(&m);
	e = cdoc_jitmap_find(&m, 0x10ff);
	cr_assert_not_null(e);
	cr_assert_str_eq(e->name, "LazyCompile:*foo /a.js:3");
	cr_assert_null(cdoc_jitmap_find(&m, 0x1100));
	cr_assert_str_eq(cdoc_jitmap_find(&m, 0x2000)->name,
	                 "Builtin: with spaces");
	cr_assert_str_eq(cdoc_jitmap_find(&m, 0x1820)->name, "bar");
	cr_assert_null(cdoc_jitmap_find(&m, 0xfff));
	cdoc_jitmap_release(&m);
}

Test(jitmap, later_entry_at_same_address_wins)
{
	struct cdoc_jitmap m = CDOC_JITMAP_INIT;

	cr_assert_eq(parse(&m, "1000 100 old\n1000 80 new\n"), 0);
	cdoc_jitmap_sort(&m);
	cr_assert_eq(m.nr, 1);
	cr_assert_str_eq(cdoc_jitmap_find(&m, 0x1010)->name, "new");
	cdoc_jitmap_release(&m);
}

Test(jitmap, stale_entry_inside_newer_code_loses)
{
	struct cdoc_jitmap m = CDOC_JITMAP_INIT;

	/* code at 0x1040 was freed and 0x1000.. reused by newer code */
	cr_assert_eq(parse(&m, "1040 100 Eval:stale\n1000 200 JS:new\n"), 0);
	cdoc_jitmap_sort(&m);
	cr_assert_str_eq(cdoc_jitmap_find(&m, 0x1080)->name, "JS:new");
	cr_assert_str_eq(cdoc_jitmap_find(&m, 0x1010)->name, "JS:new");
	cdoc_jitmap_release(&m);
}

static void expect_error(const char *text, const char *where)
{
	struct cdoc_jitmap m = CDOC_JITMAP_INIT;

	cdoc_errclear();
	cr_assert_eq(parse(&m, text), -CDOC_EFORMAT, "accepted: %s", text);
	cr_assert(strstr(cdoc_errmsg(), where) != NULL,
	          "message '%s' lacks '%s'", cdoc_errmsg(), where);
	cdoc_jitmap_release(&m);
}

Test(jitmap, malformed_lines_name_file_and_line)
{
	expect_error("zz 10 f\n", "perf-1.map:1:");
	expect_error("1000 10 ok\n1000\n", "perf-1.map:2:");
	expect_error("1000 10\n", "perf-1.map:1:");
	expect_error("1000 10 \n", "name");
	expect_error("ffffffffffffffff 10 wrap\n", "wraps");
	expect_error("11112222333344445 10 long\n", "perf-1.map:1:");
	expect_error("1000 g name\n", "size");
}

Test(jitmap, nul_byte_in_line_is_rejected)
{
	struct cdoc_jitmap m = CDOC_JITMAP_INIT;
	const char text[] = "1000 10 ok\n2000 10 a\0b\n";

	cr_assert_eq(cdoc_jitmap_parse(&m, text, sizeof(text) - 1, "j.map"),
	             -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "j.map:2: NUL") != NULL, "%s",
	          cdoc_errmsg());
	cdoc_jitmap_release(&m);
}

Test(jitmap, lenient_parse_counts_bad_lines)
{
	struct cdoc_jitmap m = CDOC_JITMAP_INIT;
	const char text[] = "1000 10 a\nnonsense\n2000 10 b\n3000\n";

	cr_assert_eq(cdoc_jitmap_parse_lenient(&m, text, strlen(text)), 2);
	cr_assert_eq(m.nr, 2);
	cdoc_jitmap_release(&m);
}

static void append(const char *path, const char *fmt, uint64_t a, uint64_t b)
{
	FILE *f = fopen(path, "a");

	cr_assert_not_null(f);
	fprintf(f, fmt, (unsigned long long)a, (unsigned long long)b);
	fclose(f);
}

Test(jitmap, resolves_anonymous_code_and_rereads_growing_map)
{
	size_t len = 1 << 16;
	char *code = mmap(NULL, len, PROT_READ | PROT_EXEC,
	                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t base = (uint64_t)(uintptr_t)code;
	char path[64];
	struct cdoc_syms *s;
	struct cdoc_symbol sym;
	struct cdoc_syms_stats st;
	struct cdoc_buf b = CDOC_BUF_INIT;

	cr_assert_neq(code, MAP_FAILED);
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	unlink(path);
	append(path, "%llx %llx LazyCompile:*handler /srv/app.js:10\n", base,
	       0x100);
	cr_assert_eq(cdoc_syms_new(&s), 0);
	cr_assert_eq(cdoc_syms_load_proc_maps(s, getpid()), 0);
	cr_assert_eq(cdoc_syms_resolve(s, getpid(), base + 0x10, 0, &sym), 1);
	cr_assert_str_eq(sym.name, "JS:handler /srv/app.js:10");
	cr_assert_eq(sym.kind, CDOC_SYM_JIT);
	cdoc_symbol_format(&sym, &b);
	cr_assert_str_eq(b.buf, "JS:handler /srv/app.js:10_[j]");

	/* The runtime appends while we profile: new code, one bad line, the
	   same function re-tiered (one name, the same interned string). */
	append(path, "%llx %llx Function:later\nthis is not a map line\n",
	       base + 0x800, 0x40);
	append(path, "%llx %llx JS:^handler /srv/app.js:10\n", base + 0x900,
	       0x40);
	cr_assert_eq(cdoc_syms_resolve(s, getpid(), base + 0x810, 0, &sym), 1);
	cr_assert_str_eq(sym.name, "Function:later");
	{
		const char *first;

		cr_assert_eq(
		        cdoc_syms_resolve(s, getpid(), base + 0x10, 0, &sym),
		        1);
		first = sym.name;
		cr_assert_eq(
		        cdoc_syms_resolve(s, getpid(), base + 0x910, 0, &sym),
		        1);
		cr_assert_eq(sym.name, first);
	}
	cr_assert_eq(cdoc_syms_resolve(s, getpid(), base + 0x2000, 0, &sym), 0);
	cr_assert_eq(sym.kind, CDOC_SYM_USER);
	cdoc_syms_get_stats(s, &st);
	cr_assert_eq(st.jit_bad_lines, 1);
	cr_assert_geq(st.jit_reloads, 1);
	cdoc_syms_free(s);
	cdoc_buf_release(&b);
	unlink(path);
	munmap(code, len);
}

static void check_jit_name(const char *raw, const char *want, int changed)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	cr_assert_eq(cdoc_symbol_jit_name(raw, &b), changed, "%s", raw);
	cdoc_buf_addch(&b, 0);
	cr_assert_str_eq(b.buf, want, "%s", raw);
	cdoc_buf_release(&b);
}

Test(jitmap, v8_tier_markers_are_removed_one_name_per_function)
{
	/* Node 20+ names: every tier of one function is one name. */
	check_jit_name("JS:*serialize /srv/app.js:12:3",
	               "JS:serialize /srv/app.js:12:3", 1);
	check_jit_name("JS:^serialize /srv/app.js:12:3",
	               "JS:serialize /srv/app.js:12:3", 1);
	check_jit_name("JS:~serialize /srv/app.js:12:3",
	               "JS:serialize /srv/app.js:12:3", 1);
	check_jit_name("JS:+serialize /srv/app.js:12:3",
	               "JS:serialize /srv/app.js:12:3", 1);
	/* Older V8 kinds name the same function as "JS:" too. */
	check_jit_name("LazyCompile:*serialize /srv/app.js:12",
	               "JS:serialize /srv/app.js:12", 1);
	check_jit_name("Function:^serialize /srv/app.js:12",
	               "JS:serialize /srv/app.js:12", 1);
	/* Anonymous functions and scripts keep their shape. */
	check_jit_name("JS:~ /srv/app.js:1:1", "JS: /srv/app.js:1:1", 1);
	check_jit_name("Eval:~ /srv/app.js:1:1", "Eval: /srv/app.js:1:1", 1);
	check_jit_name("Script:~ node:internal/main:1",
	               "Script: node:internal/main:1", 1);
	/* No marker, other kinds, other runtimes: unchanged. */
	check_jit_name("JS:serialize /srv/app.js:12",
	               "JS:serialize /srv/app.js:12", 0);
	check_jit_name("Builtin:ArrayMap", "Builtin:ArrayMap", 0);
	check_jit_name("BytecodeHandler:Star0", "BytecodeHandler:Star0", 0);
	check_jit_name("RegExp:*^a+$", "RegExp:*^a+$", 0);
	check_jit_name("JSX:*notv8", "JSX:*notv8", 0);
	check_jit_name("*starts_with_star", "*starts_with_star", 0);
	check_jit_name("JS:", "JS:", 0);
	check_jit_name("Ljava/lang/String;::hashCode",
	               "Ljava/lang/String;::hashCode", 0);
}

/* A map planted by another user (or a link) must not name our code. */
static void planted_map_is_ignored(int as_link)
{
	size_t len = 1 << 16;
	char *code = mmap(NULL, len, PROT_READ | PROT_EXEC,
	                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t base = (uint64_t)(uintptr_t)code;
	char path[64], real[80];
	struct cdoc_syms *s;
	struct cdoc_symbol sym;
	struct cdoc_syms_stats st;

	cr_assert_neq(code, MAP_FAILED);
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	snprintf(real, sizeof(real), "/tmp/perf-%d.map.real", getpid());
	unlink(path);
	unlink(real);
	append(as_link ? real : path, "%llx %llx planted_name\n", base, 0x100);
	if (as_link)
		cr_assert_eq(symlink(real, path), 0);
	else
		cr_assert_eq(chown(path, 12345, 12345), 0);
	cr_assert_eq(cdoc_syms_new(&s), 0);
	cr_assert_eq(cdoc_syms_load_proc_maps(s, getpid()), 0);
	cr_assert_eq(cdoc_syms_resolve(s, getpid(), base + 0x10, 0, &sym), 0);
	cr_assert_null(sym.name);
	cdoc_syms_get_stats(s, &st);
	if (!as_link)
		cr_assert_eq(st.jit_rejected, 1);
	cdoc_syms_free(s);
	unlink(path);
	unlink(real);
	munmap(code, len);
}

Test(jitmap, map_owned_by_another_user_is_ignored)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to chown the planted map");
	planted_map_is_ignored(0);
}

Test(jitmap, map_behind_a_symlink_is_ignored)
{
	planted_map_is_ignored(1);
}
