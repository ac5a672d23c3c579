/*
 * offcpu_class.c - what an off-CPU thread waited in, from its stack:
 * lock, disk, net, sleep or other. Kernel frames decide when there are
 * any (they see through libc: a read(2) on a socket and on a file differ
 * only there); otherwise the innermost user frames, the libc wrapper the
 * thread blocked in.
 */
#include <stdio.h>
#include <string.h>

#include "collect/offcpu.h"

static const char *const class_names[OFFCPU_NR] = {
        "offcpu_lock",  "offcpu_disk",  "offcpu_net",
        "offcpu_sleep", "offcpu_other",
};

/* Kernel functions (substrings) that name the wait, by class. */
static const char *const kern_lock[] = {"futex", NULL};
static const char *const kern_disk[] = {"io_schedule",
                                        "fsync",
                                        "fdatasync",
                                        "sync_file_range",
                                        "jbd2",
                                        "ext4_",
                                        "xfs_",
                                        "btrfs_",
                                        "blk_",
                                        "bio_",
                                        "filemap_",
                                        "folio_wait",
                                        "wait_on_page",
                                        "nfs_",
                                        "fuse_",
                                        "blkdev",
                                        NULL};
static const char *const kern_net[] = {
        "ep_poll",         "epoll",  "do_sys_poll", "do_select",
        "core_sys_select", "accept", "tcp_",        "udp_",
        "sk_wait",         "sock_",  "unix_stream", "unix_dgram",
        "skb_recv",        "inet_",  "connect",     NULL};
static const char *const kern_sleep[] = {"nanosleep", NULL};

/* libc entry points (exact, after tidy_user()), by class. read/write
 * are absent: without kernel frames a socket and a file look alike. */
static const char *const user_lock[] = {
        "lll_lock_wait",          "lll_lock_wait_private",
        "pthread_mutex_lock",     "pthread_mutex_timedlock",
        "pthread_cond_wait",      "pthread_cond_timedwait",
        "pthread_cond_clockwait", "pthread_rwlock_rdlock",
        "pthread_rwlock_wrlock",  "sem_wait",
        "sem_timedwait",          "sem_clockwait",
        "pthread_barrier_wait",   NULL};
static const char *const user_disk[] = {
        "fsync",  "fdatasync", "sync_file_range", "syncfs", "sync",   "pread",
        "pwrite", "preadv",    "pwritev",         "open",   "openat", "creat",
        "fopen",  "fflush",    "fclose",          NULL};
static const char *const user_net[] = {
        "epoll_wait", "epoll_pwait", "epoll_pwait2", "poll",    "ppoll",
        "select",     "pselect",     "accept",       "accept4", "recv",
        "recvfrom",   "recvmsg",     "recvmmsg",     "send",    "sendto",
        "sendmsg",    "sendmmsg",    "connect",      NULL};
static const char *const user_sleep[] = {"nanosleep", "clock_nanosleep",
                                         "usleep", "sleep", NULL};

const char *collect__offcpu_profile(int cls)
{
	return cls >= 0 && cls < OFFCPU_NR ? class_names[cls]
	                                   : class_names[OFFCPU_OTHER];
}

static int has_sub(const char *name, const char *const *subs)
{
	for (; *subs; subs++)
		if (strstr(name, *subs))
			return 1;
	return 0;
}

static int kern_class(const char *name)
{
	if (has_sub(name, kern_lock))
		return OFFCPU_LOCK;
	if (has_sub(name, kern_sleep))
		return OFFCPU_SLEEP;
	if (has_sub(name, kern_disk))
		return OFFCPU_DISK;
	if (has_sub(name, kern_net))
		return OFFCPU_NET;
	return -1;
}

/* @name without glibc's decorations: "__GI___clock_nanosleep" and
 * "__libc_recv64" become "clock_nanosleep" and "recv". */
static void tidy_user(const char *name, char *out, size_t size)
{
	static const char *const pre[] = {"_", "GI_", "libc_"};
	size_t n;
	int again = 1;

	while (again) {
		again = 0;
		for (size_t i = 0; i < 3; i++)
			if (!strncmp(name, pre[i], strlen(pre[i]))) {
				name += strlen(pre[i]);
				again = 1;
			}
	}
	snprintf(out, size, "%s", name);
	n = strlen(out);
	if (n > 9 && !strcmp(out + n - 9, "_nocancel"))
		out[n -= 9] = 0;
	if (n > 2 && !strcmp(out + n - 2, "64"))
		out[n -= 2] = 0;
}

static int is_one_of(const char *name, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(name, *words))
			return 1;
	return 0;
}

static int user_class(const char *name)
{
	char t[128];

	if (strstr(name, "futex"))
		return OFFCPU_LOCK;
	tidy_user(name, t, sizeof(t));
	if (is_one_of(t, user_lock))
		return OFFCPU_LOCK;
	if (is_one_of(t, user_sleep))
		return OFFCPU_SLEEP;
	if (is_one_of(t, user_disk))
		return OFFCPU_DISK;
	if (is_one_of(t, user_net))
		return OFFCPU_NET;
	return -1;
}

int collect__offcpu_classify(const char *const *kern, size_t nr_kern,
                             const char *const *user, size_t nr_user)
{
	int cls;

	for (size_t i = 0; i < nr_kern; i++)
		if (kern[i] && (cls = kern_class(kern[i])) >= 0)
			return cls;
	for (size_t i = 0; i < CDOC_MIN(nr_user, OFFCPU_USER_DEPTH); i++)
		if (user[i] && (cls = user_class(user[i])) >= 0)
			return cls;
	return OFFCPU_OTHER;
}
