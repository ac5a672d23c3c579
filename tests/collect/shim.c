/*
 * shim.c - allocation tracking inside the run session: lib/collect launches
 * leaky_server with the shim (opts.alloc), snapshots land
 * in the recording at intervals and at exit, and the recording's heap
 * snapshots rank the leak first.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/collect.h"
#include "heap/heap.h"
#include "report/report.h"
#include "heapfile/heapfile.h"
#include "record/record.h"

static char dir[] = "/tmp/cdoc-heap-source-XXXXXX";

static void setup(void)
{
	cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

static int record(const char *out)
{
	const char *shim = getenv("CDOC_SHIM"), *ex = getenv("CDOC_EXAMPLES");
	char path[4096];
	char *argv[] = {path, "1500", "400", NULL};
	struct cdoc_collect_opts co = {.argv = argv,
	                               .output = out,
	                               .alloc = CDOC_ALLOC_ALL,
	                               .shim = shim,
	                               .heap_interval = 0.15};
	struct cdoc_collector *c;
	struct cdoc_collect_result res = {0};
	int ret;

	cr_assert(shim && ex, "CDOC_SHIM and CDOC_EXAMPLES must be set");
	snprintf(path, sizeof(path), "%s/leaky_server", ex);
	cr_assert_eq(cdoc_collect_new(&c, &co), 0, "%s", cdoc_errmsg());
	ret = cdoc_collect_start(c);
	if (ret < 0) {
		cdoc_collect_free(c);
		return ret;
	}
	cr_assert_null(getenv(CDOC_ALLOC_ENV_FD), "environment untouched");
	cr_assert_eq(cdoc_collect_loop(c), 0, "%s", cdoc_errmsg());
	cr_assert_eq(cdoc_collect_finish(c, &res), 0, "%s", cdoc_errmsg());
	cr_assert_eq(res.exit_code, 0);
	cdoc_collect_result_release(&res);
	cdoc_collect_free(c);
	return 0;
}

Test(source, snapshots_in_the_recording_rank_the_leak_first, .init = setup,
     .fini = teardown)
{
	char out[256];
	struct cdoc_recording r;
	struct cdoc_heap_snap a, b;
	struct cdoc_heap_growth *rows;
	struct cdoc_buf name = CDOC_BUF_INIT;
	size_t nr, i;
	int found = 0;

	snprintf(out, sizeof(out), "%s/run.cdr", dir);
	if (record(out) < 0)
		cr_skip_test("perf events not available: %s", cdoc_errmsg());
	memset(&r, 0, sizeof(r));
	cr_assert_eq(cdoc_recording_load(&r, out), 0, "%s", cdoc_errmsg());
	cr_assert_geq(cdoc_heap_rec_count(&r), 2);
	cdoc_heap_snap_init(&a);
	cdoc_heap_snap_init(&b);
	cr_assert_eq(cdoc_heap_rec_load(&r, 0, &a, NULL), 0, "%s",
	             cdoc_errmsg());
	cr_assert_eq(cdoc_heap_rec_load(&r, -1, &b, NULL), 0, "%s",
	             cdoc_errmsg());
	cdoc_heap_diff(&a, &b, &rows, &nr);
	cr_assert_gt(nr, 0);
	cdoc_heap_site_name(&b, &b.sites[rows[0].site_b], 1, &name);
	cr_assert_str_eq(name.buf, "remember_session");
	for (i = 0; i < r.nr_profiles; i++)
		found += !strcmp(r.profiles[i].name, "leaked_bytes");
	cr_assert_eq(found, 1, "no leaked_bytes profile in the recording");
	free(rows);
	cdoc_buf_release(&name);
	cdoc_heap_snap_release(&a);
	cdoc_heap_snap_release(&b);
	cdoc_recording_release(&r);
}
