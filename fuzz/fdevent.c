/*
 * fdevent.c - fuzz the descriptor event decoder (lib/heap/fdev.c): the
 * payload of an EXT record of kind CDOC_AEXT_FD, as the shim writes it.
 */
#include "heap/heap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdoc_heap_fd e;

	if (cdoc_heap_fd_decode(data, size, &e) == 0 && e.op == 0)
		__builtin_trap(); /* accepted without an op */
	return 0;
}
