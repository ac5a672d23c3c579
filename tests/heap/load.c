/*
 * load.c - cdoc_heap_load_any and the recording helpers: a snapshot from
 * a .heap file, a raw stream dump or a recording (by index or name), told
 * apart by content; snapshots of a recording listed; bad files rejected
 * with a message naming them. The inputs come from a real run of
 * examples/leaky_server under the shim (cdoc_heap_run with --dump).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/collect.h"
#include "heap/heap.h"
#include "heapfile/heapfile.h"
#include "record/record.h"

static char dir[] = "/tmp/cdoc-heap-load-XXXXXX";
static char heap[256], dump[256], rec[256];
static struct cdoc_heap_run_result run;

/* leaky_server under the shim: OUT.heap, the stream dump, the result. */
static void setup(void)
{
	const char *ex = getenv("CDOC_EXAMPLES");
	char example[4096];
	char *argv[] = {example, "200", "0", NULL};
	struct cdoc_heap_run_opts o = {.argv = argv, .output = heap};

	cr_assert(getenv("CDOC_SHIM") && ex,
	          "CDOC_SHIM and CDOC_EXAMPLES must be set");
	cr_assert(mkdtemp(dir));
	snprintf(example, sizeof(example), "%s/leaky_server", ex);
	snprintf(heap, sizeof(heap), "%s/out.heap", dir);
	snprintf(dump, sizeof(dump), "%s/stream.dump", dir);
	snprintf(rec, sizeof(rec), "%s/run.cdr", dir);
	o.shim.shim = getenv("CDOC_SHIM");
	o.shim.dump = dump;
	cr_assert_eq(cdoc_heap_run(&o, &run), 0, "%s", cdoc_errmsg());
	cr_assert_eq(run.exit_code, 0);
}

static void teardown(void)
{
	char cmd[128];

	cdoc_heap_run_result_release(&run);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

static uint64_t total(const struct cdoc_heap_snap *s, int kind)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nr_sites; i++)
		n += cdoc_heap_site_value(s, &s->sites[i], kind);
	return n;
}

/* A recording holding the run's snapshot twice: "first" at 111 ns and
 * "exit" at 222 ns. */
static void write_recording(void)
{
	struct cdoc_rec_writer w;

	cr_assert_eq(cdoc_rec_writer_open(&w, rec), 0, "%s", cdoc_errmsg());
	run.snap.time_ns = 111;
	cr_assert_eq(cdoc_heap_rec_write(&w, "first", &run.snap), 0);
	run.snap.time_ns = 222;
	cr_assert_eq(cdoc_heap_rec_write(&w, "exit", &run.snap), 0);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0, "%s", cdoc_errmsg());
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

TestSuite(load, .init = setup, .fini = teardown);

Test(load, a_heap_file_loads_as_written)
{
	struct cdoc_heap_snap s;

	cr_assert_eq(cdoc_heap_file_kind(heap), CDOC_HEAP_FILE_SNAPSHOT);
	cdoc_heap_snap_init(&s);
	cr_assert_eq(cdoc_heap_load_any(&s, heap, -1, NULL), 0, "%s",
	             cdoc_errmsg());
	cr_assert_eq(s.nr_sites, run.snap.nr_sites);
	cr_assert_eq(total(&s, CDOC_HEAP_LEAKED_BYTES),
	             total(&run.snap, CDOC_HEAP_LEAKED_BYTES));
	cdoc_heap_snap_release(&s);
}

Test(load, a_stream_dump_gives_the_same_totals_as_the_run)
{
	struct cdoc_heap_snap s;

	cr_assert_eq(cdoc_heap_file_kind(dump), CDOC_HEAP_FILE_STREAM);
	cdoc_heap_snap_init(&s);
	cr_assert_eq(cdoc_heap_load_any(&s, dump, -1, NULL), 0, "%s",
	             cdoc_errmsg());
	cr_assert_gt(total(&s, CDOC_HEAP_ALLOC_COUNT), 200);
	cr_assert_eq(total(&s, CDOC_HEAP_ALLOC_COUNT),
	             total(&run.snap, CDOC_HEAP_ALLOC_COUNT));
	cr_assert_eq(total(&s, CDOC_HEAP_ALLOC_BYTES),
	             total(&run.snap, CDOC_HEAP_ALLOC_BYTES));
	cr_assert_eq(total(&s, CDOC_HEAP_LEAKED_BYTES),
	             total(&run.snap, CDOC_HEAP_LEAKED_BYTES));
	cdoc_heap_snap_release(&s);
}

