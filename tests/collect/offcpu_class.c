/*
 * offcpu_class.c - the off-CPU classifier on frame arrays as the
 * collector sees them (innermost first; kernel names with "_[k]"):
 * kernel frames decide, user libc wrappers decide when there are no
 * kernel frames, read/write alone decide nothing, and application
 * functions that merely share a word with a libc call are not taken
 * for it.
 */
#include <criterion/criterion.h>

#include "collect/offcpu.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int classify(const char *const *k, size_t nk, const char *const *u,
                    size_t nu)
{
	return collect__offcpu_classify(k, nk, u, nu);
}

Test(offcpu_class, futex_in_the_kernel_is_lock)
{
	const char *k[] = {"schedule_[k]", "futex_do_wait_[k]",
	                   "__futex_wait_[k]", "do_futex_[k]",
	                   "__x64_sys_futex_[k]"};
	const char *u[] = {"__lll_lock_wait", "pthread_mutex_lock", "work"};

	cr_assert_eq(classify(k, N(k), u, N(u)), OFFCPU_LOCK);
}

Test(offcpu_class, fsync_through_the_block_layer_is_disk)
{
	const char *k[] = {"schedule_[k]",
	                   "io_schedule_timeout_[k]",
	                   "wait_for_completion_io_timeout_[k]",
	                   "submit_bio_wait_[k]",
	                   "ext4_sync_file_[k]",
	                   "do_fsync_[k]"};
	const char *u[] = {"fsync", "save"};

	cr_assert_eq(classify(k, N(k), u, N(u)), OFFCPU_DISK);
}

Test(offcpu_class, page_cache_miss_on_read_is_disk)
{
	const char *k[] = {"schedule_[k]",
	                   "io_schedule_[k]",
	                   "folio_wait_bit_common_[k]",
	                   "filemap_read_[k]",
	                   "vfs_read_[k]",
	                   "ksys_read_[k]"};
	const char *u[] = {"__libc_read", "load"};

	cr_assert_eq(classify(k, N(k), u, N(u)), OFFCPU_DISK);
}

Test(offcpu_class, read_on_a_socket_is_net)
{
	const char *k[] = {"schedule_[k]",     "schedule_timeout_[k]",
	                   "sk_wait_data_[k]", "tcp_recvmsg_locked_[k]",
	                   "tcp_recvmsg_[k]",  "sock_read_iter_[k]",
	                   "vfs_read_[k]",     "ksys_read_[k]"};
	const char *u[] = {"__libc_read", "handle_client"};

	cr_assert_eq(classify(k, N(k), u, N(u)), OFFCPU_NET);
}

Test(offcpu_class, epoll_wait_and_poll_and_accept_are_net)
{
	const char *ep[] = {"schedule_[k]",
	                    "schedule_hrtimeout_range_clock_[k]", "ep_poll_[k]",
	                    "do_epoll_wait_[k]"};
	const char *po[] = {
	        "schedule_[k]", "schedule_hrtimeout_range_clock_[k]",
	        "poll_schedule_timeout.constprop.0_[k]", "do_sys_poll_[k]"};
	const char *ac[] = {"schedule_[k]", "schedule_timeout_[k]",
	                    "inet_csk_accept_[k]", "do_accept_[k]"};

	cr_assert_eq(classify(ep, N(ep), NULL, 0), OFFCPU_NET);
	cr_assert_eq(classify(po, N(po), NULL, 0), OFFCPU_NET);
	cr_assert_eq(classify(ac, N(ac), NULL, 0), OFFCPU_NET);
}

Test(offcpu_class, nanosleep_in_the_kernel_is_sleep)
{
	const char *k[] = {"schedule_[k]", "do_nanosleep_[k]",
	                   "hrtimer_nanosleep_[k]", "common_nsleep_[k]",
	                   "__x64_sys_clock_nanosleep_[k]"};
	const char *u[] = {"clock_nanosleep", "__nanosleep", "nap"};

	cr_assert_eq(classify(k, N(k), u, N(u)), OFFCPU_SLEEP);
}

Test(offcpu_class, without_kernel_frames_the_libc_wrapper_decides)
{
	const char *lock[] = {"__futex_abstimed_wait_common64",
	                      "__pthread_cond_wait", "consume"};
	const char *lll[] = {"__lll_lock_wait", "pthread_mutex_lock", "f"};
	const char *disk[] = {"fdatasync", "commit"};
	const char *net[] = {"epoll_wait", "loop"};
	const char *acc[] = {"__libc_accept4", "serve"};
	const char *slp[] = {"__GI___clock_nanosleep", "usleep", "idle"};

	cr_assert_eq(classify(NULL, 0, lock, N(lock)), OFFCPU_LOCK);
	cr_assert_eq(classify(NULL, 0, lll, N(lll)), OFFCPU_LOCK);
	cr_assert_eq(classify(NULL, 0, disk, N(disk)), OFFCPU_DISK);
	cr_assert_eq(classify(NULL, 0, net, N(net)), OFFCPU_NET);
	cr_assert_eq(classify(NULL, 0, acc, N(acc)), OFFCPU_NET);
	cr_assert_eq(classify(NULL, 0, slp, N(slp)), OFFCPU_SLEEP);
}

Test(offcpu_class, plain_read_without_kernel_frames_is_other)
{
	const char *u[] = {"__libc_read", "read_request"};

	cr_assert_eq(classify(NULL, 0, u, N(u)), OFFCPU_OTHER);
}

Test(offcpu_class, pipe_read_in_the_kernel_is_other)
{
	const char *k[] = {"schedule_[k]", "pipe_read_[k]", "vfs_read_[k]",
	                   "ksys_read_[k]", "__x64_sys_read_[k]"};
	const char *u[] = {"__libc_read", "worker"};

	cr_assert_eq(classify(k, N(k), u, N(u)), OFFCPU_OTHER);
}

Test(offcpu_class, application_names_that_contain_a_call_are_not_it)
{
	const char *u[] = {"select_best_route", "poll_queue", "sleep_sort",
	                   "read_config"};

	cr_assert_eq(classify(NULL, 0, u, N(u)), OFFCPU_OTHER);
}

Test(offcpu_class, only_the_innermost_user_frames_count)
{
	const char *u[] = {"wait4",   "run_child", "step",
	                   "process", "nanosleep", "main"};

	cr_assert_eq(classify(NULL, 0, u, N(u)), OFFCPU_OTHER);
}

Test(offcpu_class, unnamed_kernel_frames_leave_it_to_user_frames)
{
	const char *k[] = {"[kernel.kallsyms]+0x1a2b3c_[k]", NULL};
	const char *u[] = {"__lll_lock_wait", "pthread_mutex_lock"};

	cr_assert_eq(classify(k, N(k), u, N(u)), OFFCPU_LOCK);
}

Test(offcpu_class, profile_names_follow_the_classes)
{
	cr_assert_str_eq(collect__offcpu_profile(OFFCPU_LOCK), "offcpu_lock");
	cr_assert_str_eq(collect__offcpu_profile(OFFCPU_DISK), "offcpu_disk");
	cr_assert_str_eq(collect__offcpu_profile(OFFCPU_NET), "offcpu_net");
	cr_assert_str_eq(collect__offcpu_profile(OFFCPU_SLEEP), "offcpu_sleep");
	cr_assert_str_eq(collect__offcpu_profile(OFFCPU_OTHER), "offcpu_other");
	cr_assert_str_eq(collect__offcpu_profile(99), "offcpu_other");
}
