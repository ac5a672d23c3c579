/*
 * control.c - fuzz the control channel's request parser (what a run reads
 * from its heap socket): each line of the input is one request. What it
 * accepts must give a snapshot name of [A-Za-z0-9._:=+-] only, bounded,
 * that does not read as a snapshot index.
 */
#include <stdlib.h>
#include <string.h>

#include "heapctl/heapctl.h"

static void check_name(const char *name)
{
	size_t n = strlen(name), digits;

	if (!n || n > CDOC_HEAP_CONTROL_NAME_MAX + 8)
		abort();
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789._:=+-") != n)
		abort();
	digits = strspn(name + (name[0] == '-'), "0123456789");
	if (digits && digits == n - (name[0] == '-'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[CDOC_HEAP_CONTROL_NAME_MAX + 16];
	const char *p = (const char *)data, *end = p + size, *nl;
	unsigned seq = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (cdoc_heap_control_parse(p, (size_t)(nl - p), ++seq, name,
		                            sizeof(name)) >= 0)
			check_name(name);
		else if (!*cdoc_errmsg())
			abort(); /* a refusal says why */
		cdoc_errclear();
		p = nl + 1;
	}
	return 0;
}
