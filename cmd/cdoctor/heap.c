/* heap.c - cdoctor heap (not yet written). */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

int cmd_heap(int argc, char **argv)
{
	cli_error("heap: not implemented yet");
	return 2;
}
