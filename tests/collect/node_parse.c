/*
 * node_parse.c - the Node agent's line parser (cdoc_collect_node_parse):
 * each kind of line as the agent writes it, and malformed lines rejected
 * with a message naming the line and what was wrong.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "collect/collect.h"

static struct cdoc_node_line l;

static int parse(const char *s, unsigned long lineno)
{
	cdoc_errclear();
	return cdoc_collect_node_parse(&l, s, strlen(s), "chan", lineno);
}

static int span_is(const struct cdoc_node_span *sp, const char *s)
{
	return sp->len == strlen(s) && !memcmp(sp->s, s, sp->len);
}

Test(node_parse, hello)
{
	cr_assert_eq(parse("H\t10\t11\t1\t99\t2\tv20.1.0\tapp.js --x", 1), 0);
	cr_assert_eq(l.kind, 'H');
	cr_assert_eq(l.pid, 10);
	cr_assert_eq(l.tid, 11);
	cr_assert_eq(l.ppid, 1);
	cr_assert_eq(l.time_ns, 99);
	cr_assert_eq(l.node_tid, 2);
	cr_assert(span_is(&l.version, "v20.1.0"));
	cr_assert(span_is(&l.title, "app.js --x"));
}

Test(node_parse, metrics)
{
	cr_assert_eq(parse("M\t10\t10\t5\tnode_loop_delay_p99_ms=12.5\t"
	                   "node_gc_count=3",
	                   1),
	             0);
	cr_assert_eq(l.kind, 'M');
	cr_assert_eq(l.nr, 2);
	cr_assert(span_is(&l.names[0], "node_loop_delay_p99_ms"));
	cr_assert_float_eq(l.values[0], 12.5, 1e-9);
	cr_assert(span_is(&l.names[1], "node_gc_count"));
	cr_assert_float_eq(l.values[1], 3, 1e-9);
}

Test(node_parse, sample)
{
	cr_assert_eq(parse("S\tasync_wait\t10\t12\t7\t5000\tJS:a f.js:1:2\t"
	                   "JS:b f.js:3:4\t[async:Timeout]",
	                   1),
	             0);
	cr_assert_eq(l.kind, 'S');
	cr_assert(span_is(&l.profile, "async_wait"));
	cr_assert_eq(l.tid, 12);
	cr_assert_eq(l.weight, 5000);
	cr_assert_eq(l.nr, 3);
	cr_assert(span_is(&l.frames[0], "JS:a f.js:1:2"));
	cr_assert(span_is(&l.frames[2], "[async:Timeout]"));
}

Test(node_parse, end)
{
	cr_assert_eq(parse("X\t10\t10\t8", 1), 0);
	cr_assert_eq(l.kind, 'X');
}

static void rejected(const char *line, const char *why)
{
	cr_assert_eq(parse(line, 42), -CDOC_EFORMAT, "accepted: %s", line);
	cr_assert(strstr(cdoc_errmsg(), "chan, line 42: "), "%s",
	          cdoc_errmsg());
	cr_assert(strstr(cdoc_errmsg(), why), "%s: %s", line, cdoc_errmsg());
}

Test(node_parse, malformed)
{
	rejected("", "no line kind");
	rejected("Q\t1", "no line kind");
	rejected("HH\t1", "no line kind");
	rejected("H\t1\t1\t1\t1\t0\tv", "H takes 7 fields");
	rejected("H\t0\t1\t1\t1\t0\tv\tt", "a bad pid");
	rejected("M\t1\t1\t1", "M without values");
	rejected("M\t1\tx\t1\tnode_a=1", "a bad tid");
	rejected("M\t1\t1\t1\tnode_a", "without '='");
	rejected("M\t1\t1\t1\tcpu=1", "not node_");
	rejected("M\t1\t1\t1\tnode_A=1", "not node_");
	rejected("M\t1\t1\t1\tnode_a=-1", "finite non-negative");
	rejected("M\t1\t1\t1\tnode_a=nan", "finite non-negative");
	rejected("M\t1\t1\t1\tnode_a=1e999", "finite non-negative");
	rejected("M\t1\t1\t99999999999999999999999\tnode_a=1", "a bad time");
	rejected("S\tcpu\t1\t1\t1\t1\tf", "unknown profile");
	rejected("S\tjs_heap\t1\t1\t1\t1", "S without frames");
	rejected("S\tjs_heap\t1\t1\t1\tw\tf", "a bad weight");
	rejected("S\tjs_heap\t1\t1\t1\t1\tf\t\tg", "empty or bad frame");
	rejected("S\tjs_heap\t1\t1\t1\t1\tf\x01", "empty or bad frame");
	rejected("X\t1\t1", "X takes 3 fields");
}

Test(node_parse, too_many_fields)
{
	char line[1024] = "S\tjs_heap\t1\t1\t1\t1";

	for (int i = 0; i < CDOC_NODE_MAX_FIELDS + 1; i++)
		strcat(line, "\tf");
	rejected(line, "too many fields");
}
