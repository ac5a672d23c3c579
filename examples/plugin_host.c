/*
 * plugin_host.c - works a little, then dlopen()s plugin.so (from its own
 * directory, or argv[2]) and spends its time in the plugin's
 * plugin_hot_transform. Usage: plugin_host [SECONDS] [PLUGIN].
 */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef uint64_t (*transform_fn)(uint64_t, int);

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void plugin_path(char *buf, size_t len, int argc, char **argv)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (argc > 2) {
		snprintf(buf, len, "%s", argv[2]);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	snprintf(buf, len, "%s/plugin.so", dirname(exe));
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 2.0);
	char path[PATH_MAX + 16];
	transform_fn fn;
	uint64_t x = 3;
	void *h;

	usleep(100000);
	plugin_path(path, sizeof(path), argc, argv);
	h = dlopen(path, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "plugin_host: %s\n", dlerror());
		return 1;
	}
	fn = (transform_fn)dlsym(h, "plugin_hot_transform");
	if (!fn) {
		fprintf(stderr, "plugin_host: %s\n", dlerror());
		return 1;
	}
	while (now() < end)
		x = fn(x, 100000);
	printf("%llu\n", (unsigned long long)(x & 0xff));
	dlclose(h);
	return 0;
}
