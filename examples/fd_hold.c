/*
 * fd_hold.c - opens N files (default 64: copies of /dev/null), a socket
 * pair and a pipe, then sleeps S seconds (default 3) holding them: the
 * target for the fds_* metrics. Usage: fd_hold [N] [S].
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 64;
	double secs = argc > 2 ? atof(argv[2]) : 3;
	int sv[2], p[2];

	for (int i = 0; i < n; i++)
		if (open("/dev/null", O_RDONLY) < 0) {
			perror("fd_hold: open");
			return 1;
		}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || pipe(p)) {
		perror("fd_hold");
		return 1;
	}
	usleep((useconds_t)(secs * 1e6));
	return 0;
}
