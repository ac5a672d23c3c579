/*
 * port.c - which TCP port does a process (or one of its children) listen
 * on: the socket inodes in /proc/PID/fd matched against the LISTEN rows
 * (state 0A) of /proc/PID/net/tcp and tcp6 (the target's network
 * namespace).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/internal.h"

/* Add the socket inodes of @pid's fds to @m, valued by the depth in
 * the tree (+1) of the shallowest process that holds them. */
static void socket_inodes(pid_t pid, struct cdoc_u64map *m, int depth)
{
	char path[64], link[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		char fdpath[320];
		ssize_t n;
		unsigned long long ino;

		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, d->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (sscanf(link, "socket:[%llu]", &ino) == 1 && ino) {
			uint32_t have;

			if (!cdoc_u64map_get(m, ino, &have) ||
			    have > (uint32_t)depth + 1)
				cdoc_u64map_put(m, ino, (uint32_t)depth + 1);
		}
	}
	closedir(dir);
}

/* Add the inodes of @pid and its descendants (from /proc/PID/task/x/children). */
static void tree_inodes(pid_t pid, struct cdoc_u64map *m, int depth)
{
	char path[96];
	FILE *f;
	int child;

	socket_inodes(pid, m, depth);
	if (depth > 8)
		return;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
	         (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fscanf(f, "%d", &child) == 1)
		tree_inodes(child, m, depth + 1);
	fclose(f);
}

/*
 * The LISTEN port in @file whose inode is in @m held highest in the tree
 * (the target's own before a forked helper's, e.g. a backend it starts),
 * the lowest port among those, as depth << 16 | port; 0 when none.
 */
static int scan_table(const char *file, const struct cdoc_u64map *m)
{
	char line[512];
	int best = 0;
	FILE *f = fopen(file, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char local[128];
		unsigned port, state;
		unsigned long long ino;
		uint32_t v;
		char *colon;

		if (sscanf(line, " %*u: %127s %*s %x %*s %*s %*s %*s %*s %llu",
		           local, &state, &ino) != 3 ||
		    state != 0x0A)
			continue;
		colon = strrchr(local, ':');
		if (!colon || sscanf(colon + 1, "%x", &port) != 1)
			continue;
		if (!cdoc_u64map_get(m, ino, &v) || port > 0xffff)
			continue;
		if (!best || (int)(v << 16 | port) < best)
			best = (int)(v << 16 | port);
	}
	fclose(f);
	return best;
}

int cdoc_collect_listen_port(pid_t pid)
{
	struct cdoc_u64map m;
	char path[64];
	int p4, p6;

	cdoc_u64map_init(&m);
	tree_inodes(pid, &m, 0);
	if (!m.nr) {
		cdoc_u64map_release(&m);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/net/tcp", (int)pid);
	p4 = scan_table(path, &m);
	snprintf(path, sizeof(path), "/proc/%d/net/tcp6", (int)pid);
	p6 = scan_table(path, &m);
	cdoc_u64map_release(&m);
	if (p4 && p6)
		return CDOC_MIN(p4, p6) & 0xffff;
	return (p4 ? p4 : p6) & 0xffff;
}