Test(load, a_recording_snapshot_is_found_by_index_or_name)
{
	struct cdoc_heap_snap s;
	const struct {
		long index;
		const char *name;
		uint64_t time_ns;
	} cases[] = {{0, NULL, 111},
	             {-1, NULL, 222},
	             {1, NULL, 222},
	             {-1, "first", 111},
	             {0, "exit", 222}};

	write_recording();
	cr_assert_eq(cdoc_heap_file_kind(rec), CDOC_HEAP_FILE_RECORDING);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cdoc_heap_snap_init(&s);
		cr_assert_eq(cdoc_heap_load_any(&s, rec, cases[i].index,
		                                cases[i].name),
		             0, "%s", cdoc_errmsg());
		cr_assert_eq(s.time_ns, cases[i].time_ns, "case %zu", i);
		cr_assert_eq(s.nr_sites, run.snap.nr_sites);
		cdoc_heap_snap_release(&s);
	}
}

Test(load, a_missing_recording_snapshot_is_an_error_naming_the_file)
{
	struct cdoc_heap_snap s;

	write_recording();
	cdoc_heap_snap_init(&s);
	cr_assert_eq(cdoc_heap_load_any(&s, rec, -1, "nope"), -ENOENT);
	cr_assert(strstr(cdoc_errmsg(), rec), "%s", cdoc_errmsg());
	cr_assert(strstr(cdoc_errmsg(), "nope"), "%s", cdoc_errmsg());
	cr_assert_eq(cdoc_heap_rec_load_file(&s, rec, 2, NULL), -ENOENT);
	cr_assert(strstr(cdoc_errmsg(), rec), "%s", cdoc_errmsg());
	cdoc_heap_snap_release(&s);
}

Test(load, a_recording_lists_its_snapshots_in_order)
{
	struct cdoc_heap_rec_entry *e;
	uint64_t live = 0;
	size_t n;

	write_recording();
	for (size_t i = 0; i < run.snap.nr_procs; i++)
		live += run.snap.procs[i].live_bytes;
	cr_assert_eq(cdoc_heap_rec_list(rec, &e, &n), 0, "%s", cdoc_errmsg());
	cr_assert_eq(n, 2);
	cr_assert_str_eq(e[0].name, "first");
	cr_assert_str_eq(e[1].name, "exit");
	cr_assert_eq(e[0].time_ns, 111);
	cr_assert_eq(e[1].time_ns, 222);
	cr_assert_eq(e[1].live_bytes, live);
	cdoc_heap_rec_list_free(e, n);
	cr_assert_lt(cdoc_heap_rec_list(heap, &e, &n), 0, "not a recording");
	cr_assert_eq(n, 0);
	cr_assert(strstr(cdoc_errmsg(), heap), "%s", cdoc_errmsg());
	cdoc_heap_rec_list_free(e, n);
}

Test(load, bad_files_are_rejected_naming_the_file)
{
	static const char rec_head[] = CDOC_REC_MAGIC "\0"
	                                              "\x01"
	                                              "garbage";
	struct cdoc_heap_snap s;
	char path[300], bad_rec[300];
	const char *paths[] = {path, bad_rec, "/nonexistent/x.heap"};

	snprintf(path, sizeof(path), "%s/garbage", dir);
	snprintf(bad_rec, sizeof(bad_rec), "%s/bad.cdr", dir);
	write_file(path, "hello, not a heap at all\n", 25);
	write_file(bad_rec, rec_head, sizeof(rec_head) - 1);
	cr_assert_eq(cdoc_heap_file_kind(bad_rec), CDOC_HEAP_FILE_RECORDING);
	cdoc_heap_snap_init(&s);
	for (size_t i = 0; i < 3; i++) {
		cr_assert_lt(cdoc_heap_load_any(&s, paths[i], -1, NULL), 0,
		             "%s", paths[i]);
		cr_assert(strstr(cdoc_errmsg(), paths[i]), "%s", cdoc_errmsg());
		cr_assert_eq(s.nr_sites, 0);
	}
	cdoc_heap_snap_release(&s);
}
