/* tui.c - tests for the model of the TUI: units, trees, search, layout. */
#include "../doctor/synth.h"

#include "report/tui.h"

static struct cdoc_recording rec;
static struct cdoc_buf out;

static void setup(void)
{
	synth_setup();
	memset(&rec, 0, sizeof(rec));
	cdoc_buf_init(&out);
}

static void teardown(void)
{
	cdoc_buf_release(&out);
	cdoc_recording_release(&rec);
	synth_teardown();
}

TestSuite(tui, .init = setup, .fini = teardown);

static const char *units(uint64_t w, const char *unit, double hz)
{
	cdoc_buf_reset(&out);
	report__tui_units(&out, w, unit, hz);
	return out.buf;
}

Test(tui, weights_in_human_units)
{
	cr_assert_str_eq(units(1023, "bytes", 0), "1023 B");
	cr_assert_str_eq(units(76674643, "bytes", 0), "73.1 MiB");
	cr_assert_str_eq(units(1536, "bytes", 0), "1.5 KiB");
	cr_assert_str_eq(units(5, "samples", 1000), "5.0 ms");
	cr_assert_str_eq(units(2500, "samples", 1000), "2.50 s");
	cr_assert_str_eq(units(99700, "samples", 997), "1.7 min");
	cr_assert_str_eq(units(123456, "samples", 0), "123.5k");
	cr_assert_str_eq(units(42, "allocations", 0), "42");
}

/* The node of path @path ("a;b") in @p, or CDOC_NONE. */
static uint32_t node(const struct cdoc_profile *p, const char *path)
{
	size_t i;

	for (i = 1; i < p->nr_nodes; i++) {
		struct cdoc_buf b = CDOC_BUF_INIT;
		int same;

		cdoc_profile_path(p, (uint32_t)i, &b);
		same = !strcmp(b.buf, path);
		cdoc_buf_release(&b);
		if (same)
			return (uint32_t)i;
	}
	return CDOC_NONE;
}

Test(tui, callers_tree_starts_where_time_was_spent)
{
	struct cdoc_profile inv;
	const struct cdoc_profile *p;

	synth_cpu(&rec, "main;a;work 30\nmain;b;work 10\nmain;a 5\n");
	p = cdoc_recording_profile(&rec, "cpu");
	report__tui_invert(p, &inv);
	cr_assert_eq(inv.nodes[node(&inv, "work")].total[0], 40);
	cr_assert_eq(inv.nodes[node(&inv, "work;a")].total[0], 30);
	cr_assert_eq(inv.nodes[node(&inv, "work;b;main")].total[0], 10);
	cr_assert_eq(inv.nodes[node(&inv, "a;main")].total[0], 5);
	cr_assert_eq(cdoc_profile_total(&inv, 0), 45);
	cdoc_profile_release(&inv);
}

Test(tui, rows_expand_heaviest_first_and_search_reveals)
{
	const struct cdoc_profile *p;
	unsigned char *open;
	uint32_t *rows, hit;
	size_t n;

	synth_cpu(&rec, "main;light;x 1\nmain;heavy;y 9\n");
	p = cdoc_recording_profile(&rec, "cpu");
	open = cdoc_calloc(p->nr_nodes, 1);
	open[0] = 1;
	n = report__tui_rows(p, open, &rows);
	cr_assert_eq(n, 2, "all and main");
	free(rows);
	open[node(p, "main")] = 1;
	n = report__tui_rows(p, open, &rows);
	cr_assert_eq(n, 4);
	cr_assert_eq(rows[2], node(p, "main;heavy"), "heaviest first");
	cr_assert_eq(rows[3], node(p, "main;light"));
	free(rows);
	hit = report__tui_search(p, 0, "X", 1);
	cr_assert_eq(hit, node(p, "main;light;x"), "case is ignored");
	cr_assert_eq(report__tui_search(p, hit, "x", 1), hit, "wraps");
	cr_assert_eq(report__tui_search(p, 0, "nosuch", 1), CDOC_NONE);
	report__tui_reveal(p, open, hit);
	n = report__tui_rows(p, open, &rows);
	cr_assert_eq(rows[n - 1], hit, "revealed");
	free(rows);
	free(open);
}

Test(tui, flame_layout_fills_the_width_in_proportion)
{
	const struct cdoc_profile *p;
	struct report_tui_frame *f;
	size_t n, i;
	int seen = 0;

	synth_cpu(&rec, "main;a 75\nmain;b 25\nmain;c 0\n");
	p = cdoc_recording_profile(&rec, "cpu");
	n = report__tui_flame(p, 0, 100, 10, &f);
	for (i = 0; i < n; i++) {
		const char *nm = cdoc_profile_node_name(p, f[i].node);

		if (!strcmp(nm, "a")) {
			cr_assert(f[i].x == 0 && f[i].w == 75 &&
			                  f[i].depth == 2,
			          "a at %d+%d", f[i].x, f[i].w);
			seen++;
		}
		if (!strcmp(nm, "b")) {
			cr_assert(f[i].x == 75 && f[i].w == 25);
			seen++;
		}
		cr_assert_str_neq(nm, "c", "weightless frames are left out");
	}
	cr_assert_eq(seen, 2);
	free(f);
	/* Zoomed on a: it gets the whole width. */
	n = report__tui_flame(p, node(p, "main;a"), 100, 10, &f);
	cr_assert_eq(n, 1);
	cr_assert(f[0].x == 0 && f[0].w == 100 && f[0].depth == 0);
	free(f);
}
