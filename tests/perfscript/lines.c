/*
 * lines.c - tests for recognising perf script header and frame lines and
 * for naming frames, against what stackcollapse-perf.pl's regular
 * expressions capture.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "perfscript/internal.h"

static int header(const char *s, struct ps_header *h)
{
	return cdoc_ps_header(s, strlen(s), h);
}

static int frame(const char *s, struct ps_frame *f)
{
	return cdoc_ps_frame(s, strlen(s), f);
}

#define assert_span(sp, str)                                                   \
	do {                                                                   \
		cr_assert_not_null((sp).s);                                    \
		cr_assert_eq((sp).len, strlen(str), "length %zu, want %zu",    \
		             (sp).len, strlen(str));                           \
		cr_assert(!memcmp((sp).s, (str), (sp).len), "got '%.*s'",      \
		          (int)(sp).len, (sp).s);                              \
	} while (0)

Test(header, tid_only_with_cpu_and_event)
{
	struct ps_header h;

	cr_assert(
	        header("java 12688 [002] 6544038.708352: 235 cpu-clock: ", &h));
	assert_span(h.comm, "java");
	assert_span(h.pid, "12688");
	cr_assert_null(h.tid.s);
	cr_assert(h.has_event);
	assert_span(h.period, "235");
	assert_span(h.event, "cpu-clock");
}

Test(header, pid_slash_tid_without_cpu)
{
	struct ps_header h;

	cr_assert(header("java 12688/12764 6544038.708352: 10309278 "
	                 "cpu-clock:",
	                 &h));
	assert_span(h.pid, "12688");
	assert_span(h.tid, "12764");
	assert_span(h.period, "10309278");
}

Test(header, comm_with_spaces_is_the_shortest_that_matches)
{
	struct ps_header h;

	cr_assert(header("V8 WorkerThread 24636/25607 [000] 94564.109216: "
	                 "100 cycles:",
	                 &h));
	assert_span(h.comm, "V8 WorkerThread");
	assert_span(h.tid, "25607");
	/* Digits inside the name: "sh 1" then the real ids. */
	cr_assert(header("sh 1x 42 1.0: 1 cycles:", &h));
	assert_span(h.comm, "sh 1x");
	assert_span(h.pid, "42");
}

Test(header, event_with_modifiers_and_no_period)
{
	struct ps_header h;

	cr_assert(
	        header("perf   977/977   [000] 7628263.042515: cycles: ", &h));
	assert_span(h.comm, "perf");
	cr_assert(h.has_event);
	cr_assert_eq(h.period.len, 0);
	assert_span(h.event, "cycles");
	cr_assert(header("a.out 1 1.5:     250000 cpu-clock:pppH:\t", &h));
	assert_span(h.event, "cpu-clock:pppH");
	assert_span(h.period, "250000");
}

Test(header, one_line_samples_have_no_event)
{
	struct ps_header h;

	/* perf script without call graphs: ip and symbol follow the event. */
	cr_assert(header(
	        "dd 123 [000] 1.5: 1 cpu-clock:  4005d3 main (/bin/dd)", &h));
	cr_assert_not(h.has_event);
}

Test(header, single_byte_name_matches_later_as_perl_does)
{
	struct ps_header h;

	/* \S.+? needs two bytes, so "a" swallows up to the next number. */
	cr_assert(header("a 123 [000] 100.5: 250000 cpu-clock:", &h));
	assert_span(h.comm, "a 123 [000] 100.5:");
	assert_span(h.pid, "250000");
}

Test(header, rejects_lines_that_are_not_headers)
{
	struct ps_header h;

	cr_assert_not(header("\tffffffff8104f45a native_write_msr_safe "
	                     "([kernel.kallsyms])",
	                     &h));
	cr_assert_not(header("main;foo;bar 12", &h));
	cr_assert_not(header("perf 12x 1.0: cycles:", &h));
	cr_assert_not(header("", &h));
}

Test(frame, address_symbol_offset_module)
{
	struct ps_frame f;

	cr_assert(frame("\t    7f183b22aec7 __GI___ioctl+0x7 "
	                "(/lib/x86_64-linux-gnu/libc-2.19.so)",
	                &f));
	assert_span(f.pc, "7f183b22aec7");
	assert_span(f.func, "__GI___ioctl+0x7");
	assert_span(f.mod, "/lib/x86_64-linux-gnu/libc-2.19.so");
}

Test(frame, module_is_the_last_parenthesis)
{
	struct ps_frame f;

	cr_assert(frame("  4a0 (anonymous namespace)::f(int) (/a (deleted))",
	                &f));
	/* As perl: the symbol runs to the last " (", the module to the last
	 * ')'. */
	assert_span(f.func, "(anonymous namespace)::f(int) (/a");
	assert_span(f.mod, "deleted)");
	cr_assert(
	        frame("  ffffffffc0a1b2c3 nf_hook+0x10 ([nf_conntrack])", &f));
	assert_span(f.mod, "[nf_conntrack]");
}

