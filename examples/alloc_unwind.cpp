/*
 * alloc_unwind - allocations from the places where unwinding is hard, for
 * checking a tracker's stacks against libunwind's: C++ exceptions (the
 * exception object is malloc'ed by __cxa_allocate_exception, destructors
 * allocate while the stack unwinds, catch blocks allocate), a signal
 * handler that allocates (raised synchronously, on the normal stack and
 * on an alternate signal stack), code in a dlopen'ed module
 * (alloc_unwind_mod.so, from this program's directory or argv[1]) that
 * allocates through a callback, a deep recursion and a function with a
 * large, realigned frame. -O2; built with and without frame pointers
 * (alloc_unwind, alloc_unwind_fp). Prints a checksum.
 * usage: alloc_unwind [MODULE [ROUNDS]]
 */
#include <dlfcn.h>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

static uint64_t sum;
static void *volatile sink; /* keeps malloc/free pairs from being elided */

struct guard {
	std::string note;
	explicit guard(int i) : note("guard-" + std::to_string(i * 1000003))
	{
	}
	~guard()
	{
		char *p = (char *)malloc(32 + note.size());
		strcpy(p, note.c_str());
		sink = p;
		sum += (unsigned char)p[6];
		free(sink);
	}
};

__attribute__((noinline)) static void thrower(int depth, int i)
{
	guard g(i);
	if (depth == 0)
		throw std::runtime_error("failure number " + std::to_string(i) +
		                         " with a long enough message");
	thrower(depth - 1, i);
	sum += g.note.size();
}

__attribute__((noinline)) static void exceptions(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		try {
			thrower(i % 5, i);
		} catch (const std::exception &e) {
			std::vector<int> v(16 + i % 7, i);
			sum += strlen(e.what()) + v.size();
		}
	}
}

static void handler(int sig)
{
	/* raised synchronously below, never inside malloc */
	void *p = malloc(100 + (size_t)sig);
	sink = p;
	free(sink);
}

__attribute__((noinline)) static void signals(int rounds)
{
	static char altstack[65536];
	stack_t ss = {};
	struct sigaction sa = {};

	sa.sa_handler = handler;
	sigaction(SIGUSR1, &sa, nullptr);
	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	sigaltstack(&ss, nullptr);
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR2, &sa, nullptr);
	for (int i = 0; i < rounds; i++)
		raise(i & 1 ? SIGUSR1 : SIGUSR2);
}

static void *cb_alloc(size_t n)
{
	return malloc(n);
}

__attribute__((noinline)) static void module(const char *path, int rounds)
{
	void *h = dlopen(path, RTLD_NOW);
	uint64_t (*work)(void *(*)(size_t), int);

	if (!h) {
		fprintf(stderr, "alloc_unwind: %s\n", dlerror());
		exit(2);
	}
	work = (uint64_t(*)(void *(*)(size_t), int))dlsym(h, "mod_work");
	sum += work(cb_alloc, rounds);
	dlclose(h);
}

__attribute__((noinline)) static uint64_t deep(int n)
{
	if (n == 0) {
		char *p = (char *)malloc(48);
		sink = p;
		free(sink);
		return (uintptr_t)p & 7;
	}
	return deep(n - 1) + (uint64_t)n;
}

__attribute__((noinline)) static void aligned_frame(int rounds)
{
	alignas(64) char big[4096];
	memset(big, 1, sizeof(big));
	for (int i = 0; i < rounds; i++) {
		char *p = (char *)malloc(64 + (size_t)(i % 100));
		p[0] = big[i % 4096];
		sink = p;
		sum += (unsigned char)p[0];
		free(sink);
	}
}

int main(int argc, char **argv)
{
	std::string mod = argc > 1 ? argv[1] : "";
	int rounds = argc > 2 ? atoi(argv[2]) : 200;

	if (mod.empty()) {
		mod = argv[0];
		mod = mod.substr(0, mod.rfind('/') + 1) + "alloc_unwind_mod.so";
	}
	exceptions(rounds);
	signals(rounds);
	module(mod.c_str(), rounds);
	for (int i = 0; i < rounds; i++)
		sum += deep(i % 40);
	aligned_frame(rounds);
	printf("alloc_unwind %llu\n", (unsigned long long)sum);
	return 0;
}
