/* frameinfo.c - tests for MODULE and FRAMEINFO: where frames come from. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/record.h"

static char dir[] = "/tmp/cdoc-frameinfo-XXXXXX";
static char path[256];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f.cdr", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/cdoc-frameinfo-XXXXXX");
}

TestSuite(frameinfo, .init = setup, .fini = teardown);

Test(frameinfo, roundtrip_one_module_per_file)
{
	static const uint8_t bid[] = {0xde, 0xad, 0x01, 0xff};
	struct cdoc_rec_frameinfo a = {.module = "/usr/bin/app",
	                               .build_id = bid,
	                               .build_id_len = sizeof(bid),
	                               .map_start = 0x1000,
	                               .map_end = 0x5000,
	                               .address = 0x1234,
	                               .file = "src/app.c",
	                               .line = 42};
	struct cdoc_rec_frameinfo b = a;
	struct cdoc_rec_writer w;
	struct cdoc_recording r;
	uint32_t fa, fb, plain;

	b.address = 0x2000;
	b.file = NULL;
	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	fa = cdoc_rec_str(&w, "main");
	fb = cdoc_rec_str(&w, "app+0x2000");
	plain = cdoc_rec_str(&w, "other");
	cr_assert_eq(cdoc_rec_frameinfo(&w, fa, &a), 0);
	cr_assert_eq(cdoc_rec_frameinfo(&w, fb, &b), 0);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);

	cr_assert_eq(cdoc_recording_load(&r, path), 0, "%s", cdoc_errmsg());
	cr_assert_eq(r.nr_modules, 1); /* the same file: one MODULE */
	cr_assert_str_eq(r.modules[0].path, "/usr/bin/app");
	cr_assert_str_eq(r.modules[0].build_id, "dead01ff");
	cr_assert_eq(r.modules[0].start, 0x1000);
	cr_assert_eq(r.modules[0].end, 0x5000);
	cr_assert_gt(r.nr_frames, fb);
	cr_assert_eq(r.frames[fa].module, 1);
	cr_assert_eq(r.frames[fa].address, 0x1234);
	cr_assert_str_eq(r.frames[fa].file, "src/app.c");
	cr_assert_eq(r.frames[fa].line, 42);
	cr_assert_eq(r.frames[fb].module, 1);
	cr_assert_null(r.frames[fb].file);
	cr_assert_eq(r.frames[fb].line, 0);
	cr_assert(plain >= r.nr_frames || !r.frames[plain].module);
	cdoc_recording_release(&r);
}

Test(frameinfo, undefined_module_is_corrupt_with_offset)
{
	struct cdoc_rec_writer w;
	struct cdoc_recording r;
	struct cdoc_buf b = CDOC_BUF_INIT;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	cdoc_rec_put_u64(&b, cdoc_rec_str(&w, "main"));
	cdoc_rec_put_u64(&b, 3); /* module 2: none is defined */
	cdoc_rec_put_u64(&b, 0x10);
	cdoc_rec_put_bytes(&b, "a.c", 3);
	cdoc_rec_put_u64(&b, 7);
	cr_assert_eq(cdoc_rec_chunk(&w, CDOC_REC_FRAMEINFO, b.buf, b.len), 0);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	cr_assert_eq(cdoc_recording_load(&r, path), -CDOC_EFORMAT);
	cr_assert_not_null(strstr(cdoc_errmsg(), "(type 13) at byte"), "%s",
	                   cdoc_errmsg());
	cr_assert_not_null(strstr(cdoc_errmsg(), "module"), "%s",
	                   cdoc_errmsg());
	cdoc_buf_release(&b);
}

Test(frameinfo, module_ids_must_continue)
{
	struct cdoc_rec_writer w;
	struct cdoc_recording r;
	struct cdoc_buf b = CDOC_BUF_INIT;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	cdoc_rec_put_u64(&b, 5); /* the first module must be 0 */
	cdoc_rec_put_bytes(&b, "/lib/x.so", 9);
	cdoc_rec_put_bytes(&b, "", 0);
	cdoc_rec_put_u64(&b, 0);
	cdoc_rec_put_u64(&b, 0);
	cr_assert_eq(cdoc_rec_chunk(&w, CDOC_REC_MODULE, b.buf, b.len), 0);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	cr_assert_eq(cdoc_recording_load(&r, path), -CDOC_EFORMAT);
	cr_assert_not_null(strstr(cdoc_errmsg(), "(type 12) at byte"), "%s",
	                   cdoc_errmsg());
	cdoc_buf_release(&b);
}
