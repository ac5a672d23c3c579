/*
 * snapfile.c - the .heap format: a snapshot survives encode/decode
 * unchanged, every truncation and corruption is rejected with a byte
 * offset (or still parses into a consistent snapshot), diff ranks growth.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "heap/heap.h"
#include "report/report.h"
#include "heapfile/heapfile.h"

static uint32_t add_stack(struct cdoc_heap_snap *s, const char *leaf,
                          const char *root)
{
	s->frames = realloc(s->frames, (s->nr_frames + 2) * sizeof(uint32_t));
	s->frames[s->nr_frames] =
	        cdoc_strtab_intern(&s->names, leaf, strlen(leaf));
	s->frames[s->nr_frames + 1] =
	        cdoc_strtab_intern(&s->names, root, strlen(root));
	s->stacks = realloc(s->stacks, (s->nr_stacks + 1) * sizeof(*s->stacks));
	s->stacks[s->nr_stacks].first = (uint32_t)s->nr_frames;
	s->stacks[s->nr_stacks].nr = 2;
	s->nr_frames += 2;
	return (uint32_t)s->nr_stacks++;
}

static void add_site(struct cdoc_heap_snap *s, uint32_t stack,
                     uint64_t live_bytes, uint64_t live_count)
{
	struct cdoc_heap_site *site;

	s->sites = realloc(s->sites, (s->nr_sites + 1) * sizeof(*s->sites));
	site = &s->sites[s->nr_sites++];
	memset(site, 0, sizeof(*site));
	site->stack = stack;
	site->alloc_count = live_count + 3;
	site->alloc_bytes = live_bytes + 300;
	site->live_bytes = live_bytes;
	site->live_count = live_count;
	site->peak_bytes = live_bytes + 1;
	site->temp_count = 2;
}

static void make(struct cdoc_heap_snap *s, uint64_t leak_bytes)
{
	cdoc_heap_snap_init(s);
	s->procs = calloc(1, sizeof(*s->procs));
	s->nr_procs = 1;
	s->procs[0].pid = 42;
	s->procs[0].name = cdoc_strtab_intern(&s->names, "/bin/srv", 8);
	s->procs[0].flags = CDOC_HPROC_EXITED;
	s->procs[0].calls[CDOC_AFN_MALLOC] = 9;
	s->time_ns = 123456789;
	s->peak_bytes = 5000;
	s->hist[7] = 4;
	s->counters.reordered = 3;
	add_site(s, add_stack(s, "leak", "main"), leak_bytes, leak_bytes / 8);
	add_site(s, add_stack(s, "steady", "main"), 800, 10);
}

Test(snapfile, round_trip_keeps_everything)
{
	struct cdoc_heap_snap a, b;
	struct cdoc_buf x = CDOC_BUF_INIT, y = CDOC_BUF_INIT;

	make(&a, 4096);
	cdoc_heap_snap_encode(&a, &x);
	cdoc_heap_snap_init(&b);
	cr_assert_eq(cdoc_heap_snap_decode(&b, x.buf, x.len, "a.heap"), 0, "%s",
	             cdoc_errmsg());
	cr_assert_eq(b.nr_sites, 2);
	cr_assert_eq(b.time_ns, 123456789);
	cr_assert_eq(b.procs[0].calls[CDOC_AFN_MALLOC], 9);
	cr_assert_eq(b.sites[0].live_bytes, 4096);
	cr_assert_eq(b.counters.reordered, 3);
	cdoc_heap_snap_encode(&b, &y);
	cr_assert_eq(x.len, y.len);
	cr_assert_eq(memcmp(x.buf, y.buf, x.len), 0);
	cdoc_heap_folded(&b, CDOC_HEAP_LEAKED_BYTES, &y);
	cr_assert(strstr(y.buf + x.len, "main;leak 4096\n"), "%s",
	          y.buf + x.len);
	cdoc_buf_release(&x);
	cdoc_buf_release(&y);
	cdoc_heap_snap_release(&a);
	cdoc_heap_snap_release(&b);
}

Test(snapfile, every_truncation_is_rejected_with_an_offset)
{
	struct cdoc_heap_snap a, b;
	struct cdoc_buf x = CDOC_BUF_INIT;
	size_t n;

	make(&a, 4096);
	cdoc_heap_snap_encode(&a, &x);
	cdoc_heap_snap_init(&b);
	for (n = 0; n < x.len; n++) {
		cr_assert_eq(cdoc_heap_snap_decode(&b, x.buf, n, "t.heap"),
		             -CDOC_EFORMAT, "length %zu accepted", n);
		cr_assert(strstr(cdoc_errmsg(), "t.heap: offset "), "%s",
		          cdoc_errmsg());
		cr_assert_eq(b.nr_sites, 0);
	}
	cdoc_buf_release(&x);
	cdoc_heap_snap_release(&a);
}

Test(snapfile, flipped_bytes_never_give_bad_indexes)
{
	struct cdoc_heap_snap a, b;
	struct cdoc_buf x = CDOC_BUF_INIT;
	size_t i, j;

	make(&a, 4096);
	cdoc_heap_snap_encode(&a, &x);
	cdoc_heap_snap_init(&b);
	for (i = 8; i < x.len; i++) {
		unsigned char save = (unsigned char)x.buf[i];

		x.buf[i] ^= 0x5a;
		if (cdoc_heap_snap_decode(&b, x.buf, x.len, "f") == 0)
			for (j = 0; j < b.nr_sites; j++) {
				cr_assert_lt(b.sites[j].stack, b.nr_stacks);
				cr_assert_lt(b.sites[j].proc, b.nr_procs);
			}
		x.buf[i] = (char)save;
	}
	cdoc_buf_release(&x);
	cdoc_heap_snap_release(&a);
	cdoc_heap_snap_release(&b);
}

Test(snapfile, diff_ranks_the_growing_site_first)
{
	struct cdoc_heap_snap a, b;
	struct cdoc_heap_growth *rows;
	size_t nr;

	make(&a, 1000);
	make(&b, 9000);
	cr_assert_eq(cdoc_heap_diff(&a, &b, &rows, &nr), 0);
	cr_assert_eq(nr, 2);
	cr_assert_eq(rows[0].bytes, 8000);
	cr_assert_eq(rows[0].count, 1000);
	cr_assert_float_eq(rows[0].share, 1.0, 1e-9);
	cr_assert_eq(rows[1].bytes, 0);
	cr_assert_eq(
	        strcmp(cdoc_strtab_get(
	                       &b.names,
	                       b.frames[b.stacks[b.sites[rows[0].site_b].stack]
	                                        .first]),
	               "leak"),
	        0);
	free(rows);
	cdoc_heap_snap_release(&a);
	cdoc_heap_snap_release(&b);
}
