/*
 * stream.h - the allocation stream: what the preload shim writes and what
 * lib/heap reads. Shared by both sides; no code, only the wire format.
 *
 * Channel: the collector creates a SOCK_SEQPACKET socketpair and passes
 * one end to the target in the environment (CDOC_ALLOC_FD=<fd>). Every
 * process that loads the shim with that variable set (the target, its
 * forked children, the programs they exec) sends into the same socket.
 * Each send() is one whole batch of at most CDOC_ASTREAM_BATCH_MAX bytes,
 * so batches from different threads and processes never interleave, and
 * MSG_NOSIGNAL keeps a vanished collector from killing the target with
 * SIGPIPE. A full socket blocks the sender: the collector's reading speed
 * is backpressure, and no event is ever dropped silently (the few that
 * cannot be recorded are counted in a COUNTERS record). The fd may also be
 * a regular file opened with O_APPEND (a "stream dump": batches back to
 * back), which is how tests and fuzzers feed the reader.
 *
 * A batch is a fixed header followed by hdr.len bytes of records. Records
 * start with a tag byte; integers are unsigned LEB128 varints ("v") unless
 * said otherwise.
 *
 *   HELLO    v parent_instance (0 = none), v inherit_below (stack ids below
 *            this belong to the parent's table), v sample_rate (0 = every
 *            allocation), v flags (CDOC_AHELLO_*), v ppid
 *   SOLO     (no payload) every event after it in this batch was taken
 *            while its process had a single thread, so no other
 *            thread's event on the same address can come between them:
 *            a reader may forget an address when it is freed.
 *   ALLOC|f  z dptr, z dtsc, v size, v stack  f = CDOC_AFN_* (low 4 bits)
 *   FREE|f   z dptr, z dtsc                  (f: free, realloc, munmap)
 *   TEMP|f   v size, v stack   an allocation freed at once by the same
 *            thread with no allocation in between (ptr, time omitted)
 *   FREET|f  z dptr, z dtsc  a FREE that made the pointer's allocation
 *            temporary (freed by the same thread, no allocation between)
 *   ALLOCB|f as ALLOC, for an allocation that a FREEB of this batch frees
 *   FREEB|f  z dtsc, v back   the free of the ALLOCB record that is @back
 *            allocation records (ALLOC, ALLOCB, TEMP) before this one in
 *            the batch (1 = the last); no pointer (dptr's base stays)
 *   PAIRS|f  v stack, v class, v count, v bytes, v temp   @count
 *            allocations by function f from @stack, of sizes in size
 *            class @class (0: size 0; c: [2^(c-1), 2^c), 63: all from
 *            2^62), @bytes in all, each freed by the same thread before
 *            its batch was sent; @temp of them freed at once (as TEMP).
 *            Neither pointer nor time: they were never live across a
 *            batch. Only in batches of a process without sampling; the
 *            shim writes them when the batch is sent (lib/alloc/pairs.c),
 *            and then the ALLOC records of the batch's allocations still
 *            live, which may so come after frees written before them.
 *
 *   "z" is a zigzag-encoded signed varint of a difference from the
 *   previous record of the batch that has the field (from 0 for the
 *   first):
 *   dptr of the pointer, dtsc of the time stamp. The time stamp (rdtsc,
 *   or a per-thread counter while the process has one thread) is taken
 *   after the real allocation returns and before the real free; it orders
 *   the events of one address across threads: the reader pairs each free
 *   with the latest earlier allocation of its address.
 *   STACK    v id, v nframes, nframes x v return address (leaf first)
 *   MAP      v start, v end, v file offset, v pathlen, path bytes
 *            (executable file mappings, sent at start and at exit)
 *   COUNTERS v reentrant (events not recorded: allocations made while the
 *            shim was busy on the same thread, e.g. from a signal handler),
 *            v sample_table_full (sampled pointers not remembered), v
 *            stack_table_full (stacks sent inline, not deduplicated),
 *            v write_errors (batches lost to a failing write)
 *   EXIT     (the process is exiting: what is live now is leaked)
 *   FORK     v child_instance   the process forks here: the child's
 *            instance inherits what is live at this point of the stream
 *            (every thread's batch was sent just before)
 *   EXT      v kind, v len, len bytes of payload (len <= CDOC_AEXT_MAX):
 *            evidence other than allocations, from the same thread's
 *            batch (CDOC_AEXT_*; the payload's format is the kind's).
 *            Readers skip kinds they do not know.
 *   EXT TICKS payload: the thread's event-loop ticks since its previous
 *            TICKS record (a tick: from a wait call returning to the
 *            thread's next wait call; lib/alloc/loop.c): v end_ns
 *            (CLOCK_MONOTONIC when written), v waits (the thread's wait
 *            calls so far), v ticks, v busy_ns (their total), v wait_ns
 *            (time inside wait calls), v max_ns (the longest), v nb (<=
 *            CDOC_AEXT_TICK_BUCKETS), nb x v count (bucket 0: < 2 us,
 *            bucket i: [2^i, 2^(i+1)) us, the last: all above), v nlongs,
 *            nlongs x (v end_ns - start, v duration): the ticks of at
 *            least CDOC_ALLOC_ENV_LONG_TICK ns, in order
 *
 * Stack ids are dense per process instance, starting at 1. A STACK record
 * may arrive after the first event that names its id (another thread
 * defined it and had not flushed yet): readers resolve ids lazily.
 * Events of one thread are in order; threads are not ordered against each
 * other (a free may arrive before the allocation it frees).
 */