Test(frame, unknown_and_jit_map_frames)
{
	struct ps_frame f;

	cr_assert(frame("\t               0 [unknown] ([unknown])", &f));
	assert_span(f.pc, "0");
	assert_span(f.func, "[unknown]");
	assert_span(f.mod, "[unknown]");
	cr_assert(frame("\t    7f2cc37c5ca9 JS:*fib /x.js:1:13+0x129 "
	                "(/tmp/perf-29471.map)",
	                &f));
	assert_span(f.func, "JS:*fib /x.js:1:13+0x129");
	assert_span(f.mod, "/tmp/perf-29471.map");
}

Test(frame, backs_into_the_address_when_no_symbol_byte_is_left)
{
	struct ps_frame f;

	cr_assert(frame("  abc (mod)", &f));
	assert_span(f.pc, "ab");
	assert_span(f.func, "c");
	assert_span(f.mod, "mod");
}

Test(frame, rejects_lines_without_module)
{
	struct ps_frame f;

	cr_assert_not(frame("\t7f0 main", &f));
	cr_assert_not(frame("main;foo 12", &f));
	cr_assert_not(frame("\t (x)", &f));
	cr_assert_not(frame("", &f));
}

/* Name a frame line with @opts; returns the names joined by ';'. */
static const char *names(const char *line, unsigned flags, int java)
{
	static struct cdoc_buf out;
	struct cdoc_perfscript_opts o = {0};
	struct ps_namectx ctx = {&o, java};
	struct ps_frame f;

	o.kernel = !!(flags & 1);
	o.jit = !!(flags & 2);
	o.addrs = !!(flags & 4);
	cr_assert(cdoc_ps_frame(line, strlen(line), &f), "not a frame: %s",
	          line);
	cdoc_buf_reset(&out);
	cdoc_buf_addch(&out, '\0');
	out.len = 0;
	cdoc_ps_frame_names(&ctx, &f, &out);
	return out.buf;
}

Test(names, offsets_are_stripped)
{
	cr_assert_str_eq(names(" 1 main+0x1a (/bin/x)", 0, 0), "main");
	/* Upper-case hex is not an offset to the perl script. */
	cr_assert_str_eq(names(" 1 main+0x1A (/bin/x)", 0, 0), "main+0x1A");
}

Test(names, unknown_takes_the_module_file_name)
{
	cr_assert_str_eq(names(" 415ad5 [unknown] (/usr/bin/perf)", 0, 0),
	                 "[perf]");
	cr_assert_str_eq(names(" 0 [unknown] ([unknown])", 0, 0), "[unknown]");
	cr_assert_str_eq(names(" 415ad5 [unknown] (/usr/bin/perf)", 4, 0),
	                 "[perf <415ad5>]");
}

Test(names, kernel_and_jit_annotations)
{
	const char *k = " ffffffff81 do_sys_open ([kernel.kallsyms])";
	const char *j = " 7f0 LFoo;.bar (/tmp/perf-12.map)";

	cr_assert_str_eq(names(k, 0, 0), "do_sys_open");
	cr_assert_str_eq(names(k, 1, 0), "do_sys_open_[k]");
	cr_assert_str_eq(names(" 8c3 tcp_sendmsg (/build/vmlinux)", 1, 0),
	                 "tcp_sendmsg_[k]");
	cr_assert_str_eq(names(j, 2, 0), "LFoo:.bar_[j]");
	cr_assert_str_eq(names(j, 1, 0), "LFoo:.bar");
}

Test(names, generic_and_java_tidy_ups)
{
	cr_assert_str_eq(names(" 1 f(int) const (/x)", 0, 0), "f");
	cr_assert_str_eq(names(" 1 (anonymous namespace)::g() (/x)", 0, 0), "");
	cr_assert_str_eq(names(" 1 a::(anonymous namespace)::g() (/x)", 0, 0),
	                 "a::(anonymous namespace)::g");
	cr_assert_str_eq(names(" 1 net/http.(*Client).Do (/x)", 0, 0),
	                 "net/http.(*Client).Do");
	cr_assert_str_eq(names(" 1 RegExp:[&<>\"'] (/tmp/perf-1.map)", 0, 0),
	                 "RegExp:[&<>]");
	cr_assert_str_eq(
	        names(" 1 Lorg/a/B;.call(LC;)V (/tmp/perf-1.map)", 0, 1),
	        "org/a/B:.call");
	cr_assert_str_eq(
	        names(" 1 Lorg/a/B;.call(LC;)V (/tmp/perf-1.map)", 0, 0),
	        "Lorg/a/B:.call");
}

Test(names, inline_chains_split_on_arrows)
{
	cr_assert_str_eq(names(" 1 a->b->c (/x)", 0, 0), "a;b_[i];c_[i]");
	cr_assert_str_eq(names(" 1 a->->b (/x)", 0, 0), "a;_[i];b_[i]");
	cr_assert_str_eq(names(" 1 a-> (/x)", 0, 0), "a");
	cr_assert_str_eq(names(" 1 -> (/x)", 0, 0), "");
}
