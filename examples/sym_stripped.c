/*
 * sym_stripped - a stripped binary whose symbols live in a separate debug
 * file found through .gnu_debuglink (sym_stripped.debug next to it). Prints
 * "hidden_worker 0xADDR" (a static function only the debug file names),
 * then runs hidden_worker until its standard input closes.
 */
#include <stdio.h>
#include <unistd.h>

static volatile unsigned long counter;

static __attribute__((noinline)) void hidden_worker(void)
{
	char c;

	while (read(0, &c, 1) > 0)
		counter++;
}

int main(void)
{
	printf("hidden_worker %p\n", (void *)hidden_worker);
	fflush(stdout);
	hidden_worker();
	return 0;
}