#ifndef CDOC_ALLOC_STREAM_H
#define CDOC_ALLOC_STREAM_H

#include <stdint.h>

#define CDOC_ALLOC_ENV_FD     "CDOC_ALLOC_FD"     /* write end of the pipe */
#define CDOC_ALLOC_ENV_SAMPLE "CDOC_ALLOC_SAMPLE" /* mean bytes per sample */
#define CDOC_ALLOC_ENV_MMAP   "CDOC_ALLOC_MMAP"   /* "1": track anon mmap */
#define CDOC_ALLOC_ENV_UNWIND "CDOC_ALLOC_UNWIND" /* "fp" or "libunwind" */
/* The channel's inode: the shim writes to CDOC_ALLOC_FD only when that fd
 * is still this socket (a child may have reused the number for a file). */
#define CDOC_ALLOC_ENV_ID "CDOC_ALLOC_ID"
/* Ticks of the event loop at least this long (ns) are listed one by one
 * (EXT TICKS); default CDOC_ALLOC_LONG_TICK_NS. */
#define CDOC_ALLOC_ENV_LONG_TICK "CDOC_ALLOC_LONG_TICK"
#define CDOC_ALLOC_LONG_TICK_NS  10000000ull

#define CDOC_ASTREAM_MAGIC      0x32414443u /* "CDA2" little-endian */
#define CDOC_ASTREAM_BATCH_MAX  65536       /* header included */
#define CDOC_ASTREAM_MAX_FRAMES 64

/* struct cdoc_astream_hdr - the start of every batch (native endian). */
struct cdoc_astream_hdr {
	uint32_t magic;    /* CDOC_ASTREAM_MAGIC */
	uint32_t len;      /* bytes of records after this header */
	uint64_t instance; /* this process instance (changes on fork/exec) */
	uint32_t pid;      /* getpid() */
	uint32_t tid;      /* gettid() of the writer */
	uint64_t time_ns;  /* CLOCK_MONOTONIC when the batch was written */
};

