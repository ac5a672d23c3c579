/* record.c - tests for the recording writer and reader. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/record.h"

static char dir[] = "/tmp/cdoc-rec-XXXXXX";
static char path[256];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.cdr", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/cdoc-rec-XXXXXX");
}

TestSuite(record, .init = setup, .fini = teardown);

/* main;work;hash x7 and main;io x3 in profile "cpu", pid 42. */
static void write_sample_run(struct cdoc_rec_writer *w)
{
	uint32_t cpu = cdoc_rec_str(w, "cpu");
	uint32_t m = cdoc_rec_stack(w, CDOC_REC_ROOT, cdoc_rec_str(w, "main"));
	uint32_t wk = cdoc_rec_stack(w, m, cdoc_rec_str(w, "work"));
	uint32_t h = cdoc_rec_stack(w, wk, cdoc_rec_str(w, "hash"));
	uint32_t io = cdoc_rec_stack(w, m, cdoc_rec_str(w, "io"));

	cr_assert_eq(cdoc_rec_meta(w, "command", "./server --port 0"), 0);
	cr_assert_eq(cdoc_rec_process(w, 42, 1, "server"), 0);
	cr_assert_eq(cdoc_rec_sample(w, cpu, 42, h, 4), 0);
	cr_assert_eq(cdoc_rec_sample(w, cpu, 42, io, 3), 0);
	cr_assert_eq(cdoc_rec_sample(w, cpu, 42, h, 3), 0);
	cr_assert_eq(cdoc_rec_counter(w, "lost_samples", 5), 0);
	cr_assert_eq(cdoc_rec_flush(w), 0);
	cr_assert_eq(cdoc_rec_counter(w, "lost_samples", 9), 0);
	cr_assert_eq(cdoc_rec_exit(w, 42, 3 << 8), 0);
}

static void check_sample_run(struct cdoc_recording *r)
{
	struct cdoc_profile *p = cdoc_recording_profile(r, "cpu");
	struct cdoc_buf out = CDOC_BUF_INIT;

	cr_assert_not_null(p);
	cdoc_profile_write_folded(p, &out);
	cr_assert_str_eq(out.buf, "main;io 3\nmain;work;hash 7\n");
	cdoc_buf_release(&out);
	cr_assert_str_eq(cdoc_recording_meta(r, "command"),
	                 "./server --port 0");
	cr_assert_eq(r->nr_procs, 1);
	cr_assert_str_eq(r->procs[0].name, "server");
}

Test(record, roundtrip_keeps_profiles_meta_counters)
{
	struct cdoc_rec_writer w;
	struct cdoc_recording r;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	write_sample_run(&w);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	cr_assert_eq(cdoc_recording_load(&r, path), 0, "%s", cdoc_errmsg());
	check_sample_run(&r);
	cr_assert(r.complete);
	cr_assert_null(r.cut_short);
	cr_assert_eq(cdoc_recording_counter(&r, "lost_samples"), 9);
	cr_assert(r.procs[0].exited);
	cr_assert_eq(WEXITSTATUS(r.procs[0].status), 3);
	cdoc_recording_release(&r);
}

Test(record, writer_killed_leaves_readable_recording)
{
	struct cdoc_recording r;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct cdoc_rec_writer w;

		if (cdoc_rec_writer_open(&w, path))
			_exit(1);
		write_sample_run(&w);
		cdoc_rec_flush(&w);
		kill(getpid(), SIGKILL);
		_exit(2);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status));
	cr_assert_eq(cdoc_recording_load(&r, path), 0, "%s", cdoc_errmsg());
	check_sample_run(&r);
	cr_assert_not(r.complete);
	cr_assert_not_null(r.cut_short);
	cr_assert(strstr(r.cut_short, "killed") != NULL);
	cdoc_recording_release(&r);
}

static size_t file_size(void)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0);
	return st.st_size;
}

Test(record, truncated_last_chunk_keeps_earlier_ones)
{
	struct cdoc_rec_writer w;
	struct cdoc_recording r;
	size_t full;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	write_sample_run(&w);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	full = file_size();
	/* Cut into the EXIT chunk (the last before END). */
	cr_assert_eq(truncate(path, full - 12 - 3), 0);
	cr_assert_eq(cdoc_recording_load(&r, path), 0, "%s", cdoc_errmsg());
	check_sample_run(&r);
	cr_assert(strstr(r.cut_short, "partial") != NULL, "%s", r.cut_short);
	cdoc_recording_release(&r);
}

Test(record, corrupt_payload_is_rejected_with_offset)
{
	struct cdoc_rec_writer w;
	struct cdoc_recording r;
	char byte;
	int fd;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	write_sample_run(&w);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	/* First chunk: META at byte 16; its payload starts at 28. */
	cr_assert_eq(pread(fd, &byte, 1, 30), 1);
	byte ^= 0x55;
	cr_assert_eq(pwrite(fd, &byte, 1, 30), 1);
	close(fd);
	cr_assert_eq(cdoc_recording_load(&r, path), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "at byte 16") != NULL, "%s",
	          cdoc_errmsg());
	cr_assert(strstr(cdoc_errmsg(), "CRC") != NULL, "%s", cdoc_errmsg());
}

Test(record, other_file_is_not_a_recording)
{
	struct cdoc_recording r;
	const char text[] = "main;f 1\n";

	cr_assert_eq(cdoc_recording_parse(&r, "x.folded", text, strlen(text)),
	             -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "not a cdoctor recording") != NULL);
}

Test(record, refuses_to_write_through_symlink)
{
	struct cdoc_rec_writer w;
	char target[300];

	snprintf(target, sizeof(target), "%s/victim", dir);
	cr_assert_eq(symlink(target, path), 0);
	cr_assert_lt(cdoc_rec_writer_open(&w, path), 0);
	cr_assert_neq(access(target, F_OK), 0);
}
