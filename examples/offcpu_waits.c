/*
 * offcpu_waits.c - threads that spend their time off CPU, each in one
 * kind of wait, for the off-CPU profiles (tests/e2e/run_offcpu.sh):
 *   lock-holder   holds a mutex while it waits for a signal that never
 *                 comes, 20 ms at a time (hold_lock_and_wait)
 *   lock-waiter   blocks on that mutex (wait_for_lock)
 *   disk          writes and fsyncs a file in a temporary directory
 *                 (sync_to_disk)
 *   sleeper       nanosleeps (nap)
 *   net           polls a UDP socket nobody writes to, with a timeout
 *                 (wait_for_packet)
 * Usage: offcpu_waits [SECONDS] (default 2). Nothing is left on disk.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int stop;

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Neither a lock, a file, a socket nor a sleep: an "other" wait. */
static void wait_other(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	sigset_t none;

	sigemptyset(&none);
	sigtimedwait(&none, NULL, &ts);
}

__attribute__((noinline)) static void hold_lock_and_wait(void)
{
	pthread_mutex_lock(&lock);
	wait_other(20);
	pthread_mutex_unlock(&lock);
}

static void *holder(void *arg)
{
	while (!stop) {
		hold_lock_and_wait();
		sched_yield(); /* let the waiter in now and then */
	}
	return arg;
}

__attribute__((noinline)) static void wait_for_lock(void)
{
	pthread_mutex_lock(&lock);
	pthread_mutex_unlock(&lock);
}

static void *waiter(void *arg)
{
	while (!stop)
		wait_for_lock();
	return arg;
}

__attribute__((noinline)) static void sync_to_disk(int fd)
{
	static char block[4096];

	memset(block, 'x', sizeof(block));
	if (pwrite(fd, block, sizeof(block), 0) < 0 || fsync(fd) < 0)
		perror("offcpu_waits: write");
}

static void *disk(void *arg)
{
	char path[] = "/var/tmp/offcpu_waitsXXXXXX";
	int fd = mkstemp(path);

	if (fd < 0) {
		perror("offcpu_waits: mkstemp");
		return arg;
	}
	unlink(path);
	while (!stop)
		sync_to_disk(fd);
	close(fd);
	return arg;
}

__attribute__((noinline)) static void nap(void)
{
	sleep_ms(10);
}

static void *sleeper(void *arg)
{
	while (!stop)
		nap();
	return arg;
}

__attribute__((noinline)) static void wait_for_packet(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	poll(&p, 1, 10);
}

static void *net(void *arg)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("offcpu_waits: socket");
		return arg;
	}
	while (!stop)
		wait_for_packet(fd);
	close(fd);
	return arg;
}

int main(int argc, char **argv)
{
	static const char *const names[] = {"lock-holder", "lock-waiter",
	                                    "disk", "sleeper", "net"};
	void *(*fns[])(void *) = {holder, waiter, disk, sleeper, net};
	double secs = argc > 1 ? atof(argv[1]) : 2;
	pthread_t t[5];

	for (int i = 0; i < 5; i++) {
		if (pthread_create(&t[i], NULL, fns[i], NULL)) {
			fprintf(stderr,
			        "offcpu_waits: pthread_create failed\n");
			return 1;
		}
		pthread_setname_np(t[i], names[i]);
	}
	wait_other((long)(secs * 1000));
	stop = 1;
	for (int i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	return 0;
}