/* Record tags (high nibble) and allocation functions (low nibble). */
enum {
	CDOC_AREC_HELLO = 0x10,
	CDOC_AREC_ALLOC = 0x20,
	CDOC_AREC_FREE = 0x30,
	CDOC_AREC_TEMP = 0x40,
	CDOC_AREC_FREET = 0x50,
	CDOC_AREC_STACK = 0x60,
	CDOC_AREC_MAP = 0x70,
	CDOC_AREC_COUNTERS = 0x80,
	CDOC_AREC_EXIT = 0x90,
	CDOC_AREC_SOLO = 0xa0,
	CDOC_AREC_ALLOCB = 0xb0,
	CDOC_AREC_FREEB = 0xc0,
	CDOC_AREC_FORK = 0xd0,
	CDOC_AREC_EXT = 0xe0,
	CDOC_AREC_PAIRS = 0xf0,
};

/* EXT record kinds, and the longest payload of one record. */
enum {
	CDOC_AEXT_TICKS = 1, /* event-loop ticks of the thread (loop.c) */
	CDOC_AEXT_FD = 2,    /* descriptors opened and closed (fdsite.c) */
};
#define CDOC_AEXT_MAX          1024
#define CDOC_AEXT_TICK_BUCKETS 24

enum {
	CDOC_AFN_MALLOC = 0,
	CDOC_AFN_CALLOC,
	CDOC_AFN_REALLOC,
	CDOC_AFN_REALLOCARRAY,
	CDOC_AFN_POSIX_MEMALIGN,
	CDOC_AFN_ALIGNED_ALLOC,
	CDOC_AFN_MEMALIGN,
	CDOC_AFN_VALLOC,
	CDOC_AFN_PVALLOC,
	CDOC_AFN_MMAP,
	CDOC_AFN_FREE,
	CDOC_AFN_MUNMAP,
	CDOC_AFN_NR,
};

/* HELLO flags. */
#define CDOC_AHELLO_MMAP       1u /* anonymous mmap/munmap are tracked */
#define CDOC_AHELLO_FP         2u /* stacks from frame pointers */
#define CDOC_AHELLO_FORK_CHILD 4u /* started by fork(): inherits the heap */

/*
 * CDOC_AEXT_FD payloads (lib/alloc/fdsite.c writes, lib/collect/fdsites.c
 * reads): v op, then by op
 *   OPEN     v fd, v call (CDOC_AFD_CALL_*), v type (CDOC_AFD_TYPE_*),
 *            v stack id (the caller's stack, same table as allocations),
 *            v flags (CDOC_AFD_CLOEXEC)
 *   CLOSE    v fd
 *   RANGE    v first, v last, v flags: close_range(); with
 *            CDOC_AFD_CLOEXEC the fds are only marked close-on-exec
 *   SETFD    v fd, v flags: fcntl(F_SETFD) set or cleared close-on-exec
 *   FORK     v child_instance (sent right after the FORK record)
 *   EXEC     (none) this instance replaces the image of the same pid
 */
enum {
	CDOC_AFD_OPEN = 1,
	CDOC_AFD_CLOSE,
	CDOC_AFD_RANGE,
	CDOC_AFD_SETFD,
	CDOC_AFD_FORK,
	CDOC_AFD_EXEC,
};
enum {
	CDOC_AFD_CALL_OPEN = 0,
	CDOC_AFD_CALL_CREAT,
	CDOC_AFD_CALL_SOCKET,
	CDOC_AFD_CALL_SOCKETPAIR,
	CDOC_AFD_CALL_ACCEPT,
	CDOC_AFD_CALL_PIPE,
	CDOC_AFD_CALL_DUP,
	CDOC_AFD_CALL_EVENTFD,
	CDOC_AFD_CALL_TIMERFD,
	CDOC_AFD_CALL_EPOLL,
	CDOC_AFD_CALL_SIGNALFD,
	CDOC_AFD_CALL_MEMFD,
	CDOC_AFD_CALL_FOPEN,
	CDOC_AFD_CALL_NR,
};
enum {
	CDOC_AFD_TYPE_FILE = 0,
	CDOC_AFD_TYPE_SOCKET,
	CDOC_AFD_TYPE_PIPE,
	CDOC_AFD_TYPE_OTHER,
	CDOC_AFD_TYPE_NR,
};
#define CDOC_AFD_CLOEXEC 1u

#endif
