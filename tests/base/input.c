/*
 * input.c - tests for cdoc_input_open_as(): checks run while the input is
 * read (endless input stops at once), gzip inflated piece by piece from a
 * file or a pipe, and memory exhaustion as an error instead of an abort.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include "base/base.h"

static char dir[] = "/tmp/cdoc-input-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(input, .init = setup, .fini = teardown);

/* @s as one gzip member appended to @b. */
static void add_gzip(struct cdoc_buf *b, const char *s, size_t len)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	cr_assert_eq(
	        deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY),
	        Z_OK);
	cdoc_buf_grow(b, deflateBound(&zs, len) + 32);
	zs.next_in = (unsigned char *)s;
	zs.avail_in = len;
	zs.next_out = (unsigned char *)b->buf + b->len;
	zs.avail_out = b->alloc - b->len - 1;
	cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	b->len += zs.total_out;
	deflateEnd(&zs);
}

static const char *write_file(const char *name, const void *data, size_t len)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

/* A pipe holding @len bytes (small enough for its buffer), as a path. */
static const char *pipe_path(const void *data, size_t len)
{
	static char path[64];
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write(fds[1], data, len), (ssize_t)len);
	close(fds[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	return path;
}

Test(input, text_from_a_pipe_stops_at_a_nul_byte_with_line_and_offset)
{
	struct cdoc_input in;

	cr_assert_eq(cdoc_input_open(&in, pipe_path("ab\ncd\0e", 7)),
	             -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(),
	                 ":2: binary data (a NUL byte at offset 5)"),
	          "%s", cdoc_errmsg());
}

Test(input, endless_zeros_stop_at_the_first_byte)
{
	struct cdoc_input in;

	cr_assert_eq(cdoc_input_open(&in, "/dev/zero"), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "/dev/zero:1: binary data (a NUL "
	                                "byte at offset 0)"),
	          "%s", cdoc_errmsg());
}

struct seen {
	size_t calls, last_len;
	int ended;
};

static int stop_at_1mib(void *state, const char *name, const char *data,
                        size_t len, int at_end)
{
	struct seen *s = state;

	(void)data;
	s->calls++;
	s->last_len = len;
	s->ended |= at_end;
	if (len >= (1u << 20))
		return cdoc_error(-CDOC_EFORMAT, "%s: enough at %zu", name,
		                  len);
	return 0;
}

Test(input, the_check_sees_an_endless_stream_piece_by_piece)
{
	struct seen s = {0, 0, 0};
	struct cdoc_input_spec spec = {stop_at_1mib, &s, 1};
	struct cdoc_input in;

	cr_assert_eq(cdoc_input_open_as(&in, "/dev/zero", &spec),
	             -CDOC_EFORMAT);
	cr_assert_gt(s.calls, 1);
	cr_assert_lt(s.last_len, 2u << 20, "read %zu bytes", s.last_len);
	cr_assert_eq(s.ended, 0);
}

Test(input, the_check_sees_the_end_of_a_file)
{
	struct seen s = {0, 0, 0};
	struct cdoc_input_spec spec = {stop_at_1mib, &s, 1};
	struct cdoc_input in;

	cr_assert_eq(cdoc_input_open_as(&in, write_file("f", "a\0b", 3), &spec),
	             0, "%s", cdoc_errmsg());
	cr_assert_eq(in.len, 3);
	cr_assert_eq(s.ended, 1);
	cr_assert_eq(s.last_len, 3);
	cdoc_input_release(&in);
}

Test(input, gzip_members_inflate_from_a_file_and_from_a_pipe)
{
	struct cdoc_buf gz = CDOC_BUF_INIT;
	struct cdoc_input in;

	add_gzip(&gz, "main;a 1\n", 9);
	add_gzip(&gz, "main;b 2\n", 9);
	cr_assert_eq(cdoc_input_open(&in, write_file("a.gz", gz.buf, gz.len)),
	             0, "%s", cdoc_errmsg());
	cr_assert_eq(in.len, 18);
	cr_assert(!memcmp(in.data, "main;a 1\nmain;b 2\n", 18));
	cdoc_input_release(&in);
	cr_assert_eq(cdoc_input_open(&in, pipe_path(gz.buf, gz.len)), 0, "%s",
	             cdoc_errmsg());
	cr_assert_eq(in.len, 18);
	cr_assert(!memcmp(in.data, "main;a 1\nmain;b 2\n", 18));
	cdoc_input_release(&in);
	cdoc_buf_release(&gz);
}

Test(input, truncated_gzip_is_an_error_naming_the_file)
{
	struct cdoc_buf gz = CDOC_BUF_INIT;
	struct cdoc_input in;

	add_gzip(&gz, "main;a 1\n", 9);
	cr_assert_eq(
	        cdoc_input_open(&in, write_file("t.gz", gz.buf, gz.len - 4)),
	        -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "t.gz: truncated gzip data"), "%s",
	          cdoc_errmsg());
	cdoc_buf_release(&gz);
}

Test(input, a_nul_inside_gzip_text_is_found_while_inflating)
{
	struct cdoc_buf gz = CDOC_BUF_INIT;
	struct cdoc_input in;

	add_gzip(&gz, "a 1\nb\0", 6);
	cr_assert_eq(cdoc_input_open(&in, write_file("n.gz", gz.buf, gz.len)),
	             -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "n.gz:2: binary data (a NUL byte at "
	                                "offset 5)"),
	          "%s", cdoc_errmsg());
	cdoc_buf_release(&gz);
}

/* ASan's allocator aborts on exhaustion instead of returning NULL and
 * reserves far more address space than RLIMIT_AS leaves: skip there. */
#if defined(__SANITIZE_ADDRESS__)
#define CDOC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CDOC_ASAN 1
#endif
#endif

Test(input, running_out_of_memory_is_an_error_with_the_offset)
{
	struct cdoc_input_spec spec = {NULL, NULL, 1};
	struct rlimit rl = {256u << 20, 256u << 20};
	struct cdoc_input in;
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;

#ifdef CDOC_ASAN
	if (f)
		fclose(f);
	cr_skip_test("under AddressSanitizer");
#endif
	/* 256 MiB more than the test already maps. */
	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%lu", &pages), 1);
	fclose(f);
	rl.rlim_cur = rl.rlim_max =
	        pages * (unsigned long)sysconf(_SC_PAGESIZE) + (256u << 20);
	cr_assert_eq(setrlimit(RLIMIT_AS, &rl), 0);
	cr_assert_eq(cdoc_input_open_as(&in, "/dev/zero", &spec), -ENOMEM);
	cr_assert(strstr(cdoc_errmsg(),
	                 "out of memory reading /dev/zero at offset "),
	          "%s", cdoc_errmsg());
}
