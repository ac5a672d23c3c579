/*
 * collapse.c - tests for the whole collapser: options, events, counts,
 * order, several inputs, threads, and rejection of input that is not
 * perf script text.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "perfscript/perfscript.h"

static struct cdoc_buf out;
static struct cdoc_perfscript_stats st;
static struct cdoc_perfscript *ps;

static void teardown(void)
{
	cdoc_buf_release(&out);
	cdoc_perfscript_free(ps);
	ps = NULL;
}

TestSuite(collapse, .fini = teardown);

/* Collapse @text with @o; returns the add() result, output in `out`. */
static int run(const char *text, struct cdoc_perfscript_opts o)
{
	struct cdoc_input in;
	int ret;

	cdoc_perfscript_free(ps);
	ps = cdoc_perfscript_new(&o);
	cdoc_input_from_mem(&in, "t.txt", text, strlen(text));
	ret = cdoc_perfscript_add(ps, &in);
	cdoc_input_release(&in);
	cdoc_buf_reset(&out);
	cdoc_buf_addch(&out, '\0');
	out.len = 0;
	cdoc_perfscript_write(ps, &out);
	cdoc_perfscript_stats(ps, &st);
	return ret;
}

static const struct cdoc_perfscript_opts none;

#define SAMPLE(comm_ids, ev)                                                   \
	comm_ids " [000] 1.000001: 10 " ev ":\n"                               \
	         "\tffffffff81 do_syscall ([kernel.kallsyms])\n"               \
	         "\t4005d3 work+0x13 (/bin/app)\n"                             \
	         "\t4004a0 main+0x20 (/bin/app)\n\n"

Test(collapse, stack_is_root_first_with_process_name)
{
	cr_assert_eq(run(SAMPLE("app 42", "cycles") SAMPLE("app 42", "cycles"),
	                 none),
	             0);
	cr_assert_str_eq(out.buf, "app;main;work;do_syscall 20\n");
	cr_assert_eq(st.samples, 2);
	cr_assert_eq(st.stacks, 1);
}

Test(collapse, pid_and_tid_naming)
{
	struct cdoc_perfscript_opts o = none;
	const char *in = SAMPLE("my app 42/43", "cycles")
	        SAMPLE("my app 44", "cycles") SAMPLE("my app 45/0", "cycles");

	o.pid = 1;
	run(in, o);
	cr_assert_str_eq(out.buf, "my_app-42;main;work;do_syscall 10\n"
	                          "my_app-?;main;work;do_syscall 20\n");
	o.tid = 1;
	run(in, o);
	cr_assert_str_eq(out.buf, "my_app-42/43;main;work;do_syscall 10\n"
	                          "my_app-?/44;main;work;do_syscall 10\n"
	                          "my_app-?/45;main;work;do_syscall 10\n");
}

Test(collapse, kernel_annotation_and_addresses)
{
	struct cdoc_perfscript_opts o = none;

	o.kernel = 1;
	run(SAMPLE("app 1", "cycles"), o);
	cr_assert_str_eq(out.buf, "app;main;work;do_syscall_[k] 10\n");
	o = none;
	o.addrs = 1;
	run("app 1 1.0: 1 cycles:\n\t7f00 [unknown] (/lib/libc.so.6)\n"
	    "\t0 [unknown] ([unknown])\n\n",
	    o);
	cr_assert_str_eq(out.buf, "app;[unknown <0>];[libc.so.6 <7f00>] 1\n");
}

Test(collapse, first_event_is_kept_by_default)
{
	const char *in = SAMPLE("app 1", "page-faults")
	        SAMPLE("app 1", "cpu-clock") SAMPLE("app 1", "page-faults");
	struct cdoc_perfscript_opts o = none;

	run(in, none);
	cr_assert_str_eq(out.buf, "app;main;work;do_syscall 20\n");
	cr_assert_str_eq(st.event, "page-faults");
	cr_assert(st.event_defaulted);
	cr_assert_eq(st.filtered, 1);
	o.event_filter = "cpu-clock";
	run(in, o);
	cr_assert_str_eq(out.buf, "app;main;work;do_syscall 10\n");
	cr_assert_eq(st.filtered, 2);
	cr_assert_not(st.event_defaulted);
}

Test(collapse, zero_or_missing_period_counts_one)
{
	run("app 1 1.0: 0 cycles:\n\t1 f (/x)\n\n"
	    "app 1 1.0: cycles:\n\t1 f (/x)\n\n",
	    none);
	cr_assert_str_eq(out.buf, "app;f 2\n");
}

