/*
 * input.c - fuzz reading in pieces (lib/base/input.c): the bytes come
 * through a pipe (read piece by piece, gzip inflated as a stream) and
 * through a file (mapped, or inflated from the mapping), into the
 * checks of every file-reading parser: recordings, heap snapshots,
 * allocation-stream dumps and text.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/base.h"
#include "heap/heap.h"
#include "heapfile/heapfile.h"
#include "record/record.h"

/* @data behind a path: a pipe (when it fits its buffer) or a memfd. */
static int open_path(const uint8_t *data, size_t size, int as_pipe,
                     char path[32])
{
	int fds[2];

	if (as_pipe) {
		if (size > 60000 || pipe(fds) < 0)
			return -1;
		if (write(fds[1], data, size) != (ssize_t)size) {
			close(fds[0]);
			close(fds[1]);
			return -1;
		}
		close(fds[1]);
	} else {
		fds[0] = memfd_create("fuzz", 0);
		if (fds[0] < 0)
			return -1;
		if (write(fds[0], data, size) != (ssize_t)size) {
			close(fds[0]);
			return -1;
		}
	}
	snprintf(path, 32, "/proc/self/fd/%d", fds[0]);
	return fds[0];
}

static void load_all(const char *path, int which)
{
	struct cdoc_recording r;
	struct cdoc_heap_snap s;
	struct cdoc_input in;
	struct cdoc_heap *h;

	switch (which) {
	case 0:
		if (cdoc_recording_load(&r, path) == 0)
			cdoc_recording_release(&r);
		break;
	case 1:
		cdoc_heap_snap_init(&s);
		cdoc_heap_snap_load(&s, path);
		cdoc_heap_snap_release(&s);
		break;
	case 2:
		cdoc_heap_new(&h);
		cdoc_heap_load_stream(h, path);
		cdoc_heap_free(h);
		break;
	default:
		if (cdoc_input_open(&in, path) == 0)
			cdoc_input_release(&in);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	int which, as_pipe, fd;

	for (which = 0; which < 4; which++)
		for (as_pipe = 0; as_pipe < 2; as_pipe++) {
			fd = open_path(data, size, as_pipe, path);
			if (fd < 0)
				continue;
			if (!as_pipe)
				lseek(fd, 0, SEEK_SET);
			load_all(path, which);
			close(fd);
		}
	return 0;
}