Test(collapse, sums_past_64_bits_print_as_perl_prints_them)
{
	run("app 1 1.0: 18446744073709551615 cycles:\n\t1 f (/x)\n\n"
	    "app 1 1.0: 1 cycles:\n\t1 f (/x)\n\n"
	    "app 1 1.0: 99999999999999999999 cycles:\n\t1 g (/x)\n\n",
	    none);
	cr_assert_str_eq(out.buf, "app;f 1.84467440737096e+19\n"
	                          "app;g 1e+20\n");
}

Test(collapse, output_is_in_byte_order)
{
	run("bb 1 1.0: 1 e:\n\t1 x (/m)\n\n"
	    "BB 1 1.0: 1 e:\n\t1 x (/m)\n\n"
	    "bb 1 1.0: 1 e:\n\n"
	    "bb 1 1.0: 1 e:\n\t1 x (/m)\n\t1 \xc3\xa9 (/m)\n\n",
	    none);
	cr_assert_str_eq(out.buf, "BB;x 1\nbb 1\nbb;x 1\nbb;\xc3\xa9;x 1\n");
}

Test(collapse, last_sample_without_blank_line_is_dropped_like_perl)
{
	run("app 1 1.0: 1 e:\n\t1 f (/x)\n\napp 1 1.0: 1 e:\n\t1 g (/x)\n",
	    none);
	cr_assert_str_eq(out.buf, "app;f 1\n");
}

Test(collapse, unrecognized_lines_are_counted_and_located)
{
	cr_assert_eq(run("# header comment\n"
	                 "app 1 1.0: 1 e:\n\t1 f (/x)\n  f.c:12\n\n"
	                 "app 1 1.0: 1 e:\n\t1 f (/x)\n  f.c:12\n\n",
	                 none),
	             0);
	cr_assert_str_eq(out.buf, "app;f 2\n");
	cr_assert_eq(st.unrecognized, 2);
	cr_assert_str_eq(st.first_unrecognized, "t.txt:4");
}

Test(collapse, folded_input_is_rejected_with_line)
{
	cr_assert_eq(run("# comment\nmain;foo;bar 12\n", none), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "t.txt:2: not perf script"), "%s",
	          cdoc_errmsg());
}

Test(collapse, binary_input_is_rejected_with_line)
{
	struct cdoc_perfscript_opts o = none;
	struct cdoc_input in;
	static const char bin[] = "app 1 1.0: 1 e:\n\t1 f (/x)\n\x01\x00zz";

	ps = cdoc_perfscript_new(&o);
	cdoc_input_from_mem(&in, "b.bin", bin, sizeof(bin) - 1);
	cr_assert_eq(cdoc_perfscript_add(ps, &in), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "b.bin:3: binary data"), "%s",
	          cdoc_errmsg());
	cdoc_input_release(&in);
	cr_assert_eq(run("PERFILE2\x01\x02", none), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "perf.data"), "%s", cdoc_errmsg());
}

Test(collapse, empty_input_gives_empty_output)
{
	cr_assert_eq(run("", none), 0);
	cr_assert_eq(out.len, 0);
}

Test(collapse, state_carries_across_inputs)
{
	struct cdoc_input a, b;

	ps = cdoc_perfscript_new(&none);
	cdoc_input_from_mem(&a, "a", "app 1 1.0: 1 e:\n\t1 f (/x)\n", 26);
	cdoc_input_from_mem(&b, "b", "\t1 g (/x)\n\n", 11);
	cr_assert_eq(cdoc_perfscript_add(ps, &a), 0);
	cr_assert_eq(cdoc_perfscript_add(ps, &b), 0);
	cdoc_perfscript_write(ps, &out);
	cr_assert_eq(out.len, 10);
	cr_assert(!memcmp(out.buf, "app;g;f 1\n", 10));
	cdoc_input_release(&a);
	cdoc_input_release(&b);
}

Test(collapse, threads_give_the_same_output)
{
	struct cdoc_buf in = CDOC_BUF_INIT, one = CDOC_BUF_INIT;
	struct cdoc_perfscript_opts o = none;
	int i;

	for (i = 0; i < 200000; i++)
		cdoc_buf_addf(&in,
		              "t%d %d 1.0: %d cycles:\n\t1 f%d (/x)\n"
		              "\t2 g%d (/x)\n\n",
		              i % 7, i, i % 5, i % 13, i % 3);
	o.threads = 1;
	run(in.buf, o);
	cdoc_buf_add(&one, out.buf, out.len);
	cr_assert_eq(st.samples, 200000);
	o.threads = 4;
	run(in.buf, o);
	cr_assert_eq(st.samples, 200000);
	cr_assert_eq(out.len, one.len);
	cr_assert(!memcmp(out.buf, one.buf, one.len));
	cdoc_buf_release(&in);
	cdoc_buf_release(&one);
}
